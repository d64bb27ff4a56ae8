/* prefix_build.c - the ordered index of each shard's keys (prefix.c)
 * built in one go, for loading many keys at once: an RDB file at
 * start-up, DEBUG RELOAD.
 *
 * Inserting keys one at a time in the file's (hash) order costs each a
 * binary search of a chunk whose entries are cache misses: at a million
 * keys that was 40% of loading a dump.rdb. So store_index_defer empties
 * every shard's index and marks it deferred; links, removals and moves
 * then leave it alone (prefix.c checks the mark) and the hash tables
 * alone hold the keys. store_index_build then, shard by shard, reads
 * each entry once into an array of records, sorts them, and deals them
 * out in order into chunks filled evenly (as full as PCHUNK_CAP allows)
 * under a directory made at its final size.
 *
 * The sort. A record holds 16 bytes of its key from offset 16 * depth,
 * big-endian and zero-padded (as a directory head), and rest, how many
 * key bytes there are from that offset, capped at 17:
 *
 *   { hi, lo, rest, entry }   ordered by (hi, lo, rest)
 *
 * Two keys with equal 16 padded bytes where either ends within them are
 * ordered by length, which is their byte order (the shorter is the
 * other's prefix, the padding aside); only keys that both go on (rest
 * 17) tie, and such a run is sorted again one depth further, reading its
 * keys once more. So keys with a long common prefix cost a pass over
 * the run per 16 shared bytes, never a full key comparison (two cache
 * misses) per compare. Keys are unique within a shard, so no two
 * records are equal at the depth where their keys end. The array sort
 * is a merge sort (no quadratic case) with insertion-sorted runs.
 *
 * Between store_index_defer and store_index_build nothing may read the
 * index (prefix scans, KEYS): the loader runs before the server serves,
 * or inside one command. A shard cleared meanwhile (store_clear) is
 * indexed as usual again. Building takes 64 bytes a key of the shard
 * being built (records and the merge's copy) until it is done. */
#include "store/store_int.h"

#include <stdlib.h>

#define RUN 16                       /* insertion-sorted before merging */
#define REST_MORE 17                 /* rest: more than 16 bytes follow */

struct prec {
    uint64_t hi, lo;
    size_t rest;
    struct store_entry *e;
};

/* Starts loading e's header and the line after, where its key often
 * goes on (without reading e: where the key starts depends on it). */
static void prefetch_entry(const struct store_entry *e)
{
    __builtin_prefetch(e);
    __builtin_prefetch((const char *)e + 64);
}

/* Fills r's head and rest from its key at 16 * depth. */
static void prec_fill(struct prec *r, size_t depth)
{
    size_t at = 16 * depth, klen = r->e->klen;
    size_t left = klen > at ? klen - at : 0;
    struct store__phead h =
        store__phead_of(left ? store__ckey(r->e) + at : "", left);
    r->hi = h.hi;
    r->lo = h.lo;
    r->rest = left < REST_MORE ? left : REST_MORE;
}

static int prec_less(const struct prec *a, const struct prec *b)
{
    if (a->hi != b->hi)
        return a->hi < b->hi;
    if (a->lo != b->lo)
        return a->lo < b->lo;
    return a->rest < b->rest;
}

static int prec_tie(const struct prec *a, const struct prec *b)
{
    return a->hi == b->hi && a->lo == b->lo && a->rest == b->rest;
}

static void insertion_sort(struct prec *r, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        struct prec x = r[i];
        size_t j = i;
        for (; j > 0 && prec_less(&x, &r[j - 1]); j--)
            r[j] = r[j - 1];
        r[j] = x;
    }
}

/* Merges the sorted runs a[0..na) and b[0..nb) into out. */
static void merge(const struct prec *a, size_t na, const struct prec *b,
                  size_t nb, struct prec *out)
{
    size_t i = 0, j = 0, k = 0;
    while (i < na && j < nb)
        out[k++] = prec_less(&b[j], &a[i]) ? b[j++] : a[i++];
    while (i < na)
        out[k++] = a[i++];
    while (j < nb)
        out[k++] = b[j++];
}

/* Sorts r[0..n) by (hi, lo, rest); tmp has room for n records. */
static void merge_sort(struct prec *r, size_t n, struct prec *tmp)
{
    for (size_t i = 0; i < n; i += RUN)
        insertion_sort(r + i, n - i < RUN ? n - i : RUN);
    struct prec *src = r, *dst = tmp;
    for (size_t w = RUN; w < n; w *= 2) {
        for (size_t i = 0; i < n; i += 2 * w) {
            size_t na = n - i < w ? n - i : w;
            size_t nb = n - i - na < w ? n - i - na : w;
            merge(src + i, na, src + i + na, nb, dst + i);
        }
        struct prec *t = src;
        src = dst;
        dst = t;
    }
    if (src != r)
        memcpy(r, src, n * sizeof *r);
}

/* Fills the records r[0..n) at depth. */
static void fill_all(struct prec *r, size_t n, size_t depth)
{
    for (size_t i = 0; i < n; i++)
        prec_fill(&r[i], depth);
}

/* Sorts r[0..n), whose keys agree on their first 16 * depth bytes and
 * which are filled at depth, into key order. A run of ties that is the
 * whole range goes one depth further in the loop; a smaller one
 * recurses (so the recursion is no deeper than the number of keys). */
static void sort_keys(struct prec *r, size_t n, struct prec *tmp,
                      size_t depth)
{
    for (;;) {
        merge_sort(r, n, tmp);
        if (n > 1 && r[0].rest == REST_MORE && prec_tie(&r[0], &r[n - 1])) {
            fill_all(r, n, ++depth);
            continue;
        }
        for (size_t i = 0; i < n;) {
            size_t j = i + 1;
            while (j < n && prec_tie(&r[i], &r[j]))
                j++;
            if (j - i > 1) {
                fill_all(r + i, j - i, depth + 1);
                sort_keys(r + i, j - i, tmp, depth + 1);
            }
            i = j;
        }
        return;
    }
}

/* The n entries of sh's tables into r, filled at depth 0 while the walk
 * of the chains has each entry in cache. The first entry of the bucket
 * AHEAD places on is fetched early, so the walk's misses overlap. */
#define AHEAD 8
static void gather(struct store_shard *sh, struct prec *r)
{
    size_t n = 0;
    for (int t = 0; t < 2; t++) {
        /* t[0] below rehashidx is empty; some t[1] buckets not yet made
         * (store__bucket_at says NULL). */
        size_t size = sh->t[t].size;
        for (size_t j = t == 0 ? sh->rehashidx : 0; j < size; j++) {
            if (j + AHEAD < size) {
                struct store_entry **a = store__bucket_at(sh, t, j + AHEAD);
                if (a && *a)
                    prefetch_entry(*a);
            }
            struct store_entry **b = store__bucket_at(sh, t, j);
            for (struct store_entry *e = b ? *b : NULL; e; e = e->next) {
                r[n].e = e;
                prec_fill(&r[n++], 0);
            }
        }
    }
}

/* Frees the first nc chunks of dir and dir itself. */
static void free_dir(struct store *s, struct store__pdir *dir, uint32_t nc)
{
    for (uint32_t i = 0; i < nc; i++)
        store__pfree(s, dir[i].c);
    store__pfree(s, dir);
}

/* The sorted records r[0..n) dealt into chunks under a new dir[] of sh.
 * Returns STORE_OK, or STORE_NOMEM with the index left as it was. */
static int deal(struct store *s, struct store_shard *sh,
                const struct prec *r, size_t n)
{
    struct store_pindex *px = &sh->pix;
    uint32_t nc = (uint32_t)((n + PCHUNK_CAP - 1) / PCHUNK_CAP);
    uint32_t cap = PDIR_MIN;
    while (cap < nc + 1)
        cap *= 2;
    struct store__pdir *dir = store__pmalloc(s, cap * sizeof *dir);
    if (!dir)
        return STORE_NOMEM;
    size_t at = 0;
    for (uint32_t ci = 0; ci < nc; ci++) {
        struct store__pchunk *c = store__pmalloc(s, sizeof *c);
        if (!c) {
            free_dir(s, dir, ci);
            return STORE_NOMEM;
        }
        /* Chunk ci ends where an even share of the n keys would. */
        size_t end = (size_t)(((uint64_t)n * (ci + 1)) / nc);
        c->n = (uint32_t)(end - at);
        for (uint32_t i = 0; i < c->n; i++)
            c->e[i] = r[at + i].e;
        at = end;
        struct store__phead h =
            store__phead_of(store__ckey(c->e[0]), c->e[0]->klen);
        dir[ci] = (struct store__pdir){ h.hi, h.lo, c };
    }
    px->dir = dir;
    px->nc = nc;
    px->dcap = cap;
    px->n = n;
    return STORE_OK;
}

/* Builds one deferred shard's index. */
static int build_shard(struct store *s, struct store_shard *sh)
{
    size_t n = sh->used;
    if (n == 0) {
        sh->pix.deferred = 0;
        return STORE_OK;
    }
    struct prec *r = store__malloc(s, 2 * n * sizeof *r);
    if (!r)
        return STORE_NOMEM;
    gather(sh, r);
    sort_keys(r, n, r + n, 0);
    int rc = deal(s, sh, r, n);
    store__free(s, r);
    if (rc == STORE_OK)
        sh->pix.deferred = 0;
    return rc;
}

/* See store.h. */
void store_index_defer(struct store *s)
{
    for (unsigned i = 0; i < s->nshards; i++) {
        struct store_shard *sh = &s->shards[i];
        store__pindex_clear(s, sh);
        sh->pix.deferred = 1;
    }
}

/* See store.h. */
int store_index_build(struct store *s)
{
    for (unsigned i = 0; i < s->nshards; i++) {
        struct store_shard *sh = &s->shards[i];
        if (sh->pix.deferred && build_shard(s, sh) != STORE_OK)
            return STORE_NOMEM;
    }
    return STORE_OK;
}
