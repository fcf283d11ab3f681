// Owns: writing snapshots for the node: SAVE in the event loop, BGSAVE in a forked child (fork,
// copy-on-write accounting, reaping, the child's temp file on failure), the save points the cron
// checks, and the save SHUTDOWN does. Must not touch: sockets (the child closes every inherited
// descriptor before it writes), command parsing. Thread: the event loop; the child runs alone.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "stashd/command/node_state.h"
#include "stashd/command/persistence.h"

namespace stashd {

class BackgroundSave final : public SnapshotControl {
 public:
  explicit BackgroundSave(NodeState* node) : node_(node) {}
  ~BackgroundSave() override;

  // SnapshotControl
  std::string save_now() override;
  std::string start_background_save() override;
  std::string reload() override;
  std::string start_aof_rewrite(bool* scheduled) override;
  void set_append_only(class AppendOnly* aof) { aof_ = aof; }

  // Cron: reaps a finished child; starts a background save when a save point is due.
  void cron(int64_t now_ms);
  bool child_running() const { return child_ > 0; }
  // Stops a running child (shutdown) and removes its temp file.
  void kill_child();
  // Whether `save` has any save points (SIGTERM and SHUTDOWN then save).
  bool has_save_points() const;

 private:
  void reap(int status, int64_t now_ms);
  std::string temp_file_of(pid_t pid) const;

  NodeState* node_;
  class AppendOnly* aof_ = nullptr;
  pid_t child_ = -1;
  int cow_pipe_ = -1;  // read end: the child writes its copy-on-write byte count here
  uint64_t dirty_at_fork_ = 0;
};

}  // namespace stashd
