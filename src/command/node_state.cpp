// Owns: the node's shared command state (see node_state.h). Thread: the event loop.
#include "stashd/command/node_state.h"

#include <algorithm>

namespace stashd {

namespace {
const SystemClock kSystemClock;
}  // namespace

NodeState::NodeState(Config* config, ConfigRegistry* registry, const Clock* clock)
    : config_(config),
      registry_(registry),
      clock_(clock != nullptr ? clock : &kSystemClock),
      keyspace_(static_cast<int>(config->databases)) {
  // Expired keys invalidate WATCHes like writes do.
  keyspace_.set_expire_listener([this](int db, std::string_view key) {
    watches_.touch(db, key);
    tracking_.key_changed(key, nullptr);
    events().notify(db, kEventExpired, "expired", key);
  });
}

void NodeState::remove_client(Client* c) {
  watches_.unwatch_all(c);
  pubsub_.remove_client(c);
  blocking_.unblock(c);
  tracking_.disable(*c);
  clients_.erase(c->id);
  monitors_.erase(std::remove(monitors_.begin(), monitors_.end(), c), monitors_.end());
}

Client* NodeState::find_client(uint64_t id) const {
  auto it = clients_.find(id);
  return it == clients_.end() ? nullptr : it->second;
}

}  // namespace stashd
