// Owns: encoding the replication stream (see stream_encoder.h). Thread: the event loop.
#include "stashd/repl/stream_encoder.h"

#include "stashd/resp/command_encoder.h"

namespace stashd::repl {

void StreamEncoder::select(int db, std::string* out) {
  if (db == db_) return;
  resp::append_select(out, db);
  db_ = db;
}

void StreamEncoder::encode(const PropagatedUnit& unit, std::string* out) {
  static constexpr std::string_view kMulti[] = {"MULTI"};
  static constexpr std::string_view kExec[] = {"EXEC"};
  if (unit.atomic()) {
    // SELECT goes before MULTI so the transaction starts in the right database.
    select(unit[0].db, out);
    resp::append_command(out, kMulti);
  }
  for (const PropagatedCommand& c : unit.commands()) {
    select(c.db, out);
    resp::append_command(out, std::span<const std::string>(c.argv));
  }
  if (unit.atomic()) resp::append_command(out, kExec);
}

}  // namespace stashd::repl
