// Owns: one client connection's I/O (see connection.h). Must not touch: command semantics.
// Thread: the event loop.
#include "stashd/net/connection.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

namespace stashd::net {

namespace {
constexpr size_t kReadChunk = 16 * 1024;
// Above this much unsent output, the connection stops executing (and reading) more requests until
// the socket drains: a client that pipelines without reading cannot make the server buffer its
// replies without bound.
constexpr size_t kBackpressureBytes = 4 * 1024 * 1024;
constexpr size_t kKeepBufferCapacity = 1024 * 1024;

std::string endpoint_string(const asio::ip::tcp::endpoint& ep) {
  asio::ip::address a = ep.address();
  if (a.is_v6() && a.to_v6().is_v4_mapped()) a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  return a.to_string() + ":" + std::to_string(ep.port());
}
}  // namespace

Connection::Connection(asio::ip::tcp::socket socket, NodeState* node, Dispatcher* dispatcher,
                       ConnectionOwner* owner)
    : socket_(std::move(socket)),
      node_(node),
      dispatcher_(dispatcher),
      owner_(owner),
      client_(node->next_client_id(), node->clock().now_ms()),
      block_timer_(socket_.get_executor()) {
  client_.transport = this;
  client_.authenticated = node->config().requirepass.empty();
  client_.fd = socket_.native_handle();
  asio::error_code ec;
  auto remote = socket_.remote_endpoint(ec);
  if (!ec) client_.addr = endpoint_string(remote);
  auto local = socket_.local_endpoint(ec);
  if (!ec) client_.laddr = endpoint_string(local);
  node_->add_client(&client_);
}

Connection::~Connection() = default;

void Connection::start() {
  asio::error_code ec;
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  int keepalive = static_cast<int>(node_->config().tcp_keepalive);
  if (keepalive > 0) {
    socket_.set_option(asio::socket_base::keep_alive(true), ec);
    int fd = socket_.native_handle();
    int interval = std::max(1, keepalive / 3);
    int count = 3;
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &keepalive, sizeof(keepalive));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof(interval));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof(count));
  }
  read_more();
}

void Connection::close() {
  if (closed_) return;
  closed_ = true;
  asio::error_code ec;
  block_timer_.cancel();
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  node_->remove_client(&client_);
  owner_->connection_closed(this);
}

void Connection::close_after_reply() {
  client_.flags |= kClientCloseAfterReply;
  // Deferred: the caller may be another client's command iterating the client registry.
  asio::post(socket_.get_executor(), [self = shared_from_this()] { self->flush(); });
}

void Connection::blocked(int64_t deadline_ms) {
  if (deadline_ms == 0) return;
  int64_t wait = std::max<int64_t>(0, deadline_ms - node_->clock().now_ms());
  block_timer_.expires_after(std::chrono::milliseconds(wait));
  block_timer_.async_wait([self = shared_from_this()](const asio::error_code& ec) {
    if (!ec && !self->closed_) self->dispatcher_->block_timed_out(self->client_);
  });
}

void Connection::unblocked() {
  block_timer_.cancel();
  // Requests pipelined behind the blocking one run now, after the caller's command finishes.
  asio::post(socket_.get_executor(), [self = shared_from_this()] { self->process_input(); });
}

void Connection::request_flush() {
  // Pushed output (pub/sub, MONITOR) grows without the client sending anything: check its limit.
  // The close is deferred: the caller may be iterating the subscribers this would remove.
  if (output_limit_reached(node_->clock().now_ms())) {
    asio::post(socket_.get_executor(), [self = shared_from_this()] { self->close(); });
    return;
  }
  if (node_->group_replies) {
    // Pushed output (a keyspace event of a write) must not overtake that write's durability.
    asio::post(socket_.get_executor(), [self = shared_from_this()] { self->flush(); });
    return;
  }
  flush();
}

bool Connection::want_read() const {
  // A replica's output is the stream, not replies to what it sends: its acknowledgements are
  // always read.
  return !closed_ && !reading_ && !paused_ && !client_.has(kClientCloseAfterReply) &&
         (output_pending_bytes() <= kBackpressureBytes || client_.has(kClientReplica));
}

void Connection::make_read_space() {
  if (inbuf_start_ > 0 && (inbuf_start_ == inbuf_filled_ || inbuf_.size() - inbuf_filled_ < kReadChunk)) {
    // Slide the unparsed tail to the front. The parser keeps offsets relative to the start of the
    // unparsed bytes, so moving them is safe.
    std::memmove(inbuf_.data(), inbuf_.data() + inbuf_start_, inbuf_filled_ - inbuf_start_);
    inbuf_filled_ -= inbuf_start_;
    inbuf_start_ = 0;
  }
  size_t want = std::max(kReadChunk, std::min(parser_.bytes_hint(), size_t{64} << 20));
  if (inbuf_.size() - inbuf_filled_ < want) inbuf_.resize(inbuf_filled_ + want);
}

void Connection::read_more() {
  if (!want_read()) return;
  make_read_space();
  reading_ = true;
  socket_.async_read_some(
      asio::buffer(inbuf_.data() + inbuf_filled_, inbuf_.size() - inbuf_filled_),
      [self = shared_from_this()](const asio::error_code& ec, size_t n) { self->on_read(ec, n); });
}

void Connection::on_read(const asio::error_code& ec, size_t n) {
  reading_ = false;
  if (closed_) return;
  if (ec) {
    if (ec != asio::error::eof && ec != asio::error::connection_reset) {
      spdlog::debug("client {} read error: {}", client_.addr, ec.message());
    }
    close();
    return;
  }
  inbuf_filled_ += n;
  node_->stats().total_net_input_bytes += n;
  client_.last_interaction_ms = node_->clock().now_ms();
  if (static_cast<int64_t>(query_buffer_bytes()) > node_->config().client_query_buffer_limit) {
    spdlog::warn("closing client {}: query buffer of {} bytes over client-query-buffer-limit",
                 client_.addr, query_buffer_bytes());
    ++node_->stats().client_query_buffer_limit_disconnections;
    close();
    return;
  }
  process_input();
}

void Connection::protocol_error(const std::string& message) {
  spdlog::debug("protocol error from client {}: {}", client_.addr, message);
  client_.writer.error("ERR " + message);
  close_after_reply();
}

void Connection::update_parse_limits() {
  resp::ParseLimits limits;
  limits.max_bulk_len = node_->config().proto_max_bulk_len;
  limits.unauthenticated = !client_.authenticated && !node_->config().requirepass.empty();
  parser_.set_limits(limits);
}

void Connection::process_input() {
  // Limits follow CONFIG SET and AUTH, so they are refreshed for every batch of input.
  update_parse_limits();
  while (!closed_ && !paused_ && !client_.blocked && !client_.has(kClientCloseAfterReply) &&
         inbuf_start_ < inbuf_filled_ &&
         (output_pending_bytes() <= kBackpressureBytes || client_.has(kClientReplica))) {
    std::string_view data(inbuf_.data() + inbuf_start_, inbuf_filled_ - inbuf_start_);
    resp::ParseStatus status = parser_.parse(data);
    if (status == resp::ParseStatus::kNeedMore) break;
    if (status == resp::ParseStatus::kError) {
      protocol_error(parser_.error());
      return;
    }
    auto args = parser_.args();
    if (!args.empty()) {
      if (dispatcher_->paused(client_, args)) {
        // Leave the request unconsumed; tick() runs it once the pause ends.
        paused_ = true;
        parser_.reset();
        break;
      }
      dispatcher_->execute(client_, args);
      update_parse_limits();
    }
    inbuf_start_ += parser_.consumed();
  }
  if (inbuf_start_ == inbuf_filled_) inbuf_start_ = inbuf_filled_ = 0;
  if (closed_) return;
  if (over_output_limit(node_->clock().now_ms())) return;
  if (node_->group_replies) {
    asio::post(socket_.get_executor(), [self = shared_from_this()] { self->flush(); });
  } else {
    flush();
  }
  read_more();
}

bool Connection::over_output_limit(int64_t now_ms) {
  if (!output_limit_reached(now_ms)) return false;
  close();
  return true;
}

bool Connection::output_limit_reached(int64_t now_ms) {
  const Config& cfg = node_->config();
  const OutputBufferLimit& limit = client_.has(kClientReplica)
                                       ? cfg.client_output_buffer_limit_replica
                                   : client_.has(kClientPubsub)
                                       ? cfg.client_output_buffer_limit_pubsub
                                       : cfg.client_output_buffer_limit_normal;
  int64_t pending = static_cast<int64_t>(output_pending_bytes());
  bool hard = limit.hard_bytes > 0 && pending > limit.hard_bytes;
  bool soft = false;
  if (limit.soft_bytes > 0 && pending > limit.soft_bytes) {
    if (soft_limit_since_ms_ == 0) soft_limit_since_ms_ = now_ms;
    soft = now_ms - soft_limit_since_ms_ > limit.soft_seconds * 1000;
  } else {
    soft_limit_since_ms_ = 0;
  }
  if (!hard && !soft) return false;
  if (!client_.has(kClientCloseAfterReply)) {
    spdlog::warn("closing client {}: {} bytes of output over client-output-buffer-limit",
                 client_.addr, pending);
    ++node_->stats().client_output_buffer_limit_disconnections;
  }
  // No more replies for a client being dropped.
  client_.flags |= kClientCloseAfterReply;
  return true;
}

void Connection::flush() {
  if (closed_ || writing_in_flight_) return;
  if (client_.out.empty()) {
    if (client_.has(kClientCloseAfterReply)) close();
    return;
  }
  if (node_->before_replies) node_->before_replies();
  writing_.swap(client_.out);
  client_.out.clear();
  writing_in_flight_ = true;
  asio::async_write(socket_, asio::buffer(writing_),
                    [self = shared_from_this()](const asio::error_code& ec, size_t n) {
                      self->on_written(ec, n);
                    });
}

void Connection::on_written(const asio::error_code& ec, size_t n) {
  writing_in_flight_ = false;
  if (closed_) return;
  if (ec) {
    close();
    return;
  }
  node_->stats().total_net_output_bytes += n;
  writing_.clear();
  if (writing_.capacity() > kKeepBufferCapacity) writing_.shrink_to_fit();
  if (!client_.out.empty()) {
    flush();
  } else if (client_.has(kClientCloseAfterReply)) {
    close();
    return;
  }
  // Requests held back by backpressure may be waiting in the buffer.
  process_input();
}

void Connection::tick(int64_t now_ms) {
  if (closed_) return;
  const Config& cfg = node_->config();
  if (cfg.timeout > 0 && !client_.has(kClientMonitor) && !client_.has(kClientReplica) &&
      !client_.blocked &&
      now_ms - client_.last_interaction_ms > cfg.timeout * 1000) {
    spdlog::debug("closing idle client {}", client_.addr);
    close();
    return;
  }
  if (over_output_limit(now_ms)) return;
  if (paused_) {
    paused_ = false;
    process_input();
  }
}

}  // namespace stashd::net
