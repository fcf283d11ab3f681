"""Owns: stashd as a systemd Type=notify service, seen from a notify socket of the test's own
(AF_UNIX datagrams, as systemd's NOTIFY_SOCKET): READY=1 only once the port accepts and a
1M-key snapshot has loaded, STATUS= lines while loading, STOPPING=1 and exit 0 on SIGTERM,
WATCHDOG=1 at least twice per WATCHDOG_USEC, and the `supervised` option (no / auto / systemd)."""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

from stashd_fixture import (STASHD_BIN, RespConnection, RespError, encode_command, free_port,
                            info_fields, wait_until)

KEYS = 1000000


class NotifySocket:
    """A datagram socket standing in for systemd's; records (monotonic time, message)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="stashd-notify-")
        self.path = os.path.join(self.dir, "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.messages = []

    def close(self):
        self.sock.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def receive(self, timeout):
        """The next message, or None when none arrives within timeout seconds."""
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(4096)
        except socket.timeout:
            return None
        message = data.decode()
        self.messages.append((time.monotonic(), message))
        return message

    def wait_for(self, field, timeout=60.0, between=None):
        """Receives until a message has the line `field` (e.g. "READY=1"); calls between() after
        every short wait so the caller can probe the server meanwhile. Returns that message."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = self.receive(0.005)
            if message is not None and field in message.split("\n"):
                return message
            if between is not None:
                between()
        raise AssertionError(f"no {field} within {timeout}s; got {self.lines()}")

    def lines(self):
        return [m for _, m in self.messages]


class NotifiedNode:
    """stashd started with NOTIFY_SOCKET (and any extra environment) pointing at `notify`."""

    def __init__(self, notify, directory, *args, env=None):
        self.port = free_port()
        self.log_path = os.path.join(directory, "stashd.log")
        environment = dict(os.environ, NOTIFY_SOCKET=notify.path, **(env or {}))
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen(
            [STASHD_BIN, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", directory,
             *args], stdout=self.log, stderr=subprocess.STDOUT, env=environment)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log.close()

    def read_log(self):
        with open(self.log_path) as f:
            return f.read()


def write_snapshot(directory, keys):
    """A snapshot of `keys` keys key:<i> = "v"*100 in directory/dump.rdb, written by a node."""
    port = free_port()
    proc = subprocess.Popen([STASHD_BIN, "--port", str(port), "--bind", "127.0.0.1", "--dir",
                             directory, "--save", ""], stdout=subprocess.DEVNULL,
                            stderr=subprocess.STDOUT, env=without_notify_socket())
    try:
        def accepts():
            try:
                with RespConnection(port, timeout=1) as c:
                    return c.call("PING") == "PONG"
            except OSError:
                return False
        wait_until(accepts, timeout=20, message="snapshot writer node")
        with RespConnection(port, timeout=120) as c:
            batch = 20000
            for start in range(0, keys, batch):
                c.send(b"".join(encode_command("SET", f"key:{i}", "v" * 100)
                                for i in range(start, start + batch)))
                for _ in range(batch):
                    c.read_reply()
            assert c.call("SAVE") == "OK"
    finally:
        proc.kill()
        proc.wait()


def without_notify_socket():
    env = dict(os.environ)
    env.pop("NOTIFY_SOCKET", None)
    env.pop("WATCHDOG_USEC", None)
    return env


class SystemdNotifyTestCase(unittest.TestCase):
    def setUp(self):
        self.notify = NotifySocket()
        self.addCleanup(self.notify.close)
        self.dir = tempfile.mkdtemp(prefix="stashd-systemd-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def start(self, *args, env=None):
        node = NotifiedNode(self.notify, self.dir, *args, env=env)
        self.addCleanup(node.stop)
        return node


class ReadyAfterLoading(SystemdNotifyTestCase):
    def test_ready_comes_only_once_the_port_accepts_and_the_snapshot_has_loaded(self):
        write_snapshot(self.dir, KEYS)
        node = self.start()
        loading_replies = []

        def probe():
            # Between datagrams: what a client sees before READY=1 (refused, or -LOADING).
            try:
                with RespConnection(node.port, timeout=5) as c:
                    reply = c.call("GET", "key:1")
                    if isinstance(reply, RespError):
                        self.assertTrue(str(reply).startswith("LOADING"), str(reply))
                        loading_replies.append(str(reply))
            except OSError:
                pass

        ready = self.notify.wait_for("READY=1", timeout=120, between=probe)
        # Right after READY=1 the port accepts and the whole dataset answers.
        with RespConnection(node.port, timeout=10) as c:
            self.assertEqual(c.call("GET", "key:1"), b"v" * 100)
            self.assertEqual(c.call("GET", f"key:{KEYS - 1}"), b"v" * 100)
            self.assertEqual(c.call("DBSIZE"), KEYS)
            fields = info_fields(c, "persistence")
            self.assertEqual(fields["loading"], "0")
            self.assertEqual(info_fields(c, "server")["process_supervised"], "systemd")
        self.assertIn("STATUS=Ready to accept connections", ready.split("\n"))
        before_ready = self.notify.lines()[:-1]
        loading_status = [m for m in before_ready if "STATUS=Loading the dataset" in m]
        self.assertTrue(loading_status or loading_replies,
                        f"neither STATUS lines nor -LOADING seen while loading: {before_ready}")
        self.assertTrue(loading_status, f"no STATUS= line while loading: {before_ready}")
        for m in loading_status:
            self.assertRegex(m, r"EXTEND_TIMEOUT_USEC=\d+")
        self.assertFalse([m for m in before_ready if "READY=1" in m.split("\n")])

        node.proc.send_signal(signal.SIGTERM)
        stopping = self.notify.wait_for("STOPPING=1", timeout=30)
        self.assertIn("STATUS=Received SIGTERM, shutting down", stopping.split("\n"))
        self.assertEqual(node.proc.wait(timeout=60), 0, node.read_log())
        # The configured save points were honoured on the way out.
        self.assertIn("Saving the final snapshot", node.read_log())

    def test_shutdown_command_sends_stopping(self):
        node = self.start("--save", "")
        self.notify.wait_for("READY=1", timeout=20)
        with RespConnection(node.port) as c:
            c.send_command("SHUTDOWN")
            self.assertTrue(c.closed_by_server())
        self.notify.wait_for("STOPPING=1", timeout=10)
        self.assertEqual(node.proc.wait(timeout=20), 0)


class Watchdog(SystemdNotifyTestCase):
    def test_watchdog_pings_at_least_twice_per_interval(self):
        interval = 1.0  # WATCHDOG_USEC, as systemd sets it from WatchdogSec=1s
        self.start("--save", "", env={"WATCHDOG_USEC": str(int(interval * 1e6))})
        self.notify.wait_for("READY=1", timeout=20)
        pings = []
        deadline = time.monotonic() + 3 * interval
        while time.monotonic() < deadline:
            message = self.notify.receive(0.1)
            if message is not None and "WATCHDOG=1" in message.split("\n"):
                pings.append(time.monotonic())
        self.assertGreaterEqual(len(pings), 6, f"pings at {pings}")
        gaps = [b - a for a, b in zip(pings, pings[1:])]
        self.assertLess(max(gaps), interval / 2, f"gaps between pings: {gaps}")

    def test_no_watchdog_pings_without_watchdog_usec(self):
        node = self.start("--save", "")
        self.notify.wait_for("READY=1", timeout=20)
        with RespConnection(node.port) as c:
            self.assertEqual(c.call("PING"), "PONG")
        self.assertIsNone(self.notify.receive(0.5))


class SupervisedOption(SystemdNotifyTestCase):
    @staticmethod
    def accepts(proc, port, log_path):
        if proc.poll() is not None:
            with open(log_path) as f:
                raise AssertionError(f"stashd exited: {f.read()}")
        try:
            with RespConnection(port, timeout=1) as c:
                return c.call("PING") == "PONG"
        except OSError:
            return False

    def test_supervised_no_sends_nothing(self):
        node = self.start("--supervised", "no", "--save", "",
                          env={"WATCHDOG_USEC": "200000"})
        wait_until(lambda: self.accepts(node.proc, node.port, node.log_path), timeout=20,
                   message="node")
        # READY=1 would have been sent before the first client was served.
        self.assertIsNone(self.notify.receive(0.3))
        with RespConnection(node.port) as c:
            self.assertEqual(info_fields(c, "server")["process_supervised"], "no")

    def test_supervised_systemd_without_a_socket_warns_and_runs(self):
        port = free_port()
        log_path = os.path.join(self.dir, "plain.log")
        with open(log_path, "w") as log:
            proc = subprocess.Popen([STASHD_BIN, "--port", str(port), "--bind", "127.0.0.1",
                                     "--dir", self.dir, "--supervised", "systemd"],
                                    stdout=log, stderr=subprocess.STDOUT,
                                    env=without_notify_socket())
        try:
            wait_until(lambda: self.accepts(proc, port, log_path), timeout=20, message="node")
            with open(log_path) as f:
                self.assertIn("NOTIFY_SOCKET is not set", f.read())
        finally:
            proc.terminate()
            self.assertEqual(proc.wait(timeout=20), 0)

    def test_unknown_supervised_value_stops_startup(self):
        out = subprocess.run([STASHD_BIN, "--port", str(free_port()), "--dir", self.dir,
                              "--supervised", "upstart"], capture_output=True, timeout=10)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn(b"supervised", out.stdout + out.stderr)


if __name__ == "__main__":
    unittest.main()
