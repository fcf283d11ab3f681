// Tests the per-family command latency histograms and the group-to-family mapping.
#include "stashd/command/command_latency.h"

#include <gtest/gtest.h>

#include "commands/harness.h"

namespace stashd {
namespace {

TEST(CommandFamily, MapsTableGroupsToMetricNames) {
  EXPECT_EQ(command_family_name(command_family("string")), "string");
  EXPECT_EQ(command_family_name(command_family("sorted-set")), "zset");
  EXPECT_EQ(command_family_name(command_family("generic")), "key");
  EXPECT_EQ(command_family_name(command_family("transactions")), "transaction");
  EXPECT_EQ(command_family_name(command_family("no-such-group")), "other");
}

TEST(LatencyHistogram, CountsEachCallInTheFirstBucketThatHoldsIt) {
  LatencyHistogram h;
  h.record(0);
  h.record(10);  // a bound belongs to its own bucket (le = "less or equal")
  h.record(11);
  h.record(1'000'000);
  h.record(5'000'000);  // slower than every bound: the +Inf bucket only
  EXPECT_EQ(h.counts[0], 2u);
  EXPECT_EQ(h.counts[1], 1u);
  EXPECT_EQ(h.counts[kLatencyBucketBoundsUs.size() - 1], 1u);
  EXPECT_EQ(h.counts.back(), 1u);
  EXPECT_EQ(h.count, 5u);
  EXPECT_EQ(h.sum_us, 6'000'021u);
}

TEST(CommandLatency, TheDispatcherRecordsEveryCallUnderItsFamily) {
  testing::CommandHarness h;
  h.run({"SET", "k", "v"});
  h.run({"GET", "k"});
  h.run({"LPUSH", "l", "a"});
  h.run({"ZADD", "z", "1", "m"});
  const CommandLatency& latency = h.node().stats().command_latency;
  EXPECT_EQ(latency.family(CommandFamily::kString).count, 2u);
  EXPECT_EQ(latency.family(CommandFamily::kList).count, 1u);
  EXPECT_EQ(latency.family(CommandFamily::kZset).count, 1u);
  EXPECT_EQ(latency.family(CommandFamily::kHash).count, 0u);
}

}  // namespace
}  // namespace stashd
