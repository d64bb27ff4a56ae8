#!/usr/bin/python3
"""MONITOR: the lines a monitoring client gets, as Redis 7.0 sends them.

Byte checks on raw sockets (the line format, every byte value escaped as
Redis's sdscatrepr does, the unix socket form), redis-py's r.monitor()
and redis-cli monitor parsing them, what is and is not sent (commands
after they ran, EXEC after its commands, blocking commands once, refused
and admin commands never, AUTH and HELLO credentials redacted), what a
monitor may still run itself, RESP3, RESET and disconnection. Every test
passes against redis-server 7.0 too (RESPITE_BIN=/usr/bin/redis-server).
"""

import os
import re
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, test  # noqa: E402

LINE = re.compile(rb"^\+(\d+)\.(\d{6}) \[(\d+) ([^\]]+)\] (.*)\r\n$", re.S)
KEYSPACE = b"-ERR Replica can't interact with the keyspace\r\n"


def repr_arg(b):
    """An argument as Redis's sdscatrepr quotes it."""
    out = bytearray(b'"')
    for ch in b:
        if ch in b'\\"':
            out += b"\\" + bytes([ch])
        elif ch in b"\n\r\t\a\b":
            out += {10: b"\\n", 13: b"\\r", 9: b"\\t", 7: b"\\a",
                    8: b"\\b"}[ch]
        elif 0x20 <= ch < 0x7f:
            out.append(ch)
        else:
            out += b"\\x%02x" % ch
    return bytes(out + b'"')


def args_of(*args):
    return b" ".join(repr_arg(a.encode() if isinstance(a, str) else a)
                     for a in args)


def addr_of(conn):
    host, port = conn.sock.getsockname()[:2]
    return ("%s:%d" % (host, port)).encode()


def monitor(s):
    m = s.conn()
    assert_eq(m.call("MONITOR"), b"+OK\r\n")
    return m


def next_line(m):
    """The next monitor line on raw Conn m, split: (sec, usec, db, addr,
    args bytes)."""
    raw = m._line()
    mt = LINE.match(raw)
    assert mt, "not a monitor line: %r" % raw
    return (int(mt.group(1)), mt.group(2), int(mt.group(3)), mt.group(4),
            mt.group(5))


def fence(c, m, word="fence"):
    """Sends ECHO word on c; returns the args of every line m got before
    the fence's."""
    assert_eq(c.call("ECHO", word), b"$%d\r\n%s\r\n" % (len(word),
                                                          word.encode()))
    seen = []
    while True:
        args = next_line(m)[4]
        if args == args_of("ECHO", word):
            return seen
        seen.append(args)


@test
def line_format_and_time():
    s = h.Server(name="monitor").start()
    m = monitor(s)
    with s.conn() as c:
        before = time.time()
        assert_eq(c.call("SET", "k", "v"), b"+OK\r\n")
        raw = m._line()
        after = time.time()
        mt = LINE.match(raw)
        assert mt, raw
        assert_eq(mt.group(3), b"0")
        assert_eq(mt.group(4), addr_of(c))
        assert_eq(mt.group(5), b'"SET" "k" "v"')
        t = int(mt.group(1)) + int(mt.group(2)) / 1e6
        assert before - 0.01 <= t <= after + 0.01, (before, t, after)
        # The command's name as the client wrote it.
        c.call("get", "k")
        assert_eq(next_line(m)[4], b'"get" "k"')


@test
def every_byte_escaped_as_redis_does():
    s = h.Server(name="monitor").start()
    m = monitor(s)
    allbytes = bytes(range(256))
    with s.conn() as c:
        c.call("SET", allbytes, b'say "hi"\\')
        line = m._line()
        want = b" ".join([b'"SET"', repr_arg(allbytes),
                          b'"say \\"hi\\"\\\\"'])
        assert line.endswith(b"] " + want + b"\r\n"), line
        # The escapes themselves, spelled out.
        assert b'\\x00\\x01' in line and b'\\a\\b\\t\\n\\x0b\\x0c\\r' in line
        assert b'\\x7f\\x80' in line and line.count(b"\\xff") == 1
        assert b" !\\\"#$%&'()*+,-./0123456789" in line
        c.call("ECHO", "")
        assert_eq(next_line(m)[4], b'"ECHO" ""')
        c.call("ECHO", "123")
        assert_eq(next_line(m)[4], b'"ECHO" "123"')


@test
def db_after_the_command_and_transactions():
    s = h.Server(name="monitor").start()
    m = monitor(s)
    with s.conn() as c:
        c.call("SELECT", "3")
        assert_eq(next_line(m)[2:4], (3, addr_of(c)))
        c.call("SET", "a", "1")
        assert_eq(next_line(m)[2], 3)
        c.call("SELECT", "0")
        for cmd in (("MULTI",), ("SET", "a", "1"), ("INCR", "a"),
                    ("SELECT", "5"), ("INCR", "a")):
            assert_eq(c.call(*cmd), b"+OK\r\n" if cmd[0] == "MULTI"
                      else b"+QUEUED\r\n")
        assert_eq(h.parse(c.call("EXEC")), [b"OK", 2, b"OK", 1])
        got = [next_line(m) for _ in range(7)]
        # Queued commands are shown when EXEC runs them, each with the
        # database it ran in, and EXEC after them.
        assert_eq([(g[2], g[4]) for g in got], [
            (0, b'"SELECT" "0"'), (0, b'"MULTI"'),
            (0, b'"SET" "a" "1"'), (0, b'"INCR" "a"'),
            (5, b'"SELECT" "5"'), (5, b'"INCR" "a"'), (5, b'"EXEC"')])
        # Refused commands are not shown, a failing one is; EXECABORT's
        # EXEC is.
        c.call("NOSUCH", "x")
        c.call("GET")
        c.call("CONFIG", "NOSUCH")
        c.call("LPUSH", "a", "x")                    # WRONGTYPE, ran
        c.call("MULTI")
        c.call("SET", "k")                           # refused
        c.call("PING")
        c.call("EXEC")
        c.call("MULTI")
        c.call("PING")
        c.call("DISCARD")
        assert_eq(fence(c, m), [b'"LPUSH" "a" "x"', b'"MULTI"', b'"EXEC"',
                                b'"MULTI"', b'"DISCARD"'])


@test
def admin_commands_are_not_shown():
    s = h.Server(name="monitor").start()
    m = monitor(s)
    with s.conn() as c:
        cid = h.parse(c.call("CLIENT", "ID"))
        c.call("CONFIG", "GET", "maxmemory")
        c.call("CONFIG", "SET", "maxmemory", "0")
        c.call("CONFIG", "RESETSTAT")
        c.call("SLOWLOG", "GET")
        c.call("SLOWLOG", "LEN")
        c.call("SLOWLOG", "RESET")
        c.call("CLIENT", "LIST")
        c.call("CLIENT", "KILL", "ID", "999999")
        c.call("CLIENT", "UNBLOCK", str(cid))
        with s.conn() as m2:
            assert_eq(m2.call("MONITOR"), b"+OK\r\n")
        # Their HELP is not admin; nor are CLIENT ID and SETNAME.
        c.call("CONFIG", "HELP")
        c.call("SLOWLOG", "HELP")
        c.call("CLIENT", "SETNAME", "app")
        assert_eq(fence(c, m), [
            b'"CLIENT" "ID"', b'"CONFIG" "HELP"', b'"SLOWLOG" "HELP"',
            b'"CLIENT" "SETNAME" "app"'])


@test
def auth_and_hello_credentials_are_redacted():
    s = h.Server("--requirepass", "s3cret", name="monitor").start()
    m = s.conn()
    assert_eq(m.call("MONITOR")[:8], b"-NOAUTH ")
    assert_eq(m.call("AUTH", "s3cret"), b"+OK\r\n")
    assert_eq(m.call("MONITOR"), b"+OK\r\n")
    with s.conn() as c:
        c.call("GET", "k")                           # NOAUTH: not shown
        c.call("AUTH", "wrong")
        c.call("AUTH", "default", "s3cret")
        c.call("HELLO", "3", "AUTH", "default", "s3cret", "SETNAME", "x")
        c.call("HELLO", "2", "AUTH", "default", "s3cret")
        # As in Redis, what a failing option stops short of is shown.
        c.call("HELLO", "3", "AUTH", "default", "bad", "AUTH", "a", "b")
        c.call("AUTH", "a", "b", "c")                # syntax error
        seen = fence(c, m)
    assert_eq(seen, [
        b'"AUTH" "(redacted)"',
        b'"AUTH" "(redacted)" "(redacted)"',
        b'"HELLO" "3" "AUTH" "(redacted)" "(redacted)" "SETNAME" "x"',
        b'"HELLO" "2" "AUTH" "(redacted)" "(redacted)"',
        b'"HELLO" "3" "AUTH" "(redacted)" "(redacted)" "AUTH" "a" "b"',
        b'"AUTH" "a" "b" "c"'])
    assert not any(b"s3cret" in l for l in seen)


@test
def a_monitor_runs_other_commands_and_sees_its_own():
    s = h.Server(name="monitor").start()
    m = monitor(s)
    # Nothing at all for a second MONITOR.
    m.send(h.encode("MONITOR"))
    assert h.no_reply(m)
    assert_eq(m.call("PING"), b"+PONG\r\n")
    assert_eq(next_line(m)[3:], (addr_of(m), b'"PING"'))
    for cmd in (("GET", "k"), ("SET", "k", "v"), ("DBSIZE",),
                ("PUBLISH", "ch", "x"), ("XINFO", "STREAM", "s"),
                ("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")):
        assert_eq(m.call(*cmd), KEYSPACE, cmd)
    assert h.no_reply(m)
    info = m.call("CLIENT", "INFO")
    assert b" flags=O " in info, info
    assert_eq(next_line(m)[4], b'"CLIENT" "INFO"')
    # QUIT: +OK, and the connection closes without its own line.
    assert_eq(m.call("QUIT"), b"+OK\r\n")
    assert m.is_closed()


@test
def blocking_commands_shown_once():
    s = h.Server(name="monitor").start()
    m = monitor(s)
    r = s.client()
    with s.conn() as b, s.conn() as c:
        b.send(h.encode("BLPOP", "q", "0"))
        assert_eq(next_line(m)[3:], (addr_of(b), b'"BLPOP" "q" "0"'))
        h.wait_blocked(r, 1)
        c.call("RPUSH", "q", "v")
        assert_eq(h.parse(b.read_raw()), [b"q", b"v"])
        # The serve is not a second BLPOP line (wait_blocked's INFOs
        # aside).
        assert_eq([l for l in fence(c, m) if not l.startswith(b'"INFO"')],
                  [b'"RPUSH" "q" "v"'])
        b.call("BLPOP", "q2", "0.05")
        assert_eq(fence(c, m, "again"), [b'"BLPOP" "q2" "0.05"'])


@test
def resp3_monitor_gets_status_lines_and_reset_stops_it():
    s = h.Server(name="monitor").start()
    m = s.conn()
    m.call("HELLO", "3")
    assert_eq(m.call("MONITOR"), b"+OK\r\n")
    with s.conn() as c:
        c.call("SET", "k", "v")
        raw = m.read_raw()
        assert raw.startswith(b"+") and raw.endswith(b'"SET" "k" "v"\r\n')
        assert_eq(m.call("RESET"), b"+RESET\r\n")
        c.call("SET", "k", "v2")
        assert h.no_reply(m)
        assert_eq(m.call("GET", "k"), b"$2\r\nv2\r\n")
        assert b" flags=N " in m.call("CLIENT", "INFO")


@test
def other_clients_unaffected_and_disconnect():
    s = h.Server(name="monitor").start()
    m1, m2 = monitor(s), monitor(s)
    r = s.client()
    pipe = r.pipeline(transaction=False)
    for i in range(500):
        pipe.set("k%d" % i, i)
        pipe.get("k%d" % i)
    res = pipe.execute()
    assert_eq(res[0::2], [True] * 500)
    assert_eq(res[1::2], [str(i).encode() for i in range(500)])
    for mon in (m1, m2):
        for i in range(500):
            assert_eq(next_line(mon)[4], args_of("SET", "k%d" % i, str(i)))
            assert_eq(next_line(mon)[4], args_of("GET", "k%d" % i))
    # One monitor goes away; the other keeps getting lines, and commands
    # keep their replies.
    m1.close()
    with s.conn() as c:
        for _ in range(50):
            assert_eq(c.call("INCR", "n")[:1], b":")
        assert_eq(len(fence(c, m2)), 50)
        # CLIENT KILL of a monitor.
        mid = h.parse(m2.call("CLIENT", "ID"))
        next_line(m2)
        assert_eq(c.call("CLIENT", "KILL", "ID", str(mid)), b":1\r\n")
        assert m2.is_closed()
        assert_eq(c.call("PING"), b"+PONG\r\n")
        assert b"flags=O" not in c.call("CLIENT", "LIST")


@test
def unix_socket_address():
    path = os.path.join(tempfile.mkdtemp(prefix="respite-mon-"), "s.sock")
    s = h.Server("--unixsocket", path, name="monitor").start()
    m = monitor(s)
    u = socket.socket(socket.AF_UNIX)
    u.connect(path)
    try:
        u.sendall(h.encode("ECHO", "via unix"))
        assert_eq(u.recv(100), b"$8\r\nvia unix\r\n")
        assert_eq(next_line(m)[3:], (b"unix:" + path.encode(),
                                     b'"ECHO" "via unix"'))
    finally:
        u.close()


@test
def redis_py_monitor():
    s = h.Server(name="monitor").start()
    r = s.client()
    with r.monitor() as mon:
        with s.conn() as c:
            c.call("SET", "key with space", "v\"q")
            c.call("SELECT", "2")
            got = [mon.next_command() for _ in range(2)]
            port = c.sock.getsockname()[1]
    assert_eq(got[0]["command"], 'SET key with space v"q')
    assert_eq((got[0]["db"], got[0]["client_address"],
               int(got[0]["client_port"]), got[0]["client_type"]),
              (0, "127.0.0.1", port, "tcp"))
    assert_eq((got[1]["command"], got[1]["db"]), ("SELECT 2", 2))
    assert abs(got[0]["time"] - time.time()) < 5


@test
def redis_cli_monitor():
    s = h.Server(name="monitor").start()
    cli = subprocess.Popen(["redis-cli", "-p", str(s.port), "monitor"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert_eq(cli.stdout.readline(), b"OK\n")
        with s.conn() as c:
            c.call("HSET", "h", "f", "a\nb")
            line = cli.stdout.readline()
            assert re.match(rb'^\d+\.\d{6} \[0 127\.0\.0\.1:%d\] '
                            rb'"HSET" "h" "f" "a\\nb"\n$'
                            % c.sock.getsockname()[1], line), line
    finally:
        cli.kill()
        cli.wait()


@test
def client_no_evict_is_recorded():
    s = h.Server(name="monitor").start()
    with s.conn() as c:
        assert b" flags=N " in c.call("CLIENT", "INFO")
        assert_eq(c.call("CLIENT", "NO-EVICT", "on"), b"+OK\r\n")
        assert b" flags=e " in c.call("CLIENT", "INFO")
        c.call("SUBSCRIBE", "ch")
        with s.conn() as other:
            assert b" flags=Pe " in other.call("CLIENT", "LIST")
        # RESET keeps it in Redis 7.0, clears it in 7.2 (and Respite);
        # OFF clears it.
        assert_eq(c.call("RESET"), b"+RESET\r\n")
        assert (b" flags=e " if h.is_redis() else b" flags=N ") in \
            c.call("CLIENT", "INFO")
        c.call("CLIENT", "NO-EVICT", "on")
        assert_eq(c.call("CLIENT", "NO-EVICT", "OFF"), b"+OK\r\n")
        assert b" flags=N " in c.call("CLIENT", "INFO")
        assert_eq(c.call("CLIENT", "NO-EVICT", "maybe"),
                  b"-ERR syntax error\r\n")


if __name__ == "__main__":
    h.run()
