// Owns: the hash table (see dict.h). Must not touch: LRU, TTL, values. Thread: the event loop.
#include "stashd/keyspace/dict.h"

#include <sys/mman.h>
#include <xxhash.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>

namespace stashd {

namespace {
constexpr size_t kInitialBuckets = 4;
constexpr size_t kMappedTableBytes = size_t{1} << 20;
// Average chain length at which the table doubles. Chains run through the entries themselves, so a
// bucket costs 4 bytes and a longer chain only costs a compare per extra entry: at 2 the table
// spends 2-4 bytes per key (instead of 4-8 at 1) for 1.5 instead of 1.25 entries visited per hit.
constexpr size_t kMaxLoad = 2;
// Bytes of bucket arrays mapped directly (the allocator does not see them); process-wide.
std::atomic<size_t> g_mapped_bytes{0};
uint64_t reverse_bits(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
  v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
  v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
  return __builtin_bswap64(v);
}
}  // namespace

Dict::Dict(EntryArena* arena) : arena_(arena) {}
Dict::~Dict() = default;
Dict::Dict(Dict&&) noexcept = default;
Dict& Dict::operator=(Dict&&) noexcept = default;

size_t Dict::mapped_table_bytes() { return g_mapped_bytes.load(std::memory_order_relaxed); }

uint64_t Dict::hash(std::string_view key) { return XXH3_64bits(key.data(), key.size()); }

void Dict::BucketFree::operator()(EntryIndex* p) const {
  if (bytes >= kMappedTableBytes) {
    munmap(p, bytes);
    g_mapped_bytes.fetch_sub(bytes, std::memory_order_relaxed);
  } else {
    std::free(p);
  }
}

Dict::Table Dict::make_table(size_t buckets) {
  Table t;
  const size_t bytes = buckets * sizeof(EntryIndex);
  void* p;
  if (bytes >= kMappedTableBytes) {
    // Fresh anonymous pages are zero and only become resident when touched: growing a 10M-key
    // table costs no upfront memset.
    p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    g_mapped_bytes.fetch_add(bytes, std::memory_order_relaxed);
  } else {
    p = std::calloc(buckets, sizeof(EntryIndex));
    if (p == nullptr) throw std::bad_alloc();
  }
  t.slots = std::unique_ptr<EntryIndex[], BucketFree>(static_cast<EntryIndex*>(p), BucketFree(bytes));
  t.mask = buckets - 1;
  return t;
}

size_t Dict::bucket_count() const { return main_.buckets() + (old_ ? old_->buckets() : 0); }

bool Dict::key_equals(EntryIndex e, std::string_view key) const {
  std::string_view k = entry::View(arena_->at(e)).key();
  return k.size() == key.size() && std::memcmp(k.data(), key.data(), key.size()) == 0;
}

EntryIndex Dict::find(std::string_view key, uint64_t hash) {
  if (size_ == 0) return kNoEntry;
  if (old_) rehash_step(1);
  if (old_) {
    for (EntryIndex e = old_->slots[hash & old_->mask]; e != kNoEntry; e = next_of(e)) {
      if (key_equals(e, key)) return e;
    }
  }
  for (EntryIndex e = main_.slots[hash & main_.mask]; e != kNoEntry; e = next_of(e)) {
    if (key_equals(e, key)) return e;
  }
  return kNoEntry;
}

void Dict::start_resize(size_t buckets) {
  if (old_) return;
  old_ = std::make_unique<Table>(std::move(main_));
  main_ = make_table(buckets);
  rehash_index_ = 0;
}

void Dict::insert(EntryIndex e, uint64_t hash) {
  if (!main_.slots) {
    main_ = make_table(kInitialBuckets);
  } else if (old_) {
    rehash_step(1);
  } else if (resize_allowed_ && size_ >= kMaxLoad * main_.buckets()) {
    size_t target = main_.buckets() * 2;
    while (kMaxLoad * target < size_ + 1) target *= 2;
    start_resize(target);
    rehash_step(1);
  }
  EntryIndex& head = main_.slots[hash & main_.mask];
  set_next(e, head);
  head = e;
  ++main_.count;
  ++size_;
}

bool Dict::unlink(EntryIndex target, uint64_t hash) {
  if (size_ == 0) return false;
  if (old_) rehash_step(1);
  for (Table* t : {old_.get(), &main_}) {
    if (t == nullptr || !t->slots) continue;
    EntryIndex* link = &t->slots[hash & t->mask];
    while (*link != kNoEntry) {
      if (*link == target) {
        *link = next_of(target);
        --t->count;
        --size_;
        return true;
      }
      link = &reinterpret_cast<EntryHeader*>(arena_->at(*link))->chain_next;
    }
  }
  return false;
}

void Dict::relink(EntryIndex old, EntryIndex replacement, uint64_t hash) {
  for (Table* t : {old_.get(), &main_}) {
    if (t == nullptr || !t->slots) continue;
    EntryIndex* link = &t->slots[hash & t->mask];
    while (*link != kNoEntry) {
      if (*link == old) {
        set_next(replacement, next_of(old));
        *link = replacement;
        return;
      }
      link = &reinterpret_cast<EntryHeader*>(arena_->at(*link))->chain_next;
    }
  }
}

bool Dict::rehash_step(size_t buckets) {
  if (!old_) return false;
  size_t empty_visits = buckets * 10;
  while (buckets > 0 && old_->count > 0) {
    while (old_->slots[rehash_index_] == kNoEntry) {
      ++rehash_index_;
      if (--empty_visits == 0) return true;
    }
    EntryIndex e = old_->slots[rehash_index_];
    while (e != kNoEntry) {
      EntryIndex next = next_of(e);
      uint64_t h = hash(entry::View(arena_->at(e)).key());
      EntryIndex& head = main_.slots[h & main_.mask];
      set_next(e, head);
      head = e;
      --old_->count;
      ++main_.count;
      e = next;
    }
    old_->slots[rehash_index_] = kNoEntry;
    ++rehash_index_;
    --buckets;
  }
  if (old_->count == 0) {
    old_.reset();
    return false;
  }
  return true;
}

void Dict::maybe_shrink() {
  if (old_ || !resize_allowed_ || !main_.slots) return;
  size_t buckets = main_.buckets();
  if (buckets <= kInitialBuckets || size_ * 8 >= buckets) return;
  size_t target = kInitialBuckets;
  while (target < size_) target *= 2;
  start_resize(target);
}

uint64_t Dict::scan(uint64_t cursor, const std::function<void(EntryIndex)>& fn) const {
  if (size_ == 0 || !main_.slots) return 0;
  auto visit = [&](const Table& t, uint64_t index) {
    for (EntryIndex e = t.slots[index & t.mask]; e != kNoEntry;) {
      EntryIndex next = next_of(e);
      fn(e);
      e = next;
    }
  };
  uint64_t v = cursor;
  if (!old_) {
    uint64_t m0 = main_.mask;
    visit(main_, v);
    // Increment the reversed cursor: the bits under the mask are counted from the top, so a
    // cursor stays valid when the table doubles or halves between calls.
    v |= ~m0;
    v = reverse_bits(v);
    ++v;
    v = reverse_bits(v);
    return v;
  }
  const Table* small = old_.get();
  const Table* large = &main_;
  if (small->buckets() > large->buckets()) std::swap(small, large);
  uint64_t m0 = small->mask;
  uint64_t m1 = large->mask;
  visit(*small, v);
  // Then every bucket of the larger table that the small bucket expands to.
  do {
    visit(*large, v);
    v |= ~m1;
    v = reverse_bits(v);
    ++v;
    v = reverse_bits(v);
  } while (v & (m0 ^ m1));
  return v;
}

EntryIndex Dict::random_entry(const std::function<uint64_t()>& rnd) const {
  if (size_ == 0) return kNoEntry;
  EntryIndex head = kNoEntry;
  // Buckets are sampled until a non-empty one is found; the load factor keeps this short.
  while (head == kNoEntry) {
    if (old_ && old_->count > 0 && (rnd() % bucket_count()) < old_->buckets()) {
      // Only buckets not yet moved can hold entries in the old table.
      size_t span = old_->buckets() - rehash_index_;
      head = old_->slots[rehash_index_ + rnd() % span];
    } else {
      head = main_.slots[rnd() & main_.mask];
    }
  }
  size_t length = 0;
  for (EntryIndex e = head; e != kNoEntry; e = next_of(e)) ++length;
  size_t pick = rnd() % length;
  EntryIndex e = head;
  while (pick-- > 0) e = next_of(e);
  return e;
}

size_t Dict::sample(size_t n, uint64_t random, EntryIndex* out) const {
  if (size_ == 0 || n == 0) return 0;
  n = std::min(n, size_);
  // Walk the smaller table's indexes from a random one; index i of the smaller table covers the
  // larger table's buckets i, i + small, i + 2 small, ... So one pass visits every bucket of both
  // tables exactly once: no entry comes twice and no stretch of either table is skipped.
  const Table* small = &main_;
  const Table* big = nullptr;
  if (old_) {
    small = old_->buckets() < main_.buckets() ? old_.get() : &main_;
    big = small == &main_ ? old_.get() : &main_;
  }
  size_t got = 0;
  auto visit = [&](const Table* t, size_t bucket) {
    if (t == old_.get() && bucket < rehash_index_) return;  // already moved to main_
    for (EntryIndex e = t->slots[bucket]; e != kNoEntry && got < n; e = next_of(e)) out[got++] = e;
  };
  const size_t small_buckets = small->buckets();
  const size_t start = static_cast<size_t>(random) & (small_buckets - 1);
  for (size_t step = 0; step < small_buckets && step < n * 10 && got < n; ++step) {
    const size_t index = (start + step) & (small_buckets - 1);
    visit(small, index);
    if (big == nullptr) continue;
    for (size_t b = index; b < big->buckets() && got < n; b += small_buckets) visit(big, b);
  }
  return got;
}

void Dict::clear(const std::function<void(EntryIndex)>& fn) {
  for (Table* t : {old_.get(), &main_}) {
    if (t == nullptr || !t->slots) continue;
    for (size_t i = 0; i < t->buckets(); ++i) {
      for (EntryIndex e = t->slots[i]; e != kNoEntry;) {
        EntryIndex next = next_of(e);
        fn(e);
        e = next;
      }
    }
  }
  old_.reset();
  main_ = Table{};
  size_ = 0;
  rehash_index_ = 0;
}

}  // namespace stashd
