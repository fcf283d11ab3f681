// Placeholder until the server family lands: registers nothing.
#include "stashd/commands/registry.h"

namespace stashd {
void register_server_commands(CommandTable&) {}
}  // namespace stashd
