// Owns: propagation, the deterministic command stream that writes leave for the AOF and replicas:
// the unit built for the command in progress (its own arguments, or what its handler declared
// instead), DELs for keys that expire or are evicted, and the sinks that receive finished units.
// Replayed on an empty node, the stream rebuilds the same data (docs/propagation.md).
// Must not touch: files, sockets, the keyspace. Thread: the event loop.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace stashd {

// Where a command goes (Redis's PROPAGATE_AOF / PROPAGATE_REPL): PUBLISH reaches replicas only.
enum PropagationTarget : uint8_t {
  kPropagateAof = 1u << 0,
  kPropagateReplicas = 1u << 1,
  kPropagateAll = kPropagateAof | kPropagateReplicas,
};

struct PropagatedCommand {
  int db = 0;  // the database it applies to; a sink writes SELECT when this changes
  uint8_t targets = kPropagateAll;
  std::vector<std::string> argv;
};

// What a sink receives: commands to apply in order. A unit of more than one command is atomic
// (a transaction, or a command that propagates as several): the sink wraps it in MULTI/EXEC.
// Its storage is reused for the next unit: a sink that keeps commands copies them.
class PropagatedUnit {
 public:
  std::span<const PropagatedCommand> commands() const { return {slots_.data(), size_}; }
  const PropagatedCommand& operator[](size_t i) const { return slots_[i]; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bool atomic() const { return size_ > 1; }

  // Building. Slots stay allocated across units, so a steady stream allocates nothing.
  PropagatedCommand& add(int db, uint8_t targets);  // with no arguments yet
  PropagatedCommand& add(int db, uint8_t targets, std::span<const std::string_view> argv);
  PropagatedCommand& add(int db, uint8_t targets, std::span<const std::string> argv);
  PropagatedCommand& mutable_at(size_t i) { return slots_[i]; }
  void truncate(size_t size) { size_ = size; }
  void clear() { size_ = 0; }

 private:
  // The next slot, its argv still holding the last use's strings (so their buffers are reused).
  PropagatedCommand& next_slot(int db, uint8_t targets);
  std::vector<PropagatedCommand> slots_;
  size_t size_ = 0;
};

// Appends arguments to a command a handler declared; does nothing when nothing is propagated.
// Valid until the handler declares another command.
class ArgvBuilder {
 public:
  ArgvBuilder() = default;
  explicit ArgvBuilder(std::vector<std::string>* argv) : argv_(argv) {}
  ArgvBuilder& add(std::string_view arg) {
    if (argv_ != nullptr) argv_->emplace_back(arg);
    return *this;
  }
  ArgvBuilder& add(int64_t value);

 private:
  std::vector<std::string>* argv_ = nullptr;
};

using PropagationSink = std::function<void(const PropagatedUnit&)>;

class Propagator {
 public:
  using SinkId = uint64_t;

  // Sinks (the AOF writer, the replication stream) see every unit with a command for one of
  // their `targets`, only those commands, in order. A sink may add or remove sinks while it runs.
  SinkId add_sink(PropagationSink sink, uint8_t targets = kPropagateAll);
  void remove_sink(SinkId id);
  // Nothing is built while no sink listens.
  bool active() const { return !sinks_.empty(); }

  // The dispatcher frames each command call on database `db`. Calls nest (EXEC runs its queued
  // commands inside its own call); all commands of the outermost call form one unit, emitted when
  // it ends. A call's commands join the unit if it is a write (write_command) that changed the
  // dataset, or forced propagation, and did not suppress it: its own argv unless its handler
  // declared replacements, then whatever it added.
  void begin_call(int db);
  void end_call(std::span<const std::string_view> argv, bool write_command, bool changed);
  bool in_call() const { return !frames_.empty(); }

  // Handlers (through CommandContext), for the innermost call:
  // the call propagates as this instead of its own argv (call again to add more commands),
  ArgvBuilder replace(std::initializer_list<std::string_view> argv);
  // ...or as its own argv (or replacement) followed by this,
  ArgvBuilder add(std::initializer_list<std::string_view> argv);
  // ...or not at all,
  void suppress();
  // ...or even though it changed nothing, to `targets` only (PUBLISH, FLUSHALL of nothing).
  void force(uint8_t targets);

  // A key left its database by expiry or eviction: emits DEL (UNLINK when freed lazily) as a unit
  // of its own right away, so it precedes the unit of any command that caused it.
  void key_removed(int db, std::string_view key, bool lazy);

 private:
  struct Frame {
    int db;
    size_t staged_from;  // this call's commands in staged_ start here
    bool own_argv;       // its argv comes first (no replacement declared)
    bool suppressed;
    bool forced;
    uint8_t targets;
  };
  struct Sink {
    SinkId id;
    uint8_t targets;
    PropagationSink fn;
    bool removed = false;
  };
  ArgvBuilder stage(std::initializer_list<std::string_view> argv);
  void commit(const Frame& frame, std::span<const std::string_view> argv);
  void deliver(const PropagatedUnit& unit);

  std::vector<std::unique_ptr<Sink>> sinks_;  // stable while a sink runs and adds another
  bool delivering_ = false;
  std::vector<Frame> frames_;
  PropagatedUnit unit_;      // the outermost call's unit
  PropagatedUnit staged_;    // commands handlers declared, per call in progress
  PropagatedUnit removal_;   // expiry/eviction DELs
  PropagatedUnit filtered_;  // a unit narrowed to one sink's targets
  SinkId last_id_ = 0;
};

}  // namespace stashd
