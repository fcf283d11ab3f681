// Owns: in-process tests of src/commands/key_cmds.cpp (DEL UNLINK EXISTS TYPE TOUCH RANDOMKEY
// RENAME RENAMENX COPY MOVE SWAPDB OBJECT) and the family's table rows.
// Must not touch: other families' behaviour. Thread: the test's.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "commands/key_fixture.h"

namespace stashd::testing {
namespace {

using KeyCommands = KeyFixture;

// --- DEL / UNLINK -------------------------------------------------------------------------------

TEST_F(KeyCommands, DelCountsOnlyKeysThatExisted) {
  set("a", "1");
  set("b", "2");
  EXPECT_EQ(h.run({"DEL", "a", "b", "missing"}), integer(2));
  EXPECT_EQ(value_of("a"), "(nil)");
  EXPECT_EQ(value_of("b"), "(nil)");
}

TEST_F(KeyCommands, DelCountsARepeatedKeyOnce) {
  set("a", "1");
  EXPECT_EQ(h.run({"DEL", "a", "a"}), integer(1));
}

TEST_F(KeyCommands, DelDoesNotCountAnExpiredKey) {
  set_with_ttl("a", "1", 100);
  h.clock().advance_ms(100);
  EXPECT_EQ(h.run({"DEL", "a"}), integer(0));
}

TEST_F(KeyCommands, DelMarksEachDeletedKeyChanged) {
  set("a", "1");
  set("b", "2");
  uint64_t before = dirty();
  h.run({"DEL", "a", "b", "c"});
  EXPECT_EQ(dirty() - before, 2u);
}

TEST_F(KeyCommands, DelWithoutKeysIsAnArityError) {
  EXPECT_EQ(h.run({"DEL"}), error("ERR wrong number of arguments for 'del' command"));
}

TEST_F(KeyCommands, UnlinkDeletesLikeDel) {
  set("a", "1");
  set_collection("l", ValueType::kList, "quicklist");
  EXPECT_EQ(h.run({"UNLINK", "a", "l", "x"}), integer(2));
  EXPECT_EQ(db().size(), 0u);
}

// --- EXISTS / TYPE / TOUCH ----------------------------------------------------------------------

TEST_F(KeyCommands, ExistsCountsRepeatedKeysEachTime) {
  set("a", "1");
  EXPECT_EQ(h.run({"EXISTS", "a", "a", "b"}), integer(2));
}

TEST_F(KeyCommands, ExistsTreatsAnExpiredKeyAsMissing) {
  set_with_ttl("a", "1", 50);
  h.clock().advance_ms(50);
  EXPECT_EQ(h.run({"EXISTS", "a"}), integer(0));
  EXPECT_EQ(db().size(), 0u);  // and removed it lazily
}

TEST_F(KeyCommands, ExistsCountsKeyspaceHitsAndMisses) {
  set("a", "1");
  KeyspaceStats& stats = h.node().keyspace().stats();
  uint64_t hits = stats.keyspace_hits;
  uint64_t misses = stats.keyspace_misses;
  h.run({"EXISTS", "a", "b"});
  EXPECT_EQ(stats.keyspace_hits - hits, 1u);
  EXPECT_EQ(stats.keyspace_misses - misses, 1u);
}

TEST_F(KeyCommands, ExistsTypeAndTtlDoNotResetIdleTime) {
  set("a", "1");
  h.clock().advance_ms(5000);
  h.run({"EXISTS", "a"});
  h.run({"TYPE", "a"});
  h.run({"TTL", "a"});
  EXPECT_EQ(h.run({"OBJECT", "IDLETIME", "a"}), integer(5));
}

TEST_F(KeyCommands, TypeNamesEveryValueType) {
  set("s", "v");
  set("i", "12");
  set_collection("l", ValueType::kList, "quicklist");
  set_collection("st", ValueType::kSet, "intset");
  set_collection("z", ValueType::kZset, "skiplist");
  set_collection("hs", ValueType::kHash, "listpack");
  EXPECT_EQ(h.run({"TYPE", "s"}), simple("string"));
  EXPECT_EQ(h.run({"TYPE", "i"}), simple("string"));
  EXPECT_EQ(h.run({"TYPE", "l"}), simple("list"));
  EXPECT_EQ(h.run({"TYPE", "st"}), simple("set"));
  EXPECT_EQ(h.run({"TYPE", "z"}), simple("zset"));
  EXPECT_EQ(h.run({"TYPE", "hs"}), simple("hash"));
}

TEST_F(KeyCommands, TypeOfAMissingOrExpiredKeyIsNone) {
  set_with_ttl("gone", "v", 10);
  h.clock().advance_ms(10);
  EXPECT_EQ(h.run({"TYPE", "missing"}), simple("none"));
  EXPECT_EQ(h.run({"TYPE", "gone"}), simple("none"));
}

TEST_F(KeyCommands, TouchCountsExistingKeysAndResetsTheirIdleTime) {
  set("a", "1");
  set("b", "2");
  h.clock().advance_ms(10'000);
  EXPECT_EQ(h.run({"TOUCH", "a", "missing", "a"}), integer(2));
  EXPECT_EQ(h.run({"OBJECT", "IDLETIME", "a"}), integer(0));
  EXPECT_EQ(h.run({"OBJECT", "IDLETIME", "b"}), integer(10));
}

// --- RANDOMKEY ----------------------------------------------------------------------------------

TEST_F(KeyCommands, RandomkeyOnAnEmptyDatabaseIsNil) { EXPECT_EQ(h.run({"RANDOMKEY"}), kNil); }

TEST_F(KeyCommands, RandomkeyReturnsOnlyLiveKeys) {
  set("live", "1");
  for (int i = 0; i < 20; ++i) set_with_ttl(numbered("dead", i), "x", 10);
  h.clock().advance_ms(10);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(h.run({"RANDOMKEY"}), bulk("live"));
}

TEST_F(KeyCommands, RandomkeyFindsTheOneLiveKeyAmongManyExpiredOnes) {
  // Db::random_key gives up after 100 expired picks; Redis keeps looking while keys remain.
  set("live", "1");
  for (int i = 0; i < 2000; ++i) set_with_ttl(numbered("dead", i), "x", 10);
  h.clock().advance_ms(10);
  EXPECT_EQ(h.run({"RANDOMKEY"}), bulk("live"));
}

TEST_F(KeyCommands, RandomkeyEventuallyReturnsEveryKey) {
  for (int i = 0; i < 8; ++i) set(numbered("k", i), "v");
  std::set<std::string> seen;
  for (int i = 0; i < 500 && seen.size() < 8; ++i) seen.insert(h.run({"RANDOMKEY"}));
  EXPECT_EQ(seen.size(), 8u);
}

TEST_F(KeyCommands, RandomkeyWhenEveryKeyExpiredIsNil) {
  set_with_ttl("a", "1", 10);
  set_with_ttl("b", "1", 10);
  h.clock().advance_ms(10);
  EXPECT_EQ(h.run({"RANDOMKEY"}), kNil);
}

// --- RENAME / RENAMENX --------------------------------------------------------------------------

TEST_F(KeyCommands, RenameMovesTheValue) {
  set("a", "hello");
  EXPECT_EQ(h.run({"RENAME", "a", "b"}), kOk);
  EXPECT_EQ(value_of("a"), "(nil)");
  EXPECT_EQ(value_of("b"), "hello");
}

TEST_F(KeyCommands, RenameOfAMissingKeyIsAnError) {
  EXPECT_EQ(h.run({"RENAME", "a", "b"}), error("ERR no such key"));
  EXPECT_EQ(h.run({"RENAMENX", "a", "b"}), error("ERR no such key"));
}

TEST_F(KeyCommands, RenameOfAnExpiredKeyIsAnError) {
  set_with_ttl("a", "1", 10);
  h.clock().advance_ms(10);
  EXPECT_EQ(h.run({"RENAME", "a", "b"}), error("ERR no such key"));
}

TEST_F(KeyCommands, RenameToItselfIsOkWhenTheKeyExists) {
  set("a", "1");
  uint64_t before = dirty();
  EXPECT_EQ(h.run({"RENAME", "a", "a"}), kOk);
  EXPECT_EQ(value_of("a"), "1");
  EXPECT_EQ(dirty(), before);
  EXPECT_EQ(h.run({"RENAME", "x", "x"}), error("ERR no such key"));
}

TEST_F(KeyCommands, RenameOverwritesTheDestinationAndItsTtl) {
  set("a", "new");
  set_with_ttl("b", "old", 10'000);
  EXPECT_EQ(h.run({"RENAME", "a", "b"}), kOk);
  EXPECT_EQ(value_of("b"), "new");
  EXPECT_EQ(deadline_of("b"), -1);
}

TEST_F(KeyCommands, RenameKeepsTheSourceTtl) {
  set_with_ttl("a", "v", 10'000);
  int64_t deadline = deadline_of("a");
  EXPECT_EQ(h.run({"RENAME", "a", "b"}), kOk);
  EXPECT_EQ(deadline_of("b"), deadline);
  h.clock().advance_ms(10'000);
  EXPECT_EQ(h.run({"EXISTS", "b"}), integer(0));
}

TEST_F(KeyCommands, RenameMovesCollectionsWithoutCopying) {
  FakeCollection* list = set_collection("a", ValueType::kList, "quicklist", "payload");
  EXPECT_EQ(h.run({"RENAME", "a", "b"}), kOk);
  Db& d = db();
  EntryIndex e = d.lookup_peek("b");
  ASSERT_NE(e, kNoEntry);
  EXPECT_EQ(d.view(e).object(), list);
}

TEST_F(KeyCommands, RenameMarksBothKeysChanged) {
  set("a", "1");
  uint64_t before = dirty();
  h.run({"RENAME", "a", "b"});
  EXPECT_EQ(dirty() - before, 2u);
}

TEST_F(KeyCommands, RenamenxRenamesOnlyToANewName) {
  set("a", "1");
  set("b", "2");
  EXPECT_EQ(h.run({"RENAMENX", "a", "b"}), integer(0));
  EXPECT_EQ(value_of("a"), "1");
  EXPECT_EQ(h.run({"RENAMENX", "a", "c"}), integer(1));
  EXPECT_EQ(value_of("c"), "1");
  EXPECT_EQ(value_of("a"), "(nil)");
}

TEST_F(KeyCommands, RenamenxTreatsAnExpiredDestinationAsNew) {
  set("a", "1");
  set_with_ttl("b", "2", 10);
  h.clock().advance_ms(10);
  EXPECT_EQ(h.run({"RENAMENX", "a", "b"}), integer(1));
}

TEST_F(KeyCommands, RenamenxToItselfReturnsZero) {
  set("a", "1");
  EXPECT_EQ(h.run({"RENAMENX", "a", "a"}), integer(0));
}

// --- COPY ---------------------------------------------------------------------------------------

TEST_F(KeyCommands, CopyDuplicatesTheValueAndTtl) {
  set_with_ttl("a", "v", 5000);
  EXPECT_EQ(h.run({"COPY", "a", "b"}), integer(1));
  EXPECT_EQ(value_of("a"), "v");
  EXPECT_EQ(value_of("b"), "v");
  EXPECT_EQ(deadline_of("b"), deadline_of("a"));
}

TEST_F(KeyCommands, CopyOfAMissingKeyReturnsZero) {
  EXPECT_EQ(h.run({"COPY", "a", "b"}), integer(0));
}

TEST_F(KeyCommands, CopyDoesNotOverwriteWithoutReplace) {
  set("a", "1");
  set("b", "2");
  EXPECT_EQ(h.run({"COPY", "a", "b"}), integer(0));
  EXPECT_EQ(value_of("b"), "2");
  EXPECT_EQ(h.run({"COPY", "a", "b", "REPLACE"}), integer(1));
  EXPECT_EQ(value_of("b"), "1");
}

TEST_F(KeyCommands, CopyWithReplaceDropsTheDestinationTtl) {
  set("a", "1");
  set_with_ttl("b", "2", 5000);
  EXPECT_EQ(h.run({"COPY", "a", "b", "replace"}), integer(1));
  EXPECT_EQ(deadline_of("b"), -1);
}

TEST_F(KeyCommands, CopyToAnotherDatabase) {
  set("a", "1");
  EXPECT_EQ(h.run({"COPY", "a", "a", "DB", "3"}), integer(1));
  EXPECT_EQ(value_of("a", 3), "1");
  EXPECT_EQ(value_of("a", 0), "1");
}

TEST_F(KeyCommands, CopyToTheSameKeyInTheSameDatabaseIsAnError) {
  set("a", "1");
  EXPECT_EQ(h.run({"COPY", "a", "a"}), error("ERR source and destination objects are the same"));
  EXPECT_EQ(h.run({"COPY", "a", "a", "DB", "0"}),
            error("ERR source and destination objects are the same"));
}

TEST_F(KeyCommands, CopyRejectsBadOptions) {
  set("a", "1");
  EXPECT_EQ(h.run({"COPY", "a", "b", "DB", "16"}), error("ERR DB index is out of range"));
  EXPECT_EQ(h.run({"COPY", "a", "b", "DB", "-1"}), error("ERR DB index is out of range"));
  EXPECT_EQ(h.run({"COPY", "a", "b", "DB", "x"}),
            error("ERR value is not an integer or out of range"));
  EXPECT_EQ(h.run({"COPY", "a", "b", "DB", "4294967296"}),
            error("ERR value is not an integer or out of range"));
  EXPECT_EQ(h.run({"COPY", "a", "b", "DB"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"COPY", "a", "b", "NOPE"}), error("ERR syntax error"));
}

TEST_F(KeyCommands, CopyClonesACollection) {
  FakeCollection* original = set_collection("a", ValueType::kSet, "hashtable", "items");
  EXPECT_EQ(h.run({"COPY", "a", "b"}), integer(1));
  Db& d = db();
  auto* copy = static_cast<FakeCollection*>(d.view(d.lookup_peek("b")).object());
  EXPECT_NE(copy, original);
  EXPECT_EQ(copy->payload, "items");
  EXPECT_EQ(h.run({"TYPE", "b"}), simple("set"));
}

TEST_F(KeyCommands, CopyMarksOnlyTheDestinationChanged) {
  set("a", "1");
  uint64_t before = dirty();
  h.run({"COPY", "a", "b"});
  EXPECT_EQ(dirty() - before, 1u);
}

// --- MOVE ---------------------------------------------------------------------------------------

TEST_F(KeyCommands, MoveTransfersTheKeyWithItsTtl) {
  set_with_ttl("a", "v", 5000);
  int64_t deadline = deadline_of("a");
  EXPECT_EQ(h.run({"MOVE", "a", "1"}), integer(1));
  EXPECT_EQ(value_of("a", 0), "(nil)");
  EXPECT_EQ(value_of("a", 1), "v");
  EXPECT_EQ(deadline_of("a", 1), deadline);
}

TEST_F(KeyCommands, MoveDoesNotOverwriteTheTarget) {
  set("a", "src");
  set("a", "dst", 1);
  EXPECT_EQ(h.run({"MOVE", "a", "1"}), integer(0));
  EXPECT_EQ(value_of("a", 0), "src");
  EXPECT_EQ(value_of("a", 1), "dst");
}

TEST_F(KeyCommands, MoveOfAMissingKeyReturnsZero) {
  EXPECT_EQ(h.run({"MOVE", "a", "1"}), integer(0));
}

TEST_F(KeyCommands, MoveRejectsBadDatabases) {
  set("a", "1");
  EXPECT_EQ(h.run({"MOVE", "a", "0"}), error("ERR source and destination objects are the same"));
  EXPECT_EQ(h.run({"MOVE", "a", "16"}), error("ERR DB index is out of range"));
  EXPECT_EQ(h.run({"MOVE", "a", "one"}), error("ERR value is not an integer or out of range"));
}

TEST_F(KeyCommands, MoveFromTheSelectedDatabase) {
  set("a", "v", 2);
  h.client().db = 2;
  EXPECT_EQ(h.run({"MOVE", "a", "0"}), integer(1));
  EXPECT_EQ(value_of("a", 0), "v");
}

// --- SWAPDB -------------------------------------------------------------------------------------

TEST_F(KeyCommands, SwapdbExchangesContents) {
  set("in0", "zero", 0);
  set_with_ttl("in1", "one", 1000, 1);
  EXPECT_EQ(h.run({"SWAPDB", "0", "1"}), kOk);
  EXPECT_EQ(value_of("in0", 1), "zero");
  EXPECT_EQ(value_of("in1", 0), "one");
  EXPECT_EQ(value_of("in0", 0), "(nil)");
  h.clock().advance_ms(1000);
  EXPECT_EQ(h.run({"EXISTS", "in1"}), integer(0));
}

TEST_F(KeyCommands, SwapdbWithItselfIsOk) {
  set("a", "1");
  EXPECT_EQ(h.run({"SWAPDB", "0", "0"}), kOk);
  EXPECT_EQ(value_of("a"), "1");
}

TEST_F(KeyCommands, SwapdbCountsAsOneChange) {
  uint64_t before = dirty();
  h.run({"SWAPDB", "0", "1"});
  EXPECT_EQ(dirty() - before, 1u);
}

TEST_F(KeyCommands, SwapdbRejectsBadIndexes) {
  EXPECT_EQ(h.run({"SWAPDB", "x", "1"}), error("ERR invalid first DB index"));
  EXPECT_EQ(h.run({"SWAPDB", "0", "y"}), error("ERR invalid second DB index"));
  EXPECT_EQ(h.run({"SWAPDB", "0", "16"}), error("ERR DB index is out of range"));
  EXPECT_EQ(h.run({"SWAPDB", "-1", "0"}), error("ERR DB index is out of range"));
}

// --- OBJECT -------------------------------------------------------------------------------------

TEST_F(KeyCommands, ObjectEncodingOfStrings) {
  set("int", "12345");
  set("short", "hello");
  set("at_limit", std::string(44, 'x'));
  set("over_limit", std::string(45, 'x'));
  set("huge", std::string(10'000, 'x'));
  set("not_int", "007");
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "int"}), bulk("int"));
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "short"}), bulk("embstr"));
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "at_limit"}), bulk("embstr"));
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "over_limit"}), bulk("raw"));
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "huge"}), bulk("raw"));
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "not_int"}), bulk("embstr"));
}

TEST_F(KeyCommands, ObjectEncodingOfACollectionIsItsOwnName) {
  set_collection("l", ValueType::kList, "listpack");
  EXPECT_EQ(h.run({"object", "encoding", "l"}), bulk("listpack"));
}

TEST_F(KeyCommands, ObjectSubcommandsOnAMissingKeyAreNil) {
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "x"}), kNil);
  EXPECT_EQ(h.run({"OBJECT", "IDLETIME", "x"}), kNil);
  EXPECT_EQ(h.run({"OBJECT", "REFCOUNT", "x"}), kNil);
  EXPECT_EQ(h.run({"OBJECT", "FREQ", "x"}), kNil);
}

TEST_F(KeyCommands, ObjectIdletimeGrowsAndDoesNotTouch) {
  set("a", "1");
  h.clock().advance_ms(3000);
  EXPECT_EQ(h.run({"OBJECT", "IDLETIME", "a"}), integer(3));
  h.clock().advance_ms(4000);
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "a"}), bulk("int"));
  EXPECT_EQ(h.run({"OBJECT", "IDLETIME", "a"}), integer(7));
}

TEST_F(KeyCommands, ObjectFreqSaysLfuIsNotSelected) {
  set("a", "1");
  EXPECT_EQ(h.run({"OBJECT", "FREQ", "a"}),
            error("ERR An LFU maxmemory policy is not selected, access frequency not tracked. "
                  "Please note that when switching between policies at runtime LRU and LFU data "
                  "will take some time to adjust."));
}

TEST_F(KeyCommands, ObjectRefcountIsOne) {
  set("a", "1");
  EXPECT_EQ(h.run({"OBJECT", "REFCOUNT", "a"}), integer(1));
}

TEST_F(KeyCommands, ObjectHelpListsTheSubcommands) {
  std::string reply = h.run({"object", "help"});
  EXPECT_EQ(
      reply.rfind("*15\r\n+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n", 0),
      0u);
  EXPECT_NE(reply.find("+ENCODING <key>\r\n"), std::string::npos);
  EXPECT_NE(reply.find("+REFCOUNT <key>\r\n"), std::string::npos);
  EXPECT_TRUE(reply.ends_with("+HELP\r\n+    Print this help.\r\n"));
}

TEST_F(KeyCommands, ObjectRejectsUnknownSubcommandsAndBadArity) {
  EXPECT_EQ(h.run({"OBJECT", "NOPE", "a"}),
            error("ERR unknown subcommand 'NOPE'. Try OBJECT HELP."));
  EXPECT_EQ(h.run({"OBJECT"}), error("ERR wrong number of arguments for 'object' command"));
  EXPECT_EQ(h.run({"OBJECT", "ENCODING"}),
            error("ERR wrong number of arguments for 'object|encoding' command"));
}

// --- the table ----------------------------------------------------------------------------------

TEST_F(KeyCommands, RowsCarryRedisKeyPositionsAndFlags) {
  CommandTable& table = h.node().commands();
  const Command* del_row = table.find("del");
  ASSERT_NE(del_row, nullptr);
  EXPECT_EQ(del_row->key_positions(4), (std::vector<int>{1, 2, 3}));
  EXPECT_TRUE(del_row->has(kCmdWrite));
  EXPECT_FALSE(del_row->has(kCmdFast));
  EXPECT_EQ(table.find("rename")->key_positions(3), (std::vector<int>{1, 2}));
  EXPECT_EQ(table.find("copy")->key_positions(6), (std::vector<int>{1, 2}));
  EXPECT_TRUE(table.find("swapdb")->key_positions(3).empty());
  EXPECT_TRUE(table.find("keys")->has(kCmdReadonly));
  const Command* encoding = table.find("object")->find_subcommand("ENCODING");
  ASSERT_NE(encoding, nullptr);
  EXPECT_EQ(encoding->key_positions(3), (std::vector<int>{2}));
  for (const char* name : {"del",        "unlink",      "exists",   "type",      "keys",  "scan",
                           "randomkey",  "rename",      "renamenx", "copy",      "move",  "swapdb",
                           "expire",     "pexpire",     "expireat", "pexpireat", "ttl",   "pttl",
                           "expiretime", "pexpiretime", "persist",  "touch",     "object"}) {
    const Command* row = table.find(name);
    ASSERT_NE(row, nullptr) << name;
    EXPECT_EQ(row->spec.group, "generic") << name;
  }
}

}  // namespace
}  // namespace stashd::testing
