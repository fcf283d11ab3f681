// Owns: choosing and removing keys while used memory is over maxmemory, per maxmemory-policy:
//   - sampled LRU/LFU (all keys or volatile): maxmemory-samples keys per database feed a pool of
//     the best candidates kept across runs, the best one goes;
//   - allkeys-lru-exact: the least recently used key (the oldest tail of the recency lists);
//   - random: a random key (volatile: a random key with a TTL); volatile-ttl: the soonest deadline;
//   - W-TinyLFU: a candidate from the admission window is let into the main area only if the
//     frequency sketch estimates it more popular than the main area's victim; the loser goes.
// A run stops when memory is under the limit, when nothing can be evicted (kFail), or when its
// time budget (maxmemory-eviction-tenacity) is spent (kRunning: the server continues next tick).
// Must not touch: I/O, the system clock (time comes from Keyspace::clock_us). Thread: event loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "stashd/keyspace/eviction_pool.h"

namespace stashd {

class Keyspace;
class Db;

enum class EvictResult { kOk, kRunning, kFail };

class Evictor {
 public:
  explicit Evictor(Keyspace* keyspace) : keyspace_(keyspace) {}

  // Evicts until used memory is at most maxmemory, within the tenacity's time budget.
  EvictResult run();
  // The same with an explicit budget in microseconds (< 0: unbounded).
  EvictResult run_for(int64_t budget_us);
  // Evicts one key by the policy; false when no key may be evicted.
  bool evict_one();
  bool over_limit() const;
  // Microseconds one run may take for a tenacity of 0..100 (100 = no limit, returned as -1).
  static int64_t time_budget_us(int64_t tenacity);

  void settings_changed() { pool_.clear(); }
  const EvictionPool& pool() const { return pool_; }

 private:
  bool evict_pooled(bool volatile_only, bool lfu);
  bool evict_random(bool volatile_only);
  bool evict_soonest_deadline();
  bool evict_lru_exact();
  bool evict_wtinylfu(bool volatile_only);
  bool evict_wtinylfu_in(Db& db, bool volatile_only);
  // The next database (round robin) that holds keys (with TTLs, if volatile_only); nullptr if none.
  Db* next_db(bool volatile_only);

  Keyspace* keyspace_;
  EvictionPool pool_;
  EvictionPool::Candidate popped_;
  std::vector<uint32_t> samples_;
  int next_db_ = 0;
};

}  // namespace stashd
