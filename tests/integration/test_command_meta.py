#!/usr/bin/python3
"""COMMAND's metadata against redis-server 7.0, command by command, for
every command both servers have: COMMAND DOCS's `since` and `group`,
COMMAND INFO's arity, first/last key and step, flags and ACL categories,
and COMMAND LIST FILTERBY ACLCAT. redis-cli's hints and cluster-aware
clients read these, and the byte-exact cases in tests/compat compare
COMMAND's replies by type only (summaries are our own words, key specs
and tips Redis's). Passes against redis-server itself too."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, test  # noqa: E402

REF_BIN = os.environ.get("REDIS_REF_BIN", "/usr/bin/redis-server")
_ref = {}

# Flags Respite does not report (it has no loading state, no BUSY, no
# cluster key extraction, no MONITOR opt-out), or reports because its
# dispatcher acts on them.
IGNORED_FLAGS = {b"loading", b"stale", b"allow_busy", b"movablekeys",
                 b"no_mandatory_keys", b"skip_monitor", b"no_multi",
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


@test
def info_arity_and_key_positions_match():
    ours, ref = info(h.flushed()), info(reference())
    for name in common(ours, ref):
        assert_eq((name, ours[name][1], ours[name][3:6]),
                  (name, ref[name][1], ref[name][3:6]))


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
    both = set(common(info(r), info(ref)))
    for cat in ("fast", "slow", "SortedSet", "keyspace", "dangerous",
                "connection", "blocking", "read"):
        q = "COMMAND LIST FILTERBY ACLCAT " + cat
        got = set(r.execute_command(q)) & both
        assert got, cat
        # Redis lists subcommands too ("client|id"); Respite does not.
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
    # CLIENT SETINFO is Redis 7.2's; 7.0 lacks it.
    assert_eq(sorted(subs - theirs - {b"client|setinfo"}), [])
    got = set(r.execute_command("COMMAND LIST FILTERBY PATTERN client*"))
    assert {b"client", b"client|id", b"client|list"} <= got, got
    assert_eq(sorted(n for n in got if not n.startswith(b"client")), [])
    assert_eq(r.execute_command("COMMAND LIST FILTERBY PATTERN *|help")
              .count(b"client|help"), 1)


if __name__ == "__main__":
    h.run()
