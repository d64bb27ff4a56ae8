#!/usr/bin/python3
"""COMMAND DOCS's argument syntax and subcommand entries, against
redis-server 7.0 and against redis-cli, which turns them into the usage
line of `help <command>` and into its hints.

Every command and subcommand both servers have must give the usage line
Redis's gives, but those in NEWER, where Respite accepts what a later
Redis added (and must differ, so the list can not go stale). Every
syntax must also fit its command's arity, which catches a row for the
commands Redis 7.0 lacks. Passes against redis-server itself too."""

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, test  # noqa: E402

REF_BIN = os.environ.get("REDIS_REF_BIN", "/usr/bin/redis-server")
_ref = {}

# Usage lines Respite extends beyond Redis 7.0's, with what it adds.
NEWER = {
    "set": "IFEQ, IFNE, IFDEQ, IFDNE (Redis 8.4)",
    "zrank": "WITHSCORE (Redis 7.2)",
    "zrevrank": "WITHSCORE (Redis 7.2)",
    "client|kill": "MAXAGE (Redis 7.4)",
    "hscan": "NOVALUES (Redis 7.4)",
    "command|getkeys": "Redis 7.2's line (7.0's is empty)",
    "command|getkeysandflags": "Redis 7.2's line (7.0's is empty)",
}


def reference():
    if "s" not in _ref:
        _ref["s"] = h.file_server(binary=REF_BIN, name="reference")
    return _ref["s"]


def as_dict(v):
    """A map as RESP2 (flat list) or RESP3 (pairs) gives it."""
    if v and isinstance(v[0], tuple):
        return dict(v)
    return dict(zip(v[::2], v[1::2]))


def fetch_docs(server, proto=2, *names):
    """COMMAND DOCS: {name: {field: value}}, subcommands flattened in as
    'container|sub' entries."""
    with h.Conn(server.port) as c:
        if proto == 3:
            c.call("HELLO", "3")
        reply = h.parse(c.call("COMMAND", "DOCS", *names))
    out = {}
    for name, doc in as_dict(reply).items():
        doc = as_dict(doc)
        out[name.decode()] = doc
        for sub, sdoc in as_dict(doc.get(b"subcommands", [])).items():
            out[sub.decode()] = as_dict(sdoc)
    return out


def render(args):
    """The usage line redis-cli 7.0 builds from an "arguments" list."""
    return " ".join(render_arg(as_dict(a)) for a in args)


def render_arg(a):
    kind = a[b"type"].decode()
    flags = {f.decode() for f in a.get(b"flags", [])}
    token = a.get(b"token", b"").decode()
    if kind == "oneof":
        repeat = "|".join(render_arg(as_dict(x)) for x in a[b"arguments"])
    elif kind == "block":
        repeat = " ".join(render_arg(as_dict(x)) for x in a[b"arguments"])
    elif kind == "pure-token":
        repeat = ""
    else:
        repeat = a[b"name"].decode()
    if token and kind != "pure-token":
        token += " "
    s = token + repeat
    if "multiple" in flags:
        s += " [" + (token if "multiple_token" in flags else "") + repeat + \
            " ...]"
    return "[" + s + "]" if "optional" in flags else s


def usage(doc):
    return render(doc.get(b"arguments", []))


def arity_span(args):
    """Fewest and most words the arguments take (None: unbounded)."""
    lo = hi = 0
    for a in args:
        alo, ahi = arg_span(as_dict(a))
        lo += alo
        hi = None if hi is None or ahi is None else hi + ahi
    return lo, hi


def arg_span(a):
    kind = a[b"type"]
    flags = set(a.get(b"flags", []))
    if kind == b"block":
        lo, hi = arity_span(a[b"arguments"])
    elif kind == b"oneof":
        spans = [arg_span(as_dict(x)) for x in a[b"arguments"]]
        lo = min(s[0] for s in spans)
        hi = None if any(s[1] is None for s in spans) else \
            max(s[1] for s in spans)
    else:
        lo = hi = 1
    if b"token" in a and kind != b"pure-token":
        lo, hi = lo + 1, None if hi is None else hi + 1
    if b"multiple" in flags:
        hi = None
    if b"optional" in flags:
        lo = 0
    return lo, hi


def arities(server):
    """COMMAND INFO's arity of every command and subcommand as (exact,
    n): n arguments, or at least n, not counting the name (nor a
    subcommand's container)."""
    out = {}
    with h.Conn(server.port) as c:
        for e in h.parse(c.call("COMMAND", "INFO")):
            out[e[0].decode()] = (e[1] > 0, abs(e[1]) - 1)
            for s in e[9]:
                out[s[0].decode()] = (s[1] > 0, abs(s[1]) - 2)
    return out


@test
def usage_lines_match_redis():
    for proto in (2, 3):
        ours = fetch_docs(h.shared_server(), proto)
        ref = fetch_docs(reference(), proto)
        both = sorted(set(ours) & set(ref))
        assert len(both) > 300, len(both)
        for name in both:
            if name in NEWER and not h.is_redis():
                assert usage(ours[name]) != usage(ref[name]), \
                    "%s is in NEWER but matches 7.0: %s" % (
                        name, usage(ref[name]))
                continue
            assert_eq((proto, name, usage(ours[name])),
                      (proto, name, usage(ref[name])))


# Commands whose documented syntax says less than their arity, in both
# servers: DEBUG's subcommands are undocumented, QUIT ignores arguments,
# REPLCONF's option pairs are undocumented.
LOOSE = {"debug", "quit", "replconf"}
# And in Redis 7.0 only: lines Respite corrects (NEWER) or lacks.
LOOSE_7_0 = {"client|kill", "command|getkeys", "command|getkeysandflags",
             "psync"}


@test
def every_syntax_fits_the_arity():
    ours = LOOSE | (LOOSE_7_0 if h.is_redis() else set())
    for server, loose in ((h.shared_server(), ours),
                          (reference(), LOOSE | LOOSE_7_0)):
        docs, arity = fetch_docs(server), arities(server)
        assert_eq(sorted(docs), sorted(arity))
        for name, doc in docs.items():
            if b"subcommands" in doc or name in loose:
                continue        # a container: its arity is the subcommand's
            lo, hi = arity_span(doc.get(b"arguments", []))
            exact, n = arity[name]
            if exact:
                assert_eq((name, lo, hi), (name, n, n))
            else:
                # "at least n": the syntax may ask for more than that
                # (the command checks the rest), but never for less.
                assert lo >= n and (hi is None or hi > n), \
                    "%s: arity at least %d, syntax takes %s..%s: %s" % (
                        name, n, lo, hi, usage(doc))


@test
def subcommands_have_summary_since_and_group():
    ours, ref = fetch_docs(h.shared_server()), fetch_docs(reference())
    subs = [n for n in ours if "|" in n]
    assert len(subs) > 100, len(subs)
    for name in subs:
        doc = ours[name]
        summary = doc[b"summary"]
        assert summary[:1].isupper() and b" " in summary, (name, summary)
        assert_eq(doc[b"group"], ours[name.split("|")[0]][b"group"], name)
        if name in ref:
            assert_eq((name, doc[b"since"]), (name, ref[name][b"since"]))


@test
def docs_of_a_subcommand_by_its_pipe_name():
    for server in (h.shared_server(), reference()):
        docs = fetch_docs(server, 2, "config|get", "nosuch", "get")
        assert_eq(sorted(docs), ["config|get", "get"])
        assert_eq(usage(docs["config|get"]), "parameter [parameter ...]")
        assert_eq(usage(docs["get"]), "key")


@test
def resp3_gives_maps_and_flag_sets():
    for server in (h.shared_server(), reference()):
        with h.Conn(server.port) as c:
            c.call("HELLO", "3")
            c.send(h.encode("COMMAND", "DOCS", "set"))
            raw = c.read_raw()
        # Each argument is a map; flags are a set of simple strings.
        assert b"%2\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey" \
            in raw or b"$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey" \
            in raw, raw[:400]
        assert b"$5\r\nflags\r\n~1\r\n+optional\r\n" in raw, raw[:400]
        docs = fetch_docs(server, 3, "set")
        assert usage(docs["set"]).startswith("key value [NX|") and "[GET] [EX seconds|PX milliseconds|" \
            "EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]" \
            in usage(docs["set"]), usage(docs["set"])


def cli_help(server, *words):
    p = subprocess.run(["redis-cli", "-p", str(server.port), "help"] +
                       list(words), capture_output=True, timeout=30)
    assert_eq(p.returncode, 0, p.stderr)
    # The first line is the name in bold, then the usage line in grey.
    for line in p.stdout.decode().splitlines():
        if line.strip():
            return line
    return ""


@test
def redis_cli_help_shows_the_same_usage_lines():
    # redis-cli's own rendering (and its asserts on the reply's types)
    # over a sample that covers every notation: blocks, choices with
    # tokens, repetition with and without the token, nesting.
    for words in (["xadd"], ["sort"], ["bitfield"], ["geosearch"],
                  ["zadd"], ["client", "kill"], ["config", "get"],
                  ["xreadgroup"], ["blpop"], ["acl", "setuser"],
                  ["function", "restore"], ["eval"]):
        name = "|".join(words)
        if name in NEWER:
            continue
        assert_eq((name, cli_help(h.shared_server(), *words)),
                  (name, cli_help(reference(), *words)))


def cli_hint(server, typed):
    """The grey hint interactive redis-cli shows after typed (a pty)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm"
        os.execvp("redis-cli", ["redis-cli", "-p", str(server.port)])
    # A window size, or linenoise asks the terminal for one and waits.
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 300, 0, 0))
    out = b""
    try:
        for chunk in (b"", typed.encode()):
            os.write(fd, chunk)
            out = b""
            # Until the terminal has been quiet for 0.3 s (at most 5 s).
            end = time.time() + 5
            while time.time() < end and select.select([fd], [], [], 0.3)[0]:
                out += os.read(fd, 65536)
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    start = out.rfind(b"\x1b[0;90;49m")
    if start < 0:
        return ""
    return out[start + 10:out.index(b"\x1b[0m", start)].decode()


@test
def redis_cli_interactive_hints_match():
    for typed in ("zadd k ", "config get ", "xadd s ", "sort k "):
        assert_eq((typed, cli_hint(h.shared_server(), typed)),
                  (typed, cli_hint(reference(), typed)))
    assert cli_hint(h.shared_server(), "zadd k ").startswith("[NX|XX]")


@test(respite_only=True, reason="Respite's own commands and newer syntax")
def redis_cli_help_of_respite_extensions():
    line = cli_help(h.shared_server(), "set")
    assert "IFEQ" in line and "IFDNE" in line and "KEEPTTL" in line, line
    line = cli_help(h.shared_server(), "ratelimit")
    assert "key limit period-ms" in line, line
    assert "RATELIMIT" in line, line
    line = cli_help(h.shared_server(), "client", "no-touch")
    assert "ON|OFF" in line, line


if __name__ == "__main__":
    h.run()
