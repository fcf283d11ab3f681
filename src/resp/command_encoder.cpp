// Owns: encoding commands as multibulk requests (see command_encoder.h). Thread: any.
#include "stashd/resp/command_encoder.h"

#include <charconv>

namespace stashd::resp {

namespace {

void append_header(std::string* out, char kind, size_t n) {
  char buf[24];
  buf[0] = kind;
  char* end = std::to_chars(buf + 1, buf + sizeof buf - 2, n).ptr;
  *end++ = '\r';
  *end++ = '\n';
  out->append(buf, static_cast<size_t>(end - buf));
}

template <typename Arg>
void append_any(std::string* out, std::span<const Arg> argv) {
  append_header(out, '*', argv.size());
  for (const Arg& a : argv) {
    append_header(out, '$', a.size());
    out->append(a.data(), a.size());
    out->append("\r\n", 2);
  }
}

}  // namespace

void append_command(std::string* out, std::span<const std::string_view> argv) {
  append_any(out, argv);
}

void append_command(std::string* out, std::span<const std::string> argv) { append_any(out, argv); }

void append_select(std::string* out, int db) {
  char digits[16];
  const char* end = std::to_chars(digits, digits + sizeof digits, db).ptr;
  const std::string_view argv[] = {"SELECT", {digits, static_cast<size_t>(end - digits)}};
  append_command(out, argv);
}

}  // namespace stashd::resp
