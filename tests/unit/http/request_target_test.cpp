// Tests parsing of /cache/{key} targets, query parameters, TTLs and Authorization headers.
#include "stashd/http/request_target.h"

#include <gtest/gtest.h>

#include <string>

namespace stashd::http {
namespace {

using namespace std::string_literals;

TEST(PercentDecode, DecodesEscapesAndLeavesEverythingElse) {
  EXPECT_EQ(percent_decode("a%2Fb%20c+d"), "a/b c+d");
  EXPECT_EQ(percent_decode("%00%ff%FF"), "\0\xff\xff"s);
  EXPECT_EQ(percent_decode(""), "");
}

TEST(PercentDecode, RejectsTruncatedOrNonHexEscapes) {
  EXPECT_EQ(percent_decode("%"), std::nullopt);
  EXPECT_EQ(percent_decode("ab%2"), std::nullopt);
  EXPECT_EQ(percent_decode("%zz"), std::nullopt);
  EXPECT_EQ(percent_decode("%2g"), std::nullopt);
}

TEST(SplitTarget, SeparatesPathAndQueryAtTheFirstQuestionMark) {
  SplitTarget t = split_target("/cache/k?ttl=5&x=?");
  EXPECT_EQ(t.path, "/cache/k");
  EXPECT_EQ(t.query, "ttl=5&x=?");
  EXPECT_EQ(split_target("/cache/k").query, "");
}

TEST(CacheKey, TakesTheDecodedRestOfThePath) {
  EXPECT_EQ(cache_key("/cache/user:1"), "user:1");
  EXPECT_EQ(cache_key("/cache/a%2Fb"), "a/b");
  EXPECT_EQ(cache_key("/cache/a/b"), "a/b");
  EXPECT_EQ(cache_key("/cache/%E2%82%AC%0A"), "\xe2\x82\xac\n");
}

TEST(CacheKey, RejectsOtherPathsEmptyKeysAndBadEncoding) {
  EXPECT_EQ(cache_key("/cache/"), std::nullopt);
  EXPECT_EQ(cache_key("/cache"), std::nullopt);
  EXPECT_EQ(cache_key("/metrics"), std::nullopt);
  EXPECT_EQ(cache_key("/cache/%x1"), std::nullopt);
}

TEST(QueryParam, FindsTheFirstValueDecoded) {
  EXPECT_EQ(query_param("a=1&ttl=30&ttl=40", "ttl"), "30");
  EXPECT_EQ(query_param("ttl=%33%30", "ttl"), "30");
  EXPECT_EQ(query_param("name=a+b", "name"), "a b");
  EXPECT_EQ(query_param("ttl", "ttl"), "");
  EXPECT_EQ(query_param("attl=1", "ttl"), std::nullopt);
  EXPECT_EQ(query_param("", "ttl"), std::nullopt);
  EXPECT_EQ(query_param("ttl=%zz", "ttl"), std::nullopt);
}

TEST(TtlSeconds, AcceptsPositiveDecimalIntegersOnly) {
  EXPECT_EQ(parse_ttl_seconds("1"), 1);
  EXPECT_EQ(parse_ttl_seconds("86400"), 86400);
  EXPECT_EQ(parse_ttl_seconds("0"), std::nullopt);
  EXPECT_EQ(parse_ttl_seconds("-5"), std::nullopt);
  EXPECT_EQ(parse_ttl_seconds("+5"), std::nullopt);
  EXPECT_EQ(parse_ttl_seconds("1.5"), std::nullopt);
  EXPECT_EQ(parse_ttl_seconds(" 5"), std::nullopt);
  EXPECT_EQ(parse_ttl_seconds(""), std::nullopt);
  EXPECT_EQ(parse_ttl_seconds("99999999999999999999"), std::nullopt);
  EXPECT_EQ(parse_ttl_seconds("9999999999"), std::nullopt);  // over 100 years
}

TEST(Base64, DecodesPaddedInput) {
  EXPECT_EQ(base64_decode("ZGVmYXVsdDpzZWNyZXQ="), "default:secret");
  EXPECT_EQ(base64_decode("YQ=="), "a");
  EXPECT_EQ(base64_decode("YWI="), "ab");
  EXPECT_EQ(base64_decode("YWJj"), "abc");
  EXPECT_EQ(base64_decode(""), "");
}

TEST(Base64, RejectsMalformedInput) {
  EXPECT_EQ(base64_decode("YWJ"), std::nullopt);
  EXPECT_EQ(base64_decode("Y==="), std::nullopt);
  EXPECT_EQ(base64_decode("YQ==YWJj"), std::nullopt);
  EXPECT_EQ(base64_decode("Y!Jj"), std::nullopt);
}

TEST(Authorization, ReadsBasicAndBearerCredentials) {
  auto basic = parse_authorization("Basic ZGVmYXVsdDpzZTpjcmV0");  // default:se:cret
  ASSERT_TRUE(basic);
  EXPECT_EQ(basic->user, "default");
  EXPECT_EQ(basic->password, "se:cret");
  auto lower = parse_authorization("basic OnB3");  // ":pw"
  ASSERT_TRUE(lower);
  EXPECT_EQ(lower->user, "");
  EXPECT_EQ(lower->password, "pw");
  auto bearer = parse_authorization("Bearer  s3cret ");
  ASSERT_TRUE(bearer);
  EXPECT_EQ(bearer->user, "");
  EXPECT_EQ(bearer->password, "s3cret");
}

TEST(Authorization, RejectsUnknownSchemesAndMalformedValues) {
  EXPECT_EQ(parse_authorization(""), std::nullopt);
  EXPECT_EQ(parse_authorization("Digest abc"), std::nullopt);
  EXPECT_EQ(parse_authorization("Basic !!!!"), std::nullopt);
  EXPECT_EQ(parse_authorization("Basic bm9jb2xvbg=="), std::nullopt);  // "nocolon"
  EXPECT_EQ(parse_authorization("Bearer "), std::nullopt);
  EXPECT_EQ(parse_authorization("Basicfoo"), std::nullopt);
}

}  // namespace
}  // namespace stashd::http
