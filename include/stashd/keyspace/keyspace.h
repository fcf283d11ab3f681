// Owns: the set of databases, the shared entry arena, the keyspace's notion of "now" (injected by the
// caller before each command, so expiry is deterministic under test), keyspace statistics, the
// listeners for keys that expire or are evicted, the eviction settings with the evictor and the
// W-TinyLFU frequency sketch, and the background freer for big values.
// Must not touch: I/O, the system clock (memory and time for eviction come through injected
// functions). Thread: the event loop.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "stashd/keyspace/db.h"
#include "stashd/keyspace/entry_arena.h"
#include "stashd/keyspace/eviction_policy.h"
#include "stashd/keyspace/frequency_sketch.h"
#include "stashd/keyspace/lazy_free.h"

namespace stashd {

struct KeyspaceStats {
  uint64_t expired_keys = 0;
  uint64_t keyspace_hits = 0;
  uint64_t keyspace_misses = 0;
  uint64_t expired_time_cap_reached_count = 0;
  uint64_t evicted_keys = 0;
};

class Evictor;

class Keyspace {
 public:
  explicit Keyspace(int databases);
  ~Keyspace();

  int databases() const { return static_cast<int>(dbs_.size()); }
  Db& db(int index) { return *dbs_[index]; }
  const Db& db(int index) const { return *dbs_[index]; }
  EntryArena& arena() { return arena_; }
  KeyspaceStats& stats() { return stats_; }

  void set_now_ms(int64_t now_ms) { now_ms_ = now_ms; }
  int64_t now_ms() const { return now_ms_; }
  // Whether reads delete keys found expired (a primary) or only hide them (a replica, whose
  // primary sends the DELs).
  void set_expire_on_access(bool on) { expire_on_access_ = on; }
  bool expire_on_access() const { return expire_on_access_; }
  // 24-bit seconds clock stored in each entry for OBJECT IDLETIME (wraps after ~194 days).
  uint32_t lru_clock() const { return static_cast<uint32_t>(now_ms_ / 1000) & 0xFFFFFF; }

  // Called with (db, key) just before an expired key is removed (lazily or actively).
  void set_expire_listener(std::function<void(int, std::string_view)> fn) {
    on_expire_ = std::move(fn);
  }
  void notify_expired(int db, std::string_view key) {
    ++stats_.expired_keys;
    if (on_expire_) on_expire_(db, key);
  }

  // Eviction. The meter reports the used memory that counts against maxmemory; the clock (in
  // microseconds) bounds how long one eviction run may take.
  const EvictionSettings& eviction() const { return eviction_; }
  void set_eviction(const EvictionSettings& settings);
  void set_memory_meter(std::function<size_t()> fn) { memory_meter_ = std::move(fn); }
  size_t used_memory() const { return memory_meter_ ? memory_meter_() : arena_.used_bytes(); }
  void set_clock_us(std::function<int64_t()> fn) { clock_us_ = std::move(fn); }
  int64_t clock_us() const { return clock_us_ ? clock_us_() : now_ms_ * 1000; }
  Evictor& evictor() { return *evictor_; }
  FrequencySketch& sketch() { return sketch_; }
  // Cron: under W-TinyLFU, re-sizes the sketch once the key population outgrows it (forgetting
  // its history, which at that point is young anyway).
  void grow_sketch_if_needed() {
    if (uses_wtinylfu(eviction_.policy) && total_keys() > sketch_.width()) {
      sketch_.resize(total_keys());
    }
  }
  LazyFreer& lazy_free() { return lazy_free_; }
  // Close enough to maxmemory that W-TinyLFU stops admitting window overflow for free.
  bool near_memory_limit() const {
    return eviction_.maxmemory > 0 && used_memory() + eviction_.maxmemory / 64 >= eviction_.maxmemory;
  }

  // Called with (db, key) just before an evicted key is removed.
  void set_evict_listener(std::function<void(int, std::string_view)> fn) {
    on_evict_ = std::move(fn);
  }
  void notify_evicted(int db, std::string_view key) {
    ++stats_.evicted_keys;
    if (on_evict_) on_evict_(db, key);
  }
  // Uniform in [0, 1), for probabilistic counters.
  double random01() { return static_cast<double>(random() >> 11) * 0x1.0p-53; }

  // splitmix64: cheap, good enough for sampling buckets; seeded so tests are repeatable.
  uint64_t random() {
    uint64_t z = (rng_state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // While a forked child shares the pages (snapshot, AOF rewrite), no dictionary resizes: a
  // rehash would copy every page.
  void set_resize_allowed(bool allowed) {
    for (auto& db : dbs_) db->set_resize_allowed(allowed);
  }
  void swap_db(int a, int b) { dbs_[a]->swap_contents(*dbs_[b]); }
  size_t total_keys() const;

 private:
  EntryArena arena_;  // declared first: destroyed after the databases that free into it
  LazyFreer lazy_free_;  // outlives the databases, which may hand it values
  std::vector<std::unique_ptr<Db>> dbs_;
  KeyspaceStats stats_;
  int64_t now_ms_ = 0;
  bool expire_on_access_ = true;
  uint64_t rng_state_ = 0x9E3779B97F4A7C15ULL;
  std::function<void(int, std::string_view)> on_expire_;
  std::function<void(int, std::string_view)> on_evict_;
  std::function<size_t()> memory_meter_;
  std::function<int64_t()> clock_us_;
  EvictionSettings eviction_;
  FrequencySketch sketch_;
  std::unique_ptr<Evictor> evictor_;
};

}  // namespace stashd
