// Owns: the command table rows and lookups (see command_table.h). Thread: the event loop.
#include "stashd/command/command_table.h"

#include <cctype>

namespace stashd {

namespace {
// Lower-cases a command name into a stack buffer; false if it is too long to be a command.
bool lower_into(std::string_view name, char (&buf)[64], std::string_view* out) {
  if (name.size() > sizeof(buf)) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    buf[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[i])));
  }
  *out = {buf, name.size()};
  return true;
}
}  // namespace

const Command* Command::find_subcommand(std::string_view name) const {
  char buf[64] = {};  // initialised: GCC 12 cannot see that lower_into fills what is hashed
  std::string_view lower;
  if (!lower_into(name, buf, &lower)) return nullptr;
  for (const auto& sub : subcommands) {
    std::string_view sub_name = sub->spec.name.substr(sub->spec.name.find('|') + 1);
    if (sub_name == lower) return sub.get();
  }
  return nullptr;
}

std::vector<int> Command::key_positions(int argc) const {
  std::vector<int> keys;
  if (spec.first_key <= 0) return keys;
  int last = spec.last_key < 0 ? argc + spec.last_key : spec.last_key;
  int step = spec.key_step > 0 ? spec.key_step : 1;
  for (int i = spec.first_key; i <= last && i < argc; i += step) keys.push_back(i);
  return keys;
}

void CommandTable::add(const CommandSpec& spec) {
  auto cmd = std::make_unique<Command>();
  cmd->spec = spec;
  cmd->full_name = std::string(spec.name);
  cmd->family = command_family(spec.group);
  size_t bar = spec.name.find('|');
  if (bar != std::string_view::npos) {
    Command* parent = find_mutable(spec.name.substr(0, bar));
    if (parent == nullptr) return;
    cmd->parent = parent;
    parent->subcommands.push_back(std::move(cmd));
    return;
  }
  ordered_.push_back(cmd.get());
  commands_[cmd->full_name] = std::move(cmd);
}

const Command* CommandTable::find(std::string_view name) const {
  char buf[64] = {};  // initialised: GCC 12 cannot see that lower_into fills what is hashed
  std::string_view lower;
  if (!lower_into(name, buf, &lower)) return nullptr;
  auto it = commands_.find(lower);
  return it == commands_.end() ? nullptr : it->second.get();
}

Command* CommandTable::find_mutable(std::string_view name) {
  return const_cast<Command*>(static_cast<const CommandTable*>(this)->find(name));
}

std::vector<std::string_view> command_flag_names(const Command& cmd) {
  static constexpr std::pair<uint32_t, std::string_view> kNames[] = {
      {kCmdWrite, "write"},         {kCmdReadonly, "readonly"},     {kCmdDenyOom, "denyoom"},
      {kCmdAdmin, "admin"},         {kCmdPubsub, "pubsub"},         {kCmdNoscript, "noscript"},
      {kCmdBlocking, "blocking"},   {kCmdLoading, "loading"},       {kCmdStale, "stale"},
      {kCmdSkipMonitor, "skip_monitor"}, {kCmdSkipSlowlog, "skip_slowlog"},
      {kCmdFast, "fast"},           {kCmdNoAuth, "no_auth"},        {kCmdMayReplicate, "may_replicate"},
      {kCmdNoMulti, "no_multi"},    {kCmdAllowBusy, "allow_busy"},
  };
  std::vector<std::string_view> names;
  for (const auto& [flag, name] : kNames) {
    if (cmd.has(flag)) names.push_back(name);
  }
  return names;
}

std::vector<std::string> acl_category_names(const Command& cmd) {
  static constexpr std::pair<uint64_t, std::string_view> kNames[] = {
      {kAclKeyspace, "keyspace"},   {kAclRead, "read"},          {kAclWrite, "write"},
      {kAclSet, "set"},             {kAclSortedSet, "sortedset"}, {kAclList, "list"},
      {kAclHash, "hash"},           {kAclString, "string"},      {kAclBitmap, "bitmap"},
      {kAclPubsub, "pubsub"},       {kAclAdmin, "admin"},        {kAclBlocking, "blocking"},
      {kAclDangerous, "dangerous"}, {kAclConnection, "connection"},
      {kAclTransaction, "transaction"}, {kAclScripting, "scripting"},
  };
  std::vector<std::string> names;
  for (const auto& [flag, name] : kNames) {
    if (cmd.spec.acl & flag) names.push_back(std::string("@").append(name));
  }
  names.push_back(cmd.has(kCmdFast) ? "@fast" : "@slow");
  return names;
}

}  // namespace stashd
