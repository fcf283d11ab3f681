// Owns: tests of src/keyspace/entry_arena.cpp: size classes, free-list reuse, page-aligned large
// blocks, the alignment gap, accounting and exhaustion. Must not touch: other modules.
// Thread: the test's.
#include "stashd/keyspace/entry_arena.h"

#include <gtest/gtest.h>

#include <cstring>
#include <iterator>
#include <map>
#include <vector>

namespace stashd {
namespace {

uintptr_t address(const EntryArena& arena, EntryIndex e) {
  return reinterpret_cast<uintptr_t>(arena.at(e));
}

TEST(EntryArena, RoundsSmallSizesToEightAndLargeSizesToPages) {
  EXPECT_EQ(EntryArena::rounded(1), 8u);
  EXPECT_EQ(EntryArena::rounded(8), 8u);
  EXPECT_EQ(EntryArena::rounded(9), 16u);
  EXPECT_EQ(EntryArena::rounded(4096), 4096u);
  EXPECT_EQ(EntryArena::rounded(4097), 8192u);
}

TEST(EntryArena, NeverHandsOutTheNullIndex) {
  EntryArena arena;
  EXPECT_NE(arena.allocate(8), kNoEntry);
  EXPECT_NE(arena.allocate(0), kNoEntry);
}

TEST(EntryArena, AllocationsAreAlignedWritableAndDisjoint) {
  EntryArena arena;
  std::vector<EntryIndex> blocks;
  for (size_t size : {8, 24, 17, 136, 4096, 1, 300}) {
    EntryIndex e = arena.allocate(size);
    ASSERT_NE(e, kNoEntry);
    EXPECT_EQ(address(arena, e) % EntryArena::kUnit, 0u);
    std::memset(arena.at(e), static_cast<int>(blocks.size() + 1), size);
    blocks.push_back(e);
  }
  // Each block still holds its own fill byte: nothing overlapped.
  for (size_t i = 0; i < blocks.size(); ++i) {
    EXPECT_EQ(arena.at(blocks[i])[0], static_cast<uint8_t>(i + 1));
  }
}

TEST(EntryArena, ReusesAFreedBlockOfTheSameClass) {
  EntryArena arena;
  EntryIndex a = arena.allocate(40);
  EntryIndex b = arena.allocate(40);
  arena.release(a, 40);
  EXPECT_EQ(arena.allocate(37), a);  // 37 rounds to the same 40-byte class
  arena.release(b, 40);
  arena.release(a, 40);
  EXPECT_EQ(arena.allocate(40), a);  // last freed, first reused
  EXPECT_EQ(arena.allocate(40), b);
}

TEST(EntryArena, DoesNotReuseABlockOfAnotherClass) {
  EntryArena arena;
  EntryIndex a = arena.allocate(40);
  arena.release(a, 40);
  EXPECT_NE(arena.allocate(48), a);
  EXPECT_NE(arena.allocate(32), a);
  EXPECT_EQ(arena.allocate(40), a);
}

TEST(EntryArena, CountsUsedBytesInRoundedSizes) {
  EntryArena arena;
  EntryIndex a = arena.allocate(13);
  EXPECT_EQ(arena.used_bytes(), 16u);
  EntryIndex b = arena.allocate(5000);
  EXPECT_EQ(arena.used_bytes(), 16u + 8192u);
  arena.release(a, 13);
  arena.release(b, 5000);
  EXPECT_EQ(arena.used_bytes(), 0u);
  EXPECT_GT(arena.committed_bytes(), 0u);
}

TEST(EntryArena, LargeBlocksArePageAligned) {
  EntryArena arena;
  arena.allocate(8);  // leave the top unaligned
  EntryIndex big = arena.allocate(5000);
  ASSERT_NE(big, kNoEntry);
  EXPECT_EQ(address(arena, big) % EntryArena::kPage, 0u);
  std::memset(arena.at(big), 0xAB, 5000);
}

TEST(EntryArena, LargeBlocksAreReusedBySizeAndComeBackZeroed) {
  EntryArena arena;
  EntryIndex big = arena.allocate(10'000);
  std::memset(arena.at(big), 0xCD, 10'000);
  arena.release(big, 10'000);
  EXPECT_NE(arena.allocate(20'000), big);   // a different page count is not served from it
  EntryIndex again = arena.allocate(9000);  // same 3 pages
  EXPECT_EQ(again, big);
  // The pages were given back to the kernel while free, so they read as zero.
  EXPECT_EQ(arena.at(again)[0], 0);
  EXPECT_EQ(arena.at(again)[9999], 0);
}

TEST(EntryArena, TheAlignmentGapBeforeALargeBlockIsReusedForSmallOnes) {
  EntryArena arena;
  EntryIndex small = arena.allocate(8);
  EntryIndex big = arena.allocate(8192);
  ASSERT_GT(big, small);
  size_t used = arena.used_bytes();
  // The 4080 bytes between the small block and the page boundary went to their free list.
  EntryIndex from_gap = arena.allocate(4096 - 16);
  EXPECT_GT(from_gap, small);
  EXPECT_LT(from_gap, big);
  EXPECT_EQ(arena.used_bytes(), used + 4080u);
}

TEST(EntryArena, ReturnsNoEntryWhenTheReservationIsExhausted) {
  EntryArena arena(size_t{1} << 20);  // 1 MiB
  size_t allocated = 0;
  EntryIndex last = kNoEntry;
  for (EntryIndex e; (e = arena.allocate(4096)) != kNoEntry; last = e) {
    allocated += 4096;
    ASSERT_LE(allocated, size_t{1} << 20);
  }
  EXPECT_GT(allocated, (size_t{1} << 20) - 8192);
  // Freed memory is still usable after exhaustion.
  arena.release(last, 4096);
  EXPECT_EQ(arena.allocate(4096), last);
}

TEST(EntryArena, ManyMixedAllocationsStayDistinct) {
  EntryArena arena;
  std::map<size_t, size_t> live;  // byte offset -> rounded size
  std::vector<std::pair<EntryIndex, size_t>> blocks;
  uint64_t seed = 42;
  auto next = [&] { return seed = seed * 6364136223846793005ULL + 1442695040888963407ULL; };
  for (int i = 0; i < 20'000; ++i) {
    if (!blocks.empty() && next() % 3 == 0) {
      size_t pick = (next() >> 33) % blocks.size();
      arena.release(blocks[pick].first, blocks[pick].second);
      live.erase(size_t{blocks[pick].first} * EntryArena::kUnit);
      blocks[pick] = blocks.back();
      blocks.pop_back();
    } else {
      size_t size = 8 + (next() >> 40) % 600;
      EntryIndex e = arena.allocate(size);
      ASSERT_NE(e, kNoEntry);
      size_t begin = size_t{e} * EntryArena::kUnit;
      auto [it, inserted] = live.emplace(begin, EntryArena::rounded(size));
      ASSERT_TRUE(inserted) << "index handed out twice";
      if (it != live.begin()) {
        ASSERT_LE(std::prev(it)->first + std::prev(it)->second, begin) << "overlaps the previous";
      }
      if (std::next(it) != live.end()) {
        ASSERT_LE(begin + it->second, std::next(it)->first) << "overlaps the next";
      }
      blocks.push_back({e, size});
    }
  }
  size_t expected = 0;
  for (const auto& [e, size] : blocks) expected += EntryArena::rounded(size);
  EXPECT_EQ(arena.used_bytes(), expected);
}

}  // namespace
}  // namespace stashd
