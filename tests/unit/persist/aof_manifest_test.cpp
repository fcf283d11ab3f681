// Tests the AOF manifest: names, formatting and parsing round trips, every parse error with its
// line number, the atomic write, and the helpers that start an increment, install a rewritten base
// and delete history.
#include "stashd/persist/aof_manifest.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "persist/aof_test_util.h"

namespace stashd::persist {
namespace {

using testing::AofTempDir;
using ::testing::HasSubstr;
using testing::read_file;
using testing::write_file;

AofFile base(uint64_t seq) {
  return {"appendonly.aof." + std::to_string(seq) + ".base.rdb", seq, AofFileType::kBase};
}
AofFile incr(uint64_t seq) {
  return {"appendonly.aof." + std::to_string(seq) + ".incr.aof", seq, AofFileType::kIncr};
}
AofFile history(AofFile f) {
  f.type = AofFileType::kHistory;
  return f;
}

std::string parse_error(std::string_view text) {
  AofManifest m;
  Status s = parse_aof_manifest(text, &m);
  return s ? "ok" : s.message();
}

TEST(AofLayout, NamesFilesAsRedisSevenDoes) {
  AofLayout layout{"/data", "appendonlydir", "appendonly.aof"};
  EXPECT_EQ(layout.aof_dir(), "/data/appendonlydir");
  EXPECT_EQ(layout.manifest_name(), "appendonly.aof.manifest");
  EXPECT_EQ(layout.manifest_path(), "/data/appendonlydir/appendonly.aof.manifest");
  EXPECT_EQ(layout.base_name(3), "appendonly.aof.3.base.rdb");
  EXPECT_EQ(layout.incr_name(12), "appendonly.aof.12.incr.aof");
  EXPECT_EQ(layout.path("x"), "/data/appendonlydir/x");
  EXPECT_EQ((AofLayout{"", "d", "f"}).aof_dir(), "./d");
}

TEST(AofLayout, AcceptsOnlyPlainNames) {
  EXPECT_TRUE(check_aof_name("appendonly.aof"));
  EXPECT_TRUE(check_aof_name("my-aof_1.x"));
  EXPECT_FALSE(check_aof_name(""));
  EXPECT_FALSE(check_aof_name("."));
  EXPECT_FALSE(check_aof_name(".."));
  EXPECT_FALSE(check_aof_name("a/b"));
  EXPECT_FALSE(check_aof_name("a b"));
  EXPECT_FALSE(check_aof_name("a\tb"));
  EXPECT_FALSE(check_aof_name(std::string("a\0b", 3)));
  EXPECT_FALSE(check_aof_name(std::string(256, 'a')));
}

TEST(AofManifest, FormatsOneLinePerFileBaseIncrementsHistory) {
  AofManifest m;
  m.base = base(2);
  m.incrs = {incr(3), incr(4)};
  m.history = {history(base(1)), history(incr(2))};
  EXPECT_EQ(format_aof_manifest(m),
            "stashd-aof-manifest 1\n"
            "file appendonly.aof.2.base.rdb seq 2 type b\n"
            "file appendonly.aof.3.incr.aof seq 3 type i\n"
            "file appendonly.aof.4.incr.aof seq 4 type i\n"
            "file appendonly.aof.1.base.rdb seq 1 type h\n"
            "file appendonly.aof.2.incr.aof seq 2 type h\n");
}

TEST(AofManifest, RoundTripsThroughText) {
  AofManifest m;
  m.base = base(7);
  m.incrs = {incr(9), incr(10), incr(11)};
  m.history = {history(base(6)), history(incr(8))};
  AofManifest back;
  ASSERT_TRUE(parse_aof_manifest(format_aof_manifest(m), &back));
  EXPECT_EQ(back, m);

  AofManifest incr_only;
  incr_only.incrs = {incr(1)};
  ASSERT_TRUE(parse_aof_manifest(format_aof_manifest(incr_only), &back));
  EXPECT_EQ(back, incr_only);
  EXPECT_EQ(back.live_files(), std::vector<AofFile>{incr(1)});
}

TEST(AofManifest, HistoryLinesMayComeAnywhere) {
  AofManifest m;
  ASSERT_TRUE(
      parse_aof_manifest("stashd-aof-manifest 1\n"
                         "file old.rdb seq 1 type h\n"
                         "file a.rdb seq 2 type b\n"
                         "file old.aof seq 1 type h\n"
                         "file a.aof seq 2 type i\n",
                         &m));
  EXPECT_EQ(m.history.size(), 2u);
  EXPECT_EQ(m.base->name, "a.rdb");
}

TEST(AofManifest, ParseErrorsNameTheLine) {
  const std::string h = "stashd-aof-manifest 1\n";
  EXPECT_EQ(parse_error(""), "line 1: empty manifest");
  EXPECT_EQ(parse_error("file a seq 1 type i\n"), "line 1: expected 'stashd-aof-manifest 1'");
  EXPECT_EQ(parse_error("stashd-aof-manifest 2\nfile a seq 1 type i\n"),
            "line 1: unsupported manifest version '2'");
  EXPECT_EQ(parse_error(h), "line 1: no base or increment file listed");
  EXPECT_EQ(parse_error(h + "file a seq 1 type h\n"), "line 2: no base or increment file listed");
  EXPECT_EQ(parse_error(h + "file a seq 1 type i"), "line 2: no newline at the end");
  EXPECT_EQ(parse_error(h + "\n"), "line 2: expected 'file <name> seq <seq> type <b|i|h>'");
  EXPECT_EQ(parse_error(h + "file a seq 1 type i extra x\n"),
            "line 2: expected 'file <name> seq <seq> type <b|i|h>'");
  EXPECT_EQ(parse_error(h + "file a  seq 1 type\n"), "line 2: expected 'seq', found ''");
  EXPECT_EQ(parse_error(h + "file a seq 1 type i\r\n"), "line 2: unknown type 'i\r' (b, i or h)");
  EXPECT_EQ(parse_error(h + "name a seq 1 type i\n"), "line 2: expected 'file', found 'name'");
  EXPECT_EQ(parse_error(h + "file a sq 1 type i\n"), "line 2: expected 'seq', found 'sq'");
  EXPECT_EQ(parse_error(h + "file a seq 1 kind i\n"), "line 2: expected 'type', found 'kind'");
  EXPECT_EQ(parse_error(h + "file a seq 1 type x\n"), "line 2: unknown type 'x' (b, i or h)");
  EXPECT_EQ(parse_error(h + "file a seq 0 type i\n"), "line 2: bad seq '0'");
  EXPECT_EQ(parse_error(h + "file a seq 01 type i\n"), "line 2: bad seq '01'");
  EXPECT_EQ(parse_error(h + "file a seq -1 type i\n"), "line 2: bad seq '-1'");
  EXPECT_EQ(parse_error(h + "file a seq 18446744073709551616 type i\n"),
            "line 2: bad seq '18446744073709551616'");
  EXPECT_EQ(parse_error(h + "file a/b seq 1 type i\n"),
            "line 2: file name: must be a name, not a path");
  EXPECT_EQ(parse_error(h + "file .. seq 1 type i\n"), "line 2: file name: '..' is not a name");
  EXPECT_EQ(parse_error(h + "file a seq 1 type b\nfile b seq 2 type b\n"),
            "line 3: a second base file");
  EXPECT_EQ(parse_error(h + "file a seq 1 type i\nfile b seq 1 type b\n"),
            "line 3: the base file must precede increments");
  EXPECT_EQ(parse_error(h + "file a seq 2 type i\nfile b seq 2 type i\n"),
            "line 3: increment seq 2 after seq 2");
  EXPECT_EQ(parse_error(h + "file a seq 3 type i\nfile b seq 2 type i\n"),
            "line 3: increment seq 2 after seq 3");
  EXPECT_EQ(parse_error(h + "file a seq 1 type i\nfile a seq 2 type h\n"),
            "line 3: 'a' is listed twice");
}

TEST(AofManifest, NextNamesFollowTheHighestSeqOfTheirKind) {
  AofLayout layout;
  AofManifest m;
  EXPECT_EQ(next_aof_base(m, layout), base(1));
  EXPECT_EQ(next_aof_incr(m, layout), incr(1));
  m.base = base(4);
  m.incrs = {incr(6), incr(7)};
  EXPECT_EQ(next_aof_base(m, layout), base(5));
  EXPECT_EQ(next_aof_incr(m, layout), incr(8));
  // A history file not yet deleted keeps its name reserved.
  m.history = {history(base(9)), history(incr(20)), {"unrelated.aof", 99, AofFileType::kHistory}};
  EXPECT_EQ(next_aof_base(m, layout), base(10));
  EXPECT_EQ(next_aof_incr(m, layout), incr(21));
}

TEST(AofManifest, WithNewIncrAppendsTheNextIncrement) {
  AofLayout layout;
  AofManifest m;
  m.base = base(1);
  m.incrs = {incr(1)};
  AofFile added;
  AofManifest next = with_new_incr(m, layout, &added);
  EXPECT_EQ(added, incr(2));
  EXPECT_EQ(next.incrs, (std::vector<AofFile>{incr(1), incr(2)}));
  EXPECT_EQ(next.base, m.base);
  EXPECT_EQ(m.incrs.size(), 1u);  // the input is unchanged
}

TEST(AofManifest, RewriteTurnsTheOldBaseAndEarlierIncrementsIntoHistory) {
  AofLayout layout;
  AofManifest m;
  m.base = base(1);
  m.incrs = {incr(1), incr(2)};
  m.history = {{"older.aof", 1, AofFileType::kHistory}};  // not deleted yet: stays listed
  // The rewrite started by opening incr 3; it ends with base 2.
  AofFile opened;
  m = with_new_incr(m, layout, &opened);
  const AofFile new_base = next_aof_base(m, layout);
  EXPECT_EQ(new_base, base(2));
  const AofManifest after = with_rewritten_base(m, new_base, opened);
  EXPECT_EQ(after.base, base(2));
  EXPECT_EQ(after.incrs, std::vector<AofFile>{incr(3)});
  EXPECT_EQ(after.history, (std::vector<AofFile>{m.history[0], history(base(1)), history(incr(1)),
                                                 history(incr(2))}));
  AofManifest parsed;
  ASSERT_TRUE(parse_aof_manifest(format_aof_manifest(after), &parsed));
  EXPECT_EQ(parsed, after);
}

TEST(AofManifest, RewriteKeepsIncrementsOpenedAfterTheRewriteStarted) {
  AofManifest m;
  m.base = base(1);
  m.incrs = {incr(1), incr(2), incr(3)};
  const AofManifest after = with_rewritten_base(m, base(2), incr(2));
  EXPECT_EQ(after.incrs, (std::vector<AofFile>{incr(2), incr(3)}));
  EXPECT_EQ(after.history, (std::vector<AofFile>{history(base(1)), history(incr(1))}));
}

TEST(AofManifest, RewriteWithAnUnlistedIncrementAppendsIt) {
  // AOF turned on: the rewrite started with an increment the manifest did not list yet.
  AofManifest m;
  m.incrs = {incr(1)};
  const AofManifest after = with_rewritten_base(m, base(1), incr(2));
  EXPECT_EQ(after.base, base(1));
  EXPECT_EQ(after.incrs, std::vector<AofFile>{incr(2)});
  EXPECT_EQ(after.history, std::vector<AofFile>{history(incr(1))});
}

TEST(AofManifestFiles, WriteIsAtomicAndReadBack) {
  AofTempDir dir;
  AofLayout layout{dir.path(), "appendonlydir", "appendonly.aof"};
  AofManifest m;
  bool exists = true;
  ASSERT_TRUE(ensure_aof_dir(layout));
  ASSERT_TRUE(ensure_aof_dir(layout));  // already there: fine
  ASSERT_TRUE(read_aof_manifest(layout, &m, &exists));
  EXPECT_FALSE(exists);

  m.base = base(1);
  m.incrs = {incr(1)};
  ASSERT_TRUE(write_aof_manifest(layout, m));
  EXPECT_EQ(read_file(layout.manifest_path()), format_aof_manifest(m));
  EXPECT_FALSE(std::filesystem::exists(layout.path("temp-appendonly.aof.manifest")));
  AofManifest back;
  ASSERT_TRUE(read_aof_manifest(layout, &back, &exists));
  EXPECT_TRUE(exists);
  EXPECT_EQ(back, m);

  write_file(layout.manifest_path(), "stashd-aof-manifest 1\nfile x seq 1 type q\n");
  Status s = read_aof_manifest(layout, &back, &exists);
  EXPECT_EQ(s.message(), layout.manifest_path() + ": line 2: unknown type 'q' (b, i or h)");
}

TEST(AofManifestFiles, AFailedWriteLeavesTheOldManifest) {
  AofTempDir dir;
  AofLayout layout{dir.path(), "appendonlydir", "appendonly.aof"};
  ASSERT_TRUE(ensure_aof_dir(layout));
  AofManifest m;
  m.incrs = {incr(1)};
  ASSERT_TRUE(write_aof_manifest(layout, m));
  // A directory where the temp file would go makes open() fail.
  std::filesystem::create_directory(layout.path("temp-appendonly.aof.manifest"));
  AofManifest other;
  other.incrs = {incr(2)};
  Status s = write_aof_manifest(layout, other);
  ASSERT_FALSE(s);
  EXPECT_THAT(s.message(), HasSubstr("temp-appendonly.aof.manifest: open: Is a directory"));
  EXPECT_EQ(read_file(layout.manifest_path()), format_aof_manifest(m));
}

TEST(AofManifestFiles, EnsureDirRefusesAFileInTheWay) {
  AofTempDir dir;
  AofLayout layout{dir.path(), "appendonlydir", "appendonly.aof"};
  write_file(layout.aof_dir(), "not a directory");
  Status s = ensure_aof_dir(layout);
  EXPECT_EQ(s.message(), layout.aof_dir() + ": exists and is not a directory");
}

TEST(AofManifestFiles, DeleteHistoryRewritesTheManifestThenUnlinks) {
  AofTempDir dir;
  AofLayout layout{dir.path(), "appendonlydir", "appendonly.aof"};
  ASSERT_TRUE(ensure_aof_dir(layout));
  AofManifest m;
  m.base = base(2);
  m.incrs = {incr(3)};
  m.history = {history(base(1)), history(incr(1)), history(incr(2))};
  for (const AofFile& f : m.live_files()) write_file(layout.path(f.name), "live");
  write_file(layout.path(base(1).name), "old");
  write_file(layout.path(incr(1).name), "old");  // incr 2 is already gone: fine
  ASSERT_TRUE(write_aof_manifest(layout, m));

  ASSERT_TRUE(delete_aof_history(layout, &m));
  EXPECT_TRUE(m.history.empty());
  EXPECT_FALSE(std::filesystem::exists(layout.path(base(1).name)));
  EXPECT_FALSE(std::filesystem::exists(layout.path(incr(1).name)));
  EXPECT_TRUE(std::filesystem::exists(layout.path(base(2).name)));
  EXPECT_TRUE(std::filesystem::exists(layout.path(incr(3).name)));
  AofManifest back;
  bool exists = false;
  ASSERT_TRUE(read_aof_manifest(layout, &back, &exists));
  EXPECT_EQ(back, m);
}

}  // namespace
}  // namespace stashd::persist
