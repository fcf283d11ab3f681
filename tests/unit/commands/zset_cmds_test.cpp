// Owns: in-process tests of src/commands/zset_cmds.cpp (ZADD ZINCRBY ZREM ZCARD ZSCORE ZMSCORE
// ZRANK ZREVRANK ZPOPMIN ZPOPMAX ZMPOP) and the family's table rows, in both encodings.
// Must not touch: other families' behaviour. Thread: the test's.
#include <gtest/gtest.h>

#include <string>

#include "commands/zset_fixture.h"

namespace stashd::testing {
namespace {

using ZaddCommand = ZsetEncodings;
using ZsetReadCommands = ZsetEncodings;
using ZpopCommands = ZsetEncodings;
using ZsetCommandRows = ZsetFixture;

// --- ZADD / ZINCRBY ------------------------------------------------------------------------------

TEST_P(ZaddCommand, AddsMembersAndCountsOnlyNewOnes) {
  EXPECT_EQ(run({"ZADD", "z", "1", "a", "2", "b"}), integer(2));
  EXPECT_EQ(run({"ZADD", "z", "3", "a", "4", "c"}), integer(1));
  EXPECT_EQ(run({"ZCARD", "z"}), integer(3));
  EXPECT_EQ(run({"ZSCORE", "z", "a"}), bulk("3"));
  EXPECT_EQ(encoding("z"), expected_encoding());
  EXPECT_EQ(run({"TYPE", "z"}), "+zset\r\n");
}

TEST_P(ZaddCommand, ChCountsUpdatedMembersToo) {
  run({"ZADD", "z", "1", "a"});
  EXPECT_EQ(run({"ZADD", "z", "CH", "2", "a", "1", "b", "1", "b"}), integer(2));
  EXPECT_EQ(run({"ZADD", "z", "ch", "2", "a"}), integer(0));
}

TEST_P(ZaddCommand, NxOnlyAddsAndXxOnlyUpdates) {
  run({"ZADD", "z", "1", "a"});
  EXPECT_EQ(run({"ZADD", "z", "NX", "5", "a", "2", "b"}), integer(1));
  EXPECT_EQ(run({"ZSCORE", "z", "a"}), bulk("1"));
  EXPECT_EQ(run({"ZADD", "z", "XX", "CH", "7", "a", "3", "c"}), integer(1));
  EXPECT_EQ(run({"ZSCORE", "z", "a"}), bulk("7"));
  EXPECT_EQ(run({"ZSCORE", "z", "c"}), kNil);
  EXPECT_EQ(run({"ZADD", "missing", "XX", "1", "a"}), integer(0));
  EXPECT_EQ(run({"EXISTS", "missing"}), integer(0));
}

TEST_P(ZaddCommand, GtAndLtOnlyMoveScoresOneWayButStillAddNewMembers) {
  run({"ZADD", "z", "5", "a"});
  EXPECT_EQ(run({"ZADD", "z", "GT", "CH", "3", "a", "1", "b"}), integer(1));
  EXPECT_EQ(run({"ZSCORE", "z", "a"}), bulk("5"));
  EXPECT_EQ(run({"ZADD", "z", "GT", "CH", "6", "a"}), integer(1));
  EXPECT_EQ(run({"ZADD", "z", "LT", "CH", "9", "a"}), integer(0));
  EXPECT_EQ(run({"ZADD", "z", "LT", "XX", "CH", "0", "a"}), integer(1));
  EXPECT_EQ(run({"ZSCORE", "z", "a"}), bulk("0"));
}

TEST_P(ZaddCommand, IncrReturnsTheNewScoreOrNilWhenAConditionRefuses) {
  EXPECT_EQ(run({"ZADD", "z", "INCR", "1.5", "a"}), bulk("1.5"));
  EXPECT_EQ(run({"ZADD", "z", "INCR", "2", "a"}), bulk("3.5"));
  EXPECT_EQ(run({"ZADD", "z", "NX", "INCR", "2", "a"}), kNil);
  EXPECT_EQ(run({"ZADD", "z", "XX", "INCR", "2", "b"}), kNil);
  EXPECT_EQ(run({"ZADD", "z", "GT", "INCR", "-1", "a"}), kNil);
  EXPECT_EQ(run({"ZADD", "missing", "XX", "INCR", "1", "a"}), kNil);
  h.hello3();
  EXPECT_EQ(run({"ZADD", "z", "INCR", "0", "a"}), dbl("3.5"));
  EXPECT_EQ(run({"ZADD", "z", "NX", "INCR", "2", "a"}), kNull3);
}

TEST_P(ZaddCommand, IncrThatProducesNanIsAnErrorAndChangesNothing) {
  run({"ZADD", "z", "inf", "a"});
  EXPECT_EQ(run({"ZADD", "z", "INCR", "-inf", "a"}),
            err("ERR resulting score is not a number (NaN)"));
  EXPECT_EQ(run({"ZINCRBY", "z", "-inf", "a"}), err("ERR resulting score is not a number (NaN)"));
  EXPECT_EQ(run({"ZSCORE", "z", "a"}), bulk("inf"));
}

TEST_P(ZaddCommand, RejectsBadOptionsAndScoresBeforeChangingAnything) {
  EXPECT_EQ(run({"ZADD", "z", "NX", "XX", "1", "a"}),
            err("ERR XX and NX options at the same time are not compatible"));
  EXPECT_EQ(run({"ZADD", "z", "GT", "LT", "1", "a"}),
            err("ERR GT, LT, and/or NX options at the same time are not compatible"));
  EXPECT_EQ(run({"ZADD", "z", "NX", "GT", "1", "a"}),
            err("ERR GT, LT, and/or NX options at the same time are not compatible"));
  EXPECT_EQ(run({"ZADD", "z", "INCR", "1", "a", "2", "b"}),
            err("ERR INCR option supports a single increment-element pair"));
  EXPECT_EQ(run({"ZADD", "z", "1", "a", "2"}), err("ERR syntax error"));
  EXPECT_EQ(run({"ZADD", "z", "NX", "1"}), err("ERR syntax error"));
  EXPECT_EQ(run({"ZADD", "z", "1", "a", "x", "b"}), err("ERR value is not a valid float"));
  EXPECT_EQ(run({"ZADD", "z", "nan", "a"}), err("ERR value is not a valid float"));
  EXPECT_EQ(run({"EXISTS", "z"}), integer(0));
  run({"SET", "s", "x"});
  EXPECT_EQ(run({"ZADD", "s", "1", "a"}), wrongtype());
}

TEST_P(ZaddCommand, ZincrbyCreatesAndIncrements) {
  EXPECT_EQ(run({"ZINCRBY", "z", "2", "a"}), bulk("2"));
  EXPECT_EQ(run({"ZINCRBY", "z", "0.5", "a"}), bulk("2.5"));
  EXPECT_EQ(run({"ZINCRBY", "z", "x", "a"}), err("ERR value is not a valid float"));
  run({"SET", "s", "x"});
  EXPECT_EQ(run({"ZINCRBY", "s", "1", "a"}), wrongtype());
}

TEST_P(ZaddCommand, MarksTheKeyChangedOnlyWhenSomethingChanged) {
  uint64_t before = dirty();
  run({"ZADD", "z", "1", "a"});
  EXPECT_EQ(dirty(), before + 1);
  run({"ZADD", "z", "1", "a"});
  run({"ZADD", "z", "NX", "2", "a"});
  EXPECT_EQ(dirty(), before + 1);
}

// --- ZREM / ZCARD / ZSCORE / ZMSCORE / ZRANK -----------------------------------------------------

TEST_P(ZsetReadCommands, ZremCountsRemovedMembersAndDeletesAnEmptiedKey) {
  run({"ZADD", "z", "1", "a", "2", "b"});
  EXPECT_EQ(run({"ZREM", "z", "a", "x", "a"}), integer(1));
  EXPECT_EQ(run({"ZREM", "z", "b"}), integer(1));
  EXPECT_EQ(run({"EXISTS", "z"}), integer(0));
  EXPECT_EQ(run({"ZREM", "z", "b"}), integer(0));
}

TEST_P(ZsetReadCommands, ScoresAreFormattedLikeRedis) {
  run({"ZADD", "z", "0.1", "a", "-inf", "b", "1e20", "c", "-0", "d", "3.0", "e"});
  EXPECT_EQ(run({"ZSCORE", "z", "a"}), bulk("0.10000000000000001"));
  EXPECT_EQ(run({"ZSCORE", "z", "b"}), bulk("-inf"));
  EXPECT_EQ(run({"ZSCORE", "z", "c"}), bulk("1e+20"));
  // Redis's listpack stores -0 as "0"; its skiplist keeps the sign.
  EXPECT_EQ(run({"ZSCORE", "z", "d"}), bulk(GetParam() ? "-0" : "0"));
  EXPECT_EQ(run({"ZSCORE", "z", "e"}), bulk("3"));
  h.hello3();
  EXPECT_EQ(run({"ZSCORE", "z", "b"}), dbl("-inf"));
  EXPECT_EQ(run({"ZSCORE", "z", "e"}), dbl("3"));
  EXPECT_EQ(run({"ZSCORE", "z", "nope"}), kNull3);
}

TEST_P(ZsetReadCommands, ZcardAndZscoreOnMissingKeys) {
  EXPECT_EQ(run({"ZCARD", "nope"}), integer(0));
  EXPECT_EQ(run({"ZSCORE", "nope", "a"}), kNil);
  run({"SET", "s", "x"});
  EXPECT_EQ(run({"ZCARD", "s"}), wrongtype());
  EXPECT_EQ(run({"ZSCORE", "s", "a"}), wrongtype());
}

TEST_P(ZsetReadCommands, ZmscoreRepliesNilForAbsentMembersAndKeys) {
  run({"ZADD", "z", "1", "a", "2.5", "b"});
  EXPECT_EQ(run({"ZMSCORE", "z", "a", "x", "b"}), arr({bulk("1"), kNil, bulk("2.5")}));
  EXPECT_EQ(run({"ZMSCORE", "nope", "a", "b"}), arr({kNil, kNil}));
  h.hello3();
  EXPECT_EQ(run({"ZMSCORE", "z", "b", "x"}), arr({dbl("2.5"), kNull3}));
}

TEST_P(ZsetReadCommands, RanksCountFromBothEndsWithTiesOrderedByMember) {
  run({"ZADD", "z", "1", "b", "1", "a", "0", "c", "5", "d"});
  EXPECT_EQ(run({"ZRANK", "z", "c"}), integer(0));
  EXPECT_EQ(run({"ZRANK", "z", "a"}), integer(1));
  EXPECT_EQ(run({"ZRANK", "z", "b"}), integer(2));
  EXPECT_EQ(run({"ZREVRANK", "z", "d"}), integer(0));
  EXPECT_EQ(run({"ZREVRANK", "z", "c"}), integer(3));
  EXPECT_EQ(run({"ZRANK", "z", "x"}), kNil);
  EXPECT_EQ(run({"ZRANK", "nope", "x"}), kNil);
  EXPECT_EQ(run({"ZRANK", "z", "a", "WITHSCORE"}),
            err("ERR wrong number of arguments for 'zrank' command"));
}

// --- ZPOPMIN / ZPOPMAX / ZMPOP -------------------------------------------------------------------

TEST_P(ZpopCommands, PopsOneMemberAsAFlatPair) {
  run({"ZADD", "z", "1", "a", "2", "b", "3", "c"});
  EXPECT_EQ(run({"ZPOPMIN", "z"}), bulks({"a", "1"}));
  EXPECT_EQ(run({"ZPOPMAX", "z"}), bulks({"c", "3"}));
  h.hello3();
  EXPECT_EQ(run({"ZPOPMIN", "z"}), arr({bulk("b"), dbl("2")}));
  EXPECT_EQ(run({"EXISTS", "z"}), integer(0));
}

TEST_P(ZpopCommands, CountPopsFlatInResp2AndNestedInResp3) {
  run({"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"});
  EXPECT_EQ(run({"ZPOPMAX", "z", "2"}), bulks({"d", "4", "c", "3"}));
  h.hello3();
  EXPECT_EQ(run({"ZPOPMIN", "z", "10"}),
            arr({arr({bulk("a"), dbl("1")}), arr({bulk("b"), dbl("2")})}));
  EXPECT_EQ(run({"EXISTS", "z"}), integer(0));
}

TEST_P(ZpopCommands, EdgeCasesOfCountAndMissingKeys) {
  run({"ZADD", "z", "1", "a"});
  EXPECT_EQ(run({"ZPOPMIN", "z", "0"}), kEmpty);
  EXPECT_EQ(run({"ZPOPMIN", "z", "-1"}), err("ERR value is out of range, must be positive"));
  EXPECT_EQ(run({"ZPOPMIN", "z", "x"}), err("ERR value is out of range, must be positive"));
  EXPECT_EQ(run({"ZPOPMIN", "z", "1", "2"}), err("ERR syntax error"));
  EXPECT_EQ(run({"ZPOPMIN", "nope"}), kEmpty);
  EXPECT_EQ(run({"ZPOPMIN", "nope", "3"}), kEmpty);
  run({"SET", "s", "x"});
  EXPECT_EQ(run({"ZPOPMAX", "s"}), wrongtype());
  EXPECT_EQ(run({"ZCARD", "z"}), integer(1));
}

TEST_P(ZpopCommands, ZmpopPopsFromTheFirstNonEmptyKey) {
  run({"ZADD", "z2", "1", "a", "2", "b", "3", "c"});
  EXPECT_EQ(run({"ZMPOP", "2", "z1", "z2", "MIN"}),
            arr({bulk("z2"), arr({bulks({"a", "1"})})}));
  EXPECT_EQ(run({"ZMPOP", "2", "z1", "z2", "max", "COUNT", "5"}),
            arr({bulk("z2"), arr({bulks({"c", "3"}), bulks({"b", "2"})})}));
  EXPECT_EQ(run({"EXISTS", "z2"}), integer(0));
  EXPECT_EQ(run({"ZMPOP", "2", "z1", "z2", "MIN"}), kNullArray);
  h.hello3();
  EXPECT_EQ(run({"ZMPOP", "1", "z1", "MIN"}), kNull3);
  run({"ZADD", "z1", "7", "x"});
  EXPECT_EQ(run({"ZMPOP", "1", "z1", "MIN"}), arr({bulk("z1"), arr({arr({bulk("x"), dbl("7")})})}));
}

TEST_P(ZpopCommands, ZmpopValidatesItsArguments) {
  run({"ZADD", "z", "1", "a"});
  EXPECT_EQ(run({"ZMPOP", "0", "z", "MIN"}), err("ERR numkeys should be greater than 0"));
  EXPECT_EQ(run({"ZMPOP", "x", "z", "MIN"}), err("ERR numkeys should be greater than 0"));
  EXPECT_EQ(run({"ZMPOP", "2", "z", "MIN"}), err("ERR syntax error"));
  EXPECT_EQ(run({"ZMPOP", "1", "z", "MIDDLE"}), err("ERR syntax error"));
  EXPECT_EQ(run({"ZMPOP", "1", "z", "MIN", "COUNT", "0"}),
            err("ERR count should be greater than 0"));
  EXPECT_EQ(run({"ZMPOP", "1", "z", "MIN", "COUNT", "1", "COUNT", "1"}), err("ERR syntax error"));
  EXPECT_EQ(run({"ZMPOP", "1", "z", "MIN", "COUNT"}), err("ERR syntax error"));
  run({"SET", "s", "x"});
  EXPECT_EQ(run({"ZMPOP", "2", "s", "z", "MIN"}), wrongtype());
  EXPECT_EQ(run({"ZCARD", "z"}), integer(1));
}

TEST_P(ZpopCommands, PoppingMarksTheKeyChanged) {
  run({"ZADD", "z", "1", "a", "2", "b"});
  uint64_t before = dirty();
  run({"ZPOPMIN", "z", "2"});
  EXPECT_EQ(dirty(), before + 1);
}

INSTANTIATE_TEST_SUITE_P(Encodings, ZaddCommand, ::testing::Bool(), encoding_param_name);
INSTANTIATE_TEST_SUITE_P(Encodings, ZsetReadCommands, ::testing::Bool(), encoding_param_name);
INSTANTIATE_TEST_SUITE_P(Encodings, ZpopCommands, ::testing::Bool(), encoding_param_name);

// --- Encoding thresholds and table rows ----------------------------------------------------------

TEST_F(ZsetCommandRows, ConvertsToSkiplistPastTheConfiguredThresholds) {
  EXPECT_EQ(run({"CONFIG", "SET", "zset-max-listpack-entries", "2"}), kOk);
  run({"ZADD", "z", "1", "a", "2", "b"});
  EXPECT_EQ(encoding("z"), bulk("listpack"));
  run({"ZADD", "z", "3", "c"});
  EXPECT_EQ(encoding("z"), bulk("skiplist"));
  EXPECT_EQ(run({"CONFIG", "SET", "zset-max-listpack-value", "3"}), kOk);
  run({"ZADD", "y", "1", "abc"});
  EXPECT_EQ(encoding("y"), bulk("listpack"));
  run({"ZADD", "y", "1", "abcd"});
  EXPECT_EQ(encoding("y"), bulk("skiplist"));
}

TEST_F(ZsetCommandRows, RowsCarryRedisArityFlagsAndKeys) {
  const CommandTable& table = h.node().commands();
  const Command* zadd = table.find("zadd");
  ASSERT_NE(zadd, nullptr);
  EXPECT_EQ(zadd->spec.arity, -4);
  EXPECT_TRUE(zadd->has(kCmdWrite) && zadd->has(kCmdDenyOom) && zadd->has(kCmdFast));
  EXPECT_EQ(zadd->spec.first_key, 1);
  EXPECT_EQ(zadd->spec.group, "sorted-set");
  EXPECT_TRUE(zadd->spec.acl & kAclSortedSet);
  const Command* zrangestore = table.find("zrangestore");
  ASSERT_NE(zrangestore, nullptr);
  EXPECT_EQ(zrangestore->spec.last_key, 2);
  const Command* zmpop = table.find("zmpop");
  ASSERT_NE(zmpop, nullptr);
  EXPECT_EQ(zmpop->spec.first_key, 0);
  for (const char* name :
       {"zincrby", "zrem", "zcard", "zscore", "zmscore", "zrank", "zrevrank", "zcount",
        "zlexcount", "zrange", "zrevrange", "zrangebyscore", "zrevrangebyscore", "zrangebylex",
        "zrevrangebylex", "zremrangebyrank", "zremrangebyscore", "zremrangebylex", "zpopmin",
        "zpopmax", "zunion", "zinter", "zdiff", "zunionstore", "zinterstore", "zdiffstore",
        "zintercard", "zrandmember", "zscan"}) {
    const Command* cmd = table.find(name);
    ASSERT_NE(cmd, nullptr) << name;
    EXPECT_TRUE(cmd->spec.acl & kAclSortedSet) << name;
    EXPECT_NE(cmd->has(kCmdWrite), cmd->has(kCmdReadonly)) << name;
  }
}

}  // namespace
}  // namespace stashd::testing
