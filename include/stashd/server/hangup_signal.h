// Owns: SIGHUP for the whole process, handled on the event loop (asio::signal_set, so nothing
// runs inside the signal handler itself): each SIGHUP calls the hook main() gives, which reopens
// the log file for logrotate (`systemctl reload` sends SIGHUP). Without a hook SIGHUP is logged
// and otherwise ignored, so a reload never terminates a node that logs to stdout/journald.
// Must not touch: the keyspace, clients. Thread: the event loop.
#pragma once

#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <functional>

namespace stashd {

class HangupSignal {
 public:
  HangupSignal(asio::io_context* io, std::function<void()> on_hangup);

 private:
  void wait();

  asio::signal_set signals_;
  std::function<void()> on_hangup_;
};

}  // namespace stashd
