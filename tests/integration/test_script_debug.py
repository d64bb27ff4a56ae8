#!/usr/bin/python3
"""SCRIPT DEBUG and the Lua debugger. Each session runs twice, on the
server under test and on redis-server 7.0 (/usr/bin/redis-server, or
$REDIS_REFERENCE), over raw sockets, and every reply must be the same
bytes: the stops, list/whole/print/break/trace/eval/redis/maxlen output,
redis.debug() and redis.breakpoint(), the commands a stepped line runs,
errors, abort, the <endsession> array, the EVAL's own reply, and the
connection closed after it. Only the debugger's help text is our own.

The sessions run in both modes: SCRIPT DEBUG SYNC, on the server itself,
and YES, in a forked child whose changes are rolled back while the
server goes on serving the others. The last tests drive the real
`redis-cli --ldb-sync-mode --eval` and `redis-cli --ldb --eval` with the
debugger's commands on their standard input. The file passes against
redis-server too (RESPITE_BIN=/usr/bin/redis-server)."""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, test  # noqa: E402

REFERENCE = os.environ.get("REDIS_REFERENCE", "/usr/bin/redis-server")
ENDSESSION = b"+<endsession>\r\n"

SCRIPT4 = ("local a = 1\n"
           "local b = redis.call('set', KEYS[1], ARGV[1])\n"
           "redis.debug('x', a, {1,2})\n"
           "return a+1\n")
SCRIPT_ERRORS = ('local t = {1,"a",x=3}\n'
                 'redis.breakpoint()\n'
                 'local r = redis.call("set", KEYS[1], "v")\n'
                 'local e = redis.pcall("incr", KEYS[1])\n'
                 'error("boom")\n')
SCRIPT_VALUES = ('local x = {a={1,2},b=true,c=nil}\n'
                 'local y = "q\\"\\n\\0z"\n'
                 'local z = 1.5\n'
                 'return x')
SCRIPT_NESTED = ("local function f(q)\n"
                 "  local w = q * 2\n"
                 "  return w\n"
                 "end\n"
                 "local r = f(5)\n"
                 "return r\n")

SCRIPT_TWO_SETS = ("redis.call('set', KEYS[1], '1')\n"
                   "redis.call('set', KEYS[1], '2')\n"
                   "return 1")

_servers = {}


def servers():
    """(ours, reference): ours is the harness's shared server (its clean
    exit, sanitizer report included, is checked at the end); the
    reference is started once for the file, None when it is missing."""
    if "ref" not in _servers:
        ref = None
        if os.access(REFERENCE, os.X_OK):
            ref = h.file_server(binary=REFERENCE, name="reference")
        _servers["ref"] = ref
    return h.shared_server(), _servers["ref"]


MODES = ("SYNC", "YES")


def both():
    """The servers to run a check on: ours, and the reference if any."""
    ours, ref = servers()
    return [ours] + ([ref] if ref else [])


def session(server, setup, evalargs, commands, debug=True, mode="SYNC"):
    """Runs setup commands (their replies kept), SCRIPT DEBUG mode (unless
    not debug: setup has it), EVAL with evalargs, then each debugger
    command; returns every raw reply.
    After the one that ends the session, the EVAL's reply follows and the
    connection must close."""
    out = []
    with server.conn() as c:
        for cmd in setup:
            out.append(c.call(*cmd))
        if debug:
            out.append(c.call("SCRIPT", "DEBUG", mode))
        out.append(c.call(*evalargs))
        for cmd in commands:
            reply = c.call(*cmd)
            out.append(reply)
            if reply.endswith(ENDSESSION) or ENDSESSION in reply:
                out.append(c.read_raw())
                assert c.is_closed(), "connection left open after session"
                out.append(b"<closed>")
                break
    return out


def compare(setup, evalargs, commands, must_end=True, debug=True,
            mode="SYNC"):
    """The same session on both servers: replies byte for byte. Returns
    ours."""
    ours, ref = servers()
    got = session(ours, setup, evalargs, commands, debug, mode)
    if must_end:
        assert_eq(got[-1], b"<closed>", "session ended")
    if ref is None:
        h.skip("no reference redis-server at %s" % REFERENCE)
    want = session(ref, setup, evalargs, commands, debug, mode)
    for i, (g, w) in enumerate(zip(got, want)):
        assert_eq(g, w, "reply %d of the session" % i)
    assert_eq(len(got), len(want), "number of replies")
    return got


@test()
def stepping_listing_and_breakpoints():
    """The walk-through of the brief, step by step, in both modes."""
    for mode in MODES:
        got = compare(
            [("DEL", "k")], ("EVAL", SCRIPT4, 1, "k", "v"),
            [("step",), ("print",), ("print", "a"), ("list",),
             ("list", "2", "1"), ("whole",), ("break", "4"), ("break",),
             ("trace",), ("eval", "return 1+1"), ("redis", "get", "k"),
             ("maxlen",), ("maxlen", "10"), ("maxlen", "0"), ("foo",),
             ("continue",), ("step",)], mode=mode)
        assert_eq(got[2], b"*2\r\n+* Stopped at 1, stop reason = step "
                  b"over\r\n+-> 1   local a = 1\r\n", mode)
        assert_eq(got[18], b"*3\r\n+<debug> line 3: \"x\", 1, {1; 2}\r\n"
                  b"+* Stopped at 4, stop reason = break point\r\n"
                  b"+->#4   return a+1\r\n", mode)
        assert_eq(got[-2], b":2\r\n", mode)


@test()
def errors_breakpoint_call_and_commands_logged():
    """redis.breakpoint(), commands run while stepping (with their error
    replies), the debugger's own errors, and a script that raises."""
    for mode in MODES:
        got = compare(
            [("DEL", "k", "h")], ("EVAL", SCRIPT_ERRORS, 1, "k"),
            [("step",), ("step",), ("print",), ("step",), ("print", "zz"),
             ("maxlen", "0"), ("eval", "error(1)"), ("eval", "retrun"),
             ("eval",), ("redis", "incr"),
             ("redis", "lrange", "k", "0", "-1"), ("redis", "hgetall", "h"),
             ("redis", "nosuch"), ("redis",), ("break", "-3"),
             ("break", "0"), ("break", "99"), ("break", "x"),
             ("break", "1", "2"), ("break", "1"), ("break",),
             ("list", "1", "0"), ("list", "0", "-1"), ("print", "a", "b"),
             ("s",), ("p", "t"), ("P", "KEYS"), ("step",)], mode=mode)
        assert got[-2].startswith(b"-ERR user_script:5: boom script: "), \
            got[-2]


@test()
def values_and_replies_printed():
    """Strings with escapes, nested tables, numbers, nil; replies of every
    RESP2 type, and maxlen cutting them."""
    compare(
        [("DEL", "L", "f", "big"), ("RPUSH", "L", "a", 'b\n"x', "3")],
        ("EVAL", SCRIPT_VALUES, 0),
        [("n",), ("n",), ("n",), ("print",), ("print", "x"),
         ("redis", "lrange", "L", "0", "-1"), ("redis", "ping"),
         ("redis", "incrbyfloat", "f", "1.5"),
         ("redis", "set", "big", "x" * 100), ("redis", "get", "big"),
         ("maxlen", "60"), ("redis", "get", "big"), ("print", "x"),
         ("eval", "return {1,2,{3}}"), ("eval", 'return "x"*1'),
         ("eval", "return nil"), ("eval", "return 1,2"),
         ("eval", "redis.call('set','a','b')"), ("whole", "x"),
         ("step", "x")])


@test()
def resp3_replies_printed():
    """After redis.setresp(3): maps, sets, doubles and nulls as Redis
    shows them."""
    compare(
        [("DEL", "h4", "s4", "z4", "nokey")],
        ("EVAL", "redis.setresp(3)\nlocal x = 1\nreturn x", 0),
        [("s",), ("redis", "hset", "h4", "a", "1", "b", "2"),
         ("redis", "hgetall", "h4"), ("redis", "sadd", "s4", "x"),
         ("redis", "smembers", "s4"), ("redis", "zadd", "z4", "1.5", "m"),
         ("redis", "zscore", "z4", "m"),
         ("redis", "zrange", "z4", "0", "-1", "withscores"),
         ("redis", "get", "nokey"), ("c",)])


@test()
def input_that_is_no_command_stops_the_script():
    """An inline command, an empty array or an argument over 1 KiB ends
    the session with the script's error "protocol error"."""
    ours, ref = servers()
    results = []
    for server in both():
        got = []
        for raw in (b"PING\r\n", b"*0\r\n", h.encode("eval", "x" * 2000)):
            with server.conn() as c:
                c.call("SCRIPT", "DEBUG", "SYNC")
                c.call("EVAL", "local x = 1\nreturn x", 0)
                c.send(raw)
                got.append(c.read_raw())
                got.append(c.read_raw())
        results.append(got)
    assert_eq(results[0][1], b"-ERR protocol error script: "
              b"81d3cc25cd49aae96a424764ed1ee8c44c88ce76, on "
              b"@user_script:1.\r\n")
    if ref is None:
        h.skip("no reference redis-server at %s" % REFERENCE)
    assert_eq(results[0], results[1])


@test()
def nested_functions_trace_and_breakpoint_continue():
    compare([], ("EVAL", SCRIPT_NESTED, 0),
            [("s",), ("s",), ("s",), ("trace",), ("print",), ("s",),
             ("s",)])
    compare([], ("EVAL", "local x = 1\nredis.breakpoint()\nreturn x", 0),
            [("c",), ("c",)])
    compare([], ("EVAL", "return redis.breakpoint()", 0), [("c",)])


@test()
def abort_and_refused_write():
    for mode in MODES:
        got = compare([], ("EVAL", "local x = 1\nreturn x", 0), [("abort",)],
                      mode=mode)
        assert got[-2].startswith(b"-ERR script aborted for user request"), \
            got
        compare([], ("EVAL", '#!lua flags=no-writes\nlocal x = 1\n'
                     'return redis.call("set","x","y")', 0),
                [("n",), ("n",)], mode=mode)


@test()
def script_debug_arguments_multi_and_evalsha():
    """Errors of SCRIPT DEBUG, in MULTI, of EVALSHA in debug mode, and an
    EVAL queued in MULTI that EXEC runs as a session."""
    setup = [("SCRIPT", "DEBUG"), ("SCRIPT", "DEBUG", "foo"),
             ("SCRIPT", "DEBUG", "SYNC", "x"), ("SCRIPT", "DEBUG", "NO"),
             ("MULTI",), ("SCRIPT", "DEBUG", "SYNC"), ("EXEC",),
             ("MULTI",), ("SCRIPT", "DEBUG", "foo"), ("SCRIPT", "DEBUG", "NO"),
             ("EXEC",), ("SCRIPT", "HELP")]
    got = compare(setup, ("EVALSHA", "a" * 40, 0), [], must_end=False)
    assert_eq(got[1], b"-ERR Use SCRIPT DEBUG YES/SYNC/NO\r\n")
    assert_eq(got[6], b"*1\r\n-ERR SCRIPT DEBUG must be called outside a "
              b"pipeline\r\n")
    assert_eq(got[-1], b"-ERR Please use EVAL instead of EVALSHA for "
              b"debugging\r\n")
    for mode in MODES:
        got = compare([("SCRIPT", "DEBUG", mode), ("MULTI",)],
                      ("EVAL", "return 1", 0), [("EXEC",), ("c",)],
                      debug=False)
        assert_eq(got[-3], b"*1\r\n+<endsession>\r\n", mode)
        assert_eq(got[-2], b"*1\r\n:1\r\n", mode)


@test()
def errors_before_the_run_end_the_session():
    """A bad numkeys or a script that does not compile still ends the
    session (its end, then the error, then the close), in both modes;
    EVALSHA of a name that is no SHA-1 gets NOSCRIPT first."""
    results = []
    for server in both():
        got = []
        for mode in MODES:
            for evalargs in (("EVAL", "retrun 1", 0), ("EVAL", "return 1", "x"),
                             ("EVAL", "return 1", 5)):
                with server.conn() as c:
                    c.call("SCRIPT", "DEBUG", mode)
                    got.append(c.call(*evalargs))
                    got.append(c.read_raw())
                    got.append(c.is_closed())
            with server.conn() as c:
                c.call("SCRIPT", "DEBUG", mode)
                got.append(c.call("EVALSHA", "abc", 0))
                got.append(c.call("EVALSHA", "a" * 40, 0))
        results.append(got)
    assert_eq(results[0][:3], [b"*1\r\n+<endsession>\r\n",
                               b"-ERR Error compiling script (new function): "
                               b"user_script:1: '=' expected near '1'\r\n",
                               True])
    assert_eq(results[0][9], b"-NOSCRIPT No matching script. Please use "
              b"EVAL.\r\n")
    if len(results) == 1:
        h.skip("no reference redis-server at %s" % REFERENCE)
    assert_eq(results[0], results[1])


def end_or_leave(c, leave):
    """Ends SCRIPT_TWO_SETS's session with continue (its reply 1, then the
    close), or has the client go away mid-session."""
    if leave:
        c.close()
        return
    assert ENDSESSION in c.call("continue")
    assert_eq(c.read_raw(), b":1\r\n")
    assert c.is_closed()


@test()
def sync_keeps_changes_blocks_others_and_survives_disconnect():
    """In SYNC mode another client waits for the session and the writes
    stay; a debugged client that disconnects lets the script finish."""
    script = SCRIPT_TWO_SETS
    for server in both():
        for leave in (False, True):
            other = server.conn()
            other.call("DEL", "d")
            c = server.conn()
            c.call("SCRIPT", "DEBUG", "SYNC")
            first = c.call("EVAL", script, 1, "d")
            assert first.startswith(b"*2\r\n+* Stopped at 1"), first
            other.send(h.encode("GET", "d"))
            other.settimeout(0.5)
            try:
                early = other.read_raw()
            except OSError:
                early = None
            assert_eq(early, None, "another client served mid-session")
            end_or_leave(c, leave)
            other.settimeout(10)
            assert_eq(other.read_raw(), b"$1\r\n2\r\n")
            other.close()


@test()
def help_is_our_own():
    ours, _ = servers()
    with ours.conn() as c:
        c.call("SCRIPT", "DEBUG", "SYNC")
        c.call("EVAL", "return 1", 0)
        reply = c.call("help")
        assert reply.startswith(b"*"), reply
        lines = reply.split(b"\r\n")[1:-1]
        assert all(ln.startswith(b"+") for ln in lines), reply
        if not ours.redis:
            assert_eq(lines[0], b"+Respite Lua debugger commands:")
        assert ENDSESSION in c.call("c")


def children(server):
    """The pids of the server's child processes (a forked session's)."""
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(server.proc.pid)],
                         capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def running(pid):
    """Whether pid is a live process (not gone, not a zombie)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def info_field(c, section, name):
    for line in c.call("INFO", section).split(b"\r\n"):
        if line.startswith(name.encode() + b":"):
            return int(line.split(b":")[1])
    raise AssertionError("no %s in INFO %s" % (name, section))


@test()
def yes_rolls_back_serves_others_and_reaps():
    """In YES mode the server answers another client mid-session, the
    session's writes never reach the dataset, the debugged connection is
    no longer the server's own (connected_clients), the fork is counted,
    and the child is reaped whether the session ends or its client goes
    away."""
    script = SCRIPT_TWO_SETS
    for server in both():
        for leave in (False, True):
            other = server.conn()
            assert_eq(other.call("SET", "d", "0"), b"+OK\r\n")
            forks = info_field(other, "stats", "total_forks")
            c = server.conn()
            assert_eq(c.call("SCRIPT", "DEBUG", "YES"), b"+OK\r\n")
            first = c.call("EVAL", script, 1, "d")
            assert first.startswith(b"*2\r\n+* Stopped at 1"), first
            assert c.call("step").startswith(b"*"), "stepped over a SET"
            assert_eq(other.call("GET", "d"), b"$1\r\n0\r\n",
                      "another client served mid-session, unchanged")
            assert_eq(info_field(other, "stats", "total_forks"), forks + 1)
            h.wait_for(lambda: info_field(other, "clients",
                                          "connected_clients") == 1,
                       "the parent let go of the debugged client")
            end_or_leave(c, leave)
            h.wait_for(lambda: children(server) == [],
                       "the session's child reaped")
            assert_eq(other.call("GET", "d"), b"$1\r\n0\r\n",
                      "the session's writes rolled back")
            other.close()


@test(respite_only=True, reason="Redis's child keeps every connection open")
def forked_session_keeps_no_other_connection():
    """The child of a YES session holds only its own client's socket: a
    client the server kills meanwhile sees its connection end at once,
    not when the session ends, and the child has no listening socket."""
    ours, _ = servers()
    victim = ours.conn()
    vid = int(victim.call("CLIENT", "ID")[1:-2])
    c = ours.conn()
    c.call("SCRIPT", "DEBUG", "YES")
    assert c.call("EVAL", "local x = 1\nreturn x", 0).startswith(b"*2")
    kids = children(ours)
    assert_eq(len(kids), 1, "one child runs the session")
    socks = [os.readlink("/proc/%d/fd/%s" % (kids[0], fd))
             for fd in os.listdir("/proc/%d/fd" % kids[0])]
    assert_eq(len([s for s in socks if s.startswith("socket:")]), 1,
              "sockets the child holds: %r" % socks)
    with ours.conn() as o:
        assert_eq(o.call("CLIENT", "KILL", "ID", vid), b":1\r\n")
    assert victim.is_closed(timeout=2.0), "killed client still connected"
    assert ENDSESSION in c.call("continue")
    h.wait_for(lambda: children(ours) == [], "the session's child reaped")


@test()
def shutdown_kills_forked_sessions():
    """SHUTDOWN ends a session's child too: its client sees the end, and
    no process is left behind."""
    server = h.file_server(name="ldb-shutdown")
    try:
        c = server.conn()
        c.call("SCRIPT", "DEBUG", "YES")
        assert c.call("EVAL", "local x = 1\nreturn x", 0).startswith(
            b"*2\r\n+* Stopped at 1")
        kids = children(server)
        assert_eq(len(kids), 1, "one child runs the session")
        with server.conn() as o:
            o.send(h.encode("SHUTDOWN", "NOSAVE"))
        assert_eq(server.wait_exit(), 0, "exit status")
        assert c.is_closed(), "the session's connection ended"
        h.wait_for(lambda: not running(kids[0]), "the child ended")
        assert b"Killing the child of a Lua debugging session" in server.log_bytes() or \
            server.redis, server.log_tail()
    finally:
        server.stop()


def run_cli(server, flag, path, stdin):
    p = subprocess.run(
        ["redis-cli", "-p", str(server.port), flag, "--eval", path, "k", ",",
         "v"], input=stdin, capture_output=True, timeout=30)
    return p.returncode, p.stdout + p.stderr


@test()
def redis_cli_ldb_and_ldb_sync_mode():
    """The real redis-cli drives a session from its standard input, in
    both modes; its output is the same on both servers, and the write
    stays after --ldb-sync-mode only."""
    path = os.path.join(h.scratch_dir(), "debugged.lua")
    with open(path, "w") as f:
        f.write('local a = 1\n'
                'local b = redis.call("set", KEYS[1], ARGV[1])\n'
                'redis.debug("x", a)\n'
                'return a+1\n')
    ours, ref = servers()
    stdin = b"step\nprint\nstep\nbreak 4\nlist\ncontinue\ncontinue\n"
    for flag, ended, kept in (
            ("--ldb-sync-mode", b"(Lua debugging session ended)",
             b"$1\r\nv\r\n"),
            ("--ldb", b"(Lua debugging session ended -- dataset changes "
                      b"rolled back)", b"$-1\r\n")):
        outs = []
        for server in both():
            with server.conn() as c:
                c.call("DEL", "k")
            rc, out = run_cli(server, flag, path, stdin)
            assert_eq(rc, 0, "redis-cli exit status")
            for want in (b"Lua debugging session started",
                         b"* Stopped at 1, stop reason = step over",
                         b"<value> a = 1", b"<redis> set k v",
                         b'<reply> "+OK"', b"  #4   return a+1",
                         b'<debug> line 3: "x", 1',
                         b"* Stopped at 4, stop reason = break point",
                         b"(integer) 2", ended):
                assert want in out, (flag, want, out)
            with server.conn() as c:
                assert_eq(c.call("GET", "k"), kept, flag)
            outs.append(out)
        if ref is None:
            h.skip("no reference redis-server at %s" % REFERENCE)
        assert_eq(outs[0], outs[1], "redis-cli %s output on both servers"
                  % flag)


if __name__ == "__main__":
    h.run()
