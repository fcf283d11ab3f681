// Tests the SCAN family's shared arguments: Redis's cursor reading, and MATCH "" matching only the
// empty element in every SCAN variant (regression: it used to match everything).
#include "commands/scan_args.h"

#include <gtest/gtest.h>

#include "commands/harness.h"

namespace stashd::testing {
namespace {

TEST(ScanArgs, ReadsCursorsAsStrtoulDoes) {
  uint64_t c = 7;
  EXPECT_TRUE(scan_args::parse_cursor("", &c));
  EXPECT_EQ(c, 0u);
  EXPECT_TRUE(scan_args::parse_cursor("-1", &c));
  EXPECT_EQ(c, UINT64_MAX);
  EXPECT_TRUE(scan_args::parse_cursor("+42", &c));
  EXPECT_EQ(c, 42u);
  EXPECT_FALSE(scan_args::parse_cursor(" 1", &c));
  EXPECT_FALSE(scan_args::parse_cursor("18446744073709551616", &c));
  EXPECT_FALSE(scan_args::parse_cursor("-", &c));
}

TEST(ScanArgs, EmptyMatchPatternMatchesOnlyTheEmptyElement) {
  CommandHarness h;
  h.run({"HSET", "h", "", "1", "f", "2"});
  h.run({"SADD", "s", "", "m"});
  h.run({"ZADD", "z", "1", "", "2", "m"});
  EXPECT_EQ(h.run({"HSCAN", "h", "0", "MATCH", ""}), "*2\r\n$1\r\n0\r\n*2\r\n$0\r\n\r\n$1\r\n1\r\n");
  EXPECT_EQ(h.run({"SSCAN", "s", "0", "MATCH", ""}), "*2\r\n$1\r\n0\r\n*1\r\n$0\r\n\r\n");
  EXPECT_EQ(h.run({"ZSCAN", "z", "0", "MATCH", ""}), "*2\r\n$1\r\n0\r\n*2\r\n$0\r\n\r\n$1\r\n1\r\n");
  EXPECT_EQ(h.run({"SSCAN", "s", "0", "COUNT", "0"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"SSCAN", "s", "x"}), "-ERR invalid cursor\r\n");
}

}  // namespace
}  // namespace stashd::testing
