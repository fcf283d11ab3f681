// Owns: the string family's byte-range commands: APPEND STRLEN GETRANGE SETRANGE SUBSTR and LCS,
// with Redis 7 replies; registered from register_string_commands. Edits are made in place on heap
// strings. Must not touch: other families, the keyspace's internals. Thread: the event loop.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "commands/string_access.h"
#include "stashd/command/context.h"
#include "stashd/commands/registry.h"

namespace stashd {

namespace {

using string_access::check_stored;
using string_access::fits_bulk_limit;
using string_access::reject_non_string;

void append(CommandContext& ctx) {
  Db& db = ctx.db();
  std::string_view key = ctx.arg(1);
  std::string_view suffix = ctx.arg(2);
  EntryIndex e = db.lookup_write(key);
  if (reject_non_string(ctx, e)) return;
  size_t length = suffix.size();
  if (e == kNoEntry) {
    if (!check_stored(ctx, db.set_string(key, suffix))) return;
  } else {
    char buf[24];
    const size_t old_length = db.string_value(e, buf).size();
    if (!fits_bulk_limit(ctx, old_length, suffix.size())) return;
    std::string* value = string_access::writable_string(ctx, key, e, old_length + suffix.size());
    if (value == nullptr) return;
    value->append(suffix);  // std::string grows geometrically: amortized O(1) per byte
    length = value->size();
  }
  ctx.key_changed(key);
  ctx.out.integer(static_cast<int64_t>(length));
}

void string_length(CommandContext& ctx) {
  Db& db = ctx.db();
  EntryIndex e = db.lookup_read(ctx.arg(1));
  if (reject_non_string(ctx, e)) return;
  char buf[24];
  ctx.out.integer(e == kNoEntry ? 0 : static_cast<int64_t>(db.string_value(e, buf).size()));
}

// GETRANGE's Redis 7 index rules: negative indexes count from the end and clamp at 0, so an end
// below -len still selects the first byte ("GETRANGE k 0 -100" is the first byte in Redis 7).
std::string_view byte_range(std::string_view s, int64_t start, int64_t end) {
  const int64_t len = static_cast<int64_t>(s.size());
  if (start < 0 && end < 0 && start > end) return {};
  if (start < 0) start = std::max<int64_t>(len + start, 0);
  if (end < 0) end = std::max<int64_t>(len + end, 0);
  end = std::min(end, len - 1);
  if (start > end) return {};
  return s.substr(static_cast<size_t>(start), static_cast<size_t>(end - start + 1));
}

void getrange(CommandContext& ctx) {
  std::optional<int64_t> start = ctx.int_arg(2);
  if (!start) return;
  std::optional<int64_t> end = ctx.int_arg(3);
  if (!end) return;
  Db& db = ctx.db();
  EntryIndex e = db.lookup_read(ctx.arg(1));
  if (reject_non_string(ctx, e)) return;
  char buf[24];
  ctx.out.bulk(e == kNoEntry ? std::string_view{}
                             : byte_range(db.string_value(e, buf), *start, *end));
}

void setrange(CommandContext& ctx) {
  std::optional<int64_t> offset = ctx.int_arg(2);
  if (!offset) return;
  if (*offset < 0) {
    ctx.error("ERR offset is out of range");
    return;
  }
  Db& db = ctx.db();
  std::string_view key = ctx.arg(1);
  std::string_view patch = ctx.arg(3);
  EntryIndex e = db.lookup_write(key);
  if (reject_non_string(ctx, e)) return;
  char buf[24];
  const size_t old_length = e == kNoEntry ? 0 : db.string_value(e, buf).size();
  if (patch.empty()) {  // nothing to write: no key is created, no value is touched
    ctx.out.integer(static_cast<int64_t>(old_length));
    return;
  }
  // Checked before anything is allocated: the offset alone may ask for gigabytes.
  if (!fits_bulk_limit(ctx, static_cast<uint64_t>(*offset), patch.size())) return;
  const size_t start = static_cast<size_t>(*offset);
  const size_t end = start + patch.size();
  std::string* value = string_access::writable_string(ctx, key, e, std::max(old_length, end));
  if (value == nullptr) return;
  if (value->size() < end) value->resize(end, '\0');
  value->replace(start, patch.size(), patch);
  ctx.key_changed(key);
  ctx.out.integer(static_cast<int64_t>(value->size()));
}

struct LcsOptions {
  bool len = false;
  bool idx = false;
  bool with_match_len = false;
  int64_t min_match_len = 0;
};

std::optional<LcsOptions> parse_lcs_options(CommandContext& ctx) {
  LcsOptions o;
  for (size_t i = 3; i < ctx.argc(); ++i) {
    if (ctx.arg_is(i, "LEN")) {
      o.len = true;
    } else if (ctx.arg_is(i, "IDX")) {
      o.idx = true;
    } else if (ctx.arg_is(i, "WITHMATCHLEN")) {
      o.with_match_len = true;
    } else if (ctx.arg_is(i, "MINMATCHLEN") && i + 1 < ctx.argc()) {
      std::optional<int64_t> v = ctx.int_arg(++i);
      if (!v) return std::nullopt;
      o.min_match_len = std::max<int64_t>(*v, 0);
    } else {
      ctx.error(errors::kSyntax);
      return std::nullopt;
    }
  }
  if (o.len && o.idx) {
    ctx.error("ERR If you want both the length and indexes, please just use IDX.");
    return std::nullopt;
  }
  return o;
}

struct LcsMatch {
  uint32_t a_start, a_end, b_start, b_end;
  uint32_t length() const { return a_end - a_start + 1; }
};

// The dynamic-programming table of common-subsequence lengths: cell (i, j) is the LCS length of
// a[0..i) and b[0..j). Both strings must outlive the table.
class LcsTable {
 public:
  LcsTable(std::string_view a, std::string_view b)
      : a_(a), b_(b), width_(b.size() + 1), cells_((a.size() + 1) * width_, 0) {
    for (size_t i = 1; i <= a.size(); ++i) {
      for (size_t j = 1; j <= b.size(); ++j) {
        cells_[i * width_ + j] =
            a[i - 1] == b[j - 1] ? at(i - 1, j - 1) + 1 : std::max(at(i - 1, j), at(i, j - 1));
      }
    }
  }

  uint32_t length() const { return at(a_.size(), b_.size()); }

  // Walks back from the ends of both strings, calling on_match(i, j) for every matched pair, last
  // first. On a tie it steps back in b, which fixes the ranges Redis reports.
  template <typename OnMatch>
  void walk(OnMatch&& on_match) const {
    size_t i = a_.size();
    size_t j = b_.size();
    while (i > 0 && j > 0) {
      if (a_[i - 1] == b_[j - 1]) {
        on_match(i - 1, j - 1);
        --i;
        --j;
      } else if (at(i - 1, j) > at(i, j - 1)) {
        --i;
      } else {
        --j;
      }
    }
  }

  std::string sequence() const {
    std::string s(length(), '\0');
    size_t k = s.size();
    walk([&](size_t i, size_t) { s[--k] = a_[i]; });
    return s;
  }

  // Maximal runs matched in both strings at once, from the end, keeping those of min_len or more.
  std::vector<LcsMatch> matches(uint64_t min_len) const {
    std::vector<LcsMatch> out;
    std::optional<LcsMatch> run;
    auto flush = [&] {
      if (run && run->length() >= min_len) out.push_back(*run);
    };
    walk([&](size_t i, size_t j) {
      const auto ai = static_cast<uint32_t>(i);
      const auto bj = static_cast<uint32_t>(j);
      if (run && run->a_start == ai + 1 && run->b_start == bj + 1) {
        run->a_start = ai;
        run->b_start = bj;
        return;
      }
      flush();
      run = LcsMatch{ai, ai, bj, bj};
    });
    flush();
    return out;
  }

 private:
  uint32_t at(size_t i, size_t j) const { return cells_[i * width_ + j]; }

  std::string_view a_;
  std::string_view b_;
  size_t width_;
  std::vector<uint32_t> cells_;
};

// Refuses inputs whose table would not fit in 32-bit cells or would exceed proto-max-bulk-len.
bool lcs_table_allowed(CommandContext& ctx, std::string_view a, std::string_view b) {
  constexpr size_t kMaxInput = UINT32_MAX - 1;
  if (a.size() >= kMaxInput || b.size() >= kMaxInput) {
    ctx.error("ERR String too long for LCS");
    return false;
  }
  const uint64_t max_cells =
      static_cast<uint64_t>(ctx.node.config().proto_max_bulk_len) / sizeof(uint32_t);
  if (a.size() + 1 > max_cells / (b.size() + 1)) {
    ctx.error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
    return false;
  }
  return true;
}

void reply_lcs_matches(CommandContext& ctx, const LcsTable& table, const LcsOptions& o) {
  const std::vector<LcsMatch> matches = table.matches(static_cast<uint64_t>(o.min_match_len));
  resp::ReplyWriter& out = ctx.out;
  out.map(2);
  out.bulk("matches");
  out.array(static_cast<int64_t>(matches.size()));
  for (const LcsMatch& m : matches) {
    out.array(o.with_match_len ? 3 : 2);
    out.array(2);
    out.integer(m.a_start);
    out.integer(m.a_end);
    out.array(2);
    out.integer(m.b_start);
    out.integer(m.b_end);
    if (o.with_match_len) out.integer(m.length());
  }
  out.bulk("len");
  out.integer(table.length());
}

void lcs(CommandContext& ctx) {
  Db& db = ctx.db();
  EntryIndex ea = db.lookup_read(ctx.arg(1));
  EntryIndex eb = db.lookup_read(ctx.arg(2));
  auto is_string = [&](EntryIndex e) {
    return e == kNoEntry || db.view(e).type() == ValueType::kString;
  };
  if (!is_string(ea) || !is_string(eb)) {
    ctx.error("ERR The specified keys must contain string values");
    return;
  }
  std::optional<LcsOptions> o = parse_lcs_options(ctx);
  if (!o) return;
  char abuf[24];
  char bbuf[24];
  std::string_view a = ea == kNoEntry ? std::string_view{} : db.string_value(ea, abuf);
  std::string_view b = eb == kNoEntry ? std::string_view{} : db.string_value(eb, bbuf);
  if (!lcs_table_allowed(ctx, a, b)) return;
  const LcsTable table(a, b);
  if (o->len) {
    ctx.out.integer(table.length());
  } else if (o->idx) {
    reply_lcs_matches(ctx, table, *o);
  } else {
    ctx.out.bulk(table.sequence());
  }
}

}  // namespace

void register_string_edit_commands(CommandTable& table) {
  constexpr uint64_t kRead = kAclRead | kAclString;
  constexpr uint64_t kWrite = kAclWrite | kAclString;
  constexpr std::string_view kRangeComplexity =
      "O(N) where N is the length of the returned string. The complexity is ultimately "
      "determined by the returned length, but because creating a substring from an existing "
      "string is very cheap, it can be considered O(1) for small strings.";
  table.add({"append", 3, kCmdWrite | kCmdDenyOom | kCmdFast, 1, 1, 1, kWrite, append, "string",
             "2.0.0",
             "Appends a string to the value of a key. Creates the key if it doesn't exist.",
             "O(1). The amortized time complexity is O(1) assuming the appended value is small and "
             "the already present value is of any size, since the dynamic string library used by "
             "Redis will double the free space available on every reallocation."});
  table.add({"strlen", 2, kCmdReadonly | kCmdFast, 1, 1, 1, kRead, string_length, "string", "2.2.0",
             "Returns the length of a string value.", "O(1)"});
  table.add({"getrange", 4, kCmdReadonly, 1, 1, 1, kRead, getrange, "string", "2.4.0",
             "Returns a substring of the string stored at a key.", kRangeComplexity});
  table.add({"substr", 4, kCmdReadonly, 1, 1, 1, kRead, getrange, "string", "1.0.0",
             "Returns a substring from a string value.", kRangeComplexity});
  table.add({"setrange", 4, kCmdWrite | kCmdDenyOom, 1, 1, 1, kWrite, setrange, "string", "2.2.0",
             "Overwrites a part of a string value with another by an offset. Creates the key if it "
             "doesn't exist.",
             "O(1), not counting the time taken to copy the new string in place. Usually, this "
             "string is very small so the amortized complexity is O(1). Otherwise, complexity is "
             "O(M) with M being the length of the value argument."});
  table.add({"lcs", -3, kCmdReadonly, 1, 2, 1, kRead, lcs, "string", "7.0.0",
             "Finds the longest common substring.",
             "O(N*M) where N and M are the lengths of s1 and s2, respectively"});
}

}  // namespace stashd
