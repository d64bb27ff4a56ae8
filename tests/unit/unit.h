/* unit.h - a tiny test harness, libuv style: each test is a function, the
 * file lists them in a table, and main() runs them and prints
 * "RESULT <passed> <failed>" for scripts/run-tests.sh to add up.
 *
 *   TEST(name) { ASSERT_EQ(1, 1); }
 *   static const struct unit_test tests[] = { UNIT(name), ... };
 *   int main(void) { return unit_run(tests, UNIT_COUNT(tests)); }
 */
#ifndef RESPITE_UNIT_H
#define RESPITE_UNIT_H

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct unit_test {
    const char *name;
    void (*fn)(int *failed);
};

#define TEST(name) static void test_##name(int *unit_failed_)
#define UNIT(name) { #name, test_##name }
#define UNIT_COUNT(t) (sizeof(t) / sizeof((t)[0]))

#define UNIT_FAIL_(fmt, ...)                                                \
    do {                                                                    \
        fprintf(stderr, "    %s:%d: " fmt "\n", __FILE__, __LINE__,         \
                __VA_ARGS__);                                               \
        *unit_failed_ = 1;                                                  \
        return;                                                             \
    } while (0)

#define ASSERT(cond)                                                        \
    do { if (!(cond)) UNIT_FAIL_("assertion failed: %s", #cond); } while (0)

#define ASSERT_EQ(a, b)                                                     \
    do {                                                                    \
        long long a_ = (long long)(a), b_ = (long long)(b);                 \
        if (a_ != b_)                                                       \
            UNIT_FAIL_("%s == %s: %lld != %lld", #a, #b, a_, b_);           \
    } while (0)

#define ASSERT_OK(expr) ASSERT_EQ((expr), 0)

#define ASSERT_MEM_EQ(p, n, lit)                                            \
    do {                                                                    \
        size_t n_ = (n);                                                    \
        if (n_ != sizeof(lit) - 1 || memcmp((p), (lit), n_) != 0)           \
            UNIT_FAIL_("%s: got \"%.*s\", want \"%s\"", #p, (int)n_,        \
                       (const char *)(p), (lit));                           \
    } while (0)

#define ASSERT_STR_EQ(a, b)                                                 \
    do {                                                                    \
        const char *a_ = (a), *b_ = (b);                                    \
        if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0)                \
            UNIT_FAIL_("%s: got \"%s\", want \"%s\"", #a,                   \
                       a_ ? a_ : "(null)", b_ ? b_ : "(null)");             \
    } while (0)

static inline int unit_run(const struct unit_test *t, size_t n)
{
    int passed = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        int f = 0;
        t[i].fn(&f);
        printf("%s %s\n", f ? "FAIL" : "ok  ", t[i].name);
        if (f) failed++; else passed++;
    }
    printf("RESULT %d %d\n", passed, failed);
    return failed ? 1 : 0;
}

/* Pages of [p, p + len) resident in memory (mincore); p page-aligned, a
 * partial last page counted. (size_t)-1 when mincore fails. */
static inline size_t unit_resident_pages(const void *p, size_t len)
{
    size_t pg = (size_t)sysconf(_SC_PAGESIZE);
    size_t n = (len + pg - 1) / pg, in = 0;
    unsigned char *v = malloc(n ? n : 1);
    if (!v || mincore((void *)p, len, v) != 0) {
        free(v);
        return (size_t)-1;
    }
    for (size_t i = 0; i < n; i++)
        in += v[i] & 1;
    free(v);
    return in;
}

/* ---- Store helpers, for tests that include store/store_int.h (and
 * with it store.h) before this file ------------------------------------ */
#ifdef RESPITE_STORE_INT_H

/* Runs `rc = (op)` with the k-th allocation of store s failing, for
 * k = 1, 2, ... until rc == ok. Every failed try must return STORE_NOMEM
 * with store__check passing, and then runs the statements after `ok`
 * (checks that nothing changed). Fails the test if op still fails with
 * `tries` allocations allowed: k < tries, as the SQLite-style loop. */
#define FAULT_LOOP(s, tries, rc, op, ok, ...)                              \
    for (unsigned long k_ = 1;; k_++) {                                     \
        if (k_ >= (unsigned long)(tries))                                   \
            UNIT_FAIL_("%s: still failing after %lu allocations", #op,      \
                       k_);                                                 \
        store_set_fail_after((s), k_);                                      \
        (rc) = (op);                                                        \
        store_set_fail_after((s), 0);                                       \
        ASSERT_OK(store__check(s));                                         \
        if ((rc) == (ok))                                                   \
            break;                                                          \
        ASSERT_EQ((rc), STORE_NOMEM);                                       \
        __VA_ARGS__                                                         \
    }

/* A new one-shard store with Redis's default limits except the fields
 * named, e.g. STORE_WITH_LIMITS(.list_size = 4): a field left out (0)
 * keeps its default. The caller frees the store. */
#define STORE_WITH_LIMITS(...)                                              \
    unit_store_with_(&(struct store_limits){ __VA_ARGS__ })

static inline struct store *unit_store_with_(const struct store_limits *set)
{
    struct store_limits lim = STORE_LIMITS_DEFAULT;
#define UNIT_LIMIT_(f) if (set->f) lim.f = set->f
    UNIT_LIMIT_(hash_entries); UNIT_LIMIT_(hash_value);
    UNIT_LIMIT_(set_entries); UNIT_LIMIT_(set_value);
    UNIT_LIMIT_(zset_entries); UNIT_LIMIT_(zset_value);
    UNIT_LIMIT_(list_size); UNIT_LIMIT_(set_intset);
#undef UNIT_LIMIT_
    struct store *s = store_new(1);
    store_set_limits(s, &lim);
    return s;
}

/* The object of key (a NUL-terminated text) of type t at time now, made
 * when create is set and the key is missing; NULL on any other outcome
 * (wrong type, no key, out of memory). The store owns it. */
static inline void *unit_obj(struct store *s, const char *key,
                             enum store_type t, int create, int64_t now)
{
    void *o = NULL;
    int rc = store_obj_open(s, key, strlen(key), t, create, now, &o);
    return rc == STORE_OK ? o : NULL;
}

/* Memory per item: builds nkeys keys "<prefix>:<k>" in a new one-shard
 * store, each filled by fill(s, key, nitems), prints what they added
 * (after `what`) and returns the bytes per item; NAN (which compares
 * false with anything) if store__check then fails. */
static inline double unit_mem_figure(const char *prefix, int nkeys,
                                     int nitems,
                                     void (*fill)(struct store *,
                                                  const char *, int),
                                     const char *what)
{
    struct store *s = store_new(1);
    size_t before = store_mem_usage(s);
    char key[64];
    for (int k = 0; k < nkeys; k++) {
        snprintf(key, sizeof key, "%s:%d", prefix, k);
        fill(s, key, nitems);
    }
    size_t used = store_mem_usage(s) - before;
    double per = (double)used / ((double)nkeys * nitems);
    printf("    %s: %zu bytes, %.1f per item\n", what, used, per);
    if (store__check(s) != 0)
        per = NAN;
    store_free(s);
    return per;
}

#endif

#endif
