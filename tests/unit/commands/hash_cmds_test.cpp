// Owns: in-process tests of src/commands/hash_cmds.cpp (the hash family) and its table rows.
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

std::string error(std::string_view s) { return "-" + std::string(s) + "\r\n"; }

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

std::string numbered(std::string_view prefix, int i) {
  std::string s(prefix);
  s.append(std::to_string(i));
  return s;
}

class HashCommands : public ::testing::Test {
 protected:
  void fill(std::string_view key, int n, int first = 0) {
    for (int i = first; i < first + n; ++i) {
      std::string f = numbered("f", i);
      std::string v = numbered("v", i);
      h.run({"HSET", key, f, v});
    }
  }
  std::string encoding(std::string_view key) { return h.run({"OBJECT", "ENCODING", key}); }
  std::map<std::string, std::string> all(std::string_view key) {
    auto items = bulks(h.run({"HGETALL", key}));
    std::map<std::string, std::string> out;
    for (size_t i = 0; i + 1 < items.size(); i += 2) out[items[i]] = items[i + 1];
    return out;
  }

  CommandHarness h;
};

// --- HSET / HSETNX / HMSET / HGET / HMGET --------------------------------------------------------

TEST_F(HashCommands, HsetCountsOnlyNewFields) {
  EXPECT_EQ(h.run({"HSET", "h", "a", "1", "b", "2"}), integer(2));
  EXPECT_EQ(h.run({"HSET", "h", "a", "10", "c", "3"}), integer(1));
  EXPECT_EQ(h.run({"HGET", "h", "a"}), bulk("10"));
  EXPECT_EQ(h.run({"HGET", "h", "missing"}), kNil);
  EXPECT_EQ(h.run({"HGET", "nokey", "a"}), kNil);
}

TEST_F(HashCommands, HsetWithAnOddArgumentCountIsAnArityError) {
  EXPECT_EQ(h.run({"HSET", "h", "a", "1", "b"}),
            error("ERR wrong number of arguments for 'hset' command"));
  EXPECT_EQ(h.run({"HMSET", "h", "a", "1", "b"}),
            error("ERR wrong number of arguments for 'hmset' command"));
  EXPECT_EQ(h.run({"EXISTS", "h"}), integer(0));
}

TEST_F(HashCommands, HmsetRepliesOk) {
  EXPECT_EQ(h.run({"HMSET", "h", "a", "1", "b", "2"}), kOk);
  EXPECT_EQ(h.run({"HMGET", "h", "b", "x", "a"}), "*3\r\n" + bulk("2") + kNil + bulk("1"));
  EXPECT_EQ(h.run({"HMGET", "nokey", "a"}), "*1\r\n" + kNil);
}

TEST_F(HashCommands, HsetnxSetsOnlyAMissingField) {
  EXPECT_EQ(h.run({"HSETNX", "h", "a", "1"}), integer(1));
  EXPECT_EQ(h.run({"HSETNX", "h", "a", "2"}), integer(0));
  EXPECT_EQ(h.run({"HGET", "h", "a"}), bulk("1"));
}

TEST_F(HashCommands, CommandsOnAStringKeyAreWrongType) {
  h.run({"SET", "s", "x"});
  const std::string wrong =
      error("WRONGTYPE Operation against a key holding the wrong kind of value");
  for (auto args : std::vector<std::vector<std::string_view>>{{"HSET", "s", "a", "1"},
                                                              {"HGET", "s", "a"},
                                                              {"HDEL", "s", "a"},
                                                              {"HLEN", "s"},
                                                              {"HGETALL", "s"},
                                                              {"HINCRBY", "s", "a", "1"},
                                                              {"HRANDFIELD", "s"},
                                                              {"HSCAN", "s", "0"},
                                                              {"HMGET", "s", "a"},
                                                              {"HSTRLEN", "s", "a"}}) {
    EXPECT_EQ(h.run(args), wrong) << args[0];
  }
}

// --- HDEL / HLEN / HEXISTS / HSTRLEN -------------------------------------------------------------

TEST_F(HashCommands, HdelDeletesTheKeyWithItsLastField) {
  h.run({"HSET", "h", "a", "1", "b", "2"});
  EXPECT_EQ(h.run({"HDEL", "h", "a", "x"}), integer(1));
  EXPECT_EQ(h.run({"HLEN", "h"}), integer(1));
  EXPECT_EQ(h.run({"HDEL", "h", "b"}), integer(1));
  EXPECT_EQ(h.run({"EXISTS", "h"}), integer(0));
  EXPECT_EQ(h.run({"HDEL", "h", "b"}), integer(0));
}

TEST_F(HashCommands, HdelDeletesTheKeyOfATableHashToo) {
  h.config().hash_max_listpack_entries = 1;
  h.run({"HSET", "h", "a", "1", "b", "2"});
  EXPECT_EQ(h.run({"HDEL", "h", "a", "b"}), integer(2));
  EXPECT_EQ(h.run({"EXISTS", "h"}), integer(0));
}

TEST_F(HashCommands, HexistsHlenAndHstrlenReportFields) {
  h.run({"HSET", "h", "n", "-12345", "s", "hello"});
  EXPECT_EQ(h.run({"HEXISTS", "h", "n"}), integer(1));
  EXPECT_EQ(h.run({"HEXISTS", "h", "x"}), integer(0));
  EXPECT_EQ(h.run({"HLEN", "h"}), integer(2));
  EXPECT_EQ(h.run({"HLEN", "nokey"}), integer(0));
  EXPECT_EQ(h.run({"HSTRLEN", "h", "n"}), integer(6));
  EXPECT_EQ(h.run({"HSTRLEN", "h", "s"}), integer(5));
  EXPECT_EQ(h.run({"HSTRLEN", "h", "x"}), integer(0));
}

// --- HKEYS / HVALS / HGETALL ---------------------------------------------------------------------

TEST_F(HashCommands, HgetallIsAMapInResp3AndFlatInResp2) {
  h.run({"HSET", "h", "a", "1"});
  EXPECT_EQ(h.run({"HGETALL", "h"}), "*2\r\n" + bulk("a") + bulk("1"));
  EXPECT_EQ(h.run({"HGETALL", "nokey"}), "*0\r\n");
  h.hello3();
  EXPECT_EQ(h.run({"HGETALL", "h"}), "%1\r\n" + bulk("a") + bulk("1"));
  EXPECT_EQ(h.run({"HGETALL", "nokey"}), "%0\r\n");
  EXPECT_EQ(h.run({"HKEYS", "h"}), "*1\r\n" + bulk("a"));
}

TEST_F(HashCommands, HkeysAndHvalsListEveryFieldInBothEncodings) {
  for (int64_t entries : {128, 4}) {
    h.config().hash_max_listpack_entries = entries;
    h.run({"DEL", "h"});
    fill("h", 10);
    auto keys = bulks(h.run({"HKEYS", "h"}));
    auto vals = bulks(h.run({"HVALS", "h"}));
    EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()).size(), 10u);
    EXPECT_EQ(std::set<std::string>(vals.begin(), vals.end()).size(), 10u);
    EXPECT_EQ(all("h").at("f7"), "v7");
  }
}

// --- HINCRBY / HINCRBYFLOAT ----------------------------------------------------------------------

TEST_F(HashCommands, HincrbyStartsFromZeroAndAdds) {
  EXPECT_EQ(h.run({"HINCRBY", "h", "n", "5"}), integer(5));
  EXPECT_EQ(h.run({"HINCRBY", "h", "n", "-7"}), integer(-2));
  EXPECT_EQ(h.run({"HGET", "h", "n"}), bulk("-2"));
}

TEST_F(HashCommands, HincrbyRejectsBadValuesAndOverflow) {
  h.run({"HSET", "h", "s", "abc", "big", "9223372036854775807", "pad", " 1"});
  EXPECT_EQ(h.run({"HINCRBY", "h", "s", "1"}), error("ERR hash value is not an integer"));
  EXPECT_EQ(h.run({"HINCRBY", "h", "pad", "1"}), error("ERR hash value is not an integer"));
  EXPECT_EQ(h.run({"HINCRBY", "h", "big", "1"}),
            error("ERR increment or decrement would overflow"));
  EXPECT_EQ(h.run({"HINCRBY", "h", "n", "x"}),
            error("ERR value is not an integer or out of range"));
  EXPECT_EQ(h.run({"HGET", "h", "big"}), bulk("9223372036854775807"));
}

TEST_F(HashCommands, HincrbyfloatFormatsLikeIncrbyfloat) {
  EXPECT_EQ(h.run({"HINCRBYFLOAT", "h", "x", "10.5"}), bulk("10.5"));
  EXPECT_EQ(h.run({"HINCRBYFLOAT", "h", "x", "0.1"}), bulk("10.6"));
  EXPECT_EQ(h.run({"HINCRBYFLOAT", "h", "x", "-10.6"}), bulk("0"));
  h.run({"HSET", "h", "i", "3"});
  EXPECT_EQ(h.run({"HINCRBYFLOAT", "h", "i", "1.5e1"}), bulk("18"));
}

TEST_F(HashCommands, HincrbyfloatRejectsBadValuesAndInfinities) {
  h.run({"HSET", "h", "s", "abc", "inf", "inf"});
  EXPECT_EQ(h.run({"HINCRBYFLOAT", "h", "s", "1"}), error("ERR hash value is not a float"));
  EXPECT_EQ(h.run({"HINCRBYFLOAT", "h", "x", "nope"}), error("ERR value is not a valid float"));
  EXPECT_EQ(h.run({"HINCRBYFLOAT", "h", "x", "inf"}), error("ERR value is NaN or Infinity"));
  EXPECT_EQ(h.run({"HINCRBYFLOAT", "h", "inf", "1"}),
            error("ERR increment would produce NaN or Infinity"));
}

// --- Encodings -----------------------------------------------------------------------------------

TEST_F(HashCommands, ConvertsToATablePastTheEntryLimit) {
  fill("h", 128);
  EXPECT_EQ(encoding("h"), bulk("listpack"));
  fill("h", 1, 128);
  EXPECT_EQ(encoding("h"), bulk("hashtable"));
  EXPECT_EQ(h.run({"HLEN", "h"}), integer(129));
}

TEST_F(HashCommands, ConvertsToATableForALongValue) {
  h.run({"HSET", "h", "a", std::string(64, 'x')});
  EXPECT_EQ(encoding("h"), bulk("listpack"));
  h.run({"HSET", "h", "b", std::string(65, 'x')});
  EXPECT_EQ(encoding("h"), bulk("hashtable"));
  EXPECT_EQ(h.run({"HGET", "h", "a"}), bulk(std::string(64, 'x')));
}

TEST_F(HashCommands, ConfigChangesApplyToLaterWrites) {
  fill("h", 3);
  EXPECT_EQ(encoding("h"), bulk("listpack"));
  EXPECT_EQ(h.run({"CONFIG", "SET", "hash-max-listpack-entries", "2"}), kOk);
  EXPECT_EQ(encoding("h"), bulk("listpack"));  // nothing converts until it is written
  h.run({"HSET", "h", "f0", "changed"});
  EXPECT_EQ(encoding("h"), bulk("hashtable"));
  h.run({"CONFIG", "SET", "hash-max-listpack-value", "3"});
  h.run({"HSET", "g", "abcd", "1"});
  EXPECT_EQ(encoding("g"), bulk("hashtable"));
}

TEST_F(HashCommands, NeverConvertsBackToAListpack) {
  h.config().hash_max_listpack_entries = 2;
  fill("h", 3);
  h.run({"HDEL", "h", "f0", "f1"});
  EXPECT_EQ(encoding("h"), bulk("hashtable"));
}

TEST_F(HashCommands, WritesMarkTheKeyChanged) {
  uint64_t before = h.node().dirty;
  h.run({"HSET", "h", "a", "1"});
  h.run({"HINCRBY", "h", "n", "1"});
  h.run({"HDEL", "h", "nothing"});
  EXPECT_EQ(h.node().dirty - before, 2u);
}

// --- HRANDFIELD ----------------------------------------------------------------------------------

TEST_F(HashCommands, HrandfieldWithoutCountReturnsOneField) {
  EXPECT_EQ(h.run({"HRANDFIELD", "nokey"}), kNil);
  h.run({"HSET", "h", "only", "1"});
  EXPECT_EQ(h.run({"HRANDFIELD", "h"}), bulk("only"));
}

TEST_F(HashCommands, HrandfieldPositiveCountsAreDistinct) {
  for (int64_t entries : {128, 4}) {
    h.config().hash_max_listpack_entries = entries;
    h.run({"DEL", "h"});
    fill("h", 30);
    for (const char* count : {"1", "5", "12", "29", "30", "100"}) {
      auto fields = bulks(h.run({"HRANDFIELD", "h", count}));
      size_t expected = std::min<size_t>(std::stoul(count), 30);
      EXPECT_EQ(fields.size(), expected) << count;
      EXPECT_EQ(std::set<std::string>(fields.begin(), fields.end()).size(), expected) << count;
    }
  }
}

TEST_F(HashCommands, HrandfieldNegativeCountsRepeat) {
  h.run({"HSET", "h", "a", "1", "b", "2"});
  auto fields = bulks(h.run({"HRANDFIELD", "h", "-50"}));
  EXPECT_EQ(fields.size(), 50u);
  EXPECT_EQ(std::set<std::string>(fields.begin(), fields.end()), (std::set<std::string>{"a", "b"}));
  EXPECT_EQ(h.run({"HRANDFIELD", "h", "0"}), "*0\r\n");
  EXPECT_EQ(h.run({"HRANDFIELD", "nokey", "5"}), "*0\r\n");
}

TEST_F(HashCommands, HrandfieldIsRoughlyUniform) {
  h.config().hash_max_listpack_entries = 4;
  fill("h", 10);
  std::map<std::string, int> hits;
  for (const std::string& f : bulks(h.run({"HRANDFIELD", "h", "-50000"}))) ++hits[f];
  ASSERT_EQ(hits.size(), 10u);
  for (const auto& [f, n] : hits) EXPECT_NEAR(n, 5000, 500) << f;
}

TEST_F(HashCommands, HrandfieldWithValuesPairsFlatInResp2AndNestedInResp3) {
  h.run({"HSET", "h", "a", "1"});
  EXPECT_EQ(h.run({"HRANDFIELD", "h", "1", "WITHVALUES"}), "*2\r\n" + bulk("a") + bulk("1"));
  EXPECT_EQ(h.run({"HRANDFIELD", "h", "-2", "withvalues"}),
            "*4\r\n" + bulk("a") + bulk("1") + bulk("a") + bulk("1"));
  h.hello3();
  EXPECT_EQ(h.run({"HRANDFIELD", "h", "1", "WITHVALUES"}), "*1\r\n*2\r\n" + bulk("a") + bulk("1"));
}

TEST_F(HashCommands, HrandfieldRejectsOutOfRangeCountsAndBadOptions) {
  h.run({"HSET", "h", "a", "1"});
  EXPECT_EQ(h.run({"HRANDFIELD", "h", "-9223372036854775808"}),
            error("ERR value is out of range, must be between -9223372036854775807 and "
                  "9223372036854775807"));
  EXPECT_EQ(h.run({"HRANDFIELD", "h", "-9223372036854775807", "WITHVALUES"}),
            error("ERR value is out of range"));
  EXPECT_EQ(h.run({"HRANDFIELD", "h", "1", "WITHSCORES"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"HRANDFIELD", "h", "1", "WITHVALUES", "x"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"HRANDFIELD", "h", "x"}), error("ERR value is not an integer or out of range"));
}

TEST_F(HashCommands, HrandfieldLargeNegativeCountRepliesEveryPick) {
  h.run({"HSET", "h", "a", "1"});
  std::string reply = h.run({"HRANDFIELD", "h", "-200000"});
  EXPECT_EQ(reply.rfind("*200000\r\n", 0), 0u);
  EXPECT_EQ(reply.size(), 9 + 200000 * bulk("a").size());
}

// --- HSCAN ---------------------------------------------------------------------------------------

TEST_F(HashCommands, HscanOfAListpackReturnsEverythingWithCursorZero) {
  fill("h", 20);
  std::string reply = h.run({"HSCAN", "h", "0", "COUNT", "2"});
  auto items = bulks(reply);
  EXPECT_EQ(items[0], "0");
  EXPECT_EQ(items.size(), 41u);
}

TEST_F(HashCommands, HscanOfATableReturnsEveryFieldOverTheIteration) {
  h.config().hash_max_listpack_entries = 4;
  fill("h", 500);
  std::map<std::string, std::string> seen;
  std::string cursor = "0";
  int calls = 0;
  do {
    auto items = bulks(h.run({"HSCAN", "h", cursor}));
    cursor = items[0];
    for (size_t i = 1; i + 1 < items.size(); i += 2) seen[items[i]] = items[i + 1];
    ++calls;
  } while (cursor != "0");
  EXPECT_EQ(seen.size(), 500u);
  EXPECT_EQ(seen.at("f123"), "v123");
  EXPECT_GT(calls, 10);
}

TEST_F(HashCommands, HscanKeepsItsGuaranteeWhileTheHashGrowsAndShrinks) {
  h.config().hash_max_listpack_entries = 4;
  fill("h", 200);
  std::set<std::string> seen;
  std::string cursor = "0";
  int step = 0;
  do {
    auto items = bulks(h.run({"HSCAN", "h", cursor, "COUNT", "5"}));
    cursor = items[0];
    for (size_t i = 1; i < items.size(); i += 2) seen.insert(items[i]);
    if (step < 30) fill("h", 40, 1000 + step * 40);  // grows
    if (step >= 30 && step < 60) {
      for (int i = 0; i < 40; ++i) {
        std::string f = numbered("f", 1000 + (step - 30) * 40 + i);
        h.run({"HDEL", "h", f});  // shrinks back
      }
    }
    ++step;
  } while (cursor != "0");
  for (int i = 0; i < 200; ++i) EXPECT_TRUE(seen.count(numbered("f", i))) << i;
}

TEST_F(HashCommands, HscanFiltersWithMatch) {
  for (int64_t entries : {128, 4}) {
    h.config().hash_max_listpack_entries = entries;
    h.run({"DEL", "h"});
    fill("h", 30);
    std::set<std::string> seen;
    std::string cursor = "0";
    do {
      auto items = bulks(h.run({"HSCAN", "h", cursor, "MATCH", "f1*", "COUNT", "100"}));
      cursor = items[0];
      for (size_t i = 1; i < items.size(); i += 2) seen.insert(items[i]);
    } while (cursor != "0");
    EXPECT_EQ(seen.size(), 11u);  // f1, f10..f19
  }
}

TEST_F(HashCommands, HscanRejectsBadArguments) {
  h.run({"HSET", "h", "a", "1"});
  EXPECT_EQ(h.run({"HSCAN", "h", "x"}), error("ERR invalid cursor"));
  EXPECT_EQ(h.run({"HSCAN", "h", "0", "COUNT", "0"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"HSCAN", "h", "0", "NOVALUES"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"HSCAN", "nokey", "0"}), "*2\r\n" + bulk("0") + "*0\r\n");
}

// --- Table rows ----------------------------------------------------------------------------------

TEST_F(HashCommands, RowsCarryRedisArityFlagsAndKeys) {
  const Command* hset = h.node().commands().find("hset");
  ASSERT_NE(hset, nullptr);
  EXPECT_EQ(hset->spec.arity, -4);
  EXPECT_TRUE(hset->has(kCmdWrite) && hset->has(kCmdDenyOom) && hset->has(kCmdFast));
  EXPECT_EQ(hset->spec.group, "hash");
  EXPECT_TRUE(hset->spec.acl & kAclHash);
  const Command* hgetall = h.node().commands().find("hgetall");
  ASSERT_NE(hgetall, nullptr);
  EXPECT_TRUE(hgetall->has(kCmdReadonly));
  EXPECT_FALSE(hgetall->has(kCmdFast));
  EXPECT_EQ(hgetall->spec.first_key, 1);
  EXPECT_EQ(h.run({"HGET", "h"}), error("ERR wrong number of arguments for 'hget' command"));
}

}  // namespace
}  // namespace stashd::testing
