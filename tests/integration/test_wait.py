#!/usr/bin/python3
"""WAIT, LASTSAVE and ROLE as a server without replicas or saves answers
them, the way Redis 7.0 does: WAIT 0 replies 0 at once; asked for
replicas, it blocks (CLIENT LIST flag b, INFO blocked_clients) until its
timeout replies 0, CLIENT UNBLOCK ends it (0, or -UNBLOCKED with ERROR)
or the client goes; inside MULTI it does not block. Every test passes
against redis-server 7.0 too (RESPITE_BIN=/usr/bin/redis-server)."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, test  # noqa: E402


def client():
    return h.shared_server().client()


def client_id(conn):
    return int(h.parse(conn.call("CLIENT", "ID")))


@test
def wait_without_replicas_is_immediate():
    r = client()
    assert_eq(r.execute_command("WAIT", 0, 0), 0)
    assert_eq(r.execute_command("WAIT", -3, 1000), 0)


@test
def wait_times_out_with_zero():
    r = client()
    t0 = time.monotonic()
    assert_eq(r.execute_command("WAIT", 1, 150), 0)
    dt = time.monotonic() - t0
    assert 0.14 <= dt < 2.0, dt


@test
def wait_forever_until_client_unblock():
    r = client()
    with h.shared_server().conn() as b:
        bid = client_id(b)
        for how, want in ((None, b":0\r\n"), ("TIMEOUT", b":0\r\n"),
                          ("ERROR", b"-UNBLOCKED client unblocked via "
                                    b"CLIENT UNBLOCK\r\n")):
            b.send(h.encode("WAIT", "2", "0"))
            h.wait_blocked(r, 1)
            me = [c for c in r.client_list() if int(c["id"]) == bid][0]
            assert_eq((me["cmd"], "b" in me["flags"]), ("wait", True))
            args = ["CLIENT", "UNBLOCK", bid] + ([how] if how else [])
            assert_eq(r.execute_command(*args), 1)
            assert_eq(b.read_raw(), want)
            h.wait_blocked(r, 0)
        # Still usable afterwards.
        assert_eq(b.call("PING"), b"+PONG\r\n")


@test
def wait_client_gone_while_blocked():
    r = client()
    b = h.shared_server().conn()
    b.send(h.encode("WAIT", "1", "0"))
    h.wait_blocked(r, 1)
    b.close()
    h.wait_blocked(r, 0)
    assert_eq(r.ping(), True)


@test
def wait_in_multi_does_not_block():
    r = client()
    p = r.pipeline(transaction=True)
    p.execute_command("WAIT", 1, 0)
    p.ping()
    assert_eq(p.execute(), [0, True])


@test
def lastsave_and_role():
    r = client()
    last = r.lastsave()
    assert_eq(int(last.timestamp()),
              r.info("persistence")["rdb_last_save_time"])
    assert last.timestamp() <= time.time() + 1
    assert_eq(r.execute_command("ROLE"), [b"master", 0, []])


if __name__ == "__main__":
    h.run()
