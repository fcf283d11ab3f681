// Owns: channel and pattern subscriptions and message delivery (PUBLISH), as RESP2 arrays or RESP3
// pushes into the subscribers' reply buffers. Must not touch: sockets (delivery asks the client's
// transport to flush), the keyspace. Thread: the event loop.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace stashd {

class Client;

class PubSub {
 public:
  // Each returns false when nothing changed (already subscribed / not subscribed).
  bool subscribe(Client* c, std::string_view channel);
  bool unsubscribe(Client* c, std::string_view channel);
  bool psubscribe(Client* c, std::string_view pattern);
  bool punsubscribe(Client* c, std::string_view pattern);
  void remove_client(Client* c);

  // Delivers to channel subscribers and matching pattern subscribers; returns how many received it.
  int64_t publish(std::string_view channel, std::string_view message);

  std::vector<std::string> channels(std::string_view pattern) const;  // empty pattern = all
  int64_t subscribers(std::string_view channel) const;
  int64_t patterns() const { return static_cast<int64_t>(patterns_.size()); }

 private:
  std::map<std::string, std::vector<Client*>, std::less<>> channels_;
  std::map<std::string, std::vector<Client*>, std::less<>> patterns_;
};

}  // namespace stashd
