// Owns: Status, the value every fallible non-hot-path operation returns instead of throwing.
// Must not touch: anything else. Thread: any.
#pragma once

#include <string>
#include <utility>

namespace stashd {

class Status {
 public:
  static Status ok() { return Status(); }
  static Status error(std::string message) { return Status(std::move(message)); }
  bool is_ok() const { return !failed_; }
  explicit operator bool() const { return !failed_; }
  const std::string& message() const { return message_; }

 private:
  Status() = default;
  explicit Status(std::string message) : failed_(true), message_(std::move(message)) {}
  bool failed_ = false;
  std::string message_;
};

}  // namespace stashd
