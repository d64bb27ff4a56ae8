#!/usr/bin/python3
"""RDB snapshots, the saving side: SAVE, BGSAVE, save points, LASTSAVE and
INFO persistence, the final save of SHUTDOWN and SIGTERM (and the
shutdown-on-sigterm / -sigint words), FLUSHALL's save
and MISCONF after a failed BGSAVE.

The files are judged by Debian's Redis 7.0: redis-check-rdb must accept
them, and a redis-server started on the file's directory must load them
and hold every key Respite held (type, value, TTL within a tolerance,
XINFO STREAM FULL, FUNCTION LIST). Every server runs in a directory of
its own under the scratch directory."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, test  # noqa: E402

REDIS = "/usr/bin/redis-server"
CHECK_RDB = "/usr/bin/redis-check-rdb"
MISCONF = (b"-MISCONF Redis is configured to save RDB snapshots, but it's "
           b"currently unable to persist to disk. Commands that may modify "
           b"the data set are disabled, because this instance is configured "
           b"to report errors during writes if RDB snapshotting fails "
           b"(stop-writes-on-bgsave-error option). Please check the Redis "
           b"logs for details about the RDB error.\r\n")
LIB = ("#!lua name=savelib\n"
       "redis.register_function('savefn', function(keys, args) "
       "return 'saved' end)")


def new_dir():
    return tempfile.mkdtemp(dir=h.scratch_dir())


def respite(d, *directives, name="save"):
    return h.Server("--dir", d, *directives, name=name).start()


def info(r, field):
    return r.info("everything")[field]


def populate(r):
    """Every type in each of its encodings, TTLs, several databases and a
    function library."""
    p = r.pipeline(transaction=False)
    p.set("s:int", "12345")
    p.set("s:neg", "-7")
    p.set("s:bigint", "123456789012345")
    p.set("s:long", "abc" * 400)                 # LZF
    p.set("s:bin", b"\x00\xff\r\n" * 9)
    p.set("s:empty", "")
    p.set("s:ttl", "v", px=3_600_000)
    p.pfadd("hll", *["e%d" % i for i in range(50)])
    p.hset("h:small", mapping={"f1": "v1", "f2": "2", "f3": "x" * 30})
    p.hset("h:big", mapping={"f%d" % i: "v%d" % i for i in range(600)})
    p.hset("h:longval", mapping={"a": "y" * 100})
    p.sadd("set:ints", 3, 1, 2, -70000, 5_000_000_000)
    p.sadd("set:manyints", *range(600))
    p.sadd("set:strs", "a", "b", "c")
    p.sadd("set:big", *["m%d" % i for i in range(300)])
    p.zadd("z:small", {"a": 1, "b": 2.5, "c": -3, "d": float("inf")})
    p.zadd("z:big", {"m%d" % i: i / 7 for i in range(200)})
    p.rpush("l:small", "a", "1", "bb")
    p.rpush("l:big", *["item%d" % i for i in range(3000)])
    p.rpush("l:fat", *["z" * 5000 for _ in range(5)])
    p.pexpire("l:small", 7_200_000)
    p.hset("h:ttl", "f", "v")
    p.expire("h:ttl", 100_000)
    for i in range(1, 40):
        p.xadd("st", {"f": "v%d" % i, "n": str(i)}, id="%d-1" % i)
    p.xdel("st", "5-1", "6-1")
    p.xgroup_create("st", "g1", id="0")
    p.xgroup_create("st", "g2", id="20-1")
    p.execute()
    r.xreadgroup("g1", "alice", {"st": ">"}, count=3)
    r.xreadgroup("g1", "bob", {"st": ">"}, count=2)
    r.xack("st", "g1", "1-1")
    r.xreadgroup("g2", "carol", {"st": ">"}, count=1, noack=True)
    r.xgroup_createconsumer("st", "g2", "dave")
    r.xadd("st:empty", {"a": "b"}, id="1-1")
    r.xdel("st:empty", "1-1")
    r.function_load(LIB)
    r.select(3)
    r.set("db3", "three")
    r.rpush("db3:list", "x")
    r.select(15)
    r.set("db15", "fifteen", ex=50_000)
    r.select(0)


def snapshot(r, db):
    """Every key of database db as (type, value, ttl ms) by key."""
    r.select(db)
    out = {}
    for k in r.scan_iter(count=1000):
        t = r.type(k).decode()
        if t == "string":
            v = r.get(k)
        elif t == "hash":
            v = r.hgetall(k)
        elif t == "set":
            v = r.smembers(k)
        elif t == "zset":
            v = r.zrange(k, 0, -1, withscores=True)
        elif t == "list":
            v = r.lrange(k, 0, -1)
        else:
            full = r.execute_command("XINFO", "STREAM", k, "FULL")
            v = (r.xrange(k), stream_view(full))
        out[k] = (t, v, r.pttl(k))
    r.select(0)
    return out


def stream_view(full):
    """XINFO STREAM FULL without what 7.0 and Respite (7.4) word apart:
    7.2's active-time, 7.4's fields, and the consumers' seen-time, which
    Redis 7.0 resets to the load time."""
    def pairs(x):
        return dict(zip(x[::2], x[1::2]))
    d = pairs(full)
    keep = [b"length", b"radix-tree-keys", b"last-generated-id",
            b"max-deleted-entry-id", b"entries-added",
            b"recorded-first-entry-id", b"entries"]
    view = {k: d.get(k) for k in keep}
    groups = []
    for g in d[b"groups"]:
        gd = pairs(g)
        consumers = []
        for c in gd[b"consumers"]:
            cd = pairs(c)
            consumers.append((cd[b"name"], cd[b"pel-count"],
                              [tuple(e[:3]) for e in cd[b"pending"]]))
        groups.append((gd[b"name"], gd[b"last-delivered-id"],
                       gd[b"entries-read"], gd[b"lag"], gd[b"pel-count"],
                       [tuple(e) for e in gd[b"pending"]], consumers))
    view[b"groups"] = groups
    return view


def same_data(a, b):
    """Respite's keys (a) and the reference's (b), every database."""
    for db in (0, 3, 15):
        want, got = snapshot(a, db), snapshot(b, db)
        assert_eq(set(got), set(want), "keys of db %d" % db)
        for k, (t, v, ttl) in want.items():
            gt, gv, gttl = got[k]
            assert_eq((gt, gv), (t, v), "db %d key %r" % (db, k))
            if ttl < 0:
                assert_eq(gttl, ttl, "TTL of %r" % k)
            else:
                assert abs(gttl - ttl) < 5000, (k, ttl, gttl)
    lib = lambda r: r.execute_command("FUNCTION", "LIST", "WITHCODE")
    assert_eq(lib(b), lib(a), "FUNCTION LIST")


def check_rdb(path):
    p = subprocess.run([CHECK_RDB, path], capture_output=True, timeout=60)
    assert p.returncode == 0 and b"RDB looks OK" in p.stdout, p.stdout[-800:]


def loaded_by_redis(d, fname="dump.rdb"):
    """A redis-server 7.0 started on d, which loads d/fname."""
    ref = h.Server("--dir", d, "--dbfilename", fname, binary=REDIS,
                   name="ref", cwd=d).start()
    log = ref.log_bytes()
    assert b"DB loaded from disk" in log, ref.log_tail()
    return ref


def wait_bgsave(r):
    h.wait_for(lambda: info(r, "rdb_bgsave_in_progress") == 0,
               "the BGSAVE child to end", timeout=60)


@test
def save_writes_a_file_redis_loads():
    d = new_dir()
    s = respite(d)
    r = s.client()
    populate(r)
    assert_eq(r.save(), True)
    path = os.path.join(d, "dump.rdb")
    with open(path, "rb") as f:
        assert_eq(f.read(9), b"REDIS0010", "magic")
    check_rdb(path)
    assert_eq([f for f in os.listdir(d) if f.startswith("temp-")], [],
              "temp files left")
    ref = loaded_by_redis(d)
    same_data(r, ref.client())


@test
def bgsave_writes_a_file_redis_loads():
    d = new_dir()
    s = respite(d)
    r = s.client()
    populate(r)
    assert_eq(r.bgsave(), True)
    wait_bgsave(r)
    assert_eq(info(r, "rdb_last_bgsave_status"), "ok")
    assert info(r, "total_forks") >= 1
    log = s.log_bytes()
    for line in (b"Background saving started by pid",
                 b"DB saved on disk",
                 b"Background saving terminated with success"):
        assert line in log, (line, s.log_tail())
    check_rdb(os.path.join(d, "dump.rdb"))
    ref = loaded_by_redis(d)
    same_data(r, ref.client())


@test
def rdbchecksum_and_rdbcompression_off_still_load():
    d = new_dir()
    s = respite(d, "--rdbchecksum", "no", "--rdbcompression", "no")
    r = s.client()
    populate(r)
    r.save()
    with open(os.path.join(d, "dump.rdb"), "rb") as f:
        data = f.read()
    assert_eq(data[-9:], b"\xff" + b"\x00" * 8, "EOF and no checksum")
    assert (b"abc" * 400) in data, "a long string was compressed"
    check_rdb(os.path.join(d, "dump.rdb"))
    ref = loaded_by_redis(d)
    same_data(r, ref.client())
    # The same data compressed is smaller (rdbchecksum is immutable).
    r.config_set("rdbcompression", "yes")
    r.save()
    with open(os.path.join(d, "dump.rdb"), "rb") as f:
        packed = f.read()
    assert len(packed) < len(data), (len(packed), len(data))


@test
def hash_field_ttls_make_a_version_12_file():
    d = new_dir()
    s = respite(d)
    r = s.client()
    r.set("plain", "x")
    r.hset("hf", mapping={"a": "1", "b": "2"})
    r.execute_command("HEXPIRE", "hf", 1000, "FIELDS", 1, "a")
    r.save()
    with open(os.path.join(d, "dump.rdb"), "rb") as f:
        data = f.read()
    assert_eq(data[:9], b"REDIS0012", "magic")
    # Type 25 (listpackex), then the key's name.
    assert b"\x19\x02hf" in data, data
    r.delete("hf")
    r.save()
    with open(os.path.join(d, "dump.rdb"), "rb") as f:
        assert_eq(f.read(9), b"REDIS0010", "magic once the hash is gone")


@test
def expired_keys_are_skipped_and_not_expired():
    d = new_dir()
    s = respite(d)
    r = s.client()
    r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", 0)
    r.set("gone", "x", px=50)
    r.set("kept", "y")
    time.sleep(0.1)
    r.save()
    with open(os.path.join(d, "dump.rdb"), "rb") as f:
        data = f.read()
    assert b"kept" in data and b"gone" not in data, data
    # Saving expired nothing: the key is still in the store.
    assert_eq(r.dbsize(), 2, "DBSIZE after SAVE")


@test
def lastsave_and_info_move_with_saves():
    d = new_dir()
    s = respite(d)
    r = s.client()
    before = int(r.lastsave().timestamp())
    assert_eq(info(r, "rdb_last_save_time"), before)
    assert_eq((info(r, "rdb_saves"), info(r, "rdb_last_bgsave_time_sec")),
              (0, -1))
    r.mset({"a": 1, "b": 2})
    assert_eq(info(r, "rdb_changes_since_last_save"), 2)   # one per key
    r.execute_command("DEBUG", "JUMP-CLOCK", 5000)
    r.save()
    after = int(r.lastsave().timestamp())
    assert after >= before + 5, (before, after)
    assert_eq((info(r, "rdb_changes_since_last_save"), info(r, "rdb_saves")),
              (0, 1))
    r.set("c", 3)
    r.bgsave()
    wait_bgsave(r)
    assert_eq(info(r, "rdb_saves"), 2)
    assert_eq(info(r, "rdb_changes_since_last_save"), 0)
    assert info(r, "rdb_last_bgsave_time_sec") >= 0
    assert info(r, "latest_fork_usec") > 0


@test
def save_point_starts_a_bgsave():
    d = new_dir()
    s = respite(d, "--save", "1 1")
    r = s.client()
    assert_eq(r.config_get("save"), {"save": "1 1"})
    r.set("k", "v")
    # More than a second since start-up, one change: the timer forks.
    r.execute_command("DEBUG", "JUMP-CLOCK", 2000)
    h.wait_for(lambda: os.path.exists(os.path.join(d, "dump.rdb")),
               "the save point's BGSAVE", timeout=30)
    wait_bgsave(r)
    assert b"1 changes in 1 seconds. Saving..." in s.log_bytes(), s.log_tail()
    assert_eq(info(r, "rdb_changes_since_last_save"), 0)
    # CONFIG SET save "" turns them off: no save follows new writes.
    r.config_set("save", "")
    os.unlink(os.path.join(d, "dump.rdb"))
    r.set("k2", "v")
    r.execute_command("DEBUG", "JUMP-CLOCK", 5000)
    time.sleep(0.4)
    assert not os.path.exists(os.path.join(d, "dump.rdb"))


@test
def shutdown_save_and_nosave():
    d = new_dir()
    s = respite(d)
    r = s.client()
    r.set("k", "v")
    with s.conn() as c:
        c.send(h.encode("SHUTDOWN", "SAVE"))
        assert c.is_closed(timeout=30)
    assert_eq(s.wait_exit(), 0)
    assert b"Saving the final RDB snapshot before exiting." in s.log_bytes()
    check_rdb(os.path.join(d, "dump.rdb"))
    # With save points, NOSAVE writes nothing.
    d2 = new_dir()
    s2 = respite(d2, "--save", "3600 1")
    s2.client().set("k", "v")
    with s2.conn() as c:
        c.send(h.encode("SHUTDOWN", "NOSAVE"))
        assert c.is_closed(timeout=30)
    assert_eq(s2.wait_exit(), 0)
    assert_eq(os.listdir(d2), [])
    # Without save points, a plain SHUTDOWN writes nothing either.
    d3 = new_dir()
    s3 = respite(d3)
    s3.client().set("k", "v")
    with s3.conn() as c:
        c.send(h.encode("SHUTDOWN"))
        assert c.is_closed(timeout=30)
    assert_eq(s3.wait_exit(), 0)
    assert_eq(os.listdir(d3), [])


@test
def sigterm_saves_with_save_points():
    d = new_dir()
    s = respite(d, "--save", "3600 1")
    r = s.client()
    populate(r)
    want = {db: snapshot(r, db) for db in (0, 3, 15)}
    s.proc.send_signal(signal.SIGTERM)
    assert_eq(s.wait_exit(timeout=30), 0)
    check_rdb(os.path.join(d, "dump.rdb"))
    ref = loaded_by_redis(d)
    for db, keys in want.items():
        got = snapshot(ref.client(), db)
        assert_eq(set(got), set(keys), "keys of db %d" % db)


@test
def shutdown_on_sigterm_and_sigint_words():
    # "save" saves with no save points set.
    d = new_dir()
    s = respite(d, "--shutdown-on-sigterm", "save")
    s.client().set("k", "v")
    s.proc.send_signal(signal.SIGTERM)
    assert_eq(s.wait_exit(timeout=30), 0)
    check_rdb(os.path.join(d, "dump.rdb"))
    # "nosave" writes nothing despite save points; SIGINT's own words,
    # set at run time and shown in Redis's order.
    d2 = new_dir()
    s2 = respite(d2, "--save", "3600 1", "--shutdown-on-sigterm", "save")
    r2 = s2.client()
    r2.set("k", "v")
    r2.config_set("shutdown-on-sigint", "now NOSAVE")
    assert_eq(r2.config_get("shutdown-on-sigint"),
              {"shutdown-on-sigint": "nosave now"})
    s2.proc.send_signal(signal.SIGINT)
    assert_eq(s2.wait_exit(timeout=30), 0)
    assert_eq(os.listdir(d2), [])
    # "force": a save that fails (its directory gone) exits all the same.
    d3 = new_dir()
    s3 = respite(d3, "--shutdown-on-sigterm", "force save")
    s3.client().set("k", "v")
    shutil.rmtree(d3)
    s3.proc.send_signal(signal.SIGTERM)
    assert_eq(s3.wait_exit(timeout=30), 0)
    assert b"Error trying to save the DB. Exit anyway." in s3.log_bytes()


@test
def failed_bgsave_refuses_writes_until_a_good_save():
    d = new_dir()
    s = respite(d, "--save", "3600 1")
    r = s.client()
    r.set("k", "v")
    shutil.rmtree(d)
    r.bgsave()
    wait_bgsave(r)
    assert_eq(info(r, "rdb_last_bgsave_status"), "err")
    assert b"Background saving error" in s.log_bytes(), s.log_tail()
    with s.conn() as c:
        assert_eq(c.call("SET", "k", "w"), MISCONF)
        assert_eq(c.call("PING"), MISCONF)
        assert_eq(c.call("GET", "k"), b"$1\r\nv\r\n")
        assert_eq(c.call("MULTI"), b"+OK\r\n")
        assert_eq(c.call("GET", "k"), b"+QUEUED\r\n")
        assert_eq(c.call("SET", "k", "w"), MISCONF)
        assert_eq(c.call("EXEC"), b"-EXECABORT Transaction discarded "
                                   b"because of previous errors.\r\n")
        # A script's write gets it too, with where it happened (7.0's
        # text, byte for byte).
        got = c.call("EVAL", "return redis.call('set', 'k', 'w')", 0)
        assert_eq(got, MISCONF[:-2] + b" script: 92d9bd2bb14ec0e5800f5bc76"
                  b"118e977c539ac71, on @user_script:1.\r\n")
        # SAVE fails too, and the shutdown that must save stays up.
        assert_eq(c.call("SAVE"), b"-ERR\r\n")
        assert_eq(c.call("SHUTDOWN"),
                  b"-ERR Errors trying to SHUTDOWN. Check logs.\r\n")
        s.proc.send_signal(signal.SIGTERM)
        h.wait_for(lambda: b"SIGTERM received but errors" in s.log_bytes(),
                   "SIGTERM's failed save")
        assert_eq(c.call("GET", "k"), b"$1\r\nv\r\n")
        os.mkdir(d)
        assert_eq(c.call("SAVE"), b"+OK\r\n")
        assert_eq(c.call("SET", "k", "w"), b"+OK\r\n")
        assert_eq(c.call("PING"), b"+PONG\r\n")
    # stop-writes-on-bgsave-error no: a failed BGSAVE refuses nothing.
    shutil.rmtree(d)
    r.config_set("stop-writes-on-bgsave-error", "no")
    r.bgsave()
    wait_bgsave(r)
    assert_eq(info(r, "rdb_last_bgsave_status"), "err")
    assert_eq(r.set("k", "x"), True)
    os.mkdir(d)
    with s.conn() as c:
        c.send(h.encode("SHUTDOWN", "NOSAVE"))
        assert c.is_closed(timeout=30)


def child_pid(s):
    for line in s.log_bytes().splitlines()[::-1]:
        if b"Background saving started by pid " in line:
            return int(line.rsplit(b" ", 1)[1])
    raise AssertionError("no child pid in the log")


@test
def a_running_child_refuses_saves_and_dies_at_shutdown():
    d = new_dir()
    s = respite(d)
    r = s.client()
    r.set("k", "v")
    r.bgsave()
    pid = child_pid(s)
    try:
        os.kill(pid, signal.SIGSTOP)
    except ProcessLookupError:
        h.skip("the child ended before it could be stopped")
    try:
        with s.conn() as c:
            running = b"-ERR Background save already in progress\r\n"
            assert_eq(c.call("BGSAVE"), running)
            assert_eq(c.call("SAVE"), running)
            assert_eq(info(r, "rdb_bgsave_in_progress"), 1)
            c.send(h.encode("SHUTDOWN", "NOSAVE"))
            assert c.is_closed(timeout=30)
        assert_eq(s.wait_exit(timeout=30), 0)
        assert b"There is a child saving an .rdb. Killing it!" in \
            s.log_bytes()
        assert not os.path.exists(os.path.join(d, "temp-%d.rdb" % pid))
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@test(respite_only=True, reason="Redis's child keeps every client's socket")
def bgsave_child_keeps_no_client_socket():
    """A client the server kills while a BGSAVE runs (made to last by
    rdb-key-save-delay) sees its connection end at once: the child holds
    no socket but its own file's."""
    s = respite(new_dir(), "--rdb-key-save-delay", "1000")
    r = s.client()
    r.execute_command("DEBUG", "POPULATE", 3000)
    victim = s.conn()
    vid = int(victim.call("CLIENT", "ID")[1:-2])
    r.bgsave()
    assert_eq(info(r, "rdb_bgsave_in_progress"), 1)
    r.execute_command("CLIENT", "KILL", "ID", vid)
    assert victim.is_closed(timeout=1.0), "killed client still connected"
    assert_eq(info(r, "rdb_bgsave_in_progress"), 1, "the save still runs")


@test
def flushall_saves_with_save_points():
    d = new_dir()
    s = respite(d, "--save", "3600 1")
    r = s.client()
    r.set("k", "v")
    r.flushall()
    path = os.path.join(d, "dump.rdb")
    check_rdb(path)
    with open(path, "rb") as f:
        assert b"\xfe\x00" not in f.read(), "a database in the flushed file"
    # As Redis 7.0.15: the save leaves no change to save, and is not
    # counted in rdb_saves (SAVE and BGSAVE are).
    assert_eq((info(r, "rdb_changes_since_last_save"), info(r, "rdb_saves")),
              (0, 0))


def with_field_ttls(r):
    """A hash with field TTLs (7.4's, which 7.0 cannot load) and its
    fields' remaining ms."""
    r.hset("hf", mapping={"a": "1", "b": "2", "c": "3"})
    r.execute_command("HPEXPIRE", "hf", 500_000, "FIELDS", 1, "a")
    r.execute_command("HPEXPIRE", "hf", 900_000, "FIELDS", 1, "c")
    return lambda c: c.execute_command("HPTTL", "hf", "FIELDS", 3,
                                       "a", "b", "c")


def near(got, want, what):
    assert_eq(len(got), len(want), what)
    for g, w in zip(got, want):
        assert (g < 0 and g == w) or (w >= 0 and abs(g - w) < 5000), \
            (what, got, want)


@test
def respite_loads_its_own_file():
    """What SAVE writes, a Respite started on a copy of the file holds:
    every type, field TTLs and the 7.4 stream fields included."""
    d = new_dir()
    s = respite(d)
    r = s.client()
    populate(r)
    pttls = with_field_ttls(r)
    r.save()
    d2 = new_dir()
    shutil.copy(os.path.join(d, "dump.rdb"), d2)
    s2 = respite(d2, name="reload")
    assert b"DB loaded from disk" in s2.log_bytes(), s2.log_tail()
    r2 = s2.client()
    same_data(r, r2)
    near(pttls(r2), pttls(r), "HPTTL after the load")
    assert_eq(r2.object("encoding", "hf"), b"listpackex")


@test
def debug_reload_keeps_everything():
    d = new_dir()
    s = respite(d)
    r = s.client()
    populate(r)
    pttls = with_field_ttls(r)
    before = {db: snapshot(r, db) for db in (0, 3, 15)}
    ttls = pttls(r)
    assert_eq(r.execute_command("DEBUG", "RELOAD"), b"OK")
    for db in (0, 3, 15):
        after = snapshot(r, db)
        assert_eq(set(after), set(before[db]), "keys of db %d" % db)
        for k, (t, v, ttl) in before[db].items():
            assert_eq(after[k][:2], (t, v), "db %d key %r" % (db, k))
            assert (ttl < 0 and after[k][2] == ttl) or \
                abs(after[k][2] - ttl) < 5000, (k, ttl, after[k][2])
    near(pttls(r), ttls, "HPTTL after DEBUG RELOAD")
    assert_eq(r.fcall("savefn", 0), b"saved")
    assert b"DB reloaded by DEBUG RELOAD" in s.log_bytes(), s.log_tail()


if __name__ == "__main__":
    h.run()
