// Owns: in-process tests of src/commands/scan_cmds.cpp (KEYS, SCAN with MATCH COUNT TYPE).
// Must not touch: other families' behaviour. Thread: the test's.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "commands/key_fixture.h"

namespace stashd::testing {
namespace {

using ScanCommands = KeyFixture;

// Reads one RESP bulk string at `pos`, advancing it.
std::string read_bulk(const std::string& reply, size_t* pos) {
  EXPECT_EQ(reply[*pos], '$');
  size_t eol = reply.find("\r\n", *pos);
  size_t len = std::stoul(reply.substr(*pos + 1, eol - *pos - 1));
  std::string s = reply.substr(eol + 2, len);
  *pos = eol + 2 + len + 2;
  return s;
}

std::vector<std::string> read_bulk_array(const std::string& reply, size_t* pos) {
  EXPECT_EQ(reply[*pos], '*') << reply;
  size_t eol = reply.find("\r\n", *pos);
  size_t n = std::stoul(reply.substr(*pos + 1, eol - *pos - 1));
  *pos = eol + 2;
  std::vector<std::string> items;
  for (size_t i = 0; i < n; ++i) items.push_back(read_bulk(reply, pos));
  return items;
}

std::set<std::string> keys_reply(const std::string& reply) {
  size_t pos = 0;
  auto items = read_bulk_array(reply, &pos);
  EXPECT_EQ(pos, reply.size());
  return {items.begin(), items.end()};
}

struct ScanPage {
  std::string cursor;
  std::vector<std::string> keys;
};

ScanPage scan_reply(const std::string& reply) {
  EXPECT_EQ(reply.rfind("*2\r\n", 0), 0u) << reply;
  size_t pos = 4;
  ScanPage page;
  page.cursor = read_bulk(reply, &pos);
  page.keys = read_bulk_array(reply, &pos);
  EXPECT_EQ(pos, reply.size());
  return page;
}

class ScanIteration : public KeyFixture {
 protected:
  // Runs SCAN with `options` from cursor 0 until it returns 0, calling between() after each page.
  template <typename Between>
  std::vector<std::string> scan_all(std::vector<std::string> options, Between between) {
    std::vector<std::string> all;
    std::string cursor = "0";
    for (int calls = 0; calls < 100'000; ++calls) {
      std::vector<std::string_view> args{"SCAN", cursor};
      for (const std::string& o : options) args.push_back(o);
      ScanPage page = scan_reply(h.run(args));
      all.insert(all.end(), page.keys.begin(), page.keys.end());
      cursor = page.cursor;
      if (cursor == "0") return all;
      between();
    }
    ADD_FAILURE() << "SCAN did not finish";
    return all;
  }
  std::vector<std::string> scan_all(std::vector<std::string> options = {}) {
    return scan_all(std::move(options), [] {});
  }
  void set_many(const std::string& prefix, int n) {
    for (int i = 0; i < n; ++i) set(numbered(prefix, i), "v");
  }
};

// --- KEYS ---------------------------------------------------------------------------------------

TEST_F(ScanCommands, KeysOnAnEmptyDatabaseIsAnEmptyArray) {
  EXPECT_EQ(h.run({"KEYS", "*"}), "*0\r\n");
}

TEST_F(ScanCommands, KeysStarReturnsEveryKeyIncludingTheEmptyOne) {
  set("a", "1");
  set("b", "2");
  set("", "empty");
  EXPECT_EQ(keys_reply(h.run({"KEYS", "*"})), (std::set<std::string>{"", "a", "b"}));
}

TEST_F(ScanCommands, KeysFiltersByPattern) {
  set("user:1", "a");
  set("user:2", "b");
  set("order:1", "c");
  set("user:10", "d");
  EXPECT_EQ(keys_reply(h.run({"KEYS", "user:?"})), (std::set<std::string>{"user:1", "user:2"}));
  EXPECT_EQ(keys_reply(h.run({"KEYS", "*:1"})), (std::set<std::string>{"user:1", "order:1"}));
  EXPECT_EQ(keys_reply(h.run({"KEYS", "[uo]*1[0]"})), (std::set<std::string>{"user:10"}));
}

TEST_F(ScanCommands, KeysSkipsExpiredKeys) {
  set("live", "1");
  set_with_ttl("dead", "1", 5);
  h.clock().advance_ms(5);
  EXPECT_EQ(keys_reply(h.run({"KEYS", "*"})), (std::set<std::string>{"live"}));
}

TEST_F(ScanCommands, KeysSeesEveryKeyWhileTheTableIsRehashing) {
  // 1000 inserts leave the dictionary mid-rehash at some point; KEYS must not miss or repeat.
  for (int i = 0; i < 1000; ++i) {
    set(numbered("k", i), "v");
    if (i % 97 == 0) {
      EXPECT_EQ(keys_reply(h.run({"KEYS", "*"})).size(), static_cast<size_t>(i + 1));
    }
  }
  std::string reply = h.run({"KEYS", "k*"});
  EXPECT_EQ(reply.rfind("*1000\r\n", 0), 0u);
  EXPECT_EQ(keys_reply(reply).size(), 1000u);
}

// --- SCAN: arguments ----------------------------------------------------------------------------

TEST_F(ScanCommands, ScanOnAnEmptyDatabaseFinishesAtOnce) {
  EXPECT_EQ(h.run({"SCAN", "0"}), "*2\r\n$1\r\n0\r\n*0\r\n");
}

TEST_F(ScanCommands, ScanRejectsCursorsThatAreNotUnsigned64BitNumbers) {
  for (const char* bad :
       {"abc", "1x", " 1", "1 ", "18446744073709551616", "-", "+", "0x10", "1.5"}) {
    EXPECT_EQ(h.run({"SCAN", bad}), error("ERR invalid cursor")) << bad;
  }
}

TEST_F(ScanCommands, ScanReadsTheCursorAsStrtoulDoes) {
  set("a", "1");
  // The largest cursor, its negative wrap-around, a '+' sign and the empty string are accepted.
  EXPECT_EQ(scan_reply(h.run({"SCAN", "18446744073709551615"})).keys.size(),
            scan_reply(h.run({"SCAN", "-1"})).keys.size());
  EXPECT_EQ(scan_reply(h.run({"SCAN", "+0"})).keys, std::vector<std::string>{"a"});
  EXPECT_EQ(scan_reply(h.run({"SCAN", ""})).keys, std::vector<std::string>{"a"});
}

TEST_F(ScanCommands, ScanCursorErrorComesBeforeOptionErrors) {
  EXPECT_EQ(h.run({"SCAN", "x", "COUNT", "0"}), error("ERR invalid cursor"));
}

TEST_F(ScanCommands, ScanCountMustBePositive) {
  EXPECT_EQ(h.run({"SCAN", "0", "COUNT", "0"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"SCAN", "0", "COUNT", "-3"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"SCAN", "0", "COUNT", "ten"}),
            error("ERR value is not an integer or out of range"));
}

TEST_F(ScanCommands, ScanRejectsUnknownOrIncompleteOptions) {
  EXPECT_EQ(h.run({"SCAN", "0", "LIMIT", "5"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"SCAN", "0", "MATCH"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"SCAN", "0", "COUNT", "5", "TYPE"}), error("ERR syntax error"));
}

// --- SCAN: results ------------------------------------------------------------------------------

TEST_F(ScanCommands, ScanWithALargeCountReturnsEverythingInOneCall) {
  for (int i = 0; i < 100; ++i) set(numbered("k", i), "v");
  ScanPage page = scan_reply(h.run({"SCAN", "0", "COUNT", "1000"}));
  EXPECT_EQ(page.cursor, "0");
  EXPECT_EQ(page.keys.size(), 100u);
}

TEST_F(ScanCommands, ScanWithASmallCountReturnsAboutThatMany) {
  for (int i = 0; i < 1000; ++i) set(numbered("k", i), "v");
  ScanPage page = scan_reply(h.run({"SCAN", "0", "COUNT", "5"}));
  EXPECT_NE(page.cursor, "0");
  EXPECT_GE(page.keys.size(), 5u);
  EXPECT_LT(page.keys.size(), 40u);  // whole buckets, so a few more than COUNT at most
}

TEST_F(ScanCommands, ScanMatchFiltersAfterVisiting) {
  for (int i = 0; i < 50; ++i) set(numbered("a", i), "v");
  for (int i = 0; i < 50; ++i) set(numbered("b", i), "v");
  std::set<std::string> found;
  std::string cursor = "0";
  do {
    ScanPage page = scan_reply(h.run({"SCAN", cursor, "MATCH", "a*", "COUNT", "7"}));
    for (const std::string& k : page.keys) {
      EXPECT_EQ(k[0], 'a');
      found.insert(k);
    }
    cursor = page.cursor;
  } while (cursor != "0");
  EXPECT_EQ(found.size(), 50u);
}

TEST_F(ScanCommands, ScanTypeFiltersIgnoringCase) {
  set("s", "v");
  set_collection("l", ValueType::kList, "quicklist");
  set_collection("h", ValueType::kHash, "listpack");
  EXPECT_EQ(scan_reply(h.run({"SCAN", "0", "TYPE", "LIST"})).keys, std::vector<std::string>{"l"});
  EXPECT_EQ(scan_reply(h.run({"SCAN", "0", "type", "string"})).keys, std::vector<std::string>{"s"});
  EXPECT_TRUE(scan_reply(h.run({"SCAN", "0", "TYPE", "stream"})).keys.empty());
}

TEST_F(ScanCommands, ScanCombinesMatchAndType) {
  set("str:1", "v");
  set_collection("str:2", ValueType::kSet, "intset");
  set("other", "v");
  EXPECT_EQ(scan_reply(h.run({"SCAN", "0", "MATCH", "str:*", "TYPE", "string"})).keys,
            std::vector<std::string>{"str:1"});
}

TEST_F(ScanCommands, ScanSkipsAndRemovesExpiredKeys) {
  set("live", "1");
  for (int i = 0; i < 5; ++i) set_with_ttl(numbered("dead", i), "v", 10);
  h.clock().advance_ms(10);
  EXPECT_EQ(scan_reply(h.run({"SCAN", "0", "COUNT", "100"})).keys,
            std::vector<std::string>{"live"});
  EXPECT_EQ(db().size(), 1u);
}

// --- SCAN: the iteration guarantee --------------------------------------------------------------

TEST_F(ScanIteration, AFullIterationReturnsEveryKey) {
  set_many("k", 500);
  std::vector<std::string> all = scan_all();
  std::set<std::string> unique(all.begin(), all.end());
  EXPECT_EQ(unique.size(), 500u);
  EXPECT_EQ(all.size(), 500u);  // a table that does not change yields no duplicates
}

TEST_F(ScanIteration, KeysPresentThroughoutAreReturnedWhileTheTableGrows) {
  set_many("stable", 200);
  int added = 0;
  std::vector<std::string> all = scan_all({"COUNT", "3"}, [&] {
    for (int i = 0; i < 20 && added < 2000; ++i) set(numbered("grow", added++), "v");
  });
  std::set<std::string> unique(all.begin(), all.end());
  for (int i = 0; i < 200; ++i) EXPECT_TRUE(unique.count(numbered("stable", i))) << i;
}

TEST_F(ScanIteration, KeysPresentThroughoutAreReturnedWhileTheTableShrinks) {
  set_many("stable", 40);
  set_many("gone", 2000);
  int removed = 0;
  std::vector<std::string> all = scan_all({"COUNT", "5"}, [&] {
    for (int i = 0; i < 100 && removed < 2000; ++i) {
      db().erase(numbered("gone", removed++));
    }
    db().maybe_shrink();
    db().rehash_step(4);
  });
  std::set<std::string> unique(all.begin(), all.end());
  for (int i = 0; i < 40; ++i) EXPECT_TRUE(unique.count(numbered("stable", i))) << i;
}

TEST_F(ScanIteration, KeysDeletedBeforeTheIterationAreNeverReturned) {
  set_many("k", 100);
  for (int i = 0; i < 100; i += 2) db().erase(numbered("k", i));
  std::vector<std::string> all = scan_all({"COUNT", "4"});
  EXPECT_EQ(all.size(), 50u);
  for (const std::string& k : all) EXPECT_EQ(std::stoi(k.substr(1)) % 2, 1) << k;
}

}  // namespace
}  // namespace stashd::testing
