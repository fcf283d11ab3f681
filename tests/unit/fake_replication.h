// A ReplicationControl that reports a status the test sets (for the readers of replication's
// status: INFO, /metrics, /readyz) and refuses everything else.
#pragma once

#include <string>

#include "stashd/command/replication.h"

namespace stashd::testing {

class FakeReplication final : public ReplicationControl {
 public:
  ReplicationStatus status_value;

  ReplicationStatus status() const override { return status_value; }
  bool is_replica() const override { return status_value.replica; }
  void history(std::string* replid, uint64_t* offset, int* stream_db) const override {
    *replid = status_value.replid;
    *offset = status_value.offset;
    *stream_db = 0;
  }
  bool link_up() const override { return !status_value.replica || status_value.link_up; }
  std::string replicate(const std::string&, int, bool*) override { return "ERR fake"; }
  std::string promote() override { return "ERR fake"; }
  std::string replconf(Client&, std::span<const std::string_view>) override { return "ERR fake"; }
  std::string psync(Client&, std::span<const std::string_view>) override { return "ERR fake"; }
  int acked_replicas(uint64_t) const override { return 0; }
  uint64_t offset() const override { return status_value.offset; }
  void wait_started(Client&, uint64_t, int) override {}
  bool too_few_replicas() const override { return false; }
  bool holding_stream() const override { return false; }
  std::string failover(const std::string&, int, int64_t, bool) override { return "ERR fake"; }
  std::string abort_failover() override { return "ERR fake"; }
};

}  // namespace stashd::testing
