// Owns: the on-disk form of one value (the logical content of any type, independent of its
// in-memory encoding), shared by snapshots and DUMP/RESTORE: encoding an entry's value, decoding
// and validating bytes back into a DetachedValue in the encodings the commands would build, and
// storing a decoded value under a key. The layout is described in docs/persistence-format.md. Must
// not touch: I/O, the clock. Thread: the event loop, or a forked snapshot child (encoding).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "stashd/common/status.h"
#include "stashd/config/config.h"
#include "stashd/keyspace/db.h"

namespace stashd::persist {

// Strings (and collection elements) at least this long are LZ4-compressed when compression is on
// and it makes them smaller; shorter ones rarely shrink enough to pay for the attempt.
inline constexpr size_t kCompressMinBytes = 64;

// Appends the value of entry `e` to *out: a type byte, then the content with varint lengths.
// `compress` is Redis's rdbcompression.
void encode_value(const Db& db, EntryIndex e, std::string* out, bool compress = true);

// Rebuilds a value from exactly the bytes `in` (nothing may follow it). Collections get the
// encodings their size and the *-max-listpack-* / set-max-intset-entries limits in `cfg` call for,
// as the commands would build them. Any malformed input (lengths beyond the input, an unknown type
// or item tag, bad compressed data, duplicate set members, hash fields or zset members, a NaN
// score, an empty collection, trailing bytes) gives an error naming the problem; no allocation is
// sized by a length the input does not back. The result has no deadline (expire_ms = -1).
Status decode_value(std::string_view in, const Config& cfg, DetachedValue* out);

// Stores a decoded value under `key` (replacing any old one) with the value's deadline, moving a
// string that would make the entry too big to embed out of line, as Db::set_string would.
// Returns the entry, or kNoEntry when out of memory.
EntryIndex put_value(Db& db, std::string_view key, DetachedValue&& value);

}  // namespace stashd::persist
