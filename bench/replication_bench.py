#!/usr/bin/python3
"""Owns: the side-by-side replication benchmark: a stashd primary with two stashd replicas and a
redis-server primary with two redis-server replicas (all on loopback, no persistence), the same
redis-benchmark write load against each primary, interleaved over rounds, printing requests per
second, the stashd/redis ratio, and the replication lag under that load: every 10 ms the primary's
INFO replication is sampled and each replica's lag is master_repl_offset minus its acknowledged
offset (bytes; replicas acknowledge once a second, as Redis's do), and minus the offset the replica
itself reports having applied, reported as p50/p99 per server.

With --sync-keys N it measures a full sync instead: a primary filled with about N keys of 100
bytes (redis-benchmark SETs), then the time from starting a replica to its master_link_status:up,
for each server.

Usage: bench/replication_bench.py [--rounds 3] [--requests 200000] [--pipeline 16]
       [--clients 50] [--tests set,incr,lpush,hset] [--sync-keys N]
       (stashd from build/stashd or $STASHD_BIN)"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from eviction_pause import STASHD, free_port  # noqa: E402


def cli(port, *args):
    return subprocess.run(["redis-cli", "-p", str(port), *args], capture_output=True, text=True,
                          timeout=30).stdout


def info_replication(port):
    fields = {}
    for line in cli(port, "INFO", "replication").splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            fields[k] = v.strip()
    return fields


def wait_until(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise SystemExit("timed out waiting for the servers")


class Cluster:
    """A primary and two replicas of one server kind."""

    def __init__(self, kind):
        self.kind = kind
        self.dir = tempfile.mkdtemp(prefix=f"repl-bench-{kind}-")
        self.ports = [free_port() for _ in range(3)]
        self.procs = []
        for i, port in enumerate(self.ports):
            args = self.command(port, os.path.join(self.dir, str(i)))
            if i > 0:
                args += ["--replicaof", "127.0.0.1", str(self.ports[0])] if kind == "redis" else \
                        ["--replicaof", f"127.0.0.1 {self.ports[0]}"]
            log = open(os.path.join(self.dir, f"{i}.log"), "w")
            self.procs.append(subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT))
            wait_until(lambda p=port: cli(p, "PING").strip() == "PONG")
        wait_until(lambda: info_replication(self.ports[0]).get("connected_slaves") == "2" and all(
            info_replication(p).get("master_link_status") == "up" for p in self.ports[1:]))

    def command(self, port, directory):
        os.makedirs(directory)
        common = ["--port", str(port), "--bind", "127.0.0.1", "--dir", directory, "--save", "",
                  "--repl-diskless-sync-delay", "0"]
        if self.kind == "redis":
            return ["redis-server", *common, "--appendonly", "no"]
        return [STASHD, *common]

    def lag_samples(self, stop, out, applied):
        while not stop.is_set():
            fields = info_replication(self.ports[0])
            master = int(fields.get("master_repl_offset", 0))
            for k, v in fields.items():
                if k.startswith("slave") and "offset=" in v:
                    acked = int(v.split("offset=")[1].split(",")[0])
                    out.append(max(0, master - acked))
            # What the replicas applied (read just after the primary's offset: a lower bound).
            for port in self.ports[1:]:
                replica = int(info_replication(port).get("slave_repl_offset", 0))
                applied.append(max(0, master - replica))
            time.sleep(0.01)

    def stop(self):
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def run_load(port, args, test):
    out = subprocess.run(
        ["redis-benchmark", "-p", str(port), "-t", test, "-n", str(args.requests), "-P",
         str(args.pipeline), "-c", str(args.clients), "-r", "1000000", "-d", "100", "--csv"],
        capture_output=True, text=True, timeout=600).stdout
    for line in out.splitlines():
        cells = [c.strip('"') for c in line.split(",")]
        if len(cells) >= 2 and cells[0] != "test":
            return float(cells[1])
    raise SystemExit(f"no result from redis-benchmark: {out}")


def full_sync_seconds(kind, keys):
    """Seconds from starting a replica of a primary holding ~`keys` keys to its link being up."""
    directory = tempfile.mkdtemp(prefix=f"repl-sync-{kind}-")
    ports = [free_port(), free_port()]
    procs = []
    try:
        for i, port in enumerate(ports):
            node_dir = os.path.join(directory, str(i))
            os.makedirs(node_dir)
            args = ["--port", str(port), "--bind", "127.0.0.1", "--dir", node_dir, "--save", "",
                    "--repl-diskless-sync-delay", "0"]
            if i == 1:
                args += (["--replicaof", "127.0.0.1", str(ports[0])] if kind == "redis"
                         else ["--replicaof", f"127.0.0.1 {ports[0]}"])
                started = time.monotonic()
            exe = ["redis-server"] if kind == "redis" else [STASHD]
            procs.append(subprocess.Popen(exe + args, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.STDOUT))
            if i == 0:
                wait_until(lambda: cli(port, "PING").strip() == "PONG")
                subprocess.run(["redis-benchmark", "-p", str(port), "-t", "set", "-n",
                                str(keys + keys // 5), "-r", "1000000000", "-P", "64", "-d", "100",
                                "-q"], capture_output=True, timeout=600)
                held = int(cli(port, "DBSIZE").strip())
        wait_until(lambda: info_replication(ports[1]).get("master_link_status") == "up",
                   timeout=600)
        return time.monotonic() - started, held
    finally:
        for p in procs:
            p.terminate()
            p.wait()
        shutil.rmtree(directory, ignore_errors=True)


def percentile(values, p):
    if not values:
        return 0
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=200000)
    parser.add_argument("--pipeline", type=int, default=16)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--tests", default="set,incr,lpush,hset")
    parser.add_argument("--sync-keys", type=int, default=0)
    args = parser.parse_args()
    for tool in ("redis-server", "redis-benchmark", "redis-cli"):
        if shutil.which(tool) is None:
            sys.exit(f"missing {tool} (apt-get install redis-server redis-tools)")
    if args.sync_keys:
        for kind in ("stashd", "redis"):
            seconds, held = full_sync_seconds(kind, args.sync_keys)
            print(f"full sync {kind}: {held} keys, replica start to link up in {seconds:.2f} s")
        return
    clusters = {"stashd": Cluster("stashd"), "redis": Cluster("redis")}
    try:
        rps = {(k, t): [] for k in clusters for t in args.tests.split(",")}
        lags = {k: [] for k in clusters}
        applied = {k: [] for k in clusters}
        for r in range(args.rounds):
            for test in args.tests.split(","):
                # Interleaved: each round runs both servers, in alternating order.
                order = ["stashd", "redis"] if r % 2 == 0 else ["redis", "stashd"]
                for kind in order:
                    c = clusters[kind]
                    stop = threading.Event()
                    sampler = threading.Thread(target=c.lag_samples,
                                               args=(stop, lags[kind], applied[kind]))
                    sampler.start()
                    try:
                        rps[(kind, test)].append(run_load(c.ports[0], args, test))
                    finally:
                        stop.set()
                        sampler.join()
        print(f"primary + 2 replicas, -P {args.pipeline} -c {args.clients} -n {args.requests} "
              f"-d 100, {args.rounds} rounds (median requests/s)")
        print(f"{'test':8} {'stashd':>12} {'redis':>12} {'ratio':>7}")
        for test in args.tests.split(","):
            s = statistics.median(rps[("stashd", test)])
            rd = statistics.median(rps[("redis", test)])
            print(f"{test:8} {s:12.0f} {rd:12.0f} {s / rd:7.2f}")
        for kind, values in lags.items():
            print(f"lag {kind}: acknowledged p50 {percentile(values, 50)} B, "
                  f"p99 {percentile(values, 99)} B; applied p50 {percentile(applied[kind], 50)} B, "
                  f"p99 {percentile(applied[kind], 99)} B ({len(values)} samples)")
    finally:
        for c in clusters.values():
            c.stop()


if __name__ == "__main__":
    main()
