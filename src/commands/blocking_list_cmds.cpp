// Owns: the blocking list commands: BLPOP BRPOP BRPOPLPUSH BLMOVE BLMPOP. They try the non-blocking
// step (list_ops) and, when every list is empty, block the client through CommandContext::block;
// the dispatcher runs them again when a key they wait on is written.
// Must not touch: sockets, timers (the net layer times blocked clients out). Thread: event loop.
#include <optional>
#include <string>
#include <vector>

#include "commands/list_ops.h"
#include "stashd/command/context.h"
#include "stashd/commands/registry.h"

namespace stashd {

namespace {

using list_ops::Outcome;
using list_ops::PopReply;

std::vector<std::string> keys_of(const CommandContext& ctx, size_t first, size_t end) {
  std::vector<std::string> keys;
  for (size_t i = first; i < end; ++i) keys.emplace_back(ctx.arg(i));
  return keys;
}

// Pops from the first non-empty list among keys [first, end); blocks when all are empty.
void pop_or_block(CommandContext& ctx, size_t first, size_t end, bool left, int64_t count,
                  PopReply shape, int64_t timeout_ms) {
  for (size_t k = first; k < end; ++k) {
    switch (list_ops::pop_into_reply(ctx, ctx.arg(k), left, count, shape)) {
      case Outcome::kDone:
        return;
      case Outcome::kWrongType:
        ctx.error(errors::kWrongType);
        return;
      case Outcome::kNoList:
        break;
    }
  }
  if (!ctx.can_block()) {
    ctx.out.null_array();
    return;
  }
  ctx.block(keys_of(ctx, first, end), timeout_ms, /*timeout_null_array=*/true);
}

void blocking_pop(CommandContext& ctx, bool left) {
  std::optional<int64_t> timeout = ctx.timeout_arg(ctx.argc() - 1);
  if (!timeout) return;
  pop_or_block(ctx, 1, ctx.argc() - 1, left, 1, PopReply::kKeyAndBulk, *timeout);
}

void blpop(CommandContext& ctx) { blocking_pop(ctx, true); }
void brpop(CommandContext& ctx) { blocking_pop(ctx, false); }

void move_or_block(CommandContext& ctx, bool from_left, bool to_left, int64_t timeout_ms) {
  switch (list_ops::move_into_reply(ctx, ctx.arg(1), ctx.arg(2), from_left, to_left)) {
    case Outcome::kDone:
      // Replicas move without blocking: BRPOPLPUSH as RPOPLPUSH, BLMOVE as LMOVE.
      if (ctx.argc() == 4) {
        ctx.propagate_as({"RPOPLPUSH", ctx.arg(1), ctx.arg(2)});
      } else {
        ctx.propagate_as({"LMOVE", ctx.arg(1), ctx.arg(2), ctx.arg(3), ctx.arg(4)});
      }
      return;
    case Outcome::kWrongType:
      ctx.error(errors::kWrongType);
      return;
    case Outcome::kNoList:
      break;
  }
  if (!ctx.can_block()) {
    ctx.out.null();
    return;
  }
  ctx.block(keys_of(ctx, 1, 2), timeout_ms, /*timeout_null_array=*/false);
}

void brpoplpush(CommandContext& ctx) {
  std::optional<int64_t> timeout = ctx.timeout_arg(3);
  if (!timeout) return;
  move_or_block(ctx, false, true, *timeout);
}

// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout
void blmove(CommandContext& ctx) {
  std::optional<bool> from_left = list_ops::side_arg(ctx, 3);
  if (!from_left) return;
  std::optional<bool> to_left = list_ops::side_arg(ctx, 4);
  if (!to_left) return;
  std::optional<int64_t> timeout = ctx.timeout_arg(5);
  if (!timeout) return;
  move_or_block(ctx, *from_left, *to_left, *timeout);
}

// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
void blmpop(CommandContext& ctx) {
  std::optional<int64_t> timeout = ctx.timeout_arg(1);
  if (!timeout) return;
  std::optional<list_ops::MpopArgs> args = list_ops::parse_mpop(ctx, 2);
  if (!args) return;
  pop_or_block(ctx, args->first_key, args->end_key, args->left, args->count,
               PopReply::kKeyAndArray, *timeout);
}

}  // namespace

void register_blocking_list_commands(CommandTable& table) {
  constexpr uint32_t kFlags = kCmdWrite | kCmdBlocking;
  constexpr uint64_t kAcl = kAclList | kAclWrite | kAclBlocking;
  table.add({"blpop", -3, kFlags, 1, -2, 1, kAcl, blpop, "list", "2.0.0",
             "Removes and returns the first element in a list. Blocks until an element is "
             "available otherwise. Deletes the list if the last element was popped.",
             "O(N) where N is the number of provided keys."});
  table.add({"brpop", -3, kFlags, 1, -2, 1, kAcl, brpop, "list", "2.0.0",
             "Removes and returns the last element in a list. Blocks until an element is "
             "available otherwise. Deletes the list if the last element was popped.",
             "O(N) where N is the number of provided keys."});
  table.add({"brpoplpush", 4, kFlags | kCmdDenyOom, 1, 2, 1, kAcl, brpoplpush, "list", "2.2.0",
             "Pops an element from a list, pushes it to another list and returns it. Block until "
             "an element is available otherwise. Deletes the list if the last element was popped.",
             "O(1)"});
  table.add({"blmove", 6, kFlags | kCmdDenyOom, 1, 2, 1, kAcl, blmove, "list", "6.2.0",
             "Pops an element from a list, pushes it to another list and returns it. Blocks until "
             "an element is available otherwise. Deletes the list if the last element was moved.",
             "O(1)"});
  // Keys follow numkeys, which first/last/step cannot express.
  table.add({"blmpop", -5, kFlags, 0, 0, 0, kAcl, blmpop, "list", "7.0.0",
             "Pops the first element from one of multiple lists. Blocks until an element is "
             "available otherwise. Deletes the list if the last element was popped.",
             "O(N+M) where N is the number of provided keys and M is the number of elements "
             "returned."});
}

}  // namespace stashd
