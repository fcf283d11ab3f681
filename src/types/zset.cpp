// Owns: ZsetValue (see zset.h): the listpack form (member,score pairs sorted by (score, member),
// scores stored as their "%.17g" text), the conversion to skip list + member index past the
// thresholds, and every read and write over either form; also score/lex range parsing.
// Must not touch: the keyspace, the config, I/O. Thread: the event loop.
#include "stashd/types/zset.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

#include "stashd/common/strings.h"

namespace stashd {

namespace {

using Node = Skiplist::Node;

// Reads a score entry: integers exactly, other text with strtod (it was written by format_double,
// so it parses back to the same double).
double decode_score(const Listpack::Value& v) {
  if (v.is_int) return static_cast<double>(v.integer);
  char buf[64];
  const size_t n = std::min(v.str.size(), sizeof(buf) - 1);
  std::memcpy(buf, v.str.data(), n);
  buf[n] = '\0';
  return std::strtod(buf, nullptr);
}

// "(" marks an exclusive bound; the rest goes through strtod, and must be consumed entirely.
bool parse_score_bound(std::string_view s, double* value, bool* exclusive) {
  *exclusive = !s.empty() && s[0] == '(';
  if (*exclusive) s.remove_prefix(1);
  std::string text(s);
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || std::isnan(v)) return false;
  *value = v;
  return true;
}

bool parse_lex_bound(std::string_view s, LexRange::Bound* bound) {
  if (s.empty()) return false;
  switch (s[0]) {
    case '+':
    case '-':
      if (s.size() != 1) return false;
      bound->edge = s[0] == '+' ? LexRange::Edge::kPlusInf : LexRange::Edge::kMinusInf;
      bound->exclusive = true;
      return true;
    case '(':
    case '[':
      bound->edge = LexRange::Edge::kValue;
      bound->value = s.substr(1);
      bound->exclusive = s[0] == '(';
      return true;
    default:
      return false;
  }
}

// Orders bounds with "-" below every string and "+" above.
int compare_bounds(const LexRange::Bound& a, const LexRange::Bound& b) {
  auto rank = [](LexRange::Edge e) {
    return e == LexRange::Edge::kMinusInf ? 0 : e == LexRange::Edge::kValue ? 1 : 2;
  };
  if (a.edge != b.edge) return rank(a.edge) < rank(b.edge) ? -1 : 1;
  if (a.edge != LexRange::Edge::kValue) return 0;
  return a.value.compare(b.value);
}

}  // namespace

std::optional<ScoreRange> ScoreRange::parse(std::string_view min, std::string_view max) {
  ScoreRange r;
  if (!parse_score_bound(min, &r.min, &r.min_exclusive) ||
      !parse_score_bound(max, &r.max, &r.max_exclusive)) {
    return std::nullopt;
  }
  return r;
}

std::optional<LexRange> LexRange::parse(std::string_view min, std::string_view max) {
  LexRange r;
  if (!parse_lex_bound(min, &r.min) || !parse_lex_bound(max, &r.max)) return std::nullopt;
  return r;
}

bool LexRange::above_min(std::string_view m) const {
  switch (min.edge) {
    case Edge::kMinusInf:
      return true;
    case Edge::kPlusInf:
      return false;
    default:
      return min.exclusive ? m > min.value : m >= min.value;
  }
}

bool LexRange::below_max(std::string_view m) const {
  switch (max.edge) {
    case Edge::kPlusInf:
      return true;
    case Edge::kMinusInf:
      return false;
    default:
      return max.exclusive ? m < max.value : m <= max.value;
  }
}

bool LexRange::empty() const {
  const int cmp = compare_bounds(min, max);
  return cmp > 0 || (cmp == 0 && (min.exclusive || max.exclusive));
}

// --- Cursor ---

std::string_view ZsetValue::Cursor::member() {
  if (node_ != nullptr) return node_->member();
  return lp_->get(pos_).as_string(buf_);
}

double ZsetValue::Cursor::score() const {
  if (node_ != nullptr) return node_->score;
  return decode_score(lp_->get(lp_->next(pos_)));
}

void ZsetValue::Cursor::next() {
  if (node_ != nullptr) {
    node_ = node_->next();
    return;
  }
  const size_t score_pos = lp_->next(pos_);
  pos_ = score_pos == Listpack::kNone ? Listpack::kNone : lp_->next(score_pos);
}

void ZsetValue::Cursor::prev() {
  if (node_ != nullptr) {
    node_ = node_->prev();
    return;
  }
  const size_t score_pos = lp_->prev(pos_);
  pos_ = score_pos == Listpack::kNone ? Listpack::kNone : lp_->prev(score_pos);
}

ZsetValue::Cursor ZsetValue::lp_cursor(size_t pos) const {
  Cursor c;
  c.lp_ = &lp_;
  c.pos_ = pos;
  return c;
}

ZsetValue::Cursor ZsetValue::big_cursor(const Node* node) const {
  Cursor c;
  c.node_ = node;
  return c;
}

// --- Construction, copies, size ---

ZsetValue::ZsetValue(size_t expected_size, size_t max_member_size, const ZsetLimits& limits) {
  if (expected_size > limits.max_listpack_entries ||
      max_member_size > limits.max_listpack_value) {
    convert_to_skiplist();
  }
}

ZsetValue::~ZsetValue() = default;

size_t ZsetValue::memory_usage() const {
  size_t n = sizeof(*this) + lp_.memory_usage() - sizeof(Listpack);
  if (big_) n += sizeof(Big) + big_->list.memory_usage() + big_->index.memory_usage();
  return n;
}

std::unique_ptr<ValueObject> ZsetValue::clone() const {
  auto copy = std::make_unique<ZsetValue>();
  if (!big_) {
    copy->lp_ = lp_;
    return copy;
  }
  copy->big_ = std::make_unique<Big>();
  for (const Node* n = big_->list.first(); n != nullptr; n = n->next()) {
    copy->big_->index.insert(copy->big_->list.insert(n->score, n->member()));
  }
  return copy;
}

size_t ZsetValue::size() const { return big_ ? big_->list.size() : lp_.size() / 2; }

void ZsetValue::convert_to_skiplist() {
  if (big_) return;
  auto big = std::make_unique<Big>();
  for (Cursor c = lp_cursor(lp_.begin()); c.valid(); c.next()) {
    big->index.insert(big->list.insert(c.score(), c.member()));
  }
  big_ = std::move(big);
  lp_.clear();
}

// --- Reads ---

size_t ZsetValue::lp_find(std::string_view member) const {
  return lp_.find(member, 0, 1);
}

std::optional<double> ZsetValue::score(std::string_view member) const {
  if (big_) {
    const Node* n = big_->index.find(member);
    if (n == nullptr) return std::nullopt;
    return n->score;
  }
  const size_t pos = lp_find(member);
  if (pos == Listpack::kNone) return std::nullopt;
  return decode_score(lp_.get(lp_.next(pos)));
}

std::optional<size_t> ZsetValue::rank(std::string_view member, bool reverse) const {
  size_t r = 0;
  if (big_) {
    const Node* n = big_->index.find(member);
    if (n == nullptr) return std::nullopt;
    r = big_->list.rank_of(n->score, n->member()) - 1;
  } else {
    Cursor c = lp_cursor(lp_.begin());
    while (c.valid() && c.member() != member) {
      c.next();
      ++r;
    }
    if (!c.valid()) return std::nullopt;
  }
  return reverse ? size() - 1 - r : r;
}

ZsetValue::Cursor ZsetValue::at_rank(size_t rank) const {
  if (rank >= size()) return Cursor{};
  if (big_) return big_cursor(big_->list.at_rank(rank + 1));
  return lp_cursor(lp_.seek(static_cast<int64_t>(rank * 2)));
}

ZsetValue::Cursor ZsetValue::first_in(const ScoreRange& range) const {
  if (big_) return big_cursor(big_->list.first_in(range));
  if (range.empty()) return Cursor{};
  for (Cursor c = lp_cursor(lp_.begin()); c.valid(); c.next()) {
    const double s = c.score();
    if (range.above_min(s)) return range.below_max(s) ? c : Cursor{};
  }
  return Cursor{};
}

ZsetValue::Cursor ZsetValue::last_in(const ScoreRange& range) const {
  if (big_) return big_cursor(big_->list.last_in(range));
  if (range.empty()) return Cursor{};
  for (Cursor c = lp_cursor(lp_.last() == Listpack::kNone ? Listpack::kNone
                                                          : lp_.prev(lp_.last()));
       c.valid(); c.prev()) {
    const double s = c.score();
    if (range.below_max(s)) return range.above_min(s) ? c : Cursor{};
  }
  return Cursor{};
}

ZsetValue::Cursor ZsetValue::first_in(const LexRange& range) const {
  if (big_) return big_cursor(big_->list.first_in(range));
  if (range.empty()) return Cursor{};
  for (Cursor c = lp_cursor(lp_.begin()); c.valid(); c.next()) {
    std::string_view m = c.member();
    if (range.above_min(m)) return range.below_max(m) ? c : Cursor{};
  }
  return Cursor{};
}

ZsetValue::Cursor ZsetValue::last_in(const LexRange& range) const {
  if (big_) return big_cursor(big_->list.last_in(range));
  if (range.empty()) return Cursor{};
  for (Cursor c = lp_cursor(lp_.last() == Listpack::kNone ? Listpack::kNone
                                                          : lp_.prev(lp_.last()));
       c.valid(); c.prev()) {
    std::string_view m = c.member();
    if (range.below_max(m)) return range.above_min(m) ? c : Cursor{};
  }
  return Cursor{};
}

// From the ranks of the first and last nodes in range, with Redis's arithmetic: a lex range over
// mixed scores (which Redis leaves unspecified) may find no last node (count to the end) or find
// the nodes out of order (Redis then counts below zero; this stops at zero).
template <typename Range>
size_t ZsetValue::big_count_in(const Range& range) const {
  const Node* first = big_->list.first_in(range);
  if (first == nullptr) return 0;
  const auto length = static_cast<int64_t>(big_->list.size());
  const auto from = static_cast<int64_t>(big_->list.rank_of(first->score, first->member()));
  int64_t count = length - (from - 1);
  if (const Node* last = big_->list.last_in(range)) {
    count -= length - static_cast<int64_t>(big_->list.rank_of(last->score, last->member()));
  }
  return count > 0 ? static_cast<size_t>(count) : 0;
}

size_t ZsetValue::count_in(const ScoreRange& range) const {
  if (big_) return big_count_in(range);
  size_t n = 0;
  for (Cursor c = first_in(range); c.valid() && range.below_max(c.score()); c.next()) ++n;
  return n;
}

size_t ZsetValue::count_in(const LexRange& range) const {
  if (big_) return big_count_in(range);
  size_t n = 0;
  for (Cursor c = first_in(range); c.valid() && range.below_max(c.member()); c.next()) ++n;
  return n;
}

uint64_t ZsetValue::scan(uint64_t cursor,
                         const std::function<void(std::string_view, double)>& fn) const {
  if (big_) {
    return big_->index.scan(cursor, [&](const Node* n) { fn(n->member(), n->score); });
  }
  for (Cursor c = lp_cursor(lp_.begin()); c.valid(); c.next()) fn(c.member(), c.score());
  return 0;
}

// --- Writes ---

void ZsetValue::lp_insert(std::string_view member, double score) {
  size_t pos = lp_.begin();
  char buf[24];
  while (pos != Listpack::kNone) {
    const size_t score_pos = lp_.next(pos);
    const double s = decode_score(lp_.get(score_pos));
    if (s > score || (s == score && lp_.get(pos).as_string(buf) > member)) break;
    pos = lp_.next(score_pos);
  }
  if (pos == Listpack::kNone) pos = lp_.bytes();
  // Like Redis, a zero score is stored as "0": -0.0 reads back as 0 in the compact form.
  const std::string text = score == 0 ? std::string("0") : format_double(score);
  lp_.insert_at(pos, text);
  lp_.insert_at(pos, member);
}

ZsetValue::AddResult ZsetValue::add(std::string_view member, double score, const ZaddFlags& flags,
                                    const ZsetLimits& limits) {
  std::optional<double> current = this->score(member);
  if (!current) {
    if (flags.xx) return {AddOutcome::kSkipped, score};
    if (!big_ && (size() + 1 > limits.max_listpack_entries ||
                  member.size() > limits.max_listpack_value)) {
      convert_to_skiplist();
    }
    if (big_) {
      big_->index.insert(big_->list.insert(score, member));
    } else {
      lp_insert(member, score);
    }
    return {AddOutcome::kAdded, score};
  }
  if (flags.nx) return {AddOutcome::kSkipped, *current};
  if (flags.incr) {
    score += *current;
    if (std::isnan(score)) return {AddOutcome::kNaN, *current};
  }
  if ((flags.lt && score >= *current) || (flags.gt && score <= *current)) {
    return {AddOutcome::kSkipped, *current};
  }
  if (score == *current) return {AddOutcome::kUnchanged, score};
  if (big_) {
    big_->list.update_score(big_->index.find(member), score);
  } else {
    // Re-inserting keeps the pairs sorted; the member fits, it is already here.
    std::string copy(member);
    remove(copy);
    lp_insert(copy, score);
  }
  return {AddOutcome::kUpdated, score};
}

bool ZsetValue::remove(std::string_view member) {
  if (big_) {
    Node* n = big_->index.find(member);
    if (n == nullptr) return false;
    big_->index.erase(n);
    big_->list.erase(n);
    return true;
  }
  const size_t pos = lp_find(member);
  if (pos == Listpack::kNone) return false;
  lp_.erase(lp_.erase(pos));
  return true;
}

// Erases pairs from the member entry at `pos` on while keep_going(cursor) holds.
template <typename Keep>
size_t ZsetValue::lp_remove_while(size_t pos, Keep keep_going) {
  size_t removed = 0;
  while (pos != Listpack::kNone) {
    Cursor c = lp_cursor(pos);
    if (!keep_going(c)) break;
    pos = lp_.erase(pos);
    pos = lp_.erase(pos);
    ++removed;
  }
  return removed;
}

size_t ZsetValue::remove_ranks(size_t start, size_t end) {
  if (start > end || start >= size()) return 0;
  if (big_) {
    return big_->list.erase_ranks(start + 1, end + 1,
                                  [&](Node* n) { big_->index.erase(n); });
  }
  size_t left = end - start + 1;
  return lp_remove_while(lp_.seek(static_cast<int64_t>(start * 2)),
                         [&](Cursor&) { return left-- > 0; });
}

size_t ZsetValue::remove_in(const ScoreRange& range) {
  if (big_) return big_->list.erase_in(range, [&](Node* n) { big_->index.erase(n); });
  Cursor first = first_in(range);
  if (!first.valid()) return 0;
  return lp_remove_while(first.pos_, [&](Cursor& c) { return range.below_max(c.score()); });
}

size_t ZsetValue::remove_in(const LexRange& range) {
  if (big_) return big_->list.erase_in(range, [&](Node* n) { big_->index.erase(n); });
  Cursor first = first_in(range);
  if (!first.valid()) return 0;
  return lp_remove_while(first.pos_, [&](Cursor& c) { return range.below_max(c.member()); });
}

}  // namespace stashd
