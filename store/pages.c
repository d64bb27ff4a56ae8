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
 *     it. On a VM a page fault is expensive (see store__array_fill);
 *   - a table being drained by the rehash gives its pages back while the
 *     rehash passes them (store__array_drain): every whole granule of
 *     map_min bytes below the rehash index is dropped with
 *     madvise(MADV_DONTNEED), so the final unmap finds nothing resident.
 *     A dropped page reads back as zeros, which is what those buckets
 *     hold anyway (NULL), so code that still reads them stays correct;
 *   - grown and shrunk with mremap, which moves page-table entries and
 *     copies nothing.
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

static void *map_new(struct store *s, size_t bytes)
{
    if (store__fail_now(s))
        return NULL;
    size_t len = page_round(bytes);
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    s->mem += len;
    s->mapped += len;
    return p;
}

/* Returns a block for an array of bytes (> 0), malloc'ed or mapped by its
 * size; its contents are undefined. NULL on failure (fault injection
 * included). Free with store__array_free. */
void *store__array_alloc(struct store *s, size_t bytes)
{
    if (is_mapped(s, bytes))
        return map_new(s, bytes);
    return store__malloc(s, bytes);
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
    size_t len = page_round(bytes), gone = drained(s, done);
    munmap(p, len);
    s->mem -= len - gone;
    s->mapped -= len - gone;
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
 * it (before 5.14) the call fails and the writes fault as before. */
void store__array_fill(struct store *s, void *p, size_t bytes, size_t at)
{
    if (!is_mapped(s, bytes))
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
    madvise((char *)p + a, b - a, MADV_DONTNEED);
    s->mem -= b - a;
    s->mapped -= b - a;
}

/* Moves the first keep bytes of old (an array of ob bytes) into a new
 * array of nb bytes and frees old. NULL on failure, old untouched. */
static void *move_to_new(struct store *s, void *old, size_t ob, size_t nb,
                         size_t keep)
{
    void *p = store__array_alloc(s, nb);
    if (!p)
        return NULL;
    if (keep)
        memcpy(p, old, keep);
    store__array_free(s, old, ob, 0);
    return p;
}

/* Resizes array p (NULL, or ob bytes, none drained) to nb bytes (> 0),
 * keeping the first min(ob, nb) bytes. A mapped array stays mapped
 * through mremap, which moves pages instead of copying them; an array
 * crossing map_min moves once between malloc and a mapping. Returns the
 * array, or NULL on failure (fault injection included) with p untouched. */
void *store__array_resize(struct store *s, void *p, size_t ob, size_t nb)
{
    if (!p)
        return store__array_alloc(s, nb);
    int was = is_mapped(s, ob), will = is_mapped(s, nb);
    if (!was && !will)
        return store__realloc(s, p, nb);
    if (was != will)
        return move_to_new(s, p, ob, nb, ob < nb ? ob : nb);
    size_t ol = page_round(ob), nl = page_round(nb);
    if (ol == nl)
        return p;
    if (nl > ol && store__fail_now(s))
        return NULL;
    void *q = mremap(p, ol, nl, MREMAP_MAYMOVE);
    if (q == MAP_FAILED)
        return NULL;
    s->mem += nl - ol;
    s->mapped += nl - ol;
    return q;
}

/* store__array_resize to a smaller nb, but not a fault-injection point:
 * callers treat a failed shrink (NULL, p untouched) as nothing happening,
 * so failing it would test nothing. */
void *store__array_shrink(struct store *s, void *p, size_t ob, size_t nb)
{
    unsigned long armed = s->fail_after;
    s->fail_after = 0;
    void *q = store__array_resize(s, p, ob, nb);
    s->fail_after = armed;
    return q;
}

/* Returns the bytes of the store's arrays that live in mappings of their
 * own (part of store_mem_usage): allocator statistics do not see them. */
size_t store_mem_mapped(const struct store *s)
{
    return s->mapped;
}
