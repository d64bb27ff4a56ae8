#!/usr/bin/python3
"""String, key and TTL commands through redis-py against a real server.

TTL expiry uses DEBUG JUMP-CLOCK on respite (no sleeping); the one test
that must run on redis-server too waits out a 100 ms TTL for real.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, assert_raises_text, test  # noqa: E402

import redis  # noqa: E402


@test
def set_get_basic():
    r = h.flushed()
    assert_eq(r.set("k", "v"), True, "SET")
    assert_eq(r.get("k"), b"v", "GET")
    assert_eq(r.get("missing"), None, "GET missing")
    assert_eq(r.set("k", "w", nx=True), None, "SET NX on existing")
    assert_eq(r.set("k2", "w", xx=True), None, "SET XX on missing")
    assert_eq(r.set("k", "w", xx=True), True, "SET XX on existing")
    assert_eq(r.set("k", "z", get=True), b"w", "SET GET")
    assert_eq(r.get("k"), b"z")
    assert_eq(r.set("new", "1", get=True), None, "SET GET on missing")
    assert_eq(r.get("new"), b"1")


@test
def set_options_ttl():
    r = h.flushed()
    r.set("a", "1", ex=100)
    assert_eq(r.ttl("a"), 100, "TTL after EX 100")
    r.set("b", "1", px=100000)
    pttl = r.pttl("b")
    assert 99000 < pttl <= 100000, pttl
    r.set("a", "2", keepttl=True)
    assert_eq(r.ttl("a"), 100, "TTL after KEEPTTL")
    r.set("a", "3")
    assert_eq(r.ttl("a"), -1, "SET clears TTL")
    r.set("c", "1", exat=4102444800)
    assert_eq(r.expiretime("c"), 4102444800, "EXPIRETIME after EXAT")
    r.set("d", "1", pxat=4102444800123)
    assert_eq(r.execute_command("PEXPIRETIME", "d"), 4102444800123)
    assert_raises_text(lambda: r.set("a", "1", ex=0),
                       "invalid expire time in 'set' command")
    assert_raises_text(lambda: r.execute_command("SET", "a", "1", "EX", "x"),
                       "value is not an integer or out of range")
    assert_raises_text(lambda: r.execute_command("SET", "a", "1", "NX", "XX"),
                       "syntax error")
    assert_raises_text(lambda: r.execute_command("SET", "a", "1", "EX", "1",
                                                 "PX", "1"), "syntax error")


@test
def setnx_setex_getset_getdel_getex():
    r = h.flushed()
    assert_eq(r.setnx("k", "1"), True)
    assert_eq(r.setnx("k", "2"), False)
    assert_eq(r.setex("e", 50, "v"), True)
    assert_eq(r.ttl("e"), 50)
    assert_eq(r.psetex("p", 50000, "v"), True)
    assert 49000 < r.pttl("p") <= 50000
    assert_eq(r.getset("k", "3"), b"1")
    assert_eq(r.getset("nope", "3"), None)
    assert_eq(r.getdel("k"), b"3")
    assert_eq(r.exists("k"), 0)
    assert_eq(r.getdel("k"), None)
    r.set("g", "v")
    assert_eq(r.getex("g", ex=30), b"v")
    assert_eq(r.ttl("g"), 30)
    assert_eq(r.getex("g", persist=True), b"v")
    assert_eq(r.ttl("g"), -1)
    assert_eq(r.getex("missing", ex=5), None)
    assert_raises_text(lambda: r.setex("e", -1, "v"),
                       "invalid expire time in 'setex' command")


@test
def mget_mset_msetnx():
    r = h.flushed()
    assert_eq(r.mset({"a": "1", "b": "2", "c": "3"}), True)
    assert_eq(r.mget("a", "b", "missing", "c"), [b"1", b"2", None, b"3"])
    assert_eq(r.msetnx({"x": "1", "a": "9"}), False, "MSETNX with one existing")
    assert_eq(r.exists("x"), 0, "MSETNX set nothing")
    assert_eq(r.msetnx({"x": "1", "y": "2"}), True)
    assert_eq(r.mget("x", "y"), [b"1", b"2"])
    assert_raises_text(lambda: r.execute_command("MSET", "a", "1", "b"),
                       "wrong number of arguments for 'mset' command")


@test
def counters():
    r = h.flushed()
    assert_eq(r.incr("n"), 1)
    assert_eq(r.incrby("n", 41), 42)
    assert_eq(r.decr("n"), 41)
    assert_eq(r.decrby("n", 50), -9)
    assert_eq(r.get("n"), b"-9")
    r.set("big", str(2**63 - 1))
    assert_raises_text(lambda: r.incr("big"),
                       "increment or decrement would overflow")
    r.set("s", "abc")
    assert_raises_text(lambda: r.incr("s"),
                       "value is not an integer or out of range")
    r.set(" 1", " 1")
    assert_raises_text(lambda: r.incr(" 1"),
                       "value is not an integer or out of range")
    assert_eq(r.incrbyfloat("f", 10.5), 10.5)
    assert_eq(r.incrbyfloat("f", 0.1), 10.6)
    assert_eq(r.get("f"), b"10.6")
    r.set("e", "5.0e3")
    assert_eq(r.incrbyfloat("e", "2.0e2"), 5200.0)
    assert_eq(r.get("e"), b"5200")
    assert_raises_text(lambda: r.incrbyfloat("s", 1),
                       "value is not a valid float")
    r.set("inf", "1")
    assert_raises_text(lambda: r.execute_command("INCRBYFLOAT", "inf", "inf"),
                       "increment would produce NaN or Infinity")


@test
def append_strlen_ranges():
    r = h.flushed()
    assert_eq(r.append("s", "Hello"), 5)
    assert_eq(r.append("s", " World"), 11)
    assert_eq(r.strlen("s"), 11)
    assert_eq(r.strlen("missing"), 0)
    assert_eq(r.getrange("s", 0, 4), b"Hello")
    assert_eq(r.getrange("s", -5, -1), b"World")
    assert_eq(r.getrange("s", 5, 2), b"")
    assert_eq(r.getrange("s", -100, 100), b"Hello World")
    assert_eq(r.getrange("missing", 0, -1), b"")
    assert_eq(r.setrange("s", 6, "Redis"), 11)
    assert_eq(r.get("s"), b"Hello Redis")
    assert_eq(r.setrange("pad", 5, "x"), 6)
    assert_eq(r.get("pad"), b"\x00\x00\x00\x00\x00x")
    assert_eq(r.setrange("empty", 0, ""), 0)
    assert_eq(r.exists("empty"), 0, "SETRANGE with empty value creates nothing")
    assert_raises_text(lambda: r.setrange("s", -1, "x"), "offset is out of range")
    assert_raises_text(lambda: r.setrange("s", 512 * 1024 * 1024, "x"),
                       "string exceeds maximum allowed size")


@test
def generic_key_commands():
    r = h.flushed()
    r.mset({"a": "1", "b": "2", "c": "3"})
    assert_eq(r.exists("a", "b", "a", "nope"), 3)
    assert_eq(r.type("a"), b"string")
    assert_eq(r.type("nope"), b"none")
    assert_eq(r.touch("a", "b", "nope"), 2)
    assert_eq(r.delete("a", "nope"), 1)
    assert_eq(r.unlink("b", "c"), 2)
    assert_eq(r.dbsize(), 0)
    assert_eq(r.randomkey(), None)
    r.set("only", "1")
    assert_eq(r.randomkey(), b"only")


@test
def rename_copy_move():
    r = h.flushed()
    r.set("a", "1", ex=100)
    assert_eq(r.rename("a", "b"), True)
    assert_eq(r.get("b"), b"1")
    assert_eq(r.ttl("b"), 100, "RENAME keeps the TTL")
    assert_raises_text(lambda: r.rename("nope", "x"), "no such key")
    r.set("c", "2")
    assert_eq(r.renamenx("b", "c"), False)
    assert_eq(r.renamenx("b", "d"), True)
    assert_eq(r.rename("d", "d"), True, "RENAME to itself")
    assert_eq(r.copy("d", "e"), True)
    assert_eq(r.get("e"), b"1")
    assert_eq(r.ttl("e"), 100, "COPY keeps the TTL")
    assert_eq(r.copy("d", "c"), False, "COPY onto existing key")
    assert_eq(r.copy("d", "c", replace=True), True)
    assert_eq(r.copy("d", "x", destination_db=3), True)
    assert_eq(r.move("c", 1), True)
    assert_eq(r.exists("c"), 0)
    assert_eq(r.move("nope", 1), False)
    r1 = h.shared_server().client(db=1)
    assert_eq(r1.get("c"), b"1")
    r3 = h.shared_server().client(db=3)
    assert_eq(r3.get("x"), b"1")
    r.set("c", "other")
    assert_eq(r.move("c", 1), False, "MOVE onto existing key in target db")
    assert_raises_text(lambda: r.move("c", 0),
                       "source and destination objects are the same")
    assert_raises_text(lambda: r.move("c", 99), "DB index is out of range")


@test
def select_and_db_in_url():
    s = h.shared_server()
    h.flushed()
    r5 = redis.from_url("redis://127.0.0.1:%d/5" % s.port)
    r5.set("k", "in5")
    r0 = s.client()
    assert_eq(r0.get("k"), None, "db 0 does not see db 5")
    assert_eq(s.client(db=5).get("k"), b"in5")
    assert_eq(r5.dbsize(), 1)
    assert_raises_text(lambda: s.client(db=16).ping(), "DB index is out of range")
    r0.set("k", "in0")
    assert_eq(r0.swapdb(0, 5), True)
    assert_eq(r0.get("k"), b"in5")
    assert_eq(r5.get("k"), b"in0")
    assert_eq(r5.flushdb(), True)
    assert_eq(r5.dbsize(), 0)
    assert_eq(r0.dbsize(), 1)


@test
def keys_and_scan_iter():
    r = h.flushed()
    pipe = r.pipeline(transaction=False)
    for i in range(2000):
        pipe.set("user:%d" % i, i)
    for i in range(500):
        pipe.set("other:%d" % i, i)
    pipe.execute()
    assert_eq(len(r.keys("user:1*")), 1 + 10 + 100 + 1000)
    assert_eq(sorted(r.keys("other:4?")), sorted(b"other:4%d" % i for i in range(10)))
    got = set(r.scan_iter(match="user:*", count=100))
    assert_eq(len(got), 2000, "SCAN MATCH user:* found")
    assert_eq(got, {b"user:%d" % i for i in range(2000)})
    allkeys = set(r.scan_iter(count=7))
    assert_eq(len(allkeys), 2500)
    assert_eq(set(r.scan_iter(match="nomatch:*")), set())
    assert_eq(set(r.scan_iter(_type="string", match="other:1*")),
              {b"other:%d" % i for i in range(500) if str(i).startswith("1")})
    assert_eq(list(r.scan_iter(_type="list")), [])


@test
def scan_survives_writes():
    """Keys present for the whole iteration are returned at least once even
    while other keys are being added and removed (DESIGN: SCAN)."""
    r = h.flushed()
    stable = {b"stable:%d" % i for i in range(1000)}
    r.mset({k: b"1" for k in stable})
    seen = set()
    cursor = 0
    n = 0
    while True:
        cursor, keys = r.scan(cursor, count=50)
        seen.update(keys)
        # churn: add and delete unrelated keys between calls
        r.mset({"churn:%d:%d" % (n, i): "x" for i in range(100)})
        if n:
            r.delete(*["churn:%d:%d" % (n - 1, i) for i in range(100)])
        n += 1
        if cursor == 0:
            break
        assert n < 10000, "SCAN did not end"
    missing = stable - seen
    assert not missing, "%d stable keys not returned, e.g. %r" % (
        len(missing), sorted(missing)[:3])


@test
def binary_safe_keys_and_values():
    r = h.flushed()
    allbytes = bytes(range(256))
    key = b"k\x00\r\n\xff" + allbytes
    r.set(key, allbytes * 4)
    assert_eq(r.get(key), allbytes * 4)
    assert_eq(r.exists(key), 1)
    assert_eq(r.exists(b"k\x00"), 0, "key is not cut at NUL")
    assert_eq(r.strlen(key), 1024)
    assert_eq(r.getrange(key, 10, 13), allbytes[10:14])
    assert_eq(r.append(key, b"\r\n\x00"), 1027)
    assert_eq(r.get(key)[-3:], b"\r\n\x00")
    assert key in r.keys(b"k\x00*")
    r.set(b"", b"empty key")
    assert_eq(r.get(b""), b"empty key")
    r.set(b"ev", b"")
    assert_eq(r.get(b"ev"), b"")
    assert_eq(r.strlen(b"ev"), 0)


@test
def large_values():
    r = h.flushed()
    one_mb = os.urandom(1024 * 1024)
    r.set("big", one_mb)
    assert_eq(r.get("big") == one_mb, True, "1 MiB value round trip")
    five = os.urandom(5 * 1024 * 1024 + 3)
    r.set("big5", five)
    assert_eq(r.strlen("big5"), len(five))
    assert_eq(r.get("big5") == five, True, "5 MiB value round trip")
    assert_eq(r.getrange("big5", 4 * 1024 * 1024, 4 * 1024 * 1024 + 99),
              five[4 * 1024 * 1024:4 * 1024 * 1024 + 100])
    for _ in range(3):
        r.append("grown", one_mb)
    assert_eq(r.strlen("grown"), 3 * len(one_mb))
    assert_eq(r.get("grown") == one_mb * 3, True)
    r.setrange("sparse", 2 * 1024 * 1024, "end")
    assert_eq(r.strlen("sparse"), 2 * 1024 * 1024 + 3)
    assert_eq(r.mget("big", "big5")[1] == five, True)


@test
def expire_family():
    r = h.flushed()
    r.set("k", "v")
    assert_eq(r.ttl("k"), -1)
    assert_eq(r.ttl("missing"), -2)
    assert_eq(r.pttl("missing"), -2)
    assert_eq(r.expire("k", 100), True)
    assert_eq(r.ttl("k"), 100)
    assert_eq(r.expire("missing", 100), False)
    assert_eq(r.expire("k", 50, nx=True), False, "NX with a TTL")
    assert_eq(r.expire("k", 50, xx=True), True, "XX with a TTL")
    assert_eq(r.expire("k", 40, gt=True), False, "GT with a smaller TTL")
    assert_eq(r.expire("k", 60, gt=True), True, "GT with a larger TTL")
    assert_eq(r.expire("k", 70, lt=True), False, "LT with a larger TTL")
    assert_eq(r.expire("k", 30, lt=True), True)
    assert_eq(r.ttl("k"), 30)
    assert_eq(r.persist("k"), True)
    assert_eq(r.persist("k"), False)
    assert_eq(r.expire("k", 10, gt=True), False, "GT on a persistent key")
    assert_eq(r.expire("k", 10, lt=True), True, "LT on a persistent key")
    assert_eq(r.pexpire("k", 20000), True)
    assert 19000 < r.pttl("k") <= 20000
    assert_eq(r.expireat("k", 4102444800), True)
    assert_eq(r.expiretime("k"), 4102444800)
    assert_eq(r.pexpireat("k", 4102444800555), True)
    assert_eq(r.execute_command("PEXPIRETIME", "k"), 4102444800555)
    assert_eq(r.expiretime("k"), 4102444801, "EXPIRETIME rounds to nearest")
    assert_eq(r.expiretime("missing"), -2)
    r.set("p", "v")
    assert_eq(r.expiretime("p"), -1)
    assert_raises_text(lambda: r.execute_command("EXPIRE", "k", 10, "NX", "XX"),
                       "NX and XX, GT or LT options at the same time are not compatible")
    assert_raises_text(lambda: r.execute_command("EXPIRE", "k", 10, "GT", "LT"),
                       "GT and LT options at the same time are not compatible")
    assert_raises_text(lambda: r.execute_command("EXPIRE", "k", "ten"),
                       "value is not an integer or out of range")


@test
def expire_in_past_deletes():
    r = h.flushed()
    r.set("k", "v")
    assert_eq(r.expire("k", -1), True)
    assert_eq(r.exists("k"), 0, "EXPIRE with negative TTL deletes")
    r.set("k", "v")
    assert_eq(r.expireat("k", 1), True)
    assert_eq(r.get("k"), None, "EXPIREAT in the past deletes")
    r.set("k", "v")
    assert_eq(r.set("k", "v", pxat=1), True)
    assert_eq(r.get("k"), None, "SET PXAT in the past")


@test
def ttl_expires_for_real():
    """The one real-time TTL test: a 250 ms PX on both servers."""
    import time
    r = h.flushed()
    r.set("k", "v", px=250)
    assert_eq(r.get("k"), b"v")
    time.sleep(0.3)
    assert_eq(r.get("k"), None, "GET after the TTL")
    assert_eq(r.exists("k"), 0)


def jump(r, ms):
    assert_eq(r.execute_command("DEBUG", "JUMP-CLOCK", ms), b"OK",
              "DEBUG JUMP-CLOCK reply")


@test(respite_only=True, reason="needs DEBUG JUMP-CLOCK")
def ttl_expiry_with_jump_clock():
    r = h.flushed()
    r.set("ex", "v", ex=10)
    r.set("px", "v", px=2500)
    r.set("keep", "v")
    r.set("later", "v", ex=1000)
    r.setex("setex", 5, "v")
    assert_eq(r.ttl("ex"), 10)
    jump(r, 3000)
    assert_eq(r.get("px"), None, "px 2500 gone after 3 s")
    assert_eq(r.exists("px"), 0)
    assert_eq(r.ttl("ex"), 7, "TTL follows the clock")
    jump(r, 7001)
    assert_eq(r.get("ex"), None, "ex 10 gone after 10.001 s")
    assert_eq(r.ttl("ex"), -2)
    assert_eq(r.exists("setex"), 0)
    assert_eq(r.get("keep"), b"v")
    assert_eq(r.ttl("later"), 990)
    assert_eq(sorted(r.keys("*")), [b"keep", b"later"])
    assert_eq(sorted(r.scan_iter()), [b"keep", b"later"])
    assert_eq(r.mget("ex", "keep"), [None, b"v"])


@test(respite_only=True, reason="needs DEBUG JUMP-CLOCK")
def expired_keys_act_missing_everywhere():
    r = h.flushed()
    for cmd in ("counter", "app", "ren", "cp", "nx", "getex", "mv"):
        r.set(cmd, "5", px=1000)
    jump(r, 1001)
    assert_eq(r.incr("counter"), 1, "INCR on expired key starts from 0")
    assert_eq(r.ttl("counter"), -1, "and has no TTL")
    assert_eq(r.append("app", "x"), 1)
    assert_raises_text(lambda: r.rename("ren", "x"), "no such key")
    assert_eq(r.copy("cp", "x"), False)
    assert_eq(r.set("nx", "new", nx=True), True, "SET NX over expired key")
    assert_eq(r.getex("getex", persist=True), None)
    assert_eq(r.move("mv", 1), False)
    assert_eq(r.randomkey() in (b"counter", b"app", b"nx"), True)


@test(respite_only=True, reason="needs DEBUG JUMP-CLOCK")
def expired_keys_swept_in_background():
    """The sweeper frees expired keys nobody reads again: DBSIZE, which
    counts stored keys, drops without any key being touched."""
    import time
    r = h.flushed()
    pipe = r.pipeline(transaction=False)
    for i in range(5000):
        pipe.set("v:%d" % i, "x", px=1000)
    for i in range(100):
        pipe.set("p:%d" % i, "x")
    pipe.execute()
    jump(r, 2000)
    deadline = time.monotonic() + 10
    while r.dbsize() > 100 and time.monotonic() < deadline:
        time.sleep(0.05)   # polling the sweeper (hz 10), not a TTL wait
    assert_eq(r.dbsize(), 100, "DBSIZE after the sweeper ran")


@test(respite_only=True, reason="needs DEBUG JUMP-CLOCK")
def expire_gt_lt_with_clock():
    r = h.flushed()
    r.set("k", "v", ex=100)
    jump(r, 50000)
    assert_eq(r.ttl("k"), 50)
    assert_eq(r.expire("k", 60, gt=True), True)
    assert_eq(r.ttl("k"), 60)
    jump(r, 60000)
    assert_eq(r.ttl("k"), -2)
    assert_eq(r.expire("k", 10), False, "EXPIRE on expired key")


@test
def wrong_arity_and_unknown():
    r = h.flushed()
    assert_raises_text(lambda: r.execute_command("GET"),
                       "wrong number of arguments for 'get' command")
    assert_raises_text(lambda: r.execute_command("GET", "a", "b"),
                       "wrong number of arguments for 'get' command")
    assert_raises_text(lambda: r.execute_command("NOSUCHCMD", "a"),
                       "unknown command 'NOSUCHCMD', with args beginning with: 'a' ")


if __name__ == "__main__":
    h.run()
