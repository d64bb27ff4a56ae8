#!/usr/bin/python3
"""DUMP and RESTORE against redis-server 7.0 (the reference, started once
for this file with sanitize-dump-payload yes so that it checks payloads
as thoroughly as Respite always does).

* For each type and encoding boundary the same commands build the value
  on both servers and the DUMP bytes must be equal; where the README says
  they may differ (hash tables' order, lists grown at the head), each
  server RESTOREs the other's payload and the contents must be equal.
* Every payload also round-trips: RESTOREd on the other server, it dumps
  to the same bytes again.
* Older encodings Redis 7.0 still reads (ziplists, zipmap, intsets, the
  plain types, ziplist quicklists, version-1 streams) are built here by
  hand and must give the same content on both servers.
* RESTORE's options (TTL, ABSTTL, REPLACE, IDLETIME, FREQ), its events,
  WATCH, OOM; and a seeded fuzz of truncated and corrupted payloads
  (checksums fixed up) whose error-or-OK must match the reference's, and
  whose content must match when OK.

Against RESPITE_BIN=/usr/bin/redis-server it compares two redis-servers;
the byte comparisons of hash tables are then skipped (each redis-server
seeds its hash function at random)."""

import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, assert_raises_text, test  # noqa: E402
from payload import rlen, rstr, seal  # noqa: E402

REF_BIN = os.environ.get("REDIS_REF_BIN", "/usr/bin/redis-server")
_ref = {}


def reference():
    if "s" not in _ref:
        _ref["s"] = h.file_server(binary=REF_BIN, name="reference")
    r = _ref["s"].client()
    r.flushall()
    r.config_set("sanitize-dump-payload", "yes")
    return r


def both():
    r = h.flushed()
    if h.is_redis():
        r.config_set("sanitize-dump-payload", "yes")
    return r, reference()


# ---- Payload building ------------------------------------------------------

def ziplist(items):
    """A ziplist of str/bytes/int items, with each integer in the
    smallest encoding."""
    entries = []
    prev = 0
    for it in items:
        pre = bytes([prev]) if prev < 254 else b"\xfe" + struct.pack("<I",
                                                                     prev)
        if isinstance(it, int):
            if 0 <= it <= 12:
                enc = bytes([0xF1 + it])
            elif -128 <= it <= 127:
                enc = b"\xfe" + struct.pack("<b", it)
            elif -32768 <= it <= 32767:
                enc = b"\xc0" + struct.pack("<h", it)
            elif -(1 << 23) <= it < (1 << 23):
                enc = b"\xf0" + struct.pack("<i", it)[:3]
            elif -(1 << 31) <= it < (1 << 31):
                enc = b"\xd0" + struct.pack("<i", it)
            else:
                enc = b"\xe0" + struct.pack("<q", it)
        else:
            s = it.encode() if isinstance(it, str) else it
            if len(s) < 64:
                enc = bytes([len(s)]) + s
            elif len(s) < 16384:
                enc = bytes([0x40 | (len(s) >> 8), len(s) & 0xFF]) + s
            else:
                enc = b"\x80" + struct.pack(">I", len(s)) + s
        e = pre + enc
        entries.append(e)
        prev = len(e)
    body = b"".join(entries)
    tail = 10 + sum(len(e) for e in entries[:-1]) if entries else 10
    total = 10 + len(body) + 1
    return (struct.pack("<IIH", total, tail, min(len(items), 65535)) + body +
            b"\xff")


def intset(values, width=None):
    width = width or max([2] + [8 if not -2**31 <= v < 2**31 else
                                4 if not -2**15 <= v < 2**15 else 2
                                for v in values])
    fmt = {2: "<h", 4: "<i", 8: "<q"}[width]
    return (struct.pack("<II", width, len(values)) +
            b"".join(struct.pack(fmt, v) for v in sorted(values)))


def zipmap(pairs):
    out = bytearray([len(pairs)])
    for k, v in pairs:
        k, v = k.encode(), v.encode()
        out += bytes([len(k)]) + k + bytes([len(v)]) + b"\x00" + v
    return bytes(out) + b"\xff"


# ---- Reading a value back --------------------------------------------------

def content(r, k):
    """A value as type-specific reads see it (orderless where the type
    is), or None when the key is missing."""
    t = r.type(k)
    if t == b"none":
        return None
    if t == b"string":
        return (t, r.get(k))
    if t == b"hash":
        return (t, sorted(r.hgetall(k).items()))
    if t == b"set":
        return (t, sorted(r.smembers(k)))
    if t == b"zset":
        return (t, r.zrange(k, 0, -1, withscores=True))
    if t == b"list":
        return (t, r.lrange(k, 0, -1))
    info = r.execute_command("XINFO", "STREAM", k)
    info = dict(zip(info[::2], info[1::2]))
    groups = []
    for g in r.execute_command("XINFO", "GROUPS", k):
        g = dict(zip(g[::2], g[1::2]))
        name = g[b"name"]
        cons = [(c["name"], c["pending"]) for c in
                r.xinfo_consumers(k, name)]
        pend = [(p["message_id"], p["consumer"], p["times_delivered"])
                for p in r.xpending_range(k, name, "-", "+", 1000)]
        groups.append((g, cons, pend))
    return (t, r.xrange(k), sorted(info.items()), groups)


def cross_restore(r, ref, key="k", same_bytes=True, round_trip=None):
    """Each server RESTOREs the other's payload of key into key + ":x";
    contents must match the original, and the payloads round-trip to the
    same bytes when round_trip (by default: when same_bytes; a hash
    table's order and a list's nodes are the server's own). With
    same_bytes the two payloads must be equal."""
    pr, pf = r.dump(key), ref.dump(key)
    if same_bytes:
        assert_eq(pr, pf, "DUMP bytes of %s" % key)
    assert_eq(content(r, key), content(ref, key), "content of %s" % key)
    r.restore(key + ":x", 0, pf)
    ref.restore(key + ":x", 0, pr)
    assert_eq(content(r, key + ":x"), content(ref, key), "respite <- ref")
    assert_eq(content(ref, key + ":x"), content(r, key), "ref <- respite")
    if same_bytes if round_trip is None else round_trip:
        assert_eq(r.dump(key + ":x"), pf, "ref payload round trip")
        assert_eq(ref.dump(key + ":x"), pr, "respite payload round trip")
    r.delete(key + ":x")
    ref.delete(key + ":x")


def run_both(r, ref, *cmds):
    for c in cmds:
        for x in (r, ref):
            x.execute_command(*c)


def hashtable_order_varies():
    """Two redis-servers order hash tables differently (random seed)."""
    return h.is_redis()


# ---- Strings -----------------------------------------------------------------

@test
def dump_strings():
    r, ref = both()
    rnd = random.Random(7)
    values = ["0", "1", "-1", "127", "128", "-128", "-129", "32767",
              "32768", "-32768", "-32769", "2147483647", "2147483648",
              "-2147483648", "-2147483649", "12345678901", "012", "-0",
              "+1", " 1", "1.5", "", "a", "x" * 20, "x" * 21, "ab" * 40,
              "9223372036854775807", "9223372036854775808",
              bytes(rnd.getrandbits(8) for _ in range(300)),
              ("hello world " * 1000).encode(), b"\x00\r\n\xff" * 9]
    for i, v in enumerate(values):
        k = "s%d" % i
        r.set(k, v)
        ref.set(k, v)
        cross_restore(r, ref, k)
    # Values a command built rather than SET.
    run_both(r, ref, ("INCRBY", "n", "100000"), ("APPEND", "a", "12"),
             ("APPEND", "a", "34"), ("SETRANGE", "g", "30", "z"),
             ("PFADD", "hll", "a", "b", "c"),
             ("SET", "bits", ""), ("SETBIT", "bits", 1000, 1))
    for k in ("n", "a", "g", "hll", "bits"):
        cross_restore(r, ref, k)


@test(respite_only=True, reason="RATELIMIT is Respite's")
def dump_rate_limiter_state():
    r = h.flushed()
    r.execute_command("RATELIMIT", "rl", 10, 60000)
    p = r.dump("rl")
    ttl = r.pttl("rl")
    r.restore("rl2", ttl, p)
    assert_eq(r.get("rl2"), r.get("rl"))
    assert_eq(r.execute_command("RATELIMIT", "rl2", 10, 60000)[:3],
              [1, 10, 8])


# ---- Hashes ------------------------------------------------------------------

def fields(n, vlen=None):
    out = []
    for i in range(n):
        out += ["f%d" % i, "v" * vlen if vlen else str(i * 37 - 500)]
    return out


@test
def dump_hashes():
    r, ref = both()
    run_both(r, ref,
             ("HSET", "small", "a", "1", "b", "hello", "c", "-5000",
              "d", "x" * 64, "e", "-9223372036854775808"),
             ("HSET", "h512", *fields(512)),
             ("HSET", "h513", *fields(513)),
             ("HSET", "v64", *fields(10, 64)),
             ("HSET", "v65", *fields(10, 65)),
             ("HSET", "f65", "g" * 65, "1"),
             ("HSET", "upd", "a", "1", "b", "2", "c", "3"),
             ("HSET", "upd", "b", "22222"), ("HDEL", "upd", "a"),
             ("HSET", "upd", "a", "9"), ("HINCRBY", "upd", "c", 1000),
             ("HSET", "shrunk", *fields(600)))
    for i in range(590):
        run_both(r, ref, ("HDEL", "shrunk", "f%d" % i))
    for k in ("small", "h512", "v64", "upd"):
        cross_restore(r, ref, k)
    for k in ("h513", "v65", "f65", "shrunk"):
        assert_eq(r.object("encoding", k), b"hashtable")
        cross_restore(r, ref, k, same_bytes=not hashtable_order_varies()
                      and k == "f65")


# ---- Sets --------------------------------------------------------------------

@test
def dump_sets():
    r, ref = both()
    run_both(r, ref,
             ("SADD", "i16", "1", "-5", "300", "0"),
             ("SADD", "i32", "1", "-5", "100000"),
             ("SADD", "i64", "1", "-5", "10000000000"),
             ("SADD", "i512", *[str(i * 7 - 1000) for i in range(512)]),
             ("SADD", "i513", *[str(i * 7 - 1000) for i in range(513)]),
             ("SADD", "mixed", "1", "2", "a"),
             ("SADD", "strs", *["m%d" % i for i in range(200)]),
             ("SADD", "notint", "01", "1"))
    for k in ("i16", "i32", "i64", "i512"):
        assert_eq(ref.object("encoding", k), b"intset")
        cross_restore(r, ref, k)
    for k in ("i513", "mixed", "strs", "notint"):
        cross_restore(r, ref, k, same_bytes=False)
    # A single string member has one order only.
    run_both(r, ref, ("SADD", "one", "alpha"))
    cross_restore(r, ref, "one")


# ---- Sorted sets ---------------------------------------------------------------

@test
def dump_sorted_sets():
    r, ref = both()
    scores = ["1.1", "2", "-0.5", "inf", "-inf", "3e20", "1e-5", "-0",
              "4611686018427387904", "4611686018427388928", "0.1",
              "123456789.123", "-4611686018427387904", "1e17"]
    args = []
    for i, s in enumerate(scores):
        args += [s, "m%d" % i]
    run_both(r, ref, ("ZADD", "floats", *args))
    zs = []
    for i in range(129):
        zs += [str(i * 1.5), "m%d" % i]
    run_both(r, ref, ("ZADD", "z128", *zs[:256]), ("ZADD", "z129", *zs),
             ("ZADD", "m64", "1", "a" * 64, "2", "b"),
             ("ZADD", "m65", "1", "a" * 65, "2", "b"),
             ("ZADD", "ints", "1", "1", "2", "2", "3", "-300"),
             ("ZADD", "tie", "1", "b", "1", "a", "1", "c"),
             ("ZINCRBY", "tie", "0.25", "a"))
    for k in ("floats", "z128", "z129", "m64", "m65", "ints", "tie"):
        cross_restore(r, ref, k)
    assert_eq(ref.object("encoding", "z129"), b"skiplist")
    assert_eq(ref.object("encoding", "m65"), b"skiplist")


# ---- Lists -------------------------------------------------------------------

@test
def dump_lists():
    r, ref = both()
    run_both(r, ref,
             ("RPUSH", "small", "a", "1", "-2", "hello", "x" * 100),
             ("RPUSH", "k8", *["x" * 50 for _ in range(1000)]),
             ("RPUSH", "ints", *[str(i * 13 - 4000) for i in range(5000)]),
             ("RPUSH", "huge", "a", "y" * 20000, "b", "z" * 70000),
             ("RPUSH", "mid", "y" * 5000, "z" * 5000, "w" * 3000),
             ("RPUSH", "edge", *["e" * 8000, "f"]),
             ("RPUSH", "one", "x" * 8200))
    for n in (1, 10, 63, 64, 100, 1000, 4000, 8180):
        run_both(r, ref, ("RPUSH", "n%d" % n, *["q" * n] * 40))
    for k in ["small", "k8", "ints", "huge", "mid", "edge", "one"] + \
            ["n%d" % n for n in (1, 10, 63, 64, 100, 1000, 4000, 8180)]:
        cross_restore(r, ref, k)
    # Grown at the head or popped: Redis's nodes split elsewhere.
    run_both(r, ref, ("LPUSH", "head", *["h%d" % i for i in range(3000)]),
             ("RPUSH", "popped", *["p" * 30 for _ in range(1000)]),
             ("LPOP", "popped", 300), ("LINSERT", "popped", "BEFORE",
                                       "p" * 30, "new"))
    for k in ("head", "popped"):
        cross_restore(r, ref, k, same_bytes=False)


# ---- Streams -----------------------------------------------------------------

@test
def dump_streams():
    r, ref = both()
    run_both(r, ref, ("XADD", "one", "1-1", "a", "1", "b", "x"))
    run_both(r, ref, *[("XADD", "long", "%d-1" % i, "field", "v" * i)
                       for i in range(1, 300)])
    run_both(r, ref, *[("XADD", "mixed", "%d-%d" % (i // 3, i % 3),
                        *(["a", str(i)] if i % 4 else ["b", "x", "c", "1"]))
                       for i in range(1, 400)])
    run_both(r, ref, *[("XADD", "del", "%d-1" % i, "f", str(i))
                       for i in range(1, 300)])
    run_both(r, ref, ("XDEL", "del", "5-1", "150-1", "101-1"),
             ("XDEL", "del", *["%d-1" % i for i in range(102, 201)]))
    run_both(r, ref, *[("XADD", "trim", "%d-1" % i, "f", str(i))
                       for i in range(1, 300)])
    run_both(r, ref, ("XTRIM", "trim", "MAXLEN", "150"),
             ("XTRIM", "trim", "MAXLEN", "~", "40"))
    run_both(r, ref, ("XADD", "empty", "1-1", "a", "1"),
             ("XDEL", "empty", "1-1"))
    run_both(r, ref, ("XADD", "setid", "1-1", "a", "1"),
             ("XSETID", "setid", "5-5", "ENTRIESADDED", "10",
              "MAXDELETEDID", "3-3"))
    run_both(r, ref, ("XADD", "nogroups", "1-1", "a", "1"),
             ("XGROUP", "CREATE", "nogroups", "g0", "$"),
             ("XGROUP", "CREATE", "nogroups", "g1", "0", "ENTRIESREAD", 0))
    for k in ("one", "long", "mixed", "del", "trim", "empty", "setid",
              "nogroups"):
        cross_restore(r, ref, k)


@test
def dump_stream_groups_and_pel():
    r, ref = both()
    run_both(r, ref, *[("XADD", "s", "%d-1" % i, "f", str(i))
                       for i in range(1, 30)])
    run_both(r, ref, ("XGROUP", "CREATE", "s", "g1", "0"),
             ("XGROUP", "CREATE", "s", "g0", "$"),
             ("XGROUP", "CREATE", "s", "a-longer-name", "5-1"),
             ("XREADGROUP", "GROUP", "g1", "alice", "COUNT", "3",
              "STREAMS", "s", ">"),
             ("XREADGROUP", "GROUP", "g1", "bob", "COUNT", "2",
              "STREAMS", "s", ">"),
             ("XACK", "s", "g1", "2-1"),
             ("XGROUP", "CREATECONSUMER", "s", "g1", "zed"),
             ("XCLAIM", "s", "g1", "zed", "0", "4-1", "TIME", "1000",
              "RETRYCOUNT", "7"),
             ("XREADGROUP", "GROUP", "a-longer-name", "c", "STREAMS", "s",
              ">"),
             ("XDEL", "s", "3-1"))
    # Delivery and seen times differ by a few ms between the servers, so
    # the bytes are compared through the round trip only.
    cross_restore(r, ref, "s", same_bytes=False, round_trip=True)
    pend = r.xpending_range("s", "g1", "-", "+", 10)
    assert_eq([(x["message_id"], x["consumer"], x["times_delivered"])
               for x in pend],
              [(b"1-1", b"alice", 1), (b"3-1", b"alice", 1),
               (b"4-1", b"zed", 7), (b"5-1", b"bob", 1)])


# ---- Older encodings -----------------------------------------------------------

def old_payloads():
    """(name, payload) of every older encoding Redis 7.0 reads."""
    zl_hash = ziplist(["a", "1", "b", "hello", "num", 70000])
    zl_zset = ziplist(["x", "1.5", "y", 2, "z", "1e3"])
    zl_list = ziplist(["a", 5, -300, 100000, 2**40, "x" * 100, "y" * 300])
    return [
        ("list", seal(b"\x01" + rlen(3) + rstr("a") + rstr("b") + rstr("c"))),
        ("set", seal(b"\x02" + rlen(2) + rstr("a") + b"\xc0\x05")),
        ("zset", seal(b"\x03" + rlen(3) + rstr("a") + b"\x031.5" +
                      rstr("b") + b"\xfe" + rstr("c") + b"\xff")),
        ("hash", seal(b"\x04" + rlen(2) + rstr("f") + rstr("v") +
                      rstr("g") + rstr("w" * 100))),
        ("zset2", seal(b"\x05" + rlen(2) + rstr("a") +
                       struct.pack("<d", 2.5) + rstr("b") +
                       struct.pack("<d", -1e300))),
        ("zipmap", seal(b"\x09" + rstr(zipmap([("a", "1"),
                                               ("bb", "hello")])))),
        ("ziplist list", seal(b"\x0a" + rstr(zl_list))),
        ("intset", seal(b"\x0b" + rstr(intset([3, -2, 70000])))),
        ("wide intset", seal(b"\x0b" + rstr(intset([1, 2], width=8)))),
        ("ziplist zset", seal(b"\x0c" + rstr(zl_zset))),
        ("ziplist hash", seal(b"\x0d" + rstr(zl_hash))),
        ("quicklist", seal(b"\x0e" + rlen(2) + rstr(ziplist(["a", 1])) +
                           rstr(ziplist(["b" * 70, -7])))),
        ("quicklist plain", seal(b"\x12" + rlen(2) + b"\x01" +
                                 rstr("plain element") + b"\x02" +
                                 rstr(listpack(["a", 1])))),
        ("stream v1", seal(b"\x0f" + rlen(1) +
                           rstr(struct.pack(">QQ", 1, 1)) +
                           rstr(stream_lp()) +
                           rlen(2) + rlen(2) + rlen(1) +    # length, last
                           rlen(1) + rstr("grp") + rlen(1) + rlen(1) +
                           rlen(0) + rlen(0))),
    ]


def lp_entry(v):
    """One listpack entry (Redis's encodings) for an int or a string."""
    if isinstance(v, int):
        if 0 <= v <= 127:
            e = bytes([v])
        elif -4096 <= v <= 4095:
            u = v & 0x1FFF
            e = bytes([0xC0 | (u >> 8), u & 0xFF])
        elif -32768 <= v <= 32767:
            e = b"\xf1" + struct.pack("<h", v)
        else:
            e = b"\xf4" + struct.pack("<q", v)
    else:
        s = v.encode() if isinstance(v, str) else v
        assert len(s) < 64
        e = bytes([0x80 | len(s)]) + s
    n = len(e)
    assert n < 128
    return e + bytes([n])


def listpack(items):
    body = b"".join(lp_entry(i) for i in items)
    return struct.pack("<IH", 6 + len(body) + 1, len(items)) + body + b"\xff"


def stream_lp():
    """A node of two entries, 1-1 {a: 1} and 2-1 {a: 2, b: x}."""
    return listpack([2, 0, 1, "a", 0,
                     2, 0, 0, 1, 4,
                     0, 1, 0, 2, "a", 2, "b", "x", 8])


@test
def restore_older_encodings():
    r, ref = both()
    for name, p in old_payloads():
        for x in (r, ref):
            assert_eq(x.restore("k", 0, p, replace=True), b"OK", name)
        assert_eq(content(r, "k"), content(ref, "k"), name)
        # What each server writes back restores on the other.
        cross_restore(r, ref, "k", same_bytes=False)


# ---- RESTORE's options and side effects ----------------------------------------

@test
def restore_ttl_replace_absttl():
    r, ref = both()
    for x in (r, ref):
        x.set("src", "value")
        p = x.dump("src")
        assert_eq(x.restore("a", 5000, p), b"OK")
        assert 4000 < x.pttl("a") <= 5000
        assert_eq(x.restore("b", 0, p), b"OK")
        assert_eq(x.pttl("b"), -1)
        assert_raises_text(lambda: x.restore("b", 0, p),
                           "BUSYKEY Target key name already exists.")
        assert_eq(x.restore("b", 0, p, replace=True), b"OK")
        when = x.time()[0] * 1000 + 100000
        assert_eq(x.restore("c", when, p, absttl=True), b"OK")
        assert 90000 < x.pttl("c") <= 100000
        # An absolute time already past: OK, and nothing stored; with
        # REPLACE the old value goes.
        assert_eq(x.restore("d", 1, p, absttl=True), b"OK")
        assert_eq(x.exists("d"), 0)
        assert_eq(x.restore("b", 1, p, absttl=True, replace=True),
                  b"OK")
        assert_eq(x.exists("b"), 0)
        # REPLACE over another type, with a TTL.
        x.rpush("l", "x")
        x.expire("l", 1000)
        assert_eq(x.restore("l", 0, p, replace=True), b"OK")
        assert_eq((x.type("l"), x.ttl("l")), (b"string", -1))


@test
def restore_idletime_and_freq():
    r, ref = both()
    for x in (r, ref):
        x.set("src", "v")
        p = x.dump("src")
        x.restore("a", 0, p, idletime=100)
        assert 100 <= x.object("idletime", "a") <= 102
        x.restore("b", 0, p, frequency=20)     # ignored under LRU
        x.config_set("maxmemory-policy", "allkeys-lfu")
        x.restore("c", 0, p, frequency=20)
        assert_eq(x.object("freq", "c"), 20)
        x.restore("d", 0, p, idletime=5)       # ignored under LFU
        x.config_set("maxmemory-policy", "noeviction")


@test
def restore_events():
    s = h.shared_server()
    r = s.client()
    r.flushall()
    r.config_set("notify-keyspace-events", "Egn")
    ev = h.KeyEvents(s)
    r.set("src", "v")
    p = r.dump("src")
    ev.collect(r)
    r.restore("k", 0, p)
    r.restore("k", 0, p, replace=True)
    r.restore("k", 1, p, replace=True, absttl=True)
    r.restore("n", 1, p, absttl=True)
    assert_eq(ev.keyevents(r),
              [("new", "k"), ("restore", "k"), ("new", "k"),
               ("restore", "k"), ("del", "k")])
    ev.close()
    r.config_set("notify-keyspace-events", "")


@test
def restore_touches_watched_key():
    r = h.flushed()
    r.set("src", "v")
    p = r.dump("src")
    r.set("k", "old")
    with h.shared_server().client() as w:
        pipe = w.pipeline()
        pipe.watch("k")
        r.restore("k", 0, p, replace=True)
        pipe.multi()
        pipe.get("k")
        try:
            pipe.execute()
            raise AssertionError("EXEC ran after RESTORE touched the key")
        except Exception as e:
            assert "Watched variable changed" in str(e), e


@test
def restore_invalidates_tracked_key():
    r = h.flushed()
    r.set("k", "old")
    r.set("src", "new")
    p = r.dump("src")
    with h.shared_server().conn() as c:
        c.call("HELLO", "3")
        c.call("CLIENT", "TRACKING", "on")
        c.call("GET", "k")
        r.restore("k", 0, p, replace=True)
        assert_eq(h.parse(c.read_raw()), [b"invalidate", [b"k"]])
        assert_eq(h.parse(c.call("GET", "k")), b"new")


@test
def restore_denied_over_maxmemory():
    r, ref = both()
    for x in (r, ref):
        x.set("src", "v")
        p = x.dump("src")
        x.config_set("maxmemory", 1)
        assert_raises_text(lambda: x.restore("k", 0, p),
                           "OOM command not allowed")
        x.config_set("maxmemory", 0)
        assert_eq(x.exists("k"), 0)


@test
def dump_missing_and_errors():
    r, ref = both()
    bad = [seal(b"\x07" + rstr("x")),                 # unknown type
           seal(b"\x04" + rlen(0)),                   # empty hash
           seal(b"\x02" + rlen(2) + rstr("a") + rstr("a")),   # dup member
           seal(b"\x04" + rlen(2) + rstr("a") + rstr("1") + rstr("a") +
                rstr("2")),
           seal(b"\x10" + rstr(listpack(["a", 1, "b"]))),     # odd hash
           seal(b"\x10" + rstr(listpack(["a", 1, "a", 2]))),  # dup field
           seal(b"\x11" + rstr(listpack([]))),                # empty zset
           seal(b"\x0b" + rstr(intset([1, 1]))),              # unsorted
           seal(b"\x0b" + rstr(intset([]))),
           seal(b"\x12" + rlen(1) + b"\x03" + rstr("x")),      # container
           seal(b"\x12" + rlen(0)),
           seal(b"\x00" + rlen(10) + b"abc"),                 # short
           seal(b"\x00" + b"\xc3" + rlen(3) + rlen(200) + b"abc"),  # lzf
           seal(b"\x00" + rstr("a"), version=11)]
    for x in (r, ref):
        assert_eq(x.dump("missing"), None)
    for p in bad:
        got = []
        for x in (r, ref):
            try:
                got.append(x.restore("k", 0, p))
            except Exception as e:
                got.append(str(e))
        assert_eq(got[0], got[1], p.hex())
        assert_eq(content(r, "k"), content(ref, "k"), p.hex())
        r.delete("k")
        ref.delete("k")


# ---- What tests/fuzz/fuzz_restore.c found, and hostile lengths -----------------

def stream_with_pel(consumers):
    """Stream 1-1, 2-1 whose group g has 1-1 and 2-1 pending, claimed by
    consumers [(name, [ms of the IDs])]."""
    sid = lambda ms: struct.pack(">QQ", ms, 1)  # noqa: E731
    lp = listpack([2, 0, 1, "f", 0, 2, 0, 0, 0, 4, 2, 1, 0, 1, 4])
    out = (b"\x13" + rlen(1) + rstr(sid(1)) + rstr(lp) + rlen(2) + rlen(2) +
           rlen(1) + rlen(1) + rlen(1) + rlen(0) + rlen(0) + rlen(2) +
           rlen(1) + rstr("g") + rlen(2) + rlen(1) + rlen(2) + rlen(2))
    for ms in (1, 2):
        out += sid(ms) + struct.pack("<q", 1000) + rlen(1)
    out += rlen(len(consumers))
    for name, ids in consumers:
        out += (rstr(name) + struct.pack("<q", 1000) + rlen(len(ids)) +
                b"".join(sid(ms) for ms in ids))
    return seal(out)


def huge(n):
    """An RDB length of n (2^32 and up)."""
    return b"\x81" + struct.pack(">Q", n)


@test
def restore_fuzz_findings():
    r, ref = both()
    empty_lp = struct.pack("<IH", 7, 0) + b"\xff"
    cases = [
        # A stream node with an empty listpack (read a NULL array).
        seal(b"\x13" + rlen(1) + rstr(struct.pack(">QQ", 1, 1)) +
             rstr(empty_lp) + bytes(20)),
        # A PEL ID two consumers claim; one claimed twice; one nobody.
        stream_with_pel([("a", [1, 2]), ("b", [2])]),
        stream_with_pel([("a", [1, 2, 1])]),
        stream_with_pel([("a", [1])]),
        # An empty plain quicklist node.
        seal(b"\x12" + rlen(1) + b"\x01" + rstr("")),
        # 2^40 as a string's length, an LZF plain length, counts.
        seal(b"\x00" + huge(1 << 40) + b"abc"),
        seal(b"\x00\xc3" + rlen(5) + huge(1 << 40) + b"\x00abcde"),
        seal(b"\x01" + huge(1 << 40) + rstr("a")),
        seal(b"\x12" + huge(1 << 40) + b"\x01" + rstr("a")),
        seal(b"\x13" + huge(1 << 40)),
        seal(b"\x12\x01\x02" + rstr(struct.pack("<IH", 15, 1) +
                                    b"\xf0\xff\xff\xff\xff" + b"ab\xff")),
        # NaN scores (text, binary).
        seal(b"\x03" + rlen(1) + rstr("a") + b"\x03nan"),
        seal(b"\x05" + rlen(1) + rstr("a") + struct.pack("<d", float("nan"))),
    ]
    for p in cases:
        for x in (r, ref):
            assert_raises_text(lambda: x.restore("k", 0, p),
                               "Bad data format")
            assert_eq(x.exists("k"), 0, p.hex())
            assert_eq(x.ping(), True)
    p = stream_with_pel([("a", [1]), ("b", [2])])
    for x in (r, ref):
        assert_eq(x.restore("k", 0, p), b"OK")
    assert_eq(content(r, "k"), content(ref, "k"))


@test(respite_only=True, reason="Redis 7.0 has no hash field TTLs")
def restore_field_deadlines_redis_refuses():
    """Redis 7.4 refuses a field deadline past 2^48 - 1, and in a
    listpack deadlines that shrink or follow a field without one."""
    r = h.flushed()

    def lpex(items):
        return seal(b"\x19" + bytes(8) + rstr(listpack(items)), version=12)

    for p in (seal(b"\x18" + bytes([1, 1, 1, 1, 3, 1, 1, 1]) + rlen(1) +
                   rlen(1) + rstr("\x01") + rstr("\x01"), version=12),
              lpex(["a", "1", 2 ** 48]), lpex(["a", "1", 5, "b", "2", 3]),
              lpex(["a", "1", 0, "b", "2", 3])):
        assert_raises_text(lambda: r.restore("k", 0, p), "Bad data format")
        assert_eq(r.exists("k"), 0)
    assert_eq(r.ping(), True)
    assert_eq(r.restore("k", 0, lpex(["a", "1", 2 ** 48 - 1])), b"OK")
    assert_eq(r.execute_command("HPEXPIRETIME", "k", "FIELDS", 1, "a"),
              [2 ** 48 - 1])


# ---- Fuzz ----------------------------------------------------------------------

def fuzz_values(x, rnd):
    """Builds one value of each type at key k<i> on x, from rnd."""
    cmds = []
    n = rnd.randint(1, 200)
    cmds.append(("SET", "k0", rnd.choice(["12", "x" * rnd.randint(0, 90),
                                          "-70000"])))
    cmds.append(("HSET", "k1", *fields(rnd.randint(1, 20))))
    cmds.append(("SADD", "k2", *[str(rnd.randint(-99999, 99999))
                                 for _ in range(rnd.randint(1, 30))]))
    cmds.append(("ZADD", "k3", *sum([[str(rnd.random() * 100), "m%d" % i]
                                     for i in range(rnd.randint(1, 20))],
                                    [])))
    cmds.append(("RPUSH", "k4", *["e%d" % (i * rnd.randint(1, 9))
                                  for i in range(n)]))
    for i in range(rnd.randint(1, 12)):
        cmds.append(("XADD", "k5", "%d-1" % (i + 1), "f", str(i),
                     *(["g", "x"] if i % 3 == 0 else [])))
    cmds.append(("XGROUP", "CREATE", "k5", "g", "0"))
    cmds.append(("XREADGROUP", "GROUP", "g", "c", "COUNT", "2", "STREAMS",
                 "k5", ">"))
    for c in cmds:
        x.execute_command(*c)


def mutate(p, rnd):
    """A changed copy of payload p, its checksum fixed up (mostly)."""
    body = bytearray(p[:-10])
    kind = rnd.randrange(4)
    if kind == 0 and len(body) > 1:
        body = body[:rnd.randrange(1, len(body))]
    elif kind == 1:
        for _ in range(rnd.randint(1, 3)):
            body[rnd.randrange(len(body))] = rnd.randrange(256)
    elif kind == 2:
        i = rnd.randrange(len(body))
        body[i] ^= 1 << rnd.randrange(8)
    else:
        i = rnd.randrange(len(body))
        body[i:i] = bytes(rnd.randrange(256) for _ in range(rnd.randint(1,
                                                                        4)))
    out = seal(bytes(body))
    if rnd.random() < 0.05:
        out = out[:-1] + bytes([out[-1] ^ 0xFF])
    return out


def sid(i):
    ms, seq = i.split(b"-")
    return int(ms), int(seq)


def broken_on_reference(ref):
    """True when the reference accepted a value that breaks its type's
    invariants, which Respite can not hold: a sorted set out of order (a
    listpack's scores corrupted), or a stream whose IDs do not grow or
    pass its last ID, or whose length or recorded first ID are not what
    its entries say (Redis 7.0 does not check them). Respite sorts the
    one, refuses the other, and counts the entries it holds (see the
    README)."""
    t = ref.type("t")
    if t == b"zset":
        v = ref.zrange("t", 0, -1, withscores=True)
        return v != sorted(v, key=lambda x: (x[1], x[0]))
    if t == b"stream":
        ids = [sid(e[0]) for e in ref.xrange("t")]
        info = ref.execute_command("XINFO", "STREAM", "t")
        info = dict(zip(info[::2], info[1::2]))
        last = sid(info[b"last-generated-id"])
        first = sid(info[b"recorded-first-entry-id"])
        return (ids != sorted(set(ids)) or (ids and ids[-1] > last) or
                (0, 0) in ids or first != (ids[0] if ids else (0, 0)) or
                info[b"length"] != len(ids) or
                info[b"entries-added"] < len(ids))
    return False


def restore_reply(x, p):
    try:
        return x.restore("t", 0, p, replace=True)
    except Exception:
        return "error"


@test
def fuzz_corrupted_payloads():
    r, ref = both()
    rnd = random.Random(20261127)
    fuzz_values(ref, rnd)
    payloads = [ref.dump("k%d" % i) for i in range(6)]
    mismatches = []
    skipped = 0
    for round_ in range(3000):
        p = mutate(rnd.choice(payloads), rnd)
        a, b = restore_reply(r, p), restore_reply(ref, p)
        if b == b"OK" and broken_on_reference(ref):
            skipped += 1
            continue
        if a != b:
            mismatches.append((p.hex(), a, b))
            continue
        if a == b"OK":
            ca, cb = content(r, "t"), content(ref, "t")
            if ca != cb:
                mismatches.append((p.hex(), ca, cb))
    assert_eq(mismatches[:3], [], "%d mismatches" % len(mismatches))
    assert skipped < 100, skipped
    assert_eq(r.ping(), True)


if __name__ == "__main__":
    h.run()
