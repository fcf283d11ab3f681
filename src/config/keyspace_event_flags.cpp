// Owns: parsing and formatting notify-keyspace-events flags (see keyspace_event_flags.h).
// Thread: any.
#include "stashd/config/keyspace_event_flags.h"

namespace stashd {

namespace {

constexpr uint32_t kAll = kEventGeneric | kEventString | kEventList | kEventSet | kEventHash |
                          kEventZset | kEventExpired | kEventEvicted | kEventStream | kEventModule;

struct FlagChar {
  char c;
  uint32_t flag;
};
// In the order CONFIG GET prints the classes.
constexpr FlagChar kClassChars[] = {
    {'g', kEventGeneric}, {'$', kEventString},  {'l', kEventList},    {'s', kEventSet},
    {'h', kEventHash},    {'z', kEventZset},    {'x', kEventExpired}, {'e', kEventEvicted},
    {'t', kEventStream},  {'d', kEventModule},  {'n', kEventNew},
};

}  // namespace

std::optional<uint32_t> parse_keyspace_event_flags(std::string_view text) {
  uint32_t flags = 0;
  for (char c : text) {
    switch (c) {
      case 'A': flags |= kAll; break;
      case 'K': flags |= kEventKeyspace; break;
      case 'E': flags |= kEventKeyevent; break;
      case 'm': flags |= kEventKeyMiss; break;
      default: {
        bool known = false;
        for (const FlagChar& f : kClassChars) {
          if (f.c == c) {
            flags |= f.flag;
            known = true;
          }
        }
        if (!known) return std::nullopt;
      }
    }
  }
  return flags;
}

std::string format_keyspace_event_flags(uint32_t flags) {
  std::string s;
  if ((flags & kAll) == kAll) {
    s += 'A';
    if (flags & kEventNew) s += 'n';
  } else {
    for (const FlagChar& f : kClassChars) {
      if (flags & f.flag) s += f.c;
    }
  }
  if (flags & kEventKeyspace) s += 'K';
  if (flags & kEventKeyevent) s += 'E';
  if (flags & kEventKeyMiss) s += 'm';
  return s;
}

}  // namespace stashd
