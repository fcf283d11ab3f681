// Owns: the sorted-set family's single-member commands (ZADD ZINCRBY ZREM ZCARD ZSCORE ZMSCORE
// ZRANK ZREVRANK), the pops (ZPOPMIN ZPOPMAX ZMPOP, with the pop logic the blocking layer reuses),
// the helpers in zset_ops.h, and the family's registration. Ranges, ZRANDMEMBER and ZSCAN live in
// zset_range_cmds.cpp; ZUNION/ZINTER/ZDIFF and their STORE forms in zset_store_cmds.cpp.
// Must not touch: other families, the keyspace's internals (only Db's API). Thread: the event loop.
#include <algorithm>
#include <string>

#include "commands/zset_ops.h"
#include "stashd/commands/registry.h"
#include "stashd/common/strings.h"

namespace stashd {

namespace zset_ops {

ZsetLimits limits(CommandContext& ctx) {
  const Config& c = ctx.node.config();
  return {static_cast<size_t>(std::max<int64_t>(c.zset_max_listpack_entries, 0)),
          static_cast<size_t>(std::max<int64_t>(c.zset_max_listpack_value, 0))};
}

ZsetValue* find_zset(CommandContext& ctx, std::string_view key, bool for_write, bool* wrong_type) {
  Db& db = ctx.db();
  *wrong_type = false;
  EntryIndex e = for_write ? db.lookup_write(key) : db.lookup_read(key);
  if (e == kNoEntry) return nullptr;
  entry::View v = db.view(e);
  if (v.type() != ValueType::kZset) {
    *wrong_type = true;
    return nullptr;
  }
  return static_cast<ZsetValue*>(v.object());
}

void write_scored(resp::ReplyWriter& out, std::string_view member, double score) {
  if (out.protocol() >= 3) out.array(2);
  out.bulk(member);
  out.double_value(score);
}

RangeReply::RangeReply(CommandContext& ctx, bool with_scores)
    : ctx_(ctx), with_scores_(with_scores), writer_(&body_, ctx.out.protocol()) {}

void RangeReply::add(std::string_view member, double score) {
  ++count_;
  if (with_scores_) {
    write_scored(writer_, member, score);
  } else {
    writer_.bulk(member);
  }
}

void RangeReply::finish() {
  const bool flat_pairs = with_scores_ && ctx_.out.protocol() < 3;
  ctx_.out.array(flat_pairs ? count_ * 2 : count_);
  ctx_.out.raw(body_);
}

void store_result(CommandContext& ctx, std::string_view dst, std::unique_ptr<ZsetValue> zset) {
  if (zset->empty()) {
    if (ctx.db().erase(dst)) ctx.key_changed(dst);
    ctx.out.integer(0);
    return;
  }
  const auto size = static_cast<int64_t>(zset->size());
  if (ctx.db().set_object(dst, ValueType::kZset, std::move(zset)) == kNoEntry) {
    ctx.error(errors::kOutOfMemory);
    return;
  }
  ctx.key_changed(dst);
  ctx.out.integer(size);
}

void pop_and_reply(CommandContext& ctx, std::string_view key, ZsetValue& zset, bool from_max,
                   size_t count, PopReply shape) {
  const size_t n = std::min(count, zset.size());
  const auto len = static_cast<int64_t>(n);
  resp::ReplyWriter& out = ctx.out;
  switch (shape) {
    case PopReply::kFlat:
      out.array(len * 2);
      break;
    case PopReply::kNested:
      out.array(len);
      break;
    case PopReply::kKeyedFlat:
      out.array(len * 2 + 1);
      out.bulk(key);
      break;
    case PopReply::kKeyedNested:
      out.array(2);
      out.bulk(key);
      out.array(len);
      break;
  }
  const bool nested = shape == PopReply::kNested || shape == PopReply::kKeyedNested;
  std::string member;
  for (size_t i = 0; i < n; ++i) {
    ZsetValue::Cursor c = zset.at_rank(from_max ? zset.size() - 1 : 0);
    member.assign(c.member());
    if (nested) out.array(2);
    out.bulk(member);
    out.double_value(c.score());
    zset.remove(member);
  }
  // The key string may live in the entry being erased: signal first.
  std::string owned_key(key);
  ctx.key_changed(owned_key);
  if (zset.empty()) ctx.db().erase(owned_key);
  // BZPOPMIN/BZPOPMAX, ZMPOP/BZMPOP: replicas pop from the key that was served, without blocking
  // (as Redis propagates them); ZPOPMIN/ZPOPMAX go as they came.
  std::string_view pop = from_max ? "ZPOPMAX" : "ZPOPMIN";
  if (shape == PopReply::kKeyedFlat) {
    ctx.propagate_as({pop, owned_key});
  } else if (shape == PopReply::kKeyedNested) {
    ctx.propagate_as({pop, owned_key}).add(static_cast<int64_t>(n));
  }
}

std::optional<FoundZset> first_zset(CommandContext& ctx, std::span<const std::string_view> keys,
                                    bool* wrong_type) {
  *wrong_type = false;
  for (size_t i = 0; i < keys.size(); ++i) {
    ZsetValue* z = find_zset(ctx, keys[i], /*for_write=*/true, wrong_type);
    if (*wrong_type) return std::nullopt;
    if (z != nullptr) return FoundZset{i, z};
  }
  return std::nullopt;
}

std::optional<MpopArgs> parse_mpop(CommandContext& ctx, size_t numkeys_index) {
  constexpr std::string_view kBadNumkeys = "ERR numkeys should be greater than 0";
  constexpr std::string_view kBadCount = "ERR count should be greater than 0";
  auto numkeys = ctx.int_arg(numkeys_index, kBadNumkeys);
  if (!numkeys) return std::nullopt;
  if (*numkeys < 1) {
    ctx.error(kBadNumkeys);
    return std::nullopt;
  }
  const size_t where = numkeys_index + 1;
  if (static_cast<uint64_t>(*numkeys) >= ctx.argc() - where) {
    ctx.error(errors::kSyntax);
    return std::nullopt;
  }
  MpopArgs args;
  args.keys = ctx.argv.subspan(where, static_cast<size_t>(*numkeys));
  const size_t where_index = where + static_cast<size_t>(*numkeys);
  if (ctx.arg_is(where_index, "MAX")) {
    args.from_max = true;
  } else if (!ctx.arg_is(where_index, "MIN")) {
    ctx.error(errors::kSyntax);
    return std::nullopt;
  }
  bool has_count = false;
  for (size_t i = where_index + 1; i < ctx.argc(); ++i) {
    if (!has_count && ctx.arg_is(i, "COUNT") && i + 1 < ctx.argc()) {
      auto count = ctx.int_arg(++i, kBadCount);
      if (!count) return std::nullopt;
      if (*count < 1) {
        ctx.error(kBadCount);
        return std::nullopt;
      }
      args.count = static_cast<size_t>(*count);
      has_count = true;
    } else {
      ctx.error(errors::kSyntax);
      return std::nullopt;
    }
  }
  return args;
}

}  // namespace zset_ops

namespace {

using zset_ops::find_zset;

// ZADD's options and its pairs, validated before anything changes.
struct ZaddRequest {
  ZaddFlags flags;
  bool ch = false;
  size_t first_pair = 0;
  size_t pairs = 0;
};

std::optional<ZaddRequest> parse_zadd(CommandContext& ctx) {
  ZaddRequest r;
  size_t i = 2;
  for (; i < ctx.argc(); ++i) {
    if (ctx.arg_is(i, "NX")) {
      r.flags.nx = true;
    } else if (ctx.arg_is(i, "XX")) {
      r.flags.xx = true;
    } else if (ctx.arg_is(i, "GT")) {
      r.flags.gt = true;
    } else if (ctx.arg_is(i, "LT")) {
      r.flags.lt = true;
    } else if (ctx.arg_is(i, "CH")) {
      r.ch = true;
    } else if (ctx.arg_is(i, "INCR")) {
      r.flags.incr = true;
    } else {
      break;
    }
  }
  const size_t elements = ctx.argc() - i;
  const ZaddFlags& f = r.flags;
  if (elements == 0 || elements % 2 != 0) {
    ctx.error(errors::kSyntax);
  } else if (f.nx && f.xx) {
    ctx.error("ERR XX and NX options at the same time are not compatible");
  } else if ((f.gt && f.nx) || (f.lt && f.nx) || (f.gt && f.lt)) {
    ctx.error("ERR GT, LT, and/or NX options at the same time are not compatible");
  } else if (f.incr && elements > 2) {
    ctx.error("ERR INCR option supports a single increment-element pair");
  } else {
    r.first_pair = i;
    r.pairs = elements / 2;
    // Scores are checked before the key is even looked up: all pairs apply, or none.
    for (size_t p = 0; p < r.pairs; ++p) {
      double unused;
      if (!parse_double(ctx.arg(i + 2 * p), &unused)) {
        ctx.error(errors::kNotFloat);
        return std::nullopt;
      }
    }
    return r;
  }
  return std::nullopt;
}

void reply_zadd(CommandContext& ctx, const ZaddRequest& r, int64_t added, int64_t updated,
                int64_t processed, double last_score) {
  if (r.flags.incr) {
    if (processed > 0) {
      ctx.out.double_value(last_score);
    } else {
      ctx.out.null();
    }
  } else {
    ctx.out.integer(r.ch ? added + updated : added);
  }
}

void zadd_apply(CommandContext& ctx, const ZaddRequest& r) {
  const std::string_view key = ctx.arg(1);
  bool wrong_type;
  ZsetValue* zset = find_zset(ctx, key, /*for_write=*/true, &wrong_type);
  if (wrong_type) {
    ctx.error(errors::kWrongType);
    return;
  }
  if (zset == nullptr && r.flags.xx) {
    reply_zadd(ctx, r, 0, 0, 0, 0);
    return;
  }
  const ZsetLimits limits = zset_ops::limits(ctx);
  std::unique_ptr<ZsetValue> created;
  if (zset == nullptr) {
    // As Redis 7.0 does, the encoding follows the first member; later ones convert as they come
    // (observable: a listpack stores -0 as 0).
    created = std::make_unique<ZsetValue>(1, ctx.arg(r.first_pair + 1).size(), limits);
    zset = created.get();
  }
  int64_t added = 0, updated = 0, processed = 0;
  double last_score = 0;
  for (size_t p = 0; p < r.pairs; ++p) {
    double score = 0;
    parse_double(ctx.arg(r.first_pair + 2 * p), &score);
    auto result = zset->add(ctx.arg(r.first_pair + 2 * p + 1), score, r.flags, limits);
    switch (result.outcome) {
      case ZsetValue::AddOutcome::kNaN:
        ctx.error("ERR resulting score is not a number (NaN)");
        return;  // INCR has a single pair: nothing changed
      case ZsetValue::AddOutcome::kAdded:
        ++added;
        break;
      case ZsetValue::AddOutcome::kUpdated:
        ++updated;
        break;
      default:
        break;
    }
    if (result.outcome != ZsetValue::AddOutcome::kSkipped) {
      ++processed;
      last_score = result.score;
    }
  }
  if (created && !created->empty()) {
    if (ctx.db().set_object(key, ValueType::kZset, std::move(created)) == kNoEntry) {
      ctx.error(errors::kOutOfMemory);
      return;
    }
  }
  if (added + updated > 0) ctx.key_changed(key);
  reply_zadd(ctx, r, added, updated, processed, last_score);
}

// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]
void zadd(CommandContext& ctx) {
  auto request = parse_zadd(ctx);
  if (request) zadd_apply(ctx, *request);
}

// ZINCRBY key increment member
void zincrby(CommandContext& ctx) {
  double unused;
  if (!parse_double(ctx.arg(2), &unused)) {
    ctx.error(errors::kNotFloat);
    return;
  }
  ZaddRequest r;
  r.flags.incr = true;
  r.first_pair = 2;
  r.pairs = 1;
  zadd_apply(ctx, r);
}

// ZREM key member [member ...]
void zrem(CommandContext& ctx) {
  const std::string_view key = ctx.arg(1);
  bool wrong_type;
  ZsetValue* zset = find_zset(ctx, key, /*for_write=*/true, &wrong_type);
  if (wrong_type) {
    ctx.error(errors::kWrongType);
    return;
  }
  int64_t removed = 0;
  for (size_t i = 2; zset != nullptr && i < ctx.argc(); ++i) {
    if (zset->remove(ctx.arg(i))) ++removed;
    if (zset->empty()) break;
  }
  if (removed > 0) {
    ctx.key_changed(key);
    if (zset->empty()) ctx.db().erase(key);
  }
  ctx.out.integer(removed);
}

// Looks up argv[1] for reading; replies WRONGTYPE (returning nullptr) on another type, and
// `when_missing` (unless it is null) when the key does not exist.
ZsetValue* read_zset(CommandContext& ctx, void (*when_missing)(CommandContext&)) {
  bool wrong_type;
  ZsetValue* zset = find_zset(ctx, ctx.arg(1), /*for_write=*/false, &wrong_type);
  if (wrong_type) {
    ctx.error(errors::kWrongType);
  } else if (zset == nullptr && when_missing != nullptr) {
    when_missing(ctx);
  }
  return zset;
}

void reply_zero(CommandContext& ctx) { ctx.out.integer(0); }
void reply_null(CommandContext& ctx) { ctx.out.null(); }

// ZCARD key
void zcard(CommandContext& ctx) {
  if (ZsetValue* zset = read_zset(ctx, reply_zero)) {
    ctx.out.integer(static_cast<int64_t>(zset->size()));
  }
}

// ZSCORE key member
void zscore(CommandContext& ctx) {
  ZsetValue* zset = read_zset(ctx, reply_null);
  if (zset == nullptr) return;
  if (auto score = zset->score(ctx.arg(2))) {
    ctx.out.double_value(*score);
  } else {
    ctx.out.null();
  }
}

// ZMSCORE key member [member ...]
void zmscore(CommandContext& ctx) {
  bool wrong_type;
  ZsetValue* zset = find_zset(ctx, ctx.arg(1), /*for_write=*/false, &wrong_type);
  if (wrong_type) {
    ctx.error(errors::kWrongType);
    return;
  }
  ctx.out.array(static_cast<int64_t>(ctx.argc() - 2));
  for (size_t i = 2; i < ctx.argc(); ++i) {
    std::optional<double> score = zset ? zset->score(ctx.arg(i)) : std::nullopt;
    if (score) {
      ctx.out.double_value(*score);
    } else {
      ctx.out.null();
    }
  }
}

void rank_generic(CommandContext& ctx, bool reverse) {
  ZsetValue* zset = read_zset(ctx, reply_null);
  if (zset == nullptr) return;
  if (auto rank = zset->rank(ctx.arg(2), reverse)) {
    ctx.out.integer(static_cast<int64_t>(*rank));
  } else {
    ctx.out.null();
  }
}

// ZRANK key member / ZREVRANK key member
void zrank(CommandContext& ctx) { rank_generic(ctx, false); }
void zrevrank(CommandContext& ctx) { rank_generic(ctx, true); }

// ZPOPMIN key [count] / ZPOPMAX key [count]
void zpop_generic(CommandContext& ctx, bool from_max) {
  if (ctx.argc() > 3) {
    ctx.error(errors::kSyntax);
    return;
  }
  std::optional<int64_t> count;
  if (ctx.argc() == 3) {
    constexpr std::string_view kNotPositive = "ERR value is out of range, must be positive";
    count = ctx.int_arg(2, kNotPositive);
    if (!count) return;
    if (*count < 0) {
      ctx.error(kNotPositive);
      return;
    }
  }
  bool wrong_type;
  ZsetValue* zset = find_zset(ctx, ctx.arg(1), /*for_write=*/true, &wrong_type);
  if (wrong_type) {
    ctx.error(errors::kWrongType);
    return;
  }
  if (zset == nullptr || (count && *count == 0)) {
    ctx.out.array(0);
    return;
  }
  // RESP3 nests the pairs only when a count was given.
  const bool nested = count.has_value() && ctx.out.protocol() >= 3;
  zset_ops::pop_and_reply(ctx, ctx.arg(1), *zset, from_max,
                          count ? static_cast<size_t>(*count) : 1,
                          nested ? zset_ops::PopReply::kNested : zset_ops::PopReply::kFlat);
}

void zpopmin(CommandContext& ctx) { zpop_generic(ctx, false); }
void zpopmax(CommandContext& ctx) { zpop_generic(ctx, true); }

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]
void zmpop(CommandContext& ctx) {
  auto args = zset_ops::parse_mpop(ctx, 1);
  if (!args) return;
  bool wrong_type;
  auto found = zset_ops::first_zset(ctx, args->keys, &wrong_type);
  if (wrong_type) {
    ctx.error(errors::kWrongType);
    return;
  }
  if (!found) {
    ctx.out.null_array();
    return;
  }
  zset_ops::pop_and_reply(ctx, args->keys[found->index], *found->zset, args->from_max,
                          args->count, zset_ops::PopReply::kKeyedNested);
}

}  // namespace

void register_zset_commands(CommandTable& table) {
  constexpr uint64_t kRead = kAclRead | kAclSortedSet;
  constexpr uint64_t kWrite = kAclWrite | kAclSortedSet;
  constexpr uint32_t kStore = kCmdWrite | kCmdDenyOom;
  table.add({"zadd", -4, kStore | kCmdFast, 1, 1, 1, kWrite, zadd, "sorted-set", "1.2.0",
             "Adds one or more members to a sorted set, or updates their scores. Creates the key if "
             "it doesn't exist.",
             "O(log(N)) for each item added, where N is the number of elements in the sorted set."});
  table.add({"zincrby", 4, kStore | kCmdFast, 1, 1, 1, kWrite, zincrby, "sorted-set", "1.2.0",
             "Increments the score of a member in a sorted set.",
             "O(log(N)) where N is the number of elements in the sorted set."});
  table.add({"zrem", -3, kCmdWrite | kCmdFast, 1, 1, 1, kWrite, zrem, "sorted-set", "1.2.0",
             "Removes one or more members from a sorted set. Deletes the sorted set if all members "
             "were removed.",
             "O(M*log(N)) with N being the number of elements in the sorted set and M the number "
             "of elements to be removed."});
  table.add({"zcard", 2, kCmdReadonly | kCmdFast, 1, 1, 1, kRead, zcard, "sorted-set", "1.2.0",
             "Returns the number of members in a sorted set.", "O(1)"});
  table.add({"zscore", 3, kCmdReadonly | kCmdFast, 1, 1, 1, kRead, zscore, "sorted-set",
             "1.2.0", "Returns the score of a member in a sorted set.", "O(1)"});
  table.add({"zmscore", -3, kCmdReadonly | kCmdFast, 1, 1, 1, kRead, zmscore, "sorted-set",
             "6.2.0", "Returns the score of one or more members in a sorted set.",
             "O(N) where N is the number of members being requested."});
  table.add({"zrank", 3, kCmdReadonly | kCmdFast, 1, 1, 1, kRead, zrank, "sorted-set", "2.0.0",
             "Returns the index of a member in a sorted set ordered by ascending scores.",
             "O(log(N))"});
  table.add({"zrevrank", 3, kCmdReadonly | kCmdFast, 1, 1, 1, kRead, zrevrank, "sorted-set",
             "2.0.0",
             "Returns the index of a member in a sorted set ordered by descending scores.",
             "O(log(N))"});
  table.add({"zpopmin", -2, kCmdWrite | kCmdFast, 1, 1, 1, kWrite, zpopmin, "sorted-set",
             "5.0.0",
             "Returns the lowest-scoring members from a sorted set after removing them. Deletes "
             "the sorted set if the last member was popped.",
             "O(log(N)*M) with N being the number of elements in the sorted set, and M being the "
             "number of elements popped."});
  table.add({"zpopmax", -2, kCmdWrite | kCmdFast, 1, 1, 1, kWrite, zpopmax, "sorted-set",
             "5.0.0",
             "Returns the highest-scoring members from a sorted set after removing them. Deletes "
             "the sorted set if the last member was popped.",
             "O(log(N)*M) with N being the number of elements in the sorted set, and M being the "
             "number of elements popped."});
  // Keys follow numkeys, which the (first, last, step) triple cannot express: first_key 0.
  table.add({"zmpop", -4, kCmdWrite, 0, 0, 0, kWrite, zmpop, "sorted-set", "7.0.0",
             "Returns the highest- or lowest-scoring members from one or more sorted sets after "
             "removing them. Deletes the sorted set if the last member was popped.",
             "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of "
             "elements in the sorted set, and M being the number of elements popped."});
  register_zset_range_commands(table);
  register_zset_store_commands(table);
}

}  // namespace stashd
