// Owns: the count-min sketch with doorkeeper and aging (see frequency_sketch.h).
// Must not touch: anything else. Thread: the event loop.
#include "stashd/keyspace/frequency_sketch.h"

#include <algorithm>
#include <bit>

namespace stashd {

namespace {

// Four independent-enough row hashes from one 64-bit hash: re-mix with a different odd multiplier
// per row and take the high bits (the low bits of a product are weak).
constexpr uint64_t kRowSeeds[4] = {0x9E3779B97F4A7C15ULL, 0xC2B2AE3D27D4EB4FULL,
                                   0x165667B19E3779F9ULL, 0xD6E8FEB86659FD93ULL};
constexpr uint64_t kDoorSeeds[2] = {0xFF51AFD7ED558CCDULL, 0xC4CEB9FE1A85EC53ULL};

uint64_t mix(uint64_t hash, uint64_t seed) {
  uint64_t x = (hash ^ (hash >> 31)) * seed;
  return x ^ (x >> 29);
}

}  // namespace

void FrequencySketch::resize(size_t expected_keys) {
  width_ = std::bit_ceil(std::max<size_t>(expected_keys, 1024));
  counters_.assign(width_ * 4 / 16, 0);
  doorkeeper_.assign(width_ * 8 / 64, 0);
  additions_ = 0;
  sample_size_ = 10 * width_;
}

size_t FrequencySketch::slot(uint64_t hash, int row) const {
  return static_cast<size_t>(mix(hash, kRowSeeds[row]) >> 20) & (width_ - 1);
}

uint32_t FrequencySketch::counter(size_t row_base, size_t index) const {
  size_t n = row_base + index;
  return static_cast<uint32_t>(counters_[n / 16] >> ((n % 16) * 4)) & 0xF;
}

bool FrequencySketch::doorkeeper_test(uint64_t hash) const {
  const size_t bits = doorkeeper_.size() * 64;
  for (uint64_t seed : kDoorSeeds) {
    size_t bit = static_cast<size_t>(mix(hash, seed) >> 16) & (bits - 1);
    if (!(doorkeeper_[bit / 64] >> (bit % 64) & 1)) return false;
  }
  return true;
}

void FrequencySketch::doorkeeper_set(uint64_t hash) {
  const size_t bits = doorkeeper_.size() * 64;
  for (uint64_t seed : kDoorSeeds) {
    size_t bit = static_cast<size_t>(mix(hash, seed) >> 16) & (bits - 1);
    doorkeeper_[bit / 64] |= uint64_t{1} << (bit % 64);
  }
}

void FrequencySketch::record(uint64_t hash) {
  if (!doorkeeper_test(hash)) {
    doorkeeper_set(hash);
  } else {
    // Conservative update: only the smallest counters grow, which keeps over-estimates down.
    uint32_t current = estimate(hash) - 1;
    if (current < kMaxCount) {
      for (int row = 0; row < 4; ++row) {
        size_t n = static_cast<size_t>(row) * width_ + slot(hash, row);
        uint32_t c = static_cast<uint32_t>(counters_[n / 16] >> ((n % 16) * 4)) & 0xF;
        if (c == current) counters_[n / 16] += uint64_t{1} << ((n % 16) * 4);
      }
    }
  }
  if (++additions_ >= sample_size_) halve();
}

uint32_t FrequencySketch::estimate(uint64_t hash) const {
  uint32_t best = kMaxCount;
  for (int row = 0; row < 4; ++row) {
    best = std::min(best, counter(static_cast<size_t>(row) * width_, slot(hash, row)));
  }
  return best + (doorkeeper_test(hash) ? 1 : 0);
}

void FrequencySketch::halve() {
  // Shifting a word right by one moves each nibble's low bit into its neighbour; the mask drops it.
  for (uint64_t& word : counters_) word = (word >> 1) & 0x7777777777777777ULL;
  std::fill(doorkeeper_.begin(), doorkeeper_.end(), 0);
  additions_ /= 2;
  ++resets_;
}

}  // namespace stashd
