// Owns: the private interface between INFO's selection/rendering (info.cpp) and the producers of
// each section's fields (info_sections.cpp, info_stats_sections.cpp).
// Must not touch: sockets, the keyspace's internals. Thread: the event loop.
#pragma once

#include <fmt/format.h>

#include <concepts>
#include <string>
#include <string_view>

#include "stashd/admin/info.h"

namespace stashd {
class NodeState;
}

namespace stashd::info {

// Typed front end of an InfoSink: integers print in decimal, fixed() with Redis's "%.Nf".
class Fields {
 public:
  explicit Fields(InfoSink& sink) : sink_(sink) {}
  void add(std::string_view name, std::string_view value) { sink_.field(name, value); }
  template <std::integral T>
  void add(std::string_view name, T value) {
    sink_.field(name, fmt::format_int(value).c_str());
  }
  void fixed(std::string_view name, double value, int decimals) {
    sink_.field(name, fmt::format("{:.{}f}", value, decimals));
  }

 private:
  InfoSink& sink_;
};

void server_section(NodeState& node, Fields& out);
void clients_section(NodeState& node, Fields& out);
void memory_section(NodeState& node, Fields& out);
void persistence_section(NodeState& node, Fields& out);
void stats_section(NodeState& node, Fields& out);
void replication_section(NodeState& node, Fields& out);
void cpu_section(NodeState& node, Fields& out);
void commandstats_section(NodeState& node, Fields& out);
void errorstats_section(NodeState& node, Fields& out);
void cluster_section(NodeState& node, Fields& out);
void keyspace_section(NodeState& node, Fields& out);

// The 40 hex characters INFO shows as master_replid, derived from the node's run id.
std::string replication_id(std::string_view run_id);

}  // namespace stashd::info
