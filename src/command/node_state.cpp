// Owns: the node's shared command state (see node_state.h). Thread: the event loop.
#include "stashd/command/node_state.h"

#include <algorithm>

#include "stashd/keyspace/allocator.h"
#include "stashd/keyspace/dict.h"
#include "stashd/keyspace/evictor.h"

namespace stashd {

namespace {
const SystemClock kSystemClock;
}  // namespace

NodeState::NodeState(Config* config, ConfigRegistry* registry, const Clock* clock)
    : config_(config),
      registry_(registry),
      clock_(clock != nullptr ? clock : &kSystemClock),
      keyspace_(static_cast<int>(config->databases)) {
  // Expired keys invalidate WATCHes like writes do, and leave the AOF and replicas as a DEL
  // (replicas and a loading AOF never expire keys themselves).
  keyspace_.set_expire_listener([this](int db, std::string_view key) {
    watches_.touch(db, key);
    tracking_.key_changed(key, nullptr);
    events().notify(db, kEventExpired, "expired", key);
    propagator_.key_removed(db, key, keyspace_.eviction().lazy_expire);
  });
  // Evicted keys too: WATCH sees a change, client caches drop them, "evicted" is published, and
  // the AOF and replicas get a DEL.
  keyspace_.set_evict_listener([this](int db, std::string_view key) {
    watches_.touch(db, key);
    tracking_.key_changed(key, nullptr);
    events().notify(db, kEventEvicted, "evicted", key);
    propagator_.key_removed(db, key, keyspace_.eviction().lazy_eviction);
  });
  // Used memory as maxmemory counts it: every allocation (keys, values, client buffers), the
  // entry arena's live bytes and the big dictionary tables, which are mapped directly.
  // The append-only file's unwritten buffer and the replication buffers are not counted (as
  // Redis): a slow disk or a slow replica must not evict keys.
  keyspace_.set_memory_meter([this] {
    size_t used = allocator::allocated_bytes() + keyspace_.arena().used_bytes() +
                  Dict::mapped_table_bytes();
    size_t excluded = static_cast<size_t>(persistence.aof_buffer_length) +
                      static_cast<size_t>(replication_buffer_bytes);
    return used > excluded ? used - excluded : 0;
  });
  keyspace_.set_clock_us([this] { return clock_->now_us(); });
  apply_eviction_config();
  if (registry_ != nullptr) {
    for (std::string_view option :
         {"maxmemory", "maxmemory-policy", "maxmemory-samples", "maxmemory-eviction-tenacity",
          "lfu-log-factor", "lfu-decay-time", "lazyfree-lazy-eviction", "lazyfree-lazy-expire",
          "lazyfree-lazy-server-del"}) {
      registry_->on_change(option, [this] { apply_eviction_config(); });
    }
  }
}

void NodeState::apply_eviction_config() {
  EvictionSettings s;
  s.maxmemory = static_cast<uint64_t>(config_->maxmemory);
  s.policy = parse_eviction_policy(config_->maxmemory_policy).value_or(EvictionPolicy::kNoEviction);
  s.samples = config_->maxmemory_samples;
  s.tenacity = config_->maxmemory_eviction_tenacity;
  s.lfu_log_factor = config_->lfu_log_factor;
  s.lfu_decay_time = config_->lfu_decay_time;
  s.lazy_eviction = config_->lazyfree_lazy_eviction;
  s.lazy_expire = config_->lazyfree_lazy_expire;
  s.lazy_server_del = config_->lazyfree_lazy_server_del;
  keyspace_.set_eviction(s);
  if (control != nullptr && keyspace_.evictor().over_limit()) control->continue_eviction();
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
