// Tests the primary's PSYNC decision and replication id shifts at promotion.
#include "stashd/repl/psync.h"

#include <gtest/gtest.h>

namespace stashd::repl {
namespace {

TEST(PsyncTest, ContinuesItsOwnHistoryWhileTheBacklogHoldsIt) {
  ReplicationIds ids;
  Backlog b(10, 0);
  b.append("0123456789abc");  // offsets 1..13, holds 4..13
  EXPECT_FALSE(decide_psync(ids, &b, ids.replid, 14).full);
  EXPECT_FALSE(decide_psync(ids, &b, ids.replid, 4).full);
  EXPECT_TRUE(decide_psync(ids, &b, ids.replid, 3).full);   // overrun
  EXPECT_TRUE(decide_psync(ids, &b, ids.replid, 15).full);  // ahead of us
}

TEST(PsyncTest, RefusesUnknownHistory) {
  ReplicationIds ids;
  Backlog b(10, 0);
  b.append("abc");
  EXPECT_TRUE(decide_psync(ids, &b, "?", -1).full);
  EXPECT_TRUE(decide_psync(ids, &b, random_replication_id(), 2).full);
  EXPECT_TRUE(decide_psync(ids, nullptr, ids.replid, 2).full);
}

TEST(PsyncTest, APromotedReplicaContinuesTheOldPrimarysHistoryUpToThePromotion) {
  ReplicationIds ids;
  const std::string old_primary = ids.replid;
  Backlog b(100, 0);
  b.append("0123456789");  // the stream up to offset 10
  ids.shift(b.offset());
  EXPECT_EQ(ids.replid2, old_primary);
  EXPECT_EQ(ids.second_offset, 11);
  EXPECT_NE(ids.replid, old_primary);
  b.append("new");
  // A sibling replica at offset 10 (or earlier) continues; one that saw more of the old
  // primary's stream than we did cannot.
  EXPECT_FALSE(decide_psync(ids, &b, old_primary, 11).full);
  EXPECT_FALSE(decide_psync(ids, &b, old_primary, 5).full);
  EXPECT_TRUE(decide_psync(ids, &b, old_primary, 12).full);
  ids.reset();
  EXPECT_EQ(ids.second_offset, -1);
  EXPECT_TRUE(decide_psync(ids, &b, old_primary, 11).full);
}

}  // namespace
}  // namespace stashd::repl
