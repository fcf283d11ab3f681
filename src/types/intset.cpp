// Owns: the IntSet encoding (see intset.h). Must not touch: the keyspace, I/O.
// Thread: the event loop.
#include "stashd/types/intset.h"

#include <cstring>
#include <limits>

namespace stashd {

size_t IntSet::width_for(int64_t v) {
  if (v >= std::numeric_limits<int16_t>::min() && v <= std::numeric_limits<int16_t>::max()) {
    return 2;
  }
  if (v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max()) {
    return 4;
  }
  return 8;
}

int64_t IntSet::at(size_t index) const {
  const char* p = data_.data() + index * width_;
  switch (width_) {
    case 2: {
      int16_t v;
      std::memcpy(&v, p, 2);
      return v;
    }
    case 4: {
      int32_t v;
      std::memcpy(&v, p, 4);
      return v;
    }
    default: {
      int64_t v;
      std::memcpy(&v, p, 8);
      return v;
    }
  }
}

void IntSet::set(size_t index, int64_t v) {
  char* p = data_.data() + index * width_;
  switch (width_) {
    case 2: {
      auto n = static_cast<int16_t>(v);
      std::memcpy(p, &n, 2);
      break;
    }
    case 4: {
      auto n = static_cast<int32_t>(v);
      std::memcpy(p, &n, 4);
      break;
    }
    default:
      std::memcpy(p, &v, 8);
  }
}

size_t IntSet::lower_bound(int64_t v, bool* found) const {
  size_t lo = 0;
  size_t hi = count_;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (at(mid) < v) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  *found = lo < count_ && at(lo) == v;
  return lo;
}

bool IntSet::contains(int64_t v) const {
  if (width_for(v) > width_) return false;
  bool found;
  lower_bound(v, &found);
  return found;
}

// Rewrites every member at the new width, last to first so that no member is overwritten before it
// has been read.
void IntSet::widen(size_t width) {
  size_t old_width = width_;
  data_.resize(count_ * width);
  for (size_t i = count_; i-- > 0;) {
    width_ = static_cast<uint8_t>(old_width);
    int64_t v = at(i);
    width_ = static_cast<uint8_t>(width);
    set(i, v);
  }
  width_ = static_cast<uint8_t>(width);
}

bool IntSet::insert(int64_t v) {
  size_t index;
  if (width_for(v) > width_) {
    // A member that needs a wider encoding is beyond every current member: first or last.
    widen(width_for(v));
    index = v < 0 ? 0 : count_;
  } else {
    bool found;
    index = lower_bound(v, &found);
    if (found) return false;
  }
  data_.insert(index * width_, width_, '\0');
  ++count_;
  set(index, v);
  return true;
}

bool IntSet::erase(int64_t v) {
  if (width_for(v) > width_) return false;
  bool found;
  size_t index = lower_bound(v, &found);
  if (!found) return false;
  erase_at(index);
  return true;
}

void IntSet::erase_at(size_t index) {
  data_.erase(index * width_, width_);
  --count_;
}

}  // namespace stashd
