// Owns: HashValue (the hash type: a Listpack of field,value pairs while small, a StringTable past
// hash-max-listpack-entries / hash-max-listpack-value, never converted back) and StringTable, the
// open-addressing table of strings that large hashes and large sets share.
// Must not touch: the keyspace dictionary, the config (callers pass the limits), I/O.
// Thread: the event loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "stashd/keyspace/entry.h"
#include "stashd/types/listpack.h"

namespace stashd {

// Linear probing over a power-of-two array of slots; each slot holds one malloc'd entry
// (varint key length | key [| varint value length | value]) and the entry's 32-bit hash, so
// growing, shrinking and backward-shift deletion never rehash a string. The load stays between 1/8
// and 3/4 (small tables excepted), so picking a random occupied slot is cheap and exactly uniform.
// scan() visits elements by home slot in reverse-binary cursor order: every element present for a
// whole scan is returned at least once, however the table grows or shrinks in between.
class StringTable {
 public:
  static constexpr size_t kEnd = static_cast<size_t>(-1);

  explicit StringTable(bool with_values) : with_values_(with_values) {}
  StringTable(const StringTable& other);
  StringTable& operator=(const StringTable&) = delete;
  ~StringTable();

  size_t size() const { return size_; }
  size_t capacity() const { return entries_ ? mask_ + 1 : 0; }
  size_t memory_usage() const;
  void reserve(size_t n);

  // The slot holding `key`, or kEnd.
  size_t find(std::string_view key) const;
  // Adds `key` (with `value` when the table has values) or replaces its value. True when new.
  bool put(std::string_view key, std::string_view value = {});
  bool erase(std::string_view key);
  void erase_slot(size_t slot);

  // Occupied slots in slot order: first_slot(), then next_slot(s) until kEnd.
  size_t first_slot() const { return next_occupied(0); }
  size_t next_slot(size_t slot) const { return next_occupied(slot + 1); }
  std::string_view key_at(size_t slot) const;
  std::string_view value_at(size_t slot) const;

  // Calls fn(slot) for the elements whose home is the slot the cursor names; returns the next
  // cursor, 0 when the scan is complete.
  template <class Fn>
  uint64_t scan(uint64_t cursor, Fn&& fn) const {
    if (size_ == 0) return 0;
    size_t home = static_cast<size_t>(cursor) & mask_;
    for (size_t i = home; entries_[i] != nullptr; i = (i + 1) & mask_) {
      if ((hashes_[i] & mask_) == home) fn(i);
    }
    return next_cursor(cursor);
  }

  // A uniformly random occupied slot; `rng()` returns random 64-bit values. Not for empty tables.
  template <class Rng>
  size_t random_slot(Rng&& rng) const {
    while (true) {
      size_t i = static_cast<size_t>(rng()) & mask_;
      if (entries_[i] != nullptr) return i;
    }
  }

 private:
  static uint32_t hash(std::string_view key);
  char* make_entry(std::string_view key, std::string_view value);
  void free_entry(char* entry);
  size_t next_occupied(size_t from) const;
  uint64_t next_cursor(uint64_t cursor) const;
  void resize(size_t capacity);

  std::unique_ptr<char*[]> entries_;
  std::unique_ptr<uint32_t[]> hashes_;
  size_t mask_ = 0;
  size_t size_ = 0;
  size_t entry_bytes_ = 0;
  bool with_values_;
};

struct HashLimits {
  size_t max_listpack_entries = 128;
  size_t max_listpack_value = 64;
};

class HashValue final : public ValueObject {
 public:
  // Positions name one field: a listpack offset or a table slot. kEnd ends a walk.
  static constexpr size_t kEnd = static_cast<size_t>(-1);
  static_assert(kEnd == Listpack::kNone && kEnd == StringTable::kEnd);

  HashValue() = default;
  HashValue(const HashValue& other);

  const char* encoding_name() const override { return table_ ? "hashtable" : "listpack"; }
  size_t memory_usage() const override;
  size_t free_effort() const override { return table_ ? size() : 1; }
  std::unique_ptr<ValueObject> clone() const override;

  bool is_listpack() const { return table_ == nullptr; }
  size_t size() const { return table_ ? table_->size() : lp_.size() / 2; }

  // The value of `field`; a compactly stored integer is formatted into `buf`.
  std::optional<std::string_view> get(std::string_view field, char (&buf)[24]) const;
  bool contains(std::string_view field) const { return find(field) != kEnd; }
  // Sets `field` to `value`, first converting to a table when the limits demand. True when new.
  bool set(std::string_view field, std::string_view value, const HashLimits& limits);
  bool erase(std::string_view field);

  size_t find(std::string_view field) const;
  size_t first() const { return table_ ? table_->first_slot() : lp_.begin(); }
  size_t next(size_t pos) const {
    return table_ ? table_->next_slot(pos) : lp_.next(lp_.next(pos));
  }
  std::string_view field_at(size_t pos, char (&buf)[24]) const;
  std::string_view value_at(size_t pos, char (&buf)[24]) const;

  // HSCAN: a listpack hash is returned whole (cursor 0); a table is walked by its cursor.
  template <class Fn>
  uint64_t scan(uint64_t cursor, Fn&& fn) const {
    if (table_) return table_->scan(cursor, fn);
    for (size_t p = first(); p != kEnd; p = next(p)) fn(p);
    return 0;
  }

  // Uniform random positions with repeats: O(size) set-up for a listpack (its field offsets are
  // indexed once), then O(1) expected per pick. The hash must not change while a Picker lives.
  class Picker {
   public:
    explicit Picker(const HashValue& hash);
    template <class Rng>
    size_t pick(Rng&& rng) const {
      if (hash_.table_) return hash_.table_->random_slot(rng);
      return index_[static_cast<size_t>(rng() % index_.size())];
    }

   private:
    const HashValue& hash_;
    std::vector<size_t> index_;
  };

 private:
  void convert_to_table();

  Listpack lp_;
  std::unique_ptr<StringTable> table_;
};

}  // namespace stashd
