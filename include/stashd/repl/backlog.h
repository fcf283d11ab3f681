// Owns: the replication backlog, a circular buffer holding the newest bytes of the replication
// stream, and the stream's offsets (master_repl_offset: bytes ever appended). A replica that asks
// to continue from an offset still held gets the bytes from there on (+CONTINUE).
// Must not touch: sockets, the keyspace. Thread: the event loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace stashd::repl {

class Backlog {
 public:
  // An empty backlog that will keep the newest `capacity` bytes, with the stream at `offset`.
  Backlog(size_t capacity, uint64_t offset);

  // Appends stream bytes (offsets advance by their length).
  void append(std::string_view bytes);
  // Keeps the newest bytes that fit a new capacity (repl-backlog-size changed).
  void resize(size_t capacity);

  // Offset of the last byte appended (0 before any): Redis's master_repl_offset.
  uint64_t offset() const { return offset_; }
  // Offset of the oldest byte held (offset() + 1 when empty): repl_backlog_first_byte_offset.
  uint64_t first_offset() const { return offset_ - histlen_ + 1; }
  size_t histlen() const { return histlen_; }
  size_t capacity() const { return capacity_; }
  // The bytes the buffer has allocated (INFO mem_replication_backlog).
  size_t allocated() const { return buf_.capacity(); }

  // Whether a replica that needs the stream from byte `next` on (its offset + 1) can have it from
  // here: every byte from `next` to offset() is held (next == offset() + 1 needs none).
  bool covers(uint64_t next) const { return next >= first_offset() && next <= offset_ + 1; }
  // Appends the bytes from `next` to offset() to *out. Requires covers(next).
  void copy_from(uint64_t next, std::string* out) const;

 private:
  std::string buf_;  // grows up to capacity_, then wraps
  size_t capacity_;
  size_t head_ = 0;  // where the next byte goes once buf_ is full
  size_t histlen_ = 0;
  uint64_t offset_;
};

}  // namespace stashd::repl
