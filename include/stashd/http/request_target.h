// Owns: reading what the HTTP API needs from a request target and its headers: the key of
// /cache/{key} (percent-decoded, any bytes), the ttl query parameter, and the credentials of an
// Authorization header (Basic or Bearer). Must not touch: sockets, the event loop, the keyspace.
// Thread: any (pure functions; the HTTP threads call them).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace stashd::http {

// RFC 3986 percent-decoding: "%2F" -> '/', every other byte as it is ('+' stays '+'). nullopt when
// a '%' is not followed by two hex digits.
std::optional<std::string> percent_decode(std::string_view text);

// The raw target "/cache/a%20b?ttl=5" split at '?': the path and the query (without '?').
struct SplitTarget {
  std::string_view path;
  std::string_view query;
};
SplitTarget split_target(std::string_view target);

// The key of a "/cache/{key}" path: everything after the prefix, percent-decoded (so "/" inside a
// key is written "%2F"). nullopt for another path, an empty key or bad percent-encoding.
inline constexpr std::string_view kCachePrefix = "/cache/";
std::optional<std::string> cache_key(std::string_view path);

// The decoded value of the first `name` parameter of a query ("a=1&ttl=30"): nullopt when absent
// or badly encoded. '+' means a space in a query, as HTML forms send it.
std::optional<std::string> query_param(std::string_view query, std::string_view name);

// A TTL in seconds: a positive decimal integer without sign or spaces, at most 100 years (larger
// values could not be added to the clock safely). nullopt otherwise.
std::optional<int64_t> parse_ttl_seconds(std::string_view text);

// The credentials an Authorization header carries: "Basic base64(user:password)" or
// "Bearer <password>" (user empty). nullopt for a missing, unknown or malformed header.
struct Credentials {
  std::string user;
  std::string password;
};
std::optional<Credentials> parse_authorization(std::string_view header);

// Standard base64 (RFC 4648, padding required, no line breaks); nullopt if malformed.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace stashd::http
