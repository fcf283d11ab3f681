// Tests the connection family in-process: PING ECHO SELECT AUTH HELLO RESET QUIT.
#include <gtest/gtest.h>

#include "commands/harness.h"

namespace stashd::testing {
namespace {

TEST(ConnectionCommands, PingRepliesPongOrItsArgument) {
  CommandHarness h;
  EXPECT_EQ(h.run({"PING"}), "+PONG\r\n");
  EXPECT_EQ(h.run({"PING", "hi"}), bulk("hi"));
  EXPECT_EQ(h.run({"PING", "a", "b"}), "-ERR wrong number of arguments for 'ping' command\r\n");
}

TEST(ConnectionCommands, EchoIsBinarySafe) {
  CommandHarness h;
  EXPECT_EQ(h.run({"ECHO", std::string_view("a\0\r\nb", 5)}), bulk(std::string_view("a\0\r\nb", 5)));
}

TEST(ConnectionCommands, SelectChecksTheIndex) {
  CommandHarness h;
  EXPECT_EQ(h.run({"SELECT", "15"}), kOk);
  EXPECT_EQ(h.client().db, 15);
  EXPECT_EQ(h.run({"SELECT", "16"}), "-ERR DB index is out of range\r\n");
  EXPECT_EQ(h.run({"SELECT", "-1"}), "-ERR DB index is out of range\r\n");
  EXPECT_EQ(h.run({"SELECT", "x"}), "-ERR value is not an integer or out of range\r\n");
}

TEST(ConnectionCommands, AuthWithoutPasswordConfiguredIsAnError) {
  CommandHarness h;
  EXPECT_EQ(h.run({"AUTH", "x"}),
            "-ERR AUTH <password> called without any password configured for the default user. "
            "Are you sure your configuration is correct?\r\n");
}

TEST(ConnectionCommands, AuthChecksThePassword) {
  CommandHarness h;
  h.config().requirepass = "s3cret";
  h.client().authenticated = false;
  EXPECT_EQ(h.run({"PING"}), "-NOAUTH Authentication required.\r\n");
  EXPECT_EQ(h.run({"AUTH", "wrong"}),
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  EXPECT_EQ(h.run({"AUTH", "other", "s3cret"}),
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  EXPECT_EQ(h.run({"AUTH", "default", "s3cret"}), kOk);
  EXPECT_EQ(h.run({"PING"}), "+PONG\r\n");
}

TEST(ConnectionCommands, HelloSwitchesProtocolAndRepliesAMap) {
  CommandHarness h;
  std::string reply = h.run({"HELLO", "3"});
  EXPECT_EQ(reply.substr(0, 4), "%7\r\n");
  EXPECT_NE(reply.find("$5\r\nproto\r\n:3\r\n"), std::string::npos);
  EXPECT_EQ(h.client().protocol(), 3);
  reply = h.run({"HELLO", "2"});
  EXPECT_EQ(reply.substr(0, 5), "*14\r\n");
  EXPECT_EQ(h.run({"HELLO", "4"}), "-NOPROTO unsupported protocol version\r\n");
  EXPECT_EQ(h.run({"HELLO", "x"}), "-ERR Protocol version is not an integer or out of range\r\n");
}

TEST(ConnectionCommands, HelloCanAuthenticateAndSetTheName) {
  CommandHarness h;
  h.config().requirepass = "pw";
  h.client().authenticated = false;
  EXPECT_EQ(h.run({"HELLO", "3"}).substr(0, 7), "-NOAUTH");
  EXPECT_EQ(h.run({"HELLO", "3", "AUTH", "default", "pw", "SETNAME", "app"}).substr(0, 4), "%7\r\n");
  EXPECT_TRUE(h.client().authenticated);
  EXPECT_EQ(h.client().name, "app");
}

TEST(ConnectionCommands, ResetRestoresConnectionDefaults) {
  CommandHarness h;
  h.run({"SELECT", "3"});
  h.run({"HELLO", "3"});
  EXPECT_EQ(h.run({"RESET"}), "+RESET\r\n");
  EXPECT_EQ(h.client().db, 0);
  EXPECT_EQ(h.client().protocol(), 2);
}

TEST(ConnectionCommands, QuitRepliesOkAndMarksTheClientForClosing) {
  CommandHarness h;
  EXPECT_EQ(h.run({"QUIT"}), kOk);
  EXPECT_TRUE(h.client().has(kClientCloseAfterReply));
}

}  // namespace
}  // namespace stashd::testing
