#!/usr/bin/python3
"""diff_protocol.py - seeded byte streams of requests, well-formed and
broken, on redis-server and Respite, every byte sent back compared.

compat.py's raw-bytes cases hold the protocol edge cases someone thought
of, one reply at a time; this finds the ones nobody did. It starts Debian's
redis-server ($REDIS_REF_BIN) and Respite ($RESPITE_BIN) like the other
differential tests, and each round sends both servers the same seeded
byte stream on a fresh connection, then shuts down its writing side
(shutdown(SHUT_WR)), so a request still waiting for bytes meets EOF, and
reads until the server closes the connection.

What a stream is made of:

    requests  multibulk (*N $len ...) and inline lines, quoted the way
              sdssplitargs reads them: bare words, "double quotes" with
              \\n \\r \\t \\b \\a \\xHH \\" \\\\ and unknown escapes, 'single
              quotes' with \\', tabs and runs of spaces, CRLF, LF or CR CR LF
              line ends, empty and blank lines, *0 and *-1, now and then an
              unbalanced quote or a closing quote followed by a non-space
    commands  PING, ECHO, SET, GET, DEL, EXISTS, INCR, APPEND, STRLEN on a
              few keys, wrong arity, unknown names with (binary) arguments,
              QUIT; values include NUL, CR, LF, quotes and 8-bit bytes.
              Nothing whose reply differs between the two servers by
              design (HELLO is sent only before the stream, in RESP3
              rounds, and its reply is not compared)
    big ones  now and then one long line (inline request, count or bulk
              length) of 1 KiB up to and at the 64 KiB limit, or one over
              it that never ends (see read sizes below); a bulk argument
              of 32 KiB or more (Redis's big-argument path); a bulk
              length just over or at proto-max-bulk-len (lowered to 1 MiB
              with CONFIG SET on both in some rounds); a count over
              1024*1024; a run of a few hundred short requests (more than
              a server may run per read)
    mutations 0 to 3 a stream, mostly at the bytes that carry the
              structure: bytes inserted (CR, LF, NUL, type bytes, quotes,
              digits), deleted or replaced; counts and bulk lengths made
              negative, zero, huge, overflowing, leading-zero, signed,
              off by a few, over the limits; type bytes swapped (':' '+'
              '-' '*' and others where '$' belongs, '$' ':' where '*'
              starts a request); a nested array or $-1 put in; a CRLF
              broken (either byte lost, swapped, replaced); the stream cut
              short

and how it is sent: in one write, in random pieces with short pauses,
byte by byte for a stretch, or cut right at the mutations; in some rounds
the client then waits (EOF_WAIT) before its shutdown, to see whether the
server closes by itself, before EOF. Compared, per round: every byte
each server sent, whether it closed the connection within CLOSE_TIMEOUT
of the shutdown ("still open" otherwise), and in the waiting rounds
whether it closed before EOF. Redis runs each request as soon as it has
read it and writes the replies before it reads again, so by the read
that sees EOF it has answered every complete request sent before it
(and it closes without a word about one cut short): all of that is
compared. A round is a test; the first difference prints the seed, the
plan and the stream, and `--seed S --rounds 1 --resp N` replays it.

What Redis leaves open, and is therefore designed out:

    read sizes  Redis looks for the end of a line (inline request, count
                or bulk length) in what it has read so far, and fails a
                line with no end in sight once more than 64 KiB of it are
                buffered. Its reads start at 16 KiB and grow with its
                query buffer, so a line whose end lies more than 64 KiB
                from its start passes or fails depending on where the
                reads happened to stop (in one write, a 100 KiB inline
                request passes). A model of Redis 7.0's request framing
                (read_size_dependent) walks every stream, and a stream
                with such a line is drawn again. Lines over the limit are
                sent without an end: last in the stream, or with a NUL in
                them (Redis searches a line as a C string, so the NUL
                hides its end); those fail once 64 KiB are buffered,
                however they were read.
    output      Redis writes at most about 64 KiB to a client per turn of
                its event loop, and a client it frees at EOF loses what
                was still unwritten, which depends on how fast the socket
                drains: streams are kept small, and big arguments go to
                commands with short replies, so a round's replies stay
                well under that
    close       whether a close comes as FIN or RST (Redis resets when it
                closes with input left unread, which depends on how much
                it had read) and exactly when it comes, relative to the
                client's writes, are not compared: only whether it closed
    HELLO 3     the reply carries the server's version and id

Usage: diff_protocol.py [--seed S] [--rounds R] [--resp 2|3|both]
                        [--quiet] [--show]
  --show prints every round's plan and stream (to write cases.txt cases).
Exit status 1 when any round differed. Prints "RESULT <passed> <failed>"
last, as the other suites do.
"""

import argparse
import os
import random
import re
import select
import socket
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness as h  # noqa: E402
import compat  # noqa: E402

MAX_LINE = 64 * 1024          # Redis's PROTO_INLINE_MAX_SIZE
INT_MAX = 2 ** 31 - 1
BULK_MAX = 512 * 1024 * 1024  # proto-max-bulk-len's default
LOW_BULK_MAX = 1024 * 1024    # the least CONFIG SET accepts
CLOSE_TIMEOUT = 2.0           # after the shutdown, for the server to close
EOF_WAIT = 0.3                # waiting rounds: for a close before EOF
SMALL_BYTES = 1500            # the stream without its one big piece

KEYS = [b"k1", b"k2", b"k3"]
BIG_KEY = b"kbig"             # big values go here; never read back whole
VALUES = [b"a", b"", b"v", b"x y", b"1", b"-5", b"10", b"007", b"3.5",
          b"9223372036854775807", b"hello world", b"a\x00b", b"\r\n", b"\n",
          b"\t", b"\xff\xfe", b"'", b'"', b"\\", b"*1", b"$3", b"it's",
          b'say "hi"', b"\x0b", b" lead", b"\\x41", b"PING\r\n"]
ODD_NAMES = [b"NOPE", b"nope", b"GETT", b"x", b"\xff\x00", b"ping\x00x",
             b"P I N G", b"*1", b"$4", b":1", b"+OK", b"-ERR", b"\r"]
# What a mutation likes to insert or to put in place of a byte.
STRUCT_BYTES = b"\r\n\x00*$:+-\"' \t\\0123456789"
# What a count or bulk length becomes.
BAD_NUMBERS = [b"-1", b"-2", b"0", b"00", b"01", b"+1", b" 1", b"1 ", b"",
               b"abc", b"-0", b"2147483647", b"2147483648", b"4294967297",
               b"9223372036854775807", b"9223372036854775808",
               b"99999999999999999999", b"1" * 25, b"1048576", b"1048577",
               b"536870912", b"536870913", b"1x", b"0x10", b"1\x00"]


# ---------------------------------------------------------------------------
# Redis 7.0's request framing, to keep read-size-dependent streams out
# ---------------------------------------------------------------------------

def string2ll(b):
    """Redis's string2ll: the value, or None when b is not a canonical
    decimal long long (no sign but '-', no leading zero, no spaces)."""
    if not b or len(b) >= 21:
        return None
    if b == b"0":
        return 0
    digits = b[1:] if b[:1] == b"-" else b
    if not digits or not digits.isdigit() or digits[:1] == b"0":
        return None
    v = int(b)
    return v if -2 ** 63 <= v < 2 ** 63 else None


def line_end(data, start, term):
    """Where Redis finds the end of the line starting at start: the index
    of the first term byte, or None when a NUL comes first (the search is
    strchr on a C string) or there is none."""
    t = data.find(term, start)
    z = data.find(b"\0", start)
    if t < 0 or 0 <= z < t:
        return None
    return t


def read_size_dependent(data, bulk_max):
    """True when Redis 7.0 could answer data differently depending on how
    its reads split it: some line (inline request, count or bulk length)
    ends more than MAX_LINE bytes after it starts, so whether Redis fails
    it as too long depends on whether a read stopped before its end.
    Walks data as processInputBuffer does;
    where the model is unsure what Redis would do next (after an inline
    request, which may have failed to split or been QUIT) it carries on,
    which can only flag more streams, never fewer."""
    pos, n = 0, len(data)

    def unsure(start, end):
        return end - start > MAX_LINE

    while pos < n:
        if data[pos:pos + 1] != b"*":
            end = line_end(data, pos, b"\n")
            if end is None:
                return False            # waits, fails at 64 KiB: fixed
            if unsure(pos, end):
                return True
            pos = end + 1
            continue
        end = line_end(data, pos, b"\r")
        if end is None or end + 1 >= n:
            return False
        if unsure(pos, end):
            return True
        count = string2ll(data[pos + 1:end])
        if count is None or count > INT_MAX:
            return False
        pos = end + 2
        for _ in range(max(count, 0)):
            if pos >= n:
                return False
            end = line_end(data, pos, b"\r")
            if end is None or end + 1 >= n:
                return False
            if unsure(pos, end):
                return True
            blen = string2ll(data[pos + 1:end])
            if data[pos:pos + 1] != b"$" or \
                    blen is None or blen < 0 or blen > bulk_max:
                return False
            pos = end + 2 + blen + 2
            if pos > n:
                return False
    return False


# ---------------------------------------------------------------------------
# Drawing a stream
# ---------------------------------------------------------------------------

def multibulk(args):
    return b"*%d\r\n" % len(args) + b"".join(
        b"$%d\r\n%s\r\n" % (len(a), a) for a in args)


class Stream:
    """One round's bytes: requests drawn from rng, then mutated. Byte
    ranges in self.keep (the body of a big line) are left alone by the
    mutations, so the line's length stays what was drawn."""

    def __init__(self, rng, bulk_max):
        self.rng = rng
        self.bulk_max = bulk_max
        self.notes = []
        self.keep = []

    # -- values and commands ---------------------------------------------

    def value(self):
        rng = self.rng
        r = rng.random()
        if r < 0.6:
            return rng.choice(VALUES)
        if r < 0.9:
            return bytes(rng.randrange(256) for _ in range(rng.randint(0, 12)))
        return bytes(rng.choice(b"abcxyz \"'\\\t") for _ in range(
            rng.randint(100, 300)))

    def command(self):
        rng = self.rng
        k, v = rng.choice(KEYS), self.value()
        cmd = rng.choice([
            [b"PING"], [b"PING", v], [b"ECHO", v], [b"ECHO", v],
            [b"SET", k, v], [b"SET", k, v], [b"GET", k], [b"GET", k],
            [b"DEL", k, rng.choice(KEYS)], [b"EXISTS", k],
            [b"EXISTS", k, rng.choice(KEYS), k], [b"INCR", k], [b"INCR", k],
            [b"APPEND", k, v], [b"STRLEN", k],
            [b"GET"], [b"SET", k], [b"ECHO"], [b"ECHO", v, v], [b"STRLEN"],
            [b"INCR", k, v], [b"PING", v, v],
            [rng.choice(ODD_NAMES)], [rng.choice(ODD_NAMES), v, self.value()],
        ])
        name = cmd[0]
        if rng.random() < 0.3:
            name = bytes(c ^ 0x20 if 65 <= (c & ~0x20) <= 90 and
                         rng.random() < 0.5 else c for c in name)
        return [name] + cmd[1:]

    # -- inline rendering ------------------------------------------------

    def quoted(self, a):
        """a as one sdssplitargs token: bare, "double" or 'single'."""
        rng = self.rng
        bare_ok = a and not any(c in b" \t\r\n\x00\"'" for c in a) and \
            a[:1] not in (b"\x0b", b"\x0c")
        single_ok = not any(c in b"\n\x00\\" for c in a)
        r = rng.random()
        if bare_ok and r < 0.55:
            return a
        if single_ok and r < 0.75:
            return b"'" + a.replace(b"'", b"\\'") + b"'"
        out = bytearray(b'"')
        esc = {ord("\n"): b"\\n", ord("\r"): b"\\r", ord("\t"): b"\\t",
               ord("\b"): b"\\b", ord("\a"): b"\\a", ord('"'): b'\\"',
               ord("\\"): b"\\\\"}
        for c in a:
            x = rng.random()
            if c in esc and (x < 0.8 or c in b'"\\\n'):
                out += esc[c]
            elif c < 32 or c >= 127 or c in b'"\\' or x < 0.05:
                hexed = b"%02x" % c
                out += b"\\x" + (hexed.upper() if x < 0.5 else hexed)
            elif x < 0.1 and chr(c).isalpha() and c not in b"nrtbaxNRTBAX":
                out += b"\\" + bytes([c])       # unknown escape: the letter
            else:
                out.append(c)
        return bytes(out) + b'"'

    def inline(self, args):
        rng = self.rng
        sep = [b" ", b" ", b" ", b"  ", b"\t", b" \t "]
        line = rng.choice([b"", b"", b"", b" ", b"\t", b"  "])
        for i, a in enumerate(args):
            if i:
                line += rng.choice(sep)
            line += self.quoted(a)
        line += rng.choice([b"", b"", b"", b" ", b"\t"])
        return line + rng.choice([b"\r\n", b"\r\n", b"\n", b"\r\r\n"])

    # -- pieces ----------------------------------------------------------

    def request(self):
        rng = self.rng
        r = rng.random()
        if r < 0.06:
            return rng.choice([b"\r\n", b"\n", b"  \r\n", b"\t\n", b"\r\r\n",
                               b"*0\r\n", b"*-1\r\n", b"*-5\r\n"])
        if r < 0.067:
            self.notes.append("broken quoting")
            return rng.choice([b'ECHO "abc\r\n', b"ECHO 'abc\r\n",
                               b'ECHO "a"b\r\n', b"ECHO 'a'b\r\n",
                               b'SET k1 "x\\"\r\n', b"GET 'k1\\'\r\n",
                               b'ECHO ""x\r\n'])
        args = self.command()
        if rng.random() < 0.55:
            return multibulk(args)
        return self.inline(args)

    def big_piece(self):
        """One big request, or None; notes what it is. Returns (head, body,
        tail, last): body is left alone by the mutations, and a last piece
        ends the stream."""
        rng = self.rng
        r = rng.random()
        if r < 0.08:
            return self.long_line()
        if r < 0.12:
            n = rng.randint(32 * 1024, 40 * 1024)
            self.notes.append("bulk of %d bytes" % n)
            return multibulk([b"SET", BIG_KEY, b"y" * n]), b"", b"", False
        if r < 0.17:
            n = self.bulk_max + rng.choice([1, 1, 0, 2])
            self.notes.append("bulk length %d (limit %d)" % (n, self.bulk_max))
            return (b"*3\r\n$3\r\nSET\r\n$4\r\n" + BIG_KEY +
                    b"\r\n$%d\r\nabc\r\n" % n), b"", b"", False
        if r < 0.20:
            n = rng.choice([1024 * 1024 + 1, 2 * 1024 * 1024, INT_MAX,
                            INT_MAX + 1])
            self.notes.append("count %d" % n)
            return b"*%d\r\n$4\r\nPING\r\n" % n, b"", b"", False
        if r < 0.26:
            # More requests than a server may run per read: all must run
            # before the close at EOF.
            n = rng.randint(100, 400)
            units = [b"PING\r\n", b"\n", b"\r\n", b"*1\r\n$4\r\nPING\r\n",
                     b"*0\r\n", b"INCR k1\r\n",
                     b"*2\r\n$4\r\nINCR\r\n$2\r\nk2\r\n"]
            run = b"".join(rng.choice(units) for _ in range(n))
            self.notes.append("run of %d short requests" % n)
            return run, b"", b"", False
        return None

    def long_line(self):
        """An inline request, count or bulk length line of up to 64 KiB
        (MAX_LINE bytes before its LF or CR), near, at or well under the
        limit; or one over it that never ends, as the last piece or with a
        NUL in it (see read sizes in the docstring)."""
        rng = self.rng
        over = rng.random() < 0.35
        if over:
            target = rng.randint(MAX_LINE + 1, 100000)
        else:
            target = rng.choice([MAX_LINE - rng.randint(0, 8), MAX_LINE,
                                 rng.randint(1000, 30000),
                                 rng.randint(40000, MAX_LINE)])
        head = rng.choice([b"SET " + BIG_KEY + b" ", b"APPEND " + BIG_KEY +
                           b" ", b"NOPE ", b"EXISTS", b"*", b"*1\r\n$"])
        if head[:1] == b"*":
            start, tail = len(head) - 1, b"\r\n"   # the line starts at * or $
        else:
            start, tail = 0, rng.choice([b"\r\n", b"\n"])
        fill = target - (len(head) - start) - (len(tail) - 1)
        if head == b"EXISTS":
            body = b" k1" * (fill // 3) + b" " * (fill % 3)
        elif head[:1] == b"*":
            body = b"1" * fill
        else:
            body = b"x" * fill
        what = "inline line" if head[:1] != b"*" else \
            "count line" if head == b"*" else "bulk length line"
        if not over:
            self.notes.append("%s of %d bytes" % (what, target))
            return head, body, tail, False
        if rng.random() < 0.5:
            at = rng.randrange(len(body))
            body = body[:at] + b"\0" + body[at + 1:]
            self.notes.append("%s of %d bytes with a NUL" % (what, target))
            return head, body, tail, False
        self.notes.append("%s of %d+ bytes, never ending" % (what, target))
        return head, body, b"", True

    def draw(self):
        """The requests of one round, before mutation."""
        rng = self.rng
        out = bytearray()
        big = self.big_piece()
        quit_at = rng.randrange(40) if rng.random() < 0.08 else None
        pieces = rng.randint(1, 30)
        big_at = pieces if big and big[3] else rng.randrange(pieces + 1)
        small = 0
        for i in range(pieces + 1):
            if i == quit_at:
                self.notes.append("QUIT")
                q = [rng.choice([b"QUIT", b"quit"])] + (
                    [b"x"] if rng.random() < 0.2 else [])
                out += multibulk(q) if rng.random() < 0.5 else self.inline(q)
            if i == big_at and big is not None:
                head, body, tail, _ = big
                out += head
                if body:
                    self.keep.append((len(out), len(out) + len(body)))
                out += body + tail
            if i < pieces and small < SMALL_BYTES:
                req = self.request()
                small += len(req)
                out += req
        return out

    # -- mutations -------------------------------------------------------

    def kept(self, i):
        return any(a <= i < b for a, b in self.keep)

    def spot(self, data):
        """A position to mutate at: mostly where the structure is (at or
        next to CR, LF, '*', '$' and digits), never inside a kept range."""
        rng = self.rng
        marks = [m.start() for m in re.finditer(rb"[\r\n*$]", bytes(data))
                 if not self.kept(m.start())]
        for _ in range(50):
            if marks and rng.random() < 0.75:
                i = rng.choice(marks) + rng.choice([-1, 0, 0, 1, 1, 2])
            else:
                i = rng.randrange(len(data) + 1)
            i = max(0, min(i, len(data)))
            if not self.kept(i) and not self.kept(i - 1):
                return i
        return len(data)

    def shift_keep(self, at, delta):
        self.keep = [(a + delta, b + delta) if a >= at else (a, b)
                     for a, b in self.keep]

    def splice(self, data, i, j, new):
        """data[i:j] = new, moving the kept ranges behind it."""
        data[i:j] = new
        self.shift_keep(i, len(new) - (j - i))

    def heads(self, data, which=b"*$"):
        """Positions of the type bytes in which that start a line (where a
        request or an element begins), outside the kept ranges."""
        pat = rb"(?<![^\n])[" + re.escape(which) + rb"]"
        return [m.start() for m in re.finditer(pat, bytes(data))
                if not self.kept(m.start())]

    def numbers(self, data):
        """(start, end) of every count or bulk length's digits (not those
        of a long line, which stays as drawn)."""
        out = []
        for i in self.heads(data):
            m = re.compile(rb"[^\r\n]*").match(bytes(data[i + 1:i + 64]))
            a, b = i + 1, i + 1 + m.end()
            if not any(ka < b and a < kb for ka, kb in self.keep):
                out.append((a, b))
        return out

    def mutate(self, data):
        rng = self.rng
        kind = rng.choice(["insert", "insert", "delete", "replace", "number",
                           "number", "type", "nest", "crlf", "crlf"])
        i = self.spot(data)
        if kind == "number":
            nums = self.numbers(data)
            if nums:
                a, b = rng.choice(nums)
                try:
                    old = int(data[a:b])
                except ValueError:
                    old = 0
                new = rng.choice(BAD_NUMBERS + [
                    b"%d" % (old + rng.choice([-3, -2, -1, 1, 2, 3])),
                    b"%d" % (self.bulk_max + 1), b"%d" % self.bulk_max])
                self.splice(data, a, b, new)
                return "number at %d: %r -> %r" % (a, bytes(data[a - 1:a]) +
                                                   b"%d" % old, new)
            kind = "insert"
        if kind == "type":
            heads = self.heads(data)
            if heads:
                j = rng.choice(heads)
                new = rng.choice(b":+-*%#,_~>$" if data[j] == ord("$")
                                 else b"$:+-")
                old = data[j]
                data[j] = new
                return "type at %d: %r -> %r" % (j, chr(old), chr(new))
            kind = "insert"
        if kind == "insert":
            n = rng.choice([1, 1, 1, 2, 3])
            new = bytes(rng.choice(STRUCT_BYTES) if rng.random() < 0.8
                        else rng.randrange(256) for _ in range(n))
            self.splice(data, i, i, new)
            return "insert at %d: %r" % (i, new)
        if kind == "delete":
            n = rng.choice([1, 1, 2, 3])
            j = i
            while j < min(len(data), i + n) and not self.kept(j):
                j += 1
            old = bytes(data[i:j])
            self.splice(data, i, j, b"")
            return "delete at %d: %r" % (i, old)
        if kind == "replace" and i < len(data):
            old = data[i]
            data[i] = rng.choice(STRUCT_BYTES) if rng.random() < 0.8 \
                else rng.randrange(256)
            return "replace at %d: %r -> %r" % (i, chr(old), chr(data[i]))
        if kind == "nest":
            new = rng.choice([b"*1\r\n$1\r\na\r\n", b"$-1\r\n", b"*0\r\n",
                              b"*-1\r\n", b":1\r\n", b"+OK\r\n"])
            heads = self.heads(data, b"$") or [i]
            j = rng.choice(heads)
            self.splice(data, j, j, new)
            return "nest at %d: %r" % (j, new)
        # crlf (and a replace that fell at the end)
        crlfs = [j for j in range(len(data) - 1)
                 if data[j:j + 2] == b"\r\n" and not self.kept(j)]
        if not crlfs:
            return self.mutate(data) if data else "none"
        j = rng.choice(crlfs)
        new = rng.choice([b"\r", b"\n", b"\n\r", b"\rX", b"\r\r", b"\r\x00",
                          b"\r\r\n", b"\r\n\n", b""])
        self.splice(data, j, j + 2, new)
        return "crlf at %d -> %r" % (j, new)

    def build(self):
        """The round's final bytes and the positions its mutations hit.
        A stream whose outcome in Redis depends on read sizes is mutated
        again (and again drawn, if mutating never avoids it)."""
        rng = self.rng
        for _ in range(20):
            self.notes, self.keep = [], []
            base = self.draw()
            if read_size_dependent(bytes(base), self.bulk_max):
                continue
            keep0 = list(self.keep)
            for _ in range(10):
                self.keep = list(keep0)
                data = bytearray(base)
                muts = []
                for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
                    muts.append(self.mutate(data))
                if rng.random() < 0.1 and data:
                    cut = rng.randrange(len(data))
                    if not any(a < cut < b for a, b in self.keep):
                        muts.append("cut at %d of %d" % (cut, len(data)))
                        del data[cut:]
                if not read_size_dependent(bytes(data), self.bulk_max):
                    return bytes(data), muts
        return b"PING\r\n", ["(no stream found)"]


# ---------------------------------------------------------------------------
# Sending a stream
# ---------------------------------------------------------------------------

def plan_writes(rng, data, muts):
    """How the stream is written: a list of (bytes, pause in seconds after
    them), a name, and whether the client waits for a close before EOF."""
    r = rng.random()
    n = len(data)
    if r < 0.35 or n < 2:
        plan, name = [(data, 0)], "one write"
    elif r < 0.7:
        cuts = sorted(set(rng.randrange(1, n) for _ in range(
            rng.randint(1, min(20, n - 1)))))
        name = "%d pieces" % (len(cuts) + 1)
        plan = [(data[a:b], rng.choice([0, 0, 0.001, 0.002]))
                for a, b in zip([0] + cuts, cuts + [n])]
    elif r < 0.85:
        start = rng.randrange(n)
        end = min(n, start + rng.randint(1, 48))
        name = "bytes %d-%d one by one" % (start, end)
        plan = [(data[:start], 0.001)] + \
            [(data[i:i + 1], 0.0005) for i in range(start, end)] + \
            [(data[end:], 0)]
    else:
        # Cut where the mutations hit, so the server reads up to there
        # and must wait (or fail) at the broken spot.
        cuts = set()
        for m in muts:
            at = m.split(" at ", 1)[1].split(":")[0].split(" ")[0] \
                if " at " in m else ""
            if at.isdigit():
                for d in (0, 1, 2):
                    if 0 < int(at) + d < n:
                        cuts.add(int(at) + d)
        cuts = sorted(cuts) or [n // 2 or 1]
        name = "cut at %s" % cuts
        plan = [(data[a:b], 0.002) for a, b in zip([0] + cuts, cuts + [n])]
    wait_eof = rng.random() < 0.15
    return [(p, t) for p, t in plan if p or t], name, wait_eof


class Side:
    """One server: an admin connection for the set-up between rounds, and
    the round's own connection."""

    def __init__(self, server):
        self.server = server
        self.admin = None

    def setup(self, bulk_max):
        """FLUSHALL and proto-max-bulk-len for the next round."""
        for attempt in (0, 1):
            try:
                if self.admin is None:
                    self.admin = self.server.conn(timeout=compat.REPLY_TIMEOUT)
                for args in (["FLUSHALL"], ["CONFIG", "SET",
                                            "proto-max-bulk-len", bulk_max]):
                    rep = self.admin.call(*args)
                    if rep != b"+OK\r\n":
                        raise h.ServerError("%s replied %r" % (args, rep))
                return
            except (OSError, ConnectionError):
                self.close()
                if attempt:
                    raise

    def close(self):
        if self.admin is not None:
            self.admin.close()
            self.admin = None

    def play(self, proto, plan, wait_eof):
        """Sends the plan on a new connection; returns (bytes received,
        "closed" or "open", closed before EOF: True, False, or None when
        the round does not wait)."""
        conn = self.server.conn(timeout=compat.REPLY_TIMEOUT)
        try:
            if proto == 3:
                conn.call("HELLO", "3")      # reply not compared
            sock = conn.sock
            sock.setblocking(False)
            got = bytearray(conn.buf[conn.pos:])
            state = {"closed": False, "send_failed": False}

            def pump(timeout):
                """Reads what arrives within timeout; True once closed."""
                deadline = time.monotonic() + timeout
                while not state["closed"]:
                    left = deadline - time.monotonic()
                    r, _, _ = select.select([sock], [], [], max(left, 0))
                    if not r:
                        if left <= 0:
                            break
                        continue
                    try:
                        chunk = sock.recv(65536)
                    except BlockingIOError:
                        continue
                    except OSError:          # reset
                        chunk = b""
                    if not chunk:
                        state["closed"] = True
                    got.extend(chunk)
                return state["closed"]

            for piece, pause in plan:
                view = memoryview(piece)
                while view and not (state["send_failed"] or state["closed"]):
                    r, w, _ = select.select([sock], [sock], [],
                                            compat.REPLY_TIMEOUT)
                    if r:
                        pump(0)
                    if w:
                        try:
                            view = view[sock.send(view):]
                        except BlockingIOError:
                            pass
                        except OSError:       # the server closed already
                            state["send_failed"] = True
                    elif not r:
                        break                 # stuck: nobody reads
                if pause:
                    pump(pause)
            early = None
            if wait_eof:
                early = pump(EOF_WAIT)
            try:
                sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            pump(CLOSE_TIMEOUT)
            return bytes(got), "closed" if state["closed"] else "open", early
        finally:
            conn.close()


# ---------------------------------------------------------------------------
# Rounds
# ---------------------------------------------------------------------------

def draw_round(seed):
    """Everything a round sends, from its seed alone."""
    rng = random.Random(seed)
    bulk_max = LOW_BULK_MAX + rng.choice([0, 0, 1, 4096]) \
        if rng.random() < 0.3 else BULK_MAX
    stream = Stream(rng, bulk_max)
    data, muts = stream.build()
    plan, plan_name, wait_eof = plan_writes(rng, data, muts)
    return bulk_max, stream.notes, data, muts, plan, plan_name, wait_eof


def first_difference(a, b):
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


class Round:
    def __init__(self, ref, sut, show=False):
        self.sides = (ref, sut)
        self.show = show

    def play(self, seed, proto):
        bulk_max, notes, data, muts, plan, plan_name, wait_eof = \
            draw_round(seed)
        desc = ["seed %d [resp%d]: %d bytes, %s%s, proto-max-bulk-len %d%s"
                % (seed, proto, len(data), plan_name,
                   ", waits before EOF" if wait_eof else "", bulk_max,
                   "".join(", " + n for n in notes)),
                "  mutations: %s" % ("; ".join(muts) or "none"),
                "  stream: %s" % compat.clip(data, 3000)]
        if self.show:
            print("\n".join(desc), flush=True)
        for s in self.sides:
            s.setup(bulk_max)
        results = [None, None]

        def run(i):
            try:
                results[i] = self.sides[i].play(proto, plan, wait_eof)
            except Exception as e:   # reported as a difference below
                results[i] = (b"<client error: %r>" % e, "error", None)

        threads = [threading.Thread(target=run, args=(i,)) for i in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if results[0] == results[1]:
            return None
        (ra, ca, ea), (rb, cb, eb) = results
        at = first_difference(ra, rb)
        lines = ["seed %d [resp%d]: what came back differs; replay with "
                 "--seed %d --rounds 1 --resp %d" % (seed, proto, seed,
                                                     proto)] + desc[0:] + [
            "  first difference at byte %d" % at]
        for name, rep, closed, early in (("redis", ra, ca, ea),
                                         ("respite", rb, cb, eb)):
            lines.append("  %-8s %s%s: %s" % (
                name, closed, "" if early is None else
                (", closed before EOF" if early else ", open until EOF"),
                compat.clip(rep, 1500)))
        return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=60)
    ap.add_argument("--resp", choices=["2", "3", "both"], default="both",
                    help="protocol of the rounds (both: alternate)")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--show", action="store_true",
                    help="print every round's plan and stream")
    opts = ap.parse_args()
    ref_server = h.Server(binary=compat.REF_BIN, name="diff_protocol-ref",
                          tracked=False, debug_command=False).start()
    sut_server = h.Server(name="diff_protocol-sut", tracked=False).start()
    ref, sut = Side(ref_server), Side(sut_server)
    rnd = Round(ref, sut, opts.show)
    try:
        passed, failed = compat.seeded_rounds("diff_protocol", opts,
                                              ref_server, sut_server,
                                              rnd.play)
    finally:
        ref.close()
        sut.close()
    print("RESULT %d %d" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
