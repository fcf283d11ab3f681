// Tests the sampled statistics: instantaneous rates, the cron's sampling periods, the memory peak
// and the per-node table.
#include "stashd/admin/stats_sampler.h"

#include <gtest/gtest.h>

#include "commands/harness.h"

namespace stashd {
namespace {

TEST(RateSampler, FirstSampleOnlySetsTheBaseline) {
  RateSampler r;
  r.sample(1000, 500);
  EXPECT_EQ(r.per_second(), 0);
}

TEST(RateSampler, AveragesPerSecondRatesOfTheSamples) {
  RateSampler r;
  r.sample(0, 0);
  r.sample(100, 100);  // 1000/s
  r.sample(200, 400);  // 3000/s
  EXPECT_DOUBLE_EQ(r.per_second(), 2000);
}

TEST(RateSampler, KeepsOnlyTheLastSixteenSamples) {
  RateSampler r;
  r.sample(0, 0);
  uint64_t counter = 0;
  int64_t now = 0;
  for (int i = 0; i < 16; ++i) r.sample(now += 1000, counter += 1'000'000);
  for (size_t i = 0; i < RateSampler::kSamples; ++i) r.sample(now += 1000, counter += 10);
  EXPECT_DOUBLE_EQ(r.per_second(), 10);
}

TEST(RateSampler, CountsFromZeroAfterTheCounterWasReset) {
  RateSampler r;
  r.sample(0, 1000);
  r.sample(1000, 30);
  EXPECT_DOUBLE_EQ(r.per_second(), 30);
}

TEST(RateSampler, IgnoresSamplesThatDoNotAdvanceTime) {
  RateSampler r;
  r.sample(1000, 0);
  r.sample(1000, 50);
  r.sample(900, 70);
  EXPECT_EQ(r.per_second(), 0);
  r.sample(2000, 100);
  EXPECT_DOUBLE_EQ(r.per_second(), 50);
}

TEST(RateSampler, ResetForgetsSamplesAndBaseline) {
  RateSampler r;
  r.sample(0, 0);
  r.sample(1000, 100);
  r.reset();
  EXPECT_EQ(r.per_second(), 0);
  r.sample(2000, 5000);
  EXPECT_EQ(r.per_second(), 0);
}

class StatsSampler : public ::testing::Test {
 protected:
  ~StatsSampler() override { forget_sampled_stats(h.node()); }
  SampledStats& stats() { return sampled_stats(h.node()); }
  testing::CommandHarness h;
};

TEST_F(StatsSampler, CronSamplesRatesAtMostEveryHundredMilliseconds) {
  ServerStats& server = h.node().stats();
  admin_cron_tick(h.node());
  server.total_commands_processed += 50;
  server.total_net_input_bytes += 2048;
  server.total_net_output_bytes += 1024;
  h.clock().advance_ms(50);
  admin_cron_tick(h.node());
  EXPECT_EQ(stats().ops.per_second(), 0);
  h.clock().advance_ms(50);
  admin_cron_tick(h.node());
  EXPECT_DOUBLE_EQ(stats().ops.per_second(), 500);
  EXPECT_DOUBLE_EQ(stats().net_input.per_second(), 20480);
  EXPECT_DOUBLE_EQ(stats().net_output.per_second(), 10240);
}

TEST_F(StatsSampler, CronRaisesTheMemoryPeakEverySecond) {
  admin_cron_tick(h.node());
  size_t peak = stats().used_memory_peak;
  EXPECT_GT(peak, 0u);
  // Freeze the heap figure so that only the arena moves.
  stats().heap_probe_us = kMaxCronHeapProbeUs + 1;
  size_t arena = h.node().keyspace().arena().used_bytes();
  h.node().keyspace().db(0).set_string("big", std::string(3000, 'x'));
  size_t grown = h.node().keyspace().arena().used_bytes() - arena;
  h.clock().advance_ms(500);
  admin_cron_tick(h.node());
  EXPECT_EQ(stats().used_memory_peak, peak);
  h.clock().advance_ms(500);
  admin_cron_tick(h.node());
  EXPECT_EQ(stats().used_memory_peak, peak + grown);
}

TEST_F(StatsSampler, CronReusesTheLastHeapFigureWhenMeasuringWasSlow) {
  stats().heap_bytes = 1;
  stats().heap_probe_us = kMaxCronHeapProbeUs + 1;
  admin_cron_tick(h.node());
  EXPECT_EQ(stats().heap_bytes, 1u);
  EXPECT_EQ(stats().used_memory_peak, h.node().keyspace().arena().used_bytes() + 1);
  measure_used_memory(h.node());
  EXPECT_GT(stats().heap_bytes, 1u);
}

TEST_F(StatsSampler, MeasuredUsedMemoryIsArenaPlusHeapAndRaisesThePeak) {
  size_t used = measure_used_memory(h.node());
  EXPECT_EQ(used, h.node().keyspace().arena().used_bytes() + stats().heap_bytes);
  EXPECT_GE(stats().used_memory_peak, used);
  stats().used_memory_peak = used * 10;
  measure_used_memory(h.node());
  EXPECT_EQ(stats().used_memory_peak, used * 10);
}

TEST_F(StatsSampler, EachNodeHasItsOwnStatsUntilForgotten) {
  testing::CommandHarness other;
  stats().used_memory_peak = 42;
  EXPECT_EQ(sampled_stats(other.node()).used_memory_peak, 0u);
  forget_sampled_stats(other.node());
  forget_sampled_stats(h.node());
  EXPECT_EQ(stats().used_memory_peak, 0u);
}

}  // namespace
}  // namespace stashd
