// Owns: ByteSource, the snapshot loader's input: an in-memory buffer or an fd read through a 1 MiB
// buffer, handing out contiguous spans, counting the offset and hashing (XXH64) every byte
// consumed. Allocation follows the bytes that exist: a regular file's size bounds any request, and
// input of unknown size (a pipe) grows the buffer only as data arrives.
// Must not touch: the keyspace. Thread: whichever runs the loader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

typedef struct XXH64_state_s XXH64_state_t;

namespace stashd::persist {

class ByteSource {
 public:
  static constexpr size_t kChunk = size_t{1} << 20;

  explicit ByteSource(std::string_view bytes);
  // `total` is the input's size (never read past), or 0 to read until end of file.
  ByteSource(int fd, uint64_t total);
  ~ByteSource();
  ByteSource(const ByteSource&) = delete;
  ByteSource& operator=(const ByteSource&) = delete;

  // Makes n bytes available at data(). False at the end of the input or on a read error (then
  // error() is set).
  bool ensure(size_t n);
  // Makes up to n bytes available; returns how many are (fewer only at the end or on an error).
  size_t ensure_up_to(size_t n);
  const uint8_t* data() const { return base_ + begin_; }
  // Passes n available bytes, adding them to the checksum.
  void consume(size_t n);

  uint64_t offset() const { return offset_; }
  uint64_t total() const { return total_; }
  // XXH64 of everything consumed so far.
  uint64_t digest() const;
  const std::string& error() const { return error_; }

 private:
  bool fill(size_t n);

  int fd_ = -1;
  std::string buf_;  // fd input
  const uint8_t* base_ = nullptr;
  size_t begin_ = 0;  // first unconsumed byte in base_
  size_t end_ = 0;    // one past the last byte read into base_
  uint64_t offset_ = 0;
  uint64_t total_ = 0;
  XXH64_state_t* hash_;
  std::string error_;
};

}  // namespace stashd::persist
