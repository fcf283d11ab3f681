// Owns: the standalone cache-aside load generator behind bench/hit_ratio.sh: Zipf-distributed GETs
// over a scrambled key universe, a SET for every miss, an optional one-off scan of cold keys, and
// one machine-readable result line on stdout. POSIX sockets and RESP2 only; it must not link or
// include anything from stashd, so it measures Redis and stashd with the same code.
// Thread: single-threaded, one blocking connection.
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr int kExitUsage = 1;
constexpr int kExitIo = 2;
constexpr uint64_t kMaxKeys = 50'000'000;  // the CDF takes 8 bytes per key
constexpr uint64_t kMaxValueSize = 16u << 20;
constexpr uint64_t kMaxBatch = 10'000;
constexpr size_t kMaxLineBytes = 64 * 1024;

[[noreturn]] void die(int code, const std::string& message) {
  std::fprintf(stderr, "hit_ratio_client: %s\n", message.c_str());
  std::exit(code);
}

struct Options {
  std::string host = "127.0.0.1";
  std::string port = "6379";
  uint64_t keys = 1'000'000;
  uint64_t value_size = 1024;
  double zipf_s = 0.99;
  uint64_t seed = 1;
  uint64_t batch = 64;
  uint64_t warmup = 2'000'000;
  uint64_t requests = 3'000'000;
  uint64_t scan = 0;
  uint64_t io_timeout_s = 60;
};

constexpr const char* kUsage =
    "usage: hit_ratio_client [--host H] [--port P] [--keys N] [--value-size V] [--zipf S]\n"
    "         [--seed X] [--batch B] [--warmup W] [--requests M] [--scan K] [--timeout SEC]\n"
    "Cache-aside over N keys (GET; SET on a miss), Zipf(S) popularity, W unmeasured then M\n"
    "measured requests; --scan K interleaves one access to each of K cold keys from the middle\n"
    "of the measured phase. Defaults: 127.0.0.1 6379 1000000 1024 0.99 1 64 2000000 3000000 0 "
    "60.\n";

uint64_t parse_count(std::string_view flag, const char* text, uint64_t lo, uint64_t hi) {
  uint64_t value = 0;
  std::string_view s(text);
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value < lo || value > hi) {
    die(kExitUsage, std::string(flag) + " wants an integer in [" + std::to_string(lo) + ", " +
                        std::to_string(hi) + "], got '" + text + "'");
  }
  return value;
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view flag(argv[i]);
    if (flag == "-h" || flag == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    if (i + 1 >= argc) die(kExitUsage, std::string("missing value for ") + argv[i] + "\n" + kUsage);
    const char* v = argv[++i];
    if (flag == "--host") {
      o.host = v;
    } else if (flag == "--port") {
      o.port = std::to_string(parse_count(flag, v, 1, 65535));
    } else if (flag == "--keys") {
      o.keys = parse_count(flag, v, 1, kMaxKeys);
    } else if (flag == "--value-size") {
      o.value_size = parse_count(flag, v, 1, kMaxValueSize);
    } else if (flag == "--zipf") {
      char* end = nullptr;
      o.zipf_s = std::strtod(v, &end);
      if (*v == '\0' || *end != '\0' || !(o.zipf_s >= 0.0 && o.zipf_s <= 10.0)) {
        die(kExitUsage, std::string("--zipf wants a number in [0, 10], got '") + v + "'");
      }
    } else if (flag == "--seed") {
      o.seed = parse_count(flag, v, 0, UINT64_MAX);
    } else if (flag == "--batch") {
      o.batch = parse_count(flag, v, 1, kMaxBatch);
    } else if (flag == "--warmup") {
      o.warmup = parse_count(flag, v, 0, 1'000'000'000'000);
    } else if (flag == "--requests") {
      o.requests = parse_count(flag, v, 1, 1'000'000'000'000);
    } else if (flag == "--scan") {
      o.scan = parse_count(flag, v, 0, 1'000'000'000'000);
    } else if (flag == "--timeout") {
      o.io_timeout_s = parse_count(flag, v, 1, 86'400);
    } else {
      die(kExitUsage, std::string("unknown option ") + argv[i - 1] + "\n" + kUsage);
    }
  }
  return o;
}

// Exact inverse-CDF sampling of ranks 1..N with P(k) proportional to k^-s.
class ZipfSampler {
 public:
  ZipfSampler(uint64_t n, double s) : cdf_(n) {
    double sum = 0.0;
    for (uint64_t k = 1; k <= n; ++k) {
      sum += std::pow(static_cast<double>(k), -s);
      cdf_[k - 1] = sum;
    }
  }

  // Returns a 0-based rank (0 is the most popular).
  uint64_t sample(std::mt19937_64& rng) const {
    double u = static_cast<double>(rng() >> 11) * 0x1.0p-53 * cdf_.back();
    auto it = std::upper_bound(cdf_.begin(), cdf_.end(), u);
    return std::min<uint64_t>(it - cdf_.begin(), cdf_.size() - 1);
  }

 private:
  std::vector<double> cdf_;
};

// A bijection of [0, N) (x -> a*x + b mod N with gcd(a, N) = 1) so that popular ranks land on
// key ids spread over the whole universe instead of one lexicographic run.
class KeyScramble {
 public:
  explicit KeyScramble(uint64_t n)
      : n_(n), a_(0x9E3779B97F4A7C15ull % n), b_(0x5851F42D4C957F2Dull % n) {
    if (a_ == 0) a_ = 1;
    while (std::gcd(a_, n_) != 1) ++a_;
  }
  uint64_t map(uint64_t rank) const { return (rank * a_ + b_) % n_; }  // n_ < 2^32: no overflow

 private:
  uint64_t n_, a_, b_;
};

// Which tally an access belongs to. Regular accesses of the measured phase are split by where the
// scan stands when they are issued.
enum class Phase { kWarmup, kBeforeScan, kDuringScan, kAfterScan, kScan, kCount };

struct Access {
  Phase phase;
  uint64_t id;  // key id (regular) or cold key index (scan)
  bool is_scan() const { return phase == Phase::kScan; }
  bool same_key(const Access& o) const { return is_scan() == o.is_scan() && id == o.id; }
};

// The request sequence: W warmup accesses, then M measured regular ones; from measured request
// M/2 on, each regular access is followed by one scan access until K have been issued.
class AccessStream {
 public:
  explicit AccessStream(const Options& o)
      : o_(o), zipf_(o.keys, o.zipf_s), scramble_(o.keys), rng_(o.seed) {}

  bool done() const { return regular_ == o_.warmup + o_.requests && !scan_pending_; }
  uint64_t regular_issued() const { return regular_; }

  Access next() {
    if (scan_pending_) {
      scan_pending_ = false;
      return {Phase::kScan, scans_++};
    }
    uint64_t id = scramble_.map(zipf_.sample(rng_));
    uint64_t index = regular_++;
    if (index < o_.warmup) return {Phase::kWarmup, id};
    uint64_t measured = index - o_.warmup;
    if (o_.scan == 0 || measured < o_.requests / 2) return {Phase::kBeforeScan, id};
    if (scans_ == o_.scan) return {Phase::kAfterScan, id};
    scan_pending_ = true;
    return {Phase::kDuringScan, id};
  }

 private:
  const Options& o_;
  ZipfSampler zipf_;
  KeyScramble scramble_;
  std::mt19937_64 rng_;
  uint64_t regular_ = 0;
  uint64_t scans_ = 0;
  bool scan_pending_ = false;
};

enum class ReplyType { kNil, kBulk, kStatus, kError, kInteger };

struct Reply {
  ReplyType type;
  std::string_view text;  // status, error or integer text; valid until the next read
};

// One blocking RESP2 connection with a reusable read buffer. Every I/O error is fatal.
class RespConnection {
 public:
  RespConnection(const std::string& host, const std::string& port, uint64_t timeout_s)
      : where_(host + ":" + port), buf_(256 * 1024) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* list = nullptr;
    int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &list);
    if (rc != 0) die(kExitIo, "cannot resolve " + where_ + ": " + gai_strerror(rc));
    int last_errno = 0;
    for (addrinfo* ai = list; ai != nullptr && fd_ < 0; ai = ai->ai_next) {
      int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
      if (fd < 0) continue;
      if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
        fd_ = fd;
      } else {
        last_errno = errno;
        close(fd);
      }
    }
    freeaddrinfo(list);
    if (fd_ < 0) die(kExitIo, "cannot connect to " + where_ + ": " + std::strerror(last_errno));
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    // Timeouts turn a stalled server into an error instead of a hang.
    timeval tv{static_cast<time_t>(timeout_s), 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }
  ~RespConnection() { close(fd_); }
  RespConnection(const RespConnection&) = delete;
  RespConnection& operator=(const RespConnection&) = delete;

  void write_all(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) fail("write");
      data.remove_prefix(static_cast<size_t>(n));
    }
  }

  Reply read_reply() {
    std::string_view line = read_line();
    if (line.empty()) die(kExitIo, "protocol error from " + where_ + ": empty reply line");
    std::string_view rest = line.substr(1);
    switch (line[0]) {
      case '+':
        return {ReplyType::kStatus, rest};
      case '-':
        return {ReplyType::kError, rest};
      case ':':
        return {ReplyType::kInteger, rest};
      case '_':
        return {ReplyType::kNil, {}};
      case '$': {
        int64_t len = 0;
        auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), len);
        if (ec != std::errc() || end != rest.data() + rest.size() || len < -1) break;
        if (len == -1) return {ReplyType::kNil, {}};
        skip(static_cast<size_t>(len) + 2);
        return {ReplyType::kBulk, {}};
      }
      default:
        break;
    }
    die(kExitIo, "protocol error from " + where_ + ": unexpected reply '" +
                     std::string(line.substr(0, 80)) + "'");
  }

 private:
  [[noreturn]] void fail(const char* what) {
    if (errno == EAGAIN || errno == EWOULDBLOCK)
      die(kExitIo, std::string(what) + " on " + where_ + " timed out");
    die(kExitIo, std::string(what) + " on " + where_ + " failed: " +
                     (errno == 0 ? "connection closed by server" : std::strerror(errno)));
  }

  void fill() {
    if (begin_ > 0) {
      std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    if (end_ == buf_.size()) buf_.resize(buf_.size() * 2);
    for (;;) {
      ssize_t n = recv(fd_, buf_.data() + end_, buf_.size() - end_, 0);
      if (n > 0) {
        end_ += static_cast<size_t>(n);
        return;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n == 0) errno = 0;
      fail("read");
    }
  }

  std::string_view read_line() {
    size_t scanned = begin_;
    for (;;) {
      const char* start = buf_.data() + begin_;
      auto* nl = static_cast<const char*>(std::memchr(buf_.data() + scanned, '\n', end_ - scanned));
      if (nl != nullptr) {
        size_t len = static_cast<size_t>(nl - start);
        begin_ += len + 1;
        if (len > 0 && start[len - 1] == '\r') --len;
        return {start, len};
      }
      if (end_ - begin_ > kMaxLineBytes)
        die(kExitIo, "protocol error from " + where_ + ": line too long");
      scanned = end_ - begin_;
      fill();
      scanned += begin_;
    }
  }

  void skip(size_t n) {
    while (n > 0) {
      if (begin_ == end_) {
        begin_ = end_ = 0;
        fill();
      }
      size_t take = std::min(n, end_ - begin_);
      begin_ += take;
      n -= take;
    }
  }

  std::string where_;
  int fd_ = -1;
  std::vector<char> buf_;
  size_t begin_ = 0, end_ = 0;
};

struct Tally {
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t total() const { return hits + misses; }
};

// Runs the cache-aside loop in pipelined batches: all GETs of a batch, then one SET per distinct
// missed key. A key repeated within a batch after a miss counts as the hit (or miss) it would
// have been had the accesses been sequential: hit if the first miss's SET succeeded.
class CacheAsideRunner {
 public:
  CacheAsideRunner(RespConnection& conn, const Options& o)
      : conn_(conn), value_(o.value_size, 'v') {}

  void run_batch(const std::vector<Access>& batch) {
    out_.clear();
    for (const Access& a : batch) append_command(a, "GET", {});
    conn_.write_all(out_);

    outcome_.assign(batch.size(), Outcome::kHit);
    setter_.assign(batch.size(), kNone);
    out_.clear();
    for (size_t i = 0; i < batch.size(); ++i) {
      Reply r = conn_.read_reply();
      if (r.type == ReplyType::kBulk) continue;
      if (r.type != ReplyType::kNil) die(kExitIo, "GET failed: " + std::string(r.text));
      outcome_[i] = Outcome::kMiss;
      for (size_t j = 0; j < i && setter_[i] == kNone; ++j) {
        if (outcome_[j] == Outcome::kMissSet && batch[j].same_key(batch[i])) setter_[i] = j;
      }
      if (setter_[i] == kNone) {
        outcome_[i] = Outcome::kMissSet;
        append_command(batch[i], "SET", value_);
      }
    }
    if (!out_.empty()) conn_.write_all(out_);

    set_ok_.assign(batch.size(), false);
    for (size_t i = 0; i < batch.size(); ++i) {
      if (outcome_[i] != Outcome::kMissSet) continue;
      Reply r = conn_.read_reply();
      set_ok_[i] = r.type == ReplyType::kStatus;
      if (r.type == ReplyType::kError) note_set_error(r.text);
    }
    for (size_t i = 0; i < batch.size(); ++i) {
      bool hit = outcome_[i] == Outcome::kHit || (setter_[i] != kNone && set_ok_[setter_[i]]);
      Tally& t = tallies_[static_cast<size_t>(batch[i].phase)];
      ++(hit ? t.hits : t.misses);
    }
  }

  const Tally& tally(Phase p) const { return tallies_[static_cast<size_t>(p)]; }
  uint64_t oom_errors() const { return oom_errors_; }
  uint64_t other_set_errors() const { return other_set_errors_; }

 private:
  enum class Outcome { kHit, kMiss, kMissSet };
  static constexpr size_t kNone = SIZE_MAX;

  void append_bulk(std::string_view s) {
    char num[24];
    auto [end, ec] = std::to_chars(num, num + sizeof num, s.size());
    out_ += '$';
    out_.append(num, end);
    out_ += "\r\n";
    out_ += s;
    out_ += "\r\n";
  }

  void append_command(const Access& a, std::string_view verb, std::string_view value) {
    char key[32];
    std::string_view prefix = a.is_scan() ? "cold:" : "key:";
    std::memcpy(key, prefix.data(), prefix.size());
    auto [end, ec] = std::to_chars(key + prefix.size(), key + sizeof key, a.id);
    out_ += value.empty() ? "*2\r\n" : "*3\r\n";
    append_bulk(verb);
    append_bulk({key, static_cast<size_t>(end - key)});
    if (!value.empty()) append_bulk(value);
  }

  void note_set_error(std::string_view text) {
    bool oom = text.starts_with("OOM");
    uint64_t& count = oom ? oom_errors_ : other_set_errors_;
    if (count++ == 0)
      std::fprintf(stderr, "first SET error: -%.*s\n", static_cast<int>(text.size()), text.data());
  }

  RespConnection& conn_;
  std::string value_;
  std::string out_;
  std::vector<Outcome> outcome_;
  std::vector<size_t> setter_;
  std::vector<bool> set_ok_;
  Tally tallies_[static_cast<size_t>(Phase::kCount)];
  uint64_t oom_errors_ = 0;
  uint64_t other_set_errors_ = 0;
};

std::string ratio(const Tally& t) {
  if (t.total() == 0) return "nan";
  char text[32];
  std::snprintf(text, sizeof text, "%.4f",
                static_cast<double>(t.hits) / static_cast<double>(t.total()));
  return text;
}

Tally operator+(Tally a, const Tally& b) { return {a.hits + b.hits, a.misses + b.misses}; }

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse_options(argc, argv);
  if (o.scan > 0 && o.scan > o.requests - o.requests / 2) {
    std::fprintf(stderr, "warning: --scan %llu does not finish within the measured phase\n",
                 static_cast<unsigned long long>(o.scan));
  }
  RespConnection conn(o.host, o.port, o.io_timeout_s);
  conn.write_all("*1\r\n$6\r\nDBSIZE\r\n");
  Reply size = conn.read_reply();
  if (size.type != ReplyType::kInteger) die(kExitIo, "DBSIZE failed: " + std::string(size.text));
  if (size.text != "0")
    std::fprintf(stderr, "warning: server already holds %.*s keys\n",
                 static_cast<int>(size.text.size()), size.text.data());

  AccessStream stream(o);
  CacheAsideRunner runner(conn, o);
  std::vector<Access> batch;
  batch.reserve(o.batch);
  const uint64_t total_regular = o.warmup + o.requests;
  const uint64_t report_every = std::max<uint64_t>(total_regular / 10, 1);
  uint64_t next_report = report_every;
  auto start = std::chrono::steady_clock::now();
  auto measured_start = start;
  double warmup_seconds = 0.0;
  bool measuring = o.warmup == 0;
  // Each pass issues at least one access, so this ends after at most W + M + K passes.
  while (!stream.done()) {
    batch.clear();
    while (batch.size() < o.batch && !stream.done()) {
      if (!measuring && stream.regular_issued() == o.warmup) break;  // don't time warmup work
      batch.push_back(stream.next());
    }
    if (!batch.empty()) runner.run_batch(batch);
    if (!measuring && stream.regular_issued() == o.warmup) {
      measuring = true;
      warmup_seconds = seconds_since(start);
      measured_start = std::chrono::steady_clock::now();
    }
    if (stream.regular_issued() >= next_report) {
      next_report += report_every;
      std::fprintf(stderr, "%llu/%llu regular requests, %.1fs\n",
                   static_cast<unsigned long long>(stream.regular_issued()),
                   static_cast<unsigned long long>(total_regular), seconds_since(start));
    }
  }
  double measured_seconds = seconds_since(measured_start);

  const Tally& before = runner.tally(Phase::kBeforeScan);
  const Tally& during = runner.tally(Phase::kDuringScan);
  const Tally& after = runner.tally(Phase::kAfterScan);
  const Tally& scan = runner.tally(Phase::kScan);
  Tally regular = before + during + after;
  std::printf(
      "hit_ratio=%s hits=%llu misses=%llu before_scan=%s during_scan=%s after_scan=%s "
      "during_requests=%llu after_requests=%llu scan_hits=%llu scan_misses=%llu oom_errors=%llu "
      "set_errors=%llu warmup_hit_ratio=%s warmup_seconds=%.2f seconds=%.2f\n",
      ratio(regular).c_str(), static_cast<unsigned long long>(regular.hits),
      static_cast<unsigned long long>(regular.misses), ratio(before).c_str(), ratio(during).c_str(),
      ratio(after).c_str(), static_cast<unsigned long long>(during.total()),
      static_cast<unsigned long long>(after.total()), static_cast<unsigned long long>(scan.hits),
      static_cast<unsigned long long>(scan.misses),
      static_cast<unsigned long long>(runner.oom_errors()),
      static_cast<unsigned long long>(runner.other_set_errors()),
      ratio(runner.tally(Phase::kWarmup)).c_str(), warmup_seconds, measured_seconds);
  return 0;
}
