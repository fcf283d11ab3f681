// Owns: the tests of the option table and its per-type parse/format rules.
// Must not touch: anything outside its temporary directories. Thread: the test's.
#include "config/option_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>

namespace stashd::config {
namespace {

std::string parse_and_format_for_file(std::string_view name, std::string_view text) {
  const OptionSpec& spec = *find_option(name);
  std::string reason;
  const std::optional<OptionValue> value = parse_option(spec, text, ValueSource::kRuntime, &reason);
  return value ? format_for_file(spec, *value) : "error: " + reason;
}

std::string file_form_of_string(std::string_view text) {
  return format_for_file(*find_option("requirepass"), std::string(text));
}

// No shipped option is a bool, but the type is part of the schema; exercise it on its own row.
const OptionSpec kBoolSpec{.name = "active-expire",
                           .type = OptionType::kBool,
                           .member = &Config::active_expire_enabled,
                           .default_value = "yes",
                           .runtime_mutable = true,
                           .doc = "Test-only bool row."};

std::optional<bool> parse_bool_from(std::string_view text, ValueSource source,
                                    std::string* reason) {
  const std::optional<OptionValue> value = parse_option(kBoolSpec, text, source, reason);
  if (!value) return std::nullopt;
  return std::get<bool>(*value);
}

TEST(OptionTable, EveryDefaultMatchesTheConfigStructDefault) {
  const Config defaults;
  for (const OptionSpec& spec : option_table()) {
    std::string reason;
    const std::optional<OptionValue> parsed =
        parse_option(spec, spec.default_value, ValueSource::kFile, &reason);
    ASSERT_TRUE(parsed) << spec.name << ": " << reason;
    std::string expected = format_for_reply(spec, read_option(spec, defaults));
    if (spec.name == "dir") expected = std::filesystem::canonical(expected).string();
    EXPECT_EQ(format_for_reply(spec, *parsed), expected) << spec.name;
  }
}

TEST(OptionTable, EveryOptionHasALowerCaseNameAndAOneLineDoc) {
  for (const OptionSpec& spec : option_table()) {
    EXPECT_TRUE(std::none_of(spec.name.begin(), spec.name.end(), [](char c) {
      return std::isupper(static_cast<unsigned char>(c));
    })) << spec.name;
    EXPECT_FALSE(spec.doc.empty()) << spec.name;
    EXPECT_EQ(spec.doc.find('\n'), std::string_view::npos) << spec.name;
  }
}

TEST(OptionTable, FindsOptionsCaseInsensitively) {
  ASSERT_NE(find_option("SlowLog-Max-Len"), nullptr);
  EXPECT_EQ(find_option("SlowLog-Max-Len")->name, "slowlog-max-len");
  EXPECT_EQ(find_option("slowlog"), nullptr);
  EXPECT_EQ(option_index(*find_option("bind")), 0u);
}

TEST(OptionTable, IntegersMustBeStrictDecimal) {
  const OptionSpec& port = *find_option("port");
  std::string reason;
  for (std::string_view bad : {"", " 1", "1 ", "+1", "01", "0x10", "1.5", "1k"}) {
    EXPECT_FALSE(parse_option(port, bad, ValueSource::kRuntime, &reason)) << "'" << bad << "'";
    EXPECT_EQ(reason, "argument couldn't be parsed into an integer");
  }
  EXPECT_FALSE(parse_option(port, "65536", ValueSource::kRuntime, &reason));
  EXPECT_EQ(reason, "argument must be between 0 and 65535 inclusive");
}

TEST(OptionTable, BoolsAcceptYesAndNoInAnyCase) {
  std::string reason;
  EXPECT_EQ(parse_bool_from("YES", ValueSource::kRuntime, &reason), true);
  EXPECT_EQ(parse_bool_from("no", ValueSource::kCommandLine, &reason), false);
  EXPECT_EQ(parse_bool_from("maybe", ValueSource::kRuntime, &reason), std::nullopt);
  EXPECT_EQ(reason, "argument must be 'yes' or 'no'");
}

TEST(OptionTable, BoolsAcceptYamlTrueAndFalseOnlyFromTheFile) {
  std::string reason;
  EXPECT_EQ(parse_bool_from("true", ValueSource::kFile, &reason), true);
  EXPECT_EQ(parse_bool_from("False", ValueSource::kFile, &reason), false);
  EXPECT_EQ(parse_bool_from("true", ValueSource::kRuntime, &reason), std::nullopt);
}

TEST(OptionTable, BoolsFormatAsYesOrNo) {
  EXPECT_EQ(format_for_reply(kBoolSpec, true), "yes");
  EXPECT_EQ(format_for_file(kBoolSpec, false), "no");
  Config config;
  write_option(kBoolSpec, false, &config);
  EXPECT_FALSE(config.active_expire_enabled);
}

TEST(OptionTable, MemoryIsWrittenToTheFileInTheLargestExactUnit) {
  EXPECT_EQ(parse_and_format_for_file("proto-max-bulk-len", "1073741824"), "1gb");
  EXPECT_EQ(parse_and_format_for_file("proto-max-bulk-len", "512mb"), "512mb");
  EXPECT_EQ(parse_and_format_for_file("proto-max-bulk-len", "1536kb"), "1536kb");
  EXPECT_EQ(parse_and_format_for_file("proto-max-bulk-len", "2m"), "2000000");
}

TEST(OptionTable, OutputBufferLimitsAreWrittenWithReplicaAndUnits) {
  EXPECT_EQ(parse_and_format_for_file("client-output-buffer-limit", "  slave 1gb   0 0  "),
            "replica 1gb 0 0");
  EXPECT_EQ(parse_and_format_for_file("client-output-buffer-limit", "pubsub 1 2 x"),
            "error: Error in hard, soft or soft_seconds setting in buffer limit configuration.");
  EXPECT_EQ(parse_and_format_for_file("client-output-buffer-limit", "pubsub -1 2 3"),
            "error: Error in hard, soft or soft_seconds setting in buffer limit configuration.");
}

TEST(OptionTable, StringsStayPlainWhenYamlReadsThemBackUnchanged) {
  EXPECT_EQ(file_form_of_string("127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(file_form_of_string("/var/lib/stashd"), "/var/lib/stashd");
  EXPECT_EQ(file_form_of_string("a b"), "a b");
}

TEST(OptionTable, StringsYamlWouldMisreadAreQuoted) {
  EXPECT_EQ(file_form_of_string(""), "\"\"");
  EXPECT_EQ(file_form_of_string("null"), "\"null\"");
  EXPECT_EQ(file_form_of_string("~"), "\"~\"");
  EXPECT_EQ(file_form_of_string("0.0.0.0 ::1"), "\"0.0.0.0 ::1\"");
  EXPECT_EQ(file_form_of_string("#x"), "\"#x\"");
  EXPECT_EQ(file_form_of_string("-x"), "\"-x\"");
  EXPECT_EQ(file_form_of_string("say \"hi\"\\\n"), "\"say \\\"hi\\\"\\\\\\x0a\"");
}

}  // namespace
}  // namespace stashd::config
