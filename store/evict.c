/* evict.c - choosing and removing keys when the server is over maxmemory.
 * The server decides when and from which database; this file samples
 * one database's keys and scores them, the way Redis approximates its
 * policies:
 *
 *   STORE_EVICT_RANDOM  the first key from a random place
 *   STORE_EVICT_LRU     of n sampled keys, the one idle longest
 *   STORE_EVICT_TTL     of n sampled keys, the one expiring first
 *   STORE_EVICT_LFU     of n sampled keys, the lowest decayed counter
 *
 * A sample of n keys is read, up to 16 at a time, from consecutive
 * buckets of a shard (or consecutive slots of its array of keys with a
 * TTL) starting at a random place, as Redis does: cheaper in cache misses
 * than n keys picked one by one, and as good a sample of the idle times.
 * For the random policy the first key of such a walk is slightly biased
 * towards keys after empty buckets, which does not matter for eviction
 * and saves the repeated random probes of RANDOMKEY.
 *
 * Idle time comes from the 7-bit access stamp in each entry's flags
 * (store__touch, in units of 1024 ms modulo 128): a key idle for more than
 * about two minutes can look recently used. That is the price of keeping
 * the entry header at 18 bytes; sampling several keys makes a wrong pick
 * among them unlikely. The LFU counter (lfu.c) is read decayed to now,
 * as Redis ranks keys, and the decay is written back so that its 7-bit
 * reference does not wrap on keys eviction keeps seeing.
 *
 * A key whose TTL has passed but that nothing has removed yet is a
 * candidate like any other, and its removal an eviction, as in Redis. */
#include "store/store_int.h"

#define CHUNK 16                   /* keys gathered in one walk */
#define WALK 32                    /* buckets or slots walked a key wanted */

/* Up to n (<= CHUNK) keys of s from consecutive buckets of one
 * shard, from a random bucket on, as Redis's dictGetSomeKeys: the bucket
 * array is read in order, so a key costs about one cache miss instead of
 * the three of a random key's probe and chain walk. */
static unsigned walk_buckets(struct store *s, struct store_entry **out,
                             unsigned n)
{
    struct store_shard *sh = store__pick_shard(s, s->nkeys, 0);
    store__rehash_step(s, sh);
    size_t s0 = sh->t[0].size, s1 = sh->t[1].size;
    size_t lo = store__rehashing(sh) ? sh->rehashidx : 0;
    size_t span = s0 + s1 - lo, i = lo + store__rand(s) % span;
    unsigned got = 0;
    for (size_t k = 0; k < span && k < (size_t)n * WALK && got < n; k++) {
        struct store_entry **b = i < s0 ? &sh->t[0].b[i]
                                        : store__bucket_at(sh, 1, i - s0);
        for (struct store_entry *e = b ? *b : NULL; e && got < n;
             e = e->next)
            out[got++] = e;
        if (++i == s0 + s1)
            i = lo;
    }
    return got;
}

/* The same from consecutive slots of one shard's array of keys with a
 * TTL, from a random slot on. */
static unsigned walk_volatile(struct store *s, struct store_entry **out,
                              unsigned n)
{
    struct store_shard *sh = store__pick_shard(s, s->nvol, 1);
    size_t i = store__rand(s) % sh->nvol;
    unsigned got = 0;
    for (size_t k = 0; k < sh->nvol && got < n; k++) {
        out[got++] = sh->vol[i];
        if (++i == sh->nvol)
            i = 0;
    }
    return got;
}

/* How much e deserves eviction under by (higher first); stamp is now's
 * store__atime, or store__lfu_stamp for STORE_EVICT_LFU. */
static uint64_t score(const struct store *s, struct store_entry *e,
                      int by, uint8_t stamp)
{
    if (by == STORE_EVICT_TTL)
        return UINT64_MAX - (uint64_t)store__expire(e);
    if (by == STORE_EVICT_LRU)
        return (uint8_t)(stamp - (e->flags & STORE__F_ATIME)) >> 1;
    if (by == STORE_EVICT_LFU)
        return STORE__LFU_MAX - store__lfu_settle(s, e, stamp);
    return 0;
}

/* See store.h. A walk of a sparse table can come back empty, so the
 * number of walks is bounded. */
int store_evict_sample(struct store *s, int by, int volatile_only,
                       unsigned n, int64_t now_ms, struct store_victim *v)
{
    uint8_t stamp = by == STORE_EVICT_LFU ? store__lfu_stamp(now_ms)
                                          : store__atime(now_ms);
    v->e = NULL;
    v->score = 0;
    if (by == STORE_EVICT_RANDOM)
        n = 1;
    struct store_entry *got[CHUNK];
    unsigned want = n, walks = 0;
    while (want > 0 && walks++ < n + 64 &&
           (volatile_only ? s->nvol : s->nkeys) > 0) {
        unsigned ask = want < CHUNK ? want : CHUNK;
        unsigned k = volatile_only ? walk_volatile(s, got, ask)
                                   : walk_buckets(s, got, ask);
        for (unsigned j = 0; j < k; j++) {
            uint64_t sc = score(s, got[j], by, stamp);
            if (!v->e || sc > v->score) {
                v->e = got[j];
                v->score = sc;
            }
        }
        want -= k;
    }
    return v->e != NULL;
}

/* See store.h. */
void store_evict(struct store *s, struct store_entry *e, store_expired_cb cb,
                 void *ctx)
{
    const char *key = store__ckey(e);
    struct store_shard *sh = store__shard(s, store__hash(key, e->klen));
    if (cb)
        cb(ctx, key, e->klen);
    store__entry_remove(s, sh, store__table_link_of(sh, e), 0);
    store__table_shrink(s, sh);
}
