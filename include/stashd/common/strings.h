// Owns: the number and pattern conversions every module shares (Redis-exact integer/float parsing and
// formatting, glob matching). Must not touch: anything stateful. Thread: any.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace stashd {

// Parses a signed 64-bit integer exactly as Redis's string2ll does: optional '-', digits, no leading
// '+', no spaces, no leading zeros (except "0" itself), no overflow. Returns false on any violation.
bool parse_i64(std::string_view s, int64_t* out);

// Parses a long double the way Redis reads floats for INCRBYFLOAT/ZADD: accepts "inf", "-inf",
// "+inf", exponents; rejects empty input, spaces, trailing garbage and NaN.
bool parse_long_double(std::string_view s, long double* out);
bool parse_double(std::string_view s, double* out);

// Writes v in decimal into buf (at least 21 bytes); returns the length.
size_t format_i64(int64_t v, char* buf);
std::string i64_to_string(int64_t v);

// Formats a double as Redis replies it in RESP2 bulk strings ("%.17g", "inf", "-inf").
std::string format_double(double v);
// Formats a long double as INCRBYFLOAT stores it ("%.17Lf" with trailing zeros and dot removed).
std::string format_long_double(long double v);

// Glob-style match with Redis's rules: '*', '?', '[...]' with ranges and '^' negation, '\' escapes.
bool glob_match(std::string_view pattern, std::string_view s, bool nocase = false);

// ASCII case-insensitive equality (command names, options).
bool iequals(std::string_view a, std::string_view b);
std::string to_lower(std::string_view s);

// Parses memory sizes as Redis's config does: "100", "1k" (1000), "1kb" (1024), "1m", "1mb", "1g", "1gb",
// case-insensitive. Returns false on garbage, negatives or overflow.
bool parse_memory(std::string_view s, int64_t* out);

}  // namespace stashd
