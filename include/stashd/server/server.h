// Owns: building a node from its config and running it: the io_context (one thread), listeners,
// the cron (active expiry, incremental rehash, client timeouts, stats sampling), signal handling,
// SHUTDOWN and the pidfile. Must not touch: command semantics, protocol parsing. Thread: the event
// loop (constructed and run from main).
#pragma once

#include <asio.hpp>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "stashd/command/dispatcher.h"
#include "stashd/command/node_state.h"
#include "stashd/common/status.h"
#include "stashd/config/config.h"
#include "stashd/http/http_listener.h"
#include "stashd/net/connection.h"
#include "stashd/server/append_only.h"
#include "stashd/server/background_save.h"
#include "stashd/server/replication.h"
#include "stashd/server/systemd_notify.h"

namespace stashd {

class Server final : public ServerControl, public net::ConnectionOwner {
 public:
  Server(Config* config, ConfigRegistry* registry, std::string config_file, std::string executable);
  ~Server() override;

  // Binds every address in `bind` on `port`. Fails with a message naming the address.
  Status listen();
  // Runs the loop until SHUTDOWN or SIGTERM/SIGINT; returns the process exit code.
  int run();
  NodeState& node() { return node_; }
  // The event loop, for handlers main() wires in (SIGHUP).
  asio::io_context* io_context() { return &io_; }

  // ServerControl
  std::string request_shutdown(bool nosave, bool save, bool now, bool force) override;
  int tcp_port() const override { return bound_port_; }
  size_t used_memory_rss() const override;
  void continue_eviction() override;

  // ConnectionOwner
  void connection_closed(net::Connection* c) override;

 private:
  void accept_next(asio::ip::tcp::acceptor* acceptor);
  void on_accept(asio::ip::tcp::acceptor* acceptor, asio::ip::tcp::socket socket);
  void schedule_cron();
  void cron();
  void expire_cycle();
  // One slice of background eviction (at most 1 ms), re-posted while memory is over maxmemory.
  void eviction_cycle();
  void shutdown(const char* reason);
  void wait_for_signals();
  // Saves before exiting when asked to or when save points are configured; false (logged) if the
  // save failed.
  bool save_before_exit(bool nosave, bool save);
  // Loads the data at start-up, answering -LOADING to clients meanwhile: the append-only file when
  // appendonly is on and it exists, else `dir`/`dbfilename` if it exists; then opens the
  // append-only file for appending. Returns false (logged) on an unreadable or corrupt file.
  bool load_dataset();
  bool load_snapshot();

  Config* config_;
  NodeState node_;
  Dispatcher dispatcher_;
  BackgroundSave saves_{&node_};
  AppendOnly aof_{&node_, &dispatcher_};
  asio::io_context io_;
  Replication replication_{&node_, &dispatcher_, io_};
  // The replication history the loaded snapshot recorded (repl-id, repl-offset).
  std::string loaded_replid_;
  int64_t loaded_repl_offset_ = -1;
  int loaded_stream_db_ = 0;
  asio::steady_timer cron_timer_;
  asio::signal_set signals_;
  SystemdNotifier systemd_{&io_, config_->supervised};
  std::vector<std::unique_ptr<asio::ip::tcp::acceptor>> acceptors_;
  std::unordered_map<net::Connection*, std::shared_ptr<net::Connection>> connections_;
  std::unique_ptr<http::HttpListener> http_;  // http-port; after io_: destroyed before it
  int bound_port_ = 0;
  bool expire_cycle_posted_ = false;
  bool eviction_cycle_posted_ = false;
  bool stopping_ = false;
};

}  // namespace stashd
