#!/usr/bin/python3
"""diff_tracking.py - random client-side caching scenarios on several
connections, on redis-server and Respite, every byte compared.

Each round opens a writer W, two redirect targets (S: RESP2 subscribed to
__redis__:invalidate; S3: RESP3, not subscribed) and four trackers T0-T3,
each with CLIENT TRACKING ON and random options: RESP2 or RESP3 (the
round's protocol more often), REDIRECT to S, to S3 or none, default mode,
BCAST with 0-2 prefixes (overlapping ones too: the error is compared),
OPTIN or OPTOUT, NOLOOP. Then the same seeded steps run on both servers:

    tracker   a read (GET, MGET, EXISTS, STRLEN, TYPE, HGET, LRANGE...)
              of keys from a small pool; a write (the client's own
              invalidations, NOLOOP); CLIENT CACHING yes|no then a read;
              MULTI with reads and writes, EXEC; EVAL that reads and
              writes; SELECT 0|1 (one key space for all databases);
              CLIENT TRACKING ON again with other options (errors
              included); CLIENT TRACKINGINFO; a read under CLIENT REPLY
              OFF; HELLO 2|3 (HELLO's reply is compared by its type
              only: id and version differ); OFF or RESET, after which
              the tracker is closed and a fresh one takes its slot
    writer    writes of every kind (SET, DEL, MSET, APPEND, EXPIRE,
              PERSIST, RENAME, HSET, SADD, LPUSH, GETDEL, COPY...),
              rarely FLUSHDB, FLUSHALL or SWAPDB
    target    S or S3 disconnects (trackers redirecting to it get
              tracking-redir-broken in RESP3) and a new one takes its slot

After each step the acting connection, then every other, is sent a PING
and read up to its reply: the server runs commands in order, so every
reply and message the step caused is ahead of it (BCAST messages go out
before the server sleeps, after the acting connection's whole write).
Per connection the frames are compared in order. Client ids differ
between the servers: REDIRECT is sent with each server's own, and the id
in TRACKINGINFO replies and tracking-redir-broken pushes is replaced by
the connection's slot name before comparing.

Designed out, as Respite documents: a tracker that turned tracking off is
never turned on again (Redis would still invalidate keys it read before),
INFO's tracking_total_* (the same reason), TTLs that could run out
(expiry timing), and maxmemory. Timing, not behaviour: the order in which
one connection gets the nulls of a FLUSHDB/FLUSHALL for several trackers
redirecting to it. Redis tells them in its client list's order, which its
cron rotates now and then; Respite in the order they connected. Those
steps compare each connection's frames as a multiset.

Usage: diff_tracking.py [--seed S] [--rounds R] [--steps N]
                        [--resp 2|3|both] [--quiet]
Prints "RESULT <passed> <failed>" last (a round is a test).
"""

import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness as h  # noqa: E402
import compat  # noqa: E402
from diff_blocking import (REPLY_TIMEOUT, client_gone,  # noqa: E402
                           fresh_admin, until)

KEYS = ["a", "b", "u:1", "u:2", "ux", "v"]
PREFIXES = ["u", "u:", "v", "", "a", "b", "x"]
FENCES = (b"+PONG\r\n", b"*2\r\n$4\r\npong\r\n$0\r\n\r\n")
TRACKERS = ["T0", "T1", "T2", "T3"]


class Id:
    """An argument that is the id of connection slot `name` on each
    server."""

    def __init__(self, name):
        self.name = name


def key(rng):
    return rng.choice(KEYS)


def read_cmd(rng):
    k = key(rng)
    return rng.choice([
        ["GET", k], ["MGET", k, key(rng), k], ["EXISTS", k, key(rng)],
        ["STRLEN", k], ["GETRANGE", k, "0", "1"], ["TYPE", k],
        ["HGET", k, "f"], ["LRANGE", k, "0", "-1"], ["SISMEMBER", k, "m"],
        ["TTL", k]])


def write_cmd(rng):
    k, k2 = key(rng), key(rng)
    return rng.choice([
        ["SET", k, "v%d" % rng.randrange(9)], ["DEL", k, k2],
        ["MSET", k, "1", k2, "2"], ["APPEND", k, "x"],
        ["EXPIRE", k, "1000"], ["PERSIST", k], ["RENAME", k, k2],
        ["HSET", k, "f", "v"], ["SADD", k, "m"], ["LPUSH", k, "x"],
        ["GETDEL", k], ["COPY", k, k2, "REPLACE"], ["SETNX", k, "n"],
        ["INCR", k], ["UNLINK", k]])


def tracking_on(rng, proto):
    """CLIENT TRACKING ON with random options for a tracker of proto."""
    args = ["CLIENT", "TRACKING", "on"]
    r = rng.random()
    if r < (0.7 if proto == 2 else 0.2):
        args += ["REDIRECT", Id("S")]
    elif r < (0.85 if proto == 2 else 0.4):
        args += ["REDIRECT", Id("S3")]
    m = rng.random()
    if m < 0.2:
        args.append("BCAST")
        for p in rng.sample(PREFIXES, rng.randrange(3)):
            args += ["PREFIX", p]
    elif m < 0.35:
        args.append("OPTIN")
    elif m < 0.5:
        args.append("OPTOUT")
    if rng.random() < 0.3:
        args.append("NOLOOP")
    if rng.random() < 0.05:
        args.append(rng.choice(["OPTIN", "BCAST", "PREFIX"]))
    return args


class Side:
    """One server's connections, by slot name."""

    def __init__(self, server):
        self.port = server.port
        self.admin = None
        self.conns, self.ids, self.names = {}, {}, {}

    def open(self):
        self.admin = fresh_admin(self.port)
        self.conns, self.ids, self.names = {}, {}, {}

    def connect(self, slot, proto, subscribe=False):
        c = h.Conn(self.port, timeout=REPLY_TIMEOUT)
        cid = int(c.call("CLIENT", "ID")[1:-2])
        if proto == 3:
            c.call("HELLO", "3")
        if subscribe:
            c.call("SUBSCRIBE", "__redis__:invalidate")
        self.conns[slot], self.ids[slot] = c, cid
        self.names[cid] = slot

    def drop(self, slot):
        """Closes slot's connection and waits until the server let it go."""
        c = self.conns.pop(slot)
        cid = self.ids.pop(slot)
        c.close()
        until(lambda: client_gone(self.admin, cid))

    def send(self, slot, cmds):
        out = []
        for args in cmds:
            out.append(h.encode(*[str(self.ids.get(a.name, 0))
                                  if isinstance(a, Id) else a
                                  for a in args]))
        self.conns[slot].send(b"".join(out) + h.encode("PING"))

    def fence(self, slot):
        """The frames slot received up to its PING's reply, with client
        ids shown as slot names where they are ids."""
        c, frames = self.conns[slot], []
        while True:
            try:
                raw = c.read_raw()
            except Exception as e:
                frames.append(("ERROR", repr(e)))
                return frames
            if raw in FENCES:
                return frames
            frames.append(self.named(raw))

    def named(self, raw):
        if raw.startswith((b"%7\r\n$6\r\nserver", b"*14\r\n$6\r\nserver")):
            return raw[:2] + b" HELLO"      # its id and version differ
        if raw.startswith(b">2\r\n$21\r\ntracking-redir-broken\r\n:"):
            cid = int(raw.split(b":")[-1][:-2])
            return b"tracking-redir-broken " + self.slot_of(cid)
        if b"$5\r\nflags\r\n" in raw[:16] and b"$8\r\nredirect\r\n:" in raw:
            head, rest = raw.split(b"$8\r\nredirect\r\n:", 1)
            num, tail = rest.split(b"\r\n", 1)
            cid = int(num)
            if cid > 0:
                num = self.slot_of(cid)
            return head + b"$8\r\nredirect\r\n:" + num + b"\r\n" + tail
        return raw

    def slot_of(self, cid):
        return self.names.get(cid, ("?%d" % cid)).encode()

    def close(self):
        for c in self.conns.values():
            c.close()
        self.conns = {}
        if self.admin:
            self.admin.close()


class Round(compat.ScenarioRound):
    def __init__(self, ref, sut, proto, seed, steps):
        super().__init__(ref, sut, proto, seed, steps)
        self.rng = random.Random(seed)
        self.order = []             # live slots, fence order
        self.generation = {}        # slot -> times it was replaced

    def both(self, fn):
        for side in self.sides:
            fn(side)

    def add(self, slot, proto, subscribe=False):
        self.both(lambda s: s.connect(slot, proto, subscribe))
        if slot not in self.order:
            self.order.append(slot)

    def step(self, slot, cmds, what):
        """Runs cmds on slot, fences everybody; None or the report."""
        self.log.append("%s: %s" % (slot, what))
        self.both(lambda s: s.send(slot, cmds))
        flush = any(c[0] in ("FLUSHDB", "FLUSHALL") for c in cmds)
        for other in [slot] + [o for o in self.order if o != slot]:
            if other != slot:
                self.both(lambda s: s.send(other, []))
            got = [s.fence(other) for s in self.sides]
            if flush:
                got = [sorted(g, key=repr) for g in got]
            if got[0] != got[1]:
                return "\n".join(self.report_head("connection %s at" % other) + [
                    "  redis:   %s" % compat.clip(got[0], 2000),
                    "  respite: %s" % compat.clip(got[1], 2000)])
        return None

    def new_tracker(self, slot):
        proto = self.proto if self.rng.random() < 0.7 else 5 - self.proto
        self.add(slot, proto)
        cmd = tracking_on(self.rng, proto)
        return self.step(slot, [cmd], "proto %d, %s" % (proto, fmt(cmd)))

    def replace(self, slot, make):
        self.both(lambda s: s.drop(slot))
        self.log.append("%s: closed" % slot)
        return make()

    def tracker_step(self, t):
        rng = self.rng
        r = rng.random()
        if r < 0.3:
            cmds = [read_cmd(rng)]
        elif r < 0.45:
            cmds = [write_cmd(rng)]
        elif r < 0.55:
            cmds = [["CLIENT", "CACHING", rng.choice(["yes", "no"])],
                    read_cmd(rng)]
        elif r < 0.65:
            cmds = [["MULTI"]] + [rng.choice([read_cmd, write_cmd])(rng)
                                  for _ in range(rng.randrange(1, 4))] + \
                   [["EXEC"]]
            if rng.random() < 0.3:
                cmds.insert(1, ["CLIENT", "CACHING", "yes"])
        elif r < 0.72:
            k1, k2 = key(rng), key(rng)
            cmds = [["EVAL", "redis.call('get', KEYS[1]) "
                     "redis.call('set', KEYS[2], 'e') "
                     "return redis.call('get', KEYS[1])", "2", k1, k2]]
        elif r < 0.77:
            cmds = [["SELECT", rng.choice(["0", "1"])]]
        elif r < 0.85:
            cmds = [tracking_on(rng, 2)]
        elif r < 0.89:
            cmds = [["CLIENT", "TRACKINGINFO"]]
        elif r < 0.91:
            cmds = [["CLIENT", "REPLY", "OFF"], read_cmd(rng),
                    ["CLIENT", "REPLY", "ON"]]
        elif r < 0.93:
            cmds = [["HELLO", rng.choice(["2", "3"])]]
        else:
            cmd = rng.choice([["CLIENT", "TRACKING", "off"], ["RESET"]])
            report = self.step(t, [cmd], fmt(cmd))
            return report or self.replace(t, lambda: self.new_tracker(t))
        return self.step(t, cmds, " ; ".join(fmt(c) for c in cmds))

    def writer_step(self):
        rng = self.rng
        r = rng.random()
        if r < 0.04:
            cmds = [[rng.choice(["FLUSHDB", "FLUSHALL"])]]
        elif r < 0.06:
            cmds = [["SWAPDB", "0", "1"]]
        else:
            cmds = [write_cmd(rng) for _ in range(rng.randrange(1, 4))]
        return self.step("W", cmds, " ; ".join(fmt(c) for c in cmds))

    def target_step(self):
        slot = self.rng.choice(["S", "S3"])
        return self.replace(slot, lambda: self.add(
            slot, 2 if slot == "S" else 3, subscribe=slot == "S"))

    def run(self):
        self.both(lambda s: s.open())
        try:
            self.add("W", self.proto)
            self.add("S", 2, subscribe=True)
            self.add("S3", 3)
            for t in TRACKERS:
                report = self.new_tracker(t)
                if report:
                    return report
            for _ in range(self.steps):
                r = self.rng.random()
                if r < 0.65:
                    report = self.tracker_step(self.rng.choice(TRACKERS))
                elif r < 0.97:
                    report = self.writer_step()
                else:
                    report = self.target_step()
                if report:
                    return report
            return None
        finally:
            self.both(lambda s: s.close())


def fmt(args):
    return " ".join("<id %s>" % a.name if isinstance(a, Id) else
                    (a if a else '""') for a in args)


def main():
    passed, failed = compat.scenario_rounds(__doc__, "diff_tracking", Side,
                                            Round)
    print("RESULT %d %d" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
