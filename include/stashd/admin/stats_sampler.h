// Owns: the statistics INFO reports that no counter holds: the instantaneous_* rates (ops/sec,
// network input/output), sampled by the server cron, and the peak of used memory. NodeState has no
// slot for them, so they live in a small per-node table in this module (see sampled_stats()).
// Must not touch: the keyspace's internals, sockets. Thread: the event loop.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

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
  int64_t last_memory_sample_ms = -1;
  size_t used_memory_peak = 0;
  size_t heap_bytes = 0;      // the last heap measurement
  int64_t heap_probe_us = 0;  // how long it took
};

// Rates are sampled at most this often, however high hz is (Redis samples every 100 ms too).
inline constexpr int64_t kRateSamplePeriodMs = 100;
// The cron samples used memory for the peak this often.
inline constexpr int64_t kMemorySamplePeriodMs = 1000;
// Measuring the heap walks every free list of the allocator: microseconds on a tidy heap, but
// 100 ms and more with a million free chunks. The cron re-measures only while the last
// measurement took at most this long, and otherwise uses the last heap figure with the live arena
// figure; INFO always measures (and so re-arms the cron once the heap is tidy again).
inline constexpr int64_t kMaxCronHeapProbeUs = 1000;

// The node's sampled statistics, created on first use.
SampledStats& sampled_stats(const NodeState& node);
// Drops the node's entry. Call it when a NodeState is destroyed and another may take its address
// (tests); a process running one node for its lifetime never needs to.
void forget_sampled_stats(const NodeState& node);

// The server cron calls this on every pass (every 1000/hz ms).
void admin_cron_tick(NodeState& node);
// INFO's used_memory, measured now (arena + heap), raising the node's peak.
size_t measure_used_memory(NodeState& node);

}  // namespace stashd
