// Owns: which clients WATCH which keys, and invalidating their transactions when a watched key is
// written, expires, is evicted, or its database is flushed or swapped.
// Must not touch: the keyspace, sockets. Thread: the event loop.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace stashd {

class Client;

class WatchRegistry {
 public:
  void watch(Client* c, int db, std::string_view key, int64_t deadline_ms);
  void unwatch_all(Client* c);
  // A watched key changed: every client watching it will fail its EXEC.
  void touch(int db, std::string_view key);
  // Every watched key of a database changed (FLUSHDB, FLUSHALL, SWAPDB).
  void touch_db(int db);
  bool empty() const { return watchers_.empty(); }

 private:
  static std::string slot(int db, std::string_view key);
  std::unordered_map<std::string, std::vector<Client*>> watchers_;
};

}  // namespace stashd
