// Owns: SAVE, BGSAVE [SCHEDULE], BGREWRITEAOF and LASTSAVE: replies over the node's SnapshotControl (the server
// forks and writes) and PersistenceState. Must not touch: files, fork. Thread: the event loop.
#include "stashd/command/context.h"
#include "stashd/commands/registry.h"

namespace stashd {

namespace {

void save(CommandContext& ctx) {
  if (ctx.node.snapshots == nullptr) {
    ctx.error("ERR Snapshots are not available in this process");
    return;
  }
  std::string failure = ctx.node.snapshots->save_now();
  if (failure.empty()) {
    ctx.out.ok();
  } else {
    ctx.error(failure);
  }
}

void bgsave(CommandContext& ctx) {
  if (ctx.argc() > 2 || (ctx.argc() == 2 && !ctx.arg_is(1, "SCHEDULE"))) {
    ctx.error(errors::kSyntax);
    return;
  }
  if (ctx.node.snapshots == nullptr) {
    ctx.error("ERR Snapshots are not available in this process");
    return;
  }
  PersistenceState& p = ctx.node.persistence;
  if (ctx.argc() == 2 && p.aof_rewrite_in_progress && !p.bgsave_in_progress) {
    // The save starts when the rewrite ends (the cron checks).
    p.bgsave_scheduled = true;
    ctx.out.simple("Background saving scheduled");
    return;
  }
  std::string failure = ctx.node.snapshots->start_background_save();
  if (failure.empty()) {
    ctx.out.simple("Background saving started");
  } else {
    ctx.error(failure);
  }
}

void bgrewriteaof(CommandContext& ctx) {
  if (ctx.node.snapshots == nullptr) {
    ctx.error("ERR The append-only file is not available in this process");
    return;
  }
  bool scheduled = false;
  std::string failure;
  if (ctx.in_exec && ctx.node.persistence.aof_enabled) {
    // Forking inside EXEC would put the transaction's earlier writes both in the new base and in
    // the increment its unit lands in: the cron starts the rewrite once EXEC is done.
    ctx.node.persistence.aof_rewrite_scheduled = true;
    scheduled = true;
  } else {
    failure = ctx.node.snapshots->start_aof_rewrite(&scheduled);
  }
  if (!failure.empty()) {
    ctx.error(failure);
  } else if (scheduled) {
    ctx.out.simple("Background append only file rewriting scheduled");
  } else {
    ctx.out.simple("Background append only file rewriting started");
  }
}

void lastsave(CommandContext& ctx) { ctx.out.integer(ctx.node.persistence.lastsave_s); }

}  // namespace

void register_persistence_commands(CommandTable& table) {
  constexpr uint64_t kAdminAcl = kAclAdmin | kAclDangerous;
  table.add({"save", 1, kCmdAdmin | kCmdNoscript | kCmdNoMulti, 0, 0, 0, kAdminAcl, save,
             "server", "1.0.0", "Synchronously save the dataset to disk",
             "O(N) where N is the total number of keys in all databases"});
  table.add({"bgsave", -1, kCmdAdmin | kCmdNoscript, 0, 0, 0, kAdminAcl, bgsave, "server",
             "1.0.0", "Asynchronously save the dataset to disk",
             "O(N) where N is the total number of keys in all databases"});
  table.add({"bgrewriteaof", 1, kCmdAdmin | kCmdNoscript, 0, 0, 0, kAdminAcl, bgrewriteaof,
             "server", "1.0.0", "Asynchronously rewrite the append-only file", "O(1)"});
  table.add({"lastsave", 1, kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0, kAdminAcl,
             lastsave, "server", "1.0.0",
             "Get the Unix timestamp of the last successful save to disk", "O(1)"});
}

}  // namespace stashd
