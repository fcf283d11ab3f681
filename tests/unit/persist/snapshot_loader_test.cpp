// Tests SnapshotLoader: full round trips (every type, encoding, TTL and database), access fields
// and recency order, expiry at load time, progress reports, and robustness: every truncation, every
// byte flip and random corruption give a clean error (or, without a checksum, a load), and each
// kind of structural damage gives its precise message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <xxhash.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "persist/sample_dataset.h"
#include "persist/wire.h"
#include "stashd/persist/value_codec.h"

namespace stashd::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
namespace wire = persist::wire;

// Builds snapshot bytes record by record, for damage the writer never produces.
class Craft {
 public:
  Craft& header(uint16_t version = persist::kSnapshotVersion) {
    s_ += "STASHD";
    wire::put_le(&s_, version, 2);
    wire::put_le(&s_, 0, 8);
    return *this;
  }
  Craft& aux(std::string_view name, std::string_view value) {
    wire::put_u8(&s_, 0xFA);
    wire::put_varint(&s_, name.size());
    s_ += name;
    wire::put_varint(&s_, value.size());
    s_ += value;
    return *this;
  }
  Craft& db(uint64_t index, uint64_t keys, uint64_t expires = 0) {
    wire::put_u8(&s_, 0xFE);
    wire::put_varint(&s_, index);
    wire::put_varint(&s_, keys);
    wire::put_varint(&s_, expires);
    return *this;
  }
  // A string key record; `value_len` overrides the value's length prefix.
  Craft& key(std::string_view key, std::string_view value, int64_t deadline = -1,
             uint64_t value_len = UINT64_MAX) {
    wire::put_u8(&s_, 0x01);
    wire::put_u8(&s_, deadline >= 0 ? 1 : 0);
    if (deadline >= 0) wire::put_le(&s_, static_cast<uint64_t>(deadline), 8);
    wire::put_le(&s_, 0, 3);
    wire::put_varint(&s_, key.size());
    s_ += key;
    std::string v(1, '\0');
    wire::put_varint(&v, uint64_t{value.size()} << 2);
    v += value;
    wire::put_varint(&s_, value_len == UINT64_MAX ? v.size() : value_len);
    if (value_len == UINT64_MAX) s_ += v;
    return *this;
  }
  Craft& raw(std::string_view bytes) {
    s_ += bytes;
    return *this;
  }
  size_t size() const { return s_.size(); }
  std::string end(bool checksum = true) {
    wire::put_u8(&s_, 0xFF);
    wire::put_le(&s_, checksum ? XXH64(s_.data(), s_.size(), 0) : 0, 8);
    return s_;
  }
  const std::string& bytes() const { return s_; }

 private:
  std::string s_;
};

std::string load_error(std::string_view bytes, persist::LoadOptions options = {}) {
  Keyspace keyspace(16);
  Config cfg;
  Status s = persist::load_snapshot_from_memory(bytes, keyspace, cfg, options);
  return s ? "" : s.message();
}

std::vector<std::string> lru_order(CommandHarness& h) {
  std::vector<std::string> keys;
  const Db& db = h.node().keyspace().db(0);
  for (EntryIndex e = db.lru().head(); e != kNoEntry; e = db.lru().next(e)) {
    keys.emplace_back(db.view(e).key());
  }
  return keys;
}

TEST(SnapshotLoader, RoundTripsEveryTypeEncodingTtlAndDatabase) {
  for (bool compress : {true, false}) {
    CommandHarness src;
    std::vector<std::string> keys = fill_sample(src);
    persist::SnapshotOptions o = options_at(src);
    o.compress = compress;
    std::string bytes = snapshot_bytes(src, o);
    CommandHarness dst;
    Status s = load_into(dst, bytes);
    ASSERT_TRUE(s) << s.message();
    for (const std::string& key : keys) EXPECT_EQ(describe(dst, key), describe(src, key)) << key;
    EXPECT_EQ(dst.run({"DEBUG", "DIGEST"}), src.run({"DEBUG", "DIGEST"}));
    dst.run({"SELECT", "15"});
    EXPECT_EQ(dst.run({"PTTL", "db15:key"}), integer(60000));
  }
}

TEST(SnapshotLoader, CompressionShrinksTheFile) {
  CommandHarness src;
  fill_sample(src);
  persist::SnapshotOptions o = options_at(src);
  size_t compressed = snapshot_bytes(src, o).size();
  o.compress = false;
  size_t plain = snapshot_bytes(src, o).size();
  EXPECT_LT(compressed + 250 * 1024, plain);
}

TEST(SnapshotLoader, KeepsLruIdleTimesAndRecencyOrder) {
  CommandHarness src;
  for (std::string_view k : {"a", "b", "c", "d"}) src.run({"SET", k, "v"});
  src.clock().advance_ms(10'000);
  src.run({"GET", "b"});
  src.clock().advance_ms(5'000);
  src.run({"GET", "d"});
  std::string bytes = snapshot_bytes(src);
  CommandHarness dst;
  dst.clock().advance_ms(15'000);
  ASSERT_TRUE(load_into(dst, bytes));
  EXPECT_EQ(lru_order(dst), lru_order(src));
  EXPECT_EQ(lru_order(src), (std::vector<std::string>{"d", "b", "c", "a"}));
  for (std::string_view k : {"a", "b", "c", "d"}) {
    EXPECT_EQ(dst.run({"OBJECT", "IDLETIME", k}), src.run({"OBJECT", "IDLETIME", k})) << k;
  }
  EXPECT_EQ(dst.run({"OBJECT", "IDLETIME", "a"}), integer(15));
}

TEST(SnapshotLoader, KeepsLfuCounters) {
  CommandHarness src;
  src.run({"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"});
  src.run({"CONFIG", "SET", "lfu-log-factor", "0"});
  src.run({"SET", "hot", "v"});
  src.run({"SET", "cold", "v"});
  for (int i = 0; i < 20; ++i) src.run({"GET", "hot"});
  std::string bytes = snapshot_bytes(src);
  CommandHarness dst;
  dst.run({"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"});
  ASSERT_TRUE(load_into(dst, bytes));
  EXPECT_EQ(dst.run({"OBJECT", "FREQ", "hot"}), integer(25));
  EXPECT_EQ(dst.run({"OBJECT", "FREQ", "cold"}), integer(5));
}

TEST(SnapshotLoader, IgnoresAccessFieldsOfAnotherPolicy) {
  CommandHarness src;
  src.run({"SET", "k", "v"});
  src.clock().advance_ms(3'600'000);  // a large LRU clock value, meaningless as an LFU field
  src.run({"GET", "k"});
  std::string bytes = snapshot_bytes(src);
  CommandHarness dst;
  dst.run({"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"});
  ASSERT_TRUE(load_into(dst, bytes));
  EXPECT_EQ(dst.run({"OBJECT", "FREQ", "k"}), integer(5));  // a new key's counter
}

TEST(SnapshotLoader, SkipsKeysWhoseDeadlinePassedBeforeLoading) {
  CommandHarness src;
  src.run({"SET", "short", "v", "PX", "1000"});
  src.run({"SET", "long", "v", "PX", "100000"});
  std::string bytes = snapshot_bytes(src);
  CommandHarness dst;
  dst.clock().advance_ms(2000);
  persist::LoadResult result;
  ASSERT_TRUE(load_into(dst, bytes, {}, &result));
  EXPECT_EQ(result.keys_loaded, 1u);
  EXPECT_EQ(result.expired_skipped, 1u);
  EXPECT_EQ(dst.run({"EXISTS", "short"}), integer(0));
  EXPECT_EQ(dst.run({"PTTL", "long"}), integer(98000));
}

TEST(SnapshotLoader, ReplacesTheKeyspaceContents) {
  CommandHarness src;
  src.run({"SET", "new", "v"});
  std::string bytes = snapshot_bytes(src);
  CommandHarness dst;
  dst.run({"SET", "old", "v"});
  dst.run({"SELECT", "3"});
  dst.run({"SET", "old3", "v"});
  ASSERT_TRUE(load_into(dst, bytes));
  EXPECT_EQ(dst.run({"DBSIZE"}), integer(0));
  dst.run({"SELECT", "0"});
  EXPECT_EQ(dst.run({"KEYS", "*"}), "*1\r\n" + bulk("new"));
}

TEST(SnapshotLoader, ReportsProgressAboutEveryMebibyte) {
  CommandHarness src;
  for (int i = 0; i < 50; ++i) {
    run_strings(src, {"SET", "k" + std::to_string(i), random_bytes(100 * 1024, i)});
  }
  std::string bytes = snapshot_bytes(src);
  std::vector<persist::LoadProgress> calls;
  persist::LoadOptions options;
  options.on_progress = [&](const persist::LoadProgress& p) { calls.push_back(p); };
  CommandHarness dst;
  ASSERT_TRUE(load_into(dst, bytes, options));
  ASSERT_GE(calls.size(), 4u);
  for (size_t i = 1; i < calls.size(); ++i) {
    EXPECT_GE(calls[i].bytes_read, calls[i - 1].bytes_read + (i + 1 < calls.size() ? 1u << 20 : 0));
    EXPECT_GE(calls[i].keys_loaded, calls[i - 1].keys_loaded);
  }
  EXPECT_EQ(calls.back().bytes_read, bytes.size());
  EXPECT_EQ(calls.back().total_bytes, bytes.size());
  EXPECT_EQ(calls.back().keys_loaded, 50u);
}

TEST(SnapshotLoader, EveryTruncationIsAnUnexpectedEndOfFile) {
  CommandHarness src;
  fill_sample(src, false);
  const std::string bytes = snapshot_bytes(src);
  Keyspace keyspace(16);
  Config cfg;
  for (size_t n = 0; n < bytes.size(); ++n) {
    Status s =
        persist::load_snapshot_from_memory(std::string_view(bytes).substr(0, n), keyspace, cfg);
    ASSERT_FALSE(s) << "prefix " << n;
    ASSERT_THAT(s.message(), StartsWith("<memory>: unexpected end of file at offset ")) << n;
    uint64_t offset = std::stoull(s.message().substr(s.message().rfind(' ') + 1));
    EXPECT_LE(offset, n);
  }
  EXPECT_TRUE(persist::load_snapshot_from_memory(bytes, keyspace, cfg));
}

TEST(SnapshotLoader, EveryByteFlipIsCaughtByTheChecksum) {
  CommandHarness src;
  fill_sample(src, false);
  const std::string bytes = snapshot_bytes(src);
  Keyspace keyspace(16);
  Config cfg;
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ (1 << (i % 8)));
    EXPECT_FALSE(persist::load_snapshot_from_memory(bad, keyspace, cfg)) << "byte " << i;
  }
}

// Without a checksum, corruption may load; what loaded must still be whole values.
TEST(SnapshotLoader, RandomCorruptionWithoutChecksumNeverCrashes) {
  for (bool big : {false, true}) {
    CommandHarness src;
    fill_sample(src, big);
    persist::SnapshotOptions o = options_at(src);
    o.checksum = false;
    const std::string bytes = snapshot_bytes(src, o);
    Keyspace keyspace(16);
    Config cfg;
    std::mt19937_64 rng(big ? 2 : 1);
    int loaded = 0;
    const int rounds = big ? 300 : 3000;
    for (int round = 0; round < rounds; ++round) {
      std::string bad = bytes;
      int changes = 1 + static_cast<int>(rng() % 4);
      for (int c = 0; c < changes; ++c) {
        bad[rng() % bad.size()] = static_cast<char>(rng());
      }
      if (!persist::load_snapshot_from_memory(bad, keyspace, cfg)) continue;
      ++loaded;
      for (int d = 0; d < keyspace.databases(); ++d) {
        const Db& db = keyspace.db(d);
        db.for_each_entry([&](EntryIndex e) {
          std::string out;
          persist::encode_value(db, e, &out);
          EXPECT_FALSE(out.empty());
        });
      }
    }
    RecordProperty(big ? "loaded_big" : "loaded_small", loaded);
  }
}

TEST(SnapshotLoader, NamesEachKindOfDamage) {
  const std::string good_value = std::string(1, '\0') + std::string(1, '\x04') + "v";
  struct Case {
    std::string bytes;
    std::string error;
  } cases[] = {
      {"NOTSTASHD-------", "<memory>: not a stashd snapshot (bad magic)"},
      {Craft().header(2).end(), "<memory>: unsupported format version 2"},
      {Craft().header(0).end(), "<memory>: unsupported format version 0"},
      {Craft().header().raw("\x42").end(), "<memory>: unknown record type 0x42 at offset 16"},
      {Craft().header().end() + "x", "<memory>: unexpected data after the end marker at offset 25"},
      {Craft().header().key("k", "v").end(),
       "<memory>: key record before any database marker at offset 16"},
      {Craft().header().db(16, 1).key("k", "v").end(),
       "<memory>: database 16 at offset 16 is out of range (databases: 16)"},
      {Craft().header().db(3, 1).key("k", "v").db(2, 1).key("k", "v").end(),
       "<memory>: database 2 at offset 31 is out of order"},
      {Craft().header().db(0, 2).key("k", "v").key("k", "w").end(),
       "<memory>: duplicate key 'k' in database 0 at offset 31"},
      {Craft().header().db(0, 2).key("k", "v").end(),
       "<memory>: database 0 holds 1 keys (0 with a deadline) but its marker says 2 (0)"},
      {Craft().header().db(0, 1).raw(std::string("\x01\x04", 2)).end(),
       "<memory>: unknown key flags 0x04 at offset 21"},
      {Craft()
           .header()
           .db(0, 1)
           .raw(std::string("\x01\x00\x00\x00\x00\x01k\x02\x09\x00", 10))
           .end(),
       "<memory>: bad value for key 'k' in database 0 at offset 28: unknown value type 0x09"},
      {Craft().header().raw("\xfa" + std::string(10, '\xff')).end(),
       "<memory>: malformed length at offset 17"},
  };
  for (const Case& c : cases) EXPECT_EQ(load_error(c.bytes), c.error);
}

TEST(SnapshotLoader, ChecksumMismatchUnlessZeroOrNotVerified) {
  std::string bytes = Craft().header().db(0, 1).key("k", "v").end();
  std::string tampered = bytes;
  tampered[tampered.size() - 10] = 'w';  // the value byte, still a valid value
  EXPECT_EQ(load_error(tampered), "<memory>: checksum mismatch");
  persist::LoadOptions no_verify;
  no_verify.verify_checksum = false;
  EXPECT_EQ(load_error(tampered, no_verify), "");
  EXPECT_EQ(load_error(Craft().header().db(0, 1).key("k", "w").end(false)), "");
}

TEST(SnapshotLoader, HugeClaimedLengthsFailWithoutReadingOrAllocating) {
  Craft craft;
  craft.header().db(0, 1).key("k", "", -1, uint64_t{1} << 40);
  const std::string bytes = craft.bytes();
  const std::string expected = "unexpected end of file at offset " + std::to_string(bytes.size());
  EXPECT_EQ(load_error(bytes), "<memory>: " + expected);

  std::string path = (std::filesystem::temp_directory_path() /
                      ("stashd-huge-" + std::to_string(::getpid()) + ".rdb"))
                         .string();
  std::ofstream(path, std::ios::binary) << bytes;
  Keyspace keyspace(16);
  Config cfg;
  persist::SnapshotLoader loader(keyspace, cfg);
  EXPECT_EQ(loader.load_file(path).message(), path + ": " + expected);
  std::remove(path.c_str());

  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ASSERT_EQ(::write(fds[1], bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  ::close(fds[1]);
  EXPECT_EQ(loader.load_fd(fds[0], "pipe").message(), "pipe: " + expected);
  ::close(fds[0]);
}

TEST(SnapshotLoader, KnownSizeStreamIsNotReadPastItsEnd) {
  CommandHarness src;
  src.run({"SET", "k", "v"});
  const std::string bytes = snapshot_bytes(src);
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const std::string stream = bytes + "+NEXT\r\n";
  ASSERT_EQ(::write(fds[1], stream.data(), stream.size()), static_cast<ssize_t>(stream.size()));
  ::close(fds[1]);
  CommandHarness dst;
  dst.node().keyspace().set_now_ms(dst.clock().now_ms());
  Status s = persist::SnapshotLoader(dst.node().keyspace(), dst.config())
                 .load_fd(fds[0], "stream", nullptr, bytes.size());
  ASSERT_TRUE(s) << s.message();
  char rest[16];
  ASSERT_EQ(::read(fds[0], rest, sizeof(rest)), 7);
  EXPECT_EQ(std::string_view(rest, 7), "+NEXT\r\n");
  ::close(fds[0]);
  EXPECT_EQ(dst.run({"GET", "k"}), bulk("v"));
}

TEST(SnapshotLoader, MissingFileIsAnError) {
  Keyspace keyspace(16);
  Config cfg;
  Status s = persist::SnapshotLoader(keyspace, cfg).load_file("/nonexistent/dump.rdb");
  EXPECT_EQ(s.message(), "/nonexistent/dump.rdb: open: No such file or directory");
}

}  // namespace
}  // namespace stashd::testing
