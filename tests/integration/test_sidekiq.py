#!/usr/bin/python3
"""Sidekiq (Debian's ruby-sidekiq 6.4 on ruby-redis 4.8), Ruby's job queue
built on Redis, run on the server as an app runs it: jobs pushed by short
Ruby client scripts, run by the gem's own `sidekiq` executable started by
the test and stopped with SIGTERM as a process manager does. The app, its
setup and its jobs, is tests/integration/sidekiq/app.rb, on database 3;
jobs note what they did on the server, where the test reads it back with
redis-py next to Sidekiq's own keys (queues, the schedule, retry and dead
sets, the heartbeat, the stat counters). Covers pushing one job and many,
queues in priority order, two threads, jobs put back at shutdown,
scheduled jobs and retries moved by the poller's Lua script, the dead set
and its trimming, the API over queues and sorted sets, stats, the
heartbeat and a stop sent through it. Sidekiq uses pipelines, MULTI,
lists, BRPOP, sorted sets, hashes, SSCAN and ZSCAN, TTLs and EVALSHA.
tests/integration/test_rq.py does the same for Python's RQ. Passes
against redis-server too."""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, test  # noqa: E402

APP = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                   "sidekiq", "app.rb")

# The app's database: apps often keep Sidekiq's keys out of database 0.
DB = 3

# Sidekiq keeps its daily counters five years, and a heartbeat a minute.
STATS_TTL = 5 * 365 * 24 * 60 * 60
BEAT_TTL = 60

_missing = []


def sidekiq_missing():
    """Why Sidekiq cannot run here, or None (checked once)."""
    if not _missing:
        if not shutil.which("ruby") or not shutil.which("sidekiq"):
            _missing.append("ruby-sidekiq is not installed (make deps)")
        elif subprocess.run(["ruby", "-e", 'require "sidekiq"'],
                            capture_output=True, timeout=30).returncode:
            _missing.append("ruby cannot load sidekiq")
        else:
            _missing.append(None)
    return _missing[0]


def flushed():
    """A decoding redis-py client on database DB of the flushed shared
    server; skips the test when Sidekiq cannot run."""
    if sidekiq_missing():
        h.skip(sidekiq_missing())
    return h.flushed(decode_responses=True, db=DB)


def app_env():
    port = h.shared_server().port
    return dict(os.environ, REDIS_URL="redis://127.0.0.1:%d/%d" % (port, DB))


def ruby(code, *args):
    """Runs code as a Ruby client script with app.rb loaded and args in
    ARGV; returns the values it printed with out(), one a line of JSON."""
    p = subprocess.run(["ruby", "-r", APP, "-e", code] + list(args),
                       env=app_env(), capture_output=True, text=True,
                       timeout=30)
    if p.returncode != 0:
        raise AssertionError("ruby exited with %d:\n%s%s" % (
            p.returncode, p.stdout, p.stderr))
    return [json.loads(line) for line in p.stdout.splitlines()]


@contextlib.contextmanager
def worker(*options):
    """Runs the `sidekiq` executable on app.rb with the given options
    (e.g. "-c", "1", "-q", "critical") for the with block, then stops it
    with SIGTERM; -t 1 gives jobs still running one second before they
    are put back. Yields the Popen. A clean stop exits with status 0; its
    log (build/test-logs/sidekiq-*.log) is printed when the block fails."""
    os.makedirs(h.LOG_DIR, exist_ok=True)
    fd, log_path = tempfile.mkstemp(prefix="sidekiq-", suffix=".log",
                                    dir=h.LOG_DIR)
    with os.fdopen(fd, "wb") as log:
        p = subprocess.Popen(["sidekiq", "-r", APP, "-t", "1"] + list(options),
                             env=app_env(), stdout=log, stderr=log,
                             stdin=subprocess.DEVNULL, cwd=h.scratch_dir())
    try:
        yield p
        status = stop(p)
        if status != 0:
            raise AssertionError("sidekiq exited with status %s" % status)
    except BaseException:
        stop(p)
        with open(log_path, "rb") as f:
            tail = f.read().decode("utf-8", "replace").splitlines()[-30:]
        print("  sidekiq log %s:" % log_path)
        print("\n".join("    | " + line for line in tail), flush=True)
        raise


def stop(p, grace=10.0):
    """SIGTERM unless p exited already, then SIGKILL after grace seconds;
    returns p's exit status (negative for a signal)."""
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    return p.returncode


def done(r):
    """The arguments of the RecordJob runs so far, in order."""
    return [json.loads(x) for x in r.lrange("done", 0, -1)]


def wait_done(r, n, timeout=15.0):
    h.wait_for(lambda: r.llen("done") >= n, "%d jobs done" % n, timeout)
    return done(r)


def jobs(r, key):
    """The payloads of a Sidekiq list or sorted set, decoded; a sorted
    set's come with their scores as (payload, score)."""
    if r.type(key) == "list":
        return [json.loads(x) for x in r.lrange(key, 0, -1)]
    return [(json.loads(m), s)
            for m, s in r.zrange(key, 0, -1, withscores=True)]


@test
def push_and_the_queue_api():
    r = flushed()
    t0 = time.time()
    a, nested, urgent, low = ruby("""
        out RecordJob.perform_async("a")
        out RecordJob.perform_async({"n" => 1, "list" => [1.5, nil, true]})
        out UrgentJob.perform_async("u")
        out RecordJob.set(queue: "low").perform_async("l")
    """)
    t1 = time.time()
    assert_eq(r.smembers("queues"), {"default", "critical", "low"})
    assert_eq(h.shared_server().client().dbsize(), 0)
    assert_eq(r.type("queue:default"), "list")
    assert_eq([r.llen("queue:" + q) for q in ("default", "critical", "low")],
              [2, 1, 1])
    # LPUSH: the newest job at the head, BRPOP takes the oldest.
    newest, oldest = jobs(r, "queue:default")
    assert_eq((oldest["jid"], oldest["class"], oldest["args"]),
              (a, "RecordJob", ["a"]))
    assert_eq((newest["jid"], newest["args"]),
              (nested, [{"n": 1, "list": [1.5, None, True]}]))
    assert_eq((oldest["queue"], oldest["retry"]), ("default", True))
    assert t0 <= oldest["enqueued_at"] <= t1, (t0, oldest, t1)
    assert_eq([(j["jid"], j["args"]) for j in jobs(r, "queue:critical")],
              [(urgent, ["u"])])
    assert_eq([(j["jid"], j["args"]) for j in jobs(r, "queue:low")],
              [(low, ["l"])])

    api = ruby("""
        out Sidekiq::Queue.all.map(&:name)
        out Sidekiq::Queue.new.size
        q = Sidekiq::Queue.new("default")
        job = q.find_job(ARGV[0])
        out [job.klass, job.args, job.queue]
        out q.latency >= 0
        s = Sidekiq::Stats.new
        out [s.enqueued, s.queues]
    """, nested)
    assert_eq(api, [["critical", "default", "low"], 2,
                    ["RecordJob", [{"n": 1, "list": [1.5, None, True]}],
                     "default"],
                    True, [4, {"default": 2, "critical": 1, "low": 1}]])

    # JobRecord#delete takes one job out (LREM); Queue#clear drops the
    # list and the name in "queues" in one MULTI.
    assert_eq(ruby("""
        out Sidekiq::Queue.new.find_job(ARGV[0]).delete
        Sidekiq::Queue.new("low").clear
        out Sidekiq::Queue.new("nope").find_job(ARGV[0])
    """, a), [True, None])
    assert_eq([j["jid"] for j in jobs(r, "queue:default")], [nested])
    assert_eq(r.exists("queue:low"), 0)
    assert_eq(r.smembers("queues"), {"default", "critical"})


@test
def push_bulk_and_perform_bulk():
    r = flushed()
    # push_bulk sends its 1500 jobs in one LPUSH, perform_bulk one LPUSH
    # per 1000; every job has a jid of its own.
    jids = ruby("""
        out Sidekiq::Client.push_bulk("class" => RecordJob,
                                      "args" => (1..1500).map { |i| [i] })
        out RecordJob.perform_bulk((1..2500).map { |i| ["p#{i}"] },
                                   batch_size: 1000)
    """)
    assert_eq((len(jids[0]), len(jids[1])), (1500, 2500))
    assert_eq(len(set(jids[0] + jids[1])), 4000)
    assert_eq(r.llen("queue:default"), 4000)
    assert_eq(r.smembers("queues"), {"default"})
    # Oldest at the tail: the first push's first job, then in order.
    tail = [json.loads(x) for x in r.lrange("queue:default", -3, -1)]
    assert_eq([j["args"] for j in tail], [[3], [2], [1]])
    assert_eq(json.loads(r.lindex("queue:default", 0))["args"], ["p2500"])
    assert_eq(json.loads(r.lindex("queue:default", 0))["jid"], jids[1][-1])

    # A bulk push with "at" times goes to the schedule, one score each.
    at = time.time() + 3600
    sched = ruby("""
        at = ARGV[0].to_f
        out Sidekiq::Client.push_bulk("class" => RecordJob,
            "args" => [["x"], ["y"], ["z"]], "at" => [at, at + 1, at + 2])
        out Sidekiq::ScheduledSet.new.size
    """, repr(at))
    assert_eq(sched[1], 3)
    got = jobs(r, "schedule")
    assert_eq([(j["jid"], j["args"]) for j, _ in got],
              list(zip(sched[0], [["x"], ["y"], ["z"]])))
    for i, (_, score) in enumerate(got):
        assert abs(score - (at + i)) < 0.01, (score, at + i)
    assert_eq(r.llen("queue:default"), 4000)


@test
def worker_takes_queues_in_order():
    r = flushed()
    # Pushed before the worker starts: with one thread and strictly
    # ordered queues (BRPOP queue:critical queue:default) every critical
    # job runs first, and each queue runs oldest first.
    ruby("""
        3.times { |i| RecordJob.perform_async("d#{i}") }
        3.times { |i| UrgentJob.perform_async("c#{i}") }
    """)
    with worker("-c", "1", "-q", "critical", "-q", "default"):
        assert_eq(wait_done(r, 6), ["c0", "c1", "c2", "d0", "d1", "d2"])
        # A job pushed while the worker waits in BRPOP runs at once.
        jid, = ruby('out RecordJob.perform_async(["late", 1])')
        assert_eq(wait_done(r, 7)[-1], ["late", 1])
        assert jid in r.hkeys("ran_at")
        assert_eq(r.llen("queue:default") + r.llen("queue:critical"), 0)


@test
def two_threads_and_jobs_put_back_at_shutdown():
    r = flushed()
    jids = ruby('3.times { |i| out HoldJob.perform_async("h#{i}") }')
    with worker("-c", "2") as p:
        # Two threads: two jobs run at once, the third waits its turn.
        h.wait_for(lambda: r.llen("started") == 2, "two jobs started")
        assert_eq(set(r.lrange("started", 0, -1)), set(jids[:2]))
        assert_eq(r.llen("queue:default"), 1)
        # One of them goes on, and the third starts.
        r.rpush("go", "1")
        h.wait_for(lambda: r.llen("started") == 3, "the third job started")
        first, = wait_done(r, 1)
        assert first in ("h0", "h1"), first
        held = set(jids) - set(r.hkeys("ran_at"))
        assert_eq(len(held), 2)
        # TERM: the two jobs still waiting do not finish within -t 1, so
        # Sidekiq puts them back on their queue before it exits.
        p.send_signal(signal.SIGTERM)
        assert_eq(p.wait(timeout=15), 0)
    assert_eq(done(r), [first])
    assert_eq({j["jid"] for j in jobs(r, "queue:default")}, held)
    assert_eq(r.scard("processes"), 0)


@test
def scheduled_jobs_run_when_due():
    r = flushed()
    t0 = time.time()
    soon, later, hour, gone = ruby("""
        out RecordJob.perform_in(0.5, "soon")
        out RecordJob.perform_at(Time.now + 1.2, "later")
        out RecordJob.perform_in(3600, "hour")
        out RecordJob.perform_in(3600, "gone")
    """)
    t1 = time.time()
    assert_eq(r.type("schedule"), "zset")
    assert_eq(r.exists("queue:default"), 0)
    # Each job's score is the time it is due.
    at = {j["jid"]: score for j, score in jobs(r, "schedule")}
    for jid, delay in ((soon, 0.5), (later, 1.2), (hour, 3600)):
        assert t0 + delay <= at[jid] <= t1 + delay, (jid, at[jid], t0, t1)
    # ScheduledSet#find_job scans for the jid (ZSCAN MATCH), delete
    # takes that one member out.
    assert_eq(ruby("""
        s = Sidekiq::ScheduledSet.new
        j = s.find_job(ARGV[0])
        out [j.args, j.at.to_f == ARGV[1].to_f]
        out j.delete
        out s.find_job("0123456789abcdef01234567")
        out Sidekiq::ScheduledSet.new.size
    """, gone, repr(at[gone])), [[["gone"], True], True, None, 3])

    # One thread, so the two jobs run in the order they come due.
    with worker("-c", "1"):
        # The poller's Lua script moves each job to its queue once its
        # time has come, and not before.
        assert_eq(wait_done(r, 2), ["soon", "later"])
        ran = r.hgetall("ran_at")
        for jid in (soon, later):
            assert float(ran[jid]) >= at[jid], (jid, ran[jid], at[jid])
        assert_eq([j["jid"] for j, _ in jobs(r, "schedule")], [hour])
        assert_eq(r.zscore("schedule", r.zrange("schedule", 0, 0)[0]),
                  at[hour])
        # A scheduled job run now instead, from the API.
        ruby("Sidekiq::ScheduledSet.new.find_job(ARGV[0]).add_to_queue",
             hour)
        assert_eq(wait_done(r, 3), ["soon", "later", "hour"])
        assert_eq(r.exists("schedule"), 0)


@test
def retries_then_dead_then_fixed():
    r = flushed()
    r.set("broken", "1")
    jid, = ruby('out FlakyJob.perform_async("f")')
    with worker("-c", "2"):
        h.wait_for(lambda: r.zcard("retry") == 1, "the job in the retry set")
        (job, score), = jobs(r, "retry")
        assert_eq((job["jid"], job["retry_count"], job["error_class"],
                   job["error_message"], job["queue"]),
                  (jid, 0, "ArgumentError", "still broken: f", "default"))
        # First retry after 15 s plus up to 9 s of jitter.
        assert 15 <= score - job["failed_at"] < 25, (score, job["failed_at"])
        assert_eq(r.llen("queue:default"), 0)

        # Rescheduled to now (ZINCRBY), the poller puts it back on its
        # queue; it fails again and, with retry: 1, goes to the dead set.
        ruby("Sidekiq::RetrySet.new.find_job(ARGV[0]).reschedule(Time.now)",
             jid)
        h.wait_for(lambda: r.zcard("dead") == 1, "the job in the dead set")
        assert_eq(r.zcard("retry"), 0)
        (job, score), = jobs(r, "dead")
        assert_eq((job["jid"], job["retry_count"]), (jid, 1))
        assert job["failed_at"] <= job["retried_at"] <= score, job
        assert_eq(ruby("""
            s = Sidekiq::Stats.new
            out [s.retry_size, s.dead_size]
        """), [[0, 1]])

        # The bug fixed, the dead job retried from the API runs.
        r.delete("broken")
        ruby("Sidekiq::DeadSet.new.find_job(ARGV[0]).retry", jid)
        assert_eq(wait_done(r, 1), ["f"])
        assert_eq(r.zcard("dead"), 0)
        assert jid in r.hkeys("ran_at")


@test
def sorted_set_api():
    r = flushed()
    # Jobs put straight into the retry set, as a failure leaves them;
    # f1 and f2 share a score.
    when = time.time() + 600
    ruby("""
        at = ARGV[0].to_f
        rs = Sidekiq::RetrySet.new
        %w[f1 f2 f3 f4].each_with_index do |tag, i|
          rs.schedule(tag == "f2" ? at : at + i,
                      "class" => "RecordJob", "args" => [tag],
                      "queue" => "default", "jid" => "jid-#{tag}",
                      "retry" => true, "retry_count" => 2,
                      "error_class" => "RuntimeError")
        end
    """, repr(when))
    assert_eq(r.zcard("retry"), 4)
    assert_eq(r.zscore("retry", r.zrange("retry", 0, 0)[0]), when)
    got = ruby("""
        rs = Sidekiq::RetrySet.new
        out rs.scan("f3").map(&:jid)
        out rs.map(&:jid)
        # Retry one of two jobs with the same score: both are taken out
        # in a MULTI, the other put back.
        rs.find_job("jid-f2").retry
        # Kill moves one to the dead set; delete drops one.
        rs.find_job("jid-f3").kill
        out Sidekiq::RetrySet.new.find_job("jid-f4").delete
        out Sidekiq::RetrySet.new.map(&:jid)
        out Sidekiq::DeadSet.new.map { |j| [j.jid, j.error?] }
    """)
    # Latest first; f1 and f2 by member, as ZRANGE orders a tie.
    assert_eq(got, [["jid-f3"], ["jid-f4", "jid-f3", "jid-f2", "jid-f1"],
                    True, ["jid-f1"], [["jid-f3", True]]])
    assert_eq([(j["jid"], s) for j, s in jobs(r, "retry")],
              [("jid-f1", when)])
    # SortedEntry#retry counts the retry back down before it queues it.
    (job,) = jobs(r, "queue:default")
    assert_eq((job["jid"], job["retry_count"]), ("jid-f2", 1))
    assert_eq(r.zcard("dead"), 1)

    ruby("""
        Sidekiq::RetrySet.new.retry_all
        Sidekiq::DeadSet.new.retry_all
    """)
    assert_eq(r.exists("retry", "dead"), 0)
    assert_eq(sorted(j["jid"] for j in jobs(r, "queue:default")),
              ["jid-f1", "jid-f2", "jid-f3"])
    ruby("Sidekiq::Queue.new.clear")
    assert_eq(r.exists("queue:default"), 0)


@test
def dead_set_trims_by_age_and_count():
    r = flushed()
    got = ruby("""
        Sidekiq.options[:dead_max_jobs] = 4
        Sidekiq.options[:dead_timeout_in_seconds] = 3600
        dead = Sidekiq::DeadSet.new
        dead.schedule(Time.now.to_f - 7200, "class" => "RecordJob",
                      "args" => ["old"], "jid" => "old")
        out Sidekiq::DeadSet.new.size
        6.times do |i|
          dead.kill(JSON.dump("class" => "RecordJob", "args" => [i],
                              "jid" => "d#{i}"), notify_failure: false)
        end
        out Sidekiq::DeadSet.new.map(&:jid)
    """)
    # Each kill drops what died more than the timeout ago
    # (ZREMRANGEBYSCORE) and all but the newest (ZREMRANGEBYRANK 0 -4,
    # which keeps three of a limit of four).
    assert_eq(got, [1, ["d5", "d4", "d3"]])
    assert_eq([j["jid"] for j, _ in jobs(r, "dead")], ["d3", "d4", "d5"])


@test
def api_over_many_jobs():
    r = flushed()
    base = time.time() + 3600
    # 300 scheduled jobs, one a second: more than a page of the API's
    # ZRANGE walk (50) or of its ZSCAN (COUNT 100), and past the size
    # where Redis leaves its compact listpack encoding.
    jids = ruby("""
        base = ARGV[0].to_f
        out Sidekiq::Client.push_bulk("class" => RecordJob,
            "args" => (0...300).map { |i| [i] },
            "at" => (0...300).map { |i| base + i })
        120.times { |i| RecordJob.perform_async(i) }
    """, repr(base))[0]
    assert_eq((r.zcard("schedule"), r.llen("queue:default")), (300, 120))
    got = ruby("""
        s = Sidekiq::ScheduledSet.new
        all = s.map { |j| j.args[0] }
        out [all.size, all.first(3), all.last(3)]
        out s.find_job(ARGV[0]).args
        base = ARGV[1].to_f
        out s.fetch((base + 10)..(base + 12)).map { |j| j.args[0] }
        out s.fetch(base + 20, ARGV[2]).map(&:jid)
        out s.scan("zzz-not-there").to_a.size
        # Deleting while walking a queue: the walk makes up for it.
        q = Sidekiq::Queue.new
        q.each { |j| j.delete if j.args[0].odd? }
        out [q.size, q.map { |j| j.args[0] }.first(3)]
    """, jids[257], repr(base), jids[20])
    assert_eq(got, [[300, [299, 298, 297], [2, 1, 0]], [257], [10, 11, 12],
                    [jids[20]], 0, [60, [118, 116, 114]]])
    assert_eq([j["args"][0] for j in jobs(r, "queue:default")],
              list(range(118, -1, -2)))


@test
def stats_counters():
    r = flushed()
    ruby("""
        2.times { DoomedJob.perform_async }
        3.times { |i| RecordJob.perform_async(i) }
    """)
    with worker("-c", "1"):
        # One thread, oldest first: the doomed jobs have run.
        assert_eq(wait_done(r, 3), [0, 1, 2])
    # The counters go to the server with the heartbeat every 5 s, and at
    # exit. A job that is not retried is in neither set.
    assert_eq(r.mget("stat:processed", "stat:failed"), ["5", "2"])
    assert_eq(r.zcard("retry") + r.zcard("dead"), 0)
    day, = r.keys("stat:processed:*")
    date = day.split(":")[2]
    assert_eq(r.get(day), "5")
    assert_eq(r.get("stat:failed:" + date), "2")
    assert STATS_TTL - 60 < r.ttl(day) <= STATS_TTL, r.ttl(day)
    got = ruby("""
        require "date"
        s = Sidekiq::Stats.new
        out [s.processed, s.failed, s.enqueued, s.processes_size]
        out Sidekiq::Stats::History.new(1, Date.parse(ARGV[0])).processed
        Sidekiq::Stats.new.reset("failed")
        out Sidekiq::Stats.new.failed
    """, date)
    assert_eq(got, [[5, 2, 0, 0], {date: 5}, 0])
    assert_eq(r.mget("stat:processed", "stat:failed"), ["5", "0"])


@test
def heartbeat_and_stop_from_the_api():
    r = flushed()
    # A process that died without saying so: in the set, but its hash
    # has expired. ProcessSet#cleanup prunes it, and so does a worker's
    # poller every tenth round.
    ghost = "ghost:1:0123456789ab"
    r.sadd("processes", ghost)
    assert_eq(ruby("""
        out Sidekiq::ProcessSet.new(false).size
        out Sidekiq::ProcessSet.new(false).cleanup
    """), [1, 1])
    assert_eq(r.exists("processes"), 0)
    r.sadd("processes", ghost)
    with worker("-c", "3", "-q", "default", "-q", "low", "-g", "batch") as p:
        h.wait_for(lambda: r.sismember("processes", ghost) == 0
                   and r.scard("processes") == 1, "the heartbeat")
        me, = r.smembers("processes")
        assert (":%d:" % p.pid) in me, me
        assert_eq(r.type(me), "hash")
        assert 0 < r.ttl(me) <= BEAT_TTL, r.ttl(me)
        beat = r.hgetall(me)
        assert_eq((beat["busy"], beat["quiet"]), ("0", "false"))
        assert abs(float(beat["beat"]) - time.time()) < 10, beat
        assert int(beat["rss"]) > 0 and int(beat["rtt_us"]) > 0, beat
        info = json.loads(beat["info"])
        assert_eq((info["pid"], info["concurrency"], info["queues"],
                   info["tag"], info["identity"]),
                  (p.pid, 3, ["default", "low"], "batch", me))

        # A running job shows in the next beat (within 5 s): the count in
        # "busy", and the job itself in "<identity>:workers".
        jid, = ruby('out HoldJob.perform_async("busy")')
        h.wait_for(lambda: r.hget(me, "busy") == "1", "a beat with a job")
        (work,) = r.hvals(me + ":workers")
        work = json.loads(work)
        assert_eq((work["queue"], json.loads(work["payload"])["jid"]),
                  ("default", jid))
        assert 0 < r.ttl(me + ":workers") <= BEAT_TTL
        assert_eq(ruby("""
            ws = Sidekiq::WorkSet.new
            out ws.size
            out ws.map { |process, _, work| [process, work["payload"]["jid"]] }
        """), [1, [[me, jid]]])
        r.rpush("go", "1")
        assert_eq(wait_done(r, 1), ["busy"])

        got = ruby("""
            ps = Sidekiq::ProcessSet.new
            out ps.size
            out ps.map { |x| [x.identity, x["pid"], x.tag, x.queues] }
            out ps.total_concurrency
            # Stop: a TERM on "<identity>-signals", which the next
            # beat pops.
            ps.each(&:stop!)
        """)
        assert_eq(got, [1, [[me, p.pid, "batch", ["default", "low"]]], 3])
        # The signal may already have been popped, so at most this TERM.
        assert r.lrange(me + "-signals", 0, -1) in ([], ["TERM"])
        assert_eq(p.wait(timeout=15), 0)
    # Gone from the set; its hash is left to expire.
    assert_eq(r.scard("processes"), 0)
    assert_eq(r.exists(me + "-signals", me + ":workers"), 0)
    assert 0 < r.ttl(me) <= BEAT_TTL, r.ttl(me)


if __name__ == "__main__":
    h.run()
