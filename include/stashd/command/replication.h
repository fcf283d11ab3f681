// Owns: what the commands and INFO may see of and ask of replication (implemented by the server):
// the status snapshot (role, ids, offsets, replicas, link), REPLICAOF, the replica-link commands
// (REPLCONF, PSYNC), WAIT and FAILOVER. Must not touch: sockets. Thread: the event loop.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace stashd {

class Client;

struct ReplicaStatus {
  std::string ip;
  int port = 0;
  std::string state;  // wait_bgsave, send_bulk, online
  uint64_t offset = 0;  // acknowledged
  int64_t lag_s = 0;    // seconds since its last acknowledgement
};

struct ReplicationStatus {
  bool replica = false;  // role:slave
  std::string master_host;
  int master_port = 0;
  bool link_up = false;
  std::string link_state;  // ROLE's: connect, connecting, sync, connected
  int64_t last_io_s = -1;  // seconds since the primary last sent anything
  bool sync_in_progress = false;
  int64_t sync_total_bytes = -1;
  int64_t sync_read_bytes = 0;
  int64_t sync_last_io_s = 0;
  int64_t link_down_since_s = 0;  // seconds the link has been down (when down)
  uint64_t replica_offset = 0;    // slave_repl_offset: what this replica applied
  bool read_only = true;

  std::vector<ReplicaStatus> replicas;
  std::string failover_state = "no-failover";
  std::string replid;
  std::string replid2;
  uint64_t offset = 0;  // master_repl_offset
  int64_t second_offset = -1;
  bool backlog_active = false;
  uint64_t backlog_size = 0;
  uint64_t backlog_first_byte = 0;
  uint64_t backlog_histlen = 0;
  uint64_t backlog_allocated = 0;
  uint64_t replica_buffers = 0;  // output pending for replicas (mem_clients_slaves)
  int good_replicas = 0;  // online and within min-replicas-max-lag

  uint64_t sync_full = 0;
  uint64_t sync_partial_ok = 0;
  uint64_t sync_partial_err = 0;
};

class ReplicationControl {
 public:
  virtual ~ReplicationControl() = default;
  virtual ReplicationStatus status() const = 0;
  virtual bool is_replica() const = 0;
  // The replication id and offset the dataset corresponds to right now, and the database the
  // stream has selected there (saved in snapshots).
  virtual void history(std::string* replid, uint64_t* offset, int* stream_db) const = 0;
  // The replica's link to its primary is up (always true on a primary).
  virtual bool link_up() const = 0;
  // REPLICAOF host port (an error message, or "" for OK; *already set when nothing changed).
  virtual std::string replicate(const std::string& host, int port, bool* already) = 0;
  // REPLICAOF NO ONE: an error message, or "".
  virtual std::string promote() = 0;
  // REPLCONF on a replica's connection: "" when it needs no reply (ACK), else the reply error
  // ("-..." prefixed text is an error; "+OK" otherwise written by the caller).
  virtual std::string replconf(Client& client, std::span<const std::string_view> argv) = 0;
  // PSYNC / SYNC from a replica: writes +FULLRESYNC or +CONTINUE and turns the client into a
  // replica link. Returns an error message instead when it cannot serve.
  virtual std::string psync(Client& client, std::span<const std::string_view> argv) = 0;
  // Replicas whose acknowledged offset reached `offset`.
  virtual int acked_replicas(uint64_t offset) const = 0;
  // WAIT: the offset the client waits for, and asks replicas for fresh acknowledgements.
  virtual uint64_t offset() const = 0;
  virtual void wait_started(Client& client, uint64_t offset, int replicas) = 0;
  // A FAILOVER waits for its target: nothing may add to the stream (no eviction, no expiry).
  virtual bool holding_stream() const = 0;
  // Whether writes are refused by min-replicas-to-write right now.
  virtual bool too_few_replicas() const = 0;
  // FAILOVER [TO host port [FORCE]] [TIMEOUT ms] (host empty: any replica in sync; timeout 0:
  // none) and FAILOVER ABORT: an error message, or "".
  virtual std::string failover(const std::string& host, int port, int64_t timeout_ms,
                               bool force) = 0;
  virtual std::string abort_failover() = 0;
};

}  // namespace stashd
