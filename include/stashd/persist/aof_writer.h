// Owns: AofWriter, the append side of one increment file: commands formatted as RESP into an
// in-memory buffer (SELECT when the database changes, MULTI/EXEC around atomic units), written
// with write() when the loop says so, a torn write cut back with ftruncate, and fsync by policy
// (always: in the caller's thread, once per loop pass; everysec: a background thread at most once
// a second; no: never). Nothing here knows the event loop: the loop calls write_pending(),
// sync_now() and tick(). Must not touch: logging (callers report from the status and counters),
// the keyspace, the command module.
// Thread: the event loop for every member; an fsync thread of its own, started on first need.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>

#include "stashd/common/clock.h"
#include "stashd/common/status.h"

namespace stashd::persist {

// appendfsync.
enum class FsyncPolicy { kAlways, kEverySec, kNo };
// "always", "everysec", "no" (case-insensitive); false for anything else.
bool parse_fsync_policy(std::string_view text, FsyncPolicy* out);
std::string_view fsync_policy_name(FsyncPolicy policy);

struct AofWriterOptions {
  FsyncPolicy fsync = FsyncPolicy::kEverySec;
  // Names the file in error messages (its path); switch_file gives the next file's.
  std::string name = "<aof>";
  // Times the everysec schedule and postponed writes. nullptr: a monotonic clock. Read on the
  // loop thread only.
  const Clock* clock = nullptr;
  // Makes one fd durable; returns 0 or -1 with errno set. Default: fdatasync, retried on EINTR.
  // Runs on the fsync thread (everysec) or the caller's thread (sync_now, close): thread-safe.
  std::function<int(int fd)> sync_fd;
};

struct AofWriterStats {
  uint64_t write_errors = 0;      // failed write attempts (each retry counts)
  uint64_t torn_truncations = 0;  // partial writes cut back to the last complete command
  uint64_t delayed_fsync = 0;  // writes done while an fsync was still running (aof_delayed_fsync)
  uint64_t fsyncs = 0;         // completed fsyncs of this writer's files, any thread
  uint64_t fsync_errors = 0;
};

class AofWriter {
 public:
  // everysec: a background fsync starts at most this often, when bytes were written since.
  static constexpr int64_t kFsyncIntervalMs = 1000;
  // everysec: while a background fsync runs, writes wait at most this long (write() on a file
  // being fsynced blocks the caller on Linux), then go out anyway and count as delayed.
  static constexpr int64_t kMaxPostponeMs = 2000;

  // Opens `path` for appending (O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, mode 0644). `fresh`
  // adds O_TRUNC: a new increment not yet listed in a manifest holds nothing acknowledged, so a
  // leftover of a crash between creating it and writing the manifest is discarded.
  static Status open_file(const std::string& path, bool fresh, int* fd);

  // Takes ownership of `fd` (opened by open_file); the file's current size is read with fstat.
  // Nothing is selected yet: the first command writes SELECT.
  AofWriter(int fd, AofWriterOptions options);
  // close() if it was not called (errors ignored), and joins the fsync thread.
  ~AofWriter();
  AofWriter(const AofWriter&) = delete;
  AofWriter& operator=(const AofWriter&) = delete;

  // Formats one command into the buffer, after SELECT `db` when the last command written to this
  // file was for another database. Nothing reaches the file before write_pending().
  void append(int db, std::span<const std::string_view> argv);
  void append(int db, std::span<const std::string> argv);
  // Brackets an atomic unit. write_pending() writes only whole units, so the file never ends
  // inside a MULTI because of a write done half way through appending one.
  void append_multi();
  void append_exec();

  // Writes every complete unit in the buffer (one write() loop; EINTR and partial writes
  // retried). On an error the bytes stay buffered and are retried on the next call; if part of
  // them reached the file it is truncated back to its size before the call, or, if ftruncate
  // fails too, the written part is kept and the rest is written after it next time. Either way
  // the file never keeps half a command once a write succeeds. Returns the write error
  // ("<name>: write: <strerror>"); last_write_ok() tells the state.
  // everysec: while a background fsync runs the write is postponed (returns ok, bytes stay
  // pending) for up to kMaxPostponeMs, then done anyway (stats().delayed_fsync + 1); `force`
  // writes at once (shutdown, switching files). Starts the everysec fsync when one is due.
  Status write_pending(bool force = false);
  // fsyncs the file in the calling thread if anything was written since the last successful
  // fsync. The group commit of appendfsync always: call once per loop pass, after
  // write_pending(), before sending the replies of that pass. Usable with any policy.
  Status sync_now();
  // Periodic work (call from the loop's timer, e.g. every 100 ms): retries a failed or postponed
  // write and starts the everysec fsync when one is due (even with nothing new to write).
  Status tick();
  // Continues in another file (a new increment): writes what is pending to the current file,
  // hands it to the fsync thread to be synced and closed (everysec), syncs and closes it here
  // (always) or just closes it (no), then appends to `fd` (ownership taken) with no database
  // selected. Fails, keeping the current file, if the pending bytes cannot be written, the old
  // file cannot be synced (always), or a MULTI is open.
  Status switch_file(int fd, std::string name);
  // Writes everything pending (forced), fsyncs (whatever the policy), waits for the fsync thread
  // and closes the fd. Returns the first error; an unfinished MULTI unit is not written (an
  // error says so). The writer writes nothing afterwards.
  Status close();

  // CONFIG SET appendfsync: continues the same file under `policy`. What is written but not
  // synced yet follows the new policy (always: the next sync_now(); everysec: the next tick).
  void set_policy(FsyncPolicy policy);

  uint64_t size() const { return size_; }                 // bytes in the current file
  uint64_t pending_bytes() const { return buf_.size(); }  // buffered, not yet written
  uint64_t synced_size() const { return synced_size_.load(std::memory_order_acquire); }
  bool fsync_in_progress() const { return jobs_pending_.load(std::memory_order_acquire) > 0; }
  bool write_postponed() const { return postponed_; }
  bool last_write_ok() const { return last_write_ok_; }
  const std::string& last_write_error() const { return last_write_error_; }
  bool last_fsync_ok() const;
  std::string last_fsync_error() const;
  AofWriterStats stats() const;
  FsyncPolicy policy() const { return options_.fsync; }
  int fd() const { return fd_; }
  const std::string& name() const { return options_.name; }

 private:
  struct Job {
    int fd;
    uint64_t generation;
    uint64_t size;  // bytes in the file when the job was queued
    bool close_after;
    std::string name;  // for the error message
  };

  int64_t now_ms() const;
  void select(int db);
  void consume(size_t n);
  void maybe_start_fsync(int64_t now_ms);
  void enqueue(const Job& job);
  void run_jobs();
  void finish_sync(int rc, int err, const Job& job);
  void stop_thread();

  int fd_ = -1;
  AofWriterOptions options_;
  std::string buf_;
  size_t complete_ = 0;  // bytes of buf_ that end a whole unit
  bool in_multi_ = false;
  int last_db_ = -1;
  uint64_t size_ = 0;
  bool last_write_ok_ = true;
  std::string last_write_error_;
  bool postponed_ = false;
  int64_t postponed_since_ms_ = 0;
  int64_t last_fsync_start_ms_ = 0;
  bool fsync_started_ = false;
  uint64_t generation_ = 0;    // bumped by switch_file; jobs of older files don't move synced_size_
  AofWriterStats loop_stats_;  // the loop-thread counters

  // Shared with the fsync thread.
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  bool stop_ = false;
  std::string last_fsync_error_;
  std::atomic<int> jobs_pending_{0};
  std::atomic<uint64_t> synced_size_{0};
  std::atomic<uint64_t> fsyncs_{0};
  std::atomic<uint64_t> fsync_errors_{0};
  std::atomic<uint64_t> current_generation_{0};
  std::thread thread_;
};

}  // namespace stashd::persist
