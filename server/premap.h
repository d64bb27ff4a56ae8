/* premap.h - a thread that maps the stores' next bucket arrays ahead, so
 * that a table resize takes a ready mapping instead of calling mmap on
 * the event loop (premap.c says why). */
#ifndef RESPITE_PREMAP_H
#define RESPITE_PREMAP_H

#include <stddef.h>
#include <stdint.h>

#define PREMAP_POOL 64              /* regions ready or on their way */

struct premap;                      /* opaque */

struct premap_stats {
    uint64_t taken;                 /* takes that got a ready region */
    uint64_t missed;                /* takes that found none */
    uint64_t late;                  /* of missed: one was on its way */
    uint64_t queued, dropped;       /* map jobs; dropped: every slot busy */
    uint64_t evicted;               /* ready regions unmapped for room */
    uint64_t mapped, failed;        /* jobs the thread ran; mmap failed */
    size_t ready_bytes;             /* in ready regions now */
};

struct premap *premap_new(void);
int premap_start(struct premap *m);
int premap_queue(struct premap *m, size_t len);
void *premap_take(struct premap *m, size_t len);
/* A store_map_cb (store/store.h): takes a ready region of len bytes
 * (NULL if there is none) and queues one of 2 * len, the next doubling
 * of the same table; ctx is the struct premap. Never waits for the
 * thread. */
void *premap_map(void *ctx, size_t len);
void premap_stats(struct premap *m, struct premap_stats *out);
/* In a forked child, where the thread does not exist: regions ready at
 * the fork can still be taken; jobs queue until every slot is taken,
 * then drop, and none runs (a no-op for NULL). */
void premap_forget(struct premap *m);
void premap_free(struct premap *m);

#endif
