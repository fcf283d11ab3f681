// Owns: the slow log (SLOWLOG GET/LEN/RESET): the most recent commands slower than
// slowlog-log-slower-than, capped at slowlog-max-len entries. Must not touch: sockets.
// Thread: the event loop.
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace stashd {

struct SlowlogEntry {
  uint64_t id;
  int64_t unix_seconds;
  int64_t duration_us;
  std::vector<std::string> args;  // at most 32, each cut at 128 bytes as Redis does
  std::string client_addr;
  std::string client_name;
};

class Slowlog {
 public:
  void record(std::span<const std::string_view> argv, int64_t unix_seconds, int64_t duration_us,
              std::string_view addr, std::string_view name, size_t max_len);
  const std::deque<SlowlogEntry>& entries() const { return entries_; }  // newest first
  void reset() { entries_.clear(); }
  void trim(size_t max_len);

 private:
  std::deque<SlowlogEntry> entries_;
  uint64_t next_id_ = 0;
};

}  // namespace stashd
