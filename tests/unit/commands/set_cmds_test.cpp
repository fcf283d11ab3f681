// Owns: in-process tests of src/commands/set_cmds.cpp (the set family) and its table rows.
// Must not touch: other families' behaviour. Thread: the test's.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "commands/harness.h"

namespace stashd::testing {
namespace {

using Members = std::set<std::string>;

std::string error(std::string_view s) { return "-" + std::string(s) + "\r\n"; }
const std::string kWrongType =
    error("WRONGTYPE Operation against a key holding the wrong kind of value");

// Every bulk string of a reply, in order; headers, nulls and other types are skipped.
std::vector<std::string> bulks(std::string_view r) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < r.size()) {
    size_t eol = r.find("\r\n", i);
    if (r[i] == '$' && r[i + 1] != '-') {
      size_t len = std::stoul(std::string(r.substr(i + 1, eol - i - 1)));
      out.emplace_back(r.substr(eol + 2, len));
      i = eol + 4 + len;
    } else {
      i = eol + 2;
    }
  }
  return out;
}

Members as_set(const std::vector<std::string>& v) { return Members(v.begin(), v.end()); }

std::string numbered(std::string_view prefix, int i) {
  std::string s(prefix);
  s.append(std::to_string(i));
  return s;
}

class SetCommands : public ::testing::Test {
 protected:
  void add(std::string_view key, std::initializer_list<std::string_view> members) {
    std::vector<std::string_view> args{"SADD", key};
    args.insert(args.end(), members.begin(), members.end());
    h.run(args);
  }
  void fill(std::string_view key, int n, std::string_view prefix = "m", int first = 0) {
    for (int i = first; i < first + n; ++i) {
      std::string m = numbered(prefix, i);
      h.run({"SADD", key, m});
    }
  }
  Members members(std::string_view key) { return as_set(bulks(h.run({"SMEMBERS", key}))); }
  std::string encoding(std::string_view key) { return h.run({"OBJECT", "ENCODING", key}); }

  CommandHarness h;
};

// --- SADD / SREM / SMEMBERS / SISMEMBER / SMISMEMBER / SCARD -------------------------------------

TEST_F(SetCommands, SaddCountsOnlyNewMembers) {
  EXPECT_EQ(h.run({"SADD", "s", "a", "b", "a"}), integer(2));
  EXPECT_EQ(h.run({"SADD", "s", "b", "c"}), integer(1));
  EXPECT_EQ(members("s"), (Members{"a", "b", "c"}));
  EXPECT_EQ(h.run({"SCARD", "s"}), integer(3));
  EXPECT_EQ(h.run({"SCARD", "nokey"}), integer(0));
}

TEST_F(SetCommands, SremDeletesTheKeyWithItsLastMember) {
  add("s", {"1", "2"});
  EXPECT_EQ(h.run({"SREM", "s", "1", "9"}), integer(1));
  EXPECT_EQ(h.run({"SREM", "s", "2"}), integer(1));
  EXPECT_EQ(h.run({"EXISTS", "s"}), integer(0));
  EXPECT_EQ(h.run({"SREM", "s", "2"}), integer(0));
}

TEST_F(SetCommands, MembershipQueries) {
  add("s", {"a", "1"});
  EXPECT_EQ(h.run({"SISMEMBER", "s", "a"}), integer(1));
  EXPECT_EQ(h.run({"SISMEMBER", "s", "b"}), integer(0));
  EXPECT_EQ(h.run({"SISMEMBER", "nokey", "a"}), integer(0));
  EXPECT_EQ(h.run({"SMISMEMBER", "s", "1", "x", "a"}),
            "*3\r\n" + integer(1) + integer(0) + integer(1));
  EXPECT_EQ(h.run({"SMISMEMBER", "nokey", "a"}), "*1\r\n" + integer(0));
}

TEST_F(SetCommands, SmembersIsASetInResp3) {
  add("s", {"a"});
  EXPECT_EQ(h.run({"SMEMBERS", "s"}), "*1\r\n" + bulk("a"));
  h.hello3();
  EXPECT_EQ(h.run({"SMEMBERS", "s"}), "~1\r\n" + bulk("a"));
  EXPECT_EQ(h.run({"SMEMBERS", "nokey"}), "~0\r\n");
}

TEST_F(SetCommands, CommandsOnAStringKeyAreWrongType) {
  h.run({"SET", "str", "x"});
  add("s", {"a"});
  for (auto args : std::vector<std::vector<std::string_view>>{{"SADD", "str", "a"},
                                                              {"SREM", "str", "a"},
                                                              {"SMEMBERS", "str"},
                                                              {"SCARD", "str"},
                                                              {"SPOP", "str"},
                                                              {"SRANDMEMBER", "str"},
                                                              {"SINTER", "s", "str"},
                                                              {"SUNION", "s", "str"},
                                                              {"SDIFF", "s", "str"},
                                                              {"SINTER", "nokey", "str"},
                                                              {"SSCAN", "str", "0"},
                                                              {"SMOVE", "s", "str", "a"},
                                                              {"SINTERCARD", "2", "s", "str"},
                                                              {"SINTERSTORE", "d", "s", "str"}}) {
    EXPECT_EQ(h.run(args), kWrongType) << args[0];
  }
}

// --- Encodings -----------------------------------------------------------------------------------

TEST_F(SetCommands, IntegersStayAnIntsetUpToTheLimit) {
  h.config().set_max_intset_entries = 5;
  for (int i = 0; i < 5; ++i) h.run({"SADD", "s", std::to_string(i * 100000)});
  EXPECT_EQ(encoding("s"), bulk("intset"));
  h.run({"SADD", "s", "-1"});
  EXPECT_EQ(encoding("s"), bulk("hashtable"));
  EXPECT_EQ(h.run({"SCARD", "s"}), integer(6));
}

TEST_F(SetCommands, AStringMovesAnIntsetToAListpack) {
  add("s", {"1", "2", "3"});
  EXPECT_EQ(encoding("s"), bulk("intset"));
  add("s", {"x"});
  EXPECT_EQ(encoding("s"), bulk("listpack"));
  EXPECT_EQ(members("s"), (Members{"1", "2", "3", "x"}));
}

TEST_F(SetCommands, ListpackConvertsPastEitherLimit) {
  fill("s", 128);
  EXPECT_EQ(encoding("s"), bulk("listpack"));
  fill("s", 1, "m", 128);
  EXPECT_EQ(encoding("s"), bulk("hashtable"));

  add("t", {"a", std::string(64, 'x')});
  EXPECT_EQ(encoding("t"), bulk("listpack"));
  add("t", {std::string(65, 'x')});
  EXPECT_EQ(encoding("t"), bulk("hashtable"));
}

TEST_F(SetCommands, ANewSetGetsTheEncodingItsSizeNeeds) {
  std::vector<std::string> many;
  for (int i = 0; i < 200; ++i) many.push_back(numbered("x", i));
  std::vector<std::string_view> args{"SADD", "s"};
  args.insert(args.end(), many.begin(), many.end());
  h.run(args);
  EXPECT_EQ(encoding("s"), bulk("hashtable"));
}

TEST_F(SetCommands, ConfigChangesApplyToLaterWrites) {
  add("s", {"a", "b", "c"});
  h.run({"CONFIG", "SET", "set-max-listpack-entries", "3"});
  EXPECT_EQ(encoding("s"), bulk("listpack"));
  add("s", {"d"});
  EXPECT_EQ(encoding("s"), bulk("hashtable"));
  h.run({"CONFIG", "SET", "set-max-intset-entries", "1"});
  add("i", {"1"});
  EXPECT_EQ(encoding("i"), bulk("intset"));
  add("i", {"2"});
  EXPECT_EQ(encoding("i"), bulk("hashtable"));
}

// --- SPOP / SRANDMEMBER --------------------------------------------------------------------------

TEST_F(SetCommands, SpopRemovesWhatItReturns) {
  add("s", {"a", "b", "c"});
  std::string popped = bulks(h.run({"SPOP", "s"}))[0];
  EXPECT_EQ(h.run({"SISMEMBER", "s", popped}), integer(0));
  EXPECT_EQ(h.run({"SCARD", "s"}), integer(2));
  EXPECT_EQ(h.run({"SPOP", "nokey"}), kNil);
}

TEST_F(SetCommands, SpopWithCountInEveryEncoding) {
  for (int64_t intset : {512, 0}) {
    for (int64_t listpack : {128, 0}) {
      h.config().set_max_intset_entries = intset;
      h.config().set_max_listpack_entries = listpack;
      h.run({"DEL", "s"});
      for (int i = 0; i < 50; ++i) h.run({"SADD", "s", std::to_string(i)});
      Members before = members("s");
      Members popped = as_set(bulks(h.run({"SPOP", "s", "20"})));
      EXPECT_EQ(popped.size(), 20u);
      Members after = members("s");
      EXPECT_EQ(after.size(), 30u);
      after.insert(popped.begin(), popped.end());
      EXPECT_EQ(after, before);
    }
  }
}

TEST_F(SetCommands, SpopOfEverythingDeletesTheKey) {
  add("s", {"a", "b"});
  EXPECT_EQ(as_set(bulks(h.run({"SPOP", "s", "5"}))), (Members{"a", "b"}));
  EXPECT_EQ(h.run({"EXISTS", "s"}), integer(0));
  add("t", {"a"});
  h.run({"SPOP", "t"});
  EXPECT_EQ(h.run({"EXISTS", "t"}), integer(0));
}

TEST_F(SetCommands, SpopCountEdgeCases) {
  add("s", {"a"});
  EXPECT_EQ(h.run({"SPOP", "s", "0"}), "*0\r\n");
  EXPECT_EQ(h.run({"SPOP", "nokey", "3"}), "*0\r\n");
  EXPECT_EQ(h.run({"SPOP", "s", "-1"}), error("ERR value is out of range, must be positive"));
  EXPECT_EQ(h.run({"SPOP", "s", "1", "2"}), error("ERR syntax error"));
  h.hello3();
  EXPECT_EQ(h.run({"SPOP", "s", "1"}), "~1\r\n" + bulk("a"));
}

TEST_F(SetCommands, SrandmemberPositiveCountsAreDistinct) {
  for (int64_t listpack : {128, 4}) {
    h.config().set_max_listpack_entries = listpack;
    h.run({"DEL", "s"});
    fill("s", 30);
    for (const char* count : {"1", "5", "12", "29", "30", "100"}) {
      auto got = bulks(h.run({"SRANDMEMBER", "s", count}));
      size_t expected = std::min<size_t>(std::stoul(count), 30);
      EXPECT_EQ(got.size(), expected) << count;
      EXPECT_EQ(as_set(got).size(), expected) << count;
    }
  }
  EXPECT_EQ(h.run({"SCARD", "s"}), integer(30));
}

TEST_F(SetCommands, SrandmemberNegativeCountsRepeatAndAreRoughlyUniform) {
  for (int64_t intset : {512, 0}) {
    h.config().set_max_intset_entries = intset;
    h.run({"DEL", "s"});
    for (int i = 0; i < 10; ++i) h.run({"SADD", "s", std::to_string(i)});
    std::map<std::string, int> hits;
    for (const std::string& m : bulks(h.run({"SRANDMEMBER", "s", "-50000"}))) ++hits[m];
    ASSERT_EQ(hits.size(), 10u);
    for (const auto& [m, n] : hits) EXPECT_NEAR(n, 5000, 500) << m;
  }
}

TEST_F(SetCommands, SrandmemberEdgeCases) {
  EXPECT_EQ(h.run({"SRANDMEMBER", "nokey"}), kNil);
  EXPECT_EQ(h.run({"SRANDMEMBER", "nokey", "3"}), "*0\r\n");
  add("s", {"a"});
  EXPECT_EQ(h.run({"SRANDMEMBER", "s"}), bulk("a"));
  EXPECT_EQ(h.run({"SRANDMEMBER", "s", "0"}), "*0\r\n");
  EXPECT_EQ(h.run({"SRANDMEMBER", "s", "-9223372036854775808"}),
            error("ERR value is out of range, must be between -9223372036854775807 and "
                  "9223372036854775807"));
  EXPECT_EQ(h.run({"SRANDMEMBER", "s", "1", "2"}), error("ERR syntax error"));
  h.hello3();
  EXPECT_EQ(h.run({"SRANDMEMBER", "s", "1"}), "*1\r\n" + bulk("a"));
}

TEST_F(SetCommands, SrandmemberLargeNegativeCountRepliesEveryPick) {
  add("s", {"a"});
  std::string reply = h.run({"SRANDMEMBER", "s", "-200000"});
  EXPECT_EQ(reply.rfind("*200000\r\n", 0), 0u);
  EXPECT_EQ(reply.size(), 9 + 200000 * bulk("a").size());
}

// --- SMOVE ---------------------------------------------------------------------------------------

TEST_F(SetCommands, SmoveMovesAMember) {
  add("src", {"a", "b"});
  add("dst", {"c"});
  EXPECT_EQ(h.run({"SMOVE", "src", "dst", "a"}), integer(1));
  EXPECT_EQ(members("src"), (Members{"b"}));
  EXPECT_EQ(members("dst"), (Members{"a", "c"}));
  EXPECT_EQ(h.run({"SMOVE", "src", "dst", "zzz"}), integer(0));
}

TEST_F(SetCommands, SmoveCreatesTheDestinationAndDeletesAnEmptySource) {
  add("src", {"5"});
  EXPECT_EQ(h.run({"SMOVE", "src", "dst", "5"}), integer(1));
  EXPECT_EQ(h.run({"EXISTS", "src"}), integer(0));
  EXPECT_EQ(members("dst"), (Members{"5"}));
  EXPECT_EQ(encoding("dst"), bulk("intset"));
}

TEST_F(SetCommands, SmoveEdgeCases) {
  add("s", {"a"});
  EXPECT_EQ(h.run({"SMOVE", "s", "s", "a"}), integer(1));
  EXPECT_EQ(h.run({"SMOVE", "s", "s", "b"}), integer(0));
  h.run({"SET", "str", "x"});
  EXPECT_EQ(h.run({"SMOVE", "nokey", "str", "a"}), integer(0));  // as Redis: source first
  EXPECT_EQ(h.run({"SMOVE", "str", "s", "a"}), kWrongType);
  EXPECT_EQ(members("s"), (Members{"a"}));
}

// --- SINTER / SINTERCARD / SUNION / SDIFF and their STORE forms ----------------------------------

TEST_F(SetCommands, SinterOfSetsInMixedEncodings) {
  add("ints", {"1", "2", "3", "4"});
  add("strs", {"2", "3", "x", "y"});
  h.config().set_max_listpack_entries = 0;
  add("table", {"3", "2", "zz"});
  EXPECT_EQ(encoding("table"), bulk("hashtable"));
  EXPECT_EQ(as_set(bulks(h.run({"SINTER", "ints", "strs", "table"}))), (Members{"2", "3"}));
  EXPECT_EQ(h.run({"SINTER", "ints", "nokey"}), "*0\r\n");
  h.hello3();
  EXPECT_EQ(h.run({"SINTER", "ints", "ints"}).substr(0, 4), "~4\r\n");
}

TEST_F(SetCommands, SinterstoreStoresOrDeletes) {
  add("a", {"1", "2", "x"});
  add("b", {"2", "x", "y"});
  h.run({"SET", "dst", "old"});
  EXPECT_EQ(h.run({"SINTERSTORE", "dst", "a", "b"}), integer(2));
  EXPECT_EQ(members("dst"), (Members{"2", "x"}));
  EXPECT_EQ(encoding("dst"), bulk("listpack"));
  EXPECT_EQ(h.run({"SINTERSTORE", "dst", "a", "nokey"}), integer(0));
  EXPECT_EQ(h.run({"EXISTS", "dst"}), integer(0));
}

TEST_F(SetCommands, SinterstoreIntoOneOfItsSources) {
  add("a", {"1", "2", "3"});
  add("b", {"2", "3", "4"});
  EXPECT_EQ(h.run({"SINTERSTORE", "a", "a", "b"}), integer(2));
  EXPECT_EQ(members("a"), (Members{"2", "3"}));
  EXPECT_EQ(encoding("a"), bulk("intset"));
}

TEST_F(SetCommands, SintercardCountsUpToTheLimit) {
  add("a", {"1", "2", "3", "4"});
  add("b", {"2", "3", "4", "5"});
  EXPECT_EQ(h.run({"SINTERCARD", "2", "a", "b"}), integer(3));
  EXPECT_EQ(h.run({"SINTERCARD", "2", "a", "b", "LIMIT", "2"}), integer(2));
  EXPECT_EQ(h.run({"SINTERCARD", "2", "a", "b", "limit", "0"}), integer(3));
  EXPECT_EQ(h.run({"SINTERCARD", "1", "nokey"}), integer(0));
}

TEST_F(SetCommands, SintercardRejectsBadArguments) {
  add("a", {"1"});
  EXPECT_EQ(h.run({"SINTERCARD", "0", "a"}), error("ERR numkeys should be greater than 0"));
  EXPECT_EQ(h.run({"SINTERCARD", "x", "a"}), error("ERR numkeys should be greater than 0"));
  EXPECT_EQ(h.run({"SINTERCARD", "3", "a", "b"}),
            error("ERR Number of keys can't be greater than number of args"));
  EXPECT_EQ(h.run({"SINTERCARD", "1", "a", "LIMIT", "-1"}), error("ERR LIMIT can't be negative"));
  EXPECT_EQ(h.run({"SINTERCARD", "1", "a", "LIMIT"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"SINTERCARD", "1", "a", "b"}), error("ERR syntax error"));
}

TEST_F(SetCommands, SunionAndSunionstore) {
  add("a", {"1", "2"});
  add("b", {"2", "x"});
  EXPECT_EQ(as_set(bulks(h.run({"SUNION", "a", "b", "nokey"}))), (Members{"1", "2", "x"}));
  EXPECT_EQ(h.run({"SUNION", "nokey"}), "*0\r\n");
  EXPECT_EQ(h.run({"SUNIONSTORE", "dst", "a", "b"}), integer(3));
  EXPECT_EQ(members("dst"), (Members{"1", "2", "x"}));
  EXPECT_EQ(encoding("dst"), bulk("listpack"));
  EXPECT_EQ(h.run({"SUNIONSTORE", "dst", "nokey"}), integer(0));
  EXPECT_EQ(h.run({"EXISTS", "dst"}), integer(0));
}

TEST_F(SetCommands, SunionstoreOfIntegersIsAnIntset) {
  add("a", {"1", "2"});
  add("b", {"3"});
  h.run({"SUNIONSTORE", "dst", "a", "b"});
  EXPECT_EQ(encoding("dst"), bulk("intset"));
}

TEST_F(SetCommands, SdiffAndSdiffstore) {
  add("a", {"1", "2", "x", "y"});
  add("b", {"2"});
  add("c", {"y", "z"});
  EXPECT_EQ(as_set(bulks(h.run({"SDIFF", "a", "b", "nokey", "c"}))), (Members{"1", "x"}));
  EXPECT_EQ(h.run({"SDIFF", "nokey", "a"}), "*0\r\n");
  EXPECT_EQ(h.run({"SDIFF", "a", "a"}), "*0\r\n");
  EXPECT_EQ(h.run({"SDIFFSTORE", "a", "a", "b", "c"}), integer(2));
  EXPECT_EQ(members("a"), (Members{"1", "x"}));
  EXPECT_EQ(h.run({"SDIFFSTORE", "a", "a", "a"}), integer(0));
  EXPECT_EQ(h.run({"EXISTS", "a"}), integer(0));
}

TEST_F(SetCommands, StoreCommandsMarkTheDestinationChanged) {
  add("a", {"1"});
  uint64_t before = h.node().dirty;
  h.run({"SUNIONSTORE", "dst", "a"});
  h.run({"SINTERSTORE", "gone", "nokey"});  // nothing to delete: no change
  EXPECT_EQ(h.node().dirty - before, 1u);
}

// --- SSCAN ---------------------------------------------------------------------------------------

TEST_F(SetCommands, SscanOfACompactSetReturnsEverythingWithCursorZero) {
  for (int i = 0; i < 20; ++i) h.run({"SADD", "i", std::to_string(i)});
  auto items = bulks(h.run({"SSCAN", "i", "0", "COUNT", "1"}));
  EXPECT_EQ(items[0], "0");
  EXPECT_EQ(items.size(), 21u);
  auto matched = bulks(h.run({"SSCAN", "i", "0", "MATCH", "1*"}));
  EXPECT_EQ(matched.size(), 1u + 11u);  // 1, 10..19
}

TEST_F(SetCommands, SscanKeepsItsGuaranteeWhileTheSetGrowsAndShrinks) {
  h.config().set_max_listpack_entries = 4;
  fill("s", 300);
  Members seen;
  std::string cursor = "0";
  int step = 0;
  do {
    auto items = bulks(h.run({"SSCAN", "s", cursor, "COUNT", "7"}));
    cursor = items[0];
    seen.insert(items.begin() + 1, items.end());
    if (step < 20) fill("s", 50, "n", step * 50);
    if (step >= 20 && step < 40) {
      for (int i = 0; i < 50; ++i) {
        std::string m = numbered("n", (step - 20) * 50 + i);
        h.run({"SREM", "s", m});
      }
    }
    ++step;
  } while (cursor != "0");
  for (int i = 0; i < 300; ++i) EXPECT_TRUE(seen.count(numbered("m", i))) << i;
}

TEST_F(SetCommands, SscanRejectsBadArguments) {
  add("s", {"a"});
  EXPECT_EQ(h.run({"SSCAN", "s", "1x"}), error("ERR invalid cursor"));
  EXPECT_EQ(h.run({"SSCAN", "s", "0", "COUNT", "-1"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"SSCAN", "s", "0", "MATCH"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"SSCAN", "nokey", "0"}), "*2\r\n" + bulk("0") + "*0\r\n");
}

// --- Table rows ----------------------------------------------------------------------------------

TEST_F(SetCommands, RowsCarryRedisKeyPositions) {
  const Command* smove = h.node().commands().find("smove");
  ASSERT_NE(smove, nullptr);
  EXPECT_EQ(smove->spec.first_key, 1);
  EXPECT_EQ(smove->spec.last_key, 2);
  EXPECT_EQ(smove->spec.arity, 4);
  const Command* sinter = h.node().commands().find("sinter");
  ASSERT_NE(sinter, nullptr);
  EXPECT_EQ(sinter->spec.last_key, -1);
  EXPECT_EQ(sinter->spec.group, "set");
  EXPECT_TRUE(sinter->spec.acl & kAclSet);
  const Command* sintercard = h.node().commands().find("sintercard");
  ASSERT_NE(sintercard, nullptr);
  EXPECT_EQ(sintercard->spec.first_key, 0);
  EXPECT_TRUE(h.node().commands().find("sadd")->has(kCmdDenyOom));
}

}  // namespace
}  // namespace stashd::testing
