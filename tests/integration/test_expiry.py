#!/usr/bin/python3
"""The expiry sweeper at scale: a million keys with a 1 s TTL leave DBSIZE
and give their memory back within seconds of expiring, nobody touching
them, while the server keeps answering other clients; and which expired
keys KEYS and SCAN leave or expire, as Redis does.

The keys are loaded with redis-cli --pipe (one fast bulk load) with the
sweeper off; then the clock is moved past their TTL with DEBUG JUMP-CLOCK
rather than waited for, and the sweeper turned back on. The time bound is a
generous ceiling on "within a few seconds", not a benchmark."""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, test  # noqa: E402

N = 1_000_000


def mass_insert_stream(n, ttl_ms):
    """RESP for n SET key value PX ttl_ms commands."""
    px = str(ttl_ms).encode()
    head = b"*5\r\n$3\r\nSET\r\n"
    tail = b"$2\r\nPX\r\n$%d\r\n%s\r\n" % (len(px), px)
    parts = []
    for i in range(n):
        k = b"exp:%09d" % i
        parts.append(head + b"$%d\r\n%s\r\n$5\r\nvalue\r\n" % (len(k), k)
                     + tail)
    return b"".join(parts)


def info_field(r, section, field):
    return int(r.info(section)[field])


@test(respite_only=True, reason="needs DEBUG JUMP-CLOCK")
def million_keys_swept_while_serving():
    s = h.Server(name="expiry").start()
    r = s.client()
    r.set("keep", "1")
    # Loading takes a while on a busy machine; the sweeper waits until all
    # million keys are in, so the test sees them all expire together.
    r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    before = info_field(r, "memory", "used_memory")
    out = subprocess.run(["redis-cli", "-p", str(s.port), "--pipe"],
                         input=mass_insert_stream(N, 1000),
                         capture_output=True, timeout=300)
    assert b"errors: 0, replies: %d" % N in out.stdout, out.stdout[-300:]
    assert_eq(r.dbsize(), N + 1, "DBSIZE after loading")
    loaded = info_field(r, "memory", "used_memory")

    r.execute_command("DEBUG", "JUMP-CLOCK", "2000")
    r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "1")
    start = time.monotonic()
    slowest_ping = 0.0
    while r.dbsize() > 1 and time.monotonic() - start < 30:
        t = time.monotonic()
        assert_eq(r.ping(), True, "PING while sweeping")
        slowest_ping = max(slowest_ping, time.monotonic() - t)
        time.sleep(0.02)
    took = time.monotonic() - start
    assert_eq(r.dbsize(), 1, "DBSIZE once the sweeper is done (%.1fs)" % took)
    assert_eq(r.get("keep"), b"1", "the key without TTL")
    assert_eq(info_field(r, "stats", "expired_keys"), N, "INFO expired_keys")
    # Sweeps that spent their whole budget, so the backlog sped them up.
    assert info_field(r, "stats", "expired_time_cap_reached_count") > 0
    assert_eq(r.info("keyspace")["db0"]["keys"], 1, "INFO keyspace")
    freed = loaded - info_field(r, "memory", "used_memory")
    assert freed > 0.8 * (loaded - before), \
        "memory not returned: loaded %d, now %d" % (
            loaded, info_field(r, "memory", "used_memory"))
    # Each sweeper tick holds the loop about a millisecond; a PING that
    # waited far longer would mean a tick ran away.
    assert slowest_ping < 0.5, "slowest PING %.3fs" % slowest_ping
    print("    swept %d keys in %.2fs, slowest PING %.1f ms" % (
        N, took, slowest_ping * 1000))


@test
def clock_moves_between_pipelined_commands():
    """A key whose TTL runs out while a slow command ahead of it in the
    same pipeline runs is gone for the commands after it: Redis reads its
    clock for every command, not once per batch of input."""
    s = h.Server(name="expiry-pipeline").start()
    with s.conn() as c:
        for i in range(20):
            c.call("SADD", "big", *[b"m%d" % j
                                    for j in range(i * 10000, (i + 1) * 10000)])
        t = time.monotonic()
        c.call("SUNIONSTORE", "dst", "big")
        slow_ms = (time.monotonic() - t) * 1000
        assert slow_ms > 8, "SUNIONSTORE took only %.1f ms" % slow_ms
        c.send(h.encode("SET", "k", "v", "PX", "3")
               + h.encode("SUNIONSTORE", "dst", "big")
               + h.encode("GET", "k") + h.encode("EXISTS", "k"))
        got = c.read_n(4)
        assert_eq(got[2:], [b"$-1\r\n", b":0\r\n"],
                  "GET/EXISTS after a %.0f ms command" % slow_ms)


@test
def keys_skips_expired_keys_scan_expires_the_ones_it_keeps():
    """Redis's KEYS leaves expired keys where they are; SCAN expires those
    its MATCH keeps (an "expired" each), and with TYPE looks them up as
    reads (a keyspace miss each). Passes on redis-server too."""
    s = h.Server(name="scan-expired").start()
    c = s.conn()

    def stat(name):
        text = h.parse(c.call("INFO", "stats")).decode()
        return int(text.split(name + ":")[1].split("\r\n")[0])

    assert_eq(c.call("DEBUG", "SET-ACTIVE-EXPIRE", "0"), b"+OK\r\n",
              "sweeper off")
    for k in ("a1", "a2", "b1"):
        c.call("SET", k, "v", "PX", "1")
    c.call("SET", "live", "v")
    time.sleep(0.05)
    assert_eq(h.parse(c.call("KEYS", "*")), [b"live"], "KEYS *")
    assert_eq((stat("expired_keys"), h.parse(c.call("DBSIZE"))), (0, 4),
              "expired_keys and DBSIZE after KEYS")
    reply = h.parse(c.call("SCAN", "0", "MATCH", "a*", "COUNT", "100"))
    assert_eq(reply[1], [], "SCAN MATCH a*")
    assert_eq((stat("expired_keys"), h.parse(c.call("DBSIZE"))), (2, 2),
              "expired_keys and DBSIZE after SCAN MATCH a*")
    reply = h.parse(c.call("SCAN", "0", "TYPE", "string", "COUNT", "100"))
    assert_eq(reply[1], [b"live"], "SCAN TYPE string")
    assert_eq((stat("expired_keys"), stat("keyspace_misses"),
               h.parse(c.call("DBSIZE"))), (3, 1, 1),
              "expired_keys, misses and DBSIZE after SCAN TYPE")
    s.stop()


if __name__ == "__main__":
    h.run()
