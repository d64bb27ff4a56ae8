#!/usr/bin/python3
"""SYNC's RDB snapshot, as redis-cli --rdb and --functions-rdb fetch it
(server/cmd_sync.c): the file they write loads into redis-server 7.0
(/usr/bin/redis-server, or $REDIS_REFERENCE) and into Respite with every
key, value, TTL and function library; --functions-rdb's has the
libraries and no key. Over a raw socket: the "$<length>" framing without
REPLCONF capa eof, a snapshot that is the dataset at the SYNC (a write
made while it is sent is not in it), the connection ending after it,
the server letting go of the client and reaping the child, and the
refusals (no rdb-only, redis-cli --replica, pending output; the last is
compared with redis-server). REPLCONF's own replies are in
tests/compat/cases.txt."""

import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, test  # noqa: E402

REFERENCE = os.environ.get("REDIS_REFERENCE", "/usr/bin/redis-server")
LIB = ("#!lua name=synclib\n"
       "redis.register_function('syncf', function() return 7 end)")


def populate(r):
    r.flushall()
    r.function_flush()
    r.set("s", "v")
    r.set("ttl", "x", ex=1000)
    r.hset("h", mapping={"a": "1", "b": "2"})
    r.rpush("l", "x", "y", "z")
    r.sadd("set", "m1", "m2")
    r.zadd("z", {"a": 1.5, "b": 2})
    r.xadd("st", {"f": "v"}, id="1-1")
    r.execute_command("SELECT", 3)
    r.set("in3", "yes")
    r.execute_command("SELECT", 0)
    r.function_load(LIB)


def dataset(r):
    """Every key of databases 0 and 3 with its value, and whether it has a
    TTL; the function libraries' names."""
    out = {}
    for db in (0, 3):
        r.execute_command("SELECT", db)
        for k in sorted(r.keys("*")):
            t = r.type(k)
            v = {b"string": lambda: r.get(k),
                 b"hash": lambda: sorted(r.hgetall(k).items()),
                 b"list": lambda: r.lrange(k, 0, -1),
                 b"set": lambda: sorted(r.smembers(k)),
                 b"zset": lambda: r.zrange(k, 0, -1, withscores=True),
                 b"stream": lambda: r.xrange(k)}[t]()
            out[(db, k)] = (t, v, r.pttl(k) > 0)
    r.execute_command("SELECT", 0)
    libs = sorted(dict(zip(lib[::2], lib[1::2]))[b"library_name"]
                  for lib in r.function_list())
    return out, libs


def cli_rdb(server, flag, path):
    p = subprocess.run(["redis-cli", "-p", str(server.port), flag, path],
                       capture_output=True, timeout=30)
    return p.returncode, p.stdout + p.stderr


def loaded(path, binary=None):
    """A server started on a copy of the RDB file at path, and its
    dataset()."""
    d = os.path.join(h.scratch_dir(), "load-%d" % os.getpid())
    os.makedirs(d, exist_ok=True)
    shutil.copy(path, os.path.join(d, "dump.rdb"))
    s = h.Server("--dir", d, "--dbfilename", "dump.rdb", binary=binary,
                 name="loaded").start()
    try:
        return dataset(s.client())
    finally:
        s.stop()


def loaders():
    """(label, binary) of the servers that must load the snapshot."""
    out = [("respite", None)]
    if os.access(REFERENCE, os.X_OK):
        out.append(("redis-server", REFERENCE))
    return out


@test()
def redis_cli_rdb_fetches_the_dataset():
    server = h.shared_server()
    r = h.flushed()
    populate(r)
    want = dataset(r)
    assert_eq(len(want[0]), 8)
    path = os.path.join(h.scratch_dir(), "cli.rdb")
    rc, out = cli_rdb(server, "--rdb", path)
    assert_eq(rc, 0, out)
    assert b"Transfer finished with success" in out, out
    for label, binary in loaders():
        assert_eq(loaded(path, binary), want, "the file loaded by " + label)
    r.function_flush()


@test()
def redis_cli_functions_rdb_has_no_keys():
    server = h.shared_server()
    r = h.flushed()
    populate(r)
    path = os.path.join(h.scratch_dir(), "functions.rdb")
    rc, out = cli_rdb(server, "--functions-rdb", path)
    assert_eq(rc, 0, out)
    for label, binary in loaders():
        assert_eq(loaded(path, binary), ({}, [b"synclib"]),
                  "the file loaded by " + label)
    r.function_flush()


def read_exactly(c, n):
    data = b""
    while len(data) < n:
        chunk = c.sock.recv(n - len(data))
        assert chunk, "connection ended after %d of %d bytes" % (len(data), n)
        data += chunk
    return data


def read_line(c):
    line = b""
    while not line.endswith(b"\r\n"):
        chunk = c.sock.recv(1)
        assert chunk, "connection ended in the header: %r" % line
        line += chunk
    return line


def children(server):
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(server.proc.pid)],
                         capture_output=True, text=True).stdout
    return out.split()


@test(respite_only=True, reason="redis-server waits before the transfer")
def snapshot_is_the_dataset_at_the_sync():
    """Without capa eof the snapshot comes as "$<length>" and exactly that
    many bytes, then the connection ends. It is the dataset as it was at
    the SYNC: a write made meanwhile is not in it. The server no longer
    counts the client, and the child is reaped."""
    server = h.shared_server()
    r = h.flushed()
    r.function_flush()
    r.set("k", "before")
    c = server.conn()
    assert_eq(c.call("REPLCONF", "rdb-only", "1"), b"+OK\r\n")
    c.send(h.encode("SYNC"))
    head = read_line(c)
    assert head.startswith(b"$") and head[1:-2].isdigit(), head
    r.set("k", "after")                 # the child forked before this
    body = read_exactly(c, int(head[1:-2]))
    assert body.startswith(b"REDIS0010"), body[:16]
    assert c.is_closed(), "connection left open after the snapshot"
    h.wait_for(lambda: r.info("clients")["connected_clients"] == 1,
               "the server let go of the SYNC client")
    h.wait_for(lambda: children(server) == [], "the child reaped")
    path = os.path.join(h.scratch_dir(), "raw.rdb")
    with open(path, "wb") as f:
        f.write(body)
    for label, binary in loaders():
        got, _ = loaded(path, binary)
        assert_eq(got, {(0, b"k"): (b"string", b"before", False)},
                  "the snapshot loaded by " + label)


@test(respite_only=True, reason="redis-server waits before the transfer")
def server_serves_during_a_long_snapshot_and_shutdown_kills_it():
    """With rdb-key-save-delay making the transfer last seconds, the
    server answers at once meanwhile; SHUTDOWN kills the child, whose
    client sees its connection end before the snapshot's."""
    server = h.Server("--rdb-key-save-delay", "1000", name="long-sync").start()
    try:
        r = server.client()
        r.execute_command("DEBUG", "POPULATE", 3000)
        c = server.conn()
        c.call("REPLCONF", "capa", "eof")
        c.call("REPLCONF", "rdb-only", "1")
        c.send(h.encode("SYNC"))
        head = read_line(c)
        assert head.startswith(b"$EOF:") and len(head) == 47, head
        mark = head[5:45]
        t0 = time.monotonic()
        assert r.ping()
        assert_eq(r.dbsize(), 3000)
        assert time.monotonic() - t0 < 1.0, "served late during the SYNC"
        assert_eq(len(children(server)), 1, "the snapshot's child runs")
        with server.conn() as o:
            o.send(h.encode("SHUTDOWN", "NOSAVE"))
        assert_eq(server.wait_exit(), 0)
        c.settimeout(5)
        got = b""
        while True:
            chunk = c.sock.recv(65536)
            if not chunk:
                break
            got += chunk
        assert not got.endswith(mark), "the snapshot finished"
        assert b"Killing the child of a SYNC snapshot" in server.log_bytes()
    finally:
        server.stop()


@test(respite_only=True, reason="redis-server replicates")
def sync_without_rdb_only_is_refused():
    server = h.shared_server()
    with server.conn() as c:
        c.call("REPLCONF", "capa", "eof")
        assert_eq(c.call("SYNC"), b"-ERR this server does not replicate: "
                  b"SYNC sends an RDB snapshot only, after REPLCONF "
                  b"rdb-only 1 (as redis-cli --rdb sends it)\r\n")
        c.call("REPLCONF", "rdb-only", "1")
        c.call("REPLCONF", "rdb-only", "0")
        assert c.call("SYNC").startswith(b"-ERR this server does not "), c
        assert_eq(c.call("PING"), b"+PONG\r\n", "the connection goes on")
    p = subprocess.run(["redis-cli", "-p", str(server.port), "--replica"],
                       capture_output=True, timeout=30)
    assert_eq(p.returncode, 1)
    assert b"SYNC with master failed: -ERR this server does not " \
        b"replicate" in p.stderr + p.stdout, p


@test()
def sync_behind_pending_output_is_refused():
    """A SYNC pipelined behind another command's reply gets Redis's error
    (compared with redis-server) and the connection goes on."""
    servers = [h.shared_server()]
    if os.access(REFERENCE, os.X_OK):
        servers.append(h.file_server(binary=REFERENCE, name="reference"))
    got = []
    for server in servers:
        with server.conn() as c:
            c.call("REPLCONF", "rdb-only", "1")
            c.send(h.encode("PING") + h.encode("SYNC"))
            got.append((c.read_raw(), c.read_raw(), c.call("PING")))
    assert_eq(got[0], (b"+PONG\r\n", b"-ERR SYNC and PSYNC are invalid "
                       b"with pending output\r\n", b"+PONG\r\n"))
    if len(got) == 1:
        h.skip("no reference redis-server at %s" % REFERENCE)
    assert_eq(got[0], got[1])


if __name__ == "__main__":
    h.run()
