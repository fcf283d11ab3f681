// Owns: the tests of the config file text layer: YAML parsing with lines, in-place value
// replacement and the atomic file replacement.
// Must not touch: anything outside its temporary directories. Thread: the test's.
#include "config/config_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "config/temp_dir.h"

namespace stashd::config {
namespace {

std::vector<FileEntry> parse(const std::string& text) {
  std::vector<FileEntry> entries;
  const Status status = parse_config_text("test.yaml", text, &entries);
  EXPECT_TRUE(status) << status.message();
  return entries;
}

// Replaces the value of the entry called `name` in `text` with `scalar`.
std::string replace(const std::string& text, std::string_view name, const std::string& scalar) {
  const std::vector<FileEntry> entries = parse(text);
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].name == name) return replace_values(text, entries, {{i, scalar}});
  }
  ADD_FAILURE() << "no entry " << name;
  return text;
}

std::string parse_error(const std::string& text) {
  std::vector<FileEntry> entries;
  return parse_config_text("test.yaml", text, &entries).message();
}

TEST(ConfigFile, ParsesNamesValuesAndLines) {
  const std::vector<FileEntry> entries = parse("# c\nport: 6379\n\n\"bind\": 'a b'\nlogfile:\n");
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].name, "port");
  EXPECT_EQ(entries[0].value, "6379");
  EXPECT_EQ(entries[0].line, 1);
  EXPECT_EQ(entries[1].name, "bind");
  EXPECT_EQ(entries[1].value, "a b");
  EXPECT_EQ(entries[1].line, 3);
  EXPECT_TRUE(entries[2].null_value);
}

TEST(ConfigFile, ReportsStructureErrorsWithOneBasedLines) {
  EXPECT_EQ(parse_error("port: 1\n? [a]\n: b\n"), "test.yaml:2: option names must be scalars");
  EXPECT_EQ(parse_error("port: 1\n---\nport: 2\n"),
            "test.yaml:3: only one YAML document is allowed");
  EXPECT_EQ(parse_error("port: {a: 1}\n"), "test.yaml:1: value of 'port' must be a scalar");
}

TEST(ConfigFile, ReplacesAPlainValueKeepingItsComment) {
  EXPECT_EQ(replace("a: 1\nport:   6379  # the port\nb: 2", "port", "7000"),
            "a: 1\nport:   7000  # the port\nb: 2");
}

TEST(ConfigFile, ReplacesAQuotedValueUnderAQuotedName) {
  EXPECT_EQ(replace("'dir': \"/a b\" # x\n", "dir", "/c"), "'dir': /c # x\n");
  EXPECT_EQ(replace("dir: 'it''s' # x\n", "dir", "/c"), "dir: /c # x\n");
}

TEST(ConfigFile, FillsInANullValueBeforeItsComment) {
  EXPECT_EQ(replace("logfile:   # stdout\nport: 1\n", "logfile", "/log"),
            "logfile: /log   # stdout\nport: 1\n");
  EXPECT_EQ(replace("logfile: ~\n", "logfile", "/log"), "logfile: /log\n");
}

TEST(ConfigFile, ReplacesAMultiLineValueAndKeepsTheCommentsAfterIt) {
  EXPECT_EQ(replace("requirepass: |\n  abc\n\n  def\n\n# next\nport: 1\n", "requirepass", "x"),
            "requirepass: x\n\n# next\nport: 1\n");
  EXPECT_EQ(replace("bind: \"a\n# not a comment\nb\" # c\nport: 1\n", "bind", "x"),
            "bind: x\nport: 1\n");
  EXPECT_EQ(replace("bind: a\n  b\n# c\n", "bind", "x"), "bind: x\n# c\n");
}

TEST(ConfigFile, KeepsWindowsLineEndings) {
  EXPECT_EQ(replace("port: 1\r\nhz: 2\r\n", "port", "3"), "port: 3\r\nhz: 2\r\n");
}

TEST(ConfigFile, LeavesTextWithoutUpdatesByteForByte) {
  const std::string text = "# a\n\nport: 1 # b\nhz: 2";
  EXPECT_EQ(replace_values(text, parse(text), {}), text);
}

TEST(ConfigFile, ReadingAMissingFileFailsUnlessAllowed) {
  test_files::TempDir dir;
  const std::string missing = (dir.path() / "missing.yaml").string();
  std::string text = "stale";
  EXPECT_EQ(read_text_file(missing, false, &text).message(), "No such file or directory");
  EXPECT_TRUE(read_text_file(missing, true, &text));
  EXPECT_EQ(text, "");
}

TEST(ConfigFile, AtomicWriteReplacesTheFileAndLeavesNoTemporaryFile) {
  test_files::TempDir dir;
  const std::string path = dir.write("stashd.yaml", "old");
  ASSERT_TRUE(write_file_atomically(path, "new\n"));
  EXPECT_EQ(test_files::read_file(path), "new\n");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            1);
}

TEST(ConfigFile, AtomicWriteReportsAMissingDirectory) {
  test_files::TempDir dir;
  EXPECT_EQ(write_file_atomically((dir.path() / "no" / "x.yaml").string(), "x").message(),
            "No such file or directory");
}

}  // namespace
}  // namespace stashd::config
