// Owns: the server family's entry point (register_server_commands, which also registers the rows
// of client_cmds, config_cmds, slowlog_cmds, command_cmds and debug_cmds), the family's shared
// helpers, and DBSIZE FLUSHDB FLUSHALL TIME INFO MONITOR SHUTDOWN.
// Must not touch: sockets, persistence, replication (SHUTDOWN goes through ServerControl).
// Thread: the event loop.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <string>

#include "commands/server_family.h"
#include "stashd/admin/info.h"
#include "stashd/command/context.h"
#include "stashd/commands/registry.h"
#include "stashd/common/strings.h"

namespace stashd {

namespace {

std::string upper(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return r;
}

// FLUSHDB/FLUSHALL's optional ASYNC|SYNC; false (after replying) on anything else.
bool parse_flush_mode(CommandContext& ctx) {
  if (ctx.argc() == 1) return true;
  if (ctx.argc() == 2 && (ctx.arg_is(1, "ASYNC") || ctx.arg_is(1, "SYNC"))) return true;
  ctx.error(errors::kSyntax);
  return false;
}

// Empties one database, counts its keys as changes and fails transactions watching it. ASYNC is
// accepted but the work is done here, synchronously: freeing in the background needs the
// lazy-free thread, which comes later.
void flush_db(CommandContext& ctx, Db& db) {
  ctx.node.dirty += db.size();
  ctx.db_changed(db.id());
  db.clear();
}

void dbsize(CommandContext& ctx) { ctx.out.integer(static_cast<int64_t>(ctx.db().size())); }

// Both propagate even when there was nothing to flush, as Redis 7 does.
void flushdb(CommandContext& ctx) {
  if (!parse_flush_mode(ctx)) return;
  flush_db(ctx, ctx.db());
  ctx.force_propagate();
  ctx.out.ok();
}

void flushall(CommandContext& ctx) {
  if (!parse_flush_mode(ctx)) return;
  Keyspace& ks = ctx.keyspace();
  for (int i = 0; i < ks.databases(); ++i) flush_db(ctx, ks.db(i));
  ctx.force_propagate();
  ctx.out.ok();
}

void time_cmd(CommandContext& ctx) {
  int64_t now_us = ctx.node.clock().now_us();
  ctx.out.array(2);
  ctx.out.bulk(i64_to_string(now_us / 1000000));
  ctx.out.bulk(i64_to_string(now_us % 1000000));
}

void info(CommandContext& ctx) {
  InfoSelection selection = InfoSelection::parse(ctx.argv.subspan(1));
  ctx.out.verbatim(render_info(ctx.node, selection));
}

void monitor(CommandContext& ctx) {
  // A client already monitoring gets no second OK, as in Redis.
  if (ctx.client.has(kClientMonitor)) return;
  ctx.client.flags |= kClientMonitor;
  ctx.node.monitors().push_back(&ctx.client);
  ctx.out.ok();
}

void shutdown(CommandContext& ctx) {
  bool nosave = false;
  bool save = false;
  bool now = false;
  bool force = false;
  bool abort = false;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    if (ctx.arg_is(i, "NOSAVE")) {
      nosave = true;
    } else if (ctx.arg_is(i, "SAVE")) {
      save = true;
    } else if (ctx.arg_is(i, "NOW")) {
      now = true;
    } else if (ctx.arg_is(i, "FORCE")) {
      force = true;
    } else if (ctx.arg_is(i, "ABORT")) {
      abort = true;
    } else {
      ctx.error(errors::kSyntax);
      return;
    }
  }
  if ((abort && (nosave || save || now || force)) || (nosave && save)) {
    ctx.error(errors::kSyntax);
    return;
  }
  // A shutdown is never left in progress: ServerControl stops the loop at once (no save to wait
  // for yet), so there is never one to abort.
  if (abort) {
    ctx.error("ERR No shutdown in progress.");
    return;
  }
  if (ctx.node.control == nullptr) {
    ctx.error("ERR Errors trying to SHUTDOWN. Check logs.");
    return;
  }
  std::string failure = ctx.node.control->request_shutdown(nosave, save, now, force);
  if (!failure.empty()) ctx.error(failure);
}

}  // namespace

void reply_help(CommandContext& ctx, std::string_view command,
                std::initializer_list<std::string_view> lines) {
  ctx.out.array(static_cast<int64_t>(lines.size()) + 3);
  ctx.out.simple(
      fmt::format("{} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", command));
  for (std::string_view line : lines) ctx.out.simple(line);
  ctx.out.simple("HELP");
  ctx.out.simple("    Prints this help.");
}

void reply_subcommand_syntax_error(CommandContext& ctx) {
  ctx.error(
      fmt::format("ERR unknown subcommand or wrong number of arguments for '{}'. Try {} HELP.",
                  ctx.arg(1).substr(0, 128), upper(ctx.arg(0))));
}

bool is_valid_client_attribute(std::string_view value) {
  return std::all_of(value.begin(), value.end(), [](char c) { return c >= '!' && c <= '~'; });
}

void register_server_commands(CommandTable& table) {
  constexpr uint32_t kAdminRow = kCmdAdmin | kCmdNoscript | kCmdLoading | kCmdStale;
  table.add({"dbsize", 1, kCmdReadonly | kCmdFast, 0, 0, 0, kAclKeyspace | kAclRead, dbsize,
             "server", "1.0.0", "Return the number of keys in the selected database", "O(1)"});
  table.add({"flushdb", -1, kCmdWrite, 0, 0, 0, kAclKeyspace | kAclWrite | kAclDangerous, flushdb,
             "server", "1.0.0", "Remove all keys from the current database",
             "O(N) where N is the number of keys in the selected database"});
  table.add({"flushall", -1, kCmdWrite, 0, 0, 0, kAclKeyspace | kAclWrite | kAclDangerous, flushall,
             "server", "1.0.0", "Remove all keys from all databases",
             "O(N) where N is the total number of keys in all databases"});
  table.add({"time", 1, kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0, 0, time_cmd, "server", "2.6.0",
             "Return the current server time", "O(1)"});
  table.add({"info", -1, kCmdLoading | kCmdStale, 0, 0, 0, kAclDangerous, info, "server", "1.0.0",
             "Get information and statistics about the server", "O(1)"});
  table.add({"monitor", 1, kAdminRow, 0, 0, 0, kAclAdmin | kAclDangerous, monitor, "server",
             "1.0.0", "Listen for all requests received by the server in real time", ""});
  table.add({"shutdown", -1, kAdminRow | kCmdNoMulti | kCmdAllowBusy, 0, 0, 0,
             kAclAdmin | kAclDangerous, shutdown, "server", "1.0.0",
             "Synchronously save the dataset to disk and then shut down the server",
             "O(N) when saving, where N is the total number of keys in all databases when saving "
             "data, otherwise O(1)"});
  register_client_rows(table);
  register_config_rows(table);
  register_slowlog_rows(table);
  register_command_rows(table);
  register_debug_rows(table);
}

}  // namespace stashd
