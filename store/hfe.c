/* hfe.c - hash field expiration: per-field deadlines of hashes (Redis
 * 7.4's HEXPIRE family) and the registry the sweeper walks.
 *
 * A hash pays nothing until a field TTL command first touches it. Then
 * store_hash_ttl_open moves its 16-byte struct store_coll into a 24-byte
 * struct coll_x (coll.c) whose extra word points at a struct store__hfe:
 *
 *   entry value -> coll_x{ coll, x } -> hfe{ dl, c, slot, key }
 *                                              |             \
 *                       zset: field -> deadline ms        s->hfev[slot]
 *
 * dl is a sorted set (zset.c) scored by the absolute deadline, so the
 * earliest one is its first member: the sweeper finds due fields without
 * looking at the others, and a field's deadline is one member lookup.
 * Every field in dl is a field of the hash; coll.c drops a field from dl
 * when the field is deleted or overwritten (HSET clears a TTL,
 * store_coll_put_keepttl does not). A field is expired once its deadline
 * is below now (Redis keeps it alive for the deadline's millisecond).
 *
 * The registry s->hfev holds every such hash of the store as a binary
 * min-heap on min, a lower bound of the hash's earliest deadline (exact
 * when set; deleting or persisting fields leaves it low until the sweeper
 * looks, finds nothing due and moves the hash down). So the sweeper only
 * touches hashes with something due, however many others wait, as Redis's
 * ebuckets of hashes ordered by next deadline do. A hash is registered
 * with a copy of its key's name, which the sweeper needs to delete the key
 * when its last field expires and to report the key.
 * Consistency without dangling pointers: freeing the collection (DEL,
 * overwrite, FLUSHDB, eviction, key expiry) unregisters it; RENAME, MOVE
 * and COPY call store__hfe_rekey (store.c's key_move), which renames it,
 * moves it to the destination store's registry, or registers the copy.
 * The name copy is store bookkeeping, counted in the store's memory but
 * not in the object's (MOVE hands the object's bytes to the other store).
 *
 * A hash keeps its coll_x once made, as Redis keeps listpackex, even when
 * no TTL is left; its min is then NO_DEADLINE, at the bottom of the heap. */
#include "store/store_int.h"

#include <malloc.h>
#include <stdlib.h>

#define NO_SLOT ((size_t)-1)
#define NO_DEADLINE INT64_MAX
#define FIELDS_PER_HASH 100        /* most fields one visit expires */
#define VISITS_PER_CHECK 16        /* hashes between clock reads */

struct store__hfe {
    struct store_zset *dl;     /* field -> absolute deadline (ms) */
    struct store_coll *c;      /* the hash */
    int64_t min;               /* <= every deadline in dl; NO_DEADLINE */
    size_t slot;               /* index in s->hfev, NO_SLOT when off it */
    char *key;                 /* the key's name; NULL off the registry */
    size_t klen;
};

/* ---- Registry ------------------------------------------------------------ */

/* See store.h. */
size_t store_hfe_hashes(const struct store *s)
{
    return s->nhfe;
}

/* Room for one more hash in s's registry: STORE_OK or STORE_NOMEM. */
static int reg_reserve(struct store *s)
{
    if (s->nhfe < s->hfecap)
        return STORE_OK;
    size_t cap = s->hfecap ? s->hfecap * 2 : 8;
    struct store__hfe **v = store__realloc(s, s->hfev, cap * sizeof *v);
    if (!v)
        return STORE_NOMEM;
    s->hfev = v;
    s->hfecap = cap;
    return STORE_OK;
}

static void heap_put(struct store *s, size_t i, struct store__hfe *x)
{
    s->hfev[i] = x;
    x->slot = i;
}

/* Moves the hash at slot i up or down to where its min belongs. */
static void heap_fix(struct store *s, size_t i)
{
    struct store__hfe *x = s->hfev[i];
    while (i > 0 && s->hfev[(i - 1) / 2]->min > x->min) {
        heap_put(s, i, s->hfev[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    for (;;) {
        size_t k = 2 * i + 1;
        if (k >= s->nhfe)
            break;
        if (k + 1 < s->nhfe && s->hfev[k + 1]->min < s->hfev[k]->min)
            k++;
        if (s->hfev[k]->min >= x->min)
            break;
        heap_put(s, i, s->hfev[k]);
        i = k;
    }
    heap_put(s, i, x);
}

/* Adds x to s's registry, which reg_reserve made room in. */
static void reg_add(struct store *s, struct store__hfe *x)
{
    heap_put(s, s->nhfe++, x);
    heap_fix(s, x->slot);
}

/* Takes x off s's registry (the last one fills its slot). */
static void reg_remove(struct store *s, struct store__hfe *x)
{
    if (x->slot == NO_SLOT)
        return;
    size_t i = x->slot;
    struct store__hfe *last = s->hfev[--s->nhfe];
    x->slot = NO_SLOT;
    if (last == x)
        return;
    heap_put(s, i, last);
    heap_fix(s, i);
}

/* Sets x's lower bound to m, and its place in s's heap if it is on it. */
static void set_min(struct store *s, struct store__hfe *x, int64_t m)
{
    x->min = m;
    if (x->slot != NO_SLOT)
        heap_fix(s, x->slot);
}

/* Frees the registry array of s (store_free, after every key is gone). */
void store__hfe_registry_free(struct store *s)
{
    store__free(s, s->hfev);
    s->hfev = NULL;
    s->nhfe = s->hfecap = 0;
}

/* ---- Deadlines ----------------------------------------------------------- */

static struct store__hfe *hfe_new(struct store *s)
{
    struct store__hfe *x = store__malloc(s, sizeof *x);
    if (!x)
        return NULL;
    *x = (struct store__hfe){ .slot = NO_SLOT, .min = NO_DEADLINE };
    x->dl = store_zset_new(s);
    if (!x->dl) {
        store__free(s, x);
        return NULL;
    }
    return x;
}

/* Frees x (its deadlines and name) and takes it off s's registry; NULL
 * is a no-op. */
void store__hfe_free(struct store *s, struct store__hfe *x)
{
    if (!x)
        return;
    reg_remove(s, x);
    store_zset_free(s, x->dl);
    store__free(s, x->key);
    store__free(s, x);
}

/* A copy of x's deadlines allocated from d, off any registry, or NULL on
 * OOM. The caller attaches it to the copied hash (set_owner). */
struct store__hfe *store__hfe_clone(struct store *d,
                                    const struct store__hfe *x)
{
    struct store__hfe *n = hfe_new(d);
    if (!n)
        return NULL;
    struct store_zset_it it;
    struct store_zset_view v;
    double out;
    store_zset_seek(x->dl, 0, 0, &it);
    while (store_zset_next(x->dl, &it, &v))
        if (store_zset_add(d, n->dl, v.m, v.mlen, v.score, 0, &out) < 0) {
            store__hfe_free(d, n);
            return NULL;
        }
    n->min = x->min;
    return n;
}

/* Records c as the hash x belongs to. */
void store__hfe_set_owner(struct store__hfe *x, struct store_coll *c)
{
    x->c = c;
}

/* Bytes x holds, its name aside (the name is the store's, see above). */
size_t store__hfe_mem(const struct store__hfe *x)
{
    return malloc_usable_size((void *)x) +
           store__ops[STORE_T_ZSET]->mem(x->dl);
}

/* Drops field f's deadline, if any (coll.c, when f goes or is
 * overwritten). Never fails. */
void store__hfe_forget(struct store *s, struct store__hfe *x, const char *f,
                       size_t flen)
{
    store_zset_del(s, x->dl, f, flen);
}

/* 1 if field f has a deadline below now_ms. */
int store__hfe_expired(const struct store__hfe *x, const char *f,
                       size_t flen, int64_t now_ms)
{
    double d;
    return store_zset_score(x->dl, f, flen, &d) && (int64_t)d < now_ms;
}

/* The earliest deadline in x, or NO_DEADLINE. */
static int64_t first_deadline(const struct store__hfe *x)
{
    struct store_zset_it it;
    struct store_zset_view v;
    store_zset_seek(x->dl, 0, 0, &it);
    if (!store_zset_next(x->dl, &it, &v))
        return NO_DEADLINE;
    return (int64_t)v.score;
}

/* Names hash c (which has deadlines) after key dst in store d, moving it
 * from s's registry to d's (s may be d; a fresh copy is on none). For
 * RENAME, MOVE and COPY, before they commit: STORE_OK, or STORE_NOMEM
 * with nothing changed. */
int store__hfe_rekey(struct store *s, struct store *d, struct store_coll *c,
                     const char *dst, size_t dlen)
{
    struct store__hfe *x = store__coll_hfe(c);
    char *k = store__malloc(d, dlen ? dlen : 1);
    if (!k)
        return STORE_NOMEM;
    if (reg_reserve(d)) {
        store__free(d, k);
        return STORE_NOMEM;
    }
    if (dlen)
        memcpy(k, dst, dlen);
    reg_remove(s, x);
    store__free(s, x->key);
    x->key = k;
    x->klen = dlen;
    reg_add(d, x);
    return STORE_OK;
}

/* Invariants for the tests: 0, or the failing line. */
int store__hfe_check(const struct store__hfe *x, const struct store_coll *c)
{
    if (x->c != c)
        return __LINE__;
    struct store_zset_it it;
    struct store_zset_view v;
    store_zset_seek(x->dl, 0, 0, &it);
    while (store_zset_next(x->dl, &it, &v))
        if (!store_coll_get(c, v.m, v.mlen, NULL))
            return __LINE__;
    return 0;
}

/* Registry invariants for store__check: 0 or the failing line; adds the
 * registry's bytes (array and names) to *mem. */
int store__hfe_registry_check(const struct store *s, size_t *mem)
{
    if (s->hfev)
        *mem += malloc_usable_size(s->hfev);
    if (s->nhfe > s->hfecap)
        return __LINE__;
    for (size_t i = 0; i < s->nhfe; i++) {
        const struct store__hfe *x = s->hfev[i];
        if (x->slot != i || !x->key || store__coll_hfe(x->c) != x)
            return __LINE__;
        if (x->min > first_deadline(x) ||
            (i > 0 && s->hfev[(i - 1) / 2]->min > x->min))
            return __LINE__;
        *mem += malloc_usable_size(x->key);
    }
    return 0;
}

/* ---- Public API ---------------------------------------------------------- */

/* See store.h. */
int store_hash_ttl_open(struct store *s, const char *key, size_t klen,
                        int64_t now_ms, struct store_coll **out)
{
    *out = NULL;
    struct store_entry *e = store_key_find(s, key, klen, now_ms);
    if (!e)
        return STORE_NOT_FOUND;
    if (e->type != STORE_T_HASH)
        return STORE_WRONGTYPE;
    struct store_coll *c = store__obj(e);
    if (store_coll_is_hfe(c)) {
        *out = c;
        return STORE_OK;
    }
    struct store__hfe *x = hfe_new(s);
    char *k = x ? store__malloc(s, klen ? klen : 1) : NULL;
    struct store_coll *nc = NULL;
    if (!k || reg_reserve(s) || !(nc = store__coll_hfe_attach(s, c, x))) {
        store__free(s, k);
        store__hfe_free(s, x);
        return STORE_NOMEM;
    }
    if (klen)
        memcpy(k, key, klen);
    x->key = k;
    x->klen = klen;
    x->c = nc;
    reg_add(s, x);
    memcpy(store__eval(e), &nc, sizeof nc);
    *out = nc;
    return STORE_OK;
}

/* See store.h. */
int64_t store_coll_ttl(const struct store_coll *c, const char *f,
                       size_t flen)
{
    const struct store__hfe *x = store__coll_hfe(c);
    double d;
    if (!x || !store_zset_score(x->dl, f, flen, &d))
        return STORE_NO_TTL;
    return (int64_t)d;
}

/* See store.h. */
int store_coll_ttl_set(struct store *s, struct store_coll *c, const char *f,
                       size_t flen, int64_t at_ms)
{
    struct store__hfe *x = store__coll_hfe(c);
    if (!x || !store_coll_get(c, f, flen, NULL))
        return STORE_NOT_FOUND;
    double out;
    int rc = store_zset_add(s, x->dl, f, flen, (double)at_ms, 0, &out);
    if (rc < 0)
        return rc;
    if (at_ms < x->min)
        set_min(s, x, at_ms);
    return STORE_OK;
}

/* See store.h. */
int store_coll_ttl_clear(struct store *s, struct store_coll *c,
                         const char *f, size_t flen)
{
    struct store__hfe *x = store__coll_hfe(c);
    return x ? store_zset_del(s, x->dl, f, flen) : 0;
}

/* See store.h. */
int store_coll_field_expired(const struct store_coll *c, const char *f,
                             size_t flen, int64_t now_ms)
{
    const struct store__hfe *x = store__coll_hfe(c);
    return x && store__hfe_expired(x, f, flen, now_ms);
}

/* See store.h. */
size_t store_coll_ttl_count(const struct store_coll *c)
{
    const struct store__hfe *x = store__coll_hfe(c);
    return x ? store_zset_len(x->dl) : 0;
}

/* See store.h. */
size_t store_coll_live_len(const struct store_coll *c, int64_t now_ms)
{
    const struct store__hfe *x = store__coll_hfe(c);
    size_t n = store_coll_len(c);
    if (!x)
        return n;
    struct store_zset_it it;
    struct store_zset_view v;
    store_zset_seek(x->dl, 0, 0, &it);
    while (store_zset_next(x->dl, &it, &v) && (int64_t)v.score < now_ms)
        n--;
    return n;
}

/* See store.h. */
size_t store_coll_expire(struct store *s, struct store_coll *c,
                         int64_t now_ms, size_t max)
{
    struct store__hfe *x = store__coll_hfe(c);
    size_t n = 0;
    char small[128];
    while (x && n < max) {
        struct store_zset_it it;
        struct store_zset_view v;
        store_zset_seek(x->dl, 0, 0, &it);
        if (!store_zset_next(x->dl, &it, &v) || (int64_t)v.score >= now_ms)
            break;
        /* The view dies with the deletion; delete through a copy. */
        char *f = v.mlen <= sizeof small ? small : malloc(v.mlen);
        if (!f)
            break;
        memcpy(f, v.m, v.mlen);
        store_coll_del(s, c, f, v.mlen);
        if (f != small)
            free(f);
        n++;
    }
    return n;
}

/* Removes key, whose hash the sweep emptied. */
static void drop_key(struct store *s, const char *key, size_t klen)
{
    uint64_t h = store__hash(key, klen);
    struct store_shard *sh = store__shard(s, h);
    struct store_entry **link = store__table_find(sh, h, key, klen);
    if (!link)
        return;
    store__entry_remove(s, sh, link, 0);
    store__table_shrink(s, sh);
}

/* See store.h. */
size_t store_hfe_step(struct store *s, int64_t now_ms, uint64_t budget_us,
                      store_clock_us clock, void *clock_ctx,
                      store_hexpired_cb cb, void *ctx)
{
    uint64_t start = clock ? clock(clock_ctx) : 0;
    size_t expired = 0, visits = s->nhfe;
    /* Each hash about once a call: one with more than FIELDS_PER_HASH due
     * waits for the next. */
    for (size_t k = 0; k < visits && s->nhfe > 0; k++) {
        if (k % VISITS_PER_CHECK == VISITS_PER_CHECK - 1 && clock &&
            clock(clock_ctx) - start >= budget_us)
            break;
        struct store__hfe *x = s->hfev[0];
        if (x->min >= now_ms)
            break;                     /* nothing due anywhere */
        struct store_coll *c = x->c;
        size_t n = store_coll_expire(s, c, now_ms, FIELDS_PER_HASH);
        expired += n;
        int gone = store_coll_len(c) == 0;
        if (n && cb)
            cb(ctx, x->key, x->klen, n, gone);
        if (gone)
            drop_key(s, x->key, x->klen);    /* frees x, off the heap */
        else
            set_min(s, x, first_deadline(x));
    }
    s->stats.hfe_expired += expired;
    return expired;
}
