"""RDB encoding for tests that build payloads and files by hand
(test_dump.py, test_functions.py, test_persistence_load.py): lengths and
strings as RDB writes them, and what every DUMP payload ends with, the
2-byte RDB version, little endian, then the CRC-64 (Jones polynomial,
reflected, as Redis computes it) of everything before, little endian."""

import struct


def _crc_table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x95AC9329AC4BC9B5 if c & 1 else c >> 1
        t.append(c)
    return t


_CRC = _crc_table()


def crc64(data):
    c = 0
    for b in data:
        c = _CRC[(c ^ b) & 0xFF] ^ (c >> 8)
    return c


def seal(body, version=10):
    """body + RDB version + CRC-64: a payload RESTORE checks."""
    body = bytes(body) + struct.pack("<H", version)
    return body + struct.pack("<Q", crc64(body))


def rlen(n):
    """An RDB length: 6, 14 or 32 bits."""
    if n < 64:
        return bytes([n])
    if n < 16384:
        return bytes([0x40 | (n >> 8), n & 0xFF])
    return b"\x80" + struct.pack(">I", n)


def rstr(s):
    """An RDB string, not encoded as an integer or compressed."""
    s = s.encode() if isinstance(s, str) else s
    return rlen(len(s)) + s
