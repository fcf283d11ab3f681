// Owns: replication's I/O on the primary side and the role changes (see replication.h).
// Thread: the event loop; the sync child writes its snapshot and exits.
#include "stashd/server/replication.h"

#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "server/master_link.h"
#include "stashd/common/strings.h"
#include "stashd/persist/snapshot.h"
#include "stashd/resp/command_encoder.h"
#include "stashd/server/persistence_child.h"

namespace stashd {

namespace {

// A sync stops reading its snapshot while a replica has this much output unsent.
constexpr size_t kSyncInFlightBytes = 8u << 20;
constexpr size_t kSyncChunk = 64 * 1024;

const char* state_name(int state) {
  static constexpr const char* kNames[] = {"wait_bgsave", "send_bulk", "send_bulk", "online"};
  return kNames[state];
}

}  // namespace

struct Replication::SyncJob {
  explicit SyncJob(asio::io_context& io) : timer(io) {}
  PersistenceChild child;
  bool diskless = true;
  std::unique_ptr<asio::posix::stream_descriptor> pipe;  // diskless: the child's output
  std::string file;                                      // disk: the snapshot written
  int file_fd = -1;
  std::string mark;
  std::vector<uint64_t> clients;  // the replicas served
  bool child_exited = false;
  bool child_ok = false;
  bool reading = false;
  bool source_done = false;  // every snapshot byte was handed to the replicas
  bool header_sent = false;
  std::vector<char> buf = std::vector<char>(kSyncChunk);
  asio::steady_timer timer;
  bool timer_armed = false;
};

Replication::Replication(NodeState* node, Dispatcher* dispatcher, asio::io_context& io)
    : node_(node), dispatcher_(dispatcher), io_(io) {
  node_->replication = this;
}

Replication::~Replication() { stop(); }

void Replication::stop() {
  if (job_) {
    if (job_->child.pid > 0) {
      kill(job_->child.pid, SIGUSR1);
      int status = 0;
      waitpid(job_->child.pid, &status, 0);
      read_child_report(&job_->child);
      job_->child.pid = -1;
    }
    finish_sync_job(false, "shutting down");
  }
  if (link_) {
    link_->close("shutting down", false);
    link_.reset();
  }
}

// ---- history ----------------------------------------------------------------------------------

void Replication::start(const std::string& loaded_replid, int64_t loaded_offset,
                        int loaded_stream_db) {
  if (!loaded_replid.empty() && loaded_offset >= 0) {
    ids_.replid = loaded_replid;
    base_offset_ = static_cast<uint64_t>(loaded_offset);
    loaded_history_ = true;
    stream_db = loaded_stream_db;
    spdlog::info("The dataset is offset {} of replication id {}", base_offset_, ids_.replid);
  }
  std::string host;
  int port = 0;
  if (!node_->config().replicaof.empty() &&
      parse_replicaof(node_->config().replicaof, &host, &port)) {
    bool already = false;
    replicate(host, port, &already);
  } else if (!loaded_replid.empty() && loaded_offset >= 0) {
    // A restarted primary keeps its history: its replicas may continue where they were.
    ensure_backlog();
  }
}

void Replication::history(std::string* replid, uint64_t* offset, int* db) const {
  *replid = ids_.replid;
  *offset = this->offset();
  // A replica's stream continues in the database its primary last selected; a primary's own
  // stream selects again after any sync or restart.
  *db = is_replica() ? stream_db : 0;
}

void Replication::ensure_backlog() {
  if (!backlog_) {
    backlog_ = std::make_unique<repl::Backlog>(
        static_cast<size_t>(node_->config().repl_backlog_size), base_offset_);
  }
  if (!sink_added_) {
    sink_ = node_->propagator().add_sink([this](const PropagatedUnit& u) { feed(u); },
                                         kPropagateReplicas);
    sink_added_ = true;
    // The first command of the stream selects its database.
    encoder_.forget_db();
  }
}

void Replication::free_backlog() {
  if (sink_added_) {
    node_->propagator().remove_sink(sink_);
    sink_added_ = false;
  }
  if (backlog_) {
    base_offset_ = backlog_->offset();
    backlog_.reset();
  }
}

// ---- the stream -------------------------------------------------------------------------------

void Replication::feed(const PropagatedUnit& unit) {
  // A replica relays its primary's bytes unchanged instead (relay()); its own writes (PUBLISH, a
  // writable replica's) stay local, as in Redis: they must not shift its offsets.
  if (applying_master_stream || !backlog_ || is_replica()) return;
  unit_bytes_.clear();
  encoder_.encode(unit, &unit_bytes_);
  feed_bytes(unit_bytes_);
}

void Replication::relay(std::string_view bytes) {
  if (!backlog_) ensure_backlog();
  feed_bytes(bytes);
}

void Replication::feed_bytes(std::string_view bytes) {
  backlog_->append(bytes);
  const int64_t hard = node_->config().client_output_buffer_limit_replica.hard_bytes;
  for (auto& peer : peers_) {
    Client* c = client_of(*peer);
    if (c == nullptr) continue;
    switch (peer->state) {
      case PeerState::kOnline:
        c->out.append(bytes);
        break;
      case PeerState::kSendBulk:
      case PeerState::kWaitAck:
        peer->pending.append(bytes);
        if (hard > 0 && static_cast<int64_t>(peer->pending.size()) > hard) {
          drop_peer(peer.get(), "its stream buffered during the sync passed the output limit");
        }
        break;
      case PeerState::kWaitBgsave:
        break;  // its stream starts where its snapshot will
    }
  }
  schedule_flush();
}

void Replication::schedule_flush() {
  if (flush_posted_ || peers_.empty()) return;
  flush_posted_ = true;
  asio::post(io_, [this] { flush_peers(); });
}

void Replication::flush_peers() {
  flush_posted_ = false;
  for (auto& peer : peers_) {
    Client* c = client_of(*peer);
    if (c != nullptr && !c->out.empty() && c->transport != nullptr) c->transport->request_flush();
  }
  update_buffer_bytes();
}

Client* Replication::client_of(const Peer& peer) const { return node_->find_client(peer.client_id); }

Replication::Peer* Replication::peer_of(const Client& client) {
  for (auto& peer : peers_) {
    if (peer->client_id == client.id) return peer.get();
  }
  return nullptr;
}

void Replication::drop_peer(Peer* peer, const std::string& why) {
  if (Client* c = client_of(*peer)) {
    spdlog::warn("Disconnecting replica {}:{}: {}", peer->ip, peer->port, why);
    c->flags &= ~kClientReplica;
    c->out.clear();
    if (c->transport != nullptr) c->transport->close_after_reply();
  }
  peer->client_id = 0;  // forgotten at the next cleanup
}

void Replication::forget_closed_peers() {
  std::erase_if(peers_, [this](const std::unique_ptr<Peer>& p) { return client_of(*p) == nullptr; });
  if (peers_.empty()) {
    if (no_replicas_since_ms_ == 0) no_replicas_since_ms_ = node_->clock().now_ms();
  } else {
    no_replicas_since_ms_ = 0;
  }
}

void Replication::disconnect_replicas() {
  for (auto& peer : peers_) drop_peer(peer.get(), "this node's replication history changed");
  forget_closed_peers();
}

void Replication::put_online(Peer* peer) {
  Client* c = client_of(*peer);
  if (c == nullptr) return;
  peer->state = PeerState::kOnline;
  peer->ack_ms = node_->clock().now_ms();
  c->out.append(peer->pending);
  std::string().swap(peer->pending);
  spdlog::info("Synchronization with replica {}:{} succeeded", peer->ip, peer->port);
  schedule_flush();
}

uint64_t Replication::replica_buffer_bytes() const {
  uint64_t bytes = 0;
  for (const auto& peer : peers_) {
    Client* c = client_of(*peer);
    if (c == nullptr) continue;
    bytes += peer->pending.size();
    if (c->transport != nullptr) bytes += c->transport->output_pending_bytes();
  }
  return bytes;
}

void Replication::update_buffer_bytes() {
  node_->replication_buffer_bytes = (backlog_ ? backlog_->allocated() : 0) + replica_buffer_bytes();
}

// ---- replica commands on the primary ----------------------------------------------------------

std::string Replication::replconf(Client& client, std::span<const std::string_view> argv) {
  if (argv.size() % 2 == 0) return "ERR syntax error";
  Peer* peer = peer_of(client);
  for (size_t i = 1; i + 1 < argv.size(); i += 2) {
    std::string_view option = argv[i];
    std::string_view value = argv[i + 1];
    if (iequals(option, "ack") || iequals(option, "fack")) {
      if (!iequals(option, "ack")) continue;
      int64_t offset = 0;
      if (!parse_i64(value, &offset) || offset < 0) return "";
      if (peer == nullptr) return "";  // as Redis: only replicas acknowledge
      peer->ack_offset = std::max(peer->ack_offset, static_cast<uint64_t>(offset));
      peer->ack_ms = node_->clock().now_ms();
      if (peer->state == PeerState::kWaitAck) {
        // Not inside the replica's own command: nothing it sends is answered, so output added
        // to its connection now would be dropped with the (empty) reply.
        asio::post(io_, [this, id = client.id] {
          Client* c = node_->find_client(id);
          Peer* p = c != nullptr ? peer_of(*c) : nullptr;
          if (p != nullptr && p->state == PeerState::kWaitAck) put_online(p);
        });
      }
      check_waiters();
      return "";
    }
    if (iequals(option, "getack")) {
      if (client.has(kClientMaster) && link_) link_->request_ack();
      return "";
    }
    if (iequals(option, "listening-port")) {
      int64_t port = 0;
      if (!parse_i64(value, &port) || port < 0 || port > 65535) {
        return "ERR value is not an integer or out of range";
      }
      announced_[client.id].port = static_cast<int>(port);
    } else if (iequals(option, "ip-address")) {
      announced_[client.id].ip = std::string(value);
    } else if (iequals(option, "capa")) {
      if (iequals(value, "eof")) announced_[client.id].capa_eof = true;
    } else {
      return "ERR Unrecognized REPLCONF option: " + std::string(option);
    }
  }
  return "OK";
}

std::string Replication::psync(Client& client, std::span<const std::string_view> argv) {
  if (client.has(kClientReplica)) return "";  // already a replica: ignored, as Redis does
  if (client.has(kClientMaster)) return "ERR the master link cannot PSYNC";
  const bool legacy = iequals(argv[0], "sync");
  std::string_view replid = legacy ? "?" : argv[1];
  int64_t next = -1;
  if (!legacy && !parse_i64(argv[2], &next)) next = -1;
  if (!legacy && argv.size() > 3) {
    if (argv.size() != 4 || !iequals(argv[3], "failover")) return "ERR syntax error";
    // Our primary hands over to us: it is in sync with us exactly, so we take over and it
    // continues as our replica.
    if (!is_replica()) return "ERR PSYNC FAILOVER can't be sent to a master.";
    if (replid != ids_.replid) return "ERR PSYNC FAILOVER replid must match my replid.";
    spdlog::info("Failover request received from {}: taking over as the primary", client.addr);
    become_primary();
  }
  if (is_replica() && !link_up()) return "NOMASTERLINK Can't SYNC while not connected with my master";

  auto peer = std::make_unique<Peer>();
  peer->client_id = client.id;
  peer->legacy_sync = legacy;
  std::string addr = client.addr;
  peer->ip = addr.substr(0, addr.rfind(':'));
  if (auto it = announced_.find(client.id); it != announced_.end()) {
    if (!it->second.ip.empty()) peer->ip = it->second.ip;
    peer->port = it->second.port;
    peer->capa_eof = it->second.capa_eof;
    announced_.erase(it);
  }
  client.flags |= kClientReplica;
  const int64_t now = node_->clock().now_ms();

  repl::PsyncDecision decision = repl::decide_psync(ids_, backlog_.get(), replid, next);
  if (!decision.full && !legacy) {
    ++sync_partial_ok;
    peer->state = PeerState::kOnline;
    peer->ack_ms = now;
    peer->ack_offset = static_cast<uint64_t>(next - 1);
    client.out.append("+CONTINUE " + ids_.replid + "\r\n");
    backlog_->copy_from(static_cast<uint64_t>(next), &client.out);
    spdlog::info("Partial resynchronization request from {}:{} accepted, sending {} bytes of "
                 "backlog starting from offset {}",
                 peer->ip, peer->port, backlog_->offset() + 1 - static_cast<uint64_t>(next), next);
    peers_.push_back(std::move(peer));
    no_replicas_since_ms_ = 0;
    return "";
  }
  if (!legacy && replid != "?") {
    ++sync_partial_err;
    spdlog::info("Partial resynchronization not accepted: {}", decision.reason);
  }
  ++sync_full;
  spdlog::info("Replica {}:{} asks for synchronization; full resync", peer->ip, peer->port);
  peer->state = PeerState::kWaitBgsave;
  peer->wait_since_ms = now;
  peers_.push_back(std::move(peer));
  no_replicas_since_ms_ = 0;
  ensure_backlog();
  // Disk-based syncs start at once; diskless ones wait for more replicas (cron).
  if (!job_ && (!node_->config().repl_diskless_sync || node_->config().repl_diskless_sync_delay == 0)) {
    start_sync_job();
  }
  return "";
}

// ---- full sync --------------------------------------------------------------------------------

void Replication::start_sync_job() {
  if (job_) return;
  std::vector<Peer*> waiting;
  for (auto& peer : peers_) {
    if (peer->state == PeerState::kWaitBgsave && client_of(*peer) != nullptr) {
      waiting.push_back(peer.get());
    }
  }
  if (waiting.empty()) return;
  const Config& cfg = node_->config();
  auto job = std::make_unique<SyncJob>(io_);
  // A replica that cannot read the EOF framing gets a file-based sync.
  job->diskless = cfg.repl_diskless_sync &&
                  std::all_of(waiting.begin(), waiting.end(), [](Peer* p) { return p->capa_eof; });
  ensure_backlog();
  persist::SnapshotOptions options = snapshot_options(*node_);
  const uint64_t offset = backlog_->offset();
  int fds[2] = {-1, -1};
  std::string error;
  if (job->diskless) {
    if (pipe2(fds, O_CLOEXEC) != 0) {
      error = std::string("pipe: ") + std::strerror(errno);
    } else {
      int out_fd = fds[1];
      const Keyspace* ks = &node_->keyspace();
      error = fork_persistence_child(
          [ks, out_fd, options] {
            signal(SIGPIPE, SIG_DFL);
            persist::SnapshotWriter writer(out_fd, options);
            return static_cast<bool>(writer.write(*ks));
          },
          &job->child, out_fd);
      close(fds[1]);
      if (!error.empty()) {
        close(fds[0]);
      } else {
        job->pipe = std::make_unique<asio::posix::stream_descriptor>(io_, fds[0]);
        job->mark = repl::random_replication_id();
      }
    }
  } else {
    job->file = "repl-sync-" + std::to_string(getpid()) + ".rdb";
    const Keyspace* ks = &node_->keyspace();
    std::string dir = cfg.dir;
    std::string file = job->file;
    error = fork_persistence_child(
        [ks, dir, file, options] { return static_cast<bool>(persist::save_snapshot(*ks, dir, file, options)); },
        &job->child);
    job->file = dir + "/" + file;
  }
  if (!error.empty()) {
    spdlog::warn("Can't start the full sync snapshot: {}", error);
    for (Peer* p : waiting) drop_peer(p, "the sync snapshot could not start: " + error);
    forget_closed_peers();
    return;
  }
  spdlog::info("Starting a {} full sync for {} replica(s) at offset {} (child {})",
               job->diskless ? "diskless" : "disk-based", waiting.size(), offset, job->child.pid);
  // The stream after the fork point is buffered per replica and starts with a SELECT.
  encoder_.forget_db();
  for (Peer* p : waiting) {
    Client* c = client_of(*p);
    if (!p->legacy_sync) c->out.append("+FULLRESYNC " + ids_.replid + " " + std::to_string(offset) + "\r\n");
    p->state = PeerState::kSendBulk;
    p->pending.clear();
    job->clients.push_back(p->client_id);
  }
  job_ = std::move(job);
  schedule_flush();
  if (job_->diskless) pump_sync_job();
}

void Replication::pump_sync_job() {
  SyncJob* job = job_.get();
  if (job == nullptr || job->reading || job->source_done) return;
  if (!job->diskless && !job->child_exited) return;  // the file is not written yet
  // Back-pressure: wait while a replica still has a lot to read.
  for (uint64_t id : job->clients) {
    Client* c = node_->find_client(id);
    if (c == nullptr) continue;
    size_t pending = c->transport ? c->transport->output_pending_bytes() : c->out.size();
    if (pending > kSyncInFlightBytes) {
      if (!job->timer_armed) {
        job->timer_armed = true;
        job->timer.expires_after(std::chrono::milliseconds(5));
        job->timer.async_wait([this, job](const asio::error_code& ec) {
          if (ec || job_.get() != job) return;
          job->timer_armed = false;
          pump_sync_job();
        });
      }
      return;
    }
  }
  auto deliver = [this, job](std::string_view bytes) {
    for (uint64_t id : job->clients) {
      Client* c = node_->find_client(id);
      if (c == nullptr) continue;
      if (!job->header_sent) {
        c->out.append(job->diskless ? "$EOF:" + job->mark + "\r\n"
                                    : "$" + std::to_string(bytes.size()) + "\r\n");
      }
      c->out.append(bytes);
    }
    job->header_sent = true;
    schedule_flush();
  };
  if (!job->diskless) {
    // The whole file, announced by its length, then read in chunks as replicas drain.
    if (job->file_fd < 0) {
      job->file_fd = open(job->file.c_str(), O_RDONLY | O_CLOEXEC);
      if (job->file_fd < 0) {
        finish_sync_job(false, "cannot open " + job->file + ": " + std::strerror(errno));
        return;
      }
      off_t size = lseek(job->file_fd, 0, SEEK_END);
      lseek(job->file_fd, 0, SEEK_SET);
      for (uint64_t id : job->clients) {
        if (Client* c = node_->find_client(id)) c->out.append("$" + std::to_string(size) + "\r\n");
      }
      job->header_sent = true;
    }
    ssize_t n = read(job->file_fd, job->buf.data(), job->buf.size());
    if (n < 0) {
      finish_sync_job(false, std::string("reading the sync snapshot: ") + std::strerror(errno));
      return;
    }
    if (n == 0) {
      job->source_done = true;
      finish_sync_job(true, "");
      return;
    }
    deliver(std::string_view(job->buf.data(), static_cast<size_t>(n)));
    asio::post(io_, [this, job] {
      if (job_.get() == job) pump_sync_job();
    });
    return;
  }
  job->reading = true;
  job->pipe->async_read_some(asio::buffer(job->buf), [this, job, deliver](const asio::error_code& ec, size_t n) {
    if (job_.get() != job) return;
    job->reading = false;
    if (n > 0) deliver(std::string_view(job->buf.data(), n));
    if (ec) {
      // End of the pipe: the child finished (or died); its exit status decides. The cron may
      // have reaped it already.
      job->source_done = true;
      if (job->child_exited) {
        finish_sync_job(job->child_ok, job->child_ok ? "" : "the snapshot child failed");
      } else {
        reap_sync_child();
      }
      return;
    }
    pump_sync_job();
  });
}

void Replication::reap_sync_child() {
  SyncJob* job = job_.get();
  if (job == nullptr || job->child_exited) return;
  int status = 0;
  if (waitpid(job->child.pid, &status, WNOHANG) != job->child.pid) return;
  read_child_report(&job->child);
  job->child.pid = -1;
  job->child_exited = true;
  job->child_ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!job->child_ok) {
    finish_sync_job(false, "the snapshot child failed");
    return;
  }
  if (job->diskless) {
    if (job->source_done) finish_sync_job(true, "");
  } else {
    pump_sync_job();
  }
}

void Replication::finish_sync_job(bool ok, const std::string& why) {
  std::unique_ptr<SyncJob> job = std::move(job_);
  if (!job) return;
  if (ok && job->diskless && !job->child_exited) {
    job_ = std::move(job);  // wait for the exit status
    return;
  }
  if (job->file_fd >= 0) close(job->file_fd);
  if (!job->file.empty()) unlink(job->file.c_str());
  if (job->pipe) {
    asio::error_code ec;
    job->pipe->close(ec);
  }
  for (uint64_t id : job->clients) {
    Client* c = node_->find_client(id);
    Peer* peer = c != nullptr ? peer_of(*c) : nullptr;
    if (peer == nullptr) continue;
    if (!ok) {
      drop_peer(peer, "full sync failed: " + why);
      continue;
    }
    if (job->diskless) {
      c->out.append(job->mark);
      // It goes online at its first acknowledgement: nothing follows the mark before that.
      peer->state = PeerState::kWaitAck;
    } else {
      put_online(peer);
    }
  }
  if (!ok) spdlog::warn("Full sync failed: {}", why);
  schedule_flush();
  forget_closed_peers();
  // Replicas that arrived meanwhile need a sync of their own.
  bool waiting = std::any_of(peers_.begin(), peers_.end(),
                             [](const auto& p) { return p->state == PeerState::kWaitBgsave; });
  if (waiting && (!node_->config().repl_diskless_sync || node_->config().repl_diskless_sync_delay == 0)) {
    start_sync_job();
  }
}

// ---- WAIT and min-replicas --------------------------------------------------------------------

int Replication::acked_replicas(uint64_t offset) const {
  int n = 0;
  for (const auto& peer : peers_) {
    if (peer->state == PeerState::kOnline && peer->ack_offset >= offset &&
        node_->find_client(peer->client_id) != nullptr) {
      ++n;
    }
  }
  return n;
}

void Replication::wait_started(Client& client, uint64_t offset, int replicas) {
  client.wait_offset = static_cast<int64_t>(offset);
  client.wait_replicas = replicas;
  waiters_.push_back(client.id);
  send_getack();
}

void Replication::send_getack() {
  if (getack_posted_) return;
  getack_posted_ = true;
  // Once per loop pass, however many clients started waiting in it.
  asio::post(io_, [this] {
    getack_posted_ = false;
    if (!backlog_ || peers_.empty()) return;
    static constexpr std::string_view kGetack[] = {"REPLCONF", "GETACK", "*"};
    std::string bytes;
    resp::append_command(&bytes, kGetack);
    feed_bytes(bytes);
  });
}

void Replication::check_waiters() {
  std::erase_if(waiters_, [this](uint64_t id) {
    Client* c = node_->find_client(id);
    if (c == nullptr || !c->blocked || c->wait_offset < 0) return true;
    int acked = acked_replicas(static_cast<uint64_t>(c->wait_offset));
    if (acked < c->wait_replicas) return false;
    c->writer.integer(acked);
    dispatcher_->unblock_replied(*c);
    return true;
  });
}

void Replication::refresh_good_replicas(int64_t now_ms) {
  int good = 0;
  const int64_t max_lag_ms = node_->config().min_replicas_max_lag * 1000;
  for (const auto& peer : peers_) {
    if (peer->state == PeerState::kOnline && now_ms - peer->ack_ms <= max_lag_ms &&
        node_->find_client(peer->client_id) != nullptr) {
      ++good;
    }
  }
  good_replicas_ = good;
}

bool Replication::too_few_replicas() const {
  const Config& cfg = node_->config();
  return cfg.min_replicas_to_write > 0 && cfg.min_replicas_max_lag > 0 &&
         good_replicas_ < cfg.min_replicas_to_write;
}

// ---- cron -------------------------------------------------------------------------------------

void Replication::cron(int64_t now_ms) {
  if (job_) reap_sync_child();
  if (failover_ == Failover::kWaitingForSync) failover_cron(now_ms);
  if (job_ && job_->diskless && !job_->reading && !job_->source_done) pump_sync_job();
  const int64_t now_s = now_ms / 1000;
  if (now_s == last_cron_s_) return;
  last_cron_s_ = now_s;
  const Config& cfg = node_->config();
  forget_closed_peers();
  std::erase_if(announced_, [this](const auto& kv) { return node_->find_client(kv.first) == nullptr; });

  // Primary side.
  if (!peers_.empty() && backlog_ && !is_replica() && !holding_stream() &&
      now_ms - last_ping_ms_ >= cfg.repl_ping_replica_period * 1000) {
    last_ping_ms_ = now_ms;
    static constexpr std::string_view kPing[] = {"PING"};
    std::string bytes;
    resp::append_command(&bytes, kPing);
    feed_bytes(bytes);
  }
  for (auto& peer : peers_) {
    Client* c = client_of(*peer);
    if (c == nullptr) continue;
    if (peer->state == PeerState::kOnline && now_ms - peer->ack_ms > cfg.repl_timeout * 1000) {
      drop_peer(peer.get(), "timeout: no acknowledgement for repl-timeout seconds");
    } else if (peer->state == PeerState::kWaitBgsave ||
               (peer->state == PeerState::kSendBulk && job_ && !job_->header_sent)) {
      // A newline keeps the replica's link alive while its snapshot is prepared.
      c->out.append("\n");
    }
  }
  if (!job_) {
    int64_t oldest = 0;
    int waiting = 0;
    for (auto& peer : peers_) {
      if (peer->state != PeerState::kWaitBgsave) continue;
      ++waiting;
      if (oldest == 0 || peer->wait_since_ms < oldest) oldest = peer->wait_since_ms;
    }
    if (waiting > 0 &&
        (!cfg.repl_diskless_sync || now_ms - oldest >= cfg.repl_diskless_sync_delay * 1000 ||
         (cfg.repl_diskless_sync_max_replicas > 0 && waiting >= cfg.repl_diskless_sync_max_replicas))) {
      start_sync_job();
    }
  }
  if (backlog_ && !is_replica() && peers_.empty() && cfg.repl_backlog_ttl > 0 &&
      no_replicas_since_ms_ > 0 && now_ms - no_replicas_since_ms_ > cfg.repl_backlog_ttl * 1000) {
    spdlog::info("Replication backlog freed after {} seconds without connected replicas.",
                 cfg.repl_backlog_ttl);
    free_backlog();
    // The history can no longer be continued: a new id says so.
    ids_.reset();
  }
  if (backlog_ && backlog_->capacity() != static_cast<size_t>(cfg.repl_backlog_size)) {
    backlog_->resize(static_cast<size_t>(cfg.repl_backlog_size));
  }
  refresh_good_replicas(now_ms);
  schedule_flush();
  update_buffer_bytes();

  // Replica side.
  if (is_replica()) {
    if (!link_ && now_ms >= next_connect_ms_) connect_link();
    if (link_) link_->cron(now_ms);
  }
}

// ---- roles ------------------------------------------------------------------------------------

std::string Replication::replicate(const std::string& host, int port, bool* already) {
  *already = false;
  if (failover_ != Failover::kNone && !psync_failover_) {
    return "ERR REPLICAOF not allowed while failing over.";
  }
  if (is_replica() && host == master_host_ && port == master_port_) {
    *already = true;
    return "";
  }
  if (link_) {
    link_->close("a new primary was set", false);
    link_.reset();
  }
  // Sub-replicas must resync: this node's history is about to follow someone else's.
  disconnect_replicas();
  std::erase_if(waiters_, [this](uint64_t id) {
    if (Client* c = node_->find_client(id); c != nullptr && c->blocked) {
      dispatcher_->unblock_with(*c, "UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)");
    }
    return true;
  });
  master_host_ = host;
  master_port_ = port;
  node_->config().replicaof = host + " " + std::to_string(port);
  node_->keyspace().set_expire_on_access(false);
  link_down_since_ms_ = node_->clock().now_ms();
  connect_failures_ = 0;
  next_connect_ms_ = 0;
  spdlog::info("Connecting to MASTER {}:{}", host, port);
  asio::post(io_, [this] {
    if (is_replica() && !link_) connect_link();
  });
  return "";
}

std::string Replication::promote() {
  if (failover_ != Failover::kNone) return "ERR REPLICAOF not allowed while failing over.";
  become_primary();
  return "";
}

void Replication::become_primary() {
  if (!is_replica()) return;
  if (link_) {
    link_->close("promoted to primary", false);
    link_.reset();
  }
  master_host_.clear();
  master_port_ = 0;
  node_->config().replicaof.clear();
  node_->keyspace().set_expire_on_access(true);
  // New writes start a new history; the old one stays valid up to here for the old primary's
  // other replicas, which can continue with us.
  ids_.shift(offset());
  ensure_backlog();
  encoder_.forget_db();
  spdlog::info("MASTER MODE enabled (new replication id {}, the previous {} valid up to offset {})",
               ids_.replid, ids_.replid2, ids_.second_offset);
}

void Replication::connect_link() {
  if (!is_replica() || link_) return;
  link_ = std::make_shared<MasterLink>(this, master_host_, master_port_);
  link_->start();
}

void Replication::link_closed(bool failed) {
  link_.reset();
  const int64_t now = node_->clock().now_ms();
  if (link_down_since_ms_ == 0) link_down_since_ms_ = now;
  connect_failures_ = failed ? std::min(connect_failures_ + 1, 6) : 0;
  if (failover_ == Failover::kInProgress) {
    // The target did not take over: stay (become again) the primary.
    end_failover("the target refused or could not be reached", true);
    return;
  }
  // Retry at once after a clean drop; back off (up to 5 s) while the primary keeps failing.
  next_connect_ms_ = now + (failed ? std::min<int64_t>(5000, 250LL << connect_failures_) : 0);
}

void Replication::link_connected() {
  if (failover_ == Failover::kInProgress) end_failover("the new primary accepted", false);
}

void Replication::synced(const std::string& replid, uint64_t offset) {
  // A new dataset: sub-replicas must sync again, and the stream restarts at the primary's offset.
  disconnect_replicas();
  free_backlog();
  ids_.replid = replid;
  ids_.replid2 = std::string(repl::kNoReplicationId);
  ids_.second_offset = -1;
  base_offset_ = offset;
  ensure_backlog();
  link_down_since_ms_ = 0;
  connect_failures_ = 0;
}

void Replication::history_lost() {
  disconnect_replicas();
  free_backlog();
  ids_.reset();
  base_offset_ = 0;
  loaded_history_ = false;
  stream_db = 0;
}

void Replication::continued(const std::string& replid) {
  if (replid != ids_.replid) {
    // The primary was promoted since: its previous id is ours, valid up to where we are. Our own
    // replicas learn the new id by asking again.
    disconnect_replicas();
    ids_.replid2 = ids_.replid;
    ids_.second_offset = static_cast<int64_t>(offset()) + 1;
    ids_.replid = replid;
  }
  ensure_backlog();
  link_down_since_ms_ = 0;
  connect_failures_ = 0;
}

bool Replication::link_up() const {
  return !is_replica() || (link_ && link_->state() == MasterLink::State::kConnected);
}

// ---- FAILOVER ---------------------------------------------------------------------------------

std::string Replication::failover(const std::string& host, int port, int64_t timeout_ms,
                                  bool force) {
  if (is_replica()) return "ERR FAILOVER is not valid when server is a replica.";
  forget_closed_peers();
  if (peers_.empty()) return "ERR FAILOVER requires connected replicas.";
  if (failover_ != Failover::kNone) return "ERR FAILOVER already in progress.";
  if (!host.empty()) {
    auto target = std::find_if(peers_.begin(), peers_.end(),
                               [&](const auto& p) { return p->is(host, port); });
    if (target == peers_.end()) return "ERR FAILOVER target HOST and PORT is not a replica.";
    if ((*target)->state != PeerState::kOnline) return "ERR FAILOVER target replica is not online.";
  }
  const int64_t now = node_->clock().now_ms();
  failover_ = Failover::kWaitingForSync;
  failover_host_ = host;
  failover_port_ = port;
  failover_force_ = force;
  failover_deadline_ms_ = timeout_ms > 0 ? now + timeout_ms : 0;
  // Writes wait (CLIENT PAUSE WRITE) so the target can catch up with everything acknowledged.
  paused_end_before_ = node_->pause_end_ms;
  paused_writes_before_ = node_->pause_writes_only;
  node_->pause_end_ms = INT64_MAX;
  node_->pause_writes_only = true;
  // Reads hide expired keys without deleting them meanwhile (as a replica's do): the stream must
  // stand still for the target to catch up with it.
  node_->keyspace().set_expire_on_access(false);
  failover_getack_ms_ = now;
  spdlog::info("FAILOVER requested to {}", host.empty() ? std::string("any replica")
                                                       : host + ":" + std::to_string(port));
  send_getack();
  return "";
}

std::string Replication::abort_failover() {
  if (failover_ == Failover::kNone) return "ERR No failover in progress.";
  end_failover("FAILOVER ABORT", true);
  return "";
}

void Replication::failover_cron(int64_t now_ms) {
  const uint64_t target_offset = offset();
  for (const auto& peer : peers_) {
    if (peer->state != PeerState::kOnline || node_->find_client(peer->client_id) == nullptr) continue;
    if (!failover_host_.empty() && !peer->is(failover_host_, failover_port_)) continue;
    if (peer->ack_offset >= target_offset) {
      start_handoff(peer->ip, peer->port);
      return;
    }
  }
  if (failover_deadline_ms_ > 0 && now_ms >= failover_deadline_ms_) {
    if (failover_force_ && !failover_host_.empty()) {
      start_handoff(failover_host_, failover_port_);
    } else {
      end_failover("timed out waiting for the replica to catch up", true);
    }
    return;
  }
  // One GETACK a second: each adds to the stream, so asking faster than acknowledgements come
  // back would move the offset the target has to reach.
  if (now_ms - failover_getack_ms_ >= 1000) {
    failover_getack_ms_ = now_ms;
    send_getack();
  }
}

void Replication::start_handoff(const std::string& host, int port) {
  spdlog::info("FAILOVER: handing over to {}:{} at offset {}", host, port, offset());
  failover_ = Failover::kInProgress;
  psync_failover_ = true;
  bool already = false;
  replicate(host, port, &already);
}

void Replication::end_failover(const std::string& why, bool failed) {
  const Failover was = failover_;
  failover_ = Failover::kNone;
  psync_failover_ = false;
  node_->pause_end_ms = paused_end_before_;
  node_->pause_writes_only = paused_writes_before_;
  if (failed) {
    spdlog::warn("FAILOVER aborted: {}", why);
    if (was == Failover::kInProgress) become_primary();
    node_->keyspace().set_expire_on_access(true);
  } else {
    spdlog::info("FAILOVER to {}:{} succeeded", master_host_, master_port_);
  }
}

// ---- status -----------------------------------------------------------------------------------

ReplicationStatus Replication::status() const {
  ReplicationStatus s;
  const int64_t now = node_->clock().now_ms();
  s.replica = is_replica();
  s.master_host = master_host_;
  s.master_port = master_port_;
  s.read_only = node_->config().replica_read_only;
  if (s.replica) {
    s.link_up = link_up();
    s.link_state = link_ ? link_->role_state() : "connect";
    s.last_io_s = s.link_up ? (now - link_->last_io_ms()) / 1000 : -1;
    s.sync_in_progress = link_ && link_->state() == MasterLink::State::kTransfer;
    if (s.sync_in_progress) {
      s.sync_total_bytes = link_->transfer_total();
      s.sync_read_bytes = link_->transfer_read();
      s.sync_last_io_s = (now - link_->last_io_ms()) / 1000;
    }
    if (!s.link_up) s.link_down_since_s = link_down_since_ms_ ? (now - link_down_since_ms_) / 1000 : -1;
    s.replica_offset = offset();
  }
  for (const auto& peer : peers_) {
    if (node_->find_client(peer->client_id) == nullptr) continue;
    ReplicaStatus r;
    r.ip = peer->ip;
    r.port = peer->port;
    r.state = state_name(static_cast<int>(peer->state));
    r.offset = peer->ack_offset;
    r.lag_s = peer->state == PeerState::kOnline ? (now - peer->ack_ms) / 1000 : 0;
    s.replicas.push_back(std::move(r));
  }
  s.failover_state = failover_ == Failover::kWaitingForSync ? "waiting-for-sync"
                     : failover_ == Failover::kInProgress   ? "failover-in-progress"
                                                            : "no-failover";
  s.replid = ids_.replid;
  s.replid2 = ids_.replid2;
  s.offset = offset();
  s.second_offset = ids_.second_offset;
  s.backlog_active = backlog_ != nullptr;
  s.backlog_size = static_cast<uint64_t>(node_->config().repl_backlog_size);
  if (backlog_) {
    s.backlog_first_byte = backlog_->first_offset();
    s.backlog_histlen = backlog_->histlen();
    s.backlog_allocated = backlog_->allocated();
  }
  s.replica_buffers = replica_buffer_bytes();
  s.good_replicas = good_replicas_;
  s.sync_full = sync_full;
  s.sync_partial_ok = sync_partial_ok;
  s.sync_partial_err = sync_partial_err;
  return s;
}

}  // namespace stashd
