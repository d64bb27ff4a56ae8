/* test_store.c - unit tests for store/: keys, TTLs and lazy expiry, the
 * incremental rehash seen through SCAN, active expiry with a fake clock,
 * rename/copy across stores, string resizing, random keys, glob patterns,
 * fault injection, and a memory-per-key figure.
 *
 * Tests include the private store_int.h to run store__check (every
 * invariant, O(size)) and to look at table sizes. */
#include <stdlib.h>
#include <time.h>

#include "store/store.h"
#include "store/store_int.h"
#include "tests/unit/unit.h"

#define K(lit) (lit), (sizeof(lit) - 1)
#define T0 INT64_C(1700000000000)          /* "now" in Unix ms */

/* ---- Helpers ------------------------------------------------------------- */

struct expired_log {
    size_t n;
    char last[64];
};

static void on_expired(void *ctx, const char *key, size_t klen)
{
    struct expired_log *l = ctx;
    l->n++;
    size_t n = klen < sizeof l->last - 1 ? klen : sizeof l->last - 1;
    memcpy(l->last, key, n);
    l->last[n] = '\0';
}

/* The value of key as a NUL-terminated copy in buf, or NULL if absent. */
static const char *get(struct store *s, const char *key, int64_t now,
                       char *buf, size_t cap)
{
    struct store_entry *e = store_key_find(s, key, strlen(key), now);
    if (!e)
        return NULL;
    size_t n;
    const char *v = store_entry_str(e, &n);
    if (n >= cap)
        n = cap - 1;
    memcpy(buf, v, n);
    buf[n] = '\0';
    return buf;
}

static int set(struct store *s, const char *key, const char *val,
               int64_t exp, int64_t now)
{
    return store_key_set(s, key, strlen(key), val, strlen(val), exp, now);
}

static int keyname(char *buf, size_t cap, const char *prefix, long id)
{
    return snprintf(buf, cap, "%s%ld", prefix, id);
}

static long key_id(const struct store_entry *e, const char *prefix)
{
    size_t klen, plen = strlen(prefix);
    const char *k = store_entry_key(e, &klen);
    if (klen <= plen || memcmp(k, prefix, plen) != 0)
        return -1;
    long id = 0;
    for (size_t i = plen; i < klen; i++)
        id = id * 10 + (k[i] - '0');
    return id;
}

static uint64_t lcg(uint64_t *x)
{
    *x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
    return *x >> 33;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- Basic keys ---------------------------------------------------------- */

TEST(set_get_overwrite_delete)
{
    struct store *s = store_new(4);
    char buf[128];
    ASSERT(s != NULL);
    ASSERT(store_key_find(s, K("nope"), T0) == NULL);
    ASSERT_OK(set(s, "k", "v1", STORE_NO_TTL, T0));
    ASSERT_STR_EQ(get(s, "k", T0, buf, sizeof buf), "v1");
    ASSERT_EQ(store_size(s), 1);
    /* Same length: in place. Different length: new entry. */
    ASSERT_OK(set(s, "k", "v2", STORE_NO_TTL, T0));
    ASSERT_STR_EQ(get(s, "k", T0, buf, sizeof buf), "v2");
    ASSERT_OK(set(s, "k", "a longer value", STORE_NO_TTL, T0));
    ASSERT_STR_EQ(get(s, "k", T0, buf, sizeof buf), "a longer value");
    ASSERT_OK(set(s, "k", "", STORE_NO_TTL, T0));
    ASSERT_STR_EQ(get(s, "k", T0, buf, sizeof buf), "");
    ASSERT_EQ(store_size(s), 1);

    /* Empty key and binary keys with NUL bytes. */
    ASSERT_OK(store_key_set(s, "", 0, K("empty"), STORE_NO_TTL, T0));
    ASSERT_OK(store_key_set(s, K("a\0b"), K("x"), STORE_NO_TTL, T0));
    ASSERT_OK(store_key_set(s, K("a\0c"), K("y"), STORE_NO_TTL, T0));
    struct store_entry *e = store_key_find(s, "", 0, T0);
    ASSERT(e != NULL);
    size_t n;
    const char *v = store_entry_str(e, &n);
    ASSERT_MEM_EQ(v, n, "empty");
    e = store_key_find(s, K("a\0c"), T0);
    ASSERT(e != NULL);
    v = store_entry_key(e, &n);
    ASSERT_MEM_EQ(v, n, "a\0c");
    ASSERT_EQ(store_entry_type(e), STORE_T_STRING);
    ASSERT_EQ(store_entry_expire(e), STORE_NO_TTL);
    ASSERT_EQ(store_size(s), 4);

    ASSERT_EQ(store_key_delete(s, K("a\0b"), T0), 1);
    ASSERT_EQ(store_key_delete(s, K("a\0b"), T0), 0);
    ASSERT(store_key_find(s, K("a\0b"), T0) == NULL);
    ASSERT(store_key_find(s, K("a\0c"), T0) != NULL);
    ASSERT_EQ(store_size(s), 3);
    ASSERT_EQ(store_key_set(s, K("big"), "", STORE_MAX_STR + 1,
                            STORE_NO_TTL, T0), STORE_TOO_BIG);
    ASSERT_OK(store__check(s));

    size_t base = store_mem_usage(s);
    ASSERT(base > 0);
    store_clear(s);
    ASSERT_EQ(store_size(s), 0);
    ASSERT(store_key_find(s, K("k"), T0) == NULL);
    ASSERT(store_mem_usage(s) < base);
    ASSERT_OK(store__check(s));
    ASSERT_OK(set(s, "k", "again", STORE_NO_TTL, T0));
    ASSERT_STR_EQ(get(s, "k", T0, buf, sizeof buf), "again");
    store_free(s);
    store_free(NULL);
}

TEST(many_keys_grow_and_shrink)
{
    struct store *s = store_new(1);
    char k[32], buf[32];
    size_t empty = store_mem_usage(s);
    for (long i = 0; i < 100000; i++) {
        keyname(k, sizeof k, "key:", i);
        ASSERT_OK(set(s, k, k, STORE_NO_TTL, T0));
    }
    ASSERT_EQ(store_size(s), 100000);
    ASSERT_OK(store__check(s));
    ASSERT(s->shards[0].t[0].size >= 65536);
    for (long i = 0; i < 100000; i++) {
        keyname(k, sizeof k, "key:", i);
        ASSERT_STR_EQ(get(s, k, T0, buf, sizeof buf), k);
    }
    for (long i = 0; i < 100000; i++) {
        if (i % 1000 == 0)
            continue;
        keyname(k, sizeof k, "key:", i);
        ASSERT_EQ(store_key_delete(s, k, strlen(k), T0), 1);
    }
    /* Let pending rehashes finish: lookups move buckets too. */
    for (int i = 0; i < 100000; i++)
        store_key_find(s, K("key:0"), T0);
    ASSERT_EQ(store_size(s), 100);
    ASSERT(s->shards[0].t[0].size <= 1024);
    ASSERT_OK(store__check(s));
    for (long i = 0; i < 100000; i += 1000) {
        keyname(k, sizeof k, "key:", i);
        ASSERT_STR_EQ(get(s, k, T0, buf, sizeof buf), k);
    }
    store_clear(s);
    ASSERT_EQ(store_mem_usage(s), empty);
    store_free(s);
}

/* RESIZEDB's hint: empty shards get their tables at once, both below and
 * above the size at which arrays become mappings, so loading that many
 * keys never starts a rehash; a shard already in use keeps its table;
 * memory comes back whole when the store is cleared. */
TEST(reserve_presizes_empty_shards)
{
    size_t counts[] = { 3000, 200000 };
    for (size_t c = 0; c < 2; c++) {
        size_t n = counts[c];
        struct store *s = store_new(4);
        char k[32];
        size_t empty = store_mem_usage(s);
        ASSERT_OK(set(s, "first", "v", STORE_NO_TTL, T0));
        unsigned used = 0;
        for (unsigned i = 0; i < s->nshards; i++)
            if (s->shards[i].used)
                used = i;
        size_t before = s->shards[used].t[0].size;
        store_reserve(s, n);
        ASSERT_EQ(s->shards[used].t[0].size, before);
        size_t want[STORE_MAX_SHARDS];
        for (unsigned i = 0; i < s->nshards; i++) {
            want[i] = s->shards[i].t[0].size;
            if (i != used)
                ASSERT(want[i] >= n / s->nshards);
        }
        ASSERT_OK(store__check(s));
        for (size_t i = 0; i < n; i++) {
            keyname(k, sizeof k, "key:", (long)i);
            ASSERT_OK(set(s, k, k, STORE_NO_TTL, T0));
        }
        for (unsigned i = 0; i < s->nshards; i++) {
            if (i == used)
                continue;
            ASSERT(!store__rehashing(&s->shards[i]));
            ASSERT_EQ(s->shards[i].t[0].size, want[i]);
        }
        ASSERT_OK(store__check(s));
        store_clear(s);
        ASSERT_EQ(store_mem_usage(s), empty);
        store_free(s);
    }
    /* A hint too small to matter changes nothing. */
    struct store *s = store_new(4);
    store_reserve(s, 10);
    for (unsigned i = 0; i < s->nshards; i++)
        ASSERT_EQ(s->shards[i].t[0].size, 0);
    store_free(s);
}

/* The new bucket array of a resize is not zeroed; its buckets are written
 * as the rehash reaches them and keys go to the table their bucket has
 * reached (store__home). Check every invariant after every call while one
 * shard grows through several sizes and shrinks back, with lookups,
 * overwrites, deletes and RANDOMKEY in between, so every mix of
 * rehashidx, insert and removal is seen by store__check. */
TEST(rehash_checked_every_call)
{
    struct store *s = store_new(1);
    struct store_shard *sh = &s->shards[0];
    char k[32], buf[32];
    int saw_grow = 0, saw_shrink = 0;
    for (long i = 0; i < 3000; i++) {
        keyname(k, sizeof k, "k", i);
        ASSERT_OK(set(s, k, k, STORE_NO_TTL, T0));
        if (i % 3 == 0) {
            keyname(k, sizeof k, "k", i / 2);
            ASSERT_STR_EQ(get(s, k, T0, buf, sizeof buf), k);
            ASSERT(store_key_random(s, T0) != NULL);
        }
        if (store__rehashing(sh))
            saw_grow |= sh->t[1].size > sh->t[0].size;
        ASSERT_OK(store__check(s));
    }
    for (long i = 0; i < 3000; i++) {
        keyname(k, sizeof k, "k", i);
        ASSERT_EQ(store_key_delete(s, k, strlen(k), T0), 1);
        if (i % 5 == 0 && i < 1500) {
            keyname(k, sizeof k, "k", 2999 - i);
            ASSERT_STR_EQ(get(s, k, T0, buf, sizeof buf), k);
        }
        if (store__rehashing(sh))
            saw_shrink |= sh->t[1].size < sh->t[0].size;
        ASSERT_OK(store__check(s));
    }
    ASSERT(saw_grow && saw_shrink);
    ASSERT_EQ(store_size(s), 0);
    store_free(s);
}

/* store_prefetch is a hint: through every state of a growing and a
 * shrinking table it changes nothing (same rehash position, sizes, keys
 * and values; store__check holds) and reads only buckets it may (ASan
 * checks the small arrays); NULL keys, absent keys, shards with no table
 * yet and batches over STORE_PREFETCH_MAX are all fine. */
TEST(prefetch_changes_nothing)
{
    struct store *s = store_new(4);
    char names[STORE_PREFETCH_MAX + 4][32], buf[32];
    const char *keys[STORE_PREFETCH_MAX + 4];
    size_t lens[STORE_PREFETCH_MAX + 4];
    size_t nk = STORE_PREFETCH_MAX + 4;
    for (size_t j = 0; j < nk; j++) {
        keyname(names[j], sizeof names[j], "p", (long)j * 7);
        keys[j] = j % 5 == 4 ? NULL : names[j];
        lens[j] = strlen(names[j]);
    }
    store_prefetch(s, keys, lens, nk);          /* no shard has a table */
    ASSERT_EQ(store_size(s), 0);
    int saw_rehash = 0;
    for (long i = 0; i < 6000; i++) {
        char k[32];
        keyname(k, sizeof k, "p", i < 3000 ? i : i - 3000);
        if (i < 3000)
            ASSERT_OK(set(s, k, k, STORE_NO_TTL, T0));
        else
            ASSERT_EQ(store_key_delete(s, k, strlen(k), T0), 1);
        size_t idx[4], size0[4], size1[4], used[4];
        for (int h = 0; h < 4; h++) {
            struct store_shard *sh = &s->shards[h];
            idx[h] = sh->rehashidx;
            size0[h] = sh->t[0].size;
            size1[h] = sh->t[1].size;
            used[h] = sh->used;
            saw_rehash |= store__rehashing(sh);
        }
        store_prefetch(s, keys, lens, nk);
        for (int h = 0; h < 4; h++) {
            struct store_shard *sh = &s->shards[h];
            ASSERT_EQ(sh->rehashidx, idx[h]);
            ASSERT_EQ(sh->t[0].size, size0[h]);
            ASSERT_EQ(sh->t[1].size, size1[h]);
            ASSERT_EQ(sh->used, used[h]);
        }
        if (i % 97 == 0) {
            ASSERT_OK(store__check(s));
            long live = i < 3000 ? i : 2999;
            long first = i < 3000 ? 0 : i - 2999;
            keyname(k, sizeof k, "p", (first + live) / 2);
            ASSERT_STR_EQ(get(s, k, T0, buf, sizeof buf), k);
        }
    }
    ASSERT(saw_rehash);
    ASSERT_EQ(store_size(s), 0);
    ASSERT_OK(store__check(s));
    store_free(s);
}

/* ---- TTL ----------------------------------------------------------------- */

/* While expiry is paused (CLIENT PAUSE), an expired key reads as absent
 * (RANDOMKEY too) and stays, unreported; once resumed, the next lookup removes it. */
TEST(expire_paused_leaves_expired_keys)
{
    struct store *s = store_new(2);
    struct expired_log log = { 0 };
    store_set_expired_cb(s, on_expired, &log);
    ASSERT_OK(set(s, "t", "v", T0 + 100, T0));
    store_set_expire_paused(s, 1);
    ASSERT(store_key_find(s, K("t"), T0 + 99) != NULL);
    ASSERT(store_key_find(s, K("t"), T0 + 100) == NULL);
    ASSERT(store_key_find(s, K("t"), T0 + 200) == NULL);
    ASSERT(store_key_random(s, T0 + 200) == NULL);
    ASSERT_EQ(log.n, 0);
    ASSERT_EQ(store_size(s), 1);
    ASSERT_EQ(store_volatile_size(s), 1);
    ASSERT_OK(store__check(s));
    store_set_expire_paused(s, 0);
    ASSERT(store_key_find(s, K("t"), T0 + 200) == NULL);
    ASSERT_EQ(log.n, 1);
    ASSERT_STR_EQ(log.last, "t");
    ASSERT_EQ(store_size(s), 0);
    store_free(s);
}

TEST(ttl_lazy_expiry)
{
    struct store *s = store_new(2);
    struct expired_log log = { 0 };
    char buf[64];
    store_set_expired_cb(s, on_expired, &log);
    ASSERT_OK(set(s, "t", "v", T0 + 100, T0));
    ASSERT_OK(set(s, "p", "v", STORE_NO_TTL, T0));
    ASSERT_EQ(store_volatile_size(s), 1);
    struct store_entry *e = store_key_find(s, K("t"), T0 + 99);
    ASSERT(e != NULL);
    ASSERT_EQ(store_entry_expire(e), T0 + 100);
    ASSERT_EQ(store_size(s), 2);
    /* Expired at exactly expire_ms; still counted until someone looks. */
    ASSERT_EQ(store_size(s), 2);
    ASSERT(store_key_find(s, K("t"), T0 + 100) == NULL);
    ASSERT_EQ(log.n, 1);
    ASSERT_STR_EQ(log.last, "t");
    ASSERT_EQ(store_size(s), 1);
    ASSERT_EQ(store_volatile_size(s), 0);

    /* Delete of an expired key reports it and returns 0. */
    ASSERT_OK(set(s, "t2", "v", T0 + 10, T0));
    ASSERT_EQ(store_key_delete(s, K("t2"), T0 + 10), 0);
    ASSERT_EQ(log.n, 2);
    ASSERT_STR_EQ(log.last, "t2");

    /* SET over an expired key: old one reported, new one has no TTL. */
    ASSERT_OK(set(s, "t3", "old", T0 + 10, T0));
    ASSERT_OK(set(s, "t3", "new", STORE_KEEP_TTL, T0 + 20));
    ASSERT_EQ(log.n, 3);
    e = store_key_find(s, K("t3"), T0 + 20);
    ASSERT(e != NULL);
    ASSERT_EQ(store_entry_expire(e), STORE_NO_TTL);

    /* A TTL in the past given as a negative time is already expired. */
    ASSERT_OK(set(s, "neg", "v", -5, T0));
    ASSERT(store_key_find(s, K("neg"), T0) == NULL);
    ASSERT_EQ(log.n, 4);
    ASSERT_STR_EQ(get(s, "p", T0 + 1000000, buf, sizeof buf), "v");
    ASSERT_OK(store__check(s));
    store_free(s);
}

TEST(ttl_expire_set_persist_keepttl)
{
    struct store *s = store_new(1);
    char buf[64];
    ASSERT_EQ(store_key_expire_set(s, K("none"), T0 + 5, T0),
              STORE_NOT_FOUND);
    ASSERT_OK(set(s, "k", "value", STORE_NO_TTL, T0));
    size_t before = store_mem_usage(s);

    /* Adding a TTL moves the entry (bigger prefix). */
    ASSERT_OK(store_key_expire_set(s, K("k"), T0 + 500, T0));
    ASSERT_EQ(store_entry_expire(store_key_find(s, K("k"), T0)), T0 + 500);
    ASSERT_EQ(store_volatile_size(s), 1);
    ASSERT(store_mem_usage(s) > before);
    ASSERT_STR_EQ(get(s, "k", T0, buf, sizeof buf), "value");
    /* Changing it is in place. */
    ASSERT_OK(store_key_expire_set(s, K("k"), T0 + 900, T0));
    ASSERT_EQ(store_entry_expire(store_key_find(s, K("k"), T0)), T0 + 900);
    ASSERT_OK(store_key_expire_set(s, K("k"), STORE_KEEP_TTL, T0));
    ASSERT_EQ(store_entry_expire(store_key_find(s, K("k"), T0)), T0 + 900);
    ASSERT_OK(store__check(s));

    /* PERSIST. */
    ASSERT_OK(store_key_expire_set(s, K("k"), STORE_NO_TTL, T0));
    ASSERT_EQ(store_entry_expire(store_key_find(s, K("k"), T0)),
              STORE_NO_TTL);
    ASSERT_EQ(store_volatile_size(s), 0);
    ASSERT(store_mem_usage(s) - before <= 128);   /* vol[] is kept */
    ASSERT_STR_EQ(get(s, "k", T0 + 1000, buf, sizeof buf), "value");
    ASSERT_OK(store_key_expire_set(s, K("k"), STORE_NO_TTL, T0));

    /* KEEP_TTL keeps it across value sizes; a plain SET drops it. */
    ASSERT_OK(set(s, "k", "v", T0 + 300, T0));
    ASSERT_OK(set(s, "k", "w", STORE_KEEP_TTL, T0));
    ASSERT_EQ(store_entry_expire(store_key_find(s, K("k"), T0)), T0 + 300);
    ASSERT_OK(set(s, "k", "much longer", STORE_KEEP_TTL, T0));
    ASSERT_EQ(store_entry_expire(store_key_find(s, K("k"), T0)), T0 + 300);
    ASSERT_STR_EQ(get(s, "k", T0, buf, sizeof buf), "much longer");
    ASSERT_OK(set(s, "k", "x", T0 + 400, T0));
    ASSERT_EQ(store_entry_expire(store_key_find(s, K("k"), T0)), T0 + 400);
    ASSERT_OK(set(s, "k", "plain", STORE_NO_TTL, T0));
    ASSERT_EQ(store_entry_expire(store_key_find(s, K("k"), T0)),
              STORE_NO_TTL);
    ASSERT_EQ(store_volatile_size(s), 0);
    ASSERT_OK(set(s, "fresh", "v", STORE_KEEP_TTL, T0));
    ASSERT_EQ(store_entry_expire(store_key_find(s, K("fresh"), T0)),
              STORE_NO_TTL);

    /* Many volatile keys: vol[] stays consistent through removals. */
    char k[32];
    for (long i = 0; i < 2000; i++) {
        keyname(k, sizeof k, "v:", i);
        ASSERT_OK(set(s, k, "x", T0 + 1000 + i, T0));
    }
    for (long i = 0; i < 2000; i += 3) {
        keyname(k, sizeof k, "v:", i);
        ASSERT_OK(store_key_expire_set(s, k, strlen(k), STORE_NO_TTL, T0));
    }
    for (long i = 1; i < 2000; i += 3) {
        keyname(k, sizeof k, "v:", i);
        ASSERT_EQ(store_key_delete(s, k, strlen(k), T0), 1);
    }
    ASSERT_OK(store__check(s));
    ASSERT_EQ(store_volatile_size(s), 666);
    store_free(s);
}

/* ---- Scan ---------------------------------------------------------------- */

struct seen {
    unsigned *count;           /* per key id */
    long n;
    const char *prefix;
    size_t emitted;
};

static void on_scan(void *ctx, const struct store_entry *e)
{
    struct seen *sn = ctx;
    long id = key_id(e, sn->prefix);
    if (id >= 0 && id < sn->n)
        sn->count[id]++;
    sn->emitted++;
}

/* Scans s with COUNT step while the keyspace grows from 1000 to 60000
 * keys and shrinks back; every one of the first 1000 keys must be seen. */
static int scan_across_resize(unsigned nshards, size_t step)
{
    struct store *s = store_new(nshards);
    char k[32];
    const long stable = 1000, extra = 60000;
    struct seen sn = { calloc(stable + extra, sizeof(unsigned)),
                       stable + extra, "k", 0 };
    for (long i = 0; i < stable; i++) {
        keyname(k, sizeof k, "k", i);
        set(s, k, "v", STORE_NO_TTL, T0);
    }
    uint64_t cur = 0;
    long added = 0, deleted = 0;
    int calls = 0, saw_rehash = 0, big_cursor = 0;
    size_t maxsize = 0;
    do {
        cur = store_scan(s, cur, step, on_scan, &sn);
        calls++;
        if (cur >= UINT64_C(1) << 53)       /* not exact as a double */
            big_cursor = 1;
        /* Grow for a while, then shrink. */
        for (size_t j = 0; j < 50 * step && added < extra; j++, added++) {
            keyname(k, sizeof k, "k", stable + added);
            set(s, k, "v", STORE_NO_TTL, T0);
        }
        if (added == extra) {
            for (size_t j = 0; j < 100 * step && deleted < extra;
                 j++, deleted++) {
                keyname(k, sizeof k, "k", stable + deleted);
                store_key_delete(s, k, strlen(k), T0);
            }
        }
        for (unsigned i = 0; i < s->nshards; i++) {
            saw_rehash |= store__rehashing(&s->shards[i]);
            if (s->shards[i].t[0].size > maxsize)
                maxsize = s->shards[i].t[0].size;
        }
    } while (cur != 0 && calls < 10000000);
    int rc = 0;
    for (long i = 0; i < stable; i++) {
        if (sn.count[i] == 0) {
            fprintf(stderr, "    key k%ld never seen\n", i);
            rc = 1;
            break;
        }
    }
    if (!saw_rehash || maxsize < 1024 || cur != 0)
        rc = 2;
    if (store__check(s))
        rc = 3;
    if (big_cursor)
        rc = 4;
    free(sn.count);
    store_free(s);
    return rc;
}

TEST(scan_across_grow_and_shrink)
{
    ASSERT_OK(scan_across_resize(1, 1));
    ASSERT_OK(scan_across_resize(1, 3));
    ASSERT_OK(scan_across_resize(1, 10));
    ASSERT_OK(scan_across_resize(16, 2));
    ASSERT_OK(scan_across_resize(16, 100));
}

/* A shrink by a large factor: one small bucket expands to hundreds of
 * large ones, more than one call's budget, so the walk stops inside the
 * expansions and resumes there. */
TEST(scan_during_big_shrink)
{
    struct store *s = store_new(1);
    struct store_shard *sh = &s->shards[0];
    unsigned count[10] = { 0 };
    struct seen sn = { count, 10, "k", 0 };
    char k[32];
    for (long i = 0; i < 100000; i++) {
        keyname(k, sizeof k, "k", i);
        ASSERT_OK(set(s, k, "v", STORE_NO_TTL, T0));
    }
    for (long i = 10; i < 100000; i++) {
        keyname(k, sizeof k, "k", i);
        ASSERT_EQ(store_key_delete(s, k, strlen(k), T0), 1);
    }
    int guard = 0;
    while (!(store__rehashing(sh) && sh->t[0].size >= 256 * sh->t[1].size)
           && guard++ < 1000000)
        store_key_find(s, K("k0"), T0);
    ASSERT(store__rehashing(sh));
    ASSERT(sh->t[0].size >= 256 * sh->t[1].size);
    uint64_t cur = 0;
    int calls = 0;
    do {
        size_t before = sn.emitted;
        cur = store_scan(s, cur, 1, on_scan, &sn);
        ASSERT(sn.emitted - before <= 10);
        store_key_find(s, K("k0"), T0);       /* moves the rehash on */
        calls++;
    } while (cur != 0 && calls < 1000000);
    ASSERT_EQ(cur, 0);
    ASSERT(calls > 8);
    for (int i = 0; i < 10; i++)
        ASSERT(count[i] >= 1);
    ASSERT_OK(store__check(s));
    store_free(s);
}

TEST(scan_full_and_empty)
{
    struct store *s = store_new(16);
    struct seen sn = { calloc(5000, sizeof(unsigned)), 5000, "k", 0 };
    char k[32];
    ASSERT_EQ(store_scan(s, 0, 10, on_scan, &sn), 0);
    ASSERT_EQ(sn.emitted, 0);
    for (long i = 0; i < 5000; i++) {
        keyname(k, sizeof k, "k", i);
        ASSERT_OK(set(s, k, "v", i % 2 ? T0 + 100 : STORE_NO_TTL, T0));
    }
    /* No resize during this scan: each key exactly once. */
    uint64_t cur = 0;
    do {
        cur = store_scan(s, cur, 7, on_scan, &sn);
    } while (cur != 0);
    for (long i = 0; i < 5000; i++)
        ASSERT_EQ(sn.count[i], 1);
    /* Expired keys are visited and left in place, nothing reported: the
     * caller decides (KEYS skips them, SCAN expires some). */
    struct expired_log log = { 0 };
    store_set_expired_cb(s, on_expired, &log);
    memset(sn.count, 0, 5000 * sizeof(unsigned));
    sn.emitted = 0;
    cur = 0;
    size_t expired = 0;
    do {
        cur = store_scan(s, cur, 1000, on_scan, &sn);
    } while (cur != 0);
    for (long i = 0; i < 5000; i++) {
        keyname(k, sizeof k, "k", i);
        ASSERT_EQ(sn.count[i], 1);
    }
    ASSERT_EQ(sn.emitted, 5000);
    ASSERT_EQ(log.n, 0);
    ASSERT_EQ(store_size(s), 5000);
    for (long i = 1; i < 5000; i += 2) {
        keyname(k, sizeof k, "k", i);
        expired += store_key_find(s, k, strlen(k), T0 + 100) == NULL;
    }
    ASSERT_EQ(expired, 2500);
    ASSERT_EQ(log.n, 2500);
    ASSERT_OK(store__check(s));
    free(sn.count);
    store_free(s);
}

TEST(scan_stale_cursors)
{
    struct store *s = store_new(3);    /* rounds up to 4 */
    struct seen sn = { NULL, 0, "k", 0 };
    char k[32];
    ASSERT_EQ(s->nshards, 4);
    for (long i = 0; i < 3000; i++) {
        keyname(k, sizeof k, "k", i);
        set(s, k, "v", STORE_NO_TTL, T0);
    }
    ASSERT_EQ(store_scan(s, UINT64_C(4) << 45, 10, on_scan, &sn), 0);
    ASSERT_EQ(store_scan(s, UINT64_MAX, 10, on_scan, &sn), 0);
    ASSERT_EQ(sn.emitted, 0);
    uint64_t x = 42;
    for (int i = 0; i < 20000; i++) {
        uint64_t cur = lcg(&x) << 40 ^ lcg(&x) << 20 ^ lcg(&x);
        cur = (cur & ((UINT64_C(1) << 45) - 1)) | (uint64_t)(i % 5) << 45;
        store_scan(s, cur, 1 + i % 50, on_scan, &sn);
        if (i % 100 == 0) {     /* make some shards rehash */
            keyname(k, sizeof k, "k", 3000 + i);
            set(s, k, "v", STORE_NO_TTL, T0);
        }
    }
    /* A huge count finishes in one call. */
    ASSERT_EQ(store_scan(s, 0, SIZE_MAX, on_scan, &sn), 0);
    ASSERT_OK(store__check(s));
    store_free(s);
}

TEST(scan_with_random_ops)
{
    for (uint64_t seed = 1; seed <= 6; seed++) {
        const long n = 20000;
        struct store *s = store_new(seed % 2 ? 1 : 8);
        struct seen sn = { calloc(n, sizeof(unsigned)), n, "r", 0 };
        unsigned char *present = calloc(n, 1), *stable = calloc(n, 1);
        char k[32];
        uint64_t x = seed;
        for (long i = 0; i < 3000; i++) {
            long id = (long)(lcg(&x) % n);
            keyname(k, sizeof k, "r", id);
            set(s, k, "v", STORE_NO_TTL, T0);
            present[id] = 1;
        }
        memcpy(stable, present, n);
        uint64_t cur = 0;
        int calls = 0;
        do {
            cur = store_scan(s, cur, 1 + lcg(&x) % 5, on_scan, &sn);
            ASSERT(cur < UINT64_C(1) << 53);
            calls++;
            /* Phases: mostly inserts, then mostly deletes. */
            int grow = (calls / 200) % 2 == 0;
            for (int j = 0; j < 20; j++) {
                long id = (long)(lcg(&x) % n);
                keyname(k, sizeof k, "r", id);
                if ((lcg(&x) % 10 < 8) == grow) {
                    set(s, k, "v", STORE_NO_TTL, T0);
                    present[id] = 1;
                } else {
                    store_key_delete(s, k, strlen(k), T0);
                    present[id] = 0;
                    stable[id] = 0;
                }
            }
        } while (cur != 0 && calls < 1000000);
        ASSERT_EQ(cur, 0);
        for (long i = 0; i < n; i++) {
            if (stable[i] && sn.count[i] == 0)
                UNIT_FAIL_("seed %d: key r%ld never seen", (int)seed, i);
        }
        ASSERT_OK(store__check(s));
        free(sn.count);
        free(present);
        free(stable);
        store_free(s);
    }
}

/* ---- Active expiry ------------------------------------------------------- */

struct fake_clock {
    uint64_t us, tick;
    unsigned reads;
};

static uint64_t fake_clock_read(void *ctx)
{
    struct fake_clock *c = ctx;
    c->reads++;
    c->us += c->tick;
    return c->us;
}

TEST(expire_step_budget)
{
    struct store *s = store_new(16);
    struct expired_log log = { 0 };
    struct fake_clock clk = { 1000, 10, 0 };
    char k[32];
    store_set_expired_cb(s, on_expired, &log);
    for (long i = 0; i < 100000; i++) {
        keyname(k, sizeof k, "e", i);
        ASSERT_OK(set(s, k, "value", T0 + 1 + i % 1000, T0));
    }
    for (long i = 0; i < 10000; i++) {
        keyname(k, sizeof k, "p", i);
        ASSERT_OK(set(s, k, "value", STORE_NO_TTL, T0));
    }
    /* Nothing expired yet: a pass touches each shard once, cheaply. */
    ASSERT_EQ(store_expire_step(s, T0, 1000, fake_clock_read, &clk), 0);
    ASSERT_EQ(store_volatile_size(s), 100000);

    const uint64_t budget = 200;
    size_t total = 0;
    int calls = 0;
    while (store_volatile_size(s) > 0 && calls < 100000) {
        unsigned reads = clk.reads;
        size_t removed = store_expire_step(s, T0 + 5000, budget,
                                           fake_clock_read, &clk);
        /* Start, one read per 16 rounds until the budget is gone, end. */
        ASSERT(clk.reads - reads <= budget / clk.tick + 2);
        ASSERT(removed <= (budget / clk.tick + 1) * 16 * 20);
        total += removed;
        calls++;
    }
    ASSERT_EQ(total, 100000);
    ASSERT(calls >= 5);
    ASSERT_EQ(log.n, 100000);
    ASSERT_EQ(store_size(s), 10000);
    struct store_expire_stats st;
    store_expire_stats(s, &st);
    ASSERT_EQ(st.expired, 100000);
    ASSERT(st.time_us >= (uint64_t)calls * clk.tick);
    ASSERT_OK(store__check(s));
    /* Table shrinking was started and finishes in later steps. */
    for (int i = 0; i < 1000; i++)
        store_expire_step(s, T0 + 5000, 1000000, fake_clock_read, &clk);
    for (unsigned i = 0; i < s->nshards; i++) {
        ASSERT(!store__rehashing(&s->shards[i]));
        ASSERT(s->shards[i].t[0].size <= 4096);
    }
    ASSERT_OK(store__check(s));
    store_free(s);
}

TEST(expire_step_mixed)
{
    struct store *s = store_new(4);
    struct fake_clock clk = { 0, 1, 0 };
    char k[32];
    for (long i = 0; i < 3000; i++) {
        keyname(k, sizeof k, "x", i);
        ASSERT_OK(set(s, k, "v", i % 3 ? T0 + 10 : T0 + 100000, T0));
    }
    /* Keys not yet expired are never removed; expired ones mostly are. */
    for (int i = 0; i < 200; i++)
        store_expire_step(s, T0 + 10, 100000, fake_clock_read, &clk);
    ASSERT(store_size(s) >= 1000);
    ASSERT(store_size(s) < 1100);
    for (long i = 0; i < 3000; i += 3) {
        keyname(k, sizeof k, "x", i);
        ASSERT(store_key_find(s, k, strlen(k), T0 + 10) != NULL);
    }
    struct store_expire_stats st;
    store_expire_stats(s, &st);
    ASSERT(st.last_stale_ratio >= 0.0 && st.last_stale_ratio <= 1.0);
    /* Budget 0 still makes progress (at least 16 rounds per call). */
    size_t r = store_expire_step(s, T0 + 100000, 0, fake_clock_read, &clk);
    ASSERT(r > 0 && r <= 320);
    ASSERT_OK(store__check(s));
    store_free(s);
}

/* avg_ttl: the first step's sample mean, then each step weighs 1/50;
 * 0 again once no key has a TTL. */
TEST(expire_step_avg_ttl)
{
    struct store *s = store_new(4);
    char k[32];
    /* TTLs left at T0: 1000..2000 ms, mean 1500. */
    for (long i = 0; i <= 1000; i++) {
        keyname(k, sizeof k, "t", i);
        ASSERT_OK(set(s, k, "v", T0 + 1000 + i, T0));
    }
    struct store_expire_stats st;
    store_expire_stats(s, &st);
    ASSERT_EQ(st.avg_ttl, 0);
    store_expire_step(s, T0, 0, NULL, NULL);
    store_expire_stats(s, &st);
    ASSERT(st.avg_ttl >= 1200 && st.avg_ttl <= 1800);
    /* 500 ms on, the means sampled are 500 less: the estimate moves a
     * fiftieth of the way per step (less what Redis's integer division
     * drops, up to 49 ms). */
    uint64_t before = st.avg_ttl;
    store_expire_step(s, T0 + 500, 0, NULL, NULL);
    store_expire_stats(s, &st);
    ASSERT(st.avg_ttl < before && st.avg_ttl > before - 100);
    for (int i = 0; i < 400; i++)
        store_expire_step(s, T0 + 500, 0, NULL, NULL);
    store_expire_stats(s, &st);
    ASSERT(st.avg_ttl >= 700 && st.avg_ttl <= 1300);
    for (long i = 0; i <= 1000; i++) {
        keyname(k, sizeof k, "t", i);
        store_key_delete(s, k, strlen(k), T0 + 500);
    }
    store_expire_step(s, T0 + 500, 0, NULL, NULL);
    store_expire_stats(s, &st);
    ASSERT_EQ(st.avg_ttl, 0);
    ASSERT_OK(store__check(s));
    store_free(s);
}

/* FLUSHDB forgets the estimate, as Redis's: keys with TTLs set after it
 * start a new average instead of joining the flushed keys' one. */
TEST(clear_resets_avg_ttl)
{
    struct store *s = store_new(4);
    ASSERT_OK(set(s, "long", "v", T0 + 1000000000, T0));
    store_expire_step(s, T0, 0, NULL, NULL);
    struct store_expire_stats st;
    store_expire_stats(s, &st);
    ASSERT(st.avg_ttl > 900000000);
    store_clear(s);
    store_expire_stats(s, &st);
    ASSERT_EQ(st.avg_ttl, 0);
    ASSERT_OK(set(s, "short", "v", T0 + 1000, T0));
    store_expire_step(s, T0, 0, NULL, NULL);
    store_expire_stats(s, &st);
    ASSERT_EQ(st.avg_ttl, 1000);
    ASSERT_OK(store__check(s));
    store_free(s);
}

/* store_key_delete_held removes a key past its time without reporting
 * an expiry (Redis's dbDelete); store_key_delete expires it instead. */
TEST(delete_held_ignores_the_ttl)
{
    struct store *s = store_new(4);
    struct expired_log log = { 0 };
    store_set_expired_cb(s, on_expired, &log);
    ASSERT_OK(set(s, "a", "v", T0 + 10, T0));
    ASSERT_OK(set(s, "b", "v", T0 + 10, T0));
    ASSERT_OK(set(s, "c", "v", STORE_NO_TTL, T0));
    ASSERT_EQ(store_key_delete(s, K("a"), T0 + 20), 0);
    ASSERT_EQ(log.n, 1);                 /* a expired, not deleted */
    ASSERT_EQ(store_key_delete_held(s, K("b")), 1);
    ASSERT_EQ(store_key_delete_held(s, K("c")), 1);
    ASSERT_EQ(store_key_delete_held(s, K("nokey")), 0);
    ASSERT_EQ(log.n, 1);
    ASSERT_EQ(store_size(s), 0);
    ASSERT_EQ(store_volatile_size(s), 0);
    ASSERT_OK(store__check(s));
    store_free(s);
}

/* ---- Rename / copy ------------------------------------------------------- */

TEST(rename_copy_across_stores)
{
    struct store *a = store_new(4), *b = store_new(16);
    struct expired_log log = { 0 };
    char buf[64];
    store_set_expired_cb(a, on_expired, &log);
    ASSERT_OK(set(a, "src", "hello", T0 + 1000, T0));
    ASSERT_OK(set(a, "plain", "world", STORE_NO_TTL, T0));

    /* Across stores, other key length: value and TTL move. */
    ASSERT_OK(store_key_rename(a, K("src"), b, K("dest"), T0));
    ASSERT(store_key_find(a, K("src"), T0) == NULL);
    ASSERT_STR_EQ(get(b, "dest", T0, buf, sizeof buf), "hello");
    ASSERT_EQ(store_entry_expire(store_key_find(b, K("dest"), T0)),
              T0 + 1000);
    ASSERT_EQ(store_volatile_size(a), 0);
    ASSERT_EQ(store_volatile_size(b), 1);
    ASSERT_EQ(store_size(a), 1);
    ASSERT_EQ(store_size(b), 1);

    /* Across stores, same name (MOVE): the entry itself moves. */
    size_t amem = store_mem_usage(a), bmem = store_mem_usage(b);
    ASSERT_OK(store_key_rename(b, K("dest"), a, K("dest"), T0));
    ASSERT_STR_EQ(get(a, "dest", T0, buf, sizeof buf), "hello");
    ASSERT_EQ(store_entry_expire(store_key_find(a, K("dest"), T0)),
              T0 + 1000);
    ASSERT(store_mem_usage(a) > amem);
    ASSERT(store_mem_usage(b) < bmem);
    ASSERT_OK(store__check(a));
    ASSERT_OK(store__check(b));

    /* Same store, onto an existing key with a TTL: dst is replaced and
     * gets src's (absent) TTL. */
    ASSERT_OK(set(a, "dst2", "old", T0 + 50, T0));
    ASSERT_OK(store_key_rename(a, K("plain"), a, K("dst2"), T0));
    ASSERT_STR_EQ(get(a, "dst2", T0, buf, sizeof buf), "world");
    ASSERT_EQ(store_entry_expire(store_key_find(a, K("dst2"), T0)),
              STORE_NO_TTL);
    ASSERT(store_key_find(a, K("plain"), T0) == NULL);
    ASSERT_EQ(store_volatile_size(a), 1);

    /* Same length names in one store: entry reused in place. */
    ASSERT_OK(store_key_rename(a, K("dest"), a, K("desk"), T0));
    ASSERT_STR_EQ(get(a, "desk", T0, buf, sizeof buf), "hello");
    ASSERT(store_key_find(a, K("dest"), T0) == NULL);
    ASSERT_EQ(store_entry_expire(store_key_find(a, K("desk"), T0)),
              T0 + 1000);

    /* Onto itself: nothing changes. Missing source: NOT_FOUND. */
    ASSERT_OK(store_key_rename(a, K("desk"), a, K("desk"), T0));
    ASSERT_STR_EQ(get(a, "desk", T0, buf, sizeof buf), "hello");
    ASSERT_EQ(store_key_rename(a, K("nope"), b, K("x"), T0),
              STORE_NOT_FOUND);
    ASSERT_EQ(store_key_copy(a, K("nope"), b, K("x"), T0),
              STORE_NOT_FOUND);

    /* Copy keeps the source, carries the TTL, replaces dst. */
    ASSERT_OK(set(b, "c", "to be replaced", STORE_NO_TTL, T0));
    ASSERT_OK(store_key_copy(a, K("desk"), b, K("c"), T0));
    ASSERT_STR_EQ(get(a, "desk", T0, buf, sizeof buf), "hello");
    ASSERT_STR_EQ(get(b, "c", T0, buf, sizeof buf), "hello");
    ASSERT_EQ(store_entry_expire(store_key_find(b, K("c"), T0)), T0 + 1000);
    ASSERT_OK(store_key_copy(a, K("desk"), a, K("desk2"), T0));
    ASSERT_OK(store_key_copy(a, K("desk"), a, K("desk"), T0));
    ASSERT_EQ(store_volatile_size(a), 2);

    /* An expired source is reported and not found. */
    ASSERT_EQ(store_key_rename(a, K("desk"), b, K("q"), T0 + 1000),
              STORE_NOT_FOUND);
    ASSERT_EQ(log.n, 1);
    ASSERT_STR_EQ(log.last, "desk");

    /* Many renames back and forth stay consistent. */
    char k1[32], k2[32];
    for (long i = 0; i < 3000; i++) {
        keyname(k1, sizeof k1, "m", i);
        ASSERT_OK(set(a, k1, "val", i % 2 ? T0 + 5000 : STORE_NO_TTL, T0));
    }
    for (long i = 0; i < 3000; i++) {
        keyname(k1, sizeof k1, "m", i);
        keyname(k2, sizeof k2, i % 3 ? "renamed" : "n", i);
        struct store *d = i % 2 ? a : b;
        ASSERT_OK(store_key_rename(a, k1, strlen(k1), d, k2, strlen(k2),
                                   T0));
    }
    ASSERT_OK(store__check(a));
    ASSERT_OK(store__check(b));
    ASSERT_EQ(store_size(a) + store_size(b), 3000 + 3);
    store_free(a);
    store_free(b);
}

/* ---- String resize ------------------------------------------------------- */

TEST(str_resize)
{
    struct store *s = store_new(1);
    char buf[4096], k[32];
    /* Neighbours in the same chains, some with TTLs. */
    for (long i = 0; i < 50; i++) {
        keyname(k, sizeof k, "n", i);
        ASSERT_OK(set(s, k, "x", i % 2 ? T0 + 100 : STORE_NO_TTL, T0));
    }
    ASSERT_OK(set(s, "s", "abc", T0 + 100, T0));
    struct store_entry *e = store_key_find(s, K("s"), T0);
    char *v = store_str_resize(s, &e, 3000);
    ASSERT(v != NULL);
    size_t n;
    const char *cv = store_entry_str(e, &n);
    ASSERT_EQ(n, 3000);
    ASSERT(cv == v);
    ASSERT(memcmp(v, "abc", 3) == 0);
    for (size_t i = 3; i < 3000; i++)
        ASSERT_EQ(v[i], 0);
    memcpy(v + 2990, "0123456789", 10);
    ASSERT(store_key_find(s, K("s"), T0) == e);
    ASSERT_EQ(store_entry_expire(e), T0 + 100);
    ASSERT_OK(store__check(s));

    v = store_str_resize(s, &e, 2);
    ASSERT(v != NULL);
    ASSERT_STR_EQ(get(s, "s", T0, buf, sizeof buf), "ab");
    v = store_str_resize(s, &e, 2);
    ASSERT(v != NULL);
    ASSERT(store_str_resize(s, &e, STORE_MAX_STR + 1) == NULL);
    v = store_str_resize(s, &e, 0);
    ASSERT(v != NULL);
    ASSERT_STR_EQ(get(s, "s", T0, buf, sizeof buf), "");
    ASSERT_OK(store__check(s));
    for (long i = 0; i < 50; i++) {
        keyname(k, sizeof k, "n", i);
        ASSERT_STR_EQ(get(s, k, T0, buf, sizeof buf), "x");
    }
    store_free(s);
}

/* ---- Random key ---------------------------------------------------------- */

/* The chance that store_key_random returns each key "r<id>" (id < n):
 * a shard in proportion to its keys, then a non-empty bucket uniformly,
 * kept with probability min(len, STORE__CHAIN_CAP) / STORE__CHAIN_CAP
 * for a chain of len, then one entry of the chain uniformly; so within a
 * shard an entry weighs 1 / STORE__CHAIN_CAP, or 1 / len in a longer
 * chain. No shard may be rehashing. */
static void random_key_odds(const struct store *s, double *p, long n)
{
    for (unsigned si = 0; si < s->nshards; si++) {
        const struct store_shard *sh = &s->shards[si];
        double total = 0;
        for (int pass = 0; pass < 2; pass++) {
            for (size_t j = 0; j < sh->t[0].size; j++) {
                const struct store_entry *b = sh->t[0].b[j], *e;
                size_t len = 0;
                for (e = b; e; e = e->next)
                    len++;
                double w = 1.0 / (len > STORE__CHAIN_CAP ? len
                                                         : STORE__CHAIN_CAP);
                for (e = b; e; e = e->next) {
                    long id = key_id(e, "r");
                    if (pass == 0)
                        total += w;
                    else if (id >= 0 && id < n)
                        p[id] = (double)sh->used / (double)s->nkeys * w /
                                total;
                }
            }
        }
    }
}

TEST(random_key)
{
    struct store *s = store_new(8);
    struct expired_log log = { 0 };
    char k[32];
    store_set_expired_cb(s, on_expired, &log);
    ASSERT(store_key_random(s, T0) == NULL);
    ASSERT_OK(set(s, "only", "v", STORE_NO_TTL, T0));
    size_t n;
    const char *key = store_entry_key(store_key_random(s, T0), &n);
    ASSERT_MEM_EQ(key, n, "only");
    ASSERT_EQ(store_key_delete(s, K("only"), T0), 1);

    unsigned seen[100] = { 0 };
    struct seen sn = { seen, 100, "r", 0 };
    for (long i = 0; i < 100; i++) {
        keyname(k, sizeof k, "r", i);
        ASSERT_OK(set(s, k, "v", STORE_NO_TTL, T0));
    }
    /* Finish any rehash the inserts started (each call steps it), so
     * the layout the odds are read from stays put. */
    for (int i = 0; i < 1000; i++)
        ASSERT(store_key_random(s, T0) != NULL);
    for (unsigned si = 0; si < s->nshards; si++)
        ASSERT(!store__rehashing(&s->shards[si]));
    double odds[100] = { 0 }, total = 0;
    random_key_odds(s, odds, 100);
    for (int i = 0; i < 20000; i++)
        on_scan(&sn, store_key_random(s, T0));
    /* Each count within 6 standard deviations of its expectation (200
     * for every key in chains of up to STORE__CHAIN_CAP): a false
     * failure about once in 10^8 runs. Picking shards uniformly, always
     * a chain's first entry, any chain's entries with equal odds (from 90
     * to 400 times with this layout), or drawing the shard again with the
     * bucket fails this. */
    for (int i = 0; i < 100; i++) {
        double want = 20000 * odds[i];
        total += odds[i];
        ASSERT(want > 0);
        if (fabs(seen[i] - want) > 6 * sqrt(want) + 1)
            UNIT_FAIL_("r%d: seen %u times, %.0f expected", i, seen[i],
                       want);
    }
    ASSERT(fabs(total - 1) < 1e-9);
    /* Expired keys are skipped and removed. */
    for (long i = 0; i < 500; i++) {
        keyname(k, sizeof k, "x", i);
        ASSERT_OK(set(s, k, "v", T0 + 10, T0));
    }
    for (int i = 0; i < 100; i++) {
        struct store_entry *e = store_key_random(s, T0 + 10);
        ASSERT(e != NULL);
        ASSERT(key_id(e, "r") >= 0);
    }
    ASSERT(log.n > 0);
    ASSERT_EQ(store_size(s) + log.n, 600);
    /* Only expired keys: NULL, and they are gone. */
    for (long i = 0; i < 100; i++) {
        keyname(k, sizeof k, "r", i);
        ASSERT_EQ(store_key_delete(s, k, strlen(k), T0), 1);
    }
    ASSERT(store_key_random(s, T0 + 10) == NULL);
    ASSERT_EQ(store_size(s), 0);
    ASSERT_EQ(log.n, 500);
    ASSERT_OK(store__check(s));

    /* A sparse table mid-shrink still answers. */
    struct store *t = store_new(1);
    for (long i = 0; i < 50000; i++) {
        keyname(k, sizeof k, "r", i);
        set(t, k, "v", STORE_NO_TTL, T0);
    }
    for (long i = 1; i < 50000; i++) {
        keyname(k, sizeof k, "r", i);
        store_key_delete(t, k, strlen(k), T0);
    }
    key = store_entry_key(store_key_random(t, T0), &n);
    ASSERT_MEM_EQ(key, n, "r0");
    store_free(t);
    store_free(s);
}

/* ---- Glob ---------------------------------------------------------------- */

TEST(glob)
{
    static const struct {
        const char *pat, *str;
        int nocase, want;
    } cases[] = {
        { "", "", 0, 1 },
        { "", "a", 0, 0 },
        { "*", "", 0, 0 },          /* Redis: "" matches only "" */
        { "*", "anything", 0, 1 },
        { "**", "x", 0, 1 },
        { "a*", "abc", 0, 1 },
        { "a*", "bac", 0, 0 },
        { "*c", "abc", 0, 1 },
        { "*b*", "abc", 0, 1 },
        { "a*b*c", "aXXbYYc", 0, 1 },
        { "a*b*c", "aXXbYY", 0, 0 },
        { "h?llo", "hello", 0, 1 },
        { "h?llo", "hllo", 0, 0 },
        { "h?llo", "heello", 0, 0 },
        { "h[ae]llo", "hallo", 0, 1 },
        { "h[ae]llo", "hillo", 0, 0 },
        { "h[^e]llo", "hallo", 0, 1 },
        { "h[^e]llo", "hello", 0, 0 },
        { "h[a-b]llo", "hbllo", 0, 1 },
        { "h[a-b]llo", "hcllo", 0, 0 },
        { "[z-a]", "m", 0, 1 },
        { "[z-a]", "A", 0, 0 },
        { "[^a-c]", "d", 0, 1 },
        { "[^a-c]", "b", 0, 0 },
        { "[a\\]]", "]", 0, 1 },
        { "[\\^]", "^", 0, 1 },
        { "[]", "a", 0, 0 },
        { "[abc", "b", 0, 1 },        /* open class runs to the end */
        { "[abc", "d", 0, 0 },
        { "\\*", "*", 0, 1 },
        { "\\*", "a", 0, 0 },
        { "\\?x", "?x", 0, 1 },
        { "\\[a]", "[a]", 0, 1 },
        { "a\\", "a\\", 0, 1 },       /* trailing backslash is literal */
        { "user:*:name", "user:42:name", 0, 1 },
        { "user:*:name", "user:42:age", 0, 0 },
        { "HeLLo", "hello", 1, 1 },
        { "HeLLo", "hello", 0, 0 },
        { "h[A-C]llo", "hbllo", 1, 1 },
        { "h[A-C]llo", "hbllo", 0, 0 },
        { "[^B]", "b", 1, 0 },
        { "*a*a*a*b", "aaaab", 0, 1 },
        { "*a*a*a*b", "aaaa", 0, 0 },
        { "*?", "", 0, 0 },
        { "?*", "x", 0, 1 },
        { "a*", "a", 0, 1 },
        { "*x*", "abc", 0, 0 },
        { "ab*cd", "abxxcdyycd", 0, 1 },
        { "ab*cd", "abxxcdyyc", 0, 0 },
    };
    for (size_t i = 0; i < UNIT_COUNT(cases); i++) {
        int got = store_glob_match(cases[i].pat, strlen(cases[i].pat),
                                   cases[i].str, strlen(cases[i].str),
                                   cases[i].nocase);
        if (got != cases[i].want)
            UNIT_FAIL_("glob \"%s\" vs \"%s\" nocase=%d: got %d",
                       cases[i].pat, cases[i].str, cases[i].nocase, got);
    }
    /* Binary bytes and NUL. */
    ASSERT_EQ(store_glob_match("a?c", 3, "a\0c", 3, 0), 1);
    ASSERT_EQ(store_glob_match("[\xff]", 3, "\xff", 1, 0), 1);
}

TEST(glob_pathological)
{
    static char str[20001];
    memset(str, 'a', 20000);
    const char *pat = "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b";
    double t = now_s();
    ASSERT_EQ(store_glob_match(pat, strlen(pat), str, 20000, 0), 0);
    ASSERT_EQ(store_glob_match(pat, strlen(pat) - 1, str, 20000, 0), 1);
    ASSERT(now_s() - t < 1.0);
}

/* ---- Fault injection ----------------------------------------------------- */

#define FI_KEYS 400

struct model {
    char val[FI_KEYS][48];
    size_t vlen[FI_KEYS];
    int64_t exp[FI_KEYS];
    int present[FI_KEYS];
};

static void fi_key(char *k, long i)
{
    /* Two lengths, so renames take both the reuse and the copy path. */
    snprintf(k, 32, i % 2 ? "fk:%ld" : "fault-key:%ld", i);
}

static int model_check(struct store *s, const struct model *m)
{
    char k[32];
    size_t live = 0;
    for (long i = 0; i < FI_KEYS; i++) {
        fi_key(k, i);
        struct store_entry *e = store_key_find(s, k, strlen(k), T0);
        if (!m->present[i]) {
            if (e)
                return 1;
            continue;
        }
        live++;
        if (!e)
            return 2;
        size_t n;
        const char *v = store_entry_str(e, &n);
        if (n != m->vlen[i] || memcmp(v, m->val[i], n) != 0)
            return 3;
        if (store_entry_expire(e) != m->exp[i])
            return 4;
    }
    return store__check(s) ? 5 : live == store_size(s) ? 0 : 6;
}

static int mset(struct store *s, struct model *m, long i, const char *v,
                int64_t exp)
{
    char k[32];
    fi_key(k, i);
    int rc = store_key_set(s, k, strlen(k), v, strlen(v), exp, T0);
    if (rc == STORE_OK) {
        if (exp == STORE_KEEP_TTL)
            exp = m->present[i] ? m->exp[i] : STORE_NO_TTL;
        m->present[i] = 1;
        m->vlen[i] = strlen(v);
        memcpy(m->val[i], v, m->vlen[i]);
        m->exp[i] = exp;
    }
    return rc;
}

/* One run of a sequence of operations with the store armed to fail its
 * n-th allocation; returns 0 if the model still matches. *hit is set
 * when an operation reported STORE_NOMEM. */
static int fault_run(unsigned long n, int *hit, int *done)
{
    struct store *s = store_new(2);
    static struct model m;
    char k[32], k2[32];
    int rc;
    memset(&m, 0, sizeof m);
    for (long i = 0; i < 40; i++)
        mset(s, &m, i, "initial", i % 2 ? T0 + 1000 + i : STORE_NO_TTL);
    store_set_fail_after(s, n);
    *hit = 0;

#define NOTE(expr)                                                          \
    do {                                                                    \
        rc = (expr);                                                        \
        if (rc == STORE_NOMEM)                                              \
            *hit = 1;                                                       \
        else if (rc < 0 && rc != STORE_NOT_FOUND)                           \
            return 100;                                                     \
    } while (0)

    /* Inserts that grow the tables and vol[]. */
    for (long i = 40; i < 300; i++)
        NOTE(mset(s, &m, i, "fresh", i % 3 ? STORE_NO_TTL : T0 + 2000));
    /* Overwrites: in place, resized, TTL added / kept / dropped. */
    for (long i = 0; i < 300; i += 7) {
        NOTE(mset(s, &m, i, "other", STORE_KEEP_TTL));
        NOTE(mset(s, &m, i + 1, "a much longer value here", STORE_KEEP_TTL));
        NOTE(mset(s, &m, i + 2, "ttl", T0 + 3000));
        NOTE(mset(s, &m, i + 3, "nottl", STORE_NO_TTL));
    }
    /* EXPIRE / PERSIST. */
    for (long i = 0; i < 300; i += 5) {
        fi_key(k, i);
        int64_t exp = i % 2 ? STORE_NO_TTL : T0 + 4000 + i;
        NOTE(store_key_expire_set(s, k, strlen(k), exp, T0));
        if (rc == STORE_OK)
            m.exp[i] = exp;
    }
    /* APPEND-like resizes. */
    for (long i = 1; i < 300; i += 11) {
        fi_key(k, i);
        struct store_entry *e = store_key_find(s, k, strlen(k), T0);
        if (!e != !m.present[i])
            return 101;
        if (!e)
            continue;
        size_t len = m.vlen[i] + 5;
        char *v = store_str_resize(s, &e, len);
        if (!v) {
            *hit = 1;
        } else {
            memcpy(v + m.vlen[i], "+tail", 5);
            memcpy(m.val[i] + m.vlen[i], "+tail", 5);
            m.vlen[i] = len;
        }
    }
    /* Renames and copies within the store (both key lengths). */
    for (long i = 0; i < 96; i += 3) {
        fi_key(k, i);
        fi_key(k2, 300 + i);
        NOTE(store_key_rename(s, k, strlen(k), s, k2, strlen(k2), T0));
        if (rc == STORE_OK) {
            memcpy(m.val[300 + i], m.val[i], m.vlen[i]);
            m.vlen[300 + i] = m.vlen[i];
            m.exp[300 + i] = m.exp[i];
            m.present[300 + i] = 1;
            m.present[i] = 0;
        }
        fi_key(k, i + 1);
        fi_key(k2, 300 + i + 1);
        NOTE(store_key_copy(s, k, strlen(k), s, k2, strlen(k2), T0));
        if (rc == STORE_OK) {
            memcpy(m.val[301 + i], m.val[i + 1], m.vlen[i + 1]);
            m.vlen[301 + i] = m.vlen[i + 1];
            m.exp[301 + i] = m.exp[i + 1];
            m.present[301 + i] = 1;
        }
    }
    /* Cross-store rename and copy. */
    struct store *d = store_new(1);
    store_set_fail_after(d, n);
    for (long i = 200; i < 220; i++) {
        fi_key(k, i);
        int64_t exp = m.exp[i];
        if (i % 2) {
            NOTE(store_key_copy(s, k, strlen(k), d, k, strlen(k), T0));
        } else {
            NOTE(store_key_rename(s, k, strlen(k), d, k, strlen(k), T0));
            if (rc == STORE_OK)
                m.present[i] = 0;
        }
        if (rc == STORE_OK) {
            struct store_entry *e = store_key_find(d, k, strlen(k), T0);
            if (!e || store_entry_expire(e) != exp)
                return 102;
        }
    }
    if (store__check(d))
        return 103;
    *done = s->fail_after != 0 && d->fail_after != 0;
    store_free(d);
    /* Deletes that shrink. */
    for (long i = 0; i < 400; i++) {
        if (i % 4 == 0)
            continue;
        fi_key(k, i);
        int r = store_key_delete(s, k, strlen(k), T0);
        if (r != m.present[i])
            return 104;
        m.present[i] = 0;
    }
    rc = model_check(s, &m);
    /* A failure may also have been hit in the deletes (shrink). */
    *done = *done && s->fail_after != 0;
    store_free(s);
#undef NOTE
    return rc;
}

TEST(fault_injection)
{
    int hits = 0;
    unsigned long n;
    for (n = 1; n < 100000; n++) {
        int hit = 0, done = 0;
        int rc = fault_run(n, &hit, &done);
        if (rc)
            UNIT_FAIL_("fail_after=%lu: inconsistent (%d)", n, rc);
        hits += hit;
        if (done)
            break;
    }
    ASSERT(n > 100);            /* the sequence does allocate a lot */
    ASSERT(hits > 50);
    printf("     fault injection: %lu runs, %d reported NOMEM\n", n, hits);
}

/* ---- Memory per key ------------------------------------------------------ */

TEST(memory_per_key)
{
    const long n = 1000000;
    struct store *s = store_new(16);
    size_t base = store_mem_usage(s);
    char k[32], v[33];
    memset(v, 'v', 32);
    v[32] = '\0';
    double t = now_s();
    for (long i = 0; i < n; i++) {
        snprintf(k, sizeof k, "key:%09ld", i);       /* 13 bytes */
        ASSERT_OK(store_key_set(s, k, 13, v, 32, STORE_NO_TTL, T0));
    }
    double t_set = now_s() - t;
    t = now_s();
    for (long i = 0; i < n; i++) {
        snprintf(k, sizeof k, "key:%09ld", (i * 7919) % n);
        ASSERT(store_key_find(s, k, 13, T0) != NULL);
    }
    double t_get = now_s() - t;
    double per_key = (double)(store_mem_usage(s) - base) / (double)n;
    printf("     1M keys (13-byte key, 32-byte value): %.1f bytes/key "
           "(entry %zu + buckets), set %.0f ns, get %.0f ns\n",
           per_key, store__esize(13, 32, 0), t_set * 1e9 / (double)n,
           t_get * 1e9 / (double)n);
    ASSERT(per_key < 100);
    store_free(s);
}

static const struct unit_test tests[] = {
    UNIT(set_get_overwrite_delete),
    UNIT(many_keys_grow_and_shrink),
    UNIT(reserve_presizes_empty_shards),
    UNIT(rehash_checked_every_call),
    UNIT(prefetch_changes_nothing),
    UNIT(expire_paused_leaves_expired_keys),
    UNIT(ttl_lazy_expiry),
    UNIT(ttl_expire_set_persist_keepttl),
    UNIT(scan_across_grow_and_shrink),
    UNIT(scan_during_big_shrink),
    UNIT(scan_full_and_empty),
    UNIT(scan_stale_cursors),
    UNIT(scan_with_random_ops),
    UNIT(expire_step_budget),
    UNIT(expire_step_mixed),
    UNIT(expire_step_avg_ttl),
    UNIT(clear_resets_avg_ttl),
    UNIT(delete_held_ignores_the_ttl),
    UNIT(rename_copy_across_stores),
    UNIT(str_resize),
    UNIT(random_key),
    UNIT(glob),
    UNIT(glob_pathological),
    UNIT(fault_injection),
    UNIT(memory_per_key),
};

int main(void)
{
    return unit_run(tests, UNIT_COUNT(tests));
}
