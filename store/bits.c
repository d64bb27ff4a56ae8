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
 * masked. BITOP combines its sources a word at a time the same way.
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
    for (; q + 32 <= end; q += 32) {
        uint64_t w[4];
        memcpy(w, q, sizeof(w));
        count += pop64(w[0]) + pop64(w[1]) + pop64(w[2]) + pop64(w[3]);
    }
    for (; q + 8 <= end; q += 8) {
        uint64_t w;
        memcpy(&w, q, 8);
        count += pop64(w);
    }
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
    /* Whole bytes: skip words with nothing to find. */
    const uint64_t skip = bit ? 0 : UINT64_MAX;
    uint64_t b = first + 1;
    for (; b + 32 <= last; b += 32) {
        uint64_t w[4];
        memcpy(w, p + b, sizeof(w));
        if ((w[0] ^ skip) | (w[1] ^ skip) | (w[2] ^ skip) | (w[3] ^ skip))
            break;
    }
    for (; b + 8 <= last; b += 8) {
        uint64_t w;
        memcpy(&w, p + b, 8);
        if (w != skip)
            break;
    }
    for (; b < last; b++) {
        i = byte_find(p[b], 0xff, bit);
        if (i >= 0)
            return (int64_t)(b * 8 + (uint64_t)i);
    }
    i = byte_find(p[last], byte_mask(0, to & 7), bit);
    return i < 0 ? -1 : (int64_t)(last * 8 + (uint64_t)i);
}

/* ---- BITOP -------------------------------------------------------------- */

/* dst[i] = dst[i] op s[i] for i < n, eight bytes a step (a byte loop
 * runs several times slower: the compiler can not prove dst and s apart,
 * so it does not vectorize it). */
static void fold(enum store_bitop op, unsigned char *dst,
                 const unsigned char *s, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t a, b;
        memcpy(&a, dst + i, 8);
        memcpy(&b, s + i, 8);
        a = op == STORE_BITOP_AND ? a & b : op == STORE_BITOP_OR ? a | b
                                                                 : a ^ b;
        memcpy(dst + i, &a, 8);
    }
    for (; i < n; i++)
        dst[i] = op == STORE_BITOP_AND  ? dst[i] & s[i]
                 : op == STORE_BITOP_OR ? dst[i] | s[i]
                                        : dst[i] ^ s[i];
}

/* See store.h. */
void store_bits_op(enum store_bitop op, unsigned char *dst, size_t n,
                   const unsigned char *const *src, const size_t *len,
                   size_t nsrc)
{
    if (op == STORE_BITOP_NOT) {
        size_t i = 0;
        for (; i + 8 <= n; i += 8) {
            uint64_t a;
            memcpy(&a, src[0] + i, 8);
            a = ~a;
            memcpy(dst + i, &a, 8);
        }
        for (; i < n; i++)
            dst[i] = (unsigned char)~src[0][i];
        return;
    }
    /* Start from the first source (zero-padded), fold in the others; a
     * missing byte is zero, which AND turns into zero. */
    size_t l0 = len[0] < n ? len[0] : n;
    if (l0)
        memcpy(dst, src[0], l0);
    memset(dst + l0, 0, n - l0);
    for (size_t k = 1; k < nsrc; k++) {
        size_t l = len[k] < n ? len[k] : n;
        if (l)
            fold(op, dst, src[k], l);
        if (op == STORE_BITOP_AND)
            memset(dst + l, 0, n - l);
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
