// Owns: the popularity history behind the W-TinyLFU policies: a count-min sketch of 4-bit counters
// (four rows, one 64-bit key hash spread over them), a doorkeeper bloom filter that absorbs each
// key's first access so one-hit wonders cost no counter, and aging: after 10 x width recorded
// accesses every counter is halved and the doorkeeper cleared, so old popularity fades.
// Must not touch: entries, the dictionary. Thread: the event loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace stashd {

class FrequencySketch {
 public:
  static constexpr uint32_t kMaxCount = 15;

  // Sized for about `expected_keys` distinct hot keys (rounded up to a power of two, >= 1024).
  explicit FrequencySketch(size_t expected_keys = 0) { resize(expected_keys); }

  // Re-sizes for a new key population; forgets all history.
  void resize(size_t expected_keys);
  size_t width() const { return width_; }

  // Records one access to the key with this hash.
  void record(uint64_t hash);
  // Estimated recent accesses to the key (0..kMaxCount + 1, the doorkeeper counting one).
  uint32_t estimate(uint64_t hash) const;

  // Accesses recorded since the last halving, and halvings so far.
  size_t additions() const { return additions_; }
  uint64_t resets() const { return resets_; }

 private:
  // Counter index of `hash` in row `row` (0..3).
  size_t slot(uint64_t hash, int row) const;
  uint32_t counter(size_t row_base, size_t index) const;
  bool doorkeeper_test(uint64_t hash) const;
  void doorkeeper_set(uint64_t hash);
  void halve();

  size_t width_ = 0;                 // counters per row, a power of two
  std::vector<uint64_t> counters_;   // 4 rows x width 4-bit counters, 16 per word
  std::vector<uint64_t> doorkeeper_; // bloom filter, 8 x width bits
  size_t additions_ = 0;
  size_t sample_size_ = 0;
  uint64_t resets_ = 0;
};

}  // namespace stashd
