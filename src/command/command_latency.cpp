// Owns: the mapping between the command table's groups and the metric families (see
// command_latency.h). Must not touch: sockets, the keyspace. Thread: any (pure functions).
#include "stashd/command/command_latency.h"

namespace stashd {

namespace {

struct FamilyRow {
  std::string_view group;  // as the command table's rows spell it
  std::string_view name;   // as the metric label shows it
};

// In CommandFamily order.
constexpr std::array<FamilyRow, kCommandFamilyCount> kFamilies = {{
    {"string", "string"},
    {"list", "list"},
    {"hash", "hash"},
    {"set", "set"},
    {"sorted-set", "zset"},
    {"generic", "key"},
    {"bitmap", "bitmap"},
    {"pubsub", "pubsub"},
    {"transactions", "transaction"},
    {"connection", "connection"},
    {"server", "server"},
    {"", "other"},
}};

}  // namespace

CommandFamily command_family(std::string_view group) {
  for (size_t i = 0; i + 1 < kFamilies.size(); ++i) {
    if (kFamilies[i].group == group) return static_cast<CommandFamily>(i);
  }
  return CommandFamily::kOther;
}

std::string_view command_family_name(CommandFamily family) {
  return kFamilies[static_cast<size_t>(family)].name;
}

}  // namespace stashd
