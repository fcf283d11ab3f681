// Owns: tests of src/keyspace/lfu.cpp: the packed minute/counter field, the logarithmic increment
// (driven by fixed random01 values), saturation at kMax, decay per decay_minutes and the 16-bit
// minute clock wrapping. Must not touch: other modules. Thread: the test's.
#include "stashd/keyspace/lfu.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace stashd::testing {
namespace {

constexpr int64_t kMinuteMs = 60'000;
constexpr int64_t kDecayOff = 0;
constexpr int64_t kFactor = 10;
constexpr double kAlways = 0.0;         // below every p > 0: always increments
constexpr double kAlmostNever = 0.999;  // below p only where p == 1 (counter <= kInitial)

uint32_t counter_after(uint32_t counter, int64_t log_factor, double random01) {
  return lfu::counter_of(lfu::on_access(lfu::pack(7, counter), 7, kDecayOff, log_factor, random01));
}

TEST(Lfu, ANewCounterStartsAtInitial) {
  uint32_t field = lfu::pack(lfu::minutes_clock(5 * kMinuteMs), lfu::kInitial);
  EXPECT_EQ(lfu::counter_of(field), lfu::kInitial);
  EXPECT_EQ(lfu::kInitial, 5u);
  EXPECT_EQ(field >> 8, 5u);
  EXPECT_LT(lfu::pack(0xFFFF, lfu::kMax), 1u << 24);  // fits an entry's 24-bit access field
}

TEST(Lfu, MinutesClockCountsWholeMinutesModulo65536) {
  EXPECT_EQ(lfu::minutes_clock(0), 0u);
  EXPECT_EQ(lfu::minutes_clock(kMinuteMs - 1), 0u);
  EXPECT_EQ(lfu::minutes_clock(3 * kMinuteMs), 3u);
  EXPECT_EQ(lfu::minutes_clock(0x10001 * kMinuteMs), 1u);
}

TEST(Lfu, ARandomOfZeroAlwaysIncrements) {
  for (uint32_t c = 0; c < lfu::kMax; ++c)
    EXPECT_EQ(counter_after(c, kFactor, kAlways), c + 1) << c;
}

TEST(Lfu, AHighRandomIncrementsOnlyAtOrBelowInitial) {
  for (uint32_t c = 0; c <= lfu::kInitial; ++c) {
    EXPECT_EQ(counter_after(c, kFactor, kAlmostNever), c + 1) << c;
  }
  for (uint32_t c = lfu::kInitial + 1; c < 40; ++c) {
    EXPECT_EQ(counter_after(c, kFactor, kAlmostNever), c) << c;
  }
}

TEST(Lfu, IncrementProbabilityIsOneOverDistanceFromInitialTimesFactorPlusOne) {
  // counter 15, factor 10: p = 1 / (10 * 10 + 1) = 1/101.
  EXPECT_EQ(counter_after(15, 10, 1.0 / 101 - 1e-9), 16u);
  EXPECT_EQ(counter_after(15, 10, 1.0 / 101 + 1e-9), 15u);
  // counter 6, factor 1: p = 1/2.
  EXPECT_EQ(counter_after(6, 1, 0.49), 7u);
  EXPECT_EQ(counter_after(6, 1, 0.51), 6u);
  // Factor 0 makes every access count.
  EXPECT_EQ(counter_after(100, 0, kAlmostNever), 101u);
}

TEST(Lfu, SaturatesAtMax) {
  uint32_t field = lfu::pack(0, lfu::kInitial);
  for (int i = 0; i < 400; ++i) field = lfu::on_access(field, 0, kDecayOff, kFactor, kAlways);
  EXPECT_EQ(lfu::counter_of(field), lfu::kMax);
  EXPECT_EQ(lfu::counter_of(lfu::on_access(field, 0, kDecayOff, kFactor, kAlways)), lfu::kMax);
}

TEST(Lfu, AccessStampsTheCurrentMinute) {
  uint32_t field = lfu::on_access(lfu::pack(10, 20), 12, kDecayOff, kFactor, kAlmostNever);
  EXPECT_EQ(field >> 8, 12u);
  EXPECT_EQ(lfu::counter_of(field), 20u);
}

TEST(Lfu, DecayLosesOnePerDecayPeriodElapsed) {
  uint32_t field = lfu::pack(100, 20);
  EXPECT_EQ(lfu::elapsed_minutes(field, 103), 3u);
  EXPECT_EQ(lfu::decayed(field, 100, 1), 20u);
  EXPECT_EQ(lfu::decayed(field, 103, 1), 17u);
  EXPECT_EQ(lfu::decayed(field, 103, 2), 19u);  // one whole period of two minutes
  EXPECT_EQ(lfu::decayed(field, 110, 5), 18u);
  EXPECT_EQ(lfu::decayed(field, 150, 1), 0u);  // more periods than the counter: floor at zero
}

TEST(Lfu, DecayTimeZeroDisablesDecay) {
  uint32_t field = lfu::pack(100, 20);
  EXPECT_EQ(lfu::decayed(field, 5000, 0), 20u);
  EXPECT_EQ(lfu::decayed(field, 5000, -1), 20u);
}

TEST(Lfu, DecayAllowsForTheMinuteClockWrapping) {
  uint32_t field = lfu::pack(0xFFFE, 10);
  EXPECT_EQ(lfu::elapsed_minutes(field, 1), 3u);
  EXPECT_EQ(lfu::decayed(field, 1, 1), 7u);
}

TEST(Lfu, AccessDecaysBeforeIncrementing) {
  uint32_t stale = lfu::pack(0, 10);
  // Four minutes at one per minute bring 10 down to 6, where p = 1/11.
  EXPECT_EQ(lfu::counter_of(lfu::on_access(stale, 4, 1, kFactor, kAlmostNever)), 6u);
  EXPECT_EQ(lfu::counter_of(lfu::on_access(stale, 4, 1, kFactor, kAlways)), 7u);
}

}  // namespace
}  // namespace stashd::testing
