/* test_hashset.c - unit tests for store/coll.c: hashes and sets in both
 * encodings, the compact-to-table conversion, random operations checked
 * against a simple model, HSCAN's guarantee across resizes, random
 * members, and the object lifecycle through the keyspace (overwrite by a
 * string, delete, expiry, FLUSHDB, COPY deep copies, RENAME and MOVE keep
 * the object) with store__check's memory accounting after each step.
 * Prints a memory-per-element figure for small hashes and sets. */
#include <stdio.h>
#include <stdlib.h>

#include "store/store.h"
#include "store/store_int.h"
#include "tests/unit/unit.h"

#define K(lit) (lit), (sizeof(lit) - 1)
#define T0 INT64_C(1700000000000)

/* The number after the one-letter prefix of a view's field. */
static int num(const struct store_coll_view *v)
{
    int n = 0;
    for (size_t i = 1; i < v->flen; i++)
        n = n * 10 + (v->f[i] - '0');
    return n;
}

static struct store_coll *open_c(struct store *s, const char *key,
                                 enum store_type t, int create)
{
    struct store_coll *c = NULL;
    int rc = store_coll_open(s, key, strlen(key), t, create, T0, &c);
    return rc == STORE_OK ? c : NULL;
}

static int put(struct store *s, struct store_coll *c, const char *f,
               const char *v)
{
    return store_coll_put(s, c, f, strlen(f), v, v ? strlen(v) : 0, 0);
}

/* ---- Basics -------------------------------------------------------------- */

TEST(hash_basic)
{
    struct store *s = store_new(4);
    struct store_coll *h = open_c(s, "h", STORE_T_HASH, 1);
    ASSERT(h != NULL);
    ASSERT_EQ(store_entry_type(store_key_find(s, K("h"), T0)), STORE_T_HASH);
    ASSERT_EQ(put(s, h, "a", "1"), 1);
    ASSERT_EQ(put(s, h, "b", "22"), 1);
    ASSERT_EQ(put(s, h, "a", "333"), 0);
    ASSERT_EQ(store_coll_put(s, h, K("a"), K("x"), 1), 0);
    struct store_coll_view v;
    ASSERT(store_coll_get(h, K("a"), &v));
    ASSERT_MEM_EQ(v.v, v.vlen, "333");
    ASSERT(!store_coll_get(h, K("zz"), NULL));
    ASSERT_EQ(store_coll_len(h), 2);
    ASSERT(store_coll_is_compact(h));
    ASSERT_EQ(store_coll_del(s, h, K("a")), 1);
    ASSERT_EQ(store_coll_del(s, h, K("a")), 0);
    ASSERT_EQ(store_coll_len(h), 1);
    ASSERT_OK(store__check(s));
    /* Wrong type both ways. */
    struct store_coll *x;
    ASSERT_EQ(store_coll_open(s, K("h"), STORE_T_SET, 1, T0, &x),
              STORE_WRONGTYPE);
    ASSERT_OK(store_key_set(s, K("str"), K("v"), STORE_NO_TTL, T0));
    ASSERT_EQ(store_coll_open(s, K("str"), STORE_T_HASH, 0, T0, &x),
              STORE_WRONGTYPE);
    store_free(s);
}

TEST(set_basic)
{
    struct store *s = store_new(1);
    struct store_coll *c = open_c(s, "s", STORE_T_SET, 1);
    ASSERT_EQ(put(s, c, "m", "ignored"), 1);
    ASSERT_EQ(put(s, c, "m", NULL), 0);
    ASSERT_EQ(put(s, c, "", NULL), 1);
    struct store_coll_view v;
    ASSERT(store_coll_get(c, "", 0, &v));
    ASSERT_EQ(v.vlen, 0);
    ASSERT(store_coll_get(c, K("m"), &v));
    ASSERT_EQ(v.vlen, 0);
    ASSERT_EQ(store_coll_len(c), 2);
    ASSERT_OK(store__check(s));
    store_free(s);
}

/* Conversion by count, by field length and by value length. */
TEST(conversion)
{
    /* hash-max-listpack-entries 128, -value 64 (the default). */
    struct store *s = STORE_WITH_LIMITS(.hash_entries = 128);
    struct store_coll *h = open_c(s, "h", STORE_T_HASH, 1);
    char f[32];
    for (int i = 0; i < 128; i++) {
        snprintf(f, sizeof f, "f%d", i);
        ASSERT_EQ(put(s, h, f, f), 1);
    }
    ASSERT(store_coll_is_compact(h));
    ASSERT_EQ(put(s, h, "one-more", "x"), 1);
    ASSERT(!store_coll_is_compact(h));
    ASSERT_EQ(store_coll_len(h), 129);
    for (int i = 0; i < 128; i++) {
        snprintf(f, sizeof f, "f%d", i);
        struct store_coll_view v;
        ASSERT(store_coll_get(h, f, strlen(f), &v));
        ASSERT(v.vlen == strlen(f) && memcmp(v.v, f, v.vlen) == 0);
    }
    ASSERT_OK(store__check(s));

    char big[65];
    memset(big, 'x', 64);
    big[64] = '\0';
    struct store_coll *h2 = open_c(s, "h2", STORE_T_HASH, 1);
    ASSERT_EQ(put(s, h2, "a", "small"), 1);
    ASSERT_EQ(put(s, h2, "a", big), 0);      /* 64 bytes: still compact */
    ASSERT(store_coll_is_compact(h2));
    big[63] = 'y';
    char big65[66];
    memcpy(big65, big, 64);
    big65[64] = 'z';
    big65[65] = '\0';
    ASSERT_EQ(put(s, h2, "a", big65), 0);    /* 65 bytes: table */
    ASSERT(!store_coll_is_compact(h2));
    struct store_coll_view v;
    ASSERT(store_coll_get(h2, K("a"), &v));
    ASSERT_EQ(v.vlen, 65);

    struct store_coll *s3 = open_c(s, "s3", STORE_T_SET, 1);
    ASSERT_EQ(put(s, s3, big65, NULL), 1);   /* long member: table */
    ASSERT(!store_coll_is_compact(s3));
    ASSERT_OK(store__check(s));
    store_free(s);
}

/* ---- Random operations against a model ----------------------------------- */

#define NF 300

TEST(random_model)
{
    srand(7);
    for (int t = STORE_T_HASH; t <= STORE_T_SET; t++) {
        struct store *s = store_new(2);
        struct store_coll *c = open_c(s, "k", (enum store_type)t, 1);
        int model[NF];                 /* -1: absent, else value number */
        for (int i = 0; i < NF; i++)
            model[i] = -1;
        size_t n = 0;
        for (int op = 0; op < 20000; op++) {
            int i = rand() % (op < 10000 ? NF : 40);   /* grow, then shrink */
            char f[16], v[16];
            snprintf(f, sizeof f, "f%d", i);
            int val = rand() % 1000;
            snprintf(v, sizeof v, "%d", val);
            int r = rand() % 3;
            if (op >= 10000)
                r = rand() % 4 ? 1 : 0;
            if (r == 0) {
                int rc = put(s, c, f, v);
                ASSERT_EQ(rc, model[i] < 0);
                n += model[i] < 0;
                model[i] = t == STORE_T_HASH ? val : 0;
            } else if (r == 1) {
                for (int k = 0; k < NF; k += 1 + rand() % 7) {
                    snprintf(f, sizeof f, "f%d", k);
                    int rc = store_coll_del(s, c, f, strlen(f));
                    ASSERT_EQ(rc, model[k] >= 0);
                    n -= model[k] >= 0;
                    model[k] = -1;
                }
            } else {
                struct store_coll_view w;
                int got = store_coll_get(c, f, strlen(f), &w);
                ASSERT_EQ(got, model[i] >= 0);
                if (got && t == STORE_T_HASH) {
                    snprintf(v, sizeof v, "%d", model[i]);
                    ASSERT(w.vlen == strlen(v) && !memcmp(w.v, v, w.vlen));
                }
            }
            ASSERT_EQ(store_coll_len(c), n);
            if (op % 200 == 0)
                ASSERT_OK(store__check(s));
        }
        /* Iteration visits exactly the model's fields. */
        size_t seen = 0;
        struct store_coll_it it = { 0, NULL };
        struct store_coll_view w;
        while (store_coll_next(c, &it, &w)) {
            int k = num(&w);
            ASSERT(model[k] >= 0);
            seen++;
        }
        ASSERT_EQ(seen, n);
        ASSERT_OK(store__check(s));
        store_free(s);
    }
}

/* ---- Scan, random members ------------------------------------------------ */

struct seen {
    unsigned char hit[2000];
};

static void on_scan(void *ctx, const struct store_coll_view *v)
{
    struct seen *s = ctx;
    int k = num(v);
    if (k >= 0 && k < 2000)
        s->hit[k] = 1;
}

/* Adds (add set) or deletes members "m<from>".."m<to - 1>" of c; deletes
 * go from the last one down. */
static void members(struct store *s, struct store_coll *c, int from, int to,
                    int add)
{
    char f[16];
    for (int i = from; i < to; i++) {
        snprintf(f, sizeof f, "m%d", add ? i : to - 1 - (i - from));
        if (add)
            put(s, c, f, NULL);
        else
            store_coll_del(s, c, f, strlen(f));
    }
}

/* A set "s" of members m0..m499, for the scans below. */
static struct store_coll *scan_set(struct store *s, struct seen *seen)
{
    memset(seen, 0, sizeof *seen);
    struct store_coll *c = open_c(s, "s", STORE_T_SET, 1);
    members(s, c, 0, 500, 1);
    return c;
}

/* Elements present for the whole scan are returned even when the table
 * grows and shrinks between calls. */
TEST(scan_across_resizes)
{
    struct store *s = store_new(1);
    struct seen seen;
    struct store_coll *c = scan_set(s, &seen);
    uint64_t cur = 0;
    int step = 0;
    do {
        cur = store_coll_scan(c, cur, 3, on_scan, &seen);
        step++;
        if (step == 20)              /* grow: 1000 more */
            members(s, c, 1000, 2000, 1);
        if (step == 200)             /* shrink: drop them again */
            members(s, c, 1000, 2000, 0);
    } while (cur != 0);
    for (int i = 0; i < 500; i++)
        ASSERT(seen.hit[i]);
    ASSERT_OK(store__check(s));
    store_free(s);
}

/* The same while the table is mid-rehash at every call: a few inserts
 * (then deletes) between scan steps keep an incremental rehash going. */
TEST(scan_during_rehash)
{
    struct store *s = store_new(1);
    struct seen seen;
    struct store_coll *c = scan_set(s, &seen);
    uint64_t cur = 0;
    int step = 0, next = 1000, rehashing_seen = 0;
    do {
        cur = store_coll_scan(c, cur, 2, on_scan, &seen);
        step++;
        if (step < 200 && next < 2000) {            /* five more */
            members(s, c, next, next + 5, 1);
            next += 5;
        } else if (step >= 200 && next > 1000) {    /* five fewer */
            members(s, c, next - 5, next, 0);
            next -= 5;
        }
        rehashing_seen += store__coll_rehashing(c);
        if (step % 50 == 0)
            ASSERT_OK(store__check(s));
    } while (cur != 0);
    for (int i = 0; i < 500; i++)
        ASSERT(seen.hit[i]);
    ASSERT(rehashing_seen > 0);
    ASSERT_OK(store__check(s));
    store_free(s);
}

/* Pearson's chi-square of 200 draws a member of c's n members "m<i>"
 * against equal odds: about n - 1 for fair draws (sd sqrt(2 (n - 1)),
 * 45 for 1000). Taking any non-empty bucket's chain with equal odds gave
 * about 45000 for 1000 members. */
static double chi_square(struct store *s, const struct store_coll *c, int n)
{
    int *hits = calloc((size_t)n, sizeof *hits);
    double chi = 0;
    store_set_seed(s, 42);
    for (int i = 0; i < 200 * n; i++) {
        struct store_coll_view v;
        store_coll_random(s, c, &v);
        hits[num(&v)]++;
    }
    for (int i = 0; i < n; i++)
        chi += (hits[i] - 200.0) * (hits[i] - 200.0) / 200.0;
    free(hits);
    return chi;
}

TEST(random_members)
{
    struct store *s = store_new(1);
    for (int big = 0; big < 2; big++) {
        struct store_coll *c = open_c(s, big ? "b" : "a", STORE_T_SET, 1);
        int n = big ? 1000 : 10;
        char f[16];
        for (int i = 0; i < n; i++) {
            snprintf(f, sizeof f, "m%d", i);
            put(s, c, f, NULL);
        }
        int hits[1000] = { 0 };
        for (int i = 0; i < 20 * n; i++) {
            struct store_coll_view v;
            store_coll_random(s, c, &v);
            hits[num(&v)]++;
        }
        int distinct = 0;
        for (int i = 0; i < n; i++)
            distinct += hits[i] > 0;
        ASSERT(distinct > n * 9 / 10);
        if (big)
            ASSERT(chi_square(s, c, n) < 1200);
        /* 10 of 10 lists them all; k of 1000 (k <= 250) draws. */
        for (int k = 10; k <= (big ? 250 : 10); k += 240) {
            struct store_coll_view out[250];
            ASSERT_OK(store_coll_sample(s, c, (size_t)k, out));
            int seen[1000] = { 0 };
            for (int i = 0; i < k; i++) {
                ASSERT(store_coll_get(c, out[i].f, out[i].flen, NULL));
                ASSERT(!seen[num(&out[i])]++);
            }
        }
    }
    store_free(s);
}

/* ---- Lifecycle through the keyspace -------------------------------------- */

static struct store_coll *filled(struct store *s, const char *key, int n)
{
    struct store_coll *c = open_c(s, key, STORE_T_HASH, 1);
    char f[16];
    for (int i = 0; i < n; i++) {
        snprintf(f, sizeof f, "f%d", i);
        put(s, c, f, "value");
    }
    return c;
}

TEST(lifecycle)
{
    struct store *s = store_new(4), *d = store_new(4);
    size_t empty = store_mem_usage(s);
    filled(s, "a", 5);
    filled(s, "b", 500);
    ASSERT_OK(store__check(s));
    /* A string replaces a hash: the object is freed. */
    ASSERT_OK(store_key_set(s, K("a"), K("str"), STORE_NO_TTL, T0));
    ASSERT_OK(store__check(s));
    /* COPY deep-copies: changing the copy leaves the source alone. */
    ASSERT_OK(store_key_copy(s, K("b"), s, K("b2"), T0));
    struct store_coll *b2 = open_c(s, "b2", STORE_T_HASH, 0);
    ASSERT(b2 && store_coll_len(b2) == 500);
    store_coll_del(s, b2, K("f1"));
    ASSERT_EQ(store_coll_len(open_c(s, "b", STORE_T_HASH, 0)), 500);
    ASSERT_OK(store__check(s));
    /* RENAME keeps the object, to a longer key too. */
    struct store_coll *bp = open_c(s, "b", STORE_T_HASH, 0);
    ASSERT_OK(store_key_rename(s, K("b"), s, K("renamed-b"), T0));
    ASSERT(open_c(s, "renamed-b", STORE_T_HASH, 0) == bp);
    ASSERT_OK(store__check(s));
    /* MOVE to another store moves the object and its accounting. */
    ASSERT_OK(store_key_rename(s, K("renamed-b"), d, K("renamed-b"), T0));
    ASSERT(open_c(d, "renamed-b", STORE_T_HASH, 0) == bp);
    ASSERT_OK(store__check(s));
    ASSERT_OK(store__check(d));
    ASSERT_OK(store_key_copy(d, K("renamed-b"), s, K("c"), T0));
    ASSERT_OK(store__check(s));
    ASSERT_OK(store__check(d));
    /* Expiry frees the object. */
    filled(s, "ttl", 300);
    ASSERT_OK(store_key_expire_set(s, K("ttl"), T0 + 10, T0));
    ASSERT_OK(store__check(s));
    ASSERT(open_c(s, "ttl", STORE_T_HASH, 0) != NULL);
    ASSERT(store_key_find(s, K("ttl"), T0 + 11) == NULL);
    ASSERT_OK(store__check(s));
    /* Delete and FLUSHDB free everything. */
    ASSERT_EQ(store_key_delete(s, K("c"), T0), 1);
    ASSERT_OK(store__check(s));
    filled(s, "x", 50);
    store_clear(s);
    ASSERT_OK(store__check(s));
    ASSERT(store_mem_usage(s) <= empty + 4096);
    /* A collection from store_coll_new given to a key. */
    struct store_coll *n = store_coll_new(s, STORE_T_SET);
    put(s, n, "m", NULL);
    ASSERT_OK(store_key_set_obj(s, K("new"), STORE_T_SET, n, T0));
    ASSERT_EQ(store_entry_type(store_key_find(s, K("new"), T0)), STORE_T_SET);
    ASSERT_OK(store__check(s));
    store_free(s);
    store_free(d);              /* ASan checks nothing leaked */
}

/* The limits come from store_set_limits, per type, clamped. */
TEST(limits)
{
    struct store *s = store_new(1);
    ASSERT_EQ(store_get_limits(s)->hash_entries, 512);
    ASSERT_EQ(store_get_limits(s)->set_entries, 128);
    struct store_limits l = STORE_LIMITS_DEFAULT;
    l.hash_entries = 4;
    l.set_value = 3;
    l.zset_entries = 1000000;
    store_set_limits(s, &l);
    ASSERT_EQ(store_get_limits(s)->zset_entries, STORE_COMPACT_MAX);
    struct store_coll *h = open_c(s, "h", STORE_T_HASH, 1);
    for (int i = 0; i < 4; i++) {
        char f[16];
        snprintf(f, sizeof f, "f%d", i);
        ASSERT_EQ(put(s, h, f, "v"), 1);
    }
    ASSERT(store_coll_is_compact(h));
    ASSERT_EQ(put(s, h, "f4", "v"), 1);
    ASSERT(!store_coll_is_compact(h));
    struct store_coll *m = open_c(s, "m", STORE_T_SET, 1);
    ASSERT_EQ(put(s, m, "abc", NULL), 1);
    ASSERT(store_coll_is_compact(m));
    ASSERT_EQ(put(s, m, "abcd", NULL), 1);    /* over set_value */
    ASSERT(!store_coll_is_compact(m));
    /* Lowering a limit leaves bigger compact ones consistent. */
    struct store_coll *h2 = open_c(s, "h2", STORE_T_HASH, 1);
    for (int i = 0; i < 3; i++) {
        char f[16];
        snprintf(f, sizeof f, "g%d", i);
        ASSERT_EQ(put(s, h2, f, "v"), 1);
    }
    l.hash_entries = 1;
    store_set_limits(s, &l);
    ASSERT(store_coll_is_compact(h2));
    ASSERT_OK(store__check(s));
    ASSERT_EQ(put(s, h2, "g9", "v"), 1);
    ASSERT(!store_coll_is_compact(h2));
    ASSERT_OK(store__check(s));
    store_free(s);
}

/* Allocation failures leave the collection's contents as they were. */
TEST(fault_injection)
{
    struct store *s = STORE_WITH_LIMITS(.hash_entries = 128);
    struct store_coll *c = filled(s, "h", 128);
    int rc;
    /* The contents stay; the encoding may already be a table. */
    FAULT_LOOP(s, 200, rc, put(s, c, "extra-field", "v"), 1,
               ASSERT_EQ(store_coll_len(c), 128);
               ASSERT(!store_coll_get(c, K("extra-field"), NULL)););
    ASSERT_EQ(store_coll_len(c), 129);
    store_free(s);
}

/* Hashes of n fields "field0".. with 9-byte values. */
static void fill_fields(struct store *s, const char *key, int n)
{
    struct store_coll *c = open_c(s, key, STORE_T_HASH, 1);
    char f[32];
    for (int i = 0; i < n; i++) {
        snprintf(f, sizeof f, "field%d", i);
        put(s, c, f, "value-123");
    }
}

/* Memory per element of small collections (compared in the report with
 * Redis's used_memory figures). */
TEST(memory_figure)
{
    ASSERT(unit_mem_figure("hash", 1000, 10, fill_fields,
                           "1000 hashes x 10 fields (field6..7 / 9-byte "
                           "values)") < 60);
}

static const struct unit_test tests[] = {
    UNIT(hash_basic),
    UNIT(set_basic),
    UNIT(conversion),
    UNIT(random_model),
    UNIT(scan_across_resizes),
    UNIT(scan_during_rehash),
    UNIT(random_members),
    UNIT(lifecycle),
    UNIT(limits),
    UNIT(fault_injection),
    UNIT(memory_figure),
};

int main(void)
{
    return unit_run(tests, UNIT_COUNT(tests));
}
