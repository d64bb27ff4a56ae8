#!/usr/bin/python3
"""Bitmaps through redis-py: SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD
BITFIELD_RO used the way applications use them.

Covers: a daily-active-users bitmap (one bit per user id and day, weekly
actives and retention with BITOP, the first active id with BITPOS, every
byte checked against a model); feature flags (set and clear, BITCOUNT
over BIT ranges for a segment of ids); BITFIELD counters (u8 saturating,
i16 wrapping, u4 failing, '#' offsets, BITFIELD_RO reading them back);
growth to a 1 MiB bitmap with zero bytes; the keyspace events SETBIT,
BITFIELD and BITOP send (none for a write that changes nothing);
WATCH aborted by a change from another client and not by a no-op;
keyspace hits and misses; and a seeded random walk of every command
against a bytearray model. Every test but the last passes on redis-server
7.0 too (RESPITE_BIN=/usr/bin/redis-server), which is where the expected
behaviour comes from; the last is Respite's limit on a string's size."""

import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, assert_raises_text, test  # noqa: E402


def bitmap(ids):
    """The bytes Redis holds after SETBIT of each id to 1."""
    if not ids:
        return b""
    out = bytearray(max(ids) // 8 + 1)
    for i in ids:
        out[i // 8] |= 0x80 >> (i % 8)
    return bytes(out)


def bitfield_ro(r, key, *fields):
    """BITFIELD_RO key GET type offset ... for (type, offset) fields
    (redis-py 4.3 has no method for it)."""
    args = []
    for t, off in fields:
        args += ["GET", t, off]
    return r.execute_command("BITFIELD_RO", key, *args)


@test
def daily_active_users():
    r = h.flushed()
    rnd = random.Random(7)
    days = {}
    for d in range(7):
        ids = set(rnd.sample(range(100000), 3000))
        days[d] = ids
        p = r.pipeline(transaction=False)
        for i in ids:
            p.setbit("dau:%d" % d, i, 1)
        replies = p.execute()
        assert_eq(set(replies), {0}, "first visits set new bits")
    # A repeat visit is a no-op that reports the bit already set.
    some = next(iter(days[0]))
    assert_eq(r.setbit("dau:0", some, 1), 1)
    for d, ids in days.items():
        assert_eq(r.get("dau:%d" % d), bitmap(ids), "day %d bytes" % d)
        assert_eq(r.bitcount("dau:%d" % d), len(ids))
        assert_eq(r.getbit("dau:%d" % d, min(ids)), 1)
        assert_eq(r.bitpos("dau:%d" % d, 1), min(ids))
    keys = ["dau:%d" % d for d in range(7)]
    week = set().union(*days.values())
    every_day = set.intersection(*days.values())
    assert_eq(r.bitop("OR", "week", *keys), (max(week) // 8) + 1)
    assert_eq(r.bitcount("week"), len(week))
    assert_eq(r.bitop("AND", "loyal", *keys), (max(week) // 8) + 1)
    assert_eq(r.bitcount("loyal"), len(every_day))
    # Retention: active on day 0 and day 1, or on day 1 only.
    r.bitop("AND", "ret", "dau:0", "dau:1")
    assert_eq(r.bitcount("ret"), len(days[0] & days[1]))
    # NOT is as long as its source, so AND drops ids past day 0's last
    # byte: new users are counted up to there.
    r.bitop("NOT", "not0", "dau:0")
    r.bitop("AND", "new1", "dau:1", "not0")
    end0 = len(r.get("dau:0")) * 8
    assert_eq(r.bitcount("new1"),
              len([i for i in days[1] - days[0] if i < end0]))
    r.bitop("XOR", "churn", "dau:0", "dau:1")
    assert_eq(r.bitcount("churn"), len(days[0] ^ days[1]))
    # Users 8000..15999 are bytes 1000..1999.
    assert_eq(r.bitcount("week", 1000, 1999),
              len([i for i in week if 8000 <= i < 16000]))
    assert_eq(r.bitcount("week", 8003, 15998, "BIT"),
              len([i for i in week if 8003 <= i <= 15998]))


@test
def feature_flags():
    r = h.flushed()
    beta = [3, 17, 64, 65, 1000]
    for uid in beta:
        r.setbit("flag:beta", uid, 1)
    assert_eq([r.getbit("flag:beta", u) for u in (3, 4, 64, 999, 1000, 10**6)],
              [1, 0, 1, 0, 1, 0])
    assert_eq(r.setbit("flag:beta", 64, 0), 1, "opting out clears the bit")
    assert_eq(r.bitcount("flag:beta"), 4)
    assert_eq(r.bitcount("flag:beta", 0, 63, "BIT"), 2)
    assert_eq(r.bitpos("flag:beta", 1, 4, -1, "BIT"), 17)
    assert_eq(r.bitpos("flag:beta", 0), 0)
    assert_eq(r.bitpos("nobody", 1), -1)
    assert_eq(r.bitpos("nobody", 0), 0)
    # Everyone in the first 16 ids: the next free id is past the string
    # unless the range says where to stop.
    r.set("all", b"\xff\xff")
    assert_eq(r.bitpos("all", 0), 16)
    assert_eq(r.bitpos("all", 0, 0, -1), -1)
    assert_eq(r.bitpos("all", 0, 0, 15, "BIT"), -1)


@test
def bitfield_counters():
    r = h.flushed()
    rnd = random.Random(3)
    model = [0] * 32
    for _ in range(2000):
        i = rnd.randrange(32)
        by = rnd.randint(-40, 60)
        got = r.bitfield("hits").overflow("SAT").incrby("u8", "#%d" % i,
                                                      by).execute()
        model[i] = min(255, max(0, model[i] + by))
        assert_eq(got, [model[i]], "counter %d" % i)
    ro = bitfield_ro(r, "hits", *[("u8", "#%d" % i) for i in range(32)])
    assert_eq(ro, model)
    assert_eq(r.get("hits"), bytes(model))
    # i16 wraps by default.
    bf = r.bitfield("w")
    bf.set("i16", "#0", 32767).incrby("i16", "#0", 1).incrby("i16", "#0", -1)
    assert_eq(bf.execute(), [0, -32768, 32767])
    # FAIL leaves the field alone and replies nil; later ops still run.
    bf = r.bitfield("f").overflow("FAIL")
    bf.incrby("u4", 0, 15).incrby("u4", 0, 1).incrby("u4", 0, -15)
    bf.incrby("u4", 0, -1).get("u4", 0)
    assert_eq(bf.execute(), [15, None, 0, None, 0])
    assert_raises_text(lambda: r.execute_command("BITFIELD_RO", "f", "SET",
                                                 "u4", 0, 1),
                       "BITFIELD_RO only supports the GET subcommand")
    assert_raises_text(lambda: r.bitfield("f").get("u64", 0).execute(),
                       "Invalid bitfield type. Use something like i16 u8. "
                       "Note that u64 is not supported but i64 is.")


@test
def growth_with_zero_bytes():
    r = h.flushed()
    r.set("k", "a")
    assert_eq(r.setbit("k", 8 * 1024 * 1024 - 1, 1), 0)
    v = r.get("k")
    assert_eq(len(v), 1024 * 1024)
    assert_eq(v[:1], b"a")
    assert_eq(v[1:-1].count(0), len(v) - 2, "zero bytes in between")
    assert_eq(v[-1:], b"\x01")
    assert_eq(r.bitcount("k"), 4)
    assert_eq(r.bitpos("k", 1, 1), 8 * 1024 * 1024 - 1)
    assert_raises_text(lambda: r.setbit("k", 2**32, 1),
                       "bit offset is not an integer or out of range")
    # redis-py turns any true value into 1, so this goes around it.
    assert_raises_text(lambda: r.execute_command("SETBIT", "k", 1, 2),
                       "bit is not an integer or out of range")


@test
def notifications():
    s = h.shared_server()
    r = h.flushed()
    r.config_set("notify-keyspace-events", "KEA")
    ev = h.KeyEvents(s, "__keyevent@0__:*")
    try:
        r.setbit("a", 3, 1)
        r.setbit("a", 3, 1)          # no change: no event
        r.setbit("a", 100, 0)        # grows: an event
        r.bitfield("b").incrby("u8", 0, 1).incrby("u8", 8, 1).execute()
        r.bitfield("b").overflow("FAIL").incrby("u8", 0, 300).execute()
        r.bitfield("b").get("u8", 0).execute()
        # Writes that leave every field as it was: no event.
        r.bitfield("b").set("u8", 0, 1).incrby("u8", 8, 0).execute()
        r.bitfield("b").incrby("i8", 0, 256).execute()      # wraps to 1
        r.bitop("OR", "c", "a", "b")
        r.bitop("AND", "c", "nosuch")
        r.bitop("AND", "c", "nosuch")
        assert_eq(ev.keyevents(r),
                  [("setbit", "a"), ("setbit", "a"), ("setbit", "b"),
                   ("set", "c"), ("del", "c")])
    finally:
        r.config_set("notify-keyspace-events", "")
        ev.close()


@test
def watch_sees_changes_only():
    r = h.flushed()
    other = h.shared_server().client()
    r.setbit("k", 5, 1)

    def txn(change):
        p = r.pipeline()
        p.watch("k")
        change()
        p.multi()
        p.getbit("k", 5)
        try:
            return p.execute()
        except Exception as e:  # redis-py's WatchError
            return type(e).__name__

    assert_eq(txn(lambda: other.setbit("k", 5, 1)), [1], "no-op SETBIT")
    assert_eq(txn(lambda: other.setbit("k", 5, 0)), "WatchError")
    assert_eq(txn(lambda: other.bitfield("k").incrby("u1", 5, 1).execute()),
              "WatchError")
    assert_eq(txn(lambda: other.bitfield("k").get("u8", 0).execute()), [1])
    assert_eq(txn(lambda: other.bitfield("k").set("u1", 5, 1).execute()),
              [1], "no-op BITFIELD SET")
    assert_eq(txn(lambda: other.bitop("OR", "k", "k")), "WatchError")


@test
def keyspace_hits_and_misses():
    r = h.flushed()
    r.set("k", "x")
    r.config_resetstat()
    r.getbit("k", 1)
    r.getbit("nosuch", 1)
    r.bitcount("k")
    r.bitpos("nosuch", 1)
    bitfield_ro(r, "k", ("u8", 0))
    r.bitop("OR", "d", "k", "nosuch")       # reads both sources
    r.setbit("k", 1, 1)                      # writes count neither
    r.bitfield("k").incrby("u8", 0, 1).execute()
    st = r.info("stats")
    assert_eq((st["keyspace_hits"], st["keyspace_misses"]), (4, 3))


@test
def random_against_model():
    """A seeded walk of every command on a few keys, checked against a
    bytearray per key."""
    r = h.flushed()
    rnd = random.Random(11)
    model = {}

    def bit(b, i):
        return (b[i // 8] >> (7 - i % 8)) & 1 if i // 8 < len(b) else 0

    def field(b, off, bits, signed):
        v = 0
        for i in range(bits):
            v = (v << 1) | bit(b, off + i)
        if signed and v >> (bits - 1):
            v -= 1 << bits
        return v

    def clip(start, end, total):
        start += total if start < 0 else 0
        end += total if end < 0 else 0
        start, end = max(start, 0), min(max(end, 0), total - 1)
        return start, end

    for step in range(3000):
        k = rnd.choice("abc")
        b = model.setdefault(k, bytearray())
        op = rnd.randrange(6)
        what = "step %d op %d key %s" % (step, op, k)
        if op == 0:
            off, v = rnd.randrange(400), rnd.randrange(2)
            old = bit(b, off)
            if off // 8 >= len(b):
                b.extend(bytes(off // 8 + 1 - len(b)))
            if v:
                b[off // 8] |= 0x80 >> (off % 8)
            else:
                b[off // 8] &= ~(0x80 >> (off % 8)) & 0xff
            assert_eq(r.setbit(k, off, v), old, what)
        elif op == 1:
            off = rnd.randrange(500)
            assert_eq(r.getbit(k, off), bit(b, off), what)
        elif op == 2:
            unit = rnd.choice(["BYTE", "BIT"])
            total = len(b) * (8 if unit == "BIT" else 1)
            s, e = rnd.randint(-60, 60), rnd.randint(-60, 60)
            want = 0
            if not (s < 0 and e < 0 and s > e) and total:
                lo, hi = clip(s, e, total)
                if unit == "BYTE":
                    lo, hi = lo * 8, hi * 8 + 7
                want = sum(bit(b, i) for i in range(lo, hi + 1))
            assert_eq(r.bitcount(k, s, e, unit), want, what)
        elif op == 3:
            v = rnd.randrange(2)
            unit = rnd.choice(["BYTE", "BIT"])
            total = len(b) * (8 if unit == "BIT" else 1)
            s, e = rnd.randint(-60, 60), rnd.randint(-60, 60)
            want = -1
            if k in model and total:
                lo, hi = clip(s, e, total)
                if unit == "BYTE":
                    lo, hi = lo * 8, hi * 8 + 7
                for i in range(lo, hi + 1):
                    if bit(b, i) == v:
                        want = i
                        break
            elif not total:
                want = -1
            got = r.bitpos(k, v, s, e, unit)
            if not r.exists(k):
                want = -1 if v else 0
            assert_eq(got, want, what)
        elif op == 4:
            signed = rnd.randrange(2)
            bits = rnd.randint(1, 64 if signed else 63)
            off = rnd.randrange(300)
            t = ("i" if signed else "u") + str(bits)
            got = bitfield_ro(r, k, (t, off))
            assert_eq(got, [field(b, off, bits, signed)], what)
        else:
            signed = rnd.randrange(2)
            bits = rnd.randint(1, 64 if signed else 63)
            off = rnd.randrange(300)
            t = ("i" if signed else "u") + str(bits)
            lo = -(1 << (bits - 1)) if signed else 0
            hi = (1 << (bits - 1)) - 1 if signed else (1 << bits) - 1
            val = rnd.randint(lo, hi)
            old = field(b, off, bits, signed)
            need = (off + bits - 1) // 8 + 1
            if need > len(b):
                b.extend(bytes(need - len(b)))
            raw = val & ((1 << bits) - 1)
            for i in range(bits):
                j = off + i
                if (raw >> (bits - 1 - i)) & 1:
                    b[j // 8] |= 0x80 >> (j % 8)
                else:
                    b[j // 8] &= ~(0x80 >> (j % 8)) & 0xff
            assert_eq(r.bitfield(k).set(t, off, val).execute(), [old], what)
        if k in model and r.exists(k):
            assert_eq(r.get(k), bytes(model[k]), what + " value")


@test(respite_only=True,
      reason="Redis would allocate past 512 MB; Respite caps a string there")
def string_size_cap():
    r = h.flushed()
    r.config_set("proto-max-bulk-len", "1gb")
    try:
        assert_raises_text(lambda: r.setbit("k", 512 * 1024 * 1024 * 8, 1),
                           "string exceeds maximum allowed size "
                           "(proto-max-bulk-len)")
        assert_eq(r.exists("k"), 0)
        assert_raises_text(
            lambda: r.bitfield("k").set("i64", 512 * 1024 * 1024 * 8 - 8,
                                        1).execute(),
            "string exceeds maximum allowed size (proto-max-bulk-len)")
        assert_eq(r.getbit("k", 512 * 1024 * 1024 * 8 + 5), 0)
    finally:
        r.config_set("proto-max-bulk-len", "512mb")


if __name__ == "__main__":
    h.run()
