// Owns: the recency list operations (see lru_list.h). Thread: the event loop.
#include "stashd/keyspace/lru_list.h"

namespace stashd {

void LruList::push_front(EntryIndex e) {
  EntryHeader& node = h(e);
  node.lru_prev = kNoEntry;
  node.lru_next = head_;
  if (head_ != kNoEntry) h(head_).lru_prev = e;
  head_ = e;
  if (tail_ == kNoEntry) tail_ = e;
  ++size_;
}

void LruList::remove(EntryIndex e) {
  EntryHeader& node = h(e);
  if (node.lru_prev != kNoEntry) {
    h(node.lru_prev).lru_next = node.lru_next;
  } else {
    head_ = node.lru_next;
  }
  if (node.lru_next != kNoEntry) {
    h(node.lru_next).lru_prev = node.lru_prev;
  } else {
    tail_ = node.lru_prev;
  }
  node.lru_prev = node.lru_next = kNoEntry;
  --size_;
}

void LruList::relink(EntryIndex old, EntryIndex replacement) {
  EntryHeader& from = h(old);
  EntryHeader& to = h(replacement);
  to.lru_prev = from.lru_prev;
  to.lru_next = from.lru_next;
  if (to.lru_prev != kNoEntry) {
    h(to.lru_prev).lru_next = replacement;
  } else {
    head_ = replacement;
  }
  if (to.lru_next != kNoEntry) {
    h(to.lru_next).lru_prev = replacement;
  } else {
    tail_ = replacement;
  }
}

}  // namespace stashd
