// Owns: the memory every keyspace entry lives in. Entries are addressed by 32-bit indexes (offset / 8)
// into one reserved virtual region, so the dictionary chains and LRU links cost 4 bytes each instead of
// 8, and sizes round to 8 bytes instead of an allocator's 16/32-byte classes.
// Must not touch: anything but its own memory. Thread: the event loop (a forked child may read it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

namespace stashd {

using EntryIndex = uint32_t;  // 0 means "no entry"
inline constexpr EntryIndex kNoEntry = 0;

class EntryArena {
 public:
  static constexpr size_t kUnit = 8;                      // allocation granularity and alignment
  static constexpr size_t kMaxSmall = 4096;               // above this, page-rounded large blocks
  static constexpr size_t kPage = 4096;

  // Reserves `reserve_bytes` of address space (not memory); at most 32 GiB are addressable.
  explicit EntryArena(size_t reserve_bytes = size_t{1} << 35);
  ~EntryArena();
  EntryArena(const EntryArena&) = delete;
  EntryArena& operator=(const EntryArena&) = delete;

  // Returns kNoEntry when the reservation is exhausted.
  EntryIndex allocate(size_t bytes);
  void release(EntryIndex index, size_t bytes);

  uint8_t* at(EntryIndex index) const { return base_ + size_t{index} * kUnit; }
  static size_t rounded(size_t bytes) {
    return bytes <= kMaxSmall ? (bytes + kUnit - 1) & ~(kUnit - 1) : (bytes + kPage - 1) & ~(kPage - 1);
  }

  size_t used_bytes() const { return used_; }            // live allocations, rounded sizes
  size_t committed_bytes() const { return committed_; }  // address space made accessible

 private:
  bool commit_to(size_t end);

  uint8_t* base_ = nullptr;
  size_t reserved_ = 0;
  size_t committed_ = 0;
  size_t top_ = kUnit;  // offset 0 is the null index
  size_t used_ = 0;
  std::vector<EntryIndex> small_free_;                 // head of a free list per 8-byte class
  std::map<size_t, std::vector<EntryIndex>> large_free_;  // page-rounded size -> free blocks
};

}  // namespace stashd
