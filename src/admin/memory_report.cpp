// Owns: building the memory breakdown and the MEMORY DOCTOR diagnosis (see memory_report.h).
// Must not touch: the keyspace's internals, sockets. Thread: the event loop.
#include "stashd/admin/memory_report.h"

#include <fmt/format.h>

#include "stashd/admin/stats_sampler.h"
#include "stashd/command/node_state.h"

namespace stashd {

namespace {

double ratio(size_t a, size_t b) {
  return b ? static_cast<double>(a) / static_cast<double>(b) : 0.0;
}
int64_t delta(size_t a, size_t b) { return static_cast<int64_t>(a) - static_cast<int64_t>(b); }

// Below this much used memory, ratios swing with every small allocation: nothing to diagnose.
constexpr size_t kDoctorMinUsed = 5 << 20;
// A ratio is only a problem when the bytes behind it are also worth having back.
constexpr int64_t kDoctorMinWaste = 10 << 20;
constexpr double kDoctorPeakRatio = 1.5;
constexpr double kDoctorRssRatio = 1.4;
constexpr double kDoctorAllocatorRatio = 1.1;
constexpr size_t kDoctorClientAverage = 200 << 10;
constexpr double kDoctorNearMaxmemory = 0.9;

}  // namespace

double MemoryReport::dataset_percent() const { return 100.0 * ratio(dataset, net_usage()); }
double MemoryReport::peak_percent() const { return 100.0 * ratio(used, peak); }
double MemoryReport::allocator_frag_ratio() const {
  return ratio(allocator.active, allocator.allocated);
}
int64_t MemoryReport::allocator_frag_bytes() const {
  return delta(allocator.active, allocator.allocated);
}
double MemoryReport::allocator_rss_ratio() const {
  return ratio(allocator.resident, allocator.active);
}
int64_t MemoryReport::allocator_rss_bytes() const {
  return delta(allocator.resident, allocator.active);
}
double MemoryReport::rss_overhead_ratio() const { return ratio(rss, allocator.resident); }
int64_t MemoryReport::rss_overhead_bytes() const { return delta(rss, allocator.resident); }
double MemoryReport::fragmentation_ratio() const { return ratio(rss, used); }
int64_t MemoryReport::fragmentation_bytes() const { return delta(rss, used); }

MemoryReport memory_report(NodeState& node) {
  record_startup_memory(node);
  MemoryReport r;
  Keyspace& ks = node.keyspace();
  r.used = measure_used_memory(node);
  const SampledStats& sampled = sampled_stats(node);
  r.peak = sampled.used_memory_peak;
  r.startup = sampled.used_memory_startup;
  r.rss = resident_memory(node);
  r.clients = node.clients().size();
  r.clients_normal = clients_memory(node);
  r.overhead = r.startup + r.clients_normal;
  for (int i = 0; i < ks.databases(); ++i) {
    const Db& db = ks.db(i);
    if (db.size() == 0) continue;
    DbOverhead o = db_overhead(db);
    r.dbs.push_back({i, o});
    r.overhead += o.main + o.expires;
    r.keys += db.size();
  }
  r.dataset = r.used > r.overhead ? r.used - r.overhead : 0;
  r.allocator = allocator_memory(ks);
  r.maxmemory = ks.eviction().maxmemory;
  r.lazyfree_pending = ks.lazy_free().pending();
  return r;
}

std::string memory_doctor(const MemoryReport& r) {
  if (r.used < kDoctorMinUsed) {
    return fmt::format(
        "Used memory is only {}: at this size the ratios between used memory, the allocator and "
        "RSS swing with every small allocation, so there is nothing meaningful to diagnose yet. "
        "Ask again once the dataset has grown.\n",
        bytes_to_human(r.used));
  }
  std::string out;
  auto finding = [&out](std::string text) { out.append(" * ").append(text).append("\n\n"); };
  if (static_cast<double>(r.peak) > kDoctorPeakRatio * static_cast<double>(r.used)) {
    finding(fmt::format(
        "Peak memory: used memory peaked at {}, {:.2f} times today's {}. Memory freed since the "
        "peak may still be held by the allocator, so RSS can stay near the peak; MEMORY PURGE "
        "returns what can be returned now.",
        bytes_to_human(r.peak), ratio(r.peak, r.used), bytes_to_human(r.used)));
  }
  if (r.fragmentation_ratio() > kDoctorRssRatio && r.fragmentation_bytes() > kDoctorMinWaste) {
    finding(fmt::format(
        "High RSS: the process holds {} of RAM, {:.2f} times its used memory ({}). The findings "
        "below, if any, say where the difference lies.",
        bytes_to_human(r.rss), r.fragmentation_ratio(), bytes_to_human(r.used)));
  }
  if (r.allocator_frag_ratio() > kDoctorAllocatorRatio &&
      r.allocator_frag_bytes() > kDoctorMinWaste) {
    finding(fmt::format(
        "Fragmentation: the allocators' pages in use hold {} more than the live allocations in "
        "them (ratio {:.2f}). This usually follows deleting or evicting many keys; the gaps are "
        "reused as new keys arrive.",
        bytes_to_human(static_cast<uint64_t>(r.allocator_frag_bytes())), r.allocator_frag_ratio()));
  }
  if (r.allocator_rss_ratio() > kDoctorAllocatorRatio &&
      r.allocator_rss_bytes() > kDoctorMinWaste) {
    finding(fmt::format(
        "Free pages kept: the allocators keep {} of empty pages resident (ratio {:.2f}). They are "
        "released over time; MEMORY PURGE releases them now.",
        bytes_to_human(static_cast<uint64_t>(r.allocator_rss_bytes())), r.allocator_rss_ratio()));
  }
  if (r.rss_overhead_ratio() > kDoctorAllocatorRatio && r.rss_overhead_bytes() > kDoctorMinWaste) {
    finding(fmt::format(
        "Memory outside the allocators: {} of RSS is not allocator memory (ratio {:.2f}): code, "
        "thread stacks and the like. It does not count against maxmemory.",
        bytes_to_human(static_cast<uint64_t>(r.rss_overhead_bytes())), r.rss_overhead_ratio()));
  }
  if (r.clients > 0 && r.clients_normal / r.clients > kDoctorClientAverage) {
    finding(fmt::format(
        "Client buffers: {} clients hold {} in query and output buffers, {} each on average. "
        "Look for slow readers or very large pipelines and replies in CLIENT LIST (qbuf, omem); "
        "client-output-buffer-limit caps what a client may hold.",
        r.clients, bytes_to_human(r.clients_normal), bytes_to_human(r.clients_normal / r.clients)));
  }
  if (r.maxmemory > 0 &&
      static_cast<double>(r.used) >= kDoctorNearMaxmemory * static_cast<double>(r.maxmemory)) {
    finding(fmt::format(
        "Near maxmemory: used memory is {} of maxmemory {} ({:.2f}%). Depending on "
        "maxmemory-policy, keys are being evicted or writes refused with OOM.",
        bytes_to_human(r.used), bytes_to_human(r.maxmemory), 100.0 * ratio(r.used, r.maxmemory)));
  }
  if (out.empty()) {
    return fmt::format(
        "No memory problems found. Used memory is {} ({} dataset, {} overhead), RSS {} ({:.2f} "
        "times used), peak {}.\n",
        bytes_to_human(r.used), bytes_to_human(r.dataset), bytes_to_human(r.overhead),
        bytes_to_human(r.rss), r.fragmentation_ratio(), bytes_to_human(r.peak));
  }
  std::string report = "Memory problems found:\n\n";
  report.append(out);
  return report;
}

}  // namespace stashd
