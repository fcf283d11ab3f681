// Tests CONFIG in-process: GET SET RESETSTAT REWRITE HELP over a real ConfigRegistry.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "commands/harness.h"
#include "stashd/admin/stats_sampler.h"

namespace stashd::testing {
namespace {

class ConfigCommands : public ::testing::Test {
 protected:
  ~ConfigCommands() override { forget_sampled_stats(h.node()); }
  CommandHarness h;
};

TEST_F(ConfigCommands, GetRepliesMatchingOptionsAsNameValuePairs) {
  EXPECT_EQ(h.run({"CONFIG", "GET", "maxclients"}), "*2\r\n" + bulk("maxclients") + bulk("10000"));
  EXPECT_EQ(h.run({"CONFIG", "GET", "nothing-like-this"}), "*0\r\n");
}

TEST_F(ConfigCommands, GetWithSeveralPatternsListsEachOptionOnce) {
  EXPECT_EQ(h.run({"CONFIG", "GET", "port", "PORT", "maxclients"}),
            "*4\r\n" + bulk("port") + bulk("6379") + bulk("maxclients") + bulk("10000"));
}

TEST_F(ConfigCommands, GetRepliesAMapInResp3) {
  h.hello3();
  EXPECT_EQ(h.run({"CONFIG", "GET", "hz"}), "%1\r\n" + bulk("hz") + bulk("10"));
}

TEST_F(ConfigCommands, GetNeedsAPattern) {
  EXPECT_EQ(h.run({"CONFIG", "GET"}),
            "-ERR wrong number of arguments for 'config|get' command\r\n");
}

TEST_F(ConfigCommands, SetChangesSeveralOptionsAtOnce) {
  EXPECT_EQ(h.run({"CONFIG", "SET", "maxclients", "50", "slowlog-max-len", "5"}), kOk);
  EXPECT_EQ(h.config().maxclients, 50);
  EXPECT_EQ(h.config().slowlog_max_len, 5);
}

TEST_F(ConfigCommands, SetWithAnOddNumberOfArgumentsIsASyntaxError) {
  EXPECT_EQ(h.run({"CONFIG", "SET", "hz", "20", "maxclients"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"CONFIG", "SET", "hz"}),
            "-ERR wrong number of arguments for 'config|set' command\r\n");
  EXPECT_EQ(h.config().hz, 10);
}

TEST_F(ConfigCommands, SetRepliesTheRegistrysErrorAndChangesNothing) {
  EXPECT_EQ(h.run({"CONFIG", "SET", "bogus", "1"}),
            "-ERR Unknown option or number of arguments for CONFIG SET - 'bogus'\r\n");
  EXPECT_EQ(h.run({"CONFIG", "SET", "maxclients", "50", "hz", "abc"}),
            "-ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be "
            "parsed into an integer\r\n");
  EXPECT_EQ(h.config().maxclients, 10000);
}

TEST_F(ConfigCommands, ResetstatZeroesInfoCountersButKeepsTheSlowlog) {
  h.run({"PING"});
  h.run({"NOSUCHCOMMAND"});
  h.node().keyspace().stats().keyspace_hits = 5;
  std::string_view argv[] = {"PING"};
  h.node().slowlog().record(argv, 1, 2, "a", "", 128);
  EXPECT_EQ(h.run({"CONFIG", "RESETSTAT"}), kOk);
  EXPECT_EQ(h.node().stats().total_error_replies, 0u);
  EXPECT_TRUE(h.node().stats().error_codes.empty());
  EXPECT_EQ(h.node().keyspace().stats().keyspace_hits, 0u);
  EXPECT_EQ(h.node().commands().find("ping")->calls, 0u);
  EXPECT_EQ(h.node().slowlog().entries().size(), 1u);
  // The reset command itself is counted after it ran, as in Redis.
  EXPECT_EQ(h.node().commands().find("config")->find_subcommand("resetstat")->calls, 1u);
}

TEST_F(ConfigCommands, RewriteWithoutAConfigFileFails) {
  EXPECT_EQ(h.run({"CONFIG", "REWRITE"}), "-ERR The server is running without a config file\r\n");
}

TEST_F(ConfigCommands, RewriteWritesChangedOptionsToTheLoadedFile) {
  char path[] = "/tmp/stashd-config-cmds-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << "port: 6379\n";
  ASSERT_TRUE(h.node().config_registry().load_file(path));
  EXPECT_EQ(h.run({"CONFIG", "SET", "maxclients", "77"}), kOk);
  EXPECT_EQ(h.run({"CONFIG", "REWRITE"}), kOk);
  std::stringstream text;
  text << std::ifstream(path).rdbuf();
  EXPECT_NE(text.str().find("maxclients: 77"), std::string::npos) << text.str();
  std::remove(path);
}

TEST_F(ConfigCommands, HelpListsTheSubcommands) {
  EXPECT_EQ(h.run({"CONFIG", "HELP"}),
            "*11\r\n"
            "+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
            "+GET <pattern>\r\n"
            "+    Return parameters matching the glob-like <pattern> and their values.\r\n"
            "+SET <directive> <value>\r\n"
            "+    Set the configuration <directive> to <value>.\r\n"
            "+RESETSTAT\r\n"
            "+    Reset statistics reported by the INFO command.\r\n"
            "+REWRITE\r\n"
            "+    Rewrite the configuration file.\r\n"
            "+HELP\r\n"
            "+    Prints this help.\r\n");
}

}  // namespace
}  // namespace stashd::testing
