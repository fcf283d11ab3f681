// Owns: a replica's link to its primary (see master_link.h). Thread: the event loop.
#include "server/master_link.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "stashd/persist/snapshot.h"
#include "stashd/resp/command_encoder.h"
#include "stashd/server/replication.h"

namespace stashd {

namespace {
constexpr size_t kReadChunk = 64 * 1024;
constexpr int64_t kAckIntervalMs = 100;
}  // namespace

MasterLink::MasterLink(Replication* repl, std::string host, int port)
    : repl_(repl),
      host_(std::move(host)),
      port_(port),
      socket_(repl->io()),
      resolver_(repl->io()),
      connect_timer_(repl->io()) {}

MasterLink::~MasterLink() {
  if (temp_fd_ >= 0) ::close(temp_fd_);
}

const char* MasterLink::role_state() const {
  switch (state_) {
    case State::kConnecting: return "connecting";
    case State::kHandshake: return "handshake";
    case State::kTransfer: return "sync";
    case State::kConnected: return "connected";
    case State::kClosed: break;
  }
  return "connect";
}

int64_t MasterLink::transfer_total() const {
  return bulk_.started() && bulk_.has_length() ? static_cast<int64_t>(bulk_.expected_bytes()) : -1;
}

void MasterLink::start() {
  NodeState& node = repl_->node();
  last_io_ms_ = node.clock().now_ms();
  auto self = shared_from_this();
  connect_timer_.expires_after(std::chrono::seconds(node.config().repl_timeout));
  connect_timer_.async_wait([self](const asio::error_code& ec) {
    if (!ec && self->state_ == State::kConnecting) self->close("connection timed out", true);
  });
  resolver_.async_resolve(host_, std::to_string(port_),
                          [self](const asio::error_code& ec,
                                 asio::ip::tcp::resolver::results_type results) {
    if (self->state_ == State::kClosed) return;
    if (ec) {
      self->close("cannot resolve " + self->host_ + ": " + ec.message(), true);
      return;
    }
    asio::async_connect(self->socket_, results,
                        [self](const asio::error_code& ec2, const asio::ip::tcp::endpoint&) {
      if (self->state_ == State::kClosed) return;
      if (ec2) {
        self->close("Error condition on socket for SYNC: " + ec2.message(), true);
        return;
      }
      self->connect_timer_.cancel();
      asio::error_code ignored;
      self->socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
      spdlog::info("MASTER <-> REPLICA sync started with {}:{}", self->host_, self->port_);
      NodeState& n = self->repl_->node();
      repl::HandshakeSettings settings;
      settings.masterauth = n.config().masterauth;
      settings.masteruser = n.config().masteruser;
      settings.listening_port = n.control != nullptr ? n.control->tcp_port() : n.config().port;
      settings.listening_ip = n.config().replica_announce_ip;
      settings.failover = self->repl_->psync_failover_;
      if (self->repl_->has_history()) {
        settings.replid = self->repl_->ids().replid;
        settings.next_offset = static_cast<int64_t>(self->repl_->offset()) + 1;
      }
      self->handshake_ = std::make_unique<repl::ReplicaHandshake>(settings);
      self->state_ = State::kHandshake;
      self->last_io_ms_ = n.clock().now_ms();
      self->handle_step(self->handshake_->start());
      self->read_more();
    });
  });
}

void MasterLink::close(const std::string& why, bool failed, bool notify) {
  if (state_ == State::kClosed) return;
  auto self = shared_from_this();
  state_ = State::kClosed;
  if (failed) {
    spdlog::warn("Link with MASTER {}:{} lost: {}", host_, port_, why);
  } else {
    spdlog::info("Link with MASTER {}:{} closed: {}", host_, port_, why);
  }
  asio::error_code ec;
  connect_timer_.cancel();
  resolver_.cancel();
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  if (temp_fd_ >= 0) {
    ::close(temp_fd_);
    temp_fd_ = -1;
    ::unlink(temp_path_.c_str());
  }
  if (master_) {
    NodeState& node = repl_->node();
    // A transaction cut off by the drop never happened: the primary resends it whole.
    if (master_->has(kClientMulti)) repl_->dispatcher().abort_transaction(*master_);
    multi_bytes_.clear();
    node.remove_client(master_.get());
    // Freed later: the close may come from inside a command the master client is running.
    asio::post(repl_->io(), [gone = std::shared_ptr<Client>(std::move(master_))] {});
  }
  if (notify) repl_->link_closed(failed);
}

void MasterLink::close_after_reply() {
  auto self = shared_from_this();
  asio::post(repl_->io(), [self] { self->close("killed by CLIENT KILL", false); });
}

void MasterLink::read_more() {
  if (state_ == State::kClosed || reading_) return;
  if (start_ > 0 && start_ == filled_) start_ = filled_ = 0;
  if (start_ > 0 && inbuf_.size() - filled_ < kReadChunk) {
    std::memmove(inbuf_.data(), inbuf_.data() + start_, filled_ - start_);
    filled_ -= start_;
    start_ = 0;
  }
  size_t want = std::max(kReadChunk, std::min(parser_.bytes_hint(), size_t{64} << 20));
  if (inbuf_.size() - filled_ < want) inbuf_.resize(filled_ + want);
  reading_ = true;
  auto self = shared_from_this();
  socket_.async_read_some(asio::buffer(inbuf_.data() + filled_, inbuf_.size() - filled_),
                          [self](const asio::error_code& ec, size_t n) { self->on_read(ec, n); });
}

void MasterLink::on_read(const asio::error_code& ec, size_t n) {
  reading_ = false;
  if (state_ == State::kClosed) return;
  if (ec) {
    close(ec == asio::error::eof ? "the primary closed the connection" : ec.message(), true);
    return;
  }
  filled_ += n;
  last_io_ms_ = repl_->node().clock().now_ms();
  repl_->node().stats().total_net_input_bytes += n;
  process();
  // Acknowledge applied stream promptly (not only once a second): the primary's view of the lag,
  // WAIT and min-replicas follow within ~kAckIntervalMs under load, for one small write each.
  if (state_ == State::kConnected && last_io_ms_ - last_ack_ms_ >= kAckIntervalMs) send_ack();
  read_more();
}

void MasterLink::process() {
  while (state_ != State::kClosed && start_ < filled_) {
    if (state_ == State::kHandshake) {
      if (!process_handshake()) return;
    } else if (state_ == State::kTransfer) {
      if (!process_transfer()) return;
    } else if (state_ == State::kConnected) {
      process_stream();
      return;
    } else {
      return;
    }
  }
}

bool MasterLink::process_handshake() {
  std::string_view data(inbuf_.data() + start_, filled_ - start_);
  size_t eol = data.find('\n');
  if (eol == std::string_view::npos) {
    if (data.size() > 4096) close("handshake reply too long", true);
    return false;
  }
  std::string_view line = data.substr(0, eol);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  start_ += eol + 1;
  handle_step(handshake_->on_reply(line));
  return true;
}

void MasterLink::handle_step(const repl::HandshakeStep& step) {
  using Kind = repl::HandshakeStep::Kind;
  NodeState& node = repl_->node();
  switch (step.kind) {
    case Kind::kSend:
      send_command(step.command);
      return;
    case Kind::kWait:
      return;
    case Kind::kRetry:
      close(step.reason, true);
      return;
    case Kind::kFail:
      close(step.reason, true);
      return;
    case Kind::kFullResync: {
      spdlog::info("Full resync from master: {}:{}", step.replid, step.offset);
      sync_replid_ = step.replid;
      sync_offset_ = step.offset;
      temp_path_ = node.config().dir + "/temp-" + std::to_string(getpid()) + "-sync.rdb";
      temp_fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (temp_fd_ < 0) {
        close("Opening the temp file needed for MASTER <-> REPLICA synchronization: " +
                  std::string(std::strerror(errno)),
              true);
        return;
      }
      state_ = State::kTransfer;
      return;
    }
    case Kind::kContinue: {
      spdlog::info("Successful partial resynchronization with master {}:{} (id {})", host_, port_,
                   step.replid);
      repl_->continued(step.replid);
      start_stream();
      return;
    }
  }
}

bool MasterLink::process_transfer() {
  std::string_view data(inbuf_.data() + start_, filled_ - start_);
  size_t used = bulk_.feed(data, [this](std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::write(temp_fd_, bytes.data(), bytes.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        spdlog::warn("Writing the synced snapshot to {}: {}", temp_path_, std::strerror(errno));
        return false;
      }
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  });
  start_ += used;
  if (bulk_.failed()) {
    close(bulk_.error(), true);
    return false;
  }
  if (!bulk_.done()) return false;
  if (!load_snapshot()) return false;
  return true;
}

bool MasterLink::load_snapshot() {
  NodeState& node = repl_->node();
  Config& cfg = node.config();
  if (::fsync(temp_fd_) != 0 || ::close(temp_fd_) != 0) {
    temp_fd_ = -1;
    close("Failed trying to sync the temp file to disk: " + std::string(std::strerror(errno)), true);
    return false;
  }
  temp_fd_ = -1;
  spdlog::info("MASTER <-> REPLICA sync: received {} bytes, flushing old data and loading",
               bulk_.payload_bytes());
  auto start = std::chrono::steady_clock::now();
  Keyspace& ks = node.keyspace();
  for (int i = 0; i < ks.databases(); ++i) ks.db(i).clear();
  ks.set_now_ms(0);  // keep every key the primary sent: it expires them itself
  PersistenceState& p = node.persistence;
  p.loading = true;
  persist::LoadOptions options;
  options.verify_checksum = cfg.rdbchecksum;
  persist::SnapshotLoader loader(ks, cfg, options);
  persist::LoadResult result;
  Status status = loader.load_file(temp_path_, &result);
  p.loading = false;
  if (!status) {
    ::unlink(temp_path_.c_str());
    for (int i = 0; i < ks.databases(); ++i) ks.db(i).clear();
    // The dataset is no history any more: the next attempt must be a full sync.
    repl_->history_lost();
    close("Failed trying to load the MASTER synchronization DB from disk: " + status.message(), true);
    return false;
  }
  // The synced snapshot becomes this replica's own (a restart continues from it).
  std::string target = cfg.dir + "/" + cfg.dbfilename;
  if (std::rename(temp_path_.c_str(), target.c_str()) != 0) {
    spdlog::warn("Keeping the synced snapshot as {} failed: {}", target, std::strerror(errno));
    ::unlink(temp_path_.c_str());
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  spdlog::info("MASTER <-> REPLICA sync: finished with success, {} keys loaded in {:.3f} s",
               result.keys_loaded, seconds);
  repl_->synced(sync_replid_, sync_offset_);
  // The stream goes on in the database the primary's stream had selected at the snapshot (a
  // relaying replica's stream carries no SELECT of its own there).
  repl_->stream_db = 0;
  for (const auto& [name, value] : result.aux) {
    if (name == "repl-stream-db") {
      int db = std::atoi(value.c_str());
      if (db >= 0 && db < ks.databases()) repl_->stream_db = db;
    }
  }
  ++node.dirty;
  if (p.aof_enabled && node.snapshots != nullptr) {
    // The append-only file describes the old dataset: start it over from the new one.
    bool scheduled = false;
    std::string failure = node.snapshots->start_aof_rewrite(&scheduled);
    if (!failure.empty()) spdlog::warn("Rewriting the append-only file after a sync: {}", failure);
  }
  // A diskless primary starts the stream after the first acknowledgement.
  start_stream();
  return true;
}

void MasterLink::start_stream() {
  NodeState& node = repl_->node();
  master_ = std::make_unique<Client>(node.next_client_id(), node.clock().now_ms());
  master_->flags |= kClientMaster;
  master_->authenticated = true;
  master_->transport = this;
  master_->addr = host_ + ":" + std::to_string(port_);
  master_->db = repl_->stream_db;
  node.add_client(master_.get());
  state_ = State::kConnected;
  send_ack();
  repl_->link_connected();
}

void MasterLink::process_stream() {
  NodeState& node = repl_->node();
  resp::ParseLimits limits;
  limits.max_bulk_len = node.config().proto_max_bulk_len;
  parser_.set_limits(limits);
  while (state_ == State::kConnected && start_ < filled_) {
    std::string_view data(inbuf_.data() + start_, filled_ - start_);
    if (data[0] != '*') {
      // The stream is multibulk commands only: anything else means it lost its alignment.
      close(fmt::format("protocol error in the replication stream: expected '*', got byte 0x{:02x}",
                        static_cast<unsigned char>(data[0])),
            true);
      return;
    }
    resp::ParseStatus status = parser_.parse(data);
    if (status == resp::ParseStatus::kNeedMore) break;
    if (status == resp::ParseStatus::kError) {
      close("protocol error in the replication stream: " + parser_.error(), true);
      return;
    }
    const size_t consumed = parser_.consumed();
    std::span<const std::string_view> args = parser_.args();
    if (!args.empty()) {
      repl_->applying_master_stream = true;
      node.applying_stream = true;
      master_->out.clear();
      repl_->dispatcher().execute(*master_, args);
      node.applying_stream = false;
      repl_->applying_master_stream = false;
      if (state_ != State::kConnected) return;  // the command closed the link
      repl_->stream_db = master_->db;
      if (!master_->out.empty() && master_->out[0] == '-') {
        spdlog::warn("== CRITICAL == This replica is sending an error to its master: '{}' after "
                     "processing the command '{}'",
                     master_->out.substr(1, master_->out.find('\r') - 1), args[0]);
      }
      master_->out.clear();
    }
    std::string_view bytes = data.substr(0, consumed);
    // Offsets advance by whole transactions: a link dropped inside MULTI resumes before it.
    if (master_->has(kClientMulti)) {
      multi_bytes_.append(bytes);
    } else if (!multi_bytes_.empty()) {
      multi_bytes_.append(bytes);
      repl_->relay(multi_bytes_);
      multi_bytes_.clear();
    } else {
      repl_->relay(bytes);
    }
    start_ += consumed;
    if (ack_requested_) {
      ack_requested_ = false;
      send_ack();
    }
  }
}

void MasterLink::send_command(std::span<const std::string> argv) {
  resp::append_command(&out_, argv);
  flush();
}

void MasterLink::send_ack() {
  if (state_ != State::kConnected) return;
  last_ack_ms_ = repl_->node().clock().now_ms();
  const std::string argv[] = {"REPLCONF", "ACK", std::to_string(repl_->offset())};
  send_command(argv);
}

void MasterLink::flush() {
  if (state_ == State::kClosed || writing_in_flight_ || out_.empty()) return;
  writing_.swap(out_);
  out_.clear();
  writing_in_flight_ = true;
  auto self = shared_from_this();
  asio::async_write(socket_, asio::buffer(writing_), [self](const asio::error_code& ec, size_t) {
    self->writing_in_flight_ = false;
    if (self->state_ == State::kClosed) return;
    if (ec) {
      self->close("writing to the primary: " + ec.message(), true);
      return;
    }
    self->writing_.clear();
    self->flush();
  });
}

void MasterLink::cron(int64_t now_ms) {
  const Config& cfg = repl_->node().config();
  if (state_ == State::kHandshake || state_ == State::kTransfer || state_ == State::kConnected) {
    if (now_ms - last_io_ms_ > cfg.repl_timeout * 1000) {
      close(state_ == State::kTransfer ? "Timeout receiving bulk data from MASTER"
                                       : "MASTER timeout: no data nor PING received",
            true);
      return;
    }
  }
  if (state_ == State::kConnected && now_ms - last_ack_ms_ >= 1000) send_ack();
}

}  // namespace stashd
