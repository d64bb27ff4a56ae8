#!/usr/bin/python3
"""Lua scripting (EVAL, EVALSHA, EVAL_RO, SCRIPT) through redis-py and raw
RESP3, as applications use it.

Covers: redis-py's Lock, which runs its release/extend/reacquire scripts
with EVALSHA and falls back to EVAL on NOSCRIPT (acquire, a second owner
refused, extend, reacquire, release, releasing a lock one no longer owns);
register_script after SCRIPT FLUSH; SCRIPT LOAD/EXISTS/FLUSH; conversions
both ways through a client library (nested arrays, integers, nil, status,
errors raised as ResponseError with the script's sha and line); RESP3
replies to a HELLO 3 connection (map, set, double, boolean, null,
big number) and redis.setresp(3) inside the script; what a script's
commands do to the rest of the server: keyspace notifications, WATCH,
commandstats (the commands a script runs count, as in Redis), each
error counted once in errorstats, dirty keys
seen by MULTI/EXEC, SELECT staying inside the script; one clock for a
whole script (a key with a 1 ms TTL outlives a 20 ms script that set
it); blocking commands that answer at once; over maxmemory, a script
without a shebang refused at its first write, one with allow-oom let
through; EVAL inside MULTI; INFO's scripting fields; a table that holds
itself, written as nested arrays until Lua's stack limit; MONITOR (the
script, then its commands as "lua"), SLOWLOG (the script's commands from
"?:0") and CLIENT PAUSE WRITE (holding scripts that may write, by their
shebang).

Every test passes on redis-server 7.0 too
(RESPITE_BIN=/usr/bin/redis-server); the replies were found there."""

import os
import sys
import threading
import time

import redis

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, test  # noqa: E402


def sha1(body):
    import hashlib
    return hashlib.sha1(body.encode()).hexdigest()


@test
def lock_acquire_extend_reacquire_release():
    r = h.flushed()
    r.script_flush()
    lock = r.lock("res", timeout=5)
    assert lock.acquire(blocking=False)
    other = r.lock("res", timeout=5)
    assert not other.acquire(blocking=False), "a second owner got the lock"
    assert lock.owned()
    assert not other.owned()
    # extend() adds to the TTL through the extend script (EVALSHA, then
    # EVAL after the NOSCRIPT of the flushed cache).
    assert lock.extend(10)
    assert 10000 < r.pttl("res") <= 15000, r.pttl("res")
    assert lock.reacquire()
    assert 4000 < r.pttl("res") <= 5000, r.pttl("res")
    lock.release()
    assert_eq(r.exists("res"), 0)
    # A lock whose key expired and went to another owner: its release and
    # extend scripts find another token and refuse.
    late = r.lock("res", timeout=5)
    assert late.acquire(blocking=False)
    r.delete("res")
    assert other.acquire(blocking=False)
    try:
        late.extend(1)
        raise AssertionError("extended a lock it does not own")
    except redis.exceptions.LockNotOwnedError:
        pass
    try:
        late.release()
        raise AssertionError("released a lock it does not own")
    except redis.exceptions.LockNotOwnedError:
        pass
    assert_eq(r.exists("res"), 1)
    other.release()
    # The scripts are cached now: EVALSHA finds them.
    shas = [sha1(s) for s in (lock.LUA_RELEASE_SCRIPT,
                              lock.LUA_EXTEND_SCRIPT,
                              lock.LUA_REACQUIRE_SCRIPT)]
    assert_eq(r.script_exists(*shas), [True, True, True])


@test
def lock_as_context_manager_with_threads():
    r = h.flushed()
    counter = []

    def work(n):
        c = h.shared_server().client()
        for _ in range(n):
            with c.lock("ctr-lock", timeout=5, blocking_timeout=5):
                v = int(c.get("ctr") or 0)
                c.set("ctr", v + 1)
        counter.append(n)

    threads = [threading.Thread(target=work, args=(20,)) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert_eq(int(r.get("ctr")), 60)
    assert_eq(r.exists("ctr-lock"), 0)


@test
def register_script_falls_back_to_eval_after_flush():
    r = h.flushed()
    s = r.register_script("return {KEYS[1], ARGV[1], #ARGV}")
    assert_eq(s(keys=["k"], args=["a", "b"]), [b"k", b"a", 2])
    r.script_flush()
    assert_eq(r.script_exists(s.sha), [False])
    assert_eq(s(keys=["k2"], args=["x"]), [b"k2", b"x", 1])
    assert_eq(r.script_exists(s.sha), [True])
    try:
        r.evalsha("0" * 40, 0)
        raise AssertionError("EVALSHA of an unknown script ran")
    except redis.exceptions.NoScriptError as e:
        assert_eq(str(e), "No matching script. Please use EVAL.")


@test
def script_load_exists_flush():
    r = h.flushed()
    r.script_flush()
    sha = r.script_load("return 'hi'")
    assert_eq(sha, sha1("return 'hi'"))
    assert_eq(r.script_exists(sha, sha.upper(), "nope"), [True, True, False])
    assert_eq(r.evalsha(sha, 0), b"hi")
    assert_eq(r.execute_command("SCRIPT", "FLUSH", "ASYNC"), b"OK")
    assert_eq(r.script_exists(sha), [False])
    try:
        r.script_load("return +")
        raise AssertionError("a script that does not compile was loaded")
    except redis.exceptions.ResponseError as e:
        assert str(e).startswith("Error compiling script (new function): "
                                 "user_script:1: "), str(e)


@test
def conversions_through_redis_py():
    r = h.flushed()
    assert_eq(r.eval("return {1, 'two', {3, {4}}, 3.9, -2.5}", 0),
              [1, b"two", [3, [4]], 3, -2])
    assert_eq(r.eval("return nil", 0), None)
    assert_eq(r.eval("return false", 0), None)
    assert_eq(r.eval("return true", 0), 1)
    assert_eq(r.eval("return {1, nil, 3}", 0), [1])
    assert_eq(r.eval("return redis.status_reply('FINE')", 0), b"FINE")
    assert_eq(r.eval("return redis.call('set', KEYS[1], ARGV[1])", 1, "k",
                     "v"), b"OK")
    assert_eq(r.eval("return redis.call('get', KEYS[1])", 1, "k"), b"v")
    assert_eq(r.eval("return redis.call('get', 'missing')", 0), None)
    r.rpush("l", "a", "b")
    assert_eq(r.eval("return redis.call('lrange', 'l', 0, -1)", 0),
              [b"a", b"b"])
    # Integers come back as Lua numbers, strings keep their bytes.
    assert_eq(r.eval("return redis.call('incrby', 'n', 41) + 1", 0), 42)
    assert_eq(r.eval("return ARGV[1]", 0, b"a\x00b\xff"), b"a\x00b\xff")


@test
def errors_through_redis_py():
    r = h.flushed()
    r.set("s", "abc")
    body = "local x = 1\nreturn redis.call('incr', 's')"
    try:
        r.eval(body, 0)
        raise AssertionError("no error")
    except redis.exceptions.ResponseError as e:
        assert_eq(str(e), "value is not an integer or out of range script: "
                  "%s, on @user_script:2." % sha1(body))
    try:
        r.eval("return redis.error_reply('MYCODE went wrong')", 0)
        raise AssertionError("no error")
    except redis.exceptions.ResponseError as e:
        assert_eq(str(e), "MYCODE went wrong")
    try:
        r.eval("return 1", 2, "only-one-key")
        raise AssertionError("no error")
    except redis.exceptions.ResponseError as e:
        assert_eq(str(e), "Number of keys can't be greater than number of "
                  "args")
    # pcall returns the error as a value the script can inspect.
    assert_eq(r.eval("local e = redis.pcall('incr', 's'); return e.err", 0),
              b"ERR value is not an integer or out of range")


@test
def resp3_replies_to_a_hello_3_client():
    h.flushed()
    with h.shared_server().conn() as c:
        c.call("HELLO", "3")
        c.call("HSET", "h", "f", "v")
        c.call("SADD", "st", "m")
        c.call("ZADD", "z", "1.5", "a")
        assert_eq(c.call("EVAL", "return {map={a=1}}", "0"),
                  b"%1\r\n$1\r\na\r\n:1\r\n")
        assert_eq(c.call("EVAL", "return {set={x=true}}", "0"),
                  b"~1\r\n$1\r\nx\r\n")
        assert_eq(c.call("EVAL", "return {double=0.5}", "0"), b",0.5\r\n")
        assert_eq(c.call("EVAL", "return {big_number='123456789012345678901'}",
                         "0"), b"(123456789012345678901\r\n")
        assert_eq(c.call("EVAL", "return nil", "0"), b"_\r\n")
        assert_eq(c.call("EVAL", "return false", "0"), b"_\r\n")
        assert_eq(c.call("EVAL", "redis.setresp(3); return false", "0"),
                  b"#f\r\n")
        # With setresp(3) the script sees RESP3 types and hands them on.
        assert_eq(c.call("EVAL", "redis.setresp(3); "
                         "return redis.call('hgetall', 'h')", "0"),
                  b"%1\r\n$1\r\nf\r\n$1\r\nv\r\n")
        assert_eq(c.call("EVAL", "redis.setresp(3); "
                         "return redis.call('smembers', 'st')", "0"),
                  b"~1\r\n$1\r\nm\r\n")
        assert_eq(c.call("EVAL", "redis.setresp(3); "
                         "return redis.call('zscore', 'z', 'a')", "0"),
                  b",1.5\r\n")
        # Without it the script reads RESP2 and the client gets RESP2 shapes.
        assert_eq(c.call("EVAL", "return redis.call('hgetall', 'h')", "0"),
                  b"*2\r\n$1\r\nf\r\n$1\r\nv\r\n")
    with h.shared_server().conn() as c:
        # A RESP2 client gets RESP3 tables flattened.
        assert_eq(c.call("EVAL", "return {map={a=1}}", "0"),
                  b"*2\r\n$1\r\na\r\n:1\r\n")
        assert_eq(c.call("EVAL", "return {double=0.5}", "0"),
                  b"$3\r\n0.5\r\n")


@test
def keyspace_notifications_from_a_script():
    r = h.flushed()
    r.config_set("notify-keyspace-events", "KEA")
    try:
        p = r.pubsub()
        p.psubscribe("__keyevent@0__:*")
        assert_eq(p.get_message(timeout=1)["type"], "psubscribe")
        r.eval("redis.call('set', KEYS[1], 'v'); "
               "redis.call('expire', KEYS[1], 100); "
               "redis.call('del', KEYS[1])", 1, "nk")
        got = []
        for _ in range(3):
            m = p.get_message(timeout=1)
            got.append((m["channel"], m["data"]))
        assert_eq(got, [(b"__keyevent@0__:set", b"nk"),
                        (b"__keyevent@0__:expire", b"nk"),
                        (b"__keyevent@0__:del", b"nk")])
        p.close()
    finally:
        r.config_set("notify-keyspace-events", "")


@test
def a_script_write_aborts_another_clients_watch():
    r = h.flushed()
    other = h.shared_server().client()
    r.set("w", "1")
    with r.pipeline() as p:
        p.watch("w")
        other.eval("redis.call('set', 'w', '2')", 0)
        p.multi()
        p.get("w")
        try:
            p.execute()
            raise AssertionError("EXEC ran after the watched key changed")
        except redis.exceptions.WatchError:
            pass
    # A read-only script leaves a WATCH alone.
    with r.pipeline() as p:
        p.watch("w")
        other.eval("return redis.call('get', 'w')", 0)
        p.multi()
        p.get("w")
        assert_eq(p.execute(), [b"2"])


@test
def commandstats_count_a_scripts_commands():
    r = h.flushed()
    r.config_resetstat()
    r.eval("redis.call('incr', 'c'); redis.call('incr', 'c'); "
           "return redis.call('get', 'c')", 0)
    stats = r.info("commandstats")
    assert_eq(stats["cmdstat_eval"]["calls"], 1)
    assert_eq(stats["cmdstat_incr"]["calls"], 2)
    assert_eq(stats["cmdstat_get"]["calls"], 1)


@test
def error_stats_count_each_error_once():
    # An error a command inside the script replied counts when it happens
    # (errorstat, the command's failed_calls), and the script's reply that
    # passes it on does not count again; an error of the script's own
    # counts as the script's. Refusals count as the command's rejected
    # calls.
    r = h.flushed()
    r.set("s", "abc")
    r.lpush("l", "x")
    r.config_resetstat()
    for body in ["return redis.call('incr', 's')",
                 "redis.pcall('get', 'l'); return 1",
                 "return redis.pcall('incr', 's')",
                 "return redis.call('nosuch')",
                 "error('x')",
                 "return redis.call('get')",
                 "return redis.call('multi')",
                 "return {err='MY x'}",
                 "#!lua flags=no-writes\nreturn redis.call('set', 'x', '1')",
                 "retur"]:
        try:
            r.eval(body, 0)
        except redis.exceptions.ResponseError:
            pass
    info = r.info("all")
    assert_eq(info["total_error_replies"], 10)
    assert_eq(info["errorstat_ERR"], "count=8")
    assert_eq(info["errorstat_MY"], "count=1")
    assert_eq(info["errorstat_WRONGTYPE"], "count=1")
    assert_eq((info["cmdstat_eval"]["calls"],
               info["cmdstat_eval"]["failed_calls"]), (10, 9))
    assert_eq((info["cmdstat_incr"]["calls"],
               info["cmdstat_incr"]["failed_calls"]), (2, 2))
    assert_eq((info["cmdstat_get"]["calls"],
               info["cmdstat_get"]["rejected_calls"],
               info["cmdstat_get"]["failed_calls"]), (1, 1, 1))
    assert_eq(info["cmdstat_multi"]["rejected_calls"], 1)
    assert_eq((info["cmdstat_set"]["rejected_calls"],
               info["cmdstat_set"]["failed_calls"]), (1, 0))


@test
def select_inside_a_script_stays_there():
    r = h.flushed()
    r.set("k", "db0")
    assert_eq(r.eval("redis.call('select', 9); redis.call('set', 'k', 'db9'); "
                     "return redis.call('get', 'k')", 0), b"db9")
    assert_eq(r.get("k"), b"db0")
    # The next script starts in the caller's database again.
    assert_eq(r.eval("return redis.call('get', 'k')", 0), b"db0")
    r9 = h.shared_server().client(db=9)
    assert_eq(r9.get("k"), b"db9")
    r9.flushdb()


@test
def one_clock_for_a_whole_script():
    r = h.flushed()
    # The key's 1 ms runs out while the script spins (tens of ms), yet
    # every command of the script sees the time it started at.
    got = r.eval("redis.call('set', 'k', 'v', 'px', 1); "
                 "local t = redis.call('time'); "
                 "local deadline = t[1] * 1000000 + t[2] + 20000; "
                 "repeat t = redis.call('time') "
                 "until t[1] * 1000000 + t[2] > deadline; "
                 "return redis.call('exists', 'k')", 0)
    assert_eq(got, 1)
    time.sleep(0.01)
    assert_eq(r.exists("k"), 0)


@test
def blocking_commands_answer_at_once_in_a_script():
    r = h.flushed()
    t0 = time.monotonic()
    assert_eq(r.eval("return redis.call('blmpop', 0, 1, 'nolist', 'LEFT')",
                     0), None)
    assert_eq(r.eval("return redis.call('bzmpop', 0, 1, 'nozset', 'MIN')",
                     0), None)
    assert time.monotonic() - t0 < 1
    r.rpush("l", "x")
    assert_eq(r.eval("return redis.call('blmpop', 0, 1, 'l', 'LEFT')", 0),
              [b"l", [b"x"]])
    try:
        r.eval("return redis.call('blpop', 'l', 0)", 0)
        raise AssertionError("BLPOP ran in a script")
    except redis.exceptions.ResponseError as e:
        assert str(e).startswith("This Redis command is not allowed from "
                                 "script"), str(e)
    assert_eq(h.blocked_count(r), 0)


@test
def maxmemory_and_scripts():
    s = h.Server("--maxmemory-policy", "noeviction", name="script-oom").start()
    try:
        r = s.client()
        r.set("k", "v")
        r.config_set("maxmemory", 1)
        oom = "OOM command not allowed when used memory > 'maxmemory'."
        # No shebang: refused at its first write, the reads before it ran.
        try:
            r.eval("local v = redis.call('get', 'k'); "
                   "return redis.call('set', 'k2', v)", 0)
            raise AssertionError("a write ran over maxmemory")
        except redis.exceptions.ResponseError as e:
            assert str(e).startswith(oom + " script: "), str(e)
        # A write that frees memory first lets the script write on.
        assert_eq(r.eval("redis.call('del', 'k'); "
                         "return redis.call('set', 'k3', 'v')", 0), b"OK")
        # A shebang script that may write is refused before it runs...
        try:
            r.eval("#!lua\nreturn 1", 0)
            raise AssertionError("a script that may write ran")
        except redis.exceptions.ResponseError as e:
            # redis-py maps the whole OOM text to its own class, code cut.
            assert oom.endswith(str(e)), str(e)
        # ...unless it said allow-oom or no-writes.
        assert_eq(r.eval("#!lua flags=allow-oom\n"
                         "return redis.call('set', 'k4', 'v')", 0), b"OK")
        assert_eq(r.eval("#!lua flags=no-writes\n"
                         "return redis.call('get', 'k4')", 0), b"v")
        r.config_set("maxmemory", 0)
    finally:
        s.stop()


@test
def eval_in_multi_and_eval_ro():
    r = h.flushed()
    with r.pipeline() as p:
        p.eval("return redis.call('incr', 'n')", 0)
        p.eval("return redis.call('incr', 'n')", 0)
        p.get("n")
        assert_eq(p.execute(), [1, 2, b"2"])
    assert_eq(r.execute_command("EVAL_RO", "return redis.call('get', 'n')",
                                0), b"2")
    try:
        r.execute_command("EVAL_RO", "return redis.call('del', 'n')", 0)
        raise AssertionError("EVAL_RO wrote")
    except redis.exceptions.ResponseError as e:
        assert str(e).startswith("Write commands are not allowed from "
                                 "read-only scripts. script: "), str(e)
    assert_eq(r.get("n"), b"2")


@test
def info_counts_cached_scripts():
    r = h.flushed()
    r.script_flush()
    mem = r.info("memory")
    assert_eq(mem["number_of_cached_scripts"], 0)
    r.script_load("return 1")
    r.eval("return 2", 0)
    mem = r.info("memory")
    assert_eq(mem["number_of_cached_scripts"], 2)
    assert mem["used_memory_lua"] > 0
    r.script_flush()
    assert_eq(r.info("memory")["number_of_cached_scripts"], 0)


@test
def a_table_that_holds_itself_ends_at_the_stack_limit():
    h.flushed()
    import socket
    sock = socket.create_connection(("127.0.0.1", h.shared_server().port))
    try:
        sock.sendall(h.encode("EVAL", "local t = {} t[1] = t return t", "0"))
        tail = b"-ERR reached lua stack limit\r\n"
        data = b""
        while not data.endswith(tail):
            chunk = sock.recv(65536)
            assert chunk, "connection closed after %d bytes" % len(data)
            data += chunk
        # As deep as Lua's C stack allows (7995 levels on both servers).
        depth = data.count(b"*1\r\n")
        assert 7000 < depth < 9000, depth
        assert_eq(len(data), depth * 4 + len(tail))
    finally:
        sock.close()
    assert_eq(h.shared_server().client().ping(), True)


@test()
def script_help_and_debug_errors():
    r = h.flushed()
    lines = r.execute_command("SCRIPT", "HELP")
    assert_eq(lines[0], b"SCRIPT <subcommand> [<arg> [value] [opt] ...]. "
              b"Subcommands are:")
    names = [ln.split()[0] for ln in lines[1:] if not ln.startswith(b" ")]
    assert_eq(names, [b"DEBUG", b"EXISTS", b"FLUSH", b"KILL", b"LOAD",
                      b"HELP"])
    try:
        r.execute_command("SCRIPT", "DEBUG", "MAYBE")
        raise AssertionError("SCRIPT DEBUG MAYBE answered")
    except redis.exceptions.ResponseError as e:
        assert_eq(str(e), "Use SCRIPT DEBUG YES/SYNC/NO")
    assert_eq(r.execute_command("SCRIPT", "DEBUG", "NO"), b"OK")


@test
def monitor_shows_the_script_then_its_commands():
    r = h.flushed()
    with h.shared_server().conn() as mon:
        mon.call("MONITOR")
        r.eval("redis.call('set', 'mk', 'v'); return redis.call('get', 'mk')",
               1, "mk")
        lines = [h.parse(mon.read_raw()) for _ in range(3)]
    lines = [ln.decode() if isinstance(ln, bytes) else str(ln) for ln in lines]
    assert lines[0].endswith('"EVAL" "redis.call(\'set\', \'mk\', \'v\'); '
                             'return redis.call(\'get\', \'mk\')" "1" "mk"'), \
        lines[0]
    assert lines[1].endswith('[0 lua] "set" "mk" "v"'), lines[1]
    assert lines[2].endswith('[0 lua] "get" "mk"'), lines[2]


@test
def slowlog_has_the_script_and_its_commands():
    r = h.flushed()
    r.config_set("slowlog-log-slower-than", 0)
    try:
        r.slowlog_reset()
        r.eval("redis.call('set', 'sk', 'v'); return 1", 0)
        entries = r.execute_command("SLOWLOG", "GET", 10)
    finally:
        r.config_set("slowlog-log-slower-than", 10000)
    got = [(e[3], e[4]) for e in entries]
    # Newest first: the EVAL (logged when it ended), the command it ran,
    # from the script client "?:0", then SLOWLOG RESET.
    assert_eq([args for args, _ in got],
              [[b"EVAL", b"redis.call('set', 'sk', 'v'); return 1", b"0"],
               [b"set", b"sk", b"v"], [b"SLOWLOG", b"RESET"]])
    assert_eq(got[1][1], b"?:0")
    assert got[0][1].startswith(b"127.0.0.1:"), got[0][1]


@test
def client_pause_write_holds_scripts_that_may_write():
    r = h.flushed()
    other = h.shared_server().client()

    def held(*args):
        return h.held_by_write_pause(r, other, *args)

    assert held("EVAL", "return 1", 0), "a script without a shebang ran"
    assert held("EVAL", "#!lua\nreturn 1", 0), "a script that may write ran"
    assert not held("EVAL", "#!lua flags=no-writes\nreturn 1", 0)
    assert not held("EVAL_RO", "return 1", 0)
    sha = r.script_load("#!lua flags=no-writes\nreturn 2")
    assert not held("EVALSHA", sha, 0)


if __name__ == "__main__":
    h.run()
