// Owns: the shared handler helpers (see context.h). Thread: the event loop.
#include "stashd/command/context.h"

#include "stashd/common/strings.h"

namespace stashd {

std::optional<int64_t> CommandContext::int_arg(size_t i, std::string_view error) {
  int64_t v;
  if (parse_i64(argv[i], &v)) return v;
  out.error(error);
  return std::nullopt;
}

std::optional<long double> CommandContext::float_arg(size_t i) {
  long double v;
  if (parse_long_double(argv[i], &v)) return v;
  out.error(errors::kNotFloat);
  return std::nullopt;
}

bool CommandContext::arg_is(size_t i, std::string_view word) const {
  return i < argv.size() && iequals(argv[i], word);
}

void CommandContext::key_changed_in(int db, std::string_view key) {
  ++node.dirty;
  node.watches().touch(db, key);
}

void CommandContext::db_changed(int db) { node.watches().touch_db(db); }

}  // namespace stashd
