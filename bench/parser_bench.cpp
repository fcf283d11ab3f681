// Owns: micro benchmarks of the resp module: parsing a pipeline of SET requests and writing typical
// replies. Must not touch: sockets or other modules. Thread: the benchmark's main thread.
//
// These isolate the parser and writer costs. Redis has no in-process counterpart to run beside
// them, so the ratio against Redis belongs to end-to-end load runs (redis-benchmark -P 16 -d 100).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "stashd/resp/parser.h"
#include "stashd/resp/writer.h"

namespace {

using stashd::resp::ParseStatus;
using stashd::resp::ReplyWriter;
using stashd::resp::RequestParser;

constexpr int kPipelineDepth = 16;
constexpr size_t kValueSize = 100;

std::string multibulk(const std::vector<std::string>& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const std::string& a : args) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

// 16 x "SET key:%012d <100-byte value>", as redis-benchmark -P 16 -d 100 sends them.
std::string set_pipeline() {
  std::string buffer;
  const std::string value(kValueSize, 'x');
  for (int i = 0; i < kPipelineDepth; ++i) {
    char key[32];
    std::snprintf(key, sizeof(key), "key:%012d", i);
    buffer += multibulk({"SET", key, value});
  }
  return buffer;
}

void BM_ParseSetPipeline(benchmark::State& state) {
  const std::string buffer = set_pipeline();
  RequestParser parser;
  size_t args = 0;
  for (auto _ : state) {
    std::string_view rest = buffer;
    while (!rest.empty() && parser.parse(rest) == ParseStatus::kCommand) {
      args += parser.args().size();
      rest.remove_prefix(parser.consumed());
    }
    benchmark::DoNotOptimize(args);
  }
  state.SetItemsProcessed(state.iterations() * kPipelineDepth);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(buffer.size()));
  state.SetLabel("16 x SET key:%012d <100 B value>, whole pipeline in one buffer");
}
BENCHMARK(BM_ParseSetPipeline);

// The same pipeline arriving in 1460-byte segments (one TCP MSS each), re-offered as it grows.
void BM_ParseSetPipelineInSegments(benchmark::State& state) {
  const std::string buffer = set_pipeline();
  constexpr size_t kSegment = 1460;
  RequestParser parser;
  size_t args = 0;
  for (auto _ : state) {
    size_t start = 0;
    size_t available = 0;
    while (start < buffer.size()) {
      available = std::min(buffer.size(), available + kSegment);
      while (start < available) {
        const std::string_view rest(buffer.data() + start, available - start);
        if (parser.parse(rest) != ParseStatus::kCommand) break;
        args += parser.args().size();
        start += parser.consumed();
      }
    }
    benchmark::DoNotOptimize(args);
  }
  state.SetItemsProcessed(state.iterations() * kPipelineDepth);
  state.SetLabel("16 x SET, delivered in 1460 B segments");
}
BENCHMARK(BM_ParseSetPipelineInSegments);

void BM_ParseInlinePing(benchmark::State& state) {
  const std::string buffer = "PING\r\n";
  RequestParser parser;
  for (auto _ : state) {
    benchmark::DoNotOptimize(parser.parse(buffer));
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel("inline PING");
}
BENCHMARK(BM_ParseInlinePing);

// Replies to the 16 SETs plus the replies of a typical GET/INCR/HGETALL/ZSCORE mix.
void BM_WriteTypicalReplies(benchmark::State& state) {
  const int protocol = static_cast<int>(state.range(0));
  const std::string value(kValueSize, 'v');
  std::string out;
  out.reserve(64 * 1024);
  ReplyWriter writer(&out, protocol);
  int64_t counter = 0;
  for (auto _ : state) {
    out.clear();
    for (int i = 0; i < kPipelineDepth; ++i) writer.ok();
    writer.bulk(value);
    writer.null();
    writer.integer(++counter);
    writer.map(2);
    writer.bulk("field1");
    writer.bulk(value);
    writer.bulk("field2");
    writer.bulk("42");
    writer.double_value(3.5);
    writer.double_value(0.1);
    writer.error("WRONGTYPE Operation against a key holding the wrong kind of value");
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * (kPipelineDepth + 7));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(out.size()));
  state.SetLabel(protocol == 3 ? "RESP3: 16 x OK, GET, nil, INCR, HGETALL, 2 x ZSCORE, error"
                               : "RESP2: 16 x OK, GET, nil, INCR, HGETALL, 2 x ZSCORE, error");
}
BENCHMARK(BM_WriteTypicalReplies)->Arg(2)->Arg(3);

void BM_WriteBulkArrayReply(benchmark::State& state) {
  const std::string value(kValueSize, 'v');
  std::string out;
  out.reserve(64 * 1024);
  ReplyWriter writer(&out, 2);
  for (auto _ : state) {
    out.clear();
    writer.array(100);
    for (int i = 0; i < 100; ++i) writer.bulk(value);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * 100);
  state.SetLabel("LRANGE-like: array of 100 x 100 B bulks");
}
BENCHMARK(BM_WriteBulkArrayReply);

}  // namespace
