// Tests DUMP and RESTORE in-process: round trips of every type, TTL handling (relative, ABSTTL, in
// the past), REPLACE, IDLETIME and FREQ under each policy kind, every error reply, the "restore"
// keyspace event, WATCH invalidation and the command table rows.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <xxhash.h>

#include "commands/harness.h"
#include "persist/wire.h"

namespace stashd::testing {
namespace {

using ::testing::HasSubstr;

// DUMP's payload (the bulk string's content), or "" for a nil reply.
std::string dump(CommandHarness& h, std::string_view key) {
  std::string r = h.run({"DUMP", key});
  if (r == kNil) return "";
  size_t start = r.find("\r\n") + 2;
  return r.substr(start, r.size() - start - 2);
}

std::string digest(CommandHarness& h, std::string_view key) {
  return h.run({"DEBUG", "DIGEST-VALUE", key});
}

class DumpCmdsTest : public ::testing::Test {
 protected:
  CommandHarness h;
};

TEST_F(DumpCmdsTest, DumpOfAMissingKeyIsNil) { EXPECT_EQ(h.run({"DUMP", "nope"}), kNil); }

TEST_F(DumpCmdsTest, RoundTripsEveryType) {
  h.run({"SET", "s", "hello"});
  h.run({"SET", "n", "42"});
  h.run({"SET", "big", std::string(70000, 'b')});
  h.run({"RPUSH", "l", "a", "b", "3"});
  h.run({"SADD", "set", "x", "y"});
  h.run({"SADD", "ints", "1", "2"});
  h.run({"HSET", "h", "f", "v"});
  h.run({"ZADD", "z", "1.5", "a", "-2", "b"});
  for (std::string_view key : {"s", "n", "big", "l", "set", "ints", "h", "z"}) {
    std::string payload = dump(h, key);
    std::string copy = std::string(key) + ":copy";
    EXPECT_EQ(h.run({"RESTORE", copy, "0", payload}), kOk) << key;
    EXPECT_EQ(digest(h, copy), digest(h, key)) << key;
    EXPECT_EQ(h.run({"OBJECT", "ENCODING", copy}), h.run({"OBJECT", "ENCODING", key})) << key;
    EXPECT_EQ(h.run({"TTL", copy}), integer(-1)) << key;
  }
}

TEST_F(DumpCmdsTest, DumpHonoursRdbcompression) {
  h.run({"SET", "k", std::string(10000, 'a')});
  EXPECT_LT(dump(h, "k").size(), 200u);
  h.run({"CONFIG", "SET", "rdbcompression", "no"});
  EXPECT_GT(dump(h, "k").size(), 10000u);
}

TEST_F(DumpCmdsTest, ExistingKeyNeedsReplace) {
  h.run({"SET", "src", "new"});
  h.run({"SET", "dst", "old", "EX", "100"});
  std::string payload = dump(h, "src");
  EXPECT_EQ(h.run({"RESTORE", "dst", "0", payload}),
            "-BUSYKEY Target key name already exists.\r\n");
  EXPECT_EQ(h.run({"RESTORE", "dst", "0", payload, "REPLACE"}), kOk);
  EXPECT_EQ(h.run({"GET", "dst"}), bulk("new"));
  EXPECT_EQ(h.run({"TTL", "dst"}), integer(-1));
}

TEST_F(DumpCmdsTest, TtlIsRelativeOrAbsolute) {
  h.run({"SET", "k", "v"});
  std::string payload = dump(h, "k");
  EXPECT_EQ(h.run({"RESTORE", "rel", "5000", payload}), kOk);
  EXPECT_EQ(h.run({"PTTL", "rel"}), integer(5000));
  std::string abs = std::to_string(h.clock().now_ms() + 7000);
  EXPECT_EQ(h.run({"RESTORE", "abs", abs, payload, "ABSTTL"}), kOk);
  EXPECT_EQ(h.run({"PTTL", "abs"}), integer(7000));
  h.clock().advance_ms(5001);
  EXPECT_EQ(h.run({"EXISTS", "rel"}), integer(0));
}

TEST_F(DumpCmdsTest, ARelativeTtlPropagatesAsAnAbsoluteDeadline) {
  h.run({"SET", "k", "v"});
  std::string payload = dump(h, "k");
  PropagationRecorder rec(h.node());
  const std::string at = std::to_string(h.clock().now_ms() + 5000);
  EXPECT_EQ(h.run({"RESTORE", "rel", "5000", payload, "REPLACE"}), kOk);
  EXPECT_EQ(h.run({"RESTORE", "plain", "0", payload}), kOk);
  EXPECT_EQ(rec.take_argvs(),
            (std::vector<std::vector<std::string>>{
                {"RESTORE", "rel", at, payload, "ABSTTL", "REPLACE"},
                {"RESTORE", "plain", "0", payload}}));
  // A deadline already past that replaced a key propagates the delete.
  const std::string past = std::to_string(h.clock().now_ms() - 1);
  EXPECT_EQ(h.run({"RESTORE", "plain", past, payload, "ABSTTL", "REPLACE"}), kOk);
  EXPECT_EQ(rec.take_argvs(), (std::vector<std::vector<std::string>>{{"DEL", "plain"}}));
}

TEST_F(DumpCmdsTest, AbsttlInThePastRepliesOkWithoutAKey) {
  h.run({"SET", "k", "v"});
  std::string payload = dump(h, "k");
  std::string past = std::to_string(h.clock().now_ms() - 1);
  EXPECT_EQ(h.run({"RESTORE", "gone", past, payload, "ABSTTL"}), kOk);
  EXPECT_EQ(h.run({"EXISTS", "gone"}), integer(0));
  // With REPLACE an existing key is deleted.
  EXPECT_EQ(h.run({"RESTORE", "k", past, payload, "ABSTTL", "REPLACE"}), kOk);
  EXPECT_EQ(h.run({"EXISTS", "k"}), integer(0));
}

TEST_F(DumpCmdsTest, RefusesBadArguments) {
  h.run({"SET", "k", "v"});
  std::string payload = dump(h, "k");
  EXPECT_EQ(h.run({"RESTORE", "x", "-1", payload}), "-ERR Invalid TTL value, must be >= 0\r\n");
  EXPECT_EQ(h.run({"RESTORE", "x", "soon", payload}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"RESTORE", "x", "0", payload, "IDLETIME", "-1"}),
            "-ERR Invalid IDLETIME value, must be >= 0\r\n");
  EXPECT_EQ(h.run({"RESTORE", "x", "0", payload, "IDLETIME", "abc"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"RESTORE", "x", "0", payload, "FREQ", "256"}),
            "-ERR Invalid FREQ value, must be >= 0 and <= 255\r\n");
  EXPECT_EQ(h.run({"RESTORE", "x", "0", payload, "FREQ", "-1"}),
            "-ERR Invalid FREQ value, must be >= 0 and <= 255\r\n");
  const std::string syntax = "-ERR syntax error\r\n";
  EXPECT_EQ(h.run({"RESTORE", "x", "0", payload, "IDLETIME", "1", "FREQ", "1"}), syntax);
  EXPECT_EQ(h.run({"RESTORE", "x", "0", payload, "FREQ", "1", "IDLETIME", "1"}), syntax);
  EXPECT_EQ(h.run({"RESTORE", "x", "0", payload, "IDLETIME"}), syntax);
  EXPECT_EQ(h.run({"RESTORE", "x", "0", payload, "NOPE"}), syntax);
  EXPECT_EQ(h.run({"RESTORE", "x", "0"}),
            "-ERR wrong number of arguments for 'restore' command\r\n");
  // Options are checked before the key, the key before the TTL, the TTL before the payload.
  EXPECT_EQ(h.run({"RESTORE", "k", "-1", "junk", "NOPE"}), syntax);
  EXPECT_EQ(h.run({"RESTORE", "k", "-1", "junk"}), "-BUSYKEY Target key name already exists.\r\n");
  EXPECT_EQ(h.run({"RESTORE", "x", "-1", "junk"}), "-ERR Invalid TTL value, must be >= 0\r\n");
  EXPECT_EQ(h.run({"EXISTS", "x"}), integer(0));
}

TEST_F(DumpCmdsTest, RefusesDamagedPayloads) {
  h.run({"RPUSH", "l", "a", "b"});
  std::string payload = dump(h, "l");
  const std::string wrong = "-ERR DUMP payload version or checksum are wrong\r\n";
  EXPECT_EQ(h.run({"RESTORE", "x", "0", "hello moto moto blah blah"}), wrong);
  std::string flipped = payload;
  flipped[1] = static_cast<char>(flipped[1] ^ 1);
  EXPECT_EQ(h.run({"RESTORE", "x", "0", flipped}), wrong);
  EXPECT_EQ(h.run({"RESTORE", "x", "0", payload.substr(0, payload.size() - 1)}), wrong);
  // A correctly sealed payload whose value does not decode.
  std::string garbage("\x01\x00", 2);  // a list of zero elements
  persist::wire::put_le(&garbage, 1, 2);
  persist::wire::put_le(&garbage, XXH64(garbage.data(), garbage.size(), 0), 8);
  EXPECT_EQ(h.run({"RESTORE", "x", "0", garbage}), "-ERR Bad data format\r\n");
  EXPECT_EQ(h.run({"EXISTS", "x"}), integer(0));
}

TEST_F(DumpCmdsTest, IdletimeSetsTheLruClock) {
  h.run({"SET", "k", "v"});
  std::string payload = dump(h, "k");
  EXPECT_EQ(h.run({"RESTORE", "idle", "0", payload, "IDLETIME", "1000"}), kOk);
  EXPECT_EQ(h.run({"OBJECT", "IDLETIME", "idle"}), integer(1000));
  h.clock().advance_ms(3000);
  EXPECT_EQ(h.run({"OBJECT", "IDLETIME", "idle"}), integer(1003));
  // FREQ is accepted but means nothing to an LRU policy.
  EXPECT_EQ(h.run({"RESTORE", "freq", "0", payload, "FREQ", "100"}), kOk);
  EXPECT_EQ(h.run({"OBJECT", "IDLETIME", "freq"}), integer(0));
}

TEST_F(DumpCmdsTest, FreqSetsTheLfuCounter) {
  h.run({"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"});
  h.run({"SET", "k", "v"});
  std::string payload = dump(h, "k");
  EXPECT_EQ(h.run({"RESTORE", "hot", "0", payload, "FREQ", "200"}), kOk);
  EXPECT_EQ(h.run({"OBJECT", "FREQ", "hot"}), integer(200));
  EXPECT_EQ(h.run({"RESTORE", "idle", "0", payload, "IDLETIME", "100"}), kOk);
  EXPECT_EQ(h.run({"OBJECT", "FREQ", "idle"}), integer(5));
}

TEST_F(DumpCmdsTest, PublishesRestoreAndDelEvents) {
  Client subscriber{9, 0};
  h.node().add_client(&subscriber);
  h.run({"CONFIG", "SET", "notify-keyspace-events", "Eg"});
  std::vector<std::string_view> sub{"PSUBSCRIBE", "__keyevent@0__:*"};
  h.node().dispatcher->execute(subscriber, sub);
  h.run({"SET", "k", "v"});
  std::string payload = dump(h, "k");
  subscriber.out.clear();
  h.run({"RESTORE", "r", "0", payload});
  EXPECT_THAT(subscriber.out, HasSubstr("__keyevent@0__:restore"));
  subscriber.out.clear();
  std::string past = std::to_string(h.clock().now_ms() - 1);
  h.run({"RESTORE", "r", past, payload, "ABSTTL", "REPLACE"});
  EXPECT_THAT(subscriber.out, HasSubstr("__keyevent@0__:del"));
  EXPECT_THAT(subscriber.out, ::testing::Not(HasSubstr("restore")));
  h.node().remove_client(&subscriber);
}

TEST_F(DumpCmdsTest, RestoreInvalidatesWatch) {
  h.run({"SET", "k", "v"});
  std::string payload = dump(h, "k");
  h.run({"WATCH", "w"});
  h.run({"RESTORE", "w", "0", payload});
  h.run({"MULTI"});
  h.run({"PING"});
  EXPECT_EQ(h.run({"EXEC"}), "*-1\r\n");
}

TEST_F(DumpCmdsTest, CommandRowsCarryRedisFlags) {
  std::string info = h.run({"COMMAND", "INFO", "restore", "dump"});
  EXPECT_THAT(info, HasSubstr("denyoom"));
  EXPECT_THAT(info, HasSubstr("readonly"));
  EXPECT_THAT(info, HasSubstr("@dangerous"));
}

}  // namespace
}  // namespace stashd::testing
