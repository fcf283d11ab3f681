// Tests the propagation stream: units per call, nested calls (EXEC) as one atomic unit, handler
// replacements, suppression and forcing, targets per sink, DELs of removed keys ahead of the open
// unit, sinks coming and going, and the dispatcher's framing (databases, blocked clients' own
// units, nothing built without a sink, the keyspace clock held while a stream is applied).
#include "stashd/command/propagation.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "stashd/command/context.h"
#include "stashd/command/dispatcher.h"
#include "stashd/common/clock.h"

namespace stashd {
namespace {

using Argvs = std::vector<std::vector<std::string>>;

// Keeps copies of what it receives.
struct Recorder {
  std::vector<std::vector<PropagatedCommand>> units;
  PropagationSink sink() {
    return [this](const PropagatedUnit& u) {
      units.emplace_back(u.commands().begin(), u.commands().end());
    };
  }
  Argvs argvs(size_t unit) const {
    Argvs out;
    for (const PropagatedCommand& c : units.at(unit)) out.push_back(c.argv);
    return out;
  }
};

std::vector<std::string_view> args(std::initializer_list<std::string_view> a) { return a; }

TEST(Propagator, IsInactiveUntilASinkRegisters) {
  Propagator p;
  EXPECT_FALSE(p.active());
  Recorder r;
  Propagator::SinkId id = p.add_sink(r.sink());
  EXPECT_TRUE(p.active());
  p.remove_sink(id);
  EXPECT_FALSE(p.active());
}

TEST(Propagator, EmitsAWriteThatChangedTheDatasetAsItCame) {
  Propagator p;
  Recorder r;
  p.add_sink(r.sink());
  p.begin_call(3);
  p.end_call(args({"SET", "k", "v"}), /*write_command=*/true, /*changed=*/true);
  ASSERT_EQ(r.units.size(), 1u);
  ASSERT_EQ(r.units[0].size(), 1u);
  EXPECT_EQ(r.units[0][0].db, 3);
  EXPECT_EQ(r.units[0][0].targets, kPropagateAll);
  EXPECT_EQ(r.argvs(0), (Argvs{{"SET", "k", "v"}}));
}

TEST(Propagator, DropsWritesThatChangedNothingAndEveryRead) {
  Propagator p;
  Recorder r;
  p.add_sink(r.sink());
  p.begin_call(0);
  p.end_call(args({"DEL", "missing"}), true, false);
  p.begin_call(0);
  p.end_call(args({"GET", "k"}), false, false);
  // A read that changed something (an expired key it met) is not a write either.
  p.begin_call(0);
  p.end_call(args({"GET", "k"}), false, true);
  EXPECT_TRUE(r.units.empty());
}

TEST(Propagator, AReplacementTakesThePlaceOfTheArguments) {
  Propagator p;
  Recorder r;
  p.add_sink(r.sink());
  p.begin_call(0);
  p.replace({"PEXPIREAT", "k"}).add(int64_t{1700000000123}).add("x");
  p.end_call(args({"EXPIRE", "k", "10"}), true, true);
  EXPECT_EQ(r.argvs(0), (Argvs{{"PEXPIREAT", "k", "1700000000123", "x"}}));
}

TEST(Propagator, SeveralCommandsOfOneCallFormAnAtomicUnit) {
  Propagator p;
  Recorder r;
  p.add_sink(r.sink());
  p.begin_call(0);
  p.replace({"DEL", "dst"});
  p.add({"RPUSH", "dst", "a", "b"});
  p.end_call(args({"SORT", "src", "STORE", "dst"}), true, true);
  ASSERT_EQ(r.units.size(), 1u);
  EXPECT_EQ(r.argvs(0), (Argvs{{"DEL", "dst"}, {"RPUSH", "dst", "a", "b"}}));
}

TEST(Propagator, AddedCommandsFollowTheCallsOwnArguments) {
  Propagator p;
  Recorder r;
  p.add_sink(r.sink());
  p.begin_call(0);
  p.add({"PERSIST", "k"});
  p.end_call(args({"SET", "k", "v"}), true, true);
  EXPECT_EQ(r.argvs(0), (Argvs{{"SET", "k", "v"}, {"PERSIST", "k"}}));
}

TEST(Propagator, ASuppressedCallPropagatesNothingItDeclared) {
  Propagator p;
  Recorder r;
  p.add_sink(r.sink());
  p.begin_call(0);
  p.replace({"DEL", "k"});
  p.suppress();
  p.end_call(args({"GETDEL", "k"}), true, true);
  EXPECT_TRUE(r.units.empty());
}

TEST(Propagator, DeclarationsOfACallThatChangedNothingAreDropped) {
  Propagator p;
  Recorder r;
  p.add_sink(r.sink());
  p.begin_call(0);
  p.replace({"DEL", "k"});
  p.end_call(args({"GETDEL", "k"}), true, false);
  p.begin_call(0);
  p.end_call(args({"SET", "a", "1"}), true, true);
  EXPECT_EQ(r.units.size(), 1u);
  EXPECT_EQ(r.argvs(0), (Argvs{{"SET", "a", "1"}}));
}

TEST(Propagator, AForcedCallReachesOnlyTheSinksOfItsTargets) {
  Propagator p;
  Recorder aof, replicas, both;
  p.add_sink(aof.sink(), kPropagateAof);
  p.add_sink(replicas.sink(), kPropagateReplicas);
  p.add_sink(both.sink());
  p.begin_call(0);
  p.force(kPropagateReplicas);
  p.end_call(args({"PUBLISH", "ch", "hello"}), false, false);
  EXPECT_TRUE(aof.units.empty());
  ASSERT_EQ(replicas.units.size(), 1u);
  EXPECT_EQ(replicas.units[0][0].targets, kPropagateReplicas);
  EXPECT_EQ(both.argvs(0), (Argvs{{"PUBLISH", "ch", "hello"}}));
}

TEST(Propagator, NestedCallsFormOneUnitWithEachCommandsDatabase) {
  Propagator p;
  Recorder r;
  p.add_sink(r.sink());
  p.begin_call(0);  // EXEC
  p.begin_call(0);
  p.end_call(args({"SET", "a", "1"}), true, true);
  p.begin_call(0);
  p.end_call(args({"SELECT", "2"}), false, false);
  p.begin_call(2);
  p.replace({"DEL", "b"});
  p.end_call(args({"GETDEL", "b"}), true, true);
  EXPECT_TRUE(r.units.empty()) << "nothing leaves before the outermost call ends";
  p.end_call(args({"EXEC"}), false, true);
  ASSERT_EQ(r.units.size(), 1u);
  ASSERT_EQ(r.units[0].size(), 2u);
  EXPECT_EQ(r.units[0][0].db, 0);
  EXPECT_EQ(r.units[0][1].db, 2);
  EXPECT_EQ(r.argvs(0), (Argvs{{"SET", "a", "1"}, {"DEL", "b"}}));
}

TEST(Propagator, AnOuterCallsDeclarationsSurviveItsInnerCalls) {
  Propagator p;
  Recorder r;
  p.add_sink(r.sink());
  p.begin_call(0);
  p.replace({"OUTER", "1"});
  p.begin_call(0);
  p.replace({"INNER"});
  p.end_call(args({"inner"}), true, true);
  p.add({"OUTER", "2"});
  p.end_call(args({"outer"}), true, true);
  EXPECT_EQ(r.argvs(0), (Argvs{{"INNER"}, {"OUTER", "1"}, {"OUTER", "2"}}));
}

TEST(Propagator, AMixedUnitIsNarrowedToEachSinksTargets) {
  Propagator p;
  Recorder aof, replicas;
  p.add_sink(aof.sink(), kPropagateAof);
  p.add_sink(replicas.sink(), kPropagateReplicas);
  p.begin_call(0);
  p.begin_call(0);
  p.end_call(args({"SET", "a", "1"}), true, true);
  p.begin_call(0);
  p.force(kPropagateReplicas);
  p.end_call(args({"PUBLISH", "ch", "m"}), false, false);
  p.end_call(args({"EXEC"}), false, true);
  EXPECT_EQ(aof.argvs(0), (Argvs{{"SET", "a", "1"}}));
  EXPECT_EQ(replicas.argvs(0), (Argvs{{"SET", "a", "1"}, {"PUBLISH", "ch", "m"}}));
}

TEST(Propagator, ARemovedKeyIsEmittedAtOnceAheadOfTheOpenUnit) {
  Propagator p;
  Recorder r;
  p.add_sink(r.sink());
  p.begin_call(1);
  p.key_removed(1, "old", /*lazy=*/false);
  ASSERT_EQ(r.units.size(), 1u);
  p.end_call(args({"SET", "old", "new"}), true, true);
  ASSERT_EQ(r.units.size(), 2u);
  EXPECT_EQ(r.units[0][0].db, 1);
  EXPECT_EQ(r.argvs(0), (Argvs{{"DEL", "old"}}));
  EXPECT_EQ(r.argvs(1), (Argvs{{"SET", "old", "new"}}));
}

TEST(Propagator, ALazilyFreedKeyLeavesAsUnlink) {
  Propagator p;
  Recorder r;
  p.add_sink(r.sink());
  p.key_removed(0, "big", /*lazy=*/true);
  EXPECT_EQ(r.argvs(0), (Argvs{{"UNLINK", "big"}}));
}

TEST(Propagator, ASinkMayRemoveItselfAndAddAnotherWhileReceiving) {
  Propagator p;
  Recorder late;
  int first_calls = 0;
  Propagator::SinkId first = 0;
  first = p.add_sink([&](const PropagatedUnit&) {
    ++first_calls;
    p.remove_sink(first);
    p.add_sink(late.sink());
  });
  Recorder other;
  p.add_sink(other.sink());
  p.key_removed(0, "a", false);
  p.key_removed(0, "b", false);
  EXPECT_EQ(first_calls, 1);
  EXPECT_EQ(other.units.size(), 2u);
  ASSERT_EQ(late.units.size(), 1u) << "a sink added meanwhile starts with the next unit";
  EXPECT_EQ(late.argvs(0), (Argvs{{"DEL", "b"}}));
}

TEST(Propagator, DeclarationsOutsideACallAreIgnored) {
  Propagator p;
  Recorder r;
  p.add_sink(r.sink());
  p.replace({"DEL", "k"}).add("x");
  p.add({"DEL", "k"});
  p.suppress();
  p.force(kPropagateAll);
  p.end_call(args({"SET", "k", "v"}), true, true);
  EXPECT_TRUE(r.units.empty());
}

TEST(PropagatedUnit, ReusesItsSlotsAcrossUnits) {
  PropagatedUnit u;
  const std::string_view first[] = {"SET", "key", "a value longer than the small buffer"};
  u.add(4, kPropagateAof, first);
  EXPECT_EQ(u.size(), 1u);
  EXPECT_FALSE(u.atomic());
  const char* buffer = u[0].argv[2].data();
  u.clear();
  const std::string_view second[] = {"SET", "key", "another value, as long as the first"};
  u.add(5, kPropagateAll, second);
  EXPECT_EQ(u[0].argv[2].data(), buffer);
  EXPECT_EQ(u[0].db, 5);
  EXPECT_EQ(u[0].argv[2], "another value, as long as the first");
  u.add(5, kPropagateAll);
  EXPECT_TRUE(u.atomic());
  EXPECT_TRUE(u[1].argv.empty());
}

// --- The dispatcher's framing ------------------------------------------------------------------

void write_key(CommandContext& ctx) {
  ctx.key_changed(ctx.arg(1));
  ctx.out.ok();
}
void write_nothing(CommandContext& ctx) { ctx.out.integer(0); }
void select_db(CommandContext& ctx) {
  ctx.client.db = static_cast<int>(ctx.arg(1)[0] - '0');
  ctx.out.ok();
}
bool saw_propagating = false;
void probe(CommandContext& ctx) {
  saw_propagating = ctx.propagating();
  ctx.out.ok();
}
// Stands in for EXEC: runs two writes inside its own call.
void two_writes(CommandContext& ctx) {
  const std::string_view a[] = {"w", "a"};
  const std::string_view b[] = {"w", "b"};
  ctx.node.dispatcher->execute_queued(ctx.client, a);
  ctx.node.dispatcher->execute_queued(ctx.client, b);
}
int64_t seen_now = -1;
void read_now(CommandContext& ctx) {
  seen_now = ctx.now_ms();
  ctx.out.ok();
}

class DispatcherPropagation : public ::testing::Test {
 protected:
  DispatcherPropagation()
      : registry_(&config_), node_(&config_, &registry_, &clock_), dispatcher_(&node_) {
    CommandTable& t = node_.commands();
    t.add({"w", 2, kCmdWrite, 1, 1, 1, 0, write_key, "generic", "1.0.0", "", ""});
    t.add({"noop", 2, kCmdWrite, 1, 1, 1, 0, write_nothing, "generic", "1.0.0", "", ""});
    t.add({"r", 2, kCmdReadonly, 1, 1, 1, 0, write_key, "generic", "1.0.0", "", ""});
    t.add({"select", 2, 0, 0, 0, 0, 0, select_db, "connection", "1.0.0", "", ""});
    t.add({"probe", 1, 0, 0, 0, 0, 0, probe, "generic", "1.0.0", "", ""});
    t.add({"both", 1, 0, 0, 0, 0, 0, two_writes, "transactions", "1.0.0", "", ""});
    t.add({"now", 1, 0, 0, 0, 0, 0, read_now, "generic", "1.0.0", "", ""});
    node_.add_client(&client_);
  }
  ~DispatcherPropagation() override { node_.remove_client(&client_); }

  void run(std::vector<std::string_view> argv) {
    client_.out.clear();
    dispatcher_.execute(client_, argv);
  }

  Config config_;
  ConfigRegistry registry_;
  ManualClock clock_;
  NodeState node_;
  Dispatcher dispatcher_;
  Client client_{1, 0};
};

TEST_F(DispatcherPropagation, BuildsNothingWhileNoSinkListens) {
  run({"probe"});
  EXPECT_FALSE(saw_propagating);
  Recorder r;
  Propagator::SinkId id = node_.propagator().add_sink(r.sink());
  run({"probe"});
  EXPECT_TRUE(saw_propagating);
  node_.propagator().remove_sink(id);
}

TEST_F(DispatcherPropagation, EachWriteIsAUnitInTheClientsDatabase) {
  Recorder r;
  node_.propagator().add_sink(r.sink());
  run({"w", "a"});
  run({"noop", "a"});
  run({"r", "a"});
  run({"select", "3"});
  run({"w", "b"});
  ASSERT_EQ(r.units.size(), 2u) << "no-op writes, reads and SELECT do not propagate";
  EXPECT_EQ(r.units[0][0].db, 0);
  EXPECT_EQ(r.argvs(0), (Argvs{{"w", "a"}}));
  EXPECT_EQ(r.units[1][0].db, 3);
  EXPECT_EQ(r.argvs(1), (Argvs{{"w", "b"}}));
}

TEST_F(DispatcherPropagation, CommandsRunInsideAnotherFormOneUnit) {
  Recorder r;
  node_.propagator().add_sink(r.sink());
  run({"both"});
  ASSERT_EQ(r.units.size(), 1u);
  EXPECT_EQ(r.argvs(0), (Argvs{{"w", "a"}, {"w", "b"}}));
}

// A sink that writes the stream as text the way the AOF and replication sinks will: SELECT when
// the database changes, MULTI/EXEC around atomic units.
TEST_F(DispatcherPropagation, ASinkRendersDatabasesAndAtomicUnits) {
  std::vector<std::string> lines;
  int last_db = -1;
  node_.propagator().add_sink([&](const PropagatedUnit& unit) {
    if (unit.atomic()) lines.push_back("MULTI");
    for (const PropagatedCommand& c : unit.commands()) {
      if (c.db != last_db) lines.push_back("SELECT " + std::to_string(c.db));
      last_db = c.db;
      std::string line;
      for (const std::string& a : c.argv) line += (line.empty() ? "" : " ") + a;
      lines.push_back(line);
    }
    if (unit.atomic()) lines.push_back("EXEC");
  });
  run({"w", "a"});
  run({"select", "1"});
  run({"w", "b"});
  run({"both"});
  EXPECT_EQ(lines, (std::vector<std::string>{"SELECT 0", "w a", "SELECT 1", "w b", "MULTI", "w a",
                                             "w b", "EXEC"}));
}

TEST_F(DispatcherPropagation, AnExpiredKeyLeavesAsADelBeforeTheCommandThatMetIt) {
  Recorder r;
  node_.propagator().add_sink(r.sink());
  Db& db = node_.keyspace().db(0);
  node_.keyspace().set_now_ms(clock_.now_ms());
  db.set_expire(db.set_string("a", "v"), clock_.now_ms() + 10);
  clock_.advance_ms(20);
  // The fake write does not look the key up; a lookup inside a command expires it.
  node_.propagator().begin_call(0);
  node_.keyspace().set_now_ms(clock_.now_ms());
  EXPECT_EQ(db.lookup_write("a"), kNoEntry);
  node_.propagator().end_call(args({"w", "a"}), true, true);
  ASSERT_EQ(r.units.size(), 2u);
  EXPECT_EQ(r.argvs(0), (Argvs{{"DEL", "a"}}));
  EXPECT_EQ(r.argvs(1), (Argvs{{"w", "a"}}));
}

TEST_F(DispatcherPropagation, AnEvictedKeyLeavesAsADel) {
  Recorder r;
  node_.propagator().add_sink(r.sink());
  Db& db = node_.keyspace().db(2);
  db.evict(db.set_string("victim", "v"));
  ASSERT_EQ(r.units.size(), 1u);
  EXPECT_EQ(r.units[0][0].db, 2);
  EXPECT_EQ(r.argvs(0), (Argvs{{"DEL", "victim"}}));
}

TEST_F(DispatcherPropagation, ApplyingAStreamHoldsTheKeyspaceClockAtZero) {
  run({"now"});
  EXPECT_EQ(seen_now, clock_.now_ms());
  node_.applying_stream = true;
  run({"now"});
  EXPECT_EQ(seen_now, 0);
  node_.applying_stream = false;
  run({"now"});
  EXPECT_EQ(seen_now, clock_.now_ms());
}

}  // namespace
}  // namespace stashd
