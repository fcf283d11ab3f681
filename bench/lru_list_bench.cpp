// Owns: micro benchmarks of the intrusive LruList: push_front, move_to_front of random entries
// (what every read does), and popping the tail (what eviction does), over 1M entries.
// Must not touch: anything but its own list and arena. Thread: the benchmark's.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

#include "stashd/keyspace/entry.h"
#include "stashd/keyspace/entry_arena.h"
#include "stashd/keyspace/lru_list.h"

namespace {

using stashd::EntryArena;
using stashd::EntryIndex;
using stashd::LruList;

// N bare string entries "key:%012d" (int-encoded, no TTL) in one arena.
struct Entries {
  explicit Entries(size_t n) : arena(size_t{1} << 32) {
    char buf[32];
    for (size_t i = 0; i < n; ++i) {
      std::snprintf(buf, sizeof(buf), "key:%012zu", i);
      EntryIndex e =
          arena.allocate(stashd::entry::size_for(buf, false, stashd::Encoding::kInt, 0));
      stashd::entry::init(arena.at(e), buf, false, stashd::ValueType::kString,
                          stashd::Encoding::kInt);
      all.push_back(e);
    }
    shuffled = all;
    std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937_64(7));
  }
  EntryArena arena;
  std::vector<EntryIndex> all;
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

void BM_LruPushFront(benchmark::State& state) {
  Entries& es = entries(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    LruList lru(&es.arena);
    for (EntryIndex e : es.all) lru.push_front(e);
    benchmark::DoNotOptimize(lru.head());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * es.all.size()));
}

// A read hit: the touched entry moves to the head (random entries: cache misses dominate).
void BM_LruMoveToFront(benchmark::State& state) {
  Entries& es = entries(static_cast<size_t>(state.range(0)));
  LruList lru(&es.arena);
  for (EntryIndex e : es.all) lru.push_front(e);
  size_t i = 0;
  for (auto _ : state) {
    lru.move_to_front(es.shuffled[i]);
    if (++i == es.shuffled.size()) i = 0;
  }
  benchmark::DoNotOptimize(lru.head());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

// Eviction: remove the tail until the list is empty (refilled untimed).
void BM_LruPopTail(benchmark::State& state) {
  Entries& es = entries(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    state.PauseTiming();
    LruList lru(&es.arena);
    for (EntryIndex e : es.shuffled) lru.push_front(e);
    state.ResumeTiming();
    while (lru.tail() != stashd::kNoEntry) lru.remove(lru.tail());
    benchmark::DoNotOptimize(lru.size());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * es.all.size()));
}

// Deleting keys anywhere in the list (DEL of random keys), then re-adding them.
void BM_LruRemoveRandomAndReadd(benchmark::State& state) {
  Entries& es = entries(static_cast<size_t>(state.range(0)));
  LruList lru(&es.arena);
  for (EntryIndex e : es.all) lru.push_front(e);
  size_t i = 0;
  for (auto _ : state) {
    EntryIndex e = es.shuffled[i];
    lru.remove(e);
    lru.push_front(e);
    if (++i == es.shuffled.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

constexpr int64_t kSmall = 1000;
constexpr int64_t kLarge = 1000000;

BENCHMARK(BM_LruPushFront)->Arg(kSmall)->Arg(kLarge)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LruMoveToFront)->Arg(kSmall)->Arg(kLarge);
BENCHMARK(BM_LruPopTail)->Arg(kLarge)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LruRemoveRandomAndReadd)->Arg(kSmall)->Arg(kLarge);

}  // namespace
