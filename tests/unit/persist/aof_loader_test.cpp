// Tests AofLoader and check_aof_file: a node's propagated writes, through an AofWriter sink, a
// rewrite (base snapshot + new increment) and more writes, replayed into a fresh node give the
// same DEBUG DIGEST; the truncated tail at every offset of a small file with aof-load-truncated
// yes and no; damage in the middle with its exact offset; MULTI without EXEC; errors in earlier
// files; progress reports; and the base's expired keys being kept for the increments.
#include "stashd/persist/aof_loader.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "commands/harness.h"
#include "persist/aof_test_util.h"
#include "persist/sample_dataset.h"
#include "stashd/persist/aof_writer.h"

namespace stashd::persist {
namespace {

using stashd::testing::CommandHarness;
using testing::AofTempDir;
using testing::file_size;
using ::testing::HasSubstr;
using testing::read_file;
using testing::resp;
using testing::write_file;

// What the lead's server does with propagated units: SELECT when the database changes, MULTI/EXEC
// around atomic units, written once per unit here (once per loop pass in the server).
class AofSink {
 public:
  AofSink(NodeState& node, AofWriter& writer) : node_(node) {
    id_ = node.propagator().add_sink(
        [&writer](const PropagatedUnit& unit) {
          if (unit.atomic()) writer.append_multi();
          for (const PropagatedCommand& c : unit.commands()) {
            writer.append(c.db, std::span<const std::string>(c.argv));
          }
          if (unit.atomic()) writer.append_exec();
          ASSERT_TRUE(writer.write_pending());
        },
        kPropagateAof);
  }
  ~AofSink() { node_.propagator().remove_sink(id_); }

 private:
  NodeState& node_;
  Propagator::SinkId id_;
};

// Runs each command through a harness's dispatcher; an error reply stops the load.
AofExecuteFn run_on(CommandHarness& h) {
  return [&h](std::span<const std::string_view> argv) {
    const std::string reply = h.run(std::vector<std::string_view>(argv.begin(), argv.end()));
    if (reply.starts_with("-")) return Status::error(reply.substr(1, reply.size() - 3));
    return Status::ok();
  };
}

// Loads `layout`'s manifest into h as start-up would: expiry held off while the stream applies.
Status load_into(CommandHarness& h, const AofLayout& layout, AofLoadResult* result = nullptr,
                 AofLoadOptions options = {}) {
  AofManifest manifest;
  bool exists = false;
  Status s = read_aof_manifest(layout, &manifest, &exists);
  if (!s) return s;
  if (!exists) return Status::error("no manifest");
  h.node().keyspace().set_now_ms(h.clock().now_ms());
  h.node().applying_stream = true;
  s = AofLoader(h.node().keyspace(), h.config(), run_on(h), std::move(options))
          .load(layout, manifest, result);
  h.node().applying_stream = false;
  return s;
}

TEST(AofLoader, ReplaysABaseAndIncrementsIntoTheSameDataset) {
  AofTempDir dir;
  const AofLayout layout{dir.path(), "appendonlydir", "appendonly.aof"};
  ASSERT_TRUE(ensure_aof_dir(layout));
  CommandHarness h;

  // Start: one increment, no base (AOF on from an empty dataset).
  AofFile incr;
  AofManifest manifest = with_new_incr({}, layout, &incr);
  ASSERT_TRUE(write_aof_manifest(layout, manifest));
  int fd = -1;
  ASSERT_TRUE(AofWriter::open_file(layout.path(incr.name), true, &fd));
  AofWriterOptions wo;
  wo.fsync = FsyncPolicy::kNo;
  AofWriter writer(fd, wo);
  {
    AofSink sink(h.node(), writer);
    stashd::testing::fill_sample(h, false);
    h.run({"SET", "gone-soon", "v", "PX", "50"});
    h.run({"MULTI"});
    h.run({"INCR", "counter"});
    h.run({"SELECT", "7"});
    h.run({"SADD", "s7", "a", "b"});
    h.run({"EXEC"});
    h.run({"SELECT", "0"});
    h.run({"EXPIRE", "str:raw", "100000"});
    h.run({"SPOP", "set:small"});
    h.clock().advance_ms(100);
    h.run({"GET", "gone-soon"});  // lazily expired: DEL propagates

    // Rewrite: a new increment from now on, a base of the data at this point, old files retired.
    AofFile next;
    manifest = with_new_incr(manifest, layout, &next);
    ASSERT_TRUE(write_aof_manifest(layout, manifest));
    ASSERT_TRUE(AofWriter::open_file(layout.path(next.name), true, &fd));
    ASSERT_TRUE(writer.switch_file(fd, layout.path(next.name)));
    const AofFile base = next_aof_base(manifest, layout);
    ASSERT_TRUE(save_snapshot(h.node().keyspace(), layout.aof_dir(), base.name,
                              stashd::testing::options_at(h)));
    manifest = with_rewritten_base(manifest, base, next);
    ASSERT_TRUE(write_aof_manifest(layout, manifest));
    ASSERT_TRUE(delete_aof_history(layout, &manifest));

    h.run({"APPEND", "str:raw", "-more"});
    h.run({"DEL", "counter"});
    h.run({"ZADD", "zset:small", "7", "seven"});
    h.run({"SET", "big", std::string(200 * 1024, 'b')});
    h.run({"SELECT", "1"});
    h.run({"RPUSH", "db1:list", "x", "y", "z"});
    h.run({"SELECT", "0"});
    h.run({"INCRBYFLOAT", "f", "1.5"});
  }
  ASSERT_TRUE(writer.close());
  EXPECT_EQ(manifest.incrs.size(), 1u);
  EXPECT_TRUE(manifest.history.empty());

  CommandHarness replica;
  replica.clock().set_ms(h.clock().now_ms() + 3'600'000);  // loaded an hour later
  replica.run({"SET", "stale", "replaced by the load"});
  AofLoadResult result;
  ASSERT_TRUE(load_into(replica, layout, &result)) << result.warning;
  EXPECT_TRUE(result.has_base);
  EXPECT_EQ(result.files, 2u);
  EXPECT_GT(result.commands, 8u);
  EXPECT_FALSE(result.truncated);
  EXPECT_EQ(result.bytes_read, file_size(layout.path(manifest.base->name)) +
                                   file_size(layout.path(manifest.incrs[0].name)));
  replica.clock().set_ms(h.clock().now_ms());
  EXPECT_EQ(replica.run({"DEBUG", "DIGEST"}), h.run({"DEBUG", "DIGEST"}));
  EXPECT_EQ(replica.run({"EXISTS", "stale"}), ":0\r\n");
}

TEST(AofLoader, KeepsBaseKeysWhoseDeadlinePassedForTheIncrementsToActOn) {
  AofTempDir dir;
  const AofLayout layout{dir.path(), "appendonlydir", "appendonly.aof"};
  ASSERT_TRUE(ensure_aof_dir(layout));
  CommandHarness h;
  h.run({"SET", "k", "v", "PX", "1000"});
  AofManifest manifest;
  manifest.base = next_aof_base(manifest, layout);
  ASSERT_TRUE(save_snapshot(h.node().keyspace(), layout.aof_dir(), manifest.base->name,
                            stashd::testing::options_at(h)));
  // Appended before the deadline: the key keeps its deadline and gains a suffix.
  AofFile incr = next_aof_incr(manifest, layout);
  manifest.incrs.push_back(incr);
  write_file(layout.path(incr.name), resp({"SELECT", "0"}) + resp({"APPEND", "k", "+x"}));
  ASSERT_TRUE(write_aof_manifest(layout, manifest));

  CommandHarness late;
  late.clock().set_ms(h.clock().now_ms() + 60'000);
  ASSERT_TRUE(load_into(late, layout));
  Db& db = late.node().keyspace().db(0);
  const EntryIndex e = db.lookup_peek("k");
  ASSERT_NE(e, kNoEntry);
  EXPECT_EQ(db.expire_time(e), h.clock().now_ms() + 1000);
  EXPECT_EQ(late.run({"GET", "k"}), stashd::testing::kNil);  // and expires as it should
}

// A small increment for the truncation and damage loops, and its command boundaries.
struct SmallFile {
  std::string bytes;
  std::vector<size_t> ends;        // end offset of each command
  std::vector<size_t> cut_points;  // where a cut may land: whole commands outside MULTI
};

SmallFile small_file() {
  SmallFile f;
  auto add = [&f](const std::string& command, bool cut) {
    f.bytes += command;
    f.ends.push_back(f.bytes.size());
    if (cut) f.cut_points.push_back(f.bytes.size());
  };
  f.cut_points.push_back(0);
  add(resp({"SELECT", "0"}), true);
  add(resp({"SET", "a", "1"}), true);
  add(resp({"MULTI"}), false);
  add(resp({"INCR", "n"}), false);
  add(resp({"INCR", "n"}), false);
  add(resp({"EXEC"}), true);
  add(resp({"SET", "b", std::string("x\r\ny", 4)}), true);
  return f;
}

class Recorded {
 public:
  AofExecuteFn fn() {
    return [this](std::span<const std::string_view> argv) {
      commands.emplace_back(argv.begin(), argv.end());
      return Status::ok();
    };
  }
  std::vector<std::vector<std::string>> commands;
};

struct OneIncrement {
  explicit OneIncrement(const AofTempDir& dir) : layout{dir.path(), "appendonlydir", "a.aof"} {
    EXPECT_TRUE(ensure_aof_dir(layout));
    manifest.incrs.push_back(next_aof_incr(manifest, layout));
    path = layout.path(manifest.incrs[0].name);
  }
  Status load(std::string_view bytes, bool load_truncated, Recorded* recorded,
              AofLoadResult* result) {
    write_file(path, bytes);
    Keyspace keyspace(16);
    Config config;
    AofLoadOptions options;
    options.load_truncated = load_truncated;
    return AofLoader(keyspace, config, recorded->fn(), options).load(layout, manifest, result);
  }
  AofLayout layout;
  AofManifest manifest;
  std::string path;
};

TEST(AofLoader, ATruncatedTailAtEveryOffsetIsDroppedOrRefused) {
  AofTempDir dir;
  OneIncrement one(dir);
  const SmallFile f = small_file();
  for (size_t len = 0; len <= f.bytes.size(); ++len) {
    SCOPED_TRACE(len);
    const std::string prefix = f.bytes.substr(0, len);
    size_t cut = 0;
    for (size_t p : f.cut_points) {
      if (p <= len) cut = p;
    }
    size_t whole = 0;  // commands complete in the prefix
    while (whole < f.ends.size() && f.ends[whole] <= len) ++whole;
    const bool clean = cut == len;
    const bool multi_open = whole >= 3 && whole < 6;

    Recorded strict;
    AofLoadResult result;
    Status s = one.load(prefix, false, &strict, &result);
    EXPECT_EQ(bool(s), clean) << s.message();
    if (!clean) {
      EXPECT_THAT(s.message(), HasSubstr(one.path + ": unexpected end of file at offset "));
      EXPECT_THAT(s.message(), HasSubstr("aof-load-truncated is off (run stashd-check-aof --fix " +
                                         one.path + ")"));
      EXPECT_EQ(read_file(one.path), prefix);  // refused: the file is left alone
    }

    Recorded lenient;
    s = one.load(prefix, true, &lenient, &result);
    ASSERT_TRUE(s) << s.message();
    EXPECT_EQ(result.truncated, !clean);
    EXPECT_EQ(read_file(one.path), f.bytes.substr(0, cut));
    EXPECT_EQ(result.bytes_read, cut);
    // Executed: every whole command, then DISCARD for a transaction left open.
    EXPECT_EQ(lenient.commands.size(), whole + (multi_open ? 1 : 0));
    if (multi_open) {
      EXPECT_EQ(lenient.commands.back(), std::vector<std::string>{"DISCARD"});
    }
    if (!clean) {
      EXPECT_EQ(result.truncated_at, cut);
      EXPECT_EQ(result.truncated_bytes, len - cut);
      EXPECT_EQ(result.truncated_file, one.path);
      EXPECT_THAT(result.warning,
                  HasSubstr(fmt::format("dropped the last {} bytes and truncated the file to {} "
                                        "bytes (aof-load-truncated yes)",
                                        len - cut, cut)));
    }
  }
}

TEST(AofLoader, MultiWithoutExecAtTheEndIsATruncatedTail) {
  AofTempDir dir;
  OneIncrement one(dir);
  const std::string head = resp({"SELECT", "0"}) + resp({"SET", "a", "1"});
  const std::string bytes = head + resp({"MULTI"}) + resp({"INCR", "n"});
  Recorded recorded;
  AofLoadResult result;
  ASSERT_TRUE(one.load(bytes, true, &recorded, &result));
  EXPECT_EQ(result.warning,
            fmt::format("{}: MULTI without EXEC at the end of the file at offset {}: dropped the "
                        "last {} bytes and truncated the file to {} bytes (aof-load-truncated yes)",
                        one.path, head.size(), bytes.size() - head.size(), head.size()));
  EXPECT_EQ(recorded.commands.back(), std::vector<std::string>{"DISCARD"});
  EXPECT_EQ(read_file(one.path), head);
  Status s = one.load(bytes, false, &recorded, &result);
  EXPECT_THAT(s.message(), HasSubstr(fmt::format("unexpected end of file at offset {} (MULTI "
                                                 "without EXEC at the end of the file)",
                                                 head.size())));
}

TEST(AofLoader, DamageInTheMiddleFailsWithItsOffset) {
  AofTempDir dir;
  OneIncrement one(dir);
  const SmallFile f = small_file();
  // The '$' of SET's first argument, in the second command.
  const size_t at = f.ends[0] + 4;
  ASSERT_EQ(f.bytes[at], '$');
  std::string damaged = f.bytes;
  damaged[at] = '#';
  for (bool load_truncated : {true, false}) {
    Recorded recorded;
    AofLoadResult result;
    Status s = one.load(damaged, load_truncated, &recorded, &result);
    EXPECT_EQ(s.message(),
              fmt::format("{}: bad file format reading the append only file at offset {}: "
                          "expected '$', found '#' (run stashd-check-aof --fix {})",
                          one.path, at, one.path));
    EXPECT_EQ(recorded.commands.size(), 1u);
    EXPECT_EQ(read_file(one.path), damaged);  // never truncated
  }
  damaged = f.bytes;
  damaged[f.ends[1]] = 'x';  // the '*' of MULTI
  Recorded recorded;
  Status s = one.load(damaged, true, &recorded, nullptr);
  EXPECT_THAT(s.message(),
              HasSubstr(fmt::format("at offset {}: expected '*', found 'x'", f.ends[1])));
}

TEST(AofLoader, OnlyTheLastIncrementMayEndShort) {
  AofTempDir dir;
  const AofLayout layout{dir.path(), "appendonlydir", "a.aof"};
  ASSERT_TRUE(ensure_aof_dir(layout));
  AofManifest manifest;
  AofFile first;
  AofFile second;
  manifest = with_new_incr(manifest, layout, &first);
  manifest = with_new_incr(manifest, layout, &second);
  const std::string whole = resp({"SET", "a", "1"});
  write_file(layout.path(first.name), whole + whole.substr(0, 5));
  write_file(layout.path(second.name), whole);
  Keyspace keyspace(16);
  Config config;
  Recorded recorded;
  Status s = AofLoader(keyspace, config, recorded.fn()).load(layout, manifest);
  EXPECT_EQ(s.message(), fmt::format("{}: unexpected end of file at offset {} (unfinished "
                                     "command) in an increment that is not the last",
                                     layout.path(first.name), whole.size()));
  EXPECT_EQ(read_file(layout.path(first.name)).size(), whole.size() + 5);  // not truncated

  write_file(layout.path(first.name), whole);
  std::remove(layout.path(second.name).c_str());
  s = AofLoader(keyspace, config, recorded.fn()).load(layout, manifest);
  EXPECT_EQ(s.message(), layout.path(second.name) + ": stat: No such file or directory");
}

TEST(AofLoader, AnExecuteErrorStopsTheLoadWithTheCommandsOffset) {
  AofTempDir dir;
  OneIncrement one(dir);
  const std::string a = resp({"SET", "a", "1"});
  Keyspace keyspace(16);
  Config config;
  write_file(one.path, a + resp({"NOSUCH", "x"}) + a);
  int calls = 0;
  AofExecuteFn fn = [&calls](std::span<const std::string_view> argv) {
    ++calls;
    if (argv[0] == "NOSUCH") return Status::error("unknown command 'NOSUCH'");
    return Status::ok();
  };
  Status s = AofLoader(keyspace, config, fn).load(one.layout, one.manifest);
  EXPECT_EQ(s.message(),
            fmt::format("{}: unknown command 'NOSUCH' (command at offset {})", one.path, a.size()));
  EXPECT_EQ(calls, 2);
}

TEST(AofLoader, WithoutABaseTheKeyspaceStartsEmpty) {
  AofTempDir dir;
  OneIncrement one(dir);
  write_file(one.path, "");
  Keyspace keyspace(16);
  Config config;
  keyspace.db(3).set_string("old", "value");
  Recorded recorded;
  ASSERT_TRUE(AofLoader(keyspace, config, recorded.fn()).load(one.layout, one.manifest));
  EXPECT_EQ(keyspace.total_keys(), 0u);
  EXPECT_TRUE(recorded.commands.empty());
}

TEST(AofLoader, ReportsProgressOverAllFiles) {
  AofTempDir dir;
  const AofLayout layout{dir.path(), "appendonlydir", "appendonly.aof"};
  ASSERT_TRUE(ensure_aof_dir(layout));
  CommandHarness h;
  stashd::testing::fill_sample(h, false);
  AofManifest manifest;
  manifest.base = next_aof_base(manifest, layout);
  ASSERT_TRUE(save_snapshot(h.node().keyspace(), layout.aof_dir(), manifest.base->name,
                            stashd::testing::options_at(h)));
  std::string bytes = resp({"SELECT", "0"});
  for (int i = 0; i < 200; ++i) bytes += resp({"SET", "k" + std::to_string(i), "v"});
  AofFile incr;
  manifest = with_new_incr(manifest, layout, &incr);
  write_file(layout.path(incr.name), bytes);
  const uint64_t total = file_size(layout.path(manifest.base->name)) + bytes.size();

  std::vector<AofLoadProgress> reports;
  AofLoadOptions options;
  options.progress_interval = 512;
  options.on_progress = [&](const AofLoadProgress& p) { reports.push_back(p); };
  Keyspace keyspace(16);
  keyspace.set_now_ms(h.clock().now_ms() + 1'000'000'000);
  Recorded recorded;
  AofLoadResult result;
  ASSERT_TRUE(
      AofLoader(keyspace, h.config(), recorded.fn(), options).load(layout, manifest, &result));
  EXPECT_EQ(keyspace.now_ms(), h.clock().now_ms() + 1'000'000'000);  // held at 0 for the base only
  EXPECT_EQ(result.base.expired_skipped, 0u);
  ASSERT_GT(reports.size(), 5u);
  for (size_t i = 1; i < reports.size(); ++i) {
    EXPECT_GE(reports[i].bytes_read, reports[i - 1].bytes_read);
    EXPECT_GE(reports[i].commands, reports[i - 1].commands);
    EXPECT_EQ(reports[i].total_bytes, total);
  }
  EXPECT_EQ(reports.back().bytes_read, total);
  EXPECT_EQ(reports.back().commands, 201u);
  EXPECT_EQ(result.commands, 201u);
  EXPECT_EQ(result.base.keys_loaded, keyspace.total_keys());
  EXPECT_EQ(keyspace.total_keys(), h.node().keyspace().total_keys());  // TTL keys included
}

TEST(CheckAofFile, DescribesTheFileWithoutExecutingIt) {
  AofTempDir dir;
  const SmallFile f = small_file();
  const std::string path = dir.file("x.aof");
  write_file(path, f.bytes);
  AofFileCheck check;
  ASSERT_TRUE(check_aof_file(path, &check));
  EXPECT_EQ(check.end, AofFileEnd::kComplete);
  EXPECT_EQ(check.commands, f.ends.size());
  EXPECT_EQ(check.size, f.bytes.size());
  EXPECT_EQ(check.valid_up_to, f.bytes.size());

  write_file(path, f.bytes.substr(0, f.ends[3] + 2));  // inside the transaction
  ASSERT_TRUE(check_aof_file(path, &check));
  EXPECT_EQ(check.end, AofFileEnd::kTruncated);
  EXPECT_EQ(check.problem, "unfinished command inside MULTI");
  EXPECT_EQ(check.problem_offset, f.ends[3]);
  EXPECT_EQ(check.valid_up_to, f.ends[1]);
  EXPECT_EQ(file_size(path), f.ends[3] + 2);  // checking changes nothing

  Status s = check_aof_file(dir.file("missing.aof"), &check);
  EXPECT_EQ(s.message(), dir.file("missing.aof") + ": open: No such file or directory");
}

}  // namespace
}  // namespace stashd::persist
