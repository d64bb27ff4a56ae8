/* release.c - the stores give their big arrays back to the kernel here,
 * on a thread of its own, the way Redis frees big values on a background
 * thread (lazyfree).
 *
 * Why: munmap and madvise(MADV_DONTNEED) of pages that were in use make
 * the kernel flush those pages from every CPU's TLB. When another thread
 * of ours (jemalloc's background purger, this one) last ran on another
 * CPU, the call waits for that CPU to answer an interrupt, and on a
 * virtual machine whose other vCPU is descheduled that wait took 1-3 ms
 * (perf: smp_call_function_many_cond inside the rehash's drain and the
 * table free). Here the loop only queues the job.
 *
 * Order matters, so one thread takes the jobs first in, first out: a drop
 * queued for part of a mapping must run before the unmap of the mapping,
 * or the address range could be mapped anew in between and the drop
 * would zero the new owner's pages. A full queue makes the loop wait for
 * room rather than run the job itself, for the same reason. While a job
 * waits its pages are still resident: `pending` counts them, and INFO
 * adds it to used_memory (the store stopped counting them when it queued
 * the job).
 *
 * The thread's start and stop are server/worker.c's. A stop here runs
 * every queued job first: each one is memory the store already let go
 * of, and nothing else would give it back. */
#include <sys/mman.h>

#include "server/release.h"

/* Takes the first job off the queue (lock held). */
static void take(struct release *r, struct store_release *j)
{
    *j = r->q[r->head];
    r->head = (r->head + 1) % RELEASE_QUEUE;
    r->n--;
    uv_cond_signal(&r->room);
}

static void run(const struct store_release *j)
{
    if (j->unmap)
        munmap(j->addr, j->len);
    else
        madvise(j->addr, j->len, MADV_DONTNEED);
}

/* Runs the jobs first in, first out; after a stop, until none is left. */
static void thread_main(void *arg)
{
    struct release *r = arg;
    uv_mutex_lock(&r->w.lock);
    for (;;) {
        while (r->n == 0 && !worker_stopping(&r->w))
            uv_cond_wait(&r->w.wake, &r->w.lock);
        if (r->n == 0)
            break;
        struct store_release j;
        take(r, &j);
        uv_mutex_unlock(&r->w.lock);
        run(&j);
        atomic_fetch_sub(&r->pending, j.resident);
        uv_mutex_lock(&r->w.lock);
    }
    uv_mutex_unlock(&r->w.lock);
}

/* Starts the thread. 0, or a negative libuv error code. */
int release_start(struct release *r)
{
    *r = (struct release){ 0 };
    int rc = worker_init(&r->w);
    if (rc)
        return rc;
    if ((rc = uv_cond_init(&r->room)) != 0)
        goto no_room;
    if ((rc = worker_start(&r->w, thread_main, r)) != 0)
        goto no_thread;
    return 0;
no_thread:
    uv_cond_destroy(&r->room);
no_room:
    worker_close(&r->w);
    return rc;
}

/* Without the thread (stopped, or a forked child's, where it does not
 * exist) the job runs here: nobody else would run it. */
void release_pages(void *ctx, const struct store_release *job)
{
    struct release *r = ctx;
    if (!r->w.started) {
        run(job);
        return;
    }
    uv_mutex_lock(&r->w.lock);
    while (r->n == RELEASE_QUEUE)
        uv_cond_wait(&r->room, &r->w.lock);
    r->q[(r->head + r->n) % RELEASE_QUEUE] = *job;
    r->n++;
    atomic_fetch_add(&r->pending, job->resident);
    uv_cond_signal(&r->w.wake);
    uv_mutex_unlock(&r->w.lock);
}

/* Bytes queued and not yet given back. */
size_t release_pending(const struct release *r)
{
    return atomic_load(&r->pending);
}

/* See release.h. */
void release_forget(struct release *r)
{
    worker_forget(&r->w);
    uv_cond_init(&r->room);
}

/* Runs what is queued, then ends the thread; a no-op if it never
 * started (or was stopped already). */
void release_stop(struct release *r)
{
    if (!r->w.started)
        return;
    worker_stop(&r->w);
    uv_cond_destroy(&r->room);
    worker_close(&r->w);
}
