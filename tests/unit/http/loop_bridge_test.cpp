// Tests the hand-over between HTTP threads and the event loop: tasks run on the loop's thread,
// replies come back, and a loop that does not answer makes call() give up without running it.
#include "stashd/http/loop_bridge.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace stashd::http {
namespace {

class RecordingTask final : public LoopTask {
 public:
  explicit RecordingTask(std::string body) : body_(std::move(body)) {}
  void run(HttpReply& reply) override {
    thread = std::this_thread::get_id();
    ++runs;
    reply.status = 201;
    reply.body = body_;
    reply.header_name = "X-Test";
    reply.header_value = "yes";
  }
  std::thread::id thread;
  std::atomic<int> runs{0};

 private:
  std::string body_;
};

// An io_context run by its own thread (the "event loop"), stopped at the end of the test.
class LoopThread {
 public:
  LoopThread() : guard_(asio::make_work_guard(io)) {}
  void start() {
    thread_ = std::thread([this] {
      id = std::this_thread::get_id();
      io.run();
    });
  }
  ~LoopThread() { join(); }
  // Ends the loop; afterwards this thread may act as the loop (e.g. call LoopBridge::stop()).
  void join() {
    guard_.reset();
    io.stop();
    if (thread_.joinable()) thread_.join();
  }
  asio::io_context io{1};
  std::thread::id id;

 private:
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::thread thread_;
};

TEST(LoopBridge, RunsTheTaskOnTheLoopThreadAndReturnsItsReply) {
  LoopThread loop;
  LoopBridge bridge(loop.io, 2);
  ASSERT_TRUE(bridge.start());
  loop.start();
  RecordingTask task("hello");
  std::optional<HttpReply> reply = bridge.call(task, std::chrono::seconds(5));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 201);
  EXPECT_EQ(reply->body, "hello");
  EXPECT_EQ(reply->header_name, "X-Test");
  EXPECT_EQ(task.thread, loop.id);
  loop.join();
  bridge.stop();
}

TEST(LoopBridge, ManyThreadsShareFewerSlots) {
  LoopThread loop;
  LoopBridge bridge(loop.io, 2);
  ASSERT_TRUE(bridge.start());
  loop.start();
  std::atomic<int> ok{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 6; ++t) {
    callers.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        // Large bodies go back to the loop to be released: exercises the kReturned path.
        RecordingTask task(std::string(t % 2 ? 100'000 : 10, static_cast<char>('a' + t)));
        auto reply = bridge.call(task, std::chrono::seconds(10));
        if (reply && reply->body.size() == (t % 2 ? 100'000u : 10u) && reply->body[0] == 'a' + t) {
          ++ok;
        }
      }
    });
  }
  for (auto& c : callers) c.join();
  EXPECT_EQ(ok.load(), 300);
  loop.join();
  bridge.stop();
}

TEST(LoopBridge, GivesUpWithoutRunningWhenTheLoopDoesNotAnswer) {
  asio::io_context io{1};  // never run
  LoopBridge bridge(io, 1);
  ASSERT_TRUE(bridge.start());
  RecordingTask task("x");
  EXPECT_FALSE(bridge.call(task, std::chrono::milliseconds(50)));
  // The abandoned task is not run later either, and the slot is free again.
  io.poll();
  EXPECT_EQ(task.runs.load(), 0);
  EXPECT_FALSE(bridge.call(task, std::chrono::milliseconds(10)));
  bridge.stop();
}

TEST(LoopBridge, StopCancelsWaitingCallsAndRefusesNewOnes) {
  asio::io_context io{1};  // not running: the call stays queued
  LoopBridge bridge(io, 1);
  ASSERT_TRUE(bridge.start());
  RecordingTask task("x");
  std::optional<HttpReply> reply;
  std::thread caller([&] { reply = bridge.call(task, std::chrono::seconds(30)); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (bridge.pending() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  ASSERT_EQ(bridge.pending(), 1u);
  bridge.stop();
  caller.join();  // released by stop(), long before its 30 s
  EXPECT_FALSE(reply);
  io.poll();
  EXPECT_EQ(task.runs.load(), 0);
  EXPECT_FALSE(bridge.call(task, std::chrono::seconds(30)));  // at once: stopped
}

}  // namespace
}  // namespace stashd::http
