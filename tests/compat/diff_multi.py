#!/usr/bin/python3
"""diff_multi.py - random transactions on several connections, on
redis-server and Respite, reply bytes and keys compared.

differential.py runs MULTI/EXEC on one connection and, in watched(), one
WATCH broken (or not) by one command of another. Here each round opens 2
to 4 connections on each server ($REDIS_REF_BIN and $RESPITE_BIN, started
as differential.py does), all in the round's protocol (RESP3 by HELLO 3),
and plays the same seeded scenario on both, one step at a time, in
lockstep. A step is one connection sending one command (or a few in one
write) and reading every reply:

    outside MULTI   MULTI (sometimes with an argument: the arity error);
                    WATCH of one to three keys; SELECT 1 then WATCH there;
                    SELECT 0/1; UNWATCH; EXEC and DISCARD without MULTI;
                    a whole MULTI ... EXEC or DISCARD in one write; a write
                    that may or may not touch a key some connection
                    watches: SET (EX 100 too), INCR (of a string that is
                    no number too), APPEND, DEL (of a missing key too),
                    EXPIRE of a missing key, EXPIRE 100, EXPIRE -1 and
                    PEXPIREAT 1 (in the past: deletes), PERSIST, LPUSH,
                    SADD, ZADD, HSET, RENAME onto a watched key, FLUSHDB,
                    FLUSHALL, SWAPDB 0 1, MOVE to db 0 or 1, COPY (DB,
                    REPLACE); a read (GET, EXISTS, TYPE, LLEN, SCARD,
                    ZSCORE, HGET, STRLEN), which must not abort anything;
                    RESET (a RESP3 round then sends HELLO 3 again, its
                    reply not compared); QUIT; or the connection closes
    inside MULTI    a queued command: any of the writes and reads above,
                    ones that fail at run time (INCR of a list, LPUSH on
                    a string...), wrong arity, an unknown command, PING,
                    ECHO, SELECT 0/1 (queued: it changes the database of
                    the commands after it), blocking commands that answer
                    at once (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BZPOPMIN,
                    BZPOPMAX, BLMPOP), WATCH, nested MULTI, EXEC, DISCARD
                    and MULTI with an extra argument; EXEC; DISCARD;
                    RESET; QUIT; or the connection closes. EXEC with an
                    argument fails its arity check and discards the
                    transaction (Redis 7.0 does), so it is never put in a
                    one-write MULTI ... EXEC, where what follows it would
                    run at once (a BLPOP would block)

The replies of every connection are compared byte for byte (QUEUED, the
errors while queueing, EXEC's array, its null when a watched key was
touched, EXECABORT, DISCARD's OK or error), and after each step so are
keys a, b, c of db 0 and db 1 (TYPE, GET, LRANGE, SMEMBERS sorted,
ZRANGE WITHSCORES, HGETALL sorted by field, PTTL present or not) read
on an admin connection. Three keys, so WATCHes and writes meet often.

What Redis itself leaves open is designed out:

    order     sets and hashes reply in dict order: the dump sorts them
              and no queued command replies their members (no SMEMBERS,
              HGETALL, SPOP, SRANDMEMBER)
    expiry    only EXPIRE/SET EX of 100 s (never fires in a round) or a
              time in the past (deletes at once); TTLs compared as
              present or not, never TTL/PTTL replies
    closing   a QUIT or a close waits until the server has let the client
              go (CLIENT LIST ID), so nothing after races it; the slot
              reconnects when next drawn. Client ids are never compared
    HELLO     its reply names each server's version and id: the HELLO 3
              of a RESP3 connection, first or after RESET, is not compared
    blocking  BLPOP and the like are only drawn inside MULTI, where they
              answer at once on both servers

The places where Respite follows Redis 7.2 (README) are about blocked
clients woken again, streams, XSETID and INFO/HELLO's version: no step
here blocks, uses a stream or reads INFO, so none needed designing out.

A round stops at its first difference and prints its seed, protocol and
every step so far, with the bytes each server sent the connection that
differs (or the key); `--seed S --rounds 1 --resp N --steps K` replays it.

Usage: diff_multi.py [--seed S] [--rounds R] [--steps N]
                     [--resp 2|3|both] [--quiet]
Exit status 1 when any round mismatched. Prints "RESULT <passed> <failed>"
(a round is a test) last, as the other suites do.
"""

import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness as h  # noqa: E402
import compat  # noqa: E402
from diff_blocking import (CLOSED, NOREPLY, Incomplete,  # noqa: E402
                           Link, client_gone, fresh_admin,
                           until)
from diff_pubsub import fmt  # noqa: E402

KEYS = [b"a", b"b", b"c"]
MISSING = b"nokey"          # never written


class Side:
    """One server and the round's connections to it."""

    def __init__(self, server):
        self.server = server
        self.admin = None
        self.conns, self.ids = [], []

    def open(self, proto, n):
        """New connections, once the last round's are gone."""
        self.close()
        self.proto = proto
        self.admin = fresh_admin(self.server.port)
        self.conns, self.ids = [None] * n, [None] * n

    def close(self):
        for c in [self.admin] + self.conns:
            if c is not None:
                c.close()
        self.admin, self.conns = None, []

    def conn(self, i):
        if self.conns[i] is None:
            c = Link(self.server.port, self.proto)
            self.ids[i] = c.call("CLIENT", "ID")[1:-2].decode()
            self.conns[i] = c
        return self.conns[i]

    def rehello(self, i):
        self.conns[i].call("HELLO", "3")

    def gone(self, i):
        return client_gone(self.admin, self.ids[i])

    def run(self, i, cmds, quits):
        """Sends cmds on connection i in one write; the raw replies. With
        quits, the server is waited for to let the client go, and the
        connection is read to its end."""
        c = self.conn(i)
        c.send(b"".join(h.encode(*a) for a in cmds))
        out = c.replies(len(cmds))
        if quits:
            until(lambda: self.gone(i))
            if out[-1] != CLOSED:
                try:
                    extra = c.read_raw()
                    out.append(b"<after QUIT: " + extra + b">")
                except Incomplete:
                    out.append(NOREPLY)
                except (ConnectionError, OSError):
                    out.append(CLOSED)
            c.close()
            self.conns[i] = None
        return out

    def drop(self, i):
        self.conn(i)            # a slot never opened opens first
        self.conns[i].close()
        self.conns[i] = None
        until(lambda: self.gone(i))

    def dump(self):
        """Keys a, b, c of db 0 and 1, in one pipeline a database."""
        out = []
        for db in (b"0", b"1"):
            reqs = [[b"SELECT", db]]
            for k in KEYS:
                reqs += [[b"TYPE", k], [b"PTTL", k], [b"GET", k],
                         [b"LRANGE", k, b"0", b"-1"], [b"SMEMBERS", k],
                         [b"ZRANGE", k, b"0", b"-1", b"WITHSCORES"],
                         [b"HGETALL", k]]
            reqs.append([b"SELECT", b"0"])
            self.admin.send(b"".join(h.encode(*a) for a in reqs))
            reps = [self.admin.read_raw() for _ in reqs]
            for n, k in enumerate(KEYS):
                r = reps[1 + 7 * n:8 + 7 * n]
                ttl = r[1] if r[1] in (b":-1\r\n", b":-2\r\n") else b"<ttl>"
                out.append((b"db%s:%s" % (db, k), b" ".join(
                    [r[0].strip(), ttl.strip(), r[2], r[3],
                     compat.sorted_elements(r[4]), r[5], pairs(r[6])])))
        return out


def pairs(raw):
    """HGETALL's reply with its field/value pairs sorted."""
    if raw[:1] != b"*":
        return raw
    v = h.parse(raw)
    if not isinstance(v, list):
        return raw
    return b"*pairs " + repr(sorted(zip(v[::2], v[1::2]))).encode()


class Round(compat.ScenarioRound):
    def __init__(self, ref, sut, proto, seed, steps):
        super().__init__(ref, sut, proto, seed, steps)
        self.tokens = 0

    # -- drawing ------------------------------------------------------------

    def tok(self):
        self.tokens += 1
        return b"v%d" % self.tokens

    def key(self):
        return random.choice(KEYS)

    def value(self):
        return random.choice([self.tok(), self.tok(),
                              b"%d" % random.randint(-3, 20)])

    def write(self):
        k, pick, r = self.key(), random.choice, random.random()
        if r < 0.04:
            return [b"FLUSHALL"] if random.random() < 0.4 else [b"FLUSHDB"]
        if r < 0.08:
            return [b"SWAPDB", b"0", b"1"]
        if r < 0.13:
            return [b"MOVE", k, pick([b"0", b"1"])]
        if r < 0.18:
            return [b"COPY", k, self.key()] + pick(
                [[], [b"REPLACE"], [b"DB", b"1"], [b"DB", b"0"],
                 [b"DB", b"1", b"REPLACE"]])
        if r < 0.24:
            return [pick([b"RENAME", b"RENAME", b"RENAMENX"]), k, self.key()]
        return pick([
            [b"SET", k, self.value()], [b"SET", k, self.value()],
            [b"SET", k, self.value(), b"EX", b"100"],
            [b"INCR", k], [b"INCR", k], [b"APPEND", k, b"x"],
            [b"DEL", k], [b"DEL", MISSING], [b"DEL", k, self.key()],
            [b"EXPIRE", MISSING, b"100"], [b"EXPIRE", k, b"100"],
            [b"EXPIRE", k, b"-1"], [b"PEXPIREAT", k, b"1"],
            [b"PERSIST", k], [b"PERSIST", MISSING],
            [b"LPUSH", k, self.tok()], [b"LPUSH", k, self.tok(), self.tok()],
            [b"SADD", k, pick([b"m1", b"m2", b"m3"])],
            [b"ZADD", k, b"%d" % random.randint(0, 3),
             pick([b"m1", b"m2", b"m3"])],
            [b"HSET", k, pick([b"f1", b"f2"]), self.value()],
        ])

    def read(self):
        k = self.key()
        return random.choice([
            [b"GET", k], [b"GET", k], [b"GET", MISSING], [b"EXISTS", k],
            [b"TYPE", k], [b"LLEN", k], [b"SCARD", k],
            [b"ZSCORE", k, b"m1"], [b"HGET", k, b"f1"], [b"STRLEN", k]])

    def queued(self, burst=False):
        """One command for a connection inside MULTI (in a burst, not
        EXEC x, which ends the MULTI: what follows would run)."""
        k, pick, r = self.key(), random.choice, random.random()
        if r < 0.5:
            return self.write()
        if r < 0.68:
            return self.read()
        if r < 0.72:
            return pick([[b"GET"], [b"SET", k], [b"INCR"], [b"LPUSH", k],
                         [b"EXPIRE", k], [b"SELECT"], [b"WATCH"]])
        if r < 0.74:
            return pick([[b"NOSUCHCMD", k], [b"nosuch"]])
        if r < 0.80:
            return pick([[b"PING"], [b"ECHO", b"hi"], [b"SELECT", b"1"],
                         [b"SELECT", b"0"], [b"SELECT", b"1"]])
        if r < 0.89:
            return pick([
                [b"BLPOP", k, b"0"], [b"BRPOP", k, self.key(), b"1"],
                [b"BLMOVE", k, self.key(), b"LEFT", b"RIGHT", b"0"],
                [b"BRPOPLPUSH", k, self.key(), b"0"],
                [b"BZPOPMIN", k, b"0"], [b"BZPOPMAX", k, self.key(), b"0"],
                [b"BLMPOP", b"0", b"2", k, self.key(), b"LEFT"]])
        return pick([[b"WATCH", k], [b"MULTI"], [b"DISCARD", b"x"],
                     [b"MULTI", b"x"]] + ([] if burst else [[b"EXEC", b"x"]]))

    # -- steps --------------------------------------------------------------

    def step(self, i):
        """Connection i's commands; [(label, reply)] for each side."""
        m = self.multi
        r = random.random()
        quits = False
        if r < 0.01:
            return self.close(i)
        if r < 0.025:
            cmds = [[b"QUIT"]] + ([[b"PING"]] if random.random() < 0.3
                                  else [])
            quits = True
        elif r < 0.045:
            cmds = [[b"RESET"]]
        elif m[i]:
            r = random.random()
            if r < 0.22:
                cmds = [[b"EXEC"]]
            elif r < 0.28:
                cmds = [[b"DISCARD"]]
            else:
                cmds = [self.queued()]
        else:
            r = random.random()
            if r < 0.2:
                cmds = [[b"MULTI"] + ([b"x"] if random.random() < 0.02
                                      else [])]
            elif r < 0.36:
                cmds = [[b"WATCH"] + random.sample(KEYS, random.randint(1, 3))]
            elif r < 0.40:
                cmds = [[b"SELECT", b"1"], [b"WATCH", self.key()]]
            elif r < 0.42:
                cmds = [[b"SELECT", random.choice([b"0", b"1"])]]
            elif r < 0.45:
                cmds = [[b"UNWATCH"]]
            elif r < 0.47:
                cmds = [[random.choice([b"EXEC", b"DISCARD"])]]
            elif r < 0.53:
                cmds = [[b"MULTI"]] + [self.queued(True) for _ in range(
                    random.randint(1, 3))] + [[random.choice(
                        [b"EXEC", b"EXEC", b"DISCARD"])]]
            elif r < 0.85:
                cmds = [self.write()]
            else:
                cmds = [self.read()]
        for a in cmds:
            if a == [b"MULTI"]:
                m[i] = True
            elif a in ([b"EXEC"], [b"DISCARD"], [b"RESET"], [b"QUIT"],
                       [b"EXEC", b"x"]):
                # EXEC with an argument: its arity error discards the
                # transaction, in Redis 7.0 as in Respite
                m[i] = False
        self.log.append("c%d> %s" % (i, " + ".join(fmt(a) for a in cmds)))
        outs = []
        for s in self.sides:
            outs.append(s.run(i, cmds, quits))
        if [b"RESET"] in cmds and self.proto == 3:
            self.log.append("c%d> HELLO 3 (reply not compared)" % i)
            for s in self.sides:
                s.rehello(i)
        return [[("c%d" % i, b"".join(o))] for o in outs]

    def close(self, i):
        self.log.append("close c%d" % i)
        self.multi[i] = False
        for s in self.sides:
            s.drop(i)
        return [[], []]

    def run(self):
        random.seed(self.seed)
        n = random.randint(2, 4)
        for s in self.sides:
            s.open(self.proto, n)
        self.multi = [False] * n
        for _ in range(self.steps):
            # A connection inside MULTI is drawn more often, so
            # transactions get to their EXEC.
            weights = [3 if x else 2 for x in self.multi]
            i = random.choices(range(n), weights)[0]
            outs = self.step(i)
            outs = [o + s.dump() for o, s in zip(outs, self.sides)]
            if outs[0] != outs[1]:
                return self.mismatch(outs[0], outs[1])
        return None

    def mismatch(self, a, b):
        lines = self.report_head("replies or keys after")
        da, db = dict(a), dict(b)
        for label in sorted(set(da) | set(db), key=str):
            x, y = da.get(label, b"<nothing>"), db.get(label, b"<nothing>")
            if x != y:
                name = label if isinstance(label, str) else label.decode()
                lines.append("  %s redis:   %s" % (name, compat.clip(x, 1500)))
                lines.append("  %s respite: %s" % (name, compat.clip(y, 1500)))
        return "\n".join(lines)


def main():
    passed, failed = compat.scenario_rounds(__doc__, "diff_multi", Side,
                                            Round)
    print("RESULT %d %d" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
