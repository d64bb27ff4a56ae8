#!/usr/bin/python3
"""CLIENT PAUSE timeout [WRITE|ALL] and CLIENT UNPAUSE, as Redis 7.0 has
them: which commands wait under ALL and under WRITE (writes, PUBLISH, a
write queued in MULTI, EXEC of a transaction holding one), that waiting
clients run in order when the pause ends or is lifted, what they sent
after the held command waits too, the pausing client is held like any
other and a MONITOR client never is, held clients count as blocked, a
second pause keeps the stricter type and the later end, and while paused
no key expires (a read sees it gone, DBSIZE still counts it). Every test
passes against redis-server 7.0.15 too (RESPITE_BIN=/usr/bin/redis-server).
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, test  # noqa: E402


def server():
    return h.Server(name="pause").start()


def held(conn, wait=0.15):
    """True if nothing came back on conn within wait seconds."""
    return h.no_reply(conn, wait)


class Monitor:
    """A MONITOR connection used to run commands no pause holds back;
    call() skips the monitor lines that arrive before its reply."""

    def __init__(self, s):
        self.c = s.conn()
        assert_eq(self.c.call("MONITOR"), b"+OK\r\n")

    def call(self, *args):
        self.c.send(h.encode(*args))
        while True:
            raw = self.c.read_raw()
            if not (raw[:1] == b"+" and raw[1:2].isdigit()):
                return raw

    def close(self):
        self.c.close()


def monitor(s):
    return Monitor(s)


@test
def all_holds_every_command_until_it_ends():
    s = server()
    with s.conn() as p, s.conn() as c:
        assert_eq(p.call("CLIENT", "PAUSE", "400"), b"+OK\r\n")
        t0 = time.monotonic()
        c.send(h.encode("PING"))
        assert held(c)
        # Refused commands are still answered at once.
        with s.conn() as d:
            assert_eq(d.call("NOSUCH")[:20], b"-ERR unknown command")
            assert_eq(d.call("GET")[:30], b"-ERR wrong number of arguments")
        assert_eq(c.read_raw(), b"+PONG\r\n")
        assert time.monotonic() - t0 >= 0.3
        # The pausing client is held like any other.
        assert_eq(p.call("CLIENT", "PAUSE", "300", "ALL"), b"+OK\r\n")
        p.send(h.encode("CLIENT", "ID"))
        assert held(p)
        assert_eq(p.read_raw()[:1], b":")


@test
def write_holds_writes_only():
    s = server()
    r = s.client()
    r.set("k", "v")
    with s.conn() as p, s.conn() as c:
        assert_eq(p.call("CLIENT", "PAUSE", "2000", "WRITE"), b"+OK\r\n")
        for cmd in (("GET", "k"), ("DBSIZE",), ("PING",), ("SELECT", "0"),
                    ("INFO", "keyspace"), ("SUBSCRIBE", "x"),
                    ("UNSUBSCRIBE", "x")):
            c.call(*cmd)
        assert_eq(c.call("GET", "k"), b"$1\r\nv\r\n")
        for cmd in (("SET", "k", "v2"), ("PUBLISH", "ch", "m"),
                    ("EXPIRE", "k", "100")):
            with s.conn() as w:
                w.send(h.encode(*cmd))
                assert held(w, 0.1), cmd
        # A write queued in MULTI waits; EXEC of reads runs; of a write,
        # waits.
        assert_eq(c.call("MULTI"), b"+OK\r\n")
        assert_eq(c.call("GET", "k"), b"+QUEUED\r\n")
        assert_eq(h.parse(c.call("EXEC")), [b"v"])
        with s.conn() as w:
            w.call("MULTI")
            w.send(h.encode("SET", "k", "v3"))
            assert held(w, 0.1)
            assert_eq(p.call("CLIENT", "UNPAUSE"), b"+OK\r\n")
            assert_eq(w.read_raw(), b"+QUEUED\r\n")
            assert_eq(p.call("CLIENT", "PAUSE", "2000", "WRITE"), b"+OK\r\n")
            w.send(h.encode("EXEC"))
            assert held(w, 0.1)
            p.call("CLIENT", "UNPAUSE")
            assert_eq(h.parse(w.read_raw()), [b"OK"])
        assert_eq(r.get("k"), b"v3")


@test
def held_clients_run_in_order_with_what_they_sent_after():
    s = server()
    m = monitor(s)
    conns = [s.conn() for _ in range(3)]
    try:
        assert_eq(m.call("CLIENT", "PAUSE", "5000", "WRITE"), b"+OK\r\n")
        for i, c in enumerate(conns):
            # A write held, then a read pipelined behind it waits too.
            c.send(h.encode("RPUSH", "order", str(i)) +
                   h.encode("LRANGE", "order", "0", "-1"))
            assert held(c, 0.05)
        info = m.call("INFO", "clients")
        assert b"blocked_clients:3\r\n" in info, info
        cl = m.call("CLIENT", "LIST")
        assert_eq(cl.count(b" flags=b "), 3)
        assert_eq(m.call("CLIENT", "UNPAUSE"), b"+OK\r\n")
        for i, c in enumerate(conns):
            assert_eq(c.read_raw(), b":%d\r\n" % (i + 1))
            assert_eq(len(h.parse(c.read_raw())), i + 1)
        assert_eq(s.client().lrange("order", 0, -1), [b"0", b"1", b"2"])
        assert b"blocked_clients:0\r\n" in m.call("INFO", "clients")
        # A monitor is never held (and the held commands reached it when
        # they ran, after UNPAUSE).
    finally:
        for c in conns:
            c.close()
        m.close()


@test
def a_second_pause_keeps_the_stricter_type_and_later_end():
    s = server()
    m = monitor(s)
    # WRITE for 1.5 s, then ALL for 0.1 s: ALL until 1.5 s.
    m.call("CLIENT", "PAUSE", "1500", "WRITE")
    m.call("CLIENT", "PAUSE", "100", "ALL")
    with s.conn() as c:
        time.sleep(0.3)
        t0 = time.monotonic()
        c.send(h.encode("GET", "k"))
        assert held(c, 0.2)
        assert_eq(c.read_raw(), b"$-1\r\n")
        assert time.monotonic() - t0 > 0.8
    # ALL for 1.5 s, then WRITE for 0.1 s: still ALL.
    m.call("CLIENT", "PAUSE", "1500", "ALL")
    m.call("CLIENT", "PAUSE", "100", "WRITE")
    with s.conn() as c:
        time.sleep(0.3)
        c.send(h.encode("GET", "k"))
        assert held(c, 0.2)
        assert_eq(m.call("CLIENT", "UNPAUSE"), b"+OK\r\n")
        assert_eq(c.read_raw(), b"$-1\r\n")


@test
def nothing_expires_while_paused():
    s = server()
    r = s.client()
    m = monitor(s)
    r.set("gone", "v", px=100)
    r.set("stays", "v")
    assert_eq(m.call("CLIENT", "PAUSE", "5000", "WRITE"), b"+OK\r\n")
    time.sleep(0.4)
    # A read sees it gone; it is not removed (no expired key, no event)
    # until the pause ends.
    assert_eq(r.get("gone"), None)
    assert_eq(r.exists("gone"), 0)
    assert_eq(r.dbsize(), 2)
    assert_eq(r.info("stats")["expired_keys"], 0)
    m.call("CLIENT", "UNPAUSE")
    assert_eq(r.get("gone"), None)
    assert_eq(r.dbsize(), 1)
    assert_eq(r.info("stats")["expired_keys"], 1)


@test
def a_held_client_can_disconnect():
    s = server()
    m = monitor(s)
    m.call("CLIENT", "PAUSE", "5000", "ALL")
    c = s.conn()
    c.send(h.encode("SET", "k", "v"))
    assert held(c, 0.1)
    c.close()
    time.sleep(0.1)
    assert b"blocked_clients:0\r\n" in m.call("INFO", "clients")
    m.call("CLIENT", "UNPAUSE")
    with s.conn() as d:
        assert_eq(d.call("EXISTS", "k"), b":0\r\n")


if __name__ == "__main__":
    h.run()
