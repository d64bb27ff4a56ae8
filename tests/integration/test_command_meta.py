#!/usr/bin/python3
"""COMMAND's metadata against redis-server 7.0, command by command, for
every command both servers have: COMMAND DOCS's `since` and `group`,
COMMAND INFO's entries whole (arity, flags, first/last key and step, ACL
categories, tips, key specs, subcommand entries) in RESP2 and RESP3,
COMMAND LIST FILTERBY ACLCAT, and COMMAND GETKEYS / GETKEYSANDFLAGS.
redis-cli's hints, cluster-aware clients and proxies read these.
Passes against redis-server itself too.

The intended differences in COMMAND INFO, and only these, are left out
of the comparison (README, "What differs from Redis"):
  * a key spec's "notes" field: Redis's prose;
  * the order of a container's subcommand entries: Redis's follows its
    hash table's seed, which changes from run to run;
  * CLIENT SETINFO and NO-TOUCH (Redis 7.2's) among CLIENT's subcommands;
  * the arity of the commands Redis 7.2 gave an optional argument
    (ZRANK/ZREVRANK ... WITHSCORE: -3 where 7.0 says 3)."""

import os
import re
import sys

import redis

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, test  # noqa: E402

REF_BIN = os.environ.get("REDIS_REF_BIN", "/usr/bin/redis-server")
_ref = {}

# Flags Respite does not report (it has no loading state, no BUSY, no
# cluster key extraction, no MONITOR opt-out), or reports because its
# dispatcher acts on them.
IGNORED_FLAGS = {b"loading", b"stale", b"allow_busy", b"movablekeys",
                 b"no_mandatory_keys", b"skip_monitor",
                 b"pubsub", b"blocking"}

def reference():
    if "s" not in _ref:
        _ref["s"] = h.file_server(binary=REF_BIN, name="reference")
    return _ref["s"].client()


def info(r):
    """COMMAND INFO of every command, by name, as RESP2 arrays."""
    return {x[0]: x for x in r.execute_command("COMMAND INFO")}


def docs(r):
    """COMMAND DOCS of every command: name -> {field: value}."""
    raw = r.execute_command("COMMAND DOCS")
    return {raw[i]: dict(zip(raw[i + 1][::2], raw[i + 1][1::2]))
            for i in range(0, len(raw), 2)}


def common(ours, ref):
    names = sorted(set(ours) & set(ref))
    assert len(names) > 150, "too few commands in common: %d" % len(names)
    return names


@test
def docs_since_and_group_match():
    ours, ref = docs(h.flushed()), docs(reference())
    for name in common(ours, ref):
        for field in (b"since", b"group"):
            assert_eq((name, field, ours[name][field]),
                      (name, field, ref[name][field]))
    # A summary is a sentence, not a version (they were once swapped).
    summary = ours[b"get"][b"summary"]
    assert summary[:1].isupper() and b" " in summary, summary


# Arities Redis 7.2 changed from 7.0's, by command (see the docstring).
ARITY_7_2 = {b"zrank": -3, b"zrevrank": -3}


@test
def info_arity_and_key_positions_match():
    ours, ref = info(h.flushed()), info(reference())
    for name in common(ours, ref):
        arity = ref[name][1] if h.is_redis() else \
            ARITY_7_2.get(name, ref[name][1])
        assert_eq((name, ours[name][1], ours[name][3:6]),
                  (name, arity, ref[name][3:6]))


@test
def info_flags_match():
    ours, ref = info(h.flushed()), info(reference())
    for name in common(ours, ref):
        a = set(ours[name][2]) - IGNORED_FLAGS
        b = set(ref[name][2]) - IGNORED_FLAGS
        assert_eq((name, sorted(a)), (name, sorted(b)))


@test
def acl_categories_match():
    ours, ref = info(h.flushed()), info(reference())
    for name in common(ours, ref):
        assert_eq((name, sorted(ours[name][6])), (name, sorted(ref[name][6])))


@test
def acl_categories_keep_redis_order():
    order = [b"@" + c.encode() if isinstance(c, str) else b"@" + c
             for c in reference().execute_command("ACL CAT")]
    for name, entry in info(h.flushed()).items():
        cats = entry[6]
        assert_eq((name, cats), (name, sorted(cats, key=order.index)))


@test
def list_filterby_aclcat():
    r, ref = h.flushed(), reference()
    both = set(entries(r)) & set(entries(ref))     # subcommands included
    for cat in ("fast", "slow", "SortedSet", "keyspace", "dangerous",
                "connection", "blocking", "read", "admin", "pubsub"):
        q = "COMMAND LIST FILTERBY ACLCAT " + cat
        got = set(r.execute_command(q)) & both
        assert got, cat
        assert_eq((cat, sorted(got)),
                  (cat, sorted(set(ref.execute_command(q)) & both)))
    for cat in ("nosuch", "@fast"):
        assert_eq(r.execute_command("COMMAND LIST FILTERBY ACLCAT " + cat),
                  [])


@test
def list_names_subcommands():
    r, ref = h.flushed(), reference()
    ours = set(r.execute_command("COMMAND LIST"))
    theirs = set(ref.execute_command("COMMAND LIST"))
    subs = {n for n in ours if b"|" in n}
    assert {b"client|id", b"config|get", b"object|encoding"} <= subs, subs
    # CLIENT SETINFO and NO-TOUCH are Redis 7.2's; 7.0 lacks them.
    assert_eq(sorted(subs - theirs - SUBCOMMANDS_REDIS_LACKS), [])
    got = set(r.execute_command("COMMAND LIST FILTERBY PATTERN client*"))
    assert {b"client", b"client|id", b"client|list"} <= got, got
    assert_eq(sorted(n for n in got if not n.startswith(b"client")), [])
    assert_eq(r.execute_command("COMMAND LIST FILTERBY PATTERN *|help")
              .count(b"client|help"), 1)


README = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                      "..", "..", "README.md")


def readme_lacking():
    """The README's list of Redis 7.0 commands Respite lacks, lower case,
    "config rewrite" as "config|rewrite" (COMMAND LIST's spelling)."""
    text = open(README, encoding="utf-8").read()
    start = text.index("Redis 7.0 commands Respite does not have")
    para = text[start:text.index("\n\n", start)]
    listed = para.split("):", 1)[1].split("`.", 1)[0] + "`"
    names = re.findall(r"`([A-Z][A-Z0-9 -]*)`", listed)
    return {n.lower().replace(" ", "|").encode() for n in names}


@test
def readme_names_the_commands_redis_has_and_respite_lacks():
    if h.is_redis():
        return                          # the list is Respite's own
    ours = set(h.flushed().execute_command("COMMAND LIST"))
    theirs = set(reference().execute_command("COMMAND LIST"))
    lacking = readme_lacking()
    assert len(lacking) >= 7, lacking
    assert_eq(sorted(theirs - ours), sorted(lacking))
    r = h.flushed()
    for name in sorted(lacking):
        cmd = name.decode().split("|")
        try:
            r.execute_command(*cmd)
            raise AssertionError("%s answered" % name)
        except redis.ResponseError as e:
            text = str(e)
            want = "unknown subcommand" if len(cmd) > 1 else "unknown command"
            assert text.startswith(want), (name, text)


# ---- COMMAND INFO entries, whole ------------------------------------------

# The intended differences (see the docstring), by entry name.
SUBCOMMANDS_REDIS_LACKS = {b"client|setinfo", b"client|no-touch"}



def tagged(raw):
    """Parses one raw reply keeping each value's RESP type: (type, value),
    value a list of tagged items for aggregates (maps flattened)."""
    val, pos = _tagged(raw, 0)
    assert pos == len(raw), "trailing bytes"
    return val


def _tagged(raw, pos):
    end = raw.index(b"\r\n", pos)
    t, body = raw[pos:pos + 1], raw[pos + 1:end]
    pos = end + 2
    if t in b"$":
        n = int(body)
        if n < 0:
            return (t, None), pos
        return (t, raw[pos:pos + n]), pos + n + 2
    if t in b"*~%":
        n = int(body) * (2 if t == b"%" else 1)
        items = []
        for _ in range(max(n, 0)):
            v, pos = _tagged(raw, pos)
            items.append(v)
        return (t, items), pos
    return (t, body), pos


def without_notes(spec):
    """A key spec (tagged map) without its notes field."""
    t, kv = spec
    pairs = [kv[i:i + 2] for i in range(0, len(kv), 2)]
    return (t, [x for p in pairs if p[0][1] != b"notes" for x in p])


def normalized(entry, subs_kept):
    """A tagged COMMAND INFO entry with the intended differences taken out:
    notes dropped, Redis 7.2's arity, and only the subcommand entries
    named in subs_kept, sorted by name."""
    t, f = entry
    f = list(f)
    if f[0][1] in ARITY_7_2:
        f[1] = (f[1][0], b"%d" % ARITY_7_2[f[0][1]])
    f[8] = (f[8][0], [without_notes(s) for s in f[8][1]])
    subs = [normalized(s, ()) for s in f[9][1] if s[1][0][1] in subs_kept]
    f[9] = (f[9][0], sorted(subs, key=lambda s: s[1][0][1]))
    return (t, f)


def sub_names(entry):
    return {s[1][0][1] for s in entry[1][9][1]}


def raw_info(server, proto, names):
    with server.conn() as c:
        if proto == 3:
            c.call("HELLO", "3")
        return tagged(c.call("COMMAND", "INFO", *names))[1]


@test
def info_entries_match_whole():
    ours_srv, ref_srv = h.shared_server(), _ref_server()
    names = common(info(h.flushed()), info(reference()))
    for proto in (2, 3):
        ours = raw_info(ours_srv, proto, names)
        ref = raw_info(ref_srv, proto, names)
        for name, a, b in zip(names, ours, ref):
            # Subcommands Redis has and Respite lacks are not compared;
            # those Respite has and Redis lacks are the intended ones.
            both = sub_names(a) & sub_names(b)
            assert_eq((name, sorted(sub_names(a) - both)),
                      (name, sorted(sub_names(a) & SUBCOMMANDS_REDIS_LACKS)))
            assert_eq((proto, name, normalized(a, both)),
                      (proto, name, normalized(b, both)))


def _ref_server():
    reference()
    return _ref["s"]


def spec_fields(spec):
    """A parsed (RESP2) key spec as a dict, begin_search and find_keys as
    (type, {field: value})."""
    d = dict(zip(spec[::2], spec[1::2]))
    for k in (b"begin_search", b"find_keys"):
        x = dict(zip(d[k][::2], d[k][1::2]))
        d[k] = (x[b"type"], dict(zip(x[b"spec"][::2], x[b"spec"][1::2])))
    return d


def legacy_range(specs):
    """Redis's first key, last key and step from an entry's key specs: the
    first spec at a fixed index with a range, extended by the specs that
    continue it with the same step; 0, 0, 0 when there is none."""
    first = last = step = 0
    for s in map(spec_fields, specs):
        (bt, b), (ft, f) = s[b"begin_search"], s[b"find_keys"]
        if bt != b"index" or ft != b"range" or b"incomplete" in s[b"flags"]:
            continue
        end = f[b"lastkey"] if f[b"lastkey"] < 0 else b[b"index"] + f[b"lastkey"]
        if first == 0:
            first, last, step = b[b"index"], end, f[b"keystep"]
        elif last >= 0 and b[b"index"] == last + step and f[b"keystep"] == step:
            last = end
        else:
            break
    return [first, last, step]


def movable(specs):
    return any(s[b"begin_search"][0] != b"index" or
               s[b"find_keys"][0] != b"range" for s in map(spec_fields, specs))


def entries(r):
    """Every COMMAND INFO entry, subcommands' included, by name."""
    out = {}
    for e in r.execute_command("COMMAND INFO"):
        out[e[0]] = e
        for sub in e[9]:
            out[sub[0]] = sub
    return out


@test
def key_positions_and_movablekeys_follow_from_specs():
    # The rule is Redis's (checked on its entries); Respite's table keeps
    # first/last/step of its own (tracking reads them), so this proves the
    # two agree, Respite's own commands included.
    for r in (h.flushed(), reference()):
        for name, e in entries(r).items():
            assert_eq((name, e[3:6]), (name, legacy_range(e[8])))
            assert_eq((name, b"movablekeys" in e[2]), (name, movable(e[8])))
    ours = entries(h.flushed())
    for name in () if h.is_redis() else (b"ratelimit", b"cl.throttle", b"delex", b"delifeq",
                 b"digest"):
        assert_eq((name, len(ours[name][8])), (name, 1))


# ---- COMMAND GETKEYS / GETKEYSANDFLAGS ---------------------------------------

# Calls whose keys move with the arguments, or that Redis answers with code
# of its own, and the error cases; compared as raw replies.
GETKEYS_CASES = [
    "get k", "mset a 1 b 2", "mset a 1 b", "blpop a b 0", "bitop and d a b",
    "lmove a b left right", "Object Encoding k", "memory usage k samples 5",
    "xinfo stream k", "xgroup createconsumer k g c", "pfdebug getreg k",
    "zunionstore d 2 a b weights 1 2", "zinterstore d 1 a",
    "zdiffstore d 2 a b", "zunion 2 a b", "zinter 3 a b c", "zdiff 1 a b",
    "zintercard 2 a b limit 1", "sintercard 2 a b", "lmpop 2 a b left",
    "blmpop 0 1 a right count 2", "zmpop 1 a min", "bzmpop 0 2 a b max",
    "eval s 2 a b c", "evalsha s 1 a", "eval_ro s 0", "evalsha_ro s -1",
    "fcall f 1 k", "fcall_ro f 2 a b", "fcall f x",
    "xread streams a b 0 0", "xread count 1 block 0 streams a 0",
    "xread streams streams a b", "xread streams a b c",
    "xreadgroup group g c streams a 0",
    "xreadgroup streams k count set b 0 1 streams x",
    "xreadgroup noack streams a b c d streams x",
    "xreadgroup b c streams a b c d streams x",
    "georadius k 1 2 3 m store d", "georadius k 1 2 3 m storedist d store e",
    "georadius k 1 2 3 m store", "georadiusbymember k m 1 m store d",
    "geosearchstore d s frommember m byradius 1 m",
    "sort k", "sort k by w_* get o_* limit 0 1 store d",
    "sort k store a store b", "sort k limit store a", "sort k get store d",
    "sort k STORE STORE get store 1", "sort_ro k store d",
    "set k v", "set k v get", "set k v px 1 GET", "set k get",
    "bitfield k get u8 0", "bitfield k overflow wrap get u8 0",
    "bitfield k get u8 0 set u8 0 1", "bitfield k get u8", "bitfield k",
    "bitfield_ro k get u8 0", "getex k persist", "rename a b", "copy a b",
    "smove a b m", "pfcount a b", "pfmerge d a b", "del a b", "object freq k",
    "watch a b", "lcs a b", "brpoplpush a b 0", "msetnx a 1 b 2",
    # errors
    "nosuch a", "get a b", "rename a", "ping x", "time x", "publish c m",
    "spublish c m", "ssubscribe a b", "client list", "config get x",
    "object help", "object nosuch k", "object encoding", "memory usage",
    "command getkeys get k", "zunionstore d 0 a", "zunionstore d 5 a",
    "zunionstore d x a", "lmpop 0 a left", "lmpop 3 a b", "sintercard 3 a b",
    "bzmpop 0 0 a min", "xread count 1 a", "xread count 1 streams a",
    "pfmerge d", "eval s 5 a",
    # key counts a spec cannot read, which Redis reads again as atoi()
    # does (keys without flags, ZUNIONSTORE's destination last)
    "zunionstore d 02 a b", "zunionstore d 1x a", "zinter +1 a",
    "lmpop 02 a b", "bzmpop 0 2abc a b min", "eval s 02 a b",
    "fcall_ro f 1e3 a", "zunionstore d 03 a b", "zunion -0 a",
    "zunionstore d 4294967297 a", "zunionstore d 9223372036854775808 a",
]


def getkeys(server, proto, sub, args):
    with server.conn() as c:
        if proto == 3:
            c.call("HELLO", "3")
        return [c.call("COMMAND", sub, *a) for a in args]


def compare_getkeys(calls):
    ours_srv, ref_srv = h.shared_server(), _ref_server()
    for proto in (2, 3):
        for sub in ("GETKEYS", "GETKEYSANDFLAGS"):
            got = getkeys(ours_srv, proto, sub, calls)
            want = getkeys(ref_srv, proto, sub, calls)
            for a, x, y in zip(calls, got, want):
                assert_eq((proto, sub, a, x), (proto, sub, a, y))


@test
def getkeys_cases_match():
    compare_getkeys([c.split() for c in GETKEYS_CASES])


@test
def getkeys_of_every_command_with_keys():
    """For each command and subcommand both have with keys, calls with
    plain words, with numbers and with a mix, padded from its arity on:
    at least one of them must name keys (on Redis), and both servers must
    answer each alike."""
    ours, ref = entries(h.flushed()), entries(reference())
    keyed = sorted(n for n in set(ours) & set(ref)
                   if any(b"not_key" not in spec_fields(s)[b"flags"]
                          for s in ref[n][8]))
    assert len(keyed) > 130, len(keyed)
    calls = {}
    for name in keyed:
        head = name.decode().split("|")
        n = abs(ref[name][1]) - len(head)
        for extra in (0, 1, 2, 4):
            for pattern in ("word", "one", "mix"):
                args = ["k%d" % i if pattern == "word" or
                        (pattern == "mix" and i % 2) else "1"
                        for i in range(n + extra)]
                calls.setdefault(name, []).append(head + args)
        for spec in map(spec_fields, ref[name][8]):
            bt, b = spec[b"begin_search"]
            if bt == b"keyword":       # XREAD ... STREAMS k0 k1
                args = ["1"] * (b[b"startfrom"] - 1) + [b[b"keyword"].decode()]
                args += ["k%d" % i for i in range(max(2, n - len(args)))]
                calls[name].append(head + args)
    # Beyond 7.0's arity Redis 7.2 finds keys where 7.0 refuses the call.
    flat = [c for n in keyed for c in calls[n]
            if n not in ARITY_7_2 or len(c) <= abs(ref[n][1])]
    compare_getkeys(flat)
    with _ref_server().conn() as c:
        for name in keyed:
            replies = [c.call("COMMAND", "GETKEYS", *a) for a in calls[name]]
            assert any(r.startswith(b"*") and r != b"*0\r\n"
                       for r in replies), name


@test(respite_only=True)
def getkeys_of_respites_own_commands():
    r = h.flushed()
    for call, flags in (("RATELIMIT k 10 1000", [b"RW", b"access", b"update"]),
                        ("CL.THROTTLE k 10 5 60", [b"RW", b"access", b"update"]),
                        ("DELEX k IFEQ v", [b"RW", b"access", b"delete"]),
                        ("DELIFEQ k v", [b"RW", b"access", b"delete"]),
                        ("DIGEST k", [b"RO", b"access"])):
        got = r.execute_command("COMMAND GETKEYSANDFLAGS " + call)
        assert_eq((call, got), (call, [[b"k", flags]]))


@test
def getkeys_random_calls_match():
    """Seeded random argument lists from the words the key-finding rules
    look at, for the commands whose keys move."""
    import random
    rnd = random.Random(7)
    words = ["k", "a", "0", "1", "2", "-1", "x", "01", "2x", "+1", "store", "STORE",
             "storedist", "get", "by", "limit", "streams", "STREAMS", "set",
             "incrby", "overflow", "count", "block", "group", "noack",
             "weights", "left", "px", ""]
    names = ["sort", "sort_ro", "set", "bitfield", "georadius",
             "georadiusbymember", "xread", "xreadgroup", "eval", "fcall",
             "zunionstore", "zinter", "lmpop", "blmpop", "bzmpop",
             "sintercard", "mset", "blpop", "pfmerge", "bitop"]
    calls = [[rnd.choice(names)] +
             [rnd.choice(words) for _ in range(rnd.randint(0, 9))]
             for _ in range(1500)]
    compare_getkeys(calls)


if __name__ == "__main__":
    h.run()
