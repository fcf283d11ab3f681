// Owns: in-process tests of src/commands/zset_range_cmds.cpp (ZRANGE and its legacy forms,
// ZRANGESTORE, ZCOUNT, ZLEXCOUNT, ZREMRANGEBY*, ZRANDMEMBER, ZSCAN), in both encodings.
// Must not touch: other families' behaviour. Thread: the test's.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "commands/zset_fixture.h"

namespace stashd::testing {
namespace {

class ZrangeCommands : public ZsetEncodings {
 protected:
  ZrangeCommands() { run({"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"}); }
};
using ZremrangeCommands = ZrangeCommands;
using ZrandmemberCommand = ZsetEncodings;
using ZscanCommand = ZsetEncodings;

// --- ZRANGE by rank ------------------------------------------------------------------------------

TEST_P(ZrangeCommands, RankRangesAcceptNegativeIndexesAndClamp) {
  EXPECT_EQ(run({"ZRANGE", "z", "0", "-1"}), bulks({"a", "b", "c", "d", "e"}));
  EXPECT_EQ(run({"ZRANGE", "z", "-2", "100"}), bulks({"d", "e"}));
  EXPECT_EQ(run({"ZRANGE", "z", "-100", "0"}), bulks({"a"}));
  EXPECT_EQ(run({"ZRANGE", "z", "3", "1"}), kEmpty);
  EXPECT_EQ(run({"ZRANGE", "z", "5", "10"}), kEmpty);
  EXPECT_EQ(run({"ZRANGE", "z", "0", "1", "REV"}), bulks({"e", "d"}));
  EXPECT_EQ(run({"ZREVRANGE", "z", "1", "2"}), bulks({"d", "c"}));
  EXPECT_EQ(run({"ZRANGE", "nope", "0", "-1"}), kEmpty);
}

TEST_P(ZrangeCommands, WithScoresIsFlatInResp2AndPairsInResp3) {
  EXPECT_EQ(run({"ZRANGE", "z", "0", "1", "WITHSCORES"}), bulks({"a", "1", "b", "2"}));
  EXPECT_EQ(run({"ZREVRANGE", "z", "0", "0", "WITHSCORES"}), bulks({"e", "5"}));
  h.hello3();
  EXPECT_EQ(run({"ZRANGE", "z", "0", "1", "WITHSCORES"}),
            arr({arr({bulk("a"), dbl("1")}), arr({bulk("b"), dbl("2")})}));
  EXPECT_EQ(run({"ZRANGEBYSCORE", "z", "(4", "+inf", "WITHSCORES"}),
            arr({arr({bulk("e"), dbl("5")})}));
}

// --- ZRANGE by score and lex ---------------------------------------------------------------------

TEST_P(ZrangeCommands, ScoreRangesHonourExclusiveBoundsLimitAndReverse) {
  EXPECT_EQ(run({"ZRANGE", "z", "(1", "3", "BYSCORE"}), bulks({"b", "c"}));
  EXPECT_EQ(run({"ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "1", "2"}),
            bulks({"b", "c"}));
  EXPECT_EQ(run({"ZRANGE", "z", "(5", "2", "BYSCORE", "REV"}), bulks({"d", "c", "b"}));
  EXPECT_EQ(run({"ZRANGE", "z", "5", "(2", "BYSCORE", "REV", "LIMIT", "1", "-1"}),
            bulks({"d", "c"}));
  EXPECT_EQ(run({"ZRANGEBYSCORE", "z", "2", "4", "WITHSCORES", "LIMIT", "0", "1"}),
            bulks({"b", "2"}));
  EXPECT_EQ(run({"ZREVRANGEBYSCORE", "z", "+inf", "(4"}), bulks({"e"}));
  EXPECT_EQ(run({"ZRANGEBYSCORE", "z", "2", "4", "LIMIT", "-1", "5"}), kEmpty);
  EXPECT_EQ(run({"ZRANGEBYSCORE", "z", "2", "4", "LIMIT", "9", "5"}), kEmpty);
  EXPECT_EQ(run({"ZRANGEBYSCORE", "z", "2", "4", "LIMIT", "0", "0"}), kEmpty);
  EXPECT_EQ(run({"ZRANGEBYSCORE", "z", "(3", "(3"}), kEmpty);
}

TEST_P(ZrangeCommands, LexRangesHonourBracketsAndInfinities) {
  run({"ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d"});
  EXPECT_EQ(run({"ZRANGE", "l", "[b", "(d", "BYLEX"}), bulks({"b", "c"}));
  EXPECT_EQ(run({"ZRANGE", "l", "+", "(b", "BYLEX", "REV"}), bulks({"d", "c"}));
  EXPECT_EQ(run({"ZRANGEBYLEX", "l", "-", "+", "LIMIT", "1", "2"}), bulks({"b", "c"}));
  EXPECT_EQ(run({"ZREVRANGEBYLEX", "l", "[c", "-"}), bulks({"c", "b", "a"}));
  EXPECT_EQ(run({"ZLEXCOUNT", "l", "(a", "[c"}), integer(2));
  EXPECT_EQ(run({"ZLEXCOUNT", "l", "+", "-"}), integer(0));
}

TEST_P(ZrangeCommands, RejectsBadRangesAndOptionCombinations) {
  EXPECT_EQ(run({"ZRANGE", "z", "0", "1", "LIMIT", "0", "1"}),
            err("ERR syntax error, LIMIT is only supported in combination with either BYSCORE "
                "or BYLEX"));
  EXPECT_EQ(run({"ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES"}),
            err("ERR syntax error, WITHSCORES not supported in combination with BYLEX"));
  EXPECT_EQ(run({"ZRANGEBYLEX", "z", "-", "+", "WITHSCORES"}),
            err("ERR syntax error, WITHSCORES not supported in combination with BYLEX"));
  EXPECT_EQ(run({"ZRANGE", "z", "x", "1", "BYSCORE"}), err("ERR min or max is not a float"));
  EXPECT_EQ(run({"ZRANGE", "z", "a", "b", "BYLEX"}),
            err("ERR min or max not valid string range item"));
  EXPECT_EQ(run({"ZRANGE", "z", "a", "1"}), err("ERR value is not an integer or out of range"));
  EXPECT_EQ(run({"ZRANGE", "z", "0", "1", "BYSCORE", "BYLEX"}), err("ERR syntax error"));
  EXPECT_EQ(run({"ZRANGEBYSCORE", "z", "0", "1", "REV"}), err("ERR syntax error"));
  EXPECT_EQ(run({"ZRANGE", "z", "0", "1", "LIMIT", "0"}), err("ERR syntax error"));
  EXPECT_EQ(run({"ZREVRANGE", "z", "0", "1", "LIMIT", "0", "1"}),
            err("ERR syntax error, LIMIT is only supported in combination with either BYSCORE "
                "or BYLEX"));
  run({"SET", "s", "x"});
  EXPECT_EQ(run({"ZRANGE", "s", "0", "1"}), wrongtype());
}

TEST_P(ZrangeCommands, ZcountCountsWithinExclusiveBounds) {
  EXPECT_EQ(run({"ZCOUNT", "z", "2", "4"}), integer(3));
  EXPECT_EQ(run({"ZCOUNT", "z", "(2", "(4"}), integer(1));
  EXPECT_EQ(run({"ZCOUNT", "z", "-inf", "+inf"}), integer(5));
  EXPECT_EQ(run({"ZCOUNT", "z", "6", "+inf"}), integer(0));
  EXPECT_EQ(run({"ZCOUNT", "nope", "0", "1"}), integer(0));
  EXPECT_EQ(run({"ZCOUNT", "z", "a", "1"}), err("ERR min or max is not a float"));
  EXPECT_EQ(run({"ZLEXCOUNT", "z", "a", "+"}),
            err("ERR min or max not valid string range item"));
}

// --- ZRANGESTORE ---------------------------------------------------------------------------------

TEST_P(ZrangeCommands, ZrangestoreStoresTheRangeAndRepliesItsSize) {
  EXPECT_EQ(run({"ZRANGESTORE", "dst", "z", "(1", "4", "BYSCORE", "LIMIT", "0", "2"}),
            integer(2));
  EXPECT_EQ(run({"ZRANGE", "dst", "0", "-1", "WITHSCORES"}), bulks({"b", "2", "c", "3"}));
  EXPECT_EQ(run({"ZRANGESTORE", "dst", "z", "0", "0", "REV"}), integer(1));
  EXPECT_EQ(run({"ZRANGE", "dst", "0", "-1"}), bulks({"e"}));
  EXPECT_EQ(run({"ZRANGESTORE", "dst", "z", "0", "1", "WITHSCORES"}), err("ERR syntax error"));
}

TEST_P(ZrangeCommands, ZrangestoreOfAnEmptyRangeDeletesTheDestination) {
  run({"SET", "dst", "old"});
  EXPECT_EQ(run({"ZRANGESTORE", "dst", "z", "10", "20"}), integer(0));
  EXPECT_EQ(run({"EXISTS", "dst"}), integer(0));
  run({"SET", "dst", "old"});
  EXPECT_EQ(run({"ZRANGESTORE", "dst", "nope", "0", "-1"}), integer(0));
  EXPECT_EQ(run({"EXISTS", "dst"}), integer(0));
}

// --- ZREMRANGEBY* --------------------------------------------------------------------------------

TEST_P(ZremrangeCommands, RemoveByRankScoreAndLex) {
  EXPECT_EQ(run({"ZREMRANGEBYRANK", "z", "-2", "-1"}), integer(2));
  EXPECT_EQ(run({"ZREMRANGEBYSCORE", "z", "(1", "2"}), integer(1));
  EXPECT_EQ(run({"ZRANGE", "z", "0", "-1"}), bulks({"a", "c"}));
  EXPECT_EQ(run({"ZREMRANGEBYLEX", "z", "[b", "+"}), integer(1));
  EXPECT_EQ(run({"ZREMRANGEBYRANK", "z", "5", "9"}), integer(0));
  EXPECT_EQ(run({"ZREMRANGEBYRANK", "z", "0", "-1"}), integer(1));
  EXPECT_EQ(run({"EXISTS", "z"}), integer(0));
  EXPECT_EQ(run({"ZREMRANGEBYRANK", "z", "0", "-1"}), integer(0));
}

TEST_P(ZremrangeCommands, ValidateTheRangeBeforeTheKey) {
  run({"SET", "s", "x"});
  EXPECT_EQ(run({"ZREMRANGEBYSCORE", "s", "x", "1"}), err("ERR min or max is not a float"));
  EXPECT_EQ(run({"ZREMRANGEBYLEX", "s", "x", "+"}),
            err("ERR min or max not valid string range item"));
  EXPECT_EQ(run({"ZREMRANGEBYRANK", "s", "x", "1"}),
            err("ERR value is not an integer or out of range"));
  EXPECT_EQ(run({"ZREMRANGEBYRANK", "s", "0", "1"}), wrongtype());
}

// --- ZRANDMEMBER ---------------------------------------------------------------------------------

// Parses a reply into its top-level elements' raw RESP (bulk strings only, or nested pairs).
std::vector<std::string> members_of(const std::string& reply) {
  std::vector<std::string> out;
  size_t pos = reply.find("\r\n") + 2;
  while (pos < reply.size()) {
    if (reply[pos] == '$') {
      const size_t eol = reply.find("\r\n", pos);
      const size_t len = std::stoul(reply.substr(pos + 1, eol - pos - 1));
      out.push_back(reply.substr(eol + 2, len));
      pos = eol + 2 + len + 2;
    } else {
      pos = reply.find("\r\n", pos) + 2;  // nested headers and doubles
    }
  }
  return out;
}

TEST_P(ZrandmemberCommand, WithoutCountRepliesOneMemberOrNil) {
  run({"ZADD", "z", "1", "a", "2", "b"});
  const std::string one = run({"ZRANDMEMBER", "z"});
  EXPECT_TRUE(one == bulk("a") || one == bulk("b")) << one;
  EXPECT_EQ(run({"ZRANDMEMBER", "nope"}), kNil);
  EXPECT_EQ(run({"ZRANDMEMBER", "nope", "3"}), kEmpty);
  h.hello3();
  EXPECT_EQ(run({"ZRANDMEMBER", "nope"}), kNull3);
}

TEST_P(ZrandmemberCommand, PositiveCountsGiveDistinctMembers) {
  for (int i = 0; i < 20; ++i) {
    run({"ZADD", "z", std::to_string(i), member_name(i)});
  }
  for (const char* count : {"1", "5", "15", "20", "50"}) {
    std::vector<std::string> got = members_of(run({"ZRANDMEMBER", "z", count}));
    std::set<std::string> distinct(got.begin(), got.end());
    EXPECT_EQ(got.size(), std::min<size_t>(std::stoul(count), 20)) << count;
    EXPECT_EQ(distinct.size(), got.size()) << count;
  }
  EXPECT_EQ(run({"ZRANDMEMBER", "z", "0"}), kEmpty);
}

TEST_P(ZrandmemberCommand, NegativeCountsMayRepeatAndWithScoresPairs) {
  run({"ZADD", "z", "1", "a"});
  EXPECT_EQ(run({"ZRANDMEMBER", "z", "-3"}), bulks({"a", "a", "a"}));
  EXPECT_EQ(run({"ZRANDMEMBER", "z", "-2", "WITHSCORES"}), bulks({"a", "1", "a", "1"}));
  h.hello3();
  EXPECT_EQ(run({"ZRANDMEMBER", "z", "2", "WITHSCORES"}), arr({arr({bulk("a"), dbl("1")})}));
}

TEST_P(ZrandmemberCommand, RejectsBadCountsAndOptions) {
  run({"ZADD", "z", "1", "a"});
  EXPECT_EQ(run({"ZRANDMEMBER", "z", "x"}), err("ERR value is not an integer or out of range"));
  EXPECT_EQ(run({"ZRANDMEMBER", "z", "1", "SCORES"}), err("ERR syntax error"));
  EXPECT_EQ(run({"ZRANDMEMBER", "z", "1", "WITHSCORES", "x"}), err("ERR syntax error"));
  EXPECT_EQ(run({"ZRANDMEMBER", "z", "-9223372036854775808"}),
            err("ERR value is out of range, value must between -9223372036854775807 and "
                "9223372036854775807"));
  EXPECT_EQ(run({"ZRANDMEMBER", "z", "-9223372036854775807", "WITHSCORES"}),
            err("ERR value is out of range"));
}

// --- ZSCAN ---------------------------------------------------------------------------------------

TEST_P(ZscanCommand, VisitsEveryMemberWithItsScore) {
  std::set<std::string> expected;
  for (int i = 0; i < 300; ++i) {
    run({"ZADD", "z", std::to_string(i), member_name(i)});
    expected.insert(member_name(i));
  }
  std::set<std::string> seen;
  std::string cursor = "0";
  int calls = 0;
  do {
    std::vector<std::string> items = members_of(run({"ZSCAN", "z", cursor, "COUNT", "20"}));
    ASSERT_FALSE(items.empty());
    cursor = items[0];
    for (size_t i = 1; i + 1 < items.size(); i += 2) {
      EXPECT_EQ(items[i], member_name(std::stoi(items[i + 1])));
      seen.insert(items[i]);
    }
    ++calls;
  } while (cursor != "0" && calls < 1000);
  EXPECT_EQ(cursor, "0");
  EXPECT_EQ(seen, expected);
}

TEST_P(ZscanCommand, SmallSetsComeWholeAndMatchFilters) {
  run({"ZADD", "z", "1", "apple", "2.5", "banana", "3", "avocado"});
  if (!GetParam()) {
    EXPECT_EQ(run({"ZSCAN", "z", "0"}),
              arr({bulk("0"), bulks({"apple", "1", "banana", "2.5", "avocado", "3"})}));
  }
  std::string cursor = "0";
  std::set<std::string> seen;
  do {
    std::vector<std::string> items = members_of(run({"ZSCAN", "z", cursor, "MATCH", "a*"}));
    cursor = items[0];
    for (size_t i = 1; i < items.size(); i += 2) seen.insert(items[i]);
  } while (cursor != "0");
  EXPECT_EQ(seen, (std::set<std::string>{"apple", "avocado"}));
}

TEST_P(ZscanCommand, RejectsBadCursorsAndOptions) {
  run({"ZADD", "z", "1", "a"});
  EXPECT_EQ(run({"ZSCAN", "z", "x"}), err("ERR invalid cursor"));
  EXPECT_EQ(run({"ZSCAN", "z", "0", "COUNT", "0"}), err("ERR syntax error"));
  EXPECT_EQ(run({"ZSCAN", "z", "0", "TYPE", "zset"}), err("ERR syntax error"));
  EXPECT_EQ(run({"ZSCAN", "nope", "0"}), arr({bulk("0"), kEmpty}));
  run({"SET", "s", "x"});
  EXPECT_EQ(run({"ZSCAN", "s", "0"}), wrongtype());
}

INSTANTIATE_TEST_SUITE_P(Encodings, ZrangeCommands, ::testing::Bool(), encoding_param_name);
INSTANTIATE_TEST_SUITE_P(Encodings, ZremrangeCommands, ::testing::Bool(), encoding_param_name);
INSTANTIATE_TEST_SUITE_P(Encodings, ZrandmemberCommand, ::testing::Bool(), encoding_param_name);
INSTANTIATE_TEST_SUITE_P(Encodings, ZscanCommand, ::testing::Bool(), encoding_param_name);

}  // namespace
}  // namespace stashd::testing
