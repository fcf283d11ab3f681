// Owns: the persistence facts commands and INFO read (loading progress, the background save's
// state and history, the last save time) and the request interface to the process that forks
// and writes snapshots (implemented by the server). Must not touch: files, fork, sockets.
// Thread: the event loop.
#pragma once

#include <cstdint>
#include <string>

namespace stashd {

struct PersistenceState {
  // Loading at start-up (INFO loading, loading_*; commands get -LOADING meanwhile).
  bool loading = false;
  int64_t loading_start_ms = 0;
  uint64_t loading_total_bytes = 0;
  uint64_t loading_loaded_bytes = 0;
  uint64_t loading_loaded_keys = 0;

  // Snapshots.
  bool bgsave_in_progress = false;
  bool bgsave_scheduled = false;      // BGSAVE SCHEDULE during an AOF rewrite
  int64_t bgsave_start_ms = 0;
  int64_t lastsave_s = 0;             // unix time of the last successful save (LASTSAVE)
  bool last_bgsave_ok = true;         // rdb_last_bgsave_status
  int64_t last_bgsave_time_sec = -1;  // rdb_last_bgsave_time_sec
  int64_t last_bgsave_try_ms = 0;     // when the last background save started (retry pacing)
  uint64_t saves = 0;                 // rdb_saves
  uint64_t dirty_at_last_save = 0;    // node.dirty when the data of the last save was taken
  // Append-only file (INFO persistence aof_*), kept current by the server.
  bool aof_enabled = false;
  bool aof_rewrite_in_progress = false;
  bool aof_rewrite_scheduled = false;
  int64_t aof_rewrite_start_ms = 0;
  int64_t aof_last_rewrite_time_sec = -1;
  bool aof_last_rewrite_ok = true;
  uint64_t aof_rewrites = 0;
  bool aof_last_write_ok = true;
  std::string aof_last_write_error;
  uint64_t aof_last_cow_bytes = 0;
  uint64_t aof_current_size = 0;
  uint64_t aof_base_size = 0;
  uint64_t aof_buffer_length = 0;
  bool aof_fsync_in_progress = false;
  uint64_t aof_delayed_fsync = 0;

  int64_t latest_fork_usec = 0;
  uint64_t forks = 0;                 // total_forks
  uint64_t last_cow_bytes = 0;        // rdb_last_cow_size
};

// What SAVE, BGSAVE and SHUTDOWN ask of the process (the server implements it).
class SnapshotControl {
 public:
  virtual ~SnapshotControl() = default;
  // Writes a snapshot in this process; "" on success, else the error text.
  virtual std::string save_now() = 0;
  // Forks a child that writes a snapshot; "" when it started, else the error reply text.
  virtual std::string start_background_save() = 0;
  // DEBUG RELOAD: saves, empties the keyspace and loads the file back; "" or the error text.
  virtual std::string reload() = 0;
  // BGREWRITEAOF: "" when a rewrite started (or was scheduled: *scheduled), else the error text.
  virtual std::string start_aof_rewrite(bool* scheduled) = 0;
};

// Redis's MISCONF reply, with stashd's name (clients match the MISCONF prefix).
inline constexpr std::string_view kMisconfError =
    "MISCONF stashd is configured to save RDB snapshots, but it's currently unable to persist to "
    "disk. Commands that may modify the data set are disabled, because this instance is "
    "configured to report errors during writes if RDB snapshotting fails "
    "(stop-writes-on-bgsave-error option). Please check the stashd logs for details about the "
    "RDB error.";
inline constexpr std::string_view kLoadingError = "LOADING stashd is loading the dataset in memory";

}  // namespace stashd
