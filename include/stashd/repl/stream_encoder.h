// Owns: turning propagated units into the replication stream's bytes: RESP multibulk commands,
// SELECT when the database changes, MULTI/EXEC around atomic units. Must not touch: sockets, the
// backlog. Thread: the event loop.
#pragma once

#include <string>

#include "stashd/command/propagation.h"

namespace stashd::repl {

class StreamEncoder {
 public:
  // Appends the unit's commands to *out.
  void encode(const PropagatedUnit& unit, std::string* out);
  // The next command selects its database again (after a full sync starts a fresh stream).
  void forget_db() { db_ = -1; }

 private:
  void select(int db, std::string* out);
  int db_ = -1;
};

}  // namespace stashd::repl
