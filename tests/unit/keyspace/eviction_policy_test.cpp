// Owns: tests of src/keyspace/eviction_policy.cpp: policy names round-trip, parsing ignores case,
// unknown names are rejected, and the volatile / LFU / W-TinyLFU predicates.
// Must not touch: other modules. Thread: the test's.
#include "stashd/keyspace/eviction_policy.h"

#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace stashd::testing {
namespace {

using P = EvictionPolicy;

TEST(EvictionPolicy, EveryNameRoundTrips) {
  auto names = eviction_policy_names();
  EXPECT_EQ(names.size(), 11u);
  EXPECT_EQ(std::set<std::string_view>(names.begin(), names.end()).size(), names.size());
  for (std::string_view name : names) {
    std::optional<EvictionPolicy> policy = parse_eviction_policy(name);
    ASSERT_TRUE(policy.has_value()) << name;
    EXPECT_EQ(eviction_policy_name(*policy), name);
  }
}

TEST(EvictionPolicy, NamesMatchRedisSpelling) {
  EXPECT_EQ(eviction_policy_name(P::kNoEviction), "noeviction");
  EXPECT_EQ(eviction_policy_name(P::kAllKeysLru), "allkeys-lru");
  EXPECT_EQ(eviction_policy_name(P::kAllKeysLruExact), "allkeys-lru-exact");
  EXPECT_EQ(eviction_policy_name(P::kVolatileTtl), "volatile-ttl");
  EXPECT_EQ(eviction_policy_name(P::kAllKeysWTinyLfu), "allkeys-wtinylfu");
  EXPECT_EQ(eviction_policy_name(P::kVolatileWTinyLfu), "volatile-wtinylfu");
}

TEST(EvictionPolicy, ParsingIgnoresCase) {
  EXPECT_EQ(parse_eviction_policy("ALLKEYS-LRU"), P::kAllKeysLru);
  EXPECT_EQ(parse_eviction_policy("Volatile-Ttl"), P::kVolatileTtl);
  EXPECT_EQ(parse_eviction_policy("NoEviction"), P::kNoEviction);
}

TEST(EvictionPolicy, UnknownNamesAreRejected) {
  EXPECT_EQ(parse_eviction_policy(""), std::nullopt);
  EXPECT_EQ(parse_eviction_policy("allkeys"), std::nullopt);
  EXPECT_EQ(parse_eviction_policy("allkeys-lru "), std::nullopt);
  EXPECT_EQ(parse_eviction_policy("lru"), std::nullopt);
}

TEST(EvictionPolicy, OnlyVolatilePoliciesAreVolatileOnly) {
  for (std::string_view name : eviction_policy_names()) {
    EXPECT_EQ(evicts_volatile_only(*parse_eviction_policy(name)), name.starts_with("volatile-"))
        << name;
  }
}

TEST(EvictionPolicy, OnlyTheLfuPoliciesTrackLfuCounters) {
  for (std::string_view name : eviction_policy_names()) {
    EXPECT_EQ(tracks_lfu(*parse_eviction_policy(name)), name.ends_with("-lfu")) << name;
  }
}

TEST(EvictionPolicy, OnlyTheWTinyLfuPoliciesUseSegments) {
  for (std::string_view name : eviction_policy_names()) {
    EXPECT_EQ(uses_wtinylfu(*parse_eviction_policy(name)), name.ends_with("-wtinylfu")) << name;
  }
}

TEST(EvictionPolicy, DefaultSettingsMatchRedis) {
  EvictionSettings s;
  EXPECT_EQ(s.maxmemory, 0u);
  EXPECT_EQ(s.policy, P::kNoEviction);
  EXPECT_EQ(s.samples, 5);
  EXPECT_EQ(s.tenacity, 10);
  EXPECT_EQ(s.lfu_log_factor, 10);
  EXPECT_EQ(s.lfu_decay_time, 1);
}

}  // namespace
}  // namespace stashd::testing
