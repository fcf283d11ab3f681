// Owns: the configuration schema (every option's name, type, default, bounds, whether CONFIG SET may
// change it), loading config/stashd.yaml, command-line overrides, CONFIG GET/SET/REWRITE semantics.
// Must not touch: sockets, the keyspace. Thread: the event loop (and main() before it starts).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stashd/common/status.h"

namespace stashd {

// Limits for one client class of client-output-buffer-limit ("normal 0 0 0").
struct OutputBufferLimit {
  int64_t hard_bytes = 0;
  int64_t soft_bytes = 0;
  int64_t soft_seconds = 0;
};

// The typed values every module reads directly. Defaults match Redis 7 unless noted.
struct Config {
  std::string bind = "127.0.0.1";          // space-separated addresses
  int64_t port = 6379;
  int64_t tcp_backlog = 511;
  int64_t databases = 16;
  int64_t maxclients = 10000;
  int64_t timeout = 0;                     // idle seconds before closing a client, 0 = never
  int64_t tcp_keepalive = 300;
  int64_t http_port = 0;                   // 0 = no HTTP listener
  std::string http_bind = "127.0.0.1";
  std::string loglevel = "notice";         // debug verbose notice warning
  std::string logfile;                     // empty = stdout
  std::string dir = ".";
  std::string requirepass;
  int64_t proto_max_bulk_len = 512LL * 1024 * 1024;
  int64_t client_query_buffer_limit = 1024LL * 1024 * 1024;
  OutputBufferLimit client_output_buffer_limit_normal{};
  OutputBufferLimit client_output_buffer_limit_replica{256LL << 20, 64LL << 20, 60};
  OutputBufferLimit client_output_buffer_limit_pubsub{32LL << 20, 8LL << 20, 60};
  int64_t hz = 10;
  bool active_expire_enabled = true;       // DEBUG SET-ACTIVE-EXPIRE; not a config file option
  int64_t slowlog_log_slower_than = 10000; // microseconds; negative disables
  int64_t slowlog_max_len = 128;
  std::string pidfile;
  std::string supervised = "auto";  // no systemd auto (Redis's default is no; see option_table)
  std::string notify_keyspace_events;  // canonical flag string, "" = off
  // Compact encodings of small collections (names as in Redis 7).
  int64_t list_max_listpack_size = -2;  // > 0: entries per node; -1..-5: 4/8/16/32/64 KiB per node
  int64_t hash_max_listpack_entries = 128;
  int64_t hash_max_listpack_value = 64;
  int64_t set_max_intset_entries = 512;
  int64_t set_max_listpack_entries = 128;
  int64_t set_max_listpack_value = 64;
  int64_t zset_max_listpack_entries = 128;
  int64_t zset_max_listpack_value = 64;
  // Memory limit and eviction (Redis 7 names and defaults; the policies are listed in
  // keyspace/eviction_policy.h, plus stashd's allkeys-lru-exact and *-wtinylfu).
  int64_t maxmemory = 0;  // bytes, 0 = no limit
  std::string maxmemory_policy = "noeviction";
  int64_t maxmemory_samples = 5;
  int64_t maxmemory_eviction_tenacity = 10;
  int64_t lfu_log_factor = 10;
  int64_t lfu_decay_time = 1;
  bool lazyfree_lazy_eviction = false;
  bool lazyfree_lazy_expire = false;
  bool lazyfree_lazy_server_del = false;
  bool lazyfree_lazy_user_del = false;
  // Snapshots (Redis 7 names and defaults).
  std::string save = "3600 1 300 100 60 10000";  // "<seconds> <changes>" pairs; "" = no save points
  std::string dbfilename = "dump.rdb";
  bool rdbcompression = true;
  bool rdbchecksum = true;
  bool stop_writes_on_bgsave_error = true;
  // Append-only file (Redis 7 names and defaults).
  bool appendonly = false;
  std::string appendfilename = "appendonly.aof";
  std::string appenddirname = "appendonlydir";
  std::string appendfsync = "everysec";  // always everysec no
  int64_t auto_aof_rewrite_percentage = 100;
  int64_t auto_aof_rewrite_min_size = 64LL * 1024 * 1024;
  bool aof_load_truncated = true;
  // Replication (Redis 7 names and defaults).
  std::string replicaof;  // "<host> <port>", "" = a primary
  std::string masterauth;
  std::string masteruser;
  bool replica_read_only = true;
  bool replica_serve_stale_data = true;
  bool replica_ignore_maxmemory = true;
  std::string replica_announce_ip;
  int64_t repl_backlog_size = 1024 * 1024;
  int64_t repl_backlog_ttl = 3600;
  int64_t repl_ping_replica_period = 10;
  int64_t repl_timeout = 60;
  bool repl_diskless_sync = true;
  int64_t repl_diskless_sync_delay = 5;
  int64_t repl_diskless_sync_max_replicas = 0;
  int64_t min_replicas_to_write = 0;
  int64_t min_replicas_max_lag = 10;
};

// "<host> <port>" of the replicaof option; false when malformed.
bool parse_replicaof(std::string_view value, std::string* host, int* port);

// The save points of `save`, parsed: a snapshot is due when at least `changes` writes happened and
// `seconds` passed since the last successful save.
struct SavePoint {
  int64_t seconds = 0;
  int64_t changes = 0;
};
std::vector<SavePoint> parse_save_points(std::string_view text);

class ConfigRegistry {
 public:
  explicit ConfigRegistry(Config* config);
  ~ConfigRegistry();

  // Loads a YAML mapping of option names to scalars. Any unknown key or invalid value fails with
  // "<file>:<line>: <reason> '<option>'"; on failure nothing is applied.
  Status load_file(const std::string& path);
  // Sets an option at start-up (command line) or at run time (CONFIG SET). Run-time sets of
  // immutable options fail with Redis's wording. `name` is case-insensitive.
  Status set(std::string_view name, std::string_view value, bool at_startup);
  // CONFIG SET with several name/value pairs: all validated first, then all applied, or none.
  Status set_many(const std::vector<std::pair<std::string_view, std::string_view>>& pairs);
  // CONFIG GET: every option matching a glob pattern, as (name, value) in Redis's value format.
  std::vector<std::pair<std::string, std::string>> get(std::string_view pattern) const;
  bool known(std::string_view name) const;
  // CONFIG REWRITE: rewrites the loaded file keeping comments and order, updating changed options
  // and appending options that differ from the default but were not in the file.
  Status rewrite();
  const std::string& file() const { return file_; }

  // Called after an option changes at run time (e.g. hz, maxclients); registered by modules.
  void on_change(std::string_view name, std::function<void()> hook);

 private:
  struct Impl;
  Config* config_;
  std::string file_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace stashd
