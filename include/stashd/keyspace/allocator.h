// Owns: what the process allocator says about memory: the bytes handed out (cheap enough to read
// before every write command), jemalloc's detailed statistics, purging, and a background thread's
// share of the count. With jemalloc (the default build) the figures are exact usable sizes; without
// it (sanitizer builds) they come from glibc's mallinfo2().
// Must not touch: anything but the allocator's introspection. Thread: any; allocated_bytes() counts
// the calling thread plus what background threads published.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace stashd::allocator {

// "jemalloc-5.3.0" or "libc", as INFO's mem_allocator shows it.
std::string_view name();

// Bytes allocated and not freed: the calling thread's net count plus the net counts background
// threads published (publish_thread_delta). The event loop thread calls this.
size_t allocated_bytes();

// Called by a background thread after it frees (or allocates) memory that the event loop's count
// includes, so allocated_bytes() sees the change.
void publish_thread_delta();

struct Stats {
  size_t allocated = 0;  // bytes in live allocations
  size_t active = 0;     // bytes in pages holding live allocations
  size_t resident = 0;   // bytes of the allocator's pages resident in RAM
  size_t metadata = 0;
  size_t mapped = 0;
  size_t retained = 0;
};
// Refreshes the allocator's statistics (a few microseconds: cron, INFO and MEMORY only).
Stats stats();

// Usable size of a live allocation (>= the requested size).
size_t usable_size(const void* p);

// Returns dirty pages to the kernel (MEMORY PURGE); false when the allocator cannot.
bool purge();

// The allocator's own statistics report (MEMORY MALLOC-STATS).
std::string stats_text();

}  // namespace stashd::allocator
