// Owns: fuzzing the request parser: the input is parsed as one stream (pipelined requests, inline
// and multibulk), fed in growing prefixes as a socket would deliver it. Thread: the fuzzer's.
#include "fuzz_target.h"
#include "stashd/resp/parser.h"

std::vector<std::string> fuzz_seeds() {
  return {"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n*1\r\n$4\r\nPING\r\n",
          "PING\r\nSET k \"a b\\x41\" 'c'\r\n", "*2\r\n$3\r\nGET\r\n$-1\r\n",
          "*1\r\n$0\r\n\r\n*0\r\n\r\n"};
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  stashd::resp::RequestParser parser;
  size_t start = 0;
  // Deliver the bytes in chunks of 7, re-parsing the unconsumed tail like a connection does.
  for (size_t end = std::min<size_t>(7, size); start < size;) {
    stashd::resp::ParseStatus status = parser.parse(input.substr(start, end - start));
    if (status == stashd::resp::ParseStatus::kError) break;
    if (status == stashd::resp::ParseStatus::kCommand) {
      start += parser.consumed();
      parser.reset();
      continue;
    }
    if (end == size) break;
    end = std::min(size, end + 7);
  }
  return 0;
}
