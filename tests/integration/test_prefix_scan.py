#!/usr/bin/python3
"""SCAN and KEYS by a literal prefix (store/prefix.c) through real clients:
redis-cli --scan --pattern, redis-py scan_iter with and without TYPE, raw
SCAN for the COUNT bound, byte order and odd cursors; keys added, deleted,
renamed, moved and expired between the calls of an iteration; KEYS.

Tests that rely on Respite's own behaviour (keys in byte order, exactly
COUNT keys examined per call, DEBUG JUMP-CLOCK) are respite_only; the rest
pass against redis-server too (RESPITE_BIN=redis-server)."""

import fnmatch
import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, test  # noqa: E402


def fill(r, n, prefix="pfx:", other=("key:", "pf", "pfy:", "q")):
    """n keys under prefix and 3n others around it (some sharing its
    first bytes); returns the set of prefixed names as bytes."""
    p = r.pipeline(transaction=False)
    mine = set()
    for i in range(n):
        k = "%s%d" % (prefix, i)
        mine.add(k.encode())
        p.set(k, "v")
        for o in other[: 3]:
            p.set("%s%d" % (o, i), "v")
    p.set(other[3], "v")
    p.execute()
    return mine


def cli_scan(pattern, db=0):
    s = h.shared_server()
    p = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(s.port),
                        "-n", str(db), "--scan", "--pattern", pattern],
                       capture_output=True, timeout=60,
                       stdin=subprocess.DEVNULL)
    assert_eq(p.returncode, 0, "redis-cli status")
    assert_eq(p.stderr, b"", "redis-cli stderr")
    return p.stdout.split(b"\n")[:-1]


def scan(c, *args):
    """One raw SCAN on a harness Conn: (cursor bytes, [keys])."""
    return h.parse(c.call(*args))


@test
def redis_cli_scan_pattern():
    r = h.flushed()
    mine = fill(r, 700)
    got = cli_scan("pfx:*")
    assert_eq(set(got), mine, "redis-cli --scan --pattern pfx:*")
    got = cli_scan("pfx:1*")
    assert_eq(set(got), {k for k in mine if k.startswith(b"pfx:1")})
    got = cli_scan("pfx:?5")
    assert_eq(set(got), {b"pfx:%d5" % i for i in range(1, 10)})
    assert_eq(cli_scan("pfx:12"), [b"pfx:12"], "a literal pattern")
    assert_eq(cli_scan("nothing:*"), [], "empty prefix range")
    assert_eq(len(set(cli_scan("p*"))), 2100, "nested prefixes")


@test
def redis_py_scan_iter_with_and_without_type():
    r = h.flushed()
    mine = fill(r, 500, prefix="session:")
    got = set(r.scan_iter(match="session:*", count=7))
    assert_eq(got, mine, "scan_iter match")
    got = set(r.scan_iter(match="session:*", count=1000, _type="string"))
    assert_eq(got, mine, "scan_iter TYPE string")
    assert_eq(set(r.scan_iter(match="session:*", _type="hash")), set(),
              "scan_iter TYPE hash")
    assert_eq(set(r.scan_iter(match="session:4[0-9]")),
              {b"session:4%d" % i for i in range(10)}, "rest of the pattern")
    assert_eq(set(r.keys("session:*")), mine, "KEYS prefix*")
    assert_eq(set(r.keys("session:49?")),
              {b"session:49%d" % i for i in range(10)}, "KEYS prefix?")
    assert_eq(r.keys("session:"), [], "KEYS exact, absent")
    assert_eq(r.keys("session:1"), [b"session:1"], "KEYS exact, present")


@test(respite_only=True, reason="byte order and exact COUNT are Respite's")
def count_bounds_keys_examined_and_order():
    r = h.flushed()
    fill(r, 100)
    c = h.shared_server().conn()
    cursor, calls, seen = b"0", 0, []
    while True:
        cursor, keys = scan(c, "SCAN", cursor, "MATCH", "pfx:*", "COUNT", "7")
        calls += 1
        assert len(keys) <= 7, keys
        assert_eq(keys, sorted(keys), "one call's keys are in byte order")
        seen += keys
        if cursor == b"0":
            break
    assert_eq(seen, sorted(b"pfx:%d" % i for i in range(100)),
              "the whole iteration is in byte order, once each")
    assert_eq(calls, 15, "ceil(100 / 7) calls")
    # COUNT counts keys examined before MATCH filters them: pfx:5*
    # matches 11 of the 100, all examined within the walk of pfx:*.
    cursor, keys = scan(c, "SCAN", "0", "MATCH", "pfx:9*", "COUNT", "1000")
    assert_eq((cursor, keys), (b"0", [b"pfx:9"] + [b"pfx:9%d" % i
                                                   for i in range(10)]))
    cursor, keys = scan(c, "SCAN", "0", "MATCH", "pfx:*5", "COUNT", "10")
    assert cursor != b"0"
    assert_eq(keys, [b"pfx:15"], "10 examined (pfx:0, pfx:1, pfx:10..17)")


@test
def odd_cursors_end():
    r = h.flushed()
    fill(r, 300)
    c = h.shared_server().conn()
    for start in (b"1", b"18446744073709551615", b"123456789012345",
                  b"9223372036854775808", b"-1"):
        cursor, calls = start, 0
        while True:
            cursor, _ = scan(c, "SCAN", cursor, "MATCH", "pfx:*",
                               "COUNT", "10")
            calls += 1
            assert calls <= 400, "cursor %r does not end" % start
            if cursor == b"0":
                break


@test
def churn_between_calls():
    """Keys present for the whole iteration come back at least once while
    others are added and deleted between the calls."""
    r = h.flushed()
    rnd = random.Random(7)
    fill(r, 2000)
    present = {b"pfx:%d" % i for i in range(2000)}
    throughout = set(present)
    seen = set()
    cursor = 0
    for _ in range(10000):
        cursor, keys = r.scan(cursor, match="pfx:*", count=25)
        seen.update(keys)
        p = r.pipeline(transaction=False)
        for _ in range(20):
            i = rnd.randrange(4000)
            k = b"pfx:%d" % i
            if rnd.random() < 0.5:
                p.delete(k)
                present.discard(k)
                throughout.discard(k)
            else:
                p.set(k, "new" * rnd.randrange(1, 5))
                present.add(k)
            p.set(b"pfy:%d" % i, "x")
        p.execute()
        if cursor == 0:
            break
    assert_eq(cursor, 0, "iteration ended")
    missing = throughout - seen
    assert_eq(missing, set(), "keys present throughout that were skipped")
    assert all(k.startswith(b"pfx:") for k in seen)


@test(respite_only=True, reason="needs DEBUG JUMP-CLOCK")
def expiry_rename_move_between_calls():
    r = h.flushed()
    p = r.pipeline(transaction=False)
    for i in range(1000):
        k = "pfx:%04d" % i
        if i % 4 == 0:
            p.set(k, "v", px=5000 + i)     # expire during the iteration
        else:
            p.set(k, "v")
    p.execute()
    # Renamed (i % 20 == 1) and moved (i % 20 == 11) at step 5.
    stay = {b"pfx:%04d" % i for i in range(1000) if i % 4 and i % 10 != 1}
    seen, cursor, step = set(), 0, 0
    while True:
        cursor, keys = r.scan(cursor, match="pfx:*", count=30)
        seen.update(keys)
        step += 1
        if step == 3:
            r.execute_command("DEBUG", "JUMP-CLOCK", "6000")
        if step == 5:
            for i in range(1, 1000, 20):
                r.rename("pfx:%04d" % i, "moved:%04d" % i)
                assert_eq(r.move("pfx:%04d" % (i + 10), 1), 1)
            r.append("pfx:0999", "longer value")      # the entry moves
            r.expire("pfx:0998", 1000)                # this one too
            r.persist("pfx:0998")
        if cursor == 0:
            break
    assert_eq(stay - seen, set(), "skipped")
    late = {k for k in seen if int(k[4:]) % 4 == 0 and int(k[4:]) > 300}
    assert_eq(late, set(), "expired keys are not returned")
    r1 = h.shared_server().client(db=1)
    assert_eq(set(r1.scan_iter(match="pfx:*")),
              {b"pfx:%04d" % i for i in range(11, 1000, 20)},
              "MOVEd keys in db 1")
    assert_eq(len(set(r.scan_iter(match="moved:*"))), 50, "renamed keys")


@test
def flushdb_swapdb():
    r = h.flushed()
    fill(r, 50)
    r1 = h.shared_server().client(db=1)
    r1.set("pfx:other", "1")
    r.swapdb(0, 1)
    assert_eq(set(r.scan_iter(match="pfx:*")), {b"pfx:other"}, "after SWAPDB")
    assert_eq(len(set(r1.scan_iter(match="pfx:*"))), 50, "the other side")
    r1.flushdb()
    assert_eq(set(r1.scan_iter(match="pfx:*")), set(), "after FLUSHDB")
    assert_eq(r1.keys("pfx:*"), [], "KEYS after FLUSHDB")


@test(respite_only=True, reason="cost by prefix is Respite's")
def cost_proportional_to_matches():
    """100k keys, 1% under the prefix: COUNT 1000 needs 1 call, not 100."""
    r = h.flushed()
    p = r.pipeline(transaction=False)
    for i in range(100000):
        p.set(("pfx:%d" if i % 100 == 0 else "key:%d") % i, "v")
        if i % 5000 == 4999:
            p.execute()
    p.execute()
    cursor, keys = r.scan(0, match="pfx:*", count=1000)
    assert_eq((cursor, len(keys)), (0, 1000))
    info = r.info("memory")
    assert 0 < info["used_memory_prefix_index"] < 16 * 100000, info


@test
def cursors_are_exact_doubles():
    """Every SCAN cursor, by prefix or by hash table, is below 2^53: node-
    redis 4 parses it with Number(), and a larger cursor came back rounded
    (connect-redis's length() counted sessions twice)."""
    r = h.flushed()
    fill(r, 400, prefix="sess:")
    every = r.keys("*")
    c = h.shared_server().conn()
    for pattern, count in (("sess:*", "3"), ("*", "3"), ("*:1*", "5")):
        cursor, calls, seen = b"0", 0, set()
        while True:
            # As a client that keeps the cursor in a double would.
            cursor = b"%d" % float(cursor)
            cursor, keys = scan(c, "SCAN", cursor, "MATCH", pattern,
                                "COUNT", count)
            assert int(cursor) < 2 ** 53, (pattern, cursor)
            seen.update(keys)
            calls += 1
            assert calls <= 2000, pattern
            if cursor == b"0":
                break
        want = {k for k in every if fnmatch.fnmatchcase(k, pattern.encode())}
        assert_eq(seen, want, "SCAN MATCH %s" % pattern)


if __name__ == "__main__":
    h.run()
