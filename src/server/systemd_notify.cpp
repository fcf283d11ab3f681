// Owns: the sd_notify messages of one node (see systemd_notify.h). Must not touch: the keyspace,
// clients, files. Thread: the event loop.
#include "stashd/server/systemd_notify.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "stashd/command/persistence.h"

namespace stashd {

namespace {

// While loading, each STATUS= also asks systemd to wait this much longer for the next message,
// so TimeoutStartSec bounds a stalled load, not a big one.
constexpr uint64_t kLoadingExtendUsec = 30'000'000;
constexpr auto kLoadingStatusInterval = std::chrono::milliseconds(250);

}  // namespace

SystemdNotifier::SystemdNotifier(asio::io_context* io, std::string_view supervised)
    : watchdog_timer_(*io) {
  if (supervised == "no") return;
  const char* socket = std::getenv("NOTIFY_SOCKET");
  if (socket == nullptr || *socket == '\0') {
    if (supervised == "systemd") {
      spdlog::warn("supervised systemd: NOTIFY_SOCKET is not set, so systemd is not told anything");
    }
    return;
  }
  active_ = true;
  uint64_t usec = 0;
  // The variables stay set: forked persistence children never notify, and nothing is exec'd.
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    watchdog_interval_ = std::chrono::microseconds(std::max<uint64_t>(usec / 4, 1000));
  }
  spdlog::info("supervised by systemd (NOTIFY_SOCKET={}){}", socket,
               watchdog_interval_.count() > 0
                   ? fmt::format(", watchdog every {} ms", watchdog_interval_.count() / 1000)
                   : std::string());
}

void SystemdNotifier::send(const std::string& message) {
  if (!active_) return;
  int r = sd_notify(0, message.c_str());
  if (r < 0) spdlog::debug("sd_notify failed: {}", std::strerror(-r));
}

void SystemdNotifier::start_watchdog() {
  if (!active_ || watchdog_interval_.count() == 0) return;
  send("WATCHDOG=1");
  schedule_watchdog();
}

void SystemdNotifier::schedule_watchdog() {
  watchdog_timer_.expires_after(watchdog_interval_);
  watchdog_timer_.async_wait([this](const asio::error_code& ec) {
    if (ec) return;
    send("WATCHDOG=1");
    schedule_watchdog();
  });
}

void SystemdNotifier::loading(const PersistenceState& p) {
  if (!active_) return;
  auto now = std::chrono::steady_clock::now();
  if (last_loading_status_ != std::chrono::steady_clock::time_point{} &&
      now - last_loading_status_ < kLoadingStatusInterval) {
    return;
  }
  last_loading_status_ = now;
  double percent =
      p.loading_total_bytes ? 100.0 * p.loading_loaded_bytes / p.loading_total_bytes : 0.0;
  std::string text = fmt::format("STATUS=Loading the dataset: {:.1f}% of {:.1f} MB", percent,
                                 p.loading_total_bytes / 1e6);
  if (p.loading_loaded_keys > 0) text += fmt::format(", {} keys", p.loading_loaded_keys);
  text += fmt::format("\nEXTEND_TIMEOUT_USEC={}", kLoadingExtendUsec);
  send(text);
}

void SystemdNotifier::ready(std::string_view status) {
  send(fmt::format("READY=1\nSTATUS={}", status));
}

void SystemdNotifier::stopping(std::string_view status) {
  watchdog_timer_.cancel();
  send(fmt::format("STOPPING=1\nSTATUS={}", status));
}

void SystemdNotifier::status(std::string_view text) { send(fmt::format("STATUS={}", text)); }

}  // namespace stashd
