// stashd-check-aof: validates an append-only file — one increment (RESP framing, MULTI/EXEC
// balance), a base snapshot, or a manifest and every file it lists — and reports the offset of the
// first problem. --fix truncates the damaged file to its last valid command without asking (only
// the last increment of a manifest can be fixed that way). Exit status: 0 valid, 1 not valid
// (also after a successful --fix: the file was damaged and bytes were dropped; run again to see 0),
// 2 usage. Must not touch: anything but the files named. Thread: main only.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>

#include "stashd/config/config.h"
#include "stashd/keyspace/keyspace.h"
#include "stashd/persist/aof_loader.h"
#include "stashd/persist/aof_manifest.h"
#include "stashd/persist/snapshot.h"

namespace {

using stashd::Status;
namespace persist = stashd::persist;

constexpr int kValid = 0;
constexpr int kInvalid = 1;
constexpr int kUsage = 2;

// The most databases a config allows: a base from any server loads into it.
constexpr int kMaxDatabases = 256;

enum class Kind { kManifest, kSnapshot, kIncrement };
enum class Verdict { kValid, kInvalid, kFixed };

Verdict worst(Verdict a, Verdict b) {
  if (a == Verdict::kInvalid || b == Verdict::kInvalid) return Verdict::kInvalid;
  return a == Verdict::kFixed || b == Verdict::kFixed ? Verdict::kFixed : Verdict::kValid;
}

Status detect(const std::string& path, Kind* kind) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::error(fmt::format("{}: open: {}", path, std::strerror(errno)));
  char head[32] = {};
  const ssize_t n = ::read(fd, head, sizeof head);
  ::close(fd);
  const std::string_view got(head, n > 0 ? static_cast<size_t>(n) : 0);
  if (got.starts_with("stashd-aof-manifest")) {
    *kind = Kind::kManifest;
  } else if (got.starts_with("STASHD")) {
    *kind = Kind::kSnapshot;
  } else {
    *kind = Kind::kIncrement;
  }
  return Status::ok();
}

Verdict check_snapshot(const std::string& path) {
  stashd::Config config;
  stashd::Keyspace keyspace(kMaxDatabases);
  keyspace.set_now_ms(0);  // count every key, expired or not
  persist::LoadResult result;
  Status s = persist::SnapshotLoader(keyspace, config).load_file(path, &result);
  if (!s) {
    fmt::print("{}: not valid: {}\n", path, s.message());
    return Verdict::kInvalid;
  }
  fmt::print("{}: valid snapshot, {} keys, {} bytes\n", path, result.keys_loaded,
             result.bytes_read);
  return Verdict::kValid;
}

// Checks one increment and, when `fix` is asked for and allowed, truncates it.
Verdict check_increment(const std::string& path, bool fix, bool fixable) {
  persist::AofFileCheck check;
  Status s = persist::check_aof_file(path, &check);
  if (!s) {
    fmt::print("{}\n", s.message());
    return Verdict::kInvalid;
  }
  if (check.end == persist::AofFileEnd::kComplete) {
    fmt::print("{}: valid, {} commands, {} bytes\n", path, check.commands, check.size);
    return Verdict::kValid;
  }
  const bool truncated = check.end == persist::AofFileEnd::kTruncated;
  fmt::print("{}: {} at offset {}: {}\n", path, truncated ? "truncated" : "bad format",
             check.problem_offset, check.problem);
  const uint64_t dropped = check.size - check.valid_up_to;
  fmt::print(
      "{}: valid up to offset {} (the end of the last whole command outside MULTI); {} "
      "bytes after it\n",
      path, check.valid_up_to, dropped);
  if (!fix) return Verdict::kInvalid;
  if (!fixable) {
    fmt::print("{}: not fixed: only the last increment of a manifest can be truncated\n", path);
    return Verdict::kInvalid;
  }
  if (::truncate(path.c_str(), static_cast<off_t>(check.valid_up_to)) != 0) {
    fmt::print("{}: not fixed: truncate: {}\n", path, std::strerror(errno));
    return Verdict::kInvalid;
  }
  fmt::print("{}: fixed: truncated from {} to {} bytes ({} bytes dropped)\n", path, check.size,
             check.valid_up_to, dropped);
  return Verdict::kFixed;
}

// The files a manifest lists live next to it.
std::string sibling(const std::string& manifest, const std::string& name) {
  return (std::filesystem::path(manifest).parent_path() / name).string();
}

Verdict check_manifest(const std::string& path, bool fix) {
  std::string text;
  persist::AofManifest manifest;
  {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) {
      fmt::print("{}: open: {}\n", path, std::strerror(errno));
      return Verdict::kInvalid;
    }
    char chunk[4096];
    size_t n;
    while ((n = std::fread(chunk, 1, sizeof chunk, f)) > 0) text.append(chunk, n);
    std::fclose(f);
  }
  Status s = persist::parse_aof_manifest(text, &manifest);
  if (!s) {
    fmt::print("{}: not a valid manifest: {}\n", path, s.message());
    return Verdict::kInvalid;
  }
  fmt::print("{}: manifest lists {} base, {} increments, {} history files\n", path,
             manifest.base ? 1 : 0, manifest.incrs.size(), manifest.history.size());
  Verdict verdict = Verdict::kValid;
  if (manifest.base) verdict = check_snapshot(sibling(path, manifest.base->name));
  for (size_t i = 0; i < manifest.incrs.size(); ++i) {
    const bool last = i + 1 == manifest.incrs.size();
    verdict = worst(verdict, check_increment(sibling(path, manifest.incrs[i].name), fix, last));
  }
  for (const persist::AofFile& h : manifest.history) {
    fmt::print("{}: history file, not checked\n", sibling(path, h.name));
  }
  return verdict;
}

void usage(std::FILE* out) {
  fmt::print(out,
             "Usage: stashd-check-aof [--fix] <file.aof | file.manifest | base.rdb>\n"
             "Validates an append-only file (or every file a manifest lists) and reports the\n"
             "offset of the first problem. --fix truncates a damaged increment to its last valid\n"
             "command. Exit status: 0 valid, 1 not valid (also after --fix), 2 usage.\n");
}

}  // namespace

int main(int argc, char** argv) {
  bool fix = false;
  std::string path;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--fix") {
      fix = true;
    } else if (arg == "-h" || arg == "--help") {
      usage(stdout);
      return kValid;
    } else if (arg.starts_with("-") || !path.empty()) {
      usage(stderr);
      return kUsage;
    } else {
      path = arg;
    }
  }
  if (path.empty()) {
    usage(stderr);
    return kUsage;
  }
  Kind kind;
  Status s = detect(path, &kind);
  if (!s) {
    fmt::print("{}\n", s.message());
    return kInvalid;
  }
  Verdict verdict = Verdict::kInvalid;
  switch (kind) {
    case Kind::kManifest:
      verdict = check_manifest(path, fix);
      break;
    case Kind::kSnapshot:
      verdict = check_snapshot(path);
      break;
    case Kind::kIncrement:
      verdict = check_increment(path, fix, true);
      break;
  }
  switch (verdict) {
    case Verdict::kValid:
      fmt::print("AOF is valid\n");
      return kValid;
    case Verdict::kFixed:
      fmt::print("AOF was not valid and has been fixed (truncated); run again to check it\n");
      return kInvalid;
    case Verdict::kInvalid:
      break;
  }
  fmt::print("AOF is not valid{}\n", fix ? "" : "; --fix truncates a damaged increment");
  return kInvalid;
}
