// Owns: forking persistence children and their reports (see persistence_child.h).
// Thread: the event loop; the child runs the lambda and exits.
#include "stashd/server/persistence_child.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <utility>

namespace stashd {

namespace {

uint64_t private_dirty_bytes() {
  std::FILE* f = std::fopen("/proc/self/smaps_rollup", "r");
  if (f == nullptr) return 0;
  char line[256];
  uint64_t kb = 0;
  while (std::fgets(line, sizeof(line), f) != nullptr) {
    unsigned long long v = 0;
    if (std::sscanf(line, "Private_Dirty: %llu kB", &v) == 1) kb = v;
  }
  std::fclose(f);
  return kb * 1024;
}

}  // namespace

int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

persist::SnapshotOptions snapshot_options(NodeState& node) {
  persist::SnapshotOptions o;
  o.compress = node.config().rdbcompression;
  o.checksum = node.config().rdbchecksum;
  o.now_ms = wall_clock_ms();
  o.used_memory = node.keyspace().used_memory();
  if (node.replication != nullptr) {
    // Where the data stands in the replication stream: a node restarted from this snapshot can
    // ask its primary to continue from here (PSYNC) instead of a full sync.
    std::string replid;
    uint64_t offset = 0;
    int stream_db = 0;
    node.replication->history(&replid, &offset, &stream_db);
    o.aux.emplace_back("repl-id", replid);
    o.aux.emplace_back("repl-offset", std::to_string(offset));
    o.aux.emplace_back("repl-stream-db", std::to_string(stream_db));
  }
  return o;
}

std::string fork_persistence_child(const std::function<bool()>& work, PersistenceChild* out,
                                   int keep_fd) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return std::strerror(errno);
  auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    // The parent's signal handlers write to a pipe this child is about to close.
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    std::signal(SIGHUP, SIG_IGN);  // a reload (log reopen) is for the parent, not a save's end
    // Everything from 3 up goes, but the report pipe and keep_fd.
    unsigned lo = static_cast<unsigned>(fds[1]);
    unsigned hi = keep_fd >= 0 ? static_cast<unsigned>(keep_fd) : lo;
    if (lo > hi) std::swap(lo, hi);
    if (lo > 3) close_range(3, lo - 1, 0);
    if (hi > lo + 1) close_range(lo + 1, hi - 1, 0);
    close_range(hi + 1, ~0U, 0);
    bool ok = false;
    try {
      ok = work();
    } catch (...) {
      _exit(1);  // never unwind into the parent's code
    }
    uint64_t cow = private_dirty_bytes();
    ssize_t ignored = write(fds[1], &cow, sizeof(cow));
    (void)ignored;
    _exit(ok ? 0 : 1);
  }
  int err = errno;
  close(fds[1]);
  if (pid < 0) {
    close(fds[0]);
    return std::string("fork: ") + std::strerror(err);
  }
  out->pid = pid;
  out->report_fd = fds[0];
  out->fork_usec = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::steady_clock::now() - start)
                       .count();
  return "";
}

uint64_t read_child_report(PersistenceChild* child) {
  uint64_t cow = 0;
  if (child->report_fd >= 0) {
    if (read(child->report_fd, &cow, sizeof(cow)) != static_cast<ssize_t>(sizeof(cow))) cow = 0;
    close(child->report_fd);
    child->report_fd = -1;
  }
  return cow;
}

}  // namespace stashd
