#!/usr/bin/python3
"""DEBUG as the test suites of apps and client libraries use it: refused
unless enable-debug-command allows it, SLEEP stalling every client, LOG
writing into the server's log, POPULATE filling a database, ERROR not
counted as a failure. Reply bytes are compared with redis-server in
tests/compat/cases.txt; these are the effects a reply does not show. Every
test but two (HELP's text, a 600 MB POPULATE) passes against redis-server
7.0 too (RESPITE_BIN=/usr/bin/redis-server)."""

import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, test  # noqa: E402

DISABLED = ("DEBUG command not allowed. If the enable-debug-command option "
            "is set to")


@test
def refused_unless_enabled():
    with h.Server(debug_command=False) as s:
        r = s.client()
        h.assert_raises_text(lambda: r.execute_command("DEBUG", "SLEEP", 0),
                             DISABLED)
        assert_eq(r.config_get("enable-debug-command"),
                  {"enable-debug-command": "no"})
    with h.Server("--enable-debug-command", "local", debug_command=False) as s:
        # Loopback clients are local.
        assert_eq(s.client().execute_command("DEBUG", "SLEEP", 0), b"OK")


@test
def refused_before_auth_and_multi_as_a_rejected_call():
    """DEBUG, and MODULE LOAD/LOADEX/UNLOAD, are Redis's protected
    commands: refused by processCommand right after the arity checks, so
    before NOAUTH, queued in no MULTI (EXEC aborts) and counted as
    rejected_calls, not calls (found with redis-rb's debug method)."""
    module = ("MODULE command not allowed. If the enable-module-command "
              "option is set to")
    with h.Server("--requirepass", "pw", debug_command=False) as s:
        with s.conn() as c:
            err = h.parse(c.call("DEBUG", "OBJECT", "k"))
            assert DISABLED in str(err), err
            err = h.parse(c.call("MODULE", "LOAD", "/x.so"))
            assert module in str(err), err
            err = h.parse(c.call("MODULE", "LIST"))
            assert "NOAUTH" in str(err), err
            assert_eq(c.call("AUTH", "pw"), b"+OK\r\n")
            assert_eq(c.call("MULTI"), b"+OK\r\n")
            assert DISABLED in str(h.parse(c.call("DEBUG", "SLEEP", "0")))
            assert module in str(h.parse(c.call("MODULE", "UNLOAD", "m")))
            assert_eq(c.call("SET", "k", "v"), b"+QUEUED\r\n")
            err = h.parse(c.call("EXEC"))
            assert str(err).startswith("EXECABORT"), err
            stats = h.parse(c.call("INFO", "commandstats")).decode()
            for name, n in (("debug", 2), ("module|load", 1),
                            ("module|unload", 1)):
                line = [x for x in stats.split("\r\n")
                        if x.startswith("cmdstat_%s:" % name)]
                assert line and "calls=0," in line[0] and \
                    "rejected_calls=%d," % n in line[0], (name, line)


@test
def sleep_stalls_every_client():
    s = h.shared_server()
    with s.conn() as sleeper, s.conn() as other:
        assert_eq(other.call("PING"), b"+PONG\r\n")
        t0 = time.monotonic()
        sleeper.send(h.encode("DEBUG", "SLEEP", "1"))
        # A PING the server reads before the sleep starts comes back at
        # once; the first one after it waits out the rest of the second.
        longest = 0.0
        while time.monotonic() - t0 < 0.7 and longest < 0.3:
            t1 = time.monotonic()
            assert_eq(other.call("PING"), b"+PONG\r\n")
            longest = max(longest, time.monotonic() - t1)
        assert_eq(sleeper.read_raw(), b"+OK\r\n")
        slept = time.monotonic() - t0
    assert longest >= 0.3, longest
    assert slept >= 0.95, slept


@test
def log_writes_a_marker():
    with h.Server() as s:
        r = s.client()
        assert_eq(r.execute_command("DEBUG", "LOG", "marker 42 here"), b"OK")
        h.wait_for(lambda: b"DEBUG LOG: marker 42 here" in s.log_bytes(),
                   "the marker in the log")


@test
def populate_fills_a_database():
    r = h.flushed()
    r.set("key:7", "mine")
    r.rpush("key:8", "a list")
    assert r.execute_command("DEBUG", "POPULATE", 100000)
    assert_eq(r.dbsize(), 100000)
    assert_eq(r.get("key:0"), b"value:0")
    assert_eq(r.get("key:99999"), b"value:99999")
    assert_eq(r.get("key:7"), b"mine")          # existing keys left alone
    assert_eq(r.type("key:8"), b"list")
    assert_eq(r.exists("key:100000"), 0)
    assert r.execute_command("DEBUG", "POPULATE", 3, "big", 100000)
    assert_eq(r.strlen("big:2"), 100000)
    assert_eq(r.getrange("big:2", 0, 9), b"value:2\0\0\0")


@test
def populate_replaces_expired_keys():
    r = h.flushed()
    r.set("e:0", "old", px=1)
    time.sleep(0.01)
    assert r.execute_command("DEBUG", "POPULATE", 1, "e")
    assert_eq((r.get("e:0"), r.ttl("e:0")), (b"value:0", -1))


@test
def populate_touches_watched_keys():
    s = h.shared_server()
    r = h.flushed()
    with s.conn() as w:
        assert_eq(w.call("WATCH", "key:1"), b"+OK\r\n")
        assert r.execute_command("DEBUG", "POPULATE", 2)
        w.call("MULTI")
        w.call("GET", "key:1")
        assert_eq(w.call("EXEC"), b"*-1\r\n")


@test
def error_is_not_counted_as_a_failure():
    """The caller made the error up: as in Redis, neither errorstats nor
    the command's failed calls count it."""
    r = h.flushed()
    r.config_resetstat()
    h.assert_raises_text(
        lambda: r.execute_command("DEBUG", "ERROR", "MYCODE went wrong"),
        "MYCODE went wrong")
    with h.shared_server().conn() as c:
        info = h.parse(c.call("INFO", "errorstats"))
        stats = h.parse(c.call("INFO", "stats"))
    assert_eq(info, b"# Errorstats\r\n")
    assert b"total_error_replies:0\r\n" in stats, stats


@test(respite_only=True, reason="Redis would build a 600 MB string")
def populate_stops_at_the_string_limit():
    r = h.flushed()
    h.assert_raises_text(
        lambda: r.execute_command("DEBUG", "POPULATE", 2, "big", 600000000),
        "string exceeds maximum allowed size")
    assert_eq(r.dbsize(), 0)
    assert r.execute_command("DEBUG", "POPULATE", 2, "small", 5)
    assert_eq(r.dbsize(), 2)


@test(respite_only=True, reason="Respite's own HELP text")
def help_lists_every_subcommand():
    r = h.shared_server().client()
    text = b"\n".join(r.execute_command("DEBUG", "HELP"))
    for sub in (b"ERROR", b"JUMP-CLOCK", b"LOG", b"POPULATE", b"PROTOCOL",
                b"SEGFAULT", b"SET-ACTIVE-EXPIRE", b"SLEEP", b"HELP"):
        assert b"\n" + sub in text, sub


def crash(*directives):
    """A server killed by DEBUG SEGFAULT: (exit status, its log)."""
    s = h.Server(*directives, tracked=False, name="crash").start()
    with s.conn() as c:
        c.send(h.encode("DEBUG", "SEGFAULT"))
        assert c.is_closed(timeout=30)
    return s.wait_exit(timeout=30), s.log_bytes()


@test(respite_only=True, reason="Respite's own report (Redis writes its "
      "REDIS BUG REPORT)")
def segfault_writes_the_crash_log():
    status, log = crash()
    if b"AddressSanitizer" in log:
        # The sanitized build leaves the report to ASan (crash.c).
        assert b"SEGV on unknown address" in log, log[-2000:]
        return
    assert_eq(status, -signal.SIGSEGV, "dies of the signal itself")
    report = log[log.index(b"=== RESPITE BUG REPORT START ==="):]
    assert b"crashed by signal 11 (SIGSEGV)" in report, report
    assert b"Faulting address: 0x" in report, report
    assert b"(client_call+0x" in report, report   # a frame by name
    assert report.rstrip().endswith(b"=== RESPITE BUG REPORT END ==="), \
        report[-300:]


@test(respite_only=True, reason="Respite's own report")
def no_crash_log_when_disabled():
    status, log = crash("--crash-log-enabled", "no")
    assert b"BUG REPORT" not in log, log[-2000:]
    if b"AddressSanitizer" not in log:
        assert_eq(status, -signal.SIGSEGV)


if __name__ == "__main__":
    h.run()
