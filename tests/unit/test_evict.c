/* test_evict.c - unit tests for store/evict.c: which key each policy
 * picks (lru by the access stamp, ttl by the nearest expire time, volatile
 * only among keys with a TTL), that keys past their TTL are candidates
 * like any (as in Redis), and that store_evict removes the key,
 * reports it and gives its memory back. */
#include <stdio.h>
#include <stdlib.h>

#include "store/store.h"
#include "store/store_int.h"
#include "tests/unit/unit.h"

#define T0 INT64_C(1700000000000)          /* "now" in Unix ms */
#define NKEYS 200
#define SAMPLES 3000                       /* misses a given key: < 1e-13 */

struct key_log {
    size_t n;
    char last[32];
};

static void on_key(void *ctx, const char *key, size_t klen)
{
    struct key_log *l = ctx;
    l->n++;
    size_t n = klen < sizeof l->last - 1 ? klen : sizeof l->last - 1;
    memcpy(l->last, key, n);
    l->last[n] = '\0';
}

/* Sets "k<i>" for i < n at now, expiring at exp(i) (STORE_NO_TTL: none).
 * Returns 0, or the first failure's code. */
static int fill(struct store *s, int n, int64_t now, int64_t (*exp)(int i))
{
    char k[16];
    for (int i = 0; i < n; i++) {
        int len = snprintf(k, sizeof k, "k%d", i);
        int rc = store_key_set(s, k, (size_t)len, "v", 1, exp(i), now);
        if (rc != STORE_OK)
            return rc;
    }
    return 0;
}

static int64_t no_ttl(int i)
{
    (void)i;
    return STORE_NO_TTL;
}

/* Keys of even i expire, the later the larger i; odd ones have no TTL. */
static int64_t even_ttl(int i)
{
    return i % 2 ? STORE_NO_TTL : T0 + 1000000 + i * 1000;
}

/* The number in a victim's key "k<i>". */
static int key_index(const struct store_entry *e)
{
    size_t klen;
    const char *k = store_entry_key(e, &klen);
    char buf[16];
    memcpy(buf, k + 1, klen - 1);
    buf[klen - 1] = '\0';
    return atoi(buf);
}

/* LRU: keys looked up after the others were written are never chosen
 * while an older one is there, and the score is the idle time in
 * 1024 ms units. */
TEST(lru_picks_the_idle)
{
    struct store *s = store_new(4);
    ASSERT_OK(fill(s, NKEYS, T0, no_ttl));
    int64_t later = T0 + 20 * 1024;
    char k[16];
    for (int i = 0; i < NKEYS; i += 2) {       /* even keys used again */
        int len = snprintf(k, sizeof k, "k%d", i);
        ASSERT(store_key_find(s, k, (size_t)len, later) != NULL);
    }
    for (int round = 0; round < 50; round++) {
        struct store_victim v;
        ASSERT_EQ(store_evict_sample(s, STORE_EVICT_LRU, 0, SAMPLES, later,
                                     &v), 1);
        ASSERT_EQ(key_index(v.e) % 2, 1);
        ASSERT(v.score >= 19 && v.score <= 21);
    }
    store_free(s);
}

/* A write counts as a use, and a key written later is younger. */
TEST(lru_counts_writes)
{
    struct store *s = store_new(4);
    ASSERT_OK(fill(s, NKEYS, T0, no_ttl));
    int64_t later = T0 + 5 * 1024;
    ASSERT_OK(store_key_set(s, "k7", 2, "w", 1, STORE_NO_TTL, later));
    ASSERT_OK(store_key_set(s, "new", 3, "w", 1, STORE_NO_TTL, later));
    for (int round = 0; round < 50; round++) {
        struct store_victim v;
        ASSERT_EQ(store_evict_sample(s, STORE_EVICT_LRU, 0, SAMPLES, later,
                                     &v), 1);
        size_t klen;
        const char *key = store_entry_key(v.e, &klen);
        ASSERT(!(klen == 2 && memcmp(key, "k7", 2) == 0));
        ASSERT(!(klen == 3 && memcmp(key, "new", 3) == 0));
    }
    store_free(s);
}

/* TTL: the key expiring first; volatile: never a key without a TTL. */
TEST(ttl_picks_the_nearest)
{
    struct store *s = store_new(4);
    ASSERT_OK(fill(s, NKEYS, T0, even_ttl));
    struct store_victim v;
    ASSERT_EQ(store_evict_sample(s, STORE_EVICT_TTL, 1, SAMPLES, T0, &v), 1);
    ASSERT_EQ(key_index(v.e), 0);
    for (int round = 0; round < 100; round++) {
        ASSERT_EQ(store_evict_sample(s, STORE_EVICT_RANDOM, 1, 5, T0, &v), 1);
        ASSERT_EQ(key_index(v.e) % 2, 0);
        ASSERT_EQ(store_evict_sample(s, STORE_EVICT_LRU, 1, 5, T0, &v), 1);
        ASSERT_EQ(key_index(v.e) % 2, 0);
    }
    store_free(s);
}

/* No candidate: an empty store, or no key with a TTL for volatile. */
TEST(no_candidate)
{
    struct store *s = store_new(4);
    struct store_victim v;
    ASSERT_EQ(store_evict_sample(s, STORE_EVICT_RANDOM, 0, 5, T0, &v), 0);
    ASSERT_EQ(store_evict_sample(s, STORE_EVICT_LRU, 0, 5, T0, &v), 0);
    ASSERT_OK(fill(s, 10, T0, no_ttl));
    ASSERT_EQ(store_evict_sample(s, STORE_EVICT_TTL, 1, 5, T0, &v), 0);
    ASSERT_EQ(store_evict_sample(s, STORE_EVICT_RANDOM, 1, 5, T0, &v), 0);
    ASSERT_EQ(store_evict_sample(s, STORE_EVICT_RANDOM, 0, 5, T0, &v), 1);
    store_free(s);
}

/* A key past its TTL that nothing removed yet is a candidate like any
 * other (the nearest expiry of all for ttl), and its removal is an
 * eviction, not an expiry, as in Redis. */
TEST(expired_are_candidates)
{
    struct store *s = store_new(4);
    struct key_log expired = { 0 }, evicted = { 0 };
    store_set_expired_cb(s, on_key, &expired);
    ASSERT_OK(fill(s, NKEYS, T0, even_ttl));
    int64_t after = T0 + 2000000 + NKEYS * 1000;   /* every TTL passed */
    struct store_victim v;
    ASSERT_EQ(store_evict_sample(s, STORE_EVICT_TTL, 1, SAMPLES, after, &v),
              1);
    ASSERT_EQ(key_index(v.e), 0);
    store_evict(s, v.e, on_key, &evicted);
    ASSERT_EQ(evicted.n, 1);
    ASSERT_STR_EQ(evicted.last, "k0");
    ASSERT_EQ(expired.n, 0);
    ASSERT_EQ(store_size(s), NKEYS - 1);
    ASSERT_OK(store__check(s));
    store_free(s);
}

/* store_evict: the key is gone, reported once by name, its memory given
 * back, and every invariant holds; evicting all empties the store. */
TEST(evict_removes)
{
    struct store *s = store_new(4);
    ASSERT_OK(fill(s, NKEYS, T0, even_ttl));
    struct key_log log = { 0 };
    size_t mem = store_mem_usage(s);
    struct store_victim v;
    ASSERT_EQ(store_evict_sample(s, STORE_EVICT_TTL, 1, SAMPLES, T0, &v), 1);
    store_evict(s, v.e, on_key, &log);
    ASSERT_EQ(log.n, 1);
    ASSERT_STR_EQ(log.last, "k0");
    ASSERT(store_key_find(s, "k0", 2, T0) == NULL);
    ASSERT_EQ(store_size(s), NKEYS - 1);
    ASSERT_EQ(store_volatile_size(s), NKEYS / 2 - 1);
    ASSERT(store_mem_usage(s) < mem);
    ASSERT_OK(store__check(s));
    while (store_evict_sample(s, STORE_EVICT_RANDOM, 0, 1, T0, &v)) {
        store_evict(s, v.e, on_key, &log);
        ASSERT_OK(store__check(s));
    }
    ASSERT_EQ(log.n, NKEYS);
    ASSERT_EQ(store_size(s), 0);
    store_free(s);
}

static const struct unit_test tests[] = {
    UNIT(lru_picks_the_idle),
    UNIT(lru_counts_writes),
    UNIT(ttl_picks_the_nearest),
    UNIT(no_candidate),
    UNIT(expired_are_candidates),
    UNIT(evict_removes),
};

int main(void)
{
    return unit_run(tests, UNIT_COUNT(tests));
}
