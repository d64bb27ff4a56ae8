/* hll.c - HyperLogLog over byte buffers, in Redis's own string format, so
 * a value written here reads back byte for byte as Redis writes it and a
 * value copied from Redis counts the same.
 *
 * Layout: a 16-byte header, then the registers.
 *
 *     "HYLL" | enc | 0 0 0 | card[8], little endian
 *
 * enc is 0 (dense) or 1 (sparse). card caches the last count; its top bit
 * (bit 7 of byte 15) set means "stale". There are 2^14 registers; an
 * element hashes (MurmurHash64A, seed 0xadc83b19) to 64 bits, the low 14
 * pick the register and the register keeps the largest 1 + (trailing
 * zeros of the other 50 bits, with bit 50 forced on), so 1..51.
 *
 * Dense: 6 bits per register, register i at bit 6i counted from the
 * least significant bit of each byte, 12288 bytes. Sparse: a run-length
 * code of opcodes,
 *
 *     00xxxxxx           ZERO:  x+1 (1..64) registers at 0
 *     01xxxxxx yyyyyyyy  XZERO: (x<<8 | y)+1 (1..16384) registers at 0
 *     1vvvvvxx           VAL:   x+1 (1..4) registers at v+1 (1..32)
 *
 * A sparse write splits the opcode covering the register into at most
 * five (zeros or old value before, the new value, after), then merges
 * equal neighbouring VALs over a short window. It becomes dense when a
 * value above 32 comes or when growing would pass sparse_max bytes (the
 * hll-sparse-max-bytes directive, counting the header). These rules, and
 * the order of the opcodes they produce, are what make the bytes equal to
 * Redis's, so they are kept exactly even where another split would be
 * shorter.
 *
 * The count is Otmar Ertl's improved estimator ("New cardinality
 * estimation algorithms for HyperLogLog sketches", 2017) over the register
 * histogram: registers above 51 (possible only in a hand-made value) are
 * left out of it, as Redis leaves them out.
 *
 * Also here: the register and opcode readers behind PFDEBUG, and
 * PFSELFTEST's checks.
 *
 * Deliberately not here: keys, the WRONGTYPE/INVALIDOBJ replies and
 * whether to write back the cached count, which are the server's. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

#define P 14
#define Q (64 - P)
#define M STORE_HLL_REGISTERS
#define HDR STORE_HLL_HDR
#define ZERO_MAX 64
#define XZERO_MAX 16384
#define VAL_MAX 32
#define VAL_RUN_MAX 4

/* ---- Hash ---------------------------------------------------------------- */

/* See store.h. Austin Appleby's MurmurHash64A, reading little-endian
 * words whatever the host. */
uint64_t store_hll_hash(const void *key, size_t len, uint64_t seed)
{
    const uint64_t m = 0xc6a4a7935bd1e995ull;
    const int r = 47;
    const unsigned char *d = key;
    uint64_t h = seed ^ ((uint64_t)len * m);
    size_t words = len / 8;
    for (size_t i = 0; i < words; i++, d += 8) {
        uint64_t k = 0;
        for (int b = 7; b >= 0; b--)
            k = k << 8 | d[b];
        k *= m;
        k ^= k >> r;
        k *= m;
        h ^= k;
        h *= m;
    }
    size_t tail = len & 7;
    if (tail) {
        for (size_t b = tail; b-- > 0;)
            h ^= (uint64_t)d[b] << (8 * b);
        h *= m;
    }
    h ^= h >> r;
    h *= m;
    h ^= h >> r;
    return h;
}

/* See store.h. */
unsigned store_hll_pattern(const void *ele, size_t len, unsigned *reg)
{
    uint64_t h = store_hll_hash(ele, len, 0xadc83b19ull);
    *reg = (unsigned)(h & (M - 1));
    h >>= P;
    h |= (uint64_t)1 << Q;
    unsigned count = 1;
    while (!(h & 1)) {
        count++;
        h >>= 1;
    }
    return count;
}

/* ---- Header -------------------------------------------------------------- */

/* See store.h. */
int store_hll_valid(const unsigned char *p, size_t n)
{
    if (n < HDR || memcmp(p, "HYLL", 4) != 0 || p[4] > STORE_HLL_SPARSE)
        return 0;
    return p[4] != STORE_HLL_DENSE || n == STORE_HLL_DENSE_SIZE;
}

/* See store.h. */
void store_hll_init(unsigned char *p)
{
    memset(p, 0, STORE_HLL_EMPTY_SIZE);
    memcpy(p, "HYLL", 4);
    p[4] = STORE_HLL_SPARSE;
    p[HDR] = 0x40 | ((XZERO_MAX - 1) >> 8);
    p[HDR + 1] = (XZERO_MAX - 1) & 0xff;
}

/* See store.h. */
int store_hll_cached(const unsigned char *p, uint64_t *card)
{
    if (p[15] & 0x80)
        return 0;
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[8 + i];
    *card = v;
    return 1;
}

/* See store.h. */
void store_hll_cache_set(unsigned char *p, uint64_t card)
{
    for (int i = 0; i < 8; i++)
        p[8 + i] = (unsigned char)(card >> (8 * i));
}

/* See store.h. */
void store_hll_invalidate(unsigned char *p)
{
    p[15] |= 0x80;
}

/* ---- Dense registers ----------------------------------------------------- */

static unsigned dense_get(const unsigned char *r, unsigned i)
{
    size_t bit = (size_t)i * 6, byte = bit / 8;
    unsigned fb = bit & 7;
    unsigned v = r[byte] >> fb;
    if (fb > 2)
        v |= (unsigned)r[byte + 1] << (8 - fb);
    return v & 63;
}

static void dense_put(unsigned char *r, unsigned i, unsigned v)
{
    size_t bit = (size_t)i * 6, byte = bit / 8;
    unsigned fb = bit & 7;
    r[byte] = (unsigned char)((r[byte] & ~(63u << fb)) | (v << fb));
    if (fb > 2) {
        unsigned sh = 8 - fb;
        r[byte + 1] = (unsigned char)((r[byte + 1] & ~(63u >> sh)) |
                                      (v >> sh));
    }
}

/* Every 8 registers fill 6 bytes exactly (8 x 6 bits, lowest first), so
 * whole-value passes take them 8 at a time, one register a byte of a
 * 64-bit word, instead of locating each register's bits on its own. */
/* n <= 8 bytes at p as a little-endian number, and back: one unaligned
 * load or store on a little-endian host, else byte by byte. */
static uint64_t load_le(const unsigned char *p, size_t n)
{
    uint64_t w = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(&w, p, n);
#else
    for (size_t i = 0; i < n; i++)
        w |= (uint64_t)p[i] << (8 * i);
#endif
    return w;
}

static void store_le(unsigned char *p, uint64_t w, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(p, &w, n);
#else
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(w >> (8 * i));
#endif
}

static uint64_t dense_unpack8(const unsigned char *b)
{
    uint64_t w = load_le(b, 6);
    /* 4 x 12 bits into 16-bit lanes, then each into 2 x 6 in bytes. */
    w = (w & 0xfff) | (w & 0xfff000) << 4 | (w & 0xfff000000) << 8 |
        (w & 0xfff000000000) << 12;
    return (w & 0x003f003f003f003f) | (w & 0x0fc00fc00fc00fc0) << 2;
}

static void dense_pack8(unsigned char *b, uint64_t w)
{
    w = (w & 0x003f003f003f003f) | (w >> 2 & 0x0fc00fc00fc00fc0);
    w = (w & 0xfff) | (w >> 4 & 0xfff000) | (w >> 8 & 0xfff000000) |
        (w >> 12 & 0xfff000000000);
    store_le(b, w, 6);
}

/* The larger of each byte pair of a and b, every byte below 128: the
 * subtraction of each lane leaves its top bit set where a >= b. */
static uint64_t bytes_max(uint64_t a, uint64_t b)
{
    uint64_t ge = ((a | 0x8080808080808080) - b) & 0x8080808080808080;
    uint64_t mask = (ge >> 7) * 0xff;
    return (a & mask) | (b & ~mask);
}

/* ---- Sparse opcodes ------------------------------------------------------ */

#define IS_ZERO(p) ((*(p) & 0xc0) == 0)
#define IS_XZERO(p) ((*(p) & 0xc0) == 0x40)
#define ZERO_LEN(p) ((*(p) & 0x3f) + 1u)
#define VAL_VALUE(p) (((*(p) >> 2) & 0x1f) + 1u)
#define VAL_LEN(p) ((*(p) & 3) + 1u)

/* XZERO's length; its second byte may be missing at the very end of a
 * broken value, where Redis reads the terminating NUL. */
static unsigned xzero_len(const unsigned char *p, const unsigned char *end)
{
    return ((unsigned)(*p & 0x3f) << 8 | (p + 1 < end ? p[1] : 0)) + 1;
}

static unsigned char val_op(unsigned v, unsigned len)
{
    return (unsigned char)(0x80 | (v - 1) << 2 | (len - 1));
}

/* Writes a ZERO or XZERO run of len registers at q; returns its size. */
static size_t put_zeros(unsigned char *q, unsigned len)
{
    if (len > ZERO_MAX) {
        q[0] = (unsigned char)(0x40 | (len - 1) >> 8);
        q[1] = (unsigned char)((len - 1) & 0xff);
        return 2;
    }
    q[0] = (unsigned char)(len - 1);
    return 1;
}

/* Calls visit for every run of registers of a sparse body; returns the
 * number of registers covered (M if well formed). A VAL run that would
 * pass the last register ends the walk and makes the value broken even
 * when the runs before it cover exactly M registers (Redis 7.0.15 says
 * INVALIDOBJ there too). */
typedef void (*run_cb)(unsigned first, unsigned len, unsigned val,
                       void *ctx);
static size_t sparse_walk(const unsigned char *p, size_t n, run_cb visit,
                          void *ctx)
{
    const unsigned char *end = p + n;
    size_t idx = 0;
    while (p < end) {
        unsigned len, val = 0;
        if (IS_ZERO(p)) {
            len = ZERO_LEN(p);
            p++;
        } else if (IS_XZERO(p)) {
            len = xzero_len(p, end);
            p += 2;
        } else {
            len = VAL_LEN(p);
            val = VAL_VALUE(p);
            if (idx + len > M)
                return (size_t)M + 1;
            p++;
        }
        if (visit && idx < M)
            visit((unsigned)idx, len, val, ctx);
        idx += len;
    }
    return idx;
}

/* ---- Buffers -------------------------------------------------------------- */

static int buf_reserve(struct store_hll_buf *b, size_t need)
{
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap * 2 > need ? b->cap * 2 : need;
    unsigned char *p = realloc(b->p, cap);
    if (!p)
        return -1;
    b->p = p;
    b->cap = cap;
    return 0;
}

static void dense_fill(unsigned first, unsigned len, unsigned val, void *ctx)
{
    if (!val)
        return;
    unsigned char *r = ctx;
    for (unsigned i = 0; i < len; i++)
        dense_put(r, first + i, val);
}

/* See store.h. */
int store_hll_to_dense(struct store_hll_buf *b)
{
    if (b->p[4] == STORE_HLL_DENSE)
        return STORE_OK;
    unsigned char *d = calloc(1, STORE_HLL_DENSE_SIZE);
    if (!d)
        return STORE_NOMEM;
    if (sparse_walk(b->p + HDR, b->len - HDR, NULL, NULL) != M) {
        free(d);
        return STORE_HLL_INVALID;
    }
    sparse_walk(b->p + HDR, b->len - HDR, dense_fill, d + HDR);
    memcpy(d, b->p, HDR);   /* the magic and the cached count */
    d[4] = STORE_HLL_DENSE;
    if (buf_reserve(b, STORE_HLL_DENSE_SIZE) != 0) {
        free(d);
        return STORE_NOMEM;
    }
    memcpy(b->p, d, STORE_HLL_DENSE_SIZE);
    b->len = STORE_HLL_DENSE_SIZE;
    free(d);
    return STORE_OK;
}

/* Merges equal neighbouring VAL opcodes in the five opcodes from off. */
static void sparse_merge(struct store_hll_buf *b, size_t off)
{
    unsigned char *p = b->p + off, *end = b->p + b->len;
    int scan = 5;
    while (p < end && scan--) {
        if (IS_XZERO(p)) {
            p += 2;
            continue;
        }
        if (IS_ZERO(p)) {
            p++;
            continue;
        }
        if (p + 1 < end && !IS_ZERO(p + 1) && !IS_XZERO(p + 1) &&
            VAL_VALUE(p) == VAL_VALUE(p + 1)) {
            unsigned len = VAL_LEN(p) + VAL_LEN(p + 1);
            if (len <= VAL_RUN_MAX) {
                p[1] = val_op(VAL_VALUE(p), len);
                memmove(p, p + 1, (size_t)(end - p - 1));
                end--;
                b->len--;
                continue;   /* the merged run may merge again */
            }
        }
        p++;
    }
}

/* Raises register idx of a sparse value to count. Returns as
 * store_hll_set. */
static int sparse_set(struct store_hll_buf *b, unsigned idx, unsigned count,
                      size_t sparse_max)
{
    if (count > VAL_MAX)
        goto promote;
    /* Room for the split, plus one byte: an XZERO cut short at the end
     * (a broken value) is rewritten as if its missing byte were there,
     * and like Redis, which writes that byte over the string's NUL
     * terminator, we keep the length and drop the byte. */
    if (buf_reserve(b, b->len + 4) != 0)
        return STORE_NOMEM;
    unsigned char *start = b->p + HDR, *end = b->p + b->len, *p = start;
    unsigned char *prev = NULL;
    unsigned first = 0, span = 0, oplen = 1;
    while (p < end) {
        oplen = 1;
        if (IS_ZERO(p))
            span = ZERO_LEN(p);
        else if (IS_XZERO(p)) {
            span = xzero_len(p, end);
            oplen = 2;
        } else
            span = VAL_LEN(p);
        if (idx <= first + span - 1)
            break;
        prev = p;
        p += oplen;
        first += span;
    }
    if (span == 0 || p >= end)
        return STORE_HLL_INVALID;

    int is_zero = IS_ZERO(p), is_xzero = IS_XZERO(p);
    int is_val = !is_zero && !is_xzero;
    unsigned runlen = is_val ? VAL_LEN(p) : is_zero ? ZERO_LEN(p) : span;
    if (is_val) {
        if (VAL_VALUE(p) >= count)
            return 0;
        if (runlen == 1) {
            *p = val_op(count, 1);
            goto updated;
        }
    }
    if (is_zero && runlen == 1) {
        *p = val_op(count, 1);
        goto updated;
    }

    /* The general case: the opcode becomes up to five bytes. */
    unsigned char seq[5];
    size_t n = 0;
    unsigned last = first + span - 1;
    if (!is_val) {
        if (idx != first)
            n += put_zeros(seq + n, idx - first);
        seq[n++] = val_op(count, 1);
        if (idx != last)
            n += put_zeros(seq + n, last - idx);
    } else {
        unsigned cur = VAL_VALUE(p);
        if (idx != first)
            seq[n++] = val_op(cur, idx - first);
        seq[n++] = val_op(count, 1);
        if (idx != last)
            seq[n++] = val_op(cur, last - idx);
    }
    long delta = (long)n - (is_xzero ? 2 : 1);
    if (delta > 0 && b->len + (size_t)delta > sparse_max)
        goto promote;
    unsigned char *next = p + (is_xzero ? 2 : 1);
    if (delta && next < end)
        memmove(next + delta, next, (size_t)(end - next));
    b->len = (size_t)((long)b->len + delta);
    memcpy(p, seq, n);

updated:
    sparse_merge(b, (size_t)((prev ? prev : start) - b->p));
    return 1;

promote:;
    int rc = store_hll_to_dense(b);
    if (rc != STORE_OK)
        return rc;
    unsigned char *r = b->p + HDR;
    if (dense_get(r, idx) < count)
        dense_put(r, idx, count);
    return 1;
}

/* See store.h. */
int store_hll_set(struct store_hll_buf *b, unsigned idx, unsigned count,
                  size_t sparse_max)
{
    if (b->p[4] == STORE_HLL_DENSE) {
        unsigned char *r = b->p + HDR;
        if (dense_get(r, idx) >= count)
            return 0;
        dense_put(r, idx, count);
        return 1;
    }
    if (b->p[4] == STORE_HLL_SPARSE)
        return sparse_set(b, idx, count, sparse_max);
    return STORE_HLL_INVALID;
}

/* See store.h. */
int store_hll_set_all(struct store_hll_buf *b, const uint8_t *regs)
{
    if (b->p[4] != STORE_HLL_DENSE)
        return STORE_HLL_INVALID;
    for (unsigned i = 0; i < M; i += 8)
        dense_pack8(b->p + HDR + i / 8 * 6, load_le(regs + i, 8));
    return STORE_OK;
}

/* See store.h. */
int store_hll_add(struct store_hll_buf *b, const void *ele, size_t len,
                  size_t sparse_max)
{
    unsigned reg;
    unsigned count = store_hll_pattern(ele, len, &reg);
    return store_hll_set(b, reg, count, sparse_max);
}

/* ---- Inspection ---------------------------------------------------------- */

/* See store.h. */
unsigned store_hll_register(const unsigned char *p, unsigned i)
{
    return dense_get(p + HDR, i);
}

/* See store.h. */
void store_hll_sparse_ops(const unsigned char *p, size_t n,
                          store_hll_op_cb cb, void *ctx)
{
    const unsigned char *end = p + n;
    for (p += HDR; p < end;) {
        if (IS_ZERO(p)) {
            cb('z', ZERO_LEN(p), 0, ctx);
            p++;
        } else if (IS_XZERO(p)) {
            cb('Z', xzero_len(p, end), 0, ctx);
            p += 2;
        } else {
            cb('v', VAL_LEN(p), VAL_VALUE(p), ctx);
            p++;
        }
    }
}

/* ---- Merge and count ----------------------------------------------------- */

static void max_fill(unsigned first, unsigned len, unsigned val, void *ctx)
{
    uint8_t *max = ctx;
    for (unsigned i = 0; i < len && val; i++)
        if (val > max[first + i])
            max[first + i] = (uint8_t)val;
}

/* See store.h. */
int store_hll_merge(uint8_t *max, const unsigned char *p, size_t n)
{
    if (p[4] == STORE_HLL_DENSE) {
        for (unsigned i = 0; i < M; i += 8)
            store_le(max + i, bytes_max(load_le(max + i, 8),
                                        dense_unpack8(p + HDR + i / 8 * 6)), 8);
        return STORE_OK;
    }
    /* Runs past the last register are never written; the value is
     * reported broken after the walk. */
    if (sparse_walk(p + HDR, n - HDR, max_fill, max) != M)
        return STORE_HLL_INVALID;
    return STORE_OK;
}

/* Ertl's sigma and tau series, summed until the sum stops changing. */
static double hll_sigma(double x)
{
    if (x == 1.)
        return INFINITY;
    double y = 1, z = x, prev;
    do {
        x *= x;
        prev = z;
        z += x * y;
        y += y;
    } while (prev != z);
    return z;
}

static double hll_tau(double x)
{
    if (x == 0. || x == 1.)
        return 0.;
    double y = 1.0, z = 1 - x, prev;
    do {
        x = sqrt(x);
        prev = z;
        y *= 0.5;
        z -= (1 - x) * (1 - x) * y;
    } while (prev != z);
    return z / 3;
}

static uint64_t estimate(const int *histo)
{
    double m = M;
    double z = m * hll_tau((m - histo[Q + 1]) / m);
    for (int j = Q; j >= 1; j--) {
        z += histo[j];
        z *= 0.5;
    }
    z += m * hll_sigma(histo[0] / m);
    return (uint64_t)llround(0.721347520444481703680 * m * m / z);
}

static void histo_add(unsigned first, unsigned len, unsigned val, void *ctx)
{
    (void)first;
    ((int *)ctx)[val] += (int)len;
}

/* See store.h. */
uint64_t store_hll_count(const unsigned char *p, size_t n, int *invalid)
{
    int histo[64] = {0};
    *invalid = 0;
    if (p[4] == STORE_HLL_DENSE) {
        for (unsigned i = 0; i < M; i++)
            histo[dense_get(p + HDR, i)]++;
    } else if (sparse_walk(p + HDR, n - HDR, histo_add, histo) != M) {
        *invalid = 1;
        return 0;
    }
    return estimate(histo);
}

/* See store.h. */
uint64_t store_hll_count_raw(const uint8_t *max)
{
    int histo[64] = {0};
    for (unsigned i = 0; i < M; i++)
        histo[max[i] & 63]++;
    return estimate(histo);
}

/* ---- Self-test ------------------------------------------------------------ */

/* xorshift64*: the self-test's fixed sequence. */
static uint64_t st_next(uint64_t *x)
{
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    return *x * 0x2545F4914F6CDD1Dull;
}

/* Dense registers read back what was written, whatever the neighbours. */
static int selftest_registers(uint64_t *rnd, char *err, size_t errlen)
{
    uint8_t *want = malloc(M);
    unsigned char *r = calloc(1, STORE_HLL_DENSE_SIZE - HDR);
    int rc = 0;
    if (!r || !want) {
        rc = STORE_NOMEM;
        goto out;
    }
    for (int cycle = 0; cycle < 100; cycle++) {
        for (unsigned i = 0; i < M; i++) {
            want[i] = (uint8_t)(st_next(rnd) & 63);
            dense_put(r, i, want[i]);
        }
        for (unsigned i = 0; i < M; i++) {
            if (dense_get(r, i) != want[i]) {
                snprintf(err, errlen, "Register error at %u: %u vs %u", i,
                         dense_get(r, i), (unsigned)want[i]);
                rc = 1;
                goto out;
            }
        }
    }
out:
    free(r);
    free(want);
    return rc;
}

/* A sparse value written at random registers and converted holds the same
 * registers as a dense one given the same writes. */
static int selftest_sparse(uint64_t *rnd, char *err, size_t errlen)
{
    int rc = 0;
    for (int cycle = 0; cycle < 100 && rc == 0; cycle++) {
        struct store_hll_buf s = { malloc(STORE_HLL_EMPTY_SIZE),
                                   STORE_HLL_EMPTY_SIZE,
                                   STORE_HLL_EMPTY_SIZE };
        struct store_hll_buf d = { calloc(1, STORE_HLL_DENSE_SIZE),
                                   STORE_HLL_DENSE_SIZE,
                                   STORE_HLL_DENSE_SIZE };
        if (!s.p || !d.p) {
            rc = STORE_NOMEM;
            goto next;
        }
        store_hll_init(s.p);
        memcpy(d.p, "HYLL", 4);
        unsigned writes = (unsigned)(st_next(rnd) % 2000);
        for (unsigned k = 0; k < writes; k++) {
            unsigned idx = (unsigned)(st_next(rnd) % M);
            unsigned v = 1 + (unsigned)(st_next(rnd) % 32);
            /* The dense value never fails; the sparse one may run out of
             * memory (a changed register replies 1). */
            if (store_hll_set(&s, idx, v, (size_t)1 << 20) < 0) {
                rc = STORE_NOMEM;
                goto next;
            }
            store_hll_set(&d, idx, v, 0);
        }
        if ((rc = store_hll_to_dense(&s)) != STORE_OK)
            goto next;
        if (memcmp(s.p + HDR, d.p + HDR, STORE_HLL_DENSE_SIZE - HDR) != 0) {
            snprintf(err, errlen, "Sparse and dense registers disagree "
                     "after %u writes", writes);
            rc = 1;
        }
next:
        free(s.p);
        free(d.p);
    }
    return rc;
}

/* Counts of 10, 100, ... 10^7 distinct elements agree between a value
 * that starts sparse and one that starts dense, and are within five
 * standard errors of the truth. */
static int selftest_error(uint64_t *rnd, char *err, size_t errlen)
{
    struct store_hll_buf s = { malloc(STORE_HLL_EMPTY_SIZE),
                               STORE_HLL_EMPTY_SIZE, STORE_HLL_EMPTY_SIZE };
    struct store_hll_buf d = { calloc(1, STORE_HLL_DENSE_SIZE),
                               STORE_HLL_DENSE_SIZE, STORE_HLL_DENSE_SIZE };
    int rc = 0;
    if (!s.p || !d.p) {
        rc = STORE_NOMEM;
        goto out;
    }
    store_hll_init(s.p);
    memcpy(d.p, "HYLL", 4);
    uint64_t seed = st_next(rnd), checkpoint = 10;
    double relerr = 1.04 / sqrt((double)M);
    for (uint64_t j = 1; j <= 10000000; j++) {
        unsigned char ele[8];
        for (int b = 0; b < 8; b++)
            ele[b] = (unsigned char)((j ^ seed) >> (8 * b));
        if ((rc = store_hll_add(&s, ele, sizeof(ele), 3000)) < 0 ||
            (rc = store_hll_add(&d, ele, sizeof(ele), 3000)) < 0)
            goto out;
        rc = 0;
        if (j != checkpoint)
            continue;
        int bad;
        uint64_t cs = store_hll_count(s.p, s.len, &bad);
        uint64_t cd = store_hll_count(d.p, d.len, &bad);
        double abserr = fabs((double)cs - (double)j);
        double maxerr = relerr * 5 * (double)j;
        if (maxerr < 1)
            maxerr = 1;
        if (cs != cd || abserr > maxerr) {
            snprintf(err, errlen, "Too big error. card:%llu (dense %llu) "
                     "of %llu, abserr:%f",
                     (unsigned long long)cs, (unsigned long long)cd,
                     (unsigned long long)j, abserr);
            rc = 1;
            goto out;
        }
        checkpoint *= 10;
    }
out:
    free(s.p);
    free(d.p);
    return rc;
}

/* See store.h. */
int store_hll_selftest(uint64_t seed, char *err, size_t errlen)
{
    uint64_t rnd = seed | 1;
    int rc = selftest_registers(&rnd, err, errlen);
    if (rc == 0)
        rc = selftest_sparse(&rnd, err, errlen);
    if (rc == 0)
        rc = selftest_error(&rnd, err, errlen);
    return rc;
}
