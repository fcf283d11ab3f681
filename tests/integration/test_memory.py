"""Owns: memory introspection end to end against the real binary: INFO memory carries Redis 7's
fields with consistent values, used_memory follows a 50 MB load and agrees with RSS growth, INFO
stats estimates stale keys (expired_stale_perc), and MEMORY USAGE STATS DOCTOR MALLOC-STATS PURGE
HELP answer as Redis's do. Runs under Debian's /usr/bin/python3 with python3-redis."""
import unittest

from stashd_fixture import (RespConnection, RespError, StashdProcess, StashdTestCase,
                            encode_command, wait_until)
from stashd_fixture import info_fields as info

KEYS = 50000
VALUE = "v" * 1024

MEMORY_FIELDS = [
    "used_memory", "used_memory_human", "used_memory_rss", "used_memory_rss_human",
    "used_memory_peak", "used_memory_peak_human", "used_memory_peak_perc", "used_memory_overhead",
    "used_memory_startup", "used_memory_dataset", "used_memory_dataset_perc",
    "allocator_allocated", "allocator_active", "allocator_resident", "total_system_memory",
    "total_system_memory_human", "maxmemory", "maxmemory_human", "maxmemory_policy",
    "allocator_frag_ratio", "allocator_frag_bytes", "allocator_rss_ratio", "allocator_rss_bytes",
    "rss_overhead_ratio", "rss_overhead_bytes", "mem_fragmentation_ratio",
    "mem_fragmentation_bytes", "mem_not_counted_for_evict", "mem_replication_backlog",
    "mem_total_replication_buffers", "mem_clients_slaves", "mem_clients_normal",
    "mem_cluster_links", "mem_aof_buffer", "mem_allocator", "active_defrag_running",
    "lazyfree_pending_objects", "lazyfreed_objects",
]


def write_keys(conn, prefix, count, batch=1000):
    """Pipelines SETs of 1 KB values in batches; every reply must be OK."""
    for start in range(0, count, batch):
        end = min(count, start + batch)
        conn.send(b"".join(encode_command("SET", f"{prefix}:{i}", VALUE)
                           for i in range(start, end)))
        for _ in range(start, end):
            reply = conn.read_reply()
            if reply != "OK":
                raise AssertionError(f"SET answered {reply!r}")


def stats_dict(reply):
    """MEMORY STATS's RESP2 flat list as a dict (names decoded)."""
    return {reply[i].decode(): reply[i + 1] for i in range(0, len(reply), 2)}


class InfoMemoryTest(StashdTestCase):
    def setUp(self):
        super().setUp()
        self.conn = RespConnection(self.server.port)

    def tearDown(self):
        self.conn.close()
        super().tearDown()

    def test_info_memory_lists_redis7_fields_in_order(self):
        fields = info(self.conn, "memory")
        self.assertEqual(list(fields), MEMORY_FIELDS)
        self.assertTrue(fields["mem_allocator"].startswith(("jemalloc-", "libc")))
        self.assertEqual(fields["maxmemory_policy"], "noeviction")
        for zero in ("mem_not_counted_for_evict", "mem_clients_slaves", "mem_aof_buffer"):
            self.assertEqual(fields[zero], "0", zero)
        self.assertRegex(fields["used_memory_peak_perc"], r"^\d+\.\d\d%$")
        self.assertRegex(fields["used_memory_dataset_perc"], r"^\d+\.\d\d%$")
        for ratio in ("allocator_frag_ratio", "allocator_rss_ratio", "rss_overhead_ratio",
                      "mem_fragmentation_ratio"):
            self.assertRegex(fields[ratio], r"^\d+\.\d\d$", ratio)

    def test_info_memory_figures_are_consistent(self):
        f = {k: v for k, v in info(self.conn, "memory").items()}
        used = int(f["used_memory"])
        startup = int(f["used_memory_startup"])
        overhead = int(f["used_memory_overhead"])
        self.assertGreater(startup, 0)
        self.assertGreaterEqual(overhead, startup + int(f["mem_clients_normal"]))
        self.assertEqual(int(f["used_memory_dataset"]), max(0, used - overhead))
        self.assertGreaterEqual(int(f["used_memory_peak"]), used)
        self.assertGreater(int(f["mem_clients_normal"]), 0)
        allocated, active, resident = (int(f[k]) for k in (
            "allocator_allocated", "allocator_active", "allocator_resident"))
        self.assertEqual(int(f["allocator_frag_bytes"]), active - allocated)
        self.assertEqual(int(f["allocator_rss_bytes"]), resident - active)
        self.assertEqual(int(f["rss_overhead_bytes"]), int(f["used_memory_rss"]) - resident)
        self.assertEqual(int(f["mem_fragmentation_bytes"]), int(f["used_memory_rss"]) - used)

    def test_maxmemory_fields_follow_config_set(self):
        self.assertEqual(self.conn.call("CONFIG", "SET", "maxmemory", "1gb"), "OK")
        self.assertEqual(self.conn.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"), "OK")
        try:
            f = info(self.conn, "memory")
            self.assertEqual(f["maxmemory"], str(1 << 30))
            self.assertEqual(f["maxmemory_human"], "1.00G")
            self.assertEqual(f["maxmemory_policy"], "allkeys-lfu")
        finally:
            self.conn.call("CONFIG", "SET", "maxmemory", "0")
            self.conn.call("CONFIG", "SET", "maxmemory-policy", "noeviction")

    def test_stale_keys_are_estimated_while_active_expiry_is_off(self):
        self.assertEqual(self.conn.call("DEBUG", "SET-ACTIVE-EXPIRE", "0"), "OK")
        try:
            for i in range(100):
                self.conn.call("SET", f"soon:{i}", "v", "PX", "100")
                self.conn.call("SET", f"later:{i}", "v", "EX", "1000")
                self.conn.call("SET", f"never:{i}", "v")
            # The cron re-estimates once a second.
            wait_until(lambda: info(self.conn, "stats")["expired_stale_perc"] == "50.00",
                       timeout=5, message="expired_stale_perc 50.00")
        finally:
            self.conn.call("DEBUG", "SET-ACTIVE-EXPIRE", "1")
        wait_until(lambda: info(self.conn, "stats")["expired_stale_perc"] == "0.00",
                   timeout=5, message="expired_stale_perc back to 0.00")
        self.assertEqual(self.conn.call("DBSIZE"), 200)

    def test_evicted_keys_and_evicted_clients_are_in_info_stats(self):
        stats = info(self.conn, "stats")
        self.assertEqual(stats["evicted_keys"], "0")
        self.assertEqual(stats["evicted_clients"], "0")


class UsedMemoryUnderLoadTest(unittest.TestCase):
    """A fresh node, so that RSS growth is the load's alone."""

    @classmethod
    def setUpClass(cls):
        cls.server = StashdProcess()
        cls.conn = RespConnection(cls.server.port, timeout=60)

    @classmethod
    def tearDownClass(cls):
        cls.conn.close()
        cls.server.stop()

    def test_used_memory_grows_with_the_data_and_agrees_with_rss(self):
        before = info(self.conn, "memory")
        write_keys(self.conn, "load", KEYS)
        after = info(self.conn, "memory")
        used_growth = int(after["used_memory"]) - int(before["used_memory"])
        rss_growth = int(after["used_memory_rss"]) - int(before["used_memory_rss"])
        payload = KEYS * len(VALUE)
        # The values plus ~30 bytes of entry per key and the dictionary's buckets.
        self.assertGreater(used_growth, payload)
        self.assertLess(used_growth, payload * 1.1)
        self.assertLess(abs(used_growth - rss_growth), 0.05 * rss_growth,
                        f"used_memory grew {used_growth}, RSS {rss_growth}")
        dataset_growth = int(after["used_memory_dataset"]) - int(before["used_memory_dataset"])
        self.assertGreater(dataset_growth, 0.9 * used_growth)
        self.assertGreaterEqual(int(after["used_memory_peak"]), int(after["used_memory"]))
        self.assertEqual(after["used_memory_startup"], before["used_memory_startup"])

        stats = stats_dict(self.conn.call("MEMORY", "STATS"))
        self.assertEqual(stats["keys.count"], KEYS)
        self.assertGreater(stats["keys.bytes-per-key"], len(VALUE))
        self.assertLess(stats["keys.bytes-per-key"], len(VALUE) * 1.1)
        self.assertGreater(float(stats["dataset.percentage"]), 90)

        doctor = self.conn.call("MEMORY", "DOCTOR").decode()
        self.assertRegex(doctor, r"^(No memory problems found\.|Memory problems found:)")


class MemoryCommandTest(StashdTestCase):
    def setUp(self):
        super().setUp()
        self.conn = RespConnection(self.server.port)

    def tearDown(self):
        self.conn.close()
        super().tearDown()

    def test_usage_of_a_string_grows_with_its_size(self):
        sizes = [10, 100, 1000, 10000, 100000]
        usages = []
        for size in sizes:
            self.conn.call("SET", f"s:{size}", "x" * size)
            usages.append(self.conn.call("MEMORY", "USAGE", f"s:{size}"))
        self.assertEqual(usages, sorted(usages))
        for size, usage in zip(sizes, usages):
            self.assertGreaterEqual(usage, size)
            self.assertLess(usage, size * 1.25 + 64)  # jemalloc size classes are 1/4 apart

    def test_usage_of_a_hash_grows_with_its_fields(self):
        previous = 0
        for fields in (1, 10, 100, 1000):
            for i in range(fields):
                self.conn.call("HSET", "h", f"field:{i}", "v" * 20)
            usage = self.conn.call("MEMORY", "USAGE", "h")
            self.assertGreater(usage, previous)
            previous = usage
        self.assertGreater(previous, 1000 * 20)
        self.assertEqual(self.conn.call("MEMORY", "USAGE", "h", "SAMPLES", "0"), previous)

    def test_usage_of_a_missing_key_is_nil_and_bad_options_are_errors(self):
        self.assertIsNone(self.conn.call("MEMORY", "USAGE", "nope"))
        self.assertEqual(str(self.conn.call("MEMORY", "USAGE", "nope", "SAMPLES", "-1")),
                         "ERR syntax error")
        self.assertEqual(str(self.conn.call("MEMORY", "USAGE", "nope", "SAMPLES")),
                         "ERR syntax error")
        self.assertIsInstance(self.conn.call("MEMORY", "USAGE"), RespError)

    def test_stats_is_a_flat_list_in_resp2_and_a_map_in_resp3(self):
        self.conn.call("SET", "a", "1")
        self.conn.call("SELECT", "1")
        self.conn.call("SET", "b", "2", "EX", "100")
        self.conn.call("SELECT", "0")
        stats = stats_dict(self.conn.call("MEMORY", "STATS"))
        self.assertEqual(stats["keys.count"], 2)
        self.assertEqual([k for k in stats if k.startswith("db.")], ["db.0", "db.1"])
        db1 = stats_dict(stats["db.1"])
        self.assertGreater(db1["overhead.hashtable.expires"], 0)
        self.assertGreater(stats["total.allocated"], stats["startup.allocated"])
        self.assertGreater(stats["peak.allocated"], 0)
        float(stats["fragmentation"])  # a double, sent as a bulk string in RESP2

        self.conn.call("HELLO", "3")
        stats3 = self.conn.call("MEMORY", "STATS")
        self.assertIsInstance(stats3, dict)
        self.assertIsInstance(stats3[b"dataset.percentage"], float)
        self.assertIsInstance(stats3[b"db.0"], dict)
        self.assertEqual(len(stats3), len(stats))

    def test_doctor_malloc_stats_purge_and_help(self):
        doctor = self.conn.call("MEMORY", "DOCTOR")
        self.assertIsInstance(doctor, bytes)
        self.assertGreater(len(doctor), 40)
        malloc_stats = self.conn.call("MEMORY", "MALLOC-STATS").decode()
        if info(self.conn, "memory")["mem_allocator"].startswith("jemalloc"):
            self.assertIn("jemalloc statistics", malloc_stats)
        self.assertEqual(self.conn.call("MEMORY", "PURGE"), "OK")
        help_lines = self.conn.call("MEMORY", "HELP")
        self.assertTrue(help_lines[0].startswith("MEMORY <subcommand>"))
        self.assertIn("USAGE <key> [SAMPLES <count>]", help_lines)
        self.assertEqual(str(self.conn.call("MEMORY", "NOPE")),
                         "ERR unknown subcommand 'NOPE'. Try MEMORY HELP.")

    def test_redis_cli_reads_memory_usage(self):
        self.conn.call("SET", "k", "x" * 500)
        self.assertGreaterEqual(int(self.server.cli("MEMORY", "USAGE", "k").strip()), 500)


if __name__ == "__main__":
    unittest.main()
