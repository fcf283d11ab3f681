// Owns: encoding commands the way a client sends them (RESP multibulk arrays of bulk strings):
// what the append-only file stores, what a primary streams to its replicas and what a replica
// sends its primary. Must not touch: sockets, files. Thread: any.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace stashd::resp {

// Appends argv as one multibulk command to *out.
void append_command(std::string* out, std::span<const std::string_view> argv);
void append_command(std::string* out, std::span<const std::string> argv);
// Appends SELECT <db>.
void append_select(std::string* out, int db);

}  // namespace stashd::resp
