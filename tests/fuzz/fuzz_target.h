// Owns: the contract every fuzz target in tests/fuzz follows: LLVMFuzzerTestOneInput (libFuzzer's
// entry point) must accept any bytes without crashing, leaking or hanging, and fuzz_seeds() gives
// valid inputs to start from. With clang and -DSTASHD_FUZZ=ON the targets link libFuzzer; otherwise
// driver.cpp runs the seeds and a bounded number of deterministic mutations of them (a ctest).
// Thread: the fuzzer's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
std::vector<std::string> fuzz_seeds();
