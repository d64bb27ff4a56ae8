#!/usr/bin/python3
"""Sorted sets through redis-py against a real server.

Scenarios: a leaderboard (ZINCRBY, ZREVRANGE WITHSCORES, ZREVRANK,
ZSCORE, ZCOUNT), a delay queue (ZADD by due time, workers take due jobs
with ZRANGEBYSCORE + ZREM so each job runs once), a sliding-window rate
limiter on a sorted set inside MULTI (ZREMRANGEBYSCORE, ZADD, ZCARD,
EXPIRE), BZPOPMIN woken by a ZADD from another client, random operations
checked against a Python model across the compact-to-skip-list
conversion, ZUNIONSTORE / ZINTERSTORE with weights against the model,
ZSCAN completeness, TYPE / SCAN TYPE / COPY / RENAME, WATCH, BZPOPMAX
woken by ZUNIONSTORE, the keyspace events of each write, and random
traffic replayed on redis-server side by side, compared byte for byte.
"""

import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, assert_raises_text, test  # noqa: E402


@test
def leaderboard():
    r = h.flushed(decode_responses=True)
    rnd = random.Random(3)
    model = {}
    for _ in range(2000):
        player = "player:%d" % rnd.randrange(300)
        pts = rnd.randrange(1, 50)
        model[player] = model.get(player, 0) + pts
        got = r.zincrby("board", pts, player)
        assert_eq(got, float(model[player]), "ZINCRBY")
    # ZREVRANGE orders equal scores by member descending.
    ranking = sorted(model.items(), key=lambda kv: (kv[1], kv[0]),
                     reverse=True)
    top = r.zrevrange("board", 0, 9, withscores=True)
    assert_eq(top, [(p, float(s)) for p, s in ranking[:10]], "top 10")
    for i, (p, s) in enumerate(ranking[:50]):
        assert_eq(r.zrevrank("board", p), i, "ZREVRANK " + p)
        assert_eq(r.zscore("board", p), float(s), "ZSCORE")
    assert_eq(r.zcard("board"), len(model))
    assert_eq(r.zcount("board", 100, "+inf"),
              sum(1 for s in model.values() if s >= 100), "ZCOUNT")
    page = r.zrange("board", "+inf", "-inf", byscore=True, desc=True,
                    offset=10, num=10, withscores=True)
    assert_eq(page, [(p, float(s)) for p, s in ranking[10:20]], "page 2")


@test
def delay_queue():
    r = h.flushed(decode_responses=True)
    now = 1_000_000
    for i in range(300):
        r.zadd("delayed", {"job:%d" % i: now + (i * 37) % 1000})
    done = []

    def worker(t):
        c = h.shared_server().client(decode_responses=True)
        while True:
            due = c.zrangebyscore("delayed", "-inf", t, start=0, num=5)
            if not due:
                return
            for job in due:
                if c.zrem("delayed", job) == 1:   # whoever removes it runs it
                    done.append(job)

    threads = [threading.Thread(target=worker, args=(now + 500,))
               for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    want = {"job:%d" % i for i in range(300) if (i * 37) % 1000 <= 500}
    assert_eq(len(done), len(set(done)), "each job ran once")
    assert_eq(set(done), want, "due jobs")
    assert_eq(r.zcard("delayed"), 300 - len(want), "left")
    assert_eq(r.zrangebyscore("delayed", "-inf", now + 500), [], "none due")


def limiter(r, key, now_ms, window_ms, limit, req_id):
    p = r.pipeline(transaction=True)
    p.zremrangebyscore(key, "-inf", "(%d" % (now_ms - window_ms))
    p.zadd(key, {req_id: now_ms})
    p.zcard(key)
    p.pexpire(key, window_ms)
    _, _, count, _ = p.execute()
    return count <= limit


@test
def sliding_window_limiter_in_multi():
    r = h.flushed(decode_responses=True)
    allowed = []
    for i in range(30):
        t = 10_000 + i * 100        # a request every 100 ms
        allowed.append(limiter(r, "rl:user", t, 1000, 5, "req:%d" % i))
    # The first 5 pass; then each window of 1000 ms holds 10 requests.
    assert_eq(allowed[:6], [True] * 5 + [False], "first window")
    assert_eq(sum(allowed), 5, "nothing else fits")
    assert_eq(r.zcard("rl:user"), 11, "window kept")   # (t-1000, t]
    assert 0 < r.pttl("rl:user") <= 1000
    # The transaction runs as one: the sorted set is never seen half done.
    p = r.pipeline(transaction=True)
    p.zadd("z", {"a": 1}).zadd("z", {"a": 2}, xx=True).zscore("z", "a")
    assert_eq(p.execute(), [1, 0, 2.0], "MULTI")


@test
def bzpopmin_woken_by_zadd():
    srv = h.shared_server()
    r = h.flushed(decode_responses=True)
    bg = h.Bg(lambda c: c.bzpopmin(["q1", "q2"], timeout=5),
              decode_responses=True)
    h.wait_blocked(r, 1)
    assert_eq(r.zadd("q2", {"b": 2, "a": 1}), 2)
    assert_eq(bg.get(), ("q2", "a", 1.0), "woken")
    assert_eq(r.zrange("q2", 0, -1), ["b"], "one popped")
    # Timeout: None after about the timeout.
    c = srv.client(decode_responses=True)
    t0 = time.time()
    assert_eq(c.bzpopmax("nosuch", timeout=0.2), None, "timeout")
    assert time.time() - t0 >= 0.15
    # A present key answers at once, highest first for BZPOPMAX.
    r.zadd("q3", {"x": 1, "y": 9})
    assert_eq(c.bzpopmax("q3", timeout=1), ("q3", "y", 9.0))


@test
def random_ops_against_model():
    r = h.flushed(decode_responses=True)
    rnd = random.Random(11)
    model = {}

    def ordered():
        return sorted(model.items(), key=lambda kv: (kv[1], kv[0]))

    for step in range(3000):
        m = "m%d" % rnd.randrange(400)
        op = rnd.randrange(10)
        if op < 6:
            sc = rnd.randrange(-50, 50) / rnd.choice([1, 2, 4])
            added = r.zadd("z", {m: sc})
            assert_eq(added, 0 if m in model else 1, "ZADD")
            model[m] = sc
        elif op < 8:
            assert_eq(r.zrem("z", m), 1 if m in model else 0, "ZREM")
            model.pop(m, None)
        else:
            lo = rnd.randrange(-50, 50)
            hi = lo + rnd.randrange(30)
            want = [k for k, v in ordered() if lo < v <= hi]
            assert_eq(r.zrangebyscore("z", "(%d" % lo, hi), want,
                      "ZRANGEBYSCORE")
            assert_eq(r.zcount("z", "(%d" % lo, hi), len(want), "ZCOUNT")
        if step % 250 == 0:
            o = ordered()
            assert_eq(r.zrange("z", 0, -1, withscores=True),
                      [(k, float(v)) for k, v in o], "whole set")
            if o:
                k = rnd.randrange(len(o))
                assert_eq(r.zrank("z", o[k][0]), k, "ZRANK")
    # Past 128 members the encoding changed; answers did not.
    assert len(model) > 128
    o = ordered()
    assert_eq(r.zrange("z", 0, -1, withscores=True),
              [(k, float(v)) for k, v in o], "final")
    assert_eq(r.zrevrange("z", 0, 4), [k for k, _ in o[::-1][:5]])
    n = r.zremrangebyrank("z", 0, 99)
    assert_eq(n, 100)
    assert_eq(r.zrange("z", 0, -1), [k for k, _ in o[100:]], "after trim")


@test
def conversion_past_128():
    r = h.flushed(decode_responses=True)
    r.zadd("z", {"m%03d" % i: i for i in range(128)})
    assert_eq(r.zrange("z", 0, 2), ["m000", "m001", "m002"])
    r.zadd("z", {"m128": 0.5})
    assert_eq(r.zrange("z", 0, 2), ["m000", "m128", "m001"], "skip list")
    assert_eq(r.zrank("z", "m127"), 128)
    assert_eq(r.zscore("z", "m128"), 0.5)
    long_member = "x" * 100
    r.zadd("y", {"a": 1, long_member: 2})
    assert_eq(r.zrange("y", 0, -1), ["a", long_member])


@test
def union_inter_against_model():
    r = h.flushed(decode_responses=True)
    rnd = random.Random(5)
    a = {"e%d" % i: rnd.randrange(100) for i in range(0, 300, 2)}
    b = {"e%d" % i: rnd.randrange(100) for i in range(0, 300, 3)}
    s = {"e%d" % i for i in range(0, 300, 5)}
    r.zadd("a", a)
    r.zadd("b", b)
    r.sadd("s", *s)
    n = r.zunionstore("u", {"a": 2, "b": 3, "s": 1})
    want = {}
    for src, w in ((a, 2), (b, 3), ({m: 1 for m in s}, 1)):
        for m, v in src.items():
            want[m] = want.get(m, 0) + v * w
    assert_eq(n, len(want))
    assert_eq(dict(r.zrange("u", 0, -1, withscores=True)),
              {m: float(v) for m, v in want.items()}, "ZUNIONSTORE")
    n = r.zinterstore("i", ["a", "b"], aggregate="MAX")
    want = {m: max(a[m], b[m]) for m in a if m in b}
    assert_eq(n, len(want))
    assert_eq(dict(r.zrange("i", 0, -1, withscores=True)),
              {m: float(v) for m, v in want.items()}, "ZINTERSTORE MAX")
    assert_eq(r.zinterstore("i", ["a", "nosuch"]), 0)
    assert_eq(r.exists("i"), 0, "empty result deletes")
    assert_eq(set(r.zdiff(["a", "b"])), {m for m in a if m not in b})


@test
def zscan_is_complete():
    r = h.flushed(decode_responses=True)
    members = {"m%d" % i: i * 1.5 for i in range(1000)}
    r.zadd("z", members)
    got = dict(r.zscan_iter("z", count=20))
    assert_eq(got, members, "ZSCAN")
    got = dict(r.zscan_iter("z", match="m99*"))
    assert_eq(set(got), {m for m in members if m.startswith("m99")}, "MATCH")
    r.zadd("small", {"a": 1, "b": 2.5})
    assert_eq(r.zscan("small", 0), (0, [("a", 1.0), ("b", 2.5)]))


@test
def keys_commands():
    r = h.flushed(decode_responses=True)
    r.zadd("z", {"a": 1, "b": 2})
    r.set("str", "v")
    assert_eq(r.type("z"), "zset")
    assert_eq(list(r.scan_iter(_type="zset")), ["z"], "SCAN TYPE")
    assert_eq(r.copy("z", "z2"), True)
    r.zadd("z2", {"c": 3})
    assert_eq(r.zcard("z"), 2, "COPY is deep")
    r.rename("z2", "z3")
    assert_eq(r.zrange("z3", 0, -1), ["a", "b", "c"])
    assert_raises_text(lambda: r.zadd("str", {"a": 1}), "WRONGTYPE")
    assert_raises_text(lambda: r.get("z"), "WRONGTYPE")
    r.expire("z3", 100)
    assert 0 < r.ttl("z3") <= 100
    assert_eq(r.delete("z", "z3"), 2)


@test
def watch_sees_zset_writes():
    import redis
    r = h.flushed(decode_responses=True)
    other = h.shared_server().client(decode_responses=True)
    for write in (lambda: other.zincrby("z", 1, "a"),
                  lambda: other.zrem("z", "b"),
                  lambda: other.zpopmin("z"),
                  lambda: other.zremrangebyscore("z", "-inf", "+inf"),
                  lambda: other.zunionstore("z", ["src"])):
        r.zadd("z", {"a": 1, "b": 2})
        r.zadd("src", {"x": 1})
        with r.pipeline() as p:
            p.watch("z")
            write()
            p.multi()
            p.zadd("z", {"c": 3})
            try:
                p.execute()
                raise AssertionError("EXEC ran after a write to z")
            except redis.WatchError:
                pass
    # A no-op write (ZADD NX of a present member) does not touch WATCH.
    r.zadd("z", {"a": 1})
    with r.pipeline() as p:
        p.watch("z")
        other.zadd("z", {"a": 5}, nx=True)
        p.multi()
        p.zcard("z")
        assert_eq(p.execute(), [r.zcard("z")])


@test
def bzpopmin_woken_by_zunionstore_and_other_keys():
    r = h.flushed(decode_responses=True)
    bg = h.Bg(lambda c: c.bzpopmax(["k1", "k2"], timeout=5),
              decode_responses=True)
    h.wait_blocked(r, 1)
    r.set("k1", "now a string")          # not a set: keeps waiting
    r.zadd("src", {"m": 7})
    r.zunionstore("k2", ["src"])
    assert_eq(bg.get(), ("k2", "m", 7.0), "served from k2")
    assert_eq(r.exists("k2"), 0, "emptied")


@test
def events():
    srv = h.shared_server()
    r = h.flushed()
    r.config_set("notify-keyspace-events", "KEA")
    ev = h.KeyEvents(srv, "__keyevent@0__:*")
    r.zadd("z", {"a": 1, "b": 2})
    r.zincrby("z", 1, "a")
    r.zadd("z", {"a": 5}, nx=True)       # no change: no event
    r.zrem("z", "a")
    r.zpopmin("z")                         # emptied: zpopmin, del
    r.zadd("z", {"a": 1, "b": 2, "c": 3})
    r.zremrangebyscore("z", 0, 1)
    r.zremrangebyrank("z", 0, 0)
    r.zremrangebylex("z", "-", "+")
    r.zadd("a", {"x": 1})
    r.zunionstore("u", ["a"])
    r.zinterstore("u", ["a", "nosuch"])   # empty: del of u
    r.zrangestore("d", "a", 0, -1)
    want = ["zadd:z", "zincr:z", "zrem:z", "zpopmin:z", "del:z", "zadd:z",
            "zremrangebyscore:z", "zremrangebyrank:z", "zremrangebylex:z",
            "del:z", "zadd:a", "zunionstore:u", "del:u", "zrangestore:d"]
    got = ["%s:%s" % e for e in ev.keyevents(r)]
    assert_eq(got, want, "events")
    r.config_set("notify-keyspace-events", "")
    ev.close()


# ---------------------------------------------------------------------------
# Differential test: random sorted-set traffic on Respite and on Debian's
# redis-server side by side, raw replies compared byte for byte after
# every command, in RESP2 and RESP3. Lexicographic ranges run only on a
# key whose scores are all 0 (Redis's own answer over mixed scores can
# depend on its skip list's random levels); nothing random (ZRANDMEMBER)
# or hash-ordered (ZSCAN of a big set) is compared.
# ---------------------------------------------------------------------------

REF_BIN = os.environ.get("REDIS_REF_BIN", "/usr/bin/redis-server")
MEMBERS = (["a", "b", "c", "d", "e", "f", "g", "aa", "ab", "", "x" * 70] +
           ["m%d" % i for i in range(150)])
KEYS = ["z", "z2", "y", "s"]


def random_command(rnd):
    def score():
        return rnd.choice(["0", "1", "-1", "1.5", "2", "3", "-inf", "+inf",
                           "inf", "0.1", "1e3", "(1", "x", "nan", "-0", "10",
                           str(rnd.randint(-20, 300)),
                           "%.3f" % rnd.uniform(-5, 5)])

    def bound():
        return rnd.choice(["-inf", "+inf", "(1", "1", "(0", "2", "(2.5", "5",
                           "100", "(-1", "x", "(", str(rnd.randint(-5, 200))])

    def lex():
        return rnd.choice(["-", "+", "[a", "(a", "[b", "(c", "[m5", "(m1",
                           "[", "(", "a", "[x", "[m99"])

    def idx():
        return str(rnd.choice([0, 1, 2, -1, -2, 5, 10, -100, 100, 150, -150,
                               3]))

    def limit():
        return ["LIMIT", idx(), idx()] if rnd.random() < .5 else []

    k = rnd.choice(KEYS)
    c = rnd.randrange(30)
    if c < 8:
        opts = [o for o in ["NX", "XX", "GT", "LT", "CH", "INCR"]
                if rnd.random() < 0.12]
        args = []
        for _ in range(1 if "INCR" in opts else rnd.randint(1, 6)):
            args += [score() if rnd.random() < .3
                     else str(rnd.randint(-3, 200)), rnd.choice(MEMBERS)]
        return ["ZADD", k] + opts + args
    ws = ["WITHSCORES"] if rnd.random() < .5 else []
    table = {
        8: lambda: ["ZINCRBY", k, score(), rnd.choice(MEMBERS)],
        9: lambda: ["ZREM", k] + rnd.sample(MEMBERS, 3),
        10: lambda: ["ZRANGE", k, idx(), idx()] + ws +
        (["REV"] if rnd.random() < .3 else []),
        11: lambda: [rnd.choice(["ZRANGEBYSCORE", "ZREVRANGEBYSCORE"]), k,
                     bound(), bound()] + ws + limit(),
        12: lambda: [rnd.choice(["ZRANGEBYLEX", "ZREVRANGEBYLEX"]), "L",
                     lex(), lex()] + limit(),
        13: lambda: ["ZCOUNT", k, bound(), bound()],
        14: lambda: (["ZLEXCOUNT", "L", lex(), lex()] if rnd.random() < .5
                     else ["ZADD", "L", "0", rnd.choice(MEMBERS)]),
        15: lambda: ["ZRANK", k, rnd.choice(MEMBERS)],
        16: lambda: ["ZREVRANK", k, rnd.choice(MEMBERS)],
        17: lambda: ["ZSCORE", k, rnd.choice(MEMBERS)],
        18: lambda: ["ZMSCORE", k] + rnd.sample(MEMBERS, 2),
        19: lambda: ["ZREMRANGEBYRANK", k, idx(), idx()],
        20: lambda: ["ZREMRANGEBYSCORE", k, bound(), bound()],
        21: lambda: [rnd.choice(["ZPOPMIN", "ZPOPMAX"]), k] +
        ([idx()] if rnd.random() < .5 else []),
        22: lambda: ["ZCARD", k],
        26: lambda: ["SADD", "s", rnd.choice(MEMBERS)],
        27: lambda: ["ZREMRANGEBYLEX", "L", lex(), lex()],
        28: lambda: ["ZRANGE", k, bound(), bound(), "BYSCORE"] +
        (["REV"] if rnd.random() < .5 else []) + limit(),
    }
    if c in table:
        return table[c]()
    ks = rnd.sample(KEYS, rnd.randint(1, 3))
    if c == 23:
        extra = []
        if rnd.random() < .4:
            extra += ["WEIGHTS"] + [rnd.choice(["1", "2", "0.5", "-1", "inf",
                                                "0"]) for _ in ks]
        if rnd.random() < .4:
            extra += ["AGGREGATE", rnd.choice(["SUM", "MIN", "MAX"])]
        return [rnd.choice(["ZUNIONSTORE", "ZINTERSTORE"]), rnd.choice(KEYS),
                str(len(ks))] + ks + extra
    if c == 24:
        return [rnd.choice(["ZUNION", "ZINTER", "ZDIFF"]), str(len(ks))] + \
            ks + ws
    if c == 25:
        return ["ZRANGESTORE", rnd.choice(KEYS), k,
                rnd.choice([idx(), bound()]), rnd.choice([idx(), bound()])] + \
            rnd.choice([[], ["BYSCORE"], ["BYSCORE", "REV"], ["REV"]]) + \
            (limit() if rnd.random() < .6 else [])
    return ["ZMPOP", "2", k, rnd.choice(KEYS), rnd.choice(["MIN", "MAX"])] + \
        (["COUNT", idx()] if rnd.random() < .5 else [])


@test
def differential_against_redis():
    if not os.path.exists(REF_BIN):
        h.skip("no " + REF_BIN)
    ref = h.Server(binary=REF_BIN, name="reference").start()
    srv = h.shared_server()
    for seed, proto in ((1, 2), (2, 3), (3, 2)):
        rnd = random.Random(seed)
        a, b = ref.conn(), srv.conn()
        a.call("FLUSHALL")
        b.call("FLUSHALL")
        if proto == 3:
            a.call("HELLO", "3")
            b.call("HELLO", "3")
        for i in range(1500):
            cmd = random_command(rnd)
            want, got = a.call(*cmd), b.call(*cmd)
            assert_eq(got, want, "seed %d RESP%d step %d: %s" % (
                seed, proto, i, " ".join(cmd)))
        for k in KEYS + ["L"]:
            cmd = ["ZRANGE", k, "0", "-1", "WITHSCORES"]
            assert_eq(b.call(*cmd), a.call(*cmd), "final " + k)
        a.close()
        b.close()
    ref.stop()


if __name__ == "__main__":
    h.run()
