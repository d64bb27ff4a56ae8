#!/usr/bin/python3
"""Django's Redis integrations (Debian's python3-django 3.2 with
python3-django-redis, python3-django-redis-sessions and
python3-channels-redis), run on the server as a Django app runs them:
Django is configured in this process (settings.configure, django.setup)
with the shared server as its cache, session store and channel layer,
and the tests go through the objects an app uses.

* django-redis (django_redis.cache.RedisCache) as CACHES: get/set/add/
  delete and their _many forms, incr/decr (a Lua EXISTS+INCRBY, and the
  GET+SET fallback when INCRBY refuses), touch/ttl/persist/expire with
  the TTLs read back with PTTL, timeout None as no TTL, KEY_PREFIX and
  versions in the key names, pickled values next to plain integers,
  keys/iter_keys/delete_pattern (KEYS and SCAN MATCH with the prefix
  glob-escaped), cache.lock (SET NX PX, released, extended and
  reacquired by Lua scripts), clear() (FLUSHDB of its own database),
  zlib compression and the JSON and msgpack serializers, and cache_page
  serving a view from Redis.

* django-redis-sessions (redis_sessions.session.SessionStore) as
  SESSION_ENGINE: create, save, load, modify, cycle_key, expiry (SETEX
  with SESSION_COOKIE_AGE or set_expiry), delete, exists, a tampered
  value refused, and SessionMiddleware carrying a session across two
  requests by its cookie.

* channels_redis: RedisChannelLayer (each channel a sorted set of
  messages, popped with BZPOPMIN into a "$inflight" backup set that a Lua
  script restores; groups are sorted sets; group_send is a Lua script)
  and RedisPubSubChannelLayer (SUBSCRIBE/PUBLISH). Covers send/receive
  between two layer instances, receives blocked in BZPOPMIN woken by a
  send or by group_send's script, one whose BZPOPMIN timed out, two
  workers on one channel, a dead receiver's backup restored with its
  exact score, process-local channels, groups, capacity (ChannelFull,
  per-channel capacities, stale messages dropped), message expiry and
  flush(). The layers run in asyncio.run() with every wait bounded. No
  test cancels a receive: that a message did not arrive is read from the
  server's keys, or from a later message coming first.

Each part's tests skip when its library is missing. The waits for an
expiry or a timeout (a lock, a cache entry, a session, a channel, a
BZPOPMIN) take about 4 s in all. Passes against redis-server too."""

import asyncio
import importlib
import importlib.util
import os
import pickle
import sys
import threading
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, test  # noqa: E402

# django_redis, redis_sessions and channels read Django's settings when
# they are imported, and the settings name the shared server's port: so
# only look for them here, and ready() imports them once it has started.
PACKAGES = {"django": "python3-django", "django_redis": "python3-django-redis",
            "redis_sessions": "python3-django-redis-sessions",
            "channels_redis": "python3-channels-redis",
            "msgpack": "python3-msgpack"}
HAVE = {m: importlib.util.find_spec(m) is not None for m in PACKAGES}

COOKIE_AGE = 3600       # SESSION_COOKIE_AGE, seconds
TIMEOUT = 300           # the default cache's TIMEOUT, seconds

_django = {}


def ready(module):
    """Configures Django for the shared server (once per process) and
    returns a redis-py client on the flushed server; skips the test when
    Django or module is not installed."""
    for m in ("django", module):
        if not HAVE[m]:
            h.skip("%s is not installed (make deps)" % PACKAGES[m])
    if not _django:
        import django
        from django.conf import settings
        port = h.shared_server().port
        url = "redis://127.0.0.1:%d" % port
        cache = "django_redis.cache.RedisCache"
        layer = "channels_redis.core.RedisChannelLayer"
        settings.configure(
            SECRET_KEY="respite-integration-test",
            ALLOWED_HOSTS=["testserver"],
            INSTALLED_APPS=[],
            CACHES={
                "default": {"BACKEND": cache, "LOCATION": url + "/0",
                            "KEY_PREFIX": "app", "TIMEOUT": TIMEOUT},
                "v3": {"BACKEND": cache, "LOCATION": url + "/0",
                       "KEY_PREFIX": "app", "VERSION": 3},
                "db2": {"BACKEND": cache, "LOCATION": url + "/2",
                        "KEY_PREFIX": "app"},
                # Glob characters, which make_pattern must escape.
                "odd": {"BACKEND": cache, "LOCATION": url + "/0",
                        "KEY_PREFIX": "we[ir]d*?"},
                "zlib": {"BACKEND": cache, "LOCATION": url + "/0",
                         "KEY_PREFIX": "z", "OPTIONS": {
                             "COMPRESSOR": "django_redis.compressors."
                                           "zlib.ZlibCompressor"}},
                "json": {"BACKEND": cache, "LOCATION": url + "/0",
                         "KEY_PREFIX": "j", "OPTIONS": {
                             "SERIALIZER": "django_redis.serializers."
                                           "json.JSONSerializer"}},
                "msgpack": {"BACKEND": cache, "LOCATION": url + "/0",
                            "KEY_PREFIX": "m", "OPTIONS": {
                                "SERIALIZER": "django_redis.serializers."
                                              "msgpack.MSGPackSerializer"}},
            },
            SESSION_ENGINE="redis_sessions.session",
            # socket_timeout defaults to 0.1 s, short for a loaded machine.
            SESSION_REDIS={"host": "127.0.0.1", "port": port,
                           "prefix": "session", "socket_timeout": 10},
            SESSION_COOKIE_AGE=COOKIE_AGE,
            CHANNEL_LAYERS={
                "default": {"BACKEND": layer, "CONFIG": {"hosts": [url]}},
                "small": {"BACKEND": layer, "CONFIG": {
                    "hosts": [url], "prefix": "small:", "capacity": 3,
                    "expiry": 30, "group_expiry": 40,
                    "channel_capacity": {"roomy*": 10}}},
                "brief": {"BACKEND": layer, "CONFIG": {
                    "hosts": [url], "prefix": "brief:", "expiry": 1}},
                "pubsub": {"BACKEND": "channels_redis.pubsub."
                                      "RedisPubSubChannelLayer",
                           "CONFIG": {"hosts": [url]}},
            },
        )
        django.setup()
        _django["setup"] = True
    return h.flushed()


# ---------------------------------------------------------------------------
# django-redis
# ---------------------------------------------------------------------------

def caches(*aliases):
    """A redis-py client on the flushed server, then the named caches
    (Django's cache handler, as an app reaches them)."""
    r = ready("django_redis")
    from django.core.cache import caches as handler
    return (r,) + tuple(handler[a] for a in aliases)


def within(got, low, high, what):
    """Fails unless low <= got <= high (a TTL, a time)."""
    if not low <= got <= high:
        raise AssertionError("%s: got %r, want %r..%r"
                             % (what, got, low, high))


VALUES = {
    "dict": {"a": 1, "b": [1, 2, (3, 4)], "c": None},
    "str": "h\xe9llo w\u00f6rld \u2603",
    "bytes": bytes(range(256)),
    "float": -0.125,
    "true": True,
    "numeric str": "42",
    "empty": "",
    "big": "x" * 200000,
}


@test
def cache_values_and_key_names():
    r, cache = caches("default")
    for name, value in VALUES.items():
        assert_eq(cache.set(name, value), True, name)
    for name, value in VALUES.items():
        assert_eq(cache.get(name), value, name)
        # KEY_PREFIX:VERSION:key, the value pickled.
        assert_eq(pickle.loads(r.get("app:1:" + name)), value, name)
    # Integers (not bools) are stored as plain numbers, so INCR works.
    cache.set("int", 42)
    cache.set("negative", -7)
    assert_eq(r.mget("app:1:int", "app:1:negative"), [b"42", b"-7"])
    assert_eq((cache.get("int"), cache.get("negative")), (42, -7))
    assert_eq(cache.get("missing"), None)
    assert_eq(cache.get("missing", "fallback"), "fallback")
    assert_eq((cache.has_key("dict"), cache.has_key("missing")),
              (True, False))
    assert_eq("dict" in cache, True)
    # Non-ASCII keys are sent as UTF-8.
    cache.set("cl\u00e9 \u2603", [1])
    assert_eq(cache.get("cl\u00e9 \u2603"), [1])
    assert_eq(r.exists("app:1:cl\u00e9 \u2603".encode()), 1)
    assert_eq(r.dbsize(), len(VALUES) + 3)
    assert_eq(cache.delete("dict"), True)
    assert_eq(cache.delete("dict"), False)
    assert_eq(r.exists("app:1:dict"), 0)
    assert_eq(cache.get("dict", "gone"), "gone")


@test
def cache_timeouts_are_key_ttls():
    r, cache = caches("default")
    cache.set("default", 1)
    within(r.pttl("app:1:default"), (TIMEOUT - 1) * 1000, TIMEOUT * 1000,
           "default TIMEOUT")
    # Timeouts are sent as SET PX in milliseconds, fractions included.
    cache.set("short", "v", timeout=5.5)
    within(r.pttl("app:1:short"), 4500, 5500, "timeout=5.5")
    within(cache.ttl("short"), 5, 6, "cache.ttl (TTL rounds)")
    within(cache.pttl("short"), 4500, 5500, "cache.pttl")
    # None: no TTL, and a SET without PX drops the TTL the key had.
    cache.set("short", "w", timeout=None)
    assert_eq(r.pttl("app:1:short"), -1)
    assert_eq((cache.ttl("short"), cache.pttl("short")), (None, None))
    assert_eq((cache.ttl("missing"), cache.pttl("missing")), (0, 0))
    # A timeout of 0 or below deletes the key (Django's "expire now").
    cache.set("gone", "v", timeout=0)
    assert_eq(r.exists("app:1:gone", "app:1:short"), 1)
    assert_eq(cache.expire("short", 20), True)
    within(r.pttl("app:1:short"), 19000, 20000, "cache.expire")
    assert_eq(cache.persist("short"), True)
    assert_eq(r.pttl("app:1:short"), -1)
    assert_eq(cache.persist("short"), False)
    assert_eq(cache.pexpire("short", 2500), True)
    within(r.pttl("app:1:short"), 1500, 2500, "cache.pexpire")
    cache.expire_at("short", int(time.time()) + 100)
    within(r.pttl("app:1:short"), 98000, 100000, "cache.expire_at")
    # touch() is PEXPIRE with the timeout, or PERSIST for None.
    assert_eq(cache.touch("short", 30), True)
    within(r.pttl("app:1:short"), 29000, 30000, "touch 30")
    assert_eq(cache.touch("short"), True)
    within(r.pttl("app:1:short"), (TIMEOUT - 1) * 1000, TIMEOUT * 1000,
           "touch with the default timeout")
    assert_eq(cache.touch("short", None), True)
    assert_eq(r.pttl("app:1:short"), -1)
    assert_eq(cache.touch("missing", 30), False)
    assert_eq(r.exists("app:1:missing"), 0)
    # add() and set_many() take the same timeouts.
    assert_eq(cache.add("added", 1, timeout=7), True)
    within(r.pttl("app:1:added"), 6000, 7000, "add timeout=7")
    cache.set_many({"m1": 1, "m2": "two"}, timeout=9)
    for k in ("m1", "m2"):
        within(r.pttl("app:1:" + k), 8000, 9000, "set_many timeout=9")
    cache.set_many({"m3": 3}, timeout=None)
    assert_eq(r.pttl("app:1:m3"), -1)


@test
def cache_entry_expires():
    r, cache = caches("default")
    cache.set("soon", {"v": 1}, timeout=0.3)
    cache.set("kept", {"v": 2}, timeout=60)
    within(r.pttl("app:1:soon"), 1, 300, "timeout=0.3")
    assert_eq(cache.get("soon"), {"v": 1})
    h.wait_for(lambda: cache.get("soon") is None, "the entry to expire", 4)
    assert_eq(cache.has_key("soon"), False)
    assert_eq(r.exists("app:1:soon"), 0)
    assert_eq(cache.get("kept"), {"v": 2})
    # add() succeeds again once the old entry is gone.
    assert_eq(cache.add("soon", "new"), True)
    assert_eq(cache.get("soon"), "new")


@test
def cache_add_and_get_or_set():
    r, cache = caches("default")
    cache.set("k", "old", timeout=None)
    assert_eq(cache.add("k", "new", timeout=50), False)
    assert_eq(cache.get("k"), "old")
    assert_eq(r.pttl("app:1:k"), -1, "a refused add leaves the TTL")
    assert_eq(cache.add("fresh", "v"), True)
    assert_eq(cache.add("fresh", "w"), False)
    assert_eq(cache.get("fresh"), "v")
    # set(xx=True) only replaces.
    assert_eq(cache.set("absent", 1, xx=True), False)
    assert_eq(r.exists("app:1:absent"), 0)
    assert_eq(cache.set("fresh", "x", xx=True, timeout=None), True)
    assert_eq(cache.get("fresh"), "x")
    # get_or_set computes the default only when the key is absent.
    calls = []

    def compute():
        calls.append(1)
        return {"computed": len(calls)}

    assert_eq(cache.get_or_set("lazy", compute, timeout=40), {"computed": 1})
    assert_eq(cache.get_or_set("lazy", compute, timeout=40), {"computed": 1})
    assert_eq(len(calls), 1)
    within(r.pttl("app:1:lazy"), 39000, 40000, "get_or_set timeout")


@test
def cache_incr_decr():
    r, cache = caches("default")
    cache.set("hits", 10, timeout=100)
    assert_eq(cache.incr("hits"), 11)
    assert_eq(cache.incr("hits", 5), 16)
    assert_eq(cache.decr("hits", 20), -4)
    assert_eq(r.get("app:1:hits"), b"-4")
    assert_eq(cache.get("hits"), -4)
    within(r.pttl("app:1:hits"), 99000, 100000, "INCRBY keeps the TTL")
    # A missing key is a ValueError (the script's EXISTS said 0) and
    # nothing is created; ignore_key_check creates it.
    try:
        cache.incr("nothing")
        raise AssertionError("incr of a missing key did not raise")
    except ValueError:
        pass
    assert_eq(r.exists("app:1:nothing"), 0)
    assert_eq(cache.incr("nothing", 3, ignore_key_check=True), 3)
    assert_eq(r.get("app:1:nothing"), b"3")
    # INCRBY refuses a pickled value and one that would overflow: then
    # django-redis reads the value, adds in Python and SETs it back with
    # the TTL (in whole seconds) it read.
    cache.set("price", 1.5, timeout=50)
    assert_eq(cache.incr("price"), 2.5)
    assert_eq(pickle.loads(r.get("app:1:price")), 2.5)
    within(r.pttl("app:1:price"), 48000, 50000, "TTL after the fallback")
    cache.set("huge", 2 ** 63 - 1, timeout=None)
    assert_eq(r.get("app:1:huge"), b"9223372036854775807")
    assert_eq(cache.incr("huge"), 2 ** 63)
    assert_eq(r.get("app:1:huge"), b"9223372036854775808")
    assert_eq(r.pttl("app:1:huge"), -1)
    assert_eq(cache.decr("huge", 2), 2 ** 63 - 2)
    assert_eq(r.get("app:1:huge"), b"9223372036854775806")


@test
def cache_many():
    r, cache = caches("default")
    mapping = {"a": 1, "b": [2], "c": {"three": 3}, "d": None}
    cache.set_many(mapping)
    assert_eq(sorted(r.keys("*")),
              [b"app:1:a", b"app:1:b", b"app:1:c", b"app:1:d"])
    # get_many is one MGET; missing keys are left out of the dict.
    got = cache.get_many(["c", "missing", "a", "d", "b"])
    assert_eq(list(got.items()),
              [("c", {"three": 3}), ("a", 1), ("d", None), ("b", [2])])
    assert_eq(cache.get_many([]), {})
    assert_eq(cache.delete_many(["a", "c", "missing"]), 2)
    assert_eq(sorted(r.keys("*")), [b"app:1:b", b"app:1:d"])
    assert_eq(cache.get_many(["a", "b"]), {"b": [2]})
    assert_eq(cache.delete_many([]), None)


@test
def cache_versions_and_prefixes():
    r, cache, v3, db2 = caches("default", "v3", "db2")
    cache.set("k", "one")
    cache.set("k", "two", version=2)
    v3.set("k", "three")
    assert_eq(sorted(r.keys("*")), [b"app:1:k", b"app:2:k", b"app:3:k"])
    assert_eq([cache.get("k"), cache.get("k", version=2), v3.get("k")],
              ["one", "two", "three"])
    assert_eq(v3.get("k", version=1), "one")
    # incr_version moves the value to the next version's key, TTL kept.
    cache.set("moved", "m", timeout=70)
    assert_eq(cache.incr_version("moved"), 2)
    assert_eq(r.exists("app:1:moved"), 0)
    assert_eq(pickle.loads(r.get("app:2:moved")), "m")
    within(r.pttl("app:2:moved"), 69000, 70000, "TTL after incr_version")
    assert_eq((cache.get("moved"), cache.get("moved", version=2)),
              (None, "m"))
    # The same names in database 2 are other keys.
    db2.set("k", "db2")
    assert_eq(cache.get("k"), "one")
    assert_eq(db2.get("k"), "db2")
    r2 = h.shared_server().client(db=2)
    assert_eq(r2.keys("*"), [b"app:1:k"])


@test
def cache_keys_iter_keys_delete_pattern():
    r, cache, odd = caches("default", "odd")
    cache.set_many({"user:%d" % i: i for i in range(120)})
    cache.set_many({"session:%d" % i: i for i in range(30)})
    cache.set("user:v2", "x", version=2)
    r.set("user:0", "unprefixed")
    # keys() is KEYS app:1:user:*, with the names given back unprefixed.
    want = {"user:%d" % i for i in range(120)}
    assert_eq(set(cache.keys("user:*")), want)
    assert_eq(set(cache.keys("user:1?")), {"user:%d" % i
                                           for i in range(10, 20)})
    assert_eq(cache.keys("user:v2", version=2), ["user:v2"])
    # iter_keys() walks SCAN MATCH with the same pattern.
    assert_eq(set(cache.iter_keys("user:*")), want)
    assert_eq(set(cache.iter_keys("session:2*", itersize=5)),
              {"session:2"} | {"session:%d" % i for i in range(20, 30)})
    # delete_pattern() DELs what SCAN MATCH finds, and nothing else.
    assert_eq(cache.delete_pattern("user:*"), 120)
    assert_eq(cache.keys("user:*"), [])
    assert_eq(r.get("user:0"), b"unprefixed")
    assert_eq(r.exists("app:2:user:v2", "app:1:session:0"), 2)
    assert_eq(cache.delete_pattern("nothing:*"), 0)
    # A prefix with glob characters is escaped (we[[]ir]d[*][?]:1:*), so
    # it matches only itself, not the keys the bare prefix would match.
    odd.set_many({"a": 1, "b": 2})
    r.set("we[ir]d*?:1:c", "written by another client")
    r.mset({"weid!:1:d": "x", "werd-x:1:e": "x"})
    assert_eq(len(r.keys("we[ir]d*?:1:*")), 2)
    assert_eq(sorted(odd.keys("*")), ["a", "b", "c"])
    assert_eq(sorted(odd.iter_keys("*")), ["a", "b", "c"])
    assert_eq(odd.delete_pattern("*"), 3)
    assert_eq(sorted(r.keys("we*")), [b"weid!:1:d", b"werd-x:1:e"])


@test
def cache_lock():
    r, cache = caches("default")
    from redis.exceptions import LockError, LockNotOwnedError
    key = "app:1:report"
    mine = cache.lock("report", timeout=5)
    assert_eq(mine.acquire(blocking=False), True)
    token = r.get(key)
    assert_eq(token, mine.local.token)
    within(r.pttl(key), 4000, 5000, "lock timeout")
    assert_eq((mine.locked(), mine.owned()), (True, True))
    # A second holder (another thread has its own token) waits and gives
    # up after blocking_timeout.
    result = {}

    def contender():
        other = cache.lock("report", timeout=5)
        t0 = time.monotonic()
        result["got"] = other.acquire(blocking_timeout=0.3, sleep=0.05)
        result["waited"] = time.monotonic() - t0
        result["owned"] = other.owned()

    t = threading.Thread(target=contender, daemon=True)
    t.start()
    t.join(10)
    assert_eq((result["got"], result["owned"]), (False, False))
    within(result["waited"], 0.2, 2.0, "time the contender waited")
    assert_eq(r.get(key), token)
    # extend() and reacquire() are Lua scripts that check the token.
    assert_eq(mine.extend(10), True)
    within(r.pttl(key), 13000, 15000, "after extend(10)")
    assert_eq(mine.extend(3, replace_ttl=True), True)
    within(r.pttl(key), 2000, 3000, "after extend(3, replace_ttl)")
    assert_eq(mine.reacquire(), True)
    within(r.pttl(key), 4000, 5000, "after reacquire")
    # Release is by the owner only: the script compares the token.
    forged = cache.lock("report", timeout=5)
    forged.local.token = b"not-the-owner"
    try:
        forged.release()
        raise AssertionError("a non-owner released the lock")
    except LockNotOwnedError:
        pass
    assert_eq(r.get(key), token)
    mine.release()
    assert_eq(r.exists(key), 0)
    try:
        mine.release()
        raise AssertionError("released an unlocked lock")
    except LockError:
        pass
    # A lock whose timeout ran out goes to the waiter; the first holder's
    # release is then refused and leaves the new owner's key alone.
    short = cache.lock("job", timeout=0.3)
    assert_eq(short.acquire(), True)
    waiter = cache.lock("job", timeout=5, sleep=0.05, thread_local=False)
    t0 = time.monotonic()
    assert_eq(waiter.acquire(blocking_timeout=4), True)
    within(time.monotonic() - t0, 0.05, 4.0, "wait for the expired lock")
    assert_eq(r.get("app:1:job"), waiter.local.token)
    try:
        short.release()
        raise AssertionError("the expired holder released the new lock")
    except LockNotOwnedError:
        pass
    assert_eq(r.get("app:1:job"), waiter.local.token)
    # Used as a context manager, as apps do.
    waiter.release()
    with cache.lock("ctx", timeout=5):
        assert_eq(r.exists("app:1:ctx"), 1)
    assert_eq(r.keys("*"), [])


@test
def cache_clear_flushes_its_database():
    r, cache, db2 = caches("default", "db2")
    r2 = h.shared_server().client(db=2)
    cache.set_many({"a": 1, "b": 2})
    r.set("foreign", "x")
    db2.set_many({"c": 3, "d": 4})
    # clear() is FLUSHDB: everything in the cache's database, its own
    # keys or not, and nothing in another.
    cache.clear()
    assert_eq(r.dbsize(), 0)
    assert_eq(sorted(r2.keys("*")), [b"app:1:c", b"app:1:d"])
    assert_eq(db2.get("c"), 3)
    db2.clear()
    assert_eq(r2.dbsize(), 0)


@test
def cache_compression_and_serializers():
    r, zc, jc, mc = caches("zlib", "json", "msgpack")
    big = {"text": "lorem ipsum " * 2000, "n": list(range(50))}
    zc.set("big", big)
    zc.set("small", None)
    zc.set("n", 123456)
    raw = r.get("z:1:big")
    # Compressed above 15 bytes of pickle, plain below (None pickles to
    # 4); ints stay numbers.
    assert len(raw) < 2000, len(raw)
    assert_eq(pickle.loads(zlib.decompress(raw)), big)
    assert_eq(r.get("z:1:small"), pickle.dumps(None))
    assert_eq(r.get("z:1:n"), b"123456")
    assert_eq([zc.get("big"), zc.get("small", "default"), zc.incr("n")],
              [big, None, 123457])
    doc = {"name": "r\xe9spite", "tags": ["a", "b"], "ok": True, "x": 1.5}
    jc.set("doc", doc)
    assert_eq(r.get("j:1:doc"),
              b'{"name": "r\\u00e9spite", "tags": ["a", "b"], "ok": true, '
              b'"x": 1.5}')
    assert_eq(jc.get("doc"), doc)
    jc.set("count", 5)
    assert_eq(jc.incr("count", 2), 7)
    assert_eq(r.get("j:1:count"), b"7")
    if HAVE["msgpack"]:
        import msgpack
        mc.set("doc", doc)
        assert_eq(msgpack.loads(r.get("m:1:doc")), doc)
        assert_eq(mc.get("doc"), doc)
        assert_eq(mc.get_many(["doc", "none"]), {"doc": doc})


@test
def cache_page_serves_a_view_from_redis():
    r, cache = caches("default")
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.views.decorators.cache import cache_page
    calls = []

    def view(request):
        calls.append(request.GET.get("q"))
        return HttpResponse("page %d" % len(calls))

    cached = cache_page(60, key_prefix="pages")(view)
    rf = RequestFactory()
    first = cached(rf.get("/report", {"q": "a"}))
    again = cached(rf.get("/report", {"q": "a"}))
    other = cached(rf.get("/report", {"q": "b"}))
    assert_eq([first.content, again.content, other.content],
              [b"page 1", b"page 1", b"page 2"])
    assert_eq(calls, ["a", "b"])
    # Django keeps a header list and a page per URL, each with the
    # cache_page timeout, in the default cache's namespace.
    keys = sorted(r.keys("*"))
    assert_eq(len(keys), 4, keys)
    assert all(k.startswith(b"app:1:views.decorators.cache.cache_") for k in
               keys), keys
    assert_eq(sum(b"cache_page.pages." in k for k in keys), 2, keys)
    for k in keys:
        within(r.pttl(k), 59000, 60000, "TTL of %r" % k)
    # Once the pages are gone from Redis the view runs again.
    cache.delete_pattern("views.decorators.cache.cache_page.*")
    assert_eq(cached(rf.get("/report", {"q": "a"})).content, b"page 3")


# ---------------------------------------------------------------------------
# django-redis-sessions
# ---------------------------------------------------------------------------

def sessions():
    """A redis-py client on the flushed server and the SessionStore class
    of SESSION_ENGINE, as Django's SessionMiddleware finds it."""
    r = ready("redis_sessions")
    from django.conf import settings
    return r, importlib.import_module(settings.SESSION_ENGINE).SessionStore


@test
def session_create_save_load():
    r, SessionStore = sessions()
    s = SessionStore()
    s["user_id"] = 42
    s["cart"] = ["book", "pen"]
    s.create()
    key = s.session_key
    assert len(key) == 32, key
    name = "session:" + key
    assert_eq(r.type(name), b"string")
    within(r.pttl(name), (COOKIE_AGE - 1) * 1000, COOKIE_AGE * 1000,
           "SETEX with SESSION_COOKIE_AGE")
    # The value is Django's signed encoding of the session dict, not JSON.
    assert b"user_id" not in r.get(name)
    assert_eq(s.exists(key), True)
    # Another request loads it by its key.
    loaded = SessionStore(session_key=key)
    assert_eq((loaded["user_id"], loaded["cart"]), (42, ["book", "pen"]))
    loaded["cart"].append("lamp")
    loaded["visits"] = 1
    loaded.modified = True
    loaded.save()
    again = SessionStore(session_key=key)
    assert_eq(dict(again.items()),
              {"user_id": 42, "cart": ["book", "pen", "lamp"], "visits": 1})
    assert_eq(r.keys("*"), [name.encode()])
    # cycle_key (Django calls it at login) moves the data to a new key.
    again.cycle_key()
    new = "session:" + again.session_key
    assert new != name
    assert_eq(r.keys("*"), [new.encode()])
    assert_eq(SessionStore(session_key=again.session_key)["visits"], 1)
    assert_eq(SessionStore(session_key=key).load(), {})


@test
def session_expiry():
    r, SessionStore = sessions()
    s = SessionStore()
    s["a"] = 1
    s.set_expiry(120)
    s.save()
    name = "session:" + s.session_key
    within(r.pttl(name), 119000, 120000, "set_expiry(120)")
    assert_eq(s.get_expiry_age(), 120)
    # Saving again starts the age over; set_expiry(None) goes back to
    # SESSION_COOKIE_AGE.
    s.set_expiry(None)
    s.save()
    within(r.pttl(name), (COOKIE_AGE - 1) * 1000, COOKIE_AGE * 1000,
           "set_expiry(None)")
    # A session expires with its key.
    short = SessionStore()
    short["b"] = 2
    short.set_expiry(1)
    short.save()
    key = short.session_key
    within(r.pttl("session:" + key), 1, 1000, "set_expiry(1)")
    assert_eq(SessionStore(session_key=key)["b"], 2)
    h.wait_for(lambda: r.exists("session:" + key) == 0,
               "the session key to expire", 4)
    gone = SessionStore(session_key=key)
    assert_eq((gone.load(), gone.exists(key)), ({}, False))
    assert_eq(r.keys("*"), [name.encode()])


@test
def session_delete_exists_and_tampering():
    from django.contrib.sessions.backends.base import CreateError
    r, SessionStore = sessions()
    s = SessionStore()
    s["role"] = "admin"
    s.save()
    key = s.session_key
    assert_eq(SessionStore().exists(key), True)
    assert_eq(SessionStore().exists("0" * 32), False)
    # save(must_create=True) refuses a key that exists.
    dup = SessionStore(session_key=key)
    try:
        dup.save(must_create=True)
        raise AssertionError("must_create saved over an existing session")
    except CreateError:
        pass
    # A value whose signature does not match loads as an empty session.
    raw = r.get("session:" + key)
    r.set("session:" + key, raw.replace(b":", b";", 1))
    assert_eq(SessionStore(session_key=key).load(), {})
    r.set("session:" + key, raw)
    assert_eq(SessionStore(session_key=key)["role"], "admin")
    # An unknown key loads empty (GET gives nil, which does not decode).
    assert_eq(SessionStore(session_key="f" * 32).load(), {})
    assert_eq(r.exists("session:" + "f" * 32), 0)
    s.delete()
    assert_eq(r.exists("session:" + key), 0)
    assert_eq(SessionStore().exists(key), False)
    SessionStore().delete("nothing")
    assert_eq(r.dbsize(), 0)


@test
def session_middleware_carries_a_session():
    r, SessionStore = sessions()
    from django.conf import settings
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.http import HttpResponse
    from django.test import RequestFactory

    def view(request):
        n = request.session.get("count", 0) + 1
        request.session["count"] = n
        return HttpResponse(str(n))

    app = SessionMiddleware(view)
    rf = RequestFactory()
    first = app(rf.get("/"))
    assert_eq(first.content, b"1")
    cookie = first.cookies[settings.SESSION_COOKIE_NAME]
    assert_eq(cookie["max-age"], COOKIE_AGE)
    name = "session:" + cookie.value
    assert_eq(r.keys("*"), [name.encode()])
    for want in (b"2", b"3"):
        req = rf.get("/")
        req.COOKIES[settings.SESSION_COOKIE_NAME] = cookie.value
        assert_eq(app(req).content, want)
    assert_eq(r.dbsize(), 1)
    within(r.pttl(name), (COOKIE_AGE - 1) * 1000, COOKIE_AGE * 1000,
           "session TTL")
    # A request whose cookie names a session Redis no longer has starts
    # over from an empty session (redis_sessions keeps the cookie's key,
    # where Django's own backends would make a new one).
    r.delete(name)
    req = rf.get("/")
    req.COOKIES[settings.SESSION_COOKIE_NAME] = cookie.value
    assert_eq(app(req).content, b"1")
    assert_eq(r.keys("*"), [name.encode()])
    assert_eq(SessionStore(session_key=cookie.value)["count"], 1)


# ---------------------------------------------------------------------------
# channels_redis
# ---------------------------------------------------------------------------

def layers():
    """A redis-py client on the flushed server, and make(alias), which
    builds a new channel layer instance from CHANNEL_LAYERS (as each
    process of an app has its own)."""
    r = ready("channels_redis")
    from channels.layers import channel_layers
    return r, channel_layers.make_backend


def arun(main, timeout=10):
    """Runs coroutine function main in a new event loop, bounded. Closing
    the loop closes the layers' connection pools."""
    async def bounded():
        return await asyncio.wait_for(main(), timeout)
    return asyncio.run(bounded())


async def until(pred, what, timeout=5.0, tasks=()):
    """Polls pred() (a server-side fact) without blocking the loop; a
    receive task among tasks that ended meanwhile raises what it raised
    (a receive that failed never makes a client block)."""
    deadline = time.monotonic() + timeout
    while not pred():
        for t in tasks:
            if t.done():
                t.result()
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for " + what)
        await asyncio.sleep(0.01)


def bzpopmin_calls(r):
    return r.info("commandstats").get("cmdstat_bzpopmin", {}).get("calls", 0)


@test
def layer_send_receive_between_instances():
    r, make = layers()

    async def main():
        sender, receiver = make("default"), make("default")
        msgs = [{"type": "chat.message", "text": "hi \u2603", "n": i,
                 "blob": bytes([i, 0, 255]), "nested": {"l": [1, None]}}
                for i in range(3)]
        for m in msgs:
            await sender.send("chat.room", m)
        # One sorted set per channel, scored by send time, with the
        # layer's expiry as its TTL.
        key = b"asgichat.room"
        assert_eq(r.type(key), b"zset")
        assert_eq(r.zcard(key), 3)
        within(r.ttl(key), 59, 60, "channel TTL")
        got = [await receiver.receive("chat.room") for _ in msgs]
        assert_eq(got, msgs)
        await receiver.wait_received()
        # Popped, and the "$inflight" backups cleared.
        assert_eq(r.keys("*"), [])

    arun(main)


@test
def layer_receive_blocks_in_bzpopmin():
    r, make = layers()

    async def main():
        sender, receiver = make("default"), make("default")
        task = asyncio.ensure_future(receiver.receive("jobs"))
        await until(lambda: h.blocked_count(r) == 1, "BZPOPMIN to block",
                    tasks=[task])
        await sender.send("jobs", {"type": "job", "id": 1})
        assert_eq(await asyncio.wait_for(task, 5), {"type": "job", "id": 1})
        # A BZPOPMIN that times out returns nil; receive blocks again
        # (brpop_timeout is 5 s; 1 here) until a message comes.
        receiver.brpop_timeout = 1
        calls = bzpopmin_calls(r)
        task = asyncio.ensure_future(receiver.receive("jobs"))
        await until(lambda: bzpopmin_calls(r) >= calls + 2,
                    "BZPOPMIN to time out and block again", 4, [task])
        await until(lambda: h.blocked_count(r) == 1, "BZPOPMIN to block",
                    tasks=[task])
        await sender.send("jobs", {"type": "job", "id": 2})
        assert_eq(await asyncio.wait_for(task, 5), {"type": "job", "id": 2})
        # Two workers blocked on one channel: each send wakes one of them.
        other = make("default")
        tasks = [asyncio.ensure_future(w.receive("jobs"))
                 for w in (receiver, other)]
        await until(lambda: h.blocked_count(r) == 2, "two BZPOPMINs",
                    tasks=tasks)
        await sender.send("jobs", {"id": 3})
        await sender.send("jobs", {"id": 4})
        got = await asyncio.wait_for(asyncio.gather(*tasks), 5)
        assert_eq(sorted(m["id"] for m in got), [3, 4])
        # A consumer waiting on its process-local channel is woken by a
        # group_send, whose ZADD runs inside a Lua script.
        ch = await receiver.new_channel()
        await receiver.group_add("watchers", ch)
        task = asyncio.ensure_future(receiver.receive(ch))
        await until(lambda: h.blocked_count(r) == 1, "BZPOPMIN to block",
                    tasks=[task])
        await sender.group_send("watchers", {"type": "news"})
        assert_eq(await asyncio.wait_for(task, 5), {"type": "news"})
        for layer in (receiver, other):
            await layer.wait_received()
        assert_eq(r.keys("*"), [b"asgi:group:watchers"])

    arun(main)


@test
def layer_inflight_messages_restored():
    r, make = layers()

    async def main():
        sender, receiver = make("default"), make("default")
        await sender.send("work", {"n": 1})
        await sender.send("work", {"n": 2})
        # A receiver that died after its BZPOPMIN moved a message into
        # the "$inflight" backup set, before it was processed: the next
        # receive's Lua script (ZRANGE WITHSCORES, then ZADD with the
        # score strings it got) puts it back, with its score to the last
        # bit (the scores here are 1 us apart, so the order shows it too).
        t = time.time()
        one, two = r.zrange("asgiwork", 0, -1)
        r.zadd("asgiwork", {two: t + 0.000002})
        r.zrem("asgiwork", one)
        r.zadd("asgiwork$inflight", {one: t + 0.000003})
        assert_eq(await receiver.receive("work"), {"n": 2})
        await receiver.wait_received()
        assert_eq(r.keys("*"), [b"asgiwork"])
        assert_eq(r.zrange("asgiwork", 0, -1, withscores=True),
                  [(one, t + 0.000003)])
        assert_eq(await receiver.receive("work"), {"n": 1})
        await receiver.wait_received()
        assert_eq(r.keys("*"), [])

    arun(main)


@test
def layer_process_local_channels():
    r, make = layers()

    async def main():
        a, b = make("default"), make("default")
        ch1 = await a.new_channel()
        ch2 = await a.new_channel()
        assert ch1.startswith("specific.%s!" % a.client_prefix), ch1
        # b sends to a's channels: both go into one sorted set per
        # process, the full channel name inside the message.
        await b.send(ch2, {"type": "to.two"})
        await b.send(ch1, {"type": "to.one"})
        key = ("asgispecific.%s!" % a.client_prefix).encode()
        assert_eq(r.keys("*"), [key])
        assert_eq(r.zcard(key), 2)
        # a receives each on its own channel, though they came in the
        # other order (the first pop is buffered for ch2).
        assert_eq(await a.receive(ch1), {"type": "to.one"})
        assert_eq(await a.receive(ch2), {"type": "to.two"})
        # A reply the other way.
        back = await b.new_channel()
        await a.send(back, {"type": "reply"})
        assert_eq(await b.receive(back), {"type": "reply"})
        await a.wait_received()
        await b.wait_received()
        assert_eq(r.keys("*"), [])

    arun(main)


@test
def layer_groups():
    r, make = layers()

    async def main():
        a, b, c = make("default"), make("default"), make("default")
        a1, a2, b1 = (await a.new_channel(), await a.new_channel(),
                      await b.new_channel())
        for ch in (a1, a2, b1):
            await a.group_add("room", ch)
        await b.group_add("room", "plain.worker")
        gkey = b"asgi:group:room"
        assert_eq(r.type(gkey), b"zset")
        assert_eq(sorted(r.zrange(gkey, 0, -1)),
                  sorted(x.encode() for x in (a1, a2, b1, "plain.worker")))
        within(r.ttl(gkey), 86399, 86400, "group_expiry")
        # group_send from a third instance reaches all four.
        await c.group_send("room", {"type": "hello", "n": 1})
        assert_eq(await a.receive(a1), {"type": "hello", "n": 1})
        assert_eq(await a.receive(a2), {"type": "hello", "n": 1})
        assert_eq(await b.receive(b1), {"type": "hello", "n": 1})
        assert_eq(await c.receive("plain.worker"), {"type": "hello", "n": 1})
        # A discarded channel gets no more group messages: the next thing
        # it receives is a direct message sent after the group's.
        await b.group_discard("room", a2)
        await b.group_discard("room", "never.added")
        assert_eq(r.zcard(gkey), 3)
        await c.group_send("room", {"type": "hello", "n": 2})
        await c.send(a2, {"type": "direct"})
        assert_eq(await a.receive(a2), {"type": "direct"})
        assert_eq(await a.receive(a1), {"type": "hello", "n": 2})
        assert_eq(await b.receive(b1), {"type": "hello", "n": 2})
        assert_eq(await c.receive("plain.worker"), {"type": "hello", "n": 2})
        for layer in (a, b, c):
            await layer.wait_received()
        # A group nobody is in: a no-op.
        await c.group_send("empty", {"type": "x"})
        assert_eq(r.keys("*"), [gkey])

    arun(main)


@test
def layer_capacity():
    r, make = layers()
    from channels.exceptions import ChannelFull

    async def main():
        layer = make("small")       # capacity 3, "roomy*" 10, expiry 30 s
        for i in range(3):
            await layer.send("inbox", {"i": i})
        try:
            await layer.send("inbox", {"i": 3})
            raise AssertionError("a 4th message fit in a capacity of 3")
        except ChannelFull:
            pass
        assert_eq(r.zcard("small:inbox"), 3)
        for i in range(10):
            await layer.send("roomy.inbox", {"i": i})
        assert_eq(r.zcard("small:roomy.inbox"), 10)
        # Messages older than the expiry are dropped (ZREMRANGEBYSCORE
        # up to now - expiry) before the count: age two of the three.
        members = r.zrange("small:inbox", 0, -1)
        r.zadd("small:inbox", {m: time.time() - 100 for m in members[:2]},
               xx=True)
        await layer.send("inbox", {"i": 4})
        assert_eq(r.zcard("small:inbox"), 2)
        assert_eq([await layer.receive("inbox") for _ in range(2)],
                  [{"i": 2}, {"i": 4}])
        # group_send's Lua script skips a full channel and fills the rest.
        for ch in ("full", "roomy.one"):
            await layer.group_add("g", ch)
        for i in range(3):
            await layer.send("full", {"i": i})
        await layer.group_send("g", {"type": "g"})
        assert_eq(r.zcard("small:full"), 3)
        assert_eq(r.zcard("small:roomy.one"), 1)
        within(r.ttl("small:roomy.one"), 29, 30, "group_send's EXPIRE")
        within(r.ttl("small::group:g"), 39, 40, "group_expiry")
        assert_eq(await layer.receive("roomy.one"), {"type": "g"})
        await layer.wait_received()

    arun(main)


@test
def layer_messages_expire():
    r, make = layers()

    async def main():
        layer = make("brief")       # expiry 1 s
        await layer.send("brief", {"old": True})
        within(r.pttl("brief:brief"), 1, 1000, "channel TTL")
        await until(lambda: r.exists("brief:brief") == 0,
                    "the channel key to expire", 4)
        await layer.send("brief", {"old": False})
        assert_eq(await layer.receive("brief"), {"old": False})
        await layer.wait_received()
        assert_eq(r.keys("*"), [])

    arun(main)


@test
def layer_flush():
    r, make = layers()

    async def main():
        layer, small = make("default"), make("small")
        await layer.send("x", {"a": 1})
        await layer.group_add("g", "x")
        await small.send("x", {"a": 1})
        r.set("asg", "not the prefix")
        r.set("other", "kept")
        # flush() is a Lua KEYS asgi* + DEL: the other layer's prefix
        # ("small:") and other keys stay.
        await layer.flush()
        assert_eq(sorted(r.keys("*")), [b"asg", b"other", b"small:x"])
        # The layer works on after its flush (it reopens connections).
        await layer.send("x", {"a": 2})
        assert_eq(await layer.receive("x"), {"a": 2})
        await layer.wait_received()
        assert_eq(sorted(r.keys("*")), [b"asg", b"other", b"small:x"])

    arun(main)


@test
def pubsub_layer():
    r, make = layers()

    async def main():
        a, b = make("pubsub"), make("pubsub")
        ch = await a.new_channel()
        assert ch.startswith("asgispecific."), ch
        # new_channel sends SUBSCRIBE (its reply is read by the layer's
        # receiver task, so wait for the server to count it); send is a
        # PUBLISH.
        await until(lambda: r.pubsub_numsub(ch) == [(ch.encode(), 1)],
                    "the SUBSCRIBE")
        await b.send(ch, {"type": "hi", "blob": b"\x00\xff"})
        assert_eq(await asyncio.wait_for(a.receive(ch), 5),
                  {"type": "hi", "blob": b"\x00\xff"})
        # Groups are channels too: asgi__group__<name>.
        ch2 = await b.new_channel()
        await a.group_add("lobby", ch)
        await b.group_add("lobby", ch2)
        await until(lambda: r.pubsub_numsub("asgi__group__lobby") ==
                    [(b"asgi__group__lobby", 2)], "the group SUBSCRIBEs")
        await b.group_send("lobby", {"type": "all"})
        assert_eq(await asyncio.wait_for(a.receive(ch), 5), {"type": "all"})
        assert_eq(await asyncio.wait_for(b.receive(ch2), 5), {"type": "all"})
        # After group_discard only direct messages arrive.
        await a.group_discard("lobby", ch)
        await until(lambda: r.pubsub_numsub("asgi__group__lobby") ==
                    [(b"asgi__group__lobby", 1)], "the UNSUBSCRIBE")
        await b.group_send("lobby", {"type": "second"})
        await b.send(ch, {"type": "direct"})
        assert_eq(await asyncio.wait_for(b.receive(ch2), 5),
                  {"type": "second"})
        assert_eq(await asyncio.wait_for(a.receive(ch), 5),
                  {"type": "direct"})
        # Nothing is stored: pub/sub only.
        assert_eq(r.dbsize(), 0)
        await a.flush()
        await until(lambda: r.pubsub_numsub(ch) == [(ch.encode(), 0)],
                    "flush to drop the subscription")

    arun(main)


if __name__ == "__main__":
    h.run()
