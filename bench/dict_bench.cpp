// Owns: micro benchmarks of the keyspace Dict (insert, find hit/miss, unlink) over 1M 16-byte
// keys, with entries pre-built in an EntryArena so only the table's work is timed.
// Must not touch: anything but its own Dict and arena. Thread: the benchmark's.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "stashd/keyspace/dict.h"
#include "stashd/keyspace/entry.h"
#include "stashd/keyspace/entry_arena.h"

namespace {

using stashd::Dict;
using stashd::EntryArena;
using stashd::EntryIndex;

// N entries "key:%012d" with int values, built once per size and shared by every benchmark.
struct Corpus {
  explicit Corpus(size_t n) : arena(size_t{1} << 32) {
    keys.reserve(n);
    entries.reserve(n);
    hashes.reserve(n);
    char buf[32];
    for (size_t i = 0; i < n; ++i) {
      std::snprintf(buf, sizeof(buf), "key:%012zu", i);
      keys.emplace_back(buf);
      std::string_view key = keys.back();
      EntryIndex e = arena.allocate(
          stashd::entry::size_for(key, false, stashd::Encoding::kInt, 0));
      uint8_t* value = stashd::entry::init(arena.at(e), key, false, stashd::ValueType::kString,
                                           stashd::Encoding::kInt);
      int64_t v = static_cast<int64_t>(i);
      std::memcpy(value, &v, sizeof(v));
      entries.push_back(e);
      hashes.push_back(Dict::hash(key));
    }
    order.resize(n);
    for (size_t i = 0; i < n; ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), std::mt19937_64(42));
  }
  void fill(Dict& dict) const {
    for (size_t i = 0; i < entries.size(); ++i) dict.insert(entries[i], hashes[i]);
    while (dict.rehash_step(1024)) {
    }
  }
  EntryArena arena;
  std::vector<std::string> keys;
  std::vector<EntryIndex> entries;
  std::vector<uint64_t> hashes;
  std::vector<size_t> order;  // a fixed random permutation for lookups
};

Corpus& corpus(size_t n) {
  static std::vector<std::unique_ptr<Corpus>> built;
  for (auto& c : built) {
    if (c->keys.size() == n) return *c;
  }
  built.push_back(std::make_unique<Corpus>(n));
  return *built.back();
}

// Inserting every key into an empty table (growth and incremental rehash included), hashing each
// key as the server does.
void BM_DictInsert(benchmark::State& state) {
  Corpus& c = corpus(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    Dict dict(&c.arena);
    for (size_t i = 0; i < c.entries.size(); ++i) {
      dict.insert(c.entries[i], Dict::hash(c.keys[i]));
    }
    benchmark::DoNotOptimize(dict.size());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.entries.size()));
}

// Looking up present keys in random order (hash + probe + key compare).
void BM_DictFindHit(benchmark::State& state) {
  Corpus& c = corpus(static_cast<size_t>(state.range(0)));
  Dict dict(&c.arena);
  c.fill(dict);
  size_t i = 0;
  for (auto _ : state) {
    const std::string& key = c.keys[c.order[i]];
    benchmark::DoNotOptimize(dict.find(key, Dict::hash(key)));
    if (++i == c.order.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

// Looking up absent keys (walks a whole chain).
void BM_DictFindMiss(benchmark::State& state) {
  Corpus& c = corpus(static_cast<size_t>(state.range(0)));
  Dict dict(&c.arena);
  c.fill(dict);
  std::vector<std::string> misses;
  char buf[32];
  for (size_t i = 0; i < 4096; ++i) {
    std::snprintf(buf, sizeof(buf), "nope:%011zu", i);
    misses.emplace_back(buf);
  }
  size_t i = 0;
  for (auto _ : state) {
    const std::string& key = misses[i++ & 4095];
    benchmark::DoNotOptimize(dict.find(key, Dict::hash(key)));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

// Unlinking every key in random order from a full table (the table is refilled untimed).
void BM_DictUnlinkAll(benchmark::State& state) {
  Corpus& c = corpus(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    state.PauseTiming();
    Dict dict(&c.arena);
    c.fill(dict);
    state.ResumeTiming();
    for (size_t idx : c.order) dict.unlink(c.entries[idx], c.hashes[idx]);
    benchmark::DoNotOptimize(dict.size());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.entries.size()));
}

// Steady state of a cache with churn: unlink a random key and insert it again.
void BM_DictUnlinkReinsert(benchmark::State& state) {
  Corpus& c = corpus(static_cast<size_t>(state.range(0)));
  Dict dict(&c.arena);
  c.fill(dict);
  size_t i = 0;
  for (auto _ : state) {
    size_t idx = c.order[i];
    dict.unlink(c.entries[idx], c.hashes[idx]);
    dict.insert(c.entries[idx], c.hashes[idx]);
    if (++i == c.order.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

// SCAN over the whole table, COUNT-sized steps of one bucket at a time.
void BM_DictFullScan(benchmark::State& state) {
  Corpus& c = corpus(static_cast<size_t>(state.range(0)));
  Dict dict(&c.arena);
  c.fill(dict);
  for (auto _ : state) {
    size_t seen = 0;
    uint64_t cursor = 0;
    do {
      cursor = dict.scan(cursor, [&seen](EntryIndex) { ++seen; });
    } while (cursor != 0);
    benchmark::DoNotOptimize(seen);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.entries.size()));
}

constexpr int64_t kSmall = 1000;      // fits in L1/L2
constexpr int64_t kLarge = 1000000;   // the 1M-key case of the memory benchmark

BENCHMARK(BM_DictInsert)->Arg(kSmall)->Arg(kLarge)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DictFindHit)->Arg(kSmall)->Arg(kLarge);
BENCHMARK(BM_DictFindMiss)->Arg(kSmall)->Arg(kLarge);
BENCHMARK(BM_DictUnlinkAll)->Arg(kSmall)->Arg(kLarge)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DictUnlinkReinsert)->Arg(kSmall)->Arg(kLarge);
BENCHMARK(BM_DictFullScan)->Arg(kLarge)->Unit(benchmark::kMillisecond);

}  // namespace
