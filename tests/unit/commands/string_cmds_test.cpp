// Owns: in-process tests of src/commands/string_cmds.cpp (GET SET SETNX SETEX PSETEX GETSET GETDEL
// GETEX MGET MSET MSETNX INCR DECR INCRBY DECRBY INCRBYFLOAT) and the family's table rows.
// Must not touch: other families' behaviour. Thread: the test's.
#include <gtest/gtest.h>

#include <string>

#include "commands/string_fixture.h"

namespace stashd::testing {
namespace {

using StringCommands = StringFixture;

constexpr int64_t kStartMs = 1'700'000'000'000;  // ManualClock's default start

// --- GET -----------------------------------------------------------------------------------------

TEST_F(StringCommands, GetReturnsNilForAMissingKey) { EXPECT_EQ(h.run({"GET", "k"}), kNil); }

TEST_F(StringCommands, GetReturnsTheStoredValue) {
  h.run({"SET", "k", "hello"});
  EXPECT_EQ(h.run({"GET", "k"}), bulk("hello"));
}

TEST_F(StringCommands, GetOnAListIsWrongType) {
  put_list("l");
  EXPECT_EQ(h.run({"GET", "l"}), error_reply(kWrongTypeError));
}

TEST_F(StringCommands, GetFormatsAnIntegerEncodedValue) {
  h.run({"SET", "k", "-42"});
  EXPECT_EQ(encoding("k"), Encoding::kInt);
  EXPECT_EQ(h.run({"GET", "k"}), bulk("-42"));
}

TEST_F(StringCommands, ValuesAreBinarySafe) {
  const std::string value("a\0b\r\nc", 6);
  h.run({"SET", std::string_view("k\0", 2), value});
  EXPECT_EQ(h.run({"GET", std::string_view("k\0", 2)}), bulk(value));
  EXPECT_EQ(h.run({"GET", "k"}), kNil);
}

TEST_F(StringCommands, GetInResp3RepliesNullForAMissingKey) {
  h.hello3();
  EXPECT_EQ(h.run({"GET", "k"}), "_\r\n");
}

// --- SET: storage and TTL ------------------------------------------------------------------------

TEST_F(StringCommands, SetStoresCanonicalIntegersShortAndLongStringsInTheirEncodings) {
  h.run({"SET", "int", "12345"});
  h.run({"SET", "padded", "012"});
  h.run({"SET", "big", std::string(5000, 'x')});
  EXPECT_EQ(encoding("int"), Encoding::kInt);
  EXPECT_EQ(encoding("padded"), Encoding::kEmbedded);
  EXPECT_EQ(encoding("big"), Encoding::kHeapString);
  EXPECT_EQ(h.run({"GET", "padded"}), bulk("012"));
  EXPECT_EQ(h.run({"GET", "big"}), bulk(std::string(5000, 'x')));
}

TEST_F(StringCommands, SetOverwritesAValueOfAnotherType) {
  put_list("k");
  EXPECT_EQ(h.run({"SET", "k", "v"}), kOk);
  EXPECT_EQ(h.run({"GET", "k"}), bulk("v"));
}

TEST_F(StringCommands, SetDiscardsAnExistingTtl) {
  h.run({"SET", "k", "v", "EX", "100"});
  h.run({"SET", "k", "w"});
  EXPECT_EQ(pttl("k"), -1);
}

TEST_F(StringCommands, SetWithExSetsATtlInSeconds) {
  EXPECT_EQ(h.run({"SET", "k", "v", "EX", "10"}), kOk);
  EXPECT_EQ(pttl("k"), 10'000);
}

TEST_F(StringCommands, SetWithPxSetsATtlInMilliseconds) {
  EXPECT_EQ(h.run({"SET", "k", "v", "px", "1500"}), kOk);
  EXPECT_EQ(pttl("k"), 1500);
}

TEST_F(StringCommands, SetWithExatAndPxatSetAbsoluteDeadlines) {
  const std::string at_seconds = std::to_string(kStartMs / 1000 + 20);
  const std::string at_ms = std::to_string(kStartMs + 2500);
  h.run({"SET", "a", "v", "EXAT", at_seconds});
  h.run({"SET", "b", "v", "PXAT", at_ms});
  EXPECT_EQ(pttl("a"), 20'000);
  EXPECT_EQ(pttl("b"), 2500);
}

TEST_F(StringCommands, AKeyPastItsDeadlineIsNeverReturned) {
  h.run({"SET", "k", "v", "PX", "100"});
  h.clock().advance_ms(99);
  EXPECT_EQ(h.run({"GET", "k"}), bulk("v"));
  h.clock().advance_ms(1);
  EXPECT_EQ(h.run({"GET", "k"}), kNil);
  EXPECT_EQ(h.run({"SET", "k", "new", "NX"}), kOk);
}

TEST_F(StringCommands, SetWithADeadlineInThePastRepliesOkAndDeletesTheKey) {
  h.run({"SET", "k", "old"});
  EXPECT_EQ(h.run({"SET", "k", "v", "PXAT", std::to_string(kStartMs - 1)}), kOk);
  EXPECT_EQ(h.run({"GET", "k"}), kNil);
  EXPECT_EQ(db().size(), 0u);
  EXPECT_EQ(h.run({"SET", "k2", "v", "EXAT", "1"}), kOk);
  EXPECT_EQ(db().size(), 0u);
}

TEST_F(StringCommands, SetWithKeepttlKeepsTheDeadline) {
  h.run({"SET", "k", "v", "EX", "100"});
  h.clock().advance_ms(1000);
  EXPECT_EQ(h.run({"SET", "k", "w", "KEEPTTL"}), kOk);
  EXPECT_EQ(pttl("k"), 99'000);
  EXPECT_EQ(h.run({"GET", "k"}), bulk("w"));
}

TEST_F(StringCommands, SetWithKeepttlOnAKeyWithoutTtlLeavesNone) {
  h.run({"SET", "k", "v"});
  h.run({"SET", "k", "w", "KEEPTTL"});
  EXPECT_EQ(pttl("k"), -1);
}

TEST_F(StringCommands, SetWithANonIntegerExpireIsNotAnInteger) {
  EXPECT_EQ(h.run({"SET", "k", "v", "EX", "ten"}), error_reply(kNotIntegerError));
  EXPECT_EQ(h.run({"SET", "k", "v", "PX", "1.5"}), error_reply(kNotIntegerError));
  EXPECT_EQ(db().size(), 0u);
}

TEST_F(StringCommands, SetWithANonPositiveExpireIsInvalid) {
  const std::string invalid = error_reply("ERR invalid expire time in 'set' command");
  EXPECT_EQ(h.run({"SET", "k", "v", "EX", "0"}), invalid);
  EXPECT_EQ(h.run({"SET", "k", "v", "PX", "-1"}), invalid);
  EXPECT_EQ(h.run({"SET", "k", "v", "EXAT", "0"}), invalid);
  EXPECT_EQ(h.run({"SET", "k", "v", "PXAT", "-5"}), invalid);
  EXPECT_EQ(db().size(), 0u);
}

TEST_F(StringCommands, SetWithAnOverflowingExpireIsInvalid) {
  const std::string invalid = error_reply("ERR invalid expire time in 'set' command");
  EXPECT_EQ(h.run({"SET", "k", "v", "EX", "9223372036854775807"}), invalid);
  EXPECT_EQ(h.run({"SET", "k", "v", "EXAT", "9223372036854776"}), invalid);
  EXPECT_EQ(h.run({"SET", "k", "v", "PX", "9223372036854775807"}), invalid);
  EXPECT_EQ(db().size(), 0u);
  // An absolute deadline is not added to the clock, so the largest one is valid.
  EXPECT_EQ(h.run({"SET", "k", "v", "PXAT", "9223372036854775807"}), kOk);
  EXPECT_EQ(pttl("k"), INT64_MAX - kStartMs);
}

TEST_F(StringCommands, SetMarksTheKeyChangedOnce) {
  const uint64_t before = dirty();
  h.run({"SET", "k", "v", "EX", "10"});
  EXPECT_EQ(dirty(), before + 1);
}

// --- SET: options --------------------------------------------------------------------------------

TEST_F(StringCommands, SetWithNxDoesNotOverwrite) {
  h.run({"SET", "k", "v"});
  const uint64_t before = dirty();
  EXPECT_EQ(h.run({"SET", "k", "w", "NX"}), kNil);
  EXPECT_EQ(h.run({"GET", "k"}), bulk("v"));
  EXPECT_EQ(dirty(), before);
}

TEST_F(StringCommands, SetWithNxCreatesAMissingKey) {
  EXPECT_EQ(h.run({"SET", "k", "v", "nx"}), kOk);
  EXPECT_EQ(h.run({"GET", "k"}), bulk("v"));
}

TEST_F(StringCommands, SetWithNxCountsAKeyOfAnotherTypeAsExisting) {
  put_list("k");
  EXPECT_EQ(h.run({"SET", "k", "v", "NX"}), kNil);
  EXPECT_TRUE(is_list("k"));
}

TEST_F(StringCommands, SetWithXxDoesNotCreate) {
  EXPECT_EQ(h.run({"SET", "k", "v", "XX"}), kNil);
  EXPECT_EQ(db().size(), 0u);
}

TEST_F(StringCommands, SetWithXxOverwritesAnExistingKey) {
  h.run({"SET", "k", "v"});
  EXPECT_EQ(h.run({"SET", "k", "w", "XX"}), kOk);
  EXPECT_EQ(h.run({"GET", "k"}), bulk("w"));
}

TEST_F(StringCommands, SetWithConflictingOptionsIsASyntaxError) {
  const std::string syntax = error_reply(kSyntaxError);
  EXPECT_EQ(h.run({"SET", "k", "v", "NX", "XX"}), syntax);
  EXPECT_EQ(h.run({"SET", "k", "v", "EX", "1", "PX", "1"}), syntax);
  EXPECT_EQ(h.run({"SET", "k", "v", "EX", "1", "KEEPTTL"}), syntax);
  EXPECT_EQ(h.run({"SET", "k", "v", "KEEPTTL", "PXAT", "1"}), syntax);
  EXPECT_EQ(h.run({"SET", "k", "v", "PERSIST"}), syntax);
  EXPECT_EQ(h.run({"SET", "k", "v", "EX"}), syntax);
  EXPECT_EQ(h.run({"SET", "k", "v", "BOGUS"}), syntax);
  EXPECT_EQ(db().size(), 0u);
}

TEST_F(StringCommands, SetSyntaxIsCheckedBeforeTheExpireValue) {
  EXPECT_EQ(h.run({"SET", "k", "v", "EX", "0", "BOGUS"}), error_reply(kSyntaxError));
}

TEST_F(StringCommands, SetAcceptsARepeatedOptionAndTheLastExpireWins) {
  EXPECT_EQ(h.run({"SET", "k", "v", "NX", "NX", "EX", "5", "EX", "7"}), kOk);
  EXPECT_EQ(pttl("k"), 7000);
}

TEST_F(StringCommands, SetWithGetReturnsTheOldValue) {
  h.run({"SET", "k", "old", "EX", "100"});
  EXPECT_EQ(h.run({"SET", "k", "new", "GET"}), bulk("old"));
  EXPECT_EQ(h.run({"GET", "k"}), bulk("new"));
  EXPECT_EQ(pttl("k"), -1);
}

TEST_F(StringCommands, SetWithGetOnAMissingKeyReturnsNilAndSets) {
  EXPECT_EQ(h.run({"SET", "k", "v", "GET"}), kNil);
  EXPECT_EQ(h.run({"GET", "k"}), bulk("v"));
}

TEST_F(StringCommands, SetWithGetOnANonStringIsWrongTypeAndDoesNotSet) {
  put_list("k");
  EXPECT_EQ(h.run({"SET", "k", "v", "GET"}), error_reply(kWrongTypeError));
  EXPECT_TRUE(is_list("k"));
}

TEST_F(StringCommands, SetWithNxAndGetReturnsTheOldValueWithoutSetting) {
  h.run({"SET", "k", "old"});
  EXPECT_EQ(h.run({"SET", "k", "new", "NX", "GET"}), bulk("old"));
  EXPECT_EQ(h.run({"GET", "k"}), bulk("old"));
}

TEST_F(StringCommands, SetWithXxAndGetOnAMissingKeyReturnsNilWithoutCreating) {
  EXPECT_EQ(h.run({"SET", "k", "v", "XX", "GET"}), kNil);
  EXPECT_EQ(db().size(), 0u);
}

TEST_F(StringCommands, SetWithIfeqSetsWhenTheValueMatches) {
  h.run({"SET", "k", "Initial Value"});
  EXPECT_EQ(h.run({"SET", "k", "New Value", "IFEQ", "Initial Value"}), kOk);
  EXPECT_EQ(h.run({"GET", "k"}), bulk("New Value"));
}

TEST_F(StringCommands, SetWithIfeqDoesNotSetWhenTheValueDiffers) {
  h.run({"SET", "k", "current"});
  EXPECT_EQ(h.run({"SET", "k", "new", "IFEQ", "other"}), kNil);
  EXPECT_EQ(h.run({"GET", "k"}), bulk("current"));
}

TEST_F(StringCommands, SetWithIfeqDoesNotCreateAMissingKey) {
  EXPECT_EQ(h.run({"SET", "k", "v", "IFEQ", "v"}), kNil);
  EXPECT_EQ(db().size(), 0u);
}

TEST_F(StringCommands, SetWithIfeqComparesIntegerValuesAsText) {
  h.run({"SET", "k", "10"});
  EXPECT_EQ(h.run({"SET", "k", "11", "IFEQ", "10"}), kOk);
  EXPECT_EQ(h.run({"SET", "k", "12", "IFEQ", "011"}), kNil);
}

TEST_F(StringCommands, SetWithIfeqAndNxOrXxIsASyntaxError) {
  h.run({"SET", "k", "v"});
  EXPECT_EQ(h.run({"SET", "k", "w", "IFEQ", "v", "NX"}), error_reply(kSyntaxError));
  EXPECT_EQ(h.run({"SET", "k", "w", "XX", "IFEQ", "v"}), error_reply(kSyntaxError));
  EXPECT_EQ(h.run({"SET", "k", "w", "IFEQ"}), error_reply(kSyntaxError));
  EXPECT_EQ(h.run({"GET", "k"}), bulk("v"));
}

TEST_F(StringCommands, SetWithIfeqOnANonStringIsWrongType) {
  put_list("k");
  EXPECT_EQ(h.run({"SET", "k", "v", "IFEQ", "x"}), error_reply(kWrongTypeError));
  EXPECT_TRUE(is_list("k"));
}

TEST_F(StringCommands, SetWithIfeqAndGetReturnsTheOldValueEitherWay) {
  h.run({"SET", "k", "a"});
  EXPECT_EQ(h.run({"SET", "k", "b", "IFEQ", "x", "GET"}), bulk("a"));
  EXPECT_EQ(h.run({"SET", "k", "b", "IFEQ", "a", "GET", "EX", "5"}), bulk("a"));
  EXPECT_EQ(h.run({"GET", "k"}), bulk("b"));
  EXPECT_EQ(pttl("k"), 5000);
}

// --- SETNX SETEX PSETEX GETSET GETDEL ------------------------------------------------------------

TEST_F(StringCommands, SetnxSetsOnlyAMissingKey) {
  EXPECT_EQ(h.run({"SETNX", "k", "a"}), integer(1));
  EXPECT_EQ(h.run({"SETNX", "k", "b"}), integer(0));
  EXPECT_EQ(h.run({"GET", "k"}), bulk("a"));
  put_list("l");
  EXPECT_EQ(h.run({"SETNX", "l", "b"}), integer(0));
}

TEST_F(StringCommands, SetexSetsTheValueAndATtlInSeconds) {
  EXPECT_EQ(h.run({"SETEX", "k", "10", "v"}), kOk);
  EXPECT_EQ(h.run({"GET", "k"}), bulk("v"));
  EXPECT_EQ(pttl("k"), 10'000);
}

TEST_F(StringCommands, PsetexSetsTheValueAndATtlInMilliseconds) {
  EXPECT_EQ(h.run({"PSETEX", "k", "1500", "v"}), kOk);
  EXPECT_EQ(pttl("k"), 1500);
}

TEST_F(StringCommands, SetexRejectsBadExpiresNamingTheCommand) {
  EXPECT_EQ(h.run({"SETEX", "k", "0", "v"}),
            error_reply("ERR invalid expire time in 'setex' command"));
  EXPECT_EQ(h.run({"PSETEX", "k", "-1", "v"}),
            error_reply("ERR invalid expire time in 'psetex' command"));
  EXPECT_EQ(h.run({"SETEX", "k", "x", "v"}), error_reply(kNotIntegerError));
  EXPECT_EQ(h.run({"SETEX", "k", "10"}),
            error_reply("ERR wrong number of arguments for 'setex' command"));
  EXPECT_EQ(db().size(), 0u);
}

TEST_F(StringCommands, GetsetReturnsTheOldValueAndDropsTheTtl) {
  EXPECT_EQ(h.run({"GETSET", "k", "a"}), kNil);
  h.run({"SET", "k", "a", "EX", "100"});
  EXPECT_EQ(h.run({"GETSET", "k", "b"}), bulk("a"));
  EXPECT_EQ(h.run({"GET", "k"}), bulk("b"));
  EXPECT_EQ(pttl("k"), -1);
}

TEST_F(StringCommands, GetsetOnANonStringIsWrongTypeAndDoesNotSet) {
  put_list("k");
  EXPECT_EQ(h.run({"GETSET", "k", "v"}), error_reply(kWrongTypeError));
  EXPECT_TRUE(is_list("k"));
}

TEST_F(StringCommands, GetdelReturnsTheValueAndDeletesTheKey) {
  h.run({"SET", "k", "v"});
  const uint64_t before = dirty();
  EXPECT_EQ(h.run({"GETDEL", "k"}), bulk("v"));
  EXPECT_EQ(dirty(), before + 1);
  EXPECT_EQ(h.run({"GETDEL", "k"}), kNil);
  EXPECT_EQ(db().size(), 0u);
}

TEST_F(StringCommands, GetdelOnANonStringIsWrongTypeAndKeepsTheKey) {
  put_list("k");
  EXPECT_EQ(h.run({"GETDEL", "k"}), error_reply(kWrongTypeError));
  EXPECT_TRUE(is_list("k"));
}

// --- GETEX ---------------------------------------------------------------------------------------

TEST_F(StringCommands, GetexWithoutOptionsKeepsTheTtl) {
  h.run({"SET", "k", "v", "EX", "100"});
  const uint64_t before = dirty();
  EXPECT_EQ(h.run({"GETEX", "k"}), bulk("v"));
  EXPECT_EQ(pttl("k"), 100'000);
  EXPECT_EQ(dirty(), before);
}

TEST_F(StringCommands, GetexSetsEachKindOfExpire) {
  h.run({"SET", "k", "v"});
  EXPECT_EQ(h.run({"GETEX", "k", "EX", "10"}), bulk("v"));
  EXPECT_EQ(pttl("k"), 10'000);
  EXPECT_EQ(h.run({"GETEX", "k", "PX", "500"}), bulk("v"));
  EXPECT_EQ(pttl("k"), 500);
  EXPECT_EQ(h.run({"GETEX", "k", "EXAT", std::to_string(kStartMs / 1000 + 30)}), bulk("v"));
  EXPECT_EQ(pttl("k"), 30'000);
  EXPECT_EQ(h.run({"GETEX", "k", "PXAT", std::to_string(kStartMs + 42)}), bulk("v"));
  EXPECT_EQ(pttl("k"), 42);
}

TEST_F(StringCommands, GetexPersistRemovesTheTtl) {
  h.run({"SET", "k", "v", "PX", "100"});
  EXPECT_EQ(h.run({"GETEX", "k", "PERSIST"}), bulk("v"));
  EXPECT_EQ(pttl("k"), -1);
  h.clock().advance_ms(1000);
  EXPECT_EQ(h.run({"GET", "k"}), bulk("v"));
}

TEST_F(StringCommands, GetexWithADeadlineInThePastReturnsTheValueAndDeletesTheKey) {
  h.run({"SET", "k", "v"});
  EXPECT_EQ(h.run({"GETEX", "k", "PXAT", "1"}), bulk("v"));
  EXPECT_EQ(db().size(), 0u);
}

TEST_F(StringCommands, GetexOnAMissingKeyIsNilEvenWithABadExpire) {
  EXPECT_EQ(h.run({"GETEX", "k", "EX", "10"}), kNil);
  EXPECT_EQ(h.run({"GETEX", "k", "EX", "0"}), kNil);
}

TEST_F(StringCommands, GetexRejectsBadOptions) {
  h.run({"SET", "k", "v"});
  const std::string syntax = error_reply(kSyntaxError);
  EXPECT_EQ(h.run({"GETEX", "k", "EX", "1", "PX", "1"}), syntax);
  EXPECT_EQ(h.run({"GETEX", "k", "PERSIST", "EX", "1"}), syntax);
  EXPECT_EQ(h.run({"GETEX", "k", "EX", "1", "PERSIST"}), syntax);
  EXPECT_EQ(h.run({"GETEX", "k", "KEEPTTL"}), syntax);
  EXPECT_EQ(h.run({"GETEX", "k", "NX"}), syntax);
  EXPECT_EQ(h.run({"GETEX", "k", "EX"}), syntax);
  EXPECT_EQ(h.run({"GETEX", "missing", "BOGUS"}), syntax);
  EXPECT_EQ(h.run({"GETEX", "k", "EX", "0"}),
            error_reply("ERR invalid expire time in 'getex' command"));
  EXPECT_EQ(h.run({"GETEX", "k", "PX", "x"}), error_reply(kNotIntegerError));
  EXPECT_EQ(pttl("k"), -1);
}

TEST_F(StringCommands, GetexOnANonStringIsWrongType) {
  put_list("k");
  EXPECT_EQ(h.run({"GETEX", "k", "EX", "10"}), error_reply(kWrongTypeError));
  EXPECT_EQ(pttl("k"), -1);
}

// --- MGET MSET MSETNX ----------------------------------------------------------------------------

TEST_F(StringCommands, MgetRepliesNilForMissingExpiredAndNonStringKeys) {
  h.run({"SET", "a", "1"});
  h.run({"SET", "gone", "x", "PX", "10"});
  put_list("l");
  h.clock().advance_ms(10);
  EXPECT_EQ(h.run({"MGET", "a", "missing", "gone", "l", "a"}),
            array_header(5) + bulk("1") + kNil + kNil + kNil + bulk("1"));
}

TEST_F(StringCommands, MgetInResp3RepliesNulls) {
  h.hello3();
  EXPECT_EQ(h.run({"MGET", "x"}), array_header(1) + "_\r\n");
}

TEST_F(StringCommands, MsetSetsEveryPairAndTheLastDuplicateWins) {
  h.run({"SET", "a", "old", "EX", "100"});
  const uint64_t before = dirty();
  EXPECT_EQ(h.run({"MSET", "a", "1", "b", "2", "a", "3"}), kOk);
  EXPECT_EQ(dirty(), before + 3);
  EXPECT_EQ(h.run({"MGET", "a", "b"}), array_header(2) + bulk("3") + bulk("2"));
  EXPECT_EQ(pttl("a"), -1);
}

TEST_F(StringCommands, MsetWithAnUnpairedKeyIsAnArityError) {
  EXPECT_EQ(h.run({"MSET", "a", "1", "b"}),
            error_reply("ERR wrong number of arguments for 'mset' command"));
  EXPECT_EQ(h.run({"MSETNX", "a", "1", "b"}),
            error_reply("ERR wrong number of arguments for 'msetnx' command"));
  EXPECT_EQ(db().size(), 0u);
}

TEST_F(StringCommands, MsetnxSetsAllWhenNoKeyExists) {
  EXPECT_EQ(h.run({"MSETNX", "a", "1", "b", "2"}), integer(1));
  EXPECT_EQ(h.run({"MGET", "a", "b"}), array_header(2) + bulk("1") + bulk("2"));
}

TEST_F(StringCommands, MsetnxSetsNothingWhenAnyKeyExists) {
  put_list("b");
  EXPECT_EQ(h.run({"MSETNX", "a", "1", "b", "2"}), integer(0));
  EXPECT_EQ(h.run({"GET", "a"}), kNil);
  EXPECT_TRUE(is_list("b"));
}

// --- INCR DECR INCRBY DECRBY ---------------------------------------------------------------------

TEST_F(StringCommands, IncrStartsAMissingKeyAtZero) {
  EXPECT_EQ(h.run({"INCR", "k"}), integer(1));
  EXPECT_EQ(h.run({"INCR", "k"}), integer(2));
  EXPECT_EQ(h.run({"DECR", "n"}), integer(-1));
  EXPECT_EQ(encoding("k"), Encoding::kInt);
}

TEST_F(StringCommands, IncrbyAndDecrbyAddTheirArgument) {
  h.run({"SET", "k", "10"});
  EXPECT_EQ(h.run({"INCRBY", "k", "5"}), integer(15));
  EXPECT_EQ(h.run({"INCRBY", "k", "-20"}), integer(-5));
  EXPECT_EQ(h.run({"DECRBY", "k", "5"}), integer(-10));
  EXPECT_EQ(h.run({"DECRBY", "k", "-3"}), integer(-7));
  EXPECT_EQ(h.run({"GET", "k"}), bulk("-7"));
}

TEST_F(StringCommands, IncrKeepsTheTtl) {
  h.run({"SET", "k", "1", "EX", "100"});
  EXPECT_EQ(h.run({"INCR", "k"}), integer(2));
  EXPECT_EQ(pttl("k"), 100'000);
}

TEST_F(StringCommands, IncrParsesAnIntegerStoredAsAHeapString) {
  h.run({"SET", "k", "1"});
  h.run({"APPEND", "k", "2"});
  EXPECT_EQ(encoding("k"), Encoding::kHeapString);
  EXPECT_EQ(h.run({"INCR", "k"}), integer(13));
  EXPECT_EQ(encoding("k"), Encoding::kInt);
}

TEST_F(StringCommands, IncrOnANonIntegerIsAnError) {
  for (std::string_view v : {"abc", "1.5", " 1", "01", "-0", "+1", "99999999999999999999", ""}) {
    h.run({"SET", "k", v});
    EXPECT_EQ(h.run({"INCR", "k"}), error_reply(kNotIntegerError)) << v;
  }
}

TEST_F(StringCommands, IncrPastInt64MaxOverflows) {
  h.run({"SET", "k", "9223372036854775807"});
  EXPECT_EQ(h.run({"INCR", "k"}), error_reply("ERR increment or decrement would overflow"));
  EXPECT_EQ(h.run({"GET", "k"}), bulk("9223372036854775807"));
  h.run({"SET", "n", "-9223372036854775808"});
  EXPECT_EQ(h.run({"DECR", "n"}), error_reply("ERR increment or decrement would overflow"));
  EXPECT_EQ(h.run({"INCRBY", "n", "-1"}), error_reply("ERR increment or decrement would overflow"));
  h.run({"SET", "m", "1"});
  EXPECT_EQ(h.run({"INCRBY", "m", "9223372036854775807"}),
            error_reply("ERR increment or decrement would overflow"));
}

TEST_F(StringCommands, DecrbyInt64MinIsRefused) {
  EXPECT_EQ(h.run({"DECRBY", "k", "-9223372036854775808"}),
            error_reply("ERR decrement would overflow"));
  EXPECT_EQ(db().size(), 0u);
}

TEST_F(StringCommands, IncrbyWithANonIntegerIncrementIsAnError) {
  EXPECT_EQ(h.run({"INCRBY", "k", "1.0"}), error_reply(kNotIntegerError));
  EXPECT_EQ(h.run({"DECRBY", "k", "9223372036854775808"}), error_reply(kNotIntegerError));
}

TEST_F(StringCommands, CountersOnANonStringAreWrongType) {
  put_list("l");
  EXPECT_EQ(h.run({"INCR", "l"}), error_reply(kWrongTypeError));
  EXPECT_EQ(h.run({"DECRBY", "l", "2"}), error_reply(kWrongTypeError));
  EXPECT_EQ(h.run({"INCRBYFLOAT", "l", "2"}), error_reply(kWrongTypeError));
}

// --- INCRBYFLOAT ---------------------------------------------------------------------------------

TEST_F(StringCommands, IncrbyfloatFollowsTheDocumentedExamples) {
  h.run({"SET", "mykey", "10.50"});
  EXPECT_EQ(h.run({"INCRBYFLOAT", "mykey", "0.1"}), bulk("10.6"));
  EXPECT_EQ(h.run({"INCRBYFLOAT", "mykey", "-5"}), bulk("5.6"));
  h.run({"SET", "mykey", "5.0e3"});
  EXPECT_EQ(h.run({"INCRBYFLOAT", "mykey", "2.0e2"}), bulk("5200"));
  EXPECT_EQ(h.run({"GET", "mykey"}), bulk("5200"));
}

TEST_F(StringCommands, IncrbyfloatStartsAMissingKeyAtZeroAndReadsIntegers) {
  EXPECT_EQ(h.run({"INCRBYFLOAT", "k", "1.5"}), bulk("1.5"));
  h.run({"SET", "n", "3"});
  EXPECT_EQ(h.run({"INCRBYFLOAT", "n", "0.25"}), bulk("3.25"));
}

TEST_F(StringCommands, IncrbyfloatKeepsTheTtl) {
  h.run({"SET", "k", "1", "EX", "100"});
  h.run({"INCRBYFLOAT", "k", "1"});
  EXPECT_EQ(pttl("k"), 100'000);
}

TEST_F(StringCommands, IncrbyfloatRejectsValuesThatAreNotFloats) {
  h.run({"SET", "k", "abc"});
  EXPECT_EQ(h.run({"INCRBYFLOAT", "k", "1"}), error_reply("ERR value is not a valid float"));
  EXPECT_EQ(h.run({"INCRBYFLOAT", "n", "x"}), error_reply("ERR value is not a valid float"));
  EXPECT_EQ(h.run({"INCRBYFLOAT", "n", "nan"}), error_reply("ERR value is not a valid float"));
  EXPECT_EQ(h.run({"GET", "n"}), kNil);
}

TEST_F(StringCommands, IncrbyfloatToInfinityIsRefused) {
  h.run({"SET", "k", "1"});
  EXPECT_EQ(h.run({"INCRBYFLOAT", "k", "inf"}),
            error_reply("ERR increment would produce NaN or Infinity"));
  EXPECT_EQ(h.run({"GET", "k"}), bulk("1"));
}

// --- table rows ----------------------------------------------------------------------------------

TEST_F(StringCommands, RowsCarryRedisArityFlagsAndKeys) {
  EXPECT_EQ(row("set").arity, -3);
  EXPECT_EQ(row("set").flags, kCmdWrite | kCmdDenyOom);
  EXPECT_EQ(row("get").flags, kCmdReadonly | kCmdFast);
  EXPECT_EQ(row("getdel").flags, kCmdWrite | kCmdFast);
  EXPECT_EQ(row("incrbyfloat").flags, kCmdWrite | kCmdDenyOom | kCmdFast);
  const CommandSpec& mset = row("mset");
  EXPECT_EQ(std::tuple(mset.first_key, mset.last_key, mset.key_step), std::tuple(1, -1, 2));
  const CommandSpec& mget = row("mget");
  EXPECT_EQ(std::tuple(mget.first_key, mget.last_key, mget.key_step), std::tuple(1, -1, 1));
  EXPECT_EQ(row("getex").acl, kAclWrite | kAclString);
  EXPECT_EQ(row("mget").acl, kAclRead | kAclString);
  EXPECT_EQ(row("msetnx").since, "1.0.1");
}

TEST_F(StringCommands, EveryCommandIsRegisteredInTheStringGroup) {
  for (std::string_view name :
       {"get",    "set",    "setnx",    "setex",  "psetex",   "getset", "getdel", "getex",
        "mget",   "mset",   "msetnx",   "incr",   "decr",     "incrby", "decrby", "incrbyfloat",
        "append", "strlen", "getrange", "substr", "setrange", "lcs"}) {
    const Command* cmd = h.node().commands().find(name);
    ASSERT_NE(cmd, nullptr) << name;
    EXPECT_EQ(cmd->spec.group, "string") << name;
    EXPECT_FALSE(cmd->spec.summary.empty()) << name;
  }
}

TEST_F(StringCommands, ArityErrorsComeFromTheTable) {
  EXPECT_EQ(h.run({"GET"}), error_reply("ERR wrong number of arguments for 'get' command"));
  EXPECT_EQ(h.run({"SET", "k"}), error_reply("ERR wrong number of arguments for 'set' command"));
  EXPECT_EQ(h.run({"INCR", "a", "b"}),
            error_reply("ERR wrong number of arguments for 'incr' command"));
}

}  // namespace
}  // namespace stashd::testing
