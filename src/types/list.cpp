// Owns: ListValue (see list.h): the node chain, node limits, splitting and merging, and the
// encoding hysteresis. Must not touch: the keyspace, the config, I/O. Thread: the event loop.
#include "stashd/types/list.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "stashd/common/strings.h"

namespace stashd {

struct ListValue::Node {
  Node* prev = nullptr;
  Node* next = nullptr;
  Listpack entries;
};

namespace {

constexpr size_t kNone = Listpack::kNone;
// A node with an entry-count fill still stops at this size, so a few large elements cannot make
// every push to the head move a huge buffer.
constexpr size_t kSafetyNodeBytes = 8 * 1024;
constexpr size_t kNodeBytesByLevel[] = {4 * 1024, 8 * 1024, 16 * 1024, 32 * 1024, 64 * 1024};
constexpr size_t kUnlimited = std::numeric_limits<size_t>::max();
// Up to this many removals in one node are erased in place (each moves the node's tail); more
// rebuild the node once.
constexpr size_t kEraseInPlaceMax = 8;

// Bytes `s` takes in a Listpack when stored as a string (an integer never takes more).
size_t entry_bytes(std::string_view s) {
  size_t body = entry::varint_size(uint64_t{s.size()} << 1) + s.size();
  return body + entry::varint_size(body);
}

void append_value(Listpack* lp, const Listpack::Value& v) {
  char buf[24];
  lp->push_back(v.as_string(buf));
}

// Compares listpack entries with one argument, parsing the argument as an integer only once.
class Matcher {
 public:
  explicit Matcher(std::string_view s) : str_(s), is_int_(s.size() <= 20 && parse_i64(s, &int_)) {}
  bool operator()(const Listpack::Value& v) const {
    return is_int_ ? v.is_int && v.integer == int_ : !v.is_int && v.str == str_;
  }

 private:
  std::string_view str_;
  int64_t int_ = 0;
  bool is_int_;
};

// A copy of `lp` without the entries at the (ascending) offsets in `drop`, or from `first` on
// only. Used where many in-place erasures would each move the rest of the node.
Listpack rebuilt(const Listpack& lp, const std::vector<size_t>& drop, size_t first = 0) {
  Listpack kept;
  size_t d = 0;
  for (size_t p = first; p != kNone; p = lp.next(p)) {
    if (d < drop.size() && drop[d] == p) {
      ++d;
      continue;
    }
    append_value(&kept, lp.get(p));
  }
  return kept;
}

}  // namespace

ListValue::ListValue(int64_t fill) { set_fill(fill); }

ListValue::~ListValue() {
  while (head_ != nullptr) {
    Node* next = head_->next;
    delete head_;
    head_ = next;
  }
}

const char* ListValue::encoding_name() const { return quicklist_ ? "quicklist" : "listpack"; }

size_t ListValue::memory_usage() const {
  size_t total = sizeof(*this);
  for (const Node* n = head_; n != nullptr; n = n->next) {
    total += sizeof(Node) - sizeof(Listpack) + n->entries.memory_usage();
  }
  return total;
}

std::unique_ptr<ValueObject> ListValue::clone() const {
  auto copy = std::make_unique<ListValue>(fill_);
  for (const Node* n = head_; n != nullptr; n = n->next) {
    copy->link_before(nullptr)->entries = n->entries;
  }
  copy->size_ = size_;
  copy->quicklist_ = quicklist_;
  return copy;
}

void ListValue::set_fill(int64_t fill) {
  fill_ = fill;
  if (fill >= 0) {
    max_node_bytes_ = kSafetyNodeBytes;
    max_node_entries_ = fill == 0 ? 1 : static_cast<size_t>(fill);
  } else {
    const int64_t level = std::min<int64_t>(-fill, 5) - 1;
    max_node_bytes_ = kNodeBytesByLevel[level];
    max_node_entries_ = kUnlimited;
  }
}

bool ListValue::fits(const Node* node, size_t add_bytes, size_t add_count) const {
  return node->entries.bytes() + add_bytes <= max_node_bytes_ &&
         node->entries.size() + add_count <= max_node_entries_;
}

ListValue::Node* ListValue::link_before(Node* at) {
  Node* n = new Node;
  n->next = at;
  n->prev = at != nullptr ? at->prev : tail_;
  (n->prev != nullptr ? n->prev->next : head_) = n;
  (at != nullptr ? at->prev : tail_) = n;
  ++nodes_;
  return n;
}

// A node grown by appends may hold up to twice its bytes in capacity; once full it is copied to an
// exact fit (once per node, so O(1) per element).
void ListValue::compact(Node* node) { node->entries = Listpack(node->entries); }

void ListValue::unlink(Node* node) {
  (node->prev != nullptr ? node->prev->next : head_) = node->next;
  (node->next != nullptr ? node->next->prev : tail_) = node->prev;
  delete node;
  --nodes_;
}

// --- Both ends ----------------------------------------------------------------------------------

void ListValue::push_front(std::string_view value) {
  if (head_ == nullptr || !fits(head_, entry_bytes(value), 1)) {
    if (head_ != nullptr) compact(head_);
    link_before(head_);
  }
  head_->entries.push_front(value);
  ++size_;
  note_growth();
}

void ListValue::push_back(std::string_view value) {
  if (tail_ == nullptr || !fits(tail_, entry_bytes(value), 1)) {
    if (tail_ != nullptr) compact(tail_);
    link_before(nullptr);
  }
  tail_->entries.push_back(value);
  ++size_;
  note_growth();
}

Listpack::Value ListValue::front() const { return head_->entries.get(head_->entries.begin()); }

Listpack::Value ListValue::back() const { return tail_->entries.get(tail_->entries.last()); }

void ListValue::pop_front() {
  erase_entry(head_, head_->entries.begin());
  note_shrink();
}

void ListValue::pop_back() {
  erase_entry(tail_, tail_->entries.last());
  note_shrink();
}

void ListValue::erase_entry(Node* node, size_t pos) {
  node->entries.erase(pos);
  --size_;
  if (node->entries.empty()) unlink(node);
}

void ListValue::erase_front(size_t n) {
  while (n > 0 && head_ != nullptr) {
    Listpack& lp = head_->entries;
    const size_t here = lp.size();
    if (n >= here) {
      n -= here;
      size_ -= here;
      unlink(head_);
    } else if (n <= kEraseInPlaceMax) {
      for (; n > 0; --n) erase_entry(head_, lp.begin());
    } else {
      lp = rebuilt(lp, {}, lp.seek(static_cast<int64_t>(n)));
      size_ -= n;
      n = 0;
    }
  }
  note_shrink();
}

void ListValue::erase_back(size_t n) {
  while (n > 0 && tail_ != nullptr) {
    const size_t here = tail_->entries.size();
    if (n >= here) {
      n -= here;
      size_ -= here;
      unlink(tail_);
    } else {
      // Erasing the last entry moves nothing, so one at a time is already linear.
      for (; n > 0; --n) erase_entry(tail_, tail_->entries.last());
    }
  }
  note_shrink();
}

// --- Positions ----------------------------------------------------------------------------------

ListValue::Position ListValue::locate(int64_t index) const {
  const auto size = static_cast<int64_t>(size_);
  if (index < 0) index += size;
  if (index < 0 || index >= size) return {nullptr, kNone};
  Node* n;
  int64_t local;
  if (index < size / 2) {
    n = head_;
    while (index >= static_cast<int64_t>(n->entries.size())) {
      index -= static_cast<int64_t>(n->entries.size());
      n = n->next;
    }
    local = index;
  } else {
    int64_t from_tail = size - 1 - index;
    n = tail_;
    while (from_tail >= static_cast<int64_t>(n->entries.size())) {
      from_tail -= static_cast<int64_t>(n->entries.size());
      n = n->prev;
    }
    local = static_cast<int64_t>(n->entries.size()) - 1 - from_tail;
  }
  // Inside the node too, walk from the nearer end.
  const auto count = static_cast<int64_t>(n->entries.size());
  return {n, n->entries.seek(local < count / 2 ? local : local - count)};
}

ListValue::Cursor ListValue::seek(int64_t index) const {
  const Position at = locate(index);
  return Cursor(at.node, at.pos);
}

Listpack::Value ListValue::Cursor::value() const { return node_->entries.get(pos_); }

void ListValue::Cursor::next() {
  pos_ = node_->entries.next(pos_);
  if (pos_ != kNone) return;
  node_ = node_->next;
  if (node_ != nullptr) pos_ = node_->entries.begin();
}

void ListValue::Cursor::prev() {
  pos_ = node_->entries.prev(pos_);
  if (pos_ != kNone) return;
  node_ = node_->prev;
  if (node_ != nullptr) pos_ = node_->entries.last();
}

// --- Edits in the middle ------------------------------------------------------------------------

bool ListValue::set(int64_t index, std::string_view value) {
  const Position target = locate(index);
  if (target.node == nullptr) return false;
  Node* node = target.node;
  Listpack& lp = node->entries;
  const size_t following = lp.next(target.pos);
  const size_t old_bytes = (following == kNone ? lp.bytes() : following) - target.pos;
  if (lp.size() == 1 || lp.bytes() - old_bytes + entry_bytes(value) <= max_node_bytes_) {
    lp.replace(target.pos, value);
  } else {
    // The new value does not fit here: take the old one out and insert as LINSERT would.
    const size_t at = lp.erase(target.pos);
    --size_;
    insert_at(node, at == kNone ? lp.bytes() : at, value);
  }
  note_growth();
  note_shrink();
  return true;
}

bool ListValue::insert(std::string_view pivot, std::string_view value, bool after) {
  const Matcher match(pivot);
  for (Node* n = head_; n != nullptr; n = n->next) {
    const Listpack& lp = n->entries;
    for (size_t p = lp.begin(); p != kNone; p = lp.next(p)) {
      if (!match(lp.get(p))) continue;
      size_t at = after ? lp.next(p) : p;
      insert_at(n, at == kNone ? lp.bytes() : at, value);
      note_growth();
      return true;
    }
  }
  return false;
}

void ListValue::insert_at(Node* node, size_t pos, std::string_view value) {
  const size_t add = entry_bytes(value);
  ++size_;
  if (fits(node, add, 1)) {
    node->entries.insert_at(pos, value);
    return;
  }
  // A full node: use the neighbour at a node boundary, else split the node at `pos`.
  if (pos == 0) {
    if (node->prev == nullptr || !fits(node->prev, add, 1)) link_before(node);
    node->prev->entries.push_back(value);
    return;
  }
  if (pos == node->entries.bytes()) {
    if (node->next == nullptr || !fits(node->next, add, 1)) link_before(node->next);
    node->next->entries.push_front(value);
    return;
  }
  Node* right = split(node, pos);
  if (fits(node, add, 1)) {
    node->entries.push_back(value);
  } else if (fits(right, add, 1)) {
    right->entries.push_front(value);
  } else {
    link_before(right)->entries.push_back(value);
  }
  // The halves may now be small enough to join their outer neighbours.
  if (right->next != nullptr) merge(right, right->next);
  if (node->prev != nullptr) merge(node->prev, node);
}

ListValue::Node* ListValue::split(Node* node, size_t pos) {
  Node* right = link_before(node->next);
  Listpack& from = node->entries;
  for (size_t p = pos; p != kNone; p = from.next(p)) append_value(&right->entries, from.get(p));
  for (size_t moved = right->entries.size(); moved > 0; --moved) from.erase(from.last());
  compact(node);
  return right;
}

void ListValue::merge(Node* left, Node* right) {
  const Listpack& from = right->entries;
  if (!fits(left, from.bytes(), from.size())) return;
  for (size_t p = from.begin(); p != kNone; p = from.next(p)) {
    append_value(&left->entries, from.get(p));
  }
  unlink(right);
}

template <typename Match>
size_t ListValue::remove_in_node(Node* node, const Match& match, size_t budget, bool from_tail,
                                 std::vector<size_t>* drop) {
  Listpack& lp = node->entries;
  drop->clear();
  for (size_t p = from_tail ? lp.last() : lp.begin(); p != kNone && drop->size() < budget;
       p = from_tail ? lp.prev(p) : lp.next(p)) {
    if (match(lp.get(p))) drop->push_back(p);
  }
  if (!from_tail) std::reverse(drop->begin(), drop->end());
  // `drop` is now in descending offsets: erasing in that order keeps the others valid.
  if (drop->size() <= kEraseInPlaceMax) {
    for (size_t p : *drop) lp.erase(p);
  } else {
    std::reverse(drop->begin(), drop->end());
    lp = rebuilt(lp, *drop);
  }
  size_ -= drop->size();
  return drop->size();
}

size_t ListValue::remove(std::string_view value, int64_t count) {
  const Matcher match(value);
  const bool from_tail = count < 0;
  // The magnitude of count, computed without negating INT64_MIN.
  const size_t limit = count == 0  ? kUnlimited
                       : from_tail ? static_cast<size_t>(-(count + 1)) + 1
                                   : static_cast<size_t>(count);
  std::vector<size_t> drop;
  size_t removed = 0;
  Node* node = from_tail ? tail_ : head_;
  while (node != nullptr && removed < limit) {
    Node* following = from_tail ? node->prev : node->next;
    const size_t here = remove_in_node(node, match, limit - removed, from_tail, &drop);
    removed += here;
    if (node->entries.empty()) {
      unlink(node);
    } else if (here > 0) {
      // Join the neighbour already walked past, so the walk ahead is undisturbed.
      if (from_tail && node->next != nullptr) merge(node, node->next);
      if (!from_tail && node->prev != nullptr) merge(node->prev, node);
    }
    node = following;
  }
  note_shrink();
  return removed;
}

// --- Searching ----------------------------------------------------------------------------------

std::vector<int64_t> ListValue::positions(std::string_view value, int64_t rank, size_t count,
                                          size_t maxlen) const {
  const Matcher match(value);
  const bool backward = rank < 0;
  // Matches to pass over before the first reported one: |rank| - 1, with no overflow.
  uint64_t skip =
      (backward ? uint64_t{0} - static_cast<uint64_t>(rank) : static_cast<uint64_t>(rank)) - 1;
  std::vector<int64_t> out;
  Cursor c = seek(backward ? -1 : 0);
  auto index = static_cast<int64_t>(backward ? size_ - 1 : 0);
  for (size_t compared = 0; c.valid() && (maxlen == 0 || compared < maxlen); ++compared) {
    if (match(c.value())) {
      if (skip > 0) {
        --skip;
      } else {
        out.push_back(index);
        if (count != 0 && out.size() >= count) break;
      }
    }
    if (backward) {
      c.prev();
      --index;
    } else {
      c.next();
      ++index;
    }
  }
  return out;
}

// --- Encoding and checks ------------------------------------------------------------------------

// Redis reports "listpack" for a list kept as one node within the limits and "quicklist" once it
// outgrows them; going back needs the node to shrink to half the limits, so a list at the edge
// does not flip at every push and pop.
void ListValue::note_growth() {
  if (quicklist_ || head_ == nullptr) return;
  quicklist_ = nodes_ > 1 || head_->entries.bytes() > max_node_bytes_ ||
               head_->entries.size() > max_node_entries_;
}

void ListValue::note_shrink() {
  if (!quicklist_) return;
  if (head_ == nullptr) {
    quicklist_ = false;
    return;
  }
  quicklist_ = !(nodes_ == 1 && head_->entries.bytes() <= max_node_bytes_ / 2 &&
                 head_->entries.size() <= max_node_entries_ / 2);
}

bool ListValue::check_integrity() const {
  size_t elements = 0;
  size_t nodes = 0;
  const Node* prev = nullptr;
  for (const Node* n = head_; n != nullptr; prev = n, n = n->next) {
    const Listpack& lp = n->entries;
    size_t walked = 0;
    for (size_t p = lp.begin(); p != kNone; p = lp.next(p)) ++walked;
    const bool within =
        lp.size() == 1 || (lp.bytes() <= max_node_bytes_ && lp.size() <= max_node_entries_);
    if (n->prev != prev || lp.empty() || walked != lp.size() || !within) return false;
    elements += lp.size();
    ++nodes;
  }
  return prev == tail_ && elements == size_ && nodes == nodes_;
}

}  // namespace stashd
