// Owns: the eviction candidate pool (see eviction_pool.h). Must not touch: anything else.
// Thread: the event loop.
#include "stashd/keyspace/eviction_pool.h"

#include <utility>

namespace stashd {

void EvictionPool::offer(uint64_t score, int db, std::string_view key) {
  for (size_t i = 0; i < size_; ++i) {
    if (slots_[i].db == db && slots_[i].key == key) {
      if (slots_[i].score == score) return;
      // Re-insert with the new score: take it out, then fall through to the ordered insert.
      Candidate moved = std::move(slots_[i]);
      for (size_t j = i; j + 1 < size_; ++j) std::swap(slots_[j], slots_[j + 1]);
      slots_[size_ - 1] = std::move(moved);
      --size_;
      break;
    }
  }
  if (size_ == kSize && score <= slots_[0].score) return;  // worse than everything pooled
  // Position that keeps [0, size_) ascending; when full, the worst (index 0) makes room.
  size_t pos = 0;
  while (pos < size_ && slots_[pos].score < score) ++pos;
  if (size_ < kSize) {
    for (size_t j = size_; j > pos; --j) std::swap(slots_[j], slots_[j - 1]);
    ++size_;
  } else {
    --pos;  // slots [1, pos] shift down one, dropping slot 0
    for (size_t j = 0; j < pos; ++j) std::swap(slots_[j], slots_[j + 1]);
  }
  Candidate& c = slots_[pos];
  c.score = score;
  c.db = db;
  c.key.assign(key);  // the slot's string keeps its capacity, so steady state does not allocate
}

bool EvictionPool::pop_best(Candidate* out) {
  if (size_ == 0) return false;
  --size_;
  std::swap(*out, slots_[size_]);
  return true;
}

}  // namespace stashd
