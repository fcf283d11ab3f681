// Owns: the in-process command test harness: a node with a manual clock and one client, and
// run({"SET", "k", "v"}) returning the raw RESP reply. Thread: the test's.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "stashd/command/client.h"
#include "stashd/command/dispatcher.h"
#include "stashd/command/node_state.h"
#include "stashd/commands/registry.h"
#include "stashd/common/clock.h"
#include "stashd/config/config.h"

namespace stashd::testing {

class CommandHarness {
 public:
  CommandHarness() : registry_(&config_), node_(&config_, &registry_, &clock_), dispatcher_(&node_) {
    register_all_commands(node_.commands());
    client_.addr = "127.0.0.1:40000";
    client_.laddr = "127.0.0.1:6379";
    node_.add_client(&client_);
  }
  ~CommandHarness() { node_.remove_client(&client_); }

  // Runs one command and returns everything it wrote (raw RESP).
  std::string run(std::initializer_list<std::string_view> args) {
    return run(std::vector<std::string_view>(args));
  }
  std::string run(const std::vector<std::string_view>& args) {
    client_.out.clear();
    dispatcher_.execute(client_, args);
    return client_.out;
  }
  void hello3() { run({"HELLO", "3"}); }

  ManualClock& clock() { return clock_; }
  NodeState& node() { return node_; }
  Client& client() { return client_; }
  Config& config() { return config_; }

 private:
  Config config_;
  ConfigRegistry registry_;
  ManualClock clock_;
  NodeState node_;
  Dispatcher dispatcher_;
  Client client_{1, 1'700'000'000'000};
};

// Builders for expected replies.
// Built with append: GCC 12 warns (-Wrestrict, a false positive) on "literal" + std::string.
inline std::string bulk(std::string_view s) {
  std::string r = "$";
  r.append(std::to_string(s.size())).append("\r\n").append(s).append("\r\n");
  return r;
}
inline std::string integer(int64_t v) {
  std::string r = ":";
  r.append(std::to_string(v)).append("\r\n");
  return r;
}
inline const std::string kOk = "+OK\r\n";
inline const std::string kNil = "$-1\r\n";

// A propagation sink that keeps a copy of every unit a node emits (propagation tests, replays).
class PropagationRecorder {
 public:
  using Unit = std::vector<PropagatedCommand>;
  explicit PropagationRecorder(NodeState& node, uint8_t targets = kPropagateAll) : node_(node) {
    id_ = node.propagator().add_sink(
        [this](const PropagatedUnit& unit) {
          units_.emplace_back(unit.commands().begin(), unit.commands().end());
        },
        targets);
  }
  ~PropagationRecorder() { node_.propagator().remove_sink(id_); }
  PropagationRecorder(const PropagationRecorder&) = delete;
  PropagationRecorder& operator=(const PropagationRecorder&) = delete;

  const std::vector<Unit>& units() const { return units_; }
  void clear() { units_.clear(); }
  // The argv of every command recorded so far, units flattened, and forgets them.
  std::vector<std::vector<std::string>> take_argvs() {
    std::vector<std::vector<std::string>> out;
    for (const Unit& unit : units_) {
      for (const PropagatedCommand& c : unit) out.push_back(c.argv);
    }
    units_.clear();
    return out;
  }

 private:
  NodeState& node_;
  Propagator::SinkId id_ = 0;
  std::vector<Unit> units_;
};

}  // namespace stashd::testing
