// Owns: the shared handler helpers (see context.h). Thread: the event loop.
#include "stashd/command/context.h"

#include <cstdint>
#include <unordered_map>

#include "stashd/common/strings.h"

namespace stashd {

std::optional<int64_t> CommandContext::int_arg(size_t i, std::string_view error) {
  int64_t v;
  if (parse_i64(argv[i], &v)) return v;
  out.error(error);
  return std::nullopt;
}

std::optional<long double> CommandContext::float_arg(size_t i) {
  long double v;
  if (parse_long_double(argv[i], &v)) return v;
  out.error(errors::kNotFloat);
  return std::nullopt;
}

bool CommandContext::arg_is(size_t i, std::string_view word) const {
  return i < argv.size() && iequals(argv[i], word);
}

namespace {

struct EventName {
  std::string_view first;   // the event for the first key a command changes
  std::string_view second;  // ...and for the second (source/destination commands), if different
};

// Commands whose keyspace event is not simply their own name (Redis's names).
const std::unordered_map<std::string_view, EventName>& event_overrides() {
  static const std::unordered_map<std::string_view, EventName> kOverrides = {
      {"incr", {"incrby", {}}},          {"decr", {"incrby", {}}},
      {"decrby", {"incrby", {}}},        {"setex", {"set", {}}},
      {"psetex", {"set", {}}},           {"setnx", {"set", {}}},
      {"getset", {"set", {}}},           {"mset", {"set", {}}},
      {"msetnx", {"set", {}}},           {"getdel", {"del", {}}},
      {"unlink", {"del", {}}},           {"pexpire", {"expire", {}}},
      {"expireat", {"expire", {}}},      {"pexpireat", {"expire", {}}},
      {"getex", {"expire", {}}},         {"rename", {"rename_from", "rename_to"}},
      {"renamenx", {"rename_from", "rename_to"}}, {"move", {"move_from", "move_to"}},
      {"copy", {"copy_to", {}}},         {"hmset", {"hset", {}}},
      {"hsetnx", {"hset", {}}},          {"zincrby", {"zincr", {}}},
      {"lpushx", {"lpush", {}}},         {"rpushx", {"rpush", {}}},
      {"rpoplpush", {"rpop", "lpush"}},  {"brpoplpush", {"rpop", "lpush"}},
      {"blpop", {"lpop", {}}},           {"brpop", {"rpop", {}}},
      {"smove", {"srem", "sadd"}},       {"bitop", {"set", {}}},
      {"bitfield", {"setbit", {}}},      {"bzpopmin", {"zpopmin", {}}},
      {"bzpopmax", {"zpopmax", {}}},     {"sort", {"sortstore", {}}},
  };
  return kOverrides;
}

uint32_t event_class(const Command& cmd, std::string_view event) {
  if (event == "del" || event.starts_with("rename") || event.starts_with("move") ||
      event == "copy_to" || event == "expire" || event == "persist") {
    return kEventGeneric;
  }
  uint64_t acl = cmd.spec.acl;
  if (acl & (kAclString | kAclBitmap)) return kEventString;
  if (acl & kAclList) return kEventList;
  if (acl & kAclSet) return kEventSet;
  if (acl & kAclSortedSet) return kEventZset;
  if (acl & kAclHash) return kEventHash;
  return kEventGeneric;
}

}  // namespace

void CommandContext::key_changed_in(int db, std::string_view key) {
  ++node.dirty;
  node.watches().touch(db, key);
  node.blocking().signal(db, key);
  node.tracking().key_changed(key, &client);
  KeyspaceEvents& events = node.events();
  if (!events.any()) return;  // the common case: no notifications configured
  std::string_view event = command.spec.name.substr(command.spec.name.find('|') + 1);
  if (auto it = event_overrides().find(command.full_name); it != event_overrides().end()) {
    event = changes_ > 0 && !it->second.second.empty() ? it->second.second : it->second.first;
  } else if (command.full_name == "lmove" || command.full_name == "blmove") {
    // LMOVE src dst LEFT|RIGHT LEFT|RIGHT: a pop from the source, a push onto the destination.
    size_t side = changes_ == 0 ? 3 : 4;
    bool left = arg_is(side, "LEFT");
    event = changes_ == 0 ? (left ? "lpop" : "rpop") : (left ? "lpush" : "rpush");
  }
  ++changes_;
  // A write that leaves the key gone (the last element popped, an EXPIRE deadline already past,
  // an empty STORE result) is also a deletion, which Redis reports as "del".
  bool deleted = event != "del" && !event.ends_with("_from") &&
                 node.keyspace().db(db).lookup_peek(key) == kNoEntry;
  if (deleted && (event == "expire" || event.ends_with("store"))) event = "del";
  uint32_t cls = event_class(command, event);
  if (events.enabled(cls)) events.notify(db, cls, event, key);
  if (deleted && event != "del" && events.enabled(kEventGeneric)) {
    events.notify(db, kEventGeneric, "del", key);
  }
}

void CommandContext::block(const std::vector<std::string>& keys, int64_t timeout_ms,
                           bool timeout_null_array) {
  if (client.block_retry) {
    client.block_again = true;  // still registered: keep the place in line
    return;
  }
  client.blocked_request.assign(argv.begin(), argv.end());
  client.blocked_timeout_null_array = timeout_null_array;
  node.blocking().block(&client, client.db, keys);
  int64_t deadline = timeout_ms > 0 ? node.clock().now_ms() + timeout_ms : 0;
  client.blocked_deadline_ms = deadline;
  if (client.transport) client.transport->blocked(deadline);
}

std::optional<int64_t> CommandContext::timeout_arg(size_t i) {
  long double seconds;
  if (!parse_long_double(argv[i], &seconds) || seconds != seconds ||
      seconds > static_cast<long double>(INT64_MAX / 1000)) {
    out.error("ERR timeout is not a float or out of range");
    return std::nullopt;
  }
  if (seconds < 0) {
    out.error("ERR timeout is negative");
    return std::nullopt;
  }
  int64_t ms = static_cast<int64_t>(seconds * 1000);
  // A positive timeout under a millisecond still times out rather than meaning "forever".
  if (ms == 0 && seconds > 0) ms = 1;
  return ms;
}

void CommandContext::db_changed(int db) {
  node.watches().touch_db(db);
  node.tracking().flushed();
}

}  // namespace stashd
