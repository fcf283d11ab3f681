// Owns: unit tests of LogFileSink: lines reach the file, reopen() after the file was moved starts
// a new file at the path, and a failed reopen keeps the old file. Thread: the test's.
#include "stashd/server/log_file_sink.h"

#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

namespace stashd {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class LogFileSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("stashd-logsink-" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(LogFileSinkTest, ReopenAfterAMoveWritesANewFileAtThePath) {
  const fs::path path = dir_ / "stashd.log";
  auto sink = std::make_shared<LogFileSink>(path.string());
  spdlog::logger logger("t", sink);
  logger.set_pattern("%v");
  logger.info("before");
  logger.flush();
  fs::rename(path, dir_ / "stashd.log.1");
  ASSERT_TRUE(sink->reopen());
  logger.info("after");
  logger.flush();
  EXPECT_EQ(read(dir_ / "stashd.log.1"), "before\n");
  EXPECT_EQ(read(path), "after\n");
}

TEST_F(LogFileSinkTest, ReopenWithoutAMoveAppends) {
  const fs::path path = dir_ / "stashd.log";
  auto sink = std::make_shared<LogFileSink>(path.string());
  spdlog::logger logger("t", sink);
  logger.set_pattern("%v");
  logger.info("one");
  ASSERT_TRUE(sink->reopen());
  logger.info("two");
  logger.flush();
  EXPECT_EQ(read(path), "one\ntwo\n");
}

TEST_F(LogFileSinkTest, FailedReopenKeepsTheOldFile) {
  const fs::path sub = dir_ / "logs";
  fs::create_directories(sub);
  auto sink = std::make_shared<LogFileSink>((sub / "stashd.log").string());
  spdlog::logger logger("t", sink);
  logger.set_pattern("%v");
  fs::rename(sub, dir_ / "moved");  // the path's directory is gone
  Status s = sink->reopen();
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("cannot reopen"), std::string::npos);
  logger.info("still here");
  logger.flush();
  EXPECT_EQ(read(dir_ / "moved" / "stashd.log"), "still here\n");
}

TEST_F(LogFileSinkTest, AnUnopenablePathThrowsLikeSpdlogsSinks) {
  EXPECT_THROW(LogFileSink((dir_ / "missing" / "stashd.log").string()), spdlog::spdlog_ex);
}

}  // namespace
}  // namespace stashd
