#!/usr/bin/python3
"""Hashes and sets through redis-py against a real server.

The main scenario stores events as hashes (event:<id>) with set indexes
by type and by day (idx:type:<t>, idx:day:<d>) and answers queries with
SINTER / SINTERSTORE / SUNION / SDIFF, checked against a Python model.
Also: conversion of a hash past the compact limits, HSCAN/SSCAN
completeness on large collections, emptied collections losing their key,
WRONGTYPE both ways, TYPE and SCAN TYPE, COPY / RENAME / MOVE of
collections, expiry through DEBUG JUMP-CLOCK, WATCH, and the keyspace
events of each command.
"""

import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, assert_raises_text, test  # noqa: E402

import redis  # noqa: E402

TYPES = ["click", "view", "buy", "share"]
DAYS = ["2024-01-0%d" % d for d in range(1, 8)]


def load_events(r, n=500, seed=1):
    rnd = random.Random(seed)
    model = {}
    p = r.pipeline(transaction=False)
    for i in range(n):
        t, d = rnd.choice(TYPES), rnd.choice(DAYS)
        model[i] = (t, d)
        p.hset("event:%d" % i, mapping={"type": t, "day": d,
                                        "user": "u%d" % rnd.randrange(50),
                                        "amount": str(rnd.randrange(1000))})
        p.sadd("idx:type:" + t, i)
        p.sadd("idx:day:" + d, i)
    p.execute()
    return model


@test
def events_indexed_by_type_and_day():
    r = h.flushed(decode_responses=True)
    model = load_events(r)
    for t in TYPES:
        for d in DAYS:
            want = {str(i) for i, (tt, dd) in model.items()
                    if tt == t and dd == d}
            got = r.sinter("idx:type:" + t, "idx:day:" + d)
            assert_eq(got, want, "SINTER %s %s" % (t, d))
            assert_eq(r.sintercard(2, ["idx:type:" + t, "idx:day:" + d]),
                      len(want), "SINTERCARD")
    # Store a query result, then read the events it names.
    n = r.sinterstore("q", "idx:type:buy", "idx:day:2024-01-03")
    ids = r.smembers("q")
    assert_eq(n, len(ids))
    for i in ids:
        ev = r.hgetall("event:" + i)
        assert_eq((ev["type"], ev["day"]), ("buy", "2024-01-03"))
    both_days = r.sunion("idx:day:2024-01-01", "idx:day:2024-01-02")
    assert_eq(both_days, {str(i) for i, (_, d) in model.items()
                          if d in ("2024-01-01", "2024-01-02")}, "SUNION")
    not_clicks = r.sdiff("idx:day:2024-01-05", "idx:type:click")
    assert_eq(not_clicks, {str(i) for i, (t, d) in model.items()
                           if d == "2024-01-05" and t != "click"}, "SDIFF")
    # Totals with HINCRBY per type.
    for i, (t, _) in model.items():
        r.hincrby("totals", t, int(r.hget("event:%d" % i, "amount")))
    assert_eq(sum(int(v) for v in r.hvals("totals")),
              sum(int(r.hget("event:%d" % i, "amount")) for i in model))
    assert_eq(r.type("event:1"), "hash")
    assert_eq(r.type("idx:type:buy"), "set")
    assert_eq(r.scard("idx:type:buy"),
              sum(1 for t, _ in model.values() if t == "buy"))


@test
def hash_grows_past_compact_limits():
    r = h.flushed()
    model = {}
    for i in range(1000):
        f, v = b"f%d" % i, b"v" * (i % 100)
        r.hset("h", f, v)
        model[f] = v
        if i in (10, 127, 128, 129, 999):
            assert_eq(r.hgetall("h"), model, "HGETALL at %d" % i)
    for i in range(0, 1000, 3):
        assert_eq(r.hdel("h", b"f%d" % i), 1)
        del model[b"f%d" % i]
    assert_eq(r.hlen("h"), len(model))
    assert_eq(r.hgetall("h"), model)
    assert_eq(r.hstrlen("h", "f5"), 5)
    assert_eq(r.hexists("h", "f3"), False)


@test
def scan_is_complete():
    r = h.flushed()
    r.sadd("s", *range(5000))
    r.hset("h", mapping={"k%d" % i: i for i in range(3000)})
    got, cur = set(), 0
    while True:
        cur, items = r.sscan("s", cur, count=50)
        got.update(items)
        if cur == 0:
            break
    assert_eq(got, {b"%d" % i for i in range(5000)}, "SSCAN")
    got = {}
    for k, v in r.hscan_iter("h", match="k1*", count=100):
        got[k] = v
    assert_eq(got, {b"k%d" % i: b"%d" % i for i in range(3000)
                    if str(i).startswith("1")}, "HSCAN MATCH")


@test
def emptied_collections_lose_their_key():
    r = h.flushed()
    r.hset("h", "a", 1)
    assert_eq(r.hdel("h", "a"), 1)
    assert_eq(r.exists("h"), 0, "hash emptied by HDEL")
    r.sadd("s", "a", "b")
    r.srem("s", "a", "b")
    assert_eq(r.exists("s"), 0, "set emptied by SREM")
    r.sadd("s", "a")
    assert_eq(r.spop("s"), b"a")
    assert_eq(r.exists("s"), 0, "set emptied by SPOP")
    r.sadd("s", "a", "b")
    assert_eq(sorted(r.spop("s", 5)), [b"a", b"b"], "SPOP count >= size")
    assert_eq(r.exists("s"), 0, "set emptied by SPOP count")
    r.sadd("src", "m")
    assert_eq(r.smove("src", "dst", "m"), True)
    assert_eq(r.exists("src"), 0, "set emptied by SMOVE")
    assert_eq(r.smembers("dst"), {b"m"})
    r.sadd("x", "1")
    r.set("dest", "string")
    assert_eq(r.sinterstore("dest", "x", "nosuch"), 0)
    assert_eq(r.exists("dest"), 0, "empty SINTERSTORE deletes dest")


@test
def wrongtype_both_ways():
    r = h.flushed()
    r.set("str", "v")
    r.hset("h", "f", "v")
    r.sadd("s", "m")
    wt = "WRONGTYPE Operation against a key holding the wrong kind of value"
    for fn in (lambda: r.get("h"), lambda: r.append("s", "x"),
               lambda: r.hset("str", "f", "v"), lambda: r.hget("s", "f"),
               lambda: r.sadd("h", "m"), lambda: r.smembers("str"),
               lambda: r.sinter("s", "h"), lambda: r.incr("h")):
        assert_raises_text(fn, wt)
    r.set("h", "now a string")
    assert_eq(r.get("h"), b"now a string", "SET replaces a hash")
    assert_eq(sorted(r.scan(0, _type="set", count=1000)[1]), [b"s"])
    assert_eq(sorted(r.scan(0, _type="hash", count=1000)[1]), [])


@test
def copy_rename_move():
    r = h.flushed()
    r.hset("h", mapping={"a": 1, "b": 2})
    r.sadd("s", *range(300))
    assert_eq(r.copy("h", "h2"), True)
    r.hset("h2", "c", 3)
    assert_eq(r.hgetall("h"), {b"a": b"1", b"b": b"2"}, "COPY is deep")
    assert_eq(r.copy("s", "s2"), True)
    r.srem("s2", 1)
    assert_eq(r.scard("s"), 300)
    assert_eq(r.scard("s2"), 299)
    r.rename("s", "renamed-set")
    assert_eq(r.scard("renamed-set"), 300)
    assert_eq(r.move("renamed-set", 1), True)
    r1 = h.shared_server().client(db=1)
    assert_eq(r1.scard("renamed-set"), 300)
    assert_eq(r1.copy("renamed-set", "s", destination_db=0), True)
    assert_eq(r.scard("s"), 300)
    r1.flushdb()


@test(respite_only=True, reason="needs DEBUG JUMP-CLOCK")
def collections_expire():
    r = h.flushed()
    r.hset("h", mapping={"f%d" % i: i for i in range(200)})
    r.sadd("s", "a")
    r.expire("h", 10)
    r.pexpire("s", 10)
    assert_eq(r.ttl("h"), 10)
    assert_eq(r.hlen("h"), 200, "TTL keeps the hash")
    r.execute_command("DEBUG", "JUMP-CLOCK", 11000)
    assert_eq(r.exists("h", "s"), 0, "expired")
    assert_eq(r.hget("h", "f1"), None)
    r.execute_command("DEBUG", "JUMP-CLOCK", -11000)


@test
def watch_sees_hash_and_set_writes():
    r = h.flushed()
    other = h.shared_server().client()
    for name, write in (("HSET", lambda: other.hset("k", "f", "v")),
                        ("SADD", lambda: other.sadd("k2", "m"))):
        p = r.pipeline()
        p.watch("k", "k2")
        write()
        p.multi()
        p.set("x", 1)
        try:
            p.execute()
            raise AssertionError("EXEC should have failed after " + name)
        except redis.WatchError:
            pass
        other.delete("k", "k2")


def chi_square(draws, names):
    """Pearson's chi-square of draws against equal odds for names."""
    want = len(draws) / len(names)
    counts = dict.fromkeys(names, 0)
    for d in draws:
        counts[d] += 1
    return sum((n - want) ** 2 / want for n in counts.values())


@test(respite_only=True,
      reason="Redis's draws from a table are uneven (chi-square 700-1700)")
def random_draws_are_even():
    # 100 members of 80 bytes: hash tables, not listpacks; 20000 draws of
    # each kind. Fair draws give a chi-square of about 99 (sd 14), and one
    # over 200 has odds of about 1e-8. Taking any non-empty bucket's
    # chain with equal odds gave about 3900.
    r = h.flushed()
    names = [b"%s%d" % (b"m" * 80, i) for i in range(100)]
    r.hset("h", mapping={n: 1 for n in names})
    r.sadd("s", *names)
    assert_eq(r.object("encoding", "h"), b"hashtable", "hash encoding")
    assert_eq(r.object("encoding", "s"), b"hashtable", "set encoding")
    p = r.pipeline(transaction=False)
    for _ in range(2000):
        p.srandmember("s", 10)     # a few of many: distinct draws
    few = [m for ten in p.execute() for m in ten]
    cases = [("HRANDFIELD -20000", r.hrandfield("h", -20000)),
             ("SRANDMEMBER -20000", r.srandmember("s", -20000)),
             ("SRANDMEMBER 10", few)]
    r.delete("h", "s")
    for n in names:
        p.set(n, 1)
    p.execute()
    for _ in range(20000):
        p.randomkey()
    cases.append(("RANDOMKEY", p.execute()))
    for name, draws in cases:
        assert_eq(len(draws), 20000, name + " draws")
        chi = chi_square(draws, names)
        assert chi < 200, "%s: chi-square %.0f" % (name, chi)


@test
def events():
    s = h.shared_server()
    r = s.client()
    r.flushall()
    r.config_set("notify-keyspace-events", "Eghs")
    c = s.conn()
    c.send(h.encode("PSUBSCRIBE", "__keyevent@0__:*"))
    c.read_raw()
    r.hset("h", "a", 1)
    r.hsetnx("h", "a", 2)          # no event: not set
    r.hincrby("h", "n", 1)
    r.hincrbyfloat("h", "n", 1.5)
    r.hdel("h", "a", "n")          # hdel, then del
    r.sadd("s", "a", "b", "c")
    r.srem("s", "a")
    r.spop("s")
    r.smove("s", "t", r.smembers("s").pop())
    r.sadd("u", "x")
    r.sunionstore("d", "t", "u")
    r.sinterstore("d", "t", "u")   # empty: del of d
    r.sdiffstore("d", "t", "u")
    r.publish("fence", "x")
    want = ["hset:h", "hincrby:h", "hincrbyfloat:h", "hdel:h", "del:h",
            "sadd:s", "srem:s", "spop:s", "srem:s", "del:s", "sadd:t",
            "sadd:u", "sunionstore:d", "del:d", "sdiffstore:d"]
    got = []
    while len(got) < len(want):
        m = h.parse(c.read_raw())
        got.append("%s:%s" % (m[2].decode().split(":", 1)[1],
                              m[3].decode()))
    assert_eq(got, want, "events")
    r.config_set("notify-keyspace-events", "")
    c.close()


if __name__ == "__main__":
    h.run()
