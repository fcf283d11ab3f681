// Owns: tests of src/keyspace/dict.cpp: insert/find/unlink/relink across incremental growth and
// shrink, the SCAN guarantee across resizes between calls, random sampling, clear and moves.
// Must not touch: other modules. Thread: the test's.
#include "stashd/keyspace/dict.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "keyspace/test_entries.h"

namespace stashd::testing {
namespace {

// A small deterministic generator (PCG-style LCG, high bits).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return state_ >> 17;
  }
  size_t below(size_t n) { return static_cast<size_t>(next() % n); }

 private:
  uint64_t state_;
};

class DictTest : public ::testing::Test {
 protected:
  EntryIndex insert(const std::string& key) {
    EntryIndex e = make_entry(arena, key);
    dict.insert(e, Dict::hash(key));
    live[key] = e;
    return e;
  }
  bool unlink(const std::string& key) {
    auto it = live.find(key);
    if (it == live.end()) return false;
    bool removed = dict.unlink(it->second, Dict::hash(key));
    live.erase(it);
    return removed;
  }
  EntryIndex find(const std::string& key) { return dict.find(key, Dict::hash(key)); }
  void finish_rehash() {
    while (dict.rehash_step(64)) {
    }
  }
  void insert_many(const std::string& prefix, int n) {
    for (int i = 0; i < n; ++i) insert(numbered(prefix, i));
  }
  // Every key in the model is found as its own entry, and the sizes agree.
  void expect_all_found() {
    EXPECT_EQ(dict.size(), live.size());
    for (const auto& [key, e] : live) ASSERT_EQ(find(key), e) << key;
  }
  // Runs a full SCAN, calling between() after every call that did not finish; returns every key
  // reported, with repeats.
  std::multiset<std::string> scan_all(const std::function<void()>& between = [] {}) {
    std::multiset<std::string> seen;
    uint64_t cursor = 0;
    for (int calls = 0; calls < 1'000'000; ++calls) {
      cursor = dict.scan(cursor, [&](EntryIndex e) { seen.emplace(key_of(arena, e)); });
      if (cursor == 0) return seen;
      between();
    }
    ADD_FAILURE() << "scan did not finish";
    return seen;
  }

  EntryArena arena;
  Dict dict{&arena};
  std::map<std::string, EntryIndex> live;
};

// --- insert / find / unlink ---------------------------------------------------------------------

TEST_F(DictTest, AnEmptyDictFindsNothingAndScansToZero) {
  EXPECT_EQ(find("a"), kNoEntry);
  int calls = 0;
  EXPECT_EQ(dict.scan(0, [&](EntryIndex) { ++calls; }), 0u);
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(dict.size(), 0u);
}

TEST_F(DictTest, FindsWhatWasInsertedAndNothingElse) {
  EntryIndex a = insert("a");
  EntryIndex b = insert("b");
  EXPECT_EQ(find("a"), a);
  EXPECT_EQ(find("b"), b);
  EXPECT_EQ(find("c"), kNoEntry);
  EXPECT_EQ(find(""), kNoEntry);
  EXPECT_EQ(dict.size(), 2u);
}

TEST_F(DictTest, KeysDifferingOnlyInLengthOrLastByteAreDistinct) {
  insert("key");
  insert("key1");
  insert("kez");
  insert("");
  expect_all_found();
  EXPECT_EQ(find("ke"), kNoEntry);
}

TEST_F(DictTest, GrowsIncrementallyWhileEveryKeyStaysFindable) {
  bool saw_rehash = false;
  for (int i = 0; i < 3000; ++i) {
    insert(numbered("k", i));
    saw_rehash |= dict.rehashing();
    if (i % 250 == 0) expect_all_found();
  }
  EXPECT_TRUE(saw_rehash);
  expect_all_found();
  finish_rehash();
  EXPECT_FALSE(dict.rehashing());
  EXPECT_EQ(dict.bucket_count(), 2048u);
  expect_all_found();
}

TEST_F(DictTest, FindDuringARehashSeesKeysInBothTables) {
  int i = 0;
  while (!dict.rehashing()) insert(numbered("k", i++));
  for (int j = 0; j < 200 && dict.rehashing(); ++j) insert(numbered("more", j));
  expect_all_found();
}

TEST_F(DictTest, UnlinkRemovesOnlyThatEntry) {
  insert_many("k", 100);
  EXPECT_TRUE(unlink("k42"));
  EXPECT_EQ(find("k42"), kNoEntry);
  expect_all_found();
}

TEST_F(DictTest, UnlinkOfAnEntryNotInTheTableReturnsFalse) {
  insert("a");
  EntryIndex stranger = make_entry(arena, "a");  // same key, different entry
  EXPECT_FALSE(dict.unlink(stranger, Dict::hash("a")));
  EXPECT_EQ(dict.size(), 1u);
  Dict empty(&arena);
  EXPECT_FALSE(empty.unlink(stranger, Dict::hash("a")));
}

TEST_F(DictTest, ModelCheckedInsertsAndUnlinksThroughGrowthAndShrink) {
  Rng rng(1234);
  int next_id = 0;
  for (int round = 0; round < 20'000; ++round) {
    size_t op = rng.below(100);
    if (op < 55 || live.empty()) {
      insert(numbered("key:", next_id++));
    } else if (op < 98) {
      auto it = live.begin();
      std::advance(it, static_cast<long>(rng.below(live.size())));
      std::string key = it->first;
      ASSERT_TRUE(unlink(key)) << key;
    } else {
      dict.maybe_shrink();
    }
    if (round % 1000 == 0) {
      expect_all_found();
      EXPECT_EQ(find("absent"), kNoEntry);
    }
    // Then mostly deletes, so the table shrinks several times.
    if (round == 12'000) {
      while (live.size() > 10) ASSERT_TRUE(unlink(live.begin()->first));
    }
  }
  expect_all_found();
}

// --- shrinking ----------------------------------------------------------------------------------

TEST_F(DictTest, ShrinksWhenUnderOneEighthFull) {
  insert_many("k", 1024);
  finish_rehash();
  EXPECT_EQ(dict.bucket_count(), 512u);
  for (int i = 50; i < 1024; ++i) unlink(numbered("k", i));
  dict.maybe_shrink();
  EXPECT_TRUE(dict.rehashing());
  expect_all_found();  // mid-shrink
  finish_rehash();
  EXPECT_EQ(dict.bucket_count(), 64u);
  expect_all_found();
}

TEST_F(DictTest, MaybeShrinkLeavesADenseTableAlone) {
  insert_many("k", 100);
  finish_rehash();
  size_t buckets = dict.bucket_count();
  dict.maybe_shrink();
  EXPECT_FALSE(dict.rehashing());
  EXPECT_EQ(dict.bucket_count(), buckets);
}

TEST_F(DictTest, ShrinkingAnEmptiedTableKeepsItUsable) {
  insert_many("k", 100);
  finish_rehash();
  for (int i = 0; i < 100; ++i) unlink(numbered("k", i));
  dict.maybe_shrink();
  finish_rehash();
  EXPECT_EQ(find("k1"), kNoEntry);
  insert("again");
  expect_all_found();
}

TEST_F(DictTest, DoesNotGrowWhileResizeIsDisallowed) {
  dict.set_resize_allowed(false);
  insert_many("k", 100);
  EXPECT_FALSE(dict.rehashing());
  EXPECT_EQ(dict.bucket_count(), 4u);
  expect_all_found();
  dict.set_resize_allowed(true);
  insert("one more");
  EXPECT_TRUE(dict.rehashing());
  finish_rehash();
  EXPECT_GE(dict.bucket_count() * 2, 101u);  // grown to hold them at the load limit (2)
  expect_all_found();
}

TEST_F(DictTest, RehashStepReportsProgress) {
  EXPECT_FALSE(dict.rehash_step(1));
  insert_many("k", 5000);
  finish_rehash();
  for (int i = 0; i < 5000; i += 2) unlink(numbered("k", i));
  for (int i = 1; i < 5000; i += 2) {
    if (i % 64 != 1) unlink(numbered("k", i));
  }
  dict.maybe_shrink();
  ASSERT_TRUE(dict.rehashing());
  EXPECT_TRUE(dict.rehash_step(1));  // one bucket is not a whole table
  while (dict.rehash_step(1)) {
  }
  EXPECT_FALSE(dict.rehashing());
  expect_all_found();
}

// --- relink -------------------------------------------------------------------------------------

TEST_F(DictTest, RelinkPutsTheReplacementInTheOldEntrysPlace) {
  insert_many("k", 64);
  finish_rehash();
  EntryIndex moved = make_entry(arena, "k17");
  dict.relink(live["k17"], moved, Dict::hash("k17"));
  live["k17"] = moved;
  expect_all_found();
}

TEST_F(DictTest, RelinkWorksInEitherTableDuringARehash) {
  int i = 0;
  while (!dict.rehashing()) insert(numbered("k", i++));
  for (auto& [key, e] : live) {
    EntryIndex moved = make_entry(arena, key);
    dict.relink(e, moved, Dict::hash(key));
    e = moved;
  }
  expect_all_found();
  finish_rehash();
  expect_all_found();
}

// --- SCAN ---------------------------------------------------------------------------------------

TEST_F(DictTest, ScanOfAnUnchangingTableReturnsEveryKeyExactlyOnce) {
  insert_many("k", 1000);
  finish_rehash();
  std::multiset<std::string> seen = scan_all();
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 1000u);
}

TEST_F(DictTest, ScanDuringARehashReturnsEveryKeyExactlyOnce) {
  int i = 0;
  while (!dict.rehashing()) insert(numbered("k", i++));
  for (int j = 0; j < 300; ++j) insert(numbered("m", j));
  ASSERT_TRUE(dict.rehashing());
  std::multiset<std::string> seen = scan_all();
  EXPECT_EQ(seen.size(), live.size());
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), live.size());
}

TEST_F(DictTest, ScanGuaranteeHoldsWhileTheTableGrowsBetweenCalls) {
  insert_many("stable", 100);
  int added = 0;
  // Growth stops at some point: a table that grows faster than the cursor advances is never done.
  std::multiset<std::string> seen = scan_all([&] {
    for (int i = 0; i < 40 && added < 4000; ++i) insert(numbered("new", added++));
  });
  EXPECT_EQ(added, 4000);  // the table went through several doublings mid-iteration
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(seen.count(numbered("stable", i))) << i;
}

TEST_F(DictTest, ScanGuaranteeHoldsWhileTheTableShrinksBetweenCalls) {
  insert_many("stable", 60);
  insert_many("doomed", 4000);
  finish_rehash();
  int removed = 0;
  size_t smallest = dict.bucket_count();
  std::multiset<std::string> seen = scan_all([&] {
    for (int i = 0; i < 200 && removed < 4000; ++i) unlink(numbered("doomed", removed++));
    dict.maybe_shrink();
    dict.rehash_step(8);
    if (!dict.rehashing()) smallest = std::min(smallest, dict.bucket_count());
  });
  EXPECT_LT(smallest, 4096u);
  for (int i = 0; i < 60; ++i) EXPECT_TRUE(seen.count(numbered("stable", i))) << i;
}

TEST_F(DictTest, ScanGuaranteeHoldsUnderRandomGrowthShrinkAndRehashSteps) {
  for (uint64_t seed : {1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u}) {
    live.clear();
    dict = Dict(&arena);
    Rng rng(seed);
    insert_many("stable", 50);
    insert_many("churn", static_cast<int>(rng.below(3000)));
    int next_id = 100'000;
    std::multiset<std::string> seen = scan_all([&] {
      size_t action = rng.below(4);
      if (action == 0) {
        for (size_t i = rng.below(300); i > 0; --i) insert(numbered("churn", next_id++));
      } else if (action == 1) {
        for (size_t i = rng.below(500); i > 0; --i) {
          auto it = live.lower_bound("churn");
          if (it == live.end() || it->first.rfind("churn", 0) != 0) break;
          unlink(it->first);
        }
        dict.maybe_shrink();
      } else if (action == 2) {
        dict.rehash_step(rng.below(16) + 1);
      }
    });
    for (int i = 0; i < 50; ++i) {
      EXPECT_TRUE(seen.count(numbered("stable", i))) << "seed " << seed << " key " << i;
    }
  }
}

// --- random sampling, clear, moves --------------------------------------------------------------

TEST_F(DictTest, RandomEntryReturnsOnlyLiveEntriesAndReachesThemAll) {
  Rng rng(99);
  auto rnd = [&] { return rng.next(); };
  EXPECT_EQ(dict.random_entry(rnd), kNoEntry);
  int i = 0;
  while (!dict.rehashing()) insert(numbered("k", i++));
  std::set<EntryIndex> expected;
  for (const auto& [key, e] : live) expected.insert(e);
  std::set<EntryIndex> seen;
  for (int n = 0; n < 5000; ++n) {
    EntryIndex e = dict.random_entry(rnd);
    ASSERT_TRUE(expected.count(e));
    seen.insert(e);
  }
  EXPECT_EQ(seen, expected);
}

TEST_F(DictTest, ClearVisitsEveryEntryAndEmptiesTheTable) {
  int i = 0;
  while (!dict.rehashing()) insert(numbered("k", i++));
  std::set<EntryIndex> expected;
  for (const auto& [key, e] : live) expected.insert(e);
  std::set<EntryIndex> visited;
  dict.clear([&](EntryIndex e) { visited.insert(e); });
  live.clear();
  EXPECT_EQ(visited, expected);
  EXPECT_EQ(dict.size(), 0u);
  EXPECT_FALSE(dict.rehashing());
  EXPECT_EQ(find("k0"), kNoEntry);
  insert("after");
  expect_all_found();
}

TEST_F(DictTest, MovingADictMovesItsEntries) {
  insert_many("k", 300);
  Dict moved(std::move(dict));
  for (const auto& [key, e] : live) EXPECT_EQ(moved.find(key, Dict::hash(key)), e);
  Dict other(&arena);
  std::swap(moved, other);
  EXPECT_EQ(moved.size(), 0u);
  EXPECT_EQ(other.size(), 300u);
  for (const auto& [key, e] : live) EXPECT_EQ(other.find(key, Dict::hash(key)), e);
}

}  // namespace
}  // namespace stashd::testing

// --- eviction sampling (Dict::sample) -----------------------------------------------------------

namespace stashd::testing {
namespace {

// Checks one sample: at most n entries, none repeated, every one present in the table. Returns
// whether it was valid, so loops can stop at the first bad seed instead of repeating the report.
bool expect_valid_sample(const std::vector<EntryIndex>& got, size_t n,
                         const std::map<std::string, EntryIndex>& live, uint64_t seed) {
  std::set<EntryIndex> present;
  for (const auto& [key, e] : live) present.insert(e);
  size_t missing = 0;
  for (EntryIndex e : got) missing += present.count(e) ? 0 : 1;
  std::set<EntryIndex> distinct(got.begin(), got.end());
  EXPECT_LE(got.size(), n) << "seed " << seed;
  EXPECT_EQ(missing, 0u) << "seed " << seed;
  EXPECT_EQ(distinct.size(), got.size())
      << "BUG in Dict::sample (src/keyspace/dict.cpp): an entry came back twice (seed " << seed
      << ", n " << n << ", " << live.size() << " keys"
      << (got.size() > live.size() ? ", more than the dict holds" : "")
      << "): the bucket walk wraps around a table (index & mask) and visits its buckets again";
  return got.size() <= n && missing == 0 && distinct.size() == got.size();
}

std::vector<EntryIndex> sample_of(const Dict& dict, size_t n, uint64_t seed) {
  std::vector<EntryIndex> out(n);
  out.resize(dict.sample(n, seed, out.data()));
  return out;
}

TEST_F(DictTest, SampleOfAnEmptyDictReturnsNothing) {
  EntryIndex out[4];
  EXPECT_EQ(dict.sample(4, 123, out), 0u);
  insert("a");
  EXPECT_EQ(dict.sample(0, 123, out), 0u);
}

TEST_F(DictTest, SampleReturnsUpToNDistinctLiveEntries) {
  insert_many("k", 1000);
  finish_rehash();
  for (uint64_t seed = 0; seed < 200; ++seed) {
    std::vector<EntryIndex> got = sample_of(dict, 16, seed * 0x9E3779B97F4A7C15ULL);
    EXPECT_FALSE(got.empty());
    if (!expect_valid_sample(got, 16, live, seed)) break;
  }
}

TEST_F(DictTest, SampleOfMoreThanTheDictHoldsReturnsEachEntryOnce) {
  insert_many("k", 3);
  for (uint64_t seed = 0; seed < 20; ++seed) {
    std::vector<EntryIndex> got = sample_of(dict, 10, seed);
    EXPECT_EQ(got.size(), 3u) << "seed " << seed;
    if (!expect_valid_sample(got, 10, live, seed)) break;
  }
}

TEST_F(DictTest, SampleDuringARehashDrawsFromBothTablesWithoutRepeats) {
  // A large table mid-rehash (no wrap-around within one sample).
  insert_many("k", 4000);
  finish_rehash();
  const size_t buckets = dict.bucket_count();
  for (int i = 0; !dict.rehashing(); ++i) insert(numbered("m", i));
  dict.rehash_step(buckets / 2);  // about half the entries have moved
  ASSERT_TRUE(dict.rehashing());
  std::set<EntryIndex> seen;
  for (uint64_t seed = 0; seed < 2000; ++seed) {
    std::vector<EntryIndex> got = sample_of(dict, 5, seed * 0x9E3779B97F4A7C15ULL);
    EXPECT_EQ(got.size(), 5u);
    if (!expect_valid_sample(got, 5, live, seed)) break;
    seen.insert(got.begin(), got.end());
  }
  EXPECT_GT(seen.size(), live.size() * 3 / 4);  // so entries of both tables turned up
}

TEST_F(DictTest, SampleDuringTheFirstSmallRehashHasNoRepeats) {
  for (int i = 0; !dict.rehashing(); ++i) insert(numbered("k", i));  // the first growth
  ASSERT_LT(dict.bucket_count(), 64u);
  for (size_t n : {size_t{1}, size_t{3}, size_t{5}, live.size()}) {
    for (uint64_t seed = 0; seed < 50; ++seed) {
      if (!expect_valid_sample(sample_of(dict, n, seed), n, live, seed)) break;
    }
  }
}

}  // namespace
}  // namespace stashd::testing
