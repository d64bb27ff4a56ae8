/* table.c - one shard's chained hash table with incremental rehashing,
 * the scheme of Redis's dict.c written for our entries.
 *
 *   t[0].b: [0]->e->e  [1]  [2]->e  [3]   ...  size = 2^k buckets
 *   t[1].b: allocated only while rehashing (2x when growing, smaller when
 *           shrinking); buckets of t[0] below rehashidx have moved there.
 *
 * The bucket of a key is the low bits of XXH3(key); the shard was already
 * chosen by the top bits of the same hash. We do not store the hash in
 * the entry (it would cost 4-8 bytes a key); rehashing recomputes it.
 *
 * No pause when the table resizes. Issue 2 allows no operation above 1 ms
 * at 10M keys, where a shard's bucket array is 8 MB; zeroing that in one
 * call (calloc of memory the allocator reuses) took up to 14 ms. So the
 * new array is malloc'ed and never zeroed as a whole: each bucket of t[1]
 * is first written by the rehash step that moves the t[0] bucket feeding
 * it (bucket i feeds i and i + size when growing, i & mask1 when
 * shrinking; a shrink writes t[1][i] when it moves t[0][i], i < size1,
 * before any other bucket feeds it). Until then that t[1] bucket is
 * garbage, so nobody may read it:
 *   - a key whose t[0] bucket (h & mask0) is below rehashidx lives in
 *     t[1], any other key still in t[0], and inserts follow the same rule
 *     (store__home). Unlike dict.c, which inserts into t[1] always, every
 *     key has exactly one possible bucket, so a lookup reads one chain;
 *   - code that walks buckets by index (SCAN, RANDOMKEY, the checks) asks
 *     store__bucket_at, which says "empty" for t[1] bucket j while
 *     (j & mask0) >= rehashidx.
 * Pages of the new array are thus first written a few buckets at a time
 * too.
 *
 * The allocator must not pause either: handing jemalloc a bucket array of
 * megabytes, or taking one back, purged pages inline or waited on its
 * background purge thread for 1-6 ms. So arrays of 256 KB and more
 * (s->map_min) are mappings of their own (pages.c). The new array is
 * mapped unpopulated; the step faults its pages in 64 KB at a time just
 * before it writes them (store__array_fill: a fault a page costs too
 * much on a VM). The drained array gives its pages back while the rehash
 * passes them (store__array_drain after each step; those buckets are
 * NULL, and a page given back reads as zeros, so they stay NULL),
 * leaving nothing resident for the final unmap. Smaller arrays stay with
 * malloc.
 *
 * Invariants:
 *   - t[0].size is 0 (nothing ever inserted) or a power of two >= 4.
 *   - t[1].size != 0 exactly while rehashing; rehashidx is 0 otherwise.
 *     While rehashing t[0].b[i] == NULL for every i < rehashidx, and a
 *     t[1] bucket j is initialised iff (j & mask0) < rehashidx.
 *   - every entry is in its store__home bucket.
 *   - used counts the entries in both tables.
 *   - No call moves more than a bounded number of buckets: an ordinary
 *     operation moves 1 bucket (looking at no more than 10 empty ones),
 *     store_expire_step moves 100 per clock check.
 *
 * Growth starts when used reaches t[0].size (load factor 1), shrinking
 * when used falls below 1/8 of it (never below 4 buckets). A failed
 * allocation for a resize is not an error: the table keeps working at a
 * higher or lower load and tries again later.
 *
 * This file does not know about TTLs, the volatile array or the store's
 * key counters; store.c keeps those. */
#include "store/store_int.h"

#include <string.h>

#define TABLE_MIN 4

/* Returns the link (the pointer that points at the entry: a bucket slot or
 * the previous entry's next field) for key, or NULL. Does not rehash. */
struct store_entry **store__table_find(struct store_shard *sh, uint64_t h,
                                       const char *key, size_t klen)
{
    if (sh->t[0].size == 0)
        return NULL;
    struct store_entry **link = store__home(sh, h);
    for (struct store_entry *e; (e = *link) != NULL; link = &e->next) {
        if (e->klen == klen && store__key_eq(store__ckey(e), key, klen))
            return link;
    }
    return NULL;
}

/* Returns the link that points at entry e, which must be in this shard. */
struct store_entry **store__table_link_of(struct store_shard *sh,
                                          const struct store_entry *e)
{
    if (sh->t[0].size == 0)
        return NULL;
    uint64_t h = store__hash(store__ckey(e), e->klen);
    struct store_entry **link = store__home(sh, h);
    for (; *link; link = &(*link)->next) {
        if (*link == e)
            return link;
    }
    return NULL;
}

static void resize_start(struct store *s, struct store_shard *sh,
                         size_t size)
{
    if (store__rehashing(sh) || size == sh->t[0].size)
        return;
    /* Not zeroed: the rehash initialises each bucket before its first
     * use (see the top of this file). */
    struct store_entry **b = store__array_alloc(s, size * sizeof *b);
    if (!b)
        return;                /* try again on a later operation */
    sh->t[1].b = b;
    sh->t[1].size = size;
    sh->rehashidx = 0;
}

/* Makes sure an insert into this shard can link an entry: reserves room
 * in the prefix index, allocates the first bucket array and starts
 * growing at load factor 1. Returns STORE_OK, or STORE_NOMEM when the
 * index has no room or the shard no buckets at all. */
int store__table_reserve(struct store *s, struct store_shard *sh)
{
    if (store__pindex_reserve(s, sh))
        return STORE_NOMEM;
    if (sh->t[0].size == 0) {
        struct store_entry **b = store__calloc(s, TABLE_MIN, sizeof *b);
        if (!b)
            return STORE_NOMEM;
        sh->t[0].b = b;
        sh->t[0].size = TABLE_MIN;
        return STORE_OK;
    }
    if (!store__rehashing(sh) && sh->used >= sh->t[0].size)
        resize_start(s, sh, sh->t[0].size * 2);
    return STORE_OK;
}

/* Links e (hash h) at the head of its bucket and into the shard's prefix
 * index; store__table_reserve must have succeeded first. Counts it in
 * used. */
void store__table_link(struct store_shard *sh, uint64_t h,
                       struct store_entry *e)
{
    struct store_entry **b = store__home(sh, h);
    e->next = *b;
    *b = e;
    sh->used++;
    store__pindex_insert(sh, e);
}

/* Moves up to n non-empty buckets from t[0] to t[1], looking at no more
 * than 10*n empty ones, and ends the rehash once t[0] is drained. Each
 * t[0] bucket passed, empty or not, first initialises the t[1] buckets
 * that become readable when rehashidx passes it. */
void store__table_rehash(struct store *s, struct store_shard *sh, size_t n)
{
    if (!store__rehashing(sh))
        return;
    struct store_table *t0 = &sh->t[0], *t1 = &sh->t[1];
    size_t m1 = t1->size - 1;
    int grow = t1->size > t0->size;
    size_t empty = n * 10, from = sh->rehashidx;
    size_t w = sizeof *t0->b, bytes1 = t1->size * w;
    while (n > 0 && sh->rehashidx < t0->size) {
        size_t i = sh->rehashidx;
        if (grow) {
            store__array_fill(s, t1->b, bytes1, i * w);
            store__array_fill(s, t1->b, bytes1, (i + t0->size) * w);
            t1->b[i] = NULL;
            t1->b[i + t0->size] = NULL;
        } else if (i < t1->size) {
            store__array_fill(s, t1->b, bytes1, i * w);
            t1->b[i] = NULL;
        }
        struct store_entry *e = t0->b[i];
        sh->rehashidx++;
        if (!e) {
            if (--empty == 0)
                break;
            continue;
        }
        while (e) {
            struct store_entry *next = e->next;
            size_t j = store__hash(store__ckey(e), e->klen) & m1;
            e->next = t1->b[j];
            t1->b[j] = e;
            e = next;
        }
        t0->b[i] = NULL;
        n--;
    }
    store__array_drain(s, t0->b, t0->size * w, from * w, sh->rehashidx * w);
    if (sh->rehashidx >= t0->size) {
        store__array_free(s, t0->b, t0->size * w, t0->size * w);
        *t0 = *t1;
        t1->b = NULL;
        t1->size = 0;
        sh->rehashidx = 0;
        /* Deletes during a long rehash may call for another shrink. */
        store__table_shrink(s, sh);
    }
}

static size_t next_pow2(size_t n)
{
    size_t p = TABLE_MIN;
    while (p < n)
        p *= 2;
    return p;
}

/* See store.h. Only a shard that never held a key is sized: its first
 * bucket array is made at the hinted size instead of TABLE_MIN, and must
 * read as empty at once (a fresh mapping is zeros already; a malloc'ed
 * one is zeroed here, small by definition). A shard in use keeps its
 * table: resizing is the rehash's business. */
void store_reserve(struct store *s, size_t nkeys)
{
    /* Shards get uneven shares of the keys: an eighth more each keeps
     * the fuller ones below load factor 1. */
    size_t per = nkeys / s->nshards;
    size_t size = next_pow2(per + per / 8);
    if (size <= TABLE_MIN)
        return;
    for (unsigned i = 0; i < s->nshards; i++) {
        struct store_shard *sh = &s->shards[i];
        if (sh->t[0].size != 0)
            continue;
        size_t bytes = size * sizeof *sh->t[0].b;
        struct store_entry **b = store__array_alloc(s, bytes);
        if (!b)
            return;            /* a hint only: the tables grow as usual */
        if (bytes < s->map_min)
            memset(b, 0, bytes);
        sh->t[0].b = b;
        sh->t[0].size = size;
    }
}

/* Starts shrinking when the load factor fell below 1/8; the new size
 * leaves the load between 1/4 and 1/2. No-op while rehashing. */
void store__table_shrink(struct store *s, struct store_shard *sh)
{
    size_t size = sh->t[0].size;
    if (store__rehashing(sh) || size <= TABLE_MIN || sh->used >= size / 8)
        return;
    resize_start(s, sh, next_pow2(sh->used * 2));
}

/* Frees every entry and both bucket arrays; the shard is left empty (the
 * volatile array is store.c's business). */
void store__table_clear(struct store *s, struct store_shard *sh)
{
    for (int i = 0; i < 2; i++) {
        struct store_table *t = &sh->t[i];
        /* t[0] below rehashidx is empty, and perhaps drained already. */
        for (size_t j = i == 0 ? sh->rehashidx : 0; j < t->size; j++) {
            struct store_entry **b = store__bucket_at(sh, i, j);
            struct store_entry *e = b ? *b : NULL;
            while (e) {
                struct store_entry *next = e->next;
                store__entry_free(s, e);
                e = next;
            }
        }
    }
    for (int i = 0; i < 2; i++) {
        struct store_table *t = &sh->t[i];
        size_t done = i == 0 ? sh->rehashidx * sizeof *t->b : 0;
        store__array_free(s, t->b, t->size * sizeof *t->b, done);
        t->b = NULL;
        t->size = 0;
    }
    sh->rehashidx = 0;
    sh->used = 0;
}

/* Prefetches for a batch of lookups; see store.h. Two passes so that the
 * batch's misses overlap: the first hashes every key and starts loading
 * its bucket, the second reads the buckets (arrived or on their way) and
 * starts loading the first entry of each chain, whose header and key a
 * lookup compares first: its first 64 bytes, which span two cache lines
 * unless the entry starts one (jemalloc's 48-byte class, a GET of a
 * 16-byte key with a short value, straddles half the time; perf put half
 * of what the lookup still waited for there). store__home reads only
 * initialised buckets, so this is safe while a shard rehashes; nothing
 * is written. */
void store_prefetch(struct store *s, const char *const *keys,
                    const size_t *lens, size_t n)
{
    struct store_entry **b[STORE_PREFETCH_MAX];
    if (n > STORE_PREFETCH_MAX)
        n = STORE_PREFETCH_MAX;
    for (size_t i = 0; i < n; i++) {
        b[i] = NULL;
        if (!keys[i])
            continue;
        uint64_t h = store__hash(keys[i], lens[i]);
        struct store_shard *sh = store__shard(s, h);
        if (sh->t[0].size == 0)
            continue;
        b[i] = store__home(sh, h);
        __builtin_prefetch(b[i]);
    }
    for (size_t i = 0; i < n; i++) {
        if (b[i] && *b[i]) {
            __builtin_prefetch(*b[i]);
            __builtin_prefetch((const char *)*b[i] + 63);
        }
    }
}
