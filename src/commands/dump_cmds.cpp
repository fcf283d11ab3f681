// Owns: DUMP and RESTORE (Redis 7 semantics and replies) over persist's payload format.
// Must not touch: the payload layout (persist/dump_payload.h), sockets. Thread: the event loop.
#include <algorithm>
#include <cstdint>
#include <optional>

#include "stashd/command/context.h"
#include "stashd/commands/registry.h"
#include "stashd/keyspace/eviction_policy.h"
#include "stashd/keyspace/lfu.h"
#include "stashd/persist/dump_payload.h"
#include "stashd/persist/value_codec.h"

namespace stashd {

namespace {

constexpr uint32_t kMaxLruClock = 0xFFFFFF;

void dump(CommandContext& ctx) {
  Db& db = ctx.db();
  EntryIndex e = db.lookup_read(ctx.arg(1));
  if (e == kNoEntry) {
    ctx.out.null();
    return;
  }
  ctx.out.bulk(persist::make_dump_payload(db, e, ctx.node.config().rdbcompression));
}

struct RestoreOptions {
  bool replace = false;
  bool absttl = false;
  int64_t idle_seconds = -1;  // IDLETIME, -1 = not given
  int64_t frequency = -1;     // FREQ, -1 = not given
};

// Parses the options after the payload; replies the error and returns nullopt on failure.
// IDLETIME and FREQ exclude each other (the second is a syntax error), as in Redis.
std::optional<RestoreOptions> parse_restore_options(CommandContext& ctx) {
  RestoreOptions o;
  for (size_t i = 4; i < ctx.argc(); ++i) {
    const bool has_value = i + 1 < ctx.argc();
    if (ctx.arg_is(i, "REPLACE")) {
      o.replace = true;
    } else if (ctx.arg_is(i, "ABSTTL")) {
      o.absttl = true;
    } else if (ctx.arg_is(i, "IDLETIME") && has_value && o.frequency == -1) {
      std::optional<int64_t> idle = ctx.int_arg(++i);
      if (!idle) return std::nullopt;
      if (*idle < 0) {
        ctx.error("ERR Invalid IDLETIME value, must be >= 0");
        return std::nullopt;
      }
      o.idle_seconds = *idle;
    } else if (ctx.arg_is(i, "FREQ") && has_value && o.idle_seconds == -1) {
      std::optional<int64_t> freq = ctx.int_arg(++i);
      if (!freq) return std::nullopt;
      if (*freq < 0 || *freq > 255) {
        ctx.error("ERR Invalid FREQ value, must be >= 0 and <= 255");
        return std::nullopt;
      }
      o.frequency = *freq;
    } else {
      ctx.error(errors::kSyntax);
      return std::nullopt;
    }
  }
  return o;
}

// IDLETIME sets the LRU clock and FREQ the LFU counter, each only under a policy that reads it.
void set_access(CommandContext& ctx, EntryIndex e, const RestoreOptions& o) {
  Keyspace& keyspace = ctx.keyspace();
  entry::View v = ctx.db().view(e);
  if (tracks_lfu(keyspace.eviction().policy)) {
    if (o.frequency >= 0) {
      v.set_lru_clock(
          lfu::pack(lfu::minutes_clock(keyspace.now_ms()), static_cast<uint32_t>(o.frequency)));
    }
  } else if (o.idle_seconds >= 0) {
    uint32_t idle = static_cast<uint32_t>(std::min<int64_t>(o.idle_seconds, kMaxLruClock));
    v.set_lru_clock((keyspace.lru_clock() - idle) & kMaxLruClock);
  }
}

// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]
void restore(CommandContext& ctx) {
  std::optional<RestoreOptions> o = parse_restore_options(ctx);
  if (!o) return;
  Db& db = ctx.db();
  std::string_view key = ctx.arg(1);
  if (!o->replace && db.lookup_write(key) != kNoEntry) {
    ctx.error("BUSYKEY Target key name already exists.");
    return;
  }
  std::optional<int64_t> ttl = ctx.int_arg(2);
  if (!ttl) return;
  if (*ttl < 0) {
    ctx.error("ERR Invalid TTL value, must be >= 0");
    return;
  }
  DetachedValue value;
  Status parsed = persist::parse_dump_payload(ctx.arg(3), ctx.node.config(), &value);
  if (!parsed) {
    ctx.error(parsed.message());
    return;
  }
  int64_t deadline = -1;  // ttl 0: no expiry
  if (*ttl > 0) {
    if (!o->absttl && *ttl > INT64_MAX - ctx.now_ms()) {
      ctx.error("ERR invalid expire time in 'restore' command");
      return;
    }
    deadline = o->absttl ? *ttl : ctx.now_ms() + *ttl;
  }
  if (deadline >= 0 && deadline <= ctx.now_ms()) {
    // Already expired: the key ends up absent (a replaced key is deleted), and the reply is OK.
    if (o->replace && db.erase(key, ctx.keyspace().eviction().lazy_server_del)) {
      ctx.key_changed(key);
      ctx.propagate_as({"DEL", key});
    }
    ctx.out.ok();
    return;
  }
  if (deadline >= 0 && !o->absttl && ctx.propagating()) {
    // A relative TTL would restart on replay: propagate the deadline itself.
    const std::string at = std::to_string(deadline);
    ArgvBuilder b = ctx.propagate_as({"RESTORE", key, at, ctx.arg(3), "ABSTTL"});
    if (o->replace) b.add("REPLACE");
  }
  value.expire_ms = deadline;
  EntryIndex e = persist::put_value(db, key, std::move(value));
  if (e == kNoEntry) {
    ctx.error(errors::kOutOfMemory);
    return;
  }
  set_access(ctx, e, *o);
  ctx.key_changed(key);
  ctx.out.ok();
}

}  // namespace

void register_dump_commands(CommandTable& table) {
  table.add({"dump", 2, kCmdReadonly, 1, 1, 1, kAclKeyspace | kAclRead | kAclDangerous, dump,
             "generic", "2.6.0",
             "Returns a serialized representation of the value stored at a key.",
             "O(1) to access the key and additional O(N*M) to serialize it, where N is the number "
             "of Redis objects composing the value and M their average size. For small string "
             "values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1)."});
  table.add({"restore", -4, kCmdWrite | kCmdDenyOom, 1, 1, 1,
             kAclKeyspace | kAclWrite | kAclDangerous, restore, "generic", "2.6.0",
             "Creates a key from the serialized representation of a value.",
             "O(1) to create the new key and additional O(N*M) to reconstruct the serialized "
             "value, where N is the number of Redis objects composing the value and M their "
             "average size. For small string values the time complexity is thus O(1)+O(1*M) where "
             "M is small, so simply O(1). However for sorted set values the complexity is "
             "O(N*M*log(N)) because inserting values into sorted sets is O(log(N))."});
}

}  // namespace stashd
