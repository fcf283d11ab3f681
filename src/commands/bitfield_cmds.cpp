// Owns: BITFIELD and BITFIELD_RO (GET SET INCRBY OVERFLOW WRAP|SAT|FAIL over i1..i64 and u1..u63
// fields at bit or #field offsets) with Redis 7 replies; registered from register_bit_commands.
// Must not touch: other commands, the keyspace's internals. Thread: the event loop.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "commands/string_access.h"
#include "stashd/command/context.h"
#include "stashd/common/strings.h"

namespace stashd {

namespace {

constexpr std::string_view kBadType =
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 "
    "is.";

enum class Overflow : uint8_t { kWrap, kSat, kFail };
enum class FieldOp : uint8_t { kGet, kSet, kIncrBy };

struct FieldType {
  bool is_signed;
  int bits;
};

struct FieldCommand {
  FieldOp op;
  Overflow overflow;
  FieldType type;
  uint64_t offset;
  int64_t value;  // SET's value or INCRBY's increment
};

// "i1".."i64" or "u1".."u63" (lower case, as Redis accepts them).
std::optional<FieldType> field_type_arg(CommandContext& ctx, size_t i) {
  std::string_view text = ctx.arg(i);
  int64_t bits = 0;
  const bool is_signed = !text.empty() && text[0] == 'i';
  const bool known = !text.empty() && (is_signed || text[0] == 'u');
  if (!known || !parse_i64(text.substr(1), &bits) || bits < 1 || bits > (is_signed ? 64 : 63)) {
    ctx.error(kBadType);
    return std::nullopt;
  }
  return FieldType{is_signed, static_cast<int>(bits)};
}

std::optional<Overflow> overflow_arg(CommandContext& ctx, size_t i) {
  if (ctx.arg_is(i, "WRAP")) return Overflow::kWrap;
  if (ctx.arg_is(i, "SAT")) return Overflow::kSat;
  if (ctx.arg_is(i, "FAIL")) return Overflow::kFail;
  ctx.error("ERR Invalid OVERFLOW type specified");
  return std::nullopt;
}

// Parses GET/SET/INCRBY type offset [value] starting at argv[i] (the subcommand word).
std::optional<FieldCommand> field_command_arg(CommandContext& ctx, size_t i, FieldOp op,
                                              Overflow overflow) {
  std::optional<FieldType> type = field_type_arg(ctx, i + 1);
  if (!type) return std::nullopt;
  std::optional<uint64_t> offset = string_access::bit_offset_arg(ctx, i + 2, type->bits);
  if (!offset) return std::nullopt;
  FieldCommand cmd{op, overflow, *type, *offset, 0};
  if (op != FieldOp::kGet) {
    std::optional<int64_t> value = ctx.int_arg(i + 3);
    if (!value) return std::nullopt;
    cmd.value = *value;
  }
  return cmd;
}

std::optional<std::vector<FieldCommand>> parse_bitfield(CommandContext& ctx) {
  std::vector<FieldCommand> cmds;
  Overflow overflow = Overflow::kWrap;
  for (size_t i = 2; i < ctx.argc(); ++i) {
    const size_t left = ctx.argc() - i - 1;
    if (ctx.arg_is(i, "OVERFLOW") && left >= 1) {
      std::optional<Overflow> o = overflow_arg(ctx, ++i);
      if (!o) return std::nullopt;
      overflow = *o;
      continue;
    }
    std::optional<FieldOp> op;
    if (ctx.arg_is(i, "GET") && left >= 2) op = FieldOp::kGet;
    if (ctx.arg_is(i, "SET") && left >= 3) op = FieldOp::kSet;
    if (ctx.arg_is(i, "INCRBY") && left >= 3) op = FieldOp::kIncrBy;
    if (!op) {
      ctx.error(errors::kSyntax);
      return std::nullopt;
    }
    std::optional<FieldCommand> cmd = field_command_arg(ctx, i, *op, overflow);
    if (!cmd) return std::nullopt;
    cmds.push_back(*cmd);
    i += *op == FieldOp::kGet ? 2 : 3;
  }
  return cmds;
}

// Reads `bits` bits at `offset` as an unsigned number; bits past the end of `s` read as zero.
uint64_t read_field(std::string_view s, uint64_t offset, int bits) {
  uint64_t v = 0;
  for (int k = 0; k < bits; ++k) {
    const uint64_t pos = offset + static_cast<uint64_t>(k);
    const size_t byte = pos >> 3;
    const uint64_t bit =
        byte < s.size() ? (static_cast<uint8_t>(s[byte]) >> (7 - (pos & 7))) & 1 : 0;
    v = (v << 1) | bit;
  }
  return v;
}

// Writes the low `bits` bits of v at `offset`; `s` must already be long enough.
void write_field(std::string& s, uint64_t offset, int bits, uint64_t v) {
  for (int k = 0; k < bits; ++k) {
    const uint64_t pos = offset + static_cast<uint64_t>(k);
    const auto mask = static_cast<uint8_t>(0x80 >> (pos & 7));
    const bool on = (v >> (bits - 1 - k)) & 1;
    auto byte = static_cast<uint8_t>(s[pos >> 3]);
    s[pos >> 3] = static_cast<char>(on ? byte | mask : byte & ~mask);
  }
}

int64_t to_signed(uint64_t raw, int bits) {
  if (bits < 64 && ((raw >> (bits - 1)) & 1)) raw |= ~uint64_t{0} << bits;
  return static_cast<int64_t>(raw);
}

uint64_t low_bits(uint64_t v, int bits) { return bits == 64 ? v : v & ((uint64_t{1} << bits) - 1); }

// value + incr stored in a signed field, per the overflow mode; nullopt when FAIL refuses it. SET
// passes its value with incr 0, so a value outside the field's range overflows the same way.
std::optional<int64_t> signed_result(int64_t value, int64_t incr, int bits, Overflow mode) {
  const int64_t max =
      bits == 64 ? std::numeric_limits<int64_t>::max() : (int64_t{1} << (bits - 1)) - 1;
  const int64_t min = -max - 1;
  // Redis computes the headroom max - value with wrapping arithmetic: a SET value more than
  // INT64_MAX below a narrow field's max wraps it negative and counts as an overflow, so SAT
  // stores max there. Kept for compatibility (only SET, with incr 0, can reach it).
  const bool headroom_wraps = bits < 64 && value < max - std::numeric_limits<int64_t>::max();
  const bool over = value > max || headroom_wraps || (incr > 0 && value > max - incr);
  const bool under = !over && (value < min || (incr < 0 && value < min - incr));
  const uint64_t wrapped = static_cast<uint64_t>(value) + static_cast<uint64_t>(incr);
  if (!over && !under) return static_cast<int64_t>(wrapped);
  if (mode == Overflow::kFail) return std::nullopt;
  if (mode == Overflow::kSat) return over ? max : min;
  return to_signed(low_bits(wrapped, bits), bits);
}

// As signed_result for an unsigned field (bits <= 63). SET's value is taken as its 64-bit two's
// complement, so a negative value overflows upwards, as in Redis.
std::optional<uint64_t> unsigned_result(uint64_t value, int64_t incr, int bits, Overflow mode) {
  const uint64_t max = (uint64_t{1} << bits) - 1;
  const uint64_t magnitude =
      incr < 0 ? 0 - static_cast<uint64_t>(incr) : static_cast<uint64_t>(incr);
  const bool over = value > max || (incr > 0 && magnitude > max - value);
  const bool under = !over && incr < 0 && magnitude > value;
  const uint64_t wrapped = value + static_cast<uint64_t>(incr);
  if (!over && !under) return wrapped;
  if (mode == Overflow::kFail) return std::nullopt;
  if (mode == Overflow::kSat) return over ? max : 0;
  return low_bits(wrapped, bits);
}

int64_t read_value(std::string_view s, const FieldCommand& c) {
  const uint64_t raw = read_field(s, c.offset, c.type.bits);
  return c.type.is_signed ? to_signed(raw, c.type.bits) : static_cast<int64_t>(raw);
}

// Runs one SET or INCRBY on `s` and replies its result; true when the field was written.
bool apply_write(CommandContext& ctx, std::string& s, const FieldCommand& c) {
  const int64_t old = read_value(s, c);
  const bool is_set = c.op == FieldOp::kSet;
  std::optional<uint64_t> stored;  // the field's new bits
  if (c.type.is_signed) {
    std::optional<int64_t> v = is_set ? signed_result(c.value, 0, c.type.bits, c.overflow)
                                      : signed_result(old, c.value, c.type.bits, c.overflow);
    if (v) stored = static_cast<uint64_t>(*v);
  } else {
    stored = is_set ? unsigned_result(static_cast<uint64_t>(c.value), 0, c.type.bits, c.overflow)
                    : unsigned_result(static_cast<uint64_t>(old), c.value, c.type.bits, c.overflow);
  }
  if (!stored) {
    ctx.out.null();
    return false;
  }
  write_field(s, c.offset, c.type.bits, *stored);
  ctx.out.integer(is_set ? old : read_value(s, c));
  return true;
}

// Only GETs: the key is read, never created.
void run_reads(CommandContext& ctx, const std::vector<FieldCommand>& cmds) {
  Db& db = ctx.db();
  EntryIndex e = db.lookup_read(ctx.arg(1));
  if (string_access::reject_non_string(ctx, e)) return;
  char buf[24];
  std::string_view value = e == kNoEntry ? std::string_view{} : db.string_value(e, buf);
  ctx.out.array(static_cast<int64_t>(cmds.size()));
  for (const FieldCommand& c : cmds) ctx.out.integer(read_value(value, c));
}

void run_writes(CommandContext& ctx, const std::vector<FieldCommand>& cmds) {
  uint64_t highest_bit = 0;
  for (const FieldCommand& c : cmds) {
    if (c.op != FieldOp::kGet) highest_bit = std::max(highest_bit, c.offset + c.type.bits - 1);
  }
  const size_t need = highest_bit / 8 + 1;
  if (!string_access::fits_bulk_limit(ctx, need, 0)) return;
  Db& db = ctx.db();
  std::string_view key = ctx.arg(1);
  EntryIndex e = db.lookup_write(key);
  if (string_access::reject_non_string(ctx, e)) return;
  std::string* value = string_access::writable_string(ctx, key, e, need);
  if (value == nullptr) return;
  bool changed = e == kNoEntry || value->size() < need;
  if (value->size() < need) value->resize(need, '\0');
  ctx.out.array(static_cast<int64_t>(cmds.size()));
  for (const FieldCommand& c : cmds) {
    if (c.op == FieldOp::kGet) {
      ctx.out.integer(read_value(*value, c));
    } else if (apply_write(ctx, *value, c)) {
      changed = true;
    }
  }
  if (changed) ctx.key_changed(key);
}

void bitfield_generic(CommandContext& ctx, bool read_only) {
  std::optional<std::vector<FieldCommand>> cmds = parse_bitfield(ctx);
  if (!cmds) return;
  bool writes = false;
  for (const FieldCommand& c : *cmds) writes = writes || c.op != FieldOp::kGet;
  if (!writes) {
    run_reads(ctx, *cmds);
  } else if (read_only) {
    ctx.error("ERR BITFIELD_RO only supports the GET subcommand");
  } else {
    run_writes(ctx, *cmds);
  }
}

void bitfield(CommandContext& ctx) { bitfield_generic(ctx, false); }
void bitfield_ro(CommandContext& ctx) { bitfield_generic(ctx, true); }

}  // namespace

void register_bitfield_commands(CommandTable& table) {
  table.add({"bitfield", -2, kCmdWrite | kCmdDenyOom, 1, 1, 1, kAclWrite | kAclBitmap, bitfield,
             "bitmap", "3.2.0", "Performs arbitrary bitfield integer operations on strings.",
             "O(1) for each subcommand specified"});
  table.add({"bitfield_ro", -2, kCmdReadonly | kCmdFast, 1, 1, 1, kAclRead | kAclBitmap,
             bitfield_ro, "bitmap", "6.0.0",
             "Performs arbitrary read-only bitfield integer operations on strings.",
             "O(1) for each subcommand specified"});
}

}  // namespace stashd
