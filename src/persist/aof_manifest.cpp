// Owns: the AOF layout names and the manifest (see aof_manifest.h): strict parsing, formatting,
// atomic writes, the helpers that derive the next manifest, and history deletion.
// Must not touch: logging (callers report), the event loop. Thread: whichever calls it.
#include "stashd/persist/aof_manifest.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <set>

#include "persist/file_io.h"

namespace stashd::persist {

namespace {

constexpr std::string_view kBaseSuffix = ".base.rdb";
constexpr std::string_view kIncrSuffix = ".incr.aof";
// A manifest lists a handful of files; anything this big is not one.
constexpr size_t kMaxManifestBytes = size_t{16} << 20;

// "<filename>.<seq><suffix>" -> seq, or 0 when `name` does not have that shape.
uint64_t seq_of(std::string_view name, std::string_view filename, std::string_view suffix) {
  if (name.size() <= filename.size() + 1 + suffix.size() || !name.starts_with(filename) ||
      name[filename.size()] != '.' || !name.ends_with(suffix)) {
    return 0;
  }
  std::string_view digits = name.substr(filename.size() + 1);
  digits.remove_suffix(suffix.size());
  uint64_t seq = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), seq);
  return ec == std::errc() && end == digits.data() + digits.size() ? seq : 0;
}

// A decimal seq: digits only, no leading zero, >= 1, fits in 64 bits.
bool parse_seq(std::string_view text, uint64_t* seq) {
  if (text.empty() || text[0] == '0') return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *seq);
  return ec == std::errc() && end == text.data() + text.size();
}

std::vector<std::string_view> split_spaces(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (start <= line.size()) {
    size_t space = line.find(' ', start);
    if (space == std::string_view::npos) space = line.size();
    fields.push_back(line.substr(start, space - start));
    start = space + 1;
  }
  return fields;
}

Status line_error(size_t line, std::string_view reason) {
  return Status::error(fmt::format("line {}: {}", line, reason));
}

// One "file <name> seq <seq> type <b|i|h>" line.
Status parse_file_line(std::string_view line, size_t number, AofFile* file) {
  const std::vector<std::string_view> f = split_spaces(line);
  if (f.size() != 6) {
    return line_error(number, "expected 'file <name> seq <seq> type <b|i|h>'");
  }
  static constexpr std::string_view kKeys[] = {"file", "seq", "type"};
  for (size_t i = 0; i < 3; ++i) {
    if (f[2 * i] != kKeys[i]) {
      return line_error(number, fmt::format("expected '{}', found '{}'", kKeys[i], f[2 * i]));
    }
  }
  Status s = check_aof_name(f[1]);
  if (!s) return line_error(number, fmt::format("file name: {}", s.message()));
  if (!parse_seq(f[3], &file->seq)) return line_error(number, fmt::format("bad seq '{}'", f[3]));
  if (f[5] == "b") {
    file->type = AofFileType::kBase;
  } else if (f[5] == "i") {
    file->type = AofFileType::kIncr;
  } else if (f[5] == "h") {
    file->type = AofFileType::kHistory;
  } else {
    return line_error(number, fmt::format("unknown type '{}' (b, i or h)", f[5]));
  }
  file->name = std::string(f[1]);
  return Status::ok();
}

void put_line(std::string* out, const AofFile& f) {
  *out += fmt::format("file {} seq {} type {}\n", f.name, f.seq, static_cast<char>(f.type));
}

uint64_t max_seq(const AofManifest& m, std::string_view filename, std::string_view suffix,
                 AofFileType type) {
  uint64_t seq = 0;
  if (type == AofFileType::kBase && m.base) seq = m.base->seq;
  if (type == AofFileType::kIncr && !m.incrs.empty()) seq = m.incrs.back().seq;
  for (const AofFile& h : m.history) seq = std::max(seq, seq_of(h.name, filename, suffix));
  return seq;
}

}  // namespace

std::string AofLayout::aof_dir() const {
  return fmt::format("{}/{}", dir.empty() ? "." : dir, dirname);
}
std::string AofLayout::manifest_name() const { return filename + ".manifest"; }
std::string AofLayout::manifest_path() const { return path(manifest_name()); }
std::string AofLayout::path(std::string_view name) const {
  return fmt::format("{}/{}", aof_dir(), name);
}
std::string AofLayout::base_name(uint64_t seq) const {
  return fmt::format("{}.{}{}", filename, seq, kBaseSuffix);
}
std::string AofLayout::incr_name(uint64_t seq) const {
  return fmt::format("{}.{}{}", filename, seq, kIncrSuffix);
}

Status check_aof_name(std::string_view name) {
  if (name.empty()) return Status::error("empty name");
  if (name == "." || name == "..") return Status::error(fmt::format("'{}' is not a name", name));
  if (name.size() > 255) return Status::error("longer than 255 bytes");
  for (unsigned char c : name) {
    if (c == '/') return Status::error("must be a name, not a path");
    if (c <= ' ' || c == 0x7f) return Status::error("contains whitespace or control characters");
  }
  return Status::ok();
}

std::vector<AofFile> AofManifest::live_files() const {
  std::vector<AofFile> files;
  if (base) files.push_back(*base);
  files.insert(files.end(), incrs.begin(), incrs.end());
  return files;
}

Status parse_aof_manifest(std::string_view text, AofManifest* out) {
  AofManifest m;
  std::set<std::string, std::less<>> names;
  size_t number = 0;
  while (!text.empty()) {
    ++number;
    const size_t nl = text.find('\n');
    if (nl == std::string_view::npos) return line_error(number, "no newline at the end");
    const std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    if (number == 1) {
      if (line != kAofManifestHeader) {
        return line_error(1, line.starts_with("stashd-aof-manifest ")
                                 ? fmt::format("unsupported manifest version '{}'", line.substr(20))
                                 : fmt::format("expected '{}'", kAofManifestHeader));
      }
      continue;
    }
    AofFile file;
    Status s = parse_file_line(line, number, &file);
    if (!s) return s;
    if (!names.insert(file.name).second) {
      return line_error(number, fmt::format("'{}' is listed twice", file.name));
    }
    switch (file.type) {
      case AofFileType::kBase:
        if (m.base) return line_error(number, "a second base file");
        if (!m.incrs.empty()) return line_error(number, "the base file must precede increments");
        m.base = std::move(file);
        break;
      case AofFileType::kIncr:
        if (!m.incrs.empty() && file.seq <= m.incrs.back().seq) {
          return line_error(
              number, fmt::format("increment seq {} after seq {}", file.seq, m.incrs.back().seq));
        }
        m.incrs.push_back(std::move(file));
        break;
      case AofFileType::kHistory:
        m.history.push_back(std::move(file));
        break;
    }
  }
  if (number == 0) return line_error(1, "empty manifest");
  if (m.empty()) return line_error(number, "no base or increment file listed");
  *out = std::move(m);
  return Status::ok();
}

std::string format_aof_manifest(const AofManifest& manifest) {
  std::string out(kAofManifestHeader);
  out += '\n';
  if (manifest.base) put_line(&out, *manifest.base);
  for (const AofFile& f : manifest.incrs) put_line(&out, f);
  for (const AofFile& f : manifest.history) put_line(&out, f);
  return out;
}

Status read_aof_manifest(const AofLayout& layout, AofManifest* out, bool* exists) {
  const std::string path = layout.manifest_path();
  std::string text;
  int err = 0;
  *exists = true;
  Status s = read_small_file(path, kMaxManifestBytes, &text, &err);
  if (!s && err == ENOENT) {
    *exists = false;
    return Status::ok();
  }
  if (!s) return s;
  s = parse_aof_manifest(text, out);
  return s ? s : Status::error(fmt::format("{}: {}", path, s.message()));
}

Status write_aof_manifest(const AofLayout& layout, const AofManifest& manifest) {
  const std::string temp = layout.path("temp-" + layout.manifest_name());
  return replace_file(temp, layout.manifest_path(), format_aof_manifest(manifest),
                      layout.aof_dir());
}

Status ensure_aof_dir(const AofLayout& layout) {
  const std::string path = layout.aof_dir();
  if (::mkdir(path.c_str(), 0755) == 0) return fsync_dir(layout.dir.empty() ? "." : layout.dir);
  struct stat st {};
  if (errno == EEXIST && ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return Status::ok();
  }
  if (errno == EEXIST) return Status::error(fmt::format("{}: exists and is not a directory", path));
  return errno_status(path, "mkdir", errno);
}

AofFile next_aof_base(const AofManifest& manifest, const AofLayout& layout) {
  const uint64_t seq = max_seq(manifest, layout.filename, kBaseSuffix, AofFileType::kBase) + 1;
  return {layout.base_name(seq), seq, AofFileType::kBase};
}

AofFile next_aof_incr(const AofManifest& manifest, const AofLayout& layout) {
  const uint64_t seq = max_seq(manifest, layout.filename, kIncrSuffix, AofFileType::kIncr) + 1;
  return {layout.incr_name(seq), seq, AofFileType::kIncr};
}

AofManifest with_new_incr(const AofManifest& manifest, const AofLayout& layout, AofFile* incr) {
  AofManifest m = manifest;
  *incr = next_aof_incr(manifest, layout);
  m.incrs.push_back(*incr);
  return m;
}

AofManifest with_rewritten_base(const AofManifest& manifest, const AofFile& base,
                                const AofFile& first_kept) {
  AofManifest m;
  m.history = manifest.history;
  auto retire = [&m](AofFile f) {
    f.type = AofFileType::kHistory;
    m.history.push_back(std::move(f));
  };
  if (manifest.base) retire(*manifest.base);
  m.base = base;
  m.base->type = AofFileType::kBase;
  const bool listed = std::any_of(manifest.incrs.begin(), manifest.incrs.end(),
                                  [&](const AofFile& f) { return f.name == first_kept.name; });
  for (const AofFile& f : manifest.incrs) {
    if (listed && f.seq >= first_kept.seq) {
      m.incrs.push_back(f);
    } else {
      retire(f);
    }
  }
  if (!listed) {
    m.incrs.push_back(first_kept);
    m.incrs.back().type = AofFileType::kIncr;
  }
  return m;
}

Status delete_aof_history(const AofLayout& layout, AofManifest* manifest) {
  if (manifest->history.empty()) return Status::ok();
  AofManifest kept = *manifest;
  kept.history.clear();
  Status s = write_aof_manifest(layout, kept);
  if (!s) return s;
  std::vector<AofFile> history = std::move(manifest->history);
  *manifest = std::move(kept);
  for (const AofFile& f : history) {
    const std::string path = layout.path(f.name);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT && s)
      s = errno_status(path, "unlink", errno);
  }
  return s;
}

}  // namespace stashd::persist
