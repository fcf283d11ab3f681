// Owns: the pub/sub family: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH PUBSUB.
// Must not touch: sockets (delivery goes through PubSub). Thread: the event loop.
#include "stashd/command/context.h"
#include "stashd/commands/registry.h"

namespace stashd {

namespace {

// One confirmation per channel, shaped like a message: [kind, name, subscriptions now].
void confirm(CommandContext& ctx, std::string_view kind, const std::string_view* name) {
  ctx.out.push(3);
  ctx.out.bulk(kind);
  if (name != nullptr) {
    ctx.out.bulk(*name);
  } else {
    ctx.out.null();
  }
  ctx.out.integer(static_cast<int64_t>(ctx.client.subscription_count()));
}

void subscribe(CommandContext& ctx) {
  for (size_t i = 1; i < ctx.argc(); ++i) {
    std::string_view channel = ctx.arg(i);
    ctx.node.pubsub().subscribe(&ctx.client, channel);
    confirm(ctx, "subscribe", &channel);
  }
}

void psubscribe(CommandContext& ctx) {
  for (size_t i = 1; i < ctx.argc(); ++i) {
    std::string_view pattern = ctx.arg(i);
    ctx.node.pubsub().psubscribe(&ctx.client, pattern);
    confirm(ctx, "psubscribe", &pattern);
  }
}

// UNSUBSCRIBE / PUNSUBSCRIBE: the named ones, or every one when none is named.
void unsubscribe_from(CommandContext& ctx, bool patterns) {
  Client& c = ctx.client;
  PubSub& ps = ctx.node.pubsub();
  std::string_view kind = patterns ? "punsubscribe" : "unsubscribe";
  std::vector<std::string> names;
  if (ctx.argc() > 1) {
    for (size_t i = 1; i < ctx.argc(); ++i) names.emplace_back(ctx.arg(i));
  } else {
    const auto& own = patterns ? c.patterns : c.channels;
    names.assign(own.begin(), own.end());
    if (names.empty()) {
      confirm(ctx, kind, nullptr);
      return;
    }
  }
  for (const std::string& name : names) {
    if (patterns) {
      ps.punsubscribe(&c, name);
    } else {
      ps.unsubscribe(&c, name);
    }
    std::string_view view = name;
    confirm(ctx, kind, &view);
  }
}

void unsubscribe(CommandContext& ctx) { unsubscribe_from(ctx, false); }
void punsubscribe(CommandContext& ctx) { unsubscribe_from(ctx, true); }

// Replicas publish it to their own subscribers too; the AOF does not keep it (Redis 7).
void publish(CommandContext& ctx) {
  ctx.out.integer(ctx.node.pubsub().publish(ctx.arg(1), ctx.arg(2)));
  ctx.force_propagate(kPropagateReplicas);
}

void pubsub_channels(CommandContext& ctx) {
  auto names = ctx.node.pubsub().channels(ctx.argc() > 2 ? ctx.arg(2) : std::string_view());
  ctx.out.array(static_cast<int64_t>(names.size()));
  for (const auto& n : names) ctx.out.bulk(n);
}

void pubsub_numsub(CommandContext& ctx) {
  ctx.out.map(static_cast<int64_t>(ctx.argc() - 2));
  for (size_t i = 2; i < ctx.argc(); ++i) {
    ctx.out.bulk(ctx.arg(i));
    ctx.out.integer(ctx.node.pubsub().subscribers(ctx.arg(i)));
  }
}

void pubsub_numpat(CommandContext& ctx) { ctx.out.integer(ctx.node.pubsub().patterns()); }

void pubsub_help(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CHANNELS [<pattern>]",
      "    Return the currently active channels matching a <pattern> (default: '*').",
      "NUMPAT",
      "    Return number of subscriptions to patterns.",
      "NUMSUB [<channel> ...]",
      "    Return the number of subscribers for the specified channels, excluding",
      "    pattern subscriptions(default: no channels).",
      "HELP",
      "    Print this help.",
  };
  ctx.out.array(std::size(kLines));
  for (std::string_view l : kLines) ctx.out.simple(l);
}

}  // namespace

void register_pubsub_commands(CommandTable& table) {
  constexpr uint32_t kSub = kCmdPubsub | kCmdNoscript | kCmdLoading | kCmdStale |
                            kCmdSubscribedContext;
  table.add({"subscribe", -2, kSub, 0, 0, 0, kAclPubsub, subscribe, "pubsub", "2.0.0",
             "Listens for messages published to channels.",
             "O(N) where N is the number of channels to subscribe to."});
  table.add({"unsubscribe", -1, kSub, 0, 0, 0, kAclPubsub, unsubscribe, "pubsub", "2.0.0",
             "Stops listening to messages posted to channels.",
             "O(N) where N is the number of channels to unsubscribe."});
  table.add({"psubscribe", -2, kSub, 0, 0, 0, kAclPubsub, psubscribe, "pubsub", "2.0.0",
             "Listens for messages published to channels that match one or more patterns.",
             "O(N) where N is the number of patterns to subscribe to."});
  table.add({"punsubscribe", -1, kSub, 0, 0, 0, kAclPubsub, punsubscribe, "pubsub", "2.0.0",
             "Stops listening to messages published to channels that match one or more patterns.",
             "O(N) where N is the number of patterns to unsubscribe."});
  table.add({"publish", 3, kCmdPubsub | kCmdLoading | kCmdStale | kCmdFast | kCmdMayReplicate, 0,
             0, 0, kAclPubsub, publish, "pubsub", "2.0.0", "Posts a message to a channel.",
             "O(N+M) where N is the number of clients subscribed to the receiving channel and M "
             "is the total number of subscribed patterns (by any client)."});
  table.add({"pubsub", -2, 0, 0, 0, 0, 0, nullptr, "pubsub", "2.8.0",
             "A container for Pub/Sub commands.", "Depends on subcommand."});
  constexpr uint32_t kIntro = kCmdPubsub | kCmdLoading | kCmdStale;
  table.add({"pubsub|channels", -2, kIntro, 0, 0, 0, kAclPubsub, pubsub_channels, "pubsub",
             "2.8.0", "Returns the active channels.",
             "O(N) where N is the number of active channels"});
  table.add({"pubsub|numsub", -2, kIntro, 0, 0, 0, kAclPubsub, pubsub_numsub, "pubsub", "2.8.0",
             "Returns a count of subscribers to channels.",
             "O(N) for the NUMSUB subcommand, where N is the number of requested channels"});
  table.add({"pubsub|numpat", 2, kIntro, 0, 0, 0, kAclPubsub, pubsub_numpat, "pubsub", "2.8.0",
             "Returns a count of unique pattern subscriptions.", "O(1)"});
  table.add({"pubsub|help", 2, kCmdLoading | kCmdStale, 0, 0, 0, 0, pubsub_help, "pubsub",
             "6.2.0", "Returns helpful text about the different subcommands.", "O(1)"});
}

}  // namespace stashd
