// Owns: the compact packed sequence used by small collections (list nodes, small hashes, sets and
// sorted sets): one contiguous buffer of entries, each a string or an integer, walkable both ways.
// Entry layout: varint tag (len << 1 for a string, 1 for an integer) | payload (bytes, or a zigzag
// varint) | back-length (the entry's size as a reverse varint, for walking backwards).
// Must not touch: the keyspace, I/O. Thread: the event loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace stashd {

class Listpack {
 public:
  static constexpr size_t kNone = static_cast<size_t>(-1);

  // One entry's value. Integers are kept as integers; as_string() formats them into `buf`.
  struct Value {
    bool is_int = false;
    int64_t integer = 0;
    std::string_view str;
    std::string_view as_string(char (&buf)[24]) const;
    bool equals(std::string_view s) const;
  };

  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  size_t bytes() const { return data_.size(); }
  size_t memory_usage() const { return sizeof(*this) + data_.capacity(); }

  // Positions are byte offsets of entries; end() is one past the last entry.
  size_t begin() const { return data_.empty() ? kNone : 0; }
  size_t last() const;
  size_t next(size_t pos) const;  // kNone after the last entry
  size_t prev(size_t pos) const;  // kNone before the first entry
  Value get(size_t pos) const;
  // Position of the index-th entry (negative counts from the tail), or kNone.
  size_t seek(int64_t index) const;

  void push_back(std::string_view s) { insert_at(data_.size(), s); }
  void push_front(std::string_view s) { insert_at(0, s); }
  // Inserts before the entry at pos (pos == bytes() appends). Returns the new entry's position.
  size_t insert_at(size_t pos, std::string_view s);
  // Removes the entry at pos; returns the position of the entry that followed (or kNone).
  size_t erase(size_t pos);
  // Replaces the entry at pos; returns its (same) position.
  size_t replace(size_t pos, std::string_view s);
  // First entry equal to s at or after `pos`, looking at every (skip+1)-th entry; kNone if absent.
  size_t find(std::string_view s, size_t pos = 0, size_t skip = 0) const;
  void clear() {
    data_.clear();
    count_ = 0;
  }

 private:
  static std::string encode(std::string_view s);
  size_t entry_size(size_t pos) const;

  std::string data_;
  uint32_t count_ = 0;
};

}  // namespace stashd
