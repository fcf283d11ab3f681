// Owns: SLOWLOG GET LEN RESET HELP: replies over the node's Slowlog (which the dispatcher fills).
// Must not touch: sockets, how entries are recorded. Thread: the event loop.
#include <algorithm>

#include "commands/server_family.h"
#include "stashd/command/context.h"
#include "stashd/common/strings.h"

namespace stashd {

namespace {

constexpr int64_t kDefaultGetCount = 10;

void slowlog_get(CommandContext& ctx) {
  if (ctx.argc() > 3) {
    reply_subcommand_syntax_error(ctx);
    return;
  }
  int64_t count = kDefaultGetCount;
  if (ctx.argc() == 3 && (!parse_i64(ctx.arg(2), &count) || count < -1)) {
    ctx.error("ERR count should be greater than or equal to -1");
    return;
  }
  const auto& entries = ctx.node.slowlog().entries();
  size_t n = count == -1 ? entries.size() : std::min(entries.size(), static_cast<size_t>(count));
  ctx.out.array(static_cast<int64_t>(n));
  for (size_t i = 0; i < n; ++i) {
    const SlowlogEntry& e = entries[i];
    ctx.out.array(6);
    ctx.out.integer(static_cast<int64_t>(e.id));
    ctx.out.integer(e.unix_seconds);
    ctx.out.integer(e.duration_us);
    ctx.out.array(static_cast<int64_t>(e.args.size()));
    for (const std::string& arg : e.args) ctx.out.bulk(arg);
    ctx.out.bulk(e.client_addr);
    ctx.out.bulk(e.client_name);
  }
}

void slowlog_len(CommandContext& ctx) {
  ctx.out.integer(static_cast<int64_t>(ctx.node.slowlog().entries().size()));
}

void slowlog_reset(CommandContext& ctx) {
  ctx.node.slowlog().reset();
  ctx.out.ok();
}

void slowlog_help(CommandContext& ctx) {
  reply_help(ctx, "SLOWLOG",
             {
                 "GET [<count>]",
                 "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
                 "    Entries are made of:",
                 "    id, timestamp, time in microseconds, arguments array, client IP and port,",
                 "    client name",
                 "LEN",
                 "    Return the length of the slowlog.",
                 "RESET",
                 "    Reset the slowlog.",
             });
}

}  // namespace

void register_slowlog_rows(CommandTable& table) {
  constexpr uint32_t kAdminRow = kCmdAdmin | kCmdLoading | kCmdStale;
  constexpr uint64_t kAdminAcl = kAclAdmin | kAclDangerous;
  table.add({"slowlog", -2, 0, 0, 0, 0, 0, nullptr, "server", "2.2.12",
             "A container for slow log commands", "Depends on subcommand."});
  table.add({"slowlog|get", -2, kAdminRow, 0, 0, 0, kAdminAcl, slowlog_get, "server", "2.2.12",
             "Get the slow log's entries", "O(N) where N is the number of entries returned"});
  table.add({"slowlog|len", 2, kAdminRow, 0, 0, 0, kAdminAcl, slowlog_len, "server", "2.2.12",
             "Get the slow log's length", "O(1)"});
  table.add({"slowlog|reset", 2, kAdminRow, 0, 0, 0, kAdminAcl, slowlog_reset, "server", "2.2.12",
             "Clear all entries from the slow log",
             "O(N) where N is the number of entries in the slowlog"});
  table.add({"slowlog|help", 2, kCmdLoading | kCmdStale, 0, 0, 0, 0, slowlog_help, "server",
             "6.2.0", "Show helpful text about the different subcommands", "O(1)"});
}

}  // namespace stashd
