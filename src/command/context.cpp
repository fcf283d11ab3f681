// Owns: the shared handler helpers (see context.h). Thread: the event loop.
#include "stashd/command/context.h"

#include "stashd/common/strings.h"

#include <cstdint>

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
  node.blocking().signal(db, key);
}

void CommandContext::block(const std::vector<std::string>& keys, int64_t timeout_ms,
                           bool timeout_null_array) {
  if (client.block_retry) {
    client.block_again = true;  // still registered: keep the place in line
    return;
  }
  client.blocked_request.assign(argv.begin(), argv.end());
  client.blocked_timeout_null_array = timeout_null_array;
  node.blocking().block(&client, client.db, keys);
  int64_t deadline = timeout_ms > 0 ? node.clock().now_ms() + timeout_ms : 0;
  client.blocked_deadline_ms = deadline;
  if (client.transport) client.transport->blocked(deadline);
}

std::optional<int64_t> CommandContext::timeout_arg(size_t i) {
  long double seconds;
  if (!parse_long_double(argv[i], &seconds) || seconds != seconds ||
      seconds > static_cast<long double>(INT64_MAX / 1000)) {
    out.error("ERR timeout is not a float or out of range");
    return std::nullopt;
  }
  if (seconds < 0) {
    out.error("ERR timeout is negative");
    return std::nullopt;
  }
  int64_t ms = static_cast<int64_t>(seconds * 1000);
  // A positive timeout under a millisecond still times out rather than meaning "forever".
  if (ms == 0 && seconds > 0) ms = 1;
  return ms;
}

void CommandContext::db_changed(int db) { node.watches().touch_db(db); }

}  // namespace stashd
