// Owns: MEMORY USAGE STATS DOCTOR MALLOC-STATS PURGE HELP: a key's footprint (computed here from
// its entry), and replies over admin's memory breakdown (memory_report.h) and the allocator. Must
// not touch: sockets, the keyspace's internals beyond reading one entry. Thread: the event loop.
#include <fmt/format.h>

#include <optional>
#include <string>

#include "commands/server_family.h"
#include "stashd/admin/memory_report.h"
#include "stashd/command/context.h"
#include "stashd/commands/registry.h"
#include "stashd/keyspace/allocator.h"

namespace stashd {

namespace {

// An allocation's usable size, 0 for a std::string kept inside its own object (short-string form).
size_t string_buffer_bytes(const std::string& s) {
  const char* data = s.data();
  const char* self = reinterpret_cast<const char*>(&s);
  bool inline_buffer = data >= self && data < self + sizeof(std::string);
  return inline_buffer ? 0 : allocator::usable_size(data);
}

// Bytes a key costs: its arena entry (header, key and any embedded value, as the arena rounds it),
// the TTL heap node when it has a deadline, and what an out-of-line value holds. Collections
// report their own usage exactly, so there is nothing to sample.
size_t key_memory_usage(const Db& db, EntryIndex e) {
  entry::View v = db.view(e);
  size_t bytes = EntryArena::rounded(v.size());
  if (v.has_ttl()) bytes += sizeof(TtlHeap::Node);
  switch (v.encoding()) {
    case Encoding::kHeapString: {
      const std::string* s = v.heap_string();
      bytes += allocator::usable_size(s) + string_buffer_bytes(*s);
      break;
    }
    case Encoding::kObject:
      bytes += v.object()->memory_usage();
      break;
    case Encoding::kInt:
    case Encoding::kEmbedded:
      break;
  }
  return bytes;
}

void memory_usage(CommandContext& ctx) {
  // SAMPLES is validated as Redis does (a count >= 0, 0 = all); the figure is exact either way.
  for (size_t i = 3; i < ctx.argc(); ++i) {
    if (!ctx.arg_is(i, "SAMPLES") || i + 1 >= ctx.argc()) {
      ctx.error(errors::kSyntax);
      return;
    }
    std::optional<int64_t> samples = ctx.int_arg(++i);
    if (!samples) return;
    if (*samples < 0) {
      ctx.error(errors::kSyntax);
      return;
    }
  }
  Db& db = ctx.db();
  EntryIndex e = db.lookup_peek(ctx.arg(2));
  if (e == kNoEntry) {
    ctx.out.null();
    return;
  }
  ctx.out.integer(static_cast<int64_t>(key_memory_usage(db, e)));
}

void integer_field(CommandContext& ctx, std::string_view name, int64_t value) {
  ctx.out.bulk(name);
  ctx.out.integer(value);
}

void double_field(CommandContext& ctx, std::string_view name, double value) {
  ctx.out.bulk(name);
  ctx.out.double_value(value);
}

// Redis 7.0's MEMORY STATS fields, in its order. Subsystems stashd does not have yet (replication,
// AOF, cluster links, scripting) report 0 bytes.
void memory_stats(CommandContext& ctx) {
  constexpr int64_t kFixedFields = 27;
  MemoryReport r = memory_report(ctx.node);
  auto size = [](size_t v) { return static_cast<int64_t>(v); };
  ctx.out.map(kFixedFields + static_cast<int64_t>(r.dbs.size()));
  integer_field(ctx, "peak.allocated", size(r.peak));
  integer_field(ctx, "total.allocated", size(r.used));
  integer_field(ctx, "startup.allocated", size(r.startup));
  integer_field(ctx, "replication.backlog", 0);
  integer_field(ctx, "clients.slaves", 0);
  integer_field(ctx, "clients.normal", size(r.clients_normal));
  integer_field(ctx, "cluster.links", 0);
  integer_field(ctx, "aof.buffer", 0);
  integer_field(ctx, "lua.caches", 0);
  integer_field(ctx, "functions.caches", 0);
  for (const MemoryReport::Db& db : r.dbs) {
    ctx.out.bulk(fmt::format("db.{}", db.index));
    ctx.out.map(3);
    integer_field(ctx, "overhead.hashtable.main", size(db.overhead.main));
    integer_field(ctx, "overhead.hashtable.expires", size(db.overhead.expires));
    integer_field(ctx, "overhead.hashtable.slot-to-keys", 0);
  }
  integer_field(ctx, "overhead.total", size(r.overhead));
  integer_field(ctx, "keys.count", size(r.keys));
  integer_field(ctx, "keys.bytes-per-key", size(r.bytes_per_key()));
  integer_field(ctx, "dataset.bytes", size(r.dataset));
  double_field(ctx, "dataset.percentage", r.dataset_percent());
  double_field(ctx, "peak.percentage", r.peak_percent());
  integer_field(ctx, "allocator.allocated", size(r.allocator.allocated));
  integer_field(ctx, "allocator.active", size(r.allocator.active));
  integer_field(ctx, "allocator.resident", size(r.allocator.resident));
  double_field(ctx, "allocator-fragmentation.ratio", r.allocator_frag_ratio());
  integer_field(ctx, "allocator-fragmentation.bytes", r.allocator_frag_bytes());
  double_field(ctx, "allocator-rss.ratio", r.allocator_rss_ratio());
  integer_field(ctx, "allocator-rss.bytes", r.allocator_rss_bytes());
  double_field(ctx, "rss-overhead.ratio", r.rss_overhead_ratio());
  integer_field(ctx, "rss-overhead.bytes", r.rss_overhead_bytes());
  double_field(ctx, "fragmentation", r.fragmentation_ratio());
  integer_field(ctx, "fragmentation.bytes", r.fragmentation_bytes());
}

void memory_doctor_cmd(CommandContext& ctx) {
  ctx.out.verbatim(memory_doctor(memory_report(ctx.node)));
}

void memory_malloc_stats(CommandContext& ctx) { ctx.out.verbatim(allocator::stats_text()); }

void memory_purge(CommandContext& ctx) {
  if (!allocator::purge()) {
    ctx.error("ERR Error purging dirty pages");
    return;
  }
  ctx.out.ok();
}

void memory_help(CommandContext& ctx) {
  reply_help(ctx, "MEMORY",
             {
                 "DOCTOR",
                 "    Return a report of memory problems, if any.",
                 "MALLOC-STATS",
                 "    Return the allocator's internal statistics.",
                 "PURGE",
                 "    Ask the allocator to return dirty pages to the system.",
                 "STATS",
                 "    Return a breakdown of the server's memory usage.",
                 "USAGE <key> [SAMPLES <count>]",
                 "    Return the bytes <key> and its value use. The figure is exact, so <count>",
                 "    is accepted for compatibility and changes nothing.",
             });
}

}  // namespace

void register_memory_commands(CommandTable& table) {
  table.add({"memory", -2, 0, 0, 0, 0, 0, nullptr, "server", "4.0.0",
             "A container for memory diagnostics commands", "Depends on subcommand."});
  table.add({"memory|doctor", 2, 0, 0, 0, 0, 0, memory_doctor_cmd, "server", "4.0.0",
             "Outputs a memory problems report", "O(1)"});
  table.add({"memory|help", 2, kCmdLoading | kCmdStale, 0, 0, 0, 0, memory_help, "server", "4.0.0",
             "Show helpful text about the different subcommands", "O(1)"});
  table.add({"memory|malloc-stats", 2, 0, 0, 0, 0, 0, memory_malloc_stats, "server", "4.0.0",
             "Show allocator internal stats",
             "Depends on how much memory is allocated, could be slow"});
  table.add({"memory|purge", 2, 0, 0, 0, 0, 0, memory_purge, "server", "4.0.0",
             "Ask the allocator to release memory",
             "Depends on how much memory is allocated, could be slow"});
  table.add({"memory|stats", 2, 0, 0, 0, 0, 0, memory_stats, "server", "4.0.0",
             "Show memory usage details", "O(1)"});
  table.add({"memory|usage", -3, kCmdReadonly, 2, 2, 1, kAclRead, memory_usage, "server", "4.0.0",
             "Estimate the memory usage of a key", "O(N) where N is the number of samples."});
}

}  // namespace stashd
