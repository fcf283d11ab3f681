// Tests the memory breakdown shared by INFO memory and MEMORY STATS (overheads, dataset, ratios)
// and the MEMORY DOCTOR diagnosis.
#include "stashd/admin/memory_report.h"

#include <gtest/gtest.h>

#include <string>

#include "commands/harness.h"
#include "stashd/admin/stats_sampler.h"

namespace stashd {
namespace {

constexpr size_t kMiB = size_t{1} << 20;

class MemoryReportTest : public ::testing::Test {
 protected:
  MemoryReportTest() {
    h.node().keyspace().set_memory_meter([this] { return used; });
    SampledStats& s = sampled_stats(h.node());
    s.used_memory_startup = kMiB;
    s.startup_recorded = true;
  }
  ~MemoryReportTest() override { forget_sampled_stats(h.node()); }
  size_t used = 8 * kMiB;
  testing::CommandHarness h;
};

TEST_F(MemoryReportTest, OverheadIsStartupClientsAndEachDatabasesBookkeeping) {
  Keyspace& ks = h.node().keyspace();
  ks.db(0).set_string("a", "1");
  ks.db(0).set_string("b", "2");
  ks.db(5).set_string("c", "3");
  MemoryReport r = memory_report(h.node());
  ASSERT_EQ(r.dbs.size(), 2u);
  EXPECT_EQ(r.dbs[0].index, 0);
  EXPECT_EQ(r.dbs[1].index, 5);
  DbOverhead db0 = db_overhead(ks.db(0));
  DbOverhead db5 = db_overhead(ks.db(5));
  EXPECT_EQ(r.dbs[0].overhead.main, db0.main);
  EXPECT_EQ(r.clients, 1u);
  EXPECT_EQ(r.clients_normal, clients_memory(h.node()));
  EXPECT_EQ(r.overhead, kMiB + r.clients_normal + db0.main + db0.expires + db5.main + db5.expires);
  EXPECT_EQ(r.dataset, used - r.overhead);
  EXPECT_EQ(r.keys, 3u);
  EXPECT_EQ(r.used, used);
  EXPECT_EQ(r.startup, kMiB);
  EXPECT_EQ(r.bytes_per_key(), 7 * kMiB / 3);
}

TEST_F(MemoryReportTest, MeasuringRaisesThePeak) {
  EXPECT_EQ(memory_report(h.node()).peak, 8 * kMiB);
  used = 2 * kMiB;
  MemoryReport r = memory_report(h.node());
  EXPECT_EQ(r.peak, 8 * kMiB);
  EXPECT_DOUBLE_EQ(r.peak_percent(), 25);
}

TEST_F(MemoryReportTest, DatasetIsZeroWhenTheOverheadsExceedUsedMemory) {
  used = kMiB / 2;  // below the start-up figure
  MemoryReport r = memory_report(h.node());
  EXPECT_EQ(r.dataset, 0u);
  EXPECT_EQ(r.net_usage(), 1u);
  EXPECT_EQ(r.dataset_percent(), 0);
}

TEST_F(MemoryReportTest, CarriesTheEvictionLimit) {
  h.config().maxmemory = 64 * kMiB;
  h.node().apply_eviction_config();
  EXPECT_EQ(memory_report(h.node()).maxmemory, 64 * kMiB);
}

TEST(MemoryReportRatios, FollowRedisDefinitions) {
  MemoryReport r;
  r.used = 100;
  r.startup = 20;
  r.dataset = 60;
  r.peak = 400;
  r.rss = 300;
  r.allocator = {120, 150, 240};
  EXPECT_DOUBLE_EQ(r.dataset_percent(), 75);
  EXPECT_DOUBLE_EQ(r.peak_percent(), 25);
  EXPECT_DOUBLE_EQ(r.allocator_frag_ratio(), 1.25);
  EXPECT_EQ(r.allocator_frag_bytes(), 30);
  EXPECT_DOUBLE_EQ(r.allocator_rss_ratio(), 1.6);
  EXPECT_EQ(r.allocator_rss_bytes(), 90);
  EXPECT_DOUBLE_EQ(r.rss_overhead_ratio(), 1.25);
  EXPECT_EQ(r.rss_overhead_bytes(), 60);
  EXPECT_DOUBLE_EQ(r.fragmentation_ratio(), 3);
  EXPECT_EQ(r.fragmentation_bytes(), 200);
  r.rss = 50;
  EXPECT_EQ(r.fragmentation_bytes(), -50);
}

TEST(MemoryReportRatios, AreZeroRatherThanDividingByZero) {
  MemoryReport r;
  EXPECT_EQ(r.peak_percent(), 0);
  EXPECT_EQ(r.allocator_frag_ratio(), 0);
  EXPECT_EQ(r.fragmentation_ratio(), 0);
  EXPECT_EQ(r.bytes_per_key(), 0u);
}

// A large, tidy instance: nothing for the doctor to find.
MemoryReport healthy() {
  MemoryReport r;
  r.used = 100 * kMiB;
  r.peak = 110 * kMiB;
  r.startup = kMiB;
  r.overhead = 5 * kMiB;
  r.dataset = 95 * kMiB;
  r.rss = 112 * kMiB;
  r.allocator = {100 * kMiB, 104 * kMiB, 108 * kMiB};
  r.clients = 10;
  r.clients_normal = 10 * 20 * 1024;
  return r;
}

TEST(MemoryDoctor, DeclinesToDiagnoseASmallInstance) {
  MemoryReport r = healthy();
  r.used = 2 * kMiB;
  std::string text = memory_doctor(r);
  EXPECT_NE(text.find("only 2.00M"), std::string::npos) << text;
  EXPECT_EQ(text.find("Peak memory"), std::string::npos) << text;
}

TEST(MemoryDoctor, SaysAllIsWellWithTheMainFigures) {
  std::string text = memory_doctor(healthy());
  EXPECT_EQ(text.rfind("No memory problems found.", 0), 0u) << text;
  EXPECT_NE(text.find("100.00M"), std::string::npos) << text;
}

TEST(MemoryDoctor, ReportsAPeakFarAboveCurrentUse) {
  MemoryReport r = healthy();
  r.peak = 300 * kMiB;
  std::string text = memory_doctor(r);
  EXPECT_EQ(text.rfind("Memory problems found:", 0), 0u) << text;
  EXPECT_NE(text.find("Peak memory"), std::string::npos) << text;
  EXPECT_NE(text.find("3.00 times"), std::string::npos) << text;
}

TEST(MemoryDoctor, ReportsHighRssAndWhereItLies) {
  MemoryReport r = healthy();
  r.allocator = {100 * kMiB, 150 * kMiB, 200 * kMiB};
  r.rss = 260 * kMiB;
  std::string text = memory_doctor(r);
  EXPECT_NE(text.find("High RSS"), std::string::npos) << text;
  EXPECT_NE(text.find("Fragmentation"), std::string::npos) << text;
  EXPECT_NE(text.find("Free pages kept"), std::string::npos) << text;
  EXPECT_NE(text.find("outside the allocators"), std::string::npos) << text;
}

TEST(MemoryDoctor, IgnoresHighRatiosOverFewBytes) {
  MemoryReport r = healthy();
  r.used = 6 * kMiB;
  r.peak = 6 * kMiB;
  r.allocator = {6 * kMiB, 9 * kMiB, 9 * kMiB};  // a ratio of 1.5 over 3 MiB
  r.rss = 12 * kMiB;                             // twice used memory, 6 MiB more
  EXPECT_EQ(memory_doctor(r).rfind("No memory problems found.", 0), 0u) << memory_doctor(r);
}

TEST(MemoryDoctor, ReportsLargeClientBuffers) {
  MemoryReport r = healthy();
  r.clients = 4;
  r.clients_normal = 4 * kMiB;
  std::string text = memory_doctor(r);
  EXPECT_NE(text.find("Client buffers: 4 clients hold 4.00M"), std::string::npos) << text;
}

TEST(MemoryDoctor, ReportsUsedMemoryNearMaxmemory) {
  MemoryReport r = healthy();
  r.maxmemory = 105 * kMiB;
  std::string text = memory_doctor(r);
  EXPECT_NE(text.find("Near maxmemory"), std::string::npos) << text;
  r.maxmemory = 200 * kMiB;
  EXPECT_EQ(memory_doctor(r).find("Near maxmemory"), std::string::npos);
}

}  // namespace
}  // namespace stashd
