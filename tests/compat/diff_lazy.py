#!/usr/bin/python3
"""diff_lazy.py - every command meeting a key past its time, on
redis-server and Respite: replies, notifications in order and INFO's
counters compared.

diff_expiry.py lets keys expire in real time and so has to set aside
what the sweeper decides (when "expired" comes, DBSIZE); differential.py
touches a key at once after its 4 ms TTL. Neither walks every command
over every type of expired key, nor compares the events in order or the
hit and miss counters. Here each scenario runs with the sweeper off on
both servers (DEBUG SET-ACTIVE-EXPIRE 0), so a key past its time stays
until a command finds it, and what happens then is deterministic:

    setup     FLUSHALL, FUNCTION FLUSH, notify-keyspace-events KEAnm (every
              class, keymiss and new too), CONFIG RESETSTAT, a subscriber
              on __key*__:* in the scenario's protocol
    keys      k (and k2) of one type (string, list, set, zset, hash,
              stream with a group) given a TTL of 3 ms, then 10 ms of
              sleep; in the "target" scenarios a live key s of the same
              type too, the source of a write onto the expired one
    access    one command (or a few: MULTI ... EXEC, WATCH on a second
              connection, scripts, SELECT) on the main connection, sent to
              both servers before either reply is read, so that both see
              the same time pass
    timing    a key that must still be live at a later command (WATCH
              before it expires, a script started before it does) gets
              100 ms or more, so that a busy machine's pause between two
              commands does not decide; sleeps past a deadline are long
    compared  every reply byte for byte; every notification since the
              setup, in order (a multiset for eviction and the sweeper,
              whose order is each server's own); INFO's keyspace_hits,
              keyspace_misses, expired_keys and evicted_keys, and how
              much rdb_changes_since_last_save grew

Scenarios: TTLs set, kept, overwritten and passed by whole sequences of
commands, past times that delete, hit and miss counting, and scripts
and transactions, whose clock stands still (MISC); every access command
over every type (ACCESS: reads, writes, blocking commands with a short
timeout, scripts, OBJECT, DUMP, SORT, the EXPIRE family, GETEX,
PERSIST...); writes from a live key onto an expired one (TARGET: RENAME,
COPY, MOVE, SMOVE, the STORE commands...); WATCH with the key expired
before WATCH or between WATCH and EXEC and another connection's FLUSHDB,
SWAPDB, DEBUG RELOAD or writes of every kind (WATCHES, WATCH_WRITES);
eviction of expired and live keys under each maxmemory-policy
(POLICIES); and the sweeper over several databases (SWEEP, the sweeper
on, 400 ms).

Left out, as README documents them: MEMORY USAGE (Respite counts its own
structures) and DEBUG OBJECT (absent); PTTL inside EXEC after time
passed (Redis's reads the moving clock); and whatever comes in hash
order on Redis (RANDOMKEY, SCAN and KEYS with several keys, SORT of a
set by a missing pattern).

Usage: diff_lazy.py [--sample N] [--seed S] [-k substring] [--resp 2|3|both]
                    [--quiet]
--sample N runs N scenarios drawn by the seed (make test's share), each in
one protocol; without it every scenario runs in both. A failure prints
the scenario's name: -k NAME runs it again. Exit status 1 when any
scenario differed. Prints "RESULT <passed> <failed>" last, as the other
suites do.
"""

import argparse
import collections
import os
import random
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness as h  # noqa: E402
import compat  # noqa: E402

MARKER = b"diff-lazy-marker"
FLAGS = "KEAnm"
STATS = (b"keyspace_hits", b"keyspace_misses", b"expired_keys",
         b"evicted_keys")
# Replies in hash order on Redis: compared as sorted lists of elements.
UNORDERED = {b"SUNION", b"SDIFF", b"SINTER", b"SMEMBERS", b"KEYS"}
# Commands that walk the keyspace in hash order, expiring what they meet:
# the scenario's events are compared as a multiset.
WALKERS = ("SCAN", "KEYS", "RANDOMKEY")

# Two keys of each type, each past its time after the SLEEP.
EXPIRED = {
    "string": ["SET k v PX 3", "SET k2 w PX 3"],
    "list": ["RPUSH k a b", "PEXPIRE k 3", "RPUSH k2 a", "PEXPIRE k2 3"],
    "set": ["SADD k a b", "PEXPIRE k 3", "SADD k2 a", "PEXPIRE k2 3"],
    "zset": ["ZADD k 1 a 2 b", "PEXPIRE k 3", "ZADD k2 1 a",
             "PEXPIRE k2 3"],
    "hash": ["HSET k f v", "PEXPIRE k 3", "HSET k2 f v", "PEXPIRE k2 3"],
    "stream": ["XADD k 1-1 f v", "XGROUP CREATE k g 0", "PEXPIRE k 3",
               "XADD k2 1-1 f v", "PEXPIRE k2 3"],
}
# A live key s of the same type, for TARGET.
LIVE = {
    "string": ["SET s 1"], "list": ["RPUSH s a c"], "set": ["SADD s a c"],
    "zset": ["ZADD s 1 a 3 c"], "hash": ["HSET s f v"],
    "stream": ["XADD s 1-1 f v"],
}
SLEEP = "SLEEP 10"
LIBRARY = ("FUNCTION LOAD \"#!lua name=l\\nredis.register_function('f', "
           "function(k) return redis.call('type', k[1]) end)\"")

# One command on the expired key k (and k2), alone.
ACCESS = """
GET k|TYPE k|EXISTS k k2 k|TTL k|PTTL k|EXPIRETIME k|PEXPIRETIME k|STRLEN k
DUMP k|OBJECT ENCODING k|OBJECT IDLETIME k|OBJECT REFCOUNT k|OBJECT FREQ k
TOUCH k k2|DEL k|UNLINK k k2|RENAME k d|RENAMENX k d|COPY k d
COPY k d REPLACE|COPY k d DB 1|MOVE k 1|SORT k|SORT_RO k|SORT k BY nosort
SORT k STORE d|SORT k ALPHA STORE d|SCAN 0|SCAN 0 TYPE string|KEYS *
RANDOMKEY|DBSIZE|MGET k x k2|MSETNX k v|SETNX k v|SET k v NX|SET k v XX
SET k v GET|GETSET k v|GETDEL k|GETEX k|GETEX k PERSIST|GETEX k EX 100
SET k v|SET k v KEEPTTL|SETEX k 100 v|MSET k v|DEL k d
PERSIST k|EXPIRE k 100|EXPIRE k 100 XX|EXPIRE k 100 NX|EXPIRE k -1
PEXPIREAT k 1|APPEND k x|INCR k|INCRBYFLOAT k 1|SETRANGE k 0 x
GETRANGE k 0 -1|SUBSTR k 0 -1|LPUSH k x|LPUSHX k x|RPUSHX k x
RPOPLPUSH k d|LMOVE k d LEFT LEFT|LPOP k|RPOP k 2|LINDEX k 0|LRANGE k 0 -1
LPOS k a|LPOS k a RANK 1|LSET k 0 x|LINSERT k BEFORE a x|LREM k 0 a
LTRIM k 0 0|LMPOP 2 k k2 LEFT|LLEN k|SCARD k|ZCARD k|HLEN k|XLEN k
SADD k x|SREM k a|SMEMBERS k|SISMEMBER k a|SMISMEMBER k a|SPOP k
SRANDMEMBER k|SMOVE k d a|SINTERCARD 1 k|SINTER k|SUNIONSTORE d k
SINTERSTORE d k|SDIFFSTORE d k|SDIFF k|ZADD k 1 x|ZSCORE k a
ZRANGE k 0 -1|ZRANGESTORE d k 0 -1|ZUNIONSTORE d 1 k|ZINTERSTORE d 1 k
ZPOPMIN k|ZMPOP 2 k k2 MIN|ZRANDMEMBER k|ZINCRBY k 1 a|ZRANK k a
ZCOUNT k -inf +inf|ZLEXCOUNT k - +|ZMSCORE k a|ZUNION 1 k|ZINTERCARD 1 k
HSET k f v|HGET k f|HGETALL k|HINCRBY k f 1|HINCRBYFLOAT k f 1|HSETNX k f v
HDEL k f|HEXISTS k f|HRANDFIELD k|HSTRLEN k f|HMGET k f|HKEYS k
HSCAN k 0|SSCAN k 0|ZSCAN k 0|XADD k 2-1 f v|XADD k NOMKSTREAM 2-1 f v
XGROUP CREATE k g2 $|XGROUP CREATE k g2 $ MKSTREAM|XTRIM k MAXLEN 0
XDEL k 1-1|XACK k g 1-1|XCLAIM k g c 0 1-1|XAUTOCLAIM k g c 0 0
XPENDING k g|XSETID k 5-5|XRANGE k - +|XREVRANGE k + -|XINFO STREAM k
XINFO GROUPS k|XGROUP CREATECONSUMER k g c2|XGROUP DESTROY k g
XREAD STREAMS k 0|XREAD COUNT 1 BLOCK 10 STREAMS k 0
XREAD COUNT 1 BLOCK 10 STREAMS k $|XREADGROUP GROUP g c STREAMS k >
XREADGROUP GROUP g c BLOCK 10 STREAMS k >|BLPOP k k2 0.01|BRPOP k 0.01
BZPOPMIN k 0.01|BLMOVE k d LEFT LEFT 0.01|BLMPOP 0.01 2 k k2 LEFT
BZMPOP 0.01 1 k MIN|PFADD k a|PFCOUNT k|PFMERGE k|PFMERGE d k|BITCOUNT k
BITOP AND d k|BITOP NOT d k|SETBIT k 1 1|GETBIT k 1|BITFIELD k GET u8 0
BITFIELD_RO k GET u8 0|BITPOS k 1|LCS k k2|GEOADD k 1 1 a|GEOPOS k a
GEODIST k a b|GEOSEARCH k FROMLONLAT 0 0 BYRADIUS 10 km|GEOHASH k a
GEOSEARCHSTORE d k FROMLONLAT 0 0 BYRADIUS 10 km|GEORADIUS k 0 0 10 km
EVAL "return redis.call('get', KEYS[1])" 1 k
EVAL "return redis.call('exists', KEYS[1])" 1 k
EVAL "return redis.pcall('lpush', KEYS[1], 'x')" 1 k
EVAL_RO "return redis.call('type', KEYS[1])" 1 k
FCALL f 1 k|FCALL_RO f 1 k2|HINCRBY k2 f 1
MULTI,GET k,TYPE k2,SET k x,EXEC
WATCH k,MULTI,GET k,EXEC
WATCH k,DBSIZE,GET k,DBSIZE,MULTI,PING,EXEC
SELECT 1,SET k z,SELECT 0,MOVE k 1,SELECT 1,TYPE k,SELECT 0
"""

# A write from the live key s onto the expired k (k2 expired too).
TARGET = """
RENAME s k|RENAMENX s k|COPY s k|COPY s k REPLACE|SMOVE s k a
LMOVE s k LEFT RIGHT|RPOPLPUSH s k|SORT s STORE k|SORT s ALPHA STORE k
SINTERSTORE k s|SUNIONSTORE k s k2|SDIFFSTORE k s k2|ZUNIONSTORE k 2 s k2
ZINTERSTORE k 1 s|ZRANGESTORE k s 0 -1|ZDIFFSTORE k 1 s|BITOP OR k s k2
PFMERGE k s|GEOSEARCHSTORE k s FROMLONLAT 0 0 BYRADIUS 20000 km
SINTERSTORE k nokey|SUNIONSTORE k nokey|ZUNIONSTORE k 1 nokey|BITOP OR k nokey
ZRANGESTORE k nokey 0 -1|SORT nokey STORE k|ZDIFFSTORE k 1 nokey
GEOSEARCHSTORE k nokey FROMLONLAT 0 0 BYRADIUS 1 km
SORT s BY k GET k|SORT s BY nosort GET k GET k2|SORT_RO s GET k
MGET k s k2|EXISTS k s k2 k|DEL k s k2|UNLINK k2 k|TOUCH k s k2
MSET k 1 k2 2|MSETNX k 1 k2 2|MSETNX k 1 s 2|SUNION k s k2|SINTER s k
SDIFF s k|SINTERCARD 2 s k|ZUNION 2 s k|ZINTER 2 s k|ZDIFF 2 s k|LCS s k
BLPOP k k2 s 0.01|BZPOPMIN k k2 s 0.01|BLMPOP 0.01 3 k k2 s LEFT
LMPOP 3 k k2 s LEFT|ZMPOP 3 k k2 s MAX|BLMOVE k s LEFT LEFT 0.01
BLMOVE s k LEFT LEFT 0.01|XREAD STREAMS k s 0 0
EVAL "redis.call('exists', KEYS[1]); redis.call('type', KEYS[2]); return redis.call('exists', KEYS[3])" 3 k k2 s
EVAL "return redis.pcall('set', KEYS[1], 'x', 'GET')" 1 k
EVAL "return redis.pcall('incr', KEYS[1])" 1 k2
EXPIRE s -1|PEXPIREAT s 1|EXPIREAT s 100|EXPIRE s 100 GT|SET s x EX 100
GETEX s EXAT 1|GETEX s PXAT 1|GETEX s EX 0|GETEX s PERSIST|GETEX s PX 100
GETDEL s|PERSIST s|SET k x GET|SET k x NX GET|SET k x XX GET
SET k x KEEPTTL|SET k x KEEPTTL GET|SETRANGE k 5 x|APPEND k2 y|INCRBY k2 5
DECR k|SETNX k y|PSETEX k 100 z|DBSIZE|OBJECT ENCODING k|DUMP k
RESTORE k 0 "\\x00\\x01x\\n\\x00\\xdf\\x8b\\xa6\\xf1\\xd4\\xee\\x8c\\xef"
RESTORE k 0 "\\x00\\x01x\\n\\x00\\xdf\\x8b\\xa6\\xf1\\xd4\\xee\\x8c\\xef" REPLACE
RESTORE k 1 "\\x00\\x01x\\n\\x00\\xdf\\x8b\\xa6\\xf1\\xd4\\xee\\x8c\\xef" ABSTTL REPLACE
MULTI,GET k,GET k,TYPE k2,EXISTS s,EXEC
MULTI,SET k x,GET k2,EXEC
SELECT 1,SET k z,SELECT 0,MOVE s 1,SELECT 1,GET k,SELECT 0
SELECT 1,SET k z PX 3,SELECT 0,SLEEP 10,MOVE s 1,SELECT 1,GET k,SELECT 0
SELECT 1,SET s z PX 3,SELECT 0,SLEEP 10,MOVE s 1,SELECT 1,TYPE s,SELECT 0
SELECT 1,SET s z PX 3,SELECT 0,SLEEP 10,COPY s s DB 1,SELECT 1,TYPE s,SELECT 0
SELECT 1,SET k z PX 3,SELECT 0,SLEEP 10,SWAPDB 0 1,GET k,SELECT 1,GET k
FLUSHDB,DBSIZE|FLUSHALL,DBSIZE|SWAPDB 0 1,DBSIZE,SELECT 1,DBSIZE,SELECT 0
DEBUG RELOAD,DBSIZE|DEBUG POPULATE 3 k,DBSIZE
"""

# WATCH (main connection) of expired keys, then another connection.
WATCHES = """
WATCH k,MULTI,GET k,EXEC|WATCH k,DBSIZE,MULTI,EXEC
WATCH k,@2 SET k 1,MULTI,EXEC
WATCH k,@2 FLUSHDB,MULTI,EXEC|WATCH k,@2 SWAPDB 0 1,MULTI,EXEC
WATCH k,@2 SINTERSTORE k s,MULTI,EXEC|WATCH s,@2 SINTERSTORE k s,MULTI,EXEC
WATCH k k2,@2 GET k,MULTI,GET k2,EXEC|WATCH k,@2 DEBUG RELOAD,MULTI,EXEC
WATCH s,@2 DEBUG RELOAD,MULTI,EXEC|WATCH k,@2 RENAME s k,MULTI,EXEC
WATCH k,@2 MOVE k 1,MULTI,EXEC|WATCH k,@2 EXPIRE k 100,MULTI,EXEC
WATCH k,@2 PERSIST k,MULTI,EXEC|WATCH k,@2 DEBUG POPULATE 2 k,MULTI,EXEC
SET w 1 PX 100,WATCH w,SLEEP 150,MULTI,PING,EXEC,DBSIZE,GET w
SET w 1 PX 100,WATCH w,SLEEP 150,@2 FLUSHDB,MULTI,PING,EXEC
SET w 1 PX 100,WATCH w,SLEEP 150,@2 GET w,MULTI,PING,EXEC
SET w 1 PX 100,WATCH w,SLEEP 150,@2 SWAPDB 0 1,MULTI,PING,EXEC
SET w 1 PX 100,WATCH w,MULTI,DEBUG SLEEP 0.15,GET w,EXEC,GET w
SELECT 1,SET k 1 PX 3,SELECT 0,SLEEP 10,WATCH k,@2 SWAPDB 0 1,MULTI,EXEC
"""

# Whole sequences: TTLs set, kept, overwritten and passed, writes that
# delete (a time in the past), lookups that count hits and misses, and
# scripts, whose clock stands still while they run.
BUSY = ("local t = redis.call('time') "
        "local s = t[1] * 1000000 + t[2] repeat t = redis.call('time') "
        "until t[1] * 1000000 + t[2] > s + 200000 ")
MISC = [
    ("ttl: SET EX then overwritten, KEEPTTL, APPEND, INCR",
     ["SET k v EX 100", "SET k w", "TTL k", "SET k v EX 100",
      "SET k w KEEPTTL", "TTL k", "APPEND k x", "TTL k", "INCR n",
      "EXPIRE n 100", "INCR n", "TTL n", "SET n 5 PX 3", SLEEP, "INCR n",
      "TTL n"]),
    ("ttl: GETEX and GETDEL",
     ["SET k v", "GETEX k EX 100", "GETEX k PERSIST", "GETEX k PX 100",
      "GETEX k EXAT 99999999999", "GETEX k PXAT 1", "EXISTS k", "SET k v",
      "GETEX k EX 0", "GETEX k PX -1", "GETEX k EXAT 0",
      "GETEX k EX 100 PX 100", "GETDEL k", "GETDEL k", "GETEX nosuch EX 1"]),
    ("ttl: PERSIST",
     ["SET k v EX 100", "PERSIST k", "PERSIST k", "PERSIST nosuch",
      "SET k v PX 3", SLEEP, "PERSIST k"]),
    ("ttl: the EXPIRE family, past times delete",
     ["SET k v", "EXPIRE k 100 NX", "EXPIRE k 50 GT", "EXPIRE k 50 LT",
      "EXPIRE k 200 XX", "EXPIRE k 0", "EXISTS k", "SET k v",
      "PEXPIREAT k 0", "SET k v", "EXPIREAT k -5", "SET k v",
      "EXPIRE k -1 NX", "SET k v EX 10", "EXPIRE k -1 GT", "EXPIRE k -1 LT",
      "EXISTS k", "SET k v EXAT 1", "DBSIZE", "GET k", "DBSIZE"]),
    ("ttl: RENAME onto keys with and past a TTL",
     ["SET a 1", "SET b 2 EX 100", "RENAME a b", "TTL b", "SET a 1 EX 50",
      "RENAME a b", "TTL b", "SET c 3 PX 3", SLEEP, "RENAME b c", "TTL c",
      "RENAMENX c d", "SET e 1 PX 3", SLEEP, "RENAMENX d e", "GET e"]),
    ("ttl: COPY and MOVE onto keys past a TTL",
     ["SET a 1 EX 100", "SET b 2 PX 3", SLEEP, "COPY a b", "TTL b",
      "SET c 3 PX 3", SLEEP, "COPY a c REPLACE", "TTL c", "COPY a b REPLACE",
      "COPY a b", "SELECT 1", "SET a 2 PX 3", "SELECT 0", SLEEP, "MOVE a 1",
      "SELECT 1", "TTL a", "SELECT 0"]),
    ("hits and misses of every kind of lookup",
     ["SET a 1", "MGET a b c", "EXISTS a b", "TOUCH a b", "TYPE b", "TTL b",
      "STRLEN b", "GETRANGE b 0 1", "SUBSTR a 0 1", "GETBIT b 1",
      "BITCOUNT b", "BITPOS b 1", "HGET b f", "LRANGE b 0 1", "LINDEX a 0",
      "SISMEMBER b x", "ZSCORE b x", "XRANGE b - +", "PFCOUNT b",
      "GEOPOS b x", "DUMP b", "OBJECT ENCODING b", "SORT b", "SINTER a b",
      "SINTERSTORE d a b", "ZUNIONSTORE d 2 a b", "LCS a b",
      "EVAL \"return redis.call('get', 'zz')\" 0", "SCAN 0", "KEYS *"]),
    ("script: a key set in the script does not pass its time there",
     ["EVAL \"redis.call('set', 'k', 'v', 'px', '5') " + BUSY +
      "return redis.call('get', 'k')\" 0", "GET k"]),
    ("script: a key that passes its time while the script runs",
     ["SET k v PX 100", "EVAL \"" + BUSY + "return {redis.call('get', 'k'), "
      "redis.call('exists', 'k')}\" 0", "GET k"]),
    ("MULTI: the clock stands still for reads",
     ["MULTI", "SET k v PX 5", "DEBUG SLEEP 0.02", "GET k", "EXISTS k",
      "EXEC", "GET k"]),
]

# Another connection's write onto the expired k that WATCH saw past its
# time: a new value aborts EXEC, a deletion does not.
WATCH_WRITES = """
MSET k 1|SETEX k 100 v|SORT s STORE k|SINTERSTORE k s|COPY s k|COPY s k REPLACE
LPUSH k x|SADD k x|ZADD k 1 x|HSET k f v|XADD k 5-1 f v|INCR k|APPEND k x
SETRANGE k 0 x|PFADD k a|SETBIT k 1 1|GEOADD k 1 1 a|LMOVE s k LEFT LEFT
SMOVE s k a|BITOP OR k s|ZUNIONSTORE k 1 s|ZRANGESTORE k s 0 -1|RENAMENX s k
SET k v NX|MSETNX k 1|SETNX k 1|GETSET k 1|PSETEX k 100 v|INCRBYFLOAT k 1
HINCRBY k f 1|ZINCRBY k 1 a|LPUSHX k x|XGROUP CREATE k g $ MKSTREAM
BITFIELD k SET u8 0 1|SUNIONSTORE k s|SDIFFSTORE k s|ZINTERSTORE k 1 s
ZDIFFSTORE k 1 s|PFMERGE k|DEL k|UNLINK k|EXPIRE k 100|PERSIST k|GETDEL k
GETEX k PERSIST|SET k v XX|HSETNX k f v|LINSERT k BEFORE a x|SREM k a
ZREM k a|HDEL k f|XDEL k 1-1|XTRIM k MAXLEN 0
"""

POLICIES = ["volatile-ttl", "volatile-lru", "volatile-lfu", "volatile-random",
            "allkeys-lru", "allkeys-random", "allkeys-lfu", "noeviction"]
EVICT_AFTER = [[], ["GET k"], ["SET n 1"],
               ["MULTI", "GET k", "SET n 1", "EXEC"],
               ["EVAL \"return redis.call('get', KEYS[1])\" 1 k"], ["DEL s"]]

SWEEP = [
    ("sweep: several databases",
     ["SET a 1 PX 20", "RPUSH b x", "PEXPIRE b 20", "SELECT 1", "SADD c x",
      "PEXPIRE c 20", "SELECT 5", "HSET d f v", "PEXPIRE d 20", "SELECT 0",
      "SLEEP 400", "DBSIZE", "SELECT 1", "DBSIZE", "SELECT 0"]),
    ("sweep: many keys",
     ["DEBUG POPULATE 200 key 5",
      "EVAL \"for i=0,199 do redis.call('pexpire', 'key:'..i, 20) end\" 0",
      "SLEEP 600", "DBSIZE"]),
    ("sweep: a watched key",
     ["SET a 1 PX 100", "WATCH a", "SLEEP 500", "MULTI", "PING", "EXEC"]),
    ("sweep: a key past its time at WATCH",
     ["SET a 1 PX 5", "SLEEP 20", "WATCH a", "SLEEP 400", "MULTI", "PING",
      "EXEC", "DBSIZE"]),
]


def lines(text, sep="|"):
    """The scenarios of a table above: one per sep-separated item, each a
    list of commands separated by commas (no comma in any argument)."""
    out = []
    for line in text.strip().split("\n"):
        items = [line] if line.startswith(("EVAL", "RESTORE")) \
            else line.split(sep)
        out += [item.split(",") if not item.startswith(("EVAL", "RESTORE"))
                else [item] for item in items]
    return out


def scenarios():
    """(name, commands, sweeper on, events as a multiset) for each."""
    out = []
    for t, setup in EXPIRED.items():
        for acc in lines(ACCESS):
            pre = [LIBRARY] if acc[0].startswith("FCALL") else []
            out.append(("%s: %s" % (t, " / ".join(acc)),
                        pre + setup + [SLEEP] + acc, False,
                        acc[0].startswith(WALKERS)))
        for acc in lines(TARGET):
            out.append(("%s onto: %s" % (t, " / ".join(acc)),
                        LIVE[t] + setup + [SLEEP] + acc, False, False))
        for acc in lines(WATCHES):
            out.append(("%s watched: %s" % (t, " / ".join(acc)),
                        LIVE[t] + setup + [SLEEP] + acc, False, False))
        for acc in lines(WATCH_WRITES):
            out.append(("%s watched, written: %s" % (t, acc[0]),
                        LIVE[t] + setup + [SLEEP, "WATCH k", "@2 " + acc[0],
                                           "MULTI", "PING", "EXEC"],
                        False, False))
    for pol in POLICIES:
        for extra in EVICT_AFTER:
            out.append(("evict %s: %s" % (pol, " / ".join(extra)),
                        ["CONFIG SET maxmemory-eviction-tenacity 100",
                         "SET s 1", "SET k v PX 3", "RPUSH l a",
                         "PEXPIRE l 3", "SET v 1 EX 100", SLEEP,
                         "CONFIG SET maxmemory-policy " + pol,
                         "CONFIG SET maxmemory 1"] + extra +
                        ["CONFIG SET maxmemory 0",
                         "CONFIG SET maxmemory-policy noeviction",
                         "CONFIG SET maxmemory-eviction-tenacity 10",
                         "DBSIZE", "EXISTS s k l v n"], False, True))
    out += [(name, cmds, False, False) for name, cmds in MISC]
    out += [(name, cmds, True, True) for name, cmds in SWEEP]
    return out


class Side:
    """One server: an admin connection (RESP2), the main one and a second
    one, and a subscriber (both in the scenario's protocol)."""

    def __init__(self, server):
        self.server = server
        self.conns = {}

    def open(self, proto, sweeper):
        self.close()
        admin = h.Conn(self.server.port, timeout=compat.REPLY_TIMEOUT)
        self.conns["admin"] = admin
        for args in (["FLUSHALL"], ["FUNCTION", "FLUSH"],
                     ["CONFIG", "SET", "notify-keyspace-events", FLAGS],
                     ["DEBUG", "SET-ACTIVE-EXPIRE", "1" if sweeper else "0"],
                     ["CONFIG", "RESETSTAT"], ["SAVE"]):
            rep = admin.call(*args)
            if rep != b"+OK\r\n":
                raise h.ServerError("%s replied %r" % (args, rep))
        for name in ("main", "second", "sub"):
            c = h.Conn(self.server.port, timeout=compat.REPLY_TIMEOUT)
            self.conns[name] = c
            if proto == 3 and name != "second":
                c.call("HELLO", "3")
        sub = self.conns["sub"]
        sub.send(h.encode("SUBSCRIBE", MARKER) +
                 h.encode("PSUBSCRIBE", "__key*__:*"))
        sub.read_n(2)
        self.dirty = self.changes()

    def changes(self):
        """INFO's rdb_changes_since_last_save (0 after open's SAVE, so a
        DEBUG RELOAD's save compares too)."""
        info = h.parse(self.conns["admin"].call("INFO", "persistence"))
        for line in info.split(b"\r\n"):
            if line.startswith(b"rdb_changes_since_last_save:"):
                return int(line.split(b":")[1])
        return None

    def close(self):
        for c in self.conns.values():
            c.close()
        self.conns = {}

    def finish(self):
        """The events since open (each as 'channel message'), INFO's
        counters, and the server set back: sweeper on, no events."""
        admin = self.conns["admin"]
        admin.call("PUBLISH", MARKER, "end")
        events = []
        while True:
            msg = h.parse(self.conns["sub"].read_raw())
            if msg[1:] == [MARKER, b"end"]:
                break
            events.append(b" ".join(msg[-2:]))
        stats = {}
        for line in h.parse(admin.call("INFO", "stats")).split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name in STATS:
                stats[name] = value
        stats[b"changes"] = self.changes() - self.dirty
        admin.call("DEBUG", "SET-ACTIVE-EXPIRE", "1")
        admin.call("CONFIG", "SET", "notify-keyspace-events", "")
        self.close()
        return events, stats


def run(sides, proto, commands, sweeper, multiset):
    """One scenario on both sides; the differences found, as text."""
    for side in sides:
        side.open(proto, sweeper)
    diffs = []
    for text in commands:
        if text.startswith("SLEEP "):
            time.sleep(int(text.split()[1]) / 1000.0)
            continue
        conn = "main"
        if text.startswith("@2 "):
            conn, text = "second", text[3:]
        data = h.encode(*compat.split_args(text))
        for side in sides:             # both at once: the same time passes
            side.conns[conn].send(data)
        a, b = (side.conns[conn].read_raw() for side in sides)
        args = compat.split_args(text)
        b = compat.as_7_0(args, b)
        if args[0].upper() in UNORDERED:
            a, b = compat.sorted_elements(a), compat.sorted_elements(b)
        if a != b:
            diffs.append("  %s\n    redis:   %s\n    respite: %s" % (
                text, compat.clip(a), compat.clip(b)))
    (ea, sa), (eb, sb) = (side.finish() for side in sides)
    if multiset:
        ea, eb = sorted(ea), sorted(eb)
    if ea != eb:
        n = 0
        while n < min(len(ea), len(eb)) and ea[n] == eb[n]:
            n += 1
        diffs.append("  events, after %d the same:\n    redis:   %s\n"
                     "    respite: %s" % (n, compat.clip(b" | ".join(ea[n:])),
                                         compat.clip(b" | ".join(eb[n:]))))
    if sa != sb:
        diffs.append("  INFO stats\n    redis:   %s\n    respite: %s" % (
            sorted(sa.items()), sorted(sb.items())))
    return diffs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sample", type=int, default=0,
                    help="run this many scenarios drawn by --seed, each in "
                    "one protocol (default: all, in both)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-k", help="only scenarios whose name contains this")
    ap.add_argument("--resp", choices=["2", "3", "both"], default="both")
    ap.add_argument("--quiet", action="store_true")
    opts = ap.parse_args()
    todo = scenarios()
    if opts.k:
        todo = [s for s in todo if opts.k.lower() in s[0].lower()]
    rng = random.Random(opts.seed)
    runs = []
    if opts.sample:
        for s in rng.sample(todo, min(opts.sample, len(todo))):
            runs.append((s, rng.choice([2, 3]) if opts.resp == "both"
                         else int(opts.resp)))
    else:
        protos = [2, 3] if opts.resp == "both" else [int(opts.resp)]
        runs = [(s, p) for s in todo for p in protos]
    ref_server, sut_server = compat.start_pair("diff_lazy")
    sides = (Side(ref_server), Side(sut_server))
    passed = failed = 0
    try:
        for (name, commands, sweeper, multiset), proto in runs:
            label = "%s [resp%d]" % (name, proto)
            try:
                diffs = run(sides, proto, commands, sweeper, multiset)
            except (OSError, h.ServerError, h.ProtocolError) as e:
                diffs = ["  %s: %s" % (type(e).__name__, e)]
            if diffs:
                failed += 1
                print("FAIL %s\n%s\n  replay: diff_lazy.py -k %r --resp %d"
                      % (label, "\n".join(diffs), name, proto), flush=True)
            else:
                passed += 1
                if not opts.quiet:
                    print("ok  " + label, flush=True)
            if sut_server.proc.poll() is not None:
                print("respite exited:\n" + sut_server.log_tail())
                failed += 1
                break
    finally:
        for side in sides:
            side.close()
        failed += compat.stop_pair(ref_server, sut_server)
    print("RESULT %d %d" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
