// Owns: the sorted-set family's range and iteration commands: ZRANGE (BYSCORE BYLEX REV LIMIT
// WITHSCORES) and its legacy forms ZREVRANGE ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX
// ZREVRANGEBYLEX, ZRANGESTORE, ZCOUNT ZLEXCOUNT, ZREMRANGEBYRANK/SCORE/LEX, ZRANDMEMBER and ZSCAN.
// Registered from register_zset_commands. Must not touch: other families, the keyspace's
// internals. Thread: the event loop.
#include <charconv>
#include <limits>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "commands/scan_args.h"
#include "commands/zset_ops.h"
#include "stashd/common/strings.h"

namespace stashd {

namespace {

using zset_ops::find_zset;

enum class RangeBy : uint8_t { kAuto, kRank, kScore, kLex };
enum class Direction : uint8_t { kAuto, kForward, kReverse };

struct RangeRequest {
  RangeBy by = RangeBy::kAuto;
  Direction direction = Direction::kAuto;
  bool with_scores = false;
  int64_t offset = 0;
  int64_t limit = -1;  // negative: no limit
  int64_t start = 0;
  int64_t end = 0;
  ScoreRange scores;
  LexRange lex;
};

// Parses "<src> <min> <max> [options]" starting at argv[src]. The legacy commands fix `by` and
// `direction` up front, which turns BYSCORE/BYLEX/REV into syntax errors for them.
std::optional<RangeRequest> parse_range(CommandContext& ctx, size_t src, RangeBy by,
                                        Direction direction, bool store) {
  RangeRequest r;
  r.by = by;
  r.direction = direction;
  bool limited = false;
  for (size_t i = src + 3; i < ctx.argc(); ++i) {
    const size_t left = ctx.argc() - i - 1;
    if (!store && ctx.arg_is(i, "WITHSCORES")) {
      r.with_scores = true;
    } else if (ctx.arg_is(i, "LIMIT") && left >= 2) {
      auto offset = ctx.int_arg(i + 1);
      if (!offset) return std::nullopt;
      auto limit = ctx.int_arg(i + 2);
      if (!limit) return std::nullopt;
      r.offset = *offset;
      r.limit = *limit;
      limited = true;
      i += 2;
    } else if (r.direction == Direction::kAuto && ctx.arg_is(i, "REV")) {
      r.direction = Direction::kReverse;
    } else if (r.by == RangeBy::kAuto && ctx.arg_is(i, "BYLEX")) {
      r.by = RangeBy::kLex;
    } else if (r.by == RangeBy::kAuto && ctx.arg_is(i, "BYSCORE")) {
      r.by = RangeBy::kScore;
    } else {
      ctx.error(errors::kSyntax);
      return std::nullopt;
    }
  }
  if (r.direction == Direction::kAuto) r.direction = Direction::kForward;
  if (r.by == RangeBy::kAuto) r.by = RangeBy::kRank;
  // As in Redis, "LIMIT x -1" reads as no LIMIT at all.
  if (limited && r.limit != -1 && r.by == RangeBy::kRank) {
    ctx.error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or "
              "BYLEX");
    return std::nullopt;
  }
  if (r.with_scores && r.by == RangeBy::kLex) {
    ctx.error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
    return std::nullopt;
  }
  size_t min = src + 1;
  size_t max = src + 2;
  if (r.direction == Direction::kReverse && r.by != RangeBy::kRank) std::swap(min, max);
  if (r.by == RangeBy::kRank) {
    auto start = ctx.int_arg(min);
    if (!start) return std::nullopt;
    auto end = ctx.int_arg(max);
    if (!end) return std::nullopt;
    r.start = *start;
    r.end = *end;
  } else if (r.by == RangeBy::kScore) {
    auto range = ScoreRange::parse(ctx.arg(min), ctx.arg(max));
    if (!range) {
      ctx.error(zset_ops::kNotFloatRange);
      return std::nullopt;
    }
    r.scores = *range;
  } else {
    auto range = LexRange::parse(ctx.arg(min), ctx.arg(max));
    if (!range) {
      ctx.error(zset_ops::kNotLexRange);
      return std::nullopt;
    }
    r.lex = *range;
  }
  return r;
}

// Clamps Redis-style rank indexes (negative from the end) to [start, end] within `size`.
// Returns false when the range is empty.
bool clamp_ranks(int64_t size, int64_t* start, int64_t* end) {
  if (*start < 0) *start += size;
  if (*end < 0) *end += size;
  if (*start < 0) *start = 0;
  if (*start > *end || *start >= size) return false;
  if (*end >= size) *end = size - 1;
  return true;
}

// Calls emit(member, score) for every element the request selects, in reply order.
template <typename Emit>
void walk_range(const ZsetValue& zset, const RangeRequest& r, Emit&& emit) {
  const bool reverse = r.direction == Direction::kReverse;
  auto step = [reverse](ZsetValue::Cursor& c) { reverse ? c.prev() : c.next(); };
  if (r.by == RangeBy::kRank) {
    const auto size = static_cast<int64_t>(zset.size());
    int64_t start = r.start, end = r.end;
    if (!clamp_ranks(size, &start, &end)) return;
    ZsetValue::Cursor c = zset.at_rank(static_cast<size_t>(reverse ? size - 1 - start : start));
    for (int64_t n = end - start + 1; n > 0 && c.valid(); --n, step(c)) emit(c.member(), c.score());
    return;
  }
  // A negative offset skips everything, as Redis's countdown does.
  if (r.offset < 0) return;
  ZsetValue::Cursor c;
  if (r.by == RangeBy::kScore) {
    c = reverse ? zset.last_in(r.scores) : zset.first_in(r.scores);
  } else {
    c = reverse ? zset.last_in(r.lex) : zset.first_in(r.lex);
  }
  for (int64_t skip = r.offset; skip > 0 && c.valid(); --skip) step(c);
  for (int64_t left = r.limit; left != 0 && c.valid(); --left, step(c)) {
    bool inside;
    if (r.by == RangeBy::kScore) {
      inside = reverse ? r.scores.above_min(c.score()) : r.scores.below_max(c.score());
    } else {
      inside = reverse ? r.lex.above_min(c.member()) : r.lex.below_max(c.member());
    }
    if (!inside) break;
    emit(c.member(), c.score());
  }
}

// The shared body of ZRANGE, ZRANGESTORE and the legacy range commands; `src` is the source
// key's index (2 for ZRANGESTORE, whose argv[1] is the destination).
void range_generic(CommandContext& ctx, size_t src, RangeBy by, Direction direction, bool store) {
  auto request = parse_range(ctx, src, by, direction, store);
  if (!request) return;
  bool wrong_type;
  ZsetValue* zset = find_zset(ctx, ctx.arg(src), /*for_write=*/false, &wrong_type);
  if (wrong_type) {
    ctx.error(errors::kWrongType);
    return;
  }
  if (!store) {
    if (zset == nullptr) {
      ctx.out.array(0);
      return;
    }
    if (request->by == RangeBy::kRank) {
      // The length is known up front: stream the elements straight into the reply.
      int64_t start = request->start, end = request->end;
      const int64_t n = clamp_ranks(static_cast<int64_t>(zset->size()), &start, &end)
                            ? end - start + 1
                            : 0;
      const bool flat_pairs = request->with_scores && ctx.out.protocol() < 3;
      ctx.out.array(flat_pairs ? n * 2 : n);
      walk_range(*zset, *request, [&](std::string_view m, double s) {
        if (request->with_scores) {
          zset_ops::write_scored(ctx.out, m, s);
        } else {
          ctx.out.bulk(m);
        }
      });
      return;
    }
    zset_ops::RangeReply reply(ctx, request->with_scores);
    walk_range(*zset, *request, [&](std::string_view m, double s) { reply.add(m, s); });
    reply.finish();
    return;
  }
  std::vector<std::pair<std::string, double>> picked;
  if (zset != nullptr) {
    walk_range(*zset, *request, [&](std::string_view m, double s) { picked.emplace_back(m, s); });
  }
  // As in Redis, the destination starts compact unless a rank range is known to be too long,
  // and takes the members in reply order, converting when a threshold is crossed.
  const ZsetLimits limits = zset_ops::limits(ctx);
  const size_t hint = request->by == RangeBy::kRank ? picked.size() : 0;
  auto result = std::make_unique<ZsetValue>(hint, 0, limits);
  for (const auto& [member, score] : picked) result->add(member, score, {}, limits);
  zset_ops::store_result(ctx, ctx.arg(1), std::move(result));
}

void zrange(CommandContext& ctx) {
  range_generic(ctx, 1, RangeBy::kAuto, Direction::kAuto, false);
}
void zrangestore(CommandContext& ctx) {
  range_generic(ctx, 2, RangeBy::kAuto, Direction::kAuto, true);
}
void zrevrange(CommandContext& ctx) {
  range_generic(ctx, 1, RangeBy::kRank, Direction::kReverse, false);
}
void zrangebyscore(CommandContext& ctx) {
  range_generic(ctx, 1, RangeBy::kScore, Direction::kForward, false);
}
void zrevrangebyscore(CommandContext& ctx) {
  range_generic(ctx, 1, RangeBy::kScore, Direction::kReverse, false);
}
void zrangebylex(CommandContext& ctx) {
  range_generic(ctx, 1, RangeBy::kLex, Direction::kForward, false);
}
void zrevrangebylex(CommandContext& ctx) {
  range_generic(ctx, 1, RangeBy::kLex, Direction::kReverse, false);
}

// ZCOUNT key min max / ZLEXCOUNT key min max
template <typename Range>
void count_generic(CommandContext& ctx, std::string_view parse_error) {
  auto range = Range::parse(ctx.arg(2), ctx.arg(3));
  if (!range) {
    ctx.error(parse_error);
    return;
  }
  bool wrong_type;
  ZsetValue* zset = find_zset(ctx, ctx.arg(1), /*for_write=*/false, &wrong_type);
  if (wrong_type) {
    ctx.error(errors::kWrongType);
    return;
  }
  ctx.out.integer(zset ? static_cast<int64_t>(zset->count_in(*range)) : 0);
}

void zcount(CommandContext& ctx) { count_generic<ScoreRange>(ctx, zset_ops::kNotFloatRange); }
void zlexcount(CommandContext& ctx) { count_generic<LexRange>(ctx, zset_ops::kNotLexRange); }

// ZREMRANGEBYRANK/ZREMRANGEBYSCORE/ZREMRANGEBYLEX key a b: the range is checked before the key.
void zremrange_generic(CommandContext& ctx, RangeBy by) {
  RangeRequest r;
  if (by == RangeBy::kRank) {
    auto start = ctx.int_arg(2);
    if (!start) return;
    auto end = ctx.int_arg(3);
    if (!end) return;
    r.start = *start;
    r.end = *end;
  } else if (by == RangeBy::kScore) {
    auto range = ScoreRange::parse(ctx.arg(2), ctx.arg(3));
    if (!range) return ctx.error(zset_ops::kNotFloatRange);
    r.scores = *range;
  } else {
    auto range = LexRange::parse(ctx.arg(2), ctx.arg(3));
    if (!range) return ctx.error(zset_ops::kNotLexRange);
    r.lex = *range;
  }
  const std::string_view key = ctx.arg(1);
  bool wrong_type;
  ZsetValue* zset = find_zset(ctx, key, /*for_write=*/true, &wrong_type);
  if (wrong_type) return ctx.error(errors::kWrongType);
  size_t removed = 0;
  if (zset != nullptr) {
    if (by == RangeBy::kRank) {
      if (clamp_ranks(static_cast<int64_t>(zset->size()), &r.start, &r.end)) {
        removed = zset->remove_ranks(static_cast<size_t>(r.start), static_cast<size_t>(r.end));
      }
    } else if (by == RangeBy::kScore) {
      removed = zset->remove_in(r.scores);
    } else {
      removed = zset->remove_in(r.lex);
    }
  }
  if (removed > 0) {
    ctx.key_changed(key);
    if (zset->empty()) ctx.db().erase(key);
  }
  ctx.out.integer(static_cast<int64_t>(removed));
}

void zremrangebyrank(CommandContext& ctx) { zremrange_generic(ctx, RangeBy::kRank); }
void zremrangebyscore(CommandContext& ctx) { zremrange_generic(ctx, RangeBy::kScore); }
void zremrangebylex(CommandContext& ctx) { zremrange_generic(ctx, RangeBy::kLex); }

// ZRANDMEMBER with a count: negative counts may repeat members and come in random order;
// positive ones are distinct. Extra memory stays bounded by the zset's size, never the count.
void random_members(CommandContext& ctx, const ZsetValue& zset, int64_t count, bool with_scores) {
  resp::ReplyWriter& out = ctx.out;
  auto header = [&](uint64_t n) {
    out.array(static_cast<int64_t>(with_scores && out.protocol() < 3 ? n * 2 : n));
  };
  auto emit = [&](ZsetValue::Cursor c) {
    if (with_scores) {
      zset_ops::write_scored(out, c.member(), c.score());
    } else {
      out.bulk(c.member());
    }
  };
  const uint64_t size = zset.size();
  const bool distinct = count > 0;
  const uint64_t n = distinct ? static_cast<uint64_t>(count) : 0 - static_cast<uint64_t>(count);
  if (!distinct || n == 1) {
    header(n);
    // Listpack cursors are found by walking; remember them once instead of once per pick.
    std::vector<ZsetValue::Cursor> cursors;
    if (zset.is_listpack()) {
      for (ZsetValue::Cursor c = zset.at_rank(0); c.valid(); c.next()) cursors.push_back(c);
    }
    for (uint64_t i = 0; i < n; ++i) {
      const size_t rank = ctx.keyspace().random() % size;
      emit(cursors.empty() ? zset.at_rank(rank) : cursors[rank]);
    }
    return;
  }
  if (n >= size) {
    // The whole zset, highest score first as Redis's iterator walks it.
    header(size);
    for (ZsetValue::Cursor c = zset.at_rank(size - 1); c.valid(); c.prev()) emit(c);
    return;
  }
  header(n);
  if (n * 3 > size) {
    // Selection sampling: one ordered pass keeps each element with probability needed/left.
    uint64_t needed = n;
    uint64_t left = size;
    for (ZsetValue::Cursor c = zset.at_rank(0); needed > 0; c.next(), --left) {
      if (ctx.keyspace().random() % left < needed) {
        emit(c);
        --needed;
      }
    }
    return;
  }
  std::unordered_set<size_t> ranks;
  while (ranks.size() < n) ranks.insert(ctx.keyspace().random() % size);
  for (size_t rank : ranks) emit(zset.at_rank(rank));
}

// ZRANDMEMBER key [count [WITHSCORES]]
void zrandmember(CommandContext& ctx) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  std::optional<int64_t> count;
  bool with_scores = false;
  if (ctx.argc() >= 3) {
    count = ctx.int_arg(2);
    if (!count) return;
    if (*count < -kMax) {
      return ctx.error("ERR value is out of range, value must between -9223372036854775807 and "
                       "9223372036854775807");
    }
    if (ctx.argc() > 4 || (ctx.argc() == 4 && !ctx.arg_is(3, "WITHSCORES"))) {
      return ctx.error(errors::kSyntax);
    }
    with_scores = ctx.argc() == 4;
    // The reply holds two entries per member in RESP2; keep that count representable.
    if (with_scores && (*count < -kMax / 2 || *count > kMax / 2)) {
      return ctx.error("ERR value is out of range");
    }
  }
  bool wrong_type;
  ZsetValue* zset = find_zset(ctx, ctx.arg(1), /*for_write=*/false, &wrong_type);
  if (wrong_type) return ctx.error(errors::kWrongType);
  if (!count) {
    if (zset == nullptr) return ctx.out.null();
    ctx.out.bulk(zset->at_rank(ctx.keyspace().random() % zset->size()).member());
    return;
  }
  if (zset == nullptr || *count == 0) return ctx.out.array(0);
  random_members(ctx, *zset, *count, with_scores);
}

// ZSCAN key cursor [MATCH pattern] [COUNT count]
void zscan(CommandContext& ctx) {
  uint64_t cursor;
  if (!scan_args::parse_cursor(ctx.arg(2), &cursor)) return ctx.error("ERR invalid cursor");
  bool wrong_type;
  ZsetValue* zset = find_zset(ctx, ctx.arg(1), /*for_write=*/false, &wrong_type);
  if (wrong_type) return ctx.error(errors::kWrongType);
  if (zset == nullptr) return scan_args::reply_empty(ctx);
  auto options = scan_args::parse_options(ctx, 3, /*allow_type=*/false);
  if (!options) return;
  std::string body;
  resp::ReplyWriter items(&body, ctx.out.protocol());
  int64_t found = 0;
  int64_t visited = 0;
  auto collect = [&](std::string_view member, double score) {
    ++visited;  // COUNT bounds the members visited (before MATCH filters them)
    if (!options->matches(member)) return;
    items.bulk(member);
    items.bulk(format_double(score));
    ++found;
  };
  // Bounded like Redis: at most COUNT*10 bucket visits when the buckets are empty.
  int64_t budget = options->step_budget();
  do {
    cursor = zset->scan(cursor, collect);
  } while (cursor != 0 && budget-- > 0 && visited < options->count);
  char buf[24];
  const char* end = std::to_chars(buf, buf + sizeof(buf), cursor).ptr;
  ctx.out.array(2);
  ctx.out.bulk(std::string_view(buf, static_cast<size_t>(end - buf)));
  ctx.out.array(found * 2);
  ctx.out.raw(body);
}

}  // namespace

void register_zset_range_commands(CommandTable& table) {
  constexpr uint64_t kRead = kAclRead | kAclSortedSet;
  constexpr uint64_t kWrite = kAclWrite | kAclSortedSet;
  const char* const kRangeCost =
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
      "elements returned.";
  const char* const kRemoveCost =
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
      "elements removed by the operation.";
  table.add({"zrange", -4, kCmdReadonly, 1, 1, 1, kRead, zrange, "sorted-set", "1.2.0",
             "Returns members in a sorted set within a range of indexes.", kRangeCost});
  table.add({"zrangestore", -5, kCmdWrite | kCmdDenyOom, 1, 2, 1, kWrite, zrangestore,
             "sorted-set", "6.2.0", "Stores a range of members from sorted set in a key.",
             "O(log(N)+M) with N being the number of elements in the sorted set and M the number "
             "of elements stored into the destination key."});
  table.add({"zrevrange", -4, kCmdReadonly, 1, 1, 1, kRead, zrevrange, "sorted-set", "1.2.0",
             "Returns members in a sorted set within a range of indexes in reverse order.",
             kRangeCost});
  table.add({"zrangebyscore", -4, kCmdReadonly, 1, 1, 1, kRead, zrangebyscore, "sorted-set",
             "1.0.5", "Returns members in a sorted set within a range of scores.", kRangeCost});
  table.add({"zrevrangebyscore", -4, kCmdReadonly, 1, 1, 1, kRead, zrevrangebyscore,
             "sorted-set", "2.2.0",
             "Returns members in a sorted set within a range of scores in reverse order.",
             kRangeCost});
  table.add({"zrangebylex", -4, kCmdReadonly, 1, 1, 1, kRead, zrangebylex, "sorted-set",
             "2.8.9", "Returns members in a sorted set within a lexicographical range.",
             kRangeCost});
  table.add({"zrevrangebylex", -4, kCmdReadonly, 1, 1, 1, kRead, zrevrangebylex, "sorted-set",
             "2.8.9",
             "Returns members in a sorted set within a lexicographical range in reverse order.",
             kRangeCost});
  table.add({"zcount", 4, kCmdReadonly | kCmdFast, 1, 1, 1, kRead, zcount, "sorted-set",
             "2.0.0", "Returns the count of members in a sorted set that have scores within a "
             "range.", "O(log(N)) with N being the number of elements in the sorted set."});
  table.add({"zlexcount", 4, kCmdReadonly | kCmdFast, 1, 1, 1, kRead, zlexcount, "sorted-set",
             "2.8.9", "Returns the number of members in a sorted set within a lexicographical "
             "range.", "O(log(N)) with N being the number of elements in the sorted set."});
  table.add({"zremrangebyrank", 4, kCmdWrite, 1, 1, 1, kWrite, zremrangebyrank, "sorted-set",
             "2.0.0", "Removes members in a sorted set within a range of indexes. Deletes the "
             "sorted set if all members were removed.", kRemoveCost});
  table.add({"zremrangebyscore", 4, kCmdWrite, 1, 1, 1, kWrite, zremrangebyscore, "sorted-set",
             "1.2.0", "Removes members in a sorted set within a range of scores. Deletes the "
             "sorted set if all members were removed.", kRemoveCost});
  table.add({"zremrangebylex", 4, kCmdWrite, 1, 1, 1, kWrite, zremrangebylex, "sorted-set",
             "2.8.9", "Removes members in a sorted set within a lexicographical range. Deletes "
             "the sorted set if all members were removed.", kRemoveCost});
  table.add({"zrandmember", -2, kCmdReadonly, 1, 1, 1, kRead, zrandmember, "sorted-set",
             "6.2.0", "Returns one or more random members from a sorted set.",
             "O(N) where N is the number of members returned"});
  table.add({"zscan", -3, kCmdReadonly, 1, 1, 1, kRead, zscan, "sorted-set", "2.8.0",
             "Iterates over members and scores of a sorted set.",
             "O(1) for every call. O(N) for a complete iteration, including enough command calls "
             "for the cursor to return back to 0. N is the number of elements inside the "
             "collection."});
}

}  // namespace stashd
