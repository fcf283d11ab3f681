"""Owns: replication end to end on loopback: a primary and two replicas (full sync under load,
every data type, DEBUG DIGEST equal on all three), partial resync after a killed link, a backlog
overrun forcing a full sync, a replica restarted from its own snapshot continuing, WAIT under load,
kill -9 of the primary with promotion and the sibling continuing (+CONTINUE) without losing a
WAIT-confirmed write, and the replica-side rules (read-only, stale data, expiry left to the
primary, min-replicas-to-write, masterauth, garbage from a peer)."""

import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest

from stashd_fixture import (RespConnection, StashdProcess, info_fields, start_in,
                            wait_until)

REDIS_BENCHMARK = shutil.which("redis-benchmark")
PRIMARY_ARGS = ("--save", "", "--repl-diskless-sync-delay", "0")


def stats(node):
    with RespConnection(node.port) as c:
        return info_fields(c, "stats")


def replication(node):
    with RespConnection(node.port) as c:
        return info_fields(c, "replication")


def call(node, *args):
    with RespConnection(node.port) as c:
        return c.call(*args)


def digest(node):
    return call(node, "DEBUG", "DIGEST")


def link_up(replica):
    return replication(replica).get("master_link_status") == "up"


def start_replica(primary, *args, directory=None):
    extra = ("--replicaof", f"127.0.0.1 {primary.port}", "--save", "") + args
    node = start_in(directory, *extra) if directory else StashdProcess(*extra)
    wait_until(lambda: link_up(node), timeout=30, message="replica link up")
    return node


def caught_up(primary, *replicas):
    offset = int(replication(primary)["master_repl_offset"])
    return all(int(replication(r)["slave_repl_offset"]) >= offset for r in replicas)


def volatile_keys(node):
    with RespConnection(node.port) as c:
        return sum(int(v.split("expires=")[1].split(",")[0])
                   for v in info_fields(c, "keyspace").values())


def wait_synced(primary, *replicas):
    """Until every key with a TTL has expired on the primary (the short TTLs the writers use would
    otherwise expire between two DEBUG DIGESTs) and every replica applied the whole stream."""
    wait_until(lambda: volatile_keys(primary) == 0, timeout=30, message="short TTLs expired")
    wait_until(lambda: caught_up(primary, *replicas), timeout=60, message="replicas caught up")


def write_every_type(node, rng, n, prefix="k"):
    """n writes of every type through one pipelined connection."""
    client = node.client()
    pipe = client.pipeline(transaction=False)
    for i in range(n):
        k = rng.randrange(n // 4 + 1)
        pipe.set(f"{prefix}s{k}", rng.randrange(1 << 30))
        pipe.incrby(f"{prefix}n{k % 97}", rng.randrange(1000))
        pipe.rpush(f"{prefix}l{k % 53}", i)
        pipe.hset(f"{prefix}h{k % 41}", f"f{k}", i)
        pipe.sadd(f"{prefix}t{k % 37}", k)
        pipe.zadd(f"{prefix}z{k % 31}", {f"m{k}": rng.random()})
        pipe.append(f"{prefix}a{k % 29}", "x")
        if i % 10 == 0:
            pipe.set(f"{prefix}e{k}", "v", px=rng.randrange(50, 500))
            pipe.lpop(f"{prefix}l{k % 53}")
            pipe.srem(f"{prefix}t{k % 37}", k // 2)
        if i % 100 == 0:
            pipe.execute_command("MULTI")
            pipe.execute_command("SET", f"{prefix}x{k}", 1)
            pipe.execute_command("SET", f"{prefix}y{k}", 2)
            pipe.execute_command("EXEC")
        if len(pipe.command_stack) > 2000:
            pipe.execute()
    pipe.execute()
    client.close()


class ReplicationTest(unittest.TestCase):
    def setUp(self):
        self.nodes = []

    def tearDown(self):
        for node in self.nodes:
            node.stop()

    def node(self, node):
        self.nodes.append(node)
        return node

    def primary(self, *args):
        return self.node(StashdProcess(*PRIMARY_ARGS, *args))

    def replica(self, primary, *args, directory=None):
        return self.node(start_replica(primary, *args, directory=directory))

    @unittest.skipUnless(REDIS_BENCHMARK, "redis-benchmark not installed")
    def test_full_sync_under_load_of_every_type_ends_with_equal_digests(self):
        p = self.primary()
        r1 = self.replica(p)
        # Over a million writes of five types from redis-benchmark, a second replica joining (a
        # full sync) while they run, and mixed writes with TTLs and transactions from Python.
        bench = subprocess.Popen(
            [REDIS_BENCHMARK, "-h", "127.0.0.1", "-p", str(p.port), "-n", "220000", "-r", "50000",
             "-P", "32", "-c", "8", "-q", "-t", "set,incr,lpush,sadd,hset,zadd"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(0.3)  # let the load start: the second replica must sync under it
            r2 = self.replica(p)
            write_every_type(p, random.Random(7), 20000)
            self.assertEqual(bench.wait(timeout=300), 0)
        finally:
            if bench.poll() is None:
                bench.kill()
        self.assertGreater(int(stats(p)["total_commands_processed"]), 1_000_000)
        self.assertEqual(call(p, "WAIT", "2", "5000"), 2)
        wait_synced(p, r1, r2)
        self.assertEqual(digest(p), digest(r1))
        self.assertEqual(digest(p), digest(r2))
        self.assertEqual(call(p, "DBSIZE"), call(r2, "DBSIZE"))
        self.assertGreaterEqual(int(stats(p)["sync_full"]), 2)

    def test_killed_link_resumes_with_a_partial_resync(self):
        p = self.primary()
        r1, r2 = self.replica(p), self.replica(p)
        write_every_type(p, random.Random(1), 2000)
        wait_synced(p, r1, r2)
        before = stats(p)
        self.assertEqual(call(p, "CLIENT", "KILL", "TYPE", "replica"), 2)
        write_every_type(p, random.Random(2), 500, prefix="after")
        wait_until(lambda: int(stats(p)["sync_partial_ok"]) == int(before["sync_partial_ok"]) + 2,
                   timeout=20, message="two partial resyncs")
        self.assertEqual(stats(p)["sync_full"], before["sync_full"])
        wait_synced(p, r1, r2)
        self.assertEqual(digest(p), digest(r1))
        self.assertEqual(digest(p), digest(r2))

    def test_backlog_overrun_forces_a_full_sync(self):
        p = self.primary("--repl-backlog-size", "16kb")
        r = self.replica(p)
        wait_synced(p, r)
        before = stats(p)
        os.kill(r.proc.pid, signal.SIGSTOP)
        try:
            call(p, "CLIENT", "KILL", "TYPE", "replica")
            write_every_type(p, random.Random(3), 3000)  # far more than 16 kB of stream
        finally:
            os.kill(r.proc.pid, signal.SIGCONT)
        wait_until(lambda: int(stats(p)["sync_full"]) == int(before["sync_full"]) + 1, timeout=30,
                   message="a full sync")
        self.assertEqual(int(stats(p)["sync_partial_err"]), int(before["sync_partial_err"]) + 1)
        self.assertIn("outside the backlog", p.read_log())
        wait_synced(p, r)
        self.assertEqual(digest(p), digest(r))

    def test_replica_restarted_from_its_own_snapshot_continues(self):
        p = self.primary()
        data = tempfile.mkdtemp(prefix="stashd-replica-")
        self.addCleanup(shutil.rmtree, data, ignore_errors=True)
        r = self.node(start_replica(p, directory=data))
        write_every_type(p, random.Random(4), 2000)
        wait_synced(p, r)
        self.assertEqual(call(r, "SAVE"), "OK")
        os.kill(r.proc.pid, signal.SIGKILL)
        r.proc.wait()
        r.stop(keep_dir=True)
        write_every_type(p, random.Random(5), 300, prefix="gap")  # written while it was down
        before = stats(p)
        r = self.replica(p, directory=data)
        wait_synced(p, r)
        after = stats(p)
        self.assertEqual(int(after["sync_partial_ok"]), int(before["sync_partial_ok"]) + 1)
        self.assertEqual(after["sync_full"], before["sync_full"])
        self.assertEqual(digest(p), digest(r))

    def test_wait_counts_replicas_under_load(self):
        p = self.primary()
        r1 = self.replica(p)
        self.replica(p)
        stop = threading.Event()

        def writer():
            client = p.client()
            i = 0
            while not stop.is_set() and i < 200000:
                client.set(f"w{i % 1000}", i)
                i += 1
            client.close()

        t = threading.Thread(target=writer)
        t.start()
        try:
            for _ in range(20):
                self.assertEqual(call(p, "WAIT", "2", "1000"), 2)
        finally:
            stop.set()
            t.join()
        # Three replicas cannot acknowledge: WAIT times out with the two that did.
        started = time.monotonic()
        self.assertEqual(call(p, "WAIT", "3", "200"), 2)
        self.assertGreaterEqual(time.monotonic() - started, 0.19)
        with RespConnection(r1.port) as c:
            self.assertIn("WAIT cannot be used with replica", str(c.call("WAIT", "1", "10")))

    def test_kill9_primary_promote_and_the_sibling_continues_without_losing_confirmed_writes(self):
        p = self.primary()
        r1, r2 = self.replica(p), self.replica(p)
        confirmed = {}
        client = p.client()
        for i in range(300):
            client.set(f"c{i}", i)
            if i % 10 == 9 and client.execute_command("WAIT", 2, 2000) == 2:
                confirmed.update({f"c{j}": str(j) for j in range(i + 1)})
        client.close()
        self.assertEqual(len(confirmed), 300)
        os.kill(p.proc.pid, signal.SIGKILL)
        p.proc.wait()
        wait_until(lambda: not link_up(r1) and not link_up(r2), message="links down")
        self.assertEqual(call(r1, "REPLICAOF", "NO", "ONE"), "OK")
        info = replication(r1)
        self.assertEqual(info["role"], "master")
        self.assertNotEqual(info["master_replid2"], "0" * 40)
        self.assertEqual(call(r2, "REPLICAOF", "127.0.0.1", str(r1.port)), "OK")
        wait_until(lambda: link_up(r2), timeout=20, message="sibling follows the promoted replica")
        s = stats(r1)
        self.assertEqual(s["sync_partial_ok"], "1")
        self.assertEqual(s["sync_full"], "0")
        self.assertEqual(call(r1, "SET", "after", "1"), "OK")
        self.assertEqual(call(r1, "WAIT", "1", "2000"), 1)
        for node in (r1, r2):
            values = node.client(decode_responses=True).mget(list(confirmed))
            self.assertEqual(values, list(confirmed.values()))
        self.assertEqual(call(r2, "GET", "after"), b"1")
        self.assertEqual(digest(r1), digest(r2))

    def test_failover_hands_over_without_losing_acknowledged_writes(self):
        p = self.primary()
        r1 = self.replica(p)
        self.replica(p)  # a second replica: the target is chosen, not the only one
        acknowledged = []
        stop = threading.Event()

        def writer():
            client = p.client()
            i = 0
            while not stop.is_set() and i < 100000:
                try:
                    client.set(f"f{i}", i)
                except Exception:
                    break  # READONLY once the handover is done
                acknowledged.append(i)
                i += 1
            client.close()

        t = threading.Thread(target=writer)
        t.start()
        try:
            wait_until(lambda: len(acknowledged) > 500, message="writes flowing")
            self.assertEqual(call(p, "FAILOVER", "TO", "127.0.0.1", str(r1.port), "TIMEOUT", "5000"),
                             "OK")
            wait_until(lambda: replication(r1)["role"] == "master" and link_up(p), timeout=20,
                       message="r1 took over, the old primary follows it")
        finally:
            stop.set()
            t.join()
        self.assertEqual(replication(p)["master_failover_state"], "no-failover")
        self.assertEqual(stats(r1)["sync_full"], "0")  # the old primary continued (+CONTINUE)
        self.assertTrue(str(call(p, "SET", "x", "1")).startswith("READONLY"))
        values = r1.client(decode_responses=True).mget([f"f{i}" for i in acknowledged])
        self.assertEqual(values, [str(i) for i in acknowledged])
        wait_synced(r1, p)
        self.assertEqual(digest(r1), digest(p))
        # Errors as Redis words them.
        self.assertTrue(str(call(p, "FAILOVER")).startswith("ERR FAILOVER is not valid when server is a replica"))
        self.assertEqual(str(call(r1, "FAILOVER", "ABORT")), "ERR No failover in progress.")
        self.assertTrue(str(call(r1, "FAILOVER", "TO", "127.0.0.1", "1", "TIMEOUT", "10"))
                        .startswith("ERR FAILOVER target HOST and PORT is not a replica"))

    def test_evictions_on_the_primary_reach_the_replicas(self):
        p = self.primary("--maxmemory", "20mb", "--maxmemory-policy", "allkeys-random")
        r = self.replica(p)
        client = p.client()
        pipe = client.pipeline(transaction=False)
        for i in range(200000):  # ~40 MB of values into 20 MB: tens of thousands of evictions
            pipe.set(f"key:{i}", "v" * 100)
            if i % 2000 == 1999:
                pipe.execute()
        pipe.execute()
        self.assertGreater(int(stats(p)["evicted_keys"]), 10000)
        # Background eviction may still be under way: lifting the limit stops it, so the digests
        # compare one settled dataset.
        self.assertEqual(call(p, "CONFIG", "SET", "maxmemory", "0"), "OK")
        wait_synced(p, r)
        self.assertEqual(call(p, "DBSIZE"), call(r, "DBSIZE"))
        self.assertEqual(digest(p), digest(r))
        # The link survived the DELs interleaved with its acknowledgements: no resync happened.
        self.assertEqual(stats(p)["sync_full"], "1")

    def test_other_databases_survive_partial_resyncs_and_restarts(self):
        p = self.primary()
        data = tempfile.mkdtemp(prefix="stashd-replica-")
        self.addCleanup(shutil.rmtree, data, ignore_errors=True)
        r1 = self.replica(p)
        r2 = self.node(start_replica(p, directory=data))
        client5 = p.client(db=5)
        client5.set("a", 1)
        wait_synced(p, r1, r2)
        call(p, "CLIENT", "KILL", "TYPE", "replica")
        wait_until(lambda: link_up(r1) and link_up(r2), message="links back")
        client5.set("b", 2)  # no SELECT follows a +CONTINUE: the link must still be in db 5
        wait_synced(p, r1, r2)
        self.assertEqual(call(r2, "SAVE"), "OK")
        os.kill(r2.proc.pid, signal.SIGKILL)
        r2.proc.wait()
        r2.stop(keep_dir=True)
        client5.set("c", 3)
        r2 = self.replica(p, directory=data)
        client5.set("d", 4)
        wait_synced(p, r1, r2)
        for node in (r1, r2):
            self.assertEqual(node.client(db=5).mget("a", "b", "c", "d"), [b"1", b"2", b"3", b"4"])
            self.assertEqual(node.client(db=0).dbsize(), 0)
            self.assertEqual(digest(node), digest(p))
        self.assertEqual(stats(p)["sync_full"], "2")

    def test_a_replicas_own_publish_does_not_enter_its_stream(self):
        p = self.primary()
        r = self.replica(p)
        wait_synced(p, r)
        before = replication(r)["master_repl_offset"]
        self.assertEqual(call(r, "PUBLISH", "chan", "local"), 0)
        self.assertEqual(replication(r)["master_repl_offset"], before)
        os.kill(r.proc.pid, signal.SIGSTOP)
        try:
            call(p, "SET", "x", "1")
            self.assertEqual(call(p, "WAIT", "1", "300"), 0)  # the stopped replica has not got it
        finally:
            os.kill(r.proc.pid, signal.SIGCONT)
        wait_synced(p, r)
        self.assertEqual(digest(p), digest(r))

    def test_replica_rules(self):
        p = self.primary()
        call(p, "DEBUG", "SET-ACTIVE-EXPIRE", "0")
        r = self.replica(p, "--replica-serve-stale-data", "no")
        with RespConnection(r.port) as c:
            err = c.call("SET", "x", "1")
            self.assertEqual(str(err), "READONLY You can't write against a read only replica.")
            role = c.call("ROLE")
            self.assertEqual(role[0], b"slave")
            self.assertEqual(role[3], b"connected")
        self.assertEqual(call(p, "ROLE")[0], b"master")
        # An expired key: hidden on the replica but left for the primary's DEL.
        call(p, "SET", "gone", "v", "PX", "100")
        wait_until(lambda: caught_up(p, r), message="replica caught up")
        time.sleep(0.15)  # the key's own deadline: nothing to poll for
        self.assertIsNone(call(r, "GET", "gone"))
        self.assertEqual(call(r, "DBSIZE"), 1)
        self.assertIsNone(call(p, "GET", "gone"))  # the primary expires it and sends DEL
        wait_until(lambda: call(r, "DBSIZE") == 0, message="DEL reached the replica")
        # Link down with replica-serve-stale-data no: data commands refused, INFO still answers.
        p.stop()
        self.nodes.remove(p)
        wait_until(lambda: not link_up(r), message="link down")
        with RespConnection(r.port) as c:
            self.assertTrue(str(c.call("GET", "k")).startswith("MASTERDOWN"))
            self.assertIn("master_link_down_since_seconds", info_fields(c, "replication"))

    def test_min_replicas_to_write_and_masterauth(self):
        p = self.primary("--requirepass", "s3cret", "--min-replicas-to-write", "1")
        with RespConnection(p.port) as c:
            c.call("AUTH", "s3cret")
            self.assertEqual(str(c.call("SET", "a", "1")), "NOREPLICAS Not enough good replicas to write.")
            self.assertEqual(c.call("GET", "a"), None)
        bad = self.node(StashdProcess("--replicaof", f"127.0.0.1 {p.port}", "--masterauth", "wrong"))
        wait_until(lambda: "Unable to AUTH" in bad.read_log(), message="auth failure logged")
        self.assertEqual(replication(bad)["master_link_status"], "down")
        self.replica(p, "--masterauth", "s3cret")
        with RespConnection(p.port) as c:
            c.call("AUTH", "s3cret")
            wait_until(lambda: c.call("SET", "a", "1") == "OK", message="writes accepted")

    def test_a_delayed_diskless_sync_keeps_the_link_alive_with_newlines(self):
        # Redis's default delay is 5 s; 2 s is enough for the primary's once-a-second keepalive
        # newline to arrive before its +FULLRESYNC.
        p = self.node(StashdProcess("--save", "", "--repl-diskless-sync-delay", "2"))
        call(p, "SET", "k", "v")
        r = self.replica(p)
        self.assertEqual(call(r, "GET", "k"), b"v")
        self.assertEqual(stats(p)["sync_full"], "1")
        self.assertNotIn("Unexpected reply", r.read_log())

    def test_disk_based_sync(self):
        p = self.primary("--repl-diskless-sync", "no")
        write_every_type(p, random.Random(6), 2000)
        r = self.replica(p)
        wait_synced(p, r)
        self.assertEqual(digest(p), digest(r))
        self.assertEqual([f for f in os.listdir(p.dir) if f.startswith("repl-sync")], [])

    def fake_primary(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        listener.settimeout(20)
        self.addCleanup(listener.close)
        return listener

    @staticmethod
    def handshake(conn, psync_reply):
        """Plays a primary's side of the handshake up to PSYNC; returns what the replica sent."""
        conn.settimeout(10)
        received = b""
        replies = [b"+PONG\r\n", b"+OK\r\n", b"+OK\r\n", psync_reply]
        while replies:
            chunk = conn.recv(4096)
            if not chunk:
                raise AssertionError(f"replica closed the handshake after {received!r}")
            received += chunk
            # One reply per complete command received.
            while replies and received.count(b"\r\n") >= 1 and received.startswith(b"*"):
                count = int(received[1:received.index(b"\r\n")])
                lines = received.split(b"\r\n")
                if len(lines) < 1 + 2 * count + 1:
                    break
                consumed = b"\r\n".join(lines[:1 + 2 * count]) + b"\r\n"
                received = received[len(consumed):]
                conn.sendall(replies.pop(0))
        return received

    def test_a_primary_dying_mid_transfer_leaves_the_old_data_and_the_replica_retries(self):
        listener = self.fake_primary()
        r = self.node(StashdProcess("--save", ""))
        call(r, "SET", "old", "data")
        self.assertEqual(call(r, "REPLICAOF", "127.0.0.1", str(listener.getsockname()[1])), "OK")
        conn, _ = listener.accept()
        self.handshake(conn, b"+FULLRESYNC " + b"a" * 40 + b" 0\r\n")
        conn.sendall(b"$100000\r\n" + b"x" * 1000)  # 1% of the snapshot, then the primary dies
        wait_until(lambda: replication(r).get("master_sync_in_progress") == "1",
                   message="transfer in progress")
        conn.close()
        wait_until(lambda: "Link with MASTER" in r.read_log(), message="the drop is logged")
        self.assertEqual(call(r, "GET", "old"), b"data")  # replica-serve-stale-data yes
        self.assertEqual(replication(r)["master_link_status"], "down")
        retry, _ = listener.accept()  # it tries again (after its backoff)
        retry.close()
        self.assertEqual([f for f in os.listdir(r.dir) if f.startswith("temp-")], [])

    def test_garbage_in_the_stream_closes_the_link_with_a_reason(self):
        listener = self.fake_primary()
        r = self.node(StashdProcess("--save", ""))
        call(r, "REPLICAOF", "127.0.0.1", str(listener.getsockname()[1]))
        conn, _ = listener.accept()
        self.handshake(conn, b"+FULLRESYNC " + b"b" * 40 + b" 0\r\n")
        # An empty but valid snapshot from a real node, then a command, then garbage.
        donor = self.node(StashdProcess("--save", ""))
        call(donor, "SET", "k", "v")
        call(donor, "SAVE")
        with open(os.path.join(donor.dir, "dump.rdb"), "rb") as f:
            snapshot = f.read()
        conn.sendall(b"$%d\r\n" % len(snapshot) + snapshot +
                     b"*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$1\r\n1\r\n*zz\r\n")
        wait_until(lambda: "protocol error in the replication stream" in r.read_log(),
                   message="the reason is logged")
        self.assertEqual(call(r, "GET", "k"), b"v")
        self.assertEqual(call(r, "GET", "x"), b"1")
        conn.close()

    def test_a_replica_that_cannot_keep_up_is_dropped_at_its_output_limit(self):
        p = self.primary("--client-output-buffer-limit", "replica 1mb 0 0")
        r = self.replica(p)
        wait_synced(p, r)
        os.kill(r.proc.pid, signal.SIGSTOP)
        try:
            client = p.client()
            value = "v" * 10000
            pipe = client.pipeline(transaction=False)
            for i in range(2000):  # 20 MB of stream the stopped replica cannot read
                pipe.set(f"big{i}", value)
            pipe.execute()
            wait_until(lambda: replication(p)["connected_slaves"] == "0", timeout=20,
                       message="the replica dropped")
            self.assertIn("client-output-buffer-limit", p.read_log())
            rss_used = int(call(p, "INFO", "memory").decode().split("used_memory:")[1].split()[0])
            self.assertLess(rss_used, 200 << 20)
        finally:
            os.kill(r.proc.pid, signal.SIGCONT)
        wait_until(lambda: link_up(r), timeout=30, message="the replica resyncs")
        wait_synced(p, r)
        self.assertEqual(digest(p), digest(r))

    def test_garbage_from_a_peer_closes_the_link_with_a_reason(self):
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        port = listener.getsockname()[1]
        r = self.node(StashdProcess("--replicaof", f"127.0.0.1 {port}"))
        conn, _ = listener.accept()
        conn.recv(100)
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\n")
        wait_until(lambda: "Unexpected reply to PING" in r.read_log(), message="reason logged")
        conn.close()
        # It retries (a new connection) and keeps serving its clients meanwhile.
        listener.settimeout(10)
        again, _ = listener.accept()
        again.close()
        listener.close()
        self.assertEqual(call(r, "PING"), "PONG")
        self.assertEqual(replication(r)["master_link_status"], "down")


if __name__ == "__main__":
    unittest.main()
