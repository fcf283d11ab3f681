// Owns: one database's consistency between dictionary, LRU list and TTL heap (see db.h).
// Must not touch: I/O, the system clock. Thread: the event loop.
#include "stashd/keyspace/db.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "stashd/common/strings.h"
#include "stashd/keyspace/keyspace.h"
#include "stashd/keyspace/lfu.h"

namespace stashd {

DetachedValue& DetachedValue::operator=(DetachedValue&& other) noexcept {
  if (this == &other) return *this;
  reset();
  type = other.type;
  encoding = other.encoding;
  int_value = other.int_value;
  bytes = std::move(other.bytes);
  pointer = std::exchange(other.pointer, nullptr);
  expire_ms = other.expire_ms;
  return *this;
}

void DetachedValue::reset() {
  if (pointer == nullptr) return;
  if (encoding == Encoding::kHeapString) {
    delete static_cast<std::string*>(pointer);
  } else if (encoding == Encoding::kObject) {
    delete static_cast<ValueObject*>(pointer);
  }
  pointer = nullptr;
}

Db::Db(Keyspace* keyspace, int id)
    : keyspace_(keyspace),
      arena_(&keyspace->arena()),
      id_(id),
      dict_(arena_),
      lists_{LruList(arena_), LruList(arena_), LruList(arena_), LruList(arena_)},
      heap_(arena_) {}

entry::View Db::view(EntryIndex e) const { return entry::View(arena_->at(e)); }

bool Db::is_expired(EntryIndex e) const {
  return view(e).has_ttl() && heap_.deadline(e) <= keyspace_->now_ms();
}

uint64_t Db::frequency_hash(uint64_t key_hash) const {
  return key_hash ^ (static_cast<uint64_t>(id_) * 0x9E3779B97F4A7C15ULL);
}

void Db::touch(EntryIndex e) {
  entry::View v = view(e);
  const EvictionSettings& ev = keyspace_->eviction();
  if (tracks_lfu(ev.policy)) {
    v.set_lru_clock(lfu::on_access(v.lru_clock(), lfu::minutes_clock(keyspace_->now_ms()),
                                   ev.lfu_decay_time, ev.lfu_log_factor, keyspace_->random01()));
  } else {
    v.set_lru_clock(keyspace_->lru_clock());
  }
  int segment = v.segment();
  if (!uses_wtinylfu(ev.policy) || segment == kWindow || segment == kProtected) {
    lists_[segment].move_to_front(e);
    return;
  }
  // A second access while on probation (or waiting for admission) earns the protected segment,
  // which keeps at most 80% of the main area; its least recent entries drop back to probation.
  move_to_segment(e, kProtected);
  size_t main_area = size() - lists_[kWindow].size();
  for (int i = 0; i < 2 && lists_[kProtected].size() > main_area * 4 / 5; ++i) {
    EntryIndex demoted = lists_[kProtected].tail();
    if (demoted == e) break;
    move_to_segment(demoted, kProbation);
  }
}

void Db::move_to_segment(EntryIndex e, int segment) {
  entry::View v = view(e);
  lists_[v.segment()].remove(e);
  v.set_segment(segment);
  lists_[segment].push_front(e);
}

void Db::link_new(EntryIndex e) {
  entry::View v = view(e);
  const EvictionSettings& ev = keyspace_->eviction();
  if (tracks_lfu(ev.policy)) {
    v.set_lru_clock(lfu::pack(lfu::minutes_clock(keyspace_->now_ms()), lfu::kInitial));
  } else {
    v.set_lru_clock(keyspace_->lru_clock());
  }
  int segment = uses_wtinylfu(ev.policy) ? kWindow : kProbation;
  v.set_segment(segment);
  lists_[segment].push_front(e);
  if (segment == kWindow) balance_window();
}

void Db::balance_window() {
  // The admission window holds about 1% of the keys. Its overflow joins the main area freely while
  // memory is not tight; near the limit it queues as candidates that must win admission.
  size_t target = std::max<size_t>(1, size() / 100);
  int overflow_to = keyspace_->near_memory_limit() ? kCandidate : kProbation;
  for (int i = 0; i < 4 && lists_[kWindow].size() > target; ++i) {
    move_to_segment(lists_[kWindow].tail(), overflow_to);
  }
}

EntryIndex Db::lookup(std::string_view key, bool touch_it) {
  uint64_t h = Dict::hash(key);
  if (touch_it && uses_wtinylfu(keyspace_->eviction().policy)) {
    keyspace_->sketch().record(frequency_hash(h));  // hits and misses both count as demand
  }
  EntryIndex e = dict_.find(key, h);
  if (e == kNoEntry) return kNoEntry;
  if (is_expired(e)) {
    // A replica hides a key its primary has not deleted yet, but leaves the deleting to it.
    if (keyspace_->expire_on_access()) expire_entry(e, h);
    return kNoEntry;
  }
  if (touch_it) touch(e);
  return e;
}

EntryIndex Db::lookup_read(std::string_view key) {
  EntryIndex e = lookup(key, true);
  if (e == kNoEntry) {
    ++keyspace_->stats().keyspace_misses;
  } else {
    ++keyspace_->stats().keyspace_hits;
  }
  return e;
}

EntryIndex Db::lookup_write(std::string_view key) { return lookup(key, true); }
EntryIndex Db::lookup_peek(std::string_view key) { return lookup(key, false); }

std::string_view Db::string_value(EntryIndex e, char (&buf)[24]) const {
  entry::View v = view(e);
  switch (v.encoding()) {
    case Encoding::kInt:
      return {buf, format_i64(v.int_value(), buf)};
    case Encoding::kEmbedded:
      return v.embedded_value();
    case Encoding::kHeapString:
      return *v.heap_string();
    default:
      return {};
  }
}

void Db::free_value(entry::View v, bool lazy) {
  if (v.encoding() == Encoding::kHeapString) {
    delete v.heap_string();
  } else if (v.encoding() == Encoding::kObject) {
    ValueObject* object = v.object();
    if (lazy && object != nullptr && object->free_effort() > LazyFreer::kEffortThreshold) {
      keyspace_->lazy_free().submit(std::unique_ptr<ValueObject>(object));
    } else {
      delete object;
    }
  }
}

void Db::release(EntryIndex e) { arena_->release(e, view(e).size()); }

void Db::delete_entry(EntryIndex e, uint64_t hash, bool lazy) {
  entry::View v = view(e);
  dict_.unlink(e, hash);
  unlink_lists(e);
  if (v.has_ttl()) heap_.remove(e);
  free_value(v, lazy);
  release(e);
}

void Db::expire_entry(EntryIndex e, uint64_t hash) {
  keyspace_->notify_expired(id_, view(e).key());
  delete_entry(e, hash, keyspace_->eviction().lazy_expire);
}

void Db::evict(EntryIndex e) {
  std::string_view key = view(e).key();
  uint64_t h = Dict::hash(key);
  keyspace_->notify_evicted(id_, key);
  delete_entry(e, h, keyspace_->eviction().lazy_eviction);
}

namespace {
void write_value(uint8_t* p, ValueType type, Encoding enc, int64_t i, std::string_view bytes,
                 void* pointer, uint8_t* meta) {
  *meta = static_cast<uint8_t>((*meta & entry::kHasTtl) | static_cast<uint8_t>(type) |
                               (static_cast<uint8_t>(enc) << entry::kEncodingShift));
  switch (enc) {
    case Encoding::kInt:
      std::memcpy(p, &i, 8);
      break;
    case Encoding::kEmbedded:
      p = entry::put_varint(p, bytes.size());
      std::memcpy(p, bytes.data(), bytes.size());
      break;
    default:
      std::memcpy(p, &pointer, sizeof(pointer));
      break;
  }
}
}  // namespace

EntryIndex Db::store(std::string_view key, const Shape& s, bool keep_ttl) {
  uint64_t h = Dict::hash(key);
  EntryIndex old = dict_.find(key, h);
  if (old != kNoEntry && is_expired(old)) {
    expire_entry(old, h);
    old = kNoEntry;
  }
  bool with_ttl = old != kNoEntry && keep_ttl && view(old).has_ttl();
  size_t need = entry::size_for(key, with_ttl, s.encoding, s.bytes.size());
  const bool lazy = keyspace_->eviction().lazy_server_del;
  if (old != kNoEntry) {
    entry::View ov = view(old);
    if (ov.has_ttl() == with_ttl && EntryArena::rounded(ov.size()) == EntryArena::rounded(need)) {
      // Same size class: overwrite in place, no allocation, links untouched.
      free_value(ov, lazy);
      write_value(ov.value_start(), s.type, s.encoding, s.int_value, s.bytes, s.pointer,
                  &ov.header().meta);
      touch(old);
      return old;
    }
  }
  EntryIndex e = arena_->allocate(need);
  if (e == kNoEntry) {
    if (s.encoding == Encoding::kHeapString) delete static_cast<std::string*>(s.pointer);
    if (s.encoding == Encoding::kObject) delete static_cast<ValueObject*>(s.pointer);
    return kNoEntry;
  }
  uint8_t* base = arena_->at(e);
  uint8_t* value = entry::init(base, key, with_ttl, s.type, s.encoding);
  write_value(value, s.type, s.encoding, s.int_value, s.bytes, s.pointer,
              &reinterpret_cast<EntryHeader*>(base)->meta);
  if (old == kNoEntry) {
    dict_.insert(e, h);
    link_new(e);
    return e;
  }
  entry::View ov = view(old);
  entry::View nv = view(e);
  nv.set_segment(ov.segment());
  nv.set_lru_clock(ov.lru_clock());
  dict_.relink(old, e, h);
  lists_[ov.segment()].relink(old, e);
  if (with_ttl) {
    heap_.relink(old, e);
  } else if (ov.has_ttl()) {
    heap_.remove(old);
  }
  free_value(ov, lazy);
  release(old);
  touch(e);
  return e;
}

EntryIndex Db::set_string(std::string_view key, std::string_view value, bool keep_ttl) {
  int64_t i;
  if (value.size() <= 20 && parse_i64(value, &i)) return set_int(key, i, keep_ttl);
  if (entry::size_for(key, true, Encoding::kEmbedded, value.size()) > kMaxEmbeddedEntry) {
    return set_heap_string(key, std::string(value), keep_ttl);
  }
  return store(key, {ValueType::kString, Encoding::kEmbedded, 0, value, nullptr}, keep_ttl);
}

EntryIndex Db::set_int(std::string_view key, int64_t value, bool keep_ttl) {
  return store(key, {ValueType::kString, Encoding::kInt, value, {}, nullptr}, keep_ttl);
}

EntryIndex Db::set_heap_string(std::string_view key, std::string value, bool keep_ttl) {
  auto* s = new std::string(std::move(value));
  return store(key, {ValueType::kString, Encoding::kHeapString, 0, {}, s}, keep_ttl);
}

EntryIndex Db::set_object(std::string_view key, ValueType type, std::unique_ptr<ValueObject> object,
                          bool keep_ttl) {
  return store(key, {type, Encoding::kObject, 0, {}, object.release()}, keep_ttl);
}

bool Db::erase(std::string_view key, bool lazy) {
  uint64_t h = Dict::hash(key);
  EntryIndex e = dict_.find(key, h);
  if (e == kNoEntry) return false;
  if (is_expired(e)) {
    expire_entry(e, h);
    return false;
  }
  delete_entry(e, h, lazy);
  return true;
}

int64_t Db::expire_time(EntryIndex e) const {
  return view(e).has_ttl() ? heap_.deadline(e) : -1;
}

EntryIndex Db::relocate(EntryIndex old, uint64_t hash, bool with_ttl) {
  entry::View ov = view(old);
  uint8_t* old_value = ov.value_start();
  size_t value_len = ov.size() - static_cast<size_t>(old_value - arena_->at(old));
  std::string_view key = ov.key();
  size_t need = entry::size_for(key, with_ttl, Encoding::kInt, 0) - 8 + value_len;
  EntryIndex e = arena_->allocate(need);
  if (e == kNoEntry) return kNoEntry;
  ov = view(old);  // the arena does not move, but be explicit that views are re-derived
  uint8_t* value = entry::init(arena_->at(e), key, with_ttl, ov.type(), ov.encoding());
  std::memcpy(value, ov.value_start(), value_len);
  entry::View nv = view(e);
  nv.set_lru_clock(ov.lru_clock());
  nv.set_segment(ov.segment());
  dict_.relink(old, e, hash);
  lists_[ov.segment()].relink(old, e);
  if (ov.has_ttl() && with_ttl) {
    heap_.relink(old, e);
  } else if (ov.has_ttl()) {
    heap_.remove(old);
  }
  release(old);
  return e;
}

EntryIndex Db::set_expire(EntryIndex e, int64_t deadline_ms) {
  if (view(e).has_ttl()) {
    heap_.update(e, deadline_ms);
    return e;
  }
  EntryIndex moved = relocate(e, Dict::hash(view(e).key()), true);
  if (moved == kNoEntry) return kNoEntry;
  heap_.push(moved, deadline_ms);
  return moved;
}

EntryIndex Db::persist(EntryIndex e) {
  if (!view(e).has_ttl()) return e;
  return relocate(e, Dict::hash(view(e).key()), false);
}

bool Db::take(std::string_view key, DetachedValue* out) {
  uint64_t h = Dict::hash(key);
  EntryIndex e = lookup(key, false);
  if (e == kNoEntry) return false;
  entry::View v = view(e);
  out->type = v.type();
  out->encoding = v.encoding();
  out->expire_ms = expire_time(e);
  switch (v.encoding()) {
    case Encoding::kInt:
      out->int_value = v.int_value();
      break;
    case Encoding::kEmbedded:
      out->bytes.assign(v.embedded_value());
      break;
    default:
      out->pointer = v.pointer_value();
      v.set_pointer_value(nullptr);
      // The pointer now belongs to `out`; make the entry's free_value a no-op.
      v.header().meta = static_cast<uint8_t>((v.header().meta & ~entry::kEncodingMask) |
                                             (static_cast<uint8_t>(Encoding::kInt)
                                              << entry::kEncodingShift));
      // kInt's value area (8 bytes) fits where the pointer was, so size() stays the same.
      break;
  }
  delete_entry(e, h);
  return true;
}

DetachedValue Db::clone(EntryIndex e) const {
  DetachedValue out;
  entry::View v = view(e);
  out.type = v.type();
  out.encoding = v.encoding();
  out.expire_ms = expire_time(e);
  switch (v.encoding()) {
    case Encoding::kInt:
      out.int_value = v.int_value();
      break;
    case Encoding::kEmbedded:
      out.bytes.assign(v.embedded_value());
      break;
    case Encoding::kHeapString:
      out.pointer = new std::string(*v.heap_string());
      break;
    case Encoding::kObject:
      out.pointer = v.object()->clone().release();
      break;
  }
  return out;
}

EntryIndex Db::put(std::string_view key, DetachedValue&& value) {
  Shape s{value.type, value.encoding, value.int_value, value.bytes, value.pointer};
  value.pointer = nullptr;  // ownership passes to the entry (or is freed by store on failure)
  EntryIndex e = store(key, s, false);
  if (e != kNoEntry && value.expire_ms >= 0) e = set_expire(e, value.expire_ms);
  return e;
}

EntryIndex Db::random_key() {
  for (int attempt = 0; attempt < 100 && dict_.size() > 0; ++attempt) {
    EntryIndex e = dict_.random_entry([this] { return keyspace_->random(); });
    if (!is_expired(e)) return e;
    if (keyspace_->expire_on_access()) expire_entry(e, Dict::hash(view(e).key()));
  }
  return kNoEntry;
}

uint64_t Db::idle_seconds(EntryIndex e) const {
  uint32_t now = keyspace_->lru_clock();
  uint32_t then = view(e).lru_clock();
  return now >= then ? now - then : now + 0x1000000 - then;
}

uint32_t Db::lfu_counter(EntryIndex e) const {
  return lfu::decayed(view(e).lru_clock(), lfu::minutes_clock(keyspace_->now_ms()),
                      keyspace_->eviction().lfu_decay_time);
}

size_t Db::sample(size_t n, bool volatile_only, EntryIndex* out) {
  if (!volatile_only) return dict_.sample(n, keyspace_->random(), out);
  const auto& nodes = heap_.nodes();
  if (nodes.empty()) return 0;
  for (size_t i = 0; i < n; ++i) out[i] = nodes[keyspace_->random() % nodes.size()].entry;
  return n;
}

void Db::clear() {
  dict_.clear([this](EntryIndex e) {
    free_value(view(e));
    release(e);
  });
  for (LruList& l : lists_) l.clear();
  heap_.clear();
}

void Db::swap_contents(Db& other) {
  std::swap(dict_, other.dict_);
  std::swap(lists_, other.lists_);
  std::swap(heap_, other.heap_);
}

bool Db::has_due_keys() const {
  return !heap_.empty() && heap_.top().deadline_ms <= keyspace_->now_ms();
}

size_t Db::active_expire(size_t max_keys) {
  size_t n = 0;
  while (n < max_keys && has_due_keys()) {
    EntryIndex e = heap_.top().entry;
    expire_entry(e, Dict::hash(view(e).key()));
    ++n;
  }
  return n;
}

}  // namespace stashd
