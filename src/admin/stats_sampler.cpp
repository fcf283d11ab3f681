// Owns: the per-node sampled statistics table and the cron sampling (see stats_sampler.h).
// Must not touch: sockets, the keyspace's internals. Thread: the event loop; the table itself is
// guarded by a mutex so nodes running on different threads (cluster tests) do not race on it.
#include "stashd/admin/stats_sampler.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

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

size_t raise_peak(SampledStats& s, size_t used) {
  s.used_memory_peak = std::max(s.used_memory_peak, used);
  return used;
}

// Due keys among kStaleSampleSize evenly spaced positions, scaled to the heap's size. The heap
// array is stored level by level, so the spacing samples every depth in proportion to its size.
size_t sampled_due_keys(std::span<const TtlHeap::Node> heap, int64_t now_ms) {
  size_t n = heap.size();
  size_t samples = std::min(n, kStaleSampleSize);
  size_t due = 0;
  for (size_t k = 0; k < samples; ++k) {
    if (heap[k * n / samples].deadline_ms <= now_ms) ++due;
  }
  return static_cast<size_t>(
      static_cast<double>(due) * static_cast<double>(n) / static_cast<double>(samples) + 0.5);
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
  return raise_peak(sampled_stats(node), node.keyspace().used_memory());
}

void record_startup_memory(NodeState& node) {
  SampledStats& s = sampled_stats(node);
  if (s.startup_recorded) return;
  s.used_memory_startup = measure_used_memory(node);
  s.startup_recorded = true;
}

size_t count_due_keys(std::span<const TtlHeap::Node> heap, int64_t now_ms, size_t* budget) {
  if (heap.empty() || heap[0].deadline_ms > now_ms) return 0;
  std::vector<size_t> pending{0};
  size_t due = 0;
  while (!pending.empty()) {
    if (*budget == 0) return std::max(due, sampled_due_keys(heap, now_ms));
    --*budget;
    size_t i = pending.back();
    pending.pop_back();
    if (heap[i].deadline_ms > now_ms) continue;
    ++due;
    for (size_t child = 2 * i + 1; child <= 2 * i + 2 && child < heap.size(); ++child) {
      pending.push_back(child);
    }
  }
  return due;
}

double expired_stale_percent(NodeState& node, int64_t now_ms) {
  Keyspace& ks = node.keyspace();
  size_t budget = kStaleWalkBudget;
  size_t due = 0;
  size_t with_ttl = 0;
  for (int i = 0; i < ks.databases(); ++i) {
    const std::vector<TtlHeap::Node>& heap = ks.db(i).ttl_heap().nodes();
    due += count_due_keys(heap, now_ms, &budget);
    with_ttl += heap.size();
  }
  return with_ttl ? 100.0 * static_cast<double>(due) / static_cast<double>(with_ttl) : 0.0;
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
  record_startup_memory(node);
  measure_used_memory(node);  // two counter reads: cheap enough for every pass
  if (s.last_stale_sample_ms < 0 || now - s.last_stale_sample_ms >= kStaleSamplePeriodMs) {
    s.expired_stale_perc = expired_stale_percent(node, now);
    s.last_stale_sample_ms = now;
  }
}

}  // namespace stashd
