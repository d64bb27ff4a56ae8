#!/usr/bin/python3
"""diff_expiry.py - keys that expire in real time, on redis-server and
Respite, reply bytes, keys and notifications compared.

The other differential tests keep TTLs out of reach (100 s, or in the past).
Here each round gives keys of every type (string, list, hash, set, zset,
stream; keys k0..k4 in db 0 and db 1) TTLs of 50 to 400 ms (and now and
then 1 s, a second boundary, 100 s or the past) and then, after real
sleeps, touches them in every way. Both servers ($REDIS_REF_BIN and
$RESPITE_BIN, started as compat.py does) get the same seeded steps in
lockstep, each step one write on a main connection (RESP2, or RESP3 by
HELLO 3 whose reply is not compared) and every reply read:

    TTLs set  SET with EX/PX/EXAT/PXAT/KEEPTTL (NX/XX/GET too), SETEX,
              PSETEX, EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT with NX/XX/GT/LT
              (and the error of two of them), GETEX EX/PX/EXAT/PXAT/
              PERSIST, PERSIST; COPY (REPLACE, DB 1), RENAME/RENAMENX
              from and onto keys with TTLs, MOVE, SWAPDB carry them
    access    GET, MGET and EXISTS of several keys with duplicates, TYPE,
              TTL/PTTL/EXPIRETIME/PEXPIRETIME, STRLEN, LLEN/HLEN/SCARD/
              ZCARD/XLEN, APPEND, INCR, SETRANGE, LPUSH, HSET, SADD,
              ZADD, XADD (on an expired key each must make a new key
              without the old TTL), SET NX/XX, GETSET, GETDEL, DEL and
              UNLINK counts, RENAME of an expired key (no such key),
              KEYS * and a whole SCAN (sorted), DBSIZE, RANDOMKEY (only
              with at most one live key in the database: otherwise it is
              a random pick); any of them sometimes in db 1 (SELECT 1 ...
              SELECT 0 in the same write)
    WATCH     WATCH of keys that may expire, then steps (sleeps too), then
              MULTI ... EXEC: the abort (or not) of a watched key that
              expired meanwhile, or was already expired at WATCH, is
              compared, as are MULTI ... EXEC bodies reading keys
    events    notify-keyspace-events EAn and a subscriber (round's
              protocol) on __keyevent@*__:*: after each step a PUBLISH of
              a marker on an admin connection, the subscriber read up to
              it; every event but `expired` is compared in order, window
              by window; `expired` ones are set aside and compared as a
              multiset over the round (see active expiry below)

What is compared: every reply byte for byte, except KEYS and the SCAN
iteration (sorted sets of keys), and the remaining-time replies: TTL and
EXPIRETIME within 1, PTTL and PEXPIRETIME within the longest step of the
round plus 2 ms (the two servers take a relative TTL at their own
receive time), -1/-2 exactly. After every step each key's PEXPIRETIME is
read on both (an admin connection), which is also compared that way (so
a write that made a key new without dropping its old TTL shows at
once); every DUMP_EVERY steps and at the end the whole keyspace (TYPE,
contents, PTTL as none/-1/set) is dumped and compared; at the end,
after every key has been touched, DBSIZE of both databases, the
expired-event multisets and INFO's expired_keys for the round.

Designed out, since it is timing, not behaviour:

    deadlines  the servers are called one after the other, so a key whose
               deadline falls between the calls would differ by timing
               alone. The script keeps each key's deadline window, from
               the PEXPIRETIME both servers report after each step: [the
               earlier, the later] of the two (Redis's and Respite's
               clocks are both the Unix clock of this machine, in ms).
               No step is sent while any key, in either database, has a
               deadline within MARGIN_MS (25 ms) of the step: the script
               sleeps past the deadline instead. 25 ms covers a step's
               own time (both servers, one write each: a few ms, more
               under ASan; the estimate is the longest step so far plus
               5 ms), the scheduler, and Respite's clock being the loop's
               (uv_now, taken once an iteration). TTLs start at 50 ms so
               a key set in a step is never within the margin of the PEXPIRETIME
               read right after it. A step whose measured time crossed a
               margin anyway is marked in the log.
    active     Redis's active expiry (hz 10) and Respite's sweeper remove
    expiry     keys past their deadline in the background, whenever. A
               read cannot tell (the key is absent either way), but
               DBSIZE counts a key past its deadline until it goes,
               FLUSHDB/FLUSHALL publish `expired` only for a key already
               gone, and SWAPDB moves an unswept key, so its later
               `expired` names the other database. So before DBSIZE,
               FLUSHDB, FLUSHALL and SWAPDB the step first sends EXISTS
               of every key past its deadline (in both databases; its
               reply is 0 either way), and `expired` events are compared
               as a multiset over the round, after every key was
               touched, never by window
    EXEC       Redis 7.0 reads one clock for a whole EXEC; a key expiring
               inside a transaction would take a transaction longer
               than the margin, so transactions are only sent clear of
               every deadline, like any other step
    keymiss    not subscribed: the PEXPIRETIME reads after each step
               would publish their own
    stream     XADD takes explicit IDs (n-1, n growing), never `*`
    order      SMEMBERS and HGETALL are sorted in the dump and never sent
               as steps

The places where Respite differs by design (README) are about INFO's
version, HELLO, persistence, DEBUG, COMMAND, CLIENT, blocking and
streams' XSETID: none of those is sent here (HELLO 3's reply is not
compared; INFO only for expired_keys).

A round stops at its first difference and prints its seed, protocol and
every step so far; `--seed S --rounds 1 --resp N --steps K` replays it
(the sleeps follow the servers' deadlines, so a replay is close to, not
always exactly, the same run).

Usage: diff_expiry.py [--seed S] [--rounds R] [--steps N]
                      [--resp 2|3|both] [--quiet]
Exit status 1 when any round mismatched. Prints "RESULT <passed> <failed>"
(a round is a test) last, as the other suites do.
"""

import collections
import os
import random
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness as h  # noqa: E402
import compat  # noqa: E402
from differential import subject, event_text  # noqa: E402
from diff_blocking import fresh_admin  # noqa: E402
from diff_multi import pairs  # noqa: E402
from diff_pubsub import fmt  # noqa: E402

KEYS = [b"k%d" % i for i in range(5)]
DBS = (0, 1)
MARGIN_MS = 25
DUMP_EVERY = 12
MARKER = b"diff-expiry-marker"
FLAGS = b"EAn"
TTL_S = (b"TTL", b"EXPIRETIME")
TTL_MS = (b"PTTL", b"PEXPIRETIME")


def now_ms():
    return time.time() * 1000.0


def b(n):
    return b"%d" % n


class Side:
    """One server and the round's connections: admin (RESP2), main and a
    subscriber (both in the round's protocol)."""

    def __init__(self, server):
        self.server = server
        self.admin = self.main = self.sub = None

    def open(self, proto):
        self.close()
        self.admin = fresh_admin(self.server.port)
        out = [self.admin.call("CONFIG", "SET", "notify-keyspace-events",
                               FLAGS)]
        self.main = self.conn(proto)
        self.sub = self.conn(proto)
        self.sub.send(h.encode("SUBSCRIBE", MARKER)
                      + h.encode("PSUBSCRIBE", "__keyevent@*__:*"))
        out += self.sub.read_n(2)
        return out

    def conn(self, proto):
        c = h.Conn(self.server.port, timeout=compat.REPLY_TIMEOUT)
        if proto == 3:
            c.call("HELLO", "3")
        return c

    def close(self):
        for c in (self.admin, self.main, self.sub):
            if c is not None:
                c.close()
        self.admin = self.main = self.sub = None

    def run(self, conn, cmds):
        conn.send(b"".join(h.encode(*a) for a in cmds))
        return [conn.read_raw() for _ in cmds]

    def expiretimes(self, keys):
        """PEXPIRETIME of each (db, key), on the admin connection."""
        cmds = []
        for db, k in keys:
            cmds += [[b"SELECT", b(db)], [b"PEXPIRETIME", k]]
        reps = self.run(self.admin, cmds)
        return [int(h.parse(r)) for r in reps[1::2]]

    def notified(self, mark):
        """(expired events, other events) published since the last call."""
        self.admin.call("PUBLISH", MARKER, mark)
        expired, other = [], []
        while True:
            raw = self.sub.read_raw()
            msg = h.parse(raw)
            if msg[1:] == [MARKER, mark]:
                return expired, other
            (expired if subject(msg)[3] == b"expired" else other).append(raw)

    def expired_keys(self):
        for line in h.parse(self.admin.call("INFO", "stats")).split(b"\r\n"):
            if line.startswith(b"expired_keys:"):
                return int(line.split(b":")[1])
        return None

    def dump(self):
        out = []
        for db in DBS:
            reqs = [[b"SELECT", b(db)]]
            for k in KEYS:
                reqs += [[b"TYPE", k], [b"PTTL", k], [b"GET", k],
                         [b"LRANGE", k, b"0", b"-1"], [b"SMEMBERS", k],
                         [b"ZRANGE", k, b"0", b"-1", b"WITHSCORES"],
                         [b"HGETALL", k], [b"XRANGE", k, b"-", b"+"]]
            reps = self.run(self.admin, reqs)
            for n, k in enumerate(KEYS):
                r = reps[1 + 8 * n:9 + 8 * n]
                ttl = r[1] if r[1] in (b":-1\r\n", b":-2\r\n") else b"<ttl>"
                out.append((b"db%d:%s" % (db, k), b" ".join(
                    [r[0].strip(), ttl.strip(), r[2], r[3],
                     compat.sorted_elements(r[4]), r[5],
                     pairs(r[6]), r[7]])))
        return out


class Round(compat.ScenarioRound):
    def __init__(self, ref, sut, proto, seed, steps):
        super().__init__(ref, sut, proto, seed, steps)
        # (db, key) -> None (absent), -1 (no TTL) or (lo, hi): the
        # deadline window, Unix ms, from both servers' PEXPIRETIME
        self.ttl = {}
        self.longest = 2.0      # ms, the longest step (both servers)
        self.span = 2.0         # ms, the same with the PEXPIRETIME reads
        self.tokens = 0
        self.xid = 0
        self.marks = 0
        self.expired = [collections.Counter(), collections.Counter()]
        self.db = 0

    # -- the deadline table --------------------------------------------------

    def window(self, dk):
        t = self.ttl.get(dk)
        return t if isinstance(t, tuple) else None

    def past(self, dk, now):
        w = self.window(dk)
        return w is not None and w[1] + MARGIN_MS < now

    def live(self, dk, now):
        t = self.ttl.get(dk)
        return t == -1 or (isinstance(t, tuple) and t[0] > now)

    def clear_of_deadlines(self, cmds=None, db=0):
        """Sleeps until no deadline is within MARGIN_MS of a step starting
        now and lasting the longest step so far plus 5 ms, nor is any
        deadline that the step's cmds (run in db) compare with GT or LT."""
        while True:
            now = now_ms()
            end = now + self.span + 5
            wait = self.comparisons_settled(cmds, db, now)
            for w in filter(None, map(self.window, list(self.ttl))):
                if w[0] - MARGIN_MS < end and w[1] + MARGIN_MS > now:
                    wait = max(wait, w[1] + MARGIN_MS + 1 - now)
            if wait <= 0:
                return
            time.sleep(wait / 1000.0)

    def comparisons_settled(self, cmds, db, now):
        """The ms to wait until no relative EXPIRE/PEXPIRE with GT or LT
        in cmds sets a deadline within MARGIN_MS of its key's: the two
        are compared, and the new one moves on with the clock while the
        old stays, so the outcome would otherwise be timing's."""
        wait = 0
        for c in cmds or []:
            name = c[0].upper()
            if name == b"SELECT":
                db = int(c[1])
            if name not in (b"EXPIRE", b"PEXPIRE") or \
                    not {b"GT", b"LT"} & {a.upper() for a in c[3:]}:
                continue
            w = self.window((db, c[1]))
            if w is None:
                continue
            new = now + int(c[2]) * (1000 if name == b"EXPIRE" else 1)
            if w[0] - MARGIN_MS < new + self.span + 5 and \
                    w[1] + MARGIN_MS > new:
                wait = max(wait, w[1] + MARGIN_MS + 1 - new)
        return wait

    def crossed(self, s0, s1):
        return any(w[0] - MARGIN_MS < s1 and w[1] + MARGIN_MS > s0
                   for w in filter(None, map(self.window, list(self.ttl))))

    def refresh(self, named):
        """Reads every key's PEXPIRETIME on both, except a key past its
        deadline that the step did not name (reading it would expire it,
        and leave fewer expired keys for the steps to meet). Returns the
        first difference."""
        now = now_ms()
        keys = [(db, k) for db in DBS for k in KEYS
                if k in named or not self.past((db, k), now)]
        a, b_ = (s.expiretimes(keys) for s in self.sides)
        tol = self.longest + 2
        for dk, x, y in zip(keys, a, b_):
            if x == y or (x >= 0 and y >= 0 and abs(x - y) <= tol):
                self.ttl[dk] = None if x == -2 else -1 if x == -1 else \
                    (min(x, y), max(x, y))
            else:
                return "PEXPIRETIME db%d %s" % dk, b(x), b(y)
        return None

    # -- drawing --------------------------------------------------------------

    def tok(self):
        self.tokens += 1
        return b"v%d" % self.tokens

    def key(self):
        """A key of the step's database, more often one past its deadline
        (or with a TTL), so expired keys are met by every command."""
        r, now = random.random(), now_ms()
        past = [k for k in KEYS if self.past((self.db, k), now)]
        volatile = [k for k in KEYS if self.window((self.db, k))]
        if r < 0.55 and past:
            return random.choice(past)
        if r < 0.7 and volatile:
            return random.choice(volatile)
        return random.choice(KEYS)

    def ms(self):
        return random.randint(50, 200) if random.random() < 0.85 \
            else random.randint(200, 400)

    def second_ahead(self):
        """An EXAT/EXPIREAT time a second or so ahead: the first whole
        second that does not fall within the step setting it (plus the
        margin), which would otherwise pass between the two servers."""
        return (int(now_ms()) + MARGIN_MS + int(self.span) + 5) // 1000 + 1

    def rel_or_abs(self):
        """An expiry option of SET/GETEX."""
        r, ms = random.random(), self.ms()
        if r < 0.45:
            return [b"PX", b(ms)]
        if r < 0.7:
            return [b"PXAT", b(int(now_ms()) + ms)]
        if r < 0.74:
            return [b"EX", b"1"]
        if r < 0.78:
            return [b"EXAT", b(self.second_ahead())]
        if r < 0.84:
            return [b"EX", b"100"]
        if r < 0.9:
            return [b"PXAT", b(int(now_ms()) - random.randint(1, 5000))]
        return random.choice([[b"EX", b"0"], [b"PX", b"-5"],
                              [b"EXAT", b(int(now_ms() / 1000) - 10)]])

    def expire_cmd(self, k):
        r, ms = random.random(), self.ms()
        now = int(now_ms())
        if r < 0.4:
            cmd = [b"PEXPIRE", k, b(ms)]
        elif r < 0.6:
            # Not within the margin of k's deadline, which GT and LT
            # compare it with: the servers' deadlines differ by a step.
            at, w = now + ms, self.window((self.db, k))
            if w and w[0] - MARGIN_MS <= at <= w[1] + MARGIN_MS:
                at = w[1] + 2 * MARGIN_MS
            cmd = [b"PEXPIREAT", k, b(at)]
        elif r < 0.7:
            cmd = [b"EXPIRE", k, random.choice([b"1", b"100", b"0", b"-1"])]
        elif r < 0.78:
            cmd = [b"EXPIREAT", k, random.choice(
                [b(self.second_ahead()), b(now // 1000 - 5), b"1"])]
        elif r < 0.9:
            cmd = [b"PEXPIRE", k, random.choice([b"0", b"-100", b"100000"])]
        else:
            cmd = [b"PEXPIREAT", k, random.choice([b(now - 10), b"1"])]
        r = random.random()
        if r < 0.5:
            cmd.append(random.choice([b"NX", b"XX", b"GT", b"LT"]))
        elif r < 0.55:
            cmd += random.sample([b"NX", b"XX", b"GT", b"LT"], 2)
        return cmd

    def create(self, k):
        """A command that makes (or adds to) a key of some type."""
        t = random.choice("sslhtzx")
        if t == "s":
            return [b"SET", k, self.tok()]
        if t == "l":
            return [b"RPUSH", k, self.tok(), self.tok()]
        if t == "h":
            return [b"HSET", k, random.choice([b"f1", b"f2"]), self.tok()]
        if t == "t":
            return [b"SADD", k, random.choice([b"m1", b"m2", b"m3"])]
        if t == "z":
            return [b"ZADD", k, b(random.randint(0, 3)),
                    random.choice([b"m1", b"m2"])]
        self.xid += 1
        return [b"XADD", k, b"%d-1" % self.xid, b"f", self.tok()]

    def set_ttl(self):
        """Steps that give keys TTLs (or take them away)."""
        k, pick = self.key(), random.choice
        r = random.random()
        if r < 0.25:
            return [[b"SET", k, self.tok()] + self.rel_or_abs()
                    + pick([[], [], [b"NX"], [b"XX"], [b"GET"]])]
        if r < 0.45:
            return [self.create(k), self.expire_cmd(k)]
        if r < 0.6:
            return [self.expire_cmd(k)]
        if r < 0.67:
            return [[b"SETEX", k, pick([b"1", b"100", b"0"]), self.tok()]]
        if r < 0.75:
            return [[b"PSETEX", k, b(self.ms()), self.tok()]]
        if r < 0.85:
            return [[b"GETEX", k] + pick([self.rel_or_abs(), [b"PERSIST"],
                                          []])]
        if r < 0.92:
            return [[b"SET", k, self.tok(), b"KEEPTTL"]
                    + pick([[], [b"XX"], [b"GET"]])]
        return [[b"PERSIST", k]]

    def access(self):
        """Reads and writes of keys that may have expired."""
        k, k2, pick = self.key(), self.key(), random.choice
        return [pick([
            [b"GET", k], [b"GET", k], [b"MGET", k, k2, k],
            [b"EXISTS", k, k2, k, k2], [b"EXISTS", k], [b"TYPE", k],
            [b"TTL", k], [b"PTTL", k], [b"EXPIRETIME", k],
            [b"PEXPIRETIME", k], [b"PERSIST", k], [b"STRLEN", k],
            [b"APPEND", k, b"x"], [b"INCR", k], [b"SETRANGE", k, b"2", b"y"],
            [b"LPUSH", k, self.tok()], [b"HSET", k, b"f1", self.tok()],
            [b"SADD", k, b"m1"], [b"ZADD", k, b"1", b"m1"],
            self.create(k), self.create(k),
            [b"SET", k, self.tok(), b"NX"], [b"SET", k, self.tok(), b"XX"],
            [b"SET", k, self.tok(), b"XX", b"GET"],
            [b"GETSET", k, self.tok()], [b"GETDEL", k],
            [b"DEL", k, k2, k], [b"UNLINK", k, k2], [b"DEL", k],
            [b"LLEN", k], [b"HLEN", k], [b"SCARD", k], [b"ZCARD", k],
            [b"XLEN", k], [b"LRANGE", k, b"0", b"-1"],
            [b"ZRANGE", k, b"0", b"-1", b"WITHSCORES"],
            [b"HGET", k, b"f1"], [b"SISMEMBER", k, b"m1"],
            [b"RENAME", k, k2], [b"RENAMENX", k, k2],
            [b"COPY", k, k2] + pick([[], [b"REPLACE"], [b"DB", b"1"],
                                     [b"DB", b"1", b"REPLACE"]]),
            [b"MOVE", k, pick([b"1", b"0"])],
            [b"LINDEX", k, b"0"],
        ])]

    def whole(self):
        """Commands over a whole database."""
        r = random.random()
        if r < 0.3:
            return [[b"KEYS", b"*"]], "keys"
        if r < 0.55:
            return None, "scan"
        if r < 0.75:
            return [[b"DBSIZE"]], "settle"
        if r < 0.85:
            return [[b"SWAPDB", b"0", b"1"]], "settle"
        if r < 0.9:
            return [[random.choice([b"FLUSHDB", b"FLUSHALL"])]], "settle"
        return [[b"RANDOMKEY"]], "random"

    def transaction(self):
        body = [pick for pick in
                (random.choice([self.access(), self.set_ttl()])[0]
                 for _ in range(random.randint(1, 3)))
                if pick[0] not in TTL_S + TTL_MS]
        return [[b"MULTI"]] + body + [[b"EXEC"]]

    # -- steps ----------------------------------------------------------------

    def draw(self):
        """The next step: (commands, kind), and self.db, its database."""
        self.db = 1 if random.random() < 0.2 else 0
        r = random.random()
        if r < 0.27:
            return self.set_ttl(), "cmd"
        if r < 0.66:
            return self.access(), "cmd"
        if r < 0.74:
            return self.whole()
        if r < 0.81:
            return self.transaction(), "cmd"
        if r < 0.86:
            ks = random.sample(KEYS, random.randint(1, 2))
            return [[b"WATCH"] + ks], "cmd"
        if r < 0.88:
            return [[b"UNWATCH"]], "cmd"
        return None, "sleep"

    def sleep(self):
        """Sleeps past the next deadline or two, or a little."""
        now = now_ms()
        ends = sorted(w[1] for w in filter(None, map(self.window,
                                                      list(self.ttl)))
                      if w[1] > now and w[0] < now + 300)
        if ends and random.random() < 0.8:
            until = ends[0] + MARGIN_MS + random.randint(1, 20)
        else:
            until = now + random.randint(5, 40)
        self.log.append("sleep %d ms" % (until - now))
        time.sleep(max(0, until - now) / 1000.0)

    def settle(self, dbs):
        """EXISTS of every key past its deadline in dbs, so none is left
        for the sweeper to take or not."""
        now = now_ms()
        cmds = []
        for db in dbs:
            ks = [k for k in KEYS if self.past((db, k), now)]
            if ks:
                cmds += [[b"SELECT", b(db)], [b"EXISTS"] + ks]
        return cmds + ([[b"SELECT", b"0"]] if cmds else [])

    def step(self, cmds, kind):
        """Runs one step on both; returns the first difference or None."""
        db1 = kind in ("cmd", "keys", "scan", "random") and self.db == 1
        self.clear_of_deadlines(cmds, 1 if db1 else 0)
        if kind == "random":
            now = now_ms()
            if sum(self.live((1 if db1 else 0, k), now) for k in KEYS) > 1:
                return None
        if kind == "settle":
            both = cmds[0][0] in (b"SWAPDB", b"FLUSHALL")
            cmds = self.settle(DBS if both else (0,)) + cmds
        if db1:
            cmds = [[b"SELECT", b"1"]] + (cmds or []) + [[b"SELECT", b"0"]]
        named = {a for c in (cmds or []) for a in c[1:]}
        s0 = now_ms()
        if kind == "scan":
            outs = [self.scan(s, db1) for s in self.sides]
            label = "SCAN (whole, COUNT 2)" + (" in db 1" if db1 else "")
        else:
            outs = [s.run(s.main, cmds) for s in self.sides]
            label = " + ".join(fmt(a) for a in cmds)
        s1 = now_ms()
        late = self.crossed(s0, s1)
        self.longest = max(self.longest, s1 - s0)
        self.log.append(label + ("   [took %.0f ms: within the margin of a "
                                 "deadline]" % (s1 - s0) if late else ""))
        if kind != "scan":
            for n, (c, x, y) in enumerate(zip(cmds, *outs)):
                if not self.same(c, x, y):
                    return "reply %d of the step" % (n + 1), x, y
        elif outs[0] != outs[1]:
            return "SCAN", outs[0], outs[1]
        if cmds and cmds[-1] == [b"SWAPDB", b"0", b"1"] and \
                outs[0][-1] == b"+OK\r\n":
            for k in KEYS:
                self.ttl[(0, k)], self.ttl[(1, k)] = \
                    self.ttl.get((1, k)), self.ttl.get((0, k))
        diff = self.refresh(named)
        self.span = max(self.span, now_ms() - s0)
        if diff:
            return diff
        return self.events()

    def same(self, cmd, x, y):
        if x == y:
            return True
        name = cmd[0].upper()
        if name == b"KEYS":
            return compat.sorted_elements(x) == compat.sorted_elements(y)
        if name in TTL_S + TTL_MS and x[:1] == y[:1] == b":":
            a, c = int(x[1:-2]), int(y[1:-2])
            tol = 1 if name in TTL_S else self.longest + 2
            return a >= 0 and c >= 0 and abs(a - c) <= tol
        return False

    def scan(self, side, db1):
        conn = side.main
        if db1:
            conn.call("SELECT", "1")
        cursor, keys = b"0", set()
        while True:
            cursor, batch = h.parse(conn.call("SCAN", cursor, "COUNT", "2"))
            keys.update(batch)
            if cursor == b"0":
                break
        if db1:
            conn.call("SELECT", "0")
        return b" ".join(sorted(keys))

    def events(self):
        """The events since the last step: expired ones into the round's
        multisets, the others compared."""
        self.marks += 1
        mark = b"%d" % self.marks
        got = []
        for s, counter in zip(self.sides, self.expired):
            expired, other = s.notified(mark)
            counter.update(expired)
            got.append(b" | ".join(event_text(m) for m in other))
        if got[0] != got[1]:
            return "events of the step", got[0], got[1]
        return None

    def dump(self):
        a, c = (dict(s.dump()) for s in self.sides)
        for k in sorted(a):
            if a[k] != c.get(k):
                return "keyspace " + k.decode(), a[k], c.get(k)
        return None

    def finish(self):
        """Every key touched, then DBSIZE, the keyspace, expired events
        and expired_keys compared."""
        self.clear_of_deadlines()
        cmds = []
        for db in DBS:
            cmds += [[b"SELECT", b(db)], [b"EXISTS"] + KEYS, [b"DBSIZE"]]
        cmds.append([b"SELECT", b"0"])
        self.log.append("(end) " + " + ".join(fmt(a) for a in cmds))
        outs = [s.run(s.main, cmds) for s in self.sides]
        for n, (x, y) in enumerate(zip(*outs)):
            if x != y:
                return "reply %d of the end" % (n + 1), x, y
        diff = self.events() or self.dump()
        if diff:
            return diff
        a, c = self.expired
        if a != c:
            return ("expired events over the round",
                    b" | ".join(b"%s x%d" % (event_text(m), a[m] - c[m])
                                for m in sorted(a - c)),
                    b" | ".join(b"%s x%d" % (event_text(m), c[m] - a[m])
                                for m in sorted(c - a)))
        counts = [s.expired_keys() - base
                  for s, base in zip(self.sides, self.base)]
        if counts[0] != counts[1]:
            return "INFO expired_keys over the round", b(counts[0]), \
                b(counts[1])
        return None

    def run(self):
        random.seed(self.seed)
        outs = [s.open(self.proto) for s in self.sides]
        if outs[0] != outs[1]:
            return self.mismatch(("setup", b"".join(outs[0]),
                                  b"".join(outs[1])))
        self.base = [s.expired_keys() for s in self.sides]
        for n in range(self.steps):
            cmds, kind = self.draw()
            if kind == "sleep":
                self.sleep()
                continue
            diff = self.step(cmds, kind)
            if not diff and n % DUMP_EVERY == DUMP_EVERY - 1:
                self.clear_of_deadlines()
                diff = self.dump()
            if diff:
                return self.mismatch(diff)
        diff = self.finish()
        return self.mismatch(diff) if diff else None

    def mismatch(self, diff):
        what, x, y = diff
        lines = self.report_head(what + " after")
        lines.append("  redis:   %s" % compat.clip(x, 1500))
        lines.append("  respite: %s" % compat.clip(y, 1500))
        return "\n".join(lines)


def main():
    passed, failed = compat.scenario_rounds(__doc__, "diff_expiry", Side,
                                            Round)
    print("RESULT %d %d" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
