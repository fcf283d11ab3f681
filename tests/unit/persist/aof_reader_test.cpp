// Tests AofCommandReader, the increment parser: commands out as written (binary arguments, any
// case of MULTI/EXEC), every kind of damage with the exact offset of the offending byte, the
// truncation point before an open MULTI, and claimed lengths far beyond the input that allocate
// nothing.
#include "persist/aof_reader.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "persist/aof_test_util.h"
#include "persist/byte_source.h"

namespace stashd::persist {
namespace {

using testing::resp;
using Result = AofCommandReader::Result;

struct Scan {
  std::vector<std::vector<std::string>> commands;
  Result end = Result::kEnd;
  uint64_t problem_offset = 0;
  std::string problem;
  uint64_t valid_up_to = 0;
};

Scan scan(std::string_view bytes) {
  ByteSource src(bytes);
  AofCommandReader reader(src);
  std::vector<std::string_view> argv;
  Scan out;
  while ((out.end = reader.next(&argv)) == Result::kCommand) {
    out.commands.emplace_back(argv.begin(), argv.end());
  }
  out.problem_offset = reader.problem_offset();
  out.problem = reader.problem();
  out.valid_up_to = reader.valid_up_to();
  return out;
}

TEST(AofCommandReader, ReadsCommandsAsWritten) {
  const std::string bin("a\r\n\0b", 5);
  const std::string bytes = resp({"SELECT", "0"}) + resp({"SET", bin, ""}) + resp({"multi"}) +
                            resp({"INCR", "n"}) + resp({"Exec"});
  const Scan s = scan(bytes);
  EXPECT_EQ(s.end, Result::kEnd);
  ASSERT_EQ(s.commands.size(), 5u);
  EXPECT_EQ(s.commands[1], (std::vector<std::string>{"SET", bin, ""}));
  EXPECT_EQ(s.valid_up_to, bytes.size());
  EXPECT_EQ(scan("").end, Result::kEnd);
}

TEST(AofCommandReader, ABigArgumentSpanningManyChunksComesOutWhole) {
  const std::string big(3 * ByteSource::kChunk + 7, 'q');
  const Scan s = scan(resp({"SET", "k", big}) + resp({"GET", "k"}));
  ASSERT_EQ(s.commands.size(), 2u);
  EXPECT_EQ(s.commands[0][2], big);
}

struct Damage {
  std::string bytes;
  uint64_t offset;
  std::string problem;
  size_t commands = 1;  // read before the damage
};

TEST(AofCommandReader, DamageIsReportedAtTheOffendingByte) {
  const std::string ok = resp({"SET", "a", "1"});  // 27 bytes
  ASSERT_EQ(ok.size(), 27u);
  const std::vector<Damage> cases = {
      {ok + "SET a 1\r\n", 27, "expected '*', found 'S'"},
      {ok + "*x\r\n", 28, "expected a digit, found 'x'"},
      {ok + "*-1\r\n", 28, "expected a digit, found '-'"},
      {ok + "*0\r\n", 28, "a command of 0 arguments"},
      {ok + "*01\r\n$1\r\na\r\n", 28, "number with a leading zero"},
      {ok + "*1\n$1\r\na\r\n", 29, "expected CR after the number, found 0x0a"},
      {ok + "*1\r\r$1\r\na\r\n", 30, "expected LF after CR, found 0x0d"},
      {ok + "*1\r\n:1\r\n", 31, "expected '$', found ':'"},
      {ok + "*1\r\n$\r\n", 32, "expected a digit, found 0x0d"},
      {ok + "*1\r\n$2\r\nabc\r\n", 37, "expected CRLF after an argument of 2 bytes, found 'c'"},
      {ok + "*1\r\n$2\r\nab\rx", 38, "expected CRLF after an argument of 2 bytes, found 'x'"},
      {ok + "*99999999999999999999\r\n", 47, "number too long"},
      {ok + resp({"EXEC"}), 27, "EXEC without MULTI"},
      {ok + resp({"MULTI"}) + resp({"MULTI"}), 42, "MULTI inside MULTI", 2},
  };
  for (const Damage& c : cases) {
    SCOPED_TRACE(c.problem);
    const Scan s = scan(c.bytes);
    EXPECT_EQ(s.end, Result::kBadFormat);
    EXPECT_EQ(s.problem_offset, c.offset);
    EXPECT_EQ(s.problem, c.problem);
    EXPECT_EQ(s.commands.size(), c.commands);
    EXPECT_EQ(s.valid_up_to, 27u);
  }
}

TEST(AofCommandReader, DamageInsideMultiCutsBackToBeforeTheMulti) {
  const std::string head = resp({"SET", "a", "1"}) + resp({"MULTI"}) + resp({"INCR", "n"});
  const Scan s = scan(head + "*1\r\n$4\r\nEXEX!!");
  EXPECT_EQ(s.end, Result::kBadFormat);
  EXPECT_EQ(s.problem_offset, head.size() + 12);
  EXPECT_EQ(s.valid_up_to, 27u);
}

TEST(AofCommandReader, EndOfInputInsideACommandOrATransactionIsTruncation) {
  const std::string a = resp({"SET", "a", "1"});
  Scan s = scan(a + "*2\r\n$3\r\nGET\r\n$1\r");
  EXPECT_EQ(s.end, Result::kTruncated);
  EXPECT_EQ(s.problem_offset, a.size());
  EXPECT_EQ(s.problem, "unfinished command");
  EXPECT_EQ(s.valid_up_to, a.size());

  const std::string open = a + resp({"MULTI"}) + resp({"INCR", "n"});
  s = scan(open);
  EXPECT_EQ(s.end, Result::kTruncated);
  EXPECT_EQ(s.problem, "MULTI without EXEC at the end of the file");
  EXPECT_EQ(s.problem_offset, a.size());
  EXPECT_EQ(s.valid_up_to, a.size());
  EXPECT_EQ(s.commands.size(), 3u);

  s = scan(open + "*1\r\n$4\r\nEX");
  EXPECT_EQ(s.problem, "unfinished command inside MULTI");
  EXPECT_EQ(s.problem_offset, open.size());
  EXPECT_EQ(s.valid_up_to, a.size());
}

TEST(AofCommandReader, ClaimsBeyondTheInputAllocateNothing) {
  // Lengths and counts near 10^19: the source caps every request at what it holds.
  Scan s = scan("*1\r\n$9999999999999999999\r\nabc");
  EXPECT_EQ(s.end, Result::kTruncated);
  EXPECT_EQ(s.problem_offset, 0u);
  s = scan("*9999999999999999999\r\n$1\r\na\r\n$1\r\nb\r\n");
  EXPECT_EQ(s.end, Result::kTruncated);
  EXPECT_TRUE(s.commands.empty());
}

TEST(AofCommandReader, RandomDamageNeverCrashesAndTheCutPointIsAlwaysValid) {
  std::string sample = resp({"SELECT", "0"});
  for (int i = 0; i < 20; ++i) {
    if (i % 5 == 0) sample += resp({"MULTI"});
    sample += resp({"SET", "key" + std::to_string(i), std::string(i * 3, 'v')});
    if (i % 5 == 2) sample += resp({"EXEC"});
  }
  std::mt19937_64 rng(42);
  const char alphabet[] = "*$\r\n0123456789MULTIEXECx";
  for (int round = 0; round < 5000; ++round) {
    std::string bytes = sample;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const size_t at = rng() % bytes.size();
      bytes[at] = rng() % 2 ? alphabet[rng() % (sizeof alphabet - 1)] : static_cast<char>(rng());
    }
    if (rng() % 3 == 0) bytes.resize(rng() % bytes.size());
    const Scan s = scan(bytes);
    ASSERT_NE(s.end, Result::kReadError);
    ASSERT_LE(s.valid_up_to, bytes.size());
    const Scan cut = scan(std::string_view(bytes).substr(0, s.valid_up_to));
    ASSERT_EQ(cut.end, Result::kEnd) << round;
  }
}

}  // namespace
}  // namespace stashd::persist
