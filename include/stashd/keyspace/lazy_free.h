// Owns: freeing big values off the event loop (Redis's lazyfree): a queue of detached values and
// one background thread that destroys them, started on first use and joined on destruction. The
// thread publishes what it frees to the allocator's count, so used memory falls as it works.
// Values handed over must not be reachable from the keyspace any more (they share nothing).
// Must not touch: entries, the dictionary. Thread: submit() and the counters from the event loop;
// the frees run on the background thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "stashd/keyspace/entry.h"

namespace stashd {

class LazyFreer {
 public:
  // Values with fewer separate allocations than this are cheaper to free inline than to queue.
  static constexpr size_t kEffortThreshold = 64;

  LazyFreer() = default;
  ~LazyFreer();
  LazyFreer(const LazyFreer&) = delete;
  LazyFreer& operator=(const LazyFreer&) = delete;

  void submit(std::unique_ptr<ValueObject> value);
  // Blocks until every submitted value is freed (tests, DEBUG, shutdown).
  void drain();

  // lazyfree_pending_objects and lazyfreed_objects of INFO memory.
  size_t pending() const { return pending_.load(std::memory_order_relaxed); }
  uint64_t freed() const { return freed_.load(std::memory_order_relaxed); }
  void reset_stats() { freed_.store(0, std::memory_order_relaxed); }

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<std::unique_ptr<ValueObject>> queue_;
  bool stopping_ = false;
  bool busy_ = false;
  std::thread thread_;
  std::atomic<size_t> pending_{0};
  std::atomic<uint64_t> freed_{0};
};

}  // namespace stashd
