// Owns: what each HTTP endpoint does, run on the event loop: /metrics (the metrics registry as
// Prometheus text), /healthz, /readyz, and the REST API on /cache/{key}, which runs GET, SET and
// DEL through the Dispatcher as an internal client so that authentication, OOM refusal, the
// append-only file, replication, keyspace events, statistics and CLIENT PAUSE apply exactly as
// they do to the same commands over RESP. Maps replies to HTTP status codes (docs/http.md).
// Must not touch: sockets; the keyspace beyond its clock and a read-only lookup_peek (201 or 204).
// Thread: the event loop.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>

#include "stashd/command/client.h"
#include "stashd/command/dispatcher.h"
#include "stashd/command/node_state.h"
#include "stashd/http/loop_bridge.h"
#include "stashd/http/request_target.h"

namespace stashd::http {

enum class HttpRoute : uint8_t { kMetrics, kHealth, kReady, kCacheGet, kCachePut, kCacheDelete };

// One parsed request. The views point into memory the HTTP thread keeps alive during the call.
struct HttpRequest {
  HttpRoute route = HttpRoute::kHealth;
  std::string_view key;                      // /cache/{key}, decoded
  std::string_view value;                    // PUT's body
  int64_t ttl_seconds = 0;                   // PUT ?ttl=; 0 = no TTL
  const Credentials* credentials = nullptr;  // from Authorization, if any
  std::string_view peer;  // "ip:port" of the HTTP client (CLIENT-like address for MONITOR)
};

inline constexpr std::string_view kOctetStream = "application/octet-stream";
inline constexpr std::string_view kAuthenticateHeader = "WWW-Authenticate";
inline constexpr std::string_view kAuthenticateValue = "Basic realm=\"stashd\", charset=\"UTF-8\"";

class HttpApi {
 public:
  HttpApi(NodeState* node, Dispatcher* dispatcher);

  void handle(const HttpRequest& request, HttpReply& reply);

  // The status an error reply ("-WRONGTYPE ...\r\n") maps to.
  static int status_for_error(std::string_view error_reply);

 private:
  // When requirepass is set: runs AUTH with the request's credentials; false (401 written) if
  // they are missing or wrong.
  bool authorize(const HttpRequest& request, HttpReply& reply);
  // Runs argv as the internal client and returns its raw RESP2 reply (valid until the next run).
  std::string_view run(std::initializer_list<std::string_view> argv);
  // The CLIENT PAUSE state holds this command back: 503 with Retry-After.
  bool paused(std::initializer_list<std::string_view> argv, HttpReply& reply);
  void ready(HttpReply& reply);
  void cache_get(const HttpRequest& request, HttpReply& reply);
  void cache_put(const HttpRequest& request, HttpReply& reply);
  void cache_delete(const HttpRequest& request, HttpReply& reply);
  // Writes an error reply as status + message; the message is the reply without '-' and CRLF.
  void error(std::string_view error_reply, HttpReply& reply);

  NodeState* node_;
  Dispatcher* dispatcher_;
  Client client_;
};

}  // namespace stashd::http
