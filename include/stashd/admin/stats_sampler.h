// Owns: the statistics INFO reports that no counter holds, sampled by the server cron: the
// instantaneous_* rates (ops/sec, network input/output), the peak and the start-up figure of used
// memory, and the estimate of stale keys (expired_stale_perc). NodeState has no slot for them, so
// they live in a small per-node table in this module (see sampled_stats()).
// Must not touch: the keyspace's internals, sockets. Thread: the event loop.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "stashd/keyspace/ttl_heap.h"

namespace stashd {

class NodeState;

// A rate of change of a monotonic counter, averaged over the last kSamples samples.
class RateSampler {
 public:
  static constexpr size_t kSamples = 16;

  // Records the counter's value at now_ms; every call after the first adds one per-second sample.
  void sample(int64_t now_ms, uint64_t counter);
  // Mean of the samples taken so far (0 before the second call).
  double per_second() const;
  void reset();

 private:
  std::array<double, kSamples> samples_{};
  size_t count_ = 0;  // samples filled, up to kSamples
  size_t next_ = 0;   // ring position of the next sample
  int64_t last_ms_ = -1;
  uint64_t last_value_ = 0;
};

struct SampledStats {
  RateSampler ops;         // total_commands_processed
  RateSampler net_input;   // total_net_input_bytes
  RateSampler net_output;  // total_net_output_bytes
  int64_t last_rate_sample_ms = -1;
  int64_t last_stale_sample_ms = -1;
  size_t used_memory_peak = 0;
  size_t used_memory_startup = 0;
  bool startup_recorded = false;
  double expired_stale_perc = 0;  // % of keys with a TTL whose deadline passed, not yet removed
};

// Rates are sampled at most this often, however high hz is (Redis samples every 100 ms too).
inline constexpr int64_t kRateSamplePeriodMs = 100;
// The cron re-estimates expired_stale_perc this often.
inline constexpr int64_t kStaleSamplePeriodMs = 1000;
// Heap nodes the stale-key walk may visit per estimate, over all databases (tens of microseconds).
inline constexpr size_t kStaleWalkBudget = 10000;
// Evenly spaced heap positions read when the walk runs out of budget.
inline constexpr size_t kStaleSampleSize = 1024;

// The node's sampled statistics, created on first use.
SampledStats& sampled_stats(const NodeState& node);
// Drops the node's entry. Call it when a NodeState is destroyed and another may take its address
// (tests); a process running one node for its lifetime never needs to.
void forget_sampled_stats(const NodeState& node);

// The server cron calls this on every pass (every 1000/hz ms): rates, the memory peak, the
// start-up figure on the first pass, and the stale-key estimate.
void admin_cron_tick(NodeState& node);
// Used memory now (Keyspace::used_memory()), raising the node's peak.
size_t measure_used_memory(NodeState& node);
// Records used_memory_startup once, the first time the cron, INFO or MEMORY looks at memory (the
// server has no earlier hook into admin; calling this before accepting clients would be exact).
void record_startup_memory(NodeState& node);

// Keys of a TTL heap whose deadline is at or before now_ms. The walk starts at the root and only
// descends below due nodes (a min-heap: nothing under a later deadline is due), so it is exact
// while it fits in *budget visits; past that it keeps the due keys found and scales an evenly
// spaced sample of the heap to the whole. Consumes *budget.
size_t count_due_keys(std::span<const TtlHeap::Node> heap, int64_t now_ms, size_t* budget);
// INFO's expired_stale_perc: due keys as a percentage of all keys with a TTL (0 without any).
double expired_stale_percent(NodeState& node, int64_t now_ms);

}  // namespace stashd
