// Owns: the client-side caching subcommands CLIENT TRACKING, CACHING, GETREDIR, TRACKINGINFO.
// Must not touch: sockets; invalidation itself lives in Tracking. Thread: the event loop.
#include <fmt/format.h>

#include "stashd/command/context.h"
#include "stashd/commands/registry.h"

namespace stashd {

namespace {

// Parses CLIENT TRACKING's options into `o`; replies the error and returns false when invalid.
bool parse_tracking_options(CommandContext& ctx, TrackingOptions* o) {
  for (size_t i = 3; i < ctx.argc(); ++i) {
    bool has_value = i + 1 < ctx.argc();
    if (ctx.arg_is(i, "REDIRECT") && has_value) {
      auto id = ctx.int_arg(++i);
      if (!id) return false;
      if (*id <= 0 || ctx.node.find_client(static_cast<uint64_t>(*id)) == nullptr) {
        ctx.error("ERR The client ID you want redirect to does not exist");
        return false;
      }
      o->redirect = static_cast<uint64_t>(*id);
    } else if (ctx.arg_is(i, "PREFIX") && has_value) {
      o->prefixes.emplace_back(ctx.arg(++i));
    } else if (ctx.arg_is(i, "BCAST")) {
      o->bcast = true;
    } else if (ctx.arg_is(i, "OPTIN")) {
      o->optin = true;
    } else if (ctx.arg_is(i, "OPTOUT")) {
      o->optout = true;
    } else if (ctx.arg_is(i, "NOLOOP")) {
      o->noloop = true;
    } else {
      ctx.error(errors::kSyntax);
      return false;
    }
  }
  return true;
}

bool check_tracking_options(CommandContext& ctx, const TrackingOptions& o) {
  const Client& c = ctx.client;
  if (c.tracking && c.tracking_options.bcast != o.bcast) {
    ctx.error(
        "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and "
        "then re-enabling it with a different mode.");
    return false;
  }
  if (o.optin && o.optout) {
    ctx.error("ERR You can't specify both OPTIN mode and OPTOUT mode");
    return false;
  }
  if ((o.optin || o.optout) && o.bcast) {
    ctx.error("ERR OPTIN and OPTOUT are not compatible with BCAST");
    return false;
  }
  if (!o.prefixes.empty() && !o.bcast) {
    ctx.error("ERR PREFIX option requires BCAST mode to be enabled");
    return false;
  }
  for (size_t a = 0; a < o.prefixes.size(); ++a) {
    for (size_t b = 0; b < o.prefixes.size(); ++b) {
      if (a == b) continue;
      const std::string& p = o.prefixes[a];
      const std::string& q = o.prefixes[b];
      if (p.starts_with(q) || q.starts_with(p)) {
        ctx.error(fmt::format(
            "ERR Prefix '{}' overlaps with another provided prefix '{}'. Prefixes for a single "
            "client must not overlap.",
            p, q));
        return false;
      }
    }
  }
  return true;
}

void client_tracking(CommandContext& ctx) {
  Tracking& tracking = ctx.node.tracking();
  if (ctx.arg_is(2, "OFF")) {
    tracking.disable(ctx.client);
    ctx.out.ok();
    return;
  }
  if (!ctx.arg_is(2, "ON")) {
    ctx.error(errors::kSyntax);
    return;
  }
  TrackingOptions options;
  if (!parse_tracking_options(ctx, &options) || !check_tracking_options(ctx, options)) return;
  // Turning tracking on again keeps the mode but replaces the options.
  tracking.disable(ctx.client);
  ctx.client.tracking_options = std::move(options);
  tracking.enable(ctx.client);
  ctx.out.ok();
}

void client_caching(CommandContext& ctx) {
  Client& c = ctx.client;
  const TrackingOptions& o = c.tracking_options;
  if (!c.tracking || !(o.optin || o.optout)) {
    ctx.error(
        "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or "
        "OPTOUT mode enabled");
    return;
  }
  if (ctx.arg_is(2, "YES")) {
    if (!o.optin) {
      ctx.error("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
      return;
    }
    c.caching_override = 1;
  } else if (ctx.arg_is(2, "NO")) {
    if (!o.optout) {
      ctx.error("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
      return;
    }
    c.caching_override = -1;
  } else {
    ctx.error(errors::kSyntax);
    return;
  }
  ctx.out.ok();
}

void client_getredir(CommandContext& ctx) {
  const Client& c = ctx.client;
  ctx.out.integer(c.tracking ? static_cast<int64_t>(c.tracking_options.redirect) : -1);
}

void client_trackinginfo(CommandContext& ctx) {
  const Client& c = ctx.client;
  const TrackingOptions& o = c.tracking_options;
  std::vector<std::string_view> flags;
  if (!c.tracking) {
    flags.push_back("off");
  } else {
    flags.push_back("on");
    if (o.bcast) flags.push_back("bcast");
    if (o.optin) flags.push_back("optin");
    if (o.optout) flags.push_back("optout");
    if (c.caching_override == 1) flags.push_back("caching-yes");
    if (c.caching_override == -1) flags.push_back("caching-no");
    if (o.noloop) flags.push_back("noloop");
    if (o.redirect != 0 && ctx.node.find_client(o.redirect) == nullptr) {
      flags.push_back("broken_redirect");
    }
  }
  ctx.out.map(3);
  ctx.out.bulk("flags");
  ctx.out.set(static_cast<int64_t>(flags.size()));
  for (std::string_view f : flags) ctx.out.bulk(f);
  ctx.out.bulk("redirect");
  ctx.out.integer(c.tracking ? static_cast<int64_t>(o.redirect) : -1);
  ctx.out.bulk("prefixes");
  ctx.out.array(static_cast<int64_t>(o.prefixes.size()));
  for (const std::string& p : o.prefixes) ctx.out.bulk(p);
}

}  // namespace

void register_tracking_commands(CommandTable& table) {
  constexpr uint32_t kFlags = kCmdNoscript | kCmdLoading | kCmdStale;
  table.add({"client|tracking", -3, kFlags, 0, 0, 0, kAclConnection, client_tracking,
             "connection", "6.0.0",
             "Controls server-assisted client-side caching for the connection.",
             "O(1). Some options may introduce additional complexity."});
  table.add({"client|caching", 3, kFlags, 0, 0, 0, kAclConnection, client_caching, "connection",
             "6.0.0", "Instructs the server whether to track the keys in the next request.",
             "O(1)"});
  table.add({"client|getredir", 2, kFlags, 0, 0, 0, kAclConnection, client_getredir,
             "connection", "6.0.0",
             "Returns the client ID to which the connection's tracking notifications are "
             "redirected.",
             "O(1)"});
  table.add({"client|trackinginfo", 2, kFlags, 0, 0, 0, kAclConnection, client_trackinginfo,
             "connection", "6.2.0",
             "Returns information about server-assisted client-side caching for the connection.",
             "O(1)"});
}

}  // namespace stashd
