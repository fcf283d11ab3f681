// Tests the sampled statistics: instantaneous rates, the cron's sampling periods, the memory peak
// and start-up figure, the stale-key estimate, and the per-node table.
#include "stashd/admin/stats_sampler.h"

#include <gtest/gtest.h>

#include <vector>

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

// A heap whose array is sorted by deadline (a valid min-heap): node i expires at deadlines[i].
std::vector<TtlHeap::Node> sorted_heap(size_t n) {
  std::vector<TtlHeap::Node> heap(n);
  for (size_t i = 0; i < n; ++i) {
    heap[i] = {static_cast<int64_t>(i), static_cast<EntryIndex>(i + 1)};
  }
  return heap;
}

TEST(CountDueKeys, IsZeroForAnEmptyHeapOrALateRoot) {
  size_t budget = 100;
  EXPECT_EQ(count_due_keys({}, 1000, &budget), 0u);
  std::vector<TtlHeap::Node> heap = sorted_heap(10);
  EXPECT_EQ(count_due_keys(heap, -1, &budget), 0u);
  EXPECT_EQ(budget, 100u);
}

TEST(CountDueKeys, CountsExactlyAndVisitsOnlyDueNodesAndTheirChildren) {
  std::vector<TtlHeap::Node> heap = sorted_heap(1000);
  size_t budget = 1000;
  EXPECT_EQ(count_due_keys(heap, 9, &budget), 10u);  // deadlines 0..9 are due
  // Ten due nodes plus the children of the due nodes that are not due themselves.
  EXPECT_EQ(1000 - budget, 21u);
}

TEST(CountDueKeys, FindsDueNodesDeepInAHeapThatIsNotSorted) {
  // Root 0, children 5 and 1, and 1's children 2 and 9: due at 3 are 0, 1 and 2.
  std::vector<TtlHeap::Node> heap = {{0, 1}, {5, 2}, {1, 3}, {6, 4}, {7, 5}, {2, 6}, {9, 7}};
  size_t budget = 100;
  EXPECT_EQ(count_due_keys(heap, 3, &budget), 3u);
}

TEST(CountDueKeys, ScalesAnEvenSampleWhenTheWalkRunsOutOfBudget) {
  std::vector<TtlHeap::Node> heap = sorted_heap(10000);
  size_t budget = 100;
  EXPECT_EQ(count_due_keys(heap, 2499, &budget), 2500u);  // a quarter of the sample is due
  EXPECT_EQ(budget, 0u);
}

TEST(CountDueKeys, KeepsTheDueKeysItFoundWhenTheSampleSeesFewer) {
  // Due: the root and the chain of first children 1, 3, 7 ... 2047, odd positions that the even
  // sample positions (every second one of 2048) miss.
  std::vector<TtlHeap::Node> heap(2048, TtlHeap::Node{100, 1});
  for (size_t i = 0; i < heap.size(); i = 2 * i + 1) heap[i].deadline_ms = 0;
  size_t budget = 1000;
  EXPECT_EQ(count_due_keys(heap, 50, &budget), 12u);
  budget = 15;  // the walk alternates a late sibling and the next due node: finds 8 of them
  EXPECT_EQ(count_due_keys(heap, 50, &budget), 8u);
}

class StatsSampler : public ::testing::Test {
 protected:
  ~StatsSampler() override { forget_sampled_stats(h.node()); }
  SampledStats& stats() { return sampled_stats(h.node()); }
  // Makes Keyspace::used_memory() report `used` (what the allocator would say).
  void meter(size_t* used) {
    h.node().keyspace().set_memory_meter([used] { return *used; });
  }
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

TEST_F(StatsSampler, CronRaisesTheMemoryPeakOnEveryPass) {
  size_t used = 1000;
  meter(&used);
  admin_cron_tick(h.node());
  EXPECT_EQ(stats().used_memory_peak, 1000u);
  used = 5000;
  admin_cron_tick(h.node());
  EXPECT_EQ(stats().used_memory_peak, 5000u);
  used = 2000;
  admin_cron_tick(h.node());
  EXPECT_EQ(stats().used_memory_peak, 5000u);
}

TEST_F(StatsSampler, MeasuredUsedMemoryIsTheKeyspacesFigureAndRaisesThePeak) {
  size_t used = 4096;
  meter(&used);
  EXPECT_EQ(measure_used_memory(h.node()), 4096u);
  EXPECT_EQ(stats().used_memory_peak, 4096u);
  stats().used_memory_peak = 40960;
  EXPECT_EQ(measure_used_memory(h.node()), 4096u);
  EXPECT_EQ(stats().used_memory_peak, 40960u);
}

TEST_F(StatsSampler, StartupMemoryIsRecordedOnceAtTheFirstLook) {
  size_t used = 1000;
  meter(&used);
  EXPECT_FALSE(stats().startup_recorded);
  admin_cron_tick(h.node());
  EXPECT_TRUE(stats().startup_recorded);
  EXPECT_EQ(stats().used_memory_startup, 1000u);
  used = 9000;
  admin_cron_tick(h.node());
  record_startup_memory(h.node());
  EXPECT_EQ(stats().used_memory_startup, 1000u);
}

TEST_F(StatsSampler, CronEstimatesStaleKeysOncePerSecond) {
  Keyspace& ks = h.node().keyspace();
  int64_t now = h.clock().now_ms();
  for (int i = 0; i < 4; ++i) {
    Db& db = ks.db(i % 2);  // spread over two databases
    db.set_expire(db.set_string("k" + std::to_string(i), "v"), now + 1000 * (i + 1));
  }
  ks.db(0).set_string("no-ttl", "v");
  admin_cron_tick(h.node());
  EXPECT_EQ(stats().expired_stale_perc, 0);
  h.clock().advance_ms(2500);  // the first two deadlines passed; nothing removed them
  admin_cron_tick(h.node());
  EXPECT_DOUBLE_EQ(stats().expired_stale_perc, 50);
  h.clock().advance_ms(1000);
  admin_cron_tick(h.node());
  EXPECT_DOUBLE_EQ(stats().expired_stale_perc, 75);
  h.clock().advance_ms(500);  // within the second: not re-estimated
  admin_cron_tick(h.node());
  EXPECT_DOUBLE_EQ(stats().expired_stale_perc, 75);
}

TEST_F(StatsSampler, StalePercentIsZeroWithoutKeysWithATtl) {
  h.node().keyspace().db(0).set_string("k", "v");
  EXPECT_EQ(expired_stale_percent(h.node(), h.clock().now_ms() + 1'000'000), 0);
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
