// Tests the Prometheus text rendering: HELP/TYPE per family, sample lines, escaping, numbers.
#include "stashd/admin/prometheus.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "commands/harness.h"
#include "stashd/admin/metrics.h"
#include "stashd/admin/stats_sampler.h"

namespace stashd {
namespace {

TEST(PrometheusText, EscapesHelpAndLabelValues) {
  EXPECT_EQ(prometheus_escape_help("a\\b\nc\"d"), "a\\\\b\\nc\"d");
  EXPECT_EQ(prometheus_escape_label("a\\b\nc\"d"), "a\\\\b\\nc\\\"d");
}

TEST(PrometheusText, FormatsIntegersExactlyAndFractionsShortest) {
  EXPECT_EQ(prometheus_number(0), "0");
  EXPECT_EQ(prometheus_number(123456789012), "123456789012");
  EXPECT_EQ(prometheus_number(-3), "-3");
  EXPECT_EQ(prometheus_number(0.25), "0.25");
  EXPECT_EQ(prometheus_number(1e-05), "1e-05");
  EXPECT_EQ(prometheus_number(1e300), "1e+300");
}

class PrometheusRender : public ::testing::Test {
 protected:
  ~PrometheusRender() override { forget_sampled_stats(h.node()); }
  testing::CommandHarness h;
};

TEST_F(PrometheusRender, EveryFamilyHasHelpAndTypeBeforeItsSamples) {
  h.run({"SET", "k", "v"});
  const std::string text = render_prometheus(h.node());
  for (const MetricDecl& d : metric_declarations()) {
    const std::string help = "# HELP " + std::string(d.name) + " ";
    const std::string type = "# TYPE " + std::string(d.name) + " ";
    size_t h_at = text.find(help);
    size_t t_at = text.find(type);
    ASSERT_NE(h_at, std::string::npos) << d.name;
    ASSERT_NE(t_at, std::string::npos) << d.name;
    EXPECT_LT(h_at, t_at);
    EXPECT_EQ(text.find(help, h_at + 1), std::string::npos) << d.name << " declared twice";
  }
  EXPECT_EQ(text.back(), '\n');
}

TEST_F(PrometheusRender, SampleLinesCarryLabelsAndValues) {
  h.run({"SET", "k", "v"});
  h.run({"SET", "k2", "v"});
  const std::string text = render_prometheus(h.node());
  EXPECT_NE(text.find("\nstashd_commands_total{cmd=\"set\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nstashd_command_errors_total{cmd=\"set\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("\nstashd_keys{db=\"0\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("\nstashd_replication_role{role=\"master\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE stashd_command_duration_seconds histogram\n"), std::string::npos);
  EXPECT_NE(
      text.find("\nstashd_command_duration_seconds_bucket{family=\"string\",le=\"+Inf\"} 2\n"),
      std::string::npos);
  EXPECT_NE(text.find("\nstashd_command_duration_seconds_count{family=\"string\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("\nstashd_loading 0\n"), std::string::npos);
  // Every line is a comment or "name[{labels}] value".
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("# ")) continue;
    size_t space = line.rfind(' ');
    ASSERT_NE(space, std::string::npos) << line;
    EXPECT_TRUE(line.starts_with("stashd_")) << line;
  }
}

}  // namespace
}  // namespace stashd
