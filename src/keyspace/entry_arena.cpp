// Owns: the entry arena's reservation, commit and free lists (see entry_arena.h).
// Must not touch: anything else. Thread: the event loop.
#include "stashd/keyspace/entry_arena.h"

#include <sys/mman.h>

#include <cstring>
#include <new>

namespace stashd {

namespace {
constexpr size_t kCommitStep = size_t{4} << 20;
constexpr size_t kMaxReserve = size_t{1} << 35;  // 2^32 indexes of 8 bytes
}  // namespace

EntryArena::EntryArena(size_t reserve_bytes)
    : small_free_(kMaxSmall / kUnit + 1, kNoEntry) {
  reserved_ = reserve_bytes > kMaxReserve ? kMaxReserve : reserve_bytes;
  void* p = mmap(nullptr, reserved_, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  base_ = static_cast<uint8_t*>(p);
}

EntryArena::~EntryArena() { munmap(base_, reserved_); }

bool EntryArena::commit_to(size_t end) {
  if (end <= committed_) return true;
  size_t target = (end + kCommitStep - 1) / kCommitStep * kCommitStep;
  if (target > reserved_) target = reserved_;
  if (end > target) return false;
  if (mprotect(base_ + committed_, target - committed_, PROT_READ | PROT_WRITE) != 0) return false;
  committed_ = target;
  return true;
}

EntryIndex EntryArena::allocate(size_t bytes) {
  size_t size = rounded(bytes == 0 ? kUnit : bytes);
  if (size <= kMaxSmall) {
    EntryIndex& head = small_free_[size / kUnit];
    if (head != kNoEntry) {
      EntryIndex index = head;
      std::memcpy(&head, at(index), sizeof(EntryIndex));
      used_ += size;
      return index;
    }
  } else {
    auto it = large_free_.find(size);
    if (it != large_free_.end() && !it->second.empty()) {
      EntryIndex index = it->second.back();
      it->second.pop_back();
      used_ += size;
      return index;
    }
  }
  size_t start = top_;
  if (size > kMaxSmall) start = (top_ + kPage - 1) & ~(kPage - 1);  // keep large blocks page-aligned
  if (!commit_to(start + size)) return kNoEntry;
  // A gap left by page alignment goes to the small free lists so it is not lost.
  for (size_t gap = start - top_; gap > 0;) {
    size_t piece = gap > kMaxSmall ? kMaxSmall : gap;
    EntryIndex gap_index = static_cast<EntryIndex>(top_ / kUnit);
    used_ += piece;
    release(gap_index, piece);
    top_ += piece;
    gap -= piece;
  }
  top_ = start + size;
  used_ += size;
  return static_cast<EntryIndex>(start / kUnit);
}

void EntryArena::release(EntryIndex index, size_t bytes) {
  size_t size = rounded(bytes == 0 ? kUnit : bytes);
  used_ -= size;
  if (size <= kMaxSmall) {
    EntryIndex& head = small_free_[size / kUnit];
    std::memcpy(at(index), &head, sizeof(EntryIndex));
    head = index;
    return;
  }
  // Large blocks give their pages back to the kernel while they wait for reuse.
  madvise(at(index), size, MADV_DONTNEED);
  large_free_[size].push_back(index);
}

}  // namespace stashd
