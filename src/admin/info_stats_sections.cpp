// Owns: the fields of INFO's stats, commandstats, errorstats and keyspace sections: the counters
// other modules keep (ServerStats, KeyspaceStats, the command table's per-row statistics) and the
// sampled rates, named and formatted as Redis 7.0 prints them.
// Must not touch: sockets, the keyspace's internals. Thread: the event loop.
#include <algorithm>
#include <vector>

#include "admin/info_sections.h"
#include "stashd/admin/stats_sampler.h"
#include "stashd/command/node_state.h"

namespace stashd::info {

namespace {

// Executable rows (containers never run) that have been called, rejected or failed.
void collect_used_rows(const Command& cmd, std::vector<const Command*>* rows) {
  if (cmd.spec.handler != nullptr && (cmd.calls || cmd.rejected_calls || cmd.failed_calls)) {
    rows->push_back(&cmd);
  }
  for (const auto& sub : cmd.subcommands) collect_used_rows(*sub, rows);
}

}  // namespace

std::vector<const Command*> used_commands(NodeState& node) {
  std::vector<const Command*> rows;
  for (const Command* cmd : node.commands().all()) collect_used_rows(*cmd, &rows);
  std::sort(rows.begin(), rows.end(),
            [](const Command* a, const Command* b) { return a->full_name < b->full_name; });
  return rows;
}

void stats_section(NodeState& node, Fields& out) {
  const ServerStats& s = node.stats();
  const KeyspaceStats& ks = node.keyspace().stats();
  const SampledStats& sampled = sampled_stats(node);
  out.add("total_connections_received", s.total_connections_received);
  out.metric(MetricId::kCommandsProcessed, node);
  out.add("instantaneous_ops_per_sec", static_cast<int64_t>(sampled.ops.per_second()));
  out.add("total_net_input_bytes", s.total_net_input_bytes);
  out.add("total_net_output_bytes", s.total_net_output_bytes);
  out.fixed("instantaneous_input_kbps", sampled.net_input.per_second() / 1024, 2);
  out.fixed("instantaneous_output_kbps", sampled.net_output.per_second() / 1024, 2);
  out.add("rejected_connections", s.rejected_connections);
  const ReplicationStatus& repl = out.source(node).replication();
  out.add("sync_full", repl.sync_full);
  out.add("sync_partial_ok", repl.sync_partial_ok);
  out.add("sync_partial_err", repl.sync_partial_err);
  out.metric(MetricId::kExpiredKeys, node);
  // Estimated by the cron once a second (0.00 until its first pass).
  out.fixed("expired_stale_perc", sampled.expired_stale_perc, 2);
  out.add("expired_time_cap_reached_count", ks.expired_time_cap_reached_count);
  out.metric(MetricId::kEvictedKeys, node);
  out.add("evicted_clients", 0);  // no maxmemory-clients yet
  out.metric(MetricId::kKeyspaceHits, node);
  out.metric(MetricId::kKeyspaceMisses, node);
  out.add("pubsub_channels", 0);
  out.add("pubsub_patterns", 0);
  out.add("latest_fork_usec", node.persistence.latest_fork_usec);
  out.add("total_forks", node.persistence.forks);
  out.add("unexpected_error_replies", s.unexpected_error_replies);
  out.add("total_error_replies", s.total_error_replies);
  out.add("client_query_buffer_limit_disconnections", s.client_query_buffer_limit_disconnections);
  out.add("client_output_buffer_limit_disconnections", s.client_output_buffer_limit_disconnections);
}

void commandstats_section(NodeState& node, Fields& out) {
  for (const Command* cmd : used_commands(node)) {
    double per_call = cmd->calls ? static_cast<double>(cmd->usec) / cmd->calls : 0.0;
    out.add("cmdstat_" + cmd->full_name,
            fmt::format("calls={},usec={},usec_per_call={:.2f},rejected_calls={},failed_calls={}",
                        cmd->calls, cmd->usec, per_call, cmd->rejected_calls, cmd->failed_calls));
  }
}

void errorstats_section(NodeState& node, Fields& out) {
  for (const auto& [code, count] : node.stats().error_codes) {
    out.add("errorstat_" + code, fmt::format("count={}", count));
  }
}

void keyspace_section(NodeState& node, Fields& out) {
  Keyspace& ks = node.keyspace();
  for (int i = 0; i < ks.databases(); ++i) {
    const Db& db = ks.db(i);
    if (db.size() == 0) continue;
    // avg_ttl is 0: Redis estimates it while expiring; stashd's expiry does not sample yet.
    out.add(fmt::format("db{}", i),
            fmt::format("keys={},expires={},avg_ttl=0", db.size(), db.expires()));
  }
}

}  // namespace stashd::info
