// Owns: in-process tests of src/commands/list_cmds.cpp (LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN
// LRANGE LINDEX LSET LINSERT LREM LTRIM LPOS LMOVE RPOPLPUSH LMPOP) and the family's table rows.
// Must not touch: other families' behaviour. Thread: the test's.
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "commands/harness.h"

namespace stashd::testing {
namespace {

std::string error_reply(std::string_view s) { return "-" + std::string(s) + "\r\n"; }

std::string header(char type, size_t n) {
  std::string out(1, type);
  out.append(std::to_string(n));
  out.append("\r\n");
  return out;
}

std::string bulks(std::initializer_list<std::string_view> items) {
  std::string out = header('*', items.size());
  for (std::string_view item : items) out += bulk(item);
  return out;
}

std::string integers(std::initializer_list<int64_t> items) {
  std::string out = header('*', items.size());
  for (int64_t item : items) out += integer(item);
  return out;
}

const std::string kEmptyArray = "*0\r\n";
const std::string kNullArray = "*-1\r\n";
const std::string kResp3Null = "_\r\n";
const std::string kWrongType =
    error_reply("WRONGTYPE Operation against a key holding the wrong kind of value");
const std::string kNotInteger = error_reply("ERR value is not an integer or out of range");
const std::string kSyntax = error_reply("ERR syntax error");
const std::string kMustBePositive = error_reply("ERR value is out of range, must be positive");

class ListCommands : public ::testing::Test {
 protected:
  std::string run(std::initializer_list<std::string_view> args) { return h.run(args); }
  std::string all(std::string_view key) { return run({"LRANGE", key, "0", "-1"}); }
  std::string encoding(std::string_view key) { return run({"OBJECT", "ENCODING", key}); }
  void rpush(std::string_view key, const std::vector<std::string>& values) {
    std::vector<std::string_view> args{"RPUSH", key};
    args.insert(args.end(), values.begin(), values.end());
    h.run(args);
  }
  uint64_t dirty() { return h.node().dirty; }
  const CommandSpec& spec(std::string_view name) { return h.node().commands().find(name)->spec; }

  CommandHarness h;
};

std::vector<std::string> numbers(int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i < to; ++i) out.push_back(std::to_string(i));
  return out;
}

// --- Push ---------------------------------------------------------------------------------------

TEST_F(ListCommands, RpushAppendsAndRepliesTheNewLength) {
  EXPECT_EQ(run({"RPUSH", "k", "a", "b"}), integer(2));
  EXPECT_EQ(run({"RPUSH", "k", "c"}), integer(3));
  EXPECT_EQ(all("k"), bulks({"a", "b", "c"}));
  EXPECT_EQ(run({"TYPE", "k"}), "+list\r\n");
}

TEST_F(ListCommands, LpushPrependsEachElementInTurn) {
  EXPECT_EQ(run({"LPUSH", "k", "a", "b", "c"}), integer(3));
  EXPECT_EQ(all("k"), bulks({"c", "b", "a"}));
}

TEST_F(ListCommands, PushxPushesOnlyOntoAnExistingList) {
  EXPECT_EQ(run({"LPUSHX", "k", "a"}), integer(0));
  EXPECT_EQ(run({"RPUSHX", "k", "a"}), integer(0));
  EXPECT_EQ(run({"EXISTS", "k"}), integer(0));
  run({"RPUSH", "k", "m"});
  EXPECT_EQ(run({"LPUSHX", "k", "a", "b"}), integer(3));
  EXPECT_EQ(run({"RPUSHX", "k", "z"}), integer(4));
  EXPECT_EQ(all("k"), bulks({"b", "a", "m", "z"}));
}

TEST_F(ListCommands, PushOntoAStringIsWrongTypeAndChangesNothing) {
  run({"SET", "s", "v"});
  EXPECT_EQ(run({"LPUSH", "s", "a"}), kWrongType);
  EXPECT_EQ(run({"RPUSHX", "s", "a"}), kWrongType);
  EXPECT_EQ(run({"GET", "s"}), bulk("v"));
}

TEST_F(ListCommands, PushMarksTheKeyChangedOnceAndKeepsItsTtl) {
  run({"RPUSH", "k", "a"});
  run({"EXPIRE", "k", "100"});
  const uint64_t before = dirty();
  run({"RPUSH", "k", "b", "c"});
  EXPECT_EQ(dirty() - before, 1u);
  EXPECT_EQ(run({"TTL", "k"}), integer(100));
}

TEST_F(ListCommands, PushWithoutElementsIsAnArityError) {
  EXPECT_EQ(run({"LPUSH", "k"}), error_reply("ERR wrong number of arguments for 'lpush' command"));
}

// --- Pop ----------------------------------------------------------------------------------------

TEST_F(ListCommands, LpopAndRpopTakeFromTheirEnds) {
  run({"RPUSH", "k", "a", "b", "c"});
  EXPECT_EQ(run({"LPOP", "k"}), bulk("a"));
  EXPECT_EQ(run({"RPOP", "k"}), bulk("c"));
  EXPECT_EQ(all("k"), bulks({"b"}));
}

TEST_F(ListCommands, PopOfAMissingKeyIsNil) {
  EXPECT_EQ(run({"LPOP", "k"}), kNil);
  EXPECT_EQ(run({"RPOP", "k"}), kNil);
  h.hello3();
  EXPECT_EQ(run({"LPOP", "k"}), kResp3Null);
}

TEST_F(ListCommands, PopOfTheLastElementDeletesTheKey) {
  run({"RPUSH", "k", "a"});
  run({"EXPIRE", "k", "100"});
  EXPECT_EQ(run({"RPOP", "k"}), bulk("a"));
  EXPECT_EQ(run({"EXISTS", "k"}), integer(0));
  EXPECT_EQ(run({"TTL", "k"}), integer(-2));
}

TEST_F(ListCommands, PopWithCountRepliesAnArrayOfAtMostTheLength) {
  run({"RPUSH", "k", "a", "b", "c", "d"});
  EXPECT_EQ(run({"LPOP", "k", "2"}), bulks({"a", "b"}));
  EXPECT_EQ(run({"RPOP", "k", "1"}), bulks({"d"}));
  EXPECT_EQ(run({"RPOP", "k", "10"}), bulks({"c"}));
  EXPECT_EQ(run({"EXISTS", "k"}), integer(0));
}

TEST_F(ListCommands, PopWithCountOfAMissingKeyIsANullArray) {
  EXPECT_EQ(run({"LPOP", "k", "3"}), kNullArray);
  EXPECT_EQ(run({"RPOP", "k", "0"}), kNullArray);
  h.hello3();
  EXPECT_EQ(run({"LPOP", "k", "3"}), kResp3Null);
}

TEST_F(ListCommands, PopWithZeroCountIsAnEmptyArrayAndChangesNothing) {
  run({"RPUSH", "k", "a"});
  const uint64_t before = dirty();
  EXPECT_EQ(run({"LPOP", "k", "0"}), kEmptyArray);
  EXPECT_EQ(dirty(), before);
  EXPECT_EQ(all("k"), bulks({"a"}));
}

TEST_F(ListCommands, PopWithANegativeOrNonIntegerCountIsOutOfRange) {
  run({"RPUSH", "k", "a"});
  EXPECT_EQ(run({"LPOP", "k", "-1"}), kMustBePositive);
  EXPECT_EQ(run({"RPOP", "k", "x"}), kMustBePositive);
  run({"SET", "s", "v"});
  EXPECT_EQ(run({"LPOP", "s", "-1"}), kMustBePositive);  // the count is checked first
}

TEST_F(ListCommands, PopWithTooManyArgumentsIsAnArityError) {
  EXPECT_EQ(run({"LPOP", "k", "1", "2"}),
            error_reply("ERR wrong number of arguments for 'lpop' command"));
}

TEST_F(ListCommands, PopOfAStringIsWrongType) {
  run({"SET", "s", "v"});
  EXPECT_EQ(run({"LPOP", "s"}), kWrongType);
  EXPECT_EQ(run({"RPOP", "s", "2"}), kWrongType);
}

// --- LLEN / LRANGE / LINDEX ---------------------------------------------------------------------

TEST_F(ListCommands, LlenCountsElementsAndZeroForAMissingKey) {
  rpush("k", numbers(0, 7));
  EXPECT_EQ(run({"LLEN", "k"}), integer(7));
  EXPECT_EQ(run({"LLEN", "missing"}), integer(0));
  run({"SET", "s", "v"});
  EXPECT_EQ(run({"LLEN", "s"}), kWrongType);
}

TEST_F(ListCommands, LrangeNormalizesIndexesAsRedisDoes) {
  run({"RPUSH", "k", "a", "b", "c", "d", "e"});
  EXPECT_EQ(run({"LRANGE", "k", "1", "3"}), bulks({"b", "c", "d"}));
  EXPECT_EQ(run({"LRANGE", "k", "-2", "-1"}), bulks({"d", "e"}));
  EXPECT_EQ(run({"LRANGE", "k", "-100", "1"}), bulks({"a", "b"}));
  EXPECT_EQ(run({"LRANGE", "k", "3", "100"}), bulks({"d", "e"}));
  EXPECT_EQ(run({"LRANGE", "k", "3", "1"}), kEmptyArray);
  EXPECT_EQ(run({"LRANGE", "k", "5", "10"}), kEmptyArray);
  EXPECT_EQ(run({"LRANGE", "k", "0", "-6"}), kEmptyArray);
}

TEST_F(ListCommands, LrangeWithHugeIndexesIsBoundedByTheList) {
  run({"RPUSH", "k", "a", "b"});
  EXPECT_EQ(run({"LRANGE", "k", "0", "9223372036854775807"}), bulks({"a", "b"}));
  EXPECT_EQ(run({"LRANGE", "k", "-9223372036854775808", "9223372036854775807"}), bulks({"a", "b"}));
  EXPECT_EQ(run({"LRANGE", "k", "9223372036854775807", "-9223372036854775808"}), kEmptyArray);
}

TEST_F(ListCommands, LrangeOfAMissingKeyIsEmptyButBadIndexesAreErrors) {
  EXPECT_EQ(run({"LRANGE", "missing", "0", "-1"}), kEmptyArray);
  EXPECT_EQ(run({"LRANGE", "missing", "x", "-1"}), kNotInteger);
  EXPECT_EQ(run({"LRANGE", "missing", "0", "9223372036854775808"}), kNotInteger);
}

TEST_F(ListCommands, LrangeReadsSlicesAcrossManyNodes) {
  h.config().list_max_listpack_size = 3;
  rpush("k", numbers(0, 100));
  EXPECT_EQ(run({"LRANGE", "k", "47", "51"}), bulks({"47", "48", "49", "50", "51"}));
  EXPECT_EQ(run({"LRANGE", "k", "-3", "-1"}), bulks({"97", "98", "99"}));
  EXPECT_EQ(run({"LRANGE", "k", "0", "1"}), bulks({"0", "1"}));
  EXPECT_EQ(encoding("k"), bulk("quicklist"));
}

TEST_F(ListCommands, LindexReadsFromEitherEnd) {
  run({"RPUSH", "k", "a", "b", "c"});
  EXPECT_EQ(run({"LINDEX", "k", "0"}), bulk("a"));
  EXPECT_EQ(run({"LINDEX", "k", "-1"}), bulk("c"));
  EXPECT_EQ(run({"LINDEX", "k", "3"}), kNil);
  EXPECT_EQ(run({"LINDEX", "k", "-4"}), kNil);
  EXPECT_EQ(run({"LINDEX", "k", "x"}), kNotInteger);
  EXPECT_EQ(run({"LINDEX", "missing", "0"}), kNil);
  run({"SET", "s", "v"});
  EXPECT_EQ(run({"LINDEX", "s", "0"}), kWrongType);
}

TEST_F(ListCommands, IntegersComeBackAsTheyWereSent) {
  run({"RPUSH", "k", "12", "-5", "007", "9223372036854775807"});
  EXPECT_EQ(all("k"), bulks({"12", "-5", "007", "9223372036854775807"}));
}

// --- LSET / LINSERT -----------------------------------------------------------------------------

TEST_F(ListCommands, LsetReplacesTheElementAtAnIndex) {
  run({"RPUSH", "k", "a", "b", "c"});
  EXPECT_EQ(run({"LSET", "k", "1", "B"}), kOk);
  EXPECT_EQ(run({"LSET", "k", "-1", "C"}), kOk);
  EXPECT_EQ(all("k"), bulks({"a", "B", "C"}));
}

TEST_F(ListCommands, LsetReportsAMissingKeyAndAnIndexOutOfRange) {
  EXPECT_EQ(run({"LSET", "missing", "0", "x"}), error_reply("ERR no such key"));
  run({"RPUSH", "k", "a"});
  EXPECT_EQ(run({"LSET", "k", "1", "x"}), error_reply("ERR index out of range"));
  EXPECT_EQ(run({"LSET", "k", "-2", "x"}), error_reply("ERR index out of range"));
  EXPECT_EQ(run({"LSET", "k", "x", "x"}), kNotInteger);
  run({"SET", "s", "v"});
  EXPECT_EQ(run({"LSET", "s", "0", "x"}), kWrongType);
}

TEST_F(ListCommands, LinsertPlacesBeforeOrAfterThePivot) {
  run({"RPUSH", "k", "a", "c"});
  EXPECT_EQ(run({"LINSERT", "k", "BEFORE", "c", "b"}), integer(3));
  EXPECT_EQ(run({"LINSERT", "k", "after", "c", "d"}), integer(4));
  EXPECT_EQ(all("k"), bulks({"a", "b", "c", "d"}));
}

TEST_F(ListCommands, LinsertRepliesMinusOneWithoutPivotAndZeroWithoutKey) {
  run({"RPUSH", "k", "a"});
  EXPECT_EQ(run({"LINSERT", "k", "BEFORE", "zz", "b"}), integer(-1));
  EXPECT_EQ(run({"LINSERT", "missing", "BEFORE", "a", "b"}), integer(0));
  EXPECT_EQ(run({"EXISTS", "missing"}), integer(0));
}

TEST_F(ListCommands, LinsertRejectsAnythingButBeforeOrAfter) {
  run({"RPUSH", "k", "a"});
  EXPECT_EQ(run({"LINSERT", "k", "MIDDLE", "a", "b"}), kSyntax);
  run({"SET", "s", "v"});
  EXPECT_EQ(run({"LINSERT", "s", "BEFORE", "a", "b"}), kWrongType);
}

// --- LREM / LTRIM -------------------------------------------------------------------------------

TEST_F(ListCommands, LremRemovesFromTheHeadTheTailOrEverywhere) {
  run({"RPUSH", "k", "x", "a", "x", "b", "x", "c", "x"});
  EXPECT_EQ(run({"LREM", "k", "2", "x"}), integer(2));
  EXPECT_EQ(all("k"), bulks({"a", "b", "x", "c", "x"}));
  EXPECT_EQ(run({"LREM", "k", "-1", "x"}), integer(1));
  EXPECT_EQ(all("k"), bulks({"a", "b", "x", "c"}));
  EXPECT_EQ(run({"LREM", "k", "0", "x"}), integer(1));
  EXPECT_EQ(all("k"), bulks({"a", "b", "c"}));
  EXPECT_EQ(run({"LREM", "k", "0", "nope"}), integer(0));
}

TEST_F(ListCommands, LremOfEveryElementDeletesTheKey) {
  run({"RPUSH", "k", "1", "1"});
  EXPECT_EQ(run({"LREM", "k", "0", "1"}), integer(2));
  EXPECT_EQ(run({"EXISTS", "k"}), integer(0));
  EXPECT_EQ(run({"LREM", "k", "0", "1"}), integer(0));
  EXPECT_EQ(run({"LREM", "k", "x", "1"}), kNotInteger);
}

TEST_F(ListCommands, LtrimKeepsTheRange) {
  run({"RPUSH", "k", "a", "b", "c", "d", "e"});
  EXPECT_EQ(run({"LTRIM", "k", "1", "-2"}), kOk);
  EXPECT_EQ(all("k"), bulks({"b", "c", "d"}));
  EXPECT_EQ(run({"LTRIM", "k", "-100", "100"}), kOk);
  EXPECT_EQ(all("k"), bulks({"b", "c", "d"}));
}

TEST_F(ListCommands, LtrimOfAnEmptyRangeDeletesTheKey) {
  run({"RPUSH", "k", "a", "b"});
  EXPECT_EQ(run({"LTRIM", "k", "5", "10"}), kOk);
  EXPECT_EQ(run({"EXISTS", "k"}), integer(0));
  EXPECT_EQ(run({"LTRIM", "k", "0", "1"}), kOk);
  EXPECT_EQ(run({"LTRIM", "k", "a", "1"}), kNotInteger);
}

TEST_F(ListCommands, LtrimAcrossNodesKeepsTheMiddle) {
  h.config().list_max_listpack_size = 4;
  rpush("k", numbers(0, 50));
  EXPECT_EQ(run({"LTRIM", "k", "21", "23"}), kOk);
  EXPECT_EQ(all("k"), bulks({"21", "22", "23"}));
  EXPECT_EQ(encoding("k"), bulk("quicklist"));  // one node, but not yet half the limit
  EXPECT_EQ(run({"LTRIM", "k", "1", "-1"}), kOk);
  EXPECT_EQ(encoding("k"), bulk("listpack"));
}

// --- LPOS ---------------------------------------------------------------------------------------

TEST_F(ListCommands, LposFindsTheFirstMatch) {
  run({"RPUSH", "k", "a", "b", "c", "1", "2", "3", "c", "c"});
  EXPECT_EQ(run({"LPOS", "k", "c"}), integer(2));
  EXPECT_EQ(run({"LPOS", "k", "2"}), integer(4));
  EXPECT_EQ(run({"LPOS", "k", "zz"}), kNil);
}

TEST_F(ListCommands, LposHonoursRankCountAndMaxlen) {
  run({"RPUSH", "k", "a", "b", "c", "1", "2", "3", "c", "c"});
  EXPECT_EQ(run({"LPOS", "k", "c", "RANK", "2"}), integer(6));
  EXPECT_EQ(run({"LPOS", "k", "c", "RANK", "-1"}), integer(7));
  EXPECT_EQ(run({"LPOS", "k", "c", "COUNT", "0"}), integers({2, 6, 7}));
  EXPECT_EQ(run({"LPOS", "k", "c", "COUNT", "2"}), integers({2, 6}));
  EXPECT_EQ(run({"LPOS", "k", "c", "RANK", "-1", "COUNT", "2"}), integers({7, 6}));
  EXPECT_EQ(run({"LPOS", "k", "c", "COUNT", "0", "MAXLEN", "7"}), integers({2, 6}));
  EXPECT_EQ(run({"LPOS", "k", "c", "MAXLEN", "2"}), kNil);
  EXPECT_EQ(run({"LPOS", "k", "zz", "COUNT", "5"}), kEmptyArray);
  EXPECT_EQ(run({"LPOS", "k", "c", "RANK", "9223372036854775807"}), kNil);
}

TEST_F(ListCommands, LposOfAMissingKeyIsNilOrAnEmptyArray) {
  EXPECT_EQ(run({"LPOS", "missing", "a"}), kNil);
  EXPECT_EQ(run({"LPOS", "missing", "a", "COUNT", "1"}), kEmptyArray);
  run({"SET", "s", "v"});
  EXPECT_EQ(run({"LPOS", "s", "a"}), kWrongType);
}

TEST_F(ListCommands, LposRejectsBadOptions) {
  run({"RPUSH", "k", "a"});
  EXPECT_EQ(run({"LPOS", "k", "a", "RANK", "0"}),
            error_reply("ERR RANK can't be zero: use 1 to start from the first match, 2 from the "
                        "second ... or use negative to start from the end of the list"));
  EXPECT_EQ(run({"LPOS", "k", "a", "RANK", "-9223372036854775808"}),
            error_reply("ERR value is out of range, value must between -9223372036854775807 and "
                        "9223372036854775807"));
  EXPECT_EQ(run({"LPOS", "k", "a", "COUNT", "-1"}), error_reply("ERR COUNT can't be negative"));
  EXPECT_EQ(run({"LPOS", "k", "a", "MAXLEN", "-1"}), error_reply("ERR MAXLEN can't be negative"));
  EXPECT_EQ(run({"LPOS", "k", "a", "RANK", "x"}), kNotInteger);
  EXPECT_EQ(run({"LPOS", "k", "a", "RANK"}), kSyntax);
  EXPECT_EQ(run({"LPOS", "k", "a", "FIRST", "1"}), kSyntax);
  // Options are checked before the key.
  EXPECT_EQ(run({"LPOS", "missing", "a", "COUNT", "-1"}),
            error_reply("ERR COUNT can't be negative"));
}

// --- LMOVE / RPOPLPUSH --------------------------------------------------------------------------

TEST_F(ListCommands, LmoveTakesFromOneEndAndPushesOntoTheOther) {
  run({"RPUSH", "src", "a", "b", "c"});
  run({"RPUSH", "dst", "x"});
  EXPECT_EQ(run({"LMOVE", "src", "dst", "LEFT", "RIGHT"}), bulk("a"));
  EXPECT_EQ(run({"LMOVE", "src", "dst", "right", "left"}), bulk("c"));
  EXPECT_EQ(all("src"), bulks({"b"}));
  EXPECT_EQ(all("dst"), bulks({"c", "x", "a"}));
}

TEST_F(ListCommands, LmoveCreatesTheDestinationAndDeletesAnEmptiedSource) {
  run({"RPUSH", "src", "a"});
  const uint64_t before = dirty();
  EXPECT_EQ(run({"LMOVE", "src", "dst", "LEFT", "LEFT"}), bulk("a"));
  EXPECT_EQ(dirty() - before, 2u);
  EXPECT_EQ(run({"EXISTS", "src"}), integer(0));
  EXPECT_EQ(all("dst"), bulks({"a"}));
}

TEST_F(ListCommands, LmoveOntoTheSameKeyRotates) {
  run({"RPUSH", "k", "a", "b", "c"});
  EXPECT_EQ(run({"LMOVE", "k", "k", "LEFT", "RIGHT"}), bulk("a"));
  EXPECT_EQ(all("k"), bulks({"b", "c", "a"}));
  run({"RPUSH", "one", "x"});
  EXPECT_EQ(run({"LMOVE", "one", "one", "RIGHT", "LEFT"}), bulk("x"));
  EXPECT_EQ(all("one"), bulks({"x"}));
}

TEST_F(ListCommands, LmoveFromAMissingKeyIsNil) {
  run({"SET", "s", "v"});
  EXPECT_EQ(run({"LMOVE", "missing", "s", "LEFT", "LEFT"}), kNil);
}

TEST_F(ListCommands, LmoveOntoAStringIsWrongTypeAndLeavesTheSource) {
  run({"RPUSH", "src", "a"});
  run({"SET", "s", "v"});
  EXPECT_EQ(run({"LMOVE", "src", "s", "LEFT", "LEFT"}), kWrongType);
  EXPECT_EQ(run({"LMOVE", "s", "src", "LEFT", "LEFT"}), kWrongType);
  EXPECT_EQ(all("src"), bulks({"a"}));
}

TEST_F(ListCommands, LmoveRejectsAnUnknownSide) {
  run({"RPUSH", "src", "a"});
  EXPECT_EQ(run({"LMOVE", "src", "dst", "UP", "LEFT"}), kSyntax);
  EXPECT_EQ(run({"LMOVE", "src", "dst", "LEFT", "DOWN"}), kSyntax);
}

TEST_F(ListCommands, RpoplpushMovesTheTailOntoTheHead) {
  run({"RPUSH", "src", "a", "b"});
  run({"RPUSH", "dst", "x"});
  EXPECT_EQ(run({"RPOPLPUSH", "src", "dst"}), bulk("b"));
  EXPECT_EQ(all("dst"), bulks({"b", "x"}));
  EXPECT_EQ(run({"RPOPLPUSH", "missing", "dst"}), kNil);
}

// --- LMPOP --------------------------------------------------------------------------------------

TEST_F(ListCommands, LmpopPopsFromTheFirstNonEmptyKey) {
  run({"RPUSH", "b", "1", "2", "3"});
  run({"RPUSH", "c", "x"});
  EXPECT_EQ(run({"LMPOP", "3", "a", "b", "c", "LEFT"}), "*2\r\n" + bulk("b") + bulks({"1"}));
  EXPECT_EQ(run({"LMPOP", "2", "b", "c", "RIGHT", "COUNT", "5"}),
            "*2\r\n" + bulk("b") + bulks({"3", "2"}));
  EXPECT_EQ(run({"EXISTS", "b"}), integer(0));
  EXPECT_EQ(run({"LMPOP", "1", "c", "left", "count", "1"}), "*2\r\n" + bulk("c") + bulks({"x"}));
}

TEST_F(ListCommands, LmpopWithNothingToPopIsANullArray) {
  EXPECT_EQ(run({"LMPOP", "2", "a", "b", "LEFT"}), kNullArray);
  h.hello3();
  EXPECT_EQ(run({"LMPOP", "2", "a", "b", "LEFT"}), kResp3Null);
}

TEST_F(ListCommands, LmpopStopsAtAKeyOfAnotherType) {
  run({"SET", "s", "v"});
  run({"RPUSH", "l", "a"});
  EXPECT_EQ(run({"LMPOP", "2", "s", "l", "LEFT"}), kWrongType);
  EXPECT_EQ(run({"LMPOP", "2", "l", "s", "LEFT"}), "*2\r\n" + bulk("l") + bulks({"a"}));
}

TEST_F(ListCommands, LmpopChecksNumkeysAndCount) {
  const std::string numkeys = error_reply("ERR numkeys should be greater than 0");
  const std::string count = error_reply("ERR count should be greater than 0");
  EXPECT_EQ(run({"LMPOP", "0", "a", "LEFT"}), numkeys);
  EXPECT_EQ(run({"LMPOP", "-1", "a", "LEFT"}), numkeys);
  EXPECT_EQ(run({"LMPOP", "x", "a", "LEFT"}), numkeys);
  EXPECT_EQ(run({"LMPOP", "1", "a", "LEFT", "COUNT", "0"}), count);
  EXPECT_EQ(run({"LMPOP", "1", "a", "LEFT", "COUNT", "x"}), count);
  EXPECT_EQ(run({"LMPOP", "2", "a", "LEFT"}), kSyntax);
  EXPECT_EQ(run({"LMPOP", "9223372036854775807", "a", "LEFT"}), kSyntax);
  EXPECT_EQ(run({"LMPOP", "1", "a", "MIDDLE"}), kSyntax);
  EXPECT_EQ(run({"LMPOP", "1", "a", "LEFT", "COUNT"}), kSyntax);
  EXPECT_EQ(run({"LMPOP", "1", "a", "LEFT", "COUNT", "1", "COUNT", "1"}), kSyntax);
  EXPECT_EQ(run({"LMPOP", "1", "a"}),
            error_reply("ERR wrong number of arguments for 'lmpop' command"));
}

// --- Encoding, copies, table rows ---------------------------------------------------------------

TEST_F(ListCommands, EncodingFollowsListMaxListpackSize) {
  h.config().list_max_listpack_size = 4;
  rpush("k", numbers(0, 4));
  EXPECT_EQ(encoding("k"), bulk("listpack"));
  run({"RPUSH", "k", "4"});
  EXPECT_EQ(encoding("k"), bulk("quicklist"));
  run({"RPOP", "k", "3"});
  EXPECT_EQ(encoding("k"), bulk("listpack"));
}

TEST_F(ListCommands, AnElementBiggerThanANodeMakesAQuicklist) {
  run({"RPUSH", "k", std::string(9000, 'x')});
  EXPECT_EQ(encoding("k"), bulk("quicklist"));
  run({"LSET", "k", "0", "small"});
  EXPECT_EQ(encoding("k"), bulk("listpack"));
}

TEST_F(ListCommands, CopyGivesAnIndependentList) {
  run({"RPUSH", "k", "a", "b"});
  EXPECT_EQ(run({"COPY", "k", "c"}), integer(1));
  run({"RPUSH", "k", "z"});
  EXPECT_EQ(all("c"), bulks({"a", "b"}));
  EXPECT_EQ(encoding("c"), bulk("listpack"));
}

TEST_F(ListCommands, TableRowsCarryRedisArityFlagsAndKeys) {
  EXPECT_EQ(spec("lpush").arity, -3);
  EXPECT_EQ(spec("lpush").flags, kCmdWrite | kCmdDenyOom | kCmdFast);
  EXPECT_EQ(spec("lpop").flags, kCmdWrite | kCmdFast);
  EXPECT_EQ(spec("lrange").flags, kCmdReadonly);
  EXPECT_EQ(spec("llen").acl, kAclRead | kAclList);
  EXPECT_EQ(spec("lrem").acl, kAclWrite | kAclList);
  EXPECT_EQ(spec("lmove").first_key, 1);
  EXPECT_EQ(spec("lmove").last_key, 2);
  EXPECT_EQ(spec("rpoplpush").last_key, 2);
  EXPECT_EQ(spec("lmpop").first_key, 0);
  EXPECT_EQ(spec("lmpop").arity, -4);
  EXPECT_EQ(spec("linsert").arity, 5);
  EXPECT_EQ(spec("lpos").arity, -3);
  for (auto name :
       {"lpush", "rpush", "lpushx", "rpushx", "lpop", "rpop", "llen", "lrange", "lindex", "lset",
        "linsert", "lrem", "ltrim", "lpos", "lmove", "rpoplpush", "lmpop"}) {
    EXPECT_EQ(spec(name).group, "list") << name;
  }
}

}  // namespace
}  // namespace stashd::testing
