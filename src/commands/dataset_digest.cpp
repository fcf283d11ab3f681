// Owns: the digests of values, keys and the whole dataset (see dataset_digest.h). Each digest is
// two seeded XXH3-128 streams over length-prefixed fields, cut to 160 bits.
// Must not touch: anything but reading the keyspace. Thread: the event loop.
#include "commands/dataset_digest.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <cstring>
#include <string_view>

namespace stashd {

namespace {

constexpr XXH64_hash_t kSeedLow = 0x5354415348444947ULL;   // two independent streams give
constexpr XXH64_hash_t kSeedHigh = 0x4449474553543136ULL;  // 256 bits, of which 160 are kept

class DigestBuilder {
 public:
  DigestBuilder() : low_(XXH3_createState()), high_(XXH3_createState()) { reset(); }
  ~DigestBuilder() {
    XXH3_freeState(low_);
    XXH3_freeState(high_);
  }
  DigestBuilder(const DigestBuilder&) = delete;
  DigestBuilder& operator=(const DigestBuilder&) = delete;

  void reset() {
    XXH3_128bits_reset_withSeed(low_, kSeedLow);
    XXH3_128bits_reset_withSeed(high_, kSeedHigh);
  }
  void add_u64(uint64_t v) {
    uint8_t bytes[8];
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<uint8_t>(v >> (8 * i));
    update(bytes, sizeof(bytes));
  }
  // Length first, so that ("ab", "c") and ("a", "bc") differ.
  void add_bytes(std::string_view s) {
    add_u64(s.size());
    update(s.data(), s.size());
  }
  void add_digest(const Digest& d) { update(d.data(), d.size()); }
  Digest finish() const {
    XXH128_canonical_t low;
    XXH128_canonical_t high;
    XXH128_canonicalFromHash(&low, XXH3_128bits_digest(low_));
    XXH128_canonicalFromHash(&high, XXH3_128bits_digest(high_));
    Digest d;
    std::memcpy(d.data(), low.digest, 16);
    std::memcpy(d.data() + 16, high.digest, d.size() - 16);
    return d;
  }

 private:
  void update(const void* data, size_t len) {
    XXH3_128bits_update(low_, data, len);
    XXH3_128bits_update(high_, data, len);
  }
  XXH3_state_t* low_;
  XXH3_state_t* high_;
};

// The one place a value's content enters a digest; each value type adds its case here. Content,
// not encoding: an int-encoded 12 and the string "12" are the same value. Collections should
// digest alike whatever their encoding: XOR element digests for sets and hashes, feed elements
// in order for lists and sorted sets.
void add_value(DigestBuilder& b, const Db& db, EntryIndex e) {
  ValueType type = db.view(e).type();
  b.add_u64(static_cast<uint64_t>(type));
  switch (type) {
    case ValueType::kString: {
      char buf[24];
      b.add_bytes(db.string_value(e, buf));
      break;
    }
    case ValueType::kList:
    case ValueType::kSet:
    case ValueType::kZset:
    case ValueType::kHash:
      break;  // these types have no values yet
  }
}

void xor_into(Digest* acc, const Digest& d) {
  for (size_t i = 0; i < d.size(); ++i) (*acc)[i] ^= d[i];
}

}  // namespace

Digest value_digest(const Db& db, EntryIndex e) {
  DigestBuilder b;
  add_value(b, db, e);
  return b.finish();
}

Digest dataset_digest(Keyspace& keyspace) {
  Digest acc{};
  DigestBuilder value;
  DigestBuilder key;
  for (int i = 0; i < keyspace.databases(); ++i) {
    const Db& db = keyspace.db(i);
    // The LRU list holds every entry of the database exactly once.
    for (EntryIndex e = db.lru().head(); e != kNoEntry; e = db.lru().next(e)) {
      if (db.is_expired(e)) continue;
      value.reset();
      add_value(value, db, e);
      key.reset();
      key.add_u64(static_cast<uint64_t>(i));
      key.add_bytes(db.view(e).key());
      key.add_digest(value.finish());
      key.add_u64(static_cast<uint64_t>(db.expire_time(e)));
      xor_into(&acc, key.finish());
    }
  }
  return acc;
}

std::string digest_hex(const Digest& digest) {
  std::string hex;
  hex.reserve(digest.size() * 2);
  for (uint8_t byte : digest) fmt::format_to(std::back_inserter(hex), "{:02x}", byte);
  return hex;
}

}  // namespace stashd
