// Owns: IntSet, the compact encoding of small all-integer sets: a sorted array of packed integers,
// all of one width (2, 4 or 8 bytes), widened in place when a member needs more room and never
// narrowed. Must not touch: the keyspace, I/O. Thread: the event loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace stashd {

class IntSet {
 public:
  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  // Bytes per member: 2, 4 or 8.
  size_t width() const { return width_; }
  size_t memory_usage() const { return sizeof(*this) + data_.capacity(); }

  // The index-th smallest member; index < size().
  int64_t at(size_t index) const;
  bool contains(int64_t v) const;
  // False when v was already a member.
  bool insert(int64_t v);
  // False when v was not a member.
  bool erase(int64_t v);
  void erase_at(size_t index);
  // Keeps the members whose index `keep(index)` accepts, in one pass.
  template <class Keep>
  void retain(Keep&& keep) {
    size_t kept = 0;
    for (size_t i = 0; i < count_; ++i) {
      if (keep(i)) set(kept++, at(i));
    }
    count_ = static_cast<uint32_t>(kept);
    data_.resize(kept * width_);
  }

  static size_t width_for(int64_t v);

 private:
  // Index of the first member >= v (size() when none); *found tells whether it equals v.
  size_t lower_bound(int64_t v, bool* found) const;
  void set(size_t index, int64_t v);
  void widen(size_t width);

  std::string data_;
  uint32_t count_ = 0;
  uint8_t width_ = 2;
};

}  // namespace stashd
