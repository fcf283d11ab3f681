// Owns: the cpp-httplib server, its threads and the routes (see http_listener.h).
// Must not touch: the keyspace, NodeState (only from tasks run on the loop, and the config in
// start()). Thread: start()/stop() on the event loop thread; the handlers on the HTTP threads.
#include "stashd/http/http_listener.h"

#include <httplib.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <thread>

#include "stashd/http/http_api.h"
#include "stashd/http/loop_bridge.h"
#include "stashd/http/request_target.h"

namespace stashd::http {

namespace {

// Worker threads, so at most this many requests wait for the loop at once. Each keep-alive
// connection holds a worker while it is open (cpp-httplib's model), so idle ones close after 1 s.
constexpr size_t kWorkers = 4;
constexpr time_t kKeepAliveSeconds = 1;
constexpr time_t kSocketTimeoutSeconds = 5;
// How long a request waits for the event loop to start its work before answering 503.
constexpr std::chrono::milliseconds kLoopTimeout{5000};
constexpr std::chrono::milliseconds kProbeTimeout{1000};  // /healthz, /readyz

class ApiTask final : public LoopTask {
 public:
  ApiTask(HttpApi& api, const HttpRequest& request) : api_(api), request_(request) {}
  void run(HttpReply& reply) override { api_.handle(request_, reply); }

 private:
  HttpApi& api_;
  const HttpRequest& request_;
};

void plain(httplib::Response& res, int status, std::string_view body) {
  res.status = status;
  res.set_content(std::string(body), std::string(kTextPlain));
}

bool is_cache_route(HttpRoute route) {
  return route == HttpRoute::kCacheGet || route == HttpRoute::kCachePut ||
         route == HttpRoute::kCacheDelete;
}

}  // namespace

struct HttpListener::Impl {
  Impl(asio::io_context& io, NodeState* node, Dispatcher* dispatcher)
      : node(node), api(node, dispatcher), bridge(io, kWorkers) {}

  // Parses the request here, runs its work on the loop and writes the answer.
  void serve(HttpRoute route, const httplib::Request& req, httplib::Response& res);

  NodeState* node;  // read in start() only, on the loop thread
  HttpApi api;      // used only by tasks the loop runs
  LoopBridge bridge;
  httplib::Server server;
  std::thread thread;
  int port = 0;
};

void HttpListener::Impl::serve(HttpRoute route, const httplib::Request& req,
                               httplib::Response& res) {
  HttpRequest request;
  request.route = route;
  std::optional<std::string> key;
  if (is_cache_route(route)) {
    // The raw target, not httplib's decoded path: "%2F" in a key must not look like a '/'.
    const SplitTarget target = split_target(req.target);
    key = cache_key(target.path);
    if (!key) {
      plain(res, 400, "expected /cache/{key} with a non-empty, percent-encoded key\n");
      return;
    }
    request.key = *key;
    if (route == HttpRoute::kCachePut) {
      if (std::optional<std::string> ttl = query_param(target.query, "ttl")) {
        std::optional<int64_t> seconds = parse_ttl_seconds(*ttl);
        if (!seconds) {
          plain(res, 400, "ttl must be a whole number of seconds, at least 1\n");
          return;
        }
        request.ttl_seconds = *seconds;
      }
      request.value = req.body;
    }
  }
  std::optional<Credentials> credentials;
  if (req.has_header("Authorization")) {
    credentials = parse_authorization(req.get_header_value("Authorization"));
  }
  if (credentials) request.credentials = &*credentials;
  const std::string peer = req.remote_addr + ":" + std::to_string(req.remote_port);
  request.peer = peer;

  ApiTask task(api, request);
  const bool probe = route == HttpRoute::kHealth || route == HttpRoute::kReady;
  std::optional<HttpReply> reply = bridge.call(task, probe ? kProbeTimeout : kLoopTimeout);
  if (!reply) {
    res.set_header("Retry-After", "1");
    plain(res, 503, "the server did not answer in time (busy, or shutting down)\n");
    return;
  }
  res.status = reply->status;
  if (!reply->header_name.empty()) {
    res.set_header(std::string(reply->header_name), std::string(reply->header_value));
  }
  if (!reply->body.empty() || reply->content_type == kOctetStream) {
    res.body = std::move(reply->body);
    res.set_header("Content-Type", std::string(reply->content_type));
  }
}

HttpListener::HttpListener(asio::io_context& io, NodeState* node, Dispatcher* dispatcher)
    : impl_(std::make_unique<Impl>(io, node, dispatcher)) {}

HttpListener::~HttpListener() { stop(); }

int HttpListener::port() const { return impl_->port; }

Status HttpListener::start() {
  const Config& config = impl_->node->config();
  const std::string host = config.http_bind;
  const int port = static_cast<int>(config.http_port);
  asio::error_code ec;
  asio::ip::make_address(host, ec);
  if (ec) return Status::error("http-bind: invalid address '" + host + "' (one IP address)");

  httplib::Server& server = impl_->server;
  server.new_task_queue = [] { return new httplib::ThreadPool(kWorkers); };
  // SO_REUSEADDR only: cpp-httplib's default also sets SO_REUSEPORT, which would let a second
  // process bind the same port silently.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  server.set_keep_alive_timeout(kKeepAliveSeconds);
  server.set_read_timeout(kSocketTimeoutSeconds, 0);
  server.set_write_timeout(kSocketTimeoutSeconds, 0);
  // Bodies over the limit get 413 before any handler runs (the body is drained first, so the
  // client reads the answer). CONFIG SET proto-max-bulk-len lower is also enforced on the loop.
  server.set_payload_max_length(static_cast<size_t>(config.proto_max_bulk_len));
  // Errors cpp-httplib answers itself (no route, a body over the limit, a malformed request)
  // get a one-line reason like the API's own errors.
  server.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        const char* reason = res.status == 413   ? "the body is larger than proto-max-bulk-len\n"
                             : res.status == 404 ? "no such endpoint\n"
                             : res.status == 400 ? "bad request (a PUT needs a Content-Length)\n"
                                                 : nullptr;
        if (reason == nullptr) return httplib::Server::HandlerResponse::Unhandled;
        res.set_content(reason, std::string(kTextPlain));
        return httplib::Server::HandlerResponse::Handled;
      }));
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res,
                                  std::exception_ptr) { plain(res, 500, "internal error\n"); });
  Impl* impl = impl_.get();
  auto route = [impl](HttpRoute r) {
    return [impl, r](const httplib::Request& req, httplib::Response& res) {
      impl->serve(r, req, res);
    };
  };
  server.Get("/metrics", route(HttpRoute::kMetrics));
  server.Get("/healthz", route(HttpRoute::kHealth));
  server.Get("/readyz", route(HttpRoute::kReady));
  // [\s\S]: std::regex's '.' stops at a decoded newline; keys may hold any byte.
  server.Get(R"(/cache/[\s\S]*)", route(HttpRoute::kCacheGet));
  server.Put(R"(/cache/[\s\S]*)", route(HttpRoute::kCachePut));
  server.Delete(R"(/cache/[\s\S]*)", route(HttpRoute::kCacheDelete));

  if (Status bridge = impl_->bridge.start(); !bridge) return bridge;
  if (!server.bind_to_port(host, port)) {
    return Status::error(fmt::format("could not listen on {}:{} for HTTP (http-port): {}", host,
                                     port, std::strerror(errno)));
  }
  impl_->port = port;
  impl_->thread = std::thread([impl] { impl->server.listen_after_bind(); });
  // stop() can only interrupt a server that runs: wait until the thread got there.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!server.is_running()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return Status::error("the HTTP listener thread did not start");
    }
    std::this_thread::yield();
  }
  spdlog::info("HTTP listening on {}:{} (/metrics /healthz /readyz /cache)", host, port);
  return Status::ok();
}

void HttpListener::stop() {
  impl_->bridge.stop();
  if (impl_->thread.joinable()) {
    impl_->server.stop();
    impl_->thread.join();
  }
}

}  // namespace stashd::http
