// Tests SetValue: intset -> listpack -> table conversions at each limit, creation from a size
// hint, membership across encodings, iteration, uniform picks, random pops, clones.
// Thread: the test's.
#include "stashd/types/set.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace stashd {
namespace {

std::set<std::string> members(const SetValue& s) {
  std::set<std::string> out;
  char buf[24];
  for (size_t p = s.first(); p != SetValue::kEnd; p = s.next(p)) out.emplace(s.member_at(p, buf));
  return out;
}

TEST(SetValue, StaysAnIntsetForIntegersUpToTheLimit) {
  SetValue s;
  SetLimits limits{3, 128, 64};
  for (const char* v : {"1", "-2", "3"}) EXPECT_TRUE(s.add(v, limits));
  EXPECT_STREQ(s.encoding_name(), "intset");
  EXPECT_FALSE(s.add("1", limits));
  // Past the intset limit an all-integer set goes to a table, as in Redis.
  EXPECT_TRUE(s.add("4", limits));
  EXPECT_STREQ(s.encoding_name(), "hashtable");
  EXPECT_EQ(members(s), (std::set<std::string>{"1", "-2", "3", "4"}));
}

TEST(SetValue, MovesFromIntsetToListpackForAString) {
  SetValue s;
  SetLimits limits;
  s.add("10", limits);
  s.add("abc", limits);
  EXPECT_STREQ(s.encoding_name(), "listpack");
  EXPECT_EQ(members(s), (std::set<std::string>{"10", "abc"}));
}

TEST(SetValue, MovesFromIntsetToTableWhenAListpackWouldBeTooBig) {
  SetLimits limits{512, 3, 64};
  SetValue s;
  for (const char* v : {"1", "2", "3"}) s.add(v, limits);
  s.add("x", limits);
  EXPECT_STREQ(s.encoding_name(), "hashtable");

  SetValue wide;
  wide.add("-9223372036854775808", {512, 128, 10});
  wide.add("x", {512, 128, 10});
  EXPECT_STREQ(wide.encoding_name(), "hashtable");
}

TEST(SetValue, TreatsNonCanonicalNumbersAsStrings) {
  SetValue s;
  SetLimits limits;
  s.add("007", limits);
  EXPECT_STREQ(s.encoding_name(), "listpack");
  EXPECT_TRUE(s.contains("007"));
  EXPECT_FALSE(s.contains("7"));
  s.add("99999999999999999999", limits);
  EXPECT_TRUE(s.contains("99999999999999999999"));
}

TEST(SetValue, MovesFromListpackToTableAtEitherLimit) {
  SetValue by_count;
  SetLimits limits{512, 2, 5};
  by_count.add("a", limits);
  by_count.add("b", limits);
  EXPECT_STREQ(by_count.encoding_name(), "listpack");
  by_count.add("c", limits);
  EXPECT_STREQ(by_count.encoding_name(), "hashtable");

  SetValue by_length;
  by_length.add("a", limits);
  by_length.add("abcdef", limits);
  EXPECT_STREQ(by_length.encoding_name(), "hashtable");
  EXPECT_EQ(members(by_length), (std::set<std::string>{"a", "abcdef"}));
}

TEST(SetValue, NeverConvertsBack) {
  SetValue s;
  SetLimits limits{1, 1, 64};
  s.add("1", limits);
  s.add("2", limits);
  s.erase("2");
  EXPECT_STREQ(s.encoding_name(), "hashtable");
}

TEST(SetValue, PicksItsFirstEncodingFromTheSizeHint) {
  SetLimits limits{4, 8, 64};
  EXPECT_STREQ(SetValue("1", 4, limits).encoding_name(), "intset");
  EXPECT_STREQ(SetValue("1", 5, limits).encoding_name(), "listpack");
  EXPECT_STREQ(SetValue("a", 8, limits).encoding_name(), "listpack");
  EXPECT_STREQ(SetValue("a", 9, limits).encoding_name(), "hashtable");
}

TEST(SetValue, AnswersMembershipInEveryEncoding) {
  for (SetLimits limits : {SetLimits{512, 128, 64}, SetLimits{0, 128, 64}, SetLimits{0, 0, 0}}) {
    SetValue s;
    for (int i = 0; i < 50; ++i) s.add(std::to_string(i), limits);
    for (int i = 0; i < 50; ++i) EXPECT_TRUE(s.contains(std::to_string(i)));
    EXPECT_FALSE(s.contains("50"));
    EXPECT_FALSE(s.contains("x"));
    EXPECT_TRUE(s.erase("7"));
    EXPECT_FALSE(s.erase("7"));
    EXPECT_FALSE(s.erase("x"));
    EXPECT_EQ(s.size(), 49u);
  }
}

TEST(SetValue, PickerIsUniformInEveryEncoding) {
  for (SetLimits limits : {SetLimits{512, 128, 64}, SetLimits{0, 128, 64}, SetLimits{0, 0, 0}}) {
    SetValue s;
    for (int i = 0; i < 10; ++i) s.add(std::to_string(i * 7), limits);
    SetValue::Picker picker(s);
    std::mt19937_64 rng(11);
    std::map<std::string, int> hits;
    char buf[24];
    for (int i = 0; i < 100000; ++i) ++hits[std::string(s.member_at(picker.pick(rng), buf))];
    ASSERT_EQ(hits.size(), 10u) << s.encoding_name();
    for (const auto& [m, n] : hits) EXPECT_NEAR(n, 10000, 1000) << s.encoding_name() << " " << m;
  }
}

TEST(SetValue, PopRandomRemovesExactlyTheReportedMembers) {
  for (SetLimits limits : {SetLimits{512, 128, 64}, SetLimits{0, 128, 64}, SetLimits{0, 0, 0}}) {
    SetValue s;
    for (int i = 0; i < 40; ++i) s.add(std::to_string(i), limits);
    std::set<std::string> before = members(s);
    std::set<std::string> popped;
    std::mt19937_64 rng(5);
    s.pop_random(15, rng, [&](std::string_view m) { EXPECT_TRUE(popped.emplace(m).second); });
    EXPECT_EQ(popped.size(), 15u) << s.encoding_name();
    EXPECT_EQ(s.size(), 25u);
    std::set<std::string> after = members(s);
    for (const auto& m : popped) EXPECT_FALSE(after.count(m));
    after.insert(popped.begin(), popped.end());
    EXPECT_EQ(after, before);
  }
}

TEST(SetValue, PopRandomIsUniformOverMembers) {
  std::mt19937_64 rng(9);
  std::map<std::string, int> hits;
  for (int round = 0; round < 20000; ++round) {
    SetValue s;
    for (int i = 0; i < 5; ++i) s.add(std::to_string(i), {});
    s.pop_random(2, rng, [&](std::string_view m) { ++hits[std::string(m)]; });
  }
  for (const auto& [m, n] : hits) EXPECT_NEAR(n, 8000, 800) << m;
}

TEST(SetValue, ScanOfACompactSetReturnsEverythingAtOnce) {
  SetValue s;
  for (int i = 0; i < 20; ++i) s.add(std::to_string(i), {});
  size_t seen = 0;
  EXPECT_EQ(s.scan(0, [&](size_t) { ++seen; }), 0u);
  EXPECT_EQ(seen, 20u);
}

TEST(SetValue, ClonesAreIndependent) {
  for (SetLimits limits : {SetLimits{512, 128, 64}, SetLimits{0, 128, 64}, SetLimits{0, 0, 0}}) {
    SetValue s;
    s.add("1", limits);
    auto copy = s.clone();
    s.add("2", limits);
    EXPECT_EQ(static_cast<SetValue&>(*copy).size(), 1u);
    EXPECT_STREQ(copy->encoding_name(), s.encoding_name());
    EXPECT_GT(copy->memory_usage(), 0u);
  }
}

}  // namespace
}  // namespace stashd
