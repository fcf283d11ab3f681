// Owns: in-process tests of src/commands/bitfield_cmds.cpp (BITFIELD, BITFIELD_RO) and their
// table rows. Must not touch: other families' behaviour. Thread: the test's.
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

#include "commands/string_fixture.h"

namespace stashd::testing {
namespace {

using BitfieldCommands = StringFixture;

const std::string kBadType = error_reply(
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but "
    "i64 is.");
const std::string kBadOffset = error_reply("ERR bit offset is not an integer or out of range");

// An array reply of integers; INT64_MIN stands for a nil element.
std::string ints(std::initializer_list<int64_t> values) {
  std::string out = array_header(values.size());
  for (int64_t v : values) out += v == INT64_MIN ? kNil : integer(v);
  return out;
}
constexpr int64_t kNilElement = INT64_MIN;

TEST_F(BitfieldCommands, FollowsTheDocumentedExample) {
  EXPECT_EQ(h.run({"BITFIELD", "mykey", "INCRBY", "i5", "100", "1", "GET", "u4", "0"}),
            ints({1, 0}));
}

TEST_F(BitfieldCommands, OverflowSatFollowsTheDocumentedExample) {
  const std::initializer_list<std::string_view> cmd = {"BITFIELD", "mykey", "incrby",   "u2",
                                                       "100",      "1",     "OVERFLOW", "SAT",
                                                       "incrby",   "u2",    "102",      "1"};
  EXPECT_EQ(h.run(cmd), ints({1, 1}));
  EXPECT_EQ(h.run(cmd), ints({2, 2}));
  EXPECT_EQ(h.run(cmd), ints({3, 3}));
  EXPECT_EQ(h.run(cmd), ints({0, 3}));
}

TEST_F(BitfieldCommands, SetRepliesTheOldValueAndGetReadsEitherSignedness) {
  EXPECT_EQ(h.run({"BITFIELD", "k", "SET", "i8", "0", "-100", "GET", "i8", "0", "GET", "u8", "0"}),
            ints({0, -100, 156}));
  EXPECT_EQ(h.run({"BITFIELD", "k", "SET", "u4", "4", "15", "GET", "u8", "0"}), ints({12, 159}));
}

TEST_F(BitfieldCommands, FieldsMayStraddleBytes) {
  EXPECT_EQ(h.run({"BITFIELD", "k", "SET", "u12", "6", "4095"}), ints({0}));
  EXPECT_EQ(h.run({"GET", "k"}), bulk(std::string("\x03\xff\xc0", 3)));
  EXPECT_EQ(h.run({"BITFIELD", "k", "GET", "u12", "6", "GET", "i3", "5"}), ints({4095, 3}));
}

TEST_F(BitfieldCommands, HashOffsetsCountInFieldWidths) {
  EXPECT_EQ(h.run({"BITFIELD", "k", "SET", "u8", "#1", "255", "GET", "u8", "8"}), ints({0, 255}));
  EXPECT_EQ(h.run({"BITFIELD", "k", "SET", "i4", "#5", "-1", "GET", "u16", "8"}),
            ints({0, 0xff0f}));
}

TEST_F(BitfieldCommands, SixtyFourBitSignedAndSixtyThreeBitUnsignedFieldsWork) {
  EXPECT_EQ(h.run({"BITFIELD", "k", "SET", "i64", "0", "-1", "GET", "i64", "0", "GET", "u63", "0"}),
            ints({0, -1, INT64_MAX}));
  // INT64_MAX + 1 wraps to INT64_MIN (written out: ints() uses INT64_MIN for nil).
  EXPECT_EQ(
      h.run({"BITFIELD", "k", "SET", "i64", "0", "9223372036854775807", "INCRBY", "i64", "0", "1"}),
      array_header(2) + integer(-1) + integer(INT64_MIN));
}

TEST_F(BitfieldCommands, OverflowWrapIsTheDefault) {
  EXPECT_EQ(h.run({"BITFIELD", "k", "SET", "i8", "0", "127", "INCRBY", "i8", "0", "1"}),
            ints({0, -128}));
  EXPECT_EQ(h.run({"BITFIELD", "k", "SET", "i8", "0", "200", "GET", "i8", "0"}), ints({-128, -56}));
  EXPECT_EQ(h.run({"BITFIELD", "u", "INCRBY", "u4", "0", "-1", "SET", "u8", "8", "-1"}),
            ints({15, 0}));
  EXPECT_EQ(h.run({"BITFIELD", "u", "GET", "u8", "8", "INCRBY", "u4", "0", "17"}), ints({255, 0}));
}

TEST_F(BitfieldCommands, OverflowSatClampsToTheFieldRange) {
  EXPECT_EQ(h.run({"BITFIELD", "k", "OVERFLOW", "SAT", "SET", "i8", "0", "200", "GET", "i8", "0",
                   "SET", "i8", "0", "-200", "GET", "i8", "0"}),
            ints({0, 127, 127, -128}));
  EXPECT_EQ(h.run({"BITFIELD", "k", "OVERFLOW", "sat", "INCRBY", "i8", "0", "-1"}), ints({-128}));
  EXPECT_EQ(h.run({"BITFIELD", "u", "OVERFLOW", "SAT", "INCRBY", "u4", "0", "-3", "SET", "u8", "8",
                   "-1", "GET", "u8", "8"}),
            ints({0, 0, 255}));
  EXPECT_EQ(h.run({"BITFIELD", "s", "OVERFLOW", "SAT", "INCRBY", "i64", "0", "9223372036854775807",
                   "INCRBY", "i64", "0", "1"}),
            ints({INT64_MAX, INT64_MAX}));
}

// Regression (found by differential fuzzing against redis-server 7.0.15): Redis's headroom
// max - value wraps for a SET value more than INT64_MAX below max, and SAT then stores max.
TEST_F(BitfieldCommands, OverflowSatOfAFarNegativeSetValueStoresMaxAsRedisDoes) {
  EXPECT_EQ(h.run({"BITFIELD", "k", "OVERFLOW", "SAT", "SET", "i33", "0", "-9223372036854775808",
                   "GET", "i33", "0"}),
            ints({0, 4294967295}));
  EXPECT_EQ(h.run({"BITFIELD", "k", "OVERFLOW", "SAT", "SET", "i8", "8", "-9223372036854775681",
                   "GET", "i8", "8", "SET", "i8", "8", "-9223372036854775680", "GET", "i8", "8"}),
            ints({-1, 127, 127, -128}));
}

TEST_F(BitfieldCommands, OverflowFailRepliesNilAndLeavesTheField) {
  EXPECT_EQ(
      h.run({"BITFIELD", "k",   "OVERFLOW", "FAIL", "INCRBY", "u2", "0",      "4",  "SET", "u8",
             "8",        "256", "SET",      "i4",   "16",     "-9", "INCRBY", "u2", "0",   "3"}),
      ints({kNilElement, kNilElement, kNilElement, 3}));
  EXPECT_EQ(
      h.run({"BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "-4", "GET", "u2", "0"}),
      ints({kNilElement, 3}));
}

TEST_F(BitfieldCommands, OverflowAppliesOnlyToLaterOperations) {
  EXPECT_EQ(h.run({"BITFIELD", "k", "INCRBY", "u2", "0", "5", "OVERFLOW", "FAIL", "INCRBY", "u2",
                   "0", "5", "OVERFLOW", "WRAP", "INCRBY", "u2", "0", "5"}),
            ints({1, kNilElement, 2}));
}

TEST_F(BitfieldCommands, WritesCreateTheKeyAndKeepItsTtl) {
  h.run({"SET", "k", "a", "EX", "100"});
  EXPECT_EQ(h.run({"BITFIELD", "k", "SET", "u8", "16", "1"}), ints({0}));
  EXPECT_EQ(h.run({"GET", "k"}), bulk(std::string("a\0\x01", 3)));
  EXPECT_EQ(pttl("k"), 100'000);
}

TEST_F(BitfieldCommands, OnlyGetsNeverCreateTheKey) {
  EXPECT_EQ(h.run({"BITFIELD", "k", "GET", "u8", "0", "GET", "i16", "1000"}), ints({0, 0}));
  EXPECT_EQ(h.run({"BITFIELD", "k"}), array_header(0));
  EXPECT_EQ(db().size(), 0u);
}

TEST_F(BitfieldCommands, ReadOnlyVariantRunsGetsAndRefusesWrites) {
  h.run({"SET", "k", "A"});  // 0x41
  EXPECT_EQ(h.run({"BITFIELD_RO", "k", "GET", "u8", "0", "GET", "u4", "4"}), ints({65, 1}));
  EXPECT_EQ(h.run({"BITFIELD_RO", "k", "SET", "u8", "0", "1"}),
            error_reply("ERR BITFIELD_RO only supports the GET subcommand"));
  EXPECT_EQ(h.run({"BITFIELD_RO", "k", "INCRBY", "u8", "0", "1"}),
            error_reply("ERR BITFIELD_RO only supports the GET subcommand"));
  EXPECT_EQ(h.run({"GET", "k"}), bulk("A"));
}

TEST_F(BitfieldCommands, RejectsBadTypes) {
  for (std::string_view type : {"u64", "i65", "i0", "u0", "x8", "I8", "u", "i08", "8"}) {
    EXPECT_EQ(h.run({"BITFIELD", "k", "GET", type, "0"}), kBadType) << type;
  }
  EXPECT_EQ(h.run({"BITFIELD_RO", "k", "GET", "u64", "0"}), kBadType);
}

TEST_F(BitfieldCommands, RejectsBadOffsetsValuesAndSyntax) {
  EXPECT_EQ(h.run({"BITFIELD", "k", "GET", "u8", "-1"}), kBadOffset);
  EXPECT_EQ(h.run({"BITFIELD", "k", "GET", "u8", "#-1"}), kBadOffset);
  EXPECT_EQ(h.run({"BITFIELD", "k", "GET", "u8", "x"}), kBadOffset);
  EXPECT_EQ(h.run({"BITFIELD", "k", "GET", "u8", "4294967296"}), kBadOffset);
  EXPECT_EQ(h.run({"BITFIELD", "k", "SET", "u8", "0", "x"}), error_reply(kNotIntegerError));
  EXPECT_EQ(h.run({"BITFIELD", "k", "GET", "u8"}), error_reply(kSyntaxError));
  EXPECT_EQ(h.run({"BITFIELD", "k", "INCRBY", "u8", "0"}), error_reply(kSyntaxError));
  EXPECT_EQ(h.run({"BITFIELD", "k", "FETCH", "u8", "0"}), error_reply(kSyntaxError));
  EXPECT_EQ(h.run({"BITFIELD", "k", "OVERFLOW"}), error_reply(kSyntaxError));
  EXPECT_EQ(h.run({"BITFIELD", "k", "OVERFLOW", "CLAMP", "GET", "u8", "0"}),
            error_reply("ERR Invalid OVERFLOW type specified"));
  EXPECT_EQ(db().size(), 0u);
}

TEST_F(BitfieldCommands, WritesPastTheBulkLimitAreRefused) {
  h.config().proto_max_bulk_len = 2;
  EXPECT_EQ(h.run({"BITFIELD", "k", "SET", "u8", "16", "1"}), kBadOffset);
  EXPECT_EQ(h.run({"BITFIELD", "k", "SET", "u8", "9", "1"}),
            error_reply("ERR string exceeds maximum allowed size (proto-max-bulk-len)"));
  EXPECT_EQ(db().size(), 0u);
  EXPECT_EQ(h.run({"BITFIELD", "k", "SET", "u8", "8", "1"}), ints({0}));
}

TEST_F(BitfieldCommands, OnANonStringIsWrongType) {
  put_list("l");
  EXPECT_EQ(h.run({"BITFIELD", "l", "GET", "u8", "0"}), error_reply(kWrongTypeError));
  EXPECT_EQ(h.run({"BITFIELD", "l", "SET", "u8", "0", "1"}), error_reply(kWrongTypeError));
  EXPECT_EQ(h.run({"BITFIELD_RO", "l", "GET", "u8", "0"}), error_reply(kWrongTypeError));
}

TEST_F(BitfieldCommands, RowsCarryRedisArityFlagsAndKeys) {
  EXPECT_EQ(row("bitfield").arity, -2);
  EXPECT_EQ(row("bitfield").flags, kCmdWrite | kCmdDenyOom);
  EXPECT_EQ(row("bitfield").acl, kAclWrite | kAclBitmap);
  EXPECT_EQ(row("bitfield_ro").flags, kCmdReadonly | kCmdFast);
  EXPECT_EQ(row("bitfield_ro").acl, kAclRead | kAclBitmap);
  EXPECT_EQ(row("bitfield_ro").since, "6.0.0");
}

}  // namespace
}  // namespace stashd::testing
