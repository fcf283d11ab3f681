// Tests resp::append_command / append_select: the multibulk form the AOF and the replication
// stream store, read back by the request parser.
#include "stashd/resp/command_encoder.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "stashd/resp/parser.h"

namespace stashd::resp {
namespace {

using namespace std::string_literals;

TEST(CommandEncoder, EncodesMultibulkThatTheParserReadsBack) {
  std::string out;
  const std::string_view argv[] = {"SET", "k", std::string_view("a\r\nb\0c", 6), ""};
  append_command(&out, argv);
  EXPECT_EQ(out, "*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$6\r\na\r\nb\0c\r\n$0\r\n\r\n"s);
  RequestParser parser;
  ASSERT_EQ(parser.parse(out), ParseStatus::kCommand);
  ASSERT_EQ(parser.args().size(), 4u);
  EXPECT_EQ(parser.args()[2], argv[2]);
  EXPECT_EQ(parser.consumed(), out.size());
}

TEST(CommandEncoder, SelectAndOwnedStrings) {
  std::string out;
  append_select(&out, 15);
  const std::vector<std::string> argv = {"DEL", "x"};
  append_command(&out, argv);
  EXPECT_EQ(out, "*2\r\n$6\r\nSELECT\r\n$2\r\n15\r\n*2\r\n$3\r\nDEL\r\n$1\r\nx\r\n");
}

}  // namespace
}  // namespace stashd::resp
