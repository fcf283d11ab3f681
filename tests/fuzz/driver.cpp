// Owns: running a fuzz target without libFuzzer (gcc builds, CI): every seed, every prefix of the
// first seed, then mutations (bit flips, byte sets, truncations, duplicated and deleted spans,
// splices of two seeds) from a fixed-seed generator, for --runs inputs (default 20000) or --seconds
// (default 3), whichever ends first. --write-corpus DIR writes the seeds out for libFuzzer.
// Thread: main.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "fuzz_target.h"

namespace {

uint64_t g_state = 0x9E3779B97F4A7C15ULL;
uint64_t next() {
  uint64_t z = (g_state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::string mutate(const std::vector<std::string>& seeds) {
  std::string s = seeds[next() % seeds.size()];
  int steps = 1 + static_cast<int>(next() % 4);
  for (int i = 0; i < steps; ++i) {
    size_t pos = s.empty() ? 0 : next() % s.size();
    switch (next() % 6) {
      case 0:
        if (!s.empty()) s[pos] = static_cast<char>(s[pos] ^ (1u << (next() % 8)));
        break;
      case 1:
        if (!s.empty()) s[pos] = static_cast<char>(next());
        break;
      case 2:
        s.resize(pos);
        break;
      case 3: {
        size_t len = std::min<size_t>(next() % 16, s.size() - pos);
        s.insert(pos, s.substr(pos, len));
        break;
      }
      case 4: {
        size_t len = std::min<size_t>(next() % 16, s.size() - pos);
        s.erase(pos, len);
        break;
      }
      default: {
        const std::string& other = seeds[next() % seeds.size()];
        size_t from = other.empty() ? 0 : next() % other.size();
        s = s.substr(0, pos) + other.substr(from);
        break;
      }
    }
  }
  return s;
}

int run(const std::string& input) {
  return LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

}  // namespace

int main(int argc, char** argv) {
  long runs = 20000;
  double seconds = 3.0;
  const char* corpus = nullptr;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--runs") == 0) runs = std::atol(argv[i + 1]);
    if (std::strcmp(argv[i], "--seconds") == 0) seconds = std::atof(argv[i + 1]);
    if (std::strcmp(argv[i], "--write-corpus") == 0) corpus = argv[i + 1];
  }
  std::vector<std::string> seeds = fuzz_seeds();
  if (corpus != nullptr) {
    for (size_t i = 0; i < seeds.size(); ++i) {
      std::ofstream(std::string(corpus) + "/seed-" + std::to_string(i), std::ios::binary)
          << seeds[i];
    }
    return 0;
  }
  for (const std::string& s : seeds) run(s);
  for (size_t n = 0; n < seeds[0].size(); ++n) run(seeds[0].substr(0, n));
  auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  long done = 0;
  while (done < runs && std::chrono::steady_clock::now() < end) {
    run(mutate(seeds));
    ++done;
  }
  std::printf("%zu seeds, %zu prefixes, %ld mutations: no crash\n", seeds.size(), seeds[0].size(),
              done);
  return 0;
}
