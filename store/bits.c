/* bits.c - the arithmetic behind the bitmap commands (SETBIT GETBIT
 * BITCOUNT BITPOS BITOP BITFIELD), as pure functions over byte buffers.
 * Nothing here knows about keys: the server finds the string value, grows
 * it with store_str_resize when a write reaches past its end, and passes
 * the bytes in.
 *
 * Bit numbering is Redis's: bit 0 is the most significant bit of byte 0,
 * so a bitmap reads left to right as it prints in binary.
 *
 *     byte:      0                  1
 *     bit:   0 1 2 3 4 5 6 7   8 9 10 ...
 *           [msb ....... lsb] [msb ...
 *
 * Ranges are inclusive bit positions [from, to], already clipped to the
 * buffer by store_bits_range (which holds Redis's start/end rules). Whole
 * bytes in the middle of a range are read as 8-byte words, four at a time
 * where the loop allows; only the partial bytes at either edge are
 * masked. BITOP combines its sources eight words at a time, position by
 * position across all of them, so its result may overwrite a source.
 *
 * Bit fields are 1..64 bits wide, read and written most significant bit
 * first from any bit offset, so a field may straddle up to nine bytes.
 * Reads treat bytes past the end as zero; writes require the caller to
 * have grown the buffer. Overflow follows BITFIELD's three modes, decided
 * on the exact sum (128-bit), so there is no case of "almost" overflowing.
 *
 * Deliberately not here: argument parsing (offsets with '#', the i8/u16
 * type names) and the proto-max-bulk-len bound, which are the server's. */
#include <string.h>

#include "store/store.h"

/* ---- Single bits -------------------------------------------------------- */

/* See store.h. */
int store_bit_get(const unsigned char *p, size_t n, uint64_t off)
{
    uint64_t byte = off >> 3;
    if (byte >= n)
        return 0;
    return (p[byte] >> (7 - (off & 7))) & 1;
}

/* See store.h. */
int store_bit_set(unsigned char *p, uint64_t off, int bit)
{
    unsigned char mask = (unsigned char)(1u << (7 - (off & 7)));
    unsigned char *b = p + (off >> 3);
    int old = (*b & mask) != 0;
    if (bit)
        *b |= mask;
    else
        *b &= (unsigned char)~mask;
    return old;
}

/* ---- Ranges ------------------------------------------------------------- */

/* See store.h. */
int store_bits_range(int64_t start, int64_t end, int in_bits, size_t len,
                     uint64_t *from, uint64_t *to)
{
    int64_t total = (int64_t)len * (in_bits ? 8 : 1);
    if (start < 0)
        start += total;
    if (end < 0)
        end += total;
    if (start < 0)
        start = 0;
    if (end < 0)
        end = 0;
    if (end >= total)
        end = total - 1;
    if (start > end)
        return 0;
    *from = in_bits ? (uint64_t)start : (uint64_t)start * 8;
    *to = in_bits ? (uint64_t)end : (uint64_t)end * 8 + 7;
    return 1;
}

/* The bits of a byte that lie in [lo, hi] (bit numbers 0..7 within the
 * byte, msb first), as a mask. */
static unsigned char byte_mask(unsigned lo, unsigned hi)
{
    unsigned left = 0xffu >> lo;                 /* bits lo..7 */
    unsigned right = (0xffu << (7 - hi)) & 0xffu; /* bits 0..hi */
    return (unsigned char)(left & right);
}

/* The 8 bytes at p as a word, in memory order (the callers only count,
 * test or combine whole words' bits, so byte order does not matter). */
static inline uint64_t load64(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

/* Set bits in w. Without -mpopcnt (the build targets any x86-64)
 * __builtin_popcountll is a libgcc call per word; this is a few
 * instructions inline. */
static inline uint64_t pop64(uint64_t w)
{
    w -= (w >> 1) & 0x5555555555555555u;
    w = (w & 0x3333333333333333u) + ((w >> 2) & 0x3333333333333333u);
    w = (w + (w >> 4)) & 0x0f0f0f0f0f0f0f0fu;
    return (w * 0x0101010101010101u) >> 56;
}

/* See store.h. */
uint64_t store_bits_count(const unsigned char *p, size_t n, uint64_t from,
                          uint64_t to)
{
    (void)n;
    uint64_t first = from >> 3, last = to >> 3;
    if (first == last)
        return pop64(p[first] & byte_mask(from & 7, to & 7));
    uint64_t count = pop64(p[first] & byte_mask(from & 7, 7)) +
                     pop64(p[last] & byte_mask(0, to & 7));
    const unsigned char *q = p + first + 1, *end = p + last;
    for (; q + 32 <= end; q += 32)
        count += pop64(load64(q)) + pop64(load64(q + 8)) +
                 pop64(load64(q + 16)) + pop64(load64(q + 24));
    for (; q + 8 <= end; q += 8)
        count += pop64(load64(q));
    for (; q < end; q++)
        count += pop64(*q);
    return count;
}

/* Position (0..7, msb first) of the first bit equal to bit among the bits
 * of c in mask, or -1. */
static int byte_find(unsigned char c, unsigned char mask, int bit)
{
    unsigned v = (bit ? c : (unsigned char)~c) & mask;
    if (!v)
        return -1;
    return __builtin_clz(v) - (int)(8 * sizeof(unsigned) - 8);
}

/* The first of bytes p[b..end) that is not 0x00, or end. Four words a
 * step, OR-ed into one test: each word is its own variable, since an
 * array of four (memcpy'd at once) made GCC copy the block to the stack
 * and read it back, twice the instructions a step. */
static size_t skip_zeros(const unsigned char *p, size_t b, size_t end)
{
    for (; b + 32 <= end; b += 32)
        if (load64(p + b) | load64(p + b + 8) | load64(p + b + 16) |
            load64(p + b + 24))
            break;
    for (; b + 8 <= end && !load64(p + b); b += 8)
        ;
    for (; b < end && !p[b]; b++)
        ;
    return b;
}

/* The first of bytes p[b..end) that is not 0xff, or end: skip_zeros with
 * AND in place of OR. */
static size_t skip_ones(const unsigned char *p, size_t b, size_t end)
{
    for (; b + 32 <= end; b += 32)
        if (~(load64(p + b) & load64(p + b + 8) & load64(p + b + 16) &
              load64(p + b + 24)))
            break;
    for (; b + 8 <= end && !~load64(p + b); b += 8)
        ;
    for (; b < end && p[b] == 0xff; b++)
        ;
    return b;
}

/* A kilobyte of 0x00 and one of 0xff to compare a bitmap against. libc's
 * memcmp picks the widest vector loads the CPU has at run time, which
 * code built for any x86-64 cannot, so it skips a long run about 1.6
 * times as fast as the word loops above (64 KiB of zeros: 1.3 against
 * 2.1 us; the OR of four words a step is bound by its chain of ORs). */
#define RUN_BLOCK 1024
static const unsigned char run_block[2][RUN_BLOCK] = {
    { 0 }, { [0 ... RUN_BLOCK - 1] = 0xff }
};

/* The first of bytes p[b..end) that is not 0xff (ones) or not 0x00, or
 * end: whole kilobytes by memcmp, the last of them and the rest a word at
 * a time. */
static size_t skip_run(const unsigned char *p, size_t b, size_t end,
                       int ones)
{
    for (; b + RUN_BLOCK <= end; b += RUN_BLOCK)
        if (memcmp(p + b, run_block[ones], RUN_BLOCK) != 0)
            break;
    return ones ? skip_ones(p, b, end) : skip_zeros(p, b, end);
}

/* See store.h. */
int64_t store_bits_pos(const unsigned char *p, size_t n, int bit,
                       uint64_t from, uint64_t to)
{
    (void)n;
    uint64_t first = from >> 3, last = to >> 3;
    int i;
    if (first == last) {
        i = byte_find(p[first], byte_mask(from & 7, to & 7), bit);
        return i < 0 ? -1 : (int64_t)(first * 8 + (uint64_t)i);
    }
    i = byte_find(p[first], byte_mask(from & 7, 7), bit);
    if (i >= 0)
        return (int64_t)(first * 8 + (uint64_t)i);
    /* Whole bytes: skip those with nothing to find. */
    size_t b = skip_run(p, first + 1, last, !bit);
    if (b < last)
        return (int64_t)(b * 8 + (uint64_t)byte_find(p[b], 0xff, bit));
    i = byte_find(p[last], byte_mask(0, to & 7), bit);
    return i < 0 ? -1 : (int64_t)(last * 8 + (uint64_t)i);
}

/* ---- BITOP -------------------------------------------------------------- */

/* BITOP works a block at a time across all sources: the bytes of a block
 * of every source are read before dst's block is written, so dst may be
 * one of the sources (BITOP writing into its own key in place) with no
 * copy of it first.
 *
 *     byte:  0         64        128        len[0]                n
 *     src0   [ block  ][ block  ][ ...  ][..]      (then zeros)
 *     src1   [ block  ][ block  ][ ...  ][ block  ][ ...  ][..]
 *     dst    [src0 op src1 op ...] one 64-byte block, then the next
 *
 * [0, n) splits at the sources' lengths into spans where the same
 * sources have bytes. A source that ended before a span adds nothing to
 * OR and XOR there, and makes AND zero from the shortest one on. NOT is
 * XOR of its one source with all ones. */

/* The word op combines into before any source, so that every source,
 * the first too, is simply combined in. */
static inline uint64_t op_identity(enum store_bitop op)
{
    return op == STORE_BITOP_AND || op == STORE_BITOP_NOT ? UINT64_MAX : 0;
}

/* a op b. */
static inline uint64_t op_word(enum store_bitop op, uint64_t a, uint64_t b)
{
    return op == STORE_BITOP_AND  ? a & b
           : op == STORE_BITOP_OR ? a | b
                                  : a ^ b;         /* XOR, NOT */
}

/* Writes x to the 8 bytes at p, in memory order (load64's inverse). */
static inline void store64(unsigned char *p, uint64_t x)
{
    memcpy(p, &x, 8);
}

/* dst[from, to) = op over the sources that reach to (len[k] >= to); the
 * others end at or before from. Inlined once per op (see op_run) so the
 * op is a constant in the loops. */
static inline __attribute__((always_inline)) void
op_span(enum store_bitop op, unsigned char *dst, size_t from, size_t to,
        const unsigned char *const *src, const size_t *len, size_t nsrc)
{
    size_t i = from;
    /* Eight words in eight variables: GCC keeps them in registers (two
     * words to an SSE register on x86-64), where an array of eight stayed
     * in memory and cost a store and a load a word. */
    for (; i + 64 <= to; i += 64) {
        uint64_t x0 = op_identity(op), x1 = x0, x2 = x0, x3 = x0, x4 = x0,
                 x5 = x0, x6 = x0, x7 = x0;
        for (size_t k = 0; k < nsrc; k++) {
            if (len[k] < to)
                continue;
            const unsigned char *s = src[k] + i;
            x0 = op_word(op, x0, load64(s));
            x1 = op_word(op, x1, load64(s + 8));
            x2 = op_word(op, x2, load64(s + 16));
            x3 = op_word(op, x3, load64(s + 24));
            x4 = op_word(op, x4, load64(s + 32));
            x5 = op_word(op, x5, load64(s + 40));
            x6 = op_word(op, x6, load64(s + 48));
            x7 = op_word(op, x7, load64(s + 56));
        }
        store64(dst + i, x0);
        store64(dst + i + 8, x1);
        store64(dst + i + 16, x2);
        store64(dst + i + 24, x3);
        store64(dst + i + 32, x4);
        store64(dst + i + 40, x5);
        store64(dst + i + 48, x6);
        store64(dst + i + 56, x7);
    }
    /* The last bytes of the span, up to eight at a time. */
    for (; i < to; i += 8) {
        size_t w = to - i < 8 ? to - i : 8;
        uint64_t x = op_identity(op);
        for (size_t k = 0; k < nsrc; k++) {
            if (len[k] < to)
                continue;
            uint64_t v = 0;
            memcpy(&v, src[k] + i, w);
            x = op_word(op, x, v);
        }
        memcpy(dst + i, &x, w);
    }
}

/* store_bits_op for one op, walking the spans between the sources'
 * lengths. */
static inline __attribute__((always_inline)) void
op_run(enum store_bitop op, unsigned char *dst, size_t n,
       const unsigned char *const *src, const size_t *len, size_t nsrc)
{
    size_t end = n;
    if (op == STORE_BITOP_AND)
        for (size_t k = 0; k < nsrc; k++)
            end = len[k] < end ? len[k] : end;
    for (size_t from = 0; from < end;) {
        size_t to = end;
        for (size_t k = 0; k < nsrc; k++)
            if (len[k] > from && len[k] < to)
                to = len[k];
        op_span(op, dst, from, to, src, len, nsrc);
        from = to;
    }
    if (end < n)
        memset(dst + end, 0, n - end);   /* AND past the shortest source */
}

/* See store.h. */
void store_bits_op(enum store_bitop op, unsigned char *dst, size_t n,
                   const unsigned char *const *src, const size_t *len,
                   size_t nsrc)
{
    switch (op) {
    case STORE_BITOP_AND:
        op_run(STORE_BITOP_AND, dst, n, src, len, nsrc);
        break;
    case STORE_BITOP_OR:
        op_run(STORE_BITOP_OR, dst, n, src, len, nsrc);
        break;
    case STORE_BITOP_XOR:
        op_run(STORE_BITOP_XOR, dst, n, src, len, nsrc);
        break;
    case STORE_BITOP_NOT:
        op_run(STORE_BITOP_NOT, dst, n, src, len, 1);
        break;
    }
}

/* ---- Bit fields --------------------------------------------------------- */

/* See store.h. */
uint64_t store_bits_field_get(const unsigned char *p, size_t n, uint64_t off,
                              unsigned bits)
{
    /* Gather the (up to) nine bytes the field touches into a 128-bit
     * window, then shift the field down. */
    uint64_t byte = off >> 3;
    unsigned shift = (unsigned)(off & 7);
    unsigned nbytes = (shift + bits + 7) / 8;
    unsigned __int128 w = 0;
    for (unsigned i = 0; i < nbytes; i++) {
        unsigned char c = byte + i < n ? p[byte + i] : 0;
        w = (w << 8) | c;
    }
    w >>= nbytes * 8 - shift - bits;
    return bits == 64 ? (uint64_t)w : (uint64_t)w & ((UINT64_C(1) << bits) - 1);
}

/* See store.h. */
void store_bits_field_set(unsigned char *p, uint64_t off, unsigned bits,
                          uint64_t v)
{
    uint64_t byte = off >> 3;
    unsigned shift = (unsigned)(off & 7);
    unsigned nbytes = (shift + bits + 7) / 8;
    unsigned tail = nbytes * 8 - shift - bits;   /* bits after the field */
    unsigned __int128 fmask =
        bits == 64 ? (unsigned __int128)UINT64_MAX
                   : (unsigned __int128)((UINT64_C(1) << bits) - 1);
    unsigned __int128 w = 0;
    for (unsigned i = 0; i < nbytes; i++)
        w = (w << 8) | p[byte + i];
    w = (w & ~(fmask << tail)) | (((unsigned __int128)v & fmask) << tail);
    for (unsigned i = nbytes; i-- > 0;) {
        p[byte + i] = (unsigned char)w;
        w >>= 8;
    }
}

/* See store.h. */
int64_t store_bits_sign_extend(uint64_t v, unsigned bits)
{
    if (bits < 64 && (v >> (bits - 1)) & 1)
        v |= UINT64_MAX << bits;
    return (int64_t)v;
}

/* See store.h. */
int store_bits_field_add(int sign, unsigned bits, uint64_t value,
                         int64_t incr, enum store_bits_overflow mode,
                         uint64_t *out)
{
    __int128 max, min, sum;
    if (sign) {
        max = bits == 64 ? INT64_MAX : (INT64_C(1) << (bits - 1)) - 1;
        min = -max - 1;
        sum = (__int128)(int64_t)value + incr;
    } else {
        max = (__int128)((UINT64_C(1) << bits) - 1); /* bits <= 63 */
        min = 0;
        sum = (__int128)value + incr;
    }
    int dir = sum > max ? 1 : sum < min ? -1 : 0;
    /* Redis picks the side from max - value in 64-bit arithmetic, which
     * wraps for a value more than 2^63 - 1 - max below zero (only SET
     * passes one out of range): such a value overflows towards max, so
     * SAT stores max (SET i8 0 -9223372036854775681: 127). */
    if (sign && bits < 64 && (int64_t)((uint64_t)(int64_t)max - value) < 0)
        dir = 1;
    if (dir == 0) {
        *out = (uint64_t)sum;
        return 0;
    }
    if (mode == STORE_BITS_SAT) {
        *out = (uint64_t)(dir > 0 ? max : min);
    } else if (mode == STORE_BITS_WRAP) {
        uint64_t low = value + (uint64_t)incr;
        if (bits < 64)
            low &= (UINT64_C(1) << bits) - 1;
        *out = sign ? (uint64_t)store_bits_sign_extend(low, bits) : low;
    }
    return dir;
}
