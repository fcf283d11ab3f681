// Owns: server-assisted client-side caching (CLIENT TRACKING): which clients cached which keys
// (default mode), which prefixes broadcast clients follow (BCAST), and the invalidation messages
// queued while a command runs and delivered after its reply (RESP3 push, or a pub/sub message on
// __redis__:invalidate to a REDIRECT client). Must not touch: the keyspace, sockets.
// Thread: the event loop.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace stashd {

class Client;
class NodeState;

class Tracking {
 public:
  explicit Tracking(NodeState* node) : node_(node) {}

  void enable(Client& c);   // uses c.tracking_options; prefixes registered for BCAST
  void disable(Client& c);
  // After a read-only command: remember that `c` may cache `key` (default mode, OPTIN/OPTOUT rules).
  void remember(Client& c, std::string_view key);
  // A key changed (writer = nullptr for expiry or eviction): queue invalidations.
  void key_changed(std::string_view key, const Client* writer);
  // Every key may have changed (FLUSHDB, FLUSHALL, SWAPDB): a null invalidation to every client.
  void flushed();
  // Sends what was queued; the dispatcher calls it after each command's reply.
  void deliver_pending();

  size_t tracking_clients() const { return tracking_clients_; }
  size_t tracked_keys() const { return table_.size(); }
  size_t tracked_prefixes() const { return prefixes_.size(); }

 private:
  void queue(uint64_t id, std::string_view key, const Client* writer);
  void send(Client& c, const std::vector<std::string>* keys);

  NodeState* node_;
  std::unordered_map<std::string, std::vector<uint64_t>> table_;  // key -> client ids
  std::map<std::string, std::vector<uint64_t>, std::less<>> prefixes_;
  std::map<uint64_t, std::vector<std::string>> pending_;
  bool pending_flush_ = false;
  size_t tracking_clients_ = 0;
};

}  // namespace stashd
