// Tests repl::Backlog: offsets, wrapping, what a continuing replica is sent, resizing.
#include "stashd/repl/backlog.h"

#include <gtest/gtest.h>

#include <string>

namespace stashd::repl {
namespace {

TEST(BacklogTest, StartsEmptyAtItsOffset) {
  Backlog b(16, 100);
  EXPECT_EQ(b.offset(), 100u);
  EXPECT_EQ(b.histlen(), 0u);
  EXPECT_EQ(b.first_offset(), 101u);
  EXPECT_TRUE(b.covers(101));
  EXPECT_FALSE(b.covers(100));
  EXPECT_FALSE(b.covers(102));
}

TEST(BacklogTest, HandsBackEverythingFromAnOffset) {
  Backlog b(16, 0);
  b.append("hello");
  b.append(" world");
  EXPECT_EQ(b.offset(), 11u);
  std::string out;
  b.copy_from(1, &out);
  EXPECT_EQ(out, "hello world");
  out.clear();
  b.copy_from(7, &out);
  EXPECT_EQ(out, "world");
  out.clear();
  b.copy_from(12, &out);
  EXPECT_EQ(out, "");
}

TEST(BacklogTest, KeepsOnlyTheNewestBytesOnceItWraps) {
  Backlog b(8, 0);
  std::string all;
  for (char c = 'a'; c <= 'z'; ++c) {
    b.append(std::string(1, c));
    all.push_back(c);
    // Whatever is held is exactly the tail of everything appended.
    std::string out;
    b.copy_from(b.first_offset(), &out);
    ASSERT_EQ(out, all.substr(all.size() - b.histlen()));
  }
  EXPECT_EQ(b.histlen(), 8u);
  EXPECT_EQ(b.first_offset(), 19u);
  EXPECT_FALSE(b.covers(18));
  std::string out;
  b.copy_from(24, &out);
  EXPECT_EQ(out, "xyz");
}

TEST(BacklogTest, AnAppendBiggerThanTheBufferKeepsItsTail) {
  Backlog b(4, 10);
  b.append("ab");
  b.append("0123456789");
  EXPECT_EQ(b.offset(), 22u);
  std::string out;
  b.copy_from(b.first_offset(), &out);
  EXPECT_EQ(out, "6789");
}

TEST(BacklogTest, ResizingKeepsTheNewestBytes) {
  Backlog b(8, 0);
  b.append("abcdefghij");  // holds cdefghij
  b.resize(4);
  std::string out;
  b.copy_from(b.first_offset(), &out);
  EXPECT_EQ(out, "ghij");
  b.resize(16);
  b.append("kl");
  out.clear();
  b.copy_from(b.first_offset(), &out);
  EXPECT_EQ(out, "ghijkl");
  EXPECT_EQ(b.offset(), 12u);
}

}  // namespace
}  // namespace stashd::repl
