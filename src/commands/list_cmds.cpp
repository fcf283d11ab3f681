// Owns: the list family: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LRANGE LINDEX LSET LINSERT LREM
// LTRIM LPOS LMOVE RPOPLPUSH LMPOP with Redis 7 replies, their table rows, and the pop/move steps
// of list_ops.h. The blocking variants are not here. Must not touch: other families, the
// keyspace's internals (only Db's public API), ListValue's nodes. Thread: the event loop.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands/list_ops.h"
#include "stashd/command/context.h"
#include "stashd/commands/registry.h"

namespace stashd {

namespace list_ops {

namespace {

ListValue* as_list(Db& db, EntryIndex e) { return static_cast<ListValue*>(db.view(e).object()); }

int64_t fill_of(CommandContext& ctx) { return ctx.node.config().list_max_listpack_size; }

// Stores a new empty list at `key`; replies the out-of-memory error and returns nullptr on failure.
// The caller pushes at least one element before the command ends: empty lists never stay.
ListValue* create_list(CommandContext& ctx, std::string_view key) {
  auto owned = std::make_unique<ListValue>(fill_of(ctx));
  ListValue* list = owned.get();
  if (ctx.db().set_object(key, ValueType::kList, std::move(owned)) == kNoEntry) {
    ctx.error(errors::kOutOfMemory);
    return nullptr;
  }
  return list;
}

// After elements left `list`: deletes the key when it is empty, and signals the change.
void after_removal(CommandContext& ctx, std::string_view key, const ListValue* list) {
  if (list->empty()) ctx.db().erase(key);
  ctx.key_changed(key);
}

void reply_value(CommandContext& ctx, const Listpack::Value& v) {
  char buf[24];
  ctx.out.bulk(v.as_string(buf));
}

}  // namespace

ListValue* find_list(CommandContext& ctx, std::string_view key, bool* wrong_type) {
  Db& db = ctx.db();
  EntryIndex e = db.lookup_write(key);
  *wrong_type = e != kNoEntry && db.view(e).type() != ValueType::kList;
  if (e == kNoEntry || *wrong_type) return nullptr;
  ListValue* list = as_list(db, e);
  list->set_fill(fill_of(ctx));
  return list;
}

Outcome pop_into_reply(CommandContext& ctx, std::string_view key, bool left, int64_t count,
                       PopReply shape) {
  bool wrong_type;
  ListValue* list = find_list(ctx, key, &wrong_type);
  if (list == nullptr) return wrong_type ? Outcome::kWrongType : Outcome::kNoList;
  const bool single = shape == PopReply::kBulk || shape == PopReply::kKeyAndBulk;
  const size_t n =
      single ? 1 : std::min(list->size(), static_cast<size_t>(std::max<int64_t>(count, 0)));
  if (shape == PopReply::kKeyAndBulk || shape == PopReply::kKeyAndArray) {
    ctx.out.array(2);
    ctx.out.bulk(key);
  }
  if (!single) ctx.out.array(static_cast<int64_t>(n));
  if (n == 0) return Outcome::kDone;
  for (size_t i = 0; i < n; ++i) {
    reply_value(ctx, left ? list->front() : list->back());
    left ? list->pop_front() : list->pop_back();
  }
  after_removal(ctx, key, list);
  // BLPOP/BRPOP, LMPOP/BLMPOP: replicas pop from the key that was served, without blocking (as
  // Redis propagates them); LPOP/RPOP go as they came.
  std::string_view pop = left ? "LPOP" : "RPOP";
  if (shape == PopReply::kKeyAndBulk) {
    ctx.propagate_as({pop, key});
  } else if (shape == PopReply::kKeyAndArray) {
    ctx.propagate_as({pop, key}).add(static_cast<int64_t>(n));
  }
  return Outcome::kDone;
}

Outcome move_into_reply(CommandContext& ctx, std::string_view source, std::string_view destination,
                        bool from_left, bool to_left) {
  bool wrong_type;
  ListValue* from = find_list(ctx, source, &wrong_type);
  if (from == nullptr) return wrong_type ? Outcome::kWrongType : Outcome::kNoList;
  ListValue* to = find_list(ctx, destination, &wrong_type);
  if (wrong_type) return Outcome::kWrongType;
  if (to == nullptr) {
    to = create_list(ctx, destination);
    if (to == nullptr) return Outcome::kDone;
  }
  // Copied out: with source == destination the push would otherwise read a moved buffer.
  char buf[24];
  std::string value(from_left ? from->front().as_string(buf) : from->back().as_string(buf));
  from_left ? from->pop_front() : from->pop_back();
  to_left ? to->push_front(value) : to->push_back(value);
  if (source != destination) after_removal(ctx, source, from);
  ctx.key_changed(destination);
  ctx.out.bulk(value);
  return Outcome::kDone;
}

std::optional<bool> side_arg(CommandContext& ctx, size_t i) {
  if (ctx.arg_is(i, "LEFT")) return true;
  if (ctx.arg_is(i, "RIGHT")) return false;
  ctx.error(errors::kSyntax);
  return std::nullopt;
}

std::optional<MpopArgs> parse_mpop(CommandContext& ctx, size_t numkeys_index) {
  constexpr std::string_view kNumkeysNotPositive = "ERR numkeys should be greater than 0";
  constexpr std::string_view kCountNotPositive = "ERR count should be greater than 0";
  std::optional<int64_t> numkeys = ctx.int_arg(numkeys_index, kNumkeysNotPositive);
  if (!numkeys) return std::nullopt;
  if (*numkeys <= 0) {
    ctx.error(kNumkeysNotPositive);
    return std::nullopt;
  }
  // Keys, then the side: anything shorter is a syntax error (as Redis, also for huge numkeys).
  if (static_cast<uint64_t>(*numkeys) >= ctx.argc() - numkeys_index - 1) {
    ctx.error(errors::kSyntax);
    return std::nullopt;
  }
  MpopArgs args;
  args.first_key = numkeys_index + 1;
  args.end_key = args.first_key + static_cast<size_t>(*numkeys);
  std::optional<bool> left = side_arg(ctx, args.end_key);
  if (!left) return std::nullopt;
  args.left = *left;
  bool counted = false;
  for (size_t i = args.end_key + 1; i < ctx.argc(); ++i) {
    if (!counted && ctx.arg_is(i, "COUNT") && i + 1 < ctx.argc()) {
      std::optional<int64_t> n = ctx.int_arg(++i, kCountNotPositive);
      if (!n) return std::nullopt;
      if (*n <= 0) {
        ctx.error(kCountNotPositive);
        return std::nullopt;
      }
      args.count = *n;
      counted = true;
    } else {
      ctx.error(errors::kSyntax);
      return std::nullopt;
    }
  }
  return args;
}

}  // namespace list_ops

namespace {

using list_ops::find_list;
using list_ops::Outcome;
using list_ops::PopReply;
using list_ops::reply_value;

constexpr std::string_view kMustBePositive = "ERR value is out of range, must be positive";
constexpr std::string_view kRankZero =
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use "
    "negative to start from the end of the list";
constexpr std::string_view kRankOutOfRange =
    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";
constexpr std::string_view kCountNegative = "ERR COUNT can't be negative";
constexpr std::string_view kMaxlenNegative = "ERR MAXLEN can't be negative";

// Finds the list at argv[1] for a read; replies WRONGTYPE (returning nullptr, *replied true).
const ListValue* read_list(CommandContext& ctx, bool* replied) {
  Db& db = ctx.db();
  EntryIndex e = db.lookup_read(ctx.arg(1));
  *replied = false;
  if (e == kNoEntry) return nullptr;
  if (db.view(e).type() != ValueType::kList) {
    ctx.error(errors::kWrongType);
    *replied = true;
    return nullptr;
  }
  return static_cast<const ListValue*>(db.view(e).object());
}

// The list at argv[1] for a write; replies WRONGTYPE (returning nullptr, *replied true).
ListValue* write_list(CommandContext& ctx, bool* replied) {
  bool wrong_type;
  ListValue* list = find_list(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) ctx.error(errors::kWrongType);
  *replied = wrong_type;
  return list;
}

// "LEFT"/"RIGHT" at argv[i] as left = true/false; replies a syntax error otherwise.
// --- Push ---------------------------------------------------------------------------------------

void push_generic(CommandContext& ctx, bool left, bool only_existing) {
  bool replied;
  ListValue* list = write_list(ctx, &replied);
  if (replied) return;
  if (list == nullptr) {
    if (only_existing) {
      ctx.out.integer(0);
      return;
    }
    list = list_ops::create_list(ctx, ctx.arg(1));
    if (list == nullptr) return;
  }
  for (size_t i = 2; i < ctx.argc(); ++i) {
    if (left) {
      list->push_front(ctx.arg(i));
    } else {
      list->push_back(ctx.arg(i));
    }
  }
  ctx.key_changed(ctx.arg(1));
  ctx.out.integer(static_cast<int64_t>(list->size()));
}

void lpush(CommandContext& ctx) { push_generic(ctx, true, false); }
void rpush(CommandContext& ctx) { push_generic(ctx, false, false); }
void lpushx(CommandContext& ctx) { push_generic(ctx, true, true); }
void rpushx(CommandContext& ctx) { push_generic(ctx, false, true); }

// --- Pop and move -------------------------------------------------------------------------------

void pop_generic(CommandContext& ctx, bool left) {
  if (ctx.argc() > 3) {
    ctx.error("ERR wrong number of arguments for '" + ctx.command.full_name + "' command");
    return;
  }
  const bool with_count = ctx.argc() == 3;
  int64_t count = 1;
  if (with_count) {
    std::optional<int64_t> n = ctx.int_arg(2, kMustBePositive);
    if (!n) return;
    if (*n < 0) {
      ctx.error(kMustBePositive);
      return;
    }
    count = *n;
  }
  switch (list_ops::pop_into_reply(ctx, ctx.arg(1), left, count,
                                   with_count ? PopReply::kArray : PopReply::kBulk)) {
    case Outcome::kDone:
      break;
    case Outcome::kNoList:
      with_count ? ctx.out.null_array() : ctx.out.null();
      break;
    case Outcome::kWrongType:
      ctx.error(errors::kWrongType);
      break;
  }
}

void lpop(CommandContext& ctx) { pop_generic(ctx, true); }
void rpop(CommandContext& ctx) { pop_generic(ctx, false); }

void move_generic(CommandContext& ctx, bool from_left, bool to_left) {
  switch (list_ops::move_into_reply(ctx, ctx.arg(1), ctx.arg(2), from_left, to_left)) {
    case Outcome::kDone:
      break;
    case Outcome::kNoList:
      ctx.out.null();
      break;
    case Outcome::kWrongType:
      ctx.error(errors::kWrongType);
      break;
  }
}

void lmove(CommandContext& ctx) {
  std::optional<bool> from_left = list_ops::side_arg(ctx, 3);
  if (!from_left) return;
  std::optional<bool> to_left = list_ops::side_arg(ctx, 4);
  if (!to_left) return;
  move_generic(ctx, *from_left, *to_left);
}

void rpoplpush(CommandContext& ctx) { move_generic(ctx, false, true); }

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
void lmpop(CommandContext& ctx) {
  std::optional<list_ops::MpopArgs> args = list_ops::parse_mpop(ctx, 1);
  if (!args) return;
  for (size_t k = args->first_key; k < args->end_key; ++k) {
    switch (list_ops::pop_into_reply(ctx, ctx.arg(k), args->left, args->count,
                                     PopReply::kKeyAndArray)) {
      case Outcome::kDone:
        return;
      case Outcome::kWrongType:
        ctx.error(errors::kWrongType);
        return;
      case Outcome::kNoList:
        break;
    }
  }
  ctx.out.null_array();
}

// --- Reads --------------------------------------------------------------------------------------

void llen(CommandContext& ctx) {
  bool replied;
  const ListValue* list = read_list(ctx, &replied);
  if (replied) return;
  ctx.out.integer(list == nullptr ? 0 : static_cast<int64_t>(list->size()));
}

void lrange(CommandContext& ctx) {
  std::optional<int64_t> start = ctx.int_arg(2);
  if (!start) return;
  std::optional<int64_t> stop = ctx.int_arg(3);
  if (!stop) return;
  bool replied;
  const ListValue* list = read_list(ctx, &replied);
  if (replied) return;
  const int64_t len = list == nullptr ? 0 : static_cast<int64_t>(list->size());
  int64_t from = *start < 0 ? *start + len : *start;
  int64_t to = *stop < 0 ? *stop + len : *stop;
  from = std::max<int64_t>(from, 0);
  if (from > to || from >= len) {
    ctx.out.array(0);
    return;
  }
  to = std::min(to, len - 1);
  const int64_t n = to - from + 1;
  ctx.out.array(n);
  ListValue::Cursor c = list->seek(from);
  for (int64_t i = 0; i < n; ++i, c.next()) reply_value(ctx, c.value());
}

void lindex(CommandContext& ctx) {
  bool replied;
  const ListValue* list = read_list(ctx, &replied);
  if (replied) return;
  if (list == nullptr) {
    ctx.out.null();
    return;
  }
  std::optional<int64_t> index = ctx.int_arg(2);
  if (!index) return;
  ListValue::Cursor c = list->seek(*index);
  if (c.valid()) {
    reply_value(ctx, c.value());
  } else {
    ctx.out.null();
  }
}

struct LposOptions {
  int64_t rank = 1;
  int64_t count = -1;  // -1: not given, reply one index (or null)
  int64_t maxlen = 0;
};

std::optional<LposOptions> parse_lpos_options(CommandContext& ctx) {
  LposOptions o;
  for (size_t i = 3; i < ctx.argc(); i += 2) {
    if (i + 1 >= ctx.argc()) {
      ctx.error(errors::kSyntax);
      return std::nullopt;
    }
    std::optional<int64_t> v;
    if (ctx.arg_is(i, "RANK")) {
      if (!(v = ctx.int_arg(i + 1))) return std::nullopt;
      // -RANK must be representable: the walk from the tail negates it.
      if (*v == std::numeric_limits<int64_t>::min()) {
        ctx.error(kRankOutOfRange);
        return std::nullopt;
      }
      if (*v == 0) {
        ctx.error(kRankZero);
        return std::nullopt;
      }
      o.rank = *v;
    } else if (ctx.arg_is(i, "COUNT")) {
      if (!(v = ctx.int_arg(i + 1))) return std::nullopt;
      if (*v < 0) {
        ctx.error(kCountNegative);
        return std::nullopt;
      }
      o.count = *v;
    } else if (ctx.arg_is(i, "MAXLEN")) {
      if (!(v = ctx.int_arg(i + 1))) return std::nullopt;
      if (*v < 0) {
        ctx.error(kMaxlenNegative);
        return std::nullopt;
      }
      o.maxlen = *v;
    } else {
      ctx.error(errors::kSyntax);
      return std::nullopt;
    }
  }
  return o;
}

void lpos(CommandContext& ctx) {
  std::optional<LposOptions> o = parse_lpos_options(ctx);
  if (!o) return;
  bool replied;
  const ListValue* list = read_list(ctx, &replied);
  if (replied) return;
  const bool many = o->count != -1;
  std::vector<int64_t> found;
  if (list != nullptr) {
    found = list->positions(ctx.arg(2), o->rank, many ? static_cast<size_t>(o->count) : 1,
                            static_cast<size_t>(o->maxlen));
  }
  if (many) {
    ctx.out.array(static_cast<int64_t>(found.size()));
    for (int64_t index : found) ctx.out.integer(index);
  } else if (found.empty()) {
    ctx.out.null();
  } else {
    ctx.out.integer(found.front());
  }
}

// --- Edits --------------------------------------------------------------------------------------

void lset(CommandContext& ctx) {
  bool replied;
  ListValue* list = write_list(ctx, &replied);
  if (replied) return;
  if (list == nullptr) {
    ctx.error(errors::kNoSuchKey);
    return;
  }
  std::optional<int64_t> index = ctx.int_arg(2);
  if (!index) return;
  if (!list->set(*index, ctx.arg(3))) {
    ctx.error(errors::kOutOfRange);
    return;
  }
  ctx.key_changed(ctx.arg(1));
  ctx.out.ok();
}

void linsert(CommandContext& ctx) {
  bool after;
  if (ctx.arg_is(2, "AFTER")) {
    after = true;
  } else if (ctx.arg_is(2, "BEFORE")) {
    after = false;
  } else {
    ctx.error(errors::kSyntax);
    return;
  }
  bool replied;
  ListValue* list = write_list(ctx, &replied);
  if (replied) return;
  if (list == nullptr) {
    ctx.out.integer(0);
    return;
  }
  if (!list->insert(ctx.arg(3), ctx.arg(4), after)) {
    ctx.out.integer(-1);
    return;
  }
  ctx.key_changed(ctx.arg(1));
  ctx.out.integer(static_cast<int64_t>(list->size()));
}

void lrem(CommandContext& ctx) {
  std::optional<int64_t> count = ctx.int_arg(2);
  if (!count) return;
  bool replied;
  ListValue* list = write_list(ctx, &replied);
  if (replied) return;
  if (list == nullptr) {
    ctx.out.integer(0);
    return;
  }
  const size_t removed = list->remove(ctx.arg(3), *count);
  if (removed > 0) list_ops::after_removal(ctx, ctx.arg(1), list);
  ctx.out.integer(static_cast<int64_t>(removed));
}

void ltrim(CommandContext& ctx) {
  std::optional<int64_t> start = ctx.int_arg(2);
  if (!start) return;
  std::optional<int64_t> stop = ctx.int_arg(3);
  if (!stop) return;
  bool replied;
  ListValue* list = write_list(ctx, &replied);
  if (replied) return;
  if (list == nullptr) {
    ctx.out.ok();
    return;
  }
  const auto len = static_cast<int64_t>(list->size());
  int64_t from = *start < 0 ? *start + len : *start;
  int64_t to = *stop < 0 ? *stop + len : *stop;
  from = std::max<int64_t>(from, 0);
  if (from > to || from >= len) {
    list->erase_back(static_cast<size_t>(len));
  } else {
    to = std::min(to, len - 1);
    list->erase_back(static_cast<size_t>(len - to - 1));
    list->erase_front(static_cast<size_t>(from));
  }
  // Redis signals the key even when nothing was trimmed.
  list_ops::after_removal(ctx, ctx.arg(1), list);
  ctx.out.ok();
}

}  // namespace

void register_list_commands(CommandTable& table) {
  constexpr uint64_t kWrite = kAclWrite | kAclList;
  constexpr uint64_t kRead = kAclRead | kAclList;
  constexpr uint32_t kPush = kCmdWrite | kCmdDenyOom | kCmdFast;
  constexpr std::string_view kPushCost =
      "O(1) for each element added, so O(N) to add N elements when the command is called with "
      "multiple arguments.";
  table.add({"lpush", -3, kPush, 1, 1, 1, kWrite, lpush, "list", "1.0.0",
             "Prepends one or more elements to a list. Creates the key if it doesn't exist.",
             kPushCost});
  table.add({"rpush", -3, kPush, 1, 1, 1, kWrite, rpush, "list", "1.0.0",
             "Appends one or more elements to a list. Creates the key if it doesn't exist.",
             kPushCost});
  table.add({"lpushx", -3, kPush, 1, 1, 1, kWrite, lpushx, "list", "2.2.0",
             "Prepends one or more elements to a list only when the list exists.", kPushCost});
  table.add({"rpushx", -3, kPush, 1, 1, 1, kWrite, rpushx, "list", "2.2.0",
             "Appends an element to a list only when the list exists.", kPushCost});
  table.add({"lpop", -2, kCmdWrite | kCmdFast, 1, 1, 1, kWrite, lpop, "list", "1.0.0",
             "Returns the first elements in a list after removing it. Deletes the list if the "
             "last element was popped.",
             "O(N) where N is the number of elements returned"});
  table.add({"rpop", -2, kCmdWrite | kCmdFast, 1, 1, 1, kWrite, rpop, "list", "1.0.0",
             "Returns and removes the last elements of the list. Deletes the list if the last "
             "element was popped.",
             "O(N) where N is the number of elements returned"});
  table.add({"llen", 2, kCmdReadonly | kCmdFast, 1, 1, 1, kRead, llen, "list", "1.0.0",
             "Returns the length of a list.", "O(1)"});
  table.add({"lrange", 4, kCmdReadonly, 1, 1, 1, kRead, lrange, "list", "1.0.0",
             "Returns a range of elements from a list.",
             "O(S+N) where S is the distance of start offset from HEAD for small lists, from "
             "nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the "
             "specified range."});
  table.add({"lindex", 3, kCmdReadonly, 1, 1, 1, kRead, lindex, "list", "1.0.0",
             "Returns an element from a list by its index.",
             "O(N) where N is the number of elements to traverse to get to the element at index. "
             "This makes asking for the first or the last element of the list O(1)."});
  table.add({"lset", 4, kCmdWrite | kCmdDenyOom, 1, 1, 1, kWrite, lset, "list", "1.0.0",
             "Sets the value of an element in a list by its index.",
             "O(N) where N is the length of the list. Setting either the first or the last "
             "element of the list is O(1)."});
  table.add({"linsert", 5, kCmdWrite | kCmdDenyOom, 1, 1, 1, kWrite, linsert, "list", "2.2.0",
             "Inserts an element before or after another element in a list.",
             "O(N) where N is the number of elements to traverse before seeing the value pivot. "
             "This means that inserting somewhere on the left end on the list (head) can be "
             "considered O(1) and inserting somewhere on the right end (tail) is O(N)."});
  table.add({"lrem", 4, kCmdWrite, 1, 1, 1, kWrite, lrem, "list", "1.0.0",
             "Removes elements from a list. Deletes the list if the last element was removed.",
             "O(N+M) where N is the length of the list and M is the number of elements removed."});
  table.add({"ltrim", 4, kCmdWrite, 1, 1, 1, kWrite, ltrim, "list", "1.0.0",
             "Removes elements from both ends a list. Deletes the list if all elements were "
             "trimmed.",
             "O(N) where N is the number of elements to be removed by the operation."});
  table.add({"lpos", -3, kCmdReadonly, 1, 1, 1, kRead, lpos, "list", "6.0.6",
             "Returns the index of matching elements in a list.",
             "O(N) where N is the number of elements in the list, for the average case. When "
             "searching for elements near the head or the tail of the list, or when the MAXLEN "
             "option is provided, the command may run in constant time."});
  table.add({"lmove", 5, kCmdWrite | kCmdDenyOom, 1, 2, 1, kWrite, lmove, "list", "6.2.0",
             "Returns an element after popping it from one list and pushing it to another. "
             "Deletes the list if the last element was moved.",
             "O(1)"});
  table.add({"rpoplpush", 3, kCmdWrite | kCmdDenyOom, 1, 2, 1, kWrite, rpoplpush, "list", "1.2.0",
             "Returns the last element of a list after removing and pushing it to another list. "
             "Deletes the list if the last element was popped.",
             "O(1)"});
  // LMPOP's keys follow numkeys, which first/last/step cannot express (Redis: movablekeys);
  // first_key 0 until the table has a numkeys key spec.
  table.add({"lmpop", -4, kCmdWrite, 0, 0, 0, kWrite, lmpop, "list", "7.0.0",
             "Returns multiple elements from a list after removing them. Deletes the list if the "
             "last element was popped.",
             "O(N+M) where N is the number of provided keys and M is the number of elements "
             "returned."});
}

}  // namespace stashd
