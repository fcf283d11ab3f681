#!/usr/bin/env python3
"""Owns: measuring how long the event loop stalls while a full node evicts down to a lower
maxmemory. Starts stashd (build/stashd or $STASHD_BIN) on a free loopback port, fills it with
1 KB values through redis-benchmark until used_memory reaches --fill-gb, then sets maxmemory to
--target-mb and sends PINGs one at a time until used_memory is under the target, reporting the
PING round trips (worst, p99, p50), how long eviction took and the keys before and after.

Usage: bench/eviction_pause.py [--fill-gb 10] [--target-mb 100] [--policy allkeys-lru]
"""
import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
STASHD = os.environ.get("STASHD_BIN", os.path.join(HERE, "..", "build", "stashd"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.buf = b""

    def call(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)
        return self.reply()

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise RuntimeError("connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def reply(self):
        line = self.line()
        if line[:1] == b"$":
            n = int(line[1:])
            while len(self.buf) < n + 2:
                self.buf += self.sock.recv(1 << 16)
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data
        if line[:1] == b"-":
            raise RuntimeError(line.decode())
        return line[1:]


def connect_when_ready(port, timeout=20):
    """A connection to the server on `port` once it answers PING."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn = Conn(port)
            conn.call("PING")
            return conn
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def info_int(conn, section, name):
    for line in conn.call("INFO", section).decode().splitlines():
        if line.startswith(name + ":"):
            return int(line.split(":", 1)[1])
    raise RuntimeError(f"INFO {section} has no {name}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fill-gb", type=float, default=10.0)
    ap.add_argument("--target-mb", type=int, default=100)
    ap.add_argument("--policy", default="allkeys-lru")
    args = ap.parse_args()
    port = free_port()
    tmp = tempfile.mkdtemp(prefix="stashd-evict-pause-")
    cmd = [STASHD, "--port", str(port), "--bind", "127.0.0.1", "--dir", tmp,
           "--maxmemory-policy", args.policy]
    print("server:", " ".join(cmd))
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        c = connect_when_ready(port)
        goal = int(args.fill_gb * (1 << 30))
        t0 = time.monotonic()
        while info_int(c, "memory", "used_memory") < goal and time.monotonic() - t0 < 600:
            n = max(100000, (goal - info_int(c, "memory", "used_memory")) // 1100)
            bench = ["redis-benchmark", "-p", str(port), "-t", "set", "-d", "1000", "-r",
                     "1000000000", "-n", str(n), "-P", "32", "-c", "8", "-q"]
            subprocess.run(bench, stdout=subprocess.DEVNULL, check=True, timeout=600)
        used = info_int(c, "memory", "used_memory")
        keys = int(c.call("DBSIZE"))
        print(f"filled: {keys} keys, used_memory {used / (1 << 30):.2f} GiB "
              f"in {time.monotonic() - t0:.0f} s; fill command: redis-benchmark -t set -d 1000 "
              f"-r 1000000000 -P 32 -c 8")
        target = args.target_mb << 20
        rtts = []
        start = time.monotonic()
        c.call("CONFIG", "SET", "maxmemory", str(target))
        set_rtt = time.monotonic() - start
        while True:
            for _ in range(50):
                t = time.monotonic()
                c.call("PING")
                rtts.append(time.monotonic() - t)
            if info_int(c, "memory", "used_memory") <= target or time.monotonic() - start > 600:
                break
        seconds = time.monotonic() - start
        rtts.sort()
        pct = lambda p: rtts[min(len(rtts) - 1, int(p * len(rtts)))] * 1000
        print(f"CONFIG SET maxmemory {args.target_mb}mb answered in {set_rtt * 1000:.2f} ms; "
              f"under the limit after {seconds:.2f} s; keys left {int(c.call('DBSIZE'))}, "
              f"evicted_keys {info_int(c, 'stats', 'evicted_keys')}")
        print(f"PING round trips during eviction: n={len(rtts)} worst={rtts[-1] * 1000:.2f} ms "
              f"p99={pct(0.99):.2f} ms p50={pct(0.50):.3f} ms")
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
