// Tests the dataset and value digests behind DEBUG DIGEST / DIGEST-VALUE.
#include "commands/dataset_digest.h"

#include <gtest/gtest.h>

#include <string>

#include "commands/harness.h"

namespace stashd {
namespace {

const std::string kZeros(40, '0');

TEST(DatasetDigest, EmptyKeyspaceDigestsToZeros) {
  Keyspace ks(4);
  EXPECT_EQ(digest_hex(dataset_digest(ks)), kZeros);
}

TEST(DatasetDigest, IsIndependentOfInsertionOrder) {
  Keyspace forward(2);
  Keyspace backward(2);
  forward.db(0).set_string("a", "1");
  forward.db(0).set_string("b", "2");
  forward.db(1).set_string("c", "3");
  backward.db(1).set_string("c", "3");
  backward.db(0).set_string("b", "2");
  backward.db(0).set_string("a", "1");
  EXPECT_EQ(dataset_digest(forward), dataset_digest(backward));
}

TEST(DatasetDigest, ChangesWithTheKeyTheValueTheDatabaseAndTheDeadline) {
  auto digest_of = [](int db, std::string_view key, std::string_view value, int64_t deadline) {
    Keyspace ks(2);
    EntryIndex e = ks.db(db).set_string(key, value);
    if (deadline >= 0) ks.db(db).set_expire(e, deadline);
    return dataset_digest(ks);
  };
  Digest base = digest_of(0, "k", "v", -1);
  EXPECT_NE(digest_of(0, "k2", "v", -1), base);
  EXPECT_NE(digest_of(0, "k", "v2", -1), base);
  EXPECT_NE(digest_of(1, "k", "v", -1), base);
  EXPECT_NE(digest_of(0, "k", "v", 5'000'000'000'000), base);
  EXPECT_EQ(digest_of(0, "k", "v", -1), base);
}

TEST(DatasetDigest, SkipsKeysWhoseDeadlinePassed) {
  Keyspace with_expired(1);
  Keyspace without(1);
  with_expired.set_now_ms(1000);
  with_expired.db(0).set_expire(with_expired.db(0).set_string("old", "x"), 500);
  with_expired.db(0).set_string("k", "v");
  without.db(0).set_string("k", "v");
  EXPECT_EQ(dataset_digest(with_expired), dataset_digest(without));
}

TEST(ValueDigest, DependsOnContentNotEncoding) {
  Keyspace ks(1);
  Db& db = ks.db(0);
  EntryIndex as_int = db.set_int("i", 12);
  Digest int_digest = value_digest(db, as_int);
  EntryIndex as_text = db.set_string("s", "12");
  EXPECT_EQ(value_digest(db, as_text), int_digest);
  EntryIndex other = db.set_string("t", "13");
  EXPECT_NE(value_digest(db, other), int_digest);
}

TEST(ValueDigest, IgnoresTheKeyName) {
  Keyspace ks(1);
  Db& db = ks.db(0);
  Digest a = value_digest(db, db.set_string("a", "same"));
  EXPECT_EQ(value_digest(db, db.set_string("b", "same")), a);
}

TEST(DigestHex, PrintsFortyLowerCaseHexDigits) {
  Digest d{};
  d[0] = 0xAB;
  d[19] = 0x01;
  EXPECT_EQ(digest_hex(d), "ab" + std::string(36, '0') + "01");
}

}  // namespace
}  // namespace stashd

namespace stashd::testing {
namespace {

std::string digest_of(CommandHarness& h, std::string_view key) {
  return h.run({"DEBUG", "DIGEST-VALUE", key});
}

TEST(CollectionDigest, SameContentDigestsAlikeWhateverTheEncoding) {
  CommandHarness h;
  h.run({"SADD", "compact", "1", "2", "3"});
  h.run({"CONFIG", "SET", "set-max-intset-entries", "1"});
  h.run({"CONFIG", "SET", "set-max-listpack-entries", "1"});
  h.run({"SADD", "big", "3", "2", "1"});
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "compact"}), bulk("intset"));
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "big"}), bulk("hashtable"));
  EXPECT_EQ(digest_of(h, "compact"), digest_of(h, "big"));
  h.run({"SADD", "big", "4"});
  EXPECT_NE(digest_of(h, "compact"), digest_of(h, "big"));
}

TEST(CollectionDigest, ListsHashesAndSortedSetsDigestTheirContent) {
  CommandHarness h;
  h.run({"RPUSH", "l1", "a", "b"});
  h.run({"RPUSH", "l2", "b", "a"});
  EXPECT_NE(digest_of(h, "l1"), digest_of(h, "l2"));  // order matters for lists
  h.run({"HSET", "h1", "f", "1", "g", "2"});
  h.run({"HSET", "h2", "g", "2", "f", "1"});
  EXPECT_EQ(digest_of(h, "h1"), digest_of(h, "h2"));
  h.run({"HSET", "h2", "f", "9"});
  EXPECT_NE(digest_of(h, "h1"), digest_of(h, "h2"));
  h.run({"ZADD", "z1", "1", "a", "2", "b"});
  h.run({"ZADD", "z2", "2", "b", "1", "a"});
  EXPECT_EQ(digest_of(h, "z1"), digest_of(h, "z2"));
  h.run({"ZINCRBY", "z2", "1", "a"});
  EXPECT_NE(digest_of(h, "z1"), digest_of(h, "z2"));
}

}  // namespace
}  // namespace stashd::testing
