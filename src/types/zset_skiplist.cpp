// Owns: the sorted set's Skiplist (see zset.h): node layout and allocation, random heights,
// insert/erase/re-score with span bookkeeping, rank and range searches, range deletion.
// Must not touch: the member index (callers keep it in step), the keyspace, I/O.
// Thread: the event loop.
#include <cstring>
#include <new>

#include "stashd/types/zset.h"

namespace stashd {

namespace {

using Node = Skiplist::Node;

// True when `n` sorts before (score, member).
bool before(const Node* n, double score, std::string_view member) {
  return n->score < score || (n->score == score && n->member() < member);
}

size_t node_bytes(int height, size_t member_size) {
  return sizeof(Node) + static_cast<size_t>(height) * sizeof(Skiplist::Level) + member_size;
}

}  // namespace

Skiplist::Skiplist() : head_(make_node(kMaxHeight, 0, {})), bytes_(node_bytes(kMaxHeight, 0)) {
  for (int i = 0; i < kMaxHeight; ++i) head_->level(i) = {nullptr, 0};
}

Skiplist::~Skiplist() {
  Node* n = head_;
  while (n != nullptr) {
    Node* next = n->level(0).forward;
    ::operator delete(n);
    n = next;
  }
}

Node* Skiplist::make_node(int height, double score, std::string_view member) {
  void* mem = ::operator new(node_bytes(height, member.size()));
  Node* n = new (mem) Node{score, nullptr, nullptr, static_cast<uint32_t>(member.size()),
                           static_cast<uint8_t>(height)};
  if (!member.empty()) {
    std::memcpy(reinterpret_cast<char*>(&n->level(height)), member.data(), member.size());
  }
  return n;
}

void Skiplist::free_node(Node* node) {
  bytes_ -= node_bytes(node->height, node->member_size);
  ::operator delete(node);
}

// Each level holds about a quarter of the nodes of the level below. The generator is per thread:
// heights need no quality beyond independence, and the data lives on one thread anyway.
int Skiplist::random_height() {
  thread_local uint64_t state = 0x2545F4914F6CDD1DULL;
  int height = 1;
  while (height < kMaxHeight) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    if ((state & 3) != 0) break;
    ++height;
  }
  return height;
}

void Skiplist::path_to(double score, std::string_view member, Node** update) const {
  Node* x = head_;
  for (int i = height_ - 1; i >= 0; --i) {
    while (x->level(i).forward != nullptr && before(x->level(i).forward, score, member)) {
      x = x->level(i).forward;
    }
    update[i] = x;
  }
}

void Skiplist::link(Node* node) {
  Node* update[kMaxHeight];
  size_t rank[kMaxHeight];
  Node* x = head_;
  for (int i = height_ - 1; i >= 0; --i) {
    rank[i] = i == height_ - 1 ? 0 : rank[i + 1];
    while (x->level(i).forward != nullptr &&
           before(x->level(i).forward, node->score, node->member())) {
      rank[i] += x->level(i).span;
      x = x->level(i).forward;
    }
    update[i] = x;
  }
  const int h = node->height;
  for (int i = height_; i < h; ++i) {
    rank[i] = 0;
    update[i] = head_;
    head_->level(i) = {nullptr, length_};
  }
  if (h > height_) height_ = h;
  for (int i = 0; i < h; ++i) {
    Level& prev = update[i]->level(i);
    const size_t steps = rank[0] - rank[i];  // from update[i] to update[0]
    node->level(i).forward = prev.forward;
    node->level(i).span = prev.span - steps;
    prev.forward = node;
    prev.span = steps + 1;
  }
  for (int i = h; i < height_; ++i) ++update[i]->level(i).span;
  node->backward = update[0] == head_ ? nullptr : update[0];
  if (node->level(0).forward != nullptr) {
    node->level(0).forward->backward = node;
  } else {
    tail_ = node;
  }
  ++length_;
}

void Skiplist::unlink(Node* node, Node** update) {
  for (int i = 0; i < height_; ++i) {
    Level& prev = update[i]->level(i);
    if (prev.forward == node) {
      prev.span += node->level(i).span - 1;
      prev.forward = node->level(i).forward;
    } else {
      --prev.span;
    }
  }
  if (node->level(0).forward != nullptr) {
    node->level(0).forward->backward = node->backward;
  } else {
    tail_ = node->backward;
  }
  while (height_ > 1 && head_->level(height_ - 1).forward == nullptr) --height_;
  --length_;
}

Node* Skiplist::insert(double score, std::string_view member) {
  const int h = random_height();
  Node* n = make_node(h, score, member);
  bytes_ += node_bytes(h, member.size());
  link(n);
  return n;
}

void Skiplist::update_score(Node* node, double score) {
  // Stays in place when the new score keeps it between its neighbours.
  const Node* prev = node->backward;
  const Node* next = node->level(0).forward;
  if ((prev == nullptr || before(prev, score, node->member())) &&
      (next == nullptr || !before(next, score, node->member()))) {
    node->score = score;
    return;
  }
  Node* update[kMaxHeight];
  path_to(node->score, node->member(), update);
  unlink(node, update);
  node->score = score;
  link(node);
}

void Skiplist::erase(Node* node) {
  Node* update[kMaxHeight];
  path_to(node->score, node->member(), update);
  unlink(node, update);
  free_node(node);
}

size_t Skiplist::rank_of(double score, std::string_view member) const {
  size_t rank = 0;
  const Node* x = head_;
  for (int i = height_ - 1; i >= 0; --i) {
    // Advance while the next node is at or before (score, member).
    while (x->level(i).forward != nullptr) {
      const Node* f = x->level(i).forward;
      if (!before(f, score, member) && !(f->score == score && f->member() == member)) break;
      rank += x->level(i).span;
      x = f;
    }
    if (x != head_ && x->score == score && x->member() == member) return rank;
  }
  return 0;
}

Node* Skiplist::at_rank(size_t rank) const {
  if (rank == 0 || rank > length_) return nullptr;
  size_t traversed = 0;
  Node* x = head_;
  for (int i = height_ - 1; i >= 0; --i) {
    while (x->level(i).forward != nullptr && traversed + x->level(i).span <= rank) {
      traversed += x->level(i).span;
      x = x->level(i).forward;
    }
    if (traversed == rank) return x;
  }
  return nullptr;
}

Node* Skiplist::first_in(const ScoreRange& range) const {
  if (range.empty() || tail_ == nullptr || !range.above_min(tail_->score)) return nullptr;
  Node* x = head_;
  for (int i = height_ - 1; i >= 0; --i) {
    while (x->level(i).forward != nullptr && !range.above_min(x->level(i).forward->score)) {
      x = x->level(i).forward;
    }
  }
  x = x->level(0).forward;
  return x != nullptr && range.below_max(x->score) ? x : nullptr;
}

Node* Skiplist::last_in(const ScoreRange& range) const {
  if (range.empty() || length_ == 0 || !range.below_max(first()->score)) return nullptr;
  Node* x = head_;
  for (int i = height_ - 1; i >= 0; --i) {
    while (x->level(i).forward != nullptr && range.below_max(x->level(i).forward->score)) {
      x = x->level(i).forward;
    }
  }
  return x != head_ && range.above_min(x->score) ? x : nullptr;
}

Node* Skiplist::first_in(const LexRange& range) const {
  if (range.empty() || tail_ == nullptr || !range.above_min(tail_->member())) return nullptr;
  Node* x = head_;
  for (int i = height_ - 1; i >= 0; --i) {
    while (x->level(i).forward != nullptr && !range.above_min(x->level(i).forward->member())) {
      x = x->level(i).forward;
    }
  }
  x = x->level(0).forward;
  return x != nullptr && range.below_max(x->member()) ? x : nullptr;
}

Node* Skiplist::last_in(const LexRange& range) const {
  if (range.empty() || length_ == 0 || !range.below_max(first()->member())) return nullptr;
  Node* x = head_;
  for (int i = height_ - 1; i >= 0; --i) {
    while (x->level(i).forward != nullptr && range.below_max(x->level(i).forward->member())) {
      x = x->level(i).forward;
    }
  }
  return x != head_ && range.above_min(x->member()) ? x : nullptr;
}

// Removes nodes from update[0]'s successor on, until stop(node) says otherwise. `update` is the
// path to the first node; it stays valid as its successors go.
template <typename Stop>
size_t Skiplist::erase_from(Node** update, Stop stop, const RemoveFn& on_remove) {
  size_t removed = 0;
  Node* x = update[0]->level(0).forward;
  while (x != nullptr && !stop(x)) {
    Node* next = x->level(0).forward;
    unlink(x, update);
    on_remove(x);
    free_node(x);
    ++removed;
    x = next;
  }
  return removed;
}

size_t Skiplist::erase_in(const ScoreRange& range, const RemoveFn& on_remove) {
  if (range.empty()) return 0;
  Node* update[kMaxHeight];
  Node* x = head_;
  for (int i = height_ - 1; i >= 0; --i) {
    while (x->level(i).forward != nullptr && !range.above_min(x->level(i).forward->score)) {
      x = x->level(i).forward;
    }
    update[i] = x;
  }
  return erase_from(update, [&](const Node* n) { return !range.below_max(n->score); }, on_remove);
}

size_t Skiplist::erase_in(const LexRange& range, const RemoveFn& on_remove) {
  if (range.empty()) return 0;
  Node* update[kMaxHeight];
  Node* x = head_;
  for (int i = height_ - 1; i >= 0; --i) {
    while (x->level(i).forward != nullptr && !range.above_min(x->level(i).forward->member())) {
      x = x->level(i).forward;
    }
    update[i] = x;
  }
  return erase_from(update, [&](const Node* n) { return !range.below_max(n->member()); },
                    on_remove);
}

size_t Skiplist::erase_ranks(size_t start, size_t end, const RemoveFn& on_remove) {
  if (start == 0 || start > end || start > length_) return 0;
  Node* update[kMaxHeight];
  size_t traversed = 0;
  Node* x = head_;
  for (int i = height_ - 1; i >= 0; --i) {
    while (x->level(i).forward != nullptr && traversed + x->level(i).span < start) {
      traversed += x->level(i).span;
      x = x->level(i).forward;
    }
    update[i] = x;
  }
  size_t rank = start;
  return erase_from(update, [&](const Node*) { return rank++ > end; }, on_remove);
}

}  // namespace stashd
