"""Blocking list commands against the real server with several concurrent clients: FIFO service,
sub-second timeouts, wake-up by a push inside MULTI, and a blocked client that disconnects."""
import socket
import threading
import time
import unittest

from stashd_fixture import StashdTestCase, wait_until


class BlockingCommands(StashdTestCase):
    def blocked_clients(self):
        return int(self.r.info("clients")["blocked_clients"])

    def start_blpop(self, results, name, key="q", timeout=10):
        client = self.server.client(decode_responses=True)

        def run():
            results[name] = client.blpop([key], timeout=timeout)
            client.close()

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    def test_clients_are_served_first_come_first_served(self):
        results = {}
        first = self.start_blpop(results, "first")
        wait_until(lambda: self.blocked_clients() == 1, message="first client blocked")
        second = self.start_blpop(results, "second")
        wait_until(lambda: self.blocked_clients() == 2, message="second client blocked")
        self.r.rpush("q", "a", "b")
        first.join(10)
        second.join(10)
        self.assertEqual(results, {"first": ("q", "a"), "second": ("q", "b")})
        self.assertEqual(self.r.llen("q"), 0)

    def test_timeout_has_sub_second_precision(self):
        start = time.monotonic()
        self.assertIsNone(self.r.blpop(["nothing"], timeout=0.2))
        elapsed = time.monotonic() - start
        self.assertGreaterEqual(elapsed, 0.19)
        self.assertLess(elapsed, 1.0)

    def test_push_inside_multi_wakes_the_client_after_exec(self):
        results = {}
        waiter = self.start_blpop(results, "w")
        wait_until(lambda: self.blocked_clients() == 1, message="client blocked")
        pipe = self.r.pipeline(transaction=True)
        pipe.rpush("q", "x", "y")
        pipe.execute()
        waiter.join(10)
        self.assertEqual(results["w"], ("q", "x"))
        self.assertEqual(self.r.lrange("q", 0, -1), ["y"])

    def test_disconnected_blocked_client_does_not_take_an_element(self):
        sock = socket.create_connection(("127.0.0.1", self.server.port))
        sock.sendall(b"*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n")
        wait_until(lambda: self.blocked_clients() == 1, message="raw client blocked")
        sock.close()
        wait_until(lambda: self.blocked_clients() == 0, message="disconnect noticed")
        self.r.rpush("q", "kept")
        self.assertEqual(self.r.lrange("q", 0, -1), ["kept"])

    def test_commands_pipelined_after_a_blocking_one_wait_for_it(self):
        sock = socket.create_connection(("127.0.0.1", self.server.port))
        sock.sendall(b"*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n*1\r\n$4\r\nPING\r\n")
        wait_until(lambda: self.blocked_clients() == 1, message="raw client blocked")
        self.r.rpush("q", "v")
        expected = b"*2\r\n$1\r\nq\r\n$1\r\nv\r\n+PONG\r\n"
        data = b""
        sock.settimeout(5)
        while len(data) < len(expected):
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
        sock.close()
        self.assertEqual(data, expected)


if __name__ == "__main__":
    unittest.main()
