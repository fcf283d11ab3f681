// Owns: Gate, a test helper that holds destructors (or any thread) back until the test opens it,
// so work queued on the lazy freer can be observed while it is pending. Thread: any.
#pragma once

#include <condition_variable>
#include <mutex>

namespace stashd::testing {

class Gate {
 public:
  void open() {
    std::lock_guard<std::mutex> lock(mutex_);
    open_ = true;
    cv_.notify_all();
  }
  void wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait(lock, [this] { return open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool open_ = false;
};

}  // namespace stashd::testing
