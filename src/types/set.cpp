// Owns: SetValue (see set.h). Must not touch: the keyspace dictionary, the config, I/O.
// Thread: the event loop.
#include "stashd/types/set.h"

#include <algorithm>

#include "stashd/common/strings.h"

namespace stashd {

SetValue::SetValue(std::string_view first, size_t size_hint, const SetLimits& limits) {
  int64_t v;
  if (parse_i64(first, &v) && size_hint <= limits.max_intset_entries) return;
  if (size_hint <= limits.max_listpack_entries) {
    kind_ = Kind::kListpack;
    return;
  }
  kind_ = Kind::kTable;
  table_ = std::make_unique<StringTable>(/*with_values=*/false);
  table_->reserve(size_hint);
}

std::unique_ptr<SetValue> SetValue::make_table(size_t size_hint) {
  auto set = std::make_unique<SetValue>();
  set->kind_ = Kind::kTable;
  set->table_ = std::make_unique<StringTable>(/*with_values=*/false);
  set->table_->reserve(size_hint);
  return set;
}

SetValue::SetValue(const SetValue& other)
    : ValueObject(),
      ints_(other.ints_),
      lp_(other.lp_),
      table_(other.table_ ? std::make_unique<StringTable>(*other.table_) : nullptr),
      kind_(other.kind_) {}

const char* SetValue::encoding_name() const {
  switch (kind_) {
    case Kind::kIntset:
      return "intset";
    case Kind::kListpack:
      return "listpack";
    default:
      return "hashtable";
  }
}

size_t SetValue::memory_usage() const {
  size_t n =
      sizeof(*this) + ints_.memory_usage() - sizeof(ints_) + lp_.memory_usage() - sizeof(lp_);
  return table_ ? n + table_->memory_usage() : n;
}

std::unique_ptr<ValueObject> SetValue::clone() const { return std::make_unique<SetValue>(*this); }

size_t SetValue::size() const {
  switch (kind_) {
    case Kind::kIntset:
      return ints_.size();
    case Kind::kListpack:
      return lp_.size();
    default:
      return table_->size();
  }
}

bool SetValue::contains(std::string_view member) const {
  switch (kind_) {
    case Kind::kIntset: {
      int64_t v;
      return parse_i64(member, &v) && ints_.contains(v);
    }
    case Kind::kListpack:
      return lp_.find(member) != Listpack::kNone;
    default:
      return table_->find(member) != StringTable::kEnd;
  }
}

// Whether the set, grown to `members`, fits a listpack when its longest member is `longest`.
bool SetValue::fits_listpack(size_t members, std::string_view longest,
                             const SetLimits& limits) const {
  return members <= limits.max_listpack_entries && longest.size() <= limits.max_listpack_value;
}

bool SetValue::add(std::string_view member, const SetLimits& limits) {
  if (kind_ == Kind::kIntset) {
    int64_t v;
    if (parse_i64(member, &v)) {
      if (!ints_.insert(v)) return false;
      if (ints_.size() > limits.max_intset_entries) convert_to_table();
      return true;
    }
    // The longest integer is the smallest or the largest one.
    char low[24];
    char high[24];
    std::string_view longest = member;
    if (!ints_.empty()) {
      std::string_view a(low, format_i64(ints_.at(0), low));
      std::string_view b(high, format_i64(ints_.at(ints_.size() - 1), high));
      longest = std::max({member, a, b}, [](auto x, auto y) { return x.size() < y.size(); });
    }
    if (fits_listpack(ints_.size() + 1, longest, limits)) {
      convert_to_listpack();
    } else {
      convert_to_table();
    }
  }
  if (kind_ == Kind::kListpack) {
    if (lp_.find(member) != Listpack::kNone) return false;
    if (fits_listpack(lp_.size() + 1, member, limits)) {
      lp_.push_back(member);
      return true;
    }
    convert_to_table();
  }
  return table_->put(member);
}

bool SetValue::erase(std::string_view member) {
  switch (kind_) {
    case Kind::kIntset: {
      int64_t v;
      return parse_i64(member, &v) && ints_.erase(v);
    }
    case Kind::kListpack: {
      size_t pos = lp_.find(member);
      if (pos == Listpack::kNone) return false;
      lp_.erase(pos);
      return true;
    }
    default:
      return table_->erase(member);
  }
}

size_t SetValue::first() const {
  switch (kind_) {
    case Kind::kIntset:
      return ints_.empty() ? kEnd : 0;
    case Kind::kListpack:
      return lp_.begin();
    default:
      return table_->first_slot();
  }
}

size_t SetValue::next(size_t pos) const {
  switch (kind_) {
    case Kind::kIntset:
      return pos + 1 < ints_.size() ? pos + 1 : kEnd;
    case Kind::kListpack:
      return lp_.next(pos);
    default:
      return table_->next_slot(pos);
  }
}

std::string_view SetValue::member_at(size_t pos, char (&buf)[24]) const {
  switch (kind_) {
    case Kind::kIntset:
      return {buf, format_i64(ints_.at(pos), buf)};
    case Kind::kListpack:
      return lp_.get(pos).as_string(buf);
    default:
      return table_->key_at(pos);
  }
}

void SetValue::convert_to_listpack() {
  char buf[24];
  for (size_t i = 0; i < ints_.size(); ++i) lp_.push_back({buf, format_i64(ints_.at(i), buf)});
  ints_ = IntSet();
  kind_ = Kind::kListpack;
}

void SetValue::convert_to_table() {
  auto table = std::make_unique<StringTable>(/*with_values=*/false);
  table->reserve(size() + 1);
  char buf[24];
  for (size_t p = first(); p != kEnd; p = next(p)) table->put(member_at(p, buf));
  table_ = std::move(table);
  ints_ = IntSet();
  lp_ = Listpack();
  kind_ = Kind::kTable;
}

SetValue::Picker::Picker(const SetValue& set) : set_(set) {
  if (set.kind_ != Kind::kListpack) return;
  index_.reserve(set.size());
  for (size_t p = set.first(); p != kEnd; p = set.next(p)) index_.push_back(p);
}

}  // namespace stashd
