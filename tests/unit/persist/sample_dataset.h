// Owns: the persist tests' sample dataset, built through the commands on a CommandHarness: every
// type in its compact and big encodings, integers, empty and binary strings, values above 64 KiB
// (compressible and not), TTLs and keys in several databases; plus helpers to snapshot a harness
// and to describe a key (type, encoding, TTL, value digest) for comparisons. Thread: the test's.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "commands/harness.h"
#include "stashd/persist/snapshot.h"

namespace stashd::testing {

inline std::string run_strings(CommandHarness& h, const std::vector<std::string>& args) {
  std::vector<std::string_view> views(args.begin(), args.end());
  return h.run(views);
}

// Deterministic bytes that LZ4 cannot shrink.
inline std::string random_bytes(size_t n, uint64_t seed) {
  std::string s(n, '\0');
  for (char& c : s) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    c = static_cast<char>(seed >> 56);
  }
  return s;
}

// `prefix`0 .. `prefix`(n-1), after `head` (the command and key).
inline std::vector<std::string> numbered(std::vector<std::string> head, std::string_view prefix,
                                         int n, bool with_scores = false) {
  for (int i = 0; i < n; ++i) {
    if (with_scores) head.push_back(std::to_string(i * 1.5 - 100));
    head.push_back(std::string(prefix) + std::to_string(i));
  }
  return head;
}

// Fills db 0 (and a few keys in dbs 1 and 15) and returns the db-0 keys. With `big` false, only
// small values (for the truncation and corruption loops, which run once per byte).
inline std::vector<std::string> fill_sample(CommandHarness& h, bool big = true) {
  std::vector<std::string> keys;
  auto add = [&](std::vector<std::string> cmd) {
    keys.push_back(cmd[1]);
    run_strings(h, cmd);
  };
  add({"SET", "str:raw", "hello world"});
  add({"SET", "str:int", "12345"});
  add({"SET", "str:min", "-9223372036854775808"});
  add({"SET", "str:zeros", "007"});
  add({"SET", "str:empty", ""});
  add({"SET", "str:bin", std::string("a\0b\xff\r\n", 6)});
  add({"RPUSH", "list:small", "a", "1", "", "-42"});
  add({"SADD", "set:ints", "3", "1", "-2"});
  add({"SADD", "set:small", "a", "b", "1"});
  add({"HSET", "hash:small", "f", "v", "n", "17", "", "empty-field"});
  add({"ZADD", "zset:small", "1", "a", "2.5", "b", "-inf", "c", "inf", "d"});
  add({"SET", "ttl:str", "v", "PX", "100000"});
  add({"RPUSH", "ttl:list", "x", "y"});
  h.run({"PEXPIRE", "ttl:list", "5000"});
  if (big) {
    add({"SET", "str:embedded-edge", std::string(4000, 'e')});
    add({"SET", "str:big-text", std::string(100 * 1024, 'a') + "tail"});
    add({"SET", "str:big-random", random_bytes(70 * 1024, 7)});
    add(numbered({"RPUSH", "list:big"}, "element-", 2000));
    add({"RPUSH", "list:huge-element", "head", std::string(200 * 1024, 'z'),
         random_bytes(80 * 1024, 3), "tail"});
    add(numbered({"SADD", "set:big"}, "member-", 1000));
    add(numbered({"SADD", "set:many-ints"}, "", 600));
    add(numbered({"SADD", "set:long-member", "x"}, std::string(100, 'm'), 1));
    add(numbered({"HSET", "hash:big"}, "field-", 600));
    add({"HSET", "hash:long-value", "f", std::string(100, 'v')});
    add(numbered({"ZADD", "zset:big"}, "m", 500, true));
    add({"ZADD", "zset:long-member", "1", std::string(100, 'q')});
  }
  h.run({"SELECT", "1"});
  h.run({"SET", "db1:key", "in db one"});
  h.run({"HSET", "db1:hash", "a", "b"});
  h.run({"SELECT", "15"});
  h.run({"SET", "db15:key", "in db fifteen", "PX", "60000"});
  h.run({"SELECT", "0"});
  return keys;
}

// Type, encoding, remaining TTL and value digest: what a restored key must match.
inline std::string describe(CommandHarness& h, std::string_view key) {
  return h.run({"TYPE", key}) + h.run({"OBJECT", "ENCODING", key}) + h.run({"PTTL", key}) +
         h.run({"DEBUG", "DIGEST-VALUE", key});
}

inline persist::SnapshotOptions options_at(CommandHarness& h) {
  persist::SnapshotOptions o;
  o.now_ms = h.clock().now_ms();
  return o;
}

inline std::string snapshot_bytes(CommandHarness& h, const persist::SnapshotOptions& o,
                                  persist::SnapshotResult* result = nullptr) {
  std::string out;
  persist::SnapshotWriter writer(&out, o);
  Status s = writer.write(h.node().keyspace());
  if (!s) return "write failed: " + s.message();
  if (result != nullptr) *result = writer.result();
  return out;
}

inline std::string snapshot_bytes(CommandHarness& h) { return snapshot_bytes(h, options_at(h)); }

// Loads into h's keyspace at h's clock.
inline Status load_into(CommandHarness& h, std::string_view bytes,
                        const persist::LoadOptions& options = {},
                        persist::LoadResult* result = nullptr) {
  h.node().keyspace().set_now_ms(h.clock().now_ms());
  return persist::load_snapshot_from_memory(bytes, h.node().keyspace(), h.config(), options,
                                            result);
}

}  // namespace stashd::testing
