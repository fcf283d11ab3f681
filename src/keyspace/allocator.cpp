// Owns: allocator introspection (see allocator.h). Must not touch: anything else.
// Thread: any (see allocator.h).
#include "stashd/keyspace/allocator.h"

#include <fmt/format.h>
#include <malloc.h>

#include <atomic>

#ifdef STASHD_HAVE_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

namespace stashd::allocator {

namespace {

// Net bytes (allocated - freed) that background threads published.
std::atomic<int64_t> g_background_net{0};

#ifdef STASHD_HAVE_JEMALLOC
// jemalloc keeps two monotonically growing per-thread counters; mallctl hands out pointers to the
// calling thread's, so reading them is two loads.
struct ThreadCounters {
  uint64_t* allocated = nullptr;
  uint64_t* deallocated = nullptr;
  int64_t published = 0;  // net bytes already added to g_background_net
  ThreadCounters() {
    size_t len = sizeof(allocated);
    mallctl("thread.allocatedp", &allocated, &len, nullptr, 0);
    len = sizeof(deallocated);
    mallctl("thread.deallocatedp", &deallocated, &len, nullptr, 0);
  }
  int64_t net() const {
    if (allocated == nullptr || deallocated == nullptr) return 0;
    return static_cast<int64_t>(*allocated - *deallocated);
  }
};

ThreadCounters& counters() {
  thread_local ThreadCounters c;
  return c;
}

size_t read_size(const char* name) {
  size_t value = 0;
  size_t len = sizeof(value);
  return mallctl(name, &value, &len, nullptr, 0) == 0 ? value : 0;
}

void stats_writer(void* out, const char* text) { static_cast<std::string*>(out)->append(text); }
#else
thread_local int64_t t_published = 0;

int64_t glibc_net() {
  struct mallinfo2 info = mallinfo2();
  return static_cast<int64_t>(info.uordblks + info.hblkhd);
}
#endif

}  // namespace

#ifdef STASHD_HAVE_JEMALLOC

std::string_view name() {
  static const std::string text = fmt::format("jemalloc-{}.{}.{}", JEMALLOC_VERSION_MAJOR,
                                              JEMALLOC_VERSION_MINOR, JEMALLOC_VERSION_BUGFIX);
  return text;
}

size_t allocated_bytes() {
  int64_t total = counters().net() - counters().published +
                  g_background_net.load(std::memory_order_relaxed);
  return total > 0 ? static_cast<size_t>(total) : 0;
}

void publish_thread_delta() {
  ThreadCounters& c = counters();
  int64_t net = c.net();
  g_background_net.fetch_add(net - c.published, std::memory_order_relaxed);
  c.published = net;
}

Stats stats() {
  uint64_t epoch = 1;
  size_t len = sizeof(epoch);
  mallctl("epoch", &epoch, &len, &epoch, len);
  Stats s;
  s.allocated = read_size("stats.allocated");
  s.active = read_size("stats.active");
  s.resident = read_size("stats.resident");
  s.metadata = read_size("stats.metadata");
  s.mapped = read_size("stats.mapped");
  s.retained = read_size("stats.retained");
  return s;
}

size_t usable_size(const void* p) { return p ? malloc_usable_size(const_cast<void*>(p)) : 0; }

bool purge() {
  // Arena index MALLCTL_ARENAS_ALL names every arena at once.
  const std::string ctl = fmt::format("arena.{}.purge", MALLCTL_ARENAS_ALL);
  return mallctl(ctl.c_str(), nullptr, nullptr, nullptr, 0) == 0;
}

std::string stats_text() {
  std::string out;
  malloc_stats_print(stats_writer, &out, nullptr);
  return out;
}

#else

std::string_view name() { return "libc"; }

// Without jemalloc there are no per-thread counters: mallinfo2() covers the whole process.
size_t allocated_bytes() { return static_cast<size_t>(glibc_net()); }

void publish_thread_delta() { t_published = 0; }

Stats stats() {
  Stats s;
  s.allocated = static_cast<size_t>(glibc_net());
  s.active = s.allocated;
  s.resident = s.allocated;
  return s;
}

size_t usable_size(const void* p) { return p ? malloc_usable_size(const_cast<void*>(p)) : 0; }

bool purge() {
  malloc_trim(0);
  return true;
}

std::string stats_text() { return "Stats not supported for the current allocator\n"; }

#endif

}  // namespace stashd::allocator
