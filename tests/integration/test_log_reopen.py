"""Owns: SIGHUP reopening the log file (logrotate's and `systemctl reload`'s contract): after the
file is moved away, new lines land in a new file at the original path; a node logging to
standard output survives SIGHUP."""
import os
import shutil
import signal
import tempfile
import unittest

from stashd_fixture import RespConnection, StashdProcess, wait_until


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except FileNotFoundError:
        return ""


class LogReopen(unittest.TestCase):
    def setUp(self):
        self.log_dir = tempfile.mkdtemp(prefix="stashd-logs-")
        self.addCleanup(shutil.rmtree, self.log_dir, True)

    def test_sighup_reopens_a_moved_log_file_at_its_original_path(self):
        path = os.path.join(self.log_dir, "stashd.log")
        node = StashdProcess("--logfile", path, "--save", "")
        self.addCleanup(node.stop)
        wait_until(lambda: "Ready to accept connections" in read(path), message="first log")
        rotated = path + ".1"
        os.rename(path, rotated)
        os.kill(node.proc.pid, signal.SIGHUP)
        wait_until(lambda: "Log file reopened" in read(path), message="a new file at the path")
        self.assertIn("Received SIGHUP, reopening the log file", read(rotated))
        self.assertNotIn("Log file reopened", read(rotated))
        # Lines logged later go to the new file only.
        with RespConnection(node.port) as c:
            self.assertEqual(c.call("SAVE"), "OK")
        wait_until(lambda: "DB saved on disk" in read(path), message="the save logged anew")
        self.assertNotIn("DB saved on disk", read(rotated))
        self.assertIsNone(node.proc.poll())

    def test_sighup_twice_without_moving_keeps_appending_to_the_same_file(self):
        path = os.path.join(self.log_dir, "stashd.log")
        node = StashdProcess("--logfile", path, "--save", "")
        self.addCleanup(node.stop)
        wait_until(lambda: "Ready to accept connections" in read(path), message="first log")
        for expected in (1, 2):
            os.kill(node.proc.pid, signal.SIGHUP)
            wait_until(lambda: read(path).count("Log file reopened") == expected,
                       message=f"reopen {expected}")
        self.assertIn("Ready to accept connections", read(path))

    def test_a_node_logging_to_stdout_survives_sighup(self):
        node = StashdProcess("--save", "")
        self.addCleanup(node.stop)
        os.kill(node.proc.pid, signal.SIGHUP)
        wait_until(lambda: "nothing to reopen" in node.read_log(), message="SIGHUP logged")
        with RespConnection(node.port) as c:
            self.assertEqual(c.call("PING"), "PONG")
        self.assertIsNone(node.proc.poll())


if __name__ == "__main__":
    unittest.main()
