#!/usr/bin/python3
"""Owns: measuring resident memory per key of stashd and Debian's redis-server: loads exactly N keys
`key:%012d` with V-byte values into each server (pipelined raw RESP), reads VmRSS from
/proc/PID/status before and after, and prints bytes per key for both and the stashd/redis ratio.
Builds nothing: uses build/stashd (or $STASHD_BIN). Run with Debian's /usr/bin/python3.

  bench/memory_per_key.py                      # 1M keys, 100-byte values, no TTL
  bench/memory_per_key.py --ttl                # the same with EX 86400 on every key
  bench/memory_per_key.py --value-size 10      # 10-byte values
"""
import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
STASHD_BIN = os.environ.get("STASHD_BIN") or os.path.join(HERE, "..", "build", "stashd")
BATCH = 20000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def vm_rss(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def recv_exactly(sock, n):
    chunks, got = [], 0
    while got < n:
        chunk = sock.recv(min(1 << 20, n - got))
        if not chunk:
            raise RuntimeError("server closed the connection")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def command(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def call(port, *args):
    """One command on a fresh connection; returns the raw bytes of a simple, integer or bulk
    reply (enough for PING, DBSIZE and INFO)."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        s.sendall(command(*[a.encode() if isinstance(a, str) else a for a in args]))
        data = b""
        while True:
            header_end = data.find(b"\r\n")
            if header_end >= 0:
                if not data.startswith(b"$"):
                    return data
                if len(data) >= header_end + 2 + int(data[1:header_end]) + 2:
                    return data
            chunk = s.recv(1 << 16)
            if not chunk:
                return data
            data += chunk


class Server:
    def __init__(self, name, argv_for_port):
        self.name = name
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix=f"mem-{name}-")
        self.log = open(os.path.join(self.dir, "server.log"), "w")
        self.proc = subprocess.Popen(argv_for_port(self.port, self.dir), stdout=self.log,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {self.proc.returncode}")
            try:
                if call(self.port, "PING").startswith(b"+PONG"):
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not answer PING")
            time.sleep(0.05)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def load(port, n, value_size, ttl):
    """SETs key:%012d for i in [0, n) with pipelined batches; every reply must be +OK."""
    value = b"v" * value_size
    extra = [b"EX", b"86400"] if ttl else []
    with socket.create_connection(("127.0.0.1", port), timeout=120) as s:
        for start in range(0, n, BATCH):
            count = min(BATCH, n - start)
            data = b"".join(command(b"SET", b"key:%012d" % i, value, *extra)
                            for i in range(start, start + count))
            sender = threading.Thread(target=s.sendall, args=(data,))
            sender.start()
            replies = recv_exactly(s, 5 * count)
            sender.join()
            if replies != b"+OK\r\n" * count:
                raise RuntimeError(f"unexpected reply in batch at {start}: {replies[:80]!r}")


def info_field(port, name):
    for line in call(port, "INFO", "memory").decode(errors="replace").splitlines():
        if line.startswith(name + ":"):
            return line.split(":", 1)[1].strip()
    return "?"


def measure(server, n, value_size, ttl):
    rss_before = vm_rss(server.proc.pid)
    start = time.monotonic()
    load(server.port, n, value_size, ttl)
    seconds = time.monotonic() - start
    dbsize = int(call(server.port, "DBSIZE")[1:].strip())
    if dbsize != n:
        raise RuntimeError(f"{server.name}: DBSIZE {dbsize} after loading {n} keys")
    rss_after = vm_rss(server.proc.pid)
    return {"rss_before": rss_before, "rss_after": rss_after,
            "per_key": (rss_after - rss_before) / n, "load_s": seconds,
            "used_memory": info_field(server.port, "used_memory")}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keys", type=int, default=1000000)
    parser.add_argument("--value-size", type=int, default=100)
    parser.add_argument("--ttl", action="store_true", help="EX 86400 on every key")
    parser.add_argument("--only", choices=("redis", "stashd"), help="measure one server only")
    args = parser.parse_args()
    if not os.access(STASHD_BIN, os.X_OK):
        sys.exit(f"no stashd binary at {STASHD_BIN}: build it first")

    servers = {
        "redis": lambda port, d: ["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                                  "--save", "", "--appendonly", "no", "--daemonize", "no",
                                  "--dir", d],
        "stashd": lambda port, d: [STASHD_BIN, "--port", str(port), "--bind", "127.0.0.1",
                                   "--dir", d],
    }
    print(f"{args.keys} keys 'key:%012d' (16 bytes), {args.value_size}-byte values, "
          f"{'EX 86400 on every key' if args.ttl else 'no TTL'}; RSS from /proc/PID/status VmRSS")
    results = {}
    for name, argv in servers.items():
        if args.only and name != args.only:
            continue
        server = Server(name, argv)
        try:
            results[name] = measure(server, args.keys, args.value_size, args.ttl)
        finally:
            server.stop()
        r = results[name]
        mib = 2**20
        print(f"{name:<7} RSS {r['rss_before'] / mib:8.1f} MiB -> {r['rss_after'] / mib:8.1f} MiB"
              f"  = {r['per_key']:6.1f} bytes/key  (INFO used_memory {r['used_memory']},"
              f" loaded in {r['load_s']:.1f} s)")
    if "redis" in results and "stashd" in results:
        ratio = results["stashd"]["per_key"] / results["redis"]["per_key"]
        print(f"stashd/redis bytes per key: {ratio:.2f}")


if __name__ == "__main__":
    main()
