// Owns: DEBUG SLEEP SET-ACTIVE-EXPIRE OBJECT DIGEST DIGEST-VALUE HELP. DEBUG is one row that reads
// its own subcommand, as in Redis (its subcommands are not in the command table).
// Must not touch: sockets, the keyspace beyond reading it. Thread: the event loop (SLEEP blocks
// it on purpose).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <thread>

#include "commands/dataset_digest.h"
#include "commands/server_family.h"
#include "stashd/command/context.h"
#include "stashd/common/strings.h"

namespace stashd {

namespace {

constexpr size_t kEmbstrLimit = 44;  // Redis's embstr/raw boundary (as OBJECT ENCODING reports)
constexpr double kMaxSleepSeconds = 1e9;

// RDB length prefix: 1, 2, 5 or 9 bytes.
size_t rdb_length_size(size_t n) {
  if (n < 64) return 1;
  if (n < 16384) return 2;
  return n <= UINT32_MAX ? 5 : 9;
}

// Bytes a string takes in an RDB file: integers of up to 32 bits in 2, 3 or 5 bytes, anything
// else as length + bytes. Redis also LZF-compresses strings over 20 bytes; stashd does not model
// that, so for compressible values it reports more than Redis.
size_t serialized_length(std::string_view s) {
  int64_t v;
  if (s.size() <= 11 && parse_i64(s, &v)) {
    if (v >= INT8_MIN && v <= INT8_MAX) return 2;
    if (v >= INT16_MIN && v <= INT16_MAX) return 3;
    if (v >= INT32_MIN && v <= INT32_MAX) return 5;
  }
  return rdb_length_size(s.size()) + s.size();
}

std::string_view encoding_name(entry::View v) {
  switch (v.encoding()) {
    case Encoding::kInt:
      return "int";
    case Encoding::kEmbedded:
      return v.embedded_value().size() <= kEmbstrLimit ? "embstr" : "raw";
    case Encoding::kHeapString:
      return "raw";
    case Encoding::kObject:
      return v.object()->encoding_name();
  }
  return "unknown";
}

// The C library's lenient parsers, as Redis reads these arguments: garbage reads as 0.
double lenient_double(std::string_view s) { return std::strtod(std::string(s).c_str(), nullptr); }
int lenient_int(std::string_view s) { return std::atoi(std::string(s).c_str()); }

void debug_sleep(CommandContext& ctx) {
  double seconds = lenient_double(ctx.arg(2));
  if (seconds > 0) {
    auto us = static_cast<int64_t>(std::min(seconds, kMaxSleepSeconds) * 1e6);
    std::this_thread::sleep_for(std::chrono::microseconds(us));
  }
  ctx.out.ok();
}

void debug_set_active_expire(CommandContext& ctx) {
  ctx.node.config().active_expire_enabled = lenient_int(ctx.arg(2)) != 0;
  ctx.out.ok();
}

void debug_object(CommandContext& ctx) {
  Db& db = ctx.db();
  EntryIndex e = db.lookup_peek(ctx.arg(2));
  if (e == kNoEntry) {
    ctx.error(errors::kNoSuchKey);
    return;
  }
  entry::View v = db.view(e);
  size_t length = 0;  // collection types will report theirs when they exist
  if (v.type() == ValueType::kString) {
    char buf[24];
    length = serialized_length(db.string_value(e, buf));
  }
  ctx.out.simple(fmt::format(
      "Value at:{} refcount:1 encoding:{} serializedlength:{} lru:{} lru_seconds_idle:{}",
      fmt::ptr(ctx.keyspace().arena().at(e)), encoding_name(v), length, v.lru_clock(),
      db.idle_seconds(e)));
}

// Digests are status replies in Redis, not bulk strings.
void debug_digest(CommandContext& ctx) {
  ctx.out.simple(digest_hex(dataset_digest(ctx.keyspace())));
}

void debug_digest_value(CommandContext& ctx) {
  Db& db = ctx.db();
  ctx.out.array(static_cast<int64_t>(ctx.argc() - 2));
  for (size_t i = 2; i < ctx.argc(); ++i) {
    EntryIndex e = db.lookup_peek(ctx.arg(i));
    ctx.out.simple(digest_hex(e == kNoEntry ? Digest{} : value_digest(db, e)));
  }
}

// DEBUG PROTOCOL <type>: one reply of each RESP3 type, with the values Redis uses, so clients can
// test their RESP3 parsing (RESP2 clients get the downgraded form).
void debug_protocol(CommandContext& ctx) {
  resp::ReplyWriter& out = ctx.out;
  std::string_view type = ctx.arg(2);
  if (iequals(type, "string")) {
    out.bulk("Hello World");
  } else if (iequals(type, "integer")) {
    out.integer(12345);
  } else if (iequals(type, "double")) {
    out.double_value(3.141);
  } else if (iequals(type, "bignum")) {
    out.big_number("1234567999999999999999999999999999999");
  } else if (iequals(type, "null")) {
    out.null();
  } else if (iequals(type, "array") || iequals(type, "set")) {
    if (iequals(type, "array")) {
      out.array(3);
    } else {
      out.set(3);
    }
    for (int j = 0; j < 3; ++j) out.integer(j);
  } else if (iequals(type, "map")) {
    out.map(3);
    for (int j = 0; j < 3; ++j) {
      out.integer(j);
      out.boolean(j == 1);
    }
  } else if (iequals(type, "true") || iequals(type, "false")) {
    out.boolean(iequals(type, "true"));
  } else if (iequals(type, "verbatim")) {
    out.verbatim("This is a verbatim\nstring");
  } else if (iequals(type, "push")) {
    if (out.protocol() < 3) {
      ctx.error("ERR RESP2 is not supported by this command");
      return;
    }
    out.push(2);
    out.bulk("server-cpu-usage");
    out.integer(42);
    out.bulk("Some real reply following the push reply");
  } else {
    ctx.error(
        "ERR Wrong protocol type name. Please use one of the following: "
        "string|integer|double|bignum|null|array|set|map|push|verbatim|true|false");
  }
}

void debug_help(CommandContext& ctx) {
  reply_help(ctx, "DEBUG",
             {
                 "DIGEST",
                 "    Output a hex signature representing the current DB content.",
                 "DIGEST-VALUE <key> [<key> ...]",
                 "    Output a hex signature of the values of all the specified keys.",
                 "OBJECT <key>",
                 "    Show low level info about `key` and associated value.",
                 "RELOAD",
                 "    Save the dataset to disk, empty it and load it back from the file.",
                 "PROTOCOL <type>",
                 "    Reply with a test value of the specified type. <type> can be: string,",
                 "    integer, double, bignum, null, array, set, map, push, verbatim, true, false.",
                 "SET-ACTIVE-EXPIRE <0|1>",
                 "    Setting it to 0 disables expiring keys in background when they are not",
                 "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
                 "    default.",
                 "SLEEP <seconds>",
                 "    Stop the server for <seconds>. Decimals allowed.",
             });
}

void debug_reload(CommandContext& ctx) {
  if (ctx.node.snapshots == nullptr) {
    ctx.error("ERR Snapshots are not available in this process");
    return;
  }
  std::string failure = ctx.node.snapshots->reload();
  if (failure.empty()) {
    ctx.out.ok();
  } else {
    ctx.error(failure);
  }
}

void debug(CommandContext& ctx) {
  size_t argc = ctx.argc();
  if (ctx.arg_is(1, "HELP") && argc == 2) {
    debug_help(ctx);
  } else if (ctx.arg_is(1, "SLEEP") && argc == 3) {
    debug_sleep(ctx);
  } else if (ctx.arg_is(1, "SET-ACTIVE-EXPIRE") && argc == 3) {
    debug_set_active_expire(ctx);
  } else if (ctx.arg_is(1, "OBJECT") && argc == 3) {
    debug_object(ctx);
  } else if (ctx.arg_is(1, "PROTOCOL") && argc == 3) {
    debug_protocol(ctx);
  } else if (ctx.arg_is(1, "DIGEST") && argc == 2) {
    debug_digest(ctx);
  } else if (ctx.arg_is(1, "RELOAD") && argc == 2) {
    debug_reload(ctx);
  } else if (ctx.arg_is(1, "DIGEST-VALUE")) {
    debug_digest_value(ctx);
  } else {
    reply_subcommand_syntax_error(ctx);
  }
}

}  // namespace

void register_debug_rows(CommandTable& table) {
  table.add({"debug", -2, kCmdAdmin | kCmdNoscript | kCmdLoading | kCmdStale, 0, 0, 0,
             kAclAdmin | kAclDangerous, debug, "server", "1.0.0",
             "A container for debugging commands", "Depends on subcommand."});
}

}  // namespace stashd
