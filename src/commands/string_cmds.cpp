// Placeholder until the string family lands: registers nothing.
#include "stashd/commands/registry.h"

namespace stashd {
void register_string_commands(CommandTable&) {}
}  // namespace stashd
