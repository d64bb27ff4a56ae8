#!/usr/bin/python3
"""Lists through redis-py against a real server.

The main scenario is a job queue: a producer LPUSHes jobs while two
workers BRPOP them; every job must be processed exactly once. Also: the
blocking timeout, a wake-up by a push from another client, first-blocked
first-served order among several blocked clients, a blocked client that
disconnects, INFO blocked_clients, BLMOVE (and a BLMOVE that feeds a
client blocked on its destination), blocking commands inside MULTI, a
large list (several blocks) checked against a Python model under random
operations, and TYPE / SCAN TYPE / RENAME / COPY / EXPIRE of lists.
"""

import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import (Bg, assert_eq, assert_raises_text,  # noqa: E402
                     test, wait_blocked)

import redis  # noqa: E402


@test
def job_queue_two_workers():
    r = h.flushed()
    njobs = 2000
    done = {0: [], 1: []}

    def worker(k):
        def run(w):
            while True:
                item = w.brpop("queue", timeout=5)
                if item is None:
                    raise AssertionError("worker %d timed out" % k)
                if item[1] == b"stop":
                    return
                done[k].append(int(item[1]))
        return run

    workers = [Bg(worker(0)), Bg(worker(1))]
    wait_blocked(r, 2)
    p = r.pipeline(transaction=False)
    for i in range(njobs):
        p.lpush("queue", i)
        if i % 100 == 99:
            p.execute()
            time.sleep(0.002)
    p.execute()
    r.lpush("queue", "stop", "stop")
    for w in workers:
        w.get()
    jobs = done[0] + done[1]
    assert_eq(len(jobs), njobs, "jobs processed")
    assert_eq(sorted(jobs), list(range(njobs)), "each job exactly once")
    # Each worker sees its jobs in queue order (FIFO through LPUSH/BRPOP).
    for k in (0, 1):
        assert_eq(done[k], sorted(done[k]), "worker %d order" % k)
    assert_eq(r.exists("queue"), 0)
    assert_eq(r.info("clients")["blocked_clients"], 0)


@test
def blocking_timeout():
    r = h.flushed()
    t0 = time.time()
    assert_eq(r.blpop("nosuch", timeout=0.2), None)
    dt = time.time() - t0
    assert 0.15 <= dt < 3, "BLPOP 0.2 took %.3fs" % dt
    t0 = time.time()
    assert_eq(r.blmpop(0.1, 2, "a", "b", direction="LEFT"), None)
    assert_eq(r.blmove("a", "b", 0.1, "LEFT", "RIGHT"), None)
    assert_eq(r.brpoplpush("a", "b", 0.1), None)
    assert time.time() - t0 >= 0.25
    assert_eq(r.exists("b"), 0)


@test
def wake_up_by_push_from_another_client():
    r = h.flushed()
    bg = Bg(lambda c: c.blpop(["k1", "k2"], timeout=5))
    wait_blocked(r, 1)
    assert_eq(r.info("clients")["blocked_clients"], 1)
    r.rpush("k2", "hello", "world")
    assert_eq(bg.get(), (b"k2", b"hello"))
    assert_eq(r.lrange("k2", 0, -1), [b"world"])
    wait_blocked(r, 0)
    # A string SET on the key does not wake a list waiter with an error.
    bg = Bg(lambda c: c.brpop("k3", timeout=5))
    wait_blocked(r, 1)
    r.set("k3", "str")
    time.sleep(0.05)
    assert bg.is_alive()
    r.delete("k3")
    r.rpush("k3", "x")
    assert_eq(bg.get(), (b"k3", b"x"))


@test
def fifo_wake_order():
    r = h.flushed()
    bgs = []
    for i in range(4):
        bgs.append(Bg(lambda c: c.blpop("q", timeout=5)))
        wait_blocked(r, i + 1)
    # One push serves the first blocked client only.
    r.rpush("q", "a")
    assert_eq(bgs[0].get(), (b"q", b"a"))
    wait_blocked(r, 3)
    # Several elements in one push go to the waiters in blocking order.
    r.rpush("q", "b", "c", "d")
    assert_eq([b.get()[1] for b in bgs[1:]], [b"b", b"c", b"d"])
    assert_eq(r.exists("q"), 0)


@test
def blocked_client_disconnects():
    r = h.flushed()
    srv = h.shared_server()
    c = srv.conn()
    h.send_blocked(r, c, 1, "BLPOP", "q", "0")
    c.close()
    wait_blocked(r, 0)
    r.rpush("q", "x")
    assert_eq(r.lrange("q", 0, -1), [b"x"], "nobody took the element")
    # A blocked client whose connection dies in the middle of waiting on
    # several keys leaves nothing behind.
    c = srv.conn()
    h.send_blocked(r, c, 1, "BRPOP", "a", "b", "c", "0")
    c.close()
    wait_blocked(r, 0)
    r.rpush("a", "1")
    assert_eq(r.llen("a"), 1)


@test
def blmove_and_chains():
    r = h.flushed()
    bg = Bg(lambda c: c.blmove("src", "dst", 5, "LEFT", "RIGHT"))
    wait_blocked(r, 1)
    r.rpush("src", "one", "two")
    assert_eq(bg.get(), b"one")
    assert_eq(r.lrange("dst", 0, -1), [b"one"])
    assert_eq(r.lrange("src", 0, -1), [b"two"])
    # A BLMOVE's push to its destination serves a BLPOP blocked there.
    r.delete("src", "dst")
    popper = Bg(lambda c: c.blpop("dst", timeout=5))
    wait_blocked(r, 1)
    mover = Bg(lambda c: c.brpoplpush("src", "dst", 5))
    wait_blocked(r, 2)
    r.lpush("src", "job")
    assert_eq(mover.get(), b"job")
    assert_eq(popper.get(), (b"dst", b"job"))
    assert_eq(r.exists("src", "dst"), 0)
    # BLMPOP with a count.
    bg = Bg(lambda c: c.blmpop(5, 2, "x", "y", direction="RIGHT", count=2))
    wait_blocked(r, 1)
    r.rpush("y", "1", "2", "3")
    assert_eq(bg.get(), [b"y", [b"3", b"2"]])
    assert_eq(r.lrange("y", 0, -1), [b"1"])


@test
def blocking_inside_multi_and_exec_wakes():
    r = h.flushed()
    p = r.pipeline(transaction=True)
    p.blpop("nosuch", timeout=0)
    p.brpoplpush("nosuch", "d", 0)
    p.rpush("l", "a")
    p.blpop("l", timeout=0)
    assert_eq(p.execute(), [None, None, 1, (b"l", b"a")])
    # Pushes made by a transaction wake a client after EXEC.
    bg = Bg(lambda c: c.blpop("q", timeout=5))
    wait_blocked(r, 1)
    p = r.pipeline(transaction=True)
    p.rpush("q", "x")
    p.rpush("q", "y")
    p.execute()
    assert_eq(bg.get(), (b"q", b"x"))
    assert_eq(r.lrange("q", 0, -1), [b"y"])


@test
def large_list_against_model():
    r = h.flushed()
    rnd = random.Random(3)
    model = []

    def val():
        k = rnd.randrange(10)
        if k < 4:
            return str(rnd.randrange(-1000, 100000)).encode()
        if k < 6:
            return rnd.choice([b"a", b"b", b"job", b"007", b"-0", b""])
        return bytes(rnd.choice(b"abcdef") for _ in range(rnd.randrange(300)))

    chunk = [val() for _ in range(20000)]
    r.rpush("l", *chunk)
    model.extend(chunk)
    for step in range(3000):
        op = rnd.randrange(9)
        v = val()
        if op == 0:
            n = r.lpush("l", v)
            model.insert(0, v)
        elif op == 1:
            n = r.rpush("l", v)
            model.append(v)
        elif op == 2 and model:
            assert_eq(r.lpop("l"), model.pop(0))
        elif op == 3 and model:
            assert_eq(r.rpop("l", 3), list(reversed(model[-3:])))
            del model[-3:]
        elif op == 4 and model:
            i = rnd.randrange(-len(model), len(model))
            r.lset("l", i, v)
            model[i] = v
        elif op == 5 and model:
            pivot = rnd.choice(model)
            where = rnd.choice(["BEFORE", "AFTER"])
            r.linsert("l", where, pivot, v)
            i = model.index(pivot)
            model.insert(i + (where == "AFTER"), v)
        elif op == 6 and model:
            target = rnd.choice(model)
            count = rnd.randrange(-2, 3)
            got = r.lrem("l", count, target)
            idx = [i for i, x in enumerate(model) if x == target]
            if count > 0:
                idx = idx[:count]
            elif count < 0:
                idx = idx[count:]
            for i in reversed(idx):
                del model[i]
            assert_eq(got, len(idx), "LREM count")
        elif op == 7 and model:
            i = rnd.randrange(-len(model) - 5, len(model) + 5)
            want = model[i] if -len(model) <= i < len(model) else None
            assert_eq(r.lindex("l", i), want, "LINDEX %d" % i)
        else:
            a = rnd.randrange(-len(model) - 5, len(model) + 5)
            b = a + rnd.randrange(0, 200)
            got = r.lrange("l", a, b)
            n = len(model)
            s, e = (a + n if a < 0 else a), (b + n if b < 0 else b)
            s = max(s, 0)
            assert_eq(got, model[s:e + 1] if s <= e else [], "LRANGE")
        if step % 500 == 0:
            assert_eq(r.llen("l"), len(model))
            assert_eq(r.lrange("l", 0, -1), model, "whole list")
    assert_eq(r.lrange("l", 0, -1), model, "whole list")
    # LPOS over blocks, from both ends.
    target = model[len(model) // 2]
    idx = [i for i, x in enumerate(model) if x == target]
    assert_eq(r.lpos("l", target), idx[0])
    assert_eq(r.lpos("l", target, rank=-1), idx[-1])
    assert_eq(r.lpos("l", target, count=0), idx)
    # LTRIM to a window, then to nothing.
    r.ltrim("l", 1000, 1999)
    assert_eq(r.lrange("l", 0, -1), model[1000:2000])
    r.ltrim("l", 5, 1)
    assert_eq(r.exists("l"), 0)


@test
def keys_commands_on_lists():
    r = h.flushed()
    r.rpush("l", "a", "b", "c")
    r.set("s", "v")
    r.sadd("set", "m")
    assert_eq(r.type("l"), b"list")
    got = set()
    for k in r.scan_iter(_type="list"):
        got.add(k)
    assert_eq(got, {b"l"}, "SCAN TYPE list")
    assert_eq(r.copy("l", "c"), True)
    r.rpush("c", "d")
    assert_eq(r.lrange("l", 0, -1), [b"a", b"b", b"c"], "COPY is deep")
    assert_eq(r.rename("l", "m"), True)
    assert_eq(r.lrange("m", 0, -1), [b"a", b"b", b"c"])
    assert_eq(r.exists("l"), 0)
    r.pexpire("m", 100)
    assert 0 < r.pttl("m") <= 100
    time.sleep(0.2)
    assert_eq(r.exists("m"), 0, "expired list")
    assert_eq(r.lpop("m"), None)
    assert_raises_text(lambda: r.lpush("s", "x"), "WRONGTYPE")
    assert_raises_text(lambda: r.blpop(["nosuch", "s"], timeout=0),
                       "WRONGTYPE")
    assert_eq(r.delete("c"), 1)
    assert_eq(r.exists("c"), 0)


@test
def watch_sees_list_changes():
    r = h.flushed()
    r.rpush("l", "a")
    p = r.pipeline(transaction=True)
    p.watch("l")
    r.lpop("l")   # another change to the watched key
    p.multi()
    p.rpush("l", "x")
    try:
        p.execute()
        raise AssertionError("EXEC should have aborted")
    except redis.exceptions.WatchError:
        pass
    p.reset()


if __name__ == "__main__":
    h.run()
