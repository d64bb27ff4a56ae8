/* function_dump.c - the payload of FUNCTION DUMP and FUNCTION RESTORE, in
 * the format of Redis 7.0 so that either server restores the other's:
 *
 *   ( 0xF5 <RDB string: the library's code> )*  <RDB version, 2 bytes LE>
 *   <CRC-64 of everything before it, 8 bytes LE>
 *
 * An RDB string is a length and the bytes, or (code longer than 20 bytes
 * that compresses) 0xC3, the compressed and the plain lengths, and LZF
 * data. Lengths: 6 bits in one byte (00xxxxxx), 14 bits in two (01...),
 * or 0x80 and 32 bits / 0x81 and 64 bits, big-endian. Strings may also be
 * integers (0xC0-0xC2: 1, 2 or 4 bytes little-endian) when read.
 * Compression goes through liblzf, the library Debian's redis-server is
 * linked with, so the bytes are the same; decompression is done here.
 *
 * The CRC is CRC-64/Jones (reflected, polynomial 0xad93d23594c935a9, no
 * final xor) as Redis computes it. Reading checks the version (at most
 * 10) and the CRC first; then, as in Redis, strings are read up to the end
 * of the whole payload, trailer included, while opcodes start before the
 * trailer. A library may also come as 0xF6 and the pre-GA fields (Redis
 * 7.0's release candidates wrote them), which Redis still reads. */
#include <liblzf/lzf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/function.h"
#include "server/server.h"

#define OP_FUNCTION_PRE_GA 0xF6
#define OP_FUNCTION2 0xF5
#define RDB_VERSION 10
#define TRAILER 10
#define LZF_MIN 20                      /* Redis compresses longer strings */
/* One LZF byte stands for at most 264 / 3 plain bytes (a back reference
 * of 3 bytes copies up to 264): a claimed length past that is a lie, and
 * is refused before it is allocated. */
#define LZF_MAX_RATIO 89

/* ---- CRC-64 ------------------------------------------------------------- */

static uint64_t crc64(const unsigned char *p, size_t n)
{
    static uint64_t table[256];
    static int ready;
    if (!ready) {
        for (unsigned i = 0; i < 256; i++) {
            uint64_t c = i;
            for (int k = 0; k < 8; k++)
                c = (c & 1) ? (c >> 1) ^ 0x95AC9329AC4BC9B5ull : c >> 1;
            table[i] = c;
        }
        ready = 1;
    }
    uint64_t c = 0;
    for (size_t i = 0; i < n; i++)
        c = table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
    return c;
}

/* ---- Writing -------------------------------------------------------------- */

struct buf {
    unsigned char *p;
    size_t len, cap;
    int nomem;
};

static void put(struct buf *b, const void *p, size_t n)
{
    if (b->nomem)
        return;
    if (b->len + n > b->cap) {
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

static void put_len(struct buf *b, uint64_t n)
{
    unsigned char h[9];
    if (n < 64) {
        h[0] = (unsigned char)n;
        put(b, h, 1);
    } else if (n < 16384) {
        h[0] = (unsigned char)(0x40 | (n >> 8));
        h[1] = (unsigned char)n;
        put(b, h, 2);
    } else if (n <= UINT32_MAX) {
        h[0] = 0x80;
        for (int i = 0; i < 4; i++)
            h[1 + i] = (unsigned char)(n >> (24 - 8 * i));
        put(b, h, 5);
    } else {
        h[0] = 0x81;
        for (int i = 0; i < 8; i++)
            h[1 + i] = (unsigned char)(n >> (56 - 8 * i));
        put(b, h, 9);
    }
}

/* An RDB string, compressed when that saves bytes (Redis's rule: more
 * than LZF_MIN bytes, and the output must fit in len - 4). */
static void put_string(struct buf *b, const char *p, size_t n)
{
    if (n > LZF_MIN && n <= UINT32_MAX) {
        unsigned char *out = malloc(n - 4);
        unsigned clen = out ? lzf_compress(p, (unsigned)n, out,
                                           (unsigned)(n - 4))
                            : 0;
        if (clen > 0) {
            unsigned char op = 0xC3;
            put(b, &op, 1);
            put_len(b, clen);
            put_len(b, n);
            put(b, out, clen);
            free(out);
            return;
        }
        free(out);
    }
    put_len(b, n);
    put(b, p, n);
}

char *function_dump(const struct server *srv, size_t *len)
{
    const struct fn_libset *set = function_libraries(srv);
    struct buf b = { NULL, 0, 0, 0 };
    for (size_t i = 0; i < set->n; i++) {
        unsigned char op = OP_FUNCTION2;
        put(&b, &op, 1);
        put_string(&b, set->libs[i]->code, set->libs[i]->codelen);
    }
    unsigned char ver[2] = { RDB_VERSION & 0xFF, RDB_VERSION >> 8 };
    put(&b, ver, 2);
    uint64_t crc = b.nomem ? 0 : crc64(b.p, b.len);
    unsigned char c8[8];
    for (int i = 0; i < 8; i++)
        c8[i] = (unsigned char)(crc >> (8 * i));
    put(&b, c8, 8);
    if (b.nomem) {
        free(b.p);
        return NULL;
    }
    *len = b.len;
    return (char *)b.p;
}

/* ---- Reading -------------------------------------------------------------- */

struct reader {
    const unsigned char *p;
    size_t pos, len;
};

static int get_byte(struct reader *r, unsigned char *out)
{
    if (r->pos >= r->len)
        return -1;
    *out = r->p[r->pos++];
    return 0;
}

/* A length, or for an encoded string (*enc set) its 6-bit encoding. */
static int get_len(struct reader *r, uint64_t *n, int *enc)
{
    unsigned char b;
    if (get_byte(r, &b) != 0)
        return -1;
    *enc = 0;
    switch (b >> 6) {
    case 0:
        *n = b & 0x3F;
        return 0;
    case 1: {
        unsigned char b2;
        if (get_byte(r, &b2) != 0)
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

/* Reads an RDB string into a malloc'ed buffer (*out, *n, with a NUL after
 * the n bytes); -1 on a short or malformed one. */
static int get_string(struct reader *r, char **out, size_t *n)
{
    uint64_t len;
    int enc;
    if (get_len(r, &len, &enc) != 0)
        return -1;
    if (enc && len <= 2) {
        size_t bytes = (size_t)1 << len;
        if (r->len - r->pos < bytes)
            return -1;
        uint64_t u = 0;
        for (size_t i = 0; i < bytes; i++)
            u |= (uint64_t)r->p[r->pos + i] << (8 * i);
        r->pos += bytes;
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
    if (enc && len == 3) {
        uint64_t clen, plen;
        int e;                          /* ignored: see below */
        /* An encoded byte (0xC0-0xFF) stands for its low 6 bits here, as
         * Redis reads these two lengths. */
        if (get_len(r, &clen, &e) != 0 || get_len(r, &plen, &e) != 0 ||
            r->len - r->pos < clen || plen / LZF_MAX_RATIO > clen)
            return -1;
        /* A plain length of 0 is the empty string whatever the data, as
         * in Redis (liblzf fails at once and its 0 is the length). */
        char *s = malloc(plen + 1);
        if (!s || (plen && lzf_expand(r->p + r->pos, clen,
                                      (unsigned char *)s, plen) != 0)) {
            free(s);
            return -1;
        }
        s[plen] = '\0';
        r->pos += clen;
        *out = s;
        *n = plen;
        return 0;
    }
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

/* The code of a library in the pre-GA form (Redis 7.0's release
 * candidates): its name, engine, an optional description (a length that
 * says whether one follows) and the code without its shebang. The code
 * is then "#!<engine> name=<name>\n<code>", each part cut at its first
 * NUL as Redis formats it. Returns a malloc'ed copy (*len bytes), or NULL
 * after replying. */
static char *pre_ga_code_or_reply(struct client *c, struct reader *r,
                                  size_t *len)
{
    char *part[3] = { NULL, NULL, NULL };  /* name, engine, blob */
    char *desc = NULL, *code = NULL;
    size_t n[3], dlen;
    uint64_t has_desc;
    int enc;
    if (get_string(r, &part[0], &n[0]) != 0)
        reply_error(c, ERR_FN_LOAD_NAME);
    else if (get_string(r, &part[1], &n[1]) != 0)
        reply_error(c, ERR_FN_LOAD_ENGINE);
    else if (get_len(r, &has_desc, &enc) != 0)
        reply_error(c, ERR_FN_LOAD_DESC_FLAG);
    else if (has_desc && get_string(r, &desc, &dlen) != 0)
        reply_error(c, ERR_FN_LOAD_DESC);
    else if (get_string(r, &part[2], &n[2]) != 0)
        reply_error(c, ERR_FN_LOAD_BLOB);
    else if (!(code = malloc(n[0] + n[1] + n[2] + 16)))
        reply_error(c, ERR_OOM);
    else {
        size_t k = (size_t)snprintf(code, n[0] + n[1] + 16,
                                    "#!%s name=%s\n", part[1], part[0]);
        size_t blen = strlen(part[2]);
        memcpy(code + k, part[2], blen);
        *len = k + blen;
    }
    free(desc);
    for (int i = 0; i < 3; i++)
        free(part[i]);
    return code;
}

int function_undump_or_reply(struct client *c, const char *p, size_t n,
                             struct fn_libset *set)
{
    const unsigned char *u = (const unsigned char *)p;
    uint64_t crc = 0;
    for (int i = 0; n >= TRAILER && i < 8; i++)
        crc |= (uint64_t)u[n - 8 + i] << (8 * i);
    if (n < TRAILER || (u[n - 10] | u[n - 9] << 8) > RDB_VERSION ||
        crc64(u, n - 8) != crc) {
        reply_error(c, ERR_FN_PAYLOAD);
        return -1;
    }
    struct reader r = { u, 0, n };
    while (r.pos < n - TRAILER) {
        unsigned char op = u[r.pos++];
        char *code;
        size_t len;
        if (op == OP_FUNCTION_PRE_GA) {
            if (!(code = pre_ga_code_or_reply(c, &r, &len)))
                return -1;
        } else if (op != OP_FUNCTION2) {
            reply_error(c, ERR_FN_NOT_FUNCTION);
            return -1;
        } else if (get_string(&r, &code, &len) != 0) {
            reply_error(c, ERR_FN_LOAD_PAYLOAD);
            return -1;
        }
        const struct fn_lib *lib = function_load_or_reply(c, set, code, len,
                                                          0);
        free(code);
        if (!lib)
            return -1;
    }
    return 0;
}
