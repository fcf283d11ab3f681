// Owns: measuring the process's memory the way INFO memory reports it (used memory = keyspace
// arena + glibc allocations, resident set size) and Redis's human-readable byte format.
// Must not touch: the keyspace's internals beyond the arena's counters. Thread: the event loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace stashd {

class NodeState;

// Bytes glibc has handed out and not taken back, heap and mmapped chunks (mallinfo2()'s
// uordblks + hblkhd).
size_t heap_allocated_bytes();
// Resident set size of this process from /proc/self/statm; 0 if it cannot be read.
size_t process_rss_bytes();

// The keyspace arena's live bytes (INFO's used_memory_dataset).
size_t dataset_memory(NodeState& node);
// The server's RSS figure when one runs the node, else /proc/self/statm.
size_t resident_memory(const NodeState& node);

// 1023 -> "1023B", 1024 -> "1.00K", 1536000 -> "1.46M", as Redis prints *_human fields.
std::string bytes_to_human(uint64_t bytes);

}  // namespace stashd
