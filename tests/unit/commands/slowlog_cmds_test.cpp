// Tests SLOWLOG in-process: GET LEN RESET HELP over the node's slow log.
#include <gtest/gtest.h>

#include <string>

#include "commands/harness.h"

namespace stashd::testing {
namespace {

class SlowlogCommands : public ::testing::Test {
 protected:
  // Records an entry "<name> <arg>" as if the dispatcher had timed it.
  void record(std::string_view name, std::string_view arg, int64_t when) {
    std::string_view argv[] = {name, arg};
    h.node().slowlog().record(argv, when, 15000, "127.0.0.1:40000", "worker", 128);
  }
  CommandHarness h;
};

TEST_F(SlowlogCommands, GetRepliesNewestEntriesFirstWithEveryField) {
  record("GET", "a", 1000);
  record("SET", "b", 2000);
  EXPECT_EQ(h.run({"SLOWLOG", "GET", "1"}),
            "*1\r\n*6\r\n:1\r\n:2000\r\n:15000\r\n*2\r\n$3\r\nSET\r\n$1\r\nb\r\n"
            "$15\r\n127.0.0.1:40000\r\n$6\r\nworker\r\n");
}

TEST_F(SlowlogCommands, GetReturnsTenEntriesByDefaultAndAllWithMinusOne) {
  for (int i = 0; i < 12; ++i) record("GET", "k", i);
  EXPECT_EQ(h.run({"SLOWLOG", "GET"}).rfind("*10\r\n", 0), 0u);
  EXPECT_EQ(h.run({"SLOWLOG", "GET", "-1"}).rfind("*12\r\n", 0), 0u);
  EXPECT_EQ(h.run({"SLOWLOG", "GET", "0"}), "*0\r\n");
  EXPECT_EQ(h.run({"SLOWLOG", "GET", "100"}).rfind("*12\r\n", 0), 0u);
}

TEST_F(SlowlogCommands, GetRejectsCountsBelowMinusOne) {
  EXPECT_EQ(h.run({"SLOWLOG", "GET", "-2"}),
            "-ERR count should be greater than or equal to -1\r\n");
  EXPECT_EQ(h.run({"SLOWLOG", "GET", "many"}),
            "-ERR count should be greater than or equal to -1\r\n");
}

TEST_F(SlowlogCommands, GetWithTooManyArgumentsNamesTheSubcommandAsTyped) {
  EXPECT_EQ(h.run({"SLOWLOG", "get", "1", "2"}),
            "-ERR unknown subcommand or wrong number of arguments for 'get'. Try SLOWLOG "
            "HELP.\r\n");
}

TEST_F(SlowlogCommands, LenCountsAndResetEmptiesTheLog) {
  record("GET", "a", 1);
  record("GET", "b", 2);
  EXPECT_EQ(h.run({"SLOWLOG", "LEN"}), ":2\r\n");
  EXPECT_EQ(h.run({"SLOWLOG", "RESET"}), kOk);
  EXPECT_EQ(h.run({"SLOWLOG", "LEN"}), ":0\r\n");
}

TEST_F(SlowlogCommands, CommandsSlowerThanTheThresholdAreLogged) {
  h.config().slowlog_log_slower_than = 0;
  h.run({"PING"});
  EXPECT_EQ(h.run({"SLOWLOG", "LEN"}), ":1\r\n");
  std::string reply = h.run({"SLOWLOG", "GET"});
  EXPECT_NE(reply.find("*1\r\n$4\r\nPING\r\n$15\r\n127.0.0.1:40000\r\n"), std::string::npos);
}

TEST_F(SlowlogCommands, HelpListsTheSubcommands) {
  std::string reply = h.run({"SLOWLOG", "HELP"});
  EXPECT_EQ(reply.rfind("*12\r\n+SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
                        "\r\n+GET [<count>]\r\n",
                        0),
            0u);
}

}  // namespace
}  // namespace stashd::testing
