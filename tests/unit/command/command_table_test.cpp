// Tests the command table: lookups, subcommands, key positions, flag and category names.
#include "stashd/command/command_table.h"

#include <gtest/gtest.h>

namespace stashd {
namespace {

void noop(CommandContext&) {}

CommandTable make_table() {
  CommandTable t;
  t.add({"get", 2, kCmdReadonly | kCmdFast, 1, 1, 1, kAclRead | kAclString, noop, "string", "1.0.0",
         "", ""});
  t.add({"mset", -3, kCmdWrite | kCmdDenyOom, 1, -1, 2, kAclWrite | kAclString, noop, "string",
         "1.0.1", "", ""});
  t.add({"config", -2, 0, 0, 0, 0, 0, nullptr, "server", "2.0.0", "", ""});
  t.add({"config|get", -3, kCmdAdmin, 0, 0, 0, kAclAdmin, noop, "server", "2.0.0", "", ""});
  return t;
}

TEST(CommandTable, FindsCommandsIgnoringCase) {
  CommandTable t = make_table();
  ASSERT_NE(t.find("GeT"), nullptr);
  EXPECT_EQ(t.find("GET")->full_name, "get");
  EXPECT_EQ(t.find("nosuch"), nullptr);
  EXPECT_EQ(t.find(std::string(100, 'x')), nullptr);
}

TEST(CommandTable, SubcommandsAttachToTheirParent) {
  CommandTable t = make_table();
  const Command* config = t.find("config");
  ASSERT_NE(config, nullptr);
  const Command* get = config->find_subcommand("GET");
  ASSERT_NE(get, nullptr);
  EXPECT_EQ(get->full_name, "config|get");
  EXPECT_EQ(get->parent, config);
  EXPECT_EQ(config->find_subcommand("set"), nullptr);
  EXPECT_EQ(t.size(), 3u);  // subcommands are not top-level rows
}

TEST(CommandTable, KeyPositionsFollowFirstLastStep) {
  CommandTable t = make_table();
  EXPECT_EQ(t.find("get")->key_positions(2), (std::vector<int>{1}));
  EXPECT_EQ(t.find("mset")->key_positions(7), (std::vector<int>{1, 3, 5}));
  EXPECT_TRUE(t.find("config")->key_positions(3).empty());
}

TEST(CommandTable, FlagAndCategoryNamesMatchRedis) {
  CommandTable t = make_table();
  auto flags = command_flag_names(*t.find("get"));
  EXPECT_EQ(flags, (std::vector<std::string_view>{"readonly", "fast"}));
  auto cats = acl_category_names(*t.find("mset"));
  EXPECT_EQ(cats, (std::vector<std::string>{"@write", "@string", "@slow"}));
}

}  // namespace
}  // namespace stashd
