// Owns: the notify-keyspace-events value: its event-class flags, parsing the flag characters and
// the canonical spelling CONFIG GET shows. Must not touch: anything else. Thread: any.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace stashd {

// Event classes, one per flag character of notify-keyspace-events.
enum KeyspaceEventClass : uint32_t {
  kEventKeyspace = 1u << 0,   // K
  kEventKeyevent = 1u << 1,   // E
  kEventGeneric = 1u << 2,    // g
  kEventString = 1u << 3,     // $
  kEventList = 1u << 4,       // l
  kEventSet = 1u << 5,        // s
  kEventHash = 1u << 6,       // h
  kEventZset = 1u << 7,       // z
  kEventExpired = 1u << 8,    // x
  kEventEvicted = 1u << 9,    // e
  kEventStream = 1u << 10,    // t
  kEventKeyMiss = 1u << 11,   // m
  kEventModule = 1u << 12,    // d
  kEventNew = 1u << 13,       // n
};

// Parses a flag string; nullopt on an unknown character.
std::optional<uint32_t> parse_keyspace_event_flags(std::string_view text);
// The canonical spelling CONFIG GET shows ("AKE", "Egx", ...).
std::string format_keyspace_event_flags(uint32_t flags);

}  // namespace stashd
