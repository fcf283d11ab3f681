"""Owns: start-up and shutdown of the real binary: --help, --version, invalid options and values
(command line and YAML, with file:line), the shipped config/stashd.yaml, SIGTERM/SIGINT exiting 0
and removing the pidfile."""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import unittest

from stashd_fixture import STASHD_BIN, StashdProcess, free_port, wait_until

REPO_CONFIG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "config",
                           "stashd.yaml")


def run_stashd(*args, timeout=10):
    """Runs stashd expecting it to exit by itself; returns (exit code, stdout + stderr)."""
    proc = subprocess.Popen([STASHD_BIN, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        raise AssertionError(f"stashd {args} kept running instead of exiting: {out.decode()}")
    return proc.returncode, out.decode(errors="replace")


class CommandLine(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="stashd-startup-")
        self.port = str(free_port())

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def write_config(self, text):
        path = os.path.join(self.dir, "bad.yaml")
        with open(path, "w") as f:
            f.write(text)
        return path

    def assert_fails(self, *args, mentions=()):
        code, out = run_stashd("--port", self.port, "--dir", self.dir, *args)
        self.assertNotEqual(code, 0, f"stashd {args} exited 0: {out}")
        for word in mentions:
            self.assertIn(word, out, f"stashd {args} output lacks {word!r}")
        return out

    def test_help(self):
        code, out = run_stashd("--help")
        self.assertEqual(code, 0)
        for word in ("--config", "--port", "--bind", "--version"):
            self.assertIn(word, out)

    def test_version(self):
        code, out = run_stashd("--version")
        self.assertEqual(code, 0)
        self.assertRegex(out.strip(), r"^stashd \d+\.\d+\.\d+")

    def test_out_of_range_port_fails(self):
        code, out = run_stashd("--port", "70000", "--dir", self.dir)
        self.assertNotEqual(code, 0)
        self.assertIn("port", out)
        self.assert_fails("--port", "-1", mentions=("port",))

    def test_unknown_option_fails(self):
        self.assert_fails("--no-such-option", "1", mentions=("no-such-option",))
        self.assert_fails("stray-argument")
        self.assert_fails("--maxclients")

    def test_invalid_values_fail(self):
        self.assert_fails("--proto-max-bulk-len", "12xb", mentions=("proto-max-bulk-len",))
        self.assert_fails("--client-query-buffer-limit", "lots",
                          mentions=("client-query-buffer-limit",))
        self.assert_fails("--maxclients", "abc", mentions=("maxclients",))
        self.assert_fails("--loglevel", "loud", mentions=("loglevel",))
        self.assert_fails("--databases", "0", mentions=("databases",))
        self.assert_fails("--hz", "1.5", mentions=("hz",))

    def test_unknown_yaml_key_fails_with_file_and_line(self):
        path = self.write_config("# comment\nport: 7000\nmaxclients: 100\nbogus-option: 1\n")
        self.assert_fails("--config", path, mentions=(f"{path}:4", "bogus-option"))

    def test_bad_memory_size_in_yaml_fails_with_file_and_line(self):
        path = self.write_config("hz: 10\nproto-max-bulk-len: 12xb\n")
        self.assert_fails("--config", path, mentions=(f"{path}:2", "proto-max-bulk-len"))

    def test_yaml_syntax_error_and_missing_file_fail(self):
        path = self.write_config("port: [1, 2\n")
        self.assert_fails("--config", path, mentions=(path,))
        self.assert_fails("--config", os.path.join(self.dir, "missing.yaml"),
                          mentions=("missing.yaml",))

    def test_busy_port_fails(self):
        node = StashdProcess()
        try:
            code, out = run_stashd("--port", str(node.port), "--bind", "127.0.0.1", "--dir",
                                   self.dir)
            self.assertNotEqual(code, 0, out)
        finally:
            node.stop()


class ShippedConfig(unittest.TestCase):
    def test_shipped_config_starts_with_a_port_override(self):
        node = StashdProcess("--config", os.path.abspath(REPO_CONFIG))
        try:
            r = node.client(decode_responses=True)
            self.assertEqual(r.ping(), True)
            self.assertEqual(r.config_get("port"), {"port": str(node.port)})
            self.assertEqual(r.config_get("maxclients"), {"maxclients": "10000"})
            self.assertEqual(r.config_get("databases"), {"databases": "16"})
            r.connection_pool.disconnect()
        finally:
            node.stop()


class ConfigAndCommandLine(unittest.TestCase):
    def test_command_line_overrides_the_file(self):
        node = StashdProcess("--maxclients", "55",
                             config_text="port: 1\nmaxclients: 77\ntimeout: 9\n")
        try:
            r = node.client(decode_responses=True)
            self.assertEqual(r.config_get("port"), {"port": str(node.port)})
            self.assertEqual(r.config_get("maxclients"), {"maxclients": "55"})
            self.assertEqual(r.config_get("timeout"), {"timeout": "9"})
            r.connection_pool.disconnect()
        finally:
            node.stop()

    def test_logfile_receives_the_log(self):
        log_dir = tempfile.mkdtemp(prefix="stashd-log-")
        logfile = os.path.join(log_dir, "node.log")
        node = StashdProcess("--logfile", logfile)
        try:
            wait_until(lambda: os.path.exists(logfile) and os.path.getsize(logfile) > 0,
                       message="log file to be written")
            with open(logfile) as f:
                self.assertIn(str(node.port), f.read())
        finally:
            node.stop()
            shutil.rmtree(log_dir, ignore_errors=True)


class Signals(unittest.TestCase):
    def start_with_pidfile(self):
        pid_dir = tempfile.mkdtemp(prefix="stashd-pid-")
        pidfile = os.path.join(pid_dir, "stashd.pid")
        node = StashdProcess("--pidfile", pidfile)
        return node, pid_dir, pidfile

    def check_signal_exits_zero_and_removes_pidfile(self, signum):
        node, pid_dir, pidfile = self.start_with_pidfile()
        try:
            wait_until(lambda: os.path.exists(pidfile), message="pidfile")
            with open(pidfile) as f:
                self.assertEqual(int(f.read().strip()), node.proc.pid)
            node.proc.send_signal(signum)
            self.assertEqual(node.proc.wait(timeout=10), 0)
            self.assertFalse(os.path.exists(pidfile), "pidfile left behind")
        finally:
            node.stop()
            shutil.rmtree(pid_dir, ignore_errors=True)

    def test_sigterm_exits_zero_and_removes_the_pidfile(self):
        self.check_signal_exits_zero_and_removes_pidfile(signal.SIGTERM)

    def test_sigint_exits_zero_and_removes_the_pidfile(self):
        self.check_signal_exits_zero_and_removes_pidfile(signal.SIGINT)

    def test_shutdown_logs_and_closes_clients(self):
        node = StashdProcess()
        try:
            r = node.client()
            r.ping()
            node.proc.send_signal(signal.SIGTERM)
            self.assertEqual(node.proc.wait(timeout=10), 0)
            self.assertTrue(re.search(r"(?i)(shut|exit|bye)", node.read_log()), node.read_log())
        finally:
            node.stop()


if __name__ == "__main__":
    unittest.main()
