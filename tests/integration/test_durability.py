"""Owns: what the append-only file promises under kill -9. With appendfsync always, 50 rounds of
(concurrent writers, kill -9 at a random moment, restart): every acknowledged write is there after
the restart and the dataset equals the test's model (each counter between its last acknowledged
and its last sent value, every acknowledged SET present, nothing else). With appendfsync everysec
the writes lost to a kill -9 are measured: they must all be from the last ~2 seconds."""
import os
import random
import shutil
import signal
import sys
import tempfile
import threading
import time
import unittest

from stashd_fixture import RespConnection, RespError, StashdProcess
from stashd_fixture import start_in as fixture_start_in

WRITERS = 4


def start_in(directory, *args):
    return fixture_start_in(directory, "--save", "", *args)


class Writer(threading.Thread):
    """INCRs its counter and SETs numbered keys, one command at a time, remembering what was
    acknowledged (and when) and what was sent."""

    def __init__(self, port, index, start_at):
        super().__init__(daemon=True)
        self.port, self.index = port, index
        self.counter = f"counter:{index}"
        self.next_set = start_at
        self.acked_incr = None       # last INCR reply
        self.sent_incrs = 0
        self.acked_sets = []         # (key, value, ack time)
        self.sent_set = None
        self.ack_times = []          # (time, kind, value) of every acknowledgement

    def run(self):
        try:
            conn = RespConnection(self.port, timeout=10)
        except OSError:
            return
        try:
            for step in range(1000000):
                if step % 2 == 0:
                    self.sent_incrs += 1
                    reply = conn.call("INCR", self.counter)
                    if isinstance(reply, RespError):
                        return
                    self.acked_incr = reply
                    self.ack_times.append((time.monotonic(), "incr", reply))
                else:
                    key = f"set:{self.index}:{self.next_set}"
                    self.sent_set = key
                    reply = conn.call("SET", key, str(self.next_set))
                    if reply != "OK":
                        return
                    self.acked_sets.append((key, str(self.next_set), time.monotonic()))
                    self.next_set += 1
        except (OSError, ConnectionError, AssertionError):
            return  # killed mid-command
        finally:
            try:
                conn.close()
            except OSError:
                pass


class DurabilityTestCase(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="stashd-durability-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def kill_round(self, args, rng, counters_before, sets_before):
        """One round: start, write concurrently, kill -9 at a random moment. Returns the writers
        and the kill time."""
        server = start_in(self.dir, *args)
        writers = [Writer(server.port, i, sets_before[i]) for i in range(WRITERS)]
        for w in writers:
            w.start()
        time.sleep(rng.uniform(0.05, 0.3))
        kill_time = time.monotonic()
        os.kill(server.proc.pid, signal.SIGKILL)
        server.proc.wait()
        for w in writers:
            w.join(10)
        server.stop(keep_dir=True)
        return writers, kill_time


class AppendFsyncAlways(DurabilityTestCase):
    ROUNDS = 50

    def test_every_acknowledged_write_survives_kill_9(self):
        rng = random.Random(20261123)
        args = ("--appendonly", "yes", "--appendfsync", "always")
        counters = [0] * WRITERS        # lowest value each counter may have (acknowledged)
        counters_max = [0] * WRITERS    # highest (sent)
        acked_sets = {}                 # key -> value, every acknowledged SET so far
        maybe_sets = {}                 # sent but unacknowledged SETs: may or may not be there
        next_set = [0] * WRITERS
        total_acks = 0
        for round_no in range(self.ROUNDS):
            writers, _ = self.kill_round(args, rng, counters, next_set)
            for w in writers:
                i = w.index
                if w.acked_incr is not None:
                    counters[i] = w.acked_incr
                counters_max[i] += w.sent_incrs
                for key, value, _ in w.acked_sets:
                    acked_sets[key] = value
                    maybe_sets.pop(key, None)
                if w.sent_set is not None and w.sent_set not in acked_sets:
                    maybe_sets[w.sent_set] = w.sent_set.rsplit(":", 1)[1]
                next_set[i] = w.next_set + (1 if w.sent_set and w.sent_set not in acked_sets else 0)
                total_acks += len(w.ack_times)
            server = start_in(self.dir, *args)
            try:
                with RespConnection(server.port, timeout=30) as c:
                    for i in range(WRITERS):
                        value = c.call("GET", f"counter:{i}")
                        value = int(value) if value is not None else 0
                        self.assertGreaterEqual(value, counters[i], f"round {round_no}: counter {i}")
                        self.assertLessEqual(value, counters_max[i], f"round {round_no}: counter {i}")
                        # The next round continues from what is really there.
                        counters[i] = value
                        counters_max[i] = value
                    values = c.call("MGET", *acked_sets.keys()) if acked_sets else []
                    missing = [k for k, v in zip(acked_sets.keys(), values)
                               if v is None or v.decode() != acked_sets[k]]
                    self.assertEqual(missing, [], f"round {round_no}: acknowledged SETs lost")
                    present_maybe = [k for k in maybe_sets if c.call("EXISTS", k) == 1]
                    for k in present_maybe:
                        acked_sets[k] = maybe_sets.pop(k)
                    maybe_sets.clear()
                    expected = len(acked_sets) + sum(1 for i in range(WRITERS) if counters[i] > 0)
                    self.assertEqual(c.call("DBSIZE"), expected, f"round {round_no}: extra keys")
            finally:
                server.proc.kill()
                server.proc.wait()
                server.stop(keep_dir=True)
        self.assertGreater(total_acks, 1000, "the writers barely wrote anything")


class AppendFsyncEverySec(DurabilityTestCase):
    def test_writes_lost_to_kill_9_are_only_the_last_seconds(self):
        rng = random.Random(7)
        args = ("--appendonly", "yes", "--appendfsync", "everysec")
        worst = 0.0
        for _ in range(5):
            shutil.rmtree(self.dir, True)
            os.mkdir(self.dir)
            server = start_in(self.dir, *args)
            writers = [Writer(server.port, i, 0) for i in range(WRITERS)]
            for w in writers:
                w.start()
            time.sleep(rng.uniform(1.5, 3.0))
            kill_time = time.monotonic()
            os.kill(server.proc.pid, signal.SIGKILL)
            server.proc.wait()
            for w in writers:
                w.join(10)
            server.stop(keep_dir=True)
            server = start_in(self.dir, *args)
            try:
                with RespConnection(server.port, timeout=30) as c:
                    for w in writers:
                        for key, value, acked_at in w.acked_sets:
                            if c.call("GET", key) is None:
                                worst = max(worst, kill_time - acked_at)
            finally:
                server.stop()
        print(f"\neverysec: oldest acknowledged write lost to kill -9: {worst * 1000:.0f} ms "
              "before the kill", file=sys.stderr)
        self.assertLess(worst, 2.5)


if __name__ == "__main__":
    unittest.main()
