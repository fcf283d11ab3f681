// Owns: executing one parsed request for one client: lookup in the table, arity and subcommand
// errors, authentication, MONITOR feed, the handler call, commandstats, errorstats and slow log,
// CLIENT REPLY modes, and framing each call for propagation (one unit per top-level command, per
// EXEC, per blocked client served). Must not touch: sockets. Thread: the event loop.
#pragma once

#include <span>
#include <string_view>

#include "stashd/command/client.h"
#include "stashd/command/node_state.h"

namespace stashd {

class Dispatcher {
 public:
  explicit Dispatcher(NodeState* node) : node_(node) { node->dispatcher = this; }

  // Runs argv (non-empty) for the client, appending its reply to client.out; inside MULTI, queues
  // it instead (replying QUEUED).
  void execute(Client& client, std::span<const std::string_view> argv);
  // Runs one request queued by MULTI (EXEC calls this for each).
  void execute_queued(Client& client, std::span<const std::string_view> argv);
  // A blocked client's timeout passed: replies the timeout value (null) and unblocks it.
  void block_timed_out(Client& client);
  // Unblocks a client with a given reply (CLIENT UNBLOCK): nullptr replies the timeout value.
  void unblock_with(Client& client, const char* error);
  // Ends a MULTI without running it (EXEC refused, a replication link dropped inside one).
  void abort_transaction(Client& client);
  // Unblocks a client whose reply the caller already wrote (WAIT satisfied).
  void unblock_replied(Client& client) { finish_unblock(client); }
  // Whether CLIENT PAUSE holds this request back right now.
  bool paused(const Client& client, std::span<const std::string_view> argv) const;

 private:
  // Finds the row for argv and checks arity and authentication; on failure replies the error,
  // flags an open transaction and returns nullptr.
  Command* resolve(Client& client, std::span<const std::string_view> argv);
  void reject(Client& client, std::string_view message);
  // Evicts as maxmemory requires; when memory stays over it, refuses a command that may use more
  // (denyoom, or EXEC of such) with -OOM and returns true.
  bool rejected_for_memory(Client& client, Command& row);
  // Replication refuses the command: -READONLY and -MASTERDOWN on a replica, -NOREPLICAS on a
  // primary short of good replicas (min-replicas-to-write). Replies and returns true.
  bool replication_refuses(Client& client, Command& row);
  // The last background save failed and stop-writes-on-bgsave-error holds: writes get -MISCONF.
  bool writes_denied_by_disk_error() const;
  bool snapshot_error_denies_writes() const;
  void run(Client& client, Command& row, std::span<const std::string_view> argv, int64_t start_us);
  // The keyspace's "now": the clock's, or 0 while a propagated stream is applied.
  int64_t keyspace_now(int64_t now_ms) const;
  // Retries clients blocked on keys that writes made ready, oldest first, until none is left.
  void serve_blocked();
  void retry_blocked(Client& client);
  void finish_unblock(Client& client);
  void feed_monitors(const Client& client, std::span<const std::string_view> argv);
  void count_error(std::string_view reply_tail);
  NodeState* node_;
  bool in_exec_ = false;
};

}  // namespace stashd
