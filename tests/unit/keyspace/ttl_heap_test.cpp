// Owns: tests of src/keyspace/ttl_heap.cpp: deadline order, removal anywhere, updates in both
// directions, relinking a moved entry, and the positions stored in the entries.
// Must not touch: other modules. Thread: the test's.
#include "stashd/keyspace/ttl_heap.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <vector>

#include "keyspace/test_entries.h"

namespace stashd::testing {
namespace {

class TtlHeapTest : public ::testing::Test {
 protected:
  EntryIndex add(int64_t deadline) {
    EntryIndex e = make_entry(arena, numbered("k", next_key++), true);
    heap.push(e, deadline);
    return e;
  }
  // Every node's stored position matches its slot, and no child is earlier than its parent.
  void expect_consistent() {
    const auto& nodes = heap.nodes();
    for (size_t i = 0; i < nodes.size(); ++i) {
      EXPECT_EQ(entry::View(arena.at(nodes[i].entry)).heap_pos(), i);
      if (i > 0) {
        EXPECT_LE(nodes[(i - 1) / 2].deadline_ms, nodes[i].deadline_ms) << i;
      }
    }
  }
  // Pops everything through remove(top), returning deadlines in pop order.
  std::vector<int64_t> drain() {
    std::vector<int64_t> out;
    while (!heap.empty()) {
      out.push_back(heap.top().deadline_ms);
      heap.remove(heap.top().entry);
      expect_consistent();
    }
    return out;
  }

  EntryArena arena;
  TtlHeap heap{&arena};
  int next_key = 0;
};

TEST_F(TtlHeapTest, PopsEarliestDeadlineFirst) {
  for (int64_t d : {50, 10, 40, 30, 20, 60, 5}) add(d);
  expect_consistent();
  EXPECT_EQ(heap.size(), 7u);
  EXPECT_EQ(drain(), (std::vector<int64_t>{5, 10, 20, 30, 40, 50, 60}));
}

TEST_F(TtlHeapTest, KeepsEqualDeadlines) {
  for (int i = 0; i < 5; ++i) add(7);
  add(3);
  EXPECT_EQ(drain(), (std::vector<int64_t>{3, 7, 7, 7, 7, 7}));
}

TEST_F(TtlHeapTest, ReportsEachEntrysDeadline) {
  EntryIndex a = add(100);
  EntryIndex b = add(50);
  EntryIndex c = add(75);
  EXPECT_EQ(heap.deadline(a), 100);
  EXPECT_EQ(heap.deadline(b), 50);
  EXPECT_EQ(heap.deadline(c), 75);
}

TEST_F(TtlHeapTest, RemovesFromAnyPosition) {
  std::vector<EntryIndex> entries;
  for (int64_t d = 1; d <= 20; ++d) entries.push_back(add(d * 10));
  heap.remove(entries[19]);  // the last node
  heap.remove(entries[0]);   // the root
  heap.remove(entries[7]);   // somewhere inside
  heap.remove(entries[3]);
  expect_consistent();
  std::vector<int64_t> expected;
  for (int64_t d = 1; d <= 20; ++d) {
    if (d != 20 && d != 1 && d != 8 && d != 4) expected.push_back(d * 10);
  }
  EXPECT_EQ(drain(), expected);
}

TEST_F(TtlHeapTest, RemovingTheOnlyEntryEmptiesIt) {
  EntryIndex a = add(1);
  heap.remove(a);
  EXPECT_TRUE(heap.empty());
}

TEST_F(TtlHeapTest, UpdateMovesAnEntryEarlierOrLater) {
  EntryIndex a = add(10);
  EntryIndex b = add(20);
  EntryIndex c = add(30);
  heap.update(c, 5);
  expect_consistent();
  EXPECT_EQ(heap.top().entry, c);
  heap.update(c, 100);
  expect_consistent();
  EXPECT_EQ(heap.top().entry, a);
  heap.update(a, 25);
  expect_consistent();
  EXPECT_EQ(heap.top().entry, b);
  EXPECT_EQ(heap.deadline(a), 25);
  EXPECT_EQ(drain(), (std::vector<int64_t>{20, 25, 100}));
}

TEST_F(TtlHeapTest, RelinkKeepsThePositionAndDeadline) {
  EntryIndex a = add(10);
  EntryIndex b = add(20);
  add(30);
  EntryIndex b2 = make_entry(arena, "moved-b", true);
  heap.relink(b, b2);
  expect_consistent();
  EXPECT_EQ(heap.deadline(b2), 20);
  EXPECT_EQ(heap.size(), 3u);
  heap.remove(a);
  EXPECT_EQ(heap.top().entry, b2);
}

TEST_F(TtlHeapTest, StaysOrderedUnderRandomOperations) {
  std::map<EntryIndex, int64_t> model;
  uint64_t seed = 7;
  auto next = [&] { return (seed = seed * 6364136223846793005ULL + 1442695040888963407ULL) >> 33; };
  for (int i = 0; i < 5000; ++i) {
    uint64_t op = next() % 4;
    if (op < 2 || model.empty()) {
      int64_t d = static_cast<int64_t>(next() % 1000);
      model[add(d)] = d;
    } else {
      auto it = model.begin();
      std::advance(it, static_cast<long>(next() % model.size()));
      if (op == 2) {
        heap.remove(it->first);
        model.erase(it);
      } else {
        int64_t d = static_cast<int64_t>(next() % 1000);
        heap.update(it->first, d);
        it->second = d;
      }
    }
  }
  expect_consistent();
  for (const auto& [e, d] : model) EXPECT_EQ(heap.deadline(e), d);
  std::vector<int64_t> expected;
  for (const auto& [e, d] : model) expected.push_back(d);
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(drain(), expected);
}

TEST_F(TtlHeapTest, ClearEmptiesIt) {
  add(1);
  add(2);
  heap.clear();
  EXPECT_TRUE(heap.empty());
  EXPECT_EQ(heap.size(), 0u);
}

}  // namespace
}  // namespace stashd::testing
