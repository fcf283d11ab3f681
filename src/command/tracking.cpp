// Owns: client-side caching invalidation (see tracking.h). Thread: the event loop.
#include "stashd/command/tracking.h"

#include <algorithm>

#include "stashd/command/node_state.h"

namespace stashd {

namespace {
constexpr std::string_view kInvalidateChannel = "__redis__:invalidate";

void add_id(std::vector<uint64_t>* ids, uint64_t id) {
  if (std::find(ids->begin(), ids->end(), id) == ids->end()) ids->push_back(id);
}
}  // namespace

void Tracking::enable(Client& c) {
  if (!c.tracking) ++tracking_clients_;
  c.tracking = true;
  if (c.tracking_options.bcast) {
    const auto& prefixes = c.tracking_options.prefixes;
    if (prefixes.empty()) {
      add_id(&prefixes_[""], c.id);  // no prefix: every key
    } else {
      for (const std::string& p : prefixes) add_id(&prefixes_[p], c.id);
    }
  }
}

void Tracking::disable(Client& c) {
  if (!c.tracking) return;
  --tracking_clients_;
  c.tracking = false;
  for (auto it = prefixes_.begin(); it != prefixes_.end();) {
    auto& ids = it->second;
    ids.erase(std::remove(ids.begin(), ids.end(), c.id), ids.end());
    it = ids.empty() ? prefixes_.erase(it) : std::next(it);
  }
  pending_.erase(c.id);
  c.tracking_options = {};
  c.caching_override = 0;
}

void Tracking::remember(Client& c, std::string_view key) {
  const TrackingOptions& o = c.tracking_options;
  if (!c.tracking || o.bcast) return;
  if (o.optin && c.caching_override != 1) return;
  if (o.optout && c.caching_override == -1) return;
  add_id(&table_[std::string(key)], c.id);
}

void Tracking::queue(uint64_t id, std::string_view key, const Client* writer) {
  Client* c = node_->find_client(id);
  if (c == nullptr || !c->tracking) return;
  if (writer == c && c->tracking_options.noloop) return;
  pending_[id].emplace_back(key);
}

void Tracking::key_changed(std::string_view key, const Client* writer) {
  if (tracking_clients_ == 0) return;
  if (auto it = table_.find(std::string(key)); it != table_.end()) {
    // Default mode tracks a key until its first invalidation; a new read tracks it again.
    std::vector<uint64_t> ids = std::move(it->second);
    table_.erase(it);
    for (uint64_t id : ids) queue(id, key, writer);
  }
  for (const auto& [prefix, ids] : prefixes_) {
    if (!key.starts_with(prefix)) continue;
    for (uint64_t id : ids) queue(id, key, writer);
  }
}

void Tracking::flushed() {
  if (tracking_clients_ == 0) return;
  table_.clear();
  pending_.clear();
  pending_flush_ = true;
}

void Tracking::send(Client& c, const std::vector<std::string>* keys) {
  Client* target = &c;
  uint64_t redirect = c.tracking_options.redirect;
  if (redirect != 0) {
    target = node_->find_client(redirect);
    if (target == nullptr) {
      // The redirect client went away: tell a RESP3 client so it can flush its cache.
      if (c.protocol() == 3) {
        c.writer.push(2);
        c.writer.bulk("tracking-redir-broken");
        c.writer.integer(static_cast<int64_t>(redirect));
        if (c.transport) c.transport->request_flush();
      }
      return;
    }
  }
  resp::ReplyWriter& out = target->writer;
  if (target->protocol() == 3) {
    out.push(2);
    out.bulk("invalidate");
  } else if (redirect != 0 && target->channels.contains(kInvalidateChannel)) {
    out.push(3);
    out.bulk("message");
    out.bulk(kInvalidateChannel);
  } else {
    return;  // a RESP2 connection without a redirect cannot receive pushes
  }
  if (keys == nullptr) {
    out.null();
  } else {
    out.array(static_cast<int64_t>(keys->size()));
    for (const std::string& k : *keys) out.bulk(k);
  }
  if (target->transport) target->transport->request_flush();
}

void Tracking::deliver_pending() {
  if (pending_flush_) {
    pending_flush_ = false;
    for (const auto& [id, c] : node_->clients()) {
      if (c->tracking) send(*c, nullptr);
    }
  }
  if (pending_.empty()) return;
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& [id, keys] : pending) {
    if (Client* c = node_->find_client(id)) send(*c, &keys);
  }
}

}  // namespace stashd
