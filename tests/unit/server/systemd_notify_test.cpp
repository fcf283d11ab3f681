// Owns: unit tests of SystemdNotifier against a notify socket of the test's own (what systemd
// would receive): which `supervised` values notify, the message texts, the loading rate limit and
// the watchdog interval. Must not touch: a real systemd. Thread: the test's.
#include "stashd/server/systemd_notify.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "stashd/command/persistence.h"

namespace stashd {
namespace {

namespace fs = std::filesystem;

class SystemdNotifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("stashd-notify-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    path_ = (dir_ / "notify.sock").string();
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path_.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
    ASSERT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    setenv("NOTIFY_SOCKET", path_.c_str(), 1);
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
  }
  void TearDown() override {
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    close(fd_);
    fs::remove_all(dir_);
  }
  // The next datagram, or "" when none arrives within `timeout`.
  std::string receive(std::chrono::milliseconds timeout = std::chrono::milliseconds(1000)) {
    timeval tv{};
    tv.tv_sec = timeout.count() / 1000;
    tv.tv_usec = (timeout.count() % 1000) * 1000;
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    char buf[4096];
    ssize_t n = recv(fd_, buf, sizeof(buf), 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
  }

  asio::io_context io_{1};
  fs::path dir_;
  std::string path_;
  int fd_ = -1;
};

TEST_F(SystemdNotifierTest, AutoNotifiesWhenSystemdGaveASocket) {
  SystemdNotifier notifier(&io_, "auto");
  EXPECT_TRUE(notifier.active());
  notifier.ready("Ready to accept connections");
  EXPECT_EQ(receive(), "READY=1\nSTATUS=Ready to accept connections");
  notifier.stopping("Received SIGTERM, shutting down");
  EXPECT_EQ(receive(), "STOPPING=1\nSTATUS=Received SIGTERM, shutting down");
  notifier.status("Error trying to save the DB, can't exit.");
  EXPECT_EQ(receive(), "STATUS=Error trying to save the DB, can't exit.");
}

TEST_F(SystemdNotifierTest, NoNeverNotifies) {
  SystemdNotifier notifier(&io_, "no");
  EXPECT_FALSE(notifier.active());
  notifier.ready("x");
  EXPECT_EQ(receive(std::chrono::milliseconds(50)), "");
}

TEST_F(SystemdNotifierTest, AutoAndSystemdStayQuietWithoutASocket) {
  unsetenv("NOTIFY_SOCKET");
  EXPECT_FALSE(SystemdNotifier(&io_, "auto").active());
  EXPECT_FALSE(SystemdNotifier(&io_, "systemd").active());
}

TEST_F(SystemdNotifierTest, LoadingStatusIsRateLimitedAndExtendsTheStartTimeout) {
  SystemdNotifier notifier(&io_, "systemd");
  PersistenceState p;
  p.loading_total_bytes = 2'000'000;
  p.loading_loaded_bytes = 500'000;
  p.loading_loaded_keys = 1234;
  notifier.loading(p);
  EXPECT_EQ(receive(),
            "STATUS=Loading the dataset: 25.0% of 2.0 MB, 1234 keys\nEXTEND_TIMEOUT_USEC=30000000");
  notifier.loading(p);  // right after the first: dropped
  EXPECT_EQ(receive(std::chrono::milliseconds(50)), "");
}

TEST_F(SystemdNotifierTest, WatchdogPingsFourTimesPerInterval) {
  setenv("WATCHDOG_USEC", "400000", 1);
  SystemdNotifier notifier(&io_, "auto");
  EXPECT_EQ(notifier.watchdog_interval(), std::chrono::microseconds(100000));
  notifier.start_watchdog();
  EXPECT_EQ(receive(), "WATCHDOG=1");  // at once
  for (int ping = 0; ping < 2; ++ping) {
    auto start = std::chrono::steady_clock::now();
    std::string message;
    // The loop runs the timer; the datagram arrives once it fired.
    while (message.empty() && std::chrono::steady_clock::now() - start < std::chrono::seconds(5)) {
      io_.run_one_for(std::chrono::milliseconds(10));
      message = receive(std::chrono::milliseconds(1));
    }
    EXPECT_EQ(message, "WATCHDOG=1");
    // Not early: a quarter of WATCHDOG_USEC (less what this loop spends noticing the last one).
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(50));
  }
}

TEST_F(SystemdNotifierTest, NoWatchdogWithoutWatchdogUsec) {
  SystemdNotifier notifier(&io_, "auto");
  EXPECT_EQ(notifier.watchdog_interval().count(), 0);
  notifier.start_watchdog();
  EXPECT_EQ(receive(std::chrono::milliseconds(50)), "");
}

}  // namespace
}  // namespace stashd
