// Owns: the blocked-client registry (see blocking.h). Thread: the event loop.
#include "stashd/command/blocking.h"

#include <algorithm>
#include <cstring>

#include "stashd/command/client.h"

namespace stashd {

std::string BlockingRegistry::slot(int db, std::string_view key) {
  std::string s(sizeof(db), '\0');
  std::memcpy(s.data(), &db, sizeof(db));
  s.append(key);
  return s;
}

void BlockingRegistry::block(Client* c, int db, const std::vector<std::string>& keys) {
  c->blocked = true;
  c->blocked_db = db;
  c->blocked_keys = keys;
  for (const std::string& key : keys) waiting_[slot(db, key)].push_back(c);
  ++blocked_count_;
}

void BlockingRegistry::unblock(Client* c) {
  if (!c->blocked) return;
  for (const std::string& key : c->blocked_keys) {
    auto it = waiting_.find(slot(c->blocked_db, key));
    if (it == waiting_.end()) continue;
    auto& queue = it->second;
    queue.erase(std::remove(queue.begin(), queue.end(), c), queue.end());
    if (queue.empty()) waiting_.erase(it);
  }
  c->blocked = false;
  c->blocked_keys.clear();
  --blocked_count_;
}

void BlockingRegistry::signal(int db, std::string_view key) {
  if (waiting_.empty()) return;
  std::string s = slot(db, key);
  if (!waiting_.contains(s)) return;
  if (std::find(ready_.begin(), ready_.end(), s) == ready_.end()) ready_.push_back(std::move(s));
}

std::vector<Client*> BlockingRegistry::take_ready() {
  std::string s = std::move(ready_.front());
  ready_.erase(ready_.begin());
  auto it = waiting_.find(s);
  if (it == waiting_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

}  // namespace stashd
