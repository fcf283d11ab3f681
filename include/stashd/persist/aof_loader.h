// Owns: reading the append-only file back: AofLoader (the base snapshot into a keyspace, then every
// increment's commands, in manifest order, through a caller's execute callback) and
// check_aof_file (the same parser without executing: what stashd-check-aof reports and fixes).
// Increments are RESP multibulk only; a tail cut short by a crash is dropped (aof-load-truncated)
// or refused; damage anywhere else is refused with its offset.
// Must not touch: the command module (commands run through the callback), the event loop, logging
// (warnings are returned). Thread: the event loop at start-up, or the check tool.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "stashd/common/status.h"
#include "stashd/config/config.h"
#include "stashd/keyspace/keyspace.h"
#include "stashd/persist/aof_manifest.h"
#include "stashd/persist/snapshot.h"

namespace stashd::persist {

// How the scan of one increment file ended.
enum class AofFileEnd {
  kComplete,   // every byte belongs to a whole command, no MULTI left open
  kTruncated,  // the file ends inside a command, or inside MULTI without EXEC
  kBadFormat,  // a byte that cannot be there (see problem)
};

struct AofFileCheck {
  uint64_t size = 0;         // the file's size
  uint64_t commands = 0;     // whole commands read (executed, when loading)
  uint64_t valid_up_to = 0;  // end of the last whole command outside MULTI: where a fix cuts
  AofFileEnd end = AofFileEnd::kComplete;
  // kTruncated: start of the unfinished command (or of the open MULTI); kBadFormat: the offending
  // byte. `problem` says what ("unfinished command", "expected '$', found 'x'", ...).
  uint64_t problem_offset = 0;
  std::string problem;
};

// Scans one increment file. Fails only when it cannot be read ("<path>: open: ...").
Status check_aof_file(const std::string& path, AofFileCheck* out);

// One command of an increment: SELECT, MULTI and EXEC included, as written. An error stops the
// load ("<file>: <message> (command at offset N)").
using AofExecuteFn = std::function<Status(std::span<const std::string_view> argv)>;

struct AofLoadProgress {
  uint64_t bytes_read = 0;   // over the base and every increment
  uint64_t total_bytes = 0;  // their sizes at the start
  uint64_t commands = 0;     // commands executed so far
};

struct AofLoadOptions {
  bool load_truncated = true;                      // aof-load-truncated
  bool verify_checksum = true;                     // rdbchecksum, for the base snapshot
  uint64_t progress_interval = uint64_t{1} << 20;  // bytes between on_progress calls
  std::function<void(const AofLoadProgress&)> on_progress;
};

struct AofLoadResult {
  bool has_base = false;
  LoadResult base;          // the base snapshot's result when there is one
  uint64_t files = 0;       // files read, base included
  uint64_t commands = 0;    // commands executed from increments
  uint64_t bytes_read = 0;  // bytes applied (after any truncation)
  // Set when aof-load-truncated dropped an unfinished tail of the last increment and cut the
  // file back to `truncated_at`, `truncated_bytes` shorter. `warning` is the line to log.
  bool truncated = false;
  std::string truncated_file;
  uint64_t truncated_at = 0;
  uint64_t truncated_bytes = 0;
  std::string warning;
};

// Loads base + increments into `keyspace`, replacing its contents (the base loader clears it; with
// no base the loader clears every database itself). The base is loaded with the keyspace's clock
// at 0, so no key whose deadline has passed is skipped: the increments may still act on it (the
// stream deletes keys only through its own DELs, docs/propagation.md), and ordinary expiry
// removes the rest after the load; the clock is restored afterwards.
//
// Increments run through `execute`, which must apply commands to the same keyspace with expiry
// held off (the dispatcher under NodeState::applying_stream). An unfinished command at the end of
// the LAST increment (or a MULTI without EXEC there) is, with load_truncated, dropped: execute
// gets DISCARD if a MULTI was open, the file is truncated to its last whole command so later
// appends are clean, and the result's warning says where and how much. Without load_truncated,
// or in any earlier file, it is an error. Errors:
//   "<file>: unexpected end of file at offset N (...)"
//   "<file>: bad file format reading the append only file at offset N: <why> (run
//    stashd-check-aof --fix <file>)"
//   "<file>: open/stat/read/truncate: <strerror>", and the base snapshot's own errors.
// After an error the keyspace holds a partial load: start-up should exit.
class AofLoader {
 public:
  AofLoader(Keyspace& keyspace, const Config& config, AofExecuteFn execute,
            AofLoadOptions options = {});

  Status load(const AofLayout& layout, const AofManifest& manifest,
              AofLoadResult* result = nullptr);

 private:
  Keyspace& keyspace_;
  const Config& config_;
  AofExecuteFn execute_;
  AofLoadOptions options_;
};

}  // namespace stashd::persist
