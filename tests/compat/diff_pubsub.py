#!/usr/bin/python3
"""diff_pubsub.py - random pub/sub scenarios with several connections, on
redis-server and Respite, reply and message bytes compared.

differential.py subscribes one connection to keyspace notifications;
diff_blocking.py has clients woken by others. Here each round opens 2 to
5 "subscribers" and 1 or 2 "publishers" on each server ($REDIS_REF_BIN
and $RESPITE_BIN, started as differential.py does), all in the round's
protocol (RESP3 by HELLO 3), and plays the same seeded scenario on both,
step by step, in lockstep:

    subscriber  one to three commands in one write: SUBSCRIBE,
                PSUBSCRIBE and SSUBSCRIBE of one to three names
                (duplicates too, and rarely none: the arity error);
                UNSUBSCRIBE, PUNSUBSCRIBE and SUNSUBSCRIBE of names it has,
                names it has not, or none (all); PING with and without an
                argument; a command other than those (ECHO, GET, SET,
                PUBLISH, SPUBLISH, PUBSUB NUMSUB/NUMPAT, CLIENT GETNAME,
                an unknown one): refused in RESP2 subscribed mode, run in
                RESP3, where its reply and the pushes it causes (PUBLISH
                to a channel the connection listens on) share the stream;
                RESET (which also takes a RESP3 connection back to RESP2);
                QUIT (sometimes with a PING behind it, never run). Or the
                connection closes.
    publisher   PUBLISH or SPUBLISH (empty, binary, 3000-byte and
                RESP-looking payloads; channels nobody listens on too);
                PUBSUB CHANNELS [pattern], NUMSUB, NUMPAT, SHARDCHANNELS
                [pattern], SHARDNUMSUB, and rarely an arity error or an
                unknown subcommand; MULTI, 1-4 PUBLISH/SPUBLISH, EXEC;
                2-4 PUBLISH/SPUBLISH in one write;
                CLIENT KILL ID of a subscriber (by the id its own CLIENT
                ID gave on that server) or CLIENT KILL TYPE pubsub.

Channels, shard channels and patterns come from small pools, so
subscriptions overlap across connections and one message matches
several patterns of one connection (*, ?, [..], [^..], ranges, escapes,
an unterminated [, a trailing backslash, the empty pattern), and names
are empty or binary too.

After each step every subscriber is read without blocking, on both
servers, until both have received the same bytes and each has as many
message/pmessage/smessage frames as its PUBLISH/SPUBLISH replies (EXEC's
included) counted deliveries, or SETTLE has passed: that is the marker,
since each delivery is one frame to one of our subscribers, and it shows
a message that waits for its subscriber to send something. After a
subscriber's step, and at the end of the round, each live subscriber
also gets a PING with an argument of the test's own, and is read up to
its reply: the server runs one command at a time, so all the step sent
it is ahead (the PING's reply is part of the stream, and shows whether
the connection is in subscribed mode). The subscriber that took the
step goes first and alone, so a PUBLISH it sent has run before the
others' PINGs are sent, rather than racing them. A QUIT's, close's or kill's step
waits until the server has let the client go (CLIENT LIST ID), then reads
that connection to its end, so no later PUBLISH or PUBSUB count races
it; the slot reconnects when it is next drawn. Per connection, the bytes
of the step are compared in order, and so is every publisher's reply.

What Redis itself leaves open is designed out:

    patterns   a message that matches several patterns of one client is
               sent once per pattern in the order of the server's pattern
               table (a dict in Redis): within each run of consecutive
               pmessage frames of one channel and payload, the frames are
               compared sorted ("message" for the channel itself still
               comes first, in order)
    all        UNSUBSCRIBE and SUNSUBSCRIBE with no names drop the
               client's channels in dict order: within a run of
               consecutive (s)unsubscribe frames on a connection whose
               step sent one of them with no names, the names are sorted
               and the counts kept where they were (so counts still fall
               one by one). PUNSUBSCRIBE with no names is compared in
               order: 7.0 keeps a client's patterns in a list
    sets       PUBSUB CHANNELS and SHARDCHANNELS reply in dict order:
               their elements are compared sorted
    timing     a client that closes, QUITs or is killed is waited for
               (above) before the next step; client ids are never
               compared (CLIENT KILL ID uses each server's own)

A round stops at its first difference and prints its seed, protocol and
every step so far, with the bytes each server sent the connections that
differ; `--seed S --rounds 1 --resp N --steps K` replays it.

Usage: diff_pubsub.py [--seed S] [--rounds R] [--steps N]
                      [--resp 2|3|both] [--quiet]
Exit status 1 when any round mismatched. Prints "RESULT <passed> <failed>"
(a round is a test) last, as the other suites do.
"""

import os
import random
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness as h  # noqa: E402
import compat  # noqa: E402
from diff_blocking import (CLOSED, NOREPLY, REPLY_TIMEOUT,  # noqa: E402
                           Incomplete, Link, client_gone, fresh_admin,
                           until)

SETTLE = 1.0                # how long deliveries may take to agree

CHANNELS = [b"news", b"news.tech", b"news.art", b"hello", b"hallo",
            b"hllo", b"heello", b"h*llo", b"a\\b", b"a[b", b"x", b"x\\",
            b"", b"bin\x00\xff\r\n", b"s0"]
PATTERNS = [b"*", b"news.*", b"news.???", b"news.[at]*", b"h?llo",
            b"h*llo", b"h[ae]llo", b"h[^e]llo", b"h[a-c]llo", b"h\\*llo",
            b"a\\\\b", b"a[[]b", b"*o", b"?", b"a[", b"[", b"x\\", b"[a-]",
            b"", b"bin*", b"s?"]
SHARDS = [b"s0", b"s1", b"news", b"", b"bin\x00"]
MESSAGE_KINDS = (b"message", b"pmessage", b"smessage")


def kind_of(raw):
    """The first element of a pub/sub frame ([kind, ...] in RESP2, a push
    in RESP3), or None for anything else."""
    if raw[:1] not in (b"*", b">"):
        return None
    try:
        val = h.parse(raw)
    except Exception:
        return None
    if isinstance(val, list) and len(val) in (3, 4) and \
            isinstance(val[0], bytes):
        return val[0]
    return None


def without_count(raw):
    """An (un)subscribe frame split into (all but its count, count line)."""
    cut = raw.rindex(b"\r\n", 0, len(raw) - 2) + 2
    return raw[:cut], raw[cut:]


def canonical(frames, unordered):
    """The frames of one step on one connection, with what Redis leaves
    open put in order (see the docstring): pmessage runs of one channel
    and payload sorted; in runs of the kinds in unordered (b"unsubscribe",
    b"sunsubscribe"), names sorted with the counts left in place."""
    out, i = [], 0
    while i < len(frames):
        k = kind_of(frames[i])
        j = i + 1
        if k == b"pmessage":
            key = h.parse(frames[i])[2:]
            while j < len(frames) and kind_of(frames[j]) == k and \
                    h.parse(frames[j])[2:] == key:
                j += 1
            out += sorted(frames[i:j])
        elif k in unordered:
            while j < len(frames) and kind_of(frames[j]) == k:
                j += 1
            parts = [without_count(f) for f in frames[i:j]]
            names = sorted(p[0] for p in parts)
            out += [n + p[1] for n, p in zip(names, parts)]
        else:
            out.append(frames[i])
        i = j
    return out


class Side:
    """One server and the round's connections to it."""

    def __init__(self, server):
        self.server = server
        self.admin = None
        self.pubs, self.subs, self.ids = [], [], []

    def open(self, proto, nsubs, npubs):
        """New connections, once the last round's are gone."""
        self.close()
        self.proto = proto
        self.admin = fresh_admin(self.server.port)
        self.pubs = [Link(self.server.port, proto) for _ in range(npubs)]
        self.subs, self.ids = [None] * nsubs, [None] * nsubs

    def close(self):
        for c in [self.admin] + self.pubs + self.subs:
            if c is not None:
                c.close()
        self.admin, self.pubs, self.subs = None, [], []

    def sub(self, i):
        if self.subs[i] is None:
            c = Link(self.server.port, self.proto)
            self.ids[i] = c.call("CLIENT", "ID")[1:-2].decode()
            self.subs[i] = c
        return self.subs[i]

    def gone(self, i):
        return client_gone(self.admin, self.ids[i])

    def poll(self, got):
        for i, c in enumerate(self.subs):
            if c is not None and not c.eof:
                got.setdefault(i, []).extend(c.poll())

    def drain(self, i, got):
        """Reads subscriber i to the end of its stream (the server has
        closed it); the slot is free after."""
        c = self.subs[i]
        out = got.setdefault(i, [])
        c.wait = REPLY_TIMEOUT
        while not c.eof:
            try:
                out.append(c.read_raw())
            except Incomplete:
                out.append(b"<still open after %.0fs>" % REPLY_TIMEOUT)
                break
            except (ConnectionError, OSError):
                out.append(CLOSED)
                break
        c.close()
        self.subs[i] = None

    def sync(self, token, got, first=None):
        """PING token down every live subscriber, then reads each up to
        the reply. Subscriber first, if given, goes through that alone
        before the others are PINGed: what it just sent (a PUBLISH, say)
        has then run, so it cannot race the others' PINGs."""
        if first is not None and self.subs[first] is not None:
            self.sync_slots(token, got, [first])
        self.sync_slots(token, got, [i for i in range(len(self.subs))
                                     if i != first])

    def sync_slots(self, token, got, slots):
        live = [i for i in slots
                if self.subs[i] is not None and not self.subs[i].eof]
        for i in live:
            try:
                self.subs[i].send(h.encode("PING", token))
            except OSError:
                pass
        for i in live:
            c, out = self.subs[i], got.setdefault(i, [])
            while True:
                try:
                    raw = c.read_raw()
                except Incomplete:
                    out.append(NOREPLY)
                    break
                except (ConnectionError, OSError):
                    c.eof = True
                    out.append(CLOSED)
                    break
                out.append(raw)
                val = h.parse(raw)
                if val == token or (isinstance(val, list) and
                                    val[1:] == [token]):
                    break


class Round(compat.ScenarioRound):
    def __init__(self, ref, sut, proto, seed, steps):
        super().__init__(ref, sut, proto, seed, steps)
        self.tokens = 0
        self.syncs = 0

    # -- drawing ------------------------------------------------------------

    def tok(self):
        self.tokens += 1
        return b"m%d" % self.tokens

    def payload(self):
        r = random.random()
        if r < 0.1:
            return b""
        if r < 0.2:
            return b"\x00\r\n\xff" + self.tok()
        if r < 0.25:
            return b"L" * 3000 + self.tok()
        if r < 0.3:
            return b"*3\r\n$7\r\nmessage\r\n" + self.tok()
        return self.tok()

    def names(self, pool, have, lo=1, hi=3):
        """Some names of pool, mostly ones in have when there are any,
        sometimes one twice."""
        out = []
        for _ in range(random.randint(lo, hi)):
            out.append(random.choice(have if have and random.random() < 0.6
                                     else pool))
        if out and random.random() < 0.1:
            out.append(random.choice(out))
        return out

    def listened(self, field="ch", pool=CHANNELS, m=None):
        """A channel (or shard channel, field "sh") some subscriber (or m)
        listens on, or any."""
        have = [c for x in ([m] if m else self.model) if x for c in x[field]]
        if have and random.random() < 0.5:
            return random.choice(have)
        if random.random() < 0.08:
            return b"nobody." + self.tok()
        return random.choice(pool)

    def sub_commands(self, i):
        """One to three commands for subscriber i, and the kinds whose
        no-name unsubscribe they hold."""
        m = self.model[i]
        n = random.choices([1, 2, 3], [75, 20, 5])[0]
        cmds, unordered = [], set()
        for _ in range(n):
            kind = random.choices("SUPQHhiorx",
                                  [5, 3, 4, 2, 2, 1.5, 1.5, 3, 0.4, 0.3])[0]
            if kind == "S":
                args = [b"SUBSCRIBE"] + (self.names(CHANNELS, [])
                                         if random.random() > 0.03 else [])
                m["ch"] += [a for a in args[1:] if a not in m["ch"]]
            elif kind == "P":
                args = [b"PSUBSCRIBE"] + self.names(PATTERNS, [])
                m["pat"] += [a for a in args[1:] if a not in m["pat"]]
            elif kind == "H":
                args = [b"SSUBSCRIBE"] + self.names(SHARDS, [], 1, 2)
                m["sh"] += [a for a in args[1:] if a not in m["sh"]]
            elif kind in "UQh":
                name, pool, field = {
                    "U": (b"UNSUBSCRIBE", CHANNELS, "ch"),
                    "Q": (b"PUNSUBSCRIBE", PATTERNS, "pat"),
                    "h": (b"SUNSUBSCRIBE", SHARDS, "sh")}[kind]
                if random.random() < 0.3:
                    args = [name]
                    m[field] = []
                    if kind != "Q":
                        unordered.add(name[:-9].lower() + b"subscribe")
                else:
                    args = [name] + self.names(pool, m[field])
                    m[field] = [a for a in m[field] if a not in args[1:]]
            elif kind == "i":
                args = [b"PING"] + random.choice(
                    [[], [], [b"hi"], [b""], [b"bin\x00"]])
            elif kind == "o" and random.random() < 0.5:
                # Its own channels mostly: in RESP3 the pushes and the
                # reply share the stream.
                args = random.choice([
                    [b"PUBLISH", self.listened("ch", CHANNELS, m)],
                    [b"PUBLISH", self.listened("ch", CHANNELS, m)],
                    [b"SPUBLISH", self.listened("sh", SHARDS, m)]]) + [
                        self.payload()]
            elif kind == "o":
                args = random.choice([
                    [b"ECHO", b"hey"], [b"GET", b"k"], [b"SET", b"k", b"v"],
                    [b"PUBLISH", self.listened(), self.payload()],
                    [b"PUBLISH", self.listened(), self.payload()],
                    [b"SPUBLISH", random.choice(SHARDS), self.payload()],
                    [b"PUBSUB", b"NUMSUB", random.choice(CHANNELS)],
                    [b"PUBSUB", b"NUMPAT"], [b"CLIENT", b"GETNAME"],
                    [b"NOSUCHCOMMAND", b"x"]])
            elif kind == "r":
                args = [b"RESET"]
                m.update(ch=[], pat=[], sh=[])
            else:
                args = [b"QUIT"] + ([b"PING"] if random.random() < 0.3
                                    else [])
                cmds.append([b"QUIT"])
                if len(args) > 1:
                    cmds.append([b"PING"])
                break
            cmds.append(args)
        return cmds, unordered

    def pubsub_query(self):
        r = random.random
        pick = random.choice
        return pick([
            [b"PUBSUB", b"CHANNELS"],
            [b"PUBSUB", b"CHANNELS", pick(PATTERNS)],
            [b"PUBSUB", b"NUMSUB"] + self.names(CHANNELS, [], 0, 3),
            [b"PUBSUB", b"NUMPAT"],
            [b"PUBSUB", b"SHARDCHANNELS"],
            [b"PUBSUB", b"SHARDCHANNELS", pick([b"*", b"s?", b"n*", b""])],
            [b"PUBSUB", b"SHARDNUMSUB"] + self.names(SHARDS, [], 0, 3),
        ]) if r() > 0.05 else pick([
            [b"PUBSUB", b"CHANNELS", b"a", b"b"], [b"PUBSUB", b"NUMPAT", b"x"],
            [b"PUBSUB", b"NOSUCH"], [b"PUBSUB"]])

    def publish(self):
        if random.random() < 0.2:
            return [b"SPUBLISH", self.listened("sh", SHARDS), self.payload()]
        return [b"PUBLISH", self.listened(), self.payload()]

    # -- steps --------------------------------------------------------------

    def step_sub(self, i):
        """Subscriber i's commands, in one write on each side."""
        if self.model[i] is None:
            self.model[i] = dict(ch=[], pat=[], sh=[])
        if random.random() < 0.04:
            return self.step_close(i)
        cmds, unordered = self.sub_commands(i)
        self.log.append("s%d> %s" % (i, " + ".join(fmt(a) for a in cmds)))
        got = [{}, {}]
        for s in self.sides:
            s.sub(i).send(b"".join(h.encode(*a) for a in cmds))
        if [b"QUIT"] in cmds:
            self.model[i] = None
            for g, s in zip(got, self.sides):
                until(lambda: s.gone(i))
                s.drain(i, g)
        self.sync(got, first=i)
        return [[], []], got, {i: unordered}

    def step_close(self, i):
        self.log.append("close s%d" % i)
        self.model[i] = None
        got = [{}, {}]
        for s in self.sides:
            s.sub(i)            # a slot never opened opens first
            s.subs[i].close()
            s.subs[i] = None
            until(lambda: s.gone(i))
        return [[], []], got, {}

    def step_pub(self):
        p = random.randrange(len(self.sides[0].pubs))
        r = random.random()
        live = [i for i, m in enumerate(self.model) if m is not None]
        if live and r < 0.05:
            i = random.choice(live)
            self.log.append("p%d> CLIENT KILL ID <id of s%d>" % (p, i))
            self.model[i] = None
            return self.kill(p, [i], lambda s: [
                b"CLIENT", b"KILL", b"ID", s.ids[i]])
        if live and r < 0.06:
            self.log.append("p%d> CLIENT KILL TYPE pubsub" % p)
            return self.kill(p, live, lambda s: [
                b"CLIENT", b"KILL", b"TYPE", b"pubsub"])
        if r < 0.25:
            args = self.pubsub_query()
            outs = self.on_pub(p, [args])
            if args[1:2] in ([b"CHANNELS"], [b"SHARDCHANNELS"]):
                outs = [[(k, compat.sorted_elements(v)) for k, v in o]
                        for o in outs]
            return outs, [{}, {}], {}
        if r < 0.33:
            seq = [[b"MULTI"]] + [self.publish() for _ in range(
                random.randint(1, 4))] + [[b"EXEC"]]
            return self.on_pub(p, seq), [{}, {}], {}
        if r < 0.43:
            seq = [self.publish() for _ in range(random.randint(2, 4))]
            return self.on_pub(p, seq, True), [{}, {}], {}
        return self.on_pub(p, [self.publish()]), [{}, {}], {}

    def on_pub(self, p, seq, pipeline=False):
        """Runs the commands on publisher p of both sides, one at a time
        or in one write; [(label, reply)] each."""
        self.log.append("p%d> %s" % (p, (" + " if pipeline else " ; ").join(
            fmt(args) for args in seq)))
        outs = [[], []]
        for n, (o, s) in enumerate(zip(outs, self.sides)):
            c = s.pubs[p]
            if pipeline:
                c.send(b"".join(h.encode(*args) for args in seq))
            for args in seq:
                raw = one_reply(c) if pipeline else c.call(*args)
                o.append(("p%d" % p, raw))
                self.due[n] += deliveries(args, raw)
        return outs

    def kill(self, p, slots, args):
        """A publisher's CLIENT KILL; each subscriber of slots the server
        let go is read to its end."""
        outs, got = [], [{}, {}]
        for g, s in zip(got, self.sides):
            outs.append([("p%d" % p, s.pubs[p].call(*args(s)))])
            for i in slots:
                if s.subs[i] is not None and s.gone(i):
                    s.drain(i, g)
        for i in slots:             # what the reference let go is free
            if self.sides[0].subs[i] is None:
                self.model[i] = None
        return outs, got, {}

    def sync(self, got, first=None):
        self.syncs += 1
        token = b"sync-%d" % self.syncs
        for g, s in zip(got, self.sides):
            s.sync(token, g, first)

    def settle(self, outs, got):
        """Reads the subscribers on both sides until both got the same
        and each got as many messages as its publishes counted, for up to
        SETTLE seconds."""
        due = self.due
        deadline = time.monotonic() + SETTLE
        while True:
            for g, s in zip(got, self.sides):
                s.poll(g)
            same = [{i: canonical(fs, ()) for i, fs in g.items() if fs}
                    for g in got]
            if same[0] == same[1] and all(
                    sum(kind_of(f) in MESSAGE_KINDS
                        for fs in g.values() for f in fs) >= d
                    for g, d in zip(got, due)):
                return
            if time.monotonic() > deadline:
                return
            time.sleep(0.001)

    def run(self):
        random.seed(self.seed)
        nsubs = random.randint(2, 5)
        npubs = random.randint(1, 2)
        for s in self.sides:
            s.open(self.proto, nsubs, npubs)
        self.model = [None] * nsubs
        for n in range(self.steps):
            self.due = [0, 0]
            if n < nsubs or random.random() < 0.5:
                i = n if n < nsubs else random.randrange(nsubs)
                outs, got, unordered = self.step_sub(i)
            else:
                outs, got, unordered = self.step_pub()
            self.settle(outs, got)
            report = self.compare(outs, got, unordered)
            if report:
                return report
        got = [{}, {}]
        self.log.append("(end of round: PING every subscriber)")
        self.sync(got)
        return self.compare([[], []], got, {})

    def compare(self, outs, got, unordered):
        a, b = ([(k, (v, v)) for k, v in o] for o in outs)
        for i in sorted(set(got[0]) | set(got[1])):
            for lst, g in ((a, got[0]), (b, got[1])):
                raw = g.get(i, [])
                lst.append(("s%d" % i, (b"".join(canonical(
                    raw, unordered.get(i, ()))), b"".join(raw))))
        if [x[:1] + x[1][:1] for x in a] == [x[:1] + x[1][:1] for x in b]:
            return None
        return self.mismatch(a, b)

    def mismatch(self, a, b):
        lines = self.report_head("replies of")
        da, db = dict(a), dict(b)
        none = (b"<nothing>", b"<nothing>")
        for label in sorted(set(da) | set(db)):
            x, y = da.get(label, none), db.get(label, none)
            if x[0] != y[0]:
                lines.append("  %s redis:   %s" % (label, compat.clip(x[1],
                                                                      1500)))
                lines.append("  %s respite: %s" % (label, compat.clip(y[1],
                                                                      1500)))
                if x[0] != x[1] or y[0] != y[1]:
                    lines.append("  %s (compared, reordered) redis:   %s" % (
                        label, compat.clip(x[0], 1500)))
                    lines.append("  %s (compared, reordered) respite: %s" % (
                        label, compat.clip(y[0], 1500)))
        return "\n".join(lines)


def one_reply(c):
    """The next reply on Link c, or a <marker>."""
    try:
        return c.read_raw()
    except Incomplete:
        return NOREPLY
    except (ConnectionError, OSError):
        return CLOSED


def deliveries(args, raw):
    """The messages a publisher's command says it delivered: a PUBLISH's
    or SPUBLISH's count, or the sum of EXEC's integers (a MULTI holds
    only publishes)."""
    if args[0] in (b"PUBLISH", b"SPUBLISH") and raw[:1] == b":":
        return int(raw[1:-2])
    if args[0] == b"EXEC" and raw[:1] == b"*":
        try:
            return sum(v for v in h.parse(raw) if isinstance(v, int))
        except Exception:
            return 0
    return 0


def fmt(args):
    out = []
    for a in args:
        s = a.decode("latin-1")
        if a and all(33 <= c < 127 and c not in b"\"'\\" for c in a):
            out.append(s)
        else:
            out.append('"%s"' % "".join(
                ch if 32 <= ord(ch) < 127 and ch not in "\"\\" else
                "\\x%02x" % ord(ch) for ch in s))
    return " ".join(out)


def main():
    passed, failed = compat.scenario_rounds(__doc__, "diff_pubsub", Side,
                                            Round)
    print("RESULT %d %d" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
