#!/usr/bin/python3
"""Directives whose effect is outside any one reply, each checked against
what redis-server 7.0 does (every test passes on it too): socket options
on accepted connections (tcp-keepalive), limits checked on the server's
own timer or on a client's next bytes after CONFIG SET lowered them
(client-output-buffer-limit pubsub, client-query-buffer-limit), the timer
itself under frequent CONFIG SETs, the open-files limit maxclients needs,
the listeners CONFIG SET port and bind move, and where relative logfile,
unixsocket and aclfile paths are (in dir)."""

import contextlib
import ctypes
import errno
import os
import re
import resource
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, encode, test  # noqa: E402

SYS_pidfd_getfd = 438      # the same number on every Linux architecture


def server_sockets(pid):
    """Duplicates of the server's connected TCP sockets (pidfd_getfd);
    skips the test where the kernel or the sandbox does not allow it."""
    libc = ctypes.CDLL(None, use_errno=True)
    try:
        pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError) as e:
        h.skip("no pidfd_open: %s" % e)
    out = []
    try:
        for name in os.listdir("/proc/%d/fd" % pid):
            try:
                if not os.readlink("/proc/%d/fd/%s" % (pid, name)) \
                        .startswith("socket:"):
                    continue
            except OSError:
                continue
            fd = libc.syscall(SYS_pidfd_getfd, pidfd, int(name), 0)
            if fd < 0:
                err = ctypes.get_errno()
                if err in (errno.EPERM, errno.ENOSYS, errno.EACCES):
                    h.skip("pidfd_getfd: %s" % os.strerror(err))
                continue
            s = socket.socket(fileno=fd)
            try:
                s.getpeername()
            except OSError:
                s.close()           # a listener, or not TCP
                continue
            if s.family != socket.AF_INET or s.type != socket.SOCK_STREAM:
                s.close()
                continue
            out.append(s)
    finally:
        os.close(pidfd)
    return out


def keepalive_of(s):
    return (s.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE),
            s.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE),
            s.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL),
            s.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT))


@test
def tcp_keepalive_probes_as_redis():
    """tcp-keepalive N: the first probe after N idle seconds, then three
    N/3 apart (Redis's anetKeepAlive); libuv alone set one second apart
    ten times. CONFIG SET applies to the connections accepted after it."""
    with h.Server("--tcp-keepalive", "60") as s:
        with s.conn() as c:
            assert_eq(c.call("PING"), b"+PONG\r\n")
            socks = server_sockets(s.proc.pid)
            assert_eq([keepalive_of(x) for x in socks], [(1, 60, 20, 3)])
            for x in socks:
                x.close()
            assert_eq(c.call("CONFIG", "SET", "tcp-keepalive", "2"),
                      b"+OK\r\n")
            with s.conn() as d:
                assert_eq(d.call("PING"), b"+PONG\r\n")
                got = sorted(keepalive_of(x) for x in server_sockets(
                    s.proc.pid))
                assert_eq(got, [(1, 2, 1, 3), (1, 60, 20, 3)])


def stalled_subscriber(s):
    """A subscriber to "ch" that reads nothing after its SUBSCRIBE reply,
    with a small receive buffer so the server's output to it piles up."""
    sub = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sub.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sub.connect(("127.0.0.1", s.port))
    sub.sendall(encode("SUBSCRIBE", "ch"))
    want = b"*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n"
    got = b""
    while len(got) < len(want):
        got += sub.recv(len(want) - len(got))
    assert_eq(got, want, "SUBSCRIBE reply")
    return sub


def subscriber_count(c):
    reply = h.parse(c.call("PUBSUB", "NUMSUB", "ch"))
    return reply[1]


def wait_subscriber_gone(c, seconds):
    """Seconds until "ch" has no subscriber, or None after `seconds`."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds:
        if subscriber_count(c) == 0:
            return time.monotonic() - t0
        time.sleep(0.05)
    return None


def flood(c, mbytes):
    """Publishes mbytes MB to "ch" in 100 KB messages; returns how many
    subscribers the last one reached."""
    msg = b"x" * 100000
    c.send(b"".join(encode("PUBLISH", "ch", msg) for _ in range(mbytes * 10)))
    return [c.read_raw() for _ in range(mbytes * 10)][-1]


@test
def pubsub_output_limit_lowered_applies_to_a_stalled_subscriber():
    """CONFIG SET client-output-buffer-limit below what a subscriber already
    owes closes it within about a second, with no message published after
    the change, as Redis 7's clientsCron does."""
    with h.Server() as s, s.conn(timeout=30) as c:
        sub = stalled_subscriber(s)
        assert_eq(flood(c, 20), b":1\r\n", "still subscribed at 20 MB")
        time.sleep(0.3)
        assert_eq(subscriber_count(c), 1)
        assert_eq(c.call("CONFIG", "SET", "client-output-buffer-limit",
                         "pubsub 2mb 0 0"), b"+OK\r\n")
        gone = wait_subscriber_gone(c, 5)
        assert gone is not None, "subscriber kept after the lower limit"
        sub.close()


@test
def pubsub_soft_limit_closes_without_more_messages():
    """Past the soft limit, the subscriber is closed once soft-seconds have
    gone by even if nothing more is published to it."""
    with h.Server("--client-output-buffer-limit", "pubsub 0 2mb 1") as s, \
            s.conn(timeout=30) as c:
        sub = stalled_subscriber(s)
        flood(c, 20)    # (a slow server may drop it before the end)
        gone = wait_subscriber_gone(c, 6)
        assert gone is not None, "subscriber kept past the soft limit"
        sub.close()


def open_files_limit(pid):
    """The soft RLIMIT_NOFILE of process pid."""
    with open("/proc/%d/limits" % pid) as f:
        for line in f:
            if line.startswith("Max open files"):
                return int(line.split()[3])
    raise AssertionError("no open files limit for %d" % pid)


@contextlib.contextmanager
def soft_nofile(n):
    """Servers started meanwhile inherit a soft open-files limit of n."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (n, hard))
    try:
        yield hard
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def maxclients(c):
    return int(h.parse(c.call("CONFIG", "GET", "maxclients"))[1])


def assert_clients_fit(s, c):
    """Every client maxclients admits has a descriptor, with 32 to spare
    (Redis's CONFIG_MIN_RESERVED_FDS): past the limit, accept() would fail
    and the client be dropped without "max number of clients reached"."""
    limit = open_files_limit(s.proc.pid)
    assert maxclients(c) + 32 <= limit, \
        "maxclients %d with an open files limit of %d" % (maxclients(c), limit)


@test
def maxclients_fits_the_open_files_limit():
    """At start-up the server raises its open-files limit for maxclients,
    or lowers maxclients to what the limit allows; CONFIG SET maxclients
    beyond what the limit can be raised to is refused with Redis's error
    and changes nothing."""
    with soft_nofile(256) as hard:
        s = h.Server("--maxclients", "10000").start()   # stopped by run()
    with s.conn() as c:
        assert_clients_fit(s, c)
        before = maxclients(c)
        if hard == resource.RLIM_INFINITY:
            h.skip("no hard open-files limit to go past")
        reply = c.call("CONFIG", "SET", "maxclients", str(hard + 1000))
        if reply == b"+OK\r\n":       # allowed past the hard limit (root)
            assert_clients_fit(s, c)
            return
        m = re.match(rb"-ERR CONFIG SET failed \(possibly related to "
                     rb"argument 'maxclients'\) - The operating system is not "
                     rb"able to handle the specified number of clients, try "
                     rb"with (\d+)\r\n$", reply)
        assert m, "CONFIG SET maxclients: %r" % reply
        assert int(m.group(1)) + 32 <= open_files_limit(s.proc.pid), reply
        assert_eq(maxclients(c), before, "maxclients after the refusal")


@test
def relative_paths_are_in_dir():
    """Redis changes into dir, so a relative logfile, unixsocket or aclfile
    is there, whatever the directory the server was started from."""
    home = tempfile.mkdtemp(dir=h.scratch_dir())
    data = tempfile.mkdtemp(dir=h.scratch_dir())
    with open(os.path.join(data, "users.acl"), "w") as f:
        f.write("user default on nopass ~* &* +@all\n"
                "user alice on nopass ~* +@all\n")
    s = h.Server("--dir", data, "--logfile", "server.log", "--unixsocket",
                 "s.sock", "--aclfile", "users.acl", cwd=home).start()
    with s.conn() as c:
        assert_eq(h.parse(c.call("ACL", "USERS")), [b"alice", b"default"])
        assert_eq(c.call("ACL", "SETUSER", "bob"), b"+OK\r\n")
        assert_eq(c.call("ACL", "SAVE"), b"+OK\r\n")
    u = socket.socket(socket.AF_UNIX)
    u.connect(os.path.join(data, "s.sock"))
    u.sendall(encode("PING"))
    assert_eq(u.recv(100), b"+PONG\r\n")
    u.close()
    s.stop()
    assert_eq(os.listdir(home), [], "files left where it started")
    assert_eq(sorted(os.listdir(data)), ["server.log", "users.acl"])
    with open(os.path.join(data, "server.log"), "rb") as f:
        assert b"Ready to accept connections" in f.read()
    with open(os.path.join(data, "users.acl"), "rb") as f:
        assert b"user bob off" in f.read()


def refused(port):
    with contextlib.closing(socket.socket()) as so:
        so.settimeout(5)
        return so.connect_ex(("127.0.0.1", port)) == errno.ECONNREFUSED


@test
def config_set_port_and_bind_move_the_listeners():
    """CONFIG SET port and bind close the old listening sockets and open
    the new ones; connected clients stay. A port in use, or an address
    that cannot be bound, fails with Redis's text and keeps the old
    sockets (Redis 7.0's changeListenPort and changeBindAddr)."""
    s = h.Server().start()
    c = s.conn()
    old, new = s.port, h.free_port()
    assert_eq(c.call("CONFIG", "SET", "port", str(new)), b"+OK\r\n")
    s.port = new
    assert refused(old), "the old port still listens"
    assert_eq(c.call("PING"), b"+PONG\r\n", "connected client")
    with s.conn() as d:
        assert_eq(h.parse(d.call("CONFIG", "GET", "port")),
                  [b"port", str(new).encode()])
    assert_eq(c.call("CONFIG", "SET", "port", str(new)), b"+OK\r\n")
    with contextlib.closing(socket.socket()) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        assert_eq(c.call("CONFIG", "SET", "port", str(taken)),
                  b"-ERR CONFIG SET failed (possibly related to argument "
                  b"'port') - Unable to listen on this port. Check server "
                  b"logs.\r\n")
    for value in ("300.1.1.1", "127.0.0.1 300.1.1.1"):
        assert_eq(c.call("CONFIG", "SET", "bind", value),
                  b"-ERR CONFIG SET failed (possibly related to argument "
                  b"'bind') - Failed to bind to specified addresses.\r\n")
    with s.conn() as d:
        assert_eq(h.parse(d.call("CONFIG", "GET", "port")),
                  [b"port", str(new).encode()], "port after the failures")
        assert_eq(h.parse(d.call("CONFIG", "GET", "bind")),
                  [b"bind", b"127.0.0.1"], "bind after the failures")
    # Both at once, an optional address among the new ones.
    moved = h.free_port()
    assert_eq(c.call("CONFIG", "SET", "bind", "-::1 127.0.0.1",
                     "port", str(moved)), b"+OK\r\n")
    s.port = moved
    assert refused(new), "the previous port still listens"
    with s.conn() as d:
        assert_eq(h.parse(d.call("CONFIG", "GET", "bind")),
                  [b"bind", b"-::1 127.0.0.1"])
    # Port 0 or bind "" listens nowhere (Redis 7); those connected go on.
    for name, value, back in (("port", "0", str(moved)),
                              ("bind", "", "127.0.0.1")):
        assert_eq(c.call("CONFIG", "SET", name, value), b"+OK\r\n")
        assert refused(moved), "%s %r still listens" % (name, value)
        assert_eq(c.call("CONFIG", "SET", name, back), b"+OK\r\n")
        with s.conn() as d:
            assert_eq(d.call("PING"), b"+PONG\r\n")
    c.close()


def assert_startup_fails(message, *directives):
    """The server started with directives exits 1 saying message."""
    s = h.Server(*directives)
    p = subprocess.run(s.argv(h.free_port()), capture_output=True,
                       timeout=10, cwd=h.scratch_dir())
    assert_eq(p.returncode, 1, "exit status")
    assert message in p.stdout + p.stderr, p.stdout + p.stderr


@test
def bind_empty_listens_on_no_tcp_address():
    assert_startup_fails(b"Configured to not listen anywhere, exiting.",
                         "--bind", "")


@test
def logfile_that_cannot_be_opened_stops_startup():
    assert_startup_fails(b"Can't open the log file: No such file or "
                         b"directory", "--logfile",
                         "/nonexistent-dir/server.log")


@test
def frequent_config_set_does_not_hold_back_the_timer():
    """Active expiry (and the rest of the periodic work) goes on while a
    client sends CONFIG SET more often than hz ticks: only a new hz
    re-arms the timer, as in Redis."""
    with h.Server("--hz", "10") as s, s.conn() as c:
        assert_eq(c.call("SET", "k", "v", "PX", "100"), b"+OK\r\n")
        t0 = time.monotonic()
        while time.monotonic() - t0 < 1.5:
            assert_eq(c.call("CONFIG", "SET", "maxmemory-samples", "5"),
                      b"+OK\r\n")
            time.sleep(0.02)
        info = c.call("INFO", "stats")
        assert b"expired_keys:1\r\n" in info, info
        assert_eq(c.call("DBSIZE"), b":0\r\n")


def closed_after_any_reply(sock, timeout=5.0):
    """True when the server closes sock, after at most one error reply
    (Respite says why; Redis closes without a word)."""
    sock.settimeout(timeout)
    got = b""
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                break
            got += data
    except ConnectionResetError:
        pass
    except socket.timeout:
        return False
    return got == b"" or (got.startswith(b"-") and got.count(b"\r\n") == 1)


@test
def query_buffer_limit_lowered_applies_to_a_request_under_way():
    """CONFIG SET client-query-buffer-limit below what a client has already
    sent of a request: its next bytes close it, as in Redis."""
    with h.Server() as s, s.conn() as c:
        slow = socket.create_connection(("127.0.0.1", s.port))
        slow.sendall(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3000000\r\n" +
                     b"x" * 1500000)
        time.sleep(0.2)
        assert_eq(c.call("CONFIG", "SET", "client-query-buffer-limit",
                         "1mb"), b"+OK\r\n")
        try:
            slow.sendall(b"x" * 100000)
        except OSError:
            pass            # already closed: as good
        assert closed_after_any_reply(slow), "client kept over the limit"
        slow.close()


@test(respite_only=True, reason="Redis writes an AOF")
def appendonly_yes_is_refused_not_ignored():
    """Respite writes no AOF: asking for one fails, at start-up and by
    CONFIG SET, rather than run without the durability it asks for."""
    with h.Server() as s, s.conn() as c:
        reply = c.call("CONFIG", "SET", "appendonly", "yes")
        assert reply.startswith(b"-ERR CONFIG SET failed (possibly related "
                                b"to argument 'appendonly') - appendonly "
                                b"yes is not supported"), reply
        assert_eq(c.call("CONFIG", "SET", "appendonly", "no"), b"+OK\r\n")
        assert_eq(h.parse(c.call("CONFIG", "GET", "appendonly")),
                  [b"appendonly", b"no"])
    p = subprocess.run([h.server_bin(), "--port", str(h.free_port()),
                        "--bind", "127.0.0.1", "--appendonly", "yes"],
                       capture_output=True, timeout=10)
    assert_eq(p.returncode, 1)
    assert b"bad value for 'appendonly': appendonly yes is not supported" \
        in p.stdout + p.stderr, p.stdout + p.stderr


if __name__ == "__main__":
    h.run()
