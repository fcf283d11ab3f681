// Owns: one client TCP connection: the read buffer and incremental parsing, pipelining (every
// complete request in the buffer runs before one batched write), backpressure (a client that does
// not read stops being read, and is dropped past client-output-buffer-limit), the query buffer
// limit, and CLIENT PAUSE hold-back. Must not touch: command semantics (it calls the Dispatcher).
// Thread: the event loop.
#pragma once

#include <asio.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "stashd/command/client.h"
#include "stashd/command/dispatcher.h"
#include "stashd/command/node_state.h"
#include "stashd/resp/parser.h"

namespace stashd::net {

class Connection;

// What a connection needs from the server that owns it.
class ConnectionOwner {
 public:
  virtual ~ConnectionOwner() = default;
  virtual void connection_closed(Connection* c) = 0;
};

// Asio handlers in flight hold a shared_ptr: the connection lives until the last of them returns.
class Connection : public std::enable_shared_from_this<Connection>, public ClientTransport {
 public:
  Connection(asio::ip::tcp::socket socket, NodeState* node, Dispatcher* dispatcher,
             ConnectionOwner* owner);
  ~Connection() override;

  void start();
  // Closes now, dropping pending output (shutdown, kill of an unresponsive client).
  void close();
  Client& client() { return client_; }
  // Cron: idle timeout and soft output-buffer limits; resumes a paused client.
  void tick(int64_t now_ms);

  // ClientTransport
  void request_flush() override;
  void close_after_reply() override;
  void blocked(int64_t deadline_ms) override;
  void unblocked() override;
  size_t query_buffer_bytes() const override { return inbuf_filled_ - inbuf_start_; }
  size_t query_buffer_free() const override { return inbuf_.size() - inbuf_filled_; }
  size_t output_pending_bytes() const override { return client_.out.size() + writing_.size(); }

 private:
  void read_more();
  void make_read_space();
  bool want_read() const;
  void on_read(const asio::error_code& ec, size_t n);
  void process_input();
  void update_parse_limits();
  void flush();
  void on_written(const asio::error_code& ec, size_t n);
  // Closes the client (and returns true) when its pending output is over its class's limit.
  bool over_output_limit(int64_t now_ms);
  bool output_limit_reached(int64_t now_ms);
  void protocol_error(const std::string& message);

  asio::ip::tcp::socket socket_;
  NodeState* node_;
  Dispatcher* dispatcher_;
  ConnectionOwner* owner_;
  Client client_;
  resp::RequestParser parser_;
  std::string inbuf_;        // size() is the read area; [start, filled) holds unparsed bytes
  size_t inbuf_start_ = 0;   // bytes of inbuf_ already consumed by finished requests
  size_t inbuf_filled_ = 0;  // bytes of inbuf_ holding data (the rest is read space)
  std::string writing_;      // the batch being written by the socket right now
  bool reading_ = false;
  bool writing_in_flight_ = false;
  bool closed_ = false;
  bool paused_ = false;
  asio::steady_timer block_timer_;
  int64_t soft_limit_since_ms_ = 0;
};

}  // namespace stashd::net
