// Tests the dispatcher: error strings for unknown commands, arity and subcommands, authentication,
// statistics, CLIENT REPLY modes and the MONITOR feed.
#include "stashd/command/dispatcher.h"

#include <gtest/gtest.h>

#include "stashd/command/context.h"
#include "stashd/common/clock.h"

namespace stashd {
namespace {

void echo_first(CommandContext& ctx) { ctx.out.bulk(ctx.arg(1)); }
void fail(CommandContext& ctx) { ctx.error("WRONGTYPE Operation against a key holding the wrong kind of value"); }
void reply_off(CommandContext& ctx) { ctx.client.reply_mode = ReplyMode::kOff; }
void reply_on(CommandContext& ctx) {
  ctx.client.reply_mode = ReplyMode::kOn;
  ctx.out.ok();
}

class DispatcherTest : public ::testing::Test {
 protected:
  DispatcherTest() : registry_(&config_), node_(&config_, &registry_, &clock_), dispatcher_(&node_) {
    CommandTable& t = node_.commands();
    t.add({"echo", 2, kCmdFast, 0, 0, 0, 0, echo_first, "connection", "1.0.0", "", ""});
    t.add({"fail", 1, 0, 0, 0, 0, 0, fail, "generic", "1.0.0", "", ""});
    t.add({"auth", -2, kCmdNoAuth, 0, 0, 0, 0, echo_first, "connection", "1.0.0", "", ""});
    t.add({"client", -2, 0, 0, 0, 0, 0, nullptr, "connection", "1.0.0", "", ""});
    t.add({"client|off", 2, 0, 0, 0, 0, 0, reply_off, "connection", "1.0.0", "", ""});
    t.add({"client|on", 2, 0, 0, 0, 0, 0, reply_on, "connection", "1.0.0", "", ""});
    client_.addr = "127.0.0.1:5000";
    node_.add_client(&client_);
  }

  std::string run(std::vector<std::string_view> args, Client* c = nullptr) {
    Client& target = c ? *c : client_;
    target.out.clear();
    dispatcher_.execute(target, args);
    return target.out;
  }

  Config config_;
  ConfigRegistry registry_;
  ManualClock clock_;
  NodeState node_;
  Dispatcher dispatcher_;
  Client client_{1, 0};
};

TEST_F(DispatcherTest, UnknownCommandQuotesTheFirstArguments) {
  EXPECT_EQ(run({"foo", "a", "b"}),
            "-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n");
  EXPECT_EQ(run({"foo"}), "-ERR unknown command 'foo', with args beginning with: \r\n");
  EXPECT_EQ(node_.stats().error_codes["ERR"], 2u);
}

TEST_F(DispatcherTest, WrongArityNamesTheCommand) {
  EXPECT_EQ(run({"ECHO"}), "-ERR wrong number of arguments for 'echo' command\r\n");
  EXPECT_EQ(run({"echo", "a", "b"}), "-ERR wrong number of arguments for 'echo' command\r\n");
  EXPECT_EQ(node_.commands().find("echo")->rejected_calls, 2u);
}

TEST_F(DispatcherTest, UnknownSubcommandSuggestsHelp) {
  EXPECT_EQ(run({"client", "nope"}), "-ERR unknown subcommand 'nope'. Try CLIENT HELP.\r\n");
  EXPECT_EQ(run({"client"}), "-ERR wrong number of arguments for 'client' command\r\n");
}

TEST_F(DispatcherTest, CountsCallsAndFailures) {
  run({"echo", "x"});
  run({"fail"});
  EXPECT_EQ(node_.commands().find("echo")->calls, 1u);
  EXPECT_EQ(node_.commands().find("fail")->failed_calls, 1u);
  EXPECT_EQ(node_.stats().error_codes["WRONGTYPE"], 1u);
  EXPECT_EQ(node_.stats().total_commands_processed, 2u);
  EXPECT_EQ(client_.last_command, node_.commands().find("fail"));
}

TEST_F(DispatcherTest, RequiresAuthenticationWhenAPasswordIsSet) {
  config_.requirepass = "secret";
  EXPECT_EQ(run({"echo", "x"}), "-NOAUTH Authentication required.\r\n");
  EXPECT_EQ(run({"auth", "x"}), "$1\r\nx\r\n");  // no_auth commands still run
  client_.authenticated = true;
  EXPECT_EQ(run({"echo", "x"}), "$1\r\nx\r\n");
}

TEST_F(DispatcherTest, ReplyOffSuppressesRepliesUntilOn) {
  EXPECT_EQ(run({"client", "off"}), "");
  EXPECT_EQ(run({"echo", "x"}), "");
  EXPECT_EQ(run({"client", "on"}), "+OK\r\n");
  EXPECT_EQ(run({"echo", "x"}), "$1\r\nx\r\n");
}

TEST_F(DispatcherTest, SkipSuppressesOnlyTheNextCommand) {
  client_.reply_mode = ReplyMode::kSkipNext;
  EXPECT_EQ(run({"echo", "x"}), "");
  EXPECT_EQ(run({"echo", "y"}), "$1\r\ny\r\n");
}

TEST_F(DispatcherTest, MonitorsSeeOtherClientsCommandsQuoted) {
  Client monitor{2, 0};
  monitor.flags |= kClientMonitor;
  node_.add_client(&monitor);
  node_.monitors().push_back(&monitor);
  clock_.set_ms(1'700'000'000'123);
  run({"echo", "a \"b\"\n"});
  EXPECT_EQ(monitor.out, "+1700000000.123000 [0 127.0.0.1:5000] \"echo\" \"a \\\"b\\\"\\n\"\r\n");
  node_.remove_client(&monitor);
}

TEST_F(DispatcherTest, SlowCommandsAreLoggedAboveTheThreshold) {
  config_.slowlog_log_slower_than = 0;
  run({"echo", "x"});
  ASSERT_EQ(node_.slowlog().entries().size(), 1u);
  EXPECT_EQ(node_.slowlog().entries().front().args, (std::vector<std::string>{"echo", "x"}));
  config_.slowlog_log_slower_than = -1;
  run({"echo", "y"});
  EXPECT_EQ(node_.slowlog().entries().size(), 1u);
}

TEST_F(DispatcherTest, PauseHoldsBackOnlyWritesInWriteMode) {
  node_.commands().add({"w", 1, kCmdWrite, 0, 0, 0, 0, fail, "generic", "1.0.0", "", ""});
  clock_.set_ms(1000);
  node_.pause_end_ms = 2000;
  node_.pause_writes_only = true;
  std::vector<std::string_view> write{"w"};
  std::vector<std::string_view> read{"echo", "x"};
  EXPECT_TRUE(dispatcher_.paused(client_, write));
  EXPECT_FALSE(dispatcher_.paused(client_, read));
  node_.pause_writes_only = false;
  EXPECT_TRUE(dispatcher_.paused(client_, read));
  clock_.set_ms(2000);
  EXPECT_FALSE(dispatcher_.paused(client_, read));
}

}  // namespace
}  // namespace stashd
