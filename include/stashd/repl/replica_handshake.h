// Owns: the replica side of the replication handshake as a state machine, driven by the primary's
// reply lines and returning what to send next: PING, AUTH (masterauth), REPLCONF listening-port,
// REPLCONF capa, PSYNC; then the outcome (+FULLRESYNC <replid> <offset>, +CONTINUE [<replid>], or
// a reason to retry later). Also BulkReceiver, which takes the snapshot that follows
// +FULLRESYNC off the stream in either framing ($<length> or $EOF:<40-byte mark>).
// Pure: no sockets, no clock. Thread: the event loop.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace stashd::repl {

struct HandshakeSettings {
  std::string masteruser;  // AUTH <user> <password> when set, else AUTH <password>
  std::string masterauth;  // no AUTH when empty
  int listening_port = 0;
  std::string listening_ip;  // REPLCONF ip-address when set (replica-announce-ip)
  std::string replid = "?";  // the history to continue ("?": none)
  int64_t next_offset = -1;  // offset + 1 of the last byte applied (-1: none)
  bool failover = false;     // PSYNC ... FAILOVER: the primary hands over to this replica's target
};

enum class HandshakeStage {
  kPing,      // sent PING, waiting for PONG
  kAuth,      // sent AUTH
  kPort,      // sent REPLCONF listening-port
  kIp,        // sent REPLCONF ip-address
  kCapa,      // sent REPLCONF capa
  kPsync,     // sent PSYNC
  kDone,      // the primary answered PSYNC
  kFailed,
};

struct HandshakeStep {
  enum class Kind {
    kSend,        // send `command` and feed its reply to on_reply
    kFullResync,  // a snapshot follows (BulkReceiver), then the stream from `offset`
    kContinue,    // the stream continues right away; `replid` is the primary's current id
    kRetry,       // the primary cannot serve now (loading, its own link down): reconnect later
    kFail,        // a refusal (wrong password, garbage): reconnect later, logged as an error
  };
  Kind kind = Kind::kSend;
  std::vector<std::string> command;
  std::string replid;
  uint64_t offset = 0;
  std::string reason;
};

class ReplicaHandshake {
 public:
  explicit ReplicaHandshake(HandshakeSettings settings) : settings_(std::move(settings)) {}

  // The first command (PING).
  HandshakeStep start();
  // One reply line from the primary, without its CRLF.
  HandshakeStep on_reply(std::string_view line);
  HandshakeStage stage() const { return stage_; }

 private:
  HandshakeStep send(HandshakeStage next, std::vector<std::string> command);
  HandshakeStep after_auth();
  HandshakeStep after_port();
  HandshakeStep psync();
  HandshakeStep fail(HandshakeStep::Kind kind, std::string reason);

  HandshakeSettings settings_;
  HandshakeStage stage_ = HandshakeStage::kPing;
};

// Receives the snapshot payload sent after +FULLRESYNC. Newlines before the header are the
// primary's keepalives while it prepares the snapshot.
class BulkReceiver {
 public:
  static constexpr size_t kMarkLength = 40;

  // Consumes bytes of `data`, handing payload bytes to `sink` (which returns false to abort, e.g.
  // a disk error). Returns how many bytes were consumed: all, unless the payload ended inside
  // `data` (what follows is the stream). Check failed() / done() after each call.
  size_t feed(std::string_view data, const std::function<bool(std::string_view)>& sink);

  bool done() const { return state_ == State::kDone; }
  bool failed() const { return state_ == State::kFailed; }
  const std::string& error() const { return error_; }
  bool has_length() const { return !eof_mark_; }
  uint64_t expected_bytes() const { return expected_; }  // with a length header
  uint64_t payload_bytes() const { return payload_; }
  // The header has been read (the transfer proper started).
  bool started() const { return state_ == State::kPayload || state_ == State::kDone; }

 private:
  enum class State { kHeader, kPayload, kDone, kFailed };
  size_t fail(std::string error);
  size_t feed_header(std::string_view data);

  State state_ = State::kHeader;
  std::string line_;
  bool eof_mark_ = false;
  std::string mark_;
  std::string held_;  // an EOF-framed payload's last bytes, which might begin the mark
  uint64_t expected_ = 0;
  uint64_t payload_ = 0;
  std::string error_;
};

}  // namespace stashd::repl
