#!/usr/bin/python3
"""differential.py - random command sequences on redis-server and Respite,
reply bytes compared.

cases.txt holds the edge cases someone thought of; this finds the ones
nobody did. It starts Debian's redis-server ($REDIS_REF_BIN) and Respite
($RESPITE_BIN) like compat.py, then sends both the same random commands
over a handful of keys shared by every type (so WRONGTYPE, empty keys and
type changes come up all the time), with arguments drawn from small pools
that mix valid values with the awkward ones (signs, overflow, floats,
"inf", empty strings). Every reply is compared byte for byte,
except where Redis itself leaves the answer open:

    sorted   unordered collections (SMEMBERS, HGETALL, ...): elements
             (or field-value pairs) compared as sorted lists
    shape    random picks (SRANDMEMBER with a negative count, ...)
    ttl      remaining times and expiry times, equal within 2 s (a second
             can tick between the two servers' calls) or TTL_MARGIN_MS;
             DBSIZE within 2, since an expired key counts until swept
    xinfo    XINFO's times (a consumer's idle, a PEL entry's delivery
             time) by sign only, the rest byte for byte (xinfo_times)

and lex range commands go only to sorted sets whose members share one
score, the case Redis defines (see equal_scores). Three more modes take
a request or two of their own on both sides (so never in a pipeline or
a transaction):

    sort     SORT/SORT_RO fitted to its key's type first (sort_fit)
             where README documents the order as each server's own (a
             set's members, ties of ALPHA BY values)
    encoding OBJECT ENCODING/REFCOUNT/IDLETIME, where README documents
             Respite's answers: strings encoded by content, small sets
             of strings listpack, shared integers (encoding_fit)
    expire   a TTL of 4 ms, 12 ms of pause, then a command of the new
             families (GEO, HyperLogLog, SORT, LCS, OBJECT) that looks
             the key up: its lazy expiry (expire_touch)

Scripts (EVAL, EVAL_RO, EVALSHA of a body the round sent or of an
unknown sha, SCRIPT LOAD) run one or two of the exactly compared
commands by redis.call or redis.pcall, keys as KEYS and the rest as ARGV,
and return what they got, pcall's error table, a reply of their own or
raise (script_body); one in ten has a shebang with flags (no-writes,
allow-oom, none, a bad one), which decide what runs over maxmemory.

Functions: FUNCTION LOAD [REPLACE] of libraries lib0..lib2, each
registering one or two functions (positional or named, with and without
flags such as no-writes and allow-oom) whose callbacks run commands as
scripts do, keys and args their arguments, and now and then broken in
one of the ways Redis checks (shebang, engine, names, flags, duplicate,
none registered, compile and load errors); FCALL and FCALL_RO of them
(their keys, a wrong number now and then) or of unknown ones; FUNCTION
LIST (libraries, and each one's functions, sorted: hash order on Redis),
DELETE, STATS, FLUSH; and FUNCTION DUMP, compared when it holds one
library at most, then FUNCTION RESTORE with a policy of a payload the
reference dumped this round, or of a broken one (function_dump). Which
library or function a load of several finds already there is left open
(collisions_fit). Rounds start with FUNCTION FLUSH and SCRIPT FLUSH
(FLUSHALL keeps libraries and scripts: an EVALSHA of a body whose EVAL
failed this round would find an earlier round's script on Redis 7.0,
which keeps all of them, and not on Respite, which keeps EVAL's last
500 as README says) and the dumps compare FUNCTION LIST WITHCODE too.

Transactions (a few a round, never pipelined) may WATCH a key or two and
touch them on the same connection first, and queue blocking commands
with no timeout (BLPOP ... 0, XREAD BLOCK 0 ...: at once inside MULTI),
unknown commands, wrong arities, nested MULTI and WATCH (EXECABORT)
besides the exact commands; scripts and functions run such blocking
commands too (blocking_script).

Keys g0..g2 are for GEO and p0..p2 for HyperLogLog values, which the
generator also breaks by hand (hll_value) in the ways Redis checks.

Every CHECK_EVERY commands the whole keyspace is dumped on both (type,
content, TTL, more below) and compared, so a write that replied right
but stored wrong is caught too. A run is a number of rounds, each from
FLUSHALL, each a seeded sequence: a mismatch prints the round's seed and
protocol and its last 40 commands; `--seed S --rounds 1 --resp N`
replays it. A round stops at its first mismatch (the two states may
have diverged). A few commands a round lose their last arguments, for
the arity errors; some rounds send commands in pipelines of 2 to 16, in
one write, some set the compact encodings' limits (CONFIG SET) to a
few entries, and some draw their members from integers (INT_MEMBERS).

Keyspace notifications: NOTIFY_SHARE (--notify-share) of the rounds
(drawn from a generator of their own, so a seed sends the same commands
either way)
set notify-keyspace-events to one of NOTIFY_FLAGS on both (the CONFIG GET
after it compared too) and open a subscriber on each, in the round's
protocol, to __key*__:* (every database) and a marker channel. Every
--notify-every commands (CHECK_EVERY by default; 1 finds the command) a
PUBLISH of a new marker goes down the main connection, and the subscriber
is read up to it: a server runs one command at a time, so everything the
commands before it published is ahead of it, in order. The two sequences
of messages are compared byte for byte, in order (within a command, as
"new" before "set", and across commands), except what Redis itself
leaves to timing:

    expired  a key past its time goes when a command touches it or when
             the sweeper (hz 10) samples it, whichever comes first, so
             its "expired" may fall in another window or at another
             place in the sequence (for a key in the database the dumps
             do not read, any time). Expired messages are set aside and
             compared as a multiset over the round; if that differs,
             after 300 ms and a TYPE of every key in both databases, so
             each key past its time is gone on both either way. The
             messages a command publishes after touching such a key
             ("new", "keymiss") are the same either way, and compared.
    keymiss  of SCAN with TYPE: Redis looks up each key it returns to
             read its type, so a key past its time and not swept yet
             publishes expired then keymiss, a swept one nothing. In the
             SCAN's own window keymiss is left out of the comparison and,
             with x and m both on, each side must publish one keymiss per
             key it expired there, as Redis does.
    evicted  only after the limit of an allkeys-random round (below):
             set aside with the expired ones, each counted as the
             expired message of its key. Elsewhere none expected, and
             one would be a difference like any other.

Out of memory: OOM_SHARE of the rounds (drawn from a generator of their
own too, so a seed sends the same commands either way) set, after a
random 1/3 to 2/3 of their commands, maxmemory-policy and then maxmemory
1 on both, replies compared. Used memory is then above the limit on both
for the rest of the round whatever the commands do, so each command
flagged denyoom (a subcommand: its own flag, as XGROUP CREATE) is
refused with -OOM and every other one runs, and inside MULTI everything
but EXEC and DISCARD is refused, so that EXEC aborts. That is as
deterministic as the rest: what is refused depends only on the command
and each server's table of flags, which these rounds thus compare command by
command (the checks Redis makes before the limit, arity and unknown
subcommands, still come first). OOM_IN_MULTI of these rounds wait (up to
a sixth of the round) for a transaction and set the limit from the
second connection once it has queued one or more commands, so that its
EXEC is refused (EXECABORT ... OOM) if it holds a denyoom command and
runs otherwise; in a pipelined round the limit may fall in the middle of
a pipeline. The policy is noeviction in two thirds of them, else
allkeys-random after maxmemory-eviction-tenacity 100: with no time limit
on eviction (the default 500 us could stop it half way, and let the next
denyoom command run), both servers evict every key of every database in
the CONFIG SET of maxmemory, before replying, and the rest of the round
is noeviction on an empty keyspace, since nothing is left to evict. Each
server evicts in its own random order, hence the evicted notifications
set aside and compared as a multiset; a key past its time goes by the
sweeper (expired) or by the eviction (evicted), whichever comes first on
each server, the key gone either way, hence evicted counted as expired,
and allkeys-random only in the rounds whose
flags publish both classes or neither. However the round ends (at a
difference, on an exception), maxmemory 0, noeviction and tenacity 10
are set again on both from a connection of their own. Whatever the
harness sends besides the drawn commands (the dumps' reads, INFO, the
SCAN family, PUBLISH of the marker, SELECT, TYPE, CONFIG SET, FLUSHALL,
HELLO) is not denyoom in Redis, so it works the same under the limit.

Reloads: RELOAD_SHARE of the rounds (drawn from a generator of their
own too) stop at one to RELOAD_POINTS random points, between two
commands or inside a pipeline, for DEBUG RELOAD on both (saves dump.rdb,
empties the databases and the function libraries, loads the file back),
replies compared, then go on: the dumps and every later reply check
that the load kept everything. Now and then it is DEBUG RELOAD MERGE
NOFLUSH (the file's keys and libraries replace the ones in memory), a
SAVE, a bad option, or, once the round has saved, DEBUG RELOAD NOSAVE
[MERGE NOFLUSH], which takes the keyspace back to that file (or merges
it in). Never NOFLUSH alone, on which Redis panics at a key in both, nor
NOSAVE after an allkeys-random limit (it would load keys to evict). What
Redis changes on a load, Respite must change too, and the comparisons
above already hold it: a hash or sorted set that fits the listpack
limits again is listpack, a set of integers intset, a string is
encoded by its content, as Respite's always is; idle times start again (within 2 s); keys past
their time are dropped without a notification (so in a notification
round a reload point first has every key in both databases TYPEd on
both servers, as "expired" above: each key past its time then
goes with its expired message on both, where a sweep could publish it
on one and the load drop it silently on the other); consumers keep their
seen-time and PEL entries their delivery time and count (XINFO, by
sign).

Cross-loads: CROSS_SHARE of the rounds end, after their last checks,
with DEBUG RELOAD on both (compared; each then holds its keyspace as
loaded, and its dump.rdb), a new redis-server started on Respite's file
and a new Respite on the reference's, each in a directory of its own
and with the round's encoding limits: every database of the first
dumped and compared with the reference's, of the second with
Respite's, encodings included, so each server loads what the other
wrote the way it loads its own.

Dump points: DUMP_SHARE of the rounds (a generator of their own too)
stop at one or two points for DUMP of some keys of every type on both,
payloads compared where Respite writes Redis's bytes, each RESTOREd on
both under new names (TTL, ABSTTL, REPLACE, IDLETIME, FREQ under
allkeys-lfu) and read back, broken ones restored too (diff_dump.py).

The dumps (every CHECK_EVERY commands and of a cross-load) hold, for
each key, its type, content and PTTL, a stream's XINFO STREAM FULL
(groups, consumers, PELs; times by sign) and a hash's, set's, sorted
set's or list's OBJECT ENCODING, which the encoding mode compares exactly
(a set's listpack read as hashtable, set_encoding); and
FUNCTION LIST WITHCODE.

Usage: differential.py [--seed S] [--rounds R] [--commands N]
                       [--resp 2|3|both] [--quiet]
                       [--notify-flags F,...] [--notify-every N]
                       [--notify-share F]
                       [--oom-share F] [--reload-share F]
                       [--cross-share F] [--dump-share F]
Exit status 1 when any round mismatched. Prints "RESULT <passed> <failed>"
(a round is a test) last, as the other suites do.
"""

import argparse
import collections
import hashlib
import os
import random
import re
import shutil
import socket
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness as h  # noqa: E402
import compat  # noqa: E402
import diff_dump  # noqa: E402
import payload  # noqa: E402

CHECK_EVERY = 25
TTL_MARGIN_MS = 250          # the servers run each command in turn
# string, hash, list, zset, stream, geo (a zset), HyperLogLog (a string);
# sets use "t"
FAMILIES = "shlzxgp"
KEYS = ["%s%d" % (f, i) for f in FAMILIES + "t" for i in range(3)] + ["{k}"]

INTS = ["0", "1", "2", "3", "5", "-1", "-2", "10", "100", "-100",
        "9223372036854775807", "-9223372036854775808",
        "9223372036854775808", "1.5", "abc", "", "+1", " 1", "01", "1e3"]
SMALL = ["0", "1", "2", "3", "-1", "-2", "-3", "5", "10", "-10"]
INDEXES = SMALL + ["100", "-100", "9223372036854775807",
                   "-9223372036854775808", "x"]
FLOATS = ["0", "1", "1.5", "-2.25", "3", "10", "-0", "inf", "-inf",
          "+inf", "1e308", "1e309", "nan", "abc", "", "0x10", "5.0e-1",
          "1.0000000000000002", "123456789012345678"]
VALUES = ["a", "b", "c", "x y", "", "1", "10", "-5", "3.5", "hello",
          "9223372036854775807", "a\x00b", "\xff\xfe", "longer-value-" * 3]
MEMBERS = ["a", "b", "c", "d", "e", "1", "2", "10", "-1", ""]
FIELDS = ["f1", "f2", "f3", "a", "1", ""]
# A wide round draws members and fields from a few hundred more and adds
# them a dozen times as many at once, so collections outgrow the small
# encodings (Redis's listpacks and intsets) and their conversions run.
WIDE = [False]
NARROW = (MEMBERS[:], FIELDS[:])
# An integer round (INT_SHARE of the rounds, drawn from a generator of its
# own so a seed's other draws stay the same) takes its members from
# integers of every intset width and a few texts that only look like one,
# so sets are intsets that widen, shrink and convert.
INT_SHARE = 0.25
INT_MEMBERS = ["0", "1", "2", "3", "-1", "-2", "100", "-100", "32767",
               "32768", "-32768", "-32769", "70000", "-70000", "2147483647",
               "2147483648", "-2147483649", "9223372036854775807",
               "-9223372036854775808", "123456789012", "-0", "01"]
EXTRA = [str(i) for i in range(300)] + ["m%d" % i for i in range(200)]


def pick(pool):
    return random.choice(pool)


def key(family=None):
    """Mostly a key of the command's own family, so that most commands do
    their work, sometimes any key, so that WRONGTYPE and type changes come
    up too."""
    if family is None or random.random() < 0.08:
        return pick(KEYS)
    return family + str(random.randrange(3))


def some(pool, lo=1, hi=4):
    if WIDE[0] and pool is not KEYS:
        hi *= 12
    return [pick(pool) for _ in range(random.randint(lo, hi))]


def pairs(a, b, lo=1, hi=3):
    if WIDE[0]:
        hi *= 12
    out = []
    for _ in range(random.randint(lo, hi)):
        out += [pick(a), pick(b)]
    return out


def maybe(*opts, p=0.5):
    return list(opts) if random.random() < p else []


def one_of(*choices):
    return list(random.choice(choices))


def stream_id():
    return pick(["0-1", "1-0", "1-1", "1-2", "2-0", "3-5", "5", "1-*",
                 "0-0", "-", "+", "(1-1", "(2-0", "abc", "1-18446744073709551615"])


def xread_id():
    """stream_id() for XREAD, with "$" for "+": XREAD's "+" is Redis 7.4's
    last entry, which the 7.0 reference refuses (tests/integration/
    test_v74.py checks it)."""
    i = stream_id()
    return "$" if i == "+" else i


def expire_flag(relative):
    """GT and LT only with absolute times: a relative one equal to the
    key's (EXPIRE k 100 after SET k v EX 100) is greater or not as a
    millisecond ticks between the two commands or not."""
    if relative:
        return one_of([], [], [], ["NX"], ["XX"], ["NX", "XX"], ["BAD"])
    return one_of([], [], [], [], ["NX"], ["XX"], ["GT"], ["LT"], ["NX", "XX"],
                  ["GT", "LT"], ["BAD"])


def abs_time(unit_ms, past=True):
    """An absolute time near now: the same argument goes to both. Not in
    the past (past=False) for SET, which stores such a key past its time
    where EXPIREAT deletes it: a store of an empty result over it then
    publishes del on Redis (expired if its sweeper came first), expired
    on Respite (README; seed 5022)."""
    now = int(time.time() * (1000 if unit_ms else 1))
    # Far from the relative times (100 s, 1000 s), so GT and LT against an
    # expiry set by one never depend on when it ran.
    delta = pick([-5, 300, 3000] if past else [300, 3000]) * \
        (1000 if unit_ms else 1)
    return str(now + delta)


def ttl_args(unit_ms):
    return [pick(["100", "1000", "0", "-1", "abc", "9223372036854775807"]
                 if not unit_ms else
                 ["100000", "1000000", "0", "-1", "abc"])]


BIT_OFFSETS = ["0", "1", "7", "8", "9", "15", "31", "100", "-1", "x",
               "4294967296"]


def bitfield_ops():
    """Zero to three BITFIELD subcommands, now and then a bad one."""
    out = []
    for _ in range(random.randint(0, 3)):
        op = pick(["GET", "GET", "SET", "INCRBY", "INCRBY", "OVERFLOW"])
        if op == "OVERFLOW":
            out += [op, pick(["WRAP", "SAT", "FAIL", "fail", "NONE"])]
            continue
        out += [op, pick(["u8", "i8", "u1", "i1", "u4", "i16", "i64", "u63",
                          "u64", "I8"]),
                pick(["0", "3", "#1", "#2", "40", "-1", "x"])]
        if op != "GET":
            out.append(pick(SMALL + ["200", "-200", "9223372036854775807",
                                     "-9223372036854775808", "x"]))
    return out


# GEO: coordinates near Palermo and Catania (166 km apart, so radii in m
# and km both find some and leave some out), the limits of the index and
# bad numbers; radii and counts from tiny to absurd.
GEO_LONS = ["13.361389", "15.087269", "13.5", "13.361389000000001",
            "-122.27652", "0", "-0", "180", "-180", "180.0001", "1e1", "x",
            "", "inf"]
GEO_LATS = ["38.115556", "37.502669", "38", "37.805186", "0",
            "85.05112878", "-85.05112878", "85.06", "90", "x", "nan", ""]
GEO_RADII = ["0", "1", "100", "200", "500", "1000", "200000", "-1", "x",
             "0.5", "inf", "1e9", ""]
GEO_UNITS = ["m", "km", "ft", "mi", "km", "KM", "Mi", "x", ""]
GEO_COUNTS = ["1", "2", "3", "0", "-1", "x", "100", "9223372036854775807"]


def lonlat():
    """A longitude and latitude: mostly a pair of the first four of each
    (points in Sicily, so searches find some), else mostly valid ones,
    since one bad pair fails a whole GEOADD."""
    if random.random() < 0.6:
        return [pick(GEO_LONS[:4]), pick(GEO_LATS[:4])]
    if random.random() < 0.7:
        return [pick(GEO_LONS[:8]), pick(GEO_LATS[:7])]
    return [pick(GEO_LONS), pick(GEO_LATS)]


def radius():
    return pick(GEO_RADII[:7] if random.random() < 0.85 else GEO_RADII)


def unit():
    return pick(GEO_UNITS[:5] if random.random() < 0.85 else GEO_UNITS)


def geo_members(lo=1, hi=3):
    return [pick(MEMBERS) for _ in range(random.randint(lo, hi))]


def geoadd():
    out = ["GEOADD", key("g")] + one_of(
        [], [], [], ["NX"], ["XX"], ["CH"], ["NX", "CH"], ["XX", "CH"],
        ["NX", "XX"], ["CH", "CH"], ["BOGUS"])
    n = random.randint(1, 36 if WIDE[0] else 3)
    for _ in range(n):
        out += lonlat() + [pick(MEMBERS)]
    return out


def geo_shape(search):
    """The centre and shape clauses of a GEOSEARCH, or GEORADIUS's
    positional ones (search False)."""
    if not search:
        return [radius(), unit()]
    centre = one_of(["FROMMEMBER", pick(MEMBERS)],
                    ["FROMLONLAT"] + lonlat())
    area = one_of(["BYRADIUS", radius(), unit()],
                  ["BYBOX", radius(), radius(),
                   unit()])
    return [centre, area]


def geo_options(search, store):
    """The optional clauses, in a random order (Redis parses them so),
    now and then one repeated, missing or unknown."""
    clauses = geo_shape(search) if search else []
    if random.random() < 0.6:
        clauses.append(one_of(["ASC"], ["DESC"]))
    if random.random() < 0.5:
        clauses.append(["COUNT", pick(GEO_COUNTS)] + maybe("ANY", p=0.3))
    if not store or random.random() < 0.1:
        clauses += [[w] for w in ("WITHCOORD", "WITHDIST", "WITHHASH")
                    if random.random() < 0.4]
    if store == "search" and random.random() < 0.5:
        clauses.append(["STOREDIST"])
    if store == "radius":
        clauses.append(one_of(["STORE", key("g")], ["STOREDIST", key("g")],
                              ["STORE", key("g"), "STOREDIST", key("g")]))
    if random.random() < 0.1 and clauses:
        clauses.append(pick(clauses))           # repeated
    if random.random() < 0.05:
        clauses.append([pick(["BOGUS", "ANY", "COUNT", "FROMMEMBER",
                              "BYBOX"])])
    if random.random() < 0.05 and clauses:
        clauses.pop(random.randrange(len(clauses)))
    random.shuffle(clauses)
    return [w for c in clauses for w in c]


def geosearch(store):
    if store:
        return ["GEOSEARCHSTORE", key("g"), key("g")] + geo_options(
            True, "search")
    return ["GEOSEARCH", key("g")] + geo_options(True, None)


def georadius(by_member, ro):
    name = "GEORADIUS" + ("BYMEMBER" if by_member else "") + \
        ("_RO" if ro else "")
    centre = [pick(MEMBERS)] if by_member else lonlat()
    store = "radius" if not ro and random.random() < 0.3 else None
    return [name, key("g")] + centre + geo_shape(False) + geo_options(
        False, store)


# HyperLogLog: besides the values PFADD makes, strings with its header
# that are broken in the ways Redis checks (length, encoding byte, sparse
# opcodes that do not cover exactly 16384 registers, a cached count that
# is valid or not) and plain strings. Sparse bodies never end in the
# middle of an XZERO, a documented difference (README).
HLL_XZERO_ALL = b"\x7f\xff"             # 16384 empty registers


def hll_value():
    card = pick([b"\x00" * 8, b"\x00" * 7 + b"\x80",
                 b"\x05\x00\x00\x00\x00\x00\x00\x00"])
    head = b"HYLL" + pick([b"\x01", b"\x01", b"\x00", b"\x02", b"\x09"]) \
        + b"\x00\x00\x00" + card
    body = pick([
        HLL_XZERO_ALL,
        b"\x7f\xfe" + b"\x80",                  # 16383 + a VAL of 1
        b"\x7f\xfe" + b"\x00",                  # one short
        HLL_XZERO_ALL + b"\x00",                # one too many
        b"\x00" + b"\x90" + b"\x7f\xfd",        # ZERO 1, VAL 5, XZERO
        b"\x7f\xff\x7f\xff",                    # twice the registers
        b"\xfc" * 4 + b"\x7f\xfb",              # VAL runs of 4
        b"",
        bytes(12288),                           # a dense length of zeros
        bytes(12287),
    ])
    return pick([head + body, head + body, b"HYLL", b"HYLL\x01",
                 b"hyll" + head[4:] + body, b"not an hll"])


def hll_commands():
    return [
        (3, "exact", lambda: ["PFADD", key("p")] + some(MEMBERS, 0, 4)),
        (3, "exact", lambda: ["PFCOUNT"] + [key("p") for _ in range(
            random.choice([1, 1, 1, 2, 3]))]),
        (2, "exact", lambda: ["PFMERGE", key("p")] + [key("p") for _ in range(
            random.choice([0, 1, 1, 2, 3]))]),
        (1, "exact", lambda: ["SET", key("p"), hll_value()]),
        (1, "exact", lambda: ["SETRANGE", key("p"),
                              pick(["0", "4", "5", "15", "16", "17", "18"]),
                              pick([b"\x00", b"\xff", b"\x80", b"\x7f\xff",
                                    b"A", b"\x02"])]),
        (1, "exact", lambda: ["APPEND", key("p"), pick([b"\x00", b"\x80",
                                                         b"xyz"])]),
    ]


# SORT: patterns that reach the keys of the rounds (elements "0" to "2"
# and "a" name s0, h1, ...; "#" is the element), ones that reach nothing
# or the wrong type, and broken ones.
SORT_BY = ["nosort", "s*", "s*", "h*->f1", "h*->a", "*", "nokey*", "s0",
           "s*->f1", "h*->", "*->f1", "l*", "h*->f1->x"]
SORT_GET = ["#", "#", "s*", "h*->f1", "h*->1", "nokey*", "*->", "l*",
            "s0", "h*"]


def sort_command(ro):
    clauses = []
    if random.random() < 0.5:
        clauses.append(["BY", pick(SORT_BY)])
    clauses += [["GET", pick(SORT_GET)] for _ in range(
        random.choice([0, 0, 1, 1, 2, 3]))]
    if random.random() < 0.3:
        clauses.append(["LIMIT", pick(INDEXES), pick(INDEXES)])
    if random.random() < 0.4:
        clauses.append([pick(["ASC", "DESC", "asc"])])
    if random.random() < 0.4:
        clauses.append(["ALPHA"])
    if (not ro and random.random() < 0.3) or random.random() < 0.03:
        clauses.append(["STORE", key(pick("lt"))])
    if random.random() < 0.1 and clauses:
        clauses.append(pick(clauses))           # repeated
    if random.random() < 0.05:
        clauses.append(pick([["BOGUS"], ["LIMIT", "1"], ["BY"], ["GET"],
                             ["STORE"]]))
    random.shuffle(clauses)
    return ["SORT_RO" if ro else "SORT", key(pick("ltz"))] + \
        [w for c in clauses for w in c]


def sort_fit(args, kind, keymiss=False):
    """args of a SORT fitted to the type of its key (kind, TYPE's word)
    and a compare mode: a set's (and a sorted set's) members come in each
    server's own order, so ALPHA with a BY that sorts leaves the order of
    ties open there, and no sort (BY without '*') leaves the whole order
    open without STORE (Redis sorts a set it stores); with a LIMIT that
    leaves some out, Redis's partial quicksort orders ALPHA BY ties its
    own way. All documented in README. In the members' order BY
    patterns are looked up (before sorting) and, when nothing sorts, GET
    patterns too:
    with keymiss published (keymiss), such a SORT of a set or sorted set
    loses those patterns, since the order of its keymiss events is open
    as well."""
    words = [a.upper() if isinstance(a, str) else a for a in args]
    by = [args[j + 1] for j in range(2, len(args) - 1) if words[j] == "BY"]
    sorts = all("*" in b for b in by)       # no sort is for good
    alpha, limit = "ALPHA" in words, "LIMIT" in words
    store = "STORE" in words and args[0] == "SORT"
    if keymiss and kind in ("set", "zset") and by and sorts:
        args = drop_clause(args, "BY")
        by = []
    if keymiss and kind == "set" and not sorts and not store:
        args = drop_clause(args, "GET", keep="#")
    if by and sorts and alpha:
        if kind in ("set", "zset"):
            args = [a for a in args if a != "ALPHA"]
        elif limit:
            args = drop_clause(args, "LIMIT", width=2)
    if kind == "set" and not sorts and not store:
        if limit:       # which members: open, so which GET finds a key too
            return "shape", drop_clause(args, "GET", keep="#")
        return "sorted", args
    return "exact", args


def drop_clause(args, word, keep=None, width=1):
    """args without their `word value...` clauses of width values (but
    those whose value is keep)."""
    out, j = list(args[:2]), 2
    while j < len(args):
        if args[j] == word and j + width < len(args) and \
                args[j + 1] != keep:
            j += 1 + width
            continue
        out.append(args[j])
        j += 1
    return out


def expiry_touch(name):
    """A command of the new families that looks key name up, for
    Differ.expire_touch: whatever its other arguments, none that fails
    before the lookup (a GEOADD of bad coordinates would leave the key
    for the sweeper, and a SWAPDB could then move it before it goes on
    one server and after on the other: seeds 3049 and 6006)."""
    return pick([
        ["PFADD", name] + some(MEMBERS, 0, 2), ["PFCOUNT", name, key("p")],
        ["PFMERGE", key("p"), name], ["PFMERGE", name, key("p")],
        ["GEOADD", name, pick(GEO_LONS[:4]), pick(GEO_LATS[:4]),
         pick(MEMBERS)],
        ["GEOPOS", name, pick(MEMBERS)], ["GEOHASH", name, pick(MEMBERS)],
        ["GEODIST", name, pick(MEMBERS), pick(MEMBERS)],
        ["GEOSEARCH", name, "FROMLONLAT", "13.5", "38", "BYRADIUS", "200",
         "km"],
        ["GEOSEARCHSTORE", key("g"), name, "FROMLONLAT", "13.5", "38",
         "BYBOX", "400", "400", "km"],
        ["SORT", name] + maybe("ALPHA"), ["SORT_RO", name, "BY", "nosort"],
        ["LCS", name, key("s")], ["LCS", key("s"), name, "IDX"],
        ["OBJECT", pick(["ENCODING", "REFCOUNT", "FREQ"]), name],
        ["TYPE", name],
        # a script's lookup, read-only or not
        ["EVAL", "return redis.call('EXISTS', KEYS[1])", "1", name],
        ["EVAL_RO", "return redis.pcall('TYPE', KEYS[1])", "1", name],
        ["EVAL", "#!lua flags=no-writes\nreturn redis.pcall('PTTL', "
         "KEYS[1])", "1", name]])


# LCS: strings with long common runs, besides the usual values.
LCS_VALUES = ["ohmytext", "mynewtext", "abcbdab", "bdcaba", "aaaa", "a", "",
              "ACCGGTCGAGTGCGCGGAAGCCGGCCGAA", "GTCGTTCGGAATGCCGTTGCTCTGTAAA",
              "1234", "4321", "xyzzy" * 20]


def lcs_command():
    opts = [c for c in (["LEN"], ["IDX"], ["MINMATCHLEN",
                                           pick(SMALL + ["4", "x", "100"])],
                        ["WITHMATCHLEN"]) if random.random() < 0.4]
    if random.random() < 0.08:
        opts.append(pick([["BOGUS"], ["MINMATCHLEN"], ["IDX"], ["LEN"]]))
    random.shuffle(opts)
    return ["LCS", key("s"), key("s")] + [w for c in opts for w in c]


def xinfo_command():
    """XINFO STREAM [FULL [COUNT n]], GROUPS, CONSUMERS on the streams of
    the round (any key now and then), with bad counts, unknown groups and
    subcommands; arities come from the cut of draw."""
    return pick([
        lambda: ["XINFO", "STREAM", key("x")],
        lambda: ["XINFO", "STREAM", key("x"), "FULL"]
        + maybe("COUNT", pick(["0", "1", "2", "-1", "x", "100"])),
        lambda: ["XINFO", "STREAM", key("x"), pick(["BOGUS", "full",
                                                     "COUNT"])],
        lambda: ["XINFO", "GROUPS", key("x")] + maybe("x", p=0.05),
        lambda: ["XINFO", "CONSUMERS", key("x"),
                 pick(GROUPS + ["nogroup"])] + maybe("x", p=0.05),
        lambda: ["XINFO", pick(["HELP", "help", "BOGUS", "HELP x"])],
    ])()


# Names whose value is a time: XINFO's idle (ms since the consumer was
# last seen) and Redis 7.2's seen-time/active-time/inactive.
XINFO_TIMES = {b"idle", b"inactive", b"seen-time", b"active-time"}


def xinfo_times(raw):
    """A raw XINFO reply with its times as signs only: a millisecond can
    tick between the two servers' calls, and between the two servers'
    XREADGROUPs that set a delivery time (a Unix time in ms, the only
    integers from 10^12 up in these replies; in FULL's PEL entries, by
    position, not by name). Everything else stays byte for byte."""
    out, pos, prev = [], 0, None
    while pos < len(raw):
        end = raw.index(b"\r\n", pos)
        line, pos = raw[pos:end], end + 2
        t = line[:1]
        if t and t in b"$=!" and int(line[1:]) >= 0:
            n = int(line[1:])
            prev = raw[pos:pos + n]
            out += [line, prev]
            pos += n + 2
            continue
        if t == b":" and (prev in XINFO_TIMES or
                          abs(int(line[1:])) >= 10 ** 12):
            line = b":-" if line[1:2] == b"-" else b":+"
        prev = line[1:] if t == b"+" else None
        out.append(line)
    return b"\r\n".join(out)


# Scripts: commands drawn from the exact ones, deterministic and with no
# lex ranges (whose order is defined only for equal scores), run by
# redis.call or redis.pcall with their keys as KEYS and the rest as ARGV.
SCRIPT_INNER = []
# Bodies this round's EVAL and SCRIPT LOAD sent, for EVALSHA (emptied
# at each round's start, so a seed replays alone).
SCRIPT_BODIES = []
KEY_NAMES = set(KEYS)


def script_inner():
    if not SCRIPT_INNER:
        SCRIPT_INNER.extend((w, make) for w, mode, make in commands()
                            if mode == "exact" and make is not function_load)
    while True:
        args = random.choices([m for _, m in SCRIPT_INNER],
                              [w for w, _ in SCRIPT_INNER])[0]()
        if lex_key(args) is None:
            return args


def lua_call(args, keys, argv, fn, names=("KEYS", "ARGV")):
    """A redis.call/pcall of args, its keys appended to keys and the rest
    to argv, read from the Lua tables names; with no name for the rest
    (None), written in the source instead: Lua source."""
    parts = ["'%s'" % args[0]]
    for a in args[1:]:
        if isinstance(a, str) and a in KEY_NAMES:
            keys.append(a)
            parts.append("%s[%d]" % (names[0], len(keys)))
        elif names[1] is None:
            parts.append(lua_string(a))
        else:
            argv.append(a)
            parts.append("%s[%d]" % (names[1], len(argv)))
    return "redis.%s(%s)" % (fn, ", ".join(parts))


def lua_string(value):
    """value (str or bytes) as a Lua string literal: bytes other than
    printable ASCII, quotes and backslashes as decimal escapes."""
    raw = value.encode("utf-8", "surrogateescape") \
        if isinstance(value, str) else value
    return '"%s"' % "".join(chr(c) if 32 <= c < 127 and c not in b'"\\'
                            else "\\%03d" % c for c in raw)


def script_body():
    """A short Lua body and its keys and arguments: one or two commands
    returned as they are, in a table, or as pcall's error table, a status
    or error reply of its own, or an error raised."""
    keys, argv = [], []
    fn = pick(["call", "call", "pcall"])
    first = lua_call(script_inner(), keys, argv, fn)
    shape = random.randrange(9)
    if shape == 0:
        body = "return {%s, %s}" % (first, lua_call(script_inner(), keys,
                                                      argv, fn))
    elif shape == 1:
        body = "local r = %s\nif type(r) == 'table' and r.err then " \
               "return {'err', r.err} end\nreturn r" % \
               first.replace("redis.call", "redis.pcall")
    elif shape == 2:
        body = "%s\nreturn redis.status_reply('DONE')" % first
    elif shape == 3:
        body = "%s\nreturn redis.error_reply('MY failure')" % first
    elif shape == 4:
        body = "%s\nerror('boom')" % first
    elif shape == 5:
        body = pick(["return redis.call('NOSUCHCMD', 'x')",
                     "return redis.call('GET')",
                     "return redis.pcall('GET')",
                     "return redis.pcall('NOSUCHCMD')",
                     "return {err='ERR custom'}", "return {ok='fine'}",
                     "return redis.call('INCR', KEYS[1] or 's0', 'x')",
                     "return redis.call('SCARD', KEYS[1] or 'h0')",
                     "return redis.pcall('HLEN', KEYS[1] or 't0')",
                     "error({err='WRONG table'})", "return 1.5",
                     "return {1, 2, {3, 'x'}, false, true}"])
    elif shape == 6:
        body = "redis.setresp(3)\nreturn %s" % first
    else:
        body = "return %s" % first
    return body, keys, argv


def eval_command():
    body, keys, argv = script_body()
    name = pick(["EVAL", "EVAL", "EVAL", "EVAL_RO"])
    if random.random() < 0.1:
        body = pick(["#!lua flags=no-writes", "#!lua flags=no-writes",
                     "#!lua", "#!lua flags=allow-oom",
                     "#!lua flags=no-writes,allow-oom", "#!lua flags=",
                     "#!lua flags=allow-stale,no-cluster",
                     "#!lua flags=bogus", "#!lua name=x"]) + "\n" + body
    numkeys = str(len(keys))
    if random.random() < 0.04:
        numkeys = pick(["-1", "x", str(len(keys) + len(argv) + 1)])
    if random.random() < 0.15:
        if SCRIPT_BODIES and random.random() < 0.7:
            body, keys, argv = pick(SCRIPT_BODIES)
            numkeys = str(len(keys))
        sha = hashlib.sha1(body.encode()).hexdigest()
        if random.random() < 0.2:
            sha = "%040x" % random.getrandbits(160)     # never loaded
        return [pick(["EVALSHA", "EVALSHA_RO"]), sha, numkeys] + keys + argv
    SCRIPT_BODIES.append((body, keys, argv))
    if random.random() < 0.08:
        return ["SCRIPT", "LOAD", body]
    return [name, body, numkeys] + keys + argv


def blocking_script():
    """EVAL or EVAL_RO of a blocking command with no timeout, which
    answers at once in a script."""
    keys, argv = [], []
    call = lua_call(blocking_forever(), keys, argv, pick(["call", "pcall"]))
    return [pick(["EVAL", "EVAL", "EVAL_RO"]), "return %s" % call,
            str(len(keys))] + keys + argv


# Functions: libraries lib0..lib2 registering functions of a few names
# (F1 meets f1 of another library: names are case-insensitive across
# libraries), each running one or two of the exact commands as scripts
# do, with keys as the callback's argument. The keys each function name
# was last generated with are kept for FCALL (emptied at each round's
# start, as the libraries are).
LIB_NAMES = ["lib0", "lib1", "lib2"]
# Payloads FUNCTION DUMP gave on the reference this round, with how many
# functions each holds.
DUMPS = []
FUNC_NAMES = ["f0", "f1", "f2", "f3", "F1"]
FUNCTION_KEYS = {}
FUNCTION_FLAGS = [[], [], [], ["no-writes"], ["no-writes"], ["allow-oom"],
                  ["no-writes", "allow-oom"], ["allow-stale", "no-cluster"],
                  ["allow-cross-slot-keys"]]
# Blocking commands with a timeout of 0, which would wait for ever on
# their own: inside MULTI and scripts they answer at once.
BLOCKING_FOREVER = [
    lambda: ["BLPOP", key("l"), "0"],
    lambda: ["BRPOP", key("l"), key("l"), "0"],
    lambda: ["BLMOVE", key("l"), key("l"), pick(["LEFT", "RIGHT"]),
             pick(["LEFT", "RIGHT"]), "0"],
    lambda: ["BRPOPLPUSH", key("l"), key("l"), "0"],
    lambda: ["BLMPOP", "0", "1", key("l"), pick(["LEFT", "RIGHT"])]
    + maybe("COUNT", pick(["2", "0", "x"])),
    lambda: [pick(["BZPOPMIN", "BZPOPMAX"]), key("z"), "0"],
    lambda: ["BZMPOP", "0", "2", key("z"), key("z"), pick(["MIN", "MAX"])]
    + maybe("COUNT", pick(["3", "-1"])),
    lambda: ["XREAD"] + maybe("COUNT", "1") + ["BLOCK", "0", "STREAMS",
                                                key("x"), xread_id()],
    lambda: ["XREAD", "BLOCK", "0", "STREAMS", key("x"), key("x"), "$",
             pick(["$", "0-0"])],
    lambda: ["XREADGROUP", "GROUP", pick(GROUPS), pick(CONSUMERS), "BLOCK",
             "0"] + maybe("NOACK") + ["STREAMS", key("x"), pick([">", "0"])],
]


def blocking_forever():
    return pick(BLOCKING_FOREVER)()


def function_body(keys):
    """A callback's body over keys (appended to): one or two exact
    commands by redis.call or pcall, their other arguments written in
    (an FCALL may reach another function of the name than the one it
    was drawn for, after a LOAD that failed or one that replaced it: its
    args made that one's PSETEX a TTL of 2 ms, seed 60286) (now and then a blocking one,
    at once here), returned (after redis.setresp(3) too) or not, a reply
    of its own, an error raised, or a call that scripts may not make."""
    names, args = ("keys", None), []
    fn = pick(["call", "call", "pcall"])
    inner = blocking_forever() if random.random() < 0.15 \
        else script_inner()
    first = lua_call(inner, keys, args, fn, names)
    shape = random.randrange(7)
    if shape == 0:
        return "return {%s, %s}" % (first, lua_call(script_inner(), keys,
                                                     args, fn, names))
    if shape == 1:
        return "%s\nreturn redis.status_reply('DONE')" % first
    if shape == 2:
        return "%s\nerror('boom')" % first
    if shape == 3:
        return pick(["return {keys, args}", "return #keys",
                     "return redis.call('GET')",
                     "return redis.pcall('NOSUCHCMD')",
                     "return redis.call('EVAL', 'return 1', '0')",
                     "return redis.call('FCALL', 'f0', '0')",
                     "return redis.pcall('FUNCTION', 'DELETE', 'lib0')",
                     "return redis.call('MULTI')", "return KEYS",
                     "return {redis.replicate_commands(), "
                     "redis.breakpoint()}",
                     "return {err='ERR custom'}", "return 3.7",
                     # RESP3 maps and doubles through Lua and back
                     "redis.setresp(3)\nreturn redis.call('XINFO', "
                     "'STREAM', keys[1] or 'x0')",
                     "redis.setresp(3)\nreturn redis.pcall('HGETALL', "
                     "'nokey')",
                     "redis.setresp(3)\nreturn redis.call('ZRANGE', "
                     "keys[1] or 'z0', 0, -1, 'WITHSCORES')",
                     "redis.setresp(3)\nreturn redis.call('ZINCRBY', "
                     "keys[1] or 'z0', '0.5', 'a')"])
    if shape == 4:
        return "redis.setresp(3)\nreturn %s" % first
    return "return %s" % first


def register(fname, flags):
    """A redis.register_function of fname, positional or named."""
    keys = []
    body = function_body(keys)
    FUNCTION_KEYS[fname.lower()] = keys
    callback = "function(keys, args)\n%s\nend" % body
    if not flags and random.random() < 0.5:
        return "redis.register_function('%s', %s)" % (fname, callback)
    return "redis.register_function{function_name='%s', callback=%s%s%s}" % (
        fname, callback,
        ", flags={%s}" % ", ".join("'%s'" % f for f in flags)
        if flags or random.random() < 0.3 else "",
        ", description='d'" if random.random() < 0.3 else "")


def function_code():
    """FUNCTION LOAD's code: a library of one or two functions (not two
    of one name in any case: README), now and then broken in one of the
    ways Redis checks."""
    lib = pick(LIB_NAMES)
    names = []
    for _ in range(random.choice([1, 1, 2])):
        fname = pick(FUNC_NAMES)
        if fname.lower() not in [n.lower() for n in names]:
            names.append(fname)
    head = "#!lua name=%s\n" % lib
    regs = [register(n, pick(FUNCTION_FLAGS)) for n in names]
    if random.random() < 0.05:      # long: DUMP's 32-bit lengths and LZF
        regs.append("-- " + "".join(pick(LCS_VALUES) for _ in range(
            random.choice([10, 700, 2000]))))
    if random.random() < 0.12:
        broken = random.randrange(13)
        if broken == 0:
            head = ""
        elif broken == 1:
            head = "#!lua\n"
        elif broken == 2:
            head = "#!js name=%s\n" % lib
        elif broken == 3:
            head = "#!lua name=%s-x\n" % lib
        elif broken == 4:
            head = "#!lua name=%s foo=bar\n" % lib
        elif broken == 5:
            regs.append(regs[0])                # the same name twice
        elif broken == 6:
            regs = ["redis.register_function('f-x', function() end)"]
        elif broken == 7:
            regs = ["local x = 1"]              # registers nothing
        elif broken == 8:
            regs.append("return +")             # does not compile
        elif broken == 9:
            regs.append("redis.call('GET', 'x')")   # no calls at load
        elif broken == 10:
            regs = ["redis.register_function{function_name='f0', "
                    "callback=function() end, flags={'bogus'}}"]
        elif broken == 11:
            regs.append(pick(["error('at load')", "KEYS[1] = 1",
                              "redis.register_function('f0')",
                              "redis.register_function{function_name="
                              "'f0', callback=function() end, "
                              "description=1}"]))
        else:
            regs.append("redis.log(redis.LOG_NOTICE, 'loading')")
    return head + "\n".join(regs)


def function_load():
    return ["FUNCTION", "LOAD"] + maybe("REPLACE", p=0.4) + [function_code()]


def fcall_command():
    """FCALL or FCALL_RO of a function generated this round (its keys, a
    few args for the bodies that return them; the name in another case
    now and then) or of one never loaded, with a bad number of keys now
    and then."""
    known = sorted(FUNCTION_KEYS)
    name = pick(known) if known and random.random() < 0.9 else \
        pick(FUNC_NAMES + ["nofunc"])
    keys, args = FUNCTION_KEYS.get(name.lower(), []), some(VALUES, 0, 2)
    if random.random() < 0.2:
        name = name.upper()
    numkeys = str(len(keys))
    if random.random() < 0.05:
        numkeys = pick(["-1", "x", str(len(keys) + len(args) + 1)])
    return [pick(["FCALL", "FCALL", "FCALL_RO"]), name, numkeys] + keys + args


def libraries_payload():
    """A FUNCTION DUMP payload made here of one or two new libraries
    (function_code: a library now and then broken, the two may share a
    name), sealed as RESTORE checks; and how many functions it may hold,
    for collisions_fit."""
    codes = [function_code() for _ in range(random.choice([1, 1, 2]))]
    body = b""
    for code in codes:
        data = code.encode()
        n = len(data)       # an RDB string: a length of 6, 14 or 32 bits
        size = bytes([n]) if n < 64 else bytes([0x40 | n >> 8, n & 255]) \
            if n < 16384 else b"\x80" + n.to_bytes(4, "big")
        body += b"\xf5" + size + data
    return payload.seal(body), sum(c.count("register_function")
                                   for c in codes)


def function_list():
    clauses = []
    if random.random() < 0.5:
        clauses.append(["LIBRARYNAME", pick(LIB_NAMES + [
            "lib*", "*", "LIB?", "lib[01]", "l*1", "lib\\0", "nomatch"])])
    if random.random() < 0.4:
        clauses.append(["WITHCODE"])
    if random.random() < 0.05:
        clauses.append(pick([["BOGUS"], ["LIBRARYNAME"], ["WITHCODE"]]))
    random.shuffle(clauses)
    return ["FUNCTION", "LIST"] + [w for c in clauses for w in c]


def function_commands():
    return [
        (3, "exact", function_load),
        (4, "exact", fcall_command),
        (1, "functions", function_list),
        (1, "exact", lambda: ["FUNCTION", "DELETE", pick(LIB_NAMES + ["LIB0",
                                                                      "x"])]),
        (1, "exact", lambda: ["FUNCTION", "STATS"]),
        (1, "fdump", lambda: ["FUNCTION", "DUMP"]),
        (0.3, "exact", lambda: ["FUNCTION", "FLUSH"]
         + maybe(pick(["ASYNC", "SYNC", "sync", "x"]), p=0.3)),
    ]


def raw_tree(raw, pos=0):
    """One raw reply at pos split as (header line, children or None, end):
    children are the trees of an aggregate's elements (a map's keys and
    values in turn)."""
    end = raw.index(b"\r\n", pos) + 2
    t, n = raw[pos:pos + 1], raw[pos + 1:end - 2]
    if t in b"$=!" and int(n) >= 0:
        return raw[pos:end], [raw[end:end + int(n) + 2]], end + int(n) + 2
    if t in b"*~%>" and int(n) >= 0:
        kids, at = [], end
        for _ in range(int(n) * (2 if t == b"%" else 1)):
            kid = raw_tree(raw, at)
            kids.append(kid)
            at = kid[2]
        return raw[pos:end], kids, at
    return raw[pos:end], None, end


def raw_join(tree):
    head, kids, _ = tree
    if kids is None:
        return head
    return head + b"".join(k if isinstance(k, bytes) else raw_join(k)
                           for k in kids)


def function_list_sorted(raw):
    """A FUNCTION LIST reply with its libraries, and each library's
    functions, sorted: both come in hash order on Redis (README). Bytes
    kept otherwise."""
    if raw[:1] != b"*":
        return raw
    try:
        tree = raw_tree(raw)
    except (ValueError, IndexError):
        return raw
    libs = []
    for lib in tree[1]:
        kids = list(lib[1] or [])
        for j in range(0, len(kids) - 1, 2):
            if kids[j][1] and kids[j][1][0] == b"functions\r\n" and \
                    kids[j + 1][1] is not None:
                fns = kids[j + 1]
                kids[j + 1] = (fns[0], sorted(fns[1], key=raw_join), 0)
        libs.append(raw_join((lib[0], kids, 0)))
    return tree[0] + b"".join(sorted(libs))


COLLISION = re.compile(rb"-ERR (Library|Function) \S+ already exists\r\n")


def collisions_fit(a, b, several=True):
    """Replies a and b (an EXEC's array too) with the names of libraries
    and functions that already exist blurred, when the command (or one
    of the transaction) loaded several (several): Redis names the first
    it meets in hash order."""
    if a == b or not several:
        return a, b
    return tuple(COLLISION.sub(rb"-ERR \1 * already exists\r\n", x)
                 for x in (a, b))


def loads_several(commands):
    """Whether one of commands is a FUNCTION LOAD of several functions."""
    return any(args[:2] == ["FUNCTION", "LOAD"] and
               str(args[-1]).count("register_function") > 1
               for args in commands)


# (weight, compare mode, argument maker)
def commands():
    k = key
    return [
        # strings
        (6, "exact", lambda: ["SET", key("s"), pick(VALUES)] + one_of(
            [], ["NX"], ["XX"], ["GET"], ["EX", pick(["100", "0", "-1", "x"])],
            ["PX", "100000"], ["KEEPTTL"], ["XX", "GET"], ["NX", "GET"],
            ["EX", "100", "PX", "100"], ["EXAT", abs_time(False, False)],
            ["EX", "9223372036854775807"], ["PX", "9223372036854775807"],
            ["PXAT", abs_time(True, False)], ["KEEPTTL", "EX", "10"],
            ["BOGUS"])),
        (5, "exact", lambda: ["GET", key("s")]),
        (2, "exact", lambda: ["MGET"] + some(KEYS)),
        (1, "exact", lambda: ["MSET"] + pairs(KEYS, VALUES)),
        (1, "exact", lambda: ["MSETNX"] + pairs(KEYS, VALUES)),
        (1, "exact", lambda: ["SETNX", key("s"), pick(VALUES)]),
        (1, "exact", lambda: ["SETEX", key("s"), pick(INTS), pick(VALUES)]),
        (1, "exact", lambda: ["PSETEX", key("s"), pick(["100000", "0", "-5", "x"]),
                              pick(VALUES)]),
        (1, "exact", lambda: ["GETSET", key("s"), pick(VALUES)]),
        (1, "exact", lambda: ["GETDEL", key("s")]),
        (1, "exact", lambda: ["GETEX", key("s")] + one_of(
            [], ["PERSIST"], ["EX", pick(INTS)], ["PX", "100000"],
            ["EXAT", abs_time(False)], ["EX", "10", "PERSIST"])),
        (2, "exact", lambda: ["APPEND", key("s"), pick(VALUES)]),
        (1, "exact", lambda: ["STRLEN", key("s")]),
        (3, "exact", lambda: [pick(["INCR", "DECR"]), key("s")]),
        (3, "exact", lambda: [pick(["INCRBY", "DECRBY"]), key("s"), pick(INTS)]),
        (2, "exact", lambda: ["INCRBYFLOAT", key("s"), pick(FLOATS)]),
        (2, "exact", lambda: ["SETRANGE", key("s"),
                              pick(SMALL + ["20", "x", "536870912", "-1"]),
                              pick(VALUES)]),
        (2, "exact", lambda: [pick(["GETRANGE", "SUBSTR"]), key("s"), pick(SMALL),
                              pick(SMALL)]),
        # bitmaps (offsets stay small: a bit near 2^32 is a 512 MB string)
        (2, "exact", lambda: ["SETBIT", key("s"), pick(BIT_OFFSETS),
                              pick(["0", "1", "1", "2", "x"])]),
        (1, "exact", lambda: ["GETBIT", key("s"), pick(BIT_OFFSETS)]),
        (1, "exact", lambda: ["BITCOUNT", key("s")] + one_of(
            [], [], [pick(SMALL), pick(SMALL)], [pick(SMALL)],
            [pick(SMALL), pick(SMALL), pick(["BYTE", "BIT", "bit", "x"])])),
        (1, "exact", lambda: ["BITPOS", key("s"), pick(["0", "1", "1", "2"])]
         + one_of([], [pick(SMALL)], [pick(SMALL), pick(SMALL)],
                  [pick(SMALL), pick(SMALL), pick(["BYTE", "BIT", "x"])])),
        (1, "exact", lambda: ["BITOP", pick(["AND", "OR", "XOR", "NOT", "x"]),
                              key("s")] + [key("s") for _ in range(
                                  random.choice([1, 1, 2, 3]))]),
        (2, "exact", lambda: [pick(["BITFIELD", "BITFIELD", "BITFIELD_RO"]),
                              key("s")] + bitfield_ops()),
        # keys
        (2, "exact", lambda: [pick(["DEL", "UNLINK", "EXISTS", "TOUCH"])]
         + some(KEYS)),
        (2, "exact", lambda: ["TYPE", k()]),
        (1, "exact", lambda: [pick(["RENAME", "RENAMENX"]), k(), k()]),
        (1, "exact", lambda: ["COPY", k(), k()] + maybe("REPLACE")
         + maybe("DB", pick(["0", "1", "x", "99"]), p=0.3)),
        (1, "shape", lambda: ["RANDOMKEY"]),
        (1, "exact", lambda: ["SELECT", pick(["0", "0", "0", "1", "x", "99"])]),
        (1, "exact", lambda: ["PUBLISH", pick(["ch", ""]), pick(VALUES)]),
        (1, "exact", lambda: ["PUBSUB", pick(["NUMSUB", "CHANNELS"])]
         + some(["ch", "*", "x"], 0, 2)),
        (2, "exact", lambda: ["EXPIRE", k()] + ttl_args(False)
         + expire_flag(True)),
        (1, "exact", lambda: ["PEXPIRE", k()] + ttl_args(True)
         + expire_flag(True)),
        (1, "exact", lambda: ["EXPIREAT", k(), abs_time(False)]
         + expire_flag(False)),
        (1, "exact", lambda: ["PEXPIREAT", k(), abs_time(True)]
         + expire_flag(False)),
        (2, "ttl", lambda: [pick(["TTL", "PTTL"]), k()]),
        (1, "ttl", lambda: [pick(["EXPIRETIME", "PEXPIRETIME"]), k()]),
        (1, "exact", lambda: ["PERSIST", k()]),
        (1, "ttl", lambda: ["DBSIZE"]),        # counts keys not yet swept
        (1, "exact", lambda: ["MOVE", k(), pick(["1", "0", "x", "16"])]),
        (1, "exact", lambda: ["SWAPDB", pick(["0", "1"]), pick(["1", "x"])]),
        (1, "sorted", lambda: ["KEYS", pick(["*", "k*", "k[0-2]", "?1", "{*"])]),
        # hashes
        (4, "exact", lambda: ["HSET", key("h")] + pairs(FIELDS, VALUES)),
        (1, "exact", lambda: ["HMSET", key("h")] + pairs(FIELDS, VALUES)),
        (1, "exact", lambda: ["HSETNX", key("h"), pick(FIELDS), pick(VALUES)]),
        (3, "exact", lambda: ["HGET", key("h"), pick(FIELDS)]),
        (1, "exact", lambda: ["HMGET", key("h")] + some(FIELDS)),
        (2, "exact", lambda: ["HDEL", key("h")] + some(FIELDS)),
        (1, "exact", lambda: [pick(["HLEN", "HSTRLEN"]), key("h")]
         + ([pick(FIELDS)] if random.random() < 0.7 else [])),
        (1, "exact", lambda: ["HEXISTS", key("h"), pick(FIELDS)]),
        (2, "exact", lambda: ["HINCRBY", key("h"), pick(FIELDS), pick(INTS)]),
        (2, "exact", lambda: ["HINCRBYFLOAT", key("h"), pick(FIELDS), pick(FLOATS)]),
        (2, "sorted", lambda: [pick(["HGETALL", "HKEYS", "HVALS"]), key("h")]),
        (1, "sorted", lambda: ["HRANDFIELD", key("h"), "1000"]
         + maybe("WITHVALUES")),
        (1, "shape", lambda: ["HRANDFIELD", key("h")] + maybe(pick(["-3", "0", "3"]))),
        # lists
        (4, "exact", lambda: [pick(["LPUSH", "RPUSH"]), key("l")] + some(MEMBERS)),
        (1, "exact", lambda: [pick(["LPUSHX", "RPUSHX"]), key("l")] + some(MEMBERS)),
        (3, "exact", lambda: [pick(["LPOP", "RPOP"]), key("l")]
         + maybe(pick(SMALL + ["x"]), p=0.4)),
        (3, "exact", lambda: ["LRANGE", key("l"), pick(INDEXES), pick(INDEXES)]),
        (1, "exact", lambda: ["LINDEX", key("l"), pick(INDEXES)]),
        (1, "exact", lambda: ["LSET", key("l"), pick(SMALL), pick(MEMBERS)]),
        (1, "exact", lambda: ["LINSERT", key("l"), pick(["BEFORE", "AFTER", "X"]),
                              pick(MEMBERS), pick(MEMBERS)]),
        (1, "exact", lambda: ["LREM", key("l"), pick(SMALL), pick(MEMBERS)]),
        (1, "exact", lambda: ["LTRIM", key("l"), pick(INDEXES), pick(INDEXES)]),
        (1, "exact", lambda: ["LLEN", key("l")]),
        (1, "exact", lambda: ["LPOS", key("l"), pick(MEMBERS)] + one_of(
            [], ["RANK", pick(SMALL)], ["COUNT", pick(["0", "1", "2", "-1"])],
            ["MAXLEN", pick(["0", "1", "2"])], ["RANK", "-1", "COUNT", "0"])),
        (1, "exact", lambda: ["LMOVE", key("l"), key("l"), pick(["LEFT", "RIGHT"]),
                              pick(["LEFT", "RIGHT", "UP"])]),
        (1, "exact", lambda: ["RPOPLPUSH", key("l"), key("l")]),
        (1, "exact", lambda: ["LMPOP", pick(["1", "2", "0"]), key("l"), key("l"),
                              pick(["LEFT", "RIGHT"])]
         + maybe("COUNT", pick(SMALL))),
        (1, "exact", lambda: [pick(["BLPOP", "BRPOP"]), key("l"), key("l"),
                              pick(TIMEOUTS)]),
        (1, "exact", lambda: ["BLMOVE", key("l"), key("l"),
                              pick(["LEFT", "RIGHT"]), pick(["LEFT", "RIGHT"]),
                              pick(TIMEOUTS)]),
        (1, "exact", lambda: ["BRPOPLPUSH", key("l"), key("l"), pick(TIMEOUTS)]),
        (1, "exact", lambda: ["BLMPOP", pick(TIMEOUTS), pick(["1", "2", "0"]),
                              key("l"), key("l"), pick(["LEFT", "RIGHT"])]
         + maybe("COUNT", pick(SMALL))),
        # sets
        (4, "exact", lambda: ["SADD", key("t")] + some(MEMBERS)),
        (2, "exact", lambda: ["SREM", key("t")] + some(MEMBERS)),
        (1, "exact", lambda: ["SCARD", key("t")]),
        (2, "exact", lambda: ["SISMEMBER", key("t"), pick(MEMBERS)]),
        (1, "exact", lambda: ["SMISMEMBER", key("t")] + some(MEMBERS)),
        (2, "sorted", lambda: ["SMEMBERS", key("t")]),
        (2, "sorted", lambda: [pick(["SINTER", "SUNION", "SDIFF"])] + some(KEYS)),
        (1, "exact", lambda: [pick(["SINTERSTORE", "SUNIONSTORE",
                                    "SDIFFSTORE"]), key("t")] + some(KEYS)),
        (1, "exact", lambda: ["SINTERCARD", pick(["1", "2", "0", "3"])]
         + some(KEYS, 1, 2) + maybe("LIMIT", pick(SMALL))),
        (1, "exact", lambda: ["SMOVE", key("t"), key("t"), pick(MEMBERS)]),
        (1, "sorted", lambda: ["SPOP", key("t"), "1000"]),
        (1, "sorted", lambda: ["SRANDMEMBER", key("t"), "1000"]),
        (1, "shape", lambda: ["SRANDMEMBER", key("t")] + maybe(pick(["-3", "3"]))),
        # sorted sets
        (4, "exact", lambda: ["ZADD", key("z")] + one_of(
            [], ["NX"], ["XX"], ["GT"], ["LT"], ["CH"], ["INCR"], ["XX", "CH"],
            ["NX", "GT"], ["GT", "CH"]) + pairs(FLOATS, MEMBERS)),
        (2, "exact", lambda: ["ZINCRBY", key("z"), pick(FLOATS), pick(MEMBERS)]),
        (2, "exact", lambda: ["ZSCORE", key("z"), pick(MEMBERS)]),
        (1, "exact", lambda: ["ZMSCORE", key("z")] + some(MEMBERS)),
        (2, "exact", lambda: [pick(["ZRANK", "ZREVRANK"]), key("z"), pick(MEMBERS)]),
        (1, "exact", lambda: ["ZCARD", key("z")]),
        (2, "exact", lambda: ["ZREM", key("z")] + some(MEMBERS)),
        (3, "exact", lambda: ["ZRANGE", key("z"), pick(INDEXES), pick(INDEXES)]
         + maybe("REV", p=0.3) + maybe("WITHSCORES")),
        (2, "exact", lambda: ["ZRANGE", key("z"), pick(SCORE_BOUNDS),
                              pick(SCORE_BOUNDS), "BYSCORE"]
         + maybe("REV", p=0.3) + maybe("LIMIT", pick(SMALL), pick(SMALL), p=0.3)
         + maybe("WITHSCORES")),
        (1, "exact", lambda: ["ZRANGE", key("z"), pick(LEX_BOUNDS),
                              pick(LEX_BOUNDS), "BYLEX"]
         + maybe("REV", p=0.3) + maybe("LIMIT", pick(SMALL), pick(SMALL), p=0.3)),
        (1, "exact", lambda: [pick(["ZRANGEBYSCORE", "ZREVRANGEBYSCORE"]), key("z"),
                              pick(SCORE_BOUNDS), pick(SCORE_BOUNDS)]
         + maybe("WITHSCORES") + maybe("LIMIT", pick(SMALL), pick(SMALL), p=0.3)),
        (1, "exact", lambda: [pick(["ZRANGEBYLEX", "ZREVRANGEBYLEX"]), key("z"),
                              pick(LEX_BOUNDS), pick(LEX_BOUNDS)]),
        (1, "exact", lambda: ["ZREVRANGE", key("z"), pick(INDEXES), pick(INDEXES)]
         + maybe("WITHSCORES")),
        (1, "exact", lambda: ["ZCOUNT", key("z"), pick(SCORE_BOUNDS),
                              pick(SCORE_BOUNDS)]),
        (1, "exact", lambda: ["ZLEXCOUNT", key("z"), pick(LEX_BOUNDS),
                              pick(LEX_BOUNDS)]),
        (1, "exact", lambda: ["ZREMRANGEBYRANK", key("z"), pick(INDEXES), pick(INDEXES)]),
        (1, "exact", lambda: ["ZREMRANGEBYSCORE", key("z"), pick(SCORE_BOUNDS),
                              pick(SCORE_BOUNDS)]),
        (1, "exact", lambda: ["ZREMRANGEBYLEX", key("z"), pick(LEX_BOUNDS),
                              pick(LEX_BOUNDS)]),
        (2, "exact", lambda: [pick(["ZPOPMIN", "ZPOPMAX"]), key("z")]
         + maybe(pick(SMALL), p=0.5)),
        (1, "exact", lambda: ["ZMPOP", pick(["1", "2"]), key("z"), key("z"),
                              pick(["MIN", "MAX"])]
         + maybe("COUNT", pick(SMALL))),
        (1, "exact", lambda: [pick(["ZUNIONSTORE", "ZINTERSTORE",
                                    "ZDIFFSTORE"]), key("z"), "2", key("z"), key("z")]
         + (maybe("WEIGHTS", pick(FLOATS), pick(FLOATS), p=0.3)
            + maybe("AGGREGATE", pick(["SUM", "MIN", "MAX", "AVG"]), p=0.3)
            if random.random() < 0.7 else [])),
        (1, "exact", lambda: [pick(["ZUNION", "ZINTER", "ZDIFF"]), "2", key("z"), key("z")]
         + maybe("WITHSCORES")),
        (1, "exact", lambda: [pick(["BZPOPMIN", "BZPOPMAX"]), key("z"),
                              key("z"), pick(TIMEOUTS)]),
        (1, "exact", lambda: ["BZMPOP", pick(TIMEOUTS), pick(["1", "2"]),
                              key("z"), key("z"), pick(["MIN", "MAX"])]
         + maybe("COUNT", pick(SMALL))),
        (1, "exact", lambda: ["ZINTERCARD", "2", key("z"), key("z")]
         + maybe("LIMIT", pick(SMALL))),
        (1, "exact", lambda: ["ZRANGESTORE", key("z"), key("z"), pick(INDEXES),
                              pick(INDEXES)]),
        (1, "exact", lambda: ["ZRANGESTORE", key("z"), key("z")] + one_of(
            [pick(SCORE_BOUNDS), pick(SCORE_BOUNDS), "BYSCORE"],
            [pick(LEX_BOUNDS), pick(LEX_BOUNDS), "BYLEX"])
         + maybe("REV", p=0.3) + maybe("LIMIT", pick(SMALL), pick(SMALL), p=0.3)),
        (1, "sorted", lambda: ["ZRANDMEMBER", key("z"), "1000"]
         + maybe("WITHSCORES")),
        # streams (explicit IDs: '*' would differ by clock)
        (4, "exact", lambda: ["XADD", key("x")]
         + maybe("NOMKSTREAM", p=0.1)
         + maybe("MAXLEN", pick(["=", "0", "2"]), p=0.1)
         + [pick(["1-1", "1-2", "2-0", "2-*", "3", "3-1", "5-0", "0-0",
                  "0-1", "9-9", "abc", "4-*"])] + pairs(FIELDS, VALUES, 1, 2)),
        (2, "exact", lambda: [pick(["XRANGE", "XREVRANGE"]), key("x"), stream_id(),
                              stream_id()] + maybe("COUNT", pick(SMALL))),
        (1, "exact", lambda: ["XLEN", key("x")]),
        (2, "exact", lambda: ["XREAD"] + maybe("COUNT", pick(["1", "2", "0"]))
         + ["STREAMS", key("x")] + maybe(key("x"), p=0.3)
         + [xread_id()]),
        (1, "exact", lambda: ["XDEL", key("x")] + some(["1-1", "2-0", "3-0", "x"])),
        (1, "exact", lambda: ["XTRIM", key("x"), pick(["MAXLEN", "MINID"])]
         + maybe(pick(["=", "~"]), p=0.4) + [pick(["0", "1", "2", "2-0", "x"])]
         + maybe("LIMIT", pick(["0", "1", "-1", "x"]), p=0.2)),
        (1, "exact", lambda: ["XADD", key("x")] + maybe("NOMKSTREAM", p=0.2)
         + [pick(["MAXLEN", "MINID"])] + maybe(pick(["=", "~"]), p=0.5)
         + [pick(["0", "2", "3-0", "x"])]
         + maybe("LIMIT", pick(["0", "5", "x"]), p=0.3)
         + [pick(["6-0", "7-*", "9-9", "1-1"])] + pairs(FIELDS, VALUES, 1, 2)),
        (2, "exact", lambda: ["XGROUP", "CREATE", key("x"), pick(GROUPS),
                              pick(["0", "$", "1-1", "x"])]
         + maybe("MKSTREAM", p=0.3)),
        (1, "exact", lambda: ["XGROUP", pick(["CREATECONSUMER", "DELCONSUMER"]),
                              key("x"), pick(GROUPS), pick(CONSUMERS)]),
        (1, "exact", lambda: ["XGROUP", "SETID", key("x"), pick(GROUPS),
                              pick(["0", "$", "2-0"])]),
        (1, "exact", lambda: ["XGROUP", "DESTROY", key("x"), pick(GROUPS)]),
        (3, "exact", lambda: ["XREADGROUP", "GROUP", pick(GROUPS),
                              pick(CONSUMERS)]
         + maybe("COUNT", pick(["1", "2", "0", "-1"])) + maybe("NOACK", p=0.2)
         + ["STREAMS", key("x"), pick([">", ">", "0", "2-0", "x"])]),
        (2, "exact", lambda: ["XACK", key("x"), pick(GROUPS)]
         + some(["1-1", "1-2", "2-0", "3-0", "3-1", "x"])),
        (2, "exact", lambda: ["XPENDING", key("x"), pick(GROUPS)]),
        (1, "shape", lambda: ["XPENDING", key("x"), pick(GROUPS), "-", "+",
                              pick(["10", "1", "0"])] + maybe(pick(CONSUMERS))),
        (1, "exact", lambda: ["XCLAIM", key("x"), pick(GROUPS), pick(CONSUMERS),
                              pick(["0", "0", "-1", "x"])]
         + some(["1-1", "2-0", "3-1", "5-0"])
         + maybe("RETRYCOUNT", pick(["0", "3", "-1"]), p=0.2)
         + maybe("FORCE", p=0.2) + maybe("LASTID", stream_id(), p=0.2)
         + ["JUSTID"]),
        (1, "exact", lambda: ["XAUTOCLAIM", key("x"), pick(GROUPS),
                              pick(CONSUMERS), "0", pick(["0", "2-0", "-"])]
         + maybe("COUNT", pick(["1", "2", "10"])) + ["JUSTID"]),
        # XINFO: times compared by sign (xinfo_times)
        (3, "xinfo", xinfo_command),
        # Not below the XDEL IDs: Respite refuses an ID under the stream's
        # max-deleted-entry-id as Redis 7.2 does, and 7.0 accepts it.
        (1, "exact", lambda: ["XSETID", key("x"), pick(["3-0", "5-0", "9-9"])]),
        # geo (sorted sets of geohashes)
        (4, "exact", geoadd),
        (1, "exact", lambda: ["GEOPOS", key("g")] + geo_members(0, 4)),
        (2, "exact", lambda: ["GEODIST", key("g"), pick(MEMBERS),
                              pick(MEMBERS)] + maybe(unit(), p=0.7)
         + maybe(pick(["km", "x"]), p=0.05)),
        (1, "exact", lambda: ["GEOHASH", key("g")] + geo_members(0, 4)),
        (3, "exact", lambda: geosearch(False)),
        (1, "exact", lambda: geosearch(True)),
        (2, "exact", lambda: georadius(random.random() < 0.5,
                                       random.random() < 0.3)),
        # HyperLogLog (strings)
        *hll_commands(),
        # SORT: a compare mode of its own, fitted to the key's type
        (3, "sort", lambda: sort_command(random.random() < 0.3)),
        # LCS
        (1, "exact", lambda: ["SET", key("s"), pick(LCS_VALUES)]),
        (2, "exact", lcs_command),
        # OBJECT: ENCODING, REFCOUNT and IDLETIME compared as README
        # documents them
        (3, "encoding", lambda: ["OBJECT", pick(["ENCODING", "ENCODING",
                                                 "REFCOUNT"]), k()]),
        (1, "exact", lambda: ["OBJECT", "FREQ", k()]),
        (1, "encoding", lambda: ["OBJECT", "IDLETIME", k()]),
        (1, "encoding", lambda: ["OBJECT"] + one_of(      # may be cut
            ["HELP"], ["BOGUS", k()], ["ENCODING"], ["ENCODING", k(), k()],
            ["REFCOUNT"], ["help", "x"])),
        # keys that expire (4 ms, a 12 ms pause, then a command of the new
        # families on the key: see Differ.expire_touch)
        (2, "expire", lambda: pick([["PEXPIRE", k(), "4"],
                                    ["SET", k(), pick(VALUES), "PX", "4"]])),
        # whole iterations, compared as sets
        (1, "scan", lambda: ["SCAN"] + maybe("MATCH", pick(["*", "?0", "t*"]))
         + maybe("TYPE", pick(["set", "string", "zset", "stream"]))
         + maybe("COUNT", pick(["1", "3", "100"]))),
        (1, "scan", lambda: [pick(["HSCAN", "SSCAN", "ZSCAN"]),
                             key(pick("htz"))]
         + maybe("MATCH", pick(["*", "1*", "m?"]))
         + maybe("COUNT", pick(["1", "3", "100"]))),
        # scripts: EVAL, EVAL_RO, EVALSHA of a loaded script or an unknown
        # one, each running one or two of the exact commands above
        (3, "exact", eval_command),
        # blocking commands with no timeout in scripts: at once
        (1, "exact", blocking_script),
        # functions: FUNCTION LOAD/LIST/DELETE/STATS/DUMP+RESTORE, FCALL
        *function_commands(),
        # rate limiter: Redis has none, so only its wrong-type and unknown
        # replies are comparable; left to test_ratelimit.py.
    ]


# Compare modes that take more than one request, so never in a pipeline:
# whole iterations, SORT (fitted to its key's type), OBJECT ENCODING and
# REFCOUNT (which may ask for the key's type and value), a TTL of 4 ms
# (a pause after it) and FUNCTION DUMP (a RESTORE after it).
ALONE = ("scan", "sort", "encoding", "expire", "fdump")


def bulk(raw):
    """The bytes of a bulk string reply, else the raw reply."""
    if raw[:1] == b"$" and b"\r\n" in raw:
        return raw[raw.index(b"\r\n") + 2:-2]
    return raw


def content_encoding(value):
    """The encoding Redis's SET gives a string value (and Respite gives
    any): int for a canonical 64-bit integer of up to 20 bytes, embstr up
    to 44 bytes, raw beyond."""
    if len(value) <= 20 and INT_TEXT.fullmatch(value) and \
            -2 ** 63 <= int(value) < 2 ** 63:
        return b"int"
    return b"embstr" if len(value) <= 44 else b"raw"


INT_TEXT = re.compile(rb"-?[1-9][0-9]*|0")


# Without their count these answer a random pick: never cut short.
RANDOM_PICKS = {"SPOP", "SRANDMEMBER", "HRANDFIELD", "ZRANDMEMBER"}
# (directive, Redis's default, small values for tight rounds)
LIMITS = [("hash-max-listpack-entries", "512", ["0", "1", "4"]),
          ("hash-max-listpack-value", "64", ["1", "3", "8"]),
          ("zset-max-listpack-entries", "128", ["0", "1", "4"]),
          ("zset-max-listpack-value", "64", ["1", "3", "8"]),
          ("list-max-listpack-size", "-2", ["1", "2", "4", "-1"]),
          # intsets turn into hash tables past it
          ("set-max-intset-entries", "512", ["0", "1", "4"]),
          # sparse HyperLogLogs turn dense past it
          ("hll-sparse-max-bytes", "3000", ["0", "20", "40", "200"]),
          # where stream nodes end: XTRIM "~" and LIMIT, XINFO, DUMP
          ("stream-node-max-entries", "100", ["0", "1", "2", "5"]),
          ("stream-node-max-bytes", "4096", ["0", "1", "60", "200"])]
# Blocking commands only with timeouts that end, bad ones included.
TIMEOUTS = ["0.01", "0.001", "-1", "x", "0.01"]
GROUPS = ["g1", "g2"]
CONSUMERS = ["c1", "c2", "c3"]
# notify-keyspace-events of a notification round: each has K or E and a
# class, so something is published; n (new) and m (keymiss) are outside A.
NOTIFY_FLAGS = ["KEA", "AKE", "KA", "EA", "Kg$lshzxt", "KEg$", "Eg", "K$",
                "El", "Kl", "Ehz", "Ks", "Kt", "Egx", "KEAn", "En", "KEAm",
                "Em", "Exe", "KAnm"]
NOTIFY_SHARE = 0.3
# Out of memory rounds (see the docstring): their share, the policies they
# pick from, and the share that set the limit inside a transaction.
OOM_SHARE = 0.3
OOM_POLICIES = ["noeviction", "noeviction", "allkeys-random"]
OOM_IN_MULTI = 0.3
# Reload rounds (see the docstring): their share, how many reload points
# at most, and the share of rounds that end with a cross-load.
RELOAD_SHARE = 0.3
RELOAD_POINTS = 3
CROSS_SHARE = 0.125
MARKER = b"differential-marker"     # matches no keyspace pattern
SCORE_BOUNDS = ["-inf", "+inf", "0", "1", "(1", "1.5", "(2", "3", "-1",
                "10", "x", "(inf", "(-inf", "nan"]
LEX_BOUNDS = ["-", "+", "[a", "(a", "[c", "(d", "[", "(", "a", "[1"]


class Differ:
    def __init__(self, ref, sut, proto):
        self.ref, self.sut, self.proto = ref, sut, proto
        self.table = commands()
        self.weights = [w for w, _, _ in self.table]
        self.notify_flags, self.notify_every = NOTIFY_FLAGS, CHECK_EVERY
        self.flags = ""
        self.subs = None        # the subscribers of a notification round
        self.expired = None     # per side, the expired messages by count
        self.window_expired = None  # per side, keys expired in the window
        self.marks = 0
        self.oom_share = OOM_SHARE
        self.oom = None         # the out of memory plan of the round
        self.limited = False    # whether its limit is set yet
        self.reload_share, self.cross_share = RELOAD_SHARE, CROSS_SHARE
        self.notify_share = NOTIFY_SHARE
        self.reload = None      # the reload plan of the round
        self.last_reply = None  # the reference's, of send_both
        self.limit_values = []  # the round's limits, as directives
        self.dumps = diff_dump.DumpPoints(self, sys.modules[__name__])

    def open(self):
        for c in self.subs or ():
            c.close()
        self.subs = None
        for side in (self.ref, self.sut):
            side.open(self.proto)

    def both(self, args):
        data = h.encode(*args)
        # Respite's reply with Redis 7.2/7.4's additions turned into 7.0's.
        return (self.ref.request(0, data),
                compat.as_7_0(args, self.sut.request(0, data)))

    def compare(self, mode, args):
        a, b = self.both(args)
        if mode == "encoding":
            return self.encoding_fit(args, a, b)
        return self.normalise(mode, args, a, b)

    def expire_touch(self, log, args):
        """args (a TTL of 4 ms on key args[1]) on both, 12 ms of pause, then
        a command of the new families that looks the key up (read or
        write) on both: its lazy expiry, compared. Not left for any later
        command, since Redis's stores of an empty result (GEOSEARCHSTORE,
        SORT ... STORE, ZUNIONSTORE...) delete their destination without
        looking at its TTL: a key past its time then goes with "del", or
        with "expired" if the sweeper took it first, which is timing.
        The TTL is 4 ms, not 1: Redis's PEXPIRE adds the TTL to the time
        its command began and deletes the key at once ("del", not
        "expire") if the clock has passed that by its check, so with 1 ms
        a millisecond ticking in between decides (seeds 20088, 20204 on a
        busy machine).
        Returns the first pair of replies that differ, else the last."""
        a, b = self.both(args)
        if a != b or len(args) < 2:     # or cut short (draw)
            return a, b
        time.sleep(0.012)
        touch = expiry_touch(args[1])
        # The key may live on (a refused SET, a PEXPIRE of nothing):
        # compared as when drawn.
        mode = {"SORT": "sort", "SORT_RO": "sort",
                "OBJECT": "encoding"}.get(touch[0], "exact")
        if mode == "sort":
            mode, touch = self.fit_sort(touch)
        log.append(touch)
        if "PTTL" in touch[1]:
            # A key that lives on keeps its old TTL, which a millisecond
            # can tick off between the two (seed 23010, an -OOM SET).
            return near(*self.both(touch), TTL_MARGIN_MS)
        return self.compare(mode, touch)

    def function_dump(self, log, args):
        """FUNCTION DUMP (args) on both, then, after a FUNCTION FLUSH now
        and then, FUNCTION RESTORE with a policy (or a bad one) of a
        payload the reference dumped this round, which Respite restores
        too (README), of one made of new libraries (libraries_payload), or
        of one broken. A payload of several libraries is
        not compared: they come in each server's own order (README), and
        Respite's is kept for a RESTORE on both too; nor
        which library or function a RESTORE finds already there when it
        holds several (collisions_fit). Returns the first pair of replies
        that differ, else the last."""
        a, b = self.both(args)
        libs, fns = self.functions_loaded()
        if a != b and not (libs > 1 and a[:1] == b[:1] == b"$"):
            return a, b
        if a[:1] == b"$" and len(args) == 2:
            DUMPS.append((bulk(a), fns))
            if a != b and b[:1] == b"$":
                DUMPS.append((bulk(b), fns))
        if DUMPS and random.random() < 0.7:
            pay, fns = pick(DUMPS)
        else:
            pay, fns = libraries_payload()
        if random.random() < 0.15:      # a checksum or a length that fails
            pay = pick([pay[:-1] + bytes([pay[-1] ^ 1]),
                        pay[:len(pay) // 2], b"x"])
        steps = [["FUNCTION", "FLUSH"]] if random.random() < 0.3 else []
        steps.append(["FUNCTION", "RESTORE", pay] + one_of(
            [], [], ["FLUSH"], ["APPEND"], ["REPLACE"], ["replace"],
            ["BOGUS"], ["FLUSH", "APPEND"]))
        for step in steps:
            log.append(step)
            a, b = collisions_fit(*self.both(step), fns > 1)
            if a != b:
                return a, b
        return a, b

    def functions_loaded(self):
        """How many libraries and functions the reference holds."""
        libs = h.parse(self.ref.request(0, h.encode("FUNCTION", "LIST")))
        if not isinstance(libs, list):
            return 0, 0
        fns = 0
        for lib in libs:
            pairs = lib if isinstance(lib[0], tuple) or \
                isinstance(lib[0], list) else list(zip(lib[::2], lib[1::2]))
            fns += sum(len(v) for k, v in pairs if k == b"functions")
        return len(libs), fns

    def type_of(self, name):
        """TYPE of a key, asked of both (so both count the lookup); the
        reference's word."""
        a, _ = self.both(["TYPE", name])
        return a[1:-2].decode(errors="replace")

    def fit_sort(self, args):
        """A drawn SORT fitted to its key's type (sort_fit): its compare
        mode and arguments. Redis 7.0's SORT takes errno's ERANGE after
        strtod as a score that does not convert without clearing errno
        first, so an overflow left by an earlier command (an element or
        BY value of 1e309, a ZADD of one) fails a later SORT of plain
        numbers; a new connection resets errno (the accept loop ends in
        EAGAIN), and so one is opened on the reference first (README)."""
        with self.ref.server.conn(timeout=compat.REPLY_TIMEOUT) as c:
            c.call("PING")
        return sort_fit(args, self.type_of(args[1]) if len(args) > 1
                        else "none", self.subs and "m" in self.flags)

    def encoding_fit(self, args, a, b):
        """OBJECT ENCODING and REFCOUNT replies, a and b, as equal where
        README documents the difference and the rest holds: a set
        Redis 7.0 keeps as a hashtable may be a listpack on Respite
        (set_encoding); a string is encoded by its content on Respite
        (int, embstr up to 44 bytes, raw) where Redis's APPEND, SETRANGE,
        INCRBYFLOAT, SETBIT, PFADD... leave raw or embstr, and its
        REFCOUNT is the shared one's (2147483647) when that content is 0
        to 9999, where Redis's such a string is 1 when not int-encoded
        or when COPY made it (a copy of a shared integer is not shared).
        IDLETIME: within 2 s (a second can tick between the calls), and
        any for a string Redis shares, whose idle time is the shared
        object's (README)."""
        if len(args) != 3:
            return a, b
        sub = args[1].upper()
        if sub == "IDLETIME":
            a, b = near(a, b)
        if a == b:
            return a, b
        if sub == "IDLETIME":
            ra, _ = self.both(["OBJECT", "REFCOUNT", args[2]])
            return (a, a) if ra == b":2147483647\r\n" else (a, b)
        kind = self.type_of(args[2])
        if kind == "set" and sub == "ENCODING":
            return a, set_encoding(b)
        if kind != "string":
            return a, b
        va, vb = self.both(["GET", args[2]])
        content = content_encoding(bulk(va))
        if va != vb:
            return a, b
        if sub == "ENCODING" and bulk(a) in (b"raw", b"embstr") and \
                bulk(b) == content:
            return a, a
        if sub == "REFCOUNT":
            shared = content == b"int" and 0 <= int(bulk(va)) <= 9999
            if shared and a == b":1\r\n" and b == b":2147483647\r\n":
                return a, a
        return a, b

    def compare_batch(self, batch):
        """The (mode, args) of batch sent to each side in one write, as a
        pipelining client does, so the server reads them together (and
        looks ahead for their keys); the replies in order, normalised."""
        data = [h.encode(*args) for _, args in batch]
        ra, rb = self.ref.pipeline(0, data), self.sut.pipeline(0, data)
        return [self.normalise(mode, args, a, b)
                for (mode, args), a, b in zip(batch, ra, rb)]

    def equal_scores(self, key):
        """Whether a lex range is defined on key: Redis documents lex
        ranges only for members of one score, and otherwise its answer
        depends on the encoding and on a skip list's random levels. Asked
        of both, so both publish the same keymiss."""
        data = h.encode("ZRANGE", key, "0", "-1", "WITHSCORES")
        raw = self.ref.request(0, data)
        self.sut.request(0, data)
        if raw[:1] != b"*":
            return True                 # an error or nothing: defined
        items = h.parse(raw)
        if items and isinstance(items[0], list):
            scores = [pair[1] for pair in items]          # RESP3 pairs
        else:
            scores = items[1::2]
        return len(set(scores)) <= 1

    @staticmethod
    def normalise(mode, args, a, b):
        # b is Respite's: Redis 7.2/7.4's additions turned into 7.0's.
        b = compat.as_7_0(args, b)
        a, b = collisions_fit(a, b, loads_several([args]))
        if mode == "sorted":
            a, b = compat.sorted_elements(pairwise(args, a)), \
                compat.sorted_elements(pairwise(args, b))
        elif mode == "shape":
            a, b = compat.shape(a), compat.shape(b)
        elif mode == "xinfo":
            a, b = xinfo_times(a), xinfo_times(b)
        elif mode == "functions":
            a, b = function_list_sorted(a), function_list_sorted(b)
        elif mode == "ttl":
            in_ms = args[0] in ("PTTL", "PEXPIRETIME")
            a, b = near(a, b, TTL_MARGIN_MS if in_ms else 2)
        return a, b

    def compare_scan(self, args):
        """A whole SCAN-family iteration on each side: what it returned, as
        a sorted list (pairs kept together for HSCAN and ZSCAN). How many
        calls an iteration takes, and so how many lookups it counts, is
        each server's own: the count of keyspace lookups skips them."""
        name, rest = args[0].encode(), args[1:]
        key = tuple(rest[:1]) if name != b"SCAN" else ()
        before = self.lookups()
        out = tuple(side.scan(0, rest[len(key):], name, key)
                    for side in (self.ref, self.sut))
        self.base = [b + n - m for b, n, m in
                     zip(self.base, self.lookups(), before)]
        return out

    def dump(self, side):
        """The keyspace of the round's connection's database (dumped)."""
        return dumped(lambda *args: side.request(0, h.encode(*args)))

    def lookups(self):
        """Each side's keyspace_hits + keyspace_misses: which lookups
        count as reads (and so publish keymiss) is Redis's choice per
        command, and the sum does not depend on whether a key past its
        time was found so or swept before."""
        out = []
        for side in (self.ref, self.sut):
            info = h.parse(side.request(0, h.encode("INFO", "stats")))
            if isinstance(info, bytes):
                info = info.decode(errors="replace")
            fields = dict(line.split(":", 1) for line in info.split("\r\n")
                          if ":" in line)
            out.append(int(fields["keyspace_hits"]) +
                       int(fields["keyspace_misses"]))
        return out

    @staticmethod
    def same_state(da, db):
        """Same content, and TTLs within TTL_MARGIN_MS (the two dumps are
        taken one after the other)."""
        if da[0] != db[0] or len(da[1]) != len(db[1]):
            return False
        for a, b in zip(da[1], db[1]):
            if a != b and near(a, b, TTL_MARGIN_MS)[0] != a:
                return False
            if (a[:2] == b":-") != (b[:2] == b":-"):
                return False
        return True

    def draw(self, exact_only=False, lex_ok=True):
        while True:
            _, mode, make = random.choices(self.table, self.weights)[0]
            args = make()
            if (mode == "exact" or not exact_only) and (
                    lex_ok or lex_key(args) is None):
                break
        if random.random() < 0.02 and args[0] not in RANDOM_PICKS:
            args = args[:random.randint(1, len(args))]
        return mode, args

    def transaction(self, log, limit=False):
        """Now and then WATCH of a key or two and a command that may touch
        them on this same connection (UNWATCH after it, rarely); then
        MULTI, a few commands (tx_command), then EXEC or DISCARD: the
        queued replies and the EXEC array compared whole. With limit,
        the out of memory plan's limit is set from the second connection
        once one or more commands are queued. Returns the first
        difference."""
        pre = []
        if random.random() < 0.03:
            diff = self.watch_expired(log)
            if diff:
                return diff
        elif random.random() < 0.3:
            pre.append(["WATCH"] + some(KEYS, 1, 2))
            if random.random() < 0.7:
                pre.append(self.untimed_write())
            if random.random() < 0.15:
                pre.append(["UNWATCH"])
        body = [self.tx_command() for _ in range(random.randint(1, 4))]
        end = ["DISCARD"] if random.random() < 0.15 else ["EXEC"]
        at = self.oom.rng.randint(2, len(body) + 1) + len(pre) \
            if limit else None
        for j, args in enumerate(pre + [["MULTI"]] + body + [end]):
            if j == at:
                diff = self.set_limit(log, conn=1)
                if diff:
                    return diff
            log.append(args)
            a, b = collisions_fit(*self.both(args), loads_several(
                body if args is end else [args]))
            if a != b:
                return a, b
            if j == len(pre) and a != b"+OK\r\n":
                return None     # not in MULTI: a blocking body would wait
        return None

    def watch_expired(self, log):
        """SET of a key with a TTL of 40 ms, WATCH of it, 60 ms of pause,
        then TYPE of it: it expires while watched, so EXEC aborts. The
        TYPE deletes it if the sweeper has not yet, so that it is gone
        before MULTI either way: Redis queues no more flags once a
        watched key is gone, so whether EXEC of a denyoom command over
        the limit (OOM_IN_MULTI) is refused as OOM or answers null would
        depend on the sweeper (seed 8017 with --oom-share 0.6). The
        margins are wide enough for a busy machine."""
        name = key("s")
        for args in (["SET", name, "v", "PX", "40"], ["WATCH", name],
                     None, ["TYPE", name]):
            if args is None:
                time.sleep(0.06)
                continue
            log.append(args)
            a, b = self.both(args)
            if a != b:
                return a, b
        return None

    def tx_command(self):
        """A command to queue: mostly an exact one, else a blocking one with
        no timeout (at once inside MULTI), or one refused while queueing
        (EXECABORT): unknown, wrong arity, nested MULTI, WATCH. Never EXEC
        or DISCARD with an argument: that arity error ends the transaction
        (Redis 7.0), and a blocking command after it would wait."""
        r = random.random()
        if r < 0.12:
            return blocking_forever()
        if r < 0.18:
            return pick([["NOSUCHCMD", "x"], ["GET"], ["SET", key("s")],
                         ["MULTI"], ["MULTI", "x"], ["WATCH", key()],
                         ["UNWATCH"]])
        return self.draw(exact_only=True, lex_ok=False)[1]

    def untimed_write(self):
        """A drawn exact command, but not XSETID: Redis 7.0's leaves WATCH
        alone."""
        write = self.draw(True, False)[1]
        while write[0] == "XSETID":
            write = self.draw(True, False)[1]
        return write

    def watched(self, log):
        """A second connection WATCHes keys, this one runs a command that
        may touch them, and the second's MULTI/EXEC runs or aborts."""
        queued = self.draw(True, False)[1]
        steps = [(1, ["WATCH"] + some(KEYS, 1, 2)), (0, self.untimed_write()),
                 (1, ["MULTI"]), (1, queued), (1, ["EXEC"])]
        for conn, args in steps:
            diff = self.send_both(log, conn, args, [queued])
            if diff:
                return diff
        return None

    def send_both(self, log, conn, args, queued=()):
        """Sends args on connection conn of both servers, logged; the two
        replies if they differ, else None. queued: the commands an EXEC
        runs, for collisions_fit."""
        log.append((["@2"] if conn else []) + args)
        data = h.encode(*args)
        a, b = collisions_fit(self.ref.request(conn, data),
                              compat.as_7_0(args, self.sut.request(conn, data)),
                              loads_several([args] + list(queued)))
        self.last_reply = a
        return (a, b) if a != b else None

    def limits(self, tight):
        """The compact encodings' limits both servers share: Redis's
        defaults, or (tight) a few entries and bytes, so that conversions
        both ways happen with small values. Sets have only
        set-max-intset-entries: Redis 7.0 has no set-max-listpack-*."""
        self.limit_values = []
        for name, default, small in LIMITS:
            args = ["CONFIG", "SET", name, pick(small) if tight else default]
            self.limit_values += ["--" + name, args[3]]
            for side in (self.ref, self.sut):
                rep = side.request(0, h.encode(*args))
                if rep != b"+OK\r\n":
                    raise h.ServerError("%s: %r" % (" ".join(args), rep))

    def listen(self, flags, log):
        """Sets notify-keyspace-events to flags on both (every round, since
        the servers outlive it) and, for a notification round, opens a
        subscriber on each, in the round's protocol, to every keyspace
        and keyevent channel and the marker's. Returns the first
        difference in the replies."""
        for args in (["CONFIG", "SET", "notify-keyspace-events", flags],
                     ["CONFIG", "GET", "notify-keyspace-events"]):
            log.append(args)
            a, b = self.both(args)
            if a != b:
                return a, b
        self.flags = flags
        if not flags:
            return None
        self.subs, self.expired = [], [collections.Counter() for _ in "ab"]
        for side in (self.ref, self.sut):
            c = side.server.conn(timeout=compat.REPLY_TIMEOUT)
            self.subs.append(c)
            if self.proto == 3:
                c.call("HELLO", "3")
            c.send(h.encode("SUBSCRIBE", MARKER)
                   + h.encode("PSUBSCRIBE", "__key*__:*"))
        log.append(["SUBSCRIBE", MARKER.decode()])
        log.append(["PSUBSCRIBE", "__key*__:*"])
        a, b = (b"".join(c.read_n(2)) for c in self.subs)
        return (a, b) if a != b else None

    def notified(self):
        """The notifications of the commands run since the last call, on
        each side: PUBLISH a new marker on the main connection, then read
        the subscriber up to it. A server runs one command at a time and
        every reply before the marker's was read, so whatever they
        published is queued ahead of the marker, in order. Expired events
        are set aside in self.expired (see the docstring)."""
        self.marks += 1
        mark = b"%d" % self.marks
        out, self.window_expired = [], []
        for side, sub, expired in zip((self.ref, self.sut), self.subs,
                                      self.expired):
            got = []
            out.append(got)
            self.window_expired.append(collections.Counter())
            rep = side.request(0, h.encode("PUBLISH", MARKER, mark))
            if rep != b":1\r\n":
                got.append(b"<PUBLISH of the marker replied %r>" % rep)
                continue
            try:
                while True:
                    raw = sub.read_raw()
                    msg = h.parse(raw)
                    if msg[1:] == [MARKER, mark]:
                        break
                    event = subject(msg)[3]
                    if event == b"expired":
                        expired[raw] += 1
                        self.window_expired[-1][subject(msg)[:3]] += 1
                    elif event == b"evicted" and self.oom and \
                            self.oom.policy != "noeviction":
                        expired[as_expired(raw)] += 1
                    else:
                        got.append(raw)
            except socket.timeout:
                got.append(b"<no marker within %ds>" % compat.REPLY_TIMEOUT)
            except (OSError, ConnectionError, h.ProtocolError) as e:
                got.append(b"<subscriber: %s>" % str(e).encode())
        return out

    def touch_all(self):
        """TYPE of every key in both databases of both servers, from a
        connection of their own, so that each key past its time goes now,
        with its expired message."""
        for side in (self.ref, self.sut):
            with side.server.conn(timeout=compat.REPLY_TIMEOUT) as c:
                for db in ("0", "1"):
                    c.call("SELECT", db)
                    for k in KEYS:
                        c.call("TYPE", k)

    def expired_differ(self):
        """The expired messages of the whole round, compared as multisets:
        when they differ, after 300 ms (three sweeps) and a TYPE of every
        key in both databases, so any key past its time is gone on both
        whichever way it went. Returns the difference, or None."""
        if self.expired[0] != self.expired[1]:
            time.sleep(0.3)
            self.touch_all()
            self.notified()             # only the expired ones count now
        a, b = self.expired
        if a == b:
            return None
        return (b" | ".join(b"%s x%d" % (event_text(m), a[m] - b[m])
                            for m in sorted(a - b)),
                b" | ".join(b"%s x%d" % (event_text(m), b[m] - a[m])
                            for m in sorted(b - a)))

    def plan_oom(self, seed, n, flags):
        """The round's out of memory plan, or None, from a generator of its
        own (so a seed sends the same commands either way): after how many
        commands the limit is set, under which policy, and whether in a
        transaction. allkeys-random only where evicted and expired
        notifications are both published or neither (see the docstring)."""
        rng = random.Random("oom %d" % seed)
        if rng.random() >= self.oom_share:
            return None
        at = rng.randint(n // 3, 2 * n // 3)
        policy = rng.choice(OOM_POLICIES)
        if flags and publishes(flags, "x") != publishes(flags, "e"):
            policy = "noeviction"
        return OomPlan(rng, at, policy, rng.random() < OOM_IN_MULTI,
                       at + max(1, n // 6))

    def plan_reload(self, seed, n):
        """The round's reload plan, or None, from a generator of its own
        (so a seed sends the same commands either way): one to
        RELOAD_POINTS points among its commands."""
        rng = random.Random("reload %d" % seed)
        if rng.random() >= self.reload_share or n < 2:
            return None
        return ReloadPlan(rng, sorted(rng.randrange(1, n) for _ in
                                      range(rng.randint(1, RELOAD_POINTS))))

    def reload_due(self, i):
        """Whether the reload plan has a point at or before command i
        left; takes it if so."""
        plan = self.reload
        if plan and plan.at and i >= plan.at[0]:
            plan.at.pop(0)
            return True
        return False

    def reload_args(self):
        """What a reload point sends: mostly DEBUG RELOAD, which saves,
        empties and loads back, else with MERGE NOFLUSH (each key and
        library replaced by the file's), a SAVE, or a bad option; once
        the round has saved, NOSAVE too, which takes the keyspace back
        to that file (with MERGE NOFLUSH: merges it into the current
        one). Never NOFLUSH alone: Redis panics on a key in both. No
        NOSAVE over an allkeys-random limit, which would evict what it
        loads (the round's eviction is all at once, see the docstring)."""
        rng = self.reload.rng
        options = [[], [], [], [], [], ["MERGE", "NOFLUSH"],
                   ["NOFLUSH", "merge"], None, [rng.choice(
                       ["BOGUS", "NOSAVEX", "", "MERGE NOFLUSH"])]]
        evicting = self.limited and self.oom.policy != "noeviction"
        if self.reload.saved and not evicting:
            options += [["NOSAVE"], ["NOSAVE"], ["NOSAVE", "MERGE", "NOFLUSH"],
                        ["noflush", "NOSAVE", "MERGE"]]
        opts = rng.choice(options)
        return ["SAVE"] if opts is None else ["DEBUG", "RELOAD"] + opts

    def reloaded(self, args, reply):
        """Notes a file saved by args (SAVE or DEBUG RELOAD without NOSAVE)
        that replied reply. A load that failed partway (both replied
        the same error: a MERGE NOFLUSH whose file holds a library that
        can not join the ones in memory) keeps the libraries read before
        the one that failed, and each server's file lists them in its own
        order (Redis's follows a hash seed, README), so FUNCTION FLUSH
        on both leaves the same (seed 4192 with --notify-share 1)."""
        if reply == b"+OK\r\n" and "NOSAVE" not in [a.upper() for a in args]:
            self.reload.saved = True
        if reply.startswith(b"-ERR Error trying to load"):
            for side in (self.ref, self.sut):
                if side.request(0, h.encode("FUNCTION", "FLUSH")) != \
                        b"+OK\r\n":
                    raise h.ServerError("FUNCTION FLUSH failed")

    def reload_step(self, log):
        """A reload point on its own (reload_args), replies compared; the
        difference, or None."""
        args = self.reload_args()
        diff = self.send_both(log, 0, args)
        if not diff:
            self.reloaded(args, self.last_reply)
        return diff

    def cross_load(self, log):
        """DEBUG RELOAD on both (replies compared), which leaves each one's
        dump.rdb and its keyspace as loaded from it (encodings
        converted); then a new redis-server on Respite's file and a new
        Respite on the reference's, each in a directory of its own and
        with the round's encoding limits (limits): every
        database of the first (dumped_server) compared with the
        reference's, of the second with Respite's (which equals the
        reference's, the round's dumps say), encodings included. The
        first difference as (what, a, b), or None."""
        args = ["DEBUG", "RELOAD"]
        diff = self.send_both(log, 0, args)
        if diff:
            return ("reply",) + diff
        pairs = ((self.sut, compat.REF_BIN, self.ref, "redis on respite's"),
                 (self.ref, None, self.sut, "respite on redis's"))
        for saver, binary, peer, what in pairs:
            d = tempfile.mkdtemp(dir=h.scratch_dir())
            shutil.copy(os.path.join(saver.server.cwd, "dump.rdb"), d)
            fresh = h.Server("--dir", d, *self.limit_values, binary=binary,
                             name="diff-cross", tracked=False, cwd=d)
            try:
                fresh.start()
                da, db = dumped_server(peer.server), dumped_server(fresh)
            except h.ServerError as e:
                return what + " file: start", b"", str(e).encode()
            finally:
                fresh.stop()
                shutil.rmtree(d, True)
            crash = fresh.sanitizer_report()
            if crash:
                return what + " file: sanitizer", b"", crash.encode()
            if not self.same_state(da, db):
                return what + " file: state", show(da), show(db)
        return None

    def limit_args(self):
        """The CONFIG SETs that put both servers over their limit: with
        allkeys-random, no time limit on eviction first, so that the
        CONFIG SET of maxmemory evicts every key before it replies."""
        out = [["CONFIG", "SET", "maxmemory-policy", self.oom.policy],
               ["CONFIG", "SET", "maxmemory", "1"]]
        if self.oom.policy != "noeviction":
            out.insert(0, ["CONFIG", "SET", "maxmemory-eviction-tenacity",
                           "100"])
        return out

    def set_limit(self, log, conn=0):
        """Sends limit_args() on connection conn of both, replies compared;
        the first difference, or None."""
        self.limited = True
        for args in self.limit_args():
            diff = self.send_both(log, conn, args)
            if diff:
                return diff
        return None

    def unlimit(self):
        """maxmemory and its policy and tenacity back to the defaults on
        both, from a connection of their own (the round's may be dead or
        in MULTI), whichever way the round ended."""
        for side in (self.ref, self.sut):
            try:
                with side.server.conn(timeout=compat.REPLY_TIMEOUT) as c:
                    for args in (["maxmemory", "0"],
                                 ["maxmemory-policy", "noeviction"],
                                 ["maxmemory-eviction-tenacity", "10"]):
                        rep = c.call("CONFIG", "SET", *args)
                        if rep != b"+OK\r\n":
                            raise h.ServerError("CONFIG SET %s: %r"
                                                % (" ".join(args), rep))
            except (OSError, ConnectionError, h.ProtocolError):
                pass            # a server that died: reported elsewhere

    def round(self, seed, n):
        """One round (see play); whatever way it ends, the out of memory
        plan's limit is lifted, so the next round is not affected."""
        SCRIPT_BODIES.clear()
        FUNCTION_KEYS.clear()
        DUMPS.clear()
        try:
            return self.play(seed, n)
        finally:
            if self.oom:
                self.unlimit()
            self.oom, self.limited, self.reload = None, False, None

    def play(self, seed, n):
        random.seed(seed)
        WIDE[0] = random.random() < 0.3
        MEMBERS[:], FIELDS[:] = NARROW
        if WIDE[0]:
            MEMBERS.extend(EXTRA)
            FIELDS.extend(EXTRA)
        if random.Random("ints %d" % seed).random() < INT_SHARE:
            MEMBERS[:] = INT_MEMBERS + [m for m in MEMBERS if m.isdigit()]
        pipelined = random.random() < 0.3
        self.open()
        for side in (self.ref, self.sut):      # FLUSHALL keeps them
            for what in ("FUNCTION", "SCRIPT"):
                if side.request(0, h.encode(what, "FLUSH")) != b"+OK\r\n":
                    raise h.ServerError("%s FLUSH failed" % what)
        self.limits(random.random() < 0.3)
        self.base = self.lookups()
        # Its own generator, so a seed sends the same commands either way.
        notes = random.Random("notify %d" % seed)
        flags = notes.choice(self.notify_flags) \
            if notes.random() < self.notify_share else ""
        log = []
        diff = self.listen(flags, log)
        if diff:
            return mismatch(seed, log, "setup", *diff)
        self.oom = plan = self.plan_oom(seed, n, flags)
        self.reload = self.plan_reload(seed, n)
        cross = random.Random("cross %d" % seed).random() < self.cross_share
        self.dumps.start(seed, n)
        i = checked = heard = 0
        since = len(log)
        while i < n:
            # The limit is due from command plan.at on; a plan for a
            # transaction waits for one up to plan.wait_until.
            due = plan and not self.limited and i >= plan.at
            waits = due and plan.in_multi and i < plan.wait_until
            reload = self.reload_due(i)
            i += 1
            piped = pipelined and random.random() < 0.5
            if reload and self.subs:
                # A key past its time is dropped by a load without a
                # message, by a sweep with one: which comes first is
                # timing (seed 800214 on respite-san).
                self.touch_all()
            if self.dumps.due(i - 1):
                diff = self.dumps.point(log, self.limited)
                if diff:
                    return mismatch(seed, log, "dump point: %s" % diff[0],
                                    *diff[1:])
            if reload and not piped:
                diff = self.reload_step(log)
                if diff:
                    return mismatch(seed, log, "reply", *diff)
            if piped:
                batch = [self.draw(lex_ok=False)
                         for _ in range(random.randint(2, 16))]
                batch = [b for b in batch if b[0] not in ALONE] \
                    or [batch[0]]
                if batch[0][0] in ALONE:
                    batch = [("exact", ["PING"])]
                sent = len(batch)
                if due and not waits:   # somewhere in the pipeline
                    at = plan.rng.randint(0, len(batch))
                    batch[at:at] = [("exact", a) for a in self.limit_args()]
                    self.limited = True
                if reload:              # the reload too
                    at = self.reload.rng.randint(0, len(batch))
                    batch.insert(at, ("exact", self.reload_args()))
                log.extend(args for _, args in batch)
                for j, (a, b) in enumerate(self.compare_batch(batch)):
                    if a != b:
                        return mismatch(seed, log, "reply %d of the pipeline "
                                        "ending at" % (j + 1), a, b)
                    if reload and j == at:
                        self.reloaded(batch[j][1], a)
                i += sent - 1
            elif random.random() < 0.04:
                in_tx = random.random() < 0.7
                if due and not (in_tx and plan.in_multi) and not waits:
                    diff = self.set_limit(log)
                    if diff:
                        return mismatch(seed, log, "reply", *diff)
                diff = (self.transaction(log, due and plan.in_multi)
                        if in_tx else self.watched(log))
                if diff:
                    return mismatch(seed, log, "reply", *diff)
                # then the checks, as after any command
            else:
                if due and not waits:
                    diff = self.set_limit(log)
                    if diff:
                        return mismatch(seed, log, "reply", *diff)
                mode, args = self.draw()
                if lex_key(args) and not self.equal_scores(lex_key(args)):
                    continue
                if mode == "sort":
                    mode, args = self.fit_sort(args)
                log.append(args)
                if mode == "scan" and self.subs and "TYPE" in args:
                    report = self.hear(seed, log[:-1], since)
                    if report:
                        return report
                    since = len(log) - 1
                    a, b = self.compare_scan(args)
                    report = self.hear(seed, log, since, typed_scan=True)
                    if report:
                        return report
                    since = len(log)
                elif mode == "scan":
                    a, b = self.compare_scan(args)
                elif mode == "expire":
                    a, b = self.expire_touch(log, args)
                elif mode == "fdump":
                    a, b = self.function_dump(log, args)
                else:
                    a, b = self.compare(mode, args)
                if a != b:
                    return mismatch(seed, log, "reply", a, b)
            if i // CHECK_EVERY > checked or i >= n:
                checked = i // CHECK_EVERY
                da, db = self.dump(self.ref), self.dump(self.sut)
                if not self.same_state(da, db):
                    return mismatch(seed, log, "state after", show(da),
                                    show(db))
                ra, rb = (n - b for n, b in zip(self.lookups(), self.base))
                if ra != rb:
                    return mismatch(seed, log, "keyspace hits + misses "
                                    "since the round began, after", ra, rb)
            if self.subs and (i // self.notify_every > heard or i >= n):
                heard = i // self.notify_every
                report = self.hear(seed, log, since)
                if report:
                    return report
                since = len(log)
        if self.subs:
            report = self.hear(seed, log, since)
            if report:
                return report
            diff = self.expired_differ()
            if diff:
                return mismatch(seed, log, "expired notifications over the "
                                "round, after", *diff)
        if cross:
            diff = self.cross_load(log)
            if diff:
                return mismatch(seed, log, "cross-load (%s) after" % diff[0],
                                *diff[1:])
        return None

    def hear(self, seed, log, since, typed_scan=False):
        """The notifications since command `since` on both, compared in
        order; a report of the first difference, or None. After a SCAN
        with TYPE, keymiss is checked on each side against expired, then
        left out (see the docstring)."""
        a, b = self.notified()
        paired = "m" in self.flags and ("x" in self.flags or
                                        "A" in self.flags)
        if typed_scan and paired:
            for side, got, expired in zip(("redis", "respite"), (a, b),
                                          self.window_expired):
                missed = collections.Counter(
                    subject(m)[:3] for m in got if subject(m)[3] == b"keymiss")
                if missed != expired:
                    return mismatch(seed, log, "keymiss of SCAN TYPE on %s at"
                                    % side, keys_text(expired),
                                    keys_text(missed), ("expired", "keymiss"))
        if typed_scan:
            a, b = ([m for m in got if subject(m)[3] != b"keymiss"]
                    for got in (a, b))
        if a == b and not any(m[:1] == b"<" for m in a):
            return None
        k = next((j for j, (x, y) in enumerate(zip(a, b)) if x != y),
                 min(len(a), len(b)))
        raw = k < min(len(a), len(b)) and \
            event_text(a[k]) == event_text(b[k])
        return mismatch(seed, log, "notification %d since command %d, at"
                        % (k + 1, since), events(a, k, raw), events(b, k, raw))


def set_encoding(rep):
    """A set's OBJECT ENCODING reply with listpack read as hashtable:
    Respite keeps small sets of strings as Redis 7.2 does, in a listpack,
    where Redis 7.0 has a hash table (README); intsets are the same."""
    return b"$9\r\nhashtable\r\n" if rep == b"$8\r\nlistpack\r\n" else rep


def dumped(call):
    """The whole keyspace of a connection's database, call(*args) giving
    a raw reply: a line a key with its type and content (a stream's
    groups, consumers and PELs too, its times by sign as xinfo_times
    has them; a hash's, sorted set's or list's encoding, compared
    exactly where the encoding mode does), and its PTTL as a number for
    same_state to compare within a margin; the function libraries last."""
    lines, ttls = [], []
    for k in KEYS:
        t = call("TYPE", k)
        lines.append(k.encode() + b" " + t)
        t = t.strip(b"+\r\n")
        read = {b"string": ["GET", k], b"hash": ["HGETALL", k],
                b"list": ["LRANGE", k, "0", "-1"], b"set": ["SMEMBERS", k],
                b"zset": ["ZRANGE", k, "0", "-1", "WITHSCORES"],
                b"stream": ["XRANGE", k, "-", "+"]}.get(t)
        if not read:
            continue
        rep = call(*read)
        if t in (b"hash", b"set"):
            rep = compat.sorted_elements(pairwise(read, rep))
        lines.append(rep)
        if t == b"stream":
            args = ["XINFO", "STREAM", k, "FULL"]
            lines.append(xinfo_times(compat.as_7_0(args, call(*args))))
        if t in (b"hash", b"zset", b"list"):
            lines.append(call("OBJECT", "ENCODING", k))
        if t == b"set":
            lines.append(set_encoding(call("OBJECT", "ENCODING", k)))
        ttls.append(call("PTTL", k))
    lines.append(function_list_sorted(call("FUNCTION", "LIST", "WITHCODE")))
    return lines, ttls


def dumped_server(server, dbs=("0", "1")):
    """dumped() of every database the rounds use, on a new connection
    (RESP2) to server."""
    out = ([], [])
    with server.conn(timeout=compat.REPLY_TIMEOUT) as c:
        for db in dbs:
            c.call("SELECT", db)
            lines, ttls = dumped(c.call)
            out[0].extend([b"db" + db.encode()] + lines)
            out[1].extend(ttls)
    return out


class ReloadPlan:
    """Where a round reloads (Differ.plan_reload): before the commands
    numbered in `at`, in order; rng draws what each reload sends, saved
    says whether a file of this round is there for NOSAVE to load."""

    def __init__(self, rng, at):
        self.rng, self.at, self.saved = rng, at, False


class OomPlan:
    """When and how a round goes out of memory (Differ.plan_oom): the
    limit is due after `at` commands, under `policy`; with in_multi, in
    the first transaction from then on, unless none comes before
    wait_until. rng draws where in a pipeline or transaction."""

    def __init__(self, rng, at, policy, in_multi, wait_until):
        self.rng, self.at, self.policy = rng, at, policy
        self.in_multi, self.wait_until = in_multi, wait_until


def publishes(flags, cls):
    """Whether notify-keyspace-events flags publish the class cls."""
    return cls in flags or (cls in "g$lshzxet" and "A" in flags)


def as_expired(raw):
    """An evicted message (keyspace or keyevent, RESP2 or 3) as the expired
    one of the same key: the two words have the same length, and no key
    of the rounds holds either."""
    return raw.replace(b"evicted", b"expired")


def subject(msg):
    """(channel kind, db, key, event) of a keyspace or keyevent message
    (raw or parsed), else Nones."""
    if isinstance(msg, bytes):
        try:
            msg = h.parse(msg)
        except Exception:
            msg = None
    if isinstance(msg, list) and len(msg) == 4 and msg[2][:2] == b"__":
        kind, _, rest = msg[2].partition(b"@")
        db, _, name = rest.partition(b"__:")
        if kind == b"__keyspace":
            return kind, db, name, msg[3]
        return kind, db, msg[3], name
    return None, None, None, None


def keys_text(counter):
    """subject()s counted, for a report."""
    return b" ".join(b"%s@%s:%s" % t for t in sorted(counter.elements()))


def event_text(raw):
    """A message as "channel payload", or its bytes if it is not one."""
    try:
        msg = h.parse(raw)
    except Exception:
        return raw
    if isinstance(msg, list) and len(msg) == 4 and \
            all(isinstance(x, bytes) for x in msg):
        return msg[2] + b" " + msg[3]
    return raw


def events(seq, k, raw=False):
    """The messages of seq around index k (raw bytes when only the
    encoding differs), for a report."""
    lo = max(0, k - 3)
    shown = [m if raw else event_text(m) for m in seq[lo:k + 8]]
    return ((b"... " if lo else b"") + b" | ".join(shown)
            + (b" | ..." if k + 8 < len(seq) else b" (end)"))


def lex_key(args):
    """The sorted set a lex range command reads, else None."""
    name = args[0]
    if name in ("ZRANGEBYLEX", "ZREVRANGEBYLEX", "ZLEXCOUNT",
                "ZREMRANGEBYLEX") and len(args) > 1:
        return args[1]
    if name == "ZRANGE" and "BYLEX" in args:
        return args[1]
    if name == "ZRANGESTORE" and "BYLEX" in args:
        return args[2]
    return None


def pairwise(args, raw):
    """HGETALL-like flat replies become one element a pair before sorting,
    so a value cannot be matched with another field."""
    name = args[0].upper()
    if raw[:1] != b"*" or not (name == "HGETALL" or (
            name in ("HRANDFIELD", "ZRANDMEMBER")
            and ("WITHVALUES" in args or "WITHSCORES" in args))):
        return raw
    try:
        flat = h.parse(raw)
    except Exception:
        return raw
    if not isinstance(flat, list) or not all(
            isinstance(x, bytes) for x in flat):
        return raw          # not flat: RESP3 pairs are sorted as they are
    items = [h.encode(flat[j], flat[j + 1]) for j in range(0, len(flat) - 1, 2)]
    return b"*%d\r\n" % len(items) + b"".join(items)


def near(a, b, margin=2):
    """Integer replies within margin of each other count as equal."""
    try:
        if a[:1] == b[:1] == b":" and abs(int(a[1:-2]) - int(b[1:-2])) <= margin:
            return a, a
    except ValueError:
        pass
    return a, b


def show(dump):
    lines, ttls = dump
    return b"\n".join(lines) + b"\nPTTLs: " + b" ".join(t.strip() for t in ttls)


def mismatch(seed, log, what, a, b, labels=("redis", "respite")):
    lines = ["seed %d: %s command %d differs" % (seed, what, len(log))]
    for args in log[-40:]:
        lines.append("    " + " ".join(
            repr(x) if (isinstance(x, bytes) or " " in x or not x) else x
            for x in args))
    for label, x in zip(labels, (a, b)):
        lines.append("  %-8s %s" % (label + ":", compat.clip(x, 1500)))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--commands", type=int, default=300)
    ap.add_argument("--resp", choices=["2", "3", "both"], default="both",
                    help="protocol of the rounds (both: alternate)")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--notify-flags", help="notify-keyspace-events values "
                    "of the notification rounds, comma separated")
    ap.add_argument("--notify-share", type=float, default=NOTIFY_SHARE,
                    help="share of the rounds that compare notifications "
                    "(default %.1f)" % NOTIFY_SHARE)
    ap.add_argument("--notify-every", type=int, default=CHECK_EVERY,
                    help="commands between notification checks (1 to find "
                    "the command that differs)")
    ap.add_argument("--oom-share", type=float, default=OOM_SHARE,
                    help="share of the rounds that go out of memory "
                    "partway (default %.1f)" % OOM_SHARE)
    ap.add_argument("--reload-share", type=float, default=RELOAD_SHARE,
                    help="share of the rounds that DEBUG RELOAD partway "
                    "(default %.1f)" % RELOAD_SHARE)
    ap.add_argument("--cross-share", type=float, default=CROSS_SHARE,
                    help="share of the rounds that end with each server "
                    "loading the other's SAVE (default %.3f)" % CROSS_SHARE)
    dump_share = diff_dump.DUMP_SHARE
    ap.add_argument("--dump-share", type=float, default=dump_share,
                    help="share of the rounds that DUMP and RESTORE across "
                    "the servers partway (default %.2f)" % dump_share)
    opts = ap.parse_args()
    # DEBUG on both, each in a directory of its own (DEBUG RELOAD and SAVE
    # write dump.rdb there).
    ref_server, sut_server = compat.start_pair("diff")
    differ = Differ(compat.Side(ref_server), compat.Side(sut_server), 2)
    if opts.notify_flags:
        differ.notify_flags = opts.notify_flags.split(",")
    differ.notify_every = opts.notify_every
    differ.notify_share = opts.notify_share
    differ.oom_share = opts.oom_share
    differ.reload_share = opts.reload_share
    differ.cross_share = opts.cross_share
    differ.dumps.share = opts.dump_share

    def play(seed, proto):
        differ.proto = proto
        return differ.round(seed, opts.commands)

    passed, failed = compat.seeded_rounds("differential", opts, ref_server,
                                          sut_server, play)
    print("RESULT %d %d" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
