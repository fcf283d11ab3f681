// Owns: the state one node's commands share: config, keyspace, command table, the client registry,
// slow log, server statistics, pause state, and the hooks into the server (shutdown) that commands
// may call. Must not touch: sockets (clients are reached through ClientTransport). Thread: event loop.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "stashd/command/blocking.h"
#include "stashd/command/client.h"
#include "stashd/command/command_latency.h"
#include "stashd/command/command_table.h"
#include "stashd/command/keyspace_events.h"
#include "stashd/command/persistence.h"
#include "stashd/command/propagation.h"
#include "stashd/command/pubsub.h"
#include "stashd/command/replication.h"
#include "stashd/command/slowlog.h"
#include "stashd/command/tracking.h"
#include "stashd/command/watch_registry.h"
#include "stashd/common/clock.h"
#include "stashd/config/config.h"
#include "stashd/keyspace/keyspace.h"

namespace stashd {

class Dispatcher;

struct ServerStats {
  uint64_t total_connections_received = 0;
  uint64_t total_commands_processed = 0;
  uint64_t rejected_connections = 0;
  uint64_t total_net_input_bytes = 0;
  uint64_t total_net_output_bytes = 0;
  uint64_t total_error_replies = 0;
  uint64_t unexpected_error_replies = 0;
  uint64_t client_query_buffer_limit_disconnections = 0;
  uint64_t client_output_buffer_limit_disconnections = 0;
  std::map<std::string, uint64_t> error_codes;  // "ERR" -> count, for INFO errorstats
  CommandLatency command_latency;               // per command family, for /metrics
};

// Things commands ask of the server process (implemented by the server module).
class ServerControl {
 public:
  virtual ~ServerControl() = default;
  // SHUTDOWN: stop accepting, flush replies, exit the loop. Returns an error message or "".
  virtual std::string request_shutdown(bool nosave, bool save, bool now, bool force) = 0;
  virtual int tcp_port() const = 0;
  virtual size_t used_memory_rss() const = 0;
  // An eviction run ran out of time with memory still over maxmemory: keep evicting in short
  // slices between I/O until it is under.
  virtual void continue_eviction() = 0;
};

class NodeState {
 public:
  // `clock` defaults to the system clock; tests pass a ManualClock.
  NodeState(Config* config, ConfigRegistry* registry, const Clock* clock = nullptr);

  const Clock& clock() const { return *clock_; }

  Config& config() { return *config_; }
  ConfigRegistry& config_registry() { return *registry_; }
  Keyspace& keyspace() { return keyspace_; }
  CommandTable& commands() { return commands_; }
  Slowlog& slowlog() { return slowlog_; }
  WatchRegistry& watches() { return watches_; }
  PubSub& pubsub() { return pubsub_; }
  BlockingRegistry& blocking() { return blocking_; }
  Tracking& tracking() { return tracking_; }
  // Keyspace notifications, following the current notify-keyspace-events.
  KeyspaceEvents& events() {
    events_.configure(config_->notify_keyspace_events);
    return events_;
  }
  ServerStats& stats() { return stats_; }
  // The write stream for the AOF and replicas (the dispatcher builds it; sinks register here).
  Propagator& propagator() { return propagator_; }

  // Clients, in id order (CLIENT LIST order).
  void add_client(Client* c) { clients_[c->id] = c; }
  void remove_client(Client* c);
  Client* find_client(uint64_t id) const;
  const std::map<uint64_t, Client*>& clients() const { return clients_; }
  uint64_t next_client_id() { return ++last_client_id_; }
  std::vector<Client*>& monitors() { return monitors_; }

  // CLIENT PAUSE state: commands from clients (all, or only writes) wait until pause_end_ms.
  int64_t pause_end_ms = 0;
  bool pause_writes_only = false;

  // Copies the maxmemory/eviction/lazyfree options into the keyspace (start-up and CONFIG SET).
  void apply_eviction_config();

  ServerControl* control = nullptr;
  SnapshotControl* snapshots = nullptr;  // SAVE/BGSAVE (set by the server)
  ReplicationControl* replication = nullptr;  // REPLICAOF, WAIT, INFO replication (the server)
  // The backlog and replicas' pending output: left out of used memory for eviction.
  uint64_t replication_buffer_bytes = 0;
  // Runs before any reply leaves for a socket (the append-only file writes, and under always
  // fsyncs, what those replies acknowledge). With group_replies, connections defer their socket
  // writes until the requests already read in this loop pass have run, so one write() and one
  // fsync cover them all.
  std::function<void()> before_replies;
  bool group_replies = false;
  PersistenceState persistence;
  // Replication's state as INFO, /metrics and /readyz read it; without replication (tests,
  // tools) a primary with no replicas.
  ReplicationStatus replication_status() const {
    return replication != nullptr ? replication->status() : ReplicationStatus{};
  }
  Dispatcher* dispatcher = nullptr;  // set by the Dispatcher; EXEC runs queued requests through it
  int64_t start_time_ms = 0;
  uint64_t dirty = 0;  // writes since start (rdb_changes_since_last_save later)
  // Set while a propagated stream is applied (AOF load; a replica's link later): keys may leave
  // only through the stream's own DELs, so the dispatcher holds the keyspace clock at 0 meanwhile:
  // nothing expires and no deadline in the stream counts as past (Redis does not expire keys while
  // loading either). The stream's times are all absolute, so nothing else depends on the clock.
  bool applying_stream = false;
  std::string run_id;
  std::string executable;
  std::string config_file;

 private:
  Config* config_;
  ConfigRegistry* registry_;
  const Clock* clock_;
  Propagator propagator_;  // before the keyspace: outlives its listeners
  Keyspace keyspace_;
  CommandTable commands_;
  Slowlog slowlog_;
  WatchRegistry watches_;
  PubSub pubsub_;
  BlockingRegistry blocking_;
  KeyspaceEvents events_{&pubsub_};
  Tracking tracking_{this};
  ServerStats stats_;
  std::map<uint64_t, Client*> clients_;
  std::vector<Client*> monitors_;
  uint64_t last_client_id_ = 0;
};

}  // namespace stashd
