"""Owns: the wire protocol end to end over raw sockets: RESP3 types after HELLO 3, inline commands,
frames split at every byte, deep pipelining, malformed frames, the query-buffer and output limits,
idle timeouts, maxclients and many concurrent connections. Byte-level replies are compared with
Debian's redis-server where Redis defines them."""
import resource
import socket
import threading
import time
import unittest

from stashd_fixture import (DifferentialTestCase, RespConnection, RespError, StashdProcess,
                            encode_command, vm_rss_bytes, wait_until)


def exchange(port, data, timeout=2.0):
    """Sends data on a fresh connection and returns (every byte received, whether the server
    closed the connection within timeout)."""
    with RespConnection(port) as c:
        c.send(data)
        closed = c.closed_by_server(timeout)
        return bytes(c.buf), closed


def reply_bytes_for(port, data, n_replies):
    """Sends data on a fresh connection and returns the raw bytes of the first n_replies replies."""
    with RespConnection(port) as c:
        c.send(data)
        return [c.read_reply_raw()[1] for _ in range(n_replies)]


class WireFormatMatchesRedis(DifferentialTestCase):
    REFERENCE_ARGS = ("--enable-debug-command", "yes")

    def same_bytes(self, data, n_replies):
        expected = reply_bytes_for(self.reference.port, data, n_replies)
        got = reply_bytes_for(self.server.port, data, n_replies)
        self.assertEqual(got, expected, f"replies to {data[:200]!r}")
        return got

    def test_resp3_replies_are_byte_identical(self):
        self.both("SET", "k", "v")
        self.both("SET", "n", "10")
        commands = [
            ("HELLO", "3"),
            ("GET", "missing"),
            ("GET", "k"),
            ("MGET", "k", "missing", "n"),
            ("SET", "k", "v2", "NX"),
            ("SET", "k", "v3", "GET"),
            ("SET", "k2", "v", "XX", "GET"),
            ("INCR", "n"),
            ("INCRBYFLOAT", "n", "1.5"),
            ("EXISTS", "k", "missing"),
            ("TTL", "missing"),
            ("GETEX", "missing"),
            ("GETDEL", "missing"),
            ("CONFIG", "GET", "hz"),
            ("CLIENT", "GETNAME"),
            ("OBJECT", "ENCODING", "missing"),
            ("COMMAND", "GETKEYS", "SET", "a", "b"),
            ("BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "10"),
            ("LCS", "k", "n", "IDX"),
            ("LCS", "k", "k", "IDX", "WITHMATCHLEN"),
            ("PING",),
            ("ECHO", "hi"),
            ("NOSUCHCOMMAND",),
            ("GET",),
            ("HELLO", "2"),
            ("GET", "missing"),
            ("CONFIG", "GET", "hz"),
        ]
        hello_index = 0
        data = b"".join(encode_command(*c) for c in commands)
        expected = reply_bytes_for(self.reference.port, data, len(commands))
        got = reply_bytes_for(self.server.port, data, len(commands))
        self.assertTrue(got[hello_index].startswith(b"%7\r\n"), got[hello_index][:20])
        for i, cmd in enumerate(commands):
            if cmd[0] == "HELLO":
                continue  # carries server versions and ids
            self.assertEqual(got[i], expected[i], f"RESP3 reply to {cmd}")

    def test_resp3_nulls_maps_doubles_via_debug_protocol(self):
        with RespConnection(self.server.port) as c:
            probe = c.call("DEBUG", "PROTOCOL", "double")
            if isinstance(probe, RespError):
                self.fail(f"DEBUG PROTOCOL (Redis's RESP3 type test command) is missing: {probe}")
        for kind in ("string", "integer", "double", "bignum", "null", "array", "set", "map",
                     "true", "false", "verbatim"):
            with self.subTest(kind=kind):
                data = encode_command("HELLO", "3") + encode_command("DEBUG", "PROTOCOL", kind)
                expected = reply_bytes_for(self.reference.port, data, 2)[1]
                got = reply_bytes_for(self.server.port, data, 2)[1]
                self.assertEqual(got, expected, f"RESP3 DEBUG PROTOCOL {kind}")
                self.same_bytes(encode_command("DEBUG", "PROTOCOL", kind), 1)  # RESP2 downgrade

    def test_inline_commands(self):
        data = (b'SET k "a b"\r\n'
                b"GET k\r\n"
                b"SET k2 'single quoted' \r\n"
                b"GET k2\r\n"
                b'SET k3 "\\x41\\n\\t\\"q\\""\r\n'
                b"GET k3\r\n"
                b"\r\n"
                b"   PING   \r\n"
                b"ECHO hello\n"
                b"MGET k k2 missing\r\n"
                b"EXISTS k k2\r\n")
        got = self.same_bytes(data, 10)
        self.assertEqual(got[1], b"$3\r\na b\r\n")

    def test_inline_protocol_errors_close_the_connection(self):
        for data in (b'SET k "abc\r\n', b"SET k 'abc\r\n", b'SET k "a"b\r\n', b"x" * 70000):
            with self.subTest(data=data[:20]):
                expected = exchange(self.reference.port, data)
                got = exchange(self.server.port, data)
                self.assertEqual(got, expected)

    def test_malformed_frames_get_a_protocol_error_and_only_that_connection_closes(self):
        frames = [
            b"*abc\r\n",
            b"*1\r\n$-5\r\n",
            b"*99999999999\r\n",
            b"*1\r\n$2000000000\r\n",
            b"*1\r\n$abc\r\n",
            b"*1\r\nfoo\r\n",
            b"*2\r\n$3\r\nGET\r\n:1\r\n",
            b"*-5\r\n",
            b"*1\r\n$1" + b"9" * 70000,
            b"*" + b"1" * 70000,
        ]
        with RespConnection(self.server.port) as bystander:
            for frame in frames:
                with self.subTest(frame=frame[:30]):
                    expected = exchange(self.reference.port, frame)
                    got = exchange(self.server.port, frame)
                    self.assertEqual(got, expected)
                    self.assertEqual(bystander.call("PING"), "PONG")

    def test_protocol_error_after_valid_commands_answers_them_first(self):
        data = encode_command("SET", "a", "1") + encode_command("GET", "a") + b"*x\r\n"
        self.assertEqual(exchange(self.server.port, data), exchange(self.reference.port, data))

    def test_negative_and_empty_multibulk_are_ignored(self):
        data = b"*0\r\n*-1\r\n" + encode_command("PING")
        self.same_bytes(data, 1)


class Framing(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.node = StashdProcess()

    @classmethod
    def tearDownClass(cls):
        cls.node.stop()

    def test_a_command_split_at_every_byte(self):
        value = b"v\r\n$*:+-\x00" * 3
        frame = encode_command("SET", "split", value)
        with RespConnection(self.node.port) as c:
            for cut in range(1, len(frame)):
                c.send(frame[:cut])
                c.send(frame[cut:])
                self.assertEqual(c.read_reply(), "OK", f"cut at {cut}")
            for byte in encode_command("GET", "split"):
                c.send(bytes([byte]))
            self.assertEqual(c.read_reply(), value)
            for byte in b"INCR splitcount\r\n":
                c.send(bytes([byte]))
            self.assertEqual(c.read_reply(), 1)

    def test_100k_pipelined_commands_in_one_write(self):
        n = 100000
        commands, expected = [], []
        for i in range(n // 2):
            commands.append(encode_command("SET", f"p:{i}", f"val{i}"))
            expected.append(b"+OK\r\n")
            commands.append(encode_command("GET", f"p:{i}"))
            v = f"val{i}".encode()
            expected.append(b"$%d\r\n%s\r\n" % (len(v), v))
        data, want = b"".join(commands), b"".join(expected)
        with RespConnection(self.node.port, timeout=60) as c:
            sender = threading.Thread(target=c.send, args=(data,))
            sender.start()
            got = c.read_exactly(len(want))
            sender.join(60)
            self.assertEqual(got, want)
            self.assertEqual(c.call("DBSIZE") >= n // 2, True)
            self.assertEqual(c.call("PING"), "PONG")

    def test_large_values_round_trip(self):
        value = bytes(range(256)) * (20 * 4096)  # 20 MiB, every byte value
        with RespConnection(self.node.port, timeout=60) as c:
            sender = threading.Thread(target=c.send_command, args=("SET", "huge", value))
            sender.start()
            self.assertEqual(c.read_reply(), "OK")
            sender.join(60)
            self.assertEqual(c.call("STRLEN", "huge"), len(value))
            self.assertEqual(c.call("GET", "huge"), value)
            self.assertEqual(c.call("DEL", "huge"), 1)

    def test_commands_after_quit_are_not_executed(self):
        with RespConnection(self.node.port) as c:
            c.send(encode_command("SET", "before-quit", "1") + encode_command("QUIT") +
                   encode_command("SET", "after-quit", "1"))
            self.assertEqual(c.read_reply(), "OK")
            self.assertEqual(c.read_reply(), "OK")
            self.assertTrue(c.closed_by_server())
        with RespConnection(self.node.port) as c:
            self.assertEqual(c.call("EXISTS", "before-quit", "after-quit"), 1)

    def test_truncated_frame_waits_and_others_are_served(self):
        with RespConnection(self.node.port) as partial, RespConnection(self.node.port) as other:
            partial.send(b"*3\r\n$3\r\nSET\r\n$4\r\ntrun\r\n$5\r\nab")
            self.assertEqual(other.call("PING"), "PONG")
            self.assertEqual(other.call("EXISTS", "trun"), 0)
            partial.send(b"cde\r\n")
            self.assertEqual(partial.read_reply(), "OK")
            self.assertEqual(other.call("GET", "trun"), b"abcde")
        with RespConnection(self.node.port) as c:
            c.send(b"*2\r\n$3\r\nGET\r\n$1")
        with RespConnection(self.node.port) as c:
            self.assertEqual(c.call("PING"), "PONG")

    def test_resp3_null_and_map_shapes(self):
        with RespConnection(self.node.port) as c:
            c.call("HELLO", "3")
            c.send_command("GET", "definitely-missing")
            self.assertEqual(c.read_reply_raw()[1], b"_\r\n")
            c.send_command("CONFIG", "GET", "timeout")
            self.assertEqual(c.read_reply_raw()[1], b"%1\r\n$7\r\ntimeout\r\n$1\r\n0\r\n")
            c.send_command("SET", "m", "x", "NX")
            c.read_reply()
            c.send_command("SET", "m", "x", "NX")
            self.assertEqual(c.read_reply_raw()[1], b"_\r\n")

    def test_resp3_doubles_from_sorted_sets(self):
        with RespConnection(self.node.port) as c:
            c.call("HELLO", "3")
            if isinstance(c.call("ZADD", "z", "1.5", "a"), RespError):
                self.skipTest("stashd has no sorted-set commands yet (doubles are covered by "
                              "DEBUG PROTOCOL double)")
            c.send_command("ZSCORE", "z", "a")
            self.assertEqual(c.read_reply_raw()[1], b",1.5\r\n")


class QueryBufferLimit(unittest.TestCase):
    def test_client_over_the_query_buffer_limit_is_closed(self):
        node = StashdProcess("--client-query-buffer-limit", "1mb")
        try:
            with RespConnection(node.port) as bystander, RespConnection(node.port) as hog:
                hog.send(b"*2\r\n$3\r\nGET\r\n$3000000\r\n")
                chunk = b"x" * 65536
                sent = 0
                try:
                    while sent < 2500000:
                        hog.sock.sendall(chunk)
                        sent += len(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.assertTrue(hog.closed_by_server(timeout=10),
                                "client over client-query-buffer-limit was not closed")
                self.assertEqual(bystander.call("PING"), "PONG")
            with RespConnection(node.port) as c:
                c.send(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$500000\r\n" + b"y" * 500000 + b"\r\n")
                self.assertEqual(c.read_reply(), "OK")
        finally:
            node.stop()


class OutputBuffers(unittest.TestCase):
    def test_a_client_that_never_reads_does_not_grow_memory_without_bound(self):
        node = StashdProcess()
        try:
            with RespConnection(node.port) as c:
                self.assertEqual(c.call("SET", "big", b"z" * 1000000), "OK")
            rss_before = vm_rss_bytes(node.proc.pid)
            hog = socket.create_connection(("127.0.0.1", node.port))
            hog.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
            hog.settimeout(2)
            get = encode_command("GET", "big")
            sent, start = 0, time.monotonic()
            try:
                # 3000 replies of 1 MB would be 3 GB if the server buffered them all.
                while sent < 3000 and time.monotonic() - start < 30:
                    hog.sendall(get * 50)
                    sent += 50
            except socket.timeout:
                pass  # the server stopped reading: backpressure
            with RespConnection(node.port) as other:
                self.assertEqual(other.call("PING"), "PONG")
                self.assertEqual(other.call("STRLEN", "big"), 1000000)
            growth = vm_rss_bytes(node.proc.pid) - rss_before
            self.assertLess(growth, 256 << 20, f"RSS grew by {growth >> 20} MB after {sent} GETs")
            hog.close()
            with RespConnection(node.port) as other:
                self.assertEqual(other.call("PING"), "PONG")
        finally:
            node.stop()

    def test_output_buffer_hard_limit_disconnects_the_client(self):
        node = StashdProcess("--client-output-buffer-limit", "normal 1mb 0 0")
        try:
            with RespConnection(node.port) as c:
                self.assertEqual(c.call("SET", "big", b"z" * 3000000), "OK")
            hog = socket.create_connection(("127.0.0.1", node.port))
            hog.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            hog.sendall(encode_command("GET", "big") * 4)
            hog.settimeout(10)
            received, closed = 0, False
            try:
                while received < 20000000:
                    chunk = hog.recv(1 << 20)
                    if not chunk:
                        closed = True
                        break
                    received += len(chunk)
            except ConnectionResetError:
                closed = True
            hog.close()
            self.assertTrue(closed, "client over the normal hard limit was not disconnected")
            self.assertLess(received, 4 * 3000000, "all replies were delivered")
            with RespConnection(node.port) as other:
                self.assertEqual(other.call("PING"), "PONG")
        finally:
            node.stop()


class IdleTimeout(unittest.TestCase):
    def test_idle_client_is_closed_after_timeout(self):
        node = StashdProcess("--timeout", "1")
        try:
            with RespConnection(node.port) as idle:
                self.assertEqual(idle.call("PING"), "PONG")
                start = time.monotonic()
                self.assertTrue(idle.closed_by_server(timeout=10), "idle client not closed")
                self.assertGreaterEqual(time.monotonic() - start, 0.5)
            with RespConnection(node.port) as fresh:
                self.assertEqual(fresh.call("CONFIG", "GET", "timeout"), [b"timeout", b"1"])
        finally:
            node.stop()


class MaxClients(unittest.TestCase):
    def test_the_eleventh_client_is_refused(self):
        node = StashdProcess("--maxclients", "10")
        conns = []
        try:
            first = RespConnection(node.port)
            conns.append(first)

            def connected():
                info = first.call("INFO", "clients").decode()
                return "connected_clients:1\r\n" in info
            wait_until(connected, message="only the test's connection to remain")
            for _ in range(9):
                c = RespConnection(node.port)
                conns.append(c)
                self.assertEqual(c.call("PING"), "PONG")
            with RespConnection(node.port) as eleventh:
                closed = eleventh.closed_by_server(timeout=5)
                data = bytes(eleventh.buf)
                self.assertEqual(data, b"-ERR max number of clients reached\r\n")
                self.assertTrue(closed)
            conns.pop().close()
            wait_until(lambda: b"connected_clients:9\r\n" in first.call("INFO", "clients"),
                       message="a slot to free up")
            with RespConnection(node.port) as again:
                self.assertEqual(again.call("PING"), "PONG")
        finally:
            for c in conns:
                c.close()
            node.stop()


class ManyConnections(unittest.TestCase):
    N = 1000

    @classmethod
    def setUpClass(cls):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        want = 4096 if hard == resource.RLIM_INFINITY else min(hard, 4096)
        if soft < want:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
        if want < 2 * cls.N + 100:
            raise unittest.SkipTest(f"RLIMIT_NOFILE hard limit {hard} is too low")
        cls.node = StashdProcess()  # inherits the raised limit

    @classmethod
    def tearDownClass(cls):
        cls.node.stop()

    def test_1000_concurrent_connections_each_ping(self):
        socks = []
        try:
            deadline = time.monotonic() + 60
            for _ in range(self.N):
                s = socket.create_connection(("127.0.0.1", self.node.port), timeout=10)
                socks.append(s)
                self.assertLess(time.monotonic(), deadline)
            for s in socks:
                s.sendall(b"*1\r\n$4\r\nPING\r\n")
            for i, s in enumerate(socks):
                data = b""
                while len(data) < 7:
                    chunk = s.recv(16)
                    self.assertTrue(chunk, f"connection {i} closed")
                    data += chunk
                self.assertEqual(data, b"+PONG\r\n", f"connection {i}")
            with RespConnection(self.node.port) as c:
                info = c.call("INFO", "clients").decode()
                self.assertIn(f"connected_clients:{self.N + 1}\r\n", info)
        finally:
            for s in socks:
                s.close()


if __name__ == "__main__":
    unittest.main()
