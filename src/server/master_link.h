// Owns: a replica's link to its primary: the socket, the handshake (driven by
// repl::ReplicaHandshake), receiving the full-sync snapshot into a temp file and loading it, then
// applying the stream through the dispatcher as the master client (MULTI blocks count only once
// whole), relaying the applied bytes, acknowledging offsets and dropping a silent link. It is the
// master client's transport (CLIENT KILL TYPE master closes it). Must not touch: the primary-side
// state (Replication owns it). Thread: the event loop.
#pragma once

#include <asio.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "stashd/command/client.h"
#include "stashd/repl/replica_handshake.h"
#include "stashd/resp/parser.h"

namespace stashd {

class Replication;

class MasterLink : public std::enable_shared_from_this<MasterLink>, public ClientTransport {
 public:
  enum class State { kConnecting, kHandshake, kTransfer, kConnected, kClosed };

  MasterLink(Replication* repl, std::string host, int port);
  ~MasterLink() override;

  void start();
  // Drops the link (failed: back off before reconnecting). Tells Replication unless `notify` is
  // false (it is dropping the link itself).
  void close(const std::string& why, bool failed, bool notify = true);
  void cron(int64_t now_ms);
  void send_ack();
  // REPLCONF GETACK: acknowledge once the command asking is itself applied (its bytes counted).
  void request_ack() { ack_requested_ = true; }

  State state() const { return state_; }
  const char* role_state() const;  // ROLE's: connecting, sync, connected
  int64_t last_io_ms() const { return last_io_ms_; }
  int64_t transfer_total() const;
  int64_t transfer_read() const { return static_cast<int64_t>(bulk_.payload_bytes()); }

  // ClientTransport (the master client)
  void request_flush() override {}
  void close_after_reply() override;
  void blocked(int64_t) override {}
  void unblocked() override {}
  size_t query_buffer_bytes() const override { return filled_ - start_; }
  size_t query_buffer_free() const override { return inbuf_.size() - filled_; }
  size_t output_pending_bytes() const override { return out_.size() + writing_.size(); }

 private:
  void read_more();
  void on_read(const asio::error_code& ec, size_t n);
  void process();
  bool process_handshake();
  bool process_transfer();
  void process_stream();
  void handle_step(const repl::HandshakeStep& step);
  bool load_snapshot();
  // The stream follows: the master client applies it from now on.
  void start_stream();
  void send_command(std::span<const std::string> argv);
  void flush();

  Replication* repl_;
  std::string host_;
  int port_;
  State state_ = State::kConnecting;
  asio::ip::tcp::socket socket_;
  asio::ip::tcp::resolver resolver_;
  asio::steady_timer connect_timer_;
  std::string inbuf_;
  size_t start_ = 0;
  size_t filled_ = 0;
  bool reading_ = false;
  std::string out_;
  std::string writing_;
  bool writing_in_flight_ = false;
  int64_t last_io_ms_ = 0;
  int64_t last_ack_ms_ = 0;
  bool ack_requested_ = false;

  std::unique_ptr<repl::ReplicaHandshake> handshake_;
  repl::BulkReceiver bulk_;
  int temp_fd_ = -1;
  std::string temp_path_;
  std::string sync_replid_;
  uint64_t sync_offset_ = 0;

  std::unique_ptr<Client> master_;
  resp::RequestParser parser_;
  std::string multi_bytes_;  // the stream bytes of a MULTI block not yet executed
};

}  // namespace stashd
