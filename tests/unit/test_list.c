/* test_list.c - unit tests for store/list.c: the element encodings
 * (strings short and long, integers of every width, texts that look like
 * integers but are not canonical), one block and many, splits and merges,
 * random operations checked against a plain array model, fault injection
 * on every allocating operation (a failure changes nothing), and the
 * object lifecycle through the keyspace (COPY deep copies, RENAME keeps,
 * DEL frees) with store__check's memory accounting. Prints a
 * memory-per-element figure for small lists. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "store/store.h"
#include "store/store_int.h"
#include "tests/unit/unit.h"

#define K(lit) (lit), (sizeof(lit) - 1)
#define T0 INT64_C(1700000000000)

static struct store_list *open_l(struct store *s, const char *key,
                                 int create)
{
    return unit_obj(s, key, STORE_T_LIST, create, T0);
}

static int push(struct store *s, struct store_list *l, int end,
                const char *v)
{
    return store_list_push(s, l, end, v, strlen(v));
}

/* Pushes fmt formatted with i (one %d) at the tail, for i in [from, to). */
static void push_range(struct store *s, struct store_list *l,
                       const char *fmt, int from, int to)
{
    char buf[32];
    for (int i = from; i < to; i++) {
        snprintf(buf, sizeof buf, fmt, i);
        push(s, l, STORE_LIST_TAIL, buf);
    }
}

/* 1 if element idx of l is the text want. */
static int at_is(const struct store_list *l, int64_t idx, const char *want)
{
    struct store_list_view v;
    if (!store_list_index(l, idx, &v))
        return 0;
    return v.len == strlen(want) && memcmp(v.p, want, v.len) == 0;
}

/* ---- A model: an array of owned strings ----------------------------------- */

struct model {
    char **v;
    size_t *len;
    size_t n, cap;
};

static void m_insert(struct model *m, size_t i, const char *p, size_t len)
{
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 16;
        m->v = realloc(m->v, m->cap * sizeof *m->v);
        m->len = realloc(m->len, m->cap * sizeof *m->len);
    }
    memmove(m->v + i + 1, m->v + i, (m->n - i) * sizeof *m->v);
    memmove(m->len + i + 1, m->len + i, (m->n - i) * sizeof *m->len);
    m->v[i] = malloc(len ? len : 1);
    memcpy(m->v[i], p, len);
    m->len[i] = len;
    m->n++;
}

static void m_delete(struct model *m, size_t i)
{
    free(m->v[i]);
    memmove(m->v + i, m->v + i + 1, (m->n - i - 1) * sizeof *m->v);
    memmove(m->len + i, m->len + i + 1, (m->n - i - 1) * sizeof *m->len);
    m->n--;
}

static int m_eq(const struct model *m, size_t i, const char *p, size_t len)
{
    return m->len[i] == len && memcmp(m->v[i], p, len) == 0;
}

static void m_free(struct model *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->v[i]);
    free(m->v);
    free(m->len);
}

/* 0 if l holds exactly the model's elements (checked both ways), else the
 * first differing index + 1. */
static size_t m_diff(const struct model *m, const struct store_list *l)
{
    if (store_list_len(l) != m->n)
        return (size_t)-1;
    struct store_list_it it;
    struct store_list_view v;
    store_list_it_init(l, 0, 0, &it);
    for (size_t i = 0; i < m->n; i++)
        if (!store_list_next(&it, &v) || !m_eq(m, i, v.p, v.len))
            return i + 1;
    if (store_list_next(&it, &v))
        return m->n + 1;
    if (m->n == 0)
        return 0;
    store_list_it_init(l, m->n - 1, 1, &it);
    for (size_t i = m->n; i-- > 0;)
        if (!store_list_next(&it, &v) || !m_eq(m, i, v.p, v.len))
            return i + 1;
    return store_list_next(&it, &v) ? 1 : 0;
}

/* The list matches the model and the store's accounting holds. */
#define ASSERT_MODEL(s, m, l)                                               \
    do {                                                                    \
        ASSERT_EQ(m_diff((m), (l)), 0);                                     \
        ASSERT_OK(store__check(s));                                         \
    } while (0)

/* Keeps a random run between a few elements and a few blocks' worth:
 * past max elements, the first 1000 go from both. */
static void keep_bounded(struct store *s, struct store_list *l,
                         struct model *m, size_t max)
{
    if (m->n <= max)
        return;
    store_list_trim(s, l, 1000, m->n);
    for (int k = 0; k < 1000; k++)
        m_delete(m, 0);
}

/* A value for the random tests: mostly from a small pool (so LREM and
 * LINSERT find matches), integers of every width, non-canonical integer
 * texts, and now and then a value bigger than a block. */
static size_t rand_value(char *buf, size_t cap)
{
    static const char *const pool[] = {
        "a", "bb", "0", "63", "64", "-1", "-0", "007", "+5", "1 ",
        "127", "-128", "32768", "-2147483649", "9223372036854775807",
        "-9223372036854775808", "9223372036854775808", "", "job:17", "x",
    };
    int r = rand() % 100;
    if (r < 60) {
        const char *p = pool[rand() % (int)(sizeof pool / sizeof *pool)];
        size_t n = strlen(p);
        memcpy(buf, p, n);
        return n;
    }
    if (r < 80)
        return (size_t)snprintf(buf, cap, "%lld",
                                (long long)((int64_t)rand() * rand() *
                                            (rand() % 2 ? 1 : -1)));
    size_t n = r < 98 ? (size_t)(rand() % 300) : 8000 + (size_t)rand() % 9000;
    if (n > cap)
        n = cap;
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)('a' + rand() % 26);
    return n;
}

/* ---- Basics ------------------------------------------------------------- */

TEST(basic_push_pop_index)
{
    struct store *s = store_new(1);
    struct store_list *l = open_l(s, "l", 1);
    ASSERT(l != NULL);
    ASSERT_EQ(store_entry_type(store_key_find(s, K("l"), T0)), STORE_T_LIST);
    ASSERT_OK(push(s, l, STORE_LIST_TAIL, "b"));
    ASSERT_OK(push(s, l, STORE_LIST_HEAD, "a"));
    ASSERT_OK(push(s, l, STORE_LIST_TAIL, "12"));
    ASSERT_EQ(store_list_len(l), 3);
    ASSERT(at_is(l, 0, "a"));
    ASSERT(at_is(l, 1, "b"));
    ASSERT(at_is(l, 2, "12"));
    ASSERT(at_is(l, -1, "12"));
    ASSERT(at_is(l, -3, "a"));
    struct store_list_view v;
    ASSERT(!store_list_index(l, 3, &v));
    ASSERT(!store_list_index(l, -4, &v));
    ASSERT(!store_list_index(l, INT64_MIN, &v));
    ASSERT(!store_list_index(l, INT64_MAX, &v));
    ASSERT(store_list_is_compact(l));
    store_list_pop(s, l, STORE_LIST_HEAD, 1);
    ASSERT(at_is(l, 0, "b"));
    store_list_pop(s, l, STORE_LIST_TAIL, 1);
    ASSERT_EQ(store_list_len(l), 1);
    ASSERT(at_is(l, 0, "b"));
    ASSERT_OK(store__check(s));
    store_list_pop(s, l, STORE_LIST_TAIL, 5);
    ASSERT_EQ(store_list_len(l), 0);
    ASSERT_OK(store__check(s));
    store_free(s);
}

/* Every integer width round-trips as the same text; non-canonical texts
 * stay strings and do not compare equal to the numbers. */
TEST(integer_encoding)
{
    static const char *const vals[] = {
        "0", "1", "63", "64", "127", "128", "-1", "-128", "-129", "255",
        "32767", "32768", "-32768", "-32769", "8388607", "8388608",
        "2147483647", "2147483648", "-2147483648", "-2147483649",
        "549755813887", "140737488355328", "36028797018963967",
        "36028797018963968", "9223372036854775807", "-9223372036854775808",
        "9223372036854775808", "-9223372036854775809", "-0", "00", "01",
        "+1", " 1", "1 ", "1.0", "0x10", "-", "",
    };
    size_t n = sizeof vals / sizeof *vals;
    struct store *s = store_new(1);
    struct store_list *l = open_l(s, "l", 1);
    for (size_t i = 0; i < n; i++)
        ASSERT_OK(push(s, l, STORE_LIST_TAIL, vals[i]));
    for (size_t i = 0; i < n; i++)
        ASSERT(at_is(l, (int64_t)i, vals[i]));
    /* "1" and "01" differ; "-0" is not 0. */
    ASSERT_EQ(store_list_rem(s, l, 0, K("-0")), 1);
    ASSERT_EQ(store_list_rem(s, l, 0, K("01")), 1);
    ASSERT_EQ(store_list_rem(s, l, 0, K("1")), 1);
    ASSERT_EQ(store_list_rem(s, l, 0, K("9223372036854775808")), 1);
    ASSERT_EQ(store_list_rem(s, l, 0, K("-9223372036854775808")), 1);
    ASSERT_EQ(store_list_rem(s, l, 0, K("0")), 1);
    ASSERT_EQ(store_list_rem(s, l, 0, K("0")), 0);
    ASSERT_EQ(store_list_len(l), n - 6);
    ASSERT_OK(store__check(s));
    store_free(s);
}

/* What Redis's string2ll accepts: the texts that format back to
 * themselves, so a reference is snprintf of strtoll's value. */
static int i64_reference(const char *t, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(t, &end, 10);
    char back[32];
    snprintf(back, sizeof back, "%lld", v);
    if (errno != 0 || *end != '\0' || strcmp(back, t) != 0)
        return 0;
    *out = v;
    return 1;
}

/* store_i64_parse against the reference: the edges of the 18-digit
 * short path and of int64, then random digit strings of every length
 * with signs, zeros and stray bytes mixed in. */
TEST(i64_parse)
{
    static const char *const edges[] = {
        "0", "-0", "00", "01", "-01", "-", "", "+1", " 1", "1 ", "1a",
        "999999999999999999", "-999999999999999999",
        "1000000000000000000", "-1000000000000000000",
        "9223372036854775807", "9223372036854775808",
        "-9223372036854775808", "-9223372036854775809",
        "18446744073709551615", "18446744073709551616",
        "99999999999999999999", "-99999999999999999999",
        "100000000000000000000",
    };
    for (size_t i = 0; i < sizeof edges / sizeof *edges; i++) {
        int64_t want = 0, got = 0;
        int ok = i64_reference(edges[i], &want);
        ASSERT_EQ(store_i64_parse(edges[i], strlen(edges[i]), &got), ok);
        if (ok)
            ASSERT_EQ(got, want);
    }
    static const char alphabet[] = "0123456789999-0/:";
    srand(7);
    for (int round = 0; round < 200000; round++) {
        char t[24];
        size_t n = (size_t)(rand() % 22);
        for (size_t i = 0; i < n; i++)
            t[i] = rand() % 8 ? (char)('0' + rand() % 10)
                              : alphabet[rand() % (sizeof alphabet - 1)];
        if (n > 0 && rand() % 4 == 0)
            t[0] = '-';
        t[n] = '\0';
        int64_t want = 0, got = 0;
        int ok = i64_reference(t, &want);
        int rc = store_i64_parse(t, n, &got);
        if (rc != ok || (ok && got != want))
            UNIT_FAIL_("\"%s\": got %d %lld, want %d %lld", t, rc,
                       (long long)got, ok, (long long)want);
    }
}

/* Small values take about two bytes more than their text. */
TEST(compact_size)
{
    struct store *s = store_new(1);
    struct store_list *l = store_list_new(s);
    for (int i = 0; i < 100; i++)
        ASSERT_OK(push(s, l, STORE_LIST_TAIL, "job:1234"));
    ASSERT(store_list_is_compact(l));
    size_t m = store__list_ops.mem(l);
    ASSERT(m <= 32 + 24 + 100 * 10 + 100);
    store_list_free(s, l);
    store_free(s);
}

/* Growing past one block chains blocks; order and indexes hold across
 * them from both ends; shrinking merges them back into one. */
TEST(conversion_and_back)
{
    struct store *s = store_new(1);
    struct store_list *l = open_l(s, "l", 1);
    char buf[32];
    push_range(s, l, "v%d", 0, 11);
    ASSERT(store_list_is_compact(l));
    push_range(s, l, "v%d", 11, 5000);
    ASSERT_EQ(store_list_len(l), 5000);
    ASSERT(!store_list_is_compact(l));
    ASSERT_OK(store__check(s));
    for (int i = 0; i < 5000; i += 97) {
        snprintf(buf, sizeof buf, "v%d", i);
        ASSERT(at_is(l, i, buf));
        ASSERT(at_is(l, i - 5000, buf));
    }
    /* Insert in the middle of a full block: a split. */
    ASSERT_EQ(store_list_insert(s, l, 1, K("v2500"), K("mid")), 1);
    ASSERT(at_is(l, 2501, "mid"));
    ASSERT(at_is(l, 2502, "v2501"));
    ASSERT_OK(store__check(s));
    store_list_trim(s, l, 100, 50);
    ASSERT_EQ(store_list_len(l), 50);
    ASSERT(store_list_is_compact(l));
    ASSERT(at_is(l, 0, "v100"));
    ASSERT(at_is(l, -1, "v149"));
    ASSERT_OK(store__check(s));
    store_free(s);
}

/* A value bigger than a block gets a block of its own, wherever it goes. */
TEST(big_values)
{
    struct store *s = store_new(1);
    struct store_list *l = open_l(s, "l", 1);
    size_t big = 20000;
    char *v = malloc(big);
    memset(v, 'z', big);
    ASSERT_OK(push(s, l, STORE_LIST_TAIL, "a"));
    ASSERT_OK(store_list_push(s, l, STORE_LIST_TAIL, v, big));
    ASSERT_OK(push(s, l, STORE_LIST_TAIL, "b"));
    ASSERT_OK(store_list_push(s, l, STORE_LIST_HEAD, v, big));
    ASSERT_EQ(store_list_insert(s, l, 0, K("b"), v, big), 1);
    ASSERT_EQ(store_list_len(l), 5);
    struct store_list_view w;
    ASSERT(store_list_index(l, 2, &w));
    ASSERT_EQ(w.len, big);
    ASSERT(store_list_index(l, 3, &w));
    ASSERT_EQ(w.len, big);
    ASSERT(at_is(l, 4, "b"));
    ASSERT_OK(store_list_set(s, l, 2, K("small")));
    ASSERT(at_is(l, 2, "small"));
    ASSERT_OK(store_list_set(s, l, 1, v, big));
    ASSERT_OK(store__check(s));
    ASSERT_EQ(store_list_rem(s, l, 0, v, big), 3);
    ASSERT_EQ(store_list_len(l), 2);
    ASSERT_OK(store__check(s));
    free(v);
    store_free(s);
}

TEST(insert_set_rem)
{
    struct store *s = store_new(1);
    struct store_list *l = open_l(s, "l", 1);
    const char *init[] = { "a", "b", "a", "c", "a", "b" };
    for (int i = 0; i < 6; i++)
        push(s, l, STORE_LIST_TAIL, init[i]);
    ASSERT_EQ(store_list_insert(s, l, 0, K("b"), K("X")), 1);  /* a X b */
    ASSERT_EQ(store_list_insert(s, l, 1, K("c"), K("Y")), 1);  /* c Y */
    ASSERT_EQ(store_list_insert(s, l, 1, K("zz"), K("Y")), 0);
    ASSERT(at_is(l, 1, "X"));
    ASSERT(at_is(l, 5, "Y"));
    ASSERT_EQ(store_list_set(s, l, 9, K("q")), STORE_NOT_FOUND);
    ASSERT_EQ(store_list_set(s, l, -9, K("q")), STORE_NOT_FOUND);
    ASSERT_OK(store_list_set(s, l, -1, K("last")));
    ASSERT(at_is(l, 7, "last"));
    /* a X b a c Y a last: remove the last two "a" from the tail. */
    ASSERT_EQ(store_list_rem(s, l, -2, K("a")), 2);
    ASSERT(at_is(l, 0, "a"));
    ASSERT(at_is(l, 3, "c"));
    ASSERT(at_is(l, 4, "Y"));
    ASSERT_EQ(store_list_rem(s, l, 1, K("a")), 1);
    ASSERT(at_is(l, 0, "X"));
    ASSERT_EQ(store_list_len(l), 5);
    ASSERT_OK(store__check(s));
    store_free(s);
}

TEST(move)
{
    struct store *s = store_new(1);
    struct store_list *a = open_l(s, "a", 1);
    struct store_list *b = open_l(s, "b", 1);
    push(s, a, STORE_LIST_TAIL, "1");
    push(s, a, STORE_LIST_TAIL, "two");
    ASSERT_OK(store_list_move(s, a, STORE_LIST_TAIL, b, STORE_LIST_HEAD));
    ASSERT(at_is(b, 0, "two"));
    ASSERT_EQ(store_list_len(a), 1);
    /* Rotation within one list. */
    push(s, a, STORE_LIST_TAIL, "3");
    ASSERT_OK(store_list_move(s, a, STORE_LIST_HEAD, a, STORE_LIST_TAIL));
    ASSERT(at_is(a, 0, "3"));
    ASSERT(at_is(a, 1, "1"));
    ASSERT_OK(store_list_move(s, a, STORE_LIST_HEAD, a, STORE_LIST_HEAD));
    ASSERT(at_is(a, 0, "3"));
    ASSERT_EQ(store_list_len(a), 2);
    ASSERT_OK(store__check(s));
    store_free(s);
}

TEST(iterate_ranges)
{
    struct store *s = store_new(1);
    struct store_list *l = open_l(s, "l", 1);
    char buf[32];
    push_range(s, l, "%d", 0, 3000);
    struct store_list_it it;
    struct store_list_view v;
    store_list_it_init(l, 1234, 0, &it);
    for (int i = 1234; i < 3000; i++) {
        ASSERT(store_list_next(&it, &v));
        snprintf(buf, sizeof buf, "%d", i);
        ASSERT(v.len == strlen(buf) && memcmp(v.p, buf, v.len) == 0);
    }
    ASSERT(!store_list_next(&it, &v));
    store_list_it_init(l, 2000, 1, &it);
    for (int i = 2000; i >= 0; i--) {
        ASSERT(store_list_next(&it, &v));
        snprintf(buf, sizeof buf, "%d", i);
        ASSERT(v.len == strlen(buf) && memcmp(v.p, buf, v.len) == 0);
    }
    ASSERT(!store_list_next(&it, &v));
    store_list_it_init(l, 3000, 0, &it);
    ASSERT(!store_list_next(&it, &v));
    store_free(s);
}

/* ---- Random operations against the model --------------------------------- */

static struct store_list *filled(struct store *s, const char *key, int n);

/* One random run with list-max-listpack-size fill. */
static void random_run(int *unit_failed_, int64_t fill, int steps)
{
    srand(7);
    struct store *s = STORE_WITH_LIMITS(.list_size = fill);
    struct store_list *l = open_l(s, "l", 1);
    struct model m = { 0 };
    char *buf = malloc(20000), *buf2 = malloc(20000);
    for (int step = 0; step < steps; step++) {
        int op = rand() % 100;
        size_t len = rand_value(buf, 20000);
        if (op < 30 || m.n < 5) {
            int end = rand() % 2;
            ASSERT_OK(store_list_push(s, l, end, buf, len));
            m_insert(&m, end == STORE_LIST_HEAD ? 0 : m.n, buf, len);
        } else if (op < 45) {
            int end = rand() % 2;
            size_t n = 1 + (size_t)rand() % 3;
            if (n > m.n)
                n = m.n;
            store_list_pop(s, l, end, n);
            for (size_t k = 0; k < n; k++)
                m_delete(&m, end == STORE_LIST_HEAD ? 0 : m.n - 1);
        } else if (op < 55) {
            size_t i = (size_t)rand() % m.n;
            ASSERT_OK(store_list_set(s, l, (int64_t)i, buf, len));
            m_delete(&m, i);
            m_insert(&m, i, buf, len);
        } else if (op < 65) {
            size_t i = (size_t)rand() % m.n;
            memcpy(buf2, m.v[i], m.len[i]);
            size_t plen = m.len[i];
            size_t first = 0;
            while (!m_eq(&m, first, buf2, plen))
                first++;
            int after = rand() % 2;
            ASSERT_EQ(store_list_insert(s, l, after, buf2, plen, buf, len),
                      1);
            m_insert(&m, first + (size_t)after, buf, len);
        } else if (op < 72) {
            int64_t count = rand() % 7 - 3;
            size_t want = count == 0 ? SIZE_MAX
                        : (size_t)(count > 0 ? count : -count);
            size_t got = 0;
            if (count >= 0) {
                for (size_t i = 0; i < m.n && got < want;)
                    if (m_eq(&m, i, buf, len)) {
                        m_delete(&m, i);
                        got++;
                    } else {
                        i++;
                    }
            } else {
                for (size_t i = m.n; i-- > 0 && got < want;)
                    if (m_eq(&m, i, buf, len)) {
                        m_delete(&m, i);
                        got++;
                    }
            }
            ASSERT_EQ(store_list_rem(s, l, count, buf, len), got);
        } else if (op < 75) {
            size_t start = (size_t)rand() % m.n, n = (size_t)rand() % 50;
            store_list_del_range(s, l, start, n);
            for (size_t k = 0; k < n && start < m.n; k++)
                m_delete(&m, start);
        } else if (op < 77 && m.n > 200) {
            size_t start = (size_t)rand() % 20;
            size_t keep = m.n - start - (size_t)rand() % 20;
            store_list_trim(s, l, start, keep);
            while (m.n > start + keep)
                m_delete(&m, m.n - 1);
            for (size_t k = 0; k < start; k++)
                m_delete(&m, 0);
        } else if (op < 80) {
            int from = rand() % 2, to = rand() % 2;
            size_t i = from == STORE_LIST_HEAD ? 0 : m.n - 1;
            memcpy(buf2, m.v[i], m.len[i]);
            size_t vl = m.len[i];
            ASSERT_OK(store_list_move(s, l, from, l, to));
            m_insert(&m, to == STORE_LIST_HEAD ? 0 : m.n, buf2, vl);
            m_delete(&m, from == STORE_LIST_HEAD ? 0 : m.n - 1);
        } else {
            int64_t i = (int64_t)((size_t)rand() % (m.n * 2)) - (int64_t)m.n;
            struct store_list_view v;
            ASSERT(store_list_index(l, i, &v));
            size_t j = i < 0 ? m.n - (size_t)-i : (size_t)i;
            ASSERT(m_eq(&m, j, v.p, v.len));
        }
        if (step % 500 == 0 || m.n < 10)
            ASSERT_MODEL(s, &m, l);
        keep_bounded(s, l, &m, 3000);
    }
    ASSERT_MODEL(s, &m, l);
    m_free(&m);
    free(buf);
    free(buf2);
    store_free(s);
}

TEST(random_against_model)
{
    random_run(unit_failed_, -2, 60000);
}

/* Other block sizes: by element count (Redis's positive fill) and by
 * bytes, the smallest and the largest. */
TEST(random_other_fills)
{
    random_run(unit_failed_, 1, 8000);
    random_run(unit_failed_, 5, 8000);
    random_run(unit_failed_, 128, 8000);
    random_run(unit_failed_, -1, 8000);
    random_run(unit_failed_, -5, 8000);
}

/* A positive fill bounds elements per block; changing the limit later
 * applies as blocks grow. */
TEST(fill_by_count)
{
    struct store *s = STORE_WITH_LIMITS(.list_size = 4);
    struct store_list *l = filled(s, "l", 10);
    ASSERT(!store_list_is_compact(l));
    ASSERT_OK(store__check(s));
    /* Back to the default, -2 (8 KiB blocks). */
    store_set_limits(s, &(struct store_limits)STORE_LIMITS_DEFAULT);
    store_list_trim(s, l, 0, 4);
    ASSERT(store_list_is_compact(l));
    ASSERT_OK(store__check(s));
    store_free(s);
}

/* ---- Fault injection ------------------------------------------------------ */

/* A list of n elements "e0".."e{n-1}" (n large enough for several blocks
 * when asked). */
static struct store_list *filled(struct store *s, const char *key, int n)
{
    struct store_list *l = open_l(s, key, 1);
    push_range(s, l, "e%d", 0, n);
    return l;
}

/* Runs op under FAULT_LOOP (unit.h): each failure must leave the list
 * equal to the model. */
#define LIST_FAULTS(s, l, model, ok, op)                                    \
    do {                                                                    \
        int rc_;                                                            \
        FAULT_LOOP((s), 100, rc_, (op), (ok),                               \
                   ASSERT_EQ(m_diff((model), (l)), 0););                    \
    } while (0)

static void model_of(struct model *m, const struct store_list *l)
{
    struct store_list_it it;
    struct store_list_view v;
    store_list_it_init(l, 0, 0, &it);
    while (store_list_next(&it, &v))
        m_insert(m, m->n, v.p, v.len);
}

TEST(fault_injection)
{
    static const int sizes[] = { 0, 1, 10, 2000 };
    char *big = malloc(10000);
    memset(big, 'q', 10000);
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
        for (int op = 0; op < 7; op++) {
            struct store *s = store_new(1);
            struct store_list *l = filled(s, "l", sizes[si]);
            if (!l) {
                l = open_l(s, "l", 1);
            }
            struct model m = { 0 };
            model_of(&m, l);
            size_t mid = m.n / 2;
            switch (op) {
            case 0:
                LIST_FAULTS(s, l, &m, STORE_OK,
                            store_list_push(s, l, STORE_LIST_HEAD, K("new")));
                m_insert(&m, 0, K("new"));
                break;
            case 1:
                LIST_FAULTS(s, l, &m, STORE_OK,
                            store_list_push(s, l, STORE_LIST_TAIL, big,
                                            10000));
                m_insert(&m, m.n, big, 10000);
                break;
            case 2:
                if (!m.n)
                    break;
                LIST_FAULTS(s, l, &m, STORE_OK,
                            store_list_set(s, l, (int64_t)mid, big, 300));
                m_delete(&m, mid);
                m_insert(&m, mid, big, 300);
                break;
            case 3:     /* a small value after the pivot */
            case 4: {   /* a big one before it */
                if (!m.n)
                    break;
                int after = op == 3;
                const char *v = after ? "ins" : big;
                size_t vl = after ? 3 : 9000;
                LIST_FAULTS(s, l, &m, 1,
                            store_list_insert(s, l, after, m.v[mid],
                                              m.len[mid], v, vl));
                m_insert(&m, mid + (size_t)after, v, vl);
                break;
            }
            case 5:
                if (!m.n)
                    break;
                LIST_FAULTS(s, l, &m, STORE_OK,
                            store_list_move(s, l, STORE_LIST_TAIL, l,
                                            STORE_LIST_HEAD));
                {
                    char t[32];
                    size_t tl = m.len[m.n - 1];
                    memcpy(t, m.v[m.n - 1], tl);
                    m_delete(&m, m.n - 1);
                    m_insert(&m, 0, t, tl);
                }
                break;
            case 6: {
                /* A clone (COPY) fails whole or succeeds whole. */
                int rc;
                FAULT_LOOP(s, 100, rc,
                           store_key_copy(s, K("l"), s, K("c"), T0), STORE_OK,
                           ASSERT(store_key_find(s, K("c"), T0) == NULL););
                if (m.n) {
                    struct store_list *c = open_l(s, "c", 0);
                    ASSERT_EQ(m_diff(&m, c), 0);
                }
                break;
            }
            }
            ASSERT_MODEL(s, &m, l);
            m_free(&m);
            store_free(s);
        }
    }
    free(big);
}

/* Random operations with allocations failing at random: a failed call
 * changes nothing, and the calls that never fail (pops, LREM, trims)
 * keep their contents when their tidying allocation fails. */
TEST(random_with_faults)
{
    srand(11);
    struct store *s = store_new(1);
    struct store_list *l = open_l(s, "l", 1);
    struct model m = { 0 };
    char *buf = malloc(20000);
    int failures = 0;
    for (int step = 0; step < 20000; step++) {
        size_t len = rand_value(buf, 20000);
        int op = rand() % 10;
        store_set_fail_after(s, 1 + (unsigned long)(rand() % 3));
        if (op < 4 || m.n < 3) {
            int end = rand() % 2;
            int rc = store_list_push(s, l, end, buf, len);
            if (rc == STORE_OK)
                m_insert(&m, end == STORE_LIST_HEAD ? 0 : m.n, buf, len);
            else
                failures++;
        } else if (op < 6) {
            size_t i = (size_t)rand() % m.n;
            int rc = store_list_set(s, l, (int64_t)i, buf, len);
            if (rc == STORE_OK) {
                m_delete(&m, i);
                m_insert(&m, i, buf, len);
            }
        } else if (op < 7) {
            size_t i = (size_t)rand() % m.n;
            int rc = store_list_insert(s, l, 0, m.v[i], m.len[i], buf, len);
            if (rc == 1) {
                size_t first = 0;
                while (!m_eq(&m, first, m.v[i], m.len[i]))
                    first++;
                m_insert(&m, first, buf, len);
            }
        } else if (op < 9) {
            size_t start = (size_t)rand() % m.n, n = (size_t)rand() % 40;
            store_list_del_range(s, l, start, n);
            for (size_t k = 0; k < n && start < m.n; k++)
                m_delete(&m, start);
        } else {
            int end = rand() % 2;
            store_list_pop(s, l, end, 1);
            m_delete(&m, end == STORE_LIST_HEAD ? 0 : m.n - 1);
        }
        store_set_fail_after(s, 0);
        if (step % 200 == 0)
            ASSERT_MODEL(s, &m, l);
        keep_bounded(s, l, &m, 2000);
    }
    ASSERT(failures > 0);
    ASSERT_MODEL(s, &m, l);
    m_free(&m);
    free(buf);
    store_free(s);
}

/* ---- Keyspace lifecycle --------------------------------------------------- */

TEST(keyspace_lifecycle)
{
    struct store *s = store_new(4);
    struct store *d = store_new(4);
    struct store_list *l = filled(s, "l", 3000);
    ASSERT_OK(store_key_copy(s, K("l"), s, K("c"), T0));
    struct store_list *c = open_l(s, "c", 0);
    ASSERT(c != NULL && c != l);
    ASSERT_EQ(store_list_len(c), 3000);
    store_list_pop(s, c, STORE_LIST_HEAD, 10);
    ASSERT_EQ(store_list_len(l), 3000);
    ASSERT_OK(store_key_rename(s, K("l"), d, K("moved"), T0));
    struct store_list *mv = open_l(d, "moved", 0);
    ASSERT(mv != NULL);
    ASSERT(at_is(mv, 2999, "e2999"));
    ASSERT_OK(store__check(s));
    ASSERT_OK(store__check(d));
    size_t before = store_mem_usage(s), held = store__list_ops.mem(c);
    ASSERT_EQ(store_key_delete(s, K("c"), T0), 1);
    ASSERT(before - store_mem_usage(s) >= held);
    /* A string overwrites a list and frees it. */
    ASSERT_OK(store_key_set(d, K("moved"), K("str"), STORE_NO_TTL, T0));
    ASSERT_OK(store__check(d));
    void *o;
    ASSERT_EQ(store_obj_open(d, K("moved"), STORE_T_LIST, 0, T0, &o),
              STORE_WRONGTYPE);
    store_free(s);
    store_free(d);
}

/* A list of n "job:<number>" elements, the numbers all of one width (4
 * digits up to 1000 elements, more beyond). */
static void fill_jobs(struct store *s, const char *key, int n)
{
    int first = 1000;
    while (first < n)
        first *= 10;
    push_range(s, open_l(s, key, 1), "job:%d", first, first + n);
}

/* Memory per element of small lists and one big one (compared in the
 * report with Redis's used_memory figures). */
TEST(memory_figure)
{
    /* > 0: false for the NAN of a failed store__check. */
    ASSERT(unit_mem_figure("list", 1000, 10, fill_jobs,
                           "1000 lists x 10 elements (8-byte strings)") > 0);
    ASSERT(unit_mem_figure("big", 1, 100000, fill_jobs,
                           "one list x 100000 elements (10-byte strings)")
           > 0);
}

static const struct unit_test tests[] = {
    UNIT(basic_push_pop_index),
    UNIT(integer_encoding),
    UNIT(i64_parse),
    UNIT(compact_size),
    UNIT(conversion_and_back),
    UNIT(big_values),
    UNIT(insert_set_rem),
    UNIT(move),
    UNIT(iterate_ranges),
    UNIT(random_against_model),
    UNIT(random_other_fills),
    UNIT(fill_by_count),
    UNIT(fault_injection),
    UNIT(random_with_faults),
    UNIT(keyspace_lifecycle),
    UNIT(memory_figure),
};

int main(void)
{
    return unit_run(tests, UNIT_COUNT(tests));
}
