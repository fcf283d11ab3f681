// Owns: CLIENT ID SETNAME GETNAME LIST INFO KILL REPLY PAUSE UNPAUSE NO-EVICT SETINFO HELP, and
// the CLIENT LIST line format. Must not touch: sockets (closing and buffer sizes go through
// ClientTransport), persistence, replication. Thread: the event loop.
#include <fmt/format.h>

#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "commands/server_family.h"
#include "stashd/command/context.h"
#include "stashd/common/strings.h"

namespace stashd {

namespace {

// Client classes as CLIENT LIST TYPE / CLIENT KILL TYPE name them.
enum class ClientType { kNormal, kMaster, kReplica, kPubsub };

std::optional<ClientType> parse_client_type(std::string_view name) {
  if (iequals(name, "normal")) return ClientType::kNormal;
  if (iequals(name, "master")) return ClientType::kMaster;
  if (iequals(name, "replica") || iequals(name, "slave")) return ClientType::kReplica;
  if (iequals(name, "pubsub")) return ClientType::kPubsub;
  return std::nullopt;
}

// A MONITOR client counts as normal, as in Redis.
ClientType type_of(const Client& c) {
  if (c.has(kClientMaster)) return ClientType::kMaster;
  if (c.has(kClientReplica)) return ClientType::kReplica;
  return c.has(kClientPubsub) ? ClientType::kPubsub : ClientType::kNormal;
}

void reply_unknown_type(CommandContext& ctx, std::string_view name) {
  ctx.error(fmt::format("ERR Unknown client type '{}'", name));
}

std::string flag_letters(const Client& c) {
  std::string flags;
  if (c.has(kClientMonitor)) flags += 'O';
  if (c.has(kClientReplica)) flags += 'S';
  if (c.has(kClientMaster)) flags += 'M';
  if (c.blocked) flags += 'b';
  if (c.tracking) flags += 't';
  if (c.tracking && c.tracking_options.bcast) flags += 'B';
  if (c.has(kClientPubsub)) flags += 'P';
  if (c.has(kClientMulti)) flags += 'x';
  if (c.has(kClientCloseAfterReply)) flags += 'c';
  if (c.has(kClientNoEvict)) flags += 'e';
  return flags.empty() ? "N" : flags;
}

// One CLIENT LIST line, ending in "\n". `ctx.client` is mid-command: its cmd= is this command.
// tot-mem is an estimate: the client object plus its query and reply buffers.
std::string describe(const CommandContext& ctx, const Client& c) {
  size_t qbuf = c.transport ? c.transport->query_buffer_bytes() : 0;
  size_t qbuf_free = c.transport ? c.transport->query_buffer_free() : 0;
  size_t omem = c.transport ? c.transport->output_pending_bytes() : 0;
  size_t total = sizeof(Client) + qbuf + qbuf_free + c.out.capacity() + omem;
  int64_t now = ctx.now_ms();
  std::string_view cmd = &c == &ctx.client ? std::string_view(ctx.command.full_name)
                                           : c.last_command != nullptr ? std::string_view(c.last_command->full_name)
                                                                   : std::string_view("NULL");
  int64_t multi = c.has(kClientMulti) ? static_cast<int64_t>(c.multi_queue.size()) : -1;
  return fmt::format(
      "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} sub={} psub={} ssub=0 "
      "multi={} qbuf={} qbuf-free={} argv-mem=0 multi-mem=0 rbs={} rbp=0 obl=0 oll=0 omem={} "
      "tot-mem={} events=r cmd={} user=default redir=-1 resp={}\n",
      c.id, c.addr, c.laddr, c.fd, c.name, (now - c.created_ms) / 1000,
      (now - c.last_interaction_ms) / 1000, flag_letters(c), c.db, c.channels.size(),
      c.patterns.size(), multi, qbuf, qbuf_free,
      c.out.capacity(), omem, total, cmd, c.protocol());
}

void kill_client(Client& c) {
  c.flags |= kClientCloseAfterReply;
  if (c.transport) c.transport->close_after_reply();
}

void client_id(CommandContext& ctx) { ctx.out.integer(static_cast<int64_t>(ctx.client.id)); }

void client_setname(CommandContext& ctx) {
  if (!is_valid_client_attribute(ctx.arg(2))) {
    ctx.error("ERR Client names cannot contain spaces, newlines or special characters.");
    return;
  }
  ctx.client.name = std::string(ctx.arg(2));
  ctx.out.ok();
}

void client_getname(CommandContext& ctx) {
  if (ctx.client.name.empty()) {
    ctx.out.null();
  } else {
    ctx.out.bulk(ctx.client.name);
  }
}

void client_info(CommandContext& ctx) { ctx.out.verbatim(describe(ctx, ctx.client)); }

void client_list(CommandContext& ctx) {
  std::optional<ClientType> type;
  std::vector<int64_t> ids;
  if (ctx.argc() == 4 && ctx.arg_is(2, "TYPE")) {
    type = parse_client_type(ctx.arg(3));
    if (!type) {
      reply_unknown_type(ctx, ctx.arg(3));
      return;
    }
  } else if (ctx.argc() >= 4 && ctx.arg_is(2, "ID")) {
    for (size_t i = 3; i < ctx.argc(); ++i) {
      int64_t id;
      if (!parse_i64(ctx.arg(i), &id)) {
        ctx.error("ERR Invalid client ID");
        return;
      }
      ids.push_back(id);
    }
  } else if (ctx.argc() != 2) {
    ctx.error(errors::kSyntax);
    return;
  }
  std::string text;
  if (!ids.empty()) {
    for (int64_t id : ids) {
      const Client* c = id > 0 ? ctx.node.find_client(static_cast<uint64_t>(id)) : nullptr;
      if (c != nullptr) text += describe(ctx, *c);
    }
  } else {
    for (const auto& [id, c] : ctx.node.clients()) {
      if (!type || type_of(*c) == *type) text += describe(ctx, *c);
    }
  }
  ctx.out.verbatim(text);
}

// CLIENT KILL <ip:port>: the old form, OK or an error.
void kill_by_address(CommandContext& ctx) {
  for (const auto& [id, c] : ctx.node.clients()) {
    if (c->addr == ctx.arg(2)) {
      kill_client(*c);
      ctx.out.ok();
      return;
    }
  }
  ctx.error("ERR No such client");
}

struct KillFilter {
  std::optional<uint64_t> id;
  std::optional<ClientType> type;
  std::optional<std::string_view> addr;
  std::optional<std::string_view> laddr;
  bool skip_me = true;

  bool matches(const Client& c, const Client& self) const {
    if (skip_me && &c == &self) return false;
    if (id && c.id != *id) return false;
    if (type && type_of(c) != *type) return false;
    if (addr && c.addr != *addr) return false;
    if (laddr && c.laddr != *laddr) return false;
    return true;
  }
};

// Parses CLIENT KILL's <filter> <value> pairs; nullopt after replying with the error.
std::optional<KillFilter> parse_kill_filter(CommandContext& ctx) {
  if (ctx.argc() % 2 != 0) {
    ctx.error(errors::kSyntax);
    return std::nullopt;
  }
  KillFilter filter;
  for (size_t i = 2; i < ctx.argc(); i += 2) {
    std::string_view value = ctx.arg(i + 1);
    if (ctx.arg_is(i, "ID")) {
      int64_t id;
      if (!parse_i64(value, &id) || id <= 0) {
        ctx.error("ERR client-id should be greater than 0");
        return std::nullopt;
      }
      filter.id = static_cast<uint64_t>(id);
    } else if (ctx.arg_is(i, "TYPE")) {
      filter.type = parse_client_type(value);
      if (!filter.type) {
        reply_unknown_type(ctx, value);
        return std::nullopt;
      }
    } else if (ctx.arg_is(i, "ADDR")) {
      filter.addr = value;
    } else if (ctx.arg_is(i, "LADDR")) {
      filter.laddr = value;
    } else if (ctx.arg_is(i, "USER")) {
      // "default" is the only user, and every client is authenticated as it.
      if (value != "default") {
        ctx.error(fmt::format("ERR No such user '{}'", value));
        return std::nullopt;
      }
    } else if (ctx.arg_is(i, "SKIPME") && (iequals(value, "yes") || iequals(value, "no"))) {
      filter.skip_me = iequals(value, "yes");
    } else {
      ctx.error(errors::kSyntax);
      return std::nullopt;
    }
  }
  return filter;
}

void client_kill(CommandContext& ctx) {
  if (ctx.argc() == 3) {
    kill_by_address(ctx);
    return;
  }
  std::optional<KillFilter> filter = parse_kill_filter(ctx);
  if (!filter) return;
  int64_t killed = 0;
  for (const auto& [id, c] : ctx.node.clients()) {
    if (!filter->matches(*c, ctx.client)) continue;
    kill_client(*c);
    ++killed;
  }
  ctx.out.integer(killed);
}

// ON replies OK; OFF and SKIP reply nothing (the dispatcher drops what follows accordingly).
void client_reply(CommandContext& ctx) {
  if (ctx.arg_is(2, "ON")) {
    ctx.client.reply_mode = ReplyMode::kOn;
    ctx.out.ok();
  } else if (ctx.arg_is(2, "OFF")) {
    ctx.client.reply_mode = ReplyMode::kOff;
  } else if (ctx.arg_is(2, "SKIP")) {
    if (ctx.client.reply_mode != ReplyMode::kOff) ctx.client.reply_mode = ReplyMode::kSkipNext;
  } else {
    ctx.error(errors::kSyntax);
  }
}

void client_pause(CommandContext& ctx) {
  if (ctx.argc() > 4) {
    reply_subcommand_syntax_error(ctx);
    return;
  }
  int64_t timeout;
  if (!parse_i64(ctx.arg(2), &timeout)) {
    ctx.error("ERR timeout is not an integer or out of range");
    return;
  }
  if (timeout < 0) {
    ctx.error("ERR timeout is negative");
    return;
  }
  bool writes_only = false;
  if (ctx.argc() == 4) {
    if (ctx.arg_is(3, "WRITE")) {
      writes_only = true;
    } else if (!ctx.arg_is(3, "ALL")) {
      ctx.error("ERR CLIENT PAUSE mode must be WRITE or ALL");
      return;
    }
  }
  NodeState& node = ctx.node;
  int64_t now = node.clock().now_ms();
  int64_t end = timeout > std::numeric_limits<int64_t>::max() - now
                    ? std::numeric_limits<int64_t>::max()
                    : now + timeout;
  // Like Redis, a new pause never shortens one in force nor relaxes ALL to WRITE.
  if (node.pause_end_ms > now) {
    node.pause_writes_only = node.pause_writes_only && writes_only;
    node.pause_end_ms = std::max(node.pause_end_ms, end);
  } else {
    node.pause_writes_only = writes_only;
    node.pause_end_ms = end;
  }
  ctx.out.ok();
}

void client_unpause(CommandContext& ctx) {
  ctx.node.pause_end_ms = 0;
  ctx.node.pause_writes_only = false;
  ctx.out.ok();
}

void client_no_evict(CommandContext& ctx) {
  if (ctx.arg_is(2, "ON")) {
    ctx.client.flags |= kClientNoEvict;
  } else if (ctx.arg_is(2, "OFF")) {
    ctx.client.flags &= ~kClientNoEvict;
  } else {
    ctx.error(errors::kSyntax);
    return;
  }
  ctx.out.ok();
}

// Redis 7.2's CLIENT SETINFO, which redis-py 5 and other clients send on connect.
void client_setinfo(CommandContext& ctx) {
  std::string* target = nullptr;
  if (ctx.arg_is(2, "LIB-NAME")) {
    target = &ctx.client.lib_name;
  } else if (ctx.arg_is(2, "LIB-VER")) {
    target = &ctx.client.lib_ver;
  } else {
    ctx.error(fmt::format("ERR Unrecognized option '{}'", ctx.arg(2)));
    return;
  }
  if (!is_valid_client_attribute(ctx.arg(3))) {
    ctx.error(
        fmt::format("ERR {} cannot contain spaces, newlines or special characters.", ctx.arg(2)));
    return;
  }
  *target = std::string(ctx.arg(3));
  ctx.out.ok();
}

void client_help(CommandContext& ctx) {
  reply_help(ctx, "CLIENT",
             {
                 "GETNAME",
                 "    Return the name of the current connection.",
                 "ID",
                 "    Return the ID of the current connection.",
                 "INFO",
                 "    Return information about the current client connection.",
                 "KILL <ip:port>",
                 "    Kill connection made from <ip:port>.",
                 "KILL <option> <value> [<option> <value> [...]]",
                 "    Kill connections. Options are:",
                 "    * ADDR (<ip:port>|<unixsocket>:0)",
                 "      Kill connections made from the specified address",
                 "    * LADDR (<ip:port>|<unixsocket>:0)",
                 "      Kill connections made to specified local address",
                 "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
                 "      Kill connections by type.",
                 "    * USER <username>",
                 "      Kill connections authenticated by <username>.",
                 "    * SKIPME (YES|NO)",
                 "      Skip killing current connection (default: yes).",
                 "LIST [options ...]",
                 "    Return information about client connections. Options:",
                 "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
                 "      Return clients of specified type.",
                 "UNPAUSE",
                 "    Stop the current client pause, resuming traffic.",
                 "PAUSE <timeout> [WRITE|ALL]",
                 "    Suspend all, or just write, clients for <timeout> milliseconds.",
                 "REPLY (ON|OFF|SKIP)",
                 "    Control the replies sent to the current connection.",
                 "SETNAME <name>",
                 "    Assign the name <name> to the current connection.",
                 "SETINFO <option> <value>",
                 "    Set client meta attr. Options are:",
                 "    * LIB-NAME: the client lib name.",
                 "    * LIB-VER: the client lib version.",
                 "NO-EVICT (ON|OFF)",
                 "    Protect current client connection from eviction.",
             });
}

}  // namespace

void register_client_rows(CommandTable& table) {
  constexpr uint32_t kRow = kCmdNoscript | kCmdLoading | kCmdStale;
  constexpr uint32_t kAdminRow = kRow | kCmdAdmin;
  constexpr uint64_t kAcl = kAclConnection;
  constexpr uint64_t kAdminAcl = kAclAdmin | kAclDangerous | kAclConnection;
  table.add({"client", -2, 0, 0, 0, 0, 0, nullptr, "connection", "2.4.0",
             "A container for client connection commands", "Depends on subcommand."});
  table.add({"client|id", 2, kRow, 0, 0, 0, kAcl, client_id, "connection", "5.0.0",
             "Returns the client ID for the current connection", "O(1)"});
  table.add({"client|info", 2, kRow, 0, 0, 0, kAcl, client_info, "connection", "6.2.0",
             "Returns information about the current client connection.", "O(1)"});
  table.add({"client|setname", 3, kRow, 0, 0, 0, kAcl, client_setname, "connection", "2.6.9",
             "Set the current connection name", "O(1)"});
  table.add({"client|getname", 2, kRow, 0, 0, 0, kAcl, client_getname, "connection", "2.6.9",
             "Get the current connection name", "O(1)"});
  table.add({"client|list", -2, kAdminRow, 0, 0, 0, kAdminAcl, client_list, "connection", "2.4.0",
             "Get the list of client connections",
             "O(N) where N is the number of client connections"});
  table.add({"client|kill", -3, kAdminRow, 0, 0, 0, kAdminAcl, client_kill, "connection", "2.4.0",
             "Kill the connection of a client",
             "O(N) where N is the number of client connections"});
  table.add({"client|reply", 3, kRow, 0, 0, 0, kAcl, client_reply, "connection", "3.2.0",
             "Instruct the server whether to reply to commands", "O(1)"});
  table.add({"client|pause", -3, kAdminRow, 0, 0, 0, kAdminAcl, client_pause, "connection",
             "2.9.50", "Stop processing commands from clients for some time", "O(1)"});
  table.add({"client|unpause", 2, kAdminRow, 0, 0, 0, kAdminAcl, client_unpause, "connection",
             "6.2.0", "Resume processing of clients that were paused",
             "O(N) Where N is the number of paused clients"});
  table.add({"client|no-evict", 3, kAdminRow, 0, 0, 0, kAdminAcl, client_no_evict, "connection",
             "7.0.0", "Set client eviction mode for the current connection", "O(1)"});
  table.add({"client|setinfo", 4, kRow, 0, 0, 0, kAcl, client_setinfo, "connection", "7.2.0",
             "Set client or connection specific info", "O(1)"});
  table.add({"client|help", 2, kCmdLoading | kCmdStale, 0, 0, 0, kAcl, client_help, "connection",
             "5.0.0", "Show helpful text about the different subcommands", "O(1)"});
}

}  // namespace stashd
