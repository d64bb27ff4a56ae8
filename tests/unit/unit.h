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
#include <stdio.h>
#include <string.h>

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

#endif
