// Owns: AofCommandReader (see aof_reader.h). Parses in place: a command's bytes are made available
// as one span of the ByteSource and consumed only once the whole command is there, so the argument
// views point into the source's buffer. Thread: whichever loads or checks.
#include "persist/aof_reader.h"

#include <fmt/format.h>

#include "stashd/common/strings.h"

namespace stashd::persist {

namespace {

constexpr size_t kMaxDigits = 19;  // below 2^64, so no number overflows
constexpr size_t kMaxLine = 1 + kMaxDigits + 2;

std::string describe(uint8_t c) {
  if (c >= 0x21 && c < 0x7f && c != '\'') return fmt::format("'{}'", static_cast<char>(c));
  return fmt::format("0x{:02x}", c);
}

}  // namespace

AofCommandReader::Step AofCommandReader::bad(size_t pos, std::string reason) {
  problem_offset_ = command_offset_ + pos;
  problem_ = std::move(reason);
  return Step::kBad;
}

AofCommandReader::Result AofCommandReader::stop(Step step) {
  if (step == Step::kBad) return Result::kBadFormat;
  if (!src_.error().empty()) {
    problem_offset_ = command_offset_;
    problem_ = src_.error();
    return Result::kReadError;
  }
  problem_offset_ = command_offset_;
  problem_ = in_multi_ ? "unfinished command inside MULTI" : "unfinished command";
  return Result::kTruncated;
}

// `type` then a decimal without sign or leading zero, then CRLF, at *pos (relative to the
// command's start); on success *pos moves past the CRLF.
AofCommandReader::Step AofCommandReader::number_line(char type, size_t* pos, uint64_t* value) {
  const size_t avail = src_.ensure_up_to(*pos + kMaxLine);
  if (avail <= *pos) return Step::kTruncated;
  const uint8_t* p = src_.data();
  size_t i = *pos;
  if (p[i] != static_cast<uint8_t>(type)) {
    return bad(i, fmt::format("expected '{}', found {}", type, describe(p[i])));
  }
  const size_t first = ++i;
  uint64_t v = 0;
  for (; i < avail && p[i] >= '0' && p[i] <= '9'; ++i) {
    if (i - first == kMaxDigits) return bad(i, "number too long");
    v = v * 10 + (p[i] - '0');
  }
  if (i == avail) return Step::kTruncated;
  if (i == first) return bad(i, fmt::format("expected a digit, found {}", describe(p[i])));
  if (p[first] == '0' && i - first > 1) return bad(first, "number with a leading zero");
  if (p[i] != '\r')
    return bad(i, fmt::format("expected CR after the number, found {}", describe(p[i])));
  if (i + 1 == avail) return Step::kTruncated;
  if (p[i + 1] != '\n') {
    return bad(i + 1, fmt::format("expected LF after CR, found {}", describe(p[i + 1])));
  }
  *pos = i + 2;
  *value = v;
  return Step::kOk;
}

AofCommandReader::Result AofCommandReader::next(std::vector<std::string_view>* argv) {
  argv->clear();
  spans_.clear();
  command_offset_ = src_.offset();
  if (src_.ensure_up_to(1) == 0) {
    if (!src_.error().empty()) return stop(Step::kTruncated);
    if (!in_multi_) return Result::kEnd;
    problem_offset_ = multi_offset_;
    problem_ = "MULTI without EXEC at the end of the file";
    return Result::kTruncated;
  }
  size_t pos = 0;
  uint64_t count = 0;
  Step step = number_line('*', &pos, &count);
  if (step != Step::kOk) return stop(step);
  if (count == 0) return stop(bad(1, "a command of 0 arguments"));
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t len = 0;
    step = number_line('$', &pos, &len);
    if (step != Step::kOk) return stop(step);
    // At most 19 digits: pos + len + 2 cannot overflow, and the source never allocates beyond
    // what the file holds, whatever len claims.
    const uint64_t need = pos + len + 2;
    if (src_.ensure_up_to(static_cast<size_t>(need)) < need) return stop(Step::kTruncated);
    const uint8_t* p = src_.data();
    const size_t end = pos + static_cast<size_t>(len);
    if (p[end] != '\r' || p[end + 1] != '\n') {
      const size_t at = p[end] != '\r' ? end : end + 1;
      return stop(bad(at, fmt::format("expected CRLF after an argument of {} bytes, found {}", len,
                                      describe(p[at]))));
    }
    spans_.emplace_back(pos, static_cast<size_t>(len));
    pos = static_cast<size_t>(need);
  }
  return structure(argv, pos);
}

// MULTI/EXEC balance, then hands out the command and consumes its bytes (consuming never moves
// the buffer, so the views stay valid until the next call).
AofCommandReader::Result AofCommandReader::structure(std::vector<std::string_view>* argv,
                                                     size_t end) {
  const char* base = reinterpret_cast<const char*>(src_.data());
  for (const auto& [pos, len] : spans_) argv->emplace_back(base + pos, len);
  const std::string_view name = argv->front();
  if (iequals(name, "MULTI")) {
    if (in_multi_) return stop(bad(0, "MULTI inside MULTI"));
    in_multi_ = true;
    multi_offset_ = command_offset_;
  } else if (iequals(name, "EXEC")) {
    if (!in_multi_) return stop(bad(0, "EXEC without MULTI"));
    in_multi_ = false;
  } else if (iequals(name, "DISCARD") && in_multi_) {
    in_multi_ = false;
  }
  src_.consume(end);
  if (!in_multi_) valid_up_to_ = src_.offset();
  return Result::kCommand;
}

}  // namespace stashd::persist
