/* test_sort_lcs.c - unit tests for store/sort.c (SORT's scores and
 * order: ties on the elements' bytes, ALPHA up to a NUL or binary,
 * missing BY values first, DESC, stability) and store/lcs.c (the LCS
 * table, the subsequence and the match runs Redis reports, checked
 * against a brute-force LCS length on random strings). */
#include <stdint.h>

#include "store/store.h"
#include "tests/unit/unit.h"

static struct store_sort_item item(const char *p, size_t len, double score)
{
    struct store_sort_item it = { p, len, NULL, 0, score };
    return it;
}

TEST(sort_score_is_strtod_with_redis_checks)
{
    double d = -1;
    ASSERT(store_sort_score("", 0, &d) && d == 0);
    ASSERT(store_sort_score(" 5", 2, &d) && d == 5);
    ASSERT(store_sort_score("0x10", 4, &d) && d == 16);
    ASSERT(store_sort_score("1e2", 3, &d) && d == 100);
    ASSERT(store_sort_score("-inf", 4, &d) && isinf(d) && d < 0);
    ASSERT(!store_sort_score("5 ", 2, &d));
    ASSERT(!store_sort_score("nan", 3, &d));
    ASSERT(!store_sort_score("1e400", 5, &d));
    ASSERT(!store_sort_score("1e-400", 6, &d));
    ASSERT(!store_sort_score("abc", 3, &d));
}

/* Canonical integers take the integer path; its double must be strtod's
 * for the same digits, and every other text must still reach strtod. */
TEST(sort_score_integers_match_strtod)
{
    static const char *ints[] = {
        "0", "7", "-7", "123456", "9007199254740993", "-9007199254740993",
        "9223372036854775807", "-9223372036854775808", "1234567890123456789",
    };
    for (size_t i = 0; i < sizeof(ints) / sizeof(*ints); i++) {
        double d = -1;
        ASSERT(store_sort_score(ints[i], strlen(ints[i]), &d));
        ASSERT(d == strtod(ints[i], NULL));
    }
    /* Not canonical: strtod's reading, not the integer parser's refusal. */
    double d = -1;
    ASSERT(store_sort_score("-0", 2, &d) && d == 0 && signbit(d));
    ASSERT(store_sort_score("007", 3, &d) && d == 7);
    ASSERT(store_sort_score("+5", 2, &d) && d == 5);
    ASSERT(store_sort_score("1e3", 3, &d) && d == 1000);
    ASSERT(store_sort_score("9223372036854775808", 19, &d) &&
           d == 9223372036854775808.0);
    ASSERT(store_sort_score("99999999999999999999", 20, &d) && d == 1e20);
    /* Up to the first NUL, as Redis's strtod reads it. */
    ASSERT(store_sort_score("5\0x", 3, &d) && d == 5);
    ASSERT(!store_sort_score("5x", 2, &d));
}

TEST(sort_numeric_ties_on_bytes)
{
    struct store_sort_item v[] = {
        item("b", 1, 1), item("a", 1, 1), item("z", 1, 0),
        item("ab", 2, 1), item("c", 1, -2),
    };
    ASSERT_OK(store_sort_items(v, 5, 0));
    const char *want[] = { "c", "z", "a", "ab", "b" };
    for (int i = 0; i < 5; i++)
        ASSERT_STR_EQ(v[i].p, want[i]);
    ASSERT_OK(store_sort_items(v, 5, STORE_SORT_DESC));
    const char *rev[] = { "b", "ab", "a", "z", "c" };
    for (int i = 0; i < 5; i++)
        ASSERT_STR_EQ(v[i].p, rev[i]);
}

TEST(sort_alpha_stops_at_nul_unless_binary)
{
    /* "a\0z" and "a\0b" are equal as C strings: input order stays. */
    struct store_sort_item v[] = {
        item("a\0z", 3, 0), item("\xff", 1, 0), item("a\0b", 3, 0),
        item("Z", 1, 0),
    };
    ASSERT_OK(store_sort_items(v, 4, STORE_SORT_ALPHA));
    ASSERT_STR_EQ(v[0].p, "Z");
    ASSERT_MEM_EQ(v[1].p, v[1].len, "a\0z");
    ASSERT_MEM_EQ(v[2].p, v[2].len, "a\0b");
    ASSERT_STR_EQ(v[3].p, "\xff");
    ASSERT_OK(store_sort_items(v, 4, STORE_SORT_ALPHA | STORE_SORT_BINARY));
    ASSERT_MEM_EQ(v[1].p, v[1].len, "a\0b");
    ASSERT_MEM_EQ(v[2].p, v[2].len, "a\0z");
}

TEST(sort_alpha_by_missing_first_and_stable)
{
    struct store_sort_item v[] = {
        item("1", 1, 0), item("2", 1, 0), item("3", 1, 0),
        item("4", 1, 0), item("5", 1, 0),
    };
    v[0].by = "b", v[0].bylen = 1;
    v[1].by = "a", v[1].bylen = 1;
    v[3].by = "a", v[3].bylen = 1;
    /* 3 and 5 have no BY value. */
    ASSERT_OK(store_sort_items(v, 5, STORE_SORT_ALPHA | STORE_SORT_BY));
    const char *want[] = { "3", "5", "2", "4", "1" };
    for (int i = 0; i < 5; i++)
        ASSERT_STR_EQ(v[i].p, want[i]);
    ASSERT_OK(store_sort_items(v, 5, STORE_SORT_ALPHA | STORE_SORT_BY |
                                         STORE_SORT_DESC));
    const char *rev[] = { "1", "2", "4", "3", "5" };
    for (int i = 0; i < 5; i++)
        ASSERT_STR_EQ(v[i].p, rev[i]);
}

TEST(sort_many_is_ordered_and_stable)
{
    enum { N = 1000 };
    static struct store_sort_item v[N];
    static char names[N][16];
    uint32_t x = 12345;
    for (int i = 0; i < N; i++) {
        x = x * 1103515245 + 12345;
        snprintf(names[i], sizeof(names[i]), "%04u", (unsigned)i);
        v[i] = item(names[i], 4, 0);
        v[i].by = (x >> 16) % 2 ? "x" : (x >> 17) % 2 ? "y" : NULL;
        v[i].bylen = 1;
    }
    ASSERT_OK(store_sort_items(v, N, STORE_SORT_ALPHA | STORE_SORT_BY));
    for (int i = 1; i < N; i++) {
        const char *a = v[i - 1].by, *b = v[i].by;
        int c = !a || !b ? (a == b ? 0 : !a ? -1 : 1) : strcmp(a, b);
        ASSERT(c <= 0);
        if (c == 0)
            ASSERT(strcmp(v[i - 1].p, v[i].p) < 0);
    }
}

/* The test's own statement of SORT's numeric order, DESC negating it. */
static int ref_cmp(const struct store_sort_item *x,
                   const struct store_sort_item *y, int desc)
{
    int r = x->score < y->score ? -1 : x->score > y->score;
    if (!r) {
        size_t m = x->len < y->len ? x->len : y->len;
        r = memcmp(x->p, y->p, m);
        if (!r)
            r = x->len < y->len ? -1 : x->len > y->len;
    }
    return desc ? -r : r;
}

/* Every size from 0 past a few insertion runs and merges, few distinct
 * scores and texts, so ties are common: the order must be what a plain
 * stable insertion sort gives, equal items (same text, different
 * buffers) in their input order. */
TEST(sort_numeric_matches_stable_reference)
{
    enum { N = 70 };
    static char text[N][8];
    struct store_sort_item v[N], ref[N];
    uint32_t x = 777;
    for (size_t n = 0; n <= N; n++) {
        for (int desc = 0; desc < 2; desc++) {
            for (size_t i = 0; i < n; i++) {
                x = x * 1103515245 + 12345;
                snprintf(text[i], sizeof(text[i]), "%u", (x >> 16) % 3);
                v[i] = item(text[i], strlen(text[i]), (x >> 20) % 5);
            }
            memcpy(ref, v, n * sizeof(*v));
            for (size_t i = 1; i < n; i++) {
                struct store_sort_item t = ref[i];
                size_t j = i;
                for (; j > 0 && ref_cmp(&t, &ref[j - 1], desc) < 0; j--)
                    ref[j] = ref[j - 1];
                ref[j] = t;
            }
            ASSERT_OK(store_sort_items(v, n, desc ? STORE_SORT_DESC : 0));
            for (size_t i = 0; i < n; i++) {
                ASSERT(v[i].p == ref[i].p);
                ASSERT(v[i].score == ref[i].score);
            }
        }
    }
}

/* ---- LCS ------------------------------------------------------------- */

struct runs {
    size_t n;
    size_t r[16][4];
};

static void on_run(void *ctx, size_t a0, size_t a1, size_t b0, size_t b1)
{
    struct runs *r = ctx;
    if (r->n < 16) {
        r->r[r->n][0] = a0, r->r[r->n][1] = a1;
        r->r[r->n][2] = b0, r->r[r->n][3] = b1;
    }
    r->n++;
}

TEST(lcs_redis_example)
{
    struct store_lcs l;
    const char *a = "ohmytext", *b = "mynewtext";
    ASSERT_EQ(store_lcs_init(&l, a, 8, b, 9), STORE_OK);
    ASSERT_EQ(store_lcs_len(&l), 6);
    char out[6];
    struct runs r = { 0 };
    store_lcs_walk(&l, out, on_run, &r);
    ASSERT_MEM_EQ(out, 6, "mytext");
    /* Redis: [[4,7],[5,8]] then [[2,3],[0,1]]. */
    ASSERT_EQ(r.n, 2);
    ASSERT_EQ(r.r[0][0], 4);
    ASSERT_EQ(r.r[0][1], 7);
    ASSERT_EQ(r.r[0][2], 5);
    ASSERT_EQ(r.r[0][3], 8);
    ASSERT_EQ(r.r[1][0], 2);
    ASSERT_EQ(r.r[1][1], 3);
    ASSERT_EQ(r.r[1][2], 0);
    ASSERT_EQ(r.r[1][3], 1);
    store_lcs_free(&l);
}

TEST(lcs_empty_and_disjoint)
{
    struct store_lcs l;
    struct runs r = { 0 };
    ASSERT_EQ(store_lcs_init(&l, "", 0, "abc", 3), STORE_OK);
    ASSERT_EQ(store_lcs_len(&l), 0);
    store_lcs_walk(&l, NULL, on_run, &r);
    ASSERT_EQ(r.n, 0);
    store_lcs_free(&l);
    ASSERT_EQ(store_lcs_init(&l, "abc", 3, "xyz", 3), STORE_OK);
    ASSERT_EQ(store_lcs_len(&l), 0);
    store_lcs_walk(&l, NULL, on_run, &r);
    ASSERT_EQ(r.n, 0);
    store_lcs_free(&l);
}

/* Length of the LCS by plain recursion with memo-free rows. */
static size_t lcs_ref(const char *a, size_t an, const char *b, size_t bn)
{
    size_t prev[33] = { 0 }, cur[33] = { 0 };
    for (size_t i = 1; i <= an; i++) {
        for (size_t j = 1; j <= bn; j++)
            cur[j] = a[i - 1] == b[j - 1] ? prev[j - 1] + 1
                     : prev[j] > cur[j - 1] ? prev[j] : cur[j - 1];
        memcpy(prev, cur, sizeof(prev));
    }
    return prev[bn];
}

/* 1 if s[0..n) is a subsequence of t[0..m). */
static int is_subseq(const char *s, size_t n, const char *t, size_t m)
{
    size_t i = 0;
    for (size_t j = 0; j < m && i < n; j++)
        if (s[i] == t[j])
            i++;
    return i == n;
}

struct check {
    const char *a, *b, *out;
    size_t total, last_a0;
    int ok;
};

/* Each run matches in both strings, runs come from the end backwards, and
 * together they spell the subsequence. */
static void on_check(void *ctx, size_t a0, size_t a1, size_t b0, size_t b1)
{
    struct check *k = ctx;
    if (a1 - a0 != b1 - b0 || memcmp(k->a + a0, k->b + b0, a1 - a0 + 1) ||
        a1 >= k->last_a0)
        k->ok = 0;
    k->last_a0 = a0;
    k->total += a1 - a0 + 1;
}

TEST(lcs_random_against_reference)
{
    uint32_t x = 777;
    for (int round = 0; round < 500; round++) {
        char a[32], b[32], out[32];
        x = x * 1103515245 + 12345;
        size_t an = (x >> 16) % 32, bn = (x >> 8) % 32;
        for (size_t i = 0; i < an; i++) {
            x = x * 1103515245 + 12345;
            a[i] = (char)('a' + (x >> 16) % 3);
        }
        for (size_t i = 0; i < bn; i++) {
            x = x * 1103515245 + 12345;
            b[i] = (char)('a' + (x >> 16) % 3);
        }
        struct store_lcs l;
        ASSERT_EQ(store_lcs_init(&l, a, an, b, bn), STORE_OK);
        size_t n = store_lcs_len(&l);
        ASSERT_EQ(n, lcs_ref(a, an, b, bn));
        struct check k = { a, b, out, 0, SIZE_MAX, 1 };
        store_lcs_walk(&l, out, on_check, &k);
        ASSERT(is_subseq(out, n, a, an) && is_subseq(out, n, b, bn));
        ASSERT(k.ok);
        ASSERT_EQ(k.total, n);
        store_lcs_free(&l);
    }
}

static const struct unit_test tests[] = {
    UNIT(sort_score_is_strtod_with_redis_checks),
    UNIT(sort_score_integers_match_strtod),
    UNIT(sort_numeric_ties_on_bytes),
    UNIT(sort_alpha_stops_at_nul_unless_binary),
    UNIT(sort_alpha_by_missing_first_and_stable),
    UNIT(sort_many_is_ordered_and_stable),
    UNIT(sort_numeric_matches_stable_reference),
    UNIT(lcs_redis_example),
    UNIT(lcs_empty_and_disjoint),
    UNIT(lcs_random_against_reference),
};

int main(void)
{
    return unit_run(tests, UNIT_COUNT(tests));
}
