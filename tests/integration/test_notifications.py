"""Pub/sub and keyspace notifications against the real server with real subscribers (python3-redis):
channel and pattern delivery, RESP2 subscribed-mode rules, and expired events from active expiry."""
import unittest

from stashd_fixture import StashdTestCase, wait_until


def next_message(pubsub, timeout=5.0):
    return wait_until(lambda: pubsub.get_message(ignore_subscribe_messages=True, timeout=0.05),
                      timeout=timeout, message="a pub/sub message")


class PubSubAndNotifications(StashdTestCase):
    def test_publish_reaches_channel_and_pattern_subscribers(self):
        sub = self.server.client(decode_responses=True).pubsub()
        sub.subscribe("news")
        sub.psubscribe("n*")
        wait_until(lambda: self.r.pubsub_numsub("news")[0][1] == 1, message="subscription")
        self.assertEqual(self.r.publish("news", "hello"), 2)
        got = [next_message(sub), next_message(sub)]
        self.assertEqual({m["type"] for m in got}, {"message", "pmessage"})
        self.assertTrue(all(m["data"] == "hello" for m in got))
        self.assertEqual(self.r.pubsub_numpat(), 1)
        sub.close()

    def test_expired_keys_publish_expired_events(self):
        self.r.config_set("notify-keyspace-events", "Ex")
        sub = self.server.client(decode_responses=True).pubsub()
        sub.subscribe("__keyevent@0__:expired")
        wait_until(lambda: self.r.pubsub_numsub("__keyevent@0__:expired")[0][1] == 1,
                   message="subscription")
        self.r.set("soon", "v", px=50)
        message = next_message(sub)
        self.assertEqual(message["channel"], "__keyevent@0__:expired")
        self.assertEqual(message["data"], "soon")
        sub.close()
        self.r.config_set("notify-keyspace-events", "")

    def test_keyspace_channel_names_the_command_event(self):
        self.r.config_set("notify-keyspace-events", "KA")
        sub = self.server.client(decode_responses=True).pubsub()
        sub.psubscribe("__keyspace@0__:*")
        wait_until(lambda: self.r.pubsub_numpat() == 1, message="pattern subscription")
        self.r.rpush("mylist", "a")
        self.r.delete("mylist")
        events = [next_message(sub)["data"], next_message(sub)["data"]]
        self.assertEqual(events, ["rpush", "del"])
        sub.close()
        self.r.config_set("notify-keyspace-events", "")


if __name__ == "__main__":
    unittest.main()
