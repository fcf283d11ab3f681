// Owns: string-value access shared by the string, bit and bitfield families: the type check, the
// proto-max-bulk-len guard, the out-of-memory reply, turning a key into a heap string that can be
// edited in place; and the registration hooks of the files split out of string_cmds.cpp and
// bit_cmds.cpp. Must not touch: anything else. Thread: the event loop.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "stashd/command/context.h"
#include "stashd/common/strings.h"
#include "stashd/keyspace/db.h"

namespace stashd {

class CommandTable;
void register_string_edit_commands(CommandTable& table);  // string_edit_cmds.cpp
void register_bitfield_commands(CommandTable& table);     // bitfield_cmds.cpp

namespace string_access {

inline constexpr std::string_view kStringTooLong =
    "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
inline constexpr std::string_view kBadBitOffset =
    "ERR bit offset is not an integer or out of range";

// Replies WRONGTYPE and returns true when `e` is a live key of another type than string.
inline bool reject_non_string(CommandContext& ctx, EntryIndex e) {
  if (e == kNoEntry || ctx.db().view(e).type() == ValueType::kString) return false;
  ctx.error(errors::kWrongType);
  return true;
}

// True when a string of base + extra bytes is allowed; otherwise replies Redis's error. Overflow
// of the sum counts as too long.
inline bool fits_bulk_limit(CommandContext& ctx, uint64_t base, uint64_t extra) {
  const uint64_t limit = static_cast<uint64_t>(ctx.node.config().proto_max_bulk_len);
  if (base <= limit && extra <= limit - base) return true;
  ctx.error(kStringTooLong);
  return false;
}

// True when a store succeeded; otherwise replies the out-of-memory error.
inline bool check_stored(CommandContext& ctx, EntryIndex e) {
  if (e != kNoEntry) return true;
  ctx.error(errors::kOutOfMemory);
  return false;
}

// Makes the string at `key` (entry `e`, or kNoEntry to create it empty) a heap string and returns
// it for in-place edits; its TTL is kept. A value that is not yet a heap string is copied once,
// with room for `capacity` bytes. Returns nullptr after replying when the store fails.
inline std::string* writable_string(CommandContext& ctx, std::string_view key, EntryIndex e,
                                    size_t capacity) {
  Db& db = ctx.db();
  if (e != kNoEntry && db.view(e).encoding() == Encoding::kHeapString) {
    return db.view(e).heap_string();
  }
  std::string value;
  value.reserve(capacity);
  if (e != kNoEntry) {
    char buf[24];
    value.append(db.string_value(e, buf));
  }
  EntryIndex moved = db.set_heap_string(key, std::move(value), /*keep_ttl=*/true);
  if (!check_stored(ctx, moved)) return nullptr;
  return db.view(moved).heap_string();
}

// Parses argv[i] as a bit offset (SETBIT, GETBIT, BITFIELD). With field_bits > 0, "#N" means the
// N-th field of that width. An offset whose byte would reach proto-max-bulk-len is refused, so no
// bit command can grow a string past the limit. Replies and returns nullopt on error.
inline std::optional<uint64_t> bit_offset_arg(CommandContext& ctx, size_t i, int field_bits = 0) {
  std::string_view text = ctx.arg(i);
  const bool in_fields = field_bits > 0 && !text.empty() && text[0] == '#';
  int64_t offset;
  bool ok = parse_i64(in_fields ? text.substr(1) : text, &offset) && offset >= 0;
  if (ok && in_fields) {
    ok = offset <= std::numeric_limits<int64_t>::max() / field_bits;
    if (ok) offset *= field_bits;
  }
  const auto limit = static_cast<uint64_t>(ctx.node.config().proto_max_bulk_len);
  if (!ok || (static_cast<uint64_t>(offset) >> 3) >= limit) {
    ctx.error(kBadBitOffset);
    return std::nullopt;
  }
  return static_cast<uint64_t>(offset);
}

}  // namespace string_access
}  // namespace stashd
