// Tests client-side caching in-process: default-mode tracking of read keys, invalidation after the
// writer's reply, BCAST prefixes, OPTIN/OPTOUT with CLIENT CACHING, NOLOOP, REDIRECT to a RESP2
// subscriber, expiry and FLUSHALL invalidations, and the option errors.
#include <gtest/gtest.h>

#include "commands/harness.h"

namespace stashd::testing {
namespace {

class TrackingTest : public ::testing::Test {
 protected:
  TrackingTest() {
    h.node().add_client(&writer);
    h.node().add_client(&listener);
  }
  ~TrackingTest() override {
    h.node().remove_client(&writer);
    h.node().remove_client(&listener);
  }

  std::string as(Client& c, std::vector<std::string_view> args) {
    c.out.clear();
    h.node().dispatcher->execute(c, args);
    return c.out;
  }

  static std::string invalidate(std::string_view key) {
    return ">2\r\n" + bulk("invalidate") + "*1\r\n" + bulk(key);
  }

  CommandHarness h;
  Client writer{2, 0};
  Client listener{3, 0};
};

TEST_F(TrackingTest, ReadKeysAreInvalidatedOnceWhenWritten) {
  h.hello3();
  EXPECT_EQ(h.run({"CLIENT", "TRACKING", "on"}), kOk);
  h.run({"GET", "k"});
  h.client().out.clear();
  as(writer, {"SET", "k", "1"});
  EXPECT_EQ(h.client().out, invalidate("k"));
  h.client().out.clear();
  as(writer, {"SET", "k", "2"});  // not read again since: no second invalidation
  EXPECT_EQ(h.client().out, "");
}

TEST_F(TrackingTest, OwnWriteGetsTheReplyBeforeTheInvalidationUnlessNoloop) {
  h.hello3();
  h.run({"CLIENT", "TRACKING", "on"});
  h.run({"GET", "k"});
  EXPECT_EQ(h.run({"SET", "k", "v"}), kOk + invalidate("k"));
  h.run({"CLIENT", "TRACKING", "on", "NOLOOP"});
  h.run({"GET", "k"});
  EXPECT_EQ(h.run({"SET", "k", "w"}), kOk);
}

TEST_F(TrackingTest, BroadcastModeFollowsPrefixes) {
  h.hello3();
  EXPECT_EQ(h.run({"CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "user:"}), kOk);
  h.client().out.clear();
  as(writer, {"SET", "user:1", "a"});
  as(writer, {"SET", "order:1", "b"});
  EXPECT_EQ(h.client().out, invalidate("user:1"));
}

TEST_F(TrackingTest, OptinTracksOnlyAfterCachingYes) {
  h.hello3();
  h.run({"CLIENT", "TRACKING", "on", "OPTIN"});
  h.run({"GET", "a"});
  EXPECT_EQ(h.run({"CLIENT", "CACHING", "yes"}), kOk);
  h.run({"GET", "b"});
  h.client().out.clear();
  as(writer, {"MSET", "a", "1", "b", "2"});
  EXPECT_EQ(h.client().out, invalidate("b"));
}

TEST_F(TrackingTest, OptoutSkipsTheCommandAfterCachingNo) {
  h.hello3();
  h.run({"CLIENT", "TRACKING", "on", "OPTOUT"});
  h.run({"CLIENT", "CACHING", "no"});
  h.run({"GET", "a"});
  h.run({"GET", "b"});
  h.client().out.clear();
  as(writer, {"MSET", "a", "1", "b", "2"});
  EXPECT_EQ(h.client().out, invalidate("b"));
}

TEST_F(TrackingTest, RedirectSendsToAResp2Subscriber) {
  as(listener, {"SUBSCRIBE", "__redis__:invalidate"});
  EXPECT_EQ(h.run({"CLIENT", "TRACKING", "on", "REDIRECT", "3"}), kOk);
  EXPECT_EQ(h.run({"CLIENT", "GETREDIR"}), integer(3));
  h.run({"GET", "k"});
  listener.out.clear();
  as(writer, {"DEL", "k"});
  EXPECT_EQ(listener.out, "");  // DEL of a missing key changes nothing
  as(writer, {"SET", "k", "v"});
  EXPECT_EQ(listener.out,
            "*3\r\n" + bulk("message") + bulk("__redis__:invalidate") + "*1\r\n" + bulk("k"));
}

TEST_F(TrackingTest, ExpiryAndFlushallInvalidate) {
  h.hello3();
  h.run({"CLIENT", "TRACKING", "on"});
  h.run({"SET", "k", "v", "PX", "10"});
  h.run({"GET", "k"});
  h.clock().advance_ms(20);
  h.client().out.clear();
  as(writer, {"GET", "k"});  // lazy expiry
  EXPECT_EQ(h.client().out, invalidate("k"));
  h.client().out.clear();
  as(writer, {"FLUSHALL"});
  EXPECT_EQ(h.client().out, ">2\r\n" + bulk("invalidate") + "_\r\n");
}

TEST_F(TrackingTest, OptionErrorsAreWordedAsRedis) {
  EXPECT_EQ(h.run({"CLIENT", "TRACKING", "on", "OPTIN", "OPTOUT"}),
            "-ERR You can't specify both OPTIN mode and OPTOUT mode\r\n");
  EXPECT_EQ(h.run({"CLIENT", "TRACKING", "on", "REDIRECT", "999"}),
            "-ERR The client ID you want redirect to does not exist\r\n");
  EXPECT_EQ(h.run({"CLIENT", "TRACKING", "on", "PREFIX", "a"}),
            "-ERR PREFIX option requires BCAST mode to be enabled\r\n");
  EXPECT_EQ(h.run({"CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a", "PREFIX", "ab"}),
            "-ERR Prefix 'a' overlaps with another provided prefix 'ab'. Prefixes for a single "
            "client must not overlap.\r\n");
  EXPECT_EQ(h.run({"CLIENT", "TRACKING", "on", "OPTIN", "BCAST"}),
            "-ERR OPTIN and OPTOUT are not compatible with BCAST\r\n");
  EXPECT_EQ(h.run({"CLIENT", "CACHING", "yes"}),
            "-ERR CLIENT CACHING can be called only when the client is in tracking mode with "
            "OPTIN or OPTOUT mode enabled\r\n");
  EXPECT_EQ(h.run({"CLIENT", "TRACKING", "maybe"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"CLIENT", "GETREDIR"}), integer(-1));
}

TEST_F(TrackingTest, TrackinginfoDescribesTheMode) {
  h.hello3();
  h.run({"CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "p", "NOLOOP"});
  EXPECT_EQ(h.run({"CLIENT", "TRACKINGINFO"}),
            "%3\r\n" + bulk("flags") + "~3\r\n" + bulk("on") + bulk("bcast") + bulk("noloop") +
                bulk("redirect") + integer(0) + bulk("prefixes") + "*1\r\n" + bulk("p"));
}

}  // namespace
}  // namespace stashd::testing
