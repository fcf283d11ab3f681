// Owns: replication ids and the PSYNC decision (see psync.h). Thread: the event loop.
#include "stashd/repl/psync.h"

#include <fmt/format.h>

#include <random>

namespace stashd::repl {

std::string random_replication_id() {
  std::random_device rd;
  std::mt19937_64 rng((uint64_t{rd()} << 32) ^ rd());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(40, '0');
  for (char& c : s) c = kHex[rng() & 15];
  return s;
}

void ReplicationIds::shift(uint64_t offset) {
  replid2 = replid;
  second_offset = static_cast<int64_t>(offset) + 1;
  replid = random_replication_id();
}

void ReplicationIds::reset() {
  replid = random_replication_id();
  replid2 = std::string(kNoReplicationId);
  second_offset = -1;
}

PsyncDecision decide_psync(const ReplicationIds& ids, const Backlog* backlog,
                           std::string_view replid, int64_t next) {
  PsyncDecision d;
  if (replid == "?" || next < 0) {
    d.reason = "the replica has no replication history";
    return d;
  }
  if (replid != ids.replid) {
    if (replid != ids.replid2) {
      d.reason = fmt::format("replication id mismatch (replica asked for '{}', mine is '{}')",
                             replid, ids.replid);
      return d;
    }
    if (next > ids.second_offset) {
      d.reason = fmt::format("the replica asked for offset {} of the previous id, valid up to {}",
                             next, ids.second_offset);
      return d;
    }
  }
  if (backlog == nullptr) {
    d.reason = "no backlog";
    return d;
  }
  if (!backlog->covers(static_cast<uint64_t>(next))) {
    d.reason = fmt::format("offset {} is outside the backlog ({} to {})", next,
                           backlog->first_offset(), backlog->offset() + 1);
    return d;
  }
  d.full = false;
  return d;
}

}  // namespace stashd::repl
