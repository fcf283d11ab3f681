// Owns: fuzzing RESTORE's payload parser (persist::parse_dump_payload) with DUMPs of every type as
// seeds; the checksum is recomputed after mutation half the time so the value decoder is reached.
// Thread: the fuzzer's.
#include <xxhash.h>

#include "commands/harness.h"
#include "fuzz_target.h"
#include "stashd/persist/dump_payload.h"

std::vector<std::string> fuzz_seeds() {
  stashd::testing::CommandHarness h;
  h.run({"SET", "s", "hello"});
  h.run({"SET", "n", "-42"});
  h.run({"SET", "long", std::string(300, 'y')});
  h.run({"RPUSH", "l", "a", "b", "c"});
  h.run({"HSET", "h", "f", "v"});
  h.run({"SADD", "si", "1", "2"});
  h.run({"SADD", "ss", "a", "b"});
  h.run({"ZADD", "z", "1.5", "a", "-2", "b"});
  std::vector<std::string> seeds;
  stashd::Db& db = h.node().keyspace().db(0);
  for (const char* key : {"s", "n", "long", "l", "h", "si", "ss", "z"}) {
    seeds.push_back(stashd::persist::make_dump_payload(db, db.lookup_peek(key), true));
  }
  return seeds;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static stashd::Config config;
  std::string payload(reinterpret_cast<const char*>(data), size);
  // Half the inputs get a valid trailer so mutations reach the value decoder behind the checksum.
  if (payload.size() >= 10 && (payload[0] & 1)) {
    uint64_t sum = XXH64(payload.data(), payload.size() - 8, 0);
    for (int i = 0; i < 8; ++i) payload[payload.size() - 8 + i] = static_cast<char>(sum >> (8 * i));
  }
  stashd::DetachedValue value;
  (void)stashd::persist::parse_dump_payload(payload, config, &value);
  return 0;
}
