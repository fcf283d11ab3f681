// Owns: micro benchmarks of the indexed TtlHeap: push with random deadlines, popping the earliest
// deadline (active expiry), updating a random entry's deadline (EXPIRE on a volatile key) and
// removing random entries (DEL/PERSIST), over 1M entries.
// Must not touch: anything but its own heap and arena. Thread: the benchmark's.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

#include "stashd/keyspace/entry.h"
#include "stashd/keyspace/entry_arena.h"
#include "stashd/keyspace/ttl_heap.h"

namespace {

using stashd::EntryArena;
using stashd::EntryIndex;
using stashd::TtlHeap;

// N entries with a TTL slot, and random deadlines spread over an hour.
struct Entries {
  explicit Entries(size_t n) : arena(size_t{1} << 32) {
    std::mt19937_64 rng(11);
    std::uniform_int_distribution<int64_t> spread(0, 3600 * 1000);
    char buf[32];
    for (size_t i = 0; i < n; ++i) {
      std::snprintf(buf, sizeof(buf), "key:%012zu", i);
      EntryIndex e = arena.allocate(stashd::entry::size_for(buf, true, stashd::Encoding::kInt, 0));
      stashd::entry::init(arena.at(e), buf, true, stashd::ValueType::kString,
                          stashd::Encoding::kInt);
      all.push_back(e);
      deadlines.push_back(kNow + spread(rng));
    }
    shuffled = all;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
  }
  void fill(TtlHeap& heap) const {
    for (size_t i = 0; i < all.size(); ++i) heap.push(all[i], deadlines[i]);
  }
  static constexpr int64_t kNow = 1700000000000;
  EntryArena arena;
  std::vector<EntryIndex> all;
  std::vector<int64_t> deadlines;
  std::vector<EntryIndex> shuffled;
};

Entries& entries(size_t n) {
  static std::vector<std::unique_ptr<Entries>> built;
  for (auto& e : built) {
    if (e->all.size() == n) return *e;
  }
  built.push_back(std::make_unique<Entries>(n));
  return *built.back();
}

void BM_TtlHeapPush(benchmark::State& state) {
  Entries& es = entries(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    TtlHeap heap(&es.arena);
    es.fill(heap);
    benchmark::DoNotOptimize(heap.top());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * es.all.size()));
}

// Active expiry: pop the earliest deadline until empty (refilled untimed).
void BM_TtlHeapPopEarliest(benchmark::State& state) {
  Entries& es = entries(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    state.PauseTiming();
    TtlHeap heap(&es.arena);
    es.fill(heap);
    state.ResumeTiming();
    while (!heap.empty()) heap.remove(heap.top().entry);
    benchmark::DoNotOptimize(heap.size());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * es.all.size()));
}

// EXPIRE on a key that already has a TTL: move a random entry to a new random deadline.
void BM_TtlHeapUpdateRandom(benchmark::State& state) {
  Entries& es = entries(static_cast<size_t>(state.range(0)));
  TtlHeap heap(&es.arena);
  es.fill(heap);
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int64_t> spread(0, 3600 * 1000);
  size_t i = 0;
  for (auto _ : state) {
    heap.update(es.shuffled[i], Entries::kNow + spread(rng));
    if (++i == es.shuffled.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

// DEL or PERSIST of a random volatile key, then the key gets a TTL again.
void BM_TtlHeapRemoveRandomAndPush(benchmark::State& state) {
  Entries& es = entries(static_cast<size_t>(state.range(0)));
  TtlHeap heap(&es.arena);
  es.fill(heap);
  size_t i = 0;
  for (auto _ : state) {
    EntryIndex e = es.shuffled[i];
    heap.remove(e);
    heap.push(e, es.deadlines[i]);
    if (++i == es.shuffled.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

constexpr int64_t kSmall = 1000;
constexpr int64_t kLarge = 1000000;

BENCHMARK(BM_TtlHeapPush)->Arg(kSmall)->Arg(kLarge)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TtlHeapPopEarliest)->Arg(kLarge)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TtlHeapUpdateRandom)->Arg(kSmall)->Arg(kLarge);
BENCHMARK(BM_TtlHeapRemoveRandomAndPush)->Arg(kSmall)->Arg(kLarge);

}  // namespace
