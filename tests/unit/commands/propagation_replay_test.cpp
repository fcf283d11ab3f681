// Tests the propagated stream as a whole: thousands of random commands of every family (with
// transactions, SELECT, a client blocking and being served, active expiry and eviction) run on one
// node with a recording sink; replayed into a fresh node at a later clock, the stream must rebuild
// the same data and deadlines (DEBUG DIGEST).
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "commands/harness.h"

namespace stashd::testing {
namespace {

// clang-format off: the generator reads best as one case a line.
// Random commands of every family over small key pools (so they meet each other's keys), with
// expiry times drawn from [ttl_min_ms, ttl_max_ms].
class Workload {
 public:
  Workload(uint64_t seed, int64_t ttl_min_ms, int64_t ttl_max_ms)
      : rng_(seed), ttl_min_(ttl_min_ms), ttl_max_(ttl_max_ms) {}

  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  bool chance(int percent) { return pick(100) < percent; }

  // One command of the main client (never one that could block it).
  std::vector<std::string> next(int64_t now) {
    now_ = now;
    switch (pick(8)) {
      case 0:
        return string_cmd();
      case 1:
        return key_cmd();
      case 2:
        return list_cmd();
      case 3:
        return hash_cmd();
      case 4:
        return set_cmd();
      case 5:
        return zset_cmd();
      case 6:
        return read_cmd();
      default:
        return pick(4) == 0 ? sort_cmd() : string_cmd();
    }
  }

  // A blocking command; it blocks (timeout 0: forever) when its keys are empty.
  std::vector<std::string> blocking() {
    switch (pick(8)) {
      case 0:
        return {"BLPOP", key('l'), key('l'), "0"};
      case 1:
        return {"BRPOP", key('l'), "0"};
      case 2:
        return {"BRPOPLPUSH", key('l'), key('l'), "0"};
      case 3:
        return {"BLMOVE", key('l'), key('l'), side(), side(), "0"};
      case 4:
        return {"BLMPOP", "0", "2", key('l'), key('l'), side(), "COUNT", num(1, 3)};
      case 5:
        return {"BZPOPMIN", key('z'), key('z'), "0"};
      case 6:
        return {"BZPOPMAX", key('z'), "0"};
      default:
        return {"BZMPOP", "0",      "2", key('z'), key('z'), pick(2) ? "MIN" : "MAX",
                "COUNT",  num(1, 3)};
    }
  }

  std::string db() { return std::to_string(pick(3)); }

 private:
  std::string num(int lo, int hi) { return std::to_string(lo + pick(hi - lo + 1)); }
  std::string key(char family) { return std::string(1, family) + num(0, 3); }
  std::string any_key() { return key("slhtz"[pick(5)]); }
  std::string member() {
    static const char* const kMembers[] = {"a", "b", "c", "d", "e", "1", "2", "3", "10"};
    return kMembers[pick(9)];
  }
  std::string value() {
    switch (pick(4)) {
      case 0:
        return num(-5, 50);
      case 1:
        return num(0, 9) + "." + num(0, 99);
      default:
        return member() + member();
    }
  }
  std::string side() { return pick(2) ? "LEFT" : "RIGHT"; }
  int64_t ttl() { return std::uniform_int_distribution<int64_t>(ttl_min_, ttl_max_)(rng_); }
  // An expiry option of SET (or none), relative or absolute.
  void add_expiry(std::vector<std::string>* c) {
    switch (pick(6)) {
      case 0:
        c->insert(c->end(), {"EX", std::to_string(ttl() / 1000 + 1)});
        break;
      case 1:
        c->insert(c->end(), {"PX", std::to_string(ttl())});
        break;
      case 2:
        c->insert(c->end(), {"EXAT", std::to_string((now_ + ttl()) / 1000 + 1)});
        break;
      case 3:
        c->insert(c->end(), {"PXAT", std::to_string(now_ + ttl())});
        break;
      case 4:
        c->push_back("KEEPTTL");
        break;
      default:
        break;
    }
  }

  std::vector<std::string> string_cmd() {
    const std::string k = key('s');
    switch (pick(20)) {
      case 0:
      case 1:
      case 2: {
        std::vector<std::string> c{"SET", k, value()};
        add_expiry(&c);
        if (chance(25)) c.push_back(pick(2) ? "NX" : "XX");
        if (chance(20)) c.push_back("GET");
        return c;
      }
      case 3:
        return {"SETNX", k, value()};
      case 4:
        return {"SETEX", k, std::to_string(ttl() / 1000 + 1), value()};
      case 5:
        return {"PSETEX", k, std::to_string(ttl()), value()};
      case 6:
        return {"GETSET", k, value()};
      case 7:
        return {"GETDEL", k};
      case 8: {
        std::vector<std::string> c{"GETEX", k};
        if (chance(30))
          c.push_back("PERSIST");
        else if (chance(70))
          c.insert(c.end(), {"PX", std::to_string(ttl())});
        return c;
      }
      case 9:
        return {"MSET", k, value(), key('s'), value()};
      case 10:
        return {"MSETNX", k, value(), key('s'), value()};
      case 11:
        return {pick(2) ? "INCR" : "DECR", k};
      case 12:
        return {pick(2) ? "INCRBY" : "DECRBY", k, num(-10, 10)};
      case 13:
        return {"INCRBYFLOAT", k, num(-3, 3) + "." + num(1, 9)};
      case 14:
        return {"APPEND", k, value()};
      case 15:
        return {"SETRANGE", k, num(0, 6), value()};
      case 16:
        return {"SETBIT", k, num(0, 40), num(0, 1)};
      case 17:
        return {"BITOP", pick(2) ? "OR" : "XOR", k, key('s'), key('s')};
      case 18:
        return {"BITFIELD", k, "INCRBY", "u8", num(0, 16), num(-5, 5)};
      default:
        return {"SET", "w_" + member(), pick(2) ? num(0, 3) : member()};  // SORT weights
    }
  }

  std::vector<std::string> expire_cmd() {
    const std::string k = any_key();
    const bool past = chance(10);
    const int64_t ms = past ? -ttl() : ttl();
    std::vector<std::string> c;
    switch (pick(4)) {
      case 0:
        c = {"EXPIRE", k, std::to_string(ms / 1000 + (past ? -1 : 1))};
        break;
      case 1:
        c = {"PEXPIRE", k, std::to_string(ms)};
        break;
      case 2:
        c = {"EXPIREAT", k, std::to_string((now_ + ms) / 1000 + (past ? -1 : 1))};
        break;
      default:
        c = {"PEXPIREAT", k, std::to_string(now_ + ms)};
        break;
    }
    if (chance(30)) c.push_back(std::vector<std::string>{"NX", "XX", "GT", "LT"}[pick(4)]);
    return c;
  }

  std::vector<std::string> key_cmd() {
    const char family = "slhtz"[pick(5)];
    switch (pick(16)) {
      case 0:
        return {"DEL", any_key(), any_key()};
      case 1:
        return {"UNLINK", any_key()};
      case 2:
        return {"RENAME", key(family), key(family)};
      case 3:
        return {"RENAMENX", key(family), key(family)};
      case 4: {
        std::vector<std::string> c{"COPY", key(family), key(family)};
        if (chance(50)) c.insert(c.end(), {"DB", db()});
        if (chance(50)) c.push_back("REPLACE");
        return c;
      }
      case 5:
        return {"MOVE", any_key(), db()};
      case 6:
        return {"PERSIST", any_key()};
      case 7:
        return pick(20) == 0 ? std::vector<std::string>{"SWAPDB", db(), db()}
                             : std::vector<std::string>{"SELECT", db()};
      case 8:
        if (pick(40) == 0) return {"FLUSHDB"};
        if (pick(120) == 0) return {"FLUSHALL", "ASYNC"};
        return {"PUBLISH", "events", value()};
      default:
        return expire_cmd();
    }
  }

  std::vector<std::string> list_cmd() {
    const std::string k = key('l');
    switch (pick(14)) {
      case 0:
      case 1:
        return {"LPUSH", k, value(), value()};
      case 2:
      case 3:
        return {"RPUSH", k, value()};
      case 4:
        return {pick(2) ? "LPUSHX" : "RPUSHX", k, value()};
      case 5:
        return {"LPOP", k};
      case 6:
        return {"RPOP", k, num(0, 3)};
      case 7:
        return {"LSET", k, num(-2, 2), value()};
      case 8:
        return {"LINSERT", k, pick(2) ? "BEFORE" : "AFTER", value(), value()};
      case 9:
        return {"LREM", k, num(-2, 2), value()};
      case 10:
        return {"LTRIM", k, num(0, 2), num(-3, 5)};
      case 11:
        return {"LMOVE", k, key('l'), side(), side()};
      case 12:
        return {"RPOPLPUSH", k, key('l')};
      default:
        return {"LMPOP", "2", k, key('l'), side(), "COUNT", num(1, 4)};
    }
  }

  std::vector<std::string> hash_cmd() {
    const std::string k = key('h');
    switch (pick(7)) {
      case 0:
      case 1:
        return {"HSET", k, member(), value(), member(), value()};
      case 2:
        return {"HSETNX", k, member(), value()};
      case 3:
        return {"HMSET", k, member(), value()};
      case 4:
        return {"HDEL", k, member(), member()};
      case 5:
        return {"HINCRBY", k, member(), num(-5, 5)};
      default:
        return {"HINCRBYFLOAT", k, member(), num(-2, 2) + "." + num(1, 99)};
    }
  }

  std::vector<std::string> set_cmd() {
    const std::string k = key('t');
    switch (pick(9)) {
      case 0:
      case 1:
      case 2:
        return {"SADD", k, member(), member(), member()};
      case 3:
        return {"SREM", k, member()};
      case 4:
        return {"SPOP", k};
      case 5:
        return {"SPOP", k, num(0, 4)};
      case 6:
        return {"SMOVE", k, key('t'), member()};
      case 7:
        return {pick(2) ? "SUNIONSTORE" : "SINTERSTORE", k, key('t'), key('t')};
      default:
        return {"SDIFFSTORE", k, key('t'), key('t')};
    }
  }

  std::vector<std::string> zset_cmd() {
    const std::string k = key('z');
    switch (pick(14)) {
      case 0:
      case 1:
      case 2: {
        std::vector<std::string> c{"ZADD", k};
        if (chance(30))
          c.push_back(std::vector<std::string>{"NX", "XX", "GT", "LT", "CH"}[pick(5)]);
        if (chance(15)) {
          c.insert(c.end(), {"INCR", num(-3, 3) + ".5", member()});
        } else {
          c.insert(c.end(), {num(0, 5), member(), num(0, 5) + ".25", member()});
        }
        return c;
      }
      case 3:
        return {"ZINCRBY", k, num(-2, 2) + ".5", member()};
      case 4:
        return {"ZREM", k, member()};
      case 5:
        return {pick(2) ? "ZPOPMIN" : "ZPOPMAX", k, num(1, 3)};
      case 6:
        return {"ZMPOP", "2", k, key('z'), pick(2) ? "MIN" : "MAX", "COUNT", num(1, 3)};
      case 7:
        return {"ZREMRANGEBYRANK", k, "0", num(0, 1)};
      case 8:
        return {"ZREMRANGEBYSCORE", k, "-inf", num(0, 2)};
      case 9:
        return {"ZREMRANGEBYLEX", k, "[a", "[c"};
      case 10:
        return {"ZRANGESTORE", k, key('z'), "0", num(0, 3)};
      case 11:
        return {"ZUNIONSTORE", k, "2", key('z'), key('t'), "WEIGHTS", "1.5", "2"};
      case 12:
        return {"ZINTERSTORE", k, "2", key('z'), key('z'), "AGGREGATE", "MAX"};
      default:
        return {"ZDIFFSTORE", k, "2", key('z'), key('z')};
    }
  }

  std::vector<std::string> sort_cmd() {
    std::vector<std::string> c{"SORT", key("ltz"[pick(3)])};
    if (chance(60)) c.insert(c.end(), {"BY", pick(3) ? "w_*" : "nosort"});
    if (chance(50)) c.push_back("ALPHA");
    if (chance(30)) c.push_back("DESC");
    if (chance(30)) c.insert(c.end(), {"LIMIT", num(0, 2), num(1, 4)});
    if (chance(30)) c.insert(c.end(), {"GET", pick(2) ? "#" : "w_*"});
    c.insert(c.end(), {"STORE", key('l')});
    return c;
  }

  std::vector<std::string> read_cmd() {
    switch (pick(10)) {
      case 0:
        return {"GET", key('s')};
      case 1:
        return {"EXISTS", any_key(), any_key()};
      case 2:
        return {"TTL", any_key()};
      case 3:
        return {"LRANGE", key('l'), "0", "-1"};
      case 4:
        return {"SRANDMEMBER", key('t'), num(-3, 3)};
      case 5:
        return {"ZRANDMEMBER", key('z'), num(1, 3)};
      case 6:
        return {"HRANDFIELD", key('h'), num(-2, 2)};
      case 7:
        return {"RANDOMKEY"};
      case 8:
        return {"TYPE", any_key()};
      default:
        return {"HGETALL", key('h')};
    }
  }

  std::mt19937_64 rng_;
  int64_t ttl_min_;
  int64_t ttl_max_;
  int64_t now_ = 0;
};

// clang-format on

std::vector<std::string_view> views(const std::vector<std::string>& argv) {
  return {argv.begin(), argv.end()};
}

class Replay : public ::testing::Test {
 protected:
  Replay() { source.node().add_client(&blocker); }
  ~Replay() override { source.node().remove_client(&blocker); }

  // Runs `steps` random commands on the source: the main client's, transactions, a second
  // client's blocking commands, active expiry and eviction, with time passing in between.
  void run_workload(uint64_t seed, int steps, int64_t ttl_min_ms, int64_t ttl_max_ms,
                    int64_t max_step_ms) {
    Workload w(seed, ttl_min_ms, ttl_max_ms);
    Keyspace& ks = source.node().keyspace();
    for (int i = 0; i < steps; ++i) {
      source.clock().advance_ms(w.pick(static_cast<int>(max_step_ms) + 1));
      const int64_t now = source.clock().now_ms();
      const bool was_blocked = blocker.blocked;
      const int r = w.pick(100);
      if (r < 5) {
        source.run({"MULTI"});
        for (int n = w.pick(4) + 1; n > 0; --n) {
          // Inside a transaction a blocking command does not block.
          source.run(views(w.pick(4) == 0 ? w.blocking() : w.next(now)));
        }
        if (w.chance(30)) source.run({"SELECT", w.db()});
        source.run({"EXEC"});
      } else if (r < 12) {
        if (!blocker.blocked) {
          blocker.out.clear();
          std::vector<std::string> c =
              w.chance(20) ? std::vector<std::string>{"SELECT", w.db()} : w.blocking();
          source.node().dispatcher->execute(blocker, views(c));
        }
      } else if (r < 14) {
        ks.set_now_ms(now);
        for (int d = 0; d < 3; ++d) ks.db(d).active_expire(3);
      } else if (r < 15) {
        ks.set_now_ms(now);
        Db& db = ks.db(w.pick(3));
        if (EntryIndex e = db.random_key(); e != kNoEntry) db.evict(e);
      } else {
        source.run(views(w.next(now)));
      }
      if (was_blocked && !blocker.blocked) ++served;
    }
  }

  // Applies the recorded units to the target as a sink renders them for a replica or the AOF:
  // SELECT when the database changes, MULTI/EXEC around atomic units.
  // Units already applied are skipped: a replay may follow the source in steps.
  void replay() {
    const auto& units = recorder.units();
    for (; replayed < units.size(); ++replayed) {
      const PropagationRecorder::Unit& unit = units[replayed];
      const bool atomic = unit.size() > 1;
      if (atomic) {
        ASSERT_EQ(target.run({"MULTI"}), kOk);
      }
      for (const PropagatedCommand& c : unit) {
        if (c.db != target_db) {
          target_db = c.db;
          const std::string index = std::to_string(target_db);
          target.run({"SELECT", index});
        }
        const std::string reply = target.run(views(c.argv));
        ASSERT_TRUE(!reply.empty() && reply[0] != '-')
            << ::testing::PrintToString(c.argv) << " replied " << reply;
      }
      if (atomic) {
        ASSERT_EQ(target.run({"EXEC"})[0], '*');
      }
    }
  }

  // DEBUG DIGEST of both nodes with their clocks at `ms`.
  void expect_same_digest_at(int64_t ms) {
    source.clock().set_ms(ms);
    target.clock().set_ms(ms);
    const std::string digest = source.run({"DEBUG", "DIGEST"});
    EXPECT_EQ(target.run({"DEBUG", "DIGEST"}), digest) << "at " << ms;
    EXPECT_NE(digest, "+0000000000000000000000000000000000000000\r\n") << "nothing left to compare";
  }

  size_t keys_with_ttl() {
    size_t n = 0;
    for (int d = 0; d < 3; ++d) n += source.node().keyspace().db(d).expires();
    return n;
  }
  size_t count(std::string_view command) const {
    size_t n = 0;
    for (const auto& unit : recorder.units()) {
      for (const PropagatedCommand& c : unit) n += c.argv[0] == command;
    }
    return n;
  }
  size_t atomic_units() const {
    return std::count_if(recorder.units().begin(), recorder.units().end(),
                         [](const auto& u) { return u.size() > 1; });
  }

  static constexpr int64_t kDay = 86'400'000;
  CommandHarness source;
  CommandHarness target;
  Client blocker{2, 0};
  PropagationRecorder recorder{source.node()};
  size_t replayed = 0;  // units applied to the target so far
  int target_db = 0;    // the target client's database, as a sink tracks it
  int served = 0;       // blocked clients served
};

// Every deadline lies beyond the replay: replayed a day later by an ordinary node, the data and
// every deadline are the same (a relative time in the stream would have moved by a day).
TEST_F(Replay, ADayLaterTheStreamRebuildsTheSameDataAndDeadlines) {
  for (uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
    SCOPED_TRACE(seed);
    run_workload(seed, 4000, 3 * kDay, 6 * kDay, 500);
  }
  const int64_t end = source.clock().now_ms();
  EXPECT_GT(keys_with_ttl(), 5u);
  EXPECT_GT(served, 20);
  EXPECT_GT(atomic_units(), 20u);
  EXPECT_GT(count("PEXPIREAT"), 50u);
  target.clock().set_ms(end + kDay);
  replay();
  expect_same_digest_at(end + kDay);
}

// Short deadlines that pass during the run: keys leave by lazy and active expiry and eviction,
// and the stream carries their DELs. A node applying a stream does not expire keys itself
// (applying_stream), so following the source an hour behind it still rebuilds the same data:
// compared at the source's time after every stretch, and a day later when every deadline passed.
TEST_F(Replay, AStreamWithExpiryRebuildsTheSameDataWhenAppliedLater) {
  constexpr int64_t kHour = 3'600'000;
  size_t ttl_seen = 0;
  for (uint64_t seed : {7u, 8u, 9u, 10u, 11u, 12u, 13u, 14u}) {
    SCOPED_TRACE(seed);
    run_workload(seed, 2500, 50, 30'000, 200);
    const int64_t now = source.clock().now_ms();
    ttl_seen += keys_with_ttl();
    target.clock().set_ms(now + kHour);
    target.node().applying_stream = true;
    replay();
    target.node().applying_stream = false;
    expect_same_digest_at(now);
  }
  const int64_t end = source.clock().now_ms();
  EXPECT_GT(ttl_seen, 10u);
  EXPECT_GT(source.node().keyspace().stats().expired_keys, 200u);
  EXPECT_GT(served, 20);
  EXPECT_GT(count("DEL"), 200u);
  expect_same_digest_at(end + kDay);  // only keys without a deadline are left
}

}  // namespace
}  // namespace stashd::testing
