// Owns: handing work from the HTTP threads to the event loop and the answer back. The HTTP threads
// never touch loop-owned state: they queue a LoopTask in one of a fixed set of slots (one per HTTP
// worker, guarded by a mutex) and write to an eventfd that the loop reads through Asio; the loop
// runs the task into the slot's reply and the waiting thread copies the reply out. Nothing is
// allocated on one thread and freed on the other (asio::post would allocate its handler on the
// HTTP thread and free it on the loop), because used_memory is counted from the allocator's
// per-thread counters. Must not touch: the keyspace, sockets other than its eventfd.
// Thread: call() on the HTTP threads; start(), stop() and the tasks on the event loop.
#pragma once

#include <asio.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stashd/common/status.h"

namespace stashd::http {

inline constexpr std::string_view kTextPlain = "text/plain; charset=utf-8";

// An HTTP answer. content_type and the optional extra header point to static strings.
struct HttpReply {
  int status = 200;
  std::string_view content_type = kTextPlain;
  std::string body;
  std::string_view header_name;  // empty: no extra header
  std::string_view header_value;
};

// Work one HTTP request needs done on the event loop.
class LoopTask {
 public:
  virtual ~LoopTask() = default;
  // Runs on the event loop; writes the answer into `reply` (a fresh HttpReply{}).
  virtual void run(HttpReply& reply) = 0;
};

class LoopBridge {
 public:
  // `slots`: how many calls may wait at once (the HTTP worker count).
  LoopBridge(asio::io_context& io, size_t slots);
  ~LoopBridge();
  LoopBridge(const LoopBridge&) = delete;
  LoopBridge& operator=(const LoopBridge&) = delete;

  // Loop thread (or before the loop runs): opens the eventfd and starts reading it.
  Status start();
  // Loop thread: queued calls give up (call() returns nullopt) and later calls fail at once.
  void stop();

  // Any thread but the loop's: runs `task` on the loop and returns a copy of its reply made on the
  // calling thread. nullopt when the loop did not start the task within `timeout` or the bridge
  // stopped: the task then never runs. A task the loop started is awaited to its end.
  std::optional<HttpReply> call(LoopTask& task, std::chrono::milliseconds timeout);
  // Calls queued that the loop has not started yet.
  size_t pending();

 private:
  enum class SlotState : uint8_t {
    kFree,
    kQueued,     // waiting for the loop
    kRunning,    // the loop runs the task
    kDone,       // the reply is ready
    kCopying,    // the calling thread copies the reply out
    kReturned,   // copied; the loop releases the reply's large buffer, then frees the slot
    kCancelled,  // stop() came first; the caller frees the slot
  };
  struct Slot {
    SlotState state = SlotState::kFree;
    LoopTask* task = nullptr;
    HttpReply reply;  // written and released only on the loop
  };

  void read_wake();
  void run_queued();
  // Under mu_: wakes the loop (the eventfd stays open until stop(), which takes mu_ too).
  void wake_locked();

  asio::io_context& io_;
  asio::posix::stream_descriptor wake_;
  uint64_t wake_count_ = 0;
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<Slot> slots_;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace stashd::http
