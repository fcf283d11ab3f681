// Owns: one logical database: its dictionary, recency lists and TTL heap kept consistent with each
// other, access tracking per the eviction policy (LRU clock, LFU counter, W-TinyLFU segments),
// lazy expiry on access, active expiry from the heap, eviction of one entry, sampling for the
// evictor, and whole-value stores/moves.
// Must not touch: I/O, the clock (time comes from the Keyspace), command semantics.
// Thread: the event loop.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "stashd/keyspace/dict.h"
#include "stashd/keyspace/entry.h"
#include "stashd/keyspace/lru_list.h"
#include "stashd/keyspace/ttl_heap.h"

namespace stashd {

class Keyspace;

// A value removed from (or copied out of) a database, ready to be stored under another key or db.
class DetachedValue {
 public:
  DetachedValue() = default;
  DetachedValue(DetachedValue&& other) noexcept { *this = std::move(other); }
  DetachedValue& operator=(DetachedValue&& other) noexcept;
  ~DetachedValue() { reset(); }

  ValueType type = ValueType::kString;
  Encoding encoding = Encoding::kEmbedded;
  int64_t int_value = 0;
  std::string bytes;        // kEmbedded
  void* pointer = nullptr;  // kHeapString (std::string*) or kObject (ValueObject*), owned
  int64_t expire_ms = -1;   // absolute deadline, -1 = none

 private:
  void reset();
};

class Db {
 public:
  // Values whose entry would be larger than this are stored out of line (kHeapString).
  static constexpr size_t kMaxEmbeddedEntry = 4096;

  // The recency lists an entry can be on (its meta bits say which). Outside the W-TinyLFU policies
  // new entries go to kProbation, so that list is the whole LRU order; W-TinyLFU uses all four:
  // new keys enter kWindow, window overflow waits in kCandidate for admission (or goes straight
  // to kProbation while memory is not tight), and a second access moves a key to kProtected.
  enum Segment : int { kProbation = 0, kWindow = 1, kProtected = 2, kCandidate = 3 };
  static constexpr int kSegments = 4;

  Db(Keyspace* keyspace, int id);
  // Frees out-of-line values; the arena itself outlives the databases (see Keyspace).
  ~Db() { clear(); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  int id() const { return id_; }

  // Lookups expire the key lazily if its deadline passed (returning kNoEntry).
  EntryIndex lookup_read(std::string_view key);   // touches LRU, counts a hit or a miss
  EntryIndex lookup_write(std::string_view key);  // touches LRU
  EntryIndex lookup_peek(std::string_view key);   // no LRU touch, no stats
  entry::View view(EntryIndex e) const;

  // The string value of a kString entry; integers are formatted into `buf`.
  std::string_view string_value(EntryIndex e, char (&buf)[24]) const;

  // Stores a whole value under `key`, replacing any old one. keep_ttl keeps an existing deadline;
  // otherwise the key ends up without one. Returns the entry, or kNoEntry when out of memory.
  EntryIndex set_string(std::string_view key, std::string_view value, bool keep_ttl = false);
  EntryIndex set_int(std::string_view key, int64_t value, bool keep_ttl = false);
  EntryIndex set_heap_string(std::string_view key, std::string value, bool keep_ttl = false);
  EntryIndex set_object(std::string_view key, ValueType type, std::unique_ptr<ValueObject> object,
                        bool keep_ttl = false);

  // True if a live key was removed. `lazy` hands a big value to the background freer (UNLINK).
  bool erase(std::string_view key, bool lazy = false);

  // Absolute deadline in ms, or -1. Setting or clearing a deadline may move the entry.
  int64_t expire_time(EntryIndex e) const;
  EntryIndex set_expire(EntryIndex e, int64_t deadline_ms);
  EntryIndex persist(EntryIndex e);
  bool is_expired(EntryIndex e) const;

  // Removes a live key and hands its value over (with its deadline); empty type if missing.
  bool take(std::string_view key, DetachedValue* out);
  DetachedValue clone(EntryIndex e) const;
  // Stores a detached value (replacing any existing key) with the value's deadline.
  EntryIndex put(std::string_view key, DetachedValue&& value);

  size_t size() const { return dict_.size(); }
  size_t expires() const { return heap_.size(); }
  uint64_t scan(uint64_t cursor, const std::function<void(EntryIndex)>& fn) const {
    return dict_.scan(cursor, fn);
  }
  EntryIndex random_key();
  // Seconds since the key was last touched (meaningful while the policy tracks LRU).
  uint64_t idle_seconds(EntryIndex e) const;
  // The key's LFU counter after decay (meaningful under the *-lfu policies).
  uint32_t lfu_counter(EntryIndex e) const;

  // Eviction: up to `n` entries from a random stretch of the dictionary (or, volatile_only, of the
  // TTL heap) into out; returns how many.
  size_t sample(size_t n, bool volatile_only, EntryIndex* out);
  // Removes an entry the evictor chose (notifies the evict listener first).
  void evict(EntryIndex e);
  // The hash the W-TinyLFU sketch knows a key by (its dictionary hash mixed with the db number).
  uint64_t frequency_hash(uint64_t key_hash) const;
  const LruList& list(int segment) const { return lists_[segment]; }
  // Moves an entry to the head of another recency list.
  void move_to_segment(EntryIndex e, int segment);
  // Rotates an entry to the head of its own list (the evictor skipping keys it may not evict).
  void requeue(EntryIndex e) { lists_[view(e).segment()].move_to_front(e); }
  void clear();
  void swap_contents(Db& other);

  // Expires due keys in deadline order, at most max_keys; returns how many.
  size_t active_expire(size_t max_keys);
  bool has_due_keys() const;
  // Background work for the cron: rehash buckets, start shrinking when sparse.
  bool rehash_step(size_t buckets) { return dict_.rehash_step(buckets); }
  void maybe_shrink() { dict_.maybe_shrink(); }
  // While a forked child shares the pages (snapshot), growing the table would copy them all.
  void set_resize_allowed(bool allowed) { dict_.set_resize_allowed(allowed); }
  const Dict& dict() const { return dict_; }
  // The LRU order of a database that never ran W-TinyLFU (every entry is then on kProbation;
  // after W-TinyLFU some stay on the other lists, which for_each_entry also visits).
  const LruList& lru() const { return lists_[kProbation]; }
  // Calls fn for every entry (all recency lists).
  template <typename Fn>
  void for_each_entry(Fn&& fn) const {
    for (const LruList& l : lists_) {
      for (EntryIndex e = l.head(); e != kNoEntry; e = l.next(e)) fn(e);
    }
  }
  const TtlHeap& ttl_heap() const { return heap_; }

 private:
  struct Shape {
    ValueType type;
    Encoding encoding;
    int64_t int_value;
    std::string_view bytes;
    void* pointer;
  };
  EntryIndex store(std::string_view key, const Shape& shape, bool keep_ttl);
  EntryIndex lookup(std::string_view key, bool touch);
  EntryIndex relocate(EntryIndex old, uint64_t hash, bool with_ttl);
  void touch(EntryIndex e);
  void link_new(EntryIndex e);
  void balance_window();
  void unlink_lists(EntryIndex e) { lists_[view(e).segment()].remove(e); }
  void delete_entry(EntryIndex e, uint64_t hash, bool lazy = false);
  void expire_entry(EntryIndex e, uint64_t hash);
  void free_value(entry::View v, bool lazy = false);
  void release(EntryIndex e);

  Keyspace* keyspace_;
  EntryArena* arena_;
  int id_;
  Dict dict_;
  std::array<LruList, kSegments> lists_;
  TtlHeap heap_;
};

}  // namespace stashd
