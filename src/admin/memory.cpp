// Owns: memory measurements and human byte formatting (see memory.h).
// Must not touch: the keyspace's internals. Thread: the event loop.
#include "stashd/admin/memory.h"

#include <fmt/format.h>
#include <malloc.h>
#include <unistd.h>

#include <array>
#include <cstdio>

#include "stashd/command/node_state.h"

namespace stashd {

size_t heap_allocated_bytes() {
  // uordblks alone misses chunks glibc serves with mmap (128 KiB and up): large values live there.
  struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

size_t process_rss_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long long total_pages = 0;
  unsigned long long resident_pages = 0;
  int read = std::fscanf(f, "%llu %llu", &total_pages, &resident_pages);
  std::fclose(f);
  if (read != 2) return 0;
  return static_cast<size_t>(resident_pages) * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

size_t dataset_memory(NodeState& node) { return node.keyspace().arena().used_bytes(); }

size_t resident_memory(const NodeState& node) {
  return node.control != nullptr ? node.control->used_memory_rss() : process_rss_bytes();
}

std::string bytes_to_human(uint64_t bytes) {
  static constexpr std::array<char, 5> kUnits = {'K', 'M', 'G', 'T', 'P'};
  if (bytes < 1024) return fmt::format("{}B", bytes);
  double value = static_cast<double>(bytes);
  for (char unit : kUnits) {
    value /= 1024;
    if (value < 1024) return fmt::format("{:.2f}{}", value, unit);
  }
  return fmt::format("{}B", bytes);  // 1024P and more: Redis falls back to plain bytes
}

}  // namespace stashd
