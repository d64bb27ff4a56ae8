/* rdb.c - the RDB primitives every DUMP-style payload is made of, in the
 * format of Redis 7.0 (RDB version 10), so that either server restores
 * the other's:
 *
 *   payload  := <type-specific bytes> <RDB version, 2 bytes LE>
 *               <CRC-64 of everything before it, 8 bytes LE>
 *   length   := 00xxxxxx (6 bits) | 01xxxxxx xxxxxxxx (14 bits, BE)
 *             | 0x80 + 32 bits BE | 0x81 + 64 bits BE
 *   string   := length bytes
 *             | 0xC0 int8 | 0xC1 int16 | 0xC2 int32 (little endian)
 *             | 0xC3 <compressed length> <plain length> <LZF data>
 *
 * Compression goes through liblzf, the library Debian's redis-server is
 * linked with, so the bytes are the same; decompression is done here, on
 * client bytes, with every offset checked. The CRC is CRC-64/Jones
 * (reflected, polynomial 0xad93d23594c935a9, no final xor) as Redis
 * computes it.
 *
 * The reader never reads past its buffer. As in Redis, a string may run
 * into the trailer: the payload is read as a whole, and what a type's
 * bytes leave unread is not checked. */
#include <liblzf/lzf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/rdb.h"
#include "store/store.h"

#define LZF_MIN 20                      /* Redis compresses longer strings */
#define INT_ENC_MAX 11                  /* longest text tried as an integer */
/* One LZF byte stands for at most 264 / 3 plain bytes (a back reference
 * of 3 bytes copies up to 264): a claimed length past that is a lie, and
 * is refused before it is allocated. */
#define LZF_MAX_RATIO 89

/* ---- CRC-64 ------------------------------------------------------------- */

/* Slice-by-8: t[0] is the byte-at-a-time table, t[k][i] the CRC of byte
 * i followed by k zero bytes, so eight bytes take eight lookups and no
 * dependent shifts between them (about five times the speed of one byte
 * a step, which loading a file of gigabytes notices). */
static uint64_t crc_table[8][256];

static void crc_tables_make(void)
{
    for (unsigned i = 0; i < 256; i++) {
        uint64_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ 0x95AC9329AC4BC9B5ull : c >> 1;
        crc_table[0][i] = c;
    }
    for (unsigned i = 0; i < 256; i++)
        for (int k = 1; k < 8; k++) {
            uint64_t prev = crc_table[k - 1][i];
            crc_table[k][i] = (prev >> 8) ^ crc_table[0][prev & 0xFF];
        }
}

/* See rdb.h. */
uint64_t rdb_crc64(uint64_t crc, const void *buf, size_t n)
{
    const unsigned char *p = buf;
    static int ready;
    if (!ready) {
        crc_tables_make();
        ready = 1;
    }
    uint64_t c = crc;
    for (; n >= 8; n -= 8, p += 8) {
        uint64_t w = 0;
        for (int k = 0; k < 8; k++)
            w |= (uint64_t)p[k] << (8 * k);
        c ^= w;
        c = crc_table[7][c & 0xFF] ^ crc_table[6][(c >> 8) & 0xFF] ^
            crc_table[5][(c >> 16) & 0xFF] ^ crc_table[4][(c >> 24) & 0xFF] ^
            crc_table[3][(c >> 32) & 0xFF] ^ crc_table[2][(c >> 40) & 0xFF] ^
            crc_table[1][(c >> 48) & 0xFF] ^ crc_table[0][c >> 56];
    }
    for (; n > 0; n--, p++)
        c = crc_table[0][(c ^ *p) & 0xFF] ^ (c >> 8);
    return c;
}

/* ---- Writing ------------------------------------------------------------- */

/* See rdb.h. */
void rdb_put(struct rdb_buf *b, const void *p, size_t n)
{
    if (b->nomem || n == 0)
        return;
    if (n > b->cap - b->len) {
        size_t cap = (b->len + n) * 2 + 64;
        unsigned char *q = realloc(b->p, cap);
        if (!q) {
            b->nomem = 1;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

/* See rdb.h. */
void rdb_put_byte(struct rdb_buf *b, unsigned char c)
{
    rdb_put(b, &c, 1);
}

/* See rdb.h. */
void rdb_put_len(struct rdb_buf *b, uint64_t n)
{
    unsigned char h[9];
    if (n < 64) {
        h[0] = (unsigned char)n;
        rdb_put(b, h, 1);
    } else if (n < 16384) {
        h[0] = (unsigned char)(0x40 | (n >> 8));
        h[1] = (unsigned char)n;
        rdb_put(b, h, 2);
    } else if (n <= UINT32_MAX) {
        h[0] = 0x80;
        for (int i = 0; i < 4; i++)
            h[1 + i] = (unsigned char)(n >> (24 - 8 * i));
        rdb_put(b, h, 5);
    } else {
        h[0] = 0x81;
        for (int i = 0; i < 8; i++)
            h[1 + i] = (unsigned char)(n >> (56 - 8 * i));
        rdb_put(b, h, 9);
    }
}

/* Writes p as 0xC0-0xC2 and returns 1 when Redis would: see rdb.h. */
static int put_int_string(struct rdb_buf *b, const char *p, size_t n)
{
    int64_t v;
    if (n > INT_ENC_MAX || !store_i64_parse(p, n, &v))
        return 0;
    unsigned char h[5];
    size_t bytes;
    if (v >= INT8_MIN && v <= INT8_MAX)
        bytes = 1;
    else if (v >= INT16_MIN && v <= INT16_MAX)
        bytes = 2;
    else if (v >= INT32_MIN && v <= INT32_MAX)
        bytes = 4;
    else
        return 0;
    h[0] = (unsigned char)(0xC0 | (bytes == 1 ? 0 : bytes == 2 ? 1 : 2));
    for (size_t i = 0; i < bytes; i++)
        h[1 + i] = (unsigned char)((uint64_t)v >> (8 * i));
    rdb_put(b, h, 1 + bytes);
    return 1;
}

/* See rdb.h: compressed when that saves bytes (Redis's rule: more than
 * LZF_MIN bytes, and the output must fit in len - 4). */
void rdb_put_string(struct rdb_buf *b, const char *p, size_t n)
{
    if (put_int_string(b, p, n))
        return;
    if (n > LZF_MIN && n <= UINT32_MAX && !b->nolzf) {
        unsigned char *out = malloc(n - 4);
        unsigned clen = out ? lzf_compress(p, (unsigned)n, out,
                                           (unsigned)(n - 4))
                            : 0;
        if (clen > 0) {
            rdb_put_byte(b, 0xC3);
            rdb_put_len(b, clen);
            rdb_put_len(b, n);
            rdb_put(b, out, clen);
            free(out);
            return;
        }
        free(out);
    }
    rdb_put_len(b, n);
    rdb_put(b, p, n);
}

/* See rdb.h. */
char *rdb_finish(struct rdb_buf *b, size_t *len)
{
    return rdb_finish_version(b, RDB_VERSION, len);
}

/* See rdb.h. */
char *rdb_finish_version(struct rdb_buf *b, unsigned version, size_t *len)
{
    unsigned char ver[2] = { version & 0xFF, (version >> 8) & 0xFF };
    rdb_put(b, ver, 2);
    uint64_t crc = b->nomem ? 0 : rdb_crc64(0, b->p, b->len);
    unsigned char c8[8];
    for (int i = 0; i < 8; i++)
        c8[i] = (unsigned char)(crc >> (8 * i));
    rdb_put(b, c8, 8);
    if (b->nomem) {
        free(b->p);
        b->p = NULL;
        return NULL;
    }
    *len = b->len;
    return (char *)b->p;
}

/* ---- Reading ------------------------------------------------------------- */

/* See rdb.h. */
int rdb_payload_ok(const unsigned char *p, size_t n)
{
    if (n < RDB_TRAILER)
        return 0;
    unsigned max = RDB_VERSION;
    if (p[0] == RDB_TYPE_HASH_METADATA || p[0] == RDB_TYPE_HASH_LISTPACK_EX)
        max = RDB_VERSION_HFE;
    if ((unsigned)(p[n - 10] | p[n - 9] << 8) > max)
        return 0;
    uint64_t crc = 0;
    for (int i = 0; i < 8; i++)
        crc |= (uint64_t)p[n - 8 + i] << (8 * i);
    return rdb_crc64(0, p, n - 8) == crc;
}

/* See rdb.h. */
int rdb_get_byte(struct rdb_reader *r, unsigned char *out)
{
    if (r->pos >= r->len)
        return -1;
    *out = r->p[r->pos++];
    return 0;
}

/* See rdb.h. */
int rdb_get_raw(struct rdb_reader *r, size_t n, const unsigned char **out)
{
    if (r->len - r->pos < n)
        return -1;
    *out = r->p + r->pos;
    r->pos += n;
    return 0;
}

/* See rdb.h. */
int rdb_get_u64le(struct rdb_reader *r, uint64_t *out)
{
    const unsigned char *q;
    if (rdb_get_raw(r, 8, &q) != 0)
        return -1;
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u |= (uint64_t)q[i] << (8 * i);
    *out = u;
    return 0;
}

/* See rdb.h. */
int rdb_get_len(struct rdb_reader *r, uint64_t *n, int *enc)
{
    unsigned char b;
    if (rdb_get_byte(r, &b) != 0)
        return -1;
    *enc = 0;
    switch (b >> 6) {
    case 0:
        *n = b & 0x3F;
        return 0;
    case 1: {
        unsigned char b2;
        if (rdb_get_byte(r, &b2) != 0)
            return -1;
        *n = (uint64_t)(b & 0x3F) << 8 | b2;
        return 0;
    }
    case 3:
        *enc = 1;
        *n = b & 0x3F;
        return 0;
    default: {
        int bytes = b == 0x80 ? 4 : b == 0x81 ? 8 : 0;
        if (!bytes || r->len - r->pos < (size_t)bytes)
            return -1;
        uint64_t v = 0;
        for (int i = 0; i < bytes; i++)
            v = v << 8 | r->p[r->pos++];
        *n = v;
        return 0;
    }
    }
}

/* See rdb.h. An encoded byte (0xC0-0xFF) reads as its low 6 bits, as in
 * Redis, where a plain length is wanted. */
int rdb_get_plain_len(struct rdb_reader *r, uint64_t *n)
{
    int enc;
    return rdb_get_len(r, n, &enc);
}

/* LZF decompression of in[0..n) into out[0..olen); 0 when it fills out
 * exactly. A literal run is a control byte below 32 (run of ctrl+1); a
 * back reference has its length in the top 3 bits (7: one more byte adds
 * to it) and its offset in the low 5 bits and the next byte. */
static int lzf_expand(const unsigned char *in, size_t n, unsigned char *out,
                      size_t olen)
{
    size_t i = 0, o = 0;
    while (i < n) {
        unsigned ctrl = in[i++];
        if (ctrl < 32) {
            size_t run = ctrl + 1;
            if (n - i < run || olen - o < run)
                return -1;
            memcpy(out + o, in + i, run);
            i += run;
            o += run;
            continue;
        }
        size_t mlen = ctrl >> 5;
        if (mlen == 7) {
            if (i >= n)
                return -1;
            mlen += in[i++];
        }
        mlen += 2;
        if (i >= n)
            return -1;
        size_t back = ((size_t)(ctrl & 0x1F) << 8 | in[i++]) + 1;
        if (back > o || olen - o < mlen)
            return -1;
        for (size_t k = 0; k < mlen; k++, o++)
            out[o] = out[o - back];     /* may overlap: byte by byte */
    }
    return o == olen ? 0 : -1;
}

/* An integer-encoded string (code 0, 1 or 2: 1, 2 or 4 bytes) as text. */
static int get_int_string(struct rdb_reader *r, uint64_t code, char **out,
                          size_t *n)
{
    size_t bytes = (size_t)1 << code;
    const unsigned char *q;
    if (rdb_get_raw(r, bytes, &q) != 0)
        return -1;
    uint64_t u = 0;
    for (size_t i = 0; i < bytes; i++)
        u |= (uint64_t)q[i] << (8 * i);
    int64_t v = bytes == 1 ? (int8_t)u : bytes == 2 ? (int16_t)u
                                                    : (int32_t)u;
    char num[24];
    int k = snprintf(num, sizeof(num), "%lld", (long long)v);
    *out = malloc((size_t)k + 1);
    if (!*out)
        return -1;
    memcpy(*out, num, (size_t)k + 1);
    *n = (size_t)k;
    return 0;
}

/* An LZF-compressed string (after its 0xC3). Its plain length is
 * bounded by what its compressed bytes can stand for and by the largest
 * string the store holds, so a few bytes can not ask for gigabytes. */
static int get_lzf_string(struct rdb_reader *r, char **out, size_t *n)
{
    uint64_t clen, plen;
    if (rdb_get_plain_len(r, &clen) != 0 ||
        rdb_get_plain_len(r, &plen) != 0 || r->len - r->pos < clen ||
        plen / LZF_MAX_RATIO > clen || plen > STORE_MAX_STR)
        return -1;
    /* A plain length of 0 is the empty string whatever the data, as in
     * Redis (liblzf fails at once and its 0 is the length). */
    char *s = malloc(plen + 1);
    if (!s || (plen && lzf_expand(r->p + r->pos, clen, (unsigned char *)s,
                                  plen) != 0)) {
        free(s);
        return -1;
    }
    s[plen] = '\0';
    r->pos += clen;
    *out = s;
    *n = plen;
    return 0;
}

/* See rdb.h. */
int rdb_get_string(struct rdb_reader *r, char **out, size_t *n)
{
    uint64_t len;
    int enc;
    if (rdb_get_len(r, &len, &enc) != 0)
        return -1;
    if (enc && len <= 2)
        return get_int_string(r, len, out, n);
    if (enc && len == 3)
        return get_lzf_string(r, out, n);
    if (enc || r->len - r->pos < len)
        return -1;
    *out = malloc(len + 1);
    if (!*out)
        return -1;
    memcpy(*out, r->p + r->pos, len);
    (*out)[len] = '\0';
    r->pos += len;
    *n = len;
    return 0;
}
