// Owns: the record layout constants shared by the snapshot writer and loader (see
// docs/persistence-format.md). Must not touch: anything else. Thread: any.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace stashd::persist::format {

inline constexpr std::string_view kMagic = "STASHD";
// magic | u16 version | i64 creation time in ms
inline constexpr size_t kHeaderBytes = 6 + 2 + 8;

// Record opcodes (the first byte of every record after the header).
inline constexpr uint8_t kOpKey = 0x01;  // u8 flags [i64 deadline] u24 access key value
inline constexpr uint8_t kOpAux = 0xFA;  // varint-prefixed name and value
inline constexpr uint8_t kOpDb = 0xFE;   // varint index, key count, expires count
inline constexpr uint8_t kOpEnd = 0xFF;  // followed by the u64 checksum, then nothing

inline constexpr uint8_t kKeyHasDeadline = 0x01;

// Aux field names the writer records and the loader reads.
inline constexpr std::string_view kAuxVersion = "stashd-ver";
inline constexpr std::string_view kAuxUsedMemory = "used-mem";
inline constexpr std::string_view kAuxKeys = "keys";
inline constexpr std::string_view kAuxExpires = "expires";
inline constexpr std::string_view kAuxAccess = "access";  // "lru" or "lfu": what access fields hold

}  // namespace stashd::persist::format
