// Owns: tests of src/keyspace/db.cpp (and keyspace.cpp): stores and in-place overwrites, TTL
// set/persist relocation, lazy and active expiry, take/put/clone, swap_contents, and that the
// dictionary, LRU list, TTL heap and arena stay consistent throughout. Uses Keyspace directly with
// set_now_ms for time. Must not touch: other modules. Thread: the test's.
#include "stashd/keyspace/db.h"

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "keyspace/test_entries.h"
#include "stashd/keyspace/keyspace.h"

namespace stashd::testing {
namespace {

// A collection stand-in that counts live instances, so frees and copies can be observed.
class CountedObject final : public ValueObject {
 public:
  CountedObject(int* live, std::string payload) : payload(std::move(payload)), live_(live) {
    ++*live_;
  }
  ~CountedObject() override { --*live_; }
  const char* encoding_name() const override { return "counted"; }
  size_t memory_usage() const override { return sizeof(*this); }
  std::unique_ptr<ValueObject> clone() const override {
    return std::make_unique<CountedObject>(live_, payload);
  }

  std::string payload;

 private:
  int* live_;
};

constexpr int64_t kStart = 1'000'000'000;

class DbTest : public ::testing::Test {
 protected:
  DbTest() {
    ks.set_now_ms(kStart);
    ks.set_expire_listener(
        [this](int id, std::string_view key) { expired.emplace_back(id, std::string(key)); });
  }

  // Db has no destructor, so values stored out of line would leak with the Keyspace.
  ~DbTest() override {
    for (int i = 0; i < ks.databases(); ++i) ks.db(i).clear();
  }

  void advance_ms(int64_t ms) { ks.set_now_ms(ks.now_ms() + ms); }
  std::string value_of(std::string_view key, Db& d) {
    EntryIndex e = d.lookup_peek(key);
    if (e == kNoEntry) return "(nil)";
    char buf[24];
    return std::string(d.string_value(e, buf));
  }
  std::string value_of(std::string_view key) { return value_of(key, db); }
  EntryIndex set_with_ttl(std::string_view key, std::string_view value, int64_t ttl_ms) {
    return db.set_expire(db.set_string(key, value), ks.now_ms() + ttl_ms);
  }
  EntryIndex set_object(std::string_view key, std::string payload, Db* d = nullptr) {
    return (d ? *d : db)
        .set_object(key, ValueType::kHash,
                    std::make_unique<CountedObject>(&objects, std::move(payload)));
  }
  std::vector<EntryIndex> lru_order(const Db& d) {
    std::vector<EntryIndex> out;
    for (EntryIndex e = d.lru().head(); e != kNoEntry; e = d.lru().next(e)) out.push_back(e);
    return out;
  }
  std::vector<std::string> lru_keys(const Db& d) {
    std::vector<std::string> out;
    for (EntryIndex e : lru_order(d)) out.emplace_back(d.view(e).key());
    return out;
  }

  // The dictionary, LRU list and TTL heap hold exactly the same entries, and each TTL entry's
  // stored heap position points back at it.
  void expect_consistent(const Db& d) {
    std::set<EntryIndex> in_dict;
    uint64_t cursor = 0;
    do {
      cursor = d.scan(cursor, [&](EntryIndex e) { in_dict.insert(e); });
    } while (cursor != 0);
    EXPECT_EQ(in_dict.size(), d.size());
    std::vector<EntryIndex> lru = lru_order(d);
    EXPECT_EQ(std::set<EntryIndex>(lru.begin(), lru.end()), in_dict);
    EXPECT_EQ(d.lru().size(), d.size());
    size_t with_ttl = 0;
    for (EntryIndex e : in_dict) with_ttl += d.view(e).has_ttl() ? 1 : 0;
    EXPECT_EQ(d.expires(), with_ttl);
    const auto& nodes = d.ttl_heap().nodes();
    for (size_t i = 0; i < nodes.size(); ++i) {
      EXPECT_TRUE(in_dict.count(nodes[i].entry)) << "heap node " << i;
      EXPECT_TRUE(d.view(nodes[i].entry).has_ttl());
      EXPECT_EQ(d.view(nodes[i].entry).heap_pos(), i);
    }
  }
  void expect_consistent() { expect_consistent(db); }

  Keyspace ks{4};
  Db& db = ks.db(0);
  std::vector<std::pair<int, std::string>> expired;
  int objects = 0;
};

// --- stores -------------------------------------------------------------------------------------

TEST_F(DbTest, StoresIntegersAsIntsAndOtherStringsByLength) {
  Encoding int_enc = db.view(db.set_string("i", "-123")).encoding();
  Encoding small_enc = db.view(db.set_string("s", "hello")).encoding();
  Encoding padded_enc = db.view(db.set_string("z", "007")).encoding();
  Encoding big_enc = db.view(db.set_string("b", std::string(5000, 'x'))).encoding();
  EXPECT_EQ(int_enc, Encoding::kInt);
  EXPECT_EQ(small_enc, Encoding::kEmbedded);
  EXPECT_EQ(padded_enc, Encoding::kEmbedded);
  EXPECT_EQ(big_enc, Encoding::kHeapString);
  EXPECT_EQ(value_of("i"), "-123");
  EXPECT_EQ(value_of("s"), "hello");
  EXPECT_EQ(value_of("z"), "007");
  EXPECT_EQ(value_of("b"), std::string(5000, 'x'));
  expect_consistent();
}

TEST_F(DbTest, OverwriteInTheSameSizeClassKeepsTheEntry) {
  EntryIndex first = db.set_string("k", "aaaa");
  EntryIndex second = db.set_string("k", "bbbb");
  EXPECT_EQ(first, second);
  EXPECT_EQ(value_of("k"), "bbbb");
  EXPECT_EQ(db.size(), 1u);
  expect_consistent();
}

TEST_F(DbTest, OverwriteWithADifferentSizeMovesTheEntryAndFreesTheOld) {
  EntryIndex first = db.set_string("k", "a");
  EntryIndex second = db.set_string("k", std::string(100, 'b'));
  EXPECT_NE(first, second);
  EXPECT_EQ(db.lookup_peek("k"), second);
  EXPECT_EQ(ks.arena().used_bytes(), EntryArena::rounded(db.view(second).size()));
  expect_consistent();
}

TEST_F(DbTest, OverwriteMovesTheKeyToTheFrontOfTheLru) {
  db.set_string("a", "1");
  db.set_string("b", "2");
  db.set_string("c", "3");
  db.set_string("a", "4");  // same size class: in place
  EXPECT_EQ(lru_keys(db), (std::vector<std::string>{"a", "c", "b"}));
  db.set_string("b", std::string(300, 'x'));  // moved
  EXPECT_EQ(lru_keys(db), (std::vector<std::string>{"b", "a", "c"}));
  expect_consistent();
}

TEST_F(DbTest, OverwriteDropsTheTtlUnlessAskedToKeepIt) {
  set_with_ttl("k", "v1", 5000);
  db.set_string("k", "v2");
  EXPECT_EQ(db.expire_time(db.lookup_peek("k")), -1);
  EXPECT_EQ(db.expires(), 0u);
  expect_consistent();

  set_with_ttl("k", "v3", 5000);
  EntryIndex same_size = db.set_string("k", "v4", /*keep_ttl=*/true);
  EXPECT_EQ(db.expire_time(same_size), kStart + 5000);
  EntryIndex bigger = db.set_string("k", std::string(200, 'y'), /*keep_ttl=*/true);
  EXPECT_EQ(db.expire_time(bigger), kStart + 5000);
  EXPECT_EQ(value_of("k"), std::string(200, 'y'));
  expect_consistent();
}

TEST_F(DbTest, KeepTtlOnAKeyWithoutOneStoresNoDeadline) {
  db.set_string("k", "v");
  EXPECT_EQ(db.expire_time(db.set_string("k", "w", true)), -1);
  EXPECT_EQ(db.expire_time(db.set_string("new", "w", true)), -1);
  expect_consistent();
}

TEST_F(DbTest, StoringOverAnExpiredKeyStartsFresh) {
  set_with_ttl("k", "old", 10);
  advance_ms(10);
  EntryIndex e = db.set_string("k", "new", /*keep_ttl=*/true);
  EXPECT_EQ(db.expire_time(e), -1);
  EXPECT_EQ(expired.size(), 1u);
  expect_consistent();
}

// --- TTL relocation -----------------------------------------------------------------------------

TEST_F(DbTest, SetExpireMovesTheEntryOnceAndPersistMovesItBack) {
  EntryIndex plain = db.set_string("k", "value");
  EntryIndex timed = db.set_expire(plain, kStart + 1000);
  EXPECT_NE(timed, plain);  // grew a heap-position slot
  EXPECT_EQ(db.lookup_peek("k"), timed);
  EXPECT_EQ(db.expire_time(timed), kStart + 1000);
  EXPECT_EQ(db.set_expire(timed, kStart + 2000), timed);  // already has the slot
  EXPECT_EQ(db.expire_time(timed), kStart + 2000);
  expect_consistent();

  EntryIndex persisted = db.persist(timed);
  EXPECT_NE(persisted, timed);
  EXPECT_EQ(db.lookup_peek("k"), persisted);
  EXPECT_EQ(db.expire_time(persisted), -1);
  EXPECT_EQ(db.persist(persisted), persisted);
  EXPECT_EQ(value_of("k"), "value");
  EXPECT_EQ(ks.arena().used_bytes(), EntryArena::rounded(db.view(persisted).size()));
  expect_consistent();
}

TEST_F(DbTest, RelocationKeepsEveryEncodingsValue) {
  db.set_string("int", "42");
  db.set_string("emb", "embedded value");
  db.set_string("heap", std::string(6000, 'h'));
  set_object("obj", "payload");
  for (const char* key : {"int", "emb", "heap", "obj"}) {
    EntryIndex e = db.set_expire(db.lookup_peek(key), kStart + 100);
    ASSERT_NE(e, kNoEntry);
  }
  expect_consistent();
  for (const char* key : {"int", "emb", "heap", "obj"}) db.persist(db.lookup_peek(key));
  expect_consistent();
  EXPECT_EQ(value_of("int"), "42");
  EXPECT_EQ(value_of("emb"), "embedded value");
  EXPECT_EQ(value_of("heap"), std::string(6000, 'h'));
  auto* obj = static_cast<CountedObject*>(db.view(db.lookup_peek("obj")).object());
  EXPECT_EQ(obj->payload, "payload");
  EXPECT_EQ(objects, 1);
}

TEST_F(DbTest, RelocationKeepsTheLruPositionAndIdleClock) {
  db.set_string("a", "1");
  advance_ms(3000);
  db.set_string("b", "2");
  db.set_string("c", "3");
  db.set_expire(db.lookup_peek("a"), kStart + 100'000);
  db.set_expire(db.lookup_peek("b"), kStart + 100'000);
  EXPECT_EQ(lru_keys(db), (std::vector<std::string>{"c", "b", "a"}));
  EXPECT_EQ(db.idle_seconds(db.lookup_peek("a")), 3u);
  db.persist(db.lookup_peek("a"));
  EXPECT_EQ(lru_keys(db), (std::vector<std::string>{"c", "b", "a"}));
  EXPECT_EQ(db.idle_seconds(db.lookup_peek("a")), 3u);
  expect_consistent();
}

TEST_F(DbTest, ManyTtlChangesKeepTheStructuresConsistent) {
  for (int i = 0; i < 500; ++i) db.set_string(numbered("k", i), numbered("v", i));
  for (int round = 0; round < 3; ++round) {
    for (int i = round; i < 500; i += 3) {
      std::string key = numbered("k", i);
      EntryIndex e = db.lookup_peek(key);
      if (db.view(e).has_ttl()) {
        db.persist(e);
      } else {
        db.set_expire(e, kStart + 10'000 + i);
      }
    }
    expect_consistent();
  }
  for (int i = 0; i < 500; ++i) EXPECT_EQ(value_of(numbered("k", i)), numbered("v", i));
}

// --- lookups and expiry -------------------------------------------------------------------------

TEST_F(DbTest, LookupsExpireAKeyLazilyAtItsDeadline) {
  set_with_ttl("k", "v", 100);
  advance_ms(99);
  EXPECT_NE(db.lookup_read("k"), kNoEntry);
  advance_ms(1);
  EXPECT_EQ(db.lookup_read("k"), kNoEntry);
  EXPECT_EQ(expired, (std::vector<std::pair<int, std::string>>{{0, "k"}}));
  EXPECT_EQ(ks.stats().expired_keys, 1u);
  EXPECT_EQ(db.size(), 0u);
  EXPECT_EQ(ks.arena().used_bytes(), 0u);
  expect_consistent();
}

TEST_F(DbTest, EveryLookupKindExpires) {
  set_with_ttl("r", "v", 5);
  set_with_ttl("w", "v", 5);
  set_with_ttl("p", "v", 5);
  advance_ms(5);
  EXPECT_EQ(db.lookup_read("r"), kNoEntry);
  EXPECT_EQ(db.lookup_write("w"), kNoEntry);
  EXPECT_EQ(db.lookup_peek("p"), kNoEntry);
  EXPECT_EQ(expired.size(), 3u);
  expect_consistent();
}

TEST_F(DbTest, OnlyReadLookupsCountHitsAndMisses) {
  db.set_string("k", "v");
  db.lookup_read("k");
  db.lookup_read("missing");
  db.lookup_write("k");
  db.lookup_peek("missing");
  EXPECT_EQ(ks.stats().keyspace_hits, 1u);
  EXPECT_EQ(ks.stats().keyspace_misses, 1u);
}

TEST_F(DbTest, PeekDoesNotTouchButReadAndWriteDo) {
  db.set_string("a", "1");
  db.set_string("b", "2");
  advance_ms(5000);
  db.lookup_peek("a");
  EXPECT_EQ(lru_keys(db), (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(db.idle_seconds(db.lookup_peek("a")), 5u);
  db.lookup_read("a");
  EXPECT_EQ(lru_keys(db), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(db.idle_seconds(db.lookup_peek("a")), 0u);
  db.lookup_write("b");
  EXPECT_EQ(lru_keys(db), (std::vector<std::string>{"b", "a"}));
}

TEST_F(DbTest, IdleTimeSurvivesTheLruClockWrapping) {
  ks.set_now_ms(int64_t{0xFFFFFD} * 1000);
  db.set_string("k", "v");
  advance_ms(5000);  // the 24-bit clock wraps to 2
  EXPECT_EQ(ks.lru_clock(), 2u);
  EXPECT_EQ(db.idle_seconds(db.lookup_peek("k")), 5u);
}

TEST_F(DbTest, ActiveExpireRemovesDueKeysInDeadlineOrder) {
  set_with_ttl("c", "v", 300);
  set_with_ttl("a", "v", 100);
  set_with_ttl("later", "v", 10'000);
  set_with_ttl("b", "v", 200);
  db.set_string("forever", "v");
  EXPECT_FALSE(db.has_due_keys());
  advance_ms(300);
  EXPECT_TRUE(db.has_due_keys());
  EXPECT_EQ(db.active_expire(2), 2u);
  EXPECT_EQ(db.active_expire(100), 1u);
  EXPECT_FALSE(db.has_due_keys());
  EXPECT_EQ(expired, (std::vector<std::pair<int, std::string>>{{0, "a"}, {0, "b"}, {0, "c"}}));
  EXPECT_EQ(db.size(), 2u);
  expect_consistent();
}

TEST_F(DbTest, EraseReportsWhetherALiveKeyWasRemoved) {
  db.set_string("k", "v");
  set_with_ttl("gone", "v", 1);
  advance_ms(1);
  EXPECT_TRUE(db.erase("k"));
  EXPECT_FALSE(db.erase("k"));
  EXPECT_FALSE(db.erase("gone"));
  EXPECT_EQ(expired.size(), 1u);  // the expired key was still reported as expired
  EXPECT_EQ(db.size(), 0u);
  expect_consistent();
}

TEST_F(DbTest, RandomKeySkipsAndRemovesExpiredKeys) {
  db.set_string("live", "v");
  for (int i = 0; i < 30; ++i) set_with_ttl(numbered("dead", i), "v", 10);
  advance_ms(10);
  for (int i = 0; i < 20; ++i) {
    EntryIndex e = db.random_key();
    ASSERT_NE(e, kNoEntry);
    EXPECT_EQ(db.view(e).key(), "live");
  }
  expect_consistent();
  Db& empty = ks.db(3);
  EXPECT_EQ(empty.random_key(), kNoEntry);
}

// --- take / put / clone -------------------------------------------------------------------------

TEST_F(DbTest, TakeAndPutMoveEveryEncodingWithItsDeadline) {
  db.set_string("int", "7");
  db.set_string("emb", "text");
  db.set_string("heap", std::string(5000, 'z'));
  set_object("obj", "fields");
  db.set_expire(db.lookup_peek("emb"), kStart + 900);
  for (std::string key : {"int", "emb", "heap", "obj"}) {
    DetachedValue v;
    ASSERT_TRUE(db.take(key, &v)) << key;
    EXPECT_EQ(db.lookup_peek(key), kNoEntry);
    std::string moved_key = "moved:";
    moved_key += key;
    ASSERT_NE(db.put(moved_key, std::move(v)), kNoEntry);
  }
  EXPECT_EQ(value_of("moved:int"), "7");
  EXPECT_EQ(value_of("moved:emb"), "text");
  EXPECT_EQ(value_of("moved:heap"), std::string(5000, 'z'));
  EXPECT_EQ(db.expire_time(db.lookup_peek("moved:emb")), kStart + 900);
  EXPECT_EQ(db.expire_time(db.lookup_peek("moved:int")), -1);
  EXPECT_EQ(db.view(db.lookup_peek("moved:obj")).type(), ValueType::kHash);
  EXPECT_EQ(objects, 1);  // moved, never copied or freed
  expect_consistent();
}

TEST_F(DbTest, TakeOfAMissingOrExpiredKeyFails) {
  DetachedValue v;
  EXPECT_FALSE(db.take("missing", &v));
  set_with_ttl("gone", "v", 1);
  advance_ms(1);
  EXPECT_FALSE(db.take("gone", &v));
  expect_consistent();
}

TEST_F(DbTest, PutReplacesAnExistingKeyAndItsDeadline) {
  set_with_ttl("dst", "old", 5000);
  set_object("src", "x");
  set_object("dst2", "to be freed");
  DetachedValue v;
  ASSERT_TRUE(db.take("src", &v));
  db.put("dst", std::move(v));
  EXPECT_EQ(db.expire_time(db.lookup_peek("dst")), -1);
  DetachedValue w;
  ASSERT_TRUE(db.take("dst", &w));
  db.put("dst2", std::move(w));
  EXPECT_EQ(objects, 1);  // dst2's old object was freed
  expect_consistent();
}

TEST_F(DbTest, PutIntoAnotherDatabase) {
  set_with_ttl("k", "v", 700);
  DetachedValue v;
  ASSERT_TRUE(db.take("k", &v));
  Db& other = ks.db(2);
  other.put("k", std::move(v));
  EXPECT_EQ(value_of("k", other), "v");
  EXPECT_EQ(other.expire_time(other.lookup_peek("k")), kStart + 700);
  expect_consistent();
  expect_consistent(other);
}

TEST_F(DbTest, CloneCopiesWithoutDisturbingTheOriginal) {
  db.set_string("heap", std::string(5000, 'q'));
  set_object("obj", "original");
  set_with_ttl("emb", "short", 400);
  db.put("heap2", db.clone(db.lookup_peek("heap")));
  db.put("obj2", db.clone(db.lookup_peek("obj")));
  db.put("emb2", db.clone(db.lookup_peek("emb")));
  EXPECT_EQ(objects, 2);
  auto* a = static_cast<CountedObject*>(db.view(db.lookup_peek("obj")).object());
  auto* b = static_cast<CountedObject*>(db.view(db.lookup_peek("obj2")).object());
  EXPECT_NE(a, b);
  b->payload = "changed";
  EXPECT_EQ(a->payload, "original");
  EXPECT_NE(db.view(db.lookup_peek("heap")).heap_string(),
            db.view(db.lookup_peek("heap2")).heap_string());
  EXPECT_EQ(value_of("heap2"), std::string(5000, 'q'));
  EXPECT_EQ(value_of("emb2"), "short");
  EXPECT_EQ(db.expire_time(db.lookup_peek("emb2")), kStart + 400);
  expect_consistent();
}

TEST_F(DbTest, ADroppedDetachedValueFreesItsPointer) {
  set_object("obj", "x");
  db.set_string("heap", std::string(5000, 'q'));
  {
    DetachedValue v;
    ASSERT_TRUE(db.take("obj", &v));
    DetachedValue clone = db.clone(db.lookup_peek("heap"));
    EXPECT_EQ(objects, 1);
  }
  EXPECT_EQ(objects, 0);
}

// --- freeing, swapping, clearing ----------------------------------------------------------------

TEST_F(DbTest, ValuesAreFreedOnOverwriteEraseAndExpiry) {
  set_object("a", "1");
  set_object("b", "2");
  set_object("c", "3");
  EXPECT_EQ(objects, 3);
  db.set_string("a", "now a string");
  EXPECT_EQ(objects, 2);
  db.erase("b");
  EXPECT_EQ(objects, 1);
  db.set_expire(db.lookup_peek("c"), kStart + 10);
  advance_ms(10);
  EXPECT_EQ(db.active_expire(10), 1u);
  EXPECT_EQ(objects, 0);
}

TEST_F(DbTest, ArenaAccountingReturnsToZeroAfterAMixedWorkload) {
  for (int i = 0; i < 300; ++i) {
    std::string key = numbered("k", i);
    db.set_string(key, std::string(static_cast<size_t>(i % 50), 'v'));
    if (i % 3 == 0) db.set_expire(db.lookup_peek(key), kStart + i);
    if (i % 5 == 0) db.set_string(key, numbered("", i), true);
    if (i % 7 == 0) db.persist(db.lookup_peek(key));
  }
  expect_consistent();
  advance_ms(150);
  db.active_expire(1000);
  expect_consistent();
  for (int i = 0; i < 300; ++i) db.erase(numbered("k", i));
  EXPECT_EQ(db.size(), 0u);
  EXPECT_EQ(db.expires(), 0u);
  EXPECT_EQ(ks.arena().used_bytes(), 0u);
}

TEST_F(DbTest, SwapContentsExchangesKeysDeadlinesAndRecency) {
  Db& other = ks.db(1);
  db.set_string("zero", "0");
  set_with_ttl("zero-ttl", "0", 100);
  other.set_string("one", "1");
  other.set_expire(other.set_string("one-ttl", "1"), kStart + 50);
  ks.swap_db(0, 1);
  EXPECT_EQ(value_of("one"), "1");
  EXPECT_EQ(value_of("zero", other), "0");
  EXPECT_EQ(value_of("zero"), "(nil)");
  expect_consistent();
  expect_consistent(other);
  advance_ms(100);
  EXPECT_EQ(db.active_expire(10), 1u);
  EXPECT_EQ(other.active_expire(10), 1u);
  // Expiry reports the database the key lives in now.
  EXPECT_EQ(expired, (std::vector<std::pair<int, std::string>>{{0, "one-ttl"}, {1, "zero-ttl"}}));
}

TEST_F(DbTest, ClearFreesEverything) {
  for (int i = 0; i < 100; ++i) db.set_string(numbered("k", i), "v");
  set_object("obj", "x");
  set_with_ttl("t", "v", 100);
  db.set_string("heap", std::string(9000, 'h'));
  db.clear();
  EXPECT_EQ(db.size(), 0u);
  EXPECT_EQ(db.expires(), 0u);
  EXPECT_EQ(db.lru().size(), 0u);
  EXPECT_EQ(objects, 0);
  EXPECT_EQ(ks.arena().used_bytes(), 0u);
  db.set_string("after", "v");
  EXPECT_EQ(value_of("after"), "v");
  expect_consistent();
}

TEST_F(DbTest, AKeyLargerThanASmallBlockStillWorks) {
  std::string key(5000, 'k');
  db.set_string(key, "v");
  EntryIndex e = db.set_expire(db.lookup_peek(key), kStart + 10);
  ASSERT_NE(e, kNoEntry);
  EXPECT_EQ(db.view(e).key(), key);
  db.persist(e);
  EXPECT_EQ(value_of(key), "v");
  expect_consistent();
  EXPECT_TRUE(db.erase(key));
  EXPECT_EQ(ks.arena().used_bytes(), 0u);
}

TEST_F(DbTest, TotalKeysCountsEveryDatabase) {
  db.set_string("a", "1");
  ks.db(1).set_string("b", "1");
  ks.db(3).set_string("c", "1");
  EXPECT_EQ(ks.total_keys(), 3u);
}

}  // namespace
}  // namespace stashd::testing

// --- eviction support: sample, evict, lazy erase, W-TinyLFU segments ----------------------------

namespace stashd::testing {
namespace {

// A collection that is expensive to free (so UNLINK hands it to the background freer). The live
// count is atomic because the freer thread destroys it.
class HeavyObject final : public ValueObject {
 public:
  HeavyObject(std::atomic<int>* live, size_t effort) : live_(live), effort_(effort) { ++*live_; }
  ~HeavyObject() override { --*live_; }
  const char* encoding_name() const override { return "heavy"; }
  size_t memory_usage() const override { return sizeof(*this); }
  std::unique_ptr<ValueObject> clone() const override {
    return std::make_unique<HeavyObject>(live_, effort_);
  }
  size_t free_effort() const override { return effort_; }

 private:
  std::atomic<int>* live_;
  size_t effort_;
};

// The recency lists together hold exactly the dictionary's entries, each on the list its segment
// bits name (expect_consistent above checks only kProbation, the whole order outside W-TinyLFU).
void expect_segments_consistent(const Db& d) {
  std::set<EntryIndex> in_dict;
  uint64_t cursor = 0;
  do {
    cursor = d.scan(cursor, [&](EntryIndex e) { in_dict.insert(e); });
  } while (cursor != 0);
  std::set<EntryIndex> in_lists;
  size_t total = 0;
  for (int s = 0; s < Db::kSegments; ++s) {
    size_t walked = 0;
    for (EntryIndex e = d.list(s).head(); e != kNoEntry; e = d.list(s).next(e), ++walked) {
      EXPECT_EQ(d.view(e).segment(), s);
      in_lists.insert(e);
    }
    EXPECT_EQ(walked, d.list(s).size());
    total += d.list(s).size();
  }
  EXPECT_EQ(total, d.size());
  EXPECT_EQ(in_lists, in_dict);
}

TEST_F(DbTest, SampleReturnsLiveEntriesAndVolatileOnlyReturnsKeysWithATtl) {
  for (int i = 0; i < 50; ++i) db.set_string(numbered("plain", i), "v");
  for (int i = 0; i < 5; ++i) set_with_ttl(numbered("ttl", i), "v", 1000);
  EntryIndex out[20];
  for (int round = 0; round < 20; ++round) {
    size_t got = db.sample(20, /*volatile_only=*/true, out);
    EXPECT_GT(got, 0u);
    EXPECT_LE(got, 20u);
    for (size_t i = 0; i < got; ++i) {
      EXPECT_TRUE(db.view(out[i]).has_ttl());
      EXPECT_EQ(db.lookup_peek(db.view(out[i]).key()), out[i]);
    }
    got = db.sample(20, /*volatile_only=*/false, out);
    EXPECT_GT(got, 0u);
    EXPECT_LE(got, 20u);
    for (size_t i = 0; i < got; ++i) EXPECT_EQ(db.lookup_peek(db.view(out[i]).key()), out[i]);
  }
  Db& empty = ks.db(3);
  EXPECT_EQ(empty.sample(5, true, out), 0u);
  EXPECT_EQ(empty.sample(5, false, out), 0u);
}

TEST_F(DbTest, EvictNotifiesTheListenerCountsAndRemovesTheKey) {
  std::vector<std::pair<int, std::string>> evicted;
  ks.set_evict_listener([&](int id, std::string_view key) {
    evicted.emplace_back(id, std::string(key));
    EXPECT_NE(ks.db(id).lookup_peek(key), kNoEntry);  // still there while reported
  });
  Db& other = ks.db(2);
  set_with_ttl("a", "v", 1000);
  other.set_string("b", "v");
  db.evict(db.lookup_peek("a"));
  other.evict(other.lookup_peek("b"));
  EXPECT_EQ(evicted, (std::vector<std::pair<int, std::string>>{{0, "a"}, {2, "b"}}));
  EXPECT_EQ(ks.stats().evicted_keys, 2u);
  EXPECT_EQ(ks.stats().expired_keys, 0u);
  EXPECT_EQ(db.lookup_peek("a"), kNoEntry);
  EXPECT_EQ(db.expires(), 0u);
  expect_consistent();
  expect_consistent(other);
}

TEST_F(DbTest, LazyEraseOfABigValueFreesItInTheBackground) {
  std::atomic<int> live{0};
  db.set_object("big", ValueType::kHash, std::make_unique<HeavyObject>(&live, 1000));
  ASSERT_EQ(live.load(), 1);
  EXPECT_TRUE(db.erase("big", /*lazy=*/true));
  EXPECT_EQ(db.lookup_peek("big"), kNoEntry);
  ks.lazy_free().drain();
  EXPECT_EQ(live.load(), 0);
  EXPECT_EQ(ks.lazy_free().pending(), 0u);
  EXPECT_EQ(ks.lazy_free().freed(), 1u);
  expect_consistent();
}

TEST_F(DbTest, LazyEraseFreesSmallValuesInline) {
  std::atomic<int> live{0};
  db.set_object("small", ValueType::kHash,
                std::make_unique<HeavyObject>(&live, LazyFreer::kEffortThreshold));
  db.set_object("big", ValueType::kHash, std::make_unique<HeavyObject>(&live, 1000));
  EXPECT_TRUE(db.erase("small", /*lazy=*/true));
  EXPECT_EQ(live.load(), 1);  // at the threshold: not worth a queue
  EXPECT_TRUE(db.erase("big", /*lazy=*/false));
  EXPECT_EQ(live.load(), 0);  // not lazy: freed right here
  ks.lazy_free().drain();
  EXPECT_EQ(ks.lazy_free().freed(), 0u);
}

TEST_F(DbTest, SwitchingToWTinyLfuAndBackKeepsEveryListConsistent) {
  for (int i = 0; i < 100; ++i) db.set_string(numbered("before", i), "v");
  EvictionSettings s;
  s.policy = EvictionPolicy::kAllKeysWTinyLfu;
  s.maxmemory = 1 << 30;
  ks.set_eviction(s);
  for (int i = 0; i < 300; ++i) {
    std::string key = numbered("k", i);
    db.set_string(key, "v");
    if (i % 7 == 0) db.set_expire(db.lookup_peek(key), kStart + 60'000 + i);
    if (i % 3 == 0) db.lookup_read(numbered("k", i / 2));
    if (i % 11 == 0) db.lookup_read(numbered("before", i % 100));
  }
  // Near the limit: window overflow now queues for admission.
  s.maxmemory = ks.arena().used_bytes();
  ks.set_eviction(s);
  for (int i = 0; i < 20; ++i) db.set_string(numbered("late", i), "v");
  for (int seg : {Db::kProbation, Db::kWindow, Db::kProtected, Db::kCandidate}) {
    EXPECT_GT(db.list(seg).size(), 0u) << "segment " << seg;
  }
  expect_segments_consistent(db);

  s.policy = EvictionPolicy::kAllKeysLru;
  s.maxmemory = 0;
  ks.set_eviction(s);
  for (int i = 0; i < 50; ++i) {
    db.lookup_read(numbered("late", i % 20));
    db.lookup_write(numbered("k", i));
    db.set_string(numbered("after", i), "v");
    db.erase(numbered("k", 100 + i));
    EntryIndex e = db.lookup_peek(numbered("k", 200 + i));
    if (e == kNoEntry) continue;
    if (db.view(e).has_ttl()) {
      db.persist(e);
    } else {
      db.set_expire(e, kStart + 1);
    }
  }
  advance_ms(60'000 + 300);
  db.active_expire(1000);
  expect_segments_consistent(db);
  EXPECT_EQ(db.list(Db::kProbation).head(), db.lookup_peek("after49"));  // new keys: probation
}

}  // namespace
}  // namespace stashd::testing
