// Owns: running one request (see dispatcher.h). Must not touch: sockets. Thread: the event loop.
#include "stashd/command/dispatcher.h"

#include <fmt/format.h>

#include <cctype>
#include <algorithm>

#include "stashd/command/context.h"
#include "stashd/keyspace/evictor.h"

namespace stashd {

namespace {

// Appends `s` quoted the way MONITOR shows arguments: printable bytes as-is, escapes otherwise.
void append_quoted(std::string* out, std::string_view s) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '\\': out->append("\\\\"); break;
      case '"': out->append("\\\""); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      case '\a': out->append("\\a"); break;
      case '\b': out->append("\\b"); break;
      default:
        if (std::isprint(c)) {
          out->push_back(static_cast<char>(c));
        } else {
          out->append(fmt::format("\\x{:02x}", c));
        }
    }
  }
  out->push_back('"');
}

std::string upper(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return r;
}

}  // namespace

int64_t Dispatcher::keyspace_now(int64_t now_ms) const {
  return node_->applying_stream ? 0 : now_ms;
}

bool Dispatcher::paused(const Client& client, std::span<const std::string_view> argv) const {
  if (node_->pause_end_ms == 0 || node_->clock().now_ms() >= node_->pause_end_ms) return false;
  if (client.has(kClientMonitor)) return false;
  if (!node_->pause_writes_only) return true;
  const Command* cmd = node_->commands().find(argv[0]);
  if (cmd == nullptr) return false;
  if (!cmd->subcommands.empty() && argv.size() > 1) {
    if (const Command* sub = cmd->find_subcommand(argv[1])) cmd = sub;
  }
  return cmd->has(kCmdWrite) || cmd->has(kCmdMayReplicate);
}

void Dispatcher::feed_monitors(const Client& client, std::span<const std::string_view> argv) {
  int64_t now_us = node_->clock().now_us();
  std::string line = fmt::format("+{}.{:06d} [{} {}]", now_us / 1000000, now_us % 1000000, client.db,
                                 client.addr);
  for (std::string_view a : argv) {
    line.push_back(' ');
    append_quoted(&line, a);
  }
  line.append("\r\n");
  for (Client* m : node_->monitors()) {
    if (m == &client) continue;
    m->out.append(line);
    if (m->transport) m->transport->request_flush();
  }
}

void Dispatcher::count_error(std::string_view reply_tail) {
  // reply_tail starts with '-': the code is the first word ("ERR", "WRONGTYPE", ...).
  std::string_view msg = reply_tail.substr(1);
  size_t end = msg.find_first_of(" \r");
  std::string_view code = msg.substr(0, end);
  ++node_->stats().total_error_replies;
  ++node_->stats().error_codes[std::string(code)];
}

void Dispatcher::reject(Client& client, std::string_view message) {
  const std::string& out = *client.writer.buffer();
  size_t before = out.size();
  client.writer.error(message);
  count_error(std::string_view(out).substr(before));
  // A request rejected while queueing makes the whole transaction fail at EXEC (EXECABORT).
  if (client.has(kClientMulti)) client.multi_error = true;
}

Command* Dispatcher::resolve(Client& client, std::span<const std::string_view> argv) {
  const Command* cmd = node_->commands().find(argv[0]);
  if (cmd == nullptr) {
    std::string args;
    for (size_t i = 1; i < argv.size() && args.size() < 128; ++i) {
      args += fmt::format("'{}' ", argv[i].substr(0, 128 - args.size()));
    }
    reject(client, fmt::format("ERR unknown command '{}', with args beginning with: {}",
                               argv[0].substr(0, 128), args));
    return nullptr;
  }
  if (!cmd->subcommands.empty()) {
    const Command* sub = argv.size() >= 2 ? cmd->find_subcommand(argv[1]) : nullptr;
    if (sub == nullptr) {
      const_cast<Command*>(cmd)->rejected_calls++;
      if (argv.size() < 2) {
        reject(client, fmt::format("ERR wrong number of arguments for '{}' command", cmd->full_name));
      } else {
        reject(client, fmt::format("ERR unknown subcommand '{}'. Try {} HELP.",
                                   argv[1].substr(0, 128), upper(cmd->full_name)));
      }
      return nullptr;
    }
    cmd = sub;
  }
  Command& row = *const_cast<Command*>(cmd);
  int argc = static_cast<int>(argv.size());
  if ((row.spec.arity > 0 && argc != row.spec.arity) || argc < -row.spec.arity) {
    ++row.rejected_calls;
    reject(client, fmt::format("ERR wrong number of arguments for '{}' command", row.full_name));
    return nullptr;
  }
  if (!client.authenticated && !row.has(kCmdNoAuth) && !node_->config().requirepass.empty()) {
    ++row.rejected_calls;
    reject(client, errors::kNoAuth);
    return nullptr;
  }
  return &row;
}

void Dispatcher::execute(Client& client, std::span<const std::string_view> argv) {
  // One clock read serves as the keyspace's "now" and as the start of the call's duration.
  int64_t now_us = node_->clock().now_us();
  int64_t now = now_us / 1000;
  node_->keyspace().set_now_ms(keyspace_now(now));
  client.last_interaction_ms = now;
  ++client.commands_processed;
  ++node_->stats().total_commands_processed;
  size_t out_before = client.out.size();
  // A replica's link carries the stream to it: nothing it sends is answered. Its replies go to a
  // scratch buffer, so stream bytes added to its output meanwhile (a DEL of an eviction this very
  // command caused, say) are kept.
  const bool replica_link = client.has(kClientReplica);
  std::string unanswered;
  if (replica_link) client.writer.set_buffer(&unanswered);

  if (client.reply_mode == ReplyMode::kSkipNext) client.reply_mode = ReplyMode::kSkipThis;
  bool suppress = client.reply_mode == ReplyMode::kOff || client.reply_mode == ReplyMode::kSkipThis;

  if (Command* row = resolve(client, argv)) {
    if (client.protocol() == 2 && client.subscription_count() > 0 &&
        !row->has(kCmdSubscribedContext)) {
      reject(client, fmt::format("ERR Can't execute '{}': only (P|S)SUBSCRIBE / "
                                 "(P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
                                 row->full_name));
    } else if (replication_refuses(client, *row)) {
      // replied
    } else if (node_->persistence.loading && !row->has(kCmdLoading) && !node_->applying_stream) {
      ++row->rejected_calls;
      reject(client, kLoadingError);
    } else if (!client.has(kClientMaster) && writes_denied_by_disk_error() &&
               (row->has(kCmdWrite) || row->full_name == "ping" ||
                (row->full_name == "exec" && client.has(kClientMulti) && client.multi_write))) {
      // As Redis: PING too, so monitoring notices a node that cannot persist.
      ++row->rejected_calls;
      std::string misconf = snapshot_error_denies_writes()
                                ? std::string(kMisconfError)
                                : "MISCONF Errors writing to the AOF file: " +
                                      node_->persistence.aof_last_write_error;
      if (row->full_name == "exec") {
        abort_transaction(client);
        misconf = "EXECABORT Transaction discarded because of: " + misconf;
      }
      reject(client, misconf);
    } else if (rejected_for_memory(client, *row)) {
      // replied
    } else if (client.has(kClientMulti) && !row->has(kCmdTransactionControl)) {
      if (row->has(kCmdNoMulti)) {
        ++row->rejected_calls;
        reject(client, "ERR Command not allowed inside a transaction");
      } else {
        client.multi_queue.emplace_back(argv.begin(), argv.end());
        if (row->has(kCmdDenyOom)) client.multi_denyoom = true;
        if (row->has(kCmdWrite)) client.multi_write = true;
        client.writer.simple("QUEUED");
      }
    } else {
      run(client, *row, argv, now_us);
    }
  }

  if (replica_link) client.writer.set_buffer(&client.out);
  if (suppress && client.reply_mode != ReplyMode::kOn) client.out.resize(out_before);
  if (client.reply_mode == ReplyMode::kSkipThis) client.reply_mode = ReplyMode::kOn;
  if (node_->blocking().has_ready()) serve_blocked();
  node_->tracking().deliver_pending();
}

void Dispatcher::abort_transaction(Client& client) {
  client.multi_queue.clear();
  client.multi_error = false;
  client.multi_denyoom = false;
  client.multi_write = false;
  client.flags &= ~kClientMulti;
  node_->watches().unwatch_all(&client);
}

bool Dispatcher::snapshot_error_denies_writes() const {
  const Config& cfg = node_->config();
  return !node_->persistence.last_bgsave_ok && cfg.stop_writes_on_bgsave_error && !cfg.save.empty();
}

bool Dispatcher::writes_denied_by_disk_error() const {
  const PersistenceState& p = node_->persistence;
  if (snapshot_error_denies_writes()) return true;
  // A write the append-only file could not take is kept and retried; new writes wait for it.
  return p.aof_enabled && !p.aof_last_write_ok && !node_->applying_stream;
}

bool Dispatcher::replication_refuses(Client& client, Command& row) {
  ReplicationControl* repl = node_->replication;
  if (repl == nullptr || client.has(kClientMaster)) return false;
  const Config& cfg = node_->config();
  const bool writes = row.has(kCmdWrite) ||
                      (row.full_name == "exec" && client.has(kClientMulti) && client.multi_write);
  std::string_view error;
  if (repl->is_replica()) {
    if (!repl->link_up() && !cfg.replica_serve_stale_data && !row.has(kCmdStale)) {
      error = "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
    } else if (writes && cfg.replica_read_only) {
      error = "READONLY You can't write against a read only replica.";
    }
  } else if (writes && repl->too_few_replicas()) {
    error = "NOREPLICAS Not enough good replicas to write.";
  }
  if (error.empty()) return false;
  ++row.rejected_calls;
  if (row.full_name == "exec") {
    abort_transaction(client);
    reject(client, fmt::format("EXECABORT Transaction discarded because of: {}", error));
  } else {
    reject(client, error);
  }
  return true;
}

bool Dispatcher::rejected_for_memory(Client& client, Command& row) {
  Keyspace& ks = node_->keyspace();
  // Nothing is evicted while the dataset loads (as Redis): the replay must land whole.
  if (ks.eviction().maxmemory == 0 || node_->persistence.loading) return false;
  // A replica follows its primary's DELs instead of evicting on its own (and never refuses the
  // primary's stream).
  if (client.has(kClientMaster)) return false;
  if (node_->replication != nullptr &&
      ((node_->replication->is_replica() && node_->config().replica_ignore_maxmemory) ||
       node_->replication->holding_stream())) {
    return false;
  }
  // Like Redis, every command first gives the evictor a (time-bounded) chance; only commands that
  // may grow memory are refused when nothing more can be evicted.
  EvictResult result = ks.evictor().run();
  if (result == EvictResult::kRunning && node_->control != nullptr) {
    node_->control->continue_eviction();
  }
  if (result != EvictResult::kFail) return false;
  const bool is_exec = row.full_name == "exec";
  if (!row.has(kCmdDenyOom) && !(is_exec && client.has(kClientMulti) && client.multi_denyoom)) {
    return false;
  }
  ++row.rejected_calls;
  if (is_exec) {
    // EXEC is refused as a whole and the transaction ends (the client leaves MULTI).
    abort_transaction(client);
    reject(client, fmt::format("EXECABORT Transaction discarded because of: {}",
                               errors::kOutOfMemory));
  } else {
    reject(client, errors::kOutOfMemory);
  }
  return true;
}

void Dispatcher::serve_blocked() {
  while (node_->blocking().has_ready()) {
    for (Client* c : node_->blocking().take_ready()) {
      // An earlier retry in this round may already have served (and unblocked) this client.
      if (c->blocked) retry_blocked(*c);
    }
  }
}

void Dispatcher::retry_blocked(Client& client) {
  std::vector<std::string_view> argv(client.blocked_request.begin(), client.blocked_request.end());
  Command* row = resolve(client, argv);
  client.block_retry = true;
  client.block_again = false;
  if (row != nullptr) {
    int64_t now_us = node_->clock().now_us();
    node_->keyspace().set_now_ms(keyspace_now(now_us / 1000));
    int saved_db = client.db;
    client.db = client.blocked_db;
    run(client, *row, argv, now_us);
    client.db = saved_db;
  }
  client.block_retry = false;
  if (!client.block_again) finish_unblock(client);
}

void Dispatcher::finish_unblock(Client& client) {
  client.wait_offset = -1;
  node_->blocking().unblock(&client);
  client.blocked_request.clear();
  if (client.transport) {
    client.transport->unblocked();
    client.transport->request_flush();
  }
}

void Dispatcher::block_timed_out(Client& client) { unblock_with(client, nullptr); }

void Dispatcher::unblock_with(Client& client, const char* error) {
  if (!client.blocked) return;
  if (error != nullptr) {
    client.writer.error(error);
  } else if (client.wait_offset >= 0) {
    // WAIT answers its timeout with the replicas that did acknowledge.
    int acked = node_->replication != nullptr
                    ? node_->replication->acked_replicas(static_cast<uint64_t>(client.wait_offset))
                    : 0;
    client.writer.integer(acked);
  } else if (client.blocked_timeout_null_array) {
    client.writer.null_array();
  } else {
    client.writer.null();
  }
  finish_unblock(client);
}

void Dispatcher::execute_queued(Client& client, std::span<const std::string_view> argv) {
  // Inside EXEC a blocking command does not block: it answers as if it had timed out.
  in_exec_ = true;
  if (Command* row = resolve(client, argv)) run(client, *row, argv, node_->clock().now_us());
  in_exec_ = false;
}

void Dispatcher::run(Client& client, Command& row, std::span<const std::string_view> argv,
                     int64_t start_us) {
  if (!node_->monitors().empty() && !row.has(kCmdSkipMonitor) && !row.has(kCmdAdmin)) {
    feed_monitors(client, argv);
  }
  const std::string& out = *client.writer.buffer();
  size_t out_before = out.size();
  CommandContext ctx(*node_, client, row, argv);
  ctx.in_exec = in_exec_;
  // Without a sink nothing is built; a sink added by this very command starts with the next one.
  Propagator& propagator = node_->propagator();
  const bool propagating = propagator.active();
  const uint64_t dirty_before = node_->dirty;
  if (propagating) propagator.begin_call(client.db);
  row.spec.handler(ctx);
  if (propagating) {
    propagator.end_call(argv, row.has(kCmdWrite) || row.has(kCmdMayReplicate),
                        node_->dirty != dirty_before);
  }
  // Wall-clock duration, as Redis measures it; a clock step backwards counts as 0.
  int64_t duration_us = std::max<int64_t>(0, node_->clock().now_us() - start_us);
  ++row.calls;
  row.usec += static_cast<uint64_t>(duration_us);
  node_->stats().command_latency.record(row.family, duration_us);
  if (out.size() > out_before && out[out_before] == '-') {
    ++row.failed_calls;
    count_error(std::string_view(out).substr(out_before));
  }
  const Config& cfg = node_->config();
  if (cfg.slowlog_log_slower_than >= 0 && duration_us >= cfg.slowlog_log_slower_than &&
      !row.has(kCmdSkipSlowlog)) {
    node_->slowlog().record(argv, node_->keyspace().now_ms() / 1000, duration_us, client.addr,
                            client.name, static_cast<size_t>(cfg.slowlog_max_len));
  }
  client.last_command = &row;
  if (client.tracking) {
    if (row.has(kCmdReadonly)) {
      for (int i : row.key_positions(static_cast<int>(argv.size()))) {
        node_->tracking().remember(client, argv[i]);
      }
    }
    // CLIENT CACHING applies to the one command after it (or to a whole transaction).
    if (row.full_name != "client|caching" && !client.has(kClientMulti) && !in_exec_) {
      client.caching_override = 0;
    }
  }
}

}  // namespace stashd
