// Owns: the intrusive doubly linked recency list of one database, threaded through the entries'
// lru_prev/lru_next (32-bit indexes). Head = most recently used, tail = the LRU victim.
// Must not touch: the dictionary, TTLs, values. Thread: the event loop.
#pragma once

#include <cstddef>

#include "stashd/keyspace/entry.h"

namespace stashd {

class LruList {
 public:
  explicit LruList(EntryArena* arena) : arena_(arena) {}

  void push_front(EntryIndex e);
  void remove(EntryIndex e);
  void move_to_front(EntryIndex e) {
    if (e == head_) return;
    remove(e);
    push_front(e);
  }
  // `replacement` (a moved copy of `old`) takes `old`'s place in the list.
  void relink(EntryIndex old, EntryIndex replacement);

  EntryIndex head() const { return head_; }
  EntryIndex tail() const { return tail_; }
  EntryIndex next(EntryIndex e) const { return h(e).lru_next; }  // towards the tail
  EntryIndex prev(EntryIndex e) const { return h(e).lru_prev; }  // towards the head
  size_t size() const { return size_; }
  void clear() { head_ = tail_ = kNoEntry, size_ = 0; }

 private:
  EntryHeader& h(EntryIndex e) const { return *reinterpret_cast<EntryHeader*>(arena_->at(e)); }
  EntryArena* arena_;
  EntryIndex head_ = kNoEntry;
  EntryIndex tail_ = kNoEntry;
  size_t size_ = 0;
};

}  // namespace stashd
