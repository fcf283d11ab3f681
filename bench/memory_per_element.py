#!/usr/bin/python3
"""Owns: measuring resident memory per element of one large collection in stashd and in Debian's
redis-server: one hash of N fields `field:%09d` -> 10-byte values, one set of N members
`member:%09d`, one sorted set of N members `member:%09d` with non-integer float scores. Each
structure is loaded into a fresh process of each server (pipelined raw RESP, every reply checked),
and VmRSS from /proc/PID/status before and after gives bytes per element for both and the
stashd/redis ratio. Builds nothing: uses build/stashd (or $STASHD_BIN). Run with Debian's
/usr/bin/python3.

  bench/memory_per_element.py                          # 1M elements, hash, set and zset
  bench/memory_per_element.py --elements 100000 --structures zset --only stashd
"""
import argparse
import os
import socket
import sys
import threading
import time

from memory_per_key import STASHD_BIN, Server, call, command, info_field, recv_exactly, vm_rss

PER_COMMAND = 100      # elements per HSET/SADD/ZADD
COMMANDS_PER_BATCH = 200

SERVERS = {
    "redis": lambda port, d: ["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                              "--save", "", "--appendonly", "no", "--daemonize", "no",
                              "--dir", d],
    "stashd": lambda port, d: [STASHD_BIN, "--port", str(port), "--bind", "127.0.0.1",
                               "--dir", d],
}


def hash_args(i):
    return [b"field:%09d" % i, b"v%09d" % i]  # 15-byte field, 10-byte value


def set_args(i):
    return [b"member:%09d" % i]


def zset_args(i):
    # Non-integer scores in pseudo-random order (so inserts land all over the skiplist).
    return [b"%.3f" % ((i * 7919 % 1000003) / 1000 + 0.125), b"member:%09d" % i]


STRUCTURES = {
    # name: (write command, count command, element arguments, description)
    "hash": (b"HSET", "HLEN", hash_args, "fields 'field:%09d' (15 B) -> 10-byte values"),
    "set": (b"SADD", "SCARD", set_args, "members 'member:%09d' (16 B)"),
    "zset": (b"ZADD", "ZCARD", zset_args, "members 'member:%09d' (16 B), float scores"),
}


def load(port, structure, n):
    """Adds elements [0, n) to the key `big` with PER_COMMAND elements per command, pipelined in
    batches; each reply must be the number of elements the command added."""
    verb, _, element_args, _ = STRUCTURES[structure]
    with socket.create_connection(("127.0.0.1", port), timeout=120) as s:
        step = PER_COMMAND * COMMANDS_PER_BATCH
        for start in range(0, n, step):
            end = min(n, start + step)
            cmds, expected = [], []
            for first in range(start, end, PER_COMMAND):
                last = min(end, first + PER_COMMAND)
                args = [verb, b"big"]
                for i in range(first, last):
                    args += element_args(i)
                cmds.append(command(*args))
                expected.append(b":%d\r\n" % (last - first))
            data = b"".join(cmds)
            want = b"".join(expected)
            sender = threading.Thread(target=s.sendall, args=(data,))
            sender.start()
            replies = recv_exactly(s, len(want))
            sender.join()
            if replies != want:
                raise RuntimeError(f"unexpected reply in batch at {start}: {replies[:80]!r}")


def measure(server, structure, n):
    _, count_cmd, _, _ = STRUCTURES[structure]
    rss_before = vm_rss(server.proc.pid)
    start = time.monotonic()
    load(server.port, structure, n)
    seconds = time.monotonic() - start
    size = int(call(server.port, count_cmd, "big")[1:].strip())
    if size != n:
        raise RuntimeError(f"{server.name}: {count_cmd} {size} after loading {n} elements")
    rss_after = vm_rss(server.proc.pid)
    return {"rss_before": rss_before, "rss_after": rss_after,
            "per_element": (rss_after - rss_before) / n, "load_s": seconds,
            "used_memory": info_field(server.port, "used_memory")}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--elements", type=int, default=1000000)
    parser.add_argument("--structures", default="hash,set,zset",
                        help="comma-separated subset of hash,set,zset")
    parser.add_argument("--only", choices=("redis", "stashd"), help="measure one server only")
    args = parser.parse_args()
    structures = [s for s in args.structures.split(",") if s]
    for s in structures:
        if s not in STRUCTURES:
            sys.exit(f"unknown structure {s!r}; choose from {', '.join(STRUCTURES)}")
    if not os.access(STASHD_BIN, os.X_OK):
        sys.exit(f"no stashd binary at {STASHD_BIN}: build it first")

    print(f"{args.elements} elements in one key per structure, {PER_COMMAND} per command; "
          f"a fresh server per structure; RSS from /proc/PID/status VmRSS")
    mib = 2**20
    table = []
    for structure in structures:
        print(f"{structure}: {STRUCTURES[structure][3]}")
        results = {}
        for name, argv in SERVERS.items():
            if args.only and name != args.only:
                continue
            server = Server(name, argv)
            try:
                results[name] = measure(server, structure, args.elements)
            finally:
                server.stop()
            r = results[name]
            print(f"  {name:<7} RSS {r['rss_before'] / mib:8.1f} MiB -> "
                  f"{r['rss_after'] / mib:8.1f} MiB  = {r['per_element']:6.1f} bytes/element  "
                  f"(INFO used_memory {r['used_memory']}, loaded in {r['load_s']:.1f} s)")
        table.append((structure, results))

    print()
    print(f"{'structure':<10}{'redis B/elem':>14}{'stashd B/elem':>15}{'stashd/redis':>14}")
    for structure, results in table:
        r = results.get("redis", {}).get("per_element")
        s = results.get("stashd", {}).get("per_element")
        ratio = f"{s / r:.2f}" if r and s else "-"
        print(f"{structure:<10}{'-' if r is None else f'{r:.1f}':>14}"
              f"{'-' if s is None else f'{s:.1f}':>15}{ratio:>14}")


if __name__ == "__main__":
    main()
