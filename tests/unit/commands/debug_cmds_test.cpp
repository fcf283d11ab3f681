// Tests DEBUG in-process: SLEEP SET-ACTIVE-EXPIRE OBJECT DIGEST DIGEST-VALUE HELP and its
// subcommand errors.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "commands/harness.h"

namespace stashd::testing {
namespace {

const std::string kZeroDigest = "+0000000000000000000000000000000000000000\r\n";

class DebugCommands : public ::testing::Test {
 protected:
  // Keys stored directly get the keyspace's clock, which commands otherwise set.
  DebugCommands() { h.node().keyspace().set_now_ms(h.clock().now_ms()); }
  Db& db() { return h.node().keyspace().db(0); }
  CommandHarness h;
};

TEST_F(DebugCommands, SleepRepliesOkAndReadsGarbageAsZero) {
  EXPECT_EQ(h.run({"DEBUG", "SLEEP", "0"}), kOk);
  EXPECT_EQ(h.run({"DEBUG", "SLEEP", "0.001"}), kOk);
  EXPECT_EQ(h.run({"DEBUG", "SLEEP", "soon"}), kOk);
  EXPECT_EQ(h.run({"DEBUG", "SLEEP", "-3"}), kOk);
}

TEST_F(DebugCommands, SetActiveExpireTurnsBackgroundExpiryOffAndOn) {
  EXPECT_EQ(h.run({"DEBUG", "SET-ACTIVE-EXPIRE", "0"}), kOk);
  EXPECT_FALSE(h.config().active_expire_enabled);
  EXPECT_EQ(h.run({"DEBUG", "set-active-expire", "1"}), kOk);
  EXPECT_TRUE(h.config().active_expire_enabled);
}

TEST_F(DebugCommands, ObjectDescribesAShortString) {
  db().set_string("foo", "bar");
  std::string reply = h.run({"DEBUG", "OBJECT", "foo"});
  std::regex expected(
      "\\+Value at:0x[0-9a-f]+ refcount:1 encoding:embstr serializedlength:4 lru:\\d+ "
      "lru_seconds_idle:0\r\n");
  EXPECT_TRUE(std::regex_match(reply, expected)) << reply;
}

TEST_F(DebugCommands, ObjectReportsIntegersAndLongStringsAsRedisEncodesThem) {
  db().set_int("n", 12345);
  db().set_string("long", std::string(100, 'a'));
  EXPECT_NE(h.run({"DEBUG", "OBJECT", "n"}).find(" encoding:int serializedlength:3 "),
            std::string::npos);
  EXPECT_NE(h.run({"DEBUG", "OBJECT", "long"}).find(" encoding:raw serializedlength:102 "),
            std::string::npos);
}

TEST_F(DebugCommands, ObjectShowsIdleTimeWithoutTouchingTheKey) {
  db().set_string("foo", "bar");
  h.clock().advance_ms(10'000);
  EXPECT_NE(h.run({"DEBUG", "OBJECT", "foo"}).find(" lru_seconds_idle:10\r\n"), std::string::npos);
  EXPECT_NE(h.run({"DEBUG", "OBJECT", "foo"}).find(" lru_seconds_idle:10\r\n"), std::string::npos);
}

TEST_F(DebugCommands, ObjectOfAMissingKeyFails) {
  EXPECT_EQ(h.run({"DEBUG", "OBJECT", "nope"}), "-ERR no such key\r\n");
}

TEST_F(DebugCommands, DigestOfAnEmptyDatasetIsZeros) {
  EXPECT_EQ(h.run({"DEBUG", "DIGEST"}), kZeroDigest);
}

TEST_F(DebugCommands, DigestIsFortyHexDigitsThatFollowTheData) {
  db().set_string("a", "1");
  std::string first = h.run({"DEBUG", "DIGEST"});
  EXPECT_TRUE(std::regex_match(first, std::regex("\\+[0-9a-f]{40}\r\n"))) << first;
  EXPECT_NE(first, kZeroDigest);
  db().set_string("a", "2");
  EXPECT_NE(h.run({"DEBUG", "DIGEST"}), first);
  db().set_string("a", "1");
  EXPECT_EQ(h.run({"DEBUG", "DIGEST"}), first);
}

TEST_F(DebugCommands, DigestValueRepliesOneDigestPerKeyAndZerosForMissingKeys) {
  db().set_string("a", "same");
  db().set_string("b", "same");
  std::string reply = h.run({"DEBUG", "DIGEST-VALUE", "a", "b", "nope"});
  ASSERT_EQ(reply.size(), 4 + 3 * 43u);
  std::string a = reply.substr(4, 43);
  EXPECT_EQ(reply.substr(4 + 43, 43), a);
  EXPECT_NE(a, kZeroDigest);
  EXPECT_EQ(reply.substr(4 + 2 * 43), kZeroDigest);
  EXPECT_EQ(h.run({"DEBUG", "DIGEST-VALUE"}), "*0\r\n");
}

TEST_F(DebugCommands, UnknownSubcommandsAndWrongArityNameTheSubcommand) {
  EXPECT_EQ(h.run({"DEBUG", "bogus"}),
            "-ERR unknown subcommand or wrong number of arguments for 'bogus'. Try DEBUG "
            "HELP.\r\n");
  EXPECT_EQ(h.run({"DEBUG", "DIGEST", "x"}),
            "-ERR unknown subcommand or wrong number of arguments for 'DIGEST'. Try DEBUG "
            "HELP.\r\n");
  EXPECT_EQ(h.run({"DEBUG"}), "-ERR wrong number of arguments for 'debug' command\r\n");
}

TEST_F(DebugCommands, HelpListsTheSubcommands) {
  std::string reply = h.run({"debug", "help"});
  EXPECT_EQ(reply.rfind("*20\r\n+DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
                        "\r\n+DIGEST\r\n",
                        0),
            0u);
}

}  // namespace
}  // namespace stashd::testing

namespace stashd::testing {
namespace {

TEST(DebugProtocol, RepliesEachResp3TypeAndItsResp2Downgrade) {
  CommandHarness h;
  EXPECT_EQ(h.run({"DEBUG", "PROTOCOL", "double"}), bulk("3.141"));
  EXPECT_EQ(h.run({"DEBUG", "PROTOCOL", "push"}), "-ERR RESP2 is not supported by this command\r\n");
  h.hello3();
  EXPECT_EQ(h.run({"DEBUG", "PROTOCOL", "double"}), ",3.141\r\n");
  EXPECT_EQ(h.run({"DEBUG", "PROTOCOL", "map"}), "%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n");
  EXPECT_EQ(h.run({"DEBUG", "PROTOCOL", "null"}), "_\r\n");
  EXPECT_EQ(h.run({"DEBUG", "PROTOCOL", "nope"}).substr(0, 36), "-ERR Wrong protocol type name. Pleas");
}

}  // namespace
}  // namespace stashd::testing
