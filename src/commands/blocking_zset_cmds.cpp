// Owns: the blocking sorted-set commands: BZPOPMIN BZPOPMAX BZMPOP. They pop through zset_ops
// and, when every key is empty, block the client through CommandContext::block; the dispatcher
// runs them again when a key they wait on is written.
// Must not touch: sockets, timers. Thread: the event loop.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "commands/zset_ops.h"
#include "stashd/command/context.h"
#include "stashd/commands/registry.h"

namespace stashd {

namespace {

void pop_or_block(CommandContext& ctx, std::span<const std::string_view> keys, bool from_max,
                  size_t count, zset_ops::PopReply shape, int64_t timeout_ms) {
  bool wrong_type = false;
  auto found = zset_ops::first_zset(ctx, keys, &wrong_type);
  if (wrong_type) {
    ctx.error(errors::kWrongType);
    return;
  }
  if (found) {
    zset_ops::pop_and_reply(ctx, keys[found->index], *found->zset, from_max, count, shape);
    return;
  }
  if (!ctx.can_block()) {
    ctx.out.null_array();
    return;
  }
  ctx.block(std::vector<std::string>(keys.begin(), keys.end()), timeout_ms,
            /*timeout_null_array=*/true);
}

// BZPOPMIN|BZPOPMAX key [key ...] timeout
void bzpop(CommandContext& ctx, bool from_max) {
  std::optional<int64_t> timeout = ctx.timeout_arg(ctx.argc() - 1);
  if (!timeout) return;
  pop_or_block(ctx, ctx.argv.subspan(1, ctx.argc() - 2), from_max, 1,
               zset_ops::PopReply::kKeyedFlat, *timeout);
}

void bzpopmin(CommandContext& ctx) { bzpop(ctx, false); }
void bzpopmax(CommandContext& ctx) { bzpop(ctx, true); }

// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]
void bzmpop(CommandContext& ctx) {
  std::optional<int64_t> timeout = ctx.timeout_arg(1);
  if (!timeout) return;
  auto args = zset_ops::parse_mpop(ctx, 2);
  if (!args) return;
  pop_or_block(ctx, args->keys, args->from_max, args->count, zset_ops::PopReply::kKeyedNested,
               *timeout);
}

}  // namespace

void register_blocking_zset_commands(CommandTable& table) {
  constexpr uint32_t kFlags = kCmdWrite | kCmdFast | kCmdBlocking;
  constexpr uint64_t kAcl = kAclSortedSet | kAclWrite | kAclBlocking;
  table.add({"bzpopmin", -3, kFlags, 1, -2, 1, kAcl, bzpopmin, "sorted-set", "5.0.0",
             "Removes and returns the member with the lowest score from one or more sorted sets. "
             "Blocks until a member is available otherwise. Deletes the sorted set if the last "
             "element was popped.",
             "O(log(N)) with N being the number of elements in the sorted set."});
  table.add({"bzpopmax", -3, kFlags, 1, -2, 1, kAcl, bzpopmax, "sorted-set", "5.0.0",
             "Removes and returns the member with the highest score from one or more sorted "
             "sets. Blocks until a member available otherwise.  Deletes the sorted set if the last "
             "element was popped.",
             "O(log(N)) with N being the number of elements in the sorted set."});
  // Keys follow numkeys, which first/last/step cannot express.
  table.add({"bzmpop", -5, kCmdWrite | kCmdBlocking, 0, 0, 0, kAcl, bzmpop, "sorted-set", "7.0.0",
             "Removes and returns a member by score from one or more sorted sets. Blocks until a "
             "member is available otherwise. Deletes the sorted set if the last element was "
             "popped.",
             "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of "
             "elements in the sorted set, and M being the number of elements popped."});
}

}  // namespace stashd
