// Drives the replica's handshake state machine and the snapshot receiver without sockets.
#include "stashd/repl/replica_handshake.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "stashd/repl/stream_encoder.h"

namespace stashd::repl {
namespace {

using Kind = HandshakeStep::Kind;
using Argv = std::vector<std::string>;

TEST(ReplicaHandshakeTest, WalksThroughToAFullResync) {
  HandshakeSettings s;
  s.listening_port = 7001;
  ReplicaHandshake h(s);
  EXPECT_EQ(h.start().command, (Argv{"PING"}));
  HandshakeStep step = h.on_reply("+PONG");
  EXPECT_EQ(step.command, (Argv{"REPLCONF", "listening-port", "7001"}));
  step = h.on_reply("+OK");
  EXPECT_EQ(step.command, (Argv{"REPLCONF", "capa", "eof", "capa", "psync2"}));
  step = h.on_reply("+OK");
  EXPECT_EQ(step.command, (Argv{"PSYNC", "?", "-1"}));
  step = h.on_reply("+FULLRESYNC 0123456789abcdef0123456789abcdef01234567 1234");
  EXPECT_EQ(step.kind, Kind::kFullResync);
  EXPECT_EQ(step.replid, "0123456789abcdef0123456789abcdef01234567");
  EXPECT_EQ(step.offset, 1234u);
  EXPECT_EQ(h.stage(), HandshakeStage::kDone);
}

TEST(ReplicaHandshakeTest, AuthenticatesAndAsksToContinue) {
  HandshakeSettings s;
  s.masteruser = "repl";
  s.masterauth = "secret";
  s.listening_port = 7002;
  s.listening_ip = "10.0.0.2";
  s.replid = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  s.next_offset = 501;
  ReplicaHandshake h(s);
  h.start();
  EXPECT_EQ(h.on_reply("-NOAUTH Authentication required.").command,
            (Argv{"AUTH", "repl", "secret"}));
  EXPECT_EQ(h.on_reply("+OK").command, (Argv{"REPLCONF", "listening-port", "7002"}));
  EXPECT_EQ(h.on_reply("+OK").command, (Argv{"REPLCONF", "ip-address", "10.0.0.2"}));
  EXPECT_EQ(h.on_reply("+OK").command, (Argv{"REPLCONF", "capa", "eof", "capa", "psync2"}));
  // A refused REPLCONF option does not stop the handshake.
  EXPECT_EQ(h.on_reply("-ERR Unrecognized REPLCONF option: capa").command,
            (Argv{"PSYNC", s.replid, "501"}));
  HandshakeStep step = h.on_reply("+CONTINUE bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
  EXPECT_EQ(step.kind, Kind::kContinue);
  EXPECT_EQ(step.replid, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
  EXPECT_EQ(step.offset, 500u);
}

TEST(ReplicaHandshakeTest, WrongPasswordAndGarbageFail) {
  HandshakeSettings s;
  s.masterauth = "bad";
  ReplicaHandshake h(s);
  h.start();
  h.on_reply("+PONG");
  HandshakeStep step = h.on_reply("-WRONGPASS invalid username-password pair");
  EXPECT_EQ(step.kind, Kind::kFail);
  EXPECT_NE(step.reason.find("Unable to AUTH"), std::string::npos);

  ReplicaHandshake g(HandshakeSettings{});
  g.start();
  EXPECT_EQ(g.on_reply("hello?").kind, Kind::kFail);

  ReplicaHandshake p(HandshakeSettings{});
  p.start();
  p.on_reply("+PONG");
  p.on_reply("+OK");
  p.on_reply("+OK");
  EXPECT_EQ(p.on_reply("+FULLRESYNC nothex 12").kind, Kind::kFail);
}

TEST(ReplicaHandshakeTest, LoadingOrLinklessPrimaryMeansRetry) {
  ReplicaHandshake h(HandshakeSettings{});
  h.start();
  h.on_reply("+PONG");
  h.on_reply("+OK");
  h.on_reply("+OK");
  EXPECT_EQ(h.on_reply("-NOMASTERLINK Can't SYNC while not connected with my master").kind,
            Kind::kRetry);
}

std::string receive(BulkReceiver& r, std::string_view wire, size_t chunk, size_t* consumed) {
  std::string payload;
  *consumed = 0;
  while (*consumed < wire.size() && !r.done() && !r.failed()) {
    std::string_view part = wire.substr(*consumed, chunk);
    *consumed += r.feed(part, [&](std::string_view b) {
      payload.append(b);
      return true;
    });
  }
  return payload;
}

TEST(BulkReceiverTest, LengthFramingStopsAtTheStream) {
  for (size_t chunk : {1u, 3u, 7u, 1000u}) {
    BulkReceiver r;
    size_t consumed = 0;
    std::string wire = "\n\n$10\r\n0123456789*1\r\n$4\r\nPING\r\n";
    EXPECT_EQ(receive(r, wire, chunk, &consumed), "0123456789") << chunk;
    EXPECT_TRUE(r.done());
    EXPECT_EQ(wire.substr(consumed), "*1\r\n$4\r\nPING\r\n") << chunk;
  }
}

TEST(BulkReceiverTest, EofFramingFindsTheMarkAcrossChunks) {
  const std::string mark(40, 'm');
  std::string payload;
  for (int i = 0; i < 300; ++i) payload += static_cast<char>('a' + i % 26);
  for (size_t chunk : {1u, 13u, 39u, 40u, 41u, 4096u}) {
    BulkReceiver r;
    size_t consumed = 0;
    std::string wire = "$EOF:" + mark + "\r\n" + payload + mark + "*1\r\n";
    EXPECT_EQ(receive(r, wire, chunk, &consumed), payload) << chunk;
    EXPECT_TRUE(r.done());
    EXPECT_FALSE(r.has_length());
    EXPECT_EQ(wire.substr(consumed), "*1\r\n") << chunk;
  }
}

TEST(BulkReceiverTest, RefusesBadHeaders) {
  for (std::string wire : {"+OK\r\n", "$abc\r\n", "-ERR oops\r\n"}) {
    BulkReceiver r;
    size_t consumed = 0;
    receive(r, wire, 100, &consumed);
    EXPECT_TRUE(r.failed()) << wire;
  }
}

TEST(StreamEncoderTest, SelectsDatabasesAndWrapsAtomicUnits) {
  PropagatedUnit unit;
  const std::string_view set[] = {"SET", "k", "v"};
  unit.add(0, kPropagateAll, std::span<const std::string_view>(set));
  StreamEncoder enc;
  std::string out;
  enc.encode(unit, &out);
  EXPECT_EQ(out, "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n");
  out.clear();
  enc.encode(unit, &out);  // same database: no SELECT
  EXPECT_EQ(out, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n");
  unit.clear();
  const std::string_view del[] = {"DEL", "k"};
  unit.add(3, kPropagateAll, std::span<const std::string_view>(set));
  unit.add(3, kPropagateAll, std::span<const std::string_view>(del));
  out.clear();
  enc.encode(unit, &out);
  EXPECT_EQ(out,
            "*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\n"
            "v\r\n*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n*1\r\n$4\r\nEXEC\r\n");
  enc.forget_db();
  out.clear();
  unit.clear();
  unit.add(3, kPropagateAll, std::span<const std::string_view>(del));
  enc.encode(unit, &out);
  EXPECT_EQ(out.rfind("*2\r\n$6\r\nSELECT", 0), 0u);
}

}  // namespace
}  // namespace stashd::repl
