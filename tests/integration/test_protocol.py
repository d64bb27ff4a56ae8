#!/usr/bin/python3
"""The wire protocol over raw sockets: inline commands, RESP3 after HELLO 3,
byte-at-a-time input, protocol errors (reply, then close, others unharmed),
huge claimed lengths, deep pipelines, many clients, maxclients, QUIT."""

import os
import select
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, encode, test  # noqa: E402


def server():
    s = h.shared_server()
    with s.conn() as c:
        assert_eq(c.call("FLUSHALL"), b"+OK\r\n")
    return s


def assert_still_serving(s):
    with s.conn() as c:
        assert_eq(c.call("PING"), b"+PONG\r\n", "another client after the error")


def no_reply_within(c, seconds):
    """True when nothing arrives on c for `seconds` (used to check the
    server does not answer an incomplete request)."""
    if c.pos < len(c.buf):
        return False
    r, _, _ = select.select([c.sock], [], [], seconds)
    return not r


@test
def inline_commands():
    s = server()
    with s.conn() as c:
        c.send(b"PING\r\n")
        assert_eq(c.read_raw(), b"+PONG\r\n")
        c.send(b"PING\n")
        assert_eq(c.read_raw(), b"+PONG\r\n", "LF-only inline")
        c.send(b'SET a "b c"\r\nGET a\r\n')
        assert_eq(c.read_n(2), [b"+OK\r\n", b"$3\r\nb c\r\n"])
        c.send(b"\r\n\r\nECHO hello\r\n")
        assert_eq(c.read_raw(), b"$5\r\nhello\r\n", "empty lines are skipped")
        c.send(b'ECHO "a\\x41\\n"\r\n')
        assert_eq(c.read_raw(), b"$3\r\naA\n\r\n", "escapes in double quotes")
        c.send(b"ECHO 'a\\x41'\r\n")
        assert_eq(c.read_raw(), b"$5\r\na\\x41\r\n", "single quotes are literal")
        c.send(b"  set   k2    v2  \r\nget k2\r\n")
        assert_eq(c.read_n(2), [b"+OK\r\n", b"$2\r\nv2\r\n"])
        # mixing inline and multibulk in one write
        c.send(b"PING\r\n" + encode("ECHO", "x y") + b"PING\r\n")
        assert_eq(c.read_n(3), [b"+PONG\r\n", b"$3\r\nx y\r\n", b"+PONG\r\n"])


@test
def inline_unbalanced_quotes():
    s = server()
    with s.conn() as c:
        c.send(b'SET a "b\r\n')
        assert_eq(c.read_raw(),
                  b"-ERR Protocol error: unbalanced quotes in request\r\n")
        assert c.is_closed(), "connection left open after a protocol error"
    assert_still_serving(s)


@test
def protocol_error_invalid_multibulk_length():
    s = server()
    bystander = s.conn()
    assert_eq(bystander.call("PING"), b"+PONG\r\n")
    with s.conn() as c:
        c.send(b"*abc\r\n")
        assert_eq(c.read_raw(),
                  b"-ERR Protocol error: invalid multibulk length\r\n")
        assert c.is_closed(), "connection left open after a protocol error"
    assert_eq(bystander.call("SET", "k", "v"), b"+OK\r\n",
              "an open connection is unharmed")
    assert_still_serving(s)
    bystander.close()


@test
def protocol_error_replies_after_earlier_commands():
    """Commands before the bad one in the same write are answered first."""
    s = server()
    with s.conn() as c:
        c.send(encode("SET", "k", "v") + encode("GET", "k") + b"*x\r\n"
               + encode("PING"))
        assert_eq(c.read_n(3), [
            b"+OK\r\n", b"$1\r\nv\r\n",
            b"-ERR Protocol error: invalid multibulk length\r\n"])
        assert c.is_closed(), "PING after the protocol error must not run"


@test
def protocol_error_huge_bulk_length():
    s = server()
    with s.conn() as c:
        c.send(b"*1\r\n$2147483648\r\n")
        assert_eq(c.read_raw(), b"-ERR Protocol error: invalid bulk length\r\n")
        assert c.is_closed()
    with s.conn() as c:
        c.send(b"*2\r\n$3\r\nGET\r\n$99999999999999999999\r\n")
        assert_eq(c.read_raw(), b"-ERR Protocol error: invalid bulk length\r\n")
        assert c.is_closed()
    with s.conn() as c:
        c.send(b"*1\r\n$-5\r\n")
        assert_eq(c.read_raw(), b"-ERR Protocol error: invalid bulk length\r\n")
        assert c.is_closed()
    assert_still_serving(s)


@test
def protocol_error_huge_multibulk_count():
    s = server()
    with s.conn() as c:
        c.send(b"*3000000000\r\n")
        assert_eq(c.read_raw(),
                  b"-ERR Protocol error: invalid multibulk length\r\n")
        assert c.is_closed()
    assert_still_serving(s)


@test
def protocol_error_not_a_bulk():
    s = server()
    for bad, what in ((b"*1\r\nfoo\r\n", b"f"), (b"*1\r\n*1\r\n", b"*"),
                      (b"*2\r\n$4\r\nECHO\r\n:5\r\n", b":")):
        with s.conn() as c:
            c.send(bad)
            assert_eq(c.read_raw(), b"-ERR Protocol error: expected '$', got '"
                      + what + b"'\r\n", repr(bad))
            assert c.is_closed(), repr(bad)
    assert_still_serving(s)


@test
def claimed_large_count_is_not_preallocated():
    """A client may claim a million arguments and send a few; the server
    keeps waiting (Redis accepts counts up to INT_MAX) and still serves
    others. Closing the socket must free it."""
    s = server()
    with s.conn() as c:
        c.send(b"*1000000\r\n$4\r\nECHO\r\n")
        assert no_reply_within(c, 0.2), "replied to an incomplete request"
        assert_still_serving(s)


@test
def empty_and_negative_multibulk_are_ignored():
    s = server()
    with s.conn() as c:
        c.send(b"*0\r\n*-1\r\nPING\r\n")
        assert_eq(c.read_raw(), b"+PONG\r\n")


@test
def byte_at_a_time():
    s = server()
    stream = (encode("SET", "k", "hello world") + encode("GET", "k")
              + b"PING\r\n" + encode("MSET", "a", "x" * 300, "b", "")
              + encode("MGET", "a", "b", "nope"))
    with s.conn() as c:
        for i in range(len(stream)):
            c.send(stream[i:i + 1])
        assert_eq(c.read_n(5), [
            b"+OK\r\n", b"$11\r\nhello world\r\n", b"+PONG\r\n", b"+OK\r\n",
            b"*3\r\n$300\r\n" + b"x" * 300 + b"\r\n$0\r\n\r\n$-1\r\n"])
        # Every prefix of a request is incomplete: nothing is answered
        # until its last byte arrives.
        req = encode("ECHO", "abc")
        c.send(req[:-1])
        assert no_reply_within(c, 0.1), "replied before the request was complete"
        c.send(req[-1:])
        assert_eq(c.read_raw(), b"$3\r\nabc\r\n")


@test
def resp3_after_hello():
    s = server()
    with s.conn() as c:
        assert_eq(c.call("SET", "f", "1.5"), b"+OK\r\n")
        hello = h.parse(c.call("HELLO", "3"))
        fields = dict(hello)
        assert_eq(list(k for k, _ in hello),
                  [b"server", b"version", b"proto", b"id", b"mode", b"role",
                   b"modules"], "HELLO 3 map keys")
        assert_eq(fields[b"proto"], 3)
        assert_eq(fields[b"modules"], [])
        assert_eq(c.call("GET", "nope"), b"_\r\n", "RESP3 null")
        assert_eq(c.call("MGET", "f", "nope"), b"*2\r\n$3\r\n1.5\r\n_\r\n")
        assert_eq(c.call("INCRBYFLOAT", "f", "1.5"), b"$1\r\n3\r\n")
        assert_eq(c.call("EXISTS", "f"), b":1\r\n")
        cfg = c.call("CONFIG", "GET", "maxclients")
        assert_eq(cfg, b"%1\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n",
                  "CONFIG GET is a map in RESP3")
        c.call("MULTI")
        c.call("WATCH", "x")
        c.call("DISCARD")
        assert_eq(c.call("WATCH", "f"), b"+OK\r\n")
        s.client().set("f", "2")
        c.call("MULTI")
        assert_eq(c.call("EXEC"), b"_\r\n", "aborted EXEC is a RESP3 null")
        assert_eq(c.call("PING"), b"+PONG\r\n")
        back = h.parse(c.call("HELLO", "2"))
        assert isinstance(back, list) and back[4] == b"proto" and back[5] == 2, back
        assert_eq(c.call("GET", "nope"), b"$-1\r\n", "RESP2 null again")
        assert_eq(c.call("HELLO", "4"),
                  b"-NOPROTO unsupported protocol version\r\n")
        assert_eq(c.call("HELLO", "x"),
                  b"-ERR Protocol version is not an integer or out of range\r\n")


@test
def redis_py_resp3():
    """redis-py's own RESP3 mode (protocol=3, redis-py 5.0 and later)."""
    import redis
    major = int(redis.__version__.split(".")[0])
    if major < 5:
        h.skip("redis-py %s has no protocol=3; RESP3 is covered over raw "
               "sockets above" % redis.__version__)
    s = server()
    r = redis.Redis(host="127.0.0.1", port=s.port, protocol=3)
    assert_eq(r.set("k", "v", ex=100), True)
    assert_eq(r.get("k"), b"v")
    assert_eq(r.get("nope"), None)
    assert_eq(r.ttl("k"), 100)
    assert_eq(r.config_get("maxclients"), {b"maxclients": b"10000"})


@test
def hello_setname_and_auth_without_password():
    s = server()
    with s.conn() as c:
        r = h.parse(c.call("HELLO", "3", "SETNAME", "myname"))
        assert_eq(dict(r)[b"proto"], 3)
        assert_eq(c.call("CLIENT", "GETNAME"), b"$6\r\nmyname\r\n")
        # Without requirepass the default user is "nopass": any password
        # is accepted for it, by name, in HELLO and in AUTH.
        r = h.parse(c.call("HELLO", "3", "AUTH", "default", "anything"))
        assert_eq(dict(r)[b"proto"], 3)
        assert_eq(c.call("AUTH", "default", "whatever"), b"+OK\r\n")
        assert_eq(c.call("AUTH", "pw"),
                  b"-ERR AUTH <password> called without any password "
                  b"configured for the default user. Are you sure your "
                  b"configuration is correct?\r\n")


@test
def deep_pipeline_does_not_starve_others():
    """One client writes 10,000 commands at once and does not read; another
    client's commands are answered meanwhile, then the first gets all of
    its replies in order."""
    s = server()
    value = b"v" * 1000
    with s.conn() as setup:
        assert_eq(setup.call("SET", "big", value), b"+OK\r\n")
    n = 10000
    batch = b"".join(encode("INCR", "counter") + encode("GET", "big")
                     for _ in range(n // 2))
    a = s.conn(timeout=60)
    sender = threading.Thread(target=a.send, args=(batch,))
    sender.start()                      # ~10 MB of replies pile up
    with s.conn() as b:
        for i in range(20):
            assert_eq(b.call("SET", "other%d" % i, i), b"+OK\r\n")
            assert_eq(b.call("PING"), b"+PONG\r\n")
    got_incr = 0
    for i in range(n):
        rep = a.read_raw()
        if i % 2 == 0:
            got_incr += 1
            assert_eq(rep, b":%d\r\n" % got_incr, "INCR reply %d" % i)
        else:
            assert rep == b"$1000\r\n" + value + b"\r\n", "GET reply %d" % i
    sender.join()
    a.close()
    with s.conn() as c:
        assert_eq(c.call("GET", "counter"), b"$4\r\n5000\r\n")


MB = 1 << 20


@test
def whole_pipeline_written_before_any_reply_is_read():
    """phpredis and Predis write a whole pipeline before they read a
    reply: GETs of 1 MB (80 MB of replies, more than the server holds for
    a client before its next commands wait), with 20,000 INCRs (a backlog
    of small requests waiting for turns) among them, and then a 20 MB SET
    must all be taken while nothing is read; then every reply comes."""
    s = server()
    with s.conn() as c:
        assert_eq(c.call("SET", "big", b"v" * MB), b"+OK\r\n")
    req = encode("GET", "big") * 60 + encode("INCR", "n") * 20000 + \
        encode("GET", "big") * 20 + encode("SET", "x", b"w" * (20 * MB))
    with s.conn(timeout=20) as c:
        c.send(req)                     # times out if the server stops reading
        one = b"$%d\r\n" % MB + b"v" * MB + b"\r\n"
        for i in range(60):
            assert c.read_raw() == one, "GET reply %d" % i
        for i in range(20000):
            assert_eq(c.read_raw(), b":%d\r\n" % (i + 1))
        for i in range(20):
            assert c.read_raw() == one, "GET reply %d" % (60 + i)
        assert_eq(c.read_raw(), b"+OK\r\n")
        assert_eq(c.call("STRLEN", "x"), b":%d\r\n" % (20 * MB))


@test(respite_only=True, reason="Redis runs every command; Respite holds "
      "a non-reading client's output near 64 MB")
def commands_wait_while_output_is_unread():
    """A client that does not read: once about 64 MB of its replies are
    unwritten its next commands wait (its input is still read), and they
    run as it reads. Redis runs them all and buffers the output. CLIENT
    LIST shows it read and written (events=rw) meanwhile."""
    s = server()
    with s.conn() as c:
        assert_eq(c.call("SET", "big", b"v" * (4 * MB)), b"+OK\r\n")
    a = s.conn(timeout=30)
    a_id = int(a.call("CLIENT", "ID")[1:-2])
    a.send(encode("GET", "big") * 40 + encode("INCR", "after"))
    with s.conn() as b:
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            assert_eq(b.call("GET", "after"), b"$-1\r\n",
                      "INCR ran with 160 MB of replies unread")
            time.sleep(0.1)
        line = [ln for ln in h.parse(b.call("CLIENT", "LIST")).split(b"\n")
                if ln.startswith(b"id=%d " % a_id)][0]
        assert b" events=rw cmd=get " in line, line
        one = b"$%d\r\n" % (4 * MB) + b"v" * (4 * MB) + b"\r\n"
        for i in range(40):
            assert a.read_raw() == one, "GET reply %d" % i
        assert_eq(a.read_raw(), b":1\r\n")
        assert_eq(b.call("GET", "after"), b"$1\r\n1\r\n")
    a.close()


@test
def pipeline_10000_in_one_write():
    s = server()
    reqs = b"".join(encode("SET", "k%d" % i, "v%d" % i) for i in range(10000))
    with s.conn(timeout=60) as c:
        c.send(reqs)
        replies = c.read_n(10000)
        assert_eq(set(replies), {b"+OK\r\n"})
        assert_eq(c.call("DBSIZE"), b":10000\r\n")
        c.send(b"".join(encode("GET", "k%d" % i) for i in range(10000)))
        for i in range(10000):
            v = b"v%d" % i
            assert_eq(c.read_raw(), b"$%d\r\n%s\r\n" % (len(v), v))


def cmdstat(c, name):
    """The fields of INFO commandstats' cmdstat_<name> line, or None."""
    info = c.call("INFO", "commandstats").decode()
    for line in info.split("\r\n"):
        if line.startswith("cmdstat_%s:" % name):
            return dict(kv.split("=") for kv in line.split(":", 1)[1].split(","))
    return None


@test
def commandstats_count_and_time_pipelined_calls():
    """INFO commandstats counts every call and sums its time as Redis
    does. Pipelined GETs take well under a microsecond each, yet at least
    10 ns: their usec_per_call must show it (a time cut to whole
    microseconds per call before summing showed 0.00), and be usec /
    calls."""
    s = server()
    n = 20000
    with s.conn(timeout=60) as c:
        assert_eq(c.call("SET", "k1", "v"), b"+OK\r\n")
        assert_eq(c.call("CONFIG", "RESETSTAT"), b"+OK\r\n")
        assert_eq(cmdstat(c, "get"), None, "no GET since RESETSTAT")
        c.send(b"".join(encode("GET", "k%d" % (i % 2)) for i in range(n)))
        replies = c.read_n(n)
        assert_eq(replies[1], b"$1\r\nv\r\n")
        st = cmdstat(c, "get")
        assert st is not None, "cmdstat_get after %d GETs" % n
        assert_eq(st["calls"], str(n))
        assert_eq((st["rejected_calls"], st["failed_calls"]), ("0", "0"))
        usec, per_call = int(st["usec"]), float(st["usec_per_call"])
        assert per_call >= 0.01 and usec < 10 * n, st
        assert abs(per_call - usec / n) <= 0.01, st


@test
def commandstats_count_subcommands_apart():
    """As Redis 7: a container's subcommands have their own lines
    (cmdstat_config|get), a wrong subcommand arity is rejected on the
    subcommand, an unknown subcommand is counted nowhere, and the
    container alone counts as itself."""
    s = server()
    with s.conn() as c:
        assert_eq(c.call("CONFIG", "RESETSTAT"), b"+OK\r\n")
        c.call("CONFIG", "GET", "maxclients")
        c.call("CONFIG", "GET")
        c.call("CONFIG", "NOSUCH")
        c.call("CONFIG")
        c.call("CLIENT", "ID")
        st = cmdstat(c, "config|get")
        assert st is not None, "cmdstat_config|get"
        assert_eq((st["calls"], st["rejected_calls"]), ("1", "1"))
        assert_eq(cmdstat(c, "client|id")["calls"], "1")
        st = cmdstat(c, "config")
        assert_eq((st["calls"], st["rejected_calls"]), ("0", "1"))
        assert_eq(cmdstat(c, "config|nosuch"), None)
        assert_eq(cmdstat(c, "client"), None, "no line for the container")
        assert_eq(cmdstat(c, "config|resetstat")["calls"], "1")


@test
def many_clients_at_once():
    s = server()
    conns = [s.conn(timeout=30) for _ in range(300)]
    for i, c in enumerate(conns):
        c.send(encode("SET", "c%d" % i, i) + encode("INCR", "shared"))
    for i, c in enumerate(conns):
        assert_eq(c.read_raw(), b"+OK\r\n")
        r = h.parse(c.read_raw())
        assert 1 <= r <= 300, r
    for i, c in enumerate(conns):
        c.send(encode("GET", "c%d" % i))
    for i, c in enumerate(conns):
        v = str(i).encode()
        assert_eq(c.read_raw(), b"$%d\r\n%s\r\n" % (len(v), v))
    assert_eq(conns[0].call("GET", "shared"), b"$3\r\n300\r\n")
    for c in conns:
        c.close()


@test
def many_threads_with_redis_py():
    s = server()
    errors = []

    def worker(n):
        try:
            r = s.client()
            for i in range(200):
                r.set("t%d:%d" % (n, i), i)
                r.incr("total")
            assert r.get("t%d:199" % n) == b"199"
        except Exception as e:     # reported by the main thread
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    r = s.client()
    assert_eq(r.get("total"), b"8000")
    assert_eq(r.dbsize(), 8001)


@test
def client_disconnect_mid_request_and_mid_reply():
    """Clients that vanish halfway through a request, or while megabytes of
    replies are queued for them, are cleaned up and nobody else notices."""
    s = server()
    with s.conn() as setup:
        setup.call("SET", "big", b"x" * (1 << 20))
    for _ in range(20):
        c = s.conn()
        c.send(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000\r\nabc")  # half a request
        c.close()
        c = s.conn()
        c.send(encode("GET", "big") * 5)                         # 5 MB of replies
        c.close()
    with s.conn(timeout=60) as c:
        assert_eq(c.call("PING"), b"+PONG\r\n", "served after the disconnects")
        assert_eq(c.call("EXISTS", "k"), b":0\r\n", "half a SET ran")


@test
def quit_replies_ok_and_closes():
    s = server()
    with s.conn() as c:
        assert_eq(c.call("QUIT"), b"+OK\r\n")
        assert c.is_closed(), "connection open after QUIT"
    with s.conn() as c:
        c.send(b"QUIT\r\nPING\r\n")
        assert_eq(c.read_raw(), b"+OK\r\n")
        assert c.is_closed(), "command after QUIT was served"


def client_fields(line):
    """A CLIENT LIST line as {field: value}."""
    return dict(w.split(b"=", 1) for w in line.strip().split(b" ")
                if b"=" in w)


def listed_ids(text):
    return [int(client_fields(line)[b"id"])
            for line in text.split(b"\n") if line]


@test
def client_list_order_and_id_filter():
    """CLIENT LIST lists the oldest connection first, as Redis does;
    CLIENT LIST ID lists the ids in the order given, twice if given twice,
    and skips an id no client has (0 and -1 too, no error). Compared with
    redis-server 7.0.15 by tests/compat/diff_conn.py."""
    s = server()
    with s.conn() as a, s.conn() as b, s.conn() as c:
        ids = [h.parse(x.call("CLIENT", "ID")) for x in (a, b, c)]
        everyone = listed_ids(h.parse(b.call("CLIENT", "LIST")))
        assert_eq([i for i in everyone if i in ids], ids, "oldest first")
        text = h.parse(c.call("CLIENT", "LIST", "ID", ids[2], ids[0], 0,
                              ids[2], -1, 999999999))
        assert_eq(listed_ids(text), [ids[2], ids[0], ids[2]])


@test
def client_list_cmd_field():
    """cmd= is what the client's last command looked up, as Redis 7.0
    shows it: the running CLIENT LIST or INFO itself, a subcommand as
    container|sub, NULL after an unknown command or subcommand, the
    command after its arity error, the command queued in MULTI, and exec
    after EXEC (inside it too)."""
    s = server()
    with s.conn() as a, s.conn() as b:
        bid = h.parse(b.call("CLIENT", "ID"))
        info = client_fields(h.parse(a.call("CLIENT", "INFO")))
        assert_eq(info[b"cmd"], b"client|info")
        own = h.parse(a.call("CLIENT", "LIST", "ID", h.parse(
            a.call("CLIENT", "ID"))))
        assert_eq(client_fields(own)[b"cmd"], b"client|list")
        for args, want in [(["CONFIG", "GET", "maxclients"], b"config|get"),
                           (["NOSUCH"], b"NULL"), (["GET"], b"get"),
                           (["CLIENT", "FOO"], b"NULL"),
                           (["CLIENT", "ID", "x"], b"client|id"),
                           (["CLIENT"], b"client"), (["MULTI"], b"multi"),
                           (["SET", "k", "v"], b"set"),
                           (["CLIENT", "GETNAME"], b"client|getname"),
                           (["EXEC"], b"exec")]:
            b.call(*args)
            line = h.parse(a.call("CLIENT", "LIST", "ID", bid))
            assert_eq(client_fields(line)[b"cmd"], want, " ".join(args))
        assert_eq(b.call("MULTI"), b"+OK\r\n")
        b.call("CLIENT", "INFO")
        rep = h.parse(b.call("EXEC"))
        assert_eq(client_fields(rep[0])[b"cmd"], b"exec", "inside EXEC")


@test
def client_list_multi_count_stops_once_exec_must_abort():
    """multi= counts the commands queued. Once EXEC can only abort (a
    command failed to queue, or a watched key changed) nothing more is
    queued, as in Redis; flags shows x, and d for the watched key."""
    s = server()
    with s.conn() as a, s.conn() as b:
        bid = h.parse(b.call("CLIENT", "ID"))

        def fields():
            return client_fields(h.parse(a.call("CLIENT", "LIST", "ID", bid)))
        b.call("MULTI")
        b.call("SET", "a", "1")
        assert_eq(fields()[b"multi"], b"1")
        b.call("GET")
        assert_eq(b.call("SET", "b", "2"), b"+QUEUED\r\n")
        assert_eq(fields()[b"multi"], b"1", "after a command failed to queue")
        assert_eq(b.call("EXEC")[:11], b"-EXECABORT ")
        b.call("WATCH", "k")
        a.call("SET", "k", "x")
        b.call("MULTI")
        assert_eq(b.call("SET", "c", "3"), b"+QUEUED\r\n")
        f = fields()
        assert_eq((f[b"multi"], f[b"flags"]), (b"0", b"xd"),
                  "after a watched key changed")
        assert_eq(b.call("EXEC"), b"*-1\r\n")
        assert_eq(fields()[b"multi"], b"-1")


@test
def client_list_unblocked_flag():
    """A client unblocked shows flag u until the server's next pass before
    it sleeps (Redis's CLIENT_UNBLOCKED): to a CLIENT LIST in the same
    EXEC as the CLIENT UNBLOCK, not to the next command."""
    s = server()
    with s.conn() as a, s.conn() as b:
        bid = h.parse(b.call("CLIENT", "ID"))
        b.send(encode("BLPOP", "blk", "0"))
        h.wait_blocked(s.client(), 1)
        a.call("MULTI")
        a.call("CLIENT", "UNBLOCK", bid)
        a.call("CLIENT", "LIST", "ID", bid)
        rep = h.parse(a.call("EXEC"))
        assert_eq(rep[0], 1)
        assert_eq(client_fields(rep[1])[b"flags"], b"u", "in the same EXEC")
        assert_eq(b.read_raw(), b"*-1\r\n")
        line = h.parse(a.call("CLIENT", "LIST", "ID", bid))
        assert_eq(client_fields(line)[b"flags"], b"N", "afterwards")


@test
def client_list_omem_is_output_owed():
    """omem= is the reply bytes the client still owes, what Redis's
    client-output-buffer-limit measures and prometheus-redis-exporter's
    --export-client-list puts in a label: 0 once big replies (CONFIG GET *,
    a 50 KB value) have gone out, above 0 while a 32 MB reply waits
    unread. It was the capacity of the output buffers, kept after use."""
    s = server()
    with s.conn() as a, s.conn() as b:
        bid = h.parse(b.call("CLIENT", "ID"))
        a.call("SET", "big", "x" * 50000)
        b.call("CONFIG", "GET", "*")
        b.call("GET", "big")

        def omem():
            line = h.parse(a.call("CLIENT", "LIST", "ID", bid))
            return int(client_fields(line)[b"omem"])
        assert_eq(omem(), 0, "after its replies went out")
        a.call("SETRANGE", "huge", 32 << 20, "x")
        b.send(encode("GET", "huge"))
        deadline = time.time() + 5
        while omem() == 0:
            assert time.time() < deadline, "omem stayed 0"
            time.sleep(0.01)
        assert omem() <= (33 << 20), "omem above the reply's size"


@test
def exec_killing_its_own_connection():
    """A CLIENT KILL of the client itself inside EXEC: Redis adds nothing
    to a connection once it is to close, so the array's header and the
    replies up to the kill's go out, then the connection closes (a broken
    stream, byte for byte what redis-server 7.0.15 sends)."""
    s = server()
    for kill, first in [(["CLIENT", "KILL"], b"+OK\r\n"),
                        (["CLIENT", "KILL", "SKIPME", "no", "ADDR"],
                         b":1\r\n")]:
        with s.conn() as c:
            addr = "127.0.0.1:%d" % c.sock.getsockname()[1]
            c.send(encode("MULTI") + encode("PING") + encode(*kill, addr) +
                   encode("CLIENT", "GETNAME") + encode("PING") +
                   encode("EXEC"))
            assert_eq(c.read_n(5), [b"+OK\r\n"] + [b"+QUEUED\r\n"] * 4)
            data = c.buf[c.pos:]
            while True:
                chunk = c.sock.recv(4096)
                if not chunk:
                    break
                data += chunk
            assert_eq(data, b"*4\r\n+PONG\r\n" + first, " ".join(kill))


@test
def requests_before_eof_all_answered():
    """A client that sends its requests and shuts down its side (nc -N,
    a script's pipe) gets every reply, as from Redis, then the close; a
    request cut short by the EOF is dropped unanswered. Respite used to
    close at EOF, dropping what was not yet run or sent."""
    s = server()
    with s.conn(timeout=30) as c:
        c.send(b"PING\r\n" * 1000 + encode("SET", "k", "v") +
               encode("GET", "k") + b"\r\n" * 200 + b"*2\r\n$3\r\nGET")
        c.sock.shutdown(socket.SHUT_WR)
        replies = c.read_n(1002)
        assert_eq(replies[:1000], [b"+PONG\r\n"] * 1000)
        assert_eq(replies[1000:], [b"+OK\r\n", b"$1\r\nv\r\n"])
        assert c.is_closed(), "connection open after EOF"


@test
def quit_under_reply_off_closes_at_eof():
    """QUIT after CLIENT REPLY OFF writes nothing, so no flush closes the
    connection: it stays until the peer's EOF, as in Redis, and then
    goes (it once stayed for good)."""
    s = server()
    with s.conn() as a, s.conn() as admin:
        a.send(b"CLIENT REPLY OFF\r\nQUIT\r\n")
        deadline = time.time() + 5
        while b"cmd=quit" not in admin.call("CLIENT", "LIST"):
            assert time.time() < deadline, "QUIT never ran"
            time.sleep(0.01)
        a.sock.shutdown(socket.SHUT_WR)
        assert a.is_closed(), "connection open after EOF"
        while b"cmd=quit" in admin.call("CLIENT", "LIST"):
            assert time.time() < deadline, "client still listed after EOF"
            time.sleep(0.01)


@test
def large_value_raw_socket():
    s = server()
    payload = os.urandom(3 * 1024 * 1024)
    with s.conn(timeout=30) as c:
        assert_eq(c.call("SET", "raw", payload), b"+OK\r\n")
        rep = c.call("GET", "raw")
        assert rep == b"$%d\r\n" % len(payload) + payload + b"\r\n", \
            "3 MiB reply differs (len %d)" % len(rep)


@test
def maxclients_rejects_extra():
    s = h.Server("--maxclients", "2", name="maxclients").start()
    a, b = s.conn(), s.conn()
    assert_eq(a.call("PING"), b"+PONG\r\n")
    assert_eq(b.call("PING"), b"+PONG\r\n")
    c = s.conn()
    assert_eq(c.read_raw(), b"-ERR max number of clients reached\r\n")
    assert c.is_closed(), "third client not closed"
    c.close()
    assert_eq(a.call("PING"), b"+PONG\r\n", "first client still served")
    a.close()
    # once a slot is free a new client gets in (the close may take a moment
    # to be noticed, so retry briefly)
    deadline = time.monotonic() + 5
    while True:
        d = s.conn()
        d.send(encode("PING"))
        rep = d.read_raw()
        if rep == b"+PONG\r\n":
            break
        d.close()
        assert time.monotonic() < deadline, "no slot freed: %r" % rep
        time.sleep(0.02)
    d.close()
    b.close()


@test
def timeout_closes_idle_clients_only():
    """timeout N closes a client that has read and written nothing for more
    than N seconds, as Redis's clientsCron: inside MULTI too, but not one
    blocked, subscribed or monitoring. A reply written counts as activity
    (CLIENT LIST's idle= restarts), as Redis's lastinteraction does. Found
    with redis-rb: Respite accepted the directive and closed nobody."""
    s = h.Server("--timeout", "1", name="timeout").start()
    try:
        idle, multi, sub, mon, blk = (s.conn() for _ in range(5))
        for name, c in (("idle", idle), ("multi", multi), ("sub", sub),
                        ("mon", mon), ("blk", blk)):
            assert_eq(c.call("CLIENT", "SETNAME", name), b"+OK\r\n")
        assert_eq(multi.call("MULTI"), b"+OK\r\n")
        sub.call("SUBSCRIBE", "ch")
        assert_eq(mon.call("MONITOR"), b"+OK\r\n")
        blk.send(encode("BLPOP", "q", "0"))
        start = time.monotonic()
        assert idle.is_closed(timeout=4), "idle client kept"
        assert multi.is_closed(timeout=4), "idle client in MULTI kept"
        time.sleep(max(0.0, start + 3.2 - time.monotonic()))
        with s.conn() as c:
            names = [client_fields(line).get(b"name") for line in
                     h.parse(c.call("CLIENT", "LIST")).split(b"\n") if line]
            for name in (b"sub", b"mon", b"blk"):
                assert name in names, (name, names)
            assert_eq(c.call("RPUSH", "q", "x"), b":1\r\n")
            assert_eq(h.parse(blk.read_raw()), [b"q", b"x"])
            lines = h.parse(c.call("CLIENT", "LIST")).split(b"\n")
            fields = [client_fields(x) for x in lines if b"name=blk " in x]
            assert int(fields[0][b"idle"]) <= 1, fields
            assert_eq(c.call("PUBLISH", "ch", "m"), b":1\r\n")
            assert_eq(h.parse(sub.read_raw()), [b"message", b"ch", b"m"])
        for c in (idle, multi, sub, mon, blk):
            c.close()
    finally:
        s.stop()


@test
def query_buffer_limit_closes_client():
    """A bulk bigger than proto-max-bulk-len is a protocol error."""
    s = h.Server("--proto-max-bulk-len", "1mb", name="bulklimit").start()
    with s.conn() as c:
        c.send(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$%d\r\n" % (2 * 1024 * 1024))
        assert_eq(c.read_raw(), b"-ERR Protocol error: invalid bulk length\r\n")
        assert c.is_closed()
    with s.conn() as c:
        assert_eq(c.call("SET", "k", b"x" * (1024 * 1024)), b"+OK\r\n",
                  "exactly the limit is fine")


@test
def config_set_bulk_limit_reaches_open_connections():
    """CONFIG SET proto-max-bulk-len applies at once, also to the
    connection that set it, as in Redis."""
    s = h.Server(name="bulklimit").start()
    with s.conn() as c:
        assert_eq(c.call("CONFIG", "SET", "proto-max-bulk-len", "1mb"),
                  b"+OK\r\n")
        c.send(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n")
        assert_eq(c.read_raw(), b"-ERR Protocol error: invalid bulk length\r\n")
        assert c.is_closed(), "connection open after the protocol error"


def info_field(c, section, name):
    """The value of name in INFO section, or None."""
    for line in c.call("INFO", section).decode().split("\r\n"):
        if line.startswith(name + ":"):
            return line.split(":", 1)[1]
    return None


@test
def info_shows_configured_maxmemory_policy():
    """INFO memory's maxmemory_policy is the configured one, as Redis's,
    after CONFIG SET and from the command line (it was always noeviction)."""
    s = h.Server("--maxmemory-policy", "volatile-ttl",
                 name="policy").start()
    with s.conn() as c:
        assert_eq(info_field(c, "memory", "maxmemory_policy"), "volatile-ttl")
        assert_eq(c.call("CONFIG", "SET", "maxmemory-policy", "ALLKEYS-LRU"),
                  b"+OK\r\n")
        assert_eq(info_field(c, "memory", "maxmemory_policy"), "allkeys-lru")
        assert_eq(c.call("CONFIG", "SET", "maxmemory-policy", "nope")[:4],
                  b"-ERR")
        assert_eq(info_field(c, "memory", "maxmemory_policy"), "allkeys-lru")
        assert_eq(c.call("CONFIG", "SET", "maxmemory-policy", "noeviction"),
                  b"+OK\r\n")
        assert_eq(info_field(c, "memory", "maxmemory_policy"), "noeviction")


if __name__ == "__main__":
    h.run()
