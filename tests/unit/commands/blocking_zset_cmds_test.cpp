// Tests BZPOPMIN/BZPOPMAX/BZMPOP in-process: immediate pops, blocking and waking on ZADD from
// another client, timeouts, and the non-blocking answer inside MULTI.
#include <gtest/gtest.h>

#include "commands/harness.h"

namespace stashd::testing {
namespace {

class BlockingZsetTest : public ::testing::Test {
 protected:
  BlockingZsetTest() { h.node().add_client(&writer); }
  ~BlockingZsetTest() override { h.node().remove_client(&writer); }

  std::string write(std::vector<std::string_view> args) {
    writer.out.clear();
    h.node().dispatcher->execute(writer, args);
    return writer.out;
  }

  CommandHarness h;
  Client writer{2, 0};
};

TEST_F(BlockingZsetTest, PopsTheLowestOrHighestImmediately) {
  h.run({"ZADD", "z", "1", "a", "2", "b"});
  EXPECT_EQ(h.run({"BZPOPMIN", "none", "z", "0"}), "*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n");
  EXPECT_EQ(h.run({"BZPOPMAX", "z", "0"}), "*3\r\n$1\r\nz\r\n$1\r\nb\r\n$1\r\n2\r\n");
}

TEST_F(BlockingZsetTest, BlocksUntilZaddFromAnotherClient) {
  EXPECT_EQ(h.run({"BZPOPMIN", "z", "0"}), "");
  EXPECT_TRUE(h.client().blocked);
  write({"ZADD", "z", "5", "m"});
  EXPECT_EQ(h.client().out, "*3\r\n$1\r\nz\r\n$1\r\nm\r\n$1\r\n5\r\n");
  EXPECT_EQ(write({"EXISTS", "z"}), integer(0));
}

TEST_F(BlockingZsetTest, BzmpopWakesWithKeyAndNestedPairs) {
  h.run({"BZMPOP", "0", "2", "a", "b", "MAX", "COUNT", "2"});
  write({"ZADD", "b", "1", "x", "2", "y", "3", "z"});
  EXPECT_EQ(h.client().out,
            "*2\r\n$1\r\nb\r\n*2\r\n*2\r\n$1\r\nz\r\n$1\r\n3\r\n*2\r\n$1\r\ny\r\n$1\r\n2\r\n");
}

TEST_F(BlockingZsetTest, TimeoutRepliesNullArray) {
  h.run({"BZPOPMAX", "z", "0.1"});
  h.client().out.clear();
  h.node().dispatcher->block_timed_out(h.client());
  EXPECT_EQ(h.client().out, "*-1\r\n");
}

TEST_F(BlockingZsetTest, InsideMultiAnswersLikeATimeout) {
  h.run({"MULTI"});
  h.run({"BZPOPMIN", "z", "0"});
  EXPECT_EQ(h.run({"EXEC"}), "*1\r\n*-1\r\n");
}

}  // namespace
}  // namespace stashd::testing
