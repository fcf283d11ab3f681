// Tests ByteSource: spans from memory and from an fd (known size or a pipe), requests larger than
// its buffer, the running checksum, and stopping at the end without over-reading.
#include "persist/byte_source.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <xxhash.h>

#include <thread>

#include "persist/sample_dataset.h"

namespace stashd::persist {
namespace {

TEST(ByteSource, HandsOutMemoryAndHashesWhatIsConsumed) {
  const std::string data = "0123456789";
  ByteSource src(data);
  ASSERT_TRUE(src.ensure(4));
  EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(src.data()), 4), "0123");
  src.consume(4);
  EXPECT_EQ(src.offset(), 4u);
  EXPECT_EQ(src.ensure_up_to(100), 6u);
  EXPECT_FALSE(src.ensure(7));
  src.consume(6);
  EXPECT_EQ(src.digest(), XXH64(data.data(), data.size(), 0));
  EXPECT_EQ(src.total(), data.size());
  EXPECT_EQ(src.error(), "");
}

// Feeds `data` through a pipe from another thread in small writes, so reads come in pieces.
class PipeFeeder {
 public:
  explicit PipeFeeder(const std::string& data) {
    if (::pipe(fds_) != 0) fds_[0] = fds_[1] = -1;
    thread_ = std::thread([this, &data] {
      for (size_t at = 0; at < data.size();) {
        ssize_t n = ::write(fds_[1], data.data() + at, std::min<size_t>(7777, data.size() - at));
        if (n <= 0) break;
        at += static_cast<size_t>(n);
      }
      ::close(fds_[1]);
    });
  }
  ~PipeFeeder() {
    thread_.join();
    ::close(fds_[0]);
  }
  int fd() const { return fds_[0]; }

 private:
  int fds_[2];
  std::thread thread_;
};

TEST(ByteSource, ReadsAPipeInPiecesAcrossItsBuffer) {
  const std::string data = testing::random_bytes(3 * ByteSource::kChunk + 123, 5);
  PipeFeeder feeder(data);
  ByteSource src(feeder.fd(), 0);
  ASSERT_TRUE(src.ensure(10));
  src.consume(10);
  // A span bigger than the buffer grows it as the bytes arrive.
  const size_t big = 2 * ByteSource::kChunk + 17;
  ASSERT_TRUE(src.ensure(big));
  EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(src.data()), big),
            std::string_view(data).substr(10, big));
  src.consume(big);
  size_t rest = data.size() - 10 - big;
  EXPECT_EQ(src.ensure_up_to(data.size()), rest);
  src.consume(rest);
  EXPECT_FALSE(src.ensure(1));
  EXPECT_EQ(src.error(), "");
  EXPECT_EQ(src.digest(), XXH64(data.data(), data.size(), 0));
}

TEST(ByteSource, KnownSizeBoundsRequests) {
  const std::string data = testing::random_bytes(5000, 9);
  PipeFeeder feeder(data);
  ByteSource src(feeder.fd(), data.size());
  // Past the known size nothing is allocated or waited for: the answer is what is there.
  EXPECT_EQ(src.ensure_up_to(uint64_t{1} << 40), data.size());
  EXPECT_FALSE(src.ensure(data.size() + 1));
}

TEST(ByteSource, ReportsReadErrors) {
  constexpr int kNotOpen = 999;
  ByteSource src(kNotOpen, 0);
  EXPECT_FALSE(src.ensure(1));
  EXPECT_EQ(src.error(), "read error at offset 0: Bad file descriptor");
}

}  // namespace
}  // namespace stashd::persist
