/* worker.h - the start and stop of a helper thread that sleeps until it
 * has a job (worker.c says why). The queue and the rule for what a stop
 * leaves undone belong to the user. */
#ifndef RESPITE_WORKER_H
#define RESPITE_WORKER_H

#include <stdatomic.h>
#include <uv.h>

struct worker {
    uv_thread_t thread;
    uv_mutex_t lock;                /* the user's queue is under it too */
    uv_cond_t wake;                 /* job queued, or stop asked */
    atomic_int stop;                /* atomic: may be read without lock */
    int started;
};

int worker_init(struct worker *w);
int worker_start(struct worker *w, void (*fn)(void *), void *arg);
void worker_stop(struct worker *w);
void worker_forget(struct worker *w);
void worker_close(struct worker *w);

/* Whether worker_stop has asked the thread to end. */
static inline int worker_stopping(struct worker *w)
{
    return atomic_load(&w->stop);
}

#endif
