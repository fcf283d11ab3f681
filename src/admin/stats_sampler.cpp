// Owns: the per-node sampled statistics table and the cron sampling (see stats_sampler.h).
// Must not touch: sockets, the keyspace's internals. Thread: the event loop; the table itself is
// guarded by a mutex so nodes running on different threads (cluster tests) do not race on it.
#include "stashd/admin/stats_sampler.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "stashd/admin/memory.h"
#include "stashd/command/node_state.h"

namespace stashd {

namespace {

struct SampledStatsTable {
  std::mutex mutex;
  std::unordered_map<const NodeState*, std::unique_ptr<SampledStats>> by_node;
};

SampledStatsTable& table() {
  static SampledStatsTable instance;
  return instance;
}

void measure_heap(SampledStats& s) {
  auto start = std::chrono::steady_clock::now();
  s.heap_bytes = heap_allocated_bytes();
  s.heap_probe_us = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
}

// Used memory from the live arena figure and the last heap figure; raises the peak.
size_t raise_peak(SampledStats& s, NodeState& node) {
  size_t used = dataset_memory(node) + s.heap_bytes;
  s.used_memory_peak = std::max(s.used_memory_peak, used);
  return used;
}

}  // namespace

void RateSampler::sample(int64_t now_ms, uint64_t counter) {
  if (last_ms_ >= 0 && now_ms > last_ms_) {
    // A counter that went backwards was reset (CONFIG RESETSTAT): count from zero.
    uint64_t delta = counter >= last_value_ ? counter - last_value_ : counter;
    samples_[next_] = static_cast<double>(delta) * 1000.0 / static_cast<double>(now_ms - last_ms_);
    next_ = (next_ + 1) % kSamples;
    count_ = std::min(count_ + 1, kSamples);
  }
  if (now_ms >= last_ms_) {
    last_ms_ = now_ms;
    last_value_ = counter;
  }
}

double RateSampler::per_second() const {
  if (count_ == 0) return 0;
  double sum = 0;
  for (size_t i = 0; i < count_; ++i) sum += samples_[i];
  return sum / static_cast<double>(count_);
}

void RateSampler::reset() { *this = RateSampler(); }

SampledStats& sampled_stats(const NodeState& node) {
  SampledStatsTable& t = table();
  std::lock_guard lock(t.mutex);
  std::unique_ptr<SampledStats>& entry = t.by_node[&node];
  if (!entry) entry = std::make_unique<SampledStats>();
  return *entry;
}

void forget_sampled_stats(const NodeState& node) {
  SampledStatsTable& t = table();
  std::lock_guard lock(t.mutex);
  t.by_node.erase(&node);
}

size_t measure_used_memory(NodeState& node) {
  SampledStats& s = sampled_stats(node);
  measure_heap(s);
  return raise_peak(s, node);
}

void admin_cron_tick(NodeState& node) {
  SampledStats& s = sampled_stats(node);
  int64_t now = node.clock().now_ms();
  if (s.last_rate_sample_ms < 0 || now - s.last_rate_sample_ms >= kRateSamplePeriodMs) {
    const ServerStats& stats = node.stats();
    s.ops.sample(now, stats.total_commands_processed);
    s.net_input.sample(now, stats.total_net_input_bytes);
    s.net_output.sample(now, stats.total_net_output_bytes);
    s.last_rate_sample_ms = now;
  }
  if (s.last_memory_sample_ms < 0 || now - s.last_memory_sample_ms >= kMemorySamplePeriodMs) {
    if (s.heap_probe_us <= kMaxCronHeapProbeUs) measure_heap(s);
    raise_peak(s, node);
    s.last_memory_sample_ms = now;
  }
}

}  // namespace stashd
