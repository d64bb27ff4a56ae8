#!/usr/bin/python3
"""What apps do with Respite, through redis-py (Debian's python3-redis)
with its default options: the ten scenarios of issue 8, each a real
assertion against a real server. The Node clients run the same ones
(tests/scenarios/scenarios_*.mjs).

 1 cache with TTLs         6 rate limit shared by two clients
 2 prefix listing          7 a lock only its owner releases
 3 config watch            8 secondary indexes with SINTER
 4 event bus               9 a queue with two BRPOP workers
 5 event store, groups    10 connection by URL with a password

RESPITE_BIN=/usr/bin/redis-server runs them against Redis too; the two
that need Respite's own commands (RATELIMIT, DELEX) are skipped there."""

import os
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness as h  # noqa: E402
from harness import (assert_eq, assert_raises_text,  # noqa: E402
                     test, wait_blocked)

import redis  # noqa: E402


def app():
    """A client as an app makes it: redis.Redis(host, port), defaults."""
    return redis.Redis(host="127.0.0.1", port=h.shared_server().port)


def bounded(pred, what, timeout=5.0):
    """Polls pred until true, or fails after timeout seconds."""
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.01)


@test
def cache_with_ttl():
    r = app()
    r.flushall()

    def load_user(uid):
        cached = r.get("cache:user:%d" % uid)
        if cached is not None:
            return cached, "hit"
        value = b"user-%d-from-db" % uid
        r.set("cache:user:%d" % uid, value, px=300)
        return value, "miss"

    assert_eq(load_user(7), (b"user-7-from-db", "miss"))
    assert_eq(load_user(7), (b"user-7-from-db", "hit"))
    assert 0 < r.pttl("cache:user:7") <= 300
    r.set("cache:page", "html", ex=60)
    assert 55 <= r.ttl("cache:page") <= 60
    start = time.monotonic()
    bounded(lambda: r.get("cache:user:7") is None, "the entry to expire")
    assert time.monotonic() - start < 1.5
    assert_eq(load_user(7)[1], "miss")


@test
def prefix_listing():
    r = app()
    r.flushall()
    for key in ("logs/app.log", "logs/error.log", "configs/app.json"):
        r.set(key, "contents of " + key)
    for i in range(500):
        r.set("other/%d" % i, i)
    assert_eq(sorted(r.scan_iter(match="logs/*")),
              [b"logs/app.log", b"logs/error.log"])
    assert_eq(sorted(r.scan_iter(match="logs/*", count=1)),
              [b"logs/app.log", b"logs/error.log"])
    assert_eq(list(r.scan_iter(match="configs/*", _type="string")),
              [b"configs/app.json"])


@test
def config_watch():
    r = app()
    r.flushall()
    r.config_set("notify-keyspace-events", "KA")
    try:
        p = r.pubsub()
        p.subscribe("__keyspace@0__:config:app")
        assert_eq(p.get_message(timeout=5)["type"], "subscribe")
        r.set("config:app", '{"feature": true}')
        msg = p.get_message(timeout=5)
        assert_eq((msg["channel"], msg["data"]),
                  (b"__keyspace@0__:config:app", b"set"))
        r.expire("config:app", 100)
        assert_eq(p.get_message(timeout=5)["data"], b"expire")
        p.close()
    finally:
        r.config_set("notify-keyspace-events", "")


@test
def event_bus_binary_payloads():
    r = app()
    payloads = [bytes(range(256)), b"\x00\r\n\xff", b"", "été".encode()]
    subs = [r.pubsub(), r.pubsub()]
    subs[0].subscribe("orders")
    subs[1].psubscribe("order*")
    for s in subs:
        assert s.get_message(timeout=5)["type"] in ("subscribe",
                                                    "psubscribe")
    for data in payloads:
        assert_eq(r.publish("orders", data), 2)
    for s in subs:
        got = [s.get_message(timeout=5)["data"] for _ in payloads]
        assert_eq(got, payloads)
        s.close()


@test
def event_store_and_consumer_group():
    r = app()
    r.flushall()
    for i in range(1, 26):
        r.xadd("user-1", {"type": "click", "n": i}, id="%d-0" % (1000 + i))
    r.xadd("user-2", {"type": "view"}, id="1-0")
    # Pages of 10 with a cursor: the next page starts after the last ID.
    pages, cursor = [], "-"
    while True:
        page = r.xrange("user-1", min=cursor, count=10)
        if not page:
            break
        pages.append(len(page))
        cursor = "(" + page[-1][0].decode()
    assert_eq(pages, [10, 10, 5])
    # A time range by ID (the ms part of an ID is the time).
    assert_eq([e[0] for e in r.xrange("user-1", "1010", "1012")],
              [b"1010-0", b"1011-0", b"1012-0"])
    # Replay from 0, then follow live entries with XREAD BLOCK on $.
    replayed = r.xread({"user-1": "0"})[0][1]
    assert_eq(len(replayed), 25)
    follower = app()
    got = []
    t = threading.Thread(target=lambda: got.extend(
        follower.xread({"user-1": "$"}, block=5000)))
    t.start()
    wait_blocked(r, 1)
    r.xadd("user-1", {"type": "buy"}, id="2000-0")
    t.join()
    assert_eq(got[0][1][0], (b"2000-0", {b"type": b"buy"}))
    # A work queue: two consumers; one crashes holding its entries.
    r.xgroup_create("jobs", "workers", id="0", mkstream=True)
    for i in range(6):
        r.xadd("jobs", {"job": i})
    crashed = r.xreadgroup("workers", "alice", {"jobs": ">"}, count=3)
    bob = r.xreadgroup("workers", "bob", {"jobs": ">"}, count=3)
    for eid, _ in bob[0][1]:
        r.xack("jobs", "workers", eid)
    assert_eq(r.xpending("jobs", "workers")["pending"], 3)
    time.sleep(0.05)
    claimed = r.xautoclaim("jobs", "workers", "bob", min_idle_time=20)
    assert_eq([e[0] for e in claimed[1]], [e[0] for e in crashed[0][1]])
    for eid, _ in claimed[1]:
        r.xack("jobs", "workers", eid)
    assert_eq(r.xpending("jobs", "workers")["pending"], 0)


@test(respite_only=True, reason="RATELIMIT is Respite's")
def rate_limit_two_clients():
    app().flushall()
    allowed = []

    def calls(n):
        c = app()
        for _ in range(n):
            allowed.append(c.execute_command("RATELIMIT", "rl:user:42",
                                             100, 60000)[0])

    threads = [threading.Thread(target=calls, args=(75,)) for _ in range(2)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # 100 at once, then one more every 600 ms: a machine slow enough to
    # take that long over the 150 calls sees one more admitted each time.
    ms = (time.monotonic() - t0) * 1000
    assert len(allowed) == 150 and \
        100 <= sum(allowed) <= 100 + int(ms // 600), (sum(allowed), ms)
    c = app()
    for _ in range(6):
        reply = c.execute_command("RATELIMIT", "rl:user:42", 100, 60000)
        if reply[0] == 0:
            break
    assert_eq(reply[:3], [0, 100, 0])
    assert 0 < reply[3] <= 600 and 0 < reply[4] <= 60000, reply


@test(respite_only=True, reason="DELEX is Redis 8.4's")
def lock_only_owner_releases():
    owner, other = app(), app()
    owner.delete("lock:job42")
    assert owner.set("lock:job42", "token-a", nx=True, px=30000)
    assert_eq(other.set("lock:job42", "token-b", nx=True, px=30000), None)
    assert_eq(other.execute_command("DELEX", "lock:job42", "IFEQ",
                                    "token-b"), 0)
    assert_eq(other.get("lock:job42"), b"token-a")
    assert owner.execute_command("SET", "lock:job42", "token-a", "XX", "PX",
                                 30000, "IFEQ", "token-a")
    assert_eq(owner.execute_command("DELEX", "lock:job42", "IFEQ",
                                    "token-a"), 1)
    assert_eq(owner.exists("lock:job42"), 0)


@test
def secondary_indexes():
    r = app()
    r.flushall()
    model = {}
    pipe = r.pipeline()
    for i in range(300):
        kind = ("click", "view", "buy")[i % 3]
        day = "2026-11-%02d" % (1 + i % 7)
        pipe.hset("event:%d" % i, mapping={"type": kind, "day": day,
                                            "user": i % 11})
        pipe.sadd("idx:type:" + kind, i)
        pipe.sadd("idx:day:" + day, i)
        model.setdefault((kind, day), set()).add(b"%d" % i)
    pipe.execute()
    for (kind, day), ids in model.items():
        assert_eq(r.sinter("idx:type:" + kind, "idx:day:" + day), ids)
    some = sorted(model[("buy", "2026-11-03")])[0]
    assert_eq(r.hget(b"event:" + some, "type"), b"buy")


@test
def queue_with_two_workers():
    r = app()
    r.flushall()
    done, lock = [], threading.Lock()

    def worker():
        c = app()
        while True:
            job = c.brpop("jobs", timeout=2)
            if job is None or job[1] == b"stop":
                return
            with lock:
                done.append(job[1])

    workers = [threading.Thread(target=worker) for _ in range(2)]
    for t in workers:
        t.start()
    for i in range(200):
        r.lpush("jobs", "job:%d" % i)
    r.lpush("jobs", "stop", "stop")
    for t in workers:
        t.join()
    assert_eq(sorted(done), sorted(b"job:%d" % i for i in range(200)))


@test
def connection_by_url_with_password():
    with h.Server("--requirepass", "s3cret") as srv:
        url = "redis://:s3cret@127.0.0.1:%d/2" % srv.port
        c = redis.Redis.from_url(url)
        c.set("greeting", "hello")
        assert_eq(c.get("greeting"), b"hello")
        other = redis.Redis(host="127.0.0.1", port=srv.port,
                            password="s3cret", db=0)
        assert_eq(other.get("greeting"), None)
        assert_eq(other.info("keyspace")["db2"]["keys"], 1)
        bad = redis.Redis.from_url("redis://:wrong@127.0.0.1:%d/2"
                                   % srv.port)
        assert_raises_text(bad.ping, "WRONGPASS invalid username-password")


if __name__ == "__main__":
    h.run()
