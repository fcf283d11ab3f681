// Owns: the key family's expiry commands: EXPIRE PEXPIRE EXPIREAT PEXPIREAT (NX XX GT LT), TTL PTTL
// EXPIRETIME PEXPIRETIME, PERSIST. Registered from register_key_commands.
// Must not touch: the TTL heap directly (deadlines go through Db), sockets. Thread: the event loop.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "commands/key_cmds.h"
#include "stashd/command/context.h"

namespace stashd {

namespace {

enum ExpireCondition : unsigned {
  kOnlyWithoutTtl = 1u << 0,  // NX
  kOnlyWithTtl = 1u << 1,     // XX
  kOnlyLater = 1u << 2,       // GT
  kOnlyEarlier = 1u << 3,     // LT
};

// Reads NX/XX/GT/LT from argv[3...]; replies with Redis's error and returns nullopt when an option
// is unknown or the combination is contradictory.
std::optional<unsigned> parse_conditions(CommandContext& ctx) {
  unsigned conditions = 0;
  for (size_t i = 3; i < ctx.argc(); ++i) {
    if (ctx.arg_is(i, "NX")) {
      conditions |= kOnlyWithoutTtl;
    } else if (ctx.arg_is(i, "XX")) {
      conditions |= kOnlyWithTtl;
    } else if (ctx.arg_is(i, "GT")) {
      conditions |= kOnlyLater;
    } else if (ctx.arg_is(i, "LT")) {
      conditions |= kOnlyEarlier;
    } else {
      std::string message("ERR Unsupported option ");
      message.append(ctx.arg(i));
      ctx.error(message);
      return std::nullopt;
    }
  }
  if ((conditions & kOnlyWithoutTtl) && conditions != kOnlyWithoutTtl) {
    ctx.error("ERR NX and XX, GT or LT options at the same time are not compatible");
    return std::nullopt;
  }
  if ((conditions & kOnlyLater) && (conditions & kOnlyEarlier)) {
    ctx.error("ERR GT and LT options at the same time are not compatible");
    return std::nullopt;
  }
  return conditions;
}

void reply_invalid_expire(CommandContext& ctx) {
  std::string_view format = errors::kInvalidExpire;
  size_t name_at = format.find("%s");
  std::string message(format.substr(0, name_at));
  message.append(ctx.command.full_name).append(format.substr(name_at + 2));
  ctx.error(message);
}

// Whether a key whose deadline is `current` (-1 = none) may take `deadline` under `conditions`.
// A key without a deadline counts as expiring never: later than anything (GT fails, LT passes).
bool conditions_allow(unsigned conditions, int64_t current, int64_t deadline) {
  if ((conditions & kOnlyWithoutTtl) && current != -1) return false;
  if ((conditions & kOnlyWithTtl) && current == -1) return false;
  if ((conditions & kOnlyLater) && (current == -1 || deadline <= current)) return false;
  if ((conditions & kOnlyEarlier) && current != -1 && deadline >= current) return false;
  return true;
}

// The four EXPIRE variants: argv[2] counts `unit_ms` milliseconds from `base_ms`.
void expire_generic(CommandContext& ctx, int64_t base_ms, int64_t unit_ms) {
  auto conditions = parse_conditions(ctx);
  if (!conditions) return;
  auto amount = ctx.int_arg(2);
  if (!amount) return;
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  if (*amount > kMax / unit_ms || *amount < kMin / unit_ms || *amount * unit_ms > kMax - base_ms) {
    reply_invalid_expire(ctx);
    return;
  }
  int64_t deadline = *amount * unit_ms + base_ms;

  Db& db = ctx.db();
  std::string_view key = ctx.arg(1);
  EntryIndex e = db.lookup_write(key);
  if (e == kNoEntry || !conditions_allow(*conditions, db.expire_time(e), deadline)) {
    ctx.out.integer(0);
    return;
  }
  if (deadline <= ctx.now_ms()) {
    // A deadline already passed deletes the key now (Redis replicates this as a DEL).
    db.erase(key);
    ctx.propagate_as({"DEL", key});
  } else if (db.set_expire(e, deadline) == kNoEntry) {
    ctx.error(errors::kOutOfMemory);
    return;
  } else {
    // Absolute, so a later replay does not extend it; the conditions held here.
    ctx.propagate_as({"PEXPIREAT", key}).add(deadline);
  }
  ctx.key_changed(key);
  ctx.out.integer(1);
}

void expire(CommandContext& ctx) { expire_generic(ctx, ctx.now_ms(), 1000); }
void pexpire(CommandContext& ctx) { expire_generic(ctx, ctx.now_ms(), 1); }
void expireat(CommandContext& ctx) { expire_generic(ctx, 0, 1000); }
void pexpireat(CommandContext& ctx) { expire_generic(ctx, 0, 1); }

// TTL and friends: -2 for a missing key, -1 for no deadline; seconds are rounded to nearest.
void ttl_generic(CommandContext& ctx, bool milliseconds, bool absolute) {
  EntryIndex e = lookup_read_no_touch(ctx, ctx.arg(1));
  if (e == kNoEntry) {
    ctx.out.integer(-2);
    return;
  }
  int64_t deadline = ctx.db().expire_time(e);
  if (deadline == -1) {
    ctx.out.integer(-1);
    return;
  }
  int64_t value = absolute ? deadline : deadline - ctx.now_ms();
  if (value < 0) value = 0;
  ctx.out.integer(milliseconds ? value : (value + 500) / 1000);
}

void ttl(CommandContext& ctx) { ttl_generic(ctx, false, false); }
void pttl(CommandContext& ctx) { ttl_generic(ctx, true, false); }
void expiretime(CommandContext& ctx) { ttl_generic(ctx, false, true); }
void pexpiretime(CommandContext& ctx) { ttl_generic(ctx, true, true); }

void persist(CommandContext& ctx) {
  Db& db = ctx.db();
  EntryIndex e = db.lookup_write(ctx.arg(1));
  if (e == kNoEntry || db.expire_time(e) == -1) {
    ctx.out.integer(0);
    return;
  }
  if (db.persist(e) == kNoEntry) {
    ctx.error(errors::kOutOfMemory);
    return;
  }
  ctx.key_changed(ctx.arg(1));
  ctx.out.integer(1);
}

}  // namespace

void register_expire_commands(CommandTable& table) {
  constexpr uint32_t kSet = kCmdWrite | kCmdFast;
  constexpr uint32_t kGet = kCmdReadonly | kCmdFast;
  constexpr uint64_t kRead = kAclKeyspace | kAclRead;
  constexpr uint64_t kWrite = kAclKeyspace | kAclWrite;
  table.add({"expire", -3, kSet, 1, 1, 1, kWrite, expire, "generic", "1.0.0",
             "Sets the expiration time of a key in seconds.", "O(1)"});
  table.add({"pexpire", -3, kSet, 1, 1, 1, kWrite, pexpire, "generic", "2.6.0",
             "Sets the expiration time of a key in milliseconds.", "O(1)"});
  table.add({"expireat", -3, kSet, 1, 1, 1, kWrite, expireat, "generic", "1.2.0",
             "Sets the expiration time of a key to a Unix timestamp.", "O(1)"});
  table.add({"pexpireat", -3, kSet, 1, 1, 1, kWrite, pexpireat, "generic", "2.6.0",
             "Sets the expiration time of a key to a Unix milliseconds timestamp.", "O(1)"});
  table.add({"ttl", 2, kGet, 1, 1, 1, kRead, ttl, "generic", "1.0.0",
             "Returns the expiration time in seconds of a key.", "O(1)"});
  table.add({"pttl", 2, kGet, 1, 1, 1, kRead, pttl, "generic", "2.6.0",
             "Returns the expiration time in milliseconds of a key.", "O(1)"});
  table.add({"expiretime", 2, kGet, 1, 1, 1, kRead, expiretime, "generic", "7.0.0",
             "Returns the expiration time of a key as a Unix timestamp.", "O(1)"});
  table.add({"pexpiretime", 2, kGet, 1, 1, 1, kRead, pexpiretime, "generic", "7.0.0",
             "Returns the expiration time of a key as a Unix milliseconds timestamp.", "O(1)"});
  table.add({"persist", 2, kSet, 1, 1, 1, kWrite, persist, "generic", "2.2.0",
             "Removes the expiration time of a key.", "O(1)"});
}

}  // namespace stashd
