// Owns: the list of command families; each family file registers its rows in the table.
// Must not touch: anything else. Thread: main, before the loop starts.
#pragma once

#include "stashd/command/command_table.h"

namespace stashd {

void register_string_commands(CommandTable& table);   // src/commands/string_cmds.cpp
void register_bit_commands(CommandTable& table);      // src/commands/bit_cmds.cpp
void register_key_commands(CommandTable& table);      // src/commands/key_cmds.cpp
void register_server_commands(CommandTable& table);   // src/commands/server_cmds.cpp
void register_tracking_commands(CommandTable& table);  // src/commands/tracking_cmds.cpp (CLIENT ...)
void register_connection_commands(CommandTable& table);  // src/commands/connection_cmds.cpp
void register_transaction_commands(CommandTable& table);  // src/commands/transaction_cmds.cpp
void register_pubsub_commands(CommandTable& table);   // src/commands/pubsub_cmds.cpp
void register_list_commands(CommandTable& table);     // src/commands/list_cmds.cpp
void register_blocking_list_commands(CommandTable& table);  // src/commands/blocking_list_cmds.cpp
void register_hash_commands(CommandTable& table);     // src/commands/hash_cmds.cpp
void register_set_commands(CommandTable& table);      // src/commands/set_cmds.cpp
void register_zset_commands(CommandTable& table);     // src/commands/zset_cmds.cpp
void register_blocking_zset_commands(CommandTable& table);  // src/commands/blocking_zset_cmds.cpp
void register_sort_commands(CommandTable& table);     // src/commands/sort_cmds.cpp
void register_memory_commands(CommandTable& table);   // src/commands/memory_cmds.cpp
void register_dump_commands(CommandTable& table);     // src/commands/dump_cmds.cpp
void register_persistence_commands(CommandTable& table);  // src/commands/persistence_cmds.cpp
void register_replication_commands(CommandTable& table);  // src/commands/replication_cmds.cpp

inline void register_all_commands(CommandTable& table) {
  register_connection_commands(table);
  register_transaction_commands(table);
  register_pubsub_commands(table);
  register_list_commands(table);
  register_blocking_list_commands(table);
  register_string_commands(table);
  register_bit_commands(table);
  register_key_commands(table);
  register_server_commands(table);
  register_tracking_commands(table);  // after CLIENT, whose subcommands these are
  register_hash_commands(table);
  register_set_commands(table);
  register_zset_commands(table);
  register_blocking_zset_commands(table);
  register_sort_commands(table);
  register_memory_commands(table);
  register_dump_commands(table);
  register_persistence_commands(table);
  register_replication_commands(table);
}

}  // namespace stashd
