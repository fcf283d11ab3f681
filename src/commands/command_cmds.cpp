// Owns: COMMAND and its subcommands COUNT INFO DOCS LIST GETKEYS HELP: the command table printed
// in Redis 7's formats. Must not touch: sockets, the table's rows (read only). Thread: event loop.
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "commands/server_family.h"
#include "stashd/command/context.h"
#include "stashd/common/strings.h"

namespace stashd {

namespace {

void command_cmd(CommandContext& ctx);
void command_count(CommandContext& ctx);
void command_info(CommandContext& ctx);
void command_docs(CommandContext& ctx);
void command_list(CommandContext& ctx);
void command_getkeys(CommandContext& ctx);
void command_help(CommandContext& ctx);

constexpr uint32_t kCommandFlags = kCmdLoading | kCmdStale;

// The dispatcher treats a row with subcommands as a container that cannot run bare, yet plain
// COMMAND must run; so COMMAND is one row that routes its subcommands itself, and their rows
// live here, still printed by COMMAND INFO/DOCS/LIST as Redis prints them.
constexpr CommandSpec kSubcommandSpecs[] = {
    {"command|count", 2, kCommandFlags, 0, 0, 0, kAclConnection, command_count, "server", "2.8.13",
     "Get total number of Redis commands", "O(1)"},
    {"command|info", -2, kCommandFlags, 0, 0, 0, kAclConnection, command_info, "server", "2.8.13",
     "Get array of specific Redis command details, or all when no argument is given.",
     "O(N) where N is the number of commands to look up"},
    {"command|docs", -2, kCommandFlags, 0, 0, 0, kAclConnection, command_docs, "server", "7.0.0",
     "Get array of specific Redis command documentation",
     "O(N) where N is the number of commands to look up"},
    {"command|list", -2, kCommandFlags, 0, 0, 0, kAclConnection, command_list, "server", "7.0.0",
     "Get an array of Redis command names", "O(N) where N is the total number of Redis commands"},
    {"command|getkeys", -4, kCommandFlags, 0, 0, 0, kAclConnection, command_getkeys, "server",
     "2.8.13", "Extract keys given a full Redis command",
     "O(N) where N is the number of arguments to the command"},
    {"command|help", 2, kCommandFlags, 0, 0, 0, kAclConnection, command_help, "server", "5.0.0",
     "Show helpful text about the different subcommands", "O(1)"},
};

const std::vector<Command>& command_subcommands() {
  static const std::vector<Command> rows = [] {
    std::vector<Command> v;
    for (const CommandSpec& spec : kSubcommandSpecs) {
      Command row;
      row.spec = spec;
      row.full_name = std::string(spec.name);
      v.push_back(std::move(row));
    }
    return v;
  }();
  return rows;
}

bool is_command_row(const Command& cmd) { return cmd.spec.handler == command_cmd; }

const Command* find_command_subcommand(std::string_view name) {
  for (const Command& sub : command_subcommands()) {
    if (iequals(std::string_view(sub.full_name).substr(sizeof("command|") - 1), name)) return &sub;
  }
  return nullptr;
}

size_t subcommand_count(const Command& cmd) {
  return is_command_row(cmd) ? command_subcommands().size() : cmd.subcommands.size();
}

template <typename Fn>
void for_each_subcommand(const Command& cmd, Fn fn) {
  if (is_command_row(cmd)) {
    for (const Command& sub : command_subcommands()) fn(sub);
  } else {
    for (const auto& sub : cmd.subcommands) fn(*sub);
  }
}

// "get", "config|get" (case-insensitive), or nullptr.
const Command* lookup(const CommandTable& table, std::string_view name) {
  size_t bar = name.find('|');
  const Command* parent = table.find(name.substr(0, bar));
  if (bar == std::string_view::npos || parent == nullptr) return parent;
  std::string_view sub = name.substr(bar + 1);
  return is_command_row(*parent) ? find_command_subcommand(sub) : parent->find_subcommand(sub);
}

// acl_category_names puts @fast/@slow last; Redis prints them between @admin and @blocking.
std::vector<std::string> redis_ordered_categories(const Command& cmd) {
  static constexpr std::string_view kAfterSpeed[] = {"@blocking", "@dangerous", "@connection",
                                                     "@transaction", "@scripting"};
  std::vector<std::string> names = acl_category_names(cmd);
  std::string speed = std::move(names.back());
  names.pop_back();
  auto pos = std::find_if(names.begin(), names.end(), [](const std::string& n) {
    return std::find(std::begin(kAfterSpeed), std::end(kAfterSpeed), n) != std::end(kAfterSpeed);
  });
  names.insert(pos, std::move(speed));
  return names;
}

// One COMMAND INFO row: name, arity, flags, first/last/step, ACL categories, tips, key specs,
// subcommands. Redis 7.0 sends the flag, category, tip and key-spec lists as sets.
void write_info(resp::ReplyWriter& out, const Command& cmd) {
  out.array(10);
  out.bulk(cmd.full_name);
  out.integer(cmd.spec.arity);
  std::vector<std::string_view> flags = command_flag_names(cmd);
  out.set(static_cast<int64_t>(flags.size()));
  for (std::string_view flag : flags) out.simple(flag);
  out.integer(cmd.spec.first_key);
  out.integer(cmd.spec.last_key);
  out.integer(cmd.spec.key_step);
  std::vector<std::string> categories = redis_ordered_categories(cmd);
  out.set(static_cast<int64_t>(categories.size()));
  for (const std::string& category : categories) out.simple(category);
  out.set(0);  // tips
  out.set(0);  // key specs
  // Redis 7.0 sends no subcommands as an empty set, but a non-empty list as an array.
  size_t subs = subcommand_count(cmd);
  if (subs == 0) {
    out.set(0);
    return;
  }
  out.array(static_cast<int64_t>(subs));
  for_each_subcommand(cmd, [&](const Command& sub) { write_info(out, sub); });
}

void write_docs(resp::ReplyWriter& out, const Command& cmd) {
  size_t subs = subcommand_count(cmd);
  out.map(3 + (cmd.spec.complexity.empty() ? 0 : 1) + (subs ? 1 : 0));
  out.bulk("summary");
  out.bulk(cmd.spec.summary);
  out.bulk("since");
  out.bulk(cmd.spec.since);
  out.bulk("group");
  out.bulk(cmd.spec.group);
  if (!cmd.spec.complexity.empty()) {
    out.bulk("complexity");
    out.bulk(cmd.spec.complexity);
  }
  if (subs) {
    out.bulk("subcommands");
    out.map(static_cast<int64_t>(subs));
    for_each_subcommand(cmd, [&](const Command& sub) {
      out.bulk(sub.full_name);
      write_docs(out, sub);
    });
  }
}

void reply_all_infos(CommandContext& ctx) {
  const auto& all = ctx.node.commands().all();
  ctx.out.array(static_cast<int64_t>(all.size()));
  for (const Command* cmd : all) write_info(ctx.out, *cmd);
}

void command_cmd(CommandContext& ctx) {
  if (ctx.argc() == 1) {
    reply_all_infos(ctx);
    return;
  }
  const Command* sub = find_command_subcommand(ctx.arg(1));
  if (sub == nullptr) {
    ctx.error(
        fmt::format("ERR unknown subcommand '{}'. Try COMMAND HELP.", ctx.arg(1).substr(0, 128)));
    return;
  }
  int argc = static_cast<int>(ctx.argc());
  if ((sub->spec.arity > 0 && argc != sub->spec.arity) || argc < -sub->spec.arity) {
    ctx.error(fmt::format("ERR wrong number of arguments for '{}' command", sub->full_name));
    return;
  }
  sub->spec.handler(ctx);
}

void command_count(CommandContext& ctx) {
  ctx.out.integer(static_cast<int64_t>(ctx.node.commands().size()));
}

void command_info(CommandContext& ctx) {
  if (ctx.argc() == 2) {
    reply_all_infos(ctx);
    return;
  }
  ctx.out.array(static_cast<int64_t>(ctx.argc() - 2));
  for (size_t i = 2; i < ctx.argc(); ++i) {
    const Command* cmd = lookup(ctx.node.commands(), ctx.arg(i));
    if (cmd == nullptr) {
      ctx.out.null();
    } else {
      write_info(ctx.out, *cmd);
    }
  }
}

void command_docs(CommandContext& ctx) {
  std::vector<const Command*> found;
  if (ctx.argc() == 2) {
    const auto& all = ctx.node.commands().all();
    found.assign(all.begin(), all.end());
  }
  for (size_t i = 2; i < ctx.argc(); ++i) {
    if (const Command* cmd = lookup(ctx.node.commands(), ctx.arg(i))) found.push_back(cmd);
  }
  ctx.out.map(static_cast<int64_t>(found.size()));
  for (const Command* cmd : found) {
    ctx.out.bulk(cmd->full_name);
    write_docs(ctx.out, *cmd);
  }
}

bool in_category(const Command& cmd, std::string_view category) {
  for (const std::string& name : acl_category_names(cmd)) {
    if (iequals(std::string_view(name).substr(1), category)) return true;
  }
  return false;
}

void command_list(CommandContext& ctx) {
  enum class Filter { kNone, kModule, kAclCat, kPattern } filter = Filter::kNone;
  if (ctx.argc() == 5 && ctx.arg_is(2, "FILTERBY")) {
    if (ctx.arg_is(3, "MODULE")) {
      filter = Filter::kModule;
    } else if (ctx.arg_is(3, "ACLCAT")) {
      filter = Filter::kAclCat;
    } else if (ctx.arg_is(3, "PATTERN")) {
      filter = Filter::kPattern;
    }
  }
  if (ctx.argc() != 2 && filter == Filter::kNone) {
    ctx.error(errors::kSyntax);
    return;
  }
  std::string_view value = ctx.argc() == 5 ? ctx.arg(4) : std::string_view();
  auto keep = [&](const Command& cmd) {
    switch (filter) {
      case Filter::kNone:
        return true;
      case Filter::kModule:
        return false;  // stashd has no modules
      case Filter::kAclCat:
        return in_category(cmd, value);
      case Filter::kPattern:
        return glob_match(value, cmd.full_name, true);
    }
    return false;
  };
  std::vector<std::string_view> names;
  for (const Command* cmd : ctx.node.commands().all()) {
    if (keep(*cmd)) names.push_back(cmd->full_name);
    for_each_subcommand(*cmd, [&](const Command& sub) {
      if (keep(sub)) names.push_back(sub.full_name);
    });
  }
  ctx.out.array(static_cast<int64_t>(names.size()));
  for (std::string_view name : names) ctx.out.bulk(name);
}

// COMMAND GETKEYS <command> <arg>...: the key arguments by the row's first/last/step.
void command_getkeys(CommandContext& ctx) {
  std::span<const std::string_view> args = ctx.argv.subspan(2);
  const Command* cmd = ctx.node.commands().find(args[0]);
  if (cmd != nullptr && !cmd->subcommands.empty() && args.size() >= 2) {
    cmd = cmd->find_subcommand(args[1]);
  }
  if (cmd == nullptr) {
    ctx.error("ERR Invalid command specified");
    return;
  }
  if (cmd->spec.first_key <= 0) {
    ctx.error("ERR The command has no key arguments");
    return;
  }
  int argc = static_cast<int>(args.size());
  if ((cmd->spec.arity > 0 && argc != cmd->spec.arity) || argc < -cmd->spec.arity) {
    ctx.error("ERR Invalid number of arguments specified for command");
    return;
  }
  std::vector<int> positions = cmd->key_positions(argc);
  if (positions.empty()) {
    ctx.error("ERR Invalid arguments specified for command");
    return;
  }
  ctx.out.array(static_cast<int64_t>(positions.size()));
  for (int pos : positions) ctx.out.bulk(args[static_cast<size_t>(pos)]);
}

void command_help(CommandContext& ctx) {
  reply_help(ctx, "COMMAND",
             {
                 "(no subcommand)",
                 "    Return details about all Redis commands.",
                 "COUNT",
                 "    Return the total number of commands in this Redis server.",
                 "LIST",
                 "    Return a list of all commands in this Redis server.",
                 "INFO [<command-name> ...]",
                 "    Return details about multiple Redis commands.",
                 "    If no command names are given, documentation details for all",
                 "    commands are returned.",
                 "DOCS [<command-name> ...]",
                 "    Return documentation details about multiple Redis commands.",
                 "    If no command names are given, documentation details for all",
                 "    commands are returned.",
                 "GETKEYS <full-command>",
                 "    Return the keys from a full Redis command.",
             });
}

}  // namespace

void register_command_rows(CommandTable& table) {
  table.add({"command", -1, kCommandFlags, 0, 0, 0, kAclConnection, command_cmd, "server", "2.8.13",
             "Get array of Redis command details",
             "O(N) where N is the total number of Redis commands"});
}

}  // namespace stashd
