// Tests the fields of INFO's server, clients, memory, persistence, replication, cpu and cluster
// sections.
#include "admin/info_sections.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <regex>
#include <string>

#include "commands/harness.h"
#include "stashd/admin/memory.h"
#include "stashd/admin/stats_sampler.h"

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

TEST_F(InfoSections, MemoryReportsUsedPeakDatasetAndRss) {
  FakeControl control;
  h.node().control = &control;
  h.node().keyspace().db(0).set_string("k", std::string(200, 'v'));
  auto f = fields(info::memory_section);
  h.node().control = nullptr;
  size_t used = std::stoull(f["used_memory"]);
  EXPECT_GT(used, h.node().keyspace().arena().used_bytes());
  EXPECT_EQ(f["used_memory_human"], bytes_to_human(used));
  EXPECT_EQ(f["used_memory_dataset"], std::to_string(h.node().keyspace().arena().used_bytes()));
  EXPECT_EQ(f["used_memory_rss"], std::to_string(10 << 20));
  EXPECT_EQ(f["used_memory_rss_human"], "10.00M");
  EXPECT_GE(std::stoull(f["used_memory_peak"]), used);
  EXPECT_EQ(f["maxmemory"], "0");
  EXPECT_EQ(f["maxmemory_human"], "0B");
  EXPECT_EQ(f["maxmemory_policy"], "noeviction");
  EXPECT_EQ(f["mem_allocator"], "libc");
  EXPECT_TRUE(std::regex_match(f["mem_fragmentation_ratio"], std::regex("\\d+\\.\\d\\d")));
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
