// Tests MULTI/EXEC/DISCARD/WATCH/UNWATCH in-process, including WATCH invalidation by writes from
// another client, by expiry, and by FLUSHALL.
#include <gtest/gtest.h>

#include "commands/harness.h"

namespace stashd::testing {
namespace {

TEST(TransactionCommands, ExecRunsQueuedCommandsInOrder) {
  CommandHarness h;
  EXPECT_EQ(h.run({"MULTI"}), kOk);
  EXPECT_EQ(h.run({"SET", "k", "1"}), "+QUEUED\r\n");
  EXPECT_EQ(h.run({"INCR", "k"}), "+QUEUED\r\n");
  EXPECT_EQ(h.run({"GET", "k"}), "+QUEUED\r\n");
  EXPECT_EQ(h.run({"EXEC"}), "*3\r\n+OK\r\n:2\r\n$1\r\n2\r\n");
  EXPECT_EQ(h.run({"EXEC"}), "-ERR EXEC without MULTI\r\n");
}

TEST(TransactionCommands, QueueingErrorsAbortTheTransaction) {
  CommandHarness h;
  h.run({"MULTI"});
  h.run({"SET", "k", "1"});
  EXPECT_EQ(h.run({"NOSUCH"}).substr(0, 25), "-ERR unknown command 'NOS");
  EXPECT_EQ(h.run({"GET"}), "-ERR wrong number of arguments for 'get' command\r\n");
  EXPECT_EQ(h.run({"EXEC"}), "-EXECABORT Transaction discarded because of previous errors.\r\n");
  EXPECT_EQ(h.run({"GET", "k"}), kNil);
}

TEST(TransactionCommands, RuntimeErrorsDoNotRollBack) {
  CommandHarness h;
  h.run({"SET", "s", "abc"});
  h.run({"MULTI"});
  h.run({"INCR", "s"});
  h.run({"SET", "t", "1"});
  EXPECT_EQ(h.run({"EXEC"}), "*2\r\n-ERR value is not an integer or out of range\r\n+OK\r\n");
  EXPECT_EQ(h.run({"GET", "t"}), bulk("1"));
}

TEST(TransactionCommands, DiscardDropsTheQueue) {
  CommandHarness h;
  EXPECT_EQ(h.run({"DISCARD"}), "-ERR DISCARD without MULTI\r\n");
  h.run({"MULTI"});
  h.run({"SET", "k", "1"});
  EXPECT_EQ(h.run({"DISCARD"}), kOk);
  EXPECT_EQ(h.run({"GET", "k"}), kNil);
}

TEST(TransactionCommands, NestedMultiAndWatchInsideMultiAreRejected) {
  CommandHarness h;
  h.run({"MULTI"});
  EXPECT_EQ(h.run({"MULTI"}), "-ERR MULTI calls can not be nested\r\n");
  EXPECT_EQ(h.run({"WATCH", "k"}), "-ERR WATCH inside MULTI is not allowed\r\n");
  EXPECT_EQ(h.run({"EXEC"}), "*0\r\n");
}

TEST(TransactionCommands, WatchedKeyWrittenByAnotherClientFailsExec) {
  CommandHarness h;
  Client other{2, 0};
  h.node().add_client(&other);
  EXPECT_EQ(h.run({"WATCH", "k"}), kOk);
  h.run({"MULTI"});
  h.run({"SET", "k", "mine"});
  std::vector<std::string_view> write{"SET", "k", "theirs"};
  h.node().dispatcher->execute(other, write);
  EXPECT_EQ(h.run({"EXEC"}), "*-1\r\n");
  EXPECT_EQ(h.run({"GET", "k"}), bulk("theirs"));
  // The failed EXEC unwatched: the next transaction runs.
  h.run({"MULTI"});
  h.run({"SET", "k", "mine"});
  EXPECT_EQ(h.run({"EXEC"}), "*1\r\n+OK\r\n");
  h.node().remove_client(&other);
}

TEST(TransactionCommands, UnwatchForgetsWatchedKeys) {
  CommandHarness h;
  h.run({"WATCH", "k"});
  h.run({"SET", "k", "1"});
  EXPECT_EQ(h.run({"UNWATCH"}), kOk);
  h.run({"MULTI"});
  h.run({"GET", "k"});
  EXPECT_EQ(h.run({"EXEC"}), "*1\r\n$1\r\n1\r\n");
}

TEST(TransactionCommands, WatchedKeyThatExpiresFailsExec) {
  CommandHarness h;
  h.run({"SET", "k", "v", "PX", "100"});
  h.run({"WATCH", "k"});
  h.clock().advance_ms(200);
  h.run({"MULTI"});
  h.run({"PING"});
  EXPECT_EQ(h.run({"EXEC"}), "*-1\r\n");
}

TEST(TransactionCommands, FlushallInvalidatesWatches) {
  CommandHarness h;
  h.run({"SET", "k", "v"});
  h.run({"WATCH", "k"});
  h.run({"FLUSHALL"});
  h.run({"MULTI"});
  h.run({"PING"});
  EXPECT_EQ(h.run({"EXEC"}), "*-1\r\n");
}

TEST(TransactionCommands, ResetLeavesTheTransaction) {
  CommandHarness h;
  h.run({"MULTI"});
  h.run({"SET", "k", "1"});
  EXPECT_EQ(h.run({"RESET"}), "+RESET\r\n");
  EXPECT_EQ(h.run({"EXEC"}), "-ERR EXEC without MULTI\r\n");
  EXPECT_EQ(h.run({"GET", "k"}), kNil);
}

TEST(TransactionCommands, Resp3AbortedExecRepliesNull) {
  CommandHarness h;
  h.hello3();
  h.run({"WATCH", "k"});
  h.run({"SET", "k", "1"});
  h.run({"MULTI"});
  EXPECT_EQ(h.run({"EXEC"}), "_\r\n");
}

}  // namespace
}  // namespace stashd::testing
