#!/usr/bin/python3
"""LCS through redis-py: the subsequence, LEN, IDX's runs as redis-py
returns them (and the RESP3 map), the keyspace hits and misses of its two
lookups, and a pair of long strings. Every test passes against
redis-server 7.0 too (RESPITE_BIN=/usr/bin/redis-server)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, assert_raises_text, test  # noqa: E402


def client():
    r = h.shared_server().client()
    r.flushall()
    return r


@test
def lcs_string_len_idx():
    r = client()
    r.mset({"a": "ohmytext", "b": "mynewtext"})
    assert_eq(r.execute_command("LCS", "a", "b"), b"mytext")
    assert_eq(r.execute_command("LCS", "a", "b", "LEN"), 6)
    assert_eq(r.execute_command("LCS", "a", "b", "IDX", "MINMATCHLEN", "4",
                                "WITHMATCHLEN"),
              [b"matches", [[[4, 7], [5, 8], 4]], b"len", 6])


@test
def lcs_idx_is_a_map_in_resp3():
    client().mset({"a": "ohmytext", "b": "mynewtext"})
    with h.shared_server().conn() as c:
        c.call("HELLO", "3")
        c.send(h.encode("LCS", "a", "b", "IDX"))
        raw = c.read_raw()
    assert_eq(raw, b"%2\r\n$7\r\nmatches\r\n*2\r\n"
                   b"*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n"
                   b"*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n"
                   b"$3\r\nlen\r\n:6\r\n")


@test
def lcs_counts_both_lookups():
    r = client()
    r.set("a", "abc")
    r.config_resetstat()
    assert_eq(r.execute_command("LCS", "a", "nokey"), b"")
    st = r.info("stats")
    assert_eq((st["keyspace_hits"], st["keyspace_misses"]), (1, 1))
    r.rpush("l", "x")
    assert_raises_text(lambda: r.execute_command("LCS", "a", "l"),
                       "The specified keys must contain string values")


@test
def lcs_long_strings():
    r = client()
    a = "".join("ACGT"[(i * 7 + i // 3) % 4] for i in range(2000))
    b = "".join("ACGT"[(i * 5 + i // 7) % 4] for i in range(1500))
    r.mset({"a": a, "b": b})
    s = r.execute_command("LCS", "a", "b")
    n = r.execute_command("LCS", "a", "b", "LEN")
    assert_eq(len(s), n)
    # The subsequence is one of both strings.
    for t in (a, b):
        it = iter(t)
        assert all(ch in it for ch in s.decode())


if __name__ == "__main__":
    h.run()
