#!/usr/bin/python3
"""`respite --ping HOST:PORT [PASSWORD]`, the container's shell-free health
check: exit 0 on PONG, 1 on a closed port, a silent server, -NOAUTH or a
wrong password, 2 on bad usage; AUTH is sent first when a password is
given (or REDISCLI_AUTH is set); IPv6 literals in brackets work; the whole check has a short
deadline."""

import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, test  # noqa: E402


def ping(*args, timeout=20, auth_env=None):
    """Runs the binary under test with --ping (REDISCLI_AUTH set to
    auth_env, or unset); returns (status, stdout, stderr, seconds)."""
    env = {k: v for k, v in os.environ.items() if k != "REDISCLI_AUTH"}
    if auth_env is not None:
        env["REDISCLI_AUTH"] = auth_env
    t0 = time.monotonic()
    p = subprocess.run([h.server_bin(), "--ping"] + [str(a) for a in args],
                       capture_output=True, timeout=timeout, env=env,
                       stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout, p.stderr, time.monotonic() - t0


@test(respite_only=True, reason="--ping is respite's own flag")
def pong_exits_0():
    with h.Server() as srv:
        rc, out, err, _ = ping("127.0.0.1:%d" % srv.port)
        assert_eq((rc, out), (0, b"PONG\n"), "status, stdout (stderr %r)" % err)


@test(respite_only=True, reason="--ping is respite's own flag")
def closed_port_exits_1():
    rc, out, err, secs = ping("127.0.0.1:%d" % h.free_port())
    assert_eq((rc, out), (1, b""))
    assert b"refused" in err, err
    assert secs < 2.5, secs


@test(respite_only=True, reason="--ping is respite's own flag")
def silent_server_times_out():
    # A listener that never accepts: the connection completes in the
    # backlog, the PING is never answered, the deadline ends the check.
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.bind(("127.0.0.1", 0))
    ls.listen(4)
    try:
        rc, out, err, secs = ping("127.0.0.1:%d" % ls.getsockname()[1])
    finally:
        ls.close()
    assert_eq((rc, out), (1, b""))
    assert b"timed out" in err, err
    assert 1.5 < secs < 5, secs


@test(respite_only=True, reason="--ping is respite's own flag")
def requirepass_needs_the_password():
    with h.Server("--requirepass", "s3cret pass") as srv:
        target = "127.0.0.1:%d" % srv.port
        rc, out, err, _ = ping(target)
        assert_eq((rc, out), (1, b""), "without a password")
        assert b"NOAUTH" in err, err
        rc, out, err, _ = ping(target, "s3cret pass")
        assert_eq((rc, out), (0, b"PONG\n"), "with it (stderr %r)" % err)
        rc, out, err, _ = ping(target, "wrong")
        assert_eq((rc, out), (1, b""), "with a wrong one")
        assert b"WRONGPASS" in err, err
        # As in redis-cli, REDISCLI_AUTH stands in for a missing argument
        # (the container's HEALTHCHECK relies on it); the argument wins.
        rc, out, err, _ = ping(target, auth_env="s3cret pass")
        assert_eq((rc, out), (0, b"PONG\n"), "REDISCLI_AUTH (stderr %r)" % err)
        rc, out, err, _ = ping(target, "wrong", auth_env="s3cret pass")
        assert_eq(rc, 1, "argument over REDISCLI_AUTH")
        rc, out, err, _ = ping(target, auth_env="")
        assert_eq(rc, 1, "empty REDISCLI_AUTH is no password")


@test(respite_only=True, reason="--ping is respite's own flag")
def password_to_open_server_fails():
    # AUTH must answer +OK: a password given to a server without one is a
    # misconfigured check, not a healthy server.
    with h.Server() as srv:
        rc, _, err, _ = ping("127.0.0.1:%d" % srv.port, "x")
        assert_eq(rc, 1)
        assert b"AUTH" in err, err


@test(respite_only=True, reason="--ping is respite's own flag")
def ipv6_literal():
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.bind(("::1", 0))
        s.close()
    except OSError:
        h.skip("no IPv6 loopback")
    with h.Server("--bind", "127.0.0.1", "::1") as srv:
        rc, out, err, _ = ping("[::1]:%d" % srv.port)
        assert_eq((rc, out), (0, b"PONG\n"), "stderr %r" % err)


@test(respite_only=True, reason="--ping is respite's own flag")
def bad_usage_exits_2():
    for args in ([], ["127.0.0.1"], ["127.0.0.1:0"], ["127.0.0.1:70000"],
                 ["localhost:6379"], ["[::1:6379"], ["127.0.0.1:6379x"],
                 ["127.0.0.1:6379", "pw", "extra"]):
        rc, out, err, _ = ping(*args)
        assert_eq((rc, out), (2, b""), "respite --ping %r" % args)
        assert b"Usage" in err, err


if __name__ == "__main__":
    h.run()
