// Owns: the HTTP listener (http-port on http-bind): cpp-httplib's server on its own small thread
// pool, request parsing on those threads, and the hand-over of every request's work to the event
// loop through a LoopBridge. Why cpp-httplib rather than Asio with a hand-written parser: Debian
// ships it as a compiled, maintained library with a complete HTTP/1.1 parser (chunked bodies,
// Expect: 100-continue, keep-alive, size limits answered with 413 after draining the body), and
// its threads keep slow HTTP clients and Prometheus scrapes off the event loop. Its threads never
// touch the keyspace or NodeState: they only parse, wait for the loop's answer (bounded: 503 on
// timeout) and write it. Must not touch: the keyspace, NodeState (only via the loop).
// Thread: start()/stop() on the event loop thread; handlers on the HTTP threads.
#pragma once

#include <asio.hpp>
#include <memory>

#include "stashd/command/dispatcher.h"
#include "stashd/command/node_state.h"
#include "stashd/common/status.h"

namespace stashd::http {

class HttpListener {
 public:
  HttpListener(asio::io_context& io, NodeState* node, Dispatcher* dispatcher);
  ~HttpListener();  // stops (and joins) if still running
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  // Binds http-bind:http-port and starts the HTTP threads; fails naming the address.
  Status start();
  // Refuses new work, cancels requests waiting for the loop, closes the listener and joins the
  // threads (an idle keep-alive connection holds a thread for up to a second).
  void stop();
  int port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace stashd::http
