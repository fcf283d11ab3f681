// Owns: the sorted-set family's multi-key algebra: ZUNION ZINTER ZDIFF (WEIGHTS, AGGREGATE,
// WITHSCORES), their STORE forms ZUNIONSTORE ZINTERSTORE ZDIFFSTORE, and ZINTERCARD; plain sets
// are accepted as inputs (members score 1). Registered from register_zset_commands. Must not touch: other families, the keyspace's internals.
// Thread: the event loop.
#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "commands/zset_ops.h"
#include "stashd/common/strings.h"
#include "stashd/types/set.h"

namespace stashd {

namespace {

enum class SetOp : uint8_t { kUnion, kInter, kDiff };
enum class Aggregate : uint8_t { kSum, kMin, kMax };

// One input: a sorted set, a plain set (every member scoring 1, as in Redis), or a missing key.
struct Source {
  const ZsetValue* zset = nullptr;
  const SetValue* set = nullptr;
  double weight = 1;

  size_t size() const { return zset ? zset->size() : set ? set->size() : 0; }
  std::optional<double> score(std::string_view member) const {
    if (zset) return zset->score(member);
    if (set && set->contains(member)) return 1.0;
    return std::nullopt;
  }
  // Calls fn(member, score) for every member until it returns false; the member view lasts for
  // the call.
  template <typename Fn>
  void for_each(Fn&& fn) const {
    if (zset) {
      for (ZsetValue::Cursor c = zset->at_rank(0); c.valid(); c.next()) {
        if (!fn(c.member(), c.score())) return;
      }
    } else if (set) {
      char buf[24];
      for (size_t p = set->first(); p != SetValue::kEnd; p = set->next(p)) {
        if (!fn(set->member_at(p, buf), 1.0)) return;
      }
    }
  }
};

// Finds an input key; false (after replying WRONGTYPE) for anything but a zset or a set.
bool find_source(CommandContext& ctx, std::string_view key, bool for_write, Source* src) {
  Db& db = ctx.db();
  EntryIndex e = for_write ? db.lookup_write(key) : db.lookup_read(key);
  if (e == kNoEntry) return true;
  entry::View v = db.view(e);
  if (v.type() == ValueType::kZset) {
    src->zset = static_cast<const ZsetValue*>(v.object());
  } else if (v.type() == ValueType::kSet) {
    src->set = static_cast<const SetValue*>(v.object());
  } else {
    ctx.error(errors::kWrongType);
    return false;
  }
  return true;
}

struct AlgebraRequest {
  std::vector<Source> sources;
  Aggregate aggregate = Aggregate::kSum;
  bool with_scores = false;
  int64_t limit = 0;  // ZINTERCARD; 0 = no limit
};

// A sum of +inf and -inf is NaN, which Redis turns into 0.
void aggregate_into(double* target, double value, Aggregate how) {
  switch (how) {
    case Aggregate::kSum:
      *target += value;
      if (std::isnan(*target)) *target = 0;
      break;
    case Aggregate::kMin:
      *target = value < *target ? value : *target;
      break;
    case Aggregate::kMax:
      *target = value > *target ? value : *target;
      break;
  }
}

// Parses "numkeys key... [options]" from argv[numkeys_index]. Keys are looked up before the
// options are read, so WRONGTYPE wins over a syntax error as in Redis.
std::optional<AlgebraRequest> parse_algebra(CommandContext& ctx, size_t numkeys_index, SetOp op,
                                            bool store, bool cardinality_only) {
  auto numkeys = ctx.int_arg(numkeys_index);
  if (!numkeys) return std::nullopt;
  if (*numkeys < 1) {
    ctx.error("ERR at least 1 input key is needed for '" + ctx.command.full_name + "' command");
    return std::nullopt;
  }
  const size_t first = numkeys_index + 1;
  if (static_cast<uint64_t>(*numkeys) > ctx.argc() - first) {
    ctx.error(errors::kSyntax);
    return std::nullopt;
  }
  AlgebraRequest r;
  const auto n = static_cast<size_t>(*numkeys);
  r.sources.resize(n);
  for (size_t i = 0; i < n; ++i) {
    if (!find_source(ctx, ctx.arg(first + i), store, &r.sources[i])) return std::nullopt;
  }
  const bool scored = op != SetOp::kDiff && !cardinality_only;
  for (size_t i = first + n; i < ctx.argc();) {
    const size_t left = ctx.argc() - i;
    if (scored && left >= n + 1 && ctx.arg_is(i, "WEIGHTS")) {
      for (size_t k = 0; k < n; ++k) {
        if (!parse_double(ctx.arg(i + 1 + k), &r.sources[k].weight)) {
          ctx.error("ERR weight value is not a float");
          return std::nullopt;
        }
      }
      i += n + 1;
    } else if (scored && left >= 2 && ctx.arg_is(i, "AGGREGATE")) {
      if (ctx.arg_is(i + 1, "SUM")) {
        r.aggregate = Aggregate::kSum;
      } else if (ctx.arg_is(i + 1, "MIN")) {
        r.aggregate = Aggregate::kMin;
      } else if (ctx.arg_is(i + 1, "MAX")) {
        r.aggregate = Aggregate::kMax;
      } else {
        ctx.error(errors::kSyntax);
        return std::nullopt;
      }
      i += 2;
    } else if (!store && !cardinality_only && ctx.arg_is(i, "WITHSCORES")) {
      r.with_scores = true;
      i += 1;
    } else if (cardinality_only && left >= 2 && ctx.arg_is(i, "LIMIT")) {
      constexpr std::string_view kBadLimit = "ERR LIMIT can't be negative";
      auto limit = ctx.int_arg(i + 1, kBadLimit);
      if (!limit) return std::nullopt;
      if (*limit < 0) {
        ctx.error(kBadLimit);
        return std::nullopt;
      }
      r.limit = *limit;
      i += 2;
    } else {
      ctx.error(errors::kSyntax);
      return std::nullopt;
    }
  }
  return r;
}

using Scored = std::vector<std::pair<std::string, double>>;

// Weighted scores are NaN for 0 * inf; Redis counts those as 0.
double weighted(double score, double weight) {
  const double v = score * weight;
  return std::isnan(v) ? 0 : v;
}

// Inputs go smallest first, as Redis orders them: intersections probe fewer members, and sums
// that meet infinities come out the same as Redis's.
void order_by_size(std::vector<Source>* sources) {
  std::stable_sort(sources->begin(), sources->end(),
                   [](const Source& a, const Source& b) { return a.size() < b.size(); });
}

// Calls keep(member, score) for each member of the intersection. keep returns false to stop.
template <typename Keep>
void intersect(std::vector<Source>& sources, Aggregate how, Keep&& keep) {
  order_by_size(&sources);
  if (sources[0].size() == 0) return;
  sources[0].for_each([&](std::string_view member, double first_score) {
    double score = weighted(first_score, sources[0].weight);
    bool everywhere = true;
    for (size_t j = 1; j < sources.size() && everywhere; ++j) {
      std::optional<double> other = sources[j].score(member);
      if (other) {
        aggregate_into(&score, *other * sources[j].weight, how);
      } else {
        everywhere = false;
      }
    }
    return !everywhere || keep(member, score);
  });
}

Scored union_of(std::vector<Source>& sources, Aggregate how) {
  order_by_size(&sources);
  std::unordered_map<std::string, double> acc;
  acc.reserve(sources.back().size());
  for (const Source& src : sources) {
    src.for_each([&](std::string_view member, double raw) {
      const double score = weighted(raw, src.weight);
      auto [it, inserted] = acc.try_emplace(std::string(member), score);
      if (!inserted) aggregate_into(&it->second, score, how);
      return true;
    });
  }
  Scored out;
  out.reserve(acc.size());
  for (auto& [member, score] : acc) out.emplace_back(member, score);
  return out;
}

// Members of the first input found in none of the others, with their first-input scores.
Scored difference_of(const std::vector<Source>& sources) {
  Scored out;
  sources[0].for_each([&](std::string_view member, double score) {
    bool elsewhere = false;
    for (size_t j = 1; j < sources.size() && !elsewhere; ++j) {
      elsewhere = sources[j].score(member).has_value();
    }
    if (!elsewhere) out.emplace_back(member, score);
    return true;
  });
  return out;
}

// The shared body of ZUNION/ZINTER/ZDIFF and their STORE forms. With `store`, argv[1] is the
// destination and numkeys is argv[2].
void algebra_generic(CommandContext& ctx, SetOp op, bool store) {
  auto request = parse_algebra(ctx, store ? 2 : 1, op, store, false);
  if (!request) return;
  Scored result;
  if (op == SetOp::kUnion) {
    result = union_of(request->sources, request->aggregate);
  } else if (op == SetOp::kInter) {
    intersect(request->sources, request->aggregate, [&](std::string_view m, double s) {
      result.emplace_back(m, s);
      return true;
    });
  } else {
    result = difference_of(request->sources);
  }
  std::sort(result.begin(), result.end(), [](const auto& a, const auto& b) {
    return a.second < b.second || (a.second == b.second && a.first < b.first);
  });
  if (!store) {
    zset_ops::RangeReply reply(ctx, request->with_scores);
    for (const auto& [member, score] : result) reply.add(member, score);
    reply.finish();
    return;
  }
  size_t longest = 0;
  for (const auto& entry : result) longest = std::max(longest, entry.first.size());
  const ZsetLimits limits = zset_ops::limits(ctx);
  auto zset = std::make_unique<ZsetValue>(result.size(), longest, limits);
  for (const auto& [member, score] : result) zset->add(member, score, {}, limits);
  zset_ops::store_result(ctx, ctx.arg(1), std::move(zset));
}

void zunion(CommandContext& ctx) { algebra_generic(ctx, SetOp::kUnion, false); }
void zinter(CommandContext& ctx) { algebra_generic(ctx, SetOp::kInter, false); }
void zdiff(CommandContext& ctx) { algebra_generic(ctx, SetOp::kDiff, false); }
void zunionstore(CommandContext& ctx) { algebra_generic(ctx, SetOp::kUnion, true); }
void zinterstore(CommandContext& ctx) { algebra_generic(ctx, SetOp::kInter, true); }
void zdiffstore(CommandContext& ctx) { algebra_generic(ctx, SetOp::kDiff, true); }

// ZINTERCARD numkeys key [key ...] [LIMIT limit]
void zintercard(CommandContext& ctx) {
  auto request = parse_algebra(ctx, 1, SetOp::kInter, false, true);
  if (!request) return;
  int64_t count = 0;
  intersect(request->sources, Aggregate::kSum, [&](std::string_view, double) {
    ++count;
    return request->limit == 0 || count < request->limit;
  });
  ctx.out.integer(count);
}

}  // namespace

void register_zset_store_commands(CommandTable& table) {
  constexpr uint64_t kRead = kAclRead | kAclSortedSet;
  constexpr uint64_t kWrite = kAclWrite | kAclSortedSet;
  constexpr uint32_t kStore = kCmdWrite | kCmdDenyOom;
  const char* const kUnionCost =
      "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being "
      "the number of elements in the resulting sorted set.";
  const char* const kInterCost =
      "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the "
      "number of input sorted sets and M being the number of elements in the resulting sorted "
      "set.";
  const char* const kDiffCost =
      "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N "
      "is the size of the first set, and K is the size of the result set.";
  // The input keys follow numkeys, which (first, last, step) cannot express: the numkeys-only
  // commands have first_key 0, the STORE forms list just their destination.
  table.add({"zunion", -3, kCmdReadonly, 0, 0, 0, kRead, zunion, "sorted-set", "6.2.0",
             "Returns the union of multiple sorted sets.", kUnionCost});
  table.add({"zinter", -3, kCmdReadonly, 0, 0, 0, kRead, zinter, "sorted-set", "6.2.0",
             "Returns the intersect of multiple sorted sets.", kInterCost});
  table.add({"zdiff", -3, kCmdReadonly, 0, 0, 0, kRead, zdiff, "sorted-set", "6.2.0",
             "Returns the difference between multiple sorted sets.", kDiffCost});
  table.add({"zunionstore", -4, kStore, 1, 1, 1, kWrite, zunionstore, "sorted-set", "2.0.0",
             "Stores the union of multiple sorted sets in a key.", kUnionCost});
  table.add({"zinterstore", -4, kStore, 1, 1, 1, kWrite, zinterstore, "sorted-set", "2.0.0",
             "Stores the intersect of multiple sorted sets in a key.", kInterCost});
  table.add({"zdiffstore", -4, kStore, 1, 1, 1, kWrite, zdiffstore, "sorted-set", "6.2.0",
             "Stores the difference of multiple sorted sets in a key.", kDiffCost});
  table.add({"zintercard", -3, kCmdReadonly, 0, 0, 0, kRead, zintercard, "sorted-set", "7.0.0",
             "Returns the number of members of the intersect of multiple sorted sets.",
             "O(N*K) worst case with N being the smallest input sorted set, K being the number of "
             "input sorted sets."});
}

}  // namespace stashd
