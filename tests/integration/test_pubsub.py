#!/usr/bin/python3
"""Pub/sub over real sockets: redis-py PubSub (with its health-check PING
in subscribed mode), redis-cli in subscribe mode, raw RESP2/RESP3 frames,
glob patterns, 8-bit clean payloads, fan-out to many subscribers,
cleanup on RESET and on disconnect, INFO / CLIENT LIST fields, and slow
subscribers cut off by client-output-buffer-limit pubsub while the
publisher and the other subscribers carry on.

Everything except the tests marked respite_only also passes against
redis-server (RESPITE_BIN=redis-server), which is how the expectations
were checked."""

import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, test  # noqa: E402


def pcall(conn, *args):
    """Sends one command on a harness Conn and parses its reply."""
    return h.parse(conn.call(*args))


def next_message(ps, timeout=5.0):
    """The next real message of a redis-py PubSub (skipping nothing)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = ps.get_message(timeout=0.2)
        if m is not None:
            return m
    raise AssertionError("no message within %.1fs" % timeout)


@test
def redis_py_pubsub_channels_and_patterns():
    r = h.flushed()
    ps = r.pubsub()
    ps.subscribe("news", "sport")
    assert_eq(next_message(ps), {"type": "subscribe", "pattern": None,
                                 "channel": b"news", "data": 1})
    assert_eq(next_message(ps)["data"], 2, "second confirmation count")
    ps.psubscribe("n*")
    assert_eq(next_message(ps)["data"], 3, "psubscribe count")
    assert_eq(r.publish("news", "hello"), 2, "channel + pattern receivers")
    assert_eq(next_message(ps), {"type": "message", "pattern": None,
                                 "channel": b"news", "data": b"hello"})
    assert_eq(next_message(ps), {"type": "pmessage", "pattern": b"n*",
                                 "channel": b"news", "data": b"hello"})
    assert_eq(r.publish("sport", "goal"), 1)
    assert_eq(next_message(ps)["data"], b"goal")
    assert_eq(r.publish("weather", "rain"), 0, "nobody listens")
    assert_eq(r.pubsub_numsub("news", "weather"), [(b"news", 1),
                                                   (b"weather", 0)])
    assert_eq(r.pubsub_numpat(), 1)
    assert_eq(sorted(r.pubsub_channels()), [b"news", b"sport"])
    assert_eq(r.pubsub_channels("s*"), [b"sport"])
    ps.unsubscribe("news")
    assert_eq(next_message(ps), {"type": "unsubscribe", "pattern": None,
                                 "channel": b"news", "data": 2})
    ps.punsubscribe()
    assert_eq(next_message(ps)["data"], 1)
    ps.close()


@test
def redis_py_health_check_in_subscribed_mode():
    r = h.shared_server().client(health_check_interval=0.05)
    ps = r.pubsub()
    ps.subscribe("hc")
    assert_eq(next_message(ps)["type"], "subscribe")
    # Past the interval, get_message() first sends PING
    # redis-py-health-check and must get ["pong", that] back, which it
    # swallows; a wrong reply raises or shows up as a message.
    for _ in range(3):
        time.sleep(0.06)
        ps.check_health()
        assert_eq(ps.get_message(timeout=0.5), None, "health check reply")
    r2 = h.shared_server().client()
    r2.publish("hc", "after")
    assert_eq(next_message(ps)["data"], b"after")
    # An explicit PING in subscribed mode comes back as a pong frame.
    ps.ping("hi")
    assert_eq(next_message(ps), {"type": "pong", "pattern": None,
                                 "channel": None, "data": b"hi"})
    ps.close()


@test
def raw_resp2_and_resp3_frames():
    s = h.shared_server()
    with s.conn() as sub, s.conn() as pub, s.conn() as sub3:
        sub.send(h.encode("SUBSCRIBE", "c1"))
        assert_eq(sub.read_raw(), b"*3\r\n$9\r\nsubscribe\r\n$2\r\nc1\r\n:1\r\n")
        assert_eq(pcall(sub, "GET", "x"), h.RespError(
            "ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE"
            " / PING / QUIT / RESET are allowed in this context"))
        assert_eq(pcall(sub, "PING"), [b"pong", b""])
        pcall(sub3, "HELLO", "3")
        sub3.send(h.encode("SUBSCRIBE", "c1"))
        assert_eq(sub3.read_raw(), b">3\r\n$9\r\nsubscribe\r\n$2\r\nc1\r\n:1\r\n")
        assert_eq(pcall(sub3, "SET", "x", "1"), b"OK", "RESP3 runs commands")
        assert_eq(pcall(sub3, "PING"), b"PONG")
        assert_eq(pcall(pub, "PUBLISH", "c1", "m"), 2)
        assert_eq(sub.read_raw(),
                  b"*3\r\n$7\r\nmessage\r\n$2\r\nc1\r\n$1\r\nm\r\n")
        assert_eq(sub3.read_raw(),
                  b">3\r\n$7\r\nmessage\r\n$2\r\nc1\r\n$1\r\nm\r\n")
        sub.send(h.encode("RESET"))
        assert_eq(sub.read_raw(), b"+RESET\r\n")
        assert_eq(pcall(sub, "GET", "x"), b"1", "RESET left subscribed mode")
        assert_eq(pcall(pub, "PUBSUB", "NUMSUB", "c1"), [b"c1", 1])


@test
def payloads_are_8bit_clean():
    r = h.flushed()
    ps = r.pubsub()
    chan = b"bin\x00\xff\r\n"
    ps.subscribe(chan)
    next_message(ps)
    payload = bytes(range(256)) * 300 + b"\r\n*3\r\n"
    assert_eq(r.publish(chan, payload), 1)
    m = next_message(ps)
    assert_eq(m["channel"], chan)
    assert_eq(m["data"], payload, "payload bytes")
    assert_eq(r.publish(chan, b""), 1)
    assert_eq(next_message(ps)["data"], b"", "empty payload")
    ps.close()


# Pattern, channel, expected match: Redis's glob syntax through PSUBSCRIBE.
GLOB_CASES = [
    (b"*", b"anything", True),
    (b"*", b"", False),          # Redis 7.0: "" matches only ""
    (b"", b"", True),
    (b"h?llo", b"hello", True),
    (b"h?llo", b"hllo", False),
    (b"h*llo", b"hllo", True),
    (b"h*llo", b"heeeello", True),
    (b"h[ae]llo", b"hallo", True),
    (b"h[ae]llo", b"hillo", False),
    (b"h[^e]llo", b"hallo", True),
    (b"h[^e]llo", b"hello", False),
    (b"h[a-b]llo", b"hbllo", True),
    (b"h[a-b]llo", b"hcllo", False),
    (b"h[b-a]llo", b"hallo", True),
    (b"h\\*llo", b"h*llo", True),
    (b"h\\*llo", b"hello", False),
    (b"news.*", b"news.art", True),
    (b"news.*", b"news", False),
    (b"__keyspace@0__:*", b"__keyspace@0__:k", True),
    (b"a*b*c", b"aXbYc", True),
    (b"a*b*c", b"aXbY", False),
    (b"[abc", b"a", True),
    (b"\xff*", b"\xff\x00", True),
]


@test
def glob_patterns_table():
    r = h.flushed()
    ps = r.pubsub()
    for i, (pat, chan, want) in enumerate(GLOB_CASES):
        ps.psubscribe(pat)
        next_message(ps)
        got = r.publish(chan, b"%d" % i)
        assert_eq(got, 1 if want else 0,
                  "PUBLISH %r against pattern %r" % (chan, pat))
        if want:
            m = next_message(ps)
            assert_eq((m["pattern"], m["channel"]), (pat, chan))
        ps.punsubscribe(pat)
        next_message(ps)
    ps.close()


@test
def fan_out_to_many_subscribers():
    s = h.shared_server()
    subs = [s.conn() for _ in range(50)]
    try:
        for c in subs:
            c.send(h.encode("SUBSCRIBE", "fan"))
        for c in subs:
            c.read_raw()
        with s.conn() as pub:
            for i in range(20):
                assert_eq(pcall(pub, "PUBLISH", "fan", "m%d" % i), 50)
        for c in subs:
            got = [h.parse(c.read_raw())[2] for _ in range(20)]
            assert_eq(got, [b"m%d" % i for i in range(20)], "order")
    finally:
        for c in subs:
            c.close()


@test
def disconnect_and_reset_unsubscribe():
    s = h.shared_server()
    r = s.client()
    c = s.conn()
    c.send(h.encode("SUBSCRIBE", "gone", "gone2"))
    c.read_raw()
    c.read_raw()
    c.send(h.encode("PSUBSCRIBE", "go*"))
    c.read_raw()
    assert_eq(r.pubsub_numsub("gone"), [(b"gone", 1)])
    c.close()
    h.wait_for(lambda: r.pubsub_numsub("gone") == [(b"gone", 0)],
             "NUMSUB 0 after close")
    h.wait_for(lambda: r.pubsub_numpat() == 0, "NUMPAT 0 after close")
    assert_eq(r.pubsub_channels("gone*"), [])
    assert_eq(r.publish("gone", "x"), 0)


@test
def info_and_client_list_fields():
    s = h.Server().start()
    r = s.client()
    assert_eq(r.info("stats")["pubsub_channels"], 0)
    with s.conn() as c:
        c.send(h.encode("SUBSCRIBE", "a", "b"))
        c.read_raw()
        c.read_raw()
        c.send(h.encode("PSUBSCRIBE", "p*"))
        c.read_raw()
        c.send(h.encode("SSUBSCRIBE", "s"))
        c.read_raw()
        st = r.info("stats")
        assert_eq((st["pubsub_channels"], st["pubsub_patterns"]), (2, 1))
        assert_eq(st["pubsubshard_channels"], 1)
        if not s.redis:
            assert_eq(r.info("clients")["pubsub_clients"], 1)
        line = [ln for ln in r.execute_command("CLIENT", "LIST").split(b"\n")
                if b"cmd=ssubscribe" in ln][0]
        for field in (b"sub=2", b"psub=1", b"ssub=1", b"flags=P"):
            assert field in line.split(b" "), (field, line)
        listed = r.execute_command("CLIENT", "LIST", "TYPE", "pubsub")
        assert_eq(listed.count(b"\n"), 1, "one pubsub client")
        assert b"cmd=ssubscribe" in listed, listed
        normal = r.execute_command("CLIENT", "LIST", "TYPE", "normal")
        assert b"cmd=ssubscribe" not in normal, normal
        assert_eq(r.execute_command("CLIENT", "KILL", "TYPE", "pubsub"), 1)
        assert c.is_closed(), "killed subscriber closed"
    h.wait_for(lambda: r.info("stats")["pubsub_channels"] == 0, "cleanup")


@test
def redis_cli_subscribe_mode():
    s = h.shared_server()
    p = subprocess.Popen(["redis-cli", "-p", str(s.port), "subscribe",
                          "cli"], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
    try:
        r = s.client()
        h.wait_for(lambda: r.pubsub_numsub("cli") == [(b"cli", 1)],
                 "redis-cli subscribed")
        assert_eq(r.publish("cli", "from-test"), 1)
        want = [b"subscribe", b"cli", b"1", b"message", b"cli", b"from-test"]
        got = [p.stdout.readline().rstrip(b"\n") for _ in want]
        assert_eq(got, want, "redis-cli output")
    finally:
        p.kill()
        p.wait()


def never_reading_subscriber(port, channel):
    """A subscriber with a tiny receive buffer that never reads after its
    confirmation."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    sock.sendall(h.encode("SUBSCRIBE", channel))
    got = b""
    while not got.endswith(b":1\r\n"):
        got += sock.recv(100)
    return sock


def is_closed(sock, timeout=10.0):
    """Drains sock; True once the peer closed it."""
    sock.settimeout(timeout)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if not sock.recv(1 << 20):
                return True
    except (ConnectionResetError, socket.timeout):
        return True
    return False


@test
def slow_subscriber_hard_limit():
    s = h.Server("--client-output-buffer-limit", "pubsub", "2mb", "1mb", "60").start()
    r = s.client()
    slow = never_reading_subscriber(s.port, "flood")
    with s.conn() as good:
        good.send(h.encode("SUBSCRIBE", "flood"))
        good.read_raw()
        payload = b"x" * 100_000
        mem0 = r.info("memory")["used_memory"]
        counts = []
        # 200 x 100 kB = 20 MB: far beyond the socket buffers and the limit.
        for i in range(200):
            counts.append(r.publish("flood", payload))
            assert_eq(h.parse(good.read_raw())[2], payload, "good sub %d" % i)
        assert_eq(counts[0], 2)
        assert_eq(counts[-1], 1, "the slow subscriber was dropped")
        assert_eq(r.ping(), True, "server responsive")
        assert_eq(r.pubsub_numsub("flood"), [(b"flood", 1)])
        assert is_closed(slow), "slow subscriber connection closed"
        slow.close()
        mem1 = r.info("memory")["used_memory"]
        assert mem1 < mem0 + 1_000_000, ("memory returned", mem0, mem1)
    if not s.redis:
        log = s.log_bytes()
        assert b"scheduled to be closed ASAP for overcoming of output " \
               b"buffer limits." in log, log[-2000:]


@test(respite_only=True, reason="needs DEBUG JUMP-CLOCK")
def slow_subscriber_soft_limit():
    s = h.Server("--client-output-buffer-limit", "pubsub", "0", "256kb", "10").start()
    r = s.client()
    slow = never_reading_subscriber(s.port, "soft")
    payload = b"y" * 50_000
    # 8 MB: over the soft limit whatever the kernel buffers took, but no
    # hard limit, so it stays connected until soft-seconds pass.
    for _ in range(160):
        assert_eq(r.publish("soft", payload), 1)
    r.execute_command("DEBUG", "JUMP-CLOCK", "5000")
    assert_eq(r.publish("soft", payload), 1, "5 s over soft: still there")
    r.execute_command("DEBUG", "JUMP-CLOCK", "6000")
    r.publish("soft", payload)
    assert_eq(r.publish("soft", payload), 0, "11 s over soft: dropped")
    assert is_closed(slow)
    slow.close()
    assert_eq(r.info("clients")["pubsub_clients"], 0)


@test
def subscribe_inside_multi():
    s = h.shared_server()
    with s.conn() as c, s.conn() as pub:
        assert_eq(pcall(c, "MULTI"), b"OK")
        assert_eq(pcall(c, "SUBSCRIBE", "tx"), b"QUEUED")
        c.send(h.encode("EXEC"))
        assert_eq(h.parse(c.read_raw()), [[b"subscribe", b"tx", 1]])
        assert_eq(pcall(pub, "PUBLISH", "tx", "m"), 1)
        assert_eq(h.parse(c.read_raw()), [b"message", b"tx", b"m"])


if __name__ == "__main__":
    h.run()
