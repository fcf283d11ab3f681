// Owns: the log file (the `logfile` option) as a spdlog sink that can be reopened, so logrotate
// can move the file away and SIGHUP (systemctl reload) makes new lines land at the original path
// again. Must not touch: anything but its own FILE. Thread: any (spdlog takes the sink's mutex
// around every call; the event loop calls reopen()).
#pragma once

#include <spdlog/sinks/base_sink.h>

#include <cstdio>
#include <mutex>
#include <string>

#include "stashd/common/status.h"

namespace stashd {

class LogFileSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  // Opens `path` for appending (created when missing); throws spdlog::spdlog_ex when it cannot,
  // like spdlog's own file sinks.
  explicit LogFileSink(std::string path);
  ~LogFileSink() override;

  const std::string& path() const { return path_; }
  // Closes the file and opens `path` again: a new file when the old one was moved away. When the
  // path cannot be opened the old file stays in use and the error is returned.
  Status reopen();

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override;

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
};

}  // namespace stashd
