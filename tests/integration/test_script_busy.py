#!/usr/bin/python3
"""A script or function that runs past busy-reply-threshold: the other
clients, old and newly connected, get Redis's -BUSY error but for the
commands Redis lets through (MULTI, HELLO, RESET, WATCH...); SCRIPT KILL
and FUNCTION KILL stop one that has not written, even through a pcall in
the script, and refuse the other kind or one that wrote (UNKILLABLE);
SHUTDOWN NOSAVE stops the server; FUNCTION STATS shows the running
function; blocked clients wait for the script's end; a threshold of 0
never answers BUSY. Every reply text is redis-server 7.0's: the file
passes against it too (RESPITE_BIN=/usr/bin/redis-server)."""

import hashlib
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, test  # noqa: E402

BUSY_EVAL = (b"-BUSY Redis is busy running a script. You can only call "
             b"SCRIPT KILL or SHUTDOWN NOSAVE.\r\n")
BUSY_FUNCTION = (b"-BUSY Redis is busy running a script. You can only call "
                 b"FUNCTION KILL or SHUTDOWN NOSAVE.\r\n")
UNKILLABLE = (b"-UNKILLABLE Sorry the script already executed write commands "
              b"against the dataset. You can either wait the script "
              b"termination or kill the server in a hard way using the "
              b"SHUTDOWN NOSAVE command.\r\n")
NOTBUSY = b"-NOTBUSY No scripts in execution right now.\r\n"
SPIN = "local i = 0 while true do i = i + 1 end"
LIBRARY = (
    "#!lua name=spinlib\n"
    "redis.register_function('spin', function() while true do end end)\n"
    "redis.register_function('wspin', function(keys)\n"
    "  redis.call('set', keys[1], '1') while true do end end)\n")


def server(threshold=100):
    s = h.Server("--busy-reply-threshold", str(threshold)).start()
    return s


def start_script(s, *cmd):
    """Sends cmd on a new connection and waits until another client gets
    -BUSY; returns (runner, other)."""
    runner, other = s.conn(), s.conn()
    runner.send(h.encode(*cmd))
    deadline = time.time() + 10
    while True:
        reply = other.call("PING")
        if reply.startswith(b"-BUSY"):
            return runner, other
        assert reply == b"+PONG\r\n" and time.time() < deadline, reply
        time.sleep(0.02)


def kill(other, runner, what="SCRIPT"):
    """SCRIPT (or FUNCTION) KILL from other; the script's caller's reply."""
    assert_eq(other.call(what, "KILL"), b"+OK\r\n")
    runner.settimeout(10)
    return runner.read_raw()


@test
def eval_busy_answers_busy_and_script_kill_stops_it():
    s = server()
    runner, b = start_script(s, "EVAL", SPIN, "0")
    assert_eq(b.call("GET", "k"), BUSY_EVAL)
    # Pipelined: each command gets its own refusal.
    b.send(h.encode("GET", "k") + h.encode("INCR", "n"))
    assert_eq(b.read_raw() + b.read_raw(), BUSY_EVAL * 2)
    # A connection made while the script runs is taken in too.
    with s.conn() as late:
        assert_eq(late.call("PING"), BUSY_EVAL)
        assert late.call("HELLO", "3").startswith(b"%7\r\n$6\r\nserver\r\n")
        assert_eq(late.call("GET", "k"), BUSY_EVAL)
    # MULTI runs, what it would queue is refused, EXEC discards.
    assert_eq(b.call("MULTI"), b"+OK\r\n")
    assert_eq(b.call("SET", "k", "v"), BUSY_EVAL)
    assert_eq(b.call("EXEC"), b"-EXECABORT Transaction discarded because "
              b"of: " + BUSY_EVAL[1:])
    assert_eq(b.call("WATCH", "k"), b"+OK\r\n")
    assert_eq(b.call("UNWATCH"), b"+OK\r\n")
    # The other kind's commands and a saving SHUTDOWN are refused.
    assert_eq(b.call("FUNCTION", "KILL"), BUSY_EVAL)
    assert_eq(b.call("FUNCTION", "STATS"), BUSY_EVAL)
    assert_eq(b.call("SHUTDOWN"), BUSY_EVAL)
    assert_eq(b.call("SHUTDOWN", "SAVE"), BUSY_EVAL)
    sha = hashlib.sha1(SPIN.encode()).hexdigest()
    assert_eq(kill(b, runner), (
        "-ERR Script killed by user with SCRIPT KILL... script: %s, "
        "on @user_script:1.\r\n" % sha).encode())
    assert_eq(b.call("GET", "k"), b"$-1\r\n")
    assert_eq(b.call("SCRIPT", "KILL"), NOTBUSY)
    assert_eq(runner.call("PING"), b"+PONG\r\n")


@test
def long_pipelines_and_split_requests_are_all_refused():
    s = server()
    runner, b = start_script(s, "EVAL", SPIN, "0")
    piped, split = s.conn(), s.conn()
    # More than one read's share of requests (client.c's CMDS_PER_READ):
    # the rest get their turns while the script still runs.
    piped.send(h.encode("GET", "k") * 500)
    big = h.encode("SET", "k", "x" * 100000)
    split.send(big[:50000])
    assert_eq(b"".join(piped.read_n(500)), BUSY_EVAL * 500)
    split.send(big[50000:])
    assert_eq(split.read_raw(), BUSY_EVAL)
    kill(b, runner)
    assert_eq(b.call("EXISTS", "k"), b":0\r\n")


@test
def busy_comes_after_subscribed_mode_and_before_monitor_and_pause():
    """Redis's order of refusals: a RESP2 subscriber gets its own error,
    a MONITOR client and a write held by CLIENT PAUSE get -BUSY."""
    s = server()
    with s.conn() as pauser:
        assert_eq(pauser.call("CLIENT", "PAUSE", "100000", "WRITE"),
                  b"+OK\r\n")
    sub, mon = s.conn(), s.conn()
    sub.call("SUBSCRIBE", "ch")
    assert_eq(mon.call("MONITOR"), b"+OK\r\n")
    # Read-only, so the pause lets it run.
    runner, b = start_script(s, "EVAL", "#!lua flags=no-writes\n" + SPIN,
                             "0")
    assert_eq(sub.call("GET", "k"), b"-ERR Can't execute 'get': only "
              b"(P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET "
              b"are allowed in this context\r\n")
    assert_eq(sub.call("PING"), BUSY_EVAL)
    assert_eq(b.call("SET", "k", "v"), BUSY_EVAL)
    mon.send(h.encode("GET", "k"))
    while True:                    # past the lines MONITOR feeds it
        line = mon.read_raw()
        if not line.startswith(b"+"):
            break
    assert_eq(line, BUSY_EVAL)
    kill(b, runner)
    assert_eq(b.call("CLIENT", "UNPAUSE"), b"+OK\r\n")


@test
def a_pcall_in_the_script_can_not_swallow_the_kill():
    s = server()
    runner, b = start_script(
        s, "EVAL", "while true do pcall(function() while true do end end) "
        "end", "0")
    assert kill(b, runner).startswith(
        b"-ERR Script killed by user with SCRIPT KILL... script: ")


@test
def a_script_that_wrote_is_unkillable_but_shutdown_nosave_stops_all():
    s = server()
    runner, b = start_script(
        s, "EVAL", "redis.call('set', KEYS[1], 'v') " + SPIN, "1", "k")
    assert_eq(b.call("SCRIPT", "KILL"), UNKILLABLE)
    assert_eq(b.call("FUNCTION", "KILL"), UNKILLABLE)
    b.send(h.encode("SHUTDOWN", "NOSAVE"))
    assert b.is_closed(), "SHUTDOWN NOSAVE left the connection open"
    assert runner.is_closed(), "the script's caller was left connected"
    assert_eq(s.wait_exit(), 0)


@test
def function_busy_function_kill_and_stats():
    s = server()
    with s.conn() as c:
        assert_eq(c.call("FUNCTION", "LOAD", LIBRARY), b"$7\r\nspinlib\r\n")
    runner, b = start_script(s, "FCALL", "spin", "0")
    assert_eq(b.call("GET", "k"), BUSY_FUNCTION)
    assert_eq(b.call("SCRIPT", "KILL"), BUSY_FUNCTION)
    stats = h.parse(b.call("FUNCTION", "STATS"))
    running = dict(zip(stats[1][::2], stats[1][1::2]))
    assert_eq(running[b"name"], b"spin")
    assert_eq(running[b"command"], [b"FCALL", b"spin", b"0"])
    assert running[b"duration_ms"] >= 100, running
    assert_eq(stats[2:], [b"engines", [b"LUA", [b"libraries_count", 1,
                                                  b"functions_count", 2]]])
    assert_eq(kill(b, runner, "FUNCTION"), b"-ERR Script killed by user with SCRIPT "
              b"KILL... script: spin, on @user_function:2.\r\n")
    assert_eq(h.parse(b.call("FUNCTION", "STATS"))[1], None)
    # A function that wrote can not be killed either.
    runner, b = start_script(s, "FCALL", "wspin", "1", "k")
    assert_eq(b.call("FUNCTION", "KILL"), UNKILLABLE)
    b.send(h.encode("SHUTDOWN", "NOSAVE"))
    assert runner.is_closed()
    assert_eq(s.wait_exit(), 0)


def timed_script(ms):
    """A script that writes a list and then spins for ms milliseconds."""
    return ("redis.call('rpush', KEYS[1], 'x') "
            "local t = redis.call('time') "
            "local start = t[1] * 1000 + math.floor(t[2] / 1000) "
            "repeat t = redis.call('time') "
            "until t[1] * 1000 + math.floor(t[2] / 1000) - start >= %d "
            "return 'done'" % ms)


@test
def blocked_clients_wait_for_the_script_to_end():
    s = server()
    waiter = s.conn()
    waiter.send(h.encode("BLPOP", "list", "0"))
    h.wait_blocked(s.client(), 1)
    runner, b = start_script(s, "EVAL", timed_script(600), "1", "list")
    # The push made the list ready, but its waiter is not served while
    # the script runs.
    assert h.no_reply(waiter, 0.2), "a blocked client was served mid-script"
    runner.settimeout(10)
    assert_eq(runner.read_raw(), b"$4\r\ndone\r\n")
    waiter.settimeout(10)
    assert_eq(h.parse(waiter.read_raw()), [b"list", b"x"])
    assert_eq(b.call("PING"), b"+PONG\r\n")


@test
def threshold_zero_never_answers_busy():
    s = server(threshold=0)
    runner, b = s.conn(), s.conn()
    runner.send(h.encode("EVAL", timed_script(400), "1", "l"))
    time.sleep(0.15)
    b.send(h.encode("PING"))
    runner.settimeout(10)
    assert_eq(runner.read_raw(), b"$4\r\ndone\r\n")
    assert_eq(b.read_raw(), b"+PONG\r\n")


@test
def a_client_leaving_mid_script_is_closed_cleanly():
    s = server()
    runner, b = start_script(s, "EVAL", SPIN, "0")
    gone = s.conn()
    assert_eq(gone.call("PING"), BUSY_EVAL)
    gone.close()
    b.send(h.encode("GET", "k"))           # a turn for the server to see it
    assert_eq(b.read_raw(), BUSY_EVAL)
    kill(b, runner)
    clients = h.parse(b.call("CLIENT", "LIST")).decode().splitlines()
    assert_eq(len(clients), 2, clients)


REF_BIN = os.environ.get("REDIS_REF_BIN", "/usr/bin/redis-server")
# Not sent: they end the connection or the script, or run it again.
NOT_SENT = {("quit",), ("hello",), ("shutdown",), ("multi",), ("exec",),
            ("script", "kill"), ("function", "kill"), ("client", "kill")}
# Redis 7.2's arity (README): with 2 arguments, a refusal, not 7.0's error.
ARITY_7_2 = {("zrank",), ("zrevrank",)}


def command_names(conn):
    """Every command and subcommand, as the words that name it."""
    out = set()
    for e in h.parse(conn.call("COMMAND", "INFO")):
        out.add((e[0].decode(),))
        out.update(tuple(s[0].decode().split("|")) for s in e[9])
    return out


@test
def every_command_while_busy_answers_as_redis_does():
    # Alone, with two arguments and with six: arity errors, unknown
    # subcommands and the like come before the refusal, as in Redis.
    ours = server()
    ref = h.Server("--busy-reply-threshold", "100", binary=REF_BIN,
                   name="reference").start()
    with ours.conn() as c1, ref.conn() as c2:
        both = sorted(command_names(c1) & command_names(c2))
    assert len(both) > 300, len(both)
    a1, b1 = start_script(ours, "EVAL", SPIN, "0")
    a2, b2 = start_script(ref, "EVAL", SPIN, "0")
    for extra in ([], ["k", "1"], ["k", "v", "x", "y", "z", "w"]):
        for words in both:
            if words in NOT_SENT or (extra and words in ARITY_7_2 and
                                     not h.is_redis()):
                continue
            call = list(words) + extra
            assert_eq((call, b1.call(*call)), (call, b2.call(*call)))
    for b in (b1, b2):
        assert_eq(b.call("SCRIPT", "KILL"), b"+OK\r\n")


if __name__ == "__main__":
    h.run()
