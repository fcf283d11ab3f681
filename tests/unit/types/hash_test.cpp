// Tests StringTable (lookups, growth and shrinking, backward-shift deletion, the scan guarantee
// across resizes, uniform random slots) and HashValue (listpack to table conversion at both limits,
// never back, iteration, random picks, clones). Thread: the test's.
#include "stashd/types/hash.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace stashd {
namespace {

std::string key(int i) { return "key:" + std::to_string(i); }

std::map<std::string, std::string> contents(const HashValue& h) {
  std::map<std::string, std::string> out;
  char fb[24];
  char vb[24];
  for (size_t p = h.first(); p != HashValue::kEnd; p = h.next(p)) {
    out.emplace(h.field_at(p, fb), h.value_at(p, vb));
  }
  return out;
}

TEST(StringTable, FindsWhatWasPutAndForgetsWhatWasErased) {
  StringTable t(/*with_values=*/true);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(t.put(key(i), "v" + std::to_string(i)));
  EXPECT_EQ(t.size(), 1000u);
  for (int i = 0; i < 1000; i += 2) EXPECT_TRUE(t.erase(key(i)));
  EXPECT_FALSE(t.erase(key(0)));
  for (int i = 0; i < 1000; ++i) {
    size_t slot = t.find(key(i));
    if (i % 2 == 0) {
      EXPECT_EQ(slot, StringTable::kEnd);
    } else {
      ASSERT_NE(slot, StringTable::kEnd);
      EXPECT_EQ(t.value_at(slot), "v" + std::to_string(i));
    }
  }
}

TEST(StringTable, PutReplacesTheValueOfAnExistingKey) {
  StringTable t(/*with_values=*/true);
  EXPECT_TRUE(t.put("f", "1"));
  EXPECT_FALSE(t.put("f", std::string(100, 'x')));
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(t.value_at(t.find("f")), std::string(100, 'x'));
}

TEST(StringTable, ShrinksWhenSparseAndStaysConsistent) {
  StringTable t(/*with_values=*/false);
  for (int i = 0; i < 4096; ++i) t.put(key(i));
  size_t big = t.capacity();
  for (int i = 0; i < 4090; ++i) t.erase(key(i));
  EXPECT_LT(t.capacity(), big / 64);
  for (int i = 4090; i < 4096; ++i) EXPECT_NE(t.find(key(i)), StringTable::kEnd);
  EXPECT_EQ(t.find(key(1)), StringTable::kEnd);
}

TEST(StringTable, CopiesAreIndependent) {
  StringTable t(/*with_values=*/true);
  t.put("a", "1");
  StringTable copy(t);
  t.put("a", "2");
  t.put("b", "3");
  EXPECT_EQ(copy.size(), 1u);
  EXPECT_EQ(copy.value_at(copy.find("a")), "1");
}

TEST(StringTable, CountsMemoryForEntries) {
  StringTable t(/*with_values=*/true);
  size_t empty = t.memory_usage();
  for (int i = 0; i < 100; ++i) t.put(key(i), std::string(50, 'v'));
  EXPECT_GT(t.memory_usage(), empty + 100 * 50);
}

std::set<std::string> scan_all(const StringTable& t, const std::function<void(int)>& between) {
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int step = 0;
  do {
    cursor = t.scan(cursor, [&](size_t slot) { seen.emplace(t.key_at(slot)); });
    between(step++);
  } while (cursor != 0);
  return seen;
}

TEST(StringTable, ScanReturnsEveryStableKeyWhileTheTableGrows) {
  StringTable t(/*with_values=*/false);
  for (int i = 0; i < 100; ++i) t.put(key(i));
  int next = 100;
  // Growth stops after a while: a table that grows forever is never fully scanned.
  auto seen = scan_all(t, [&](int step) {
    for (int j = 0; j < 20 && step < 40; ++j) t.put(key(next++));
  });
  EXPECT_GT(t.capacity(), 512u);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(seen.count(key(i))) << key(i);
}

TEST(StringTable, ScanReturnsEveryStableKeyWhileTheTableShrinks) {
  StringTable t(/*with_values=*/false);
  for (int i = 0; i < 2000; ++i) t.put(key(i));
  int next = 100;
  auto seen = scan_all(t, [&](int) {
    for (int j = 0; j < 40 && next < 2000; ++j) t.erase(key(next++));
  });
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(seen.count(key(i))) << key(i);
}

TEST(StringTable, ScanOfAStableTableReturnsEachKeyOnce) {
  StringTable t(/*with_values=*/false);
  for (int i = 0; i < 777; ++i) t.put(key(i));
  size_t calls = 0;
  uint64_t cursor = 0;
  do {
    cursor = t.scan(cursor, [&](size_t) { ++calls; });
  } while (cursor != 0);
  EXPECT_EQ(calls, 777u);
}

TEST(StringTable, RandomSlotsAreUniform) {
  StringTable t(/*with_values=*/false);
  for (int i = 0; i < 20; ++i) t.put(key(i));
  std::mt19937_64 rng(7);
  std::map<std::string, int> hits;
  const int kPicks = 200000;
  for (int i = 0; i < kPicks; ++i) ++hits[std::string(t.key_at(t.random_slot(rng)))];
  ASSERT_EQ(hits.size(), 20u);
  for (const auto& [k, n] : hits) EXPECT_NEAR(n, kPicks / 20, kPicks / 20 / 10) << k;
}

TEST(HashValue, StaysAListpackUpToTheEntryLimit) {
  HashValue h;
  HashLimits limits{4, 64};
  for (int i = 0; i < 4; ++i) h.set(key(i), "v", limits);
  EXPECT_STREQ(h.encoding_name(), "listpack");
  h.set(key(4), "v", limits);
  EXPECT_STREQ(h.encoding_name(), "hashtable");
  EXPECT_EQ(h.size(), 5u);
  EXPECT_EQ(contents(h).size(), 5u);
}

TEST(HashValue, ConvertsForALongFieldOrValue) {
  HashLimits limits{128, 8};
  HashValue by_value;
  by_value.set("f", std::string(8, 'v'), limits);
  EXPECT_STREQ(by_value.encoding_name(), "listpack");
  by_value.set("g", std::string(9, 'v'), limits);
  EXPECT_STREQ(by_value.encoding_name(), "hashtable");

  HashValue by_field;
  by_field.set(std::string(9, 'f'), "v", limits);
  EXPECT_STREQ(by_field.encoding_name(), "hashtable");
  char buf[24];
  EXPECT_EQ(by_field.get(std::string(9, 'f'), buf), "v");
}

TEST(HashValue, NeverConvertsBack) {
  HashValue h;
  HashLimits limits{2, 64};
  for (int i = 0; i < 3; ++i) h.set(key(i), "v", limits);
  h.erase(key(0));
  h.erase(key(1));
  EXPECT_STREQ(h.encoding_name(), "hashtable");
}

TEST(HashValue, KeepsContentsAcrossConversion) {
  HashValue h;
  HashLimits limits{10, 64};
  std::map<std::string, std::string> model;
  for (int i = 0; i < 30; ++i) {
    std::string v = i % 2 ? std::to_string(i * 1000) : "text" + std::to_string(i);
    h.set(key(i), v, limits);
    model[key(i)] = v;
  }
  EXPECT_EQ(contents(h), model);
}

TEST(HashValue, GetsSetsAndErasesInBothEncodings) {
  for (size_t entries : {128u, 0u}) {
    HashValue h;
    HashLimits limits{entries, 64};
    EXPECT_TRUE(h.set("n", "12", limits));
    EXPECT_FALSE(h.set("n", "-7", limits));
    char buf[24];
    EXPECT_EQ(h.get("n", buf), "-7");
    EXPECT_EQ(h.get("missing", buf), std::nullopt);
    EXPECT_TRUE(h.contains("n"));
    EXPECT_TRUE(h.erase("n"));
    EXPECT_FALSE(h.erase("n"));
    EXPECT_EQ(h.size(), 0u);
  }
}

TEST(HashValue, ListpackFieldsThatLookLikeValuesAreNotConfused) {
  HashValue h;
  HashLimits limits;
  h.set("a", "b", limits);
  h.set("b", "c", limits);
  char buf[24];
  EXPECT_EQ(h.get("b", buf), "c");
  EXPECT_EQ(h.get("c", buf), std::nullopt);
}

TEST(HashValue, ClonesAreIndependent) {
  for (size_t entries : {128u, 0u}) {
    HashValue h;
    h.set("f", "1", {entries, 64});
    auto copy = h.clone();
    h.set("f", "2", {entries, 64});
    char buf[24];
    EXPECT_EQ(static_cast<HashValue&>(*copy).get("f", buf), "1");
    EXPECT_STREQ(copy->encoding_name(), h.encoding_name());
  }
}

TEST(HashValue, PickerIsUniformInBothEncodings) {
  for (size_t entries : {128u, 0u}) {
    HashValue h;
    for (int i = 0; i < 10; ++i) h.set(key(i), "v", {entries, 64});
    HashValue::Picker picker(h);
    std::mt19937_64 rng(3);
    std::map<std::string, int> hits;
    char buf[24];
    for (int i = 0; i < 100000; ++i) ++hits[std::string(h.field_at(picker.pick(rng), buf))];
    ASSERT_EQ(hits.size(), 10u);
    for (const auto& [k, n] : hits) EXPECT_NEAR(n, 10000, 1000) << k;
  }
}

TEST(HashValue, MemoryUsageGrowsWithContents) {
  HashValue h;
  size_t empty = h.memory_usage();
  for (int i = 0; i < 200; ++i) h.set(key(i), std::string(20, 'v'), {});
  EXPECT_GT(h.memory_usage(), empty + 200 * 20);
}

}  // namespace
}  // namespace stashd
