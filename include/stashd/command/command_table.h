// Owns: the command table, the single source of truth for every command: name, arity, flags, key
// positions, ACL categories, docs and handler, plus per-command call statistics. Dispatch, COMMAND,
// COMMAND DOCS and (later) OOM rejection, propagation and cluster slot checks all read these rows.
// Must not touch: sockets, the keyspace. Thread: the event loop.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "stashd/command/command_latency.h"

namespace stashd {

class CommandContext;
using CommandHandler = void (*)(CommandContext&);

// Command flags, named as Redis's COMMAND INFO reports them.
enum CommandFlag : uint32_t {
  kCmdWrite = 1u << 0,
  kCmdReadonly = 1u << 1,
  kCmdDenyOom = 1u << 2,
  kCmdAdmin = 1u << 3,
  kCmdPubsub = 1u << 4,
  kCmdNoscript = 1u << 5,
  kCmdBlocking = 1u << 6,
  kCmdLoading = 1u << 7,
  kCmdStale = 1u << 8,
  kCmdSkipMonitor = 1u << 9,
  kCmdSkipSlowlog = 1u << 10,
  kCmdFast = 1u << 11,
  kCmdNoAuth = 1u << 12,
  kCmdMayReplicate = 1u << 13,
  kCmdNoMulti = 1u << 14,
  kCmdAllowBusy = 1u << 15,
  // Internal (not shown by COMMAND): runs immediately inside MULTI instead of being queued
  // (MULTI EXEC DISCARD WATCH QUIT RESET).
  kCmdTransactionControl = 1u << 31,
  // Internal: allowed for a RESP2 client in subscribed mode ((P)SUBSCRIBE, PING, QUIT, RESET...).
  kCmdSubscribedContext = 1u << 30,
};

// ACL categories (the "@name" strings Redis reports). @fast/@slow come from kCmdFast.
enum AclCategory : uint64_t {
  kAclKeyspace = 1ull << 0,
  kAclRead = 1ull << 1,
  kAclWrite = 1ull << 2,
  kAclSet = 1ull << 3,
  kAclSortedSet = 1ull << 4,
  kAclList = 1ull << 5,
  kAclHash = 1ull << 6,
  kAclString = 1ull << 7,
  kAclBitmap = 1ull << 8,
  kAclPubsub = 1ull << 9,
  kAclAdmin = 1ull << 10,
  kAclBlocking = 1ull << 11,
  kAclDangerous = 1ull << 12,
  kAclConnection = 1ull << 13,
  kAclTransaction = 1ull << 14,
  kAclScripting = 1ull << 15,
};

struct CommandSpec {
  std::string_view name;  // lower case; a subcommand is "parent|sub"
  int arity;              // > 0: exact argc; < 0: at least -arity (argv[0] counts)
  uint32_t flags;
  int first_key;          // 0 = no keys
  int last_key;           // -1 = last argument
  int key_step;
  uint64_t acl;
  CommandHandler handler;  // nullptr for a container whose subcommands do the work
  std::string_view group;  // "string", "generic", "server", "connection", "bitmap", ...
  std::string_view since;
  std::string_view summary;
  std::string_view complexity;
};

struct Command {
  CommandSpec spec;
  std::string full_name;  // "get", "config|get"
  const Command* parent = nullptr;
  CommandFamily family = CommandFamily::kOther;  // from spec.group: the latency histogram it feeds
  std::vector<std::unique_ptr<Command>> subcommands;
  // Statistics for INFO commandstats.
  uint64_t calls = 0;
  uint64_t usec = 0;
  uint64_t rejected_calls = 0;
  uint64_t failed_calls = 0;

  bool has(uint32_t flag) const { return (spec.flags & flag) != 0; }
  const Command* find_subcommand(std::string_view name) const;
  // The argv positions of keys for this row (first/last/step), for argc arguments.
  std::vector<int> key_positions(int argc) const;
};

class CommandTable {
 public:
  // Adds a row; "parent|sub" rows attach to an already added parent.
  void add(const CommandSpec& spec);
  // Case-insensitive lookup of a top-level command; no allocation for names up to 64 bytes.
  const Command* find(std::string_view name) const;
  Command* find_mutable(std::string_view name);
  const std::vector<Command*>& all() const { return ordered_; }
  size_t size() const { return ordered_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::unique_ptr<Command>, Hash, std::equal_to<>> commands_;
  std::vector<Command*> ordered_;
};

// Flag and category names as COMMAND INFO prints them.
std::vector<std::string_view> command_flag_names(const Command& cmd);
std::vector<std::string> acl_category_names(const Command& cmd);

}  // namespace stashd
