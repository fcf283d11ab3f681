// Owns: the append-only file's layout on disk (the directory, file names) and its manifest: the
// list of the base snapshot, the increment files in replay order and the history files awaiting
// deletion (format in docs/persistence-format.md, "Append-only file"). Parsing is strict; writing
// is atomic (temp file, fsync, rename, directory fsync). The helpers that change a manifest return
// a new one and write nothing, so the caller decides when it becomes durable.
// Must not touch: the event loop, logging, the keyspace. Thread: the event loop (or any, no state).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stashd/common/status.h"

namespace stashd::persist {

// The first line of every manifest; the number is the format version.
inline constexpr std::string_view kAofManifestHeader = "stashd-aof-manifest 1";

// Where the files live: `dir`/`dirname`/`filename`.<seq>.{base.rdb,incr.aof} and
// `dir`/`dirname`/`filename`.manifest (config: dir, appenddirname, appendfilename).
struct AofLayout {
  std::string dir = ".";
  std::string dirname = "appendonlydir";
  std::string filename = "appendonly.aof";

  std::string aof_dir() const;                    // dir/dirname
  std::string manifest_name() const;              // filename.manifest
  std::string manifest_path() const;              // aof_dir/filename.manifest
  std::string path(std::string_view name) const;  // aof_dir/name
  std::string base_name(uint64_t seq) const;      // filename.<seq>.base.rdb
  std::string incr_name(uint64_t seq) const;      // filename.<seq>.incr.aof
};

// appendfilename and appenddirname: a plain name, no '/', no whitespace or control characters,
// not "." or "..", at most 255 bytes (the manifest separates fields with spaces).
Status check_aof_name(std::string_view name);

enum class AofFileType : char { kBase = 'b', kIncr = 'i', kHistory = 'h' };

struct AofFile {
  std::string name;  // inside the layout's aof_dir()
  uint64_t seq = 0;  // >= 1
  AofFileType type = AofFileType::kIncr;
  bool operator==(const AofFile&) const = default;
};

struct AofManifest {
  std::optional<AofFile> base;  // the snapshot the increments apply to (none before a rewrite)
  std::vector<AofFile> incrs;  // replay order, strictly increasing seq; the last one is appended to
  std::vector<AofFile> history;  // replaced by a rewrite; deleted by delete_aof_history
  bool operator==(const AofManifest&) const = default;

  bool empty() const { return !base && incrs.empty(); }
  // Base then increments: what a load reads, in order.
  std::vector<AofFile> live_files() const;
};

// Parses manifest text. Errors: "line N: <reason>" (missing or unknown header, malformed line,
// unknown key or type, bad or duplicate seq, duplicate name, a second base, increments out of
// order, a file name that fails check_aof_name, no final newline, no base or increment at all).
Status parse_aof_manifest(std::string_view text, AofManifest* out);
// The text written for a manifest: header, base, increments, history, one line each.
std::string format_aof_manifest(const AofManifest& manifest);

// Reads layout.manifest_path(). *exists is false (and the status ok) when there is no manifest
// file; parse errors read "<path>: line N: <reason>".
Status read_aof_manifest(const AofLayout& layout, AofManifest* out, bool* exists);
// Writes the manifest atomically: aof_dir/temp-<manifest name>, fsync, rename, fsync of aof_dir.
// A failure leaves the previous manifest as it was and removes the temp file.
Status write_aof_manifest(const AofLayout& layout, const AofManifest& manifest);
// Creates aof_dir (and fsyncs `dir` so the new entry is durable) unless it exists.
Status ensure_aof_dir(const AofLayout& layout);

// The next names: one past the highest seq of their kind in the manifest (history entries count,
// so a name is never reused while its old file may still exist).
AofFile next_aof_base(const AofManifest& manifest, const AofLayout& layout);
AofFile next_aof_incr(const AofManifest& manifest, const AofLayout& layout);

// Starting a new increment: `manifest` with next_aof_incr appended (returned in *incr).
AofManifest with_new_incr(const AofManifest& manifest, const AofLayout& layout, AofFile* incr);

// After a rewrite: `base` (from next_aof_base) replaces the old base, which becomes history, and
// every increment before `first_kept` (the increment opened when the rewrite started, whose
// commands the new base does not hold) becomes history too. If `first_kept` is not in the manifest
// (AOF turned on by the rewrite) every old increment becomes history and it is appended.
AofManifest with_rewritten_base(const AofManifest& manifest, const AofFile& base,
                                const AofFile& first_kept);

// Drops the history entries: writes the manifest without them first (a crash then leaves only
// unlisted files, never a listed missing one), then unlinks each file (a missing file is fine).
// *manifest is updated once the manifest is written. Unlinking a big file can take a while: call
// it off the loop, or accept the pause. Errors name the file.
Status delete_aof_history(const AofLayout& layout, AofManifest* manifest);

}  // namespace stashd::persist
