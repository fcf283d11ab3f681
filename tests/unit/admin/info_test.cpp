// Tests INFO's section selection, its text format, collection into a sink, and the CONFIG
// RESETSTAT counter reset.
#include "stashd/admin/info.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "commands/harness.h"
#include "stashd/admin/stats_sampler.h"

namespace stashd {
namespace {

constexpr InfoSection kEverySection[] = {
    InfoSection::kServer,      InfoSection::kClients, InfoSection::kMemory,
    InfoSection::kPersistence, InfoSection::kStats,   InfoSection::kReplication,
    InfoSection::kCpu,         InfoSection::kModules, InfoSection::kCommandstats,
    InfoSection::kErrorstats,  InfoSection::kCluster, InfoSection::kKeyspace,
};

std::vector<InfoSection> selected(std::vector<std::string_view> args) {
  InfoSelection s = InfoSelection::parse(args);
  std::vector<InfoSection> out;
  for (InfoSection section : kEverySection) {
    if (s.has(section)) out.push_back(section);
  }
  return out;
}

std::vector<InfoSection> every_section_but_commandstats() {
  std::vector<InfoSection> out;
  for (InfoSection section : kEverySection) {
    if (section != InfoSection::kCommandstats) out.push_back(section);
  }
  return out;
}

class RecordingSink : public InfoSink {
 public:
  void begin_section(InfoSection section) override { sections.push_back(section); }
  void field(std::string_view name, std::string_view) override { names.emplace_back(name); }
  std::vector<InfoSection> sections;
  std::vector<std::string> names;
};

class Info : public ::testing::Test {
 protected:
  ~Info() override { forget_sampled_stats(h.node()); }
  testing::CommandHarness h;
};

TEST(InfoSelection, NoArgumentsSelectsEverySectionButCommandstats) {
  EXPECT_EQ(selected({}), every_section_but_commandstats());
  EXPECT_EQ(selected({"default"}), every_section_but_commandstats());
}

TEST(InfoSelection, AllAndEverythingSelectEverySection) {
  std::vector<InfoSection> every(std::begin(kEverySection), std::end(kEverySection));
  EXPECT_EQ(selected({"all"}), every);
  EXPECT_EQ(selected({"EVERYTHING"}), every);
  EXPECT_EQ(selected({"default", "commandstats"}), every);
}

TEST(InfoSelection, NamesAreCaseInsensitiveAndUnknownNamesSelectNothing) {
  EXPECT_EQ(selected({"CPU", "Keyspace", "bogus"}),
            (std::vector<InfoSection>{InfoSection::kCpu, InfoSection::kKeyspace}));
  EXPECT_TRUE(selected({"bogus"}).empty());
}

TEST(InfoSelection, SectionsHaveRedisTitlesAndNames) {
  EXPECT_EQ(info_section_title(InfoSection::kCpu), "CPU");
  EXPECT_EQ(info_section_name(InfoSection::kCpu), "cpu");
  EXPECT_EQ(info_section_title(InfoSection::kCommandstats), "Commandstats");
}

TEST_F(Info, TextSeparatesSectionsWithABlankLine) {
  std::string_view args[] = {"cluster", "modules"};
  EXPECT_EQ(render_info(h.node(), InfoSelection::parse(args)),
            "# Modules\r\n\r\n# Cluster\r\ncluster_enabled:0\r\n");
}

TEST_F(Info, TextOfNoSectionIsEmpty) {
  std::string_view args[] = {"bogus"};
  EXPECT_EQ(render_info(h.node(), InfoSelection::parse(args)), "");
}

TEST_F(Info, EveryFieldLineIsNameColonValue) {
  std::string text = render_info(h.node(), InfoSelection::all());
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line[0] != '#') {
      EXPECT_NE(line.find(':'), std::string::npos) << line;
    }
    start = end + 2;
  }
}

TEST_F(Info, CollectFeedsSelectedSectionsInInfoOrder) {
  std::string_view args[] = {"keyspace", "server"};
  RecordingSink sink;
  collect_info(h.node(), InfoSelection::parse(args), sink);
  EXPECT_EQ(sink.sections,
            (std::vector<InfoSection>{InfoSection::kServer, InfoSection::kKeyspace}));
  ASSERT_FALSE(sink.names.empty());
  EXPECT_EQ(sink.names.front(), "redis_version");
}

TEST_F(Info, ResetZeroesCountersButKeepsTheSlowlogAndThePeak) {
  NodeState& node = h.node();
  h.run({"PING"});
  h.run({"DBSIZE", "extra"});
  node.stats().total_net_input_bytes = 100;
  node.keyspace().stats().expired_keys = 3;
  node.keyspace().stats().keyspace_misses = 4;
  std::string_view argv[] = {"PING"};
  node.slowlog().record(argv, 1, 2, "a", "", 128);
  SampledStats& sampled = sampled_stats(node);
  sampled.ops.sample(0, 0);
  sampled.ops.sample(1000, 10);
  sampled.used_memory_peak = 999;
  sampled.expired_stale_perc = 12.5;
  node.keyspace().stats().evicted_keys = 5;

  reset_info_stats(node);

  EXPECT_EQ(node.stats().total_commands_processed, 0u);
  EXPECT_EQ(node.stats().total_net_input_bytes, 0u);
  EXPECT_EQ(node.stats().total_error_replies, 0u);
  EXPECT_TRUE(node.stats().error_codes.empty());
  EXPECT_EQ(node.keyspace().stats().expired_keys, 0u);
  EXPECT_EQ(node.keyspace().stats().keyspace_misses, 0u);
  EXPECT_EQ(node.commands().find("ping")->calls, 0u);
  EXPECT_EQ(node.commands().find("dbsize")->rejected_calls, 0u);
  EXPECT_EQ(node.keyspace().stats().evicted_keys, 0u);
  EXPECT_EQ(sampled.ops.per_second(), 0);
  EXPECT_EQ(sampled.expired_stale_perc, 0);
  EXPECT_EQ(sampled.used_memory_peak, 999u);
  EXPECT_EQ(node.slowlog().entries().size(), 1u);
}

// A value with nothing in it, to hand to the lazy freer.
class EmptyValue : public ValueObject {
 public:
  const char* encoding_name() const override { return "empty"; }
  size_t memory_usage() const override { return sizeof(*this); }
  std::unique_ptr<ValueObject> clone() const override { return std::make_unique<EmptyValue>(); }
};

TEST_F(Info, ResetZeroesTheLazilyFreedCount) {
  LazyFreer& lazy = h.node().keyspace().lazy_free();
  lazy.submit(std::make_unique<EmptyValue>());
  lazy.drain();
  ASSERT_EQ(lazy.freed(), 1u);
  reset_info_stats(h.node());
  EXPECT_EQ(lazy.freed(), 0u);
}

TEST_F(Info, ResetZeroesSubcommandStatistics) {
  h.run({"CONFIG", "GET", "hz"});
  reset_info_stats(h.node());
  EXPECT_EQ(h.node().commands().find("config")->find_subcommand("get")->calls, 0u);
}

}  // namespace
}  // namespace stashd
