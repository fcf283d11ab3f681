// Owns: replication's I/O on one node, both roles, around the pure pieces in repl/:
//  - as a primary: the replication stream (a propagation sink encoding writes into the backlog
//    and every replica's output), PSYNC answers, full syncs from a forked child (diskless through
//    a pipe, or through a file), replica acknowledgements, PINGs down the stream, dropping silent
//    replicas, WAIT and min-replicas-to-write;
//  - as a replica: the link to the primary (connect, handshake, snapshot transfer and load, then
//    applying the stream through the dispatcher as the master client), acknowledgements, timeouts
//    and reconnecting with backoff; REPLICAOF and promotion (REPLICAOF NO ONE).
// Replica connections on a primary stay ordinary net::Connections (their output is the stream);
// the link to a primary is a socket of its own here. Must not touch: command semantics, the
// keyspace beyond loading a synced snapshot. Thread: the event loop; the sync child runs alone.
#pragma once

#include <sys/types.h>

#include <asio.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "stashd/command/dispatcher.h"
#include "stashd/command/node_state.h"
#include "stashd/command/replication.h"
#include "stashd/repl/backlog.h"
#include "stashd/repl/psync.h"
#include "stashd/repl/stream_encoder.h"

namespace stashd {

class MasterLink;

class Replication final : public ReplicationControl {
 public:
  Replication(NodeState* node, Dispatcher* dispatcher, asio::io_context& io);
  ~Replication() override;

  // After the dataset loaded: the history the snapshot recorded (repl-id, repl-offset), so a
  // restarted node can continue its stream; then connects to `replicaof` when configured.
  void start(const std::string& loaded_replid, int64_t loaded_offset, int loaded_stream_db);
  // Once per cron pass (acts once a second): pings, acknowledgements, timeouts, sync jobs.
  void cron(int64_t now_ms);
  // Stops the link and the sync child (shutdown).
  void stop();

  // ReplicationControl
  ReplicationStatus status() const override;
  bool is_replica() const override { return !master_host_.empty(); }
  void history(std::string* replid, uint64_t* offset, int* stream_db) const override;
  bool link_up() const override;
  std::string replicate(const std::string& host, int port, bool* already) override;
  std::string promote() override;
  // While a FAILOVER waits for its target, nothing may add to the stream: writes are paused, and
  // the server holds active expiry and eviction.
  bool holding_stream() const override { return failover_ == Failover::kWaitingForSync; }
  std::string replconf(Client& client, std::span<const std::string_view> argv) override;
  std::string psync(Client& client, std::span<const std::string_view> argv) override;
  int acked_replicas(uint64_t offset) const override;
  uint64_t offset() const override { return backlog_ ? backlog_->offset() : base_offset_; }
  void wait_started(Client& client, uint64_t offset, int replicas) override;
  bool too_few_replicas() const override;
  std::string failover(const std::string& host, int port, int64_t timeout_ms, bool force) override;
  std::string abort_failover() override;

  // Used by the master link.
  NodeState& node() { return *node_; }
  Dispatcher& dispatcher() { return *dispatcher_; }
  asio::io_context& io() { return io_; }
  const repl::ReplicationIds& ids() const { return ids_; }
  // Whether ids().replid and offset() name a real history (a backlog, a sync, a loaded
  // snapshot's), worth asking a primary to continue; else PSYNC asks with "?".
  bool has_history() const { return backlog_ != nullptr || loaded_history_; }
  // The link finished a full sync: the dataset now is the primary's at `offset` under `replid`.
  void synced(const std::string& replid, uint64_t offset);
  // The link continued (+CONTINUE) under `replid` (a promoted primary's new id).
  void continued(const std::string& replid);
  // Stream bytes the link applied: into the backlog and to sub-replicas, unchanged.
  void relay(std::string_view bytes);
  // The snapshot a sync sent could not be loaded: the data no longer matches any history.
  void history_lost();
  // The database the applied stream has selected (the master client's): a new link starts there.
  int stream_db = 0;
  bool applying_master_stream = false;  // set by the link while it runs the primary's commands
  uint64_t sync_full = 0;
  uint64_t sync_partial_ok = 0;
  uint64_t sync_partial_err = 0;

 private:
  enum class PeerState { kWaitBgsave, kSendBulk, kWaitAck, kOnline };
  struct Peer {
    uint64_t client_id = 0;
    bool legacy_sync = false;  // SYNC: no +FULLRESYNC line
    std::string ip;
    int port = 0;
    bool capa_eof = false;
    PeerState state = PeerState::kWaitBgsave;
    uint64_t ack_offset = 0;
    int64_t ack_ms = 0;
    int64_t wait_since_ms = 0;
    std::string pending;  // the stream since its snapshot started, sent once the snapshot is
    // Whether this replica is the one at host:port (FAILOVER TO; "localhost" names 127.0.0.1).
    bool is(const std::string& host, int p) const {
      return port == p && (ip == host || (host == "localhost" && ip == "127.0.0.1"));
    }
  };
  // A full sync: the child writing the snapshot and the replicas it is for.
  struct SyncJob;

  Client* client_of(const Peer& peer) const;
  Peer* peer_of(const Client& client);
  void ensure_backlog();
  void free_backlog();
  void feed(const PropagatedUnit& unit);
  void feed_bytes(std::string_view bytes);
  void schedule_flush();
  void flush_peers();
  void drop_peer(Peer* peer, const std::string& why);
  void forget_closed_peers();
  void put_online(Peer* peer);
  void start_sync_job();
  void pump_sync_job();
  void finish_sync_job(bool ok, const std::string& why);
  void reap_sync_child();
  void check_waiters();
  void send_getack();
  void disconnect_replicas();
  // What the replicas' connections hold unsent, plus the stream buffered during their syncs.
  uint64_t replica_buffer_bytes() const;
  void update_buffer_bytes();
  void refresh_good_replicas(int64_t now_ms);

  NodeState* node_;
  Dispatcher* dispatcher_;
  asio::io_context& io_;
  repl::ReplicationIds ids_;
  std::unique_ptr<repl::Backlog> backlog_;
  uint64_t base_offset_ = 0;  // the offset while there is no backlog
  bool loaded_history_ = false;
  repl::StreamEncoder encoder_;
  std::string unit_bytes_;
  Propagator::SinkId sink_ = 0;
  bool sink_added_ = false;
  std::vector<std::unique_ptr<Peer>> peers_;
  std::unique_ptr<SyncJob> job_;
  bool flush_posted_ = false;
  bool getack_posted_ = false;
  std::vector<uint64_t> waiters_;  // clients blocked in WAIT
  // What replicas said in REPLCONF before their PSYNC, by client id.
  struct Announced {
    int port = 0;
    std::string ip;  // "" = the connection's
    bool capa_eof = false;
  };
  std::map<uint64_t, Announced> announced_;
  int64_t last_cron_s_ = 0;
  int64_t last_ping_ms_ = 0;
  int64_t no_replicas_since_ms_ = 0;
  int good_replicas_ = 0;

  // Replica side.
  std::string master_host_;
  int master_port_ = 0;
  std::shared_ptr<MasterLink> link_;
  int64_t link_down_since_ms_ = 0;
  int64_t next_connect_ms_ = 0;
  int connect_failures_ = 0;
  void connect_link();
  // REPLICAOF NO ONE's work (also the target of PSYNC FAILOVER, and a failed handover).
  void become_primary();
  void link_closed(bool failed);
  // The link reached the stream (+CONTINUE or a loaded snapshot).
  void link_connected();

  // FAILOVER: writes are paused while the chosen replica catches up, then this node follows it
  // (PSYNC ... FAILOVER makes it take over) and the pause ends.
  enum class Failover { kNone, kWaitingForSync, kInProgress };
  void failover_cron(int64_t now_ms);
  void start_handoff(const std::string& host, int port);
  void end_failover(const std::string& why, bool failed);
  Failover failover_ = Failover::kNone;
  std::string failover_host_;
  int failover_port_ = 0;
  int64_t failover_deadline_ms_ = 0;
  int64_t failover_getack_ms_ = 0;
  bool failover_force_ = false;
  int64_t paused_end_before_ = 0;
  bool paused_writes_before_ = false;
  // Set while this node's link asks its new primary to take over (PSYNC ... FAILOVER).
  bool psync_failover_ = false;

  friend class MasterLink;
};

}  // namespace stashd
