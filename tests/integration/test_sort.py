#!/usr/bin/python3
"""SORT and SORT_RO through redis-py, the way applications use them:
ids sorted by a weight key, fields fetched from hashes with GET, results
stored with STORE; and what STORE does to the keyspace (events, WATCH,
TTL) and to the stats (keyspace hits and misses of every lookup). Every
test passes against redis-server 7.0 too (RESPITE_BIN=/usr/bin/redis-server).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, assert_raises_text, test  # noqa: E402


def event(key, ev, db=0):
    return ("__keyevent@%d__:%s" % (db, ev), key)


def client():
    r = h.shared_server().client()
    r.flushall()
    return r


def add_users(r):
    """Users 1..5 in a set, each with a score key and a hash."""
    for uid, (name, score) in enumerate(
            [("ann", 30), ("bob", 10), ("cid", 50), ("dee", 20),
             ("eve", 40)], start=1):
        r.sadd("users", uid)
        r.set("score:%d" % uid, score)
        r.hset("user:%d" % uid, mapping={"name": name, "age": 20 + uid})


@test
def ids_by_weight_key():
    r = client()
    add_users(r)
    assert_eq(r.sort("users", by="score:*"),
              [b"2", b"4", b"1", b"5", b"3"])
    assert_eq(r.sort("users", by="score:*", desc=True, start=0, num=2),
              [b"3", b"5"])
    # The classic leaderboard page: names by score, best first.
    assert_eq(r.sort("users", by="score:*", desc=True,
                     get="user:*->name"),
              [b"cid", b"eve", b"ann", b"dee", b"bob"])
    assert_eq(r.sort_ro("users", by="score:*", get=["#", "score:*"]),
              [b"2", b"10", b"4", b"20", b"1", b"30", b"5", b"40", b"3",
               b"50"])


@test
def get_hash_fields_and_missing_ones():
    r = client()
    add_users(r)
    r.hdel("user:3", "name")
    got = r.sort("users", by="user:*->age", get=["user:*->name", "#",
                                                  "nokey:*"])
    assert_eq(got, [b"ann", b"1", None, b"bob", b"2", None, None, b"3",
                    None, b"dee", b"4", None, b"eve", b"5", None])
    assert_eq(r.sort("users", by="user:*->name", alpha=True,
                     get="user:*->name"),
              [None, b"ann", b"bob", b"dee", b"eve"])
    # redis-py's groups= pairs up the GETs.
    assert_eq(r.sort("users", by="score:*", get=["#", "user:*->name"],
                     groups=True, start=0, num=2),
              [(b"2", b"bob"), (b"4", b"dee")])


@test
def store_makes_a_list():
    r = client()
    add_users(r)
    r.set("top", "old", ex=100)
    assert_eq(r.sort("users", by="score:*", desc=True, get="user:*->name",
                     store="top"), 5)
    assert_eq(r.type("top"), b"list")
    assert_eq(r.ttl("top"), -1)
    assert_eq(r.lrange("top", 0, -1),
              [b"cid", b"eve", b"ann", b"dee", b"bob"])
    # GET of nothing stores empty strings.
    assert_eq(r.sort("users", get="nokey:*", store="top", start=0, num=2), 2)
    assert_eq(r.lrange("top", 0, -1), [b"", b""])
    # An empty result deletes the destination.
    assert_eq(r.sort("missing", store="top"), 0)
    assert_eq(r.exists("top"), 0)
    assert_raises_text(lambda: r.execute_command("SORT_RO", "users",
                                                 "STORE", "x"),
                       "syntax error")


@test
def numeric_errors_and_types():
    r = client()
    r.rpush("l", 2, "x", 1)
    assert_raises_text(lambda: r.sort("l"),
                       "One or more scores can't be converted into double")
    assert_eq(r.sort("l", alpha=True), [b"1", b"2", b"x"])
    r.set("s", "v")
    assert_raises_text(lambda: r.sort("s"), "WRONGTYPE")
    r.zadd("z", {"c": 1, "a": 2, "b": 3})
    assert_eq(r.sort("z", by="nosort"), [b"c", b"a", b"b"])
    assert_eq(r.sort("z", alpha=True), [b"a", b"b", b"c"])


@test
def store_events_and_watch():
    r = client()
    r.config_set("notify-keyspace-events", "KEAn")
    ev = h.KeyEvents(h.shared_server(), "__keyevent*__:*")
    try:
        r.rpush("l", 2, 1)
        ev.collect(r)
        r.sort("l", store="d")
        r.sort("l", store="d")
        r.sort("missing", store="d")
        r.sort("missing", store="d")
        assert_eq(ev.collect(r), [event("d", "new"), event("d", "sortstore"),
                        event("d", "sortstore"), event("d", "del")])
    finally:
        r.config_set("notify-keyspace-events", "")
        ev.close()
    # STORE invalidates a WATCH on the destination; plain SORT does not.
    w = h.shared_server().client()
    p = w.pipeline()
    p.watch("d")
    r.sort("l")
    p.multi()
    p.get("x")
    assert_eq(p.execute(), [None])
    p.watch("d")
    r.sort("l", store="d")
    p.multi()
    p.get("x")
    import redis
    try:
        p.execute()
        raise AssertionError("EXEC ran after SORT STORE on a watched key")
    except redis.exceptions.WatchError:
        pass


@test
def lookups_count_hits_and_misses():
    r = client()
    r.rpush("l", 2, 1)
    r.set("w_1", 1)
    r.config_resetstat()
    r.sort("l", by="w_*", get="w_*")
    st = r.info("stats")
    # l and w_1 twice are hits; w_2 twice misses.
    assert_eq((st["keyspace_hits"], st["keyspace_misses"]), (3, 2))
    r.sort("l", by="w_*", get="w_*", store="d")
    st = r.info("stats")
    assert_eq((st["keyspace_hits"], st["keyspace_misses"]), (6, 4))


if __name__ == "__main__":
    h.run()
