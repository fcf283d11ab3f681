// Owns: the pool of the best eviction candidates seen across samples (as Redis keeps one): up to
// kSize keys with their database and score (higher = better to evict), sorted, with key copies so a
// candidate survives its entry moving. Candidates may be stale; the evictor re-checks each one.
// Must not touch: entries, the dictionary. Thread: the event loop.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace stashd {

class EvictionPool {
 public:
  static constexpr size_t kSize = 16;

  struct Candidate {
    uint64_t score = 0;
    int db = 0;
    std::string key;
  };

  // Offers a sampled key. It enters if the pool has room or it beats the worst candidate; a key
  // already pooled (same db) only has its score updated.
  void offer(uint64_t score, int db, std::string_view key);
  // Removes and returns the best candidate into *out; false when empty.
  bool pop_best(Candidate* out);
  void clear() { size_ = 0; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Candidates in ascending score order (for tests).
  const Candidate& at(size_t i) const { return slots_[i]; }

 private:
  std::array<Candidate, kSize> slots_;  // [0, size_) sorted ascending by score
  size_t size_ = 0;
};

}  // namespace stashd
