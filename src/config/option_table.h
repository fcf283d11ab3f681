// Owns: the declarative table of every option stashd accepts, and the per-type rules that parse
// text into typed values, store them in Config and format them back for CONFIG GET and the YAML
// file. Must not touch: sockets, the keyspace, files (only stat() to check `dir`). Thread: the
// event loop (and main() before it starts).
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "stashd/config/config.h"

namespace stashd::config {

enum class OptionType { kInt, kMemory, kBool, kEnum, kString, kOutputBufferLimits };

// Where a value comes from. Only bools care: the YAML file also accepts true/false.
enum class ValueSource { kFile, kCommandLine, kRuntime };

// The three client classes of client-output-buffer-limit in canonical order: normal, replica,
// pubsub.
struct OutputBufferLimitMembers {
  OutputBufferLimit Config::*normal;
  OutputBufferLimit Config::*replica;
  OutputBufferLimit Config::*pubsub;
};
// A parsed value may name only some classes; the others keep their limits when it is written.
using OutputBufferLimits = std::array<std::optional<OutputBufferLimit>, 3>;

using OptionMember = std::variant<int64_t Config::*, bool Config::*, std::string Config::*,
                                  OutputBufferLimitMembers>;
using OptionValue = std::variant<int64_t, bool, std::string, OutputBufferLimits>;

// Validates a string option and may normalise it in place; on failure sets *reason.
using StringCheck = bool (*)(std::string* value, std::string* reason);

constexpr int64_t kNoLimit = std::numeric_limits<int64_t>::max();

struct OptionSpec {
  std::string_view name;
  OptionType type;
  OptionMember member;
  std::string_view default_value;  // as written in config/stashd.yaml
  int64_t min = 0;                 // kInt, kMemory
  int64_t max = kNoLimit;
  bool runtime_mutable = false;
  std::string_view doc;
  // kInt: values within [min, max] but outside [clamp_min, clamp_max] are clamped, not rejected.
  int64_t clamp_min = std::numeric_limits<int64_t>::min();
  int64_t clamp_max = kNoLimit;
  std::span<const std::string_view> choices{};  // kEnum, lower case
  StringCheck check = nullptr;                  // kString
};

std::span<const OptionSpec> option_table();
// Case-insensitive; nullptr for an option stashd does not implement.
const OptionSpec* find_option(std::string_view name);
size_t option_index(const OptionSpec& spec);

// Parses text the way CONFIG SET does; on failure returns nullopt and sets *reason in Redis's
// wording (e.g. "argument couldn't be parsed into an integer").
std::optional<OptionValue> parse_option(const OptionSpec& spec, std::string_view text,
                                        ValueSource source, std::string* reason);
OptionValue read_option(const OptionSpec& spec, const Config& config);
void write_option(const OptionSpec& spec, const OptionValue& value, Config* config);

// CONFIG GET form: plain decimal numbers, yes/no, output buffer limits as Redis 7 prints them.
std::string format_for_reply(const OptionSpec& spec, const OptionValue& value);
// YAML scalar form: memory in the largest exact unit ("512mb"), strings quoted when YAML needs it.
std::string format_for_file(const OptionSpec& spec, const OptionValue& value);

}  // namespace stashd::config
