/* release.h - a thread that gives the stores' big mappings back to the
 * kernel, off the event loop (release.c says why). */
#ifndef RESPITE_RELEASE_H
#define RESPITE_RELEASE_H

#include <stdatomic.h>
#include <stddef.h>
#include <uv.h>

#include "server/worker.h"
#include "store/store.h"

#define RELEASE_QUEUE 1024          /* jobs waiting at most */

struct release {
    struct worker w;                /* the thread; its lock guards q */
    uv_cond_t room;                 /* a job taken off a full queue */
    struct store_release q[RELEASE_QUEUE];
    unsigned head, n;               /* first queued job; jobs queued */
    /* Bytes in queued jobs or in hand; atomic so INFO reads it
     * without the lock. */
    atomic_size_t pending;
};

int release_start(struct release *r);
/* A store_release_cb (store/store.h): queues the job; ctx is the
 * struct release. */
void release_pages(void *ctx, const struct store_release *job);
size_t release_pending(const struct release *r);
/* In a forked child: the thread is not there, so jobs run inline from
 * now on; those queued at the fork never run (the child's copy of that
 * memory goes when it exits). */
void release_forget(struct release *r);
void release_stop(struct release *r);

#endif
