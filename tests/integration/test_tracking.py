#!/usr/bin/python3
"""Client-side caching (CLIENT TRACKING) over real sockets, where it needs
more than one connection with known ids: RESP2 invalidations redirected to
a subscriber of __redis__:invalidate (raw frames and redis-py 4.3's
PubSub), RESP3 pushes to a redirect client, nothing to a RESP2 client that
is not subscribed, the null of FLUSHALL in the tracking client's protocol,
the tracking-redir-broken push once the redirect client has gone,
invalidation by active expiry and by maxmemory eviction, CLIENT LIST's
flags and redir=, INFO's tracking fields, and many clients on one key.
The single-connection behaviour (errors, OPTIN/OPTOUT, NOLOOP, BCAST,
own writes after the reply) is in tests/compat/cases.txt.

Everything except the tests marked respite_only also passes against
redis-server (RESPITE_BIN=redis-server), which is how the expected bytes
were checked. The respite_only ones check that the table forgets a
client's keys when it turns tracking off or disconnects (Redis keeps them
until the keys change)."""

import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, test  # noqa: E402

INVALIDATE = b"*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n"
PUSH = b">2\r\n$10\r\ninvalidate\r\n"


def client_id(conn):
    return int(conn.call("CLIENT", "ID")[1:-2])


def subscriber(server):
    """A RESP2 connection subscribed to __redis__:invalidate, and its id."""
    b = server.conn()
    bid = client_id(b)
    assert_eq(b.call("SUBSCRIBE", "__redis__:invalidate"),
              b"*3\r\n$9\r\nsubscribe\r\n$20\r\n__redis__:invalidate\r\n"
              b":1\r\n")
    return b, bid


def info_field(r, section, name):
    return r.info(section)[name]


@test
def redirect_to_resp2_subscriber():
    s = h.shared_server()
    r = h.flushed()
    b, bid = subscriber(s)
    with h.conns(1, s) as (a,):
        assert_eq(a.call("CLIENT", "TRACKING", "on", "REDIRECT", bid),
                  b"+OK\r\n")
        assert_eq(a.call("CLIENT", "GETREDIR"), b":%d\r\n" % bid)
        assert_eq(a.call("MGET", "k1", "k2", "k1"),
                  b"*3\r\n$-1\r\n$-1\r\n$-1\r\n")
        r.mset({"k1": "1", "k2": "2", "k3": "3"})
        # One message per key, in the order the write touched them.
        assert_eq(b.read_raw(), INVALIDATE + h.encode(b"k1"))
        assert_eq(b.read_raw(), INVALIDATE + h.encode(b"k2"))
        # Forgotten once invalidated: the next write sends nothing.
        r.set("k1", "x")
        assert_eq(a.call("GET", "k2"), b"$1\r\n2\r\n")
        # The tracking client's own write is sent too (no NOLOOP).
        assert_eq(a.call("DEL", "k2"), b":1\r\n")
        assert_eq(b.read_raw(), INVALIDATE + h.encode(b"k2"))
        assert h.no_reply(b)
    b.close()


@test
def flush_null_follows_tracking_client_protocol():
    s = h.shared_server()
    r = h.flushed()
    b, bid = subscriber(s)
    with h.conns(1, s) as (a,):
        a.call("CLIENT", "TRACKING", "on", "REDIRECT", bid)
        r.flushall()
        assert_eq(b.read_raw(), INVALIDATE + b"$-1\r\n")
        a.call("HELLO", "3")
        r.flushdb()
        # A RESP3 tracking client's null, though b speaks RESP2.
        assert_eq(b.read_raw(), INVALIDATE + b"_\r\n")
        # Its own FLUSHALL: after its reply.
        assert_eq(a.call("FLUSHALL"), b"+OK\r\n")
        assert_eq(b.read_raw(), INVALIDATE + b"_\r\n")
        # SWAPDB invalidates nothing.
        a.call("GET", "k")
        r.set("k", "v")
        assert_eq(b.read_raw(), INVALIDATE + h.encode(b"k"))
        a.call("GET", "k")
        r.swapdb(0, 1)
        assert h.no_reply(b)
    b.close()


@test
def redirect_needs_resp3_or_subscribed_mode():
    s = h.shared_server()
    r = h.flushed()
    with h.conns(2, s) as (a, b):
        bid = client_id(b)
        a.call("CLIENT", "TRACKING", "on", "REDIRECT", bid)
        a.call("GET", "k")
        r.set("k", "1")
        assert h.no_reply(b), "RESP2, not subscribed: nothing"
        # Subscribed to any channel is enough.
        b.call("SUBSCRIBE", "other")
        a.call("GET", "k")
        r.set("k", "2")
        assert_eq(b.read_raw(), INVALIDATE + h.encode(b"k"))
        b.call("UNSUBSCRIBE")
        b.call("HELLO", "3")
        a.call("GET", "k")
        r.set("k", "3")
        assert_eq(b.read_raw(), PUSH + h.encode(b"k"))
        # RESP2 without REDIRECT: tracking is on, messages never come.
        c = s.conn()
        assert_eq(c.call("CLIENT", "TRACKING", "on"), b"+OK\r\n")
        c.call("GET", "k")
        r.set("k", "4")
        assert h.no_reply(c)
        c.close()


@test
def redis_py_redirect_subscriber():
    s = h.shared_server()
    r = h.flushed()
    ps = r.pubsub()
    ps.subscribe("__redis__:invalidate")
    m = ps.get_message(timeout=5)
    assert_eq(m["type"], "subscribe")
    ps_id = None
    for c in r.client_list():
        if c["cmd"] == "subscribe":
            ps_id = int(c["id"])
    assert ps_id is not None
    reader = s.client()
    reader.execute_command("CLIENT", "TRACKING", "on", "REDIRECT", ps_id)
    assert_eq(reader.get("user:1"), None)
    r.set("user:1", "alice")
    deadline = time.monotonic() + 5
    m = None
    while m is None and time.monotonic() < deadline:
        m = ps.get_message(timeout=0.2)
    assert_eq(m, {"type": "message", "pattern": None,
                  "channel": b"__redis__:invalidate", "data": [b"user:1"]})
    info = reader.execute_command("CLIENT", "TRACKINGINFO")
    assert_eq(info, [b"flags", [b"on"], b"redirect", ps_id,
                     b"prefixes", []])
    ps.close()
    reader.close()


@test
def broken_redirect():
    s = h.shared_server()
    r = h.flushed()
    with h.conns(2, s) as (a, b):
        bid = client_id(b)
        aid = client_id(a)
        a.call("HELLO", "3")
        a.call("CLIENT", "TRACKING", "on", "REDIRECT", bid)
        a.call("GET", "k")
        b.close()
        h.wait_for(lambda: all(int(c["id"]) != bid for c in r.client_list()),
                 "the redirect client to go")
        r.set("k", "1")
        assert_eq(a.read_raw(),
                  b">2\r\n$21\r\ntracking-redir-broken\r\n:%d\r\n" % bid)
        info = h.parse(a.call("CLIENT", "TRACKINGINFO"))
        assert_eq(info, [(b"flags", [b"on", b"broken_redirect"]),
                         (b"redirect", bid), (b"prefixes", [])])
        line = [c for c in r.client_list() if int(c["id"]) == aid][0]
        assert_eq((line["flags"], line["redir"]), ("tR", str(bid)))
        # The key was forgotten all the same.
        r.set("k", "2")
        assert h.no_reply(a)
        # Each later invalidation says it again.
        a.call("GET", "k")
        r.set("k", "3")
        assert_eq(a.read_raw(),
                  b">2\r\n$21\r\ntracking-redir-broken\r\n:%d\r\n" % bid)
        # Turning it on again without REDIRECT mends it.
        a.call("CLIENT", "TRACKING", "on")
        info = h.parse(a.call("CLIENT", "TRACKINGINFO"))
        assert_eq(info[0], (b"flags", [b"on"]))


@test
def client_list_flags_and_redir():
    s = h.shared_server()
    r = h.flushed()
    with h.conns(3, s) as (a, b, c):
        ids = [client_id(x) for x in (a, b, c)]
        a.call("CLIENT", "TRACKING", "on", "REDIRECT", ids[2])
        b.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "p")
        lines = {int(x["id"]): x for x in r.client_list()}
        assert_eq((lines[ids[0]]["flags"], lines[ids[0]]["redir"]),
                  ("t", str(ids[2])))
        assert_eq((lines[ids[1]]["flags"], lines[ids[1]]["redir"]),
                  ("tB", "0"))
        assert_eq((lines[ids[2]]["flags"], lines[ids[2]]["redir"]),
                  ("N", "-1"))
        assert_eq(info_field(r, "clients", "tracking_clients"), 2)
        assert_eq(info_field(r, "stats", "tracking_total_prefixes"), 1)
        c.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "p",
               "PREFIX", "q")
        assert_eq(info_field(r, "clients", "tracking_clients"), 3)
        assert_eq(info_field(r, "stats", "tracking_total_prefixes"), 2)
        b.call("CLIENT", "TRACKING", "off")
        c.call("CLIENT", "TRACKING", "off")
        assert_eq(info_field(r, "stats", "tracking_total_prefixes"), 0)
        assert_eq(info_field(r, "clients", "tracking_clients"), 1)
        line = [x for x in r.client_list() if int(x["id"]) == ids[1]][0]
        assert_eq((line["flags"], line["redir"]), ("N", "-1"))


@test
def active_expiry_invalidates():
    r = h.flushed()
    with h.conns(1) as (a,):
        a.call("HELLO", "3")
        a.call("CLIENT", "TRACKING", "on")
        r.set("e", "1", px=100)
        assert_eq(a.call("GET", "e"), b"$1\r\n1\r\n")
        # No command runs: the sweeper finds it.
        a.settimeout(5)
        assert_eq(a.read_raw(), PUSH + h.encode(b"e"))
        assert_eq(r.exists("e"), 0)


@test
def eviction_invalidates():
    s = h.Server("--maxmemory", "4mb", "--maxmemory-policy",
                 "allkeys-random").start()
    r = s.client()
    with h.conns(1, s) as (a,):
        a.call("HELLO", "3")
        a.call("CLIENT", "TRACKING", "on")
        names = ["k:%d" % i for i in range(100)]
        for n in names:
            r.set(n, "x" * 10000)
        present = [n for n, v in zip(names, r.mget(names)) if v is not None]
        h.parse(a.call("MGET", *present))
        for i in range(800):
            r.set("z:%d" % i, "y" * 10000)
        # No more evictions (the last write may have left it just over,
        # for the sweeper to evict more) while the rest is counted.
        r.config_set("maxmemory", "0")
        gone = {n for n in present if not r.exists(n)}
        assert gone, "something was evicted"
        got = set()
        a.settimeout(5)
        while len(got) < len(gone):
            raw = a.read_raw()
            assert raw.startswith(PUSH), raw
            got.add(h.parse(raw)[1][0].decode())
        assert_eq(got, gone, "invalidated keys")
        assert h.no_reply(a)


@test
def slow_redirect_subscriber_is_cut_off():
    """A subscribed redirect client that does not read is held to
    client-output-buffer-limit pubsub like any subscriber."""
    s = h.Server("--client-output-buffer-limit", "pubsub 256kb 0 0").start()
    r = s.client()
    b, bid = subscriber(s)
    b.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    with h.conns(1, s) as (a,):
        a.call("CLIENT", "TRACKING", "on", "REDIRECT", bid)
        keys = ["%04d" % i + "k" * 1000 for i in range(6000)]
        for i in range(0, len(keys), 500):
            r.mset({k: "1" for k in keys[i:i + 500]})
            h.parse(a.call("MGET", *keys[i:i + 500]))
        for i in range(0, len(keys), 500):
            r.delete(*keys[i:i + 500])
        h.wait_for(lambda: all(int(c["id"]) != bid for c in r.client_list()),
                 "the subscriber to be cut off")
        # The tracking client carries on, its redirect broken.
        assert_eq(a.call("CLIENT", "GETREDIR"), b":%d\r\n" % bid)
        a.call("GET", keys[0])
        r.set(keys[0], "2")
        line = [c for c in r.client_list() if c["redir"] == str(bid)][0]
        assert_eq(line["flags"], "tR")
    b.close()


@test
def many_clients_one_key():
    s = h.shared_server()
    r = h.flushed()
    with h.conns(50, s) as cs:
        for c in cs:
            c.call("HELLO", "3")
            c.call("CLIENT", "TRACKING", "on")
            c.call("GET", "hot")
        r.set("hot", "1")
        for c in cs:
            assert_eq(c.read_raw(), PUSH + h.encode(b"hot"))
        assert_eq(info_field(r, "stats", "tracking_total_keys"), 0)


@test
def table_max_keys_invalidates_random_keys():
    s = h.shared_server()
    r = h.flushed()
    assert_eq(r.config_get("tracking-table-max-keys"),
              {"tracking-table-max-keys": "1000000"})
    r.config_set("tracking-table-max-keys", "2")
    try:
        with h.conns(1, s) as (a,):
            a.call("HELLO", "3")
            a.call("CLIENT", "TRACKING", "on")
            keys = ["m%d" % i for i in range(5)]
            h.parse(a.call("MGET", *keys))
            # Redis trims before the next command, Respite before the loop
            # sleeps: either way the pushes come before PING's reply.
            a.send(h.encode("PING"))
            got = []
            while True:
                raw = a.read_raw()
                if raw == b"+PONG\r\n":
                    break
                assert raw.startswith(PUSH), raw
                got.append(h.parse(raw)[1][0].decode())
            assert_eq(len(got), 3, "keys invalidated")
            assert set(got) <= set(keys) and len(set(got)) == 3, got
            assert_eq(info_field(r, "stats", "tracking_total_keys"), 2)
            # The two left are still tracked.
            left = sorted(set(keys) - set(got))
            r.config_set("tracking-table-max-keys", "0")
            r.mset({k: "1" for k in left})
            assert_eq(sorted(h.parse(a.read_raw())[1][0].decode()
                             for _ in left), left)
    finally:
        r.config_set("tracking-table-max-keys", "1000000")


@test(respite_only=True, reason="Redis keeps a client's keys until they "
      "change")
def table_forgets_clients_that_leave():
    s = h.shared_server()
    r = h.flushed()
    with h.conns(3, s) as (a, b, c):
        for x in (a, b, c):
            x.call("CLIENT", "TRACKING", "on")
        a.call("MGET", "k1", "k2", "k3")
        b.call("MGET", "k2", "k3", "k4")
        c.call("GET", "k4")
        stats = r.info("stats")
        assert_eq((stats["tracking_total_keys"],
                   stats["tracking_total_items"]), (4, 7))
        a.call("CLIENT", "TRACKING", "off")
        stats = r.info("stats")
        assert_eq((stats["tracking_total_keys"],
                   stats["tracking_total_items"]), (3, 4))
        b.close()
        h.wait_for(lambda: r.info("stats")["tracking_total_items"] == 1,
                 "b's keys to go")
        assert_eq(r.info("stats")["tracking_total_keys"], 1)
        c.call("RESET")
        assert_eq(r.info("stats")["tracking_total_keys"], 0)
        assert_eq(r.info("clients")["tracking_clients"], 0)


@test(respite_only=True, reason="Redis keeps a client's keys until they "
      "change")
def tracking_again_starts_afresh():
    """Off forgets the keys, so on again does not invalidate what was
    read before (Redis would, from the keys it kept)."""
    r = h.flushed()
    with h.conns(1) as (a,):
        a.call("HELLO", "3")
        a.call("CLIENT", "TRACKING", "on")
        a.call("GET", "k")
        a.call("CLIENT", "TRACKING", "off")
        a.call("CLIENT", "TRACKING", "on")
        r.set("k", "1")
        assert h.no_reply(a)


if __name__ == "__main__":
    h.run()
