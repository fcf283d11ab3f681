// Owns: the byte layout of one keyspace entry inside the EntryArena, and reading/writing its fields.
// Layout (8-byte aligned):
//   u32 chain_next | u32 lru_prev | u32 lru_next | u8 meta | u8[3] access field
// meta = type (3 bits) | encoding (2) | has-TTL (1) | recency segment (2); the access field holds
// an LRU clock in seconds, or an LFU counter under the *-lfu policies (see lfu.h).
//   [u32 ttl heap position, only when meta has kHasTtl]
//   varint key_len | key bytes | value
// where value is an int64 (kInt), varint len + bytes (kEmbedded), or a pointer (kHeapString, kObject).
// The TTL deadline itself lives only in the TtlHeap. Must not touch: the dictionary. Thread: event loop.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "stashd/keyspace/entry_arena.h"

namespace stashd {

enum class ValueType : uint8_t { kString = 0, kList = 1, kSet = 2, kZset = 3, kHash = 4 };
enum class Encoding : uint8_t { kInt = 0, kEmbedded = 1, kHeapString = 2, kObject = 3 };

// Collections (later issues) implement this; the entry owns one through a pointer.
class ValueObject {
 public:
  virtual ~ValueObject() = default;
  virtual const char* encoding_name() const = 0;
  virtual size_t memory_usage() const = 0;
  virtual std::unique_ptr<ValueObject> clone() const = 0;
  // About how many separate allocations freeing it releases (decides lazy freeing).
  virtual size_t free_effort() const { return 1; }
};

struct EntryHeader {
  EntryIndex chain_next;
  EntryIndex lru_prev;
  EntryIndex lru_next;
  uint8_t meta;
  uint8_t lru_clock[3];
};
static_assert(sizeof(EntryHeader) == 16);

namespace entry {

inline constexpr uint8_t kTypeMask = 0x07;
inline constexpr uint8_t kEncodingShift = 3;
inline constexpr uint8_t kEncodingMask = 0x18;
inline constexpr uint8_t kHasTtl = 0x20;
inline constexpr uint8_t kSegmentShift = 6;
inline constexpr uint8_t kSegmentMask = 0xC0;

inline size_t varint_size(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}
inline uint8_t* put_varint(uint8_t* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<uint8_t>(v);
  return p;
}
inline const uint8_t* get_varint(const uint8_t* p, uint64_t* v) {
  uint64_t result = 0;
  int shift = 0;
  while (*p & 0x80) {
    result |= uint64_t{static_cast<uint8_t>(*p & 0x7f)} << shift;
    shift += 7;
    ++p;
  }
  *v = result | (uint64_t{*p} << shift);
  return p + 1;
}

// A non-owning view of an entry at a given address. Cheap to copy; invalid after the entry moves.
class View {
 public:
  explicit View(uint8_t* base) : base_(base) {}
  EntryHeader& header() const { return *reinterpret_cast<EntryHeader*>(base_); }
  ValueType type() const { return static_cast<ValueType>(header().meta & kTypeMask); }
  Encoding encoding() const {
    return static_cast<Encoding>((header().meta & kEncodingMask) >> kEncodingShift);
  }
  bool has_ttl() const { return header().meta & kHasTtl; }
  // Which of the database's recency lists holds the entry (see Db::Segment).
  int segment() const { return (header().meta & kSegmentMask) >> kSegmentShift; }
  void set_segment(int segment) {
    header().meta = static_cast<uint8_t>((header().meta & ~kSegmentMask) |
                                         (segment << kSegmentShift));
  }
  uint32_t heap_pos() const {
    uint32_t v;
    std::memcpy(&v, base_ + sizeof(EntryHeader), 4);
    return v;
  }
  void set_heap_pos(uint32_t pos) { std::memcpy(base_ + sizeof(EntryHeader), &pos, 4); }
  uint32_t lru_clock() const {
    const uint8_t* c = header().lru_clock;
    return c[0] | (uint32_t{c[1]} << 8) | (uint32_t{c[2]} << 16);
  }
  void set_lru_clock(uint32_t clock) {
    uint8_t* c = header().lru_clock;
    c[0] = clock & 0xff;
    c[1] = (clock >> 8) & 0xff;
    c[2] = (clock >> 16) & 0xff;
  }
  std::string_view key() const {
    uint64_t len;
    const uint8_t* p = get_varint(key_start(), &len);
    return {reinterpret_cast<const char*>(p), len};
  }
  // Start of the value area (just past the key).
  uint8_t* value_start() const {
    uint64_t len;
    const uint8_t* p = get_varint(key_start(), &len);
    return const_cast<uint8_t*>(p) + len;
  }
  int64_t int_value() const {
    int64_t v;
    std::memcpy(&v, value_start(), 8);
    return v;
  }
  std::string_view embedded_value() const {
    uint64_t len;
    const uint8_t* p = get_varint(value_start(), &len);
    return {reinterpret_cast<const char*>(p), len};
  }
  void* pointer_value() const {
    void* v;
    std::memcpy(&v, value_start(), sizeof(v));
    return v;
  }
  void set_pointer_value(void* v) { std::memcpy(value_start(), &v, sizeof(v)); }
  void set_int_value(int64_t v) { std::memcpy(value_start(), &v, 8); }
  std::string* heap_string() const { return static_cast<std::string*>(pointer_value()); }
  ValueObject* object() const { return static_cast<ValueObject*>(pointer_value()); }
  // Total bytes this entry occupies (before arena rounding).
  size_t size() const {
    uint8_t* v = value_start();
    size_t head = static_cast<size_t>(v - base_);
    switch (encoding()) {
      case Encoding::kInt:
        return head + 8;
      case Encoding::kEmbedded: {
        uint64_t len;
        const uint8_t* p = get_varint(v, &len);
        return static_cast<size_t>(p - base_) + len;
      }
      default:
        return head + sizeof(void*);
    }
  }

 private:
  uint8_t* key_start() const { return base_ + sizeof(EntryHeader) + (has_ttl() ? 4 : 0); }
  uint8_t* base_;
};

// Bytes needed for an entry with this key and value shape.
inline size_t size_for(std::string_view key, bool has_ttl, Encoding enc, size_t embedded_len) {
  size_t n = sizeof(EntryHeader) + (has_ttl ? 4 : 0) + varint_size(key.size()) + key.size();
  switch (enc) {
    case Encoding::kInt:
      return n + 8;
    case Encoding::kEmbedded:
      return n + varint_size(embedded_len) + embedded_len;
    default:
      return n + sizeof(void*);
  }
}

// Writes header and key at `base`, returns the value area. Links and the heap position are zeroed.
inline uint8_t* init(uint8_t* base, std::string_view key, bool has_ttl, ValueType type, Encoding enc) {
  auto* h = new (base) EntryHeader{};
  h->meta = static_cast<uint8_t>(static_cast<uint8_t>(type) |
                                 (static_cast<uint8_t>(enc) << kEncodingShift) |
                                 (has_ttl ? kHasTtl : 0));
  uint8_t* p = base + sizeof(EntryHeader);
  if (has_ttl) {
    std::memset(p, 0, 4);
    p += 4;
  }
  p = put_varint(p, key.size());
  std::memcpy(p, key.data(), key.size());
  return p + key.size();
}

}  // namespace entry
}  // namespace stashd
