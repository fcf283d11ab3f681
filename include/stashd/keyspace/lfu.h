// Owns: the LFU access counter kept in an entry's 24-bit access field under the *-lfu policies:
// the high 16 bits are the minute (mod 2^16) the counter was last decayed, the low 8 bits a
// logarithmic counter that new keys start at kInitial, that grows with probability
// 1 / ((counter - kInitial) * log_factor + 1) per access, and that loses one per `decay_minutes`
// minutes without access (Redis's lfu-log-factor and lfu-decay-time).
// Must not touch: entries, the dictionary. Thread: any (pure functions).
#pragma once

#include <cstdint>

namespace stashd::lfu {

inline constexpr uint32_t kInitial = 5;
inline constexpr uint32_t kMax = 255;

inline uint32_t minutes_clock(int64_t now_ms) {
  return static_cast<uint32_t>(now_ms / 60000) & 0xFFFF;
}
inline uint32_t pack(uint32_t minutes, uint32_t counter) { return (minutes << 8) | counter; }
inline uint32_t counter_of(uint32_t field) { return field & 0xFF; }

// Minutes since `field` was last decayed, allowing for one wrap of the 16-bit clock.
uint32_t elapsed_minutes(uint32_t field, uint32_t now_minutes);
// The counter after applying decay for the time that passed (does not store anything).
uint32_t decayed(uint32_t field, uint32_t now_minutes, int64_t decay_minutes);
// The field after one access: decayed, then maybe incremented. `random01` is uniform in [0, 1).
uint32_t on_access(uint32_t field, uint32_t now_minutes, int64_t decay_minutes, int64_t log_factor,
                   double random01);

}  // namespace stashd::lfu
