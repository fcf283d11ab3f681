// Owns: unit tests for resp::ReplyWriter (every reply type in RESP2 and RESP3, the RESP2 downgrades
// and error-code rules). Must not touch: other modules. Thread: the test runner's main thread.
#include "stashd/resp/writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>

namespace stashd::resp {
namespace {

std::string write(int protocol, const std::function<void(ReplyWriter&)>& emit) {
  std::string out;
  ReplyWriter writer(&out, protocol);
  emit(writer);
  return out;
}

std::string resp2(const std::function<void(ReplyWriter&)>& emit) { return write(2, emit); }
std::string resp3(const std::function<void(ReplyWriter&)>& emit) { return write(3, emit); }

constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(ReplyWriter, WritesSimpleStringsAndOk) {
  for (int protocol : {2, 3}) {
    EXPECT_EQ(write(protocol, [](ReplyWriter& w) { w.ok(); }), "+OK\r\n");
    EXPECT_EQ(write(protocol, [](ReplyWriter& w) { w.simple("PONG"); }), "+PONG\r\n");
  }
}

TEST(ReplyWriter, WritesIntegersOfEveryMagnitude) {
  for (int protocol : {2, 3}) {
    EXPECT_EQ(write(protocol, [](ReplyWriter& w) { w.integer(0); }), ":0\r\n");
    EXPECT_EQ(write(protocol, [](ReplyWriter& w) { w.integer(-42); }), ":-42\r\n");
    EXPECT_EQ(write(protocol, [](ReplyWriter& w) { w.integer(INT64_MAX); }),
              ":9223372036854775807\r\n");
    EXPECT_EQ(write(protocol, [](ReplyWriter& w) { w.integer(INT64_MIN); }),
              ":-9223372036854775808\r\n");
  }
}

TEST(ReplyWriter, WritesBinarySafeBulkStrings) {
  for (int protocol : {2, 3}) {
    EXPECT_EQ(write(protocol, [](ReplyWriter& w) { w.bulk("hello"); }), "$5\r\nhello\r\n");
    EXPECT_EQ(write(protocol, [](ReplyWriter& w) { w.bulk(""); }), "$0\r\n\r\n");
    EXPECT_EQ(write(protocol, [](ReplyWriter& w) { w.bulk(std::string_view("a\r\n\0", 4)); }),
              std::string("$4\r\na\r\n\0\r\n", 10));
  }
}

TEST(ReplyWriter, WritesNullsPerProtocol) {
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.null(); }), "$-1\r\n");
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.null_array(); }), "*-1\r\n");
  EXPECT_EQ(resp3([](ReplyWriter& w) { w.null(); }), "_\r\n");
  EXPECT_EQ(resp3([](ReplyWriter& w) { w.null_array(); }), "_\r\n");
}

TEST(ReplyWriter, WritesAggregateHeadersPerProtocol) {
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.array(3); }), "*3\r\n");
  EXPECT_EQ(resp3([](ReplyWriter& w) { w.array(3); }), "*3\r\n");
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.array(0); }), "*0\r\n");
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.map(2); }), "*4\r\n");
  EXPECT_EQ(resp3([](ReplyWriter& w) { w.map(2); }), "%2\r\n");
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.set(5); }), "*5\r\n");
  EXPECT_EQ(resp3([](ReplyWriter& w) { w.set(5); }), "~5\r\n");
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.push(3); }), "*3\r\n");
  EXPECT_EQ(resp3([](ReplyWriter& w) { w.push(3); }), ">3\r\n");
}

TEST(ReplyWriter, WritesMapAsFlatArrayInResp2) {
  const auto emit = [](ReplyWriter& w) {
    w.map(1);
    w.bulk("field");
    w.integer(7);
  };
  EXPECT_EQ(resp2(emit), "*2\r\n$5\r\nfield\r\n:7\r\n");
  EXPECT_EQ(resp3(emit), "%1\r\n$5\r\nfield\r\n:7\r\n");
}

TEST(ReplyWriter, WritesDoublesAsBulkStringsInResp2) {
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.double_value(1.0); }), "$1\r\n1\r\n");
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.double_value(1.5); }), "$3\r\n1.5\r\n");
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.double_value(0.1); }), "$19\r\n0.10000000000000001\r\n");
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.double_value(-2.5e-300); }), "$9\r\n-2.5e-300\r\n");
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.double_value(1e17); }), "$5\r\n1e+17\r\n");
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.double_value(kInf); }), "$3\r\ninf\r\n");
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.double_value(-kInf); }), "$4\r\n-inf\r\n");
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.double_value(std::nan("")); }), "$3\r\nnan\r\n");
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.double_value(-0.0); }), "$2\r\n-0\r\n");
}

TEST(ReplyWriter, WritesDoublesNativelyInResp3) {
  EXPECT_EQ(resp3([](ReplyWriter& w) { w.double_value(1.0); }), ",1\r\n");
  EXPECT_EQ(resp3([](ReplyWriter& w) { w.double_value(-3.25); }), ",-3.25\r\n");
  EXPECT_EQ(resp3([](ReplyWriter& w) { w.double_value(1e300); }), ",1.0000000000000001e+300\r\n");
  EXPECT_EQ(resp3([](ReplyWriter& w) { w.double_value(kInf); }), ",inf\r\n");
  EXPECT_EQ(resp3([](ReplyWriter& w) { w.double_value(-kInf); }), ",-inf\r\n");
  EXPECT_EQ(resp3([](ReplyWriter& w) { w.double_value(std::nan("")); }), ",nan\r\n");
}

TEST(ReplyWriter, WritesBooleansPerProtocol) {
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.boolean(true); }), ":1\r\n");
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.boolean(false); }), ":0\r\n");
  EXPECT_EQ(resp3([](ReplyWriter& w) { w.boolean(true); }), "#t\r\n");
  EXPECT_EQ(resp3([](ReplyWriter& w) { w.boolean(false); }), "#f\r\n");
}

TEST(ReplyWriter, WritesVerbatimStringsPerProtocol) {
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.verbatim("hi\r\nthere"); }), "$9\r\nhi\r\nthere\r\n");
  EXPECT_EQ(resp3([](ReplyWriter& w) { w.verbatim("hi\r\nthere"); }), "=13\r\ntxt:hi\r\nthere\r\n");
  EXPECT_EQ(resp3([](ReplyWriter& w) { w.verbatim("# x", "mkd"); }), "=7\r\nmkd:# x\r\n");
  EXPECT_EQ(resp3([](ReplyWriter& w) { w.verbatim("", "bogus"); }), "=4\r\ntxt:\r\n");
}

TEST(ReplyWriter, WritesBigNumbersPerProtocol) {
  const std::string digits = "3492890328409238509324850943850943825024385";
  EXPECT_EQ(resp2([&](ReplyWriter& w) { w.big_number(digits); }), "$43\r\n" + digits + "\r\n");
  EXPECT_EQ(resp3([&](ReplyWriter& w) { w.big_number(digits); }), "(" + digits + "\r\n");
}

TEST(ReplyWriter, KeepsErrorsThatCarryACode) {
  for (int protocol : {2, 3}) {
    EXPECT_EQ(write(protocol, [](ReplyWriter& w) { w.error("ERR syntax error"); }),
              "-ERR syntax error\r\n");
    EXPECT_EQ(write(protocol,
                    [](ReplyWriter& w) {
                      w.error("WRONGTYPE Operation against a key holding the wrong kind of value");
                    }),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(write(protocol, [](ReplyWriter& w) { w.error("MOVED 3999 127.0.0.1:6381"); }),
              "-MOVED 3999 127.0.0.1:6381\r\n");
  }
}

TEST(ReplyWriter, PrefixesErrErrorsWithoutACode) {
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.error("Protocol error: invalid bulk length"); }),
            "-ERR Protocol error: invalid bulk length\r\n");
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.error("unknown command 'foo'"); }),
            "-ERR unknown command 'foo'\r\n");
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.error("NOSPACE"); }), "-ERR NOSPACE\r\n");
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.error(" ERR x"); }), "-ERR  ERR x\r\n");
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.error(""); }), "-ERR \r\n");
}

TEST(ReplyWriter, AcceptsErrorsWrittenWithTheirLeadingDash) {
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.error("-NOAUTH Authentication required."); }),
            "-NOAUTH Authentication required.\r\n");
}

TEST(ReplyWriter, ReplacesLineBreaksInErrors) {
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.error("ERR bad\r\nthing\nhere"); }),
            "-ERR bad  thing here\r\n");
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.error("Protocol error: expected '$', got '\r'"); }),
            "-ERR Protocol error: expected '$', got ' '\r\n");
  // Like Redis's formatted errors, line breaks at the ends are trimmed rather than replaced.
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.error("ERR trailing\r\n"); }), "-ERR trailing\r\n");
}

TEST(ReplyWriter, AppendsToTheExistingBufferAndCanSwitchProtocolAndBuffer) {
  std::string first = "prefix:";
  ReplyWriter w(&first, 2);
  w.null();
  EXPECT_EQ(first, "prefix:$-1\r\n");
  w.set_protocol(3);
  EXPECT_EQ(w.protocol(), 3);
  w.null();
  EXPECT_EQ(first, "prefix:$-1\r\n_\r\n");
  std::string second;
  w.set_buffer(&second);
  EXPECT_EQ(w.buffer(), &second);
  w.raw("+RAW\r\n");
  w.integer(1);
  EXPECT_EQ(second, "+RAW\r\n:1\r\n");
}

TEST(ReplyWriter, WritesANestedReplyLikeHgetall) {
  const auto emit = [](ReplyWriter& w) {
    w.map(2);
    w.bulk("a");
    w.bulk("1");
    w.bulk("b");
    w.null();
  };
  EXPECT_EQ(resp2(emit), "*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$-1\r\n");
  EXPECT_EQ(resp3(emit), "%2\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n_\r\n");
}

}  // namespace
}  // namespace stashd::resp
