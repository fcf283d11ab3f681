// Owns: AofCommandReader, the increment file parser the loader and stashd-check-aof share: RESP
// multibulk commands only (*N, then N times $len CRLF bytes CRLF), MULTI/EXEC balance, and for
// every stop the exact offset and the last offset a file may be cut back to. Reads through a
// ByteSource, so no claimed length allocates beyond the bytes the file holds.
// Must not touch: the keyspace, logging. Thread: whichever loads or checks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "persist/byte_source.h"

namespace stashd::persist {

class AofCommandReader {
 public:
  enum class Result {
    kCommand,    // *argv holds the next command (views valid until the next call)
    kEnd,        // clean end of the input, outside any MULTI
    kTruncated,  // the input ends inside a command, or inside MULTI without its EXEC
    kBadFormat,  // a byte that cannot be there: problem_offset()/problem() say which and why
    kReadError,  // the ByteSource failed: problem() holds its error
  };

  explicit AofCommandReader(ByteSource& src) : src_(src) {}

  Result next(std::vector<std::string_view>* argv);

  // Start of the command last returned, or of the one being read when the input stopped.
  uint64_t command_offset() const { return command_offset_; }
  // End of the last complete command outside a transaction: where a damaged file is cut back to.
  uint64_t valid_up_to() const { return valid_up_to_; }
  uint64_t problem_offset() const { return problem_offset_; }
  const std::string& problem() const { return problem_; }
  bool in_multi() const { return in_multi_; }
  uint64_t multi_offset() const { return multi_offset_; }

 private:
  enum class Step { kOk, kTruncated, kBad };

  Step number_line(char type, size_t* pos, uint64_t* value);
  Step bad(size_t pos, std::string reason);
  Result stop(Step step);
  Result structure(std::vector<std::string_view>* argv, size_t end);

  ByteSource& src_;
  std::vector<std::pair<size_t, size_t>> spans_;  // (position, length) of each argument, reused
  uint64_t command_offset_ = 0;
  uint64_t valid_up_to_ = 0;
  uint64_t problem_offset_ = 0;
  std::string problem_;
  bool in_multi_ = false;
  uint64_t multi_offset_ = 0;
};

}  // namespace stashd::persist
