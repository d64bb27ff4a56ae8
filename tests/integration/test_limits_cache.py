#!/usr/bin/python3
"""Two Python libraries that web apps put in front of Redis, run on the
server as an app runs them.

* limits (Debian's python3-limits), the rate limiter behind Flask-Limiter,
  with its Redis storage: the fixed window (a Lua INCRBY+EXPIRE script),
  the fixed window with elastic expiry (INCRBY and EXPIRE sent apart) and
  the moving window (Lua scripts over a list of timestamps). The scripts
  run as EVALSHA, loaded with SCRIPT LOAD on NOSCRIPT. Covers exact
  admits per window, hit/test/get_window_stats/clear, the reset after the
  window, one limit shared by two storages and by racing threads, the
  keys' TTLs, storage.reset() (a Lua KEYS + DEL) and a SCRIPT FLUSH
  under a running limiter.

* cachelib (Debian's python3-cachelib), RedisCache as Flask-Caching uses
  it: set/get/add/delete/has/inc/dec and their _many forms under a
  key_prefix, default and per-key timeouts read back with PTTL, timeout 0
  as no TTL, pickled values, and clear(), which deletes what KEYS
  prefix* finds and nothing else.

The limiters read the wall clock (the moving window's timestamps come
from the client), so the four tests that watch a window or an entry
end sleep or poll for it, each for at most a few seconds, instead of
moving a server clock: about 7 s in all. Passes against redis-server
too."""

import os
import pickle
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, assert_raises_text, test  # noqa: E402

try:
    import limits
    from limits.storage import storage_from_string
    from limits.strategies import (FixedWindowElasticExpiryRateLimiter,
                                   FixedWindowRateLimiter,
                                   MovingWindowRateLimiter)
except ImportError:  # reported by each test as a skip
    limits = None

try:
    from cachelib import RedisCache
except ImportError:  # reported by each test as a skip
    RedisCache = None


# ---------------------------------------------------------------------------
# limits
# ---------------------------------------------------------------------------

def storages(n=1):
    """n RedisStorages on the flushed shared server, each with its own
    connection pool, and a redis-py client to look at the keys. A limiter
    holds only a weak reference to its storage: keep these alive."""
    if limits is None:
        h.skip("python3-limits is not installed (make deps)")
    r = h.flushed()
    url = "redis://127.0.0.1:%d" % h.shared_server().port
    return r, [storage_from_string(url) for _ in range(n)]


def within(got, low, high, what):
    """Fails unless low <= got <= high (a TTL, a time)."""
    if not low <= got <= high:
        raise AssertionError("%s: got %r, want %r..%r"
                             % (what, got, low, high))


@test
def fixed_window_admits_exact_then_resets():
    r, (st,) = storages()
    fw = FixedWindowRateLimiter(st)
    item = limits.parse("5 per 2 second")
    key = item.key_for("alice")
    assert_eq(key, "LIMITER/alice/5/2/second")
    assert_eq(fw.get_window_stats(item, "alice")[1], 5, "remaining, unused")
    assert_eq([fw.hit(item, "alice") for _ in range(7)],
              [True] * 5 + [False] * 2)
    assert_eq(fw.test(item, "alice"), False)
    assert fw.test(item, "bob"), "another identifier has its own counter"
    # A refused hit still counts; the first hit of the window set the TTL.
    assert_eq(r.get(key), b"7")
    within(r.pttl(key), 1, 2000, "PTTL of the window")
    reset, remaining = fw.get_window_stats(item, "alice")
    assert_eq(remaining, 0)
    within(reset - time.time(), -1, 2.1, "reset time from now")
    # The key expires with the window; then the next hits are admitted.
    h.wait_for(lambda: r.exists(key) == 0, "the window key to expire", 4)
    assert_eq(fw.test(item, "alice"), True)
    assert_eq([fw.hit(item, "alice") for _ in range(6)],
              [True] * 5 + [False])
    assert_eq(r.get(key), b"6")
    assert_eq(r.keys("LIMITER*"), [key.encode()])


@test
def fixed_window_cost_and_ttl():
    r, (st,) = storages()
    fw = FixedWindowRateLimiter(st)
    item = limits.parse("10/minute")
    key = item.key_for("api", "k1")
    assert_eq(fw.hit(item, "api", "k1", cost=4), True)
    assert_eq(fw.hit(item, "api", "k1", cost=6), True)
    assert_eq(fw.hit(item, "api", "k1", cost=1), False)
    assert_eq(r.get(key), b"11")
    assert_eq(r.ttl(key), 60)
    assert_eq(fw.get_window_stats(item, "api", "k1")[1], 0)
    # A cost above the whole limit is refused on an empty window too.
    assert_eq(fw.hit(item, "api", "k2", cost=11), False)
    assert_eq(r.get(item.key_for("api", "k2")), b"11")


@test
def elastic_expiry_restarts_the_window():
    r, (st,) = storages()
    fixed = FixedWindowRateLimiter(st)
    elastic = FixedWindowElasticExpiryRateLimiter(st)
    item = limits.parse("3 per 2 second")
    fkey, ekey = item.key_for("fixed"), item.key_for("elastic")
    for _ in range(3):
        assert fixed.hit(item, "fixed")
        assert elastic.hit(item, "elastic")
    time.sleep(1.0)
    # Both refuse the 4th hit; only the elastic one moves its TTL back
    # up to the whole window.
    assert_eq(fixed.hit(item, "fixed"), False)
    assert_eq(elastic.hit(item, "elastic"), False)
    within(r.pttl(fkey), 1, 1000, "fixed window PTTL after 1 s")
    within(r.pttl(ekey), 1500, 2000, "elastic window PTTL after a hit")
    assert_eq(r.mget(fkey, ekey), [b"4", b"4"])
    assert_eq(elastic.get_window_stats(item, "elastic")[1], 0)


@test
def moving_window_slides():
    r, (st,) = storages()
    mw = MovingWindowRateLimiter(st)
    item = limits.parse("3 per 2 second")
    key = item.key_for("carol")
    # An empty window: the script returns {nil, 0}, which reaches the
    # client as an empty array, and the library counts nothing.
    t0 = time.time()
    assert_eq(mw.get_window_stats(item, "carol")[1], 3)
    assert_eq([mw.hit(item, "carol") for _ in range(2)], [True, True])
    time.sleep(1.0)
    t1 = time.time()
    assert_eq([mw.hit(item, "carol") for _ in range(3)],
              [True, False, False])
    assert_eq(mw.test(item, "carol"), False)
    # The window is a list of the admitted hits' timestamps, newest first;
    # refused hits add nothing.
    assert_eq(r.type(key), b"list")
    stamps = [float(x) for x in r.lrange(key, 0, -1)]
    assert_eq(len(stamps), 3)
    assert stamps == sorted(stamps, reverse=True), stamps
    within(stamps[0], t1, t1 + 1, "newest timestamp")
    within(stamps[2], t0, t0 + 0.9, "oldest timestamp")
    within(r.pttl(key), 1, 2000, "PTTL of the window list")
    # The script's "oldest" is the first entry of the list, the newest
    # hit, and a Lua number reaches the client as a truncated integer.
    assert_eq(mw.get_window_stats(item, "carol"), (int(stamps[0]) + 2, 0))
    # Once the first two hits are 2 s old they leave the window; the
    # third is still in it for about 1 s: two more admits, then a refusal.
    time.sleep(max(0.0, stamps[1] + 2.05 - time.time()))
    assert_eq([mw.hit(item, "carol") for _ in range(3)],
              [True, True, False])
    assert time.time() < stamps[0] + 2, "the third hit left the window too"
    assert_eq(mw.test(item, "carol"), False)
    assert_eq(r.llen(key), 3)
    assert_eq(float(r.lindex(key, 2)), stamps[0])


@test
def moving_window_cost():
    r, (st,) = storages()
    mw = MovingWindowRateLimiter(st)
    item = limits.parse("5 per 10 second")
    key = item.key_for("dave")
    assert_eq(mw.hit(item, "dave", cost=3), True)
    assert_eq(r.llen(key), 3)
    assert_eq(mw.hit(item, "dave", cost=3), False)
    assert_eq(mw.hit(item, "dave", cost=2), True)
    assert_eq(mw.hit(item, "dave", cost=1), False)
    assert_eq(r.llen(key), 5)
    assert_eq(r.ttl(key), 10)
    assert_eq(mw.get_window_stats(item, "dave")[1], 0)
    # A cost above the limit reads LINDEX limit-cost = -1, the oldest
    # entry: nil on an empty window, so limits 2.8 admits it there (the
    # fixed window refuses it), and LTRIM cuts the list to the limit.
    assert_eq(mw.hit(item, "erin", cost=6), True)
    assert_eq(r.llen(item.key_for("erin")), 5)
    assert_eq(mw.hit(item, "erin", cost=6), False)
    assert_eq(r.llen(item.key_for("erin")), 5)


@test
def limit_shared_by_two_storages():
    r, (a, b) = storages(2)
    item = limits.parse("4 per 30 second")
    for cls in (FixedWindowRateLimiter, FixedWindowElasticExpiryRateLimiter,
                MovingWindowRateLimiter):
        la, lb = cls(a), cls(b)
        ident = cls.__name__
        got = [(la if i % 2 else lb).hit(item, ident) for i in range(6)]
        assert_eq(got, [True] * 4 + [False] * 2, ident)
        assert_eq(la.test(item, ident), False, ident)
        assert_eq(lb.get_window_stats(item, ident)[1], 0, ident)
        # clear() through one storage frees the limit for the other.
        la.clear(item, ident)
        assert_eq(r.exists(item.key_for(ident)), 0, ident)
        assert_eq(lb.get_window_stats(item, ident)[1], 4, ident)
        assert_eq(lb.hit(item, ident), True, ident)
    assert_eq(len(r.keys("LIMITER/*")), 3)


@test
def concurrent_hits_admit_exactly_the_limit():
    r, sts = storages(4)
    item = limits.parse("25 per 30 second")
    for cls in (FixedWindowRateLimiter, FixedWindowElasticExpiryRateLimiter,
                MovingWindowRateLimiter):
        admitted = []
        go = threading.Event()

        def worker(st):
            lim = cls(st)
            go.wait(10)
            admitted.append(sum(lim.hit(item, cls.__name__)
                                for _ in range(20)))

        threads = [threading.Thread(target=worker, args=(st,), daemon=True)
                   for st in sts]
        for t in threads:
            t.start()
        go.set()
        for t in threads:
            t.join(20)
        assert_eq(len(admitted), 4, "workers finished")
        assert_eq(sum(admitted), 25, cls.__name__)
        key = item.key_for(cls.__name__)
        if cls is MovingWindowRateLimiter:
            assert_eq(r.llen(key), 25)
        else:
            assert_eq(r.get(key), b"80")
        within(r.ttl(key), 1, 30, "TTL of " + key)


@test
def scripts_are_evalsha_and_survive_script_flush():
    r, (st,) = storages()
    fw = FixedWindowRateLimiter(st)
    mw = MovingWindowRateLimiter(st)
    item = limits.parse("2 per 30 second")
    assert_eq(fw.hit(item, "f"), True)
    assert_eq(mw.hit(item, "m"), True)
    assert_eq(mw.test(item, "m"), True)
    # The SHA1s redis-py computed for the scripts are the server's names.
    shas = [st.lua_incr_expire.sha, st.lua_acquire_window.sha,
            st.lua_moving_window.sha]
    assert_eq(r.script_exists(*shas), [True, True, True])
    assert_eq(r.script_exists(st.lua_clear_keys.sha), [False])
    # After a SCRIPT FLUSH the next EVALSHA gets NOSCRIPT, and redis-py
    # loads the script again and retries: no hit is lost or doubled.
    r.script_flush()
    assert_eq(r.script_exists(*shas), [False, False, False])
    assert_eq([fw.hit(item, "f"), fw.hit(item, "f")], [True, False])
    assert_eq([mw.hit(item, "m"), mw.hit(item, "m")], [True, False])
    assert_eq(mw.get_window_stats(item, "m")[1], 0)
    assert_eq(r.get(item.key_for("f")), b"3")
    assert_eq(r.llen(item.key_for("m")), 2)
    assert_eq(r.script_exists(*shas), [True, True, True])


@test
def storage_reset_deletes_only_limiter_keys():
    r, (st,) = storages()
    assert_eq(st.check(), True)
    fw = FixedWindowRateLimiter(st)
    mw = MovingWindowRateLimiter(st)
    item = limits.parse("100 per 60 second")
    for i in range(30):
        assert fw.hit(item, "user%d" % i)
    for i in range(5):
        assert mw.hit(item, "list%d" % i)
    r.set("other", "x")
    r.set("limiter/lowercase", "x")
    assert_eq(len(r.keys("LIMITER*")), 35)
    # reset() is a Lua script that DELs what KEYS LIMITER* returns, 5000
    # keys (unpacked into one redis.call) at a time: give it three rounds.
    r.mset({"LIMITER/bulk/%d" % i: 1 for i in range(12000)})
    assert_eq(st.reset(), 12035)
    assert_eq(sorted(r.keys("*")), [b"limiter/lowercase", b"other"])
    assert_eq(st.reset(), 0)
    assert_eq(fw.get_window_stats(item, "user0")[1], 100)


# ---------------------------------------------------------------------------
# cachelib
# ---------------------------------------------------------------------------

def cache(**kw):
    """A RedisCache on the flushed shared server, with Flask-Caching's
    default key prefix unless kw gives one, and a redis-py client."""
    if RedisCache is None:
        h.skip("python3-cachelib is not installed (make deps)")
    r = h.flushed()
    kw.setdefault("key_prefix", "flask_cache_")
    return r, RedisCache(host="127.0.0.1", port=h.shared_server().port, **kw)


VALUES = {
    "dict": {"a": 1, "b": [1, 2, (3, 4)], "c": None},
    "list": [1, 2.5, "three", b"four", {5}],
    "str": "h\xe9llo w\u00f6rld \u2603",
    "bytes": bytes(range(256)),
    "int": 42,
    "float": -0.125,
    "false": False,
    "empty": "",
    "big": "x" * 200000,
}


@test
def cache_round_trips_pickled_values():
    r, c = cache()
    for name, value in VALUES.items():
        assert_eq(c.set(name, value), True, name)
    for name, value in VALUES.items():
        assert_eq(c.get(name), value, name)
        # Stored as "!" + pickle, under the prefix.
        raw = r.get("flask_cache_" + name)
        assert_eq(raw[:1], b"!", name)
        assert_eq(pickle.loads(raw[1:]), value, name)
    assert_eq(c.get("missing"), None)
    assert_eq(c.has("dict"), True)
    assert_eq(c.has("missing"), False)
    assert_eq(r.exists("dict"), 0, "unprefixed key")
    # Non-ASCII keys are sent as UTF-8.
    c.set("cl\u00e9 \u2603", [1])
    assert_eq(c.get("cl\u00e9 \u2603"), [1])
    assert_eq(r.exists("flask_cache_cl\u00e9 \u2603".encode()), 1)
    assert_eq(r.dbsize(), len(VALUES) + 1)


@test
def cache_timeouts_are_key_ttls():
    r, c = cache(default_timeout=100)
    c.set("default", 1)
    within(r.pttl("flask_cache_default"), 99000, 100000, "default timeout")
    c.set("short", 1, timeout=5)
    within(r.pttl("flask_cache_short"), 4000, 5000, "timeout=5")
    # timeout=0 means "never expires": a plain SET, which also drops the
    # TTL the key had.
    c.set("short", 2, timeout=0)
    assert_eq(r.pttl("flask_cache_short"), -1)
    assert_eq(c.get("short"), 2)
    assert_eq(c.add("added", 1, timeout=7), True)
    within(r.pttl("flask_cache_added"), 6000, 7000, "add timeout=7")
    assert_eq(c.add("added0", 1, timeout=0), True)
    assert_eq(r.pttl("flask_cache_added0"), -1)
    c.set_many({"m1": 1, "m2": 2}, timeout=9)
    for k in ("m1", "m2"):
        within(r.pttl("flask_cache_" + k), 8000, 9000, "set_many timeout=9")
    c.set_many({"m3": 3})
    within(r.pttl("flask_cache_m3"), 99000, 100000, "set_many default")
    assert_eq(c.inc("counter"), 1)
    assert_eq(r.pttl("flask_cache_counter"), -1)


@test
def cache_entry_expires():
    r, c = cache(default_timeout=1)
    c.set("soon", {"v": 1})
    c.set("kept", {"v": 2}, timeout=60)
    assert_eq(c.get("soon"), {"v": 1})
    h.wait_for(lambda: c.get("soon") is None, "the entry to expire", 4)
    assert_eq(c.has("soon"), False)
    assert_eq(r.exists("flask_cache_soon"), 0)
    assert_eq(c.get("kept"), {"v": 2})
    # add() succeeds again once the old entry is gone.
    assert_eq(c.add("soon", "new", timeout=60), True)
    assert_eq(c.get("soon"), "new")


@test
def cache_add_only_when_absent():
    r, c = cache(default_timeout=50)
    c.set("k", "old", timeout=0)
    assert_eq(c.add("k", "new"), False)
    assert_eq(c.get("k"), "old")
    assert_eq(r.pttl("flask_cache_k"), -1, "a refused add leaves the TTL")
    assert_eq(c.add("fresh", "v"), True)
    assert_eq(c.get("fresh"), "v")
    assert_eq(c.add("fresh", "w"), False)
    assert_eq(c.get("fresh"), "v")


@test
def cache_inc_dec_delete():
    r, c = cache()
    assert_eq(c.inc("hits"), 1)
    assert_eq(c.inc("hits", 5), 6)
    assert_eq(c.dec("hits"), 5)
    assert_eq(c.dec("hits", 10), -5)
    # INCR stores a plain integer, which get() reads back as an int.
    assert_eq(r.get("flask_cache_hits"), b"-5")
    assert_eq(c.get("hits"), -5)
    # set() pickles integers too, so INCR refuses such a value.
    c.set("pickled", 3)
    assert_raises_text(lambda: c.inc("pickled"), "value is not an integer")
    assert_eq(c.get("pickled"), 3)
    assert_eq(c.delete("hits"), True)
    assert_eq(c.delete("hits"), False)
    assert_eq(c.has("hits"), False)
    assert_eq(r.keys("*"), [b"flask_cache_pickled"])


@test
def cache_many():
    r, c = cache(key_prefix="app:")
    mapping = {"a": 1, "b": [2], "c": {"three": 3}, "d": None}
    assert_eq(c.set_many(mapping), list(mapping))
    assert_eq(c.get_many("c", "missing", "a", "d", "b"),
              [{"three": 3}, None, 1, None, [2]])
    assert_eq(c.get_dict("a", "b"), {"a": 1, "b": [2]})
    # delete_many answers with prefixed names (cachelib 0.9 checks
    # has() on the prefixed name again); the server state is what counts.
    c.delete_many("a", "c", "missing")
    assert_eq(sorted(r.keys("*")), [b"app:b", b"app:d"])
    assert_eq(c.get_many("a", "b"), [None, [2]])
    assert_eq(c.delete_many(), [])


@test
def cache_clear_only_its_prefix():
    r, mine = cache(key_prefix="site1:")
    other = RedisCache(host="127.0.0.1", port=h.shared_server().port,
                       key_prefix="site2:")
    mine.set_many({"k%d" % i: i for i in range(300)}, timeout=0)
    mine.set("with-ttl", 1, timeout=60)
    other.set_many({"k%d" % i: i for i in range(50)})
    # Keys that look alike but do not match site1:*.
    r.mset({"site1": "x", "site1;x": "x", "xsite1:y": "x", "Site1:z": "x"})
    assert_eq(mine.clear(), True)
    assert_eq(r.keys("site1:*"), [])
    assert_eq(mine.get("k0"), None)
    assert_eq(len(r.keys("site2:*")), 50)
    assert_eq(other.get("k49"), 49)
    assert_eq(sorted(k for k in r.keys("*") if not k.startswith(b"site2:")),
              [b"Site1:z", b"site1", b"site1;x", b"xsite1:y"])
    assert_eq(r.dbsize(), 54)
    # Nothing left under the prefix: clear() reports it deleted nothing.
    assert_eq(mine.clear(), False)
    # Without a prefix clear() is FLUSHDB.
    _, everything = cache(key_prefix="")
    r.set("x", 1)
    assert_eq(everything.clear(), True)
    assert_eq(r.dbsize(), 0)


if __name__ == "__main__":
    h.run()
