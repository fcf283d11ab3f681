// Owns: the metrics registry: every metric the node exports is declared once here (Prometheus
// name, type, help, the INFO section and field it also appears as, and how to read it from the
// node), so INFO and /metrics cannot disagree. INFO's sections print the declared scalars through
// info::Fields::metric(); render_prometheus() (prometheus.h) prints every declaration.
// Must not touch: the keyspace's internals, sockets. Thread: the event loop.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "stashd/admin/info.h"
#include "stashd/admin/memory_report.h"
#include "stashd/command/replication.h"

namespace stashd {

class NodeState;

enum class MetricType : uint8_t { kCounter, kGauge, kHistogram };

// How an INFO field shows a declared value: a decimal integer, or 1/0 as "ok"/"err".
enum class InfoFormat : uint8_t { kNone, kInteger, kOkErr };

// What the declarations read: the node, with the figures that cost something to gather (the
// memory report reads /proc; the replication status is copied) computed at most once per render.
class MetricSource {
 public:
  explicit MetricSource(NodeState& node) : node_(node) {}
  NodeState& node() { return node_; }
  const MemoryReport& memory();
  const ReplicationStatus& replication();

 private:
  NodeState& node_;
  std::optional<MemoryReport> memory_;
  std::optional<ReplicationStatus> replication_;
};

struct MetricLabel {
  std::string_view name;
  std::string_view value;
};

// Receives the samples of a labelled family or a histogram.
class MetricWriter {
 public:
  virtual ~MetricWriter() = default;
  // One sample: the family's name plus `suffix` ("", "_bucket", "_sum", "_count"), its labels.
  virtual void sample(std::string_view suffix, std::span<const MetricLabel> labels,
                      double value) = 0;
};

// The declared scalars that INFO prints too (labelled families are not listed: they have no id).
enum class MetricId : uint8_t {
  kUptime,
  kCommandsProcessed,
  kMemoryUsed,
  kMemoryRss,
  kMemoryMax,
  kEvictedKeys,
  kExpiredKeys,
  kKeyspaceHits,
  kKeyspaceMisses,
  kConnectedClients,
  kBlockedClients,
  kReplicationOffset,
  kConnectedReplicas,
  kLoading,
  kRdbChangesSinceLastSave,
  kRdbLastSaveTime,
  kRdbLastBgsaveSuccess,
  kAofEnabled,
  kAofLastWriteSuccess,
};

struct MetricDecl {
  std::string_view name;  // Prometheus family name, "stashd_..."
  MetricType type;
  std::string_view help;
  // Where INFO shows the value (info_format kNone: INFO does not).
  InfoSection info_section;
  std::string_view info_field;
  InfoFormat info_format;
  // A scalar: its value. Otherwise nullptr, and `collect` writes the family's samples.
  int64_t (*value)(MetricSource&);
  void (*collect)(MetricSource&, MetricWriter&);
};

// Every declaration, in the order /metrics prints them.
std::span<const MetricDecl> metric_declarations();
// A declared scalar by id.
const MetricDecl& metric(MetricId id);

}  // namespace stashd
