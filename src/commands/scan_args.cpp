// Owns: the SCAN family's shared argument parsing (see scan_args.h). Thread: the event loop.
#include "commands/scan_args.h"

#include <limits>

namespace stashd::scan_args {

bool parse_cursor(std::string_view s, uint64_t* out) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    if (s.size() == 1) return false;
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  uint64_t v = 0;
  for (char ch : s) {
    if (ch < '0' || ch > '9') return false;
    const auto digit = static_cast<uint64_t>(ch - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - digit) / 10) return false;
    v = v * 10 + digit;
  }
  *out = negative ? 0 - v : v;
  return true;
}

std::optional<Options> parse_options(CommandContext& ctx, size_t first, bool allow_type) {
  Options o;
  for (size_t i = first; i < ctx.argc(); i += 2) {
    bool has_value = i + 1 < ctx.argc();
    if (ctx.arg_is(i, "COUNT") && has_value) {
      auto n = ctx.int_arg(i + 1);
      if (!n) return std::nullopt;
      if (*n < 1) {
        ctx.error(errors::kSyntax);
        return std::nullopt;
      }
      o.count = *n;
    } else if (ctx.arg_is(i, "MATCH") && has_value) {
      // "*" matches everything without running the matcher.
      if (ctx.arg(i + 1) == "*") {
        o.pattern.reset();
      } else {
        o.pattern = ctx.arg(i + 1);
      }
    } else if (allow_type && ctx.arg_is(i, "TYPE") && has_value) {
      o.type = ctx.arg(i + 1);
    } else {
      ctx.error(errors::kSyntax);
      return std::nullopt;
    }
  }
  return o;
}

void reply_empty(CommandContext& ctx) {
  ctx.out.array(2);
  ctx.out.bulk("0");
  ctx.out.array(0);
}

}  // namespace stashd::scan_args
