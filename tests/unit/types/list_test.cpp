// Owns: tests of ListValue (src/types/list.cpp): node splitting and merging under each kind of
// list-max-listpack-size, both-end operations, positional edits at node boundaries, walks both
// ways, LPOS searches and the reported encoding. Must not touch: other types. Thread: the test's.
#include "stashd/types/list.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace stashd {
namespace {

using Strings = std::vector<std::string>;

Strings forward(const ListValue& list) {
  Strings out;
  char buf[24];
  for (ListValue::Cursor c = list.seek(0); c.valid(); c.next()) {
    out.emplace_back(c.value().as_string(buf));
  }
  return out;
}

Strings backward(const ListValue& list) {
  Strings out;
  char buf[24];
  for (ListValue::Cursor c = list.seek(-1); c.valid(); c.prev()) {
    out.emplace_back(c.value().as_string(buf));
  }
  return out;
}

Strings numbers(int from, int to) {
  Strings out;
  for (int i = from; i < to; ++i) out.push_back(std::to_string(i));
  return out;
}

std::unique_ptr<ListValue> filled(int64_t fill, const Strings& values) {
  auto list = std::make_unique<ListValue>(fill);
  for (const std::string& v : values) list->push_back(v);
  return list;
}

// Checks links, counts and limits, and that both walks agree with `expected`.
void expect_contents(const ListValue& list, const Strings& expected) {
  ASSERT_TRUE(list.check_integrity());
  EXPECT_EQ(list.size(), expected.size());
  EXPECT_EQ(forward(list), expected);
  EXPECT_EQ(backward(list), Strings(expected.rbegin(), expected.rend()));
}

std::string value_at(const ListValue& list, int64_t index) {
  char buf[24];
  ListValue::Cursor c = list.seek(index);
  return c.valid() ? std::string(c.value().as_string(buf)) : "(none)";
}

// --- Both ends ----------------------------------------------------------------------------------

TEST(ListValue, PushesAndPopsAtBothEnds) {
  ListValue list(3);
  list.push_back("b");
  list.push_front("a");
  list.push_back("c");
  list.push_back("d");
  list.push_front("0");
  expect_contents(list, {"0", "a", "b", "c", "d"});
  char buf[24];
  EXPECT_EQ(list.front().as_string(buf), "0");
  list.pop_front();
  EXPECT_EQ(list.back().as_string(buf), "d");
  list.pop_back();
  expect_contents(list, {"a", "b", "c"});
  list.pop_back();
  list.pop_back();
  list.pop_back();
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(list.node_count(), 0u);
  expect_contents(list, {});
}

TEST(ListValue, KeepsIntegersAndTheirSpellingApart) {
  ListValue list;
  for (auto v : {"1", "01", "-0", "9223372036854775807", "-9223372036854775808", "1.5"}) {
    list.push_back(v);
  }
  expect_contents(list, {"1", "01", "-0", "9223372036854775807", "-9223372036854775808", "1.5"});
  EXPECT_TRUE(list.front().is_int);
  EXPECT_EQ(list.remove("1", 0), 1u);
  EXPECT_EQ(list.remove("01", 0), 1u);
  expect_contents(list, {"-0", "9223372036854775807", "-9223372036854775808", "1.5"});
}

// --- Node sizes ---------------------------------------------------------------------------------

TEST(ListValue, PositiveFillCapsEntriesPerNode) {
  auto list = filled(3, numbers(0, 10));
  EXPECT_EQ(list->node_count(), 4u);
  expect_contents(*list, numbers(0, 10));
  for (int i = 0; i < 4; ++i) list->push_front("x");
  EXPECT_EQ(list->node_count(), 6u);
  EXPECT_TRUE(list->check_integrity());
}

TEST(ListValue, ZeroFillKeepsOneEntryPerNode) {
  auto list = filled(0, numbers(0, 5));
  EXPECT_EQ(list->node_count(), 5u);
  expect_contents(*list, numbers(0, 5));
}

TEST(ListValue, PositiveFillStillCapsNodesAtEightKilobytes) {
  auto list = filled(1000, Strings(100, std::string(200, 'v')));
  // 100 x ~202 bytes is ~20 KiB: at least three 8 KiB nodes although 1000 entries would fit.
  EXPECT_GE(list->node_count(), 3u);
  EXPECT_TRUE(list->check_integrity());
}

TEST(ListValue, NegativeFillCapsNodeBytes) {
  const Strings values(200, std::string(100, 'v'));  // 103 bytes each as entries, ~20 KiB
  auto four_k = filled(-1, values);
  auto eight_k = filled(-2, values);
  auto sixty_four_k = filled(-5, values);
  EXPECT_EQ(four_k->node_count(), 6u);   // 39 per 4 KiB node
  EXPECT_EQ(eight_k->node_count(), 3u);  // 79 per 8 KiB node
  EXPECT_EQ(sixty_four_k->node_count(), 1u);
  expect_contents(*four_k, values);
}

TEST(ListValue, FillBelowMinusFiveActsAsMinusFive) {
  const Strings values(1000, std::string(100, 'v'));  // ~100 KiB
  EXPECT_EQ(filled(-100, values)->node_count(), filled(-5, values)->node_count());
  EXPECT_EQ(filled(-5, values)->node_count(), 2u);
}

TEST(ListValue, ElementLargerThanANodeGetsANodeOfItsOwn) {
  ListValue list(-1);
  list.push_back("a");
  list.push_back(std::string(10000, 'x'));
  list.push_back("b");
  list.push_front(std::string(5000, 'y'));
  EXPECT_EQ(list.node_count(), 4u);
  EXPECT_TRUE(list.check_integrity());
  EXPECT_EQ(value_at(list, 2), std::string(10000, 'x'));
}

// --- Positions ----------------------------------------------------------------------------------

TEST(ListValue, SeeksEveryIndexFromBothEndsAcrossNodes) {
  for (int64_t fill : {1, 2, 5, -1}) {
    const Strings values = numbers(0, 23);
    auto list = filled(fill, values);
    for (int64_t i = 0; i < 23; ++i) {
      EXPECT_EQ(value_at(*list, i), values[i]) << "fill " << fill;
      EXPECT_EQ(value_at(*list, i - 23), values[i]) << "fill " << fill;
    }
  }
}

TEST(ListValue, SeekOutsideTheListIsInvalid) {
  auto list = filled(2, numbers(0, 5));
  EXPECT_FALSE(list->seek(5).valid());
  EXPECT_FALSE(list->seek(-6).valid());
  EXPECT_FALSE(list->seek(INT64_MAX).valid());
  EXPECT_FALSE(list->seek(INT64_MIN).valid());
  EXPECT_FALSE(ListValue().seek(0).valid());
}

TEST(ListValue, CursorWalksBothWaysFromTheMiddle) {
  auto list = filled(2, numbers(0, 7));
  ListValue::Cursor c = list->seek(3);
  c.next();
  c.next();
  EXPECT_EQ(c.value().integer, 5);
  c.prev();
  c.prev();
  c.prev();
  EXPECT_EQ(c.value().integer, 2);
  c = list->seek(0);
  c.prev();
  EXPECT_FALSE(c.valid());
}

// --- Set / insert -------------------------------------------------------------------------------

TEST(ListValue, SetReplacesAtNodeBoundaries) {
  auto list = filled(2, numbers(0, 6));
  ASSERT_TRUE(list->set(1, "last-of-first"));
  ASSERT_TRUE(list->set(2, "first-of-second"));
  ASSERT_TRUE(list->set(-1, "tail"));
  EXPECT_FALSE(list->set(6, "x"));
  EXPECT_FALSE(list->set(-7, "x"));
  expect_contents(*list, {"0", "last-of-first", "first-of-second", "3", "4", "tail"});
}

TEST(ListValue, SetWithAValueTooBigForTheNodeSplitsIt) {
  Strings values(30, std::string(100, 'v'));  // one 4 KiB node holds ~40 of them
  auto list = filled(-1, values);
  ASSERT_EQ(list->node_count(), 1u);
  ASSERT_TRUE(list->set(10, std::string(3000, 'b')));
  values[10] = std::string(3000, 'b');
  expect_contents(*list, values);
  EXPECT_GT(list->node_count(), 1u);
}

TEST(ListValue, InsertsBeforeAndAfterThePivot) {
  auto list = filled(2, {"a", "b", "c", "d"});
  EXPECT_TRUE(list->insert("b", "after-b", true));    // end of the first node
  EXPECT_TRUE(list->insert("c", "before-c", false));  // start of the second
  EXPECT_TRUE(list->insert("a", "head", false));
  EXPECT_TRUE(list->insert("d", "tail", true));
  expect_contents(*list, {"head", "a", "b", "after-b", "before-c", "c", "d", "tail"});
}

TEST(ListValue, InsertFindsTheFirstMatchingPivot) {
  auto list = filled(2, {"x", "1", "x", "1"});
  EXPECT_TRUE(list->insert("1", "new", false));
  expect_contents(*list, {"x", "new", "1", "x", "1"});
  EXPECT_FALSE(list->insert("missing", "new", true));
  EXPECT_FALSE(list->insert("01", "new", true));
}

TEST(ListValue, InsertIntoTheMiddleOfAFullNodeSplitsIt) {
  auto list = filled(4, numbers(0, 4));
  ASSERT_EQ(list->node_count(), 1u);
  EXPECT_TRUE(list->insert("1", "mid", true));
  expect_contents(*list, {"0", "1", "mid", "2", "3"});
  EXPECT_EQ(list->node_count(), 2u);
}

TEST(ListValue, SplitHalvesJoinSmallNeighbours) {
  ListValue list(4);
  for (auto v : {"a", "b", "c", "d", "e"}) list.push_back(v);  // [a b c d] [e]
  ASSERT_EQ(list.node_count(), 2u);
  EXPECT_TRUE(list.insert("c", "x", false));  // [a b x] [c d] [e] -> [a b x] [c d e]
  expect_contents(list, {"a", "b", "x", "c", "d", "e"});
  EXPECT_EQ(list.node_count(), 2u);
}

// --- Remove / trim ------------------------------------------------------------------------------

TEST(ListValue, RemoveFromTheHeadStopsAfterCount) {
  auto list = filled(2, {"a", "x", "b", "x", "c", "x"});
  EXPECT_EQ(list->remove("x", 2), 2u);
  expect_contents(*list, {"a", "b", "c", "x"});
}

TEST(ListValue, RemoveFromTheTailStopsAfterCount) {
  auto list = filled(2, {"x", "a", "x", "b", "x", "c"});
  EXPECT_EQ(list->remove("x", -2), 2u);
  expect_contents(*list, {"x", "a", "b", "c"});
  EXPECT_EQ(list->remove("a", INT64_MIN), 1u);
  expect_contents(*list, {"x", "b", "c"});
}

TEST(ListValue, RemoveAllDropsEmptiedNodesAndMergesTheRest) {
  Strings values;
  for (int i = 0; i < 30; ++i) values.push_back(i % 3 == 0 ? "keep" : "drop");
  auto list = filled(5, values);
  ASSERT_EQ(list->node_count(), 6u);
  EXPECT_EQ(list->remove("drop", 0), 20u);
  expect_contents(*list, Strings(10, "keep"));
  EXPECT_EQ(list->node_count(), 2u);
}

TEST(ListValue, RemovingManyMatchesInOneNodeKeepsTheOthersInOrder) {
  Strings values;
  for (int i = 0; i < 100; ++i) values.push_back(i % 2 == 0 ? "7" : std::to_string(1000 + i));
  auto list = filled(-2, values);
  ASSERT_EQ(list->node_count(), 1u);
  EXPECT_EQ(list->remove("7", -30), 30u);
  Strings expected;
  int sevens = 0;
  for (const std::string& v : values) {
    if (v == "7" && ++sevens > 20) continue;  // the last 30 of 50 went
    expected.push_back(v);
  }
  expect_contents(*list, expected);
}

TEST(ListValue, EraseFrontAndBackCrossNodeBoundaries) {
  for (size_t front : {0u, 1u, 2u, 3u, 7u, 12u}) {
    for (size_t back : {0u, 1u, 3u, 5u}) {
      auto list = filled(3, numbers(0, 20));
      list->erase_front(front);
      list->erase_back(back);
      const Strings all = numbers(0, 20);
      expect_contents(*list, Strings(all.begin() + front, all.end() - back));
    }
  }
}

TEST(ListValue, EraseFrontRebuildsALargeNodeOnce) {
  auto list = filled(-2, numbers(0, 500));
  ASSERT_EQ(list->node_count(), 1u);
  list->erase_front(300);
  expect_contents(*list, numbers(300, 500));
}

TEST(ListValue, ErasingMoreThanTheListEmptiesIt) {
  auto list = filled(2, numbers(0, 5));
  list->erase_back(100);
  EXPECT_TRUE(list->empty());
  EXPECT_EQ(list->node_count(), 0u);
}

// --- LPOS ---------------------------------------------------------------------------------------

TEST(ListValue, PositionsHonourRankCountAndMaxlen) {
  auto list = filled(2, {"a", "b", "c", "1", "2", "3", "c", "c"});
  using Indexes = std::vector<int64_t>;
  EXPECT_EQ(list->positions("c", 1, 1, 0), (Indexes{2}));
  EXPECT_EQ(list->positions("c", 2, 1, 0), (Indexes{6}));
  EXPECT_EQ(list->positions("c", -1, 1, 0), (Indexes{7}));
  EXPECT_EQ(list->positions("c", -2, 0, 0), (Indexes{6, 2}));
  EXPECT_EQ(list->positions("c", 1, 0, 0), (Indexes{2, 6, 7}));
  EXPECT_EQ(list->positions("c", 1, 2, 0), (Indexes{2, 6}));
  EXPECT_EQ(list->positions("c", 1, 0, 7), (Indexes{2, 6}));
  EXPECT_EQ(list->positions("c", -1, 0, 2), (Indexes{7, 6}));
  EXPECT_EQ(list->positions("c", 4, 0, 0), Indexes{});
  EXPECT_EQ(list->positions("2", 1, 1, 0), (Indexes{4}));
  EXPECT_EQ(list->positions("c", INT64_MAX, 1, 0), Indexes{});
  EXPECT_EQ(list->positions("c", -INT64_MAX, 1, 0), Indexes{});
}

// --- Encoding, clone, memory --------------------------------------------------------------------

TEST(ListValue, ReportsQuicklistOnceItOutgrowsOneNodeAndListpackAtHalfTheLimit) {
  auto list = filled(4, numbers(0, 4));
  EXPECT_STREQ(list->encoding_name(), "listpack");
  list->push_back("4");
  EXPECT_STREQ(list->encoding_name(), "quicklist");
  list->pop_back();  // one node of 4: not yet half the limit
  EXPECT_STREQ(list->encoding_name(), "quicklist");
  list->pop_back();
  EXPECT_STREQ(list->encoding_name(), "quicklist");
  list->pop_back();  // 2 entries
  EXPECT_STREQ(list->encoding_name(), "listpack");
}

TEST(ListValue, ReportsQuicklistForOneElementBiggerThanANode) {
  ListValue list(-2);
  list.push_back(std::string(9000, 'x'));
  EXPECT_EQ(list.node_count(), 1u);
  EXPECT_STREQ(list.encoding_name(), "quicklist");
  list.set(0, "small");
  EXPECT_STREQ(list.encoding_name(), "listpack");
}

TEST(ListValue, CloneIsADeepCopy) {
  auto list = filled(2, numbers(0, 9));
  auto copy = list->clone();
  auto* copied = static_cast<ListValue*>(copy.get());
  list->pop_front();
  list->set(3, "changed");
  expect_contents(*copied, numbers(0, 9));
  EXPECT_EQ(copied->node_count(), 5u);
  EXPECT_STREQ(copied->encoding_name(), "quicklist");
}

TEST(ListValue, MemoryUsageGrowsWithTheElements) {
  ListValue list;
  const size_t empty = list.memory_usage();
  for (int i = 0; i < 1000; ++i) list.push_back(std::string(50, 'x'));
  EXPECT_GT(list.memory_usage(), empty + 50'000);
  EXPECT_LT(list.memory_usage(), empty + 120'000);
}

TEST(ListValue, NewFillAppliesToLaterPushes) {
  auto list = filled(-2, numbers(0, 10));
  ASSERT_EQ(list->node_count(), 1u);
  list->set_fill(1);
  list->push_back("10");
  EXPECT_EQ(list->node_count(), 2u);
  EXPECT_EQ(forward(*list), numbers(0, 11));
}

// --- Against a model ----------------------------------------------------------------------------

// Random operations on a ListValue and a std::deque must leave both with the same elements, under
// every kind of fill, with small and node-sized values.
TEST(ListValue, MatchesADequeUnderRandomOperations) {
  for (int64_t fill : {1, 2, 3, 8, -1, -2, -6}) {
    std::mt19937 rng(static_cast<uint32_t>(fill + 100));
    ListValue list(fill);
    std::deque<std::string> model;
    auto pick = [&](uint32_t n) { return static_cast<int64_t>(rng() % n); };
    auto random_value = [&]() -> std::string {
      switch (pick(10)) {
        case 0:
          return std::string(static_cast<size_t>(500 + pick(5000)), 'L');
        case 1:
        case 2:
          return std::to_string(pick(5));
        default:
          return std::string(1 + static_cast<size_t>(pick(3)), static_cast<char>('a' + pick(3)));
      }
    };
    for (int step = 0; step < 3000; ++step) {
      const auto size = static_cast<int64_t>(model.size());
      // Pushes are more likely than removals, so the list grows to many nodes as it churns.
      const int64_t op = pick(12);
      switch (op >= 9 ? op % 2 : op) {
        case 0: {
          std::string v = random_value();
          list.push_front(v);
          model.push_front(v);
          break;
        }
        case 1: {
          std::string v = random_value();
          list.push_back(v);
          model.push_back(v);
          break;
        }
        case 2:
          if (size > 0) {
            list.pop_front();
            model.pop_front();
          }
          break;
        case 3:
          if (size > 0) {
            list.pop_back();
            model.pop_back();
          }
          break;
        case 4: {
          int64_t i = pick(static_cast<uint32_t>(size + 2)) - 1;
          std::string v = random_value();
          const bool in_range = i >= 0 && i < size;
          ASSERT_EQ(list.set(i, v), in_range || (i < 0 && size > 0));
          if (in_range) model[static_cast<size_t>(i)] = v;
          if (i < 0 && size > 0) model.back() = v;
          break;
        }
        case 5: {
          std::string pivot = random_value();
          std::string v = random_value();
          const bool after = pick(2) == 0;
          auto it = std::find(model.begin(), model.end(), pivot);
          ASSERT_EQ(list.insert(pivot, v, after), it != model.end());
          if (it != model.end()) model.insert(after ? it + 1 : it, v);
          break;
        }
        case 6: {
          std::string v = std::to_string(pick(5));
          int64_t count = pick(5) - 2;
          size_t expected = 0;
          const size_t limit = count == 0 ? model.size() : static_cast<size_t>(std::abs(count));
          if (count >= 0) {
            for (auto it = model.begin(); it != model.end() && expected < limit;) {
              it = *it == v ? (++expected, model.erase(it)) : it + 1;
            }
          } else {
            for (size_t i = model.size(); i-- > 0 && expected < limit;) {
              if (model[i] == v) {
                model.erase(model.begin() + static_cast<int64_t>(i));
                ++expected;
              }
            }
          }
          ASSERT_EQ(list.remove(v, count), expected);
          break;
        }
        case 7: {
          size_t n = static_cast<size_t>(pick(4));
          list.erase_front(n);
          model.erase(model.begin(),
                      model.begin() + std::min<int64_t>(size, static_cast<int64_t>(n)));
          break;
        }
        default: {
          size_t n = static_cast<size_t>(pick(4));
          list.erase_back(n);
          model.erase(model.end() - std::min<int64_t>(size, static_cast<int64_t>(n)), model.end());
          break;
        }
      }
      ASSERT_TRUE(list.check_integrity()) << "fill " << fill << " step " << step;
      ASSERT_EQ(list.size(), model.size()) << "fill " << fill << " step " << step;
    }
    expect_contents(list, Strings(model.begin(), model.end()));
  }
}

}  // namespace
}  // namespace stashd
