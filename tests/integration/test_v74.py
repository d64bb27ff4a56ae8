#!/usr/bin/python3
"""The Redis 7.2 and 7.4 additions Respite has (it reports redis_version
7.4.0, so client libraries use them): ZRANK/ZREVRANK ... WITHSCORE,
XREAD ... STREAMS key + and 7.4's unbalanced-list error, CLIENT KILL ...
MAXAGE, WAITAOF, CLIENT NO-TOUCH, XINFO's consumer inactive and
active-time, CLIENT LIST's watch=, Lua's os.clock, INFO's
total_watched_keys, total_blocking_keys and total_blocking_keys_on_nokey,
ACL LOG's entry-id and timestamps, EVAL's script cache bounded at 500
(evicted_scripts), and HSCAN ... NOVALUES. The replies asserted are the documented bytes of those
versions, in RESP2 and RESP3 where the protocol matters.

These run against Respite only: the reference redis-server is 7.0,
which lacks every one of them (inputs whose 7.0 reply is unchanged are
in tests/compat/cases.txt; a blocked XREADGROUP whose stream goes is in
test_streams.py and test_blocking.py)."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, test  # noqa: E402

NEWER = "a Redis 7.2/7.4 form; the reference redis-server is 7.0"


def v74(fn):
    return test(fn, respite_only=True, reason=NEWER)


def both_protocols(calls):
    """Runs each call (a tuple of arguments) on a fresh connection in RESP2
    and then in RESP3; returns {2: [raw replies], 3: [raw replies]}."""
    out = {}
    for proto in (2, 3):
        with h.shared_server().conn() as c:
            if proto == 3:
                c.call("HELLO", "3")
            out[proto] = [c.call(*a) for a in calls]
    return out


# ---- ZRANK / ZREVRANK WITHSCORE (7.2) ---------------------------------------

@v74
def zrank_withscore():
    r = h.flushed()
    r.zadd("z", {"a": 1, "b": 2.5, "c": 3})
    got = both_protocols([("ZRANK", "z", "b", "WITHSCORE"),
                          ("ZREVRANK", "z", "b", "withscore"),
                          ("ZRANK", "z", "a", "WithScore"),
                          ("ZREVRANK", "z", "a", "WITHSCORE"),
                          ("ZRANK", "z", "nosuch", "WITHSCORE"),
                          ("ZRANK", "nokey", "a", "WITHSCORE"),
                          ("ZRANK", "z", "b")])
    assert_eq(got[2], [b"*2\r\n:1\r\n$3\r\n2.5\r\n",
                       b"*2\r\n:1\r\n$3\r\n2.5\r\n",
                       b"*2\r\n:0\r\n$1\r\n1\r\n",
                       b"*2\r\n:2\r\n$1\r\n1\r\n",
                       b"*-1\r\n", b"*-1\r\n", b":1\r\n"])
    assert_eq(got[3], [b"*2\r\n:1\r\n,2.5\r\n", b"*2\r\n:1\r\n,2.5\r\n",
                       b"*2\r\n:0\r\n,1\r\n", b"*2\r\n:2\r\n,1\r\n",
                       b"_\r\n", b"_\r\n", b":1\r\n"])


@v74
def zrank_withscore_errors():
    r = h.flushed()
    r.zadd("z", {"a": 1})
    r.set("str", "x")
    got = both_protocols([("ZRANK", "z", "a", "WITHSCORES"),
                          ("ZRANK", "z", "a", "WITHSCORE", "x"),
                          ("ZREVRANK", "z", "a", "b", "c"),
                          ("ZRANK", "nokey", "a", "bad"),
                          ("ZRANK", "str", "a", "WITHSCORE"),
                          ("ZRANK", "z")])
    assert_eq(got[2], got[3])
    assert_eq(got[2], [
        b"-ERR syntax error\r\n",
        b"-ERR wrong number of arguments for 'zrank' command\r\n",
        b"-ERR wrong number of arguments for 'zrevrank' command\r\n",
        b"-ERR syntax error\r\n",
        b"-WRONGTYPE Operation against a key holding the wrong kind of "
        b"value\r\n",
        b"-ERR wrong number of arguments for 'zrank' command\r\n"])


# ---- XREAD ... STREAMS key + (7.4) -----------------------------------------

def entry(id_, *fv):
    out = b"*2\r\n$%d\r\n%s\r\n*%d\r\n" % (len(id_), id_, len(fv))
    return out + b"".join(b"$%d\r\n%s\r\n" % (len(x), x) for x in fv)


@v74
def xread_plus_reads_the_last_entry():
    r = h.flushed()
    r.xadd("s", {"a": "1"}, id="1-1")
    r.xadd("s", {"b": "2"}, id="2-0")
    r.xadd("t", {"c": "3"}, id="5-0")
    got = both_protocols([("XREAD", "STREAMS", "s", "+"),
                          ("XREAD", "COUNT", "5", "STREAMS", "s", "t", "+",
                           "0"),
                          ("XREAD", "STREAMS", "nokey", "+")])
    last_s = b"$1\r\ns\r\n*1\r\n" + entry(b"2-0", b"b", b"2")
    all_t = b"$1\r\nt\r\n*1\r\n" + entry(b"5-0", b"c", b"3")
    assert_eq(got[2], [b"*1\r\n*2\r\n" + last_s,
                       b"*2\r\n*2\r\n" + last_s + b"*2\r\n" + all_t,
                       b"*-1\r\n"])
    assert_eq(got[3], [b"%1\r\n" + last_s, b"%2\r\n" + last_s + all_t,
                       b"_\r\n"])
    # The last entry still there, after the newest is deleted.
    r.xdel("s", "2-0")
    assert_eq(r.execute_command("XREAD", "STREAMS", "s", "+"),
              [[b"s", [(b"1-1", {b"a": b"1"})]]])
    r.xdel("s", "1-1")
    with h.shared_server().conn() as c:
        assert_eq(c.call("XREAD", "STREAMS", "s", "+"), b"*-1\r\n")


@v74
def xread_plus_errors():
    r = h.flushed()
    r.xadd("s", {"a": "1"}, id="1-1")
    r.xgroup_create("s", "g", "0")
    r.set("str", "x")
    got = both_protocols([("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s",
                           "+"),
                          ("XREAD", "STREAMS", "str", "+"),
                          ("XREAD", "STREAMS", "s", "++")])
    assert_eq(got[2], got[3])
    assert_eq(got[2], [
        b"-ERR The + ID is meaningless in the context of XREADGROUP: you "
        b"want to read the history of this consumer by specifying a proper "
        b"ID, or use the > ID to get new messages. The + ID would just "
        b"return an empty result set.\r\n",
        b"-WRONGTYPE Operation against a key holding the wrong kind of "
        b"value\r\n",
        b"-ERR Invalid stream ID specified as stream command argument\r\n"])


@v74
def xread_unbalanced_names_the_command():
    """Redis 7.4's wording: the command by name, and the ID it takes."""
    got = both_protocols([("XREAD", "STREAMS", "s", "t", "0"),
                          ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s",
                           "s", ">"),
                          ("XREADGROUP", "STREAMS", "s", "0", "a", "b", "c")])
    assert_eq(got[2], got[3])
    assert_eq(got[2], [
        b"-ERR Unbalanced 'xread' list of streams: for each stream key an "
        b"ID or '$' must be specified.\r\n",
        b"-ERR Unbalanced 'xreadgroup' list of streams: for each stream key "
        b"an ID or '>' must be specified.\r\n",
        b"-ERR Unbalanced 'xreadgroup' list of streams: for each stream key "
        b"an ID or '>' must be specified.\r\n"])


@v74
def xread_plus_blocks_on_a_missing_or_empty_stream():
    """BLOCK with + on a missing stream waits from 0-0, and the woken
    reader gets everything written meanwhile, as a woken "$" reader does,
    not only the last entry."""
    r = h.flushed()
    with h.conns(1) as (c,):
        h.send_blocked(r, c, 1, "XREAD", "BLOCK", "0", "STREAMS", "s", "+")
        p = r.pipeline(transaction=True)
        p.xadd("s", {"a": "1"}, id="1-0")
        p.xadd("s", {"b": "2"}, id="2-0")
        p.execute()
        assert_eq(h.parse(c.read_raw()),
                  [[b"s", [[b"1-0", [b"a", b"1"]], [b"2-0", [b"b", b"2"]]]]])
    # On a stream with entries it answers at once.
    assert_eq(r.execute_command("XREAD", "BLOCK", "0", "STREAMS", "s", "+"),
              [[b"s", [(b"2-0", {b"b": b"2"})]]])


# ---- CLIENT KILL ... MAXAGE (7.4) ------------------------------------------

@v74
def client_kill_maxage_kills_older_connections():
    with h.Server() as s, s.conn() as old, s.conn() as killer:
        old_id = int(h.parse(old.call("CLIENT", "ID")))
        assert_eq(killer.call("DEBUG", "JUMP-CLOCK", "10000"), b"+OK\r\n")
        with s.conn() as young:
            # 10 s old: killed by MAXAGE 5 but not 10; the caller, as old,
            # is skipped (SKIPME yes); the young one is kept.
            assert_eq(killer.call("CLIENT", "KILL", "MAXAGE", "10"),
                      b":0\r\n")
            assert_eq(killer.call("CLIENT", "KILL", "MAXAGE", "5", "ID",
                                  str(old_id + 100)), b":0\r\n")
            assert_eq(killer.call("CLIENT", "KILL", "ID", str(old_id),
                                  "MAXAGE", "5"), b":1\r\n")
            assert old.is_closed()
            assert_eq(young.call("PING"), b"+PONG\r\n")
            assert_eq(killer.call("CLIENT", "KILL", "MAXAGE", "5",
                                  "SKIPME", "no"), b":1\r\n")
            assert killer.is_closed()
            assert_eq(young.call("PING"), b"+PONG\r\n")


@v74
def client_kill_maxage_errors():
    got = both_protocols([("CLIENT", "KILL", "MAXAGE", "x"),
                          ("CLIENT", "KILL", "MAXAGE", "99999999999999999999"),
                          ("CLIENT", "KILL", "MAXAGE", "0"),
                          ("CLIENT", "KILL", "MAXAGE", "-1"),
                          ("CLIENT", "KILL", "ID", "1", "MAXAGE"),
                          ("CLIENT", "KILL", "MAXAGE")])
    assert_eq(got[2], got[3])
    assert_eq(got[2], [
        b"-ERR maxage is not an integer or out of range\r\n",
        b"-ERR maxage is not an integer or out of range\r\n",
        b"-ERR maxage should be greater than 0\r\n",
        b"-ERR maxage should be greater than 0\r\n",
        b"-ERR syntax error\r\n",
        b"-ERR No such client\r\n"])


# ---- WAITAOF (7.2) -----------------------------------------------------------

ZEROS = b"*2\r\n:0\r\n:0\r\n"


@v74
def waitaof_without_aof():
    """As Redis with appendonly no: numlocal 1 is refused, and nothing is
    ever fsynced, so the reply is [0, 0]."""
    got = both_protocols([("WAITAOF", "0", "0", "0"),
                          ("WAITAOF", "0", "0", "100"),
                          ("WAITAOF", "1", "0", "0"),
                          ("WAITAOF", "2", "0", "0"),
                          ("WAITAOF", "-1", "0", "0"),
                          ("WAITAOF", "x", "-1", "-1"),
                          ("WAITAOF", "0", "-1", "x"),
                          ("WAITAOF", "0", "x", "0"),
                          ("WAITAOF", "1", "1", "-1"),
                          ("WAITAOF", "1", "1", "x"),
                          ("WAITAOF", "0", "0"),
                          ("WAITAOF", "0", "0", "0", "0")])
    assert_eq(got[2], got[3])
    assert_eq(got[2], [
        ZEROS, ZEROS,
        b"-ERR WAITAOF cannot be used when numlocal is set but appendonly "
        b"is disabled.\r\n",
        b"-ERR value is out of range, value must between 0 and 1\r\n",
        b"-ERR value is out of range, value must between 0 and 1\r\n",
        b"-ERR value is not an integer or out of range\r\n",
        b"-ERR value is out of range, must be positive\r\n",
        b"-ERR value is not an integer or out of range\r\n",
        b"-ERR timeout is negative\r\n",
        b"-ERR timeout is not an integer or out of range\r\n",
        b"-ERR wrong number of arguments for 'waitaof' command\r\n",
        b"-ERR wrong number of arguments for 'waitaof' command\r\n"])


@v74
def waitaof_for_replicas_waits_like_wait():
    r = h.flushed()
    with h.shared_server().conn() as c:
        t0 = time.monotonic()
        assert_eq(c.call("WAITAOF", "0", "1", "150"), ZEROS)
        assert 0.14 <= time.monotonic() - t0 < 2.0
        c.call("HELLO", "3")
        assert_eq(c.call("WAITAOF", "0", "1", "50"), ZEROS)
    with h.shared_server().conn() as b:
        bid = int(h.parse(b.call("CLIENT", "ID")))
        for how, want in ((None, ZEROS), ("TIMEOUT", ZEROS),
                          ("ERROR", b"-UNBLOCKED client unblocked via "
                                    b"CLIENT UNBLOCK\r\n")):
            b.send(h.encode("WAITAOF", "0", "3", "0"))
            h.wait_blocked(r, 1)
            args = ["CLIENT", "UNBLOCK", bid] + ([how] if how else [])
            assert_eq(r.execute_command(*args), 1)
            assert_eq(b.read_raw(), want)
            h.wait_blocked(r, 0)
    # Inside MULTI it does not block.
    with h.shared_server().conn() as c:
        c.call("MULTI")
        c.call("WAITAOF", "0", "1", "0")
        assert_eq(c.call("EXEC"), b"*1\r\n" + ZEROS)
    # Not from scripts, as in Redis 7.2.
    with h.shared_server().conn() as c:
        assert c.call("EVAL", "return redis.call('waitaof', 0, 0, 0)",
                      "0").startswith(b"-ERR This Redis command is not "
                                      b"allowed from script")


# ---- CLIENT NO-TOUCH (7.2) ---------------------------------------------------

def idle(r, key):
    return r.object("idletime", key)


@v74
def client_no_touch_leaves_lru_alone():
    r = h.flushed()
    r.mset({"a": "1", "b": "2", "c": "3"})
    r.execute_command("DEBUG", "JUMP-CLOCK", "5000")
    with h.shared_server().conn() as c:
        assert_eq(c.call("CLIENT", "NO-TOUCH", "ON"), b"+OK\r\n")
        assert b" flags=T " in c.call("CLIENT", "INFO")
        c.call("GET", "a")
        c.call("MGET", "a", "b")
        c.call("APPEND", "c", "x")
        c.call("EVAL", "return redis.call('get', KEYS[1])", "1", "b")
        for k in ("a", "b", "c"):
            assert idle(r, k) >= 4, k
        # TOUCH still touches, inside EXEC too (by its own command).
        assert_eq(c.call("TOUCH", "a"), b":1\r\n")
        assert_eq(idle(r, "a"), 0)
        c.call("MULTI")
        c.call("GET", "b")
        c.call("TOUCH", "c")
        assert_eq(c.call("EXEC"), b"*2\r\n$1\r\n2\r\n:1\r\n")
        assert idle(r, "b") >= 4
        assert_eq(idle(r, "c"), 0)
        # A key it creates is new, so not idle.
        c.call("SET", "n", "1")
        assert_eq(idle(r, "n"), 0)
        # OFF, and RESET, make it an ordinary client again.
        assert_eq(c.call("CLIENT", "NO-TOUCH", "OFF"), b"+OK\r\n")
        assert b" flags=N " in c.call("CLIENT", "INFO")
        c.call("GET", "b")
        assert_eq(idle(r, "b"), 0)
        c.call("CLIENT", "NO-TOUCH", "on")
        c.call("RESET")
        assert b" flags=N " in c.call("CLIENT", "INFO")
    # Other clients touch as before.
    r.execute_command("DEBUG", "JUMP-CLOCK", "5000")
    r.get("a")
    assert_eq(idle(r, "a"), 0)


@v74
def client_no_touch_leaves_lfu_alone():
    r = h.flushed()
    r.config_set("maxmemory-policy", "allkeys-lfu")
    r.config_set("lfu-log-factor", "0")
    try:
        r.set("k", "v")
        freq = r.object("freq", "k")
        with h.shared_server().conn() as c:
            c.call("CLIENT", "NO-TOUCH", "ON")
            for _ in range(5):
                c.call("GET", "k")
            assert_eq(r.object("freq", "k"), freq)
            c.call("TOUCH", "k")
            assert_eq(r.object("freq", "k"), freq + 1)
        r.get("k")
        assert_eq(r.object("freq", "k"), freq + 2)
    finally:
        r.config_set("maxmemory-policy", "noeviction")
        r.config_set("lfu-log-factor", "10")


@v74
def client_no_touch_errors():
    got = both_protocols([("CLIENT", "NO-TOUCH", "maybe"),
                          ("CLIENT", "NO-TOUCH"),
                          ("CLIENT", "NO-TOUCH", "on", "off")])
    assert_eq(got[2], got[3])
    assert_eq(got[2], [
        b"-ERR syntax error\r\n",
        b"-ERR wrong number of arguments for 'client|no-touch' command\r\n",
        b"-ERR wrong number of arguments for 'client|no-touch' command\r\n"])


# ---- XINFO: a consumer's inactive / active-time (7.2) ----------------------

def consumers(c):
    return h.parse(c.call("XINFO", "CONSUMERS", "s", "g"))


def full_consumers(c):
    full = h.parse(c.call("XINFO", "STREAM", "s", "FULL"))
    group = dict(zip(full[::2], full[1::2]))[b"groups"][0]
    group = dict(zip(group[::2], group[1::2]))
    return [dict(zip(x[::2], x[1::2])) for x in group[b"consumers"]]


@v74
def xinfo_consumer_activity():
    r = h.flushed()
    for i in range(1, 4):
        r.xadd("s", {"f": str(i)}, id="%d-0" % i)
    r.xgroup_create("s", "g", "0")
    with h.shared_server().conn() as c:
        # Created, never active: inactive -1, active-time -1.
        c.call("XGROUP", "CREATECONSUMER", "s", "g", "idle")
        # Read with NOACK: seen, not active (nothing became pending).
        c.call("XREADGROUP", "GROUP", "g", "noack", "COUNT", "1", "NOACK",
               "STREAMS", "s", ">")
        # A read of nothing is no activity either.
        c.call("XREADGROUP", "GROUP", "g", "reader", "STREAMS", "s", "0")
        r.execute_command("DEBUG", "JUMP-CLOCK", "1000")
        c.call("XREADGROUP", "GROUP", "g", "reader", "COUNT", "1",
               "STREAMS", "s", ">")
        r.execute_command("DEBUG", "JUMP-CLOCK", "1000")
        got = {x[1]: x for x in consumers(c)}
        assert_eq(sorted(got), [b"idle", b"noack", b"reader"])
        for name in (b"idle", b"noack"):
            assert_eq(got[name][6:], [b"inactive", -1])
        reader = got[b"reader"]
        assert_eq(reader[:6:2] + reader[6:7], [b"name", b"pending", b"idle",
                                               b"inactive"])
        assert 1000 <= reader[7] < 1500, reader
        full = {x[b"name"]: x for x in full_consumers(c)}
        assert_eq(list(full[b"idle"]), [b"name", b"seen-time", b"active-time",
                                        b"pel-count", b"pending"])
        assert_eq(full[b"idle"][b"active-time"], -1)
        assert_eq(full[b"noack"][b"active-time"], -1)
        active = full[b"reader"][b"active-time"]
        assert full[b"reader"][b"seen-time"] == active > 10 ** 12
        # XCLAIM and XAUTOCLAIM of an entry make the claimer active, a
        # claim of nothing does not.
        c.call("XCLAIM", "s", "g", "idle", "0", "9-0")
        assert_eq(full_consumers(c)[0][b"active-time"], -1)
        c.call("XCLAIM", "s", "g", "idle", "0", "2-0")
        claimed = {x[b"name"]: x for x in full_consumers(c)}
        assert claimed[b"idle"][b"active-time"] > active
        c.call("XAUTOCLAIM", "s", "g", "noack", "0", "0")
        claimed = {x[b"name"]: x for x in full_consumers(c)}
        assert claimed[b"noack"][b"active-time"] > active
    # RESP3: maps with the same fields.
    with h.shared_server().conn() as c:
        c.call("HELLO", "3")
        raw = c.call("XINFO", "CONSUMERS", "s", "g")
        assert raw.startswith(b"*3\r\n%4\r\n$4\r\nname\r\n"), raw
        assert b"$8\r\ninactive\r\n" in raw


@v74
def xinfo_activity_survives_dump_restore():
    """DUMP writes Redis 7.0's RDB 10, which has no active time: RESTORE
    takes the seen time for it, as Redis 7.2 loads an older RDB."""
    r = h.flushed()
    r.xadd("s", {"f": "1"}, id="1-0")
    r.xgroup_create("s", "g", "0")
    r.execute_command("XGROUP", "CREATECONSUMER", "s", "g", "c")
    blob = r.dump("s")
    r.delete("s")
    r.restore("s", 0, blob)
    with h.shared_server().conn() as c:
        (cons,) = full_consumers(c)
        assert_eq(cons[b"active-time"], cons[b"seen-time"])


# ---- Lua os.clock (7.4) ------------------------------------------------------

@v74
def lua_os_clock_only():
    r = h.flushed()
    assert_eq(r.eval("return type(os.clock())", 0), b"number")
    # It measures the script's own work: CPU seconds, going up.
    spent = r.eval("local t = os.clock() local x = 0 "
                   "for i = 1, 2000000 do x = x + i end "
                   "return tostring(os.clock() - t)", 0)
    assert 0 < float(spent) < 10, spent
    # The rest of the os library stays out of reach, and the table is
    # read-only like the other libraries.
    assert_eq(r.eval("return {type(os.time), type(os.execute), "
                     "type(os.exit), type(os.getenv)}", 0),
              [b"nil", b"nil", b"nil", b"nil"])
    with h.shared_server().conn() as c:
        for body in ("os.clock = nil", "os.time = function() end"):
            assert b"Attempt to modify a readonly table" in \
                c.call("EVAL", body, "0"), body
    r.function_load("#!lua name=v74lib\n"
                    "redis.register_function('v74clock', function() "
                    "return type(os.clock()) end)", replace=True)
    assert_eq(r.fcall("v74clock", 0), b"number")
    r.function_delete("v74lib")


# ---- INFO: total_watched_keys (7.4), total_blocking_keys[_on_nokey] (7.2) --

def key_counts(r):
    i = r.info("clients")
    return (i["total_watched_keys"], i["total_blocking_keys"],
            i["total_blocking_keys_on_nokey"])


@v74
def info_watched_and_blocking_key_counts():
    r = h.flushed()
    assert_eq(key_counts(r), (0, 0, 0))
    with h.shared_server().conn() as c:
        text = h.parse(c.call("INFO", "clients"))
    fields = [x.split(b":")[0] for x in text.split(b"\r\n")[1:] if x]
    assert_eq(fields[-5:], [b"watching_clients", b"clients_in_timeout_table",
                            b"total_watched_keys", b"total_blocking_keys",
                            b"total_blocking_keys_on_nokey"])
    r.xadd("s", {"f": "1"}, id="1-0")
    r.xgroup_create("s", "g", "$")
    with h.conns(4) as (w1, w2, b1, b2):
        # Distinct keys: a and b in db 0, a in db 1.
        w1.call("WATCH", "a", "b")
        w2.call("WATCH", "a")
        w2.call("SELECT", "1")
        w2.call("WATCH", "a")
        assert_eq(key_counts(r)[0], 3)
        # BLPOP on l and m; XREADGROUP on s, which also waits to be told
        # of its deletion ("on nokey").
        h.send_blocked(r, b1, 1, "BLPOP", "l", "m", "0")
        h.send_blocked(r, b2, 2, "XREADGROUP", "GROUP", "g", "c", "BLOCK",
                       "0", "STREAMS", "s", ">")
        assert_eq(key_counts(r), (3, 3, 1))
        w1.call("UNWATCH")
        assert_eq(key_counts(r)[0], 2)
    h.wait_blocked(r, 0)
    assert_eq(key_counts(r), (0, 0, 0))


# ---- CLIENT LIST / INFO watch= (7.4) -----------------------------------------

@v74
def client_info_counts_watched_keys():
    h.flushed()
    with h.conns(2) as (c, other):
        def field(line, name):
            return [w for w in line.split() if w.startswith(name + b"=")]
        info = c.call("CLIENT", "INFO")
        assert_eq(field(info, b"watch"), [b"watch=0"])
        # After multi=, as Redis 7.4 places it.
        words = [w.split(b"=")[0] for w in info.split()]
        assert_eq(words[words.index(b"multi") + 1], b"watch")
        c.call("WATCH", "a", "b", "a")
        assert_eq(field(c.call("CLIENT", "INFO"), b"watch"), [b"watch=2"])
        cid = h.parse(c.call("CLIENT", "ID"))
        listed = h.parse(other.call("CLIENT", "LIST", "ID", str(cid)))
        assert_eq(field(listed, b"watch"), [b"watch=2"])
        c.call("UNWATCH")
        assert_eq(field(c.call("CLIENT", "INFO"), b"watch"), [b"watch=0"])


# ---- ACL LOG: entry-id, timestamp-created, timestamp-last-updated (7.2) ----

def acl_log(r):
    return [dict(zip(e[::2], e[1::2]))
            for e in r.execute_command("ACL", "LOG")]


@v74
def acl_log_entry_ids_and_timestamps():
    with h.Server() as s, s.conn() as c:
        r = s.client()
        r.execute_command("ACL", "SETUSER", "u", "on", ">pw", "+get", "~k*")
        c.call("AUTH", "u", "pw")
        c.call("GET", "x")
        (e,) = acl_log(r)
        assert_eq(list(e)[7:], [b"entry-id", b"timestamp-created",
                                b"timestamp-last-updated"])
        assert_eq(e[b"entry-id"], 0)
        created = e[b"timestamp-created"]
        assert_eq(e[b"timestamp-last-updated"], created)
        assert abs(created / 1000 - time.time()) < 60, created
        # A like denial updates the entry: same id and creation time.
        r.execute_command("DEBUG", "JUMP-CLOCK", "2000")
        c.call("GET", "x")
        (e,) = acl_log(r)
        assert_eq((e[b"count"], e[b"entry-id"], e[b"timestamp-created"]),
                  (2, 0, created))
        assert e[b"timestamp-last-updated"] >= created + 2000
        # A new entry takes the next id; RESET does not restart them.
        c.call("GET", "y")
        assert_eq([x[b"entry-id"] for x in acl_log(r)], [1, 0])
        r.execute_command("ACL", "LOG", "RESET")
        c.call("SET", "k", "v")
        assert_eq([x[b"entry-id"] for x in acl_log(r)], [2])
        # RESP3: a map of ten fields.
        with s.conn() as c3:
            c3.call("HELLO", "3")
            raw = c3.call("ACL", "LOG")
            assert raw.startswith(b"*1\r\n%10\r\n"), raw
            assert b"$8\r\nentry-id\r\n:2\r\n" in raw, raw


# ---- EVAL's scripts evicted past 500 (7.4) ---------------------------------

def sha1(body):
    import hashlib
    return hashlib.sha1(body.encode()).hexdigest()


@v74
def eval_scripts_evicted_least_recently_run_first():
    with h.Server() as s:
        r = s.client()
        loaded = r.script_load("return 'loaded'")
        # An EVAL script that SCRIPT LOAD loads again is never evicted.
        r.eval("return 'promoted'", 0)
        r.script_load("return 'promoted'")
        for i in range(500):
            r.eval("return %d" % i, 0)
        stats = lambda: (r.info("stats")["evicted_scripts"],
                         r.info("memory")["number_of_cached_scripts"])
        assert_eq(stats(), (0, 502))
        r.evalsha(sha1("return 0"), 0)      # now the most recently run
        r.eval("return 'one more'", 0)
        assert_eq(stats(), (1, 502))
        assert_eq(r.script_exists(sha1("return 0"), sha1("return 1"),
                                  sha1("return 2"), loaded,
                                  sha1("return 'promoted'")),
                  [True, False, True, True, True])
        with s.conn() as c:
            assert_eq(c.call("EVALSHA", sha1("return 1"), "0"),
                      b"-NOSCRIPT No matching script. Please use EVAL.\r\n")
        # Evicted scripts run again through EVAL (and evict another).
        assert_eq(r.eval("return 1", 0), 1)
        assert_eq(stats(), (2, 502))
        assert_eq(r.script_exists(sha1("return 2")), [False])
        r.config_resetstat()
        assert_eq(stats(), (0, 502))
        r.script_flush()
        assert_eq(stats(), (0, 0))
        for i in range(501):
            r.eval("return %d" % i, 0)
        assert_eq(stats(), (1, 500))


# ---- HSCAN NOVALUES (7.4) ---------------------------------------------------

@v74
def hscan_novalues():
    r = h.flushed()
    r.hset("h", mapping={"a": "1", "b": "2"})
    r.sadd("s", "a")
    r.zadd("z", {"a": 1})
    only = b"-ERR NOVALUES option can only be used in HSCAN\r\n"
    with h.shared_server().conn() as c:
        # Fields only, with the other options in any order; a compact hash
        # comes whole, in insertion order.
        assert_eq(c.call("HSCAN", "h", "0", "NOVALUES"),
                  b"*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n")
        assert_eq(c.call("HSCAN", "h", "0", "COUNT", "5", "novalues",
                         "MATCH", "b*"),
                  b"*2\r\n$1\r\n0\r\n*1\r\n$1\r\nb\r\n")
        assert_eq(c.call("HSCAN", "h", "0", "NOVALUES", "x"),
                  b"-ERR syntax error\r\n")
        assert_eq(c.call("SSCAN", "s", "0", "NOVALUES"), only)
        assert_eq(c.call("ZSCAN", "z", "0", "NOVALUES"), only)
        assert_eq(c.call("SCAN", "0", "NOVALUES"), only)
        # A missing key answers the empty scan before any option is read.
        assert_eq(c.call("SSCAN", "nokey", "0", "NOVALUES"),
                  b"*2\r\n$1\r\n0\r\n*0\r\n")
    # A table-encoded hash, walked by cursor, gives every field once.
    r.hset("big", mapping={"f%d" % i: "v" for i in range(300)})
    cursor, seen = b"0", []
    with h.shared_server().conn() as c:
        while True:
            cursor, fields = h.parse(c.call("HSCAN", "big", cursor,
                                            "NOVALUES", "COUNT", "50"))
            seen += fields
            if cursor == b"0":
                break
    assert_eq(sorted(set(seen)), sorted(b"f%d" % i for i in range(300)))


if __name__ == "__main__":
    h.run()
