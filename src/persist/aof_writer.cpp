// Owns: AofWriter (see aof_writer.h): commands into the append buffer (SELECT and MULTI/EXEC
// framing; resp::append_command encodes them), writes with torn-write repair, the fsync policies
// and the fsync thread. Thread: the event loop, plus the writer's own fsync thread, which touches
// only the job queue, the fsync counters and status, and the fds it was handed.
#include "stashd/persist/aof_writer.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "persist/file_io.h"
#include "stashd/keyspace/allocator.h"
#include "stashd/resp/command_encoder.h"
#include "stashd/common/strings.h"

namespace stashd::persist {

namespace {

// An emptied buffer above this is given back (one burst should not pin its memory).
constexpr size_t kKeepCapacity = size_t{8} << 20;

class MonotonicClock final : public Clock {
 public:
  int64_t now_us() const override {
    using namespace std::chrono;
    return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
  }
};

const MonotonicClock kMonotonic;

int fdatasync_retry(int fd) {
  int rc;
  do {
    rc = ::fdatasync(fd);
  } while (rc != 0 && errno == EINTR);
  return rc;
}

}  // namespace

bool parse_fsync_policy(std::string_view text, FsyncPolicy* out) {
  if (iequals(text, "always")) {
    *out = FsyncPolicy::kAlways;
  } else if (iequals(text, "everysec")) {
    *out = FsyncPolicy::kEverySec;
  } else if (iequals(text, "no")) {
    *out = FsyncPolicy::kNo;
  } else {
    return false;
  }
  return true;
}

std::string_view fsync_policy_name(FsyncPolicy policy) {
  switch (policy) {
    case FsyncPolicy::kAlways:
      return "always";
    case FsyncPolicy::kEverySec:
      return "everysec";
    case FsyncPolicy::kNo:
      break;
  }
  return "no";
}

Status AofWriter::open_file(const std::string& path, bool fresh, int* fd) {
  const int flags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | (fresh ? O_TRUNC : 0);
  *fd = ::open(path.c_str(), flags, 0644);
  return *fd >= 0 ? Status::ok() : errno_status(path, "open", errno);
}

AofWriter::AofWriter(int fd, AofWriterOptions options) : fd_(fd), options_(std::move(options)) {
  if (!options_.sync_fd) options_.sync_fd = fdatasync_retry;
  struct stat st {};
  if (::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode)) size_ = static_cast<uint64_t>(st.st_size);
}

AofWriter::~AofWriter() {
  if (fd_ >= 0) close();
  stop_thread();
}

int64_t AofWriter::now_ms() const {
  return (options_.clock != nullptr ? options_.clock : &kMonotonic)->now_ms();
}

// ---- formatting --------------------------------------------------------------------------------

void AofWriter::select(int db) {
  if (db == last_db_) return;
  resp::append_select(&buf_, db);
  last_db_ = db;
}

void AofWriter::append(int db, std::span<const std::string_view> argv) {
  select(db);
  resp::append_command(&buf_, argv);
  if (!in_multi_) complete_ = buf_.size();
}

void AofWriter::append(int db, std::span<const std::string> argv) {
  select(db);
  resp::append_command(&buf_, argv);
  if (!in_multi_) complete_ = buf_.size();
}

void AofWriter::append_multi() {
  static constexpr std::string_view kMulti[] = {"MULTI"};
  resp::append_command(&buf_, kMulti);
  in_multi_ = true;
}

void AofWriter::append_exec() {
  static constexpr std::string_view kExec[] = {"EXEC"};
  resp::append_command(&buf_, kExec);
  in_multi_ = false;
  complete_ = buf_.size();
}

// ---- writing -----------------------------------------------------------------------------------

void AofWriter::consume(size_t n) {
  if (n == buf_.size()) {
    buf_.clear();
    if (buf_.capacity() > kKeepCapacity) std::string().swap(buf_);
  } else {
    buf_.erase(0, n);
  }
  complete_ -= n;
}

Status AofWriter::write_pending(bool force) {
  if (fd_ < 0) return Status::error(fmt::format("{}: write: the file is closed", options_.name));
  const int64_t now = now_ms();
  if (complete_ == 0) {
    maybe_start_fsync(now);
    return Status::ok();
  }
  if (!force && options_.fsync == FsyncPolicy::kEverySec && fsync_in_progress()) {
    if (!postponed_) {
      postponed_ = true;
      postponed_since_ms_ = now;
      return Status::ok();
    }
    if (now - postponed_since_ms_ < kMaxPostponeMs) return Status::ok();
    ++loop_stats_.delayed_fsync;
  }
  postponed_ = false;

  size_t written = 0;
  if (write_fully(fd_, buf_.data(), complete_, &written) == 0) {
    consume(complete_);
    size_ += written;
    last_write_ok_ = true;
    last_write_error_.clear();
    maybe_start_fsync(now);
    return Status::ok();
  }
  const int err = errno;
  ++loop_stats_.write_errors;
  if (written > 0) {
    // Part of a command may be in the file. Cut it back so that a crash now leaves only whole
    // commands; if that fails, keep what is there and continue it on the next write instead.
    if (::ftruncate(fd_, static_cast<off_t>(size_)) == 0) {
      ++loop_stats_.torn_truncations;
    } else {
      consume(written);
      size_ += written;
    }
  }
  last_write_ok_ = false;
  last_write_error_ = fmt::format("{}: write: {}", options_.name, std::strerror(err));
  return Status::error(last_write_error_);
}

Status AofWriter::tick() {
  Status s = complete_ > 0 ? write_pending() : Status::ok();
  maybe_start_fsync(now_ms());
  return s;
}

// ---- fsync -------------------------------------------------------------------------------------

Status AofWriter::sync_now() {
  if (fd_ < 0 || synced_size() >= size_) return Status::ok();
  const uint64_t size = size_;
  const int rc = options_.sync_fd(fd_);
  finish_sync(rc, errno, {fd_, generation_, size, false, options_.name});
  if (rc == 0) return Status::ok();
  return Status::error(last_fsync_error());
}

void AofWriter::maybe_start_fsync(int64_t now) {
  if (options_.fsync != FsyncPolicy::kEverySec || fd_ < 0) return;
  if (synced_size() >= size_ || fsync_in_progress()) return;
  if (fsync_started_ && now - last_fsync_start_ms_ < kFsyncIntervalMs) return;
  fsync_started_ = true;
  last_fsync_start_ms_ = now;
  enqueue({fd_, generation_, size_, false, options_.name});
}

void AofWriter::enqueue(const Job& job) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!thread_.joinable()) thread_ = std::thread([this] { run_jobs(); });
  jobs_pending_.fetch_add(1, std::memory_order_acq_rel);
  jobs_.push_back(job);
  cv_.notify_one();
}

void AofWriter::run_jobs() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stopping, and everything queued is done
    {
      const Job job = jobs_.front();
      jobs_.pop_front();
      lock.unlock();
      const int rc = options_.sync_fd(job.fd);
      const int err = errno;
      if (job.close_after) ::close(job.fd);
      finish_sync(rc, err, job);
      jobs_pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
    // Memory the loop allocated (the job, its name) was freed here: keep used_memory exact.
    allocator::publish_thread_delta();
    lock.lock();
  }
}

void AofWriter::finish_sync(int rc, int err, const Job& job) {
  std::lock_guard<std::mutex> lock(mu_);
  if (rc != 0) {
    fsync_errors_.fetch_add(1, std::memory_order_relaxed);
    last_fsync_error_ = fmt::format("{}: fsync: {}", job.name, std::strerror(err));
    return;
  }
  fsyncs_.fetch_add(1, std::memory_order_relaxed);
  last_fsync_error_.clear();
  // A job for a file already switched away from says nothing about the current one.
  if (job.generation == current_generation_.load(std::memory_order_relaxed) &&
      job.size > synced_size()) {
    synced_size_.store(job.size, std::memory_order_release);
  }
}

bool AofWriter::last_fsync_ok() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_fsync_error_.empty();
}

std::string AofWriter::last_fsync_error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_fsync_error_;
}

AofWriterStats AofWriter::stats() const {
  AofWriterStats s = loop_stats_;
  s.fsyncs = fsyncs_.load(std::memory_order_relaxed);
  s.fsync_errors = fsync_errors_.load(std::memory_order_relaxed);
  return s;
}

void AofWriter::stop_thread() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    cv_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> lock(mu_);
  stop_ = false;
}

void AofWriter::set_policy(FsyncPolicy policy) {
  options_.fsync = policy;
  postponed_ = false;  // only everysec postpones; a new postponement starts its own 2 s
}

// ---- switching and closing ---------------------------------------------------------------------

Status AofWriter::switch_file(int fd, std::string name) {
  if (in_multi_) {
    return Status::error(fmt::format("{}: cannot switch files inside MULTI", options_.name));
  }
  Status s = write_pending(true);
  if (!s) return s;
  switch (options_.fsync) {
    case FsyncPolicy::kAlways:
      s = sync_now();
      if (!s) return s;
      ::close(fd_);
      break;
    case FsyncPolicy::kEverySec:
      enqueue({fd_, generation_, size_, true, options_.name});
      break;
    case FsyncPolicy::kNo:
      ::close(fd_);
      break;
  }
  fd_ = fd;
  options_.name = std::move(name);
  struct stat st {};
  size_ = ::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode) ? static_cast<uint64_t>(st.st_size) : 0;
  last_db_ = -1;
  fsync_started_ = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    current_generation_.store(++generation_, std::memory_order_relaxed);
    synced_size_.store(0, std::memory_order_release);
  }
  return Status::ok();
}

Status AofWriter::close() {
  if (fd_ < 0) return Status::ok();
  Status s = write_pending(true);
  if (s && in_multi_) {
    // Never close a unit that was not finished: its commands were not acknowledged.
    s = Status::error(fmt::format("{}: closed inside MULTI; {} bytes of an unfinished unit dropped",
                                  options_.name, buf_.size() - complete_));
  }
  const int rc = options_.sync_fd(fd_);
  finish_sync(rc, errno, {fd_, generation_, size_, false, options_.name});
  if (rc != 0 && s) s = Status::error(last_fsync_error());
  stop_thread();
  if (::close(fd_) != 0 && s) s = errno_status(options_.name, "close", errno);
  fd_ = -1;
  return s;
}

}  // namespace stashd::persist
