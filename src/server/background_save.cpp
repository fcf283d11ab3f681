// Owns: SAVE, BGSAVE's fork and reaping, save points (see background_save.h).
// Thread: the event loop; the forked child writes the snapshot and exits.
#include "stashd/server/background_save.h"

#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "stashd/persist/snapshot.h"
#include "stashd/server/append_only.h"
#include "stashd/server/persistence_child.h"

namespace stashd {

namespace {
constexpr int64_t kRetryAfterErrorMs = 5000;  // a failed background save is retried after 5 s
}  // namespace

BackgroundSave::~BackgroundSave() { kill_child(); }

bool BackgroundSave::has_save_points() const {
  return !parse_save_points(node_->config().save).empty();
}

std::string BackgroundSave::temp_file_of(pid_t pid) const {
  return node_->config().dir + "/temp-" + std::to_string(pid) + ".rdb";
}

std::string BackgroundSave::save_now() {
  if (child_running()) return "ERR Background save already in progress";
  if (node_->persistence.loading) return "ERR The dataset is still loading";
  const Config& cfg = node_->config();
  auto start = std::chrono::steady_clock::now();
  persist::SnapshotResult result;
  Status status = persist::save_snapshot(node_->keyspace(), cfg.dir, cfg.dbfilename,
                                         snapshot_options(*node_), &result);
  PersistenceState& p = node_->persistence;
  if (!status) {
    spdlog::warn("SAVE failed: {}", status.message());
    return "ERR " + status.message();
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  spdlog::info("DB saved on disk: {} keys in {:.3f} s", result.keys, seconds);
  p.lastsave_s = wall_clock_ms() / 1000;
  p.dirty_at_last_save = node_->dirty;
  p.last_bgsave_ok = true;
  ++p.saves;
  return "";
}

std::string BackgroundSave::reload() {
  if (std::string failure = save_now(); !failure.empty()) return failure;
  const Config& cfg = node_->config();
  Keyspace& ks = node_->keyspace();
  for (int i = 0; i < ks.databases(); ++i) ks.db(i).clear();
  persist::LoadOptions options;
  options.verify_checksum = cfg.rdbchecksum;
  persist::SnapshotLoader loader(ks, cfg, options);
  Status status = loader.load_file(cfg.dir + "/" + cfg.dbfilename);
  if (!status) {
    spdlog::warn("DEBUG RELOAD could not load the file it saved: {}", status.message());
    return "ERR Error trying to load the RDB dump, check server logs.";
  }
  return "";
}

std::string BackgroundSave::start_aof_rewrite(bool* scheduled) {
  *scheduled = false;
  if (aof_ == nullptr) return "ERR The append-only file is not available in this process";
  return aof_->start_rewrite(scheduled);
}

std::string BackgroundSave::start_background_save() {
  if (child_running()) return "ERR Background save already in progress";
  if (node_->persistence.loading) return "ERR The dataset is still loading";
  if (node_->persistence.aof_rewrite_in_progress) {
    return "ERR An AOF log rewriting in progress: can't BGSAVE right now. Use BGSAVE SCHEDULE in "
           "order to schedule a BGSAVE whenever possible.";
  }
  PersistenceState& p = node_->persistence;
  int64_t now = wall_clock_ms();
  p.last_bgsave_try_ms = now;
  const Config& cfg = node_->config();
  persist::SnapshotOptions options = snapshot_options(*node_);
  PersistenceChild child;
  std::string failure = fork_persistence_child(
      [&] {
        // The child logs nothing through the parent's sinks; a failure goes to stderr.
        Status status = persist::save_snapshot(node_->keyspace(), cfg.dir, cfg.dbfilename, options);
        if (!status) {
          std::string line = "stashd: background save failed: " + status.message() + "\n";
          ssize_t ignored = write(STDERR_FILENO, line.data(), line.size());
          (void)ignored;
        }
        return static_cast<bool>(status);
      },
      &child);
  if (!failure.empty()) {
    p.last_bgsave_ok = false;
    spdlog::warn("Can't save in background: {}", failure);
    return "ERR Background save failed to start: " + failure;
  }
  p.latest_fork_usec = child.fork_usec;
  ++p.forks;
  child_ = child.pid;
  cow_pipe_ = child.report_fd;
  dirty_at_fork_ = node_->dirty;
  p.bgsave_in_progress = true;
  p.bgsave_start_ms = now;
  node_->keyspace().set_resize_allowed(false);
  spdlog::info("Background saving started by pid {} (fork took {} us)", child_,
               p.latest_fork_usec);
  return "";
}

void BackgroundSave::reap(int status, int64_t now_ms) {
  PersistenceState& p = node_->persistence;
  PersistenceChild report{child_, cow_pipe_, 0};
  uint64_t cow = read_child_report(&report);
  cow_pipe_ = -1;
  p.bgsave_in_progress = false;
  p.last_bgsave_time_sec = (now_ms - p.bgsave_start_ms + 500) / 1000;
  node_->keyspace().set_resize_allowed(true);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    p.last_bgsave_ok = true;
    p.lastsave_s = now_ms / 1000;
    p.dirty_at_last_save = dirty_at_fork_;
    p.last_cow_bytes = cow;
    ++p.saves;
    spdlog::info("Background saving terminated with success ({} MB copied on write)",
                 cow >> 20);
  } else {
    p.last_bgsave_ok = false;
    // A child killed mid-write leaves its temp file; the child that failed removed its own.
    std::remove(temp_file_of(child_).c_str());
    if (WIFSIGNALED(status)) {
      spdlog::warn("Background saving terminated by signal {}", WTERMSIG(status));
    } else {
      spdlog::warn("Background saving error (exit code {})", WEXITSTATUS(status));
    }
  }
  child_ = -1;
}

void BackgroundSave::cron(int64_t now_ms) {
  if (child_running()) {
    int status = 0;
    pid_t done = waitpid(child_, &status, WNOHANG);
    if (done == child_) reap(status, now_ms);
    return;
  }
  if (node_->persistence.loading) return;
  PersistenceState& p = node_->persistence;
  if (p.aof_rewrite_in_progress) return;  // one child at a time; save points wait for it
  if (p.bgsave_scheduled) {
    p.bgsave_scheduled = false;
    start_background_save();
    return;
  }
  uint64_t changes = node_->dirty - p.dirty_at_last_save;
  for (const SavePoint& point : parse_save_points(node_->config().save)) {
    bool due = changes >= static_cast<uint64_t>(point.changes) &&
               now_ms - p.lastsave_s * 1000 >= point.seconds * 1000;
    bool may_retry = p.last_bgsave_ok || now_ms - p.last_bgsave_try_ms >= kRetryAfterErrorMs;
    if (due && may_retry) {
      spdlog::info("{} changes in {} seconds. Saving...", point.changes, point.seconds);
      start_background_save();
      return;
    }
  }
}

void BackgroundSave::kill_child() {
  if (!child_running()) return;
  kill(child_, SIGKILL);
  int status = 0;
  waitpid(child_, &status, 0);
  std::remove(temp_file_of(child_).c_str());
  if (cow_pipe_ >= 0) close(cow_pipe_);
  cow_pipe_ = -1;
  child_ = -1;
  node_->persistence.bgsave_in_progress = false;
  node_->keyspace().set_resize_allowed(true);
}

}  // namespace stashd
