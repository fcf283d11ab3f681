// Owns: the shared fixture of the key family's command tests (key_cmds, expire_cmds, scan_cmds):
// a harness plus direct keyspace setup, so the tests do not depend on the string family's SET/GET.
// Must not touch: other families' tests. Thread: the test's.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "commands/harness.h"
#include "stashd/keyspace/keyspace.h"

namespace stashd::testing {

// A stand-in for the collections that later families implement: a type tag, an encoding name and
// a payload, so COPY can be checked to clone rather than share.
class FakeCollection final : public ValueObject {
 public:
  explicit FakeCollection(std::string encoding, std::string payload = {})
      : payload(std::move(payload)), encoding_(std::move(encoding)) {}
  const char* encoding_name() const override { return encoding_.c_str(); }
  size_t memory_usage() const override { return sizeof(*this) + payload.size(); }
  std::unique_ptr<ValueObject> clone() const override {
    return std::make_unique<FakeCollection>(encoding_, payload);
  }

  std::string payload;

 private:
  std::string encoding_;
};

// "k" + i, built with append: GCC 12 gives a false -Wrestrict for "literal" + std::string at -O2.
inline std::string numbered(std::string_view prefix, int64_t i) {
  std::string s(prefix);
  s.append(std::to_string(i));
  return s;
}

inline std::string simple(std::string_view s) { return "+" + std::string(s) + "\r\n"; }
inline std::string error(std::string_view s) { return "-" + std::string(s) + "\r\n"; }
inline std::string array(std::initializer_list<std::string> items) {
  std::string out = numbered("*", static_cast<int64_t>(items.size()));
  out += "\r\n";
  for (const std::string& item : items) out += item;
  return out;
}

class KeyFixture : public ::testing::Test {
 protected:
  // Db has no destructor, so values stored out of line would leak with the harness's Keyspace.
  ~KeyFixture() override {
    Keyspace& ks = h.node().keyspace();
    for (int i = 0; i < ks.databases(); ++i) ks.db(i).clear();
  }

  // The keyspace's "now" is only set by the dispatcher; direct setup must see the test clock too.
  Db& db(int index = 0) {
    h.node().keyspace().set_now_ms(h.clock().now_ms());
    return h.node().keyspace().db(index);
  }
  int64_t now_ms() { return h.clock().now_ms(); }

  void set(std::string_view key, std::string_view value, int index = 0) {
    ASSERT_NE(db(index).set_string(key, value), kNoEntry);
  }
  void set_with_ttl(std::string_view key, std::string_view value, int64_t ttl_ms, int index = 0) {
    Db& d = db(index);
    ASSERT_NE(d.set_expire(d.set_string(key, value), now_ms() + ttl_ms), kNoEntry);
  }
  FakeCollection* set_collection(std::string_view key, ValueType type, std::string encoding,
                                 std::string payload = {}, int index = 0) {
    auto object = std::make_unique<FakeCollection>(std::move(encoding), std::move(payload));
    FakeCollection* raw = object.get();
    db(index).set_object(key, type, std::move(object));
    return raw;
  }

  // The string at `key` (without touching it), or "(nil)".
  std::string value_of(std::string_view key, int index = 0) {
    Db& d = db(index);
    EntryIndex e = d.lookup_peek(key);
    if (e == kNoEntry) return "(nil)";
    char buf[24];
    return std::string(d.string_value(e, buf));
  }
  // The absolute deadline of `key` in ms, -1 without one, -2 when missing.
  int64_t deadline_of(std::string_view key, int index = 0) {
    Db& d = db(index);
    EntryIndex e = d.lookup_peek(key);
    return e == kNoEntry ? -2 : d.expire_time(e);
  }
  uint64_t dirty() { return h.node().dirty; }

  CommandHarness h;
};

}  // namespace stashd::testing
