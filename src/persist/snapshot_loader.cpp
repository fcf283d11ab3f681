// Owns: SnapshotLoader (see snapshot.h): parsing a snapshot record by record from a ByteSource into
// a keyspace, with every length checked against the input and every error naming its offset.
// Must not touch: logging (callers report), the event loop. Thread: the event loop at start-up.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "persist/byte_source.h"
#include "persist/snapshot_format.h"
#include "persist/wire.h"
#include "stashd/keyspace/eviction_policy.h"
#include "stashd/persist/snapshot.h"
#include "stashd/persist/value_codec.h"

namespace stashd::persist {

namespace {

// A key for an error message: at most 64 bytes, non-printable bytes as \xNN.
std::string printable(std::string_view key) {
  std::string out;
  for (unsigned char c : key.substr(0, 64)) {
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  if (key.size() > 64) out += "...";
  return out;
}

class LoadRun {
 public:
  LoadRun(ByteSource& src, const std::string& name, Keyspace& keyspace, const Config& config,
          const LoadOptions& options, LoadResult* result)
      : src_(src),
        name_(name),
        keyspace_(keyspace),
        config_(config),
        options_(options),
        result_(*result),
        lfu_(tracks_lfu(keyspace.eviction().policy)) {}

  Status run() {
    Status s = header();
    if (!s) return s;
    for (int i = 0; i < keyspace_.databases(); ++i) keyspace_.db(i).clear();
    while (true) {
      const uint64_t at = src_.offset();
      if (!src_.ensure(1)) return eof(at);
      const uint8_t op = *src_.data();
      src_.consume(1);
      switch (op) {
        case format::kOpKey:
          s = key_record(at);
          break;
        case format::kOpAux:
          s = aux_record();
          break;
        case format::kOpDb:
          s = db_record(at);
          break;
        case format::kOpEnd:
          return end_record();
        default:
          return fail(fmt::format("unknown record type 0x{:02x} at offset {}", op, at));
      }
      if (!s) return s;
      result_.bytes_read = src_.offset();
      if (src_.offset() - last_progress_ >= options_.progress_interval) report_progress();
    }
  }

 private:
  Status fail(std::string detail) const {
    return Status::error(fmt::format("{}: {}", name_, detail));
  }
  // The input ended (or failed to read) inside the item that starts at `at`.
  Status eof(uint64_t at) const {
    if (!src_.error().empty()) return fail(src_.error());
    return fail(fmt::format("unexpected end of file at offset {}", at));
  }

  Status fixed(int bytes, uint64_t* v) {
    const uint64_t at = src_.offset();
    if (!src_.ensure(static_cast<size_t>(bytes))) return eof(at);
    *v = wire::get_le(src_.data(), bytes);
    src_.consume(static_cast<size_t>(bytes));
    return Status::ok();
  }

  Status varint(uint64_t* v) {
    const uint64_t at = src_.offset();
    const size_t avail = src_.ensure_up_to(wire::kMaxVarintBytes);
    size_t used = 0;
    switch (wire::get_varint(src_.data(), avail, v, &used)) {
      case wire::VarintStatus::kOk:
        src_.consume(used);
        return Status::ok();
      case wire::VarintStatus::kTruncated:
        return eof(at);
      case wire::VarintStatus::kMalformed:
        break;
    }
    return fail(fmt::format("malformed length at offset {}", at));
  }

  // A varint length, then that many bytes into *out.
  Status string(std::string* out) {
    uint64_t len = 0;
    Status s = varint(&len);
    if (!s) return s;
    const uint64_t at = src_.offset();
    if (!src_.ensure(static_cast<size_t>(len))) return eof(at);
    out->assign(reinterpret_cast<const char*>(src_.data()), static_cast<size_t>(len));
    src_.consume(static_cast<size_t>(len));
    return Status::ok();
  }

  Status header() {
    const size_t avail = src_.ensure_up_to(format::kHeaderBytes);
    const std::string_view got(reinterpret_cast<const char*>(src_.data()), avail);
    if (got.substr(0, format::kMagic.size()) != format::kMagic.substr(0, avail)) {
      return fail("not a stashd snapshot (bad magic)");
    }
    if (avail < format::kHeaderBytes) return eof(0);
    const uint8_t* p = src_.data();
    const uint64_t version = wire::get_le(p + format::kMagic.size(), 2);
    if (version < 1 || version > kSnapshotVersion) {
      return fail(fmt::format("unsupported format version {}", version));
    }
    result_.version = static_cast<uint16_t>(version);
    result_.creation_ms = static_cast<int64_t>(wire::get_le(p + format::kMagic.size() + 2, 8));
    src_.consume(format::kHeaderBytes);
    return Status::ok();
  }

  Status aux_record() {
    std::string name;
    std::string value;
    Status s = string(&name);
    if (s) s = string(&value);
    if (!s) return s;
    // Access fields are kept only when they mean what the current policy reads from them.
    if (name == format::kAuxAccess) apply_access_ = value == (lfu_ ? "lfu" : "lru");
    result_.aux.emplace_back(std::move(name), std::move(value));
    return Status::ok();
  }

  Status db_record(uint64_t at) {
    Status s = close_db();
    uint64_t index = 0;
    if (s) s = varint(&index);
    if (s) s = varint(&expect_keys_);
    if (s) s = varint(&expect_expires_);
    if (!s) return s;
    if (index >= static_cast<uint64_t>(keyspace_.databases())) {
      return fail(fmt::format("database {} at offset {} is out of range (databases: {})", index, at,
                              keyspace_.databases()));
    }
    if (db_ != nullptr && static_cast<int>(index) <= db_index_) {
      return fail(fmt::format("database {} at offset {} is out of order", index, at));
    }
    db_index_ = static_cast<int>(index);
    db_ = &keyspace_.db(db_index_);
    seen_keys_ = 0;
    seen_expires_ = 0;
    return Status::ok();
  }

  // The record counts of the database just read must match its marker.
  Status close_db() const {
    if (db_ == nullptr || (seen_keys_ == expect_keys_ && seen_expires_ == expect_expires_)) {
      return Status::ok();
    }
    return fail(
        fmt::format("database {} holds {} keys ({} with a deadline) but its marker says {} ({})",
                    db_index_, seen_keys_, seen_expires_, expect_keys_, expect_expires_));
  }

  Status key_record(uint64_t at) {
    if (db_ == nullptr) {
      return fail(fmt::format("key record before any database marker at offset {}", at));
    }
    uint64_t flags = 0;
    uint64_t deadline = 0;
    uint64_t access = 0;
    Status s = fixed(1, &flags);
    if (!s) return s;
    if ((flags & ~uint64_t{format::kKeyHasDeadline}) != 0) {
      return fail(fmt::format("unknown key flags 0x{:02x} at offset {}", flags, at + 1));
    }
    const bool has_deadline = flags & format::kKeyHasDeadline;
    if (has_deadline) s = fixed(8, &deadline);
    if (s) s = fixed(3, &access);
    if (s) s = string(&key_);
    uint64_t value_len = 0;
    if (s) s = varint(&value_len);
    if (!s) return s;
    if (has_deadline && static_cast<int64_t>(deadline) < 0) {
      return fail(fmt::format("negative deadline for key '{}' at offset {}", printable(key_), at));
    }
    const uint64_t value_at = src_.offset();
    if (!src_.ensure(static_cast<size_t>(value_len))) return eof(value_at);
    ++seen_keys_;
    seen_expires_ += has_deadline;
    if (has_deadline && static_cast<int64_t>(deadline) <= keyspace_.now_ms()) {
      src_.consume(static_cast<size_t>(value_len));
      ++result_.expired_skipped;
      return Status::ok();
    }
    if (db_->lookup_peek(key_) != kNoEntry) {
      return fail(fmt::format("duplicate key '{}' in database {} at offset {}", printable(key_),
                              db_index_, at));
    }
    DetachedValue value;
    s = decode_value({reinterpret_cast<const char*>(src_.data()), static_cast<size_t>(value_len)},
                     config_, &value);
    src_.consume(static_cast<size_t>(value_len));
    if (!s) {
      return fail(fmt::format("bad value for key '{}' in database {} at offset {}: {}",
                              printable(key_), db_index_, value_at, s.message()));
    }
    value.expire_ms = has_deadline ? static_cast<int64_t>(deadline) : -1;
    EntryIndex e = put_value(*db_, key_, std::move(value));
    if (e == kNoEntry) {
      return fail(fmt::format("out of memory loading key '{}' at offset {}", printable(key_), at));
    }
    if (apply_access_) db_->view(e).set_lru_clock(static_cast<uint32_t>(access));
    ++result_.keys_loaded;
    return Status::ok();
  }

  Status end_record() {
    Status s = close_db();
    if (!s) return s;
    const uint64_t computed = src_.digest();
    uint64_t stored = 0;
    s = fixed(8, &stored);
    if (!s) return s;
    if (options_.verify_checksum && stored != 0 && stored != computed) {
      return fail("checksum mismatch");
    }
    if (src_.ensure_up_to(1) != 0) {
      return fail(fmt::format("unexpected data after the end marker at offset {}", src_.offset()));
    }
    if (!src_.error().empty()) return fail(src_.error());
    result_.bytes_read = src_.offset();
    report_progress();
    return Status::ok();
  }

  void report_progress() {
    last_progress_ = src_.offset();
    if (options_.on_progress) {
      options_.on_progress({src_.offset(), src_.total(), result_.keys_loaded});
    }
  }

  ByteSource& src_;
  const std::string& name_;
  Keyspace& keyspace_;
  const Config& config_;
  const LoadOptions& options_;
  LoadResult& result_;
  const bool lfu_;
  bool apply_access_ = false;
  Db* db_ = nullptr;
  int db_index_ = -1;
  uint64_t expect_keys_ = 0;
  uint64_t expect_expires_ = 0;
  uint64_t seen_keys_ = 0;
  uint64_t seen_expires_ = 0;
  uint64_t last_progress_ = 0;
  std::string key_;  // reused
};

Status run_load(ByteSource& src, const std::string& name, Keyspace& keyspace, const Config& config,
                const LoadOptions& options, LoadResult* result) {
  LoadResult local;
  LoadResult* out = result != nullptr ? result : &local;
  *out = LoadResult{};
  return LoadRun(src, name, keyspace, config, options, out).run();
}

}  // namespace

SnapshotLoader::SnapshotLoader(Keyspace& keyspace, const Config& config, LoadOptions options)
    : keyspace_(keyspace), config_(config), options_(std::move(options)) {}

Status SnapshotLoader::load_file(const std::string& path, LoadResult* result) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::error(fmt::format("{}: open: {}", path, std::strerror(errno)));
  Status s = load_fd(fd, path, result);
  ::close(fd);
  return s;
}

Status SnapshotLoader::load_fd(int fd, const std::string& name, LoadResult* result, uint64_t size) {
  struct stat st {};
  if (size == 0 && ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    size = static_cast<uint64_t>(st.st_size);
  }
  ByteSource src(fd, size);
  return run_load(src, name, keyspace_, config_, options_, result);
}

Status SnapshotLoader::load_memory(std::string_view bytes, const std::string& name,
                                   LoadResult* result) {
  ByteSource src(bytes);
  return run_load(src, name, keyspace_, config_, options_, result);
}

Status load_snapshot_from_memory(std::string_view bytes, Keyspace& keyspace, const Config& config,
                                 const LoadOptions& options, LoadResult* result) {
  return SnapshotLoader(keyspace, config, options).load_memory(bytes, "<memory>", result);
}

}  // namespace stashd::persist
