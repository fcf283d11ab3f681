// Owns: subscriptions and delivery (see pubsub.h). Thread: the event loop.
#include "stashd/command/pubsub.h"

#include <algorithm>

#include "stashd/command/client.h"
#include "stashd/common/strings.h"

namespace stashd {

namespace {

using Registry = std::map<std::string, std::vector<Client*>, std::less<>>;

bool add(Registry* registry, std::set<std::string, std::less<>>* own, Client* c,
         std::string_view name) {
  if (!own->emplace(name).second) return false;
  (*registry)[std::string(name)].push_back(c);
  return true;
}

bool remove(Registry* registry, std::set<std::string, std::less<>>* own, Client* c,
            std::string_view name) {
  auto mine = own->find(name);
  if (mine == own->end()) return false;
  own->erase(mine);
  auto it = registry->find(name);
  if (it != registry->end()) {
    auto& list = it->second;
    list.erase(std::remove(list.begin(), list.end(), c), list.end());
    if (list.empty()) registry->erase(it);
  }
  return true;
}

void update_flag(Client* c) {
  if (c->subscription_count() > 0) {
    c->flags |= kClientPubsub;
  } else {
    c->flags &= ~kClientPubsub;
  }
}

void deliver(Client* c, std::initializer_list<std::string_view> parts) {
  c->writer.push(static_cast<int64_t>(parts.size()));
  for (std::string_view p : parts) c->writer.bulk(p);
  if (c->transport) c->transport->request_flush();
}

}  // namespace

bool PubSub::subscribe(Client* c, std::string_view channel) {
  bool changed = add(&channels_, &c->channels, c, channel);
  update_flag(c);
  return changed;
}

bool PubSub::unsubscribe(Client* c, std::string_view channel) {
  bool changed = remove(&channels_, &c->channels, c, channel);
  update_flag(c);
  return changed;
}

bool PubSub::psubscribe(Client* c, std::string_view pattern) {
  bool changed = add(&patterns_, &c->patterns, c, pattern);
  update_flag(c);
  return changed;
}

bool PubSub::punsubscribe(Client* c, std::string_view pattern) {
  bool changed = remove(&patterns_, &c->patterns, c, pattern);
  update_flag(c);
  return changed;
}

void PubSub::remove_client(Client* c) {
  while (!c->channels.empty()) unsubscribe(c, std::string(*c->channels.begin()));
  while (!c->patterns.empty()) punsubscribe(c, std::string(*c->patterns.begin()));
}

int64_t PubSub::publish(std::string_view channel, std::string_view message) {
  int64_t receivers = 0;
  if (auto it = channels_.find(channel); it != channels_.end()) {
    for (Client* c : it->second) {
      deliver(c, {"message", channel, message});
      ++receivers;
    }
  }
  for (const auto& [pattern, clients] : patterns_) {
    if (!glob_match(pattern, channel)) continue;
    for (Client* c : clients) {
      deliver(c, {"pmessage", pattern, channel, message});
      ++receivers;
    }
  }
  return receivers;
}

std::vector<std::string> PubSub::channels(std::string_view pattern) const {
  std::vector<std::string> out;
  for (const auto& [name, clients] : channels_) {
    if (pattern.empty() || glob_match(pattern, name)) out.push_back(name);
  }
  return out;
}

int64_t PubSub::subscribers(std::string_view channel) const {
  auto it = channels_.find(channel);
  return it == channels_.end() ? 0 : static_cast<int64_t>(it->second.size());
}

}  // namespace stashd
