/* test_prefix.c - unit tests for store/prefix.c: the ordered index kept
 * in step with every kind of change (checked by store__check after random
 * operations), prefix scans in order, the cursor guarantee under random
 * inserts, deletes and expiries interleaved with small COUNT steps, stale
 * and garbage cursors, a failed resume-point allocation, the index's
 * bytes per key, and the index built in one sort (prefix_build.c) against
 * one built key by key, on keys made to trip the sort.
 *
 * Keys are "<prefix><id>" with a few prefixes sharing leading bytes
 * ("p:", "p:x", "q") so the range bounds get exercised. */
#include <stdlib.h>
#include <time.h>

#include "store/store.h"
#include "store/store_int.h"
#include "tests/unit/unit.h"

#define K(lit) (lit), (sizeof(lit) - 1)
#define T0 INT64_C(1700000000000)

static uint64_t lcg(uint64_t *x)
{
    *x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
    return *x >> 33;
}

static int set(struct store *s, const char *key, const char *val,
               int64_t exp, int64_t now)
{
    return store_key_set(s, key, strlen(key), val, strlen(val), exp, now);
}

/* ---- Collecting scan output ---------------------------------------------- */

#define MAXK 4096

struct seen {
    char keys[MAXK][24];
    size_t n;
    int sorted;                /* every key > the previous one in the call */
    int bad_prefix;
    const char *pfx;
    char prev[24];
    size_t prevlen;
    int64_t now;               /* keys expired by then are counted apart */
    size_t expired;
};

static void collect(void *ctx, const struct store_entry *e)
{
    struct seen *w = ctx;
    size_t klen;
    const char *k = store_entry_key(e, &klen);
    size_t plen = strlen(w->pfx);
    if (klen < plen || memcmp(k, w->pfx, plen) != 0)
        w->bad_prefix = 1;
    if (w->prevlen) {
        size_t m = klen < w->prevlen ? klen : w->prevlen;
        int r = memcmp(w->prev, k, m);
        if (r > 0 || (r == 0 && w->prevlen >= klen))
            w->sorted = 0;
    }
    if (klen < sizeof w->prev) {
        memcpy(w->prev, k, klen);
        w->prevlen = klen;
    }
    if (store_entry_expired(e, w->now)) {
        w->expired++;
        return;
    }
    if (w->n < MAXK && klen < sizeof w->keys[0]) {
        memcpy(w->keys[w->n], k, klen);
        w->keys[w->n][klen] = '\0';
        w->n++;
    }
}

static void seen_init(struct seen *w, const char *pfx)
{
    memset(w, 0, sizeof *w);
    w->pfx = pfx;
    w->sorted = 1;
}

static int seen_has(const struct seen *w, const char *key)
{
    for (size_t i = 0; i < w->n; i++) {
        if (strcmp(w->keys[i], key) == 0)
            return 1;
    }
    return 0;
}

/* A full iteration in steps of count; returns the calls made, or -1 if
 * it did not end within limit calls. */
static long scan_all(struct store *s, const char *pfx, size_t count,
                     int64_t now, struct seen *w, long limit)
{
    uint64_t cur = 0;
    long calls = 0;
    w->now = now;
    do {
        w->prevlen = 0;        /* order is checked within one call */
        cur = store_scan_prefix(s, pfx, strlen(pfx), cur, count,
                                collect, w);
        if (cur >= UINT64_C(1) << 53)   /* not exact as a client's double */
            return -1;
        if (++calls > limit)
            return -1;
    } while (cur != 0);
    return calls;
}

/* ---- Tests --------------------------------------------------------------- */

TEST(literal_len)
{
    ASSERT_EQ(store_glob_literal_len(K("pfx:*")), 4);
    ASSERT_EQ(store_glob_literal_len(K("user:42:?x")), 8);
    ASSERT_EQ(store_glob_literal_len(K("a[bc]*")), 1);
    ASSERT_EQ(store_glob_literal_len(K("a\\*b")), 1);
    ASSERT_EQ(store_glob_literal_len(K("*")), 0);
    ASSERT_EQ(store_glob_literal_len(K("plain")), 5);
    ASSERT_EQ(store_glob_literal_len("", 0), 0);
}

TEST(ordered_ranges)
{
    struct store *s = store_new(8);
    char k[32];
    /* Out of order inserts, prefixes that nest and border each other. */
    for (int i = 999; i >= 0; i--) {
        snprintf(k, sizeof k, "p:%03d", i);
        ASSERT_OK(set(s, k, "v", STORE_NO_TTL, T0));
        snprintf(k, sizeof k, "q%d", i);
        ASSERT_OK(set(s, k, "v", STORE_NO_TTL, T0));
    }
    ASSERT_OK(set(s, "p", "v", STORE_NO_TTL, T0));
    ASSERT_OK(set(s, "p;", "v", STORE_NO_TTL, T0));
    ASSERT_OK(set(s, "o~", "v", STORE_NO_TTL, T0));
    ASSERT_OK(store__check(s));

    static struct seen w;
    seen_init(&w, "p:");
    ASSERT_EQ(scan_all(s, "p:", 100000, T0, &w, 2), 1);
    ASSERT_EQ(w.n, 1000);
    ASSERT(w.sorted);
    ASSERT(!w.bad_prefix);
    ASSERT_STR_EQ(w.keys[0], "p:000");
    ASSERT_STR_EQ(w.keys[999], "p:999");

    seen_init(&w, "p:12");
    ASSERT_EQ(scan_all(s, "p:12", 3, T0, &w, 100), 4);
    ASSERT_EQ(w.n, 10);
    ASSERT_STR_EQ(w.keys[9], "p:129");

    seen_init(&w, "p");
    ASSERT(scan_all(s, "p", 7, T0, &w, 1000) > 0);
    ASSERT_EQ(w.n, 1002);
    seen_init(&w, "nothing");
    ASSERT_EQ(scan_all(s, "nothing", 10, T0, &w, 1), 1);
    ASSERT_EQ(w.n, 0);
    seen_init(&w, "");
    ASSERT(scan_all(s, "", 1000, T0, &w, 100) > 0);
    ASSERT_EQ(w.n, 2003);

    /* A finished iteration gives its resume point back. */
    size_t pmem = store_prefix_mem_usage(s);
    uint64_t cur = store_scan_prefix(s, K("p:"), 0, 10, collect, &w);
    ASSERT(cur != 0);
    cur = store_scan_prefix(s, K("p:"), cur, 5000, collect, &w);
    ASSERT_EQ(cur, 0);
    ASSERT(store_prefix_mem_usage(s) >= pmem);
    ASSERT_OK(store__check(s));

    store_clear(s);
    ASSERT_EQ(store_prefix_mem_usage(s), 0);
    seen_init(&w, "p:");
    ASSERT_EQ(scan_all(s, "p:", 10, T0, &w, 1), 1);
    ASSERT_EQ(w.n, 0);
    store_free(s);
}

/* Every operation that links, unlinks or moves an entry, at random, with
 * the index checked against the tables after each batch. */
TEST(index_follows_every_change)
{
    struct store *a = store_new(4), *b = store_new(2);
    uint64_t x = 7;
    char k[32], k2[32];
    int64_t now = T0;
    for (int round = 0; round < 40; round++) {
        for (int op = 0; op < 2000; op++) {
            unsigned r = (unsigned)lcg(&x);
            snprintf(k, sizeof k, "k:%u", (unsigned)(lcg(&x) % 3000));
            struct store *s = r % 5 == 0 ? b : a;
            switch (r / 5 % 9) {
            case 0: case 1:
                set(s, k, "value", STORE_NO_TTL, now);
                break;
            case 2:
                set(s, k, r & 64 ? "a longer value here" : "v",
                    now + (int64_t)(lcg(&x) % 50), now);
                break;
            case 3:
                store_key_delete(s, k, strlen(k), now);
                break;
            case 4:
                store_key_expire_set(s, k, strlen(k),
                                     r & 64 ? STORE_NO_TTL
                                            : now + (int64_t)(r % 100),
                                     now);
                break;
            case 5: {
                struct store_entry *e = store_key_find(s, k, strlen(k), now);
                if (e)
                    store_str_resize(s, &e, (lcg(&x) % 40));
                break;
            }
            case 6:
                snprintf(k2, sizeof k2, "k:%u", (unsigned)(lcg(&x) % 3000));
                store_key_rename(s, k, strlen(k), s, k2, strlen(k2), now);
                break;
            case 7:
                snprintf(k2, sizeof k2, "k:%u", (unsigned)(lcg(&x) % 3000));
                store_key_copy(a, k, strlen(k), b, k2, strlen(k2), now);
                break;
            default:
                /* MOVE: same name, other store. */
                if (!store_key_find(b, k, strlen(k), now))
                    store_key_rename(a, k, strlen(k), b, k, strlen(k), now);
                break;
            }
        }
        now += 10;
        store_expire_step(a, now, 0, NULL, NULL);
        ASSERT_OK(store__check(a));
        ASSERT_OK(store__check(b));
        if (round == 20) {
            store_clear(b);
            ASSERT_OK(store__check(b));
        }
    }
    /* Emptying a store keyed one by one gives the chunks back. */
    for (unsigned i = 0; i < 3000; i++) {
        snprintf(k, sizeof k, "k:%u", i);
        store_key_delete(a, k, strlen(k), now);
    }
    ASSERT_EQ(store_size(a), 0);
    ASSERT_OK(store__check(a));
    ASSERT(store_prefix_mem_usage(a) < 4 * 2048);
    store_free(a);
    store_free(b);
}

/* The property: random inserts, deletes and expiries between the calls
 * of a prefix scan in small COUNT steps; every key under the prefix that
 * was present from the first call to the last is returned, nothing
 * outside the prefix is, and the iteration ends. */
TEST(property_scan_under_churn)
{
    enum { N = 1500 };
    static struct seen w;
    static int present[N], throughout[N];
    static int64_t expire[N];
    uint64_t x = 12345;
    char k[32];
    for (int trial = 0; trial < 60; trial++) {
        struct store *s = store_new(1u << (trial % 4));
        int64_t now = T0;
        memset(present, 0, sizeof present);
        for (int i = 0; i < N; i++) {
            expire[i] = STORE_NO_TTL;
            if (lcg(&x) % 2)
                continue;
            snprintf(k, sizeof k, "%s%d", i % 3 ? "p:" : "o:", i);
            int64_t exp = lcg(&x) % 4 == 0 ? now + 1 + (int64_t)(lcg(&x) % 500)
                                           : STORE_NO_TTL;
            ASSERT_OK(set(s, k, "v", exp, now));
            present[i] = 1;
            expire[i] = exp;
        }
        memcpy(throughout, present, sizeof present);
        seen_init(&w, "p:");
        size_t count = 1 + lcg(&x) % 7;
        uint64_t cur = 0;
        long calls = 0;
        do {
            w.prevlen = 0;
            w.now = now;
            cur = store_scan_prefix(s, K("p:"), cur, count, collect, &w);
            ASSERT(w.sorted);
            calls++;
            ASSERT(calls <= 2 * N);
            /* Churn between calls. */
            for (int op = 0; op < 5; op++) {
                int i = (int)(lcg(&x) % N);
                snprintf(k, sizeof k, "%s%d", i % 3 ? "p:" : "o:", i);
                switch (lcg(&x) % 4) {
                case 0:
                    store_key_delete(s, k, strlen(k), now);
                    present[i] = throughout[i] = 0;
                    break;
                case 1:
                    if (!present[i]) {
                        set(s, k, "new", STORE_NO_TTL, now);
                        present[i] = 1;
                        expire[i] = STORE_NO_TTL;
                    }
                    break;
                case 2:
                    if (present[i]) {
                        int64_t e = now + 1 + (int64_t)(lcg(&x) % 300);
                        store_key_expire_set(s, k, strlen(k), e, now);
                        expire[i] = e;
                    }
                    break;
                default:
                    if (present[i])
                        set(s, k, "a much longer value", STORE_KEEP_TTL,
                            now);
                    break;
                }
            }
            now += 3;
            for (int i = 0; i < N; i++) {
                if (expire[i] != STORE_NO_TTL && expire[i] <= now)
                    present[i] = throughout[i] = 0;
            }
            if (calls % 5 == 0)
                store_expire_step(s, now, 0, NULL, NULL);
        } while (cur != 0);
        ASSERT(!w.bad_prefix);
        for (int i = 0; i < N; i++) {
            if (!throughout[i] || i % 3 == 0)
                continue;
            snprintf(k, sizeof k, "p:%d", i);
            if (!seen_has(&w, k))
                UNIT_FAIL_("trial %d count %zu: %s skipped", trial, count, k);
        }
        ASSERT_OK(store__check(s));
        store_free(s);
    }
}

/* An iteration whose resume point was evicted by a thousand others goes
 * on from its hint: duplicates, no skips, and it ends. */
TEST(stale_cursor_falls_back)
{
    struct store *s = store_new(4);
    static struct seen w, junk;
    char k[32];
    for (int i = 0; i < 3000; i++) {
        snprintf(k, sizeof k, "p:%05d", (i * 7919) % 3000);
        ASSERT_OK(set(s, k, "v", STORE_NO_TTL, T0));
    }
    seen_init(&w, "p:");
    uint64_t cur = store_scan_prefix(s, K("p:"), 0, 1500, collect, &w);
    ASSERT(cur != 0);
    ASSERT_EQ(w.n, 1500);
    ASSERT_STR_EQ(w.keys[1499], "p:01499");
    /* 1024+ other iterations take every resume slot. */
    seen_init(&junk, "p:");
    for (int i = 0; i < 1100; i++) {
        junk.n = 0;
        ASSERT(store_scan_prefix(s, K("p:"), 0, 1, collect, &junk) != 0);
    }
    w.prevlen = 0;
    size_t before = w.n;
    cur = store_scan_prefix(s, K("p:"), cur, 100000, collect, &w);
    ASSERT_EQ(cur, 0);
    /* Hint "01" (the bytes after "p:" of p:01499) restarts at p:01000. */
    ASSERT_STR_EQ(w.keys[before], "p:01000");
    ASSERT_EQ(w.n, 1500 + 2000);
    for (int i = 0; i < 3000; i++) {
        snprintf(k, sizeof k, "p:%05d", i);
        ASSERT(seen_has(&w, k));
    }

    /* Garbage cursors of every shape end, and cover the keys after the
     * place their hint bytes name. */
    uint64_t x = 99;
    for (int t = 0; t < 300; t++) {
        uint64_t g = (uint64_t)lcg(&x) << 32 ^ lcg(&x);
        if (t % 3 == 0)
            g &= 0x3ff;        /* slot only, generation 0: from the start */
        seen_init(&junk, "p:");
        long calls = 0;
        size_t count = 1 + (size_t)(t % 50);
        do {
            g = store_scan_prefix(s, K("p:"), g, count, collect, &junk);
            ASSERT(++calls <= 3000 + 1);
        } while (g != 0);
        if (t % 3 == 0)
            ASSERT_EQ(junk.n, 3000 > MAXK ? MAXK : 3000);
    }
    /* A cursor from another prefix: "q" sorts after every saved "p:" key
     * and "a" before, so both start at their own range, here empty. */
    seen_init(&junk, "p:");
    cur = store_scan_prefix(s, K("p:"), 0, 10, collect, &junk);
    ASSERT(cur != 0);
    ASSERT_EQ(store_scan_prefix(s, K("q"), cur, 10, collect, &junk), 0);
    ASSERT_EQ(store_scan_prefix(s, K("a"), cur, 10, collect, &junk), 0);
    ASSERT_EQ(junk.n, 10);
    ASSERT_OK(store__check(s));
    store_free(s);
}

/* Without memory for a resume point the cursor carries only its hint,
 * and the iteration still covers everything. */
TEST(resume_point_nomem)
{
    struct store *s = store_new(2);
    static struct seen w;
    char k[32];
    for (int i = 0; i < 500; i++) {
        snprintf(k, sizeof k, "p:%03d", i);
        ASSERT_OK(set(s, k, "v", STORE_NO_TTL, T0));
    }
    seen_init(&w, "p:");
    uint64_t cur = 0;
    long calls = 0;
    do {
        store_set_fail_after(s, 1);
        w.prevlen = 0;
        cur = store_scan_prefix(s, K("p:"), cur, 50, collect, &w);
        ASSERT(++calls < 100);
    } while (cur != 0);
    store_set_fail_after(s, 0);
    for (int i = 0; i < 500; i++) {
        snprintf(k, sizeof k, "p:%03d", i);
        ASSERT(seen_has(&w, k));
    }
    ASSERT_OK(store__check(s));
    store_free(s);
}

/* Expired keys under the prefix are visited like the others and left in
 * place (the caller expires them or not). */
TEST(expired_keys_visited_not_removed)
{
    struct store *s = store_new(2);
    static struct seen w;
    ASSERT_OK(set(s, "p:a", "v", T0 + 10, T0));
    ASSERT_OK(set(s, "p:b", "v", STORE_NO_TTL, T0));
    ASSERT_OK(set(s, "p:c", "v", T0 + 10, T0));
    seen_init(&w, "p:");
    ASSERT_EQ(scan_all(s, "p:", 10, T0 + 10, &w, 1), 1);
    ASSERT_EQ(w.n, 1);
    ASSERT_STR_EQ(w.keys[0], "p:b");
    ASSERT_EQ(w.expired, 2);
    ASSERT(w.sorted);
    ASSERT_EQ(store_size(s), 3);
    ASSERT_OK(store__check(s));
    store_free(s);
}

/* Bytes per key of the index at 200k keys in a store of 16 shards,
 * random order (loaded in order it is about 8). */
TEST(index_memory_per_key)
{
    enum { N = 200000 };
    struct store *s = store_new(16);
    char k[32];
    uint64_t x = 3;
    for (long i = 0; i < N; i++) {
        snprintf(k, sizeof k, "key:%09lu",
                 (unsigned long)(lcg(&x) % 1000000000));
        set(s, k, "v", STORE_NO_TTL, T0);
    }
    double per = (double)store_prefix_mem_usage(s) / (double)store_size(s);
    printf("     prefix index: %.1f bytes/key at %zu keys (random order)\n",
           per, store_size(s));
    ASSERT(per < 16.0);
    store_free(s);
}

/* ---- Bulk building (prefix_build.c) ---------------------------------------- */

/* Key number i of a set made to test the sort; writes it to k (400
 * bytes), returns its length. Short keys, keys that share 40 or 300
 * bytes, 16 or 32 bytes then up to 3 bytes that may be zero, zero bytes
 * only (the empty key too), and short keys of bytes 0 to 3. */
static size_t bulk_key(unsigned i, uint64_t *x, char *k)
{
    size_t n;
    switch (i % 6) {
    case 0:
        return (size_t)snprintf(k, 400, "k:%u",
                                (unsigned)(lcg(x) % 100000));
    case 1:
        return (size_t)snprintf(k, 400, "tenant:acme:session:0123456789"
                                "abcdefghij:%u", (unsigned)(lcg(x) % 100000));
    case 2:
        n = lcg(x) & 1 ? 16 : 32;
        memset(k, 'p', n);
        for (size_t m = lcg(x) % 4; m > 0; m--)
            k[n++] = lcg(x) & 1 ? 'q' : 0;
        return n;
    case 3:
        n = lcg(x) % 41;
        memset(k, 0, n);
        return n;
    case 4:
        memset(k, 'L', 300);
        return 300 + (size_t)snprintf(k + 300, 100, "%u",
                                      (unsigned)(lcg(x) % 1000));
    default:
        n = 1 + lcg(x) % 20;
        for (size_t m = 0; m < n; m++)
            k[m] = (char)(lcg(x) % 4);
        return n;
    }
}

struct keylist {
    char **k;
    size_t *len, n, cap;
};

static void keylist_add(void *ctx, const struct store_entry *e)
{
    struct keylist *l = ctx;
    size_t klen;
    const char *k = store_entry_key(e, &klen);
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 1024;
        l->k = realloc(l->k, l->cap * sizeof *l->k);
        l->len = realloc(l->len, l->cap * sizeof *l->len);
    }
    l->k[l->n] = malloc(klen + 1);
    memcpy(l->k[l->n], k, klen);
    l->len[l->n++] = klen;
}

static void keylist_free(struct keylist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->k[i]);
    free(l->k);
    free(l->len);
}

/* Every key of s in the order a prefix scan of "" gives. */
static void all_keys(struct store *s, struct keylist *l)
{
    uint64_t cur = 0;
    memset(l, 0, sizeof *l);
    do
        cur = store_scan_prefix(s, "", 0, cur, 1000, keylist_add, l);
    while (cur != 0);
}

/* The same changes to a (indexed one key at a time) and b (deferred,
 * then built, with keys from before the deferral too, as DEBUG RELOAD
 * MERGE has them): overwrites, TTLs, deletes and resizes meanwhile. Both
 * pass store__check and list the same keys in the same order. */
TEST(bulk_build_matches_inserts)
{
    struct store *a = store_new(4), *b = store_new(4);
    uint64_t x = 11;
    char k[400];
    for (unsigned i = 0; i < 30000; i++) {
        if (i == 1000)
            store_index_defer(b);
        size_t n = bulk_key(i, &x, k);
        unsigned r = (unsigned)(lcg(&x) % 10);
        for (int j = 0; j < 2; j++) {
            struct store *s = j ? b : a;
            if (r < 7)
                ASSERT_OK(store_key_set(s, k, n, K("v"), STORE_NO_TTL, T0));
            else if (r == 7)
                ASSERT_OK(store_key_set(s, k, n, K("a longer value"),
                                        T0 + 100000, T0));
            else if (r == 8)
                store_key_delete(s, k, n, T0);
            else {
                struct store_entry *e = store_key_find(s, k, n, T0);
                if (e)
                    ASSERT(store_str_resize(s, &e, 30) != NULL);
            }
        }
    }
    ASSERT_OK(store__check(b));
    ASSERT_EQ(store_index_build(b), STORE_OK);
    ASSERT_OK(store__check(a));
    ASSERT_OK(store__check(b));
    struct keylist la, lb;
    all_keys(a, &la);
    all_keys(b, &lb);
    ASSERT_EQ(la.n, store_size(a));
    ASSERT_EQ(lb.n, la.n);
    for (size_t i = 0; i < la.n; i++) {
        ASSERT_EQ(lb.len[i], la.len[i]);
        ASSERT(memcmp(lb.k[i], la.k[i], la.len[i]) == 0);
    }
    keylist_free(&la);
    keylist_free(&lb);
    /* Built, the index follows changes one at a time again. */
    for (unsigned i = 0; i < 3000; i++) {
        size_t n = bulk_key(i, &x, k);
        if (i & 1)
            store_key_delete(b, k, n, T0);
        else
            ASSERT_OK(store_key_set(b, k, n, K("v"), STORE_NO_TTL, T0));
    }
    ASSERT_OK(store__check(b));
    store_free(a);
    store_free(b);
}

/* A build that runs out of memory at any allocation says so, and a
 * store_clear leaves an empty store that indexes keys as usual. */
TEST(bulk_build_nomem)
{
    char k[400];
    for (unsigned long f = 1;; f++) {
        struct store *s = store_new(4);
        uint64_t x = 5;
        store_index_defer(s);
        for (unsigned i = 0; i < 3000; i++) {
            size_t n = bulk_key(i, &x, k);
            ASSERT_OK(store_key_set(s, k, n, K("v"), STORE_NO_TTL, T0));
        }
        store_set_fail_after(s, f);
        int rc = store_index_build(s);
        store_set_fail_after(s, 0);
        if (rc == STORE_OK) {
            ASSERT_OK(store__check(s));
            store_free(s);
            ASSERT(f > 4);     /* each shard's records, dir, chunks */
            break;
        }
        ASSERT_EQ(rc, STORE_NOMEM);
        store_clear(s);
        ASSERT_OK(store__check(s));
        ASSERT_OK(store_key_set(s, K("after"), K("v"), STORE_NO_TTL, T0));
        ASSERT_OK(store__check(s));
        store_free(s);
        ASSERT(f < 1000);
    }
}

static const struct unit_test tests[] = {
    UNIT(literal_len),
    UNIT(ordered_ranges),
    UNIT(index_follows_every_change),
    UNIT(property_scan_under_churn),
    UNIT(stale_cursor_falls_back),
    UNIT(resume_point_nomem),
    UNIT(expired_keys_visited_not_removed),
    UNIT(index_memory_per_key),
    UNIT(bulk_build_matches_inserts),
    UNIT(bulk_build_nomem),
};

int main(void)
{
    return unit_run(tests, UNIT_COUNT(tests));
}
