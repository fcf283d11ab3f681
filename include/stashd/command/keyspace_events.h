// Owns: keyspace notifications (notify-keyspace-events): parsing the event-class flags, and
// publishing "__keyspace@<db>__:<key>" / "__keyevent@<db>__:<event>" messages through PubSub.
// Must not touch: the keyspace, sockets. Thread: the event loop.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "stashd/config/keyspace_event_flags.h"

namespace stashd {

class PubSub;

class KeyspaceEvents {
 public:
  explicit KeyspaceEvents(PubSub* pubsub) : pubsub_(pubsub) {}
  // The config string is re-parsed only when it changes.
  void configure(const std::string& flags_text);
  bool any() const { return (flags_ & (kEventKeyspace | kEventKeyevent)) != 0; }
  bool enabled(uint32_t event_class) const {
    return (flags_ & event_class) != 0 && (flags_ & (kEventKeyspace | kEventKeyevent)) != 0;
  }
  void notify(int db, uint32_t event_class, std::string_view event, std::string_view key);

 private:
  PubSub* pubsub_;
  std::string text_;
  uint32_t flags_ = 0;
};

}  // namespace stashd
