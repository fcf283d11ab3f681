// Owns: helpers shared by the AOF tests: a temp directory removed at the end, whole-file reads and
// writes, and RESP encoding of commands the way AofWriter writes them. Thread: the test's.
#pragma once

#include <stdlib.h>
#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

namespace stashd::persist::testing {

class AofTempDir {
 public:
  AofTempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "stashd-aof-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~AofTempDir() { std::filesystem::remove_all(path_); }
  AofTempDir(const AofTempDir&) = delete;
  AofTempDir& operator=(const AofTempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_file(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline uint64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

// One command as RESP: *N CRLF then $len CRLF arg CRLF for each argument.
inline std::string resp(std::initializer_list<std::string_view> argv) {
  std::string out = "*" + std::to_string(argv.size()) + "\r\n";
  for (std::string_view a : argv) {
    out += "$" + std::to_string(a.size()) + "\r\n";
    out.append(a);
    out += "\r\n";
  }
  return out;
}

}  // namespace stashd::persist::testing
