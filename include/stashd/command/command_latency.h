// Owns: the latency histograms of command calls per command family (string, list, hash, ...), which
// the dispatcher feeds from the duration it already measures for commandstats and the slow log, and
// which /metrics exposes as stashd_command_duration_seconds. Must not touch: sockets, the keyspace.
// Thread: the event loop.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace stashd {

// Command families as metrics label them, from the command table's group column.
enum class CommandFamily : uint8_t {
  kString,
  kList,
  kHash,
  kSet,
  kZset,
  kKey,
  kBitmap,
  kPubsub,
  kTransaction,
  kConnection,
  kServer,
  kOther,
};
inline constexpr size_t kCommandFamilyCount = 12;

// "string", "sorted-set" -> kZset, "generic" -> kKey, ...; unknown groups are kOther.
CommandFamily command_family(std::string_view group);
std::string_view command_family_name(CommandFamily family);

// Upper bounds of the buckets in microseconds, 10 us to 1 s (Prometheus's 1-2.5-5 steps).
inline constexpr std::array<int64_t, 16> kLatencyBucketBoundsUs = {
    10,    25,     50,     100,    250,     500,     1'000,   2'500,
    5'000, 10'000, 25'000, 50'000, 100'000, 250'000, 500'000, 1'000'000};

struct LatencyHistogram {
  // counts[i]: calls that took at most bound i and more than bound i-1 (not cumulative);
  // counts.back(): calls slower than the last bound.
  std::array<uint64_t, kLatencyBucketBoundsUs.size() + 1> counts{};
  uint64_t count = 0;
  uint64_t sum_us = 0;

  void record(int64_t duration_us) {
    auto it =
        std::lower_bound(kLatencyBucketBoundsUs.begin(), kLatencyBucketBoundsUs.end(), duration_us);
    ++counts[static_cast<size_t>(it - kLatencyBucketBoundsUs.begin())];
    ++count;
    sum_us += static_cast<uint64_t>(duration_us);
  }
};

class CommandLatency {
 public:
  void record(CommandFamily family, int64_t duration_us) {
    families_[static_cast<size_t>(family)].record(duration_us);
  }
  const LatencyHistogram& family(CommandFamily family) const {
    return families_[static_cast<size_t>(family)];
  }

 private:
  std::array<LatencyHistogram, kCommandFamilyCount> families_{};
};

}  // namespace stashd
