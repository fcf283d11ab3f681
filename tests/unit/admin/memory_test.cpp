// Tests the memory measurements INFO memory reports and Redis's human byte format.
#include "stashd/admin/memory.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

#include "commands/harness.h"

namespace stashd {
namespace {

class FixedRssControl : public ServerControl {
 public:
  std::string request_shutdown(bool, bool, bool, bool) override { return ""; }
  int tcp_port() const override { return 0; }
  size_t used_memory_rss() const override { return 123456; }
  void continue_eviction() override { ++eviction_continuations; }
  int eviction_continuations = 0;
};

TEST(BytesToHuman, UsesRedisUnitsAndTwoDecimals) {
  EXPECT_EQ(bytes_to_human(0), "0B");
  EXPECT_EQ(bytes_to_human(1023), "1023B");
  EXPECT_EQ(bytes_to_human(1024), "1.00K");
  EXPECT_EQ(bytes_to_human(916248), "894.77K");
  EXPECT_EQ(bytes_to_human(12128256), "11.57M");
  EXPECT_EQ(bytes_to_human(25276510208ULL), "23.54G");
  EXPECT_EQ(bytes_to_human(1ULL << 40), "1.00T");
  EXPECT_EQ(bytes_to_human(1ULL << 50), "1.00P");
}

TEST(BytesToHuman, FallsBackToBytesFromAThousandPetabytes) {
  EXPECT_EQ(bytes_to_human(1ULL << 60), "1152921504606846976B");
}

TEST(HeapAllocatedBytes, CountsLargeAllocationsServedByMmap) {
  size_t before = heap_allocated_bytes();
  constexpr size_t kSize = 4 << 20;
  void* block = std::malloc(kSize);
  ASSERT_NE(block, nullptr);
  std::memset(block, 1, kSize);
  EXPECT_GE(heap_allocated_bytes(), before + kSize);
  std::free(block);
}

TEST(ProcessRssBytes, IsMeasuredFromProc) { EXPECT_GT(process_rss_bytes(), 0u); }

TEST(DatasetMemory, IsTheArenasLiveBytes) {
  testing::CommandHarness h;
  size_t empty = dataset_memory(h.node());
  h.node().keyspace().db(0).set_string("key", std::string(100, 'v'));
  EXPECT_GT(dataset_memory(h.node()), empty);
  EXPECT_EQ(dataset_memory(h.node()), h.node().keyspace().arena().used_bytes());
}

TEST(ResidentMemory, AsksTheServerWhenOneRunsTheNode) {
  testing::CommandHarness h;
  EXPECT_GT(resident_memory(h.node()), 0u);
  FixedRssControl control;
  h.node().control = &control;
  EXPECT_EQ(resident_memory(h.node()), 123456u);
  h.node().control = nullptr;
}

}  // namespace
}  // namespace stashd
