// Owns: the shared number/pattern conversions declared in common/strings.h, written to give the
// same answers as Redis (string2ll, string2ld, ld2string, stringmatchlen, memtoull). Must not
// touch: anything stateful (no locale changes, no globals). Thread: any.
#include "stashd/common/strings.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace stashd {
namespace {

// Redis refuses float strings this long (MAX_LONG_DOUBLE_CHARS) before calling strtold.
constexpr size_t kMaxLongDoubleChars = 5 * 1024;

constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int ascii_lower(int c) { return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c; }

bool is_c_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// strtod/strtold need a NUL-terminated copy; small inputs stay on the stack.
template <typename T, typename Convert>
bool parse_float(std::string_view s, T* out, Convert convert) {
  if (s.empty() || is_c_space(s[0])) return false;
  char stack_buf[128];
  std::string heap_buf;
  const char* begin;
  if (s.size() < sizeof(stack_buf)) {
    std::memcpy(stack_buf, s.data(), s.size());
    stack_buf[s.size()] = '\0';
    begin = stack_buf;
  } else {
    heap_buf.assign(s);
    begin = heap_buf.c_str();
  }
  char* end = nullptr;
  errno = 0;
  T value = convert(begin, &end);
  // Checking the end against the full length also rejects embedded NULs, which Redis's
  // strtod-based check would silently truncate at.
  if (end != begin + s.size()) return false;
  if (errno == ERANGE && (std::isinf(value) || value == 0)) return false;
  if (errno == EINVAL || std::isnan(value)) return false;
  *out = value;
  return true;
}

// One token of a glob pattern that matches exactly one byte, starting at pattern[p] (not '*').
// Returns whether `c` matches and sets *next to the index after the token.
bool match_one(std::string_view pattern, size_t p, char c, bool nocase, size_t* next) {
  const size_t n = pattern.size();
  switch (pattern[p]) {
    case '?':
      *next = p + 1;
      return true;
    case '[': {
      size_t q = p + 1;
      const bool negate = q < n && pattern[q] == '^';
      if (negate) ++q;
      bool match = false;
      while (true) {
        if (q + 1 < n && pattern[q] == '\\') {
          ++q;
          if (pattern[q] == c) match = true;  // escaped class members compare exactly
        } else if (q < n && pattern[q] == ']') {
          break;
        } else if (q >= n) {
          // An unterminated class ends with the pattern, as in Redis.
          q = n - 1;
          break;
        } else if (q + 2 < n && pattern[q + 1] == '-') {
          // Redis compares these as (signed) chars; keep that so ranges behave identically.
          int start = static_cast<signed char>(pattern[q]);
          int end = static_cast<signed char>(pattern[q + 2]);
          int ch = static_cast<signed char>(c);
          if (start > end) std::swap(start, end);
          if (nocase) {
            start = ascii_lower(start);
            end = ascii_lower(end);
            ch = ascii_lower(ch);
          }
          q += 2;
          if (ch >= start && ch <= end) match = true;
        } else if (nocase ? ascii_lower(static_cast<unsigned char>(pattern[q])) ==
                                ascii_lower(static_cast<unsigned char>(c))
                          : pattern[q] == c) {
          match = true;
        }
        ++q;
      }
      *next = q + 1;
      return negate ? !match : match;
    }
    case '\\':
      if (p + 1 < n) ++p;  // a trailing backslash is a literal backslash
      [[fallthrough]];
    default:
      *next = p + 1;
      return nocase ? ascii_lower(static_cast<unsigned char>(pattern[p])) ==
                          ascii_lower(static_cast<unsigned char>(c))
                    : pattern[p] == c;
  }
}

}  // namespace

bool parse_i64(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  if (s.size() == 1 && s[0] == '0') {
    *out = 0;
    return true;
  }
  size_t i = 0;
  const bool negative = s[0] == '-';
  if (negative) ++i;
  // The first digit must be 1-9: this rejects "", "-", "-0", "+1", " 1" and leading zeros.
  if (i >= s.size() || s[i] < '1' || s[i] > '9') return false;
  uint64_t v = 0;
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  for (; i < s.size(); ++i) {
    if (!is_digit(s[i])) return false;
    const uint64_t d = static_cast<uint64_t>(s[i] - '0');
    if (v > (kMax - d) / 10) return false;
    v = v * 10 + d;
  }
  constexpr uint64_t kMaxPositive = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (negative) {
    if (v > kMaxPositive + 1) return false;
    *out = static_cast<int64_t>(0 - v);  // wraps correctly for INT64_MIN
  } else {
    if (v > kMaxPositive) return false;
    *out = static_cast<int64_t>(v);
  }
  return true;
}

bool parse_long_double(std::string_view s, long double* out) {
  if (s.size() >= kMaxLongDoubleChars) return false;
  return parse_float(s, out, [](const char* b, char** e) { return std::strtold(b, e); });
}

bool parse_double(std::string_view s, double* out) {
  return parse_float(s, out, [](const char* b, char** e) { return std::strtod(b, e); });
}

size_t format_i64(int64_t v, char* buf) {
  uint64_t u = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  char tmp[20];
  char* p = tmp + sizeof(tmp);
  while (u >= 100) {
    const size_t pair = static_cast<size_t>(u % 100) * 2;
    u /= 100;
    *--p = kDigitPairs[pair + 1];
    *--p = kDigitPairs[pair];
  }
  if (u >= 10) {
    const size_t pair = static_cast<size_t>(u) * 2;
    *--p = kDigitPairs[pair + 1];
    *--p = kDigitPairs[pair];
  } else {
    *--p = static_cast<char>('0' + u);
  }
  size_t len = 0;
  if (v < 0) buf[len++] = '-';
  const size_t digits = static_cast<size_t>(tmp + sizeof(tmp) - p);
  std::memcpy(buf + len, p, digits);
  return len + digits;
}

std::string i64_to_string(int64_t v) {
  char buf[21];
  return std::string(buf, format_i64(v, buf));
}

std::string format_double(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  // Integral values below 1e17 print identically with "%.17g"; skip snprintf for them. Zero is
  // left to snprintf so that -0.0 keeps its sign as "%.17g" does.
  if (v != 0 && v == std::trunc(v) && std::fabs(v) < 1e17) {
    return i64_to_string(static_cast<int64_t>(v));
  }
  char buf[32];
  const int len = std::snprintf(buf, sizeof(buf), "%.17g", v);
  return std::string(buf, static_cast<size_t>(len));
}

std::string format_long_double(long double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char stack_buf[128];
  const int len = std::snprintf(stack_buf, sizeof(stack_buf), "%.17Lf", v);
  std::string s;
  if (static_cast<size_t>(len) < sizeof(stack_buf)) {
    s.assign(stack_buf, static_cast<size_t>(len));
  } else {
    s.resize(static_cast<size_t>(len) + 1);
    std::snprintf(s.data(), s.size(), "%.17Lf", v);
    s.resize(static_cast<size_t>(len));
  }
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

bool glob_match(std::string_view pattern, std::string_view s, bool nocase) {
  // Redis only enters its matching loop while both sides are non-empty, so an empty subject
  // matches nothing but the empty pattern (not even "*").
  if (s.empty()) return pattern.empty();
  // Every token other than '*' matches exactly one byte, so remembering only the most recent star
  // gives the same answers as Redis's recursion, in O(pattern * subject) time without recursion.
  constexpr size_t kNone = std::string_view::npos;
  const size_t n = pattern.size();
  size_t p = 0;
  size_t i = 0;
  size_t star_p = kNone;
  size_t star_i = 0;
  while (true) {
    if (i == s.size()) {
      while (p < n && pattern[p] == '*') ++p;
      if (p == n) return true;
    } else if (p < n && pattern[p] == '*') {
      while (p < n && pattern[p] == '*') ++p;
      if (p == n) return true;
      star_p = p;
      star_i = i;
      continue;
    } else if (p < n) {
      size_t next = 0;
      if (match_one(pattern, p, s[i], nocase, &next)) {
        p = next;
        ++i;
        continue;
      }
    }
    // Mismatch: let the last star swallow one more byte, if it can.
    if (star_p == kNone || star_i + 1 >= s.size()) return false;
    p = star_p;
    i = ++star_i;
  }
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(static_cast<unsigned char>(a[i])) !=
        ascii_lower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(ascii_lower(static_cast<unsigned char>(c)));
  return out;
}

bool parse_memory(std::string_view s, int64_t* out) {
  size_t digits = 0;
  while (digits < s.size() && is_digit(s[digits])) ++digits;
  // Unlike Redis's memtoull we refuse a missing number ("" or "kb" would read as 0 there).
  if (digits == 0) return false;
  const std::string_view unit = s.substr(digits);
  int64_t mul;
  if (unit.empty() || iequals(unit, "b")) {
    mul = 1;
  } else if (iequals(unit, "k")) {
    mul = 1000;
  } else if (iequals(unit, "kb")) {
    mul = 1024;
  } else if (iequals(unit, "m")) {
    mul = 1000 * 1000;
  } else if (iequals(unit, "mb")) {
    mul = 1024 * 1024;
  } else if (iequals(unit, "g")) {
    mul = 1000LL * 1000 * 1000;
  } else if (iequals(unit, "gb")) {
    mul = 1024LL * 1024 * 1024;
  } else {
    return false;
  }
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  int64_t value = 0;
  for (size_t i = 0; i < digits; ++i) {
    const int64_t d = s[i] - '0';
    if (value > (kMax - d) / 10) return false;
    value = value * 10 + d;
  }
  if (value > kMax / mul) return false;
  *out = value * mul;
  return true;
}

}  // namespace stashd
