#!/usr/bin/python3
"""diff_config.py - seeded CONFIG GET / SET / RESETSTAT rounds, and
start-up directives, on redis-server and Respite, replies compared.

It starts Debian's redis-server ($REDIS_REF_BIN) and Respite
($RESPITE_BIN) as compat.py does, neither with DEBUG enabled, both in one
scratch directory (so CONFIG GET dir is the same path on both), and first
computes the parameters both have: the names CONFIG GET * lists on each
(aliases included). Respite has its own (shards, busy-poll-us,
stream-max-entries...) and Redis has many Respite lacks (replication,
cluster, TLS...); only the intersection is generated and compared, and its
size is printed. The two default views of it must be equal, and are
compared first.

A round (RESP2 or RESP3 by HELLO 3, whose reply is not compared) sends the
same seeded steps to both over one connection and compares each reply:

    CONFIG SET   one to four name/value pairs (several in one command and
                 atomicity are Redis 7: all or nothing; a repeated name is
                 an error, a name and its alias are not), names in odd case,
                 unknown names, aliases (hash-max-ziplist-entries...),
                 immutable (databases, daemonize, io-threads...) and
                 protected (dir, dbfilename) ones; values from pools that
                 mix valid and awkward ones: integers with signs, leading
                 zeros, spaces, overflow and each parameter's bounds +-1,
                 memory units (1k 1kb 1K 1Gb, "1 mb", -1, 64-bit overflow
                 and wrap-around), yes/no/YES/maybe, enums in any case, "",
                 save lists (odd counts, double spaces, 32-bit changes),
                 client-output-buffer-limit with one to three class specs
                 and bad ones, notify-keyspace-events letters in any order
                 with invalid ones. The reply is compared byte for byte,
                 then CONFIG GET of the same names
    CONFIG GET   one to three patterns: globs (character classes, escapes,
                 ^, unbalanced [), exact names in odd case, unknown names
    and          CONFIG RESETSTAT (with an extra argument too), wrong arity,
                 CONFIG SET with an odd count (syntax error), unknown
                 subcommands, CONFIG HELP, and a PING on a new connection
                 (requirepass, protected-mode and maxclients at work)

A CONFIG GET reply is compared as its type byte plus the sorted list of
its pairs whose name is in the intersection (Redis's pair order comes from
its dict), so Respite-only parameters a glob matches are left out, as is
port (the two servers listen on different ports). Each round ends with a
CONFIG GET * of both compared the same way, then one CONFIG SET puts every
settable parameter back to its start-up value (both servers are restarted
if that fails). A round stops at its first difference and prints its steps
and the line that replays it.

A rewrite round (--rewrite-share of the rounds) starts both servers from
the same config file (as a start-up round writes one, drawn again until
both start), sends the same two to eight CONFIG SETs (not save or
appendonly, which the harness's arguments to redis-server override),
CONFIG REWRITE, compares CONFIG GET *, restarts each server from the file
it rewrote and compares again; Respite's CONFIG GET * must also be what
it was before its restart. Where Redis's restart lost a value an included
file sets (its rewrite leaves a directive at its default out of the
file), Respite must have kept it instead.

A start-up round (--startup-share of the rounds) instead starts a fresh
pair of servers with one to four random "--name value" directives (or a
bare --save, or a value spread over several arguments), or in three
rounds out of ten the same directives as lines of a config file (quoted,
indented, among comments, a quarter of the time some of them in one or two
files that an include line names, through a wildcard for two; not save
and appendonly, which the harness's own
--save '' --appendonly no for redis-server would override), with values
from the same pools, and compares whether each starts; if both do, their
CONFIG GET * as above; if both fail, the reason: Redis prints "*** FATAL
CONFIG FILE ERROR", the line and the reason, Respite "command line: bad
value for 'name': reason" (or "file:line: ..."), so Respite's last line
must end with Redis's reason ("Bad directive or wrong number of arguments"
stands for Respite's "unknown directive" and "wrong number of
arguments"; an aclfile's error Redis logs after reading the
configuration, behind a log line's prefix and "Aborting Redis startup
because of ACL errors: ", which Respite does not print); the banner, the
line echo and exit statuses are wording, not compared. File names that exist are never dbfilename (Redis would load
it) nor an AOF name.

Designed out, and why:

    port, bind  Redis can move its listeners at run time, Respite cannot
                (CONFIG SET says immutable): never set, at start-up the
                harness's own values; port is never compared
    CONFIG REWRITE  the servers run without a config file here, so it
                would only compare the error; test_config_rewrite.py
                compares rewritten files
    values that would break the test or the machine: maxclients only
                64..100000 (both fit it to RLIMIT_NOFILE, refusing what the
                limit cannot be raised for; Redis tries limits 16 apart
                down from the one asked, for minutes from near 2^32),
                timeout 0 or at
                least 60 s, normal clients' output buffer limits 0 or at
                least 1mb (the replies must get through), no daemonize yes
                (nor cluster-enabled yes: Redis would start a cluster node,
                Respite refuses it, as its README says; nor appendonly
                yes: Redis writes an AOF, Respite refuses it),
                no unixsocket, logfile or syslog at start-up, databases at
                most 4096 (Respite's own cap; Redis takes INT_MAX, and
                the bounds in the error of --databases 0 say so)
    Respite-only and Redis-only names   outside the intersection, the
                answers differ by design (unknown on one side)
    NUL bytes and names over 60 bytes   Respite's names and values are C
                strings and its error replies clip what they echo (see
                STYLE.md); Redis echoes everything (both turn CR and LF
                into spaces, and a tab is in the pool of unknown names)
    the effect of RESETSTAT on INFO: the counters differ by design
    save values whose change count passes 31 bits, at run time: Redis
                shows it negative, cannot parse that back, so when a later
                CONFIG SET fails its rollback of save fails too and the new
                save stays (a Redis bug; Respite stays all or nothing).
                Start-up rounds use them

Usage: diff_config.py [--seed S] [--rounds R] [--steps N]
                      [--resp 2|3|both] [--startup-share F]
                      [--rewrite-share F] [--quiet]
Prints "ok ..." / "FAIL ..." per round and "RESULT <passed> <failed>"
last; exit status 1 when any round failed.
"""

import argparse
import os
import random
import re
import shutil
import sys
import tempfile
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness as h  # noqa: E402
import compat  # noqa: E402

INT_MAX = 2**31 - 1
LONG_MAX, ULLONG_MAX = 2**63 - 1, 2**64 - 1

NEVER_SET = {"port", "bind"}
NOT_COMPARED = {"port"}

# ---------------------------------------------------------------------------
# Value pools
# ---------------------------------------------------------------------------

INTS = ["0", "1", "-1", "2", "10", "100", "128", "512", "1000", "65535",
        "65536", "2147483647", "2147483648", "-2147483648", "-2147483649",
        "4294967295", "4294967296", "9223372036854775807",
        "9223372036854775808", "-9223372036854775808",
        "-9223372036854775809", "99999999999999999999", "+1", "01", "007",
        "-0", " 1", "1 ", "1.5", "1e3", "0x10", "abc", "", "1k", "1kb",
        "-", "--1", "1 2"]
MEMS = ["0", "1", "64", "1024", "1k", "1kb", "1K", "1KB", "1Kb", "1m",
        "1mb", "1MB", "1Mb", "1g", "1gb", "1G", "1Gb", "2gb", "512mb",
        "1048575", "1048576", "1b", "1B", "-1", "1 mb", "1.5mb", "", "kb",
        "b", "mb", "1tb", "+1mb", " 1mb", "1mb ", "0x10", "01mb", "1mbb",
        "1e3", "9223372036854775807", "9223372036854775808",
        "18446744073709551615", "18446744073709551616",
        "99999999999999999999999", "99999999999999999999999kb",
        "8589934592gb", "17179869184gb", "17179869185gb",
        "1" * 127, "1" * 128]
BOOLS = ["yes", "no", "YES", "No", "nO", "maybe", "", "1", "0", "true",
         "yes ", " no", "y"]
STRS = ["", "x", "a b", "dump.rdb", "x.rdb", "a/b", "/tmp/x", "a\\b", ".",
        "..", "appendonly.aof", "with space", "\u00fcn\u00ef", "s" * 50]
PASSWORDS = ["", "secret", "p w", "x" * 40]
SAVES = ["", "3600 1", "3600 1 300 100", "1 0", "900 1 300 10 60 10000",
         "0 1", "3600", "a b", "3600  1", " 3600 1", "3600 1 ", "-1 1",
         "1 -1", "+5 5", "99999999999999999999 1", "1 4294967297",
         "10 0x10", "3600 1.5", " ", "  ", "1 1 1", "4294967296 1"]
# Start-up only: changes past 31 bits show negative, a value Redis cannot
# parse back, so a later CONFIG SET that fails does not restore it (Redis
# keeps the new save; Respite's CONFIG SET stays all or nothing).
SAVES_WRAP = ["1 2147483648", "60 9223372036854775807"]
OBUF_CLASSES = ["normal", "pubsub", "replica", "slave", "NORMAL", "PubSub",
                "Replica", "master", "foo", ""]
OBUF_BYTES = ["0", "1", "64", "1kb", "1mb", "32mb", "8mb", "256mb", "1gb",
              "abc", "-1", "1.5mb", "", "18446744073709551616"]
OBUF_NORMAL_BYTES = ["0", "1mb", "64mb", "1gb", "abc", "-1", "1.5mb"]
OBUF_SECONDS = ["0", "10", "60", "-1", "1.5", "abc", "4294967297",
                "2147483648", "99999999999999999999", "", "+5", "010"]
NOTIFY_LETTERS = "KEg$lshzxetdmnA"
NOTIFY_BAD = "XkaBq1 !*"
MAXCLIENTS = ["64", "100", "1000", "5000", "10000", "100000", "0", "-1",
              "abc", "", "+100", "0100", "4294967296", "1.5", "10000 "]
TIMEOUTS = ["0", "60", "300", "3600", "-1", "abc", "2147483648", "", "+5",
            "01", "2147483647"]
DIRS = [".", "sub", "nosuchdir", "/nonexistent", "afile", "", "sub/..",
        "./sub", "/"]
DATABASES = ["1", "16", "100", "4096", "0", "-1", "abc", "", "01", "+5",
             "1.5"]

SHUTDOWN_WORDS = ["default", "save", "nosave", "now force", "save nosave",
                  "NOW", "", "bogus", "default save", "force  now"]

# The parameters both have (Redis 7.0.15 against Respite), by the shape of
# their values; a shared parameter missing here gets ANY_POOL. Bounds are
# Redis's, for the bound+-1 values.
PARAMS = {
    "acllog-max-len": ("int", 0, LONG_MAX),
    "active-defrag-cycle-max": ("int", 1, 99),
    "active-defrag-cycle-min": ("int", 1, 99),
    "active-defrag-ignore-bytes": ("mem", 1, LONG_MAX),
    "active-defrag-max-scan-fields": ("int", 1, LONG_MAX),
    "active-defrag-threshold-lower": ("int", 0, 1000),
    "active-defrag-threshold-upper": ("int", 0, 1000),
    "active-expire-effort": ("int", 1, 10),
    "activedefrag": ("bool",),
    "activerehashing": ("bool",),
    "aof-disable-auto-gc": ("bool",),
    "bind-source-addr": ("pool", ["", "127.0.0.1", "nonsense"]),
    "cluster-enabled": ("daemonize",),
    "crash-log-enabled": ("bool",),
    "crash-memcheck-enabled": ("bool",),
    "enable-module-command": ("enum", "no", "yes", "local"),
    "enable-protected-configs": ("enum", "no", "yes", "local"),
    "ignore-warnings": ("pool", ["", "ARM64-COW-BUG", "x y"]),
    "io-threads-do-reads": ("bool",),
    "maxmemory-clients": ("pool", ["0", "1mb", "10%", "100%", "101%", "0%",
                                   "-1", "1.5%", "abc", "5", "%", "-5%"]),
    "proc-title-template": ("pool", [
        "{title} {listen-addr} {server-mode}", "", "{title}", "x{title}",
        "{port}", "{bogus}", "{title", "{{", "}", "{}", "{unixsocket}",
        " ", "{TITLE}", "{config-file}"]),
    "sanitize-dump-payload": ("enum", "no", "yes", "clients"),
    "shutdown-on-sigint": ("pool", SHUTDOWN_WORDS),
    "shutdown-on-sigterm": ("pool", SHUTDOWN_WORDS),
    "shutdown-timeout": ("int", 0, INT_MAX),
    "always-show-logo": ("bool",),
    "aof-load-truncated": ("bool",),
    "aof-use-rdb-preamble": ("bool",),
    "appenddirname": ("str",),
    "appendfilename": ("str",),
    "appendfsync": ("enum", "everysec", "always", "no"),
    "appendonly": ("daemonize",),
    "auto-aof-rewrite-min-size": ("mem", 0, LONG_MAX),
    "auto-aof-rewrite-percentage": ("int", 0, INT_MAX),
    "bind": ("str",),
    "busy-reply-threshold": ("int", 0, LONG_MAX),
    "client-output-buffer-limit": ("obuf",),
    "client-query-buffer-limit": ("mem", 1 << 20, LONG_MAX),
    "daemonize": ("daemonize",),
    "databases": ("pool", DATABASES),
    "dbfilename": ("str",),
    "dir": ("pool", DIRS),
    "dynamic-hz": ("bool",),
    "enable-debug-command": ("enum", "no", "yes", "local"),
    "hash-max-listpack-entries": ("int", 0, LONG_MAX),
    "hash-max-listpack-value": ("mem", 0, LONG_MAX),
    "hash-max-ziplist-entries": ("int", 0, LONG_MAX),
    "hash-max-ziplist-value": ("mem", 0, LONG_MAX),
    "hll-sparse-max-bytes": ("mem", 0, LONG_MAX),
    "hz": ("int", 0, INT_MAX),
    "io-threads": ("int", 1, 128),
    "jemalloc-bg-thread": ("bool",),
    "latency-monitor-threshold": ("int", 0, LONG_MAX),
    "latency-tracking": ("bool",),
    "latency-tracking-info-percentiles": ("pool", [
        "50 99 99.9", "0 100", "12.5", "", "1e1 0x10 50.50", "99.99999999",
        "101", "-1", "abc", "50  99", " 50", "inf", "nan", "1 1 1"]),
    "lazyfree-lazy-eviction": ("bool",),
    "lazyfree-lazy-expire": ("bool",),
    "lazyfree-lazy-server-del": ("bool",),
    "lazyfree-lazy-user-del": ("bool",),
    "lazyfree-lazy-user-flush": ("bool",),
    "lfu-decay-time": ("int", 0, INT_MAX),
    "lfu-log-factor": ("int", 0, INT_MAX),
    "list-compress-depth": ("int", 0, INT_MAX),
    "list-max-listpack-size": ("int", -INT_MAX - 1, INT_MAX),
    "list-max-ziplist-size": ("int", -INT_MAX - 1, INT_MAX),
    "logfile": ("str",),
    "loglevel": ("enum", "debug", "verbose", "notice", "warning"),
    "lua-time-limit": ("int", 0, LONG_MAX),
    "maxclients": ("pool", MAXCLIENTS),
    "maxmemory": ("mem", 0, ULLONG_MAX),
    "maxmemory-eviction-tenacity": ("int", 0, 100),
    "maxmemory-policy": ("enum", "volatile-lru", "volatile-lfu",
                         "volatile-random", "volatile-ttl", "allkeys-lru",
                         "allkeys-lfu", "allkeys-random", "noeviction"),
    "maxmemory-samples": ("int", 1, INT_MAX),
    "no-appendfsync-on-rewrite": ("bool",),
    "notify-keyspace-events": ("notify",),
    "pidfile": ("pool", ["", "p.pid"]),
    "port": ("int", 0, 65535),
    "protected-mode": ("bool",),
    "proto-max-bulk-len": ("mem", 1 << 20, LONG_MAX),
    "rdbchecksum": ("bool",),
    "rdbcompression": ("bool",),
    "requirepass": ("pool", PASSWORDS),
    "save": ("save",),
    "set-max-intset-entries": ("int", 0, LONG_MAX),
    "set-proc-title": ("bool",),
    "slowlog-log-slower-than": ("int", -1, LONG_MAX),
    "slowlog-max-len": ("int", 0, LONG_MAX),
    "stop-writes-on-bgsave-error": ("bool",),
    "stream-node-max-bytes": ("mem", 0, LONG_MAX),
    "stream-node-max-entries": ("int", 0, LONG_MAX),
    "supervised": ("enum", "upstart", "systemd", "auto", "no"),
    "syslog-enabled": ("daemonize",),
    "syslog-facility": ("enum", "user", "local0", "local1", "local7"),
    "syslog-ident": ("str",),
    "tcp-backlog": ("int", 0, INT_MAX),
    "tcp-keepalive": ("int", 0, INT_MAX),
    "timeout": ("pool", TIMEOUTS),
    "tracking-table-max-keys": ("int", 0, LONG_MAX),
    "unixsocket": ("pool", [""]),
    "unixsocketperm": ("octal",),
    "zset-max-listpack-entries": ("int", 0, LONG_MAX),
    "zset-max-listpack-value": ("mem", 0, LONG_MAX),
    "zset-max-ziplist-entries": ("int", 0, LONG_MAX),
    "zset-max-ziplist-value": ("mem", 0, LONG_MAX),
}
ANY_POOL = INTS[:10] + MEMS[:10] + BOOLS[:6] + STRS[:4]
OCTALS = ["0", "700", "0777", "777", "1000", "8", "abc", "-1", "", "0o7",
          "755 "]

# Start-up values that would stop the harness or the test: daemonize and
# syslog yes-ish, logfile and unixsocket anything but "", and file names
# that exist (Redis loads dbfilename at start, and fails on a directory;
# appenddirname ".." would put its AOF outside the scratch directory).
FILE_NAMES = [v for v in STRS if v not in (".", "..")]
STARTUP_SAFE = {
    "daemonize": ["no", "NO", "maybe", "", "1"],
    "syslog-enabled": ["no", "NO", "maybe", "", "1"],
    "cluster-enabled": ["no", "NO", "maybe", "", "1"],
    "appendonly": ["no", "NO", "maybe", "", "1"],
    "logfile": [""],
    "unixsocket": [""],
    "dbfilename": FILE_NAMES,
    "appendfilename": FILE_NAMES,
    "appenddirname": FILE_NAMES,
}

UNKNOWN = ["no-such-param", "maxclient", "maxclientsx", "hash-max-ziplist",
           "list-max-ziplist-entries", "lua-replicate-commands", "x", "-",
           "max clients", "maxmemory-", "*", "save2", "max\tclients",
           "hz\r\n", "include", "rename-command", "user"]

GLOBS = ["*", "*max*", "hash-*", "HASH-MAX-*", "*ziplist*", "*listpack*",
         "*-entries", "*-value", "maxmemory*", "maxmemory-?olicy", "[lm]a*",
         "lazyfree-lazy-*", "?", "??", "a*", "*a", "[", "[a-", "*[", "\\*",
         "*\\-*", "no-such-*", "[!a-z]*", "[^a-z]*", "s*", "*e*e*e*",
         "client-*", "*buffer*", "[abc]*[xyz]", "*-*-*-*", "", "[a-c]*",
         "*[0-9]*", "d?r", "DIR", "SAVE", "*ENTRIES"]

ARITY = [["CONFIG"], ["CONFIG", "GET"], ["CONFIG", "SET"],
         ["CONFIG", "SET", "maxclients"], ["config", "set", "hz"],
         ["CONFIG", "SET", "hz", "10", "timeout"],
         ["CONFIG", "SET", "a", "b", "c"],
         ["CONFIG", "SET", "hz", "10", "nosuch", "1", "x"],
         ["CONFIG", "RESETSTAT", "x"], ["CONFIG", "HELP", "x"],
         ["CONFIG", "help", "x", "y"], ["CONFIG", "resetstat", "", ""],
         ["config", "get"]]
SUBCOMMANDS = [["CONFIG", "FOO"], ["CONFIG", "GETX", "x"], ["CONFIG", ""],
               ["CONFIG", "SETS", "a", "b"], ["CONFIG", "RESET"],
               ["CONFIG", "HELPME"], ["CONFIG", "GET*", "x"],
               ["CONFIG", "reset stat"], ["CONFIG", "RESETSTATS"]]


def odd_case(rng, name):
    r = rng.random()
    if r < 0.1:
        return name.upper()
    if r < 0.25:
        return "".join(ch.upper() if rng.random() < 0.5 else ch
                       for ch in name)
    return name


def int_pool(lo, hi):
    return INTS + [str(lo), str(hi), str(lo - 1), str(hi + 1)]


def gen_notify(rng):
    n = rng.randint(0, 6)
    s = "".join(rng.choice(NOTIFY_LETTERS) for _ in range(n))
    if rng.random() < 0.2:
        i = rng.randint(0, len(s))
        s = s[:i] + rng.choice(NOTIFY_BAD) + s[i:]
    return s


def gen_obuf(rng):
    """One to three class specs; sometimes a field short, double spaces or
    a space at either end."""
    specs = []
    for _ in range(rng.choice([1, 1, 2, 3])):
        cls = rng.choice(OBUF_CLASSES)
        pool = OBUF_NORMAL_BYTES if cls.lower() in ("normal", "") \
            else OBUF_BYTES
        spec = [cls, rng.choice(pool), rng.choice(pool),
                rng.choice(OBUF_SECONDS)]
        if rng.random() < 0.05:
            del spec[rng.randrange(4)]
        specs += spec
    sep = "  " if rng.random() < 0.05 else " "
    s = sep.join(specs)
    r = rng.random()
    if r < 0.04:
        s = " " + s
    elif r < 0.08:
        s = s + " "
    elif r < 0.1:
        s = ""
    return s


def mem_value(text):
    """What a plain memory value is worth in bytes, or None."""
    units = {"": 1, "b": 1, "k": 1000, "kb": 1024, "m": 1000 ** 2,
             "mb": 1024 ** 2, "g": 1000 ** 3, "gb": 1024 ** 3}
    digits = text.rstrip("bBkKmMgG")
    unit = text[len(digits):].lower()
    if not digits.isdigit() or unit not in units:
        return None
    return int(digits) * units[unit]


def likely_valid(rng, name):
    """A value the parameter most likely takes, so that multi-pair sets
    often succeed (and fail on a later pair, all or nothing)."""
    kind = PARAMS.get(name, ("any",))
    k = kind[0]
    if k == "int":
        pool = [v for v in ["0", "1", "2", "5", "10", "100", "128", "512",
                            "1000", str(kind[1]), str(kind[2])]
                if kind[1] <= int(v) <= kind[2]]
        return rng.choice(pool)
    if k == "mem":
        pool = [v for v in MEMS + [str(kind[1]), str(kind[2])]
                if mem_value(v) is not None
                and kind[1] <= mem_value(v) <= kind[2]]
        return rng.choice(pool)
    if k == "bool":
        return rng.choice(["yes", "no", "YES", "No"])
    if k == "enum":
        return rng.choice([c for c in kind[1:]] + [kind[1].upper()])
    if k == "save":
        return rng.choice(SAVES[:5])
    if k == "notify":
        return "".join(rng.choice(NOTIFY_LETTERS)
                       for _ in range(rng.randint(0, 5)))
    if k == "pool":
        return rng.choice(kind[1][:4])
    return None


def gen_value(rng, name, startup=False):
    kind = PARAMS.get(name, ("any",))
    if startup and name in STARTUP_SAFE:
        return rng.choice(STARTUP_SAFE[name])
    if rng.random() < 0.5:
        v = likely_valid(rng, name)
        if v is not None:
            return v
    k = kind[0]
    if k == "int":
        return rng.choice(int_pool(kind[1], kind[2]))
    if k == "mem":
        return rng.choice(MEMS + [str(kind[1]), str(kind[2]),
                                  str(kind[1] - 1), str(kind[2] + 1)])
    if k == "bool":
        return rng.choice(BOOLS)
    if k == "daemonize":
        return rng.choice(STARTUP_SAFE[name])
    if k == "enum":
        c = rng.choice(kind[1:])
        return rng.choice([c, c, c.upper(), c.title(), "", "maybe", c + " x",
                           " " + c, c + "s"])
    if k == "str":
        return rng.choice(STRS)
    if k == "pool":
        return rng.choice(kind[1])
    if k == "octal":
        return rng.choice(OCTALS)
    if k == "save":
        return rng.choice(SAVES + (SAVES_WRAP if startup else []))
    if k == "obuf":
        return gen_obuf(rng)
    if k == "notify":
        return gen_notify(rng)
    return rng.choice(ANY_POOL)


# ---------------------------------------------------------------------------
# Replies
# ---------------------------------------------------------------------------

class Views:
    """What the two servers have in common, computed at start."""

    def __init__(self, ref_names, sut_names):
        self.shared = sorted(set(ref_names) & set(sut_names))
        self.shared_set = set(self.shared)
        self.settable = [n for n in self.shared if n not in NEVER_SET]

    def pairs(self, raw):
        """A CONFIG GET reply as (type byte, sorted shared pairs), or the
        raw reply when it is an error or not a map."""
        if raw.startswith(b"<") or raw[:1] not in (b"*", b"%"):
            return raw
        try:
            val = h.parse(raw)
        except Exception:
            return raw
        if raw[:1] == b"*":
            if not isinstance(val, list) or len(val) % 2:
                return raw
            val = list(zip(val[0::2], val[1::2]))
        keep = [(k, v) for k, v in val
                if isinstance(k, bytes)
                and k.decode("latin-1").lower() in self.shared_set
                and k.decode("latin-1").lower() not in NOT_COMPARED]
        return (raw[:1], sorted(keep))


def show(v, n=700):
    return compat.clip(v, n) if isinstance(v, bytes) else \
        (repr(v) if len(repr(v)) <= n else repr(v)[:n] + "...")


def first_diff(a, b, names=("redis", "respite")):
    """For two (type, pairs) views: the pairs only one side has."""
    if isinstance(a, tuple) and isinstance(b, tuple) and a[0] == b[0]:
        sa, sb = set(a[1]), set(b[1])
        return "only %s: %s\n    only %s: %s" % (
            names[0], show(sorted(sa - sb)), names[1], show(sorted(sb - sa)))
    return None


# ---------------------------------------------------------------------------
# Runtime rounds
# ---------------------------------------------------------------------------

class Mismatch(Exception):
    pass


class Round(compat.ScenarioRound):
    """One seeded runtime round on both sides."""

    def __init__(self, test, proto, seed, steps):
        super().__init__(test.ref, test.sut, proto, seed, steps)
        self.test = test
        self.views = test.views
        self.rng = random.Random(seed)

    def send(self, args, mode="raw"):
        """Sends args on both sides, compares the replies as mode says;
        raises Mismatch with the report."""
        text = " ".join(a if a and a.isprintable() and " " not in a
                        else repr(a) for a in args)
        self.log.append(text)
        outs = []
        for side in self.sides:
            raw = side.request(0, h.encode(*args))
            if mode == "config":
                outs.append(self.views.pairs(raw))
            else:
                outs.append(raw)
        if outs[0] != outs[1]:
            lines = self.report_head("replies of")
            lines.append("  redis:   %s\n  respite: %s" % (show(outs[0]),
                                                         show(outs[1])))
            d = first_diff(outs[0], outs[1])
            if d:
                lines.append("  " + d)
            raise Mismatch("\n".join(lines))
        return outs[0]

    def fresh_ping(self):
        """PING on a new connection of each side (NOAUTH once a password
        is set), compared."""
        self.log.append("(new connection) PING")
        outs = []
        for side in self.sides:
            try:
                with side.server.conn(timeout=compat.REPLY_TIMEOUT) as c:
                    outs.append(c.call("PING"))
            except (OSError, ConnectionError, h.ProtocolError) as e:
                outs.append(("<%s>" % type(e).__name__).encode())
        if outs[0] != outs[1]:
            lines = self.report_head("replies of")
            lines.append("  redis:   %s\n  respite: %s" % (show(outs[0]),
                                                         show(outs[1])))
            raise Mismatch("\n".join(lines))

    def pick_name(self):
        """Mostly one CONFIG SET may change, so that multi-pair sets get to
        their values; sometimes an immutable, protected or unknown one."""
        rng = self.rng
        r = rng.random()
        if r < 0.06:
            return rng.choice(UNKNOWN)
        if r < 0.8:
            return odd_case(rng, rng.choice(self.test.resettable))
        return odd_case(rng, rng.choice(self.views.settable))

    def step_set(self):
        rng = self.rng
        names = []
        for _ in range(rng.choice([1, 1, 1, 2, 2, 3, 4])):
            if names and rng.random() < 0.08:
                names.append(odd_case(rng, rng.choice(names).lower()))
            else:
                names.append(self.pick_name())
        args = ["CONFIG", rng.choice(["SET", "SET", "set", "Set"])]
        for n in names:
            args += [n, gen_value(rng, n.lower())]
        self.send(args)
        self.send(["CONFIG", "GET"] + names, "config")

    def step_get(self):
        rng = self.rng
        pats = []
        for _ in range(rng.choice([1, 1, 2, 3])):
            r = rng.random()
            if r < 0.45:
                pats.append(rng.choice(GLOBS))
            elif r < 0.9:
                pats.append(odd_case(rng, rng.choice(self.views.shared)))
            else:
                pats.append(rng.choice(UNKNOWN))
        self.send(["CONFIG", rng.choice(["GET", "get"])] + pats, "config")

    def run(self):
        rng = self.rng
        try:
            for side in self.sides:
                side.open(self.proto)
            for _ in range(self.steps):
                r = rng.random()
                if r < 0.5:
                    self.step_set()
                elif r < 0.75:
                    self.step_get()
                elif r < 0.82:
                    self.send(rng.choice(ARITY))
                elif r < 0.86:
                    self.send(["CONFIG", rng.choice(["RESETSTAT",
                                                     "resetstat"])])
                elif r < 0.9:
                    self.send(rng.choice(SUBCOMMANDS))
                elif r < 0.94:
                    self.send(["CONFIG", rng.choice(["HELP", "help"])])
                else:
                    self.fresh_ping()
            self.send(["CONFIG", "GET", "*"], "config")
            return None
        except Mismatch as e:
            return str(e)
        except Exception:
            return "\n".join(self.report_head("harness error after") +
                             [traceback.format_exc()])
        finally:
            for side in self.sides:
                side.close()
            self.test.reset()


# ---------------------------------------------------------------------------
# Start-up rounds
# ---------------------------------------------------------------------------

def last_line(server):
    lines = [l.strip() for l in
             server.log_bytes().decode("utf-8", "replace").splitlines()
             if l.strip()]
    return lines[-1] if lines else ""


# A reason Redis logs after the configuration is read (the aclfile's:
# "Aborting Redis startup because of ACL errors: Error loading ACLs, ..."
# under serverLog's "pid:role date time level" prefix), where Respite
# prints the reason alone.
LOGGED_REASON = re.compile(r"^\d+:[A-Z] \d+ \w+ \d+ [\d:.]+ [.\-*#] "
                           r"(?:Aborting Redis startup because of ACL "
                           r"errors: )?")


def reasons_agree(redis_line, respite_line):
    redis_line = LOGGED_REASON.sub("", redis_line)
    if redis_line == "Bad directive or wrong number of arguments":
        return ("unknown directive" in respite_line
                or "wrong number of arguments" in respite_line)
    if "'databases'" in respite_line.lower() and redis_line == \
            "argument must be between 1 and 2147483647 inclusive":
        redis_line = "argument must be between 1 and 4096 inclusive"
    return respite_line.endswith(": " + redis_line)


def conf_quote(value):
    """value as one double-quoted config file argument."""
    out = []
    for ch in value.encode():
        c = chr(ch)
        if c in '"\\':
            out.append("\\" + c)
        elif 32 <= ch < 127:
            out.append(c)
        else:
            out.append("\\x%02x" % ch)
    return '"%s"' % "".join(out)


class StartupRound:
    """Both servers started with the same random directives, on the
    command line or (FILE_SHARE of the rounds) in a config file."""

    FILE_SHARE = 0.3
    # The harness gives redis-server --save '' --appendonly no after the
    # config file, which would override the file's.
    NOT_IN_FILE = {"save", "appendonly"}

    def __init__(self, test, proto, seed):
        self.test, self.proto, self.seed = test, proto, seed
        self.rng = random.Random(seed)
        self.in_file = self.rng.random() < self.FILE_SHARE
        self.included = {}      # file name in the scratch dir -> text

    def directives(self):
        """Returns (argv or config file text, what to print, the password
        the server will have)."""
        rng = self.rng
        out, shown, lines = [], [], []
        password = None
        names = [n for n in self.test.views.settable
                 if not (self.in_file and n in self.NOT_IN_FILE)]
        for _ in range(rng.randint(1, 4)):
            if rng.random() < 0.06:
                name = rng.choice(UNKNOWN[:4])
            else:
                name = odd_case(rng, rng.choice(names))
            value = gen_value(rng, name.lower(), startup=True)
            if name.lower() == "requirepass":
                password = value
            kind = PARAMS.get(name.lower(), ("any",))[0]
            if kind in ("save", "obuf") and " " in value.strip() \
                    and rng.random() < 0.3:
                vals = value.split()
            else:
                vals = [value]
            out += ["--" + name] + vals
            shown.append("--%s %s" % (name, " ".join(repr(v) for v in vals)))
            lines.append(rng.choice(["", "  ", "\t"]) + name + " " + " ".join(
                conf_quote(v) for v in vals))
            if rng.random() < 0.2:
                lines.append(rng.choice(["# a comment", "", "   "]))
        if self.in_file:
            lines = self.split_include(lines)
            text = "\n".join(lines) + "\n"
            shown = ["config file:"] + lines
            for name, body in sorted(self.included.items()):
                shown += ["%s:" % name] + body.splitlines()
            return text, shown, password
        if rng.random() < 0.04:
            out.append("--save")
            shown.append("--save")
        return out, shown, password

    def split_include(self, lines):
        """A quarter of the time, the first lines go to an included file
        (or two, through a wildcard), the include line in their place."""
        rng = self.rng
        self.included = {}
        if not lines or rng.random() >= 0.25:
            return lines
        k = rng.randint(1, len(lines))
        head, rest = lines[:k], lines[k:]
        if len(head) > 1 and rng.random() < 0.5:
            cut = rng.randint(1, len(head) - 1)
            self.included = {"inc-a.conf": "\n".join(head[:cut]) + "\n",
                             "inc-b.conf": "\n".join(head[cut:]) + "\n"}
            target = "inc-*.conf"
        else:
            self.included = {"inc-a.conf": "\n".join(head) + "\n"}
            target = "inc-a.conf"
        return ["include " + os.path.join(self.test.scratch, target)] + rest

    def write_included(self):
        for name, body in self.included.items():
            with open(os.path.join(self.test.scratch, name), "w") as f:
                f.write(body)

    def start(self, binary, name, dirs):
        if self.in_file:
            self.write_included()
            path = os.path.join(self.test.scratch, "round.conf")
            with open(path, "w") as f:
                f.write(dirs)
            s = h.Server(binary=binary, name=name, tracked=False,
                         debug_command=False, start_timeout=10,
                         config_file=path, cwd=self.test.scratch)
        else:
            s = h.Server(*dirs, binary=binary, name=name, tracked=False,
                         debug_command=False, start_timeout=10,
                         cwd=self.test.scratch)
        try:
            s.start()
            return s, True
        except h.ServerError:
            return s, False

    def config_all(self, server, password):
        with server.conn(timeout=compat.REPLY_TIMEOUT) as c:
            if password:
                c.call("AUTH", password)
            if self.proto == 3:
                c.call("HELLO", "3")
            return self.test.views.pairs(c.call("CONFIG", "GET", "*"))

    def run(self):
        dirs, shown, password = self.directives()
        self.test.clean_scratch()
        ref, ref_up = self.start(compat.REF_BIN, "cfgstart-ref", dirs)
        sut, sut_up = self.start(h.server_bin(), "cfgstart-sut", dirs)
        head = "seed %d [resp%d] start-up with %s; replay with --seed %d " \
               "--rounds 1 --resp %d" % (self.seed, self.proto,
                                         "\n    ".join(shown) if self.in_file
                                         else " ".join(shown), self.seed,
                                         self.proto)
        try:
            if ref_up != sut_up:
                return "%s\n  redis %s, respite %s\n  redis:   %s\n" \
                       "  respite: %s" % (
                           head, "started" if ref_up else "failed",
                           "started" if sut_up else "failed",
                           last_line(ref), last_line(sut))
            if not ref_up:
                a, b = last_line(ref), last_line(sut)
                if not reasons_agree(a, b):
                    return "%s\n  both failed, for other reasons\n" \
                           "  redis:   %s\n  respite: %s" % (head, a, b)
                return None
            a = self.config_all(ref, password)
            b = self.config_all(sut, password)
            if a != b:
                return "%s\n  CONFIG GET * differs\n  %s" % (
                    head, first_diff(a, b) or "%s\n  %s" % (show(a), show(b)))
            return None
        finally:
            ref.stop()
            status = sut.stop() if sut_up else 0
            crash = sut.sanitizer_report()
            if crash or status not in (0, None):
                self.test.startup_crashes.append(
                    "seed %d: status %s %s\n%s" % (
                        self.seed, status, crash or "", sut.log_tail()))


class RewriteRound(StartupRound):
    """Both servers started from the same config file (written as a
    start-up round writes one), then the same random CONFIG SETs, CONFIG
    REWRITE, and a restart of each from the file it rewrote. The replies
    and CONFIG GET * after the rewrite and after the restarts must agree,
    and Respite's CONFIG GET * must survive its restart. save and
    appendonly are left alone: the harness's --save '' --appendonly no
    for redis-server override its file."""

    def __init__(self, test, proto, seed):
        super().__init__(test, proto, seed)
        self.in_file = True

    def start_from(self, binary, name, path):
        s = h.Server(binary=binary, name=name, tracked=False,
                     debug_command=False, start_timeout=10,
                     config_file=path, cwd=self.test.scratch)
        try:
            return s.start()
        except h.ServerError:
            return None

    def call_both(self, servers, password, *args):
        outs = []
        for s in servers:
            with s.conn(timeout=compat.REPLY_TIMEOUT) as c:
                if password:
                    c.call("AUTH", password)
                if self.proto == 3:
                    c.call("HELLO", "3")
                outs.append(c.call(*args))
        return outs

    def changes(self, servers, password, log):
        """The random CONFIG SETs; returns (report or None, password)."""
        rng = self.rng
        names = [n for n in self.test.resettable
                 if n not in self.NOT_IN_FILE]
        for _ in range(rng.randint(2, 8)):
            name = odd_case(rng, rng.choice(names))
            value = gen_value(rng, name.lower())
            log.append("CONFIG SET %s %r" % (name, value))
            a, b = self.call_both(servers, password, "CONFIG", "SET", name,
                                  value)
            if a != b:
                return "  redis:   %s\n  respite: %s" % (show(a), show(b)), \
                    password
            if a == b"+OK\r\n" and name.lower() == "requirepass":
                password = value or None
        return None, password

    def start_both(self, bins, paths):
        """Both servers from one config file; a file that either refuses
        (start-up rounds compare those) is drawn again, four times, then
        one of comments only. Returns (servers, log, password)."""
        for attempt in range(5):
            if attempt < 4:
                text, shown, password = self.directives()
            else:
                text, shown, password = "# nothing set\n", [""], None
            self.test.clean_scratch()
            self.write_included()
            for path in paths:
                with open(path, "w") as f:
                    f.write(text)
            servers = [self.start_from(b, "rewrite-%d" % i, p)
                       for i, (b, p) in enumerate(zip(bins, paths))]
            if None not in servers:
                return servers, ["config file:"] + shown[1:], password
            for s in servers:
                if s is not None:
                    s.stop()
        return [None, None], [], None

    def lost_to_includes(self, before, after):
        """Whether Redis's restart (after) lost only values that an
        included file sets: a directive put back to its default is left
        out of the file by Redis's rewrite, so the include's value comes
        back. Respite writes those lines (doc_base in conf/rewrite.c) and
        keeps what it had, which the caller checked."""
        if not isinstance(before, tuple) or not isinstance(after, tuple) \
                or before[0] != after[0]:
            return False

        def canonical(s):
            return s.lower().replace("ziplist", "listpack") \
                .replace("slave", "replica")
        included = canonical(" ".join(self.included.values()))
        lost = set(after[1]) ^ set(before[1])
        return all(canonical(k.decode("latin-1")) in included
                   for k, _ in lost)

    def run(self):
        bins = (compat.REF_BIN, h.server_bin())
        paths = [os.path.join(self.test.scratch, n)
                 for n in ("ref.conf", "sut.conf")]
        servers, log, password = self.start_both(bins, paths)

        def fail(what):
            return "seed %d [resp%d] rewrite round: %s\n    %s\n" \
                   "  replay with --seed %d --rounds 1 --resp %d" % (
                       self.seed, self.proto, what, "\n    ".join(log),
                       self.seed, self.proto)
        try:
            if None in servers:
                return fail("no config file both servers start from")
            report, password = self.changes(servers, password, log)
            if report:
                return fail("CONFIG SET replies differ\n" + report)
            log.append("CONFIG REWRITE")
            a, b = self.call_both(servers, password, "CONFIG", "REWRITE")
            if a != b or a != b"+OK\r\n":
                return fail("CONFIG REWRITE: redis %s, respite %s" % (
                    show(a), show(b)))
            before = [self.config_all(s, password) for s in servers]
            if before[0] != before[1]:
                return fail("CONFIG GET * differs before the restart\n  " +
                            str(first_diff(before[0], before[1])))
            for s in servers:
                s.stop()
            log.append("(restart both from their rewritten files)")
            servers = [self.start_from(b, "rewrite-%d" % i, p)
                       for i, (b, p) in enumerate(zip(bins, paths))]
            with open(paths[1]) as f:
                written = f.read()
            if servers[1] is None:
                return fail("Respite did not start from its file:\n" +
                            written)
            after = self.config_all(servers[1], password)
            if after != before[1]:
                return fail("Respite's CONFIG GET * changed over its "
                            "restart\n  %s\n%s" % (
                                first_diff(before[1], after,
                                           ("before", "after")), written))
            ref_after = None if servers[0] is None else \
                self.config_all(servers[0], password)
            if ref_after is not None and ref_after != after and \
                    not self.lost_to_includes(before[0], ref_after):
                return fail("CONFIG GET * differs after the restart\n" +
                            written)
            return None
        finally:
            for s in servers:
                if s is not None:
                    s.stop()
                    crash = s.sanitizer_report()
                    if crash:
                        self.test.startup_crashes.append(
                            "seed %d rewrite round: %s" % (self.seed, crash))


# ---------------------------------------------------------------------------
# The test
# ---------------------------------------------------------------------------

class Test:
    def __init__(self, opts):
        self.opts = opts
        self.scratch = tempfile.mkdtemp(prefix="diff_config-")
        os.mkdir(os.path.join(self.scratch, "sub"))
        with open(os.path.join(self.scratch, "afile"), "w") as f:
            f.write("not a directory\n")
        # Every server runs in this scratch directory, so dir reads the
        # same on both and whatever Redis writes (dump.rdb, appendonlydir,
        # a pid file) lands here.
        self.ref_server = h.Server(binary=compat.REF_BIN, name="cfg-ref",
                                   tracked=False, debug_command=False,
                                   cwd=self.scratch)
        self.sut_server = h.Server(name="cfg-sut", tracked=False,
                                   debug_command=False, cwd=self.scratch)
        self.ref_server.start()
        self.sut_server.start()
        self.ref = compat.Side(self.ref_server)
        self.sut = compat.Side(self.sut_server)
        self.startup_crashes = []
        self.restarts = 0
        self.views = None
        self.initial = None

    def names(self, server):
        with server.conn(timeout=compat.REPLY_TIMEOUT) as c:
            val = h.parse(c.call("CONFIG", "GET", "*"))
        return [k.decode() for k in val[0::2]], dict(
            zip((k.decode() for k in val[0::2]), val[1::2]))

    def setup(self):
        """Computes the intersection and each side's start-up values;
        returns None or the report of a difference between them."""
        ref_names, ref_vals = self.names(self.ref_server)
        sut_names, sut_vals = self.names(self.sut_server)
        self.views = Views(ref_names, sut_names)
        self.initial = (ref_vals, sut_vals)
        a = [(n, ref_vals[n]) for n in self.views.shared
             if n not in NOT_COMPARED]
        b = [(n, sut_vals[n]) for n in self.views.shared
             if n not in NOT_COMPARED]
        # The pairs put back after each round: those Redis lets CONFIG SET
        # change, each side with its own start-up value.
        self.resettable = []
        with self.ref_server.conn() as c:
            for n in self.views.settable:
                if c.call("CONFIG", "SET", n, ref_vals[n]) == b"+OK\r\n":
                    self.resettable.append(n)
        print("reference %s on %d, under test %s on %d" % (
            compat.REF_BIN, self.ref_server.port, self.sut_server.binary,
            self.sut_server.port), flush=True)
        print("intersection: %d parameters (redis %d, respite %d), %d "
              "reset after each round" % (
                  len(self.views.shared), len(ref_names), len(sut_names),
                  len(self.resettable)), flush=True)
        if a != b:
            return "start-up values differ:\n  only redis: %s\n" \
                   "  only respite: %s" % (sorted(set(a) - set(b)),
                                           sorted(set(b) - set(a)))
        return None

    def reset_side(self, server, values):
        """Puts every resettable parameter back on a new connection, after
        AUTH if the round left a password (Redis refuses more than 10
        arguments before it). Returns True when it took."""
        args = ["CONFIG", "SET"]
        for n in self.resettable:
            args += [n, values[n]]
        try:
            with server.conn(timeout=compat.REPLY_TIMEOUT) as c:
                for pw in PASSWORDS[1:]:
                    if not c.call("PING").startswith(b"-NOAUTH"):
                        break
                    c.call("AUTH", pw)
                return c.call(*args) == b"+OK\r\n"
        except (OSError, ConnectionError, h.ProtocolError):
            return False

    def reset(self):
        ok = self.reset_side(self.ref_server, self.initial[0]) and \
            self.reset_side(self.sut_server, self.initial[1])
        if not ok:
            self.restart()

    def restart(self):
        """Restarts both servers (same Server objects, so seeded_rounds
        still watches the right process); a sanitizer report in the old
        log is kept."""
        self.restarts += 1
        crash = self.sut_server.sanitizer_report()
        if crash:
            self.startup_crashes.append("before restart: " + crash)
        for s in (self.ref_server, self.sut_server):
            s.stop()
            s.start()

    def clean_scratch(self):
        for entry in os.listdir(self.scratch):
            if entry in ("sub", "afile"):
                continue
            path = os.path.join(self.scratch, entry)
            if os.path.isdir(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                try:
                    os.unlink(path)
                except OSError:
                    pass

    def play(self, seed, proto):
        r = random.Random(seed * 7919).random()
        kind = None
        if r < self.opts.startup_share:
            kind = StartupRound
        elif r < self.opts.startup_share + self.opts.rewrite_share:
            kind = RewriteRound
        if kind is None:
            return Round(self, proto, seed, self.opts.steps).run()
        try:
            return kind(self, proto, seed).run()
        except Exception:
            return "seed %d [resp%d] %s: harness error\n%s" % (
                seed, proto, kind.__name__, traceback.format_exc())

    def close(self):
        self.ref.close()
        self.sut.close()
        shutil.rmtree(self.scratch, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=60)
    ap.add_argument("--steps", type=int, default=20,
                    help="steps of a runtime round")
    ap.add_argument("--resp", choices=["2", "3", "both"], default="both",
                    help="protocol of the rounds (both: alternate)")
    ap.add_argument("--startup-share", type=float, default=0.1,
                    help="share of the rounds that are start-up rounds")
    ap.add_argument("--rewrite-share", type=float, default=0.1,
                    help="share of the rounds that are CONFIG REWRITE "
                    "rounds")
    ap.add_argument("--quiet", action="store_true")
    opts = ap.parse_args()
    test = Test(opts)
    extra_failed = 0
    try:
        report = test.setup()
        if report:
            print("FAIL " + report, flush=True)
            extra_failed += 1
        passed, failed = compat.seeded_rounds(
            "diff_config", opts, test.ref_server, test.sut_server, test.play)
    finally:
        test.close()
    for c in test.startup_crashes:
        print("FAIL server under test at start-up or restart: " + c)
        extra_failed += 1
    if test.restarts:
        print("servers restarted %d times" % test.restarts)
    failed += extra_failed
    print("RESULT %d %d" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
