// Owns: SetValue, the set type in its three encodings: an IntSet while every member is an integer
// and there are at most set-max-intset-entries, a Listpack while small (set-max-listpack-entries /
// set-max-listpack-value), a StringTable beyond; conversions only go towards the table.
// Must not touch: the keyspace dictionary, the config (callers pass the limits), I/O.
// Thread: the event loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "stashd/keyspace/entry.h"
#include "stashd/types/hash.h"
#include "stashd/types/intset.h"
#include "stashd/types/listpack.h"

namespace stashd {

struct SetLimits {
  size_t max_intset_entries = 512;
  size_t max_listpack_entries = 128;
  size_t max_listpack_value = 64;
};

class SetValue final : public ValueObject {
 public:
  enum class Kind : uint8_t { kIntset, kListpack, kTable };
  // Positions name one member: an intset index, a listpack offset or a table slot.
  static constexpr size_t kEnd = static_cast<size_t>(-1);

  // An empty intset.
  SetValue() = default;
  // An empty set in the encoding that `size_hint` members, the first being `first`, would need.
  SetValue(std::string_view first, size_t size_hint, const SetLimits& limits);
  SetValue(const SetValue& other);
  // An empty table-encoded set with room for `size_hint` members (for temporary results).
  static std::unique_ptr<SetValue> make_table(size_t size_hint);

  const char* encoding_name() const override;
  size_t memory_usage() const override;
  size_t free_effort() const override { return table_ ? size() : 1; }
  std::unique_ptr<ValueObject> clone() const override;

  Kind kind() const { return kind_; }
  size_t size() const;
  bool contains(std::string_view member) const;
  // Adds `member`, converting first when the limits demand. True when it was not a member.
  bool add(std::string_view member, const SetLimits& limits);
  bool erase(std::string_view member);

  size_t first() const;
  size_t next(size_t pos) const;
  // The member at `pos`; integers are formatted into `buf`.
  std::string_view member_at(size_t pos, char (&buf)[24]) const;

  // SSCAN: compact sets are returned whole (cursor 0); a table is walked by its cursor.
  template <class Fn>
  uint64_t scan(uint64_t cursor, Fn&& fn) const {
    if (table_) return table_->scan(cursor, fn);
    for (size_t p = first(); p != kEnd; p = next(p)) fn(p);
    return 0;
  }

  // Uniform random positions with repeats: O(size) set-up for a listpack (its offsets are indexed
  // once), then O(1) expected per pick. The set must not change while a Picker lives.
  class Picker {
   public:
    explicit Picker(const SetValue& set);
    template <class Rng>
    size_t pick(Rng&& rng) const {
      if (set_.table_) return set_.table_->random_slot(rng);
      size_t i = static_cast<size_t>(rng() % set_.size());
      return set_.kind_ == Kind::kIntset ? i : index_[i];
    }

   private:
    const SetValue& set_;
    std::vector<size_t> index_;
  };

  // Removes `count` uniformly chosen members (count < size()), calling fn(member) for each just
  // before it goes. A table pops one random slot at a time; the compact encodings choose the
  // members in one selection-sampling pass and rebuild once, so the cost stays O(size).
  template <class Rng, class Fn>
  void pop_random(size_t count, Rng&& rng, Fn&& fn) {
    if (table_) {
      for (size_t i = 0; i < count; ++i) {
        size_t slot = table_->random_slot(rng);
        fn(table_->key_at(slot));
        table_->erase_slot(slot);
      }
      return;
    }
    size_t remaining = size();
    auto chosen = [&] {
      bool take = static_cast<size_t>(rng() % remaining) < count;
      --remaining;
      if (take) --count;
      return take;
    };
    char buf[24];
    if (kind_ == Kind::kIntset) {
      ints_.retain([&](size_t i) {
        if (!chosen()) return true;
        fn(member_at(i, buf));
        return false;
      });
      return;
    }
    Listpack kept;
    for (size_t p = lp_.begin(); p != kEnd; p = lp_.next(p)) {
      std::string_view member = lp_.get(p).as_string(buf);
      if (chosen()) {
        fn(member);
      } else {
        kept.push_back(member);
      }
    }
    lp_ = std::move(kept);
  }

 private:
  bool fits_listpack(size_t members, std::string_view longest, const SetLimits& limits) const;
  void convert_to_listpack();
  void convert_to_table();

  IntSet ints_;
  Listpack lp_;
  std::unique_ptr<StringTable> table_;
  Kind kind_ = Kind::kIntset;
};

}  // namespace stashd
