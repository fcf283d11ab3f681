// Owns: the private split of the server family. register_server_commands (server_cmds.cpp) adds
// its own rows and calls the registration of every other file of the family, and the family's
// shared reply helpers. Must not touch: anything else. Thread: main (registration), event loop.
#pragma once

#include <initializer_list>
#include <string_view>

namespace stashd {

class CommandContext;
class CommandTable;

void register_client_rows(CommandTable& table);   // client_cmds.cpp
void register_config_rows(CommandTable& table);   // config_cmds.cpp
void register_slowlog_rows(CommandTable& table);  // slowlog_cmds.cpp
void register_command_rows(CommandTable& table);  // command_cmds.cpp
void register_debug_rows(CommandTable& table);    // debug_cmds.cpp

// Redis's HELP reply: "<COMMAND> <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", the
// given lines, then "HELP" / "    Prints this help.", each as a simple string.
void reply_help(CommandContext& ctx, std::string_view command,
                std::initializer_list<std::string_view> lines);
// "ERR unknown subcommand or wrong number of arguments for '<argv[1]>'. Try <ARGV[0]> HELP."
void reply_subcommand_syntax_error(CommandContext& ctx);

// Client names and CLIENT SETINFO values: printable ASCII without spaces (Redis's rule).
bool is_valid_client_attribute(std::string_view value);

}  // namespace stashd
