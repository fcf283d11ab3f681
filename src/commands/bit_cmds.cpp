// Owns: the bitmap family: SETBIT GETBIT BITCOUNT BITPOS BITOP with Redis 7 replies; BITFIELD and
// BITFIELD_RO live in bitfield_cmds.cpp and are registered from here. Bit 0 is the most
// significant bit of byte 0. Must not touch: other families, the keyspace's internals.
// Thread: the event loop.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "commands/string_access.h"
#include "stashd/command/context.h"
#include "stashd/commands/registry.h"

namespace stashd {

namespace {

using string_access::reject_non_string;

constexpr std::string_view kBadBit = "ERR bit is not an integer or out of range";

uint8_t byte_at(std::string_view s, size_t i) { return static_cast<uint8_t>(s[i]); }

// Masks keeping the bits of a byte from bit `first` on, and up to bit `last` (0 = MSB).
uint8_t from_bit_mask(uint64_t first) { return static_cast<uint8_t>(0xFF >> (first & 7)); }
uint8_t to_bit_mask(uint64_t last) { return static_cast<uint8_t>(0xFF << (7 - (last & 7))); }

std::string_view string_or_empty(Db& db, EntryIndex e, char (&buf)[24]) {
  return e == kNoEntry ? std::string_view{} : db.string_value(e, buf);
}

void setbit(CommandContext& ctx) {
  std::optional<uint64_t> offset = string_access::bit_offset_arg(ctx, 2);
  if (!offset) return;
  std::optional<int64_t> bit = ctx.int_arg(3, kBadBit);
  if (!bit) return;
  if (*bit != 0 && *bit != 1) {
    ctx.error(kBadBit);
    return;
  }
  Db& db = ctx.db();
  std::string_view key = ctx.arg(1);
  EntryIndex e = db.lookup_write(key);
  if (reject_non_string(ctx, e)) return;
  const size_t byte = *offset >> 3;
  std::string* value = string_access::writable_string(ctx, key, e, byte + 1);
  if (value == nullptr) return;
  if (value->size() <= byte) value->resize(byte + 1, '\0');
  const auto mask = static_cast<uint8_t>(0x80 >> (*offset & 7));
  const auto old = static_cast<uint8_t>((*value)[byte]);
  (*value)[byte] = static_cast<char>(*bit ? old | mask : old & ~mask);
  ctx.key_changed(key);
  ctx.out.integer((old & mask) != 0 ? 1 : 0);
}

void getbit(CommandContext& ctx) {
  std::optional<uint64_t> offset = string_access::bit_offset_arg(ctx, 2);
  if (!offset) return;
  Db& db = ctx.db();
  EntryIndex e = db.lookup_read(ctx.arg(1));
  if (reject_non_string(ctx, e)) return;
  char buf[24];
  std::string_view value = string_or_empty(db, e, buf);
  const size_t byte = *offset >> 3;
  const bool set = byte < value.size() && (byte_at(value, byte) & (0x80 >> (*offset & 7))) != 0;
  ctx.out.integer(set ? 1 : 0);
}

enum class RangeUnit : uint8_t { kByte, kBit };

std::optional<RangeUnit> range_unit_arg(CommandContext& ctx, size_t i) {
  if (ctx.arg_is(i, "BYTE")) return RangeUnit::kByte;
  if (ctx.arg_is(i, "BIT")) return RangeUnit::kBit;
  ctx.error(errors::kSyntax);
  return std::nullopt;
}

struct BitRange {
  uint64_t first;
  uint64_t last;  // inclusive
};

// Resolves a start/end pair (negative = from the end, then clamped) over a string of `len` bytes
// into an inclusive bit range; nullopt when the range is empty.
std::optional<BitRange> resolve_range(int64_t start, int64_t end, size_t len, RangeUnit unit) {
  const auto total = static_cast<int64_t>(unit == RangeUnit::kBit ? len * 8 : len);
  if (start < 0) start = std::max<int64_t>(total + start, 0);
  if (end < 0) end = std::max<int64_t>(total + end, 0);
  end = std::min(end, total - 1);
  if (start > end) return std::nullopt;
  const auto first = static_cast<uint64_t>(start);
  const auto last = static_cast<uint64_t>(end);
  if (unit == RangeUnit::kBit) return BitRange{first, last};
  return BitRange{first * 8, last * 8 + 7};
}

uint64_t count_bits(std::string_view s, BitRange r) {
  const size_t first = r.first >> 3;
  const size_t last = r.last >> 3;
  const uint8_t head = from_bit_mask(r.first);
  const uint8_t tail = to_bit_mask(r.last);
  if (first == last) return std::popcount(static_cast<uint8_t>(byte_at(s, first) & head & tail));
  uint64_t n = std::popcount(static_cast<uint8_t>(byte_at(s, first) & head)) +
               std::popcount(static_cast<uint8_t>(byte_at(s, last) & tail));
  size_t i = first + 1;
  for (; i + 8 <= last; i += 8) {
    uint64_t word;
    std::memcpy(&word, s.data() + i, 8);
    n += std::popcount(word);
  }
  for (; i < last; ++i) n += std::popcount(byte_at(s, i));
  return n;
}

struct RangeArgs {
  int64_t start = 0;
  int64_t end = -1;  // with start 0: the whole string
  RangeUnit unit = RangeUnit::kByte;
  bool end_given = false;
};

// BITCOUNT's optional "start end [BYTE|BIT]".
std::optional<RangeArgs> parse_bitcount_range(CommandContext& ctx) {
  RangeArgs r;
  if (ctx.argc() == 2) return r;
  if (ctx.argc() != 4 && ctx.argc() != 5) {
    ctx.error(errors::kSyntax);
    return std::nullopt;
  }
  std::optional<int64_t> start = ctx.int_arg(2);
  if (!start) return std::nullopt;
  std::optional<int64_t> end = ctx.int_arg(3);
  if (!end) return std::nullopt;
  std::optional<RangeUnit> unit = ctx.argc() == 5 ? range_unit_arg(ctx, 4) : RangeUnit::kByte;
  if (!unit) return std::nullopt;
  return RangeArgs{*start, *end, *unit, true};
}

// Redis 7.0 looks the key up before reading the range (7.2 swapped this): for a missing key
// BITCOUNT replies 0 and BITPOS its "not found" answer, whatever the range arguments say.
void bitcount(CommandContext& ctx) {
  Db& db = ctx.db();
  EntryIndex e = db.lookup_read(ctx.arg(1));
  if (e == kNoEntry) {
    ctx.out.integer(0);
    return;
  }
  if (reject_non_string(ctx, e)) return;
  std::optional<RangeArgs> r = parse_bitcount_range(ctx);
  if (!r) return;
  // Both ends negative and crossed is empty even when clamping would make them meet at 0.
  if (r->start < 0 && r->end < 0 && r->start > r->end) {
    ctx.out.integer(0);
    return;
  }
  char buf[24];
  std::string_view value = db.string_value(e, buf);
  std::optional<BitRange> range = resolve_range(r->start, r->end, value.size(), r->unit);
  ctx.out.integer(range ? static_cast<int64_t>(count_bits(value, *range)) : 0);
}

// The position of the first bit equal to `bit` in the range, if any.
std::optional<uint64_t> find_bit(std::string_view s, BitRange r, bool bit) {
  const size_t first = r.first >> 3;
  const size_t last = r.last >> 3;
  const uint8_t flip = bit ? 0x00 : 0xFF;  // after flipping, the bit sought is a 1
  const uint64_t skip_word = bit ? 0 : ~uint64_t{0};
  size_t i = first;
  while (i <= last) {
    if (i > first && i + 8 <= last) {  // a whole word strictly inside the range
      uint64_t word;
      std::memcpy(&word, s.data() + i, 8);
      if (word == skip_word) {
        i += 8;
        continue;
      }
    }
    auto v = static_cast<uint8_t>(byte_at(s, i) ^ flip);
    if (i == first) v &= from_bit_mask(r.first);
    if (i == last) v &= to_bit_mask(r.last);
    if (v != 0) return uint64_t{i} * 8 + static_cast<uint64_t>(std::countl_zero(v));
    ++i;
  }
  return std::nullopt;
}

// BITPOS's optional "start [end [BYTE|BIT]]", read in Redis's order: start, unit, end.
std::optional<RangeArgs> parse_bitpos_range(CommandContext& ctx) {
  RangeArgs r;
  if (ctx.argc() == 3) return r;
  if (ctx.argc() > 6) {
    ctx.error(errors::kSyntax);
    return std::nullopt;
  }
  std::optional<int64_t> start = ctx.int_arg(3);
  if (!start) return std::nullopt;
  std::optional<RangeUnit> unit = ctx.argc() == 6 ? range_unit_arg(ctx, 5) : RangeUnit::kByte;
  if (!unit) return std::nullopt;
  r.end_given = ctx.argc() >= 5;
  std::optional<int64_t> end = r.end_given ? ctx.int_arg(4) : -1;
  if (!end) return std::nullopt;
  r.start = *start;
  r.end = *end;
  r.unit = *unit;
  return r;
}

void bitpos(CommandContext& ctx) {
  std::optional<int64_t> bit = ctx.int_arg(2);
  if (!bit) return;
  if (*bit != 0 && *bit != 1) {
    ctx.error("ERR The bit argument must be 1 or 0.");
    return;
  }
  Db& db = ctx.db();
  EntryIndex e = db.lookup_read(ctx.arg(1));
  if (e == kNoEntry) {  // a missing key is an endless run of zeros
    ctx.out.integer(*bit ? -1 : 0);
    return;
  }
  if (reject_non_string(ctx, e)) return;
  std::optional<RangeArgs> r = parse_bitpos_range(ctx);
  if (!r) return;
  char buf[24];
  std::string_view value = db.string_value(e, buf);
  std::optional<BitRange> range = resolve_range(r->start, r->end, value.size(), r->unit);
  if (!range) {
    ctx.out.integer(-1);
    return;
  }
  if (std::optional<uint64_t> pos = find_bit(value, *range, *bit == 1)) {
    ctx.out.integer(static_cast<int64_t>(*pos));
  } else if (*bit == 1 || r->end_given) {
    ctx.out.integer(-1);
  } else {
    // Without an explicit end the string counts as padded with zeros on the right.
    ctx.out.integer(static_cast<int64_t>(range->last + 1));
  }
}

enum class BitOp : uint8_t { kAnd, kOr, kXor, kNot };

std::optional<BitOp> bitop_arg(CommandContext& ctx) {
  if (ctx.arg_is(1, "AND")) return BitOp::kAnd;
  if (ctx.arg_is(1, "OR")) return BitOp::kOr;
  if (ctx.arg_is(1, "XOR")) return BitOp::kXor;
  if (ctx.arg_is(1, "NOT")) return BitOp::kNot;
  ctx.error(errors::kSyntax);
  return std::nullopt;
}

// Combines the sources byte by byte; shorter sources count as zero-padded to `len`.
std::string combine(BitOp op, std::span<const std::string_view> sources, size_t len) {
  std::string out(len, '\0');
  std::string_view first = sources[0];
  if (op == BitOp::kNot) {
    for (size_t i = 0; i < len; ++i) out[i] = static_cast<char>(~byte_at(first, i));
    return out;
  }
  std::copy(first.begin(), first.end(), out.begin());
  for (std::string_view src : sources.subspan(1)) {
    const size_t n = src.size();
    for (size_t i = 0; i < n; ++i) {
      const auto a = static_cast<uint8_t>(out[i]);
      const uint8_t b = byte_at(src, i);
      out[i] = static_cast<char>(op == BitOp::kAnd ? a & b : op == BitOp::kOr ? a | b : a ^ b);
    }
    if (op == BitOp::kAnd) std::fill(out.begin() + static_cast<ptrdiff_t>(n), out.end(), '\0');
  }
  return out;
}

void bitop(CommandContext& ctx) {
  std::optional<BitOp> op = bitop_arg(ctx);
  if (!op) return;
  if (*op == BitOp::kNot && ctx.argc() != 4) {
    ctx.error("ERR BITOP NOT must be called with a single source key.");
    return;
  }
  struct IntBuf {
    char chars[24];
  };
  Db& db = ctx.db();
  const size_t count = ctx.argc() - 3;
  std::vector<IntBuf> bufs(count);
  std::vector<std::string_view> sources(count);
  size_t len = 0;
  for (size_t k = 0; k < count; ++k) {
    EntryIndex e = db.lookup_read(ctx.arg(3 + k));
    if (reject_non_string(ctx, e)) return;
    sources[k] = string_or_empty(db, e, bufs[k].chars);
    len = std::max(len, sources[k].size());
  }
  std::string result = combine(*op, sources, len);
  std::string_view dest = ctx.arg(2);
  if (result.empty()) {  // an empty result deletes the destination
    if (db.erase(dest)) ctx.key_changed(dest);
    ctx.out.integer(0);
    return;
  }
  if (!string_access::check_stored(ctx, db.set_heap_string(dest, std::move(result)))) return;
  ctx.key_changed(dest);
  ctx.out.integer(static_cast<int64_t>(len));
}

}  // namespace

void register_bit_commands(CommandTable& table) {
  constexpr uint64_t kRead = kAclRead | kAclBitmap;
  constexpr uint64_t kWrite = kAclWrite | kAclBitmap;
  table.add({"setbit", 4, kCmdWrite | kCmdDenyOom, 1, 1, 1, kWrite, setbit, "bitmap", "2.2.0",
             "Sets or clears the bit at offset of the string value. Creates the key if it doesn't "
             "exist.",
             "O(1)"});
  table.add({"getbit", 3, kCmdReadonly | kCmdFast, 1, 1, 1, kRead, getbit, "bitmap", "2.2.0",
             "Returns a bit value by offset.", "O(1)"});
  table.add({"bitcount", -2, kCmdReadonly, 1, 1, 1, kRead, bitcount, "bitmap", "2.6.0",
             "Counts the number of set bits (population counting) in a string.", "O(N)"});
  table.add({"bitpos", -3, kCmdReadonly, 1, 1, 1, kRead, bitpos, "bitmap", "2.8.7",
             "Finds the first set (1) or clear (0) bit in a string.", "O(N)"});
  table.add({"bitop", -4, kCmdWrite | kCmdDenyOom, 2, -1, 1, kWrite, bitop, "bitmap", "2.6.0",
             "Performs bitwise operations on multiple strings, and stores the result.", "O(N)"});
  register_bitfield_commands(table);
}

}  // namespace stashd
