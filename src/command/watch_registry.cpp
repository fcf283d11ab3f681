// Owns: the WATCH registry (see watch_registry.h). Thread: the event loop.
#include "stashd/command/watch_registry.h"

#include <algorithm>
#include <cstring>

#include "stashd/command/client.h"

namespace stashd {

std::string WatchRegistry::slot(int db, std::string_view key) {
  std::string s(sizeof(db), '\0');
  std::memcpy(s.data(), &db, sizeof(db));
  s.append(key);
  return s;
}

void WatchRegistry::watch(Client* c, int db, std::string_view key, int64_t deadline_ms) {
  for (const WatchedKey& w : c->watched) {
    if (w.db == db && w.key == key) return;
  }
  c->watched.push_back({db, std::string(key), deadline_ms});
  watchers_[slot(db, key)].push_back(c);
}

void WatchRegistry::unwatch_all(Client* c) {
  for (const WatchedKey& w : c->watched) {
    auto it = watchers_.find(slot(w.db, w.key));
    if (it == watchers_.end()) continue;
    auto& list = it->second;
    list.erase(std::remove(list.begin(), list.end(), c), list.end());
    if (list.empty()) watchers_.erase(it);
  }
  c->watched.clear();
  c->watch_dirty = false;
}

void WatchRegistry::touch(int db, std::string_view key) {
  if (watchers_.empty()) return;
  auto it = watchers_.find(slot(db, key));
  if (it == watchers_.end()) return;
  for (Client* c : it->second) c->watch_dirty = true;
}

void WatchRegistry::touch_db(int db) {
  for (auto& [name, clients] : watchers_) {
    int key_db;
    std::memcpy(&key_db, name.data(), sizeof(key_db));
    if (key_db != db) continue;
    for (Client* c : clients) c->watch_dirty = true;
  }
}

}  // namespace stashd
