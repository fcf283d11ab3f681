// Owns: tests of src/keyspace/allocator.cpp: the allocator's name, the calling thread's allocated
// byte count rising and falling with allocations, a background thread's frees reaching that count
// through publish_thread_delta(), the statistics snapshot and usable sizes. The counting tests need
// jemalloc (the default build) and skip in a STASHD_JEMALLOC=OFF build.
// Must not touch: other modules. Thread: the test's plus one helper thread.
#include "stashd/keyspace/allocator.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <thread>
#include <vector>

namespace stashd::testing {
namespace {

constexpr size_t kMiB = size_t{1} << 20;

bool built_with_jemalloc() { return allocator::name() != "libc"; }

TEST(Allocator, NameIsJemallocWithItsVersion) {
  if (!built_with_jemalloc()) GTEST_SKIP() << "needs jemalloc";
  EXPECT_TRUE(allocator::name().starts_with("jemalloc-")) << allocator::name();
  EXPECT_GT(allocator::name().size(), std::string_view("jemalloc-").size());
}

TEST(Allocator, AllocatedBytesGrowWithAnAllocationAndFallWhenItIsFreed) {
  if (!built_with_jemalloc()) GTEST_SKIP() << "needs jemalloc";
  const size_t before = allocator::allocated_bytes();
  size_t during = 0;
  {
    std::vector<char> block(kMiB);
    std::memset(block.data(), 1, block.size());
    during = allocator::allocated_bytes();
    EXPECT_GE(allocator::usable_size(block.data()), kMiB);
  }
  const size_t after = allocator::allocated_bytes();
  EXPECT_GE(during, before + kMiB);
  EXPECT_LE(after + kMiB, during);
}

TEST(Allocator, ABackgroundThreadsFreesCountOnceItPublishes) {
  if (!built_with_jemalloc()) GTEST_SKIP() << "needs jemalloc";
  constexpr size_t kSize = 4 * kMiB;
  auto block = std::make_unique<char[]>(kSize);
  std::memset(block.get(), 1, kSize);
  const size_t before = allocator::allocated_bytes();
  std::thread freer([&] {
    block.reset();
    allocator::publish_thread_delta();
  });
  freer.join();
  const size_t after = allocator::allocated_bytes();
  // The thread's own bookkeeping may allocate a little on this thread; 64 KiB of slack.
  EXPECT_LE(after + kSize, before + 64 * 1024);
}

TEST(Allocator, PublishingTwiceDoesNotCountTwice) {
  if (!built_with_jemalloc()) GTEST_SKIP() << "needs jemalloc";
  constexpr size_t kSize = 2 * kMiB;
  constexpr size_t kSlack = 64 * 1024;
  auto block = std::make_unique<char[]>(kSize);
  std::memset(block.get(), 1, kSize);
  const size_t before = allocator::allocated_bytes();
  std::thread freer([&] {
    block.reset();
    allocator::publish_thread_delta();
    allocator::publish_thread_delta();
  });
  freer.join();
  const size_t after = allocator::allocated_bytes();
  EXPECT_LE(after + kSize, before + kSlack);
  EXPECT_GE(after + kSize + kSlack, before) << "the freed block was counted more than once";
}

TEST(Allocator, StatsAreNonzeroAndOrdered) {
  if (!built_with_jemalloc()) GTEST_SKIP() << "needs jemalloc";
  std::vector<char> keep(kMiB, 1);  // something live to count
  allocator::Stats s = allocator::stats();
  EXPECT_GT(s.allocated, 0u);
  EXPECT_GT(s.active, 0u);
  EXPECT_GT(s.resident, 0u);
  EXPECT_GT(s.metadata, 0u);
  EXPECT_GT(s.mapped, 0u);
  EXPECT_LE(s.allocated, s.active);
  EXPECT_LE(s.active, s.mapped);
  EXPECT_GE(s.allocated, keep.size());
}

TEST(Allocator, UsableSizeIsAtLeastTheRequestedSize) {
  for (size_t n : {size_t{1}, size_t{7}, size_t{16}, size_t{100}, size_t{4097}, 3 * kMiB}) {
    auto p = std::make_unique<char[]>(n);
    EXPECT_GE(allocator::usable_size(p.get()), n) << n;
  }
  EXPECT_EQ(allocator::usable_size(nullptr), 0u);
}

TEST(Allocator, PurgeSucceedsAndStatsTextIsNotEmpty) {
  EXPECT_TRUE(allocator::purge());
  EXPECT_FALSE(allocator::stats_text().empty());
}

}  // namespace
}  // namespace stashd::testing
