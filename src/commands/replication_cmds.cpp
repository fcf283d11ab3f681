// Owns: REPLICAOF/SLAVEOF, ROLE, REPLCONF, PSYNC/SYNC, WAIT and FAILOVER: argument parsing and replies over
// the node's ReplicationControl (the server runs the links). Must not touch: sockets, the
// replication stream. Thread: the event loop.
#include <fmt/format.h>

#include "stashd/command/context.h"
#include "stashd/commands/registry.h"
#include "stashd/common/strings.h"

namespace stashd {

namespace {

ReplicationControl* replication_or_error(CommandContext& ctx) {
  if (ctx.node.replication == nullptr) {
    ctx.error("ERR Replication is not available in this process");
  }
  return ctx.node.replication;
}

void replicaof(CommandContext& ctx) {
  ReplicationControl* repl = replication_or_error(ctx);
  if (repl == nullptr) return;
  if (ctx.client.has(kClientMaster)) {
    ctx.error("ERR Command is not allowed from the master link");
    return;
  }
  if (ctx.arg_is(1, "no") && ctx.arg_is(2, "one")) {
    std::string failure = repl->promote();
    if (failure.empty()) {
      ctx.out.ok();
    } else {
      ctx.error(failure);
    }
    return;
  }
  int64_t port = 0;
  if (!parse_i64(ctx.arg(2), &port)) {
    ctx.error(errors::kNotInteger);
    return;
  }
  if (port < 1 || port > 65535) {
    ctx.error("ERR Invalid master port");
    return;
  }
  bool already = false;
  std::string failure = repl->replicate(std::string(ctx.arg(1)), static_cast<int>(port), &already);
  if (!failure.empty()) {
    ctx.error(failure);
  } else if (already) {
    ctx.out.simple("OK Already connected to specified master");
  } else {
    ctx.out.ok();
  }
}

void role(CommandContext& ctx) {
  ReplicationControl* repl = replication_or_error(ctx);
  if (repl == nullptr) return;
  ReplicationStatus s = repl->status();
  if (s.replica) {
    ctx.out.array(5);
    ctx.out.bulk("slave");
    ctx.out.bulk(s.master_host);
    ctx.out.integer(s.master_port);
    ctx.out.bulk(s.link_state);
    ctx.out.integer(s.link_up ? static_cast<int64_t>(s.replica_offset) : -1);
    return;
  }
  ctx.out.array(3);
  ctx.out.bulk("master");
  ctx.out.integer(static_cast<int64_t>(s.offset));
  ctx.out.array(static_cast<int64_t>(s.replicas.size()));
  for (const ReplicaStatus& r : s.replicas) {
    ctx.out.array(3);
    ctx.out.bulk(r.ip);
    ctx.out.bulk(std::to_string(r.port));
    ctx.out.bulk(std::to_string(r.offset));
  }
}

void replconf(CommandContext& ctx) {
  ReplicationControl* repl = replication_or_error(ctx);
  if (repl == nullptr) return;
  std::string reply = repl->replconf(ctx.client, ctx.argv);
  if (reply.empty()) return;  // acknowledgements are not answered
  if (reply == "OK") {
    ctx.out.ok();
  } else {
    ctx.error(reply);
  }
}

void psync(CommandContext& ctx) {
  ReplicationControl* repl = replication_or_error(ctx);
  if (repl == nullptr) return;
  std::string failure = repl->psync(ctx.client, ctx.argv);
  if (!failure.empty()) ctx.error(failure);
}

void wait(CommandContext& ctx) {
  ReplicationControl* repl = replication_or_error(ctx);
  if (repl == nullptr) return;
  if (repl->is_replica()) {
    ctx.error("ERR WAIT cannot be used with replica instances. Please also note that since Redis "
              "4.0 if a replica is configured to be writable (which is not the default) writes to "
              "replicas are just local and are not propagated.");
    return;
  }
  std::optional<int64_t> replicas = ctx.int_arg(1);
  if (!replicas) return;
  std::optional<int64_t> timeout = ctx.int_arg(2, "ERR timeout is not an integer or out of range");
  if (!timeout) return;
  if (*timeout < 0) {
    ctx.error("ERR timeout is negative");
    return;
  }
  uint64_t offset = repl->offset();
  int acked = repl->acked_replicas(offset);
  if (acked >= *replicas || !ctx.can_block()) {
    ctx.out.integer(acked);
    return;
  }
  ctx.block({}, *timeout, false);
  repl->wait_started(ctx.client, offset, static_cast<int>(*replicas));
}

// FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT milliseconds]
void failover(CommandContext& ctx) {
  ReplicationControl* repl = replication_or_error(ctx);
  if (repl == nullptr) return;
  if (ctx.client.has(kClientMaster)) {
    ctx.error("ERR Command is not allowed from the master link");
    return;
  }
  std::string host;
  int64_t port = 0;
  int64_t timeout = 0;
  bool force = false;
  bool abort = false;
  bool has_timeout = false;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    if (ctx.arg_is(i, "to") && i + 2 < ctx.argc() && host.empty()) {
      host = std::string(ctx.arg(i + 1));
      if (!parse_i64(ctx.arg(i + 2), &port) || port < 1 || port > 65535) {
        ctx.error("ERR Invalid target port");
        return;
      }
      i += 2;
    } else if (ctx.arg_is(i, "timeout") && i + 1 < ctx.argc() && !has_timeout) {
      if (!parse_i64(ctx.arg(i + 1), &timeout) || timeout <= 0) {
        ctx.error("ERR FAILOVER timeout must be greater than 0");
        return;
      }
      has_timeout = true;
      ++i;
    } else if (ctx.arg_is(i, "force") && !force) {
      force = true;
    } else if (ctx.arg_is(i, "abort") && !abort) {
      abort = true;
    } else {
      ctx.error(errors::kSyntax);
      return;
    }
  }
  std::string failure;
  if (abort) {
    if (!host.empty() || force || has_timeout) {
      ctx.error("ERR FAILOVER abort cannot be used with other options.");
      return;
    }
    failure = repl->abort_failover();
  } else {
    if (force && (host.empty() || !has_timeout)) {
      ctx.error("ERR FAILOVER with force option requires both a timeout and target HOST and IP.");
      return;
    }
    failure = repl->failover(host, static_cast<int>(port), timeout, force);
  }
  if (failure.empty()) {
    ctx.out.ok();
  } else {
    ctx.error(failure);
  }
}

}  // namespace

void register_replication_commands(CommandTable& table) {
  constexpr uint64_t kAdminAcl = kAclAdmin | kAclDangerous;
  table.add({"replicaof", 3, kCmdAdmin | kCmdNoscript | kCmdStale, 0, 0, 0, kAdminAcl, replicaof,
             "server", "5.0.0", "Configures a server as replica of another, or promotes it to a master.",
             "O(1)"});
  table.add({"slaveof", 3, kCmdAdmin | kCmdNoscript | kCmdStale, 0, 0, 0, kAdminAcl, replicaof,
             "server", "1.0.0",
             "Sets a Redis server as a replica of another, or promotes it to being a master.",
             "O(1)"});
  table.add({"role", 1, kCmdNoscript | kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0, kAclAdmin,
             role, "server", "2.8.12", "Returns the replication role.", "O(1)"});
  table.add({"replconf", -1, kCmdAdmin | kCmdNoscript | kCmdLoading | kCmdStale | kCmdAllowBusy,
             0, 0, 0, kAdminAcl, replconf, "server", "3.0.0",
             "An internal command for configuring the replication stream.", "O(1)"});
  table.add({"psync", -3, kCmdAdmin | kCmdNoscript | kCmdNoMulti, 0, 0, 0, kAdminAcl, psync,
             "server", "2.8.0", "An internal command used in replication.",
             "O(1)"});
  table.add({"sync", 1, kCmdAdmin | kCmdNoscript | kCmdNoMulti, 0, 0, 0, kAdminAcl, psync,
             "server", "1.0.0", "An internal command used in replication.", "O(1)"});
  table.add({"failover", -1, kCmdAdmin | kCmdNoscript | kCmdStale, 0, 0, 0, kAdminAcl, failover,
             "server", "6.2.0", "Starts a coordinated failover from a server to one of its replicas.",
             "O(1)"});
  table.add({"wait", 3, kCmdNoscript | kCmdBlocking, 0, 0, 0, kAclConnection, wait,
             "generic", "3.0.0",
             "Blocks until the asynchronous replication of all preceding write commands sent by "
             "the connection is completed.",
             "O(1)"});
}

}  // namespace stashd
