"""Owns: key expiry end to end: 100k keys with millisecond TTLs are never gone before their
deadline, are all reclaimed after it (active expiry), are counted in INFO expired_keys, and an
expired key is never visible through any command even with active expiry disabled."""
import threading
import time
import unittest

from stashd_fixture import RespConnection, StashdTestCase, encode_command, wait_until

N = 100000
MARGIN_S = 0.3  # a key whose deadline is this far in the future must still be there


def ttl_ms(i):
    """A deterministic spread of TTLs over 100..1500 ms."""
    return 100 + (i * 7919) % 1401


def info_field(conn, section, name):
    for line in conn.call("INFO", section).decode().splitlines():
        if line.startswith(name + ":"):
            return line.split(":", 1)[1]
    raise AssertionError(f"INFO {section} has no {name}")


class ExpiryOfManyKeys(StashdTestCase):
    def test_100k_keys_expire_on_time_never_early_and_are_counted(self):
        keys = [f"exp:{i}" for i in range(N)]
        ttls = [ttl_ms(i) for i in range(N)]
        data = b"".join(encode_command("SET", k, "v", "PX", t) for k, t in zip(keys, ttls))
        with RespConnection(self.server.port, timeout=60) as c:
            self.assertEqual(c.call("CONFIG", "RESETSTAT"), "OK")
            t0 = time.monotonic()  # every key's deadline is at least t0 + its TTL
            sender = threading.Thread(target=c.send, args=(data,))
            sender.start()
            self.assertEqual(c.read_exactly(5 * N), b"+OK\r\n" * N)
            sender.join(60)

            def alive_candidates():
                """Keys whose deadline is still at least MARGIN_S away."""
                elapsed_ms = (time.monotonic() - t0 + MARGIN_S) * 1000
                return [k for k, t in zip(keys, ttls) if t > elapsed_ms]

            # Right after loading, every key not yet due must be present.
            early = alive_candidates()
            self.assertGreater(len(early), 1000,
                               "loading took too long for the early check to mean anything")
            self.assertEqual(c.call("EXISTS", *early), len(early), "keys gone before deadline")

            # Wait for the short-TTL keys to disappear; the long ones must all still be there.
            short = [k for k, t in zip(keys, ttls) if t <= 400]
            wait_until(lambda: c.call("EXISTS", *short) == 0, timeout=20, interval=0.02,
                       message="keys with TTL <= 400 ms to expire")
            late = alive_candidates()
            self.assertEqual(c.call("EXISTS", *late), len(late), "long-TTL keys gone early")

            # Active expiry reclaims the rest without any access.
            wait_until(lambda: c.call("DBSIZE") == 0, timeout=30, interval=0.05,
                       message="DBSIZE to reach 0 after every deadline")
            self.assertGreaterEqual(time.monotonic() - t0, 1.5 - 0.05)
            self.assertEqual(int(info_field(c, "stats", "expired_keys")), N)
            self.assertNotIn("db0:", c.call("INFO", "keyspace").decode())

    def test_overwrite_and_persist_remove_the_deadline(self):
        self.r.set("overwritten", "v", px=100)
        self.r.set("overwritten", "w")
        self.r.set("persisted", "v", px=100)
        self.assertTrue(self.r.persist("persisted"))
        self.r.set("extended", "v", px=100)
        self.r.pexpire("extended", 100000)
        self.r.set("sentinel", "v", px=150)
        wait_until(lambda: self.r.dbsize() == 3, timeout=10, message="sentinel to be reclaimed")
        self.assertEqual(self.r.get("overwritten"), "w")
        self.assertEqual(self.r.ttl("overwritten"), -1)
        self.assertEqual(self.r.get("persisted"), "v")
        self.assertEqual(self.r.get("extended"), "v")
        self.assertGreater(self.r.pttl("extended"), 90000)

    def test_shortened_ttl_expires_at_the_new_deadline(self):
        self.r.set("k", "v", ex=1000)
        self.r.pexpire("k", 50)
        wait_until(lambda: self.r.dbsize() == 0, timeout=10, message="shortened key to go")


class ExpiredKeysAreInvisibleWithoutActiveExpiry(StashdTestCase):
    COUNT = 1000

    def setUp(self):
        super().setUp()
        self.assertEqual(self.r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "0"), "OK")

    def tearDown(self):
        self.r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "1")
        super().tearDown()

    def load_expired(self, prefix="gone"):
        """Sets COUNT keys with PX 50 and returns once all their deadlines have passed."""
        p = self.r.pipeline(transaction=False)
        start = time.monotonic()
        for i in range(self.COUNT):
            p.set(f"{prefix}:{i}", "value", px=50)
        p.execute()
        # Waiting for wall-clock time itself (the deadlines) is the condition here.
        while time.monotonic() - start < 0.2:
            time.sleep(0.02)
        return [f"{prefix}:{i}" for i in range(self.COUNT)]

    def test_get_never_returns_an_expired_key(self):
        keys = self.load_expired()
        self.assertEqual(self.r.dbsize(), self.COUNT,
                         "keys were reclaimed although DEBUG SET-ACTIVE-EXPIRE 0 was sent")
        self.assertEqual(self.r.mget(keys[:500]), [None] * 500)
        for k in keys[500:]:
            self.assertIsNone(self.r.get(k), k)
        self.assertEqual(self.r.dbsize(), 0, "reading expired keys did not delete them")

    def test_no_command_sees_an_expired_key(self):
        self.load_expired()
        r = self.r
        self.assertEqual(r.exists("gone:0", "gone:1"), 0)
        self.assertEqual(r.ttl("gone:2"), -2)
        self.assertEqual(r.pttl("gone:3"), -2)
        self.assertEqual(r.type("gone:4"), "none")
        self.assertEqual(r.strlen("gone:5"), 0)
        self.assertEqual(r.getrange("gone:6", 0, -1), "")
        self.assertIsNone(r.getdel("gone:7"))
        self.assertIsNone(r.getex("gone:8", persist=True))
        self.assertIsNone(r.object("encoding", "gone:9"))
        self.assertEqual(r.incr("gone:10"), 1)
        self.assertEqual(r.append("gone:11", "x"), 1)
        self.assertEqual(r.setrange("gone:12", 1, "y"), 2)
        self.assertEqual(r.getbit("gone:13", 3), 0)
        self.assertEqual(r.bitcount("gone:14"), 0)
        self.assertIsNone(r.set("gone:15", "new", xx=True))
        self.assertTrue(r.set("gone:16", "new", nx=True))
        self.assertIsNone(r.set("gone:17", "new", get=True))
        self.assertEqual(r.ttl("gone:17"), -1)
        self.assertFalse(r.persist("gone:18"))
        self.assertFalse(r.expire("gone:19", 100))
        self.assertEqual(r.touch("gone:20"), 0)
        self.assertFalse(r.copy("gone:21", "copy"))
        self.assertFalse(r.move("gone:22", 1))
        with self.assertRaisesRegex(Exception, "no such key"):
            r.rename("gone:23", "renamed")
        self.assertEqual(r.execute_command("EXPIRETIME", "gone:24"), -2)
        self.assertEqual(r.lcs("gone:25", "gone:26"), "")
        visible = {"gone:10", "gone:11", "gone:12", "gone:16", "gone:17"}
        self.assertEqual(set(r.keys("*")), visible)
        self.assertEqual(set(r.scan_iter(count=100)), visible)
        for _ in range(50):
            self.assertIn(r.randomkey(), visible)

    def test_randomkey_is_nil_when_every_key_has_expired(self):
        self.load_expired()
        self.assertIsNone(self.r.randomkey())
        self.assertEqual(self.r.dbsize(), 0)

    def test_reenabling_active_expiry_reclaims_them(self):
        self.load_expired()
        self.assertEqual(self.r.dbsize(), self.COUNT)
        self.r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "1")
        wait_until(lambda: self.r.dbsize() == 0, timeout=20, message="active expiry")


if __name__ == "__main__":
    unittest.main()
