// Owns: AofLoader and check_aof_file (see aof_loader.h): the base through SnapshotLoader, each
// increment through AofCommandReader, the truncated-tail rule and the error messages.
// Must not touch: logging (the result carries the warning), the event loop. Thread: the event loop
// at start-up, or the check tool.
#include "stashd/persist/aof_loader.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>
#include <vector>

#include "persist/file_io.h"
#include "persist/aof_reader.h"
#include "persist/byte_source.h"

namespace stashd::persist {

namespace {

using ScanProgress = std::function<void(uint64_t bytes, uint64_t commands)>;

// Reads one increment, handing each whole command to `execute` (if any). A format problem is
// described in *out, not returned: only I/O and execute errors fail.
Status scan_file(const std::string& path, const AofExecuteFn* execute, const ScanProgress* progress,
                 uint64_t interval, AofFileCheck* out, bool* multi_open) {
  *out = AofFileCheck{};
  *multi_open = false;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno_status(path, "open", errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return errno_status(path, "stat", err);
  }
  out->size = static_cast<uint64_t>(st.st_size);
  if (out->size == 0) {
    ::close(fd);
    return Status::ok();
  }
  ByteSource src(fd, out->size);
  AofCommandReader reader(src);
  std::vector<std::string_view> argv;
  Status s = Status::ok();
  uint64_t reported = 0;
  while (true) {
    const AofCommandReader::Result r = reader.next(&argv);
    if (r == AofCommandReader::Result::kCommand) {
      ++out->commands;
      if (execute != nullptr) {
        Status e = (*execute)(argv);
        if (!e) {
          s = Status::error(fmt::format("{}: {} (command at offset {})", path, e.message(),
                                        reader.command_offset()));
          break;
        }
      }
      if (progress != nullptr && src.offset() - reported >= interval) {
        reported = src.offset();
        (*progress)(reported, out->commands);
      }
      continue;
    }
    if (r == AofCommandReader::Result::kReadError) {
      s = Status::error(fmt::format("{}: {}", path, reader.problem()));
    } else if (r != AofCommandReader::Result::kEnd) {
      out->end = r == AofCommandReader::Result::kTruncated ? AofFileEnd::kTruncated
                                                           : AofFileEnd::kBadFormat;
      out->problem_offset = reader.problem_offset();
      out->problem = reader.problem();
    }
    break;
  }
  out->valid_up_to = reader.valid_up_to();
  *multi_open = reader.in_multi();
  ::close(fd);
  return s;
}

// Cuts a file back to `size` bytes and makes that durable.
Status truncate_file(const std::string& path, uint64_t size) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno_status(path, "open", errno);
  Status s = Status::ok();
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
    s = errno_status(path, "truncate", errno);
  } else if (fsync_retry(fd) != 0) {
    s = errno_status(path, "fsync", errno);
  }
  ::close(fd);
  return s;
}

}  // namespace

Status check_aof_file(const std::string& path, AofFileCheck* out) {
  bool multi_open = false;
  return scan_file(path, nullptr, nullptr, 0, out, &multi_open);
}

AofLoader::AofLoader(Keyspace& keyspace, const Config& config, AofExecuteFn execute,
                     AofLoadOptions options)
    : keyspace_(keyspace),
      config_(config),
      execute_(std::move(execute)),
      options_(std::move(options)) {}

Status AofLoader::load(const AofLayout& layout, const AofManifest& manifest,
                       AofLoadResult* result) {
  AofLoadResult local;
  AofLoadResult& r = result != nullptr ? *result : local;
  r = AofLoadResult{};

  uint64_t total = 0;
  for (const AofFile& f : manifest.live_files()) {
    const std::string path = layout.path(f.name);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return errno_status(path, "stat", errno);
    total += static_cast<uint64_t>(st.st_size);
  }
  uint64_t done = 0;  // bytes of the files finished
  auto report = [&](uint64_t bytes, uint64_t commands) {
    if (options_.on_progress) options_.on_progress({done + bytes, total, commands});
  };

  if (manifest.base) {
    LoadOptions base_options;
    base_options.verify_checksum = options_.verify_checksum;
    base_options.progress_interval = options_.progress_interval;
    base_options.on_progress = [&](const LoadProgress& p) { report(p.bytes_read, 0); };
    // Keys already past their deadline stay: the increments may still act on them.
    const int64_t now = keyspace_.now_ms();
    keyspace_.set_now_ms(0);
    Status s = SnapshotLoader(keyspace_, config_, base_options)
                   .load_file(layout.path(manifest.base->name), &r.base);
    keyspace_.set_now_ms(now);
    if (!s) return s;
    r.has_base = true;
    ++r.files;
    done += r.base.bytes_read;
  } else {
    for (int i = 0; i < keyspace_.databases(); ++i) keyspace_.db(i).clear();
  }

  for (size_t i = 0; i < manifest.incrs.size(); ++i) {
    const std::string path = layout.path(manifest.incrs[i].name);
    const bool last = i + 1 == manifest.incrs.size();
    const uint64_t before = r.commands;
    const ScanProgress progress = [&](uint64_t bytes, uint64_t commands) {
      report(bytes, before + commands);
    };
    AofFileCheck check;
    bool multi_open = false;
    Status s =
        scan_file(path, &execute_, &progress, options_.progress_interval, &check, &multi_open);
    r.commands += check.commands;
    if (!s) return s;
    ++r.files;
    if (check.end == AofFileEnd::kBadFormat) {
      return Status::error(
          fmt::format("{}: bad file format reading the append only file at offset {}: {} (run "
                      "stashd-check-aof --fix {})",
                      path, check.problem_offset, check.problem, path));
    }
    if (check.end == AofFileEnd::kTruncated) {
      if (!last) {
        return Status::error(fmt::format(
            "{}: unexpected end of file at offset {} ({}) in an increment that is not the last",
            path, check.problem_offset, check.problem));
      }
      if (!options_.load_truncated) {
        return Status::error(fmt::format(
            "{}: unexpected end of file at offset {} ({}); aof-load-truncated is off (run "
            "stashd-check-aof --fix {})",
            path, check.problem_offset, check.problem, path));
      }
      if (multi_open) {
        static constexpr std::string_view kDiscard[] = {"DISCARD"};
        s = execute_(kDiscard);
        if (!s) return Status::error(fmt::format("{}: DISCARD: {}", path, s.message()));
      }
      s = truncate_file(path, check.valid_up_to);
      if (!s) return s;
      r.truncated = true;
      r.truncated_file = path;
      r.truncated_at = check.valid_up_to;
      r.truncated_bytes = check.size - check.valid_up_to;
      r.warning = fmt::format(
          "{}: {} at offset {}: dropped the last {} bytes and truncated the file to {} bytes "
          "(aof-load-truncated yes)",
          path, check.problem, check.problem_offset, r.truncated_bytes, r.truncated_at);
    }
    done += check.valid_up_to;
  }
  r.bytes_read = done;
  report(0, r.commands);
  return Status::ok();
}

}  // namespace stashd::persist
