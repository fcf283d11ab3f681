// Owns: tests of src/keyspace/eviction_pool.cpp: the pool keeps the best kSize candidates sorted by
// score, ignores worse keys when full, updates a re-offered key in place and pops best first.
// Must not touch: other modules. Thread: the test's.
#include "stashd/keyspace/eviction_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "keyspace/test_entries.h"

namespace stashd::testing {
namespace {

std::vector<uint64_t> scores(const EvictionPool& pool) {
  std::vector<uint64_t> out;
  for (size_t i = 0; i < pool.size(); ++i) out.push_back(pool.at(i).score);
  return out;
}

// Fills the pool with keys "k<score>" for scores first, first + 1, ... (kSize of them).
void fill(EvictionPool& pool, uint64_t first) {
  for (uint64_t s = first; s < first + EvictionPool::kSize; ++s) {
    pool.offer(s, 0, numbered("k", static_cast<int64_t>(s)));
  }
}

TEST(EvictionPool, StartsEmpty) {
  EvictionPool pool;
  EvictionPool::Candidate c;
  EXPECT_TRUE(pool.empty());
  EXPECT_FALSE(pool.pop_best(&c));
}

TEST(EvictionPool, KeepsCandidatesSortedAscendingByScore) {
  EvictionPool pool;
  pool.offer(5, 0, "five");
  pool.offer(1, 0, "one");
  pool.offer(9, 2, "nine");
  pool.offer(3, 1, "three");
  EXPECT_EQ(scores(pool), (std::vector<uint64_t>{1, 3, 5, 9}));
  EXPECT_EQ(pool.at(0).key, "one");
  EXPECT_EQ(pool.at(3).key, "nine");
  EXPECT_EQ(pool.at(3).db, 2);
}

TEST(EvictionPool, KeepsOnlyTheBestSixteen) {
  EvictionPool pool;
  // Interleave low and high scores so both ends of the pool get exercised.
  for (uint64_t i = 0; i < 16; ++i) {
    pool.offer(i, 0, numbered("low", static_cast<int64_t>(i)));
    pool.offer(100 + i, 0, numbered("high", static_cast<int64_t>(i)));
  }
  ASSERT_EQ(pool.size(), EvictionPool::kSize);
  for (size_t i = 0; i < pool.size(); ++i) {
    EXPECT_EQ(pool.at(i).score, 100 + i);
    EXPECT_EQ(pool.at(i).key, numbered("high", static_cast<int64_t>(i)));
  }
}

TEST(EvictionPool, IgnoresAWorseOrEqualKeyWhenFull) {
  EvictionPool pool;
  fill(pool, 10);
  pool.offer(5, 0, "worse");
  pool.offer(10, 0, "tied with the worst");
  EXPECT_EQ(pool.size(), EvictionPool::kSize);
  EXPECT_EQ(pool.at(0).key, "k10");
  for (size_t i = 0; i < pool.size(); ++i) EXPECT_NE(pool.at(i).key, "worse");
}

TEST(EvictionPool, ABetterKeyPushesOutTheWorstWhenFull) {
  EvictionPool pool;
  fill(pool, 10);
  pool.offer(18, 0, "better");
  EXPECT_EQ(pool.size(), EvictionPool::kSize);
  EXPECT_EQ(pool.at(0).key, "k11");
  std::vector<uint64_t> s = scores(pool);
  EXPECT_TRUE(std::is_sorted(s.begin(), s.end()));
  EXPECT_EQ(std::count(s.begin(), s.end(), 18u), 2);
}

TEST(EvictionPool, ReofferingAPooledKeyUpdatesItsScoreInsteadOfDuplicating) {
  EvictionPool pool;
  pool.offer(5, 0, "a");
  pool.offer(7, 0, "b");
  pool.offer(9, 0, "a");
  ASSERT_EQ(pool.size(), 2u);
  EXPECT_EQ(pool.at(0).key, "b");
  EXPECT_EQ(pool.at(1).key, "a");
  EXPECT_EQ(pool.at(1).score, 9u);
  pool.offer(1, 0, "a");
  ASSERT_EQ(pool.size(), 2u);
  EXPECT_EQ(pool.at(0).key, "a");
  EXPECT_EQ(pool.at(0).score, 1u);
}

TEST(EvictionPool, ReofferingWhenFullKeepsEveryOtherCandidate) {
  EvictionPool pool;
  fill(pool, 10);
  pool.offer(2, 0, "k20");  // now the worst, but it was already pooled: nothing is dropped
  EXPECT_EQ(pool.size(), EvictionPool::kSize);
  EXPECT_EQ(pool.at(0).key, "k20");
  EXPECT_EQ(pool.at(1).key, "k10");
}

TEST(EvictionPool, TheSameKeyInAnotherDatabaseIsADifferentCandidate) {
  EvictionPool pool;
  pool.offer(5, 0, "a");
  pool.offer(6, 1, "a");
  EXPECT_EQ(pool.size(), 2u);
}

TEST(EvictionPool, PopBestReturnsTheHighestScoreFirst) {
  EvictionPool pool;
  pool.offer(4, 1, "four");
  pool.offer(8, 2, "eight");
  pool.offer(6, 3, "six");
  EvictionPool::Candidate c;
  ASSERT_TRUE(pool.pop_best(&c));
  EXPECT_EQ(c.key, "eight");
  EXPECT_EQ(c.db, 2);
  EXPECT_EQ(c.score, 8u);
  ASSERT_TRUE(pool.pop_best(&c));
  EXPECT_EQ(c.key, "six");
  ASSERT_TRUE(pool.pop_best(&c));
  EXPECT_EQ(c.key, "four");
  EXPECT_FALSE(pool.pop_best(&c));
  EXPECT_TRUE(pool.empty());
}

TEST(EvictionPool, ClearEmptiesThePool) {
  EvictionPool pool;
  fill(pool, 0);
  pool.clear();
  EXPECT_TRUE(pool.empty());
  pool.offer(3, 0, "again");
  EXPECT_EQ(pool.size(), 1u);
  EXPECT_EQ(pool.at(0).key, "again");
}

}  // namespace
}  // namespace stashd::testing
