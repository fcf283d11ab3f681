// Tests the fields of INFO's stats, commandstats, errorstats and keyspace sections.
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "admin/info_sections.h"
#include "commands/harness.h"
#include "stashd/admin/stats_sampler.h"

namespace stashd {
namespace {

class ListSink : public InfoSink {
 public:
  void begin_section(InfoSection) override {}
  void field(std::string_view name, std::string_view value) override {
    fields.emplace_back(name, value);
  }
  std::string value(std::string_view name) const {
    for (const auto& [n, v] : fields) {
      if (n == name) return v;
    }
    return "<missing>";
  }
  std::vector<std::pair<std::string, std::string>> fields;
};

class InfoStatsSections : public ::testing::Test {
 protected:
  ~InfoStatsSections() override { forget_sampled_stats(h.node()); }
  ListSink collect(void (*section)(NodeState&, info::Fields&)) {
    ListSink sink;
    info::Fields out(sink);
    section(h.node(), out);
    return sink;
  }
  testing::CommandHarness h;
};

TEST_F(InfoStatsSections, StatsShowServerAndKeyspaceCounters) {
  ServerStats& s = h.node().stats();
  s.total_connections_received = 11;
  s.total_commands_processed = 12;
  s.total_net_input_bytes = 13;
  s.total_net_output_bytes = 14;
  s.rejected_connections = 15;
  s.total_error_replies = 16;
  s.client_query_buffer_limit_disconnections = 17;
  s.client_output_buffer_limit_disconnections = 18;
  KeyspaceStats& ks = h.node().keyspace().stats();
  ks.expired_keys = 21;
  ks.keyspace_hits = 22;
  ks.keyspace_misses = 23;
  ks.expired_time_cap_reached_count = 24;
  ks.evicted_keys = 25;
  ListSink f = collect(info::stats_section);
  EXPECT_EQ(f.value("total_connections_received"), "11");
  EXPECT_EQ(f.value("total_commands_processed"), "12");
  EXPECT_EQ(f.value("total_net_input_bytes"), "13");
  EXPECT_EQ(f.value("total_net_output_bytes"), "14");
  EXPECT_EQ(f.value("rejected_connections"), "15");
  EXPECT_EQ(f.value("total_error_replies"), "16");
  EXPECT_EQ(f.value("client_query_buffer_limit_disconnections"), "17");
  EXPECT_EQ(f.value("client_output_buffer_limit_disconnections"), "18");
  EXPECT_EQ(f.value("expired_keys"), "21");
  EXPECT_EQ(f.value("keyspace_hits"), "22");
  EXPECT_EQ(f.value("keyspace_misses"), "23");
  EXPECT_EQ(f.value("expired_time_cap_reached_count"), "24");
  EXPECT_EQ(f.value("evicted_keys"), "25");
  EXPECT_EQ(f.value("evicted_clients"), "0");
}

TEST_F(InfoStatsSections, StatsShowTheCronsStaleKeyEstimate) {
  EXPECT_EQ(collect(info::stats_section).value("expired_stale_perc"), "0.00");
  sampled_stats(h.node()).expired_stale_perc = 100.0 / 3;
  EXPECT_EQ(collect(info::stats_section).value("expired_stale_perc"), "33.33");
}

TEST_F(InfoStatsSections, StatsShowTheSampledRates) {
  SampledStats& sampled = sampled_stats(h.node());
  sampled.ops.sample(0, 0);
  sampled.ops.sample(1000, 1234);
  sampled.net_input.sample(0, 0);
  sampled.net_input.sample(1000, 1536);
  ListSink f = collect(info::stats_section);
  EXPECT_EQ(f.value("instantaneous_ops_per_sec"), "1234");
  EXPECT_EQ(f.value("instantaneous_input_kbps"), "1.50");
  EXPECT_EQ(f.value("instantaneous_output_kbps"), "0.00");
}

TEST_F(InfoStatsSections, CommandstatsListsUsedRowsByFullNameInOrder) {
  h.run({"PING"});
  h.run({"PING"});
  h.run({"CONFIG", "GET", "hz"});
  h.run({"DBSIZE", "extra"});
  h.run({"CLIENT", "bogus"});
  ListSink f = collect(info::commandstats_section);
  std::vector<std::string> names;
  for (const auto& [name, value] : f.fields) names.push_back(name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"cmdstat_config|get", "cmdstat_dbsize", "cmdstat_ping"}));
  EXPECT_TRUE(std::regex_match(
      f.value("cmdstat_ping"),
      std::regex("calls=2,usec=\\d+,usec_per_call=\\d+\\.\\d\\d,rejected_calls=0,failed_calls=0")))
      << f.value("cmdstat_ping");
  EXPECT_EQ(f.value("cmdstat_dbsize"),
            "calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0");
}

TEST_F(InfoStatsSections, CommandstatsAveragesMicrosecondsPerCall) {
  Command* time = h.node().commands().find_mutable("time");
  time->calls = 3;
  time->usec = 10;
  time->failed_calls = 2;
  EXPECT_EQ(collect(info::commandstats_section).value("cmdstat_time"),
            "calls=3,usec=10,usec_per_call=3.33,rejected_calls=0,failed_calls=2");
}

TEST_F(InfoStatsSections, ErrorstatsCountsEachErrorCode) {
  h.node().stats().error_codes["WRONGTYPE"] = 1;
  h.node().stats().error_codes["ERR"] = 3;
  ListSink f = collect(info::errorstats_section);
  ASSERT_EQ(f.fields.size(), 2u);
  EXPECT_EQ(f.fields[0], std::make_pair(std::string("errorstat_ERR"), std::string("count=3")));
  EXPECT_EQ(f.fields[1],
            std::make_pair(std::string("errorstat_WRONGTYPE"), std::string("count=1")));
}

TEST_F(InfoStatsSections, KeyspaceListsNonEmptyDatabasesWithTheirExpires) {
  Keyspace& ks = h.node().keyspace();
  ks.db(0).set_string("a", "1");
  ks.db(0).set_expire(ks.db(0).set_string("b", "2"), 5'000'000'000'000);
  ks.db(3).set_string("c", "3");
  ListSink f = collect(info::keyspace_section);
  ASSERT_EQ(f.fields.size(), 2u);
  EXPECT_EQ(f.fields[0],
            std::make_pair(std::string("db0"), std::string("keys=2,expires=1,avg_ttl=0")));
  EXPECT_EQ(f.fields[1],
            std::make_pair(std::string("db3"), std::string("keys=1,expires=0,avg_ttl=0")));
}

}  // namespace
}  // namespace stashd
