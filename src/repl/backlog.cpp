// Owns: the replication backlog (see backlog.h). Thread: the event loop.
#include "stashd/repl/backlog.h"

#include <algorithm>

namespace stashd::repl {

Backlog::Backlog(size_t capacity, uint64_t offset)
    : capacity_(std::max<size_t>(capacity, 1)), offset_(offset) {}

void Backlog::append(std::string_view bytes) {
  offset_ += bytes.size();
  if (bytes.size() >= capacity_) {
    // Only the newest capacity_ bytes survive.
    bytes = bytes.substr(bytes.size() - capacity_);
    buf_.assign(bytes);
    head_ = 0;
    histlen_ = capacity_;
    return;
  }
  if (buf_.size() < capacity_) {
    // Still growing: the buffer is linear, head_ is its end.
    size_t room = capacity_ - buf_.size();
    size_t n = std::min(room, bytes.size());
    buf_.append(bytes.data(), n);
    bytes.remove_prefix(n);
    head_ = buf_.size() % capacity_;
  }
  while (!bytes.empty()) {
    size_t n = std::min(capacity_ - head_, bytes.size());
    buf_.replace(head_, n, bytes.data(), n);
    head_ = (head_ + n) % capacity_;
    bytes.remove_prefix(n);
  }
  histlen_ = buf_.size();
}

void Backlog::copy_from(uint64_t next, std::string* out) const {
  if (!covers(next)) return;
  size_t want = static_cast<size_t>(offset_ + 1 - next);
  if (want == 0) return;
  // The oldest byte is at head_ once the buffer wrapped, else at 0.
  size_t oldest = buf_.size() < capacity_ ? 0 : head_;
  size_t start = (oldest + (histlen_ - want)) % buf_.size();
  size_t first = std::min(want, buf_.size() - start);
  out->append(buf_, start, first);
  if (first < want) out->append(buf_, 0, want - first);
}

void Backlog::resize(size_t capacity) {
  capacity = std::max<size_t>(capacity, 1);
  if (capacity == capacity_) return;
  std::string kept;
  size_t keep = std::min(histlen_, capacity);
  copy_from(offset_ + 1 - keep, &kept);
  buf_ = std::move(kept);
  capacity_ = capacity;
  head_ = buf_.size() % capacity_;
  histlen_ = buf_.size();
}

}  // namespace stashd::repl
