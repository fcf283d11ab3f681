// Owns: the declarations of every exported metric (see metrics.h) and the readers behind them.
// Must not touch: the keyspace's internals, sockets. Thread: the event loop.
#include "stashd/admin/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string>

#include "admin/info_sections.h"
#include "stashd/command/node_state.h"

namespace stashd {

const MemoryReport& MetricSource::memory() {
  if (!memory_) memory_ = memory_report(node_);
  return *memory_;
}

const ReplicationStatus& MetricSource::replication() {
  if (!replication_) replication_ = node_.replication_status();
  return *replication_;
}

namespace {

using Source = MetricSource;
using T = MetricType;
using S = InfoSection;
using F = InfoFormat;

int64_t i64(uint64_t v) { return static_cast<int64_t>(v); }

// Readers of the scalars.
int64_t uptime(Source& m) {
  NodeState& node = m.node();
  return std::max<int64_t>(0, node.clock().now_ms() - node.start_time_ms) / 1000;
}
int64_t commands_processed(Source& m) { return i64(m.node().stats().total_commands_processed); }
int64_t memory_used(Source& m) { return i64(m.memory().used); }
int64_t memory_rss(Source& m) { return i64(m.memory().rss); }
int64_t memory_max(Source& m) { return i64(m.memory().maxmemory); }
int64_t evicted_keys(Source& m) { return i64(m.node().keyspace().stats().evicted_keys); }
int64_t expired_keys(Source& m) { return i64(m.node().keyspace().stats().expired_keys); }
int64_t keyspace_hits(Source& m) { return i64(m.node().keyspace().stats().keyspace_hits); }
int64_t keyspace_misses(Source& m) { return i64(m.node().keyspace().stats().keyspace_misses); }
int64_t connected_clients(Source& m) { return i64(m.node().clients().size()); }
int64_t blocked_clients(Source& m) { return i64(m.node().blocking().blocked_clients()); }
int64_t replication_offset(Source& m) { return i64(m.replication().offset); }
int64_t connected_replicas(Source& m) { return i64(m.replication().replicas.size()); }
int64_t replication_link_up(Source& m) {
  return !m.replication().replica || m.replication().link_up ? 1 : 0;
}
int64_t loading(Source& m) { return m.node().persistence.loading ? 1 : 0; }
int64_t rdb_changes(Source& m) {
  return i64(m.node().dirty - m.node().persistence.dirty_at_last_save);
}
int64_t rdb_last_save_time(Source& m) { return m.node().persistence.lastsave_s; }
int64_t rdb_last_bgsave_ok(Source& m) { return m.node().persistence.last_bgsave_ok ? 1 : 0; }
int64_t aof_enabled(Source& m) { return m.node().persistence.aof_enabled ? 1 : 0; }
int64_t aof_last_write_ok(Source& m) { return m.node().persistence.aof_last_write_ok ? 1 : 0; }

// Collectors of the labelled families.
void commands_total(Source& m, MetricWriter& out) {
  for (const Command* cmd : info::used_commands(m.node())) {
    const MetricLabel label{"cmd", cmd->full_name};
    out.sample("", {&label, 1}, static_cast<double>(cmd->calls));
  }
}

void command_errors_total(Source& m, MetricWriter& out) {
  for (const Command* cmd : info::used_commands(m.node())) {
    const MetricLabel label{"cmd", cmd->full_name};
    out.sample("", {&label, 1}, static_cast<double>(cmd->failed_calls + cmd->rejected_calls));
  }
}

// The bucket bounds as `le` values, in seconds ("1e-05" ... "1").
const std::array<std::string, kLatencyBucketBoundsUs.size()>& bucket_labels() {
  static const auto labels = [] {
    std::array<std::string, kLatencyBucketBoundsUs.size()> out;
    for (size_t i = 0; i < out.size(); ++i) {
      out[i] = fmt::format("{}", static_cast<double>(kLatencyBucketBoundsUs[i]) / 1e6);
    }
    return out;
  }();
  return labels;
}

void command_duration(Source& m, MetricWriter& out) {
  const CommandLatency& latency = m.node().stats().command_latency;
  for (size_t f = 0; f < kCommandFamilyCount; ++f) {
    const auto family = static_cast<CommandFamily>(f);
    const LatencyHistogram& h = latency.family(family);
    if (h.count == 0) continue;  // families no command of has run yet
    const std::string_view name = command_family_name(family);
    uint64_t cumulative = 0;
    for (size_t i = 0; i < kLatencyBucketBoundsUs.size(); ++i) {
      cumulative += h.counts[i];
      const MetricLabel labels[] = {{"family", name}, {"le", bucket_labels()[i]}};
      out.sample("_bucket", labels, static_cast<double>(cumulative));
    }
    const MetricLabel inf[] = {{"family", name}, {"le", "+Inf"}};
    out.sample("_bucket", inf, static_cast<double>(h.count));
    const MetricLabel label{"family", name};
    out.sample("_sum", {&label, 1}, static_cast<double>(h.sum_us) / 1e6);
    out.sample("_count", {&label, 1}, static_cast<double>(h.count));
  }
}

template <size_t (Db::*count)() const>
void per_db(Source& m, MetricWriter& out) {
  Keyspace& ks = m.node().keyspace();
  for (int i = 0; i < ks.databases(); ++i) {
    const std::string db = fmt::format_int(i).str();
    const MetricLabel label{"db", db};
    out.sample("", {&label, 1}, static_cast<double>((ks.db(i).*count)()));
  }
}

void replication_role(Source& m, MetricWriter& out) {
  const MetricLabel label{"role", m.replication().replica ? "slave" : "master"};
  out.sample("", {&label, 1}, 1);
}

void replica_lag(Source& m, MetricWriter& out) {
  for (const ReplicaStatus& replica : m.replication().replicas) {
    const std::string address = replica.ip + ":" + std::to_string(replica.port);
    const MetricLabel label{"replica", address};
    out.sample("", {&label, 1}, static_cast<double>(replica.lag_s));
  }
}

// In MetricId order first (metric() indexes by id), then the families INFO does not print as one
// field. The names are an interface: alert rules and dashboards use them.
constexpr MetricDecl kMetrics[] = {
    {"stashd_uptime_seconds", T::kGauge, "Seconds since the server started.", S::kServer,
     "uptime_in_seconds", F::kInteger, uptime, nullptr},
    {"stashd_commands_processed_total", T::kCounter, "Commands processed (every call, any result).",
     S::kStats, "total_commands_processed", F::kInteger, commands_processed, nullptr},
    {"stashd_memory_used_bytes", T::kGauge,
     "Memory used as maxmemory counts it (INFO used_memory).", S::kMemory, "used_memory",
     F::kInteger, memory_used, nullptr},
    {"stashd_memory_rss_bytes", T::kGauge, "Resident set size of the process.", S::kMemory,
     "used_memory_rss", F::kInteger, memory_rss, nullptr},
    {"stashd_memory_max_bytes", T::kGauge, "The maxmemory limit; 0 means no limit.", S::kMemory,
     "maxmemory", F::kInteger, memory_max, nullptr},
    {"stashd_evicted_keys_total", T::kCounter, "Keys evicted to stay under maxmemory.", S::kStats,
     "evicted_keys", F::kInteger, evicted_keys, nullptr},
    {"stashd_expired_keys_total", T::kCounter, "Keys removed because their TTL passed.", S::kStats,
     "expired_keys", F::kInteger, expired_keys, nullptr},
    {"stashd_keyspace_hits_total", T::kCounter, "Key lookups that found the key.", S::kStats,
     "keyspace_hits", F::kInteger, keyspace_hits, nullptr},
    {"stashd_keyspace_misses_total", T::kCounter, "Key lookups that did not find the key.",
     S::kStats, "keyspace_misses", F::kInteger, keyspace_misses, nullptr},
    {"stashd_connected_clients", T::kGauge, "Client connections open (replicas excluded).",
     S::kClients, "connected_clients", F::kInteger, connected_clients, nullptr},
    {"stashd_blocked_clients", T::kGauge, "Clients waiting in a blocking command.", S::kClients,
     "blocked_clients", F::kInteger, blocked_clients, nullptr},
    {"stashd_replication_offset_bytes", T::kGauge, "The replication offset (master_repl_offset).",
     S::kReplication, "master_repl_offset", F::kInteger, replication_offset, nullptr},
    {"stashd_connected_replicas", T::kGauge, "Replicas connected to this node.", S::kReplication,
     "connected_slaves", F::kInteger, connected_replicas, nullptr},
    {"stashd_loading", T::kGauge, "1 while the dataset is being loaded at start-up, else 0.",
     S::kPersistence, "loading", F::kInteger, loading, nullptr},
    {"stashd_rdb_changes_since_last_save", T::kGauge, "Writes since the last snapshot was taken.",
     S::kPersistence, "rdb_changes_since_last_save", F::kInteger, rdb_changes, nullptr},
    {"stashd_rdb_last_save_timestamp_seconds", T::kGauge,
     "Unix time of the last successful snapshot (the start time before any).", S::kPersistence,
     "rdb_last_save_time", F::kInteger, rdb_last_save_time, nullptr},
    {"stashd_rdb_last_bgsave_success", T::kGauge, "1 if the last background save succeeded.",
     S::kPersistence, "rdb_last_bgsave_status", F::kOkErr, rdb_last_bgsave_ok, nullptr},
    {"stashd_aof_enabled", T::kGauge, "1 while the append-only file is on.", S::kPersistence,
     "aof_enabled", F::kInteger, aof_enabled, nullptr},
    {"stashd_aof_last_write_success", T::kGauge,
     "1 if the last write to the append-only file succeeded.", S::kPersistence,
     "aof_last_write_status", F::kOkErr, aof_last_write_ok, nullptr},
    // Families with labels (INFO shows them in its own formats: commandstats, keyspace, ...).
    {"stashd_commands_total", T::kCounter, "Calls per command (INFO commandstats calls).",
     S::kCommandstats, "", F::kNone, nullptr, commands_total},
    {"stashd_command_errors_total", T::kCounter,
     "Calls per command that failed or were rejected (commandstats failed_calls + "
     "rejected_calls).",
     S::kCommandstats, "", F::kNone, nullptr, command_errors_total},
    {"stashd_command_duration_seconds", T::kHistogram,
     "Duration of command calls per command family.", S::kCommandstats, "", F::kNone, nullptr,
     command_duration},
    {"stashd_keys", T::kGauge, "Keys per database.", S::kKeyspace, "", F::kNone, nullptr,
     per_db<&Db::size>},
    {"stashd_expiring_keys", T::kGauge, "Keys with a TTL per database.", S::kKeyspace, "", F::kNone,
     nullptr, per_db<&Db::expires>},
    {"stashd_replication_role", T::kGauge,
     "The node's role (label role: master or slave); always 1.", S::kReplication, "", F::kNone,
     nullptr, replication_role},
    {"stashd_replica_lag_seconds", T::kGauge,
     "Seconds since each connected replica last acknowledged.", S::kReplication, "", F::kNone,
     nullptr, replica_lag},
    {"stashd_replication_link_up", T::kGauge,
     "1 if the node is a master or its link to the master is up, else 0.", S::kReplication, "",
     F::kNone, replication_link_up, nullptr},
};

}  // namespace

std::span<const MetricDecl> metric_declarations() { return kMetrics; }

const MetricDecl& metric(MetricId id) { return kMetrics[static_cast<size_t>(id)]; }

}  // namespace stashd
