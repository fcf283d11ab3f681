// Owns: what the SCAN family (SCAN, HSCAN, SSCAN, ZSCAN) shares: reading a cursor as Redis does,
// the MATCH / COUNT (/ TYPE) options, and the visit budget. Must not touch: any value type.
// Thread: the event loop.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "stashd/command/context.h"
#include "stashd/common/strings.h"

namespace stashd::scan_args {

// Reads a cursor as Redis's strtoul does: an optional sign, decimal digits, nothing else; a
// negative cursor wraps around and "" reads as 0. A leading space, junk or overflow is invalid.
bool parse_cursor(std::string_view s, uint64_t* out);

struct Options {
  std::optional<std::string_view> pattern;  // none = everything ("" matches only "")
  int64_t count = 10;
  std::optional<std::string_view> type;     // SCAN only
  bool matches(std::string_view s) const { return !pattern || glob_match(*pattern, s); }
  // Redis bounds a call by COUNT elements visited and, over an empty stretch of table, by
  // COUNT*10 cursor steps.
  int64_t step_budget() const { return count > INT64_MAX / 10 ? count : count * 10; }
};

// Parses the options from argv[first] on; replies Redis's error and returns nullopt when invalid.
std::optional<Options> parse_options(CommandContext& ctx, size_t first, bool allow_type);

// The reply for a missing key: cursor 0 and no elements.
void reply_empty(CommandContext& ctx);

// Walks `value` (anything with scan(cursor, fn(pos))) from *cursor within the options' budget and
// returns the positions whose name (name_of(pos)) matches; *cursor becomes the next cursor.
template <class Value, class NameOf>
std::vector<size_t> collect(const Value& value, uint64_t* cursor, const Options& o,
                            NameOf&& name_of) {
  std::vector<size_t> found;
  int64_t visited = 0;
  int64_t steps = o.step_budget();
  do {
    *cursor = value.scan(*cursor, [&](size_t p) {
      ++visited;
      if (o.matches(name_of(p))) found.push_back(p);
    });
  } while (*cursor != 0 && steps-- > 0 && visited < o.count);
  return found;
}

}  // namespace stashd::scan_args
