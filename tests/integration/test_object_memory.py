#!/usr/bin/python3
"""OBJECT, MEMORY and LFU eviction over a socket, as Redis 7.0 answers.

Covers: OBJECT ENCODING of every type and across the compact thresholds,
intsets (order, the texts that are not integers, set-max-intset-entries,
RESTORE, MEMORY USAGE);
the keyspace hits and misses OBJECT counts (and no keymiss event);
REFCOUNT; IDLETIME growing with the keyspace clock and reset by a read,
not by OBJECT, EXISTS, TYPE or TTL; FREQ rising with reads under
allkeys-lfu (lfu-log-factor 0 makes every read count), not with OBJECT,
and decaying by lfu-decay-time; allkeys-lfu eviction keeping the hot keys
under maxmemory; lfu-log-factor and lfu-decay-time in CONFIG and on the
command line; MEMORY USAGE growing with the value and measuring a key
past its TTL; MEMORY STATS, DOCTOR, PURGE and MALLOC-STATS; and redis-cli
--bigkeys and --memkeys, which run SCAN, TYPE, the length commands and
MEMORY USAGE, and --hotkeys, which runs OBJECT FREQ under an lfu policy.

Tests that need DEBUG JUMP-CLOCK are Respite only; the others pass on
redis-server 7.0 too (RESPITE_BIN=/usr/bin/redis-server), where the only
difference checked for is the name of a small set's encoding (Respite's
compact set is Redis 7.2's listpack; 7.0 says hashtable)."""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, test  # noqa: E402


def obj(r, sub, key):
    v = r.object(sub.lower(), key)
    return v.decode() if isinstance(v, bytes) else v


@test
def object_encoding_of_every_type():
    r = h.flushed()
    r.set("int", "12345")
    r.set("emb", "x" * 44)
    r.set("raw", "x" * 45)
    r.hset("hash", "f", "v")
    r.sadd("set", "a", "b")
    r.zadd("zset", {"a": 1})
    r.rpush("list", "a")
    r.xadd("stream", {"f": "v"})
    want = {"int": "int", "emb": "embstr", "raw": "raw", "hash": "listpack",
            "zset": "listpack", "list": "quicklist", "stream": "stream",
            "set": "hashtable" if h.is_redis() else "listpack"}
    for key, enc in want.items():
        assert_eq(obj(r, "ENCODING", key), enc, key)
    # Past the thresholds.
    r.hset("hash", "long", "v" * 65)
    r.sadd("set", "m" * 65)
    r.zadd("zset", {"m" * 65: 2})
    for i in range(200):
        r.rpush("list", "item%d" % i)
    assert_eq(obj(r, "ENCODING", "hash"), "hashtable")
    assert_eq(obj(r, "ENCODING", "set"), "hashtable")
    assert_eq(obj(r, "ENCODING", "zset"), "skiplist")
    assert_eq(obj(r, "ENCODING", "list"), "quicklist")
    r.zadd("z2", {"m%d" % i: i for i in range(129)})
    assert_eq(obj(r, "ENCODING", "z2"), "skiplist")
    assert_eq(obj(r, "ENCODING", "missing"), None)


@test
def intset_encoding_order_limit_and_memory():
    r = h.flushed()
    r.sadd("s", 5, -3, 70000, 0, 2**63 - 1, -2**63)
    assert_eq(obj(r, "ENCODING", "s"), "intset")
    # An intset lists its members in ascending order, as Redis's does,
    # all in SSCAN's first call.
    assert_eq(r.execute_command("SSCAN", "s", 0),
              (0, [b"-9223372036854775808", b"-3", b"0", b"5", b"70000",
                   b"9223372036854775807"]))
    # Not integers by Redis's rules: each makes a table, for good.
    for i, m in enumerate(["+1", "01", "-0", " 1", "1.0", "x"]):
        r.sadd("t%d" % i, 1, 2, 3)
        r.sadd("t%d" % i, m)
        assert_eq(obj(r, "ENCODING", "t%d" % i), "hashtable", m)
        r.srem("t%d" % i, m)
        assert_eq(obj(r, "ENCODING", "t%d" % i), "hashtable", m)
    # set-max-intset-entries is live.
    try:
        r.config_set("set-max-intset-entries", 3)
        assert_eq(r.config_get("set-max-intset-entries"),
                  {"set-max-intset-entries": "3"})
        r.sadd("l", 1, 2, 3)
        assert_eq(obj(r, "ENCODING", "l"), "intset")
        r.sadd("l", 4)
        assert_eq(obj(r, "ENCODING", "l"), "hashtable")
        # A payload past the limit loads as a table; within it, an intset.
        r.config_set("set-max-intset-entries", 512)
        payload = r.dump("s")
        r.config_set("set-max-intset-entries", 5)
        r.restore("s2", 0, payload)
        assert_eq(obj(r, "ENCODING", "s2"), "hashtable")
        r.config_set("set-max-intset-entries", 512)
        r.restore("s3", 0, payload)
        assert_eq(obj(r, "ENCODING", "s3"), "intset")
        assert_eq(r.dump("s3"), payload)
    finally:
        r.config_set("set-max-intset-entries", 512)
    # 400 ids take about 2 bytes each, several times less than strings.
    r.sadd("ids", *range(1000, 1000 + 400 * 37, 37))
    r.sadd("strs", *["m%d" % i for i in range(1000, 1000 + 400 * 37, 37)])
    assert_eq(obj(r, "ENCODING", "ids"), "intset")
    ids, strs = r.memory_usage("ids"), r.memory_usage("strs")
    assert ids < 400 * 2 + 300, ids
    assert ids * 5 < strs, (ids, strs)


@test
def object_refcount():
    r = h.flushed()
    r.set("small", "42")
    r.set("big", "10000")
    r.set("str", "hello")
    r.rpush("list", "a")
    assert_eq(obj(r, "REFCOUNT", "small"), 2147483647)
    assert_eq(obj(r, "REFCOUNT", "big"), 1)
    assert_eq(obj(r, "REFCOUNT", "str"), 1)
    assert_eq(obj(r, "REFCOUNT", "list"), 1)
    assert_eq(obj(r, "REFCOUNT", "missing"), None)


@test
def object_counts_hits_and_misses_without_keymiss_events():
    s = h.Server("--notify-keyspace-events", "Em", name="object").start()
    r = s.client()
    r.set("k", "v")
    p = r.pubsub()
    p.subscribe("__keyevent@0__:keymiss")
    assert_eq(p.get_message(timeout=5)["type"], "subscribe")
    r.config_resetstat()
    obj(r, "ENCODING", "k")
    obj(r, "ENCODING", "nokey")
    obj(r, "REFCOUNT", "nokey")
    stats = r.info("stats")
    assert_eq((stats["keyspace_hits"], stats["keyspace_misses"]), (1, 2))
    r.get("fence")
    m = p.get_message(timeout=5)
    assert_eq((m["type"], m["data"]), ("message", b"fence"))
    p.close()


@test(respite_only=True, reason="needs DEBUG JUMP-CLOCK")
def object_idletime_grows_and_object_does_not_touch():
    s = h.Server(name="object").start()
    r = s.client()
    r.set("k", "v")
    r.set("other", "v")
    assert_eq(obj(r, "IDLETIME", "k"), 0)
    r.execute_command("DEBUG", "JUMP-CLOCK", "20000")
    idle = obj(r, "IDLETIME", "k")
    assert 18 <= idle <= 21, idle
    # OBJECT itself is not an access.
    assert_eq(obj(r, "IDLETIME", "k") >= 18, True)
    r.exists("k")
    r.type("k")
    r.ttl("k")
    assert obj(r, "IDLETIME", "k") >= 18
    r.get("k")
    assert_eq(obj(r, "IDLETIME", "k"), 0)
    assert obj(r, "IDLETIME", "other") >= 18


@test
def object_freq_rises_with_reads_under_lfu():
    s = h.Server("--maxmemory-policy", "allkeys-lfu", "--lfu-log-factor",
                 "0", "--lfu-decay-time", "0", name="object").start()
    r = s.client()
    r.set("k", "v")
    r.set("cold", "v")
    assert_eq(obj(r, "FREQ", "k"), 5)
    for _ in range(10):
        r.get("k")
    assert_eq(obj(r, "FREQ", "k"), 15)
    assert_eq(obj(r, "FREQ", "k"), 15)       # OBJECT does not count
    assert_eq(obj(r, "FREQ", "cold"), 5)
    # With the default factor the counter grows with the logarithm.
    r.config_set("lfu-log-factor", "10")
    r.set("log", "v")
    for _ in range(300):
        r.get("log")
    f = obj(r, "FREQ", "log")
    # 13 on average; 8 to 22 in 20000 simulated runs.
    assert 8 <= f <= 22, f
    assert_eq(obj(r, "IDLETIME", "missing"), None)
    try:
        obj(r, "IDLETIME", "k")
        raise AssertionError("IDLETIME under allkeys-lfu answered")
    except Exception as e:   # redis.ResponseError
        assert str(e).startswith("An LFU maxmemory policy is selected"), e


@test
def exists_type_ttl_do_not_count_touch_does():
    s = h.Server("--maxmemory-policy", "allkeys-lfu", "--lfu-log-factor",
                 "0", "--lfu-decay-time", "0", name="object").start()
    r = s.client()
    r.set("k", "v")
    for cmd in ("EXISTS", "TYPE", "TTL", "PTTL", "EXPIRETIME"):
        r.execute_command(cmd, "k")
    r.object("encoding", "k")
    r.memory_usage("k")
    assert_eq(obj(r, "FREQ", "k"), 5)
    r.touch("k")
    r.strlen("k")
    assert_eq(obj(r, "FREQ", "k"), 7)


@test(respite_only=True, reason="needs DEBUG JUMP-CLOCK")
def object_freq_decays_by_lfu_decay_time():
    s = h.Server("--maxmemory-policy", "volatile-lfu", "--lfu-log-factor",
                 "0", "--lfu-decay-time", "0", name="object").start()
    r = s.client()
    r.set("k", "v")
    for _ in range(10):
        r.get("k")
    assert_eq(obj(r, "FREQ", "k"), 15)
    # Decay 0 kept the reads from straddling a minute; the stamp is the
    # last read's minute, so exactly 3 minutes pass from it.
    r.config_set("lfu-decay-time", "1")
    r.execute_command("DEBUG", "JUMP-CLOCK", str(3 * 60000))
    assert_eq(obj(r, "FREQ", "k"), 12)
    r.config_set("lfu-decay-time", "2")
    assert_eq(obj(r, "FREQ", "k"), 14)
    r.config_set("lfu-decay-time", "0")
    assert_eq(obj(r, "FREQ", "k"), 15)
    # A read decays the counter, then counts.
    r.config_set("lfu-decay-time", "1")
    r.get("k")
    assert_eq(obj(r, "FREQ", "k"), 13)


@test
def lfu_config_directives():
    s = h.Server("--lfu-decay-time", "7", name="object").start()
    c = s.conn()
    assert_eq(h.parse(c.call("CONFIG", "GET", "lfu-log-factor")),
              [b"lfu-log-factor", b"10"])
    assert_eq(h.parse(c.call("CONFIG", "GET", "lfu-decay-time")),
              [b"lfu-decay-time", b"7"])
    assert_eq(c.call("CONFIG", "SET", "lfu-log-factor", "100"), b"+OK\r\n")
    assert_eq(h.parse(c.call("CONFIG", "GET", "lfu-log-factor")),
              [b"lfu-log-factor", b"100"])
    assert_eq(c.call("CONFIG", "SET", "lfu-log-factor", "-1"),
              b"-ERR CONFIG SET failed (possibly related to argument "
              b"'lfu-log-factor') - argument must be between 0 and "
              b"2147483647 inclusive\r\n")
    assert_eq(c.call("CONFIG", "SET", "lfu-decay-time", "x"),
              b"-ERR CONFIG SET failed (possibly related to argument "
              b"'lfu-decay-time') - argument couldn't be parsed into an "
              b"integer\r\n")


@test
def lfu_eviction_keeps_the_hot_keys():
    s = h.Server("--maxmemory-policy", "allkeys-lfu", "--lfu-log-factor",
                 "0", "--lfu-decay-time", "0", "--maxmemory-samples", "10",
                 name="object").start()
    r = s.client()
    hot = ["hot:%d" % i for i in range(200)]
    p = r.pipeline(transaction=False)
    for k in hot:
        p.set(k, "v" * 100)
    p.execute()
    for _ in range(20):
        p = r.pipeline(transaction=False)
        for k in hot:
            p.get(k)
        p.execute()
    used = r.info("memory")["used_memory"]
    r.config_set("maxmemory", str(used + 2 * 1024 * 1024))
    value = "c" * 1000
    for batch in range(20):
        p = r.pipeline(transaction=False)
        for i in range(500):
            p.set("cold:%d:%d" % (batch, i), value)
        p.execute()
    evicted = r.info("stats")["evicted_keys"]
    assert evicted > 5000, evicted
    p = r.pipeline(transaction=False)
    for k in hot:
        p.exists(k)
    kept = sum(p.execute())
    assert kept >= 190, "only %d of 200 hot keys kept" % kept


@test
def memory_usage_grows_with_the_value():
    r = h.flushed()
    sizes = []
    for n in (10, 1000, 100000):
        r.set("k%d" % n, "x" * n)
        sizes.append(r.memory_usage("k%d" % n))
    assert sizes[0] < sizes[1] < sizes[2], sizes
    assert sizes[2] - sizes[1] >= 99000, sizes
    assert sizes[2] - sizes[1] < 120000, sizes
    assert_eq(r.memory_usage("missing"), None)
    r.hset("h", "f0", "v")
    one = r.memory_usage("h")
    r.hset("h", mapping={"f%d" % i: "v" * 20 for i in range(1000)})
    assert r.memory_usage("h") > one + 1000 * 20, r.memory_usage("h")
    assert_eq(r.memory_usage("h", samples=0), r.memory_usage("h"))
    r.execute_command("MEMORY", "USAGE", "h", "SAMPLES", "5")


@test
def memory_usage_measures_a_key_past_its_ttl():
    s = h.Server(name="object").start()
    r = s.client()
    r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    r.set("k", "v" * 100, px=1)
    time.sleep(0.01)
    r.config_resetstat()
    assert r.memory_usage("k") > 100
    stats = r.info("stats")
    assert_eq((stats["keyspace_hits"], stats["keyspace_misses"],
               stats["expired_keys"]), (0, 0, 0))
    assert_eq(r.get("k"), None)
    assert_eq(r.memory_usage("k"), None)


@test
def memory_stats_doctor_purge_malloc_stats():
    r = h.flushed()
    r.set("a", "1")
    r.set("b", "2", ex=100)
    c = h.shared_server().conn()
    stats = h.parse(c.call("MEMORY", "STATS"))
    names = [stats[i].decode() for i in range(0, len(stats), 2)]
    for name in ("peak.allocated", "total.allocated", "startup.allocated",
                 "replication.backlog", "clients.slaves", "clients.normal",
                 "aof.buffer", "lua.caches", "db.0", "overhead.total",
                 "keys.count", "keys.bytes-per-key", "dataset.bytes",
                 "dataset.percentage", "peak.percentage", "fragmentation",
                 "fragmentation.bytes"):
        assert name in names, (name, names)
    st = dict(zip(names, stats[1::2]))
    assert_eq(st["keys.count"], 2)
    db0 = [x.decode() if isinstance(x, bytes) else x for x in st["db.0"]]
    assert_eq(db0[0], "overhead.hashtable.main")
    assert_eq(db0[2], "overhead.hashtable.expires")
    assert db0[3] > 0, db0
    assert st["total.allocated"] <= st["peak.allocated"]
    doctor = r.execute_command("MEMORY", "DOCTOR")
    if h.is_redis():
        assert doctor.startswith(b"Hi Sam,"), doctor
    else:
        assert doctor.startswith(b"Too little memory in use to judge"), \
            doctor
    assert_eq(r.execute_command("MEMORY", "PURGE"), b"OK")
    text = r.execute_command("MEMORY", "MALLOC-STATS")
    assert (text.startswith(b"___ Begin jemalloc statistics ___")
            or text == b"Stats not supported for the current allocator"), \
        text[:80]


def cli(s, *args):
    p = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(s.port)]
                       + list(args), capture_output=True, timeout=60,
                       stdin=subprocess.DEVNULL)
    assert_eq(p.returncode, 0, "redis-cli %r: %r" % (args, p.stderr))
    return p.stdout.decode()


@test
def redis_cli_bigkeys_and_memkeys():
    r = h.flushed()
    r.set("small", "x")
    r.set("bigstr", "x" * 5000)
    r.rpush("list", *["e%d" % i for i in range(30)])
    r.hset("hash", mapping={"f%d" % i: "v" for i in range(7)})
    r.sadd("set", "a", "b", "c")
    r.zadd("zset", {"a": 1, "b": 2})
    r.xadd("stream", {"f": "v"})
    out = cli(h.shared_server(), "--bigkeys")
    for line in ("Sampled 7 keys in the keyspace!",
                 "Biggest string found '\"bigstr\"' has 5000 bytes",
                 "Biggest   list found '\"list\"' has 30 items",
                 "Biggest   hash found '\"hash\"' has 7 fields",
                 "Biggest    set found '\"set\"' has 3 members",
                 "Biggest   zset found '\"zset\"' has 2 members",
                 "Biggest stream found '\"stream\"' has 1 entries"):
        assert line in out, (line, out)
    out = cli(h.shared_server(), "--memkeys")
    assert "Sampled 7 keys in the keyspace!" in out, out
    size = r.memory_usage("bigstr")
    assert ("Biggest string found '\"bigstr\"' has %d bytes" % size) in out, \
        out
    for kind in ("list", "hash", "set", "zset", "stream"):
        assert ("found '\"%s\"' has " % kind) in out, (kind, out)


@test
def redis_cli_hotkeys_under_lfu():
    s = h.Server("--maxmemory-policy", "allkeys-lfu", "--lfu-log-factor",
                 "0", "--lfu-decay-time", "0", name="object").start()
    r = s.client()
    for i in range(20):
        r.set("k%d" % i, "v")
    for _ in range(20):
        r.get("k7")
    for _ in range(3):
        r.get("k2")
    out = cli(s, "--hotkeys")
    summary = out.split("-------- summary -------")[1].strip().splitlines()
    assert_eq(summary[0], "Sampled 20 keys in the keyspace!")
    assert_eq(summary[1], 'hot key found with counter: 25\tkeyname: "k7"')
    assert_eq(summary[2], 'hot key found with counter: 8\tkeyname: "k2"')


if __name__ == "__main__":
    h.run()
