// Owns: SnapshotWriter and save_snapshot (see snapshot.h). Runs in a forked child: no logging, no
// threads, only plain system calls. Thread: the forked child, or the event loop for SAVE.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>
#include <xxhash.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "persist/file_io.h"
#include "persist/snapshot_format.h"
#include "persist/wire.h"
#include "stashd/keyspace/eviction_policy.h"
#include "stashd/persist/snapshot.h"
#include "stashd/persist/value_codec.h"

namespace stashd::persist {

namespace {

// Buffers above this after a huge value are given back rather than kept for the rest of the save.
constexpr size_t kKeepCapacity = 8 * SnapshotWriter::kBufferBytes;

void release_if_huge(std::string* s, size_t keep) {
  if (s->capacity() > kKeepCapacity) {
    std::string().swap(*s);
    s->reserve(keep);
  }
}

}  // namespace

SnapshotWriter::SnapshotWriter(int fd, const SnapshotOptions& options)
    : fd_(fd), options_(options), hash_(XXH64_createState()) {
  XXH64_reset(hash_, 0);
  buf_.reserve(kBufferBytes);
}

SnapshotWriter::SnapshotWriter(std::string* out, const SnapshotOptions& options)
    : sink_(out), options_(options), hash_(XXH64_createState()) {
  XXH64_reset(hash_, 0);
  buf_.reserve(kBufferBytes);
}

SnapshotWriter::~SnapshotWriter() { XXH64_freeState(hash_); }

Status SnapshotWriter::write(const Keyspace& keyspace) {
  // Exact counts up front (the database markers carry them and the loader checks them): a
  // database's keys minus those whose deadline already passed, found in its TTL heap.
  const int n = keyspace.databases();
  std::vector<uint64_t> keys(static_cast<size_t>(n));
  std::vector<uint64_t> expires(static_cast<size_t>(n));
  uint64_t total_keys = 0;
  uint64_t total_expires = 0;
  for (int i = 0; i < n; ++i) {
    const Db& db = keyspace.db(i);
    uint64_t expired = 0;
    for (const TtlHeap::Node& node : db.ttl_heap().nodes()) {
      expired += node.deadline_ms <= options_.now_ms;
    }
    keys[i] = db.size() - expired;
    expires[i] = db.expires() - expired;
    total_keys += keys[i];
    total_expires += expires[i];
  }

  put_header();
  put_aux(format::kAuxVersion, STASHD_VERSION);
  put_aux(format::kAuxUsedMemory, fmt::format("{}", options_.used_memory));
  put_aux(format::kAuxKeys, fmt::format("{}", total_keys));
  put_aux(format::kAuxExpires, fmt::format("{}", total_expires));
  put_aux(format::kAuxAccess, tracks_lfu(keyspace.eviction().policy) ? "lfu" : "lru");
  for (const auto& [name, value] : options_.aux) put_aux(name, value);
  for (int i = 0; i < n; ++i) {
    if (keys[i] == 0) continue;
    Status s = put_db(keyspace.db(i), i, keys[i], expires[i]);
    if (!s) return s;
  }

  wire::put_u8(&buf_, format::kOpEnd);
  XXH64_update(hash_, buf_.data(), buf_.size());
  wire::put_le(&buf_, options_.checksum ? XXH64_digest(hash_) : 0, 8);
  Status s = write_all(buf_.data(), buf_.size());
  result_.bytes += buf_.size();
  buf_.clear();
  return s;
}

void SnapshotWriter::put_header() {
  buf_.append(format::kMagic);
  wire::put_le(&buf_, kSnapshotVersion, 2);
  wire::put_le(&buf_, static_cast<uint64_t>(options_.now_ms), 8);
}

void SnapshotWriter::put_aux(std::string_view name, std::string_view value) {
  wire::put_u8(&buf_, format::kOpAux);
  wire::put_varint(&buf_, name.size());
  buf_.append(name);
  wire::put_varint(&buf_, value.size());
  buf_.append(value);
}

Status SnapshotWriter::put_db(const Db& db, int index, uint64_t keys, uint64_t expires) {
  wire::put_u8(&buf_, format::kOpDb);
  wire::put_varint(&buf_, static_cast<uint64_t>(index));
  wire::put_varint(&buf_, keys);
  wire::put_varint(&buf_, expires);
  // Least recently used first: the loader pushes each key to the front of its recency list, so
  // the order comes back as it was.
  for (int segment = 0; segment < Db::kSegments; ++segment) {
    const LruList& list = db.list(segment);
    for (EntryIndex e = list.tail(); e != kNoEntry; e = list.prev(e)) {
      int64_t deadline = db.expire_time(e);
      if (deadline >= 0 && deadline <= options_.now_ms) {
        ++result_.expired_skipped;
        continue;
      }
      put_key(db, e, deadline);
      if (buf_.size() >= kBufferBytes) {
        Status s = flush();
        if (!s) return s;
      }
    }
  }
  return Status::ok();
}

void SnapshotWriter::put_key(const Db& db, EntryIndex e, int64_t deadline_ms) {
  entry::View v = db.view(e);
  wire::put_u8(&buf_, format::kOpKey);
  wire::put_u8(&buf_, deadline_ms >= 0 ? format::kKeyHasDeadline : 0);
  if (deadline_ms >= 0) wire::put_le(&buf_, static_cast<uint64_t>(deadline_ms), 8);
  wire::put_le(&buf_, v.lru_clock(), 3);
  std::string_view key = v.key();
  wire::put_varint(&buf_, key.size());
  buf_.append(key);
  value_.clear();
  encode_value(db, e, &value_, options_.compress);
  wire::put_varint(&buf_, value_.size());
  buf_.append(value_);
  release_if_huge(&value_, 0);
  ++result_.keys;
  if (deadline_ms >= 0) ++result_.expires;
}

Status SnapshotWriter::flush() {
  XXH64_update(hash_, buf_.data(), buf_.size());
  Status s = write_all(buf_.data(), buf_.size());
  result_.bytes += buf_.size();
  buf_.clear();
  release_if_huge(&buf_, kBufferBytes);
  return s;
}

Status SnapshotWriter::write_all(const char* data, size_t len) {
  if (sink_ != nullptr) {
    sink_->append(data, len);
    return Status::ok();
  }
  while (len > 0) {
    ssize_t n = ::write(fd_, data, len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::error(fmt::format("write: {}", std::strerror(errno)));
    if (n == 0) return Status::error("write: no progress");
    data += n;
    len -= static_cast<size_t>(n);
  }
  return Status::ok();
}

Status save_snapshot(const Keyspace& keyspace, const std::string& dir, const std::string& filename,
                     const SnapshotOptions& options, SnapshotResult* result) {
  const std::string base = dir.empty() ? std::string(".") : dir;
  const std::string temp = fmt::format("{}/temp-{}.rdb", base, ::getpid());
  const std::string target = fmt::format("{}/{}", base, filename);
  return write_file_atomically(temp, target, base, [&](int fd) {
    SnapshotWriter writer(fd, options);
    Status s = writer.write(keyspace);
    if (!s) return Status::error(fmt::format("{}: {}", temp, s.message()));
    if (result != nullptr) *result = writer.result();
    return Status::ok();
  });
}

}  // namespace stashd::persist
