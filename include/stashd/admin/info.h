// Owns: the content of INFO: which sections a request selects (Redis 7's default/all/everything
// rules), every section's fields (declared once, handed to an InfoSink so INFO text and, later,
// Prometheus render the same list), the INFO text format, and CONFIG RESETSTAT's reset of the
// counters INFO shows. Must not touch: the keyspace's internals, sockets. Thread: the event loop.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace stashd {

class NodeState;

// In the order INFO prints them.
enum class InfoSection : uint8_t {
  kServer,
  kClients,
  kMemory,
  kPersistence,
  kStats,
  kReplication,
  kCpu,
  kModules,
  kCommandstats,
  kErrorstats,
  kCluster,
  kKeyspace,
};
inline constexpr int kInfoSectionCount = 12;

// "server" -> "Server" ... as the "# Title" line shows it; lower-case names select it.
std::string_view info_section_title(InfoSection section);
std::string_view info_section_name(InfoSection section);

class InfoSelection {
 public:
  // The sections INFO's arguments select: names (case-insensitive), "default", "all" and
  // "everything"; no arguments means "default"; unknown names select nothing.
  static InfoSelection parse(std::span<const std::string_view> args);
  static InfoSelection defaults();
  static InfoSelection all();

  void add(InfoSection section) { bits_ |= 1u << static_cast<unsigned>(section); }
  bool has(InfoSection section) const { return bits_ & (1u << static_cast<unsigned>(section)); }

 private:
  uint32_t bits_ = 0;
};

// Receives INFO's content section by section, field by field.
class InfoSink {
 public:
  virtual ~InfoSink() = default;
  virtual void begin_section(InfoSection section) = 0;
  virtual void field(std::string_view name, std::string_view value) = 0;
};

// Produces the selected sections, in INFO's order, into the sink.
void collect_info(NodeState& node, const InfoSelection& selection, InfoSink& sink);
// INFO's reply text: "# Server\r\nredis_version:7.0.15\r\n...\r\n\r\n# Clients\r\n...".
std::string render_info(NodeState& node, const InfoSelection& selection);

// CONFIG RESETSTAT: zeroes the server counters, per-command and per-error statistics, keyspace
// hits/misses/expired/evicted, the lazily freed count, the instantaneous rates and the stale-key
// estimate. The slow log and the memory peak are kept, as in Redis.
void reset_info_stats(NodeState& node);

}  // namespace stashd
