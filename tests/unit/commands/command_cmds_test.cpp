// Tests COMMAND in-process: the bare form, COUNT INFO DOCS LIST GETKEYS HELP, and COMMAND's own
// subcommand routing.
#include <gtest/gtest.h>

#include <string>

#include "commands/harness.h"

namespace stashd::testing {
namespace {

void noop(CommandContext&) {}

class CommandCommands : public ::testing::Test {
 protected:
  CommandCommands() {
    // A keyed row of MSET's shape, so GETKEYS does not depend on other families.
    h.node().commands().add({"msetlike", -3, kCmdWrite | kCmdDenyOom, 1, -1, 2,
                             kAclWrite | kAclString, noop, "string", "1.0.1", "Test row.", "O(N)"});
  }
  bool contains(const std::string& reply, const std::string& part) {
    return reply.find(part) != std::string::npos;
  }
  CommandHarness h;
};

TEST_F(CommandCommands, CountIsTheNumberOfTopLevelRows) {
  EXPECT_EQ(h.run({"COMMAND", "COUNT"}), integer(static_cast<int64_t>(h.node().commands().size())));
}

TEST_F(CommandCommands, BareCommandDescribesEveryRow) {
  std::string reply = h.run({"COMMAND"});
  EXPECT_EQ(reply.rfind("*" + std::to_string(h.node().commands().size()) + "\r\n*10\r\n", 0), 0u);
  EXPECT_TRUE(contains(reply, bulk("client|kill")));
}

TEST_F(CommandCommands, InfoDescribesARowAsRedisDoes) {
  EXPECT_EQ(h.run({"COMMAND", "INFO", "time"}),
            "*1\r\n*10\r\n$4\r\ntime\r\n:1\r\n*3\r\n+loading\r\n+stale\r\n+fast\r\n:0\r\n:0\r\n"
            ":0\r\n*1\r\n+@fast\r\n*0\r\n*0\r\n*0\r\n");
}

TEST_F(CommandCommands, InfoListsKeyPositionsAndCategoriesInRedisOrder) {
  EXPECT_EQ(h.run({"COMMAND", "INFO", "msetlike"}),
            "*1\r\n*10\r\n$8\r\nmsetlike\r\n:-3\r\n*2\r\n+write\r\n+denyoom\r\n:1\r\n:-1\r\n:2\r\n"
            "*3\r\n+@write\r\n+@string\r\n+@slow\r\n*0\r\n*0\r\n*0\r\n");
  EXPECT_TRUE(contains(h.run({"COMMAND", "INFO", "client|kill"}),
                       "*4\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n+@connection\r\n"));
}

TEST_F(CommandCommands, InfoNestsSubcommandRows) {
  std::string reply = h.run({"COMMAND", "INFO", "config"});
  EXPECT_EQ(reply.rfind("*1\r\n*10\r\n$6\r\nconfig\r\n:-2\r\n*0\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@slow"
                        "\r\n*0\r\n*0\r\n*5\r\n*10\r\n$10\r\nconfig|get\r\n:-3\r\n",
                        0),
            0u);
}

TEST_F(CommandCommands, InfoOfCommandListsItsOwnSubcommands) {
  std::string reply = h.run({"COMMAND", "INFO", "command"});
  EXPECT_TRUE(contains(reply, "*6\r\n*10\r\n$13\r\ncommand|count\r\n:2\r\n"));
  EXPECT_TRUE(contains(reply, bulk("command|getkeys") + ":-4\r\n"));
}

TEST_F(CommandCommands, InfoAcceptsSubcommandNamesAndRepliesNullForUnknownOnes) {
  std::string reply = h.run({"COMMAND", "INFO", "nosuch", "CONFIG|GET", "config|nosuch"});
  EXPECT_EQ(reply.rfind("*3\r\n$-1\r\n*10\r\n$10\r\nconfig|get\r\n", 0), 0u);
  EXPECT_EQ(reply.substr(reply.size() - 5), "$-1\r\n");
}

TEST_F(CommandCommands, InfoUsesSetsAndNullInResp3) {
  h.hello3();
  EXPECT_EQ(h.run({"COMMAND", "INFO", "time", "nosuch"}),
            "*2\r\n*10\r\n$4\r\ntime\r\n:1\r\n~3\r\n+loading\r\n+stale\r\n+fast\r\n:0\r\n:0\r\n"
            ":0\r\n~1\r\n+@fast\r\n~0\r\n~0\r\n~0\r\n_\r\n");
}

TEST_F(CommandCommands, InfoSendsSubcommandsAsAnArrayInResp3) {
  h.hello3();
  EXPECT_EQ(
      h.run({"COMMAND", "INFO", "slowlog"})
          .rfind("*1\r\n*10\r\n$7\r\nslowlog\r\n:-2\r\n~0\r\n:0\r\n:0\r\n:0\r\n~1\r\n+@slow\r\n"
                 "~0\r\n~0\r\n*4\r\n*10\r\n",
                 0),
      0u);
}

TEST_F(CommandCommands, DocsDescribesCommands) {
  EXPECT_EQ(h.run({"COMMAND", "DOCS", "time", "nosuch"}),
            "*2\r\n" + bulk("time") + "*8\r\n" + bulk("summary") +
                bulk("Return the current server time") + bulk("since") + bulk("2.6.0") +
                bulk("group") + bulk("server") + bulk("complexity") + bulk("O(1)"));
}

TEST_F(CommandCommands, DocsOmitsAnEmptyComplexityAndUsesMapsInResp3) {
  h.hello3();
  EXPECT_EQ(h.run({"COMMAND", "DOCS", "monitor"}),
            "%1\r\n" + bulk("monitor") + "%3\r\n" + bulk("summary") +
                bulk("Listen for all requests received by the server in real time") +
                bulk("since") + bulk("1.0.0") + bulk("group") + bulk("server"));
}

TEST_F(CommandCommands, DocsNestSubcommands) {
  std::string reply = h.run({"COMMAND", "DOCS", "slowlog"});
  EXPECT_TRUE(contains(reply, bulk("subcommands") + "*8\r\n" + bulk("slowlog|get") + "*8\r\n"));
}

TEST_F(CommandCommands, DocsWithoutNamesCoversEveryCommand) {
  std::string reply = h.run({"COMMAND", "DOCS"});
  EXPECT_EQ(reply.rfind("*" + std::to_string(2 * h.node().commands().size()) + "\r\n", 0), 0u);
}

TEST_F(CommandCommands, ListNamesCommandsAndSubcommands) {
  std::string reply = h.run({"COMMAND", "LIST"});
  EXPECT_TRUE(contains(reply, bulk("config") + bulk("config|get")));
  EXPECT_TRUE(contains(reply, bulk("command") + bulk("command|count")));
}

TEST_F(CommandCommands, ListFiltersByPatternCategoryAndModule) {
  std::string slow = h.run({"COMMAND", "LIST", "FILTERBY", "PATTERN", "SLOWLOG*"});
  EXPECT_EQ(slow, "*5\r\n" + bulk("slowlog") + bulk("slowlog|get") + bulk("slowlog|len") +
                      bulk("slowlog|reset") + bulk("slowlog|help"));
  std::string string_rows = h.run({"COMMAND", "LIST", "FILTERBY", "ACLCAT", "String"});
  EXPECT_TRUE(contains(string_rows, bulk("msetlike")));
  EXPECT_FALSE(contains(string_rows, bulk("config")));
  EXPECT_EQ(h.run({"COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuch"}), "*0\r\n");
  EXPECT_EQ(h.run({"COMMAND", "LIST", "FILTERBY", "MODULE", "json"}), "*0\r\n");
}

TEST_F(CommandCommands, ListRejectsOtherArguments) {
  EXPECT_EQ(h.run({"COMMAND", "LIST", "FILTERBY"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"COMMAND", "LIST", "FILTERBY", "NAME", "x"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"COMMAND", "LIST", "x", "PATTERN", "x"}), "-ERR syntax error\r\n");
}

TEST_F(CommandCommands, GetkeysExtractsTheKeyArguments) {
  EXPECT_EQ(h.run({"COMMAND", "GETKEYS", "MSETLIKE", "a", "1", "b", "2"}),
            "*2\r\n" + bulk("a") + bulk("b"));
}

TEST_F(CommandCommands, GetkeysExplainsWhyItFoundNoKeys) {
  EXPECT_EQ(h.run({"COMMAND", "GETKEYS", "nosuch", "a"}), "-ERR Invalid command specified\r\n");
  EXPECT_EQ(h.run({"COMMAND", "GETKEYS", "client", "nosuch"}),
            "-ERR Invalid command specified\r\n");
  EXPECT_EQ(h.run({"COMMAND", "GETKEYS", "config", "get"}),
            "-ERR The command has no key arguments\r\n");
  EXPECT_EQ(h.run({"COMMAND", "GETKEYS", "msetlike", "a"}),
            "-ERR Invalid number of arguments specified for command\r\n");
  EXPECT_EQ(h.run({"COMMAND", "GETKEYS", "msetlike"}),
            "-ERR wrong number of arguments for 'command|getkeys' command\r\n");
}

TEST_F(CommandCommands, UnknownSubcommandsAndArityAreRejectedLikeContainers) {
  EXPECT_EQ(h.run({"COMMAND", "bogus"}), "-ERR unknown subcommand 'bogus'. Try COMMAND HELP.\r\n");
  EXPECT_EQ(h.run({"COMMAND", "COUNT", "x"}),
            "-ERR wrong number of arguments for 'command|count' command\r\n");
}

TEST_F(CommandCommands, HelpListsTheSubcommands) {
  std::string reply = h.run({"COMMAND", "HELP"});
  EXPECT_EQ(reply.rfind("*19\r\n+COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
                        "\r\n+(no subcommand)\r\n",
                        0),
            0u);
}

}  // namespace
}  // namespace stashd::testing
