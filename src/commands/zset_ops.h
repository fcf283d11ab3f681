// Owns: what the sorted-set handlers share, and what the blocking layer (BZPOPMIN, BZPOPMAX,
// BZMPOP) calls: finding a zset under a key, the listpack limits in force, replies of members with
// scores in RESP2/RESP3 shapes, storing a result key, ZMPOP's argument parsing and the pop itself.
// Must not touch: blocked-client state (the blocking layer owns it), other families.
// Thread: the event loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "stashd/command/context.h"
#include "stashd/types/zset.h"

namespace stashd {

class CommandTable;
void register_zset_range_commands(CommandTable& table);  // zset_range_cmds.cpp
void register_zset_store_commands(CommandTable& table);  // zset_store_cmds.cpp

namespace zset_ops {

inline constexpr std::string_view kNotFloatRange = "ERR min or max is not a float";
inline constexpr std::string_view kNotLexRange = "ERR min or max not valid string range item";

ZsetLimits limits(CommandContext& ctx);

// The zset under `key`, or nullptr when the key is missing or holds another type (then
// *wrong_type is set; nothing is replied). Reads count a keyspace hit or miss, writes do not.
ZsetValue* find_zset(CommandContext& ctx, std::string_view key, bool for_write, bool* wrong_type);

// Writes one element of a WITHSCORES-style reply: in RESP3 a [member, score] pair with a double,
// in RESP2 the member and the score side by side (the caller counts 2 per element).
void write_scored(resp::ReplyWriter& out, std::string_view member, double score);

// Collects an array reply whose length is known only at the end (ranges with LIMIT, ZUNION).
class RangeReply {
 public:
  RangeReply(CommandContext& ctx, bool with_scores);
  void add(std::string_view member, double score);
  void finish();  // writes the header and everything added

 private:
  CommandContext& ctx_;
  bool with_scores_;
  std::string body_;
  resp::ReplyWriter writer_;
  int64_t count_ = 0;
};

// Stores `zset` under `dst` (dropping any TTL) or, when it is empty, deletes `dst`; replies the
// new size as the *STORE commands do and signals the change.
void store_result(CommandContext& ctx, std::string_view dst, std::unique_ptr<ZsetValue> zset);

// The reply shapes of the pop family.
enum class PopReply : uint8_t {
  kFlat,         // ZPOPMIN/ZPOPMAX in RESP2, or without COUNT: [m, s, m, s, ...]
  kNested,       // ZPOPMIN/ZPOPMAX with COUNT in RESP3: [[m, s], ...]
  kKeyedFlat,    // BZPOPMIN/BZPOPMAX: [key, m, s]
  kKeyedNested,  // ZMPOP/BZMPOP: [key, [[m, s], ...]]
};

// Pops up to `count` (>= 1) elements from the low (or high) end of the non-empty `zset` stored
// under `key`, replies them in `shape`, deletes the key once empty and signals the change.
void pop_and_reply(CommandContext& ctx, std::string_view key, ZsetValue& zset, bool from_max,
                   size_t count, PopReply shape);

// The first of `keys` that exists, as ZMPOP and BZPOPMIN look for it. A key of another type met
// before it makes the call fail: *wrong_type is set and nullptr returned (nothing is replied).
struct FoundZset {
  size_t index = 0;
  ZsetValue* zset = nullptr;
};
std::optional<FoundZset> first_zset(CommandContext& ctx, std::span<const std::string_view> keys,
                                    bool* wrong_type);

// ZMPOP/BZMPOP arguments from argv[numkeys_index] on: numkeys key... MIN|MAX [COUNT count].
// Replies Redis's error and returns nullopt when they are malformed.
struct MpopArgs {
  std::span<const std::string_view> keys;
  bool from_max = false;
  size_t count = 1;
};
std::optional<MpopArgs> parse_mpop(CommandContext& ctx, size_t numkeys_index);

}  // namespace zset_ops
}  // namespace stashd
