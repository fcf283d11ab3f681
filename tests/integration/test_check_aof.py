"""Owns: stashd-check-aof end to end on real files written by hand: valid increments, truncated
tails, damage in the middle, MULTI without EXEC, --fix (and that it only cuts the last increment
of a manifest), base snapshots (hand-made, and one saved by a real stashd), bad manifests and
usage errors, with the exit codes 0 valid / 1 not valid (also after --fix) / 2 usage."""
import os
import shutil
import struct
import subprocess
import tempfile
import unittest

from stashd_fixture import STASHD_BIN, StashdProcess

CHECK_AOF = os.environ.get("STASHD_CHECK_AOF_BIN") or os.path.join(
    os.path.dirname(STASHD_BIN), "stashd-check-aof")


def resp(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def varint(n):
    out = b""
    while n >= 0x80:
        out += bytes([(n & 0x7F) | 0x80])
        n >>= 7
    return out + bytes([n])


def snapshot(keys):
    """A stashd snapshot of string keys in db 0 (format in docs/persistence-format.md); a stored
    checksum of 0 is never verified, so no XXH64 is needed here."""
    out = b"STASHD" + struct.pack("<Hq", 1, 0)
    if keys:
        out += b"\xfe" + varint(0) + varint(len(keys)) + varint(0)
        for k, v in keys.items():
            value = b"\x00" + varint(len(v) << 2) + v
            out += b"\x01\x00" + b"\x00\x00\x00" + varint(len(k)) + k + varint(len(value)) + value
    return out + b"\xff" + b"\x00" * 8


class CheckAofTestCase(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="stashd-check-aof-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def write(self, name, data):
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def read(self, name):
        with open(os.path.join(self.dir, name), "rb") as f:
            return f.read()

    def check(self, *args):
        out = subprocess.run([CHECK_AOF, *args], capture_output=True, timeout=60)
        return out.returncode, out.stdout.decode() + out.stderr.decode()


GOOD = resp("SELECT", 0) + resp("SET", "a", "1") + resp("MULTI") + resp("INCR", "n") + \
    resp("EXEC") + resp("SET", "b", b"x\r\ny")


class SingleIncrement(CheckAofTestCase):
    def test_a_valid_file_exits_0(self):
        path = self.write("a.aof", GOOD)
        code, out = self.check(path)
        self.assertEqual(code, 0, out)
        self.assertIn(f"{path}: valid, 6 commands, {len(GOOD)} bytes", out)
        self.assertIn("AOF is valid", out)

    def test_an_empty_file_is_valid(self):
        code, out = self.check(self.write("a.aof", b""))
        self.assertEqual(code, 0, out)

    def test_a_truncated_tail_is_reported_and_fixed(self):
        cut = len(GOOD) - 3
        path = self.write("a.aof", GOOD[:cut])
        last_start = len(GOOD) - len(resp("SET", "b", b"x\r\ny"))
        code, out = self.check(path)
        self.assertEqual(code, 1, out)
        self.assertIn(f"{path}: truncated at offset {last_start}: unfinished command", out)
        self.assertIn(f"valid up to offset {last_start} (the end of the last whole command outside "
                      f"MULTI); {cut - last_start} bytes after it", out)
        self.assertIn("AOF is not valid; --fix truncates a damaged increment", out)
        self.assertEqual(self.read("a.aof"), GOOD[:cut])  # checking changes nothing

        code, out = self.check("--fix", path)
        self.assertEqual(code, 1, out)
        self.assertIn(f"{path}: fixed: truncated from {cut} to {last_start} bytes "
                      f"({cut - last_start} bytes dropped)", out)
        self.assertIn("AOF was not valid and has been fixed", out)
        self.assertEqual(self.read("a.aof"), GOOD[:last_start])
        self.assertEqual(self.check(path)[0], 0)

    def test_truncation_at_every_offset_is_fixed_to_a_whole_command(self):
        boundaries = [0]
        for cmd in [resp("SELECT", 0), resp("SET", "a", "1")]:
            boundaries.append(boundaries[-1] + len(cmd))
        head = resp("SELECT", 0) + resp("SET", "a", "1")
        data = head + resp("MULTI") + resp("INCR", "n") + resp("EXEC")
        boundaries.append(len(data))
        for n in range(len(data) + 1):
            path = self.write("t.aof", data[:n])
            code, out = self.check("--fix", path)
            expected = max(b for b in boundaries if b <= n)
            self.assertEqual(code, 0 if expected == n else 1, out)
            self.assertEqual(len(self.read("t.aof")), expected, out)
            self.assertEqual(self.check(path)[0], 0)

    def test_damage_in_the_middle_names_its_offset(self):
        at = len(resp("SELECT", 0)) + 4  # the '$' of SET
        data = bytearray(GOOD)
        self.assertEqual(data[at:at + 1], b"$")
        data[at] = ord("#")
        path = self.write("a.aof", bytes(data))
        code, out = self.check(path)
        self.assertEqual(code, 1, out)
        self.assertIn(f"{path}: bad format at offset {at}: expected '$', found '#'", out)
        code, out = self.check("--fix", path)
        self.assertEqual(code, 1, out)
        self.assertEqual(self.read("a.aof"), resp("SELECT", 0))

    def test_multi_without_exec_is_cut_before_the_multi(self):
        head = resp("SELECT", 0) + resp("SET", "a", "1")
        path = self.write("a.aof", head + resp("MULTI") + resp("INCR", "n"))
        code, out = self.check(path)
        self.assertEqual(code, 1, out)
        self.assertIn(f"truncated at offset {len(head)}: MULTI without EXEC at the end of the file",
                      out)
        self.check("--fix", path)
        self.assertEqual(self.read("a.aof"), head)

    def test_unbalanced_transactions_are_bad_format(self):
        path = self.write("a.aof", resp("SET", "a", "1") + resp("EXEC"))
        code, out = self.check(path)
        self.assertEqual(code, 1, out)
        self.assertIn("bad format at offset 27: EXEC without MULTI", out)
        path = self.write("b.aof", resp("MULTI") + resp("MULTI") + resp("EXEC"))
        self.assertIn("bad format at offset 15: MULTI inside MULTI", self.check(path)[1])

    def test_inline_commands_are_not_allowed(self):
        code, out = self.check(self.write("a.aof", b"SET a 1\r\n"))
        self.assertEqual(code, 1, out)
        self.assertIn("bad format at offset 0: expected '*', found 'S'", out)

    def test_a_huge_claimed_length_is_just_truncation(self):
        code, out = self.check(self.write("a.aof", b"*1\r\n$99999999999999\r\nab"))
        self.assertEqual(code, 1, out)
        self.assertIn("truncated at offset 0", out)


class Usage(CheckAofTestCase):
    def test_bad_arguments_exit_2(self):
        path = self.write("a.aof", GOOD)
        for args in [[], ["--fix"], ["--bogus", path], [path, path]]:
            code, out = self.check(*args)
            self.assertEqual(code, 2, (args, out))
            self.assertIn("Usage: stashd-check-aof", out)
        code, out = self.check("--help")
        self.assertEqual(code, 0)

    def test_a_missing_file_is_not_valid(self):
        path = os.path.join(self.dir, "nope.aof")
        code, out = self.check(path)
        self.assertEqual(code, 1, out)
        self.assertIn(f"{path}: open: No such file or directory", out)


class Manifest(CheckAofTestCase):
    def make(self, base=None, incrs=(GOOD, GOOD)):
        os.mkdir(os.path.join(self.dir, "appendonlydir"))
        lines = ["stashd-aof-manifest 1"]
        if base is not None:
            self.write("appendonlydir/appendonly.aof.1.base.rdb", base)
            lines.append("file appendonly.aof.1.base.rdb seq 1 type b")
        for i, data in enumerate(incrs, start=1):
            self.write(f"appendonlydir/appendonly.aof.{i}.incr.aof", data)
            lines.append(f"file appendonly.aof.{i}.incr.aof seq {i} type i")
        lines.append("file appendonly.aof.0.incr.aof seq 1 type h")
        text = "\n".join(lines) + "\n"
        return self.write("appendonlydir/appendonly.aof.manifest", text.encode())

    def incr(self, i):
        return os.path.join(self.dir, "appendonlydir", f"appendonly.aof.{i}.incr.aof")

    def test_every_listed_file_is_checked(self):
        manifest = self.make(base=snapshot({b"k1": b"v1", b"k2": b"hello"}))
        code, out = self.check(manifest)
        self.assertEqual(code, 0, out)
        self.assertIn("manifest lists 1 base, 2 increments, 1 history files", out)
        self.assertIn("appendonly.aof.1.base.rdb: valid snapshot, 2 keys", out)
        self.assertIn(f"{self.incr(1)}: valid, 6 commands", out)
        self.assertIn(f"{self.incr(2)}: valid, 6 commands", out)
        self.assertIn("appendonly.aof.0.incr.aof: history file, not checked", out)
        self.assertIn("AOF is valid", out)

    def test_fix_cuts_only_the_last_increment(self):
        manifest = self.make(incrs=(GOOD, GOOD[:-2]))
        code, out = self.check("--fix", manifest)
        self.assertEqual(code, 1, out)
        self.assertIn(f"{self.incr(2)}: fixed: truncated", out)
        self.assertEqual(self.check(manifest)[0], 0)

        shutil.rmtree(os.path.join(self.dir, "appendonlydir"))
        manifest = self.make(incrs=(GOOD[:-2], GOOD))
        code, out = self.check("--fix", manifest)
        self.assertEqual(code, 1, out)
        self.assertIn(f"{self.incr(1)}: not fixed: only the last increment of a manifest can be "
                      "truncated", out)
        with open(self.incr(1), "rb") as f:
            self.assertEqual(f.read(), GOOD[:-2])

    def test_a_damaged_base_is_not_valid(self):
        manifest = self.make(base=snapshot({b"k": b"v"})[:-5])
        code, out = self.check("--fix", manifest)
        self.assertEqual(code, 1, out)
        self.assertIn("appendonly.aof.1.base.rdb: not valid:", out)
        self.assertIn("unexpected end of file", out)

    def test_a_missing_increment_is_not_valid(self):
        manifest = self.make()
        os.unlink(self.incr(2))
        code, out = self.check(manifest)
        self.assertEqual(code, 1, out)
        self.assertIn(f"{self.incr(2)}: open: No such file or directory", out)

    def test_a_malformed_manifest_names_the_line(self):
        os.mkdir(os.path.join(self.dir, "appendonlydir"))
        path = self.write("appendonlydir/appendonly.aof.manifest",
                          b"stashd-aof-manifest 1\nfile a seq 1 type z\n")
        code, out = self.check(path)
        self.assertEqual(code, 1, out)
        self.assertIn("not a valid manifest: line 2: unknown type 'z' (b, i or h)", out)

    def test_a_base_saved_by_stashd_checks_alone_and_in_a_manifest(self):
        server = StashdProcess()
        try:
            r = server.client()
            r.set("s", "v")
            r.rpush("l", *range(100))
            r.hset("h", mapping={"f": "x" * 500})
            r.set("ttl", "v", px=600000)
            r.save()
            with open(os.path.join(server.dir, "dump.rdb"), "rb") as f:
                base = f.read()
            r.close()
        finally:
            server.stop()
        code, out = self.check(self.write("dump.rdb", base))
        self.assertEqual(code, 0, out)
        self.assertIn("valid snapshot, 4 keys", out)
        code, out = self.check(self.make(base=base))
        self.assertEqual(code, 0, out)
        # A flipped byte is caught by the snapshot's checksum.
        damaged = bytearray(base)
        damaged[len(base) // 2] ^= 0x40
        code, out = self.check(self.write("bad.rdb", bytes(damaged)))
        self.assertEqual(code, 1, out)


if __name__ == "__main__":
    unittest.main()
