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
 * Invariants:
 *   - t[0].size is 0 (nothing ever inserted) or a power of two >= 4.
 *   - t[1].size != 0 exactly while rehashing; new entries then go to t[1]
 *     and t[0].b[i] == NULL for every i < rehashidx.
 *   - used counts the entries in both tables.
 *   - No call moves more than a bounded number of buckets: an ordinary
 *     operation moves 1 bucket (looking at no more than 10 empty ones),
 *     store_expire_step moves 100 per clock check. Allocating the new
 *     bucket array is one calloc, which the kernel backs lazily; freeing
 *     the drained one is one free, whose munmap costs time in proportion
 *     to the array (a few ms for the 64 MB of a 10M-key table).
 *
 * Growth starts when used reaches t[0].size (load factor 1), shrinking
 * when used falls below 1/8 of it (never below 4 buckets). A failed
 * allocation for a resize is not an error: the table keeps working at a
 * higher or lower load and tries again later.
 *
 * This file does not know about TTLs, the volatile array or the store's
 * key counters; store.c keeps those. */
#include "store/store_int.h"

#define TABLE_MIN 4

/* Returns the link (the pointer that points at the entry: a bucket slot or
 * the previous entry's next field) for key, or NULL. Does not rehash. */
struct store_entry **store__table_find(struct store_shard *sh, uint64_t h,
                                       const char *key, size_t klen)
{
    for (int i = 0; i < 2; i++) {
        struct store_table *t = &sh->t[i];
        if (t->size == 0)
            return NULL;
        struct store_entry **link = &t->b[h & (t->size - 1)];
        for (struct store_entry *e; (e = *link) != NULL; link = &e->next) {
            if (e->klen == klen && store__key_eq(store__ckey(e), key, klen))
                return link;
        }
    }
    return NULL;
}

/* Returns the link that points at entry e, which must be in this shard. */
struct store_entry **store__table_link_of(struct store_shard *sh,
                                          const struct store_entry *e)
{
    uint64_t h = store__hash(store__ckey(e), e->klen);
    for (int i = 0; i < 2; i++) {
        struct store_table *t = &sh->t[i];
        if (t->size == 0)
            break;
        struct store_entry **link = &t->b[h & (t->size - 1)];
        for (; *link; link = &(*link)->next) {
            if (*link == e)
                return link;
        }
    }
    return NULL;
}

static void resize_start(struct store *s, struct store_shard *sh,
                         size_t size)
{
    if (store__rehashing(sh) || size == sh->t[0].size)
        return;
    struct store_entry **b = store__calloc(s, size, sizeof *b);
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
    struct store_table *t = &sh->t[store__rehashing(sh) ? 1 : 0];
    struct store_entry **b = &t->b[h & (t->size - 1)];
    e->next = *b;
    *b = e;
    sh->used++;
    store__pindex_insert(sh, e);
}

/* Moves up to n non-empty buckets from t[0] to t[1], looking at no more
 * than 10*n empty ones, and ends the rehash once t[0] is drained. */
void store__table_rehash(struct store *s, struct store_shard *sh, size_t n)
{
    if (!store__rehashing(sh))
        return;
    struct store_table *t0 = &sh->t[0], *t1 = &sh->t[1];
    size_t m1 = t1->size - 1;
    size_t empty = n * 10;
    while (n > 0 && sh->rehashidx < t0->size) {
        struct store_entry *e = t0->b[sh->rehashidx];
        if (!e) {
            sh->rehashidx++;
            if (--empty == 0)
                break;
            continue;
        }
        while (e) {
            struct store_entry *next = e->next;
            size_t i = store__hash(store__ckey(e), e->klen) & m1;
            e->next = t1->b[i];
            t1->b[i] = e;
            e = next;
        }
        t0->b[sh->rehashidx++] = NULL;
        n--;
    }
    if (sh->rehashidx >= t0->size) {
        store__free(s, t0->b);
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
        for (size_t j = 0; j < t->size; j++) {
            struct store_entry *e = t->b[j];
            while (e) {
                struct store_entry *next = e->next;
                store__entry_free(s, e);
                e = next;
            }
        }
        store__free(s, t->b);
        t->b = NULL;
        t->size = 0;
    }
    sh->rehashidx = 0;
    sh->used = 0;
}
