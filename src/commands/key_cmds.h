// Owns: what the key family's files (key_cmds.cpp, expire_cmds.cpp, scan_cmds.cpp) share: their
// registration hooks and the read-without-touch lookup. Must not touch: other families.
// Thread: the event loop.
#pragma once

#include <string_view>

#include "stashd/command/command_table.h"
#include "stashd/command/context.h"
#include "stashd/keyspace/keyspace.h"

namespace stashd {

// Called by register_key_commands, so the family keeps its single entry in registry.h.
void register_expire_commands(CommandTable& table);  // src/commands/expire_cmds.cpp
void register_scan_commands(CommandTable& table);    // src/commands/scan_cmds.cpp

// Redis's read lookup with "no touch" (EXISTS, TYPE, TTL): expires lazily and counts a keyspace hit
// or miss, but leaves the key's LRU position and idle time alone. Db has no such lookup, so the
// stats are counted here on top of lookup_peek.
inline EntryIndex lookup_read_no_touch(CommandContext& ctx, std::string_view key) {
  EntryIndex e = ctx.db().lookup_peek(key);
  KeyspaceStats& stats = ctx.keyspace().stats();
  ++(e == kNoEntry ? stats.keyspace_misses : stats.keyspace_hits);
  return e;
}

// The name TYPE replies and SCAN ... TYPE filters on.
inline std::string_view type_name(ValueType type) {
  switch (type) {
    case ValueType::kString:
      return "string";
    case ValueType::kList:
      return "list";
    case ValueType::kSet:
      return "set";
    case ValueType::kZset:
      return "zset";
    case ValueType::kHash:
      return "hash";
  }
  return "none";
}

}  // namespace stashd
