#!/usr/bin/python3
"""Celery (Debian's python3-celery on python3-kombu), a Python task queue,
run on the server as an app runs it: Redis is both the broker and the
result backend, tasks are sent through the app's connections and run by a
worker in a thread of this process (solo pool, as celery.contrib.testing
runs one), a new one per test; one test kills a worker process mid-task.
Covers results fetched over pub/sub, failures and their tracebacks,
retries, countdown/ETA tasks held unacked and put back when the worker
stops, the message of a killed worker coming back after the visibility
timeout, groups and chords, priorities and queues, revoking, result TTLs
and the keys Celery writes. kombu's redis transport uses LPUSH/BRPOP
lists, a sorted set and a hash for unacked messages, MULTI/WATCH, a lock
(SET NX PX, released by an EVALSHA script) that every worker takes as it
starts, and PSUBSCRIBE/PUBLISH for broadcasts; the result backend uses
SETEX and PUBLISH in MULTI, SUBSCRIBE, and for chords ZADD/ZCOUNT/EXPIRE.
Passes against redis-server too."""

import contextlib
import functools
import gc
import io
import json
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, test  # noqa: E402

try:
    from celery import Celery, chord, group
    from celery.contrib.testing.worker import setup_app_for_worker
    from celery.exceptions import ChordError, TaskRevokedError
    from celery.result import _set_task_join_will_block
    from celery.utils.nodenames import anon_nodename
    from celery.worker import WorkController
    from celery.worker import state as worker_state
    from kombu.asynchronous import set_event_loop
except ImportError:  # reported by each test as a skip
    Celery = None

# The worker killed in killed_worker_task_comes_back is another process:
# it imports this file as test_celery, reads the server's URL from URL_ENV,
# and with HANG_ENV set its hang task does not return.
URL_ENV = "RESPITE_CELERY_URL"
HANG_ENV = "RESPITE_CELERY_HANG"
EXPIRES = 600   # result_expires, seconds: the TTL of every result key
WAIT = 10       # seconds any one result may take

app = None
if Celery is not None:
    app = Celery("respite", set_as_current=False)
    app.conf.update(result_expires=EXPIRES, worker_hijack_root_logger=False,
                    broker_connection_max_retries=3)
    if os.environ.get(URL_ENV):
        app.conf.update(broker_url=os.environ[URL_ENV],
                        result_backend=os.environ[URL_ENV])


def task(name, **opts):
    """app.task named respite.<name>, so this process and the worker
    process agree on it; a no-op without Celery (each test skips)."""
    if app is None:
        return lambda f: f
    return app.task(name="respite." + name, **opts)


@task("add")
def add(x, y):
    return x + y


@task("tsum")
def tsum(xs):
    return sum(xs)


@task("fail")
def fail(msg):
    raise ValueError(msg)


@task("flaky", bind=True, max_retries=2)
def flaky(self, ok_after):
    """Retries after 0.2 s until it has been retried ok_after times;
    returns how often it was retried (ok_after > 2: fails in the end)."""
    if self.request.retries < ok_after:
        raise self.retry(exc=ValueError("try %d" % self.request.retries),
                         countdown=0.2)
    return self.request.retries


# Tasks run in the worker thread of this process, so they can hand it
# state through module globals.
GATE = {}
ORDER = []


@task("gate")
def gate(x):
    """Returns x once the test sets GATE["open"]; GATE["in"] tells it the
    task has started."""
    GATE["in"].set()
    if not GATE["open"].wait(WAIT):
        raise RuntimeError("gate never opened")
    return x


@task("record")
def record(tag):
    ORDER.append(tag)
    return tag


@task("hang", acks_late=True, track_started=True)
def hang():
    """Stays running in the worker process started with HANG_ENV (until it
    is killed); returns at once anywhere else."""
    if os.environ.get(HANG_ENV):
        time.sleep(60)
    return "done"


def celery_test(fn):
    """@test, and the results the test made collected before the next one:
    AsyncResults sit in reference cycles, and one collected at exit, once
    the server is gone, would UNSUBSCRIBE from its channel and retry that
    for 20 s."""
    @functools.wraps(fn)
    def run():
        try:
            fn()
        finally:
            gc.collect()
    return test(run)


def server_url():
    return "redis://127.0.0.1:%d/0" % h.shared_server().port


def flushed():
    """A flushed server and a redis-py client on it (decoded replies), with
    the app pointed at it."""
    if app is None:
        h.skip("python3-celery is not installed (make deps)")
    r = h.flushed(decode_responses=True)
    if not app.conf.broker_url:
        app.conf.update(broker_url=server_url(), result_backend=server_url())
    return r


@contextlib.contextmanager
def worker(**kw):
    """A worker (solo pool) in a thread until the with block ends, as
    celery.contrib.testing's start_worker runs one but with bounded waits
    and stopped even when the block raises. It declares its queues as it
    starts, so start it after the FLUSHALL. Its log is left out unless
    WORKER_LOGLEVEL says otherwise (error shows task tracebacks)."""
    level = os.environ.get("WORKER_LOGLEVEL", "critical")
    setup_app_for_worker(app, level, None)
    # A worker reuses the process's kombu event loop if there is one, but
    # keeps ETA tasks on a timer of its own that only a new loop polls:
    # without this, countdowns never fire in the second worker.
    set_event_loop(None)
    # Only the queues asked for: a queue a test sent to ("math") joins
    # the app's list, which a worker consumes all of by default.
    kw.setdefault("queues", ["celery"])
    up = threading.Event()
    w = WorkController(app=app, hostname=anon_nodename(), pool="solo",
                       concurrency=1, loglevel=level,
                       ready_callback=lambda consumer: up.set(),
                       without_heartbeat=True, without_mingle=True,
                       without_gossip=True, **kw)
    t = threading.Thread(target=w.start, daemon=True)
    t.start()
    try:
        if not up.wait(WAIT):
            raise AssertionError("the worker did not start")
        # The worker marks the process as one whose tasks must not wait on
        # results; here it is the app too, which does (start_worker does
        # the same).
        _set_task_join_will_block(False)
        yield w
    finally:
        worker_state.should_terminate = 0     # its loop checks this
        t.join(WAIT)
        worker_state.should_terminate = None
    if t.is_alive():
        raise AssertionError("the worker did not stop")


def unacked_ids(r):
    """The ids of the tasks whose messages kombu holds as unacked: a hash
    of delivery tag -> [message, exchange, routing key]."""
    return sorted(json.loads(v)[0]["headers"]["id"]
                  for v in r.hvals("unacked"))


def wait_unacked(r, ids, what):
    h.wait_for(lambda: unacked_ids(r) == sorted(ids), what)


def meta(r, task_id):
    """The result Celery stored for task_id, decoded, or None."""
    raw = r.get("celery-task-meta-" + task_id)
    return json.loads(raw) if raw is not None else None


def forget_pending(res):
    """Stops the app waiting for res, a result that stays pending: it would
    otherwise unsubscribe from its channel when it is collected at exit,
    once the server is gone, and retry that for 20 s."""
    app.backend.remove_pending_result(res)


def open_gate():
    GATE.update({"in": threading.Event(), "open": threading.Event()})


def states_published(sub, final):
    """The statuses the backend PUBLISHed on raw Conn sub (subscribed to a
    task's meta channel), in order, up to the first one in final."""
    out = []
    while not out or out[-1] not in final:
        m = h.parse(sub.read_raw())
        if m[0] == b"message":
            out.append(json.loads(m[2])["status"])
    return out


@celery_test
def result_over_pubsub_with_ttl():
    r = flushed()
    open_gate()
    with worker():
        res = gate.delay(7)
        # The app subscribes to the result's channel as it sends the task,
        # and get() waits there for the worker's PUBLISH.
        key = "celery-task-meta-" + res.id
        assert GATE["in"].wait(WAIT), "gate task never started"
        assert_eq(r.pubsub_numsub(key), [(key, 1)])
        assert_eq(r.exists(key), 0)
        threading.Timer(0.1, GATE["open"].set).start()
        assert_eq(res.get(timeout=WAIT), 7)
        assert_eq(res.state, "SUCCESS")
    m = meta(r, res.id)
    assert_eq((m["status"], m["result"], m["task_id"]),
              ("SUCCESS", 7, res.id))
    assert 0 < r.pttl(key) <= EXPIRES * 1000, r.pttl(key)
    # A ready result is read with GET, without waiting.
    assert_eq(app.AsyncResult(res.id).get(timeout=WAIT), 7)
    res.forget()
    assert_eq((r.exists(key), res.state), (0, "PENDING"))


@celery_test
def failure_keeps_exception_and_traceback():
    r = flushed()
    with worker():
        res = fail.delay("boom")
        err = res.get(timeout=WAIT, propagate=False)
        try:
            res.get(timeout=WAIT)
            raise AssertionError("get() did not raise")
        except ValueError as e:
            assert_eq(str(e), "boom")
    assert isinstance(err, ValueError), repr(err)
    assert_eq(res.state, "FAILURE")
    assert "ValueError: boom" in res.traceback, res.traceback
    m = meta(r, res.id)
    assert_eq((m["status"], m["result"]["exc_type"],
               m["result"]["exc_message"]),
              ("FAILURE", "ValueError", ["boom"]))
    assert 0 < r.pttl("celery-task-meta-" + res.id) <= EXPIRES * 1000


@celery_test
def retries_with_countdown():
    r = flushed()
    with worker(), h.conns(2) as (sub_ok, sub_bad):
        ok_id, bad_id = "retry-ok", "retry-bad"
        for sub, tid in ((sub_ok, ok_id), (sub_bad, bad_id)):
            sub.call("SUBSCRIBE", "celery-task-meta-" + tid)
        t0 = time.monotonic()
        ok = flaky.apply_async((2,), task_id=ok_id)
        bad = flaky.apply_async((3,), task_id=bad_id)
        assert_eq(ok.get(timeout=WAIT), 2)
        # Two retries, each 0.2 s after the last try.
        assert time.monotonic() - t0 >= 0.4
        assert_eq(states_published(sub_ok, {"SUCCESS", "FAILURE"}),
                  ["RETRY", "RETRY", "SUCCESS"])
        # Past max_retries the task fails with the exception it retried on.
        assert_eq(states_published(sub_bad, {"SUCCESS", "FAILURE"}),
                  ["RETRY", "RETRY", "FAILURE"])
        try:
            bad.get(timeout=WAIT)
            raise AssertionError("get() did not raise")
        except ValueError as e:
            assert_eq(str(e), "try 2")
    assert_eq(meta(r, bad_id)["status"], "FAILURE")


@celery_test
def countdown_waits_unacked():
    r = flushed()
    with worker():
        t0 = time.monotonic()
        res = add.apply_async((2, 2), countdown=0.6)
        # The worker takes the message off the list at once and keeps it
        # in kombu's unacked hash and index until it has run.
        wait_unacked(r, [res.id], "the message unacked")
        since = r.zscore("unacked_index", r.hkeys("unacked")[0])
        assert time.time() - WAIT < since <= time.time(), since
        assert_eq((r.llen("celery"), r.exists("celery-task-meta-" + res.id)),
                  (0, 0))
        assert_eq(res.get(timeout=WAIT), 4)
        assert time.monotonic() - t0 >= 0.55
        wait_unacked(r, [], "the message acked")
        assert_eq(r.zcard("unacked_index"), 0)


@celery_test
def eta_task_restored_when_worker_stops():
    r = flushed()
    said = io.StringIO()
    with contextlib.redirect_stderr(said), worker() as w:
        res = add.apply_async((5, 5), countdown=3600)
        wait_unacked(r, [res.id], "the message unacked")
        scheduled = app.control.inspect([w.hostname],
                                         timeout=WAIT).scheduled()
        assert_eq([s["request"]["id"] for s in scheduled[w.hostname]],
                  [res.id])
        assert_eq(r.llen("celery"), 0)
    # Stopping the worker pushes what it held back onto the queue.
    assert_eq(said.getvalue(), "Restoring 1 unacknowledged message(s)\n")
    assert_eq((r.hlen("unacked"), r.zcard("unacked_index"),
               r.llen("celery")), (0, 0, 1))
    msg = json.loads(r.lindex("celery", 0))
    assert_eq((msg["headers"]["id"], msg["headers"]["task"]),
              (res.id, "respite.add"))
    assert msg["headers"]["eta"], msg["headers"]
    assert_eq(res.state, "PENDING")
    forget_pending(res)


@celery_test
def killed_worker_task_comes_back():
    r = flushed()
    res = hang.delay()
    env = dict(os.environ, **{URL_ENV: server_url(), HANG_ENV: "1"})
    os.makedirs(h.LOG_DIR, exist_ok=True)
    log_path = os.path.join(h.LOG_DIR, "celery-worker-%d.log" % os.getpid())
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "test_celery:app",
             "worker", "--pool=solo", "--loglevel=error", "--without-mingle",
             "--without-gossip", "--without-heartbeat", "-n", "doomed@%h"],
            cwd=os.path.dirname(os.path.abspath(__file__)), env=env,
            stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    try:
        # acks_late: the message stays unacked while the task runs.
        h.wait_for(lambda: (meta(r, res.id) or {}).get("status") == "STARTED",
                   "the task to start in the worker process (log: %s)"
                   % log_path, timeout=30)
        assert_eq(unacked_ids(r), [res.id])
    finally:
        proc.kill()
        proc.wait()
    assert_eq((unacked_ids(r), r.llen("celery")), ([res.id], 0))
    # A worker that starts once the message is older than the visibility
    # timeout puts it back on the queue and runs it.
    tag = r.hkeys("unacked")[0]
    vt = 0.5
    while time.time() <= r.zscore("unacked_index", tag) + vt:
        time.sleep(0.05)
    app.conf.broker_transport_options = {"visibility_timeout": vt}
    try:
        with worker():
            assert_eq(res.get(timeout=WAIT), "done")
            wait_unacked(r, [], "the message acked")
    finally:
        app.conf.broker_transport_options = {}
    # Its lock (SET NX PX, released by a script) is gone again.
    assert_eq(r.exists("unacked_mutex"), 0)
    os.unlink(log_path)


@celery_test
def group_results_saved_and_restored():
    r = flushed()
    with worker():
        g = group(add.s(i, i) for i in range(5))()
        assert_eq(g.get(timeout=WAIT), [0, 2, 4, 6, 8])
        g.save()
    key = "celery-taskset-meta-" + g.id
    assert_eq(r.exists(key), 1)
    assert 0 < r.pttl(key) <= EXPIRES * 1000
    back = app.GroupResult.restore(g.id)
    assert_eq([c.id for c in back.results], [c.id for c in g.results])
    assert_eq(back.get(timeout=WAIT), [0, 2, 4, 6, 8])
    for c in g.results:
        assert_eq(meta(r, c.id)["status"], "SUCCESS")


@celery_test
def chord_counts_parts_in_a_sorted_set():
    r = flushed()
    open_gate()
    with worker():
        res = chord([add.s(1, 1), gate.s(40)], tsum.s())()
        gid = res.parent.id
        jkey = "celery-taskset-meta-%s.j" % gid
        skey = "celery-taskset-meta-%s.s" % gid
        # The first part is in, the second is running: the backend keeps
        # the parts done in a sorted set and the header size in a string.
        assert GATE["in"].wait(WAIT), "gate task never started"
        h.wait_for(lambda: r.zcard(jkey) == 1, "the first part counted")
        assert_eq(r.get(skey), "2")
        assert 0 < r.pttl(jkey) <= EXPIRES * 1000
        GATE["open"].set()
        assert_eq(res.get(timeout=WAIT), 42)
    # The body ran, so the counting keys are deleted.
    assert_eq(r.exists(jkey, skey), 0)


@celery_test
def chord_with_failed_part_fails():
    flushed()
    with worker():
        res = chord([add.s(1, 1), fail.s("part")], tsum.s())()
        # get() raises the failed part's error; the body itself is marked
        # failed with a ChordError naming that part.
        try:
            res.get(timeout=WAIT)
            raise AssertionError("get() did not raise")
        except ValueError as e:
            assert_eq(str(e), "part")
        err = res.get(timeout=WAIT, propagate=False)
        assert isinstance(err, ChordError), repr(err)
        assert "part" in str(err), str(err)
        assert_eq(res.state, "FAILURE")


@celery_test
def priorities_and_queues():
    r = flushed()
    del ORDER[:]
    # Sent before a worker runs: kombu keeps one list per priority step
    # (0 is served first), named queue, separator, step.
    for p in (9, 0, 6, 3):
        record.apply_async(("p%d" % p,), priority=p)
    sep = "\x06\x16"
    assert_eq([r.llen(q) for q in ("celery", "celery%s3" % sep,
                                   "celery%s6" % sep, "celery%s9" % sep)],
              [1, 1, 1, 1])
    on_math = add.apply_async((3, 4), queue="math")
    parked = add.apply_async((1, 1), queue="parked")
    assert_eq((r.llen("math"), r.llen("parked")), (1, 1))
    # Room for all five at once: a worker at its prefetch limit issues its
    # next BRPOP only at the next turn of its loop, up to 10 s later.
    with worker(prefetch_multiplier=8, queues=["celery", "math"]):
        assert_eq(on_math.get(timeout=WAIT), 7)
        h.wait_for(lambda: len(ORDER) == 4, "the four records run")
    assert_eq(ORDER, ["p0", "p3", "p6", "p9"])
    # No worker reads "parked", so its task is still there.
    assert_eq(r.llen("parked"), 1)
    assert_eq(parked.state, "PENDING")
    forget_pending(parked)
    assert_eq(r.smembers("_kombu.binding.math"), {"math%s%smath" % (sep, sep)})


@celery_test
def revoked_task_does_not_run():
    r = flushed()
    with worker() as w:
        res = add.apply_async((6, 6), countdown=0.5)
        wait_unacked(r, [res.id], "the message unacked")
        # A broadcast (PUBLISH) to the worker; its answer comes back on a
        # reply list.
        replies = app.control.revoke(res.id, reply=True, limit=1,
                                     timeout=WAIT)
        assert_eq(replies, [{w.hostname: {
            "ok": "tasks %s flagged as revoked" % res.id}}])
        try:
            res.get(timeout=WAIT)
            raise AssertionError("get() did not raise")
        except TaskRevokedError:
            pass
        assert_eq(res.state, "REVOKED")
        wait_unacked(r, [], "the message acked")
    assert_eq(meta(r, res.id)["status"], "REVOKED")


@celery_test
def keys_celery_writes():
    r = flushed()
    with worker() as w:
        res = add.delay(20, 22)
        assert_eq(res.get(timeout=WAIT), 42)
        wait_unacked(r, [], "the message acked")
        keys = set(r.keys())
        # The worker's queue bindings (sets), and the result.
        assert_eq(keys, {"_kombu.binding.celery",
                         "_kombu.binding.celery.pidbox",
                         "celery-task-meta-" + res.id})
        assert_eq(r.type("_kombu.binding.celery"), "set")
        assert_eq(r.smembers("_kombu.binding.celery"),
                  {"celery\x06\x16\x06\x16celery"})
        m = meta(r, res.id)
        assert_eq(sorted(m), ["children", "date_done", "result", "status",
                              "task_id", "traceback"])
        assert_eq(r.smembers("_kombu.binding.celery.pidbox"),
                  {"\x06\x16\x06\x16%s.celery.pidbox" % w.hostname})
        pttl = r.pttl("celery-task-meta-" + res.id)
        assert 0 < pttl <= EXPIRES * 1000, pttl


if __name__ == "__main__":
    h.run()
