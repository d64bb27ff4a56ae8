#!/usr/bin/python3
"""MULTI/EXEC/DISCARD/WATCH through redis-py pipelines (which wrap their
commands in MULTI/EXEC by default) and plain pipelining."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, test  # noqa: E402

import redis  # noqa: E402


@test
def pipeline_transaction_results():
    r = h.flushed()
    pipe = r.pipeline()        # transaction=True: MULTI ... EXEC
    pipe.set("a", "1").incr("a").get("a").mget("a", "nope").delete("a")
    assert_eq(pipe.execute(), [True, 2, b"2", [b"2", None], 1])
    assert_eq(r.exists("a"), 0)


@test
def pipeline_exec_time_error_keeps_others():
    r = h.flushed()
    r.set("s", "notanumber")
    pipe = r.pipeline()
    pipe.set("x", "1").incr("s").set("y", "2")
    res = pipe.execute(raise_on_error=False)
    assert_eq(res[0], True)
    assert isinstance(res[1], redis.exceptions.ResponseError), res[1]
    assert_eq(str(res[1]), "value is not an integer or out of range")
    assert_eq(res[2], True)
    assert_eq(r.mget("x", "y"), [b"1", b"2"], "the other commands ran")


@test
def queue_time_error_aborts_exec():
    r = h.flushed()
    pipe = r.pipeline()
    pipe.set("x", "1")
    pipe.execute_command("NOSUCHCOMMAND", "a")
    pipe.set("y", "2")
    try:
        pipe.execute()
    except redis.exceptions.ResponseError as e:
        assert "unknown command" in str(e), str(e)
    else:
        raise AssertionError("EXEC after a queue-time error did not fail")
    assert_eq(r.exists("x", "y"), 0, "nothing ran")


@test
def raw_multi_exec_replies():
    s = h.shared_server()
    h.flushed()
    with s.conn() as c:
        assert_eq(c.call("MULTI"), b"+OK\r\n")
        assert_eq(c.call("SET", "k", "v"), b"+QUEUED\r\n")
        assert_eq(c.call("GET", "k"), b"+QUEUED\r\n")
        assert_eq(c.call("MULTI"), b"-ERR MULTI calls can not be nested\r\n")
        assert_eq(c.call("WATCH", "k"),
                  b"-ERR WATCH inside MULTI is not allowed\r\n")
        assert_eq(c.call("EXEC"), b"*2\r\n+OK\r\n$1\r\nv\r\n")
        assert_eq(c.call("EXEC"), b"-ERR EXEC without MULTI\r\n")
        assert_eq(c.call("DISCARD"), b"-ERR DISCARD without MULTI\r\n")
        assert_eq(c.call("MULTI"), b"+OK\r\n")
        assert_eq(c.call("GET"),
                  b"-ERR wrong number of arguments for 'get' command\r\n")
        assert_eq(c.call("SET", "k", "w"), b"+QUEUED\r\n")
        assert_eq(c.call("EXEC"), b"-EXECABORT Transaction discarded because "
                  b"of previous errors.\r\n")
        assert_eq(c.call("GET", "k"), b"$1\r\nv\r\n", "aborted SET did not run")
        assert_eq(c.call("MULTI"), b"+OK\r\n")
        assert_eq(c.call("SET", "k", "w"), b"+QUEUED\r\n")
        assert_eq(c.call("DISCARD"), b"+OK\r\n")
        assert_eq(c.call("GET", "k"), b"$1\r\nv\r\n", "discarded SET did not run")
        assert_eq(c.call("MULTI"), b"+OK\r\n")
        assert_eq(c.call("EXEC"), b"*0\r\n", "empty transaction")


@test
def watch_conflict_aborts():
    s = h.shared_server()
    r = h.flushed()
    other = s.client()
    r.set("balance", 100)
    with r.pipeline() as pipe:
        pipe.watch("balance")
        current = int(pipe.get("balance"))
        other.set("balance", 50)            # a concurrent writer
        pipe.multi()
        pipe.set("balance", current + 10)
        try:
            pipe.execute()
        except redis.exceptions.WatchError:
            pass
        else:
            raise AssertionError("EXEC succeeded despite a WATCH conflict")
    assert_eq(r.get("balance"), b"50")


@test
def watch_without_conflict_commits():
    r = h.flushed()
    r.set("balance", 100)
    with r.pipeline() as pipe:
        pipe.watch("balance")
        current = int(pipe.get("balance"))
        pipe.multi()
        pipe.set("balance", current + 10)
        assert_eq(pipe.execute(), [True])
    assert_eq(r.get("balance"), b"110")


@test
def watch_is_triggered_by_del_expire_flush_and_missing_key_creation():
    s = h.shared_server()
    r = h.flushed()
    other = s.client()

    def conflict(setup, disturb):
        setup()
        with r.pipeline() as pipe:
            pipe.watch("w")
            disturb()
            pipe.multi()
            pipe.set("w", "mine")
            try:
                pipe.execute()
                return False
            except redis.exceptions.WatchError:
                return True

    assert_eq(conflict(lambda: r.set("w", "1"), lambda: other.delete("w")),
              True, "DEL of a watched key")
    assert_eq(conflict(lambda: r.set("w", "1"), lambda: other.expire("w", 100)),
              True, "EXPIRE of a watched key")
    assert_eq(conflict(lambda: r.delete("w"), lambda: other.set("w", "x")),
              True, "creating a watched missing key")
    assert_eq(conflict(lambda: r.set("w", "1"), lambda: other.flushdb()),
              True, "FLUSHDB")
    assert_eq(conflict(lambda: r.set("w", "1"), lambda: other.rename("w", "z")),
              True, "RENAME away from a watched key")
    assert_eq(conflict(lambda: r.set("w", "1"),
                       lambda: other.set("unrelated", "1")),
              False, "writing another key")
    assert_eq(conflict(lambda: r.set("w", "1"), lambda: other.get("w")),
              False, "reading the watched key")


@test
def unwatch_clears():
    s = h.shared_server()
    h.flushed()
    other = s.client()
    with s.conn() as c:
        assert_eq(c.call("WATCH", "k"), b"+OK\r\n")
        other.set("k", "1")
        assert_eq(c.call("UNWATCH"), b"+OK\r\n")
        c.call("MULTI")
        c.call("SET", "k", "2")
        assert_eq(c.call("EXEC"), b"*1\r\n+OK\r\n")
        # EXEC itself unwatches: a later write does not affect the next EXEC
        assert_eq(c.call("WATCH", "k"), b"+OK\r\n")
        c.call("MULTI")
        assert_eq(c.call("EXEC"), b"*0\r\n")
        other.set("k", "3")
        c.call("MULTI")
        c.call("GET", "k")
        assert_eq(c.call("EXEC"), b"*1\r\n$1\r\n3\r\n")
        # an aborted EXEC replies with a null array
        assert_eq(c.call("WATCH", "k"), b"+OK\r\n")
        other.set("k", "4")
        c.call("MULTI")
        c.call("GET", "k")
        assert_eq(c.call("EXEC"), b"*-1\r\n")


@test(respite_only=True, reason="needs DEBUG JUMP-CLOCK")
def watch_on_key_that_expires():
    """A watched key that expires before EXEC counts as modified
    (Redis 7: "WATCH ... expired keys are treated as changed")."""
    s = h.shared_server()
    r = h.flushed()
    r.set("w", "1", px=1000)
    with s.conn() as c:
        assert_eq(c.call("WATCH", "w"), b"+OK\r\n")
        r.execute_command("DEBUG", "JUMP-CLOCK", 2000)
        assert_eq(r.exists("w"), 0)
        c.call("MULTI")
        c.call("SET", "w", "2")
        assert_eq(c.call("EXEC"), b"*-1\r\n", "expired and deleted by a read")
        # and when nobody touched the key before EXEC
        r.set("w", "1", px=1000)
        assert_eq(c.call("WATCH", "w"), b"+OK\r\n")
        r.execute_command("DEBUG", "JUMP-CLOCK", 2000)
        c.call("MULTI")
        c.call("SET", "w", "2")
        assert_eq(c.call("EXEC"), b"*-1\r\n", "expired, untouched")


@test
def transaction_helper_retries():
    r = h.flushed()
    r.set("n", 0)
    calls = []

    def incr_twice(pipe):
        v = int(pipe.get("n"))
        if not calls:
            r.set("n", 100)                 # first attempt must be retried
        calls.append(v)
        pipe.multi()
        pipe.set("n", v + 2)

    r.transaction(incr_twice, "n")
    assert_eq(calls, [0, 100])
    assert_eq(r.get("n"), b"102")


@test
def plain_pipeline_many_commands():
    r = h.flushed()
    pipe = r.pipeline(transaction=False)
    for i in range(5000):
        pipe.set("k%d" % i, i)
        pipe.incr("counter")
    res = pipe.execute()
    assert_eq(len(res), 10000)
    assert_eq(res[-1], 5000)
    assert_eq(r.dbsize(), 5001)
    assert_eq(r.get("k4999"), b"4999")


@test
def multi_in_other_db_and_select_inside():
    s = h.shared_server()
    h.flushed()
    with s.conn() as c:
        c.call("SELECT", "2")
        c.call("MULTI")
        c.call("SET", "k", "db2")
        c.call("SELECT", "3")
        c.call("SET", "k", "db3")
        assert_eq(c.call("EXEC"), b"*3\r\n+OK\r\n+OK\r\n+OK\r\n")
        assert_eq(c.call("GET", "k"), b"$3\r\ndb3\r\n", "SELECT in MULTI stuck")
    assert_eq(s.client(db=2).get("k"), b"db2")


if __name__ == "__main__":
    h.run()
