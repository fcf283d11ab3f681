// Owns: what the two forked persistence children (BGSAVE's snapshot, BGREWRITEAOF's base) and
// their parent share: forking a child that closes every inherited descriptor, runs its work and
// reports its copy-on-write bytes through a pipe; reading that report; the snapshot options taken
// from the config. Must not touch: sockets, logging in the child. Thread: the event loop; the
// child runs alone until it exits.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>

#include "stashd/command/node_state.h"
#include "stashd/persist/snapshot.h"

namespace stashd {

int64_t wall_clock_ms();
persist::SnapshotOptions snapshot_options(NodeState& node);

struct PersistenceChild {
  pid_t pid = -1;
  int report_fd = -1;      // read end of the child's report pipe
  int64_t fork_usec = 0;   // how long fork() took
};

// Forks. The child closes every descriptor but its report pipe (and keep_fd) (the listening port, client
// sockets, the log file), runs work(), writes its Private_Dirty bytes (pages it copied or wrote)
// to the pipe and exits 0 if work() returned true, else 1. On failure returns the error text.
// keep_fd (if >= 0) also stays open in the child: where a diskless replication sync writes.
std::string fork_persistence_child(const std::function<bool()>& work, PersistenceChild* out,
                                   int keep_fd = -1);
// The copy-on-write bytes the child reported (0 if it died first); closes the pipe.
uint64_t read_child_report(PersistenceChild* child);

}  // namespace stashd
