// Owns: the string family: GET SET SETNX SETEX PSETEX GETSET GETDEL GETEX MGET MSET MSETNX and the
// counters INCR DECR INCRBY DECRBY INCRBYFLOAT, with Redis 7 replies (SET's IFEQ as Valkey 8.1).
// APPEND STRLEN GETRANGE SETRANGE SUBSTR LCS live in string_edit_cmds.cpp. Must not touch: other
// families, the keyspace's internals (only Db's public API). Thread: the event loop.
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "commands/string_access.h"
#include "stashd/command/context.h"
#include "stashd/commands/registry.h"
#include "stashd/common/strings.h"

namespace stashd {

namespace {

using string_access::check_stored;
using string_access::reject_non_string;

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();

enum class ExpireUnit : uint8_t { kNone, kEx, kPx, kExat, kPxat };

struct ExpireArg {
  ExpireUnit unit = ExpireUnit::kNone;
  size_t arg = 0;  // argv index of the time
};

ExpireUnit expire_unit(std::string_view word) {
  if (iequals(word, "EX")) return ExpireUnit::kEx;
  if (iequals(word, "PX")) return ExpireUnit::kPx;
  if (iequals(word, "EXAT")) return ExpireUnit::kExat;
  if (iequals(word, "PXAT")) return ExpireUnit::kPxat;
  return ExpireUnit::kNone;
}

// Redis lets an expire option repeat itself (the last time wins) but not mix with another unit.
bool take_expire(ExpireArg* expire, ExpireUnit unit, size_t arg) {
  if (expire->unit != ExpireUnit::kNone && expire->unit != unit) return false;
  expire->unit = unit;
  expire->arg = arg;
  return true;
}

// Converts the time at argv[arg] into an absolute deadline in ms. Replies and returns nullopt when
// it is not an integer, not positive, or the deadline would overflow.
std::optional<int64_t> deadline_ms(CommandContext& ctx, ExpireUnit unit, size_t arg) {
  std::optional<int64_t> value = ctx.int_arg(arg);
  if (!value) return std::nullopt;
  int64_t ms = *value;
  const bool seconds = unit == ExpireUnit::kEx || unit == ExpireUnit::kExat;
  const bool relative = unit == ExpireUnit::kEx || unit == ExpireUnit::kPx;
  bool valid = ms > 0 && (!seconds || ms <= kInt64Max / 1000);
  if (valid && seconds) ms *= 1000;
  if (valid && relative) {
    valid = ms <= kInt64Max - ctx.now_ms();
    if (valid) ms += ctx.now_ms();
  }
  if (!valid) {
    ctx.error("ERR invalid expire time in '" + ctx.command.full_name + "' command");
    return std::nullopt;
  }
  return ms;
}

enum class SetCondition : uint8_t { kAlways, kNx, kXx, kIfEq };

struct SetOptions {
  SetCondition condition = SetCondition::kAlways;
  std::string_view expected;  // IFEQ's comparison value
  bool get = false;
  bool keep_ttl = false;
  ExpireArg expire;
};

// Like the expire units, a condition may repeat itself but not follow a different one.
bool take_condition(SetOptions* o, SetCondition c) {
  if (o->condition != SetCondition::kAlways && o->condition != c) return false;
  o->condition = c;
  return true;
}

std::optional<SetOptions> parse_set_options(CommandContext& ctx) {
  SetOptions o;
  for (size_t i = 3; i < ctx.argc(); ++i) {
    const bool has_value = i + 1 < ctx.argc();
    const ExpireUnit unit = expire_unit(ctx.arg(i));
    bool ok = true;
    if (ctx.arg_is(i, "NX")) {
      ok = take_condition(&o, SetCondition::kNx);
    } else if (ctx.arg_is(i, "XX")) {
      ok = take_condition(&o, SetCondition::kXx);
    } else if (ctx.arg_is(i, "IFEQ") && has_value) {
      ok = take_condition(&o, SetCondition::kIfEq);
      o.expected = ctx.arg(++i);
    } else if (ctx.arg_is(i, "GET")) {
      o.get = true;
    } else if (ctx.arg_is(i, "KEEPTTL")) {
      ok = o.expire.unit == ExpireUnit::kNone;
      o.keep_ttl = true;
    } else if (unit != ExpireUnit::kNone && has_value) {
      ok = !o.keep_ttl && take_expire(&o.expire, unit, i + 1);
      ++i;
    } else {
      ok = false;
    }
    if (!ok) {
      ctx.error(errors::kSyntax);
      return std::nullopt;
    }
  }
  return o;
}

bool condition_holds(Db& db, EntryIndex e, const SetOptions& o) {
  switch (o.condition) {
    case SetCondition::kNx:
      return e == kNoEntry;
    case SetCondition::kXx:
      return e != kNoEntry;
    case SetCondition::kIfEq: {
      if (e == kNoEntry) return false;
      char buf[24];
      return db.string_value(e, buf) == o.expected;
    }
    default:
      return true;
  }
}

// Propagates `key` getting `deadline` (an absolute time, or one already past: a deletion).
void propagate_deadline(CommandContext& ctx, std::string_view key, int64_t deadline) {
  if (deadline <= ctx.now_ms()) {
    ctx.propagate_as({"DEL", key});
  } else {
    ctx.propagate_as({"PEXPIREAT", key}).add(deadline);
  }
}

// Stores `value` with an optional deadline; a deadline already past deletes the key instead.
bool store_with_deadline(CommandContext& ctx, std::string_view key, std::string_view value,
                         bool keep_ttl, std::optional<int64_t> deadline) {
  Db& db = ctx.db();
  if (deadline && *deadline <= ctx.now_ms()) {
    db.erase(key);
    ctx.propagate_as({"DEL", key});
    return true;
  }
  // Keeping the old deadline while storing lets set_expire update it in place.
  EntryIndex e = db.set_string(key, value, keep_ttl || deadline.has_value());
  if (e != kNoEntry && deadline) e = db.set_expire(e, *deadline);
  // Replicas get the store unconditionally (the condition held here) with an absolute deadline;
  // a plain SET goes as it came.
  if (deadline) {
    ctx.propagate_as({"SET", key, value, "PXAT"}).add(*deadline);
  } else if (keep_ttl) {
    ctx.propagate_as({"SET", key, value, "KEEPTTL"});
  } else if (ctx.argc() != 3 || !ctx.arg_is(0, "SET")) {
    ctx.propagate_as({"SET", key, value});
  }
  return check_stored(ctx, e);
}

// The shared body of SET, SETEX, PSETEX and GETSET, run after their arguments are validated.
void set_generic(CommandContext& ctx, std::string_view key, std::string_view value,
                 const SetOptions& o, std::optional<int64_t> deadline) {
  Db& db = ctx.db();
  EntryIndex e = db.lookup_write(key);
  if ((o.get || o.condition == SetCondition::kIfEq) && reject_non_string(ctx, e)) return;
  std::optional<std::string> old;  // GET's reply, copied before the store replaces it
  if (o.get && e != kNoEntry) {
    char buf[24];
    old.emplace(db.string_value(e, buf));
  }
  const bool applies = condition_holds(db, e, o);
  if (applies) {
    if (!store_with_deadline(ctx, key, value, o.keep_ttl, deadline)) return;
    ctx.key_changed(key);
  }
  if (o.get && old) {
    ctx.out.bulk(*old);
  } else if (o.get || !applies) {
    ctx.out.null();
  } else {
    ctx.out.ok();
  }
}

void get(CommandContext& ctx) {
  Db& db = ctx.db();
  EntryIndex e = db.lookup_read(ctx.arg(1));
  if (e == kNoEntry) {
    ctx.out.null();
    return;
  }
  if (reject_non_string(ctx, e)) return;
  char buf[24];
  ctx.out.bulk(db.string_value(e, buf));
}

void set(CommandContext& ctx) {
  std::optional<SetOptions> o = parse_set_options(ctx);
  if (!o) return;
  std::optional<int64_t> deadline;
  if (o->expire.unit != ExpireUnit::kNone) {
    deadline = deadline_ms(ctx, o->expire.unit, o->expire.arg);
    if (!deadline) return;
  }
  set_generic(ctx, ctx.arg(1), ctx.arg(2), *o, deadline);
}

void setnx(CommandContext& ctx) {
  Db& db = ctx.db();
  if (db.lookup_write(ctx.arg(1)) != kNoEntry) {
    ctx.out.integer(0);
    return;
  }
  if (!check_stored(ctx, db.set_string(ctx.arg(1), ctx.arg(2)))) return;
  ctx.key_changed(ctx.arg(1));
  ctx.out.integer(1);
}

void setex_generic(CommandContext& ctx, ExpireUnit unit) {
  std::optional<int64_t> deadline = deadline_ms(ctx, unit, 2);
  if (!deadline) return;
  set_generic(ctx, ctx.arg(1), ctx.arg(3), SetOptions{}, deadline);
}

void setex(CommandContext& ctx) { setex_generic(ctx, ExpireUnit::kEx); }
void psetex(CommandContext& ctx) { setex_generic(ctx, ExpireUnit::kPx); }

void getset(CommandContext& ctx) {
  SetOptions o;
  o.get = true;
  set_generic(ctx, ctx.arg(1), ctx.arg(2), o, std::nullopt);
}

void getdel(CommandContext& ctx) {
  Db& db = ctx.db();
  EntryIndex e = db.lookup_read(ctx.arg(1));
  if (e == kNoEntry) {
    ctx.out.null();
    return;
  }
  if (reject_non_string(ctx, e)) return;
  char buf[24];
  ctx.out.bulk(db.string_value(e, buf));
  db.erase(ctx.arg(1));
  ctx.key_changed(ctx.arg(1));
  ctx.propagate_as({"DEL", ctx.arg(1)});
}

struct GetexOptions {
  ExpireArg expire;
  bool persist = false;
};

std::optional<GetexOptions> parse_getex_options(CommandContext& ctx) {
  GetexOptions o;
  for (size_t i = 2; i < ctx.argc(); ++i) {
    const ExpireUnit unit = expire_unit(ctx.arg(i));
    bool ok = true;
    if (ctx.arg_is(i, "PERSIST")) {
      ok = o.expire.unit == ExpireUnit::kNone;
      o.persist = true;
    } else if (unit != ExpireUnit::kNone && i + 1 < ctx.argc()) {
      ok = !o.persist && take_expire(&o.expire, unit, i + 1);
      ++i;
    } else {
      ok = false;
    }
    if (!ok) {
      ctx.error(errors::kSyntax);
      return std::nullopt;
    }
  }
  return o;
}

void getex(CommandContext& ctx) {
  std::optional<GetexOptions> o = parse_getex_options(ctx);
  if (!o) return;
  Db& db = ctx.db();
  std::string_view key = ctx.arg(1);
  EntryIndex e = db.lookup_read(key);
  if (e == kNoEntry) {
    ctx.out.null();
    return;
  }
  if (reject_non_string(ctx, e)) return;
  char buf[24];
  if (o->expire.unit != ExpireUnit::kNone) {
    std::optional<int64_t> deadline = deadline_ms(ctx, o->expire.unit, o->expire.arg);
    if (!deadline) return;
    propagate_deadline(ctx, key, *deadline);
    if (*deadline <= ctx.now_ms()) {  // EXAT/PXAT in the past: reply, then delete
      ctx.out.bulk(db.string_value(e, buf));
      db.erase(key);
      ctx.key_changed(key);
      return;
    }
    e = db.set_expire(e, *deadline);
    if (!check_stored(ctx, e)) return;
    ctx.key_changed(key);
  } else if (o->persist && db.view(e).has_ttl()) {
    e = db.persist(e);
    if (!check_stored(ctx, e)) return;
    ctx.key_changed(key);
    ctx.propagate_as({"PERSIST", key});
  }
  ctx.out.bulk(db.string_value(e, buf));
}

void mget(CommandContext& ctx) {
  Db& db = ctx.db();
  ctx.out.array(static_cast<int64_t>(ctx.argc() - 1));
  for (size_t i = 1; i < ctx.argc(); ++i) {
    EntryIndex e = db.lookup_read(ctx.arg(i));
    if (e == kNoEntry || db.view(e).type() != ValueType::kString) {
      ctx.out.null();
      continue;
    }
    char buf[24];
    ctx.out.bulk(db.string_value(e, buf));
  }
}

// MSET and MSETNX take key/value pairs: an unpaired key is an arity error, as Redis reports it.
bool check_pairs(CommandContext& ctx) {
  if (ctx.argc() % 2 == 1) return true;
  ctx.error("ERR wrong number of arguments for '" + ctx.command.full_name + "' command");
  return false;
}

bool store_pairs(CommandContext& ctx) {
  for (size_t i = 1; i + 1 < ctx.argc(); i += 2) {
    if (!check_stored(ctx, ctx.db().set_string(ctx.arg(i), ctx.arg(i + 1)))) return false;
    ctx.key_changed(ctx.arg(i));
  }
  return true;
}

void mset(CommandContext& ctx) {
  if (check_pairs(ctx) && store_pairs(ctx)) ctx.out.ok();
}

void msetnx(CommandContext& ctx) {
  if (!check_pairs(ctx)) return;
  for (size_t i = 1; i < ctx.argc(); i += 2) {
    if (ctx.db().lookup_write(ctx.arg(i)) != kNoEntry) {
      ctx.out.integer(0);
      return;
    }
  }
  if (store_pairs(ctx)) ctx.out.integer(1);
}

bool entry_as_i64(Db& db, EntryIndex e, int64_t* out) {
  entry::View v = db.view(e);
  if (v.encoding() == Encoding::kInt) {
    *out = v.int_value();
    return true;
  }
  char buf[24];
  return parse_i64(db.string_value(e, buf), out);
}

void incr_by(CommandContext& ctx, int64_t delta) {
  Db& db = ctx.db();
  std::string_view key = ctx.arg(1);
  EntryIndex e = db.lookup_write(key);
  if (reject_non_string(ctx, e)) return;
  int64_t value = 0;
  if (e != kNoEntry && !entry_as_i64(db, e, &value)) {
    ctx.error(errors::kNotInteger);
    return;
  }
  if ((delta > 0 && value > kInt64Max - delta) || (delta < 0 && value < kInt64Min - delta)) {
    ctx.error(errors::kOverflow);
    return;
  }
  value += delta;
  // An int-encoded entry keeps its size class, so the store overwrites it in place.
  if (!check_stored(ctx, db.set_int(key, value, /*keep_ttl=*/true))) return;
  ctx.key_changed(key);
  ctx.out.integer(value);
}

void incr(CommandContext& ctx) { incr_by(ctx, 1); }
void decr(CommandContext& ctx) { incr_by(ctx, -1); }

void incrby(CommandContext& ctx) {
  if (std::optional<int64_t> delta = ctx.int_arg(2)) incr_by(ctx, *delta);
}

void decrby(CommandContext& ctx) {
  std::optional<int64_t> delta = ctx.int_arg(2);
  if (!delta) return;
  if (*delta == kInt64Min) {
    ctx.error("ERR decrement would overflow");
    return;
  }
  incr_by(ctx, -*delta);
}

bool entry_as_long_double(Db& db, EntryIndex e, long double* out) {
  entry::View v = db.view(e);
  if (v.encoding() == Encoding::kInt) {
    *out = static_cast<long double>(v.int_value());
    return true;
  }
  char buf[24];
  return parse_long_double(db.string_value(e, buf), out);
}

void incrbyfloat(CommandContext& ctx) {
  Db& db = ctx.db();
  std::string_view key = ctx.arg(1);
  EntryIndex e = db.lookup_write(key);
  if (reject_non_string(ctx, e)) return;
  long double value = 0;
  if (e != kNoEntry && !entry_as_long_double(db, e, &value)) {
    ctx.error(errors::kNotFloat);
    return;
  }
  std::optional<long double> incr = ctx.float_arg(2);
  if (!incr) return;
  value += *incr;
  if (std::isnan(value) || std::isinf(value)) {
    ctx.error("ERR increment would produce NaN or Infinity");
    return;
  }
  const std::string formatted = format_long_double(value);
  if (!check_stored(ctx, db.set_string(key, formatted, /*keep_ttl=*/true))) return;
  ctx.key_changed(key);
  // The result, not the increment: float arithmetic need not round the same way elsewhere.
  ctx.propagate_as({"SET", key, formatted, "KEEPTTL"});
  ctx.out.bulk(formatted);
}

void register_get_set(CommandTable& table) {
  constexpr uint64_t kRead = kAclRead | kAclString;
  constexpr uint64_t kWrite = kAclWrite | kAclString;
  constexpr uint32_t kStore = kCmdWrite | kCmdDenyOom;
  table.add({"get", 2, kCmdReadonly | kCmdFast, 1, 1, 1, kRead, get, "string", "1.0.0",
             "Returns the string value of a key.", "O(1)"});
  table.add({"set", -3, kStore, 1, 1, 1, kWrite, set, "string", "1.0.0",
             "Sets the string value of a key, ignoring its type. The key is created if it doesn't "
             "exist.",
             "O(1)"});
  table.add({"setnx", 3, kStore | kCmdFast, 1, 1, 1, kWrite, setnx, "string", "1.0.0",
             "Set the string value of a key only when the key doesn't exist.", "O(1)"});
  table.add({"setex", 4, kStore, 1, 1, 1, kWrite, setex, "string", "2.0.0",
             "Sets the string value and expiration time of a key. Creates the key if it doesn't "
             "exist.",
             "O(1)"});
  table.add({"psetex", 4, kStore, 1, 1, 1, kWrite, psetex, "string", "2.6.0",
             "Sets both string value and expiration time in milliseconds of a key. The key is "
             "created if it doesn't exist.",
             "O(1)"});
  table.add({"getset", 3, kStore | kCmdFast, 1, 1, 1, kWrite, getset, "string", "1.0.0",
             "Returns the previous string value of a key after setting it to a new value.",
             "O(1)"});
  table.add({"getdel", 2, kCmdWrite | kCmdFast, 1, 1, 1, kWrite, getdel, "string", "6.2.0",
             "Returns the string value of a key after deleting the key.", "O(1)"});
  table.add({"getex", -2, kCmdWrite | kCmdFast, 1, 1, 1, kWrite, getex, "string", "6.2.0",
             "Returns the string value of a key after setting its expiration time.", "O(1)"});
  table.add({"mget", -2, kCmdReadonly | kCmdFast, 1, -1, 1, kRead, mget, "string", "1.0.0",
             "Atomically returns the string values of one or more keys.",
             "O(N) where N is the number of keys to retrieve."});
  table.add({"mset", -3, kStore, 1, -1, 2, kWrite, mset, "string", "1.0.1",
             "Atomically creates or modifies the string values of one or more keys.",
             "O(N) where N is the number of keys to set."});
  table.add({"msetnx", -3, kStore, 1, -1, 2, kWrite, msetnx, "string", "1.0.1",
             "Atomically modifies the string values of one or more keys only when all keys don't "
             "exist.",
             "O(N) where N is the number of keys to set."});
}

void register_counters(CommandTable& table) {
  constexpr uint64_t kWrite = kAclWrite | kAclString;
  constexpr uint32_t kFlags = kCmdWrite | kCmdDenyOom | kCmdFast;
  table.add({"incr", 2, kFlags, 1, 1, 1, kWrite, incr, "string", "1.0.0",
             "Increments the integer value of a key by one. Uses 0 as initial value if the key "
             "doesn't exist.",
             "O(1)"});
  table.add({"decr", 2, kFlags, 1, 1, 1, kWrite, decr, "string", "1.0.0",
             "Decrements the integer value of a key by one. Uses 0 as initial value if the key "
             "doesn't exist.",
             "O(1)"});
  table.add({"incrby", 3, kFlags, 1, 1, 1, kWrite, incrby, "string", "1.0.0",
             "Increments the integer value of a key by a number. Uses 0 as initial value if the "
             "key doesn't exist.",
             "O(1)"});
  table.add({"decrby", 3, kFlags, 1, 1, 1, kWrite, decrby, "string", "1.0.0",
             "Decrements a number from the integer value of a key. Uses 0 as initial value if the "
             "key doesn't exist.",
             "O(1)"});
  table.add({"incrbyfloat", 3, kFlags, 1, 1, 1, kWrite, incrbyfloat, "string", "2.6.0",
             "Increment the floating point value of a key by a number. Uses 0 as initial value if "
             "the key doesn't exist.",
             "O(1)"});
}

}  // namespace

void register_string_commands(CommandTable& table) {
  register_get_set(table);
  register_counters(table);
  register_string_edit_commands(table);
}

}  // namespace stashd
