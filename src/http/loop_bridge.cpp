// Owns: the slots and the eventfd between the HTTP threads and the event loop (see loop_bridge.h).
// Must not touch: the keyspace. Thread: call() on HTTP threads; the rest on the event loop.
#include "stashd/http/loop_bridge.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace stashd::http {

namespace {

// Reply buffers up to this size are kept for the next call; larger ones go back to the allocator.
constexpr size_t kKeptReplyCapacity = 64 * 1024;

}  // namespace

LoopBridge::LoopBridge(asio::io_context& io, size_t slots)
    : io_(io), wake_(io), slots_(slots == 0 ? 1 : slots) {}

LoopBridge::~LoopBridge() { stop(); }

Status LoopBridge::start() {
  const int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) return Status::error(std::string("eventfd: ") + std::strerror(errno));
  asio::error_code ec;
  wake_.assign(fd, ec);
  if (ec) {
    ::close(fd);
    return Status::error("eventfd: " + ec.message());
  }
  {
    std::lock_guard lock(mu_);
    started_ = true;
  }
  read_wake();
  return Status::ok();
}

void LoopBridge::stop() {
  std::lock_guard lock(mu_);
  if (stopped_) return;
  stopped_ = true;
  for (Slot& slot : slots_) {
    if (slot.state == SlotState::kQueued) slot.state = SlotState::kCancelled;
  }
  asio::error_code ec;
  wake_.close(ec);
  changed_.notify_all();
}

void LoopBridge::wake_locked() {
  const uint64_t one = 1;
  // Fails only if the counter would overflow, and then the loop has a wake-up pending anyway.
  [[maybe_unused]] const ssize_t written = ::write(wake_.native_handle(), &one, sizeof one);
}

void LoopBridge::read_wake() {
  wake_.async_read_some(asio::buffer(&wake_count_, sizeof wake_count_),
                        [this](const asio::error_code& ec, size_t) {
                          if (ec) return;  // closed by stop()
                          run_queued();
                          read_wake();
                        });
}

void LoopBridge::run_queued() {
  std::unique_lock lock(mu_);
  for (Slot& slot : slots_) {
    if (slot.state == SlotState::kReturned) {
      if (slot.reply.body.capacity() > kKeptReplyCapacity) std::string().swap(slot.reply.body);
      slot.state = SlotState::kFree;
      changed_.notify_all();
    }
  }
  for (Slot& slot : slots_) {
    if (slot.state != SlotState::kQueued) continue;
    slot.state = SlotState::kRunning;
    LoopTask* task = slot.task;
    lock.unlock();
    // The slot is this thread's while it runs: no other thread reads or writes the reply.
    std::string buffer = std::move(slot.reply.body);
    buffer.clear();
    slot.reply = HttpReply{};
    slot.reply.body = std::move(buffer);
    task->run(slot.reply);
    lock.lock();
    slot.state = SlotState::kDone;
    changed_.notify_all();
  }
}

size_t LoopBridge::pending() {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const Slot& slot : slots_) n += slot.state == SlotState::kQueued ? 1 : 0;
  return n;
}

std::optional<HttpReply> LoopBridge::call(LoopTask& task, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(mu_);
  Slot* slot = nullptr;
  while (slot == nullptr) {
    if (stopped_ || !started_) return std::nullopt;
    for (Slot& s : slots_) {
      if (s.state == SlotState::kFree) {
        slot = &s;
        break;
      }
    }
    if (slot == nullptr && changed_.wait_until(lock, deadline) == std::cv_status::timeout) {
      return std::nullopt;
    }
  }
  slot->state = SlotState::kQueued;
  slot->task = &task;
  wake_locked();
  auto finished = [slot] {
    return slot->state == SlotState::kDone || slot->state == SlotState::kCancelled;
  };
  if (!changed_.wait_until(lock, deadline, finished)) {
    if (slot->state == SlotState::kQueued) {
      slot->state = SlotState::kFree;  // the loop never saw it: it will not run
      slot->task = nullptr;
      changed_.notify_all();
      return std::nullopt;
    }
    changed_.wait(lock, finished);  // running on the loop right now: it ends soon
  }
  slot->task = nullptr;
  if (slot->state == SlotState::kCancelled) {
    slot->state = SlotState::kFree;
    changed_.notify_all();
    return std::nullopt;
  }
  // Copy outside the lock (a large value must not hold up the loop); the copy is this thread's.
  slot->state = SlotState::kCopying;
  lock.unlock();
  HttpReply copy;
  copy.status = slot->reply.status;
  copy.content_type = slot->reply.content_type;
  copy.header_name = slot->reply.header_name;
  copy.header_value = slot->reply.header_value;
  copy.body.assign(slot->reply.body);
  const bool large = slot->reply.body.capacity() > kKeptReplyCapacity;
  lock.lock();
  if (large && !stopped_) {
    slot->state = SlotState::kReturned;
    wake_locked();
  } else {
    slot->state = SlotState::kFree;
    changed_.notify_all();
  }
  return copy;
}

}  // namespace stashd::http
