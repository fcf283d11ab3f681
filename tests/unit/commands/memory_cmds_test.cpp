// Tests MEMORY in-process: USAGE (entry, TTL node, out-of-line values, SAMPLES validation), STATS
// in RESP2 and RESP3, DOCTOR, MALLOC-STATS, PURGE, HELP and the command rows.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "commands/harness.h"
#include "stashd/admin/stats_sampler.h"
#include "stashd/keyspace/allocator.h"

namespace stashd::testing {
namespace {

int64_t entry_bytes(std::string_view key, bool ttl, Encoding encoding, size_t embedded = 0) {
  return static_cast<int64_t>(EntryArena::rounded(entry::size_for(key, ttl, encoding, embedded)));
}

// Parses an integer reply ":n\r\n".
int64_t int_reply(const std::string& reply) {
  EXPECT_EQ(reply.front(), ':') << reply;
  return std::stoll(reply.substr(1));
}

class MemoryCommands : public ::testing::Test {
 protected:
  ~MemoryCommands() override { forget_sampled_stats(h.node()); }
  CommandHarness h;
};

TEST_F(MemoryCommands, UsageIsNilForAMissingKey) {
  EXPECT_EQ(h.run({"MEMORY", "USAGE", "nope"}), kNil);
  h.hello3();
  EXPECT_EQ(h.run({"MEMORY", "USAGE", "nope"}), "_\r\n");
}

TEST_F(MemoryCommands, UsageOfAnEmbeddedStringIsItsRoundedEntry) {
  h.run({"SET", "k", "hello"});
  EXPECT_EQ(h.run({"MEMORY", "USAGE", "k"}),
            integer(entry_bytes("k", false, Encoding::kEmbedded, 5)));
  h.run({"SET", "n", "12345"});
  EXPECT_EQ(h.run({"MEMORY", "USAGE", "n"}), integer(entry_bytes("n", false, Encoding::kInt)));
}

TEST_F(MemoryCommands, UsageCountsTheTtlHeapNodeOfAKeyWithADeadline) {
  h.run({"SET", "k", "hello", "EX", "100"});
  EXPECT_EQ(h.run({"MEMORY", "USAGE", "k"}),
            integer(entry_bytes("k", true, Encoding::kEmbedded, 5) +
                    static_cast<int64_t>(sizeof(TtlHeap::Node))));
}

TEST_F(MemoryCommands, UsageOfAHeapStringAddsItsAllocations) {
  std::string value(10000, 'x');
  h.run({"SET", "big", value});
  int64_t usage = int_reply(h.run({"MEMORY", "USAGE", "big"}));
  int64_t entry = entry_bytes("big", false, Encoding::kHeapString);
  EXPECT_GE(usage, entry + 10000 + static_cast<int64_t>(sizeof(std::string)));
  EXPECT_LT(usage, entry + 10000 + 4096);  // allocator size classes round up by far less
}

TEST_F(MemoryCommands, UsageOfACollectionIsItsEntryPlusWhatTheObjectReports) {
  int64_t previous = 0;
  for (int fields : {1, 10, 100, 1000}) {
    for (int i = 0; i < fields; ++i) {
      h.run({"HSET", "h", "field:" + std::to_string(i), std::string(20, 'v')});
    }
    int64_t usage = int_reply(h.run({"MEMORY", "USAGE", "h"}));
    EXPECT_GT(usage, previous) << fields << " fields";
    previous = usage;
  }
  Db& db = h.node().keyspace().db(0);
  size_t object = db.view(db.lookup_peek("h")).object()->memory_usage();
  EXPECT_EQ(previous, entry_bytes("h", false, Encoding::kObject) + static_cast<int64_t>(object));
  EXPECT_GT(previous, 1000 * 20);
}

TEST_F(MemoryCommands, UsageAcceptsSamplesAndTheFigureDoesNotDependOnIt) {
  for (int i = 0; i < 50; ++i) h.run({"RPUSH", "l", std::to_string(i)});
  std::string all = h.run({"MEMORY", "USAGE", "l"});
  EXPECT_EQ(h.run({"MEMORY", "USAGE", "l", "SAMPLES", "0"}), all);
  EXPECT_EQ(h.run({"MEMORY", "USAGE", "l", "samples", "1"}), all);
  EXPECT_EQ(h.run({"MEMORY", "USAGE", "l", "SAMPLES", "1", "SAMPLES", "7"}), all);
}

TEST_F(MemoryCommands, UsageValidatesOptionsAsRedisDoesBeforeLookingTheKeyUp) {
  const std::string syntax = "-ERR syntax error\r\n";
  EXPECT_EQ(h.run({"MEMORY", "USAGE", "nope", "SAMPLES"}), syntax);
  EXPECT_EQ(h.run({"MEMORY", "USAGE", "nope", "SAMPLES", "-1"}), syntax);
  EXPECT_EQ(h.run({"MEMORY", "USAGE", "nope", "COUNT", "5"}), syntax);
  EXPECT_EQ(h.run({"MEMORY", "USAGE", "nope", "SAMPLES", "many"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"MEMORY", "USAGE"}),
            "-ERR wrong number of arguments for 'memory|usage' command\r\n");
}

TEST_F(MemoryCommands, UsageNeitherCountsAHitNorRevivesAnExpiredKey) {
  h.run({"SET", "k", "v", "PX", "100"});
  EXPECT_EQ(h.run({"MEMORY", "USAGE", "k"})[0], ':');
  EXPECT_EQ(h.node().keyspace().stats().keyspace_hits, 0u);
  h.clock().advance_ms(200);
  EXPECT_EQ(h.run({"MEMORY", "USAGE", "k"}), kNil);
}

TEST_F(MemoryCommands, UsageReadsTheSelectedDatabase) {
  h.run({"SELECT", "3"});
  h.run({"SET", "k", "v"});
  EXPECT_EQ(h.run({"MEMORY", "USAGE", "k"})[0], ':');
  h.run({"SELECT", "0"});
  EXPECT_EQ(h.run({"MEMORY", "USAGE", "k"}), kNil);
}

// MEMORY STATS's names for a node with keys in databases 0 and 2, in Redis 7.0's order.
const std::vector<std::string> kStatsNames = {"peak.allocated",
                                              "total.allocated",
                                              "startup.allocated",
                                              "replication.backlog",
                                              "clients.slaves",
                                              "clients.normal",
                                              "cluster.links",
                                              "aof.buffer",
                                              "lua.caches",
                                              "functions.caches",
                                              "db.0",
                                              "db.2",
                                              "overhead.total",
                                              "keys.count",
                                              "keys.bytes-per-key",
                                              "dataset.bytes",
                                              "dataset.percentage",
                                              "peak.percentage",
                                              "allocator.allocated",
                                              "allocator.active",
                                              "allocator.resident",
                                              "allocator-fragmentation.ratio",
                                              "allocator-fragmentation.bytes",
                                              "allocator-rss.ratio",
                                              "allocator-rss.bytes",
                                              "rss-overhead.ratio",
                                              "rss-overhead.bytes",
                                              "fragmentation",
                                              "fragmentation.bytes"};

// The field names of a flat RESP2 MEMORY STATS reply, in order (values skipped).
std::vector<std::string> stats_names(const std::string& reply) {
  std::vector<std::string> names;
  size_t pos = reply.find("\r\n") + 2;
  bool name_next = true;
  int nested = 0;  // fields of a db.N map still to skip
  while (pos < reply.size()) {
    size_t end = reply.find("\r\n", pos);
    std::string line = reply.substr(pos, end - pos);
    pos = end + 2;
    if (line[0] == '$') {
      size_t len = std::stoul(line.substr(1));
      std::string text = reply.substr(pos, len);
      pos += len + 2;
      if (nested > 0) {
        --nested;
      } else if (name_next) {
        names.push_back(text);
        name_next = false;
      } else {
        name_next = true;  // a double sent as a bulk string
      }
    } else if (line[0] == '*') {
      nested = std::stoi(line.substr(1));  // db.N: name/value pairs; values are integers
      name_next = true;
    } else if (nested > 0) {
      --nested;
    } else {
      name_next = true;
    }
  }
  return names;
}

TEST_F(MemoryCommands, StatsListsRedisFieldsWithADatabaseEntryPerNonEmptyDatabase) {
  h.run({"SET", "a", "1"});
  h.run({"SELECT", "2"});
  h.run({"SET", "b", "2", "EX", "100"});
  std::string reply = h.run({"MEMORY", "STATS"});
  EXPECT_EQ(reply.rfind("*58\r\n", 0), 0u) << reply;  // 27 fields + 2 databases, flattened
  EXPECT_EQ(stats_names(reply), kStatsNames);
  EXPECT_NE(reply.find("$4\r\ndb.2\r\n*6\r\n$23\r\noverhead.hashtable.main\r\n:"),
            std::string::npos)
      << reply;
  EXPECT_NE(reply.find("$10\r\nkeys.count\r\n:2\r\n"), std::string::npos) << reply;
}

TEST_F(MemoryCommands, StatsIsAMapWithDoublesInResp3) {
  h.hello3();
  h.run({"SET", "a", "1"});
  std::string reply = h.run({"MEMORY", "STATS"});
  EXPECT_EQ(reply.rfind("%28\r\n", 0), 0u) << reply;
  EXPECT_NE(reply.find("$4\r\ndb.0\r\n%3\r\n"), std::string::npos) << reply;
  EXPECT_NE(reply.find("$18\r\ndataset.percentage\r\n,"), std::string::npos) << reply;
  EXPECT_NE(reply.find("$13\r\nfragmentation\r\n,"), std::string::npos) << reply;
}

TEST_F(MemoryCommands, StatsAgreesWithInfoOnTheStartupFigure) {
  SampledStats& s = sampled_stats(h.node());
  s.used_memory_startup = 12345;
  s.startup_recorded = true;
  EXPECT_NE(h.run({"MEMORY", "STATS"}).find("$17\r\nstartup.allocated\r\n:12345\r\n"),
            std::string::npos);
}

TEST_F(MemoryCommands, DoctorRepliesWithText) {
  std::string reply = h.run({"MEMORY", "DOCTOR"});
  EXPECT_EQ(reply[0], '$') << reply;
  EXPECT_GT(reply.size(), 40u);
  h.hello3();
  std::string verbatim = h.run({"MEMORY", "DOCTOR"});
  EXPECT_EQ(verbatim[0], '=') << verbatim;
  EXPECT_EQ(verbatim.substr(verbatim.find("\r\n") + 2, 4), "txt:") << verbatim;
}

TEST_F(MemoryCommands, MallocStatsRepliesWithTheAllocatorsReport) {
  std::string reply = h.run({"MEMORY", "MALLOC-STATS"});
  EXPECT_EQ(reply[0], '$');
  if (allocator::name().starts_with("jemalloc")) {
    EXPECT_NE(reply.find("jemalloc statistics"), std::string::npos);
  }
}

TEST_F(MemoryCommands, PurgeRepliesOk) { EXPECT_EQ(h.run({"MEMORY", "PURGE"}), kOk); }

TEST_F(MemoryCommands, HelpListsTheSubcommands) {
  std::string reply = h.run({"MEMORY", "HELP"});
  EXPECT_EQ(
      reply.rfind("*14\r\n+MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", 0), 0u)
      << reply;
  for (const char* sub : {"DOCTOR", "MALLOC-STATS", "PURGE", "STATS", "USAGE <key>"}) {
    EXPECT_NE(reply.find(std::string("+") + sub), std::string::npos) << sub;
  }
}

TEST_F(MemoryCommands, UnknownSubcommandsAndExtraArgumentsAreRejected) {
  EXPECT_EQ(h.run({"MEMORY", "bogus"}), "-ERR unknown subcommand 'bogus'. Try MEMORY HELP.\r\n");
  EXPECT_EQ(h.run({"MEMORY", "STATS", "x"}),
            "-ERR wrong number of arguments for 'memory|stats' command\r\n");
}

TEST_F(MemoryCommands, UsageRowIsReadonlyWithItsKeyAtPositionTwo) {
  const Command* usage = h.node().commands().find("memory")->find_subcommand("usage");
  ASSERT_NE(usage, nullptr);
  EXPECT_TRUE(usage->has(kCmdReadonly));
  EXPECT_EQ(usage->key_positions(5), std::vector<int>{2});
  EXPECT_EQ(h.run({"COMMAND", "GETKEYS", "MEMORY", "USAGE", "k", "SAMPLES", "5"}),
            "*1\r\n$1\r\nk\r\n");
}

}  // namespace
}  // namespace stashd::testing
