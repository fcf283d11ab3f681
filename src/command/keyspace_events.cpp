// Owns: keyspace notifications (see keyspace_events.h). Thread: the event loop.
#include "stashd/command/keyspace_events.h"

#include <fmt/format.h>

#include "stashd/command/pubsub.h"

namespace stashd {

void KeyspaceEvents::configure(const std::string& flags_text) {
  if (flags_text == text_) return;
  text_ = flags_text;
  flags_ = parse_keyspace_event_flags(flags_text).value_or(0);
}

void KeyspaceEvents::notify(int db, uint32_t event_class, std::string_view event,
                            std::string_view key) {
  if (!enabled(event_class)) return;
  if (flags_ & kEventKeyspace) {
    pubsub_->publish(fmt::format("__keyspace@{}__:{}", db, key), event);
  }
  if (flags_ & kEventKeyevent) {
    pubsub_->publish(fmt::format("__keyevent@{}__:{}", db, event), key);
  }
}

}  // namespace stashd
