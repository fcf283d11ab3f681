// Tests the blocking list commands in-process: immediate pops, blocking and waking on a push from
// another client (also inside MULTI/EXEC), first-come-first-served order, timeouts, a blocked
// client that disconnects, and the non-blocking behaviour inside a transaction.
#include <gtest/gtest.h>

#include "commands/harness.h"

namespace stashd::testing {
namespace {

class BlockingListTest : public ::testing::Test {
 protected:
  BlockingListTest() {
    h.node().add_client(&second);
    h.node().add_client(&pusher);
  }
  ~BlockingListTest() override {
    h.node().remove_client(&second);
    h.node().remove_client(&pusher);
  }

  std::string run_as(Client& c, std::vector<std::string_view> args) {
    c.out.clear();
    h.node().dispatcher->execute(c, args);
    return c.out;
  }

  CommandHarness h;
  Client second{2, 0};
  Client pusher{3, 0};
};

TEST_F(BlockingListTest, PopsImmediatelyWhenAListHasElements) {
  h.run({"RPUSH", "b", "x"});
  EXPECT_EQ(h.run({"BLPOP", "a", "b", "0"}), "*2\r\n$1\r\nb\r\n$1\r\nx\r\n");
  EXPECT_EQ(h.run({"EXISTS", "b"}), integer(0));
}

TEST_F(BlockingListTest, BlocksUntilAnotherClientPushes) {
  EXPECT_EQ(h.run({"BLPOP", "q", "0"}), "");
  EXPECT_TRUE(h.client().blocked);
  EXPECT_EQ(run_as(pusher, {"RPUSH", "q", "job"}), integer(1));
  EXPECT_EQ(h.client().out, "*2\r\n$1\r\nq\r\n$3\r\njob\r\n");
  EXPECT_FALSE(h.client().blocked);
  EXPECT_EQ(run_as(pusher, {"LLEN", "q"}), integer(0));
}

TEST_F(BlockingListTest, ServesBlockedClientsFirstComeFirstServed) {
  h.run({"BRPOP", "q", "0"});
  run_as(second, {"BRPOP", "q", "0"});
  run_as(pusher, {"RPUSH", "q", "one"});
  EXPECT_EQ(h.client().out, "*2\r\n$1\r\nq\r\n$3\r\none\r\n");
  EXPECT_TRUE(second.blocked);
  EXPECT_EQ(second.out, "");
  run_as(pusher, {"RPUSH", "q", "two"});
  EXPECT_EQ(second.out, "*2\r\n$1\r\nq\r\n$3\r\ntwo\r\n");
}

TEST_F(BlockingListTest, PushInsideMultiWakesAfterExec) {
  h.run({"BLPOP", "q", "0"});
  run_as(pusher, {"MULTI"});
  run_as(pusher, {"RPUSH", "q", "a", "b"});
  EXPECT_EQ(h.client().out, "");
  run_as(pusher, {"EXEC"});
  EXPECT_EQ(h.client().out, "*2\r\n$1\r\nq\r\n$1\r\na\r\n");
  EXPECT_EQ(run_as(pusher, {"LRANGE", "q", "0", "-1"}), "*1\r\n$1\r\nb\r\n");
}

TEST_F(BlockingListTest, TimeoutRepliesNullArrayOrNullBulk) {
  h.run({"BLPOP", "q", "0.5"});
  h.client().out.clear();
  h.node().dispatcher->block_timed_out(h.client());
  EXPECT_EQ(h.client().out, "*-1\r\n");
  EXPECT_FALSE(h.client().blocked);
  h.run({"BRPOPLPUSH", "q", "d", "1"});
  h.client().out.clear();
  h.node().dispatcher->block_timed_out(h.client());
  EXPECT_EQ(h.client().out, "$-1\r\n");
}

TEST_F(BlockingListTest, DisconnectedBlockedClientIsForgotten) {
  run_as(second, {"BLPOP", "q", "0"});
  h.node().remove_client(&second);
  run_as(pusher, {"RPUSH", "q", "kept"});
  EXPECT_EQ(run_as(pusher, {"LRANGE", "q", "0", "-1"}), "*1\r\n$4\r\nkept\r\n");
  h.node().add_client(&second);
}

TEST_F(BlockingListTest, InsideMultiABlockingPopAnswersLikeATimeout) {
  h.run({"MULTI"});
  h.run({"BLPOP", "q", "0"});
  EXPECT_EQ(h.run({"EXEC"}), "*1\r\n*-1\r\n");
  EXPECT_FALSE(h.client().blocked);
}

TEST_F(BlockingListTest, BlmoveWakesAndMovesTheElement) {
  h.run({"BLMOVE", "src", "dst", "RIGHT", "LEFT", "0"});
  run_as(pusher, {"RPUSH", "src", "a", "b"});
  EXPECT_EQ(h.client().out, bulk("b"));
  EXPECT_EQ(run_as(pusher, {"LRANGE", "dst", "0", "-1"}), "*1\r\n$1\r\nb\r\n");
}

TEST_F(BlockingListTest, BlmpopPopsCountFromTheFirstNonEmptyList) {
  h.run({"RPUSH", "l2", "a", "b", "c"});
  EXPECT_EQ(h.run({"BLMPOP", "0", "2", "l1", "l2", "LEFT", "COUNT", "2"}),
            "*2\r\n$2\r\nl2\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n");
  EXPECT_EQ(h.run({"BLMPOP", "0", "0", "l1", "LEFT"}), "-ERR numkeys should be greater than 0\r\n");
}

TEST_F(BlockingListTest, KeyChangingTypeWakesTheClientWithWrongType) {
  h.run({"BLPOP", "q", "0"});
  run_as(pusher, {"SET", "q", "string"});
  EXPECT_EQ(h.client().out,
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_FALSE(h.client().blocked);
}

TEST_F(BlockingListTest, RejectsBadTimeouts) {
  EXPECT_EQ(h.run({"BLPOP", "q", "-1"}), "-ERR timeout is negative\r\n");
  EXPECT_EQ(h.run({"BLPOP", "q", "abc"}), "-ERR timeout is not a float or out of range\r\n");
}

}  // namespace
}  // namespace stashd::testing
