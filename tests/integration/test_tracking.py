"""Client-side caching against the real server: a RESP3 connection with CLIENT TRACKING receives
invalidation pushes when another client (python3-redis) writes, a key expires, or the database is
flushed; BCAST follows prefixes; REDIRECT delivers to a RESP2 subscriber."""
import unittest

from stashd_fixture import RespConnection, StashdTestCase, wait_until


class ClientSideCaching(StashdTestCase):
    def resp3_tracking(self, *options):
        c = RespConnection(self.server.port)
        self.assertIsInstance(c.call("HELLO", "3"), dict)
        self.assertEqual(c.call("CLIENT", "TRACKING", "on", *options), "OK")
        return c

    def test_write_from_another_client_invalidates_a_read_key(self):
        with self.resp3_tracking() as c:
            self.r.set("user:1", "alice")
            self.assertEqual(c.call("GET", "user:1"), b"alice")
            self.r.set("user:1", "bob")
            self.assertEqual(c.read_reply(), [b"invalidate", [b"user:1"]])

    def test_expiry_and_flushall_invalidate(self):
        with self.resp3_tracking() as c:
            self.r.set("session", "x", px=50)
            self.assertEqual(c.call("GET", "session"), b"x")
            # Active expiry removes the key without any client touching it.
            self.assertEqual(c.read_reply(), [b"invalidate", [b"session"]])
            self.r.flushall()
            self.assertEqual(c.read_reply(), [b"invalidate", None])

    def test_broadcast_mode_reports_every_key_under_a_prefix(self):
        with self.resp3_tracking("BCAST", "PREFIX", "cfg:") as c:
            self.r.set("other", "1")
            self.r.set("cfg:a", "1")
            self.assertEqual(c.read_reply(), [b"invalidate", [b"cfg:a"]])

    def test_redirect_to_a_resp2_subscriber(self):
        pubsub = self.server.client(decode_responses=True).pubsub()
        pubsub.subscribe("__redis__:invalidate")
        wait_until(lambda: self.r.pubsub_numsub("__redis__:invalidate")[0][1] == 1,
                   message="subscription")
        # The pub/sub connection is the one client with a subscription.
        ids = [c["id"] for c in self.r.client_list() if c.get("sub") == "1"]
        self.assertEqual(len(ids), 1)
        with RespConnection(self.server.port) as c:
            self.assertEqual(c.call("CLIENT", "TRACKING", "on", "REDIRECT", ids[0]), "OK")
            self.assertIsNone(c.call("GET", "k"))
            self.r.set("k", "v")
            message = wait_until(
                lambda: pubsub.get_message(ignore_subscribe_messages=True, timeout=0.05),
                message="invalidation message")
            self.assertEqual(message["channel"], "__redis__:invalidate")
            self.assertEqual(message["data"], ["k"])
        pubsub.close()

if __name__ == "__main__":
    unittest.main()
