// Owns: encoding the replication stream (see stream_encoder.h). Thread: the event loop.
#include "stashd/repl/stream_encoder.h"

#include <charconv>

namespace stashd::repl {

namespace {

void append_header(std::string* out, char kind, size_t n) {
  char buf[24];
  buf[0] = kind;
  char* end = std::to_chars(buf + 1, buf + sizeof buf - 2, n).ptr;
  *end++ = '\r';
  *end++ = '\n';
  out->append(buf, static_cast<size_t>(end - buf));
}

template <typename Arg>
void append_any(std::string* out, std::span<const Arg> argv) {
  append_header(out, '*', argv.size());
  for (const Arg& a : argv) {
    append_header(out, '$', a.size());
    out->append(a.data(), a.size());
    out->append("\r\n", 2);
  }
}

}  // namespace

void append_command(std::string* out, std::span<const std::string_view> argv) {
  append_any(out, argv);
}

void append_command(std::string* out, std::span<const std::string> argv) { append_any(out, argv); }

void StreamEncoder::select(int db, std::string* out) {
  if (db == db_) return;
  char digits[16];
  const char* end = std::to_chars(digits, digits + sizeof digits, db).ptr;
  const std::string_view argv[] = {"SELECT", {digits, static_cast<size_t>(end - digits)}};
  append_command(out, argv);
  db_ = db;
}

void StreamEncoder::encode(const PropagatedUnit& unit, std::string* out) {
  static constexpr std::string_view kMulti[] = {"MULTI"};
  static constexpr std::string_view kExec[] = {"EXEC"};
  if (unit.atomic()) {
    // SELECT goes before MULTI so the transaction starts in the right database.
    select(unit[0].db, out);
    append_command(out, kMulti);
  }
  for (const PropagatedCommand& c : unit.commands()) {
    select(c.db, out);
    append_command(out, std::span<const std::string>(c.argv));
  }
  if (unit.atomic()) append_command(out, kExec);
}

}  // namespace stashd::repl
