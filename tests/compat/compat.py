#!/usr/bin/python3
"""compat.py - byte-for-byte compatibility of Respite with redis-server.

Starts Debian's redis-server (the reference, $REDIS_REF_BIN or
/usr/bin/redis-server, with --save '' --appendonly no) and the server under
test ($RESPITE_BIN, default bin/respite), both with DEBUG enabled, side by
side on free ports, then
runs every case of cases.txt (or the files given with -f) on both over raw
sockets and compares the raw reply bytes. Each case runs twice: in RESP2,
and on a connection that first switched to RESP3 with HELLO 3 (whose reply
is compared by shape only, since version and id differ). Each (case,
protocol) pair is one test: "ok  name [resp2]" / "FAIL name [resp3]" with
every differing reply, then a last line "RESULT <passed> <failed>".

Case file syntax (see cases.txt):

    # comment
    === case name                 starts a case; {resp2} or {resp3} after
                                  the name runs it in one protocol only
    SET k "a b\\x00"              a command, split like redis-cli does
                                  (double quotes take \\n \\r \\t \\xHH)
    @2 SET k v                    the same on a second connection
    !shape TIME                   compare only the reply's shape: types,
                                  aggregate sizes and map keys
    !type INFO                    compare only the reply's type byte
    !sorted KEYS *                compare an array's elements as a sorted list
    !ignore CLIENT ID             run it, do not compare (setup)
    !scan MATCH k* COUNT 3        iterate SCAN from 0 to the end and compare
                                  the set of keys returned, not the bytes
    !raw "PING\\r\\n"               send these bytes (quoted like a command
                                  argument), compare one reply
    !noreply CLIENT REPLY SKIP    send; both must stay silent for 100 ms
    !push                         RESP3: read one more reply without sending
                                  (a push another connection's command
                                  caused); RESP2: nothing
    !closed                       both connections must now be closed

Before each case both servers get FLUSHALL and DEBUG SET-ACTIVE-EXPIRE 1
(a case may turn the sweeper off, so that a key past its time waits for a
command to find it) and the connections are new.
If the server under test dies, the case fails and the server is restarted
so the remaining cases still run.

Usage: compat.py [-f cases.txt] [-k substring] [--dump]
  --dump prints the reference replies (to check new cases).
"""

import argparse
import os
import select
import socket
import sys
import tempfile
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness as h  # noqa: E402

REF_BIN = os.environ.get("REDIS_REF_BIN", "/usr/bin/redis-server")
# Every reply is due at once; the longest, PFSELFTEST, takes 1.8 s under
# ASan alone and more on a busy machine.
REPLY_TIMEOUT = 10.0


# ---------------------------------------------------------------------------
# Case file
# ---------------------------------------------------------------------------

class CaseError(Exception):
    pass


def split_args(line):
    """Splits a command line like redis-cli / sdssplitargs: whitespace
    separated, "double quotes" with \\n \\r \\t \\b \\a \\xHH \\" \\\\ escapes,
    'single quotes' with \\' only. Returns a list of bytes."""
    out = []
    i, n = 0, len(line)
    while True:
        while i < n and line[i].isspace():
            i += 1
        if i >= n:
            return out
        cur = bytearray()
        inq = insq = False
        while True:
            if inq:
                if i >= n:
                    raise CaseError("unbalanced quotes: %s" % line)
                c = line[i]
                if c == "\\" and i + 3 < n and line[i + 1] == "x" and \
                        all(ch in "0123456789abcdefABCDEF" for ch in line[i + 2:i + 4]):
                    cur.append(int(line[i + 2:i + 4], 16))
                    i += 3
                elif c == "\\" and i + 1 < n:
                    i += 1
                    cur += {"n": b"\n", "r": b"\r", "t": b"\t", "b": b"\b",
                            "a": b"\a"}.get(line[i], line[i].encode())
                elif c == '"':
                    if i + 1 < n and not line[i + 1].isspace():
                        raise CaseError("closing quote must be followed by a "
                                        "space: %s" % line)
                    inq = False
                    i += 1
                    break
                else:
                    cur += c.encode()
            elif insq:
                if i >= n:
                    raise CaseError("unbalanced quotes: %s" % line)
                c = line[i]
                if c == "\\" and i + 1 < n and line[i + 1] == "'":
                    cur += b"'"
                    i += 1
                elif c == "'":
                    insq = False
                    i += 1
                    break
                else:
                    cur += c.encode()
            else:
                if i >= n or line[i].isspace():
                    break
                c = line[i]
                if c == '"':
                    inq = True
                elif c == "'":
                    insq = True
                else:
                    cur += c.encode()
            i += 1
        out.append(bytes(cur))


class Case:
    def __init__(self, name, protos, where):
        self.name = name
        self.protos = protos
        self.where = where
        self.steps = []     # (conn index, mode, args)


DIRECTIVES = ("!shape", "!type", "!sorted", "!ignore", "!scan", "!raw",
              "!noreply", "!closed", "!push")


def load_cases(path):
    cases = []
    cur = None
    with open(path, encoding="utf-8") as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            where = "%s:%d" % (os.path.basename(path), lineno)
            if s.startswith("==="):
                name = s[3:].strip()
                protos = (2, 3)
                if name.endswith("{resp2}"):
                    protos, name = (2,), name[:-7].strip()
                elif name.endswith("{resp3}"):
                    protos, name = (3,), name[:-7].strip()
                cur = Case(name, protos, where)
                cases.append(cur)
                continue
            if cur is None:
                raise CaseError("%s: command outside a case" % where)
            conn = 0
            if s.startswith("@2 "):
                conn, s = 1, s[3:].strip()
            mode = "cmd"
            if s.startswith("!"):
                word, _, rest = s.partition(" ")
                if word not in DIRECTIVES:
                    raise CaseError("%s: unknown directive %s" % (where, word))
                mode, s = word[1:], rest.strip()
            try:
                args = split_args(s)
            except CaseError as e:
                raise CaseError("%s: %s" % (where, e))
            if mode == "raw":
                if len(args) != 1:
                    raise CaseError("%s: !raw takes one quoted argument" % where)
            elif mode not in ("closed", "scan", "push") and not args:
                raise CaseError("%s: empty command" % where)
            cur.steps.append((conn, mode, args, s))
    return cases


# ---------------------------------------------------------------------------
# Running one side
# ---------------------------------------------------------------------------

CLOSED = b"<connection closed>"
TIMEOUT = b"<no reply within %.0fs>" % REPLY_TIMEOUT


class Side:
    """One server and the (up to two) connections of the current case."""

    def __init__(self, server):
        self.server = server
        self.hello = None
        self.conns = [None, None]
        self.dead = [False, False]
        self.proto = 2

    def open(self, proto):
        self.close()
        self.proto = proto
        self.dead = [False, False]
        self.hello = None
        with self.server.conn(timeout=REPLY_TIMEOUT) as admin:
            rep = admin.call("FLUSHALL")
            if rep != b"+OK\r\n":
                raise h.ServerError("FLUSHALL replied %r" % rep)
            # A case may switch the sweeper off (keys past their time then
            # stay until a command touches them); on again for the next.
            # Servers started without DEBUG (diff_config.py's) refuse it,
            # and need no reset.
            admin.call("DEBUG", "SET-ACTIVE-EXPIRE", "1")

    def conn(self, i):
        if self.conns[i] is None:
            c = self.server.conn(timeout=REPLY_TIMEOUT)
            self.conns[i] = c
            if self.proto == 3:
                self.hello = c.call("HELLO", "3")
        return self.conns[i]

    def close(self):
        for i, c in enumerate(self.conns):
            if c is not None:
                c.close()
            self.conns[i] = None

    def request(self, i, data):
        """Sends data, returns one raw reply or a <marker>."""
        return self.pipeline(i, [data])[0]

    def pipeline(self, i, requests):
        """Sends the requests in one write; returns one raw reply each, a
        <marker> from the first that failed on."""
        if self.dead[i]:
            return [CLOSED] * len(requests)
        c = self.conn(i)
        replies = []
        try:
            c.send(b"".join(requests))
            for _ in requests:
                replies.append(c.read_raw())
            return replies
        except socket.timeout:
            marker = TIMEOUT
        except (ConnectionError, OSError):
            marker = CLOSED
        except h.ProtocolError as e:
            marker = b"<unparsable reply: %s>" % str(e).encode()
        self.dead[i] = True
        return replies + [marker] * (len(requests) - len(replies))

    def push(self, i):
        """The next reply on connection i, sending nothing: RESP3 only,
        where a push can arrive unasked."""
        if self.proto != 3:
            return b"<RESP2>"
        if self.dead[i]:
            return CLOSED
        try:
            return self.conn(i).read_raw()
        except socket.timeout:
            marker = TIMEOUT
        except (ConnectionError, OSError):
            marker = CLOSED
        self.dead[i] = True
        return marker

    def silent(self, i, data):
        if self.dead[i]:
            return CLOSED
        c = self.conn(i)
        try:
            c.send(data)
        except OSError:
            self.dead[i] = True
            return CLOSED
        if c.pos < len(c.buf):
            return b"<reply>"
        r, _, _ = select.select([c.sock], [], [], 0.1)
        return b"<reply>" if r else b"<silent>"

    def closed(self, i):
        if self.dead[i]:
            return b"<closed>"
        c = self.conn(i)
        try:
            return b"<closed>" if c.is_closed(timeout=REPLY_TIMEOUT) else b"<open>"
        except OSError:
            return b"<closed>"

    def scan(self, i, args, name=b"SCAN", key=()):
        """Full SCAN iteration (or HSCAN/SSCAN/ZSCAN of key, given as a
        1-tuple); returns a canonical description: the set of what came
        back (field-value pairs for HSCAN and ZSCAN), sorted. A set, since
        SCAN may return an element twice across a rehash."""
        cursor = b"0"
        keys = set()
        pairs = name.upper() in (b"HSCAN", b"ZSCAN")
        for _ in range(100000):
            rep = self.request(i, h.encode(name, *key, cursor, *args))
            if rep.startswith(b"<") or rep.startswith(b"-"):
                return rep
            try:
                val = h.parse(rep)
                cursor, batch = val
                assert isinstance(cursor, bytes) and isinstance(batch, list)
            except Exception:
                return b"<bad SCAN reply " + rep[:200] + b">"
            if pairs:
                batch = [repr(tuple(batch[j:j + 2])).encode()
                         for j in range(0, len(batch), 2)]
            keys.update(batch)
            if cursor == b"0":
                return b"keys: " + b" ".join(sorted(keys))
        return b"<SCAN did not end>"


# ---------------------------------------------------------------------------
# Shapes
# ---------------------------------------------------------------------------

def shape(raw):
    """The shape of a raw reply: types, aggregate sizes, map keys."""
    if raw.startswith(b"<"):
        return raw
    try:
        return repr(_shape(raw, 0)[0]).encode()
    except Exception as e:
        return b"<unparsable: %s>" % str(e).encode()


def _shape(raw, pos):
    end = raw.index(b"\r\n", pos)
    t, body = raw[pos:pos + 1], raw[pos + 1:end]
    pos = end + 2
    if t in b"$!=":
        n = int(body)
        return ((t.decode(),), pos + n + 2) if n >= 0 else (("null",), pos)
    if t in b"*~>":
        n = int(body)
        items = []
        for _ in range(max(n, 0)):
            s, pos = _shape(raw, pos)
            items.append(s)
        return (t.decode(), items) if n >= 0 else ("null",), pos
    if t in b"%|":
        n = int(body)
        items = []
        for _ in range(n):
            k, pos = h._parse(raw, pos)
            v, pos = _shape(raw, pos)
            items.append((k, v))
        return (t.decode(), items), pos
    if t == b"_":
        return ("null",), pos
    return (t.decode(),), pos


# What Respite answers as Redis 7.2/7.4 do where the 7.0 reference
# answers otherwise (README, "What differs"; tests/integration/test_v74.py
# checks the newer forms), turned back into 7.0's before comparing:
#
# Fields added to records of a reply: XINFO's consumers (XINFO CONSUMERS'
# inactive, XINFO STREAM FULL's active-time) and ACL LOG's entries
# (entry-id, timestamp-created, timestamp-last-updated). Each rule: the
# keys an aggregate must have to be such a record, and the keys to drop.
NEWER_FIELDS = {
    b"XINFO": ({b"name"}, {b"seen-time", b"idle"},
               {b"inactive", b"active-time"}),
    b"ACL": ({b"count", b"client-info"}, {b"reason"},
             {b"entry-id", b"timestamp-created", b"timestamp-last-updated"}),
}
# Error texts reworded, in errors and in the bulk strings a script may
# make of them.
_UNBALANCED_7_0 = (b"Unbalanced XREAD list of streams: for each stream key "
                   b"an ID or '$' must be specified.")
NEWER_TEXTS = [
    (b"Unbalanced 'xread' list of streams: for each stream key an ID or "
     b"'$' must be specified.", _UNBALANCED_7_0),
    (b"Unbalanced 'xreadgroup' list of streams: for each stream key an ID "
     b"or '>' must be specified.", _UNBALANCED_7_0),
]


def newer_rule(args):
    """The NEWER_FIELDS rule for a command's arguments (str or bytes)."""
    name = args[0] if args else b""
    if isinstance(name, str):
        name = name.encode("latin-1")
    return NEWER_FIELDS.get(name.upper())


def as_7_0(args, raw):
    """Respite's raw reply to args as Redis 7.0 would write it: without
    the newer fields (NEWER_FIELDS) and with the older texts (NEWER_TEXTS);
    an unparsable reply is returned as it is."""
    rule = newer_rule(args)
    if rule is None and not any(new in raw for new, _ in NEWER_TEXTS):
        return raw
    try:
        out, pos = _as_7_0(raw, 0, rule)
    except (ValueError, IndexError):
        return raw
    return out if pos == len(raw) else raw


def _older_text(data):
    for new, old in NEWER_TEXTS:
        data = data.replace(new, old)
    return data


def _bulk_value(item):
    return item.split(b"\r\n", 2)[1] if item[:1] == b"$" else None


def _as_7_0(raw, pos, rule):
    end = raw.index(b"\r\n", pos)
    t, n = raw[pos:pos + 1], raw[pos + 1:end]
    head = end + 2
    if t in b"$!=":
        size = int(n)
        if size < 0:
            return raw[pos:head], head
        data = _older_text(raw[head:head + size])
        return t + b"%d\r\n" % len(data) + data + b"\r\n", head + size + 2
    if t not in b"*~>%|" or int(n) < 0:
        return _older_text(raw[pos:head]), head
    count = int(n) * (2 if t in b"%|" else 1)
    items, p = [], head
    for _ in range(count):
        item, p = _as_7_0(raw, p, rule)
        items.append(item)
    keys = {_bulk_value(k) for k in items[::2]}
    # A record: a map, or in RESP2 an array of pairs, with these keys.
    if rule and count % 2 == 0 and rule[0] <= keys and keys & rule[1]:
        items = [x for k, v in zip(items[::2], items[1::2])
                 if _bulk_value(k) not in rule[2] for x in (k, v)]
    size = len(items) // 2 if t in b"%|" else len(items)
    return t + str(size).encode() + b"\r\n" + b"".join(items), p


def sorted_elements(raw):
    """An array's (or set's, or map's pairs') elements, sorted."""
    if raw.startswith(b"<") or raw[:1] not in b"*~%":
        return raw
    try:
        val = h.parse(raw)
    except Exception:
        return raw
    if raw[:1] == b"*" and not isinstance(val, list):
        return raw          # a null array
    return raw[:1] + b" sorted: " + repr(sorted(val, key=repr)).encode()


# ---------------------------------------------------------------------------
# Running cases
# ---------------------------------------------------------------------------

def run_case(case, proto, ref, sut, dump=False):
    """Runs one case on both sides; returns a list of mismatch texts."""
    diffs = []
    for side in (ref, sut):
        side.open(proto)
    for conn, mode, args, text in case.steps:
        label = ("@2 " if conn else "") + ("!%s " % mode if mode != "cmd" else "") + text
        outs = []
        for side in (ref, sut):
            if mode == "raw":
                out = side.request(conn, args[0])
            elif mode == "closed":
                out = side.closed(conn)
            elif mode == "noreply":
                out = side.silent(conn, h.encode(*args))
            elif mode == "scan":
                out = side.scan(conn, args)
            elif mode == "push":
                out = side.push(conn)
            else:
                out = side.request(conn, h.encode(*args))
                if side is sut:
                    out = as_7_0(args, out)
                if mode == "shape":
                    out = shape(out)
                elif mode == "type":
                    out = out[:1] if not out.startswith(b"<") else out
                elif mode == "sorted":
                    out = sorted_elements(out)
            outs.append(out)
        if dump:
            print("    %-40s %s" % (label[:40], clip(outs[0], 200)))
        if mode != "ignore" and outs[0] != outs[1]:
            diffs.append("  %s   (%s)\n    redis:   %s\n    respite: %s" % (
                label, case.where, clip(outs[0]), clip(outs[1])))
    if ref.hello is not None and sut.hello is not None and \
            shape(ref.hello) != shape(sut.hello):
        diffs.append("  HELLO 3 (implicit)\n    redis:   %s\n    respite: %s" % (
            clip(shape(ref.hello)), clip(shape(sut.hello))))
    for side in (ref, sut):
        side.close()
    return diffs


def responsive(server):
    try:
        with server.conn(timeout=REPLY_TIMEOUT) as c:
            return c.call("PING") == b"+PONG\r\n"
    except (OSError, ConnectionError, h.ProtocolError):
        return False


def seeded_rounds(label, opts, ref_server, sut_server, play):
    """The loop of the seeded differential tests: opts.rounds rounds from
    opts.seed, RESP2 and RESP3 in turn unless opts.resp names one;
    play(seed, proto) runs one and returns None or the report of its first
    difference. Stops both servers at the end, prints RESULT, returns the
    exit status; the server under test exiting or a sanitizer report
    counts as a failure."""
    passed = failed = 0
    try:
        for r in range(opts.rounds):
            seed = opts.seed + r
            proto = int(opts.resp) if opts.resp != "both" else 2 + r % 2
            report = play(seed, proto)
            name = "%s seed %d [resp%d]" % (label, seed, proto)
            if report is None:
                passed += 1
                if not opts.quiet:
                    print("ok  " + name, flush=True)
            else:
                failed += 1
                print("FAIL " + name + "\n" + report, flush=True)
            if sut_server.proc.poll() is not None:
                print("respite exited:\n" + sut_server.log_tail())
                failed += 1
                break
    finally:
        failed += stop_pair(ref_server, sut_server)
    return passed, failed


class ScenarioRound:
    """What the rounds of the scenario tests share: both sides, the
    round's protocol, seed and length, its step log, and the head of a
    failure report."""

    def __init__(self, ref, sut, proto, seed, steps):
        self.sides, self.proto, self.seed = (ref, sut), proto, seed
        self.steps = steps
        self.log = []

    def report_head(self, what):
        """What differs at which step, the line that replays the round,
        then every step so far."""
        lines = ["seed %d [resp%d]: %s step %d differ; replay with --seed "
                 "%d --rounds 1 --resp %d --steps %d" % (
                     self.seed, self.proto, what, len(self.log), self.seed,
                     self.proto, self.steps)]
        return lines + ["  %3d %s" % (n + 1, s)
                        for n, s in enumerate(self.log)]


def scenario_rounds(doc, label, side_cls, round_cls):
    """The main() of the multi-connection differential tests
    (diff_blocking.py, diff_pubsub.py): their options, both servers, one
    side_cls(server) each, and seeded_rounds over round_cls(ref, sut,
    proto, seed, steps).run(). Returns (passed, failed)."""
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=60)
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--resp", choices=["2", "3", "both"], default="both",
                    help="protocol of the rounds (both: alternate)")
    ap.add_argument("--quiet", action="store_true")
    opts = ap.parse_args()
    ref_server, sut_server = start_pair(label)
    ref, sut = side_cls(ref_server), side_cls(sut_server)
    try:
        return seeded_rounds(
            label, opts, ref_server, sut_server,
            lambda seed, proto: round_cls(ref, sut, proto, seed,
                                          opts.steps).run())
    finally:
        ref.close()
        sut.close()


def start_pair(label):
    """The reference server and the server under test, started, each in a
    directory of its own (SAVE writes dump.rdb there). They are untracked,
    so if the second fails to start the first is stopped here rather than
    outliving the run."""
    ref_server = h.Server(binary=REF_BIN, name=label + "-ref", tracked=False,
                          cwd=tempfile.mkdtemp(dir=h.scratch_dir())).start()
    try:
        sut_server = h.Server(name=label + "-sut", tracked=False,
                              cwd=tempfile.mkdtemp(
                                  dir=h.scratch_dir())).start()
    except BaseException:
        ref_server.stop()
        raise
    return ref_server, sut_server


def stop_pair(ref_server, sut_server):
    """Stops start_pair's servers; 1 after printing the sanitizer's report
    if the server under test logged one, else 0."""
    crash = sut_server.sanitizer_report()
    ref_server.stop()
    sut_server.stop()
    if crash:
        print("FAIL sanitizer: " + crash)
        return 1
    return 0


def clip(b, n=600):
    s = repr(b)
    return s if len(s) <= n else s[:n] + "...(%d bytes)" % len(b)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-f", "--file", action="append",
                    help="case file (default cases.txt beside this script)")
    ap.add_argument("-k", help="only cases whose name contains this")
    ap.add_argument("--dump", action="store_true",
                    help="print every reference reply")
    opts = ap.parse_args()
    files = opts.file or [os.path.join(HERE, "cases.txt")]
    cases = []
    for f in files:
        cases += load_cases(f)
    if opts.k:
        cases = [c for c in cases if opts.k.lower() in c.name.lower()]

    ref_server, sut_server = start_pair("compat")
    print("reference %s on %d, under test %s on %d" % (
        REF_BIN, ref_server.port, sut_server.binary, sut_server.port), flush=True)
    ref, sut = Side(ref_server), Side(sut_server)
    passed = failed = 0
    crashes = []
    # The servers are untracked (started once for every case), so anything
    # that ends the run early, a closed stdout under `--dump | head`
    # included, must stop them here.
    try:
        for case in cases:
            for proto in case.protos:
                name = "%s [resp%d]" % (case.name, proto)
                try:
                    diffs = run_case(case, proto, ref, sut, dump=opts.dump)
                except Exception:
                    diffs = ["  harness error:\n" + traceback.format_exc()]
                if sut_server.proc.poll() is None and not responsive(sut_server):
                    diffs.append("  server under test stopped answering PING; "
                                 "killed and restarted; log:\n%s"
                                 % sut_server.log_tail(30))
                    sut_server.kill()
                if sut_server.proc.poll() is not None:
                    diffs.append("  server under test exited with status %s; log:\n%s"
                                 % (sut_server.proc.returncode, sut_server.log_tail(30)))
                    crashes.append(name)
                    sut_server = h.Server(name="compat-sut", tracked=False).start()
                    sut = Side(sut_server)
                if ref_server.proc.poll() is not None:
                    print("reference redis-server died; stopping", flush=True)
                    failed += 1
                    break
                if diffs:
                    failed += 1
                    print("FAIL %s\n%s" % (name, "\n".join(diffs)), flush=True)
                else:
                    passed += 1
                    print("ok   %s" % name, flush=True)
    except BaseException:
        ref_server.stop()
        sut_server.stop()
        raise
    ref_server.stop()
    status = sut_server.stop()
    report = sut_server.sanitizer_report()
    if status == 0 and report is None:
        passed += 1
        print("ok   server under test exited cleanly", flush=True)
    else:
        failed += 1
        print("FAIL server under test exited cleanly: status %s, %s\n%s" % (
            status, report or "no sanitizer report", sut_server.log_tail()))
    if crashes:
        print("server under test crashed in: %s" % ", ".join(crashes))
    print("RESULT %d %d" % (passed, failed), flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
