// Tests notify-keyspace-events flag parsing and its canonical spelling.
#include "stashd/config/keyspace_event_flags.h"

#include <gtest/gtest.h>

namespace stashd {
namespace {

TEST(KeyspaceEventFlags, ParsesEveryClassCharacter) {
  auto flags = parse_keyspace_event_flags("KEg$lshzxe");
  ASSERT_TRUE(flags);
  EXPECT_TRUE(*flags & kEventKeyspace);
  EXPECT_TRUE(*flags & kEventExpired);
  EXPECT_FALSE(*flags & kEventKeyMiss);
  EXPECT_FALSE(parse_keyspace_event_flags("KEq"));
  EXPECT_EQ(parse_keyspace_event_flags(""), 0u);
}

TEST(KeyspaceEventFlags, FormatsCanonicallyLikeConfigGet) {
  EXPECT_EQ(format_keyspace_event_flags(*parse_keyspace_event_flags("EKA")), "AKE");
  EXPECT_EQ(format_keyspace_event_flags(*parse_keyspace_event_flags("xEg")), "gxE");
  EXPECT_EQ(format_keyspace_event_flags(*parse_keyspace_event_flags("Kg$lshzxetd")), "AK");
  EXPECT_EQ(format_keyspace_event_flags(0), "");
}

}  // namespace
}  // namespace stashd
