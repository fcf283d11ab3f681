// Owns: memory measurements and human byte formatting (see memory.h).
// Must not touch: the keyspace's internals. Thread: the event loop.
#include "stashd/admin/memory.h"

#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <cstdio>

#include "stashd/command/node_state.h"
#include "stashd/keyspace/allocator.h"

namespace stashd {

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

size_t resident_memory(const NodeState& node) {
  return node.control != nullptr ? node.control->used_memory_rss() : process_rss_bytes();
}

AllocatorMemory allocator_memory(Keyspace& keyspace) {
  allocator::Stats s = allocator::stats();
  const EntryArena& arena = keyspace.arena();
  return {s.allocated + arena.used_bytes(), s.active + arena.committed_bytes(),
          s.resident + arena.committed_bytes()};
}

size_t client_memory(const Client& client) {
  size_t bytes = sizeof(Client) + client.out.capacity();
  if (const ClientTransport* t = client.transport) {
    size_t pending = t->output_pending_bytes();
    // Pending output counts the reply buffer too; only what the socket is still writing is extra.
    size_t writing = pending > client.out.size() ? pending - client.out.size() : 0;
    bytes += t->query_buffer_bytes() + t->query_buffer_free() + writing;
  }
  return bytes;
}

size_t clients_memory(const NodeState& node) {
  size_t total = 0;
  for (const auto& [id, client] : node.clients()) total += client_memory(*client);
  return total;
}

DbOverhead db_overhead(const Db& db) {
  constexpr size_t kHeapPositionBytes = sizeof(uint32_t);
  DbOverhead o;
  o.main = db.dict().bucket_count() * sizeof(EntryIndex) + db.size() * sizeof(EntryHeader);
  o.expires =
      db.ttl_heap().nodes().capacity() * sizeof(TtlHeap::Node) + db.expires() * kHeapPositionBytes;
  return o;
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
