// Owns: in-process tests of src/commands/sort_cmds.cpp (SORT, SORT_RO) and their table rows. The
// expected replies were checked byte for byte against redis-server 7.0.15.
// Must not touch: other families' behaviour. Thread: the test's.
#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "commands/harness.h"

namespace stashd::testing {
namespace {

std::string error_reply(std::string_view s) {
  std::string r = "-";
  r.append(s).append("\r\n");
  return r;
}

// An array reply; "(nil)" stands for a RESP2 null bulk string.
std::string array(std::initializer_list<std::string_view> items) {
  std::string out = "*";
  out.append(std::to_string(items.size())).append("\r\n");
  for (std::string_view item : items) out += item == "(nil)" ? kNil : bulk(item);
  return out;
}

std::string array(const std::vector<std::string>& items) {
  std::string out = "*";
  out.append(std::to_string(items.size())).append("\r\n");
  for (const std::string& item : items) out += bulk(item);
  return out;
}

const std::string kEmptyArray = "*0\r\n";
const std::string kSyntax = error_reply("ERR syntax error");
const std::string kNotInteger = error_reply("ERR value is not an integer or out of range");
const std::string kNotDouble = error_reply("ERR One or more scores can't be converted into double");
const std::string kWrongType =
    error_reply("WRONGTYPE Operation against a key holding the wrong kind of value");

class SortCommands : public ::testing::Test {
 protected:
  std::string run(std::initializer_list<std::string_view> args) { return h.run(args); }
  void push(std::string_view command, std::string_view key, const std::vector<std::string>& args) {
    std::vector<std::string_view> argv{command, key};
    argv.insert(argv.end(), args.begin(), args.end());
    h.run(argv);
  }
  std::string all(std::string_view key) { return run({"LRANGE", key, "0", "-1"}); }
  const CommandSpec& spec(std::string_view name) { return h.node().commands().find(name)->spec; }

  // The list l = a b c d with numeric weights w_a=3 w_b=1 w_c=2 (w_d missing) and hash weights
  // h_a{f=30,g=x} h_b{f=10} h_d{f=20} (h_c missing).
  void weighted_list() {
    run({"RPUSH", "l", "a", "b", "c", "d"});
    run({"MSET", "w_a", "3", "w_b", "1", "w_c", "2"});
    run({"HSET", "h_a", "f", "30", "g", "x"});
    run({"HSET", "h_b", "f", "10"});
    run({"HSET", "h_d", "f", "20"});
  }

  CommandHarness h;
};

TEST_F(SortCommands, SortsListNumericallyByDefault) {
  run({"RPUSH", "n", "3", "1", "2", "10", "02", "2.0", " 5", "1e1", "0x10", "inf", "-inf"});
  EXPECT_EQ(run({"SORT", "n"}),
            array({"-inf", "1", "02", "2", "2.0", "3", " 5", "10", "1e1", "0x10", "inf"}));
}

TEST_F(SortCommands, DescReversesNumericOrderIncludingTies) {
  run({"RPUSH", "n", "3", "1", "2", "10", "02", "2.0", " 5", "1e1", "0x10", "inf", "-inf"});
  EXPECT_EQ(run({"SORT", "n", "DESC"}),
            array({"inf", "0x10", "1e1", "10", " 5", "3", "2.0", "2", "02", "1", "-inf"}));
}

TEST_F(SortCommands, ReadsAnEmptyElementAsZero) {
  run({"RPUSH", "e", "", "1"});
  EXPECT_EQ(run({"SORT", "e"}), array({"", "1"}));
}

TEST_F(SortCommands, RejectsElementsThatAreNotNumbers) {
  for (std::string_view bad : {"b", "nan", "1e400", "1e-400", "1 "}) {
    run({"DEL", "x"});
    run({"RPUSH", "x", "1", bad});
    EXPECT_EQ(run({"SORT", "x"}), kNotDouble) << bad;
  }
}

TEST_F(SortCommands, ReportsABadNumberEvenWhenLimitSelectsNothing) {
  run({"RPUSH", "l", "a", "b"});
  EXPECT_EQ(run({"SORT", "l", "LIMIT", "0", "0"}), kNotDouble);
}

TEST_F(SortCommands, AlphaComparesBytes) {
  run({"RPUSH", "l", "3", "1", "2", "10", "b", "B"});
  EXPECT_EQ(run({"SORT", "l", "ALPHA"}), array({"1", "10", "2", "3", "B", "b"}));
  EXPECT_EQ(run({"SORT", "l", "ALPHA", "DESC"}), array({"b", "B", "3", "2", "10", "1"}));
}

TEST_F(SortCommands, LastOfAscAndDescWins) {
  run({"RPUSH", "l", "a", "b", "c", "d"});
  EXPECT_EQ(run({"SORT", "l", "ASC", "DESC", "ASC", "ALPHA"}), array({"a", "b", "c", "d"}));
}

TEST_F(SortCommands, SortsSetsAndSortedSets) {
  run({"SADD", "s", "5", "3", "10", "1"});
  EXPECT_EQ(run({"SORT", "s"}), array({"1", "3", "5", "10"}));
  EXPECT_EQ(run({"SORT", "s", "DESC", "LIMIT", "1", "2"}), array({"5", "3"}));
  run({"ZADD", "z", "3", "a", "1", "b", "2", "c", "0", "d"});
  EXPECT_EQ(run({"SORT", "z", "ALPHA"}), array({"a", "b", "c", "d"}));
  EXPECT_EQ(run({"SORT", "z"}), kNotDouble);
}

TEST_F(SortCommands, SortsAMissingKeyAsEmpty) {
  EXPECT_EQ(run({"SORT", "nokey"}), kEmptyArray);
  EXPECT_EQ(run({"SORT_RO", "nokey", "BY", "nosort", "GET", "#"}), kEmptyArray);
}

TEST_F(SortCommands, RejectsOtherTypesAfterParsingOptions) {
  run({"SET", "s", "x"});
  run({"HSET", "h", "f", "v"});
  EXPECT_EQ(run({"SORT", "s"}), kWrongType);
  EXPECT_EQ(run({"SORT_RO", "h"}), kWrongType);
  EXPECT_EQ(run({"SORT", "s", "LIMIT", "a", "1"}), kNotInteger);
  EXPECT_EQ(run({"SORT", "s", "foo"}), kSyntax);
}

TEST_F(SortCommands, RejectsMalformedOptions) {
  run({"RPUSH", "l", "1"});
  EXPECT_EQ(run({"SORT", "l", "STORE"}), kSyntax);
  EXPECT_EQ(run({"SORT", "l", "LIMIT", "1"}), kSyntax);
  EXPECT_EQ(run({"SORT", "l", "BY"}), kSyntax);
  EXPECT_EQ(run({"SORT", "l", "GET"}), kSyntax);
  EXPECT_EQ(run({"SORT", "l", "ALPHA", "NOPE"}), kSyntax);
  EXPECT_EQ(run({"SORT", "l", "LIMIT", "a", "1"}), kNotInteger);
  EXPECT_EQ(run({"SORT", "l", "LIMIT", "0", "1.5"}), kNotInteger);
  EXPECT_EQ(run({"SORT", "nokey", "LIMIT", "a", "1"}), kNotInteger);
  EXPECT_EQ(run({"SORT"}), error_reply("ERR wrong number of arguments for 'sort' command"));
}

TEST_F(SortCommands, SortReadOnlyRefusesStore) {
  run({"RPUSH", "l", "3", "1", "2"});
  EXPECT_EQ(run({"SORT_RO", "l", "STORE", "x"}), kSyntax);
  EXPECT_EQ(run({"SORT_RO", "l", "STORE"}), kSyntax);
  EXPECT_EQ(run({"EXISTS", "x"}), integer(0));
  EXPECT_EQ(run({"SORT_RO", "l", "LIMIT", "0", "1", "ALPHA"}), array({"1"}));
  EXPECT_EQ(run({"SORT_RO", "l", "BY", "nosort", "DESC"}), array({"2", "1", "3"}));
}

TEST_F(SortCommands, LimitSelectsAWindowOfTheSortedResult) {
  run({"RPUSH", "n", "3", "1", "2", "10", "02", "2.0", " 5", "1e1", "0x10", "inf", "-inf"});
  EXPECT_EQ(run({"SORT", "n", "LIMIT", "2", "3"}), array({"02", "2", "2.0"}));
  EXPECT_EQ(run({"SORT", "n", "DESC", "LIMIT", "0", "2"}), array({"inf", "0x10"}));
  EXPECT_EQ(run({"SORT", "n", "LIMIT", "0", "1", "LIMIT", "1", "1"}), array({"1"}));
}

TEST_F(SortCommands, LimitClampsOffsetAndCount) {
  run({"RPUSH", "n", "3", "1", "2", "10", "02", "2.0", " 5", "1e1", "0x10", "inf", "-inf"});
  EXPECT_EQ(run({"SORT", "n", "LIMIT", "-5", "3"}), array({"-inf", "1", "02"}));
  EXPECT_EQ(run({"SORT", "n", "LIMIT", "2", "-1"}),
            array({"02", "2", "2.0", "3", " 5", "10", "1e1", "0x10", "inf"}));
  EXPECT_EQ(run({"SORT", "n", "LIMIT", "20", "-1"}), kEmptyArray);
  EXPECT_EQ(run({"SORT", "n", "LIMIT", "0", "0"}), kEmptyArray);
  EXPECT_EQ(run({"SORT", "n", "LIMIT", "9223372036854775807", "9223372036854775807"}), kEmptyArray);
  EXPECT_EQ(run({"SORT", "n", "LIMIT", "9", "9223372036854775807"}), array({"0x10", "inf"}));
  EXPECT_EQ(run({"SORT", "n", "LIMIT", "-9223372036854775808", "2"}), array({"-inf", "1"}));
}

TEST_F(SortCommands, ByPatternSortsByReferencedStrings) {
  weighted_list();
  EXPECT_EQ(run({"SORT", "l", "BY", "w_*"}), array({"d", "b", "c", "a"}));
  EXPECT_EQ(run({"SORT", "l", "BY", "w_*", "DESC"}), array({"a", "c", "b", "d"}));
  EXPECT_EQ(run({"SORT", "l", "BY", "w_*", "ALPHA"}), array({"d", "b", "c", "a"}));
}

TEST_F(SortCommands, ByPatternReadsHashFields) {
  weighted_list();
  EXPECT_EQ(run({"SORT", "l", "BY", "h_*->f"}), array({"c", "b", "d", "a"}));
  run({"HSET", "h_c", "f", "abc"});
  EXPECT_EQ(run({"SORT", "l", "BY", "h_*->f"}), kNotDouble);
  EXPECT_EQ(run({"SORT", "l", "BY", "h_*->f", "ALPHA"}), array({"b", "d", "a", "c"}));
}

TEST_F(SortCommands, ByPatternRejectsWeightsThatAreNotNumbers) {
  weighted_list();
  EXPECT_EQ(run({"SORT", "l", "BY", "h_*->g"}), kNotDouble);
  run({"SET", "w_c", "xyz"});
  EXPECT_EQ(run({"SORT", "l", "BY", "w_*"}), kNotDouble);
  EXPECT_EQ(run({"SORT", "l", "BY", "w_*", "ALPHA"}), array({"d", "b", "a", "c"}));
}

TEST_F(SortCommands, AlphaByPutsMissingValuesFirstAndKeepsTiesInSourceOrder) {
  weighted_list();
  EXPECT_EQ(run({"SORT", "l", "BY", "h_*->g", "ALPHA"}), array({"b", "c", "d", "a"}));
  EXPECT_EQ(run({"SORT", "l", "BY", "h_*->g", "ALPHA", "DESC"}), array({"a", "b", "c", "d"}));
}

TEST_F(SortCommands, EqualWeightsFallBackToComparingElements) {
  run({"RPUSH", "tie", "2", "1", "b", "a"});
  run({"MSET", "w_1", "1", "w_2", "1", "w_a", "1", "w_b", "1"});
  EXPECT_EQ(run({"SORT", "tie", "BY", "w_*"}), array({"1", "2", "a", "b"}));
  EXPECT_EQ(run({"SORT", "tie", "BY", "w_*", "DESC"}), array({"b", "a", "2", "1"}));
  EXPECT_EQ(run({"SORT", "tie", "BY", "w_*", "ALPHA"}), array({"2", "1", "b", "a"}));
  EXPECT_EQ(run({"SORT", "tie", "BY", "w_*", "ALPHA", "DESC"}), array({"2", "1", "b", "a"}));
  EXPECT_EQ(run({"SORT", "tie", "BY", "w_*", "ALPHA", "LIMIT", "1", "2"}), array({"1", "b"}));
}

TEST_F(SortCommands, ByPatternMissingKeysWeighZero) {
  run({"RPUSH", "l", "a", "b", "c"});
  run({"SET", "w_b", "-1"});
  EXPECT_EQ(run({"SORT", "l", "BY", "w_*"}), array({"b", "a", "c"}));
}

TEST_F(SortCommands, ByPatternIgnoresKeysOfOtherTypes) {
  run({"RPUSH", "l", "a", "b"});
  run({"RPUSH", "w_a", "5"});
  run({"SET", "w_b", "-1"});
  run({"SET", "h_a", "7"});
  EXPECT_EQ(run({"SORT", "l", "BY", "w_*"}), array({"b", "a"}));
  EXPECT_EQ(run({"SORT", "l", "BY", "h_*->f", "GET", "h_*->f"}), array({"(nil)", "(nil)"}));
}

TEST_F(SortCommands, ArrowWithoutFieldOrBeforeStarIsPartOfTheKey) {
  run({"RPUSH", "l", "a", "b", "c", "d"});
  EXPECT_EQ(run({"SORT", "l", "BY", "w_*->"}), array({"a", "b", "c", "d"}));
  run({"SET", "w_a->", "5"});
  EXPECT_EQ(run({"SORT", "l", "BY", "w_*->", "GET", "w_*->"}),
            array({"(nil)", "(nil)", "(nil)", "5"}));
  run({"SET", "w->a_f", "5"});
  EXPECT_EQ(run({"SORT", "l", "BY", "w->*_f", "GET", "w->*_f"}),
            array({"(nil)", "(nil)", "(nil)", "5"}));
}

TEST_F(SortCommands, ByNosortKeepsListOrder) {
  run({"RPUSH", "l", "a", "b", "c", "d"});
  EXPECT_EQ(run({"SORT", "l", "BY", "nosort"}), array({"a", "b", "c", "d"}));
  EXPECT_EQ(run({"SORT", "l", "BY", "nosort", "DESC"}), array({"d", "c", "b", "a"}));
  EXPECT_EQ(run({"SORT", "l", "BY", "nosort", "LIMIT", "1", "2"}), array({"b", "c"}));
  EXPECT_EQ(run({"SORT", "l", "BY", "nosort", "DESC", "LIMIT", "1", "2"}), array({"c", "b"}));
  EXPECT_EQ(run({"SORT", "l", "BY", "nosort", "DESC", "LIMIT", "10", "2"}), kEmptyArray);
}

TEST_F(SortCommands, ByNosortSkipsNumberChecks) {
  run({"RPUSH", "l", "x", "y"});
  EXPECT_EQ(run({"SORT", "l", "BY", "nosort"}), array({"x", "y"}));
}

TEST_F(SortCommands, ByNosortReturnsSortedSetOrder) {
  run({"ZADD", "z", "3", "a", "1", "b", "2", "c", "0", "d"});
  EXPECT_EQ(run({"SORT", "z", "BY", "nosort"}), array({"d", "b", "c", "a"}));
  EXPECT_EQ(run({"SORT", "z", "BY", "nosort", "DESC", "LIMIT", "1", "2"}), array({"c", "b"}));
  EXPECT_EQ(run({"SORT", "z", "BY", "nosort", "LIMIT", "1", "-1"}), array({"b", "c", "a"}));
}

TEST_F(SortCommands, ANosortByStaysInForceWhateverComesAfter) {
  weighted_list();
  EXPECT_EQ(run({"SORT", "l", "BY", "w_*", "BY", "nosort"}), array({"a", "b", "c", "d"}));
  EXPECT_EQ(run({"SORT", "l", "BY", "nosort", "BY", "w_*"}), array({"a", "b", "c", "d"}));
}

TEST_F(SortCommands, GetReturnsElementsStringsAndHashFields) {
  weighted_list();
  EXPECT_EQ(run({"SORT", "l", "BY", "h_*->f", "GET", "#", "GET", "h_*->g", "GET", "w_*", "GET",
                 "nopattern", "GET", "h_*->"}),
            array({"c", "(nil)", "2",     "(nil)", "(nil)",  //
                   "b", "(nil)", "1",     "(nil)", "(nil)",  //
                   "d", "(nil)", "(nil)", "(nil)", "(nil)",  //
                   "a", "x",     "3",     "(nil)", "(nil)"}));
}

TEST_F(SortCommands, GetWithSortedSetInNosortOrder) {
  weighted_list();
  run({"ZADD", "z", "3", "a", "1", "b", "2", "c", "0", "d"});
  EXPECT_EQ(run({"SORT", "z", "BY", "nosort", "GET", "w_*", "GET", "#"}),
            array({"(nil)", "d", "1", "b", "2", "c", "3", "a"}));
}

TEST_F(SortCommands, GetRepliesRespThreeNulls) {
  run({"RPUSH", "l", "a", "b"});
  h.hello3();
  EXPECT_EQ(run({"SORT", "l", "BY", "nosort", "GET", "nope_*"}), "*2\r\n_\r\n_\r\n");
}

TEST_F(SortCommands, StoreWritesAListAndRepliesItsLength) {
  weighted_list();
  EXPECT_EQ(run({"SORT", "l", "BY", "w_*", "STORE", "dst"}), integer(4));
  EXPECT_EQ(all("dst"), array({"d", "b", "c", "a"}));
}

TEST_F(SortCommands, StoreKeepsMissingGetValuesAsEmptyStrings) {
  weighted_list();
  EXPECT_EQ(run({"SORT", "l", "BY", "w_*", "GET", "w_*", "STORE", "dst"}), integer(4));
  EXPECT_EQ(all("dst"), array({"", "1", "2", "3"}));
  EXPECT_EQ(run({"SORT", "l", "BY", "w_*", "GET", "h_*->g", "GET", "#", "STORE", "dst"}),
            integer(8));
  EXPECT_EQ(all("dst"), array({"", "d", "", "b", "", "c", "x", "a"}));
}

TEST_F(SortCommands, StoreReplacesAnyTypeAndDropsTheDeadline) {
  run({"SADD", "s", "5", "3", "10", "1"});
  run({"HSET", "hh", "f", "v"});
  EXPECT_EQ(run({"SORT", "s", "STORE", "hh"}), integer(4));
  EXPECT_EQ(run({"TYPE", "hh"}), "+list\r\n");
  run({"SET", "d2", "x", "PX", "100000"});
  EXPECT_EQ(run({"SORT", "s", "STORE", "d2"}), integer(4));
  EXPECT_EQ(run({"PTTL", "d2"}), integer(-1));
  EXPECT_EQ(all("d2"), array({"1", "3", "5", "10"}));
}

TEST_F(SortCommands, StoreOfAnEmptyResultDeletesTheDestination) {
  run({"SET", "dst", "x"});
  EXPECT_EQ(run({"SORT", "nokey", "STORE", "dst"}), integer(0));
  EXPECT_EQ(run({"EXISTS", "dst"}), integer(0));
  run({"RPUSH", "l", "1", "2"});
  run({"SET", "dst", "x"});
  EXPECT_EQ(run({"SORT", "l", "LIMIT", "5", "1", "STORE", "dst"}), integer(0));
  EXPECT_EQ(run({"EXISTS", "dst"}), integer(0));
}

TEST_F(SortCommands, StoreOntoTheSourceReplacesIt) {
  run({"RPUSH", "self", "3", "1", "2"});
  EXPECT_EQ(run({"SORT", "self", "STORE", "self"}), integer(3));
  EXPECT_EQ(all("self"), array({"1", "2", "3"}));
}

TEST_F(SortCommands, StoreLeavesTheDestinationAloneOnANumberError) {
  run({"RPUSH", "l", "a"});
  run({"SET", "dst", "x"});
  EXPECT_EQ(run({"SORT", "l", "STORE", "dst"}), kNotDouble);
  EXPECT_EQ(run({"GET", "dst"}), bulk("x"));
}

TEST_F(SortCommands, StoreOfAnUnsortedSetSortsItAlpha) {
  run({"SADD", "t", "b", "10", "a", "2"});
  EXPECT_EQ(run({"SORT", "t", "BY", "nosort", "STORE", "d"}), integer(4));
  EXPECT_EQ(all("d"), array({"10", "2", "a", "b"}));
  EXPECT_EQ(run({"SORT", "t", "BY", "nosort", "DESC", "STORE", "d"}), integer(4));
  EXPECT_EQ(all("d"), array({"b", "a", "2", "10"}));
}

TEST_F(SortCommands, StoreCountsEveryStoredElementAsAChange) {
  run({"RPUSH", "l", "3", "1", "2"});
  const uint64_t before = h.node().dirty;
  run({"SORT", "l", "GET", "#", "GET", "#", "STORE", "dst"});
  EXPECT_EQ(h.node().dirty, before + 6);
  run({"SORT", "l", "LIMIT", "0", "0", "STORE", "dst"});
  EXPECT_EQ(h.node().dirty, before + 7);
  run({"SORT", "l", "LIMIT", "0", "0", "STORE", "dst"});
  EXPECT_EQ(h.node().dirty, before + 7);
}

TEST_F(SortCommands, StoreInvalidatesWatchersOfTheDestination) {
  run({"RPUSH", "l", "1"});
  run({"WATCH", "dst"});
  run({"SORT", "l", "STORE", "dst"});
  run({"MULTI"});
  run({"PING"});
  EXPECT_EQ(run({"EXEC"}), "*-1\r\n");
}

TEST_F(SortCommands, ExpiredPatternKeysAreMissing) {
  run({"RPUSH", "l", "a", "b"});
  run({"SET", "w_a", "5", "PX", "100"});
  run({"SET", "w_b", "1"});
  EXPECT_EQ(run({"SORT", "l", "BY", "w_*", "GET", "w_*"}), array({"1", "5"}));
  h.clock().advance_ms(200);
  EXPECT_EQ(run({"SORT", "l", "BY", "w_*", "GET", "w_*"}), array({"(nil)", "1"}));
}

TEST_F(SortCommands, SortsLargeEncodingsLikeSmallOnes) {
  std::vector<std::string> values;
  for (int i = 0; i < 1000; ++i) values.push_back(std::to_string((i * 7919) % 1000));
  push("RPUSH", "l", values);
  push("SADD", "s", values);
  std::vector<std::string> zargs;
  for (const std::string& v : values) {
    zargs.push_back(std::to_string(1000 - std::stoi(v)));
    zargs.push_back(v);
  }
  push("ZADD", "z", zargs);
  std::vector<std::string> sorted = values;
  std::sort(sorted.begin(), sorted.end(),
            [](const std::string& a, const std::string& b) { return std::stoi(a) < std::stoi(b); });
  EXPECT_EQ(run({"SORT", "l"}), array(sorted));
  EXPECT_EQ(run({"SORT", "s"}), array(sorted));
  EXPECT_EQ(run({"SORT", "z"}), array(sorted));
  EXPECT_EQ(run({"SORT", "z", "BY", "nosort", "DESC"}), array(sorted));
  EXPECT_EQ(run({"SORT", "l", "LIMIT", "500", "3"}), array({"500", "501", "502"}));
  EXPECT_EQ(run({"SORT", "s", "DESC", "LIMIT", "0", "2"}), array({"999", "998"}));
  EXPECT_EQ(run({"SORT", "l", "BY", "nosort", "LIMIT", "1", "2"}), array({values[1], values[2]}));
  EXPECT_EQ(run({"SORT", "l", "BY", "nosort", "DESC", "LIMIT", "1", "2"}),
            array({values[998], values[997]}));
}

TEST_F(SortCommands, ReadsFieldsOfLargeHashes) {
  std::vector<std::string> fields;
  for (int i = 0; i < 300; ++i) {
    fields.push_back("f" + std::to_string(i));
    fields.push_back(std::to_string(i));
  }
  push("HSET", "h_a", fields);
  push("HSET", "h_b", {"f7", "-3"});
  run({"RPUSH", "l", "a", "b"});
  EXPECT_EQ(run({"SORT", "l", "BY", "h_*->f299", "GET", "h_*->f7"}), array({"-3", "7"}));
  EXPECT_EQ(run({"SORT", "l", "BY", "h_*->f7", "GET", "h_*->f299"}), array({"(nil)", "299"}));
}

TEST_F(SortCommands, TableRowsCarryRedisArityFlagsAndKeys) {
  EXPECT_EQ(spec("sort").arity, -2);
  EXPECT_EQ(spec("sort").flags, kCmdWrite | kCmdDenyOom);
  EXPECT_EQ(spec("sort").acl, kAclWrite | kAclSet | kAclSortedSet | kAclList | kAclDangerous);
  EXPECT_EQ(spec("sort").since, "1.0.0");
  EXPECT_EQ(spec("sort_ro").arity, -2);
  EXPECT_EQ(spec("sort_ro").flags, kCmdReadonly);
  EXPECT_EQ(spec("sort_ro").acl, kAclRead | kAclSet | kAclSortedSet | kAclList | kAclDangerous);
  EXPECT_EQ(spec("sort_ro").since, "7.0.0");
  for (std::string_view name : {"sort", "sort_ro"}) {
    EXPECT_EQ(spec(name).first_key, 1) << name;
    EXPECT_EQ(spec(name).last_key, 1) << name;
    EXPECT_EQ(spec(name).key_step, 1) << name;
    EXPECT_EQ(spec(name).group, "generic") << name;
  }
}

}  // namespace
}  // namespace stashd::testing
