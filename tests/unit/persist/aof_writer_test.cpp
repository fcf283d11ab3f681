// Tests AofWriter: the RESP it writes (SELECT only when the database changes, MULTI/EXEC units
// written whole), the write error paths (a full device, a pipe that takes part of a write, a torn
// write on a real file cut back with ftruncate), and the fsync policies: always in the caller's
// thread, everysec on the writer's thread at most once a second, postponed writes while an fsync
// runs (delayed_fsync), no, plus switching files and closing.
#include "stashd/persist/aof_writer.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "persist/aof_test_util.h"

namespace stashd::persist {
namespace {

using testing::AofTempDir;
using testing::file_size;
using ::testing::HasSubstr;
using testing::read_file;
using testing::resp;

const std::string kSelect0 = resp({"SELECT", "0"});

void append(AofWriter& w, int db, std::initializer_list<std::string_view> argv) {
  w.append(db, std::span<const std::string_view>(argv.begin(), argv.size()));
}

int open_fresh(const std::string& path) {
  int fd = -1;
  EXPECT_TRUE(AofWriter::open_file(path, true, &fd));
  return fd;
}

AofWriterOptions with_policy(FsyncPolicy policy) {
  AofWriterOptions o;
  o.fsync = policy;
  return o;
}

// Waits (up to 5 s) for a condition another thread makes true.
template <typename Pred>
bool eventually(Pred pred) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// A door an injected fsync waits at: a slow disk under the test's control.
class Gate {
 public:
  void wait() {
    std::unique_lock<std::mutex> lock(mu_);
    ++waiting_;
    cv_.wait(lock, [this] { return open_; });
  }
  void open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  int waiting() {
    std::lock_guard<std::mutex> lock(mu_);
    return waiting_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  int waiting_ = 0;
};

TEST(FsyncPolicy, ParsesTheConfigWords) {
  FsyncPolicy p = FsyncPolicy::kNo;
  EXPECT_TRUE(parse_fsync_policy("always", &p));
  EXPECT_EQ(p, FsyncPolicy::kAlways);
  EXPECT_TRUE(parse_fsync_policy("EverySec", &p));
  EXPECT_EQ(p, FsyncPolicy::kEverySec);
  EXPECT_TRUE(parse_fsync_policy("no", &p));
  EXPECT_EQ(p, FsyncPolicy::kNo);
  EXPECT_FALSE(parse_fsync_policy("sometimes", &p));
  EXPECT_EQ(fsync_policy_name(FsyncPolicy::kEverySec), "everysec");
}

TEST(AofWriter, WritesRespAndSelectsOnlyWhenTheDatabaseChanges) {
  AofTempDir dir;
  const std::string path = dir.file("a.aof");
  AofWriter w(open_fresh(path), with_policy(FsyncPolicy::kNo));
  append(w, 0, {"SET", "k", "v"});
  append(w, 0, {"INCR", "n"});
  append(w, 3, {"DEL", "k"});
  append(w, 3, {"SET", std::string_view("a\r\nb\0", 5), ""});
  const std::vector<std::string> owned = {"RPUSH", "list", "x"};
  w.append(0, std::span<const std::string>(owned));
  const std::string expected = kSelect0 + resp({"SET", "k", "v"}) + resp({"INCR", "n"}) +
                               resp({"SELECT", "3"}) + resp({"DEL", "k"}) +
                               resp({"SET", std::string_view("a\r\nb\0", 5), ""}) + kSelect0 +
                               resp({"RPUSH", "list", "x"});
  EXPECT_EQ(w.pending_bytes(), expected.size());
  EXPECT_EQ(w.size(), 0u);
  EXPECT_EQ(read_file(path), "");  // nothing before write_pending
  ASSERT_TRUE(w.write_pending());
  EXPECT_EQ(read_file(path), expected);
  EXPECT_EQ(w.size(), expected.size());
  EXPECT_EQ(w.pending_bytes(), 0u);
  EXPECT_TRUE(w.last_write_ok());
}

TEST(AofWriter, AReopenedFileAppendsAndSelectsAgain) {
  AofTempDir dir;
  const std::string path = dir.file("a.aof");
  {
    AofWriter w(open_fresh(path), with_policy(FsyncPolicy::kNo));
    append(w, 5, {"SET", "a", "1"});
    ASSERT_TRUE(w.close());
  }
  const std::string first = resp({"SELECT", "5"}) + resp({"SET", "a", "1"});
  int fd = -1;
  ASSERT_TRUE(AofWriter::open_file(path, false, &fd));
  AofWriter w(fd, with_policy(FsyncPolicy::kNo));
  EXPECT_EQ(w.size(), first.size());
  append(w, 5, {"SET", "b", "2"});
  ASSERT_TRUE(w.write_pending());
  EXPECT_EQ(read_file(path), first + resp({"SELECT", "5"}) + resp({"SET", "b", "2"}));
  EXPECT_EQ(w.size(), file_size(path));
}

TEST(AofWriter, OpenFileFreshDiscardsALeftover) {
  AofTempDir dir;
  const std::string path = dir.file("a.aof");
  testing::write_file(path, "leftover of a crash");
  AofWriter w(open_fresh(path), with_policy(FsyncPolicy::kNo));
  EXPECT_EQ(w.size(), 0u);
  int fd = -1;
  Status s = AofWriter::open_file(dir.file("missing/x.aof"), true, &fd);
  EXPECT_THAT(s.message(), HasSubstr("missing/x.aof: open: No such file or directory"));
}

TEST(AofWriter, WritesOnlyWholeMultiExecUnits) {
  AofTempDir dir;
  const std::string path = dir.file("a.aof");
  AofWriter w(open_fresh(path), with_policy(FsyncPolicy::kNo));
  append(w, 0, {"SET", "a", "1"});
  w.append_multi();
  append(w, 0, {"INCR", "a"});
  append(w, 2, {"INCR", "b"});
  ASSERT_TRUE(w.write_pending());  // only the unit before MULTI is whole
  const std::string before = kSelect0 + resp({"SET", "a", "1"});
  EXPECT_EQ(read_file(path), before);
  w.append_exec();
  ASSERT_TRUE(w.write_pending());
  EXPECT_EQ(read_file(path), before + resp({"MULTI"}) + resp({"INCR", "a"}) +
                                 resp({"SELECT", "2"}) + resp({"INCR", "b"}) + resp({"EXEC"}));
}

TEST(AofWriter, AWriteErrorKeepsTheBytesAndRetries) {
  int fd = ::open("/dev/full", O_WRONLY | O_APPEND | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  AofWriterOptions o = with_policy(FsyncPolicy::kNo);
  o.name = "/dev/full";
  AofWriter w(fd, o);
  append(w, 0, {"SET", "k", "v"});
  const uint64_t pending = w.pending_bytes();
  Status s = w.write_pending();
  EXPECT_EQ(s.message(), "/dev/full: write: No space left on device");
  EXPECT_FALSE(w.last_write_ok());
  EXPECT_EQ(w.last_write_error(), s.message());
  EXPECT_EQ(w.pending_bytes(), pending);
  EXPECT_FALSE(w.write_pending());
  EXPECT_EQ(w.stats().write_errors, 2u);
  EXPECT_EQ(w.pending_bytes(), pending);
  EXPECT_EQ(w.size(), 0u);
  // Closing reports the bytes it could not write.
  EXPECT_FALSE(w.close());
}

TEST(AofWriter, APartialWriteThatCannotBeTruncatedIsContinuedNextTime) {
  // A non-blocking pipe takes part of a write, then says EAGAIN; ftruncate fails on a pipe, so
  // the writer keeps what went out and later writes exactly the rest.
  signal(SIGPIPE, SIG_IGN);
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
  ASSERT_GT(::fcntl(fds[1], F_SETPIPE_SZ, 4096), 0);
  const int capacity = ::fcntl(fds[1], F_GETPIPE_SZ);
  AofWriter w(fds[1], with_policy(FsyncPolicy::kNo));
  std::string expected = kSelect0;
  for (int i = 0; i < 50; ++i) {
    const std::string value(500, static_cast<char>('a' + i % 26));
    append(w, 0, {"SET", "key:" + std::to_string(i), value});
    expected += resp({"SET", "key:" + std::to_string(i), value});
  }
  ASSERT_GT(expected.size(), static_cast<size_t>(capacity) * 3);
  std::string got;
  int errors = 0;
  while (got.size() < expected.size()) {
    Status s = w.write_pending();
    if (!s) {
      ++errors;
      EXPECT_THAT(s.message(), HasSubstr("Resource temporarily unavailable"));
    }
    EXPECT_EQ(w.size() + w.pending_bytes(), expected.size());
    char buf[65536];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0) got.append(buf, static_cast<size_t>(n));
  }
  EXPECT_EQ(got, expected);
  EXPECT_GT(errors, 0);
  EXPECT_EQ(w.stats().torn_truncations, 0u);
  EXPECT_TRUE(w.last_write_ok());
  EXPECT_EQ(w.pending_bytes(), 0u);
  ::close(fds[0]);
}

// Runs `body` in a child process (it changes process limits) and returns its exit status.
template <typename Body>
int in_child(Body body) {
  const pid_t pid = ::fork();
  if (pid == 0) _exit(body());
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

TEST(AofWriter, ATornWriteIsCutBackToTheLastWholeCommand) {
  AofTempDir dir;
  const std::string path = dir.file("a.aof");
  const std::string big(1000, 'x');
  const int rc = in_child([&]() -> int {
    signal(SIGXFSZ, SIG_IGN);
    AofWriter w(open_fresh(path), with_policy(FsyncPolicy::kNo));
    append(w, 0, {"SET", "a", "1"});
    if (!w.write_pending()) return 10;
    const uint64_t good = w.size();
    struct rlimit saved {};
    ::getrlimit(RLIMIT_FSIZE, &saved);
    struct rlimit low = saved;
    low.rlim_cur = good + 100;  // the next command gets 100 bytes in, then EFBIG
    if (::setrlimit(RLIMIT_FSIZE, &low) != 0) return 11;
    append(w, 0, {"SET", "b", big});
    Status s = w.write_pending();
    if (s || s.message().find("File too large") == std::string::npos) return 12;
    if (file_size(path) != good || w.size() != good) return 13;
    if (w.stats().torn_truncations != 1 || w.last_write_ok()) return 14;
    if (::setrlimit(RLIMIT_FSIZE, &saved) != 0) return 15;
    if (!w.write_pending() || !w.last_write_ok()) return 16;
    return w.close() ? 0 : 17;
  });
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(read_file(path), kSelect0 + resp({"SET", "a", "1"}) + resp({"SET", "b", big}));
}

TEST(AofWriter, AlwaysSyncsInTheCallingThreadOnlyWhenSomethingWasWritten) {
  AofTempDir dir;
  std::vector<std::thread::id> threads;
  AofWriterOptions o = with_policy(FsyncPolicy::kAlways);
  o.sync_fd = [&](int) {
    threads.push_back(std::this_thread::get_id());
    return 0;
  };
  AofWriter w(open_fresh(dir.file("a.aof")), o);
  append(w, 0, {"SET", "a", "1"});
  ASSERT_TRUE(w.write_pending());
  EXPECT_TRUE(threads.empty());  // write_pending never syncs under always: the loop's pass does
  ASSERT_TRUE(w.sync_now());
  ASSERT_TRUE(w.sync_now());  // nothing new: no second fsync
  ASSERT_TRUE(w.tick());
  EXPECT_EQ(threads, std::vector<std::thread::id>{std::this_thread::get_id()});
  EXPECT_EQ(w.synced_size(), w.size());
  EXPECT_EQ(w.stats().fsyncs, 1u);
  EXPECT_FALSE(w.fsync_in_progress());
}

TEST(AofWriter, AFailedFsyncIsReportedAndTheNextSuccessClearsIt) {
  AofTempDir dir;
  int result = -1;
  AofWriterOptions o = with_policy(FsyncPolicy::kAlways);
  o.name = "a.aof";
  o.sync_fd = [&](int) {
    errno = EIO;
    return result;
  };
  AofWriter w(open_fresh(dir.file("a.aof")), o);
  append(w, 0, {"SET", "a", "1"});
  ASSERT_TRUE(w.write_pending());
  Status s = w.sync_now();
  EXPECT_EQ(s.message(), "a.aof: fsync: Input/output error");
  EXPECT_FALSE(w.last_fsync_ok());
  EXPECT_EQ(w.last_fsync_error(), s.message());
  EXPECT_EQ(w.synced_size(), 0u);
  EXPECT_EQ(w.stats().fsync_errors, 1u);
  result = 0;
  ASSERT_TRUE(w.sync_now());
  EXPECT_TRUE(w.last_fsync_ok());
  EXPECT_EQ(w.synced_size(), w.size());
}

TEST(AofWriter, EverysecFsyncsOnItsOwnThreadWithTheRealFsync) {
  AofTempDir dir;
  AofWriter w(open_fresh(dir.file("a.aof")), with_policy(FsyncPolicy::kEverySec));
  append(w, 0, {"SET", "a", "1"});
  ASSERT_TRUE(w.write_pending());
  ASSERT_TRUE(eventually([&] { return w.stats().fsyncs == 1; }));
  EXPECT_TRUE(eventually([&] { return !w.fsync_in_progress(); }));
  EXPECT_EQ(w.synced_size(), w.size());
  EXPECT_TRUE(w.last_fsync_ok());
}

TEST(AofWriter, EverysecFsyncsAtMostOnceASecondAndOnlyAfterWrites) {
  AofTempDir dir;
  ManualClock clock;
  std::atomic<int> syncs{0};
  std::atomic<bool> other_thread{true};
  const std::thread::id loop = std::this_thread::get_id();
  AofWriterOptions o = with_policy(FsyncPolicy::kEverySec);
  o.clock = &clock;
  o.sync_fd = [&](int) {
    if (std::this_thread::get_id() == loop) other_thread = false;
    ++syncs;
    return 0;
  };
  AofWriter w(open_fresh(dir.file("a.aof")), o);
  ASSERT_TRUE(w.tick());
  EXPECT_EQ(syncs, 0);  // nothing written, nothing to sync
  append(w, 0, {"SET", "a", "1"});
  ASSERT_TRUE(w.write_pending());  // the first fsync starts at once
  ASSERT_TRUE(eventually([&] { return syncs == 1 && !w.fsync_in_progress(); }));

  clock.advance_ms(500);
  append(w, 0, {"SET", "b", "2"});
  ASSERT_TRUE(w.write_pending());
  clock.advance_ms(499);
  ASSERT_TRUE(w.tick());
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(syncs, 1);
  EXPECT_LT(w.synced_size(), w.size());

  clock.advance_ms(1);  // a second after the last fsync began: the tick starts one
  ASSERT_TRUE(w.tick());
  ASSERT_TRUE(eventually([&] { return syncs == 2 && !w.fsync_in_progress(); }));
  EXPECT_EQ(w.synced_size(), w.size());
  clock.advance_ms(5000);
  ASSERT_TRUE(w.tick());  // everything synced: nothing to do
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(syncs, 2);
  EXPECT_TRUE(other_thread);
  EXPECT_EQ(w.stats().fsyncs, 2u);
}

TEST(AofWriter, EverysecPostponesWritesWhileAnFsyncRunsThenWritesAnyway) {
  AofTempDir dir;
  const std::string path = dir.file("a.aof");
  ManualClock clock;
  Gate gate;
  AofWriterOptions o = with_policy(FsyncPolicy::kEverySec);
  o.clock = &clock;
  o.sync_fd = [&](int) {
    gate.wait();
    return 0;
  };
  AofWriter w(open_fresh(path), o);
  append(w, 0, {"SET", "a", "1"});
  ASSERT_TRUE(w.write_pending());
  const uint64_t first = w.size();
  ASSERT_TRUE(w.fsync_in_progress());
  ASSERT_TRUE(eventually([&] { return gate.waiting() == 1; }));

  append(w, 0, {"SET", "b", "2"});
  clock.advance_ms(100);
  ASSERT_TRUE(w.write_pending());  // postponed: the fsync is still running
  EXPECT_TRUE(w.write_postponed());
  EXPECT_EQ(file_size(path), first);
  EXPECT_GT(w.pending_bytes(), 0u);
  clock.advance_ms(AofWriter::kMaxPostponeMs - 1);
  ASSERT_TRUE(w.tick());
  ASSERT_TRUE(w.write_pending());
  EXPECT_EQ(file_size(path), first);
  EXPECT_EQ(w.stats().delayed_fsync, 0u);

  clock.advance_ms(1);  // postponed for 2 s: written despite the fsync
  ASSERT_TRUE(w.write_pending());
  EXPECT_FALSE(w.write_postponed());
  EXPECT_EQ(w.pending_bytes(), 0u);
  EXPECT_EQ(file_size(path), w.size());
  EXPECT_EQ(w.stats().delayed_fsync, 1u);

  // A forced write never waits.
  append(w, 0, {"SET", "c", "3"});
  ASSERT_TRUE(w.write_pending(true));
  EXPECT_EQ(w.pending_bytes(), 0u);
  EXPECT_EQ(w.stats().delayed_fsync, 1u);

  gate.open();
  ASSERT_TRUE(eventually([&] { return !w.fsync_in_progress(); }));
  EXPECT_EQ(w.synced_size(), first);  // that fsync covered only what was written before it
  append(w, 0, {"SET", "d", "4"});
  ASSERT_TRUE(w.write_pending());  // no fsync running: straight out
  EXPECT_EQ(w.pending_bytes(), 0u);
  ASSERT_TRUE(eventually([&] { return w.synced_size() == w.size(); }));
  EXPECT_EQ(w.stats().delayed_fsync, 1u);
  EXPECT_EQ(read_file(path), kSelect0 + resp({"SET", "a", "1"}) + resp({"SET", "b", "2"}) +
                                 resp({"SET", "c", "3"}) + resp({"SET", "d", "4"}));
}

TEST(AofWriter, NoNeverFsyncsUntilClose) {
  AofTempDir dir;
  ManualClock clock;
  std::atomic<int> syncs{0};
  AofWriterOptions o = with_policy(FsyncPolicy::kNo);
  o.clock = &clock;
  o.sync_fd = [&](int) {
    ++syncs;
    return 0;
  };
  AofWriter w(open_fresh(dir.file("a.aof")), o);
  for (int i = 0; i < 5; ++i) {
    append(w, 0, {"INCR", "n"});
    ASSERT_TRUE(w.write_pending());
    clock.advance_ms(3000);
    ASSERT_TRUE(w.tick());
  }
  EXPECT_EQ(syncs, 0);
  EXPECT_FALSE(w.fsync_in_progress());
  ASSERT_TRUE(w.close());
  EXPECT_EQ(syncs, 1);
}

TEST(AofWriter, SetPolicyContinuesTheSameFileUnderTheNewPolicy) {
  AofTempDir dir;
  ManualClock clock;
  std::atomic<int> syncs{0};
  AofWriterOptions o = with_policy(FsyncPolicy::kNo);
  o.clock = &clock;
  o.sync_fd = [&](int) {
    ++syncs;
    return 0;
  };
  AofWriter w(open_fresh(dir.file("a.aof")), o);
  append(w, 0, {"SET", "a", "1"});
  ASSERT_TRUE(w.write_pending());
  ASSERT_TRUE(w.tick());
  EXPECT_EQ(syncs, 0);
  w.set_policy(FsyncPolicy::kEverySec);
  EXPECT_EQ(w.policy(), FsyncPolicy::kEverySec);
  ASSERT_TRUE(w.tick());  // the unsynced bytes get their fsync
  ASSERT_TRUE(eventually([&] { return syncs == 1 && !w.fsync_in_progress(); }));
  w.set_policy(FsyncPolicy::kAlways);
  append(w, 0, {"SET", "b", "2"});
  ASSERT_TRUE(w.write_pending());
  clock.advance_ms(5000);
  ASSERT_TRUE(w.tick());  // always: the background thread stays idle...
  EXPECT_EQ(syncs, 1);
  ASSERT_TRUE(w.sync_now());  // ...the loop's pass syncs
  EXPECT_EQ(syncs, 2);
  EXPECT_EQ(w.synced_size(), w.size());
}

TEST(AofWriter, SwitchFileFinishesTheOldFileAndSelectsAgainInTheNew) {
  AofTempDir dir;
  std::mutex mu;
  std::vector<int> synced_fds;
  AofWriterOptions o = with_policy(FsyncPolicy::kEverySec);
  o.sync_fd = [&](int fd) {
    std::lock_guard<std::mutex> lock(mu);
    synced_fds.push_back(fd);
    return 0;
  };
  const int first_fd = open_fresh(dir.file("1.aof"));
  AofWriter w(first_fd, o);
  append(w, 4, {"SET", "a", "1"});  // buffered only
  const int second_fd = open_fresh(dir.file("2.aof"));
  ASSERT_TRUE(w.switch_file(second_fd, dir.file("2.aof")));
  EXPECT_EQ(w.fd(), second_fd);
  EXPECT_EQ(w.name(), dir.file("2.aof"));
  EXPECT_EQ(w.size(), 0u);
  append(w, 4, {"SET", "b", "2"});
  ASSERT_TRUE(w.write_pending(true));
  EXPECT_EQ(read_file(dir.file("1.aof")), resp({"SELECT", "4"}) + resp({"SET", "a", "1"}));
  EXPECT_EQ(read_file(dir.file("2.aof")), resp({"SELECT", "4"}) + resp({"SET", "b", "2"}));
  // The old file was synced (and closed) by the fsync thread.
  ASSERT_TRUE(eventually([&] {
    std::lock_guard<std::mutex> lock(mu);
    return std::find(synced_fds.begin(), synced_fds.end(), first_fd) != synced_fds.end();
  }));
  // The new file's first fsync starts from a tick once the old file's job is done.
  ASSERT_TRUE(eventually([&] {
    EXPECT_TRUE(w.tick());
    return w.synced_size() == w.size();
  }));

  w.append_multi();
  EXPECT_THAT(w.switch_file(-1, "x").message(), HasSubstr("inside MULTI"));
  w.append_exec();
  ASSERT_TRUE(w.close());
}

TEST(AofWriter, SwitchFileUnderAlwaysSyncsTheOldFileFirst) {
  AofTempDir dir;
  std::vector<int> synced_fds;
  AofWriterOptions o = with_policy(FsyncPolicy::kAlways);
  o.sync_fd = [&](int fd) {
    synced_fds.push_back(fd);
    return 0;
  };
  const int first_fd = open_fresh(dir.file("1.aof"));
  AofWriter w(first_fd, o);
  append(w, 0, {"SET", "a", "1"});
  ASSERT_TRUE(w.switch_file(open_fresh(dir.file("2.aof")), "2.aof"));
  EXPECT_EQ(synced_fds, std::vector<int>{first_fd});
  EXPECT_FALSE(w.fsync_in_progress());
}

TEST(AofWriter, CloseFlushesSyncsAndNeverWritesHalfAUnit) {
  AofTempDir dir;
  const std::string path = dir.file("a.aof");
  AofWriterOptions o = with_policy(FsyncPolicy::kEverySec);
  o.name = "a.aof";
  AofWriter w(open_fresh(path), o);
  append(w, 0, {"SET", "a", "1"});
  w.append_multi();
  append(w, 0, {"SET", "b", "2"});
  Status s = w.close();
  EXPECT_THAT(s.message(), HasSubstr("a.aof: closed inside MULTI"));
  EXPECT_EQ(read_file(path), kSelect0 + resp({"SET", "a", "1"}));
  EXPECT_EQ(w.fd(), -1);
  EXPECT_EQ(w.synced_size(), w.size());
  EXPECT_TRUE(w.close());  // closing twice is harmless
}

}  // namespace
}  // namespace stashd::persist
