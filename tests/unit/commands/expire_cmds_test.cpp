// Owns: in-process tests of src/commands/expire_cmds.cpp (EXPIRE PEXPIRE EXPIREAT PEXPIREAT with
// NX XX GT LT, TTL PTTL EXPIRETIME PEXPIRETIME, PERSIST). Must not touch: other families'
// behaviour. Thread: the test's.
#include <gtest/gtest.h>

#include <string>

#include "commands/key_fixture.h"

namespace stashd::testing {
namespace {

using ExpireCommands = KeyFixture;

std::string ms(int64_t v) { return std::to_string(v); }

// --- setting deadlines --------------------------------------------------------------------------

TEST_F(ExpireCommands, ExpireSetsADeadlineInSeconds) {
  set("k", "v");
  EXPECT_EQ(h.run({"EXPIRE", "k", "10"}), integer(1));
  EXPECT_EQ(deadline_of("k"), now_ms() + 10'000);
}

TEST_F(ExpireCommands, PexpireSetsADeadlineInMilliseconds) {
  set("k", "v");
  EXPECT_EQ(h.run({"PEXPIRE", "k", "1500"}), integer(1));
  EXPECT_EQ(deadline_of("k"), now_ms() + 1500);
}

TEST_F(ExpireCommands, ExpireatAndPexpireatTakeAbsoluteTimes) {
  set("a", "v");
  set("b", "v");
  int64_t at = now_ms() + 60'000;
  EXPECT_EQ(h.run({"EXPIREAT", "a", ms(at / 1000)}), integer(1));
  EXPECT_EQ(deadline_of("a"), at / 1000 * 1000);
  EXPECT_EQ(h.run({"PEXPIREAT", "b", ms(at + 7)}), integer(1));
  EXPECT_EQ(deadline_of("b"), at + 7);
}

TEST_F(ExpireCommands, ExpireOnAMissingKeyReturnsZero) {
  EXPECT_EQ(h.run({"EXPIRE", "k", "10"}), integer(0));
  EXPECT_EQ(h.run({"PEXPIREAT", "k", ms(now_ms() + 10)}), integer(0));
}

TEST_F(ExpireCommands, ExpiredKeysDisappearWhenTheirTimeComes) {
  set("k", "v");
  h.run({"PEXPIRE", "k", "100"});
  h.clock().advance_ms(99);
  EXPECT_EQ(h.run({"EXISTS", "k"}), integer(1));
  h.clock().advance_ms(1);
  EXPECT_EQ(h.run({"EXISTS", "k"}), integer(0));
}

TEST_F(ExpireCommands, ADeadlineInThePastDeletesTheKeyAndReturnsOne) {
  set("a", "v");
  set("b", "v");
  set("c", "v");
  EXPECT_EQ(h.run({"EXPIRE", "a", "-1"}), integer(1));
  EXPECT_EQ(h.run({"PEXPIRE", "b", "0"}), integer(1));
  EXPECT_EQ(h.run({"EXPIREAT", "c", "1"}), integer(1));
  EXPECT_EQ(db().size(), 0u);
}

TEST_F(ExpireCommands, ADeadlineOfExactlyNowDeletesTheKey) {
  set("a", "v");
  EXPECT_EQ(h.run({"PEXPIREAT", "a", ms(now_ms())}), integer(1));
  EXPECT_EQ(value_of("a"), "(nil)");
}

TEST_F(ExpireCommands, ExpireReplacesAnExistingDeadline) {
  set_with_ttl("k", "v", 100'000);
  EXPECT_EQ(h.run({"EXPIRE", "k", "5"}), integer(1));
  EXPECT_EQ(deadline_of("k"), now_ms() + 5000);
}

TEST_F(ExpireCommands, ExpireMarksTheKeyChanged) {
  set("k", "v");
  uint64_t before = dirty();
  h.run({"EXPIRE", "k", "10"});
  h.run({"EXPIRE", "missing", "10"});
  h.run({"EXPIRE", "k", "-5"});
  EXPECT_EQ(dirty() - before, 2u);
}

TEST_F(ExpireCommands, ExpireKeepsTheValue) {
  set("k", "a longer value that is not an integer");
  h.run({"EXPIRE", "k", "10"});
  EXPECT_EQ(value_of("k"), "a longer value that is not an integer");
}

// --- errors -------------------------------------------------------------------------------------

TEST_F(ExpireCommands, ANonIntegerTimeIsAnError) {
  set("k", "v");
  EXPECT_EQ(h.run({"EXPIRE", "k", "1.5"}), error("ERR value is not an integer or out of range"));
  EXPECT_EQ(h.run({"PEXPIRE", "k", "abc"}), error("ERR value is not an integer or out of range"));
}

TEST_F(ExpireCommands, OverflowingTimesAreInvalidExpireTimes) {
  set("k", "v");
  EXPECT_EQ(h.run({"EXPIRE", "k", "9223372036854775"}),
            error("ERR invalid expire time in 'expire' command"));
  EXPECT_EQ(h.run({"EXPIRE", "k", "-9223372036854776"}),
            error("ERR invalid expire time in 'expire' command"));
  EXPECT_EQ(h.run({"PEXPIRE", "k", "9223372036854775807"}),
            error("ERR invalid expire time in 'pexpire' command"));
  EXPECT_EQ(h.run({"EXPIREAT", "k", "9223372036854776"}),
            error("ERR invalid expire time in 'expireat' command"));
  EXPECT_EQ(deadline_of("k"), -1);
}

TEST_F(ExpireCommands, TheLargestRepresentableAbsoluteTimeIsAccepted) {
  set("k", "v");
  EXPECT_EQ(h.run({"PEXPIREAT", "k", "9223372036854775807"}), integer(1));
  EXPECT_EQ(h.run({"PEXPIRETIME", "k"}), integer(9223372036854775807));
}

TEST_F(ExpireCommands, OverflowIsCheckedEvenForAMissingKey) {
  EXPECT_EQ(h.run({"PEXPIRE", "missing", "9223372036854775807"}),
            error("ERR invalid expire time in 'pexpire' command"));
}

TEST_F(ExpireCommands, ContradictoryConditionsAreErrors) {
  set("k", "v");
  const std::string nx_error =
      error("ERR NX and XX, GT or LT options at the same time are not compatible");
  EXPECT_EQ(h.run({"EXPIRE", "k", "10", "NX", "XX"}), nx_error);
  EXPECT_EQ(h.run({"EXPIRE", "k", "10", "nx", "gt"}), nx_error);
  EXPECT_EQ(h.run({"EXPIRE", "k", "10", "LT", "NX"}), nx_error);
  EXPECT_EQ(h.run({"EXPIRE", "k", "10", "GT", "LT"}),
            error("ERR GT and LT options at the same time are not compatible"));
}

TEST_F(ExpireCommands, ConditionsAreCheckedBeforeTheTime) {
  EXPECT_EQ(h.run({"EXPIRE", "k", "soon", "NX", "XX"}),
            error("ERR NX and XX, GT or LT options at the same time are not compatible"));
}

TEST_F(ExpireCommands, AnUnknownOptionIsNamedInTheError) {
  set("k", "v");
  EXPECT_EQ(h.run({"EXPIRE", "k", "10", "SOON"}), error("ERR Unsupported option SOON"));
}

TEST_F(ExpireCommands, ArityIsChecked) {
  EXPECT_EQ(h.run({"EXPIRE", "k"}), error("ERR wrong number of arguments for 'expire' command"));
  EXPECT_EQ(h.run({"TTL"}), error("ERR wrong number of arguments for 'ttl' command"));
  EXPECT_EQ(h.run({"TTL", "a", "b"}), error("ERR wrong number of arguments for 'ttl' command"));
}

// --- NX XX GT LT --------------------------------------------------------------------------------

TEST_F(ExpireCommands, NxSetsOnlyWithoutADeadline) {
  set("k", "v");
  EXPECT_EQ(h.run({"EXPIRE", "k", "10", "NX"}), integer(1));
  EXPECT_EQ(h.run({"EXPIRE", "k", "20", "NX"}), integer(0));
  EXPECT_EQ(deadline_of("k"), now_ms() + 10'000);
}

TEST_F(ExpireCommands, XxSetsOnlyWithADeadline) {
  set("k", "v");
  EXPECT_EQ(h.run({"EXPIRE", "k", "10", "XX"}), integer(0));
  EXPECT_EQ(deadline_of("k"), -1);
  h.run({"EXPIRE", "k", "10"});
  EXPECT_EQ(h.run({"EXPIRE", "k", "20", "XX"}), integer(1));
  EXPECT_EQ(deadline_of("k"), now_ms() + 20'000);
}

TEST_F(ExpireCommands, GtOnlyExtendsAndNeverAppliesWithoutADeadline) {
  set("k", "v");
  EXPECT_EQ(h.run({"EXPIRE", "k", "10", "GT"}), integer(0));
  h.run({"EXPIRE", "k", "10"});
  EXPECT_EQ(h.run({"EXPIRE", "k", "10", "GT"}), integer(0));
  EXPECT_EQ(h.run({"EXPIRE", "k", "5", "GT"}), integer(0));
  EXPECT_EQ(h.run({"EXPIRE", "k", "20", "GT"}), integer(1));
  EXPECT_EQ(deadline_of("k"), now_ms() + 20'000);
}

TEST_F(ExpireCommands, LtOnlyShortensAndAlwaysAppliesWithoutADeadline) {
  set("k", "v");
  EXPECT_EQ(h.run({"EXPIRE", "k", "100", "LT"}), integer(1));
  EXPECT_EQ(h.run({"EXPIRE", "k", "100", "LT"}), integer(0));
  EXPECT_EQ(h.run({"EXPIRE", "k", "200", "LT"}), integer(0));
  EXPECT_EQ(h.run({"EXPIRE", "k", "50", "lt"}), integer(1));
  EXPECT_EQ(deadline_of("k"), now_ms() + 50'000);
}

TEST_F(ExpireCommands, XxCombinesWithGt) {
  set("k", "v");
  EXPECT_EQ(h.run({"EXPIRE", "k", "10", "XX", "GT"}), integer(0));
  h.run({"EXPIRE", "k", "10"});
  EXPECT_EQ(h.run({"EXPIRE", "k", "20", "XX", "GT"}), integer(1));
}

TEST_F(ExpireCommands, AFailedConditionKeepsAKeyWhoseNewDeadlineIsPast) {
  set_with_ttl("k", "v", 10'000);
  EXPECT_EQ(h.run({"EXPIRE", "k", "-1", "GT"}), integer(0));
  EXPECT_EQ(value_of("k"), "v");
  EXPECT_EQ(h.run({"EXPIRE", "k", "-1", "LT"}), integer(1));
  EXPECT_EQ(value_of("k"), "(nil)");
}

// --- reading deadlines --------------------------------------------------------------------------

TEST_F(ExpireCommands, TtlOfAMissingKeyIsMinusTwo) {
  EXPECT_EQ(h.run({"TTL", "k"}), integer(-2));
  EXPECT_EQ(h.run({"PTTL", "k"}), integer(-2));
  EXPECT_EQ(h.run({"EXPIRETIME", "k"}), integer(-2));
  EXPECT_EQ(h.run({"PEXPIRETIME", "k"}), integer(-2));
}

TEST_F(ExpireCommands, TtlOfAKeyWithoutDeadlineIsMinusOne) {
  set("k", "v");
  EXPECT_EQ(h.run({"TTL", "k"}), integer(-1));
  EXPECT_EQ(h.run({"PTTL", "k"}), integer(-1));
  EXPECT_EQ(h.run({"EXPIRETIME", "k"}), integer(-1));
  EXPECT_EQ(h.run({"PEXPIRETIME", "k"}), integer(-1));
}

TEST_F(ExpireCommands, TtlRoundsToTheNearestSecond) {
  set_with_ttl("k", "v", 10'000);
  EXPECT_EQ(h.run({"TTL", "k"}), integer(10));
  h.clock().advance_ms(400);
  EXPECT_EQ(h.run({"TTL", "k"}), integer(10));
  EXPECT_EQ(h.run({"PTTL", "k"}), integer(9600));
  h.clock().advance_ms(200);
  EXPECT_EQ(h.run({"TTL", "k"}), integer(9));
  h.clock().advance_ms(8900);
  EXPECT_EQ(h.run({"TTL", "k"}), integer(1));
  h.clock().advance_ms(1);
  EXPECT_EQ(h.run({"TTL", "k"}), integer(0));
  EXPECT_EQ(h.run({"PTTL", "k"}), integer(499));
}

TEST_F(ExpireCommands, ExpiretimeReportsTheAbsoluteDeadline) {
  set("k", "v");
  int64_t at_ms = now_ms() + 12'345;
  h.run({"PEXPIREAT", "k", ms(at_ms)});
  EXPECT_EQ(h.run({"PEXPIRETIME", "k"}), integer(at_ms));
  EXPECT_EQ(h.run({"EXPIRETIME", "k"}), integer((at_ms + 500) / 1000));
}

TEST_F(ExpireCommands, TtlOfAnExpiredKeyIsMinusTwo) {
  set_with_ttl("k", "v", 10);
  h.clock().advance_ms(10);
  EXPECT_EQ(h.run({"PTTL", "k"}), integer(-2));
}

// --- PERSIST ------------------------------------------------------------------------------------

TEST_F(ExpireCommands, PersistRemovesTheDeadline) {
  set_with_ttl("k", "v", 1000);
  EXPECT_EQ(h.run({"PERSIST", "k"}), integer(1));
  EXPECT_EQ(h.run({"TTL", "k"}), integer(-1));
  h.clock().advance_ms(2000);
  EXPECT_EQ(value_of("k"), "v");
}

TEST_F(ExpireCommands, PersistWithoutADeadlineOrKeyReturnsZero) {
  set("k", "v");
  uint64_t before = dirty();
  EXPECT_EQ(h.run({"PERSIST", "k"}), integer(0));
  EXPECT_EQ(h.run({"PERSIST", "missing"}), integer(0));
  EXPECT_EQ(dirty(), before);
}

TEST_F(ExpireCommands, DeadlinesSurviveManyKeysBeingSetAndCleared) {
  for (int i = 0; i < 200; ++i) set(numbered("k", i), numbered("v", i));
  for (int i = 0; i < 200; ++i) {
    std::string key = numbered("k", i);
    EXPECT_EQ(h.run({"PEXPIRE", key, ms(1000 + i)}), integer(1));
  }
  for (int i = 0; i < 200; i += 2) {
    std::string key = numbered("k", i);
    EXPECT_EQ(h.run({"PERSIST", key}), integer(1));
  }
  h.clock().advance_ms(1100);
  EXPECT_EQ(db().size(), 200u);  // lazily expired keys are still counted until looked up
  for (int i = 0; i < 200; ++i) {
    std::string key = numbered("k", i);
    bool persistent = i % 2 == 0;
    bool expired = !persistent && 1000 + i <= 1100;
    EXPECT_EQ(value_of(key), expired ? "(nil)" : numbered("v", i)) << key;
  }
}

}  // namespace
}  // namespace stashd::testing
