// Tests the sorted set's Skiplist (order, spans/ranks, range searches, range deletion) and its
// MemberIndex (lookups across rehashes, the SCAN guarantee), against simple sorted models.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "stashd/types/zset.h"

namespace stashd {
namespace {

// Appended piecewise: GCC 12 warns (-Wrestrict, a false positive) on "m" + std::to_string(i).
std::string numbered(std::string_view prefix, int i) {
  std::string s(prefix);
  s += std::to_string(i);
  return s;
}

using Pair = std::pair<double, std::string>;

std::vector<Pair> contents(const Skiplist& list) {
  std::vector<Pair> out;
  for (const Skiplist::Node* n = list.first(); n != nullptr; n = n->next()) {
    out.emplace_back(n->score, std::string(n->member()));
  }
  return out;
}

// Checks order both ways and that every node's rank and at_rank agree with the model.
void expect_matches(const Skiplist& list, const std::set<Pair>& model) {
  std::vector<Pair> expected(model.begin(), model.end());
  ASSERT_EQ(contents(list), expected);
  ASSERT_EQ(list.size(), model.size());
  size_t rank = 1;
  for (const Pair& p : expected) {
    ASSERT_EQ(list.rank_of(p.first, p.second), rank);
    const Skiplist::Node* n = list.at_rank(rank);
    ASSERT_NE(n, nullptr);
    ASSERT_EQ(n->member(), p.second);
    ++rank;
  }
  std::vector<Pair> backward;
  for (const Skiplist::Node* n = list.last(); n != nullptr; n = n->prev()) {
    backward.emplace_back(n->score, std::string(n->member()));
  }
  std::reverse(backward.begin(), backward.end());
  ASSERT_EQ(backward, expected);
}

TEST(Skiplist, OrdersByScoreThenMemberBytes) {
  Skiplist list;
  list.insert(2, "a");
  list.insert(1, "b");
  list.insert(1, "a");
  list.insert(1, "\xff");
  list.insert(-1, "z");
  expect_matches(list, {{-1, "z"}, {1, "a"}, {1, "b"}, {1, "\xff"}, {2, "a"}});
}

TEST(Skiplist, RanksStayExactThroughRandomInsertsUpdatesAndErases) {
  std::mt19937 rng(7);
  Skiplist list;
  std::set<Pair> model;
  std::vector<Skiplist::Node*> nodes;
  for (int step = 0; step < 3000; ++step) {
    const int op = static_cast<int>(rng() % 3);
    if (op == 0 || nodes.empty()) {
      std::string member = numbered("m", step);
      double score = static_cast<double>(rng() % 50);
      nodes.push_back(list.insert(score, member));
      model.emplace(score, member);
    } else if (op == 1) {
      Skiplist::Node* n = nodes[rng() % nodes.size()];
      model.erase({n->score, std::string(n->member())});
      double score = static_cast<double>(rng() % 50);
      list.update_score(n, score);
      model.emplace(score, std::string(n->member()));
    } else {
      const size_t i = rng() % nodes.size();
      model.erase({nodes[i]->score, std::string(nodes[i]->member())});
      list.erase(nodes[i]);
      nodes.erase(nodes.begin() + static_cast<std::ptrdiff_t>(i));
    }
    if (step % 250 == 0) expect_matches(list, model);
  }
  expect_matches(list, model);
}

TEST(Skiplist, RankOfAbsentMemberIsZero) {
  Skiplist list;
  list.insert(1, "a");
  EXPECT_EQ(list.rank_of(1, "b"), 0u);
  EXPECT_EQ(list.rank_of(2, "a"), 0u);
  EXPECT_EQ(list.at_rank(0), nullptr);
  EXPECT_EQ(list.at_rank(2), nullptr);
}

TEST(Skiplist, ScoreRangeSearchesHonourExclusiveBounds) {
  Skiplist list;
  for (int i = 1; i <= 5; ++i) list.insert(i, numbered("m", i));
  auto range = [](const char* min, const char* max) { return *ScoreRange::parse(min, max); };
  EXPECT_EQ(list.first_in(range("2", "4"))->member(), "m2");
  EXPECT_EQ(list.last_in(range("2", "4"))->member(), "m4");
  EXPECT_EQ(list.first_in(range("(2", "(4"))->member(), "m3");
  EXPECT_EQ(list.last_in(range("(2", "(4"))->member(), "m3");
  EXPECT_EQ(list.first_in(range("(2", "(3")), nullptr);
  EXPECT_EQ(list.first_in(range("6", "+inf")), nullptr);
  EXPECT_EQ(list.last_in(range("-inf", "(1")), nullptr);
  EXPECT_EQ(list.first_in(range("-inf", "+inf"))->member(), "m1");
  EXPECT_EQ(list.first_in(range("3", "3"))->member(), "m3");
  EXPECT_EQ(list.first_in(range("(3", "3")), nullptr);
}

TEST(Skiplist, LexRangeSearchesHonourExclusiveBoundsAndInfinities) {
  Skiplist list;
  for (const char* m : {"a", "b", "c", "d"}) list.insert(0, m);
  auto range = [](const char* min, const char* max) { return *LexRange::parse(min, max); };
  EXPECT_EQ(list.first_in(range("[b", "[c"))->member(), "b");
  EXPECT_EQ(list.last_in(range("[b", "[c"))->member(), "c");
  EXPECT_EQ(list.first_in(range("(b", "+"))->member(), "c");
  EXPECT_EQ(list.last_in(range("-", "(c"))->member(), "b");
  EXPECT_EQ(list.first_in(range("(b", "(c")), nullptr);
  EXPECT_EQ(list.first_in(range("+", "-")), nullptr);
  EXPECT_EQ(list.first_in(range("[e", "+")), nullptr);
}

TEST(Skiplist, EraseRanksRemovesTheInclusiveRangeAndReportsEachNode) {
  Skiplist list;
  std::set<Pair> model;
  for (int i = 0; i < 100; ++i) {
    list.insert(i, numbered("m", i));
    model.emplace(i, numbered("m", i));
  }
  std::vector<std::string> removed;
  EXPECT_EQ(list.erase_ranks(10, 19, [&](Skiplist::Node* n) { removed.emplace_back(n->member()); }),
            10u);
  ASSERT_EQ(removed.size(), 10u);
  EXPECT_EQ(removed.front(), "m9");
  EXPECT_EQ(removed.back(), "m18");
  for (int i = 9; i <= 18; ++i) model.erase({i, numbered("m", i)});
  expect_matches(list, model);
}

TEST(Skiplist, EraseInScoreAndLexRangesKeepsTheRestRanked) {
  Skiplist list;
  std::set<Pair> model;
  for (int i = 0; i < 50; ++i) {
    list.insert(i % 10, numbered("m", i));
    model.emplace(i % 10, numbered("m", i));
  }
  auto none = [](Skiplist::Node*) {};
  EXPECT_EQ(list.erase_in(*ScoreRange::parse("(2", "4"), none), 10u);
  std::erase_if(model, [](const Pair& p) { return p.first > 2 && p.first <= 4; });
  expect_matches(list, model);

  Skiplist same;
  std::set<Pair> same_model;
  for (const char* m : {"a", "b", "c", "d", "e"}) {
    same.insert(1, m);
    same_model.emplace(1, m);
  }
  EXPECT_EQ(same.erase_in(*LexRange::parse("(a", "[c"), none), 2u);
  same_model.erase({1, "b"});
  same_model.erase({1, "c"});
  expect_matches(same, same_model);
}

TEST(MemberIndex, FindsMembersWhileGrowingAndShrinking) {
  Skiplist list;
  MemberIndex index;
  std::vector<Skiplist::Node*> nodes;
  for (int i = 0; i < 1000; ++i) {
    nodes.push_back(list.insert(i, numbered("m", i)));
    index.insert(nodes.back());
  }
  EXPECT_EQ(index.size(), 1000u);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(index.find(numbered("m", i)), nodes[i]);
  EXPECT_EQ(index.find("absent"), nullptr);
  for (int i = 0; i < 990; ++i) index.erase(nodes[i]);
  for (int i = 990; i < 1000; ++i) ASSERT_EQ(index.find(numbered("m", i)), nodes[i]);
  EXPECT_EQ(index.find("m5"), nullptr);
  EXPECT_LT(index.bucket_count(), 1024u);
}

TEST(MemberIndex, ScanReturnsEveryLongLivedMemberAcrossResizes) {
  Skiplist list;
  MemberIndex index;
  std::set<std::string> stable;
  for (int i = 0; i < 200; ++i) {
    std::string m = numbered("stable", i);
    index.insert(list.insert(0, m));
    stable.insert(m);
  }
  std::set<std::string> seen;
  std::vector<Skiplist::Node*> churn;
  uint64_t cursor = 0;
  int calls = 0;
  do {
    cursor = index.scan(cursor, [&](const Skiplist::Node* n) { seen.emplace(n->member()); });
    // Grow the table during the first half of the iteration, shrink it during the second.
    if (calls < 30) {
      for (int j = 0; j < 40; ++j) {
        churn.push_back(list.insert(1, numbered("churn", calls * 40 + j)));
        index.insert(churn.back());
      }
    } else {
      for (int j = 0; j < 40 && !churn.empty(); ++j) {
        index.erase(churn.back());
        list.erase(churn.back());
        churn.pop_back();
      }
    }
    ++calls;
  } while (cursor != 0 && calls < 100000);
  EXPECT_EQ(cursor, 0u);
  for (const std::string& m : stable) EXPECT_TRUE(seen.count(m)) << m;
}

}  // namespace
}  // namespace stashd
