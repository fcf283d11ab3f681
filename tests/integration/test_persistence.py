"""Owns: snapshots end to end against the real binary: SAVE/BGSAVE/LASTSAVE and their INFO
fields, a BGSAVE taken under a write load restores (after kill -9) to exactly the digest at the
fork, TTLs survive as absolute deadlines, save points fire, SHUTDOWN and SIGTERM save (NOSAVE does
not), a failing background save turns writes into -MISCONF until a save succeeds, a killed child
leaves no temp file, clients get -LOADING while a big snapshot loads, and a truncated or corrupt
snapshot stops start-up with a clear message."""
import glob
import os
import signal
import subprocess
import threading
import time
import unittest

from stashd_fixture import (start_in, STASHD_BIN, RespConnection, RespError, StashdProcess,
                            encode_command, save_and_kill_with_keys, wait_until)
from stashd_fixture import info_fields as info


def load_mixed(conn, n, prefix="k"):
    """Every type, some keys with TTLs; pipelined."""
    cmds = []
    for i in range(n):
        kind = i % 5
        key = f"{prefix}:{i}"
        if kind == 0:
            cmds.append(encode_command("SET", key, f"value-{i}" * (1 + i % 7)))
        elif kind == 1:
            cmds.append(encode_command("RPUSH", key, *[f"e{j}" for j in range(1 + i % 20)]))
        elif kind == 2:
            cmds.append(encode_command("HSET", key, *[x for j in range(1 + i % 10)
                                                      for x in (f"f{j}", str(j))]))
        elif kind == 3:
            cmds.append(encode_command("SADD", key, *[str(j * 7) for j in range(1 + i % 30)]))
        else:
            cmds.append(encode_command("ZADD", key, *[x for j in range(1 + i % 10)
                                                      for x in (str(j / 3), f"m{j}")]))
        if i % 3 == 0:
            cmds.append(encode_command("PEXPIRE", key, 3600000 + i))
    for start in range(0, len(cmds), 5000):
        batch = cmds[start:start + 5000]
        conn.send(b"".join(batch))
        for _ in batch:
            reply = conn.read_reply()
            assert not isinstance(reply, RespError), reply


def data_dir(server):
    """The directory a node keeps its files in (a restarted node reuses its predecessor's)."""
    return getattr(server, "data_dir", server.dir)


def child_pids(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


class PersistenceTestCase(unittest.TestCase):
    def start(self, *args, directory=None):
        server = StashdProcess(*args) if directory is None else StashdProcess(
            "--dir", directory, *args)
        self.addCleanup(server.stop)
        return server

    def restart(self, server, *args, kill=True):
        """Stops the server (kill -9 by default) keeping its directory; starts a new one there."""
        if kill:
            server.proc.kill()
            server.proc.wait()
        else:
            server.proc.terminate()
            server.proc.wait(timeout=30)
        server.stop(keep_dir=True)
        again = start_in(data_dir(server), *args)
        self.addCleanup(again.stop)
        return again


class SaveAndBgsave(PersistenceTestCase):
    def test_save_restores_every_type_with_absolute_ttls(self):
        server = self.start()
        with RespConnection(server.port, timeout=60) as c:
            load_mixed(c, 20000)
            digest = c.call("DEBUG", "DIGEST")
            before = c.call("LASTSAVE")
            time.sleep(1.1)  # LASTSAVE has one-second resolution
            self.assertEqual(c.call("SAVE"), "OK")
            self.assertGreater(c.call("LASTSAVE"), before)
            deadline = c.call("PEXPIRETIME", "k:0")
        server = self.restart(server)
        with RespConnection(server.port, timeout=60) as c:
            self.assertEqual(c.call("DEBUG", "DIGEST"), digest)
            self.assertEqual(c.call("DBSIZE"), 20000)
            self.assertEqual(c.call("PEXPIRETIME", "k:0"), deadline)

    def test_bgsave_under_write_load_restores_the_dataset_at_the_fork(self):
        server = self.start()
        with RespConnection(server.port, timeout=60) as c:
            load_mixed(c, 100000)
            stop = threading.Event()

            def writer():
                with RespConnection(server.port, timeout=60) as w:
                    i = 0
                    while not stop.is_set() and i < 2000000:
                        w.send(b"".join(encode_command("SET", f"live:{i + j}", "x" * 50)
                                        for j in range(100)))
                        for _ in range(100):
                            w.read_reply()
                        i += 100

            thread = threading.Thread(target=writer)
            thread.start()
            try:
                # The digest and the fork happen in one transaction: nothing runs in between.
                c.call("MULTI")
                c.call("DEBUG", "DIGEST")
                c.call("BGSAVE")
                digest, started = c.call("EXEC")
                self.assertEqual(started, "Background saving started")
                wait_until(lambda: info(c, "persistence")["rdb_bgsave_in_progress"] == "0",
                           timeout=60, message="background save finished")
            finally:
                stop.set()
                thread.join(60)
            fields = info(c, "persistence")
            self.assertEqual(fields["rdb_last_bgsave_status"], "ok")
            self.assertGreater(int(fields["rdb_last_cow_size"]), 0)
            self.assertGreater(int(info(c, "stats")["latest_fork_usec"]), 0)
            self.assertEqual(int(info(c, "stats")["total_forks"]), 1)
        server = self.restart(server)
        with RespConnection(server.port, timeout=60) as c:
            self.assertEqual(c.call("DEBUG", "DIGEST"), digest)

    def test_a_second_bgsave_while_one_runs_is_refused(self):
        server = self.start()
        with RespConnection(server.port, timeout=60) as c:
            load_mixed(c, 200000)
            self.assertEqual(c.call("BGSAVE"), "Background saving started")
            second = c.call("BGSAVE")
            if isinstance(second, RespError):  # the first may already have finished
                self.assertIn("Background save already in progress", str(second))
            wait_until(lambda: info(c, "persistence")["rdb_bgsave_in_progress"] == "0",
                       timeout=60, message="background save finished")
            self.assertIn("syntax error", str(c.call("BGSAVE", "NOW")))

    def test_save_points_fire_from_the_cron(self):
        server = self.start("--save", "1 5")
        with RespConnection(server.port) as c:
            for i in range(10):
                c.call("SET", f"k{i}", "v")
            wait_until(lambda: int(info(c, "persistence")["rdb_saves"]) >= 1, timeout=10,
                       message="save point triggered a background save")
            self.assertEqual(info(c, "persistence")["rdb_changes_since_last_save"], "0")
        self.assertTrue(os.path.exists(os.path.join(server.dir, "dump.rdb")))


class SavingOnExit(PersistenceTestCase):
    def test_shutdown_saves_and_nosave_does_not(self):
        server = self.start()
        with RespConnection(server.port) as c:
            c.call("SET", "kept", "1")
            c.send_command("SHUTDOWN")
        server.proc.wait(timeout=30)
        server.stop(keep_dir=True)
        server = start_in(data_dir(server))
        self.addCleanup(server.stop)
        with RespConnection(server.port) as c:
            self.assertEqual(c.call("GET", "kept"), b"1")
            c.call("SET", "lost", "1")
            c.send_command("SHUTDOWN", "NOSAVE")
        server.proc.wait(timeout=30)
        server.stop(keep_dir=True)
        server = start_in(data_dir(server))
        self.addCleanup(server.stop)
        with RespConnection(server.port) as c:
            self.assertEqual(c.call("GET", "kept"), b"1")
            self.assertIsNone(c.call("GET", "lost"))

    def test_commands_pipelined_behind_shutdown_are_not_acknowledged(self):
        server = self.start()
        with RespConnection(server.port) as c:
            c.call("SET", "kept", "1")
            c.send(b"SHUTDOWN\r\nSET late 1\r\n")
            self.assertTrue(c.closed_by_server(timeout=30))
            self.assertNotIn(b"+OK", bytes(c.buf[c.pos:]))
        server = self.restart(server, kill=False)
        with RespConnection(server.port) as c:
            self.assertEqual(c.call("GET", "kept"), b"1")
            self.assertIsNone(c.call("GET", "late"))

    def test_sigterm_saves_when_save_points_are_configured(self):
        server = self.start()
        with RespConnection(server.port) as c:
            c.call("SET", "k", "v")
        server = self.restart(server, kill=False)
        with RespConnection(server.port) as c:
            self.assertEqual(c.call("GET", "k"), b"v")

    def test_without_save_points_sigterm_does_not_save(self):
        server = self.start("--save", "")
        with RespConnection(server.port) as c:
            c.call("SET", "k", "v")
        server = self.restart(server, "--save", "", kill=False)
        with RespConnection(server.port) as c:
            self.assertEqual(c.call("DBSIZE"), 0)


class FailedSaves(PersistenceTestCase):
    def test_failed_bgsave_turns_writes_into_misconf_until_a_save_succeeds(self):
        server = self.start()
        gone = os.path.join(server.dir, "gone")
        os.mkdir(gone)
        with RespConnection(server.port) as c:
            c.call("SET", "k", "v")
            self.assertEqual(c.call("CONFIG", "SET", "dir", gone), "OK")
            os.rmdir(gone)
            self.assertEqual(c.call("BGSAVE"), "Background saving started")
            wait_until(lambda: info(c, "persistence")["rdb_last_bgsave_status"] == "err",
                       message="background save failed")
            self.assertRegex(str(c.call("SET", "k", "w")), "^MISCONF ")
            self.assertRegex(str(c.call("PING")), "^MISCONF ")
            self.assertEqual(c.call("GET", "k"), b"v")  # reads go on
            self.assertEqual(c.call("CONFIG", "SET", "dir", server.dir), "OK")
            self.assertEqual(c.call("BGSAVE"), "Background saving started")
            wait_until(lambda: info(c, "persistence")["rdb_last_bgsave_status"] == "ok",
                       message="background save succeeded")
            self.assertEqual(c.call("SET", "k", "w"), "OK")
            self.assertEqual(c.call("CONFIG", "SET", "stop-writes-on-bgsave-error", "no"), "OK")

    def test_a_killed_child_is_reported_and_leaves_no_temp_file(self):
        server = self.start()
        with RespConnection(server.port, timeout=60) as c:
            load_mixed(c, 300000)
            self.assertEqual(c.call("BGSAVE"), "Background saving started")
            children = child_pids(server.proc.pid)
            if not children:
                self.skipTest("the background save finished before it could be killed")
            os.kill(children[0], signal.SIGKILL)
            wait_until(lambda: info(c, "persistence")["rdb_bgsave_in_progress"] == "0",
                       message="killed child reaped")
            self.assertEqual(info(c, "persistence")["rdb_last_bgsave_status"], "err")
            self.assertEqual(glob.glob(os.path.join(server.dir, "temp-*.rdb")), [])

    def test_save_into_a_full_filesystem_fails_cleanly(self):
        mount_dir = os.path.join(self.start().dir, "small")
        os.mkdir(mount_dir)
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount_dir],
                                 capture_output=True)
        if mounted.returncode != 0:
            self.skipTest("cannot mount a small tmpfs here: "
                          + mounted.stderr.decode(errors="replace").strip())
        self.addCleanup(subprocess.run, ["umount", "-l", mount_dir])
        server = self.start(directory=mount_dir)
        with RespConnection(server.port, timeout=60) as c:
            # Random bytes: LZ4 cannot shrink them below the 1 MiB the filesystem holds.
            c.send(b"".join(encode_command("SET", f"k{i}", os.urandom(1000)) for i in range(5000)))
            for _ in range(5000):
                c.read_reply()
            reply = c.call("SAVE")
            self.assertIsInstance(reply, RespError)
            self.assertIn("No space left on device", str(reply))
            self.assertEqual(glob.glob(os.path.join(mount_dir, "temp-*.rdb")), [])
            self.assertEqual(c.call("BGSAVE"), "Background saving started")
            wait_until(lambda: info(c, "persistence")["rdb_last_bgsave_status"] == "err",
                       message="background save failed on a full disk")
            self.assertRegex(str(c.call("SET", "x", "1")), "^MISCONF ")
            self.assertEqual(glob.glob(os.path.join(mount_dir, "temp-*.rdb")), [])


class LoadingAtStartup(PersistenceTestCase):
    def test_clients_get_loading_while_a_big_snapshot_loads(self):
        server = self.start()
        save_and_kill_with_keys(server)
        port = server.port
        log = open(os.path.join(server.dir, "restart.log"), "w")
        proc = subprocess.Popen([STASHD_BIN, "--port", str(port), "--bind", "127.0.0.1", "--dir",
                                 server.dir], stdout=log, stderr=subprocess.STDOUT)
        self.addCleanup(lambda: (proc.kill(), proc.wait(), log.close()))
        saw_loading = []

        def probe():
            try:
                with RespConnection(port, timeout=5) as p:
                    reply = p.call("GET", "key:1")
                    if isinstance(reply, RespError):
                        self.assertEqual(str(reply),
                                         "LOADING stashd is loading the dataset in memory")
                        fields = info(p, "persistence")
                        # Loading may finish between the two commands.
                        saw_loading.append(float(fields["loading_loaded_perc"])
                                           if fields["loading"] == "1" else 100.0)
                        return False
                    return reply == b"v" * 100
            except OSError:
                return False

        wait_until(probe, timeout=60, interval=0.001, message="snapshot loaded")
        with RespConnection(port) as c:
            self.assertEqual(c.call("DBSIZE"), 1000000)
        # Loading 1M keys takes long enough on any machine for a probe to land in it.
        self.assertTrue(saw_loading, "no -LOADING reply was seen")
        self.assertTrue(all(0.0 <= p <= 100.0 for p in saw_loading))

    def test_truncated_or_corrupt_snapshot_stops_startup_with_a_clear_error(self):
        server = self.start()
        with RespConnection(server.port) as c:
            load_mixed(c, 2000)
            self.assertEqual(c.call("SAVE"), "OK")
        server.proc.kill()
        server.proc.wait()
        server.stop(keep_dir=True)
        path = os.path.join(server.dir, "dump.rdb")
        with open(path, "rb") as f:
            data = f.read()
        for name, broken in (("truncated", data[:len(data) // 2]),
                             ("flipped", data[:len(data) // 3] + bytes([data[len(data) // 3] ^ 0xFF])
                              + data[len(data) // 3 + 1:])):
            with open(path, "wb") as f:
                f.write(broken)
            out = subprocess.run([STASHD_BIN, "--port", "0", "--dir", server.dir],
                                 capture_output=True, timeout=30)
            self.assertNotEqual(out.returncode, 0, name)
            text = (out.stdout + out.stderr).decode(errors="replace")
            self.assertIn("Fatal error loading the snapshot", text, name)
            self.assertIn("dump.rdb", text, name)


if __name__ == "__main__":
    unittest.main()
