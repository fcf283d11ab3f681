// Owns: the Listpack encoding (see listpack.h). Must not touch: the keyspace, I/O.
// Thread: the event loop.
#include "stashd/types/listpack.h"

#include <cstring>

#include "stashd/common/strings.h"

namespace stashd {

namespace {

void put_varint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

size_t get_varint(const char* p, uint64_t* v) {
  uint64_t result = 0;
  size_t i = 0;
  int shift = 0;
  while (static_cast<uint8_t>(p[i]) & 0x80) {
    result |= uint64_t{static_cast<uint8_t>(p[i]) & 0x7fu} << shift;
    shift += 7;
    ++i;
  }
  *v = result | (uint64_t{static_cast<uint8_t>(p[i])} << shift);
  return i + 1;
}

// Back-length: the 7-bit groups of the size, most significant first; every byte but the first has
// the high bit set, so a reader walking backwards knows when to stop.
void put_backlen(std::string* out, uint64_t v) {
  char groups[10];
  int n = 0;
  do {
    groups[n++] = static_cast<char>(v & 0x7f);
    v >>= 7;
  } while (v != 0);
  for (int i = n - 1; i >= 0; --i) {
    out->push_back(static_cast<char>(groups[i] | (i == n - 1 ? 0 : 0x80)));
  }
}

// Reads the back-length that ends just before `end`; returns its value and sets *width.
uint64_t get_backlen(const char* end, size_t* width) {
  uint64_t v = 0;
  int shift = 0;
  size_t i = 0;
  while (true) {
    uint8_t b = static_cast<uint8_t>(*(end - 1 - i));
    v |= uint64_t{b & 0x7fu} << shift;
    ++i;
    if (!(b & 0x80)) break;
    shift += 7;
  }
  *width = i;
  return v;
}

uint64_t zigzag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
int64_t unzigzag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

}  // namespace

std::string_view Listpack::Value::as_string(char (&buf)[24]) const {
  if (!is_int) return str;
  return {buf, format_i64(integer, buf)};
}

bool Listpack::Value::equals(std::string_view s) const {
  if (!is_int) return str == s;
  char buf[24];
  return as_string(buf) == s;
}

std::string Listpack::encode(std::string_view s) {
  std::string body;
  int64_t i;
  if (s.size() <= 20 && parse_i64(s, &i)) {
    put_varint(&body, 1);
    put_varint(&body, zigzag(i));
  } else {
    put_varint(&body, uint64_t{s.size()} << 1);
    body.append(s);
  }
  put_backlen(&body, body.size());
  return body;
}

size_t Listpack::entry_size(size_t pos) const {
  uint64_t tag;
  size_t n = get_varint(data_.data() + pos, &tag);
  size_t body;
  if (tag == 1) {
    uint64_t v;
    body = n + get_varint(data_.data() + pos + n, &v);
  } else {
    body = n + (tag >> 1);
  }
  uint64_t b = body;
  size_t backlen = 1;
  while (b >= 0x80) {
    b >>= 7;
    ++backlen;
  }
  return body + backlen;
}

size_t Listpack::last() const {
  if (data_.empty()) return kNone;
  return prev(data_.size());
}

size_t Listpack::next(size_t pos) const {
  size_t n = pos + entry_size(pos);
  return n >= data_.size() ? kNone : n;
}

size_t Listpack::prev(size_t pos) const {
  if (pos == 0 || pos == kNone) return kNone;
  size_t width;
  uint64_t body = get_backlen(data_.data() + pos, &width);
  return pos - width - body;
}

Listpack::Value Listpack::get(size_t pos) const {
  Value v;
  uint64_t tag;
  size_t n = get_varint(data_.data() + pos, &tag);
  if (tag == 1) {
    uint64_t z;
    get_varint(data_.data() + pos + n, &z);
    v.is_int = true;
    v.integer = unzigzag(z);
  } else {
    v.str = std::string_view(data_.data() + pos + n, tag >> 1);
  }
  return v;
}

size_t Listpack::seek(int64_t index) const {
  if (index >= 0) {
    if (static_cast<uint64_t>(index) >= count_) return kNone;
    size_t pos = 0;
    for (int64_t i = 0; i < index; ++i) pos = next(pos);
    return pos;
  }
  if (static_cast<uint64_t>(-(index + 1)) >= count_) return kNone;
  size_t pos = last();
  for (int64_t i = -1; i > index; --i) pos = prev(pos);
  return pos;
}

size_t Listpack::insert_at(size_t pos, std::string_view s) {
  data_.insert(pos, encode(s));
  ++count_;
  return pos;
}

size_t Listpack::erase(size_t pos) {
  data_.erase(pos, entry_size(pos));
  --count_;
  return pos >= data_.size() ? kNone : pos;
}

size_t Listpack::replace(size_t pos, std::string_view s) {
  data_.replace(pos, entry_size(pos), encode(s));
  return pos;
}

size_t Listpack::find(std::string_view s, size_t pos, size_t skip) const {
  if (data_.empty() || pos == kNone) return kNone;
  int64_t as_int;
  bool want_int = s.size() <= 20 && parse_i64(s, &as_int);
  while (pos != kNone) {
    Value v = get(pos);
    if (want_int ? (v.is_int && v.integer == as_int) : (!v.is_int && v.str == s)) return pos;
    for (size_t i = 0; i <= skip && pos != kNone; ++i) pos = next(pos);
  }
  return kNone;
}

}  // namespace stashd
