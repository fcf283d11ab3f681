// Placeholder until the key family lands: registers nothing.
#include "stashd/commands/registry.h"

namespace stashd {
void register_key_commands(CommandTable&) {}
}  // namespace stashd
