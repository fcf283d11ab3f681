// Owns: the tests of ConfigRegistry: defaults, loading the YAML file, command-line and CONFIG SET
// semantics and wording, CONFIG GET globs, CONFIG REWRITE and change hooks.
// Must not touch: anything outside its temporary directories. Thread: the test's.
#include "stashd/config/config.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "config/temp_dir.h"

namespace stashd {
namespace {

namespace fs = std::filesystem;
using test_files::read_file;
using test_files::TempDir;
using Pairs = std::vector<std::pair<std::string, std::string>>;

// The repository's config/stashd.yaml: $STASHD_SOURCE_DIR if set, else found walking up from the
// working directory (ctest runs inside build/ of the repository).
std::string shipped_config_path() {
  if (const char* source_dir = std::getenv("STASHD_SOURCE_DIR")) {
    return (fs::path(source_dir) / "config" / "stashd.yaml").string();
  }
  for (fs::path dir = fs::current_path(); !dir.empty(); dir = dir.parent_path()) {
    if (fs::exists(dir / "config" / "stashd.yaml"))
      return (dir / "config" / "stashd.yaml").string();
    if (dir == dir.root_path()) break;
  }
  return {};
}

std::string get_one(const ConfigRegistry& registry, std::string_view name) {
  const Pairs found = registry.get(name);
  if (found.size() == 1) return found[0].second;
  std::string summary = std::to_string(found.size());
  summary += " matches";
  return summary;
}

class ConfigRegistryTest : public ::testing::Test {
 protected:
  Status set(std::string_view name, std::string_view value) {
    return registry_.set(name, value, false);
  }
  std::string error_of(std::string_view name, std::string_view value) {
    const Status status = set(name, value);
    return status ? "<ok>" : status.message();
  }
  std::string load(const std::string& text) { return load_status(text).message(); }
  Status load_status(const std::string& text) {
    dir_.write("stashd.yaml", text);
    return registry_.load_file(file_);
  }

  TempDir dir_;
  const std::string file_ = (dir_.path() / "stashd.yaml").string();
  Config config_;
  ConfigRegistry registry_{&config_};
};

TEST_F(ConfigRegistryTest, StartsWithRedisDefaults) {
  EXPECT_EQ(get_one(registry_, "port"), "6379");
  EXPECT_EQ(get_one(registry_, "bind"), "127.0.0.1");
  EXPECT_EQ(get_one(registry_, "databases"), "16");
  EXPECT_EQ(get_one(registry_, "loglevel"), "notice");
  EXPECT_EQ(get_one(registry_, "logfile"), "");
  EXPECT_EQ(get_one(registry_, "proto-max-bulk-len"), "536870912");
  EXPECT_EQ(get_one(registry_, "client-query-buffer-limit"), "1073741824");
  EXPECT_EQ(get_one(registry_, "client-output-buffer-limit"),
            "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
  EXPECT_EQ(get_one(registry_, "slowlog-log-slower-than"), "10000");
  EXPECT_TRUE(registry_.file().empty());
}

TEST_F(ConfigRegistryTest, ReportsDirAsAnAbsolutePath) {
  EXPECT_EQ(config_.dir, fs::canonical(".").string());
}

TEST_F(ConfigRegistryTest, ListsEveryOptionInTableOrderForStar) {
  const Pairs all = registry_.get("*");
  ASSERT_EQ(all.size(), 68u);
  EXPECT_EQ(all.front().first, "bind");
  EXPECT_EQ(all.back().first, "aof-load-truncated");
}

TEST_F(ConfigRegistryTest, ShippedConfigLoadsAndMatchesTheDefaults) {
  const std::string path = shipped_config_path();
  ASSERT_FALSE(path.empty()) << "config/stashd.yaml not found above " << fs::current_path();
  const Pairs defaults = registry_.get("*");
  const Status status = registry_.load_file(path);
  ASSERT_TRUE(status) << status.message();
  EXPECT_EQ(registry_.get("*"), defaults);
}

TEST_F(ConfigRegistryTest, LoadsOptionsFromAYamlFile) {
  ASSERT_EQ(load("# comment\nport: 7000\nBIND: \"0.0.0.0 ::1\"\nmaxclients: '50'\n"
                 "loglevel: WARNING\nlogfile:\nproto-max-bulk-len: 2mb\n"
                 "client-output-buffer-limit: pubsub 1mb 1kb 5\n"),
            "");
  EXPECT_EQ(config_.port, 7000);
  EXPECT_EQ(config_.bind, "0.0.0.0 ::1");
  EXPECT_EQ(config_.maxclients, 50);
  EXPECT_EQ(config_.loglevel, "warning");
  EXPECT_EQ(config_.logfile, "");
  EXPECT_EQ(config_.proto_max_bulk_len, 2 * 1024 * 1024);
  EXPECT_EQ(config_.client_output_buffer_limit_pubsub.hard_bytes, 1024 * 1024);
  EXPECT_EQ(config_.client_output_buffer_limit_pubsub.soft_seconds, 5);
  EXPECT_EQ(config_.client_output_buffer_limit_replica.hard_bytes, 256 << 20);
  EXPECT_EQ(registry_.file(), file_);
}

TEST_F(ConfigRegistryTest, EmptyFileLoadsNothing) {
  EXPECT_EQ(load(""), "");
  EXPECT_EQ(config_.port, 6379);
}

TEST_F(ConfigRegistryTest, UnknownKeyIsReportedWithFileAndLine) {
  EXPECT_EQ(load("port: 6379\n\n# typo below\nprot: 7000\n"), file_ + ":4: unknown option 'prot'");
}

TEST_F(ConfigRegistryTest, OptionsStashdDoesNotImplementAreRejected) {
  EXPECT_EQ(load("io-threads: 4\n"), file_ + ":1: unknown option 'io-threads'");
}

TEST_F(ConfigRegistryTest, BadValuesInTheFileNameLineOptionAndReason) {
  EXPECT_EQ(load("bind: 127.0.0.1\nport: abc\n"),
            file_ +
                ":2: invalid value 'abc' for 'port': "
                "argument couldn't be parsed into an integer");
  EXPECT_EQ(load("databases: 300\n"), file_ +
                                          ":1: invalid value '300' for 'databases': "
                                          "argument must be between 1 and 256 inclusive");
  EXPECT_EQ(load("client-query-buffer-limit: 1x\n"),
            file_ +
                ":1: invalid value '1x' for 'client-query-buffer-limit': "
                "argument must be a memory value");
}

TEST_F(ConfigRegistryTest, YamlSyntaxErrorsReportFileAndLine) {
  const std::string message = load("port: 6379\nbind: a\n c: d: e\n");
  EXPECT_EQ(message.rfind(file_ + ":3: ", 0), 0u) << message;
}

TEST_F(ConfigRegistryTest, StructureErrorsReportFileAndLine) {
  EXPECT_EQ(load("port: 1\nbind: [a, b]\n"), file_ + ":2: value of 'bind' must be a scalar");
  EXPECT_EQ(load("- port\n"),
            file_ + ":1: the top level must be a mapping of option names to values");
  EXPECT_EQ(load("port: 1\nPort: 2\n"), file_ + ":2: duplicate option 'Port'");
}

TEST_F(ConfigRegistryTest, FailedLoadAppliesNothing) {
  EXPECT_NE(load("port: 7000\nhz: 20\nmaxclients: 0\n"), "");
  EXPECT_EQ(config_.port, 6379);
  EXPECT_EQ(config_.hz, 10);
  EXPECT_TRUE(registry_.file().empty());
}

TEST_F(ConfigRegistryTest, MissingFileIsReported) {
  const std::string missing = (dir_.path() / "absent.yaml").string();
  EXPECT_EQ(registry_.load_file(missing).message(),
            missing + ": cannot read config file: No such file or directory");
}

TEST_F(ConfigRegistryTest, CommandLineSetsImmutableOptions) {
  ASSERT_TRUE(registry_.set("port", "7000", true));
  ASSERT_TRUE(registry_.set("MaxClients", "50", true));
  EXPECT_EQ(config_.port, 7000);
  EXPECT_EQ(config_.maxclients, 50);
}

TEST_F(ConfigRegistryTest, CommandLineErrorsArePlain) {
  EXPECT_EQ(registry_.set("port", "x", true).message(),
            "invalid value 'x' for 'port': argument couldn't be parsed into an integer");
  EXPECT_EQ(registry_.set("prot", "1", true).message(), "unknown option 'prot'");
}

TEST_F(ConfigRegistryTest, ConfigSetChangesMutableOptions) {
  ASSERT_TRUE(set("maxclients", "50"));
  ASSERT_TRUE(set("LOGLEVEL", "Debug"));
  ASSERT_TRUE(set("requirepass", "s3cret"));
  EXPECT_EQ(config_.maxclients, 50);
  EXPECT_EQ(get_one(registry_, "loglevel"), "debug");
  EXPECT_EQ(get_one(registry_, "requirepass"), "s3cret");
}

TEST_F(ConfigRegistryTest, ConfigSetRejectsUnknownOptionsWithRedisWording) {
  EXPECT_EQ(error_of("io-threads", "4"),
            "ERR Unknown option or number of arguments for CONFIG SET - 'io-threads'");
}

TEST_F(ConfigRegistryTest, ConfigSetRejectsImmutableOptionsWithRedisWording) {
  for (const char* name : {"bind", "port", "tcp-backlog", "databases", "logfile", "pidfile"}) {
    EXPECT_EQ(error_of(name, "1"), std::string("ERR CONFIG SET failed (possibly related to "
                                               "argument '") +
                                       name + "') - can't set immutable config");
  }
  EXPECT_EQ(config_.port, 6379);
}

TEST_F(ConfigRegistryTest, ConfigSetExplainsInvalidValuesLikeRedis) {
  const std::string prefix = "ERR CONFIG SET failed (possibly related to argument ";
  EXPECT_EQ(error_of("timeout", "abc"),
            prefix + "'timeout') - argument couldn't be parsed into an integer");
  EXPECT_EQ(error_of("maxclients", "0"),
            prefix + "'maxclients') - argument must be between 1 and 4294967295 inclusive");
  EXPECT_EQ(error_of("proto-max-bulk-len", "lots"),
            prefix + "'proto-max-bulk-len') - argument must be a memory value");
  EXPECT_EQ(error_of("proto-max-bulk-len", "1000"),
            prefix +
                "'proto-max-bulk-len') - argument must be between 1048576 and "
                "9223372036854775807 inclusive");
  EXPECT_EQ(error_of("loglevel", "loud"),
            prefix +
                "'loglevel') - argument(s) must be one of the following: debug, verbose, "
                "notice, warning");
  EXPECT_EQ(error_of("client-output-buffer-limit", "normal 1 2"),
            prefix +
                "'client-output-buffer-limit') - Wrong number of arguments in buffer limit "
                "configuration.");
  EXPECT_EQ(error_of("client-output-buffer-limit", "master 1 2 3"),
            prefix +
                "'client-output-buffer-limit') - Invalid client class specified in buffer "
                "limit configuration.");
}

TEST_F(ConfigRegistryTest, ErrorsNameTheArgumentAsTheClientSpelledIt) {
  EXPECT_EQ(error_of("MaxClients", "-1"),
            "ERR CONFIG SET failed (possibly related to argument 'MaxClients') - argument must "
            "be between 1 and 4294967295 inclusive");
}

TEST_F(ConfigRegistryTest, HzIsClampedToOneThroughFiveHundred) {
  ASSERT_TRUE(set("hz", "1000"));
  EXPECT_EQ(get_one(registry_, "hz"), "500");
  ASSERT_TRUE(set("hz", "0"));
  EXPECT_EQ(get_one(registry_, "hz"), "1");
  EXPECT_EQ(error_of("hz", "-1"),
            "ERR CONFIG SET failed (possibly related to argument 'hz') - argument must be "
            "between 0 and 2147483647 inclusive");
}

TEST_F(ConfigRegistryTest, SlowlogThresholdAcceptsMinusOneButNothingLower) {
  ASSERT_TRUE(set("slowlog-log-slower-than", "-1"));
  EXPECT_EQ(config_.slowlog_log_slower_than, -1);
  EXPECT_NE(error_of("slowlog-log-slower-than", "-2"), "<ok>");
}

TEST_F(ConfigRegistryTest, MemoryOptionsTakeUnitsAndPrintBytes) {
  ASSERT_TRUE(set("proto-max-bulk-len", "2mb"));
  EXPECT_EQ(get_one(registry_, "proto-max-bulk-len"), "2097152");
  ASSERT_TRUE(set("client-query-buffer-limit", "1G"));
  EXPECT_EQ(get_one(registry_, "client-query-buffer-limit"), "1000000000");
}

TEST_F(ConfigRegistryTest, OutputBufferLimitSetChangesOnlyTheNamedClasses) {
  ASSERT_TRUE(set("client-output-buffer-limit", "slave 1mb 2mb 3 NORMAL 1 2 3"));
  EXPECT_EQ(get_one(registry_, "client-output-buffer-limit"),
            "normal 1 2 3 slave 1048576 2097152 3 pubsub 33554432 8388608 60");
  ASSERT_TRUE(set("client-output-buffer-limit", "replica 0 0 0"));
  EXPECT_EQ(config_.client_output_buffer_limit_replica.hard_bytes, 0);
}

TEST_F(ConfigRegistryTest, DirMustBeAnExistingDirectoryAndIsStoredAbsolute) {
  fs::create_directory(dir_.path() / "data");
  ASSERT_TRUE(set("dir", (dir_.path() / "data" / ".." / "data").string()));
  EXPECT_EQ(config_.dir, (dir_.path() / "data").string());
  const std::string prefix = "ERR CONFIG SET failed (possibly related to argument 'dir') - ";
  EXPECT_EQ(error_of("dir", (dir_.path() / "nope").string()), prefix + "No such file or directory");
  EXPECT_EQ(error_of("dir", dir_.write("file", "x")), prefix + "Not a directory");
}

TEST_F(ConfigRegistryTest, MultiSetAppliesEveryPair) {
  ASSERT_TRUE(registry_.set_many({{"maxclients", "50"}, {"hz", "20"}, {"timeout", "30"}}));
  EXPECT_EQ(config_.maxclients, 50);
  EXPECT_EQ(config_.hz, 20);
  EXPECT_EQ(config_.timeout, 30);
}

TEST_F(ConfigRegistryTest, MultiSetWithOneBadValueChangesNothing) {
  EXPECT_EQ(registry_.set_many({{"maxclients", "50"}, {"hz", "abc"}}).message(),
            "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be "
            "parsed into an integer");
  EXPECT_EQ(config_.maxclients, 10000);
}

TEST_F(ConfigRegistryTest, MultiSetRejectsADuplicateParameter) {
  EXPECT_EQ(registry_.set_many({{"hz", "5"}, {"HZ", "6"}}).message(),
            "ERR CONFIG SET failed (possibly related to argument 'HZ') - duplicate parameter");
  EXPECT_EQ(config_.hz, 10);
}

TEST_F(ConfigRegistryTest, MultiSetChecksEveryNameBeforeAnyValue) {
  EXPECT_EQ(registry_.set_many({{"hz", "abc"}, {"port", "1"}}).message(),
            "ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable "
            "config");
}

TEST_F(ConfigRegistryTest, GetMatchesGlobsCaseInsensitivelyInTableOrder) {
  const Pairs found = registry_.get("*MAX*LEN");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].first, "proto-max-bulk-len");
  EXPECT_EQ(found[1].first, "slowlog-max-len");
  EXPECT_EQ(registry_.get("MAXC*"), (Pairs{{"maxclients", "10000"}}));
  EXPECT_EQ(registry_.get("maxmemory-p*"), (Pairs{{"maxmemory-policy", "noeviction"}}));
  EXPECT_EQ(registry_.get("client-*-limit").size(), 2u);
  EXPECT_EQ(registry_.get("PORT"), (Pairs{{"port", "6379"}}));
  EXPECT_TRUE(registry_.get("io-threads").empty());
}

TEST_F(ConfigRegistryTest, KnowsOnlyTheOptionsItImplements) {
  EXPECT_TRUE(registry_.known("Client-Output-Buffer-Limit"));
  EXPECT_FALSE(registry_.known("io-threads"));
  EXPECT_FALSE(registry_.known("active-expire-enabled"));
}

TEST_F(ConfigRegistryTest, RewriteWithoutAFileFails) {
  EXPECT_EQ(registry_.rewrite().message(), "ERR The server is running without a config file");
}

TEST_F(ConfigRegistryTest, RewriteKeepsCommentsAndReplacesOnlyChangedValues) {
  ASSERT_EQ(load("# The port.\nport: 6379\n\n# Clients.\nmaxclients: 100   # at most\n"
                 "proto-max-bulk-len: 524288kb\nloglevel: 'notice'\n"),
            "");
  ASSERT_TRUE(set("maxclients", "50"));
  ASSERT_TRUE(set("loglevel", "debug"));
  ASSERT_TRUE(registry_.rewrite());
  EXPECT_EQ(read_file(file_),
            "# The port.\nport: 6379\n\n# Clients.\nmaxclients: 50   # at most\n"
            "proto-max-bulk-len: 524288kb\nloglevel: debug\n");
}

TEST_F(ConfigRegistryTest, RewriteAppendsChangedOptionsMissingFromTheFile) {
  ASSERT_EQ(load("port: 6379"), "");
  ASSERT_TRUE(set("hz", "20"));
  ASSERT_TRUE(registry_.rewrite());
  EXPECT_EQ(read_file(file_),
            "port: 6379\n\n# Generated by CONFIG REWRITE\n"
            "# Background task frequency per second, clamped to 1..500.\nhz: 20\n");
  ASSERT_TRUE(set("timeout", "5"));
  ASSERT_TRUE(registry_.rewrite());
  EXPECT_EQ(read_file(file_),
            "port: 6379\n\n# Generated by CONFIG REWRITE\n"
            "# Background task frequency per second, clamped to 1..500.\nhz: 20\n"
            "# Close a client after this many idle seconds; 0 never closes.\ntimeout: 5\n");
}

TEST_F(ConfigRegistryTest, RewriteWritesCommandLineOverrides) {
  ASSERT_EQ(load("port: 6379\n"), "");
  ASSERT_TRUE(registry_.set("port", "7001", true));
  ASSERT_TRUE(registry_.rewrite());
  EXPECT_EQ(read_file(file_), "port: 7001\n");
}

TEST_F(ConfigRegistryTest, RewriteOfTheShippedConfigWithoutChangesKeepsItByteForByte) {
  const std::string shipped = read_file(shipped_config_path());
  ASSERT_FALSE(shipped.empty());
  ASSERT_EQ(load(shipped), "");
  ASSERT_TRUE(registry_.rewrite());
  EXPECT_EQ(read_file(file_), shipped);
}

TEST_F(ConfigRegistryTest, RewrittenFileLoadsBackToTheRunningConfig) {
  ASSERT_EQ(load(read_file(shipped_config_path())), "");
  fs::create_directory(dir_.path() / "data dir");
  ASSERT_TRUE(registry_.set("bind", "0.0.0.0 ::1", true));
  ASSERT_TRUE(registry_.set_many({{"requirepass", "p@ss: #\"word\\"},
                                  {"client-output-buffer-limit", "pubsub 1536kb 0 7"},
                                  {"dir", (dir_.path() / "data dir").string()},
                                  {"proto-max-bulk-len", "3000000"},
                                  {"slowlog-log-slower-than", "-1"}}));
  ASSERT_TRUE(registry_.rewrite());

  Config reloaded;
  ConfigRegistry other(&reloaded);
  const Status status = other.load_file(file_);
  ASSERT_TRUE(status) << status.message() << "\n" << read_file(file_);
  EXPECT_EQ(other.get("*"), registry_.get("*")) << read_file(file_);
}

TEST_F(ConfigRegistryTest, RewriteKeepsTheFileMode) {
  ASSERT_EQ(load("hz: 10\n"), "");
  ASSERT_EQ(chmod(file_.c_str(), 0640), 0);
  ASSERT_TRUE(set("hz", "11"));
  ASSERT_TRUE(registry_.rewrite());
  struct stat st {};
  ASSERT_EQ(stat(file_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_.path()), fs::directory_iterator()), 1);
}

TEST_F(ConfigRegistryTest, HooksRunAfterARuntimeSetWithTheNewValueInPlace) {
  std::vector<int64_t> seen;
  registry_.on_change("HZ", [&] { seen.push_back(config_.hz); });
  ASSERT_TRUE(set("hz", "25"));
  EXPECT_EQ(seen, std::vector<int64_t>{25});
}

TEST_F(ConfigRegistryTest, HooksRunOnlyAfterEveryPairOfAMultiSetIsApplied) {
  std::vector<std::string> calls;
  registry_.on_change("maxclients",
                      [&] { calls.push_back("maxclients hz=" + std::to_string(config_.hz)); });
  registry_.on_change("hz", [&] { calls.push_back("hz"); });
  ASSERT_TRUE(registry_.set_many({{"maxclients", "5"}, {"hz", "30"}}));
  EXPECT_EQ(calls, (std::vector<std::string>{"maxclients hz=30", "hz"}));
}

TEST_F(ConfigRegistryTest, HooksDoNotRunForStartupOrFailedSets) {
  int calls = 0;
  registry_.on_change("maxclients", [&] { ++calls; });
  ASSERT_TRUE(registry_.set("maxclients", "5", true));
  ASSERT_EQ(load("maxclients: 6\n"), "");
  EXPECT_FALSE(set("maxclients", "0"));
  EXPECT_FALSE(registry_.set_many({{"maxclients", "7"}, {"hz", "x"}}));
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace stashd
