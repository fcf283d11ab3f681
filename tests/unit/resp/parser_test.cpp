// Owns: unit tests for resp::RequestParser (framing, incremental parsing, limits, Redis error
// strings, inline quoting). Must not touch: other modules. Thread: the test runner's main thread.
//
// This file replaces the global operator new/delete of the unit_resp binary with a malloc-based
// pair that records the largest single allocation, to prove that claimed lengths are not
// preallocated. Nothing else in the binary depends on the allocator.
#include "stashd/resp/parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <new>
#include <random>
#include <string>
#include <vector>

namespace {
std::atomic<size_t> g_largest_allocation{0};

void* counted_alloc(size_t n) {
  size_t prev = g_largest_allocation.load(std::memory_order_relaxed);
  while (n > prev && !g_largest_allocation.compare_exchange_weak(prev, n)) {
  }
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
}  // namespace

void* operator new(size_t n) { return counted_alloc(n); }
void* operator new[](size_t n) { return counted_alloc(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }

namespace stashd::resp {
namespace {

using Args = std::vector<std::string>;

Args args_of(const RequestParser& parser) {
  Args out;
  for (std::string_view a : parser.args()) out.emplace_back(a);
  return out;
}

// Parses `request` (exactly one request) after first offering every proper prefix of it: once as
// a two-way split at each position with a fresh parser, once growing a byte at a time, each time
// in a freshly allocated copy so that the parser cannot rely on the bytes staying in place.
void expect_parses_split_everywhere(std::string_view request, const Args& want) {
  for (size_t split = 0; split < request.size(); ++split) {
    RequestParser parser;
    ASSERT_EQ(parser.parse(request.substr(0, split)), ParseStatus::kNeedMore) << "split " << split;
    const std::string full(request);
    ASSERT_EQ(parser.parse(full), ParseStatus::kCommand) << "split " << split;
    EXPECT_EQ(args_of(parser), want) << "split " << split;
    EXPECT_EQ(parser.consumed(), request.size()) << "split " << split;
  }
  RequestParser parser;
  for (size_t n = 1; n <= request.size(); ++n) {
    const std::string copy(request.substr(0, n));
    const ParseStatus status = parser.parse(copy);
    if (n < request.size()) {
      ASSERT_EQ(status, ParseStatus::kNeedMore) << "after " << n << " bytes";
    } else {
      ASSERT_EQ(status, ParseStatus::kCommand);
      EXPECT_EQ(args_of(parser), want);
      EXPECT_EQ(parser.consumed(), request.size());
    }
  }
}

std::string parse_error(std::string_view data, ParseLimits limits = {}) {
  RequestParser parser(limits);
  const ParseStatus status = parser.parse(data);
  EXPECT_EQ(status, ParseStatus::kError) << "input: " << data;
  return parser.error();
}

TEST(RequestParser, ParsesMultibulkCommand) {
  RequestParser parser;
  const std::string data = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n";
  ASSERT_EQ(parser.parse(data), ParseStatus::kCommand);
  EXPECT_EQ(args_of(parser), (Args{"SET", "key", "value"}));
  EXPECT_EQ(parser.consumed(), data.size());
  EXPECT_TRUE(parser.error().empty());
}

TEST(RequestParser, PointsMultibulkArgsIntoTheCallersBuffer) {
  RequestParser parser;
  const std::string data = "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n";
  ASSERT_EQ(parser.parse(data), ParseStatus::kCommand);
  ASSERT_EQ(parser.args().size(), 2u);
  EXPECT_EQ(parser.args()[0].data(), data.data() + 8);
  EXPECT_EQ(parser.args()[1].data(), data.data() + 17);
}

TEST(RequestParser, ParsesCommandSplitAtEveryByte) {
  expect_parses_split_everywhere(
      "*3\r\n$3\r\nSET\r\n$10\r\nkey:000001\r\n$12\r\nhello\r\nworld\r\n",
      {"SET", "key:000001", "hello\r\nworld"});
}

TEST(RequestParser, ParsesInlineCommandSplitAtEveryByte) {
  expect_parses_split_everywhere("SET \"a b\" 'c d' \"\\x41\\n\" plain\r\n",
                                 {"SET", "a b", "c d", "A\n", "plain"});
  expect_parses_split_everywhere("PING\n", {"PING"});
}

TEST(RequestParser, ParsesBinarySafeBulks) {
  const std::string payload("a\r\nb\0c\r\n\0", 9);
  const std::string data = "*2\r\n$3\r\nSET\r\n$9\r\n" + payload + "\r\n";
  expect_parses_split_everywhere(data, {"SET", payload});
}

TEST(RequestParser, ParsesEmptyBulk) {
  expect_parses_split_everywhere("*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", {"ECHO", ""});
}

TEST(RequestParser, ParsesPipelinedCommandsOneAtATime) {
  const std::string first = "*2\r\n$3\r\nGET\r\n$1\r\na\r\n";
  const std::string second = "PING\r\n";
  const std::string third = "*0\r\n";
  const std::string fourth = "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\nc\r\n";
  const std::string partial = "*1\r\n$4\r\nPI";
  std::string buffer = first + second + third + fourth + partial;

  RequestParser parser;
  std::vector<Args> seen;
  std::vector<size_t> consumed;
  while (parser.parse(buffer) == ParseStatus::kCommand) {
    seen.push_back(args_of(parser));
    consumed.push_back(parser.consumed());
    buffer.erase(0, parser.consumed());
  }
  EXPECT_EQ(seen, (std::vector<Args>{{"GET", "a"}, {"PING"}, {}, {"SET", "b", "c"}}));
  EXPECT_EQ(consumed,
            (std::vector<size_t>{first.size(), second.size(), third.size(), fourth.size()}));
  EXPECT_EQ(buffer, partial);
  buffer += "NG\r\n";
  ASSERT_EQ(parser.parse(buffer), ParseStatus::kCommand);
  EXPECT_EQ(args_of(parser), (Args{"PING"}));
}

TEST(RequestParser, ConsumesEmptyMultibulkAsCommandWithoutArgs) {
  for (std::string_view data : {"*0\r\n", "*-1\r\n", "*-5\r\n"}) {
    RequestParser parser;
    ASSERT_EQ(parser.parse(data), ParseStatus::kCommand) << data;
    EXPECT_TRUE(parser.args().empty());
    EXPECT_EQ(parser.consumed(), data.size());
  }
  expect_parses_split_everywhere("*0\r\n", {});
}

TEST(RequestParser, ConsumesEmptyInlineLineAsCommandWithoutArgs) {
  for (std::string_view data : {"\r\n", "\n", "   \t \r\n", "\r\r\n"}) {
    RequestParser parser;
    ASSERT_EQ(parser.parse(data), ParseStatus::kCommand);
    EXPECT_TRUE(parser.args().empty());
    EXPECT_EQ(parser.consumed(), data.size());
  }
}

TEST(RequestParser, ResumesFromSavedOffsetsInsteadOfRescanning) {
  RequestParser parser;
  ASSERT_EQ(parser.parse("*2\r\n$3\r\nGET\r\n$5\r\nhel"), ParseStatus::kNeedMore);
  // Overwrite the already-parsed bytes: a parser that re-read them would now fail.
  const std::string rest = "*" + std::string(19, '#') + "lo\r\n";
  ASSERT_EQ(parser.parse(rest), ParseStatus::kCommand);
  EXPECT_EQ(args_of(parser), (Args{"###", "###lo"}));
}

TEST(RequestParser, ReportsRemainingBulkBytesAsHint) {
  RequestParser parser;
  std::string data = "*2\r\n$3\r\nSET\r\n$100\r\n";
  ASSERT_EQ(parser.parse(data), ParseStatus::kNeedMore);
  EXPECT_EQ(parser.bytes_hint(), 102u);
  data += std::string(40, 'x');
  ASSERT_EQ(parser.parse(data), ParseStatus::kNeedMore);
  EXPECT_EQ(parser.bytes_hint(), 62u);
  data += std::string(60, 'x') + "\r\n";
  ASSERT_EQ(parser.parse(data), ParseStatus::kCommand);
  EXPECT_EQ(parser.bytes_hint(), 0u);
  ASSERT_EQ(parser.parse("*1\r\n$4"), ParseStatus::kNeedMore);
  EXPECT_EQ(parser.bytes_hint(), 0u);
}

TEST(RequestParser, DoesNotAllocateForAHugeClaimedBulk) {
  ParseLimits limits;
  limits.max_bulk_len = 4LL * 1024 * 1024 * 1024;
  RequestParser parser(limits);
  std::string data = "*2\r\n$3\r\nSET\r\n$2000000000\r\n" + std::string(1000, 'x');
  g_largest_allocation = 0;
  ASSERT_EQ(parser.parse(data), ParseStatus::kNeedMore);
  data += std::string(1000, 'y');
  ASSERT_EQ(parser.parse(data), ParseStatus::kNeedMore);
  EXPECT_LT(g_largest_allocation.load(), 64u * 1024);
  EXPECT_EQ(parser.bytes_hint(), 2000000002u - 2000);
}

TEST(RequestParser, DoesNotAllocateForAHugeClaimedArgumentCount) {
  RequestParser parser;
  g_largest_allocation = 0;
  ASSERT_EQ(parser.parse("*1048576\r\n$1\r\na\r\n"), ParseStatus::kNeedMore);
  EXPECT_LT(g_largest_allocation.load(), 64u * 1024);
}

TEST(RequestParser, RejectsInvalidMultibulkLength) {
  for (std::string_view data : {"*abc\r\n", "*\r\n", "*+1\r\n", "*01\r\n", "*1x\r\n", "*1 \r\n",
                                "*1048577\r\n", "*99999999999999999999\r\n", "*1\rx"}) {
    EXPECT_EQ(parse_error(data), "Protocol error: invalid multibulk length") << data;
  }
}

TEST(RequestParser, RejectsArgumentCountAboveTheLimit) {
  ParseLimits limits;
  limits.max_multibulk_len = 2;
  EXPECT_EQ(parse_error("*3\r\n", limits), "Protocol error: invalid multibulk length");
  RequestParser parser(limits);
  EXPECT_EQ(parser.parse("*2\r\n$1\r\na\r\n$1\r\nb\r\n"), ParseStatus::kCommand);
}

TEST(RequestParser, RejectsBulkWithoutDollarNamingTheByteFound) {
  EXPECT_EQ(parse_error("*1\r\n:3\r\n"), "Protocol error: expected '$', got ':'");
  EXPECT_EQ(parse_error("*2\r\n$1\r\na\r\nfoo\r\n"), "Protocol error: expected '$', got 'f'");
  EXPECT_EQ(parse_error("*1\r\n\r\n"), "Protocol error: expected '$', got ' '");
}

TEST(RequestParser, WaitsForTheWholeLineBeforeCheckingForDollar) {
  // Like Redis, the '$' check happens once the header line is complete.
  RequestParser parser;
  EXPECT_EQ(parser.parse("*1\r\nx"), ParseStatus::kNeedMore);
  EXPECT_EQ(parser.parse("*1\r\nxy\r"), ParseStatus::kNeedMore);
  EXPECT_EQ(parser.parse("*1\r\nxy\r\n"), ParseStatus::kError);
  EXPECT_EQ(parser.error(), "Protocol error: expected '$', got 'x'");
}

TEST(RequestParser, RejectsInvalidBulkLength) {
  for (std::string_view data : {"*1\r\n$-1\r\n", "*1\r\n$abc\r\n", "*1\r\n$\r\n", "*1\r\n$+1\r\n",
                                "*1\r\n$01\r\n", "*1\r\n$536870913\r\n", "*1\r\n$1\rx"}) {
    EXPECT_EQ(parse_error(data), "Protocol error: invalid bulk length") << data;
  }
}

TEST(RequestParser, RejectsBulkLengthAboveTheLimit) {
  ParseLimits limits;
  limits.max_bulk_len = 3;
  EXPECT_EQ(parse_error("*1\r\n$4\r\n", limits), "Protocol error: invalid bulk length");
  RequestParser parser(limits);
  EXPECT_EQ(parser.parse("*1\r\n$3\r\nabc\r\n"), ParseStatus::kCommand);
  parser.set_limits({});
  EXPECT_EQ(parser.parse("*1\r\n$4\r\nabcd\r\n"), ParseStatus::kCommand);
}

TEST(RequestParser, RejectsBulkNotFollowedByCrlfAsInvalidBulkLength) {
  for (std::string_view data : {"*1\r\n$3\r\nfooXY", "*1\r\n$3\r\nfoo\rX", "*1\r\n$3\r\nfoo\n\r"}) {
    EXPECT_EQ(parse_error(data), "Protocol error: invalid bulk length") << data;
  }
}

TEST(RequestParser, RejectsTooBigMultibulkCountString) {
  ParseLimits limits;
  limits.max_inline_len = 16;
  RequestParser parser(limits);
  const std::string at_limit = "*" + std::string(15, '1');
  EXPECT_EQ(parser.parse(at_limit), ParseStatus::kNeedMore);
  EXPECT_EQ(parser.parse(at_limit + "1"), ParseStatus::kError);
  EXPECT_EQ(parser.error(), "Protocol error: too big mbulk count string");
}

TEST(RequestParser, RejectsTooBigMultibulkCountStringAtTheDefault64KB) {
  EXPECT_EQ(parse_error("*" + std::string(64 * 1024, '1')),
            "Protocol error: too big mbulk count string");
}

TEST(RequestParser, RejectsTooBigBulkCountString) {
  ParseLimits limits;
  limits.max_inline_len = 16;
  RequestParser parser(limits);
  const std::string head = "*2\r\n$1\r\na\r\n";
  const std::string at_limit = head + "$" + std::string(15, '1');
  EXPECT_EQ(parser.parse(at_limit), ParseStatus::kNeedMore);
  EXPECT_EQ(parser.parse(at_limit + "1"), ParseStatus::kError);
  EXPECT_EQ(parser.error(), "Protocol error: too big bulk count string");
  EXPECT_EQ(parse_error("*1\r\n$" + std::string(64 * 1024, '1')),
            "Protocol error: too big bulk count string");
}

TEST(RequestParser, RejectsUnbalancedQuotesInInlineRequests) {
  for (std::string_view data : {"SET \"a b\r\n", "SET 'a\n", "SET \"a\"b\n", "SET 'a'b\n",
                                "SET \"a\\\"\n", "\"\n", "'\r\n"}) {
    EXPECT_EQ(parse_error(data), "Protocol error: unbalanced quotes in request") << data;
  }
}

TEST(RequestParser, RejectsTooBigInlineRequest) {
  ParseLimits limits;
  limits.max_inline_len = 10;
  RequestParser parser(limits);
  EXPECT_EQ(parser.parse("GET abcdef"), ParseStatus::kNeedMore);
  EXPECT_EQ(parser.parse("GET abcdefg"), ParseStatus::kError);
  EXPECT_EQ(parser.error(), "Protocol error: too big inline request");
  EXPECT_EQ(parse_error(std::string(64 * 1024 + 1, 'a')), "Protocol error: too big inline request");
}

TEST(RequestParser, AcceptsLongInlineLineThatArrivesWithItsNewline) {
  // Redis only limits inline requests still waiting for their newline.
  ParseLimits limits;
  limits.max_inline_len = 10;
  RequestParser parser(limits);
  ASSERT_EQ(parser.parse("ECHO abcdefghijklmnop\r\n"), ParseStatus::kCommand);
  EXPECT_EQ(args_of(parser), (Args{"ECHO", "abcdefghijklmnop"}));
}

TEST(RequestParser, KeepsReportingErrorUntilReset) {
  RequestParser parser;
  ASSERT_EQ(parser.parse("*x\r\n"), ParseStatus::kError);
  EXPECT_EQ(parser.parse("PING\r\n"), ParseStatus::kError);
  EXPECT_EQ(parser.consumed(), 0u);
  parser.reset();
  EXPECT_TRUE(parser.error().empty());
  ASSERT_EQ(parser.parse("PING\r\n"), ParseStatus::kCommand);
  EXPECT_EQ(args_of(parser), (Args{"PING"}));
}

TEST(RequestParser, ResetDiscardsAPartialRequest) {
  RequestParser parser;
  ASSERT_EQ(parser.parse("*2\r\n$3\r\nGET\r\n$5\r\nab"), ParseStatus::kNeedMore);
  parser.reset();
  ASSERT_EQ(parser.parse("*1\r\n$4\r\nPING\r\n"), ParseStatus::kCommand);
  EXPECT_EQ(args_of(parser), (Args{"PING"}));
}

struct InlineCase {
  std::string line;
  Args want;
};

TEST(RequestParser, SplitsInlineArgumentsLikeRedis) {
  const InlineCase cases[] = {
      {"PING\r\n", {"PING"}},
      {"  SET   a\t b  \r\n", {"SET", "a", "b"}},
      {"SET \"hello world\" x\n", {"SET", "hello world", "x"}},
      {"ECHO \"a\\nb\\r\\t\\b\\a\\\\\\\"c\"\n", {"ECHO", "a\nb\r\t\b\a\\\"c"}},
      {"ECHO \"\\x41\\x4a\\x4A\"\n", {"ECHO", "AJJ"}},
      {"ECHO \"\\xZZ\\x4\"\n", {"ECHO", "xZZx4"}},
      {"ECHO \"\\q\"\n", {"ECHO", "q"}},
      {"ECHO 'it\\'s'\n", {"ECHO", "it's"}},
      {"ECHO 'a\\nb\\\\ c'\n", {"ECHO", "a\\nb\\\\ c"}},
      {"ECHO 'say \"hi\"'\n", {"ECHO", "say \"hi\""}},
      {"ECHO \"it's\"\n", {"ECHO", "it's"}},
      {"ECHO a\"b c\"\n", {"ECHO", "ab c"}},
      {"ECHO \"\" ''\n", {"ECHO", "", ""}},
      {"ECHO \"a\"\tb\n", {"ECHO", "a", "b"}},
      {"a\rb\n", {"a", "b"}},
      {"a\vb\n", {"a\vb"}},
      {"\va\n", {"a"}},
      {"a\\nb\n", {"a\\nb"}},
      {std::string("a\0b c\n", 6), {std::string("a\0b", 3), "c"}},
  };
  for (const InlineCase& c : cases) {
    RequestParser parser;
    ASSERT_EQ(parser.parse(c.line), ParseStatus::kCommand) << c.line;
    EXPECT_EQ(args_of(parser), c.want) << c.line;
    EXPECT_EQ(parser.consumed(), c.line.size()) << c.line;
  }
}

TEST(RequestParser, KeepsInlineArgsValidAfterTheBufferIsDropped) {
  RequestParser parser;
  std::string data = "SET k1 v1 k2 v2 k3 v3 k4 v4 k5 v5 a-rather-long-argument-beyond-sso\r\n";
  ASSERT_EQ(parser.parse(data), ParseStatus::kCommand);
  data.assign(data.size(), '#');
  const Args want = {"SET", "k1", "v1", "k2", "v2", "k3",
                     "v3",  "k4", "v4", "k5", "v5", "a-rather-long-argument-beyond-sso"};
  EXPECT_EQ(args_of(parser), want);
  ASSERT_EQ(parser.parse("GET x\r\n"), ParseStatus::kCommand);
  EXPECT_EQ(args_of(parser), (Args{"GET", "x"}));
}

TEST(RequestParser, ParsesRandomPipelinesDeliveredInRandomChunks) {
  std::mt19937 rng(12345);
  for (int round = 0; round < 200; ++round) {
    std::vector<Args> want;
    std::string stream;
    const int commands = 1 + static_cast<int>(rng() % 8);
    for (int c = 0; c < commands; ++c) {
      Args args;
      const int argc = static_cast<int>(rng() % 5);
      for (int a = 0; a < argc; ++a) {
        std::string arg(rng() % 40, '\0');
        for (char& ch : arg) ch = static_cast<char>(rng() % 256);
        args.push_back(arg);
      }
      stream += "*" + std::to_string(args.size()) + "\r\n";
      for (const std::string& a : args)
        stream += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
      want.push_back(args);
    }
    RequestParser parser;
    std::vector<Args> seen;
    std::string buffer;
    size_t fed = 0;
    while (fed < stream.size()) {
      const size_t chunk = std::min(stream.size() - fed, static_cast<size_t>(1 + rng() % 16));
      buffer.append(stream, fed, chunk);
      fed += chunk;
      ParseStatus status;
      while ((status = parser.parse(buffer)) == ParseStatus::kCommand) {
        seen.push_back(args_of(parser));
        buffer.erase(0, parser.consumed());
      }
      ASSERT_EQ(status, ParseStatus::kNeedMore);
    }
    EXPECT_EQ(seen, want) << "round " << round;
    EXPECT_TRUE(buffer.empty());
  }
}

TEST(RequestParser, ParsesManyArgumentsBeyondThePreallocation) {
  std::string data = "*3000\r\n";
  Args want;
  for (int i = 0; i < 3000; ++i) {
    want.push_back(std::to_string(i));
    data += "$" + std::to_string(want.back().size()) + "\r\n" + want.back() + "\r\n";
  }
  RequestParser parser;
  ASSERT_EQ(parser.parse(data), ParseStatus::kCommand);
  EXPECT_EQ(args_of(parser), want);
  ASSERT_EQ(parser.parse("*1\r\n$1\r\nx\r\n"), ParseStatus::kCommand);
  EXPECT_EQ(args_of(parser), (Args{"x"}));
}

}  // namespace
}  // namespace stashd::resp

namespace stashd::resp {
namespace {

TEST(RequestParser, UnauthenticatedClientsGetSmallFrameLimits) {
  ParseLimits limits;
  limits.unauthenticated = true;
  RequestParser p(limits);
  EXPECT_EQ(p.parse("*11\r\n"), ParseStatus::kError);
  EXPECT_EQ(p.error(), "Protocol error: unauthenticated multibulk length");
  RequestParser q(limits);
  EXPECT_EQ(q.parse("*2\r\n$3\r\nGET\r\n$16385\r\n"), ParseStatus::kError);
  EXPECT_EQ(q.error(), "Protocol error: unauthenticated bulk length");
  RequestParser ok(limits);
  EXPECT_EQ(ok.parse("*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n"), ParseStatus::kCommand);
}

}  // namespace
}  // namespace stashd::resp
