// Owns: encoding replies in RESP2 or RESP3 into a connection's output buffer, downgrading RESP3 types
// for RESP2 clients exactly as Redis does. Must not touch: sockets, commands. Thread: the event loop.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace stashd::resp {

class ReplyWriter {
 public:
  ReplyWriter(std::string* out, int protocol) : out_(out), protocol_(protocol) {}

  int protocol() const { return protocol_; }
  void set_protocol(int protocol) { protocol_ = protocol; }
  std::string* buffer() { return out_; }
  void set_buffer(std::string* out) { out_ = out; }

  void simple(std::string_view s);             // +OK
  void ok() { simple("OK"); }
  // Writes "-<msg>\r\n". `msg` must carry its code ("ERR ...", "WRONGTYPE ..."); a msg without an
  // upper-case code word gets "ERR " prepended. CR/LF inside are replaced by spaces.
  void error(std::string_view msg);
  void integer(int64_t v);                      // :v
  void bulk(std::string_view s);                // $len\r\n...\r\n
  void null();                                  // RESP3 "_", RESP2 "$-1"
  void null_array();                            // RESP3 "_", RESP2 "*-1"
  void array(int64_t n);                        // *n
  void map(int64_t n);                          // RESP3 %n, RESP2 *2n
  void set(int64_t n);                          // RESP3 ~n, RESP2 *n
  void push(int64_t n);                         // RESP3 >n, RESP2 *n
  void double_value(double v);                  // RESP3 ",v", RESP2 bulk "%.17g"
  void boolean(bool v);                         // RESP3 "#t", RESP2 ":1"/":0"
  void verbatim(std::string_view s, std::string_view format = "txt");  // RESP3 "=", RESP2 bulk
  void big_number(std::string_view digits);     // RESP3 "(", RESP2 bulk
  void raw(std::string_view bytes) { out_->append(bytes); }

 private:
  void header(char type, int64_t n);
  std::string* out_;
  int protocol_;
};

}  // namespace stashd::resp
