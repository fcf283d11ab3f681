// Owns: tests of src/keyspace/lazy_free.cpp: values handed to the freer are destroyed on its own
// thread, drain() waits for all of them, the pending/freed counters, and that destruction joins
// with work still queued. Must not touch: other modules. Thread: the test's plus the freer's.
#include "stashd/keyspace/lazy_free.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "keyspace/gate.h"

namespace stashd::testing {
namespace {

// Opens the gate when the test leaves, even through a failed ASSERT, so no destructor waits
// forever.
struct OpenOnExit {
  Gate& gate;
  ~OpenOnExit() { gate.open(); }
};

// Which threads destroyed the test's objects, and how many.
struct FreeLog {
  std::mutex mutex;
  std::set<std::thread::id> threads;
  std::atomic<int> destroyed{0};
};

class LoggedObject final : public ValueObject {
 public:
  explicit LoggedObject(FreeLog* log, Gate* gate = nullptr,
                        std::chrono::microseconds delay = std::chrono::microseconds(0))
      : log_(log), gate_(gate), delay_(delay) {}
  ~LoggedObject() override {
    if (gate_ != nullptr) gate_->wait();
    if (delay_.count() > 0) std::this_thread::sleep_for(delay_);
    {
      std::lock_guard<std::mutex> lock(log_->mutex);
      log_->threads.insert(std::this_thread::get_id());
    }
    log_->destroyed.fetch_add(1);
  }
  const char* encoding_name() const override { return "logged"; }
  size_t memory_usage() const override { return sizeof(*this); }
  std::unique_ptr<ValueObject> clone() const override {
    return std::make_unique<LoggedObject>(log_);
  }
  size_t free_effort() const override { return 1000; }

 private:
  FreeLog* log_;
  Gate* gate_;
  std::chrono::microseconds delay_;
};

TEST(LazyFreer, DestroysSubmittedValuesOnAnotherThread) {
  FreeLog log;
  LazyFreer freer;
  freer.submit(std::make_unique<LoggedObject>(&log));
  freer.submit(std::make_unique<LoggedObject>(&log));
  freer.drain();
  EXPECT_EQ(log.destroyed.load(), 2);
  ASSERT_EQ(log.threads.size(), 1u);  // one background thread does all the freeing
  EXPECT_NE(*log.threads.begin(), std::this_thread::get_id());
}

TEST(LazyFreer, DrainWaitsForEverySubmittedValue) {
  FreeLog log;
  LazyFreer freer;
  for (int i = 0; i < 20; ++i) {
    freer.submit(std::make_unique<LoggedObject>(&log, nullptr, std::chrono::microseconds(300)));
  }
  freer.drain();
  EXPECT_EQ(log.destroyed.load(), 20);
  EXPECT_EQ(freer.pending(), 0u);
  EXPECT_EQ(freer.freed(), 20u);
}

TEST(LazyFreer, DrainWithNothingSubmittedReturnsAtOnce) {
  LazyFreer freer;
  freer.drain();
  EXPECT_EQ(freer.pending(), 0u);
  EXPECT_EQ(freer.freed(), 0u);
}

TEST(LazyFreer, CountsPendingUntilFreedThenFreed) {
  FreeLog log;
  Gate gate;
  LazyFreer freer;
  OpenOnExit guard{gate};
  freer.submit(std::make_unique<LoggedObject>(&log, &gate));  // blocks the freer thread
  for (int i = 0; i < 3; ++i) freer.submit(std::make_unique<LoggedObject>(&log));
  EXPECT_EQ(freer.pending(), 4u);
  EXPECT_EQ(freer.freed(), 0u);
  EXPECT_EQ(log.destroyed.load(), 0);
  gate.open();
  freer.drain();
  EXPECT_EQ(freer.pending(), 0u);
  EXPECT_EQ(freer.freed(), 4u);
  EXPECT_EQ(log.destroyed.load(), 4);
  freer.reset_stats();
  EXPECT_EQ(freer.freed(), 0u);
}

TEST(LazyFreer, KeepsWorkingAfterADrain) {
  FreeLog log;
  LazyFreer freer;
  freer.submit(std::make_unique<LoggedObject>(&log));
  freer.drain();
  freer.submit(std::make_unique<LoggedObject>(&log));
  freer.drain();
  EXPECT_EQ(log.destroyed.load(), 2);
  EXPECT_EQ(freer.freed(), 2u);
}

TEST(LazyFreer, DestructionFreesEverythingStillQueued) {
  FreeLog log;
  Gate gate;
  std::thread opener;
  {
    LazyFreer freer;
    freer.submit(std::make_unique<LoggedObject>(&log, &gate));
    for (int i = 0; i < 10; ++i) {
      freer.submit(std::make_unique<LoggedObject>(&log, nullptr, std::chrono::microseconds(200)));
    }
    // The destructor starts while the queue is still full; the gate opens a little later.
    opener = std::thread([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      gate.open();
    });
  }
  EXPECT_EQ(log.destroyed.load(), 11);
  opener.join();
}

}  // namespace
}  // namespace stashd::testing
