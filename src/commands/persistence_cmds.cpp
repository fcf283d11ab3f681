// Owns: SAVE, BGSAVE [SCHEDULE] and LASTSAVE: replies over the node's SnapshotControl (the server
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
  // SCHEDULE matters only while an AOF rewrite runs (none exists yet): the save starts now.
  if (ctx.argc() > 2 || (ctx.argc() == 2 && !ctx.arg_is(1, "SCHEDULE"))) {
    ctx.error(errors::kSyntax);
    return;
  }
  if (ctx.node.snapshots == nullptr) {
    ctx.error("ERR Snapshots are not available in this process");
    return;
  }
  std::string failure = ctx.node.snapshots->start_background_save();
  if (failure.empty()) {
    ctx.out.simple("Background saving started");
  } else {
    ctx.error(failure);
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
  table.add({"lastsave", 1, kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0, kAdminAcl,
             lastsave, "server", "1.0.0",
             "Get the Unix timestamp of the last successful save to disk", "O(1)"});
}

}  // namespace stashd
