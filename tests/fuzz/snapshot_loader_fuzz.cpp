// Owns: fuzzing the snapshot loader (persist::load_snapshot_from_memory) with snapshots of a small
// dataset of every type as seeds. Thread: the fuzzer's.
#include "commands/harness.h"
#include "fuzz_target.h"
#include "stashd/persist/snapshot.h"

namespace {

std::string snapshot_of(stashd::testing::CommandHarness& h) {
  std::string out;
  stashd::persist::SnapshotOptions options;
  options.now_ms = h.clock().now_ms();
  stashd::persist::SnapshotWriter writer(&out, options);
  (void)writer.write(h.node().keyspace());
  return out;
}

}  // namespace

std::vector<std::string> fuzz_seeds() {
  stashd::testing::CommandHarness h;
  h.run({"SET", "s", "hello"});
  h.run({"SET", "n", "12345"});
  h.run({"SET", "long", std::string(300, 'x')});
  h.run({"PEXPIRE", "s", "100000"});
  h.run({"RPUSH", "l", "a", "b", "c"});
  h.run({"HSET", "h", "f", "v", "g", "w"});
  h.run({"SADD", "si", "1", "2", "3"});
  h.run({"SADD", "ss", "a", "b"});
  h.run({"ZADD", "z", "1.5", "a", "2", "b"});
  h.run({"SELECT", "3"});
  h.run({"SET", "other", "db"});
  std::string full = snapshot_of(h);
  h.run({"FLUSHALL"});
  return {full, snapshot_of(h)};
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static stashd::Config config;
  stashd::Keyspace keyspace(16);
  stashd::persist::LoadOptions options;
  (void)stashd::persist::load_snapshot_from_memory(
      std::string_view(reinterpret_cast<const char*>(data), size), keyspace, config, options);
  return 0;
}
