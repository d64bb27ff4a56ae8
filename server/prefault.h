/* prefault.h - a thread that faults in the memory jemalloc maps for the
 * event loop's arena before the loop first touches it (prefault.c says
 * why). */
#ifndef RESPITE_PREFAULT_H
#define RESPITE_PREFAULT_H

#include <stddef.h>
#include <stdint.h>

#define PREFAULT_QUEUE 64           /* jobs waiting at most; more drop */

struct prefault;                    /* opaque: jemalloc holds a pointer in */

struct prefault_stats {
    uint64_t grown;                 /* alloc hook calls that got memory */
    uint64_t grown_bytes;
    uint64_t queued, dropped;       /* jobs; dropped: queue full or off */
    uint64_t done;                  /* jobs the thread finished */
    uint64_t populated_bytes;       /* bytes madvise populated */
    int unsupported;                /* kernel lacks MADV_POPULATE_WRITE */
};

struct prefault *prefault_new(void);
int prefault_start(struct prefault *p);
int prefault_hook_thread_arena(struct prefault *p);
int prefault_queue(struct prefault *p, void *addr, size_t len);
/* A store_populate_cb (store/store.h): queues the range; ctx is the
 * struct prefault. A full queue drops it (the store's writers then fault
 * the pages in themselves). */
void prefault_pages(void *ctx, void *addr, size_t len);
void prefault_stats(struct prefault *p, struct prefault_stats *out);
/* In a forked child, where the thread does not exist: jobs are queued
 * until the queue is full, then dropped, and none runs (a no-op for
 * NULL). */
void prefault_forget(struct prefault *p);
void prefault_free(struct prefault *p);

#endif
