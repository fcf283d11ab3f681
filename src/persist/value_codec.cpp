// Owns: encoding values to their on-disk form and decoding them back with full validation (see
// value_codec.h and docs/persistence-format.md). Must not touch: I/O. Thread: the event loop or a
// forked snapshot child.
#include "stashd/persist/value_codec.h"

#include <fmt/format.h>
#include <lz4.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <utility>

#include "persist/wire.h"
#include "stashd/common/strings.h"
#include "stashd/types/hash.h"
#include "stashd/types/list.h"
#include "stashd/types/set.h"
#include "stashd/types/zset.h"

namespace stashd::persist {

namespace {

// An item (a string or a collection element) starts with a varint tag whose low two bits say how
// it is stored: raw bytes (tag >> 2 = length), an integer (tag == 1, a zigzag varint follows) or
// LZ4 (tag >> 2 = raw length, then a varint compressed length and the compressed bytes).
constexpr uint64_t kItemRaw = 0;
constexpr uint64_t kItemInt = 1;
constexpr uint64_t kItemLz4 = 2;
// LZ4 cannot expand a byte into more than 255, so a larger claimed raw length is corrupt.
constexpr uint64_t kLz4MaxRatio = 255;

void put_int_item(std::string* out, int64_t v) {
  wire::put_varint(out, kItemInt);
  wire::put_varint(out, wire::zigzag(v));
}

// Compresses straight into *out past room for the header, then slides the data down next to the
// header once the compressed length is known. False (and *out unchanged) when it does not shrink.
bool put_lz4_item(std::string* out, std::string_view s) {
  constexpr size_t kHeaderRoom = 2 * wire::kMaxVarintBytes;
  const size_t start = out->size();
  const int bound = LZ4_compressBound(static_cast<int>(s.size()));
  out->resize(start + kHeaderRoom + static_cast<size_t>(bound));
  const int n = LZ4_compress_default(s.data(), out->data() + start + kHeaderRoom,
                                     static_cast<int>(s.size()), bound);
  char header[kHeaderRoom];
  size_t h = wire::encode_varint((uint64_t{s.size()} << 2) | kItemLz4, header);
  h += wire::encode_varint(static_cast<uint64_t>(n > 0 ? n : 0), header + h);
  const size_t raw_total = wire::varint_size(uint64_t{s.size()} << 2) + s.size();
  if (n <= 0 || h + static_cast<size_t>(n) >= raw_total) {
    out->resize(start);
    return false;
  }
  std::memcpy(out->data() + start, header, h);
  std::memmove(out->data() + start + h, out->data() + start + kHeaderRoom, static_cast<size_t>(n));
  out->resize(start + h + static_cast<size_t>(n));
  return true;
}

// A string that reads back identically as an integer is stored as one (parse_i64 only accepts the
// canonical form, so "007" or "+1" stay strings).
void put_item(std::string* out, std::string_view s, bool compress) {
  int64_t i;
  if (s.size() <= 20 && parse_i64(s, &i)) {
    put_int_item(out, i);
    return;
  }
  if (compress && s.size() >= kCompressMinBytes && s.size() <= LZ4_MAX_INPUT_SIZE &&
      put_lz4_item(out, s)) {
    return;
  }
  wire::put_varint(out, (uint64_t{s.size()} << 2) | kItemRaw);
  out->append(s);
}

void put_listpack_value(std::string* out, const Listpack::Value& v, bool compress) {
  if (v.is_int) {
    put_int_item(out, v.integer);
  } else {
    put_item(out, v.str, compress);
  }
}

size_t limit_of(int64_t v) { return v < 0 ? 0 : static_cast<size_t>(v); }

// One decoded item. `view` points into the input, `digits` or `inflated`, so it lives until the
// item is read again.
struct Item {
  std::string_view view;
  bool is_int = false;
  int64_t integer = 0;
  char digits[24];
  std::string inflated;
};

class ValueDecoder {
 public:
  ValueDecoder(std::string_view in, const Config& cfg) : in_(in), cfg_(cfg) {}

  Status run(DetachedValue* out) {
    uint8_t type;
    if (!in_.u8(&type)) return fail("empty value");
    bool ok = false;
    switch (type) {
      case static_cast<uint8_t>(ValueType::kString):
        ok = string_value(out);
        break;
      case static_cast<uint8_t>(ValueType::kList):
        ok = list_value(out);
        break;
      case static_cast<uint8_t>(ValueType::kSet):
        ok = set_value(out);
        break;
      case static_cast<uint8_t>(ValueType::kZset):
        ok = zset_value(out);
        break;
      case static_cast<uint8_t>(ValueType::kHash):
        ok = hash_value(out);
        break;
      default:
        return fail(fmt::format("unknown value type 0x{:02x}", type));
    }
    if (!ok) return Status::error(error_);
    if (!in_.done()) return fail(fmt::format("{} trailing bytes after the value", in_.remaining()));
    out->expire_ms = -1;
    return Status::ok();
  }

 private:
  Status fail(std::string message) { return Status::error(std::move(message)); }
  bool error(std::string message) {
    error_ = std::move(message);
    return false;
  }

  bool item(Item* it) {
    uint64_t tag;
    if (!in_.varint(&tag)) return error("truncated item");
    it->is_int = false;
    switch (tag & 3) {
      case kItemRaw:
        if (!in_.bytes(tag >> 2, &it->view)) return error("item length beyond the input");
        return true;
      case kItemInt: {
        uint64_t z;
        if (tag != kItemInt || !in_.varint(&z)) return error("bad integer item");
        it->is_int = true;
        it->integer = wire::unzigzag(z);
        it->view = {it->digits, format_i64(it->integer, it->digits)};
        return true;
      }
      case kItemLz4:
        return lz4_item(tag >> 2, it);
      default:
        return error(fmt::format("unknown item tag {}", tag & 3));
    }
  }

  bool lz4_item(uint64_t raw_len, Item* it) {
    uint64_t comp_len;
    std::string_view comp;
    if (!in_.varint(&comp_len) || !in_.bytes(comp_len, &comp)) {
      return error("compressed item length beyond the input");
    }
    if (comp.empty() || raw_len > comp.size() * kLz4MaxRatio || raw_len > LZ4_MAX_INPUT_SIZE) {
      return error("bad compressed item lengths");
    }
    it->inflated.resize(raw_len);
    int n = LZ4_decompress_safe(comp.data(), it->inflated.data(), static_cast<int>(comp.size()),
                                static_cast<int>(raw_len));
    if (n < 0 || static_cast<uint64_t>(n) != raw_len) return error("bad compressed data");
    it->view = it->inflated;
    return true;
  }

  // A collection's element count: at least one, and no more than the input could hold at
  // `min_bytes` per element (so nothing is reserved on an unbacked claim).
  bool count(size_t min_bytes, uint64_t* n) {
    if (!in_.varint(n)) return error("truncated element count");
    if (*n == 0) return error("empty collection");
    if (*n > in_.remaining() / min_bytes) return error("element count beyond the input");
    return true;
  }

  bool string_value(DetachedValue* out) {
    Item it;
    if (!item(&it)) return false;
    out->type = ValueType::kString;
    int64_t i;
    if (it.is_int || (it.view.size() <= 20 && parse_i64(it.view, &i))) {
      out->encoding = Encoding::kInt;
      out->int_value = it.is_int ? it.integer : i;
    } else if (it.view.size() > Db::kMaxEmbeddedEntry) {
      out->encoding = Encoding::kHeapString;
      out->pointer = it.view.data() == it.inflated.data() ? new std::string(std::move(it.inflated))
                                                          : new std::string(it.view);
    } else {
      out->encoding = Encoding::kEmbedded;
      out->bytes.assign(it.view);
    }
    return true;
  }

  static void set_object(DetachedValue* out, ValueType type, std::unique_ptr<ValueObject> obj) {
    out->type = type;
    out->encoding = Encoding::kObject;
    out->pointer = obj.release();
  }

  bool list_value(DetachedValue* out) {
    uint64_t n;
    if (!count(1, &n)) return false;
    auto list = std::make_unique<ListValue>(cfg_.list_max_listpack_size);
    Item it;
    for (uint64_t i = 0; i < n; ++i) {
      if (!item(&it)) return false;
      list->push_back(it.view);
    }
    set_object(out, ValueType::kList, std::move(list));
    return true;
  }

  bool set_value(DetachedValue* out) {
    uint64_t n;
    if (!count(1, &n)) return false;
    SetLimits limits{limit_of(cfg_.set_max_intset_entries), limit_of(cfg_.set_max_listpack_entries),
                     limit_of(cfg_.set_max_listpack_value)};
    Item it;
    if (!item(&it)) return false;
    auto set = std::make_unique<SetValue>(it.view, static_cast<size_t>(n), limits);
    set->add(it.view, limits);
    for (uint64_t i = 1; i < n; ++i) {
      if (!item(&it)) return false;
      if (!set->add(it.view, limits)) return error("duplicate set member");
    }
    set_object(out, ValueType::kSet, std::move(set));
    return true;
  }

  bool hash_value(DetachedValue* out) {
    uint64_t n;
    if (!count(2, &n)) return false;
    HashLimits limits{limit_of(cfg_.hash_max_listpack_entries),
                      limit_of(cfg_.hash_max_listpack_value)};
    auto hash = std::make_unique<HashValue>();
    Item field;
    Item value;
    for (uint64_t i = 0; i < n; ++i) {
      if (!item(&field) || !item(&value)) return false;
      if (!hash->set(field.view, value.view, limits)) return error("duplicate hash field");
    }
    set_object(out, ValueType::kHash, std::move(hash));
    return true;
  }

  bool zset_value(DetachedValue* out) {
    uint64_t n;
    if (!count(9, &n)) return false;
    ZsetLimits limits{limit_of(cfg_.zset_max_listpack_entries),
                      limit_of(cfg_.zset_max_listpack_value)};
    auto zset = std::make_unique<ZsetValue>(static_cast<size_t>(n), 0, limits);
    Item member;
    for (uint64_t i = 0; i < n; ++i) {
      double score;
      if (!item(&member)) return false;
      if (!in_.double_value(&score)) return error("truncated score");
      if (std::isnan(score)) return error("NaN score");
      if (zset->add(member.view, score, ZaddFlags{}, limits).outcome !=
          ZsetValue::AddOutcome::kAdded) {
        return error("duplicate sorted set member");
      }
    }
    set_object(out, ValueType::kZset, std::move(zset));
    return true;
  }

  wire::Reader in_;
  const Config& cfg_;
  std::string error_;
};

}  // namespace

void encode_value(const Db& db, EntryIndex e, std::string* out, bool compress) {
  entry::View v = db.view(e);
  wire::put_u8(out, static_cast<uint8_t>(v.type()));
  char buf[24];
  char buf2[24];
  switch (v.type()) {
    case ValueType::kString:
      if (v.encoding() == Encoding::kInt) {
        put_int_item(out, v.int_value());
      } else {
        put_item(out, db.string_value(e, buf), compress);
      }
      break;
    case ValueType::kList: {
      const auto& list = static_cast<const ListValue&>(*v.object());
      wire::put_varint(out, list.size());
      for (auto c = list.seek(0); c.valid(); c.next()) put_listpack_value(out, c.value(), compress);
      break;
    }
    case ValueType::kSet: {
      const auto& set = static_cast<const SetValue&>(*v.object());
      wire::put_varint(out, set.size());
      for (size_t p = set.first(); p != SetValue::kEnd; p = set.next(p)) {
        put_item(out, set.member_at(p, buf), compress);
      }
      break;
    }
    case ValueType::kZset: {
      const auto& zset = static_cast<const ZsetValue&>(*v.object());
      wire::put_varint(out, zset.size());
      for (auto c = zset.at_rank(0); c.valid(); c.next()) {
        put_item(out, c.member(), compress);
        wire::put_double(out, c.score());
      }
      break;
    }
    case ValueType::kHash: {
      const auto& hash = static_cast<const HashValue&>(*v.object());
      wire::put_varint(out, hash.size());
      for (size_t p = hash.first(); p != HashValue::kEnd; p = hash.next(p)) {
        put_item(out, hash.field_at(p, buf), compress);
        put_item(out, hash.value_at(p, buf2), compress);
      }
      break;
    }
  }
}

Status decode_value(std::string_view in, const Config& cfg, DetachedValue* out) {
  DetachedValue value;
  Status s = ValueDecoder(in, cfg).run(&value);
  if (s) *out = std::move(value);
  return s;
}

EntryIndex put_value(Db& db, std::string_view key, DetachedValue&& value) {
  if (value.type == ValueType::kString && value.encoding == Encoding::kEmbedded &&
      entry::size_for(key, true, Encoding::kEmbedded, value.bytes.size()) > Db::kMaxEmbeddedEntry) {
    value.pointer = new std::string(std::move(value.bytes));
    value.encoding = Encoding::kHeapString;
  }
  return db.put(key, std::move(value));
}

}  // namespace stashd::persist
