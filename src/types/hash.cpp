// Owns: StringTable and HashValue (see hash.h). Must not touch: the keyspace dictionary, the
// config, I/O. Thread: the event loop.
#include "stashd/types/hash.h"

#include <malloc.h>
#include <xxhash.h>

#include <cstdlib>
#include <cstring>
#include <new>
#include <random>

namespace stashd {

namespace {

constexpr size_t kMinCapacity = 8;

size_t varint_size(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

char* put_varint(char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

const char* get_varint(const char* p, uint64_t* v) {
  uint64_t result = 0;
  int shift = 0;
  while (static_cast<uint8_t>(*p) & 0x80) {
    result |= uint64_t{static_cast<uint8_t>(*p) & 0x7fu} << shift;
    shift += 7;
    ++p;
  }
  *v = result | (uint64_t{static_cast<uint8_t>(*p)} << shift);
  return p + 1;
}

// One length-prefixed string of an entry; *rest points just past it.
std::string_view read_string(const char* p, const char** rest) {
  uint64_t len;
  p = get_varint(p, &len);
  *rest = p + len;
  return {p, len};
}

uint64_t reverse_bits(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
  v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
  v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
  return __builtin_bswap64(v);
}

}  // namespace

// ---- StringTable ----

StringTable::StringTable(const StringTable& other) : with_values_(other.with_values_) {
  if (!other.entries_) return;
  size_t cap = other.capacity();
  entries_ = std::make_unique<char*[]>(cap);
  hashes_ = std::make_unique<uint32_t[]>(cap);
  mask_ = other.mask_;
  for (size_t i = 0; i < cap; ++i) {
    hashes_[i] = other.hashes_[i];
    if (other.entries_[i] == nullptr) continue;
    entries_[i] = make_entry(other.key_at(i), other.value_at(i));
    ++size_;
  }
}

StringTable::~StringTable() {
  for (size_t i = 0; i < capacity(); ++i) {
    if (entries_[i] != nullptr) std::free(entries_[i]);
  }
}

// Seeded once per process, so clients cannot precompute fields that pile up in one probe run.
uint32_t StringTable::hash(std::string_view key) {
  static const uint64_t seed = (uint64_t{std::random_device{}()} << 32) | std::random_device{}();
  return static_cast<uint32_t>(XXH3_64bits_withSeed(key.data(), key.size(), seed));
}

size_t StringTable::memory_usage() const {
  return sizeof(*this) + capacity() * (sizeof(char*) + sizeof(uint32_t)) + entry_bytes_;
}

char* StringTable::make_entry(std::string_view key, std::string_view value) {
  size_t bytes = varint_size(key.size()) + key.size();
  if (with_values_) bytes += varint_size(value.size()) + value.size();
  auto* entry = static_cast<char*>(std::malloc(bytes));
  if (entry == nullptr) throw std::bad_alloc();
  char* p = put_varint(entry, key.size());
  std::memcpy(p, key.data(), key.size());
  if (with_values_) {
    p = put_varint(p + key.size(), value.size());
    std::memcpy(p, value.data(), value.size());
  }
  entry_bytes_ += malloc_usable_size(entry);
  return entry;
}

void StringTable::free_entry(char* entry) {
  entry_bytes_ -= malloc_usable_size(entry);
  std::free(entry);
}

std::string_view StringTable::key_at(size_t slot) const {
  const char* rest;
  return read_string(entries_[slot], &rest);
}

std::string_view StringTable::value_at(size_t slot) const {
  if (!with_values_) return {};
  const char* rest;
  read_string(entries_[slot], &rest);
  return read_string(rest, &rest);
}

size_t StringTable::next_occupied(size_t from) const {
  for (size_t i = from; i < capacity(); ++i) {
    if (entries_[i] != nullptr) return i;
  }
  return kEnd;
}

// Increments the masked bits of the cursor as a reversed number, so that a scan started at one
// table size visits, after a grow or a shrink, exactly the homes it had not yet covered (and at
// worst some again).
uint64_t StringTable::next_cursor(uint64_t cursor) const {
  uint64_t v = cursor | ~static_cast<uint64_t>(mask_);
  v = reverse_bits(v);
  ++v;
  return reverse_bits(v);
}

void StringTable::reserve(size_t n) {
  size_t cap = kMinCapacity;
  while (cap * 3 < n * 4) cap *= 2;
  if (cap > capacity()) resize(cap);
}

void StringTable::resize(size_t cap) {
  auto entries = std::make_unique<char*[]>(cap);
  auto hashes = std::make_unique<uint32_t[]>(cap);
  size_t mask = cap - 1;
  for (size_t i = 0; i < capacity(); ++i) {
    if (entries_[i] == nullptr) continue;
    size_t j = hashes_[i] & mask;
    while (entries[j] != nullptr) j = (j + 1) & mask;
    entries[j] = entries_[i];
    hashes[j] = hashes_[i];
  }
  entries_ = std::move(entries);
  hashes_ = std::move(hashes);
  mask_ = mask;
}

size_t StringTable::find(std::string_view key) const {
  if (size_ == 0) return kEnd;
  uint32_t h = hash(key);
  for (size_t i = h & mask_; entries_[i] != nullptr; i = (i + 1) & mask_) {
    if (hashes_[i] == h && key_at(i) == key) return i;
  }
  return kEnd;
}

bool StringTable::put(std::string_view key, std::string_view value) {
  size_t slot = find(key);
  if (slot != kEnd) {
    if (!with_values_) return false;
    char* replacement = make_entry(key, value);
    free_entry(entries_[slot]);
    entries_[slot] = replacement;
    return false;
  }
  if ((size_ + 1) * 4 > capacity() * 3) resize(capacity() == 0 ? kMinCapacity : capacity() * 2);
  uint32_t h = hash(key);
  size_t i = h & mask_;
  while (entries_[i] != nullptr) i = (i + 1) & mask_;
  entries_[i] = make_entry(key, value);
  hashes_[i] = h;
  ++size_;
  return true;
}

bool StringTable::erase(std::string_view key) {
  size_t slot = find(key);
  if (slot == kEnd) return false;
  erase_slot(slot);
  return true;
}

// Backward-shift deletion: later members of the probe run move into the hole when their home
// allows it, so lookups never need tombstones and every member stays reachable from its home.
void StringTable::erase_slot(size_t slot) {
  free_entry(entries_[slot]);
  size_t hole = slot;
  for (size_t j = (slot + 1) & mask_; entries_[j] != nullptr; j = (j + 1) & mask_) {
    size_t home = hashes_[j] & mask_;
    if (((j - home) & mask_) >= ((j - hole) & mask_)) {
      entries_[hole] = entries_[j];
      hashes_[hole] = hashes_[j];
      hole = j;
    }
  }
  entries_[hole] = nullptr;
  --size_;
  if (capacity() > kMinCapacity && size_ * 8 < capacity()) resize(capacity() / 2);
}

// ---- HashValue ----

HashValue::HashValue(const HashValue& other)
    : ValueObject(),
      lp_(other.lp_),
      table_(other.table_ ? std::make_unique<StringTable>(*other.table_) : nullptr) {}

size_t HashValue::memory_usage() const {
  size_t n = sizeof(*this) + lp_.memory_usage() - sizeof(lp_);
  return table_ ? n + table_->memory_usage() : n;
}

std::unique_ptr<ValueObject> HashValue::clone() const { return std::make_unique<HashValue>(*this); }

size_t HashValue::find(std::string_view field) const {
  if (table_) return table_->find(field);
  return lp_.find(field, 0, 1);
}

std::string_view HashValue::field_at(size_t pos, char (&buf)[24]) const {
  if (table_) return table_->key_at(pos);
  return lp_.get(pos).as_string(buf);
}

std::string_view HashValue::value_at(size_t pos, char (&buf)[24]) const {
  if (table_) return table_->value_at(pos);
  return lp_.get(lp_.next(pos)).as_string(buf);
}

std::optional<std::string_view> HashValue::get(std::string_view field, char (&buf)[24]) const {
  size_t pos = find(field);
  if (pos == kEnd) return std::nullopt;
  return value_at(pos, buf);
}

bool HashValue::set(std::string_view field, std::string_view value, const HashLimits& limits) {
  if (!table_ &&
      (field.size() > limits.max_listpack_value || value.size() > limits.max_listpack_value)) {
    convert_to_table();
  }
  if (table_) return table_->put(field, value);
  size_t pos = lp_.find(field, 0, 1);
  bool added = pos == kEnd;
  if (added) {
    lp_.push_back(field);
    lp_.push_back(value);
  } else {
    lp_.replace(lp_.next(pos), value);
  }
  // Checked on updates too, as Redis does: a lowered limit applies at the next write.
  if (size() > limits.max_listpack_entries) convert_to_table();
  return added;
}

bool HashValue::erase(std::string_view field) {
  if (table_) return table_->erase(field);
  size_t pos = lp_.find(field, 0, 1);
  if (pos == kEnd) return false;
  lp_.erase(lp_.erase(pos));
  return true;
}

void HashValue::convert_to_table() {
  auto table = std::make_unique<StringTable>(/*with_values=*/true);
  table->reserve(size());
  char field_buf[24];
  char value_buf[24];
  for (size_t p = first(); p != kEnd; p = next(p)) {
    table->put(field_at(p, field_buf), value_at(p, value_buf));
  }
  table_ = std::move(table);
  lp_ = Listpack();
}

HashValue::Picker::Picker(const HashValue& hash) : hash_(hash) {
  if (hash.table_) return;
  index_.reserve(hash.size());
  for (size_t p = hash.first(); p != kEnd; p = hash.next(p)) index_.push_back(p);
}

}  // namespace stashd
