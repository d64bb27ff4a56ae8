#!/usr/bin/python3
"""The blocking machinery itself (server/blocking.c), through raw sockets:
what every blocking command shares, whichever type it waits on.

- A blocked client runs nothing else: commands it pipelined behind the
  blocking one wait, then run in order once it is served.
- A key that turns into another type does not wake the waiter (no
  WRONGTYPE for a blocked BLPOP); the right type later does.
- A write made by a served client (BLMOVE's push) wakes the next waiter
  in the same pass; FIFO order across clients.
- Timeouts: clients with different deadlines time out in deadline order,
  each with a null array (BLMOVE too, as in Redis 7.0); the timeout
  argument errors.
- SWAPDB brings data to waiters in the swapped database; CLIENT KILL and
  disconnection of a blocked client leave the others served.
- MULTI/EXEC never blocks.
- Clients served by one push run what they pipelined in that order.
- Woken for several keys at once, a client is served as by Redis 7.2,
  which runs its command again (respite-only: 7.0 serves it from the key
  that became ready first).
- CLIENT UNBLOCK ends a wait with the timeout's null or -UNBLOCKED, and
  its argument errors.

Every test but the 7.2 one also passes against redis-server 7.0.15
(RESPITE_BIN=/usr/bin/redis-server)."""

import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import (assert_eq, blocked_count, no_reply,  # noqa: E402
                     test, wait_blocked)


@test
def pipelined_commands_wait_behind_a_blocked_one():
    s, r = h.shared_server(), h.flushed()
    with s.conn() as c:
        c.send(h.encode("BLPOP", "q", "0") + h.encode("PING") +
               h.encode("LLEN", "q"))
        wait_blocked(r, 1)
        assert no_reply(c), "PING ran while BLPOP was blocked"
        r.rpush("q", "a", "b")
        assert_eq(c.read_raw(), b"*2\r\n$1\r\nq\r\n$1\r\na\r\n", "BLPOP")
        assert_eq(c.read_raw(), b"+PONG\r\n", "PING after")
        assert_eq(c.read_raw(), b":1\r\n", "LLEN sees the pop")
    assert_eq(blocked_count(r), 0)


@test
def other_type_does_not_wake_the_waiter():
    s, r = h.shared_server(), h.flushed()
    with s.conn() as c:
        h.send_blocked(r, c, 1, "BLPOP", "k", "0")
        r.set("k", "a string")
        r.sadd("other", "x")
        assert no_reply(c), "a string under the key woke BLPOP"
        assert_eq(blocked_count(r), 1)
        r.delete("k")
        r.lpush("k", "v")
        assert_eq(c.read_raw(), b"*2\r\n$1\r\nk\r\n$1\r\nv\r\n")


@test
def wrong_types_met_by_a_woken_client_as_redis_70():
    """redis-server 7.0.15, woken by k2: BLPOP k1 k2 and BLMPOP pop from
    k2 though k1 became a string meanwhile; BLMOVE whose destination
    became a string gets WRONGTYPE and leaves its source alone."""
    s, r = h.shared_server(), h.flushed()
    with s.conn() as c:
        h.send_blocked(r, c, 1, "BLPOP", "k1", "k2", "0")
        r.set("k1", "x")
        r.rpush("k2", "v")
        assert_eq(c.read_raw(), b"*2\r\n$2\r\nk2\r\n$1\r\nv\r\n")
        r.delete("k1")
        h.send_blocked(r, c, 1, "BLMPOP", "0", "2", "k1", "k3", "LEFT")
        r.set("k1", "x")
        r.rpush("k3", "w")
        assert_eq(h.parse(c.read_raw()), [b"k3", [b"w"]])
        h.send_blocked(r, c, 1, "BLMOVE", "src", "dst", "LEFT", "LEFT", "0")
        r.set("dst", "str")
        r.rpush("src", "v")
        assert_eq(c.read_raw()[:10], b"-WRONGTYPE")
        assert_eq(r.lrange("src", 0, -1), [b"v"])
        assert_eq(blocked_count(r), 0)


@test
def wrong_types_met_by_woken_stream_readers_as_redis_70():
    """XREAD woken by s2 serves s2 though s1 became a string; a blocked
    XREADGROUP whose stream is overwritten by a string is woken: 7.0 tells
    it the key is gone, as if it were deleted, 7.2 (and Respite) run it
    again, WRONGTYPE."""
    s, r = h.shared_server(), h.flushed()
    with s.conn() as c:
        c.send(h.encode("XREAD", "BLOCK", "0", "STREAMS", "s1", "s2",
                        "0", "0"))
        wait_blocked(r, 1)
        r.set("s1", "str")
        r.xadd("s2", {"a": "1"}, id="1-1")
        assert_eq(h.parse(c.read_raw()),
                  [[b"s2", [[b"1-1", [b"a", b"1"]]]]])
        r.delete("s1")
        r.xgroup_create("s1", "g", "$", mkstream=True)
        c.send(h.encode("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0",
                        "STREAMS", "s1", ">"))
        wait_blocked(r, 1)
        r.set("s1", "str")
        # Redis 7.2 (and Respite) run it again: WRONGTYPE.
        assert_eq(c.read_raw(),
                  b"-UNBLOCKED the stream key no longer exists\r\n"
                  if h.is_redis() else
                  b"-WRONGTYPE Operation against a key holding the wrong "
                  b"kind of value\r\n")
        assert_eq(blocked_count(r), 0)


@test
def fifo_and_chained_wakeups():
    """Three BLMOVE clients chained q1 -> q2 -> q3, and a BLPOP on q3: one
    push into q1 moves along the chain in one pass."""
    r = h.flushed()
    with h.conns(3) as conns:
        h.send_blocked(r, conns[0], 1,
                       "BLMOVE", "q1", "q2", "LEFT", "RIGHT", "0")
        h.send_blocked(r, conns[1], 2,
                       "BLMOVE", "q2", "q3", "LEFT", "RIGHT", "0")
        h.send_blocked(r, conns[2], 3, "BLPOP", "q3", "0")
        r.rpush("q1", "job")
        assert_eq(conns[0].read_raw(), b"$3\r\njob\r\n")
        assert_eq(conns[1].read_raw(), b"$3\r\njob\r\n")
        assert_eq(conns[2].read_raw(), b"*2\r\n$2\r\nq3\r\n$3\r\njob\r\n")
        assert_eq(r.exists("q1", "q2", "q3"), 0)
        # FIFO: three waiters on one key, three pushes one at a time.
        for c in conns:
            h.send_blocked(r, c, conns.index(c) + 1, "BLPOP", "f", "0")
        r.rpush("f", "1", "2", "3")
        for i, c in enumerate(conns):
            want = b"*2\r\n$1\r\nf\r\n$1\r\n" + str(i + 1).encode() + b"\r\n"
            assert_eq(c.read_raw(), want, "waiter %d" % i)


@test
def served_together_run_their_pipelines_in_order():
    """Three clients woken by one push, each with an LPOP pipelined
    behind its BLPOP: the LPOPs run in the order the clients were served
    (they ran last served first)."""
    r = h.flushed()
    r.rpush("l", "a", "b", "c")
    with h.conns(3) as conns:
        for i, c in enumerate(conns):
            c.send(h.encode("BLPOP", "q", "0") + h.encode("LPOP", "l"))
            wait_blocked(r, i + 1)
        r.rpush("q", "x", "y", "z")
        for c, want in zip(conns, (b"x", b"y", b"z")):
            assert_eq(c.read_raw(), b"*2\r\n$1\r\nq\r\n$1\r\n" + want +
                      b"\r\n")
        got = [c.read_raw() for c in conns]
        assert_eq(got, [b"$1\r\na\r\n", b"$1\r\nb\r\n", b"$1\r\nc\r\n"])


@test(respite_only=True,
      reason="Redis 7.0 serves a waiter from the key that became ready "
             "first; 7.2, like Respite, runs its command again")
def several_keys_ready_at_once_served_as_redis_72():
    r = h.flushed()
    with h.conns(2) as (c, x):
        h.send_blocked(r, c, 1, "BLPOP", "a", "b", "0")
        pipe = r.pipeline(transaction=True)
        pipe.rpush("b", "B")
        pipe.rpush("a", "A")
        pipe.execute()
        assert_eq(c.read_raw(), b"*2\r\n$1\r\na\r\n$1\r\nA\r\n",
                  "first key in argument order")
        assert_eq(r.lrange("b", 0, -1), [b"B"])
        # A woken XREAD replies every stream with new entries.
        r.xadd("s1", {"f": "v"}, id="1-0")
        r.xadd("s2", {"f": "v"}, id="1-0")
        h.send_blocked(r, x, 1, "XREAD", "BLOCK", "0", "STREAMS", "s1", "s2",
                       "$", "$")
        pipe = r.pipeline(transaction=True)
        pipe.xadd("s2", {"f": "b"}, id="2-0")
        pipe.xadd("s1", {"f": "a"}, id="2-0")
        pipe.execute()
        got = h.parse(x.read_raw())
        assert_eq([s[0] for s in got], [b"s1", b"s2"], "both streams")
        # Nothing new after the signal: it keeps waiting.
        h.send_blocked(r, x, 1, "XREAD", "BLOCK", "0", "STREAMS", "s1", "$")
        r.execute_command("XADD", "s1", "MAXLEN", "0", "3-0", "f", "v")
        assert no_reply(x), "woken with nothing to read"
        r.xadd("s1", {"f": "v"}, id="4-0")
        assert_eq(h.parse(x.read_raw())[0][1][0][0], b"4-0")


@test
def timeouts_in_deadline_order_with_their_nulls():
    r = h.flushed()
    specs = [("BLPOP", "a", "0.3"), ("BLMOVE", "b", "c", "LEFT", "LEFT",
                                     "0.1"),
             ("BRPOP", "d", "e", "0.2")]
    with h.conns(len(specs)) as conns:
        t0 = time.monotonic()
        for i, (c, spec) in enumerate(zip(conns, specs)):
            h.send_blocked(r, c, i + 1, *spec)
        got = {}
        for i in (1, 2, 0):
            got[i] = conns[i].read_raw()
            got["t%d" % i] = time.monotonic() - t0
        assert_eq(got[0], b"*-1\r\n", "BLPOP timeout")
        # Every timeout is a null array in Redis 7.0, BLMOVE's too.
        assert_eq(got[1], b"*-1\r\n", "BLMOVE timeout")
        assert_eq(got[2], b"*-1\r\n", "BRPOP timeout")
        assert got["t1"] >= 0.09 and got["t1"] < 2, got
        assert got["t0"] >= 0.29 and got["t0"] < 3, got
        assert_eq(blocked_count(r), 0)
        # RESP3: _ for both kinds.
        c = conns[0]
        c.call("HELLO", "3")
        assert_eq(c.call("BLPOP", "a", "0.01"), b"_\r\n")
        assert_eq(c.call("BLMOVE", "a", "b", "LEFT", "LEFT", "0.01"),
                  b"_\r\n")
        c.call("HELLO", "2")


@test
def timeout_argument_errors():
    s = h.shared_server()
    with s.conn() as c:
        assert_eq(c.call("BLPOP", "k", "-1"),
                  b"-ERR timeout is negative\r\n")
        assert_eq(c.call("BLPOP", "k", "abc"),
                  b"-ERR timeout is not a float or out of range\r\n")
        assert_eq(c.call("BLPOP", "k", "nan"),
                  b"-ERR timeout is not a float or out of range\r\n")
        # Redis 7.0 overflows ms beyond 64 bits into a negative number.
        assert_eq(c.call("BLPOP", "k", "1e300"),
                  b"-ERR timeout is negative\r\n")
        assert_eq(c.call("BLPOP", "k", "inf"),
                  b"-ERR timeout is negative\r\n")
        assert_eq(c.call("XREAD", "BLOCK", "1.5", "STREAMS", "s", "0"),
                  b"-ERR timeout is not an integer or out of range\r\n")
        assert_eq(c.call("XREAD", "BLOCK", "-1", "STREAMS", "s", "0"),
                  b"-ERR timeout is negative\r\n")
        assert_eq(c.call("BLPOP", "k", "0.001"), b"*-1\r\n")


@test
def swapdb_brings_data_to_waiters():
    s, r = h.shared_server(), h.flushed()
    with s.conn() as c:
        c.call("SELECT", "1")
        h.send_blocked(r, c, 1, "BLPOP", "k", "0")
        r.rpush("k", "from-db0")
        assert no_reply(c), "a push in db 0 woke a waiter in db 1"
        r.swapdb(0, 1)
        assert_eq(c.read_raw(), b"*2\r\n$1\r\nk\r\n$8\r\nfrom-db0\r\n")


@test
def killed_and_disconnected_waiters_leave_the_queue():
    r = h.flushed()
    with h.conns(3) as (a, b, d):
        a.send(h.encode("CLIENT", "ID"))
        a_id = h.parse(a.read_raw())
        h.send_blocked(r, a, 1, "BLPOP", "k", "0")
        h.send_blocked(r, b, 2, "BLPOP", "k", "0")
        h.send_blocked(r, d, 3, "BLPOP", "k", "0")
        flags = {cl["id"]: cl["flags"] for cl in r.client_list()}
        assert_eq(flags[str(a_id)], "b", "CLIENT LIST flags of a waiter")
        assert_eq(r.client_kill_filter(_id=a_id), 1)
        b.close()
        wait_blocked(r, 1)
        r.rpush("k", "v")
        assert_eq(d.read_raw(), b"*2\r\n$1\r\nk\r\n$1\r\nv\r\n")
        assert_eq(r.llen("k"), 0)


@test
def exec_never_blocks():
    s = h.shared_server()
    h.flushed()
    with s.conn() as c:
        c.call("MULTI")
        c.call("BLPOP", "empty", "0")
        c.call("BLMOVE", "empty", "x", "LEFT", "LEFT", "0")
        t0 = time.monotonic()
        assert_eq(c.call("EXEC"), b"*2\r\n*-1\r\n$-1\r\n")
        assert time.monotonic() - t0 < 1


@test
def many_waiters_on_many_keys():
    """200 clients, each blocked on its own key and a shared one; pushes
    to half the own keys and one push per client on the shared key."""
    r = h.flushed()
    with h.conns(200) as conns:
        for i, c in enumerate(conns):
            c.send(h.encode("BLPOP", "own:%d" % i, "shared", "0"))
        wait_blocked(r, 200)
        for i in range(0, 200, 2):
            r.rpush("own:%d" % i, "mine")
        wait_blocked(r, 100)
        r.rpush("shared", *range(100))
        wait_blocked(r, 0)
        seen = []
        for i, c in enumerate(conns):
            key, val = h.parse(c.read_raw())
            if i % 2 == 0:
                assert_eq((key, val), (b"own:%d" % i, b"mine"))
            else:
                assert_eq(key, b"shared")
                seen.append(int(val))
        assert_eq(seen, list(range(100)), "shared key served in FIFO order")


@test
def random_traffic_loses_and_duplicates_nothing():
    """Producers push 6000 unique jobs into q1/q2; movers BLMOVE q1 -> q3
    and BRPOPLPUSH q2 -> q3 with short timeouts; consumers BLPOP/BRPOP q3;
    meanwhile clients block on an idle key and hang up, and others time
    out. Every job must come out exactly once."""
    s, r = h.shared_server(), h.flushed()
    jobs = 6000
    done = threading.Event()
    got, errors = [], []
    lock = threading.Lock()

    def producer(k):
        c = s.client()
        for i in range(k, jobs, 2):
            c.rpush("q1" if i % 3 else "q2", "job:%d" % i)

    def mover(src, use_blmove):
        c = s.client()
        while not done.is_set():
            if use_blmove:
                c.blmove(src, "q3", 0.02, "LEFT", "RIGHT")
            else:
                c.brpoplpush(src, "q3", 0.02)

    def consumer(pop):
        c = s.client()
        while not done.is_set():
            v = pop(c)
            if v is not None:
                with lock:
                    got.append(v[1].decode())

    def quitter():
        rnd = random.Random(7)
        while not done.is_set():
            with s.conn() as q:
                q.send(h.encode("BLPOP", "idle", "0"))
                time.sleep(rnd.random() * 0.01)

    def guard(fn, *a):
        try:
            fn(*a)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(repr(e))

    workers = [threading.Thread(target=guard, args=a) for a in [
        (mover, "q1", True), (mover, "q1", False), (mover, "q2", True),
        (consumer, lambda c: c.blpop(["q3"], 0.03)),
        (consumer, lambda c: c.brpop(["q3", "q1"], 0.01)),
        (quitter,)]]
    producers = [threading.Thread(target=guard, args=(producer, k))
                 for k in (0, 1)]
    for t in workers + producers:
        t.start()
    for t in producers:
        t.join()
    deadline = time.monotonic() + 60
    while len(got) < jobs and time.monotonic() < deadline and not errors:
        time.sleep(0.05)
    done.set()
    for t in workers:
        t.join()
    assert_eq(errors, [], "client errors")
    leftover = [v.decode() for k in ("q1", "q2", "q3")
                for v in r.lrange(k, 0, -1)]
    everything = got + leftover
    assert_eq(len(everything), jobs, "jobs out (popped + left)")
    assert_eq(set(everything), {"job:%d" % i for i in range(jobs)})
    wait_blocked(r, 0)


@test
def client_unblock_with_timeout_or_error():
    r = h.flushed()
    with h.conns(2) as (a, b):
        a.send(h.encode("CLIENT", "ID"))
        aid = int(a.read_raw()[1:])
        b.send(h.encode("CLIENT", "ID"))
        bid = int(b.read_raw()[1:])
        assert_eq(r.execute_command("CLIENT", "UNBLOCK", aid), 0,
                  "not blocked")
        a.send(h.encode("BLPOP", "q", "0") + h.encode("PING"))
        h.send_blocked(r, b, 2, "XREAD", "BLOCK", "0", "STREAMS", "s", "$")
        assert_eq(r.execute_command("CLIENT", "UNBLOCK", aid), 1)
        assert_eq(a.read_raw(), b"*-1\r\n", "as a timeout")
        assert_eq(a.read_raw(), b"+PONG\r\n", "pipelined PING runs after")
        assert_eq(blocked_count(r), 1)
        assert_eq(r.execute_command("CLIENT", "UNBLOCK", bid, "error"), 1)
        assert_eq(b.read_raw(),
                  b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n")
        assert_eq(blocked_count(r), 0)
        assert_eq(r.execute_command("CLIENT", "UNBLOCK", bid, "TIMEOUT"), 0)
        r.rpush("q", "v")
        assert no_reply(a), "the unblocked BLPOP still waited on q"
        assert_eq(r.llen("q"), 1)
    with h.shared_server().conn() as c:
        for args, want in [
                (("x", "y"), b"-ERR CLIENT UNBLOCK reason should be TIMEOUT"
                             b" or ERROR\r\n"),
                (("x",), b"-ERR value is not an integer or out of range\r\n"),
                (("-1",), b":0\r\n"),
                (("1", "2", "3"), b"-ERR unknown subcommand or wrong number of"
                                  b" arguments for 'UNBLOCK'. Try CLIENT"
                                  b" HELP.\r\n")]:
            c.send(h.encode("CLIENT", "UNBLOCK", *args))
            assert_eq(c.read_raw(), want, repr(args))
        c.send(h.encode("CLIENT", "UNBLOCK"))
        assert_eq(c.read_raw(), b"-ERR wrong number of arguments for "
                                b"'client|unblock' command\r\n")


if __name__ == "__main__":
    h.run()
