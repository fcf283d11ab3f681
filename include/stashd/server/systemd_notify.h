// Owns: telling a supervising systemd (Type=notify units) how the node is doing, through
// sd_notify(3) from Debian's libsystemd: READY=1 once the node listens and has loaded its data,
// STATUS= lines while loading (each extending TimeoutStartSec, so a big dataset that is still
// making progress is not killed), STOPPING=1 when shutdown starts, and WATCHDOG=1 from a timer on
// the event loop when the unit sets WatchdogSec (a stuck loop stops the pings). The `supervised`
// option decides whether any of it is sent. Must not touch: the keyspace, clients, files.
// Thread: the event loop.
#pragma once

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace stashd {

struct PersistenceState;

class SystemdNotifier {
 public:
  // `supervised` is the option's value: "systemd" notifies whenever systemd gave a socket (and
  // warns when it did not), "auto" only when NOTIFY_SOCKET is set, "no" never.
  SystemdNotifier(asio::io_context* io, std::string_view supervised);

  // True when messages go to systemd (INFO's process_supervised says "systemd").
  bool active() const { return active_; }
  // Interval between WATCHDOG=1 pings: a quarter of WATCHDOG_USEC, or zero when systemd asked
  // for no watchdog.
  std::chrono::microseconds watchdog_interval() const { return watchdog_interval_; }

  // Starts the WATCHDOG=1 timer (call once, before loading: pings continue between chunks).
  void start_watchdog();
  // STATUS= with the loading progress; at most four a second, the first at once.
  void loading(const PersistenceState& persistence);
  void ready(std::string_view status);
  void stopping(std::string_view status);
  void status(std::string_view text);

 private:
  void send(const std::string& message);
  void schedule_watchdog();

  asio::steady_timer watchdog_timer_;
  bool active_ = false;
  std::chrono::microseconds watchdog_interval_{0};
  std::chrono::steady_clock::time_point last_loading_status_{};
};

}  // namespace stashd
