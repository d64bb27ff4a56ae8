/* test_bits.c - unit tests for store/bits.c: single bits, Redis's
 * start/end rules, population count and bit search over ranges, BITOP,
 * bit fields read and written at every alignment, and BITFIELD's overflow
 * modes. Each fast path is checked against a naive bit-by-bit reference
 * on random buffers and ranges (fixed seed, so a failure replays), with
 * buffers long enough for the word-at-a-time loops to run. */
#include <stdint.h>

#include "store/store.h"
#include "tests/unit/unit.h"

/* xorshift64*: a fixed sequence independent of libc's rand(). */
static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Du;
}

/* Random bytes, often runs of 0x00 or 0xff so searches have to skip. */
static void fill(unsigned char *p, size_t n)
{
    int mode = (int)(rnd() % 4);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)rnd();
        if (mode == 1 && rnd() % 64)
            c = 0;
        else if (mode == 2 && rnd() % 64)
            c = 0xff;
        p[i] = c;
    }
}

/* ---- Naive references ---------------------------------------------------- */

static int ref_bit(const unsigned char *p, size_t n, uint64_t i)
{
    return i / 8 < n ? (p[i / 8] >> (7 - i % 8)) & 1 : 0;
}

static uint64_t ref_count(const unsigned char *p, size_t n, uint64_t from,
                          uint64_t to)
{
    uint64_t c = 0;
    for (uint64_t i = from; i <= to; i++)
        c += (uint64_t)ref_bit(p, n, i);
    return c;
}

static int64_t ref_pos(const unsigned char *p, size_t n, int bit,
                       uint64_t from, uint64_t to)
{
    for (uint64_t i = from; i <= to; i++)
        if (ref_bit(p, n, i) == bit)
            return (int64_t)i;
    return -1;
}

static uint64_t ref_field(const unsigned char *p, size_t n, uint64_t off,
                          unsigned bits)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < bits; i++)
        v = (v << 1) | (uint64_t)ref_bit(p, n, off + i);
    return v;
}

/* ---- Single bits -------------------------------------------------------- */

TEST(bit_get_and_set)
{
    unsigned char p[2] = { 0, 0 };
    ASSERT_EQ(store_bit_set(p, 1, 1), 0);
    ASSERT_EQ(p[0], 0x40);                 /* bit 1 is the second msb */
    ASSERT_EQ(store_bit_set(p, 1, 1), 1);
    ASSERT_EQ(store_bit_set(p, 15, 1), 0);
    ASSERT_EQ(p[1], 0x01);
    ASSERT_EQ(store_bit_get(p, 2, 1), 1);
    ASSERT_EQ(store_bit_get(p, 2, 0), 0);
    ASSERT_EQ(store_bit_get(p, 2, 15), 1);
    ASSERT_EQ(store_bit_get(p, 2, 16), 0); /* past the end */
    ASSERT_EQ(store_bit_get(p, 2, UINT64_C(1) << 40), 0);
    ASSERT_EQ(store_bit_set(p, 1, 0), 1);
    ASSERT_EQ(p[0], 0);
}

/* ---- Ranges ------------------------------------------------------------- */

TEST(range_rules)
{
    uint64_t f, t;
    /* Bytes: "foobar" is 6 bytes. */
    ASSERT(store_bits_range(0, -1, 0, 6, &f, &t));
    ASSERT_EQ(f, 0);
    ASSERT_EQ(t, 47);
    ASSERT(store_bits_range(1, 1, 0, 6, &f, &t));
    ASSERT_EQ(f, 8);
    ASSERT_EQ(t, 15);
    ASSERT(store_bits_range(-2, 100, 0, 6, &f, &t));  /* end clipped */
    ASSERT_EQ(f, 32);
    ASSERT_EQ(t, 47);
    ASSERT(store_bits_range(-100, -100, 0, 6, &f, &t)); /* both to 0 */
    ASSERT_EQ(f, 0);
    ASSERT_EQ(t, 7);
    ASSERT(!store_bits_range(3, 2, 0, 6, &f, &t));
    ASSERT(!store_bits_range(6, 10, 0, 6, &f, &t));
    ASSERT(!store_bits_range(0, -1, 0, 0, &f, &t));   /* empty string */
    ASSERT(!store_bits_range(0, 0, 1, 0, &f, &t));
    /* Bits. */
    ASSERT(store_bits_range(5, 30, 1, 6, &f, &t));
    ASSERT_EQ(f, 5);
    ASSERT_EQ(t, 30);
    ASSERT(store_bits_range(-3, -1, 1, 6, &f, &t));
    ASSERT_EQ(f, 45);
    ASSERT_EQ(t, 47);
    ASSERT(store_bits_range(INT64_MIN, INT64_MAX, 1, 6, &f, &t));
    ASSERT_EQ(f, 0);
    ASSERT_EQ(t, 47);
}

TEST(count_examples)
{
    const unsigned char *s = (const unsigned char *)"foobar";
    ASSERT_EQ(store_bits_count(s, 6, 0, 47), 26);
    ASSERT_EQ(store_bits_count(s, 6, 0, 7), 4);
    ASSERT_EQ(store_bits_count(s, 6, 8, 15), 6);
    ASSERT_EQ(store_bits_count(s, 6, 5, 30), 17);
    ASSERT_EQ(store_bits_count(s, 6, 1, 1), 1);
    ASSERT_EQ(store_bits_count(s, 6, 0, 0), 0);
}

TEST(pos_examples)
{
    unsigned char s[3] = { 0xff, 0xf0, 0x00 };
    ASSERT_EQ(store_bits_pos(s, 3, 0, 0, 23), 12);
    ASSERT_EQ(store_bits_pos(s, 3, 1, 0, 23), 0);
    ASSERT_EQ(store_bits_pos(s, 3, 1, 16, 23), -1);
    ASSERT_EQ(store_bits_pos(s, 3, 1, 7, 11), 7);
    ASSERT_EQ(store_bits_pos(s, 3, 0, 0, 11), -1);
    ASSERT_EQ(store_bits_pos(s, 3, 0, 2, 2), -1);
    ASSERT_EQ(store_bits_pos(s, 3, 1, 12, 23), -1);
    unsigned char ones[20];
    memset(ones, 0xff, sizeof(ones));
    ASSERT_EQ(store_bits_pos(ones, 20, 0, 0, 159), -1);
    ones[17] = 0xfe;
    ASSERT_EQ(store_bits_pos(ones, 20, 0, 0, 159), 143);
    ASSERT_EQ(store_bits_pos(ones, 20, 0, 144, 159), -1);
}

/* Every range of random buffers (short ones exhaustively) against the
 * naive loop, so partial edge bytes and the word loops are all covered. */
TEST(count_and_pos_random)
{
    unsigned char p[300];
    for (int round = 0; round < 400; round++) {
        size_t n = 1 + rnd() % (round < 100 ? 4 : sizeof(p));
        fill(p, n);
        uint64_t nbits = n * 8;
        for (int q = 0; q < 60; q++) {
            uint64_t a = rnd() % nbits, b = rnd() % nbits;
            if (a > b) {
                uint64_t x = a;
                a = b;
                b = x;
            }
            ASSERT_EQ(store_bits_count(p, n, a, b), ref_count(p, n, a, b));
            for (int bit = 0; bit <= 1; bit++)
                ASSERT_EQ(store_bits_pos(p, n, bit, a, b),
                          ref_pos(p, n, bit, a, b));
        }
    }
}

/* Lengths the scans and BITOP treat differently: all up to 70 (edge
 * bytes alone, 8-byte words, the first 32- and 64-byte blocks), then
 * around the later block boundaries. Returns how many it wrote to out. */
static size_t edge_lengths(size_t *out)
{
    static const size_t more[] = { 95,  96,  97,  127, 128, 129, 159, 160,
                                   161, 191, 192, 193, 255, 256, 257 };
    size_t k = 0;
    for (size_t n = 1; n <= 70; n++)
        out[k++] = n;
    for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++)
        out[k++] = more[i];
    return k;
}

/* Searches p, n bytes of what bit is not, with only bit j flipped to bit:
 * over the whole string, from a start inside a byte, in BYTE and BIT
 * ranges from store_bits_range, and in the ranges just before and after
 * j, which must find nothing. */
static void check_pos_at(int *unit_failed_, unsigned char *p, size_t n,
                         int bit, uint64_t j)
{
    uint64_t nbits = n * 8, f, t;
    unsigned char flip = (unsigned char)(0x80 >> (j % 8));
    p[j / 8] ^= flip;
    ASSERT_EQ(store_bits_pos(p, n, bit, 0, nbits - 1), j);
    uint64_t from = j - rnd() % (j + 1), to = j + rnd() % (nbits - j);
    ASSERT_EQ(store_bits_pos(p, n, bit, from, to), j);
    /* BYTE: from j's byte, counted from the end, on. */
    ASSERT(store_bits_range((int64_t)(j / 8) - (int64_t)n, -1, 0, n, &f, &t));
    ASSERT_EQ(store_bits_pos(p, n, bit, f, t), j);
    /* BIT: exactly j. */
    ASSERT(store_bits_range((int64_t)j, (int64_t)j, 1, n, &f, &t));
    ASSERT_EQ(store_bits_pos(p, n, bit, f, t), j);
    if (j > 0)
        ASSERT_EQ(store_bits_pos(p, n, bit, 0, j - 1), -1);
    if (j + 1 < nbits)
        ASSERT_EQ(store_bits_pos(p, n, bit, j + 1, nbits - 1), -1);
    p[j / 8] ^= flip;
}

/* One bit to find at every position of buffers of every edge length,
 * each buffer at every alignment. Then lengths around the kilobyte runs
 * store_bits_pos compares with memcmp, at two alignments, with the bit
 * at every position of the first 80 and the last 1100 bytes (the last
 * kilobyte, the words and bytes after it) and every 7th in between. */
TEST(pos_single_bit_everywhere)
{
    static const size_t longer[] = { 1023, 1024, 1025, 1026, 1056,
                                     2048, 2049, 2050, 3100 };
    static unsigned char buf[8 + 3100];
    size_t lens[100 + sizeof(longer) / sizeof(longer[0])];
    size_t nlens = edge_lengths(lens);
    for (size_t i = 0; i < sizeof(longer) / sizeof(longer[0]); i++)
        lens[nlens++] = longer[i];
    for (size_t li = 0; li < nlens; li++) {
        size_t n = lens[li];
        uint64_t nbits = n * 8;
        for (size_t align = 0; align < 8; align += n > 257 ? 3 : 1) {
            unsigned char *p = buf + align;
            for (int bit = 0; bit <= 1; bit++) {
                memset(p, bit ? 0x00 : 0xff, n);
                ASSERT_EQ(store_bits_pos(p, n, bit, 0, nbits - 1), -1);
                for (uint64_t j = 0; j < nbits; j++) {
                    if (n > 257 && j >= 8 * 80 && j < nbits - 8 * 1100 &&
                        j % 7)
                        continue;
                    check_pos_at(unit_failed_, p, n, bit, j);
                    if (*unit_failed_)
                        return;
                }
            }
        }
    }
}

/* ---- BITOP -------------------------------------------------------------- */

TEST(bitop_random)
{
    unsigned char a[70], b[70], c[70], out[70];
    for (int round = 0; round < 300; round++) {
        size_t la = rnd() % 70, lb = rnd() % 70, lc = rnd() % 70;
        fill(a, la);
        fill(b, lb);
        fill(c, lc);
        const unsigned char *src[3] = { la ? a : NULL, lb ? b : NULL,
                                        lc ? c : NULL };
        size_t len[3] = { la, lb, lc };
        size_t n = la > lb ? la : lb;
        n = n > lc ? n : lc;
        for (int op = STORE_BITOP_AND; op <= STORE_BITOP_XOR; op++) {
            memset(out, 0xAA, sizeof(out));
            store_bits_op((enum store_bitop)op, out, n, src, len, 3);
            for (size_t i = 0; i < n; i++) {
                unsigned x = i < la ? a[i] : 0, y = i < lb ? b[i] : 0,
                         z = i < lc ? c[i] : 0;
                unsigned want = op == STORE_BITOP_AND  ? x & y & z
                                : op == STORE_BITOP_OR ? x | y | z
                                                       : x ^ y ^ z;
                ASSERT_EQ(out[i], want);
            }
        }
        if (la) {
            store_bits_op(STORE_BITOP_NOT, out, la, src, len, 1);
            for (size_t i = 0; i < la; i++)
                ASSERT_EQ(out[i], (unsigned char)~a[i]);
        }
    }
}

/* BITOP over every edge length with up to five sources of mixed lengths
 * (some missing), each at its own alignment, so the spans between the
 * lengths, the 64-byte blocks and the partial words are all run; then
 * again with dst as each source of full length (BITOP writing into one
 * of its own keys), which must give the same bytes. */
TEST(bitop_lengths_and_in_place)
{
    enum { MAXN = 257, MAXSRC = 5 };
    static unsigned char bufs[MAXSRC][8 + MAXN], out[8 + MAXN],
        self[8 + MAXN], want[MAXN];
    size_t lens[100];
    size_t nlens = edge_lengths(lens);
    for (size_t li = 0; li < nlens; li++) {
        size_t n = lens[li];
        for (int round = 0; round < 6; round++) {
            size_t nsrc = 1 + rnd() % MAXSRC, full = rnd() % nsrc;
            const unsigned char *src[MAXSRC];
            size_t len[MAXSRC];
            for (size_t k = 0; k < nsrc; k++) {
                /* Half the sources as long as the result, as in BITOP of
                 * equal bitmaps; one always is. */
                len[k] = k == full || rnd() % 2 ? n : rnd() % (n + 1);
                unsigned char *b = bufs[k] + rnd() % 8;
                fill(b, len[k]);
                src[k] = len[k] ? b : NULL;
            }
            unsigned char *o = out + rnd() % 8;
            for (int op = STORE_BITOP_AND; op <= STORE_BITOP_NOT; op++) {
                size_t ns = op == STORE_BITOP_NOT ? 1 : nsrc;
                if (op == STORE_BITOP_NOT && len[0] != n)
                    continue;
                for (size_t i = 0; i < n; i++) {
                    unsigned v = i < len[0] ? src[0][i] : 0;
                    for (size_t k = 1; k < ns; k++) {
                        unsigned x = i < len[k] ? src[k][i] : 0;
                        v = op == STORE_BITOP_AND  ? v & x
                            : op == STORE_BITOP_OR ? v | x
                                                   : v ^ x;
                    }
                    want[i] = (unsigned char)(op == STORE_BITOP_NOT ? ~v : v);
                }
                memset(o, 0xAA, n);
                store_bits_op((enum store_bitop)op, o, n, src, len, ns);
                ASSERT(memcmp(o, want, n) == 0);
                for (size_t k = 0; k < ns; k++) {
                    if (len[k] != n)
                        continue;
                    unsigned char *d = self + ((uintptr_t)src[k] & 7);
                    const unsigned char *keep = src[k];
                    memcpy(d, keep, n);
                    src[k] = d;
                    store_bits_op((enum store_bitop)op, d, n, src, len, ns);
                    src[k] = keep;
                    ASSERT(memcmp(d, want, n) == 0);
                }
            }
        }
    }
}

TEST(bitop_single_source_copies)
{
    const unsigned char *src[1] = { (const unsigned char *)"\x0f\xf0" };
    size_t len[1] = { 2 };
    unsigned char out[2];
    store_bits_op(STORE_BITOP_AND, out, 2, src, len, 1);
    ASSERT_EQ(out[0], 0x0f);
    ASSERT_EQ(out[1], 0xf0);
}

/* ---- Bit fields --------------------------------------------------------- */

TEST(field_get_examples)
{
    unsigned char p[2] = { 0x12, 0x34 };
    ASSERT_EQ(store_bits_field_get(p, 2, 0, 8), 0x12);
    ASSERT_EQ(store_bits_field_get(p, 2, 4, 8), 0x23);
    ASSERT_EQ(store_bits_field_get(p, 2, 12, 8), 0x40); /* zero-padded */
    ASSERT_EQ(store_bits_field_get(p, 2, 100, 64), 0);
    ASSERT_EQ(store_bits_sign_extend(0x80, 8), -128);
    ASSERT_EQ(store_bits_sign_extend(0x7f, 8), 127);
    ASSERT_EQ(store_bits_sign_extend(1, 1), -1);
    ASSERT_EQ(store_bits_sign_extend(UINT64_MAX, 64), -1);
    unsigned char ff[9];
    memset(ff, 0xff, sizeof(ff));
    ASSERT(store_bits_field_get(ff, 9, 7, 64) == UINT64_MAX);
    ASSERT_EQ(store_bits_field_get(ff, 9, 3, 63), INT64_MAX);
}

/* Reads and writes of every width at random offsets against the naive
 * reference, checking that a write touches no bit outside its field. */
TEST(field_random)
{
    unsigned char p[24], before[24];
    for (int round = 0; round < 20000; round++) {
        fill(p, sizeof(p));
        unsigned bits = 1 + (unsigned)(rnd() % 64);
        uint64_t off = rnd() % (sizeof(p) * 8 + 16);
        size_t n = 1 + rnd() % sizeof(p);
        ASSERT(store_bits_field_get(p, n, off, bits) ==
               ref_field(p, n, off, bits));
        if (off + bits > sizeof(p) * 8)
            continue;
        memcpy(before, p, sizeof(p));
        uint64_t v = rnd();
        store_bits_field_set(p, off, bits, v);
        uint64_t want = bits == 64 ? v : v & ((UINT64_C(1) << bits) - 1);
        ASSERT(store_bits_field_get(p, sizeof(p), off, bits) == want);
        for (uint64_t i = 0; i < sizeof(p) * 8; i++)
            if (i < off || i >= off + bits)
                ASSERT_EQ(ref_bit(p, sizeof(p), i),
                          ref_bit(before, sizeof(p), i));
    }
}

static uint64_t add(int sign, unsigned bits, int64_t value, int64_t incr,
                    enum store_bits_overflow mode, int *dir)
{
    uint64_t out = 12345;
    *dir = store_bits_field_add(sign, bits, (uint64_t)value, incr, mode,
                                &out);
    return out;
}

TEST(overflow_modes)
{
    int d;
    /* u2 holds 0..3. */
    ASSERT_EQ(add(0, 2, 3, 1, STORE_BITS_WRAP, &d), 0);
    ASSERT_EQ(d, 1);
    ASSERT_EQ(add(0, 2, 3, 1, STORE_BITS_SAT, &d), 3);
    ASSERT_EQ(add(0, 2, 0, -1, STORE_BITS_SAT, &d), 0);
    ASSERT_EQ(d, -1);
    ASSERT_EQ(add(0, 2, 0, -1, STORE_BITS_WRAP, &d), 3);
    ASSERT_EQ(add(0, 2, 1, 2, STORE_BITS_FAIL, &d), 3);
    ASSERT_EQ(d, 0);
    ASSERT_EQ(add(0, 2, 1, 3, STORE_BITS_FAIL, &d), 12345); /* untouched */
    ASSERT_EQ(d, 1);
    /* SET of a negative number to an unsigned field is above the max. */
    ASSERT_EQ(add(0, 8, -1, 0, STORE_BITS_SAT, &d), 255);
    ASSERT_EQ(d, 1);
    ASSERT_EQ(add(0, 8, -1, 0, STORE_BITS_WRAP, &d), 255);
    ASSERT_EQ(add(0, 8, -256, 0, STORE_BITS_WRAP, &d), 0);
    ASSERT_EQ(add(0, 63, INT64_MAX, 0, STORE_BITS_SAT, &d), INT64_MAX);
    ASSERT_EQ(d, 0);                       /* u63 holds INT64_MAX */
    ASSERT_EQ(add(0, 63, INT64_MAX, 1, STORE_BITS_SAT, &d), INT64_MAX);
    ASSERT_EQ(d, 1);
    ASSERT_EQ(add(0, 63, 0, INT64_MIN, STORE_BITS_SAT, &d), 0);
    ASSERT_EQ(d, -1);
    /* i8 holds -128..127. */
    ASSERT_EQ((int64_t)add(1, 8, 127, 1, STORE_BITS_WRAP, &d), -128);
    ASSERT_EQ(d, 1);
    ASSERT_EQ((int64_t)add(1, 8, 127, 1, STORE_BITS_SAT, &d), 127);
    ASSERT_EQ((int64_t)add(1, 8, -128, -1, STORE_BITS_SAT, &d), -128);
    ASSERT_EQ(d, -1);
    ASSERT_EQ((int64_t)add(1, 8, -128, -1, STORE_BITS_WRAP, &d), 127);
    ASSERT_EQ((int64_t)add(1, 8, 200, 0, STORE_BITS_WRAP, &d), -56);
    ASSERT_EQ((int64_t)add(1, 1, 0, -1, STORE_BITS_FAIL, &d), -1);
    ASSERT_EQ(d, 0);
    /* Redis's quirk: SET of a value so low that max - value passes
     * INT64_MAX saturates to the max (127 for i8 from here down). */
    ASSERT_EQ((int64_t)add(1, 8, INT64_MIN + 127, 0, STORE_BITS_SAT, &d),
              127);
    ASSERT_EQ(d, 1);
    ASSERT_EQ((int64_t)add(1, 8, INT64_MIN + 128, 0, STORE_BITS_SAT, &d),
              -128);
    ASSERT_EQ(d, -1);
    ASSERT_EQ((int64_t)add(1, 8, INT64_MIN + 127, 0, STORE_BITS_WRAP, &d),
              127);
    /* i64: the sum is exact, no wrap in the check itself. */
    ASSERT_EQ((int64_t)add(1, 64, INT64_MAX, 1, STORE_BITS_SAT, &d),
              INT64_MAX);
    ASSERT_EQ(d, 1);
    ASSERT_EQ((int64_t)add(1, 64, INT64_MAX, 1, STORE_BITS_WRAP, &d),
              INT64_MIN);
    ASSERT_EQ((int64_t)add(1, 64, INT64_MIN, -1, STORE_BITS_SAT, &d),
              INT64_MIN);
    ASSERT_EQ(d, -1);
    ASSERT_EQ((int64_t)add(1, 64, -5, INT64_MIN + 5, STORE_BITS_FAIL, &d),
              INT64_MIN);
    ASSERT_EQ(d, 0);
    ASSERT_EQ((int64_t)add(1, 64, INT64_MAX, INT64_MIN, STORE_BITS_FAIL, &d),
              -1);
    ASSERT_EQ(d, 0);
}

/* The overflow decision against a reference that counts in 128 bits
 * without any of the shortcuts, for random widths, values and steps. */
TEST(overflow_random)
{
    for (int round = 0; round < 100000; round++) {
        int sign = (int)(rnd() & 1);
        unsigned bits = 1 + (unsigned)(rnd() % (sign ? 64 : 63));
        __int128 max = sign ? ((__int128)1 << (bits - 1)) - 1
                            : ((__int128)1 << bits) - 1;
        __int128 min = sign ? -max - 1 : 0;
        int64_t value, incr;
        if (rnd() % 4) {
            /* A value the field can hold, as INCRBY reads it. */
            uint64_t raw = rnd();
            if (bits < 64)
                raw &= (UINT64_C(1) << bits) - 1;
            value = sign ? store_bits_sign_extend(raw, bits) : (int64_t)raw;
            incr = (int64_t)(rnd() >> (rnd() % 64));
            if (rnd() & 1)
                incr = -incr;
        } else {
            value = (int64_t)rnd();              /* SET: anything */
            incr = 0;
        }
        __int128 sum = sign ? (__int128)value + incr
                            : (__int128)(uint64_t)value + incr;
        int want = sum > max ? 1 : sum < min ? -1 : 0;
        /* Redis's check computes max - value in 64 bits: past INT64_MAX
         * it wraps, and the value counts as above the field. */
        if (sign && bits < 64 && (__int128)value < max - INT64_MAX)
            want = 1;
        for (int mode = STORE_BITS_WRAP; mode <= STORE_BITS_FAIL; mode++) {
            int d;
            uint64_t out = add(sign, bits, value, incr,
                               (enum store_bits_overflow)mode, &d);
            ASSERT_EQ(d, want);
            uint64_t low = (uint64_t)value + (uint64_t)incr;
            if (bits < 64)
                low &= (UINT64_C(1) << bits) - 1;
            uint64_t wrapped = sign ? (uint64_t)store_bits_sign_extend(low,
                                                                       bits)
                                    : low;
            if (want == 0 || mode == STORE_BITS_WRAP)
                ASSERT(out == wrapped);
            else if (mode == STORE_BITS_SAT)
                ASSERT(out == (uint64_t)(int64_t)(want > 0 ? max : min));
            else
                ASSERT_EQ(out, 12345);
        }
    }
}

static const struct unit_test tests[] = {
    UNIT(bit_get_and_set),
    UNIT(range_rules),
    UNIT(count_examples),
    UNIT(pos_examples),
    UNIT(count_and_pos_random),
    UNIT(pos_single_bit_everywhere),
    UNIT(bitop_random),
    UNIT(bitop_lengths_and_in_place),
    UNIT(bitop_single_source_copies),
    UNIT(field_get_examples),
    UNIT(field_random),
    UNIT(overflow_modes),
    UNIT(overflow_random),
};

int main(void)
{
    return unit_run(tests, UNIT_COUNT(tests));
}
