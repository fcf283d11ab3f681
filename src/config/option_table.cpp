// Owns: the table of options (one row each: name, type, Config member, default, bounds, run-time
// mutability, doc) and the parse/format rules of each option type, worded like Redis 7.
// Must not touch: sockets, the keyspace, files (only stat() to check `dir`). Thread: the event loop
// (and main() before it starts).
#include "config/option_table.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <vector>

#include "stashd/common/strings.h"
#include "stashd/config/keyspace_event_flags.h"

namespace stashd::config {
namespace {

constexpr int64_t kIntMax = INT_MAX;
constexpr int64_t kUintMax = UINT_MAX;
constexpr int64_t kMb = 1024 * 1024;

constexpr std::array<std::string_view, 3> kFsyncPolicies = {"always", "everysec", "no"};
constexpr std::array<std::string_view, 4> kLogLevels = {"debug", "verbose", "notice", "warning"};
// Redis's `supervised` values less "upstart" (stashd does not implement its SIGSTOP handshake).
constexpr std::array<std::string_view, 3> kSupervisedModes = {"no", "systemd", "auto"};
// The keyspace's EvictionPolicy names (a server unit test checks the two lists agree).
constexpr std::array<std::string_view, 11> kEvictionPolicies = {
    "noeviction",      "allkeys-lru",       "allkeys-lru-exact", "allkeys-lfu",
    "allkeys-random",  "allkeys-wtinylfu",  "volatile-lru",      "volatile-lfu",
    "volatile-random", "volatile-ttl",      "volatile-wtinylfu"};

// Redis reports the working directory as an absolute path, so `dir` is stored resolved.
bool check_directory(std::string* value, std::string* reason) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(*value, ec);
  if (ec && status.type() != fs::file_type::not_found) {
    *reason = ec.message();
    return false;
  }
  if (!fs::exists(status)) {
    *reason = std::strerror(ENOENT);
    return false;
  }
  if (!fs::is_directory(status)) {
    *reason = std::strerror(ENOTDIR);
    return false;
  }
  const fs::path resolved = fs::canonical(*value, ec);
  if (ec) {
    *reason = ec.message();
    return false;
  }
  *value = resolved.string();
  return true;
}

// notify-keyspace-events: validated and stored in the canonical spelling CONFIG GET shows.
bool check_keyspace_events(std::string* value, std::string* reason) {
  std::optional<uint32_t> flags = parse_keyspace_event_flags(*value);
  if (!flags) {
    *reason = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
    return false;
  }
  *value = format_keyspace_event_flags(*flags);
  return true;
}

// save: "<seconds> <changes>" pairs (both positive), or "" for none; stored normalised.
bool check_save_points(std::string* value, std::string* reason) {
  std::vector<std::string_view> words;
  for (size_t i = 0; i < value->size();) {
    while (i < value->size() && (*value)[i] == ' ') ++i;
    size_t end = value->find(' ', i);
    if (end == std::string::npos) end = value->size();
    if (end > i) words.push_back(std::string_view(*value).substr(i, end - i));
    i = end;
  }
  std::string normal;
  if (words.size() % 2 != 0) {
    *reason = "Invalid save parameters";
    return false;
  }
  for (std::string_view w : words) {
    int64_t n = 0;
    if (!parse_i64(w, &n) || n <= 0 || n > INT_MAX) {
      *reason = "Invalid save parameters";
      return false;
    }
    if (!normal.empty()) normal += ' ';
    normal += i64_to_string(n);
  }
  *value = normal;
  return true;
}

bool plain_name(const std::string& value) {
  return !value.empty() && value.find('/') == std::string::npos && value != "." && value != "..";
}

// dbfilename, appendfilename, appenddirname: plain names inside `dir`, as Redis requires.
bool check_file_name(std::string* value, std::string* reason) {
  if (plain_name(*value)) return true;
  *reason = "dbfilename can't be a path, just a filename";
  return false;
}
bool check_aof_file_name(std::string* value, std::string* reason) {
  if (plain_name(*value)) return true;
  *reason = "appendfilename can't be a path, just a filename";
  return false;
}
bool check_aof_dir_name(std::string* value, std::string* reason) {
  if (plain_name(*value)) return true;
  *reason = "appenddirname can't be a path, just a dirname";
  return false;
}

bool check_replicaof(std::string* value, std::string* reason) {
  if (value->empty()) return true;
  std::string host;
  int port = 0;
  if (!parse_replicaof(*value, &host, &port)) {
    *reason = "expected \"<host> <port>\"";
    return false;
  }
  return true;
}

using T = OptionType;

// Bounds follow Redis 7's config table; `databases` is capped at what the keyspace stores.
// clang-format off
const OptionSpec kOptions[] = {
    {.name = "bind", .type = T::kString, .member = &Config::bind, .default_value = "127.0.0.1",
     .doc = "Space-separated addresses to listen on."},
    {.name = "port", .type = T::kInt, .member = &Config::port, .default_value = "6379",
     .max = 65535, .doc = "TCP port to accept connections on; 0 disables TCP."},
    {.name = "tcp-backlog", .type = T::kInt, .member = &Config::tcp_backlog,
     .default_value = "511", .max = kIntMax, .doc = "Backlog of the listen() call."},
    {.name = "databases", .type = T::kInt, .member = &Config::databases, .default_value = "16",
     .min = 1, .max = 256, .doc = "Number of logical databases (SELECT 0 .. databases-1)."},
    {.name = "maxclients", .type = T::kInt, .member = &Config::maxclients,
     .default_value = "10000", .min = 1, .max = kUintMax, .runtime_mutable = true,
     .doc = "Maximum number of connected clients."},
    {.name = "timeout", .type = T::kInt, .member = &Config::timeout, .default_value = "0",
     .max = kIntMax, .runtime_mutable = true,
     .doc = "Close a client after this many idle seconds; 0 never closes."},
    {.name = "tcp-keepalive", .type = T::kInt, .member = &Config::tcp_keepalive,
     .default_value = "300", .max = kIntMax, .runtime_mutable = true,
     .doc = "Seconds between TCP keepalive probes; 0 disables them."},
    {.name = "http-port", .type = T::kInt, .member = &Config::http_port, .default_value = "0",
     .max = 65535,
     .doc = "Port of the HTTP listener (/metrics, /healthz, /readyz, /cache); 0 disables it."},
    {.name = "http-bind", .type = T::kString, .member = &Config::http_bind,
     .default_value = "127.0.0.1", .doc = "The one address the HTTP listener binds."},
    {.name = "loglevel", .type = T::kEnum, .member = &Config::loglevel, .default_value = "notice",
     .runtime_mutable = true, .doc = "Log verbosity: debug, verbose, notice or warning.",
     .choices = kLogLevels},
    {.name = "logfile", .type = T::kString, .member = &Config::logfile, .default_value = "",
     .doc = "Log file path; empty logs to standard output."},
    {.name = "dir", .type = T::kString, .member = &Config::dir, .default_value = ".",
     .runtime_mutable = true, .doc = "Working directory for persistence files; must exist.",
     .check = check_directory},
    {.name = "requirepass", .type = T::kString, .member = &Config::requirepass,
     .default_value = "", .runtime_mutable = true,
     .doc = "Password clients must AUTH with; empty requires none."},
    {.name = "proto-max-bulk-len", .type = T::kMemory, .member = &Config::proto_max_bulk_len,
     .default_value = "512mb", .min = kMb, .runtime_mutable = true,
     .doc = "Largest bulk string a client may send."},
    {.name = "client-query-buffer-limit", .type = T::kMemory,
     .member = &Config::client_query_buffer_limit, .default_value = "1gb", .min = kMb,
     .runtime_mutable = true, .doc = "Largest query buffer of one client."},
    {.name = "client-output-buffer-limit", .type = T::kOutputBufferLimits,
     .member = OutputBufferLimitMembers{&Config::client_output_buffer_limit_normal,
                                        &Config::client_output_buffer_limit_replica,
                                        &Config::client_output_buffer_limit_pubsub},
     .default_value = "normal 0 0 0 replica 256mb 64mb 60 pubsub 32mb 8mb 60",
     .runtime_mutable = true,
     .doc = "Per class: <class> <hard> <soft> <soft-seconds>; 0 disables a limit."},
    {.name = "replicaof", .type = T::kString, .member = &Config::replicaof, .default_value = "",
     .doc = "Start as a replica of \"<host> <port>\"; empty starts a primary (REPLICAOF changes "
            "it at run time).",
     .check = check_replicaof},
    {.name = "masterauth", .type = T::kString, .member = &Config::masterauth,
     .default_value = "", .runtime_mutable = true,
     .doc = "Password a replica sends (AUTH) to its primary."},
    {.name = "masteruser", .type = T::kString, .member = &Config::masteruser,
     .default_value = "", .runtime_mutable = true,
     .doc = "User name a replica sends with masterauth; empty sends the password alone."},
    {.name = "replica-read-only", .type = T::kBool, .member = &Config::replica_read_only,
     .default_value = "yes", .runtime_mutable = true,
     .doc = "A replica refuses writes from its own clients (-READONLY)."},
    {.name = "replica-serve-stale-data", .type = T::kBool,
     .member = &Config::replica_serve_stale_data, .default_value = "yes", .runtime_mutable = true,
     .doc = "A replica whose link is down still answers with the data it has; no answers "
            "-MASTERDOWN to data commands."},
    {.name = "replica-ignore-maxmemory", .type = T::kBool,
     .member = &Config::replica_ignore_maxmemory, .default_value = "yes",
     .runtime_mutable = true,
     .doc = "A replica does not evict on its own: its primary's DELs keep it in step."},
    {.name = "replica-announce-ip", .type = T::kString, .member = &Config::replica_announce_ip,
     .default_value = "", .runtime_mutable = true,
     .doc = "Address a replica reports to its primary (REPLCONF ip-address); empty: the "
            "connection's."},
    {.name = "repl-backlog-size", .type = T::kMemory, .member = &Config::repl_backlog_size,
     .default_value = "1mb", .min = 16 * 1024, .runtime_mutable = true,
     .doc = "Bytes of recent writes kept so a reconnecting replica can continue (+CONTINUE)."},
    {.name = "repl-backlog-ttl", .type = T::kInt, .member = &Config::repl_backlog_ttl,
     .default_value = "3600", .max = kIntMax, .runtime_mutable = true,
     .doc = "Seconds without replicas after which a primary frees its backlog; 0 never does."},
    {.name = "repl-ping-replica-period", .type = T::kInt,
     .member = &Config::repl_ping_replica_period, .default_value = "10", .min = 1,
     .max = kIntMax, .runtime_mutable = true,
     .doc = "Seconds between the PINGs a primary sends down its replication stream."},
    {.name = "repl-timeout", .type = T::kInt, .member = &Config::repl_timeout,
     .default_value = "60", .min = 1, .max = kIntMax, .runtime_mutable = true,
     .doc = "Seconds of silence after which a replication link is dropped (both sides)."},
    {.name = "repl-diskless-sync", .type = T::kBool, .member = &Config::repl_diskless_sync,
     .default_value = "yes", .runtime_mutable = true,
     .doc = "Stream full-sync snapshots to replicas over the socket instead of through a file."},
    {.name = "repl-diskless-sync-delay", .type = T::kInt,
     .member = &Config::repl_diskless_sync_delay, .default_value = "5", .max = kIntMax,
     .runtime_mutable = true,
     .doc = "Seconds a diskless full sync waits for more replicas to share it."},
    {.name = "repl-diskless-sync-max-replicas", .type = T::kInt,
     .member = &Config::repl_diskless_sync_max_replicas, .default_value = "0", .max = kIntMax,
     .runtime_mutable = true,
     .doc = "Start a diskless sync before the delay once this many replicas wait; 0: no limit."},
    {.name = "min-replicas-to-write", .type = T::kInt, .member = &Config::min_replicas_to_write,
     .default_value = "0", .max = kIntMax, .runtime_mutable = true,
     .doc = "Refuse writes (-NOREPLICAS) unless this many replicas are online with a lag of at "
            "most min-replicas-max-lag; 0 disables."},
    {.name = "min-replicas-max-lag", .type = T::kInt, .member = &Config::min_replicas_max_lag,
     .default_value = "10", .max = kIntMax, .runtime_mutable = true,
     .doc = "Seconds since its last acknowledgement within which a replica counts as good."},
    {.name = "hz", .type = T::kInt, .member = &Config::hz, .default_value = "10",
     .max = kIntMax, .runtime_mutable = true,
     .doc = "Background task frequency per second, clamped to 1..500.", .clamp_min = 1,
     .clamp_max = 500},
    {.name = "slowlog-log-slower-than", .type = T::kInt,
     .member = &Config::slowlog_log_slower_than, .default_value = "10000", .min = -1,
     .runtime_mutable = true,
     .doc = "Log commands slower than this many microseconds; -1 disables the slow log."},
    {.name = "slowlog-max-len", .type = T::kInt, .member = &Config::slowlog_max_len,
     .default_value = "128", .runtime_mutable = true,
     .doc = "Number of entries the slow log keeps."},
    {.name = "pidfile", .type = T::kString, .member = &Config::pidfile, .default_value = "",
     .doc = "File to write the process id to; empty writes none."},
    {.name = "supervised", .type = T::kEnum, .member = &Config::supervised,
     .default_value = "auto",
     .doc = "systemd: notify systemd (READY=1, STATUS=, STOPPING=1, WATCHDOG=1); auto: only when "
            "NOTIFY_SOCKET is set; no: never.",
     .choices = kSupervisedModes},
    {.name = "notify-keyspace-events", .type = T::kString,
     .member = &Config::notify_keyspace_events, .default_value = "", .runtime_mutable = true,
     .doc = "Keyspace notifications to publish: K, E and event classes (g$lshzxen or A).",
     .check = check_keyspace_events},
    {.name = "list-max-listpack-size", .type = T::kInt, .member = &Config::list_max_listpack_size,
     .default_value = "-2", .min = INT_MIN, .max = kIntMax, .runtime_mutable = true,
     .doc = "List node size: > 0 entries per node, -1..-5 for 4/8/16/32/64 KiB per node."},
    {.name = "hash-max-listpack-entries", .type = T::kInt,
     .member = &Config::hash_max_listpack_entries, .default_value = "128", .max = LONG_MAX,
     .runtime_mutable = true, .doc = "Hashes with at most this many fields stay compact."},
    {.name = "hash-max-listpack-value", .type = T::kInt, .member = &Config::hash_max_listpack_value,
     .default_value = "64", .max = LONG_MAX, .runtime_mutable = true,
     .doc = "Hashes whose fields and values are at most this long stay compact."},
    {.name = "set-max-intset-entries", .type = T::kInt, .member = &Config::set_max_intset_entries,
     .default_value = "512", .max = LONG_MAX, .runtime_mutable = true,
     .doc = "Sets of integers with at most this many members use the integer-set encoding."},
    {.name = "set-max-listpack-entries", .type = T::kInt,
     .member = &Config::set_max_listpack_entries, .default_value = "128", .max = LONG_MAX,
     .runtime_mutable = true, .doc = "Sets with at most this many members stay compact."},
    {.name = "set-max-listpack-value", .type = T::kInt, .member = &Config::set_max_listpack_value,
     .default_value = "64", .max = LONG_MAX, .runtime_mutable = true,
     .doc = "Sets whose members are at most this long stay compact."},
    {.name = "zset-max-listpack-entries", .type = T::kInt,
     .member = &Config::zset_max_listpack_entries, .default_value = "128", .max = LONG_MAX,
     .runtime_mutable = true, .doc = "Sorted sets with at most this many members stay compact."},
    {.name = "zset-max-listpack-value", .type = T::kInt,
     .member = &Config::zset_max_listpack_value, .default_value = "64", .max = LONG_MAX,
     .runtime_mutable = true, .doc = "Sorted sets whose members are at most this long stay compact."},
    {.name = "maxmemory", .type = T::kMemory, .member = &Config::maxmemory, .default_value = "0",
     .runtime_mutable = true,
     .doc = "Memory limit (e.g. 100mb, 4gb); over it the policy evicts or writes get -OOM. 0 = none."},
    {.name = "maxmemory-policy", .type = T::kEnum, .member = &Config::maxmemory_policy,
     .default_value = "noeviction", .runtime_mutable = true,
     .doc = "What goes when memory is full: noeviction, allkeys-/volatile- lru, lfu, random, "
            "wtinylfu, volatile-ttl, allkeys-lru-exact.",
     .choices = kEvictionPolicies},
    {.name = "maxmemory-samples", .type = T::kInt, .member = &Config::maxmemory_samples,
     .default_value = "5", .min = 1, .max = 64, .runtime_mutable = true,
     .doc = "Keys sampled per database for each sampled LRU/LFU eviction."},
    {.name = "maxmemory-eviction-tenacity", .type = T::kInt,
     .member = &Config::maxmemory_eviction_tenacity, .default_value = "10", .max = 100,
     .runtime_mutable = true,
     .doc = "How long one eviction run may take before the rest continues in the background "
            "(10 = 500 us, 100 = unbounded)."},
    {.name = "lfu-log-factor", .type = T::kInt, .member = &Config::lfu_log_factor,
     .default_value = "10", .max = kIntMax, .runtime_mutable = true,
     .doc = "How slowly LFU counters grow: higher needs more hits per step."},
    {.name = "lfu-decay-time", .type = T::kInt, .member = &Config::lfu_decay_time,
     .default_value = "1", .max = kIntMax, .runtime_mutable = true,
     .doc = "Minutes without access for an LFU counter to drop by one; 0 never decays."},
    {.name = "lazyfree-lazy-eviction", .type = T::kBool,
     .member = &Config::lazyfree_lazy_eviction, .default_value = "no", .runtime_mutable = true,
     .doc = "Free big evicted values in a background thread."},
    {.name = "lazyfree-lazy-expire", .type = T::kBool, .member = &Config::lazyfree_lazy_expire,
     .default_value = "no", .runtime_mutable = true,
     .doc = "Free big expired values in a background thread."},
    {.name = "lazyfree-lazy-server-del", .type = T::kBool,
     .member = &Config::lazyfree_lazy_server_del, .default_value = "no", .runtime_mutable = true,
     .doc = "Free big values replaced by a write (SET over a set, RENAME) in a background thread."},
    {.name = "lazyfree-lazy-user-del", .type = T::kBool,
     .member = &Config::lazyfree_lazy_user_del, .default_value = "no", .runtime_mutable = true,
     .doc = "Make DEL free big values in a background thread, as UNLINK always does."},
    {.name = "save", .type = T::kString, .member = &Config::save,
     .default_value = "3600 1 300 100 60 10000", .runtime_mutable = true,
     .doc = "Snapshot when <seconds> passed and <changes> writes happened, per pair; \"\" = never.",
     .check = check_save_points},
    {.name = "dbfilename", .type = T::kString, .member = &Config::dbfilename,
     .default_value = "dump.rdb", .runtime_mutable = true,
     .doc = "Snapshot file name inside `dir`.", .check = check_file_name},
    {.name = "rdbcompression", .type = T::kBool, .member = &Config::rdbcompression,
     .default_value = "yes", .runtime_mutable = true,
     .doc = "Compress long strings in snapshots with LZ4."},
    {.name = "rdbchecksum", .type = T::kBool, .member = &Config::rdbchecksum,
     .default_value = "yes", .runtime_mutable = true,
     .doc = "Write a checksum at the end of snapshots and verify it on load."},
    {.name = "stop-writes-on-bgsave-error", .type = T::kBool,
     .member = &Config::stop_writes_on_bgsave_error, .default_value = "yes",
     .runtime_mutable = true,
     .doc = "Refuse writes with -MISCONF while the last background save failed."},
    {.name = "appendonly", .type = T::kBool, .member = &Config::appendonly, .default_value = "no",
     .runtime_mutable = true,
     .doc = "Log every write to the append-only file; turning it on at run time writes a base "
            "from the current data first."},
    {.name = "appendfilename", .type = T::kString, .member = &Config::appendfilename,
     .default_value = "appendonly.aof", .doc = "Name prefix of the append-only files.",
     .check = check_aof_file_name},
    {.name = "appenddirname", .type = T::kString, .member = &Config::appenddirname,
     .default_value = "appendonlydir",
     .doc = "Directory inside `dir` holding the append-only files and their manifest.",
     .check = check_aof_dir_name},
    {.name = "appendfsync", .type = T::kEnum, .member = &Config::appendfsync,
     .default_value = "everysec", .runtime_mutable = true,
     .doc = "always: fsync before replying; everysec: fsync once a second in the background; no.",
     .choices = kFsyncPolicies},
    {.name = "auto-aof-rewrite-percentage", .type = T::kInt,
     .member = &Config::auto_aof_rewrite_percentage, .default_value = "100", .max = kIntMax,
     .runtime_mutable = true,
     .doc = "Rewrite the append-only file when it grew by this percentage over its base; 0 never."},
    {.name = "auto-aof-rewrite-min-size", .type = T::kMemory,
     .member = &Config::auto_aof_rewrite_min_size, .default_value = "64mb",
     .runtime_mutable = true, .doc = "No automatic rewrite below this size."},
    {.name = "aof-load-truncated", .type = T::kBool, .member = &Config::aof_load_truncated,
     .default_value = "yes", .runtime_mutable = true,
     .doc = "Load an append-only file whose last command was cut short (dropping it) instead of "
            "refusing to start."},
};
// clang-format on

// Client classes in canonical order: the name CONFIG GET prints (Redis 7 still says "slave"), the
// name the YAML file uses, and the names accepted on input.
struct ClientClass {
  std::string_view reply_name;
  std::string_view file_name;
  std::string_view alias;
};
constexpr std::array<ClientClass, 3> kClientClasses = {{
    {"normal", "normal", "normal"},
    {"slave", "replica", "slave"},
    {"pubsub", "pubsub", "pubsub"},
}};

std::string bounds_reason(const OptionSpec& spec) {
  return fmt::format("argument must be between {} and {} inclusive", spec.min, spec.max);
}

std::optional<OptionValue> parse_number(const OptionSpec& spec, std::string_view text,
                                        std::string* reason) {
  int64_t n = 0;
  if (spec.type == T::kMemory) {
    if (!parse_memory(text, &n)) {
      *reason = "argument must be a memory value";
      return std::nullopt;
    }
  } else if (!parse_i64(text, &n)) {
    *reason = "argument couldn't be parsed into an integer";
    return std::nullopt;
  }
  if (n < spec.min || n > spec.max) {
    *reason = bounds_reason(spec);
    return std::nullopt;
  }
  return std::clamp(n, spec.clamp_min, spec.clamp_max);
}

std::optional<OptionValue> parse_bool(std::string_view text, ValueSource source,
                                      std::string* reason) {
  if (iequals(text, "yes")) return true;
  if (iequals(text, "no")) return false;
  if (source == ValueSource::kFile) {
    if (iequals(text, "true")) return true;
    if (iequals(text, "false")) return false;
  }
  *reason = "argument must be 'yes' or 'no'";
  return std::nullopt;
}

std::optional<OptionValue> parse_enum(const OptionSpec& spec, std::string_view text,
                                      std::string* reason) {
  for (std::string_view choice : spec.choices) {
    if (iequals(text, choice)) return std::string(choice);
  }
  *reason =
      fmt::format("argument(s) must be one of the following: {}", fmt::join(spec.choices, ", "));
  return std::nullopt;
}

std::optional<OptionValue> parse_string(const OptionSpec& spec, std::string_view text,
                                        std::string* reason) {
  std::string value(text);
  if (spec.check != nullptr && !spec.check(&value, reason)) return std::nullopt;
  return value;
}

std::vector<std::string_view> split_words(std::string_view text) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    size_t end = i;
    while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end]))) ++end;
    if (end > i) words.push_back(text.substr(i, end - i));
    i = end;
  }
  return words;
}

// "<class> <hard> <soft> <soft-seconds>" repeated; classes not named keep their current limits.
std::optional<OptionValue> parse_output_buffer_limits(std::string_view text, std::string* reason) {
  const std::vector<std::string_view> words = split_words(text);
  if (words.size() % 4 != 0) {
    *reason = "Wrong number of arguments in buffer limit configuration.";
    return std::nullopt;
  }
  OutputBufferLimits limits;
  for (size_t i = 0; i < words.size(); i += 4) {
    size_t cls = 0;
    while (cls < kClientClasses.size() && !iequals(words[i], kClientClasses[cls].file_name) &&
           !iequals(words[i], kClientClasses[cls].alias)) {
      ++cls;
    }
    if (cls == kClientClasses.size()) {
      *reason = "Invalid client class specified in buffer limit configuration.";
      return std::nullopt;
    }
    OutputBufferLimit limit;
    if (!parse_memory(words[i + 1], &limit.hard_bytes) ||
        !parse_memory(words[i + 2], &limit.soft_bytes) ||
        !parse_i64(words[i + 3], &limit.soft_seconds) || limit.soft_seconds < 0) {
      *reason = "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
      return std::nullopt;
    }
    limits[cls] = limit;
  }
  return limits;
}

std::string memory_for_file(int64_t bytes) {
  constexpr std::array<std::pair<int64_t, std::string_view>, 3> kUnits = {
      {{1LL << 30, "gb"}, {1LL << 20, "mb"}, {1LL << 10, "kb"}}};
  for (const auto& [size, suffix] : kUnits) {
    if (bytes != 0 && bytes % size == 0) return fmt::format("{}{}", bytes / size, suffix);
  }
  return i64_to_string(bytes);
}

bool is_plain_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("._/-+ ", c) != nullptr;
}

// A YAML plain scalar reads back as the same text only if it cannot be taken for anything else.
std::string quote_for_yaml(std::string_view s) {
  const bool null_word = s == "~" || s == "null" || s == "Null" || s == "NULL";
  const bool plain = !s.empty() && !null_word &&
                     (std::isalnum(static_cast<unsigned char>(s.front())) || s.front() == '.' ||
                      s.front() == '/' || s.front() == '_') &&
                     s.back() != ' ' && std::all_of(s.begin(), s.end(), is_plain_char);
  if (plain) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

template <typename Fn>
std::string format_limits(const OutputBufferLimits& limits, Fn&& format_class) {
  std::string out;
  for (size_t cls = 0; cls < limits.size(); ++cls) {
    if (!limits[cls]) continue;
    if (!out.empty()) out += ' ';
    out += format_class(kClientClasses[cls], *limits[cls]);
  }
  return out;
}

}  // namespace

std::span<const OptionSpec> option_table() { return kOptions; }

const OptionSpec* find_option(std::string_view name) {
  for (const OptionSpec& spec : kOptions) {
    if (iequals(spec.name, name)) return &spec;
  }
  return nullptr;
}

size_t option_index(const OptionSpec& spec) { return static_cast<size_t>(&spec - kOptions); }

std::optional<OptionValue> parse_option(const OptionSpec& spec, std::string_view text,
                                        ValueSource source, std::string* reason) {
  switch (spec.type) {
    case T::kInt:
    case T::kMemory:
      return parse_number(spec, text, reason);
    case T::kBool:
      return parse_bool(text, source, reason);
    case T::kEnum:
      return parse_enum(spec, text, reason);
    case T::kString:
      return parse_string(spec, text, reason);
    case T::kOutputBufferLimits:
      return parse_output_buffer_limits(text, reason);
  }
  return std::nullopt;
}

OptionValue read_option(const OptionSpec& spec, const Config& config) {
  return std::visit(
      [&config](const auto& member) -> OptionValue {
        using M = std::decay_t<decltype(member)>;
        if constexpr (std::is_same_v<M, OutputBufferLimitMembers>) {
          return OutputBufferLimits{config.*member.normal, config.*member.replica,
                                    config.*member.pubsub};
        } else {
          return config.*member;
        }
      },
      spec.member);
}

void write_option(const OptionSpec& spec, const OptionValue& value, Config* config) {
  std::visit(
      [config, &value](const auto& member) {
        using M = std::decay_t<decltype(member)>;
        if constexpr (std::is_same_v<M, OutputBufferLimitMembers>) {
          const auto& limits = std::get<OutputBufferLimits>(value);
          const std::array<OutputBufferLimit Config::*, 3> targets = {member.normal, member.replica,
                                                                      member.pubsub};
          for (size_t cls = 0; cls < targets.size(); ++cls) {
            if (limits[cls]) config->*targets[cls] = *limits[cls];
          }
        } else {
          using V = std::remove_reference_t<decltype(config->*member)>;
          config->*member = std::get<V>(value);
        }
      },
      spec.member);
}

std::string format_for_reply(const OptionSpec& spec, const OptionValue& value) {
  switch (spec.type) {
    case T::kInt:
    case T::kMemory:
      return i64_to_string(std::get<int64_t>(value));
    case T::kBool:
      return std::get<bool>(value) ? "yes" : "no";
    case T::kEnum:
    case T::kString:
      return std::get<std::string>(value);
    case T::kOutputBufferLimits:
      return format_limits(std::get<OutputBufferLimits>(value),
                           [](const ClientClass& cls, const OutputBufferLimit& limit) {
                             return fmt::format("{} {} {} {}", cls.reply_name, limit.hard_bytes,
                                                limit.soft_bytes, limit.soft_seconds);
                           });
  }
  return {};
}

std::string format_for_file(const OptionSpec& spec, const OptionValue& value) {
  switch (spec.type) {
    case T::kMemory:
      return memory_for_file(std::get<int64_t>(value));
    case T::kString:
      return quote_for_yaml(std::get<std::string>(value));
    case T::kOutputBufferLimits:
      return format_limits(std::get<OutputBufferLimits>(value), [](const ClientClass& cls,
                                                                   const OutputBufferLimit& limit) {
        return fmt::format("{} {} {} {}", cls.file_name, memory_for_file(limit.hard_bytes),
                           memory_for_file(limit.soft_bytes), limit.soft_seconds);
      });
    case T::kInt:
    case T::kBool:
    case T::kEnum:
      return format_for_reply(spec, value);
  }
  return {};
}

}  // namespace stashd::config
