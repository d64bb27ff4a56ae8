/* rdb_pack.c - the blobs Redis packs small values into, written and read
 * as Redis 7.0 does (see rdb.h for which):
 *
 *   listpack  <total bytes u32> <count u16, 65535: unknown> entry* 0xFF
 *             entry := encoding [data] backlen
 *             encoding: 0xxxxxxx uint7 | 10LLLLLL str6 | 110xxxxx int13
 *             | 1110LLLL str12 | F0 str32 | F1 int16 | F2 int24
 *             | F3 int32 | F4 int64 (integers and lengths little endian)
 *             backlen: the entry's size so far, 7 bits a byte, read
 *             from its last byte backwards (bit 7: more bytes before)
 *   ziplist   <total bytes u32> <offset of last entry u32> <count u16>
 *             entry* 0xFF, entry := prevlen encoding [data];
 *             prevlen: 1 byte, or FE and u32; encoding: 00LLLLLL,
 *             01LLLLLL LLLLLLLL, 80 + u32 (lengths big endian), C0 int16,
 *             D0 int32, E0 int64, F0 int24, FE int8, F1-FD 0..12
 *   intset    <width u32: 2, 4 or 8> <count u32> sorted values
 *   zipmap    <count u8, 254+: unknown> (len key len free value pad)*
 *             0xFF; len: 1 byte below 254, or FE and u32
 *
 * Readers take client bytes: every offset is checked against the blob
 * before it is read, and each blob is checked whole as Redis does with
 * sanitize-dump-payload yes (counts, back lengths, the last entry's
 * offset, sorted intsets). */
#include <stdio.h>
#include <string.h>

#include "server/rdb.h"
#include "store/store.h"

#define LP_HDR 6
#define LP_EOF 0xFF
#define LP_COUNT_UNKNOWN 65535
#define ZL_HDR 10

static uint64_t get_le(const unsigned char *p, size_t bytes)
{
    uint64_t v = 0;
    for (size_t i = 0; i < bytes; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void put_le(unsigned char *p, uint64_t v, size_t bytes)
{
    for (size_t i = 0; i < bytes; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* v as a signed number of bits bits. */
static int64_t sign_extend(uint64_t v, unsigned bits)
{
    uint64_t m = (uint64_t)1 << (bits - 1);
    v &= (bits == 64) ? ~(uint64_t)0 : (m << 1) - 1;
    return (int64_t)((v ^ m) - m);
}

static void elem_int(struct rdb_elem *e, int64_t v)
{
    e->len = (size_t)snprintf(e->num, sizeof(e->num), "%lld", (long long)v);
    e->p = e->num;
}

/* ---- Listpack writing ---------------------------------------------------- */

/* Bytes of a backlen for an entry of l bytes. */
static size_t backlen_size(uint64_t l)
{
    return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3
                                    : l < 268435455 ? 4 : 5;
}

/* The encoding bytes (in h) and data size of an integer entry. */
static size_t lp_int_header(int64_t v, unsigned char h[9])
{
    if (v >= 0 && v <= 127) {
        h[0] = (unsigned char)v;
        return 1;
    }
    if (v >= -4096 && v <= 4095) {
        uint64_t u = (uint64_t)v & 0x1FFF;
        h[0] = (unsigned char)(0xC0 | (u >> 8));
        h[1] = (unsigned char)u;
        return 2;
    }
    size_t bytes = v >= INT16_MIN && v <= INT16_MAX ? 2
                 : v >= -8388608 && v <= 8388607 ? 3
                 : v >= INT32_MIN && v <= INT32_MAX ? 4 : 8;
    h[0] = (unsigned char)(bytes == 2 ? 0xF1 : bytes == 3 ? 0xF2
                           : bytes == 4 ? 0xF3 : 0xF4);
    put_le(h + 1, (uint64_t)v, bytes);
    return 1 + bytes;
}

/* The encoding of a string entry of n bytes in h; returns its size. */
static size_t lp_str_header(size_t n, unsigned char h[5])
{
    if (n < 64) {
        h[0] = (unsigned char)(0x80 | n);
        return 1;
    }
    if (n < 4096) {
        h[0] = (unsigned char)(0xE0 | (n >> 8));
        h[1] = (unsigned char)n;
        return 2;
    }
    h[0] = 0xF0;
    put_le(h + 1, n, 4);
    return 5;
}

/* See rdb.h. */
size_t rdb_lp_entry_size(const char *p, size_t n)
{
    unsigned char h[9];
    int64_t v;
    size_t l = store_i64_parse(p, n, &v) ? lp_int_header(v, h)
                                         : lp_str_header(n, h) + n;
    return l + backlen_size(l);
}

/* See rdb.h. */
size_t rdb_lp_begin(struct rdb_buf *b)
{
    size_t start = b->len;
    unsigned char h[LP_HDR] = { 0 };
    rdb_put(b, h, LP_HDR);
    return start;
}

/* See rdb.h. */
void rdb_lp_append(struct rdb_buf *b, const char *p, size_t n)
{
    unsigned char h[9];
    int64_t v;
    size_t l;
    if (store_i64_parse(p, n, &v)) {
        l = lp_int_header(v, h);
        rdb_put(b, h, l);
    } else {
        size_t hl = lp_str_header(n, h);
        rdb_put(b, h, hl);
        rdb_put(b, p, n);
        l = hl + n;
    }
    /* The backlen: high 7-bit groups first, every byte but the first
     * flagged, so that it reads backwards from the entry's end. */
    unsigned char bl[5];
    size_t k = backlen_size(l);
    for (size_t i = 0; i < k; i++) {
        unsigned shift = (unsigned)(7 * (k - 1 - i));
        bl[i] = (unsigned char)(((l >> shift) & 127) | (i ? 128 : 0));
    }
    rdb_put(b, bl, k);
}

/* See rdb.h. */
void rdb_lp_end(struct rdb_buf *b, size_t start, size_t count)
{
    rdb_put_byte(b, LP_EOF);
    if (b->nomem)
        return;
    put_le(b->p + start, b->len - start, 4);
    put_le(b->p + start + 4, count < LP_COUNT_UNKNOWN ? count
                                                      : LP_COUNT_UNKNOWN, 2);
}

/* See rdb.h. */
void rdb_intset_put(struct rdb_buf *b, const int64_t *v, size_t n,
                    size_t w)
{
    for (size_t i = 0; i < n; i++) {
        if (v[i] < INT32_MIN || v[i] > INT32_MAX)
            w = 8;
        else if ((v[i] < INT16_MIN || v[i] > INT16_MAX) && w < 4)
            w = 4;
    }
    unsigned char h[8];
    put_le(h, w, 4);
    put_le(h + 4, n, 4);
    rdb_put(b, h, 8);
    for (size_t i = 0; i < n; i++) {
        put_le(h, (uint64_t)v[i], w);
        rdb_put(b, h, w);
    }
}

/* ---- Listpack reading ---------------------------------------------------- */

/* Decodes the entry at p[0..avail) into *e; returns its size without the
 * backlen, or 0 when malformed or past avail. */
static size_t lp_entry(const unsigned char *p, size_t avail,
                       struct rdb_elem *e)
{
    unsigned char b = p[0];
    size_t hl, len;
    if (b < 0x80) {
        elem_int(e, b);
        return 1;
    }
    if ((b & 0xC0) == 0x80) {
        hl = 1;
        len = b & 0x3F;
    } else if ((b & 0xE0) == 0xC0) {
        if (avail < 2)
            return 0;
        elem_int(e, sign_extend((uint64_t)(b & 0x1F) << 8 | p[1], 13));
        return 2;
    } else if ((b & 0xF0) == 0xE0) {
        if (avail < 2)
            return 0;
        hl = 2;
        len = (size_t)(b & 0x0F) << 8 | p[1];
    } else if (b == 0xF0) {
        if (avail < 5)
            return 0;
        hl = 5;
        len = (size_t)get_le(p + 1, 4);
    } else if (b >= 0xF1 && b <= 0xF4) {
        size_t bytes = b == 0xF1 ? 2 : b == 0xF2 ? 3 : b == 0xF3 ? 4 : 8;
        if (avail < 1 + bytes)
            return 0;
        elem_int(e, sign_extend(get_le(p + 1, bytes), (unsigned)(8 * bytes)));
        return 1 + bytes;
    } else {
        return 0;
    }
    if (avail - hl < len)
        return 0;
    e->p = (const char *)p + hl;
    e->len = len;
    return hl + len;
}

/* The backlen that ends at end[-1], read backwards over at most max
 * (and 5) bytes. */
static int backlen_read(const unsigned char *end, size_t max, uint64_t *l)
{
    uint64_t v = 0;
    for (size_t i = 0; i < max && i < 5; i++) {
        unsigned char c = end[-1 - (ptrdiff_t)i];
        v |= (uint64_t)(c & 127) << (7 * i);
        if (!(c & 128)) {
            *l = v;
            return 0;
        }
    }
    return -1;
}

/* rdb_lp_walk, checking the header's count when check_count. */
static int64_t lp_walk(const unsigned char *p, size_t n, rdb_elem_cb cb,
                       void *ctx, int check_count)
{
    if (n < LP_HDR + 1 || get_le(p, 4) != n || p[n - 1] != LP_EOF)
        return -1;
    size_t pos = LP_HDR, end = n - 1;
    int64_t count = 0;
    while (pos < end) {
        struct rdb_elem e;
        size_t l = lp_entry(p + pos, end - pos, &e);
        if (l == 0)
            return -1;
        size_t bl = backlen_size(l);
        uint64_t back;
        /* Redis reads the back length backwards for as long as bytes
         * say more follow (5 at most), into the entry if need be. */
        if (end - pos - l < bl ||
            backlen_read(p + pos + l + bl, pos + l + bl, &back) != 0 ||
            back != l)
            return -1;
        pos += l + bl;
        count++;
        if (cb && cb(ctx, &e) != 0)
            return -1;
    }
    uint64_t hc = get_le(p + 4, 2);
    if (check_count && hc != LP_COUNT_UNKNOWN && hc != (uint64_t)count)
        return -1;
    return count;
}

/* See rdb.h. */
int64_t rdb_lp_walk(const unsigned char *p, size_t n, rdb_elem_cb cb,
                    void *ctx)
{
    return lp_walk(p, n, cb, ctx, 1);
}

/* See rdb.h. */
int64_t rdb_lp_walk_stream(const unsigned char *p, size_t n, rdb_elem_cb cb,
                           void *ctx)
{
    return lp_walk(p, n, cb, ctx, 0);
}

/* ---- Ziplist reading ----------------------------------------------------- */

/* Decodes the entry (after its prevlen) at p[0..avail) into *e; returns
 * its size, or 0 when malformed or past avail. */
static size_t zl_entry(const unsigned char *p, size_t avail,
                       struct rdb_elem *e)
{
    unsigned char b = p[0];
    size_t hl, len;
    switch (b & 0xC0) {
    case 0x00:
        hl = 1;
        len = b & 0x3F;
        break;
    case 0x40:
        if (avail < 2)
            return 0;
        hl = 2;
        len = (size_t)(b & 0x3F) << 8 | p[1];
        break;
    case 0x80:
        if (avail < 5)
            return 0;
        hl = 5;
        len = (size_t)p[1] << 24 | (size_t)p[2] << 16 | (size_t)p[3] << 8 |
              p[4];
        break;
    default: {
        size_t bytes = b == 0xC0 ? 2 : b == 0xD0 ? 4 : b == 0xE0 ? 8
                     : b == 0xF0 ? 3 : b == 0xFE ? 1 : 0;
        if (b >= 0xF1 && b <= 0xFD) {
            elem_int(e, (b & 0x0F) - 1);
            return 1;
        }
        if (bytes == 0 || avail < 1 + bytes)
            return 0;
        elem_int(e, sign_extend(get_le(p + 1, bytes), (unsigned)(8 * bytes)));
        return 1 + bytes;
    }
    }
    if (avail - hl < len)
        return 0;
    e->p = (const char *)p + hl;
    e->len = len;
    return hl + len;
}

/* See rdb.h. */
int64_t rdb_zl_walk(const unsigned char *p, size_t n, rdb_elem_cb cb,
                    void *ctx)
{
    if (n < ZL_HDR + 1 || get_le(p, 4) != n || p[n - 1] != 0xFF)
        return -1;
    size_t tail = (size_t)get_le(p + 4, 4);
    size_t pos = ZL_HDR, end = n - 1, prev = 0, last = ZL_HDR;
    int64_t count = 0;
    while (pos < end) {
        size_t pl = p[pos] < 254 ? 1 : 5;
        if (p[pos] == 255 || end - pos < pl + 1)
            return -1;
        uint64_t prevlen = pl == 1 ? p[pos] : get_le(p + pos + 1, 4);
        struct rdb_elem e;
        size_t l = zl_entry(p + pos + pl, end - pos - pl, &e);
        if (l == 0 || prevlen != prev)
            return -1;
        last = pos;
        prev = pl + l;
        pos += prev;
        count++;
        if (cb && cb(ctx, &e) != 0)
            return -1;
    }
    uint64_t hc = get_le(p + 8, 2);
    if (tail != last || (hc != 65535 && hc != (uint64_t)count))
        return -1;
    return count;
}

/* ---- Intset and zipmap reading ------------------------------------------ */

/* See rdb.h. */
int64_t rdb_intset_walk(const unsigned char *p, size_t n, rdb_elem_cb cb,
                        void *ctx)
{
    if (n < 8)
        return -1;
    uint64_t w = get_le(p, 4), count = get_le(p + 4, 4);
    if ((w != 2 && w != 4 && w != 8) || (n - 8) / w != count ||
        (n - 8) % w != 0)
        return -1;
    for (uint64_t i = 0; i < count; i++) {
        int64_t v = sign_extend(get_le(p + 8 + i * w, w), (unsigned)(8 * w));
        if (i > 0 &&
            v <= sign_extend(get_le(p + 8 + (i - 1) * w, w),
                             (unsigned)(8 * w)))
            return -1;
        struct rdb_elem e;
        elem_int(&e, v);
        if (cb && cb(ctx, &e) != 0)
            return -1;
    }
    return (int64_t)count;
}

/* A zipmap length at p[*pos], below end: 0, or -1 at the end marker or
 * when malformed. */
static int zm_len(const unsigned char *p, size_t *pos, size_t end,
                  size_t *len)
{
    if (*pos >= end || p[*pos] == 255)
        return -1;
    if (p[*pos] < 254) {
        *len = p[(*pos)++];
        return 0;
    }
    if (end - *pos < 5)
        return -1;
    *len = (size_t)get_le(p + *pos + 1, 4);
    *pos += 5;
    return 0;
}

/* See rdb.h. */
int64_t rdb_zipmap_walk(const unsigned char *p, size_t n, rdb_elem_cb cb,
                        void *ctx)
{
    if (n < 2 || p[n - 1] != 0xFF)
        return -1;
    size_t pos = 1, end = n - 1, klen, vlen;
    int64_t count = 0;
    while (pos < end) {
        struct rdb_elem k, v;
        if (zm_len(p, &pos, end, &klen) != 0 || end - pos < klen)
            return -1;
        k.p = (const char *)p + pos;
        k.len = klen;
        pos += klen;
        if (zm_len(p, &pos, end, &vlen) != 0 || pos >= end)
            return -1;
        size_t pad = p[pos++];
        if (end - pos < vlen || end - pos - vlen < pad)
            return -1;
        v.p = (const char *)p + pos;
        v.len = vlen;
        pos += vlen + pad;
        count++;
        if (cb && (cb(ctx, &k) != 0 || cb(ctx, &v) != 0))
            return -1;
    }
    if (p[0] < 254 && p[0] != count)
        return -1;
    return count * 2;
}
