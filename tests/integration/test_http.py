"""Owns: the HTTP listener end to end against the real binary, with real HTTP requests
(http.client): /metrics is valid Prometheus text (promtool check metrics) whose values move as
commands run, /healthz and /readyz (503 while a big snapshot loads), and the REST API on
/cache/{key}: every status code (200 201 204 400 401 404 409 413 503 507), TTLs, percent-encoded
binary keys, REST writes seen over RESP and the other way round, Basic and Bearer auth, a bind
failure stopping start-up."""
import base64
import http.client
import os
import shutil
import subprocess
import unittest

from stashd_fixture import (STASHD_BIN, StashdProcess, free_port, save_and_kill_with_keys,
                            wait_until)

PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"


def request(port, method, path, body=None, headers=None, timeout=30):
    """One request on a fresh connection: (status, headers as a dict, body bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def basic(user, password):
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def metric_samples(text):
    """{'name{labels}': value} of every sample line of Prometheus text."""
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
    return samples


class HttpNode(StashdProcess):
    """A node with the HTTP listener on its own free port."""

    def __init__(self, *args):
        self.http_port = free_port()
        super().__init__("--http-port", str(self.http_port), *args)

    def http(self, method, path, body=None, headers=None):
        return request(self.http_port, method, path, body, headers)

    def metrics(self, headers=None):
        status, hdrs, body = self.http("GET", "/metrics", headers=headers)
        assert status == 200, (status, body)
        return hdrs, body.decode()


class HttpTestCase(unittest.TestCase):
    SERVER_ARGS = ()

    @classmethod
    def setUpClass(cls):
        cls.server = HttpNode(*cls.SERVER_ARGS)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        self.r = self.server.client()
        self.r.flushall()

    def tearDown(self):
        self.r.close()
        self.r.connection_pool.disconnect()


class Metrics(HttpTestCase):
    def test_output_is_prometheus_text_that_promtool_accepts(self):
        self.r.set("k", "v")
        self.r.get("k")
        self.r.lpush("l", "x")
        self.r.zadd("z", {"m": 1})
        hdrs, text = self.server.metrics()
        self.assertTrue(hdrs["content-type"].startswith("text/plain; version=0.0.4"), hdrs)
        for family in ("stashd_uptime_seconds", "stashd_commands_processed_total",
                       "stashd_commands_total", "stashd_command_errors_total",
                       "stashd_command_duration_seconds", "stashd_keys", "stashd_expiring_keys",
                       "stashd_memory_used_bytes", "stashd_memory_rss_bytes",
                       "stashd_memory_max_bytes", "stashd_evicted_keys_total",
                       "stashd_expired_keys_total", "stashd_keyspace_hits_total",
                       "stashd_keyspace_misses_total", "stashd_connected_clients",
                       "stashd_blocked_clients", "stashd_replication_role",
                       "stashd_replication_offset_bytes", "stashd_connected_replicas",
                       "stashd_replica_lag_seconds", "stashd_replication_link_up",
                       "stashd_loading", "stashd_rdb_last_save_timestamp_seconds",
                       "stashd_rdb_changes_since_last_save", "stashd_rdb_last_bgsave_success",
                       "stashd_aof_enabled", "stashd_aof_last_write_success"):
            self.assertIn(f"\n# TYPE {family} ", "\n" + text, family)
        if not os.path.exists(PROMTOOL):
            self.skipTest("promtool not installed (Debian package prometheus): "
                          "the format check was skipped")
        check = subprocess.run([PROMTOOL, "check", "metrics"], input=text.encode(),
                               capture_output=True, timeout=60)
        self.assertEqual(check.returncode, 0, check.stdout.decode() + check.stderr.decode())
        self.assertEqual(check.stdout.decode().strip(), "", check.stdout.decode())

    def test_values_move_as_commands_run(self):
        before = metric_samples(self.server.metrics()[1])
        self.r.set("a", "1")
        self.r.set("b", "2", ex=100)
        self.r.get("a")
        self.r.get("missing")
        with self.assertRaises(Exception):
            self.r.lpush("a", "x")  # WRONGTYPE
        after = metric_samples(self.server.metrics()[1])

        def delta(name):
            return after.get(name, 0) - before.get(name, 0)

        self.assertEqual(delta('stashd_commands_total{cmd="set"}'), 2)
        self.assertEqual(delta('stashd_commands_total{cmd="get"}'), 2)
        self.assertEqual(delta('stashd_command_errors_total{cmd="lpush"}'), 1)
        self.assertEqual(delta("stashd_keyspace_hits_total"), 1)
        self.assertEqual(delta("stashd_keyspace_misses_total"), 1)
        self.assertGreaterEqual(delta("stashd_commands_processed_total"), 5)
        self.assertEqual(after['stashd_keys{db="0"}'], 2)
        self.assertEqual(after['stashd_expiring_keys{db="0"}'], 1)
        self.assertGreaterEqual(delta('stashd_command_duration_seconds_count{family="string"}'), 4)
        self.assertEqual(after['stashd_replication_role{role="master"}'], 1)
        self.assertGreaterEqual(after["stashd_connected_clients"], 1)
        self.assertGreater(after["stashd_memory_rss_bytes"], 0)
        self.assertEqual(after["stashd_loading"], 0)

    def test_metrics_agree_with_info(self):
        self.r.set("a", "1")
        samples = metric_samples(self.server.metrics()[1])
        info = self.r.info("all")
        self.assertEqual(samples["stashd_rdb_changes_since_last_save"],
                         info["rdb_changes_since_last_save"])
        self.assertEqual(samples["stashd_rdb_last_save_timestamp_seconds"],
                         info["rdb_last_save_time"])
        self.assertEqual(samples["stashd_memory_max_bytes"], info["maxmemory"])
        self.assertEqual(samples["stashd_aof_enabled"], info["aof_enabled"])
        self.assertEqual(samples['stashd_commands_total{cmd="set"}'],
                         info["cmdstat_set"]["calls"])

    def test_evictions_and_expirations_are_counted(self):
        self.r.set("gone", "v", px=1)
        wait_until(lambda: self.r.exists("gone") == 0, message="key expired")
        samples = metric_samples(self.server.metrics()[1])
        self.assertGreaterEqual(samples["stashd_expired_keys_total"], 1)


class Probes(HttpTestCase):
    def test_healthz_and_readyz_answer_200_on_a_loaded_master(self):
        status, _, body = self.server.http("GET", "/healthz")
        self.assertEqual((status, body), (200, b"ok\n"))
        status, _, body = self.server.http("GET", "/readyz")
        self.assertEqual((status, body), (200, b"ready\n"))

    def test_unknown_paths_are_404(self):
        self.assertEqual(self.server.http("GET", "/nope")[0], 404)


class RestApi(HttpTestCase):
    SERVER_ARGS = ("--proto-max-bulk-len", "2mb")

    def test_put_get_delete_with_status_codes(self):
        self.assertEqual(self.server.http("GET", "/cache/k")[0], 404)
        self.assertEqual(self.server.http("PUT", "/cache/k", b"v1")[0], 201)
        self.assertEqual(self.server.http("PUT", "/cache/k", b"v2")[0], 204)
        status, hdrs, body = self.server.http("GET", "/cache/k")
        self.assertEqual((status, body), (200, b"v2"))
        self.assertEqual(hdrs["content-type"], "application/octet-stream")
        self.assertEqual(self.server.http("DELETE", "/cache/k")[0], 204)
        self.assertEqual(self.server.http("DELETE", "/cache/k")[0], 404)
        self.assertEqual(self.server.http("GET", "/cache/k")[0], 404)

    def test_rest_and_resp_see_each_others_writes(self):
        value = os.urandom(1000)
        self.assertEqual(self.server.http("PUT", "/cache/from-http", value)[0], 201)
        self.assertEqual(self.r.get("from-http"), value)
        self.r.set("from-resp", b"\x00binary\r\n")
        self.assertEqual(self.server.http("GET", "/cache/from-resp")[2], b"\x00binary\r\n")
        self.r.delete("from-http")
        self.assertEqual(self.server.http("GET", "/cache/from-http")[0], 404)

    def test_keys_are_percent_decoded(self):
        self.assertEqual(self.server.http("PUT", "/cache/a%2Fb%20c%00%0A", b"x")[0], 201)
        self.assertEqual(self.r.get(b"a/b c\x00\n"), b"x")
        self.assertEqual(self.server.http("PUT", "/cache/user:1/name", b"y")[0], 201)
        self.assertEqual(self.r.get("user:1/name"), b"y")
        self.assertEqual(self.server.http("GET", "/cache/%zz")[0], 400)
        self.assertEqual(self.server.http("GET", "/cache/")[0], 400)

    def test_ttl_sets_an_expiry_and_bad_ttls_are_400(self):
        self.assertEqual(self.server.http("PUT", "/cache/t?ttl=100", b"v")[0], 201)
        self.assertTrue(95 <= self.r.ttl("t") <= 100, self.r.ttl("t"))
        for bad in ("0", "-1", "abc", "1.5", "", "99999999999"):
            status, _, body = self.server.http("PUT", f"/cache/bad?ttl={bad}", b"v")
            self.assertEqual(status, 400, bad)
        self.assertEqual(self.r.exists("bad"), 0)
        self.assertEqual(self.server.http("PUT", "/cache/short?ttl=1", b"v")[0], 201)
        wait_until(lambda: self.server.http("GET", "/cache/short")[0] == 404, timeout=10,
                   message="the 1 s TTL to pass")

    def test_a_key_of_another_type_is_409(self):
        self.r.rpush("list", "x")
        status, _, body = self.server.http("GET", "/cache/list")
        self.assertEqual(status, 409)
        self.assertTrue(body.startswith(b"WRONGTYPE"), body)

    def test_bodies_over_proto_max_bulk_len_are_413(self):
        status, _, body = self.server.http("PUT", "/cache/big", b"x" * (2 * 1024 * 1024 + 1))
        self.assertEqual(status, 413, body)
        self.assertEqual(self.server.http("PUT", "/cache/ok", b"x" * (1024 * 1024))[0], 201)
        # Lowered at run time: enforced on the loop for bodies the listener already accepted.
        self.r.config_set("proto-max-bulk-len", "1mb")
        try:
            status, _, _ = self.server.http("PUT", "/cache/big", b"x" * (1024 * 1024 + 1))
            self.assertEqual(status, 413)
        finally:
            self.r.config_set("proto-max-bulk-len", "2mb")
        self.assertEqual(self.r.exists("big"), 0)

    def test_writes_refused_for_memory_are_507(self):
        self.server.http("PUT", "/cache/keep", b"v")
        self.r.config_set("maxmemory-policy", "noeviction")
        self.r.config_set("maxmemory", "1")
        try:
            status, _, body = self.server.http("PUT", "/cache/more", b"v" * 1000)
            self.assertEqual(status, 507, body)
            self.assertTrue(body.startswith(b"OOM "), body)
            self.assertEqual(self.server.http("GET", "/cache/keep")[0], 200)
            self.assertEqual(self.server.http("DELETE", "/cache/keep")[0], 204)
        finally:
            self.r.config_set("maxmemory", "0")
        self.assertEqual(self.r.exists("more"), 0)

    def test_rest_calls_count_as_commands(self):
        before = metric_samples(self.server.metrics()[1])
        self.server.http("PUT", "/cache/c", b"v")
        self.server.http("GET", "/cache/c")
        after = metric_samples(self.server.metrics()[1])
        self.assertEqual(after['stashd_commands_total{cmd="set"}'] -
                         before.get('stashd_commands_total{cmd="set"}', 0), 1)
        self.assertEqual(after['stashd_commands_total{cmd="get"}'] -
                         before.get('stashd_commands_total{cmd="get"}', 0), 1)

    def test_client_pause_answers_503(self):
        self.r.execute_command("CLIENT", "PAUSE", "10000", "WRITE")
        try:
            status, hdrs, _ = self.server.http("PUT", "/cache/p", b"v")
            self.assertEqual(status, 503)
            self.assertEqual(hdrs["retry-after"], "1")
            self.assertEqual(self.server.http("GET", "/cache/p")[0], 404)
        finally:
            self.r.execute_command("CLIENT", "UNPAUSE")
        self.assertEqual(self.server.http("PUT", "/cache/p", b"v")[0], 201)


class Auth(HttpTestCase):
    SERVER_ARGS = ("--requirepass", "s3cret")

    def setUp(self):
        self.r = self.server.client(password="s3cret")
        self.r.flushall()

    def test_cache_and_metrics_need_the_password(self):
        for method, path in (("GET", "/cache/k"), ("PUT", "/cache/k"), ("DELETE", "/cache/k"),
                             ("GET", "/metrics")):
            status, hdrs, _ = self.server.http(method, path, b"v" if method == "PUT" else None)
            self.assertEqual(status, 401, path)
            self.assertTrue(hdrs["www-authenticate"].startswith("Basic realm="), hdrs)
        status, _, body = self.server.http("GET", "/cache/k", headers=basic("default", "wrong"))
        self.assertEqual(status, 401)
        self.assertTrue(body.startswith(b"WRONGPASS"), body)
        self.assertEqual(self.server.http("GET", "/cache/k", headers=basic("alice", "s3cret"))[0],
                         401)

    def test_basic_and_bearer_credentials_are_accepted(self):
        self.assertEqual(self.server.http("PUT", "/cache/k", b"v",
                                          headers=basic("default", "s3cret"))[0], 201)
        status, _, body = self.server.http("GET", "/cache/k",
                                           headers={"Authorization": "Bearer s3cret"})
        self.assertEqual((status, body), (200, b"v"))
        self.assertEqual(self.server.http("GET", "/metrics", headers=basic("", "s3cret"))[0], 200)

    def test_probes_need_no_password(self):
        self.assertEqual(self.server.http("GET", "/healthz")[0], 200)
        self.assertEqual(self.server.http("GET", "/readyz")[0], 200)


class Startup(unittest.TestCase):
    def test_a_port_in_use_stops_startup_with_a_clear_error(self):
        first = HttpNode()
        try:
            proc = subprocess.run([STASHD_BIN, "--port", str(free_port()), "--bind", "127.0.0.1",
                                   "--dir", first.dir, "--http-port", str(first.http_port)],
                                  capture_output=True, timeout=30)
            self.assertEqual(proc.returncode, 1)
            self.assertIn(f"could not listen on 127.0.0.1:{first.http_port} for HTTP",
                          proc.stdout.decode() + proc.stderr.decode())
        finally:
            first.stop()

    def test_an_invalid_bind_address_stops_startup(self):
        proc = subprocess.run([STASHD_BIN, "--port", str(free_port()), "--bind", "127.0.0.1",
                               "--http-port", str(free_port()), "--http-bind", "localhost:80"],
                              capture_output=True, timeout=30)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("http-bind: invalid address", proc.stdout.decode() + proc.stderr.decode())

    def test_readyz_is_503_while_a_big_snapshot_loads(self):
        server = StashdProcess()
        save_and_kill_with_keys(server)
        http_port = free_port()
        log = open(os.path.join(server.dir, "restart.log"), "w")
        proc = subprocess.Popen([STASHD_BIN, "--port", str(server.port), "--bind", "127.0.0.1",
                                 "--dir", server.dir, "--http-port", str(http_port)],
                                stdout=log, stderr=subprocess.STDOUT)

        def cleanup():
            proc.kill()
            proc.wait()
            log.close()
            shutil.rmtree(server.dir, ignore_errors=True)

        self.addCleanup(cleanup)
        seen = []

        def ready():
            try:
                status, _, body = request(http_port, "GET", "/readyz", timeout=5)
            except OSError:
                return False  # not listening yet
            seen.append((status, body))
            if status == 503:
                self.assertEqual(body, b"loading the dataset\n")
                self.assertEqual(request(http_port, "GET", "/healthz", timeout=5)[0], 200)
            return status == 200

        wait_until(ready, timeout=120, interval=0.001, message="/readyz to answer 200")
        self.assertIn((503, b"loading the dataset\n"), seen,
                      "no 503 was seen while 1M keys loaded")
        samples = metric_samples(request(http_port, "GET", "/metrics")[2].decode())
        self.assertEqual(samples['stashd_keys{db="0"}'], 1000000)


if __name__ == "__main__":
    unittest.main()
