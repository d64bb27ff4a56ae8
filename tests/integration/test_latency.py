#!/usr/bin/python3
"""The latency monitor (LATENCY LATEST, HISTORY, RESET, GRAPH, DOCTOR) and
per-command latency tracking (LATENCY HISTOGRAM, INFO latencystats), as
Redis 7.0 keeps them.

A command is made slow on purpose with a Lua busy loop (EVAL, tens of
milliseconds on either server). Times differ between servers and runs,
so replies are checked by structure and by bounds: an event's latency is
at least latency-monitor-threshold ms and at most the wall time the call
took; a histogram's cumulative counts rise to its calls at Redis's
power-of-two steps (1, 2, 4, 8, 16, 33, 66, ... 1073741 us), in RESP2 and
RESP3. Every test passes against redis-server 7.0 too
(RESPITE_BIN=/usr/bin/redis-server). LATENCY DOCTOR's prose is Respite's
own: against Redis only its framing and the events it names are checked.
"""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, test  # noqa: E402

SLOW = "local i = 0 while i < %d do i = i + 1 end return i"
# Redis's LATENCY HISTOGRAM steps, in us (see server/cmd_latency.c).
STEPS = [((129 << (3 + k)) - 1) // 1000 for k in range(20)] + [1073741]


def server(*directives):
    return h.Server(*directives, name="latency").start()


def call(conn, *args):
    return h.parse(conn.call(*args))


def slow_eval(conn, ms):
    """Runs a busy EVAL of at least ms milliseconds (the loop is sized by
    a timed probe); returns the seconds it took, seen from here."""
    n = 200000
    while True:
        t0 = time.monotonic()
        call(conn, "EVAL", SLOW % n, "0")
        took = time.monotonic() - t0
        if took * 1000 >= ms:
            return took
        n *= 2


def as_pairs(v):
    """A RESP3 map (pairs) or a RESP2 flat array, as a list of pairs."""
    if v and isinstance(v[0], tuple):
        return v
    return list(zip(v[0::2], v[1::2]))


def check_cdf(entry):
    """{calls, histogram_usec} of one command: returns (calls, steps)."""
    fields = dict(as_pairs(entry))
    assert_eq(sorted(fields), [b"calls", b"histogram_usec"])
    calls = fields[b"calls"]
    steps = as_pairs(fields[b"histogram_usec"])
    keys = [k for k, _ in steps]
    counts = [c for _, c in steps]
    assert set(keys) <= set(STEPS), keys
    assert_eq(keys, sorted(keys))
    assert all(a < b for a, b in zip(counts, counts[1:])), counts
    assert counts and counts[-1] == calls, (calls, counts)
    return calls, steps


@test
def a_slow_command_is_a_command_event():
    s = server("--latency-monitor-threshold", "5")
    with s.conn() as c:
        assert_eq(call(c, "LATENCY", "RESET"), 0)
        assert_eq(call(c, "LATENCY", "LATEST"), [])
        took = slow_eval(c, 40)
        latest = call(c, "LATENCY", "LATEST")
        assert_eq(len(latest), 1)
        name, when, ms, worst = latest[0]
        assert_eq(name, b"command")
        assert abs(when - time.time()) < 10, when
        assert 5 <= ms <= took * 1000 + 1, (ms, took)
        assert_eq(worst, ms)
        hist = call(c, "LATENCY", "HISTORY", "command")
        assert hist and all(len(x) == 2 for x in hist), hist
        assert_eq(hist[-1], [when, ms])
        assert_eq(call(c, "LATENCY", "HISTORY", "fast-command"), [])
        assert_eq(call(c, "LATENCY", "HISTORY", "nosuch"), [])
        # RESET counts the events it emptied; unknown names count nothing.
        assert_eq(call(c, "LATENCY", "RESET", "nosuch", "command"), 1)
        assert_eq(call(c, "LATENCY", "LATEST"), [])
        assert_eq(call(c, "LATENCY", "RESET"), 0)


@test
def events_in_one_second_keep_the_worst():
    s = server("--latency-monitor-threshold", "3")
    with s.conn() as c:
        # Two slow calls within one second (retried if a second ticks;
        # a loaded machine can make several attempts straddle one, so
        # each starts afresh and the last one's events are kept).
        for _ in range(20):
            call(c, "LATENCY", "RESET")
            sec = int(time.time())
            slow_eval(c, 20)
            slow_eval(c, 5)
            if int(time.time()) == sec:
                break
        hist = call(c, "LATENCY", "HISTORY", "command")
        assert_eq(len(hist), 1)
        (_, name, _, ms, worst), = [[0] + e for e in
                                    call(c, "LATENCY", "LATEST")]
        assert_eq((name, ms, worst), (b"command", hist[0][1], hist[0][1]))
        assert ms >= 5, ms


@test
def threshold_zero_records_nothing():
    s = server()
    with s.conn() as c:
        assert_eq(call(c, "CONFIG", "GET", "latency-monitor-threshold"),
                  [b"latency-monitor-threshold", b"0"])
        slow_eval(c, 20)
        assert_eq(call(c, "LATENCY", "LATEST"), [])
        # Turned on at run time, then off again.
        assert_eq(call(c, "CONFIG", "SET", "latency-monitor-threshold", "2"),
                  b"OK")
        slow_eval(c, 20)
        assert_eq([e[0] for e in call(c, "LATENCY", "LATEST")], [b"command"])
        call(c, "CONFIG", "SET", "latency-monitor-threshold", "0")
        call(c, "LATENCY", "RESET")
        slow_eval(c, 20)
        assert_eq(call(c, "LATENCY", "LATEST"), [])


@test
def histogram_counts_every_call():
    s = server()
    for proto in (2, 3):
        with s.conn() as c:
            if proto == 3:
                call(c, "HELLO", "3")
            assert_eq(call(c, "CONFIG", "RESETSTAT"), b"OK")
            for i in range(5):
                call(c, "SET", "k%d" % i, "v")
            for i in range(3):
                call(c, "GET", "k%d" % i)
            took = slow_eval(c, 20)
            got = as_pairs(call(c, "LATENCY", "HISTOGRAM", "set", "GET",
                                "nosuch", "eval", "set"))
            # Named ones in order, unknown skipped, repeats repeated.
            assert_eq([k for k, _ in got], [b"set", b"get", b"eval", b"set"])
            calls = [check_cdf(v)[0] for _, v in got]
            assert_eq(calls[:2] + calls[3:], [5, 3, 5])
            assert calls[2] >= 1, calls
            # The slow EVAL sits at or above the step that holds 20 ms.
            _, steps = check_cdf(got[2][1])
            assert steps[-1][0] >= 16908, steps
            assert steps[0][0] <= took * 1e6 * 2, (steps, took)
            # All: every command that ran since RESETSTAT, set included.
            every = dict(as_pairs(call(c, "LATENCY", "HISTOGRAM")))
            assert {b"set", b"get", b"eval",
                    b"config|resetstat"} <= set(every), every.keys()
            for v in every.values():
                check_cdf(v)


@test
def histogram_of_subcommands():
    s = server()
    with s.conn() as c:
        call(c, "CONFIG", "RESETSTAT")
        call(c, "CONFIG", "GET", "port")
        call(c, "CONFIG", "GET", "hz")
        got = as_pairs(call(c, "LATENCY", "HISTOGRAM", "CONFIG|GET"))
        assert_eq([k for k, _ in got], [b"config|get"])
        assert_eq(check_cdf(got[0][1])[0], 2)
        # A container named alone: its subcommands that ran.
        names = sorted(k for k, _ in as_pairs(
            call(c, "LATENCY", "HISTOGRAM", "config")))
        assert_eq(names, [b"config|get", b"config|resetstat"])
        assert_eq(call(c, "LATENCY", "HISTOGRAM", "config|nosuch", "get|x",
                       "nosuch"), [])


@test
def info_latencystats():
    s = server()
    with s.conn() as c:
        def info(*sections):
            return call(c, "INFO", *sections).decode()
        call(c, "CONFIG", "RESETSTAT")
        call(c, "SET", "k", "v")
        call(c, "GET", "k")
        lines = info("latencystats").split("\r\n")
        assert_eq(lines[0], "# Latencystats")
        num = r"\d+\.\d{3}"
        for name in ("set", "get", "config|resetstat"):
            pat = r"latency_percentiles_usec_%s:p50=%s,p99=%s,p99\.9=%s$" % (
                re.escape(name), num, num, num)
            assert any(re.match(pat, ln) for ln in lines), (name, lines)
        # Not in the default INFO; in "everything", after errorstats.
        assert "Latencystats" not in info()
        every = re.findall(r"^# (\w+)", info("everything"), re.M)
        assert "Latencystats" in every, every
        assert_eq(every[every.index("Latencystats") - 1], "Errorstats")
        # Percentiles as CONFIG GET shows them.
        call(c, "CONFIG", "SET", "latency-tracking-info-percentiles",
             "0 12.50 100 99.9999")
        assert_eq(call(c, "CONFIG", "GET",
                       "latency-tracking-info-percentiles"),
                  [b"latency-tracking-info-percentiles",
                   b"0 12.5 100 99.9999"])
        line = [ln for ln in info("latencystats").split("\r\n")
                if ln.startswith("latency_percentiles_usec_set:")][0]
        assert re.match(r"latency_percentiles_usec_set:p0=%s,p12\.5=%s,"
                        r"p100=%s,p99\.9999=%s$" % (num, num, num, num),
                        line), line
        lo, p12, hi, _ = [float(x.split("=")[1]) for x in
                          line.split(":")[1].split(",")]
        assert lo <= p12 <= hi, line
        # None: each line is the name alone.
        call(c, "CONFIG", "SET", "latency-tracking-info-percentiles", "")
        text = info("latencystats")
        assert "latency_percentiles_usec_set:\r\n" in text, text


@test
def tracking_off_and_resetstat():
    s = server("--latency-tracking", "no")
    with s.conn() as c:
        call(c, "SET", "k", "v")
        assert_eq(call(c, "LATENCY", "HISTOGRAM", "set"), [])
        text = call(c, "INFO", "latencystats").decode()
        assert_eq(text, "# Latencystats\r\n")
        call(c, "CONFIG", "SET", "latency-tracking", "yes")
        call(c, "SET", "k", "v")
        call(c, "SET", "k", "v")
        got = as_pairs(call(c, "LATENCY", "HISTOGRAM", "set"))
        assert_eq(check_cdf(got[0][1])[0], 2)
        # Off again: kept for LATENCY HISTOGRAM, not counted, not in INFO.
        call(c, "CONFIG", "SET", "latency-tracking", "no")
        call(c, "SET", "k", "v")
        got = as_pairs(call(c, "LATENCY", "HISTOGRAM", "set"))
        assert_eq(check_cdf(got[0][1])[0], 2)
        assert_eq(call(c, "INFO", "latencystats").decode(),
                  "# Latencystats\r\n")
        call(c, "CONFIG", "SET", "latency-tracking", "yes")
        call(c, "CONFIG", "RESETSTAT")
        assert_eq(call(c, "LATENCY", "HISTOGRAM", "set"), [])


@test
def a_blocked_command_counts_when_served():
    s = server()
    with s.conn() as c, s.conn() as w:
        call(c, "CONFIG", "RESETSTAT")
        # Timed out: not counted (Redis 7.0 records it where it logs it
        # slow, and a timeout is neither).
        assert_eq(call(w, "BLPOP", "nokey", "0.05"), None)
        assert_eq(call(c, "LATENCY", "HISTOGRAM", "blpop"), [])
        # Blocked: not yet; served: once.
        w.send(h.encode("BLPOP", "k", "0"))
        h.wait_blocked(s.client(), 1)
        assert_eq(call(c, "LATENCY", "HISTOGRAM", "blpop"), [])
        call(c, "RPUSH", "k", "a")
        assert_eq(h.parse(w.read_raw()), [b"k", b"a"])
        got = as_pairs(call(c, "LATENCY", "HISTOGRAM", "blpop"))
        assert_eq(check_cdf(got[0][1])[0], 1)
        # Not blocking: counted at once.
        call(c, "RPUSH", "k", "b")
        assert_eq(call(w, "BLPOP", "k", "0"), [b"k", b"b"])
        got = as_pairs(call(c, "LATENCY", "HISTOGRAM", "blpop"))
        assert_eq(check_cdf(got[0][1])[0], 2)


def fill(r, n, prefix, **kw):
    """Writes n keys of 100 bytes, pipelined; kw: px for a TTL in ms."""
    pipe = r.pipeline(transaction=False)
    for i in range(n):
        pipe.set("%s%d" % (prefix, i), "x" * 100, **kw)
        if i % 2000 == 1999:
            pipe.execute()
    pipe.execute()


def events(r):
    return {e[0]: e for e in r.execute_command("LATENCY", "LATEST")}


@test
def eviction_is_an_eviction_cycle_event():
    s = server("--latency-monitor-threshold", "1",
               "--maxmemory-eviction-tenacity", "100")
    r = s.client()
    fill(r, 100000, "k")
    used = int(r.info("memory")["used_memory"])
    r.execute_command("CONFIG", "SET", "maxmemory-policy", "allkeys-random")
    r.execute_command("CONFIG", "SET", "maxmemory", str(used // 3))
    r.set("one", "more")
    assert r.dbsize() < 100000
    ev = events(r)
    assert b"eviction-cycle" in ev, ev
    assert ev[b"eviction-cycle"][2] >= 1, ev
    with s.conn() as c:
        text = doctor(c)
    assert "eviction-cycle" in doctor_events(text), text
    if not s.redis:
        assert "Eviction is running: used memory went over maxmemory (now " \
               "%d bytes, policy allkeys-random)" % (used // 3) in text, text
        assert "maxmemory-eviction-tenacity allows (now 100)" in text, text


@test
def active_expiry_is_an_expire_cycle_event():
    s = server("--latency-monitor-threshold", "1")
    r = s.client()
    if not s.redis:
        # Respite's sweeper stops a tick at this budget (1 ms by default).
        r.execute_command("CONFIG", "SET", "active-expire-budget-us", "20000")
    fill(r, 200000, "k", px=200)
    deadline = time.monotonic() + 10
    while b"expire-cycle" not in events(r):
        assert time.monotonic() < deadline, (r.dbsize(), events(r))
        time.sleep(0.05)
    assert events(r)[b"expire-cycle"][2] >= 1
    with s.conn() as c:
        text = doctor(c)
    assert "expire-cycle" in doctor_events(text), text
    if not s.redis:
        assert "The sweeper runs hz times a second (hz is now 10) and may " \
               "spend active-expire-budget-us (now 20000 us)" in text, text


# ---- LATENCY DOCTOR --------------------------------------------------------

def doctor(c, proto=2):
    """LATENCY DOCTOR's text, after checking its framing: a bulk string in
    RESP2, a verbatim "txt" string in RESP3, ending in a newline."""
    raw = c.call("LATENCY", "DOCTOR")
    assert raw[:1] == (b"=" if proto == 3 else b"$"), raw[:60]
    body = h.parse(raw)
    assert isinstance(body, bytes), body
    if proto == 3:
        assert body.startswith(b"txt:"), body[:60]
        body = body[4:]
    assert body.endswith(b"\n"), body[-60:]
    return body.decode()


def doctor_events(text):
    """The events a report's numbered paragraphs name, in order."""
    return [m.group(1) for m in re.finditer(r"^\d+\. ([a-z-]+): ", text,
                                            re.M)]


def latest(c):
    """LATENCY LATEST as {event: (time, latest ms, worst ms)}."""
    return {e[0].decode(): tuple(e[1:]) for e in call(c, "LATENCY", "LATEST")}


@test
def doctor_reply_type_help_and_arity():
    s = server()
    for proto in (2, 3):
        with s.conn() as c:
            if proto == 3:
                call(c, "HELLO", "3")
            doctor(c, proto)
            # Any case, as every subcommand.
            raw = c.call("latency", "doctor")
            assert raw[:1] == (b"=" if proto == 3 else b"$"), raw[:60]
            assert_eq(call(c, "LATENCY", "DOCTOR", "x"), h.RespError(
                "ERR wrong number of arguments for 'latency|doctor' "
                "command"))
            # HELP lists it first, in Redis's words.
            lines = call(c, "LATENCY", "HELP")
            assert_eq(lines[1:3], [
                b"DOCTOR",
                b"    Return a human readable latency analysis report."])


@test
def doctor_says_when_the_monitor_is_off():
    s = server()
    with s.conn() as c:
        slow_eval(c, 20)                # not recorded: the monitor is off
        text = doctor(c)
        assert "CONFIG SET latency-monitor-threshold" in text, text
        assert_eq(doctor_events(text), [])
        if not s.redis:
            assert text.startswith("The latency monitor is off "
                                   "(latency-monitor-threshold is 0)"), text


@test
def doctor_says_when_nothing_was_recorded():
    s = server("--latency-monitor-threshold", "100000")
    with s.conn() as c:
        call(c, "SET", "k", "v")
        text = doctor(c)
        assert_eq(doctor_events(text), [])
        assert "command" not in text, text
        if not s.redis:
            assert text.startswith("No latency spike recorded: nothing has "
                                   "taken 100000 ms or more"), text


@test
def doctor_reports_a_provoked_spike():
    # 10 ms: well above a busy machine's hiccups, so the report's calls do
    # not become samples themselves.
    s = server("--latency-monitor-threshold", "10")
    with s.conn() as c:
        call(c, "LATENCY", "RESET")
        assert_eq(call(c, "DEBUG", "SLEEP", "0.05"), b"OK")
        ev = latest(c)
        assert "command" in ev and ev["command"][1] >= 50, ev
        text = doctor(c)
        # One paragraph per event LATEST shows, in LATEST's order (a busy
        # machine may add one; both lists then name it).
        assert_eq(doctor_events(text), list(latest(c)))
        assert text.count("1. command: ") == 1, text
        if s.redis:
            return
        _, ms, worst = latest(c)["command"]
        assert "\n   1 second with a spike kept (at most 160 are); the " \
               "latest (" in text, text
        assert re.search(r"\) took %d ms; the worst since the last reset "
                         r"%d ms; %d\.0 ms on average over those kept\.\n"
                         % (ms, worst, ms), text), text
        assert "A single spike so far" in text, text
        # Advice for slow commands: the slow log (10 ms by default, as the
        # monitor's threshold) and the commands that walk a collection.
        assert "- SLOWLOG GET lists the recent slow commands" in text, text
        assert "Prefer SCAN, SSCAN, HSCAN and ZSCAN" in text, text
        assert "A command flagged fast" not in text, text
        assert "active-expire-budget-us" not in text, text
        assert text.rstrip().endswith("LATENCY RESET forgets them."), text

        # A second spike in a later second: two kept, and how often.
        sec = int(time.time())
        while int(time.time()) == sec:
            time.sleep(0.01)
        call(c, "DEBUG", "SLEEP", "0.02")
        hist = call(c, "LATENCY", "HISTORY", "command")
        assert_eq(len(hist), 2)
        (t0, m0), (t1, m1) = hist
        text = doctor(c)
        assert "2 seconds with a spike kept" in text, text
        assert "%.1f ms on average" % ((m0 + m1) / 2) in text, text
        assert ("One spike every %.1f s on average, over the %d s between "
                "the first and the latest kept." % (t1 - t0, t1 - t0)
                in text), text
        assert "the worst since the last reset %d ms" % max(m0, m1) \
            in text, text

        # The slow log's setting changes the advice.
        call(c, "CONFIG", "SET", "slowlog-log-slower-than", "20000")
        text = doctor(c)
        assert "The slow log keeps only commands slower than 20000 us, " \
               "longer than the monitor's threshold" in text, text
        assert "CONFIG SET slowlog-log-slower-than 10000 makes SLOWLOG GET " \
               "list every command behind a spike" in text, text
        call(c, "CONFIG", "SET", "slowlog-log-slower-than", "-1")
        text = doctor(c)
        assert "The slow log is off (slowlog-log-slower-than is negative)." \
               " Turn it on with CONFIG SET slowlog-log-slower-than 10000 " \
               "(the monitor's threshold in microseconds)" in text, text
        assert "SLOWLOG GET lists" not in text, text

        # Turned off, the monitor keeps what it saw and says so.
        call(c, "CONFIG", "SET", "latency-monitor-threshold", "0")
        text = doctor(c)
        assert "The monitor is off now (latency-monitor-threshold is 0)" \
            in text, text
        assert "1. command: " in text, text
        call(c, "LATENCY", "RESET")
        assert doctor(c).startswith("The latency monitor is off")


@test
def bgsave_fork_is_a_fork_event():
    # Redis records a BGSAVE's fork when it takes the threshold or more;
    # a million keys make it take a few ms, but a fast machine may fork
    # quicker, so the event must be there exactly when INFO's
    # latest_fork_usec says the fork reached 1 ms.
    s = server("--latency-monitor-threshold", "1")
    r = s.client()
    r.execute_command("DEBUG", "POPULATE", "1000000")
    r.execute_command("LATENCY", "RESET")
    r.execute_command("BGSAVE")
    h.wait_for(lambda: r.info("persistence")["rdb_bgsave_in_progress"] == 0,
               "the BGSAVE child to finish", timeout=60)
    usec = int(r.info("stats")["latest_fork_usec"])
    ev = events(r)
    assert_eq((b"fork" in ev, usec), (usec >= 1000, usec))
    if b"fork" not in ev:
        return
    assert_eq(ev[b"fork"][2], usec // 1000)
    with s.conn() as c:
        text = doctor(c)
    assert "fork" in doctor_events(text), text
    if not s.redis:
        assert "the fork copies the process's page tables" in text, text


def expected_graph(event, samples, worst, now):
    """LATENCY GRAPH as Redis draws it, from HISTORY's samples."""
    def label(t):
        s = now - t
        for unit, secs in (("s", 1), ("m", 60), ("h", 3600)):
            if s < secs * (60 if unit != "h" else 24):
                return "%d%s" % (s // secs, unit)
        return "%dd" % (s // 86400)
    vals = [ms for _, ms in samples]
    low, high = min(vals), max(vals)
    out = "%s - high %d ms, low %d ms (all time high %d ms)\n" % (
        event, high, low, worst) + "-" * 80 + "\n"
    for j in range(0, len(samples), 80):
        if j:
            out += "\n"
        part = samples[j:j + 80]
        rng = (high - low) or 1
        steps = [min(int((ms - low) * 12 / rng), 11) for _, ms in part]
        for row in range(4):
            out += "".join(" " if lv < 0 else "_o#"[lv] if lv < 3 else "|"
                           for lv in (st - (3 - row) * 3 for st in steps))
            out += "\n"
        out += " " * len(part) + "\n"
        labels = [label(t) for t, _ in part]
        for k in range(max(len(x) for x in labels)):
            out += "".join(x[k] if len(x) > k else " " for x in labels)
            out += "\n"
    return out


@test
def graph_draws_the_history():
    # A threshold well above a busy machine's hiccups: the GRAPH and
    # HISTORY calls below must not become samples themselves.
    s = server("--latency-monitor-threshold", "8")
    for proto in (2, 3):
        with s.conn() as c:
            if proto == 3:
                call(c, "HELLO", "3")
            call(c, "LATENCY", "RESET")
            assert_eq(call(c, "LATENCY", "GRAPH", "command"), h.RespError(
                "ERR No samples available for event 'command'"))
            for ms in (60, 10, 30):
                slow_eval(c, ms)
                time.sleep(1.05)
            for _ in range(5):
                now = int(time.time())
                hist = call(c, "LATENCY", "HISTORY", "command")
                raw = c.call("LATENCY", "GRAPH", "command")
                worst = call(c, "LATENCY", "LATEST")[0][3]
                again = call(c, "LATENCY", "HISTORY", "command")
                if int(time.time()) == now and again == hist:
                    break
            assert raw.startswith(b"=" if proto == 3 else b"$"), raw
            text = h.parse(raw)
            if proto == 3:
                assert text.startswith(b"txt:"), text
                text = text[4:]
            assert_eq(text.decode(), expected_graph("command", hist, worst,
                                                    now))


@test
def settings_errors():
    s = server()
    with s.conn() as c:
        pre = ("ERR CONFIG SET failed (possibly related to argument "
               "'latency-tracking-info-percentiles') - ")
        for bad, why in (("101", "latency-tracking-info-percentiles "
                          "parameters should sit between [0.0,100.0]"),
                         ("-1", "latency-tracking-info-percentiles "
                          "parameters should sit between [0.0,100.0]"),
                         ("abc", "Invalid latency-tracking-info-percentiles "
                          "parameters"),
                         ("50  99", "Invalid latency-tracking-info-"
                          "percentiles parameters")):
            got = call(c, "CONFIG", "SET",
                       "latency-tracking-info-percentiles", bad)
            assert_eq(got, h.RespError(pre + why))
        assert_eq(call(c, "CONFIG", "GET",
                       "latency-tracking-info-percentiles"),
                  [b"latency-tracking-info-percentiles", b"50 99 99.9"])
        got = call(c, "CONFIG", "SET", "latency-monitor-threshold", "-1")
        assert_eq(got, h.RespError(
            "ERR CONFIG SET failed (possibly related to argument "
            "'latency-monitor-threshold') - argument must be between 0 and "
            "9223372036854775807 inclusive"))


if __name__ == "__main__":
    h.run()
