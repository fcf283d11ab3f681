// Owns: the DUMP/RESTORE payload: an encoded value (value_codec.h) followed by a 2-byte format
// version and an 8-byte XXH64 checksum of everything before it, both little-endian.
// Must not touch: the keyspace beyond reading one entry, I/O. Thread: the event loop.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "stashd/common/status.h"
#include "stashd/config/config.h"
#include "stashd/keyspace/db.h"

namespace stashd::persist {

// Bumped whenever the value encoding changes; a payload from a newer version is refused.
inline constexpr uint16_t kDumpVersion = 1;

// RESTORE's replies for a payload it cannot take, worded as Redis words them.
inline constexpr std::string_view kDumpPayloadError =
    "ERR DUMP payload version or checksum are wrong";
inline constexpr std::string_view kBadDataFormat = "ERR Bad data format";

// The payload DUMP replies for entry `e`. `compress` is rdbcompression.
std::string make_dump_payload(const Db& db, EntryIndex e, bool compress);

// Checks a payload's version and checksum, then decodes its value (see decode_value). The error
// message is the reply RESTORE sends: kDumpPayloadError for a short payload, an unknown version
// or a wrong checksum, kBadDataFormat for a value that does not decode.
Status parse_dump_payload(std::string_view payload, const Config& cfg, DetachedValue* out);

}  // namespace stashd::persist
