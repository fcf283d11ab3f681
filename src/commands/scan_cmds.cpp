// Owns: the key family's iteration commands: KEYS and SCAN (MATCH, COUNT, TYPE). Registered from
// register_key_commands. Must not touch: the dictionary's cursor arithmetic (Db::scan owns the
// reverse-binary guarantee), sockets. Thread: the event loop.
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "commands/key_cmds.h"
#include "commands/scan_args.h"
#include "stashd/command/context.h"
#include "stashd/common/strings.h"

namespace stashd {

namespace {

// Which keys a KEYS or SCAN call reports: not expired, matching the glob (if any) and of the type
// (if any). Type names compare ignoring case; an unknown one matches nothing.
struct KeyFilter {
  const Db* db;
  std::optional<std::string_view> pattern;  // none = every key ("" matches only the empty key)
  std::string_view type;     // empty = every type

  bool accepts(EntryIndex e) const {
    if (db->is_expired(e)) return false;
    entry::View v = db->view(e);
    if (!type.empty() && !iequals(type, type_name(v.type()))) return false;
    return !pattern || glob_match(*pattern, v.key());
  }
};

// "*" matches every key without running the matcher.
std::optional<std::string_view> effective_pattern(std::string_view pattern) {
  if (pattern == "*") return std::nullopt;
  return pattern;
}

void write_keys(CommandContext& ctx, const std::vector<std::string_view>& keys) {
  ctx.out.array(static_cast<int64_t>(keys.size()));
  for (std::string_view k : keys) ctx.out.bulk(k);
}

void keys(CommandContext& ctx) {
  const Db& db = ctx.db();
  KeyFilter filter{&db, effective_pattern(ctx.arg(1)), {}};
  // The table cannot change between these scan calls, so every key is visited exactly once.
  std::vector<std::string_view> found;
  uint64_t cursor = 0;
  do {
    cursor = db.scan(cursor, [&](EntryIndex e) {
      if (filter.accepts(e)) found.push_back(db.view(e).key());
    });
  } while (cursor != 0);
  write_keys(ctx, found);
}

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
void scan(CommandContext& ctx) {
  uint64_t cursor;
  if (!scan_args::parse_cursor(ctx.arg(1), &cursor)) {
    ctx.error("ERR invalid cursor");
    return;
  }
  auto options = scan_args::parse_options(ctx, 2, /*allow_type=*/true);
  if (!options) return;
  Db& db = ctx.db();
  KeyFilter filter{&db, options->pattern, options->type.value_or(std::string_view{})};

  // As in Redis, COUNT bounds the keys *visited* (before filtering), and an empty stretch of the
  // table costs at most COUNT*10 extra buckets before the call returns with what it has.
  std::vector<std::string_view> found;
  std::vector<std::string> expired;
  int64_t visited = 0;
  int64_t extra_buckets = options->step_budget();
  do {
    cursor = db.scan(cursor, [&](EntryIndex e) {
      ++visited;
      if (filter.accepts(e)) {
        found.push_back(db.view(e).key());
      } else if (db.is_expired(e)) {
        expired.emplace_back(db.view(e).key());
      }
    });
  } while (cursor != 0 && extra_buckets-- > 0 && visited < options->count);

  char buf[24];
  char* end = std::to_chars(buf, buf + sizeof(buf), cursor).ptr;
  ctx.out.array(2);
  ctx.out.bulk(std::string_view(buf, static_cast<size_t>(end - buf)));
  write_keys(ctx, found);
  // Expired keys seen on the way are removed now, as a lookup would; only after the reply, since
  // removing entries invalidates the key views it was written from.
  for (const std::string& key : expired) db.lookup_peek(key);
}

}  // namespace

void register_scan_commands(CommandTable& table) {
  table.add({"keys", 2, kCmdReadonly, 0, 0, 0, kAclKeyspace | kAclRead | kAclDangerous, keys,
             "generic", "1.0.0", "Returns all key names that match a pattern.",
             "O(N) with N being the number of keys in the database, under the assumption that the "
             "key names in the database and the given pattern have limited length."});
  table.add({"scan", -2, kCmdReadonly, 0, 0, 0, kAclKeyspace | kAclRead, scan, "generic", "2.8.0",
             "Iterates over the key names in the database.",
             "O(1) for every call. O(N) for a complete iteration, including enough command calls "
             "for the cursor to return back to 0. N is the number of elements inside the "
             "collection."});
}

}  // namespace stashd
