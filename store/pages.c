/* pages.c - the store's big arrays (hash-table buckets, volatile arrays)
 * kept in pages of their own, outside the allocator.
 *
 * Issue 2 allows no operation above 1 ms while a database grows to 10M
 * keys. The bucket arrays there reach 8 MB a shard and the volatile
 * arrays 8 MB, and handing such blocks to and from jemalloc stalled:
 * freeing or allocating one purged dirty pages inline (1-6 ms), or waited
 * for the arena lock the background purge thread held, and growing a
 * volatile array by realloc may copy megabytes. So an array of
 * s->map_min bytes or more (STORE__MAP_MIN, 256 KB, by default) is an
 * anonymous mapping of its own:
 *
 *   - mapped with MAP_NORESERVE and never populated up front: the
 *     writers (the rehash step filling a new table, vol_add) fault pages
 *     in as they reach them, a granule of map_min / 4 bytes (64 KB) at a
 *     time in one madvise(MADV_POPULATE_WRITE) (store__array_fill),
 *     so the cost of a new array is spread over the operations that fill
 *     it. On a VM a page fault is expensive (see store__array_fill). A
 *     store with a populate callback (the server's is
 *     server/prefault.c, a thread) hands it every range about to be
 *     written for the first time instead (populate_ahead): that thread
 *     faults the pages in, usually before the writers reach them, and
 *     store__array_fill does nothing;
 *   - a table being drained by the rehash gives its pages back while the
 *     rehash passes them (store__array_drain): every whole granule of
 *     map_min bytes below the rehash index is dropped with
 *     madvise(MADV_DONTNEED), so the final unmap finds nothing resident.
 *     A dropped page reads back as zeros, which is what those buckets
 *     hold anyway (NULL), so code that still reads them stays correct;
 *   - the volatile arrays, which grow and shrink, reserve address space
 *     ahead (STORE__SPAN_AHEAD times their size, untouched pages cost
 *     nothing), so most doublings need no call at all and the rest an
 *     mremap that moves page-table entries and copies nothing; the shard
 *     records the span (vspan).
 *
 * Even the mmap of a new table can stall: it takes the process's
 * memory-map lock for writing, and waited there 5-8 ms behind the helper
 * threads' unmaps and populates at the 8M-key resize, when all 16 shards
 * map 8 MB tables at once. A store with a map callback (the server's is
 * server/premap.c, a thread that maps regions ahead) asks it for every
 * new bucket array first (map_new), and maps the array itself only when
 * the callback has none ready. The volatile arrays do not ask: they map
 * once, when they outgrow malloc, and then grow by mremap.
 *
 * Unmapping pages, or dropping them, makes the kernel flush them from the
 * TLB of every CPU the process last ran on, and on our VMs that wait for
 * another vCPU took 1-3 ms. A store with a release callback (the server's
 * is server/release.c, a thread) hands those jobs over instead of running
 * them (give_back). Callers must never write again to pages they have
 * given back: a drained bucket is only read, and a shrunk volatile array
 * ends its span where it ends, so growing again maps new pages.
 *
 * Smaller arrays stay with malloc: a syscall per small table would cost
 * more than it saves. Whether an array is mapped depends only on its byte
 * size and map_min, so nobody records it; map_min (a power of two, at
 * least four pages) is therefore fixed while the store holds any array
 * (tests lower it on a new store).
 *
 * Accounting: a mapped array counts its page-rounded size in s->mem (as
 * malloc_usable_size counts a malloc'ed block) and in s->mapped, minus the
 * granules drained so far. jemalloc's stats.allocated, which INFO's
 * used_memory comes from, does not see these pages; the server adds
 * store_mem_mapped (server/info.c). Every allocation here that can fail
 * is a fault-injection point, as store__malloc is, except a shrink
 * (store__array_shrink): its callers keep the old array when it fails.
 *
 * What this file does not do: keep any global state, or know what the
 * arrays hold. */
#include "store/store_int.h"

#include <malloc.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23     /* Linux 5.14; older glibc headers */
#endif

static size_t page_round(size_t n)
{
    size_t pg = (size_t)sysconf(_SC_PAGESIZE);
    return (n + pg - 1) & ~(pg - 1);
}

static int is_mapped(const struct store *s, size_t bytes)
{
    return bytes >= s->map_min;
}

/* Bytes at the start of a mapped array given back once the first done
 * bytes of it are no longer needed: whole granules of map_min bytes
 * (whole pages, as madvise needs; each call costs a TLB shootdown, so
 * not one a page). */
static size_t drained(const struct store *s, size_t done)
{
    /* Whole pages already: map_min is a power of two of four pages or
     * more. */
    return done / s->map_min * s->map_min;
}

/* Gives back len bytes at addr, resident of them counted in s->mem until
 * now: unmaps them, or (unmap 0) drops their pages. Both make the kernel
 * flush the pages from every CPU's TLB, which can wait milliseconds for
 * another CPU (server/release.c), so a store with a release callback
 * hands the job over instead. */
static void give_back(struct store *s, void *addr, size_t len,
                      size_t resident, int unmap)
{
    s->mem -= resident;
    s->mapped -= resident;
    struct store_release job = { addr, len, resident, unmap };
    if (s->release_cb)
        s->release_cb(s->release_ctx, &job);
    else if (unmap)
        munmap(addr, len);
    else
        madvise(addr, len, MADV_DONTNEED);
}

/* Offers bytes [from, to) of mapping p, about to be written for the first
 * time, to the populate callback. */
static void populate_ahead(struct store *s, void *p, size_t from, size_t to)
{
    if (s->populate_cb && to > from)
        s->populate_cb(s->populate_ctx, (char *)p + from, to - from);
}

/* Maps span bytes (at least page_round(bytes)) for an array of bytes;
 * with ask set, from the map callback when it has them. */
static void *map_new(struct store *s, size_t bytes, size_t span, int ask)
{
    if (store__fail_now(s))
        return NULL;
    void *p = ask && s->map_cb ? s->map_cb(s->map_ctx, span) : NULL;
    if (!p)
        p = mmap(NULL, span, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    size_t len = page_round(bytes);
    s->mem += len;
    s->mapped += len;
    return p;
}

/* Returns a block for an array of bytes (> 0), malloc'ed or mapped by its
 * size; its contents are undefined. NULL on failure (fault injection
 * included). Free with store__array_free. */
void *store__array_alloc(struct store *s, size_t bytes)
{
    if (!is_mapped(s, bytes))
        return store__malloc(s, bytes);
    void *p = map_new(s, bytes, page_round(bytes), 1);
    if (p)
        populate_ahead(s, p, 0, page_round(bytes));
    return p;
}

/* Frees an array of bytes from store__array_alloc/resize whose first done
 * bytes were passed to store__array_drain (0 if none); NULL is a no-op. */
void store__array_free(struct store *s, void *p, size_t bytes, size_t done)
{
    if (!p)
        return;
    if (!is_mapped(s, bytes)) {
        store__free(s, p);
        return;
    }
    size_t len = page_round(bytes);
    give_back(s, p, len, len - drained(s, done), 1);
}

/* Bytes array p of bytes (first done drained) counts in s->mem. */
size_t store__array_mem(const struct store *s, const void *p, size_t bytes,
                        size_t done)
{
    if (!p)
        return 0;
    if (!is_mapped(s, bytes))
        return malloc_usable_size((void *)p);
    return page_round(bytes) - drained(s, done);
}

/* Faults in the granule (a quarter of map_min, whole pages) of mapped
 * array p of bytes that starts at byte at, in one call, when at is the
 * start of one; otherwise, or for a malloc'ed array, does nothing. A
 * writer that fills an array front to back calls it before each write.
 * On our (PVM) VMs the first write to a page cost 15 us on average, and
 * about 1 in 10,000 such faults over 1 ms; one MADV_POPULATE_WRITE of 16
 * pages cost 1-3 us a page, and rarely over 1 ms. Where the kernel lacks
 * it (before 5.14) the call fails and the writes fault as before.
 *
 * Not with a populate callback: its thread populates the same pages, and
 * madvise takes the process's memory-map lock, which the thread's calls
 * and the release thread's unmaps hold too, so the loop queued behind
 * them (5-8 ms calls at the 8M-key resize, 20-50 waits each); a plain
 * page fault takes only its own mapping's lock, and most pages are
 * present by then anyway. */
void store__array_fill(struct store *s, void *p, size_t bytes, size_t at)
{
    if (!is_mapped(s, bytes) || s->populate_cb)
        return;
    /* Whole pages (see drained); checked first, as the rehash asks for
     * every bucket. */
    size_t g = s->map_min / 4;
    if (at % g != 0)
        return;
    size_t len = page_round(bytes);
    if (at >= len)
        return;
    madvise((char *)p + at, len - at < g ? len - at : g, MADV_POPULATE_WRITE);
}

/* Tells that the caller no longer needs bytes [0, to) of array p of bytes,
 * having needed [0, from) no more already (from <= to): the granules that
 * became whole go back to the kernel. They read as zeros afterwards. A
 * malloc'ed array is left as it is. */
void store__array_drain(struct store *s, void *p, size_t bytes, size_t from,
                        size_t to)
{
    if (!is_mapped(s, bytes))
        return;
    size_t a = drained(s, from), b = drained(s, to);
    if (b == a)
        return;
    give_back(s, (char *)p + a, b - a, b - a, 0);
}

/* The address space a growable array of bytes reserves when it is
 * mapped anew: room to double five times in place. */
static size_t span_for(size_t bytes)
{
    return page_round(bytes) * STORE__SPAN_AHEAD;
}

/* Moves growable array p (NULL, or ob bytes, malloc'ed) into a mapping
 * for nb bytes. */
static void *grown_to_map(struct store *s, void *p, size_t ob, size_t nb,
                          size_t *span)
{
    size_t sp = span_for(nb);
    void *q = map_new(s, nb, sp, 0);
    if (!q)
        return NULL;
    size_t kept = p ? (ob < nb ? ob : nb) : 0;
    if (p) {
        memcpy(q, p, kept);
        store__free(s, p);
    }
    populate_ahead(s, q, page_round(kept), page_round(nb));
    *span = sp;
    return q;
}

/* Moves the first nb bytes of mapped growable array p of ob bytes into a
 * malloc'ed block. */
static void *grown_to_malloc(struct store *s, void *p, size_t ob,
                             size_t nb, size_t *span)
{
    void *q = store__malloc(s, nb);
    if (!q)
        return NULL;
    memcpy(q, p, nb);
    give_back(s, p, *span, page_round(ob), 1);
    *span = 0;
    return q;
}

/* Resizes growable array p (NULL, or ob bytes) to nb bytes (> 0),
 * keeping the first min(ob, nb) bytes. *span is the address space its
 * mapping holds (0 while it is malloc'ed), and is updated. A mapped array
 * grows in place while it fits its span, and otherwise mremap moves its
 * pages to a new span (copying nothing, but flushing TLBs, so spans leave
 * room); shrinking gives the tail back. An array crossing map_min moves
 * once between malloc and a mapping. Returns the array, or NULL on
 * failure (fault injection included) with p untouched. */
void *store__array_resize(struct store *s, void *p, size_t ob, size_t nb,
                          size_t *span)
{
    int was = *span != 0, will = is_mapped(s, nb);
    if (!was && !will)
        return p ? store__realloc(s, p, nb) : store__malloc(s, nb);
    if (!was)
        return grown_to_map(s, p, ob, nb, span);
    if (!will)
        return grown_to_malloc(s, p, ob, nb, span);
    size_t ol = page_round(ob), nl = page_round(nb);
    if (nl < ol) {
        /* The span ends at the array: a later write past it can never
         * land in pages the release callback has yet to give back. */
        give_back(s, (char *)p + nl, *span - nl, ol - nl, 1);
        *span = nl;
        return p;
    }
    if (nl > ol && store__fail_now(s))
        return NULL;
    if (nl > *span) {
        size_t sp = span_for(nb);
        void *q = mremap(p, *span, sp, MREMAP_MAYMOVE);
        if (q == MAP_FAILED)
            return NULL;
        p = q;
        *span = sp;
    }
    s->mem += nl - ol;
    s->mapped += nl - ol;
    populate_ahead(s, p, ol, nl);
    return p;
}

/* store__array_resize to a smaller nb, but not a fault-injection point:
 * callers treat a failed shrink (NULL, p untouched) as nothing happening,
 * so failing it would test nothing. */
void *store__array_shrink(struct store *s, void *p, size_t ob, size_t nb,
                          size_t *span)
{
    unsigned long armed = s->fail_after;
    s->fail_after = 0;
    void *q = store__array_resize(s, p, ob, nb, span);
    s->fail_after = armed;
    return q;
}

/* Frees growable array p of bytes whose mapping holds span bytes (0 if
 * malloc'ed); NULL is a no-op. */
void store__array_free_grown(struct store *s, void *p, size_t bytes,
                             size_t span)
{
    if (!p)
        return;
    if (!span)
        store__free(s, p);
    else
        give_back(s, p, span, page_round(bytes), 1);
}

/* Returns the bytes of the store's arrays that live in mappings of their
 * own (part of store_mem_usage): allocator statistics do not see them. */
size_t store_mem_mapped(const struct store *s)
{
    return s->mapped;
}
