// Owns: the database set and the eviction settings (see keyspace.h). Thread: the event loop.
#include "stashd/keyspace/keyspace.h"

#include "stashd/keyspace/evictor.h"

namespace stashd {

Keyspace::Keyspace(int databases) : evictor_(std::make_unique<Evictor>(this)) {
  dbs_.reserve(databases);
  for (int i = 0; i < databases; ++i) dbs_.push_back(std::make_unique<Db>(this, i));
}

Keyspace::~Keyspace() = default;

size_t Keyspace::total_keys() const {
  size_t n = 0;
  for (const auto& db : dbs_) n += db->size();
  return n;
}

void Keyspace::set_eviction(const EvictionSettings& settings) {
  bool was_wtinylfu = uses_wtinylfu(eviction_.policy);
  eviction_ = settings;
  if (uses_wtinylfu(settings.policy) && !was_wtinylfu) sketch_.resize(total_keys());
  if (!uses_wtinylfu(settings.policy) && was_wtinylfu) sketch_.resize(0);
  evictor_->settings_changed();
}

}  // namespace stashd
