// Owns: the memory measurements INFO memory and MEMORY report, each cheap enough for INFO: the
// process's resident set size, what the allocators (jemalloc plus the keyspace's entry arena) hold,
// what clients' buffers hold, each database's bookkeeping overhead, and Redis's human byte format.
// Must not touch: the keyspace's internals beyond its public counters. Thread: the event loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace stashd {

class Client;
class Db;
class Keyspace;
class NodeState;

// Resident set size of this process from /proc/self/statm; 0 if it cannot be read.
size_t process_rss_bytes();
// The server's RSS figure when one runs the node, else /proc/self/statm.
size_t resident_memory(const NodeState& node);

// stashd's two allocators seen together: jemalloc's statistics plus the entry arena, whose live
// bytes count as allocated and whose committed pages count as active and resident (the arena has no
// cheaper residency figure; committed overstates it by at most one 4 MiB commit step).
struct AllocatorMemory {
  size_t allocated = 0;
  size_t active = 0;
  size_t resident = 0;
};
AllocatorMemory allocator_memory(Keyspace& keyspace);

// One client's memory: the Client object, its reply buffer's capacity, and through its transport
// the query buffer (read area included) and output handed to the socket but not yet written.
size_t client_memory(const Client& client);
// The sum over every connected client (INFO's mem_clients_normal: stashd has no replicas yet).
size_t clients_memory(const NodeState& node);

// A database's bookkeeping, as MEMORY STATS's overhead.hashtable.* report it.
struct DbOverhead {
  // The dictionary's bucket arrays (both while rehashing) and one entry header per key, which
  // holds the chain and LRU links and the type/encoding byte.
  size_t main = 0;
  // The TTL heap's node array (its capacity) and the 4-byte heap position of each key with a TTL.
  size_t expires = 0;
};
DbOverhead db_overhead(const Db& db);

// 1023 -> "1023B", 1024 -> "1.00K", 1536000 -> "1.46M", as Redis prints *_human fields.
std::string bytes_to_human(uint64_t bytes);

}  // namespace stashd
