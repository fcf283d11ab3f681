// Owns: tests of src/keyspace/frequency_sketch.cpp: the doorkeeper absorbing a key's first access,
// estimates growing to saturation, independence of different keys, halving after 10 x width
// additions, and resizing. Must not touch: other modules. Thread: the test's.
#include "stashd/keyspace/frequency_sketch.h"

#include <gtest/gtest.h>

#include <cstdint>

#include "keyspace/test_entries.h"
#include "stashd/keyspace/dict.h"

namespace stashd::testing {
namespace {

uint64_t key_hash(std::string_view prefix, int i) { return Dict::hash(numbered(prefix, i)); }

void record_times(FrequencySketch& sketch, uint64_t hash, int times) {
  for (int i = 0; i < times; ++i) sketch.record(hash);
}

TEST(FrequencySketch, AnUnseenKeyEstimatesZero) {
  FrequencySketch sketch;
  EXPECT_EQ(sketch.estimate(key_hash("k", 1)), 0u);
}

TEST(FrequencySketch, TheFirstRecordOnlySetsTheDoorkeeper) {
  FrequencySketch sketch;
  uint64_t h = key_hash("k", 1);
  sketch.record(h);
  EXPECT_EQ(sketch.estimate(h), 1u);
  sketch.record(h);
  EXPECT_EQ(sketch.estimate(h), 2u);
  EXPECT_EQ(sketch.additions(), 2u);
}

TEST(FrequencySketch, EstimatesGrowWithRecordsAndSaturateAtSixteen) {
  FrequencySketch sketch;
  uint64_t h = key_hash("k", 1);
  for (uint32_t i = 1; i <= FrequencySketch::kMaxCount + 1; ++i) {
    sketch.record(h);
    EXPECT_EQ(sketch.estimate(h), i);
  }
  record_times(sketch, h, 100);
  EXPECT_EQ(sketch.estimate(h), FrequencySketch::kMaxCount + 1);
}

TEST(FrequencySketch, DifferentKeysAreMostlyIndependent) {
  FrequencySketch sketch(1024);
  for (int i = 0; i < 100; ++i) record_times(sketch, key_hash("key:", i), i % 10 + 1);
  int exact = 0;
  for (int i = 0; i < 100; ++i) {
    uint32_t expected = static_cast<uint32_t>(i % 10 + 1);
    uint32_t estimate = sketch.estimate(key_hash("key:", i));
    EXPECT_GE(estimate, expected) << "a count-min sketch never under-estimates; key " << i;
    exact += estimate == expected ? 1 : 0;
  }
  EXPECT_GE(exact, 95);
  int unseen_nonzero = 0;
  for (int i = 0; i < 100; ++i) unseen_nonzero += sketch.estimate(key_hash("other:", i)) > 0;
  EXPECT_LE(unseen_nonzero, 5);
}

TEST(FrequencySketch, HalvesCountsAndClearsTheDoorkeeperAfterTenTimesWidthAdditions) {
  FrequencySketch sketch;
  ASSERT_EQ(sketch.width(), 1024u);
  const size_t sample = 10 * sketch.width();
  uint64_t key = key_hash("k", 1);
  uint64_t noise = key_hash("noise", 1);
  record_times(sketch, key, 9);  // doorkeeper + 8
  ASSERT_EQ(sketch.estimate(key), 9u);
  record_times(sketch, noise, static_cast<int>(sample - 9 - 1));
  EXPECT_EQ(sketch.resets(), 0u);
  EXPECT_EQ(sketch.estimate(key), 9u);
  sketch.record(noise);
  EXPECT_EQ(sketch.resets(), 1u);
  EXPECT_EQ(sketch.additions(), sample / 2);
  EXPECT_EQ(sketch.estimate(key), 4u);  // 8 / 2, and no doorkeeper bit
  EXPECT_EQ(sketch.estimate(noise), FrequencySketch::kMaxCount / 2);
  sketch.record(key);  // the doorkeeper absorbs the first access again
  EXPECT_EQ(sketch.estimate(key), 5u);
}

TEST(FrequencySketch, WidthIsAPowerOfTwoOfAtLeast1024) {
  EXPECT_EQ(FrequencySketch(0).width(), 1024u);
  EXPECT_EQ(FrequencySketch(1000).width(), 1024u);
  EXPECT_EQ(FrequencySketch(1024).width(), 1024u);
  EXPECT_EQ(FrequencySketch(1025).width(), 2048u);
  EXPECT_EQ(FrequencySketch(5000).width(), 8192u);
}

TEST(FrequencySketch, ResizeForgetsHistory) {
  FrequencySketch sketch;
  uint64_t h = key_hash("k", 1);
  record_times(sketch, h, 5);
  sketch.resize(3000);
  EXPECT_EQ(sketch.width(), 4096u);
  EXPECT_EQ(sketch.estimate(h), 0u);
  EXPECT_EQ(sketch.additions(), 0u);
  sketch.record(h);
  EXPECT_EQ(sketch.estimate(h), 1u);
}

TEST(FrequencySketch, AWiderSketchHalvesLater) {
  FrequencySketch sketch(2048);
  record_times(sketch, key_hash("k", 1), 10 * 1024);
  EXPECT_EQ(sketch.resets(), 0u);
  record_times(sketch, key_hash("k", 1), 10 * 1024);
  EXPECT_EQ(sketch.resets(), 1u);
}

}  // namespace
}  // namespace stashd::testing
