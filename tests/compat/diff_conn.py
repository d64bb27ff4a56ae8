#!/usr/bin/python3
"""diff_conn.py - random connection and client-admin scenarios on several
connections, on redis-server and Respite, replies and CLIENT LIST compared.

compat.py's cases run CLIENT, HELLO, AUTH and RESET on one or two
connections in a fixed order; here each round opens 2 to 4 connections
("slots" c0..c3) and an admin connection on each server ($REDIS_REF_BIN
and $RESPITE_BIN, started as differential.py does), slots in the round's
protocol (RESP3 by HELLO 3, its reply compared), and plays the same
seeded scenario on both, one step at a time, in lockstep. A step is one
slot sending one command, or a few in one write:

    ident    CLIENT ID, CLIENT GETNAME, CLIENT INFO (and arity errors)
    names    CLIENT SETNAME of good names, "" (clears), names with a
             space, a newline or a non-ASCII byte; HELLO ... SETNAME
    hello    HELLO with no version, 2, 3, 4, 1, abc; AUTH with the right
             or a wrong password or an unknown user; SETNAME; an unknown
             option; options missing their values
    auth     AUTH <pw>, AUTH default <pw>, wrong passwords, unknown users,
             AUTH with too many arguments; with and without requirepass
             (the admin connection runs CONFIG SET requirepass <pw> and
             back to "", so later connections start unauthenticated and
             meet NOAUTH; an unauthenticated one stays so until it AUTHs)
    select   SELECT in and out of range, non-integers
    ping     PING, PING <msg>, ECHO, their arity errors (PING in RESP2
             subscribed mode replies [pong, msg])
    reply    CLIENT REPLY ON, OFF, SKIP (and a bad mode), alone or with
             PING, ECHO, CLIENT GETNAME, CLIENT INFO, SELECT, CLIENT REPLY
             ON behind it in the same write
    list     CLIENT LIST, with TYPE normal, pubsub, master, replica,
             slave or a bad type, with ID and the ids of slots (duplicates,
             ids of closed slots, 0, -1, non-integers), TYPE and ID mixed,
             a bad option
    kill     CLIENT KILL ip:port (a slot's address, the slot's own, one no
             one has) and the filter form: ID, ADDR, LADDR, TYPE, USER,
             SKIPME yes/no, an unknown filter, a filter missing its value
             (not 7.4's MAXAGE, which 7.0 refuses: test_v74.py)
    block    BLPOP of a key no one pushes, then CLIENT UNBLOCK of that
             slot by another ([TIMEOUT|ERROR], or of one not blocked, or
             a bad id or reason), or the blocked slot is killed or closed
    multi    MULTI, then CLIENT SETNAME/GETNAME/INFO, SELECT, PING, a
             narrow CLIENT KILL, CLIENT LIST ID, AUTH queued; EXEC,
             DISCARD; WATCH k then another slot's SET k (flag d)
    pubsub   SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE and their UNSUBSCRIBEs
             (CLIENT LIST's sub/psub/ssub and flag P, KILL TYPE pubsub, a
             RESP2 subscriber's refused commands); PUBLISH from a slot
    reset    RESET (name, db, protocol, MULTI, WATCH, subscriptions,
             CLIENT REPLY OFF, authentication)
    ending   QUIT (sometimes with a PING behind it), or the slot's socket
             closes; a closed slot reconnects when next drawn

After each step, on each server: a barrier (below), then every slot's
socket is read without blocking, and the admin connection's CLIENT LIST
is taken. A slot the server is closing (gone from the list, or flagged c)
is waited for until the server has let it go (client_gone) and read to
its end. Then compared, byte for byte: every slot's replies of the step
in order (the killer's count, the killed slot's end of stream, a blocked
slot's unblocking reply, pushes), the admin's CONFIG SET reply and
whether a kill ended it, and the CLIENT LIST after the step. CLIENT LIST
and CLIENT INFO (also inside EXEC's array) are compared field by field:
the names of the fields and their order exactly, and the values of all
but those that differ by nature: fd, age, idle, qbuf, qbuf-free,
argv-mem, multi-mem, rbs, rbp, obl, oll, omem, tot-mem. id and addr are
replaced by the slot they belong to (c2.1: slot 2's first connection;
admin.0), laddr by "L" when it is the server's own address. HELLO's
version and id and CLIENT ID's integer are replaced alike. Ids and
addresses in commands are each server's own for the same slot
(CLIENT KILL ID <id c1>).

The barrier: a step may reply nothing (CLIENT REPLY OFF or SKIP, a
blocked BLPOP) and may kill other slots, so no reply can say it is done.
Instead the admin connection reads INFO stats until the server's
total_net_input_bytes has taken in every byte this test sent it (the
server runs what it reads at once, in the same turn of its loop), then
sends a PING: its reply comes from a later turn, after every reply of the
step was written and every kill closed its socket. A kill that may hit
the admin connection too (no ID and no ADDR filter, TYPE normal or none)
is drawn only for a slot that answers (not told REPLY OFF or SKIP, not
in MULTI); its reply is the barrier there, and the admin reconnects.

What differs by nature or by design is left out:

    values   the fields above, HELLO's version (Respite says 7.4.0,
             README) and id, client ids and ports
    fields   Respite's CLIENT LIST and CLIENT INFO have watch= (Redis 7.4's
             count of the keys the client WATCHes) and end with lib-name=
             and lib-ver= (Redis 7.2's fields, set by CLIENT SETINFO, which
             7.0 lacks); they are dropped before comparing
    CLIENT   HELP (Respite lists only what it has), PAUSE, UNPAUSE,
             NO-EVICT, TRACKING, CACHING, GETREDIR, TRACKINGINFO (7.0 has
             them, Respite not: README) and SETINFO (7.2's) are never
             sent, nor NO-TOUCH and KILL ... MAXAGE (7.2's and 7.4's,
             which 7.0 refuses: test_v74.py); NO-TOUCHES is, an unknown
             subcommand on both
    users    one user, default (README: no ACL); AUTH of other users only
             fails
    timing   no step waits on a clock: BLPOP waits forever, CLIENT KILL
             MAXAGE is never sent; in a slot's own CLIENT
             LIST or INFO reply the admin connection's cmd is not compared
             (the slot's command may run before or during the barrier's
             INFO), in the CLIENT LIST after the step it is
    MULTI    CLIENT REPLY is never queued: run by EXEC, OFF leaves the
             array's header on the wire without its elements (on both
             servers), which no reader can follow; CLIENT ID is not
             queued either (EXEC's array would carry the bare id); nor is
             SSUBSCRIBE, which 7.0 refuses inside EXEC ("isn't allowed for
             a DENY BLOCKING client") and Respite runs, as SUBSCRIBE
    order    UNSUBSCRIBE and SUNSUBSCRIBE with no names drop channels in
             dict order: sent bare only while the slot has one or none
    QUIT     under CLIENT REPLY OFF, QUIT's +OK is muted and both servers
             then keep the connection, flagged c, until it closes: such a
             slot (like a blocked one) gets no more commands, only a close
             or another slot's kill

A round stops at its first difference and prints its seed, protocol and
every step so far, with what each server sent the slot (or the CLIENT
LIST) that differs; `--seed S --rounds 1 --resp N --steps K` replays it.

Usage: diff_conn.py [--seed S] [--rounds R] [--steps N]
                    [--resp 2|3|both] [--quiet]
Exit status 1 when any round mismatched. Prints "RESULT <passed> <failed>"
(a round is a test) last, as the other suites do.
"""

import os
import random
import re
import select
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness as h  # noqa: E402
import compat  # noqa: E402
from diff_blocking import (CLOSED, NOREPLY, REPLY_TIMEOUT,  # noqa: E402
                           Incomplete, Link, client_gone, fresh_admin,
                           until)
from diff_pubsub import fmt  # noqa: E402

PASSWORD = b"pw-7"
GOOD_NAMES = [b"n1", b"n2", b"conn-a", b"a=b", b"x" * 40, b"~!{}"]
BAD_NAMES = [b"bad name", b"new\nline", b"\xc3\xa9", b"tab\there", b" "]
CHANNELS = [b"ch1", b"ch2"]
# CLIENT LIST fields whose values differ by nature (sizes, times, fds)
VARYING = {b"fd", b"age", b"idle", b"qbuf", b"qbuf-free", b"argv-mem",
           b"multi-mem", b"rbs", b"rbp", b"obl", b"oll", b"omem",
           b"tot-mem"}
# Redis 7.2's lib-name, lib-ver and 7.4's watch, Respite's too
DROPPED = {b"lib-name", b"lib-ver", b"watch"}
CLIENT_TEXT = re.compile(rb"([$=])\d+\r\n((?:txt:)?)(id=[^\r]*)\r\n")
# HELLO's reply from its version to its id, wherever it is (EXEC too)
HELLO = re.compile(rb"(\$6\r\nserver\r\n\$5\r\nredis\r\n\$7\r\nversion"
                   rb"\r\n)\$\d+\r\n[^\r]*\r\n(\$5\r\nproto\r\n:\d\r\n"
                   rb"\$2\r\nid\r\n):(\d+)\r\n")
NET_IN = re.compile(rb"total_net_input_bytes:(\d+)")


class Slot:
    """A placeholder in a drawn command: each side puts its own value for
    the slot in (what: "id", "addr", or "laddr" for the server's address)."""

    def __init__(self, what, i=None):
        self.what, self.i = what, i

    def __repr__(self):
        return "<%s>" % self.what if self.i is None else \
            "<%s c%d>" % (self.what, self.i)


def show(args):
    """A command for the step log."""
    return " ".join(repr(a) if isinstance(a, Slot) else fmt([a])
                    for a in args)


class Side:
    """One server, the round's slots and admin connection, and what the
    barrier needs: every byte sent to the server, counted."""

    def __init__(self, server):
        self.server = server
        self.admin = None
        self.conns = []
        self.password = None
        self.laddr = b"127.0.0.1:%d" % server.port

    def counted(self, link):
        """link, its sends counted in self.sent."""
        plain = link.send

        def send(data):
            self.sent += len(data)
            plain(data)
        link.send = send
        return link

    def open(self, n):
        """New slots (not yet connected) and admin, once the last round's
        clients are gone; the byte count starts."""
        self.close()
        self.admin = self.counted(fresh_admin(self.server.port))
        self.sent = 0
        self.offset = self.net_in() - self.sent
        self.labels = {}            # id -> "c2.1" / "admin.0"
        self.addrs = {}             # addr -> label
        self.gens = [0] * n
        self.conns, self.ids, self.addr = [None] * n, [None] * n, [None] * n
        self.admin_gen = 0
        self.learn(self.admin, "admin.0")

    def close(self):
        if self.password is not None:
            self.unset_password()
        for c in [self.admin] + self.conns:
            if c is not None:
                c.close()
        self.admin, self.conns = None, []

    def unset_password(self):
        """requirepass back to "" (the next round's admin must not need
        AUTH), on a new connection when the admin is gone."""
        c = h.Conn(self.server.port, timeout=REPLY_TIMEOUT)
        try:
            c.call("AUTH", PASSWORD)
            c.call("CONFIG", "SET", "requirepass", "")
        finally:
            c.close()
        self.password = None

    def net_in(self):
        """The server's total_net_input_bytes, or None when the admin
        connection is gone."""
        rep = self.admin.call("INFO", "stats")
        if rep in (CLOSED, NOREPLY):
            return None
        m = NET_IN.search(rep)
        if not m:
            raise h.ServerError("INFO stats without total_net_input_bytes: "
                                "%r" % rep[:200])
        return int(m.group(1))

    def list_ids(self):
        """{id: (addr, flags)} of the admin's CLIENT LIST."""
        out = {}
        for line in h.parse(self.admin.call("CLIENT", "LIST")).split(b"\n"):
            f = dict(w.split(b"=", 1) for w in line.split(b" ") if b"=" in w)
            if b"id" in f:
                out[f[b"id"]] = (f.get(b"addr"), f.get(b"flags", b""))
        return out

    def learn(self, link, label):
        """Finds link's id (by its address, in CLIENT LIST) and labels
        it; returns the id."""
        addr = b"127.0.0.1:%d" % link.sock.getsockname()[1]
        found = []

        def seen():
            found[:] = [i for i, (a, _) in self.list_ids().items()
                        if a == addr]
            return found
        until(seen)
        cid = found[0] if found else b"?"
        self.labels[cid] = label
        self.addrs[addr] = label
        return cid, addr

    def connect(self, i, proto):
        """Opens slot i; in a RESP3 round sends HELLO 3 and returns its
        reply."""
        c = self.counted(Link(self.server.port))
        self.conns[i] = c
        self.ids[i], self.addr[i] = self.learn(
            c, "c%d.%d" % (i, self.gens[i]))
        self.gens[i] += 1
        if proto == 3:
            return [c.call("HELLO", "3")]
        return []

    def reopen_admin(self):
        """A new admin connection (the last was killed)."""
        self.admin.close()
        self.admin_gen += 1
        self.admin = self.counted(Link(self.server.port))
        if self.password is not None:
            self.admin.call("AUTH", PASSWORD)
        self.learn(self.admin, "admin.%d" % self.admin_gen)

    def admin_dead(self):
        """Whether the server closed the admin connection (read without
        waiting: only called once a kill it may have met has run)."""
        a = self.admin
        if not select.select([a.sock], [], [], 0)[0]:
            return False
        try:
            return a.sock.recv(1 << 16) == b""
        except OSError:
            return True

    def resolve(self, arg):
        if not isinstance(arg, Slot):
            return arg
        if arg.what == "laddr":
            return self.laddr
        if arg.what == "id":
            return self.ids[arg.i] or b"99999999"   # never connected
        return self.addr[arg.i] or b"127.0.0.1:1"

    def send(self, i, cmds):
        self.conns[i].send(b"".join(
            h.encode(*[self.resolve(a) for a in args]) for args in cmds))

    def barrier(self, out):
        """Returns once the server has read every byte sent to it and
        answered a PING after that (see the docstring). A kill of the
        admin connection, which no step drawn as narrow should do, is
        put in out, and the admin reconnects."""
        deadline = time.monotonic() + REPLY_TIMEOUT
        while True:
            v = self.net_in()
            if v is None:
                # The INFO went to a closed socket: never read.
                self.sent -= len(h.encode("INFO", "stats"))
                out.append(("admin", CLOSED))
                self.reopen_admin()
                continue
            if v - self.sent == self.offset:
                break
            if time.monotonic() > deadline:
                out.append(("barrier", b"<server did not read every byte "
                                       b"within %ds>" % REPLY_TIMEOUT))
                self.offset = v - self.sent
                break
            time.sleep(0.0005)
        self.admin.call("PING")

    def poll(self, i):
        return self.conns[i].poll()

    def drain(self, i):
        """Reads slot i to its end (the server has let it go)."""
        return self.conns[i].replies()

    def drop(self, i):
        """Slot i is closed: waits until the server has let it go."""
        cid = self.ids[i]
        self.conns[i].close()
        self.conns[i] = None
        until(lambda: client_gone(self.admin, cid))

    # -- normalising --------------------------------------------------------

    def label(self, cid):
        return self.labels.get(cid, "?")

    def client_line(self, line, in_reply=False):
        """One CLIENT LIST line with the values that differ by nature
        replaced (see the docstring). in_reply: the line is in a slot's
        reply, which may run while the admin connection is in the
        barrier, so the admin's cmd (info or client|list) is timing."""
        out = []
        admin = line.startswith(b"id=") and self.label(
            line.split(b" ")[0][3:]).startswith("admin")
        for word in line.split(b" "):
            k, eq, v = word.partition(b"=")
            if not eq or k in DROPPED:
                if eq:
                    continue
            elif k in VARYING:
                v = b"*"
            elif k == b"id":
                v = self.label(v).encode()
            elif k == b"addr":
                v = self.addrs.get(v, "?").encode()
            elif k == b"laddr" and v == self.laddr:
                v = b"L"
            elif k == b"cmd" and admin and in_reply:
                v = b"*"
            out.append(k + eq + v)
        return b" ".join(out)

    def client_text(self, m):
        lines = m.group(3).split(b"\n")
        return b"%s<client text>%s%s\r\n" % (
            m.group(1), m.group(2),
            b"\n".join(self.client_line(x, True) for x in lines))

    def norm(self, raw, cmd=None):
        """A reply with ids, addresses and sizes replaced; cmd is the
        command it answers when known."""
        if raw.startswith(b"<"):
            return raw
        if cmd is not None and [a.upper() if isinstance(a, bytes) else a
                                for a in cmd] == [b"CLIENT", b"ID"] \
                and raw[:1] == b":":
            return b":<%s>\r\n" % self.label(raw[1:-2]).encode()
        raw = CLIENT_TEXT.sub(self.client_text, raw)
        return HELLO.sub(lambda m: b"%s<version>\r\n%s<%s>\r\n" % (
            m.group(1), m.group(2), self.label(m.group(3)).encode()), raw)


class Round(compat.ScenarioRound):
    def __init__(self, ref, sut, proto, seed, steps):
        super().__init__(ref, sut, proto, seed, steps)
        self.tokens = 0

    # -- state the drawing looks at ----------------------------------------

    def reset_model(self, i):
        self.quiet[i] = self.skip[i] = self.unsure[i] = False

    def state(self, i):
        """Slot i's CLIENT LIST fields on the reference after the last
        step ({} when not connected): the drawing's view of it."""
        return self.view.get(i, {})

    def in_multi(self, i):
        return b"x" in self.state(i).get(b"flags", b"")

    def blocked(self, i):
        """Blocked, or told to close after a reply it never sends (QUIT
        under CLIENT REPLY OFF): the server reads nothing more from it."""
        flags = self.state(i).get(b"flags", b"")
        return b"b" in flags or b"c" in flags

    def subscribed2(self, i):
        st = self.state(i)
        return b"P" in st.get(b"flags", b"") and st.get(b"resp") == b"2"

    def answers(self, i):
        """Whether slot i's next command surely gets a reply."""
        return not (self.quiet[i] or self.skip[i] or self.unsure[i] or
                    self.blocked(i) or self.in_multi(i))

    # -- drawing ------------------------------------------------------------

    def tok(self):
        self.tokens += 1
        return b"t%d" % self.tokens

    def other(self, i):
        return random.choice([j for j in range(self.n) if j != i] or [i])

    def any_slot(self, i):
        return i if random.random() < 0.25 else self.other(i)

    def name(self):
        r = random.random()
        if r < 0.6:
            return random.choice(GOOD_NAMES)
        return b"" if r < 0.75 else random.choice(BAD_NAMES)

    def password(self):
        return random.choice([PASSWORD, PASSWORD, b"wrong", b""])

    def ident(self, queued=False):
        """CLIENT ID (not queued: EXEC's array would carry the id),
        GETNAME, INFO."""
        return random.choice(([] if queued else [
            [b"CLIENT", b"ID"], [b"CLIENT", b"ID"]]) + [
            [b"CLIENT", b"GETNAME"],
            [b"CLIENT", b"INFO"], [b"CLIENT", b"INFO"],
            [b"client", b"info"], [b"CLIENT", b"ID", b"x"],
            [b"CLIENT", b"GETNAME", b"x"], [b"CLIENT", b"INFO", b"x"]])

    def hello(self):
        pick = random.choice
        ver = pick([[], [b"2"], [b"3"], [b"3"], [b"2"], [b"4"], [b"1"],
                    [b"abc"], [b"-1"]])
        opts = []
        for _ in range(random.choice([0, 0, 1, 1, 2])):
            opts += pick([
                [b"AUTH", b"default", self.password()],
                [b"AUTH", b"nouser", PASSWORD],
                [b"SETNAME", self.name()], [b"SETNAME", self.name()],
                [b"setname", pick(GOOD_NAMES)]])
        if random.random() < 0.06:
            opts += pick([[b"FOO"], [b"AUTH", b"default"], [b"SETNAME"],
                          [b"AUTH"]])
        if not ver and opts:
            ver = [pick([b"2", b"3"])]  # options need a version first
        return [b"HELLO"] + ver + opts

    def auth(self):
        pick = random.choice
        return pick([[b"AUTH", self.password()],
                     [b"AUTH", b"default", self.password()],
                     [b"AUTH", b"default", PASSWORD],
                     [b"AUTH", b"nouser", PASSWORD],
                     [b"AUTH", b"a", b"b", b"c"], [b"AUTH"]])

    def select(self):
        return [b"SELECT", random.choice([b"0", b"1", b"2", b"15", b"0",
                                          b"16", b"-1", b"abc", b"1.5",
                                          b""])]

    def ping(self):
        return random.choice([[b"PING"], [b"PING", self.tok()],
                              [b"ECHO", self.tok()], [b"ECHO", b""],
                              [b"PING", b"a", b"b"], [b"ECHO"]])

    def ids(self, i):
        """Arguments of CLIENT LIST ID: slots' ids, duplicates, junk."""
        out = [Slot("id", self.any_slot(i))
               for _ in range(random.randint(1, 3))]
        r = random.random()
        if r < 0.1:
            out.append(random.choice([b"0", b"-1", b"99999999"]))
        elif r < 0.15:
            out.append(random.choice([b"abc", b"1.5", b""]))
        elif r < 0.25:
            out.append(out[0])
        random.shuffle(out)
        return out

    def client_list(self, i):
        pick = random.choice
        r = random.random()
        if r < 0.25:
            return [b"CLIENT", b"LIST"]
        if r < 0.5:
            return [b"CLIENT", b"LIST", pick([b"TYPE", b"type"]),
                    pick([b"normal", b"pubsub", b"PUBSUB", b"master",
                          b"replica", b"slave", b"bogus"])]
        if r < 0.85:
            return [b"CLIENT", b"LIST", b"ID"] + self.ids(i)
        return pick([[b"CLIENT", b"LIST", b"TYPE", b"normal", b"ID",
                      Slot("id", i)],
                     [b"CLIENT", b"LIST", b"ID", Slot("id", i), b"TYPE",
                      b"normal"],
                     [b"CLIENT", b"LIST", b"foo"],
                     [b"CLIENT", b"LIST", b"TYPE"],
                     [b"CLIENT", b"LIST", b"ID"]])

    def kill(self, i, narrow=False):
        """A CLIENT KILL; (args, broad) where broad means it may kill the
        admin connection."""
        pick = random.choice
        if random.random() < 0.25:
            who = pick([Slot("addr", self.any_slot(i)), b"127.0.0.1:1",
                        b"nonsense"])
            return [b"CLIENT", b"KILL", who], False
        filters = []
        r = random.random()
        if narrow or r < 0.45:
            filters.append([b"ID", Slot("id", self.any_slot(i))])
        elif r < 0.65:
            filters.append([b"ADDR", Slot("addr", self.any_slot(i))])
        for _ in range(random.choice([0, 0, 1, 1, 2])):
            filters.append(pick([
                [b"TYPE", pick([b"normal", b"pubsub", b"pubsub", b"master",
                                b"replica", b"bogus"])],
                [b"USER", pick([b"default", b"default", b"nobody"])],
                [b"SKIPME", pick([b"yes", b"no", b"no", b"maybe"])],
                [b"LADDR", pick([Slot("laddr"), b"127.0.0.1:1"])],
                [b"ID", pick([b"0", b"-2", b"abc", b"99999999"])],
                [b"ADDR", b"127.0.0.1:1"]]))
        if random.random() < 0.04:
            filters.append(pick([[b"FOO", b"100"], [b"FOO", b"bar"],
                                 [b"id"], [b"SKIPME"]]))
        random.shuffle(filters)
        args = [b"CLIENT", b"KILL"] + [a for f in filters for a in f]
        if len(args) == 2:
            args += [b"TYPE", b"normal"]
        keys = [f[0].upper() for f in filters]
        types = [f[1] for f in filters if f[0] == b"TYPE" and len(f) > 1]
        broad = b"ID" not in keys and b"ADDR" not in keys and \
            (not types or types[-1] == b"normal")
        if narrow and broad:
            return [b"CLIENT", b"KILL", b"ID", Slot("id", self.other(i))], \
                False
        return args, broad

    def queued(self, i):
        """A command for a slot inside MULTI (none that may kill the
        admin: its reply comes only at EXEC)."""
        pick = random.choice
        return pick([
            [b"CLIENT", b"SETNAME", self.name()], [b"CLIENT", b"GETNAME"],
            [b"CLIENT", b"INFO"], self.select(), [b"PING"],
            [b"ECHO", self.tok()], self.kill(i, narrow=True)[0],
            [b"CLIENT", b"LIST", b"ID", Slot("id", self.any_slot(i))],
            [b"AUTH", PASSWORD], [b"SET", b"k", self.tok()],
            [b"CLIENT", b"NO-TOUCHES", b"on"], [b"CLIENT", b"FOO"],
            [b"WATCH", b"k"], [b"MULTI"], [b"HELLO", b"3"]])

    def draw(self, i):
        """Slot i's commands of a step; (cmds, broad)."""
        pick = random.choice
        r = random.random()
        if self.in_multi(i):
            if r < 0.25:
                return [[b"EXEC"]], False
            if r < 0.32:
                return [[b"DISCARD"]], False
            if r < 0.75:
                return [self.queued(i)], False
            r = random.random()
            if 0.36 <= r < 0.44:
                r = 0.1             # no CLIENT REPLY queued (docstring)
        if r < 0.08:
            return [self.ident(self.in_multi(i))], False
        if r < 0.15:
            return [pick([[b"CLIENT", b"SETNAME", self.name()],
                          [b"CLIENT", b"SETNAME", self.name()],
                          [b"CLIENT", b"SETNAME", b"a", b"b"],
                          [b"CLIENT", b"GETNAME"]])], False
        if r < 0.24:
            return [self.hello()], False
        if r < 0.29:
            return [self.auth()], False
        if r < 0.32:
            return [self.select()], False
        if r < 0.36:
            return [self.ping()], False
        if r < 0.44:
            mode = pick([b"ON", b"OFF", b"OFF", b"SKIP", b"SKIP", b"on",
                         b"skip", b"FOO"])
            cmds = [[b"CLIENT", b"REPLY", mode]]
            for _ in range(pick([0, 0, 1, 2])):
                cmds.append(pick([[b"PING"], [b"ECHO", self.tok()],
                                  [b"CLIENT", b"GETNAME"],
                                  [b"CLIENT", b"INFO"], [b"SELECT", b"1"],
                                  [b"CLIENT", b"REPLY", b"ON"],
                                  [b"CLIENT", b"REPLY", b"SKIP"]]))
            return cmds, False
        if r < 0.54:
            return [self.client_list(i)], False
        if r < 0.66:
            args, broad = self.kill(i, narrow=not self.answers(i))
            return [args], broad
        if r < 0.69:
            return [[b"BLPOP", b"blk", b"0"]], False
        if r < 0.73:
            j = self.other(i)
            return [pick([
                [b"CLIENT", b"UNBLOCK", Slot("id", j)],
                [b"CLIENT", b"UNBLOCK", Slot("id", j), b"TIMEOUT"],
                [b"CLIENT", b"UNBLOCK", Slot("id", j), b"ERROR"],
                [b"CLIENT", b"UNBLOCK", Slot("id", j), b"error"],
                [b"CLIENT", b"UNBLOCK", Slot("id", j), b"FOO"],
                [b"CLIENT", b"UNBLOCK", b"abc"],
                [b"CLIENT", b"UNBLOCK", b"-1"]])], False
        if r < 0.78:
            return [pick([[b"MULTI"], [b"MULTI"], [b"WATCH", b"k"],
                          [b"SET", b"k", self.tok()], [b"EXEC"],
                          [b"DISCARD"]])], False
        if r < 0.85:
            ch = pick(CHANNELS)
            # UNSUBSCRIBE with no names goes in dict order: only with
            # one channel or none
            st = self.state(i)
            return [pick([[b"SUBSCRIBE", ch], [b"SUBSCRIBE", ch],
                          [b"PSUBSCRIBE", b"ch*"],
                          # 7.0 refuses SSUBSCRIBE inside EXEC (docstring)
                          [b"SUBSCRIBE" if self.in_multi(i) else
                           b"SSUBSCRIBE", ch],
                          [b"UNSUBSCRIBE"] + ([ch] if st.get(b"sub", b"0")
                                              > b"1" else []),
                          [b"UNSUBSCRIBE", ch], [b"PUNSUBSCRIBE"],
                          [b"SUNSUBSCRIBE"] + ([ch] if st.get(b"ssub", b"0")
                                               > b"1" else []),
                          [b"SUNSUBSCRIBE", ch],
                          [b"PUBLISH", ch, self.tok()]])], False
        if r < 0.90:
            return [[b"RESET"]], False
        if r < 0.92:
            return [[b"QUIT"]] + ([[b"PING"]] if random.random() < 0.3
                                  else []), False
        if r < 0.95:
            return [pick([[b"CLIENT"], [b"CLIENT", b"FOO"],
                          [b"CLIENT", b"NO-TOUCHES", b"on"],
                          [b"CLIENT", b"KILL"], [b"CLIENT", b"UNBLOCK"],
                          [b"CLIENT", b"REPLY"],
                          [b"CLIENT", b"SETNAME"]])], False
        return [self.ping()], False

    def update_model(self, i, cmds):
        """Slot i's CLIENT REPLY state after cmds ran (see answers())."""
        uncertain = self.in_multi(i) or self.subscribed2(i) or \
            self.sides[0].password is not None
        for args in cmds:
            word = [a.upper() for a in args[:3] if isinstance(a, bytes)]
            if word[:2] == [b"CLIENT", b"REPLY"]:
                if uncertain or len(word) != 3:
                    self.unsure[i] = True
                    continue
                if word[2] == b"ON":
                    self.quiet[i] = self.skip[i] = self.unsure[i] = False
                elif word[2] == b"OFF":
                    self.quiet[i], self.skip[i] = True, False
                elif word[2] == b"SKIP":
                    self.skip[i] = not self.quiet[i]
                else:
                    self.skip[i] = False
            elif word[:1] == [b"RESET"]:
                self.quiet[i] = self.skip[i] = False
            elif word[:1] == [b"EXEC"] and self.in_multi(i):
                self.unsure[i] = True   # a CLIENT REPLY may have run
            else:
                self.skip[i] = False

    # -- a step on both sides -----------------------------------------------

    def step(self):
        """Draws and plays one step; returns [(label, bytes)] per side."""
        outs = [[], []]
        r = random.random()
        if r < 0.02:
            pw = self.sides[0].password is None
            args = [b"CONFIG", b"SET", b"requirepass",
                    PASSWORD if pw else b""]
            self.log.append("admin> " + show(args))
            for s, o in zip(self.sides, outs):
                o.append(("admin", s.admin.call(*args)))
                s.password = PASSWORD if pw else None
            return self.settle(outs, None)
        live = [j for j in range(self.n) if not self.blocked(j)]
        if r < 0.04 or not live:
            opened = [j for j in range(self.n)
                      if self.sides[0].conns[j] is not None]
            if opened:
                i = random.choice(opened)
                self.log.append("close c%d" % i)
                for s in self.sides:
                    s.drop(i)
                return self.settle(outs, None)
        i = random.choice(live or range(self.n))
        label = "c%d" % i
        if self.sides[0].conns[i] is None:
            self.reset_model(i)
            self.view[i] = {b"flags": b"N", b"resp": b"2"}
            self.log.append("c%d connects%s" % (
                i, " and sends HELLO 3" if self.proto == 3 else ""))
            for s, o in zip(self.sides, outs):
                o += [(label + " HELLO",
                       s.norm(rep)) for rep in s.connect(i, self.proto)]
        cmds, broad = self.draw(i)
        if broad and not self.answers(i):
            cmds, broad = [self.kill(i, narrow=True)[0]], False
        self.log.append("c%d> %s%s" % (i, " + ".join(show(a) for a in cmds),
                                       "   (may kill admin)" if broad
                                       else ""))
        first = [[], []]
        for s, f in zip(self.sides, first):
            s.send(i, cmds)
            if broad:
                # Its reply is the barrier: the admin may be gone.
                try:
                    f.append(s.conns[i].read_raw())
                except Incomplete:
                    pass
                except (ConnectionError, OSError):
                    f.append(CLOSED)
                    s.conns[i].eof = True
        for s, o in zip(self.sides, outs):
            if broad and s.admin_dead():
                o.append(("admin", CLOSED))
                s.reopen_admin()
        self.update_model(i, cmds)
        return self.settle(outs, (i, cmds, first))

    def settle(self, outs, sent):
        """The barrier on both sides, then every slot read, closing slots
        waited for, and the CLIENT LIST taken; appends them to outs."""
        for s, o in zip(self.sides, outs):
            s.barrier(o)
        self.view = {}
        for k, (s, o) in enumerate(zip(self.sides, outs)):
            got = {}
            for j in range(self.n):
                if s.conns[j] is not None:
                    got[j] = (sent[2][k] if sent and sent[0] == j else []) \
                        + s.poll(j)
            listed = s.list_ids()
            for j, reps in got.items():
                if reps[-1:] != [CLOSED]:
                    if s.ids[j] in listed:
                        continue    # flagged c, it may stay (docstring)
                    until(lambda: client_gone(s.admin, s.ids[j]))
                    reps += s.drain(j)
                c = s.conns[j]
                if c.pos < len(c.buf):
                    # A reply cut short by the close (EXEC that killed
                    # its own connection): its bytes are compared too.
                    reps.insert(len(reps) - 1, b"<cut short: %s>" %
                                s.norm(c.buf[c.pos:]))
                cid = s.ids[j]
                s.conns[j].close()
                s.conns[j] = None
                until(lambda: client_gone(s.admin, cid))
            for j, reps in sorted(got.items()):
                cmds = sent[1] if sent and sent[0] == j else []
                aligned = len(reps) == len(cmds) or (
                    len(reps) == len(cmds) + 1 and reps[-1] == CLOSED)
                norm = [s.norm(rep, cmds[n] if aligned and n < len(cmds)
                               else None) for n, rep in enumerate(reps)]
                if norm:
                    o.append(("c%d" % j, b" ".join(norm)))
            text = h.parse(s.admin.call("CLIENT", "LIST"))
            o.append(("CLIENT LIST after", b"\n".join(
                s.client_line(x) for x in text.split(b"\n"))))
            if k == 0:
                self.view = self.parse_view(s, text)
        return outs

    def parse_view(self, s, text):
        view = {}
        slot_of = {cid: j for j, cid in enumerate(s.ids)
                   if s.conns[j] is not None}
        for line in text.split(b"\n"):
            f = dict(w.split(b"=", 1) for w in line.split(b" ") if b"=" in w)
            if f.get(b"id") in slot_of:
                view[slot_of[f[b"id"]]] = f
        return view

    def run(self):
        random.seed(self.seed)
        self.n = random.randint(2, 4)
        self.quiet, self.skip, self.unsure = ([False] * self.n
                                              for _ in range(3))
        self.view = {}
        for s in self.sides:
            s.open(self.n)
        try:
            for _ in range(self.steps):
                outs = self.step()
                if outs[0] != outs[1]:
                    return self.mismatch(*outs)
            return None
        finally:
            for s in self.sides:
                if s.password is not None:
                    s.unset_password()

    def mismatch(self, a, b):
        lines = self.report_head("replies or CLIENT LIST of")
        da, db = dict(a), dict(b)
        for label in sorted(set(da) | set(db)):
            x, y = da.get(label, b"<nothing>"), db.get(label, b"<nothing>")
            if x != y:
                # CLIENT LIST texts are long: from a little before the
                # first byte that differs.
                k = next((n for n, (p, q) in enumerate(zip(x, y)) if p != q),
                         min(len(x), len(y)))
                cut = max(0, k - 300)
                head = "(%d bytes alike) " % cut if cut else ""
                for who, v in (("redis:  ", x), ("respite:", y)):
                    lines.append("  %s %s %s%s" % (label, who, head,
                                                   compat.clip(v[cut:], 1500)))
        return "\n".join(lines)


def main():
    passed, failed = compat.scenario_rounds(__doc__, "diff_conn", Side, Round)
    print("RESULT %d %d" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
