// Owns: building bare keyspace entries in an EntryArena for the structure tests (dict, LRU list,
// TTL heap) that work below Db. Must not touch: Db. Thread: the test's.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "stashd/keyspace/entry.h"
#include "stashd/keyspace/entry_arena.h"

namespace stashd::testing {

// An int-valued entry for `key`; with_ttl gives it the TTL heap's position slot.
inline EntryIndex make_entry(EntryArena& arena, std::string_view key, bool with_ttl = false,
                             int64_t value = 0) {
  EntryIndex e = arena.allocate(entry::size_for(key, with_ttl, Encoding::kInt, 0));
  uint8_t* value_at = entry::init(arena.at(e), key, with_ttl, ValueType::kString, Encoding::kInt);
  std::memcpy(value_at, &value, sizeof(value));
  return e;
}

inline std::string_view key_of(const EntryArena& arena, EntryIndex e) {
  return entry::View(arena.at(e)).key();
}

inline std::string numbered(std::string_view prefix, int64_t i) {
  std::string s(prefix);
  s.append(std::to_string(i));
  return s;
}

}  // namespace stashd::testing
