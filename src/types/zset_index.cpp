// Owns: the sorted set's MemberIndex (see zset.h): XXH3-hashed power-of-two bucket arrays chained
// through the skip list nodes, incremental rehash between two tables, and the reverse-binary scan
// cursor. Must not touch: node contents other than hash_next, the skip list's order, I/O.
// Thread: the event loop.
#include <xxhash.h>

#include "stashd/types/zset.h"

namespace stashd {

namespace {

using Node = Skiplist::Node;

constexpr size_t kMinBuckets = 4;
// Buckets moved per write while rehashing, and empty buckets a step may skip over.
constexpr size_t kRehashBucketsPerWrite = 2;
constexpr size_t kMaxEmptyVisits = 20;

uint64_t hash_of(std::string_view member) { return XXH3_64bits(member.data(), member.size()); }

size_t power_of_two_at_least(size_t n) {
  size_t b = kMinBuckets;
  while (b < n) b <<= 1;
  return b;
}

uint64_t reverse_bits(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
  v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
  v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
  v = ((v >> 8) & 0x00FF00FF00FF00FFULL) | ((v & 0x00FF00FF00FF00FFULL) << 8);
  v = ((v >> 16) & 0x0000FFFF0000FFFFULL) | ((v & 0x0000FFFF0000FFFFULL) << 16);
  return (v >> 32) | (v << 32);
}

// Advances a cursor over a table of mask+1 buckets: the bits under the mask count from the top,
// so the same cursor names compatible buckets after the table doubles or halves.
uint64_t advance(uint64_t cursor, uint64_t mask) {
  cursor |= ~mask;
  return reverse_bits(reverse_bits(cursor) + 1);
}

}  // namespace

MemberIndex::Table MemberIndex::make_table(size_t buckets) {
  Table t;
  t.slots = std::make_unique<Node*[]>(buckets);  // value-initialised: all null
  t.mask = buckets - 1;
  return t;
}

Node* MemberIndex::find(std::string_view member) const {
  if (size_ == 0) return nullptr;
  const uint64_t h = hash_of(member);
  for (const Table* t : {&main_, &old_}) {
    if (t->buckets() == 0) continue;
    for (Node* n = t->slots[h & t->mask]; n != nullptr; n = n->hash_next) {
      if (n->member() == member) return n;
    }
  }
  return nullptr;
}

void MemberIndex::start_resize(size_t buckets) {
  if (main_.buckets() == 0) {
    main_ = make_table(buckets);
    return;
  }
  old_ = std::move(main_);
  main_ = make_table(buckets);
  rehash_index_ = 0;
}

void MemberIndex::rehash_step() {
  size_t moved = 0;
  size_t empty_visits = 0;
  while (old_.buckets() != 0 && moved < kRehashBucketsPerWrite) {
    if (rehash_index_ > old_.mask) {
      old_ = Table{};
      return;
    }
    Node* n = old_.slots[rehash_index_];
    if (n == nullptr) {
      ++rehash_index_;
      if (++empty_visits >= kMaxEmptyVisits) return;
      continue;
    }
    while (n != nullptr) {
      Node* next = n->hash_next;
      Node*& slot = main_.slots[hash_of(n->member()) & main_.mask];
      n->hash_next = slot;
      slot = n;
      n = next;
    }
    old_.slots[rehash_index_++] = nullptr;
    ++moved;
  }
  if (old_.buckets() != 0 && rehash_index_ > old_.mask) old_ = Table{};
}

void MemberIndex::insert(Node* node) {
  if (rehashing()) {
    rehash_step();
  } else if (size_ + 1 > main_.buckets()) {
    start_resize(power_of_two_at_least(2 * (size_ + 1)));
  }
  Node*& slot = main_.slots[hash_of(node->member()) & main_.mask];
  node->hash_next = slot;
  slot = node;
  ++size_;
}

bool MemberIndex::remove_from(Table& t, Node* node, uint64_t hash) {
  if (t.buckets() == 0) return false;
  for (Node** link = &t.slots[hash & t.mask]; *link != nullptr; link = &(*link)->hash_next) {
    if (*link == node) {
      *link = node->hash_next;
      node->hash_next = nullptr;
      return true;
    }
  }
  return false;
}

void MemberIndex::erase(Node* node) {
  const uint64_t h = hash_of(node->member());
  if (!remove_from(main_, node, h) && !remove_from(old_, node, h)) return;
  --size_;
  if (rehashing()) {
    rehash_step();
  } else if (main_.buckets() > kMinBuckets && size_ * 8 < main_.buckets()) {
    start_resize(power_of_two_at_least(size_));
  }
}

uint64_t MemberIndex::scan(uint64_t cursor, const std::function<void(const Node*)>& fn) const {
  if (size_ == 0 || main_.buckets() == 0) return 0;
  auto visit = [&](const Table& t, uint64_t bucket) {
    for (const Node* n = t.slots[bucket & t.mask]; n != nullptr; n = n->hash_next) fn(n);
  };
  if (!rehashing()) {
    visit(main_, cursor);
    return advance(cursor, main_.mask);
  }
  // Visit the cursor's bucket in the smaller table, then every bucket of the larger table that
  // it expands to (the cursor's low bits, under each value of the extra high bits).
  const Table* small = &old_;
  const Table* large = &main_;
  if (small->buckets() > large->buckets()) std::swap(small, large);
  visit(*small, cursor);
  do {
    visit(*large, cursor);
    cursor = advance(cursor, large->mask);
  } while ((cursor & (small->mask ^ large->mask)) != 0);
  return cursor;
}

}  // namespace stashd
