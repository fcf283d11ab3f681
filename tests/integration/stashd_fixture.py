"""Owns: starting and stopping a real stashd binary for integration tests (free loopback port,
readiness polled with PING, stopped by pid), plus small helpers shared by the tests.
Runs under Debian's /usr/bin/python3 with python3-redis."""
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

import redis

STASHD_BIN = os.environ.get("STASHD_BIN") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "stashd")
REDIS_CLI = shutil.which("redis-cli") or "/usr/bin/redis-cli"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout=10.0, interval=0.01, message="condition"):
    """Polls predicate() until it is truthy; fails after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


class StashdProcess:
    """One stashd node on 127.0.0.1:<free port>, with its own temp dir."""

    def __init__(self, *args, config_text=None):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="stashd-test-")
        self.log_path = os.path.join(self.dir, "stashd.log")
        cmd = [STASHD_BIN, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir]
        if config_text is not None:
            path = os.path.join(self.dir, "stashd.yaml")
            with open(path, "w") as f:
                f.write(config_text)
            cmd = [STASHD_BIN, "--config", path, "--port", str(self.port), "--dir", self.dir]
        cmd += list(args)
        self.cmd = cmd
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        wait_until(self._ready, timeout=20, message=f"stashd on port {self.port}")

    def _ready(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"stashd exited with {self.proc.returncode}: {self.read_log()}")
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith((b"+PONG", b"-NOAUTH"))
        except OSError:
            return False

    def client(self, **kwargs):
        return redis.Redis(host="127.0.0.1", port=self.port, **kwargs)

    def cli(self, *args, input_bytes=None):
        """Runs redis-cli against the node and returns its stdout (str)."""
        out = subprocess.run([REDIS_CLI, "-h", "127.0.0.1", "-p", str(self.port), *args],
                             input=input_bytes, capture_output=True, timeout=60, check=True)
        return out.stdout.decode()

    def read_log(self):
        self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def stop(self, keep_dir=False):
        """Stops the process (SIGTERM, then SIGKILL after 10s); removes its temp dir unless
        keep_dir (e.g. to restart from a file written there)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        if not keep_dir:
            shutil.rmtree(self.dir, ignore_errors=True)


class StashdTestCase(unittest.TestCase):
    """Starts one node for the whole test class (extra args in SERVER_ARGS); flushes between tests."""
    SERVER_ARGS = ()

    @classmethod
    def setUpClass(cls):
        cls.server = StashdProcess(*cls.SERVER_ARGS)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        self.r = self.server.client(decode_responses=True)
        self.r.flushall()

    def tearDown(self):
        self.r.close()
        self.r.connection_pool.disconnect()  # redis-py 4.3's close() keeps the socket pooled


REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


class RedisServerProcess:
    """Debian's redis-server on 127.0.0.1:<free port> without persistence, as the reference for
    differential tests. Same client()/cli()/stop() API as StashdProcess."""

    def __init__(self, *args):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="redis-ref-")
        self.log_path = os.path.join(self.dir, "redis.log")
        self.cmd = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                    "--appendonly", "no", "--daemonize", "no", "--dir", self.dir, *args]
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(self.cmd, stdout=self.log, stderr=subprocess.STDOUT)
        wait_until(self._ready, timeout=20, message=f"redis-server on port {self.port}")

    _ready = StashdProcess._ready
    client = StashdProcess.client
    cli = StashdProcess.cli
    read_log = StashdProcess.read_log
    stop = StashdProcess.stop


def raw_client(server, **kwargs):
    """A redis.Redis whose replies are exactly what the server sent (no response callbacks), for
    comparing two servers reply by reply."""
    r = server.client(**kwargs)
    r.response_callbacks.clear()
    return r


def reply_or_error(r, *args):
    """Runs one command; returns its reply, or ("error", message) for an error reply."""
    try:
        return r.execute_command(*args)
    except redis.ResponseError as e:
        return ("error", str(e))


class DifferentialTestCase(unittest.TestCase):
    """One stashd node and one redis-server for the whole class; same() sends a command to both and
    asserts the replies (or error messages) are identical. Both are flushed between tests.
    SERVER_ARGS go to stashd, REFERENCE_ARGS to redis-server."""
    SERVER_ARGS = ()
    REFERENCE_ARGS = ()

    @classmethod
    def setUpClass(cls):
        cls.server = StashdProcess(*cls.SERVER_ARGS)
        try:
            cls.reference = RedisServerProcess(*cls.REFERENCE_ARGS)
        except Exception:
            cls.server.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.reference.stop()
        cls.server.stop()

    def setUp(self):
        self.s = raw_client(self.server)
        self.ref = raw_client(self.reference)
        self.s.execute_command("FLUSHALL")
        self.ref.execute_command("FLUSHALL")

    def tearDown(self):
        for r in (self.s, self.ref):
            r.close()
            r.connection_pool.disconnect()

    def same(self, *args):
        """Sends args to both servers and asserts identical replies; returns the reply."""
        expected = reply_or_error(self.ref, *args)
        got = reply_or_error(self.s, *args)
        self.assertEqual(got, expected, f"command {args!r}: redis replied {expected!r}")
        return got

    def same_all(self, commands):
        for cmd in commands:
            self.same(*cmd)

    def same_sorted(self, *args):
        """Like same() for array replies whose order is unspecified (KEYS, SMEMBERS...)."""
        expected = reply_or_error(self.ref, *args)
        got = reply_or_error(self.s, *args)
        if isinstance(expected, list) and isinstance(got, list):
            expected, got = sorted(expected), sorted(got)
        self.assertEqual(got, expected, f"command {args!r}: redis replied {expected!r}")
        return got

    def both(self, *args):
        """Sends args to both servers without comparing (setup steps); returns (stashd, redis)."""
        return reply_or_error(self.s, *args), reply_or_error(self.ref, *args)


class RespError(Exception):
    """An error reply ('-...' or RESP3 '!...') read by RespConnection."""


class RespConnection:
    """A raw TCP connection that writes bytes and parses RESP2/RESP3 replies itself, for tests that
    need to see the wire format (maps, nulls, doubles, protocol errors, pipelining)."""

    def __init__(self, port, timeout=10.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.pos = 0  # start of the unread bytes in buf

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, data):
        self.sock.sendall(data)

    def send_command(self, *args):
        self.sock.sendall(encode_command(*args))

    def _fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("connection closed by the server")
        self.buf += chunk

    def _compact(self):
        """Drops consumed bytes; only between replies, as parsing holds offsets into buf."""
        if self.pos > (1 << 20):
            del self.buf[:self.pos]
            self.pos = 0

    def _need(self, end):
        while len(self.buf) < end:
            self._fill()

    def _line(self, pos):
        while True:
            end = self.buf.find(b"\r\n", pos)
            if end >= 0:
                return bytes(self.buf[pos:end]), end + 2
            self._fill()

    def _parse(self, pos):
        line, pos = self._line(pos)
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode(), pos
        if kind == b"-":
            return RespError(rest.decode()), pos
        if kind in (b":", b"("):
            return int(rest), pos
        if kind in (b"$", b"=", b"!"):
            n = int(rest)
            if n < 0:
                return None, pos
            self._need(pos + n + 2)
            data = bytes(self.buf[pos:pos + n])
            if kind == b"!":
                return RespError(data.decode()), pos + n + 2
            return (data[4:] if kind == b"=" else data), pos + n + 2
        if kind == b"_":
            return None, pos
        if kind == b",":
            return float(rest), pos
        if kind == b"#":
            return rest == b"t", pos
        if kind in (b"*", b"~", b">"):
            n = int(rest)
            if n < 0:
                return None, pos
            items = []
            for _ in range(n):
                item, pos = self._parse(pos)
                items.append(item)
            return items, pos
        if kind in (b"%", b"|"):
            pairs = []
            for _ in range(int(rest)):
                k, pos = self._parse(pos)
                v, pos = self._parse(pos)
                pairs.append((k, v))
            if kind == b"|":  # an attribute precedes the real reply
                return self._parse(pos)
            return dict(pairs), pos
        raise AssertionError(f"unexpected RESP type byte in {line[:40]!r}")

    def read_reply_raw(self):
        """Returns (parsed value, raw bytes) of the next reply; error replies are RespError."""
        self._compact()
        start = self.pos
        value, end = self._parse(start)
        self.pos = end
        return value, bytes(self.buf[start:end])

    def read_reply(self):
        return self.read_reply_raw()[0]

    def read_exactly(self, n):
        """The next n raw bytes of the reply stream."""
        self._compact()
        self._need(self.pos + n)
        data = bytes(self.buf[self.pos:self.pos + n])
        self.pos += n
        return data

    def call(self, *args):
        self.send_command(*args)
        return self.read_reply()

    def closed_by_server(self, timeout=5.0):
        """True once the server has closed this connection (EOF or reset) within timeout; bytes
        that arrive first are kept for read_reply()."""
        self.sock.settimeout(timeout)
        try:
            while True:
                chunk = self.sock.recv(1 << 16)
                if not chunk:
                    return True
                self.buf += chunk
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False


def encode_command(*args):
    """RESP2 multibulk encoding of one command."""
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        elif isinstance(a, int):
            a = str(a).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(parts)


def vm_rss_bytes(pid):
    """Resident set size of a process from /proc/<pid>/status."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for pid {pid}")


def info_fields(conn, section):
    """INFO <section> over a RespConnection, as a dict in field order."""
    fields = {}
    for line in conn.call("INFO", section).decode().splitlines():
        if ":" in line and not line.startswith("#"):
            name, value = line.split(":", 1)
            fields[name] = value
    return fields


def start_in(directory, *args):
    """A node keeping its files in `directory` (e.g. to restart on a predecessor's files)."""
    server = StashdProcess("--dir", directory, *args)
    server.data_dir = directory
    return server



def save_and_kill_with_keys(server, keys=1_000_000, value_size=100):
    """Writes `keys` keys (key:<i> = value_size bytes) pipelined, SAVEs, kills the process with
    SIGKILL and keeps its dir: a restart on server.dir has a big snapshot to load."""
    with RespConnection(server.port, timeout=120) as c:
        for start in range(0, keys, 20000):
            end = min(keys, start + 20000)
            c.send(b"".join(encode_command("SET", f"key:{i}", "v" * value_size)
                            for i in range(start, end)))
            for _ in range(end - start):
                c.read_reply()
        if c.call("SAVE") != "OK":
            raise AssertionError("SAVE failed")
    server.proc.kill()
    server.proc.wait()
    server.stop(keep_dir=True)
