#!/usr/bin/python3
"""Keyspace notifications (notify-keyspace-events): for each class, the
exact events Redis 7 emits for the commands Respite has, on
__keyspace@<db>__:<key> and __keyevent@<db>__:<event>, in order.

A raw subscriber PSUBSCRIBEs __key*__:* and also SUBSCRIBEs a fence
channel; after the commands under test, a PUBLISH on the fence marks the
end, so the test reads exactly the events those commands caused, no
sleeping. The expected lists were checked against redis-server 7.0.15
(RESPITE_BIN=redis-server runs every test not marked respite_only)."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, test  # noqa: E402


def setup(flags):
    s = h.shared_server()
    r = s.client()
    r.flushall()
    r.config_set("notify-keyspace-events", flags)
    return r, h.KeyEvents(s)


def space(key, event, db=0):
    return ("__keyspace@%d__:%s" % (db, key), event)


def event(key, ev, db=0):
    return ("__keyevent@%d__:%s" % (db, ev), key)


def both(key, ev, db=0):
    return [space(key, ev, db), event(key, ev, db)]


@test
def disabled_by_default_and_config_roundtrip():
    r, ev = setup("")
    r.set("k", "v")
    r.delete("k")
    assert_eq(ev.collect(r), [], "no events when disabled")
    r.config_set("notify-keyspace-events", "KEA")
    assert_eq(r.config_get("notify-keyspace-events"),
              {"notify-keyspace-events": "AKE"})
    r.config_set("notify-keyspace-events", "")
    ev.close()


@test
def generic_class():
    r, ev = setup("KEg")
    r.set("a", "1")                      # $: not enabled
    assert_eq(ev.collect(r), [])
    r.expire("a", 100)
    r.persist("a")
    r.rename("a", "b")
    r.copy("b", "c")
    r.move("c", 1)
    r.delete("b", "missing")
    r.set("d", "1")
    r.expire("d", -1)                    # in the past: a del
    r.set("e", "1")
    r.getdel("e")
    r.set("f", "1")
    r.execute_command("GETEX", "f", "EX", "100")
    r.execute_command("GETEX", "f", "PERSIST")
    r.execute_command("GETEX", "f", "PXAT", "1")
    r.set("g", "1")
    r.renamenx("g", "h")
    r.rename("h", "h")                   # same key: nothing
    r.unlink("h")
    want = (both("a", "expire") + both("a", "persist")
            + both("a", "rename_from") + both("b", "rename_to")
            + both("c", "copy_to")
            + both("c", "move_from") + both("c", "move_to", db=1)
            + both("b", "del") + both("d", "del") + both("e", "del")
            + both("f", "expire") + both("f", "persist") + both("f", "del")
            + both("g", "rename_from") + both("h", "rename_to")
            + both("h", "del"))
    assert_eq(ev.collect(r), want)
    r.config_set("notify-keyspace-events", "")
    ev.close()


@test
def string_class():
    r, ev = setup("KE$")
    r.set("s", "v")
    r.set("s", "v", ex=100)              # the expire is class g: not here
    r.setnx("s", "x")                    # not set: nothing
    r.setex("t", 10, "v")
    r.psetex("t", 10000, "v")
    r.getset("t", "w")
    r.mset({"m1": "1", "m2": "2"})
    r.msetnx({"m1": "1", "m3": "3"})     # fails: nothing
    r.append("s", "x")
    r.setrange("s", 1, "yy")
    r.setrange("s", 1, "")               # writes nothing: nothing
    r.incr("n")
    r.decr("n")
    r.incrby("n", 5)
    r.decrby("n", 5)
    r.incrbyfloat("n", 1.5)
    r.delete("s")                        # g: not here
    want = (both("s", "set") + both("s", "set") + both("t", "set")
            + both("t", "set") + both("t", "set")
            + both("m1", "set") + both("m2", "set")
            + both("s", "append") + both("s", "setrange")
            + both("n", "incrby") * 1 + both("n", "incrby")
            + both("n", "incrby") + both("n", "incrby")
            + both("n", "incrbyfloat"))
    assert_eq(ev.collect(r), want)
    r.config_set("notify-keyspace-events", "")
    ev.close()


@test
def set_with_ttl_emits_set_then_expire():
    r, ev = setup("KEA")
    r.set("k", "v", px=100000)
    r.setex("k2", 100, "v")
    assert_eq(ev.collect(r), both("k", "set") + both("k", "expire")
              + both("k2", "set") + both("k2", "expire"))
    r.config_set("notify-keyspace-events", "")
    ev.close()


@test
def keyspace_only_and_keyevent_only():
    r, ev = setup("K$")
    r.set("k", "v")
    assert_eq(ev.collect(r), [space("k", "set")])
    r.config_set("notify-keyspace-events", "E$")
    r.set("k", "v")
    assert_eq(ev.collect(r), [event("k", "set")])
    r.config_set("notify-keyspace-events", "$")   # no K nor E: nothing
    r.set("k", "v")
    assert_eq(ev.collect(r), [])
    r.config_set("notify-keyspace-events", "")
    ev.close()


@test
def new_class():
    r, ev = setup("KEn")
    r.set("a", "1")
    r.set("a", "2")                      # exists: no new
    r.append("b", "x")
    r.incr("c")
    r.incrbyfloat("d", 1)
    r.setrange("e", 0, "x")
    r.mset({"a": "3", "f": "1"})
    r.rename("a", "g")
    r.copy("g", "h")
    want = (both("a", "new") + both("b", "new") + both("c", "new")
            + both("d", "new") + both("e", "new") + both("f", "new")
            + both("g", "new") + both("h", "new"))
    assert_eq(ev.collect(r), want)
    r.config_set("notify-keyspace-events", "")
    ev.close()


@test
def keymiss_class():
    r, ev = setup("KEm")
    r.set("here", "1")
    r.get("nokey")
    r.get("here")
    r.mget("m1", "here", "m2")
    r.strlen("m3")
    r.exists("m4")
    r.ttl("m5")
    r.type("m6")
    want = (both("nokey", "keymiss") + both("m1", "keymiss")
            + both("m2", "keymiss") + both("m3", "keymiss")
            + both("m4", "keymiss") + both("m5", "keymiss")
            + both("m6", "keymiss"))
    assert_eq(ev.collect(r), want)
    r.config_set("notify-keyspace-events", "")
    ev.close()


@test(respite_only=True, reason="needs DEBUG JUMP-CLOCK")
def scan_type_looks_up_keys_past_their_time():
    """As Redis: SCAN with TYPE reads every key that matches, so one past
    its time and not swept yet is expired, then a keymiss and a keyspace
    miss; one that does not match the pattern is not looked up."""
    r, ev = setup("KExm")
    r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    r.set("gone", "1", px=1000)
    r.set("here", "1")
    r.execute_command("DEBUG", "JUMP-CLOCK", "2000")
    r.config_resetstat()
    cursor, keys = r.scan(0, match="g*", _type="string", count=100)
    assert_eq((cursor, keys), (0, []))
    assert_eq(ev.collect(r), both("gone", "expired") + both("gone", "keymiss"))
    assert_eq(r.info("stats")["keyspace_misses"], 1)
    r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "1")
    r.config_set("notify-keyspace-events", "")
    ev.close()


@test(respite_only=True, reason="needs DEBUG JUMP-CLOCK")
def expired_class_lazy_and_sweeper():
    r, ev = setup("KEx")
    r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    r.set("lazy", "1", px=1000)
    r.set("swept", "1", px=1000)
    r.execute_command("DEBUG", "JUMP-CLOCK", "2000")
    assert_eq(r.get("lazy"), None)       # the lookup removes it
    assert_eq(ev.collect(r), both("lazy", "expired"))
    r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "1")
    got = []
    for _ in range(500):                 # the sweeper ticks at hz 10
        time.sleep(0.01)
        got += ev.collect(r)
        if got:
            break
    assert_eq(got, both("swept", "expired"))
    r.config_set("notify-keyspace-events", "")
    ev.close()


@test
def other_databases_and_binary_keys():
    r, ev = setup("KEA")
    r3 = h.shared_server().client(db=3)
    r3.set(b"k\x00\xff", "v")
    r3.delete(b"k\x00\xff")
    assert_eq(ev.collect(r), both("k\x00\xff", "set", db=3)
              + both("k\x00\xff", "del", db=3))
    r.config_set("notify-keyspace-events", "")
    ev.close()


if __name__ == "__main__":
    h.run()
