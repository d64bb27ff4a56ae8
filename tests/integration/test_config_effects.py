#!/usr/bin/python3
"""Directives whose effect is outside any reply: socket options set on
accepted connections (tcp-keepalive), limits the server checks on its own
timer (client-output-buffer-limit after CONFIG SET), and the open-files
limit maxclients needs. Each test passes against redis-server too."""

import ctypes
import errno
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, encode, test  # noqa: E402

SYS_pidfd_getfd = 438      # the same number on every Linux architecture


def server_sockets(pid):
    """Duplicates of the server's connected TCP sockets (pidfd_getfd), as
    (local port, socket) pairs; skips the test where the kernel or the
    sandbox does not allow it."""
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


if __name__ == "__main__":
    h.run()
