// Owns: the digests of values, keys and the whole dataset (see dataset_digest.h). Each digest is
// two seeded XXH3-128 streams over length-prefixed fields, cut to 160 bits.
// Must not touch: anything but reading the keyspace. Thread: the event loop.
#include "commands/dataset_digest.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <cstring>
#include <string_view>

#include "stashd/common/strings.h"
#include "stashd/types/hash.h"
#include "stashd/types/list.h"
#include "stashd/types/set.h"
#include "stashd/types/zset.h"

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

void xor_into(Digest* acc, const Digest& d);

// Order-independent digest of (member[, value]) pairs: the XOR of each pair's digest, so a set or
// hash digests alike whatever its encoding and iteration order.
template <class Walk>
Digest unordered_digest(size_t size, Walk&& walk) {
  Digest acc{};
  walk([&](std::string_view a, std::string_view b) {
    DigestBuilder one;
    one.add_bytes(a);
    one.add_bytes(b);
    xor_into(&acc, one.finish());
  });
  DigestBuilder sized;
  sized.add_u64(size);
  sized.add_digest(acc);
  return sized.finish();
}

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
    case ValueType::kList: {
      const auto& list = static_cast<const ListValue&>(*db.view(e).object());
      b.add_u64(list.size());
      char buf[24];
      for (auto c = list.seek(0); c.valid(); c.next()) b.add_bytes(c.value().as_string(buf));
      break;
    }
    case ValueType::kSet: {
      const auto& set = static_cast<const SetValue&>(*db.view(e).object());
      b.add_digest(unordered_digest(set.size(), [&](auto&& add) {
        char buf[24];
        for (size_t p = set.first(); p != SetValue::kEnd; p = set.next(p)) {
          add(set.member_at(p, buf), std::string_view());
        }
      }));
      break;
    }
    case ValueType::kHash: {
      const auto& hash = static_cast<const HashValue&>(*db.view(e).object());
      b.add_digest(unordered_digest(hash.size(), [&](auto&& add) {
        char fbuf[24];
        char vbuf[24];
        for (size_t p = hash.first(); p != HashValue::kEnd; p = hash.next(p)) {
          add(hash.field_at(p, fbuf), hash.value_at(p, vbuf));
        }
      }));
      break;
    }
    case ValueType::kZset: {
      const auto& zset = static_cast<const ZsetValue&>(*db.view(e).object());
      b.add_u64(zset.size());
      for (auto c = zset.at_rank(0); c.valid(); c.next()) {
        b.add_bytes(c.member());
        b.add_bytes(format_double(c.score()));
      }
      break;
    }
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
    // The recency lists hold every entry of the database exactly once.
    db.for_each_entry([&](EntryIndex e) {
      if (db.is_expired(e)) return;
      value.reset();
      add_value(value, db, e);
      key.reset();
      key.add_u64(static_cast<uint64_t>(i));
      key.add_bytes(db.view(e).key());
      key.add_digest(value.finish());
      key.add_u64(static_cast<uint64_t>(db.expire_time(e)));
      xor_into(&acc, key.finish());
    });
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
