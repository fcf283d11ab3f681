// Owns: clients blocked on keys (BLPOP, BZPOPMIN, ...): a first-come-first-served queue per
// (db, key), the keys signalled ready by writes, and which blocked clients to retry.
// Must not touch: the keyspace, sockets. Thread: the event loop.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace stashd {

class Client;

class BlockingRegistry {
 public:
  void block(Client* c, int db, const std::vector<std::string>& keys);
  void unblock(Client* c);
  // A key changed: if clients wait on it, it is queued as ready.
  void signal(int db, std::string_view key);
  bool has_ready() const { return !ready_.empty(); }
  // Takes the next ready key's waiting clients, oldest first.
  std::vector<Client*> take_ready();
  size_t blocked_clients() const { return blocked_count_; }

 private:
  static std::string slot(int db, std::string_view key);
  std::unordered_map<std::string, std::deque<Client*>> waiting_;
  std::vector<std::string> ready_;
  size_t blocked_count_ = 0;
};

}  // namespace stashd
