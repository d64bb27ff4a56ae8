#!/usr/bin/python3
"""HyperLogLog through redis-py: PFADD PFCOUNT PFMERGE used the way
applications use them, with the values compared byte for byte against
Debian's redis-server 7.0 fed the same input.

Covers: unique visitors per day (a key per day, PFCOUNT of a day, PFMERGE
of the week, PFCOUNT over several days merged on the fly), 100k visitors
per day so the values turn dense, and every value's bytes (GET) equal to
redis-server's; a value copied from Redis with SET counts the same and
keeps growing the same; the keyspace events (pfadd for PFADD and PFMERGE,
none for a PFADD that changes nothing or for PFCOUNT); WATCH aborted by a
PFADD that changes a register and by a PFCOUNT that writes back the
count, not by a PFADD that changes nothing nor a cached PFCOUNT; dirty
(rdb_changes_since_last_save) and keyspace hits and misses; and
hll-sparse-max-bytes through CONFIG SET; PFDEBUG TODENSE and GETREG;
PFSELFTEST. Every test passes on redis-server 7.0 too
(RESPITE_BIN=/usr/bin/redis-server); the byte comparisons then compare
redis-server with itself."""

import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, assert_raises_text, test  # noqa: E402

REF_BIN = os.environ.get("REDIS_REF_BIN", "/usr/bin/redis-server")
_ref = {}


def reference():
    """A redis-py client on a redis-server started once for this file,
    after FLUSHALL."""
    if "s" not in _ref:
        _ref["s"] = h.file_server(binary=REF_BIN, name="reference")
    r = _ref["s"].client()
    r.flushall()
    return r


def both():
    """(server under test, reference), both flushed."""
    return h.flushed(), reference()


def visitors(day, n):
    """n visitor ids of one day; consecutive days share about half."""
    return ["user:%d" % (day * n // 2 + i) for i in range(n)]


def pfadd_batched(r, key, elements, batch=5000):
    p = r.pipeline(transaction=False)
    for i in range(0, len(elements), batch):
        p.pfadd(key, *elements[i:i + batch])
    return p.execute()


@test
def unique_visitors_per_day_and_week():
    r, ref = both()
    days = ["visits:2026-11-%02d" % d for d in range(16, 23)]
    for c in (r, ref):
        for i, key in enumerate(days):
            pfadd_batched(c, key, visitors(i, 100000 if i < 2 else 1000))
    # Two days of 100k are dense, the others sparse.
    assert_eq(r.strlen(days[0]), 12304)
    assert r.strlen(days[2]) < 3000
    for key in days:
        assert_eq(r.get(key), ref.get(key), key)
        assert_eq(r.pfcount(key), ref.pfcount(key), key)
        assert_eq(r.get(key), ref.get(key), key + " after PFCOUNT")
    n = r.pfcount(days[0])
    assert abs(n - 100000) < 100000 * 0.025, n
    assert_eq(r.pfcount(*days[:3]), ref.pfcount(*days[:3]))
    for c in (r, ref):
        assert_eq(c.pfmerge("visits:week", *days), True)
    assert_eq(r.get("visits:week"), ref.get("visits:week"))
    week = r.pfcount("visits:week")
    assert_eq(week, ref.pfcount("visits:week"))
    distinct = len(set().union(*(visitors(i, 100000 if i < 2 else 1000)
                                 for i in range(7))))
    assert abs(week - distinct) < distinct * 0.025, (week, distinct)
    # The merged week counts like the union read on the fly.
    assert_eq(week, r.pfcount(*days))


@test
def random_elements_match_redis_bytes():
    r, ref = both()
    rnd = random.Random(11)
    for step in range(60):
        key = "h%d" % rnd.randrange(4)
        n = rnd.choice([1, 3, 30, 300, 3000])
        elements = [rnd.randbytes(rnd.randrange(1, 24)) for _ in range(n)]
        op = rnd.random()
        for c in (r, ref):
            if op < 0.7:
                c.pfadd(key, *elements)
            elif op < 0.85:
                c.pfcount(key)
            else:
                c.pfmerge(key, "h%d" % rnd.randrange(4))
        assert_eq(r.get(key), ref.get(key), "step %d" % step)
    for i in range(4):
        assert_eq(r.pfcount("h%d" % i), ref.pfcount("h%d" % i))


@test
def value_copied_from_redis_counts_the_same():
    r, ref = both()
    pfadd_batched(ref, "src", ["x%d" % i for i in range(1500)])
    sparse = ref.get("src")
    pfadd_batched(ref, "dense", ["y%d" % i for i in range(20000)])
    dense = ref.get("dense")
    for key, value in (("src", sparse), ("dense", dense)):
        r.set(key, value)
        assert_eq(r.pfcount(key), ref.pfcount(key), key)
        for c in (r, ref):
            c.pfadd(key, *["z%d" % i for i in range(2000)])
        assert_eq(r.get(key), ref.get(key), key)
        assert_eq(r.pfcount(key), ref.pfcount(key), key)


@test
def errors():
    r = h.flushed()
    r.rpush("list", "a")
    assert_raises_text(lambda: r.pfadd("list", "a"), "WRONGTYPE Operation")
    r.set("s", "not an hll")
    for fn in (lambda: r.pfadd("s", "a"), lambda: r.pfcount("s"),
               lambda: r.pfcount("s", "t"), lambda: r.pfmerge("d", "s")):
        assert_raises_text(fn, "WRONGTYPE Key is not a valid HyperLogLog "
                               "string value.")
    assert_eq(r.exists("d"), 0)
    r.set("bad", b"HYLL\x01" + b"\0" * 10 + b"\x80\x3f")
    for fn in (lambda: r.pfcount("bad"), lambda: r.pfmerge("d", "bad")):
        assert_raises_text(fn, "INVALIDOBJ Corrupted HLL object detected")


@test
def notifications():
    s = h.shared_server()
    r = h.flushed()
    r.config_set("notify-keyspace-events", "KEA")
    ev = h.KeyEvents(s, "__keyevent@0__:*")
    try:
        r.pfadd("a", "x")
        r.pfadd("a", "x")            # no change: no event
        r.pfadd("e")                 # created empty: an event
        r.pfadd("e")
        r.pfcount("a")               # writes back the count, no event
        r.pfmerge("m", "a", "nosuch")
        r.pfmerge("m")
        assert_eq(ev.keyevents(r),
                  [("pfadd", "a"), ("pfadd", "e"), ("pfadd", "m"),
                   ("pfadd", "m")])
    finally:
        r.config_set("notify-keyspace-events", "")
        ev.close()


@test
def watch_dirty_and_keyspace_stats():
    s = h.shared_server()
    r = h.flushed()
    other = s.client()
    r.pfadd("k", "a", "b")

    def watched(change):
        with r.pipeline() as p:
            p.watch("k")
            change()
            p.multi()
            p.ping()
            try:
                p.execute()
                return "ran"
            except Exception as e:  # redis.WatchError
                return type(e).__name__

    assert_eq(watched(lambda: other.pfadd("k", "a")), "ran")
    assert_eq(watched(lambda: other.pfadd("k", "c")), "WatchError")
    assert_eq(watched(lambda: other.pfcount("k")), "WatchError")
    assert_eq(watched(lambda: other.pfcount("k")), "ran")   # cached now
    assert_eq(watched(lambda: other.pfcount("k", "x")), "ran")

    def dirty():
        return r.info("persistence")["rdb_changes_since_last_save"]

    d = dirty()
    r.pfadd("n", *["e%d" % i for i in range(10)])    # created + 10 registers
    assert_eq(dirty() - d, 11)
    d = dirty()
    r.pfadd("n", "e1")
    r.pfcount("n")                   # writes back: 1
    r.pfcount("n")                   # cached: 0
    r.pfmerge("n2", "n")             # 1
    assert_eq(dirty() - d, 2)

    r.config_resetstat()
    r.pfcount("n", "nosuch")
    r.pfmerge("n3", "n")             # reads n3 (miss) and n (hit)
    r.pfadd("n4", "a")               # a write: neither
    stats = r.info("stats")
    assert_eq((stats["keyspace_hits"], stats["keyspace_misses"]), (2, 2))


@test
def pfdebug_todense_counts_in_dirty_only():
    s = h.shared_server()
    r = h.flushed()
    other = s.client()
    r.pfadd("k", "a", "b")
    before = r.get("k")
    d = r.info("persistence")["rdb_changes_since_last_save"]
    with r.pipeline() as p:
        p.watch("k")
        assert_eq(other.execute_command("PFDEBUG", "TODENSE", "k"), 1)
        p.multi()
        p.ping()
        assert_eq(p.execute(), [True])      # WATCH not touched
    assert_eq(r.info("persistence")["rdb_changes_since_last_save"] - d, 1)
    assert_eq(r.execute_command("PFDEBUG", "ENCODING", "k"), b"dense")
    assert_eq(r.strlen("k"), 12304)
    assert_eq(r.get("k")[5:16], before[5:16])     # the cached count kept
    regs = r.execute_command("PFDEBUG", "GETREG", "k")
    assert_eq(len(regs), 16384)
    assert_eq(sorted(v for v in regs if v), [v for v in sorted(regs) if v])
    assert_eq(sum(1 for v in regs if v), 2)


@test
def pfselftest():
    r = h.flushed()
    assert_eq(r.execute_command("PFSELFTEST"), b"OK")


@test
def sparse_max_bytes_directive():
    r, ref = both()
    for c in (r, ref):
        c.config_set("hll-sparse-max-bytes", "100")
    try:
        assert_eq(r.config_get("hll-sparse-max-bytes"),
                  {"hll-sparse-max-bytes": "100"})
        for c in (r, ref):
            c.pfadd("k", *["v%d" % i for i in range(30)])
        assert_eq(r.strlen("k"), 12304)
        assert_eq(r.get("k"), ref.get("k"))
        for c in (r, ref):
            c.config_set("hll-sparse-max-bytes", "20000")
            c.pfadd("big", *["v%d" % i for i in range(3000)])
        assert r.strlen("big") > 3000
        assert_eq(r.get("big"), ref.get("big"))
    finally:
        for c in (r, ref):
            c.config_set("hll-sparse-max-bytes", "3000")


if __name__ == "__main__":
    h.run()
