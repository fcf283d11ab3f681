"""Owns: the string and bit commands end to end, differential against Debian's redis-server: the
same command list goes to both servers and every reply (or error message) must be identical.
SET IFEQ (Valkey 8.1, absent from Redis 7.0) is checked against its documented behaviour."""
import time
import unittest

import redis

from stashd_fixture import DifferentialTestCase

FAR_FUTURE_S = 4102444800        # 2100-01-01, so EXPIRETIME replies are exact on both servers
FAR_FUTURE_MS = FAR_FUTURE_S * 1000 + 123


class StringCommandsMatchRedis(DifferentialTestCase):
    def assert_ttl_close(self, key, expected_ms, tolerance_ms=1500):
        for r in (self.s, self.ref):
            pttl = r.execute_command("PTTL", key)
            self.assertTrue(expected_ms - tolerance_ms <= pttl <= expected_ms,
                            f"PTTL {key} = {pttl}, expected about {expected_ms}")

    def test_get_set_and_binary_values(self):
        self.same_all([
            ("GET", "missing"),
            ("SET", "k", "v"),
            ("GET", "k"),
            ("SET", "k", b"a\x00b\r\nc\xff"),
            ("GET", "k"),
            ("SET", "empty", ""),
            ("GET", "empty"),
            ("STRLEN", "empty"),
            ("SET", "big", "x" * 100000),
            ("STRLEN", "big"),
            ("SET", "k"),
            ("GET",),
            ("GET", "a", "b"),
        ])
        self.assertEqual(self.s.execute_command("GET", "big"), b"x" * 100000)

    def test_set_conditions_nx_xx_get(self):
        self.same_all([
            ("SET", "k", "1", "NX"),
            ("SET", "k", "2", "NX"),
            ("GET", "k"),
            ("SET", "k", "3", "XX"),
            ("GET", "k"),
            ("SET", "missing", "x", "XX"),
            ("EXISTS", "missing"),
            ("SET", "k", "4", "GET"),
            ("SET", "new", "1", "GET"),
            ("SET", "k", "5", "NX", "GET"),
            ("SET", "k2", "5", "NX", "GET"),
            ("SET", "k", "6", "XX", "GET"),
            ("SET", "nope", "6", "XX", "GET"),
            ("GET", "k"),
            ("set", "k", "7", "nx", "get"),
            ("SET", "k", "v", "NX", "XX"),
            ("SET", "k", "v", "FOO"),
            ("SET", "k", "v", "GET", "GET"),
            ("GET", "k"),
        ])

    def test_set_expiry_options(self):
        self.same_all([
            ("SET", "ex", "v", "EX", "100"),
            ("TTL", "ex"),
            ("SET", "px", "v", "PX", "100000"),
            ("TTL", "px"),
            ("SET", "exat", "v", "EXAT", FAR_FUTURE_S),
            ("EXPIRETIME", "exat"),
            ("SET", "pxat", "v", "PXAT", FAR_FUTURE_MS),
            ("PEXPIRETIME", "pxat"),
            ("SET", "pxat", "w", "KEEPTTL"),
            ("PEXPIRETIME", "pxat"),
            ("GET", "pxat"),
            ("SET", "pxat", "x"),
            ("PEXPIRETIME", "pxat"),
            ("SET", "k", "v", "EX", "0"),
            ("SET", "k", "v", "EX", "-1"),
            ("SET", "k", "v", "PX", "0"),
            ("SET", "k", "v", "EXAT", "0"),
            ("SET", "k", "v", "PXAT", "-5"),
            ("SET", "k", "v", "EX", "abc"),
            ("SET", "k", "v", "EX", "1.5"),
            ("SET", "k", "v", "EX", "9223372036854775807"),
            ("SET", "k", "v", "PX", "9223372036854775807"),
            ("SET", "k", "v", "EX", "10", "PX", "100"),
            ("SET", "k", "v", "EX", "10", "KEEPTTL"),
            ("SET", "k", "v", "KEEPTTL", "PXAT", "1"),
            ("SET", "k", "v", "EX"),
            ("EXISTS", "k"),
            ("SET", "k", "v", "ex", "50", "xx", "get"),
            ("SET", "past", "v", "PXAT", "1000"),
            ("EXISTS", "past"),
        ])
        self.assert_ttl_close("ex", 100000)

    def test_set_ifeq_sets_only_when_the_value_matches(self):
        s = self.s
        s.execute_command("SET", "k", "v1")
        self.assertEqual(s.execute_command("SET", "k", "v2", "IFEQ", "v1"), b"OK")
        self.assertEqual(s.execute_command("GET", "k"), b"v2")
        self.assertIsNone(s.execute_command("SET", "k", "v3", "IFEQ", "v1"))
        self.assertEqual(s.execute_command("GET", "k"), b"v2")
        self.assertIsNone(s.execute_command("SET", "absent", "v", "IFEQ", "v"))
        self.assertEqual(s.execute_command("EXISTS", "absent"), 0)
        self.assertEqual(s.execute_command("SET", "k", "v4", "IFEQ", "v2", "GET"), b"v2")
        self.assertEqual(s.execute_command("GET", "k"), b"v4")
        self.assertEqual(s.execute_command("SET", "k", "v5", "IFEQ", "zz", "GET"), b"v4")
        self.assertEqual(s.execute_command("GET", "k"), b"v4")
        self.assertEqual(s.execute_command("SET", "k", "v6", "IFEQ", "v4", "EX", "100"), b"OK")
        self.assertTrue(0 < s.execute_command("TTL", "k") <= 100)
        s.execute_command("SET", "n", "10")
        self.assertEqual(s.execute_command("SET", "n", "11", "IFEQ", "10"), b"OK")
        for bad in (("SET", "k", "v", "IFEQ", "v6", "NX"), ("SET", "k", "v", "XX", "IFEQ", "v6"),
                    ("SET", "k", "v", "IFEQ")):
            self.assertEqual(_error(s, *bad), "syntax error", bad)

    def test_set_ifeq_and_get_on_a_non_string_key_are_wrongtype(self):
        if _error(self.s, "RPUSH", "list", "a") is not None:
            self.skipTest("stashd has no list commands yet")
        self.assertTrue(_error(self.s, "SET", "list", "v", "IFEQ", "a").startswith("WRONGTYPE"))
        self.assertEqual(self.s.execute_command("TYPE", "list"), b"list")

    def test_setnx_setex_psetex_getset_getdel(self):
        self.same_all([
            ("SETNX", "k", "1"),
            ("SETNX", "k", "2"),
            ("GET", "k"),
            ("SETEX", "e", "100", "v"),
            ("TTL", "e"),
            ("SETEX", "e", "0", "v"),
            ("SETEX", "e", "-3", "v"),
            ("SETEX", "e", "x", "v"),
            ("PSETEX", "p", "100000", "v"),
            ("TTL", "p"),
            ("PSETEX", "p", "0", "v"),
            ("GET", "p"),
            ("GETSET", "k", "new"),
            ("GETSET", "fresh", "x"),
            ("GET", "k"),
            ("SETEX", "e2", "100", "v"),
            ("GETSET", "e2", "w"),
            ("TTL", "e2"),
            ("GETDEL", "k"),
            ("GETDEL", "k"),
            ("EXISTS", "k"),
            ("SETNX", "k"),
        ])

    def test_getex(self):
        self.same_all([
            ("SET", "k", "v"),
            ("GETEX", "k"),
            ("GETEX", "missing"),
            ("GETEX", "k", "EX", "100"),
            ("TTL", "k"),
            ("GETEX", "k", "PERSIST"),
            ("TTL", "k"),
            ("GETEX", "k", "EXAT", FAR_FUTURE_S),
            ("EXPIRETIME", "k"),
            ("GETEX", "k", "PXAT", FAR_FUTURE_MS),
            ("PEXPIRETIME", "k"),
            ("GETEX", "k", "PX", "100000"),
            ("TTL", "k"),
            ("GETEX", "k", "EX", "0"),
            ("GETEX", "k", "EX", "-1"),
            ("GETEX", "k", "EX", "10", "PX", "10"),
            ("GETEX", "k", "PERSIST", "EX", "10"),
            ("GETEX", "k", "KEEPTTL"),
            ("GETEX", "k", "EX"),
            ("GETEX", "k", "PX", "1", "extra"),
            ("GETEX", "k", "PXAT", "1000"),
            ("EXISTS", "k"),
        ])

    def test_mget_mset_msetnx(self):
        self.same_all([
            ("MSET", "a", "1", "b", "2", "c", "3"),
            ("MGET", "a", "b", "missing", "c"),
            ("MSET", "a", "x", "a", "y"),
            ("GET", "a"),
            ("MSET", "a", "1", "b"),
            ("MSET",),
            ("MSETNX", "a", "9", "z", "9"),
            ("EXISTS", "z"),
            ("MSETNX", "y", "1", "z", "2"),
            ("MGET", "y", "z"),
            ("MSETNX", "q", "1", "q", "2"),
            ("GET", "q"),
            ("MSETNX", "a"),
            ("MGET",),
        ])

    def test_integer_counters(self):
        self.same_all([
            ("INCR", "n"),
            ("INCR", "n"),
            ("DECR", "n"),
            ("INCRBY", "n", "100"),
            ("DECRBY", "n", "-50"),
            ("DECRBY", "n", "1000"),
            ("GET", "n"),
            ("SET", "n", "9223372036854775806"),
            ("INCR", "n"),
            ("INCR", "n"),
            ("GET", "n"),
            ("SET", "n", "-9223372036854775808"),
            ("DECR", "n"),
            ("DECRBY", "n", "-9223372036854775808"),
            ("INCRBY", "n", "9223372036854775807"),
            ("SET", "s", "abc"),
            ("INCR", "s"),
            ("SET", "s", " 1"),
            ("INCR", "s"),
            ("SET", "s", "01"),
            ("INCR", "s"),
            ("SET", "s", "+1"),
            ("INCR", "s"),
            ("SET", "s", "-0"),
            ("INCR", "s"),
            ("SET", "s", "1.0"),
            ("INCR", "s"),
            ("SET", "s", "99999999999999999999"),
            ("INCR", "s"),
            ("INCRBY", "n2", "abc"),
            ("INCRBY", "n2", "1.5"),
            ("INCRBY", "n2", ""),
            ("INCRBY", "n2", "99999999999999999999"),
            ("DECRBY", "n2", "-9223372036854775808"),
            ("SET", "n3", "5"),
            ("APPEND", "n3", "0"),
            ("INCR", "n3"),
            ("SET", "e", "10", "EX", "100"),
            ("INCR", "e"),
            ("TTL", "e"),
            ("INCR",),
            ("INCRBY", "n"),
        ])

    def test_incrbyfloat(self):
        self.same_all([
            ("INCRBYFLOAT", "f", "10.5"),
            ("INCRBYFLOAT", "f", "0.1"),
            ("INCRBYFLOAT", "f", "-5"),
            ("INCRBYFLOAT", "f", "5.0e3"),
            ("INCRBYFLOAT", "f", "-5000.6"),
            ("GET", "f"),
            ("SET", "i", "3"),
            ("INCRBYFLOAT", "i", "1.5"),
            ("INCRBYFLOAT", "i", "-4.5"),
            ("GET", "i"),
            ("INCRBYFLOAT", "g", "1e300"),
            ("INCRBYFLOAT", "g", "1e300"),
            ("INCRBYFLOAT", "g", "inf"),
            ("INCRBYFLOAT", "g", "nan"),
            ("INCRBYFLOAT", "g", "abc"),
            ("INCRBYFLOAT", "g", ""),
            ("INCRBYFLOAT", "h", "3.0000000000000001"),
            ("INCRBYFLOAT", "h", "0.0000001"),
            ("INCRBYFLOAT", "h2", "1.23456789012345678"),
            ("INCRBYFLOAT", "h3", "-0.0"),
            ("SET", "s", "abc"),
            ("INCRBYFLOAT", "s", "1"),
            ("SET", "s", "1.5 "),
            ("INCRBYFLOAT", "s", "1"),
            ("SET", "e", "1", "EX", "100"),
            ("INCRBYFLOAT", "e", "1"),
            ("TTL", "e"),
        ])

    def test_append_strlen(self):
        self.same_all([
            ("APPEND", "k", "hello"),
            ("APPEND", "k", " world"),
            ("GET", "k"),
            ("STRLEN", "k"),
            ("STRLEN", "missing"),
            ("SET", "n", "12345"),
            ("STRLEN", "n"),
            ("APPEND", "n", "6"),
            ("GET", "n"),
            ("SET", "neg", "-100"),
            ("STRLEN", "neg"),
            ("APPEND", "bin", b"\x00\x01"),
            ("APPEND", "bin", b"\xff"),
            ("GET", "bin"),
            ("APPEND", "k"),
        ])
        for i in range(200):
            self.both("APPEND", "grow", "abcdefghij" * (i % 7))
        self.same("GET", "grow")
        self.same("STRLEN", "grow")

    def test_getrange_substr_setrange(self):
        self.same_all([
            ("SET", "k", "Hello World"),
            ("GETRANGE", "k", "0", "4"),
            ("GETRANGE", "k", "-5", "-1"),
            ("GETRANGE", "k", "-100", "100"),
            ("GETRANGE", "k", "5", "2"),
            ("GETRANGE", "k", "20", "30"),
            ("GETRANGE", "k", "-1", "-5"),
            ("GETRANGE", "k", "0", "-100"),
            ("GETRANGE", "missing", "0", "10"),
            ("GETRANGE", "k", "a", "1"),
            ("SUBSTR", "k", "0", "4"),
            ("SUBSTR", "k", "-3", "-1"),
            ("SET", "n", "1234567"),
            ("GETRANGE", "n", "1", "3"),
            ("SET", "e", ""),
            ("GETRANGE", "e", "0", "-1"),
            ("SETRANGE", "k", "6", "Redis"),
            ("GET", "k"),
            ("SETRANGE", "k", "20", "X"),
            ("GET", "k"),
            ("SETRANGE", "new", "3", "abc"),
            ("GET", "new"),
            ("SETRANGE", "none", "5", ""),
            ("EXISTS", "none"),
            ("SETRANGE", "k", "0", ""),
            ("SETRANGE", "k", "-1", "x"),
            ("SETRANGE", "k", "536870912", "x"),
            ("SETRANGE", "k", "536870911", ""),
            ("SETRANGE", "n", "0", "9"),
            ("GET", "n"),
            ("INCR", "n"),
            ("SETRANGE", "k", "x", "y"),
            ("GETRANGE", "k", "0"),
        ])

    def test_lcs(self):
        self.same_all([
            ("MSET", "key1", "ohmytext", "key2", "mynewtext"),
            ("LCS", "key1", "key2"),
            ("LCS", "key1", "key2", "LEN"),
            ("LCS", "key1", "key2", "IDX"),
            ("LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4"),
            ("LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"),
            ("LCS", "key1", "key2", "IDX", "WITHMATCHLEN"),
            ("LCS", "key1", "key2", "LEN", "IDX"),
            ("LCS", "key1", "missing"),
            ("LCS", "missing1", "missing2", "LEN"),
            ("LCS", "missing1", "missing2", "IDX"),
            ("LCS", "key1", "key2", "FOO"),
            ("LCS", "key1", "key2", "MINMATCHLEN", "x"),
            ("MSET", "a", "GTCGTTCGGAATGCCGTTGCTCTGTAAA", "b", "ACCGGTCGAGTGCGCGGAAGCCGGCCGAA"),
            ("LCS", "a", "b"),
            ("LCS", "a", "b", "IDX", "WITHMATCHLEN"),
            ("LCS", "a", "a", "LEN"),
            ("LCS", "key1"),
        ])

    def test_setbit_getbit(self):
        self.same_all([
            ("SETBIT", "b", "7", "1"),
            ("GET", "b"),
            ("SETBIT", "b", "7", "0"),
            ("SETBIT", "b", "100", "1"),
            ("STRLEN", "b"),
            ("GETBIT", "b", "100"),
            ("GETBIT", "b", "101"),
            ("GETBIT", "b", "100000"),
            ("GETBIT", "missing", "0"),
            ("SETBIT", "b", "-1", "1"),
            ("SETBIT", "b", "4294967296", "1"),
            ("SETBIT", "b", "4294967295", "2"),
            ("SETBIT", "b", "0", "x"),
            ("GETBIT", "b", "-1"),
            ("GETBIT", "b", "abc"),
            ("SET", "n", "5"),
            ("SETBIT", "n", "0", "1"),
            ("GET", "n"),
            ("SET", "s", "a"),
            ("GETBIT", "s", "1"),
            ("GETBIT", "s", "2"),
        ])

    def test_bitcount_bitpos(self):
        self.same_all([
            ("SET", "k", "foobar"),
            ("BITCOUNT", "k"),
            ("BITCOUNT", "k", "0", "0"),
            ("BITCOUNT", "k", "1", "1"),
            ("BITCOUNT", "k", "1", "-2"),
            ("BITCOUNT", "k", "-100", "100"),
            ("BITCOUNT", "k", "5", "1"),
            ("BITCOUNT", "k", "1", "1", "BYTE"),
            ("BITCOUNT", "k", "5", "30", "BIT"),
            ("BITCOUNT", "k", "-3", "-1", "BIT"),
            ("BITCOUNT", "k", "0"),
            ("BITCOUNT", "k", "0", "1", "FOO"),
            ("BITCOUNT", "missing"),
            ("BITCOUNT", "missing", "0", "-1"),
            ("SET", "p", b"\xff\xf0\x00"),
            ("BITPOS", "p", "0"),
            ("BITPOS", "p", "1"),
            ("BITPOS", "p", "0", "2"),
            ("BITPOS", "p", "1", "2"),
            ("BITPOS", "p", "1", "2", "-1"),
            ("BITPOS", "p", "0", "0", "-1"),
            ("BITPOS", "p", "0", "7", "15", "BIT"),
            ("BITPOS", "p", "1", "12", "23", "BIT"),
            ("BITPOS", "p", "0", "1", "1", "BYTE"),
            ("SET", "ones", b"\xff\xff"),
            ("BITPOS", "ones", "0"),
            ("BITPOS", "ones", "0", "0"),
            ("BITPOS", "ones", "0", "0", "-1"),
            ("BITPOS", "ones", "0", "0", "-1", "BIT"),
            ("BITPOS", "missing", "0"),
            ("BITPOS", "missing", "1"),
            ("BITPOS", "p", "2"),
            ("BITPOS", "p", "1", "x"),
            ("BITPOS", "p", "1", "0", "1", "FOO"),
        ])

    def test_bitop(self):
        self.same_all([
            ("SET", "a", b"\xff\x0f\x00"),
            ("SET", "b", b"\x0f\xf0"),
            ("BITOP", "AND", "d", "a", "b"),
            ("GET", "d"),
            ("BITOP", "OR", "d", "a", "b"),
            ("GET", "d"),
            ("BITOP", "XOR", "d", "a", "b", "missing"),
            ("GET", "d"),
            ("BITOP", "NOT", "d", "a"),
            ("GET", "d"),
            ("BITOP", "not", "d", "b"),
            ("GET", "d"),
            ("BITOP", "NOT", "d", "a", "b"),
            ("BITOP", "AND", "d", "missing1", "missing2"),
            ("EXISTS", "d"),
            ("BITOP", "NAND", "d", "a"),
            ("BITOP", "AND", "d"),
            ("BITOP", "AND", "a", "a", "b"),
            ("GET", "a"),
        ])

    def test_bitfield(self):
        self.same_all([
            ("BITFIELD", "bf", "SET", "i8", "0", "100", "GET", "u4", "0", "GET", "i8", "0"),
            ("BITFIELD", "bf", "INCRBY", "u2", "100", "1", "OVERFLOW", "SAT", "INCRBY", "u2", "102",
             "1"),
            ("BITFIELD", "bf", "SET", "u8", "#1", "255", "GET", "u8", "8", "GET", "u8", "#1"),
            ("BITFIELD", "ov", "OVERFLOW", "WRAP", "INCRBY", "u8", "0", "300"),
            ("BITFIELD", "ov", "OVERFLOW", "SAT", "INCRBY", "u8", "0", "300"),
            ("BITFIELD", "ov", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "300"),
            ("BITFIELD", "ov", "OVERFLOW", "SAT", "INCRBY", "i8", "8", "-300"),
            ("BITFIELD", "ov", "OVERFLOW", "WRAP", "INCRBY", "i8", "8", "-300"),
            ("BITFIELD", "ov", "OVERFLOW", "FAIL", "SET", "i4", "16", "100"),
            ("BITFIELD", "ov", "SET", "i64", "0", "-9223372036854775808", "GET", "i64", "0"),
            ("BITFIELD", "ov", "SET", "u63", "0", "123", "GET", "u63", "0"),
            ("GET", "ov"),
            ("BITFIELD", "x", "GET", "u64", "0"),
            ("BITFIELD", "x", "GET", "i65", "0"),
            ("BITFIELD", "x", "GET", "u0", "0"),
            ("BITFIELD", "x", "GET", "q8", "0"),
            ("BITFIELD", "x", "GET", "u8", "-1"),
            ("BITFIELD", "x", "SET", "u8", "0"),
            ("BITFIELD", "x", "OVERFLOW", "MAYBE"),
            ("BITFIELD", "x", "FOO"),
            ("BITFIELD", "x", "INCRBY", "u8", "0", "x"),
            ("BITFIELD", "x"),
            ("EXISTS", "x"),
            ("BITFIELD", "x", "GET", "u8", "0"),
            ("EXISTS", "x"),
            ("SET", "s", "hello"),
            ("BITFIELD", "s", "GET", "u8", "0", "GET", "i16", "4", "GET", "u8", "100"),
        ])

    def test_size_limits_follow_proto_max_bulk_len(self):
        self.same("CONFIG", "SET", "proto-max-bulk-len", "1mb")
        try:
            self.same_all([
                ("SET", "a", "x" * 600000),
                ("APPEND", "a", "y" * 448576),
                ("STRLEN", "a"),
                ("APPEND", "a", "z"),
                ("STRLEN", "a"),
                ("SETRANGE", "b", "1048575", "x"),
                ("STRLEN", "b"),
                ("SETRANGE", "c", "1048576", "x"),
                ("SETRANGE", "c", "1048575", "xy"),
                ("EXISTS", "c"),
                ("SETBIT", "d", str(8 * 1048576 - 1), "1"),
                ("STRLEN", "d"),
                ("SETBIT", "e", str(8 * 1048576), "1"),
                ("BITFIELD", "f", "SET", "u8", str(8 * 1048576), "1"),
                ("BITFIELD", "f", "SET", "u8", str(8 * 1048576 - 8), "1"),
            ])
        finally:
            self.both("CONFIG", "SET", "proto-max-bulk-len", "512mb")

    def test_expire_overflow_and_extreme_numbers(self):
        self.same_all([
            ("SET", "k", "v", "EX", "9223372036854775"),
            ("SET", "k", "v", "EX", "9223372036854776"),
            ("SET", "k", "v", "PX", "9223372036854775000"),
            ("SET", "k", "v", "EXAT", "9223372036854775"),
            ("SETEX", "k", "9223372036854775807", "v"),
            ("PSETEX", "k", "9223372036854775000", "v"),
            ("SET", "k", "v"),
            ("GETEX", "k", "EX", "9223372036854776"),
            ("GETEX", "k", "PX", "9223372036854775000"),
            ("GETEX", "k", "PXAT", "9223372036854775807"),
            ("TTL", "k"),
            ("GETRANGE", "k", "0", "9223372036854775807"),
            ("GETRANGE", "k", "-9223372036854775808", "-1"),
            ("GETRANGE", "k", "9223372036854775808", "1"),
            ("SETRANGE", "k", "9223372036854775807", "x"),
            ("INCRBYFLOAT", "f", "1e5000"),
            ("INCRBYFLOAT", "f", "1e20"),
            ("INCRBYFLOAT", "f", "1.5e-7"),
            ("INCRBYFLOAT", "g", "-1e-300"),
            ("INCRBYFLOAT", "h", "123456789012345678901234567890"),
            ("INCRBYFLOAT", "i", "0x10"),
            ("INCRBYFLOAT", "j", " 1"),
            ("INCRBYFLOAT", "j", "1 "),
            ("BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "i64", "0", "9223372036854775807",
             "INCRBY", "i64", "0", "1"),
            ("BITFIELD", "bf2", "OVERFLOW", "WRAP", "SET", "i64", "0", "9223372036854775807",
             "INCRBY", "i64", "0", "1"),
            ("BITFIELD", "bf3", "OVERFLOW", "FAIL", "SET", "u63", "0", "9223372036854775807",
             "INCRBY", "u63", "0", "1"),
            ("BITFIELD", "bf4", "SET", "i3", "0", "-5", "GET", "i3", "0", "GET", "u3", "0"),
            ("BITPOS", "k", "1", "-9223372036854775808", "9223372036854775807"),
            ("BITCOUNT", "k", "-9223372036854775808", "9223372036854775807"),
            ("BITCOUNT", "k", "0", "9223372036854775808"),
        ])

    def test_bitfield_ro(self):
        self.same_all([
            ("SET", "s", "hello"),
            ("BITFIELD_RO", "s", "GET", "u8", "0", "GET", "i4", "#3"),
            ("BITFIELD_RO", "s", "SET", "u8", "0", "1"),
            ("BITFIELD_RO", "missing", "GET", "u8", "0"),
        ])

    def test_wrongtype_errors(self):
        if _error(self.s, "RPUSH", "list", "a") is not None:
            self.skipTest("stashd has no list commands yet")
        self.ref.execute_command("RPUSH", "list", "a")
        self.same_all([
            ("GET", "list"), ("SET", "list", "v", "GET"), ("GETSET", "list", "v"),
            ("GETDEL", "list"), ("GETEX", "list"), ("INCR", "list"), ("INCRBYFLOAT", "list", "1"),
            ("APPEND", "list", "x"), ("STRLEN", "list"), ("GETRANGE", "list", "0", "1"),
            ("SETRANGE", "list", "0", "x"), ("SETBIT", "list", "0", "1"), ("GETBIT", "list", "0"),
            ("BITCOUNT", "list"), ("BITPOS", "list", "1"), ("BITOP", "AND", "d", "list"),
            ("BITFIELD", "list", "GET", "u8", "0"), ("LCS", "list", "list"),
            ("MGET", "list", "missing"), ("TYPE", "list"),
            ("SET", "list", "plain"), ("TYPE", "list"),
        ])

    def test_typed_client_api(self):
        """The same commands through redis-py's typed methods (response callbacks applied)."""
        for server in (self.server, self.reference):
            r = server.client(decode_responses=True)
            try:
                self.assertTrue(r.set("k", "v", ex=100, nx=True))
                self.assertIsNone(r.set("k", "w", nx=True))
                self.assertEqual(r.set("k", "w", xx=True, get=True), "v")
                self.assertEqual(r.getex("k", px=50000), "w")
                self.assertTrue(45 <= r.ttl("k") <= 50)
                self.assertEqual(r.incrbyfloat("f", 2.5), 2.5)
                self.assertEqual(r.mget(["k", "f", "nope"]), ["w", "2.5", None])
                self.assertEqual(r.bitfield("bf").set("u8", 0, 42).get("u8", 0).execute(), [0, 42])
                self.assertEqual(r.lcs("k", "f"), "")
            finally:
                r.flushall()
                r.close()

    def test_set_with_px_really_expires(self):
        self.assertEqual(self.s.execute_command("SET", "k", "v", "PX", "50"), b"OK")
        deadline = time.monotonic() + 5
        while self.s.execute_command("GET", "k") is not None:
            self.assertLess(time.monotonic(), deadline, "key with PX 50 still there after 5s")
            time.sleep(0.01)
        self.assertEqual(self.s.execute_command("EXISTS", "k"), 0)


def _error(r, *args):
    """Returns the error message of a command, or None if it succeeded."""
    try:
        r.execute_command(*args)
        return None
    except redis.ResponseError as e:
        return str(e)


if __name__ == "__main__":
    unittest.main()
