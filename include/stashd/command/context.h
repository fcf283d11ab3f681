// Owns: CommandContext, everything a handler gets for one call: the arguments, the client, the
// node, the reply writer, and the helpers every family shares (argument parsing with Redis's
// errors, "key changed" signalling, declaring how a call propagates). Must not touch: sockets,
// persistence, replication. Thread: event loop.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string_view>

#include "stashd/command/client.h"
#include "stashd/command/command_table.h"
#include "stashd/command/node_state.h"
#include "stashd/command/propagation.h"
#include "stashd/resp/writer.h"

namespace stashd {

// Error replies shared by many commands, worded exactly as Redis words them.
namespace errors {
inline constexpr std::string_view kSyntax = "ERR syntax error";
inline constexpr std::string_view kWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr std::string_view kNotInteger = "ERR value is not an integer or out of range";
inline constexpr std::string_view kNotFloat = "ERR value is not a valid float";
inline constexpr std::string_view kOverflow = "ERR increment or decrement would overflow";
inline constexpr std::string_view kNoSuchKey = "ERR no such key";
inline constexpr std::string_view kOutOfRange = "ERR index out of range";
inline constexpr std::string_view kInvalidExpire = "ERR invalid expire time in '%s' command";
inline constexpr std::string_view kDbIndexOutOfRange = "ERR DB index is out of range";
inline constexpr std::string_view kNoAuth = "NOAUTH Authentication required.";
// A store that could not get memory (for now: the entry arena is exhausted).
inline constexpr std::string_view kOutOfMemory =
    "OOM command not allowed when used memory > 'maxmemory'.";
}  // namespace errors

class CommandContext {
 public:
  CommandContext(NodeState& node, Client& client, const Command& command,
                 std::span<const std::string_view> argv)
      : node(node), client(client), command(command), argv(argv), out(client.writer) {}

  NodeState& node;
  Client& client;
  const Command& command;
  std::span<const std::string_view> argv;
  resp::ReplyWriter& out;

  size_t argc() const { return argv.size(); }
  std::string_view arg(size_t i) const { return argv[i]; }
  Keyspace& keyspace() { return node.keyspace(); }
  Db& db() { return node.keyspace().db(client.db); }
  int64_t now_ms() const { return node.keyspace().now_ms(); }

  // Parses argv[i] as an integer; on failure replies kNotInteger (or `error`) and returns nullopt.
  std::optional<int64_t> int_arg(size_t i, std::string_view error = errors::kNotInteger);
  // Parses argv[i] as a float (long double); on failure replies kNotFloat and returns nullopt.
  std::optional<long double> float_arg(size_t i);
  // True when argv[i] equals `word` ignoring ASCII case.
  bool arg_is(size_t i, std::string_view word) const;

  // A key's value changed (or it was deleted): counts toward dirty, and will invalidate WATCH and
  // client-side caching entries. Every write handler calls it once per key it changed.
  void key_changed(std::string_view key) { key_changed_in(client.db, key); }
  // The same for a key of another database (MOVE, COPY ... DB).
  void key_changed_in(int db, std::string_view key);
  // Every key of a database may have changed (FLUSHDB, FLUSHALL, SWAPDB): invalidates WATCHes.
  // Does not count toward dirty; the caller adds what Redis counts.
  void db_changed(int db);
  void error(std::string_view message) { out.error(message); }

  // Propagation to the AOF and replicas (propagation.h, docs/propagation.md). A write that changed
  // the dataset propagates its own argv; a handler whose argv would not replay to the same data
  // (relative times, random picks, blocking) declares what does instead. All of these do nothing
  // while no sink listens; propagating() tells whether collecting a replacement is worth it.
  bool propagating() const { return node.propagator().in_call(); }
  // Propagate this instead of argv (call again, or also_propagate, to add more: atomically).
  ArgvBuilder propagate_as(std::initializer_list<std::string_view> args) {
    return node.propagator().replace(args);
  }
  // Propagate this after argv (or after the replacement).
  ArgvBuilder also_propagate(std::initializer_list<std::string_view> args) {
    return node.propagator().add(args);
  }
  // Propagate nothing for this call.
  void dont_propagate() { node.propagator().suppress(); }
  // Propagate even though nothing changed, to `targets` only.
  void force_propagate(uint8_t targets = kPropagateAll) { node.propagator().force(targets); }

  // Blocking commands: whether this call may block (not inside MULTI/EXEC), and blocking the client
  // on `keys` until one is written or timeout_ms (0 = forever) passes. The request runs again when
  // a key is ready; it calls block() again to keep waiting, keeping its place in line.
  bool can_block() const { return !in_exec; }
  void block(const std::vector<std::string>& keys, int64_t timeout_ms, bool timeout_null_array);
  // Parses a blocking timeout in seconds (float) as Redis does; replies the error on failure.
  std::optional<int64_t> timeout_arg(size_t i);
  bool in_exec = false;

 private:
  int changes_ = 0;  // keys this call reported changed so far (names source/destination events)
};

}  // namespace stashd
