// Tests pub/sub in-process: subscriptions, delivery to channel and pattern subscribers in RESP2 and
// RESP3, the RESP2 subscribed-mode restrictions, PUBSUB introspection.
#include <gtest/gtest.h>

#include "commands/harness.h"

namespace stashd::testing {
namespace {

class PubSubCommandsTest : public ::testing::Test {
 protected:
  PubSubCommandsTest() { h.node().add_client(&publisher); }
  ~PubSubCommandsTest() override { h.node().remove_client(&publisher); }

  std::string publish(std::string_view channel, std::string_view message) {
    publisher.out.clear();
    std::vector<std::string_view> args{"PUBLISH", channel, message};
    h.node().dispatcher->execute(publisher, args);
    return publisher.out;
  }

  CommandHarness h;
  Client publisher{2, 0};
};

TEST_F(PubSubCommandsTest, SubscribeConfirmsEachChannelWithTheCount) {
  EXPECT_EQ(h.run({"SUBSCRIBE", "a", "b"}),
            "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n");
}

TEST_F(PubSubCommandsTest, PublishDeliversToChannelAndPatternSubscribers) {
  h.run({"SUBSCRIBE", "news"});
  h.run({"PSUBSCRIBE", "n*"});
  h.client().out.clear();
  EXPECT_EQ(publish("news", "hi"), ":2\r\n");
  EXPECT_EQ(h.client().out,
            "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n"
            "*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$2\r\nhi\r\n");
  EXPECT_EQ(publish("other", "x"), ":0\r\n");
}

TEST_F(PubSubCommandsTest, Resp3MessagesArePushes) {
  h.hello3();
  h.run({"SUBSCRIBE", "c"});
  h.client().out.clear();
  publish("c", "m");
  EXPECT_EQ(h.client().out, ">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n");
  // RESP3 clients may run any command while subscribed.
  EXPECT_EQ(h.run({"GET", "k"}), "_\r\n");
}

TEST_F(PubSubCommandsTest, Resp2SubscribedClientsMayOnlyRunPubSubCommands) {
  h.run({"SUBSCRIBE", "c"});
  EXPECT_EQ(h.run({"GET", "k"}),
            "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
            "RESET are allowed in this context\r\n");
  EXPECT_EQ(h.run({"PING"}), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
  h.run({"UNSUBSCRIBE"});
  EXPECT_EQ(h.run({"GET", "k"}), kNil);
}

TEST_F(PubSubCommandsTest, UnsubscribeWithoutArgumentsLeavesEveryChannel) {
  h.run({"SUBSCRIBE", "a", "b"});
  EXPECT_EQ(h.run({"UNSUBSCRIBE"}),
            "*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:0\r\n");
  EXPECT_EQ(h.run({"UNSUBSCRIBE"}), "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n");
  EXPECT_EQ(publish("a", "x"), ":0\r\n");
}

TEST_F(PubSubCommandsTest, PubsubIntrospection) {
  h.run({"SUBSCRIBE", "alpha", "beta"});
  h.run({"PSUBSCRIBE", "x*"});
  EXPECT_EQ(publish("noop", "x"), ":0\r\n");
  std::vector<std::string_view> args{"PUBSUB", "NUMSUB", "alpha", "zeta"};
  publisher.out.clear();
  h.node().dispatcher->execute(publisher, args);
  EXPECT_EQ(publisher.out, "*4\r\n$5\r\nalpha\r\n:1\r\n$4\r\nzeta\r\n:0\r\n");
  args = {"PUBSUB", "NUMPAT"};
  publisher.out.clear();
  h.node().dispatcher->execute(publisher, args);
  EXPECT_EQ(publisher.out, ":1\r\n");
  args = {"PUBSUB", "CHANNELS", "a*"};
  publisher.out.clear();
  h.node().dispatcher->execute(publisher, args);
  EXPECT_EQ(publisher.out, "*1\r\n$5\r\nalpha\r\n");
}

TEST_F(PubSubCommandsTest, ResetAndDisconnectDropSubscriptions) {
  h.run({"SUBSCRIBE", "a"});
  h.run({"RESET"});
  EXPECT_EQ(publish("a", "x"), ":0\r\n");
}

}  // namespace
}  // namespace stashd::testing
