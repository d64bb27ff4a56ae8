#!/usr/bin/python3
"""Hash field expiration (Redis 7.4): HEXPIRE, HPEXPIRE, HEXPIREAT,
HPEXPIREAT, HTTL, HPTTL, HEXPIRETIME, HPEXPIRETIME, HPERSIST, Redis 8.0's
HGETDEL, HGETEX and HSETEX, and what the other hash commands do with
fields past their TTL.

Respite only: Debian's redis-server 7.0 has none of these commands, so
every test is marked respite_only and skipped with RESPITE_BIN pointing
at it. The expected replies, error texts and events are those of Redis
8's t_hash.c (7.4's, where they agree), checked by hand:

* per field, HEXPIRE answers -2 (no field), 0 (NX/XX/GT/LT not met), 1
  (set) or 2 (deleted: the time is now or past); a field without TTL
  meets NX and LT, not XX or GT; HTTL & co answer -2, -1 or the time;
  HPERSIST -2, -1 or 1; a missing key answers -2 for every field;
* reads of an expired field delete it (HGET, HMGET, HEXISTS, HSTRLEN:
  event "hexpired", then "del" with the last field); HGETALL, HKEYS,
  HVALS and HSCAN skip it; HLEN still counts it; HRANDFIELD expires all
  first; the sweeper reclaims fields nobody reads ("hexpired", "del").

Lazy expiry is tested with the sweeper off (DEBUG SET-ACTIVE-EXPIRE 0)
and the clock moved (DEBUG JUMP-CLOCK); active expiry with short TTLs and
polling."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import redis  # noqa: E402
from harness import assert_eq, assert_raises_text, test  # noqa: E402

ONLY = dict(respite_only=True,
            reason="redis-server 7.0 has no hash field expiration")
MAX_MS = (1 << 46) - 1          # Redis's HFE_MAX_ABS_TIME_MSEC


def cmd(r, *args):
    return r.execute_command(*args)


def frozen():
    """A fresh server with the sweeper off, for tests that move its clock;
    returns (server, client)."""
    s = h.Server(name="hfe-frozen").start()
    r = s.client()
    cmd(r, "DEBUG", "SET-ACTIVE-EXPIRE", "0")
    return s, r


@test(**ONLY)
def argument_errors():
    r = h.flushed()
    r.hset("h", mapping={"a": "1", "b": "2"})
    r.set("s", "v")
    err = [
        (("HEXPIRE", "h", "10", "FIELDS", "1"),
         "wrong number of arguments for 'hexpire' command"),
        (("HTTL", "h", "FIELDS", "1"),
         "wrong number of arguments for 'httl' command"),
        (("HPERSIST", "h", "FIELDS"),
         "wrong number of arguments for 'hpersist' command"),
        # The type is checked before anything else.
        (("HEXPIRE", "s", "x", "FIELDS", "1", "a"), "WRONGTYPE"),
        (("HTTL", "s", "NOTFIELDS", "1", "a"), "WRONGTYPE"),
        (("HPERSIST", "s", "FIELDS", "1", "a"), "WRONGTYPE"),
        (("HEXPIRE", "h", "x", "FIELDS", "1", "a"),
         "value is not an integer or out of range"),
        (("HEXPIRE", "h", "-1", "FIELDS", "1", "a"),
         "invalid expire time, must be >= 0"),
        (("HEXPIRE", "h", str(MAX_MS // 1000 + 1), "FIELDS", "1", "a"),
         "invalid expire time in 'hexpire' command"),
        (("HPEXPIREAT", "h", str(MAX_MS + 1), "FIELDS", "1", "a"),
         "invalid expire time in 'hpexpireat' command"),
        (("HPEXPIRE", "h", str(MAX_MS), "FIELDS", "1", "a"),
         "invalid expire time in 'hpexpire' command"),
        (("HEXPIREAT", "h", str(MAX_MS // 1000 + 1), "FIELDS", "1", "a"),
         "invalid expire time in 'hexpireat' command"),
        (("HEXPIRE", "h", "10", "BAD", "FIELDS", "1", "a"),
         "Mandatory argument FIELDS is missing or not at the right position"),
        (("HEXPIRE", "h", "10", "NX", "NOPE", "1", "a"),
         "Mandatory argument FIELDS is missing or not at the right position"),
        (("HEXPIRE", "h", "10", "FIELDS", "0", "a"),
         "Parameter `numFields` should be greater than 0"),
        (("HEXPIRE", "h", "10", "FIELDS", "x", "a"),
         "Parameter `numFields` should be greater than 0"),
        (("HEXPIRE", "h", "10", "FIELDS", "2", "a"),
         "The `numfields` parameter must match the number of arguments"),
        (("HEXPIRE", "h", "10", "FIELDS", "1", "a", "b"),
         "The `numfields` parameter must match the number of arguments"),
        (("HTTL", "h", "NOTFIELDS", "1", "a"),
         "Mandatory argument FIELDS is missing or not at the right position"),
        (("HTTL", "h", "FIELDS", "0", "a"),
         "Number of fields must be a positive integer"),
        (("HPTTL", "h", "FIELDS", "-3", "a"),
         "Number of fields must be a positive integer"),
        (("HEXPIRETIME", "h", "FIELDS", "2", "a"),
         "The `numfields` parameter must match the number of arguments"),
        (("HPERSIST", "h", "FIELDS", "x", "a"),
         "Number of fields must be a positive integer"),
        (("HPERSIST", "h", "FIELD", "1", "a"),
         "Mandatory argument FIELDS is missing or not at the right position"),
    ]
    for args, text in err:
        assert_raises_text(lambda: cmd(r, *args), text)
    # Errors change nothing.
    assert_eq(cmd(r, "HTTL", "h", "FIELDS", "2", "a", "b"), [-1, -1])
    assert_eq(r.object("encoding", "h"), b"listpack")


@test(**ONLY)
def set_read_and_persist():
    r = h.flushed()
    r.hset("h", mapping={"a": "1", "b": "2", "c": "3"})
    assert_eq(cmd(r, "HEXPIRE", "h", "100", "FIELDS", "3", "a", "zz", "a"),
              [1, -2, 1])
    assert_eq(r.object("encoding", "h"), b"listpackex")
    at = 4102444800123                       # 2100-01-01, ms
    assert_eq(cmd(r, "HPEXPIREAT", "h", str(at), "FIELDS", "1", "b"), [1])
    assert_eq(cmd(r, "HPEXPIRETIME", "h", "FIELDS", "3", "b", "c", "zz"),
              [at, -1, -2])
    assert_eq(cmd(r, "HEXPIRETIME", "h", "FIELDS", "1", "b"),
              [(at + 999) // 1000])
    assert_eq(cmd(r, "HEXPIREAT", "h", str(at // 1000), "FIELDS", "1", "b"),
              [1])
    assert_eq(cmd(r, "HPEXPIRETIME", "h", "FIELDS", "1", "b"),
              [at // 1000 * 1000])
    ttl = cmd(r, "HTTL", "h", "FIELDS", "1", "a")[0]
    pttl = cmd(r, "HPTTL", "h", "FIELDS", "1", "a")[0]
    assert 99 <= ttl <= 100, ttl
    assert 98000 < pttl <= 100000, pttl
    assert_eq(cmd(r, "HPEXPIRE", "h", "5000", "FIELDS", "1", "c"), [1])
    assert_eq(cmd(r, "HTTL", "h", "FIELDS", "1", "c"), [5])   # rounded up
    assert_eq(cmd(r, "HPERSIST", "h", "FIELDS", "3", "a", "zz", "a"),
              [1, -2, -1])
    assert_eq(cmd(r, "HTTL", "h", "FIELDS", "1", "a"), [-1])
    # A key that does not exist: -2 for every field, nothing created.
    for c in ("HEXPIRE", "HPEXPIRE", "HEXPIREAT", "HPEXPIREAT"):
        assert_eq(cmd(r, c, "nokey", "10", "FIELDS", "2", "a", "b"),
                  [-2, -2])
    for c in ("HTTL", "HPTTL", "HEXPIRETIME", "HPEXPIRETIME", "HPERSIST"):
        assert_eq(cmd(r, c, "nokey", "FIELDS", "2", "a", "b"), [-2, -2])
    assert_eq(r.exists("nokey"), 0)
    # The fields and values are untouched.
    assert_eq(r.hgetall("h"), {b"a": b"1", b"b": b"2", b"c": b"3"})


@test(**ONLY)
def conditions():
    r = h.flushed()
    r.hset("h", mapping={"t": "1", "n": "2"})
    assert_eq(cmd(r, "HEXPIRE", "h", "100", "FIELDS", "1", "t"), [1])

    def ex(cond, secs):
        return cmd(r, "HEXPIRE", "h", str(secs), cond, "FIELDS", "2", "t",
                   "n")

    # t has a TTL of 100 s, n none.
    assert_eq(ex("NX", 50), [0, 1])
    assert_eq(cmd(r, "HPERSIST", "h", "FIELDS", "1", "n"), [1])
    assert_eq(ex("XX", 200), [1, 0])
    assert_eq(ex("GT", 100), [0, 0])
    assert_eq(ex("GT", 300), [1, 0])
    assert_eq(ex("LT", 400), [0, 1])         # no TTL meets LT
    assert_eq(ex("LT", 50), [1, 1])
    assert_eq(cmd(r, "HTTL", "h", "FIELDS", "2", "t", "n"), [50, 50])
    assert_eq(ex("lt", 50), [0, 0])          # not lower: unchanged
    assert_eq(cmd(r, "HEXPIRE", "h", "10", "gt", "FIELDS", "1", "zz"), [-2])


@test(**ONLY)
def past_times_delete_fields_and_key():
    s = h.shared_server()
    r = h.flushed()
    r.config_set("notify-keyspace-events", "EA")
    ev = h.KeyEvents(s)
    try:
        r.hset("h", mapping={"a": "1", "b": "2", "c": "3"})
        assert_eq(cmd(r, "HEXPIRE", "h", "0", "FIELDS", "2", "a", "zz"),
                  [2, -2])
        assert_eq(cmd(r, "HPEXPIREAT", "h", "1", "FIELDS", "1", "b"), [2])
        assert_eq(cmd(r, "HEXPIRE", "h", "100", "FIELDS", "1", "c"), [1])
        assert_eq(r.hgetall("h"), {b"c": b"3"})
        # A condition is checked before the time.
        assert_eq(cmd(r, "HEXPIRE", "h", "0", "NX", "FIELDS", "1", "c"), [0])
        assert_eq(cmd(r, "HEXPIREAT", "h", "0", "XX", "FIELDS", "1", "c"),
                  [2])
        assert_eq(r.exists("h"), 0)
        assert_eq(ev.keyevents(r), [
            ("hset", "h"), ("hdel", "h"), ("hdel", "h"), ("hexpire", "h"),
            ("hdel", "h"), ("del", "h")])
        r.hset("p", "f", "v")
        cmd(r, "HEXPIRE", "p", "100", "FIELDS", "1", "f")
        cmd(r, "HPERSIST", "p", "FIELDS", "1", "f")
        cmd(r, "HPERSIST", "p", "FIELDS", "1", "f")   # -1: no event
        cmd(r, "HEXPIRE", "p", "100", "XX", "FIELDS", "1", "f")  # 0: none
        assert_eq(ev.keyevents(r), [
            ("hset", "p"), ("hexpire", "p"), ("hpersist", "p")])
    finally:
        r.config_set("notify-keyspace-events", "")
        ev.close()


@test(**ONLY)
def writes_and_ttls():
    r = h.flushed()
    r.hset("h", mapping={"a": "1", "b": "2", "c": "3", "d": "4"})
    cmd(r, "HEXPIRE", "h", "100", "FIELDS", "4", "a", "b", "c", "d")
    r.hset("h", "a", "new")                 # HSET clears the TTL
    assert_eq(r.hsetnx("h", "b", "x"), 0)   # HSETNX of a field keeps it
    assert_eq(r.hincrby("h", "c", 5), 8)    # HINCRBY keeps it
    assert_eq(r.hincrbyfloat("h", "d", "0.5"), 4.5)
    assert_eq(cmd(r, "HTTL", "h", "FIELDS", "4", "a", "b", "c", "d"),
              [-1, 100, 100, 100])
    r.hdel("h", "b")                        # HDEL takes the TTL along
    r.hset("h", "b", "again")
    assert_eq(cmd(r, "HTTL", "h", "FIELDS", "1", "b"), [-1])
    r.hmset("h", {"c": "z"})
    assert_eq(cmd(r, "HTTL", "h", "FIELDS", "1", "c"), [-1])


@test(**ONLY)
def lazy_expiry_on_reads():
    s, r = frozen()
    try:
        r.config_set("notify-keyspace-events", "EA")
        ev = h.KeyEvents(s)
        r.hset("h", mapping={"a": "1", "b": "22", "c": "3", "keep": "k"})
        cmd(r, "HPEXPIRE", "h", "1000", "FIELDS", "3", "a", "b", "c")
        ev.keyevents(r)
        cmd(r, "DEBUG", "JUMP-CLOCK", "2000")
        assert_eq(r.hlen("h"), 4)           # HLEN counts them, as Redis
        # Under CLIENT PAUSE an expired field reads as absent, stays put.
        cmd(r, "CLIENT", "PAUSE", "100000", "WRITE")
        assert_eq(r.hget("h", "a"), None)
        assert_eq(r.hrandfield("h", -20).count(b"keep") < 20, True)
        assert_eq(r.hlen("h"), 4)
        cmd(r, "CLIENT", "UNPAUSE")
        assert_eq(r.hgetall("h"), {b"keep": b"k"})
        assert_eq(r.hkeys("h"), [b"keep"])
        assert_eq(r.hvals("h"), [b"k"])
        assert_eq(r.hscan("h"), (0, {b"keep": b"k"}))
        assert_eq(ev.keyevents(r), [])     # skipped, not deleted
        assert_eq(r.hget("h", "a"), None)
        assert_eq(r.hlen("h"), 3)
        assert_eq(r.hexists("h", "b"), False)
        assert_eq(r.hstrlen("h", "c"), 0)
        assert_eq(r.hlen("h"), 1)
        assert_eq(cmd(r, "HTTL", "h", "FIELDS", "1", "a"), [-2])
        assert_eq(ev.keyevents(r), [("hexpired", "h")] * 3)
        # The last field going takes the key.
        cmd(r, "HPEXPIRE", "h", "10", "FIELDS", "1", "keep")
        cmd(r, "DEBUG", "JUMP-CLOCK", "100")
        assert_eq(r.exists("h"), 1)         # still there until read
        assert_eq(r.hmget("h", "keep", "x"), [None, None])
        assert_eq(r.exists("h"), 0)
        assert_eq(ev.keyevents(r), [("hexpire", "h"), ("hexpired", "h"),
                                    ("del", "h")])
        # HINCRBY and HSETNX start over on an expired field.
        r.hset("n", mapping={"x": "5", "y": "1"})
        cmd(r, "HPEXPIRE", "n", "10", "FIELDS", "2", "x", "y")
        cmd(r, "DEBUG", "JUMP-CLOCK", "100")
        assert_eq(r.hincrby("n", "x", 1), 1)
        assert_eq(cmd(r, "HTTL", "n", "FIELDS", "1", "x"), [-1])
        assert_eq(r.hsetnx("n", "y", "new"), 1)
        assert_eq(r.hgetall("n"), {b"x": b"1", b"y": b"new"})
        # HRANDFIELD expires every due field first.
        r.hset("r", mapping={"a": "1", "b": "2"})
        cmd(r, "HPEXPIRE", "r", "10", "FIELDS", "1", "a")
        cmd(r, "DEBUG", "JUMP-CLOCK", "100")
        assert_eq(r.hrandfield("r", 5), [b"b"])
        assert_eq(r.hlen("r"), 1)
        cmd(r, "HPEXPIRE", "r", "10", "FIELDS", "1", "b")
        cmd(r, "DEBUG", "JUMP-CLOCK", "100")
        assert_eq(r.hrandfield("r"), None)
        assert_eq(r.exists("r"), 0)
        ev.close()
    finally:
        s.stop()


@test(**ONLY)
def active_expiry():
    s = h.shared_server()
    r = h.flushed()
    r.config_set("notify-keyspace-events", "EA")
    ev = h.KeyEvents(s)
    try:
        r.hset("gone", mapping={"a": "1", "b": "2"})
        r.hset("part", mapping={"a": "1", "b": "2"})
        big = {"f%d" % i: str(i) for i in range(1000)}
        r.hset("big", mapping=big)
        cmd(r, "HPEXPIRE", "gone", "30", "FIELDS", "2", "a", "b")
        cmd(r, "HPEXPIRE", "part", "30", "FIELDS", "1", "a")
        cmd(r, "HPEXPIRE", "big", "30", "FIELDS", "500",
            *["f%d" % i for i in range(500)])
        assert_eq(r.object("encoding", "big"), b"hashtable")
        ev.keyevents(r)
        # Nobody reads them: the sweeper must take them (HLEN counts
        # expired fields, so it shows what is left in memory).
        h.wait_for(lambda: r.exists("gone") == 0 and r.hlen("part") == 1
                   and r.hlen("big") == 500, "the sweeper")
        got = ev.keyevents(r)
        assert ("hexpired", "gone") in got and ("del", "gone") in got, got
        assert ("hexpired", "part") in got, got
        assert got.index(("hexpired", "gone")) < got.index(("del", "gone"))
        assert_eq(r.hget("part", "b"), b"2")
    finally:
        r.config_set("notify-keyspace-events", "")
        ev.close()


@test(**ONLY)
def keys_keep_field_ttls():
    r = h.flushed()
    r.hset("h", mapping={"a": "1", "b": "2"})
    cmd(r, "HEXPIRE", "h", "100", "FIELDS", "1", "a")
    r.rename("h", "h2")
    assert_eq(cmd(r, "HTTL", "h2", "FIELDS", "2", "a", "b"), [100, -1])
    r.copy("h2", "h3")
    cmd(r, "HPERSIST", "h2", "FIELDS", "1", "a")
    assert_eq(cmd(r, "HTTL", "h3", "FIELDS", "1", "a"), [100])
    r.move("h3", 1)
    r1 = h.shared_server().client(db=1)
    assert_eq(cmd(r1, "HTTL", "h3", "FIELDS", "1", "a"), [100])
    assert_eq(r1.object("encoding", "h3"), b"listpackex")
    r1.flushdb()
    # A key TTL and field TTLs are independent.
    r.expire("h2", 50)
    assert_eq(r.ttl("h2"), 50)
    cmd(r, "HEXPIRE", "h2", "10", "FIELDS", "1", "b")
    assert_eq(r.ttl("h2"), 50)


@test(**ONLY)
def dump_restore_round_trip():
    r = h.flushed()
    r.hset("small", mapping={"a": "1", "b": "2", "n": "12345"})
    cmd(r, "HPEXPIRE", "small", "100000", "FIELDS", "1", "b")
    r.hset("big", mapping={"f%d" % i: "v" for i in range(600)})
    cmd(r, "HPEXPIRE", "big", "200000", "FIELDS", "2", "f1", "f7")
    for key, enc in (("small", b"listpackex"), ("big", b"hashtable")):
        payload = r.dump(key)
        assert_eq(payload[-10:-8], b"\x0c\x00", "RDB version 12")
        assert_eq(payload[0], 25 if enc == b"listpackex" else 24)
        r.restore(key + "2", 0, payload)
        assert_eq(r.hgetall(key + "2"), r.hgetall(key))
        assert_eq(r.object("encoding", key + "2"), enc)
    assert_eq(cmd(r, "HPEXPIRETIME", "small2", "FIELDS", "2", "a", "b"),
              [-1, cmd(r, "HPEXPIRETIME", "small", "FIELDS", "1", "b")[0]])
    assert_eq(cmd(r, "HPEXPIRETIME", "big2", "FIELDS", "3", "f1", "f7", "f2"),
              cmd(r, "HPEXPIRETIME", "big", "FIELDS", "3", "f1", "f7", "f2"))
    # Without TTLs left, a table is a plain Redis 7.0 hash again.
    cmd(r, "HPERSIST", "big", "FIELDS", "2", "f1", "f7")
    payload = r.dump("big")
    assert_eq((payload[0], payload[-10:-8]), (4, b"\x0a\x00"))
    # A version-12 trailer is for those types only; damage is refused.
    bad = bytearray(r.dump("small"))
    bad[5] ^= 0xFF
    assert_raises_text(lambda: r.restore("x", 0, bytes(bad)),
                       "DUMP payload version or checksum are wrong")


@test(**ONLY)
def transactions_scripts_and_watch():
    r = h.flushed()
    r.hset("h", mapping={"a": "1", "b": "2"})
    p = r.pipeline(transaction=True)
    p.execute_command("HEXPIRE", "h", "100", "FIELDS", "1", "a")
    p.execute_command("HTTL", "h", "FIELDS", "2", "a", "b")
    p.execute_command("HPERSIST", "h", "FIELDS", "1", "a")
    assert_eq(p.execute(), [[1], [100, -1], [1]])
    got = r.eval("return redis.call('HEXPIRE', KEYS[1], 100, 'FIELDS', 1,"
                 " 'b')", 1, "h")
    assert_eq(got, [1])
    assert_eq(r.eval("return redis.call('HTTL', KEYS[1], 'FIELDS', 1, 'b')",
                     1, "h"), [100])
    # HEXPIRE dirties a WATCH; a read (HTTL) does not.
    with r.pipeline() as p:
        p.watch("h")
        r.execute_command("HTTL", "h", "FIELDS", "1", "a")
        p.multi()
        p.hget("h", "a")
        assert_eq(p.execute(), [b"1"])
    with r.pipeline() as p:
        p.watch("h")
        r.execute_command("HEXPIRE", "h", "50", "FIELDS", "1", "a")
        p.multi()
        p.hget("h", "a")
        try:
            p.execute()
            raise AssertionError("EXEC ran after HEXPIRE touched the key")
        except redis.WatchError:
            pass


@test(**ONLY)
def resp3_and_raw_replies():
    s = h.shared_server()
    r = h.flushed()
    r.hset("h", mapping={"a": "1"})
    c = s.conn()
    c.send(h.encode("HELLO", "3"))
    c.read_raw()
    c.send(h.encode("HEXPIRE", "h", "100", "FIELDS", "2", "a", "b"))
    assert_eq(c.read_raw(), b"*2\r\n:1\r\n:-2\r\n")
    c.send(h.encode("HTTL", "h", "FIELDS", "1", "a"))
    assert_eq(c.read_raw(), b"*1\r\n:100\r\n")
    c.send(h.encode("HPERSIST", "nokey", "FIELDS", "1", "a"))
    assert_eq(c.read_raw(), b"*1\r\n:-2\r\n")
    c.send(h.encode("COMMAND", "INFO", "HEXPIRE"))
    info = h.parse(c.read_raw())[0]
    assert_eq(info[0:6], [b"hexpire", -6, [b"write", b"denyoom", b"fast"],
                          1, 1, 1])
    c.close()


@test(**ONLY)
def hgetdel_hgetex_hsetex():
    s = h.shared_server()
    r = h.flushed()
    r.config_set("notify-keyspace-events", "EA")
    ev = h.KeyEvents(s)
    try:
        r.hset("h", mapping={"a": "1", "b": "2", "c": "3"})
        ev.keyevents(r)
        assert_eq(cmd(r, "HGETDEL", "h", "FIELDS", "3", "a", "zz", "a"),
                  [b"1", None, None])
        assert_eq(cmd(r, "HGETEX", "h", "EX", "100", "FIELDS", "2", "b", "zz"),
                  [b"2", None])
        assert_eq(cmd(r, "HTTL", "h", "FIELDS", "2", "b", "c"), [100, -1])
        assert_eq(cmd(r, "HGETEX", "h", "PERSIST", "FIELDS", "2", "b", "c"),
                  [b"2", b"3"])
        assert_eq(cmd(r, "HGETEX", "h", "FIELDS", "1", "b"), [b"2"])
        assert_eq(cmd(r, "HGETEX", "h", "PXAT", "1", "FIELDS", "1", "b"),
                  [b"2"])
        assert_eq(r.hgetall("h"), {b"c": b"3"})
        assert_eq(cmd(r, "HGETDEL", "h", "FIELDS", "1", "c"), [b"3"])
        assert_eq(r.exists("h"), 0)
        assert_eq(cmd(r, "HGETDEL", "h", "FIELDS", "1", "c"), [None])
        assert_eq(cmd(r, "HGETEX", "h", "PX", "5", "FIELDS", "1", "c"), [None])
        assert_eq(ev.keyevents(r), [
            ("hdel", "h"), ("hexpire", "h"), ("hpersist", "h"),
            ("hdel", "h"), ("hdel", "h"), ("del", "h")])
        # HSETEX: FNX / FXX, the TTL options, the reply 0 or 1.
        assert_eq(cmd(r, "HSETEX", "h", "FXX", "FIELDS", "1", "a", "1"), 0)
        assert_eq(r.exists("h"), 0)
        assert_eq(cmd(r, "HSETEX", "h", "FNX", "EX", "100", "FIELDS", "2",
                      "a", "1", "b", "2"), 1)
        assert_eq(cmd(r, "HSETEX", "h", "FNX", "FIELDS", "2", "x", "1", "a",
                      "2"), 0)
        assert_eq(cmd(r, "HTTL", "h", "FIELDS", "3", "a", "b", "x"),
                  [100, 100, -2])
        assert_eq(cmd(r, "HSETEX", "h", "FXX", "KEEPTTL", "FIELDS", "1", "a",
                      "k"), 1)
        assert_eq(cmd(r, "HSETEX", "h", "FIELDS", "1", "b", "p"), 1)
        assert_eq(cmd(r, "HTTL", "h", "FIELDS", "2", "a", "b"), [100, -1])
        assert_eq(cmd(r, "HSETEX", "h", "PXAT", "1", "FIELDS", "1", "c", "3"),
                  1)
        assert_eq(r.hgetall("h"), {b"a": b"k", b"b": b"p"})
        assert_eq(ev.keyevents(r), [
            ("hset", "h"), ("hexpire", "h"), ("hset", "h"), ("hset", "h"),
            ("hset", "h"), ("hdel", "h")])
        err = [
            (("HSETEX", "h", "EX", "10", "KEEPTTL", "FIELDS", "1", "a", "b"),
             "Only one of EX, PX, EXAT, PXAT or KEEPTTL arguments can be "
             "specified"),
            (("HSETEX", "h", "FXX", "FNX", "FIELDS", "1", "a", "b"),
             "Only one of FXX or FNX arguments can be specified"),
            (("HSETEX", "h", "BAD", "FIELDS", "1", "a", "b"),
             "unknown argument: BAD"),
            (("HSETEX", "h", "FIELDS", "2", "a", "b", "c"),
             "wrong number of arguments for 'hsetex' command"),
            (("HSETEX", "h", "FIELDS", "0", "a", "b"),
             "invalid number of fields"),
            (("HSETEX", "h", "EX", "-1", "FIELDS", "1", "a", "b"),
             "invalid expire time, must be >= 0"),
            (("HSETEX", "h", "FXX", "FXX", "FIELDS", "1", "a", "b"),
             "Only one of FXX or FNX arguments can be specified"),
            (("HGETEX", "h", "EX", "x", "FIELDS", "1", "a"),
             "value is not an integer or out of range"),
            (("HGETEX", "h", "PERSIST", "NOPE", "1", "a"),
             "Mandatory argument FIELDS is missing or not at the right "
             "position"),
            (("HGETDEL", "h", "FIELDS", "2", "a"),
             "The `numfields` parameter must match the number of arguments"),
            (("HGETDEL", "h", "FIELDS", "0", "a"),
             "Number of fields must be a positive integer"),
        ]
        for args, text in err:
            assert_raises_text(lambda: cmd(r, *args), text)
        r.set("str", "v")
        for args in (("HGETDEL", "str", "X", "1", "a"),
                     ("HGETEX", "str", "EX", "x", "FIELDS", "1", "a"),
                     ("HSETEX", "str", "FIELDS", "1", "a", "b")):
            assert_raises_text(lambda: cmd(r, *args), "WRONGTYPE")
        # The options are read before the type.
        assert_raises_text(
            lambda: cmd(r, "HSETEX", "str", "BAD", "FIELDS", "1", "a", "b"),
            "unknown argument")
    finally:
        r.config_set("notify-keyspace-events", "")
        ev.close()


if __name__ == "__main__":
    h.run()
