// Owns: the hash table from key to entry: XXH3 hashing, chaining through the entries' chain_next
// links, power-of-two bucket arrays of 32-bit entry indexes, incremental rehash between two tables,
// and the SCAN cursor guarantee (reverse-binary cursor: every key present for a whole iteration is
// returned at least once, across any number of grows or shrinks).
// Must not touch: LRU, TTL, values. Thread: the event loop.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "stashd/keyspace/entry.h"
#include "stashd/keyspace/entry_arena.h"

namespace stashd {

class Dict {
 public:
  explicit Dict(EntryArena* arena);
  ~Dict();
  Dict(Dict&&) noexcept;
  Dict& operator=(Dict&&) noexcept;

  static uint64_t hash(std::string_view key);
  // Bytes of big bucket arrays, which are mapped directly rather than allocated (all dicts of
  // the process); used memory adds them to the allocator's count.
  static size_t mapped_table_bytes();

  EntryIndex find(std::string_view key, uint64_t hash);
  // The key must not be present.
  void insert(EntryIndex e, uint64_t hash);
  // Unlinks the entry (found by identity); returns false if it is not in the table.
  bool unlink(EntryIndex e, uint64_t hash);
  // `replacement` takes `old`'s place in its chain (same key, entry moved in memory).
  void relink(EntryIndex old, EntryIndex replacement, uint64_t hash);

  size_t size() const { return size_; }
  size_t bucket_count() const;
  bool rehashing() const { return old_ != nullptr; }

  // Moves up to `buckets` buckets from the old table to the new one (visiting at most 10x as many
  // empty buckets). Returns true while a rehash is still in progress.
  bool rehash_step(size_t buckets);
  // Starts a shrink when the table is under 1/8 full. Growth starts by itself on insert.
  void maybe_shrink();
  // Whether growth is allowed (false while a forked child shares the memory pages, say).
  void set_resize_allowed(bool allowed) { resize_allowed_ = allowed; }

  // Calls fn for every entry in the bucket(s) the cursor names; returns the next cursor (0 = done).
  uint64_t scan(uint64_t cursor, const std::function<void(EntryIndex)>& fn) const;
  // A random entry, or kNoEntry if empty. `rnd` is a source of random 64-bit values.
  EntryIndex random_entry(const std::function<uint64_t()>& rnd) const;
  // Up to n entries from consecutive buckets starting at a random one (visiting at most 10n
  // buckets), for eviction sampling; returns how many were written to out.
  size_t sample(size_t n, uint64_t random, EntryIndex* out) const;
  // Calls fn(e) for every entry, then empties the table (fn may free the entry).
  void clear(const std::function<void(EntryIndex)>& fn);

 private:
  // Frees a bucket array the way make_table allocated it (big arrays are their own mapping, so a
  // table dropped after a rehash goes back to the kernel at once instead of waiting in the
  // allocator's dirty pages).
  struct BucketFree {
    BucketFree() noexcept : bytes(0) {}
    explicit BucketFree(size_t n) noexcept : bytes(n) {}
    void operator()(EntryIndex* p) const;
    size_t bytes;
  };
  struct Table {
    std::unique_ptr<EntryIndex[], BucketFree> slots;
    uint64_t mask = 0;
    size_t count = 0;
    size_t buckets() const { return slots ? mask + 1 : 0; }
  };
  static Table make_table(size_t buckets);
  void start_resize(size_t buckets);
  EntryIndex next_of(EntryIndex e) const {
    return reinterpret_cast<EntryHeader*>(arena_->at(e))->chain_next;
  }
  void set_next(EntryIndex e, EntryIndex next) {
    reinterpret_cast<EntryHeader*>(arena_->at(e))->chain_next = next;
  }
  bool key_equals(EntryIndex e, std::string_view key) const;

  EntryArena* arena_;
  Table main_;            // the table new keys go into
  std::unique_ptr<Table> old_;  // the table being drained while rehashing
  size_t rehash_index_ = 0;
  size_t size_ = 0;
  bool resize_allowed_ = true;
};

}  // namespace stashd
