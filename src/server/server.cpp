// Owns: running one node (see server.h). Must not touch: command semantics, protocol parsing.
// Thread: the event loop.
#include "stashd/server/server.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include "stashd/admin/stats_sampler.h"
#include "stashd/commands/registry.h"
#include "stashd/common/strings.h"
#include "stashd/keyspace/evictor.h"
#include "stashd/persist/snapshot.h"

namespace stashd {

namespace {

// Work the cron may do per pass before giving the loop back to I/O.
constexpr auto kCronBudget = std::chrono::microseconds(1000);

std::string random_hex(size_t n) {
  std::random_device rd;
  std::mt19937_64 rng((uint64_t{rd()} << 32) ^ rd());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(n, '0');
  for (char& c : s) c = kHex[rng() & 15];
  return s;
}

std::vector<std::string> split_words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

}  // namespace

Server::Server(Config* config, ConfigRegistry* registry, std::string config_file,
               std::string executable)
    : config_(config),
      node_(config, registry),
      dispatcher_(&node_),
      io_(1),
      cron_timer_(io_),
      signals_(io_, SIGINT, SIGTERM) {
  register_all_commands(node_.commands());
  node_.control = this;
  node_.run_id = random_hex(40);
  node_.config_file = std::move(config_file);
  node_.executable = std::move(executable);
  node_.start_time_ms = node_.clock().now_ms();
  node_.snapshots = &saves_;
  saves_.set_append_only(&aof_);
  registry->on_change("appendonly", [this] {
    if (!config_->appendonly) {
      aof_.disable();
    } else if (Status enabled = aof_.enable(); !enabled) {
      // The hook cannot fail CONFIG SET: the option goes back and the log says why.
      spdlog::warn("appendonly yes failed: {}", enabled.message());
      config_->appendonly = false;
    }
  });
  registry->on_change("appendfsync", [this] { aof_.policy_changed(); });
  // Like Redis, the start counts as the last save until a real one happens.
  node_.persistence.lastsave_s = node_.start_time_ms / 1000;
}

Server::~Server() = default;

Status Server::listen() {
  std::vector<std::string> addresses = split_words(config_->bind);
  if (addresses.empty()) return Status::error("bind: no address given");
  for (const std::string& text : addresses) {
    std::string host = text == "*" ? "0.0.0.0" : text;
    asio::error_code ec;
    asio::ip::address address = asio::ip::make_address(host, ec);
    if (ec) return Status::error("bind: invalid address '" + text + "'");
    asio::ip::tcp::endpoint endpoint(address, static_cast<unsigned short>(config_->port));
    auto acceptor = std::make_unique<asio::ip::tcp::acceptor>(io_);
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(static_cast<int>(config_->tcp_backlog), ec);
    if (ec) {
      return Status::error("could not listen on " + text + ":" + std::to_string(config_->port) +
                           ": " + ec.message());
    }
    bound_port_ = acceptor->local_endpoint().port();
    spdlog::info("listening on {}:{}", text, bound_port_);
    acceptors_.push_back(std::move(acceptor));
  }
  if (config_->http_port != 0) {
    http_ = std::make_unique<http::HttpListener>(io_, &node_, &dispatcher_);
    return http_->start();
  }
  return Status::ok();
}

int Server::run() {
  std::signal(SIGPIPE, SIG_IGN);
  record_startup_memory(node_);  // INFO's used_memory_startup: before any client connects
  for (auto& acceptor : acceptors_) accept_next(acceptor.get());
  wait_for_signals();
  if (!config_->pidfile.empty()) {
    std::ofstream(config_->pidfile) << getpid() << "\n";
  }
  schedule_cron();
  systemd_.start_watchdog();
  if (!load_dataset()) {
    if (!config_->pidfile.empty()) std::remove(config_->pidfile.c_str());
    return 1;
  }
  replication_.start(loaded_replid_, loaded_repl_offset_, loaded_stream_db_);
  spdlog::info("Ready to accept connections");
  systemd_.ready("Ready to accept connections");
  io_.run();
  if (!config_->pidfile.empty()) std::remove(config_->pidfile.c_str());
  spdlog::info("stashd is now ready to exit, bye bye...");
  return 0;
}

void Server::accept_next(asio::ip::tcp::acceptor* acceptor) {
  acceptor->async_accept([this, acceptor](const asio::error_code& ec, asio::ip::tcp::socket socket) {
    if (stopping_) return;
    if (!ec) {
      on_accept(acceptor, std::move(socket));
    } else if (ec != asio::error::operation_aborted) {
      // EMFILE and friends: log, and keep accepting (the next client may fit).
      spdlog::warn("accept failed: {}", ec.message());
    }
    accept_next(acceptor);
  });
}

void Server::on_accept(asio::ip::tcp::acceptor*, asio::ip::tcp::socket socket) {
  ++node_.stats().total_connections_received;
  if (static_cast<int64_t>(node_.clients().size()) >= config_->maxclients) {
    ++node_.stats().rejected_connections;
    static constexpr std::string_view kMessage = "-ERR max number of clients reached\r\n";
    asio::error_code ec;
    socket.non_blocking(true, ec);
    socket.write_some(asio::buffer(kMessage), ec);
    socket.close(ec);
    return;
  }
  auto conn = std::make_shared<net::Connection>(std::move(socket), &node_, &dispatcher_, this);
  connections_[conn.get()] = conn;
  conn->start();
}

void Server::connection_closed(net::Connection* c) {
  auto it = connections_.find(c);
  if (it == connections_.end()) return;
  // Release the registry's reference after the current handler returns: the caller may still be
  // running inside the connection.
  asio::post(io_, [conn = std::move(it->second)] {});
  connections_.erase(it);
}

void Server::schedule_cron() {
  int64_t hz = std::clamp<int64_t>(config_->hz, 1, 500);
  cron_timer_.expires_after(std::chrono::milliseconds(1000 / hz));
  cron_timer_.async_wait([this](const asio::error_code& ec) {
    if (ec || stopping_) return;
    cron();
    schedule_cron();
  });
}

void Server::cron() {
  int64_t now = node_.clock().now_ms();
  saves_.cron(now);
  aof_.cron(now);
  replication_.cron(now);
  if (node_.persistence.loading) return;  // the loader's progress callback serves clients then
  node_.keyspace().set_now_ms(now);
  auto deadline = std::chrono::steady_clock::now() + kCronBudget;
  Keyspace& ks = node_.keyspace();
  for (int i = 0; i < ks.databases(); ++i) {
    Db& db = ks.db(i);
    while (db.rehash_step(100) && std::chrono::steady_clock::now() < deadline) {
    }
    db.maybe_shrink();
  }
  expire_cycle();
  ks.grow_sketch_if_needed();
  // A replica leaves eviction to its primary (replica-ignore-maxmemory).
  const bool replica_evicts = !replication_.is_replica() || !config_->replica_ignore_maxmemory;
  if (replica_evicts && !replication_.holding_stream() && ks.evictor().over_limit()) {
    continue_eviction();
  }
  std::vector<std::shared_ptr<net::Connection>> conns;
  conns.reserve(connections_.size());
  for (auto& [ptr, conn] : connections_) conns.push_back(conn);
  for (auto& conn : conns) conn->tick(now);
  admin_cron_tick(node_);
}

void Server::expire_cycle() {
  expire_cycle_posted_ = false;
  // A replica's keys expire when its primary's DELs arrive.
  if (!config_->active_expire_enabled || stopping_ || replication_.is_replica() ||
      replication_.holding_stream()) {
    return;
  }
  Keyspace& ks = node_.keyspace();
  ks.set_now_ms(node_.clock().now_ms());
  auto deadline = std::chrono::steady_clock::now() + kCronBudget;
  bool more = false;
  for (int i = 0; i < ks.databases(); ++i) {
    Db& db = ks.db(i);
    while (db.has_due_keys()) {
      db.active_expire(64);
      if (std::chrono::steady_clock::now() >= deadline) break;
    }
    more = more || db.has_due_keys();
  }
  // Expired keys invalidate client-side caches like writes do.
  node_.tracking().deliver_pending();
  if (more) {
    // Keys are still due: continue right after pending I/O instead of waiting for the next tick,
    // so a mass expiry drains quickly without one long pause.
    ++ks.stats().expired_time_cap_reached_count;
    expire_cycle_posted_ = true;
    asio::post(io_, [this] { expire_cycle(); });
  }
}

void Server::continue_eviction() {
  if (eviction_cycle_posted_ || stopping_) return;
  eviction_cycle_posted_ = true;
  asio::post(io_, [this] { eviction_cycle(); });
}

void Server::eviction_cycle() {
  eviction_cycle_posted_ = false;
  if (stopping_ || replication_.holding_stream()) return;
  Keyspace& ks = node_.keyspace();
  ks.set_now_ms(node_.clock().now_ms());
  EvictResult result = ks.evictor().run_for(
      std::chrono::duration_cast<std::chrono::microseconds>(kCronBudget).count());
  node_.tracking().deliver_pending();
  // Still over the limit: go on after pending I/O, so lowering maxmemory on a full node evicts
  // in 1 ms slices instead of one long pause.
  if (result == EvictResult::kRunning) continue_eviction();
}

void Server::wait_for_signals() {
  signals_.async_wait([this](const asio::error_code& ec, int signo) {
    if (ec) return;
    systemd_.stopping(signo == SIGINT ? "Received SIGINT, shutting down"
                                      : "Received SIGTERM, shutting down");
    // As Redis: a configured final save that fails keeps the server running (data would be lost).
    if (!save_before_exit(false, false)) {
      spdlog::warn("Error trying to save the DB, can't exit.");
      systemd_.status("Error trying to save the DB, can't exit.");
      wait_for_signals();
      return;
    }
    shutdown(signo == SIGINT ? "SIGINT" : "SIGTERM");
  });
}

bool Server::load_dataset() {
  PersistenceState& p = node_.persistence;
  if (config_->appendonly) {
    p.loading = true;
    p.loading_start_ms = node_.clock().now_ms();
    AppendOnly::LoadOutcome outcome = aof_.load([this] {
      io_.poll();
      systemd_.loading(node_.persistence);
    });
    p.loading = false;
    if (outcome == AppendOnly::LoadOutcome::kFailed) return false;
    if (outcome == AppendOnly::LoadOutcome::kNoManifest && !load_snapshot()) return false;
    Status opened = aof_.open_at_startup(outcome == AppendOnly::LoadOutcome::kLoaded);
    if (!opened) {
      spdlog::error("Can't open the append-only file: {}. Exiting.", opened.message());
      return false;
    }
    return true;
  }
  return load_snapshot();
}

bool Server::load_snapshot() {
  const std::string path = config_->dir + "/" + config_->dbfilename;
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return true;  // a first start: nothing to load
    spdlog::error("Can't read {}: {}", path, std::strerror(errno));
    return false;
  }
  PersistenceState& p = node_.persistence;
  p.loading = true;
  p.loading_start_ms = node_.clock().now_ms();
  p.loading_total_bytes = static_cast<uint64_t>(st.st_size);
  p.loading_loaded_bytes = 0;
  node_.keyspace().set_now_ms(p.loading_start_ms);
  auto start = std::chrono::steady_clock::now();
  auto last_log = start;
  persist::LoadOptions options;
  options.verify_checksum = config_->rdbchecksum;
  options.on_progress = [&](const persist::LoadProgress& progress) {
    p.loading_loaded_bytes = progress.bytes_read;
    p.loading_loaded_keys = progress.keys_loaded;
    // Between chunks the loop runs: connections are accepted and answered (-LOADING, INFO).
    io_.poll();
    systemd_.loading(p);
    auto now = std::chrono::steady_clock::now();
    if (now - last_log >= std::chrono::seconds(1)) {
      last_log = now;
      double seconds = std::chrono::duration<double>(now - start).count();
      spdlog::info("Loading {}: {} keys, {:.1f}%, {:.0f} MB/s", path, progress.keys_loaded,
                   progress.total_bytes ? 100.0 * progress.bytes_read / progress.total_bytes : 0.0,
                   progress.bytes_read / seconds / 1e6);
    }
  };
  persist::SnapshotLoader loader(node_.keyspace(), *config_, options);
  persist::LoadResult result;
  Status status = loader.load_file(path, &result);
  p.loading = false;
  if (!status) {
    spdlog::error("Fatal error loading the snapshot: {}. Exiting.", status.message());
    return false;
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  spdlog::info("DB loaded from disk: {} keys ({} already expired, skipped) in {:.3f} seconds",
               result.keys_loaded, result.expired_skipped, seconds);
  for (const auto& [name, value] : result.aux) {
    int64_t offset = 0;
    if (name == "repl-id") loaded_replid_ = value;
    if (name == "repl-offset" && parse_i64(value, &offset)) loaded_repl_offset_ = offset;
    if (name == "repl-stream-db" && parse_i64(value, &offset) && offset >= 0 &&
        offset < config_->databases) {
      loaded_stream_db_ = static_cast<int>(offset);
    }
  }
  return true;
}

bool Server::save_before_exit(bool nosave, bool save) {
  saves_.kill_child();
  // A dataset still loading is incomplete: saving it would overwrite the good file.
  if (node_.persistence.loading) return true;
  if (Status based = aof_.finish_initial_base(); !based) {
    spdlog::warn("Writing the initial append-only file base before exiting: {}", based.message());
    return false;
  }
  if (nosave || (!save && !saves_.has_save_points())) return true;
  spdlog::info("Saving the final snapshot before exiting.");
  std::string failure = saves_.save_now();
  if (failure.empty()) return true;
  spdlog::warn("Error trying to save the DB before exiting: {}", failure);
  return false;
}

std::string Server::request_shutdown(bool nosave, bool save, bool, bool force) {
  systemd_.stopping("SHUTDOWN requested, shutting down");
  if (!save_before_exit(nosave, save) && !force) {
    systemd_.status("Error trying to save the DB, can't exit.");
    return "ERR Errors trying to SHUTDOWN. Check logs.";
  }
  // Stop now: a command run after the final save (pipelined behind SHUTDOWN, or another
  // client's) would be acknowledged and then lost.
  shutdown("SHUTDOWN");
  return "";
}

void Server::shutdown(const char* reason) {
  if (stopping_) return;
  stopping_ = true;
  aof_.kill_child();
  aof_.close();  // everything appended is written and fsynced before the process ends
  replication_.stop();
  spdlog::info("received {}, shutting down", reason);
  for (auto& acceptor : acceptors_) {
    asio::error_code ec;
    acceptor->close(ec);
  }
  std::vector<std::shared_ptr<net::Connection>> conns;
  for (auto& [ptr, conn] : connections_) conns.push_back(conn);
  for (auto& conn : conns) conn->close();
  if (http_) http_->stop();  // requests waiting for the loop get 503; its threads are joined
  cron_timer_.cancel();
  signals_.cancel();
  io_.stop();
}

size_t Server::used_memory_rss() const {
  std::ifstream statm("/proc/self/statm");
  size_t pages_total = 0;
  size_t pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return pages_resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace stashd
