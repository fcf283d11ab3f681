// Owns: policy names (see eviction_policy.h). Must not touch: anything else. Thread: any.
#include "stashd/keyspace/eviction_policy.h"

#include <array>

#include "stashd/common/strings.h"

namespace stashd {

namespace {
constexpr std::array<std::string_view, 11> kNames = {
    "noeviction",      "allkeys-lru",    "allkeys-lru-exact", "allkeys-lfu",
    "allkeys-random",  "allkeys-wtinylfu", "volatile-lru",    "volatile-lfu",
    "volatile-random", "volatile-ttl",   "volatile-wtinylfu",
};
}  // namespace

std::span<const std::string_view> eviction_policy_names() { return kNames; }

std::optional<EvictionPolicy> parse_eviction_policy(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (iequals(kNames[i], name)) return static_cast<EvictionPolicy>(i);
  }
  return std::nullopt;
}

std::string_view eviction_policy_name(EvictionPolicy policy) {
  return kNames[static_cast<size_t>(policy)];
}

}  // namespace stashd
