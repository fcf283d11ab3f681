// Owns: the transaction family: MULTI EXEC DISCARD WATCH UNWATCH. Queueing itself happens in the
// dispatcher; EXEC replays the queue through it. Must not touch: sockets, persistence.
// Thread: the event loop.
#include "stashd/command/context.h"
#include "stashd/command/dispatcher.h"
#include "stashd/commands/registry.h"

namespace stashd {

namespace {

void end_transaction(CommandContext& ctx) {
  ctx.client.multi_queue.clear();
  ctx.client.multi_error = false;
  ctx.client.multi_denyoom = false;
  ctx.client.multi_write = false;
  ctx.client.flags &= ~kClientMulti;
  ctx.node.watches().unwatch_all(&ctx.client);
}

// A watched key that had a deadline when WATCHed and has passed it counts as changed, even if
// nothing has deleted it yet.
bool watched_key_expired(CommandContext& ctx) {
  for (const WatchedKey& w : ctx.client.watched) {
    if (w.deadline_ms >= 0 && w.deadline_ms <= ctx.now_ms()) return true;
  }
  return false;
}

void multi(CommandContext& ctx) {
  if (ctx.client.has(kClientMulti)) {
    ctx.error("ERR MULTI calls can not be nested");
    return;
  }
  ctx.client.flags |= kClientMulti;
  ctx.out.ok();
}

void discard(CommandContext& ctx) {
  if (!ctx.client.has(kClientMulti)) {
    ctx.error("ERR DISCARD without MULTI");
    return;
  }
  end_transaction(ctx);
  ctx.out.ok();
}

void exec(CommandContext& ctx) {
  Client& c = ctx.client;
  if (!c.has(kClientMulti)) {
    ctx.error("ERR EXEC without MULTI");
    return;
  }
  if (c.multi_error) {
    end_transaction(ctx);
    ctx.error("EXECABORT Transaction discarded because of previous errors.");
    return;
  }
  if (c.watch_dirty || watched_key_expired(ctx)) {
    end_transaction(ctx);
    ctx.out.null_array();
    return;
  }
  std::vector<std::vector<std::string>> queue = std::move(c.multi_queue);
  end_transaction(ctx);
  ctx.out.array(static_cast<int64_t>(queue.size()));
  std::vector<std::string_view> argv;
  for (const auto& request : queue) {
    argv.assign(request.begin(), request.end());
    ctx.node.dispatcher->execute_queued(c, argv);
  }
}

void watch(CommandContext& ctx) {
  if (ctx.client.has(kClientMulti)) {
    ctx.error("ERR WATCH inside MULTI is not allowed");
    return;
  }
  Db& db = ctx.db();
  for (size_t i = 1; i < ctx.argc(); ++i) {
    EntryIndex e = db.lookup_peek(ctx.arg(i));
    int64_t deadline = e == kNoEntry ? -1 : db.expire_time(e);
    ctx.node.watches().watch(&ctx.client, ctx.client.db, ctx.arg(i), deadline);
  }
  ctx.out.ok();
}

void unwatch(CommandContext& ctx) {
  ctx.node.watches().unwatch_all(&ctx.client);
  ctx.out.ok();
}

}  // namespace

void register_transaction_commands(CommandTable& table) {
  constexpr uint32_t kControl = kCmdTransactionControl | kCmdNoscript | kCmdLoading | kCmdStale;
  table.add({"multi", 1, kControl | kCmdFast | kCmdAllowBusy, 0, 0, 0, kAclTransaction, multi,
             "transactions", "1.2.0", "Starts a transaction.", "O(1)"});
  table.add({"exec", 1, kControl | kCmdSkipSlowlog, 0, 0, 0, kAclTransaction, exec,
             "transactions", "1.2.0", "Executes all commands in a transaction.",
             "Depends on commands in the transaction"});
  table.add({"discard", 1, kControl | kCmdFast | kCmdAllowBusy, 0, 0, 0, kAclTransaction, discard,
             "transactions", "2.0.0", "Discards a transaction.",
             "O(N), when N is the number of queued commands"});
  table.add({"watch", -2, kControl | kCmdFast | kCmdAllowBusy, 1, -1, 1, kAclTransaction, watch,
             "transactions", "2.2.0",
             "Monitors changes to keys to determine the execution of a transaction.",
             "O(1) for every key."});
  table.add({"unwatch", 1, kCmdNoscript | kCmdLoading | kCmdStale | kCmdFast | kCmdAllowBusy, 0,
             0, 0, kAclTransaction, unwatch, "transactions", "2.2.0",
             "Forgets about watched keys of a transaction.", "O(1)"});
}

}  // namespace stashd
