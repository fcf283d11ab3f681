// Owns: the slow log ring (see slowlog.h). Thread: the event loop.
#include "stashd/command/slowlog.h"

#include <fmt/format.h>

namespace stashd {

namespace {
constexpr size_t kMaxArgs = 32;
constexpr size_t kMaxArgLen = 128;
}  // namespace

void Slowlog::record(std::span<const std::string_view> argv, int64_t unix_seconds,
                     int64_t duration_us, std::string_view addr, std::string_view name,
                     size_t max_len) {
  SlowlogEntry e;
  e.id = next_id_++;
  e.unix_seconds = unix_seconds;
  e.duration_us = duration_us;
  size_t n = argv.size() > kMaxArgs ? kMaxArgs - 1 : argv.size();
  for (size_t i = 0; i < n; ++i) {
    std::string_view a = argv[i];
    if (a.size() > kMaxArgLen) {
      e.args.push_back(fmt::format("{}... ({} more bytes)", a.substr(0, kMaxArgLen),
                                   a.size() - kMaxArgLen));
    } else {
      e.args.emplace_back(a);
    }
  }
  if (n < argv.size()) e.args.push_back(fmt::format("... ({} more arguments)", argv.size() - n));
  e.client_addr = addr;
  e.client_name = name;
  entries_.push_front(std::move(e));
  trim(max_len);
}

void Slowlog::trim(size_t max_len) {
  while (entries_.size() > max_len) entries_.pop_back();
}

}  // namespace stashd
