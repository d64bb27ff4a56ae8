#!/usr/bin/python3
"""diff_blocking.py - random scenarios of blocked clients woken by other
connections, on redis-server and Respite, reply bytes compared.

differential.py talks over one connection, so it never sees a waiter
woken by someone else. Here each round opens 2 to 5 "waiters" and 1 or 2
"writers" on each server ($REDIS_REF_BIN and $RESPITE_BIN, started as
differential.py does) and plays the same seeded scenario on both, step by
step, in lockstep:

    block    a waiter sends BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP,
             BZPOPMIN, BZPOPMAX, BZMPOP, XREAD BLOCK ($ or explicit IDs,
             COUNT) or XREADGROUP BLOCK > (NOACK), sometimes with a PING,
             LLEN, LPOP or BLPOP pipelined behind it; the next step waits
             until the server has it blocked (CLIENT LIST flags b) or has
             answered it
    write    a writer runs one command, or a MULTI ... EXEC, that may wake
             waiters: pushes of several elements, LMOVE/RPOPLPUSH into a
             waited key, ZADD, XADD (MAXLEN 0 too), DEL, SET (type
             change), RENAME, COPY, EXPIRE/PERSIST, FLUSHDB, SWAPDB and
             MOVE from db 1, XGROUP DESTROY/SETID, XDEL; with two writers
             a MULTI may stay open while the other writes
    unblock  CLIENT UNBLOCK [TIMEOUT|ERROR] of a waiter, by the id that
             waiter's own CLIENT ID gave on that server
    close    a waiter's connection closes, or CLIENT KILL ID ends it (the
             step waits until the server has dropped it); the slot
             reconnects when it blocks again

After each step the waiters' sockets are read without blocking, on both
servers, until both have received the same replies (or 1 s has passed),
and every waiter's replies, the writers' replies and then every key of
db 0 and 1 (type, content, TTL or not, stream groups and pending
summary) are compared. Who was served with which element shows the order
of service. Elements are unique tokens, stream IDs explicit and
increasing, so both servers hold the same data.

Keyspace notifications: NOTIFY_SHARE of the rounds (drawn from a
generator of their own, so a seed draws the same steps either way) set
notify-keyspace-events to one of NOTIFY_FLAGS on both (the CONFIG GET
after it compared too) and open a subscriber on each, in the round's
protocol, to __key*__:* (every database) and a marker channel, as
differential.py does. After the setup, after every step (once the
waiters' replies agree) and, with m (keymiss) on, after the dump's reads,
a PUBLISH of a new marker goes down the admin connection and the
subscriber is read up to it: the server runs one command at a time and
every reply of the step was read, so all the step published is queued
ahead of the marker. The two sequences are compared byte for byte, in
order: the writer's events, then those of the waiters it woke (BLMOVE's
new and push into its destination, then the pop and del of its source,
BLPOP's lpop and del, XREADGROUP's xgroup-createconsumer, zpopmin...)
and of what they pipelined, in the order they were served. Expired
events need a key to outlive its time, which no round lets happen (see
expiry below): none are expected, and one would be a difference.

What Redis itself leaves to timing is designed out:

    timeouts  long ones (0, 30 or 60 s) never fire within a round; a short
              one (50-200 ms) is waited for before the next step, so no
              write ever races a timeout
    expiry    only EXPIRE 100 (never fires) or a time in the past (deletes
              at once); TTLs compared as present or not
    SWAPDB    only while db 1 holds at most one key: Redis wakes the keys
              it brings in in hash-table order, which decides who is
              served first when a waiter waits on two of them or a BLMOVE
              chain joins them
    closing   the step after a close waits until the server has dropped
              the waiter, else Redis may still serve it and lose the element
    XADD *    never: the two servers' clocks give different IDs

and so are the places where Respite follows Redis 7.2, which runs a
woken client's command again (README, "Blocking commands"), and the
reference, 7.0, serves it from the key that woke it:

    one key   a waiter waits on one key: one woken for several keys at
              once is served by 7.0 from the key that became ready first
              (and an XREAD replies that stream only), by 7.2 and Respite
              from the first of its keys in argument order that has data
    empty     7.0 wakes a stream reader whose stream was signalled with
              nothing new for it (XADD then XDEL in one MULTI, XGROUP
              DESTROY under a plain XREAD) with an empty entry list, where
              7.2 and Respite keep it waiting; the two clients then differ
              for good, so a round that meets it ends there, passed
              (XADD MAXLEN 0, the commonest way there, is not drawn)
    rerun     Respite runs a waiter again after any write to its key,
              Redis only after a write that adds data; that shows only
              when XGROUP SETID moves a group's cursor back under a
              blocked XREADGROUP (Respite serves it at the next write of
              any kind, an EXPIRE say, Redis at the next XADD; seed 5033
              before this rule). So SETID goes back to 0 only while no
              waiter is blocked in XREADGROUP on that stream and not in
              a MULTI (one left open may run after a waiter blocks);
              otherwise it is drawn as SETID $, which never moves back
    gone      a blocked XREADGROUP whose stream is deleted or changes type,
              or whose group is destroyed, gets 7.0's -UNBLOCKED or
              -NOGROUP texts of its own, where 7.2 and Respite run it
              again (-NOGROUP No such key..., -WRONGTYPE): a waiter's
              replies of either kind are compared as one (GONE)

A round stops at its first difference and prints its seed, protocol and
every step so far; `--seed S --rounds 1 --resp N --steps K` replays it.

Usage: diff_blocking.py [--seed S] [--rounds R] [--steps N]
                        [--resp 2|3|both] [--quiet]
Exit status 1 when any round mismatched. Prints "RESULT <passed> <failed>"
(a round is a test) last, as the other suites do.
"""

import os
import random
import re
import select
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness as h  # noqa: E402
import compat  # noqa: E402
import differential  # noqa: E402

LISTS, ZSETS, STREAMS = ["l0", "l1", "l2"], ["z0", "z1"], ["x0", "x1"]
KEYS = LISTS + ZSETS + STREAMS + ["s0"]
FAMILY = {"l": LISTS, "z": ZSETS, "x": STREAMS}
LONG, SHORT = ["0", "30", "60"], ["0.05", "0.1", "0.2"]
REPLY_TIMEOUT = 3.0         # a reply (or a short timeout) due at once
SETTLE = 1.0                # how long replies may take to agree
CLOSED = b"<connection closed>"
NOREPLY = b"<no reply within %.0fs>" % REPLY_TIMEOUT
ENDED_EMPTY = [0]           # rounds ended at 7.0's empty stream wake
# notify-keyspace-events of a notification round (see the docstring): n
# (new) and m (keymiss) are outside A; l, z, t and g are what waiters do.
NOTIFY_FLAGS = ["KEA", "KEAn", "Elgzt", "KEAm", "Kl", "Egt", "KEAnm", "Ez$"]
NOTIFY_SHARE = 0.5
MARKER = b"diff-blocking-marker"    # matches no keyspace pattern


class Incomplete(Exception):
    pass


def until(done):
    """Waits until done() holds, REPLY_TIMEOUT at most."""
    deadline = time.monotonic() + REPLY_TIMEOUT
    while not done() and time.monotonic() < deadline:
        time.sleep(0.001)


def client_gone(admin, cid):
    """Whether the server has let client cid go (admin: a Link)."""
    line = h.parse(admin.call("CLIENT", "LIST", "ID", cid))
    return b"flags=" not in line


def fresh_admin(port):
    """An admin Link to the server at port, once the last round's clients
    are gone, and FLUSHALL run."""
    admin = Link(port)
    until(lambda: h.parse(admin.call("CLIENT", "LIST")).count(b"\n") <= 1)
    admin.call("FLUSHALL")
    return admin


class Link(h.Conn):
    """A Conn whose poll() returns the replies complete so far without
    waiting; call() still waits up to REPLY_TIMEOUT."""

    def __init__(self, port, proto=2):
        super().__init__(port, timeout=REPLY_TIMEOUT)
        self.wait = REPLY_TIMEOUT
        self.eof = False
        self.pending = 0            # requests sent and not yet answered
        if proto == 3:
            self.call("HELLO", "3")

    def _fill(self):
        # Never compacts: poll() rewinds pos over a half-read reply.
        if not select.select([self.sock], [], [], self.wait)[0]:
            raise Incomplete()
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("closed")
        self.buf += chunk

    def call(self, *args):
        self.send(h.encode(*args))
        try:
            return self.read_raw()
        except Incomplete:
            return NOREPLY
        except (ConnectionError, OSError):
            return CLOSED

    def replies(self, n=None):
        """Up to n replies (None: to the end), read in turn; NOREPLY or
        CLOSED ends them."""
        out = []
        while n is None or len(out) < n:
            try:
                out.append(self.read_raw())
            except Incomplete:
                out.append(NOREPLY)
                break
            except (ConnectionError, OSError):
                out.append(CLOSED)
                break
        return out

    def poll(self):
        out, self.wait = [], 0
        try:
            while not self.eof:
                start = self.pos
                try:
                    out.append(self.read_raw())
                except Incomplete:
                    self.pos = start
                    break
                except (ConnectionError, OSError):
                    self.pos, self.eof = start, True
                    out.append(CLOSED)
        finally:
            self.wait = REPLY_TIMEOUT
        if self.pos == len(self.buf):
            self.buf, self.pos = b"", 0
        self.pending -= len(out)
        return out


class Side:
    """One server and the round's connections to it."""

    def __init__(self, server):
        self.server = server
        self.admin = self.sub = None
        self.writers, self.waiters, self.ids = [], [], []

    def open(self, proto, nwaiters, nwriters, flags):
        """New connections; notify-keyspace-events set to flags (every
        round, since the server outlives it) and, when flags is not empty,
        a subscriber, in the round's protocol, to every keyspace and
        keyevent channel and the marker's. Returns the replies of the
        setup."""
        self.close()
        self.proto = proto
        self.admin = Link(self.server.port)
        out = [self.admin.call("FLUSHALL")]
        for args in (["CONFIG", "SET", "notify-keyspace-events", flags],
                     ["CONFIG", "GET", "notify-keyspace-events"]):
            out.append(self.admin.call(*args))
        if flags:
            self.sub = h.Conn(self.server.port, timeout=REPLY_TIMEOUT)
            if proto == 3:
                self.sub.call("HELLO", "3")
            self.sub.send(h.encode("SUBSCRIBE", MARKER)
                          + h.encode("PSUBSCRIBE", "__key*__:*"))
            out += self.sub.read_n(2)
        self.writers = [Link(self.server.port, proto) for _ in range(nwriters)]
        self.waiters, self.ids = [None] * nwaiters, [None] * nwaiters
        return out

    def close(self):
        for c in [self.admin, self.sub] + self.writers + self.waiters:
            if c is not None:
                c.close()
        self.sub = None

    def notified(self, mark):
        """The notifications published since the last call: a PUBLISH of
        a new marker, then the subscriber read up to it. The server runs
        one command at a time and everything before was answered, so
        whatever it published is queued ahead of the marker, in order."""
        got = []
        rep = self.admin.call("PUBLISH", MARKER, mark)
        if rep[:1] != b":" or rep == b":0\r\n":
            return [b"<PUBLISH of the marker replied %r>" % rep]
        try:
            while True:
                raw = self.sub.read_raw()
                msg = h.parse(raw)
                if isinstance(msg, list) and msg[1:] == [MARKER, mark]:
                    return got
                got.append(raw)
        except socket.timeout:
            got.append(b"<no marker within %ds>" % REPLY_TIMEOUT)
        except (OSError, ConnectionError, h.ProtocolError) as e:
            got.append(b"<subscriber: %s>" % str(e).encode())
        return got

    def waiter(self, i):
        if self.waiters[i] is None:
            c = Link(self.server.port, self.proto)
            self.ids[i] = c.call("CLIENT", "ID")[1:-2].decode()
            self.waiters[i] = c
        return self.waiters[i]

    def client_flags(self, i):
        """The waiter's CLIENT LIST flags, or None once it is gone."""
        line = h.parse(self.admin.call("CLIENT", "LIST", "ID", self.ids[i]))
        for word in line.split():
            if word.startswith(b"flags="):
                return word[6:]
        return None

    def block(self, i, requests):
        """Sends the waiter's requests; returns once it is blocked or
        answered, so waiters queue in the order they are sent."""
        c = self.waiter(i)
        c.send(b"".join(requests))
        c.pending += len(requests)
        until(lambda: c.pos < len(c.buf)
                   or select.select([c.sock], [], [], 0)[0]
                   or b"b" in (self.client_flags(i) or b""))

    def drop(self, i):
        """Closes the waiter and waits until the server has let it go."""
        self.waiters[i].close()
        self.waiters[i] = None
        until(lambda: self.client_flags(i) is None)

    def poll(self):
        return {i: c.poll() for i, c in enumerate(self.waiters)
                if c is not None}

    def still(self, got):
        """Whether every waiter that got replies is done or blocked again
        on what it pipelined (a BLPOP after its first command)."""
        return all(b"b" in (self.client_flags(i) or b"")
                   for i, reps in got.items()
                   if reps and self.waiters[i].pending > 0)

    def dump(self, dbs):
        """Every key of the given databases, in one pipeline a database."""
        out = []
        for db in dbs:
            reqs = [h.encode("SELECT", db)]
            for k in KEYS:
                reqs += [h.encode(*a) for a in (
                    ["TYPE", k], ["PTTL", k], ["GET", k],
                    ["LRANGE", k, "0", "-1"],
                    ["ZRANGE", k, "0", "-1", "WITHSCORES"],
                    ["XRANGE", k, "-", "+"], ["XINFO", "GROUPS", k],
                    ["XPENDING", k, "g"])]
            self.admin.send(b"".join(reqs + [h.encode("SELECT", "0")]))
            reps = [self.admin.read_raw() for _ in range(len(reqs) + 1)]
            for k, j in zip(KEYS, range(1, len(reqs), 8)):
                ttl = reps[j + 1]
                ttl = ttl if ttl in (b":-1\r\n", b":-2\r\n") else b"<ttl>"
                out.append((db + ":" + k, b" ".join(
                    [reps[j].strip(), ttl.strip()] + reps[j + 2:j + 8])))
        return out


class Round(compat.ScenarioRound):
    def __init__(self, ref, sut, proto, seed, steps):
        super().__init__(ref, sut, proto, seed, steps)
        self.tokens = 0
        self.xid = 1                # stream IDs: <xid>-0, always rising
        self.db1 = False            # db 1 used: dump it too
        self.multi = set()          # writers inside MULTI
        self.waited = []            # keys of the last blocking commands
        self.flags = ""             # notify-keyspace-events of the round
        self.blocked = {}           # waiter: its last blocking command
        self.queuing = False        # drawing commands for a MULTI
        self.marks = 0

    # -- drawing arguments ------------------------------------------------

    def tok(self):
        self.tokens += 1
        return "e%d" % self.tokens

    def key(self, family):
        """Mostly a key someone waits on, when there is one."""
        waited = [k for k in self.waited if k in FAMILY[family]]
        if waited and random.random() < 0.6:
            return random.choice(waited)
        return random.choice(KEYS if random.random() < 0.06
                             else FAMILY[family])

    def keys(self, family):
        return [random.choice(FAMILY[family])]      # one key: see above

    def any_key(self):
        return random.choice(self.waited if self.waited and
                             random.random() < 0.5 else KEYS)

    def next_xid(self):
        self.xid += 1
        return "%d-0" % self.xid

    def blocking(self, i):
        """A blocking command for waiter i: (args, short timeout?)."""
        short = random.random() < 0.12
        t = random.choice(SHORT if short else LONG)
        ms = str(int(float(t) * 1000))
        pick = random.choice
        end = lambda: pick(["LEFT", "RIGHT"])  # noqa: E731
        count = lambda: (["COUNT", pick(["1", "2", "3"])]  # noqa: E731
                         if random.random() < 0.5 else [])
        kind = pick("LLRMMPPZZZXXGG")
        if kind == "L":
            args = [pick(["BLPOP", "BRPOP"])] + self.keys("l") + [t]
        elif kind == "R":
            dst = self.key("l") if random.random() < 0.9 else "s0"
            args = (["BRPOPLPUSH", self.key("l"), dst, t]
                    if random.random() < 0.3 else
                    ["BLMOVE", self.key("l"), dst, end(), end(), t])
        elif kind == "M":
            ks = self.keys("l")
            args = ["BLMPOP", t, str(len(ks))] + ks + [end()] + count()
        elif kind == "P":
            args = [pick(["BZPOPMIN", "BZPOPMAX"])] + self.keys("z") + [t]
        elif kind == "Z":
            ks = self.keys("z")
            args = ["BZMPOP", t, str(len(ks))] + ks + [
                pick(["MIN", "MAX"])] + count()
        elif kind == "X":
            ks = self.keys("x")
            ids = [pick(["$", "$", "0-0", "%d-0" % self.xid,
                         "%d-0" % (self.xid + 1),
                         "%d-0" % max(self.xid - 2, 0)]) for _ in ks]
            args = ["XREAD"] + count() + ["BLOCK", ms, "STREAMS"] + ks + ids
        else:
            ks = self.keys("x")
            consumer = "c%d" % (i if random.random() < 0.8 else 0)
            args = ["XREADGROUP", "GROUP", "g", consumer] + count() + [
                "BLOCK", ms] + (["NOACK"] if random.random() < 0.3 else []) \
                + ["STREAMS"] + ks + [">"] * len(ks)
        return args, short

    def write(self):
        """One writer command."""
        r = random.random
        tok = self.tok
        pick = random.choice
        kind = random.choice("PPPPPMMZZZXXXDSRREGGYQ")
        if kind == "P":
            return [pick(["LPUSH", "RPUSH", "RPUSH", "LPUSHX", "RPUSHX"]),
                    self.key("l")] + [tok() for _ in range(
                        random.randint(1, 4))]
        if kind == "M":
            return pick([["LMOVE", self.key("l"), self.key("l"),
                          pick(["LEFT", "RIGHT"]), pick(["LEFT", "RIGHT"])],
                         ["RPOPLPUSH", self.key("l"), self.key("l")],
                         ["LPOP", self.key("l")],
                         ["LMPOP", "1", self.key("l"), "LEFT", "COUNT", "2"]])
        if kind == "Z":
            if r() < 0.15:
                return ["ZUNIONSTORE", self.key("z"), "2", "z0", "z1"]
            args = ["ZADD", self.key("z")]
            for _ in range(random.randint(1, 4)):
                args += [pick(["0", "1", "1", "2", "5", "-1"]), tok()]
            return args
        if kind == "X":
            args = ["XADD", self.key("x")] + pick(
                [[]] * 8 + [["MAXLEN", "2"]])
            return args + [self.next_xid(), "f", tok()]
        if kind == "D":
            return ["DEL", self.any_key()] + ([pick(KEYS)] if r() < 0.3
                                               else [])
        if kind == "S":
            return ["SET", self.any_key(), tok()]
        if kind == "R":
            return [pick(["RENAME", "RENAME", "COPY"]), pick(KEYS),
                    self.any_key()]
        if kind == "E":
            return pick([["EXPIRE", self.any_key(), pick(["100", "0", "-1"])],
                         ["PEXPIRE", self.any_key(), "-5"],
                         ["PERSIST", self.any_key()]])
        if kind == "G":
            k = self.key("x")
            args = pick([["XGROUP", "CREATE", k, "g", pick(["$", "0"]),
                          "MKSTREAM"],
                         ["XGROUP", "DESTROY", k, "g"],
                         ["XGROUP", "SETID", k, "g", pick(["0", "$"])],
                         ["XDEL", k, "%d-0" % self.xid]])
            if args[1] == "SETID" and (self.queuing or self.group_waits(k)):
                args[4] = "$"       # never back under a waiter: rerun
            return args
        if kind == "Y":
            return ["FLUSHDB"] if r() < 0.5 else ["FLUSHALL"]
        return ["DBSIZE"]           # Q: a write that touches nothing

    # -- running steps on both sides --------------------------------------

    def on_writer(self, w, args):
        """Runs args on writer w of both sides; (label, reply) each."""
        self.log.append("W%d> %s" % (w, fmt(args)))
        return [[("W%d" % w, s.writers[w].call(*args))] for s in self.sides]

    def step_block(self, i):
        args, short = self.blocking(i)
        self.waited = ([a for a in args if a in KEYS] + self.waited)[:6]
        self.blocked[i] = args
        reqs = [h.encode(*args)]
        # What runs after the waiter is served: LPOP shows in which order
        # the clients served together went on.
        extra = random.choice([[], [], [], [], [], ["PING"], ["LLEN", "l0"],
                               ["LPOP", "l1"], ["BLPOP", "l1", "0"]])
        if extra:
            reqs.append(h.encode(*extra))
        self.log.append("w%d> %s%s" % (i, fmt(args),
                                       " + " + fmt(extra) if extra else ""))
        for s in self.sides:
            s.block(i, reqs)
        return [[], []], ({i} if short else set())

    def group_waits(self, k):
        """Whether a waiter may be blocked in XREADGROUP on stream k."""
        return any(c is not None and c.pending > 0 and
                   self.blocked[i][:1] == ["XREADGROUP"] and
                   k in self.blocked[i]
                   for i, c in enumerate(self.sides[0].waiters))

    def step_write(self):
        try:
            return self.write_step()
        finally:
            self.queuing = False

    def write_step(self):
        w = random.randrange(len(self.sides[0].writers))
        if w in self.multi:         # an open MULTI: queue more or end it
            if random.random() < 0.5:
                self.multi.discard(w)
                return self.on_writer(w, ["EXEC" if random.random() < 0.9
                                          else "DISCARD"])
            self.queuing = True
            return self.on_writer(w, self.write())
        if random.random() < 0.03:
            return self.swapdb(w)
        if random.random() < 0.15:
            outs = self.on_writer(w, ["MULTI"])
            self.queuing = True
            for _ in range(random.randint(1, 4)):
                # A blocking command in MULTI answers at once.
                args = (self.blocking(0)[0] if random.random() < 0.1
                        else self.write())
                for o, more in zip(outs, self.on_writer(w, args)):
                    o += more
            if len(self.sides[0].writers) > 1 and random.random() < 0.4:
                self.multi.add(w)   # EXEC comes in a later step
                return outs
            for o, more in zip(outs, self.on_writer(w, ["EXEC"])):
                o += more
            return outs
        return self.on_writer(w, self.write())

    def swapdb(self, w):
        """Data into db 1 (one key), then SWAPDB or MOVE it to db 0."""
        self.db1 = True
        k = random.choice(LISTS + ZSETS + STREAMS)
        fill = {"l": ["RPUSH", k, self.tok(), self.tok()],
                "z": ["ZADD", k, "1", self.tok(), "2", self.tok()],
                "x": ["XADD", k, self.next_xid(), "f", self.tok()]}[k[0]]
        outs = [[], []]
        seq = [["SELECT", "1"], ["FLUSHDB"], fill]
        seq += [["SELECT", "0"], ["SWAPDB", "0", "1"]] \
            if random.random() < 0.6 else [["MOVE", k, "0"], ["SELECT", "0"]]
        for args in seq:
            for o, more in zip(outs, self.on_writer(w, args)):
                o += more
        return outs

    def step_unblock(self):
        w = random.randrange(len(self.sides[0].writers))
        i = random.randrange(len(self.sides[0].waiters))
        how = random.choice([[], ["TIMEOUT"], ["ERROR"]])
        self.log.append("W%d> CLIENT UNBLOCK <id of w%d> %s" % (w, i,
                                                              fmt(how)))
        return [[("W%d" % w, s.writers[w].call("CLIENT", "UNBLOCK",
                                                s.ids[i] or "999999", *how))]
                for s in self.sides], set()

    def step_close(self, i):
        """The waiter hangs up, or a writer kills it."""
        outs = [[], []]
        if random.random() < 0.3 and 0 not in self.multi:
            self.log.append("W0> CLIENT KILL ID <id of w%d>" % i)
            outs = [[("W0", s.writers[0].call("CLIENT", "KILL", "ID",
                                              s.ids[i]))]
                    for s in self.sides]
        else:
            self.log.append("close w%d" % i)
        for s in self.sides:
            s.drop(i)
        return outs, set()

    def settle(self, outs, due):
        """Reads the waiters on both sides until both got the same replies
        (and every waiter in due got one), for up to SETTLE seconds (or
        REPLY_TIMEOUT when a short timeout is due)."""
        got = [{}, {}]
        deadline = time.monotonic() + (REPLY_TIMEOUT if due else SETTLE)
        time.sleep(0.002)
        while True:
            for g, s in zip(got, self.sides):
                for i, reps in s.poll().items():
                    g.setdefault(i, []).extend(GONE.sub(b"-<gone>\r\n", x)
                                               for x in reps)
            if got[0] == got[1] and all(got[0].get(i) and got[1].get(i)
                                        for i in due) and all(
                                            s.still(g) for g, s in
                                            zip(got, self.sides)):
                break
            if time.monotonic() > deadline:
                break
            time.sleep(0.002)
        for o, g in zip(outs, got):
            o += [("w%d" % i, b"".join(reps))
                  for i, reps in sorted(g.items()) if reps]
        return outs

    def hear(self, what=""):
        """The notifications since the last call on both sides, compared
        in order; the report of the first difference, or None (what names
        the window: "" for the last step, or "the dump after")."""
        if not self.flags:
            return None
        self.marks += 1
        mark = b"%d" % self.marks
        a, b = (s.notified(mark) for s in self.sides)
        if a == b and not any(m[:1] == b"<" for m in a):
            return None
        k = next((j for j, (x, y) in enumerate(zip(a, b)) if x != y),
                 min(len(a), len(b)))
        raw = k < min(len(a), len(b)) and \
            differential.event_text(a[k]) == differential.event_text(b[k])
        label = "notifications (%s)" % self.flags
        return self.mismatch([(label, differential.events(a, k, raw))],
                             [(label, differential.events(b, k, raw))],
                             ("notification %d of %s" % (k + 1, what))
                             .strip())

    def run(self):
        # Its own generator, so a seed draws the same steps either way.
        notes = random.Random("notify %d" % self.seed)
        self.flags = notes.choice(NOTIFY_FLAGS) \
            if notes.random() < NOTIFY_SHARE else ""
        random.seed(self.seed)
        nwait = random.randint(2, 5)
        nwrite = random.randint(1, 2)
        setup = [s.open(self.proto, nwait, nwrite, self.flags)
                 for s in self.sides]
        if self.flags:
            self.log.append("CONFIG SET notify-keyspace-events %s; a "
                            "subscriber to __key*__:*" % self.flags)
        if setup[0] != setup[1]:
            return self.mismatch(*([("setup", b" ".join(x))] for x in setup))
        # Streams with a group, mostly, so XREADGROUP has something to wait on.
        for k in STREAMS:
            if random.random() < 0.7:
                for args in (["XADD", k, self.next_xid(), "f", self.tok()],
                             ["XGROUP", "CREATE", k, "g", "$"]):
                    outs = self.on_writer(0, args)
                    if outs[0] != outs[1]:
                        return self.mismatch(*outs)
        report = self.hear()
        if report:
            return report
        first = random.randint(2, nwait)
        for n in range(self.steps):
            sides = self.sides[0]
            idle = [i for i, c in enumerate(sides.waiters)
                    if c is None or c.pending == 0]
            busy = [i for i, c in enumerate(sides.waiters)
                    if c is not None and c.pending > 0]
            r = random.random()
            if idle and (n < first or r < 0.35):
                outs, due = self.step_block(random.choice(idle))
            elif r < 0.42:
                outs, due = self.step_unblock()
            elif busy and r < 0.47:
                outs, due = self.step_close(random.choice(busy))
            else:
                outs, due = self.step_write(), set()
            outs = self.settle(outs, due)
            if outs[0] != outs[1] and empty_wake(*outs):
                ENDED_EMPTY[0] += 1
                return None
            if outs[0] != outs[1]:
                return self.mismatch(*outs)
            report = self.hear()
            if report:
                return report
            if not outs[0] and not self.log[-1].startswith("close"):
                continue            # a waiter blocked: nothing changed
            dbs = ["0", "1"] if self.db1 else ["0"]
            da, db = (s.dump(dbs) for s in self.sides)
            if da != db:
                return self.mismatch(da, db, "keys after")
            if "m" in self.flags:   # the dump's reads publish keymiss
                report = self.hear("the dump after")
                if report:
                    return report
        return None

    def mismatch(self, a, b, what="replies of"):
        lines = self.report_head(what)
        da, db = dict(a), dict(b)
        for label in sorted(set(da) | set(db)):
            if da.get(label) != db.get(label):
                lines.append("  %s redis:   %s" % (label, compat.clip(
                    da.get(label, b"<nothing>"), 1500)))
                lines.append("  %s respite: %s" % (label, compat.clip(
                    db.get(label, b"<nothing>"), 1500)))
        return "\n".join(lines)


# The replies of an XREADGROUP waiter whose stream or group went, 7.0's
# and 7.2's (see "gone" in the docstring).
GONE = re.compile(rb"-(UNBLOCKED the stream key no longer exists|NOGROUP the "
                  rb"consumer group this client was blocked on no longer "
                  rb"exists|NOGROUP No such key '[^'\r\n]*' or consumer "
                  rb"group '[^'\r\n]*' in XREADGROUP with GROUP option|"
                  rb"WRONGTYPE Operation against a key holding the wrong "
                  rb"kind of value)\r\n")


# A stream reader woken with an empty entry list (RESP2 and RESP3),
# perhaps followed by the replies to what it pipelined.
EMPTY_WAKE = re.compile(rb"(\*1\r\n\*2\r\n|%1\r\n)\$\d+\r\nx\d\r\n\*0\r\n")


def empty_wake(a, b):
    """Whether a and b differ only in waiters that Redis woke with an
    empty stream reply and Respite left waiting (see the docstring)."""
    da, db = dict(a), dict(b)
    diff = [k for k in set(da) | set(db) if da.get(k) != db.get(k)]
    return all(k not in db and EMPTY_WAKE.match(da.get(k, b""))
               for k in diff)


def fmt(args):
    return " ".join(repr(a) if (" " in a or not a) else a for a in args)


def main():
    passed, failed = compat.scenario_rounds(__doc__, "diff_blocking", Side,
                                            Round)
    if ENDED_EMPTY[0]:
        print("%d round(s) ended early, passed, at Redis 7.0's empty stream "
              "wake" % ENDED_EMPTY[0])
    print("RESULT %d %d" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
