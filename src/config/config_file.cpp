// Owns: the config file as text: YAML parsing with line numbers, in-place value replacement for
// CONFIG REWRITE, and the write-temp/fsync/rename sequence.
// Must not touch: option semantics (option_table.h), sockets, the keyspace. Thread: the event loop
// (and main() before it starts).
#include "config/config_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

namespace stashd::config {
namespace {

Status error_at(std::string_view path, int zero_based_line, std::string_view reason) {
  return Status::error(fmt::format("{}:{}: {}", path, zero_based_line + 1, reason));
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

bool is_null_word(std::string_view s) {
  return s == "~" || s == "null" || s == "Null" || s == "NULL";
}

// Index of the quote closing the quoted scalar that starts at s[0], or nullopt if it ends later.
std::optional<size_t> closing_quote(std::string_view s) {
  const char quote = s[0];
  for (size_t i = 1; i < s.size(); ++i) {
    if (quote == '"' && s[i] == '\\') {
      ++i;
    } else if (s[i] == quote) {
      if (quote == '\'' && i + 1 < s.size() && s[i + 1] == '\'') {
        ++i;
      } else {
        return i;
      }
    }
  }
  return std::nullopt;
}

// Position of the ':' that ends the key starting at `column`, or npos.
size_t find_colon(std::string_view line, size_t column) {
  size_t i = column;
  if (i < line.size() && (line[i] == '"' || line[i] == '\'')) {
    const std::optional<size_t> close = closing_quote(line.substr(i));
    if (!close) return std::string_view::npos;
    i += *close + 1;
    while (i < line.size() && is_blank(line[i])) ++i;
    return i < line.size() && line[i] == ':' ? i : std::string_view::npos;
  }
  for (; i < line.size(); ++i) {
    if (line[i] == ':' && (i + 1 == line.size() || is_blank(line[i + 1]))) return i;
  }
  return std::string_view::npos;
}

// Length of a plain scalar at the start of `rest`: up to a " #" comment or the end, less blanks.
size_t plain_length(std::string_view rest) {
  size_t end = rest.size();
  for (size_t i = 1; i < rest.size(); ++i) {
    if (rest[i] == '#' && is_blank(rest[i - 1])) {
      end = i;
      break;
    }
  }
  while (end > 0 && is_blank(rest[end - 1])) --end;
  return end;
}

bool is_comment_or_blank(std::string_view line) {
  const size_t first = line.find_first_not_of(" \t\r");
  return first == std::string_view::npos || line[first] == '#';
}

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (true) {
    const size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      lines.emplace_back(text.substr(start));
      return lines;
    }
    lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
}

// Rewrites one entry's value. A value that fits on the key line is replaced in place; one that
// spans lines (block or multi-line scalar) is replaced by a one-line value and its continuation
// lines are dropped, keeping the comments and blank lines that follow it. Returns the last line
// index the value occupied.
size_t replace_entry(std::vector<std::string>* lines, const FileEntry& entry, size_t region_end,
                     const std::string& scalar) {
  std::string& line = (*lines)[entry.line];
  const size_t colon = find_colon(line, entry.column);
  if (colon == std::string::npos) return entry.line;
  size_t start = colon + 1;
  while (start < line.size() && is_blank(line[start])) ++start;
  const std::string_view rest = std::string_view(line).substr(start);

  std::optional<size_t> length;
  if (!rest.empty() && (rest[0] == '"' || rest[0] == '\'')) {
    if (const std::optional<size_t> close = closing_quote(rest)) length = *close + 1;
  } else if (!rest.empty() && rest[0] != '#' && rest[0] != '|' && rest[0] != '>') {
    const size_t plain = plain_length(rest);
    const std::string_view text = rest.substr(0, plain);
    if (text == entry.value || (entry.null_value && is_null_word(text))) length = plain;
  }
  if (length) {
    line.replace(start, *length, scalar);
    return entry.line;
  }

  const bool cr = !line.empty() && line.back() == '\r';
  // A comment right after the colon (null or block value) stays, with its spacing.
  const std::string after_colon =
      !rest.empty() && rest[0] == '#' ? line.substr(colon + 1) : (cr ? "\r" : "");
  line = line.substr(0, colon + 1) + " " + scalar + after_colon;

  size_t last = region_end;
  while (last > static_cast<size_t>(entry.line) && is_comment_or_blank((*lines)[last])) --last;
  return last;
}

}  // namespace

Status parse_config_text(std::string_view path, const std::string& text,
                         std::vector<FileEntry>* entries) {
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    return error_at(path, std::max(e.mark.line, 0), "invalid YAML: " + e.msg);
  }
  if (documents.empty() || documents[0].IsNull()) return Status::ok();
  if (documents.size() > 1) {
    return error_at(path, documents[1].Mark().line, "only one YAML document is allowed");
  }
  const YAML::Node& root = documents[0];
  if (!root.IsMap()) {
    return error_at(path, root.Mark().line,
                    "the top level must be a mapping of option names to values");
  }
  for (const auto& pair : root) {
    if (!pair.first.IsScalar()) {
      return error_at(path, pair.first.Mark().line, "option names must be scalars");
    }
    FileEntry entry;
    entry.name = pair.first.Scalar();
    entry.line = pair.first.Mark().line;
    entry.column = pair.first.Mark().column;
    if (pair.second.IsNull()) {
      entry.null_value = true;
    } else if (pair.second.IsScalar()) {
      entry.value = pair.second.Scalar();
    } else {
      return error_at(path, entry.line, fmt::format("value of '{}' must be a scalar", entry.name));
    }
    entries->push_back(std::move(entry));
  }
  return Status::ok();
}

std::string replace_values(std::string_view text, const std::vector<FileEntry>& entries,
                           const std::vector<ValueUpdate>& updates) {
  std::vector<std::string> lines = split_lines(text);
  std::vector<int> key_lines;
  for (const FileEntry& entry : entries) key_lines.push_back(entry.line);
  std::sort(key_lines.begin(), key_lines.end());

  std::vector<bool> dropped(lines.size(), false);
  for (const ValueUpdate& update : updates) {
    const FileEntry& entry = entries[update.entry];
    const auto next = std::upper_bound(key_lines.begin(), key_lines.end(), entry.line);
    const size_t region_end = next == key_lines.end() ? lines.size() - 1 : *next - 1;
    const size_t last = replace_entry(&lines, entry, region_end, update.scalar);
    for (size_t i = entry.line + 1; i <= last; ++i) dropped[i] = true;
  }

  std::string out;
  bool first = true;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (dropped[i]) continue;
    if (!first) out += '\n';
    out += lines[i];
    first = false;
  }
  return out;
}

Status read_text_file(const std::string& path, bool missing_ok, std::string* text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    if (missing_ok && err == ENOENT) {
      text->clear();
      return Status::ok();
    }
    return Status::error(std::strerror(err));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Status::error(std::strerror(EIO));
  *text = std::move(buffer).str();
  return Status::ok();
}

Status write_file_atomically(const std::string& path, std::string_view content) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  // Appended piecewise: GCC 12 warns (-Wrestrict, a false positive) on "." + std::string.
  std::string name = ".";
  name += target.filename().string();
  name += ".XXXXXX";
  std::string temp = (dir / name).string();

  const int fd = mkstemp(temp.data());
  if (fd < 0) return Status::error(std::strerror(errno));
  auto fail = [&](int err) {
    close(fd);
    unlink(temp.c_str());
    return Status::error(std::strerror(err));
  };

  struct stat existing {};
  const mode_t mode = stat(path.c_str(), &existing) == 0 ? existing.st_mode & 07777 : 0644;
  if (fchmod(fd, mode) != 0) return fail(errno);
  size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(errno);
    written += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0) return fail(errno);
  if (close(fd) != 0) {
    const int err = errno;
    unlink(temp.c_str());
    return Status::error(std::strerror(err));
  }
  if (rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    unlink(temp.c_str());
    return Status::error(std::strerror(err));
  }
  // Make the rename itself durable.
  const int dir_fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dir_fd >= 0) {
    fsync(dir_fd);
    close(dir_fd);
  }
  return Status::ok();
}

}  // namespace stashd::config
