/* test_intset.c - unit tests for store/intset.c and the intset encoding
 * of sets in store/coll.c: order, width upgrades (never narrowed),
 * removal, the edge values of int64, which texts count as integers
 * (Redis's string2ll: no leading zeros, no '+', no spaces, no "-0"),
 * the conversions to a table (a non-integer member, more members than
 * set-max-intset-entries), copies, random members, allocation failures
 * and the memory an intset saves over the other encodings. */
#include <stdio.h>
#include <stdlib.h>

#include "store/intset.h"
#include "store/store.h"
#include "store/store_int.h"
#include "tests/unit/unit.h"

#define K(lit) (lit), (sizeof(lit) - 1)
#define T0 INT64_C(1700000000000)

static struct store_coll *open_set(struct store *s, const char *key)
{
    struct store_coll *c = NULL;
    int rc = store_coll_open(s, key, strlen(key), STORE_T_SET, 1, T0, &c);
    return rc == STORE_OK ? c : NULL;
}

static int add(struct store *s, struct store_coll *c, const char *m)
{
    return store_coll_put(s, c, m, strlen(m), NULL, 0, 0);
}

static int add_i(struct store *s, struct store_coll *c, int64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%" PRId64, v);
    return add(s, c, buf);
}

/* 1 if the members of c, in iteration order, are want[0..n). */
static int members_are(const struct store_coll *c, const char *const *want,
                       size_t n)
{
    struct store_coll_it it = { 0, NULL };
    struct store_coll_view v;
    size_t i = 0;
    while (store_coll_next(c, &it, &v)) {
        if (i >= n || v.flen != strlen(want[i]) ||
            memcmp(v.f, want[i], v.flen) != 0)
            return 0;
        i++;
    }
    return i == n;
}

/* ---- intset.c on its own ---------------------------------------------- */

TEST(raw_add_find_del)
{
    struct store *s = store_new(1);
    struct store__intset is = { NULL, 0, 2 };
    static const int64_t in[] = { 5, -3, 100, 0, 7, -3, 5 };
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
        ASSERT_EQ(store__intset_add(s, &is, in[i]), i < 5);
    ASSERT_EQ(is.n, 5);
    ASSERT_EQ(is.w, 2);
    static const int64_t sorted[] = { -3, 0, 5, 7, 100 };
    for (size_t i = 0; i < 5; i++)
        ASSERT_EQ(store__intset_get(&is, i), sorted[i]);
    size_t pos;
    ASSERT(store__intset_find(&is, 7, &pos));
    ASSERT_EQ(pos, 3);
    ASSERT(!store__intset_find(&is, 6, &pos));
    ASSERT_EQ(pos, 3);
    ASSERT(!store__intset_find(&is, 1000, &pos));
    ASSERT_EQ(pos, 5);
    ASSERT(!store__intset_find(&is, -1000, &pos));
    ASSERT_EQ(pos, 0);
    ASSERT_EQ(store__intset_del(s, &is, 0), 1);
    ASSERT_EQ(store__intset_del(s, &is, 0), 0);
    ASSERT_EQ(store__intset_del(s, &is, INT64_MAX), 0);  /* wider: absent */
    ASSERT_EQ(is.n, 4);
    ASSERT_EQ(store__intset_get(&is, 1), 5);
    store__intset_free(s, &is);
    ASSERT_EQ(is.n, 0);
    ASSERT_OK(store__check(s));
    store_free(s);
}

TEST(raw_upgrade)
{
    struct store *s = store_new(1);
    struct store__intset is = { NULL, 0, 2 };
    ASSERT_EQ(store__intset_width(INT16_MAX), 2);
    ASSERT_EQ(store__intset_width(INT16_MIN), 2);
    ASSERT_EQ(store__intset_width(INT16_MAX + 1), 4);
    ASSERT_EQ(store__intset_width(INT16_MIN - 1), 4);
    ASSERT_EQ(store__intset_width(INT32_MAX), 4);
    ASSERT_EQ(store__intset_width((int64_t)INT32_MIN - 1), 8);
    ASSERT_EQ(store__intset_width(INT64_MIN), 8);
    for (int v = -10; v <= 10; v++)
        ASSERT_EQ(store__intset_add(s, &is, v), 1);
    /* Wider at the top, then wider still at the bottom: each widens every
     * element in place and goes at its end. */
    ASSERT_EQ(store__intset_add(s, &is, 70000), 1);
    ASSERT_EQ(is.w, 4);
    ASSERT_EQ(store__intset_get(&is, 21), 70000);
    ASSERT_EQ(store__intset_add(s, &is, INT64_MIN), 1);
    ASSERT_EQ(is.w, 8);
    ASSERT_EQ(store__intset_get(&is, 0), INT64_MIN);
    ASSERT_EQ(store__intset_add(s, &is, INT64_MAX), 1);
    ASSERT_EQ(is.n, 24);
    for (size_t i = 1; i < is.n; i++)
        ASSERT(store__intset_get(&is, i - 1) < store__intset_get(&is, i));
    ASSERT_EQ(store__intset_get(&is, 1), -10);
    ASSERT_EQ(store__intset_get(&is, 11), 0);
    /* Removing the wide ones keeps the width, as Redis does. */
    ASSERT_EQ(store__intset_del(s, &is, INT64_MIN), 1);
    ASSERT_EQ(store__intset_del(s, &is, INT64_MAX), 1);
    ASSERT_EQ(store__intset_del(s, &is, 70000), 1);
    ASSERT_EQ(is.w, 8);
    ASSERT_EQ(store__intset_get(&is, 0), -10);
    /* A reserve widens too, and never loses an element. */
    struct store__intset js = { NULL, 0, 2 };
    ASSERT_EQ(store__intset_add(s, &js, -2), 1);
    ASSERT_EQ(store__intset_add(s, &js, 3), 1);
    ASSERT_OK(store__intset_reserve(s, &js, 100, 8));
    ASSERT_EQ(js.w, 8);
    ASSERT_EQ(store__intset_get(&js, 0), -2);
    ASSERT_EQ(store__intset_get(&js, 1), 3);
    store__intset_free(s, &is);
    store__intset_free(s, &js);
    ASSERT_OK(store__check(s));
    store_free(s);
}

/* Every width at its edges, added in random order: the result is sorted
 * and complete. */
TEST(raw_random_model)
{
    struct store *s = store_new(1);
    struct store__intset is = { NULL, 0, 2 };
    static const int64_t edges[] = {
        0, 1, -1, INT16_MAX, INT16_MIN, INT16_MAX + 1, INT16_MIN - 1,
        INT32_MAX, INT32_MIN, (int64_t)INT32_MAX + 1, (int64_t)INT32_MIN - 1,
        INT64_MAX, INT64_MIN, INT64_MAX - 1, INT64_MIN + 1,
    };
    size_t ne = sizeof edges / sizeof edges[0];
    srand(7);
    int64_t model[64];
    size_t nm = 0;
    for (int round = 0; round < 2000; round++) {
        int64_t v = rand() % 3 ? edges[rand() % ne] : rand() % 200 - 100;
        int in = 0;
        for (size_t i = 0; i < nm; i++)
            in |= model[i] == v;
        if (rand() % 3 == 0) {
            ASSERT_EQ(store__intset_del(s, &is, v), in);
            for (size_t i = 0; in && i < nm; i++)
                if (model[i] == v)
                    model[i] = model[--nm];
        } else if (nm < 64) {
            ASSERT_EQ(store__intset_add(s, &is, v), !in);
            if (!in)
                model[nm++] = v;
        }
        ASSERT_EQ(is.n, nm);
        for (size_t i = 1; i < is.n; i++)
            ASSERT(store__intset_get(&is, i - 1) < store__intset_get(&is, i));
        for (size_t i = 0; i < nm; i++) {
            size_t pos;
            ASSERT(store__intset_find(&is, model[i], &pos));
            ASSERT_EQ(store__intset_get(&is, pos), model[i]);
        }
    }
    store__intset_free(s, &is);
    ASSERT_OK(store__check(s));
    store_free(s);
}

/* ---- Sets in the intset encoding (coll.c) ----------------------------- */

TEST(set_order_and_edges)
{
    struct store *s = store_new(1);
    struct store_coll *c = open_set(s, "s");
    ASSERT_EQ(add(s, c, "5"), 1);
    ASSERT_EQ(add(s, c, "-9223372036854775808"), 1);
    ASSERT_EQ(add(s, c, "9223372036854775807"), 1);
    ASSERT_EQ(add(s, c, "0"), 1);
    ASSERT_EQ(add(s, c, "-3"), 1);
    ASSERT_EQ(add(s, c, "5"), 0);
    ASSERT_EQ(store_coll_intset_width(c), 8);
    static const char *const want[] = {
        "-9223372036854775808", "-3", "0", "5", "9223372036854775807",
    };
    ASSERT(members_are(c, want, 5));
    struct store_coll_view v;
    ASSERT(store_coll_get(c, K("-3"), &v));
    ASSERT_MEM_EQ(v.f, v.flen, "-3");
    ASSERT(store_coll_get(c, K("9223372036854775807"), NULL));
    /* Texts that only look like members are not them. */
    static const char *const near[] = {
        "05", "+5", " 5", "5 ", "-0", "00", "5.0", "0x5", "",
        "9223372036854775808", "-9223372036854775809",
        "-09223372036854775808",
    };
    for (size_t i = 0; i < sizeof near / sizeof near[0]; i++) {
        ASSERT(!store_coll_get(c, near[i], strlen(near[i]), NULL));
        ASSERT_EQ(store_coll_del(s, c, near[i], strlen(near[i])), 0);
    }
    ASSERT_EQ(store_coll_len(c), 5);
    ASSERT(store_coll_intset_width(c));
    ASSERT_EQ(store_coll_del(s, c, K("-9223372036854775808")), 1);
    ASSERT_EQ(store_coll_del(s, c, K("9223372036854775807")), 1);
    ASSERT_EQ(store_coll_intset_width(c), 8);      /* never narrowed */
    ASSERT_OK(store__check(s));
    store_free(s);
}

/* Each near-integer text is a string member: the set leaves the intset
 * encoding for a table (Redis 7.0) and keeps every member. */
TEST(set_converts_on_string)
{
    static const char *const strs[] = {
        "-0", "01", "+1", " 1", "1 ", "1.5", "abc", "",
        "9223372036854775808",
    };
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
        struct store *s = store_new(1);
        struct store_coll *c = open_set(s, "s");
        ASSERT_EQ(add(s, c, "1"), 1);
        ASSERT_EQ(add(s, c, "2"), 1);
        ASSERT_EQ(store_coll_intset_width(c), 2);
        ASSERT_EQ(add(s, c, strs[i]), 1);
        ASSERT_EQ(store_coll_intset_width(c), 0);
        ASSERT(!store_coll_is_compact(c));
        ASSERT_EQ(store_coll_len(c), 3);
        ASSERT(store_coll_get(c, strs[i], strlen(strs[i]), NULL));
        ASSERT(store_coll_get(c, K("1"), NULL));
        ASSERT(store_coll_get(c, K("2"), NULL));
        /* Gone back to integers only, it stays a table. */
        ASSERT_EQ(store_coll_del(s, c, strs[i], strlen(strs[i])), 1);
        ASSERT_EQ(store_coll_intset_width(c), 0);
        ASSERT_OK(store__check(s));
        store_free(s);
    }
    /* A set that starts with a string is compact, as before; so is one
     * emptied of its integers first. */
    struct store *s = store_new(1);
    struct store_coll *c = open_set(s, "s");
    ASSERT_EQ(add(s, c, "a"), 1);
    ASSERT_EQ(add(s, c, "1"), 1);
    ASSERT(store_coll_is_compact(c));
    struct store_coll *d = store_coll_new(s, STORE_T_SET);
    ASSERT_EQ(add(s, d, "1"), 1);
    ASSERT_EQ(store_coll_del(s, d, K("1")), 1);
    ASSERT_EQ(add(s, d, "a"), 1);
    ASSERT(store_coll_is_compact(d));
    store_coll_free(s, d);
    ASSERT_OK(store__check(s));
    store_free(s);
}

TEST(set_limit)
{
    struct store *s = STORE_WITH_LIMITS(.set_intset = 3);
    struct store_coll *c = open_set(s, "s");
    for (int i = 0; i < 3; i++)
        ASSERT_EQ(add_i(s, c, i), 1);
    ASSERT_EQ(add(s, c, "2"), 0);              /* present: no conversion */
    ASSERT_EQ(store_coll_intset_width(c), 2);
    ASSERT_EQ(add(s, c, "3"), 1);
    ASSERT_EQ(store_coll_intset_width(c), 0);
    ASSERT(!store_coll_is_compact(c));
    ASSERT_EQ(store_coll_len(c), 4);
    ASSERT_OK(store__check(s));
    /* Clamped: a huge limit is STORE_INTSET_MAX. */
    struct store_limits l = *store_get_limits(s);
    l.set_intset = (size_t)1 << 40;
    store_set_limits(s, &l);
    ASSERT_EQ(store_get_limits(s)->set_intset, STORE_INTSET_MAX);
    store_free(s);
    /* The default is Redis's 512. */
    s = store_new(1);
    c = open_set(s, "s");
    for (int i = 0; i < 512; i++)
        ASSERT_EQ(add_i(s, c, 1000 - 3 * i), 1);
    ASSERT_EQ(store_coll_intset_width(c), 2);
    ASSERT_EQ(add_i(s, c, 5000), 1);
    ASSERT_EQ(store_coll_intset_width(c), 0);
    ASSERT_EQ(store_coll_len(c), 513);
    ASSERT_OK(store__check(s));
    store_free(s);
}

TEST(set_copy_random_sample)
{
    struct store *s = store_new(1);
    struct store_coll *c = open_set(s, "s");
    for (int i = 0; i < 50; i++)
        ASSERT_EQ(add_i(s, c, i * 7 - 100), 1);
    ASSERT_EQ(add_i(s, c, 100000), 1);
    ASSERT_EQ(store_coll_del(s, c, K("100000")), 1);
    ASSERT_OK(store_key_copy(s, K("s"), s, K("t"), T0));
    struct store_coll *t = open_set(s, "t");
    ASSERT(t != c);
    ASSERT_EQ(store_coll_intset_width(t), 4);     /* the width is kept */
    ASSERT_EQ(store_coll_len(t), 50);
    struct store_coll_view v;
    for (int i = 0; i < 200; i++) {
        int64_t x;
        store_coll_random(s, t, &v);
        ASSERT(store_i64_parse(v.f, v.flen, &x));
        ASSERT(store_coll_get(c, v.f, v.flen, NULL));
    }
    struct store_coll_view out[20];
    ASSERT_OK(store_coll_sample(s, t, 20, out));
    for (int i = 0; i < 20; i++) {
        /* Each view's text is in its own buf, whole. */
        ASSERT(out[i].f >= out[i].buf &&
               out[i].f + out[i].flen <= out[i].buf + sizeof out[i].buf);
        ASSERT(store_coll_get(t, out[i].f, out[i].flen, NULL));
        for (int j = 0; j < i; j++)
            ASSERT(out[i].flen != out[j].flen ||
                   memcmp(out[i].f, out[j].f, out[i].flen) != 0);
    }
    ASSERT_OK(store__check(s));
    store_free(s);
}

TEST(set_reserve)
{
    struct store *s = store_new(1);
    struct store_coll *c = open_set(s, "s");
    ASSERT_OK(store_coll_intset_reserve(s, c, 100, 8));
    ASSERT_EQ(store_coll_intset_width(c), 8);
    ASSERT_EQ(add(s, c, "1"), 1);
    ASSERT_EQ(store_coll_intset_width(c), 8);
    ASSERT_OK(store__check(s));
    store_free(s);
}

TEST(fault_injection)
{
    struct store *s = store_new(1);
    struct store_coll *c = open_set(s, "s");
    for (int i = 0; i < 100; i++)
        ASSERT_EQ(add_i(s, c, i), 1);
    int rc;
    /* A widening add, then a conversion to a table. */
    FAULT_LOOP(s, 50, rc, add(s, c, "5000000000"), 1,
               ASSERT_EQ(store_coll_len(c), 100);
               ASSERT_EQ(store_coll_intset_width(c), 2););
    ASSERT_EQ(store_coll_intset_width(c), 8);
    /* The members stay; the encoding may already be a table. */
    FAULT_LOOP(s, 500, rc, add(s, c, "x"), 1,
               ASSERT_EQ(store_coll_len(c), 101);
               ASSERT(!store_coll_get(c, K("x"), NULL)););
    ASSERT_EQ(store_coll_intset_width(c), 0);
    ASSERT_EQ(store_coll_len(c), 102);
    store_free(s);
}

/* Sets of n integer members, ids from a large range. */
static void fill_ids(struct store *s, const char *key, int n)
{
    struct store_coll *c = open_set(s, key);
    for (int i = 0; i < n; i++)
        add_i(s, c, 10000 + 37 * i);
}

/* Sets of n members that are not integers ("m" and an id). */
static void fill_strs(struct store *s, const char *key, int n)
{
    struct store_coll *c = open_set(s, key);
    char buf[32];
    for (int i = 0; i < n; i++) {
        snprintf(buf, sizeof buf, "m%d", 10000 + 37 * i);
        add(s, c, buf);
    }
}

/* The intset takes its 2 bytes a member, against the compact block's
 * 6 and a table's node each. */
TEST(memory_figure)
{
    double ints = unit_mem_figure("i", 1000, 100, fill_ids,
                                  "1000 sets x 100 integers (intset)");
    double strs = unit_mem_figure("m", 1000, 100, fill_strs,
                                  "1000 sets x 100 strings (compact)");
    ASSERT(ints < 4);
    ASSERT(ints < strs / 2);
    double big = unit_mem_figure("b", 100, 400, fill_ids,
                                 "100 sets x 400 integers (intset)");
    ASSERT(big < 3);
}

static const struct unit_test tests[] = {
    UNIT(raw_add_find_del),
    UNIT(raw_upgrade),
    UNIT(raw_random_model),
    UNIT(set_order_and_edges),
    UNIT(set_converts_on_string),
    UNIT(set_limit),
    UNIT(set_copy_random_sample),
    UNIT(set_reserve),
    UNIT(fault_injection),
    UNIT(memory_figure),
};

int main(void)
{
    return unit_run(tests, UNIT_COUNT(tests));
}
