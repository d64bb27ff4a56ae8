/* evict.c - choosing and removing keys when the server is over maxmemory.
 * The server decides when and from which database; this file samples
 * one database's keys and scores them, the way Redis approximates its
 * policies:
 *
 *   STORE_EVICT_RANDOM  one random key
 *   STORE_EVICT_LRU     of n random keys, the one idle longest
 *   STORE_EVICT_TTL     of n random keys with a TTL, the one expiring first
 *
 * Idle time comes from the 7-bit access stamp in each entry's flags
 * (store__touch, in units of 1024 ms modulo 128): a key idle for more than
 * about two minutes can look recently used. That is the price of keeping
 * the entry header at 18 bytes; sampling several keys makes a wrong pick
 * among them unlikely.
 *
 * Expired keys met while sampling are removed as expired (reported to the
 * expired callback), not evicted. */
#include "store/store_int.h"

/* Expired keys one sample may remove before it gives up (bounded time). */
#define EXPIRED_MAX 1000

/* A random entry of s's volatile arrays, or NULL; expired ones met are
 * removed (at most *budget of them). */
static struct store_entry *random_volatile(struct store *s, int64_t now_ms,
                                           int *budget)
{
    while (s->nvol > 0 && *budget > 0) {
        size_t r = store__rand(s) % s->nvol;
        struct store_shard *sh = s->shards;
        while (r >= sh->nvol) {
            r -= sh->nvol;
            sh++;
        }
        struct store_entry *e = sh->vol[r];
        if (!store__expired(e, now_ms))
            return e;
        store__entry_remove(s, sh, store__table_link_of(sh, e), 1);
        store__table_shrink(s, sh);
        (*budget)--;
    }
    return NULL;
}

/* How much e deserves eviction under by (higher first). */
static uint64_t score(const struct store_entry *e, int by, uint8_t atime)
{
    if (by == STORE_EVICT_TTL)
        return UINT64_MAX - (uint64_t)store__expire(e);
    if (by == STORE_EVICT_LRU)
        return (uint8_t)(atime - (e->flags & STORE__F_ATIME)) >> 1;
    return 0;
}

/* See store.h. */
int store_evict_sample(struct store *s, int by, int volatile_only,
                       unsigned n, int64_t now_ms, struct store_victim *v)
{
    int budget = EXPIRED_MAX;
    uint8_t atime = store__atime(now_ms);
    v->e = NULL;
    v->score = 0;
    if (by != STORE_EVICT_LRU && by != STORE_EVICT_TTL)
        n = 1;
    for (unsigned i = 0; i < n; i++) {
        struct store_entry *e = volatile_only
                                    ? random_volatile(s, now_ms, &budget)
                                    : store_key_random(s, now_ms);
        if (!e)
            break;
        uint64_t sc = score(e, by, atime);
        if (!v->e || sc > v->score) {
            v->e = e;
            v->score = sc;
        }
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
