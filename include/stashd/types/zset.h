// Owns: the sorted-set value (ZsetValue) in its two encodings: a Listpack of member,score pairs
// ordered by (score, member) while small, and past the zset-max-listpack-* thresholds a Skiplist
// (spans give O(log n) ranks) plus a MemberIndex (member -> node hash with incremental rehash and a
// reverse-binary SCAN cursor). Also the score and lex range types the commands parse.
// Must not touch: the keyspace, the config (thresholds are passed in), I/O. Thread: the event loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "stashd/keyspace/entry.h"
#include "stashd/types/listpack.h"

namespace stashd {

// The zset-max-listpack-entries / zset-max-listpack-value thresholds in force for a write.
struct ZsetLimits {
  size_t max_listpack_entries = 128;
  size_t max_listpack_value = 64;
};

// A score interval as ZRANGEBYSCORE takes it: "1.5", "(1.5" (exclusive), "-inf", "+inf".
struct ScoreRange {
  double min = 0;
  double max = 0;
  bool min_exclusive = false;
  bool max_exclusive = false;

  // Parses both bounds with strtod as Redis does (a NaN or trailing byte fails).
  static std::optional<ScoreRange> parse(std::string_view min, std::string_view max);
  bool above_min(double s) const { return min_exclusive ? s > min : s >= min; }
  bool below_max(double s) const { return max_exclusive ? s < max : s <= max; }
  bool contains(double s) const { return above_min(s) && below_max(s); }
  bool empty() const { return min > max || (min == max && (min_exclusive || max_exclusive)); }
};

// A member interval as ZRANGEBYLEX takes it: "[a" (inclusive), "(a" (exclusive), "-", "+".
// Bound values refer to the parsed arguments, which must outlive the range.
struct LexRange {
  enum class Edge : uint8_t { kValue, kMinusInf, kPlusInf };
  struct Bound {
    Edge edge = Edge::kValue;
    std::string_view value;
    bool exclusive = false;
  };
  Bound min;
  Bound max;

  static std::optional<LexRange> parse(std::string_view min, std::string_view max);
  bool above_min(std::string_view m) const;
  bool below_max(std::string_view m) const;
  bool contains(std::string_view m) const { return above_min(m) && below_max(m); }
  bool empty() const;
};

// Skip list ordered by (score, member bytes), with per-link spans so that ranks cost O(log n).
// Nodes carry their member inline and an intrusive link for MemberIndex's chains.
class Skiplist {
 public:
  static constexpr int kMaxHeight = 32;

  struct Node;
  struct Level {
    Node* forward;
    size_t span;  // level-0 steps to `forward` (to the end when forward is null)
  };
  struct Node {
    double score;
    Node* backward;
    Node* hash_next;  // MemberIndex's chain
    uint32_t member_size;
    uint8_t height;

    Level& level(int i) { return reinterpret_cast<Level*>(this + 1)[i]; }
    const Level& level(int i) const { return reinterpret_cast<const Level*>(this + 1)[i]; }
    std::string_view member() const {
      return {reinterpret_cast<const char*>(&level(height)), member_size};
    }
    Node* next() const { return level(0).forward; }
    Node* prev() const { return backward; }
  };

  Skiplist();
  ~Skiplist();
  Skiplist(const Skiplist&) = delete;
  Skiplist& operator=(const Skiplist&) = delete;

  size_t size() const { return length_; }
  Node* first() const { return head_->level(0).forward; }
  Node* last() const { return tail_; }
  size_t memory_usage() const { return sizeof(*this) + bytes_; }

  // Inserts a member that is not present yet.
  Node* insert(double score, std::string_view member);
  // Moves a node to its place for a new score; the node itself (and its address) is kept.
  void update_score(Node* node, double score);
  void erase(Node* node);

  // 1-based rank of (score, member), or 0 when absent.
  size_t rank_of(double score, std::string_view member) const;
  // The node at a 1-based rank, or nullptr.
  Node* at_rank(size_t rank) const;
  Node* first_in(const ScoreRange& range) const;
  Node* last_in(const ScoreRange& range) const;
  Node* first_in(const LexRange& range) const;
  Node* last_in(const LexRange& range) const;

  // Remove every node of a range, calling on_remove(node) just before each is freed. Ranks are
  // 1-based and inclusive. Return how many were removed.
  using RemoveFn = std::function<void(Node*)>;
  size_t erase_in(const ScoreRange& range, const RemoveFn& on_remove);
  size_t erase_in(const LexRange& range, const RemoveFn& on_remove);
  size_t erase_ranks(size_t start, size_t end, const RemoveFn& on_remove);

 private:
  static Node* make_node(int height, double score, std::string_view member);
  void free_node(Node* node);
  static int random_height();
  void link(Node* node);
  // Finds, at every level, the last node ordered before (score, member).
  void path_to(double score, std::string_view member, Node** update) const;
  void unlink(Node* node, Node** update);
  template <typename Stop>
  size_t erase_from(Node** update, Stop stop, const RemoveFn& on_remove);

  Node* head_;
  Node* tail_ = nullptr;
  size_t length_ = 0;
  size_t bytes_ = 0;
  int height_ = 1;
};

// Hash index from member to skip list node, chained through Node::hash_next. Grows and shrinks by
// incremental rehash (a couple of buckets per write); scan() keeps Redis's guarantee that every
// member present for a whole iteration is returned at least once, across resizes.
class MemberIndex {
 public:
  using Node = Skiplist::Node;
  MemberIndex() = default;
  MemberIndex(const MemberIndex&) = delete;
  MemberIndex& operator=(const MemberIndex&) = delete;

  size_t size() const { return size_; }
  size_t bucket_count() const { return main_.buckets() + old_.buckets(); }
  bool rehashing() const { return old_.buckets() != 0; }
  Node* find(std::string_view member) const;
  void insert(Node* node);  // the member must be absent
  void erase(Node* node);   // by identity
  uint64_t scan(uint64_t cursor, const std::function<void(const Node*)>& fn) const;
  size_t memory_usage() const { return sizeof(*this) + bucket_count() * sizeof(Node*); }

 private:
  struct Table {
    std::unique_ptr<Node*[]> slots;
    uint64_t mask = 0;
    size_t buckets() const { return slots ? mask + 1 : 0; }
  };
  static Table make_table(size_t buckets);
  void start_resize(size_t buckets);
  void rehash_step();
  static bool remove_from(Table& t, Node* node, uint64_t hash);

  Table main_;  // new members go here
  Table old_;   // drained into main_ while rehashing
  size_t rehash_index_ = 0;
  size_t size_ = 0;
};

// ZADD's conditions. INCR adds the score to the current one.
struct ZaddFlags {
  bool nx = false;
  bool xx = false;
  bool gt = false;
  bool lt = false;
  bool incr = false;
};

class ZsetValue final : public ValueObject {
 public:
  enum class AddOutcome : uint8_t {
    kAdded,
    kUpdated,
    kUnchanged,  // processed, same score
    kSkipped,    // NX/XX/GT/LT refused it
    kNaN,        // INCR produced NaN; nothing changed
  };
  struct AddResult {
    AddOutcome outcome;
    double score;  // the member's score after the call (when not skipped)
  };

  // One element's position, walkable both ways. member() may format into the cursor itself, so
  // its view lives until the cursor moves. Any write to the zset invalidates cursors.
  class Cursor {
   public:
    bool valid() const { return node_ != nullptr || (lp_ != nullptr && pos_ != Listpack::kNone); }
    std::string_view member();
    double score() const;
    void next();
    void prev();

   private:
    friend class ZsetValue;
    const Listpack* lp_ = nullptr;
    size_t pos_ = Listpack::kNone;  // the member entry; its score follows
    const Skiplist::Node* node_ = nullptr;
    char buf_[24];
  };

  ZsetValue() = default;
  // An empty zset already in the encoding that `expected_size` members of up to
  // `max_member_size` bytes need.
  ZsetValue(size_t expected_size, size_t max_member_size, const ZsetLimits& limits);
  ~ZsetValue() override;

  const char* encoding_name() const override { return big_ ? "skiplist" : "listpack"; }
  size_t memory_usage() const override;
  size_t free_effort() const override { return big_ ? size() : 1; }
  std::unique_ptr<ValueObject> clone() const override;

  bool is_listpack() const { return big_ == nullptr; }
  size_t size() const;
  bool empty() const { return size() == 0; }

  std::optional<double> score(std::string_view member) const;
  // 0-based rank from the lowest score (the highest when reverse).
  std::optional<size_t> rank(std::string_view member, bool reverse) const;
  size_t count_in(const ScoreRange& range) const;
  size_t count_in(const LexRange& range) const;

  // Cursors; invalid when no element qualifies. Ranks are 0-based from the lowest score.
  Cursor at_rank(size_t rank) const;
  Cursor first_in(const ScoreRange& range) const;
  Cursor last_in(const ScoreRange& range) const;
  Cursor first_in(const LexRange& range) const;
  Cursor last_in(const LexRange& range) const;

  // ZADD semantics for one member; converts to the skip list when a threshold is crossed.
  AddResult add(std::string_view member, double score, const ZaddFlags& flags,
                const ZsetLimits& limits);
  bool remove(std::string_view member);
  // Inclusive 0-based ranks, already clamped to the size.
  size_t remove_ranks(size_t start, size_t end);
  size_t remove_in(const ScoreRange& range);
  size_t remove_in(const LexRange& range);

  // ZSCAN: calls fn for the members of the cursor's buckets and returns the next cursor. The
  // listpack form returns everything at once with cursor 0.
  uint64_t scan(uint64_t cursor,
                const std::function<void(std::string_view member, double score)>& fn) const;

  void convert_to_skiplist();

 private:
  struct Big {
    Skiplist list;
    MemberIndex index;
  };
  size_t lp_find(std::string_view member) const;  // position of the member entry, or kNone
  void lp_insert(std::string_view member, double score);
  Cursor lp_cursor(size_t pos) const;
  Cursor big_cursor(const Skiplist::Node* node) const;
  template <typename Keep>
  size_t lp_remove_while(size_t pos, Keep keep_going);
  template <typename Range>
  size_t big_count_in(const Range& range) const;

  Listpack lp_;
  std::unique_ptr<Big> big_;
};

}  // namespace stashd
