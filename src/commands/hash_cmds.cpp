// Owns: the hash family: HSET HSETNX HGET HMSET HMGET HDEL HEXISTS HLEN HKEYS HVALS HGETALL HINCRBY
// HINCRBYFLOAT HSTRLEN HRANDFIELD HSCAN, and their rows. Must not touch: the HashValue encodings
// beyond its API, other families, sockets. Thread: the event loop.
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "commands/scan_args.h"
#include "stashd/command/context.h"
#include "stashd/commands/registry.h"
#include "stashd/common/strings.h"
#include "stashd/types/hash.h"

namespace stashd {

namespace {

constexpr std::string_view kCountOutOfRange =
    "ERR value is out of range, must be between -9223372036854775807 and 9223372036854775807";

enum class Access { kRead, kWrite };

size_t limit_of(int64_t v) { return v < 0 ? 0 : static_cast<size_t>(v); }

// Read at every write, so CONFIG SET applies to the next write.
HashLimits limits_of(CommandContext& ctx) {
  const Config& c = ctx.node.config();
  return {limit_of(c.hash_max_listpack_entries), limit_of(c.hash_max_listpack_value)};
}

// Looks `key` up as a hash. Returns false after replying WRONGTYPE; *hash is nullptr if missing.
bool find_hash(CommandContext& ctx, std::string_view key, Access access, HashValue** hash) {
  Db& db = ctx.db();
  EntryIndex e = access == Access::kRead ? db.lookup_read(key) : db.lookup_write(key);
  *hash = nullptr;
  if (e == kNoEntry) return true;
  entry::View v = db.view(e);
  if (v.type() != ValueType::kHash) {
    ctx.error(errors::kWrongType);
    return false;
  }
  *hash = static_cast<HashValue*>(v.object());
  return true;
}

// The hash at `key`, created empty when missing; nullptr after replying an error.
HashValue* find_or_create_hash(CommandContext& ctx, std::string_view key) {
  HashValue* hash;
  if (!find_hash(ctx, key, Access::kWrite, &hash)) return nullptr;
  if (hash != nullptr) return hash;
  EntryIndex e = ctx.db().set_object(key, ValueType::kHash, std::make_unique<HashValue>());
  if (e == kNoEntry) {
    ctx.error(errors::kOutOfMemory);
    return nullptr;
  }
  return static_cast<HashValue*>(ctx.db().view(e).object());
}

void hset_pairs(CommandContext& ctx, bool reply_ok) {
  if (ctx.argc() % 2 != 0) {
    ctx.error("ERR wrong number of arguments for '" + ctx.command.full_name + "' command");
    return;
  }
  HashValue* hash = find_or_create_hash(ctx, ctx.arg(1));
  if (hash == nullptr) return;
  HashLimits limits = limits_of(ctx);
  int64_t added = 0;
  for (size_t i = 2; i < ctx.argc(); i += 2) added += hash->set(ctx.arg(i), ctx.arg(i + 1), limits);
  ctx.key_changed(ctx.arg(1));
  if (reply_ok) {
    ctx.out.ok();
  } else {
    ctx.out.integer(added);
  }
}

void hset(CommandContext& ctx) { hset_pairs(ctx, /*reply_ok=*/false); }
void hmset(CommandContext& ctx) { hset_pairs(ctx, /*reply_ok=*/true); }

void hsetnx(CommandContext& ctx) {
  HashValue* hash = find_or_create_hash(ctx, ctx.arg(1));
  if (hash == nullptr) return;
  if (hash->contains(ctx.arg(2))) {
    ctx.out.integer(0);
    return;
  }
  hash->set(ctx.arg(2), ctx.arg(3), limits_of(ctx));
  ctx.key_changed(ctx.arg(1));
  ctx.out.integer(1);
}

void hget(CommandContext& ctx) {
  HashValue* hash;
  if (!find_hash(ctx, ctx.arg(1), Access::kRead, &hash)) return;
  char buf[24];
  auto value = hash != nullptr ? hash->get(ctx.arg(2), buf) : std::nullopt;
  if (value) {
    ctx.out.bulk(*value);
  } else {
    ctx.out.null();
  }
}

void hmget(CommandContext& ctx) {
  HashValue* hash;
  if (!find_hash(ctx, ctx.arg(1), Access::kRead, &hash)) return;
  ctx.out.array(static_cast<int64_t>(ctx.argc() - 2));
  char buf[24];
  for (size_t i = 2; i < ctx.argc(); ++i) {
    auto value = hash != nullptr ? hash->get(ctx.arg(i), buf) : std::nullopt;
    if (value) {
      ctx.out.bulk(*value);
    } else {
      ctx.out.null();
    }
  }
}

void hdel(CommandContext& ctx) {
  HashValue* hash;
  if (!find_hash(ctx, ctx.arg(1), Access::kWrite, &hash)) return;
  int64_t deleted = 0;
  for (size_t i = 2; hash != nullptr && i < ctx.argc(); ++i) deleted += hash->erase(ctx.arg(i));
  if (deleted > 0) {
    if (hash->size() == 0) ctx.db().erase(ctx.arg(1));
    ctx.key_changed(ctx.arg(1));
  }
  ctx.out.integer(deleted);
}

void hexists(CommandContext& ctx) {
  HashValue* hash;
  if (!find_hash(ctx, ctx.arg(1), Access::kRead, &hash)) return;
  ctx.out.integer(hash != nullptr && hash->contains(ctx.arg(2)) ? 1 : 0);
}

void hlen(CommandContext& ctx) {
  HashValue* hash;
  if (!find_hash(ctx, ctx.arg(1), Access::kRead, &hash)) return;
  ctx.out.integer(hash != nullptr ? static_cast<int64_t>(hash->size()) : 0);
}

void hstrlen(CommandContext& ctx) {
  HashValue* hash;
  if (!find_hash(ctx, ctx.arg(1), Access::kRead, &hash)) return;
  char buf[24];
  auto value = hash != nullptr ? hash->get(ctx.arg(2), buf) : std::nullopt;
  ctx.out.integer(value ? static_cast<int64_t>(value->size()) : 0);
}

// HKEYS, HVALS (arrays) and HGETALL (a map).
void reply_all(CommandContext& ctx, bool fields, bool values) {
  HashValue* hash;
  if (!find_hash(ctx, ctx.arg(1), Access::kRead, &hash)) return;
  auto n = static_cast<int64_t>(hash != nullptr ? hash->size() : 0);
  if (fields && values) {
    ctx.out.map(n);
  } else {
    ctx.out.array(n);
  }
  if (hash == nullptr) return;
  char buf[24];
  for (size_t p = hash->first(); p != HashValue::kEnd; p = hash->next(p)) {
    if (fields) ctx.out.bulk(hash->field_at(p, buf));
    if (values) ctx.out.bulk(hash->value_at(p, buf));
  }
}

void hkeys(CommandContext& ctx) { reply_all(ctx, true, false); }
void hvals(CommandContext& ctx) { reply_all(ctx, false, true); }
void hgetall(CommandContext& ctx) { reply_all(ctx, true, true); }

void hincrby(CommandContext& ctx) {
  auto incr = ctx.int_arg(3);
  if (!incr) return;
  HashValue* hash = find_or_create_hash(ctx, ctx.arg(1));
  if (hash == nullptr) return;
  int64_t value = 0;
  char buf[24];
  if (auto current = hash->get(ctx.arg(2), buf); current && !parse_i64(*current, &value)) {
    ctx.error("ERR hash value is not an integer");
    return;
  }
  if (__builtin_add_overflow(value, *incr, &value)) {
    ctx.error(errors::kOverflow);
    return;
  }
  hash->set(ctx.arg(2), std::string_view(buf, format_i64(value, buf)), limits_of(ctx));
  ctx.key_changed(ctx.arg(1));
  ctx.out.integer(value);
}

void hincrbyfloat(CommandContext& ctx) {
  auto incr = ctx.float_arg(3);
  if (!incr) return;
  if (std::isnan(*incr) || std::isinf(*incr)) {
    ctx.error("ERR value is NaN or Infinity");
    return;
  }
  HashValue* hash = find_or_create_hash(ctx, ctx.arg(1));
  if (hash == nullptr) return;
  long double value = 0;
  char buf[24];
  if (auto current = hash->get(ctx.arg(2), buf); current && !parse_long_double(*current, &value)) {
    ctx.error("ERR hash value is not a float");
    return;
  }
  value += *incr;
  if (std::isnan(value) || std::isinf(value)) {
    ctx.error("ERR increment would produce NaN or Infinity");
    return;
  }
  const std::string formatted = format_long_double(value);
  hash->set(ctx.arg(2), formatted, limits_of(ctx));
  ctx.key_changed(ctx.arg(1));
  // The result, not the increment: float arithmetic need not round the same way elsewhere.
  ctx.propagate_as({"HSET", ctx.arg(1), ctx.arg(2), formatted});
  ctx.out.bulk(formatted);
}

// HRANDFIELD with a count. Every pick goes straight into the reply, so a huge negative count costs
// no memory beyond the reply itself; distinct picks keep at most `count` (< size) positions.
void reply_random_fields(CommandContext& ctx, const HashValue& hash, int64_t count_arg,
                         bool with_values) {
  bool distinct = count_arg >= 0;
  uint64_t count =
      distinct ? static_cast<uint64_t>(count_arg) : 0 - static_cast<uint64_t>(count_arg);
  uint64_t size = hash.size();
  if (distinct && count > size) count = size;
  bool pairs_nested = with_values && ctx.out.protocol() >= 3;
  auto n = static_cast<int64_t>(count);
  ctx.out.array(with_values && !pairs_nested ? n * 2 : n);
  char buf[24];
  auto emit = [&](size_t pos) {
    if (pairs_nested) ctx.out.array(2);
    ctx.out.bulk(hash.field_at(pos, buf));
    if (with_values) ctx.out.bulk(hash.value_at(pos, buf));
  };
  auto rng = [&ctx] { return ctx.keyspace().random(); };

  if (!distinct || count == 1) {
    HashValue::Picker picker(hash);
    for (uint64_t i = 0; i < count; ++i) emit(picker.pick(rng));
  } else if (count * 3 > size || hash.is_listpack()) {
    // Selection sampling: one pass, each field kept with probability needed / remaining.
    uint64_t remaining = size;
    for (size_t p = hash.first(); p != HashValue::kEnd && count > 0;
         p = hash.next(p), --remaining) {
      if (rng() % remaining >= count) continue;
      emit(p);
      --count;
    }
  } else {
    // Few picks from a big table: draw until enough distinct slots came up.
    HashValue::Picker picker(hash);
    std::unordered_set<size_t> seen;
    seen.reserve(count);
    while (seen.size() < count) {
      size_t p = picker.pick(rng);
      if (seen.insert(p).second) emit(p);
    }
  }
}

// HRANDFIELD key [count [WITHVALUES]]
void hrandfield(CommandContext& ctx) {
  if (ctx.argc() == 2) {
    HashValue* hash;
    if (!find_hash(ctx, ctx.arg(1), Access::kRead, &hash)) return;
    if (hash == nullptr) {
      ctx.out.null();
      return;
    }
    char buf[24];
    ctx.out.bulk(hash->field_at(
        HashValue::Picker(*hash).pick([&ctx] { return ctx.keyspace().random(); }), buf));
    return;
  }
  auto count = ctx.int_arg(2);
  if (!count) return;
  if (*count == std::numeric_limits<int64_t>::min()) {
    ctx.error(kCountOutOfRange);
    return;
  }
  bool with_values = ctx.argc() == 4;
  if (ctx.argc() > 4 || (with_values && !ctx.arg_is(3, "WITHVALUES"))) {
    ctx.error(errors::kSyntax);
    return;
  }
  constexpr int64_t kMaxPairs = std::numeric_limits<int64_t>::max() / 2;
  if (with_values && (*count < -kMaxPairs || *count > kMaxPairs)) {
    ctx.error("ERR value is out of range");
    return;
  }
  HashValue* hash;
  if (!find_hash(ctx, ctx.arg(1), Access::kRead, &hash)) return;
  if (hash == nullptr || *count == 0) {
    ctx.out.array(0);
    return;
  }
  reply_random_fields(ctx, *hash, *count, with_values);
}

// HSCAN key cursor [MATCH pattern] [COUNT count]
void hscan(CommandContext& ctx) {
  uint64_t cursor;
  if (!scan_args::parse_cursor(ctx.arg(2), &cursor)) {
    ctx.error("ERR invalid cursor");
    return;
  }
  HashValue* hash;
  if (!find_hash(ctx, ctx.arg(1), Access::kRead, &hash)) return;
  if (hash == nullptr) return scan_args::reply_empty(ctx);
  auto options = scan_args::parse_options(ctx, 3, /*allow_type=*/false);
  if (!options) return;
  char buf[24];
  std::vector<size_t> found = scan_args::collect(
      *hash, &cursor, *options, [&](size_t p) { return hash->field_at(p, buf); });

  ctx.out.array(2);
  ctx.out.bulk(std::to_string(cursor));
  ctx.out.array(static_cast<int64_t>(found.size() * 2));
  for (size_t p : found) {
    ctx.out.bulk(hash->field_at(p, buf));
    ctx.out.bulk(hash->value_at(p, buf));
  }
}

}  // namespace

void register_hash_commands(CommandTable& table) {
  constexpr uint64_t kRead = kAclRead | kAclHash;
  constexpr uint64_t kWrite = kAclWrite | kAclHash;
  constexpr uint32_t kSetFlags = kCmdWrite | kCmdDenyOom | kCmdFast;
  constexpr uint32_t kGetFlags = kCmdReadonly | kCmdFast;
  table.add({"hset", -4, kSetFlags, 1, 1, 1, kWrite, hset, "hash", "2.0.0",
             "Creates or modifies the value of a field in a hash.",
             "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the "
             "command is called with multiple field/value pairs."});
  table.add({"hsetnx", 4, kSetFlags, 1, 1, 1, kWrite, hsetnx, "hash", "2.0.0",
             "Sets the value of a field in a hash only when the field doesn't exist.", "O(1)"});
  table.add({"hget", 3, kGetFlags, 1, 1, 1, kRead, hget, "hash", "2.0.0",
             "Returns the value of a field in a hash.", "O(1)"});
  table.add({"hmset", -4, kSetFlags, 1, 1, 1, kWrite, hmset, "hash", "2.0.0",
             "Sets the values of multiple fields.",
             "O(N) where N is the number of fields being set."});
  table.add({"hmget", -3, kGetFlags, 1, 1, 1, kRead, hmget, "hash", "2.0.0",
             "Returns the values of all fields in a hash.",
             "O(N) where N is the number of fields being requested."});
  table.add({"hdel", -3, kCmdWrite | kCmdFast, 1, 1, 1, kWrite, hdel, "hash", "2.0.0",
             "Deletes one or more fields and their values from a hash. Deletes the hash if no "
             "fields remain.",
             "O(N) where N is the number of fields to be removed."});
  table.add({"hexists", 3, kGetFlags, 1, 1, 1, kRead, hexists, "hash", "2.0.0",
             "Determines whether a field exists in a hash.", "O(1)"});
  table.add({"hlen", 2, kGetFlags, 1, 1, 1, kRead, hlen, "hash", "2.0.0",
             "Returns the number of fields in a hash.", "O(1)"});
  table.add({"hkeys", 2, kCmdReadonly, 1, 1, 1, kRead, hkeys, "hash", "2.0.0",
             "Returns all fields in a hash.", "O(N) where N is the size of the hash."});
  table.add({"hvals", 2, kCmdReadonly, 1, 1, 1, kRead, hvals, "hash", "2.0.0",
             "Returns all values in a hash.", "O(N) where N is the size of the hash."});
  table.add({"hgetall", 2, kCmdReadonly, 1, 1, 1, kRead, hgetall, "hash", "2.0.0",
             "Returns all fields and values in a hash.", "O(N) where N is the size of the hash."});
  table.add({"hincrby", 4, kSetFlags, 1, 1, 1, kWrite, hincrby, "hash", "2.0.0",
             "Increments the integer value of a field in a hash by a number. Uses 0 as initial "
             "value if the field doesn't exist.",
             "O(1)"});
  table.add({"hincrbyfloat", 4, kSetFlags, 1, 1, 1, kWrite, hincrbyfloat, "hash", "2.6.0",
             "Increments the floating point value of a field by a number. Uses 0 as initial value "
             "if the field doesn't exist.",
             "O(1)"});
  table.add({"hstrlen", 3, kGetFlags, 1, 1, 1, kRead, hstrlen, "hash", "3.2.0",
             "Returns the length of the value of a field.", "O(1)"});
  table.add({"hrandfield", -2, kCmdReadonly, 1, 1, 1, kRead, hrandfield, "hash", "6.2.0",
             "Returns one or more random fields from a hash.",
             "O(N) where N is the number of fields returned"});
  table.add({"hscan", -3, kCmdReadonly, 1, 1, 1, kRead, hscan, "hash", "2.8.0",
             "Iterates over fields and values of a hash.",
             "O(1) for every call. O(N) for a complete iteration, including enough command calls "
             "for the cursor to return back to 0. N is the number of elements inside the "
             "collection."});
}

}  // namespace stashd
