// Owns: the replica's handshake state machine and the snapshot receiver (see
// replica_handshake.h). Thread: the event loop.
#include "stashd/repl/replica_handshake.h"

#include <charconv>
#include <cstring>

#include "stashd/common/strings.h"

namespace stashd::repl {

namespace {

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

bool valid_replid(std::string_view id) {
  if (id.size() != 40) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

HandshakeStep ReplicaHandshake::send(HandshakeStage next, std::vector<std::string> command) {
  stage_ = next;
  HandshakeStep step;
  step.kind = HandshakeStep::Kind::kSend;
  step.command = std::move(command);
  return step;
}

HandshakeStep ReplicaHandshake::fail(HandshakeStep::Kind kind, std::string reason) {
  stage_ = HandshakeStage::kFailed;
  HandshakeStep step;
  step.kind = kind;
  step.reason = std::move(reason);
  return step;
}

HandshakeStep ReplicaHandshake::start() { return send(HandshakeStage::kPing, {"PING"}); }

HandshakeStep ReplicaHandshake::after_auth() {
  return send(HandshakeStage::kPort,
              {"REPLCONF", "listening-port", std::to_string(settings_.listening_port)});
}

HandshakeStep ReplicaHandshake::after_port() {
  if (!settings_.listening_ip.empty()) {
    return send(HandshakeStage::kIp, {"REPLCONF", "ip-address", settings_.listening_ip});
  }
  return send(HandshakeStage::kCapa, {"REPLCONF", "capa", "eof", "capa", "psync2"});
}

HandshakeStep ReplicaHandshake::psync() {
  std::string offset = settings_.next_offset < 0 ? "-1" : std::to_string(settings_.next_offset);
  std::string replid = settings_.next_offset < 0 ? "?" : settings_.replid;
  std::vector<std::string> command{"PSYNC", replid, offset};
  if (settings_.failover) command.emplace_back("FAILOVER");
  return send(HandshakeStage::kPsync, std::move(command));
}

HandshakeStep ReplicaHandshake::on_reply(std::string_view line) {
  if (line.empty() && stage_ == HandshakeStage::kPsync) {
    // A primary preparing a full sync keeps the link alive with newlines before it answers.
    HandshakeStep step;
    step.kind = HandshakeStep::Kind::kWait;
    return step;
  }
  const bool error = !line.empty() && line[0] == '-';
  switch (stage_) {
    case HandshakeStage::kPing:
      // A primary with a password answers PING with -NOAUTH (-NOPERM with ACLs): AUTH follows.
      if (error && !starts_with_ci(line, "-NOAUTH") && !starts_with_ci(line, "-NOPERM") &&
          !starts_with_ci(line, "-ERR operation not permitted")) {
        return fail(HandshakeStep::Kind::kFail,
                    "Error reply to PING from master: '" + std::string(line) + "'");
      }
      if (!error && line != "+PONG") {
        return fail(HandshakeStep::Kind::kFail,
                    "Unexpected reply to PING from master: '" + std::string(line) + "'");
      }
      if (!settings_.masterauth.empty()) {
        std::vector<std::string> auth{"AUTH"};
        if (!settings_.masteruser.empty()) auth.push_back(settings_.masteruser);
        auth.push_back(settings_.masterauth);
        return send(HandshakeStage::kAuth, std::move(auth));
      }
      return after_auth();
    case HandshakeStage::kAuth:
      if (error) {
        return fail(HandshakeStep::Kind::kFail,
                    "Unable to AUTH to MASTER: '" + std::string(line) + "'");
      }
      return after_auth();
    case HandshakeStage::kPort:
      // Older or stricter primaries may refuse REPLCONF options: not fatal, as in Redis.
      return after_port();
    case HandshakeStage::kIp:
      return send(HandshakeStage::kCapa, {"REPLCONF", "capa", "eof", "capa", "psync2"});
    case HandshakeStage::kCapa:
      return psync();
    case HandshakeStage::kPsync: {
      if (starts_with_ci(line, "-NOMASTERLINK") || starts_with_ci(line, "-LOADING")) {
        return fail(HandshakeStep::Kind::kRetry,
                    "Master is currently unable to PSYNC but should be in the future: " +
                        std::string(line));
      }
      if (error) {
        return fail(HandshakeStep::Kind::kFail,
                    "Unexpected reply to PSYNC from master: '" + std::string(line) + "'");
      }
      std::vector<std::string_view> w = words(line);
      if (!w.empty() && w[0] == "+FULLRESYNC") {
        uint64_t offset = 0;
        if (w.size() != 3 || !valid_replid(w[1]) ||
            std::from_chars(w[2].data(), w[2].data() + w[2].size(), offset).ec != std::errc() ||
            w[2].data() + w[2].size() !=
                std::from_chars(w[2].data(), w[2].data() + w[2].size(), offset).ptr) {
          return fail(HandshakeStep::Kind::kFail,
                      "Master replied with wrong +FULLRESYNC syntax: '" + std::string(line) + "'");
        }
        stage_ = HandshakeStage::kDone;
        HandshakeStep step;
        step.kind = HandshakeStep::Kind::kFullResync;
        step.replid = std::string(w[1]);
        step.offset = offset;
        return step;
      }
      if (!w.empty() && w[0] == "+CONTINUE") {
        if (settings_.next_offset < 0) {
          return fail(HandshakeStep::Kind::kFail,
                      "Master replied +CONTINUE to a replica without history");
        }
        if (w.size() > 2 || (w.size() == 2 && !valid_replid(w[1]))) {
          return fail(HandshakeStep::Kind::kFail,
                      "Master replied with wrong +CONTINUE syntax: '" + std::string(line) + "'");
        }
        stage_ = HandshakeStage::kDone;
        HandshakeStep step;
        step.kind = HandshakeStep::Kind::kContinue;
        step.replid = w.size() == 2 ? std::string(w[1]) : settings_.replid;
        step.offset = static_cast<uint64_t>(settings_.next_offset - 1);
        return step;
      }
      return fail(HandshakeStep::Kind::kFail,
                  "Unexpected reply to PSYNC from master: '" + std::string(line) + "'");
    }
    case HandshakeStage::kDone:
    case HandshakeStage::kFailed:
      break;
  }
  return fail(HandshakeStep::Kind::kFail, "reply after the handshake ended");
}

size_t BulkReceiver::fail(std::string error) {
  state_ = State::kFailed;
  error_ = std::move(error);
  return 0;
}

size_t BulkReceiver::feed_header(std::string_view data) {
  size_t used = 0;
  while (used < data.size()) {
    char c = data[used++];
    if (c == '\n') {
      if (line_.empty()) continue;  // a keepalive newline
      if (line_.back() == '\r') line_.pop_back();
      if (line_.empty()) continue;
      if (line_[0] == '-') return fail("Master aborted the transfer: " + line_);
      if (line_[0] != '$') {
        return fail("Bad protocol from MASTER, the first byte is not '$' (we received '" +
                    line_.substr(0, 64) + "')");
      }
      std::string_view rest = std::string_view(line_).substr(1);
      if (rest.size() == 4 + kMarkLength && rest.substr(0, 4) == "EOF:") {
        eof_mark_ = true;
        mark_ = std::string(rest.substr(4));
      } else {
        auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), expected_);
        if (ec != std::errc() || ptr != rest.data() + rest.size()) {
          return fail("Bad snapshot length from MASTER: '" + line_.substr(0, 64) + "'");
        }
      }
      state_ = State::kPayload;
      return used;
    }
    line_.push_back(c);
    if (line_.size() > 256) return fail("Snapshot header from MASTER too long");
  }
  return used;
}

size_t BulkReceiver::feed(std::string_view data,
                          const std::function<bool(std::string_view)>& sink) {
  size_t used = 0;
  if (state_ == State::kHeader) {
    used = feed_header(data);
    if (state_ != State::kPayload) return used;
    data.remove_prefix(used);
  }
  if (state_ != State::kPayload) return used;
  if (!eof_mark_) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(expected_ - payload_, data.size()));
    if (n > 0 && !sink(data.substr(0, n))) return fail("could not store the snapshot");
    payload_ += n;
    if (payload_ == expected_) state_ = State::kDone;
    return used + n;
  }
  // EOF framing: the payload ends with the mark. Look for it across what was held back and the
  // new bytes; hand over everything that cannot be part of it.
  std::string window = held_;
  window.append(data);
  size_t at = window.find(mark_);
  if (at != std::string::npos) {
    if (at > 0 && !sink(std::string_view(window).substr(0, at))) {
      return fail("could not store the snapshot");
    }
    payload_ += at;
    state_ = State::kDone;
    size_t from_data = at + kMarkLength - held_.size();
    held_.clear();
    return used + from_data;
  }
  size_t keep = std::min(window.size(), kMarkLength - 1);
  size_t emit = window.size() - keep;
  if (emit > 0 && !sink(std::string_view(window).substr(0, emit))) {
    return fail("could not store the snapshot");
  }
  payload_ += emit;
  held_ = window.substr(emit);
  return used + data.size();
}

}  // namespace stashd::repl
