/* prefault.c - when jemalloc maps new memory for the event loop's arena,
 * a thread of this file faults it in (madvise MADV_POPULATE_WRITE) before
 * the loop first writes to it.
 *
 * Why: a growing keyspace keeps writing to memory that was never touched,
 * and each first touch of an anonymous page is a page fault. On this kind
 * of virtual machine a few of those faults take over a millisecond (perf:
 * do_anonymous_page -> native_set_pte, the hypervisor) and that was most
 * of the single commands still slower than 1 ms while a database grows to
 * 10M keys (issue 2, scripts/bench-rehash-pause.sh). Taken here, the slow
 * faults stall this thread instead: inserts over 1 ms went from 83-114 to
 * 28-63 a run (control loop 3-12), those with a fault in them from 107 to
 * 28 (PREFAULT=0 in the script's environment gives the A/B); the loop's
 * faults in store and allocator code fell from 44196 to 1619 over 2M
 * inserts (perf record -e page-faults). Still on the loop: the store's own
 * mappings, which store/pages.c fills inline, and memory jemalloc purged
 * and reuses (below).
 *
 * How: the arena's extent hooks are jemalloc's own with alloc wrapped.
 * With opt.retain (the default on Linux) jemalloc calls alloc only to grow
 * its virtual space, in steps about 1.2x the previous one, and reuses
 * what it retains without calling it again; the wrapper queues every
 * committed range it returns. So a whole step becomes resident up front,
 * ahead of use: at most one step (about a sixth of what the arena has
 * mapped) more RSS than jemalloc would otherwise have; after 1M SETs of
 * 32-byte values, 91 bytes of RSS a key instead of 85. Memory jemalloc
 * purged and later reuses is not seen here and still faults in the loop.
 *
 * The hook runs inside jemalloc, possibly with its locks held: it calls
 * nothing that allocates, holds our lock only to copy a job in, and drops
 * the job when the queue is full (a populate is only an optimisation;
 * waiting for room could wait on a thread that waits on jemalloc).
 *
 * Order does not matter, unlike server/release.c's jobs: a populate never
 * changes what memory holds. A page already present is left as it is; a
 * missing one gets a zeroed page, which is what the next read or write
 * would see anyway (so jemalloc's "fresh memory is zeroed" still holds).
 * If the range was purged or unmapped meanwhile, the populate only costs
 * RSS until the next purge, or fails harmlessly (ENOMEM).
 *
 * The thread's start and stop are server/worker.c's. A stop drops what
 * is queued and cuts the running job short at the next chunk: nothing
 * is lost, the pages fault in when they are used. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <uv.h>

#ifdef USE_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

#include "server/prefault.h"
#include "server/worker.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23          /* Linux 5.14 */
#endif

/* Populated per madvise call: each call holds the mm's lock for reading,
 * and the loop's own mmap (jemalloc growing, the store mapping a table)
 * waits for it. At 15 us a fault (more now and then) 16 pages keep that
 * wait well under a millisecond; 1 MB chunks made the 16 tables mapped
 * at 8M keys wait 4 ms and more (scripts/bench-rehash-pause.sh). */
#define PREFAULT_CHUNK (1u << 16)

struct job {
    char *addr;
    size_t len;
};

struct prefault {
#ifdef USE_JEMALLOC
    extent_hooks_t hooks;               /* first: the hook casts back */
    extent_hooks_t *orig;               /* jemalloc's, which ours wrap */
    unsigned arena;
    int hooked;
#endif
    /* The thread. Its lock guards the queue and st; its stop flag is
     * also read between chunks, without the lock. */
    struct worker w;
    struct job q[PREFAULT_QUEUE];
    unsigned head, n;
    struct prefault_stats st;
};

/* Queues [addr, addr + len) to be populated: 0, or -1 when the queue was
 * full or the kernel cannot populate (the job is dropped). Never waits
 * for anything but the lock, which nobody holds for long. */
int prefault_queue(struct prefault *p, void *addr, size_t len)
{
    int rc = -1;
    uv_mutex_lock(&p->w.lock);
    if (p->n < PREFAULT_QUEUE && !p->st.unsupported) {
        p->q[(p->head + p->n) % PREFAULT_QUEUE] = (struct job){ addr, len };
        p->n++;
        p->st.queued++;
        uv_cond_signal(&p->w.wake);
        rc = 0;
    } else {
        p->st.dropped++;
    }
    uv_mutex_unlock(&p->w.lock);
    return rc;
}

void prefault_pages(void *ctx, void *addr, size_t len)
{
    (void)prefault_queue(ctx, addr, len);
}

/* Faults the job's range in, a chunk at a time; the bytes populated. */
static size_t populate(struct prefault *p, const struct job *j)
{
    size_t done = 0;
    for (size_t off = 0; off < j->len && !worker_stopping(&p->w);
         off += PREFAULT_CHUNK) {
        size_t len = j->len - off < PREFAULT_CHUNK ? j->len - off
                                                   : PREFAULT_CHUNK;
        if (madvise(j->addr + off, len, MADV_POPULATE_WRITE) == 0) {
            done += len;
        } else if (errno == EINVAL) {
            uv_mutex_lock(&p->w.lock);
            p->st.unsupported = 1;      /* before Linux 5.14: stop asking */
            uv_mutex_unlock(&p->w.lock);
            break;
        }
    }
    return done;
}

static void thread_main(void *arg)
{
    struct prefault *p = arg;
    uv_mutex_lock(&p->w.lock);
    for (;;) {
        while (p->n == 0 && !worker_stopping(&p->w))
            uv_cond_wait(&p->w.wake, &p->w.lock);
        if (worker_stopping(&p->w))
            break;                      /* what is queued need not run */
        struct job j = p->q[p->head];
        p->head = (p->head + 1) % PREFAULT_QUEUE;
        p->n--;
        uv_mutex_unlock(&p->w.lock);
        size_t done = populate(p, &j);
        uv_mutex_lock(&p->w.lock);
        p->st.populated_bytes += done;
        p->st.done++;
    }
    uv_mutex_unlock(&p->w.lock);
}

/* An empty queue and no thread yet (prefault_start); NULL when out of
 * memory. */
struct prefault *prefault_new(void)
{
    struct prefault *p = calloc(1, sizeof(*p));
    if (p && worker_init(&p->w) != 0) {
        free(p);
        return NULL;
    }
    return p;
}

/* Starts the thread. 0, or a negative libuv error code. */
int prefault_start(struct prefault *p)
{
    return worker_start(&p->w, thread_main, p);
}

#ifdef USE_JEMALLOC
/* jemalloc's alloc, then the new range queued. */
static void *alloc_hook(extent_hooks_t *h, void *new_addr, size_t size,
                        size_t alignment, bool *zero, bool *commit,
                        unsigned arena_ind)
{
    struct prefault *p = (struct prefault *)h;
    void *addr = p->orig->alloc(p->orig, new_addr, size, alignment, zero,
                                commit, arena_ind);
    if (!addr)
        return NULL;
    uv_mutex_lock(&p->w.lock);
    p->st.grown++;
    p->st.grown_bytes += size;
    uv_mutex_unlock(&p->w.lock);
    /* Decommitted memory (PROT_NONE without overcommit) cannot be
     * written; jemalloc commits it later through another hook. */
    if (*commit)
        prefault_queue(p, addr, size);
    return addr;
}

static void hooks_name(char *buf, size_t cap, unsigned arena)
{
    snprintf(buf, cap, "arena.%u.extent_hooks", arena);
}
#endif

/* Wraps the alloc hook of the calling thread's jemalloc arena (the event
 * loop calls this at start-up). 0, or -1 when jemalloc is not the
 * allocator (MALLOC=libc, the sanitized build) or refused. */
int prefault_hook_thread_arena(struct prefault *p)
{
#ifdef USE_JEMALLOC
    unsigned arena;
    size_t sz = sizeof(arena);
    if (p->hooked || mallctl("thread.arena", &arena, &sz, NULL, 0) != 0)
        return -1;
    char name[64];
    hooks_name(name, sizeof(name), arena);
    extent_hooks_t *old, *mine = &p->hooks;
    sz = sizeof(old);
    if (mallctl(name, &old, &sz, NULL, 0) != 0 || !old || !old->alloc)
        return -1;
    p->orig = old;
    p->hooks = *old;
    p->hooks.alloc = alloc_hook;
    if (mallctl(name, NULL, NULL, &mine, sizeof(mine)) != 0)
        return -1;
    p->arena = arena;
    p->hooked = 1;
    return 0;
#else
    (void)p;
    return -1;
#endif
}

/* A copy of the counters. */
void prefault_stats(struct prefault *p, struct prefault_stats *out)
{
    uv_mutex_lock(&p->w.lock);
    *out = p->st;
    uv_mutex_unlock(&p->w.lock);
}

/* See prefault.h. */
void prefault_forget(struct prefault *p)
{
    if (p)
        worker_forget(&p->w);
}

/* Gives jemalloc its own hooks back, ends the thread (dropping what is
 * queued) and frees p; a no-op for NULL. If the hooks cannot be restored
 * p is left allocated, since jemalloc still points into it. */
void prefault_free(struct prefault *p)
{
    if (!p)
        return;
    int keep = 0;
#ifdef USE_JEMALLOC
    if (p->hooked) {
        char name[64];
        hooks_name(name, sizeof(name), p->arena);
        keep = mallctl(name, NULL, NULL, &p->orig, sizeof(p->orig)) != 0;
    }
#endif
    worker_stop(&p->w);
    if (keep)
        return;
    worker_close(&p->w);
    free(p);
}
