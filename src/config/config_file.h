// Owns: the config file as text: parsing it as a flat YAML mapping with line numbers, replacing
// option values in place (comments, order and spacing kept), and replacing the file atomically.
// Must not touch: option semantics (option_table.h), sockets, the keyspace. Thread: the event loop
// (and main() before it starts).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "stashd/common/status.h"

namespace stashd::config {

// One top-level "name: value" pair of the file.
struct FileEntry {
  std::string name;   // as written
  std::string value;  // the scalar's text; empty for a null value
  bool null_value = false;
  int line = 0;  // 0-based line and column of the name
  int column = 0;
};

// Parses the contents of `path` as one YAML mapping of scalars. Errors read
// "<path>:<line>: <reason>" with 1-based lines.
Status parse_config_text(std::string_view path, const std::string& text,
                         std::vector<FileEntry>* entries);

struct ValueUpdate {
  size_t entry;        // index into the entries `text` was parsed into
  std::string scalar;  // the new value, already quoted for YAML if it needs it
};

// Returns `text` with the value of each updated entry replaced; every other line stays as it was.
std::string replace_values(std::string_view text, const std::vector<FileEntry>& entries,
                           const std::vector<ValueUpdate>& updates);

// A missing file reads as empty text (CONFIG REWRITE recreates it). Errors carry strerror().
Status read_text_file(const std::string& path, bool missing_ok, std::string* text);
// Writes a temporary file in the same directory, fsyncs it and renames it over `path`.
Status write_file_atomically(const std::string& path, std::string_view content);

}  // namespace stashd::config
