// Owns: unit tests of HangupSignal: each SIGHUP runs the hook once on the loop, and without a hook
// SIGHUP does not end the process. Thread: the test's (which runs the io_context).
#include "stashd/server/hangup_signal.h"

#include <gtest/gtest.h>

#include <asio/post.hpp>
#include <chrono>
#include <csignal>

namespace stashd {
namespace {

// Runs the loop's handlers (asio's own signal plumbing first, then ours) until `done` or 5 s.
template <typename Done>
void run_until(asio::io_context& io, Done done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.run_one_for(std::chrono::milliseconds(50));
  }
}

TEST(HangupSignal, EachSighupRunsTheHookOnTheLoop) {
  asio::io_context io(1);
  int calls = 0;
  HangupSignal hangup(&io, [&calls] { ++calls; });
  std::raise(SIGHUP);
  run_until(io, [&] { return calls == 1; });
  EXPECT_EQ(calls, 1);
  std::raise(SIGHUP);
  run_until(io, [&] { return calls == 2; });
  EXPECT_EQ(calls, 2);
}

TEST(HangupSignal, WithoutAHookSighupIsOnlyLogged) {
  asio::io_context io(1);
  HangupSignal hangup(&io, nullptr);
  std::raise(SIGHUP);  // the default action would end the test binary
  // A handler posted after the signal runs after the SIGHUP handler: the process survived it.
  bool after = false;
  asio::post(io, [&after] { after = true; });
  run_until(io, [&] { return after; });
  EXPECT_TRUE(after);
}

}  // namespace
}  // namespace stashd
