// Owns: the background freeing thread (see lazy_free.h). Must not touch: the keyspace.
// Thread: the event loop submits; the background thread frees.
#include "stashd/keyspace/lazy_free.h"

#include "stashd/keyspace/allocator.h"

namespace stashd {

LazyFreer::~LazyFreer() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void LazyFreer::submit(std::unique_ptr<ValueObject> value) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
    queue_.push_back(std::move(value));
    pending_.fetch_add(1, std::memory_order_relaxed);
  }
  wake_.notify_one();
}

void LazyFreer::drain() {
  std::unique_lock<std::mutex> lock(mutex_);
  idle_.wait(lock, [this] { return queue_.empty() && !busy_; });
}

void LazyFreer::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping with nothing left to free
    std::unique_ptr<ValueObject> value = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    value.reset();
    allocator::publish_thread_delta();
    pending_.fetch_sub(1, std::memory_order_relaxed);
    freed_.fetch_add(1, std::memory_order_relaxed);
    lock.lock();
    busy_ = false;
    if (queue_.empty()) idle_.notify_all();
  }
}

}  // namespace stashd
