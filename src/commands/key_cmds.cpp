// Owns: the generic key family: DEL UNLINK EXISTS TYPE RANDOMKEY RENAME RENAMENX COPY MOVE SWAPDB
// TOUCH OBJECT, and the family's registration (expiry commands in expire_cmds.cpp, KEYS/SCAN in
// scan_cmds.cpp). Must not touch: value internals beyond the Db API, sockets, other families.
// Thread: the event loop.
#include "commands/key_cmds.h"

#include <fmt/format.h>

#include <cctype>
#include <climits>
#include <iterator>
#include <optional>
#include <string>

#include "stashd/command/context.h"
#include "stashd/commands/registry.h"
#include "stashd/keyspace/dict.h"
#include "stashd/keyspace/eviction_policy.h"

namespace stashd {

namespace {

constexpr std::string_view kSameObject = "ERR source and destination objects are the same";
// Redis keeps strings of up to 44 bytes in one allocation with their object header ("embstr").
constexpr size_t kEmbstrLimit = 44;

// Parses a database index as Redis's getIntFromObject does (a 32-bit int), replying `error` when
// it is not one. The range against `databases` is the caller's check: its error differs.
std::optional<int> db_index_arg(CommandContext& ctx, size_t i, std::string_view error) {
  auto v = ctx.int_arg(i, error);
  if (!v) return std::nullopt;
  if (*v < INT_MIN || *v > INT_MAX) {
    ctx.error(error);
    return std::nullopt;
  }
  return static_cast<int>(*v);
}

bool valid_db(CommandContext& ctx, int id) { return id >= 0 && id < ctx.keyspace().databases(); }

// DEL and UNLINK: UNLINK always hands big values to the background freer, DEL only with
// lazyfree-lazy-user-del.
void remove_keys(CommandContext& ctx, bool lazy) {
  Db& db = ctx.db();
  int64_t deleted = 0;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    if (db.erase(ctx.arg(i), lazy)) {
      ++deleted;
      ctx.key_changed(ctx.arg(i));
    }
  }
  ctx.out.integer(deleted);
}

void del(CommandContext& ctx) { remove_keys(ctx, ctx.node.config().lazyfree_lazy_user_del); }
void unlink(CommandContext& ctx) { remove_keys(ctx, true); }

void exists(CommandContext& ctx) {
  int64_t found = 0;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    if (lookup_read_no_touch(ctx, ctx.arg(i)) != kNoEntry) ++found;
  }
  ctx.out.integer(found);
}

void touch(CommandContext& ctx) {
  Db& db = ctx.db();
  int64_t touched = 0;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    if (db.lookup_read(ctx.arg(i)) != kNoEntry) ++touched;
  }
  ctx.out.integer(touched);
}

void type(CommandContext& ctx) {
  EntryIndex e = lookup_read_no_touch(ctx, ctx.arg(1));
  ctx.out.simple(e == kNoEntry ? "none" : type_name(ctx.db().view(e).type()));
}

void randomkey(CommandContext& ctx) {
  Db& db = ctx.db();
  // Db::random_key gives up after 100 expired picks (removing each); Redis keeps looking while
  // keys remain, and so does this loop: every round shrinks the database, so it ends.
  EntryIndex e = db.random_key();
  while (e == kNoEntry && db.size() > 0) e = db.random_key();
  if (e == kNoEntry) {
    ctx.out.null();
  } else {
    ctx.out.bulk(db.view(e).key());
  }
}

// RENAME and RENAMENX. The value moves with its deadline; the destination's old value is freed.
void rename_key(CommandContext& ctx, bool only_if_new) {
  Db& db = ctx.db();
  std::string_view from = ctx.arg(1);
  std::string_view to = ctx.arg(2);
  if (db.lookup_write(from) == kNoEntry) {
    ctx.error(errors::kNoSuchKey);
    return;
  }
  if (from == to) {
    if (only_if_new) {
      ctx.out.integer(0);
    } else {
      ctx.out.ok();
    }
    return;
  }
  if (only_if_new && db.lookup_write(to) != kNoEntry) {
    ctx.out.integer(0);
    return;
  }
  DetachedValue value;
  db.take(from, &value);
  EntryIndex stored = db.put(to, std::move(value));
  ctx.key_changed(from);
  ctx.key_changed(to);
  if (stored == kNoEntry) {
    ctx.error(errors::kOutOfMemory);
  } else if (only_if_new) {
    ctx.out.integer(1);
  } else {
    ctx.out.ok();
  }
}

void rename(CommandContext& ctx) { rename_key(ctx, false); }
void renamenx(CommandContext& ctx) { rename_key(ctx, true); }

// COPY source destination [DB destination-db] [REPLACE]
void copy(CommandContext& ctx) {
  int target = ctx.client.db;
  bool replace = false;
  for (size_t i = 3; i < ctx.argc(); ++i) {
    if (ctx.arg_is(i, "REPLACE")) {
      replace = true;
    } else if (ctx.arg_is(i, "DB") && i + 1 < ctx.argc()) {
      auto id = db_index_arg(ctx, ++i, errors::kNotInteger);
      if (!id) return;
      if (!valid_db(ctx, *id)) {
        ctx.error(errors::kDbIndexOutOfRange);
        return;
      }
      target = *id;
    } else {
      ctx.error(errors::kSyntax);
      return;
    }
  }
  std::string_view from = ctx.arg(1);
  std::string_view to = ctx.arg(2);
  if (target == ctx.client.db && from == to) {
    ctx.error(kSameObject);
    return;
  }
  Db& src = ctx.db();
  Db& dst = ctx.keyspace().db(target);
  EntryIndex e = src.lookup_read(from);
  if (e == kNoEntry || (dst.lookup_write(to) != kNoEntry && !replace)) {
    ctx.out.integer(0);
    return;
  }
  EntryIndex stored = dst.put(to, src.clone(e));
  ctx.key_changed_in(target, to);
  if (stored == kNoEntry) {
    ctx.error(errors::kOutOfMemory);
  } else {
    ctx.out.integer(1);
  }
}

void move(CommandContext& ctx) {
  auto id = db_index_arg(ctx, 2, errors::kNotInteger);
  if (!id) return;
  if (!valid_db(ctx, *id)) {
    ctx.error(errors::kDbIndexOutOfRange);
    return;
  }
  if (*id == ctx.client.db) {
    ctx.error(kSameObject);
    return;
  }
  std::string_view key = ctx.arg(1);
  Db& src = ctx.db();
  Db& dst = ctx.keyspace().db(*id);
  if (src.lookup_write(key) == kNoEntry || dst.lookup_write(key) != kNoEntry) {
    ctx.out.integer(0);
    return;
  }
  DetachedValue value;
  src.take(key, &value);
  EntryIndex stored = dst.put(key, std::move(value));
  ctx.key_changed(key);
  ctx.key_changed_in(*id, key);
  if (stored == kNoEntry) {
    ctx.error(errors::kOutOfMemory);
  } else {
    ctx.out.integer(1);
  }
}

void swapdb(CommandContext& ctx) {
  auto first = db_index_arg(ctx, 1, "ERR invalid first DB index");
  if (!first) return;
  auto second = db_index_arg(ctx, 2, "ERR invalid second DB index");
  if (!second) return;
  if (!valid_db(ctx, *first) || !valid_db(ctx, *second)) {
    ctx.error(errors::kDbIndexOutOfRange);
    return;
  }
  if (*first != *second) ctx.keyspace().swap_db(*first, *second);
  ctx.db_changed(*first);
  ctx.db_changed(*second);
  // Redis counts one change, even for a no-op swap.
  ++ctx.node.dirty;
  ctx.out.ok();
}

// OBJECT subcommands look the key up without touching it (Redis still counts the hit or miss);
// a missing key is a null reply.
EntryIndex object_lookup(CommandContext& ctx) {
  EntryIndex e = lookup_read_no_touch(ctx, ctx.arg(2));
  if (e == kNoEntry) ctx.out.null();
  return e;
}

void object_encoding(CommandContext& ctx) {
  EntryIndex e = object_lookup(ctx);
  if (e == kNoEntry) return;
  entry::View v = ctx.db().view(e);
  switch (v.encoding()) {
    case Encoding::kInt:
      ctx.out.bulk("int");
      break;
    case Encoding::kEmbedded:
      ctx.out.bulk(v.embedded_value().size() <= kEmbstrLimit ? "embstr" : "raw");
      break;
    case Encoding::kHeapString:
      ctx.out.bulk("raw");
      break;
    case Encoding::kObject:
      ctx.out.bulk(v.object()->encoding_name());
      break;
  }
}

constexpr std::string_view kPolicySwitchNote =
    "Please note that when switching between policies at runtime LRU and LFU data will take some "
    "time to adjust.";

void object_freq(CommandContext& ctx) {
  EntryIndex e = object_lookup(ctx);
  if (e == kNoEntry) return;
  Db& db = ctx.db();
  EvictionPolicy policy = ctx.keyspace().eviction().policy;
  if (tracks_lfu(policy)) {
    ctx.out.integer(db.lfu_counter(e));
  } else if (uses_wtinylfu(policy)) {
    // W-TinyLFU keeps no per-key counter: report the frequency sketch's estimate instead.
    uint64_t h = db.frequency_hash(Dict::hash(db.view(e).key()));
    ctx.out.integer(ctx.keyspace().sketch().estimate(h));
  } else {
    ctx.error(fmt::format(
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. {}",
        kPolicySwitchNote));
  }
}

void object_idletime(CommandContext& ctx) {
  EntryIndex e = object_lookup(ctx);
  if (e == kNoEntry) return;
  if (tracks_lfu(ctx.keyspace().eviction().policy)) {
    ctx.error(fmt::format("ERR An LFU maxmemory policy is selected, idle time not tracked. {}",
                          kPolicySwitchNote));
    return;
  }
  ctx.out.integer(static_cast<int64_t>(ctx.db().idle_seconds(e)));
}

void object_refcount(CommandContext& ctx) {
  // Values are never shared between keys here, unlike Redis's shared small integers (which
  // report INT_MAX), so every value has exactly one reference.
  if (object_lookup(ctx) == kNoEntry) return;
  ctx.out.integer(1);
}

void object_help(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "ENCODING <key>",
      "    Return the kind of internal representation used in order to store the value",
      "    associated with a <key>.",
      "FREQ <key>",
      "    Return the access frequency index of the <key>. The returned integer is",
      "    proportional to the logarithm of the recent access frequency of the key.",
      "IDLETIME <key>",
      "    Return the idle time of the <key>, that is the approximated number of",
      "    seconds elapsed since the last access to the key.",
      "REFCOUNT <key>",
      "    Return the number of references of the value associated with the specified",
      "    <key>.",
      "HELP",
      "    Print this help.",
  };
  std::string header(ctx.arg(0));
  for (char& c : header) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  header += " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:";
  ctx.out.array(static_cast<int64_t>(std::size(kLines)) + 1);
  ctx.out.simple(header);
  for (std::string_view line : kLines) ctx.out.simple(line);
}

}  // namespace

void register_key_commands(CommandTable& table) {
  constexpr uint64_t kRead = kAclKeyspace | kAclRead;
  constexpr uint64_t kWrite = kAclKeyspace | kAclWrite;
  table.add({"del", -2, kCmdWrite, 1, -1, 1, kWrite, del, "generic", "1.0.0",
             "Deletes one or more keys.",
             "O(N) where N is the number of keys that will be removed. When a key to remove holds "
             "a value other than a string, the individual complexity for this key is O(M) where M "
             "is the number of elements in the list, set, sorted set or hash. Removing a single "
             "key that holds a string value is O(1)."});
  table.add({"unlink", -2, kCmdWrite | kCmdFast, 1, -1, 1, kWrite, unlink, "generic", "4.0.0",
             "Asynchronously deletes one or more keys.",
             "O(1) for each key removed regardless of its size. Then the command does O(N) work "
             "in a different thread in order to reclaim memory, where N is the number of "
             "allocations the deleted objects where composed of."});
  table.add({"exists", -2, kCmdReadonly | kCmdFast, 1, -1, 1, kRead, exists, "generic", "1.0.0",
             "Determines whether one or more keys exist.",
             "O(N) where N is the number of keys to check."});
  table.add({"type", 2, kCmdReadonly | kCmdFast, 1, 1, 1, kRead, type, "generic", "1.0.0",
             "Determines the type of value stored at a key.", "O(1)"});
  table.add({"touch", -2, kCmdReadonly | kCmdFast, 1, -1, 1, kRead, touch, "generic", "3.2.1",
             "Returns the number of existing keys out of those specified after updating the time "
             "they were last accessed.",
             "O(N) where N is the number of keys that will be touched."});
  table.add({"randomkey", 1, kCmdReadonly, 0, 0, 0, kRead, randomkey, "generic", "1.0.0",
             "Returns a random key name from the database.", "O(1)"});
  table.add({"rename", 3, kCmdWrite, 1, 2, 1, kWrite, rename, "generic", "1.0.0",
             "Renames a key and overwrites the destination.", "O(1)"});
  table.add({"renamenx", 3, kCmdWrite | kCmdFast, 1, 2, 1, kWrite, renamenx, "generic", "1.0.0",
             "Renames a key only when the target key name doesn't exist.", "O(1)"});
  table.add({"copy", -3, kCmdWrite | kCmdDenyOom, 1, 2, 1, kWrite, copy, "generic", "6.2.0",
             "Copies the value of a key to a new key.",
             "O(N) worst case for collections, where N is the number of nested items. O(1) for "
             "string values."});
  table.add({"move", 3, kCmdWrite | kCmdFast, 1, 1, 1, kWrite, move, "generic", "1.0.0",
             "Moves a key to another database.", "O(1)"});
  table.add({"swapdb", 3, kCmdWrite | kCmdFast, 0, 0, 0, kWrite | kAclDangerous, swapdb, "generic",
             "4.0.0", "Swaps two Redis databases.",
             "O(N) where N is the count of clients watching or blocking on keys from both "
             "databases."});

  table.add({"object", -2, 0, 0, 0, 0, 0, nullptr, "generic", "2.2.3",
             "A container for object introspection commands.", "Depends on subcommand."});
  table.add({"object|encoding", 3, kCmdReadonly, 2, 2, 1, kRead, object_encoding, "generic",
             "2.2.3", "Returns the internal encoding of a Redis object.", "O(1)"});
  table.add({"object|freq", 3, kCmdReadonly, 2, 2, 1, kRead, object_freq, "generic", "4.0.0",
             "Returns the logarithmic access frequency counter of a Redis object.", "O(1)"});
  table.add({"object|idletime", 3, kCmdReadonly, 2, 2, 1, kRead, object_idletime, "generic",
             "2.2.3", "Returns the time since the last access to a Redis object.", "O(1)"});
  table.add({"object|refcount", 3, kCmdReadonly, 2, 2, 1, kRead, object_refcount, "generic",
             "2.2.3", "Returns the reference count of a value of a key.", "O(1)"});
  table.add({"object|help", 2, kCmdLoading | kCmdStale, 0, 0, 0, kAclKeyspace, object_help,
             "generic", "6.2.0", "Returns helpful text about the different subcommands.", "O(1)"});

  register_expire_commands(table);
  register_scan_commands(table);
}

}  // namespace stashd
