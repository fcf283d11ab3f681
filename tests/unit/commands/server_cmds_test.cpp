// Tests the server family's own rows in-process: DBSIZE FLUSHDB FLUSHALL TIME INFO MONITOR
// SHUTDOWN.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "commands/harness.h"
#include "stashd/admin/stats_sampler.h"

namespace stashd::testing {
namespace {

class FakeServerControl : public ServerControl {
 public:
  std::string request_shutdown(bool nosave, bool save, bool now, bool force) override {
    calls.emplace_back(nosave, save, now, force);
    return failure;
  }
  int tcp_port() const override { return 7777; }
  size_t used_memory_rss() const override { return 1 << 20; }
  void continue_eviction() override { ++eviction_continuations; }
  int eviction_continuations = 0;

  std::string failure;
  std::vector<std::tuple<bool, bool, bool, bool>> calls;
};

class ServerCommands : public ::testing::Test {
 protected:
  ~ServerCommands() override { forget_sampled_stats(h.node()); }
  Db& db(int i) { return h.node().keyspace().db(i); }
  // The section titles ("# Server", ...) of an INFO reply, in order.
  static std::vector<std::string> titles(const std::string& reply) {
    std::vector<std::string> found;
    for (size_t pos = reply.find("# "); pos != std::string::npos; pos = reply.find("# ", pos)) {
      size_t end = reply.find("\r\n", pos);
      found.push_back(reply.substr(pos + 2, end - pos - 2));
      pos = end;
    }
    return found;
  }
  CommandHarness h;
};

TEST_F(ServerCommands, DbsizeCountsTheKeysOfTheSelectedDatabase) {
  db(0).set_string("a", "1");
  db(0).set_string("b", "2");
  db(3).set_string("c", "3");
  EXPECT_EQ(h.run({"DBSIZE"}), integer(2));
  h.run({"SELECT", "3"});
  EXPECT_EQ(h.run({"DBSIZE"}), integer(1));
  EXPECT_EQ(h.run({"DBSIZE", "x"}), "-ERR wrong number of arguments for 'dbsize' command\r\n");
}

TEST_F(ServerCommands, FlushdbEmptiesOnlyTheSelectedDatabaseAndCountsItsKeysAsChanges) {
  db(0).set_string("a", "1");
  db(0).set_string("b", "2");
  db(1).set_string("c", "3");
  uint64_t dirty = h.node().dirty;
  EXPECT_EQ(h.run({"FLUSHDB"}), kOk);
  EXPECT_EQ(db(0).size(), 0u);
  EXPECT_EQ(db(1).size(), 1u);
  EXPECT_EQ(h.node().dirty, dirty + 2);
}

TEST_F(ServerCommands, FlushdbAcceptsAsyncAndSyncOnly) {
  EXPECT_EQ(h.run({"FLUSHDB", "async"}), kOk);
  EXPECT_EQ(h.run({"FLUSHDB", "SYNC"}), kOk);
  EXPECT_EQ(h.run({"FLUSHDB", "later"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"FLUSHDB", "ASYNC", "SYNC"}), "-ERR syntax error\r\n");
}

TEST_F(ServerCommands, FlushdbFailsTransactionsWatchingItsKeys) {
  db(0).set_string("watched", "1");
  EXPECT_EQ(h.run({"WATCH", "watched"}), kOk);
  EXPECT_EQ(h.run({"FLUSHDB"}), kOk);
  h.run({"MULTI"});
  h.run({"PING"});
  EXPECT_EQ(h.run({"EXEC"}), "*-1\r\n");
}

TEST_F(ServerCommands, FlushallFailsTransactionsWatchingAnyDatabase) {
  db(5).set_string("watched", "1");
  h.run({"SELECT", "5"});
  EXPECT_EQ(h.run({"WATCH", "watched"}), kOk);
  h.run({"SELECT", "0"});
  EXPECT_EQ(h.run({"FLUSHALL"}), kOk);
  h.run({"MULTI"});
  h.run({"PING"});
  EXPECT_EQ(h.run({"EXEC"}), "*-1\r\n");
}

TEST_F(ServerCommands, FlushallEmptiesEveryDatabase) {
  db(0).set_string("a", "1");
  db(15).set_string("b", "2");
  uint64_t dirty = h.node().dirty;
  EXPECT_EQ(h.run({"FLUSHALL", "ASYNC"}), kOk);
  EXPECT_EQ(h.node().keyspace().total_keys(), 0u);
  EXPECT_EQ(h.node().dirty, dirty + 2);
  EXPECT_EQ(h.run({"FLUSHALL", "x"}), "-ERR syntax error\r\n");
}

TEST_F(ServerCommands, TimeRepliesSecondsAndMicrosecondsOfTheClock) {
  h.clock().set_ms(1'700'000'123'456);
  EXPECT_EQ(h.run({"TIME"}), "*2\r\n" + bulk("1700000123") + bulk("456000"));
  EXPECT_EQ(h.run({"TIME", "x"}), "-ERR wrong number of arguments for 'time' command\r\n");
}

TEST_F(ServerCommands, InfoWithoutArgumentsRendersTheDefaultSections) {
  std::string reply = h.run({"INFO"});
  ASSERT_EQ(reply[0], '$');
  EXPECT_EQ(titles(reply), (std::vector<std::string>{"Server", "Clients", "Memory", "Persistence",
                                                     "Stats", "Replication", "CPU", "Modules",
                                                     "Errorstats", "Cluster", "Keyspace"}));
  EXPECT_NE(reply.find("\r\nredis_version:7.0.15\r\n"), std::string::npos);
}

TEST_F(ServerCommands, InfoRendersTheNamedSectionsInInfoOrder) {
  std::string reply = h.run({"INFO", "keyspace", "CPU", "commandstats"});
  EXPECT_EQ(titles(reply), (std::vector<std::string>{"CPU", "Commandstats", "Keyspace"}));
}

TEST_F(ServerCommands, InfoOfAnUnknownSectionIsAnEmptyString) {
  EXPECT_EQ(h.run({"INFO", "nothing"}), "$0\r\n\r\n");
}

TEST_F(ServerCommands, InfoIsAVerbatimStringInResp3) {
  h.hello3();
  EXPECT_EQ(h.run({"INFO", "cluster"}), "=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n");
}

TEST_F(ServerCommands, MonitorRegistersTheClientOnce) {
  EXPECT_EQ(h.run({"MONITOR"}), kOk);
  EXPECT_TRUE(h.client().has(kClientMonitor));
  EXPECT_EQ(h.run({"MONITOR"}), "");
  EXPECT_EQ(std::count(h.node().monitors().begin(), h.node().monitors().end(), &h.client()), 1);
}

TEST_F(ServerCommands, ShutdownHandsItsFlagsToTheServerAndRepliesNothing) {
  FakeServerControl control;
  h.node().control = &control;
  EXPECT_EQ(h.run({"SHUTDOWN", "nosave", "NOW", "force"}), "");
  ASSERT_EQ(control.calls.size(), 1u);
  EXPECT_EQ(control.calls[0], std::make_tuple(true, false, true, true));
  EXPECT_EQ(h.run({"SHUTDOWN", "SAVE"}), "");
  EXPECT_EQ(control.calls[1], std::make_tuple(false, true, false, false));
  h.node().control = nullptr;
}

TEST_F(ServerCommands, ShutdownRepliesTheServersError) {
  FakeServerControl control;
  control.failure = "ERR Errors trying to SHUTDOWN. Check logs.";
  h.node().control = &control;
  EXPECT_EQ(h.run({"SHUTDOWN"}), "-ERR Errors trying to SHUTDOWN. Check logs.\r\n");
  h.node().control = nullptr;
  EXPECT_EQ(h.run({"SHUTDOWN"}), "-ERR Errors trying to SHUTDOWN. Check logs.\r\n");
}

TEST_F(ServerCommands, ShutdownRejectsConflictingOrUnknownFlags) {
  FakeServerControl control;
  h.node().control = &control;
  EXPECT_EQ(h.run({"SHUTDOWN", "NOSAVE", "SAVE"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"SHUTDOWN", "ABORT", "NOW"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"SHUTDOWN", "soon"}), "-ERR syntax error\r\n");
  EXPECT_TRUE(control.calls.empty());
  h.node().control = nullptr;
}

TEST_F(ServerCommands, ShutdownAbortFailsWithNoShutdownInProgress) {
  EXPECT_EQ(h.run({"SHUTDOWN", "abort"}), "-ERR No shutdown in progress.\r\n");
}

}  // namespace
}  // namespace stashd::testing
