// Owns: the indexed binary min-heap of (deadline, entry) for one database. Each entry with a TTL
// stores its heap position, so overwrite, PERSIST and DEL remove it in O(log n).
// Must not touch: the dictionary, LRU, values. Thread: the event loop.
#pragma once

#include <cstdint>
#include <vector>

#include "stashd/keyspace/entry.h"

namespace stashd {

class TtlHeap {
 public:
  struct Node {
    int64_t deadline_ms;
    EntryIndex entry;
  };

  explicit TtlHeap(EntryArena* arena) : arena_(arena) {}

  // The entry must have a heap-position slot (kHasTtl) and not be in the heap yet.
  void push(EntryIndex e, int64_t deadline_ms);
  void remove(EntryIndex e);
  void update(EntryIndex e, int64_t deadline_ms);
  // `replacement` (a moved copy of `old`) takes its place; its slot gets the position.
  void relink(EntryIndex old, EntryIndex replacement);
  int64_t deadline(EntryIndex e) const { return nodes_[view(e).heap_pos()].deadline_ms; }

  bool empty() const { return nodes_.empty(); }
  size_t size() const { return nodes_.size(); }
  const Node& top() const { return nodes_.front(); }
  void clear() { nodes_.clear(); }
  // Nodes in heap order (for sampling, e.g. volatile-ttl eviction later).
  const std::vector<Node>& nodes() const { return nodes_; }

 private:
  entry::View view(EntryIndex e) const { return entry::View(arena_->at(e)); }
  void place(size_t pos, const Node& node) {
    nodes_[pos] = node;
    view(node.entry).set_heap_pos(static_cast<uint32_t>(pos));
  }
  void sift_up(size_t pos);
  void sift_down(size_t pos);

  EntryArena* arena_;
  std::vector<Node> nodes_;
};

}  // namespace stashd
