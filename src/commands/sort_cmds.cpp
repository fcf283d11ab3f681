// Owns: SORT and SORT_RO (BY pattern / nosort, LIMIT, GET, ASC|DESC, ALPHA, STORE) with Redis 7.0
// replies, and their table rows. Must not touch: the value types beyond their public read API,
// other families' state, sockets. Thread: the event loop.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "commands/list_ops.h"
#include "stashd/command/context.h"
#include "stashd/commands/registry.h"
#include "stashd/types/hash.h"
#include "stashd/types/list.h"
#include "stashd/types/set.h"
#include "stashd/types/zset.h"

namespace stashd {

namespace {

constexpr std::string_view kNotDouble = "ERR One or more scores can't be converted into double";

struct SortOptions {
  std::string_view by;     // the last BY pattern (only used when sorting)
  bool dont_sort = false;  // some BY had no '*'; sticky across later BYs, as in Redis
  bool desc = false;
  bool alpha = false;
  int64_t offset = 0;
  int64_t count = -1;  // negative: up to the end
  std::vector<std::string_view> gets;
  std::optional<std::string_view> store;
};

// Parses argv[2..]; replies the error and returns nullopt when malformed. SORT_RO has no STORE.
std::optional<SortOptions> parse_options(CommandContext& ctx, bool read_only) {
  SortOptions opt;
  for (size_t j = 2; j < ctx.argc(); ++j) {
    const size_t left = ctx.argc() - j - 1;
    if (ctx.arg_is(j, "ASC")) {
      opt.desc = false;
    } else if (ctx.arg_is(j, "DESC")) {
      opt.desc = true;
    } else if (ctx.arg_is(j, "ALPHA")) {
      opt.alpha = true;
    } else if (ctx.arg_is(j, "LIMIT") && left >= 2) {
      auto offset = ctx.int_arg(j + 1);
      if (!offset) return std::nullopt;
      auto count = ctx.int_arg(j + 2);
      if (!count) return std::nullopt;
      opt.offset = *offset;
      opt.count = *count;
      j += 2;
    } else if (!read_only && ctx.arg_is(j, "STORE") && left >= 1) {
      opt.store = ctx.arg(++j);
    } else if (ctx.arg_is(j, "BY") && left >= 1) {
      opt.by = ctx.arg(++j);
      if (opt.by.find('*') == std::string_view::npos) opt.dont_sort = true;
    } else if (ctx.arg_is(j, "GET") && left >= 1) {
      opt.gets.push_back(ctx.arg(++j));
    } else {
      ctx.error(errors::kSyntax);
      return std::nullopt;
    }
  }
  return opt;
}

// The part of the sorted result LIMIT selects, clamped to the source size as Redis clamps it.
struct Window {
  size_t first = 0;
  size_t count = 0;
};

Window window_of(size_t size, int64_t offset, int64_t count) {
  const auto n = static_cast<int64_t>(size);
  const int64_t start = std::max<int64_t>(offset, 0);
  if (start >= n || count == 0) return {};
  const int64_t available = n - start;
  const int64_t taken = count < 0 ? available : std::min(count, available);
  return {static_cast<size_t>(start), static_cast<size_t>(taken)};
}

// A BY/GET pattern: "#" names the element itself; otherwise the first '*' is replaced by the
// element to form a key, and "->field" after the '*' (with a non-empty field) reads a hash field.
// Without a '*' the pattern names nothing.
struct Pattern {
  enum class Kind : uint8_t { kElement, kNothing, kKey };
  Kind kind = Kind::kNothing;
  std::string_view prefix = {};
  std::string_view suffix = {};
  std::string_view field = {};  // empty: the key holds a string
};

Pattern parse_pattern(std::string_view p) {
  if (p == "#") return {Pattern::Kind::kElement};
  const size_t star = p.find('*');
  if (star == std::string_view::npos) return {};
  Pattern r{Pattern::Kind::kKey, p.substr(0, star), p.substr(star + 1), {}};
  const size_t arrow = r.suffix.find("->");
  if (arrow != std::string_view::npos && arrow + 2 < r.suffix.size()) {
    r.field = r.suffix.substr(arrow + 2);
    r.suffix = r.suffix.substr(0, arrow);
  }
  return r;
}

// Resolves patterns against the keyspace, reusing one key buffer for the whole command.
class PatternLookup {
 public:
  // With STORE the lookups are writes' lookups (no hit/miss counting), as in Redis.
  PatternLookup(Db& db, bool for_write) : db_(db), for_write_(for_write) {}

  // The string or hash field `pattern` names for `element`, or nullopt when it is missing or of
  // another type. The view lives until the next lookup or keyspace change.
  std::optional<std::string_view> find(const Pattern& pattern, std::string_view element) {
    if (pattern.kind == Pattern::Kind::kElement) return element;
    if (pattern.kind == Pattern::Kind::kNothing) return std::nullopt;
    key_.assign(pattern.prefix).append(element).append(pattern.suffix);
    const EntryIndex e = for_write_ ? db_.lookup_write(key_) : db_.lookup_read(key_);
    if (e == kNoEntry) return std::nullopt;
    const entry::View v = db_.view(e);
    if (pattern.field.empty()) {
      if (v.type() != ValueType::kString) return std::nullopt;
      return db_.string_value(e, buf_);
    }
    if (v.type() != ValueType::kHash) return std::nullopt;
    return static_cast<const HashValue*>(v.object())->get(pattern.field, buf_);
  }

 private:
  Db& db_;
  bool for_write_;
  std::string key_;
  char buf_[24];
};

// One element to sort. Its bytes (and an ALPHA BY value) live in Elements::bytes: copies, because
// STORE may overwrite the source and pattern lookups may expire keys.
struct Item {
  size_t offset;
  size_t size;
  double score = 0;  // numeric sorts; a missing BY value weighs 0
  size_t by_offset = 0;
  size_t by_size = 0;
  bool has_by = false;  // ALPHA BY: the value was found (missing values sort first)
};

struct Elements {
  std::string bytes;
  std::vector<Item> items;

  void add(std::string_view element) {
    items.push_back({bytes.size(), element.size()});
    bytes.append(element);
  }
  std::string_view element(const Item& item) const {
    return std::string_view(bytes).substr(item.offset, item.size);
  }
  std::string_view by_value(const Item& item) const {
    return std::string_view(bytes).substr(item.by_offset, item.by_size);
  }
};

template <class Cursor, class Read>
void load_run(Cursor cursor, size_t count, bool backwards, Read read, Elements* out) {
  for (size_t i = 0; i < count && cursor.valid(); ++i) {
    out->add(read(cursor));
    backwards ? cursor.prev() : cursor.next();
  }
}

// Copies the source's elements. Unsorted lists and sorted sets load only the window, in their
// own order (reversed by DESC), and the window becomes the whole vector, as Redis does.
void load_elements(const entry::View* source, bool dont_sort, bool desc, Window* window,
                   Elements* out) {
  if (source == nullptr) return;
  char buf[24];
  auto list_value = [&buf](ListValue::Cursor& c) { return c.value().as_string(buf); };
  auto zset_member = [](ZsetValue::Cursor& c) { return c.member(); };
  switch (source->type()) {
    case ValueType::kList: {
      const auto& list = *static_cast<const ListValue*>(source->object());
      if (!dont_sort) {
        out->items.reserve(list.size());
        load_run(list.seek(0), list.size(), false, list_value, out);
        return;
      }
      const auto first = static_cast<int64_t>(window->first);
      out->items.reserve(window->count);
      if (window->count > 0) {
        load_run(list.seek(desc ? -1 - first : first), window->count, desc, list_value, out);
      }
      *window = {0, out->items.size()};
      return;
    }
    case ValueType::kZset: {
      const auto& zset = *static_cast<const ZsetValue*>(source->object());
      if (!dont_sort) {
        out->items.reserve(zset.size());
        load_run(zset.at_rank(0), zset.size(), false, zset_member, out);
        return;
      }
      out->items.reserve(window->count);
      if (window->count > 0) {
        const size_t rank = desc ? zset.size() - 1 - window->first : window->first;
        load_run(zset.at_rank(rank), window->count, desc, zset_member, out);
      }
      *window = {0, out->items.size()};
      return;
    }
    case ValueType::kSet: {
      const auto& set = *static_cast<const SetValue*>(source->object());
      out->items.reserve(set.size());
      for (size_t p = set.first(); p != SetValue::kEnd; p = set.next(p)) {
        out->add(set.member_at(p, buf));
      }
      return;
    }
    default:
      return;
  }
}

// Redis reads weights with strtod: leading spaces, hex and "inf" pass, an empty string is 0;
// trailing bytes, NaN and out-of-range values fail.
bool read_weight(std::string_view s, std::string* scratch, double* out) {
  scratch->assign(s);
  errno = 0;
  char* end;
  *out = std::strtod(scratch->c_str(), &end);
  return *end == '\0' && errno != ERANGE && !std::isnan(*out);
}

// Fills in every item's sort key; false when a numeric key is not a number.
bool compute_keys(const SortOptions& opt, PatternLookup& lookup, Elements* els) {
  const bool by = !opt.by.empty();
  const Pattern by_pattern = parse_pattern(opt.by);
  std::string scratch;
  for (Item& item : els->items) {
    std::optional<std::string_view> key = els->element(item);
    if (by) {
      key = lookup.find(by_pattern, *key);
      if (!key) continue;
    }
    if (!opt.alpha) {
      if (!read_weight(*key, &scratch, &item.score)) return false;
    } else if (by) {
      item.has_by = true;
      item.by_offset = els->bytes.size();
      item.by_size = key->size();
      els->bytes.append(*key);
    }
  }
  return true;
}

int sign(int v) { return (v > 0) - (v < 0); }

// Orders the items up to the end of the window (the rest stay unordered). Equal numeric weights
// fall back to comparing the elements' bytes, as Redis does. ALPHA BY ties keep the source order,
// as glibc's qsort (a merge sort) leaves them for Redis; this also makes the comparison total, so
// a partial sort for LIMIT gives the same window as a full one. Byte order stands in for strcoll().
void sort_window(const SortOptions& opt, const Window& window, Elements* els) {
  const bool by = !opt.by.empty();
  auto compare = [&](const Item& a, const Item& b) {
    if (!opt.alpha) {
      if (a.score != b.score) return a.score < b.score ? -1 : 1;
      return sign(els->element(a).compare(els->element(b)));
    }
    if (!by) return sign(els->element(a).compare(els->element(b)));
    if (!a.has_by || !b.has_by) return int{a.has_by} - int{b.has_by};
    return sign(els->by_value(a).compare(els->by_value(b)));
  };
  auto less = [&](const Item& a, const Item& b) {
    int cmp = compare(a, b);
    if (opt.desc) cmp = -cmp;
    return cmp != 0 ? cmp < 0 : a.offset < b.offset;
  };
  if (window.count == 0) return;
  auto& items = els->items;
  const size_t stop = window.first + window.count;
  if (stop < items.size()) {
    std::partial_sort(items.begin(), items.begin() + static_cast<ptrdiff_t>(stop), items.end(),
                      less);
  } else {
    std::sort(items.begin(), items.end(), less);
  }
}

void reply_result(CommandContext& ctx, const std::vector<Pattern>& gets, const Window& window,
                  const Elements& els, PatternLookup& lookup) {
  const size_t per_item = gets.empty() ? 1 : gets.size();
  ctx.out.array(static_cast<int64_t>(window.count * per_item));
  for (size_t i = window.first; i < window.first + window.count; ++i) {
    const std::string_view element = els.element(els.items[i]);
    if (gets.empty()) ctx.out.bulk(element);
    for (const Pattern& get : gets) {
      if (auto value = lookup.find(get, element)) {
        ctx.out.bulk(*value);
      } else {
        ctx.out.null();
      }
    }
  }
}

// STORE: the result becomes a list at the destination (replacing any value and deadline; a
// missing GET value is stored as an empty string), or the destination goes when it is empty.
// `by_value`: the order is not a function of the data alone, so replicas get the result itself
// (DEL + RPUSH) rather than the command.
void store_result(CommandContext& ctx, std::string_view dst, const std::vector<Pattern>& gets,
                  const Window& window, const Elements& els, PatternLookup& lookup, bool by_value) {
  auto list = std::make_unique<ListValue>(ctx.node.config().list_max_listpack_size);
  ArgvBuilder replica_list;
  if (by_value) {
    ctx.propagate_as({"DEL", dst});
    if (window.count > 0) replica_list = ctx.also_propagate({"RPUSH", dst});
  }
  for (size_t i = window.first; i < window.first + window.count; ++i) {
    const std::string_view element = els.element(els.items[i]);
    if (gets.empty()) {
      list->push_back(element);
      replica_list.add(element);
    }
    for (const Pattern& get : gets) {
      const std::string_view value = lookup.find(get, element).value_or("");
      list->push_back(value);
      replica_list.add(value);
    }
  }
  const size_t stored = list->size();
  Db& db = ctx.db();
  if (stored > 0) {
    if (db.set_object(dst, ValueType::kList, std::move(list)) == kNoEntry) {
      ctx.error(errors::kOutOfMemory);
      return;
    }
    ctx.key_changed(dst);
    ctx.node.dirty += stored - 1;  // Redis counts one change per stored element
  } else if (db.erase(dst)) {
    ctx.key_changed(dst);
  }
  ctx.out.integer(static_cast<int64_t>(stored));
}

void sort_generic(CommandContext& ctx, bool read_only) {
  std::optional<SortOptions> opt = parse_options(ctx, read_only);
  if (!opt) return;
  Db& db = ctx.db();
  const EntryIndex e = db.lookup_read(ctx.arg(1));
  std::optional<entry::View> source;
  size_t size = 0;
  if (e != kNoEntry) {
    source = db.view(e);
    switch (source->type()) {
      case ValueType::kList:
        size = static_cast<const ListValue*>(source->object())->size();
        break;
      case ValueType::kSet:
        size = static_cast<const SetValue*>(source->object())->size();
        break;
      case ValueType::kZset:
        size = static_cast<const ZsetValue*>(source->object())->size();
        break;
      default:
        ctx.error(errors::kWrongType);
        return;
    }
  }
  // A set has no order of its own: a stored unsorted result is sorted ALPHA instead, so that it
  // does not depend on the set's layout (Redis does the same for STORE and scripts).
  if (opt->dont_sort && source && source->type() == ValueType::kSet && opt->store) {
    opt->dont_sort = false;
    opt->alpha = true;
    opt->by = {};
  }

  Window window = window_of(size, opt->offset, opt->count);
  Elements els;
  load_elements(source ? &*source : nullptr, opt->dont_sort, opt->desc, &window, &els);
  PatternLookup lookup(db, opt->store.has_value());
  if (!opt->dont_sort) {
    if (!compute_keys(*opt, lookup, &els)) {
      ctx.error(kNotDouble);
      return;
    }
    sort_window(*opt, window, &els);
  }

  std::vector<Pattern> gets;
  gets.reserve(opt->gets.size());
  for (std::string_view g : opt->gets) gets.push_back(parse_pattern(g));
  if (opt->store) {
    // Ties between equal ALPHA BY values keep a set's layout order, which replicas do not share.
    const bool by_value =
        source && source->type() == ValueType::kSet && opt->alpha && !opt->by.empty();
    store_result(ctx, *opt->store, gets, window, els, lookup, by_value);
  } else {
    reply_result(ctx, gets, window, els, lookup);
  }
}

void sort(CommandContext& ctx) { sort_generic(ctx, /*read_only=*/false); }
void sort_ro(CommandContext& ctx) { sort_generic(ctx, /*read_only=*/true); }

}  // namespace

void register_sort_commands(CommandTable& table) {
  constexpr std::string_view kSummary =
      "Sorts the elements in a list, a set, or a sorted set, optionally storing the result.";
  constexpr std::string_view kComplexity =
      "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the "
      "number of returned elements. When the elements are not sorted, complexity is O(N).";
  constexpr uint64_t kTypes = kAclSet | kAclSortedSet | kAclList | kAclDangerous;
  // The STORE destination is a key too; like Redis's legacy key range, the row names only the
  // source (Redis finds the destination with a getkeys procedure: "movablekeys").
  table.add({"sort", -2, kCmdWrite | kCmdDenyOom, 1, 1, 1, kAclWrite | kTypes, sort, "generic",
             "1.0.0", kSummary, kComplexity});
  table.add({"sort_ro", -2, kCmdReadonly, 1, 1, 1, kAclRead | kTypes, sort_ro, "generic", "7.0.0",
             "Returns the sorted elements of a list, a set, or a sorted set.", kComplexity});
}

}  // namespace stashd
