// Owns: the LFU counter arithmetic (see lfu.h). Must not touch: anything else. Thread: any.
#include "stashd/keyspace/lfu.h"

namespace stashd::lfu {

uint32_t elapsed_minutes(uint32_t field, uint32_t now_minutes) {
  uint32_t then = field >> 8;
  return now_minutes >= then ? now_minutes - then : 0x10000 - then + now_minutes;
}

uint32_t decayed(uint32_t field, uint32_t now_minutes, int64_t decay_minutes) {
  uint32_t counter = counter_of(field);
  if (decay_minutes <= 0) return counter;
  uint64_t periods = elapsed_minutes(field, now_minutes) / static_cast<uint64_t>(decay_minutes);
  return periods >= counter ? 0 : counter - static_cast<uint32_t>(periods);
}

uint32_t on_access(uint32_t field, uint32_t now_minutes, int64_t decay_minutes, int64_t log_factor,
                   double random01) {
  uint32_t counter = decayed(field, now_minutes, decay_minutes);
  if (counter < kMax) {
    double base = counter > kInitial ? static_cast<double>(counter - kInitial) : 0.0;
    double p = 1.0 / (base * static_cast<double>(log_factor) + 1.0);
    if (random01 < p) ++counter;
  }
  return pack(now_minutes, counter);
}

}  // namespace stashd::lfu
