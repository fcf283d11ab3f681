// Owns: stashd's snapshot file (format in docs/persistence-format.md): SnapshotWriter (streams a
// whole keyspace to an fd or a string through one large buffer), save_snapshot (temp file, fsync,
// atomic rename, directory fsync) and SnapshotLoader (reads a file, fd or buffer back into a
// keyspace, validating every length against what the input holds).
// Must not touch: the event loop, logging (the writer runs in a forked child), command semantics.
// Thread: the writer in a forked child (or the loop for SAVE); the loader on the loop at start-up.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stashd/common/status.h"
#include "stashd/config/config.h"
#include "stashd/keyspace/keyspace.h"

typedef struct XXH64_state_s XXH64_state_t;

namespace stashd::persist {

// The format version written; the loader reads versions 1..kSnapshotVersion.
inline constexpr uint16_t kSnapshotVersion = 1;

struct SnapshotOptions {
  bool compress = true;      // rdbcompression: LZ4 for long strings and elements
  bool checksum = true;      // rdbchecksum: "no" writes a checksum of 0
  int64_t now_ms = 0;        // the creation time; keys whose deadline is <= now_ms are left out
  uint64_t used_memory = 0;  // recorded in the "used-mem" aux field
  // More aux fields (the replication id and offset the snapshot corresponds to).
  std::vector<std::pair<std::string, std::string>> aux;
};

struct SnapshotResult {
  uint64_t keys = 0;             // key records written
  uint64_t expires = 0;          // ...of which with a deadline
  uint64_t expired_skipped = 0;  // keys left out because their deadline had passed
  uint64_t bytes = 0;            // file size
};

// Streams a snapshot through a 1 MiB buffer: one write() per filled buffer (partial writes and
// EINTR are retried). A value bigger than the buffer is written whole. Allocates only its buffers.
class SnapshotWriter {
 public:
  static constexpr size_t kBufferBytes = size_t{1} << 20;

  SnapshotWriter(int fd, const SnapshotOptions& options);
  // Appends to *out instead of writing to an fd (tests, fuzz corpora, in-memory transfers).
  SnapshotWriter(std::string* out, const SnapshotOptions& options);
  ~SnapshotWriter();
  SnapshotWriter(const SnapshotWriter&) = delete;
  SnapshotWriter& operator=(const SnapshotWriter&) = delete;

  // Writes the whole snapshot: header, aux fields, every non-empty database, the end marker and
  // the checksum. A write error returns "write: <strerror>". Call once.
  Status write(const Keyspace& keyspace);
  const SnapshotResult& result() const { return result_; }

 private:
  void put_header();
  void put_aux(std::string_view name, std::string_view value);
  Status put_db(const Db& db, int index, uint64_t keys, uint64_t expires);
  void put_key(const Db& db, EntryIndex e, int64_t deadline_ms);
  Status flush();
  Status write_all(const char* data, size_t len);

  int fd_ = -1;
  std::string* sink_ = nullptr;
  SnapshotOptions options_;
  std::string buf_;
  std::string value_;  // one encoded value, reused
  XXH64_state_t* hash_;
  SnapshotResult result_;
};

// Writes a snapshot of `keyspace` to `dir`/temp-<pid>.rdb, fsyncs it, renames it over
// `dir`/`filename` and fsyncs the directory. On any failure the temp file is removed and the error
// ("<step> <path>: <strerror>") returned; the old file stays as it was. Safe in a forked child: it
// logs nothing and only uses open/write/fsync/rename/unlink.
Status save_snapshot(const Keyspace& keyspace, const std::string& dir, const std::string& filename,
                     const SnapshotOptions& options, SnapshotResult* result = nullptr);

struct LoadProgress {
  uint64_t bytes_read = 0;
  uint64_t total_bytes = 0;  // 0 when the size is unknown (a pipe)
  uint64_t keys_loaded = 0;
};

struct LoadOptions {
  bool verify_checksum = true;  // rdbchecksum; a stored checksum of 0 is never verified
  uint64_t progress_interval = uint64_t{1} << 20;  // bytes between on_progress calls
  std::function<void(const LoadProgress&)> on_progress;
};

struct LoadResult {
  uint16_t version = 0;
  int64_t creation_ms = 0;
  std::vector<std::pair<std::string, std::string>> aux;  // in file order
  uint64_t keys_loaded = 0;
  uint64_t expired_skipped = 0;  // keys whose deadline was <= the keyspace's now_ms()
  uint64_t bytes_read = 0;
};

// Loads a snapshot into a keyspace, replacing its contents once the header is valid. Keys whose
// deadline is not after keyspace.now_ms() are skipped; access fields (LRU clock or LFU counter)
// are kept when the file recorded the same kind the keyspace's policy uses. Errors name the input
// and where: "<name>: unexpected end of file at offset N", "<name>: checksum mismatch",
// "<name>: unknown record type 0xNN at offset N", "<name>: unsupported format version V", and
// others for bad values, duplicate keys and database markers. After an error the keyspace holds
// what was loaded so far and should be discarded.
class SnapshotLoader {
 public:
  SnapshotLoader(Keyspace& keyspace, const Config& config, LoadOptions options = {});

  Status load_file(const std::string& path, LoadResult* result = nullptr);
  // Reads a snapshot of `size` bytes from `fd` (never reading past them, so a socket can carry
  // more after it), or with size 0 a regular file's size, or a pipe until its end (the buffer then
  // grows only as bytes arrive).
  Status load_fd(int fd, const std::string& name, LoadResult* result = nullptr, uint64_t size = 0);
  Status load_memory(std::string_view bytes, const std::string& name, LoadResult* result = nullptr);

 private:
  Keyspace& keyspace_;
  const Config& config_;
  LoadOptions options_;
};

// The fuzzing and test entry point: load_memory under the name "<memory>".
Status load_snapshot_from_memory(std::string_view bytes, Keyspace& keyspace, const Config& config,
                                 const LoadOptions& options = {}, LoadResult* result = nullptr);

}  // namespace stashd::persist
