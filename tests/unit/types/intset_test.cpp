// Tests IntSet: sorted order, membership, width upgrades (16 -> 32 -> 64 bits) in both directions,
// erase and retain. Thread: the test's.
#include "stashd/types/intset.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <set>
#include <vector>

namespace stashd {
namespace {

std::vector<int64_t> members(const IntSet& s) {
  std::vector<int64_t> out;
  for (size_t i = 0; i < s.size(); ++i) out.push_back(s.at(i));
  return out;
}

TEST(IntSet, KeepsMembersSortedAndUnique) {
  IntSet s;
  EXPECT_TRUE(s.insert(5));
  EXPECT_TRUE(s.insert(-3));
  EXPECT_TRUE(s.insert(12));
  EXPECT_FALSE(s.insert(5));
  EXPECT_EQ(members(s), (std::vector<int64_t>{-3, 5, 12}));
  EXPECT_TRUE(s.contains(12));
  EXPECT_FALSE(s.contains(6));
}

TEST(IntSet, StartsWithTwoByteMembers) {
  IntSet s;
  s.insert(32767);
  s.insert(-32768);
  EXPECT_EQ(s.width(), 2u);
  EXPECT_EQ(members(s), (std::vector<int64_t>{-32768, 32767}));
}

TEST(IntSet, WidensToFourBytesForALargePositiveMember) {
  IntSet s;
  s.insert(1);
  s.insert(-2);
  s.insert(70000);
  EXPECT_EQ(s.width(), 4u);
  EXPECT_EQ(members(s), (std::vector<int64_t>{-2, 1, 70000}));
}

TEST(IntSet, WidensToEightBytesForALargeNegativeMember) {
  IntSet s;
  s.insert(1);
  s.insert(70000);
  s.insert(std::numeric_limits<int64_t>::min());
  EXPECT_EQ(s.width(), 8u);
  EXPECT_EQ(members(s), (std::vector<int64_t>{std::numeric_limits<int64_t>::min(), 1, 70000}));
  EXPECT_TRUE(s.contains(70000));
  EXPECT_TRUE(s.contains(std::numeric_limits<int64_t>::min()));
}

TEST(IntSet, NeverNarrowsAfterTheWideMemberLeaves) {
  IntSet s;
  s.insert(1);
  s.insert(5'000'000'000);
  ASSERT_EQ(s.width(), 8u);
  EXPECT_TRUE(s.erase(5'000'000'000));
  EXPECT_EQ(s.width(), 8u);
  EXPECT_EQ(members(s), (std::vector<int64_t>{1}));
}

TEST(IntSet, AnswersNoForValuesWiderThanItsMembers) {
  IntSet s;
  s.insert(7);
  EXPECT_FALSE(s.contains(5'000'000'000));
  EXPECT_FALSE(s.erase(5'000'000'000));
  EXPECT_EQ(s.size(), 1u);
}

TEST(IntSet, ErasesByValueAndByIndex) {
  IntSet s;
  for (int64_t v : {1, 2, 3, 4}) s.insert(v);
  EXPECT_TRUE(s.erase(2));
  EXPECT_FALSE(s.erase(2));
  s.erase_at(0);
  EXPECT_EQ(members(s), (std::vector<int64_t>{3, 4}));
}

TEST(IntSet, RetainKeepsTheAcceptedIndexes) {
  IntSet s;
  for (int64_t v = 0; v < 10; ++v) s.insert(v * 100000);
  s.retain([](size_t i) { return i % 3 == 0; });
  EXPECT_EQ(members(s), (std::vector<int64_t>{0, 300000, 600000, 900000}));
}

TEST(IntSet, MatchesAStdSetUnderRandomOperations) {
  std::mt19937_64 rng(42);
  IntSet s;
  std::set<int64_t> model;
  const int64_t ranges[] = {100, 100000, 10'000'000'000};
  for (int i = 0; i < 5000; ++i) {
    int64_t range = ranges[rng() % 3];
    int64_t v = static_cast<int64_t>(rng() % (2 * range)) - range;
    if (rng() % 3 == 0) {
      EXPECT_EQ(s.erase(v), model.erase(v) == 1);
    } else {
      EXPECT_EQ(s.insert(v), model.insert(v).second);
    }
  }
  EXPECT_EQ(members(s), std::vector<int64_t>(model.begin(), model.end()));
}

TEST(IntSet, WidthForPicksTheNarrowestThatFits) {
  EXPECT_EQ(IntSet::width_for(0), 2u);
  EXPECT_EQ(IntSet::width_for(-32769), 4u);
  EXPECT_EQ(IntSet::width_for(2147483647), 4u);
  EXPECT_EQ(IntSet::width_for(2147483648), 8u);
}

}  // namespace
}  // namespace stashd
