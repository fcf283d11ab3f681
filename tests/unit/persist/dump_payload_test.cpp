// Tests DUMP payloads: they round-trip, and a wrong version, a wrong checksum or a short payload
// is refused with Redis's exact error, while a well-sealed payload holding garbage is "Bad data".
#include "stashd/persist/dump_payload.h"

#include <gtest/gtest.h>
#include <xxhash.h>

#include "persist/sample_dataset.h"
#include "persist/wire.h"
#include "stashd/persist/value_codec.h"

namespace stashd::testing {
namespace {

using persist::kBadDataFormat;
using persist::kDumpPayloadError;

std::string payload_of(CommandHarness& h, std::string_view key) {
  Db& db = h.node().keyspace().db(0);
  return persist::make_dump_payload(db, db.lookup_peek(key), true);
}

std::string parse_error(std::string_view payload) {
  Config cfg;
  DetachedValue value;
  Status s = persist::parse_dump_payload(payload, cfg, &value);
  return s ? "" : s.message();
}

// Wraps `value` in a trailer with `version` and a correct checksum.
std::string seal(std::string value, uint16_t version) {
  persist::wire::put_le(&value, version, 2);
  persist::wire::put_le(&value, XXH64(value.data(), value.size(), 0), 8);
  return value;
}

TEST(DumpPayload, EndsWithVersionAndChecksum) {
  CommandHarness h;
  h.run({"SET", "k", "hello"});
  std::string p = payload_of(h, "k");
  ASSERT_GT(p.size(), 10u);
  EXPECT_EQ(persist::wire::get_le(reinterpret_cast<const uint8_t*>(p.data()) + p.size() - 10, 2),
            persist::kDumpVersion);
  EXPECT_EQ(parse_error(p), "");
}

TEST(DumpPayload, RoundTripsEveryType) {
  CommandHarness src;
  CommandHarness dst;
  for (const std::string& key : fill_sample(src)) {
    if (key.starts_with("ttl:")) continue;
    DetachedValue value;
    ASSERT_TRUE(persist::parse_dump_payload(payload_of(src, key), dst.config(), &value)) << key;
    persist::put_value(dst.node().keyspace().db(0), key, std::move(value));
    EXPECT_EQ(describe(dst, key), describe(src, key)) << key;
  }
}

TEST(DumpPayload, RefusesAnyChangedByte) {
  CommandHarness h;
  h.run({"RPUSH", "l", "a", "b", "c"});
  const std::string p = payload_of(h, "l");
  for (size_t i = 0; i < p.size(); ++i) {
    std::string bad = p;
    bad[i] = static_cast<char>(bad[i] ^ 0x20);
    EXPECT_EQ(parse_error(bad), kDumpPayloadError) << "byte " << i;
  }
}

TEST(DumpPayload, RefusesShortPayloadsAndOtherVersions) {
  EXPECT_EQ(parse_error(""), kDumpPayloadError);
  EXPECT_EQ(parse_error("short"), kDumpPayloadError);
  EXPECT_EQ(parse_error("hello moto moto blah blah"), kDumpPayloadError);
  std::string value = std::string(1, '\0') + std::string(1, '\x08') + "hi";
  EXPECT_EQ(parse_error(seal(value, persist::kDumpVersion)), "");
  EXPECT_EQ(parse_error(seal(value, persist::kDumpVersion + 1)), kDumpPayloadError);
  EXPECT_EQ(parse_error(seal(value, 0)), kDumpPayloadError);
}

TEST(DumpPayload, SealedGarbageIsBadDataFormat) {
  EXPECT_EQ(parse_error(seal("\x09garbage", persist::kDumpVersion)), kBadDataFormat);
  EXPECT_EQ(parse_error(seal("", persist::kDumpVersion)), kBadDataFormat);
}

}  // namespace
}  // namespace stashd::testing
