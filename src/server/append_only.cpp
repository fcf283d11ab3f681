// Owns: the node's append-only file (see append_only.h). Thread: the event loop; the rewrite
// child writes the new base and exits.
#include "stashd/server/append_only.h"

#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "stashd/persist/snapshot.h"
#include "stashd/server/persistence_child.h"

namespace stashd {

namespace {

uint64_t file_size(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

}  // namespace

AppendOnly::AppendOnly(NodeState* node, Dispatcher* dispatcher)
    : node_(node), dispatcher_(dispatcher) {}

AppendOnly::~AppendOnly() {
  kill_child();
  close();
}

persist::AofLayout AppendOnly::layout() const {
  // While appending, the files stay where they were opened (CONFIG SET dir does not move them).
  if (writer_) return layout_;
  persist::AofLayout l;
  l.dir = node_->config().dir;
  l.dirname = node_->config().appenddirname;
  l.filename = node_->config().appendfilename;
  return l;
}

persist::FsyncPolicy AppendOnly::policy() const {
  persist::FsyncPolicy p = persist::FsyncPolicy::kEverySec;
  persist::parse_fsync_policy(node_->config().appendfsync, &p);
  return p;
}

AppendOnly::LoadOutcome AppendOnly::load(const std::function<void()>& between_chunks) {
  persist::AofLayout l = layout();
  bool exists = false;
  Status read = persist::read_aof_manifest(l, &manifest_, &exists);
  if (!read) {
    spdlog::error("Can't read the append-only file manifest: {}", read.message());
    return LoadOutcome::kFailed;
  }
  if (!exists) return LoadOutcome::kNoManifest;
  // Commands replay with the keyspace clock held still (nothing expires half way through a
  // stream) and bypass the -LOADING refusal; clients served between chunks see neither.
  auto execute = [this](std::span<const std::string_view> argv) -> Status {
    loader_client_.out.clear();
    dispatcher_->execute(loader_client_, argv);
    if (!loader_client_.out.empty() && loader_client_.out[0] == '-') {
      std::string reply = loader_client_.out.substr(1, loader_client_.out.find('\r') - 1);
      return Status::error("command '" + std::string(argv[0]) + "' failed: " + reply);
    }
    return Status::ok();
  };
  persist::AofLoadOptions options;
  options.load_truncated = node_->config().aof_load_truncated;
  options.verify_checksum = node_->config().rdbchecksum;
  PersistenceState& p = node_->persistence;
  auto start = std::chrono::steady_clock::now();
  auto last_log = start;
  options.on_progress = [&](const persist::AofLoadProgress& progress) {
    p.loading_total_bytes = progress.total_bytes;
    p.loading_loaded_bytes = progress.bytes_read;
    node_->applying_stream = false;
    between_chunks();
    node_->applying_stream = true;
    auto now = std::chrono::steady_clock::now();
    if (now - last_log >= std::chrono::seconds(1)) {
      last_log = now;
      double seconds = std::chrono::duration<double>(now - start).count();
      spdlog::info("Loading the append-only file: {} commands, {:.1f}%, {:.0f} MB/s",
                   progress.commands,
                   progress.total_bytes ? 100.0 * progress.bytes_read / progress.total_bytes : 0.0,
                   progress.bytes_read / seconds / 1e6);
    }
  };
  node_->applying_stream = true;
  persist::AofLoader loader(node_->keyspace(), node_->config(), execute, options);
  persist::AofLoadResult result;
  Status status = loader.load(l, manifest_, &result);
  node_->applying_stream = false;
  if (loader_client_.has(kClientMulti)) {
    // A transaction the file left open was dropped by the loader; the client must not keep it.
    std::string_view discard[] = {"DISCARD"};
    dispatcher_->execute(loader_client_, discard);
  }
  if (!status) {
    spdlog::error("Fatal error loading the append-only file: {}. Exiting.", status.message());
    return LoadOutcome::kFailed;
  }
  if (result.truncated) spdlog::warn("{}", result.warning);
  spdlog::info("DB loaded from the append-only file: {} files, {} commands", result.files,
               result.commands);
  return LoadOutcome::kLoaded;
}

Status AppendOnly::open_new_incr(bool fresh, persist::AofFile* incr, int* fd) {
  persist::AofLayout l = layout();
  if (Status made = persist::ensure_aof_dir(l); !made) return made;
  *incr = persist::next_aof_incr(manifest_, l);
  return persist::AofWriter::open_file(l.path(incr->name), fresh, fd);
}

Status AppendOnly::open_at_startup(bool manifest_loaded) {
  persist::AofLayout l = layout();
  persist::AofWriterOptions options;
  options.fsync = policy();
  if (manifest_loaded && !manifest_.incrs.empty()) {
    // Continue the last increment (the loader cut any torn tail off it).
    const persist::AofFile& last = manifest_.incrs.back();
    int fd = -1;
    if (Status opened = persist::AofWriter::open_file(l.path(last.name), false, &fd); !opened) {
      return opened;
    }
    options.name = l.path(last.name);
    writer_ = std::make_unique<persist::AofWriter>(fd, options);
    layout_ = l;
    manifest_written_ = true;
  } else {
    // No manifest (or one without increments): a base of what is in memory now, then a first
    // increment, then the manifest naming both.
    if (Status made = persist::ensure_aof_dir(l); !made) return made;
    persist::AofFile base = persist::next_aof_base(manifest_, l);
    persist::SnapshotResult written;
    if (Status saved = persist::save_snapshot(node_->keyspace(), l.aof_dir(), base.name,
                                              snapshot_options(*node_), &written);
        !saved) {
      return saved;
    }
    persist::AofFile incr;
    int fd = -1;
    if (Status opened = open_new_incr(true, &incr, &fd); !opened) return opened;
    options.name = l.path(incr.name);
    writer_ = std::make_unique<persist::AofWriter>(fd, options);
    layout_ = l;
    persist::AofManifest next = persist::with_rewritten_base(manifest_, base, incr);
    if (Status wrote = persist::write_aof_manifest(l, next); !wrote) {
      writer_.reset();
      return wrote;
    }
    manifest_ = next;
    manifest_written_ = true;
    persist::delete_aof_history(l, &manifest_);
  }
  other_files_bytes_ = 0;
  for (const persist::AofFile& f : manifest_.live_files()) {
    if (f.name != manifest_.incrs.back().name) other_files_bytes_ += file_size(l.path(f.name));
  }
  base_size_ = current_size();
  add_sink();
  refresh_info();
  return Status::ok();
}

void AppendOnly::add_sink() {
  sink_ = node_->propagator().add_sink([this](const PropagatedUnit& u) { append(u); },
                                       kPropagateAof);
  sink_added_ = true;
  // Replies wait for the requests already read in this loop pass, so their appends go out in one
  // write() (and, under always, one fsync) instead of one per connection.
  node_->group_replies = true;
  node_->before_replies = [this] { before_replies(); };
  node_->persistence.aof_enabled = true;
}

uint64_t AppendOnly::current_size() const {
  return other_files_bytes_ + (writer_ ? writer_->size() : 0);
}

void AppendOnly::policy_changed() {
  if (writer_) writer_->set_policy(policy());
}

void AppendOnly::append(const PropagatedUnit& unit) {
  if (!writer_) return;
  if (unit.atomic()) writer_->append_multi();
  for (const PropagatedCommand& c : unit.commands()) {
    writer_->append(c.db, std::span<const std::string>(c.argv));
  }
  if (unit.atomic()) writer_->append_exec();
}

void AppendOnly::before_replies() {
  if (!writer_ || writer_->pending_bytes() == 0) {
    if (writer_ && policy() == persist::FsyncPolicy::kAlways &&
        writer_->synced_size() < writer_->size()) {
      if (Status synced = writer_->sync_now(); !synced) {
        spdlog::critical("Can't fsync the append-only file under appendfsync always: {}. "
                         "Exiting (acknowledged writes would not be durable).",
                         synced.message());
        std::_Exit(1);
      }
    }
    return;
  }
  Status wrote = writer_->write_pending();
  node_->persistence.aof_buffer_length = writer_->pending_bytes();
  if (policy() != persist::FsyncPolicy::kAlways) {
    if (!wrote) {
      node_->persistence.aof_last_write_ok = false;
      node_->persistence.aof_last_write_error = wrote.message();
    }
    return;
  }
  Status synced = wrote ? writer_->sync_now() : wrote;
  if (!synced) {
    // Under appendfsync always a reply promises the write is on disk; it is not, and cannot be
    // made so: stopping is the only way not to acknowledge it (Redis does the same).
    spdlog::critical("Can't write the append-only file under appendfsync always: {}. Exiting "
                     "(acknowledged writes would not be durable).",
                     synced.message());
    std::_Exit(1);
  }
}

Status AppendOnly::enable() {
  if (writer_) return Status::ok();
  // A base of a half-loaded dataset would lose the rest of it.
  if (node_->persistence.loading) return Status::error("the dataset is still loading");
  persist::AofLayout l = layout();
  bool exists = false;
  if (Status read = persist::read_aof_manifest(l, &manifest_, &exists); !read) return read;
  // Appending starts now into a fresh increment that no manifest lists yet; the manifest (its
  // base from a rewrite of the current data, then this increment) appears when the child is done.
  persist::AofFile incr;
  int fd = -1;
  if (Status opened = open_new_incr(true, &incr, &fd); !opened) return opened;
  persist::AofWriterOptions options;
  options.fsync = policy();
  options.name = l.path(incr.name);
  writer_ = std::make_unique<persist::AofWriter>(fd, options);
  layout_ = l;
  manifest_written_ = false;
  rewrite_incr_ = incr;
  other_files_bytes_ = 0;
  base_size_ = 0;
  add_sink();
  bool scheduled = false;
  std::string failure = start_rewrite(&scheduled);
  if (!failure.empty()) spdlog::warn("appendonly yes: the first rewrite did not start: {}", failure);
  refresh_info();
  return Status::ok();
}

Status AppendOnly::restart_unlisted_incr() {
  persist::AofLayout l = layout();
  persist::AofFile incr{l.incr_name(rewrite_incr_.seq + 1), rewrite_incr_.seq + 1,
                        persist::AofFileType::kIncr};
  int fd = -1;
  if (Status opened = persist::AofWriter::open_file(l.path(incr.name), true, &fd); !opened) {
    return opened;
  }
  if (Status switched = writer_->switch_file(fd, l.path(incr.name)); !switched) {
    ::close(fd);
    return switched;
  }
  std::remove(l.path(rewrite_incr_.name).c_str());
  rewrite_incr_ = incr;
  return Status::ok();
}

Status AppendOnly::finish_initial_base() {
  if (!writer_ || manifest_written_) return Status::ok();
  kill_child();
  persist::AofLayout l = layout();
  persist::AofFile base = persist::next_aof_base(manifest_, l);
  if (Status saved = persist::save_snapshot(node_->keyspace(), l.aof_dir(), base.name,
                                            snapshot_options(*node_));
      !saved) {
    return saved;
  }
  // Everything appended so far is in that base: the listed increment starts empty.
  if (Status fresh = restart_unlisted_incr(); !fresh) return fresh;
  persist::AofManifest next = persist::with_rewritten_base(manifest_, base, rewrite_incr_);
  if (Status wrote = persist::write_aof_manifest(l, next); !wrote) return wrote;
  manifest_ = next;
  manifest_written_ = true;
  return Status::ok();
}

void AppendOnly::disable() {
  if (!writer_) return;
  kill_child();
  close();
  node_->persistence.aof_enabled = false;
  node_->persistence.aof_rewrite_scheduled = false;
}

void AppendOnly::close() {
  if (sink_added_) {
    node_->propagator().remove_sink(sink_);
    sink_added_ = false;
  }
  node_->group_replies = false;
  node_->before_replies = nullptr;  // no per-reply call while the AOF is off
  if (!writer_) return;
  if (Status closed = writer_->close(); !closed) {
    spdlog::warn("Closing the append-only file: {}", closed.message());
  }
  writer_.reset();
}

std::string AppendOnly::start_rewrite(bool* scheduled) {
  *scheduled = false;
  PersistenceState& p = node_->persistence;
  if (child_running()) return "ERR Background append only file rewriting already in progress";
  if (!writer_) return "ERR appendonly is off: turn it on with CONFIG SET appendonly yes";
  if (p.loading) return "ERR The dataset is still loading";
  if (p.bgsave_in_progress) {
    p.aof_rewrite_scheduled = true;
    *scheduled = true;
    return "";
  }
  persist::AofLayout l = layout();
  if (!manifest_written_) {
    // The first base of an enable (retried or delayed): what was appended so far will be in the
    // base, so appending continues in a fresh unlisted increment.
    if (Status fresh = restart_unlisted_incr(); !fresh) return "ERR " + fresh.message();
  }
  if (manifest_written_) {
    // New writes go to a fresh increment from here on. The manifest lists it before the first
    // write lands in it, so a crash during the rewrite still finds every write.
    persist::AofFile incr;
    persist::AofManifest next = persist::with_new_incr(manifest_, l, &incr);
    int fd = -1;
    if (Status opened = persist::AofWriter::open_file(l.path(incr.name), true, &fd); !opened) {
      return "ERR " + opened.message();
    }
    if (Status wrote = persist::write_aof_manifest(l, next); !wrote) {
      ::close(fd);
      return "ERR " + wrote.message();
    }
    uint64_t finished_file_bytes = writer_->size() + writer_->pending_bytes();
    if (Status switched = writer_->switch_file(fd, l.path(incr.name)); !switched) {
      ::close(fd);
      if (Status restored = persist::write_aof_manifest(l, manifest_); !restored) {
        spdlog::warn("AOF rewrite: could not restore the manifest: {}", restored.message());
      }
      return "ERR " + switched.message();
    }
    manifest_ = next;
    rewrite_incr_ = incr;
    other_files_bytes_ += finished_file_bytes;
  }
  rewrite_base_ = persist::next_aof_base(manifest_, l);
  persist::SnapshotOptions options = snapshot_options(*node_);
  const std::string base_name = rewrite_base_.name;
  PersistenceChild child;
  std::string failure = fork_persistence_child(
      [&] {
        return static_cast<bool>(
            persist::save_snapshot(node_->keyspace(), l.aof_dir(), base_name, options));
      },
      &child);
  if (!failure.empty()) return "ERR Can't rewrite append only file in background: " + failure;
  p.latest_fork_usec = child.fork_usec;
  ++p.forks;
  child_ = child.pid;
  cow_pipe_ = child.report_fd;
  rewrite_start_ms_ = wall_clock_ms();
  p.aof_rewrite_in_progress = true;
  p.aof_rewrite_scheduled = false;
  p.aof_rewrite_start_ms = rewrite_start_ms_;
  node_->keyspace().set_resize_allowed(false);
  spdlog::info("Background append only file rewriting started by pid {}", child_);
  return "";
}

void AppendOnly::reap(int status) {
  PersistenceState& p = node_->persistence;
  PersistenceChild report{child_, cow_pipe_, 0};
  uint64_t cow = read_child_report(&report);
  cow_pipe_ = -1;
  pid_t pid = child_;
  child_ = -1;
  p.aof_rewrite_in_progress = false;
  p.aof_last_rewrite_time_sec = (wall_clock_ms() - rewrite_start_ms_ + 500) / 1000;
  node_->keyspace().set_resize_allowed(true);
  persist::AofLayout l = layout();
  bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (ok && writer_) {
    persist::AofManifest next = persist::with_rewritten_base(manifest_, rewrite_base_,
                                                             rewrite_incr_);
    Status wrote = persist::write_aof_manifest(l, next);
    if (!wrote) {
      // The rename may have happened before a later step failed: what is on disk decides.
      persist::AofManifest on_disk;
      bool exists = false;
      if (persist::read_aof_manifest(l, &on_disk, &exists) && exists && on_disk == next) {
        wrote = Status::ok();
      }
    }
    if (!wrote) {
      spdlog::warn("AOF rewrite: could not write the manifest: {}", wrote.message());
      ok = false;
    } else {
      manifest_ = next;
      manifest_written_ = true;
      if (Status deleted = persist::delete_aof_history(l, &manifest_); !deleted) {
        spdlog::warn("AOF rewrite: {}", deleted.message());
      }
      other_files_bytes_ = manifest_.base ? file_size(l.path(manifest_.base->name)) : 0;
      base_size_ = current_size();
    }
  }
  p.aof_last_rewrite_ok = ok;
  if (ok) {
    ++p.aof_rewrites;
    p.aof_last_cow_bytes = cow;
    spdlog::info("Background AOF rewrite terminated with success");
  } else {
    // The child's temp file (a killed child) and a base it wrote that no manifest names go.
    std::remove((l.aof_dir() + "/temp-" + std::to_string(pid) + ".rdb").c_str());
    if (writer_ && (manifest_.base == std::nullopt || manifest_.base->name != rewrite_base_.name)) {
      std::remove(l.path(rewrite_base_.name).c_str());
    }
    spdlog::warn("Background AOF rewrite failed ({})",
                 WIFSIGNALED(status) ? "killed by a signal" : "the child reported an error");
  }
}

void AppendOnly::kill_child() {
  if (!child_running()) return;
  kill(child_, SIGKILL);
  int status = 0;
  waitpid(child_, &status, 0);
  reap(status);
}

void AppendOnly::cron(int64_t now_ms) {
  PersistenceState& p = node_->persistence;
  if (child_running()) {
    int status = 0;
    if (waitpid(child_, &status, WNOHANG) == child_) reap(status);
  }
  if (!writer_) return;
  if (Status ticked = writer_->tick(); !ticked) {
    if (p.aof_last_write_ok) spdlog::warn("Append-only file: {}", ticked.message());
  }
  if (!child_running() && !p.bgsave_in_progress) {
    // Automatic rewrite: the files grew by auto-aof-rewrite-percentage over their size after the
    // last rewrite, and are at least auto-aof-rewrite-min-size. A first base that failed (appendonly
    // switched on at run time) and a rewrite scheduled behind a BGSAVE are retried too.
    const Config& cfg = node_->config();
    const uint64_t current = current_size();
    const bool grown = cfg.auto_aof_rewrite_percentage > 0 && base_size_ > 0 &&
                       current >= static_cast<uint64_t>(cfg.auto_aof_rewrite_min_size) &&
                       (current - std::min(current, base_size_)) * 100 / base_size_ >=
                           static_cast<uint64_t>(cfg.auto_aof_rewrite_percentage);
    const bool retry_due = now_ms - last_rewrite_try_ms_ >= 5000;
    if (p.aof_rewrite_scheduled || (retry_due && (grown || !manifest_written_))) {
      last_rewrite_try_ms_ = now_ms;
      bool scheduled = false;
      if (grown) spdlog::info("Starting automatic rewriting of the append-only file");
      std::string failure = start_rewrite(&scheduled);
      if (!failure.empty()) spdlog::warn("AOF rewrite did not start: {}", failure);
    }
  }
  refresh_info();
}

void AppendOnly::refresh_info() {
  PersistenceState& p = node_->persistence;
  if (!writer_) return;
  // A failed background fsync counts like a failed write: acknowledged data may not be durable.
  p.aof_last_write_ok = writer_->last_write_ok() && writer_->last_fsync_ok();
  p.aof_last_write_error =
      !writer_->last_write_ok() ? writer_->last_write_error() : writer_->last_fsync_error();
  p.aof_current_size = current_size();
  p.aof_base_size = base_size_;
  p.aof_buffer_length = writer_->pending_bytes();
  p.aof_fsync_in_progress = writer_->fsync_in_progress();
  p.aof_delayed_fsync = writer_->stats().delayed_fsync;
}

}  // namespace stashd
