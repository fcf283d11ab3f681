// Owns: DEBUG DIGEST's and DEBUG DIGEST-VALUE's digests: 160-bit, printed as 40 hex digits,
// deterministic across runs and nodes, independent of insertion order and of value encodings.
// Must not touch: anything but reading the keyspace. Thread: the event loop.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "stashd/keyspace/keyspace.h"

namespace stashd {

using Digest = std::array<uint8_t, 20>;

// A value's type and content (the key and its deadline are not part of it).
Digest value_digest(const Db& db, EntryIndex e);
// XOR over every live key of every database of the digest of (db, key, value digest, deadline):
// the same data gives the same digest whatever order it was written in; all zeros when empty.
Digest dataset_digest(Keyspace& keyspace);
std::string digest_hex(const Digest& digest);

}  // namespace stashd
