/* store.c - one database: shards, keys, string values, TTLs.
 *
 *   struct store
 *     shards[h >> 56 & (nshards-1)]          h = XXH3(key)
 *       t[0], t[1]   chained hash tables (table.c), bucket = h & mask
 *       vol[]        dense array of the entries with a TTL
 *
 *   entry with TTL:   next klen vlen type flags | expire vidx | key | val
 *                                                    |
 *   vol[vidx] -------------------------------------- points back here
 *
 * Every key operation hashes the key once, picks the shard, moves one
 * bucket of a pending rehash, and treats an expired key as absent: it is
 * unlinked, reported to the expired callback and freed (lazy expiry).
 * Memory comes back for keys nobody reads through store_expire_step
 * (expire.c).
 *
 * Invariants (store__check verifies them for the tests):
 *   - an entry has STORE__F_TTL iff it is in its shard's vol[], and then
 *     vol[vidx] == entry; vol[] is dense (removal swaps in the last slot).
 *   - nkeys / nvol equal the sums of the shards' used / nvol.
 *   - mem is the sum of malloc_usable_size() of every block we hold,
 *     plus the bytes of the arrays kept in mappings (pages.c).
 *   - a failed allocation leaves everything as it was: each operation
 *     allocates everything it needs before it changes anything.
 *
 * Overwriting a string with one of the same length (and the same TTL
 * presence) is done in place; anything else allocates a new entry and
 * swaps it into the chain and the vol[] slot. RENAME to a key of the same
 * length reuses the entry (only the key bytes change), otherwise the value
 * is copied once: O(value length), unlike Redis's O(1).
 *
 * What this file does not do: read a clock, print, or keep any global
 * state. Callbacks must not call back into the store. */
#include "store/store_int.h"

#include <malloc.h>
#include <stdlib.h>

#define VOL_MIN 8

/* ---- Allocation, accounting, fault injection ----------------------------- */

/* Returns 1 when fault injection fails this allocation (store__malloc's
 * and pages.c's); counts it down otherwise. */
int store__fail_now(struct store *s)
{
    return s->fail_after != 0 && --s->fail_after == 0;
}

/* malloc for the store: counted in mem, subject to fault injection.
 * Returns NULL on failure. */
void *store__malloc(struct store *s, size_t n)
{
    if (store__fail_now(s))
        return NULL;
    void *p = malloc(n);
    if (p)
        s->mem += malloc_usable_size(p);
    return p;
}

/* calloc for the store: as store__malloc, zeroed. */
void *store__calloc(struct store *s, size_t n, size_t size)
{
    if (store__fail_now(s))
        return NULL;
    void *p = calloc(n, size);
    if (p)
        s->mem += malloc_usable_size(p);
    return p;
}

/* realloc for the store: on failure returns NULL and p is untouched. */
void *store__realloc(struct store *s, void *p, size_t n)
{
    if (store__fail_now(s))
        return NULL;
    size_t old = p ? malloc_usable_size(p) : 0;
    void *q = realloc(p, n);
    if (q)
        s->mem += malloc_usable_size(q) - old;
    return q;
}

/* Frees a block allocated by the functions above; NULL is a no-op. */
void store__free(struct store *s, void *p)
{
    if (!p)
        return;
    s->mem -= malloc_usable_size(p);
    free(p);
}

/* The store's PRNG (splitmix64): next 64 random bits. */
uint64_t store__rand(struct store *s)
{
    uint64_t z = (s->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* See store_int.h. */
struct store_shard *store__pick_shard(struct store *s, size_t total, int vol)
{
    size_t r = store__rand(s) % total;
    struct store_shard *sh = s->shards;
    while (r >= (vol ? sh->nvol : sh->used)) {
        r -= vol ? sh->nvol : sh->used;
        sh++;
    }
    return sh;
}

/* See store_int.h. */
int store__chain_keep(struct store *s, size_t len)
{
    return len >= STORE__CHAIN_CAP || store__rand(s) % STORE__CHAIN_CAP < len;
}

/* ---- The volatile array -------------------------------------------------- */

/* Doubles sh's vol[]. A big array is a mapping that grows in place or by
 * mremap, without copying (pages.c). */
static int vol_grow(struct store *s, struct store_shard *sh)
{
    if (sh->vcap >= UINT32_MAX)
        return STORE_NOMEM;
    size_t cap = sh->vcap ? sh->vcap * 2 : VOL_MIN;
    struct store_entry **v = store__array_resize(
        s, sh->vol, sh->vcap * sizeof *v, cap * sizeof *v, &sh->vspan);
    if (!v)
        return STORE_NOMEM;
    sh->vol = v;
    sh->vcap = cap;
    return STORE_OK;
}

/* Makes room for one more volatile entry in sh. */
static int vol_reserve(struct store *s, struct store_shard *sh)
{
    if (sh->nvol == sh->vcap && vol_grow(s, sh))
        return STORE_NOMEM;
    /* The slot vol_add writes next: a mapped array's pages are faulted
     * in a granule at a time, ahead of the writes (pages.c). */
    size_t w = sizeof *sh->vol;
    store__array_fill(s, sh->vol, sh->vcap * w, sh->nvol * w);
    return STORE_OK;
}

/* Adds e (which has the TTL flag) to vol[]; vol_reserve came first. */
static void vol_add(struct store *s, struct store_shard *sh,
                    struct store_entry *e)
{
    store__vidx_put(e, (uint32_t)sh->nvol);
    sh->vol[sh->nvol++] = e;
    s->nvol++;
}

/* Removes e from vol[] in O(1). The array shrinks by half once a quarter
 * full, which always leaves room for one more entry (so a reservation
 * made earlier in the same operation still holds). */
static void vol_remove(struct store *s, struct store_shard *sh,
                       struct store_entry *e)
{
    uint32_t i = store__vidx(e);
    struct store_entry *last = sh->vol[--sh->nvol];
    if (last != e) {
        sh->vol[i] = last;
        store__vidx_put(last, i);
    }
    s->nvol--;
    if (sh->vcap > 2 * VOL_MIN && sh->nvol < sh->vcap / 4) {
        /* Not a fault-injection point: a failed shrink changes nothing. */
        size_t w = sizeof *sh->vol;
        struct store_entry **v = store__array_shrink(
            s, sh->vol, sh->vcap * w, sh->vcap / 2 * w, &sh->vspan);
        if (v) {
            sh->vol = v;
            sh->vcap /= 2;
        }
    }
}

/* ---- Entries ------------------------------------------------------------- */

static struct store_entry *entry_new(struct store *s, const char *key,
                                     size_t klen, size_t vlen, int ttl)
{
    struct store_entry *e = store__malloc(s, store__esize(klen, vlen, ttl));
    if (!e)
        return NULL;
    e->next = NULL;
    e->klen = (uint32_t)klen;
    e->vlen = (uint32_t)vlen;
    e->type = STORE_T_STRING;
    e->freq = STORE__LFU_INIT;
    e->flags = (uint8_t)((ttl ? STORE__F_TTL : 0) | s->atime);
    if (klen)
        memcpy(store__ekey(e), key, klen);
    return e;
}

/* A copy of e's value under key, with or without the TTL prefix (its
 * expire time is not written). Allocated from store s. */
static struct store_entry *entry_clone(struct store *s,
                                       const struct store_entry *e,
                                       const char *key, size_t klen,
                                       int ttl)
{
    struct store_entry *n = entry_new(s, key, klen, e->vlen, ttl);
    if (!n)
        return NULL;
    n->type = e->type;
    n->freq = e->freq;
    if (e->vlen)
        memcpy(store__eval(n), store__ckey(e) + e->klen, e->vlen);
    return n;
}

/* Frees entry e and the object its value owns, if any. */
void store__entry_free(struct store *s, struct store_entry *e)
{
    if (store__ops[e->type])
        store__ops[e->type]->free(s, store__obj(e));
    store__free(s, e);
}

/* Unlinks the entry *link points at from shard sh of s, drops it from
 * vol[], reports it to the expired callback when expired is set, and
 * frees it. Never starts or advances a rehash. */
void store__entry_remove(struct store *s, struct store_shard *sh,
                         struct store_entry **link, int expired)
{
    struct store_entry *e = *link;
    *link = e->next;
    sh->used--;
    s->nkeys--;
    store__pindex_remove(s, sh, e);
    if (store__has_ttl(e))
        vol_remove(s, sh, e);
    if (expired && s->expired_cb)
        s->expired_cb(s->expired_ctx, store__ckey(e), e->klen);
    store__entry_free(s, e);
}

/* Replaces *link's entry old with ne (same key) in the chain and the
 * prefix index and, when both carry a TTL, in vol[] too. The caller fixes
 * vol[] otherwise. */
static void entry_swap(struct store_shard *sh, struct store_entry **link,
                       struct store_entry *old, struct store_entry *ne)
{
    struct store_entry **slot = store__pindex_slot(sh, old);
    if (slot)
        *slot = ne;
    ne->next = old->next;
    *link = ne;
    if (store__has_ttl(old) && store__has_ttl(ne)) {
        uint32_t i = store__vidx(old);
        store__vidx_put(ne, i);
        sh->vol[i] = ne;
    }
}

/* 1 if *link's entry is past its TTL at now_ms, and then removes it,
 * unless expiry is paused (CLIENT PAUSE): the key then only looks gone. */
static int drop_expired(struct store *s, struct store_shard *sh,
                        struct store_entry **link, int64_t now_ms)
{
    if (!store__expired(*link, now_ms))
        return 0;
    if (s->expire_paused)
        return 1;
    store__entry_remove(s, sh, link, 1);
    store__table_shrink(s, sh);
    return 1;
}

/* find_live under an lfu policy or store_set_touch(s, 0), out of the way
 * of the common path. s->atime moves on either way: it stamps the entries
 * the command creates. */
static __attribute__((noinline)) struct store_entry **
find_live_slow(struct store *s, struct store_shard *sh,
               struct store_entry **link, int64_t now_ms)
{
    s->atime = store__stamp(s, now_ms);
    if (!link || drop_expired(s, sh, link, now_ms))
        return NULL;
    store__access(s, *link);
    return link;
}

/* The link of key's live entry, or NULL; an expired entry is removed. A
 * live one is marked as used: its access stamp (or LFU count) and
 * s->atime, the stamp new entries get, move to now_ms. */
static struct store_entry **find_live(struct store *s, struct store_shard *sh,
                                      uint64_t h, const char *key,
                                      size_t klen, int64_t now_ms)
{
    struct store_entry **link = store__table_find(sh, h, key, klen);
    if (__builtin_expect(s->lfu | s->notouch, 0))
        return find_live_slow(s, sh, link, now_ms);
    s->atime = store__atime(now_ms);
    if (!link || drop_expired(s, sh, link, now_ms))
        return NULL;
    store__touch(*link, s->atime);
    return link;
}

/* Maps the public expire argument to an absolute time or STORE_NO_TTL:
 * other negative times are in the past, so they become 0. */
static int64_t norm_expire(int64_t t)
{
    return t < 0 && t != STORE_NO_TTL ? 0 : t;
}

/* ---- Lifecycle ----------------------------------------------------------- */

/* Returns a new empty store with nshards (clamped to 1..256 and rounded up
 * to a power of two) shards, or NULL on OOM. Free with store_free. */
struct store *store_new(unsigned nshards)
{
    unsigned n = 1;
    while (n < nshards && n < STORE_MAX_SHARDS)
        n *= 2;
    size_t size = sizeof(struct store) + n * sizeof(struct store_shard);
    struct store *s = calloc(1, size);
    if (!s)
        return NULL;
    s->nshards = n;
    s->mem = malloc_usable_size(s);
    s->map_min = STORE__MAP_MIN;
    s->rng = (uint64_t)(uintptr_t)s ^ 0x5851f42d4c957f2dULL;
    s->limits = (struct store_limits)STORE_LIMITS_DEFAULT;
    return s;
}

/* Frees the store and every key in it; NULL is a no-op. */
void store_free(struct store *s)
{
    if (!s)
        return;
    store_clear(s);
    store__hfe_registry_free(s);
    free(s);
}

/* See store.h. */
void store_set_expire_paused(struct store *s, int on)
{
    s->expire_paused = on != 0;
}

/* See store.h. */
void store_set_touch(struct store *s, int on)
{
    s->notouch = on == 0;
}

/* Sets the callback told about keys removed because their TTL passed. */
void store_set_expired_cb(struct store *s, store_expired_cb cb, void *ctx)
{
    s->expired_cb = cb;
    s->expired_ctx = ctx;
}

/* Sets who gives the store's big mappings back (pages.c). */
void store_set_release_cb(struct store *s, store_release_cb cb, void *ctx)
{
    s->release_cb = cb;
    s->release_ctx = ctx;
}

/* Sets who faults in the store's new mappings ahead (pages.c). */
void store_set_populate_cb(struct store *s, store_populate_cb cb, void *ctx)
{
    s->populate_cb = cb;
    s->populate_ctx = ctx;
}

/* Sets who maps the store's new bucket arrays (pages.c). */
void store_set_map_cb(struct store *s, store_map_cb cb, void *ctx)
{
    s->map_cb = cb;
    s->map_ctx = ctx;
}

/* Removes every key and frees every table (FLUSHDB). No callbacks. The
 * avg_ttl estimate goes too, as Redis's emptyDbStructure zeroes it: it is
 * a running average, so the TTLs of the flushed keys would otherwise weigh
 * on the new keys' figure for hundreds of sweeps. */
void store_clear(struct store *s)
{
    for (unsigned i = 0; i < s->nshards; i++) {
        struct store_shard *sh = &s->shards[i];
        store__table_clear(s, sh);
        store__pindex_clear(s, sh);
        store__array_free_grown(s, sh->vol, sh->vcap * sizeof *sh->vol,
                                sh->vspan);
        sh->vol = NULL;
        sh->nvol = sh->vcap = sh->vspan = 0;
    }
    store__presume_clear(s);
    s->nkeys = 0;
    s->nvol = 0;
    s->stats.avg_ttl = 0;
}

/* Returns the number of keys held, expired or not. */
size_t store_size(const struct store *s)
{
    return s->nkeys;
}

/* Returns the number of keys held that carry a TTL. */
size_t store_volatile_size(const struct store *s)
{
    return s->nvol;
}

/* Returns the bytes allocated for the store, its tables, keys and values
 * (as malloc_usable_size reports them, so allocator rounding counts). */
size_t store_mem_usage(const struct store *s)
{
    return s->mem;
}

/* See store.h. Counted from the arrays' sizes: a big one is a mapping
 * of exactly that many bytes, a small one a malloc block of about it. */
void store_mem_tables(const struct store *s, size_t *main, size_t *expires)
{
    size_t m = 0, x = 0;
    for (unsigned i = 0; i < s->nshards; i++) {
        const struct store_shard *sh = &s->shards[i];
        m += (sh->t[0].size + sh->t[1].size) * sizeof(struct store_entry *);
        x += sh->vcap * sizeof(struct store_entry *);
    }
    *main = m;
    *expires = x;
}

/* Arms fault injection: the n-th allocation from now on fails (0: off). */
void store_set_fail_after(struct store *s, unsigned long n)
{
    s->fail_after = n;
}

/* ---- Keys ---------------------------------------------------------------- */

/* Returns key's live entry (borrowed, valid until the next mutating call)
 * or NULL; an expired key is removed and reported. */
struct store_entry *store_key_find(struct store *s, const char *key,
                                   size_t klen, int64_t now_ms)
{
    uint64_t h = store__hash(key, klen);
    struct store_shard *sh = store__shard(s, h);
    store__rehash_step(s, sh);
    struct store_entry **link = find_live(s, sh, h, key, klen, now_ms);
    return link ? *link : NULL;
}

/* See store.h. find_live without the access, apart so that the lookup
 * every command makes pays no extra test for it. */
struct store_entry *store_key_peek(struct store *s, const char *key,
                                   size_t klen, int64_t now_ms)
{
    uint64_t h = store__hash(key, klen);
    struct store_shard *sh = store__shard(s, h);
    store__rehash_step(s, sh);
    struct store_entry **link = store__table_find(sh, h, key, klen);
    if (!link || drop_expired(s, sh, link, now_ms))
        return NULL;
    return *link;
}

/* See store.h. */
struct store_entry *store_key_peek_any(struct store *s, const char *key,
                                       size_t klen)
{
    uint64_t h = store__hash(key, klen);
    struct store_shard *sh = store__shard(s, h);
    struct store_entry **link = store__table_find(sh, h, key, klen);
    return link ? *link : NULL;
}

/* A new entry for key holding a copy of val as a value of type, expiring
 * at exp (absolute ms, or STORE_NO_TTL); not linked anywhere. NULL on
 * OOM. */
static struct store_entry *entry_filled(struct store *s, const char *key,
                                        size_t klen, const char *val,
                                        size_t vlen, int type, int64_t exp)
{
    int ttl = exp != STORE_NO_TTL;
    struct store_entry *e = entry_new(s, key, klen, vlen, ttl);
    if (!e)
        return NULL;
    e->type = (uint8_t)type;
    if (vlen)
        memcpy(store__eval(e), val, vlen);
    if (ttl)
        store__expire_put(e, exp);
    return e;
}

static int key_set_typed(struct store *s, const char *key, size_t klen,
                         const char *val, size_t vlen, int type,
                         int64_t expire_ms, int64_t now_ms);

/* Sets key to a copy of val. Returns STORE_OK, STORE_NOMEM (nothing
 * changed) or STORE_TOO_BIG (key or value over the limits). */
int store_key_set(struct store *s, const char *key, size_t klen,
                  const char *val, size_t vlen, int64_t expire_ms,
                  int64_t now_ms)
{
    return key_set_typed(s, key, klen, val, vlen, STORE_T_STRING, expire_ms,
                         now_ms);
}

/* Sets key, without a TTL, to the object o of type, which it then owns. */
int store_key_set_obj(struct store *s, const char *key, size_t klen,
                      enum store_type type, void *o, int64_t now_ms)
{
    return key_set_typed(s, key, klen, (const char *)&o, sizeof o, type,
                         STORE_NO_TTL, now_ms);
}

/* store_key_set for a value of any type: val is the string, or the
 * object pointer's bytes. */
static int key_set_typed(struct store *s, const char *key, size_t klen,
                         const char *val, size_t vlen, int type,
                         int64_t expire_ms, int64_t now_ms)
{
    if (klen > UINT32_MAX || vlen > STORE_MAX_STR)
        return STORE_TOO_BIG;
    uint64_t h = store__hash(key, klen);
    struct store_shard *sh = store__shard(s, h);
    store__rehash_step(s, sh);
    struct store_entry **link = find_live(s, sh, h, key, klen, now_ms);
    struct store_entry *old = link ? *link : NULL;

    int64_t exp = expire_ms;
    if (exp == STORE_KEEP_TTL)
        exp = old ? store__expire(old) : STORE_NO_TTL;
    exp = norm_expire(exp);
    int ttl = exp != STORE_NO_TTL;

    if (old && old->type == STORE_T_STRING && type == STORE_T_STRING &&
        old->vlen == vlen &&
        !store__has_ttl(old) == !ttl) {
        if (vlen)
            memmove(store__eval(old), val, vlen);
        if (ttl)
            store__expire_put(old, exp);
        return STORE_OK;
    }

    if (!old)
        return store__key_insert(s, sh, h, key, klen, val, vlen, type, exp);
    if (ttl && !store__has_ttl(old) && vol_reserve(s, sh))
        return STORE_NOMEM;
    struct store_entry *e = entry_filled(s, key, klen, val, vlen, type, exp);
    if (!e)
        return STORE_NOMEM;
    e->freq = old->freq;           /* an overwrite keeps the count (Redis) */
    entry_swap(sh, link, old, e);
    if (store__has_ttl(old) && !ttl)
        vol_remove(s, sh, old);
    else if (ttl && !store__has_ttl(old))
        vol_add(s, sh, e);
    store__entry_free(s, old);
    return STORE_OK;
}

/* Adds key, which is absent from shard sh (h is its hash, and nothing
 * has changed sh since it was looked up), with a copy of val as a value
 * of type, expiring at exp (absolute ms >= 0, or STORE_NO_TTL). The
 * caller checked the length limits. Returns STORE_OK or STORE_NOMEM
 * (nothing changed). */
int store__key_insert(struct store *s, struct store_shard *sh, uint64_t h,
                      const char *key, size_t klen, const char *val,
                      size_t vlen, int type, int64_t exp)
{
    int ttl = exp != STORE_NO_TTL;
    if (ttl && vol_reserve(s, sh))
        return STORE_NOMEM;
    if (store__table_reserve(s, sh))
        return STORE_NOMEM;
    struct store_entry *e = entry_filled(s, key, klen, val, vlen, type, exp);
    if (!e)
        return STORE_NOMEM;
    store__table_link(sh, h, e);
    s->nkeys++;
    if (ttl)
        vol_add(s, sh, e);
    return STORE_OK;
}

/* Removes key if there is one: with live_only, one past its time is
 * expired instead (reported, not counted as removed). 1 if removed. */
static int delete_key(struct store *s, const char *key, size_t klen,
                      int live_only, int64_t now_ms)
{
    uint64_t h = store__hash(key, klen);
    struct store_shard *sh = store__shard(s, h);
    store__rehash_step(s, sh);
    struct store_entry **link =
        live_only ? find_live(s, sh, h, key, klen, now_ms)
                  : store__table_find(sh, h, key, klen);
    if (!link)
        return 0;
    store__entry_remove(s, sh, link, 0);
    store__table_shrink(s, sh);
    return 1;
}

/* Removes key; returns 1 if a live key was removed, else 0. */
int store_key_delete(struct store *s, const char *key, size_t klen,
                     int64_t now_ms)
{
    return delete_key(s, key, klen, 1, now_ms);
}

/* See store.h. */
int store_key_delete_held(struct store *s, const char *key, size_t klen)
{
    return delete_key(s, key, klen, 0, 0);
}

/* Sets or clears key's TTL. Adding or dropping the TTL prefix moves the
 * entry to a new allocation. Returns STORE_OK, STORE_NOT_FOUND or
 * STORE_NOMEM (nothing changed). */
int store_key_expire_set(struct store *s, const char *key, size_t klen,
                         int64_t expire_ms, int64_t now_ms)
{
    uint64_t h = store__hash(key, klen);
    struct store_shard *sh = store__shard(s, h);
    store__rehash_step(s, sh);
    struct store_entry **link = find_live(s, sh, h, key, klen, now_ms);
    if (!link)
        return STORE_NOT_FOUND;
    if (expire_ms == STORE_KEEP_TTL)
        return STORE_OK;
    struct store_entry *e = *link;
    int64_t exp = norm_expire(expire_ms);
    int ttl = exp != STORE_NO_TTL;

    if (!store__has_ttl(e) == !ttl) {
        if (ttl)
            store__expire_put(e, exp);
        return STORE_OK;
    }
    if (ttl && vol_reserve(s, sh))
        return STORE_NOMEM;
    struct store_entry *ne = entry_clone(s, e, key, klen, ttl);
    if (!ne)
        return STORE_NOMEM;
    entry_swap(sh, link, e, ne);
    if (ttl) {
        store__expire_put(ne, exp);
        vol_add(s, sh, ne);
    } else {
        vol_remove(s, sh, e);
    }
    store__free(s, e);
    return STORE_OK;
}

/* Shared body of rename (move set) and copy. */
static int key_move(struct store *s, const char *src, size_t slen,
                    struct store *d, const char *dst, size_t dlen,
                    int64_t now_ms, int move)
{
    if (dlen > UINT32_MAX)
        return STORE_TOO_BIG;
    uint64_t hs = store__hash(src, slen), hd = store__hash(dst, dlen);
    struct store_shard *ss = store__shard(s, hs), *ds = store__shard(d, hd);
    store__rehash_step(s, ss);
    store__rehash_step(d, ds);

    /* Expire dst first: its removal could invalidate src's link. */
    find_live(d, ds, hd, dst, dlen, now_ms);
    struct store_entry **sl = find_live(s, ss, hs, src, slen, now_ms);
    if (!sl)
        return STORE_NOT_FOUND;
    if (s == d && slen == dlen && store__mem_eq(src, dst, slen))
        return STORE_OK;
    struct store_entry *e = *sl;
    int ttl = store__has_ttl(e);
    int64_t exp = store__expire(e);

    /* Allocate everything first. Reserving does not move entries, so sl
     * stays valid. */
    if (ttl && vol_reserve(d, ds))
        return STORE_NOMEM;
    if (!store__table_find(ds, hd, dst, dlen) && store__table_reserve(d, ds))
        return STORE_NOMEM;
    if (store__pindex_reserve(d, ds))
        return STORE_NOMEM;
    struct store_entry *ne = e;
    if (!move || slen != dlen) {
        ne = entry_clone(d, e, dst, dlen, ttl);
        if (!ne)
            return STORE_NOMEM;
        if (!move)
            ne->freq = STORE__LFU_INIT;    /* a copy is a new value */
        if (!move && store__ops[e->type]) {
            /* COPY: the new entry gets its own deep copy of the object. */
            void *o = store__ops[e->type]->clone(d, store__obj(e));
            if (!o) {
                store__free(d, ne);
                return STORE_NOMEM;
            }
            memcpy(store__eval(ne), &o, sizeof o);
        }
        if (ttl)
            store__expire_put(ne, exp);
    }
    /* A hash with field TTLs is registered under its key's name (hfe.c):
     * the last step that may fail. */
    if (e->type == STORE_T_HASH) {
        struct store_coll *hc = store__obj(ne);
        if (store_coll_is_hfe(hc) &&
            store__hfe_rekey(s, d, hc, dst, dlen) != STORE_OK) {
            if (ne != e) {
                if (!move)
                    store__ops[e->type]->free(d, hc);
                store__free(d, ne);
            }
            return STORE_NOMEM;
        }
    }

    if (move) {
        *sl = e->next;
        ss->used--;
        s->nkeys--;
        store__pindex_remove(s, ss, e);
        if (ttl)
            vol_remove(s, ss, e);
    }
    struct store_entry **dl = store__table_find(ds, hd, dst, dlen);
    if (dl)
        store__entry_remove(d, ds, dl, 0);
    if (move && s != d && store__ops[e->type]) {
        /* MOVE keeps the object: its bytes now count in d. */
        size_t n = store__ops[e->type]->mem(store__obj(e));
        s->mem -= n;
        d->mem += n;
    }
    if (ne == e) {
        memcpy(store__ekey(e), dst, dlen);
        if (s != d) {
            size_t n = malloc_usable_size(e);
            s->mem -= n;
            d->mem += n;
        }
    } else if (move) {
        store__free(s, e);
    }
    store__table_link(ds, hd, ne);
    d->nkeys++;
    if (ttl)
        vol_add(d, ds, ne);
    if (move)
        store__table_shrink(s, ss);
    return STORE_OK;
}

/* Moves src's value and TTL to dst in store d (d may be s), replacing dst.
 * Returns STORE_OK, STORE_NOT_FOUND or STORE_NOMEM (nothing changed). */
int store_key_rename(struct store *s, const char *src, size_t slen,
                     struct store *d, const char *dst, size_t dlen,
                     int64_t now_ms)
{
    return key_move(s, src, slen, d, dst, dlen, now_ms, 1);
}

/* Copies src's value and TTL to dst in store d, replacing dst. Returns
 * STORE_OK, STORE_NOT_FOUND or STORE_NOMEM (nothing changed). */
int store_key_copy(struct store *s, const char *src, size_t slen,
                   struct store *d, const char *dst, size_t dlen,
                   int64_t now_ms)
{
    return key_move(s, src, slen, d, dst, dlen, now_ms, 0);
}

/* A random non-empty bucket's head in sh (sh->used > 0). Probes random
 * buckets like Redis; after 64 misses (a sparse table mid-shrink) walks
 * from a random start so the time stays bounded by the table size. */
static struct store_entry *random_bucket(struct store *s,
                                         struct store_shard *sh)
{
    size_t s0 = sh->t[0].size, s1 = sh->t[1].size;
    size_t lo = store__rehashing(sh) ? sh->rehashidx : 0;
    size_t span = s0 + s1 - lo;
    size_t i = lo + store__rand(s) % span;
    for (size_t tries = 0; tries < 64 + span; tries++) {
        struct store_entry **b = i < s0 ? &sh->t[0].b[i]
                                        : store__bucket_at(sh, 1, i - s0);
        if (b && *b)
            return *b;
        if (tries < 64)
            i = lo + store__rand(s) % span;
        else if (++i == s0 + s1)
            i = lo;
    }
    return NULL;
}

/* A random entry of non-empty s, expired or not (NULL only if its shard
 * has none after all): a shard with probability proportional to its keys,
 * then an element of a kept chain of it. A chain turned down is drawn
 * again in the same shard: shards whose chains are longer keep more of
 * them. */
static struct store_entry *random_entry(struct store *s,
                                        struct store_shard **shp)
{
    struct store_shard *sh = store__pick_shard(s, s->nkeys, 0);
    store__rehash_step(s, sh);
    struct store_entry *e;
    size_t len;
    do {
        e = random_bucket(s, sh);
        if (!e)
            return NULL;       /* cannot happen: used > 0 */
        len = 0;
        for (struct store_entry *x = e; x; x = x->next)
            len++;
    } while (!store__chain_keep(s, len));
    for (size_t k = store__rand(s) % len; k > 0; k--)
        e = e->next;
    *shp = sh;
    return e;
}

/* Returns a random live entry (borrowed) or NULL when the store is empty.
 * Expired keys met on the way are removed; after 1000 of them in one call
 * it gives up and returns NULL to bound the time. */
struct store_entry *store_key_random(struct store *s, int64_t now_ms)
{
    for (int tries = 0; tries < 1000 && s->nkeys > 0; tries++) {
        struct store_shard *sh;
        struct store_entry *e = random_entry(s, &sh);
        if (!e || !store__expired(e, now_ms))
            return e;
        if (!s->expire_paused)
            store__entry_remove(s, sh, store__table_link_of(sh, e), 1);
    }
    return NULL;
}

/* ---- String values ------------------------------------------------------- */

/* Resizes *e's string value to newlen (new bytes zeroed) and returns the
 * writable value; *e is updated since the entry may move. Returns NULL on
 * OOM or when newlen exceeds STORE_MAX_STR, the value then untouched. */
char *store_str_resize(struct store *s, struct store_entry **ep,
                       size_t newlen)
{
    struct store_entry *e = *ep;
    if (newlen > STORE_MAX_STR)
        return NULL;
    if (newlen == e->vlen)
        return store__eval(e);
    struct store_shard *sh =
        store__shard(s, store__hash(store__ckey(e), e->klen));
    /* Find the link before realloc: afterwards e may be gone. The link is
     * a bucket slot or another entry's next field, never inside e. */
    struct store_entry **link = store__table_link_of(sh, e);
    struct store_entry **pslot = store__pindex_slot(sh, e);
    size_t oldlen = e->vlen;
    struct store_entry *ne = store__realloc(
        s, e, store__esize(e->klen, newlen, store__has_ttl(e)));
    if (!ne)
        return NULL;
    *link = ne;
    if (pslot)
        *pslot = ne;
    if (store__has_ttl(ne))
        sh->vol[store__vidx(ne)] = ne;
    ne->vlen = (uint32_t)newlen;
    char *v = store__eval(ne);
    if (newlen > oldlen)
        memset(v + oldlen, 0, newlen - oldlen);
    *ep = ne;
    return v;
}

/* ---- Entry accessors ----------------------------------------------------- */

/* Returns the key bytes (borrowed) and stores their length in *klen. */
const char *store_entry_key(const struct store_entry *e, size_t *klen)
{
    *klen = e->klen;
    return store__ckey(e);
}

/* Returns the type of the entry's value. */
enum store_type store_entry_type(const struct store_entry *e)
{
    return (enum store_type)e->type;
}

/* Returns the string value (borrowed) and stores its length in *vlen. */
const char *store_entry_str(const struct store_entry *e, size_t *vlen)
{
    *vlen = e->vlen;
    return store__ckey(e) + e->klen;
}

/* Returns the object a non-string entry owns (borrowed). */
void *store_entry_obj(const struct store_entry *e)
{
    return store__obj(e);
}

/* See store.h. The slots are the key's share of the structures that
 * point at it: one pointer in its shard's bucket array (at the load
 * factor of 1 the table grows at), one in the ordered index and, with a
 * TTL, one in the volatile array. */
size_t store_entry_mem(const struct store_entry *e)
{
    size_t n = malloc_usable_size((void *)e) + 2 * sizeof(void *);
    if (store__has_ttl(e))
        n += sizeof(void *);
    if (store__ops[e->type])
        n += store__ops[e->type]->mem(store__obj(e));
    return n;
}

/* Returns the absolute expire time in Unix ms, or STORE_NO_TTL. */
int64_t store_entry_expire(const struct store_entry *e)
{
    return store__expire(e);
}

/* See store.h. */
int store_entry_expired(const struct store_entry *e, int64_t now_ms)
{
    return store__expired(e, now_ms);
}

/* ---- Invariant check (tests) --------------------------------------------- */

#define CHECK(cond)                                                         \
    do { if (!(cond)) return __LINE__; } while (0)

static int check_shard(const struct store *s, unsigned si,
                       size_t *keys, size_t *vols, size_t *mem)
{
    const struct store_shard *sh = &s->shards[si];
    size_t n = 0, nttl = 0;
    CHECK(sh->t[1].size == 0 || sh->t[0].size != 0);
    CHECK(sh->t[0].size == 0 || sh->t[0].size >= 4);
    CHECK(store__rehashing(sh) ? sh->rehashidx < sh->t[0].size
                               : sh->rehashidx == 0);
    for (int t = 0; t < 2; t++) {
        const struct store_table *tb = &sh->t[t];
        CHECK((tb->size & (tb->size - 1)) == 0);
        CHECK(!tb->size == !tb->b);
        size_t done = t == 0 ? sh->rehashidx * sizeof *tb->b : 0;
        *mem += store__array_mem(s, tb->b, tb->size * sizeof *tb->b, done);
        for (size_t i = 0; i < tb->size; i++) {
            if (t == 0 && store__rehashing(sh) && i < sh->rehashidx)
                CHECK(tb->b[i] == NULL);
            struct store_entry *const *b =
                store__bucket_at((struct store_shard *)sh, t, i);
            if (!b)
                continue;          /* t[1] bucket not initialised yet */
            for (const struct store_entry *e = *b; e; e = e->next) {
                uint64_t h = store__hash(store__ckey(e), e->klen);
                CHECK(((h >> 56) & (s->nshards - 1)) == si);
                CHECK((h & (tb->size - 1)) == i);
                CHECK(store__home((struct store_shard *)sh, h) == b);
                CHECK(e->type < STORE_T__COUNT);
                CHECK(e->vlen <= STORE_MAX_STR);
                if (e->type != STORE_T_STRING) {
                    CHECK(e->vlen == sizeof(void *));
                    CHECK(store__ops[e->type]->check(store__obj(e)) == 0);
                    *mem += store__ops[e->type]->mem(store__obj(e));
                }
                CHECK(malloc_usable_size((void *)e) >=
                      store__esize(e->klen, e->vlen, store__has_ttl(e)));
                *mem += malloc_usable_size((void *)e);
                if (store__has_ttl(e)) {
                    uint32_t vi = store__vidx(e);
                    CHECK(vi < sh->nvol && sh->vol[vi] == e);
                    nttl++;
                }
                n++;
            }
        }
    }
    CHECK(n == sh->used);
    CHECK(nttl == sh->nvol);
    int rc = store__pindex_check(sh, mem);
    if (rc)
        return rc;
    CHECK(sh->nvol <= sh->vcap);
    CHECK(!sh->vcap == !sh->vol);
    CHECK(sh->vspan == 0 || sh->vspan >= sh->vcap * sizeof *sh->vol);
    *mem += store__array_mem(s, sh->vol, sh->vcap * sizeof *sh->vol, 0);
    *keys += n;
    *vols += nttl;
    return 0;
}

/* Verifies every invariant listed at the top of this file and table.c.
 * Returns 0, or the source line of the first failed check. O(size). */
int store__check(const struct store *s)
{
    size_t keys = 0, vols = 0, mem = malloc_usable_size((void *)s);
    CHECK(s->nshards >= 1 && s->nshards <= STORE_MAX_SHARDS);
    CHECK((s->nshards & (s->nshards - 1)) == 0);
    for (unsigned i = 0; i < s->nshards; i++) {
        int rc = check_shard(s, i, &keys, &vols, &mem);
        if (rc)
            return rc;
    }
    CHECK(keys == s->nkeys);
    CHECK(vols == s->nvol);
    int prc = store__presume_check(s, &mem);
    if (prc)
        return prc;
    int hrc = store__hfe_registry_check(s, &mem);
    if (hrc)
        return hrc;
    CHECK(mem == s->mem);
    return 0;
}
