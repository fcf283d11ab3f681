// Owns: the set of databases, the shared entry arena, the keyspace's notion of "now" (injected by the
// caller before each command, so expiry is deterministic under test), keyspace statistics and the
// listener for keys that expire. Must not touch: I/O, the system clock. Thread: the event loop.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "stashd/keyspace/db.h"
#include "stashd/keyspace/entry_arena.h"

namespace stashd {

struct KeyspaceStats {
  uint64_t expired_keys = 0;
  uint64_t keyspace_hits = 0;
  uint64_t keyspace_misses = 0;
  uint64_t expired_time_cap_reached_count = 0;
};

class Keyspace {
 public:
  explicit Keyspace(int databases);

  int databases() const { return static_cast<int>(dbs_.size()); }
  Db& db(int index) { return *dbs_[index]; }
  EntryArena& arena() { return arena_; }
  KeyspaceStats& stats() { return stats_; }

  void set_now_ms(int64_t now_ms) { now_ms_ = now_ms; }
  int64_t now_ms() const { return now_ms_; }
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

  // splitmix64: cheap, good enough for sampling buckets; seeded so tests are repeatable.
  uint64_t random() {
    uint64_t z = (rng_state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  void swap_db(int a, int b) { dbs_[a]->swap_contents(*dbs_[b]); }
  size_t total_keys() const;

 private:
  EntryArena arena_;  // declared first: destroyed after the databases that free into it
  std::vector<std::unique_ptr<Db>> dbs_;
  KeyspaceStats stats_;
  int64_t now_ms_ = 0;
  uint64_t rng_state_ = 0x9E3779B97F4A7C15ULL;
  std::function<void(int, std::string_view)> on_expire_;
};

}  // namespace stashd
