// Owns: incremental parsing of client requests (RESP multibulk and inline commands) into argument views.
// Must not touch: sockets, commands. Thread: the event loop (one parser per connection).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace stashd::resp {

struct ParseLimits {
  int64_t max_bulk_len = 512LL * 1024 * 1024;      // proto-max-bulk-len
  int64_t max_multibulk_len = 1024 * 1024;         // Redis's fixed limit on the argument count
  size_t max_inline_len = 64 * 1024;               // PROTO_INLINE_MAX_SIZE
  // Before AUTH (when a password is required) requests are kept tiny, as Redis does, so an
  // unauthenticated peer cannot make the server buffer large frames.
  bool unauthenticated = false;
};

inline constexpr int64_t kUnauthenticatedMaxArgs = 10;
inline constexpr int64_t kUnauthenticatedMaxBulk = 16384;

enum class ParseStatus { kNeedMore, kCommand, kError };

// Parses one request at a time from the front of a buffer that only grows at its end between calls.
// The caller passes the same unconsumed bytes again (possibly longer, possibly moved in memory) until
// kCommand or kError; the parser keeps offsets, not pointers, so re-scanning is avoided.
// On kCommand, args() views point into `data` (or into the parser for inline commands) and stay valid
// until the next parse()/reset() or until the caller changes the buffer; consumed() bytes may then be
// dropped by the caller. An empty multibulk ("*0\r\n") or an empty inline line is consumed and
// reported as kCommand with no args; callers skip it.
class RequestParser {
 public:
  explicit RequestParser(ParseLimits limits = {});

  ParseStatus parse(std::string_view data);
  std::span<const std::string_view> args() const { return args_; }
  size_t consumed() const { return consumed_; }
  // The Redis-style message without the "ERR " prefix, e.g. "Protocol error: invalid bulk length".
  const std::string& error() const { return error_; }
  // Bytes the parser knows it still needs for the current request (0 if unknown): lets the caller
  // reserve a big bulk's space in one go.
  size_t bytes_hint() const { return bytes_hint_; }
  void set_limits(const ParseLimits& limits) { limits_ = limits; }
  void reset();

 private:
  ParseStatus parse_multibulk(std::string_view data);
  ParseStatus parse_inline(std::string_view data);
  ParseStatus fail(std::string message);
  void clear_request_state();

  ParseLimits limits_;
  // State of a multibulk request in progress (offsets are relative to the start of `data`).
  int64_t expected_args_ = -1;   // -1: header not read yet
  int64_t bulk_len_ = -1;        // -1: next bulk header not read yet
  size_t pos_ = 0;
  size_t line_scan_ = 0;         // where the search for the current line's end resumes
  std::vector<std::pair<size_t, size_t>> offsets_;
  std::vector<std::string_view> args_;
  std::vector<std::string> inline_storage_;
  size_t consumed_ = 0;
  size_t bytes_hint_ = 0;
  std::string error_;
};

}  // namespace stashd::resp
