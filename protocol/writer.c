/* writer.c - replies out: RESP2/RESP3 encoding into a growable buffer.
 *
 * A struct resp_out is one flat byte buffer:
 *
 *   data: [ bytes ready for the socket ......... | free ........ ]
 *          0                                   len              cap
 *
 * Every resp_add_* makes room once (out_reserve), then writes its whole
 * frame with memcpy; nothing is written partially. When an allocation
 * fails, nomem is set and stays set: later appends do nothing, so a
 * caller can build a whole reply and check once. resp_out_reset() clears
 * it together with the bytes. The buffer never shrinks except there.
 * While muted is set, appends are dropped the same way, without nomem
 * (CLIENT REPLY OFF): the owner sets and clears it.
 *
 * The hot paths (integers, lengths, bulk headers) format numbers with a
 * two-digits-at-a-time table instead of snprintf; only doubles and
 * resp_add_errorf use the printf family.
 *
 * RESP3 types fall back to their RESP2 spelling when proto is 2, as Redis
 * 7.0 does: map -> flat array of 2n, set/push -> array, null -> "$-1" or
 * "*-1", bool -> ":1"/":0", double -> bulk string, verbatim -> bulk.
 * Doubles use "%.17g" (Redis 7.0.15; 7.2 switched to shortest round-trip)
 * with "inf", "-inf" and "nan" spelled out.
 *
 * This file does not know about sockets, clients or commands; it never
 * decides what to reply, only how the bytes look. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/resp.h"

#define OUT_MIN 256
#define OUT_MAX ((size_t)PTRDIFF_MAX / 2) /* larger is a bug, not a reply */
#define NUM_MAX 24 /* type byte + sign + 20 digits + CRLF fits */

static const char digits2[] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

/* See resp.h. */
char *resp_u64_fmt(char *end, uint64_t v)
{
    char *p = end;
    while (v >= 100) {
        unsigned i = (unsigned)(v % 100) * 2;
        v /= 100;
        p -= 2;
        p[0] = digits2[i];
        p[1] = digits2[i + 1];
    }
    if (v < 10) {
        *--p = (char)('0' + v);
    } else {
        unsigned i = (unsigned)v * 2;
        p -= 2;
        p[0] = digits2[i];
        p[1] = digits2[i + 1];
    }
    return p;
}

/* See resp.h. */
char *resp_i64_fmt(char *end, int64_t v)
{
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char *p = resp_u64_fmt(end, u);
    if (v < 0)
        *--p = '-';
    return p;
}

/* Returns room for n more bytes at data + len, or NULL (nomem set, or
 * muted). */
static char *out_reserve(struct resp_out *o, size_t n)
{
    if (o->nomem || o->muted)
        return NULL;
    if (n <= o->cap - o->len)
        return o->data + o->len;
    if (n > OUT_MAX - o->len) {
        o->nomem = 1;
        return NULL;
    }
    size_t need = o->len + n;
    size_t cap = o->cap < OUT_MIN ? OUT_MIN : o->cap;
    while (cap < need)
        cap *= 2;
    char *p = realloc(o->data, cap);
    if (!p) {
        o->nomem = 1;
        return NULL;
    }
    o->data = p;
    o->cap = cap;
    return o->data + o->len;
}

/* "<type><n>\r\n" for a signed number. */
static void add_header_i64(struct resp_out *o, char type, int64_t n)
{
    char buf[NUM_MAX];
    char *end = buf + sizeof(buf) - 2;
    char *p = resp_i64_fmt(end, n);
    *--p = type;
    end[0] = '\r';
    end[1] = '\n';
    resp_add_raw(o, p, (size_t)(buf + sizeof(buf) - p));
}

/* "<type><n>\r\n" for a count. */
static void add_header_u64(struct resp_out *o, char type, uint64_t n)
{
    char buf[NUM_MAX];
    char *end = buf + sizeof(buf) - 2;
    char *p = resp_u64_fmt(end, n);
    *--p = type;
    end[0] = '\r';
    end[1] = '\n';
    resp_add_raw(o, p, (size_t)(buf + sizeof(buf) - p));
}

/* Writes "<type><text with CR/LF as spaces>\r\n". */
static void add_line(struct resp_out *o, char type, const char *s, size_t n)
{
    if (n > OUT_MAX) {
        o->nomem = 1;
        return;
    }
    char *p = out_reserve(o, n + 3);
    if (!p)
        return;
    p[0] = type;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        p[1 + i] = (c == '\r' || c == '\n') ? ' ' : c;
    }
    p[n + 1] = '\r';
    p[n + 2] = '\n';
    o->len += n + 3;
}

/* Starts an empty buffer speaking proto (2 or 3); allocates nothing. */
void resp_out_init(struct resp_out *o, int proto)
{
    o->data = NULL;
    o->len = o->cap = 0;
    o->proto = proto;
    o->nomem = 0;
    o->muted = 0;
}

/* Frees the bytes; o may be initialised again. */
void resp_out_close(struct resp_out *o)
{
    free(o->data);
    o->data = NULL;
    o->len = o->cap = 0;
}

/* Drops the bytes and clears nomem; the allocation is kept when it is at
 * most keep bytes, otherwise freed (keep 0 always frees). */
void resp_out_reset(struct resp_out *o, size_t keep)
{
    o->len = 0;
    o->nomem = 0;
    if (o->cap > keep) {
        free(o->data);
        o->data = NULL;
        o->cap = 0;
    }
}

/* Appends n bytes as they are (the caller wrote valid RESP). */
void resp_add_raw(struct resp_out *o, const char *p, size_t n)
{
    if (n == 0)
        return;
    char *dst = out_reserve(o, n);
    if (!dst)
        return;
    memcpy(dst, p, n);
    o->len += n;
}

/* "+s\r\n"; CR/LF in s become spaces so the reply can not be split. */
void resp_add_simple(struct resp_out *o, const char *s)
{
    add_line(o, '+', s, strlen(s));
}

/* "+text\r\n" of n bytes, CR/LF as spaces. */
void resp_add_status(struct resp_out *o, const char *p, size_t n)
{
    add_line(o, '+', p, n);
}

/* "-msg\r\n"; msg is the text after '-' (e.g. "ERR syntax error"). */
void resp_add_error(struct resp_out *o, const char *msg, size_t n)
{
    add_line(o, '-', msg, n);
}

/* See resp.h. */
void resp_add_repr(struct resp_out *o, const char *s, size_t n)
{
    if (n > (SIZE_MAX - 2) / 4) {
        o->nomem = 1;
        return;
    }
    char *p = out_reserve(o, 4 * n + 2);
    if (p)
        o->len += resp_repr(p, s, n);
}

/* Formats fmt and hands the text to add, through the heap when it is
 * long. Returns -1 when the format fails (o unchanged). */
static int add_formatted(struct resp_out *o,
                         void (*add)(struct resp_out *, const char *, size_t),
                         const char *fmt, va_list ap)
{
    char buf[256];
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    if (n >= 0 && (size_t)n < sizeof(buf)) {
        add(o, buf, (size_t)n);
    } else if (n >= 0) {
        char *big = malloc((size_t)n + 1);
        if (big) {
            vsnprintf(big, (size_t)n + 1, fmt, again);
            add(o, big, (size_t)n);
            free(big);
        } else {
            o->nomem = 1;
        }
    }
    va_end(again);
    return n < 0 ? -1 : 0;
}

/* resp_add_error with a printf format. */
void resp_add_errorf(struct resp_out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (add_formatted(o, resp_add_error, fmt, ap) != 0)
        resp_add_error(o, "ERR", 3);
    va_end(ap);
}

/* resp_add_raw with a printf format. */
void resp_add_rawf(struct resp_out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    resp_add_vrawf(o, fmt, ap);
    va_end(ap);
}

/* resp_add_rawf with the arguments in ap. */
void resp_add_vrawf(struct resp_out *o, const char *fmt, va_list ap)
{
    add_formatted(o, resp_add_raw, fmt, ap);
}

/* ":v\r\n". */
void resp_add_int(struct resp_out *o, int64_t v)
{
    add_header_i64(o, ':', v);
}

/* "$n\r\n<bytes>\r\n", reserved and copied in one go. */
void resp_add_bulk(struct resp_out *o, const char *p, size_t n)
{
    char hdr[NUM_MAX];
    char *end = hdr + sizeof(hdr) - 2;
    char *h = resp_u64_fmt(end, (uint64_t)n);
    *--h = '$';
    end[0] = '\r';
    end[1] = '\n';
    size_t hlen = (size_t)(hdr + sizeof(hdr) - h);
    if (n > OUT_MAX) {
        o->nomem = 1;
        return;
    }
    char *dst = out_reserve(o, hlen + n + 2);
    if (!dst)
        return;
    memcpy(dst, h, hlen);
    if (n)
        memcpy(dst + hlen, p, n);
    dst[hlen + n] = '\r';
    dst[hlen + n + 1] = '\n';
    o->len += hlen + n + 2;
}

/* Bulk string of a C string; NULL gives the null bulk. */
void resp_add_bulk_cstr(struct resp_out *o, const char *s)
{
    if (!s)
        resp_add_null(o);
    else
        resp_add_bulk(o, s, strlen(s));
}

/* Bulk string holding v in decimal (Redis's addReplyBulkLongLong). */
void resp_add_bulk_i64(struct resp_out *o, int64_t v)
{
    char buf[NUM_MAX];
    char *end = buf + sizeof(buf);
    char *p = resp_i64_fmt(end, v);
    resp_add_bulk(o, p, (size_t)(end - p));
}

/* "$-1\r\n" in RESP2, "_\r\n" in RESP3. */
void resp_add_null(struct resp_out *o)
{
    if (o->proto >= 3)
        resp_add_raw(o, "_\r\n", 3);
    else
        resp_add_raw(o, "$-1\r\n", 5);
}

/* "*-1\r\n" in RESP2, "_\r\n" in RESP3. */
void resp_add_null_array(struct resp_out *o)
{
    if (o->proto >= 3)
        resp_add_raw(o, "_\r\n", 3);
    else
        resp_add_raw(o, "*-1\r\n", 5);
}

/* "*n\r\n". */
void resp_add_array(struct resp_out *o, size_t n)
{
    add_header_u64(o, '*', (uint64_t)n);
}

/* "%n\r\n" in RESP3, "*<2n>\r\n" in RESP2. */
void resp_add_map(struct resp_out *o, size_t n)
{
    if (o->proto >= 3)
        add_header_u64(o, '%', (uint64_t)n);
    else
        add_header_u64(o, '*', (uint64_t)n * 2);
}

/* "~n\r\n" in RESP3, "*n\r\n" in RESP2. */
void resp_add_set(struct resp_out *o, size_t n)
{
    add_header_u64(o, o->proto >= 3 ? '~' : '*', (uint64_t)n);
}

/* ">n\r\n" in RESP3, "*n\r\n" in RESP2. */
void resp_add_push(struct resp_out *o, size_t n)
{
    add_header_u64(o, o->proto >= 3 ? '>' : '*', (uint64_t)n);
}

/* ",<d>\r\n" in RESP3, a bulk string in RESP2; "%.17g" for finite values
 * and "inf", "-inf", "nan" otherwise, as Redis 7.0.15 prints them. */
void resp_add_double(struct resp_out *o, double d)
{
    char buf[64];
    int n;
    if (isinf(d))
        n = snprintf(buf, sizeof(buf), "%s", d > 0 ? "inf" : "-inf");
    else
        n = snprintf(buf, sizeof(buf), "%.17g", d);
    if (n < 0 || (size_t)n >= sizeof(buf))
        n = 0;
    if (o->proto >= 3) {
        char *p = out_reserve(o, (size_t)n + 3);
        if (!p)
            return;
        p[0] = ',';
        memcpy(p + 1, buf, (size_t)n);
        p[n + 1] = '\r';
        p[n + 2] = '\n';
        o->len += (size_t)n + 3;
    } else {
        resp_add_bulk(o, buf, (size_t)n);
    }
}

/* "#t"/"#f" in RESP3, ":1"/":0" in RESP2. */
void resp_add_bool(struct resp_out *o, int v)
{
    if (o->proto >= 3)
        resp_add_raw(o, v ? "#t\r\n" : "#f\r\n", 4);
    else
        resp_add_raw(o, v ? ":1\r\n" : ":0\r\n", 4);
}

/* "=<n+4>\r\nfmt:<bytes>\r\n" in RESP3, a plain bulk string in RESP2. */
void resp_add_verbatim_as(struct resp_out *o, const char fmt[3],
                          const char *p, size_t n)
{
    if (o->proto < 3) {
        resp_add_bulk(o, p, n);
        return;
    }
    if (n > OUT_MAX) {
        o->nomem = 1;
        return;
    }
    char hdr[NUM_MAX];
    char *end = hdr + sizeof(hdr) - 2;
    char *h = resp_u64_fmt(end, (uint64_t)n + 4);
    *--h = '=';
    end[0] = '\r';
    end[1] = '\n';
    size_t hlen = (size_t)(hdr + sizeof(hdr) - h);
    char *dst = out_reserve(o, hlen + n + 6);
    if (!dst)
        return;
    memcpy(dst, h, hlen);
    memcpy(dst + hlen, fmt, 3);
    dst[hlen + 3] = ':';
    if (n)
        memcpy(dst + hlen + 4, p, n);
    dst[hlen + n + 4] = '\r';
    dst[hlen + n + 5] = '\n';
    o->len += hlen + n + 6;
}

void resp_add_verbatim(struct resp_out *o, const char *p, size_t n)
{
    resp_add_verbatim_as(o, "txt", p, n);
}

/* "(<digits>\r\n" in RESP3 (CR/LF as spaces), a bulk string in RESP2. */
void resp_add_big_number(struct resp_out *o, const char *p, size_t n)
{
    if (o->proto >= 3)
        add_line(o, '(', p, n);
    else
        resp_add_bulk(o, p, n);
}
