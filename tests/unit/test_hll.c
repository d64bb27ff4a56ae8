/* test_hll.c - unit tests for store/hll.c: the hash and register choice,
 * the header, sparse values byte for byte as Redis 7.0 writes them, the
 * sparse to dense promotion at hll-sparse-max-bytes, the dense register
 * layout, merge as union, broken values, and counts. The expected bytes
 * and counts were taken from redis-server 7.0.15 fed the same elements
 * ("e0", "e1", ...). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "tests/unit/unit.h"

/* A fresh empty value in an owned buffer. */
static struct store_hll_buf hll_new(void)
{
    struct store_hll_buf b = { malloc(STORE_HLL_EMPTY_SIZE),
                               STORE_HLL_EMPTY_SIZE, STORE_HLL_EMPTY_SIZE };
    store_hll_init(b.p);
    return b;
}

/* Adds "e<from>" .. "e<to - 1>"; returns how many changed a register. */
static int add_range(struct store_hll_buf *b, int from, int to,
                     size_t sparse_max)
{
    int changed = 0;
    char ele[32];
    for (int i = from; i < to; i++) {
        int n = snprintf(ele, sizeof(ele), "e%d", i);
        int rc = store_hll_add(b, ele, (size_t)n, sparse_max);
        if (rc < 0)
            return rc;
        changed += rc;
    }
    return changed;
}

static uint64_t count(const struct store_hll_buf *b)
{
    int invalid;
    uint64_t c = store_hll_count(b->p, b->len, &invalid);
    return invalid ? (uint64_t)-1 : c;
}

TEST(hash_and_pattern)
{
    unsigned reg;
    /* PFADD k a on Redis sets register 12711 to 2. */
    ASSERT_EQ(store_hll_pattern("a", 1, &reg), 2);
    ASSERT_EQ(reg, 12711);
    /* Every tail length and a full word give different hashes. */
    const char *s = "abcdefghijklmnop";
    for (size_t n = 0; n < 16; n++)
        ASSERT(store_hll_hash(s, n, 1) != store_hll_hash(s, n + 1, 1));
    ASSERT(store_hll_hash("x", 1, 1) != store_hll_hash("x", 1, 2));
}

TEST(empty_value_and_header)
{
    struct store_hll_buf b = hll_new();
    ASSERT_MEM_EQ(b.p, b.len, "HYLL\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\xff");
    ASSERT(store_hll_valid(b.p, b.len));
    uint64_t card = 7;
    ASSERT(store_hll_cached(b.p, &card));
    ASSERT_EQ(card, 0);
    ASSERT_EQ(count(&b), 0);
    store_hll_invalidate(b.p);
    ASSERT_EQ(b.p[15], 0x80);
    ASSERT(!store_hll_cached(b.p, &card));
    store_hll_cache_set(b.p, 0x0102030405060708ull);
    ASSERT(store_hll_cached(b.p, &card));
    ASSERT_EQ(card, 0x0102030405060708ull);
    ASSERT_EQ(b.p[8], 8);

    ASSERT(!store_hll_valid(b.p, 15));
    b.p[0] = 'h';
    ASSERT(!store_hll_valid(b.p, b.len));
    b.p[0] = 'H';
    b.p[4] = 2;
    ASSERT(!store_hll_valid(b.p, b.len));
    b.p[4] = STORE_HLL_DENSE;   /* dense must be exactly 12304 bytes */
    ASSERT(!store_hll_valid(b.p, b.len));
    free(b.p);
}

TEST(sparse_bytes_match_redis)
{
    static const unsigned char want[] =
        "HYLL\x01\0\0\0\x0a\0\0\0\0\0\0\0"
        "\x45\x25\x80\x47\x2e\x84\x4f\xc9\x80\x44\x12\x84\x4a\x51\x84\x43"
        "\x0d\x84\x41\x03\x84\x4e\xb9\x84\x40\x88\x80\x40\x6a\x84\x41\xb1";
    struct store_hll_buf b = hll_new();
    ASSERT_EQ(add_range(&b, 0, 10, 3000), 10);
    ASSERT_EQ(count(&b), 10);
    store_hll_cache_set(b.p, count(&b));
    ASSERT_EQ(b.len, sizeof(want) - 1);
    ASSERT(memcmp(b.p, want, b.len) == 0);
    /* Adding them again changes nothing. */
    ASSERT_EQ(add_range(&b, 0, 10, 3000), 0);
    ASSERT_EQ(b.len, sizeof(want) - 1);
    free(b.p);
}

TEST(sparse_to_dense_promotion)
{
    struct store_hll_buf b = hll_new();
    /* Redis: e0..e1682 fit in 3000 bytes, e1683 makes it dense. */
    ASSERT(add_range(&b, 0, 1683, 3000) >= 0);
    ASSERT_EQ(b.p[4], STORE_HLL_SPARSE);
    ASSERT_EQ(b.len, 3000);
    ASSERT_EQ(add_range(&b, 1683, 1684, 3000), 1);
    ASSERT_EQ(b.p[4], STORE_HLL_DENSE);
    ASSERT_EQ(b.len, STORE_HLL_DENSE_SIZE);
    ASSERT(store_hll_valid(b.p, b.len));

    /* The dense value holds the same registers as a sparse one built with
     * no size limit. */
    struct store_hll_buf s = hll_new();
    ASSERT(add_range(&s, 0, 1684, 1 << 20) >= 0);
    ASSERT_EQ(s.p[4], STORE_HLL_SPARSE);
    uint8_t m1[STORE_HLL_REGISTERS] = {0}, m2[STORE_HLL_REGISTERS] = {0};
    ASSERT_OK(store_hll_merge(m1, b.p, b.len));
    ASSERT_OK(store_hll_merge(m2, s.p, s.len));
    ASSERT(memcmp(m1, m2, sizeof(m1)) == 0);
    ASSERT_EQ(count(&b), count(&s));

    /* A value above 32 cannot be sparse. */
    struct store_hll_buf v = hll_new();
    ASSERT_EQ(store_hll_set(&v, 5, 33, 3000), 1);
    ASSERT_EQ(v.p[4], STORE_HLL_DENSE);
    free(v.p);
    free(s.p);
    free(b.p);
}

TEST(dense_register_layout)
{
    struct store_hll_buf b = hll_new();
    ASSERT_OK(store_hll_to_dense(&b));
    ASSERT_EQ(b.len, STORE_HLL_DENSE_SIZE);
    /* Register i is 6 bits at bit 6i, least significant bit first. */
    ASSERT_EQ(store_hll_set(&b, 0, 63, 0), 1);
    ASSERT_EQ(b.p[16], 0x3f);
    ASSERT_EQ(store_hll_set(&b, 1, 1, 0), 1);
    ASSERT_EQ(b.p[16], 0x7f);
    ASSERT_EQ(b.p[17], 0x00);
    ASSERT_EQ(store_hll_set(&b, 1, 63, 0), 1);
    ASSERT_EQ(b.p[16], 0xff);
    ASSERT_EQ(b.p[17], 0x0f);
    ASSERT_EQ(store_hll_set(&b, 1, 5, 0), 0);   /* lower: no change */
    ASSERT_EQ(store_hll_set(&b, STORE_HLL_REGISTERS - 1, 51, 0), 1);
    ASSERT_EQ(b.p[STORE_HLL_DENSE_SIZE - 1], 51 << 2);
    uint8_t m[STORE_HLL_REGISTERS] = {0};
    ASSERT_OK(store_hll_merge(m, b.p, b.len));
    ASSERT_EQ(m[0], 63);
    ASSERT_EQ(m[1], 63);
    ASSERT_EQ(m[2], 0);
    ASSERT_EQ(m[STORE_HLL_REGISTERS - 1], 51);
    free(b.p);
}

TEST(merge_is_union)
{
    struct store_hll_buf a = hll_new(), b = hll_new(), all = hll_new();
    ASSERT(add_range(&a, 0, 3000, 3000) >= 0);
    ASSERT(add_range(&b, 2000, 5000, 3000) >= 0);
    ASSERT(add_range(&all, 0, 5000, 3000) >= 0);
    uint8_t m[STORE_HLL_REGISTERS] = {0}, w[STORE_HLL_REGISTERS] = {0};
    ASSERT_OK(store_hll_merge(m, a.p, a.len));
    ASSERT_OK(store_hll_merge(m, b.p, b.len));
    ASSERT_OK(store_hll_merge(w, all.p, all.len));
    ASSERT(memcmp(m, w, sizeof(m)) == 0);
    ASSERT_EQ(store_hll_count_raw(m), count(&all));

    /* Setting every merged register into an empty value gives the same
     * registers too. */
    struct store_hll_buf d = hll_new();
    for (unsigned i = 0; i < STORE_HLL_REGISTERS; i++)
        if (m[i])
            ASSERT(store_hll_set(&d, i, m[i], 3000) >= 0);
    uint8_t m2[STORE_HLL_REGISTERS] = {0};
    ASSERT_OK(store_hll_merge(m2, d.p, d.len));
    ASSERT(memcmp(m, m2, sizeof(m)) == 0);
    free(d.p);
    free(a.p);
    free(b.p);
    free(all.p);
}

/* The 8-registers-a-word passes (store_hll_set_all, dense merge) give
 * the bytes and registers of setting each register on its own, for every
 * value 0..63 in every position of a word. */
TEST(set_all_matches_register_by_register)
{
    static uint8_t regs[STORE_HLL_REGISTERS];
    uint64_t x = 88172645463325252u;
    for (unsigned i = 0; i < STORE_HLL_REGISTERS; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        regs[i] = i < 64 * 8 ? (uint8_t)((i / 8 + i % 8) & 63)
                             : (uint8_t)(x % 64);
    }
    struct store_hll_buf one = hll_new(), all = hll_new();
    ASSERT_OK(store_hll_to_dense(&one));
    ASSERT_OK(store_hll_to_dense(&all));
    for (unsigned i = 0; i < STORE_HLL_REGISTERS; i++)
        ASSERT(store_hll_set(&one, i, regs[i], 0) >= 0);
    memset(all.p + STORE_HLL_HDR, 0xff, all.len - STORE_HLL_HDR);
    ASSERT_OK(store_hll_set_all(&all, regs));
    ASSERT(memcmp(one.p, all.p, one.len) == 0);
    static uint8_t m[STORE_HLL_REGISTERS];
    ASSERT_OK(store_hll_merge(m, all.p, all.len));
    ASSERT(memcmp(m, regs, sizeof(m)) == 0);
    /* Merging keeps the larger register of each pair. */
    static uint8_t half[STORE_HLL_REGISTERS];
    for (unsigned i = 0; i < STORE_HLL_REGISTERS; i++)
        half[i] = (uint8_t)(63 - regs[i]);
    ASSERT_OK(store_hll_merge(half, all.p, all.len));
    for (unsigned i = 0; i < STORE_HLL_REGISTERS; i++)
        ASSERT_EQ(half[i], regs[i] > 63 - regs[i] ? regs[i] : 63 - regs[i]);
    struct store_hll_buf sparse = hll_new();
    ASSERT_EQ(store_hll_set_all(&sparse, regs), STORE_HLL_INVALID);
    free(sparse.p);
    free(one.p);
    free(all.p);
}

TEST(broken_sparse_values)
{
    uint8_t m[STORE_HLL_REGISTERS] = {0};
    int invalid;
    /* Covers only 64 registers. */
    unsigned char shortv[] = "HYLL\x01\0\0\0\0\0\0\0\0\0\0\x80\x3f";
    ASSERT_EQ(store_hll_merge(m, shortv, 17), STORE_HLL_INVALID);
    store_hll_count(shortv, 17, &invalid);
    ASSERT_EQ(invalid, 1);
    struct store_hll_buf b = { malloc(17), 17, 17 };
    memcpy(b.p, shortv, 17);
    ASSERT_EQ(store_hll_set(&b, 100, 3, 3000), STORE_HLL_INVALID);
    ASSERT_EQ(store_hll_to_dense(&b), STORE_HLL_INVALID);
    ASSERT_EQ(b.p[4], STORE_HLL_SPARSE);
    /* A register inside the covered part can still be set. */
    ASSERT_EQ(store_hll_set(&b, 3, 3, 3000), 1);
    free(b.p);

    /* Too many registers: two full XZEROs. */
    unsigned char longv[] = "HYLL\x01\0\0\0\0\0\0\0\0\0\0\x80\x7f\xff\x7f\xff";
    ASSERT_EQ(store_hll_merge(m, longv, 20), STORE_HLL_INVALID);
    store_hll_count(longv, 20, &invalid);
    ASSERT_EQ(invalid, 1);

    /* All registers covered, then a VAL run past the end: broken too. */
    unsigned char over[] = "HYLL\x01\0\0\0\0\0\0\0\0\0\0\x80\x7f\xff\xfc";
    ASSERT_EQ(store_hll_merge(m, over, 19), STORE_HLL_INVALID);
    store_hll_count(over, 19, &invalid);
    ASSERT_EQ(invalid, 1);
    b = (struct store_hll_buf){ malloc(19), 19, 19 };
    memcpy(b.p, over, 19);
    ASSERT_EQ(store_hll_to_dense(&b), STORE_HLL_INVALID);
    ASSERT_EQ(store_hll_set(&b, 7, 40, 3000), STORE_HLL_INVALID);
    free(b.p);
}

TEST(counts_match_redis)
{
    struct store_hll_buf b = hll_new();
    ASSERT(add_range(&b, 0, 100, 3000) >= 0);
    ASSERT_EQ(count(&b), 100);
    ASSERT_EQ(b.len, 285);
    ASSERT(add_range(&b, 100, 1000, 3000) >= 0);
    ASSERT_EQ(count(&b), 1008);
    ASSERT_EQ(b.len, 1906);
    ASSERT(add_range(&b, 1000, 100000, 3000) >= 0);
    ASSERT_EQ(count(&b), 100853);   /* 0.85% off */
    ASSERT(add_range(&b, 100000, 1000000, 3000) >= 0);
    ASSERT_EQ(count(&b), 991657);   /* 0.83% off */
    ASSERT_EQ(b.p[4], STORE_HLL_DENSE);
    free(b.p);
}

TEST(counts_within_error)
{
    /* The standard error with 2^14 registers is 0.81%; allow 3 sigma on
     * random 8-byte elements at several sizes. */
    uint64_t x = 0x9E3779B97F4A7C15u;
    struct store_hll_buf b = hll_new();
    uint64_t added = 0;
    static const uint64_t sizes[] = { 1000, 20000, 200000, 1000000 };
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        while (added < sizes[s]) {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            uint64_t v = x * 0x2545F4914F6CDD1Du;
            ASSERT(store_hll_add(&b, &v, sizeof(v), 3000) >= 0);
            added++;
        }
        double err = ((double)count(&b) - (double)added) / (double)added;
        ASSERT(err < 0.0243 && err > -0.0243);
    }
    free(b.p);
}

/* Collects sparse opcodes as text, "z3 Z100 v2x1 ". */
static void op_text(char kind, unsigned len, unsigned val, void *ctx)
{
    char *out = ctx;
    size_t n = strlen(out);
    if (kind == 'v')
        snprintf(out + n, 256 - n, "v%ux%u ", val, len);
    else
        snprintf(out + n, 256 - n, "%c%u ", kind, len);
}

TEST(inspection)
{
    struct store_hll_buf b = hll_new();
    char text[256] = "";
    store_hll_sparse_ops(b.p, b.len, op_text, text);
    ASSERT_STR_EQ(text, "Z16384 ");
    ASSERT_EQ(store_hll_set(&b, 10, 3, 3000), 1);
    ASSERT_EQ(store_hll_set(&b, 11, 3, 3000), 1);
    ASSERT_EQ(store_hll_set(&b, 100, 1, 3000), 1);
    text[0] = 0;
    store_hll_sparse_ops(b.p, b.len, op_text, text);
    ASSERT_STR_EQ(text, "z10 v3x2 Z88 v1x1 Z16283 ");
    ASSERT_OK(store_hll_to_dense(&b));
    ASSERT_EQ(store_hll_register(b.p, 9), 0);
    ASSERT_EQ(store_hll_register(b.p, 10), 3);
    ASSERT_EQ(store_hll_register(b.p, 11), 3);
    ASSERT_EQ(store_hll_register(b.p, 100), 1);
    free(b.p);
}

TEST(selftest_passes)
{
    char what[160] = "";
    ASSERT_EQ(store_hll_selftest(12345, what, sizeof(what)), 0);
    ASSERT_STR_EQ(what, "");
}

static const struct unit_test tests[] = {
    UNIT(inspection),
    UNIT(hash_and_pattern),
    UNIT(empty_value_and_header),
    UNIT(sparse_bytes_match_redis),
    UNIT(sparse_to_dense_promotion),
    UNIT(dense_register_layout),
    UNIT(merge_is_union),
    UNIT(set_all_matches_register_by_register),
    UNIT(broken_sparse_values),
    UNIT(counts_match_redis),
    UNIT(counts_within_error),
    UNIT(selftest_passes),
};

int main(void)
{
    return unit_run(tests, UNIT_COUNT(tests));
}
