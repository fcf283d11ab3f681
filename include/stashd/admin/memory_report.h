// Owns: the breakdown of used memory that INFO memory, MEMORY STATS and MEMORY DOCTOR share
// (Redis's "memory overhead data"): used, peak and start-up memory, the overheads (clients,
// per-database bookkeeping), the dataset left after them, the allocators' figures and the ratios
// between them; and the MEMORY DOCTOR diagnosis drawn from it. docs/memory.md says what each figure
// counts. Must not touch: the keyspace's internals, sockets. Thread: the event loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "stashd/admin/memory.h"

namespace stashd {

class NodeState;

struct MemoryReport {
  struct Db {
    int index;
    DbOverhead overhead;
  };

  size_t used = 0;  // Keyspace::used_memory(): what maxmemory is compared with
  size_t peak = 0;
  size_t startup = 0;
  size_t rss = 0;
  size_t clients_normal = 0;
  size_t clients = 0;   // connected clients
  std::vector<Db> dbs;  // databases holding keys
  size_t overhead = 0;  // startup + clients_normal + every database's overhead
  size_t dataset = 0;   // used - overhead (0 when the overheads exceed it)
  size_t keys = 0;
  AllocatorMemory allocator;
  uint64_t maxmemory = 0;
  size_t lazyfree_pending = 0;

  // used - startup, or 1 when used fell below it (as Redis guards its divisions).
  size_t net_usage() const { return used > startup ? used - startup : 1; }
  size_t bytes_per_key() const { return keys ? net_usage() / keys : 0; }
  double dataset_percent() const;
  double peak_percent() const;           // used as a % of the peak
  double allocator_frag_ratio() const;   // active / allocated
  int64_t allocator_frag_bytes() const;  // active - allocated
  double allocator_rss_ratio() const;    // resident / active
  int64_t allocator_rss_bytes() const;   // resident - active
  double rss_overhead_ratio() const;     // rss / resident
  int64_t rss_overhead_bytes() const;    // rss - resident
  double fragmentation_ratio() const;    // rss / used
  int64_t fragmentation_bytes() const;   // rss - used
};

// Measures now (records the start-up figure first if nothing did yet, and raises the peak).
MemoryReport memory_report(NodeState& node);

// MEMORY DOCTOR's text: each problem found with its figures and what to do, or that all is well.
std::string memory_doctor(const MemoryReport& report);

}  // namespace stashd
