// Owns: tests of src/keyspace/evictor.cpp against a real Keyspace with a fake memory meter (100
// bytes per key) and a fake microsecond clock: each maxmemory-policy's choice of victims, what
// volatile policies may not touch, the eviction listener and counter, databases as one candidate
// set, the tenacity time budget, and W-TinyLFU admission (frequent keys admitted, one-off keys and
// scans kept out). Must not touch: other modules. Thread: the test's (plus the lazy freer's).
#include "stashd/keyspace/evictor.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "keyspace/gate.h"
#include "keyspace/test_entries.h"
#include "stashd/keyspace/keyspace.h"
#include "stashd/keyspace/lfu.h"

namespace stashd::testing {
namespace {

constexpr int64_t kStart = 1'000'000'000;  // ms
constexpr size_t kBytesPerKey = 100;
constexpr int64_t kHourMs = 3'600'000;
using P = EvictionPolicy;

// A collection big enough to be freed lazily, whose destructor waits for a gate.
class GatedObject final : public ValueObject {
 public:
  explicit GatedObject(Gate* gate) : gate_(gate) {}
  ~GatedObject() override { gate_->wait(); }
  const char* encoding_name() const override { return "gated"; }
  size_t memory_usage() const override { return sizeof(*this); }
  std::unique_ptr<ValueObject> clone() const override {
    return std::make_unique<GatedObject>(gate_);
  }
  size_t free_effort() const override { return 1000; }

 private:
  Gate* gate_;
};

class EvictorTest : public ::testing::Test {
 protected:
  EvictorTest() {
    ks.set_now_ms(kStart);
    ks.set_memory_meter([this] { return ks.total_keys() * kBytesPerKey; });
    ks.set_evict_listener(
        [this](int id, std::string_view key) { evicted.emplace_back(id, std::string(key)); });
    settings.tenacity = 100;  // no time budget unless a test asks for one
    settings.samples = 64;    // few keys per test: every sample sees them all
  }
  ~EvictorTest() override { gate.open(); }  // before ks (and its lazy freer) goes away

  // Applies `settings` with this policy and a limit of max_keys keys' worth of memory.
  void limit(P policy, size_t max_keys) {
    settings.policy = policy;
    settings.maxmemory = max_keys * kBytesPerKey;
    ks.set_eviction(settings);
  }
  void at_second(int64_t s) { ks.set_now_ms(kStart + s * 1000); }
  bool has(std::string_view key, int id = 0) { return ks.db(id).lookup_peek(key) != kNoEntry; }
  void set_with_ttl(Db& d, std::string_view key, int64_t ttl_ms) {
    d.set_expire(d.set_string(key, "v"), ks.now_ms() + ttl_ms);
  }
  void set_many(Db& d, std::string_view prefix, int n) {
    for (int i = 0; i < n; ++i) d.set_string(numbered(prefix, i), "v");
  }
  int count_present(Db& d, std::string_view prefix, int n) {
    int present = 0;
    for (int i = 0; i < n; ++i) present += d.lookup_peek(numbered(prefix, i)) != kNoEntry;
    return present;
  }
  std::vector<std::string> evicted_keys() {
    std::vector<std::string> out;
    for (const auto& [id, key] : evicted) out.push_back(key);
    return out;
  }
  int segment_of(std::string_view key) { return db.view(db.lookup_peek(key)).segment(); }

  // Every entry is on exactly the recency list its segment bits name, and the lists together hold
  // exactly the dictionary's entries.
  void expect_lists_consistent(const Db& d) {
    std::set<EntryIndex> in_dict;
    uint64_t cursor = 0;
    do {
      cursor = d.scan(cursor, [&](EntryIndex e) { in_dict.insert(e); });
    } while (cursor != 0);
    std::set<EntryIndex> in_lists;
    size_t total = 0;
    for (int s = 0; s < Db::kSegments; ++s) {
      const LruList& list = d.list(s);
      size_t walked = 0;
      for (EntryIndex e = list.head(); e != kNoEntry; e = list.next(e), ++walked) {
        EXPECT_EQ(d.view(e).segment(), s);
        in_lists.insert(e);
      }
      EXPECT_EQ(walked, list.size()) << "segment " << s;
      total += list.size();
    }
    EXPECT_EQ(total, d.size());
    EXPECT_EQ(in_lists, in_dict);
  }
  void expect_all_lists_consistent() {
    for (int i = 0; i < ks.databases(); ++i) expect_lists_consistent(ks.db(i));
  }

  Gate gate;  // declared before ks: outlives the lazy freer that may wait on it
  Keyspace ks{4};
  Db& db = ks.db(0);
  Evictor& evictor = ks.evictor();
  EvictionSettings settings;
  std::vector<std::pair<int, std::string>> evicted;
};

// --- limits and results -------------------------------------------------------------------------

TEST_F(EvictorTest, NoEvictionFailsWhenOverTheLimit) {
  set_many(db, "k", 6);
  limit(P::kNoEviction, 5);
  EXPECT_TRUE(evictor.over_limit());
  EXPECT_EQ(evictor.run(), EvictResult::kFail);
  EXPECT_EQ(db.size(), 6u);
  EXPECT_TRUE(evicted.empty());
}

TEST_F(EvictorTest, AtOrUnderTheLimitNothingIsEvicted) {
  set_many(db, "k", 10);
  limit(P::kAllKeysLru, 10);
  EXPECT_FALSE(evictor.over_limit());
  EXPECT_EQ(evictor.run(), EvictResult::kOk);
  limit(P::kNoEviction, 10);
  EXPECT_EQ(evictor.run(), EvictResult::kOk);
  EXPECT_EQ(db.size(), 10u);
  EXPECT_EQ(ks.stats().evicted_keys, 0u);
}

TEST_F(EvictorTest, MaxmemoryZeroMeansNoLimit) {
  set_many(db, "k", 10);
  limit(P::kAllKeysRandom, 0);
  EXPECT_FALSE(evictor.over_limit());
  EXPECT_EQ(evictor.run(), EvictResult::kOk);
  EXPECT_EQ(db.size(), 10u);
}

// --- LRU ----------------------------------------------------------------------------------------

TEST_F(EvictorTest, AllKeysLruEvictsTheKeysIdleLongest) {
  limit(P::kAllKeysLru, 100);
  for (int i = 0; i < 10; ++i) {
    at_second(i);
    db.set_string(numbered("k", i), "v");
  }
  at_second(20);
  for (int i = 0; i < 5; ++i) db.lookup_read(numbered("k", i));  // the oldest become the newest
  limit(P::kAllKeysLru, 5);
  EXPECT_EQ(evictor.run(), EvictResult::kOk);
  EXPECT_EQ(db.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(has(numbered("k", i))) << i;
  // Idle 15, 14, ... seconds: the idlest goes first.
  EXPECT_EQ(evicted_keys(), (std::vector<std::string>{"k5", "k6", "k7", "k8", "k9"}));
  expect_lists_consistent(db);
}

TEST_F(EvictorTest, VolatileLruEvictsTheIdlestKeyWithATtl) {
  limit(P::kVolatileLru, 100);
  set_many(db, "old", 5);  // idlest of all, but without a TTL
  for (int i = 0; i < 6; ++i) {
    at_second(10 + i);
    set_with_ttl(db, numbered("t", i), kHourMs);
  }
  at_second(30);
  limit(P::kVolatileLru, 8);
  EXPECT_EQ(evictor.run(), EvictResult::kOk);
  EXPECT_EQ(evicted_keys(), (std::vector<std::string>{"t0", "t1", "t2"}));
  EXPECT_EQ(count_present(db, "old", 5), 5);
}

TEST_F(EvictorTest, AllKeysLruExactEvictsExactlyTheLeastRecentlyUsed) {
  limit(P::kAllKeysLruExact, 100);
  for (int i = 0; i < 10; ++i) {
    at_second(i);
    db.set_string(numbered("k", i), "v");
  }
  at_second(20);
  db.lookup_read("k3");
  at_second(21);
  db.lookup_write("k0");
  limit(P::kAllKeysLruExact, 6);
  EXPECT_EQ(evictor.run(), EvictResult::kOk);
  EXPECT_EQ(evicted_keys(), (std::vector<std::string>{"k1", "k2", "k4", "k5"}));
}

TEST_F(EvictorTest, AllKeysLruExactComparesAcrossDatabases) {
  limit(P::kAllKeysLruExact, 100);
  Db& other = ks.db(1);
  for (int i = 0; i < 6; ++i) {
    at_second(i);
    (i % 2 == 0 ? db : other).set_string(numbered("k", i), "v");
  }
  at_second(10);
  limit(P::kAllKeysLruExact, 2);
  EXPECT_EQ(evictor.run(), EvictResult::kOk);
  EXPECT_EQ(evicted,
            (std::vector<std::pair<int, std::string>>{{0, "k0"}, {1, "k1"}, {0, "k2"}, {1, "k3"}}));
}

// --- LFU ----------------------------------------------------------------------------------------

TEST_F(EvictorTest, AllKeysLfuKeepsFrequentlyReadKeys) {
  limit(P::kAllKeysLfu, 100);  // before the keys exist, so they start with LFU counters
  set_many(db, "k", 20);
  for (int round = 0; round < 10; ++round) {
    for (int i = 0; i < 20; i += 2) db.lookup_read(numbered("k", i));
  }
  EXPECT_GT(db.lfu_counter(db.lookup_peek("k0")), lfu::kInitial);
  EXPECT_EQ(db.lfu_counter(db.lookup_peek("k1")), lfu::kInitial);
  limit(P::kAllKeysLfu, 10);
  EXPECT_EQ(evictor.run(), EvictResult::kOk);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(has(numbered("k", i)), i % 2 == 0) << i;
}

TEST_F(EvictorTest, AllKeysLfuForgetsPopularityThatDecayed) {
  settings.lfu_log_factor = 0;  // every access counts, so the counters are exact
  settings.lfu_decay_time = 1;
  limit(P::kAllKeysLfu, 100);
  set_many(db, "old", 5);
  for (int i = 0; i < 5; ++i) {
    for (int r = 0; r < 5; ++r) db.lookup_read(numbered("old", i));
  }
  ks.set_now_ms(kStart + 30 * 60'000);  // thirty decay periods later
  set_many(db, "new", 5);
  for (int i = 0; i < 5; ++i) db.lookup_read(numbered("new", i));
  EXPECT_EQ(db.lfu_counter(db.lookup_peek("old0")), 0u);
  EXPECT_EQ(db.lfu_counter(db.lookup_peek("new0")), lfu::kInitial + 1);
  limit(P::kAllKeysLfu, 5);
  EXPECT_EQ(evictor.run(), EvictResult::kOk);
  EXPECT_EQ(count_present(db, "new", 5), 5);
}

// --- random and TTL -----------------------------------------------------------------------------

TEST_F(EvictorTest, AllKeysRandomEvictsUntilUnderTheLimit) {
  set_many(db, "k", 40);
  limit(P::kAllKeysRandom, 10);
  EXPECT_EQ(evictor.run(), EvictResult::kOk);
  EXPECT_EQ(db.size(), 10u);
  ASSERT_EQ(evicted.size(), 30u);
  std::set<std::string> distinct;
  for (const auto& [id, key] : evicted) {
    EXPECT_EQ(id, 0);
    EXPECT_FALSE(has(key));
    distinct.insert(key);
  }
  EXPECT_EQ(distinct.size(), 30u);
  expect_lists_consistent(db);
}

TEST_F(EvictorTest, VolatileRandomOnlyEvictsKeysWithATtl) {
  for (int i = 0; i < 10; ++i) {
    db.set_string(numbered("p", i), "v");
    set_with_ttl(db, numbered("t", i), kHourMs);
  }
  limit(P::kVolatileRandom, 15);
  EXPECT_EQ(evictor.run(), EvictResult::kOk);
  EXPECT_EQ(count_present(db, "p", 10), 10);
  EXPECT_EQ(count_present(db, "t", 10), 5);
  limit(P::kVolatileRandom, 5);
  EXPECT_EQ(evictor.run(), EvictResult::kFail);
  EXPECT_EQ(count_present(db, "p", 10), 10);
  EXPECT_EQ(db.expires(), 0u);
  for (const std::string& key : evicted_keys()) EXPECT_EQ(key[0], 't') << key;
  expect_lists_consistent(db);
}

TEST_F(EvictorTest, VolatilePoliciesFailWhenNoKeyHasATtl) {
  for (P policy : {P::kVolatileLru, P::kVolatileLfu, P::kVolatileRandom, P::kVolatileTtl,
                   P::kVolatileWTinyLfu}) {
    SCOPED_TRACE(eviction_policy_name(policy));
    Keyspace fresh(2);
    fresh.set_memory_meter([&] { return fresh.total_keys() * kBytesPerKey; });
    EvictionSettings s;
    s.policy = policy;
    s.maxmemory = 100 * kBytesPerKey;
    fresh.set_eviction(s);
    set_many(fresh.db(0), "p", 10);
    set_many(fresh.db(1), "q", 10);
    s.maxmemory = 5 * kBytesPerKey;
    fresh.set_eviction(s);
    EXPECT_EQ(fresh.evictor().run(), EvictResult::kFail);
    EXPECT_EQ(fresh.total_keys(), 20u);
    EXPECT_EQ(fresh.stats().evicted_keys, 0u);
  }
}

TEST_F(EvictorTest, VolatileTtlEvictsTheSoonestDeadlineFirst) {
  Db& other = ks.db(1);
  set_with_ttl(db, "t500", 500);
  set_with_ttl(db, "t100", 100);
  set_with_ttl(other, "t200", 200);
  set_with_ttl(db, "t900", 900);
  set_with_ttl(db, "t300", 300);
  set_with_ttl(other, "t700", 700);
  db.set_string("forever", "v");
  other.set_string("forever", "v");
  limit(P::kVolatileTtl, 4);
  EXPECT_EQ(evictor.run(), EvictResult::kOk);
  EXPECT_EQ(evicted, (std::vector<std::pair<int, std::string>>{
                         {0, "t100"}, {1, "t200"}, {0, "t300"}, {0, "t500"}}));
  limit(P::kVolatileTtl, 1);
  EXPECT_EQ(evictor.run(), EvictResult::kFail);
  EXPECT_EQ(evicted_keys(),
            (std::vector<std::string>{"t100", "t200", "t300", "t500", "t700", "t900"}));
  EXPECT_TRUE(has("forever", 0));
  EXPECT_TRUE(has("forever", 1));
}

// --- listener, stats, databases -----------------------------------------------------------------

TEST_F(EvictorTest, EvictedKeysAreCountedAndReportedBeforeRemoval) {
  int calls = 0;
  ks.set_evict_listener([&](int id, std::string_view key) {
    ++calls;
    EXPECT_NE(ks.db(id).lookup_peek(key), kNoEntry) << "the key is still there when reported";
  });
  set_many(db, "k", 12);
  limit(P::kAllKeysLru, 4);
  EXPECT_EQ(evictor.run(), EvictResult::kOk);
  EXPECT_EQ(calls, 8);
  EXPECT_EQ(ks.stats().evicted_keys, 8u);
}

TEST_F(EvictorTest, KeysInEveryDatabaseAreCandidates) {
  set_many(ks.db(1), "k", 10);
  set_many(ks.db(2), "k", 10);
  set_many(ks.db(3), "k", 10);
  limit(P::kAllKeysRandom, 3);
  EXPECT_EQ(evictor.run(), EvictResult::kOk);
  EXPECT_EQ(ks.total_keys(), 3u);
  std::set<int> from;
  for (const auto& [id, key] : evicted) from.insert(id);
  EXPECT_EQ(from, (std::set<int>{1, 2, 3}));
}

TEST_F(EvictorTest, SampledLruPrefersTheIdlestKeysOfAnyDatabase) {
  limit(P::kAllKeysLru, 100);
  set_many(ks.db(2), "old", 4);
  set_many(ks.db(3), "old", 4);
  at_second(100);
  set_many(db, "new", 8);
  limit(P::kAllKeysLru, 8);
  EXPECT_EQ(evictor.run(), EvictResult::kOk);
  EXPECT_EQ(count_present(db, "new", 8), 8);
  EXPECT_EQ(ks.db(2).size() + ks.db(3).size(), 0u);
}

// --- time budget --------------------------------------------------------------------------------

TEST(Evictor, TimeBudgetFollowsTenacity) {
  EXPECT_EQ(Evictor::time_budget_us(0), 0);
  EXPECT_EQ(Evictor::time_budget_us(5), 250);
  EXPECT_EQ(Evictor::time_budget_us(10), 500);
  EXPECT_EQ(Evictor::time_budget_us(100), -1);
  int64_t previous = 0;
  for (int64_t t = 1; t < 100; ++t) {
    int64_t budget = Evictor::time_budget_us(t);
    EXPECT_GT(budget, previous) << "tenacity " << t;
    previous = budget;
  }
}

TEST_F(EvictorTest, ARunStopsWhenItsTimeBudgetIsSpentAndALaterRunFinishes) {
  int64_t now_us = 0;
  ks.set_clock_us([&] { return now_us += 100; });  // every clock read costs 100 us
  set_many(db, "k", 200);
  settings.tenacity = 10;  // 500 us
  limit(P::kAllKeysRandom, 50);
  EXPECT_EQ(evictor.run(), EvictResult::kRunning);
  EXPECT_GT(ks.total_keys(), 50u);
  EXPECT_LT(ks.total_keys(), 200u);
  EXPECT_EQ(evictor.run(), EvictResult::kOk);
  EXPECT_EQ(ks.total_keys(), 50u);
}

TEST_F(EvictorTest, FullTenacityIgnoresTheClock) {
  int64_t now_us = 0;
  ks.set_clock_us([&] { return now_us += 1'000'000; });
  set_many(db, "k", 200);
  limit(P::kAllKeysRandom, 50);
  EXPECT_EQ(evictor.run(), EvictResult::kOk);
  EXPECT_EQ(ks.total_keys(), 50u);
}

TEST_F(EvictorTest, RunKeepsGoingWhileTheBackgroundFreerStillHoldsMemory) {
  settings.lazy_eviction = true;
  db.set_string("p0", "v");
  db.set_string("p1", "v");
  EntryIndex big = db.set_object("big", ValueType::kHash, std::make_unique<GatedObject>(&gate));
  db.set_expire(big, ks.now_ms() + kHourMs);
  limit(P::kVolatileRandom, 1);
  EXPECT_EQ(evictor.run(), EvictResult::kRunning);  // "big" is still being freed
  EXPECT_FALSE(has("big"));
  EXPECT_EQ(ks.lazy_free().pending(), 1u);
  gate.open();
  ks.lazy_free().drain();
  EXPECT_EQ(evictor.run(), EvictResult::kFail);
}

TEST_F(EvictorTest, NoEvictionWaitsForTheBackgroundFreerBeforeRefusing) {
  db.set_string("p0", "v");
  db.set_string("p1", "v");
  db.set_object("big", ValueType::kHash, std::make_unique<GatedObject>(&gate));
  db.erase("big", /*lazy=*/true);  // UNLINK: the memory comes back later
  limit(P::kNoEviction, 1);
  EXPECT_EQ(evictor.run(), EvictResult::kRunning);
  gate.open();
  ks.lazy_free().drain();
  EXPECT_EQ(evictor.run(), EvictResult::kFail);
}

// --- W-TinyLFU ----------------------------------------------------------------------------------

TEST_F(EvictorTest, WindowOverflowQueuesForAdmissionOnlyNearTheLimit) {
  limit(P::kAllKeysWTinyLfu, 64);
  set_many(db, "k", 50);
  EXPECT_EQ(db.list(Db::kWindow).size(), 1u);
  EXPECT_EQ(db.list(Db::kProbation).size(), 49u);
  EXPECT_EQ(db.list(Db::kCandidate).size(), 0u);
  set_many(db, "more", 14);  // 64 keys: within maxmemory / 64 of the limit
  EXPECT_GT(db.list(Db::kCandidate).size(), 0u);
  expect_lists_consistent(db);
}

TEST_F(EvictorTest, WTinyLfuAdmitsAFrequentlyReadCandidateOverAColdVictim) {
  limit(P::kAllKeysWTinyLfu, 20);
  set_many(db, "cold", 18);  // window: cold17; probation: cold16 ... cold0 (the tail)
  for (int i = 0; i < 10; ++i) db.lookup_read("hot");  // misses count as demand too
  db.set_string("hot", "v");                           // 19 keys: cold17 joins probation freely
  db.set_string("next", "v");  // 20 keys, near the limit: "hot" leaves the window as a candidate
  EXPECT_EQ(evictor.run(), EvictResult::kOk);
  ASSERT_EQ(segment_of("hot"), Db::kCandidate);
  db.set_string("last", "v");  // 21 keys: over
  EXPECT_EQ(evictor.run(), EvictResult::kOk);
  EXPECT_EQ(evicted_keys(), (std::vector<std::string>{"cold0"}));
  ASSERT_TRUE(has("hot"));
  EXPECT_EQ(segment_of("hot"), Db::kProbation);
  expect_lists_consistent(db);
}

TEST_F(EvictorTest, WTinyLfuEvictsAColdCandidateInsteadOfAPopularVictim) {
  limit(P::kAllKeysWTinyLfu, 20);
  set_many(db, "pop", 18);
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 18; ++i) db.lookup_read(numbered("pop", i));
  }
  db.set_string("oneoff", "v");
  db.set_string("next", "v");
  ASSERT_EQ(segment_of("oneoff"), Db::kCandidate);
  db.set_string("last", "v");
  EXPECT_EQ(evictor.run(), EvictResult::kOk);
  EXPECT_EQ(evicted_keys(), (std::vector<std::string>{"oneoff"}));
  EXPECT_EQ(count_present(db, "pop", 18), 18);
  expect_lists_consistent(db);
}

TEST_F(EvictorTest, WTinyLfuSurvivesAScanOfOneOffKeys) {
  constexpr int kHot = 100;
  limit(P::kAllKeysWTinyLfu, kHot);
  set_many(db, "hot", kHot);
  for (int round = 0; round < 8; ++round) {
    for (int i = 0; i < kHot; ++i) db.lookup_read(numbered("hot", i));
  }
  for (int i = 0; i < 10 * kHot; ++i) {
    std::string key = numbered("scan", i);
    db.lookup_read(key);  // a read-through cache: miss, then fill
    db.set_string(key, "v");
    ASSERT_EQ(evictor.run(), EvictResult::kOk) << i;
  }
  EXPECT_EQ(db.size(), static_cast<size_t>(kHot));
  EXPECT_GE(count_present(db, "hot", kHot), 90);
  expect_lists_consistent(db);
}

TEST_F(EvictorTest, VolatileWTinyLfuNeverEvictsAKeyWithoutATtl) {
  limit(P::kVolatileWTinyLfu, 10);
  for (int i = 0; i < 6; ++i) db.set_string(numbered("p", i), "v");
  for (int i = 0; i < 4; ++i) set_with_ttl(db, numbered("t", i), kHourMs);
  for (int i = 4; i < 14; ++i) {
    set_with_ttl(db, numbered("t", i), kHourMs);
    ASSERT_EQ(evictor.run(), EvictResult::kOk) << i;
  }
  for (int i = 6; i < 10; ++i) {
    db.set_string(numbered("p", i), "v");
    ASSERT_EQ(evictor.run(), EvictResult::kOk) << i;
  }
  EXPECT_EQ(db.expires(), 0u);
  db.set_string("p10", "v");
  EXPECT_EQ(evictor.run(), EvictResult::kFail);
  EXPECT_EQ(count_present(db, "p", 11), 11);
  for (const std::string& key : evicted_keys()) EXPECT_EQ(key[0], 't') << key;
  expect_lists_consistent(db);
}

TEST_F(EvictorTest, WTinyLfuKeepsListsConsistentAcrossDatabases) {
  limit(P::kAllKeysWTinyLfu, 60);
  for (int i = 0; i < 200; ++i) {
    Db& d = ks.db(i % 3);
    std::string key = numbered("k", i);
    if (i % 4 == 0) d.lookup_read(numbered("k", i / 2));
    if (i % 5 == 0) {
      set_with_ttl(d, key, kHourMs);
    } else {
      d.set_string(key, "v");
    }
    ASSERT_NE(evictor.run(), EvictResult::kFail) << i;
  }
  EXPECT_EQ(ks.total_keys(), 60u);
  expect_all_lists_consistent();
}

}  // namespace
}  // namespace stashd::testing
