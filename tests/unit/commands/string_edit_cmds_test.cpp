// Owns: in-process tests of src/commands/string_edit_cmds.cpp (APPEND STRLEN GETRANGE SETRANGE
// SUBSTR LCS) and their table rows. Must not touch: other families' behaviour. Thread: the test's.
#include <gtest/gtest.h>

#include <string>
#include <tuple>

#include "commands/string_fixture.h"

namespace stashd::testing {
namespace {

using StringEditCommands = StringFixture;

const std::string kTooLong =
    error_reply("ERR string exceeds maximum allowed size (proto-max-bulk-len)");

std::string range(int64_t start, int64_t end) {
  return array_header(2) + integer(start) + integer(end);
}

// One IDX match: [[a_start, a_end], [b_start, b_end]] and, when given, its length.
std::string match(int64_t a0, int64_t a1, int64_t b0, int64_t b1, int64_t len = -1) {
  return array_header(len < 0 ? 2 : 3) + range(a0, a1) + range(b0, b1) +
         (len < 0 ? "" : integer(len));
}

// --- APPEND --------------------------------------------------------------------------------------

TEST_F(StringEditCommands, AppendCreatesAMissingKey) {
  EXPECT_EQ(h.run({"APPEND", "k", "Hello"}), integer(5));
  EXPECT_EQ(h.run({"GET", "k"}), bulk("Hello"));
}

TEST_F(StringEditCommands, AppendExtendsTheValueAndRepliesTheNewLength) {
  h.run({"SET", "k", "Hello"});
  EXPECT_EQ(h.run({"APPEND", "k", " World"}), integer(11));
  EXPECT_EQ(h.run({"GET", "k"}), bulk("Hello World"));
  EXPECT_EQ(encoding("k"), Encoding::kHeapString);
}

TEST_F(StringEditCommands, AppendToAnIntegerAppendsToItsText) {
  h.run({"SET", "k", "-12"});
  EXPECT_EQ(h.run({"APPEND", "k", "34"}), integer(5));
  EXPECT_EQ(h.run({"GET", "k"}), bulk("-1234"));
}

TEST_F(StringEditCommands, AppendGrowsAHeapStringInPlace) {
  h.run({"APPEND", "k", "x"});
  std::string expected = "x";
  for (int i = 0; i < 200; ++i) {
    h.run({"APPEND", "k", "abc"});
    expected += "abc";
  }
  EXPECT_EQ(h.run({"STRLEN", "k"}), integer(static_cast<int64_t>(expected.size())));
  EXPECT_EQ(h.run({"GET", "k"}), bulk(expected));
}

TEST_F(StringEditCommands, AppendIsBinarySafeAndKeepsTheTtl) {
  h.run({"SET", "k", "a", "EX", "100"});
  EXPECT_EQ(h.run({"APPEND", "k", std::string_view("\0\r\n", 3)}), integer(4));
  EXPECT_EQ(h.run({"GET", "k"}), bulk(std::string_view("a\0\r\n", 4)));
  EXPECT_EQ(pttl("k"), 100'000);
}

TEST_F(StringEditCommands, AppendPastTheBulkLimitIsRefused) {
  h.config().proto_max_bulk_len = 8;
  h.run({"SET", "k", "12345"});
  EXPECT_EQ(h.run({"APPEND", "k", "678"}), integer(8));
  EXPECT_EQ(h.run({"APPEND", "k", "9"}), kTooLong);
  EXPECT_EQ(h.run({"GET", "k"}), bulk("12345678"));
}

TEST_F(StringEditCommands, AppendOnANonStringIsWrongType) {
  put_list("l");
  EXPECT_EQ(h.run({"APPEND", "l", "x"}), error_reply(kWrongTypeError));
}

// --- STRLEN --------------------------------------------------------------------------------------

TEST_F(StringEditCommands, StrlenCountsBytesOfAnyEncoding) {
  EXPECT_EQ(h.run({"STRLEN", "missing"}), integer(0));
  h.run({"SET", "s", "Hello world"});
  h.run({"SET", "i", "-123"});
  h.run({"SET", "big", std::string(6000, 'z')});
  EXPECT_EQ(h.run({"STRLEN", "s"}), integer(11));
  EXPECT_EQ(h.run({"STRLEN", "i"}), integer(4));
  EXPECT_EQ(h.run({"STRLEN", "big"}), integer(6000));
  put_list("l");
  EXPECT_EQ(h.run({"STRLEN", "l"}), error_reply(kWrongTypeError));
}

// --- GETRANGE / SUBSTR ---------------------------------------------------------------------------

TEST_F(StringEditCommands, GetrangeFollowsTheDocumentedExamples) {
  h.run({"SET", "mykey", "This is a string"});
  EXPECT_EQ(h.run({"GETRANGE", "mykey", "0", "3"}), bulk("This"));
  EXPECT_EQ(h.run({"GETRANGE", "mykey", "-3", "-1"}), bulk("ing"));
  EXPECT_EQ(h.run({"GETRANGE", "mykey", "0", "-1"}), bulk("This is a string"));
  EXPECT_EQ(h.run({"GETRANGE", "mykey", "10", "100"}), bulk("string"));
}

TEST_F(StringEditCommands, GetrangeClampsNegativeIndexesAsRedis7Does) {
  h.run({"SET", "k", "0123456789"});
  EXPECT_EQ(h.run({"GETRANGE", "k", "0", "-100"}), bulk("0"));
  EXPECT_EQ(h.run({"GETRANGE", "k", "-100", "-99"}), bulk("0"));
  EXPECT_EQ(h.run({"GETRANGE", "k", "-1", "-5"}), bulk(""));
  EXPECT_EQ(h.run({"GETRANGE", "k", "5", "2"}), bulk(""));
  EXPECT_EQ(h.run({"GETRANGE", "k", "20", "30"}), bulk(""));
  EXPECT_EQ(h.run({"GETRANGE", "k", "-9223372036854775808", "9223372036854775807"}),
            bulk("0123456789"));
}

TEST_F(StringEditCommands, GetrangeOfAMissingKeyIsEmpty) {
  EXPECT_EQ(h.run({"GETRANGE", "k", "0", "-1"}), bulk(""));
}

TEST_F(StringEditCommands, GetrangeOfAnIntegerUsesItsText) {
  h.run({"SET", "k", "12345"});
  EXPECT_EQ(h.run({"GETRANGE", "k", "1", "2"}), bulk("23"));
}

TEST_F(StringEditCommands, GetrangeRejectsBadArguments) {
  h.run({"SET", "k", "v"});
  EXPECT_EQ(h.run({"GETRANGE", "k", "a", "1"}), error_reply(kNotIntegerError));
  EXPECT_EQ(h.run({"GETRANGE", "k", "0", "-0"}), error_reply(kNotIntegerError));
  put_list("l");
  EXPECT_EQ(h.run({"GETRANGE", "l", "0", "1"}), error_reply(kWrongTypeError));
}

TEST_F(StringEditCommands, SubstrIsGetrange) {
  h.run({"SET", "k", "Hello"});
  EXPECT_EQ(h.run({"SUBSTR", "k", "1", "3"}), bulk("ell"));
  EXPECT_EQ(h.run({"SUBSTR", "k", "1"}),
            error_reply("ERR wrong number of arguments for 'substr' command"));
}

// --- SETRANGE ------------------------------------------------------------------------------------

TEST_F(StringEditCommands, SetrangeFollowsTheDocumentedExamples) {
  h.run({"SET", "key1", "Hello World"});
  EXPECT_EQ(h.run({"SETRANGE", "key1", "6", "Redis"}), integer(11));
  EXPECT_EQ(h.run({"GET", "key1"}), bulk("Hello Redis"));
  EXPECT_EQ(h.run({"SETRANGE", "key2", "6", "Redis"}), integer(11));
  EXPECT_EQ(h.run({"GET", "key2"}), bulk(std::string("\0\0\0\0\0\0Redis", 11)));
}

TEST_F(StringEditCommands, SetrangeInsideAnIntegerRewritesItsText) {
  h.run({"SET", "k", "12345"});
  EXPECT_EQ(h.run({"SETRANGE", "k", "1", "xy"}), integer(5));
  EXPECT_EQ(h.run({"GET", "k"}), bulk("1xy45"));
}

TEST_F(StringEditCommands, SetrangeWithAnEmptyValueChangesNothing) {
  EXPECT_EQ(h.run({"SETRANGE", "k", "10", ""}), integer(0));
  EXPECT_EQ(db().size(), 0u);
  h.run({"SET", "s", "abc"});
  const uint64_t before = dirty();
  EXPECT_EQ(h.run({"SETRANGE", "s", "100", ""}), integer(3));
  EXPECT_EQ(dirty(), before);
}

TEST_F(StringEditCommands, SetrangeKeepsTheTtl) {
  h.run({"SET", "k", "abc", "EX", "100"});
  h.run({"SETRANGE", "k", "1", "X"});
  EXPECT_EQ(pttl("k"), 100'000);
  EXPECT_EQ(h.run({"GET", "k"}), bulk("aXc"));
}

TEST_F(StringEditCommands, SetrangeRejectsNegativeAndNonIntegerOffsets) {
  EXPECT_EQ(h.run({"SETRANGE", "k", "-1", "x"}), error_reply("ERR offset is out of range"));
  EXPECT_EQ(h.run({"SETRANGE", "k", "one", "x"}), error_reply(kNotIntegerError));
  put_list("l");
  EXPECT_EQ(h.run({"SETRANGE", "l", "0", "x"}), error_reply(kWrongTypeError));
}

TEST_F(StringEditCommands, SetrangePastTheBulkLimitIsRefusedBeforeAllocating) {
  EXPECT_EQ(h.run({"SETRANGE", "k", "536870912", "x"}), kTooLong);
  EXPECT_EQ(h.run({"SETRANGE", "k", "9223372036854775807", "x"}), kTooLong);
  h.config().proto_max_bulk_len = 1000;
  EXPECT_EQ(h.run({"SETRANGE", "k", "1000", "x"}), kTooLong);
  EXPECT_EQ(h.run({"SETRANGE", "k", "998", "xyz"}), kTooLong);
  EXPECT_EQ(db().size(), 0u);
  EXPECT_EQ(h.run({"SETRANGE", "k", "999", "x"}), integer(1000));
}

// --- LCS -----------------------------------------------------------------------------------------

TEST_F(StringEditCommands, LcsFollowsTheDocumentedExamples) {
  h.run({"MSET", "key1", "ohmytext", "key2", "mynewtext"});
  EXPECT_EQ(h.run({"LCS", "key1", "key2"}), bulk("mytext"));
  EXPECT_EQ(h.run({"LCS", "key1", "key2", "LEN"}), integer(6));
  EXPECT_EQ(h.run({"LCS", "key1", "key2", "IDX"}),
            array_header(4) + bulk("matches") + array_header(2) + match(4, 7, 5, 8) +
                match(2, 3, 0, 1) + bulk("len") + integer(6));
  EXPECT_EQ(h.run({"LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4"}),
            array_header(4) + bulk("matches") + array_header(1) + match(4, 7, 5, 8) + bulk("len") +
                integer(6));
  EXPECT_EQ(h.run({"LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"}),
            array_header(4) + bulk("matches") + array_header(1) + match(4, 7, 5, 8, 4) +
                bulk("len") + integer(6));
}

TEST_F(StringEditCommands, LcsInResp3RepliesAMap) {
  h.hello3();
  h.run({"MSET", "a", "xay", "b", "a"});
  EXPECT_EQ(h.run({"LCS", "a", "b", "IDX", "WITHMATCHLEN"}),
            "%2\r\n" + bulk("matches") + array_header(1) + match(1, 1, 0, 0, 1) + bulk("len") +
                integer(1));
}

TEST_F(StringEditCommands, LcsTreatsMissingKeysAsEmptyAndReadsIntegers) {
  EXPECT_EQ(h.run({"LCS", "a", "b"}), bulk(""));
  EXPECT_EQ(h.run({"LCS", "a", "b", "IDX"}),
            array_header(4) + bulk("matches") + array_header(0) + bulk("len") + integer(0));
  h.run({"SET", "n", "12345"});
  h.run({"SET", "m", "x24y"});
  EXPECT_EQ(h.run({"LCS", "n", "m"}), bulk("24"));
  EXPECT_EQ(h.run({"LCS", "n", "n", "LEN"}), integer(5));
}

TEST_F(StringEditCommands, LcsIgnoresANegativeMinmatchlen) {
  h.run({"MSET", "a", "abc", "b", "abc"});
  EXPECT_EQ(h.run({"LCS", "a", "b", "IDX", "MINMATCHLEN", "-3"}),
            array_header(4) + bulk("matches") + array_header(1) + match(0, 2, 0, 2) + bulk("len") +
                integer(3));
}

TEST_F(StringEditCommands, LcsRejectsBadOptions) {
  h.run({"MSET", "a", "x", "b", "y"});
  EXPECT_EQ(h.run({"LCS", "a", "b", "LEN", "IDX"}),
            error_reply("ERR If you want both the length and indexes, please just use IDX."));
  EXPECT_EQ(h.run({"LCS", "a", "b", "BOGUS"}), error_reply(kSyntaxError));
  EXPECT_EQ(h.run({"LCS", "a", "b", "MINMATCHLEN"}), error_reply(kSyntaxError));
  EXPECT_EQ(h.run({"LCS", "a", "b", "MINMATCHLEN", "x"}), error_reply(kNotIntegerError));
}

TEST_F(StringEditCommands, LcsOnANonStringKeyIsRefused) {
  h.run({"SET", "s", "abc"});
  put_list("l");
  const std::string refused = error_reply("ERR The specified keys must contain string values");
  EXPECT_EQ(h.run({"LCS", "s", "l"}), refused);
  EXPECT_EQ(h.run({"LCS", "l", "s", "BOGUS"}), refused);
}

TEST_F(StringEditCommands, LcsTableLargerThanTheBulkLimitIsRefused) {
  h.config().proto_max_bulk_len = 1000;
  h.run({"MSET", "a", std::string(20, 'a'), "b", std::string(20, 'a')});
  EXPECT_EQ(h.run({"LCS", "a", "b", "LEN"}),
            error_reply("ERR Insufficient memory, transient memory for LCS exceeds "
                        "proto-max-bulk-len"));
  h.config().proto_max_bulk_len = 21 * 21 * 4;
  EXPECT_EQ(h.run({"LCS", "a", "b", "LEN"}), integer(20));
}

// --- table rows ----------------------------------------------------------------------------------

TEST_F(StringEditCommands, RowsCarryRedisArityFlagsAndKeys) {
  const CommandSpec& lcs = row("lcs");
  EXPECT_EQ(lcs.arity, -3);
  EXPECT_EQ(std::tuple(lcs.first_key, lcs.last_key, lcs.key_step), std::tuple(1, 2, 1));
  EXPECT_EQ(lcs.flags, kCmdReadonly);
  EXPECT_EQ(lcs.since, "7.0.0");
  EXPECT_EQ(row("append").flags, kCmdWrite | kCmdDenyOom | kCmdFast);
  EXPECT_EQ(row("setrange").flags, kCmdWrite | kCmdDenyOom);
  EXPECT_EQ(row("strlen").flags, kCmdReadonly | kCmdFast);
  EXPECT_EQ(row("getrange").acl, kAclRead | kAclString);
  EXPECT_EQ(row("substr").since, "1.0.0");
}

}  // namespace
}  // namespace stashd::testing
