/* test_zset.c - unit tests for store/zset.c: sorted sets in both
 * encodings, the compact-to-skip-list conversion, ZADD's flags, random
 * operations checked against a sorted model array (ranks, rank / score /
 * lex ranges both ways, counts, range deletion), ZSCAN's guarantee, the
 * object lifecycle through the keyspace (COPY, RENAME, expiry, FLUSHDB)
 * with store__check after each step, and fault injection. Prints a
 * memory-per-member figure for small and large sets. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "store/store.h"
#include "store/store_int.h"
#include "tests/unit/unit.h"

#define K(lit) (lit), (sizeof(lit) - 1)
#define T0 INT64_C(1700000000000)

static struct store_zset *open_z(struct store *s, const char *key,
                                 int create)
{
    return unit_obj(s, key, STORE_T_ZSET, create, T0);
}

static int add(struct store *s, struct store_zset *z, const char *m,
               double score, int flags)
{
    double out;
    return store_zset_add(s, z, m, strlen(m), score, flags, &out);
}

/* Adds n members fmt formatted with i (one %d), scored i * step, to the
 * set of key (made if missing). */
static struct store_zset *filled_with(struct store *s, const char *key,
                                      const char *fmt, double step, int n)
{
    struct store_zset *z = open_z(s, key, 1);
    char m[32];
    for (int i = 0; i < n; i++) {
        snprintf(m, sizeof m, fmt, i);
        add(s, z, m, i * step, 0);
    }
    return z;
}

/* A set of n members "m0".."m<n-1>", member i scored i / 2. */
static struct store_zset *filled(struct store *s, const char *key, int n)
{
    return filled_with(s, key, "m%d", 0.5, n);
}

/* ---- Basics -------------------------------------------------------------- */

TEST(basic)
{
    struct store *s = store_new(4);
    struct store_zset *z = open_z(s, "z", 1);
    ASSERT(z != NULL);
    ASSERT_EQ(add(s, z, "b", 2, 0), STORE_ZADD_ADDED);
    ASSERT_EQ(add(s, z, "a", 1, 0), STORE_ZADD_ADDED);
    ASSERT_EQ(add(s, z, "c", 3.5, 0), STORE_ZADD_ADDED);
    ASSERT_EQ(add(s, z, "a", 1, 0), STORE_ZADD_SAME);
    ASSERT_EQ(add(s, z, "a", 10, 0), STORE_ZADD_UPDATED);
    ASSERT_EQ(store_zset_len(z), 3);
    double d;
    ASSERT(store_zset_score(z, K("a"), &d) && d == 10);
    ASSERT(store_zset_score(z, K("c"), &d) && d == 3.5);
    ASSERT(!store_zset_score(z, K("x"), &d));
    size_t r;
    ASSERT(store_zset_rank(z, K("a"), 0, &r) && r == 2);
    ASSERT(store_zset_rank(z, K("a"), 1, &r) && r == 0);
    ASSERT(!store_zset_rank(z, K("x"), 0, &r));
    /* Flags. */
    ASSERT_EQ(add(s, z, "a", 5, STORE_ZADD_NX), STORE_ZADD_NOP);
    ASSERT_EQ(add(s, z, "n", 5, STORE_ZADD_XX), STORE_ZADD_NOP);
    ASSERT_EQ(add(s, z, "a", 5, STORE_ZADD_GT), STORE_ZADD_NOP);
    ASSERT_EQ(add(s, z, "a", 11, STORE_ZADD_GT), STORE_ZADD_UPDATED);
    ASSERT_EQ(add(s, z, "a", 12, STORE_ZADD_LT), STORE_ZADD_NOP);
    ASSERT_EQ(add(s, z, "g", 1, STORE_ZADD_GT), STORE_ZADD_ADDED);
    double out;
    ASSERT_EQ(store_zset_add(s, z, K("a"), 1, STORE_ZADD_INCR, &out),
              STORE_ZADD_UPDATED);
    ASSERT(out == 12);
    ASSERT_EQ(add(s, z, "i", INFINITY, 0), STORE_ZADD_ADDED);
    ASSERT_EQ(store_zset_add(s, z, K("i"), -INFINITY, STORE_ZADD_INCR,
                             &out), STORE_ZADD_NAN);
    ASSERT_EQ(add(s, z, "x", NAN, 0), STORE_ZADD_NAN);
    ASSERT_EQ(store_zset_del(s, z, K("a")), 1);
    ASSERT_EQ(store_zset_del(s, z, K("a")), 0);
    ASSERT(store_zset_is_compact(z));
    ASSERT_OK(store__check(s));
    store_free(s);
}

/* Scores of every kind survive the compact encoding's integer packing. */
TEST(compact_scores)
{
    struct store *s = store_new(1);
    struct store_zset *z = open_z(s, "z", 1);
    double v[] = { 0, 1, -1, -16, -17, 230, 231, 127, 128, -128, -129, 255,
                   256, 65535, 65536, -65537, 1e15, -1e15, 9007199254740991.0,
                   9007199254740992.0, 1e300, 0.5, -0.25, 1.1, INFINITY,
                   -INFINITY, 4294967296.0, -2147483649.0 };
    size_t n = sizeof v / sizeof v[0];
    for (size_t i = 0; i < n; i++) {
        char m[16];
        snprintf(m, sizeof m, "m%zu", i);
        ASSERT_EQ(add(s, z, m, v[i], 0), STORE_ZADD_ADDED);
    }
    ASSERT(store_zset_is_compact(z));
    for (size_t i = 0; i < n; i++) {
        char m[16];
        double d;
        snprintf(m, sizeof m, "m%zu", i);
        ASSERT(store_zset_score(z, m, strlen(m), &d));
        ASSERT(d == v[i]);
    }
    ASSERT_OK(store__check(s));
    store_free(s);
}

/* Past 128 members or a 64-byte member the set becomes a skip list. */
TEST(conversion)
{
    struct store *s = store_new(1);
    struct store_zset *z = open_z(s, "z", 1);
    char m[16];
    for (int i = 0; i < 128; i++) {
        snprintf(m, sizeof m, "m%03d", i);
        ASSERT_EQ(add(s, z, m, 127 - i, 0), STORE_ZADD_ADDED);
    }
    ASSERT(store_zset_is_compact(z));
    ASSERT_EQ(add(s, z, "extra", 0.5, 0), STORE_ZADD_ADDED);
    ASSERT(!store_zset_is_compact(z));
    ASSERT_EQ(store_zset_len(z), 129);
    size_t r;
    ASSERT(store_zset_rank(z, K("m127"), 0, &r) && r == 0);
    ASSERT(store_zset_rank(z, K("extra"), 0, &r) && r == 1);
    ASSERT(store_zset_rank(z, K("m000"), 0, &r) && r == 128);
    ASSERT_OK(store__check(s));
    struct store_zset *y = open_z(s, "y", 1);
    add(s, y, "short", 1, 0);
    char big[80];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ASSERT_EQ(add(s, y, big, 2, 0), STORE_ZADD_ADDED);
    ASSERT(!store_zset_is_compact(y));
    ASSERT_OK(store__check(s));
    /* Limits from the store. */
    struct store_limits l = STORE_LIMITS_DEFAULT;
    l.zset_entries = 2;
    l.zset_value = 200;
    store_set_limits(s, &l);
    struct store_zset *w = open_z(s, "w", 1);
    memset(big, 'y', 79);
    add(s, w, big, 1, 0);
    add(s, w, "b", 2, 0);
    ASSERT(store_zset_is_compact(w));
    add(s, w, "c", 3, 0);
    ASSERT(!store_zset_is_compact(w));
    ASSERT_OK(store__check(s));
    store_free(s);
}

/* expand / fit: to a skip list and back, -0 kept only by the skip list. */
TEST(expand_and_fit)
{
    struct store *s = store_new(1);
    struct store_zset *z = store_zset_new(s);
    ASSERT_OK(store_zset_expand(s, z));
    ASSERT(!store_zset_is_compact(z));
    ASSERT_EQ(add(s, z, "neg0", -0.0, 0), STORE_ZADD_ADDED);
    ASSERT_EQ(add(s, z, "b", 2.5, 0), STORE_ZADD_ADDED);
    ASSERT_EQ(add(s, z, "a", 7, 0), STORE_ZADD_ADDED);
    double d;
    ASSERT(store_zset_score(z, K("neg0"), &d) && d == 0 && signbit(d));
    store_zset_fit(s, z);
    ASSERT(store_zset_is_compact(z));
    ASSERT(store_zset_score(z, K("neg0"), &d) && d == 0 && !signbit(d));
    ASSERT(store_zset_score(z, K("b"), &d) && d == 2.5);
    size_t r;
    ASSERT(store_zset_rank(z, K("a"), 0, &r) && r == 2);
    ASSERT_OK(store_key_set_obj(s, K("z"), STORE_T_ZSET, z, T0));
    ASSERT_OK(store__check(s));
    /* Too many members to fit: stays a skip list. */
    struct store_zset *y = store_zset_new(s);
    ASSERT_OK(store_zset_expand(s, y));
    char m[16];
    for (int i = 0; i < 200; i++) {
        snprintf(m, sizeof m, "m%d", i);
        add(s, y, m, i, 0);
    }
    store_zset_fit(s, y);
    ASSERT(!store_zset_is_compact(y));
    ASSERT_OK(store_key_set_obj(s, K("y"), STORE_T_ZSET, y, T0));
    ASSERT_OK(store__check(s));
    store_free(s);
}

/* A compact set with members over 127 bytes (two-byte lengths). */
TEST(long_members_compact)
{
    struct store *s = STORE_WITH_LIMITS(.zset_value = 1000);
    struct store_zset *z = open_z(s, "z", 1);
    char m[600];
    for (int i = 0; i < 20; i++) {
        memset(m, 'a' + i, sizeof m - 1);
        m[100 + i * 20] = '\0';
        ASSERT_EQ(add(s, z, m, i % 3 ? i * 1.5 : i, 0), STORE_ZADD_ADDED);
    }
    ASSERT(store_zset_is_compact(z));
    struct store_zset_it it;
    struct store_zset_view v;
    store_zset_seek(z, 0, 1, &it);
    int k = 0;
    double last = INFINITY;
    while (store_zset_next(z, &it, &v)) {
        ASSERT(v.score <= last);
        last = v.score;
        k++;
    }
    ASSERT_EQ(k, 20);
    ASSERT_OK(store__check(s));
    store_free(s);
}

/* ---- Random operations against a model ---------------------------------- */

struct model_el {
    char m[8];
    double score;
};

static int model_cmp(const void *a, const void *b)
{
    const struct model_el *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? -1 : 1;
    return strcmp(x->m, y->m);
}

static struct model_el model[400];
static size_t mlen_;

static long model_find(const char *m)
{
    for (size_t i = 0; i < mlen_; i++)
        if (strcmp(model[i].m, m) == 0)
            return (long)i;
    return -1;
}

/* Compares z with the sorted model, forwards, backwards and by rank. */
static int same_as_model(const struct store_zset *z)
{
    if (store_zset_len(z) != mlen_)
        return 0;
    struct store_zset_it it;
    struct store_zset_view v;
    store_zset_seek(z, 0, 0, &it);
    for (size_t i = 0; i < mlen_; i++) {
        if (!store_zset_next(z, &it, &v) || v.score != model[i].score ||
            v.mlen != strlen(model[i].m) ||
            memcmp(v.m, model[i].m, v.mlen) != 0)
            return 0;
    }
    if (store_zset_next(z, &it, &v))
        return 0;
    store_zset_seek(z, 0, 1, &it);
    for (size_t i = mlen_; i-- > 0;)
        if (!store_zset_next(z, &it, &v) || v.score != model[i].score)
            return 0;
    for (size_t i = 0; i < mlen_; i += 7) {
        size_t r;
        if (!store_zset_rank(z, model[i].m, strlen(model[i].m), 0, &r) ||
            r != i)
            return 0;
        store_zset_seek(z, i, 0, &it);
        if (!store_zset_next(z, &it, &v) || v.score != model[i].score)
            return 0;
        store_zset_seek(z, mlen_ - 1 - i, 1, &it);
        if (!store_zset_next(z, &it, &v) || v.score != model[i].score)
            return 0;
    }
    return 1;
}

/* Checks score ranges: first in range both ways and the count. */
static int ranges_ok(const struct store_zset *z, double a, double b,
                     int aex, int bex)
{
    struct store_zset_srange r = { a, b, aex, bex };
    size_t first = (size_t)-1, last = (size_t)-1, n = 0;
    for (size_t i = 0; i < mlen_; i++) {
        if (store_zset_srange_has(&r, model[i].score)) {
            if (first == (size_t)-1)
                first = i;
            last = i;
            n++;
        }
    }
    size_t rank;
    int got = store_zset_first_score(z, &r, 0, &rank);
    if (got != (n > 0) || (got && rank != first))
        return 0;
    got = store_zset_first_score(z, &r, 1, &rank);
    if (got != (n > 0) || (got && rank != mlen_ - 1 - last))
        return 0;
    return store_zset_count_score(z, &r) == n;
}

TEST(random_model)
{
    struct store *s = store_new(1);
    struct store_zset *z = open_z(s, "z", 1);
    srand(7);
    mlen_ = 0;
    for (int step = 0; step < 6000; step++) {
        int op = rand() % 10;
        char m[8];
        snprintf(m, sizeof m, "k%d", rand() % 300);
        double score = (double)(rand() % 50) / (rand() % 3 + 1);
        long at = model_find(m);
        if (op < 6) {
            double out;
            int rc = store_zset_add(s, z, m, strlen(m), score, 0, &out);
            if (at < 0) {
                ASSERT_EQ(rc, STORE_ZADD_ADDED);
                strcpy(model[mlen_].m, m);
                model[mlen_++].score = score;
            } else {
                ASSERT_EQ(rc, model[at].score == score ? STORE_ZADD_SAME
                                                       : STORE_ZADD_UPDATED);
                model[at].score = score;
            }
            qsort(model, mlen_, sizeof model[0], model_cmp);
        } else if (op < 8) {
            ASSERT_EQ(store_zset_del(s, z, m, strlen(m)), at >= 0);
            if (at >= 0) {
                model[at] = model[--mlen_];
                qsort(model, mlen_, sizeof model[0], model_cmp);
            }
        } else if (op < 9 && mlen_ > 0) {
            size_t a = (size_t)rand() % mlen_;
            size_t b = a + (size_t)rand() % 4;
            if (b >= mlen_)
                b = mlen_ - 1;
            ASSERT_EQ(store_zset_del_rank(s, z, a, b), b - a + 1);
            memmove(&model[a], &model[b + 1],
                    (mlen_ - b - 1) * sizeof model[0]);
            mlen_ -= b - a + 1;
        } else {
            double a = rand() % 30, b = a + rand() % 20 - 5;
            ASSERT(ranges_ok(z, a, b, rand() % 2, rand() % 2));
            ASSERT(ranges_ok(z, -INFINITY, a, 0, rand() % 2));
        }
        if (step % 97 == 0) {
            ASSERT(same_as_model(z));
            ASSERT_OK(store__check(s));
        }
        if (store_zset_len(z) == 0) {
            /* Keep the key: an empty set stays usable here. */
        }
    }
    ASSERT(same_as_model(z));
    ASSERT_OK(store__check(s));
    store_free(s);
}

/* Score changes that move members of a large skip list: to either side,
 * to a neighbour's place, onto tied scores (the member then decides the
 * order), and across the levels, checked against a model by rank and by
 * the invariant check (which follows every level's spans). */
struct move_el {
    int id;
    double score;
};

static int move_cmp(const void *a, const void *b)
{
    const struct move_el *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? -1 : 1;
    char mx[16], my[16];
    snprintf(mx, sizeof mx, "m%d", x->id);
    snprintf(my, sizeof my, "m%d", y->id);
    return strcmp(mx, my);
}

TEST(moves_model)
{
    enum { N = 2000 };
    static struct move_el sorted[N];
    static double score[N];
    struct store *s = store_new(1);
    struct store_zset *z = open_z(s, "z", 1);
    char m[16];
    srand(11);
    for (int i = 0; i < N; i++) {
        score[i] = rand() % 50;
        snprintf(m, sizeof m, "m%d", i);
        ASSERT_EQ(add(s, z, m, score[i], 0), STORE_ZADD_ADDED);
    }
    ASSERT(!store_zset_is_compact(z));
    for (int step = 1; step <= 20000; step++) {
        int i = rand() % N, kind = rand() % 4;
        double to = kind == 0 ? rand() % 50                  /* anywhere */
                  : kind == 1 ? score[i] + (rand() % 3 - 1)  /* nearby */
                  : kind == 2 ? score[rand() % N]            /* a tie */
                              : score[i] + 0.5 * (rand() % 2 ? 1 : -1);
        snprintf(m, sizeof m, "m%d", i);
        ASSERT_EQ(add(s, z, m, to, 0),
                  to == score[i] ? STORE_ZADD_SAME : STORE_ZADD_UPDATED);
        score[i] = to;
        if (step % 2000 != 0)
            continue;
        ASSERT_OK(store__check(s));
        for (int k = 0; k < N; k++)
            sorted[k] = (struct move_el){ k, score[k] };
        qsort(sorted, N, sizeof sorted[0], move_cmp);
        for (int k = 0; k < N; k++) {
            size_t r;
            snprintf(m, sizeof m, "m%d", sorted[k].id);
            ASSERT(store_zset_rank(z, m, strlen(m), 0, &r));
            ASSERT_EQ(r, (size_t)k);
        }
    }
    store_free(s);
}

/* Lex ranges over equal scores, both encodings. */
TEST(lex_ranges)
{
    for (int big = 0; big < 2; big++) {
        struct store *s = store_new(1);
        struct store_zset *z = open_z(s, "z", 1);
        int n = big ? 300 : 26;
        char m[16];
        for (int i = 0; i < n; i++) {
            snprintf(m, sizeof m, "%c%03d", 'a' + i % 26, i);
            add(s, z, m, 0, 0);
        }
        ASSERT_EQ(store_zset_is_compact(z), !big);
        struct store_zset_lrange all = { NULL, NULL, 0, 0, 1, 1, -1, 1 };
        ASSERT_EQ(store_zset_count_lex(z, &all), n);
        struct store_zset_lrange r = { "b", "d", 1, 1, 0, 1, 0, 0 };
        size_t want = 0;
        for (int i = 0; i < n; i++)
            if (i % 26 == 1 || i % 26 == 2)
                want++;
        ASSERT_EQ(store_zset_count_lex(z, &r), want);
        size_t rank;
        ASSERT(store_zset_first_lex(z, &r, 0, &rank));
        struct store_zset_it it;
        struct store_zset_view v;
        store_zset_seek(z, rank, 0, &it);
        ASSERT(store_zset_next(z, &it, &v) && v.m[0] == 'b');
        ASSERT(store_zset_first_lex(z, &r, 1, &rank));
        store_zset_seek(z, rank, 1, &it);
        ASSERT(store_zset_next(z, &it, &v) && v.m[0] == 'c');
        struct store_zset_lrange none = { NULL, NULL, 0, 0, 1, 1, 1, -1 };
        ASSERT_EQ(store_zset_count_lex(z, &none), 0);
        ASSERT(!store_zset_first_lex(z, &none, 0, &rank));
        store_free(s);
    }
}

/* ---- ZSCAN --------------------------------------------------------------- */

static void count_cb(void *ctx, const struct store_zset_view *v)
{
    unsigned char *seen = ctx;
    int i = 0;
    for (size_t k = 1; k < v->mlen; k++)
        i = i * 10 + (v->m[k] - '0');
    if (seen[i] < 255)
        seen[i]++;
}

TEST(scan_across_resizes)
{
    struct store *s = store_new(1);
    struct store_zset *z = filled(s, "z", 500);
    char m[16];
    unsigned char seen[2000] = { 0 };
    uint64_t cur = 0;
    int step = 0;
    do {
        cur = store_zset_scan(z, cur, 5, count_cb, seen);
        /* Grow then shrink while scanning. */
        if (step == 10)
            for (int i = 500; i < 1500; i++) {
                snprintf(m, sizeof m, "m%d", i);
                add(s, z, m, i, 0);
            }
        if (step == 40)
            for (int i = 500; i < 1500; i++) {
                snprintf(m, sizeof m, "m%d", i);
                store_zset_del(s, z, m, strlen(m));
            }
        step++;
    } while (cur);
    for (int i = 0; i < 500; i++)
        ASSERT(seen[i] >= 1);
    ASSERT_OK(store__check(s));
    store_free(s);
}

/* ---- Lifecycle, faults, memory ------------------------------------------- */

TEST(lifecycle)
{
    struct store *s = store_new(4), *d = store_new(4);
    filled(s, "a", 5);
    filled(s, "b", 500);
    ASSERT_OK(store__check(s));
    ASSERT_OK(store_key_set(s, K("a"), K("str"), STORE_NO_TTL, T0));
    ASSERT_OK(store__check(s));
    ASSERT_OK(store_key_copy(s, K("b"), s, K("b2"), T0));
    struct store_zset *b2 = open_z(s, "b2", 0);
    ASSERT(b2 && store_zset_len(b2) == 500);
    store_zset_del(s, b2, K("m1"));
    ASSERT_EQ(store_zset_len(open_z(s, "b", 0)), 500);
    ASSERT_OK(store__check(s));
    filled(s, "small", 10);
    ASSERT_OK(store_key_copy(s, K("small"), s, K("small2"), T0));
    ASSERT_EQ(store_zset_len(open_z(s, "small2", 0)), 10);
    ASSERT_OK(store__check(s));
    ASSERT_OK(store_key_rename(s, K("b"), d, K("moved"), T0));
    ASSERT_EQ(store_zset_len(open_z(d, "moved", 0)), 500);
    ASSERT_OK(store__check(s));
    ASSERT_OK(store__check(d));
    filled(s, "ttl", 300);
    ASSERT_OK(store_key_expire_set(s, K("ttl"), T0 + 10, T0));
    ASSERT(store_key_find(s, K("ttl"), T0 + 11) == NULL);
    ASSERT_OK(store__check(s));
    struct store_zset *n = store_zset_new(s);
    double out;
    store_zset_add(s, n, K("m"), 1, 0, &out);
    ASSERT_OK(store_key_set_obj(s, K("new"), STORE_T_ZSET, n, T0));
    ASSERT_EQ(store_entry_type(store_key_find(s, K("new"), T0)),
              STORE_T_ZSET);
    void *o;
    ASSERT_EQ(store_obj_open(s, K("new"), STORE_T_HASH, 0, T0, &o),
              STORE_WRONGTYPE);
    store_clear(s);
    ASSERT_OK(store__check(s));
    store_free(s);
    store_free(d);
}

/* Allocation failures leave the set's contents as they were. */
TEST(fault_injection)
{
    struct store *s = store_new(1);
    struct store_zset *z = filled(s, "z", 128);
    int rc;
    double d;
    FAULT_LOOP(s, 400, rc, add(s, z, "extra", 3.25, 0), STORE_ZADD_ADDED,
               ASSERT_EQ(store_zset_len(z), 128);
               ASSERT(!store_zset_score(z, K("extra"), &d)););
    ASSERT_EQ(store_zset_len(z), 129);
    /* Updates in a compact set that need to grow it: m2's integer score
     * takes no bytes, 1/3 takes 8, more than the block's slack. */
    struct store_zset *y = filled(s, "y", 10);
    int failed = 0;
    FAULT_LOOP(s, 10, rc, add(s, y, "m2", 1.0 / 3, 0), STORE_ZADD_UPDATED,
               ASSERT(store_zset_score(y, K("m2"), &d) && d == 1.0);
               failed++;);
    ASSERT(failed > 0);
    ASSERT(store_zset_score(y, K("m2"), &d) && d == 1.0 / 3);
    /* COPY under failures. */
    FAULT_LOOP(s, 400, rc, store_key_copy(s, K("z"), s, K("z2"), T0),
               STORE_OK, ASSERT(store_key_find(s, K("z2"), T0) == NULL););
    ASSERT_EQ(store_zset_len(open_z(s, "z2", 0)), 129);
    store_free(s);
}

/* Sets of n members "member0".. scored 0, 100, 200 ...: integers. */
static void fill_int_scores(struct store *s, const char *key, int n)
{
    filled_with(s, key, "member%d", 100, n);
}

/* Sets of n members "member:0".. scored 0, 1.5, 3 ...: floats. */
static void fill_float_scores(struct store *s, const char *key, int n)
{
    filled_with(s, key, "member:%d", 1.5, n);
}

TEST(memory_figure)
{
    ASSERT(unit_mem_figure("zset", 1000, 10, fill_int_scores,
                           "1000 zsets x 10 members (member0..9, integer "
                           "scores)") < 40);
    ASSERT(unit_mem_figure("big", 1, 100000, fill_float_scores,
                           "1 zset x 100000 members (member:N, float "
                           "scores)") < 100);
}

static const struct unit_test tests[] = {
    UNIT(basic),
    UNIT(compact_scores),
    UNIT(conversion),
    UNIT(expand_and_fit),
    UNIT(long_members_compact),
    UNIT(random_model),
    UNIT(moves_model),
    UNIT(lex_ranges),
    UNIT(scan_across_resizes),
    UNIT(lifecycle),
    UNIT(fault_injection),
    UNIT(memory_figure),
};

int main(void)
{
    return unit_run(tests, UNIT_COUNT(tests));
}
