/* worker.c - the lifecycle the server's helper threads share
 * (server/release.c, server/prefault.c, server/premap.c): a lock, a
 * condition the thread sleeps on until a job is queued or a stop is
 * asked, the stop flag, and the start and join of the thread.
 *
 * Why a module: the three wrote the same init, start and shutdown by
 * hand, and a shutdown that forgets to signal under the lock leaves a
 * thread asleep and the join waiting forever. Here it is written once.
 *
 * What stays with each user: its queue (under w->lock), its loop, and
 * what a stop means for the jobs still queued (release runs them first,
 * prefault and premap drop them). worker_stop only asks and waits; the
 * thread's loop decides when to return. */
#include "server/worker.h"

/* The lock and the condition, no thread yet: 0, or a negative libuv
 * error code (nothing is left to close then). */
int worker_init(struct worker *w)
{
    atomic_init(&w->stop, 0);
    w->started = 0;
    int rc = uv_mutex_init(&w->lock);
    if (rc)
        return rc;
    if ((rc = uv_cond_init(&w->wake)) != 0)
        uv_mutex_destroy(&w->lock);
    return rc;
}

/* Runs fn(arg) on a new thread: 0, or a negative libuv error code. */
int worker_start(struct worker *w, void (*fn)(void *), void *arg)
{
    int rc = uv_thread_create(&w->thread, fn, arg);
    if (rc == 0)
        w->started = 1;
    return rc;
}

/* Asks the thread to stop and waits until it has returned; a no-op if
 * it never started. The flag is set and signalled under the lock, so a
 * thread between its check and its wait cannot miss it. */
void worker_stop(struct worker *w)
{
    if (!w->started)
        return;
    uv_mutex_lock(&w->lock);
    atomic_store(&w->stop, 1);
    uv_cond_signal(&w->wake);
    uv_mutex_unlock(&w->lock);
    uv_thread_join(&w->thread);
    w->started = 0;
}

/* In a forked child: the thread does not exist there, and at the fork it
 * may have held the lock or waited on the condition, whose copies would
 * then never be released. Both are made anew (nothing else can use them
 * in the child yet) and the worker counts as never started, which its
 * user reads as "run the job yourself, or drop it". */
void worker_forget(struct worker *w)
{
    w->started = 0;
    uv_mutex_init(&w->lock);
    uv_cond_init(&w->wake);
}

/* Destroys the lock and the condition; the thread must be stopped. */
void worker_close(struct worker *w)
{
    uv_cond_destroy(&w->wake);
    uv_mutex_destroy(&w->lock);
}
