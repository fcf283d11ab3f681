// Tests SnapshotWriter and save_snapshot: the header and aux fields, skipping keys already expired,
// the checksum switch, streaming through a pipe, the temp-file/rename dance with its error paths,
// write errors, and saving from a forked child.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "persist/sample_dataset.h"
#include "persist/wire.h"

namespace stashd::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
namespace fs = std::filesystem;

const uint8_t* bytes_of(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "stashd-persist-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::vector<std::string> files() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(path_)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  std::string path_;
};

TEST(SnapshotWriter, WritesHeaderAuxFieldsAndCounts) {
  CommandHarness h;
  fill_sample(h, false);
  persist::SnapshotOptions o = options_at(h);
  o.used_memory = 4242;
  persist::SnapshotResult written;
  std::string bytes = snapshot_bytes(h, o, &written);
  ASSERT_THAT(bytes, StartsWith("STASHD"));
  EXPECT_EQ(persist::wire::get_le(bytes_of(bytes) + 6, 2), persist::kSnapshotVersion);
  EXPECT_EQ(persist::wire::get_le(bytes_of(bytes) + 8, 8), static_cast<uint64_t>(o.now_ms));
  EXPECT_EQ(written.bytes, bytes.size());
  EXPECT_EQ(written.keys, 16u);  // 13 in db 0, 2 in db 1, 1 in db 15
  EXPECT_EQ(written.expires, 3u);

  CommandHarness dst;
  persist::LoadResult loaded;
  ASSERT_TRUE(load_into(dst, bytes, {}, &loaded));
  std::map<std::string, std::string> aux(loaded.aux.begin(), loaded.aux.end());
  EXPECT_FALSE(aux["stashd-ver"].empty());
  EXPECT_EQ(aux["used-mem"], "4242");
  EXPECT_EQ(aux["keys"], "16");
  EXPECT_EQ(aux["expires"], "3");
  EXPECT_EQ(aux["access"], "lru");
  EXPECT_EQ(loaded.creation_ms, o.now_ms);
  EXPECT_EQ(loaded.keys_loaded, 16u);
}

TEST(SnapshotWriter, LeavesOutKeysWhoseDeadlinePassed) {
  CommandHarness h;
  h.run({"SET", "gone", "v", "PX", "100"});
  h.run({"SET", "kept", "v", "PX", "10000"});
  h.run({"SET", "plain", "v"});
  h.clock().advance_ms(200);  // "gone" is due but nothing has touched it yet
  persist::SnapshotResult written;
  std::string bytes = snapshot_bytes(h, options_at(h), &written);
  EXPECT_EQ(written.keys, 2u);
  EXPECT_EQ(written.expires, 1u);
  EXPECT_EQ(written.expired_skipped, 1u);
  CommandHarness dst;
  dst.clock().advance_ms(200);
  ASSERT_TRUE(load_into(dst, bytes));
  EXPECT_EQ(dst.run({"EXISTS", "gone", "kept", "plain"}), integer(2));
  EXPECT_EQ(dst.run({"PTTL", "kept"}), integer(9800));
}

TEST(SnapshotWriter, ChecksumOffWritesZero) {
  CommandHarness h;
  h.run({"SET", "k", "v"});
  persist::SnapshotOptions o = options_at(h);
  std::string with = snapshot_bytes(h, o);
  o.checksum = false;
  std::string without = snapshot_bytes(h, o);
  ASSERT_EQ(with.size(), without.size());
  EXPECT_NE(persist::wire::get_le(bytes_of(with) + with.size() - 8, 8), 0u);
  EXPECT_EQ(persist::wire::get_le(bytes_of(without) + without.size() - 8, 8), 0u);
  EXPECT_EQ(with.substr(0, with.size() - 8), without.substr(0, without.size() - 8));
}

TEST(SnapshotWriter, EmptyKeyspaceIsAValidSnapshot) {
  CommandHarness h;
  std::string bytes = snapshot_bytes(h);
  CommandHarness dst;
  dst.run({"SET", "old", "v"});
  persist::LoadResult loaded;
  ASSERT_TRUE(load_into(dst, bytes, {}, &loaded));
  EXPECT_EQ(loaded.keys_loaded, 0u);
  EXPECT_EQ(dst.run({"DBSIZE"}), integer(0));
}

TEST(SnapshotWriter, StreamsThroughAPipeToALoaderOfUnknownSize) {
  CommandHarness src;
  fill_sample(src);
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  Status write_status = Status::ok();
  std::thread writer([&] {
    persist::SnapshotWriter w(fds[1], options_at(src));
    write_status = w.write(src.node().keyspace());
    ::close(fds[1]);
  });
  CommandHarness dst;
  dst.node().keyspace().set_now_ms(dst.clock().now_ms());
  persist::SnapshotLoader loader(dst.node().keyspace(), dst.config());
  Status load_status = loader.load_fd(fds[0], "pipe");
  writer.join();
  ::close(fds[0]);
  ASSERT_TRUE(write_status) << write_status.message();
  ASSERT_TRUE(load_status) << load_status.message();
  EXPECT_EQ(dst.run({"DEBUG", "DIGEST"}), src.run({"DEBUG", "DIGEST"}));
}

TEST(SnapshotWriter, ReportsWriteErrorsWithErrnoText) {
  int fd = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
  if (fd < 0) GTEST_SKIP() << "no /dev/full";
  CommandHarness h;
  h.run({"SET", "k", "v"});
  persist::SnapshotWriter writer(fd, options_at(h));
  Status s = writer.write(h.node().keyspace());
  ::close(fd);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.message(), "write: No space left on device");
}

TEST(SaveSnapshot, RenamesOverTheTargetAndLeavesNoTempFile) {
  TempDir dir;
  CommandHarness src;
  fill_sample(src);
  {
    std::ofstream old(dir.path() + "/dump.rdb");
    old << "previous snapshot";
  }
  persist::SnapshotResult result;
  Status s = persist::save_snapshot(src.node().keyspace(), dir.path(), "dump.rdb", options_at(src),
                                    &result);
  ASSERT_TRUE(s) << s.message();
  EXPECT_EQ(dir.files(), std::vector<std::string>{"dump.rdb"});
  EXPECT_EQ(fs::file_size(dir.path() + "/dump.rdb"), result.bytes);

  CommandHarness dst;
  dst.node().keyspace().set_now_ms(dst.clock().now_ms());
  persist::LoadResult loaded;
  s = persist::SnapshotLoader(dst.node().keyspace(), dst.config())
          .load_file(dir.path() + "/dump.rdb", &loaded);
  ASSERT_TRUE(s) << s.message();
  EXPECT_EQ(loaded.bytes_read, result.bytes);
  EXPECT_EQ(dst.run({"DEBUG", "DIGEST"}), src.run({"DEBUG", "DIGEST"}));
}

TEST(SaveSnapshot, MissingDirectoryFailsNamingTheTempFile) {
  CommandHarness h;
  Status s =
      persist::save_snapshot(h.node().keyspace(), "/nonexistent/stashd", "dump.rdb", options_at(h));
  ASSERT_FALSE(s);
  EXPECT_THAT(s.message(), StartsWith("/nonexistent/stashd/temp-"));
  EXPECT_THAT(s.message(), HasSubstr(".rdb: open: No such file or directory"));
}

TEST(SaveSnapshot, FailedRenameRemovesTheTempFileAndKeepsTheTarget) {
  TempDir dir;
  // A non-empty directory in the target's place makes the rename fail.
  fs::create_directories(dir.path() + "/dump.rdb/inside");
  CommandHarness h;
  h.run({"SET", "k", "v"});
  Status s = persist::save_snapshot(h.node().keyspace(), dir.path(), "dump.rdb", options_at(h));
  ASSERT_FALSE(s);
  EXPECT_THAT(s.message(), HasSubstr("rename"));
  EXPECT_EQ(dir.files(), std::vector<std::string>{"dump.rdb"});
  EXPECT_TRUE(fs::is_directory(dir.path() + "/dump.rdb/inside"));
}

TEST(SaveSnapshot, WorksInAForkedChild) {
  TempDir dir;
  CommandHarness src;
  fill_sample(src);
  persist::SnapshotOptions o = options_at(src);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    Status s = persist::save_snapshot(src.node().keyspace(), dir.path(), "child.rdb", o);
    ::_exit(s ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(dir.files(), std::vector<std::string>{"child.rdb"});
  CommandHarness dst;
  dst.node().keyspace().set_now_ms(dst.clock().now_ms());
  Status s = persist::SnapshotLoader(dst.node().keyspace(), dst.config())
                 .load_file(dir.path() + "/child.rdb");
  ASSERT_TRUE(s) << s.message();
  EXPECT_EQ(dst.run({"DEBUG", "DIGEST"}), src.run({"DEBUG", "DIGEST"}));
}

}  // namespace
}  // namespace stashd::testing
