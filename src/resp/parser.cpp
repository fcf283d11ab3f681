// Owns: RequestParser, turning the bytes of a connection's read buffer into one request's argument
// views at a time, with the framing rules and error strings of Redis's networking.c (multibulk and
// inline requests). Must not touch: sockets, commands, the caller's buffer. Thread: the event loop
// (one parser per connection).
//
// Deliberate differences from Redis, all on malformed input:
// - A line end is "\r\n": after a header's '\r' the next byte must be '\n' (Redis skips it unread),
//   else "invalid multibulk length" / "invalid bulk length".
// - A bulk payload must be followed by "\r\n" (Redis skips two bytes unread), else
//   "Protocol error: invalid bulk length".
// - NUL bytes are ordinary bytes: Redis's strchr-based scans stop at them, so a header or inline
//   line containing NUL would stall there until the 64 KB limit; here the digits fail to parse
//   instead, and inline arguments may contain NUL.
// A header line still waiting for its '\r' is limited by max_inline_len, as Redis reuses
// PROTO_INLINE_MAX_SIZE for it ("too big mbulk count string" / "too big bulk count string").
#include "stashd/resp/parser.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <utility>

#include "stashd/common/strings.h"

namespace stashd::resp {
namespace {

// Redis preallocates at most this many argument slots before the arguments arrive.
constexpr int64_t kMaxPreallocatedArgs = 1024;
// Above this many slots the vectors are released after a request instead of kept for the next.
constexpr size_t kMaxRetainedArgs = 4096;

bool is_c_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

bool is_hex_digit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

char unescape(char c) {
  switch (c) {
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    case 'b':
      return '\b';
    case 'a':
      return '\a';
    default:
      return c;
  }
}

// A closing quote must end the argument: followed by whitespace or the end of the line.
bool quote_closes_argument(std::string_view line, size_t quote) {
  return quote + 1 == line.size() || is_c_space(line[quote + 1]);
}

// Splits an inline request line into arguments following the rules of Redis's sdssplitargs.
// Reuses the strings already in *storage; sets *argc. Returns false on unbalanced quotes.
bool split_inline_args(std::string_view line, std::vector<std::string>* storage, size_t* argc) {
  const size_t n = line.size();
  size_t i = 0;
  *argc = 0;
  while (true) {
    while (i < n && is_c_space(line[i])) ++i;
    if (i == n) return true;
    if (*argc == storage->size()) storage->emplace_back();
    std::string& arg = (*storage)[(*argc)++];
    arg.clear();
    bool in_double = false;
    bool in_single = false;
    bool done = false;
    while (!done) {
      if (in_double) {
        if (i == n) return false;
        if (line[i] == '\\' && i + 3 < n && line[i + 1] == 'x' && is_hex_digit(line[i + 2]) &&
            is_hex_digit(line[i + 3])) {
          arg.push_back(static_cast<char>(hex_value(line[i + 2]) * 16 + hex_value(line[i + 3])));
          i += 4;
        } else if (line[i] == '\\' && i + 1 < n) {
          arg.push_back(unescape(line[i + 1]));
          i += 2;
        } else if (line[i] == '"') {
          if (!quote_closes_argument(line, i)) return false;
          done = true;
          ++i;
        } else {
          arg.push_back(line[i++]);
        }
      } else if (in_single) {
        if (i == n) return false;
        if (line[i] == '\\' && i + 1 < n && line[i + 1] == '\'') {
          arg.push_back('\'');
          i += 2;
        } else if (line[i] == '\'') {
          if (!quote_closes_argument(line, i)) return false;
          done = true;
          ++i;
        } else {
          arg.push_back(line[i++]);
        }
      } else if (i == n) {
        done = true;
      } else {
        // Only these four end an unquoted argument (not \v or \f, which merely get skipped
        // between arguments); a quote may open in the middle of an argument, as in Redis.
        switch (line[i]) {
          case ' ':
          case '\n':
          case '\r':
          case '\t':
            done = true;
            break;
          case '"':
            in_double = true;
            break;
          case '\'':
            in_single = true;
            break;
          default:
            arg.push_back(line[i]);
            break;
        }
        ++i;
      }
    }
  }
}

// Finds the first `c` in data[from, end); returns npos if none.
size_t find_byte(std::string_view data, size_t from, char c) {
  if (from >= data.size()) return std::string_view::npos;
  const void* hit = std::memchr(data.data() + from, c, data.size() - from);
  return hit == nullptr ? std::string_view::npos
                        : static_cast<size_t>(static_cast<const char*>(hit) - data.data());
}

}  // namespace

RequestParser::RequestParser(ParseLimits limits) : limits_(limits) {}

void RequestParser::reset() {
  clear_request_state();
  args_.clear();
  consumed_ = 0;
  error_.clear();
}

void RequestParser::clear_request_state() {
  expected_args_ = -1;
  bulk_len_ = -1;
  pos_ = 0;
  line_scan_ = 0;
  bytes_hint_ = 0;
  offsets_.clear();
  if (offsets_.capacity() > kMaxRetainedArgs) offsets_.shrink_to_fit();
}

ParseStatus RequestParser::fail(std::string message) {
  clear_request_state();
  args_.clear();
  consumed_ = 0;
  error_ = std::move(message);
  return ParseStatus::kError;
}

ParseStatus RequestParser::parse(std::string_view data) {
  // A protocol error is final: the connection is going to be closed, unless the owner resets.
  if (!error_.empty()) return ParseStatus::kError;
  args_.clear();
  if (args_.capacity() > kMaxRetainedArgs) args_.shrink_to_fit();
  consumed_ = 0;
  bytes_hint_ = 0;
  // The caller broke the "only grows" contract; start over rather than read out of bounds.
  if (pos_ > data.size() || line_scan_ > data.size()) clear_request_state();
  if (data.empty()) return ParseStatus::kNeedMore;
  return data[0] == '*' ? parse_multibulk(data) : parse_inline(data);
}

ParseStatus RequestParser::parse_multibulk(std::string_view data) {
  if (expected_args_ < 0) {
    const size_t cr = find_byte(data, std::max<size_t>(line_scan_, 1), '\r');
    if (cr == std::string_view::npos) {
      line_scan_ = data.size();
      if (data.size() > limits_.max_inline_len) {
        return fail("Protocol error: too big mbulk count string");
      }
      return ParseStatus::kNeedMore;
    }
    if (cr + 1 == data.size()) {
      line_scan_ = cr;
      return ParseStatus::kNeedMore;
    }
    int64_t count = 0;
    if (data[cr + 1] != '\n' || !parse_i64(data.substr(1, cr - 1), &count) ||
        count > limits_.max_multibulk_len) {
      return fail("Protocol error: invalid multibulk length");
    }
    if (limits_.unauthenticated && count > kUnauthenticatedMaxArgs) {
      return fail("Protocol error: unauthenticated multibulk length");
    }
    pos_ = cr + 2;
    if (count <= 0) {
      // Redis consumes "*0" and "*-1" and runs nothing.
      consumed_ = pos_;
      clear_request_state();
      return ParseStatus::kCommand;
    }
    expected_args_ = count;
    offsets_.reserve(static_cast<size_t>(std::min(count, kMaxPreallocatedArgs)));
  }

  while (static_cast<int64_t>(offsets_.size()) < expected_args_) {
    if (bulk_len_ < 0) {
      const size_t cr = find_byte(data, std::max(line_scan_, pos_), '\r');
      if (cr == std::string_view::npos) {
        line_scan_ = data.size();
        if (data.size() - pos_ > limits_.max_inline_len) {
          return fail("Protocol error: too big bulk count string");
        }
        return ParseStatus::kNeedMore;
      }
      if (cr + 1 == data.size()) {
        line_scan_ = cr;
        return ParseStatus::kNeedMore;
      }
      if (data[pos_] != '$') {
        // Redis's error replies turn line breaks into spaces; do it here so error() is one line.
        const char got = (data[pos_] == '\r' || data[pos_] == '\n') ? ' ' : data[pos_];
        return fail(std::string("Protocol error: expected '$', got '") + got + "'");
      }
      int64_t len = 0;
      if (data[cr + 1] != '\n' || !parse_i64(data.substr(pos_ + 1, cr - pos_ - 1), &len) ||
          len < 0 || len > limits_.max_bulk_len) {
        return fail("Protocol error: invalid bulk length");
      }
      if (limits_.unauthenticated && len > kUnauthenticatedMaxBulk) {
        return fail("Protocol error: unauthenticated bulk length");
      }
      pos_ = cr + 2;
      bulk_len_ = len;
    }
    const size_t end = pos_ + static_cast<size_t>(bulk_len_) + 2;
    if (data.size() < end) {
      bytes_hint_ = end - data.size();
      return ParseStatus::kNeedMore;
    }
    if (data[end - 2] != '\r' || data[end - 1] != '\n') {
      return fail("Protocol error: invalid bulk length");
    }
    offsets_.emplace_back(pos_, static_cast<size_t>(bulk_len_));
    pos_ = end;
    bulk_len_ = -1;
  }

  args_.reserve(offsets_.size());
  for (const auto& [offset, len] : offsets_) args_.emplace_back(data.data() + offset, len);
  consumed_ = pos_;
  clear_request_state();
  return ParseStatus::kCommand;
}

ParseStatus RequestParser::parse_inline(std::string_view data) {
  if (inline_storage_.size() > kMaxRetainedArgs) std::vector<std::string>().swap(inline_storage_);
  const size_t lf = find_byte(data, line_scan_, '\n');
  if (lf == std::string_view::npos) {
    line_scan_ = data.size();
    if (data.size() > limits_.max_inline_len) {
      return fail("Protocol error: too big inline request");
    }
    return ParseStatus::kNeedMore;
  }
  const size_t line_len = (lf > 0 && data[lf - 1] == '\r') ? lf - 1 : lf;
  size_t argc = 0;
  if (!split_inline_args(data.substr(0, line_len), &inline_storage_, &argc)) {
    return fail("Protocol error: unbalanced quotes in request");
  }
  // Views are taken only after all strings exist: growing inline_storage_ moves them.
  args_.assign(inline_storage_.begin(), inline_storage_.begin() + static_cast<ptrdiff_t>(argc));
  consumed_ = lf + 1;
  clear_request_state();
  return ParseStatus::kCommand;
}

}  // namespace stashd::resp
