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

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
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
