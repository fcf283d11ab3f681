// Owns: the endpoints' work on the event loop (see http_api.h). Must not touch: sockets.
// Thread: the event loop.
#include "stashd/http/http_api.h"

#include <fmt/format.h>

#include "stashd/admin/prometheus.h"

namespace stashd::http {

namespace {

// Output buffers up to this size are kept between requests.
constexpr size_t kKeptOutputCapacity = 64 * 1024;

bool starts_with_word(std::string_view reply, std::string_view word) {
  return reply.size() > word.size() + 1 && reply.substr(1, word.size()) == word &&
         (reply[word.size() + 1] == ' ' || reply[word.size() + 1] == '\r');
}

void text(HttpReply& reply, int status, std::string_view body) {
  reply.status = status;
  reply.content_type = kTextPlain;
  reply.body.assign(body);
}

}  // namespace

HttpApi::HttpApi(NodeState* node, Dispatcher* dispatcher)
    : node_(node),
      dispatcher_(dispatcher),
      client_(node->next_client_id(), node->clock().now_ms()) {
  client_.name = "http";
}

int HttpApi::status_for_error(std::string_view error_reply) {
  if (starts_with_word(error_reply, "WRONGTYPE")) return 409;
  if (starts_with_word(error_reply, "OOM")) return 507;
  if (starts_with_word(error_reply, "LOADING") || starts_with_word(error_reply, "MISCONF") ||
      starts_with_word(error_reply, "BUSY") || starts_with_word(error_reply, "MASTERDOWN")) {
    return 503;
  }
  if (starts_with_word(error_reply, "NOAUTH") || starts_with_word(error_reply, "WRONGPASS")) {
    return 401;
  }
  if (error_reply.starts_with("-ERR invalid expire time")) return 400;
  return 500;
}

void HttpApi::error(std::string_view error_reply, HttpReply& reply) {
  std::string_view message = error_reply.substr(1);
  if (message.ends_with("\r\n")) message.remove_suffix(2);
  reply.status = status_for_error(error_reply);
  reply.content_type = kTextPlain;
  reply.body.assign(message).push_back('\n');
  if (reply.status == 401) {
    reply.header_name = kAuthenticateHeader;
    reply.header_value = kAuthenticateValue;
  } else if (reply.status == 503) {
    reply.header_name = "Retry-After";
    reply.header_value = "1";
  }
}

std::string_view HttpApi::run(std::initializer_list<std::string_view> argv) {
  client_.out.clear();
  dispatcher_->execute(client_, std::span<const std::string_view>(argv.begin(), argv.size()));
  return client_.out;
}

bool HttpApi::paused(std::initializer_list<std::string_view> argv, HttpReply& reply) {
  if (!dispatcher_->paused(client_, std::span<const std::string_view>(argv.begin(), argv.size()))) {
    return false;
  }
  text(reply, 503, "clients are paused (CLIENT PAUSE)\n");
  reply.header_name = "Retry-After";
  reply.header_value = "1";
  return true;
}

void HttpApi::handle(const HttpRequest& request, HttpReply& reply) {
  // A fresh connection's state for every request: db 0, not authenticated, replies on.
  client_.db = 0;
  client_.authenticated = false;
  client_.reply_mode = ReplyMode::kOn;
  client_.addr.assign(request.peer);
  switch (request.route) {
    case HttpRoute::kHealth:
      text(reply, 200, "ok\n");
      break;
    case HttpRoute::kReady:
      ready(reply);
      break;
    case HttpRoute::kMetrics:
      if (authorize(request, reply)) {
        reply.body = render_prometheus(*node_);
        reply.content_type = kPrometheusContentType;
      }
      break;
    case HttpRoute::kCacheGet:
      if (authorize(request, reply)) cache_get(request, reply);
      break;
    case HttpRoute::kCachePut:
      if (authorize(request, reply)) cache_put(request, reply);
      break;
    case HttpRoute::kCacheDelete:
      if (authorize(request, reply)) cache_delete(request, reply);
      break;
  }
  // Under appendfsync always the write reaches the disk before its acknowledgement leaves, as
  // for a RESP reply.
  if (node_->before_replies) node_->before_replies();
  if (client_.out.capacity() > kKeptOutputCapacity) std::string().swap(client_.out);
  client_.out.clear();
}

void HttpApi::ready(HttpReply& reply) {
  if (node_->persistence.loading) {
    text(reply, 503, "loading the dataset\n");
    return;
  }
  const ReplicationStatus replication = node_->replication_status();
  if (replication.replica && !replication.link_up) {
    text(reply, 503, "the link to the master is down\n");
    return;
  }
  text(reply, 200, "ready\n");
}

bool HttpApi::authorize(const HttpRequest& request, HttpReply& reply) {
  if (node_->config().requirepass.empty()) return true;
  if (request.credentials == nullptr) {
    text(reply, 401, "authentication required: HTTP Basic or Bearer with the server's password\n");
    reply.header_name = kAuthenticateHeader;
    reply.header_value = kAuthenticateValue;
    return false;
  }
  const Credentials& c = *request.credentials;
  std::string_view answer =
      c.user.empty() ? run({"AUTH", c.password}) : run({"AUTH", c.user, c.password});
  if (answer.starts_with("+OK")) return true;
  error(answer, reply);
  if (reply.status != 401) return false;  // AUTH refused for another reason (LOADING, ...)
  reply.header_name = kAuthenticateHeader;
  reply.header_value = kAuthenticateValue;
  return false;
}

void HttpApi::cache_get(const HttpRequest& request, HttpReply& reply) {
  if (paused({"GET", request.key}, reply)) return;
  run({"GET", request.key});
  std::string& out = client_.out;
  if (out.starts_with("$-1")) {
    text(reply, 404, "not found\n");
    return;
  }
  if (!out.starts_with("$")) {
    error(out, reply);
    return;
  }
  // "$<n>\r\n<value>\r\n": keep the value in place and hand the buffer over (no copy).
  const size_t header_end = out.find("\r\n");
  out.erase(out.size() - 2);
  out.erase(0, header_end + 2);
  reply.status = 200;
  reply.content_type = kOctetStream;
  reply.body.swap(out);
}

void HttpApi::cache_put(const HttpRequest& request, HttpReply& reply) {
  if (static_cast<int64_t>(request.value.size()) > node_->config().proto_max_bulk_len) {
    text(reply, 413, "the value is larger than proto-max-bulk-len\n");
    return;
  }
  const std::string ttl = request.ttl_seconds > 0 ? fmt::format_int(request.ttl_seconds).str() : "";
  if (request.ttl_seconds > 0) {
    if (paused({"SET", request.key, request.value, "EX", ttl}, reply)) return;
  } else if (paused({"SET", request.key, request.value}, reply)) {
    return;
  }
  // Whether the key exists decides 201 or 204; a peek counts no hit or miss and touches no LRU.
  // (While loading, SET is refused anyway and the partial dataset is not looked at.)
  bool existed = false;
  if (!node_->persistence.loading) {
    Keyspace& ks = node_->keyspace();
    ks.set_now_ms(node_->clock().now_ms());  // as the dispatcher does before a command
    existed = ks.db(client_.db).lookup_peek(request.key) != kNoEntry;
  }
  std::string_view answer = request.ttl_seconds > 0
                                ? run({"SET", request.key, request.value, "EX", ttl})
                                : run({"SET", request.key, request.value});
  if (!answer.starts_with("+OK")) {
    error(answer, reply);
    return;
  }
  reply.status = existed ? 204 : 201;
}

void HttpApi::cache_delete(const HttpRequest& request, HttpReply& reply) {
  if (paused({"DEL", request.key}, reply)) return;
  std::string_view answer = run({"DEL", request.key});
  if (answer.starts_with(":1")) {
    reply.status = 204;
  } else if (answer.starts_with(":0")) {
    text(reply, 404, "not found\n");
  } else {
    error(answer, reply);
  }
}

}  // namespace stashd::http
