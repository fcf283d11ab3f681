// Owns: the shared fixture of the sorted-set command tests: a harness, reply builders, and a
// parameterised variant that runs each test with the listpack or the skiplist encoding.
// Thread: the test's.
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>

#include "commands/harness.h"

namespace stashd::testing {

class ZsetFixture : public ::testing::Test {
 protected:
  std::string run(std::initializer_list<std::string_view> args) { return h.run(args); }

  static std::string header(size_t n) {
    std::string out = "*";
    out += std::to_string(n);
    out += "\r\n";
    return out;
  }
  static std::string err(std::string_view s) { return "-" + std::string(s) + "\r\n"; }
  // An array of already encoded replies.
  static std::string arr(std::initializer_list<std::string> items) {
    std::string out = header(items.size());
    for (const std::string& item : items) out += item;
    return out;
  }
  // An array of bulk strings.
  static std::string bulks(std::initializer_list<std::string_view> items) {
    std::string out = header(items.size());
    for (std::string_view item : items) out += bulk(item);
    return out;
  }
  // A RESP3 double.
  static std::string dbl(std::string_view s) { return "," + std::string(s) + "\r\n"; }
  static inline const std::string kEmpty = "*0\r\n";
  static inline const std::string kNull3 = "_\r\n";
  static inline const std::string kNullArray = "*-1\r\n";
  static std::string wrongtype() {
    return err("WRONGTYPE Operation against a key holding the wrong kind of value");
  }

  // "m<i>", appended piecewise: GCC 12 warns (-Wrestrict, a false positive) on "m" + to_string.
  static std::string member_name(int i) {
    std::string s = "m";
    s += std::to_string(i);
    return s;
  }
  std::string encoding(std::string_view key) { return h.run({"OBJECT", "ENCODING", key}); }
  uint64_t dirty() { return h.node().dirty; }

  CommandHarness h;
};

// Runs a test once per encoding: GetParam() true forces the skiplist from the first member.
class ZsetEncodings : public ZsetFixture, public ::testing::WithParamInterface<bool> {
 protected:
  ZsetEncodings() {
    if (GetParam()) h.config().zset_max_listpack_entries = 0;
  }
  std::string expected_encoding() const { return bulk(GetParam() ? "skiplist" : "listpack"); }
};

inline std::string encoding_param_name(const ::testing::TestParamInfo<bool>& info) {
  return info.param ? "Skiplist" : "Listpack";
}

}  // namespace stashd::testing
