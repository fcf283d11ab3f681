// Owns: the list family's pop and move steps, shared by the list commands (list_cmds.cpp) and the
// blocking layer that serves BLPOP/BRPOP/BLMPOP/BLMOVE/BRPOPLPUSH when a key becomes ready.
// Must not touch: client blocking state, other families. Thread: the event loop.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "stashd/command/context.h"
#include "stashd/types/list.h"

namespace stashd::list_ops {


// What a pop or move found. kDone: it happened and the reply is written. kNoList: a key had no
// value; nothing was written. kWrongType: a key held another type; nothing was written (a
// command replies WRONGTYPE, a blocked client may keep waiting).
enum class Outcome : uint8_t { kDone, kNoList, kWrongType };

// How popped elements are replied.
enum class PopReply : uint8_t {
  kBulk,         // LPOP k: one element
  kArray,        // LPOP k n: [e1, e2, ...]
  kKeyAndBulk,   // BLPOP: [key, e]
  kKeyAndArray,  // LMPOP/BLMPOP: [key, [e1, e2, ...]]
};

// The list at `key` for a write: nullptr with *wrong_type false when missing.
ListValue* find_list(CommandContext& ctx, std::string_view key, bool* wrong_type);

// Pops up to `count` elements (one for kBulk/kKeyAndBulk) from the head (left) or the tail of the
// list at `key`, replies them, deletes the key when the list empties and signals the change.
// `key` must not point into the keyspace (the key may be deleted).
Outcome pop_into_reply(CommandContext& ctx, std::string_view key, bool left, int64_t count,
                       PopReply shape);

// LMOVE: pops one element from `source` and pushes it onto `destination` (created if missing;
// the same key rotates the list), replying the element as a bulk string.
Outcome move_into_reply(CommandContext& ctx, std::string_view source, std::string_view destination,
                        bool from_left, bool to_left);

// LEFT or RIGHT at argv[i] (true for LEFT); replies a syntax error otherwise.
std::optional<bool> side_arg(CommandContext& ctx, size_t i);

// LMPOP/BLMPOP arguments from argv[numkeys_index] on: numkeys key [key ...] LEFT|RIGHT
// [COUNT count]. Keys are argv[first_key, end_key). Replies Redis's error and returns nullopt.
struct MpopArgs {
  size_t first_key = 0;
  size_t end_key = 0;
  bool left = true;
  int64_t count = 1;
};
std::optional<MpopArgs> parse_mpop(CommandContext& ctx, size_t numkeys_index);

}  // namespace stashd::list_ops
