/* premap.c - a thread that maps the stores' bucket arrays ahead of time,
 * so that the event loop never calls mmap to double a table.
 *
 * Why: mmap takes the process's memory-map lock for writing. The other
 * helper threads take that lock too (server/release.c unmaps and drops
 * drained tables, its TLB flushes waiting milliseconds for the other
 * vCPU; server/prefault.c populates, holding it for reading), and at the
 * resize near 8.4M keys, where all 16 shards of a database map an 8 MB
 * table within a few calls, the loop's mmap waited behind them: 3 to 9
 * calls of 5-9 ms in every run, 27-46 scheduler waits each
 * (scripts/bench-rehash-pause.sh, DETAIL=1). Here the waiting happens on
 * this thread instead: in two RUNS=2 runs of that script the calls over
 * 1 ms in both runs near 8.4M keys went from 8 and 9 (33-46 waits each)
 * to none; PREMAP=0 in the script's environment gives the A/B.
 *
 * How: the store asks premap_map for each new mapped bucket array
 * (store/pages.c). A ready region of exactly that length is handed over,
 * and whether or not there was one, a job for a region twice as long is
 * queued: a table that doubles once doubles again seconds later, so
 * every doubling of a table after its first finds its region ready. A
 * miss returns NULL and the store maps the table itself, as without this
 * file.
 *
 *   slots[PREMAP_POOL]:  FREE -> WANTED (queued, len) -> MAPPING (the
 *                        thread's mmap runs) -> READY (addr, len) -> FREE
 *                        (taken by the loop, or evicted)
 *
 * The lock is held only to scan and change the slots, never across a
 * syscall, so a take never waits for the thread's mmap or munmap. The
 * pool is bounded: when every slot is in use a new job evicts the oldest
 * ready region (the thread unmaps it before mapping the new one), and
 * when none is ready the job is dropped. Evicting, rather than dropping,
 * keeps the pool from filling for good with regions nobody will take: a
 * shrinking table also queues the doubling of its new size, and a table
 * that stops growing leaves its next region behind.
 *
 * A region is handed out untouched: MAP_PRIVATE | MAP_ANONYMOUS |
 * MAP_NORESERVE, read/write, reading as zeros. Once taken it is the
 * store's (it unmaps it like any of its mappings, through
 * server/release.c); this thread only ever unmaps regions nobody took.
 *
 * What a waiting region costs: address space and one kernel VMA, no RSS
 * (no page is touched) and no page tables; with MAP_NORESERVE it is not
 * charged against the commit limit either, unless vm.overcommit_memory
 * is 2 (strict), which ignores MAP_NORESERVE. After the script's 10M
 * inserts into one database that is 16 regions of 16 MB (the doubling
 * the tables did not reach), and its deletes add 16 of 4 MB (queued by
 * shrinks); at most PREMAP_POOL regions of the longest table size. What
 * is left at premap_free is unmapped there.
 *
 * The thread's start and stop are server/worker.c's. A stop leaves the
 * jobs still queued unrun: premap_free unmaps what the pool holds. */
#include <stdlib.h>
#include <sys/mman.h>
#include <uv.h>

#include "server/premap.h"
#include "server/worker.h"

enum slot_state { FREE, WANTED, MAPPING, READY };

struct slot {
    enum slot_state state;
    size_t len;
    char *addr;                         /* READY: the region */
    char *old;                          /* WANTED: evicted, to unmap */
    size_t old_len;
    uint64_t seq;                       /* WANTED: queued; READY: mapped */
};

struct premap {
    struct worker w;                    /* its lock guards the rest */
    struct slot slots[PREMAP_POOL];
    uint64_t tick;                      /* orders jobs and ready regions */
    struct premap_stats st;
};

/* The slot in state with the lowest seq, or NULL (lock held). */
static struct slot *oldest(struct premap *m, enum slot_state state)
{
    struct slot *best = NULL;
    for (int i = 0; i < PREMAP_POOL; i++) {
        struct slot *sl = &m->slots[i];
        if (sl->state == state && (!best || sl->seq < best->seq))
            best = sl;
    }
    return best;
}

/* The first slot in state holding len bytes, or NULL (lock held). */
static struct slot *find(struct premap *m, enum slot_state state,
                         size_t len)
{
    for (int i = 0; i < PREMAP_POOL; i++)
        if (m->slots[i].state == state && m->slots[i].len == len)
            return &m->slots[i];
    return NULL;
}

/* Queues a job for a region of len bytes (lock held): 0, or -1 when it
 * was dropped. */
static int queue_locked(struct premap *m, size_t len)
{
    struct slot *sl = oldest(m, FREE);
    if (!sl && (sl = oldest(m, READY)) != NULL) {
        m->st.evicted++;
        m->st.ready_bytes -= sl->len;
        sl->old = sl->addr;
        sl->old_len = sl->len;
    }
    if (!sl) {
        m->st.dropped++;
        return -1;
    }
    sl->state = WANTED;
    sl->len = len;
    sl->addr = NULL;
    sl->seq = ++m->tick;
    m->st.queued++;
    uv_cond_signal(&m->w.wake);
    return 0;
}

/* Hands over a ready region of len bytes (lock held), or NULL. */
static void *take_locked(struct premap *m, size_t len)
{
    struct slot *sl = find(m, READY, len);
    if (!sl) {
        m->st.missed++;
        if (find(m, WANTED, len) || find(m, MAPPING, len))
            m->st.late++;
        return NULL;
    }
    m->st.taken++;
    m->st.ready_bytes -= len;
    sl->state = FREE;
    sl->seq = 0;
    return sl->addr;
}

/* Queues a job for a region of len bytes (whole pages, > 0): 0, or -1
 * when every slot holds a job not yet run (the job is dropped). When
 * every slot is taken but some hold ready regions, the oldest of those
 * is evicted to make room. Never waits for the thread. */
int premap_queue(struct premap *m, size_t len)
{
    uv_mutex_lock(&m->w.lock);
    int rc = queue_locked(m, len);
    uv_mutex_unlock(&m->w.lock);
    return rc;
}

/* A ready region of exactly len bytes, now the caller's, or NULL when
 * none is ready. Queues nothing; never waits for the thread. */
void *premap_take(struct premap *m, size_t len)
{
    uv_mutex_lock(&m->w.lock);
    void *p = take_locked(m, len);
    uv_mutex_unlock(&m->w.lock);
    return p;
}

void *premap_map(void *ctx, size_t len)
{
    struct premap *m = ctx;
    uv_mutex_lock(&m->w.lock);
    void *p = take_locked(m, len);
    if (len <= SIZE_MAX / 2)
        (void)queue_locked(m, 2 * len);
    uv_mutex_unlock(&m->w.lock);
    return p;
}

/* Runs job sl: the lock held before and after, not during the calls. */
static void run(struct premap *m, struct slot *sl)
{
    sl->state = MAPPING;
    char *old = sl->old;
    size_t old_len = sl->old_len, len = sl->len;
    sl->old = NULL;
    uv_mutex_unlock(&m->w.lock);
    if (old)
        munmap(old, old_len);
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    uv_mutex_lock(&m->w.lock);
    if (p == MAP_FAILED) {
        m->st.failed++;
        sl->state = FREE;
        sl->seq = 0;
        return;
    }
    m->st.mapped++;
    m->st.ready_bytes += len;
    sl->state = READY;
    sl->addr = p;
    sl->seq = ++m->tick;
}

static void thread_main(void *arg)
{
    struct premap *m = arg;
    uv_mutex_lock(&m->w.lock);
    for (;;) {
        struct slot *sl;
        while (!(sl = oldest(m, WANTED)) && !worker_stopping(&m->w))
            uv_cond_wait(&m->w.wake, &m->w.lock);
        if (worker_stopping(&m->w))
            break;                      /* premap_free unmaps the rest */
        run(m, sl);
    }
    uv_mutex_unlock(&m->w.lock);
}

/* An empty pool and no thread yet (premap_start); NULL when out of
 * memory. */
struct premap *premap_new(void)
{
    struct premap *m = calloc(1, sizeof(*m));
    if (m && worker_init(&m->w) != 0) {
        free(m);
        return NULL;
    }
    return m;
}

/* Starts the thread. 0, or a negative libuv error code. */
int premap_start(struct premap *m)
{
    return worker_start(&m->w, thread_main, m);
}

/* A copy of the counters. */
void premap_stats(struct premap *m, struct premap_stats *out)
{
    uv_mutex_lock(&m->w.lock);
    *out = m->st;
    uv_mutex_unlock(&m->w.lock);
}

/* See premap.h. */
void premap_forget(struct premap *m)
{
    if (m)
        worker_forget(&m->w);
}

/* Ends the thread (the jobs still queued never run), unmaps every region
 * nobody took and frees m; a no-op for NULL. Regions taken are the
 * takers'. */
void premap_free(struct premap *m)
{
    if (!m)
        return;
    worker_stop(&m->w);
    for (int i = 0; i < PREMAP_POOL; i++) {
        struct slot *sl = &m->slots[i];
        if (sl->state == READY)
            munmap(sl->addr, sl->len);
        if (sl->old)
            munmap(sl->old, sl->old_len);
    }
    worker_close(&m->w);
    free(m);
}
