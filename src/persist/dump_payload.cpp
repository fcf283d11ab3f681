// Owns: building and checking DUMP payloads (see dump_payload.h). Thread: the event loop.
#include "stashd/persist/dump_payload.h"

#include <xxhash.h>

#include "persist/wire.h"
#include "stashd/persist/value_codec.h"

namespace stashd::persist {

namespace {

constexpr size_t kTrailerBytes = 2 + 8;

}  // namespace

std::string make_dump_payload(const Db& db, EntryIndex e, bool compress) {
  std::string out;
  encode_value(db, e, &out, compress);
  wire::put_le(&out, kDumpVersion, 2);
  wire::put_le(&out, XXH64(out.data(), out.size(), 0), 8);
  return out;
}

Status parse_dump_payload(std::string_view payload, const Config& cfg, DetachedValue* out) {
  if (payload.size() < kTrailerBytes) return Status::error(std::string(kDumpPayloadError));
  const auto* trailer =
      reinterpret_cast<const uint8_t*>(payload.data() + payload.size() - kTrailerBytes);
  uint64_t version = wire::get_le(trailer, 2);
  uint64_t checksum = wire::get_le(trailer + 2, 8);
  if (version < 1 || version > kDumpVersion ||
      XXH64(payload.data(), payload.size() - 8, 0) != checksum) {
    return Status::error(std::string(kDumpPayloadError));
  }
  if (!decode_value(payload.substr(0, payload.size() - kTrailerBytes), cfg, out)) {
    return Status::error(std::string(kBadDataFormat));
  }
  return Status::ok();
}

}  // namespace stashd::persist
