// Owns: ListValue, the list type: a doubly linked chain of nodes, each node a Listpack bounded by
// list-max-listpack-size, with pushes and pops at both ends, positional access that walks from the
// nearer end, in-place edits (set, insert, remove, trim) that split and merge nodes, and the
// encoding name Redis reports ("listpack" while the list is one small node, else "quicklist"). Must
// not touch: the keyspace beyond ValueObject, the config (the fill comes in as a number), I/O.
// Thread: the event loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "stashd/keyspace/entry.h"
#include "stashd/types/listpack.h"

namespace stashd {

class ListValue final : public ValueObject {
  struct Node;

 public:
  // `fill` is list-max-listpack-size: > 0 caps the entries per node (and a node at 8 KiB), 0 acts
  // as 1; -1..-5 cap a node at 4/8/16/32/64 KiB; below -5 acts as -5. An element too big for any
  // node gets a node of its own.
  explicit ListValue(int64_t fill = -2);
  ~ListValue() override;
  ListValue(const ListValue&) = delete;
  ListValue& operator=(const ListValue&) = delete;

  const char* encoding_name() const override;
  size_t memory_usage() const override;
  size_t free_effort() const override { return nodes_; }
  std::unique_ptr<ValueObject> clone() const override;

  // Applies a new list-max-listpack-size to future node decisions (CONFIG SET at run time).
  void set_fill(int64_t fill);

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t node_count() const { return nodes_; }

  void push_front(std::string_view value);
  void push_back(std::string_view value);
  // front()/back() need a non-empty list; the views die with the next change.
  Listpack::Value front() const;
  Listpack::Value back() const;
  void pop_front();
  void pop_back();

  // A read position; valid() turns false when it walks off either end. Invalid after any change.
  class Cursor {
   public:
    bool valid() const { return node_ != nullptr; }
    Listpack::Value value() const;
    void next();
    void prev();

   private:
    friend class ListValue;
    Cursor(const Node* node, size_t pos) : node_(node), pos_(pos) {}
    const Node* node_;
    size_t pos_;
  };
  // The element at `index` (negative counts from the tail), found from the nearer end.
  Cursor seek(int64_t index) const;

  // Replaces the element at `index`; false when out of range.
  bool set(int64_t index, std::string_view value);
  // Inserts next to the first element equal to `pivot`; false when there is none.
  bool insert(std::string_view pivot, std::string_view value, bool after);
  // Removes elements equal to `value`: the first `count` from the head (count > 0), the last
  // -count from the tail (count < 0), or all (count == 0). Returns how many.
  size_t remove(std::string_view value, int64_t count);
  // Drops the first / last n elements (all of them when n >= size()).
  void erase_front(size_t n);
  void erase_back(size_t n);

  // LPOS: head-based indexes of the elements equal to `value`. rank > 0 starts with the rank-th
  // match from the head, rank < 0 with the -rank-th from the tail (walking backwards); at most
  // `count` matches (0 = all) among the first `maxlen` elements compared (0 = all).
  std::vector<int64_t> positions(std::string_view value, int64_t rank, size_t count,
                                 size_t maxlen) const;

  // Links, counts and node limits are consistent (for tests and DEBUG).
  bool check_integrity() const;

 private:
  struct Position {
    Node* node;
    size_t pos;
  };
  // The node and byte offset of element `index` (negative counts from the tail), walking from the
  // nearer end; node is nullptr when out of range.
  Position locate(int64_t index) const;
  bool fits(const Node* node, size_t add_bytes, size_t add_count) const;
  Node* link_before(Node* at);  // at == nullptr appends
  void unlink(Node* node);
  void compact(Node* node);
  // Inserts into `node` before the entry at byte offset `pos` (pos == bytes() appends).
  void insert_at(Node* node, size_t pos, std::string_view value);
  // Moves the entries from `pos` on into a new node after `node`; returns it.
  Node* split(Node* node, size_t pos);
  // Appends `right` to `left` (and frees it) when together they fit in one node.
  void merge(Node* left, Node* right);
  void erase_entry(Node* node, size_t pos);
  // Drops up to `budget` matches of `match` from one node, nearest to the walk's start first.
  template <typename Match>
  size_t remove_in_node(Node* node, const Match& match, size_t budget, bool from_tail,
                        std::vector<size_t>* drop);
  void note_growth();
  void note_shrink();

  Node* head_ = nullptr;
  Node* tail_ = nullptr;
  size_t size_ = 0;
  size_t nodes_ = 0;
  int64_t fill_ = -2;
  size_t max_node_bytes_ = 0;
  size_t max_node_entries_ = 0;
  bool quicklist_ = false;  // the reported encoding, with Redis's hysteresis on shrinking
};

}  // namespace stashd
