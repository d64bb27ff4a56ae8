#!/usr/bin/python3
"""LOLWUT [VERSION v [n ...]]: Redis's reply type and argument handling,
Respite's own drawing (server/cmd_lolwut.c).

Both servers answer a bulk string in RESP2 and a verbatim "txt" string in
RESP3, ending with a version line; the arguments each of them reads, and
the errors for bad ones, are compared byte for byte with a redis-server
7.0 started alongside ($REDIS_REF_BIN, default /usr/bin/redis-server). The
drawing is Respite's: its size follows the arguments clamped to their
ranges, it is drawn from a few characters only, and the same call gives
the same bytes. Against redis-server (RESPITE_BIN=/usr/bin/redis-server)
the drawing's tests are skipped.
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, test  # noqa: E402

REF_BIN = os.environ.get("REDIS_REF_BIN", "/usr/bin/redis-server")
_ref = {}

ERR_INT = b"-ERR value is not an integer or out of range\r\n"
CHARS = set(" |_/\\.")


def reference():
    if "s" not in _ref:
        _ref["s"] = h.file_server(binary=REF_BIN, name="reference")
    return _ref["s"]


def raw_call(server, proto, *args):
    with server.conn() as c:
        if proto == 3:
            h.parse(c.call("HELLO", "3"))
        return c.call(*args)


def text(server, *args, proto=2):
    """LOLWUT's reply as text, after checking its framing."""
    raw = raw_call(server, proto, "LOLWUT", *args)
    assert raw[:1] == (b"=" if proto == 3 else b"$"), (args, raw[:60])
    body = h.parse(raw)
    if proto == 3:
        assert body.startswith(b"txt:"), body[:60]
        body = body[4:]
    assert body.endswith(b"\n"), (args, body[-60:])
    return body.decode("utf-8")


def respite_version(server):
    info = h.parse(raw_call(server, 2, "INFO", "server")).decode()
    return re.search(r"^respite_version:(\S+)", info, re.M).group(1)


def art(server, *args):
    """The drawing of LOLWUT args: its lines, checked to be a rectangle
    of the allowed characters followed by a blank line, the caption and
    the version line."""
    lines = text(server, *args).split("\n")
    assert_eq(lines[-1], "")
    assert_eq(lines[-2], "Respite ver. %s" % respite_version(server))
    assert re.match(r"Contour lines of hills that are not there, seed "
                    r"\d+\.$", lines[-3]), lines[-3]
    assert_eq(lines[-4], "")
    drawing = lines[:-4]
    assert drawing, lines
    width = len(drawing[0])
    for ln in drawing:
        assert_eq(len(ln), width)
        assert set(ln) <= CHARS, ln
    return drawing


# Calls whose outcome (an error, or a reply) both servers must share, and
# the error's bytes: which arguments are read depends on the version.
CALLS = [
    ("VERSION", "x"),
    ("VERSION", "+5"),
    ("VERSION", "05"),
    ("VERSION", " 5"),
    ("VERSION", "0x5"),
    ("VERSION", "5.0"),
    ("VERSION", "99999999999999999999"),
    ("version", "5", "x"),
    ("VERSION", "5", "1", "x"),
    ("VERSION", "5", "1", "1", "x"),
    ("VERSION", "6", "x"),
    ("VERSION", "6", "1", "x"),
    ("VERSION", "4294967301", "x"),      # 5 in its low 32 bits
    ("VERSION", "-4294967290", "1", "x"),  # and 6
    # Read no further than each version does: no error.
    ("VERSION", "5", "1", "1", "1", "x"),
    ("VERSION", "6", "1", "1", "x"),
    ("VERSION", "7", "x"),
    ("VERSION", "-1", "x"),
    ("VERSION", "0"),
    ("VERSION",),
    ("5", "x"),
    ("foo", "bar", "baz"),
    (),
]


@test
def arguments_and_errors_match_redis():
    ref = reference()
    sut = h.shared_server()
    for proto in (2, 3):
        for args in CALLS:
            ours = raw_call(sut, proto, "LOLWUT", *args)
            theirs = raw_call(ref, proto, "LOLWUT", *args)
            if theirs.startswith(b"-"):
                assert_eq((proto, args, ours), (proto, args, theirs))
                assert_eq(theirs, ERR_INT)
            else:
                # A reply of the same type (bulk, or RESP3 verbatim).
                assert_eq((proto, args, ours[:1]), (proto, args, theirs[:1]))
                assert ours.startswith(b"$" if proto == 2 else b"="), ours[:40]


@test
def reply_type_and_version_line():
    s = h.shared_server()
    for proto in (2, 3):
        for args in ((), ("VERSION", "5"), ("VERSION", "6"),
                     ("VERSION", "7")):
            last = text(s, *args, proto=proto).split("\n")[-2]
            # Redis 7.0 ends its version 5 and 6 captions with it.
            assert re.search(r"(^|\. )(Respite|Redis) ver\. \d+\.\d+\.\d+$",
                             last), last
            if not h.is_redis():
                assert_eq(last, "Respite ver. %s" % respite_version(s))
    # In a transaction and from a script too (readonly, fast, allowed).
    with s.conn() as c:
        assert_eq(h.parse(c.call("MULTI")), b"OK")
        assert_eq(h.parse(c.call("LOLWUT")), b"QUEUED")
        got = h.parse(c.call("EXEC"))
        assert isinstance(got[0], bytes) and b" ver. " in got[0], got
        got = h.parse(c.call("EVAL", "return redis.call('lolwut')", "0"))
        assert b" ver. " in got, got


@test(respite_only=True)
def drawing_sizes_follow_the_arguments():
    s = h.shared_server()
    def size(*args):
        d = art(s, *args)
        return len(d[0]), len(d)
    assert_eq(size(), (66, 12))
    assert_eq(size("VERSION", "7", "x"), (66, 12))
    assert_eq(size("VERSION", "5"), (66, 12))
    assert_eq(size("VERSION", "5", "40"), (40, 12))
    assert_eq(size("VERSION", "5", "40", "3", "9"), (40, 9))
    assert_eq(size("VERSION", "6"), (80, 20))
    assert_eq(size("VERSION", "6", "30", "5"), (30, 5))
    # Clamped, as Redis clamps its sizes: 1..1000 columns, 1..200 rows
    # for 5, 1..1000 for 6.
    assert_eq(size("VERSION", "5", "0", "-3", "-9"), (1, 1))
    assert_eq(size("VERSION", "5", "5000", "500", "500"), (1000, 200))
    assert_eq(size("VERSION", "6", "-1", "0"), (1, 1))
    assert_eq(size("VERSION", "6", "9223372036854775807",
                   "9223372036854775807"), (1000, 1000))
    # The largest answer stays bounded: 1000 x 1000 cells and 3 lines.
    raw = raw_call(s, 2, "LOLWUT", "VERSION", "6", "1000", "1000")
    assert len(raw) < 1001 * 1000 + 200, len(raw)


@test(respite_only=True)
def drawing_is_seeded_by_the_version():
    s = h.shared_server()
    a = text(s, "VERSION", "7")
    assert_eq(text(s, "VERSION", "7", proto=3), a)
    assert_eq(text(s, "VERSION", "7", "ignored"), a)
    assert "seed 7." in a, a
    b = text(s, "VERSION", "8")
    assert a.split("\n")[:-3] != b.split("\n")[:-3], (a, b)
    # The low 32 bits, as the version is matched.
    assert_eq(text(s, "VERSION", "4294967303"), a)
    # Without VERSION: seed 0, the same every time.
    d = text(s)
    assert "seed 0." in d and text(s) == d, d
    assert_eq(text(s, "VERSION", "0"), d)
    # A real picture: contour lines, not a blank or a filled box.
    drawing = art(s, "VERSION", "6")
    used = set("".join(drawing))
    assert {"/", "\\", "|", "_"} <= used, used
    blank = sum(ln.count(" ") for ln in drawing)
    assert 0.2 < blank / (80 * 20) < 0.95, blank


if __name__ == "__main__":
    h.run()
