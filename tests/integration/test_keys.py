"""Owns: the generic key commands end to end (DEL UNLINK EXISTS TYPE KEYS SCAN RANDOMKEY RENAME
RENAMENX COPY MOVE SWAPDB, the EXPIRE family, TTL PTTL EXPIRETIME PEXPIRETIME PERSIST TOUCH OBJECT),
differential against Debian's redis-server where the reply is deterministic."""
import random
import time
import unittest

from stashd_fixture import DifferentialTestCase, reply_or_error, wait_until

FAR_FUTURE_S = 4102444800
FAR_FUTURE_MS = FAR_FUTURE_S * 1000 + 7


class KeyCommandsMatchRedis(DifferentialTestCase):
    def test_del_unlink_exists_type(self):
        self.same_all([
            ("MSET", "a", "1", "b", "2", "c", "3", "d", "4"),
            ("EXISTS", "a", "a", "missing", "b"),
            ("DEL", "a", "missing", "a"),
            ("EXISTS", "a"),
            ("UNLINK", "b", "c", "nope"),
            ("EXISTS", "b", "c", "d"),
            ("TYPE", "d"),
            ("TYPE", "missing"),
            ("DEL",),
            ("EXISTS",),
            ("TYPE",),
            ("DEL", "d"),
            ("DBSIZE",),
        ])

    def test_keys_patterns(self):
        keys = ["hello", "hallo", "hxllo", "hllo", "heeeello", "h*llo", "h?llo", "x", "h[a]llo",
                "user:1", "user:22", "user:333", "a\\b", ""]
        for k in keys:
            self.both("SET", k, "v")
        for pattern in ["*", "h?llo", "h*llo", "h[ae]llo", "h[^e]llo", "h[a-b]llo", "h\\*llo",
                        "h\\?llo", "user:?", "user:*", "*:*3*", "nomatch*", "", "h[a", "a\\\\b",
                        "[", "h[!e]llo", "H*"]:
            with self.subTest(pattern=pattern):
                self.same_sorted("KEYS", pattern)

    def test_randomkey(self):
        self.same("RANDOMKEY")
        self.both("SET", "only", "1")
        self.same("RANDOMKEY")
        names = {f"k{i}".encode() for i in range(50)}
        for n in names:
            self.s.execute_command("SET", n, "v")
        seen = set()
        for _ in range(300):
            k = self.s.execute_command("RANDOMKEY")
            self.assertIn(k, names | {b"only"})
            seen.add(k)
        self.assertGreater(len(seen), 10, "RANDOMKEY keeps returning the same few keys")

    def test_rename_renamenx(self):
        self.same_all([
            ("SET", "a", "1", "EX", "100"),
            ("RENAME", "a", "b"),
            ("EXISTS", "a"),
            ("GET", "b"),
            ("TTL", "b"),
            ("RENAME", "missing", "x"),
            ("RENAMENX", "missing", "x"),
            ("RENAME", "b", "b"),
            ("RENAMENX", "b", "b"),
            ("SET", "c", "3"),
            ("RENAMENX", "b", "c"),
            ("GET", "c"),
            ("RENAMENX", "b", "d"),
            ("TTL", "d"),
            ("SET", "e", "5", "EX", "100"),
            ("RENAME", "c", "e"),
            ("TTL", "e"),
            ("GET", "e"),
            ("RENAME", "e"),
        ])

    def test_copy(self):
        self.same_all([
            ("SET", "src", "v", "PXAT", FAR_FUTURE_MS),
            ("COPY", "src", "dst"),
            ("GET", "dst"),
            ("PEXPIRETIME", "dst"),
            ("SET", "src", "w"),
            ("COPY", "src", "dst"),
            ("GET", "dst"),
            ("COPY", "src", "dst", "REPLACE"),
            ("GET", "dst"),
            ("PEXPIRETIME", "dst"),
            ("COPY", "src", "src"),
            ("COPY", "missing", "x"),
            ("COPY", "src", "other", "DB", "3"),
            ("COPY", "src", "other", "DB", "3"),
            ("COPY", "src", "other", "DB", "3", "REPLACE"),
            ("COPY", "src", "src", "DB", "3", "REPLACE"),
            ("COPY", "src", "x", "DB", "16"),
            ("COPY", "src", "x", "DB", "-1"),
            ("COPY", "src", "x", "DB", "abc"),
            ("COPY", "src", "x", "FOO"),
            ("SET", "n", "12345"),
            ("COPY", "n", "n2"),
            ("INCR", "n2"),
            ("GET", "n"),
            ("SELECT", "3"),
            ("GET", "other"),
            ("DBSIZE",),
            ("SELECT", "0"),
        ])

    def test_move_and_select(self):
        self.same_all([
            ("SET", "k", "v", "EXAT", FAR_FUTURE_S),
            ("MOVE", "k", "1"),
            ("EXISTS", "k"),
            ("MOVE", "k", "1"),
            ("SELECT", "1"),
            ("GET", "k"),
            ("EXPIRETIME", "k"),
            ("MOVE", "k", "1"),
            ("SET", "j", "in1"),
            ("SELECT", "0"),
            ("SET", "j", "in0"),
            ("MOVE", "j", "1"),
            ("GET", "j"),
            ("MOVE", "j", "16"),
            ("MOVE", "j", "-1"),
            ("MOVE", "j", "x"),
            ("SELECT", "16"),
            ("SELECT", "-1"),
            ("SELECT", "abc"),
            ("DBSIZE",),
        ])

    def test_swapdb(self):
        self.same_all([
            ("SET", "zero", "0"),
            ("SELECT", "1"),
            ("SET", "one", "1"),
            ("SET", "one2", "1", "EXAT", FAR_FUTURE_S),
            ("SWAPDB", "0", "1"),
            ("DBSIZE",),
            ("GET", "zero"),
            ("SELECT", "0"),
            ("DBSIZE",),
            ("EXPIRETIME", "one2"),
            ("SWAPDB", "0", "0"),
            ("SWAPDB", "0", "16"),
            ("SWAPDB", "-1", "0"),
            ("SWAPDB", "a", "0"),
            ("SWAPDB", "0", "b"),
            ("SWAPDB", "0"),
        ])

    def test_expire_family_and_ttl(self):
        self.same_all([
            ("SET", "k", "v"),
            ("TTL", "k"),
            ("PTTL", "k"),
            ("EXPIRETIME", "k"),
            ("PEXPIRETIME", "k"),
            ("TTL", "missing"),
            ("PTTL", "missing"),
            ("EXPIRETIME", "missing"),
            ("PEXPIRETIME", "missing"),
            ("EXPIRE", "missing", "100"),
            ("EXPIRE", "k", "100"),
            ("TTL", "k"),
            ("PEXPIRE", "k", "200000"),
            ("TTL", "k"),
            ("EXPIREAT", "k", FAR_FUTURE_S),
            ("EXPIRETIME", "k"),
            ("PEXPIRETIME", "k"),
            ("PEXPIREAT", "k", FAR_FUTURE_MS),
            ("PEXPIRETIME", "k"),
            ("EXPIRETIME", "k"),
            ("PERSIST", "k"),
            ("PERSIST", "k"),
            ("PERSIST", "missing"),
            ("TTL", "k"),
            ("EXPIRE", "k", "abc"),
            ("EXPIRE", "k", "1.5"),
            ("EXPIRE", "k", "9223372036854775807"),
            ("PEXPIRE", "k", "9223372036854775807"),
            ("EXPIREAT", "k", "9223372036854775807"),
            ("EXPIRE", "k", "-9223372036854775808"),
            ("EXPIRE", "k", "100", "FOO"),
            ("EXPIRE", "k", "9223372036854775"),
            ("EXPIRE", "k", "9223372036854776"),
            ("PEXPIRE", "k", "9223372036854775000"),
            ("EXPIREAT", "k", "9223372036854775"),
            ("PEXPIREAT", "k", "9223372036854775807"),
            ("PEXPIREAT", "k", "-9223372036854775808"),
            ("EXPIRE", "k"),
            ("TTL", "k"),
        ])
        self.same_all([
            ("SET", "gone", "v"),
            ("EXPIRE", "gone", "-1"),
            ("EXISTS", "gone"),
            ("SET", "gone", "v"),
            ("PEXPIRE", "gone", "0"),
            ("EXISTS", "gone"),
            ("SET", "gone", "v"),
            ("EXPIREAT", "gone", "1000"),
            ("EXISTS", "gone"),
            ("SET", "gone", "v"),
            ("PEXPIREAT", "gone", "1"),
            ("GET", "gone"),
        ])

    def test_expire_nx_xx_gt_lt(self):
        self.same_all([
            ("SET", "k", "v"),
            ("EXPIRE", "k", "100", "XX"),
            ("EXPIRE", "k", "100", "GT"),
            ("TTL", "k"),
            ("EXPIRE", "k", "100", "LT"),
            ("TTL", "k"),
            ("EXPIRE", "k", "200", "NX"),
            ("TTL", "k"),
            ("EXPIRE", "k", "300", "XX"),
            ("TTL", "k"),
            ("EXPIRE", "k", "200", "GT"),
            ("EXPIRE", "k", "400", "GT"),
            ("TTL", "k"),
            ("EXPIRE", "k", "500", "LT"),
            ("EXPIRE", "k", "50", "LT"),
            ("TTL", "k"),
            ("EXPIRE", "k", "60", "nx"),
            ("PEXPIRE", "k", "70000", "XX", "GT"),
            ("TTL", "k"),
            ("EXPIREAT", "k", FAR_FUTURE_S, "LT"),
            ("PEXPIREAT", "k", FAR_FUTURE_MS, "GT"),
            ("PEXPIRETIME", "k"),
            ("PERSIST", "k"),
            ("EXPIRE", "k", "100", "GT"),
            ("TTL", "k"),
            ("EXPIRE", "k", "100", "NX", "XX"),
            ("EXPIRE", "k", "100", "GT", "LT"),
            ("EXPIRE", "k", "100", "NX", "GT"),
            ("EXPIRE", "k", "100", "NX", "LT"),
            ("EXPIRE", "k", "100", "XX", "XX"),
            ("EXPIRE", "k", "-1", "GT"),
            ("EXISTS", "k"),
            ("EXPIRE", "k", "-1", "LT"),
            ("EXISTS", "k"),
            ("EXPIRE", "missing", "100", "XX"),
            ("EXPIRE", "missing", "100", "NX"),
        ])

    def test_ttl_and_pttl_values(self):
        self.both("SET", "k", "v", "PX", "100000")
        for r in (self.s, self.ref):
            self.assertEqual(r.execute_command("TTL", "k"), 100)
            pttl = r.execute_command("PTTL", "k")
            self.assertTrue(98000 <= pttl <= 100000, pttl)
            now_ms = int(time.time() * 1000)
            pexp = r.execute_command("PEXPIRETIME", "k")
            self.assertTrue(now_ms + 98000 <= pexp <= now_ms + 101000, pexp)
            self.assertEqual(r.execute_command("EXPIRETIME", "k"), (pexp + 500) // 1000)

    def test_touch(self):
        self.same_all([
            ("MSET", "a", "1", "b", "2"),
            ("TOUCH", "a", "b", "missing", "a"),
            ("TOUCH", "missing"),
            ("TOUCH",),
        ])

    def test_object_encoding_refcount_help(self):
        self.same_all([
            ("SET", "int", "12345"),
            ("SET", "negint", "-42"),
            ("SET", "bigint", "9223372036854775807"),
            ("SET", "toobig", "99999999999999999999"),
            ("SET", "lead0", "0123"),
            ("SET", "short", "hello"),
            ("SET", "edge44", "x" * 44),
            ("SET", "edge45", "x" * 45),
            ("SET", "long", "y" * 1000),
            ("OBJECT", "ENCODING", "int"),
            ("OBJECT", "ENCODING", "negint"),
            ("OBJECT", "ENCODING", "bigint"),
            ("OBJECT", "ENCODING", "toobig"),
            ("OBJECT", "ENCODING", "lead0"),
            ("OBJECT", "ENCODING", "short"),
            ("OBJECT", "ENCODING", "edge44"),
            ("OBJECT", "ENCODING", "edge45"),
            ("OBJECT", "ENCODING", "long"),
            ("OBJECT", "ENCODING", "missing"),
            ("APPEND", "short", "!"),
            ("OBJECT", "ENCODING", "short"),
            ("INCR", "lead0"),
            ("SET", "counter", "10"),
            ("INCR", "counter"),
            ("OBJECT", "ENCODING", "counter"),
            ("SET", "minus0", "-0"),
            ("OBJECT", "ENCODING", "minus0"),
            ("SET", "space", " 1"),
            ("OBJECT", "ENCODING", "space"),
            ("SETRANGE", "counter", "0", "9"),
            ("OBJECT", "ENCODING", "counter"),
            ("SET", "f", "1.5"),
            ("OBJECT", "ENCODING", "f"),
            ("INCRBYFLOAT", "f", "1"),
            ("OBJECT", "ENCODING", "f"),
            ("SETBIT", "bits", "1", "1"),
            ("OBJECT", "ENCODING", "bits"),
            ("OBJECT", "REFCOUNT", "short"),
            ("OBJECT", "REFCOUNT", "missing"),
            ("OBJECT", "IDLETIME", "missing"),
            ("OBJECT", "FREQ", "short"),
            ("OBJECT", "NOSUCH", "short"),
            ("OBJECT", "ENCODING"),
        ])
        help_reply = self.s.execute_command("OBJECT", "HELP")
        self.assertIsInstance(help_reply, list)
        self.assertTrue(any(b"ENCODING" in line for line in help_reply), help_reply)

    def test_object_idletime_grows_and_is_reset_by_access(self):
        self.s.execute_command("SET", "k", "v")
        self.assertEqual(self.s.execute_command("OBJECT", "IDLETIME", "k"), 0)
        wait_until(lambda: self.s.execute_command("OBJECT", "IDLETIME", "k") >= 1, timeout=10,
                   interval=0.1, message="OBJECT IDLETIME to reach 1 second")
        # OBJECT itself and TYPE/TTL do not touch the key; GET does.
        self.s.execute_command("TTL", "k")
        self.assertGreaterEqual(self.s.execute_command("OBJECT", "IDLETIME", "k"), 1)
        self.s.execute_command("GET", "k")
        self.assertEqual(self.s.execute_command("OBJECT", "IDLETIME", "k"), 0)

    def test_type_and_scan_type_of_collections(self):
        makers = {"list": ("RPUSH", "list", "a"), "hash": ("HSET", "hash", "f", "v"),
                  "set": ("SADD", "set", "m"), "zset": ("ZADD", "zset", "1", "m")}
        # Redis 7.0 names; 7.2+ also reports listpack for small lists.
        encodings = {"list": {b"quicklist", b"listpack"}, "hash": {b"listpack", b"hashtable"},
                     "set": {b"intset", b"listpack", b"hashtable"},
                     "zset": {b"listpack", b"skiplist"}}
        made = []
        for name, cmd in makers.items():
            if isinstance(reply_or_error(self.s, *cmd), tuple):
                continue  # that family is not in stashd yet
            self.ref.execute_command(*cmd)
            made.append(name)
            self.same("TYPE", name)
            self.assertIn(self.s.execute_command("OBJECT", "ENCODING", name), encodings[name])
            self.assertEqual(_scan_all(self.s, "TYPE", name), [name])
            self.same("COPY", name, name + "-copy")
            self.same("TYPE", name + "-copy")
            self.same("RENAME", name + "-copy", name + "-renamed")
            self.same("MOVE", name + "-renamed", "1")
        if not made:
            self.skipTest("stashd has no collection types yet")
        self.same_sorted("KEYS", "*")


class ScanMatchesRedis(DifferentialTestCase):
    def test_scan_arguments_and_errors(self):
        self.same_all([
            ("SCAN", "0"),
            ("SCAN", "0", "COUNT", "0"),
            ("SCAN", "0", "COUNT", "-1"),
            ("SCAN", "0", "COUNT", "x"),
            ("SCAN", "abc"),
            ("SCAN", "-1"),
            ("SCAN", "0", "MATCH"),
            ("SCAN", "0", "FOO", "bar"),
            ("SCAN",),
            ("SCAN", "0", "TYPE", "string", "MATCH", "*", "COUNT", "10"),
            ("SCAN", "18446744073709551616"),
            ("SCAN", "0", "COUNT", "10", "COUNT", "20"),
        ])

    def test_full_scan_returns_every_key_with_match_count_and_type(self):
        names = [f"key:{i}" for i in range(3000)]
        for r in (self.s, self.ref):
            p = r.pipeline(transaction=False)
            for n in names:
                p.execute_command("SET", n, "v")
            p.execute()
        for count in (1, 10, 1000):
            self.assertEqual(sorted(_scan_all(self.s, "COUNT", count)), sorted(names))
        self.assertEqual(sorted(_scan_all(self.s, "MATCH", "key:1??", "COUNT", 50)),
                         sorted(n for n in names if len(n) == 7 and n.startswith("key:1")))
        self.assertEqual(sorted(_scan_all(self.s, "TYPE", "string")), sorted(names))
        self.assertEqual(_scan_all(self.s, "TYPE", "list"), [])
        self.assertEqual(_scan_all(self.s, "TYPE", "nosuchtype"), [])
        self.assertEqual(sorted(_scan_all(self.s, "MATCH", "key:2*", "TYPE", "string")),
                         sorted(_scan_all(self.ref, "MATCH", "key:2*", "TYPE", "string")))

    def test_scan_with_an_empty_pattern_matches_only_the_empty_key(self):
        for k in ("a", "b", "c"):
            self.both("SET", k, "v")
        self.assertEqual(_scan_all(self.s, "MATCH", ""), _scan_all(self.ref, "MATCH", ""))
        self.both("SET", "", "empty")
        self.assertEqual(_scan_all(self.s, "MATCH", ""), [""])

    def test_scan_during_growth_and_deletes_returns_every_stable_key(self):
        stable = {f"stable:{i}" for i in range(2000)}
        volatile = [f"vol:{i}" for i in range(2000)]
        p = self.s.pipeline(transaction=False)
        for n in stable:
            p.execute_command("SET", n, "v")
        for n in volatile[:1000]:
            p.execute_command("SET", n, "v")
        p.execute()
        rng = random.Random(7)
        seen = []
        cursor, rounds, extra = b"0", 0, 0
        start = time.monotonic()
        while True:
            cursor, batch = self.s.execute_command("SCAN", cursor, "COUNT", 20)
            seen.extend(k.decode() for k in batch)
            # Between calls, grow the table with fresh keys and delete some others.
            p = self.s.pipeline(transaction=False)
            for _ in range(40):
                p.execute_command("SET", f"grow:{extra}", "v")
                extra += 1
            for _ in range(10):
                p.execute_command("DEL", rng.choice(volatile))
            p.execute()
            rounds += 1
            if cursor == b"0":
                break
            self.assertLess(rounds, 100000, "SCAN did not finish")
            self.assertLess(time.monotonic() - start, 60, "SCAN took over 60s")
        seen_set = set(seen)
        self.assertEqual(stable - seen_set, set(), "keys present throughout but never returned")
        allowed = stable | set(volatile) | {f"grow:{i}" for i in range(extra)}
        self.assertEqual(seen_set - allowed, set(), "SCAN returned keys that never existed")

    def test_scan_in_another_db_only_sees_that_db(self):
        self.s.execute_command("SET", "in0", "v")
        self.s.execute_command("SELECT", "2")
        self.s.execute_command("SET", "in2", "v")
        self.assertEqual(_scan_all(self.s), ["in2"])
        self.s.execute_command("SELECT", "0")
        self.assertEqual(_scan_all(self.s), ["in0"])


def _scan_all(r, *options):
    keys, cursor = [], b"0"
    for _ in range(1000000):
        cursor, batch = r.execute_command("SCAN", cursor, *options)
        keys.extend(k.decode() for k in batch)
        if cursor in (b"0", 0, "0"):
            return keys
    raise AssertionError("SCAN did not return cursor 0")


if __name__ == "__main__":
    unittest.main()
