// Tests the Listpack encoding: both-way walks, integers kept as integers, insert/erase/replace/find.
#include "stashd/types/listpack.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace stashd {
namespace {

std::vector<std::string> forward(const Listpack& lp) {
  std::vector<std::string> out;
  char buf[24];
  for (size_t p = lp.begin(); p != Listpack::kNone; p = lp.next(p)) {
    out.emplace_back(lp.get(p).as_string(buf));
  }
  return out;
}

std::vector<std::string> backward(const Listpack& lp) {
  std::vector<std::string> out;
  char buf[24];
  for (size_t p = lp.last(); p != Listpack::kNone; p = lp.prev(p)) {
    out.emplace_back(lp.get(p).as_string(buf));
  }
  return out;
}

TEST(Listpack, WalksForwardAndBackward) {
  Listpack lp;
  lp.push_back("a");
  lp.push_back("123");
  lp.push_front("-9223372036854775808");
  lp.push_back(std::string(300, 'x'));
  EXPECT_EQ(lp.size(), 4u);
  auto f = forward(lp);
  ASSERT_EQ(f.size(), 4u);
  EXPECT_EQ(f[0], "-9223372036854775808");
  EXPECT_EQ(f[3], std::string(300, 'x'));
  auto b = backward(lp);
  EXPECT_EQ(std::vector<std::string>(f.rbegin(), f.rend()), b);
}

TEST(Listpack, StoresCanonicalIntegersAsIntegers) {
  Listpack lp;
  lp.push_back("42");
  lp.push_back("042");
  lp.push_back("4.2");
  EXPECT_TRUE(lp.get(lp.seek(0)).is_int);
  EXPECT_FALSE(lp.get(lp.seek(1)).is_int);
  EXPECT_FALSE(lp.get(lp.seek(2)).is_int);
  EXPECT_EQ(lp.get(lp.seek(1)).str, "042");
}

TEST(Listpack, SeeksByPositiveAndNegativeIndex) {
  Listpack lp;
  for (int i = 0; i < 10; ++i) lp.push_back(std::to_string(i));
  EXPECT_EQ(lp.get(lp.seek(3)).integer, 3);
  EXPECT_EQ(lp.get(lp.seek(-1)).integer, 9);
  EXPECT_EQ(lp.get(lp.seek(-10)).integer, 0);
  EXPECT_EQ(lp.seek(10), Listpack::kNone);
  EXPECT_EQ(lp.seek(-11), Listpack::kNone);
}

TEST(Listpack, InsertEraseAndReplaceKeepTheWalkConsistent) {
  Listpack lp;
  lp.push_back("a");
  lp.push_back("c");
  lp.insert_at(lp.seek(1), "b");
  EXPECT_EQ(forward(lp), (std::vector<std::string>{"a", "b", "c"}));
  size_t after = lp.erase(lp.seek(0));
  EXPECT_EQ(lp.get(after).str, "b");
  lp.replace(lp.seek(1), std::string(200, 'z'));
  EXPECT_EQ(forward(lp), (std::vector<std::string>{"b", std::string(200, 'z')}));
  EXPECT_EQ(backward(lp), (std::vector<std::string>{std::string(200, 'z'), "b"}));
  EXPECT_EQ(lp.erase(lp.seek(1)), Listpack::kNone);
  EXPECT_EQ(lp.size(), 1u);
}

TEST(Listpack, FindsWithSkipForFieldValuePairs) {
  Listpack lp;
  for (auto s : {"f1", "v1", "f2", "f1", "10", "v3"}) lp.push_back(s);
  EXPECT_EQ(lp.find("f1", 0, 1), lp.seek(0));
  EXPECT_EQ(lp.find("f2", 0, 1), lp.seek(2));
  EXPECT_EQ(lp.find("v1", 0, 1), Listpack::kNone);  // values are skipped
  EXPECT_EQ(lp.find("10", 0, 0), lp.seek(4));
  EXPECT_EQ(lp.find("nope"), Listpack::kNone);
}

}  // namespace
}  // namespace stashd
