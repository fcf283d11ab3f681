// Owns: unit tests for common/strings (Redis-exact number parsing/formatting, glob matching,
// memory sizes). Must not touch: other modules. Thread: the test runner's main thread.
#include "stashd/common/strings.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

namespace stashd {
namespace {

bool parses_i64(std::string_view s) {
  int64_t v = 0;
  return parse_i64(s, &v);
}

int64_t i64_of(std::string_view s) {
  int64_t v = -12345;
  EXPECT_TRUE(parse_i64(s, &v)) << s;
  return v;
}

TEST(ParseI64, AcceptsCanonicalIntegers) {
  EXPECT_EQ(i64_of("0"), 0);
  EXPECT_EQ(i64_of("7"), 7);
  EXPECT_EQ(i64_of("-7"), -7);
  EXPECT_EQ(i64_of("1234567890"), 1234567890);
  EXPECT_EQ(i64_of("9223372036854775807"), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(i64_of("-9223372036854775808"), std::numeric_limits<int64_t>::min());
}

TEST(ParseI64, RejectsWhatRedisString2llRejects) {
  for (std::string_view bad : {"", "-", "-0", "+1", " 1", "1 ", "01", "00", "-01", "1a", "a1",
                               "1.0", "0x10", "9223372036854775808", "-9223372036854775809",
                               "18446744073709551616", "99999999999999999999999"}) {
    EXPECT_FALSE(parses_i64(bad)) << "'" << bad << "'";
  }
  EXPECT_FALSE(parses_i64(std::string_view("1\0", 2)));
}

TEST(ParseI64, LeavesOutputUntouchedOnFailure) {
  int64_t v = 42;
  EXPECT_FALSE(parse_i64("x", &v));
  EXPECT_EQ(v, 42);
}

TEST(ParseLongDouble, AcceptsNumbersExponentsAndInfinities) {
  long double v = 0;
  ASSERT_TRUE(parse_long_double("1.5", &v));
  EXPECT_EQ(v, 1.5L);
  ASSERT_TRUE(parse_long_double("-2e3", &v));
  EXPECT_EQ(v, -2000.0L);
  ASSERT_TRUE(parse_long_double("+3", &v));
  EXPECT_EQ(v, 3.0L);
  ASSERT_TRUE(parse_long_double(".5", &v));
  EXPECT_EQ(v, 0.5L);
  for (std::string_view inf : {"inf", "INF", "+inf", "+Inf", "infinity"}) {
    ASSERT_TRUE(parse_long_double(inf, &v)) << inf;
    EXPECT_TRUE(std::isinf(v) && v > 0) << inf;
  }
  ASSERT_TRUE(parse_long_double("-inf", &v));
  EXPECT_TRUE(std::isinf(v) && v < 0);
  ASSERT_TRUE(parse_long_double("-InF", &v));
  EXPECT_TRUE(std::isinf(v) && v < 0);
}

TEST(ParseLongDouble, RejectsEmptySpacesGarbageNanAndOverflow) {
  long double v = 0;
  for (std::string_view bad : {"", " 1", "1 ", "\t1", "1x", "abc", "nan", "NaN", "-nan", "1e",
                               "1e99999", "-1e99999", "1e-99999", "--1"}) {
    EXPECT_FALSE(parse_long_double(bad, &v)) << "'" << bad << "'";
  }
  EXPECT_FALSE(parse_long_double(std::string("1\0005", 3), &v));
  EXPECT_FALSE(parse_long_double(std::string(5 * 1024, '1'), &v));
}

TEST(ParseDouble, AcceptsAndRejectsLikeLongDouble) {
  double v = 0;
  ASSERT_TRUE(parse_double("3.25", &v));
  EXPECT_EQ(v, 3.25);
  ASSERT_TRUE(parse_double("-inf", &v));
  EXPECT_TRUE(std::isinf(v) && v < 0);
  ASSERT_TRUE(parse_double("+INF", &v));
  EXPECT_TRUE(std::isinf(v) && v > 0);
  for (std::string_view bad : {"", " 1", "1 ", "nan", "x", "1e400", "-1e400", "1e-400"}) {
    EXPECT_FALSE(parse_double(bad, &v)) << "'" << bad << "'";
  }
  // Inputs longer than any stack buffer still parse.
  std::string long_input = "1." + std::string(300, '0');
  ASSERT_TRUE(parse_double(long_input, &v));
  EXPECT_EQ(v, 1.0);
}

TEST(FormatI64, WritesEveryMagnitudeAndBothExtremes) {
  char buf[21];
  for (int64_t v = 1;; v *= 10) {
    for (int64_t x : {v - 1, v, v + 1, -v, -(v - 1)}) {
      EXPECT_EQ(std::string(buf, format_i64(x, buf)), std::to_string(x));
    }
    if (v > std::numeric_limits<int64_t>::max() / 10) break;
  }
  EXPECT_EQ(i64_to_string(std::numeric_limits<int64_t>::max()), "9223372036854775807");
  EXPECT_EQ(i64_to_string(std::numeric_limits<int64_t>::min()), "-9223372036854775808");
  EXPECT_EQ(i64_to_string(0), "0");
}

TEST(FormatDouble, UsesSeventeenSignificantDigits) {
  EXPECT_EQ(format_double(1.0), "1");
  EXPECT_EQ(format_double(-3.0), "-3");
  EXPECT_EQ(format_double(1.5), "1.5");
  EXPECT_EQ(format_double(0.1), "0.10000000000000001");
  EXPECT_EQ(format_double(1e17), "1e+17");
  EXPECT_EQ(format_double(12345678901234567.0), "12345678901234568");
  EXPECT_EQ(format_double(1e-5), "1.0000000000000001e-05");
  EXPECT_EQ(format_double(0.0), "0");
  EXPECT_EQ(format_double(-0.0), "-0");
}

TEST(FormatDouble, SpellsInfinitiesAndNanPortably) {
  EXPECT_EQ(format_double(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(format_double(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(format_double(std::nan("")), "nan");
  EXPECT_EQ(format_double(-std::nan("")), "nan");
}

TEST(FormatLongDouble, StripsTrailingZerosLikeIncrbyfloat) {
  EXPECT_EQ(format_long_double(10.5L), "10.5");
  EXPECT_EQ(format_long_double(3.0L), "3");
  EXPECT_EQ(format_long_double(0.0L), "0");
  EXPECT_EQ(format_long_double(-0.0L), "0");
  EXPECT_EQ(format_long_double(-1e-30L), "0");
  EXPECT_EQ(format_long_double(5.0e3L), "5000");
  EXPECT_EQ(format_long_double(-2.5L), "-2.5");
  EXPECT_EQ(format_long_double(10.5L + 0.1L), "10.6");
  EXPECT_EQ(format_long_double(1.0e20L), "100000000000000000000");
}

TEST(FormatLongDouble, SpellsInfinities) {
  EXPECT_EQ(format_long_double(std::numeric_limits<long double>::infinity()), "inf");
  EXPECT_EQ(format_long_double(-std::numeric_limits<long double>::infinity()), "-inf");
}

TEST(FormatLongDouble, HandlesNumbersWiderThanAnyStackBuffer) {
  const std::string s = format_long_double(1e300L);
  EXPECT_EQ(s.size(), 301u);
  EXPECT_EQ(s.substr(0, 1), "1");
  EXPECT_EQ(s.find('.'), std::string::npos);
}

TEST(GlobMatch, MatchesStarsAndQuestionMarks) {
  EXPECT_TRUE(glob_match("*", "anything"));
  EXPECT_TRUE(glob_match("h?llo", "hello"));
  EXPECT_FALSE(glob_match("h?llo", "hllo"));
  EXPECT_TRUE(glob_match("h*llo", "hllo"));
  EXPECT_TRUE(glob_match("h*llo", "heeeello"));
  EXPECT_TRUE(glob_match("user:*:name", "user:42:name"));
  EXPECT_FALSE(glob_match("user:*:name", "user:42:age"));
  EXPECT_TRUE(glob_match("a*", "a"));
  EXPECT_TRUE(glob_match("a**", "a"));
  EXPECT_TRUE(glob_match("*a*b*", "xaybz"));
  EXPECT_FALSE(glob_match("*a*b*", "xbya"));
  EXPECT_TRUE(glob_match("*ab", "aab"));
  EXPECT_FALSE(glob_match("abc", "ab"));
  EXPECT_FALSE(glob_match("ab", "abc"));
  EXPECT_TRUE(glob_match("", ""));
  EXPECT_FALSE(glob_match("", "a"));
}

TEST(GlobMatch, EmptySubjectMatchesOnlyEmptyPatternLikeRedis) {
  EXPECT_FALSE(glob_match("*", ""));
  EXPECT_FALSE(glob_match("?", ""));
}

TEST(GlobMatch, MatchesClassesRangesAndNegation) {
  EXPECT_TRUE(glob_match("h[ae]llo", "hello"));
  EXPECT_TRUE(glob_match("h[ae]llo", "hallo"));
  EXPECT_FALSE(glob_match("h[ae]llo", "hillo"));
  EXPECT_TRUE(glob_match("h[^e]llo", "hallo"));
  EXPECT_FALSE(glob_match("h[^e]llo", "hello"));
  EXPECT_TRUE(glob_match("h[a-c]llo", "hbllo"));
  EXPECT_FALSE(glob_match("h[a-c]llo", "hdllo"));
  EXPECT_TRUE(glob_match("h[c-a]llo", "hbllo"));  // reversed ranges are swapped
  EXPECT_TRUE(glob_match("[0-9][0-9]", "42"));
  EXPECT_FALSE(glob_match("[]", "a"));
  EXPECT_FALSE(glob_match("[", "a"));
  EXPECT_TRUE(glob_match("[^", "a"));      // unterminated negated empty class: any byte
  EXPECT_TRUE(glob_match("[abc", "b"));    // an unterminated class ends with the pattern
  EXPECT_TRUE(glob_match("[a\\]]", "]"));  // escaped ']' inside a class
  EXPECT_TRUE(glob_match("[\\-]", "-"));
}

TEST(GlobMatch, TreatsBackslashAsEscape) {
  EXPECT_TRUE(glob_match("a\\*b", "a*b"));
  EXPECT_FALSE(glob_match("a\\*b", "axb"));
  EXPECT_TRUE(glob_match("a\\?", "a?"));
  EXPECT_FALSE(glob_match("a\\?", "ab"));
  EXPECT_TRUE(glob_match("\\[x]", "[x]"));
  EXPECT_TRUE(glob_match("a\\", "a\\"));  // a trailing backslash is literal
}

TEST(GlobMatch, IgnoresCaseOnlyWhenAsked) {
  EXPECT_FALSE(glob_match("HELLO", "hello"));
  EXPECT_TRUE(glob_match("HELLO", "hello", true));
  EXPECT_TRUE(glob_match("h[A-C]llo", "hbllo", true));
  EXPECT_FALSE(glob_match("h[A-C]llo", "hbllo"));
  EXPECT_TRUE(glob_match("h[E]llo", "hello", true));
  EXPECT_TRUE(glob_match("\\H*", "hi", true));
}

TEST(GlobMatch, IsBinarySafe) {
  EXPECT_TRUE(glob_match(std::string_view("a\0*", 3), std::string_view("a\0bc", 4)));
  EXPECT_FALSE(glob_match(std::string_view("a\0", 2), std::string_view("a", 1)));
}

TEST(GlobMatch, StaysFastOnPathologicalPatterns) {
  const std::string subject(10000, 'a');
  std::string pattern;
  for (int i = 0; i < 50; ++i) pattern += "a*";
  pattern += "b";
  EXPECT_FALSE(glob_match(pattern, subject));
  EXPECT_TRUE(glob_match(pattern.substr(0, pattern.size() - 1), subject));
}

TEST(CaseHelpers, CompareAndLowerAsciiOnly) {
  EXPECT_TRUE(iequals("GeT", "get"));
  EXPECT_FALSE(iequals("get", "gets"));
  EXPECT_FALSE(iequals("a", "b"));
  EXPECT_TRUE(iequals("", ""));
  EXPECT_EQ(to_lower("SeT KeY 1\xC3"), "set key 1\xC3");
}

TEST(ParseMemory, AcceptsPlainNumbersAndUnitsCaseInsensitively) {
  const std::pair<std::string_view, int64_t> cases[] = {
      {"0", 0},
      {"100", 100},
      {"100b", 100},
      {"1k", 1000},
      {"1K", 1000},
      {"1kb", 1024},
      {"1KB", 1024},
      {"1kB", 1024},
      {"2m", 2000000},
      {"2mb", 2 * 1024 * 1024},
      {"3g", 3000000000LL},
      {"3Gb", 3LL << 30},
      {"007", 7},
  };
  for (const auto& [text, want] : cases) {
    int64_t v = -1;
    ASSERT_TRUE(parse_memory(text, &v)) << text;
    EXPECT_EQ(v, want) << text;
  }
}

TEST(ParseMemory, RejectsNegativesGarbageAndOverflow) {
  int64_t v = 0;
  for (std::string_view bad :
       {"", "-1", "-1kb", "+1", " 1", "1 ", "1kbb", "1t", "1.5mb", "kb", "abc",
        "9223372036854775808", "9999999999999999999999", "9000000000gb", "9223372036854775807k"}) {
    EXPECT_FALSE(parse_memory(bad, &v)) << "'" << bad << "'";
  }
  ASSERT_TRUE(parse_memory("9223372036854775807", &v));
  EXPECT_EQ(v, std::numeric_limits<int64_t>::max());
}

}  // namespace
}  // namespace stashd
