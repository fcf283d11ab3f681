// Owns: the TTL heap operations (see ttl_heap.h). Thread: the event loop.
#include "stashd/keyspace/ttl_heap.h"

namespace stashd {

void TtlHeap::push(EntryIndex e, int64_t deadline_ms) {
  nodes_.push_back({deadline_ms, e});
  view(e).set_heap_pos(static_cast<uint32_t>(nodes_.size() - 1));
  sift_up(nodes_.size() - 1);
}

void TtlHeap::remove(EntryIndex e) {
  size_t pos = view(e).heap_pos();
  Node last = nodes_.back();
  nodes_.pop_back();
  if (pos == nodes_.size()) return;
  place(pos, last);
  sift_up(pos);
  sift_down(view(last.entry).heap_pos());
}

void TtlHeap::update(EntryIndex e, int64_t deadline_ms) {
  size_t pos = view(e).heap_pos();
  nodes_[pos].deadline_ms = deadline_ms;
  sift_up(pos);
  sift_down(view(e).heap_pos());
}

void TtlHeap::relink(EntryIndex old, EntryIndex replacement) {
  size_t pos = view(old).heap_pos();
  place(pos, {nodes_[pos].deadline_ms, replacement});
}

void TtlHeap::sift_up(size_t pos) {
  Node node = nodes_[pos];
  while (pos > 0) {
    size_t parent = (pos - 1) / 2;
    if (nodes_[parent].deadline_ms <= node.deadline_ms) break;
    place(pos, nodes_[parent]);
    pos = parent;
  }
  place(pos, node);
}

void TtlHeap::sift_down(size_t pos) {
  Node node = nodes_[pos];
  size_t n = nodes_.size();
  while (true) {
    size_t child = 2 * pos + 1;
    if (child >= n) break;
    if (child + 1 < n && nodes_[child + 1].deadline_ms < nodes_[child].deadline_ms) ++child;
    if (nodes_[child].deadline_ms >= node.deadline_ms) break;
    place(pos, nodes_[child]);
    pos = child;
  }
  place(pos, node);
}

}  // namespace stashd
