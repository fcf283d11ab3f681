"""Owns: the randomized differential test: seeded random command streams over a small key space
(20 keys, so types collide and WRONGTYPE paths run) go to a fresh stashd and a fresh Debian
redis-server 7.0.15, pipelined in chunks, and every reply is compared with Redis's, one by one.
Covers strings, bits, lists, hashes, sets, sorted sets, generic key commands, expiry and
MULTI/EXEC/DISCARD/WATCH, with small, large, binary and integer values and edge indexes; odd seeds
speak RESP2, even seeds RESP3 (doubles compared as text); all but one stream set small encoding
thresholds on both servers (CONFIG SET hash-max-listpack-entries 4 ...) so compact/big encoding
conversions happen mid-stream.

Comparison is exact except where Redis leaves the reply unspecified:
- order-free replies (SMEMBERS SUNION SINTER SDIFF HGETALL HKEYS HVALS KEYS, *SCAN pages) are
  compared sorted (HGETALL-like replies as sorted field/value pairs);
- random choices (SPOP, SRANDMEMBER, HRANDFIELD, ZRANDMEMBER) are compared by shape and size, and
  each element of stashd's reply must be in the key as stashd reports it right after; SPOP only
  runs in self-contained groups that fill a key and pop it empty, so the keyspaces never diverge;
- SCAN-family cursors are opaque: pages are compared when both servers finish in one page, and
  full iterations (to cursor 0, de-duplicated) are compared at checkpoints;
- TTL PTTL EXPIRETIME PEXPIRETIME within 3 s, as the two servers see the same relative EXPIRE at
  slightly different wall-clock times (absolute EXPIREAT timestamps are exact anyway).
Every CHECKPOINT_EVERY commands (and at the end) the whole keyspace is compared: DBSIZE, KEYS,
TYPE TTL and contents of every key, full SCAN (MATCH, COUNT, TYPE) and HSCAN/SSCAN/ZSCAN.

Kept out of the streams on purpose, each with a comment where it would be generated: OBJECT
ENCODING and the other OBJECT/DEBUG subcommands (documented differences), RANDOMKEY INFO TIME
(time- or choice-dependent), blocking commands, LCS (quadratic on the large values used here),
ZRANK WITHSCORE and set-max-listpack-* (Redis 7.2 only), lex ranges on keys with mixed scores
(unspecified), SET with an already-past EXAT/PXAT (DBSIZE timing), LPOS RANK -9223372036854775808
(a stashd difference), huge negative random counts (Redis would build a huge reply).

Run: /usr/bin/python3 test_differential.py  (STASHD_DIFF_COMMANDS=N changes the stream length,
STASHD_DIFF_SEEDS=1,2,3 the seeds; the default is 6 x 25,000 commands, about 7 s)."""
import os
import random
import threading
import time
import unittest

from stashd_fixture import (RedisServerProcess, RespConnection, RespError, StashdProcess,
                            encode_command)

SEEDS = [int(s) for s in os.environ.get("STASHD_DIFF_SEEDS", "11,22,33,44,55,66").split(",")]
COMMANDS_PER_STREAM = int(os.environ.get("STASHD_DIFF_COMMANDS", "25000"))
CHUNK = 200                # commands per pipelined batch (groups are never split)
CHECKPOINT_EVERY = 2500    # commands between whole-keyspace comparisons
STREAM_DEADLINE_S = 120    # a stream that takes longer fails instead of hanging the suite
TIME_TOLERANCE = {"TTL": 3, "EXPIRETIME": 3, "PTTL": 3000, "PEXPIRETIME": 3000}
MAX_REPORTED = 12

KEYS = ["k%d" % i for i in range(20)]
# Each type prefers its own keys (so structures grow) but picks any key 8% of the time (so types
# collide and WRONGTYPE errors are compared too); commands that overwrite any type (SET, MSET...)
# stray less, or strings would take over the key space.
PREFERRED = {"string": KEYS[0:4], "list": KEYS[4:8], "hash": KEYS[8:12], "set": KEYS[12:16],
             "zset": KEYS[16:20]}
# Lex range commands are only specified when every member has the same score (Redis leaves the
# result unspecified otherwise, and stashd's scan differs from Redis's there), so they run on these
# two keys only, whose members all get score 0; other commands never write them except DEL and SET
# (for the WRONGTYPE path).
LEX_KEYS = ["lex0", "lex1"]
ALL_KEYS = KEYS + LEX_KEYS
FAR_S = 4102444800  # 2100-01-01
MEMBERS = ["m%d" % i for i in range(12)] + [str(i) for i in range(1, 13)] + ["-5", "0"]
FIELDS = ["f%d" % i for i in range(10)]
BINARY = [b"a\x00b", b"\r\n", b"\xff\xfe", b"\x00", "ünïcode"]
INTS = ["0", "1", "-1", "7", "42", "100", "-100", "9223372036854775807", "-9223372036854775808",
        "9223372036854775806", "007", "3.0", " 1", "1 ", "+1", "-0", "0x10", "1e3",
        "12345678901234567890", "", "abc"]
FLOATS = ["0.1", "1.5", "-2.25", "3", "0", "-0", "1e10", "1e-5", "inf", "-inf", "+inf", "nan",
          "abc", "", "10.50", "5.0e3", "0x10", "0x1p3", ".5", "5.", " 1", "1 ", "1e309",
          "17976931348623157e292", "1e308", "-1e308", "Infinity", "-INF"]
# Edge indexes; negative counts stay small on purpose (SRANDMEMBER k -4611686018427387904 makes
# Redis build a reply of that many elements).
INDEXES = [0, 1, 2, 3, -1, -2, -3, 5, 10, -10, 100, -100, 9223372036854775807,
           -9223372036854775808, 4294967296, -4294967297]
SCORES = ["0", "1", "2", "-1", "-5", "5", "1.5", "-2.5", "0.1", "3", "inf", "-inf", "+inf", "-0",
          "0x10", ".5", "1e308", "-1e308", "1e-300", "4503599627370497", "Infinity"]
SCORE_BOUNDS = ["-inf", "+inf", "inf", "0", "(0", "1", "(1", "1.5", "(1.5", "-2", "(-2", "5",
                "(5", "abc", "(", "nan", "(inf", "(-inf", "0x10", "(0x1", "1e309", "[1"]
LEX_BOUNDS = ["-", "+", "[m1", "(m3", "[m5", "(m9", "[1", "(5", "[", "(", "m1", "[m10"]
GLOBS = ["*", "k1*", "k?", "k[0-5]", "*1", "m*", "f[0-4]", "1*", "*x*"]


def normalize(reply):
    """RespConnection reply -> comparable value: errors become ("error", message)."""
    if isinstance(reply, RespError):
        return ("error", str(reply))
    if isinstance(reply, list):
        return [normalize(x) for x in reply]
    if isinstance(reply, dict):
        return {k: normalize(v) for k, v in reply.items()}
    return reply


class TextDoubleConnection(RespConnection):
    """Keeps RESP3 doubles as ("double", text), so their formatting is compared too."""

    def _parse(self, pos):
        self._need(pos + 1)
        if self.buf[pos:pos + 1] == b",":
            line, end = self._line(pos)
            return ("double", line[1:].decode()), end
        return super()._parse(pos)


# ---- reply checkers: (redis_reply, stashd_reply) -> True when they agree ----

def exact(r, s):
    return r == s


def as_sorted(r, s):
    if isinstance(r, list) and isinstance(s, list):
        return sorted(r, key=repr) == sorted(s, key=repr)
    return r == s


def to_pairs(reply):
    """Field/value or member/score pairs of a RESP2 flat array, a RESP3 map or a RESP3 array of
    2-element arrays; None when the reply is none of those."""
    if isinstance(reply, dict):
        return list(reply.items())
    if not isinstance(reply, list):
        return None
    if all(isinstance(x, list) and len(x) == 2 for x in reply):
        return [tuple(x) for x in reply] if reply else []
    if len(reply) % 2 == 0:
        return list(zip(reply[0::2], reply[1::2]))
    return None


def as_sorted_pairs(r, s):
    rp, sp = to_pairs(r), to_pairs(s)
    if rp is not None and sp is not None and type(r) is type(s):
        return sorted(rp, key=repr) == sorted(sp, key=repr)
    return r == s


def time_close(tolerance):
    def check(r, s):
        if isinstance(r, int) and isinstance(s, int) and r >= 0 and s >= 0:
            return abs(r - s) <= tolerance
        return r == s
    return check


def exec_of(inner):
    def check(r, s):
        if isinstance(r, list) and isinstance(s, list) and len(r) == len(inner) == len(s):
            return all(c(a, b) for c, a, b in zip(inner, r, s))
        return r == s
    return check


def checker_for(args):
    name = args[0].upper()
    if name in ("SMEMBERS", "SUNION", "SINTER", "SDIFF", "HKEYS", "HVALS", "KEYS"):
        return as_sorted
    if name == "HGETALL":
        return as_sorted_pairs
    if name in TIME_TOLERANCE:
        return time_close(TIME_TOLERANCE[name])
    return exact


class Cmd:
    __slots__ = ("args", "check")

    def __init__(self, *args, check=None):
        self.args = tuple(str(a) if isinstance(a, int) else a for a in args)
        self.check = check or checker_for(self.args)


class Group:
    """Consecutive commands judged together by check(redis_replies, stashd_replies) -> message
    or None (used where replies are random but must be consistent with the key's contents)."""
    __slots__ = ("cmds", "check")

    def __init__(self, cmds, check):
        self.cmds = cmds
        self.check = check


# ---- random-choice groups ----

def random_read_group(rng, kind, key):
    """SRANDMEMBER / HRANDFIELD / ZRANDMEMBER followed by the key's full contents."""
    count = rng.choice([None, None, 0, 1, 2, 3, 5, 50, -1, -3, -20])
    with_values = count is not None and kind != "set" and rng.random() < 0.5
    name = {"set": "SRANDMEMBER", "hash": "HRANDFIELD", "zset": "ZRANDMEMBER"}[kind]
    args = [name, key] + ([] if count is None else [count])
    if with_values:
        args.append("WITHVALUES" if kind == "hash" else "WITHSCORES")
    universe = {"set": ("SMEMBERS", key), "hash": ("HGETALL", key),
                "zset": ("ZRANGE", key, 0, -1, "WITHSCORES")}[kind]

    def check(rr, ss):
        (r, ru), (s, su) = rr, ss
        if not (as_sorted(ru, su) if kind == "set" else as_sorted_pairs(ru, su)):
            return "contents differ"
        if isinstance(r, tuple) or r is None or isinstance(s, tuple) or s is None:
            return None if r == s else "reply differs"
        if kind == "set":
            if not isinstance(su, list):
                return "no contents to check against"
            members = set(su)
            pairs = None
        else:
            pairs = to_pairs(su)
            if pairs is None:
                return "no contents to check against"
            pairs = set(pairs)
            members = {p[0] for p in pairs}
        if isinstance(r, bytes) or isinstance(s, bytes):
            ok = isinstance(r, bytes) and isinstance(s, bytes) and s in members
            return None if ok else "single choice differs in shape or is not a member"
        if not (isinstance(r, list) and isinstance(s, list) and len(r) == len(s)):
            return "size differs"
        if with_values:
            chosen, rchosen = to_pairs(s), to_pairs(r)
            if chosen is None or rchosen is None or len(chosen) != len(rchosen):
                return "pairs differ in shape"
            if not all(p in pairs for p in chosen):
                return "a chosen pair is not in the key"
            chosen = [p[0] for p in chosen]
        else:
            chosen = s
            if not all(m in members for m in chosen):
                return "a chosen element is not in the key"
        if count >= 0 and len(set(chosen)) != len(chosen):
            return "duplicates with a positive count"
        return None

    return Group([Cmd(*args), Cmd(*universe)], check)


def spop_group(rng, key):
    """Fills key with a known set, pops it empty in three steps (the choices are random, the
    sizes and the union are not), so both keyspaces agree again afterwards."""
    variant = rng.random()
    if variant < 0.15:  # empty and wrong-type keys: every reply is deterministic
        cmds = [Cmd("DEL", key), Cmd("SPOP", key), Cmd("SPOP", key, 3), Cmd("SPOP", key, 0),
                Cmd("SPOP", key, -1), Cmd("SET", key, "x"), Cmd("SPOP", key),
                Cmd("SPOP", key, 2), Cmd("DEL", key)]
        return Group(cmds, lambda r, s: None if r == s else "deterministic SPOP reply differs")
    members = rng.sample(MEMBERS + ["L" * 70 + "1", "L" * 70 + "2"], rng.randint(1, 10))
    first = rng.choice([0, 1, 2, 3, 5, 20])
    cmds = [Cmd("DEL", key), Cmd("SADD", key, *members), Cmd("SPOP", key, first),
            Cmd("SPOP", key), Cmd("SPOP", key, 1000), Cmd("EXISTS", key)]

    def check(rr, ss):
        if rr[0:2] != ss[0:2] or rr[5] != ss[5]:
            return "DEL/SADD/EXISTS differ"
        popped = []
        for i in (2, 3, 4):
            r, s = rr[i], ss[i]
            if isinstance(r, list) != isinstance(s, list) or (r is None) != (s is None):
                return f"SPOP #{i - 1} shape differs"
            if isinstance(r, list):
                if len(r) != len(s):
                    return f"SPOP #{i - 1} size differs"
                popped += s
            elif s is not None:
                popped.append(s)
        if sorted(popped) != sorted(m.encode() for m in set(members)):
            return "stashd popped elements are not exactly the members added"
        return None

    return Group(cmds, check)


def scan_group(rng, key, kind):
    """One HSCAN/SSCAN/ZSCAN page with a large COUNT: compared sorted when both servers finish in
    one page (the full iteration is compared at checkpoints)."""
    name = {"set": "SSCAN", "hash": "HSCAN", "zset": "ZSCAN"}[kind]
    args = [name, key, 0, "COUNT", 1000]
    if rng.random() < 0.3:
        args += ["MATCH", rng.choice(GLOBS)]

    def check(rr, ss):
        r, s = rr[0], ss[0]
        if not (isinstance(r, list) and isinstance(s, list)):
            return None if r == s else "reply differs"
        if r[0] == s[0] == b"0":
            same = as_sorted(r[1], s[1]) if kind == "set" else as_sorted_pairs(r[1], s[1])
            return None if same else "elements differ"
        return None

    return Group([Cmd(*args)], check)


# ---- the command generator ----

class Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)

    def key(self, kind=None, stray=0.08):
        rng = self.rng
        if kind and rng.random() >= stray:
            return rng.choice(PREFERRED[kind])
        return rng.choice(KEYS)

    def keys(self, kind, lo=1, hi=3):
        return [self.key(kind) for _ in range(self.rng.randint(lo, hi))]

    def value(self):
        rng = self.rng
        x = rng.random()
        if x < 0.03:
            return rng.choice(BINARY)
        if x < 0.45:
            return rng.choice(MEMBERS + ["hello", "foo", "bar", "x", "a b"])
        if x < 0.7:
            return rng.choice(INTS)
        if x < 0.8:
            return rng.choice(FLOATS)
        if x < 0.95:
            return rng.choice("vwxyz") * rng.choice([15, 17, 45, 65, 100, 300])
        return rng.choice("vwxyz") * rng.choice([1000, 5000])

    def member(self):
        rng = self.rng
        x = rng.random()
        if x < 0.05:
            return "L" * rng.choice([20, 70]) + str(rng.randint(0, 3))
        if x < 0.07:
            return rng.choice(BINARY)
        return rng.choice(MEMBERS)

    def bulk(self, n):
        """n members for a bulk insert: integers (intset-friendly) or strings from a wider pool,
        so structures cross the default 128/512-entry encoding limits now and then."""
        rng = self.rng
        if rng.random() < 0.5:
            return [str(rng.randrange(-50, 1000)) for _ in range(n)]
        return ["b%d" % rng.randrange(400) for _ in range(n)]

    def field(self):
        rng = self.rng
        if rng.random() < 0.05:
            return "F" * rng.choice([20, 70]) + str(rng.randint(0, 2))
        return rng.choice(FIELDS)

    def index(self):
        return self.rng.choice(INDEXES)

    # -- strings and bits --
    def gen_string(self):
        rng = self.rng
        k = self.key("string", stray=rng.choice([0.03, 0.15]))
        op = rng.randrange(25)
        if op == 0:
            # No SET ... PXAT/EXAT in the past: Redis stores such a key and leaves it to lazy or
            # active expiry, so DBSIZE counts it for a timing-dependent while (stashd drops it at
            # once); every other reply treats it as absent on both servers.
            opts = rng.choice([[], [], ["NX"], ["XX"], ["GET"], ["EX", "100000"],
                               ["PX", "100000000"], ["EXAT", str(FAR_S)], ["KEEPTTL"],
                               ["XX", "GET"], ["NX", "XX"], ["EX", "0"], ["EX", "-1"],
                               ["EX", "abc"], ["KEEPTTL", "EX", "5"],
                               ["EX", "9223372036854775807"], ["PX", "9223372036854775807"],
                               ["GET", "EX", "100000"], ["NX", "GET"]])
            return [Cmd("SET", k, self.value(), *opts)]
        if op == 1:
            return [Cmd("GET", k)]
        if op == 2:
            return [Cmd(rng.choice(["INCR", "DECR"]), k)]
        if op == 3:
            return [Cmd(rng.choice(["INCRBY", "DECRBY"]), k, rng.choice(INTS))]
        if op == 4:
            return [Cmd("INCRBYFLOAT", k, rng.choice(FLOATS))]
        if op == 5:
            return [Cmd("APPEND", k, self.value())]
        if op == 6:
            off = rng.choice([0, 1, 3, 10, 100, 2000, -1, 536870912, "x"])
            return [Cmd("SETRANGE", k, off, rng.choice([self.value(), ""]))]
        if op == 7:
            return [Cmd(rng.choice(["GETRANGE", "SUBSTR"]), k, self.index(), self.index())]
        if op == 8:
            return [Cmd("STRLEN", k)]
        if op == 9:
            return [Cmd("GETSET", k, self.value())]
        if op == 10:
            return [Cmd("GETDEL", k)]
        if op == 11:
            opts = rng.choice([[], ["PERSIST"], ["EX", "100000"], ["EXAT", str(FAR_S + 5)],
                               ["PXAT", str(FAR_S * 1000)], ["EX", "0"], ["PERSIST", "EX", "1"]])
            return [Cmd("GETEX", k, *opts)]
        if op == 12:
            kv = []
            for key in [self.key("string", 0.03) for _ in range(rng.randint(1, 3))]:
                kv += [key, self.value()]
            return [Cmd(rng.choice(["MSET", "MSETNX"]), *kv)]
        if op == 13:
            return [Cmd("MGET", *self.keys("string", 1, 4))]
        if op == 14:
            return [Cmd("SETNX", k, self.value())]
        if op == 15:
            return [Cmd("SETEX", k, rng.choice(["100000", "100000", "0", "-5"]), self.value())]
        if op == 16:
            return [Cmd("SETBIT", k, rng.choice([0, 1, 7, 8, 100, 1000, -1, 4294967296]),
                        rng.choice(["0", "1", "1", "2"]))]
        if op == 17:
            return [Cmd("GETBIT", k, rng.choice([0, 1, 7, 100, 100000]))]
        if op == 18:
            extra = rng.choice([[], [self.index(), self.index()],
                                [self.index(), self.index(), rng.choice(["BIT", "BYTE"])]])
            return [Cmd("BITCOUNT", k, *extra)]
        if op == 19:
            extra = rng.choice([[], [self.index()], [self.index(), self.index()]])
            return [Cmd("BITPOS", k, rng.choice(["0", "1"]), *extra)]
        if op == 20:
            return [Cmd("SET", k, rng.choice(INTS))]
        if op == 21:
            return [Cmd("PSETEX", k, rng.choice(["100000000", "0"]), self.value())]
        if op == 22:
            return [Cmd("BITOP", rng.choice(["AND", "OR", "XOR", "NOT"]), k,
                        *self.keys("string", 1, 1 if rng.random() < 0.3 else 3))]
        if op == 23:
            return [Cmd(rng.choice(["BITFIELD", "BITFIELD", "BITFIELD_RO"]), k,
                        *self.bitfield_ops())]
        return [Cmd("SET", k, self.value())]

    def bitfield_ops(self):
        rng = self.rng
        ops = []
        for _ in range(rng.randint(1, 4)):
            kind = rng.choice(["i1", "u1", "i4", "u8", "i16", "u63", "i64", "u64", "x8"])
            offset = rng.choice(["0", "3", "#1", "100", "-1", "#0"])
            op = rng.randrange(4)
            if op == 0:
                ops += ["GET", kind, offset]
            elif op == 1:
                ops += ["SET", kind, offset, rng.choice(INTS[:12])]
            elif op == 2:
                ops += ["INCRBY", kind, offset, rng.choice(["1", "-1", "100", "-300", "127"])]
            else:
                ops += ["OVERFLOW", rng.choice(["WRAP", "SAT", "FAIL", "BAD"])]
        return ops

    # -- lists --
    def gen_list(self):
        rng, k = self.rng, self.key("list")
        op = rng.randrange(21)
        if op in (0, 1):
            return [Cmd(rng.choice(["LPUSH", "RPUSH"]), k,
                        *[self.value() for _ in range(rng.randint(1, 4))])]
        if op == 2:
            return [Cmd(rng.choice(["LPUSHX", "RPUSHX"]), k, self.value())]
        if op in (3, 4):
            count = rng.choice([[], [], [0], [1], [2], [5], [-1], [100]])
            return [Cmd(rng.choice(["LPOP", "RPOP"]), k, *count)]
        if op == 5:
            return [Cmd("LLEN", k)]
        if op in (6, 7):
            return [Cmd("LRANGE", k, self.index(), self.index())]
        if op == 8:
            return [Cmd("LINDEX", k, self.index())]
        if op == 9:
            return [Cmd("LSET", k, self.index(), self.value())]
        if op == 10:
            return [Cmd("LINSERT", k, rng.choice(["BEFORE", "AFTER", "MIDDLE"]), self.member(),
                        self.value())]
        if op == 11:
            return [Cmd("LREM", k, rng.choice([0, 1, 2, -1, -2]), self.member())]
        if op == 12:
            return [Cmd("LTRIM", k, rng.choice([0, 0, 1, -5, 2]), rng.choice([-1, 10, 20, 3, -2]))]
        if op == 13:
            opts = []
            if rng.random() < 0.5:
                # Not RANK -9223372036854775808 (stashd difference, undocumented): stashd replies
                # "ERR value is out of range, value must between -9223372036854775807 and
                # 9223372036854775807" (as Redis 7.2 does), Redis 7.0.15 answers as for RANK -1
                # (LPOS l a RANK -9223372036854775808 on [a b a c a] -> 4; with COUNT 0 -> [4 2 0]).
                opts += ["RANK", rng.choice([1, 2, -1, -2, 0, 9223372036854775807,
                                             -9223372036854775807, "abc"])]
            if rng.random() < 0.5:
                opts += ["COUNT", rng.choice([0, 1, 2, 5, -1])]
            if rng.random() < 0.3:
                opts += ["MAXLEN", rng.choice([0, 1, 3, -1])]
            return [Cmd("LPOS", k, self.member(), *opts)]
        if op == 14:
            return [Cmd("LMOVE", k, self.key("list"), rng.choice(["LEFT", "RIGHT"]),
                        rng.choice(["LEFT", "RIGHT", "UP"]))]
        if op == 15:
            return [Cmd("RPOPLPUSH", k, self.key("list"))]
        if op == 16:
            keys = self.keys("list", 1, 3)
            count = rng.choice([[], ["COUNT", 1], ["COUNT", 3], ["COUNT", 0]])
            return [Cmd("LMPOP", rng.choice([len(keys), len(keys), 0, len(keys) + 1]), *keys,
                        rng.choice(["LEFT", "RIGHT"]), *count)]
        if op == 17:
            return [Cmd("LRANGE", k, 0, -1)]
        if op == 18:
            return [Cmd(rng.choice(["LPUSH", "RPUSH"]), k, *self.bulk(rng.randint(10, 60)))]
        if op == 19:
            return [Cmd("LINSERT", k, rng.choice(["BEFORE", "AFTER"]), rng.choice(MEMBERS),
                        rng.choice(["x" * 70, "7", ""]))]
        return [Cmd("RPUSH", k, self.member(), self.member())]

    # -- hashes --
    def gen_hash(self):
        rng, k = self.rng, self.key("hash")
        op = rng.randrange(20)
        if op in (0, 1):
            fv = []
            for _ in range(rng.randint(1, 3)):
                fv += [self.field(), self.value()]
            if rng.random() < 0.03:
                fv = fv[:-1]  # odd number of arguments
            return [Cmd(rng.choice(["HSET", "HSET", "HMSET"]), k, *fv)]
        if op == 2:
            return [Cmd("HSETNX", k, self.field(), self.value())]
        if op == 3:
            return [Cmd("HGET", k, self.field())]
        if op == 4:
            return [Cmd("HDEL", k, *[self.field() for _ in range(rng.randint(1, 3))])]
        if op == 5:
            return [Cmd("HINCRBY", k, self.field(), rng.choice(INTS))]
        if op == 6:
            return [Cmd("HINCRBYFLOAT", k, self.field(), rng.choice(FLOATS))]
        if op == 7:
            return [Cmd("HLEN", k)]
        if op == 8:
            return [Cmd("HMGET", k, *[self.field() for _ in range(rng.randint(1, 4))])]
        if op == 9:
            return [Cmd("HSTRLEN", k, self.field())]
        if op == 10:
            return [Cmd("HEXISTS", k, self.field())]
        if op == 11:
            return [Cmd(rng.choice(["HKEYS", "HVALS"]), k)]
        if op == 12:
            return [Cmd("HGETALL", k)]
        if op == 13:
            return [random_read_group(rng, "hash", k)]
        if op == 14:
            return [scan_group(rng, k, "hash")]
        if op == 15:
            fv = []
            for m in self.bulk(rng.randint(10, 60)):
                fv += [m, self.value() if rng.random() < 0.2 else m]
            return [Cmd("HSET", k, *fv)]
        if op == 16:
            return [Cmd("HDEL", k, *self.bulk(rng.randint(10, 60)))]
        return [Cmd("HSET", k, self.field(), self.value())]

    # -- sets --
    def gen_set(self):
        rng, k = self.rng, self.key("set")
        op = rng.randrange(21)
        if op in (0, 1, 2):
            return [Cmd("SADD", k, *[self.member() for _ in range(rng.randint(1, 4))])]
        if op == 3:
            return [Cmd("SREM", k, *[self.member() for _ in range(rng.randint(1, 3))])]
        if op == 4:
            return [Cmd("SISMEMBER", k, self.member())]
        if op == 5:
            return [Cmd("SMISMEMBER", k, *[self.member() for _ in range(rng.randint(1, 3))])]
        if op == 6:
            return [Cmd("SCARD", k)]
        if op == 7:
            return [Cmd("SMOVE", k, self.key("set"), self.member())]
        if op == 8:
            return [Cmd(rng.choice(["SINTER", "SUNION", "SDIFF"]), *self.keys("set", 1, 3))]
        if op == 9:
            return [Cmd(rng.choice(["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"]), k,
                        *self.keys("set", 1, 3))]
        if op == 10:
            keys = self.keys("set", 1, 3)
            limit = rng.choice([[], ["LIMIT", 0], ["LIMIT", 1], ["LIMIT", 3], ["LIMIT", -1]])
            return [Cmd("SINTERCARD", rng.choice([len(keys)] * 4 + [0, len(keys) + 1]), *keys,
                        *limit)]
        if op == 11:
            return [Cmd("SMEMBERS", k)]
        if op == 12:
            return [random_read_group(rng, "set", k)]
        if op == 13:
            return [spop_group(rng, k)]
        if op == 14:
            return [scan_group(rng, k, "set")]
        if op == 15:
            return [Cmd("SADD", k, *self.bulk(rng.randint(10, 60)))]
        if op == 16:
            return [Cmd("SREM", k, *self.bulk(rng.randint(10, 60)))]
        if op == 17:
            return [Cmd("SMOVE", k, k, self.member())]
        return [Cmd("SADD", k, self.member())]

    # -- sorted sets --
    def zrange_args(self, k, lex=False):
        rng = self.rng
        mode = 2 if lex else rng.randrange(2)
        rev = ["REV"] if rng.random() < 0.3 else []
        limit = (["LIMIT", rng.choice([0, 1, 2, -1]), rng.choice([1, 2, 5, -1, 0])]
                 if mode and rng.random() < 0.4 else [])
        ws = ["WITHSCORES"] if mode != 2 and rng.random() < 0.5 else []
        if mode == 0:
            return [k, self.index(), self.index(), *rev, *ws]
        if mode == 1:
            return [k, rng.choice(SCORE_BOUNDS), rng.choice(SCORE_BOUNDS), "BYSCORE", *rev,
                    *limit, *ws]
        return [k, rng.choice(LEX_BOUNDS), rng.choice(LEX_BOUNDS), "BYLEX", *rev, *limit]

    def zstore_tail(self, keys):
        rng = self.rng
        tail = []
        if rng.random() < 0.3:
            tail += ["WEIGHTS", *[rng.choice(["1", "2", "-1", "0.5", "0", "inf"]) for _ in keys]]
        if rng.random() < 0.3:
            tail += ["AGGREGATE", rng.choice(["SUM", "MIN", "MAX"])]
        return tail

    def gen_zset(self):
        rng, k = self.rng, self.key("zset")
        op = rng.randrange(32)
        if op in (0, 1, 2, 3):
            flags = []
            for group in (["NX", "XX"], ["GT", "LT"], ["CH"], ["INCR"]):
                if rng.random() < 0.15:
                    flags.append(rng.choice(group))
            n = 1 if "INCR" in flags and rng.random() < 0.8 else rng.randint(1, 4)
            sm = []
            for _ in range(n):
                sm += [rng.choice(SCORES + (["abc", "nan"] if rng.random() < 0.05 else [])),
                       self.member()]
            return [Cmd("ZADD", k, *flags, *sm)]
        if op == 4:
            return [Cmd("ZINCRBY", k, rng.choice(SCORES + ["abc"]), self.member())]
        if op == 5:
            return [Cmd("ZREM", k, *[self.member() for _ in range(rng.randint(1, 3))])]
        if op == 6:
            return [Cmd("ZSCORE", k, self.member())]
        if op == 7:
            return [Cmd("ZMSCORE", k, *[self.member() for _ in range(rng.randint(1, 3))])]
        if op == 8:
            return [Cmd(rng.choice(["ZRANK", "ZREVRANK"]), k, self.member())]
        if op == 9:
            return [Cmd("ZCOUNT", k, rng.choice(SCORE_BOUNDS), rng.choice(SCORE_BOUNDS))]
        if op in (10, 15, 19):
            return self.gen_lex()
        if op in (11, 12):
            return [Cmd("ZRANGE", *self.zrange_args(k))]
        if op == 13:
            ws = ["WITHSCORES"] if rng.random() < 0.5 else []
            return [Cmd(rng.choice(["ZRANGE", "ZREVRANGE"]), k, self.index(), self.index(), *ws)]
        if op == 14:
            name = rng.choice(["ZRANGEBYSCORE", "ZREVRANGEBYSCORE"])
            extra = ["WITHSCORES"] if rng.random() < 0.5 else []
            if rng.random() < 0.3:
                extra += ["LIMIT", rng.choice([0, 1, -1]), rng.choice([1, 3, -1])]
            return [Cmd(name, k, rng.choice(SCORE_BOUNDS), rng.choice(SCORE_BOUNDS), *extra)]
        if op == 16:
            args = self.zrange_args(self.key("zset"))
            args = [a for a in args if a != "WITHSCORES"]
            return [Cmd("ZRANGESTORE", k, *args)]
        if op == 17:
            return [Cmd("ZREMRANGEBYRANK", k, self.index(), self.index())]
        if op == 18:
            return [Cmd("ZREMRANGEBYSCORE", k, rng.choice(SCORE_BOUNDS), rng.choice(SCORE_BOUNDS))]
        if op == 20:
            count = rng.choice([[], [], [1], [2], [0], [-1], [10]])
            return [Cmd(rng.choice(["ZPOPMIN", "ZPOPMAX"]), k, *count)]
        if op == 21:
            keys = self.keys("zset", 1, 3)
            name = rng.choice(["ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"])
            tail = [] if name == "ZDIFFSTORE" else self.zstore_tail(keys)
            return [Cmd(name, k, rng.choice([len(keys)] * 5 + [0, len(keys) + 1]), *keys, *tail)]
        if op == 22:
            keys = self.keys("zset", 1, 3)
            name = rng.choice(["ZUNION", "ZINTER", "ZDIFF"])
            tail = [] if name == "ZDIFF" else self.zstore_tail(keys)
            ws = ["WITHSCORES"] if rng.random() < 0.5 else []
            return [Cmd(name, len(keys), *keys, *tail, *ws)]
        if op == 23:
            keys = self.keys("zset", 1, 3)
            limit = rng.choice([[], ["LIMIT", 0], ["LIMIT", 2], ["LIMIT", -1]])
            return [Cmd("ZINTERCARD", len(keys), *keys, *limit)]
        if op == 24:
            return [Cmd("ZCARD", k)]
        if op == 25:
            keys = self.keys("zset", 1, 3)
            count = rng.choice([[], ["COUNT", 1], ["COUNT", 3], ["COUNT", 0]])
            return [Cmd("ZMPOP", len(keys), *keys, rng.choice(["MIN", "MAX"]), *count)]
        if op == 26:
            return [random_read_group(rng, "zset", k)]
        if op == 27:
            return [scan_group(rng, k, "zset")]
        if op == 28:
            sm = []
            for m in self.bulk(rng.randint(10, 60)):
                sm += [rng.choice(SCORES[:10]) if rng.random() < 0.5 else str(rng.randrange(100)),
                       m]
            return [Cmd("ZADD", k, *sm)]
        if op == 29:
            return [Cmd("ZREMRANGEBYRANK", k, rng.choice([0, 10, 50]), rng.choice([-1, -20, -60]))]
        if op == 30:
            return [Cmd("ZRANGE", k, 0, -1, "LIMIT", 0, 1)]
        return [Cmd("ZADD", k, rng.choice(SCORES), self.member())]

    def gen_lex(self):
        """Commands on LEX_KEYS, where every member has score 0."""
        rng = self.rng
        k = rng.choice(LEX_KEYS)
        bounds = (rng.choice(LEX_BOUNDS), rng.choice(LEX_BOUNDS))
        op = rng.randrange(14)
        if op in (0, 1, 2):
            flags = rng.choice([[], [], [], ["NX"], ["XX"], ["CH"], ["GT"], ["XX", "CH"]])
            sm = []
            for _ in range(rng.randint(1, 4)):
                sm += ["0", self.member()]
            return [Cmd("ZADD", k, *flags, *sm)]
        if op == 3:
            return [Cmd("ZLEXCOUNT", k, *bounds)]
        if op in (4, 5):
            name = rng.choice(["ZRANGEBYLEX", "ZREVRANGEBYLEX"])
            extra = ["LIMIT", rng.choice([0, 1]), rng.choice([2, -1])] if rng.random() < 0.3 else []
            return [Cmd(name, k, *bounds, *extra)]
        if op == 6:
            return [Cmd("ZRANGE", *self.zrange_args(k, lex=True))]
        if op == 7:
            return [Cmd("ZREMRANGEBYLEX", k, *bounds)]
        if op == 8:
            dst = rng.choice(LEX_KEYS + [self.key("zset")])
            return [Cmd("ZRANGESTORE", dst, *self.zrange_args(k, lex=True))]
        if op == 9:
            return [Cmd("ZREM", k, *[self.member() for _ in range(rng.randint(1, 3))])]
        if op == 10:
            return [Cmd(rng.choice(["ZCARD", "ZRANK", "ZSCORE"]), k,
                        *([] if rng.random() < 0.3 else [self.member()]))]
        if op == 11:
            return [Cmd("ZRANGE", k, 0, -1)]
        if op == 12:
            return [Cmd(rng.choice(["ZPOPMIN", "ZPOPMAX"]), k)]
        if rng.random() < 0.8:
            return [Cmd("DEL", k)]
        return [Cmd("SET", k, self.value())]

    # -- generic keys and expiry --
    def gen_keys(self):
        rng, k = self.rng, self.key()
        op = rng.randrange(23)
        if op in (0, 19, 20, 21):
            return [Cmd(rng.choice(["DEL", "UNLINK"]), *self.keys(None, 1, 2))]
        if op == 1:
            return [Cmd("EXISTS", *self.keys(None, 1, 3))]
        if op in (2, 3):
            return [Cmd("TYPE", k)]
        if op == 4:
            return [Cmd("RENAME", k, self.key())]
        if op == 5:
            return [Cmd("RENAMENX", k, self.key())]
        if op == 6:
            return [Cmd("COPY", k, self.key(), *rng.choice([[], ["REPLACE"], ["DB", "1"],
                                                            ["DB", "0", "REPLACE"]]))]
        if op == 7:
            # relative expiries: only NX/XX (GT/LT against another relative expiry would depend
            # on the milliseconds elapsed between the two commands)
            return [Cmd("EXPIRE", k, rng.choice(["100000", "200000", "0", "-5", "abc",
                                                 "9223372036854775807", "-9223372036854775808"]),
                        *rng.choice([[], [], ["NX"], ["XX"], ["NX", "XX"]]))]
        if op == 8:
            return [Cmd("PEXPIRE", k, rng.choice(["100000000", "-1"]),
                        *rng.choice([[], ["NX"], ["XX"]]))]
        if op == 9:
            return [Cmd("EXPIREAT", k, rng.choice([FAR_S, FAR_S + 100, FAR_S - 100, 1]),
                        *rng.choice([[], [], ["NX"], ["XX"], ["GT"], ["LT"], ["GT", "LT"]]))]
        if op == 10:
            return [Cmd("PEXPIREAT", k, rng.choice([FAR_S * 1000 + 7, 1, 9223372036854775807]),
                        *rng.choice([[], ["GT"], ["LT"]]))]
        if op in (11, 12):
            return [Cmd(rng.choice(["TTL", "PTTL"]), k)]
        if op == 13:
            return [Cmd(rng.choice(["EXPIRETIME", "PEXPIRETIME"]), k)]
        if op == 14:
            return [Cmd("PERSIST", k)]
        if op == 15:
            return [Cmd("TOUCH", *self.keys(None, 1, 3))]
        if op == 16:
            return [Cmd("KEYS", rng.choice(GLOBS))]
        if op == 17:
            return [Cmd("DBSIZE")]
        if op == 18:
            return [Cmd("MOVE", k, rng.choice(["1", "1", "0"])), Cmd("SELECT", 1), Cmd("TYPE", k),
                    Cmd("DEL", k), Cmd("SELECT", 0)]
        return [Cmd("TYPE", k)]

    # -- transactions --
    def simple_commands(self, n):
        out = []
        for _ in range(100):
            if len(out) >= n:
                break
            items = self.pick()
            if all(isinstance(i, Cmd) for i in items) and len(items) == 1:
                out += items
        return out

    def gen_multi(self):
        rng = self.rng
        inner = self.simple_commands(rng.randint(1, 5))
        variant = rng.random()
        if variant < 0.1:  # a queueing error aborts the transaction
            inner.insert(rng.randrange(len(inner) + 1),
                         Cmd(*rng.choice([("GET",), ("NOSUCHCOMMAND", "x"), ("LPUSH", "k4")])))
            return [Cmd("MULTI")] + inner + [Cmd("EXEC")]
        if variant < 0.2:
            return [Cmd("MULTI")] + inner + [Cmd("DISCARD")]
        if variant < 0.3:  # a watched key touched by this very client aborts EXEC
            k = self.key()
            touch = rng.choice([("SET", k, "w"), ("DEL", k), ("EXPIRE", k, "100000"),
                                ("GET", k)])
            return ([Cmd("WATCH", k), Cmd(*touch), Cmd("MULTI")] + inner +
                    [Cmd("EXEC", check=exec_of([c.check for c in inner]))])
        if variant < 0.33:
            return [Cmd("MULTI"), Cmd("WATCH", self.key()), Cmd("MULTI"), Cmd("EXEC"),
                    Cmd("EXEC"), Cmd("DISCARD")]
        return [Cmd("MULTI")] + inner + [Cmd("EXEC", check=exec_of([c.check for c in inner]))]

    def pick(self):
        x = self.rng.random()
        if x < 0.2:
            return self.gen_string()
        if x < 0.38:
            return self.gen_list()
        if x < 0.54:
            return self.gen_hash()
        if x < 0.70:
            return self.gen_set()
        if x < 0.90:
            return self.gen_zset()
        if x < 0.97:
            return self.gen_keys()
        return self.gen_multi()

    def chunks(self, total):
        """Yields lists of Cmd/Group items of about CHUNK commands, total commands in all."""
        produced = 0
        chunk, size = [], 0
        for _ in range(total * 2):  # bounded: every pick yields at least one command
            if produced >= total:
                break
            for item in self.pick():
                n = len(item.cmds) if isinstance(item, Group) else 1
                chunk.append(item)
                size += n
                produced += n
            if size >= CHUNK:
                yield chunk
                chunk, size = [], 0
        if chunk:
            yield chunk


def stream_config(seed):
    """Encoding thresholds for a stream, set identically on both servers; seed 0 mod 5 keeps the
    defaults."""
    rng = random.Random(seed * 7919)
    if seed % 5 == 0:
        return []
    return [("hash-max-listpack-entries", rng.choice(["2", "4", "8"])),
            ("hash-max-listpack-value", rng.choice(["8", "16", "32"])),
            ("zset-max-listpack-entries", rng.choice(["2", "4", "8"])),
            ("zset-max-listpack-value", rng.choice(["8", "16", "32"])),
            ("set-max-intset-entries", rng.choice(["2", "4", "8"])),
            ("list-max-listpack-size", rng.choice(["2", "4", "-1"]))]


def stream_protocol(seed):
    """Even seeds speak RESP3 (maps, sets, doubles), odd seeds RESP2."""
    return 3 if seed % 2 == 0 else 2


class Pipe:
    """A RespConnection that sends a batch from a helper thread while replies are read, so large
    batches cannot deadlock on full socket buffers."""

    def __init__(self, port, protocol):
        self.conn = TextDoubleConnection(port, timeout=30)
        if protocol == 3:
            hello = self.run([("HELLO", "3")])[0]
            if not isinstance(hello, dict):
                raise AssertionError(f"HELLO 3 replied {hello!r}")

    def run(self, argvs):
        payload = b"".join(encode_command(*a) for a in argvs)
        errors = []

        def send():
            try:
                self.conn.send(payload)
            except OSError as e:  # reported after the reads time out or fail
                errors.append(e)

        sender = threading.Thread(target=send)
        sender.start()
        try:
            replies = [normalize(self.conn.read_reply()) for _ in argvs]
        finally:
            sender.join(timeout=30)
        if errors:
            raise errors[0]
        return replies

    def close(self):
        self.conn.close()


def full_scan(pipe, first_args, pairs):
    """Iterates a SCAN-family command to cursor 0 (at most 10,000 pages); returns the sorted,
    de-duplicated elements (pairs for HSCAN/ZSCAN), or the error reply."""
    cursor = b"0"
    seen = set()
    for _ in range(10000):
        name, rest = first_args[0], first_args[1:]
        if name == "SCAN":
            args = [name, cursor, *rest]
        else:
            args = [name, rest[0], cursor, *rest[1:]]
        reply = pipe.run([args])[0]
        if not isinstance(reply, list):
            return reply
        cursor, items = reply
        seen.update(zip(items[0::2], items[1::2]) if pairs else items)
        if cursor == b"0":
            return sorted(seen, key=repr)
    raise AssertionError(f"{first_args} did not return cursor 0 within 10,000 pages")


class Comparison:
    def __init__(self):
        self.commands = 0
        self.checkpoint_commands = 0
        self.differences = []

    def differ(self, seed, where, what, redis_reply, stashd_reply):
        self.differences.append((seed, where, what, redis_reply, stashd_reply))


def short(value, limit=300):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"


class DifferentialStreams(unittest.TestCase):
    def run_stream(self, seed, result):
        stashd = StashdProcess()
        try:
            redis_server = RedisServerProcess()
        except Exception:
            stashd.stop()
            raise
        pipes = []
        try:
            protocol = stream_protocol(seed)
            ref, got = Pipe(redis_server.port, protocol), Pipe(stashd.port, protocol)
            pipes = [ref, got]
            for name, value in stream_config(seed):
                for p in pipes:
                    reply = p.run([("CONFIG", "SET", name, value)])[0]
                    self.assertEqual(reply, "OK", f"CONFIG SET {name} {value}")
            deadline = time.monotonic() + STREAM_DEADLINE_S
            since_checkpoint = 0
            position = 0
            for chunk in Generator(seed).chunks(COMMANDS_PER_STREAM):
                if time.monotonic() > deadline:
                    self.fail(f"seed {seed}: stream did not finish within {STREAM_DEADLINE_S}s")
                argvs = []
                for item in chunk:
                    argvs += [c.args for c in item.cmds] if isinstance(item, Group) else [item.args]
                expected, actual = ref.run(argvs), got.run(argvs)
                i = 0
                for item in chunk:
                    if isinstance(item, Group):
                        n = len(item.cmds)
                        problem = item.check(expected[i:i + n], actual[i:i + n])
                        if problem:
                            result.differ(seed, position + i,
                                          f"group {[c.args for c in item.cmds]}: {problem}",
                                          expected[i:i + n], actual[i:i + n])
                        i += n
                    else:
                        if not item.check(expected[i], actual[i]):
                            result.differ(seed, position + i, item.args, expected[i], actual[i])
                        i += 1
                position += len(argvs)
                result.commands += len(argvs)
                since_checkpoint += len(argvs)
                if since_checkpoint >= CHECKPOINT_EVERY:
                    self.checkpoint(seed, position, ref, got, result)
                    since_checkpoint = 0
            self.checkpoint(seed, position, ref, got, result)
        finally:
            for p in pipes:
                p.close()
            redis_server.stop()
            stashd.stop()

    def checkpoint(self, seed, position, ref, got, result):
        """Compares the whole keyspace of both servers (db 0)."""
        rng = random.Random(seed + position)

        def compare(args, check=None, pairs=None):
            if pairs is None:
                e, a = ref.run([args])[0], got.run([args])[0]
            else:
                e, a = full_scan(ref, args, pairs), full_scan(got, args, pairs)
            result.checkpoint_commands += 1
            if not (check or checker_for(args))(e, a):
                result.differ(seed, f"checkpoint after {position}", args, e, a)
            return e

        compare(("DBSIZE",))
        compare(("KEYS", "*"))
        scan = ["SCAN", "COUNT", rng.choice([1, 3, 10])]
        if rng.random() < 0.5:
            scan += ["MATCH", rng.choice(GLOBS)]
        if rng.random() < 0.5:
            scan += ["TYPE", rng.choice(["string", "list", "hash", "set", "zset"])]
        compare(tuple(scan), exact, pairs=False)
        for key in ALL_KEYS:
            kind = compare(("TYPE", key))
            compare(("TTL", key))
            count = ["COUNT", rng.choice([1, 2, 5])]
            match = ["MATCH", rng.choice(GLOBS)] if rng.random() < 0.3 else []
            if kind == "string":
                compare(("GET", key))
            elif kind == "list":
                compare(("LRANGE", key, "0", "-1"))
            elif kind == "hash":
                compare(("HGETALL", key))
                compare(("HSCAN", key, *count, *match), exact, pairs=True)
            elif kind == "set":
                compare(("SMEMBERS", key))
                compare(("SSCAN", key, *count, *match), exact, pairs=False)
            elif kind == "zset":
                compare(("ZRANGE", key, "0", "-1", "WITHSCORES"))
                compare(("ZSCAN", key, *count, *match), exact, pairs=True)

    def test_random_streams_match_redis(self):
        result = Comparison()
        started = time.monotonic()
        for seed in SEEDS:
            self.run_stream(seed, result)
        elapsed = time.monotonic() - started
        total = result.commands + result.checkpoint_commands
        print(f"\ndifferential: {len(SEEDS)} streams (seeds {SEEDS}), {result.commands} stream "
              f"commands + {result.checkpoint_commands} checkpoint commands = {total} commands "
              f"per server in {elapsed:.1f} s; {len(result.differences)} replies differed")
        if result.differences:
            lines = []
            for seed, where, what, e, a in result.differences[:MAX_REPORTED]:
                lines.append(f"seed {seed} @ {where}: {short(what)}\n    redis:  {short(e)}\n"
                             f"    stashd: {short(a)}")
            self.fail(f"{len(result.differences)} replies differed; first "
                      f"{min(MAX_REPORTED, len(result.differences))}:\n" + "\n".join(lines))


if __name__ == "__main__":
    unittest.main()
