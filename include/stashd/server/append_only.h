// Owns: the node's append-only file: loading it at start-up (base snapshot, then the increments
// replayed through the dispatcher), appending every propagated write (a propagation sink), making
// writes durable before their replies go out (appendfsync always: one fsync per loop pass), the
// everysec timer, BGREWRITEAOF and the automatic rewrite (a forked child writes a new base while
// the parent appends to a new increment; the manifest switches when the child succeeds), turning
// appendonly on and off at run time, and the aof_* INFO facts.
// Must not touch: sockets, command semantics. Thread: the event loop; the rewrite child runs alone.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "stashd/command/dispatcher.h"
#include "stashd/command/node_state.h"
#include "stashd/command/propagation.h"
#include "stashd/persist/aof_loader.h"
#include "stashd/persist/aof_manifest.h"
#include "stashd/persist/aof_writer.h"

namespace stashd {

class AppendOnly {
 public:
  AppendOnly(NodeState* node, Dispatcher* dispatcher);
  ~AppendOnly();
  AppendOnly(const AppendOnly&) = delete;
  AppendOnly& operator=(const AppendOnly&) = delete;

  enum class LoadOutcome { kNoManifest, kLoaded, kFailed };
  // Start-up with appendonly yes: replays the manifest's files into the (empty) keyspace.
  // `between_chunks` runs every MiB or so (the server serves -LOADING then).
  LoadOutcome load(const std::function<void()>& between_chunks);
  // Start-up, after loading: starts appending. Without a manifest (a first start, or appendonly
  // just switched on in the config) it first writes a base of the current data in this process.
  Status open_at_startup(bool manifest_loaded);

  // CONFIG SET appendonly yes / no.
  Status enable();
  void disable();
  bool enabled() const { return writer_ != nullptr; }

  // BGREWRITEAOF: "" when started; *scheduled when it waits for a background save to end.
  std::string start_rewrite(bool* scheduled);
  bool child_running() const { return child_ > 0; }
  void kill_child();

  // Before replies leave for sockets: writes what was appended; fsyncs it under appendfsync
  // always. A failed write or fsync under always cannot be acknowledged: the process exits.
  void before_replies();
  // Cron: the everysec timer, retries of failed writes, reaping the rewrite child, automatic
  // rewrites, a scheduled rewrite once the background save ended, INFO facts.
  void cron(int64_t now_ms);
  // Shutdown: writes and fsyncs everything, closes the file.
  void close();
  // Shutdown while the first base after `appendonly yes` is still being written: writes it here
  // (a restart would otherwise find no manifest and lose every write since).
  Status finish_initial_base();
  // CONFIG SET appendfsync: continues the same file under the new policy.
  void policy_changed();

 private:
  void append(const PropagatedUnit& unit);
  Status open_new_incr(bool fresh, persist::AofFile* incr, int* fd);
  void reap(int status);
  void refresh_info();
  // Appending goes on in a new increment that no manifest lists yet (while the first base of an
  // enable is pending); the previous unlisted one is removed.
  Status restart_unlisted_incr();
  uint64_t current_size() const;
  void add_sink();
  persist::AofLayout layout() const;
  persist::FsyncPolicy policy() const;

  NodeState* node_;
  Dispatcher* dispatcher_;
  std::unique_ptr<persist::AofWriter> writer_;
  persist::AofLayout layout_;       // where the open files are (fixed while appending)
  persist::AofManifest manifest_;
  bool manifest_written_ = false;   // false while the first base of an enable is being written
  Propagator::SinkId sink_ = 0;
  bool sink_added_ = false;
  Client loader_client_{0, 0};      // runs the increments' commands at start-up

  // The rewrite in progress.
  pid_t child_ = -1;
  int cow_pipe_ = -1;
  persist::AofFile rewrite_base_;
  persist::AofFile rewrite_incr_;   // the increment opened when the rewrite started
  int64_t rewrite_start_ms_ = 0;
  uint64_t other_files_bytes_ = 0;  // live files other than the one being appended to
  uint64_t base_size_ = 0;          // aof_base_size: the total right after the last rewrite
  int64_t last_rewrite_try_ms_ = 0;
};

}  // namespace stashd
