// Owns: the maxmemory-policy names stashd accepts and what each implies: which keys it may evict
// (all, or only keys with a TTL), what an entry's 24-bit access field holds (an LRU clock in seconds
// or an LFU counter), and whether the W-TinyLFU segments are kept. Also the eviction settings the
// keyspace reads (maxmemory and friends), copied in from the config.
// Must not touch: anything else. Thread: the event loop.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace stashd {

enum class EvictionPolicy : uint8_t {
  kNoEviction,
  kAllKeysLru,
  kAllKeysLruExact,
  kAllKeysLfu,
  kAllKeysRandom,
  kAllKeysWTinyLfu,
  kVolatileLru,
  kVolatileLfu,
  kVolatileRandom,
  kVolatileTtl,
  kVolatileWTinyLfu,
};

// Every policy name, lower case, in the order above.
std::span<const std::string_view> eviction_policy_names();
std::optional<EvictionPolicy> parse_eviction_policy(std::string_view name);
std::string_view eviction_policy_name(EvictionPolicy policy);

inline bool evicts_volatile_only(EvictionPolicy p) {
  return p == EvictionPolicy::kVolatileLru || p == EvictionPolicy::kVolatileLfu ||
         p == EvictionPolicy::kVolatileRandom || p == EvictionPolicy::kVolatileTtl ||
         p == EvictionPolicy::kVolatileWTinyLfu;
}
inline bool tracks_lfu(EvictionPolicy p) {
  return p == EvictionPolicy::kAllKeysLfu || p == EvictionPolicy::kVolatileLfu;
}
inline bool uses_wtinylfu(EvictionPolicy p) {
  return p == EvictionPolicy::kAllKeysWTinyLfu || p == EvictionPolicy::kVolatileWTinyLfu;
}

struct EvictionSettings {
  uint64_t maxmemory = 0;  // bytes, 0 = no limit
  EvictionPolicy policy = EvictionPolicy::kNoEviction;
  int64_t samples = 5;         // maxmemory-samples
  int64_t tenacity = 10;       // maxmemory-eviction-tenacity, 0..100
  int64_t lfu_log_factor = 10;
  int64_t lfu_decay_time = 1;  // minutes
  bool lazy_eviction = false;  // lazyfree-lazy-eviction
  bool lazy_expire = false;    // lazyfree-lazy-expire
  bool lazy_server_del = false;  // lazyfree-lazy-server-del (overwrites, RENAME's target, ...)
};

}  // namespace stashd
