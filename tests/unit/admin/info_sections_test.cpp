// Tests the fields of INFO's server, clients, memory, persistence, replication, cpu and cluster
// sections.
#include "admin/info_sections.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <regex>
#include <string>
#include <vector>

#include "commands/harness.h"
#include "stashd/admin/memory.h"
#include "stashd/admin/stats_sampler.h"
#include "stashd/keyspace/allocator.h"

namespace stashd {
namespace {

class FakeControl : public ServerControl {
 public:
  std::string request_shutdown(bool, bool, bool, bool) override { return ""; }
  int tcp_port() const override { return 7777; }
  size_t used_memory_rss() const override { return 10 << 20; }
  void continue_eviction() override { ++eviction_continuations; }
  int eviction_continuations = 0;
};

class FakeTransport : public ClientTransport {
 public:
  void request_flush() override {}
  void close_after_reply() override {}
  void blocked(int64_t) override {}
  void unblocked() override {}
  size_t query_buffer_bytes() const override { return 26; }
  size_t query_buffer_free() const override { return 0; }
  size_t output_pending_bytes() const override { return 7; }
};

class MapSink : public InfoSink {
 public:
  void begin_section(InfoSection) override {}
  void field(std::string_view name, std::string_view value) override {
    fields[std::string(name)] = std::string(value);
  }
  std::map<std::string, std::string> fields;
};

class OrderSink : public InfoSink {
 public:
  void begin_section(InfoSection) override {}
  void field(std::string_view name, std::string_view) override { names.emplace_back(name); }
  std::vector<std::string> names;
};

class InfoSections : public ::testing::Test {
 protected:
  ~InfoSections() override { forget_sampled_stats(h.node()); }
  std::map<std::string, std::string> fields(void (*section)(NodeState&, info::Fields&)) {
    MapSink sink;
    info::Fields out(sink);
    section(h.node(), out);
    return sink.fields;
  }
  testing::CommandHarness h;
};

TEST_F(InfoSections, ServerIdentifiesAStandaloneRedis7Server) {
  h.node().run_id = std::string(40, 'a');
  h.node().executable = "/usr/bin/stashd";
  h.node().config_file = "/etc/stashd.yaml";
  auto f = fields(info::server_section);
  EXPECT_EQ(f["redis_version"], "7.0.15");
  EXPECT_FALSE(f["stashd_version"].empty());
  EXPECT_EQ(f["redis_mode"], "standalone");
  EXPECT_EQ(f["arch_bits"], "64");
  EXPECT_EQ(f["multiplexing_api"], "epoll");
  EXPECT_EQ(f["process_id"], std::to_string(getpid()));
  EXPECT_EQ(f["run_id"], std::string(40, 'a'));
  EXPECT_EQ(f["executable"], "/usr/bin/stashd");
  EXPECT_EQ(f["config_file"], "/etc/stashd.yaml");
  EXPECT_EQ(f["os"].rfind("Linux ", 0), 0u);
}

TEST_F(InfoSections, ServerTakesThePortFromTheServerOrElseTheConfig) {
  EXPECT_EQ(fields(info::server_section)["tcp_port"], "6379");
  FakeControl control;
  h.node().control = &control;
  EXPECT_EQ(fields(info::server_section)["tcp_port"], "7777");
  h.node().control = nullptr;
}

TEST_F(InfoSections, ServerMeasuresTimeWithTheNodeClock) {
  h.node().start_time_ms = h.clock().now_ms() - (2 * 86400 + 5) * 1000;
  h.node().config().hz = 25;
  auto f = fields(info::server_section);
  EXPECT_EQ(f["server_time_usec"], std::to_string(h.clock().now_us()));
  EXPECT_EQ(f["uptime_in_seconds"], "172805");
  EXPECT_EQ(f["uptime_in_days"], "2");
  EXPECT_EQ(f["hz"], "25");
  EXPECT_EQ(f["configured_hz"], "25");
}

TEST_F(InfoSections, ClientsCountsConnectionsAndTheirLargestBuffers) {
  FakeTransport transport;
  Client other(9, 0);
  other.transport = &transport;
  h.node().add_client(&other);
  auto f = fields(info::clients_section);
  h.node().remove_client(&other);
  EXPECT_EQ(f["connected_clients"], "2");
  EXPECT_EQ(f["maxclients"], "10000");
  EXPECT_EQ(f["client_recent_max_input_buffer"], "26");
  EXPECT_EQ(f["client_recent_max_output_buffer"], "7");
  EXPECT_EQ(f["blocked_clients"], "0");
}

TEST_F(InfoSections, MemoryReportsUsedMemoryItsBreakdownAndRss) {
  FakeControl control;
  h.node().control = &control;
  h.node().keyspace().set_memory_meter([] { return size_t{8} << 20; });
  SampledStats& sampled = sampled_stats(h.node());
  sampled.used_memory_startup = 1 << 20;
  sampled.startup_recorded = true;
  h.node().keyspace().db(0).set_string("k", std::string(200, 'v'));
  auto f = fields(info::memory_section);
  h.node().control = nullptr;
  size_t used = size_t{8} << 20;
  EXPECT_EQ(f["used_memory"], std::to_string(used));
  EXPECT_EQ(f["used_memory_human"], "8.00M");
  EXPECT_EQ(f["used_memory_rss"], std::to_string(10 << 20));
  EXPECT_EQ(f["used_memory_rss_human"], "10.00M");
  EXPECT_EQ(f["used_memory_peak"], std::to_string(used));
  EXPECT_EQ(f["used_memory_peak_perc"], "100.00%");
  EXPECT_EQ(f["used_memory_startup"], std::to_string(1 << 20));
  DbOverhead db0 = db_overhead(h.node().keyspace().db(0));
  size_t overhead = (1 << 20) + clients_memory(h.node()) + db0.main + db0.expires;
  EXPECT_EQ(f["used_memory_overhead"], std::to_string(overhead));
  EXPECT_EQ(f["used_memory_dataset"], std::to_string(used - overhead));
  EXPECT_EQ(f["used_memory_dataset_perc"],
            fmt::format("{:.2f}%", 100.0 * (used - overhead) / (used - (1 << 20))));
  EXPECT_EQ(f["mem_fragmentation_ratio"], "1.25");
  EXPECT_EQ(f["mem_fragmentation_bytes"], std::to_string(2 << 20));
  EXPECT_EQ(f["mem_clients_normal"], std::to_string(clients_memory(h.node())));
  EXPECT_EQ(f["mem_allocator"], allocator::name());
  EXPECT_EQ(f["maxmemory"], "0");
  EXPECT_EQ(f["maxmemory_human"], "0B");
  EXPECT_EQ(f["maxmemory_policy"], "noeviction");
  for (const char* zero : {"mem_not_counted_for_evict", "mem_replication_backlog",
                           "mem_total_replication_buffers", "mem_clients_slaves",
                           "mem_cluster_links", "mem_aof_buffer", "active_defrag_running",
                           "lazyfree_pending_objects", "lazyfreed_objects"}) {
    EXPECT_EQ(f[zero], "0") << zero;
  }
}

TEST_F(InfoSections, MemoryRelatesTheAllocatorsFiguresAsRedisDoes) {
  auto f = fields(info::memory_section);
  int64_t allocated = std::stoll(f["allocator_allocated"]);
  int64_t active = std::stoll(f["allocator_active"]);
  int64_t resident = std::stoll(f["allocator_resident"]);
  int64_t rss = std::stoll(f["used_memory_rss"]);
  EXPECT_GE(allocated, static_cast<int64_t>(h.node().keyspace().arena().used_bytes()));
  EXPECT_EQ(std::stoll(f["allocator_frag_bytes"]), active - allocated);
  EXPECT_EQ(std::stoll(f["allocator_rss_bytes"]), resident - active);
  EXPECT_EQ(std::stoll(f["rss_overhead_bytes"]), rss - resident);
  EXPECT_EQ(f["allocator_frag_ratio"], fmt::format("{:.2f}", static_cast<double>(active) / allocated));
  EXPECT_EQ(f["allocator_rss_ratio"], fmt::format("{:.2f}", static_cast<double>(resident) / active));
  EXPECT_EQ(f["rss_overhead_ratio"], fmt::format("{:.2f}", static_cast<double>(rss) / resident));
}

TEST_F(InfoSections, MemoryShowsTheEvictionSettings) {
  h.config().maxmemory = 100 << 20;
  h.config().maxmemory_policy = "allkeys-lru";
  h.node().apply_eviction_config();
  auto f = fields(info::memory_section);
  EXPECT_EQ(f["maxmemory"], std::to_string(100 << 20));
  EXPECT_EQ(f["maxmemory_human"], "100.00M");
  EXPECT_EQ(f["maxmemory_policy"], "allkeys-lru");
}

TEST_F(InfoSections, MemoryFieldsComeInRedis7Order) {
  OrderSink sink;
  info::Fields out(sink);
  info::memory_section(h.node(), out);
  EXPECT_EQ(sink.names,
            (std::vector<std::string>{
                "used_memory", "used_memory_human", "used_memory_rss", "used_memory_rss_human",
                "used_memory_peak", "used_memory_peak_human", "used_memory_peak_perc",
                "used_memory_overhead", "used_memory_startup", "used_memory_dataset",
                "used_memory_dataset_perc", "allocator_allocated", "allocator_active",
                "allocator_resident", "total_system_memory", "total_system_memory_human",
                "maxmemory", "maxmemory_human", "maxmemory_policy", "allocator_frag_ratio",
                "allocator_frag_bytes", "allocator_rss_ratio", "allocator_rss_bytes",
                "rss_overhead_ratio", "rss_overhead_bytes", "mem_fragmentation_ratio",
                "mem_fragmentation_bytes", "mem_not_counted_for_evict", "mem_replication_backlog",
                "mem_total_replication_buffers", "mem_clients_slaves", "mem_clients_normal",
                "mem_cluster_links", "mem_aof_buffer", "mem_allocator", "active_defrag_running",
                "lazyfree_pending_objects", "lazyfreed_objects"}));
}

TEST_F(InfoSections, MemoryKeepsAPeakAboveCurrentUse) {
  sampled_stats(h.node()).used_memory_peak = size_t{1} << 40;
  auto f = fields(info::memory_section);
  EXPECT_EQ(f["used_memory_peak"], std::to_string(size_t{1} << 40));
  EXPECT_EQ(f["used_memory_peak_human"], "1.00T");
}

TEST_F(InfoSections, PersistenceCountsChangesSinceStartAndNoSaves) {
  h.node().dirty = 42;
  auto f = fields(info::persistence_section);
  EXPECT_EQ(f["rdb_changes_since_last_save"], "42");
  EXPECT_EQ(f["loading"], "0");
  EXPECT_EQ(f["rdb_bgsave_in_progress"], "0");
  EXPECT_EQ(f["aof_enabled"], "0");
}

TEST_F(InfoSections, ReplicationDescribesAMasterWithoutReplicas) {
  h.node().run_id = "0123456789abcdef0123456789abcdef01234567";
  auto f = fields(info::replication_section);
  EXPECT_EQ(f["role"], "master");
  EXPECT_EQ(f["connected_slaves"], "0");
  EXPECT_EQ(f["master_replid"], h.node().run_id);
  EXPECT_EQ(f["master_replid2"], std::string(40, '0'));
  EXPECT_EQ(f["master_repl_offset"], "0");
}

TEST_F(InfoSections, ReplicationIdIsDerivedFromARunIdThatIsNotFortyHexDigits) {
  std::string derived = info::replication_id("");
  EXPECT_TRUE(std::regex_match(derived, std::regex("[0-9a-f]{40}"))) << derived;
  EXPECT_EQ(info::replication_id(""), derived);
  EXPECT_NE(info::replication_id("node-b"), derived);
  EXPECT_NE(info::replication_id(std::string(40, 'A')), std::string(40, 'A'));
}

TEST_F(InfoSections, CpuReportsSecondsWithMicroseconds) {
  auto f = fields(info::cpu_section);
  for (const char* name :
       {"used_cpu_sys", "used_cpu_user", "used_cpu_sys_children", "used_cpu_user_children",
        "used_cpu_sys_main_thread", "used_cpu_user_main_thread"}) {
    EXPECT_TRUE(std::regex_match(f[name], std::regex("\\d+\\.\\d{6}"))) << name << "=" << f[name];
  }
}

TEST_F(InfoSections, ClusterIsDisabled) {
  EXPECT_EQ(fields(info::cluster_section)["cluster_enabled"], "0");
}

}  // namespace
}  // namespace stashd
