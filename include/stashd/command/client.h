// Owns: per-client protocol state the commands see (id, name, selected db, RESP version, auth, reply
// mode, flags) and the client's reply buffer. The socket side lives in net and is reached only
// through the ClientTransport interface. Must not touch: sockets. Thread: the event loop.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "stashd/resp/writer.h"

namespace stashd {

struct Command;

// What the commands may ask of a client's connection (implemented in net).
class ClientTransport {
 public:
  virtual ~ClientTransport() = default;
  // Output was appended to the client's buffer outside its own command (MONITOR feed, say).
  virtual void request_flush() = 0;
  // Close the connection once pending output is written (CLIENT KILL, QUIT).
  virtual void close_after_reply() = 0;
  // The client blocked (stop running its pipelined requests; time out at deadline_ms, 0 = never)
  // or was unblocked (resume).
  virtual void blocked(int64_t deadline_ms) = 0;
  virtual void unblocked() = 0;
  virtual size_t query_buffer_bytes() const = 0;
  virtual size_t query_buffer_free() const = 0;
  virtual size_t output_pending_bytes() const = 0;
};

// A key a client WATCHes, with its deadline at WATCH time (-1 = none): a key that expires while
// watched fails the transaction even if nothing deleted it yet.
struct WatchedKey {
  int db;
  std::string key;
  int64_t deadline_ms;
};

// CLIENT TRACKING options of one connection.
struct TrackingOptions {
  bool bcast = false;
  bool optin = false;
  bool optout = false;
  bool noloop = false;
  uint64_t redirect = 0;  // 0 = deliver on this connection
  std::vector<std::string> prefixes;
};

enum class ReplyMode { kOn, kOff, kSkipNext, kSkipThis };

enum ClientFlag : uint32_t {
  kClientMonitor = 1u << 0,
  kClientCloseAfterReply = 1u << 1,
  kClientNoEvict = 1u << 2,
  kClientPubsub = 1u << 3,
  kClientMulti = 1u << 4,
  kClientMaster = 1u << 5,   // this replica's link to its primary: the stream it applies
  kClientReplica = 1u << 6,  // a replica's link on its primary (after PSYNC)
};

class Client {
 public:
  Client(uint64_t id, int64_t now_ms) : id(id), created_ms(now_ms), last_interaction_ms(now_ms) {}

  uint64_t id;
  std::string name;
  std::string addr;   // "127.0.0.1:53210"
  std::string laddr;  // "127.0.0.1:6379"
  int fd = -1;
  int db = 0;
  bool authenticated = false;
  uint32_t flags = 0;
  ReplyMode reply_mode = ReplyMode::kOn;
  int64_t created_ms;
  int64_t last_interaction_ms;
  // The last command run (for CLIENT LIST cmd=); a row pointer, so recording it costs nothing.
  const Command* last_command = nullptr;
  std::string lib_name;
  std::string lib_ver;
  uint64_t commands_processed = 0;
  ClientTransport* transport = nullptr;

  // MULTI state: queued requests (owned copies), whether queueing hit an error (EXECABORT), and
  // WATCHed keys with whether one of them changed.
  std::vector<std::vector<std::string>> multi_queue;
  bool multi_error = false;
  bool multi_denyoom = false;  // a queued command may use memory (EXEC is then OOM-checked)
  bool multi_write = false;    // a queued command writes (EXEC is then MISCONF-checked)
  std::vector<WatchedKey> watched;
  bool watch_dirty = false;

  // Pub/sub subscriptions (the registry in PubSub holds the reverse index).
  std::set<std::string, std::less<>> channels;
  std::set<std::string, std::less<>> patterns;
  size_t subscription_count() const { return channels.size() + patterns.size(); }

  // Client-side caching: tracking on/off, its options, and CLIENT CACHING yes (1) / no (-1) for
  // the next command.
  bool tracking = false;
  TrackingOptions tracking_options;
  int caching_override = 0;

  // Blocking state: the request to retry when a key is ready, what to reply on timeout.
  bool blocked = false;
  int blocked_db = 0;
  std::vector<std::string> blocked_keys;
  std::vector<std::string> blocked_request;
  int64_t blocked_deadline_ms = 0;         // 0 = waits forever
  bool blocked_timeout_null_array = true;  // else a null bulk (BLMOVE, BRPOPLPUSH)
  bool block_retry = false;                // the blocked request is being retried
  bool block_again = false;                // ...and asked to keep waiting
  // WAIT: the replication offset this client waits for replicas to acknowledge (-1: not waiting)
  // and how many it wants; on timeout it is answered with the number that did.
  int64_t wait_offset = -1;
  int wait_replicas = 0;

  std::string out;  // replies not yet handed to the socket
  resp::ReplyWriter writer{&out, 2};

  int protocol() const { return writer.protocol(); }
  bool has(uint32_t flag) const { return (flags & flag) != 0; }
};

}  // namespace stashd
