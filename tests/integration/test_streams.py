#!/usr/bin/python3
"""Streams through redis-py (and raw sockets for blocking) against a real
server.

- Event store: events appended to user-<id> streams, read back with a
  cursor in pages (XRANGE with an exclusive start), a time range by ID,
  replay from 0 and then XREAD BLOCK "$" for live events.
- Work queue: a consumer group with two consumers, XACK, a consumer that
  "crashes" (reads without acknowledging) and XAUTOCLAIM recovery by the
  other, XPENDING / XCLAIM along the way.
- Blocking: timeout (null), wake-up by XADD from another client, several
  blocked readers all served, a blocked client disconnecting, INFO
  blocked_clients, XREADGROUP woken by its key's deletion or its group's
  destruction (-NOGROUP, as Redis 7.2 has it; 7.0's texts against
  redis-server 7.0), XREAD BLOCK in MULTI.
- Keyspace events of the stream commands, TYPE / SCAN TYPE / COPY /
  RENAME.
- Retention (Respite only): stream-max-entries and stream-retention-ms set
  with CONFIG SET, applied by the sweeper with "xtrim" events; the age
  limit checked with DEBUG JUMP-CLOCK.

- XSETID below a deleted entry's ID is refused, as Redis 7.2 does, and
  XSETID aborts a WATCH (Respite only: Redis 7.0 does neither).

All but the retention and XSETID tests also pass against redis-server
7.0.15 (RESPITE_BIN=/usr/bin/redis-server)."""

import os
import sys
import threading
import time

import redis

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import (assert_eq, assert_raises_text,  # noqa: E402
                     blocked_count, no_reply, test, wait_blocked)


# ---------------------------------------------------------------------------
# Event store
# ---------------------------------------------------------------------------

USERS = 20
PER_USER = 250


def load_events(r):
    """Appends PER_USER events to each user-<id> stream with IDs
    <1000 + n*10>-<id>, so times are known. Returns {user: [ids]}."""
    model = {}
    p = r.pipeline(transaction=False)
    for n in range(PER_USER):
        for u in range(USERS):
            eid = "%d-%d" % (1000 + n * 10, u)
            p.xadd("user-%d" % u, {"type": ["login", "click", "buy"][n % 3],
                                   "n": str(n), "user": str(u)}, id=eid)
            model.setdefault(u, []).append(eid)
    out = p.execute()
    assert_eq(len(out), USERS * PER_USER)
    return model


def paged(read, key, start, end, count):
    """The IDs read(key, cursor, end, count=count) gives page by page (an
    XRANGE or XREVRANGE), the cursor moving past each page's last ID,
    until a short page."""
    seen, cursor = [], start
    while True:
        page = read(key, cursor, end, count=count)
        seen += [eid for eid, _ in page]
        if len(page) < count:
            return seen
        cursor = "(" + page[-1][0]


@test
def event_store_pages_and_time_ranges():
    r = h.flushed(decode_responses=True)
    model = load_events(r)
    for u in (0, 7, 19):
        key = "user-%d" % u
        assert_eq(r.xlen(key), PER_USER, "XLEN")
        # Read with a cursor in pages of 32 until a short page.
        assert_eq(paged(r.xrange, key, "-", "+", 32), model[u],
                  "paged XRANGE of " + key)
        # Newest first, in pages, with XREVRANGE.
        assert_eq(paged(r.xrevrange, key, "+", "-", 50), model[u][::-1],
                  "paged XREVRANGE")
        # A time range by ID: ms only, the sequence is filled in.
        got = r.xrange(key, "1500", "1990")
        want = [e for e in model[u] if 1500 <= int(e.split("-")[0]) <= 1990]
        assert_eq([eid for eid, _ in got], want, "time range")
        assert_eq(got[0][1], {"type": ["login", "click", "buy"][50 % 3],
                              "n": "50", "user": str(u)}, "fields")


@test
def event_store_replay_then_follow():
    s = h.shared_server()
    r = s.client(decode_responses=True)
    r.flushall()
    for n in range(1, 101):
        r.xadd("user-1", {"n": str(n)}, id="%d-0" % n)
    # Replay everything from 0 in batches, as a read model rebuild would.
    last, replayed = "0", 0
    while True:
        res = r.xread({"user-1": last}, count=40)
        if not res:
            break
        entries = res[0][1]
        replayed += len(entries)
        last = entries[-1][0]
    assert_eq(replayed, 100, "replayed")
    assert_eq(last, "100-0")
    # Then follow live events: block with the last ID seen, and with $.
    results = {}

    def follow(name, start):
        c = s.client(decode_responses=True)
        results[name] = c.xread({"user-1": start}, block=5000, count=10)

    threads = [threading.Thread(target=follow, args=("id", last)),
               threading.Thread(target=follow, args=("dollar", "$"))]
    for t in threads:
        t.start()
    wait_blocked(r, 2)
    r.xadd("user-1", {"n": "101"}, id="101-0")
    for t in threads:
        t.join(10)
    for name in ("id", "dollar"):
        assert_eq(results[name], [["user-1", [("101-0", {"n": "101"})]]],
                  "live entry via " + name)
    assert_eq(blocked_count(r), 0)


# ---------------------------------------------------------------------------
# Work queue with a consumer group
# ---------------------------------------------------------------------------

@test
def work_queue_two_consumers_crash_and_autoclaim():
    r = h.flushed(decode_responses=True)
    r.xgroup_create("jobs", "workers", id="$", mkstream=True)
    for n in range(1, 21):
        r.xadd("jobs", {"job": str(n)}, id="%d-0" % n)
    done = []
    # Two consumers take turns; each acknowledges what it processed,
    # except w2 which "crashes" after taking its second batch.
    for rnd in range(3):
        for w in ("w1", "w2"):
            res = r.xreadgroup("workers", w, {"jobs": ">"}, count=3)
            if not res:
                continue
            ids = [eid for eid, _ in res[0][1]]
            if w == "w2" and rnd == 1:
                crashed = ids
                continue
            done += ids
            assert_eq(r.xack("jobs", "workers", *ids), len(ids), "XACK")
    assert_eq(len(crashed), 3)
    summary = r.xpending("jobs", "workers")
    assert_eq(summary["pending"], 3, "pending after the crash")
    assert_eq(summary["consumers"], [{"name": "w2", "pending": 3}])
    assert_eq(summary["min"], crashed[0])
    # w1 recovers what w2 left, once it has been idle long enough.
    time.sleep(0.15)
    nxt, claimed, deleted = r.xautoclaim("jobs", "workers", "w1",
                                         min_idle_time=100,
                                         start_id="0-0", count=10)
    assert_eq(nxt, "0-0", "XAUTOCLAIM cursor")
    assert_eq([eid for eid, _ in claimed], crashed, "claimed")
    assert_eq(deleted, [])
    ext = r.xpending_range("jobs", "workers", "-", "+", 10)
    assert_eq([(e["message_id"], e["consumer"], e["times_delivered"])
               for e in ext], [(i, "w1", 2) for i in crashed])
    done += crashed
    r.xack("jobs", "workers", *crashed)
    # Drain the rest with w1.
    while True:
        res = r.xreadgroup("workers", "w1", {"jobs": ">"}, count=5)
        if not res:
            break
        ids = [eid for eid, _ in res[0][1]]
        done += ids
        r.xack("jobs", "workers", *ids)
    assert_eq(sorted(done, key=lambda e: int(e.split("-")[0])),
              ["%d-0" % n for n in range(1, 21)], "every job once")
    assert_eq(r.xpending("jobs", "workers")["pending"], 0)
    groups = r.xinfo_groups("jobs")
    assert_eq(groups[0]["lag"], 0, "lag")
    assert_eq(groups[0]["entries-read"], 20, "entries-read")
    consumers = {c["name"]: c["pending"]
                 for c in r.xinfo_consumers("jobs", "workers")}
    assert_eq(consumers, {"w1": 0, "w2": 0})


@test
def claim_deleted_and_history():
    r = h.flushed(decode_responses=True)
    for n in range(1, 6):
        r.xadd("q", {"n": str(n)}, id="%d-0" % n)
    r.xgroup_create("q", "g", id="0")
    r.xreadgroup("g", "c1", {"q": ">"})
    r.xdel("q", "2-0")
    # History shows the deleted entry as (id, None).
    hist = r.xreadgroup("g", "c1", {"q": "0"})
    assert_eq([e[0] for e in hist[0][1]],
              ["1-0", "2-0", "3-0", "4-0", "5-0"])
    # XAUTOCLAIM drops the deleted one from the PEL and reports it.
    _, claimed, deleted = r.xautoclaim("q", "g", "c2", 0, "0-0", count=10)
    assert_eq(deleted, ["2-0"])
    assert_eq([eid for eid, _ in claimed], ["1-0", "3-0", "4-0", "5-0"])
    got = r.xclaim("q", "g", "c3", 0, ["1-0", "9-0"], justid=True)
    assert_eq(got, ["1-0"], "XCLAIM JUSTID")
    assert_raises_text(lambda: r.xreadgroup("nog", "c", {"q": ">"}),
                       "NOGROUP No such key 'q' or consumer group 'nog'")
    assert_raises_text(lambda: r.xgroup_create("q", "g", id="0"),
                       "BUSYGROUP Consumer Group name already exists")


# ---------------------------------------------------------------------------
# Blocking
# ---------------------------------------------------------------------------

@test
def block_timeout_and_wakeup():
    s, r = h.shared_server(), h.flushed()
    t = time.monotonic()
    assert_eq(r.xread({"s": "$"}, block=150), [], "timeout")
    assert time.monotonic() - t >= 0.14, "returned before the timeout"
    with s.conn() as c:
        h.send_blocked(r, c, 1, "XREAD", "BLOCK", "0", "STREAMS", "s", "$")
        r.set("other", "x")
        assert no_reply(c), "an unrelated write woke XREAD"
        r.xadd("s", {"a": "1"}, id="5-1")
        assert_eq(c.read_raw(), b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n"
                  b"5-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n", "woken XREAD")
    assert_eq(blocked_count(r), 0)


@test
def several_blocked_readers_and_a_disconnect():
    r = h.flushed()
    r.xadd("s", {"a": "0"}, id="1-0")
    with h.conns(4) as conns:
        for i, c in enumerate(conns):
            c.send(h.encode("XREAD", "COUNT", "5", "BLOCK", "0", "STREAMS",
                            "other", "s", "0", "$"))
        wait_blocked(r, 4)
        assert_eq(r.info("clients")["blocked_clients"], 4)
        conns[1].close()
        wait_blocked(r, 3)
        r.xadd("s", {"a": "1"}, id="2-0")
        want = (b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n"
                b"$1\r\na\r\n$1\r\n1\r\n")
        for i in (0, 2, 3):
            assert_eq(conns[i].read_raw(), want, "reader %d" % i)
        assert_eq(blocked_count(r), 0)
        # A second round on the other key.
        for i in (0, 2):
            conns[i].send(h.encode("XREAD", "BLOCK", "0", "STREAMS",
                                   "other", "s", "$", "$"))
        wait_blocked(r, 2)
        r.xadd("other", {"b": "2"}, id="7-7")
        for i in (0, 2):
            assert_eq(h.parse(conns[i].read_raw()),
                      [[b"other", [[b"7-7", [b"b", b"2"]]]]])
    assert_eq(r.ping(), True)


@test
def readgroup_block_wakes_on_delete_and_destroy():
    s, r = h.shared_server(), h.flushed()
    r.xgroup_create("s", "g", id="$", mkstream=True)
    with s.conn() as c:
        c.send(h.encode("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0",
                        "STREAMS", "s", ">"))
        wait_blocked(r, 1)
        r.xadd("s", {"a": "1"}, id="1-0")
        assert_eq(h.parse(c.read_raw()), [[b"s", [[b"1-0", [b"a", b"1"]]]]])
        assert_eq(r.xpending("s", "g")["pending"], 1)
        c.send(h.encode("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0",
                        "STREAMS", "s", ">"))
        wait_blocked(r, 1)
        r.delete("s")
        # Redis 7.2 runs the woken command again (Respite too): its
        # NOGROUP; 7.0 has a text of its own.
        assert_eq(c.read_raw(),
                  b"-UNBLOCKED the stream key no longer exists\r\n"
                  if h.is_redis() else
                  b"-NOGROUP No such key 's' or consumer group 'g' in "
                  b"XREADGROUP with GROUP option\r\n")
        r.xgroup_create("s", "g", id="$", mkstream=True)
        c.send(h.encode("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0",
                        "STREAMS", "s", ">"))
        wait_blocked(r, 1)
        r.xgroup_destroy("s", "g")
        assert_eq(c.read_raw(), b"-NOGROUP the consumer group this client "
                  b"was blocked on no longer exists\r\n"
                  if h.is_redis() else
                  b"-NOGROUP No such key 's' or consumer group 'g' in "
                  b"XREADGROUP with GROUP option\r\n")
        # Timeout with a group: a null array.
        assert_eq(c.call("XREADGROUP", "GROUP", "g2", "c", "BLOCK", "50",
                         "STREAMS", "s", ">")[:8], b"-NOGROUP")
        r.xgroup_create("s", "g2", id="$")
        assert_eq(c.call("XREADGROUP", "GROUP", "g2", "c", "BLOCK", "50",
                         "STREAMS", "s", ">"), b"*-1\r\n")
    assert_eq(blocked_count(r), 0)


@test
def block_in_multi_replies_at_once():
    r = h.flushed()
    p = r.pipeline(transaction=True)
    p.xread({"s": "$"}, block=0)
    p.xadd("s", {"a": "1"}, id="1-0")
    assert_eq(p.execute(), [[], b"1-0"])


# ---------------------------------------------------------------------------
# Keys, types and events
# ---------------------------------------------------------------------------

@test
def keys_commands_and_types():
    r = h.flushed(decode_responses=True)
    r.xadd("s", {"a": "1"}, id="1-0")
    r.xgroup_create("s", "g", id="0")
    r.xreadgroup("g", "c", {"s": ">"})
    assert_eq(r.type("s"), "stream")
    assert_eq(list(r.scan_iter(_type="stream")), ["s"])
    r.copy("s", "s2")
    r.xack("s", "g", "1-0")
    assert_eq(r.xpending("s2", "g")["pending"], 1, "COPY is deep")
    assert_eq(r.xpending("s", "g")["pending"], 0)
    r.rename("s2", "s3")
    assert_eq(r.xrange("s3"), [("1-0", {"a": "1"})])
    r.set("str", "x")
    assert_raises_text(lambda: r.xadd("str", {"a": "1"}),
                       "WRONGTYPE Operation against a key")
    assert_raises_text(lambda: r.lpush("s3", "x"),
                       "WRONGTYPE Operation against a key")
    # MOVE to another database and back (the sanitized server's clean
    # exit checks that no database keeps a pointer to a moved stream).
    r2 = h.shared_server().client(db=1, decode_responses=True)
    assert_eq(r.move("s3", 1), True)
    assert_eq(r.exists("s3"), 0)
    assert_eq(r2.xlen("s3"), 1)
    r2.xadd("s3", {"b": "2"}, id="2-0")
    assert_eq(r2.move("s3", 0), True)
    r.xadd("moved", {"a": "1"})
    r.move("moved", 2)
    # Streams are not deleted when emptied.
    r.xdel("s3", "1-0", "2-0")
    assert_eq(r.exists("s3"), 1)
    assert_eq(r.xlen("s3"), 0)


@test(respite_only=True,
      reason="Redis 7.0 accepts an XSETID below max-deleted-entry-id (7.2 refuses) and its XSETID leaves WATCH alone")
def xsetid_below_a_deleted_entry():
    r = h.flushed(decode_responses=True)
    r.xadd("s", {"a": "1"}, id="1-1")
    r.xadd("s", {"a": "2"}, id="2-0")
    r.xdel("s", "2-0")
    assert_raises_text(
        lambda: r.execute_command("XSETID", "s", "1-5"),
        "The ID specified in XSETID is smaller than current "
        "max_deleted_entry_id")
    info = r.xinfo_stream("s")
    assert_eq(info["last-generated-id"], "2-0", "refused, nothing changed")
    # Below the top entry as well: the deleted ID is checked first.
    assert_raises_text(
        lambda: r.execute_command("XSETID", "s", "0-5"),
        "The ID specified in XSETID is smaller than current")
    assert_eq(r.execute_command("XSETID", "s", "2-0"), "OK")
    # A write like any other for WATCH.
    w = h.shared_server().client(decode_responses=True)
    pipe = w.pipeline()
    pipe.watch("s")
    assert_eq(r.execute_command("XSETID", "s", "3-0"), "OK")
    pipe.multi()
    pipe.ping()
    try:
        pipe.execute()
        raise AssertionError("EXEC ran after XSETID changed a watched key")
    except redis.exceptions.WatchError:
        pass
    assert_eq(r.xinfo_stream("s")["last-generated-id"], "3-0")


@test
def keyspace_events():
    s, r = h.shared_server(), h.flushed()
    r.config_set("notify-keyspace-events", "KEA")
    ev = h.KeyEvents(s, "__keyevent@0__:*")
    try:
        r.xadd("s", {"a": "1"}, id="1-0")
        r.xadd("s", {"a": "2"}, id="2-0", maxlen=5)   # "~": no trim
        r.xadd("s", {"a": "3"}, id="3-0")
        r.xdel("s", "2-0")
        r.xdel("s", "9-9")                  # nothing deleted, no event
        r.xtrim("s", maxlen=0)
        r.execute_command("XSETID", "s", "10-0")
        r.xgroup_create("s", "g", id="0")
        r.xgroup_createconsumer("s", "g", "c1")
        r.xreadgroup("g", "c2", {"s": ">"})
        r.xgroup_setid("s", "g", id="0")
        r.xgroup_delconsumer("s", "g", "c1")
        r.xgroup_destroy("s", "g")
        r.xgroup_create("new", "g", id="$", mkstream=True)
        want = ["xadd:s", "xadd:s", "xadd:s", "xdel:s",
                "xtrim:s", "xsetid:s", "xgroup-create:s",
                "xgroup-createconsumer:s", "xgroup-setid:s",
                "xgroup-delconsumer:s", "xgroup-destroy:s",
                "xgroup-create:new"]
        got = ["%s:%s" % e for e in ev.keyevents(r)]
        assert_eq(got, want, "events")
    finally:
        ev.close()
    r.config_set("notify-keyspace-events", "")


# ---------------------------------------------------------------------------
# Retention (Respite only)
# ---------------------------------------------------------------------------

def wait_for(fn, want, timeout=5.0, what=""):
    deadline = time.monotonic() + timeout
    got = fn()
    while got != want and time.monotonic() < deadline:
        time.sleep(0.02)
        got = fn()
    assert_eq(got, want, what)


@test(respite_only=True, reason="stream-max-entries is a Respite directive")
def retention_max_entries():
    s = h.Server(name="retention").start()
    r = s.client()
    assert_eq(r.config_get("stream-max-entries"), {"stream-max-entries": "0"})
    p = r.pipeline(transaction=False)
    for u in range(5):
        for n in range(3000):
            p.xadd("user-%d" % u, {"n": str(n)})
    p.execute()
    r.xadd("small", {"n": "1"})
    r.config_set("notify-keyspace-events", "Et")
    with s.conn() as c:
        c.call("SUBSCRIBE", "__keyevent@0__:xtrim")
        r.config_set("stream-max-entries", "100")
        for u in range(5):
            wait_for(lambda: r.xlen("user-%d" % u), 100, what="XLEN user")
        assert_eq(h.parse(c.read_raw())[0], b"message", "xtrim event")
    assert_eq(r.xlen("small"), 1)
    # The newest entries are the ones kept.
    last = r.xrevrange("user-3", count=1)[0][1]
    assert_eq(last, {b"n": b"2999"})
    assert_eq(r.xrange("user-3", count=1)[0][1], {b"n": b"2900"})
    # Off again: streams grow past the limit.
    r.config_set("stream-max-entries", "0")
    for n in range(50):
        r.xadd("user-0", {"n": "x"})
    time.sleep(0.3)
    assert_eq(r.xlen("user-0"), 150)
    s.stop()


@test(respite_only=True, reason="needs DEBUG JUMP-CLOCK")
def retention_by_age():
    s = h.Server("--stream-retention-ms", "60000", name="retention-age").start()
    r = s.client()
    for n in range(500):
        r.xadd("events", {"n": str(n)})
    r.xadd("events", {"n": "late"}, id="*")
    time.sleep(0.3)
    assert_eq(r.xlen("events"), 501, "nothing is old yet")
    r.execute_command("DEBUG", "JUMP-CLOCK", "30000")
    r.xadd("events", {"n": "newer"})
    r.execute_command("DEBUG", "JUMP-CLOCK", "45000")
    # The first 501 entries are now 75 s old; "newer" is 45 s old.
    wait_for(lambda: r.xlen("events"), 1, what="XLEN after the jump")
    assert_eq(r.xrange("events")[0][1], {b"n": b"newer"})
    s.stop()


if __name__ == "__main__":
    h.run()
