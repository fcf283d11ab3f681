// Owns: SIGHUP handling on the event loop (see hangup_signal.h). Must not touch: the keyspace,
// clients. Thread: the event loop.
#include "stashd/server/hangup_signal.h"

#include <spdlog/spdlog.h>

#include <csignal>

namespace stashd {

HangupSignal::HangupSignal(asio::io_context* io, std::function<void()> on_hangup)
    : signals_(*io, SIGHUP), on_hangup_(std::move(on_hangup)) {
  wait();
}

void HangupSignal::wait() {
  signals_.async_wait([this](const asio::error_code& ec, int) {
    if (ec) return;
    if (on_hangup_) {
      on_hangup_();
    } else {
      spdlog::info("Received SIGHUP: logging to standard output, nothing to reopen");
    }
    wait();
  });
}

}  // namespace stashd
