// Owns: ByteSource (see byte_source.h). Thread: whichever runs the loader.
#include "persist/byte_source.h"

#include <fmt/format.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace stashd::persist {

ByteSource::ByteSource(std::string_view bytes)
    : base_(reinterpret_cast<const uint8_t*>(bytes.data())),
      end_(bytes.size()),
      total_(bytes.size()),
      hash_(XXH64_createState()) {
  XXH64_reset(hash_, 0);
}

ByteSource::ByteSource(int fd, uint64_t total)
    : fd_(fd), total_(total), hash_(XXH64_createState()) {
  XXH64_reset(hash_, 0);
  buf_.resize(total > 0 ? static_cast<size_t>(std::min<uint64_t>(total, kChunk)) : kChunk);
  base_ = reinterpret_cast<const uint8_t*>(buf_.data());
}

ByteSource::~ByteSource() { XXH64_freeState(hash_); }

bool ByteSource::ensure(size_t n) { return ensure_up_to(n) == n; }

size_t ByteSource::ensure_up_to(size_t n) {
  if (end_ - begin_ < n && fd_ >= 0) fill(n);
  return std::min(n, end_ - begin_);
}

void ByteSource::consume(size_t n) {
  XXH64_update(hash_, base_ + begin_, n);
  begin_ += n;
  offset_ += n;
}

uint64_t ByteSource::digest() const { return XXH64_digest(hash_); }

bool ByteSource::fill(size_t n) {
  // Input of known size never yields more than that size: a request beyond it is answered with
  // what is there, without allocating for the claim, and no read goes past the end (a socket
  // may carry other data after the snapshot).
  const uint64_t left = total_ > offset_ ? total_ - offset_ : 0;
  if (total_ > 0) n = static_cast<size_t>(std::min<uint64_t>(n, left));
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  while (end_ < n) {
    if (end_ == buf_.size()) {
      // Known size: grow to the (bounded) request. Unknown size: double, so the buffer never
      // exceeds twice the bytes that actually arrived.
      buf_.resize(total_ > 0 ? n : std::min(n, buf_.size() * 2));
      base_ = reinterpret_cast<const uint8_t*>(buf_.data());
    }
    size_t want = buf_.size() - end_;
    if (total_ > 0) want = static_cast<size_t>(std::min<uint64_t>(want, left - end_));
    ssize_t got = ::read(fd_, buf_.data() + end_, want);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      error_ = fmt::format("read error at offset {}: {}", offset_ + end_, std::strerror(errno));
      return false;
    }
    if (got == 0) return false;
    end_ += static_cast<size_t>(got);
  }
  return true;
}

}  // namespace stashd::persist
