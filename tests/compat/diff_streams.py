#!/usr/bin/python3
"""diff_streams.py - random streams under random node limits, on
redis-server and Respite, reply bytes compared.

Respite's stream blocks must end where Redis's nodes end, under whatever
stream-node-max-entries and stream-node-max-bytes say, or XTRIM "~", the
LIMIT of trimming, XINFO STREAM's radix-tree-keys and DUMP's payload all
differ. differential.py's streams hold a few entries at most; here each
round ($REDIS_REF_BIN and $RESPITE_BIN, started as differential.py does)
sets both limits to random values (0, the defaults, tiny and large ones),
then grows one stream to hundreds or thousands of entries and plays a
seeded sequence of steps on both servers, in the round's protocol:

    add      a pipeline of 1 to 60 XADDs with growing explicit IDs (the
             same ms or the next ones), 1 to 3 fields of 0 to 300 bytes,
             the same names as the node's master or others, values that
             are numbers now and then
    delete   XDEL of 1 to 5 IDs, live, deleted or never added
    trim     XTRIM MAXLEN or MINID, "~" or "=", with LIMIT or without (its
             default is 100 * stream-node-max-entries), and XADD with the
             same options
    read     XRANGE / XREVRANGE over random bounds, with COUNT or without;
             XLEN
    limits   CONFIG SET of either limit again, mid-stream
    reload   DEBUG RELOAD (the stream saved and loaded again), XINFO
    inspect  XINFO STREAM and DUMP

Every reply is compared byte for byte. A round stops at its first
difference and prints its seed, protocol and steps; `--seed S --rounds 1
--resp N --steps K` replays it.

Usage: diff_streams.py [--seed S] [--rounds R] [--steps N]
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
from diff_blocking import Link  # noqa: E402
from diff_pubsub import fmt  # noqa: E402

KEY = b"s"
ENTRIES = [b"0", b"1", b"2", b"3", b"10", b"100", b"127", b"128", b"129",
           b"200", b"1000"]
# Not below 64: redis-server 7.0.15 corrupts its heap when a long stream
# goes on under stream-node-max-bytes of about 30 or less (seen crashing
# in handleClientsWithPendingWrites; test_stream covers such limits).
BYTES = [b"0", b"64", b"200", b"1000", b"1681", b"4096", b"100000"]
NAMES = [b"a", b"b", b"name", b""]


class Side:
    """One server and the round's connection to it."""

    def __init__(self, server):
        self.server = server
        self.conn = None

    def open(self, proto):
        self.close()
        self.conn = Link(self.server.port, proto)
        self.conn.call("FLUSHALL")

    def close(self):
        if self.conn is not None:
            self.conn.close()
        self.conn = None

    def run(self, cmds):
        """cmds in one write; their raw replies, joined."""
        self.conn.send(b"".join(h.encode(*a) for a in cmds))
        return b"".join(self.conn.replies(len(cmds)))


class Round(compat.ScenarioRound):
    def __init__(self, ref, sut, proto, seed, steps):
        super().__init__(ref, sut, proto, seed, steps)
        self.ms, self.seq = 1, 0
        self.added = []

    # -- drawing ------------------------------------------------------------

    def next_id(self):
        if random.random() < 0.7:
            self.ms += random.choice([1, 1, 2, 50, 1000])
            self.seq = 0
        else:
            self.seq += random.choice([1, 1, 7])
        self.added.append((self.ms, self.seq))
        return b"%d-%d" % (self.ms, self.seq)

    def some_id(self):
        if self.added and random.random() < 0.8:
            ms, seq = random.choice(self.added)
        else:
            ms, seq = random.randint(0, self.ms + 2), random.randint(0, 3)
        return b"%d-%d" % (ms, seq)

    def value(self):
        r = random.random()
        if r < 0.25:
            return b"%d" % random.randint(-5000, 10 ** 12)
        n = random.choice([0, 1, 1, 3, 8, 30, 300])
        return b"v" * n

    def pairs(self):
        n = random.choice([1, 1, 1, 2, 3])
        names = NAMES[:n] if random.random() < 0.8 else \
            random.sample(NAMES, n)
        out = []
        for name in names:
            out += [name, self.value()]
        return out

    def trim_options(self):
        out = [random.choice([b"MAXLEN", b"MINID"])]
        approx = random.random() < 0.7
        if approx or random.random() < 0.5:
            out.append(b"~" if approx else b"=")
        if out[0] == b"MAXLEN":
            out.append(b"%d" % random.randint(0, max(1, len(self.added))))
        else:
            out.append(self.some_id())
        if approx and random.random() < 0.5:
            out += [b"LIMIT", b"%d" % random.choice(
                [0, 1, 5, 50, 100, 150, 500])]
        return out

    def bound(self):
        return random.choice([b"-", b"+", self.some_id(), self.some_id(),
                              b"%d" % random.randint(0, self.ms + 2)])

    def count(self):
        if random.random() < 0.4:
            return []
        return [b"COUNT", b"%d" % random.choice([0, 1, 3, 10, 129, 1000])]

    def step_cmds(self):
        r = random.random()
        if r < 0.40:
            return [[b"XADD", KEY, self.next_id()] + self.pairs()
                    for _ in range(random.randint(1, 60))]
        if r < 0.50:
            return [[b"XDEL", KEY] + [self.some_id()
                                      for _ in range(random.randint(1, 5))]]
        if r < 0.60:
            return [[b"XTRIM", KEY] + self.trim_options()]
        if r < 0.65:
            return [[b"XADD", KEY] + self.trim_options() + [self.next_id()]
                    + self.pairs()]
        if r < 0.82:
            cmd = random.choice([b"XRANGE", b"XREVRANGE"])
            return [[cmd, KEY, self.bound(), self.bound()] + self.count(),
                    [b"XLEN", KEY]]
        if r < 0.86:
            name = random.choice([b"stream-node-max-entries",
                                  b"stream-node-max-bytes"])
            pool = ENTRIES if name.endswith(b"entries") else BYTES
            return [[b"CONFIG", b"SET", name, random.choice(pool)]]
        if r < 0.88:
            return [[b"DEBUG", b"RELOAD"], [b"XINFO", b"STREAM", KEY]]
        return [[b"XINFO", b"STREAM", KEY], [b"DUMP", KEY]]

    # -- the round ------------------------------------------------------------

    def run(self):
        random.seed(self.seed)
        for s in self.sides:
            s.open(self.proto)
        setup = [[b"CONFIG", b"SET", b"stream-node-max-entries",
                  random.choice(ENTRIES)],
                 [b"CONFIG", b"SET", b"stream-node-max-bytes",
                  random.choice(BYTES)]]
        steps = [setup] + [self.step_cmds() for _ in range(self.steps)]
        for cmds in steps:
            self.log.append(" + ".join(fmt(a) for a in cmds[:3]) +
                            (" (+%d more)" % (len(cmds) - 3)
                             if len(cmds) > 3 else ""))
            outs = [s.run(cmds) for s in self.sides]
            if outs[0] != outs[1]:
                lines = self.report_head("replies of")
                lines.append("  redis:   %s" % compat.clip(outs[0], 1500))
                lines.append("  respite: %s" % compat.clip(outs[1], 1500))
                return "\n".join(lines)
        return None


def main():
    passed, failed = compat.scenario_rounds(__doc__, "diff_streams", Side,
                                            Round)
    print("RESULT %d %d" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
