// Owns: the database set (see keyspace.h). Thread: the event loop.
#include "stashd/keyspace/keyspace.h"

namespace stashd {

Keyspace::Keyspace(int databases) {
  dbs_.reserve(databases);
  for (int i = 0; i < databases; ++i) dbs_.push_back(std::make_unique<Db>(this, i));
}

size_t Keyspace::total_keys() const {
  size_t n = 0;
  for (const auto& db : dbs_) n += db->size();
  return n;
}

}  // namespace stashd
