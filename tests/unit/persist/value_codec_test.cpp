// Tests the value codec: every type and encoding round-trips to the same content and encoding,
// compression applies only where it helps, config limits pick the encodings, and malformed or
// truncated input is refused with an error (never a crash or an allocation sized by a claim).
#include "stashd/persist/value_codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "persist/sample_dataset.h"
#include "persist/wire.h"

namespace stashd::testing {
namespace {

using persist::decode_value;
using persist::encode_value;
using ::testing::HasSubstr;

std::string encode(CommandHarness& h, std::string_view key, bool compress = true) {
  Db& db = h.node().keyspace().db(0);
  EntryIndex e = db.lookup_peek(key);
  std::string out;
  if (e != kNoEntry) encode_value(db, e, &out, compress);
  return out;
}

// Decodes into h's db 0 under `key`; returns the decode error, "" on success.
std::string decode_into(CommandHarness& h, std::string_view key, std::string_view bytes) {
  DetachedValue value;
  Status s = decode_value(bytes, h.config(), &value);
  if (!s) return s.message();
  persist::put_value(h.node().keyspace().db(0), key, std::move(value));
  return "";
}

std::string decode_error(std::string_view bytes) {
  Config cfg;
  DetachedValue value;
  Status s = decode_value(bytes, cfg, &value);
  return s ? "" : s.message();
}

std::string raw_item(std::string_view s) {
  std::string out;
  persist::wire::put_varint(&out, uint64_t{s.size()} << 2);
  out.append(s);
  return out;
}

std::string with_count(char type, uint64_t count, std::string_view rest) {
  std::string out(1, type);
  persist::wire::put_varint(&out, count);
  out.append(rest);
  return out;
}

TEST(ValueCodec, RoundTripsEveryTypeAndEncoding) {
  CommandHarness src;
  CommandHarness dst;
  for (const std::string& key : fill_sample(src)) {
    if (key.starts_with("ttl:")) continue;  // values carry no deadline; the snapshot tests cover it
    ASSERT_EQ(decode_into(dst, key, encode(src, key)), "") << key;
    EXPECT_EQ(describe(dst, key), describe(src, key)) << key;
    ASSERT_EQ(decode_into(dst, key, encode(src, key, false)), "") << key;
    EXPECT_EQ(describe(dst, key), describe(src, key)) << key;
  }
}

TEST(ValueCodec, StoresCanonicalIntegersCompactly) {
  CommandHarness h;
  h.run({"SET", "n", "-9223372036854775808"});
  h.run({"SET", "z", "007"});
  EXPECT_LE(encode(h, "n").size(), 12u);
  EXPECT_EQ(encode(h, "z"), std::string("\x00", 1) + raw_item("007"));
}

TEST(ValueCodec, CompressesOnlyWhenOnAndWhenItHelps) {
  CommandHarness h;
  h.run({"SET", "text", std::string(100 * 1024, 'a')});
  h.run({"SET", "noise", random_bytes(100 * 1024, 11)});
  EXPECT_LT(encode(h, "text").size(), 2000u);
  EXPECT_GT(encode(h, "text", false).size(), 100u * 1024);
  // Incompressible data is stored raw: the type byte and a 3-byte length are all it adds.
  EXPECT_EQ(encode(h, "noise").size(), 100u * 1024 + 4);
  EXPECT_EQ(encode(h, "noise"), encode(h, "noise", false));
}

TEST(ValueCodec, CompressesLongCollectionElements) {
  CommandHarness h;
  h.run({"RPUSH", "l", std::string(10000, 'x'), "short"});
  EXPECT_LT(encode(h, "l").size(), 200u);
  CommandHarness dst;
  ASSERT_EQ(decode_into(dst, "l", encode(h, "l")), "");
  EXPECT_EQ(describe(dst, "l"), describe(h, "l"));
}

TEST(ValueCodec, DecodingFollowsTheConfiguredLimits) {
  CommandHarness src;
  run_strings(src, numbered({"HSET", "h"}, "f", 20));
  run_strings(src, numbered({"SADD", "ints"}, "", 5));
  run_strings(src, numbered({"ZADD", "z"}, "m", 5, true));
  run_strings(src, numbered({"RPUSH", "l"}, "e", 5));
  CommandHarness dst;
  dst.run({"CONFIG", "SET", "hash-max-listpack-entries", "4"});
  dst.run({"CONFIG", "SET", "set-max-intset-entries", "2"});
  dst.run({"CONFIG", "SET", "zset-max-listpack-entries", "3"});
  dst.run({"CONFIG", "SET", "list-max-listpack-size", "2"});
  for (std::string_view key : {"h", "ints", "z", "l"}) {
    ASSERT_EQ(decode_into(dst, key, encode(src, key)), "") << key;
  }
  EXPECT_EQ(dst.run({"OBJECT", "ENCODING", "h"}), bulk("hashtable"));
  EXPECT_EQ(dst.run({"OBJECT", "ENCODING", "ints"}), bulk("listpack"));
  EXPECT_EQ(dst.run({"OBJECT", "ENCODING", "z"}), bulk("skiplist"));
  EXPECT_EQ(dst.run({"OBJECT", "ENCODING", "l"}), bulk("quicklist"));
  EXPECT_EQ(dst.run({"DEBUG", "DIGEST"}), src.run({"DEBUG", "DIGEST"}));
}

TEST(ValueCodec, RefusesMalformedValues) {
  const std::string nan_score = [] {
    std::string s = raw_item("m");
    persist::wire::put_double(&s, std::numeric_limits<double>::quiet_NaN());
    return s;
  }();
  const std::string one_score = [] {
    std::string s = raw_item("m");
    persist::wire::put_double(&s, 1.0);
    return s;
  }();
  struct Case {
    std::string bytes;
    std::string error;
  } cases[] = {
      {"", "empty value"},
      {"\x07", "unknown value type 0x07"},
      {std::string("\x00", 1), "truncated item"},
      {std::string("\x00\x28", 2) + "abc", "item length beyond the input"},
      {std::string("\x00\x03", 2), "unknown item tag 3"},
      {std::string("\x00\x05\x02", 3), "bad integer item"},
      {std::string("\x00", 1) + raw_item("ab") + "x", "1 trailing bytes after the value"},
      {with_count(1, 0, ""), "empty collection"},
      {with_count(1, uint64_t{1} << 40, raw_item("a")), "element count beyond the input"},
      {with_count(1, 2, raw_item("a")), "truncated item"},
      {with_count(2, 2, raw_item("a") + raw_item("a")), "duplicate set member"},
      {with_count(4, 2, raw_item("f") + raw_item("1") + raw_item("f") + raw_item("2")),
       "duplicate hash field"},
      {with_count(3, 2, one_score + one_score), "duplicate sorted set member"},
      {with_count(3, 1, nan_score), "NaN score"},
      {with_count(3, 1, raw_item("m") + "1234567"), "truncated score"},
      {std::string("\x00\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 11), "truncated item"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(decode_error(c.bytes), c.error) << ::testing::PrintToString(c.bytes);
  }
}

TEST(ValueCodec, RefusesBadCompressedItems) {
  auto lz4_item = [](uint64_t raw_len, std::string_view comp) {
    std::string out(1, '\0');
    persist::wire::put_varint(&out, (raw_len << 2) | 2);
    persist::wire::put_varint(&out, comp.size());
    out.append(comp);
    return out;
  };
  // A raw length no LZ4 stream of this size could produce is refused before allocating.
  EXPECT_EQ(decode_error(lz4_item(uint64_t{1} << 40, "abcd")), "bad compressed item lengths");
  EXPECT_EQ(decode_error(lz4_item(10, "")), "bad compressed item lengths");
  EXPECT_EQ(decode_error(lz4_item(100, "garbage!")), "bad compressed data");
  std::string claimed(1, '\0');
  persist::wire::put_varint(&claimed, (uint64_t{100} << 2) | 2);
  persist::wire::put_varint(&claimed, uint64_t{1} << 50);
  EXPECT_EQ(decode_error(claimed), "compressed item length beyond the input");
}

TEST(ValueCodec, EveryTruncationIsAnError) {
  CommandHarness h;
  for (const std::string& key : fill_sample(h, false)) {
    std::string bytes = encode(h, key);
    for (size_t n = 0; n < bytes.size(); ++n) {
      EXPECT_NE(decode_error(std::string_view(bytes).substr(0, n)), "") << key << " at " << n;
    }
  }
}

TEST(ValueCodec, ByteFlipsGiveAnErrorOrAValidValue) {
  CommandHarness h;
  h.run({"HSET", "h", "field", "value", "n", "12"});
  h.run({"ZADD", "z", "1", "a", "2", "b"});
  h.run({"SET", "s", std::string(300, 'c')});
  Config cfg;
  for (std::string_view key : {"h", "z", "s"}) {
    const std::string bytes = encode(h, key);
    for (size_t i = 0; i < bytes.size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string bad = bytes;
        bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
        DetachedValue value;
        Status s = decode_value(bad, cfg, &value);
        if (s) {
          EXPECT_LE(static_cast<int>(value.type), 4);
        }
      }
    }
  }
}

TEST(ValueCodec, PutValueMovesLongStringsOutOfLine) {
  CommandHarness h;
  Config cfg;
  h.run({"SET", "k", std::string(4000, 'x')});
  std::string bytes = encode(h, "k");
  DetachedValue value;
  ASSERT_TRUE(decode_value(bytes, cfg, &value));
  EXPECT_EQ(value.encoding, Encoding::kEmbedded);
  // Under a long key the same value no longer fits an embedded entry.
  std::string long_key(100, 'k');
  Db& db = h.node().keyspace().db(0);
  EntryIndex e = persist::put_value(db, long_key, std::move(value));
  ASSERT_NE(e, kNoEntry);
  EXPECT_EQ(db.view(e).encoding(), Encoding::kHeapString);
  EXPECT_THAT(h.run({"GET", long_key}), HasSubstr(std::string(4000, 'x')));
}

}  // namespace
}  // namespace stashd::testing
