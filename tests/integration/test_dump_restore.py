"""Owns: DUMP and RESTORE end to end on a real stashd through redis-py: every type and encoding
round-trips to an equal value, TTL options (relative, ABSTTL, past deadlines), REPLACE, IDLETIME,
FREQ, and the errors for damaged payloads and bad arguments."""
import time
import unittest

import redis

from stashd_fixture import DifferentialTestCase, StashdProcess


def contents(r, key):
    """Type, encoding and full content of a key, comparable across keys."""
    kind = r.type(key)
    if kind == b"string":
        value = r.get(key)
    elif kind == b"list":
        value = r.lrange(key, 0, -1)
    elif kind == b"set":
        value = sorted(r.smembers(key))
    elif kind == b"hash":
        value = sorted(r.hgetall(key).items())
    elif kind == b"zset":
        value = r.zrange(key, 0, -1, withscores=True)
    else:
        value = None
    return kind, r.object("encoding", key), value


class DumpRestore(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = StashdProcess()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        self.r = self.server.client()
        self.r.flushall()
        self.r.config_set("maxmemory-policy", "noeviction")

    def tearDown(self):
        self.r.close()
        self.r.connection_pool.disconnect()

    def fill(self):
        r = self.r
        r.set("s:raw", b"hello world")
        r.set("s:int", 12345)
        r.set("s:empty", b"")
        r.set("s:bin", bytes(range(256)))
        r.set("s:big", b"x" * 200_000)
        r.set("s:noise", bytes((i * 7919 + (i >> 3)) % 251 for i in range(100_000)))
        r.rpush("l:small", "a", "1", "")
        r.rpush("l:big", *[f"e{i}" for i in range(3000)])
        r.sadd("set:ints", 1, 2, 3)
        r.sadd("set:small", "a", "b")
        r.sadd("set:big", *[f"m{i}" for i in range(1000)])
        r.hset("h:small", mapping={"f": "v", "n": "1"})
        r.hset("h:big", mapping={f"f{i}": f"v{i}" for i in range(500)})
        r.zadd("z:small", {"a": 1, "b": 2.5, "c": float("-inf")})
        r.zadd("z:big", {f"m{i}": i / 3 for i in range(500)})
        return [k.decode() for k in sorted(r.keys("*"))]

    def test_every_type_round_trips(self):
        for key in self.fill():
            with self.subTest(key=key):
                payload = self.r.dump(key)
                self.assertTrue(self.r.restore(key + ":copy", 0, payload))
                self.assertEqual(contents(self.r, key + ":copy"), contents(self.r, key))
                self.assertEqual(self.r.ttl(key + ":copy"), -1)

    def test_dump_of_missing_key_is_none(self):
        self.assertIsNone(self.r.dump("missing"))

    def test_ttl_relative_and_absolute(self):
        self.r.set("k", "v")
        payload = self.r.dump("k")
        self.r.restore("rel", 50_000, payload)
        self.assertTrue(49_000 < self.r.pttl("rel") <= 50_000)
        deadline = int(time.time() * 1000) + 60_000
        self.r.restore("abs", deadline, payload, absttl=True)
        self.assertTrue(58_000 < self.r.pttl("abs") <= 60_000)
        past = int(time.time() * 1000) - 1000
        self.assertTrue(self.r.restore("gone", past, payload, absttl=True))
        self.assertEqual(self.r.exists("gone"), 0)
        self.assertTrue(self.r.restore("k", past, payload, absttl=True, replace=True))
        self.assertEqual(self.r.exists("k"), 0)

    def test_replace(self):
        self.r.set("a", "new")
        self.r.rpush("b", "old")
        payload = self.r.dump("a")
        with self.assertRaisesRegex(redis.ResponseError, "^BUSYKEY Target key name already exists.$"):
            self.r.restore("b", 0, payload)
        self.r.restore("b", 0, payload, replace=True)
        self.assertEqual(self.r.get("b"), b"new")

    def test_idletime_and_freq(self):
        self.r.set("k", "v")
        payload = self.r.dump("k")
        self.r.restore("idle", 0, payload, idletime=500)
        self.assertTrue(500 <= self.r.object("idletime", "idle") <= 501)
        self.r.config_set("maxmemory-policy", "allkeys-lfu")
        self.r.restore("hot", 0, payload, frequency=123)
        self.assertEqual(self.r.object("freq", "hot"), 123)

    def test_damaged_payloads_and_bad_arguments(self):
        self.r.hset("h", mapping={"f": "v"})
        payload = self.r.dump("h")
        wrong = "^DUMP payload version or checksum are wrong$"
        corrupted = payload[:2] + bytes([payload[2] ^ 0x55]) + payload[3:]
        for bad in (corrupted, payload[:-1], b"", b"not a payload at all"):
            with self.assertRaisesRegex(redis.ResponseError, wrong):
                self.r.restore("x", 0, bad)
        cases = [
            (("x", -5, payload), "^Invalid TTL value, must be >= 0$"),
            (("x", 0, payload, "IDLETIME", -1), "^Invalid IDLETIME value, must be >= 0$"),
            (("x", 0, payload, "FREQ", 300), "^Invalid FREQ value, must be >= 0 and <= 255$"),
            (("x", 0, payload, "IDLETIME", 1, "FREQ", 1), "^syntax error$"),
            (("x", 0, payload, "BOGUS"), "^syntax error$"),
        ]
        for args, error in cases:
            with self.subTest(args=args[3:]), self.assertRaisesRegex(redis.ResponseError, error):
                self.r.execute_command("RESTORE", *args)
        self.assertEqual(self.r.exists("x"), 0)


class RestoreErrorsMatchRedis(DifferentialTestCase):
    """Payloads differ between the servers, so only replies that never reach a valid payload are
    compared: argument errors and the order in which RESTORE checks its arguments."""

    def test_argument_errors_and_their_order(self):
        self.both("SET", "taken", "v")
        self.same_all([
            ("DUMP", "missing"),
            ("RESTORE", "x", "0", "junk"),
            ("RESTORE", "x", "-1", "junk"),
            ("RESTORE", "x", "soon", "junk"),
            ("RESTORE", "taken", "-1", "junk"),
            ("RESTORE", "taken", "-1", "junk", "REPLACE"),
            ("RESTORE", "taken", "0", "junk", "BOGUS"),
            ("RESTORE", "x", "0", "junk", "IDLETIME"),
            ("RESTORE", "x", "0", "junk", "IDLETIME", "-1"),
            ("RESTORE", "x", "0", "junk", "IDLETIME", "abc"),
            ("RESTORE", "x", "0", "junk", "FREQ", "256"),
            ("RESTORE", "x", "0", "junk", "FREQ", "-1"),
            ("RESTORE", "x", "0", "junk", "IDLETIME", "1", "FREQ", "1"),
            ("RESTORE", "x", "0", "junk", "FREQ", "1", "IDLETIME", "1"),
            ("RESTORE", "x", "0", "junk", "ABSTTL", "REPLACE", "IDLETIME", "5"),
            ("RESTORE", "x", "0"),
            ("DUMP",),
            ("EXISTS", "x"),
        ])


if __name__ == "__main__":
    unittest.main(verbosity=2)
