// Owns: the reopenable log file sink (see log_file_sink.h). Must not touch: anything but its own
// FILE. Thread: any, under the sink's mutex.
#include "stashd/server/log_file_sink.h"

#include <spdlog/common.h>

#include <cerrno>
#include <cstring>

namespace stashd {

namespace {

std::FILE* open_for_append(const std::string& path) {
  // "e": close-on-exec; forked persistence children inherit the descriptor but never log to it.
  return std::fopen(path.c_str(), "ae");
}

}  // namespace

LogFileSink::LogFileSink(std::string path) : path_(std::move(path)) {
  file_ = open_for_append(path_);
  if (file_ == nullptr) {
    throw spdlog::spdlog_ex("cannot open " + path_ + " for appending", errno);
  }
}

LogFileSink::~LogFileSink() {
  if (file_ != nullptr) std::fclose(file_);
}

Status LogFileSink::reopen() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::FILE* fresh = open_for_append(path_);
  if (fresh == nullptr) {
    return Status::error("cannot reopen " + path_ + ": " + std::strerror(errno));
  }
  std::fclose(file_);
  file_ = fresh;
  return Status::ok();
}

void LogFileSink::sink_it_(const spdlog::details::log_msg& msg) {
  spdlog::memory_buf_t line;
  formatter_->format(msg, line);
  std::fwrite(line.data(), 1, line.size(), file_);
}

void LogFileSink::flush_() { std::fflush(file_); }

}  // namespace stashd
