"""diff_dump.py - the dump points of differential.py: DUMP and RESTORE of
the round's keys, across the two servers.

DUMP_SHARE of differential.py's rounds (drawn from a generator of their
own, "dump <seed>", which also draws everything a point sends, so a seed
sends the same other commands either way) stop at one to DUMP_POINTS
points between two commands. A point DUMPs a few of the round's keys,
one of each type present first, on both servers, on the round's
connection, and:

  - compares the payloads byte for byte where server/dump.c's header
    (and README's DUMP paragraph) says Respite writes Redis 7.0's bytes:
    strings, listpack hashes (type 16), sorted sets, intsets as narrow
    as their members need (Redis never narrows one after SREM), lists of
    one node (more nodes split where the list's history put them), and
    streams with their 8-byte times (PEL deliveries, consumers' seen
    times) compared within TTL_MARGIN_MS instead. Not a hash or set
    table (type 4, 2), whose order is each server's own, nor a listpack
    hash once a load may have made it from one (table_order);
  - RESTOREs each server's payload on both servers under new names
    (dd:<n>:a from the reference's, dd:<n>:b from Respite's), now and
    then under other encoding limits than the round's (a payload from a
    server set up otherwise), with TTL 0, a TTL or an ABSTTL (now and
    then in the past: nothing stored), IDLETIME n, then RESTORE again
    over it, without REPLACE (BUSYKEY) or
    with it; every reply compared, then OBJECT IDLETIME (within 2 s, up
    to 120 s: README, Respite keeps idle times up to 127 units of
    1024 ms; not for a string Redis shares), PTTL (within
    TTL_MARGIN_MS), TYPE and the type's reads (a stream's XINFO STREAM
    FULL, times by sign; OBJECT ENCODING of hashes, sorted sets and
    lists);
  - under allkeys-lfu (maxmemory stays 0; not once an out of memory
    round is over its limit), RESTOREs with FREQ n or IDLETIME n, then
    OBJECT FREQ (within 1, a minute of decay can tick between the two
    servers; above 31 Respite's 5-bit counter answers 31, README) and
    OBJECT IDLETIME (the error); back to noeviction after, so that no
    key of the round is looked up under LFU;
  - RESTOREs broken payloads: truncated, a bad checksum, another RDB
    version (sealed again), a byte of the body changed (sealed again),
    and broken arguments (TTL, IDLETIME, FREQ, both, an unknown option);
    replies compared, and what was stored read as above. The reference
    runs with sanitize-dump-payload yes: Respite always checks payloads
    whole, as Redis does then (README's DUMP and RESTORE), and where
    README says Respite refuses or mends a value Redis 7.0 keeps broken,
    that is checked to be the case (refused_apart, kept_apart);
  - now and then RESTORE ... REPLACE of a payload over a key of the
    round, which then goes on with what each server restored.

The new keys are deleted at the end of the point; the round then goes on.
A point adds about 30 ms; the points of a default run, about 2% of it.
"""

import random
import struct
import time

import payload

DUMP_SHARE = 0.25
DUMP_POINTS = 2
KEYS_A_POINT = 5            # at most, besides the one of each type
IDLE_EXACT_MAX = 120        # seconds: Respite's idle times end at ~130 s
LFU_MAX = 31                # Respite's LFU counter (README)


def rdb_len(p, pos):
    """(length, next position) of the RDB length at p[pos]; the length is
    None for a special encoding (then the low 6 bits are its kind)."""
    b = p[pos]
    kind = b >> 6
    if kind == 0:
        return b & 63, pos + 1
    if kind == 1:
        return ((b & 63) << 8) | p[pos + 1], pos + 2
    if b == 0x80:
        return struct.unpack(">I", p[pos + 1:pos + 5])[0], pos + 5
    if b == 0x81:
        return struct.unpack(">Q", p[pos + 1:pos + 9])[0], pos + 9
    if kind == 3:
        return None, pos + 1
    raise ValueError("bad length byte %d" % b)


def lzf_decompress(data, size):
    out = bytearray()
    i = 0
    while i < len(data):
        ctrl = data[i]
        i += 1
        if ctrl < 32:
            out += data[i:i + ctrl + 1]
            i += ctrl + 1
            continue
        n = ctrl >> 5
        ref = len(out) - ((ctrl & 0x1f) << 8) - 1
        if n == 7:
            n += data[i]
            i += 1
        ref -= data[i]
        i += 1
        for _ in range(n + 2):
            out.append(out[ref])
            ref += 1
    if len(out) != size:
        raise ValueError("lzf: %d bytes, not %d" % (len(out), size))
    return bytes(out)


def rdb_string(p, pos):
    """(bytes, next position) of the RDB string at p[pos]."""
    n, pos = rdb_len(p, pos)
    if n is not None:
        return p[pos:pos + n], pos + n
    enc = p[pos - 1] & 63
    if enc in (0, 1, 2):
        width = 1 << enc
        v = int.from_bytes(p[pos:pos + width], "little", signed=True)
        return str(v).encode(), pos + width
    if enc == 3:
        clen, pos = rdb_len(p, pos)
        size, pos = rdb_len(p, pos)
        return lzf_decompress(p[pos:pos + clen], size), pos + clen
    raise ValueError("bad string encoding %d" % enc)


def stream_times(p):
    """A type-19 payload (Redis 7.0's stream) with its 8-byte times (PEL
    delivery times, consumers' seen times) zeroed, and those times."""
    p = bytearray(p)
    times = []
    pos = 1
    nodes, pos = rdb_len(p, pos)
    for _ in range(nodes):
        _, pos = rdb_string(p, pos)
        _, pos = rdb_string(p, pos)
    for _ in range(8):   # length, last, first and max deleted ids, added
        _, pos = rdb_len(p, pos)
    groups, pos = rdb_len(p, pos)

    def take_time(at):
        times.append(struct.unpack("<q", p[at:at + 8])[0])
        p[at:at + 8] = bytes(8)
        return at + 8

    for _ in range(groups):
        _, pos = rdb_string(p, pos)
        for _ in range(3):                      # last id, entries read
            _, pos = rdb_len(p, pos)
        pel, pos = rdb_len(p, pos)
        for _ in range(pel):
            pos = take_time(pos + 16)
            _, pos = rdb_len(p, pos)
        consumers, pos = rdb_len(p, pos)
        for _ in range(consumers):
            _, pos = rdb_string(p, pos)
            pos = take_time(pos)
            owned, pos = rdb_len(p, pos)
            pos += 16 * owned
    return bytes(p[:pos]), times


def min_intset_width(members):
    width = 2
    for m in members:
        v = int(m)
        if not -2 ** 15 <= v < 2 ** 15:
            width = max(width, 4)
        if not -2 ** 31 <= v < 2 ** 31:
            width = 8
    return width


def reseal(body, version):
    """body (a payload without its trailer) with version and a CRC."""
    return payload.seal(body, version)


def body_of(pay):
    return pay[:-10]


def version_of(pay):
    return struct.unpack("<H", pay[-10:-8])[0] if len(pay) >= 10 else None


class DumpPlan:
    """Where a round stops for a dump point (before the commands numbered
    in `at`), and rng, which draws everything the points send."""

    def __init__(self, rng, at):
        self.rng, self.at = rng, at


class DumpPoints:
    """The dump points of a Differ (differential.py): d is that module, for
    its helpers."""

    def __init__(self, differ, d):
        self.differ, self.d = differ, d
        self.share = DUMP_SHARE
        self.plan = None
        self.names = 0
        self.restored_table = False     # see table_order
        self.fill = None    # list-max-listpack-size of other_limits

    def start(self, seed, n):
        """Draws the round's plan (or none)."""
        rng = random.Random("dump %d" % seed)
        self.plan = None
        self.names = 0
        self.restored_table = False
        if rng.random() < self.share and n >= 2:
            at = [rng.randrange(1, n)
                  for _ in range(rng.randint(1, DUMP_POINTS))]
            self.plan = DumpPlan(rng, sorted(at))

    def due(self, i):
        plan = self.plan
        if plan and plan.at and i >= plan.at[0]:
            plan.at.pop(0)
            return True
        return False

    # -- requests ----------------------------------------------------------

    def send(self, log, args):
        """args on the round's connection of both; the two raw replies
        (Respite's in 7.0's form), logged."""
        log.append(args)
        return self.differ.both(args)

    def same(self, log, args, fit=None):
        """send(), the difference (a, b) or None; fit(a, b) first."""
        a, b = self.send(log, args)
        if fit:
            a, b = fit(a, b)
        return (a, b) if a != b else None

    def read_key(self, side, name):
        """TYPE and content of a key on one side, as differential's dumps
        read it, and its OBJECT ENCODING for hashes, sorted sets and
        lists; and a set's OBJECT ENCODING apart
        (same_key compares it as differential's encoding_fit does)."""
        d = self.d
        call = (lambda *args: side.request(0, d.h.encode(*args)))
        t = call("TYPE", name)
        out = [t]
        t = t.strip(b"+\r\n")
        read = {b"string": ["GET", name], b"hash": ["HGETALL", name],
                b"list": ["LRANGE", name, "0", "-1"],
                b"set": ["SMEMBERS", name],
                b"zset": ["ZRANGE", name, "0", "-1", "WITHSCORES"],
                b"stream": ["XRANGE", name, "-", "+"]}.get(t)
        if not read:
            return out, None
        rep = call(*read)
        if t in (b"hash", b"set"):
            rep = d.compat.sorted_elements(d.pairwise(read, rep))
        out.append(rep)
        if t == b"stream":
            args = ["XINFO", "STREAM", name, "FULL"]
            info = d.xinfo_times(d.compat.as_7_0(args, call(*args)))
            out.append(info)
        if t in (b"hash", b"zset", b"list"):
            out.append(call("OBJECT", "ENCODING", name))
        enc = call("OBJECT", "ENCODING", name) if t == b"set" else None
        return out, enc

    def same_key(self, log, name):
        """The key's content on both (read_key), compared; the difference
        or None."""
        log.append(["<read>", name])
        (la, ea), (lb, eb) = (self.read_key(s, name)
                              for s in (self.differ.ref, self.differ.sut))
        if la != lb:
            return self.d.show((la, [])), self.d.show((lb, []))
        if ea != eb and not (ea in (b"$6\r\nintset\r\n",
                                    b"$9\r\nhashtable\r\n") and
                             eb in (b"$8\r\nlistpack\r\n",
                                    b"$9\r\nhashtable\r\n")):
            return ea, eb
        return None

    # -- the point -----------------------------------------------------------

    def point(self, log, limited):
        """One dump point (see the docstring). limited: an out of memory
        round is over its limit, so no policy is changed. Returns the
        first difference as (what, a, b), or None."""
        rng = self.plan.rng
        new = []
        try:
            return self.run(log, rng, limited, new)
        finally:
            if new:
                self.send(log, ["DEL"] + new)

    def run(self, log, rng, limited, new):
        # Respite has no such directive: it always checks (README).
        rep = self.differ.ref.request(0, self.d.h.encode(
            "CONFIG", "SET", "sanitize-dump-payload", "yes"))
        if rep != b"+OK\r\n":
            return ("CONFIG SET sanitize-dump-payload on redis", rep, b"")
        names = self.pick_keys(log, rng)
        payloads = []
        for name, kind in names:
            diff, pays = self.dump_key(log, name, kind)
            if diff:
                return diff
            if pays:
                payloads.append((name, kind, pays))
        other = rng.random() < 0.3
        try:
            if other:
                diff = self.other_limits(log, rng)
                if diff:
                    return diff
            for name, kind, pays in payloads:
                diff = self.restore_both(log, rng, name, kind, pays, new)
                if diff:
                    return diff
        finally:
            if other:
                self.round_limits(log)
        if payloads and not limited and rng.random() < 0.5:
            diff = self.lfu(log, rng, payloads, new)
            if diff:
                return diff
        for _ in range(rng.randint(1, 3)):
            diff = self.broken(log, rng, payloads, new)
            if diff:
                return diff
        if payloads and rng.random() < 0.3:
            return self.over_round_key(log, rng, payloads)
        return None

    def over_round_key(self, log, rng, payloads):
        """RESTORE ... REPLACE of a payload over a key of the round (its
        own, or another key's, of any type), so the commands after it and
        the dumps work on what each server restored. No IDLETIME: past
        120 s Respite's idle times differ (README), and the round's
        OBJECT IDLETIME compares them."""
        name, _, pays = rng.choice(payloads)
        target = rng.choice([name, rng.choice(self.d.KEYS)])
        args = ["RESTORE", target, rng.choice(["0", "100000"]),
                rng.choice(pays), "REPLACE"]
        self.restored_table |= args[3][:1] == b"\x04"
        diff = self.same(log, args)
        if diff:
            return ("RESTORE over a key of the round",) + diff
        diff = self.same_key(log, target)
        if diff:
            return ("key of the round restored",) + diff
        return self.dumped_again(log, target, self.kind_of(log, target))

    def kind_of(self, log, name):
        """TYPE of name on both (compared by same_key before), Redis's."""
        a, _ = self.send(log, ["TYPE", name])
        return a[1:-2].decode(errors="replace")

    def other_limits(self, log, rng):
        """Other compact encoding limits than the round's, on both, for the
        RESTOREs (a payload from a server set up otherwise): what each
        server makes of a payload that no longer fits, or now fits (seed
        9087 of a run with 40 broken payloads a point: Redis keeps a
        listpack whose elements pass *-max-listpack-value). The first
        difference in the replies, as (what, a, b), or None."""
        for name, default, small in rng.sample(self.d.LIMITS, 3):
            value = rng.choice(small + [default])
            if name == "list-max-listpack-size":
                self.fill = int(value)
            diff = self.same(log, ["CONFIG", "SET", name, value])
            if diff:
                return ("reply",) + diff
        return None

    def round_limits(self, log):
        """The round's limits back on both (Differ.limits)."""
        self.fill = None
        vals = self.differ.limit_values
        for i in range(0, len(vals), 2):
            self.send(log, ["CONFIG", "SET", vals[i][2:], vals[i + 1]])

    def pick_keys(self, log, rng):
        """One key of each type present (TYPE asked of both, compared by
        the dumps anyway), then a few more, missing ones included."""
        d = self.d
        kinds = {}
        for k in d.KEYS:
            a, _ = self.send(log, ["TYPE", k])
            kinds[k] = a[1:-2].decode(errors="replace")
        by_type = {}
        for k in d.KEYS:
            by_type.setdefault(kinds[k], []).append(k)
        chosen = [rng.choice(ks) for t, ks in sorted(by_type.items())
                  if t != "none"]
        chosen += rng.sample(d.KEYS, rng.randint(1, KEYS_A_POINT))
        out = []
        for k in chosen:
            if k not in [o for o, _ in out]:
                out.append((k, kinds[k]))
        return out

    def dump_key(self, log, name, kind):
        """DUMP of name on both: ((what, a, b) or None, the two payloads or
        None when the key is missing)."""
        a, b = self.send(log, ["DUMP", name])
        if not (is_payload(a) and is_payload(b)):
            if a != b:
                return ("DUMP reply", a, b), None
            return None, None
        pa, pb = self.d.bulk(a), self.d.bulk(b)
        why = self.differ_payloads(log, name, kind, pa, pb)
        if why:
            return ("DUMP payload (%s)" % why, a, b), None
        return None, (pa, pb)

    def differ_payloads(self, log, name, kind, pa, pb, restored=False):
        """Why the two payloads of name differ where they must not, or
        None (see the docstring). restored: name was restored from one
        payload on both, so a listpack hash has that payload's order on
        both, whatever table_order says."""
        if pa == pb:
            return None
        if version_of(pb) not in (10,) or len(pb) < 11:
            return "Respite's trailer"
        ta = pa[:1]
        if ta != pb[:1] and kind not in ("set", "list", "hash"):
            return "type byte"
        if ta == b"\x00":
            return "string"
        if ta == b"\x10" and pb[:1] == b"\x10" and (
                restored or not self.table_order):
            return "listpack hash"
        if ta in (b"\x05", b"\x11"):
            return "sorted set"
        if ta == b"\x0b":          # intset: equal when Redis's is narrow
            try:
                blob, _ = rdb_string(pa, 1)
            except (ValueError, IndexError):
                return "reference's intset unreadable"
            width = struct.unpack("<I", blob[:4])[0]
            a, _ = self.differ.both(["SMEMBERS", name])
            log.append(["SMEMBERS", name])
            members = self.d.h.parse(a)
            if isinstance(members, list) and \
                    width == min_intset_width(members):
                return "narrow intset"
            return None
        if ta == b"\x12":          # quicklist: equal with one node
            try:
                nodes, pos = rdb_len(pa, 1)
                lp, _ = rdb_string(pa, rdb_len(pa, pos)[1])
            except (ValueError, IndexError):
                return "reference's quicklist unreadable"
            fits = self.fits_node(lp)
            return "list of one node" if nodes == 1 and fits else None
        if ta == b"\x13":
            try:
                ma, times_a = stream_times(body_of(pa))
                mb, times_b = stream_times(body_of(pb))
            except (ValueError, IndexError) as e:
                return "stream unreadable: %s" % e
            margin = self.d.TTL_MARGIN_MS
            if ma != mb or len(times_a) != len(times_b) or any(
                    abs(x - y) > margin for x, y in zip(times_a, times_b)):
                return "stream"
        return None

    @property
    def table_order(self):
        """Whether a listpack hash of the round may hold its fields in the
        order of a hash table, each server's own (README): a load (DEBUG
        RELOAD, once the round has saved a file) or a RESTORE of a table
        (type 4) over a key of the round makes a small hash a listpack in
        the order its table had (seed 9003 of a run with 40 broken
        payloads a point)."""
        plan = self.differ.reload
        return self.restored_table or (plan is not None and plan.saved)

    def fits_node(self, lp):
        """Whether the listpack lp fits a node under the round's
        list-max-listpack-size. Redis's SORT ... STORE makes its list with
        the default fill (-2) whatever the directive, and the list keeps
        it (seed 131 of --dump-share 1, a tight round): so one node in
        Redis may be two in Respite, which fills nodes as RPUSH does under
        the directive (README's DUMP and RESTORE: list nodes)."""
        vals = self.differ.limit_values
        fill = -2
        if self.fill is not None:           # other_limits' (seed 21025)
            fill = self.fill
        elif "--list-max-listpack-size" in vals:
            fill = int(vals[vals.index("--list-max-listpack-size") + 1])
        if fill > 0:
            return struct.unpack("<H", lp[4:6])[0] <= fill
        return len(lp) <= {-1: 4096, -2: 8192}.get(fill, 0)

    def new_name(self, new, side):
        name = "dd:%d:%s" % (self.names, side)
        new.append(name)
        return name

    def restore_both(self, log, rng, name, kind, pays, new):
        """Each payload restored on both servers under a new name, with
        the options drawn (restore_args), again over it, then the key
        compared (check_restored)."""
        for label, pay in zip("ab", pays):
            if label == "b" and pays[0] == pays[1]:
                continue
            target = self.new_name(new, label)
            args, idle = self.restore_args(rng, target, pay)
            diff = self.same(log, args)
            if diff:
                return ("RESTORE of %s's DUMP of %s" % (
                    "redis" if label == "a" else "respite", name),) + diff
            diff = self.check_restored(log, target, idle)
            if diff:
                return diff
            again = ["RESTORE", target, "0", pay] + rng.choice(
                [[], ["REPLACE"], ["REPLACE"], ["replace", "IDLETIME", "3"]])
            diff = self.same(log, again)
            if diff:
                return ("RESTORE again",) + diff
            # Idle 3 s or none: the reads above touched what stayed.
            diff = self.check_restored(log, target, 0) or \
                self.dumped_again(log, target, kind)
            if diff:
                return diff
        self.names += 1
        return None

    def dumped_again(self, log, target, kind):
        """DUMP of a restored key on both, compared as the round's keys'
        (differ_payloads): what each server made of one payload, dumped
        again."""
        a, b = self.send(log, ["DUMP", target])
        if not (is_payload(a) and is_payload(b)):
            return ("DUMP of a restored key", a, b) if a != b else None
        why = self.differ_payloads(log, target, kind, self.d.bulk(a),
                                   self.d.bulk(b), restored=True)
        return ("DUMP of a restored key (%s)" % why, a, b) if why else None

    def restore_args(self, rng, target, pay):
        """A RESTORE of pay to target with a TTL or none, maybe ABSTTL
        (now and then in the past) and IDLETIME; and the idle time to
        expect in seconds (None: not compared)."""
        now = int(time.time() * 1000)
        ttl = rng.choice([["0"], ["0"], ["100000"], [str(now + 100000),
                          "ABSTTL"], [str(now - 5000), "ABSTTL"]])
        args = ["RESTORE", target, ttl[0], pay] + ttl[1:]
        idle = 0
        if rng.random() < 0.5:
            n = rng.choice([0, 1, 10, 100, 1000, 100000])
            args += ["IDLETIME", str(n)]
            idle = n if n <= IDLE_EXACT_MAX else None
        if rng.random() < 0.2:
            args.append("REPLACE")
        return args, idle

    def check_restored(self, log, target, idle):
        """OBJECT IDLETIME (idle: the seconds expected, None: not
        compared), PTTL and the content of a restored key on both."""
        d = self.d
        a, b = self.send(log, ["OBJECT", "IDLETIME", target])
        a, b = d.near(a, b)
        if a != b and idle is not None:
            ra, _ = self.differ.both(["OBJECT", "REFCOUNT", target])
            log.append(["OBJECT", "REFCOUNT", target])
            if ra != b":2147483647\r\n":        # Redis's shared integer
                return ("OBJECT IDLETIME", a, b)
        a, b = self.send(log, ["PTTL", target])
        a, b = d.near(a, b, d.TTL_MARGIN_MS)
        if a != b:
            return ("PTTL", a, b)
        diff = self.same_key(log, target)
        return ("restored key",) + diff if diff else None

    def lfu(self, log, rng, payloads, new):
        """allkeys-lfu on both, RESTOREs with FREQ (or IDLETIME, which LFU
        ignores) of new keys, OBJECT FREQ and IDLETIME of them, then
        noeviction again. No key of the round is looked up meanwhile."""
        policy = ["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"]
        diff = self.same(log, policy)
        try:
            if diff:
                return ("reply",) + diff
            for _ in range(rng.randint(1, 3)):
                name, kind, pays = rng.choice(payloads)
                pay = rng.choice(pays)
                target = self.new_name(new, "f")
                self.names += 1
                n = rng.choice([0, 1, 5, 10, 31, 100, 255])
                opt = rng.choice([["FREQ", str(n)], ["FREQ", str(n)],
                                  ["IDLETIME", "10"], []])
                diff = self.same(log, ["RESTORE", target, "0", pay] + opt)
                if diff:
                    return ("RESTORE under LFU",) + diff
                diff = self.same(log, ["OBJECT", "FREQ", target],
                                 lambda a, b: freq_fit(a, b))
                if diff:
                    ra, _ = self.differ.both(["OBJECT", "REFCOUNT", target])
                    if ra != b":2147483647\r\n":
                        return ("OBJECT FREQ",) + diff
                diff = self.same(log, ["OBJECT", "IDLETIME", target])
                if diff:
                    return ("OBJECT IDLETIME under LFU",) + diff
                if opt[:1] == ["FREQ"] and n < 5 and rng.random() < 0.5:
                    # Below LFU_INIT_VAL a lookup adds one for sure:
                    # DUMP's (its payloads compared above), not TYPE's.
                    self.send(log, ["DUMP", target])
                    for args in (["TYPE", target],
                                 ["OBJECT", "FREQ", target]):
                        diff = self.same(log, args, freq_fit)
                        if diff:
                            return ("after a lookup under LFU",) + diff
            return None
        finally:
            self.send(log, ["CONFIG", "SET", "maxmemory-policy",
                            "noeviction"])

    def broken(self, log, rng, payloads, new):
        """A RESTORE of a broken payload, or with broken arguments; the
        reply compared, and what it stored."""
        pay = rng.choice(rng.choice(payloads)[2]) if payloads else \
            payload.seal(b"\x00\x01x")
        body, version = body_of(pay), version_of(pay)
        how = rng.choice(["truncated", "checksum", "version", "byte",
                          "byte", "byte", "arguments"])
        if how == "byte" and self.differ.subs and pay[:1] in (
                b"\x0c", b"\x11", b"\x13"):
            # A value only Redis keeps publishes "new" there alone (seed
            # 1090): no changed byte for those types in notification
            # rounds.
            how = "checksum"
        extra = []
        ttl = "0"
        if how == "truncated":
            pay = pay[:rng.randrange(len(pay))]
        elif how == "checksum":
            at = len(pay) - 1 - rng.randrange(8)
            pay = pay[:at] + bytes([pay[at] ^ (1 << rng.randrange(8))]) + \
                pay[at + 1:]
        elif how == "version":
            pay = reseal(body, rng.choice([0, 1, 9, 11, 12, 13, 255, 65535]))
        elif how == "byte":
            at = rng.randrange(len(body))
            b = rng.choice([body[at] ^ (1 << rng.randrange(8)),
                            rng.randrange(256), 0, 255])
            pay = reseal(body[:at] + bytes([b]) + body[at + 1:], version)
        else:
            ttl, extra = rng.choice([
                ("-1", []), ("abc", []), ("0", ["IDLETIME", "-1"]),
                ("0", ["IDLETIME", "x"]), ("0", ["FREQ", "256"]),
                ("0", ["FREQ", "-1"]), ("0", ["IDLETIME", "1", "FREQ", "1"]),
                ("0", ["FREQ", "1", "IDLETIME", "1"]), ("0", ["BOGUS"]),
                ("0", ["IDLETIME"]), ("0", ["ABSTTL", "ABSTTL", "REPLACE"])])
        target = self.new_name(new, "x")
        self.names += 1
        a, b = self.send(log, ["RESTORE", target, ttl, pay] + extra)
        if a != b:
            if how == "byte" and self.refused_apart(log, target, pay, a, b):
                return None
            return ("RESTORE of a payload %s" % how, a, b)
        diff = self.same_key(log, target)
        if diff and how == "byte" and self.kept_apart(log, target, pay):
            return None
        if diff:
            return ("key restored from a payload %s" % how,) + diff
        if how == "byte" and pay[:1] != b"\x00":
            # Redis keeps a blob as it came, in encodings it would not
            # have written (seed 24021 of a run with 40 broken payloads a
            # point); Respite's DUMP writes its value afresh (README).
            return None
        return self.dumped_again(log, target, self.kind_of(log, target))

    # README's DUMP and RESTORE: where Redis 7.0 keeps a value that breaks
    # its own type, Respite sorts a listpack sorted set whose scores are
    # out of order; refuses a listpack or ziplist sorted set with a NaN
    # score, and a stream whose IDs do not grow or pass its last ID, or
    # whose entries added fall short of its entries; and takes a stream's
    # length and first ID from its entries. Such values come from a
    # changed byte only, and are checked to be one of these.

    def refused_apart(self, log, target, pay, a, b):
        """Whether Redis stored what Respite refused (a, b: the replies),
        and what Redis stored is a sorted set with a NaN score or a stream
        whose IDs break the rules above."""
        if a != b"+OK\r\n" or not b.startswith(b"-ERR Bad data format"):
            return False
        # Sent to both, so both count the lookups; Respite's replies unread.
        call = (lambda *args: self.differ.both(args)[0])
        log.append(["<read on redis>", target])
        if pay[:1] in (b"\x0c", b"\x11"):
            got = self.d.h.parse(call("ZRANGE", target, "0", "-1",
                                      "WITHSCORES"))
            flat = [x for pair in got for x in (
                pair if isinstance(pair, list) else [pair])]
            return any(str(x).lower().endswith("nan'") or
                       (isinstance(x, float) and x != x)
                       for x in flat[1::2])
        if pay[:1] != b"\x13":
            return False
        ids = [stream_id(e[0]) for e in self.d.h.parse(
            call("XRANGE", target, "-", "+"))]
        info = self.d.h.parse(call("XINFO", "STREAM", target))
        info = dict(info) if info and isinstance(info[0], tuple) else \
            dict(zip(info[::2], info[1::2]))
        last = stream_id(info[b"last-generated-id"])
        # From 0-0: an entry 0-0 does not grow either (seed 9040 of a
        # run with 40 broken payloads a point).
        return ids != sorted(set(ids)) or (ids and ids[0] == (0, 0)) or \
            (ids and ids[-1] > last) or info[b"entries-added"] < len(ids)

    def kept_apart(self, log, target, pay):
        """Whether both stored target but apart only as the rules above
        say: a sorted set's elements the same, in order (by score, then
        member: ties out of order too, seed 2080) on Respite only; a
        stream's entries the same, its length and first ID not."""
        sides = (self.differ.ref, self.differ.sut)
        if pay[:1] in (b"\x0c", b"\x11"):
            got = [self.d.h.parse(side.request(0, self.d.h.encode(
                "ZRANGE", target, "0", "-1", "WITHSCORES")))
                for side in sides]
            pairs = [[tuple(p) for p in g] if g and isinstance(g[0], list)
                     else list(zip(g[::2], g[1::2])) for g in got]
            order = [[(float(sc), m) for m, sc in p] for p in pairs]
            return sorted(pairs[0]) == sorted(pairs[1]) and \
                order[0] != sorted(order[0]) and order[1] == sorted(order[1])
        if pay[:1] != b"\x13":
            return False
        lines = []
        for side in sides:
            out, _ = self.read_key(side, target)
            # XINFO's lag counts from the length (seed 9013).
            for name in (b"length", b"recorded-first-entry-id", b"lag"):
                out = [blank_field(x, name) for x in out]
            lines.append(out)
        return lines[0] == lines[1]


def is_payload(raw):
    """Whether raw is a bulk string reply (not null)."""
    return raw[:1] == b"$" and raw[:3] != b"$-1"


def freq_fit(a, b):
    """OBJECT FREQ replies as equal within 1 (a minute of decay), Redis's
    above 31 as 31 (README: Respite's counter has 5 bits)."""
    try:
        if a[:1] == b[:1] == b":":
            x, y = int(a[1:-2]), int(b[1:-2])
            if abs(min(x, LFU_MAX) - y) <= 1:
                return a, a
    except ValueError:
        pass
    return a, b


def stream_id(raw):
    ms, _, seq = raw.partition(b"-")
    return int(ms), int(seq or 0)


def blank_field(raw, name):
    """An XINFO reply with the values after the field name blanked."""
    at = raw.find(b"\r\n" + name + b"\r\n")
    while at >= 0:
        start = at + len(name) + 4
        end = raw.find(b"\r\n", start)
        if raw[start:start + 1] == b"$":
            end = raw.find(b"\r\n", end + 2)
        raw = raw[:start] + b"?" + raw[end:]
        at = raw.find(b"\r\n" + name + b"\r\n", start)
    return raw
