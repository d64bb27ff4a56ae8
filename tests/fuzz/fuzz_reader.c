/* fuzz_reader.c - libFuzzer target for the request reader.
 *
 *   make fuzz && build/fuzz/fuzz_reader -max_total_time=60
 *
 * Input layout: byte 0 picks the limits, the largest chunk size and the
 * slice size, bytes 1-4 seed the chunking, the rest is what a client sent.
 *
 * Each input is read three times:
 *
 *   A  fed whole, then drained;
 *   B  fed in random chunks (1..maxchunk bytes), drained after each, with
 *      the reader handing hiredis its staged bytes in slices of 1, 7 or
 *      64 bytes, or of the default 16 KiB;
 *   C  like B but with a tiny client-query-buffer-limit, for crashes only.
 *
 * A and B must agree: the same requests in the same order, then the same
 * end (waiting for input, or the same error text). Any disagreement, or
 * an argument that breaks a limit or is not NUL-terminated, traps. So does
 * a look-ahead (resp_reader_peek_keys, asked before every request) that
 * the parse contradicts.
 * AddressSanitizer catches the rest (overreads of hiredis's buffer
 * after compaction, a claimed length turned into an allocation, leaks). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/resp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct outcome {
    char *p;
    size_t len, cap;
    int rc;
    char err[128];
};

static void out_add(struct outcome *o, const void *p, size_t n)
{
    if (o->len + n > o->cap) {
        size_t cap = o->cap ? o->cap : 1024;
        while (cap < o->len + n)
            cap *= 2;
        char *q = realloc(o->p, cap);
        if (!q)
            abort();
        o->p = q;
        o->cap = cap;
    }
    memcpy(o->p + o->len, p, n);
    o->len += n;
}

static uint32_t xorshift(uint32_t *s)
{
    uint32_t x = *s ? *s : 0x9e3779b9u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return x;
}

/* What resp_reader_peek_keys saw of the next request must be what the
 * parse then makes of it: a request it saw whole is never waited for,
 * and when the parse accepts it, argument 1 is the key it reported (or
 * it reported none: fewer than 2 arguments, or argument 1 longer than
 * RESP_PEEK_KEY_MAX). */
static void check_peeked(int rc, const struct resp_request *req,
                         const char *key, size_t klen)
{
    if (rc == RESP_AGAIN)
        __builtin_trap();
    if (rc != RESP_OK)
        return;
    int has = req->argc >= 2 && req->argvlen[1] <= RESP_PEEK_KEY_MAX;
    if (has != (key != NULL))
        __builtin_trap();
    if (key && (req->argvlen[1] != klen ||
                memcmp(req->argv[1], key, klen) != 0))
        __builtin_trap();
}

/* Drains complete requests into o, checking each against the limits and
 * against the look-ahead. */
static int drain(struct resp_reader *r, struct outcome *o)
{
    for (;;) {
        const char *key;
        size_t klen;
        char kcopy[RESP_PEEK_KEY_MAX];
        size_t seen = resp_reader_peek_keys(r, &key, &klen, 1);
        if (seen && key)
            memcpy(kcopy, key, klen);
        struct resp_request req;
        int rc = resp_reader_next(r, &req);
        if (seen)
            check_peeked(rc, &req, key ? kcopy : NULL, klen);
        if (rc != RESP_OK)
            return rc;
        if (resp_reader_pending(r) > r->limits.max_querybuf)
            __builtin_trap();
        uint64_t argc = req.argc;
        out_add(o, &argc, sizeof(argc));
        for (size_t i = 0; i < req.argc; i++) {
            uint64_t len = req.argvlen[i];
            if (len > r->limits.max_bulk_len || req.argv[i][len] != '\0')
                __builtin_trap();
            out_add(o, &len, sizeof(len));
            out_add(o, req.argv[i], req.argvlen[i]);
        }
    }
}

/* Reads in[0..n) in chunks of 1..maxchunk bytes (0: all at once), the
 * reader giving hiredis slices of slice bytes (0: its default). */
static void run(const uint8_t *in, size_t n, const struct resp_limits *lim,
                uint32_t seed, size_t maxchunk, size_t slice,
                struct outcome *o)
{
    struct resp_reader r;
    memset(o, 0, sizeof(*o));
    if (resp_reader_init(&r, lim) != RESP_OK)
        abort();
    if (slice)
        r.feed_chunk = slice;
    int rc = RESP_AGAIN;
    size_t off = 0;
    while (rc == RESP_AGAIN && off < n) {
        size_t step = n - off;
        if (maxchunk) {
            size_t c = 1 + xorshift(&seed) % maxchunk;
            if (c < step)
                step = c;
        }
        rc = resp_reader_feed(&r, (const char *)in + off, step);
        if (rc == RESP_OK)
            rc = drain(&r, o);
        off += step;
    }
    if (rc == RESP_AGAIN)
        rc = drain(&r, o);
    o->rc = rc;
    snprintf(o->err, sizeof(o->err), "%s", resp_reader_error(&r));
    resp_reader_close(&r);
}

/* libFuzzer entry point: returns 0; traps when the two readings differ. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 5)
        return 0;
    uint8_t cfg = data[0];
    uint32_t seed = (uint32_t)data[1] | (uint32_t)data[2] << 8 |
                    (uint32_t)data[3] << 16 | (uint32_t)data[4] << 24;
    const uint8_t *in = data + 5;
    size_t n = size - 5;

    struct resp_limits lim = {
        .max_bulk_len = 512 * 1024 * 1024,
        .max_querybuf = 1024 * 1024 * 1024,
        .max_multibulk = 1024 * 1024,
        .max_inline = 64 * 1024,
    };
    if (cfg & 1) {
        /* Small limits, so short inputs reach every limit path. */
        lim.max_bulk_len = 32;
        lim.max_multibulk = 8;
        lim.max_inline = 16;
    }
    static const size_t chunk_sizes[] = {1, 2, 3, 7, 16, 64, 512, 4096};
    size_t maxchunk = chunk_sizes[(cfg >> 1) & 7];
    static const size_t slice_sizes[] = {0, 1, 7, 64};
    size_t slice = slice_sizes[(cfg >> 4) & 3];

    struct outcome a, b;
    run(in, n, &lim, seed, 0, 0, &a);
    run(in, n, &lim, seed, maxchunk, slice, &b);
    int same_err = a.rc == b.rc &&
                   (a.rc == RESP_AGAIN || strcmp(a.err, b.err) == 0);
    int same_out = a.len == b.len && (a.len == 0 ||
                                      memcmp(a.p, b.p, a.len) == 0);
    if (!same_err || !same_out) {
        fprintf(stderr, "whole: rc %d err \"%s\" %zu bytes; chunked: rc %d "
                "err \"%s\" %zu bytes\n", a.rc, a.err, a.len, b.rc, b.err,
                b.len);
        __builtin_trap();
    }
    free(a.p);
    free(b.p);

    lim.max_querybuf = 48;
    run(in, n, &lim, seed ^ 0x5bd1e995u, maxchunk, slice, &a);
    free(a.p);
    return 0;
}
