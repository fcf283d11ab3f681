// Owns: the fixture shared by the string, string-edit, bit and bitfield command tests: a harness,
// a non-string key for WRONGTYPE checks, and peeks at TTL, encoding and the dirty counter that do
// not need other families' commands. Must not touch: other families' tests. Thread: the test's.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "commands/harness.h"
#include "stashd/keyspace/keyspace.h"

namespace stashd::testing {

// A stand-in for a list value: enough to make a key of another type than string.
class StandInList final : public ValueObject {
 public:
  const char* encoding_name() const override { return "quicklist"; }
  size_t memory_usage() const override { return sizeof(*this); }
  std::unique_ptr<ValueObject> clone() const override { return std::make_unique<StandInList>(); }
};

class StringFixture : public ::testing::Test {
 protected:
  Db& db() { return h.node().keyspace().db(0); }

  void put_list(std::string_view key) {
    db().set_object(key, ValueType::kList, std::make_unique<StandInList>());
  }

  // What PTTL would answer: ms left, -1 without a deadline, -2 for a missing (or expired) key.
  int64_t pttl(std::string_view key) {
    const int64_t now = h.clock().now_ms();
    h.node().keyspace().set_now_ms(now);
    EntryIndex e = db().lookup_peek(key);
    if (e == kNoEntry) return -2;
    const int64_t deadline = db().expire_time(e);
    return deadline < 0 ? -1 : deadline - now;
  }

  std::optional<Encoding> encoding(std::string_view key) {
    h.node().keyspace().set_now_ms(h.clock().now_ms());
    EntryIndex e = db().lookup_peek(key);
    if (e == kNoEntry) return std::nullopt;
    return db().view(e).encoding();
  }

  bool is_list(std::string_view key) {
    EntryIndex e = db().lookup_peek(key);
    return e != kNoEntry && db().view(e).type() == ValueType::kList;
  }

  uint64_t dirty() { return h.node().dirty; }

  const CommandSpec& row(std::string_view name) { return h.node().commands().find(name)->spec; }

  CommandHarness h;
};

// Built with append: GCC 12 warns falsely (-Wrestrict) on "literal" + std::string at -O2.
inline std::string error_reply(std::string_view message) {
  std::string out("-");
  out.append(message).append("\r\n");
  return out;
}
inline std::string array_header(size_t n) {
  std::string out("*");
  out.append(std::to_string(n)).append("\r\n");
  return out;
}

inline constexpr std::string_view kWrongTypeError =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr std::string_view kSyntaxError = "ERR syntax error";
inline constexpr std::string_view kNotIntegerError = "ERR value is not an integer or out of range";

}  // namespace stashd::testing
