// Tests what each write propagates: the exact argv of every rewrite rule in docs/propagation.md,
// units of transactions and of blocked clients served later, and the DELs of keys that expire
// (lazily, actively) or are evicted. propagation_replay_test.cpp replays whole streams.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "commands/harness.h"

namespace stashd::testing {
namespace {

using Argvs = std::vector<std::vector<std::string>>;

// The bulk strings of a RESP2 reply, in order (members of SPOP's reply, say).
std::vector<std::string> bulks(const std::string& reply) {
  std::vector<std::string> out;
  for (size_t at = reply.find('$'); at != std::string::npos; at = reply.find('$', at)) {
    const size_t line_end = reply.find("\r\n", at);
    const size_t len = std::stoul(reply.substr(at + 1, line_end - at - 1));
    out.push_back(reply.substr(line_end + 2, len));
    at = line_end + 2 + len;
  }
  return out;
}

class PropagationRules : public ::testing::Test {
 protected:
  PropagationRules() { h.node().add_client(&other); }
  ~PropagationRules() override { h.node().remove_client(&other); }

  // Runs a command and returns what it propagated (every unit, flattened).
  Argvs props(std::vector<std::string_view> args) {
    rec.clear();
    h.run(args);
    return rec.take_argvs();
  }
  std::string run_as(Client& c, std::vector<std::string_view> args) {
    c.out.clear();
    h.node().dispatcher->execute(c, args);
    return c.out;
  }
  std::string at(int64_t offset_ms) const { return std::to_string(now + offset_ms); }

  CommandHarness h;
  PropagationRecorder rec{h.node()};
  Client other{2, 0};
  const int64_t now = h.clock().now_ms();
};

TEST_F(PropagationRules, PlainWritesGoAsTheyCame) {
  EXPECT_EQ(props({"SET", "k", "v"}), (Argvs{{"SET", "k", "v"}}));
  EXPECT_EQ(props({"APPEND", "k", "w"}), (Argvs{{"APPEND", "k", "w"}}));
  EXPECT_EQ(props({"SETRANGE", "k", "1", "xy"}), (Argvs{{"SETRANGE", "k", "1", "xy"}}));
  EXPECT_EQ(props({"SETBIT", "b", "7", "1"}), (Argvs{{"SETBIT", "b", "7", "1"}}));
  EXPECT_EQ(props({"INCRBY", "n", "5"}), (Argvs{{"INCRBY", "n", "5"}}));
  EXPECT_EQ(props({"LPOP", "missing", "2"}), Argvs{});
  h.run({"RPUSH", "l", "a", "b", "c"});
  EXPECT_EQ(props({"LPOP", "l", "2"}), (Argvs{{"LPOP", "l", "2"}}));
  h.run({"ZADD", "z", "1", "a", "2", "b", "3", "c"});
  EXPECT_EQ(props({"ZPOPMIN", "z", "2"}), (Argvs{{"ZPOPMIN", "z", "2"}}));
}

TEST_F(PropagationRules, WritesThatChangeNothingAndReadsPropagateNothing) {
  EXPECT_EQ(props({"DEL", "missing"}), Argvs{});
  EXPECT_EQ(props({"GET", "k"}), Argvs{});
  h.run({"SET", "k", "v"});
  EXPECT_EQ(props({"SET", "k", "w", "NX"}), Argvs{});
  EXPECT_EQ(props({"EXPIRE", "missing", "10"}), Argvs{});
  EXPECT_EQ(props({"PERSIST", "k"}), Argvs{});
  EXPECT_EQ(props({"INCR", "k"}), Argvs{}) << "an error changes nothing";
}

TEST_F(PropagationRules, RelativeExpiresBecomeAbsolutePexpireat) {
  h.run({"SET", "k", "v"});
  EXPECT_EQ(props({"EXPIRE", "k", "10"}), (Argvs{{"PEXPIREAT", "k", at(10'000)}}));
  EXPECT_EQ(props({"PEXPIRE", "k", "20000", "GT"}), (Argvs{{"PEXPIREAT", "k", at(20'000)}}));
  const std::string seconds = std::to_string(now / 1000 + 30);
  EXPECT_EQ(props({"EXPIREAT", "k", seconds}),
            (Argvs{{"PEXPIREAT", "k", std::to_string((now / 1000 + 30) * 1000)}}));
  EXPECT_EQ(props({"PEXPIREAT", "k", at(40'000), "XX"}), (Argvs{{"PEXPIREAT", "k", at(40'000)}}));
  EXPECT_EQ(props({"EXPIRE", "k", "50", "NX"}), Argvs{}) << "the condition failed";
}

TEST_F(PropagationRules, AnExpireAlreadyPastPropagatesAsDel) {
  h.run({"SET", "a", "v"});
  h.run({"SET", "b", "v"});
  EXPECT_EQ(props({"EXPIRE", "a", "-1"}), (Argvs{{"DEL", "a"}}));
  EXPECT_EQ(props({"PEXPIREAT", "b", "1"}), (Argvs{{"DEL", "b"}}));
}

TEST_F(PropagationRules, SetexAndPsetexBecomeSetPxat) {
  EXPECT_EQ(props({"SETEX", "k", "10", "v"}), (Argvs{{"SET", "k", "v", "PXAT", at(10'000)}}));
  EXPECT_EQ(props({"PSETEX", "k", "1500", "v"}), (Argvs{{"SET", "k", "v", "PXAT", at(1'500)}}));
}

TEST_F(PropagationRules, SetWithAnExpiryBecomesSetPxatWithoutConditionsOrGet) {
  EXPECT_EQ(props({"SET", "k", "v", "EX", "10"}), (Argvs{{"SET", "k", "v", "PXAT", at(10'000)}}));
  EXPECT_EQ(props({"SET", "k", "v", "PX", "10", "XX", "GET"}),
            (Argvs{{"SET", "k", "v", "PXAT", at(10)}}));
  EXPECT_EQ(props({"SET", "j", "v", "NX", "EXAT", std::to_string(now / 1000 + 5)}),
            (Argvs{{"SET", "j", "v", "PXAT", std::to_string((now / 1000 + 5) * 1000)}}));
  EXPECT_EQ(props({"SET", "k", "v", "PXAT", at(7)}), (Argvs{{"SET", "k", "v", "PXAT", at(7)}}));
}

TEST_F(PropagationRules, SetWithoutAnExpiryKeepsOnlyKeepttl) {
  h.run({"SET", "k", "v", "EX", "100"});
  EXPECT_EQ(props({"SET", "k", "w", "KEEPTTL", "GET"}), (Argvs{{"SET", "k", "w", "KEEPTTL"}}));
  EXPECT_EQ(props({"SET", "k", "x", "XX", "GET"}), (Argvs{{"SET", "k", "x"}}));
  EXPECT_EQ(props({"SET", "k", "y", "IFEQ", "x"}), (Argvs{{"SET", "k", "y"}}));
  EXPECT_EQ(props({"GETSET", "k", "z"}), (Argvs{{"SET", "k", "z"}}));
}

TEST_F(PropagationRules, SetWithADeadlineAlreadyPastPropagatesAsDel) {
  h.run({"SET", "k", "v"});
  EXPECT_EQ(props({"SET", "k", "w", "PXAT", "1"}), (Argvs{{"DEL", "k"}}));
}

TEST_F(PropagationRules, GetexPropagatesItsDeadlineOrPersistOrNothing) {
  h.run({"SET", "k", "v"});
  EXPECT_EQ(props({"GETEX", "k"}), Argvs{});
  EXPECT_EQ(props({"GETEX", "k", "EX", "10"}), (Argvs{{"PEXPIREAT", "k", at(10'000)}}));
  EXPECT_EQ(props({"GETEX", "k", "PXAT", at(99)}), (Argvs{{"PEXPIREAT", "k", at(99)}}));
  EXPECT_EQ(props({"GETEX", "k", "PERSIST"}), (Argvs{{"PERSIST", "k"}}));
  EXPECT_EQ(props({"GETEX", "k", "PERSIST"}), Argvs{}) << "no deadline left to remove";
  EXPECT_EQ(props({"GETEX", "k", "EXAT", "1"}), (Argvs{{"DEL", "k"}}));
}

TEST_F(PropagationRules, GetdelBecomesDel) {
  h.run({"SET", "k", "v"});
  EXPECT_EQ(props({"GETDEL", "k"}), (Argvs{{"DEL", "k"}}));
  EXPECT_EQ(props({"GETDEL", "k"}), Argvs{});
}

TEST_F(PropagationRules, IncrbyfloatBecomesSetOfTheResultKeepingTheTtl) {
  h.run({"SET", "f", "1.25"});
  EXPECT_EQ(props({"INCRBYFLOAT", "f", "2.25"}), (Argvs{{"SET", "f", "3.5", "KEEPTTL"}}));
}

TEST_F(PropagationRules, HincrbyfloatBecomesHsetOfTheResult) {
  EXPECT_EQ(props({"HINCRBYFLOAT", "h", "f", "0.5"}), (Argvs{{"HSET", "h", "f", "0.5"}}));
  EXPECT_EQ(props({"HINCRBYFLOAT", "h", "f", "1e1"}), (Argvs{{"HSET", "h", "f", "10.5"}}));
}

TEST_F(PropagationRules, SpopBecomesSremOfThePoppedMembers) {
  h.run({"SADD", "s", "a", "b", "c", "d", "e"});
  rec.clear();
  std::string member = bulks(h.run({"SPOP", "s"})).at(0);
  EXPECT_EQ(rec.take_argvs(), (Argvs{{"SREM", "s", member}}));
  std::vector<std::string> popped = bulks(h.run({"SPOP", "s", "2"}));
  ASSERT_EQ(popped.size(), 2u);
  std::vector<std::string> srem{"SREM", "s"};
  srem.insert(srem.end(), popped.begin(), popped.end());
  EXPECT_EQ(rec.take_argvs(), Argvs{srem});
}

TEST_F(PropagationRules, SpopThatEmptiesTheSetBecomesDel) {
  h.run({"SADD", "s", "a", "b"});
  EXPECT_EQ(props({"SPOP", "s", "5"}), (Argvs{{"DEL", "s"}}));
  h.run({"SADD", "t", "a"});
  EXPECT_EQ(props({"SPOP", "t"}), (Argvs{{"DEL", "t"}}));
  EXPECT_EQ(props({"SPOP", "t"}), Argvs{});
  EXPECT_EQ(props({"SPOP", "t", "3"}), Argvs{});
}

TEST_F(PropagationRules, RandomReadsDoNotPropagate) {
  h.run({"SADD", "s", "a", "b"});
  h.run({"ZADD", "z", "1", "a"});
  h.run({"HSET", "h", "f", "v"});
  EXPECT_EQ(props({"SRANDMEMBER", "s", "-5"}), Argvs{});
  EXPECT_EQ(props({"ZRANDMEMBER", "z", "2"}), Argvs{});
  EXPECT_EQ(props({"HRANDFIELD", "h", "2", "WITHVALUES"}), Argvs{});
}

TEST_F(PropagationRules, ServedBlockingListPopsBecomePlainPops) {
  h.run({"RPUSH", "l", "a", "b", "c"});
  EXPECT_EQ(props({"BLPOP", "missing", "l", "0"}), (Argvs{{"LPOP", "l"}}));
  EXPECT_EQ(props({"BRPOP", "l", "0"}), (Argvs{{"RPOP", "l"}}));
  h.run({"RPUSH", "m", "x"});
  EXPECT_EQ(props({"BRPOPLPUSH", "l", "m", "0"}), (Argvs{{"RPOPLPUSH", "l", "m"}}));
  EXPECT_EQ(props({"BLMOVE", "m", "l", "LEFT", "RIGHT", "0"}),
            (Argvs{{"LMOVE", "m", "l", "LEFT", "RIGHT"}}));
}

TEST_F(PropagationRules, MultiPopsBecomePopsOfTheServedKeyWithTheCountPopped) {
  h.run({"RPUSH", "b", "1", "2", "3"});
  EXPECT_EQ(props({"LMPOP", "2", "a", "b", "LEFT", "COUNT", "2"}), (Argvs{{"LPOP", "b", "2"}}));
  EXPECT_EQ(props({"BLMPOP", "0", "2", "a", "b", "RIGHT", "COUNT", "5"}),
            (Argvs{{"RPOP", "b", "1"}}));
  h.run({"ZADD", "z", "1", "a", "2", "b", "3", "c"});
  EXPECT_EQ(props({"ZMPOP", "2", "y", "z", "MAX", "COUNT", "2"}), (Argvs{{"ZPOPMAX", "z", "2"}}));
  EXPECT_EQ(props({"BZMPOP", "0", "1", "z", "MIN", "COUNT", "9"}), (Argvs{{"ZPOPMIN", "z", "1"}}));
}

TEST_F(PropagationRules, ServedBlockingZsetPopsBecomePlainPops) {
  h.run({"ZADD", "z", "1", "a", "2", "b"});
  EXPECT_EQ(props({"BZPOPMIN", "y", "z", "0"}), (Argvs{{"ZPOPMIN", "z"}}));
  EXPECT_EQ(props({"BZPOPMAX", "z", "0"}), (Argvs{{"ZPOPMAX", "z"}}));
}

TEST_F(PropagationRules, AClientServedLaterGetsAUnitOfItsOwnAfterThePush) {
  run_as(other, {"SELECT", "3"});
  EXPECT_EQ(run_as(other, {"BLMPOP", "0", "2", "a", "q", "LEFT", "COUNT", "2"}), "");
  rec.clear();
  h.run({"SELECT", "3"});
  h.run({"RPUSH", "q", "x", "y", "z"});
  ASSERT_EQ(rec.units().size(), 2u);
  EXPECT_EQ(rec.units()[1][0].db, 3);
  EXPECT_EQ(rec.take_argvs(), (Argvs{{"RPUSH", "q", "x", "y", "z"}, {"LPOP", "q", "2"}}));
  run_as(other, {"BZPOPMAX", "z", "0"});
  h.run({"ZADD", "z", "1", "m"});
  EXPECT_EQ(rec.take_argvs(), (Argvs{{"ZADD", "z", "1", "m"}, {"ZPOPMAX", "z"}}));
}

TEST_F(PropagationRules, KeyspaceCommandsGoAsTheyCame) {
  h.run({"SET", "a", "1"});
  EXPECT_EQ(props({"COPY", "a", "b", "DB", "2"}), (Argvs{{"COPY", "a", "b", "DB", "2"}}));
  EXPECT_EQ(props({"RENAME", "a", "c"}), (Argvs{{"RENAME", "a", "c"}}));
  EXPECT_EQ(props({"MOVE", "c", "1"}), (Argvs{{"MOVE", "c", "1"}}));
  EXPECT_EQ(props({"SWAPDB", "0", "1"}), (Argvs{{"SWAPDB", "0", "1"}}));
  EXPECT_EQ(props({"FLUSHDB"}), (Argvs{{"FLUSHDB"}}));
  EXPECT_EQ(props({"FLUSHDB"}), (Argvs{{"FLUSHDB"}})) << "even with nothing to flush";
  EXPECT_EQ(props({"FLUSHALL", "ASYNC"}), (Argvs{{"FLUSHALL", "ASYNC"}}));
}

TEST_F(PropagationRules, SortStoreGoesAsItCameWhenItsOrderIsTheDatas) {
  h.run({"RPUSH", "l", "3", "1", "2"});
  EXPECT_EQ(props({"SORT", "l", "STORE", "d"}), (Argvs{{"SORT", "l", "STORE", "d"}}));
  h.run({"SADD", "s", "b", "a", "c"});
  // A set's unsorted STORE is sorted ALPHA (by the data); numeric ties fall back to the bytes.
  EXPECT_EQ(props({"SORT", "s", "BY", "nosort", "STORE", "d"}),
            (Argvs{{"SORT", "s", "BY", "nosort", "STORE", "d"}}));
  // Every weight missing: ALPHA BY ties keep the set's layout order, so the result goes instead.
  const Argvs got = props({"SORT", "s", "BY", "w_*", "ALPHA", "LIMIT", "0", "1", "STORE", "d"});
  const std::vector<std::string> stored = bulks(h.run({"LRANGE", "d", "0", "-1"}));
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(got, (Argvs{{"DEL", "d"}, {"RPUSH", "d", stored[0]}}));
}

TEST_F(PropagationRules, SortStoreByLayoutOrderPropagatesTheResultAtomically) {
  h.run({"SADD", "s", "x", "y"});
  h.run({"MSET", "w_x", "same", "w_y", "same", "g_x", "gx"});
  rec.clear();
  h.run({"SORT", "s", "BY", "w_*", "ALPHA", "GET", "#", "GET", "g_*", "STORE", "d"});
  ASSERT_EQ(rec.units().size(), 1u);
  ASSERT_EQ(rec.units()[0].size(), 2u);
  const Argvs got = rec.take_argvs();
  EXPECT_EQ(got[0], (std::vector<std::string>{"DEL", "d"}));
  const std::vector<std::string> stored = bulks(h.run({"LRANGE", "d", "0", "-1"}));
  std::vector<std::string> rpush{"RPUSH", "d"};
  rpush.insert(rpush.end(), stored.begin(), stored.end());
  EXPECT_EQ(got[1], rpush);
  EXPECT_EQ(stored.size(), 4u);
  EXPECT_EQ(props({"SORT", "s", "BY", "w_*", "ALPHA", "LIMIT", "5", "1", "STORE", "d"}),
            (Argvs{{"DEL", "d"}}));
}

TEST_F(PropagationRules, PublishReachesReplicasButNotTheAof) {
  PropagationRecorder aof(h.node(), kPropagateAof);
  EXPECT_EQ(props({"PUBLISH", "ch", "hello"}), (Argvs{{"PUBLISH", "ch", "hello"}}));
  EXPECT_TRUE(aof.units().empty());
}

TEST_F(PropagationRules, SelectNeverPropagatesAndUnitsCarryTheDatabase) {
  EXPECT_EQ(props({"SELECT", "5"}), Argvs{});
  rec.clear();
  h.run({"SET", "k", "v"});
  ASSERT_EQ(rec.units().size(), 1u);
  EXPECT_EQ(rec.units()[0][0].db, 5);
}

TEST_F(PropagationRules, ExecPropagatesItsWritesAsOneUnit) {
  h.run({"MULTI"});
  h.run({"SET", "a", "1"});
  h.run({"GET", "a"});
  h.run({"SELECT", "2"});
  h.run({"EXPIRE", "a", "10"});  // missing in db 2: changes nothing
  h.run({"INCRBYFLOAT", "f", "1.5"});
  rec.clear();
  h.run({"EXEC"});
  ASSERT_EQ(rec.units().size(), 1u);
  ASSERT_EQ(rec.units()[0].size(), 2u);
  EXPECT_EQ(rec.units()[0][0].db, 0);
  EXPECT_EQ(rec.units()[0][1].db, 2);
  EXPECT_EQ(rec.take_argvs(), (Argvs{{"SET", "a", "1"}, {"SET", "f", "1.5", "KEEPTTL"}}));
}

TEST_F(PropagationRules, ALazilyExpiredKeyIsDeletedBeforeTheCommandThatFoundIt) {
  h.run({"SET", "k", "old", "PX", "100"});
  h.clock().advance_ms(200);
  rec.clear();
  h.run({"APPEND", "k", "new"});
  ASSERT_EQ(rec.units().size(), 2u);
  EXPECT_EQ(rec.take_argvs(), (Argvs{{"DEL", "k"}, {"APPEND", "k", "new"}}));
  h.run({"SET", "r", "v", "PX", "100"});
  h.clock().advance_ms(200);
  EXPECT_EQ(props({"GET", "r"}), (Argvs{{"DEL", "r"}})) << "reads delete expired keys too";
}

TEST_F(PropagationRules, ActivelyExpiredKeysAreDeletedInTheirDatabase) {
  h.run({"SELECT", "4"});
  h.run({"SET", "k", "v", "PX", "100"});
  h.clock().advance_ms(200);
  rec.clear();
  h.node().keyspace().set_now_ms(h.clock().now_ms());
  EXPECT_EQ(h.node().keyspace().db(4).active_expire(10), 1u);
  ASSERT_EQ(rec.units().size(), 1u);
  EXPECT_EQ(rec.units()[0][0].db, 4);
  EXPECT_EQ(rec.take_argvs(), (Argvs{{"DEL", "k"}}));
}

TEST_F(PropagationRules, LazyExpiryPropagatesUnlink) {
  h.run({"CONFIG", "SET", "lazyfree-lazy-expire", "yes"});
  h.run({"SET", "k", "v", "PX", "100"});
  h.clock().advance_ms(200);
  EXPECT_EQ(props({"EXISTS", "k"}), (Argvs{{"UNLINK", "k"}}));
}

TEST_F(PropagationRules, EvictedKeysAreDeletedBeforeTheCommandThatMadeRoom) {
  h.run({"SET", "a", "1"});
  h.run({"SET", "b", "2"});
  h.run({"CONFIG", "SET", "maxmemory-policy", "allkeys-random"});
  h.run({"CONFIG", "SET", "maxmemory", "1"});
  rec.clear();
  h.run({"SET", "c", "3"});  // refused: nothing is left to evict
  h.run({"CONFIG", "SET", "maxmemory", "0"});
  Argvs got = rec.take_argvs();
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (Argvs{{"DEL", "a"}, {"DEL", "b"}}));
}

}  // namespace
}  // namespace stashd::testing
