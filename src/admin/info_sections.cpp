// Owns: the fields of INFO's server, clients, memory, persistence, replication, cpu and cluster
// sections, named and formatted as Redis 7.0 prints them. Sections describing subsystems stashd
// does not have yet (persistence, replication) report Redis's values for "never ran".
// Must not touch: sockets, the keyspace's internals. Thread: the event loop.
#include "admin/info_sections.h"

#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "stashd/admin/memory.h"
#include "stashd/admin/memory_report.h"
#include "stashd/command/node_state.h"
#include "stashd/keyspace/allocator.h"

namespace stashd::info {

namespace {

constexpr std::string_view kRedisVersion = "7.0.15";  // what clients gate features on
constexpr std::string_view kNoReplicationId = "0000000000000000000000000000000000000000";
constexpr int64_t kDefaultBacklogSize = 1024 * 1024;

std::string os_name() {
  utsname u{};
  if (uname(&u) != 0) return "Linux";
  return fmt::format("{} {} {}", u.sysname, u.release, u.machine);
}

std::string cpu_seconds(const timeval& tv) {
  return fmt::format("{}.{:06d}", static_cast<int64_t>(tv.tv_sec), static_cast<int>(tv.tv_usec));
}

uint64_t total_system_memory() {
  long pages = sysconf(_SC_PHYS_PAGES);
  long page_size = sysconf(_SC_PAGESIZE);
  return pages > 0 && page_size > 0 ? static_cast<uint64_t>(pages) * page_size : 0;
}

bool is_hex_id(std::string_view s) {
  return s.size() == 40 && std::all_of(s.begin(), s.end(), [](char c) {
           return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

std::string replication_id(std::string_view run_id) {
  if (is_hex_id(run_id)) return std::string(run_id);
  // No usable run id (a node built without the server, say): derive 40 stable hex digits from it.
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : run_id) h = (h ^ c) * 0x100000001b3ULL;
  std::string id;
  while (id.size() < 40) {
    h += 0x9E3779B97F4A7C15ULL;
    uint64_t z = h;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    id += fmt::format("{:016x}", z ^ (z >> 31));
  }
  id.resize(40);
  return id;
}

void server_section(NodeState& node, Fields& out) {
  const Config& config = node.config();
  int64_t now_us = node.clock().now_us();
  int64_t uptime_s = std::max<int64_t>(0, now_us / 1000 - node.start_time_ms) / 1000;
  out.add("redis_version", kRedisVersion);
  out.add("stashd_version", STASHD_VERSION);
  out.add("redis_mode", "standalone");
  out.add("os", os_name());
  out.add("arch_bits", sizeof(void*) * 8);
  out.add("multiplexing_api", "epoll");
  out.add("gcc_version", fmt::format("{}.{}.{}", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__));
  out.add("process_id", static_cast<int64_t>(getpid()));
  // As server/systemd_notify.cpp decides: notifications go out only when systemd gave a socket.
  const char* notify_socket = std::getenv("NOTIFY_SOCKET");
  bool systemd = config.supervised != "no" && notify_socket != nullptr && *notify_socket != '\0';
  out.add("process_supervised", systemd ? "systemd" : "no");
  out.add("run_id", node.run_id);
  out.add("tcp_port", node.control != nullptr ? node.control->tcp_port() : config.port);
  out.add("server_time_usec", now_us);
  out.metric(MetricId::kUptime, node);
  out.add("uptime_in_days", uptime_s / 86400);
  out.add("hz", config.hz);
  out.add("configured_hz", config.hz);
  out.add("lru_clock", node.keyspace().lru_clock());
  out.add("executable", node.executable);
  out.add("config_file", node.config_file);
  out.add("io_threads_active", 0);
}

void clients_section(NodeState& node, Fields& out) {
  size_t max_input = 0;
  size_t max_output = 0;
  for (const auto& [id, client] : node.clients()) {
    if (client->transport == nullptr) continue;
    max_input = std::max(max_input, client->transport->query_buffer_bytes());
    max_output = std::max(max_output, client->transport->output_pending_bytes());
  }
  out.metric(MetricId::kConnectedClients, node);
  out.add("cluster_connections", 0);
  out.add("maxclients", node.config().maxclients);
  out.add("client_recent_max_input_buffer", max_input);
  out.add("client_recent_max_output_buffer", max_output);
  out.metric(MetricId::kBlockedClients, node);
  out.add("tracking_clients", node.tracking().tracking_clients());
  size_t with_timeout = 0;
  for (const auto& [id, client] : node.clients()) {
    if (client->blocked && client->blocked_deadline_ms > 0) ++with_timeout;
  }
  out.add("clients_in_timeout_table", with_timeout);
}

void memory_section(NodeState& node, Fields& out) {
  const MemoryReport& r = out.source(node).memory();
  Keyspace& ks = node.keyspace();
  uint64_t system = total_system_memory();
  auto percent = [](double value) { return fmt::format("{:.2f}%", value); };
  out.metric(MetricId::kMemoryUsed, node);
  out.add("used_memory_human", bytes_to_human(r.used));
  out.metric(MetricId::kMemoryRss, node);
  out.add("used_memory_rss_human", bytes_to_human(r.rss));
  out.add("used_memory_peak", r.peak);
  out.add("used_memory_peak_human", bytes_to_human(r.peak));
  out.add("used_memory_peak_perc", percent(r.peak_percent()));
  out.add("used_memory_overhead", r.overhead);
  out.add("used_memory_startup", r.startup);
  out.add("used_memory_dataset", r.dataset);
  out.add("used_memory_dataset_perc", percent(r.dataset_percent()));
  out.add("allocator_allocated", r.allocator.allocated);
  out.add("allocator_active", r.allocator.active);
  out.add("allocator_resident", r.allocator.resident);
  out.add("total_system_memory", system);
  out.add("total_system_memory_human", bytes_to_human(system));
  out.metric(MetricId::kMemoryMax, node);
  out.add("maxmemory_human", bytes_to_human(r.maxmemory));
  out.add("maxmemory_policy", eviction_policy_name(ks.eviction().policy));
  out.fixed("allocator_frag_ratio", r.allocator_frag_ratio(), 2);
  out.add("allocator_frag_bytes", r.allocator_frag_bytes());
  out.fixed("allocator_rss_ratio", r.allocator_rss_ratio(), 2);
  out.add("allocator_rss_bytes", r.allocator_rss_bytes());
  out.fixed("rss_overhead_ratio", r.rss_overhead_ratio(), 2);
  out.add("rss_overhead_bytes", r.rss_overhead_bytes());
  out.fixed("mem_fragmentation_ratio", r.fragmentation_ratio(), 2);
  out.add("mem_fragmentation_bytes", r.fragmentation_bytes());
  // Replication buffers (and the AOF buffer) are left out of eviction, as in Redis.
  const ReplicationStatus& repl = out.source(node).replication();
  out.add("mem_not_counted_for_evict",
          node.replication_buffer_bytes + static_cast<uint64_t>(node.persistence.aof_buffer_length));
  out.add("mem_replication_backlog", repl.backlog_allocated);
  out.add("mem_total_replication_buffers", repl.backlog_allocated + repl.replica_buffers);
  out.add("mem_clients_slaves", repl.replica_buffers);
  out.add("mem_clients_normal", r.clients_normal);
  out.add("mem_cluster_links", 0);
  out.add("mem_aof_buffer", 0);
  out.add("mem_allocator", allocator::name());
  out.add("active_defrag_running", 0);
  out.add("lazyfree_pending_objects", r.lazyfree_pending);
  out.add("lazyfreed_objects", ks.lazy_free().freed());
}

void persistence_section(NodeState& node, Fields& out) {
  const PersistenceState& p = node.persistence;
  const int64_t now_ms = node.clock().now_ms();
  out.metric(MetricId::kLoading, node);
  out.add("async_loading", 0);
  if (p.loading) {
    double seconds = static_cast<double>(now_ms - p.loading_start_ms) / 1000.0;
    double fraction = p.loading_total_bytes
                          ? static_cast<double>(p.loading_loaded_bytes) / p.loading_total_bytes
                          : 0.0;
    double rate = seconds > 0 ? static_cast<double>(p.loading_loaded_bytes) / seconds : 0.0;
    double eta = rate > 0 ? static_cast<double>(p.loading_total_bytes - p.loading_loaded_bytes) / rate
                          : 1.0;
    out.add("loading_start_time", p.loading_start_ms / 1000);
    out.add("loading_total_bytes", p.loading_total_bytes);
    out.add("loading_rdb_used_mem", 0);
    out.add("loading_loaded_bytes", p.loading_loaded_bytes);
    out.add("loading_loaded_perc", fmt::format("{:.2f}", fraction * 100.0));
    out.add("loading_eta_seconds", static_cast<int64_t>(eta));
  }
  out.metric(MetricId::kRdbChangesSinceLastSave, node);
  out.add("rdb_bgsave_in_progress", p.bgsave_in_progress ? 1 : 0);
  out.metric(MetricId::kRdbLastSaveTime, node);
  out.metric(MetricId::kRdbLastBgsaveSuccess, node);
  out.add("rdb_last_bgsave_time_sec", p.last_bgsave_time_sec);
  out.add("rdb_current_bgsave_time_sec",
          p.bgsave_in_progress ? (now_ms - p.bgsave_start_ms) / 1000 : -1);
  out.add("rdb_saves", p.saves);
  out.add("rdb_last_cow_size", p.last_cow_bytes);
  out.metric(MetricId::kAofEnabled, node);
  out.add("aof_rewrite_in_progress", p.aof_rewrite_in_progress ? 1 : 0);
  out.add("aof_rewrite_scheduled", p.aof_rewrite_scheduled ? 1 : 0);
  out.add("aof_last_rewrite_time_sec", p.aof_last_rewrite_time_sec);
  out.add("aof_current_rewrite_time_sec",
          p.aof_rewrite_in_progress ? (now_ms - p.aof_rewrite_start_ms) / 1000 : -1);
  out.add("aof_last_bgrewrite_status", p.aof_last_rewrite_ok ? "ok" : "err");
  out.add("aof_rewrites", p.aof_rewrites);
  out.metric(MetricId::kAofLastWriteSuccess, node);
  out.add("aof_last_cow_size", p.aof_last_cow_bytes);
  if (p.aof_enabled) {
    out.add("aof_current_size", p.aof_current_size);
    out.add("aof_base_size", p.aof_base_size);
    out.add("aof_pending_rewrite", p.aof_rewrite_scheduled ? 1 : 0);
    out.add("aof_buffer_length", p.aof_buffer_length);
    out.add("aof_pending_bio_fsync", p.aof_fsync_in_progress ? 1 : 0);
    out.add("aof_delayed_fsync", p.aof_delayed_fsync);
  }
}

void replication_section(NodeState& node, Fields& out) {
  if (node.replication == nullptr) {
    // A node without the server's replication (tests, tools): a primary that never replicated.
    out.add("role", "master");
    out.add("connected_slaves", 0);
    out.add("master_failover_state", "no-failover");
    out.add("master_replid", replication_id(node.run_id));
    out.add("master_replid2", kNoReplicationId);
    out.add("master_repl_offset", 0);
    out.add("second_repl_offset", -1);
    out.add("repl_backlog_active", 0);
    out.add("repl_backlog_size", kDefaultBacklogSize);
    out.add("repl_backlog_first_byte_offset", 0);
    out.add("repl_backlog_histlen", 0);
    return;
  }
  const ReplicationStatus& s = out.source(node).replication();
  out.add("role", s.replica ? "slave" : "master");
  if (s.replica) {
    out.add("master_host", s.master_host);
    out.add("master_port", s.master_port);
    out.add("master_link_status", s.link_up ? "up" : "down");
    out.add("master_last_io_seconds_ago", s.last_io_s);
    out.add("master_sync_in_progress", s.sync_in_progress ? 1 : 0);
    out.add("slave_read_repl_offset", s.replica_offset);
    out.add("slave_repl_offset", s.replica_offset);
    if (s.sync_in_progress) {
      out.add("master_sync_total_bytes", s.sync_total_bytes);
      out.add("master_sync_read_bytes", s.sync_read_bytes);
      out.add("master_sync_left_bytes",
              s.sync_total_bytes >= 0 ? s.sync_total_bytes - s.sync_read_bytes : -1);
      out.add("master_sync_perc",
              fmt::format("{:.2f}", s.sync_total_bytes > 0
                                        ? 100.0 * s.sync_read_bytes / s.sync_total_bytes
                                        : 0.0));
      out.add("master_sync_last_io_seconds_ago", s.sync_last_io_s);
    }
    if (!s.link_up) out.add("master_link_down_since_seconds", s.link_down_since_s);
    out.add("slave_priority", 100);
    out.add("slave_read_only", s.read_only ? 1 : 0);
    out.add("replica_announced", 1);
  }
  out.metric(MetricId::kConnectedReplicas, node);
  if (!s.replica && node.config().min_replicas_to_write > 0) {
    out.add("min_slaves_good_slaves", s.good_replicas);
  }
  for (size_t i = 0; i < s.replicas.size(); ++i) {
    const ReplicaStatus& r = s.replicas[i];
    out.add(fmt::format("slave{}", i), fmt::format("ip={},port={},state={},offset={},lag={}", r.ip,
                                                   r.port, r.state, r.offset, r.lag_s));
  }
  out.add("master_failover_state", s.failover_state);
  out.add("master_replid", s.replid);
  out.add("master_replid2", s.replid2);
  out.metric(MetricId::kReplicationOffset, node);
  out.add("second_repl_offset", s.second_offset);
  out.add("repl_backlog_active", s.backlog_active ? 1 : 0);
  out.add("repl_backlog_size", s.backlog_size);
  out.add("repl_backlog_first_byte_offset", s.backlog_first_byte);
  out.add("repl_backlog_histlen", s.backlog_histlen);
}

void cpu_section(NodeState&, Fields& out) {
  rusage self{};
  rusage children{};
  rusage thread{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  getrusage(RUSAGE_THREAD, &thread);  // INFO runs on the event loop: this is the main thread
  out.add("used_cpu_sys", cpu_seconds(self.ru_stime));
  out.add("used_cpu_user", cpu_seconds(self.ru_utime));
  out.add("used_cpu_sys_children", cpu_seconds(children.ru_stime));
  out.add("used_cpu_user_children", cpu_seconds(children.ru_utime));
  out.add("used_cpu_sys_main_thread", cpu_seconds(thread.ru_stime));
  out.add("used_cpu_user_main_thread", cpu_seconds(thread.ru_utime));
}

void cluster_section(NodeState&, Fields& out) { out.add("cluster_enabled", 0); }

}  // namespace stashd::info
