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

}  // namespace stashd::testing
