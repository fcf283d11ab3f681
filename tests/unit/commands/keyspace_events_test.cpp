// Tests keyspace notifications end to end in-process: a subscriber of __keyspace@0__ and
// __keyevent@0__ channels receives events for writes, renames and expiry as notify-keyspace-events
// selects them.
#include <gtest/gtest.h>

#include "commands/harness.h"

namespace stashd::testing {
namespace {

class KeyspaceEventsTest : public ::testing::Test {
 protected:
  KeyspaceEventsTest() { h.node().add_client(&subscriber); }
  ~KeyspaceEventsTest() override { h.node().remove_client(&subscriber); }

  void subscribe(std::string_view pattern) {
    std::vector<std::string_view> args{"PSUBSCRIBE", pattern};
    h.node().dispatcher->execute(subscriber, args);
    subscriber.out.clear();
  }

  static std::string pmessage(std::string_view pattern, std::string_view channel,
                              std::string_view message) {
    return "*4\r\n" + bulk("pmessage") + bulk(pattern) + bulk(channel) + bulk(message);
  }

  CommandHarness h;
  Client subscriber{9, 0};
};

TEST_F(KeyspaceEventsTest, NothingIsPublishedByDefault) {
  subscribe("__key*");
  h.run({"SET", "k", "v"});
  EXPECT_EQ(subscriber.out, "");
}

TEST_F(KeyspaceEventsTest, KeyspaceAndKeyeventChannelsCarryTheEvent) {
  EXPECT_EQ(h.run({"CONFIG", "SET", "notify-keyspace-events", "KEA"}), kOk);
  EXPECT_EQ(h.run({"CONFIG", "GET", "notify-keyspace-events"}),
            "*2\r\n" + bulk("notify-keyspace-events") + bulk("AKE"));
  subscribe("__key*");
  h.run({"SET", "k", "v"});
  EXPECT_EQ(subscriber.out, pmessage("__key*", "__keyspace@0__:k", "set") +
                                pmessage("__key*", "__keyevent@0__:set", "k"));
}

TEST_F(KeyspaceEventsTest, ClassesSelectWhichEventsArePublished) {
  h.run({"CONFIG", "SET", "notify-keyspace-events", "Eg"});
  subscribe("__keyevent@0__:*");
  h.run({"SET", "k", "v"});       // string class: not selected
  h.run({"INCR", "n"});           // string class
  h.run({"RENAME", "k", "k2"});   // generic
  EXPECT_EQ(subscriber.out, pmessage("__keyevent@0__:*", "__keyevent@0__:rename_from", "k") +
                                pmessage("__keyevent@0__:*", "__keyevent@0__:rename_to", "k2"));
}

TEST_F(KeyspaceEventsTest, ExpiryPublishesExpired) {
  h.run({"CONFIG", "SET", "notify-keyspace-events", "Ex"});
  subscribe("__keyevent@0__:expired");
  h.run({"SET", "k", "v", "PX", "10"});
  h.clock().advance_ms(20);
  EXPECT_EQ(h.run({"GET", "k"}), kNil);
  EXPECT_EQ(subscriber.out, pmessage("__keyevent@0__:expired", "__keyevent@0__:expired", "k"));
}

TEST_F(KeyspaceEventsTest, IncrementsUseRedisEventNames) {
  h.run({"CONFIG", "SET", "notify-keyspace-events", "E$"});
  subscribe("*");
  h.run({"INCR", "n"});
  EXPECT_EQ(subscriber.out, pmessage("*", "__keyevent@0__:incrby", "n"));
}

TEST_F(KeyspaceEventsTest, InvalidFlagsAreRejected) {
  EXPECT_EQ(h.run({"CONFIG", "SET", "notify-keyspace-events", "Q"}),
            "-ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - "
            "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.\r\n");
}

}  // namespace
}  // namespace stashd::testing

namespace stashd::testing {
namespace {

class KeyspaceDeleteEventsTest : public KeyspaceEventsTest {};

TEST_F(KeyspaceDeleteEventsTest, EmptyingACollectionAlsoReportsDel) {
  h.run({"CONFIG", "SET", "notify-keyspace-events", "EA"});
  h.run({"RPUSH", "l", "a"});
  subscribe("*");
  h.run({"LPOP", "l"});
  EXPECT_EQ(subscriber.out, pmessage("*", "__keyevent@0__:lpop", "l") +
                                pmessage("*", "__keyevent@0__:del", "l"));
}

TEST_F(KeyspaceDeleteEventsTest, ExpireWithAPastDeadlineReportsDelOnly) {
  h.run({"CONFIG", "SET", "notify-keyspace-events", "Eg"});
  h.run({"SET", "k", "v"});
  subscribe("*");
  h.run({"EXPIRE", "k", "-1"});
  EXPECT_EQ(subscriber.out, pmessage("*", "__keyevent@0__:del", "k"));
}

}  // namespace
}  // namespace stashd::testing
