// Owns: in-process tests of src/commands/zset_store_cmds.cpp (ZUNION ZINTER ZDIFF, their STORE
// forms, ZINTERCARD, plain sets as inputs), in both encodings. Must not touch: other families' behaviour.
// Thread: the test's.
#include <gtest/gtest.h>

#include <string>

#include "commands/zset_fixture.h"

namespace stashd::testing {
namespace {

class ZsetAlgebra : public ZsetEncodings {
 protected:
  ZsetAlgebra() {
    run({"ZADD", "a", "1", "x", "2", "y", "3", "z"});
    run({"ZADD", "b", "10", "y", "20", "z", "30", "w"});
  }
};

TEST_P(ZsetAlgebra, UnionSumsScoresAndOrdersByScoreThenMember) {
  EXPECT_EQ(run({"ZUNION", "2", "a", "b"}), bulks({"x", "y", "z", "w"}));
  EXPECT_EQ(run({"ZUNION", "2", "a", "b", "WITHSCORES"}),
            bulks({"x", "1", "y", "12", "z", "23", "w", "30"}));
  EXPECT_EQ(run({"ZUNION", "3", "a", "b", "missing", "WEIGHTS", "2", "0.5", "7", "WITHSCORES"}),
            bulks({"x", "2", "y", "9", "w", "15", "z", "16"}));
  h.hello3();
  EXPECT_EQ(run({"ZUNION", "1", "a", "WITHSCORES"}),
            arr({arr({bulk("x"), dbl("1")}), arr({bulk("y"), dbl("2")}),
                 arr({bulk("z"), dbl("3")})}));
}

TEST_P(ZsetAlgebra, AggregateMinAndMaxPickOneScore) {
  EXPECT_EQ(run({"ZUNION", "2", "a", "b", "AGGREGATE", "MIN", "WITHSCORES"}),
            bulks({"x", "1", "y", "2", "z", "3", "w", "30"}));
  EXPECT_EQ(run({"ZINTER", "2", "a", "b", "aggregate", "max", "WITHSCORES"}),
            bulks({"y", "10", "z", "20"}));
}

TEST_P(ZsetAlgebra, InterKeepsMembersOfEveryInput) {
  EXPECT_EQ(run({"ZINTER", "2", "a", "b", "WITHSCORES"}), bulks({"y", "12", "z", "23"}));
  EXPECT_EQ(run({"ZINTER", "2", "a", "a"}), bulks({"x", "y", "z"}));
  EXPECT_EQ(run({"ZINTER", "2", "a", "missing"}), kEmpty);
}

TEST_P(ZsetAlgebra, DiffKeepsFirstInputScoresAndTakesNoWeights) {
  EXPECT_EQ(run({"ZDIFF", "2", "a", "b", "WITHSCORES"}), bulks({"x", "1"}));
  EXPECT_EQ(run({"ZDIFF", "2", "missing", "a"}), kEmpty);
  EXPECT_EQ(run({"ZDIFF", "1", "a"}), bulks({"x", "y", "z"}));
  EXPECT_EQ(run({"ZDIFF", "2", "a", "b", "WEIGHTS", "1", "2"}), err("ERR syntax error"));
  EXPECT_EQ(run({"ZDIFF", "2", "a", "b", "AGGREGATE", "MIN"}), err("ERR syntax error"));
}

TEST_P(ZsetAlgebra, InfinitiesThatCancelSumToZero) {
  run({"ZADD", "pos", "inf", "m"});
  run({"ZADD", "neg", "-inf", "m"});
  EXPECT_EQ(run({"ZUNION", "2", "pos", "neg", "WITHSCORES"}), bulks({"m", "0"}));
  EXPECT_EQ(run({"ZINTER", "2", "pos", "neg", "WITHSCORES"}), bulks({"m", "0"}));
  EXPECT_EQ(run({"ZUNION", "1", "pos", "WEIGHTS", "0", "WITHSCORES"}), bulks({"m", "0"}));
}

TEST_P(ZsetAlgebra, StoreFormsReplaceTheDestinationAndReplyItsSize) {
  run({"SET", "dst", "old"});
  run({"EXPIRE", "dst", "100"});
  EXPECT_EQ(run({"ZUNIONSTORE", "dst", "2", "a", "b"}), integer(4));
  EXPECT_EQ(run({"TTL", "dst"}), integer(-1));
  EXPECT_EQ(run({"ZRANGE", "dst", "0", "-1", "WITHSCORES"}),
            bulks({"x", "1", "y", "12", "z", "23", "w", "30"}));
  EXPECT_EQ(encoding("dst"), expected_encoding());
  EXPECT_EQ(run({"ZINTERSTORE", "dst", "2", "a", "b", "WEIGHTS", "1", "-1"}), integer(2));
  EXPECT_EQ(run({"ZRANGE", "dst", "0", "-1", "WITHSCORES"}), bulks({"z", "-17", "y", "-8"}));
  EXPECT_EQ(run({"ZDIFFSTORE", "dst", "2", "b", "a"}), integer(1));
  EXPECT_EQ(run({"ZRANGE", "dst", "0", "-1", "WITHSCORES"}), bulks({"w", "30"}));
  EXPECT_EQ(run({"ZUNIONSTORE", "a", "2", "a", "b"}), integer(4));
  EXPECT_EQ(run({"ZSCORE", "a", "z"}), bulk("23"));
}

TEST_P(ZsetAlgebra, StoringAnEmptyResultDeletesTheDestination) {
  run({"ZADD", "dst", "1", "q"});
  uint64_t before = dirty();
  EXPECT_EQ(run({"ZINTERSTORE", "dst", "2", "a", "missing"}), integer(0));
  EXPECT_EQ(run({"EXISTS", "dst"}), integer(0));
  EXPECT_EQ(dirty(), before + 1);
  EXPECT_EQ(run({"ZDIFFSTORE", "dst", "2", "a", "a"}), integer(0));
  EXPECT_EQ(dirty(), before + 1);
  EXPECT_EQ(run({"ZUNIONSTORE", "dst", "1", "a", "WITHSCORES"}), err("ERR syntax error"));
}

TEST_P(ZsetAlgebra, ValidatesNumkeysWeightsAndTypes) {
  EXPECT_EQ(run({"ZUNION", "0", "a"}), err("ERR at least 1 input key is needed for 'zunion' command"));
  EXPECT_EQ(run({"ZINTERSTORE", "d", "-1", "a"}),
            err("ERR at least 1 input key is needed for 'zinterstore' command"));
  EXPECT_EQ(run({"ZUNION", "x", "a"}), err("ERR value is not an integer or out of range"));
  EXPECT_EQ(run({"ZUNION", "3", "a", "b"}), err("ERR syntax error"));
  EXPECT_EQ(run({"ZUNION", "2", "a", "b", "WEIGHTS", "1"}), err("ERR syntax error"));
  EXPECT_EQ(run({"ZUNION", "2", "a", "b", "WEIGHTS", "1", "x"}),
            err("ERR weight value is not a float"));
  EXPECT_EQ(run({"ZUNION", "2", "a", "b", "AGGREGATE", "AVG"}), err("ERR syntax error"));
  run({"SET", "s", "x"});
  EXPECT_EQ(run({"ZUNION", "2", "a", "s", "BOGUS"}), wrongtype());
  EXPECT_EQ(run({"ZINTERSTORE", "dst", "2", "s", "a"}), wrongtype());
}

TEST_P(ZsetAlgebra, IntercardCountsUpToTheLimit) {
  EXPECT_EQ(run({"ZINTERCARD", "2", "a", "b"}), integer(2));
  EXPECT_EQ(run({"ZINTERCARD", "2", "a", "b", "LIMIT", "1"}), integer(1));
  EXPECT_EQ(run({"ZINTERCARD", "2", "a", "b", "LIMIT", "0"}), integer(2));
  EXPECT_EQ(run({"ZINTERCARD", "1", "missing"}), integer(0));
  EXPECT_EQ(run({"ZINTERCARD", "2", "a", "b", "LIMIT", "-1"}), err("ERR LIMIT can't be negative"));
  EXPECT_EQ(run({"ZINTERCARD", "0", "a"}),
            err("ERR at least 1 input key is needed for 'zintercard' command"));
  EXPECT_EQ(run({"ZINTERCARD", "2", "a", "b", "WITHSCORES"}), err("ERR syntax error"));
}

TEST_P(ZsetAlgebra, PlainSetsJoinWithScoreOne) {
  run({"SADD", "s", "y", "q", "10"});
  EXPECT_EQ(run({"ZUNION", "2", "a", "s", "WEIGHTS", "1", "5", "WITHSCORES"}),
            bulks({"x", "1", "z", "3", "10", "5", "q", "5", "y", "7"}));
  EXPECT_EQ(run({"ZINTER", "2", "s", "a", "WITHSCORES"}), bulks({"y", "3"}));
  EXPECT_EQ(run({"ZDIFF", "2", "a", "s"}), bulks({"x", "z"}));
  EXPECT_EQ(run({"ZDIFF", "2", "s", "a", "WITHSCORES"}), bulks({"10", "1", "q", "1"}));
  EXPECT_EQ(run({"ZINTERCARD", "2", "s", "b"}), integer(1));
  EXPECT_EQ(run({"ZUNIONSTORE", "dst", "1", "s"}), integer(3));
  EXPECT_EQ(run({"TYPE", "dst"}), "+zset\r\n");
  run({"RPUSH", "list", "x"});
  EXPECT_EQ(run({"ZUNION", "2", "a", "list"}), wrongtype());
}

INSTANTIATE_TEST_SUITE_P(Encodings, ZsetAlgebra, ::testing::Bool(), encoding_param_name);

}  // namespace
}  // namespace stashd::testing
