// Placeholder until the bit family lands: registers nothing.
#include "stashd/commands/registry.h"

namespace stashd {
void register_bit_commands(CommandTable&) {}
}  // namespace stashd
