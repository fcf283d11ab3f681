// Owns: the private interface between INFO's selection/rendering (info.cpp) and the producers of
// each section's fields (info_sections.cpp, info_stats_sections.cpp).
// Must not touch: sockets, the keyspace's internals. Thread: the event loop.
#pragma once

#include <fmt/format.h>

#include <concepts>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stashd/admin/info.h"
#include "stashd/admin/metrics.h"

namespace stashd {
class NodeState;
struct Command;
}

namespace stashd::info {

// Typed front end of an InfoSink: integers print in decimal, fixed() with Redis's "%.Nf", and
// metric() prints a declared metric (metrics.h) under its INFO name.
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
  void metric(MetricId id, NodeState& node);
  // What metric() reads, created on first use and shared by the sections of one INFO call (so the
  // memory report is measured once).
  MetricSource& source(NodeState& node) {
    if (!source_) source_.emplace(node);
    return *source_;
  }

 private:
  InfoSink& sink_;
  std::optional<MetricSource> source_;
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

// Executable rows (containers never run) that have been called, rejected or failed, by name:
// the rows INFO commandstats and the per-command metrics list.
std::vector<const Command*> used_commands(NodeState& node);

// The 40 hex characters INFO shows as master_replid, derived from the node's run id.
std::string replication_id(std::string_view run_id);

}  // namespace stashd::info
