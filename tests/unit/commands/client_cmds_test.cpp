// Tests CLIENT in-process: ID SETNAME GETNAME INFO LIST KILL REPLY PAUSE UNPAUSE NO-EVICT SETINFO
// HELP, with extra clients registered on the node and a fake transport.
#include <gtest/gtest.h>

#include <limits>
#include <regex>
#include <string>

#include "commands/harness.h"

namespace stashd::testing {
namespace {

class FakeTransport : public ClientTransport {
 public:
  void request_flush() override {}
  void close_after_reply() override { ++close_requests; }
  void blocked(int64_t) override {}
  void unblocked() override {}
  size_t query_buffer_bytes() const override { return 26; }
  size_t query_buffer_free() const override { return 100; }
  size_t output_pending_bytes() const override { return 7; }
  int close_requests = 0;
};

class ClientCommands : public ::testing::Test {
 protected:
  ClientCommands() {
    other_.addr = "10.0.0.2:5000";
    other_.laddr = "127.0.0.1:6380";
    other_.transport = &transport_;
    other_.last_command = h.node().commands().find("get");
    h.node().add_client(&other_);
  }
  ~ClientCommands() override { h.node().remove_client(&other_); }

  // The body of a RESP2 bulk reply.
  static std::string body(const std::string& reply) {
    size_t start = reply.find("\r\n") + 2;
    return reply.substr(start, reply.size() - start - 2);
  }

  CommandHarness h;
  FakeTransport transport_;
  Client other_{7, 1'699'999'990'000};
};

TEST_F(ClientCommands, IdRepliesTheConnectionsId) { EXPECT_EQ(h.run({"CLIENT", "ID"}), ":1\r\n"); }

TEST_F(ClientCommands, SetnameNamesTheConnectionAndGetnameReadsIt) {
  EXPECT_EQ(h.run({"CLIENT", "GETNAME"}), kNil);
  EXPECT_EQ(h.run({"CLIENT", "SETNAME", "worker-1"}), kOk);
  EXPECT_EQ(h.run({"CLIENT", "GETNAME"}), bulk("worker-1"));
  EXPECT_EQ(h.run({"CLIENT", "SETNAME", ""}), kOk);
  h.hello3();
  EXPECT_EQ(h.run({"CLIENT", "GETNAME"}), "_\r\n");
}

TEST_F(ClientCommands, SetnameRejectsSpacesNewlinesAndNonAscii) {
  for (std::string_view name : {"a b", "a\nb", "caf\xc3\xa9"}) {
    EXPECT_EQ(h.run({"CLIENT", "SETNAME", name}),
              "-ERR Client names cannot contain spaces, newlines or special characters.\r\n");
  }
  EXPECT_TRUE(h.client().name.empty());
}

TEST_F(ClientCommands, InfoDescribesTheCallingClientRunningThisCommand) {
  std::string line = body(h.run({"CLIENT", "INFO"}));
  std::regex expected(
      "id=1 addr=127\\.0\\.0\\.1:40000 laddr=127\\.0\\.0\\.1:6379 fd=-1 name= age=0 idle=0 "
      "flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 "
      "rbs=\\d+ rbp=0 obl=0 oll=0 omem=0 tot-mem=\\d+ events=r cmd=client\\|info user=default "
      "redir=-1 resp=2\n");
  EXPECT_TRUE(std::regex_match(line, expected)) << line;
}

TEST_F(ClientCommands, InfoIsAVerbatimStringInResp3) {
  h.hello3();
  std::string reply = h.run({"CLIENT", "INFO"});
  EXPECT_EQ(reply[0], '=');
  EXPECT_NE(reply.find("\r\ntxt:id=1 "), std::string::npos);
  EXPECT_NE(reply.find(" resp=3\n\r\n"), std::string::npos);
}

TEST_F(ClientCommands, ListShowsEveryClientInIdOrderWithTransportFigures) {
  h.clock().advance_ms(4000);
  std::string text = body(h.run({"CLIENT", "LIST"}));
  size_t first = text.find("id=1 ");
  size_t second = text.find("id=7 ");
  ASSERT_NE(first, std::string::npos);
  ASSERT_NE(second, std::string::npos);
  EXPECT_LT(first, second);
  std::string other = text.substr(second);
  EXPECT_NE(other.find(" addr=10.0.0.2:5000 laddr=127.0.0.1:6380 "), std::string::npos);
  EXPECT_NE(other.find(" age=14 idle=14 "), std::string::npos);
  EXPECT_NE(other.find(" qbuf=26 qbuf-free=100 "), std::string::npos);
  EXPECT_NE(other.find(" omem=7 "), std::string::npos);
  EXPECT_NE(other.find(" cmd=get "), std::string::npos);
  EXPECT_EQ(text.back(), '\n');
}

TEST_F(ClientCommands, ListShowsFlagLettersAndDatabase) {
  other_.flags = kClientMonitor | kClientNoEvict;
  other_.db = 3;
  std::string text = body(h.run({"CLIENT", "LIST", "ID", "7"}));
  EXPECT_NE(text.find(" flags=Oe db=3 "), std::string::npos) << text;
}

TEST_F(ClientCommands, ListShowsTheCommandsQueuedByATransaction) {
  other_.flags = kClientMulti;
  other_.multi_queue = {{"SET", "k", "v"}, {"INCR", "n"}};
  std::string text = body(h.run({"CLIENT", "LIST", "ID", "7"}));
  EXPECT_NE(text.find(" flags=x db=0 sub=0 psub=0 ssub=0 multi=2 "), std::string::npos) << text;
}

TEST_F(ClientCommands, ListFiltersByType) {
  other_.flags = kClientPubsub;
  EXPECT_EQ(body(h.run({"CLIENT", "LIST", "TYPE", "pubsub"})).rfind("id=7 ", 0), 0u);
  std::string normal = body(h.run({"CLIENT", "LIST", "TYPE", "NORMAL"}));
  EXPECT_EQ(normal.rfind("id=1 ", 0), 0u);
  EXPECT_EQ(normal.find("id=7 "), std::string::npos);
  EXPECT_EQ(h.run({"CLIENT", "LIST", "TYPE", "replica"}), "$0\r\n\r\n");
  EXPECT_EQ(h.run({"CLIENT", "LIST", "TYPE", "slave"}), "$0\r\n\r\n");
  EXPECT_EQ(h.run({"CLIENT", "LIST", "TYPE", "master"}), "$0\r\n\r\n");
  EXPECT_EQ(h.run({"CLIENT", "LIST", "TYPE", "bogus"}), "-ERR Unknown client type 'bogus'\r\n");
}

TEST_F(ClientCommands, ListSelectsClientsById) {
  std::string text = body(h.run({"CLIENT", "LIST", "ID", "7", "99", "0"}));
  EXPECT_EQ(text.rfind("id=7 ", 0), 0u);
  EXPECT_EQ(text.find("id=1 "), std::string::npos);
  EXPECT_EQ(h.run({"CLIENT", "LIST", "ID", "abc"}), "-ERR Invalid client ID\r\n");
}

TEST_F(ClientCommands, ListRejectsOtherOptionShapes) {
  EXPECT_EQ(h.run({"CLIENT", "LIST", "foo"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"CLIENT", "LIST", "ID"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"CLIENT", "LIST", "TYPE", "normal", "ID", "1"}), "-ERR syntax error\r\n");
}

TEST_F(ClientCommands, KillByAddressClosesThatClientAfterItsReply) {
  EXPECT_EQ(h.run({"CLIENT", "KILL", "10.0.0.2:5000"}), kOk);
  EXPECT_TRUE(other_.has(kClientCloseAfterReply));
  EXPECT_EQ(transport_.close_requests, 1);
  EXPECT_EQ(h.run({"CLIENT", "KILL", "10.0.0.9:1"}), "-ERR No such client\r\n");
}

TEST_F(ClientCommands, KillWithFiltersCountsKilledClientsSkippingTheCaller) {
  EXPECT_EQ(h.run({"CLIENT", "KILL", "TYPE", "normal"}), integer(1));
  EXPECT_TRUE(other_.has(kClientCloseAfterReply));
  EXPECT_FALSE(h.client().has(kClientCloseAfterReply));
}

TEST_F(ClientCommands, KillWithSkipmeNoIncludesTheCaller) {
  EXPECT_EQ(h.run({"CLIENT", "KILL", "USER", "default", "SKIPME", "no"}), integer(2));
  EXPECT_TRUE(h.client().has(kClientCloseAfterReply));
}

TEST_F(ClientCommands, KillFiltersCombine) {
  EXPECT_EQ(h.run({"CLIENT", "KILL", "ID", "7", "ADDR", "1.2.3.4:5"}), integer(0));
  EXPECT_EQ(h.run({"CLIENT", "KILL", "LADDR", "127.0.0.1:9999"}), integer(0));
  EXPECT_EQ(h.run({"CLIENT", "KILL", "ID", "7", "LADDR", "127.0.0.1:6380"}), integer(1));
  EXPECT_EQ(h.run({"CLIENT", "KILL", "TYPE", "master"}), integer(0));
}

TEST_F(ClientCommands, KillRejectsBadFilters) {
  EXPECT_EQ(h.run({"CLIENT", "KILL", "ID", "0"}), "-ERR client-id should be greater than 0\r\n");
  EXPECT_EQ(h.run({"CLIENT", "KILL", "ID", "x"}), "-ERR client-id should be greater than 0\r\n");
  EXPECT_EQ(h.run({"CLIENT", "KILL", "TYPE", "x"}), "-ERR Unknown client type 'x'\r\n");
  EXPECT_EQ(h.run({"CLIENT", "KILL", "USER", "bob"}), "-ERR No such user 'bob'\r\n");
  EXPECT_EQ(h.run({"CLIENT", "KILL", "SKIPME", "maybe"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"CLIENT", "KILL", "MAXAGE", "1"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"CLIENT", "KILL", "ID", "7", "TYPE"}), "-ERR syntax error\r\n");
  EXPECT_FALSE(other_.has(kClientCloseAfterReply));
}

TEST_F(ClientCommands, ReplyOffSilencesTheClientUntilReplyOn) {
  EXPECT_EQ(h.run({"CLIENT", "REPLY", "OFF"}), "");
  EXPECT_EQ(h.run({"PING"}), "");
  EXPECT_EQ(h.run({"CLIENT", "REPLY", "ON"}), kOk);
  EXPECT_EQ(h.run({"PING"}), "+PONG\r\n");
}

TEST_F(ClientCommands, ReplySkipSilencesOnlyTheNextCommand) {
  EXPECT_EQ(h.run({"CLIENT", "REPLY", "skip"}), "");
  EXPECT_EQ(h.run({"PING"}), "");
  EXPECT_EQ(h.run({"PING"}), "+PONG\r\n");
  EXPECT_EQ(h.run({"CLIENT", "REPLY", "maybe"}), "-ERR syntax error\r\n");
}

TEST_F(ClientCommands, PauseHoldsAllClientsByDefault) {
  int64_t now = h.clock().now_ms();
  EXPECT_EQ(h.run({"CLIENT", "PAUSE", "1000"}), kOk);
  EXPECT_EQ(h.node().pause_end_ms, now + 1000);
  EXPECT_FALSE(h.node().pause_writes_only);
}

TEST_F(ClientCommands, PauseWriteHoldsOnlyWrites) {
  EXPECT_EQ(h.run({"CLIENT", "PAUSE", "500", "write"}), kOk);
  EXPECT_TRUE(h.node().pause_writes_only);
}

TEST_F(ClientCommands, PauseNeverShortensNorRelaxesAPauseInForce) {
  int64_t now = h.clock().now_ms();
  h.run({"CLIENT", "PAUSE", "1000", "ALL"});
  EXPECT_EQ(h.run({"CLIENT", "PAUSE", "10", "WRITE"}), kOk);
  EXPECT_EQ(h.node().pause_end_ms, now + 1000);
  EXPECT_FALSE(h.node().pause_writes_only);
  h.run({"CLIENT", "PAUSE", "5000", "WRITE"});
  EXPECT_EQ(h.node().pause_end_ms, now + 5000);
  EXPECT_FALSE(h.node().pause_writes_only);
}

TEST_F(ClientCommands, PauseSaturatesAHugeTimeout) {
  EXPECT_EQ(h.run({"CLIENT", "PAUSE", "9223372036854775807"}), kOk);
  EXPECT_EQ(h.node().pause_end_ms, std::numeric_limits<int64_t>::max());
}

TEST_F(ClientCommands, PauseRejectsBadTimeoutsAndModes) {
  EXPECT_EQ(h.run({"CLIENT", "PAUSE", "soon"}),
            "-ERR timeout is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"CLIENT", "PAUSE", "-1"}), "-ERR timeout is negative\r\n");
  EXPECT_EQ(h.run({"CLIENT", "PAUSE", "10", "READ"}),
            "-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n");
  EXPECT_EQ(h.run({"CLIENT", "PAUSE", "10", "ALL", "x"}),
            "-ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT "
            "HELP.\r\n");
  EXPECT_EQ(h.node().pause_end_ms, 0);
}

TEST_F(ClientCommands, UnpauseEndsThePause) {
  h.run({"CLIENT", "PAUSE", "100000", "WRITE"});
  EXPECT_EQ(h.run({"CLIENT", "UNPAUSE"}), kOk);
  EXPECT_EQ(h.node().pause_end_ms, 0);
  EXPECT_FALSE(h.node().pause_writes_only);
}

TEST_F(ClientCommands, NoEvictTogglesTheFlag) {
  EXPECT_EQ(h.run({"CLIENT", "NO-EVICT", "on"}), kOk);
  EXPECT_TRUE(h.client().has(kClientNoEvict));
  EXPECT_EQ(h.run({"CLIENT", "NO-EVICT", "OFF"}), kOk);
  EXPECT_FALSE(h.client().has(kClientNoEvict));
  EXPECT_EQ(h.run({"CLIENT", "NO-EVICT", "yes"}), "-ERR syntax error\r\n");
}

TEST_F(ClientCommands, SetinfoStoresTheLibraryNameAndVersion) {
  EXPECT_EQ(h.run({"CLIENT", "SETINFO", "LIB-NAME", "redis-py"}), kOk);
  EXPECT_EQ(h.run({"CLIENT", "SETINFO", "lib-ver", "5.0.1"}), kOk);
  EXPECT_EQ(h.client().lib_name, "redis-py");
  EXPECT_EQ(h.client().lib_ver, "5.0.1");
}

TEST_F(ClientCommands, SetinfoRejectsUnknownAttributesAndSpaces) {
  EXPECT_EQ(h.run({"CLIENT", "SETINFO", "color", "red"}), "-ERR Unrecognized option 'color'\r\n");
  EXPECT_EQ(h.run({"CLIENT", "SETINFO", "lib-name", "my lib"}),
            "-ERR lib-name cannot contain spaces, newlines or special characters.\r\n");
  EXPECT_EQ(h.run({"CLIENT", "SETINFO", "lib-name"}),
            "-ERR wrong number of arguments for 'client|setinfo' command\r\n");
}

TEST_F(ClientCommands, HelpListsTheSubcommands) {
  std::string reply = h.run({"CLIENT", "HELP"});
  EXPECT_EQ(reply.rfind("*41\r\n+CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
                        "\r\n",
                        0),
            0u);
  EXPECT_NE(reply.find("+SETINFO <option> <value>\r\n"), std::string::npos);
  const std::string tail = "+HELP\r\n+    Prints this help.\r\n";
  EXPECT_EQ(reply.substr(reply.size() - tail.size()), tail);
}

TEST_F(ClientCommands, UnknownSubcommandsAndArityAreRejected) {
  EXPECT_EQ(h.run({"CLIENT", "bogus"}), "-ERR unknown subcommand 'bogus'. Try CLIENT HELP.\r\n");
  EXPECT_EQ(h.run({"CLIENT", "ID", "x"}),
            "-ERR wrong number of arguments for 'client|id' command\r\n");
  EXPECT_EQ(h.run({"CLIENT"}), "-ERR wrong number of arguments for 'client' command\r\n");
}

}  // namespace
}  // namespace stashd::testing
