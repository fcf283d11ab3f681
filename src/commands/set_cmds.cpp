// Owns: the set family: SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP SRANDMEMBER SMOVE SINTER
// SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE SSCAN, and their rows.
// Must not touch: the SetValue encodings beyond its API, other families, sockets.
// Thread: the event loop.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "commands/scan_args.h"
#include "stashd/command/context.h"
#include "stashd/commands/registry.h"
#include "stashd/common/strings.h"
#include "stashd/types/set.h"

namespace stashd {

namespace {

constexpr std::string_view kCountOutOfRange =
    "ERR value is out of range, must be between -9223372036854775807 and 9223372036854775807";
constexpr SetLimits kTableOnly{0, 0, 0};

enum class Access { kRead, kWrite };

size_t limit_of(int64_t v) { return v < 0 ? 0 : static_cast<size_t>(v); }

// Read at every write, so CONFIG SET applies to the next write.
SetLimits limits_of(CommandContext& ctx) {
  const Config& c = ctx.node.config();
  return {limit_of(c.set_max_intset_entries), limit_of(c.set_max_listpack_entries),
          limit_of(c.set_max_listpack_value)};
}

// The set at `key`, or nullptr when missing or (*wrong_type set) of another type.
SetValue* lookup_set(CommandContext& ctx, std::string_view key, Access access, bool* wrong_type) {
  Db& db = ctx.db();
  EntryIndex e = access == Access::kRead ? db.lookup_read(key) : db.lookup_write(key);
  *wrong_type = false;
  if (e == kNoEntry) return nullptr;
  entry::View v = db.view(e);
  *wrong_type = v.type() != ValueType::kSet;
  return *wrong_type ? nullptr : static_cast<SetValue*>(v.object());
}

// Looks `key` up as a set. Returns false after replying WRONGTYPE; *set is nullptr if missing.
bool find_set(CommandContext& ctx, std::string_view key, Access access, SetValue** set) {
  bool wrong_type;
  *set = lookup_set(ctx, key, access, &wrong_type);
  if (wrong_type) ctx.error(errors::kWrongType);
  return !wrong_type;
}

// Stores `set` under `key` (replacing whatever was there); nullptr after replying OOM.
SetValue* store_set(CommandContext& ctx, std::string_view key, std::unique_ptr<SetValue> set) {
  EntryIndex e = ctx.db().set_object(key, ValueType::kSet, std::move(set));
  if (e == kNoEntry) {
    ctx.error(errors::kOutOfMemory);
    return nullptr;
  }
  return static_cast<SetValue*>(ctx.db().view(e).object());
}

auto rng_of(CommandContext& ctx) {
  return [&ctx] { return ctx.keyspace().random(); };
}

void reply_members(CommandContext& ctx, const SetValue& set) {
  ctx.out.set(static_cast<int64_t>(set.size()));
  char buf[24];
  for (size_t p = set.first(); p != SetValue::kEnd; p = set.next(p)) {
    ctx.out.bulk(set.member_at(p, buf));
  }
}

void sadd(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  SetValue* set;
  if (!find_set(ctx, key, Access::kWrite, &set)) return;
  SetLimits limits = limits_of(ctx);
  if (set == nullptr) {
    set = store_set(ctx, key, std::make_unique<SetValue>(ctx.arg(2), ctx.argc() - 2, limits));
    if (set == nullptr) return;
  }
  int64_t added = 0;
  for (size_t i = 2; i < ctx.argc(); ++i) added += set->add(ctx.arg(i), limits);
  if (added > 0) ctx.key_changed(key);
  ctx.out.integer(added);
}

void srem(CommandContext& ctx) {
  SetValue* set;
  if (!find_set(ctx, ctx.arg(1), Access::kWrite, &set)) return;
  int64_t removed = 0;
  for (size_t i = 2; set != nullptr && i < ctx.argc(); ++i) removed += set->erase(ctx.arg(i));
  if (removed > 0) {
    if (set->size() == 0) ctx.db().erase(ctx.arg(1));
    ctx.key_changed(ctx.arg(1));
  }
  ctx.out.integer(removed);
}

void smembers(CommandContext& ctx) {
  SetValue* set;
  if (!find_set(ctx, ctx.arg(1), Access::kRead, &set)) return;
  if (set == nullptr) {
    ctx.out.set(0);
  } else {
    reply_members(ctx, *set);
  }
}

void sismember(CommandContext& ctx) {
  SetValue* set;
  if (!find_set(ctx, ctx.arg(1), Access::kRead, &set)) return;
  ctx.out.integer(set != nullptr && set->contains(ctx.arg(2)) ? 1 : 0);
}

void smismember(CommandContext& ctx) {
  SetValue* set;
  if (!find_set(ctx, ctx.arg(1), Access::kRead, &set)) return;
  ctx.out.array(static_cast<int64_t>(ctx.argc() - 2));
  for (size_t i = 2; i < ctx.argc(); ++i) {
    ctx.out.integer(set != nullptr && set->contains(ctx.arg(i)) ? 1 : 0);
  }
}

void scard(CommandContext& ctx) {
  SetValue* set;
  if (!find_set(ctx, ctx.arg(1), Access::kRead, &set)) return;
  ctx.out.integer(set != nullptr ? static_cast<int64_t>(set->size()) : 0);
}

// SPOP key [count]
void spop(CommandContext& ctx) {
  if (ctx.argc() > 3) {
    ctx.error(errors::kSyntax);
    return;
  }
  uint64_t count = 1;
  if (ctx.argc() == 3) {
    auto n = ctx.int_arg(2);
    if (!n) return;
    if (*n < 0) {
      ctx.error("ERR value is out of range, must be positive");
      return;
    }
    count = static_cast<uint64_t>(*n);
  }
  std::string_view key = ctx.arg(1);
  SetValue* set;
  if (!find_set(ctx, key, Access::kWrite, &set)) return;
  if (ctx.argc() == 2) {
    if (set == nullptr) {
      ctx.out.null();
      return;
    }
    std::string popped;
    set->pop_random(1, rng_of(ctx), [&](std::string_view m) { popped.assign(m); });
    // The pick is random: replicas remove what was picked here.
    if (set->size() == 0) {
      ctx.db().erase(key);
      ctx.propagate_as({"DEL", key});
    } else {
      ctx.propagate_as({"SREM", key, popped});
    }
    ctx.key_changed(key);
    ctx.out.bulk(popped);
    return;
  }
  if (set == nullptr || count == 0) {
    ctx.out.set(0);
    return;
  }
  if (count >= set->size()) {
    reply_members(ctx, *set);
    ctx.db().erase(key);
    ctx.propagate_as({"DEL", key});
  } else {
    ctx.out.set(static_cast<int64_t>(count));
    ArgvBuilder removed = ctx.propagate_as({"SREM", key});
    set->pop_random(count, rng_of(ctx), [&](std::string_view m) {
      ctx.out.bulk(m);
      removed.add(m);
    });
  }
  ctx.key_changed(key);
}

// SRANDMEMBER with a count. Every pick goes straight into the reply, so a huge negative count costs
// no memory beyond the reply itself; distinct picks keep at most `count` (< size) positions.
void reply_random_members(CommandContext& ctx, const SetValue& set, int64_t count_arg) {
  bool distinct = count_arg >= 0;
  uint64_t count =
      distinct ? static_cast<uint64_t>(count_arg) : 0 - static_cast<uint64_t>(count_arg);
  uint64_t size = set.size();
  if (distinct && count > size) count = size;
  ctx.out.array(static_cast<int64_t>(count));
  char buf[24];
  auto rng = rng_of(ctx);
  if (!distinct || count == 1) {
    SetValue::Picker picker(set);
    for (uint64_t i = 0; i < count; ++i) ctx.out.bulk(set.member_at(picker.pick(rng), buf));
  } else if (count * 3 > size || set.kind() != SetValue::Kind::kTable) {
    // Selection sampling: one pass, each member kept with probability needed / remaining.
    uint64_t remaining = size;
    for (size_t p = set.first(); p != SetValue::kEnd && count > 0; p = set.next(p), --remaining) {
      if (rng() % remaining >= count) continue;
      ctx.out.bulk(set.member_at(p, buf));
      --count;
    }
  } else {
    // Few picks from a big table: draw until enough distinct slots came up.
    SetValue::Picker picker(set);
    std::unordered_set<size_t> seen;
    seen.reserve(count);
    while (seen.size() < count) {
      size_t p = picker.pick(rng);
      if (seen.insert(p).second) ctx.out.bulk(set.member_at(p, buf));
    }
  }
}

// SRANDMEMBER key [count]
void srandmember(CommandContext& ctx) {
  if (ctx.argc() > 3) {
    ctx.error(errors::kSyntax);
    return;
  }
  if (ctx.argc() == 3) {
    auto count = ctx.int_arg(2);
    if (!count) return;
    if (*count == std::numeric_limits<int64_t>::min()) {
      ctx.error(kCountOutOfRange);
      return;
    }
    SetValue* set;
    if (!find_set(ctx, ctx.arg(1), Access::kRead, &set)) return;
    if (set == nullptr || *count == 0) {
      ctx.out.array(0);
      return;
    }
    reply_random_members(ctx, *set, *count);
    return;
  }
  SetValue* set;
  if (!find_set(ctx, ctx.arg(1), Access::kRead, &set)) return;
  if (set == nullptr) {
    ctx.out.null();
    return;
  }
  char buf[24];
  ctx.out.bulk(set->member_at(SetValue::Picker(*set).pick(rng_of(ctx)), buf));
}

// SMOVE source destination member
void smove(CommandContext& ctx) {
  std::string_view src_key = ctx.arg(1);
  std::string_view dst_key = ctx.arg(2);
  std::string_view member = ctx.arg(3);
  // As in Redis, a missing source answers 0 before the destination's type is looked at.
  bool src_wrong;
  bool dst_wrong;
  SetValue* src = lookup_set(ctx, src_key, Access::kWrite, &src_wrong);
  SetValue* dst = lookup_set(ctx, dst_key, Access::kWrite, &dst_wrong);
  if (src == nullptr && !src_wrong) {
    ctx.out.integer(0);
    return;
  }
  if (src_wrong || dst_wrong) {
    ctx.error(errors::kWrongType);
    return;
  }
  if (src == dst) {
    ctx.out.integer(src->contains(member) ? 1 : 0);
    return;
  }
  if (!src->erase(member)) {
    ctx.out.integer(0);
    return;
  }
  if (src->size() == 0) ctx.db().erase(src_key);
  SetLimits limits = limits_of(ctx);
  if (dst == nullptr) {
    dst = store_set(ctx, dst_key, std::make_unique<SetValue>(member, 1, limits));
    if (dst == nullptr) return;
  }
  dst->add(member, limits);
  ctx.key_changed(src_key);
  ctx.key_changed(dst_key);
  ctx.out.integer(1);
}

// Looks up every key in argv[first, first + n) as a set (missing ones as nullptr). Returns false
// after replying WRONGTYPE: every key is checked, even past a missing one, as Redis does.
bool find_sets(CommandContext& ctx, size_t first, size_t n, std::vector<const SetValue*>* sets) {
  sets->reserve(n);
  for (size_t i = first; i < first + n; ++i) {
    SetValue* set;
    if (!find_set(ctx, ctx.arg(i), Access::kRead, &set)) return false;
    sets->push_back(set);
  }
  return true;
}

// Members common to all sets, as positions in the smallest one (*base); stops at `limit` members
// (0 = no limit). Empty when any set is missing.
std::vector<size_t> intersect(std::vector<const SetValue*> sets, size_t limit,
                              const SetValue** base) {
  *base = nullptr;
  std::vector<size_t> found;
  if (std::find(sets.begin(), sets.end(), nullptr) != sets.end()) return found;
  std::sort(sets.begin(), sets.end(),
            [](const SetValue* a, const SetValue* b) { return a->size() < b->size(); });
  *base = sets[0];
  char buf[24];
  for (size_t p = sets[0]->first(); p != SetValue::kEnd; p = sets[0]->next(p)) {
    std::string_view member = sets[0]->member_at(p, buf);
    bool everywhere = std::all_of(sets.begin() + 1, sets.end(),
                                  [&](const SetValue* s) { return s->contains(member); });
    if (!everywhere) continue;
    found.push_back(p);
    if (found.size() == limit) break;
  }
  return found;
}

// Members of the first set found in none of the others, as positions in the first set.
std::vector<size_t> difference(const std::vector<const SetValue*>& sets) {
  std::vector<size_t> found;
  const SetValue* first = sets[0];
  if (first == nullptr) return found;
  char buf[24];
  for (size_t p = first->first(); p != SetValue::kEnd; p = first->next(p)) {
    std::string_view member = first->member_at(p, buf);
    bool elsewhere = std::any_of(sets.begin() + 1, sets.end(), [&](const SetValue* s) {
      return s != nullptr && s->contains(member);
    });
    if (!elsewhere) found.push_back(p);
  }
  return found;
}

// A new set holding the members at `positions` of `base`. Like Redis, it starts as an intset and
// converts as members arrive, so it ends in the encoding its contents need.
std::unique_ptr<SetValue> build_set(const SetValue& base, const std::vector<size_t>& positions,
                                    const SetLimits& limits) {
  auto set = std::make_unique<SetValue>();
  char buf[24];
  for (size_t p : positions) set->add(base.member_at(p, buf), limits);
  return set;
}

// Adds every member of every (non-missing) set to `result`.
void add_all(const std::vector<const SetValue*>& sets, SetValue* result, const SetLimits& limits) {
  char buf[24];
  for (const SetValue* s : sets) {
    if (s == nullptr) continue;
    for (size_t p = s->first(); p != SetValue::kEnd; p = s->next(p)) {
      result->add(s->member_at(p, buf), limits);
    }
  }
}

void reply_positions(CommandContext& ctx, const SetValue* base, const std::vector<size_t>& found) {
  ctx.out.set(static_cast<int64_t>(found.size()));
  char buf[24];
  for (size_t p : found) ctx.out.bulk(base->member_at(p, buf));
}

// Replaces `dst` with `result` (deleting it when there is none) and replies the new cardinality.
void store_result(CommandContext& ctx, std::string_view dst, std::unique_ptr<SetValue> result) {
  if (!result) {
    if (ctx.db().erase(dst)) ctx.key_changed(dst);
    ctx.out.integer(0);
    return;
  }
  auto size = static_cast<int64_t>(result->size());
  if (store_set(ctx, dst, std::move(result)) == nullptr) return;
  ctx.key_changed(dst);
  ctx.out.integer(size);
}

void sinter(CommandContext& ctx) {
  std::vector<const SetValue*> sets;
  if (!find_sets(ctx, 1, ctx.argc() - 1, &sets)) return;
  const SetValue* base;
  std::vector<size_t> found = intersect(sets, 0, &base);
  reply_positions(ctx, base, found);
}

void sinterstore(CommandContext& ctx) {
  std::vector<const SetValue*> sets;
  if (!find_sets(ctx, 2, ctx.argc() - 2, &sets)) return;
  const SetValue* base;
  std::vector<size_t> found = intersect(sets, 0, &base);
  store_result(ctx, ctx.arg(1), found.empty() ? nullptr : build_set(*base, found, limits_of(ctx)));
}

// SINTERCARD numkeys key [key ...] [LIMIT limit]
void sintercard(CommandContext& ctx) {
  constexpr std::string_view kBadNumkeys = "ERR numkeys should be greater than 0";
  auto numkeys = ctx.int_arg(1, kBadNumkeys);
  if (!numkeys) return;
  if (*numkeys < 1) {
    ctx.error(kBadNumkeys);
    return;
  }
  if (static_cast<uint64_t>(*numkeys) > ctx.argc() - 2) {
    ctx.error("ERR Number of keys can't be greater than number of args");
    return;
  }
  auto n = static_cast<size_t>(*numkeys);
  int64_t limit = 0;
  for (size_t i = 2 + n; i < ctx.argc(); i += 2) {
    if (!ctx.arg_is(i, "LIMIT") || i + 1 >= ctx.argc()) {
      ctx.error(errors::kSyntax);
      return;
    }
    constexpr std::string_view kBadLimit = "ERR LIMIT can't be negative";
    auto l = ctx.int_arg(i + 1, kBadLimit);
    if (!l) return;
    if (*l < 0) {
      ctx.error(kBadLimit);
      return;
    }
    limit = *l;
  }
  std::vector<const SetValue*> sets;
  if (!find_sets(ctx, 2, n, &sets)) return;
  const SetValue* base;
  ctx.out.integer(static_cast<int64_t>(intersect(sets, static_cast<size_t>(limit), &base).size()));
}

void sunion(CommandContext& ctx) {
  std::vector<const SetValue*> sets;
  if (!find_sets(ctx, 1, ctx.argc() - 1, &sets)) return;
  size_t total = 0;
  for (const SetValue* s : sets) total += s != nullptr ? s->size() : 0;
  // Only replied, never stored: straight into a table, with no listpack scans on the way.
  std::unique_ptr<SetValue> result = SetValue::make_table(total);
  add_all(sets, result.get(), kTableOnly);
  reply_members(ctx, *result);
}

void sunionstore(CommandContext& ctx) {
  std::vector<const SetValue*> sets;
  if (!find_sets(ctx, 2, ctx.argc() - 2, &sets)) return;
  auto result = std::make_unique<SetValue>();
  add_all(sets, result.get(), limits_of(ctx));
  store_result(ctx, ctx.arg(1), result->size() > 0 ? std::move(result) : nullptr);
}

void sdiff(CommandContext& ctx) {
  std::vector<const SetValue*> sets;
  if (!find_sets(ctx, 1, ctx.argc() - 1, &sets)) return;
  reply_positions(ctx, sets[0], difference(sets));
}

void sdiffstore(CommandContext& ctx) {
  std::vector<const SetValue*> sets;
  if (!find_sets(ctx, 2, ctx.argc() - 2, &sets)) return;
  std::vector<size_t> found = difference(sets);
  store_result(ctx, ctx.arg(1),
               found.empty() ? nullptr : build_set(*sets[0], found, limits_of(ctx)));
}

// SSCAN key cursor [MATCH pattern] [COUNT count]
void sscan(CommandContext& ctx) {
  uint64_t cursor;
  if (!scan_args::parse_cursor(ctx.arg(2), &cursor)) {
    ctx.error("ERR invalid cursor");
    return;
  }
  SetValue* set;
  if (!find_set(ctx, ctx.arg(1), Access::kRead, &set)) return;
  if (set == nullptr) return scan_args::reply_empty(ctx);
  auto options = scan_args::parse_options(ctx, 3, /*allow_type=*/false);
  if (!options) return;
  char buf[24];
  std::vector<size_t> found = scan_args::collect(
      *set, &cursor, *options, [&](size_t p) { return set->member_at(p, buf); });

  ctx.out.array(2);
  ctx.out.bulk(std::to_string(cursor));
  ctx.out.array(static_cast<int64_t>(found.size()));
  for (size_t p : found) ctx.out.bulk(set->member_at(p, buf));
}

}  // namespace

void register_set_commands(CommandTable& table) {
  constexpr uint64_t kRead = kAclRead | kAclSet;
  constexpr uint64_t kWrite = kAclWrite | kAclSet;
  constexpr uint32_t kStore = kCmdWrite | kCmdDenyOom;
  constexpr std::string_view kInterCost =
      "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of "
      "sets.";
  constexpr std::string_view kTotalCost =
      "O(N) where N is the total number of elements in all given sets.";
  table.add({"sadd", -3, kStore | kCmdFast, 1, 1, 1, kWrite, sadd, "set", "1.0.0",
             "Adds one or more members to a set. Creates the key if it doesn't exist.",
             "O(1) for each element added, so O(N) to add N elements when the command is called "
             "with multiple arguments."});
  table.add({"srem", -3, kCmdWrite | kCmdFast, 1, 1, 1, kWrite, srem, "set", "1.0.0",
             "Removes one or more members from a set. Deletes the set if the last member was "
             "removed.",
             "O(N) where N is the number of members to be removed."});
  table.add({"smembers", 2, kCmdReadonly, 1, 1, 1, kRead, smembers, "set", "1.0.0",
             "Returns all members of a set.", "O(N) where N is the set cardinality."});
  table.add({"sismember", 3, kCmdReadonly | kCmdFast, 1, 1, 1, kRead, sismember, "set", "1.0.0",
             "Determines whether a member belongs to a set.", "O(1)"});
  table.add({"smismember", -3, kCmdReadonly | kCmdFast, 1, 1, 1, kRead, smismember, "set", "6.2.0",
             "Determines whether multiple members belong to a set.",
             "O(N) where N is the number of elements being checked for membership"});
  table.add({"scard", 2, kCmdReadonly | kCmdFast, 1, 1, 1, kRead, scard, "set", "1.0.0",
             "Returns the number of members in a set.", "O(1)"});
  table.add({"spop", -2, kCmdWrite | kCmdFast, 1, 1, 1, kWrite, spop, "set", "1.0.0",
             "Returns one or more random members from a set after removing them. Deletes the set "
             "if the last member was popped.",
             "Without the count argument O(1), otherwise O(N) where N is the value of the passed "
             "count."});
  table.add({"srandmember", -2, kCmdReadonly, 1, 1, 1, kRead, srandmember, "set", "1.0.0",
             "Get one or multiple random members from a set",
             "Without the count argument O(1), otherwise O(N) where N is the absolute value of "
             "the passed count."});
  table.add({"smove", 4, kCmdWrite | kCmdFast, 1, 2, 1, kWrite, smove, "set", "1.0.0",
             "Moves a member from one set to another.", "O(1)"});
  table.add({"sinter", -2, kCmdReadonly, 1, -1, 1, kRead, sinter, "set", "1.0.0",
             "Returns the intersect of multiple sets.", kInterCost});
  // Keys follow numkeys, which a first/last/step row cannot express (Redis uses a keynum key
  // spec); first_key 0 means the dispatcher sees no keys for SINTERCARD.
  table.add({"sintercard", -3, kCmdReadonly, 0, 0, 0, kRead, sintercard, "set", "7.0.0",
             "Returns the number of members of the intersect of multiple sets.", kInterCost});
  table.add({"sinterstore", -3, kStore, 1, -1, 1, kWrite, sinterstore, "set", "1.0.0",
             "Stores the intersect of multiple sets in a key.", kInterCost});
  table.add({"sunion", -2, kCmdReadonly, 1, -1, 1, kRead, sunion, "set", "1.0.0",
             "Returns the union of multiple sets.", kTotalCost});
  table.add({"sunionstore", -3, kStore, 1, -1, 1, kWrite, sunionstore, "set", "1.0.0",
             "Stores the union of multiple sets in a key.", kTotalCost});
  table.add({"sdiff", -2, kCmdReadonly, 1, -1, 1, kRead, sdiff, "set", "1.0.0",
             "Returns the difference of multiple sets.", kTotalCost});
  table.add({"sdiffstore", -3, kStore, 1, -1, 1, kWrite, sdiffstore, "set", "1.0.0",
             "Stores the difference of multiple sets in a key.", kTotalCost});
  table.add({"sscan", -3, kCmdReadonly, 1, 1, 1, kRead, sscan, "set", "2.8.0",
             "Iterates over members of a set.",
             "O(1) for every call. O(N) for a complete iteration, including enough command calls "
             "for the cursor to return back to 0. N is the number of elements inside the "
             "collection."});
}

}  // namespace stashd
