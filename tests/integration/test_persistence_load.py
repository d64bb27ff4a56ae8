#!/usr/bin/python3
"""Loading an RDB file at start-up: Debian's redis-server 7.0 builds a
dataset (every type and encoding, TTLs, several databases, function
libraries, LFU counters), SAVEs it, and Respite started on a copy of the
file must hold the same thing, compared key by key over both servers'
sockets. Files Redis itself would refuse (truncated, bad CRC, a newer
version, a database past `databases`, module data, garbage, a duplicate
key) make Respite exit with status 1 and say why, without serving; a
missing file starts an empty server.

Needs /usr/bin/redis-server (the reference); its servers run in scratch
directories only."""

import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, encode, test  # noqa: E402
from payload import crc64, rlen, rstr  # noqa: E402

REDIS = "/usr/bin/redis-server"
TTL_SLACK_MS = 3000


def new_dir():
    return tempfile.mkdtemp(prefix="rdb-", dir=h.scratch_dir())


def reference(d, *directives):
    """Redis 7.0 on directory d (the harness adds --save '')."""
    return h.Server("--dir", d, *directives, binary=REDIS, name="redis-ref")


def respite(d, *directives):
    return h.Server("--dir", d, *directives, name="respite-load")


def copy_dump(src_dir):
    d = new_dir()
    shutil.copy(os.path.join(src_dir, "dump.rdb"), os.path.join(d, "dump.rdb"))
    return d


# ---------------------------------------------------------------------------
# The dataset
# ---------------------------------------------------------------------------

LIB_A = """#!lua name=liba
redis.register_function('fa', function(keys, args) return 'a' end)
redis.register_function{function_name='fa_ro',
    callback=function(keys, args) return 1 end,
    flags={'no-writes'}, description='reads only'}
"""
LIB_B = """#!lua name=libb
local function helper() return 2 end
redis.register_function('fb', function(keys, args) return helper() end)
"""


def build(r, rng):
    """Fills database 0 and a few others through redis-py client r (db 0);
    returns the keys given a TTL short enough to pass before Respite
    starts."""
    p = r.pipeline(transaction=False)
    # Strings: integers (int-encoded in the file), text, binary, long
    # compressible and long incompressible values, the empty string.
    p.set("s:int", "12345")
    p.set("s:neg", "-2147483648")
    p.set("s:big", "9223372036854775807")
    p.set("s:text", "hello world")
    p.set("s:empty", "")
    p.set("s:bin", bytes(range(256)))
    p.set("s:compressible", "abc" * 20000)
    p.set("s:random", bytes(rng.getrandbits(8) for _ in range(50000)))
    p.set("s:marker", "PAYLOAD-MARKER-" + "q" * 10)
    # Lists: a listpack, a long quicklist of many nodes, long elements.
    p.rpush("l:small", "a", "b", "1", "-7", "")
    p.rpush("l:big", *["item-%d" % i for i in range(5000)])
    p.rpush("l:long", *["x" * 300 + str(i) for i in range(50)])
    p.rpush("l:ints", *range(-100, 100))
    # Hashes: listpack, hashtable by count, hashtable by value size.
    p.hset("h:small", mapping={"f1": "v1", "f2": "2", "n": "-5"})
    p.hset("h:big", mapping={"field-%d" % i: "val-%d" % i
                             for i in range(2000)})
    p.hset("h:longval", mapping={"a": "y" * 200, "b": "z"})
    # Sets: intset small and large, hashtable of strings small and large.
    p.sadd("set:ints", 1, 2, 3, -4, 70000, 2 ** 40)
    p.sadd("set:bigints", *range(1000))
    p.sadd("set:str", "a", "b", "c")
    p.sadd("set:bigstr", *["m%d" % i for i in range(800)])
    # Sorted sets: listpack, skiplist, special scores.
    p.zadd("z:small", {"a": 1, "b": 2.5, "c": -3, "d": 0})
    p.zadd("z:big", {"m%d" % i: rng.random() * 1000 for i in range(1000)})
    p.zadd("z:inf", {"lo": float("-inf"), "hi": float("inf"), "mid": 0.1})
    p.zadd("z:longmember", {"k" * 100: 1, "short": 2})
    # TTLs: long, and short enough to be past by load time.
    p.set("t:long", "v", px=3600 * 1000)
    p.hset("t:hash", "f", "v")
    p.expire("t:hash", 7200)
    p.set("t:gone", "v", px=300)
    p.rpush("t:gone-list", "v")
    p.pexpire("t:gone-list", 300)
    p.execute()
    # Streams: several nodes, deleted entries, groups, pending entries.
    for i in range(250):
        r.xadd("st:big", {"f": "v%d" % i, "n": str(i)}, id="%d-%d" % (
            1000 + i // 3, i % 3))
    for i in range(0, 250, 7):
        r.xdel("st:big", "%d-%d" % (1000 + i // 3, i % 3))
    r.xgroup_create("st:big", "g1", id="0")
    r.xgroup_create("st:big", "g2", id="$")
    r.xreadgroup("g1", "alice", {"st:big": ">"}, count=10)
    r.xreadgroup("g1", "bob", {"st:big": ">"}, count=5)
    r.xack("st:big", "g1", "1000-1")
    r.xadd("st:small", {"a": "1"})
    r.xadd("st:empty", {"a": "1"}, id="5-1")
    r.xdel("st:empty", "5-1")
    r.xgroup_create("st:mk", "g", id="$", mkstream=True)
    r.xadd("st:trim", {"x": "y"}, id="1-1")
    r.xadd("st:trim", {"x": "y"}, id="2-1")
    r.xtrim("st:trim", maxlen=1)
    # Other databases.
    for db, n in ((1, 10), (5, 3), (15, 1)):
        c = r.connection_pool.connection_kwargs
        o = type(r)(host=c["host"], port=c["port"], db=db)
        for i in range(n):
            o.set("db%d:k%d" % (db, i), "v%d" % i)
        o.rpush("db%d:list" % db, "a", "b")
        o.set("same-name", "in db %d" % db)
        o.close()
    r.set("same-name", "in db 0")
    # Functions.
    r.function_load(LIB_A)
    r.function_load(LIB_B)
    # LFU counters (FREQ opcodes under allkeys-lfu): some hot keys.
    for _ in range(200):
        r.get("s:text")
    for _ in range(30):
        r.get("s:int")
    return ["t:gone", "t:gone-list"]


def saved(*directives, seed=1):
    """Builds the dataset in a new Redis, SAVEs, and leaves it running.
    Returns (reference server, its dir, the short-TTL keys)."""
    d = new_dir()
    ref = reference(d, "--maxmemory-policy", "allkeys-lfu",
                    *directives).start()
    r = ref.client()
    gone = build(r, random.Random(seed))
    assert_eq(r.save(), True, "SAVE")
    r.close()
    return ref, d, gone


# ---------------------------------------------------------------------------
# Comparing two servers
# ---------------------------------------------------------------------------

def raw(server, db, *args):
    with server.conn() as c:
        c.send(encode("SELECT", db))
        c.read_raw()
        return c.call(*args)


# XINFO STREAM FULL fields that are not the data: Respite adds Redis
# 7.2's consumer active-time (the seen time, from a 7.0 file).
NOT_DATA = (b"active-time",)


def _strip(v):
    if not isinstance(v, list):
        return v
    if len(v) % 2 == 0 and any(x in NOT_DATA for x in v[0::2]):
        out = []
        for name, val in zip(v[0::2], v[1::2]):
            if name not in NOT_DATA:
                out += [name, _strip(val)]
        return out
    return [_strip(x) for x in v]


def xinfo_full(server, db, key):
    return _strip(h.parse(raw(server, db, "XINFO", "STREAM", key, "FULL")))


def value_of(r, key, t):
    if t == b"string":
        return r.get(key)
    if t == b"list":
        return r.lrange(key, 0, -1)
    if t == b"hash":
        return r.hgetall(key)
    if t == b"set":
        return r.smembers(key)
    if t == b"zset":
        return r.zrange(key, 0, -1, withscores=True)
    if t == b"stream":
        return r.xrange(key, "-", "+")
    raise AssertionError("type %r" % t)


def compare(ref, res, dbs=16, skip_keys=()):
    """Every key of every database: type, value, TTL; streams' full XINFO;
    DBSIZE; FUNCTION LIST. Returns the number of keys compared."""
    n = 0
    for db in range(dbs):
        a, b = ref.client(db=db), res.client(db=db)
        keys_a = set(a.scan_iter(count=1000)) - set(skip_keys)
        keys_b = set(b.scan_iter(count=1000))
        assert_eq(keys_b, keys_a, "keys of db %d" % db)
        assert_eq(b.dbsize(), a.dbsize(), "DBSIZE of db %d" % db)
        for k in sorted(keys_a):
            t = a.type(k)
            assert_eq(b.type(k), t, "TYPE %r" % k)
            assert_eq(value_of(b, k, t), value_of(a, k, t), "value of %r" % k)
            ta, tb = a.pttl(k), b.pttl(k)
            if ta < 0:
                assert_eq(tb, ta, "PTTL %r" % k)
            else:
                assert tb > 0 and abs(ta - tb) < TTL_SLACK_MS, (k, ta, tb)
            if t == b"stream":
                assert_eq(xinfo_full(res, db, k), xinfo_full(ref, db, k),
                          "XINFO STREAM %r FULL" % k)
            n += 1
        a.close()
        b.close()
    assert_eq(sorted(raw(res, 0, "FUNCTION", "LIST", "WITHCODE")
                     .split(b"\r\n")),
              sorted(raw(ref, 0, "FUNCTION", "LIST", "WITHCODE")
                     .split(b"\r\n")), "FUNCTION LIST WITHCODE")
    return n


def wait_past(ms):
    time.sleep(ms / 1000.0)


def load_and_compare(*directives, ref_directives=(), seed=1):
    ref, d, gone = saved(*ref_directives, seed=seed)
    try:
        wait_past(400)          # the short TTLs pass
        with respite(copy_dump(d), *directives) as res:
            n = compare(ref, res)
            r = res.client()
            for k in gone:
                assert_eq(r.exists(k), 0, "expired key %r dropped" % k)
            log = res.log_bytes()
            r.close()
        assert n > 40, n
        return log
    finally:
        ref.stop()


@test
def redis_70_dump_loads_the_same():
    log = load_and_compare()
    if not h.is_redis():
        assert b"Done loading RDB, keys loaded: " in log, log
        assert b"DB loaded from disk: " in log, log
        assert b"Loading RDB produced by version 7.0" in log, log


@test
def uncompressed_dump_loads_the_same():
    load_and_compare(ref_directives=("--rdbcompression", "no"), seed=2)


@test
def dump_without_checksum_loads_the_same():
    log = load_and_compare(ref_directives=("--rdbchecksum", "no"), seed=3)
    assert b"checksum disabled" in log, log


@test
def lfu_counters_and_lru_idle_are_loaded():
    ref, d, _ = saved()
    try:
        with respite(copy_dump(d), "--maxmemory-policy", "allkeys-lfu") as res:
            a, b = ref.client(), res.client()
            for k in ("s:text", "s:int", "l:small"):
                fa = a.object("freq", k)
                assert_eq(b.object("freq", k), fa, "OBJECT FREQ %s" % k)
            assert a.object("freq", "s:text") > a.object("freq", "l:small")
    finally:
        ref.stop()
    # Under an LRU policy the file carries IDLE times instead.
    d = new_dir()
    with reference(d, "--maxmemory-policy", "allkeys-lru") as ref:
        r = ref.client()
        r.set("k", "v")
        r.save()
    with respite(copy_dump(d), "--maxmemory-policy", "allkeys-lru") as res:
        b = res.client()
        assert_eq(b.get("k"), b"v", "key after IDLE")
        assert b.object("idletime", "k") < 60


@test
def missing_file_starts_empty():
    with respite(new_dir()) as res:
        r = res.client()
        assert_eq(r.dbsize(), 0, "DBSIZE")
        r.set("k", "v")


@test
def many_keys_load_in_one_go():
    """200k keys (RESIZEDB pre-sizes the tables) in several databases."""
    d = new_dir()
    with reference(d) as ref:
        r = ref.client()
        for db, n in ((0, 150000), (3, 50000)):
            c = ref.client(db=db)
            for start in range(0, n, 10000):
                p = c.pipeline(transaction=False)
                for i in range(start, start + 10000):
                    p.set("key:%d" % i, i)
                    if i % 10 == 0:
                        p.expire("key:%d" % i, 1000)
                p.execute()
        r.save()
    with respite(copy_dump(d)) as res:
        assert_eq(res.client(db=0).dbsize(), 150000, "DBSIZE 0")
        assert_eq(res.client(db=3).dbsize(), 50000, "DBSIZE 3")
        c = res.client(db=3)
        assert_eq(c.get("key:49999"), b"49999", "a key")
        assert 990 <= c.ttl("key:49990") <= 1000
        # The ordered index was built in one sort at the end of the load:
        # KEYS and SCAN by prefix see exactly the keys under the prefix.
        c0 = res.client(db=0)
        want = sorted(b"key:%d" % i for i in range(150000)
                      if str(i).startswith("1234"))
        assert_eq(sorted(c0.keys("key:1234*")), want, "KEYS by prefix")
        assert_eq(sorted(c0.scan_iter(match="key:1234*", count=50)), want,
                  "SCAN by prefix")
        c0.set("key:12345x", "new")
        c0.delete("key:1234")
        assert_eq(sorted(c0.keys("key:1234*")),
                  sorted(want[1:] + [b"key:12345x"]), "after changes")


# ---------------------------------------------------------------------------
# Files made by hand: the RDB encoding, enough for small files
# ---------------------------------------------------------------------------

def listpack(items):
    """A listpack of short strings (< 64 bytes each)."""
    body = b""
    for it in items:
        it = it.encode() if isinstance(it, str) else it
        assert len(it) < 64
        body += bytes([0x80 | len(it)]) + it + bytes([1 + len(it)])
    total = 6 + len(body) + 1
    return struct.pack("<IH", total, len(items)) + body + b"\xff"


def rdb_file(body, version=10, crc=True):
    data = b"REDIS%04d" % version + body + b"\xff"
    return data + (struct.pack("<Q", crc64(data)) if crc else b"\0" * 8)


def kv(key, value):
    """A plain string key (type 0)."""
    return b"\x00" + rstr(key) + rstr(value)


def write_dump(data):
    d = new_dir()
    with open(os.path.join(d, "dump.rdb"), "wb") as f:
        f.write(data)
    return d


def start_fails(d, *directives, binary=None):
    """Starts the server on d expecting it to refuse: returns its output
    (stdout and stderr) after checking exit status 1 and that it never got
    to serve."""
    argv = [binary or h.server_bin(), "--port", str(h.free_port()),
            "--bind", "127.0.0.1", "--dir", d] + list(directives)
    if h.is_redis(argv[0]):
        argv += ["--save", ""]
    p = subprocess.run(argv, capture_output=True, timeout=30,
                       stdin=subprocess.DEVNULL, cwd=d)
    out = p.stdout + p.stderr
    assert_eq(p.returncode, 1, "exit status (output %r)" % out[-600:])
    assert b"Ready to accept connections" not in out, out
    for bad in (b"ERROR: AddressSanitizer", b"ERROR: LeakSanitizer",
                b"runtime error:"):
        assert bad not in out, out
    return out


def good_file():
    return rdb_file(b"\xfa" + rstr("redis-ver") + rstr("7.0.15") +
                    b"\xfe\x00\xfb\x02\x00" + kv("a", "1") + kv("b", "two"))


@test
def hand_made_file_loads():
    with respite(write_dump(good_file())) as res:
        r = res.client()
        assert_eq(r.mget("a", "b"), [b"1", b"two"], "keys")


@test
def truncated_file_is_refused():
    data = good_file()
    for cut in (5, 9, 14, len(data) // 2, len(data) - 3):
        out = start_fails(write_dump(data[:cut]))
        assert b"Short read" in out, (cut, out)


@test
def bad_checksum_is_refused():
    data = bytearray(good_file())
    data[-1] ^= 0x40
    out = start_fails(write_dump(bytes(data)))
    assert b"Wrong RDB checksum" in out, out
    # A byte flipped in a value of a real dump: the CRC catches it.
    d = new_dir()
    with reference(d, "--rdbcompression", "no") as ref:
        ref.client().set("k", "PAYLOAD-MARKER")
        ref.client().save()
    with open(os.path.join(d, "dump.rdb"), "rb") as f:
        dump = bytearray(f.read())
    at = dump.index(b"PAYLOAD-MARKER")
    dump[at + 3] ^= 0x01
    out = start_fails(write_dump(bytes(dump)))
    assert b"Wrong RDB checksum" in out, out


@test
def rdbchecksum_no_skips_the_check():
    data = bytearray(good_file())
    data[-1] ^= 0x40
    with respite(write_dump(bytes(data)), "--rdbchecksum", "no") as res:
        assert_eq(res.client().get("b"), b"two", "key")


@test
def newer_version_is_refused():
    out = start_fails(write_dump(rdb_file(kv("a", "1"), version=13)))
    assert b"Can't handle RDB format version 13" in out, out


@test
def garbage_is_refused():
    rng = random.Random(7)
    out = start_fails(write_dump(bytes(rng.getrandbits(8)
                                       for _ in range(4096))))
    assert b"Wrong signature trying to load DB from file" in out, out
    # The right signature, then garbage.
    out = start_fails(write_dump(b"REDIS0010" + bytes(
        rng.getrandbits(8) for _ in range(4096))))
    assert out, out


@test
def database_past_databases_is_refused():
    data = rdb_file(kv("a", "1") + b"\xfe\x0f" + kv("b", "2"))
    out = start_fails(write_dump(data), "--databases", "4")
    assert b"configured to handle more than 4 databases" in out, out


@test
def module_aux_is_refused():
    # A module ID: 9 name characters of 6 bits, then a 10-bit version.
    mid = 0
    for ch in "mymodule1":
        mid = mid * 64 + (26 + ord(ch) - ord("a") if ch.isalpha()
                          else 52 + ord(ch) - ord("0"))
    mid = (mid << 10) | 1
    body = (b"\xf7" + b"\x81" + struct.pack(">Q", mid) + b"\x02" + b"\x02"
            + b"\x00")
    out = start_fails(write_dump(rdb_file(body)))
    assert b"module data I can't load: no matching module 'mymodule1'" \
        in out, out


@test(respite_only=True, reason="Redis 7.0 panics (SIGABRT) on it")
def duplicate_key_is_refused():
    out = start_fails(write_dump(rdb_file(kv("a", "1") + kv("a", "2"))))
    assert b"RDB has duplicated key 'a' in DB 0" in out, out


@test(respite_only=True, reason="Redis 7.0 reads neither type 20 nor 21")
def redis_72_set_listpack_loads():
    """Redis 7.2's type 20, a set as a listpack (RDB version 11)."""
    body = (b"\x14" + rstr("s") + rstr(listpack(["a", "bb", "12"])) +
            b"\x14" + rstr("empty") + rstr(listpack([])))
    with respite(write_dump(rdb_file(body, version=11))) as res:
        r = res.client()
        assert_eq(r.smembers("s"), {b"a", b"bb", b"12"}, "members")
        assert_eq(r.exists("empty"), 0, "empty set skipped")
        assert b"skipping empty key: empty" in res.log_bytes()


@test(respite_only=True, reason="Redis 7.0 reads no field TTLs (type 24)")
def redis_74_hash_field_ttls_load():
    """Redis 7.4's type 24 (RDB version 12): the earliest deadline, then
    per field 0 (no TTL) or 1 + its deadline's distance from the earliest.
    A field whose deadline has passed is gone once read."""
    now = int(time.time() * 1000)
    soon, later = now + 50000, now + 90000
    past = now - 5000
    body = (b"\x18" + rstr("h") + struct.pack("<Q", past) + rlen(4) +
            rlen(0) + rstr("plain") + rstr("1") +
            rlen(1 + soon - past) + rstr("soon") + rstr("2") +
            rlen(1 + later - past) + rstr("later") + rstr("3") +
            rlen(1) + rstr("gone") + rstr("4"))
    with respite(write_dump(rdb_file(body, version=12))) as res:
        r = res.client()
        assert_eq(r.hget("h", "gone"), None, "expired field")
        assert_eq(r.hgetall("h"), {b"plain": b"1", b"soon": b"2",
                                   b"later": b"3"}, "fields")
        ttl = r.execute_command("HPTTL", "h", "FIELDS", 3, "plain", "soon",
                                "later")
        assert_eq(ttl[0], -1, "no TTL")
        assert 45000 < ttl[1] <= 50000, ttl
        assert 85000 < ttl[2] <= 90000, ttl


@test
def empty_collections_are_skipped():
    """Redis 7.0 skips empty keys (old versions could write them)."""
    body = (kv("a", "1") + b"\x02" + rstr("emptyset") + rlen(0) +
            b"\x01" + rstr("emptylist") + rlen(0) + kv("b", "2"))
    with respite(write_dump(rdb_file(body))) as res:
        r = res.client()
        assert_eq(r.dbsize(), 2, "DBSIZE")
        assert b"skipping empty key: emptyset" in res.log_bytes()


@test
def expired_keys_are_dropped_at_load():
    past = int(time.time() * 1000) - 10000
    future = int(time.time() * 1000) + 100000
    body = (b"\xfc" + struct.pack("<Q", past) + kv("old", "1") +
            b"\xfc" + struct.pack("<Q", future) + kv("new", "2"))
    with respite(write_dump(rdb_file(body))) as res:
        r = res.client()
        assert_eq(r.exists("old"), 0, "expired key")
        assert 90000 < r.pttl("new") <= 100000, r.pttl("new")
        info = r.info("persistence")
        assert_eq((info["rdb_last_load_keys_loaded"],
                   info["rdb_last_load_keys_expired"]), (1, 1),
                  "INFO's last load counts")


@test(respite_only=True, reason="Redis 7.0 exits 0 after redis-check-rdb")
def library_failure_is_refused():
    """A library the file holds twice fails as Redis fails it."""
    lib = "#!lua name=x\nredis.register_function('f', function() end)"
    body = b"\xf5" + rstr(lib) + b"\xf5" + rstr(lib)
    out = start_fails(write_dump(rdb_file(body)))
    assert b"Library 'x' already exists" in out, out


if __name__ == "__main__":
    h.run()
