// Owns: CONFIG GET SET RESETSTAT REWRITE HELP: argument shapes and replies. The option semantics
// belong to ConfigRegistry (config module) and the statistics reset to the admin module.
// Must not touch: sockets, the config file, option internals. Thread: the event loop.
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "commands/server_family.h"
#include "stashd/admin/info.h"
#include "stashd/command/context.h"

namespace stashd {

namespace {

// Options matching any pattern, each once, in the order the patterns first match them.
void config_get(CommandContext& ctx) {
  std::vector<std::pair<std::string, std::string>> found;
  std::unordered_set<std::string> seen;
  for (size_t i = 2; i < ctx.argc(); ++i) {
    for (auto& option : ctx.node.config_registry().get(ctx.arg(i))) {
      if (seen.insert(option.first).second) found.push_back(std::move(option));
    }
  }
  ctx.out.map(static_cast<int64_t>(found.size()));
  for (const auto& [name, value] : found) {
    ctx.out.bulk(name);
    ctx.out.bulk(value);
  }
}

void config_set(CommandContext& ctx) {
  if (ctx.argc() % 2 != 0) {
    ctx.error(errors::kSyntax);
    return;
  }
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
  for (size_t i = 2; i < ctx.argc(); i += 2) pairs.emplace_back(ctx.arg(i), ctx.arg(i + 1));
  Status status = ctx.node.config_registry().set_many(pairs);
  if (status) {
    ctx.out.ok();
  } else {
    ctx.error(status.message());
  }
}

void config_resetstat(CommandContext& ctx) {
  reset_info_stats(ctx.node);
  ctx.out.ok();
}

void config_rewrite(CommandContext& ctx) {
  Status status = ctx.node.config_registry().rewrite();
  if (status) {
    ctx.out.ok();
  } else {
    ctx.error(status.message());
  }
}

void config_help(CommandContext& ctx) {
  reply_help(ctx, "CONFIG",
             {
                 "GET <pattern>",
                 "    Return parameters matching the glob-like <pattern> and their values.",
                 "SET <directive> <value>",
                 "    Set the configuration <directive> to <value>.",
                 "RESETSTAT",
                 "    Reset statistics reported by the INFO command.",
                 "REWRITE",
                 "    Rewrite the configuration file.",
             });
}

}  // namespace

void register_config_rows(CommandTable& table) {
  constexpr uint32_t kAdminRow = kCmdAdmin | kCmdNoscript | kCmdLoading | kCmdStale;
  constexpr uint64_t kAdminAcl = kAclAdmin | kAclDangerous;
  table.add({"config", -2, 0, 0, 0, 0, 0, nullptr, "server", "2.0.0",
             "A container for server configuration commands", "Depends on subcommand."});
  table.add({"config|get", -3, kAdminRow, 0, 0, 0, kAdminAcl, config_get, "server", "2.0.0",
             "Get the values of configuration parameters",
             "O(N) when N is the number of configuration parameters provided"});
  table.add({"config|set", -4, kAdminRow, 0, 0, 0, kAdminAcl, config_set, "server", "2.0.0",
             "Set configuration parameters to the given values",
             "O(N) when N is the number of configuration parameters provided"});
  table.add({"config|resetstat", 2, kAdminRow, 0, 0, 0, kAdminAcl, config_resetstat, "server",
             "2.0.0", "Reset the stats returned by INFO", "O(1)"});
  table.add({"config|rewrite", 2, kAdminRow, 0, 0, 0, kAdminAcl, config_rewrite, "server", "2.8.0",
             "Rewrite the configuration file with the in memory configuration", "O(1)"});
  table.add({"config|help", 2, kCmdLoading | kCmdStale, 0, 0, 0, 0, config_help, "server", "5.0.0",
             "Show helpful text about the different subcommands", "O(1)"});
}

}  // namespace stashd
