#!/usr/bin/python3
"""RQ (Debian's python3-rq), a Python job queue built on Redis, run on the
server as an app runs it: jobs enqueued through one connection and run by
an in-process worker (SimpleWorker, burst mode) through another. Covers
results, failures and their registries, retries, dependencies, jobs put
at the front, scheduled jobs moved by the worker's scheduler, and
cancelling. RQ uses MULTI/WATCH pipelines, lists, sorted sets, hashes,
pub/sub and CLIENT SETNAME/LIST; tests/integration/test_bullmq.mjs does
the same for Node's BullMQ. Passes against redis-server too."""

import os
import sys
import time
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, test  # noqa: E402

try:
    from rq import Queue, Retry, SimpleWorker
    from rq.job import JobStatus
    from rq.registry import (FailedJobRegistry, FinishedJobRegistry,
                             ScheduledJobRegistry)
except ImportError:  # reported by each test as a skip
    Queue = None

# Workers import a job's function by name, and not from __main__: these
# two are the standard library's.
DOUBLE = "operator.mul"     # DOUBLE, x, 2
BOOM = "math.sqrt"          # BOOM, -1 raises ValueError


def queue(name="default"):
    if Queue is None:
        h.skip("python3-rq is not installed (make deps)")
    r = h.flushed()
    return r, Queue(name, connection=r)


def work(r, q, **kw):
    """Runs a worker on its own connection until q is empty (its log,
    failed jobs' tracebacks included, left out)."""
    w = SimpleWorker([q], connection=h.shared_server().client())
    w.work(burst=True, logging_level="CRITICAL", **kw)
    return w


@test
def results_failures_and_registries():
    r, q = queue()
    a = q.enqueue(DOUBLE, 21, 2)
    b = q.enqueue(BOOM, -1)
    assert_eq(q.count, 2)
    work(r, q)
    a.refresh()
    b.refresh()
    assert_eq((a.get_status(), a.result), (JobStatus.FINISHED, 42))
    assert_eq(b.get_status(), JobStatus.FAILED)
    assert "ValueError: math domain error" in b.exc_info, b.exc_info
    assert_eq(FinishedJobRegistry(queue=q).get_job_ids(), [a.id])
    assert_eq(FailedJobRegistry(queue=q).get_job_ids(), [b.id])
    assert_eq(q.count, 0)


@test
def retries_then_fails():
    r, q = queue()
    job = q.enqueue(BOOM, -1, retry=Retry(max=2))
    work(r, q)
    job.refresh()
    assert_eq(job.get_status(), JobStatus.FAILED)
    assert_eq(job.retries_left, 0)


@test
def dependencies_and_order():
    r, q = queue()
    first = q.enqueue(DOUBLE, 1, 2)
    after = q.enqueue(DOUBLE, 5, 2, depends_on=first)
    assert_eq(after.get_status(), JobStatus.DEFERRED)
    front = q.enqueue(DOUBLE, 7, 2, at_front=True)
    assert_eq(q.job_ids, [front.id, first.id])
    work(r, q)
    for j in (first, after, front):
        j.refresh()
    assert_eq([first.result, after.result, front.result], [2, 10, 14])
    assert after.ended_at >= first.ended_at


@test
def scheduled_job_runs_when_due():
    r, q = queue()
    job = q.enqueue_in(timedelta(milliseconds=300), DOUBLE, 4, 2)
    assert_eq(ScheduledJobRegistry(queue=q).get_job_ids(), [job.id])
    assert_eq(q.count, 0)
    # The worker's scheduler moves the job to the queue once it is due;
    # burst mode stops at an empty queue, so start it after that time.
    time.sleep(0.4)
    work(r, q, with_scheduler=True)
    job.refresh()
    assert_eq((job.get_status(), job.result), (JobStatus.FINISHED, 8))


@test
def cancelled_job_does_not_run():
    r, q = queue()
    keep = q.enqueue(DOUBLE, 3, 2)
    drop = q.enqueue(DOUBLE, 9, 2)
    drop.cancel()
    assert_eq(q.job_ids, [keep.id])
    work(r, q)
    keep.refresh()
    drop.refresh()
    assert_eq(keep.result, 6)
    assert_eq(drop.get_status(), JobStatus.CANCELED)
    assert drop.result is None


if __name__ == "__main__":
    h.run()
