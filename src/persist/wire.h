// Owns: the byte-level primitives of stashd's persistence formats: little-endian integers, varints
// (7 bits a byte, low first, at most 10 bytes), zigzag integers, IEEE doubles, and Reader, a
// bounded cursor over an in-memory buffer that never reads past its end. Must not touch: anything
// stateful. Thread: any (pure functions).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace stashd::persist::wire {

inline constexpr size_t kMaxVarintBytes = 10;

inline void put_u8(std::string* out, uint8_t v) { out->push_back(static_cast<char>(v)); }

inline void put_le(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// Writes a varint into buf (at least kMaxVarintBytes); returns its length.
inline size_t encode_varint(uint64_t v, char* buf) {
  size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  return n;
}

inline void put_varint(std::string* out, uint64_t v) {
  char buf[kMaxVarintBytes];
  out->append(buf, encode_varint(v, buf));
}

inline size_t varint_size(uint64_t v) {
  size_t n = 1;
  for (; v >= 0x80; v >>= 7) ++n;
  return n;
}

inline void put_double(std::string* out, double v) { put_le(out, std::bit_cast<uint64_t>(v), 8); }

inline uint64_t zigzag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t unzigzag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

inline uint64_t get_le(const uint8_t* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= uint64_t{p[i]} << (8 * i);
  return v;
}

enum class VarintStatus { kOk, kTruncated, kMalformed };

// Decodes a varint from the `avail` bytes at p. kTruncated: the bytes ran out mid-varint;
// kMalformed: longer than 10 bytes or above 2^64 - 1.
inline VarintStatus get_varint(const uint8_t* p, size_t avail, uint64_t* v, size_t* used) {
  uint64_t result = 0;
  for (size_t i = 0; i < kMaxVarintBytes; ++i) {
    if (i == avail) return VarintStatus::kTruncated;
    uint64_t byte = p[i];
    if (i == kMaxVarintBytes - 1 && byte > 1) return VarintStatus::kMalformed;
    result |= (byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      *v = result;
      *used = i + 1;
      return VarintStatus::kOk;
    }
  }
  return VarintStatus::kMalformed;
}

// A cursor over an in-memory buffer. Every read checks the remaining length first and fails
// (returning false, consuming nothing) rather than reading past the end.
class Reader {
 public:
  explicit Reader(std::string_view in)
      : p_(reinterpret_cast<const uint8_t*>(in.data())), end_(p_ + in.size()) {}

  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  bool done() const { return p_ == end_; }

  bool u8(uint8_t* v) {
    if (p_ == end_) return false;
    *v = *p_++;
    return true;
  }
  bool le(int bytes, uint64_t* v) {
    if (remaining() < static_cast<size_t>(bytes)) return false;
    *v = get_le(p_, bytes);
    p_ += bytes;
    return true;
  }
  bool varint(uint64_t* v) {
    size_t used;
    if (get_varint(p_, remaining(), v, &used) != VarintStatus::kOk) return false;
    p_ += used;
    return true;
  }
  bool double_value(double* v) {
    uint64_t bits;
    if (!le(8, &bits)) return false;
    *v = std::bit_cast<double>(bits);
    return true;
  }
  bool bytes(uint64_t n, std::string_view* out) {
    if (n > remaining()) return false;
    *out = {reinterpret_cast<const char*>(p_), static_cast<size_t>(n)};
    p_ += n;
    return true;
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

}  // namespace stashd::persist::wire
