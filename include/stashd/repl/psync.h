// Owns: the replication history a node can vouch for (its replication id, the previous one it
// inherited at a promotion and up to where that one is valid) and the primary's PSYNC decision:
// continue a replica's stream from the backlog (+CONTINUE) or send it a full snapshot
// (+FULLRESYNC). Pure: no I/O. Thread: the event loop.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "stashd/repl/backlog.h"

namespace stashd::repl {

inline constexpr std::string_view kNoReplicationId = "0000000000000000000000000000000000000000";

// 40 random hex characters.
std::string random_replication_id();

struct ReplicationIds {
  std::string replid = random_replication_id();
  std::string replid2{kNoReplicationId};
  // The last offset + 1 up to which replid2's history is ours (INFO second_repl_offset); -1: none.
  int64_t second_offset = -1;

  // A promotion (REPLICAOF NO ONE, FAILOVER): the history so far stays valid under the old id up
  // to `offset`, so replicas of the old primary can continue; new writes get a new id.
  void shift(uint64_t offset);
  // History lost (backlog freed, or a new dataset): a new id and no previous one.
  void reset();
};

struct PsyncDecision {
  bool full = true;
  std::string reason;  // why not continued (logged)
};

// What a primary answers to "PSYNC <replid> <next>" (next = the replica's offset + 1, or -1 / "?"
// when it has no history): continue when `replid` is ours, or our previous one with `next` within
// its valid range, and the backlog still holds everything from `next` on.
PsyncDecision decide_psync(const ReplicationIds& ids, const Backlog* backlog,
                           std::string_view replid, int64_t next);

}  // namespace stashd::repl
