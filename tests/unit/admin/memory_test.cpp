// Tests the memory measurements INFO memory and MEMORY report: RSS, the allocators' figures, client
// buffers, per-database overhead, and Redis's human byte format.
#include "stashd/admin/memory.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

#include "commands/harness.h"
#include "stashd/keyspace/allocator.h"

namespace stashd {
namespace {

class FixedRssControl : public ServerControl {
 public:
  std::string request_shutdown(bool, bool, bool, bool) override { return ""; }
  int tcp_port() const override { return 0; }
  size_t used_memory_rss() const override { return 123456; }
  void continue_eviction() override {}
};

class FixedTransport : public ClientTransport {
 public:
  void request_flush() override {}
  void close_after_reply() override {}
  void blocked(int64_t) override {}
  void unblocked() override {}
  size_t query_buffer_bytes() const override { return 100; }
  size_t query_buffer_free() const override { return 16284; }
  size_t output_pending_bytes() const override { return pending; }
  size_t pending = 0;
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

TEST(ProcessRssBytes, IsMeasuredFromProc) { EXPECT_GT(process_rss_bytes(), 0u); }

TEST(ResidentMemory, AsksTheServerWhenOneRunsTheNode) {
  testing::CommandHarness h;
  EXPECT_GT(resident_memory(h.node()), 0u);
  FixedRssControl control;
  h.node().control = &control;
  EXPECT_EQ(resident_memory(h.node()), 123456u);
  h.node().control = nullptr;
}

TEST(AllocatorMemory, AddsTheEntryArenaToTheAllocatorsFigures) {
  testing::CommandHarness h;
  Keyspace& ks = h.node().keyspace();
  ks.db(0).set_string("key", std::string(1000, 'v'));
  AllocatorMemory m = allocator_memory(ks);
  EXPECT_GE(m.allocated, ks.arena().used_bytes());
  EXPECT_GE(m.active, ks.arena().committed_bytes());
  EXPECT_GE(m.resident, ks.arena().committed_bytes());
  EXPECT_GE(m.active, m.allocated - ks.arena().used_bytes());
}

TEST(AllocatorMemory, SeesLargeHeapAllocations) {
  testing::CommandHarness h;
  size_t before = allocator_memory(h.node().keyspace()).allocated;
  constexpr size_t kSize = 4 << 20;
  void* block = std::malloc(kSize);
  ASSERT_NE(block, nullptr);
  std::memset(block, 1, kSize);
  // jemalloc counts objects in its thread caches as allocated, and flushes them now and then: allow
  // for that much drift.
  constexpr size_t kCacheDrift = 256 << 10;
  EXPECT_GE(allocator_memory(h.node().keyspace()).allocated, before + kSize - kCacheDrift);
  std::free(block);
}

TEST(ClientMemory, CountsTheClientItsReplyBufferAndItsTransportsBuffers) {
  Client c(7, 0);
  c.out.reserve(4096);
  c.out.assign(10, 'x');
  size_t bare = client_memory(c);
  EXPECT_EQ(bare, sizeof(Client) + c.out.capacity());
  FixedTransport transport;
  transport.pending = 10 + 500;  // the reply buffer plus 500 bytes being written
  c.transport = &transport;
  EXPECT_EQ(client_memory(c), bare + 100 + 16284 + 500);
  transport.pending = 3;  // a transport reporting less than the reply buffer adds nothing
  EXPECT_EQ(client_memory(c), bare + 100 + 16284);
}

TEST(ClientsMemory, SumsEveryConnectedClient) {
  testing::CommandHarness h;
  size_t one = clients_memory(h.node());
  EXPECT_EQ(one, client_memory(h.client()));
  Client other(9, 0);
  h.node().add_client(&other);
  EXPECT_EQ(clients_memory(h.node()), one + client_memory(other));
  h.node().remove_client(&other);
}

TEST(DbOverhead, CountsBucketsAndEntryHeadersAndTheTtlHeap) {
  testing::CommandHarness h;
  Db& db = h.node().keyspace().db(0);
  for (int i = 0; i < 10; ++i) db.set_string("key:" + std::to_string(i), "v");
  for (int i = 0; i < 3; ++i) {
    db.set_expire(db.lookup_write("key:" + std::to_string(i)), 5'000'000'000'000);
  }
  DbOverhead o = db_overhead(db);
  EXPECT_EQ(o.main, db.dict().bucket_count() * sizeof(EntryIndex) + 10 * sizeof(EntryHeader));
  EXPECT_EQ(o.expires, db.ttl_heap().nodes().capacity() * sizeof(TtlHeap::Node) + 3 * 4);
  EXPECT_GE(db.ttl_heap().nodes().capacity(), 3u);
}

}  // namespace
}  // namespace stashd
