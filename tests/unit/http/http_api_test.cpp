// Tests the endpoints' work on the loop: status codes of the REST API, authentication, readiness,
// and that REST writes go through the real command path (propagation, statistics).
#include "../fake_replication.h"
#include "stashd/http/http_api.h"

#include <gtest/gtest.h>

#include <string>

#include "commands/harness.h"
#include "stashd/admin/stats_sampler.h"

namespace stashd::http {
namespace {

using namespace std::string_literals;

class HttpApiTest : public ::testing::Test {
 protected:
  ~HttpApiTest() override { forget_sampled_stats(h.node()); }

  HttpReply call(HttpRoute route, std::string_view key = {}, std::string_view value = {},
                 int64_t ttl = 0, const Credentials* credentials = nullptr) {
    HttpRequest request;
    request.route = route;
    request.key = key;
    request.value = value;
    request.ttl_seconds = ttl;
    request.credentials = credentials;
    request.peer = "127.0.0.1:5555";
    HttpReply reply;
    api.handle(request, reply);
    return reply;
  }
  HttpReply get(std::string_view key) { return call(HttpRoute::kCacheGet, key); }
  HttpReply put(std::string_view key, std::string_view value, int64_t ttl = 0) {
    return call(HttpRoute::kCachePut, key, value, ttl);
  }
  HttpReply del(std::string_view key) { return call(HttpRoute::kCacheDelete, key); }

  testing::CommandHarness h;
  HttpApi api{&h.node(), h.node().dispatcher};
};

TEST_F(HttpApiTest, PutCreatesThenReplacesAndGetReturnsTheRawValue) {
  EXPECT_EQ(put("k", "v1").status, 201);
  EXPECT_EQ(put("k", "v2").status, 204);
  HttpReply reply = get("k");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.content_type, kOctetStream);
  EXPECT_EQ(reply.body, "v2");
  EXPECT_EQ(h.run({"GET", "k"}), testing::bulk("v2"));
}

TEST_F(HttpApiTest, KeysAndValuesAreBinarySafe) {
  const std::string key = "a\0/\r\n"s;
  const std::string value = "\0\xff\r\n$-1\r\n"s;
  EXPECT_EQ(put(key, value).status, 201);
  EXPECT_EQ(get(key).body, value);
  EXPECT_EQ(put("n", "12345").status, 201);  // stored as an integer, read back as text
  EXPECT_EQ(get("n").body, "12345");
  EXPECT_EQ(put("e", "").status, 201);
  EXPECT_EQ(get("e").status, 200);
  EXPECT_EQ(get("e").body, "");
}

TEST_F(HttpApiTest, MissingKeysAre404AndOtherTypesAre409) {
  EXPECT_EQ(get("nope").status, 404);
  EXPECT_EQ(del("nope").status, 404);
  h.run({"LPUSH", "list", "x"});
  HttpReply reply = get("list");
  EXPECT_EQ(reply.status, 409);
  EXPECT_EQ(reply.body, "WRONGTYPE Operation against a key holding the wrong kind of value\n");
  EXPECT_EQ(put("list", "now a string").status, 204);  // PUT is SET: it replaces any type
}

TEST_F(HttpApiTest, DeleteRemovesTheKey) {
  put("k", "v");
  EXPECT_EQ(del("k").status, 204);
  EXPECT_EQ(h.run({"EXISTS", "k"}), testing::integer(0));
  EXPECT_EQ(del("k").status, 404);
}

TEST_F(HttpApiTest, TtlSetsAnExpiry) {
  EXPECT_EQ(put("k", "v", 100).status, 201);
  EXPECT_EQ(h.run({"TTL", "k"}), testing::integer(100));
  h.clock().advance_ms(101'000);
  EXPECT_EQ(get("k").status, 404);
  EXPECT_EQ(put("k", "v", 100).status, 201);  // the expired key counted as absent
}

TEST_F(HttpApiTest, WritesPropagateAndCountLikeRespCommands) {
  testing::PropagationRecorder recorder(h.node());
  put("k", "v", 10);
  del("k");
  auto argvs = recorder.take_argvs();
  ASSERT_EQ(argvs.size(), 2u);
  EXPECT_EQ(argvs[0][0], "SET");
  EXPECT_EQ(argvs[1], (std::vector<std::string>{"DEL", "k"}));
  EXPECT_EQ(h.node().commands().find("set")->calls, 1u);
  EXPECT_EQ(h.node().commands().find("del")->calls, 1u);
  EXPECT_EQ(h.node().dirty, 2u);
}

TEST_F(HttpApiTest, OversizedValuesAre413) {
  h.config().proto_max_bulk_len = 4;
  EXPECT_EQ(put("k", "12345").status, 413);
  EXPECT_EQ(put("k", "1234").status, 201);
}

TEST_F(HttpApiTest, WritesRefusedForMemoryAre507) {
  put("k", "v");
  h.config().maxmemory = 1;
  h.config().maxmemory_policy = "noeviction";
  h.node().apply_eviction_config();
  HttpReply reply = put("k2", "v");
  EXPECT_EQ(reply.status, 507);
  EXPECT_EQ(reply.body.substr(0, 4), "OOM ");
  EXPECT_EQ(get("k").status, 200);  // reads still work
  EXPECT_EQ(del("k").status, 204);  // and deletes free memory
}

TEST_F(HttpApiTest, LoadingAnswers503AndNotReady) {
  h.node().persistence.loading = true;
  HttpReply reply = get("k");
  EXPECT_EQ(reply.status, 503);
  EXPECT_EQ(reply.header_name, "Retry-After");
  EXPECT_EQ(put("k", "v").status, 503);
  EXPECT_EQ(call(HttpRoute::kReady).status, 503);
  EXPECT_EQ(call(HttpRoute::kReady).body, "loading the dataset\n");
  EXPECT_EQ(call(HttpRoute::kHealth).status, 200);
  h.node().persistence.loading = false;
  EXPECT_EQ(call(HttpRoute::kReady).status, 200);
}

TEST_F(HttpApiTest, AReplicaIsReadyOnlyWhileItsMasterLinkIsUp) {
  testing::FakeReplication replication;
  replication.status_value.replica = true;
  replication.status_value.link_up = false;
  h.node().replication = &replication;
  EXPECT_EQ(call(HttpRoute::kReady).status, 503);
  replication.status_value.link_up = true;
  EXPECT_EQ(call(HttpRoute::kReady).status, 200);
  h.node().replication = nullptr;
}

TEST_F(HttpApiTest, ClientPauseHoldsRequestsBackWith503) {
  h.node().pause_end_ms = h.clock().now_ms() + 10'000;
  h.node().pause_writes_only = true;
  EXPECT_EQ(put("k", "v").status, 503);
  EXPECT_EQ(get("k").status, 404);  // reads pass a write pause
  h.node().pause_end_ms = 0;
  EXPECT_EQ(put("k", "v").status, 201);
}

TEST_F(HttpApiTest, APasswordRequiresCredentialsExceptForProbes) {
  h.config().requirepass = "s3cret";
  HttpReply reply = get("k");
  EXPECT_EQ(reply.status, 401);
  EXPECT_EQ(reply.header_name, kAuthenticateHeader);
  EXPECT_EQ(call(HttpRoute::kMetrics).status, 401);
  EXPECT_EQ(call(HttpRoute::kHealth).status, 200);
  EXPECT_EQ(call(HttpRoute::kReady).status, 200);

  const Credentials wrong{"default", "nope"};
  reply = call(HttpRoute::kCacheGet, "k", {}, 0, &wrong);
  EXPECT_EQ(reply.status, 401);
  EXPECT_EQ(reply.body.substr(0, 9), "WRONGPASS");
  const Credentials other_user{"alice", "s3cret"};
  EXPECT_EQ(call(HttpRoute::kCacheGet, "k", {}, 0, &other_user).status, 401);

  const Credentials basic{"default", "s3cret"};
  const Credentials bearer{"", "s3cret"};
  EXPECT_EQ(call(HttpRoute::kCachePut, "k", "v", 0, &basic).status, 201);
  EXPECT_EQ(call(HttpRoute::kCacheGet, "k", {}, 0, &bearer).status, 200);
  EXPECT_EQ(call(HttpRoute::kMetrics, {}, {}, 0, &bearer).status, 200);
  // Authentication does not stick to the internal client between requests.
  EXPECT_EQ(get("k").status, 401);
}

TEST_F(HttpApiTest, MetricsArePrometheusText) {
  put("k", "v");
  HttpReply reply = call(HttpRoute::kMetrics);
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.content_type.substr(0, 26), "text/plain; version=0.0.4;");
  EXPECT_NE(reply.body.find("stashd_commands_total{cmd=\"set\"} 1\n"), std::string::npos);
}

TEST(HttpApiStatus, MapsErrorRepliesToStatusCodes) {
  EXPECT_EQ(HttpApi::status_for_error("-WRONGTYPE Operation\r\n"), 409);
  EXPECT_EQ(HttpApi::status_for_error("-OOM command not allowed\r\n"), 507);
  EXPECT_EQ(HttpApi::status_for_error("-LOADING stashd is loading\r\n"), 503);
  EXPECT_EQ(HttpApi::status_for_error("-MISCONF Errors writing\r\n"), 503);
  EXPECT_EQ(HttpApi::status_for_error("-NOAUTH Authentication required.\r\n"), 401);
  EXPECT_EQ(HttpApi::status_for_error("-WRONGPASS invalid\r\n"), 401);
  EXPECT_EQ(HttpApi::status_for_error("-ERR invalid expire time in 'set' command\r\n"), 400);
  EXPECT_EQ(HttpApi::status_for_error("-ERR something else\r\n"), 500);
  EXPECT_EQ(HttpApi::status_for_error("-OOMX\r\n"), 500);
}

}  // namespace
}  // namespace stashd::http
