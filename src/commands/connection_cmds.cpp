// Owns: the connection family: PING ECHO QUIT RESET HELLO AUTH SELECT.
// Must not touch: sockets (closing goes through ClientTransport), persistence, replication.
// Thread: the event loop.
#include <algorithm>

#include "stashd/command/context.h"
#include "stashd/commands/registry.h"
#include "stashd/common/strings.h"

namespace stashd {

namespace {

constexpr std::string_view kWrongPass =
    "WRONGPASS invalid username-password pair or user is disabled.";

// Compares secrets without an early exit, so timing does not reveal a matching prefix.
bool secret_equals(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

// Checks a (user, password) pair against requirepass; the only user is "default".
bool check_credentials(CommandContext& ctx, std::string_view user, std::string_view password) {
  return user == "default" && secret_equals(password, ctx.node.config().requirepass);
}

void ping(CommandContext& ctx) {
  if (ctx.argc() > 2) {
    ctx.error("ERR wrong number of arguments for 'ping' command");
    return;
  }
  if (ctx.client.protocol() == 2 && ctx.client.subscription_count() > 0) {
    // In RESP2 subscribed mode PING answers in the shape of a pushed message.
    ctx.out.array(2);
    ctx.out.bulk("pong");
    ctx.out.bulk(ctx.argc() == 2 ? ctx.arg(1) : "");
  } else if (ctx.argc() == 2) {
    ctx.out.bulk(ctx.arg(1));
  } else {
    ctx.out.simple("PONG");
  }
}

void echo(CommandContext& ctx) { ctx.out.bulk(ctx.arg(1)); }

void quit(CommandContext& ctx) {
  ctx.out.ok();
  ctx.client.flags |= kClientCloseAfterReply;
  if (ctx.client.transport) ctx.client.transport->close_after_reply();
}

void select(CommandContext& ctx) {
  auto index = ctx.int_arg(1);
  if (!index) return;
  if (*index < 0 || *index >= ctx.keyspace().databases()) {
    ctx.error(errors::kDbIndexOutOfRange);
    return;
  }
  ctx.client.db = static_cast<int>(*index);
  ctx.out.ok();
}

void auth(CommandContext& ctx) {
  if (ctx.argc() > 3) {
    ctx.error(errors::kSyntax);
    return;
  }
  if (ctx.node.config().requirepass.empty()) {
    if (ctx.argc() == 2) {
      ctx.error(
          "ERR AUTH <password> called without any password configured for the default user. "
          "Are you sure your configuration is correct?");
    } else {
      ctx.error(kWrongPass);
    }
    return;
  }
  std::string_view user = ctx.argc() == 3 ? ctx.arg(1) : "default";
  if (!check_credentials(ctx, user, ctx.arg(ctx.argc() - 1))) {
    ctx.error(kWrongPass);
    return;
  }
  ctx.client.authenticated = true;
  ctx.out.ok();
}

void hello(CommandContext& ctx) {
  int64_t protocol = ctx.client.protocol();
  size_t i = 1;
  if (ctx.argc() >= 2) {
    int64_t v;
    if (!parse_i64(ctx.arg(1), &v)) {
      ctx.error("ERR Protocol version is not an integer or out of range");
      return;
    }
    if (v < 2 || v > 3) {
      ctx.error("NOPROTO unsupported protocol version");
      return;
    }
    protocol = v;
    i = 2;
  }
  std::string_view new_name;
  bool set_name = false;
  for (; i < ctx.argc(); ++i) {
    size_t left = ctx.argc() - i - 1;
    if (ctx.arg_is(i, "AUTH") && left >= 2) {
      if (ctx.node.config().requirepass.empty() ||
          !check_credentials(ctx, ctx.arg(i + 1), ctx.arg(i + 2))) {
        ctx.error(kWrongPass);
        return;
      }
      ctx.client.authenticated = true;
      i += 2;
    } else if (ctx.arg_is(i, "SETNAME") && left >= 1) {
      new_name = ctx.arg(i + 1);
      if (std::any_of(new_name.begin(), new_name.end(),
                      [](char c) { return c < '!' || c > '~'; })) {
        ctx.error("ERR Client names cannot contain spaces, newlines or special characters.");
        return;
      }
      set_name = true;
      ++i;
    } else {
      ctx.error(std::string("ERR Syntax error in HELLO option '") + std::string(ctx.arg(i)) + "'");
      return;
    }
  }
  if (!ctx.client.authenticated && !ctx.node.config().requirepass.empty()) {
    ctx.error(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
        "<proto> AUTH <user> <pass> option can be used to authenticate the client and select the "
        "RESP protocol version at the same time");
    return;
  }
  if (set_name) ctx.client.name = std::string(new_name);
  ctx.out.set_protocol(static_cast<int>(protocol));
  ctx.out.map(7);
  ctx.out.bulk("server");
  ctx.out.bulk("redis");
  ctx.out.bulk("version");
  ctx.out.bulk("7.0.15");
  ctx.out.bulk("proto");
  ctx.out.integer(protocol);
  ctx.out.bulk("id");
  ctx.out.integer(static_cast<int64_t>(ctx.client.id));
  ctx.out.bulk("mode");
  ctx.out.bulk("standalone");
  ctx.out.bulk("role");
  ctx.out.bulk("master");
  ctx.out.bulk("modules");
  ctx.out.array(0);
}

void reset(CommandContext& ctx) {
  Client& c = ctx.client;
  c.multi_queue.clear();
  c.multi_error = false;
  c.multi_denyoom = false;
  c.multi_write = false;
  ctx.node.watches().unwatch_all(&c);
  ctx.node.pubsub().remove_client(&c);
  c.db = 0;
  c.reply_mode = ReplyMode::kOn;
  c.flags &= ~(kClientNoEvict | kClientMulti);
  if (c.has(kClientMonitor)) {
    auto& monitors = ctx.node.monitors();
    monitors.erase(std::remove(monitors.begin(), monitors.end(), &c), monitors.end());
    c.flags &= ~kClientMonitor;
  }
  c.authenticated = ctx.node.config().requirepass.empty();
  ctx.out.set_protocol(2);
  ctx.out.simple("RESET");
}

}  // namespace

void register_connection_commands(CommandTable& table) {
  constexpr uint64_t kConn = kAclConnection;
  table.add({"ping", -1, kCmdSubscribedContext | kCmdFast, 0, 0, 0, kConn, ping, "connection", "1.0.0",
             "Returns the server's liveliness response.", "O(1)"});
  table.add({"echo", 2, kCmdFast | kCmdStale | kCmdLoading, 0, 0, 0, kConn, echo, "connection",
             "1.0.0", "Returns the given string.", "O(1)"});
  table.add({"quit", -1, kCmdSubscribedContext | kCmdTransactionControl | kCmdAllowBusy | kCmdNoAuth | kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0,
             kConn, quit, "connection", "1.0.0", "Closes the connection.", "O(1)"});
  table.add({"select", 2, kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0, kConn, select,
             "connection", "1.0.0", "Changes the selected database.", "O(1)"});
  table.add({"auth", -2, kCmdNoAuth | kCmdLoading | kCmdStale | kCmdFast | kCmdNoscript, 0, 0, 0,
             kConn, auth, "connection", "1.0.0", "Authenticates the connection.",
             "O(N) where N is the number of passwords defined for the user"});
  table.add({"hello", -1, kCmdNoAuth | kCmdLoading | kCmdStale | kCmdFast | kCmdNoscript, 0, 0, 0,
             kConn, hello, "connection", "6.0.0", "Handshakes with the Redis server.", "O(1)"});
  table.add({"reset", 1, kCmdSubscribedContext | kCmdTransactionControl | kCmdNoAuth | kCmdLoading | kCmdStale | kCmdFast | kCmdNoscript, 0, 0, 0,
             kConn, reset, "connection", "6.2.0", "Resets the connection.", "O(1)"});
}

}  // namespace stashd
