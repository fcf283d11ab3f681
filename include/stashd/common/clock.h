// Owns: the clock interface (wall-clock ms/us) so time can be injected in tests.
// Must not touch: anything else. Thread: any.
#pragma once

#include <chrono>
#include <cstdint>

namespace stashd {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t now_us() const = 0;
  int64_t now_ms() const { return now_us() / 1000; }
};

class SystemClock final : public Clock {
 public:
  int64_t now_us() const override {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  }
};

// A clock that only moves when told to: deterministic expiry in tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_ms = 1'700'000'000'000) : now_us_(start_ms * 1000) {}
  int64_t now_us() const override { return now_us_; }
  void advance_ms(int64_t ms) { now_us_ += ms * 1000; }
  void set_ms(int64_t ms) { now_us_ = ms * 1000; }

 private:
  int64_t now_us_;
};

}  // namespace stashd
