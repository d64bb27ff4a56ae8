#!/usr/bin/python3
"""diff_info.py - random scenarios on redis-server and Respite, INFO's
sections, fields and counters compared after every step.

The other differential tests compare reply bytes; monitoring tools
(redis_exporter, Grafana dashboards, `redis-cli --stat`) read INFO. Each
round starts a fresh admin connection on each server ($REDIS_REF_BIN and
$RESPITE_BIN, as differential.py starts them), runs CONFIG RESETSTAT,
opens 1 to 3 client connections in the round's protocol and plays the
same seeded steps on both:

    cmd      a client runs a command on shared keys of every type in its
             database: writes and reads of strings, lists, sets, hashes,
             sorted sets, streams (explicit IDs), EXISTS/TYPE/DEL/UNLINK,
             EXPIRE 1000/PERSIST, FLUSHDB, SELECT 0-3, and errors of every
             kind: unknown command, wrong arity (dispatcher's and
             handler's), WRONGTYPE, syntax, not an integer
    multi    MULTI, queued commands (sometimes an unknown or wrong-arity
             one, so EXEC aborts), then EXEC or DISCARD
    sub      SUBSCRIBE / PSUBSCRIBE / SSUBSCRIBE / their UN- forms, a
             command a subscribed RESP2 client may not run, and PUBLISH /
             SPUBLISH from another client
    block    BLPOP / BZPOPMIN / XREAD BLOCK on a key of the client's own:
             with a 50 ms timeout (waited out) or none, then served by a
             push from another client, CLIENT UNBLOCK, CLIENT KILL or the
             waiter's close
    expire   keys set with PX 20-40 ms, 60 ms of sleep, then read (every
             key past its time is touched, so lazy and active expiry agree)
    auth     requirepass set, a new connection's NOAUTH, WRONGPASS, AUTH,
             then requirepass cleared
    conn     a client connects (HELLO 3 in RESP3 rounds, CLIENT ID), closes
             or is killed (CLIENT KILL ID, or an id that matches nobody);
             the step waits until the server has let it go
    reset    CONFIG RESETSTAT

Every reply of the clients is compared byte for byte (CLIENT ID's and
HELLO's aside; SMEMBERS's elements sorted, since Redis 7.0 keeps a set of
strings in a hash table of a seed drawn at each start, and a transaction
queues SCARD for it), then the admin sends INFO: mostly INFO everything,
sometimes INFO, INFO all, INFO default, or a list of sections
(`INFO stats keyspace`, upper case, repeated, unknown ones), and both
texts are compared:

    sections  the list of section titles, in order (Modules empty and
              Cluster's cluster_enabled:0 on both)
    fields    in every section both have: the field names common to both
              in the same order; a field Respite prints that Redis 7.0
              does not must be in RESPITE_ONLY; what Redis has and
              Respite lacks is collected and printed at the end

and these values (the rest is left out):

    field                              compared
    ---------------------------------  ------------------------------------
    connected_clients, maxclients,     exactly
      blocked_clients, tracking_clients,
      clients_in_timeout_table,
      cluster_connections, maxmemory,
      maxmemory_human, maxmemory_policy,
      total_system_memory
    total_connections_received,        exactly (both since the round's
      total_commands_processed,          RESETSTAT; the admin's own CLIENT
      rejected_connections,              LIST polling is taken off both)
      expired_keys, evicted_keys,
      keyspace_hits, keyspace_misses,
      pubsub_channels, pubsub_patterns,
      pubsubshard_channels,
      total_error_replies,
      unexpected_error_replies
    total_net_input_bytes              as a delta: what the test sent that
                                       server since the last INFO, this
                                       INFO request included (CLIENT KILL
                                       IDs differ in length between them)
    errorstat_<CODE>:count             exactly, every line
    latency_percentiles_usec_<cmd>     which commands are listed, exactly
                                       (client|list included: both poll
                                       it); each value's format: the same
                                       p<percentile>= labels, each number
                                       with 3 decimals; order left out
    cmdstat_<cmd>: calls,              exactly, every line (client|list
      rejected_calls, failed_calls       less the polling); their order is
                                       left out (Redis's is its command
                                       dict's hash order)
    db<N>: keys, expires               exactly
    rdb_changes_since_last_save        as a delta since the round's
                                       previous INFO: Redis's count of
                                       changes (elements pushed, fields
                                       set, keys flushed...)
    role, connected_slaves, loading,   exactly (constants while nothing
      aof_enabled, redis_mode,           persists or replicates)
      io_threads_active, the rdb_*
      and aof_* status fields,
      evicted_clients, total_forks,
      latest_fork_usec, the repl_*
      offsets, master_failover_state
    failed_calls of a blocking         Redis 7.0's less one a CLIENT
      command                          UNBLOCK [TIMEOUT] of it: 7.0 counts
                                       that as failed (updateStatsOnUnblock
                                       with had_errors 1), 7.2 and Respite
                                       do not, the reply being no error
    db<N>: avg_ttl                     left out: Redis's is a running
                                       estimate of its expiry sampling,
                                       Respite prints 0
    client_recent_max_input_buffer,    left out (buffer sizes, Respite
      client_recent_max_output_buffer    lacks them)
    total_net_output_bytes             left out: INFO's own replies differ
    usec, usec_per_call, memory, cpu,  left out: differ by nature
      uptime, ports, pids, run_id,
      versions, paths, os, hz, clocks,
      instantaneous_*, expired_stale_perc, expire_cycle_cpu_milliseconds

Prints "ok ..." or "FAIL ..." a round (a round is a test) with the step
log and the line that replays it, then the fields Redis prints that
Respite lacks, then RESULT <passed> <failed>.
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
import diff_blocking as dbk  # noqa: E402

STRINGS, LISTS, SETS = ["s0", "s1"], ["l0", "l1"], ["t0"]
HASHES, ZSETS, STREAMS = ["h0"], ["z0", "z1"], ["x0"]
ANY = ["k0", "k1"]          # any type: WRONGTYPE comes from these
CHANNELS, PATTERNS, SHARDS = ["ch0", "ch1"], ["ch*", "c?1"], ["sh0", "sh1"]
PASSWORD = "diff-info-pw"

# A latencystats value: "p50=1.003,p99=2.007,p99.9=4.015" (labels kept).
PERCENTILE = re.compile(r"p([0-9.]+)=\d+\.\d{3}$")
# Fields Respite prints and Redis 7.0 does not: README "Where Respite
# differs" (respite_version, used_memory_prefix_index) and the Redis 7.4
# fields that go with redis_version:7.4.0 (pubsub_clients,
# watching_clients, total_watched_keys; 7.2's total_blocking_keys,
# total_blocking_keys_on_nokey; 7.4's evicted_scripts).
RESPITE_ONLY = {"respite_version", "used_memory_prefix_index",
                "pubsub_clients", "watching_clients", "total_watched_keys",
                "total_blocking_keys", "total_blocking_keys_on_nokey",
                "evicted_scripts"}
EXACT = {
    "Server": {"redis_mode", "arch_bits", "io_threads_active"},
    "Clients": {"connected_clients", "maxclients", "blocked_clients",
                "tracking_clients", "cluster_connections",
                "clients_in_timeout_table"},
    "Memory": {"maxmemory", "maxmemory_human", "maxmemory_policy",
               "total_system_memory"},
    "Persistence": {"loading", "async_loading", "aof_enabled",
                    "rdb_bgsave_in_progress", "aof_rewrite_in_progress",
                    "rdb_last_bgsave_status", "rdb_last_bgsave_time_sec",
                    "rdb_current_bgsave_time_sec", "rdb_saves",
                    "aof_rewrite_scheduled", "aof_last_rewrite_time_sec",
                    "aof_current_rewrite_time_sec",
                    "aof_last_bgrewrite_status", "aof_rewrites",
                    "aof_last_write_status"},
    "Stats": {"total_connections_received", "total_commands_processed",
              "rejected_connections", "expired_keys", "evicted_keys",
              "keyspace_hits", "keyspace_misses", "pubsub_channels",
              "pubsub_patterns", "pubsubshard_channels",
              "total_error_replies", "unexpected_error_replies",
              "evicted_clients", "latest_fork_usec", "total_forks"},
    "Replication": {"role", "connected_slaves", "master_failover_state",
                    "master_repl_offset", "second_repl_offset",
                    "repl_backlog_active", "repl_backlog_first_byte_offset",
                    "repl_backlog_histlen"},
}
POLL = "client|list"        # the admin's polling command
MISSING = {}                # section -> fields Redis has, Respite lacks
INFO_ARGS = [["all"], [], ["default"], ["stats", "keyspace"],
             ["commandstats", "errorstats", "clients"], ["Server", "CPU"],
             ["KEYSPACE", "keyspace"], ["bogus"], ["stats", "nosuch"],
             ["replication", "persistence", "memory"], ["errorstats"],
             ["cluster"], ["Modules", "cpu"]]


class Link(dbk.Link):
    """diff_blocking's Link, counting the bytes it sends into its side."""

    def __init__(self, side, proto=2):
        self.side = side
        super().__init__(side.server.port, proto)

    def send(self, data):
        self.side.sent += len(data)
        super().send(data)


class Side:
    """One server: the admin, the round's client slots (None: closed) and
    what the test sent it."""

    def __init__(self, server):
        self.server = server
        self.admin = None
        self.slots, self.ids = [], []

    def open(self, proto, n):
        self.close()
        self.sent = 0
        dbk.fresh_admin(self.server.port).close()
        self.admin = Link(self)
        dbk.until(lambda: h.parse(self.admin.call("CLIENT", "LIST"))
                  .count(b"\n") <= 1)
        self.admin.call("CONFIG", "RESETSTAT")
        self.sent, self.polls, self.last_in = 0, 0, 0
        self.last_dirty = None
        self.proto = proto
        self.slots, self.ids = [None] * n, [None] * n
        return [self.connect(i) for i in range(n)]

    def close(self):
        for c in [self.admin] + self.slots:
            if c is not None:
                c.close()
        self.admin = None

    def connect(self, i):
        c = Link(self, self.proto)
        self.ids[i] = c.call("CLIENT", "ID")[1:-2].decode()
        self.slots[i] = c
        return b"connected"

    def poll_list(self, *args):
        self.polls += 1
        return h.parse(self.admin.call("CLIENT", "LIST", *args))

    def gone(self, cid):
        dbk.until(lambda: b"flags=" not in self.poll_list("ID", cid))

    def blocked(self, i):
        def done():
            c = self.slots[i]
            if c.pos < len(c.buf) or select.select([c.sock], [], [], 0)[0]:
                return True
            line = self.poll_list("ID", self.ids[i])
            return any(w.startswith(b"flags=") and b"b" in w
                       for w in line.split())
        dbk.until(done)

    def info(self, args):
        """INFO's text: [(section, [(field, value)...])...], and the
        bytes sent since the last INFO (this one's included)."""
        raw = h.parse(self.admin.call("INFO", *args))
        if isinstance(raw, h.RespError) or not isinstance(raw, bytes):
            return raw, self.sent
        sent = self.sent
        out = []
        for line in raw.decode().split("\r\n"):
            if line.startswith("# "):
                out.append((line[2:], []))
            elif line:
                k, _, v = line.partition(":")
                out[-1][1].append((k, v))
        return out, sent


def replies(c, n, subscribed):
    """n replies of c, the messages of its subscriptions dropped."""
    out = []
    while len(out) < n:
        try:
            raw = c.read_raw()
        except dbk.Incomplete:
            return out + [dbk.NOREPLY]
        except (ConnectionError, OSError):
            return out + [dbk.CLOSED]
        if raw[:1] in b"*>" and raw[3:9] in (
                b"$7\r\nme", b"$8\r\npm", b"$8\r\nsm"):
            continue
        out.append(raw)
    return out


def percentile_labels(value):
    """The labels of a latencystats value, or None if it is malformed."""
    if value == "":
        return []
    labels = []
    for part in value.split(","):
        m = PERCENTILE.match(part)
        if not m:
            return None
        labels.append(m.group(1))
    return labels


def latencystats(fa, fb):
    """Problems between two Latencystats sections: the commands listed,
    and each value's percentile labels and number format."""
    probs = []
    if set(fa) != set(fb):
        probs.append("Latencystats: redis only %s, respite only %s" % (
            sorted(set(fa) - set(fb)), sorted(set(fb) - set(fa))))
    for k in sorted(set(fa) & set(fb)):
        la, lb = percentile_labels(fa[k]), percentile_labels(fb[k])
        if la is None or la != lb:
            probs.append("Latencystats: %s redis %s, respite %s" % (
                k, fa[k], fb[k]))
    return probs


def field_dict(fields):
    return dict(fields)


def kv(value):
    """'calls=1,usec=2' -> {'calls': '1', 'usec': '2'}"""
    return dict(p.partition("=")[::2] for p in value.split(","))


class Round(compat.ScenarioRound):
    def __init__(self, ref, sut, proto, seed, steps):
        super().__init__(ref, sut, proto, seed, steps)
        self.ntok = self.nxid = 0
        self.unblocked = {}     # cmdstat_ line -> CLIENT UNBLOCK TIMEOUTs

    # ---- drawing ---------------------------------------------------------

    def tok(self):
        self.ntok += 1
        return "v%d" % self.ntok

    def xid(self):
        self.nxid += 1
        return "%d-1" % self.nxid

    def draw_command(self):
        r = random.random
        s, l, t = (random.choice(x) for x in (STRINGS + ANY, LISTS + ANY,
                                              SETS + ANY))
        hh, z, x = (random.choice(x) for x in (HASHES + ANY, ZSETS + ANY,
                                               STREAMS + ANY))
        k = random.choice(STRINGS + LISTS + SETS + HASHES + ZSETS +
                          STREAMS + ANY)
        pool = [
            ["SET", s, self.tok()], ["GET", s], ["INCR", s],
            ["APPEND", s, "x"], ["STRLEN", s], ["MGET", s, k, "nokey"],
            ["SET", s, "1", "EX", "1000"], ["GETDEL", s],
            ["LPUSH", l, self.tok(), self.tok()], ["RPOP", l],
            ["LRANGE", l, "0", "-1"], ["LLEN", l],
            ["SADD", t, self.tok()], ["SMEMBERS", t], ["SISMEMBER", t, "v1"],
            ["SCARD", t], ["HSET", hh, "f%d" % random.randint(0, 3),
                           self.tok()],
            ["HGET", hh, "f1"], ["HGETALL", hh], ["HDEL", hh, "f2"],
            ["ZADD", z, str(random.randint(0, 9)), self.tok()],
            ["ZRANGE", z, "0", "-1"], ["ZSCORE", z, "v3"],
            ["ZINCRBY", z, "2", "v1"], ["XADD", x, self.xid(), "f", "v"],
            ["XLEN", x], ["XRANGE", x, "-", "+"],
            ["EXISTS", k, "nokey"], ["TYPE", k], ["DEL", k], ["UNLINK", k],
            ["EXPIRE", k, "1000"], ["PERSIST", k], ["TTL", k],
            ["RENAME", k, random.choice(ANY)], ["DBSIZE"], ["PING"],
            ["ECHO", "hi"], ["SELECT", str(random.randint(0, 3))],
            ["FLUSHDB"] if r() < 0.3 else ["PING"],
            # counted per element, or once for two keys (the changes
            # count of INFO persistence)
            ["RPUSH", l, self.tok(), self.tok(), self.tok()],
            ["LPOP", l, "2"], ["LTRIM", l, "1", "-1"], ["LREM", l, "0", "v1"],
            ["LMOVE", l, random.choice(LISTS), "LEFT", "RIGHT"],
            ["SADD", t, self.tok(), self.tok()],
            ["SREM", t, "v1", "v2", "v3"],
            ["HSET", hh, "f1", self.tok(), "f2", self.tok()],
            ["HDEL", hh, "f1", "f2", "f3"],
            ["ZADD", z, "1", self.tok(), "2", self.tok()],
            ["ZPOPMIN", z, "2"], ["ZREMRANGEBYSCORE", z, "0", "5"],
            ["XDEL", x, "1-1", "2-1", "3-1"], ["XTRIM", x, "MAXLEN", "1"],
            ["XGROUP", "CREATE", x, "g", "0", "MKSTREAM"],
            ["XREADGROUP", "GROUP", "g", "c%d" % random.randint(0, 1),
             "COUNT", "2", "STREAMS", x, ">"],
            ["MOVE", k, "1"], ["SWAPDB", "0", str(random.randint(0, 1))],
            ["FLUSHALL"] if r() < 0.1 else ["PING"],
            # errors of every kind
            ["NOSUCHCMD", k], ["GET"], ["HSET", hh, "f"], ["SET", s, "v",
                                                         "XX", "NX"],
            ["EXPIRE", k, "soon"], ["ZADD", z, "NX", "XX", "1", "m"],
            ["SELECT", "99"], ["LPUSH", s, "x"], ["ZRANK"], ["XADD", x],
            ["CONFIG", "GET"], ["CLIENT", "NOSUCH"], ["SPOP", l, "-1"],
        ]
        return random.choice(pool)

    # ---- running on both -------------------------------------------------

    def each(self, fn):
        return [fn(s) for s in self.sides]

    def on_slot(self, i, requests, n=None):
        """Sends requests down slot i on both sides; their replies."""
        data = b"".join(h.encode(*a) for a in requests)
        sub = self.subs[i] > 0

        def go(s):
            s.slots[i].send(data)
            return replies(s.slots[i], n or len(requests), sub)
        return self.each(go)

    def step_cmd(self, i):
        args = self.draw_command()
        self.log.append("c%d: %s" % (i, dbk.fmt(args)))
        outs = self.on_slot(i, [args])
        if args[0] == "SELECT" and outs[0][0][:1] == b"+":
            self.db[i] = args[1]
        if args[0] == "SMEMBERS":
            outs = [[compat.sorted_elements(r) for r in o] for o in outs]
        return outs

    def step_multi(self, i):
        reqs = [["MULTI"]] + [self.draw_command()
                              for _ in range(random.randint(0, 3))]
        reqs = [a for a in reqs if a[0] != "SELECT"]
        # EXEC's array is compared whole, and a set's order is open.
        reqs = [["SCARD"] + a[1:] if a[0] == "SMEMBERS" else a
                for a in reqs]
        if random.random() < 0.3:
            reqs.insert(random.randint(1, len(reqs)),
                        random.choice([["NOSUCH"], ["GET"], ["WATCH", "k0"],
                                       ["MULTI"]]))
        reqs.append(["EXEC"] if random.random() < 0.8 else ["DISCARD"])
        self.log.append("c%d: %s" % (i, "; ".join(dbk.fmt(a) for a in reqs)))
        return self.on_slot(i, reqs)

    def step_sub(self, i):
        kind = random.randrange(3)
        names = (CHANNELS, PATTERNS, SHARDS)[kind]
        verb = ("SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE")[kind]
        if random.random() < 0.35:
            verb = ("UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE")[kind]
        # No arguments: every channel of the kind, in the order of the
        # server's dict (which differs), so only with one or none.
        args = random.sample(names, random.randint(
            0 if "UNS" in verb and len(self.subscriptions[i][kind]) < 2
            else 1, len(names)))
        if not args:
            n = max(1, len(self.subscriptions[i][kind]))
        else:
            n = len(args)
        req = [verb] + args
        reqs = [req]
        if self.subs[i] and random.random() < 0.3:
            reqs.append(random.choice([["GET", "s0"], ["PING"],
                                       ["SET", "s0", "x"]]))
        self.log.append("c%d: %s" % (i, "; ".join(dbk.fmt(a) for a in reqs)))
        if "UNS" in verb:
            self.subscriptions[i][kind] -= set(args) if args else \
                self.subscriptions[i][kind]
        else:
            self.subscriptions[i][kind] |= set(args)
        was = self.subs[i]
        self.subs[i] = sum(len(x) for x in self.subscriptions[i])
        self.subs[i] = max(self.subs[i], was)  # drop messages while reading
        outs = self.on_slot(i, reqs, n + len(reqs) - 1)
        self.subs[i] = sum(len(x) for x in self.subscriptions[i])
        return outs

    def step_publish(self, i):
        if random.random() < 0.5:
            args = ["PUBLISH", random.choice(CHANNELS + ["other"]),
                    self.tok()]
        else:
            args = ["SPUBLISH", random.choice(SHARDS), self.tok()]
        self.log.append("c%d: %s" % (i, dbk.fmt(args)))
        outs = self.on_slot(i, [args])
        time.sleep(0.002)
        for s in self.sides:          # drain the subscribers
            for j, c in enumerate(s.slots):
                if c is not None and self.subs[j] and not self.waiting[j]:
                    c.poll()
        return outs

    def step_block(self, i):
        kind = random.randrange(3)
        key = ("bl%d", "bz%d", "bx%d")[kind] % i
        short = random.random() < 0.4
        t = "0.05" if short else "0"
        args = (["BLPOP", key, t], ["BZPOPMIN", key, t],
                ["XREAD", "BLOCK", "50" if short else "0", "STREAMS", key,
                 "$"])[kind]
        self.log.append("c%d: %s" % (i, dbk.fmt(args)))
        if short:
            return self.on_slot(i, [args])
        for s in self.sides:
            s.slots[i].send(h.encode(*args))
            s.blocked(i)
        self.waiting[i] = (kind, key)
        return [[], []]

    def step_serve(self, i, w):
        kind, key = self.waiting[w]
        args = (["RPUSH", key, self.tok()], ["ZADD", key, "1", self.tok()],
                ["XADD", key, self.xid(), "f", "v"])[kind]
        self.log.append("c%d: %s (serves c%d)" % (i, dbk.fmt(args), w))
        outs = self.on_slot(i, [args])
        for s, o in zip(self.sides, outs):
            o += replies(s.slots[w], 1, False)
        self.waiting[w] = None
        return outs

    def step_unblock(self, w):
        how = random.choice([[], ["TIMEOUT"], ["ERROR"]])
        self.log.append("admin: CLIENT UNBLOCK <c%d> %s" % (w, " ".join(how)))
        outs = [[s.admin.call("CLIENT", "UNBLOCK", s.ids[w], *how)]
                + replies(s.slots[w], 1, False) for s in self.sides]
        if how == ["ERROR"]:
            name = "cmdstat_client|unblock"
            self.unblocked[name] = self.unblocked.get(name, 0) + 1
        else:
            name = "cmdstat_" + ("blpop", "bzpopmin", "xread")[
                self.waiting[w][0]]
            self.unblocked[name] = self.unblocked.get(name, 0) + 1
        self.waiting[w] = None
        return outs

    def step_close(self, i, kill):
        self.log.append(("admin: CLIENT KILL ID <c%d>" if kill
                         else "c%d closes") % i)
        outs = [[], []]
        for s, o in zip(self.sides, outs):
            if kill:
                o.append(s.admin.call("CLIENT", "KILL", "ID", s.ids[i]))
            else:
                s.slots[i].close()
            s.gone(s.ids[i])
            if s.slots[i] is not None:
                s.slots[i].close()
            s.slots[i] = None
        self.reset_slot(i)
        return outs

    def step_connect(self, i):
        self.log.append("c%d connects" % i)
        return [[s.connect(i)] for s in self.sides]

    def step_expire(self, i):
        keys = ["e%d" % random.randint(0, 9) for _ in range(random.randint(
            1, 3))]
        reqs = []
        for k in keys:
            if random.random() < 0.5:
                reqs.append(["SET", k, self.tok(), "PX",
                             str(random.randint(20, 40))])
            else:
                reqs += [["RPUSH", k, self.tok()],
                         ["PEXPIRE", k, str(random.randint(20, 40))]]
        self.log.append("c%d: %s; sleep 60 ms; read them" % (
            i, "; ".join(dbk.fmt(a) for a in reqs)))
        outs = self.on_slot(i, reqs)
        time.sleep(0.06)
        reads = [random.choice([["EXISTS", k], ["GET", k], ["TTL", k],
                                ["TYPE", k]]) for k in keys]
        more = self.on_slot(i, reads)
        return [a + b for a, b in zip(outs, more)]

    def step_auth(self):
        self.log.append("admin: CONFIG SET requirepass; a new connection: "
                        "GET, AUTH wrong, AUTH, GET, close; requirepass ''")
        outs = []
        two = random.random() < 0.5
        for s in self.sides:
            o = [s.admin.call("CONFIG", "SET", "requirepass", PASSWORD)]
            c = Link(s)
            reqs = [["GET", "s0"], ["AUTH", "wrong"], ["PING"]]
            if two:
                reqs += [["AUTH", "default", PASSWORD]]
            else:
                reqs += [["AUTH", PASSWORD]]
            reqs += [["GET", "s0"], ["CLIENT", "ID"]]
            c.send(b"".join(h.encode(*a) for a in reqs))
            got = replies(c, len(reqs), False)
            cid = got.pop()[1:-2].decode()
            o += got
            c.close()
            s.gone(cid)
            o.append(s.admin.call("CONFIG", "SET", "requirepass", ""))
            outs.append(o)
        return outs

    def step_kill_nobody(self):
        self.log.append("admin: CLIENT KILL ID 999999")
        return [[s.admin.call("CLIENT", "KILL", "ID", "999999")]
                for s in self.sides]

    def step_reset(self):
        self.log.append("admin: CONFIG RESETSTAT")
        outs = []
        for s in self.sides:
            outs.append([s.admin.call("CONFIG", "RESETSTAT")])
            s.sent = s.polls = s.last_in = 0
        self.unblocked = {}
        return outs

    def reset_slot(self, i):
        self.subs[i] = 0
        self.subscriptions[i] = [set(), set(), set()]
        self.waiting[i] = None
        self.db[i] = "0"

    # ---- INFO --------------------------------------------------------------

    def compare_info(self):
        if random.random() < 0.6:
            args = ["everything"]
        else:
            args = random.choice(INFO_ARGS)
        self.log.append("admin: INFO %s" % " ".join(args))
        (a, sa), (b, sb) = self.each(lambda s: s.info(args))
        if not isinstance(a, list) or not isinstance(b, list):
            return None if a == b else self.mismatch(
                [[b"%r" % a]], [[b"%r" % b]], "INFO replies at")
        probs = []
        ta = [t for t, _ in a]
        tb = [t for t, _ in b]
        if ta != tb:
            probs.append("sections: redis %s, respite %s" % (ta, tb))
        da, db = dict(a), dict(b)
        for title in [t for t in ta if t in db]:
            fa, fb = da[title], db[title]
            names_a, names_b = [k for k, _ in fa], [k for k, _ in fb]
            miss = [k for k in names_a if k not in names_b]
            per_cmd = ("Keyspace", "Commandstats", "Errorstats",
                       "Latencystats")
            if title not in per_cmd:
                MISSING.setdefault(title, set()).update(miss)
            extra = [k for k in names_b if k not in names_a
                     and k not in RESPITE_ONLY]
            if extra and title not in per_cmd:
                probs.append("%s: respite only %s" % (title, extra))
            common_a = [k for k in names_a if k in names_b]
            common_b = [k for k in names_b if k in names_a]
            # Commandstats, Latencystats: Redis lists them in its command
            # dict's hash order, which means nothing.
            if common_a != common_b and title not in ("Commandstats",
                                                      "Latencystats"):
                probs.append("%s: order redis %s, respite %s" % (
                    title, common_a, common_b))
            probs += self.values(title, dict(fa), dict(fb))
            if title == "Stats" and "total_net_input_bytes" in dict(fa):
                for name, f, sent, side in (("redis", fa, sa, self.sides[0]),
                                            ("respite", fb, sb,
                                             self.sides[1])):
                    got = int(dict(f)["total_net_input_bytes"])
                    if got - side.last_in != sent:
                        probs.append("%s: total_net_input_bytes grew by %d, "
                                     "the test sent %d" % (
                                         name, got - side.last_in, sent))
                    side.last_in, side.sent = got, 0
            if title == "Persistence":
                probs += self.dirty_growth(dict(fa), dict(fb))
        if probs:
            return "\n".join(self.report_head("INFO at") +
                             ["  " + p for p in probs])
        return None

    def dirty_growth(self, fa, fb):
        """rdb_changes_since_last_save as a delta since the round's last
        INFO: the servers run earlier rounds' setups of their own."""
        grew = []
        for f, side in ((fa, self.sides[0]), (fb, self.sides[1])):
            got = int(f["rdb_changes_since_last_save"])
            grew.append(None if side.last_dirty is None
                        else got - side.last_dirty)
            side.last_dirty = got
        if grew[0] != grew[1]:
            return ["Persistence: rdb_changes_since_last_save grew by %s on "
                    "redis, %s on respite" % tuple(grew)]
        return []

    def values(self, title, fa, fb):
        probs = []
        ref, sut = self.sides
        if title in EXACT:
            for k in sorted(EXACT[title]):
                va, vb = fa.get(k), fb.get(k)
                if k == "total_commands_processed" and va and vb:
                    va = str(int(va) - ref.polls)
                    vb = str(int(vb) - sut.polls)
                if va is not None and vb is not None and va != vb:
                    probs.append("%s: %s redis %s, respite %s" % (
                        title, k, va, vb))
        elif title == "Keyspace":
            ka = {k: {f: v for f, v in kv(x).items() if f != "avg_ttl"}
                  for k, x in fa.items()}
            kb = {k: {f: v for f, v in kv(x).items() if f != "avg_ttl"}
                  for k, x in fb.items()}
            if ka != kb:
                probs.append("Keyspace: redis %s, respite %s" % (ka, kb))
        elif title == "Latencystats":
            probs += latencystats(fa, fb)
        elif title == "Errorstats":
            if fa != fb:
                probs.append("Errorstats: redis %s, respite %s" % (fa, fb))
        elif title == "Commandstats":
            def calls(f, polls, unblocked):
                out = {}
                for k, x in f.items():
                    d = kv(x)
                    d = {n: int(d.get(n, -1)) for n in
                         ("calls", "rejected_calls", "failed_calls")}
                    d["failed_calls"] -= unblocked.get(k, 0)
                    if k == "cmdstat_" + POLL:
                        d["calls"] -= polls
                    if not any(d.values()):
                        continue        # all taken off: as if not listed
                    out[k] = d
                return out
            ca = calls(fa, ref.polls, self.unblocked)
            cb = calls(fb, sut.polls, {})
            for k in sorted(set(ca) | set(cb)):
                if ca.get(k) != cb.get(k):
                    probs.append("%s redis %s, respite %s" % (
                        k, ca.get(k), cb.get(k)))
        return probs

    def mismatch(self, a, b, what="replies of"):
        lines = self.report_head(what)
        lines.append("  redis:   " + compat.clip(b" | ".join(a), 1500))
        lines.append("  respite: " + compat.clip(b" | ".join(b), 1500))
        return "\n".join(lines)

    # ---- the round ---------------------------------------------------------

    def run(self):
        random.seed(self.seed)
        n = random.randint(1, 3)
        self.subs = [0] * n
        self.subscriptions = [[set(), set(), set()] for _ in range(n)]
        self.waiting, self.db = [None] * n, ["0"] * n
        self.each(lambda s: s.open(self.proto, n))
        self.log.append("CONFIG RESETSTAT; %d clients" % n)
        report = self.compare_info()
        if report:
            return report
        for _ in range(self.steps):
            ref = self.sides[0]
            open_ = [i for i in range(n) if ref.slots[i] is not None]
            closed = [i for i in range(n) if ref.slots[i] is None]
            free = [i for i in open_ if not self.waiting[i]]
            plain = [i for i in free if not self.subs[i]]
            waiting = [i for i in open_ if self.waiting[i]]
            r = random.random()
            if closed and r < 0.08:
                outs = self.step_connect(random.choice(closed))
            elif open_ and r < 0.13:
                outs = self.step_close(random.choice(open_),
                                       random.random() < 0.5)
            elif r < 0.15:
                outs = self.step_kill_nobody()
            elif r < 0.17:
                outs = self.step_reset()
            elif r < 0.19:
                outs = self.step_auth()
            elif waiting and free and r < 0.27:
                w = random.choice(waiting)
                if self.db[w] == "0" and any(self.db[i] == "0" and
                                             not self.subs[i] for i in free):
                    outs = self.step_serve(random.choice(
                        [i for i in free if self.db[i] == "0" and
                         not self.subs[i]]), w)
                else:
                    outs = self.step_unblock(w)
            elif waiting and r < 0.30:
                outs = self.step_unblock(random.choice(waiting))
            elif plain and r < 0.36:
                outs = self.step_block(random.choice(plain))
            elif free and r < 0.46:
                outs = self.step_sub(random.choice(free))
            elif plain and r < 0.52:
                outs = self.step_publish(random.choice(plain))
            elif plain and r < 0.56:
                outs = self.step_expire(random.choice(plain))
            elif plain and r < 0.66:
                outs = self.step_multi(random.choice(plain))
            elif plain:
                outs = self.step_cmd(random.choice(plain))
            else:
                continue
            if outs[0] != outs[1]:
                return self.mismatch(outs[0], outs[1])
            report = self.compare_info()
            if report:
                return report
        return None


def main():
    passed, failed = compat.scenario_rounds(__doc__, "diff_info", Side,
                                            Round)
    for title in sorted(MISSING):
        if MISSING[title]:
            print("Redis 7.0 prints, Respite lacks (%s): %s" % (
                title, " ".join(sorted(MISSING[title]))))
    print("RESULT %d %d" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
