// Tests the metrics registry: the declarations' names and types, that each declared scalar is the
// value INFO prints under its field, and the labelled families' samples.
#include "../fake_replication.h"
#include "stashd/admin/metrics.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "commands/harness.h"
#include "stashd/admin/info.h"
#include "stashd/admin/stats_sampler.h"

namespace stashd {
namespace {

struct Sample {
  std::string suffix;
  std::map<std::string, std::string> labels;
  double value;
};

class ListWriter final : public MetricWriter {
 public:
  void sample(std::string_view suffix, std::span<const MetricLabel> labels, double value) override {
    Sample s{std::string(suffix), {}, value};
    for (const MetricLabel& l : labels) s.labels[std::string(l.name)] = std::string(l.value);
    samples.push_back(std::move(s));
  }
  std::vector<Sample> samples;
};

class FieldMap final : public InfoSink {
 public:
  void begin_section(InfoSection) override {}
  void field(std::string_view name, std::string_view value) override {
    fields[std::string(name)] = std::string(value);
  }
  std::map<std::string, std::string> fields;
};

const MetricDecl& find(std::string_view name) {
  for (const MetricDecl& d : metric_declarations()) {
    if (d.name == name) return d;
  }
  ADD_FAILURE() << "no metric " << name;
  return metric_declarations().front();
}

class Metrics : public ::testing::Test {
 protected:
  ~Metrics() override { forget_sampled_stats(h.node()); }
  std::vector<Sample> collect(std::string_view name) {
    MetricSource source(h.node());
    ListWriter writer;
    find(name).collect(source, writer);
    return writer.samples;
  }
  int64_t value(std::string_view name) {
    MetricSource source(h.node());
    return find(name).value(source);
  }
  std::map<std::string, std::string> info() {
    FieldMap sink;
    collect_info(h.node(), InfoSelection::all(), sink);
    return sink.fields;
  }
  testing::CommandHarness h;
};

TEST_F(Metrics, NamesAreUniquePrefixedAndCountersEndInTotal) {
  std::set<std::string_view> names;
  for (const MetricDecl& d : metric_declarations()) {
    EXPECT_TRUE(names.insert(d.name).second) << d.name;
    EXPECT_EQ(d.name.substr(0, 7), "stashd_") << d.name;
    EXPECT_FALSE(d.help.empty()) << d.name;
    EXPECT_EQ(d.type == MetricType::kCounter, d.name.ends_with("_total")) << d.name;
    EXPECT_NE(d.value == nullptr, d.collect == nullptr) << d.name << ": a value or a collector";
    EXPECT_EQ(d.info_format == InfoFormat::kNone, d.info_field.empty()) << d.name;
  }
}

TEST_F(Metrics, EveryIdNamesAScalarThatInfoPrintsUnderItsField) {
  h.run({"SET", "k", "v"});
  h.run({"GET", "k"});
  h.run({"GET", "missing"});
  const auto fields = info();
  for (int id = 0; id <= static_cast<int>(MetricId::kAofLastWriteSuccess); ++id) {
    const MetricDecl& d = metric(static_cast<MetricId>(id));
    ASSERT_NE(d.value, nullptr) << d.name;
    ASSERT_NE(d.info_format, InfoFormat::kNone) << d.name;
    auto it = fields.find(std::string(d.info_field));
    ASSERT_NE(it, fields.end()) << d.info_field;
    MetricSource source(h.node());
    const int64_t v = d.value(source);
    const std::string expected =
        d.info_format == InfoFormat::kOkErr ? (v ? "ok" : "err") : std::to_string(v);
    // Memory figures move between the two reads; everything else must be equal.
    if (d.info_section != InfoSection::kMemory) {
      EXPECT_EQ(it->second, expected) << d.name;
    }
  }
}

TEST_F(Metrics, ScalarsFollowTheNodesCounters) {
  h.run({"SET", "k", "v"});
  h.run({"GET", "k"});
  h.run({"GET", "nope"});
  EXPECT_EQ(value("stashd_keyspace_hits_total"), 1);
  EXPECT_EQ(value("stashd_keyspace_misses_total"), 1);
  EXPECT_EQ(value("stashd_commands_processed_total"), 3);
  EXPECT_EQ(value("stashd_rdb_changes_since_last_save"), 1);
  h.node().persistence.last_bgsave_ok = false;
  EXPECT_EQ(value("stashd_rdb_last_bgsave_success"), 0);
  EXPECT_EQ(info()["rdb_last_bgsave_status"], "err");
  h.node().start_time_ms = h.clock().now_ms() - 90'500;
  EXPECT_EQ(value("stashd_uptime_seconds"), 90);
  EXPECT_EQ(value("stashd_replication_link_up"), 1);
}

TEST_F(Metrics, CommandsAndErrorsAreCountedPerCommand) {
  h.run({"SET", "k", "v"});
  h.run({"SET", "k", "v", "EX", "0"});  // fails: invalid expire time
  h.run({"GET"});                       // rejected: wrong number of arguments
  h.run({"LPUSH", "k", "x"});           // fails: WRONGTYPE
  std::map<std::string, double> calls;
  for (const Sample& s : collect("stashd_commands_total")) calls[s.labels.at("cmd")] = s.value;
  std::map<std::string, double> errors;
  for (const Sample& s : collect("stashd_command_errors_total")) {
    errors[s.labels.at("cmd")] = s.value;
  }
  EXPECT_EQ(calls["set"], 2);
  EXPECT_EQ(errors["set"], 1);
  EXPECT_EQ(calls["get"], 0);
  EXPECT_EQ(errors["get"], 1);
  EXPECT_EQ(errors["lpush"], 1);
}

TEST_F(Metrics, DurationHistogramIsCumulativeAndEndsWithInfSumAndCount) {
  h.run({"SET", "a", "1"});
  h.run({"GET", "a"});
  const auto samples = collect("stashd_command_duration_seconds");
  ASSERT_EQ(samples.size(), kLatencyBucketBoundsUs.size() + 3);  // string only: one family ran
  double previous = 0;
  for (size_t i = 0; i < kLatencyBucketBoundsUs.size(); ++i) {
    EXPECT_EQ(samples[i].suffix, "_bucket");
    EXPECT_EQ(samples[i].labels.at("family"), "string");
    EXPECT_GE(samples[i].value, previous);
    previous = samples[i].value;
  }
  EXPECT_EQ(samples[0].labels.at("le"), "1e-05");
  EXPECT_EQ(samples[kLatencyBucketBoundsUs.size() - 1].labels.at("le"), "1");
  const Sample& inf = samples[kLatencyBucketBoundsUs.size()];
  EXPECT_EQ(inf.labels.at("le"), "+Inf");
  EXPECT_EQ(inf.value, 2);
  EXPECT_EQ(samples.back().suffix, "_count");
  EXPECT_EQ(samples.back().value, 2);
}

TEST_F(Metrics, KeysAndExpiringKeysAreReportedForEveryDatabase) {
  h.run({"SET", "a", "1"});
  h.run({"SET", "b", "1", "EX", "100"});
  const auto keys = collect("stashd_keys");
  ASSERT_EQ(keys.size(), 16u);
  EXPECT_EQ(keys[0].labels.at("db"), "0");
  EXPECT_EQ(keys[0].value, 2);
  EXPECT_EQ(keys[15].value, 0);
  EXPECT_EQ(collect("stashd_expiring_keys")[0].value, 1);
}

TEST_F(Metrics, ReplicationFamiliesReadTheReplicationStatus) {
  auto role = collect("stashd_replication_role");
  ASSERT_EQ(role.size(), 1u);
  EXPECT_EQ(role[0].labels.at("role"), "master");
  EXPECT_TRUE(collect("stashd_replica_lag_seconds").empty());

  testing::FakeReplication replication;
  replication.status_value.offset = 1234;
  replication.status_value.replicas = {{"127.0.0.1", 7001, "online", 1200, 3},
                                       {"127.0.0.1", 7002, "online", 1234, 0}};
  h.node().replication = &replication;
  const auto lag = collect("stashd_replica_lag_seconds");
  ASSERT_EQ(lag.size(), 2u);
  EXPECT_EQ(lag[0].labels.at("replica"), "127.0.0.1:7001");
  EXPECT_EQ(lag[0].value, 3);
  EXPECT_EQ(value("stashd_connected_replicas"), 2);
  EXPECT_EQ(value("stashd_replication_offset_bytes"), 1234);
  EXPECT_EQ(info()["master_repl_offset"], "1234");
  EXPECT_EQ(info()["connected_slaves"], "2");

  replication.status_value = {};
  replication.status_value.replica = true;
  replication.status_value.link_up = false;
  EXPECT_EQ(collect("stashd_replication_role")[0].labels.at("role"), "slave");
  EXPECT_EQ(value("stashd_replication_link_up"), 0);
  EXPECT_EQ(info()["role"], "slave");
  h.node().replication = nullptr;
}

}  // namespace
}  // namespace stashd
