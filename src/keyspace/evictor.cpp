// Owns: eviction runs and victim choice per policy (see evictor.h). Must not touch: I/O.
// Thread: the event loop.
#include "stashd/keyspace/evictor.h"

#include <cmath>

#include "stashd/keyspace/dict.h"
#include "stashd/keyspace/keyspace.h"
#include "stashd/keyspace/lfu.h"

namespace stashd {

namespace {
// Keys evicted between clock reads; keeps the clock off the per-key path.
constexpr int kKeysPerClockCheck = 16;
// How far a volatile W-TinyLFU walk looks past keys without a TTL before giving up on a list.
constexpr int kMaxSkips = 64;
}  // namespace

int64_t Evictor::time_budget_us(int64_t tenacity) {
  if (tenacity >= 100) return -1;
  if (tenacity <= 10) return 50 * tenacity;
  return static_cast<int64_t>(500.0 * std::pow(1.15, static_cast<double>(tenacity - 10)));
}

bool Evictor::over_limit() const {
  const EvictionSettings& ev = keyspace_->eviction();
  return ev.maxmemory > 0 && keyspace_->used_memory() > ev.maxmemory;
}

EvictResult Evictor::run() { return run_for(time_budget_us(keyspace_->eviction().tenacity)); }

EvictResult Evictor::run_for(int64_t budget_us) {
  if (!over_limit()) return EvictResult::kOk;
  if (keyspace_->eviction().policy == EvictionPolicy::kNoEviction) {
    // Memory the background freer still holds comes back without evicting anything.
    return keyspace_->lazy_free().pending() > 0 ? EvictResult::kRunning : EvictResult::kFail;
  }
  const int64_t start = budget_us >= 0 ? keyspace_->clock_us() : 0;
  for (int n = 1;; ++n) {
    if (!evict_one()) {
      // Nothing left to evict; memory the background freer still holds will come back soon.
      return keyspace_->lazy_free().pending() > 0 ? EvictResult::kRunning : EvictResult::kFail;
    }
    if (!over_limit()) return EvictResult::kOk;
    if (budget_us >= 0 && n % kKeysPerClockCheck == 0 &&
        keyspace_->clock_us() - start >= budget_us) {
      return EvictResult::kRunning;
    }
  }
}

bool Evictor::evict_one() {
  switch (keyspace_->eviction().policy) {
    case EvictionPolicy::kNoEviction:
      return false;
    case EvictionPolicy::kAllKeysLru:
      return evict_pooled(false, false);
    case EvictionPolicy::kVolatileLru:
      return evict_pooled(true, false);
    case EvictionPolicy::kAllKeysLfu:
      return evict_pooled(false, true);
    case EvictionPolicy::kVolatileLfu:
      return evict_pooled(true, true);
    case EvictionPolicy::kAllKeysLruExact:
      return evict_lru_exact();
    case EvictionPolicy::kAllKeysRandom:
      return evict_random(false);
    case EvictionPolicy::kVolatileRandom:
      return evict_random(true);
    case EvictionPolicy::kVolatileTtl:
      return evict_soonest_deadline();
    case EvictionPolicy::kAllKeysWTinyLfu:
      return evict_wtinylfu(false);
    case EvictionPolicy::kVolatileWTinyLfu:
      return evict_wtinylfu(true);
  }
  return false;
}

Db* Evictor::next_db(bool volatile_only) {
  const int count = keyspace_->databases();
  for (int i = 0; i < count; ++i) {
    Db& db = keyspace_->db((next_db_ + i) % count);
    if (volatile_only ? db.expires() > 0 : db.size() > 0) {
      next_db_ = (next_db_ + i + 1) % count;
      return &db;
    }
  }
  return nullptr;
}

bool Evictor::evict_pooled(bool volatile_only, bool lfu) {
  const EvictionSettings& ev = keyspace_->eviction();
  const size_t samples = static_cast<size_t>(ev.samples > 0 ? ev.samples : 1);
  samples_.resize(samples);
  // A few refills at most: each refill samples every database, and a pooled key may be gone.
  for (int attempt = 0; attempt < 8; ++attempt) {
    bool any = false;
    for (int i = 0; i < keyspace_->databases(); ++i) {
      Db& db = keyspace_->db(i);
      if (volatile_only ? db.expires() == 0 : db.size() == 0) continue;
      any = true;
      size_t got = db.sample(samples, volatile_only, samples_.data());
      for (size_t k = 0; k < got; ++k) {
        EntryIndex e = samples_[k];
        // Higher scores go first: idle time for LRU, a low (decayed) counter for LFU.
        uint64_t score = lfu ? lfu::kMax - db.lfu_counter(e) : db.idle_seconds(e);
        pool_.offer(score, i, db.view(e).key());
      }
    }
    if (!any) return false;
    while (pool_.pop_best(&popped_)) {
      Db& db = keyspace_->db(popped_.db);
      EntryIndex e = db.lookup_peek(popped_.key);
      if (e == kNoEntry || (volatile_only && !db.view(e).has_ttl())) continue;  // stale
      db.evict(e);
      return true;
    }
  }
  return false;
}

bool Evictor::evict_random(bool volatile_only) {
  Db* db = next_db(volatile_only);
  if (db == nullptr) return false;
  EntryIndex e = kNoEntry;
  if (db->sample(1, volatile_only, &e) == 0) {
    e = db->random_key();  // a sparse table: fall back to bucket probing
    if (e == kNoEntry) return false;
  }
  db->evict(e);
  return true;
}

bool Evictor::evict_soonest_deadline() {
  Db* best = nullptr;
  int64_t best_deadline = 0;
  for (int i = 0; i < keyspace_->databases(); ++i) {
    Db& db = keyspace_->db(i);
    if (db.expires() == 0) continue;
    int64_t deadline = db.ttl_heap().top().deadline_ms;
    if (best == nullptr || deadline < best_deadline) {
      best = &db;
      best_deadline = deadline;
    }
  }
  if (best == nullptr) return false;
  best->evict(best->ttl_heap().top().entry);
  return true;
}

bool Evictor::evict_lru_exact() {
  // Each recency list is ordered by last access, so the oldest tail of all lists is the LRU key.
  Db* best_db = nullptr;
  EntryIndex best = kNoEntry;
  uint64_t best_idle = 0;
  for (int i = 0; i < keyspace_->databases(); ++i) {
    Db& db = keyspace_->db(i);
    for (int s = 0; s < Db::kSegments; ++s) {
      EntryIndex tail = db.list(s).tail();
      if (tail == kNoEntry) continue;
      uint64_t idle = db.idle_seconds(tail);
      if (best == kNoEntry || idle > best_idle) {
        best_db = &db;
        best = tail;
        best_idle = idle;
      }
    }
  }
  if (best == kNoEntry) return false;
  best_db->evict(best);
  return true;
}

bool Evictor::evict_wtinylfu(bool volatile_only) {
  for (int i = 0; i < keyspace_->databases(); ++i) {
    Db* db = next_db(volatile_only);
    if (db == nullptr) return false;
    if (evict_wtinylfu_in(*db, volatile_only)) return true;
  }
  return false;
}

bool Evictor::evict_wtinylfu_in(Db& db, bool volatile_only) {
  // The first evictable entry from the tail of a list; under volatile-only, keys without a TTL are
  // rotated to the head so the next walk does not meet them again.
  auto evictable_tail = [&](int segment) -> EntryIndex {
    for (int skips = 0; skips < kMaxSkips; ++skips) {
      EntryIndex e = db.list(segment).tail();
      if (e == kNoEntry || !volatile_only || db.view(e).has_ttl()) return e;
      db.requeue(e);
    }
    return kNoEntry;
  };
  auto frequency = [&](EntryIndex e) {
    return keyspace_->sketch().estimate(db.frequency_hash(Dict::hash(db.view(e).key())));
  };
  // Bounded: each pass either evicts or moves one candidate into the main area.
  for (int pass = 0; pass < 2 * kMaxSkips; ++pass) {
    EntryIndex candidate = db.list(Db::kCandidate).tail();
    if (candidate == kNoEntry) break;
    EntryIndex victim = evictable_tail(Db::kProbation);
    if (victim == kNoEntry) victim = evictable_tail(Db::kProtected);
    const bool candidate_evictable = !volatile_only || db.view(candidate).has_ttl();
    if (victim == kNoEntry || !candidate_evictable) {
      db.move_to_segment(candidate, Db::kProbation);  // nothing to duel: it is admitted
      continue;
    }
    if (frequency(candidate) > frequency(victim)) {
      db.move_to_segment(candidate, Db::kProbation);
      db.evict(victim);
    } else {
      db.evict(candidate);
    }
    return true;
  }
  for (int segment : {Db::kProbation, Db::kProtected, Db::kWindow, Db::kCandidate}) {
    EntryIndex victim = evictable_tail(segment);
    if (victim != kNoEntry) {
      db.evict(victim);
      return true;
    }
  }
  return false;
}

}  // namespace stashd
