// Owns: ReplyWriter, the RESP2/RESP3 encoding of replies appended to a connection's output buffer,
// including Redis's downgrades of RESP3-only types for RESP2 clients. Must not touch: sockets,
// commands, anything but *out_. Thread: the event loop.
#include "stashd/resp/writer.h"

#include <cmath>
#include <cstdio>
#include <cstring>

#include "stashd/common/strings.h"

namespace stashd::resp {
namespace {

constexpr std::string_view kCrlf = "\r\n";

// Same text as stashd::format_double ("%.17g", "inf", "-inf", "nan") into a stack buffer of at
// least 32 bytes, so that score replies do not allocate.
size_t format_double_to(double v, char* buf) {
  if (std::isnan(v)) {
    std::memcpy(buf, "nan", 3);
    return 3;
  }
  if (std::isinf(v)) {
    if (v > 0) {
      std::memcpy(buf, "inf", 3);
      return 3;
    }
    std::memcpy(buf, "-inf", 4);
    return 4;
  }
  // Integral values below 1e17 print identically with "%.17g"; -0.0 goes to snprintf for its sign.
  if (v != 0 && v == std::trunc(v) && std::fabs(v) < 1e17) {
    return format_i64(static_cast<int64_t>(v), buf);
  }
  return static_cast<size_t>(std::snprintf(buf, 32, "%.17g", v));
}

// True if msg starts with an error code: one or more upper-case letters followed by a space.
bool has_error_code(std::string_view msg) {
  size_t i = 0;
  while (i < msg.size() && msg[i] >= 'A' && msg[i] <= 'Z') ++i;
  return i > 0 && i < msg.size() && msg[i] == ' ';
}

bool is_line_break(char c) { return c == '\r' || c == '\n'; }

}  // namespace

void ReplyWriter::header(char type, int64_t n) {
  char buf[24];
  buf[0] = type;
  size_t len = 1 + format_i64(n, buf + 1);
  buf[len++] = '\r';
  buf[len++] = '\n';
  out_->append(buf, len);
}

void ReplyWriter::simple(std::string_view s) {
  out_->push_back('+');
  out_->append(s);
  out_->append(kCrlf);
}

void ReplyWriter::error(std::string_view msg) {
  // Like Redis's formatted errors: line breaks at the ends are dropped, inner ones become spaces.
  while (!msg.empty() && is_line_break(msg.front())) msg.remove_prefix(1);
  while (!msg.empty() && is_line_break(msg.back())) msg.remove_suffix(1);
  if (!msg.empty() && msg.front() == '-') msg.remove_prefix(1);
  out_->push_back('-');
  if (!has_error_code(msg)) out_->append("ERR ");
  const size_t start = out_->size();
  out_->append(msg);
  for (size_t i = start; i < out_->size(); ++i) {
    if (is_line_break((*out_)[i])) (*out_)[i] = ' ';
  }
  out_->append(kCrlf);
}

void ReplyWriter::integer(int64_t v) { header(':', v); }

void ReplyWriter::bulk(std::string_view s) {
  header('$', static_cast<int64_t>(s.size()));
  out_->append(s);
  out_->append(kCrlf);
}

void ReplyWriter::null() { out_->append(protocol_ >= 3 ? "_\r\n" : "$-1\r\n"); }

void ReplyWriter::null_array() { out_->append(protocol_ >= 3 ? "_\r\n" : "*-1\r\n"); }

void ReplyWriter::array(int64_t n) { header('*', n); }

void ReplyWriter::map(int64_t n) {
  if (protocol_ >= 3) {
    header('%', n);
  } else {
    header('*', n * 2);
  }
}

void ReplyWriter::set(int64_t n) { header(protocol_ >= 3 ? '~' : '*', n); }

void ReplyWriter::push(int64_t n) { header(protocol_ >= 3 ? '>' : '*', n); }

void ReplyWriter::double_value(double v) {
  char buf[40];
  const size_t len = format_double_to(v, buf + 1);
  if (protocol_ >= 3) {
    buf[0] = ',';
    buf[len + 1] = '\r';
    buf[len + 2] = '\n';
    out_->append(buf, len + 3);
  } else {
    bulk(std::string_view(buf + 1, len));
  }
}

void ReplyWriter::boolean(bool v) {
  if (protocol_ >= 3) {
    out_->append(v ? "#t\r\n" : "#f\r\n");
  } else {
    out_->append(v ? ":1\r\n" : ":0\r\n");
  }
}

void ReplyWriter::verbatim(std::string_view s, std::string_view format) {
  if (protocol_ < 3) {
    bulk(s);
    return;
  }
  // The RESP3 format tag is exactly three bytes; anything else is a caller bug, sent as "txt".
  if (format.size() != 3) format = "txt";
  header('=', static_cast<int64_t>(s.size() + 4));
  out_->append(format);
  out_->push_back(':');
  out_->append(s);
  out_->append(kCrlf);
}

void ReplyWriter::big_number(std::string_view digits) {
  if (protocol_ < 3) {
    bulk(digits);
    return;
  }
  out_->push_back('(');
  out_->append(digits);
  out_->append(kCrlf);
}

}  // namespace stashd::resp
