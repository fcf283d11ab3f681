// Owns: what the rest of the node may read about replication (role, offset, replicas and their lag,
// the link to the master) through one small interface, so INFO, /metrics and /readyz do not depend
// on the replication module's internals. Must not touch: sockets, the keyspace. Thread: the event
// loop.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace stashd {

struct ReplicaStatus {
  std::string address;  // "ip:port" the replica listens on
  int64_t offset = 0;   // replication offset it acknowledged
  int64_t lag_seconds = 0;
};

struct ReplicationStatus {
  bool is_replica = false;     // role: "slave" when true, "master" otherwise
  bool master_link_up = true;  // a replica's link to its master (a master has no link: true)
  int64_t offset = 0;          // master_repl_offset
  std::vector<ReplicaStatus> replicas;  // a master's connected replicas
};

// Implemented by the replication module and set on NodeState::replication_source; without one the
// node is a master with no replicas at offset 0.
class ReplicationStatusSource {
 public:
  virtual ~ReplicationStatusSource() = default;
  virtual ReplicationStatus replication_status() const = 0;
};

}  // namespace stashd
