// Tests NodeState's wiring of the memory limit: the config's maxmemory-policy choices and the
// keyspace's policies are the same list, CONFIG SET reaches the keyspace's eviction settings,
// and the dispatcher refuses denyoom commands (and EXEC of a transaction holding one) with -OOM
// when nothing can be evicted, while other commands still run.
#include "stashd/command/node_state.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "config/option_table.h"
#include "stashd/command/context.h"
#include "stashd/command/dispatcher.h"
#include "stashd/common/clock.h"
#include "stashd/keyspace/eviction_policy.h"

namespace stashd {
namespace {

void ok(CommandContext& ctx) { ctx.out.ok(); }

class NodeStateMemoryTest : public ::testing::Test {
 protected:
  NodeStateMemoryTest()
      : registry_(&config_), node_(&config_, &registry_, &clock_), dispatcher_(&node_) {
    CommandTable& t = node_.commands();
    t.add({"grow", 1, kCmdWrite | kCmdDenyOom, 0, 0, 0, 0, ok, "generic", "1.0.0", "", ""});
    t.add({"shrink", 1, kCmdWrite, 0, 0, 0, 0, ok, "generic", "1.0.0", "", ""});
    t.add({"multi", 1, kCmdTransactionControl, 0, 0, 0, 0,
           [](CommandContext& ctx) {
             ctx.client.flags |= kClientMulti;
             ctx.out.ok();
           },
           "transactions", "1.0.0", "", ""});
    t.add({"exec", 1, kCmdTransactionControl, 0, 0, 0, 0, ok, "transactions", "1.0.0", "", ""});
    node_.add_client(&client_);
  }

  std::string run(std::vector<std::string_view> args) {
    client_.out.clear();
    dispatcher_.execute(client_, args);
    return client_.out;
  }
  // A limit far below what the process already uses: every run is over it.
  void exhaust_memory(std::string_view policy) {
    ASSERT_TRUE(registry_.set("maxmemory-policy", policy, false));
    ASSERT_TRUE(registry_.set("maxmemory", "1", false));
  }

  Config config_;
  ConfigRegistry registry_;
  ManualClock clock_;
  NodeState node_;
  Dispatcher dispatcher_;
  Client client_{1, 0};
};

const std::string kOom = "-OOM command not allowed when used memory > 'maxmemory'.\r\n";

TEST(EvictionPolicyNames, ConfigChoicesAreExactlyTheKeyspacePolicies) {
  const config::OptionSpec* spec = config::find_option("maxmemory-policy");
  ASSERT_NE(spec, nullptr);
  std::span<const std::string_view> names = eviction_policy_names();
  ASSERT_EQ(spec->choices.size(), names.size());
  EXPECT_TRUE(std::equal(names.begin(), names.end(), spec->choices.begin()));
}

TEST_F(NodeStateMemoryTest, ConfigSetReachesTheKeyspaceEvictionSettings) {
  ASSERT_TRUE(registry_.set("maxmemory", "10mb", false));
  ASSERT_TRUE(registry_.set("maxmemory-policy", "volatile-wtinylfu", false));
  ASSERT_TRUE(registry_.set("maxmemory-samples", "7", false));
  ASSERT_TRUE(registry_.set("lazyfree-lazy-eviction", "yes", false));
  const EvictionSettings& s = node_.keyspace().eviction();
  EXPECT_EQ(s.maxmemory, 10u << 20);
  EXPECT_EQ(s.policy, EvictionPolicy::kVolatileWTinyLfu);
  EXPECT_EQ(s.samples, 7);
  EXPECT_TRUE(s.lazy_eviction);
}

TEST_F(NodeStateMemoryTest, UsedMemoryCountsTheArena) {
  size_t before = node_.keyspace().used_memory();
  for (int i = 0; i < 1000; ++i) {
    node_.keyspace().db(0).set_string("key:" + std::to_string(i), std::string(100, 'v'));
  }
  EXPECT_GE(node_.keyspace().used_memory(), before + 1000 * 100);
}

TEST_F(NodeStateMemoryTest, DenyOomCommandsAreRefusedWhenNothingCanBeEvicted) {
  exhaust_memory("noeviction");
  EXPECT_EQ(run({"grow"}), kOom);
  EXPECT_EQ(run({"shrink"}), "+OK\r\n");
  EXPECT_EQ(node_.commands().find("grow")->rejected_calls, 1u);
  EXPECT_EQ(node_.stats().error_codes["OOM"], 1u);
  ASSERT_TRUE(registry_.set("maxmemory", "0", false));
  EXPECT_EQ(run({"grow"}), "+OK\r\n");
}

TEST_F(NodeStateMemoryTest, AnEmptyKeyspaceUnderAnEvictingPolicyStillRefuses) {
  exhaust_memory("allkeys-lru");
  EXPECT_EQ(run({"grow"}), kOom);
}

TEST_F(NodeStateMemoryTest, ExecOfATransactionHoldingAWriteIsRefusedAndEndsIt) {
  EXPECT_EQ(run({"multi"}), "+OK\r\n");
  EXPECT_EQ(run({"grow"}), "+QUEUED\r\n");
  exhaust_memory("noeviction");
  EXPECT_EQ(run({"exec"}),
            "-EXECABORT Transaction discarded because of: OOM command not allowed when used "
            "memory > 'maxmemory'.\r\n");
  EXPECT_FALSE(client_.has(kClientMulti));
  EXPECT_TRUE(client_.multi_queue.empty());
}

TEST_F(NodeStateMemoryTest, AWriteQueuedWhileOutOfMemoryFailsTheTransaction) {
  exhaust_memory("noeviction");
  EXPECT_EQ(run({"multi"}), "+OK\r\n");
  EXPECT_EQ(run({"grow"}), kOom);
  EXPECT_TRUE(client_.multi_error);
  EXPECT_EQ(run({"shrink"}), "+QUEUED\r\n");
}

TEST_F(NodeStateMemoryTest, ExecOfQueuedWritesIsRefusedWhileSnapshotsFail) {
  EXPECT_EQ(run({"multi"}), "+OK\r\n");
  EXPECT_EQ(run({"shrink"}), "+QUEUED\r\n");
  node_.persistence.last_bgsave_ok = false;  // a background save just failed
  std::string reply = run({"exec"});
  EXPECT_EQ(reply.rfind("-EXECABORT Transaction discarded because of: MISCONF ", 0), 0u) << reply;
  EXPECT_FALSE(client_.has(kClientMulti));
  EXPECT_EQ(run({"shrink"}).rfind("-MISCONF ", 0), 0u);
  node_.persistence.last_bgsave_ok = true;
  EXPECT_EQ(run({"shrink"}), "+OK\r\n");
}

}  // namespace
}  // namespace stashd
