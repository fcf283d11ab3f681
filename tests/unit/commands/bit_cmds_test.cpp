// Owns: in-process tests of src/commands/bit_cmds.cpp (SETBIT GETBIT BITCOUNT BITPOS BITOP) and
// the family's table rows. Must not touch: other families' behaviour. Thread: the test's.
#include <gtest/gtest.h>

#include <string>
#include <tuple>

#include "commands/string_fixture.h"

namespace stashd::testing {
namespace {

using BitCommands = StringFixture;

const std::string kBadOffset = error_reply("ERR bit offset is not an integer or out of range");
const std::string kBadBit = error_reply("ERR bit is not an integer or out of range");

std::string bytes(std::initializer_list<unsigned char> values) {
  return std::string(values.begin(), values.end());
}

// --- SETBIT / GETBIT -----------------------------------------------------------------------------

TEST_F(BitCommands, SetbitFollowsTheDocumentedExample) {
  EXPECT_EQ(h.run({"SETBIT", "mykey", "7", "1"}), integer(0));
  EXPECT_EQ(h.run({"SETBIT", "mykey", "7", "0"}), integer(1));
  EXPECT_EQ(h.run({"GET", "mykey"}), bulk(bytes({0x00})));
}

TEST_F(BitCommands, SetbitGrowsTheStringWithZeroBytes) {
  EXPECT_EQ(h.run({"SETBIT", "k", "17", "1"}), integer(0));
  EXPECT_EQ(h.run({"GET", "k"}), bulk(bytes({0x00, 0x00, 0x40})));
  EXPECT_EQ(encoding("k"), Encoding::kHeapString);
}

TEST_F(BitCommands, SetbitOnAnIntegerEditsItsText) {
  h.run({"SET", "k", "1"});  // '1' is 0x31
  EXPECT_EQ(h.run({"SETBIT", "k", "7", "0"}), integer(1));
  EXPECT_EQ(h.run({"GET", "k"}), bulk("0"));
}

TEST_F(BitCommands, SetbitKeepsTheTtlAndMarksTheKeyChanged) {
  h.run({"SET", "k", "a", "EX", "100"});
  const uint64_t before = dirty();
  h.run({"SETBIT", "k", "100", "1"});
  EXPECT_EQ(dirty(), before + 1);
  EXPECT_EQ(pttl("k"), 100'000);
}

TEST_F(BitCommands, SetbitRejectsBadOffsets) {
  EXPECT_EQ(h.run({"SETBIT", "k", "-1", "1"}), kBadOffset);
  EXPECT_EQ(h.run({"SETBIT", "k", "abc", "1"}), kBadOffset);
  EXPECT_EQ(h.run({"SETBIT", "k", "#1", "1"}), kBadOffset);
  EXPECT_EQ(h.run({"SETBIT", "k", "4294967296", "1"}), kBadOffset);  // byte 512MB
  EXPECT_EQ(db().size(), 0u);
}

TEST_F(BitCommands, SetbitPastTheBulkLimitIsABadOffset) {
  h.config().proto_max_bulk_len = 10;
  EXPECT_EQ(h.run({"SETBIT", "k", "80", "1"}), kBadOffset);
  EXPECT_EQ(h.run({"SETBIT", "k", "79", "1"}), integer(0));
  EXPECT_EQ(h.run({"STRLEN", "k"}), integer(10));
}

TEST_F(BitCommands, SetbitRejectsABitOtherThanZeroOrOne) {
  EXPECT_EQ(h.run({"SETBIT", "k", "0", "2"}), kBadBit);
  EXPECT_EQ(h.run({"SETBIT", "k", "0", "-1"}), kBadBit);
  EXPECT_EQ(h.run({"SETBIT", "k", "0", "on"}), kBadBit);
  EXPECT_EQ(db().size(), 0u);
}

TEST_F(BitCommands, SetbitOnANonStringIsWrongType) {
  put_list("l");
  EXPECT_EQ(h.run({"SETBIT", "l", "0", "1"}), error_reply(kWrongTypeError));
  EXPECT_EQ(h.run({"GETBIT", "l", "0"}), error_reply(kWrongTypeError));
}

TEST_F(BitCommands, GetbitFollowsTheDocumentedExample) {
  h.run({"SETBIT", "mykey", "7", "1"});
  EXPECT_EQ(h.run({"GETBIT", "mykey", "0"}), integer(0));
  EXPECT_EQ(h.run({"GETBIT", "mykey", "7"}), integer(1));
  EXPECT_EQ(h.run({"GETBIT", "mykey", "100"}), integer(0));
  EXPECT_EQ(h.run({"GETBIT", "missing", "3"}), integer(0));
  EXPECT_EQ(h.run({"GETBIT", "mykey", "-1"}), kBadOffset);
}

// --- BITCOUNT ------------------------------------------------------------------------------------

TEST_F(BitCommands, BitcountFollowsTheDocumentedExamples) {
  h.run({"SET", "mykey", "foobar"});
  EXPECT_EQ(h.run({"BITCOUNT", "mykey"}), integer(26));
  EXPECT_EQ(h.run({"BITCOUNT", "mykey", "0", "0"}), integer(4));
  EXPECT_EQ(h.run({"BITCOUNT", "mykey", "1", "1"}), integer(6));
  EXPECT_EQ(h.run({"BITCOUNT", "mykey", "1", "1", "BYTE"}), integer(6));
  EXPECT_EQ(h.run({"BITCOUNT", "mykey", "5", "30", "BIT"}), integer(17));
}

TEST_F(BitCommands, BitcountHandlesNegativeAndOutOfRangeIndexes) {
  h.run({"SET", "k", "foobar"});
  EXPECT_EQ(h.run({"BITCOUNT", "k", "-2", "-1"}), integer(7));  // "ar"
  EXPECT_EQ(h.run({"BITCOUNT", "k", "0", "100"}), integer(26));
  EXPECT_EQ(h.run({"BITCOUNT", "k", "-100", "0"}), integer(4));
  EXPECT_EQ(h.run({"BITCOUNT", "k", "3", "2"}), integer(0));
  EXPECT_EQ(h.run({"BITCOUNT", "k", "-1", "-3"}), integer(0));
  EXPECT_EQ(h.run({"BITCOUNT", "k", "-100", "-200"}), integer(0));
  EXPECT_EQ(h.run({"BITCOUNT", "k", "-1", "-1", "bit"}), integer(0));  // 'r' ends in 0
}

TEST_F(BitCommands, BitcountCountsLongStringsWordByWord) {
  h.run({"SET", "k", std::string(1001, '\xff')});
  EXPECT_EQ(h.run({"BITCOUNT", "k"}), integer(8008));
  EXPECT_EQ(h.run({"BITCOUNT", "k", "3", "8003", "BIT"}), integer(8001));
}

TEST_F(BitCommands, BitcountOfAMissingKeyIsZeroWhateverTheRangeSays) {
  // Redis 7.0 looks the key up before it reads the range (7.2 validates the range first).
  EXPECT_EQ(h.run({"BITCOUNT", "k"}), integer(0));
  EXPECT_EQ(h.run({"BITCOUNT", "k", "0", "-1", "BIT"}), integer(0));
  EXPECT_EQ(h.run({"BITCOUNT", "k", "0"}), integer(0));
  EXPECT_EQ(h.run({"BITCOUNT", "k", "x", "1", "FOO"}), integer(0));
}

TEST_F(BitCommands, BitcountRejectsBadRangesOnAnExistingKey) {
  h.run({"SET", "k", "foobar"});
  EXPECT_EQ(h.run({"BITCOUNT", "k", "0"}), error_reply(kSyntaxError));
  EXPECT_EQ(h.run({"BITCOUNT", "k", "x", "1"}), error_reply(kNotIntegerError));
  EXPECT_EQ(h.run({"BITCOUNT", "k", "0", "x", "FOO"}), error_reply(kNotIntegerError));
  EXPECT_EQ(h.run({"BITCOUNT", "k", "0", "1", "WORD"}), error_reply(kSyntaxError));
  EXPECT_EQ(h.run({"BITCOUNT", "k", "0", "1", "BIT", "x"}), error_reply(kSyntaxError));
  put_list("l");
  EXPECT_EQ(h.run({"BITCOUNT", "l"}), error_reply(kWrongTypeError));
  EXPECT_EQ(h.run({"BITCOUNT", "l", "x", "1"}), error_reply(kWrongTypeError));
}

// --- BITPOS --------------------------------------------------------------------------------------

TEST_F(BitCommands, BitposFollowsTheDocumentedExamples) {
  h.run({"SET", "mykey", bytes({0xff, 0xf0, 0x00})});
  EXPECT_EQ(h.run({"BITPOS", "mykey", "0"}), integer(12));
  h.run({"SET", "mykey", bytes({0x00, 0xff, 0xf0})});
  EXPECT_EQ(h.run({"BITPOS", "mykey", "1", "0"}), integer(8));
  EXPECT_EQ(h.run({"BITPOS", "mykey", "1", "2"}), integer(16));
  EXPECT_EQ(h.run({"BITPOS", "mykey", "1", "2", "-1", "BYTE"}), integer(16));
  EXPECT_EQ(h.run({"BITPOS", "mykey", "1", "7", "15", "BIT"}), integer(8));
  h.run({"SET", "mykey", bytes({0x00, 0x00, 0x00})});
  EXPECT_EQ(h.run({"BITPOS", "mykey", "1"}), integer(-1));
  EXPECT_EQ(h.run({"BITPOS", "mykey", "1", "7", "-3", "BIT"}), integer(-1));
}

TEST_F(BitCommands, BitposForAClearBitPastAnAllOnesStringDependsOnAnExplicitEnd) {
  h.run({"SET", "k", bytes({0xff, 0xff})});
  EXPECT_EQ(h.run({"BITPOS", "k", "0"}), integer(16));
  EXPECT_EQ(h.run({"BITPOS", "k", "0", "1"}), integer(16));
  EXPECT_EQ(h.run({"BITPOS", "k", "0", "0", "-1"}), integer(-1));
  EXPECT_EQ(h.run({"BITPOS", "k", "0", "0", "15", "BIT"}), integer(-1));
}

TEST_F(BitCommands, BitposWithinBitRangesMasksTheEdges) {
  h.run({"SET", "k", bytes({0x81, 0x00, 0x81})});
  EXPECT_EQ(h.run({"BITPOS", "k", "1", "1", "22", "BIT"}), integer(7));
  EXPECT_EQ(h.run({"BITPOS", "k", "1", "8", "15", "BIT"}), integer(-1));
  EXPECT_EQ(h.run({"BITPOS", "k", "0", "0", "0", "BIT"}), integer(-1));
  EXPECT_EQ(h.run({"BITPOS", "k", "0", "7", "8", "BIT"}), integer(8));
}

TEST_F(BitCommands, BitposScansLongStringsWordByWord) {
  std::string value(1000, '\0');
  value[901] = '\x10';
  h.run({"SET", "k", value});
  EXPECT_EQ(h.run({"BITPOS", "k", "1"}), integer(901 * 8 + 3));
  h.run({"SET", "ones", std::string(1000, '\xff')});
  EXPECT_EQ(h.run({"BITPOS", "ones", "0"}), integer(8000));
}

TEST_F(BitCommands, BitposOnAMissingOrEmptyKey) {
  EXPECT_EQ(h.run({"BITPOS", "k", "0"}), integer(0));
  EXPECT_EQ(h.run({"BITPOS", "k", "1"}), integer(-1));
  h.run({"SET", "e", ""});
  EXPECT_EQ(h.run({"BITPOS", "e", "0"}), integer(-1));
  EXPECT_EQ(h.run({"BITPOS", "e", "1"}), integer(-1));
}

TEST_F(BitCommands, BitposRejectsBadArguments) {
  h.run({"SET", "k", "a"});
  EXPECT_EQ(h.run({"BITPOS", "k", "2"}), error_reply("ERR The bit argument must be 1 or 0."));
  EXPECT_EQ(h.run({"BITPOS", "k", "x"}), error_reply(kNotIntegerError));
  EXPECT_EQ(h.run({"BITPOS", "k", "1", "x"}), error_reply(kNotIntegerError));
  EXPECT_EQ(h.run({"BITPOS", "k", "1", "0", "1", "NIBBLE"}), error_reply(kSyntaxError));
  EXPECT_EQ(h.run({"BITPOS", "k", "1", "0", "1", "BIT", "x"}), error_reply(kSyntaxError));
  EXPECT_EQ(h.run({"BITPOS", "k", "1", "0", "x", "FOO"}), error_reply(kSyntaxError));
  put_list("l");
  EXPECT_EQ(h.run({"BITPOS", "l", "1"}), error_reply(kWrongTypeError));
  EXPECT_EQ(h.run({"BITPOS", "l", "1", "x"}), error_reply(kWrongTypeError));
  EXPECT_EQ(h.run({"BITPOS", "l", "5"}), error_reply("ERR The bit argument must be 1 or 0."));
}

TEST_F(BitCommands, BitposOfAMissingKeyIgnoresTheRangeButNotTheBit) {
  EXPECT_EQ(h.run({"BITPOS", "missing", "1", "0", "x"}), integer(-1));
  EXPECT_EQ(h.run({"BITPOS", "missing", "0", "0", "1", "BIT", "x"}), integer(0));
  EXPECT_EQ(h.run({"BITPOS", "missing", "3"}), error_reply("ERR The bit argument must be 1 or 0."));
}

// --- BITOP ---------------------------------------------------------------------------------------

TEST_F(BitCommands, BitopFollowsTheDocumentedExample) {
  h.run({"SET", "key1", "foobar"});
  h.run({"SET", "key2", "abcdef"});
  EXPECT_EQ(h.run({"BITOP", "AND", "dest", "key1", "key2"}), integer(6));
  EXPECT_EQ(h.run({"GET", "dest"}), bulk("`bc`ab"));
}

TEST_F(BitCommands, BitopPadsShorterSourcesWithZeros) {
  h.run({"SET", "a", bytes({0xf0, 0x0f, 0xff})});
  h.run({"SET", "b", bytes({0xff})});
  EXPECT_EQ(h.run({"BITOP", "and", "d", "a", "b"}), integer(3));
  EXPECT_EQ(h.run({"GET", "d"}), bulk(bytes({0xf0, 0x00, 0x00})));
  EXPECT_EQ(h.run({"BITOP", "OR", "d", "b", "a"}), integer(3));
  EXPECT_EQ(h.run({"GET", "d"}), bulk(bytes({0xff, 0x0f, 0xff})));
  EXPECT_EQ(h.run({"BITOP", "XOR", "d", "a", "b", "missing"}), integer(3));
  EXPECT_EQ(h.run({"GET", "d"}), bulk(bytes({0x0f, 0x0f, 0xff})));
}

TEST_F(BitCommands, BitopNotInvertsEveryByte) {
  h.run({"SET", "a", bytes({0x00, 0xf0})});
  EXPECT_EQ(h.run({"BITOP", "NOT", "a", "a"}), integer(2));
  EXPECT_EQ(h.run({"GET", "a"}), bulk(bytes({0xff, 0x0f})));
}

TEST_F(BitCommands, BitopReplacesTheDestinationAndItsTtl) {
  h.run({"SET", "dest", "old", "EX", "100"});
  h.run({"SET", "a", "x"});
  EXPECT_EQ(h.run({"BITOP", "OR", "dest", "a"}), integer(1));
  EXPECT_EQ(h.run({"GET", "dest"}), bulk("x"));
  EXPECT_EQ(pttl("dest"), -1);
}

TEST_F(BitCommands, BitopWithOnlyEmptySourcesDeletesTheDestination) {
  h.run({"SET", "dest", "old"});
  const uint64_t before = dirty();
  EXPECT_EQ(h.run({"BITOP", "AND", "dest", "m1", "m2"}), integer(0));
  EXPECT_EQ(dirty(), before + 1);
  EXPECT_EQ(db().size(), 0u);
  EXPECT_EQ(h.run({"BITOP", "AND", "dest", "m1"}), integer(0));
  EXPECT_EQ(dirty(), before + 1);
}

TEST_F(BitCommands, BitopRejectsBadArguments) {
  h.run({"SET", "a", "x"});
  EXPECT_EQ(h.run({"BITOP", "NOT", "d", "a", "a"}),
            error_reply("ERR BITOP NOT must be called with a single source key."));
  EXPECT_EQ(h.run({"BITOP", "NAND", "d", "a"}), error_reply(kSyntaxError));
  EXPECT_EQ(h.run({"BITOP", "AND", "d"}),
            error_reply("ERR wrong number of arguments for 'bitop' command"));
  put_list("l");
  EXPECT_EQ(h.run({"BITOP", "OR", "d", "a", "l"}), error_reply(kWrongTypeError));
  EXPECT_EQ(h.run({"GET", "d"}), kNil);
}

// --- table rows ----------------------------------------------------------------------------------

TEST_F(BitCommands, RowsCarryRedisArityFlagsAndKeys) {
  const CommandSpec& bitop = row("bitop");
  EXPECT_EQ(bitop.arity, -4);
  EXPECT_EQ(std::tuple(bitop.first_key, bitop.last_key, bitop.key_step), std::tuple(2, -1, 1));
  EXPECT_EQ(bitop.flags, kCmdWrite | kCmdDenyOom);
  EXPECT_EQ(bitop.acl, kAclWrite | kAclBitmap);
  EXPECT_EQ(row("getbit").flags, kCmdReadonly | kCmdFast);
  EXPECT_EQ(row("setbit").arity, 4);
  EXPECT_EQ(row("bitpos").since, "2.8.7");
  for (std::string_view name :
       {"setbit", "getbit", "bitcount", "bitpos", "bitop", "bitfield", "bitfield_ro"}) {
    EXPECT_EQ(row(name).group, "bitmap") << name;
  }
}

}  // namespace
}  // namespace stashd::testing
