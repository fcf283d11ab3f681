// Owns: tests of src/keyspace/lru_list.cpp: order, removal at every position, move to front and
// relinking a moved entry. Must not touch: other modules. Thread: the test's.
#include "stashd/keyspace/lru_list.h"

#include <gtest/gtest.h>

#include <vector>

#include "keyspace/test_entries.h"

namespace stashd::testing {
namespace {

class LruListTest : public ::testing::Test {
 protected:
  EntryIndex add(std::string_view key) {
    EntryIndex e = make_entry(arena, key);
    list.push_front(e);
    return e;
  }
  // Head to tail, checked against the tail-to-head walk so both directions stay consistent.
  std::vector<EntryIndex> order() {
    std::vector<EntryIndex> forward;
    for (EntryIndex e = list.head(); e != kNoEntry; e = list.next(e)) forward.push_back(e);
    std::vector<EntryIndex> backward;
    for (EntryIndex e = list.tail(); e != kNoEntry; e = list.prev(e)) backward.push_back(e);
    EXPECT_EQ(std::vector<EntryIndex>(backward.rbegin(), backward.rend()), forward);
    EXPECT_EQ(forward.size(), list.size());
    return forward;
  }

  EntryArena arena;
  LruList list{&arena};
};

using Order = std::vector<EntryIndex>;

TEST_F(LruListTest, StartsEmpty) {
  EXPECT_EQ(list.head(), kNoEntry);
  EXPECT_EQ(list.tail(), kNoEntry);
  EXPECT_EQ(list.size(), 0u);
}

TEST_F(LruListTest, PushFrontMakesTheNewestTheHeadAndTheOldestTheTail) {
  EntryIndex a = add("a");
  EntryIndex b = add("b");
  EntryIndex c = add("c");
  EXPECT_EQ(order(), (Order{c, b, a}));
  EXPECT_EQ(list.tail(), a);
}

TEST_F(LruListTest, RemovesFromHeadMiddleAndTail) {
  EntryIndex a = add("a");
  EntryIndex b = add("b");
  EntryIndex c = add("c");
  EntryIndex d = add("d");
  list.remove(b);
  EXPECT_EQ(order(), (Order{d, c, a}));
  list.remove(d);
  EXPECT_EQ(order(), (Order{c, a}));
  list.remove(a);
  EXPECT_EQ(order(), (Order{c}));
  list.remove(c);
  EXPECT_EQ(order(), Order{});
  EXPECT_EQ(list.head(), kNoEntry);
  EXPECT_EQ(list.tail(), kNoEntry);
}

TEST_F(LruListTest, MoveToFrontFromTheTailAndTheMiddle) {
  EntryIndex a = add("a");
  EntryIndex b = add("b");
  EntryIndex c = add("c");
  list.move_to_front(a);
  EXPECT_EQ(order(), (Order{a, c, b}));
  list.move_to_front(c);
  EXPECT_EQ(order(), (Order{c, a, b}));
  list.move_to_front(c);  // already the head
  EXPECT_EQ(order(), (Order{c, a, b}));
}

TEST_F(LruListTest, RelinkPutsTheReplacementInTheSamePlace) {
  EntryIndex a = add("a");
  EntryIndex b = add("b");
  EntryIndex c = add("c");
  EntryIndex b2 = make_entry(arena, "b");
  list.relink(b, b2);
  EXPECT_EQ(order(), (Order{c, b2, a}));
  EntryIndex c2 = make_entry(arena, "c");
  list.relink(c, c2);  // the head
  EXPECT_EQ(order(), (Order{c2, b2, a}));
  EntryIndex a2 = make_entry(arena, "a");
  list.relink(a, a2);  // the tail
  EXPECT_EQ(order(), (Order{c2, b2, a2}));
}

TEST_F(LruListTest, RelinkOfTheOnlyEntry) {
  EntryIndex a = add("a");
  EntryIndex a2 = make_entry(arena, "a");
  list.relink(a, a2);
  EXPECT_EQ(list.head(), a2);
  EXPECT_EQ(list.tail(), a2);
  EXPECT_EQ(order(), (Order{a2}));
}

TEST_F(LruListTest, ClearForgetsEverything) {
  add("a");
  add("b");
  list.clear();
  EXPECT_EQ(order(), Order{});
  EntryIndex c = add("c");
  EXPECT_EQ(order(), (Order{c}));
}

}  // namespace
}  // namespace stashd::testing
