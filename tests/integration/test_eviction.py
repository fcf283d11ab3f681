"""Owns: maxmemory and eviction end to end against the real binary: every policy keeps used_memory
under the limit while 10x the limit is written, volatile-* policies only evict keys with a TTL,
noeviction (and a policy with nothing to evict) answers -OOM to writes while reads and deletes go
on, EXEC of a transaction with writes is refused as a whole, evicted keys are announced by keyspace
notifications and tracking invalidations, LFU/LRU introspection follows the policy, and lowering
maxmemory on a full node evicts in the background while the node keeps answering."""
import time
import unittest

from stashd_fixture import RespConnection, RespError, StashdProcess, encode_command, wait_until
from stashd_fixture import info_fields as info

OOM = "OOM command not allowed when used memory > 'maxmemory'."
VALUE = "v" * 1000
LIMIT_HEADROOM = 8 << 20  # the limit is set this far above the idle node's used memory


def error_of(conn, *args):
    """The error text a command answers with (fails if it answers anything else)."""
    reply = conn.call(*args)
    if not isinstance(reply, RespError):
        raise AssertionError(f"{args!r} answered {reply!r}, not an error")
    return str(reply)


def used_memory(conn):
    return int(info(conn, "memory")["used_memory"])


def write_keys(conn, prefix, count, ttl=None, batch=2000, check=None):
    """Pipelines SETs of 1 KB values; returns the replies (b'OK' or an error string). Calls
    check() after every batch."""
    replies = []
    for start in range(0, count, batch):
        end = min(count, start + batch)
        extra = ("EX", ttl) if ttl is not None else ()
        conn.send(b"".join(encode_command("SET", f"{prefix}:{i}", VALUE, *extra)
                           for i in range(start, end)))
        for _ in range(start, end):
            reply = conn.read_reply()
            replies.append(str(reply) if isinstance(reply, RespError) else reply)
        if check is not None:
            check()
    return replies


class EvictionTestCase(unittest.TestCase):
    def start(self, policy, *args):
        self.server = StashdProcess("--maxmemory-policy", policy, *args)
        self.addCleanup(self.server.stop)
        self.conn = RespConnection(self.server.port, timeout=60)
        self.addCleanup(self.conn.close)
        self.limit = used_memory(self.conn) + LIMIT_HEADROOM
        self.assertEqual(self.conn.call("CONFIG", "SET", "maxmemory", str(self.limit)), "OK")
        return self.conn

    def assert_under_limit(self):
        used = used_memory(self.conn)
        # Eviction runs before each command, so one command's value and buffers may overshoot.
        self.assertLessEqual(used, self.limit + (256 << 10),
                             f"used_memory {used} over maxmemory {self.limit}")


class EveryPolicyStaysUnderTheLimit(EvictionTestCase):
    def check_policy(self, policy):
        c = self.start(policy)
        replies = write_keys(c, "k", 10 * LIMIT_HEADROOM // 1024, check=self.assert_under_limit)
        self.assertEqual([r for r in replies if r != "OK"], [])
        stats = info(c, "stats")
        self.assertGreater(int(stats["evicted_keys"]), 50000)
        keys = int(c.call("DBSIZE"))
        self.assertGreater(keys, 4000)  # the limit holds thousands of 1 KB values
        self.assertEqual(keys + int(stats["evicted_keys"]), 10 * LIMIT_HEADROOM // 1024)

    def test_allkeys_lru(self):
        self.check_policy("allkeys-lru")

    def test_allkeys_lru_exact(self):
        self.check_policy("allkeys-lru-exact")

    def test_allkeys_lfu(self):
        self.check_policy("allkeys-lfu")

    def test_allkeys_random(self):
        self.check_policy("allkeys-random")

    def test_allkeys_wtinylfu(self):
        self.check_policy("allkeys-wtinylfu")

    def test_allkeys_lru_exact_evicts_exactly_the_oldest_keys(self):
        c = self.start("allkeys-lru-exact")
        write_keys(c, "k", 10 * LIMIT_HEADROOM // 1024)
        # Writes arrive in order and nothing is read, so the survivors are a suffix.
        total = 10 * LIMIT_HEADROOM // 1024
        present = [c.call("EXISTS", f"k:{i}") for i in range(total - 3000, total)]
        self.assertEqual(present, [1] * 3000)
        self.assertEqual(c.call("EXISTS", "k:0"), 0)


class VolatilePoliciesOnlyEvictKeysWithTtl(EvictionTestCase):
    def check_policy(self, policy):
        c = self.start(policy)
        write_keys(c, "keep", 2000)  # ~2 MB without TTL
        replies = write_keys(c, "ttl", 6 * LIMIT_HEADROOM // 1024, ttl=3600,
                             check=self.assert_under_limit)
        self.assertEqual([r for r in replies if r != "OK"], [])
        self.assertGreater(int(info(c, "stats")["evicted_keys"]), 0)
        missing = [i for i in range(2000) if c.call("EXISTS", f"keep:{i}") != 1]
        self.assertEqual(missing, [])

    def test_volatile_lru(self):
        self.check_policy("volatile-lru")

    def test_volatile_lfu(self):
        self.check_policy("volatile-lfu")

    def test_volatile_random(self):
        self.check_policy("volatile-random")

    def test_volatile_ttl(self):
        self.check_policy("volatile-ttl")

    def test_volatile_wtinylfu(self):
        self.check_policy("volatile-wtinylfu")

    def test_volatile_ttl_evicts_the_soonest_deadlines_first(self):
        c = self.start("volatile-ttl")
        n = 4 * LIMIT_HEADROOM // 1024
        # TTLs grow with the index, so the keys written first expire first and go first.
        for start in range(0, n, 1000):
            c.send(b"".join(encode_command("SET", f"t:{i}", VALUE, "EX", 1000 + i)
                            for i in range(start, min(n, start + 1000))))
            for _ in range(start, min(n, start + 1000)):
                c.read_reply()
        self.assertEqual(c.call("EXISTS", f"t:{n - 1}"), 1)
        self.assertEqual(c.call("EXISTS", "t:0"), 0)

    def test_volatile_policy_without_ttl_keys_refuses_writes(self):
        c = self.start("volatile-lru")
        replies = write_keys(c, "k", 2 * LIMIT_HEADROOM // 1024)
        self.assertIn(OOM, replies)
        self.assertEqual(int(info(c, "stats")["evicted_keys"]), 0)


class NoEvictionRefusesWrites(EvictionTestCase):
    def test_writes_get_oom_reads_and_deletes_work(self):
        c = self.start("noeviction")
        replies = write_keys(c, "k", 2 * LIMIT_HEADROOM // 1024)
        self.assertIn(OOM, replies)
        stored = replies.index(OOM)
        self.assertGreater(stored, 4000)
        self.assert_under_limit()
        # Reads, deletes and commands that cannot grow memory keep working.
        self.assertEqual(c.call("GET", "k:0"), VALUE.encode())
        self.assertEqual(c.call("EXISTS", "k:1"), 1)
        self.assertRegex(error_of(c, "LPUSH", "list", "x"), "OOM command not allowed")
        self.assertEqual(c.call("DEL", *[f"k:{i}" for i in range(2000)]), 2000)
        self.assertEqual(c.call("SET", "again", "1"), "OK")
        self.assertEqual(int(info(c, "stats")["evicted_keys"]), 0)

    def test_transaction_with_a_write_is_refused_at_queue_time_and_at_exec(self):
        c = self.start("noeviction")
        self.assertEqual(c.call("MULTI"), "OK")
        self.assertEqual(c.call("SET", "before", "1"), "QUEUED")
        write_conn = RespConnection(self.server.port, timeout=60)
        self.addCleanup(write_conn.close)
        self.assertIn(OOM, write_keys(write_conn, "k", 2 * LIMIT_HEADROOM // 1024))
        # Queued before memory ran out: EXEC itself is refused and ends the transaction.
        self.assertRegex(error_of(c, "EXEC"), "EXECABORT Transaction discarded because of: OOM")
        self.assertRegex(error_of(c, "EXEC"), "EXEC without MULTI")
        # Queued while out of memory: the write is refused and EXEC aborts.
        self.assertEqual(c.call("MULTI"), "OK")
        self.assertRegex(error_of(c, "SET", "x", "1"), "OOM")
        self.assertEqual(c.call("GET", "k:0"), "QUEUED")
        self.assertRegex(error_of(c, "EXEC"), "EXECABORT")
        # A read-only transaction still runs.
        self.assertEqual(c.call("MULTI"), "OK")
        self.assertEqual(c.call("GET", "k:0"), "QUEUED")
        self.assertEqual(c.call("EXEC"), [VALUE.encode()])


class EvictedKeysAreAnnounced(EvictionTestCase):
    def test_keyspace_notification_for_each_evicted_key(self):
        c = self.start("allkeys-lru")
        self.assertEqual(c.call("CONFIG", "SET", "notify-keyspace-events", "Ee"), "OK")
        sub = RespConnection(self.server.port, timeout=30)
        self.addCleanup(sub.close)
        sub.call("SUBSCRIBE", "__keyevent@0__:evicted")
        write_keys(c, "k", 3 * LIMIT_HEADROOM // 1024)
        evicted = int(info(c, "stats")["evicted_keys"])
        self.assertGreater(evicted, 0)
        keys = set()
        while len(keys) < evicted:
            kind, channel, key = sub.read_reply()
            self.assertEqual((kind, channel), (b"message", b"__keyevent@0__:evicted"))
            keys.add(key)
        self.assertEqual(len(keys), evicted)
        self.assertTrue(all(c.call("EXISTS", k) == 0 for k in list(keys)[:500]))

    def test_tracking_clients_are_told_to_drop_evicted_keys(self):
        c = self.start("allkeys-lru-exact")
        reader = RespConnection(self.server.port, timeout=30)
        self.addCleanup(reader.close)
        reader.call("HELLO", "3")
        self.assertEqual(reader.call("CLIENT", "TRACKING", "on"), "OK")
        c.call("SET", "cached", "x")
        self.assertEqual(reader.call("GET", "cached"), b"x")
        write_keys(c, "k", 3 * LIMIT_HEADROOM // 1024)
        self.assertEqual(c.call("EXISTS", "cached"), 0)
        push = reader.read_reply()
        self.assertEqual(push, [b"invalidate", [b"cached"]])


class AccessIntrospectionFollowsThePolicy(EvictionTestCase):
    def test_object_freq_under_lfu_and_idletime_under_lru(self):
        server = StashdProcess("--maxmemory-policy", "allkeys-lfu")
        self.addCleanup(server.stop)
        with RespConnection(server.port) as c:
            c.call("SET", "hot", "1")
            c.call("SET", "cold", "1")
            self.assertEqual(c.call("OBJECT", "FREQ", "cold"), 5)  # new keys start at 5
            for _ in range(2000):
                c.call("GET", "hot")
            self.assertGreater(c.call("OBJECT", "FREQ", "hot"), 10)
            self.assertRegex(error_of(c, "OBJECT", "IDLETIME", "hot"), "An LFU maxmemory policy is selected")
            self.assertEqual(c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru"), "OK")
            self.assertRegex(error_of(c, "OBJECT", "FREQ", "hot"), "An LFU maxmemory policy is not selected")
            c.call("GET", "hot")
            self.assertEqual(c.call("OBJECT", "IDLETIME", "hot"), 0)

    def test_config_names_values_and_units(self):
        server = StashdProcess()
        self.addCleanup(server.stop)
        with RespConnection(server.port) as c:
            self.assertEqual(c.call("CONFIG", "GET", "maxmemory-policy"),
                             [b"maxmemory-policy", b"noeviction"])
            self.assertEqual(c.call("CONFIG", "SET", "maxmemory", "100mb"), "OK")
            self.assertEqual(c.call("CONFIG", "GET", "maxmemory"),
                             [b"maxmemory", str(100 << 20).encode()])
            self.assertEqual(info(c, "memory")["maxmemory_human"], "100.00M")
            self.assertRegex(error_of(c, "CONFIG", "SET", "maxmemory-policy", "allkeys-fifo"), "argument\\(s\\) must be one of the following")
            self.assertRegex(error_of(c, "CONFIG", "SET", "maxmemory-samples", "0"), "must be between 1 and 64")
            self.assertEqual(c.call("CONFIG", "SET", "maxmemory-policy", "ALLKEYS-WTINYLFU"), "OK")
            self.assertEqual(info(c, "memory")["maxmemory_policy"], "allkeys-wtinylfu")


class LoweringTheLimitOnAFullNode(EvictionTestCase):
    def test_eviction_continues_in_the_background_without_long_pauses(self):
        server = StashdProcess("--maxmemory-policy", "allkeys-lru")
        self.addCleanup(server.stop)
        c = RespConnection(server.port, timeout=60)
        self.addCleanup(c.close)
        n = 300000
        for start in range(0, n, 10000):
            c.send(b"".join(encode_command("SET", f"k:{i}", "x" * 100)
                            for i in range(start, start + 10000)))
            for _ in range(10000):
                c.read_reply()
        target = used_memory(c) // 10
        self.assertEqual(c.call("CONFIG", "SET", "maxmemory", str(target)), "OK")
        worst = 0.0
        deadline = time.monotonic() + 30
        while used_memory(c) > target and time.monotonic() < deadline:
            t0 = time.monotonic()
            self.assertEqual(c.call("PING"), "PONG")
            worst = max(worst, time.monotonic() - t0)
        self.assertLessEqual(used_memory(c), target)
        # Slices are 1 ms; a generous bound for a loaded CI machine.
        self.assertLess(worst, 0.25, f"worst PING round trip {worst * 1000:.1f} ms")
        self.assertLess(int(c.call("DBSIZE")), n // 5)


class BigValuesAreFreedInTheBackground(EvictionTestCase):
    def test_unlink_and_lazy_eviction_of_a_big_set(self):
        server = StashdProcess("--maxmemory-policy", "allkeys-lru", "--lazyfree-lazy-eviction",
                               "yes")
        self.addCleanup(server.stop)
        with RespConnection(server.port, timeout=60) as c:
            for key in ("big1", "big2"):
                for start in range(0, 200000, 10000):
                    c.call("SADD", key, *[f"member:{i}" for i in range(start, start + 10000)])
            self.assertEqual(c.call("UNLINK", "big1"), 1)
            self.assertEqual(c.call("EXISTS", "big1"), 0)
            wait_until(lambda: int(info(c, "memory")["lazyfreed_objects"]) >= 1,
                       message="UNLINKed set freed in the background")
            c.call("CONFIG", "SET", "maxmemory", str(used_memory(c) // 2))
            wait_until(lambda: c.call("EXISTS", "big2") == 0, message="big set evicted")
            wait_until(lambda: int(info(c, "memory")["lazyfreed_objects"]) >= 2,
                       message="evicted set freed in the background")
            self.assertEqual(info(c, "memory")["lazyfree_pending_objects"], "0")


if __name__ == "__main__":
    unittest.main()
