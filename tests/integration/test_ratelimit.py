#!/usr/bin/python3
"""RATELIMIT, CL.THROTTLE and the lock commands (SET IFEQ/IFNE/IFDEQ/IFDNE,
DELEX, DELIFEQ, DIGEST) over real sockets with redis-py and raw RESP.

Time is moved with DEBUG JUMP-CLOCK, never slept. A RATELIMIT and the
PTTL that checks it run in one MULTI/EXEC, which the server runs within
one loop iteration, so both see the same millisecond."""

import contextlib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, assert_raises_text, test  # noqa: E402

import redis  # noqa: E402

HOUR = 3600000


def rl(r, *args):
    return r.execute_command("RATELIMIT", *args)


def jump(r, ms):
    r.execute_command("DEBUG", "JUMP-CLOCK", ms)


def other_type_key(r, key):
    """Creates key holding a non-string value with whatever type command
    the server has; skips the test when it has none yet."""
    for cmd in (("LPUSH", key, "a"), ("SADD", key, "a"),
                ("HSET", key, "a", "b"), ("XADD", key, "*", "a", "b"),
                ("ZADD", key, "1", "a")):
        try:
            r.execute_command(*cmd)
            return
        except redis.exceptions.ResponseError as e:
            if "unknown command" not in str(e):
                raise
    h.skip("no non-string type in this server yet")


# ---- RATELIMIT ----------------------------------------------------------

@test(respite_only=True)
def shared_limiter_two_clients():
    r1 = h.flushed()
    r2 = h.shared_server().client()
    # 5 per hour: nothing refills while the test runs.
    got = [rl(r1 if i % 2 else r2, "api:7", 5, HOUR)[0] for i in range(8)]
    assert_eq(got, [1, 1, 1, 1, 1, 0, 0, 0], "admits across two clients")
    res = rl(r1, "api:7", 5, HOUR)
    assert_eq(res[:3], [0, 5, 0])
    # One emission interval after the first admit (real ms pass between
    # commands, so only a bound here; test_ratelimit.c checks exactness).
    assert HOUR // 5 - 1000 < res[3] <= HOUR // 5, res
    jump(r1, res[3] - 1000)
    assert_eq(rl(r2, "api:7", 5, HOUR)[0], 0, "a second early")
    jump(r1, 1000)
    assert_eq(rl(r2, "api:7", 5, HOUR)[:3], [1, 5, 0], "admitted on time")


@test(respite_only=True)
def reply_shape_resp2_and_resp3():
    s = h.shared_server()
    h.flushed()
    with s.conn() as c:
        assert_eq(c.call("RATELIMIT", "k", "10", "1000"),
                  b"*5\r\n:1\r\n:10\r\n:9\r\n:-1\r\n:100\r\n")
        c.call("HELLO", "3")
        assert_eq(c.call("RATELIMIT", "k2", "10", "1000", "COST", "0"),
                  b"*5\r\n:1\r\n:10\r\n:10\r\n:-1\r\n:0\r\n")


@test(respite_only=True)
def command_names_any_case():
    s = h.shared_server()
    h.flushed()
    with s.conn() as c:
        assert_eq(c.call("rAtElImIt", "k", "10", "1000"),
                  b"*5\r\n:1\r\n:10\r\n:9\r\n:-1\r\n:100\r\n")
        assert_eq(c.call("cl.throttle", "k2", "0", "1", "60")[:8],
                  b"*5\r\n:0\r\n")
        # The '.' differs from \x0e by 0x20 only: that is not a case.
        assert c.call("CL\x0eTHROTTLE", "k3", "0", "1", "60").startswith(
            b"-ERR unknown command"), "non-letter folded"


@test(respite_only=True)
def reset_after_is_the_pttl():
    r = h.flushed()
    for algo in ("gcra", "fixed", "sliding"):
        key = "rl:" + algo
        for cost in (1, 3, 2):
            p = r.pipeline()        # MULTI/EXEC: one clock reading
            p.execute_command("RATELIMIT", key, 7, 1000, "BURST", 7,
                              "COST", cost, "ALGO", algo)
            p.pttl(key)
            res, pttl = p.execute()
            assert_eq(res[0], 1, algo)
            assert_eq(pttl, res[4], "%s: PTTL == reset-after" % algo)
        assert_eq(r.type(key), b"string")
        jump(r, r.pttl(key))
        assert_eq(r.exists(key), 0, "%s: gone when full again" % algo)


@test(respite_only=True)
def denied_and_peek_change_nothing():
    r = h.flushed()
    assert_eq(rl(r, "p", 2, HOUR, "COST", 0), [1, 2, 2, -1, 0])
    assert_eq(r.exists("p"), 0, "a peek creates nothing")
    rl(r, "p", 2, HOUR, "COST", 2)

    def state():
        return r.get("p"), r.execute_command("PEXPIRETIME", "p")
    before = state()
    res = rl(r, "p", 2, HOUR)
    assert_eq(res[0], 0)
    assert_eq(state(), before, "denied call")
    rl(r, "p", 2, HOUR, "COST", 0)
    assert_eq(state(), before, "peek")


@test(respite_only=True)
def algorithms_fixed_and_sliding():
    r = h.flushed()
    got = [rl(r, "f", 3, HOUR, "ALGO", "fixed")[0] for _ in range(4)]
    assert_eq(got, [1, 1, 1, 0])
    res = rl(r, "f", 3, HOUR, "ALGO", "FIXED")
    jump(r, res[3])
    assert_eq(rl(r, "f", 3, HOUR, "ALGO", "fixed")[:3], [1, 3, 2],
              "a new window")
    got = [rl(r, "s", 3, HOUR, "ALGO", "sliding")[0] for _ in range(4)]
    assert_eq(got, [1, 1, 1, 0])
    res = rl(r, "s", 3, HOUR, "ALGO", "sliding")
    jump(r, res[3] - 1000)
    assert_eq(rl(r, "s", 3, HOUR, "ALGO", "sliding")[0], 0)
    jump(r, 1000)
    assert_eq(rl(r, "s", 3, HOUR, "ALGO", "sliding")[0], 1)


@test(respite_only=True)
def del_resets_and_persist_keeps():
    r = h.flushed()
    rl(r, "d", 1, HOUR)
    assert_eq(rl(r, "d", 1, HOUR)[0], 0)
    r.delete("d")
    assert_eq(rl(r, "d", 1, HOUR)[0], 1, "DEL resets the limiter")
    r.rename("d", "e")
    assert_eq(rl(r, "e", 1, HOUR)[0], 0, "the state moves with RENAME")


@test(respite_only=True)
def bad_arguments():
    r = h.flushed()
    rl(r, "b", 5, 1000)
    before = r.get("b")
    cases = [
        (("b", "x", 1000), "limit must be an integer from 1 to 1099511627776"),
        (("b", 0, 1000), "limit must be an integer from 1"),
        (("b", -3, 1000), "limit must be an integer from 1"),
        (("b", 5, 0), "period-ms must be an integer from 1"),
        (("b", 5, "1.5"), "period-ms must be an integer from 1"),
        (("b", 5, 1000, "BURST", 0), "BURST must be an integer from 1"),
        (("b", 5, 1000, "COST", -1), "COST must be an integer from 0"),
        (("b", 5, 1000, "COST", 6), "COST must not be greater than the burst"),
        (("b", 5, 1000, "BURST", 2, "COST", 3),
         "COST must not be greater than the burst"),
        (("b", 5, 1000, "ALGO", "leaky"), "ALGO must be one of gcra"),
        (("b", 5, 1000, "BURST"), "syntax error"),
        (("b", 5, 1000, "FOO", 1), "syntax error"),
    ]
    for args, want in cases:
        assert_raises_text(lambda: rl(r, *args), want)
    assert_eq(r.get("b"), before, "errors changed nothing")
    assert_raises_text(lambda: rl(r, "b", 5), "wrong number of arguments")


@test(respite_only=True)
def not_limiter_state_and_wrongtype():
    r = h.flushed()
    r.set("plain", "hello")
    assert_raises_text(lambda: rl(r, "plain", 5, 1000),
                       "key does not hold rate limiter state")
    assert_raises_text(
        lambda: r.execute_command("CL.THROTTLE", "plain", 1, 1, 1),
        "key does not hold rate limiter state")
    assert_eq(r.get("plain"), b"hello")


@test(respite_only=True)
def watch_sees_ratelimit():
    r = h.flushed()
    p = r.pipeline()
    p.watch("w")
    rl(h.shared_server().client(), "w", 5, 1000)
    p.multi()
    p.set("x", 1)
    try:
        p.execute()
    except redis.exceptions.WatchError:
        pass
    else:
        raise AssertionError("RATELIMIT did not touch the WATCHed key")


@test(respite_only=True)
def keyspace_notifications():
    s = h.shared_server()
    r = h.flushed()
    r.config_set("notify-keyspace-events", "EAn")
    try:
        with contextlib.closing(h.KeyEvents(s, "__keyevent@0__:*")) as ev:
            rl(r, "n", 1, HOUR)             # creates: new, ratelimit
            rl(r, "n", 1, HOUR)             # denied: nothing
            rl(r, "n", 1, HOUR, "COST", 0)  # peek: nothing
            r.execute_command("CL.THROTTLE", "c", 5, 1, 60)  # new, ratelimit
            r.set("lk", "t")
            r.execute_command("DELEX", "lk", "IFEQ", "x")    # nothing
            r.execute_command("DELEX", "lk", "IFEQ", "t")    # del
            got = ev.keyevents(r)
    finally:
        r.config_set("notify-keyspace-events", "")
    assert_eq(got, [("new", "n"), ("ratelimit", "n"), ("new", "c"),
                    ("ratelimit", "c"), ("new", "lk"), ("set", "lk"),
                    ("del", "lk")])


@test(respite_only=True)
def expired_limiter_events():
    """A limiter whose state ran out is reported expired before the call
    that starts it again (new, ratelimit); a peek on it only expires it.
    Jump and call share a MULTI so the sweeper cannot get there first."""
    s = h.shared_server()
    r = h.flushed()
    r.config_set("notify-keyspace-events", "EAn")
    before = r.info("stats")["expired_keys"]
    try:
        with contextlib.closing(h.KeyEvents(s, "__keyevent@0__:*")) as ev:
            assert_eq(rl(r, "e", 2, 1000), [1, 2, 1, -1, 500])
            p = r.pipeline(transaction=True)
            p.execute_command("DEBUG", "JUMP-CLOCK", 600)
            p.execute_command("RATELIMIT", "e", 2, 1000)
            p.pttl("e")
            res = p.execute()
            assert_eq(res[1], [1, 2, 1, -1, 500], "a fresh limiter")
            assert_eq(res[2], 500, "TTL is the new reset-after")
            p = r.pipeline(transaction=True)
            p.execute_command("DEBUG", "JUMP-CLOCK", 600)
            p.execute_command("RATELIMIT", "e", 2, 1000, "COST", 0)
            p.exists("e")
            res = p.execute()
            assert_eq(res[1], [1, 2, 2, -1, 0], "a peek sees it full")
            assert_eq(res[2], 0, "the peek removed the expired key")
            got = ev.keyevents(r)
    finally:
        r.config_set("notify-keyspace-events", "")
    assert_eq(got, [("new", "e"), ("ratelimit", "e"), ("expired", "e"),
                    ("new", "e"), ("ratelimit", "e"), ("expired", "e")])
    assert_eq(r.info("stats")["expired_keys"] - before, 2)


# ---- CL.THROTTLE ----------------------------------------------------------

@test(respite_only=True)
def cl_throttle_redis_cell_replies():
    r = h.flushed()

    def thr(*a):
        return r.execute_command("CL.THROTTLE", *a)
    # redis-cell README: 15 burst, 30 per 60 s.
    assert_eq(thr("user123", 15, 30, 60), [0, 16, 15, -1, 2])
    assert_eq(thr("user123", 15, 30, 60, 1), [0, 16, 14, -1, 4])
    # max_burst 1 (2 at once), 1 per 10 s: the third is limited; 10 s
    # retry, 20 s until full, both in whole seconds rounded up.
    assert_eq(thr("t", 1, 1, 10), [0, 2, 1, -1, 10])
    assert_eq(thr("t", 1, 1, 10), [0, 2, 0, -1, 20])
    assert_eq(thr("t", 1, 1, 10), [1, 2, 0, 10, 20])
    jump(r, 500)
    assert_eq(thr("t", 1, 1, 10), [1, 2, 0, 10, 20], "9.5 s rounds up")
    # A quantity above max_burst + 1 never passes: retry -1.
    assert_eq(thr("q", 1, 1, 10, 3), [1, 2, 2, -1, 0])
    assert_eq(thr("q", 1, 1, 10, 0), [0, 2, 2, -1, 0], "quantity 0 peeks")
    assert_eq(r.exists("q"), 0)
    assert_raises_text(lambda: thr("q", -1, 1, 10), "max_burst must be")
    assert_raises_text(lambda: thr("q", 1, 0, 10), "count must be")
    assert_raises_text(lambda: thr("q", 1, 1, "x"), "period must be")
    assert_raises_text(lambda: thr("q", 1, 1, 1, -2), "quantity must be")
    assert_raises_text(lambda: thr("q", 1, 1), "wrong number of arguments")


# ---- Locks ----------------------------------------------------------------

@test(respite_only=True, reason="Redis 8.4 / Valkey 9 commands")
def digest_values():
    r = h.flushed()
    for value, want in ((b"hello", b"9555e8555c62dcfd"),
                        (b"", b"2d06800538d394c2"),
                        (b"123", b"404a763b3f4c8c9a"),
                        (b"v8", b"0cc76dbb41381419")):
        r.set("d", value)
        assert_eq(r.execute_command("DIGEST", "d"), want, repr(value))
    assert_eq(r.execute_command("DIGEST", "missing"), None)
    assert_raises_text(lambda: r.execute_command("DIGEST"),
                       "wrong number of arguments for 'digest' command")


@test(respite_only=True, reason="Redis 8.4 / Valkey 9 commands")
def lock_only_owner_releases():
    r = h.flushed()
    a = h.shared_server().client()
    b = h.shared_server().client()
    assert_eq(a.execute_command("SET", "lock", "tokA", "NX", "PX", 30000), True)
    assert_eq(b.execute_command("SET", "lock", "tokB", "NX", "PX", 30000), None)
    assert_eq(b.execute_command("DELEX", "lock", "IFEQ", "tokB"), 0)
    assert_eq(b.execute_command("DELIFEQ", "lock", "tokB"), 0)
    assert_eq(b.execute_command("SET", "lock", "tokB", "XX", "PX", 30000,
                                "IFEQ", "tokB"), None, "B can not extend")
    assert_eq(r.get("lock"), b"tokA")
    assert_eq(a.execute_command("SET", "lock", "tokA", "XX", "PX", 60000,
                                "IFEQ", "tokA"), True, "A extends")
    assert 30000 < r.pttl("lock") <= 60000, r.pttl("lock")
    assert_eq(a.execute_command("DELEX", "lock", "IFEQ", "tokA"), 1)
    assert_eq(r.exists("lock"), 0)
    r.set("lock", "tokA")
    assert_eq(a.execute_command("DELIFEQ", "lock", "tokA"), 1)
    assert_eq(a.execute_command("DELIFEQ", "lock", "tokA"), 0)


@test(respite_only=True, reason="Redis 8.4 / Valkey 9 commands")
def set_conditions():
    r = h.flushed()

    def s(*a):
        # redis-py turns +OK into True; with GET the reply is the value.
        return r.execute_command("SET", *a, get="GET" in a)
    assert_eq(s("k", "v", "IFEQ", "x"), None, "IFEQ on a missing key")
    assert_eq(r.exists("k"), 0)
    assert_eq(s("k", "v", "IFDEQ", "0123456789abcdef"), None)
    assert_eq(r.exists("k"), 0)
    assert_eq(s("k", "v1", "IFNE", "x"), True, "IFNE creates")
    assert_eq(s("k2", "v1", "IFDNE", "0123456789abcdef"), True)
    assert_eq(s("k", "v2", "IFNE", "v1"), None)
    assert_eq(s("k", "v2", "ifeq", "v1"), True)
    assert_eq(s("k", "v3", "IFEQ", "v1", "GET"), b"v2", "GET, no match")
    assert_eq(r.get("k"), b"v2")
    assert_eq(s("k", "v3", "IFEQ", "v2", "GET", "EX", 100), b"v2")
    assert_eq(r.get("k"), b"v3")
    assert 0 < r.ttl("k") <= 100
    dig = r.execute_command("DIGEST", "k")
    assert_eq(s("k", "v4", "IFDNE", dig), None)
    assert_eq(s("k", "v4", "IFDEQ", dig.upper()), True, "any case")
    assert_eq(r.ttl("k"), -1, "no KEEPTTL: the TTL is dropped")
    assert_eq(s("k", "v5", "IFDEQ", "z" * 16), None, "16 chars, no match")
    for bad in (("NX", "IFEQ", "a"), ("IFEQ", "a", "NX"),
                ("IFEQ", "a", "IFNE", "b"),
                ("IFDEQ", "0" * 16, "IFDNE", "0" * 16), ("IFEQ",)):
        assert_raises_text(lambda: s("k", "z", *bad), "syntax error")
    assert_raises_text(lambda: s("k", "z", "IFDEQ", "abc"),
                       "must be exactly 16 hexadecimal characters")
    assert_raises_text(lambda: s("k", "z", "IFDNE", "0" * 17),
                       "must be exactly 16 hexadecimal characters")
    assert_eq(r.get("k"), b"v4", "errors changed nothing")


@test(respite_only=True, reason="Redis 8.4 / Valkey 9 commands")
def delex_semantics():
    r = h.flushed()

    def d(*a):
        return r.execute_command("DELEX", *a)
    assert_eq(d("foo"), 0)
    r.set("foo", "hello")
    assert_eq(d("foo"), 1)
    for cond in ("IFEQ", "IFNE", "IFDEQ", "IFDNE", "FOO"):
        assert_eq(d("foo", cond, "bar"), 0, "missing key, " + cond)
    r.set("foo", "hello")
    assert_eq(d("foo", "IFEQ", "other"), 0)
    assert_eq(d("foo", "IFNE", "hello"), 0)
    assert_eq(d("foo", "IFDNE", "9555E8555C62DCFD"), 0)
    assert_eq(d("foo", "IFDEQ", "z" * 16), 0)
    assert_raises_text(lambda: d("foo", "IFDEQ", "9555e8555c62dcf"),
                       "must be exactly 16 hexadecimal characters")
    assert_raises_text(lambda: d("foo", "FOO", "hello"),
                       "Invalid condition. Use IFEQ, IFNE, IFDEQ, or IFDNE")
    for extra in (("IFEQ",), ("IFEQ", "hello", "x")):
        assert_raises_text(lambda: d("foo", *extra),
                           "wrong number of arguments for 'delex' command")
        assert_raises_text(lambda: d("missing", *extra),
                           "wrong number of arguments for 'delex' command")
    assert_eq(r.get("foo"), b"hello")
    assert_eq(d("foo", "ifdeq", "9555e8555c62dcfd"), 1)
    r.set("foo", "0123")
    assert_eq(d("foo", "IFEQ", "123"), 0, "bytes, not numbers")
    assert_eq(d("foo", "IfNe", "123"), 1)


@test(respite_only=True)
def wrongtype_errors():
    r = h.flushed()
    other_type_key(r, "o")
    assert_raises_text(lambda: rl(r, "o", 5, 1000), "WRONGTYPE")
    assert_raises_text(lambda: r.execute_command("CL.THROTTLE", "o", 1, 1, 1),
                       "WRONGTYPE")
    assert_raises_text(lambda: r.execute_command("DIGEST", "o"), "WRONGTYPE")
    assert_raises_text(lambda: r.execute_command("SET", "o", "z", "IFEQ", "a"),
                       "WRONGTYPE")
    assert_raises_text(
        lambda: r.execute_command("SET", "o", "z", "IFNE", "a", "GET"),
        "WRONGTYPE")
    assert_raises_text(
        lambda: r.execute_command("DELEX", "o", "IFEQ", "a"),
        "Key should be of string type if conditions are specified")
    assert_raises_text(lambda: r.execute_command("DELIFEQ", "o", "a"),
                       "WRONGTYPE")
    assert_eq(r.execute_command("DELEX", "o"), 1, "no condition: any type")


@test(respite_only=True, reason="Redis 8.4 / Valkey 9 commands")
def delex_invalidates_watch():
    r = h.flushed()
    r.set("foo", "hello")
    with r.pipeline() as p:
        p.watch("foo")
        assert_eq(r.execute_command("DELEX", "foo", "IFEQ", "hello"), 1)
        p.multi()
        p.set("bar", "baz")
        try:
            p.execute()
        except redis.exceptions.WatchError:
            pass
        else:
            raise AssertionError("DELEX did not touch the WATCHed key")


if __name__ == "__main__":
    h.run()
