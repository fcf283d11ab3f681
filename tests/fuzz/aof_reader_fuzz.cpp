// Owns: fuzzing the append-only file's command reader (what the start-up loader and
// stashd-check-aof parse increments with): every command is read until the end, a truncation or
// a format error, and the reported offsets must stay inside the input. Thread: the fuzzer's.
#include <cstdlib>

#include "fuzz_target.h"
#include "persist/aof_reader.h"
#include "persist/byte_source.h"

std::vector<std::string> fuzz_seeds() {
  return {"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n",
          "*1\r\n$5\r\nMULTI\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n*1\r\n$4\r\nEXEC\r\n",
          "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nk\r\n$13\r\n1795476264979\r\n*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n"};
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  stashd::persist::ByteSource source(input);
  stashd::persist::AofCommandReader reader(source);
  std::vector<std::string_view> argv;
  using Result = stashd::persist::AofCommandReader::Result;
  for (size_t i = 0; i <= size; ++i) {
    Result r = reader.next(&argv);
    if (r != Result::kCommand) break;
    for (std::string_view arg : argv) {
      // Arguments are views into the input.
      if (arg.data() < input.data() || arg.data() + arg.size() > input.data() + input.size()) {
        std::abort();
      }
    }
  }
  if (reader.valid_up_to() > size || reader.problem_offset() > size) std::abort();
  return 0;
}
