#!/usr/bin/env python3
"""Owns: measuring what a background save costs a loaded node. Starts stashd (build/stashd or
$STASHD_BIN) on a free loopback port, loads --keys keys of --value-size bytes (redis-benchmark),
then sends GETs one at a time while BGSAVE runs, and reports: fork time (INFO latest_fork_usec),
snapshot time (BGSAVE to rdb_bgsave_in_progress:0, polled), copy-on-write bytes
(rdb_last_cow_size), the largest parent+child private memory seen during the save over the
parent's before it, the snapshot size, and GET round trips during the save (worst, p99, p50).
A --write-load keeps a redis-benchmark SET load running meanwhile (more pages get copied).

Usage: bench/bgsave_latency.py [--keys 1000000] [--value-size 100] [--write-load]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from eviction_pause import STASHD, Conn, connect_when_ready, free_port, info_int  # noqa: E402


def private_bytes(pid):
    """Private (not shared) resident bytes of a process, from smaps_rollup."""
    total = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith(("Private_Clean:", "Private_Dirty:")):
                    total += int(line.split()[1]) * 1024
    except OSError:
        return 0
    return total


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keys", type=int, default=1000000)
    ap.add_argument("--value-size", type=int, default=100)
    ap.add_argument("--write-load", action="store_true")
    args = ap.parse_args()
    port = free_port()
    tmp = tempfile.mkdtemp(prefix="stashd-bgsave-")
    cmd = [STASHD, "--port", str(port), "--bind", "127.0.0.1", "--dir", tmp, "--save", ""]
    print("server:", " ".join(cmd))
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    load = None
    try:
        c = connect_when_ready(port)
        fill = ["redis-benchmark", "-p", str(port), "-t", "set", "-d", str(args.value_size),
                "-r", str(args.keys), "-n", str(args.keys * 3), "-P", "32", "-c", "8", "-q"]
        print("fill:", " ".join(fill), "(then the missing keys one by one are not added: DBSIZE "
              "is reported)")
        subprocess.run(fill, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
                       timeout=900)
        keys = int(c.call("DBSIZE"))
        base = private_bytes(server.pid)
        print(f"loaded {keys} keys, used_memory {info_int(c, 'memory', 'used_memory') >> 20} MiB, "
              f"parent private {base >> 20} MiB")
        if args.write_load:
            load = subprocess.Popen(["redis-benchmark", "-p", str(port), "-t", "set", "-d",
                                     str(args.value_size), "-r", str(args.keys), "-n",
                                     "100000000", "-c", "4", "-q"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1)
        # A second connection sends GETs back to back from before the fork until the save ends,
        # so the fork's own pause is part of what it sees.
        rtts = []
        done = threading.Event()

        def probe():
            p = Conn(port)
            while not done.is_set():
                t = time.monotonic()
                p.call("GET", "key:000000000001")
                rtts.append(time.monotonic() - t)

        prober = threading.Thread(target=probe)
        prober.start()
        time.sleep(0.2)
        peak_extra = 0
        start = time.monotonic()
        c.call("BGSAVE")
        while True:
            time.sleep(0.01)
            kids = children(server.pid)
            now_total = private_bytes(server.pid) + sum(private_bytes(k) for k in kids)
            peak_extra = max(peak_extra, now_total - base)
            if info_int(c, "persistence", "rdb_bgsave_in_progress") == 0:
                break
            if time.monotonic() - start > 900:
                raise RuntimeError("BGSAVE did not finish in 900 s")
        seconds = time.monotonic() - start
        done.set()
        prober.join()
        rtts.sort()
        pct = lambda p: rtts[min(len(rtts) - 1, int(p * len(rtts)))] * 1000
        size = os.path.getsize(os.path.join(tmp, "dump.rdb"))
        print(f"BGSAVE: fork {info_int(c, 'stats', 'latest_fork_usec') / 1000:.1f} ms, snapshot "
              f"{seconds:.2f} s, file {size >> 20} MiB, copy-on-write "
              f"{info_int(c, 'persistence', 'rdb_last_cow_size') >> 20} MiB, peak extra private "
              f"memory {peak_extra >> 20} MiB{' (under a SET load)' if args.write_load else ''}")
        print(f"GET round trips during the save: n={len(rtts)} worst={rtts[-1] * 1000:.2f} ms "
              f"p99={pct(0.99):.2f} ms p50={pct(0.50):.3f} ms")
    finally:
        if load is not None:
            load.kill()
            load.wait()
        server.terminate()
        server.wait(timeout=60)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
