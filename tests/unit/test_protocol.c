/* test_protocol.c - the request reader and the reply writer.
 *
 * Reader tests feed each sample stream split at every byte boundary (and
 * at every pair of boundaries for short samples, and one byte at a time)
 * and require the same requests, or the same error text, every time. The
 * samples run again with the reader handing hiredis its staged bytes in
 * slices of 1, 2, 3 and 64 bytes instead of 16 KiB.
 * Requests are compared in a serialized form, "<len>:<bytes>," per
 * argument and ";" per request, so binary arguments compare exactly. */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>
#include <hiredis/read.h>
#include <hiredis/sds.h>

#include "protocol/resp.h"
#include "tests/unit/unit.h"

/* ---- Helpers ---------------------------------------------------------- */

struct sbuf {
    char *p;
    size_t len, cap;
};

static void sb_add(struct sbuf *b, const char *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *q = realloc(b->p, cap);
        if (!q)
            abort();
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_free(struct sbuf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* Appends the serialized request; returns 0, or -1 if an argument is not
 * NUL-terminated as resp.h promises. */
static int ser_req(struct sbuf *b, const struct resp_request *req)
{
    for (size_t i = 0; i < req->argc; i++) {
        char num[32];
        int n = snprintf(num, sizeof(num), "%zu:", req->argvlen[i]);
        sb_add(b, num, (size_t)n);
        sb_add(b, req->argv[i], req->argvlen[i]);
        sb_add(b, ",", 1);
        if (req->argv[i][req->argvlen[i]] != '\0')
            return -1;
    }
    sb_add(b, ";", 1);
    return 0;
}

static const struct resp_limits default_limits = {
    .max_bulk_len = 512 * 1024 * 1024,
    .max_querybuf = 1024 * 1024 * 1024,
    .max_multibulk = 1024 * 1024,
    .max_inline = 64 * 1024,
};

#if defined(HIREDIS_MAJOR) && HIREDIS_MAJOR >= 1
#define hr_alloc(s) hi_sdsalloc(s)
#else
#define hr_alloc(s) sdsalloc(s)
#endif

/* Nonzero: drive() makes its readers hand hiredis slices of this size. */
static size_t slice_override;

/* Drains every complete request into out. Returns RESP_AGAIN or the
 * error code. */
static int drain(struct resp_reader *r, struct sbuf *out)
{
    for (;;) {
        struct resp_request req;
        int rc = resp_reader_next(r, &req);
        if (rc != RESP_OK)
            return rc;
        if (ser_req(out, &req) != 0)
            sb_add(out, "<no NUL>", 8);
    }
}

/* Feeds in[0..n) cut at the given increasing positions, draining after
 * each piece. Returns RESP_AGAIN when all input was accepted, else the
 * error code; err receives the error text. */
static int drive(const char *in, size_t n, const size_t *cuts, size_t ncuts,
                 const struct resp_limits *lim, struct sbuf *out,
                 char *err, size_t errsz)
{
    struct resp_reader r;
    if (resp_reader_init(&r, lim) != RESP_OK)
        abort();
    if (slice_override)
        r.feed_chunk = slice_override;
    int rc = RESP_AGAIN;
    size_t start = 0;
    for (size_t k = 0; k <= ncuts && rc == RESP_AGAIN; k++) {
        size_t end = k < ncuts ? cuts[k] : n;
        rc = resp_reader_feed(&r, in + start, end - start);
        if (rc == RESP_OK)
            rc = drain(&r, out);
        start = end;
    }
    snprintf(err, errsz, "%s", resp_reader_error(&r));
    resp_reader_close(&r);
    return rc;
}

/* Runs every split of a sample; fails with the first mismatch. */
#define CHECK_SPLITS(in, n, lim, want_rc, want_out, want_err)               \
    do {                                                                    \
        size_t n__ = (n);                                                   \
        size_t *cuts__ = malloc((n__ + 1) * sizeof(size_t));                \
        for (size_t c__ = 0; c__ < n__; c__++)                              \
            cuts__[c__] = c__ + 1;                                          \
        /* mode 0: whole; 1: one cut at each i, then byte by byte;     */ \
        /* 2: every pair of cuts (short samples only)                  */ \
        for (size_t mode__ = 0; mode__ < 3; mode__++) {                     \
            size_t runs__ = mode__ == 0 ? 1                                 \
                          : mode__ == 1 ? n__ + 2                           \
                          : (n__ <= 160 ? n__ * n__ : 0);                   \
            for (size_t i__ = 0; i__ < runs__; i__++) {                     \
                size_t cut__[2], nc__ = 0;                                  \
                const size_t *cp__ = cut__;                                 \
                if (mode__ == 1 && i__ == n__ + 1) {                        \
                    cp__ = cuts__;                                          \
                    nc__ = n__ ? n__ - 1 : 0;                               \
                } else if (mode__ == 1) {                                   \
                    cut__[0] = i__;                                         \
                    nc__ = 1;                                               \
                } else if (mode__ == 2) {                                   \
                    cut__[0] = i__ / n__;                                   \
                    cut__[1] = i__ % n__;                                   \
                    if (cut__[0] > cut__[1])                                \
                        continue;                                           \
                    nc__ = 2;                                               \
                }                                                           \
                struct sbuf out__ = {0};                                    \
                char err__[128];                                            \
                int rc__ = drive((in), n__, cp__, nc__, (lim), &out__,      \
                                 err__, sizeof(err__));                     \
                int ok__ = rc__ == (want_rc) &&                             \
                           out__.len == sizeof(want_out) - 1 &&             \
                           memcmp(out__.p ? out__.p : "", (want_out),       \
                                  out__.len) == 0 &&                        \
                           strcmp(err__, (want_err)) == 0;                  \
                if (!ok__) {                                                \
                    fprintf(stderr, "    mode %zu run %zu: rc %d out "      \
                            "\"%.*s\" err \"%s\"\n", mode__, i__, rc__,     \
                            (int)out__.len, out__.p ? out__.p : "",         \
                            err__);                                         \
                    sb_free(&out__);                                        \
                    free(cuts__);                                           \
                    UNIT_FAIL_("split mismatch for %s", #in);               \
                }                                                           \
                sb_free(&out__);                                            \
            }                                                               \
        }                                                                   \
        free(cuts__);                                                       \
    } while (0)

#define SAMPLE_OK(lit, want)                                                \
    CHECK_SPLITS(lit, sizeof(lit) - 1, &default_limits, RESP_AGAIN, want, "")

#define SAMPLE_ERR(lim, lit, want_err)                                      \
    CHECK_SPLITS(lit, sizeof(lit) - 1, lim, RESP_ERR_PROTOCOL, "",          \
                 want_err)

/* Any outcome: limits, expected requests, expected error text. */
#define SAMPLE(lim, lit, want_rc, want_out, want_err)                       \
    CHECK_SPLITS(lit, sizeof(lit) - 1, lim, want_rc, want_out, want_err)

#define FEED(r, lit) resp_reader_feed((r), (lit), sizeof(lit) - 1)

/* ---- Reader: well-formed input ---------------------------------------- */

TEST(reader_set_command)
{
    SAMPLE_OK("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n",
              "3:SET,3:key,5:value,;");
}

TEST(reader_length_digits)
{
    SAMPLE_OK("*4\r\n$3\r\nSET\r\n$10\r\n0123456789\r\n"
              "$12\r\nabcdefghijkl\r\n$9\r\n123456789\r\n",
              "3:SET,10:0123456789,12:abcdefghijkl,9:123456789,;");
}

TEST(reader_pipelined_batch)
{
    SAMPLE_OK("*1\r\n$4\r\nPING\r\n"
              "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"
              "PING\r\n"
              "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n"
              "*0\r\n"
              "\r\n"
              "*-1\r\n"
              "ECHO hi\n"
              "*3\r\n$4\r\nMSET\r\n$1\r\na\r\n$1\r\nb\r\n",
              "4:PING,;3:GET,1:k,;4:PING,;4:ECHO,0:,;;;;4:ECHO,2:hi,;"
              "4:MSET,1:a,1:b,;");
}

TEST(reader_binary_payload)
{
    SAMPLE_OK("*3\r\n$3\r\nSET\r\n$3\r\n\r\n\0\r\n$8\r\na\r\n\0b\n\r*\r\n",
              "3:SET,3:\r\n\0,8:a\r\n\0b\n\r*,;");
}

TEST(reader_empty_bulk)
{
    SAMPLE_OK("*3\r\n$3\r\nSET\r\n$0\r\n\r\n$0\r\n\r\n",
              "3:SET,0:,0:,;");
}

TEST(reader_inline_quotes)
{
    SAMPLE_OK("SET \"a b\" 'c d' \"\\x41\\n\\t\\\"\" 'it\\'s'  plain\r\n"
              "  \r\n"
              "ECHO \"\" ''\n"
              "x\"y z\" \"\\xZZ\"\r\n"
              "a\tb\r\n",
              "3:SET,3:a b,3:c d,4:A\n\t\",4:it's,5:plain,;"
              ";"
              "4:ECHO,0:,0:,;"
              "4:xy z,3:xZZ,;"
              "1:a,1:b,;");
}

TEST(reader_nul_keeps_line_open)
{
    /* Redis looks for the end of a line with strchr, as in a C string: a
     * NUL before it hides it, so the line waits, whatever follows, until
     * more than max_inline bytes are buffered from its start. */
    SAMPLE(&default_limits, "GET a\0b c\r\nPING\r\n", RESP_AGAIN, "", "");
    SAMPLE(&default_limits, "PING\r\n*1\0\r\n$4\r\nPING\r\n", RESP_AGAIN,
           "4:PING,;", "");
    SAMPLE(&default_limits, "*2\r\n$4\r\nECHO\r\n$1\0\r\na\r\nPING\r\n",
           RESP_AGAIN, "", "");
    /* After the '\r' it is the byte Redis skips; in a body it is data. */
    SAMPLE_OK("*2\r\n$4\r\0ECHO\r\n$1\r\n\0\r\n", "4:ECHO,1:\0,;");

    struct resp_limits lim = default_limits;
    lim.max_inline = 16;
    SAMPLE(&lim, "GET a\0b\r\nPING\r\n", RESP_AGAIN, "", ""); /* 15 bytes */
    SAMPLE(&lim, "GET a\0b\r\nPING\r\n\n", RESP_AGAIN, "", "");
    SAMPLE_ERR(&lim, "GET a\0b\r\nPING\r\n\n\n",
               "Protocol error: too big inline request");
    SAMPLE_ERR(&lim, "*1\0\r\n$4\r\nPING\r\nPING\r\n",
               "Protocol error: too big mbulk count string");
    SAMPLE_ERR(&lim, "*1\r\n$4\0\r\nPING\r\nPING\r\n",
               "Protocol error: too big bulk count string");
}

TEST(reader_length_line_ends_at_cr)
{
    /* Redis ends a count or bulk length line at its first '\r', once one
     * more byte is there, and skips that byte unread. */
    SAMPLE_OK("*1\rX$4\r\nPING\r\n", "4:PING,;");
    SAMPLE_OK("*2\r\n$4\rXECHO\r\n$2\r\r\nhi\r\n", "4:ECHO,2:\nh,;;");
    SAMPLE_OK("*1\r\n$4\r\r\nPING\r\n", "4:\nPIN,;;");
    SAMPLE_OK("*0\rX*-1\r\r*1\r\n$1\r\na\r\n", ";;1:a,;");
    SAMPLE(&default_limits, "*1\r", RESP_AGAIN, "", "");
    SAMPLE(&default_limits, "*1\r\n$4\r", RESP_AGAIN, "", "");
    /* The line is "1\nx": not a number. */
    SAMPLE_ERR(&default_limits, "*1\nx\r\n",
               "Protocol error: invalid multibulk length");

    /* max_inline bytes from the '*' (or '$') to the '\r' are fine. */
    struct resp_limits lim = default_limits;
    lim.max_inline = 16;
    SAMPLE_ERR(&lim, "*111111111111111\r\n",
               "Protocol error: invalid multibulk length");
    SAMPLE_ERR(&lim, "*1111111111111111\r\n",
               "Protocol error: too big mbulk count string");
    SAMPLE_ERR(&lim, "*1\r\n$111111111111111\r\n",
               "Protocol error: invalid bulk length");
    SAMPLE_ERR(&lim, "*1\r\n$1111111111111111\r\n",
               "Protocol error: too big bulk count string");
}

TEST(reader_type_byte_waits_for_its_line)
{
    /* Redis looks at an element's type byte only once its line ended. */
    SAMPLE(&default_limits, "*1\r\n:5", RESP_AGAIN, "", "");
    SAMPLE(&default_limits, "*1\r\n:5\r", RESP_AGAIN, "", "");
    SAMPLE(&default_limits, "*2\r\n$1\r\na\r\n+OK", RESP_AGAIN, "", "");
    SAMPLE_ERR(&default_limits, "*1\r\n:5\rX",
               "Protocol error: expected '$', got ':'");
    struct resp_limits lim = default_limits;
    lim.max_inline = 16;
    SAMPLE_ERR(&lim, "*1\r\n:aaaaaaaaaaaaaaaaa",
               "Protocol error: too big bulk count string");
}

TEST(reader_unterminated_trailer_skipped)
{
    /* Like Redis and hiredis, the two bytes after a bulk are skipped
     * unchecked. */
    SAMPLE_OK("*1\r\n$3\r\nabcXY*1\r\n$1\r\nz\r\n", "3:abc,;1:z,;");
}

/* ---- Reader: malformed input ------------------------------------------ */

TEST(reader_invalid_multibulk_length)
{
    const char *t = "Protocol error: invalid multibulk length";
    SAMPLE_ERR(&default_limits, "*abc\r\n", t);
    SAMPLE_ERR(&default_limits, "*+1\r\n$1\r\na\r\n", t);
    SAMPLE_ERR(&default_limits, "*01\r\n$1\r\na\r\n", t);
    SAMPLE_ERR(&default_limits, "*1 \r\n", t);
    SAMPLE_ERR(&default_limits, "*\r\n", t);
    SAMPLE_ERR(&default_limits, "*1048577\r\n", t);
    SAMPLE_ERR(&default_limits, "*4294967297\r\n$1\r\na\r\n", t);
    SAMPLE_ERR(&default_limits, "*99999999999999999999\r\n", t);
    SAMPLE(&default_limits, "PING\r\n*x\r\n", RESP_ERR_PROTOCOL, "4:PING,;",
           t);
}

TEST(reader_invalid_bulk_length)
{
    const char *t = "Protocol error: invalid bulk length";
    SAMPLE_ERR(&default_limits, "*1\r\n$-1\r\n", t);
    SAMPLE_ERR(&default_limits, "*2\r\n$1\r\na\r\n$-1\r\n", t);
    SAMPLE_ERR(&default_limits, "*1\r\n$-5\r\n", t);
    SAMPLE_ERR(&default_limits, "*1\r\n$abc\r\n", t);
    SAMPLE_ERR(&default_limits, "*1\r\n$+3\r\nabc\r\n", t);
    SAMPLE_ERR(&default_limits, "*1\r\n$03\r\nabc\r\n", t);
    SAMPLE_ERR(&default_limits, "*1\r\n$00\r\n\r\n", t);
    SAMPLE_ERR(&default_limits, "*1\r\n$-0\r\n\r\n", t);
    SAMPLE_ERR(&default_limits, "*1\r\n$010\r\n0123456789\r\n", t);
    SAMPLE_ERR(&default_limits, "*1\r\n$3x\r\nabc\r\n", t);
    SAMPLE_ERR(&default_limits, "*1\r\n$\r\n\r\n", t);
    SAMPLE_ERR(&default_limits, "*1\r\n$99999999999999999999\r\n", t);
    /* wraps to 3 in a lenient 64-bit parse */
    SAMPLE_ERR(&default_limits, "*1\r\n$18446744073709551619\r\nabc\r\n", t);
    SAMPLE_ERR(&default_limits, "*1\r\n$9223372036854775807\r\n", t);
    SAMPLE_ERR(&default_limits, "*1\r\n$536870913\r\n", t); /* 512mb + 1 */
}

TEST(reader_expected_dollar)
{
    SAMPLE_ERR(&default_limits, "*2\r\n:1\r\n",
               "Protocol error: expected '$', got ':'");
    SAMPLE_ERR(&default_limits, "*2\r\n$1\r\na\r\n+OK\r\n",
               "Protocol error: expected '$', got '+'");
    SAMPLE_ERR(&default_limits, "*1\r\n-ERR x\r\n",
               "Protocol error: expected '$', got '-'");
    SAMPLE_ERR(&default_limits, "*1\r\n*1\r\n$1\r\na\r\n",
               "Protocol error: expected '$', got '*'");
    SAMPLE_ERR(&default_limits, "*1\r\n*-1\r\n",
               "Protocol error: expected '$', got '*'");
    SAMPLE_ERR(&default_limits, "*1\r\nx\r\n",
               "Protocol error: expected '$', got 'x'");
    SAMPLE_ERR(&default_limits, "*2\r\n$1\r\na\r\nx\r\n",
               "Protocol error: expected '$', got 'x'");
    SAMPLE_ERR(&default_limits, "*3\r\n$1\r\na\r\n$1\r\nb\r\n%1\r\n",
               "Protocol error: expected '$', got '%'");
    SAMPLE_ERR(&default_limits,
               "*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n"
               "*1\r\n*1\r\n$1\r\na\r\n",
               "Protocol error: expected '$', got '*'");
    SAMPLE_ERR(&default_limits, "*1\r\n\r\n",
               "Protocol error: expected '$', got ' '");
}

TEST(reader_unbalanced_quotes)
{
    const char *t = "Protocol error: unbalanced quotes in request";
    SAMPLE_ERR(&default_limits, "SET \"abc\r\n", t);
    SAMPLE_ERR(&default_limits, "SET 'abc\r\n", t);
    SAMPLE_ERR(&default_limits, "SET \"a\"b\r\n", t);
    SAMPLE_ERR(&default_limits, "SET 'a'b\r\n", t);
    SAMPLE(&default_limits, "PING\r\nSET \"a\\\"\r\n", RESP_ERR_PROTOCOL,
           "4:PING,;", t);
}

TEST(reader_limit_multibulk)
{
    struct resp_limits lim = default_limits;
    lim.max_multibulk = 3;
    SAMPLE(&lim, "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", RESP_AGAIN,
           "1:a,1:b,1:c,;", "");
    SAMPLE_ERR(&lim, "*4\r\n$1\r\na\r\n",
               "Protocol error: invalid multibulk length");
}

TEST(reader_limit_bulk_len)
{
    struct resp_limits lim = default_limits;
    lim.max_bulk_len = 10;
    SAMPLE(&lim, "*1\r\n$10\r\n0123456789\r\n", RESP_AGAIN,
           "10:0123456789,;", "");
    SAMPLE_ERR(&lim, "*1\r\n$11\r\n01234567890\r\n",
               "Protocol error: invalid bulk length");

    /* The header alone is enough: the body is never waited for. */
    struct resp_reader r;
    struct resp_request req;
    ASSERT_OK(resp_reader_init(&r, &lim));
    ASSERT_OK(FEED(&r, "*1\r\n$11\r\n"));
    ASSERT_EQ(resp_reader_next(&r, &req), RESP_ERR_PROTOCOL);
    ASSERT_STR_EQ(resp_reader_error(&r), "Protocol error: invalid bulk length");
    /* Sticky: the reader stays failed. */
    ASSERT_EQ(FEED(&r, "x"), RESP_ERR_PROTOCOL);
    ASSERT_EQ(resp_reader_next(&r, &req), RESP_ERR_PROTOCOL);
    resp_reader_close(&r);

    /* With the default 512mb limit, a claimed 512mb is waited for without
     * allocating it: only what arrived is buffered. */
    ASSERT_OK(resp_reader_init(&r, &default_limits));
    ASSERT_OK(FEED(&r, "*1\r\n$536870912\r\nab"));
    ASSERT_EQ(resp_reader_next(&r, &req), RESP_AGAIN);
    ASSERT(r.arena_cap < 4096);
    ASSERT(resp_reader_pending(&r) <= 19);
    resp_reader_close(&r);
}

TEST(reader_limit_unauthenticated)
{
    struct resp_limits lim = default_limits;
    lim.unauth = 1;
    SAMPLE(&lim, "*10\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n"
           "$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n$1\r\nh\r\n$1\r\ni\r\n"
           "$1\r\nj\r\n", RESP_AGAIN,
           "1:a,1:b,1:c,1:d,1:e,1:f,1:g,1:h,1:i,1:j,;", "");
    SAMPLE_ERR(&lim, "*11\r\n",
               "Protocol error: unauthenticated multibulk length");
    SAMPLE_ERR(&lim, "*1\r\n$16385\r\n",
               "Protocol error: unauthenticated bulk length");
    /* A line any client would fail gets the general error first. */
    SAMPLE_ERR(&lim, "*1048577\r\n",
               "Protocol error: invalid multibulk length");
    SAMPLE_ERR(&lim, "*1\r\n$-5\r\n", "Protocol error: invalid bulk length");
    /* Inline requests have no such limit, in Redis either. */
    SAMPLE(&lim, "a b c d e f g h i j k\r\n", RESP_AGAIN,
           "1:a,1:b,1:c,1:d,1:e,1:f,1:g,1:h,1:i,1:j,1:k,;", "");

    /* A 16384-byte argument is waited for; once the server lifts the
     * limits (AUTH), the very next request may be larger. */
    struct resp_reader r;
    struct resp_request req;
    ASSERT_OK(resp_reader_init(&r, &lim));
    ASSERT_OK(FEED(&r, "*1\r\n$16384\r\n"));
    ASSERT_EQ(resp_reader_next(&r, &req), RESP_AGAIN);
    resp_reader_close(&r);
    ASSERT_OK(resp_reader_init(&r, &lim));
    ASSERT_OK(FEED(&r, "*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n"
                       "*11\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n"
                       "$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n"
                       "$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n"));
    ASSERT_EQ(resp_reader_next(&r, &req), RESP_OK);
    ASSERT_EQ(req.argc, 2);
    struct resp_limits authed = lim;
    authed.unauth = 0;
    resp_reader_set_limits(&r, &authed);
    ASSERT_EQ(resp_reader_next(&r, &req), RESP_OK);
    ASSERT_EQ(req.argc, 11);
    resp_reader_close(&r);
}

TEST(reader_limit_querybuf)
{
    struct resp_limits lim = default_limits;
    lim.max_querybuf = 64;
    struct resp_reader r;
    struct resp_request req;
    ASSERT_OK(resp_reader_init(&r, &lim));
    /* A complete request drained frees its share of the budget. */
    ASSERT_OK(FEED(&r, "*1\r\n$40\r\n"));
    ASSERT_OK(resp_reader_feed(&r, "0123456789012345678901234567890123456789"
                                   "\r\n", 42));
    ASSERT_EQ(resp_reader_pending(&r), 51);
    ASSERT_EQ(resp_reader_next(&r, &req), RESP_OK);
    ASSERT_EQ(req.argc, 1);
    ASSERT_EQ(resp_reader_pending(&r), 0);
    ASSERT_OK(FEED(&r, "*1\r\n$50\r\n"));
    ASSERT_OK(resp_reader_feed(&r, "01234567890123456789012345678901234567890"
                                   "123456789", 50)); /* 59 pending */
    ASSERT_EQ(resp_reader_next(&r, &req), RESP_AGAIN);
    ASSERT_OK(FEED(&r, "\r\n")); /* 61 */
    ASSERT_EQ(resp_reader_next(&r, &req), RESP_OK);
    /* Now exceed it with input that can not complete. */
    ASSERT_OK(FEED(&r, "*1\r\n$60\r\n"));
    ASSERT_OK(resp_reader_feed(&r, "0123456789012345678901234567890123456789"
                                   "012345", 46));
    ASSERT_EQ(resp_reader_next(&r, &req), RESP_AGAIN);
    /* hiredis consumed the count line and the '$': 50 bytes unparsed. */
    ASSERT_EQ(resp_reader_pending(&r), 50);
    ASSERT_OK(FEED(&r, "01234567890123")); /* 64: at the limit */
    ASSERT_EQ(resp_reader_next(&r, &req), RESP_AGAIN);
    ASSERT_EQ(FEED(&r, "3"), RESP_ERR_PROTOCOL);
    ASSERT_STR_EQ(resp_reader_error(&r),
                  "Protocol error: query buffer limit exceeded");
    ASSERT_EQ(resp_reader_next(&r, &req), RESP_ERR_PROTOCOL);
    resp_reader_close(&r);
}

/* A limit lowered below what is already buffered (CONFIG SET
 * client-query-buffer-limit) refuses the next bytes; the subtraction
 * wrapped around and let them all in. */
TEST(reader_limit_querybuf_lowered)
{
    struct resp_limits lim = default_limits;
    lim.max_querybuf = 64;
    struct resp_reader r;
    struct resp_request req;
    ASSERT_OK(resp_reader_init(&r, &lim));
    ASSERT_OK(FEED(&r, "*1\r\n$60\r\n"));
    ASSERT_OK(FEED(&r, "0123456789012345678901234567890123456789"));
    ASSERT_EQ(resp_reader_next(&r, &req), RESP_AGAIN);
    ASSERT(resp_reader_pending(&r) > 32);
    lim.max_querybuf = 32;
    resp_reader_set_limits(&r, &lim);
    ASSERT_EQ(FEED(&r, "0"), RESP_ERR_PROTOCOL);
    ASSERT_STR_EQ(resp_reader_error(&r),
                  "Protocol error: query buffer limit exceeded");
    resp_reader_close(&r);
}

TEST(reader_limit_inline)
{
    struct resp_limits lim = default_limits;
    lim.max_inline = 16;
    struct resp_reader r;
    struct resp_request req;
    /* 16 bytes without newline: still waiting; one more is too many. */
    ASSERT_OK(resp_reader_init(&r, &lim));
    ASSERT_OK(FEED(&r, "aaaaaaaaaaaaaaaa"));
    ASSERT_EQ(resp_reader_next(&r, &req), RESP_AGAIN);
    ASSERT_OK(FEED(&r, "\n"));
    ASSERT_EQ(resp_reader_next(&r, &req), RESP_OK);
    ASSERT_EQ(req.argc, 1);
    ASSERT_EQ(req.argvlen[0], 16);
    resp_reader_close(&r);

    SAMPLE_ERR(&lim, "aaaaaaaaaaaaaaaaa",
               "Protocol error: too big inline request");
    SAMPLE_ERR(&lim, "aaaaaaaaaaaaaaaaaaaaaaa\r\n",
               "Protocol error: too big inline request");
    SAMPLE_ERR(&lim, "*111111111111111111",
               "Protocol error: too big mbulk count string");
    SAMPLE_ERR(&lim, "*1\r\n$111111111111111111",
               "Protocol error: too big bulk count string");

    /* The default 64kb, on count and bulk length lines. */
    size_t n = 70000;
    char *big = malloc(n + 8);
    ASSERT(big != NULL);
    big[0] = '*';
    memset(big + 1, '1', n - 1);
    struct sbuf out = {0};
    char err[128];
    size_t cuts[] = {1, 30000, 65537};
    ASSERT_EQ(drive(big, n, cuts, 3, &default_limits, &out, err,
                    sizeof(err)), RESP_ERR_PROTOCOL);
    ASSERT_STR_EQ(err, "Protocol error: too big mbulk count string");
    memcpy(big, "*1\r\n$", 5);
    ASSERT_EQ(drive(big, n, cuts, 3, &default_limits, &out, err,
                    sizeof(err)), RESP_ERR_PROTOCOL);
    ASSERT_STR_EQ(err, "Protocol error: too big bulk count string");
    memset(big, 'a', n);
    ASSERT_EQ(drive(big, n, cuts, 3, &default_limits, &out, err,
                    sizeof(err)), RESP_ERR_PROTOCOL);
    ASSERT_STR_EQ(err, "Protocol error: too big inline request");
    ASSERT_EQ(out.len, 0);
    free(big);
    sb_free(&out);
}

/* ---- Reader: volume, arena and compaction ----------------------------- */

static void build_pipeline(struct sbuf *in, struct sbuf *want, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        char key[32], val[64], line[256];
        int kl = snprintf(key, sizeof(key), "key:%zu", i);
        int vl = snprintf(val, sizeof(val), "value-%zu-%s", i * 7919,
                          i % 3 ? "x" : "with\r\nbreak");
        int n;
        if (i % 7 == 3) {
            n = snprintf(line, sizeof(line), "GET %s\r\n", key);
            sb_add(in, line, (size_t)n);
            n = snprintf(line, sizeof(line), "3:GET,%d:%s,;", kl, key);
        } else {
            n = snprintf(line, sizeof(line),
                         "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n", kl, key,
                         vl);
            sb_add(in, line, (size_t)n);
            sb_add(in, val, (size_t)vl);
            sb_add(in, "\r\n", 2);
            n = snprintf(line, sizeof(line), "3:SET,%d:%s,%d:", kl, key, vl);
            sb_add(want, line, (size_t)n);
            sb_add(want, val, (size_t)vl);
            n = snprintf(line, sizeof(line), ",;");
        }
        sb_add(want, line, (size_t)n);
    }
}

TEST(reader_pipeline_5000)
{
    struct sbuf in = {0}, want = {0};
    build_pipeline(&in, &want, 5000);
    size_t chunks[] = {0, 1, 7, 4096, 65536};
    for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
        size_t step = chunks[c] ? chunks[c] : in.len;
        size_t ncuts = (in.len - 1) / step;
        size_t *cuts = malloc((ncuts + 1) * sizeof(size_t));
        ASSERT(cuts != NULL);
        for (size_t k = 0; k < ncuts; k++)
            cuts[k] = (k + 1) * step;
        struct sbuf out = {0};
        char err[128];
        int rc = drive(in.p, in.len, cuts, ncuts, &default_limits, &out, err,
                       sizeof(err));
        int same = out.len == want.len && memcmp(out.p, want.p, out.len) == 0;
        free(cuts);
        sb_free(&out);
        ASSERT_EQ(rc, RESP_AGAIN);
        ASSERT(same);
    }
    sb_free(&in);
    sb_free(&want);
}

TEST(reader_arena_reuse_after_large_argument)
{
    struct resp_reader r;
    struct resp_request req;
    ASSERT_OK(resp_reader_init(&r, &default_limits));
    ASSERT_OK(FEED(&r, "*2\r\n$3\r\nGET\r\n$3\r\nabc\r\n"));
    ASSERT_EQ(resp_reader_next(&r, &req), RESP_OK);
    const char *small_arena = r.arena;
    size_t small_cap = r.arena_cap;
    ASSERT_OK(FEED(&r, "*2\r\n$3\r\nGET\r\n$3\r\nxyz\r\n"));
    ASSERT_EQ(resp_reader_next(&r, &req), RESP_OK);
    ASSERT(r.arena == small_arena); /* reused, not reallocated */
    ASSERT_EQ(r.arena_cap, small_cap);
    ASSERT_MEM_EQ(req.argv[1], req.argvlen[1], "xyz");

    size_t big = 1024 * 1024;
    char *payload = malloc(big);
    ASSERT(payload != NULL);
    for (size_t i = 0; i < big; i++)
        payload[i] = (char)('a' + i % 26);
    char hdr[64];
    int hl = snprintf(hdr, sizeof(hdr),
                      "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$%zu\r\n",
                      big);
    ASSERT_OK(resp_reader_feed(&r, hdr, (size_t)hl));
    for (size_t off = 0; off < big; off += 10000) {
        size_t n = big - off < 10000 ? big - off : 10000;
        ASSERT_OK(resp_reader_feed(&r, payload + off, n));
        ASSERT_EQ(resp_reader_next(&r, &req), RESP_AGAIN);
    }
    ASSERT_OK(FEED(&r, "\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"));
    ASSERT_EQ(resp_reader_next(&r, &req), RESP_OK);
    ASSERT_EQ(req.argc, 3);
    ASSERT_EQ(req.argvlen[2], big);
    ASSERT(memcmp(req.argv[2], payload, big) == 0);
    ASSERT(r.arena_cap >= big);
    ASSERT_EQ(resp_reader_next(&r, &req), RESP_OK);
    ASSERT(r.arena_cap <= 64 * 1024); /* shrunk for the next request */
    ASSERT_EQ(req.argc, 2);
    ASSERT_MEM_EQ(req.argv[0], req.argvlen[0], "GET");
    ASSERT_MEM_EQ(req.argv[1], req.argvlen[1], "k");
    ASSERT_EQ(resp_reader_pending(&r), 0);
    free(payload);
    resp_reader_close(&r);
}

TEST(reader_many_arguments)
{
    /* More arguments than the 1024 reserved up front; argv grows. */
    struct sbuf in = {0}, want = {0};
    size_t count = 3000;
    char line[64];
    int n = snprintf(line, sizeof(line), "*%zu\r\n", count);
    sb_add(&in, line, (size_t)n);
    for (size_t i = 0; i < count; i++) {
        char arg[16];
        int al = snprintf(arg, sizeof(arg), "%zu", i);
        n = snprintf(line, sizeof(line), "$%d\r\n%s\r\n", al, arg);
        sb_add(&in, line, (size_t)n);
        n = snprintf(line, sizeof(line), "%d:%s,", al, arg);
        sb_add(&want, line, (size_t)n);
    }
    sb_add(&want, ";", 1);
    sb_add(&in, "PING\r\n", 6);
    sb_add(&want, "4:PING,;", 8);
    size_t cuts[] = {3, 5000, 5001, 17000};
    struct sbuf out = {0};
    char err[128];
    int rc = drive(in.p, in.len, cuts, 4, &default_limits, &out, err,
                   sizeof(err));
    int same = out.len == want.len && memcmp(out.p, want.p, out.len) == 0;
    ASSERT_EQ(rc, RESP_AGAIN);
    ASSERT(same);

    /* The argv arrays grew past 1024 and shrink for the next request. */
    struct resp_reader r;
    struct resp_request req;
    ASSERT_OK(resp_reader_init(&r, &default_limits));
    ASSERT_OK(resp_reader_feed(&r, in.p, in.len));
    ASSERT_EQ(resp_reader_next(&r, &req), RESP_OK);
    ASSERT_EQ(req.argc, count);
    ASSERT(r.argv_cap >= count);
    ASSERT_EQ(resp_reader_next(&r, &req), RESP_OK);
    ASSERT_EQ(req.argc, 1);
    ASSERT(r.argv_cap <= 1024);
    resp_reader_close(&r);
    sb_free(&in);
    sb_free(&want);
    sb_free(&out);
}

TEST(reader_after_compaction)
{
    struct resp_reader r;
    struct resp_request req;
    ASSERT_OK(resp_reader_init(&r, &default_limits));
    redisReader *hr = r.hr;
    char val[2000];
    memset(val, 'v', sizeof(val));

    /* (1) A complete 2 KiB request, then the start of the next one:
     * GetReply compacts after the first, the second survives the move. */
    char hdr[64];
    int hl = snprintf(hdr, sizeof(hdr),
                      "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$%zu\r\n",
                      sizeof(val));
    ASSERT_OK(resp_reader_feed(&r, hdr, (size_t)hl));
    ASSERT_OK(resp_reader_feed(&r, val, sizeof(val)));
    ASSERT_OK(FEED(&r, "\r\n*2\r\n$3\r\nGET\r\n$10\r\nabc"));
    ASSERT_EQ(resp_reader_next(&r, &req), RESP_OK);
    ASSERT_EQ(req.argvlen[2], sizeof(val));
    ASSERT(hr->pos < 1024); /* compacted */
    ASSERT_EQ(resp_reader_next(&r, &req), RESP_AGAIN);
    ASSERT_OK(FEED(&r, "defghij\r\n"));
    ASSERT_EQ(resp_reader_next(&r, &req), RESP_OK);
    ASSERT_EQ(req.argc, 2);
    ASSERT_MEM_EQ(req.argv[0], req.argvlen[0], "GET");
    ASSERT_MEM_EQ(req.argv[1], req.argvlen[1], "abcdefghij");

    /* (2) Compaction in the middle of a request: the first arguments were
     * copied out before hiredis moved its buffer. */
    hl = snprintf(hdr, sizeof(hdr), "*3\r\n$3\r\nSET\r\n$%zu\r\n", sizeof(val));
    ASSERT_OK(resp_reader_feed(&r, hdr, (size_t)hl));
    ASSERT_OK(resp_reader_feed(&r, val, sizeof(val)));
    ASSERT_OK(FEED(&r, "\r\n$5\r\nva"));
    ASSERT_EQ(resp_reader_next(&r, &req), RESP_AGAIN);
    ASSERT(hr->pos < 1024);
    ASSERT_OK(FEED(&r, "lue\r\n"));
    ASSERT_EQ(resp_reader_next(&r, &req), RESP_OK);
    ASSERT_EQ(req.argc, 3);
    ASSERT_MEM_EQ(req.argv[0], req.argvlen[0], "SET");
    ASSERT_EQ(req.argvlen[1], sizeof(val));
    ASSERT(memcmp(req.argv[1], val, sizeof(val)) == 0);
    ASSERT_MEM_EQ(req.argv[2], req.argvlen[2], "value");

    /* (3) Inline-only traffic: GetReply never runs, we compact. */
    for (int round = 0; round < 50; round++) {
        for (int i = 0; i < 100; i++)
            ASSERT_OK(FEED(&r, "PING\r\n"));
        ASSERT_OK(FEED(&r, "ECHO ab"));
        for (int i = 0; i < 100; i++) {
            ASSERT_EQ(resp_reader_next(&r, &req), RESP_OK);
            ASSERT_MEM_EQ(req.argv[0], req.argvlen[0], "PING");
        }
        ASSERT_EQ(resp_reader_next(&r, &req), RESP_AGAIN);
        ASSERT(hr->len < 2048);
        ASSERT_OK(FEED(&r, "c\r\n"));
        ASSERT_EQ(resp_reader_next(&r, &req), RESP_OK);
        ASSERT_EQ(req.argc, 2);
        ASSERT_MEM_EQ(req.argv[1], req.argvlen[1], "abc");
    }
    resp_reader_close(&r);
    resp_reader_close(&r); /* twice is harmless */
}

TEST(reader_empty_and_pending)
{
    struct resp_reader r;
    struct resp_request req;
    ASSERT_OK(resp_reader_init(&r, NULL)); /* defaults */
    ASSERT_EQ(r.limits.max_inline, 64 * 1024);
    ASSERT_EQ(resp_reader_next(&r, &req), RESP_AGAIN);
    ASSERT_OK(FEED(&r, ""));
    ASSERT_EQ(resp_reader_next(&r, &req), RESP_AGAIN);
    ASSERT_OK(FEED(&r, "\r\n*0\r\nPI"));
    ASSERT_EQ(resp_reader_next(&r, &req), RESP_OK);
    ASSERT_EQ(req.argc, 0);
    ASSERT_EQ(resp_reader_next(&r, &req), RESP_OK);
    ASSERT_EQ(req.argc, 0);
    ASSERT_EQ(resp_reader_pending(&r), 2);
    ASSERT_EQ(resp_reader_next(&r, &req), RESP_AGAIN);
    ASSERT_STR_EQ(resp_reader_error(&r), "");
    resp_reader_close(&r);
}

/* ---- Reader: staging ---------------------------------------------------- */

TEST(reader_pipeline_200k_in_64k_chunks)
{
    /* redis-cli --pipe: one long stream of small commands arriving in
     * 64 KiB reads, drained after each read, then drained only once the
     * whole stream is buffered. Before the stage, hiredis's buffer held
     * that backlog and memmoved all of it every ~1 KiB consumed. */
    struct sbuf in = {0}, want = {0};
    build_pipeline(&in, &want, 200000);
    for (int backlog = 0; backlog < 2; backlog++) {
        struct resp_reader r;
        struct resp_request req;
        ASSERT_OK(resp_reader_init(&r, &default_limits));
        const redisReader *hr = r.hr;
        struct sbuf out = {0};
        size_t hr_max = 0;
        int rc = RESP_AGAIN, bad_nul = 0;
        for (size_t off = 0; off < in.len; off += 65536) {
            size_t k = in.len - off < 65536 ? in.len - off : 65536;
            ASSERT_OK(resp_reader_feed(&r, in.p + off, k));
            if (backlog && off + k < in.len)
                continue;
            if (backlog)
                ASSERT_EQ(resp_reader_pending(&r), in.len);
            while ((rc = resp_reader_next(&r, &req)) == RESP_OK) {
                bad_nul |= ser_req(&out, &req);
                if (hr->len > hr_max)
                    hr_max = hr->len;
            }
            ASSERT_EQ(rc, RESP_AGAIN);
        }
        int same = out.len == want.len && memcmp(out.p, want.p, out.len) == 0;
        sb_free(&out);
        ASSERT(same);
        ASSERT_EQ(bad_nul, 0);
        ASSERT_EQ(resp_reader_pending(&r), 0);
        /* About one 16 KiB slice, never the megabytes buffered. */
        ASSERT(hr_max <= 32 * 1024);
        resp_reader_close(&r);
    }
    sb_free(&in);
    sb_free(&want);
}

TEST(reader_bulk_20mb_in_64k_chunks)
{
    /* A 20 MB argument in 64 KiB reads. Read after each: the body goes
     * straight into hiredis, whose buffer never runs ahead of the bytes
     * that arrived. Then read only at the end: all of it was staged and
     * moves into hiredis once its length line is known. */
    size_t big = 20 * 1024 * 1024;
    char *payload = malloc(big);
    ASSERT(payload != NULL);
    for (size_t i = 0; i < big; i++)
        payload[i] = "a\r\n$*\0z"[(i * 2654435761u >> 7) % 7];
    char hdr[64];
    int hl = snprintf(hdr, sizeof(hdr),
                      "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$%zu\r\n", big);
    for (int staged = 0; staged < 2; staged++) {
        struct resp_reader r;
        struct resp_request req;
        ASSERT_OK(resp_reader_init(&r, &default_limits));
        const redisReader *hr = r.hr;
        ASSERT_OK(resp_reader_feed(&r, hdr, (size_t)hl));
        size_t fed = (size_t)hl;
        for (size_t off = 0; off < big; off += 65536) {
            size_t k = big - off < 65536 ? big - off : 65536;
            ASSERT_OK(resp_reader_feed(&r, payload + off, k));
            fed += k;
            if (staged)
                continue;
            ASSERT_EQ(resp_reader_next(&r, &req), RESP_AGAIN);
            /* "*3\r\n", "$3\r\nSET\r\n", "$1\r\nk\r\n" and a '$' are
             * consumed; nothing is staged. */
            ASSERT_EQ(resp_reader_pending(&r), fed - 21);
            ASSERT_EQ(r.stage_len - r.stage_pos, 0);
            ASSERT(hr_alloc(hr->buf) <= 2 * fed + 2 * 1024 * 1024);
        }
        if (staged)
            ASSERT_EQ(resp_reader_pending(&r), fed);
        ASSERT_OK(FEED(&r, "\r\nPING\r\n"));
        ASSERT_EQ(resp_reader_next(&r, &req), RESP_OK);
        ASSERT_EQ(req.argc, 3);
        ASSERT_MEM_EQ(req.argv[1], req.argvlen[1], "k");
        ASSERT_EQ(req.argvlen[2], big);
        ASSERT(memcmp(req.argv[2], payload, big) == 0);
        ASSERT_EQ(req.argv[2][big], '\0');
        ASSERT_EQ(resp_reader_next(&r, &req), RESP_OK);
        ASSERT_EQ(req.argc, 1);
        ASSERT_MEM_EQ(req.argv[0], req.argvlen[0], "PING");
        ASSERT_EQ(resp_reader_next(&r, &req), RESP_AGAIN);
        ASSERT_EQ(resp_reader_pending(&r), 0);
        /* An idle client keeps neither the big stage nor the big buffer. */
        ASSERT(r.stage_cap <= 16 * 1024);
        ASSERT(hr_alloc(((const redisReader *)r.hr)->buf) <= 64 * 1024);
        resp_reader_close(&r);
    }
    free(payload);
}

TEST(reader_limit_querybuf_counts_staged)
{
    struct resp_limits lim = default_limits;
    lim.max_querybuf = 64;
    struct resp_reader r;
    struct resp_request req;
    ASSERT_OK(resp_reader_init(&r, &lim));
    r.feed_chunk = 8; /* most of what follows waits in the stage */
    ASSERT_OK(FEED(&r, "*1\r\n$60\r\n"));
    ASSERT_OK(resp_reader_feed(&r, "0123456789012345678901234567890123456789"
                                   "012345", 46));
    ASSERT(r.stage_len - r.stage_pos > 0);
    ASSERT_EQ(resp_reader_pending(&r), 55);
    ASSERT_EQ(resp_reader_next(&r, &req), RESP_AGAIN);
    ASSERT_EQ(resp_reader_pending(&r), 50); /* "*1\r\n" and '$' consumed */
    ASSERT_OK(FEED(&r, "0123456789"));
    ASSERT_OK(FEED(&r, "0123")); /* 64: at the limit */
    ASSERT_EQ(FEED(&r, "4"), RESP_ERR_PROTOCOL);
    ASSERT_STR_EQ(resp_reader_error(&r),
                  "Protocol error: query buffer limit exceeded");
    resp_reader_close(&r);

    /* Nothing parsed yet: the limit counts the staged bytes alone. */
    ASSERT_OK(resp_reader_init(&r, &lim));
    r.feed_chunk = 8;
    char junk[64];
    memset(junk, 'a', sizeof(junk));
    ASSERT_OK(resp_reader_feed(&r, junk, sizeof(junk)));
    ASSERT_EQ(resp_reader_pending(&r), 64);
    ASSERT_EQ(FEED(&r, "a"), RESP_ERR_PROTOCOL);
    resp_reader_close(&r);
}

TEST(reader_end_of_input)
{
    /* After resp_reader_end(), what was fed still comes out, staged
     * bytes included; then RESP_END, and a request cut short is dropped. */
    for (size_t slice = 1; slice <= 16 * 1024; slice *= 128) {
        struct resp_reader r;
        struct resp_request req;
        ASSERT_OK(resp_reader_init(&r, &default_limits));
        r.feed_chunk = slice;
        ASSERT_OK(FEED(&r, "PING\r\n\r\n*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPI"));
        ASSERT_EQ(resp_reader_next(&r, &req), RESP_OK);
        ASSERT_EQ(req.argc, 1);
        resp_reader_end(&r);
        ASSERT_EQ(resp_reader_next(&r, &req), RESP_OK);
        ASSERT_EQ(req.argc, 0);
        ASSERT_EQ(resp_reader_next(&r, &req), RESP_OK);
        ASSERT_MEM_EQ(req.argv[0], req.argvlen[0], "PING");
        ASSERT_EQ(resp_reader_next(&r, &req), RESP_END);
        ASSERT_EQ(resp_reader_next(&r, &req), RESP_END);
        resp_reader_close(&r);
    }
    /* An error still wins. */
    struct resp_reader r;
    struct resp_request req;
    ASSERT_OK(resp_reader_init(&r, &default_limits));
    ASSERT_OK(FEED(&r, "*x\r\n"));
    resp_reader_end(&r);
    ASSERT_EQ(resp_reader_next(&r, &req), RESP_ERR_PROTOCOL);
    resp_reader_close(&r);
}

TEST(reader_samples_in_small_slices)
{
    /* Every split of every sample again, with hiredis given its staged
     * bytes a few at a time: slicing must never change a result. */
    static void (*const samples[])(int *) = {
        test_reader_set_command,
        test_reader_pipelined_batch,
        test_reader_binary_payload,
        test_reader_empty_bulk,
        test_reader_inline_quotes,
        test_reader_nul_keeps_line_open,
        test_reader_length_line_ends_at_cr,
        test_reader_type_byte_waits_for_its_line,
        test_reader_unterminated_trailer_skipped,
        test_reader_invalid_multibulk_length,
        test_reader_invalid_bulk_length,
        test_reader_expected_dollar,
        test_reader_unbalanced_quotes,
        test_reader_limit_multibulk,
        test_reader_limit_bulk_len,
        test_reader_pipeline_5000,
        test_reader_many_arguments,
        test_reader_limit_inline, /* last: 64 KiB lines, big slices only */
    };
    static const size_t slices[] = {1, 2, 3, 64};
    size_t nsamples = sizeof(samples) / sizeof(samples[0]);
    for (size_t i = 0; i < sizeof(slices) / sizeof(slices[0]); i++) {
        slice_override = slices[i];
        /* A line is rescanned per slice until it ends: quadratic in 64
         * KiB with 1-byte slices, so the long-line sample skips those. */
        size_t n = slices[i] < 64 ? nsamples - 1 : nsamples;
        for (size_t k = 0; k < n && !*unit_failed_; k++)
            samples[k](unit_failed_);
        if (*unit_failed_) {
            fprintf(stderr, "    (with %zu-byte slices)\n", slices[i]);
            break;
        }
    }
    slice_override = 0;
}

/* ---- Reader: look-ahead for prefetching ------------------------------- */

/* Formats what resp_reader_peek_keys saw as "key,key,-," ('-' for none). */
static void peek_text(struct resp_reader *r, size_t max, char *out,
                      size_t outsz)
{
    const char *keys[8];
    size_t lens[8];
    size_t n = resp_reader_peek_keys(r, keys, lens, max < 8 ? max : 8);
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && o < outsz; i++)
        o += (size_t)(keys[i] ? snprintf(out + o, outsz - o, "%.*s,",
                                         (int)lens[i], keys[i])
                              : snprintf(out + o, outsz - o, "-,"));
}

TEST(peek_keys_of_a_pipeline)
{
    struct resp_reader r;
    char got[256], big[RESP_PEEK_KEY_MAX + 2];   /* one byte over */
    memset(big, 'x', sizeof big);
    ASSERT_OK(resp_reader_init(&r, &default_limits));
    ASSERT_OK(FEED(&r, "*2\r\n$3\r\nGET\r\n$2\r\nk1\r\n"
                       "*3\r\n$3\r\nSET\r\n$2\r\nk2\r\n$1\r\nv\r\n"
                       "*1\r\n$4\r\nPING\r\n"));
    char hdr[64];
    int hl = snprintf(hdr, sizeof hdr, "*2\r\n$3\r\nGET\r\n$%d\r\n",
                      (int)sizeof big - 1);
    ASSERT_OK(resp_reader_feed(&r, hdr, (size_t)hl));
    ASSERT_OK(resp_reader_feed(&r, big, sizeof big - 1));
    ASSERT_OK(FEED(&r, "\r\n*2\r\n$3\r\nGET\r\n$4\r\nk\r\nz\r\n"
                       "*2\r\n$3\r\nGET\r\n$2\r\nk6"));
    peek_text(&r, 8, got, sizeof got);
    ASSERT_STR_EQ(got, "k1,k2,-,-,k\r\nz,");
    peek_text(&r, 2, got, sizeof got);
    ASSERT_STR_EQ(got, "k1,k2,");
    /* Nothing was consumed: the real parse still starts at GET k1, and
     * the look-ahead then starts after it. */
    struct resp_request req;
    ASSERT_EQ(resp_reader_next(&r, &req), RESP_OK);
    ASSERT_MEM_EQ(req.argv[1], req.argvlen[1], "k1");
    peek_text(&r, 8, got, sizeof got);
    ASSERT_STR_EQ(got, "k2,-,-,k\r\nz,");
    ASSERT_OK(FEED(&r, "\r\n"));
    peek_text(&r, 8, got, sizeof got);
    ASSERT_STR_EQ(got, "k2,-,-,k\r\nz,k6,");
    resp_reader_close(&r);
}

TEST(peek_keys_stops_where_the_parse_must_decide)
{
    struct resp_reader r;
    struct resp_request req;
    char got[256];
    /* An inline line, a malformed element and a request in progress end
     * the look-ahead; the requests before them are still seen. */
    static const char *const inputs[] = {
        "*2\r\n$3\r\nGET\r\n$1\r\na\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nb\r\n",
        "*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n:3\r\nGET\r\n$1\r\nb\r\n",
        "*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$x\r\n",
        "*2\r\n$3\r\nGET\r\n$1\r\na\r\n*0\r\n*2\r\n$3\r\nGET\r\n$1\r\nb\r\n",
        "*2\r\n$3\r\nGET\r\n$1\r\na\r\n*-1\r\n",
        "*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$3\r\nGET\r\n$1\r\nbXY",
        "*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$3\r\nGET\r\n$99999999999999999999\r\n",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        ASSERT_OK(resp_reader_init(&r, &default_limits));
        ASSERT_OK(resp_reader_feed(&r, inputs[i], strlen(inputs[i])));
        peek_text(&r, 8, got, sizeof got);
        if (strcmp(got, "a,") != 0)
            UNIT_FAIL_("input %zu: saw \"%s\"", i, got);
        resp_reader_close(&r);
    }
    ASSERT_OK(resp_reader_init(&r, &default_limits));
    ASSERT_OK(FEED(&r, "PING\r\n*2\r\n$3\r\nGET\r\n$1\r\nb\r\n"));
    peek_text(&r, 8, got, sizeof got);
    ASSERT_STR_EQ(got, "");
    resp_reader_close(&r);
    /* hiredis is inside a request: no look-ahead until it completes. */
    ASSERT_OK(resp_reader_init(&r, &default_limits));
    ASSERT_OK(FEED(&r, "*2\r\n$3\r\nGET\r\n"));
    ASSERT_EQ(resp_reader_next(&r, &req), RESP_AGAIN);
    ASSERT_OK(FEED(&r, "$1\r\nb\r\n*2\r\n$3\r\nGET\r\n$1\r\nc\r\n"));
    peek_text(&r, 8, got, sizeof got);
    ASSERT_STR_EQ(got, "");
    ASSERT_EQ(resp_reader_next(&r, &req), RESP_OK);
    peek_text(&r, 8, got, sizeof got);
    ASSERT_STR_EQ(got, "c,");
    resp_reader_close(&r);
}

/* Every prefix of a pipeline: the look-ahead sees exactly the requests
 * that are whole in it. (ASan cannot see a read past hiredis's len, its
 * buffer has room beyond; the fuzz target checks the look-ahead against
 * the parse instead.) */
TEST(peek_keys_every_prefix)
{
    static const char in[] = "*2\r\n$3\r\nGET\r\n$2\r\nab\r\n"
                             "*1\r\n$4\r\nPING\r\n"
                             "*3\r\n$3\r\nSET\r\n$10\r\n0123456789\r\n"
                             "$0\r\n\r\n"
                             "*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n";
    static const size_t ends[] = { 21, 35, 71, 92 };
    static const char *const want[] = { "", "ab,", "ab,-,",
                                        "ab,-,0123456789,",
                                        "ab,-,0123456789,n," };
    char got[256];
    for (size_t len = 0; len <= sizeof in - 1; len++) {
        struct resp_reader r;
        ASSERT_OK(resp_reader_init(&r, &default_limits));
        ASSERT_OK(resp_reader_feed(&r, in, len));
        size_t whole = 0;
        while (whole < 4 && ends[whole] <= len)
            whole++;
        peek_text(&r, 8, got, sizeof got);
        if (strcmp(got, want[whole]) != 0)
            UNIT_FAIL_("prefix %zu: saw \"%s\", want \"%s\"", len, got,
                       want[whole]);
        resp_reader_close(&r);
    }
}

/* ---- Writer ------------------------------------------------------------ */

#define OUT_IS(o, lit)                                                      \
    do {                                                                    \
        ASSERT_EQ((o)->nomem, 0);                                           \
        ASSERT((o)->data != NULL);                                          \
        ASSERT_MEM_EQ((o)->data, (o)->len, lit);                            \
        resp_out_reset((o), 1024);                                          \
    } while (0)

TEST(writer_resp2)
{
    struct resp_out o;
    resp_out_init(&o, 2);
    resp_add_simple(&o, "OK");
    OUT_IS(&o, "+OK\r\n");
    resp_add_simple(&o, "a\r\nb");
    OUT_IS(&o, "+a  b\r\n");
    resp_add_error(&o, "ERR bad\r\nthing\n", 15);
    OUT_IS(&o, "-ERR bad  thing \r\n");
    resp_add_errorf(&o, "ERR unknown command '%s'", "FOO");
    OUT_IS(&o, "-ERR unknown command 'FOO'\r\n");
    resp_add_int(&o, 0);
    resp_add_int(&o, 7);
    resp_add_int(&o, -1);
    resp_add_int(&o, 10);
    resp_add_int(&o, 99);
    resp_add_int(&o, 100);
    resp_add_int(&o, 1234567890123LL);
    OUT_IS(&o, ":0\r\n:7\r\n:-1\r\n:10\r\n:99\r\n:100\r\n:1234567890123\r\n");
    resp_add_int(&o, INT64_MAX);
    resp_add_int(&o, INT64_MIN);
    OUT_IS(&o, ":9223372036854775807\r\n:-9223372036854775808\r\n");
    resp_add_bulk(&o, "foo", 3);
    resp_add_bulk(&o, "", 0);
    resp_add_bulk(&o, "a\r\n\0b", 5);
    OUT_IS(&o, "$3\r\nfoo\r\n$0\r\n\r\n$5\r\na\r\n\0b\r\n");
    resp_add_bulk_cstr(&o, "hello");
    resp_add_bulk_cstr(&o, NULL);
    OUT_IS(&o, "$5\r\nhello\r\n$-1\r\n");
    resp_add_bulk_i64(&o, -42);
    resp_add_bulk_i64(&o, INT64_MIN);
    OUT_IS(&o, "$3\r\n-42\r\n$20\r\n-9223372036854775808\r\n");
    resp_add_null(&o);
    resp_add_null_array(&o);
    OUT_IS(&o, "$-1\r\n*-1\r\n");
    resp_add_array(&o, 0);
    resp_add_array(&o, 3);
    resp_add_map(&o, 2);
    resp_add_set(&o, 5);
    resp_add_push(&o, 3);
    OUT_IS(&o, "*0\r\n*3\r\n*4\r\n*5\r\n*3\r\n");
    resp_add_bool(&o, 1);
    resp_add_bool(&o, 0);
    OUT_IS(&o, ":1\r\n:0\r\n");
    resp_add_double(&o, 3.14);
    resp_add_double(&o, 1.5);
    resp_add_double(&o, 0.0);
    resp_add_double(&o, 100);
    OUT_IS(&o, "$18\r\n3.1400000000000001\r\n$3\r\n1.5\r\n$1\r\n0\r\n"
               "$3\r\n100\r\n");
    resp_add_double(&o, 1e300);
    resp_add_double(&o, -0.1);
    OUT_IS(&o, "$23\r\n1.0000000000000001e+300\r\n"
               "$20\r\n-0.10000000000000001\r\n");
    resp_add_double(&o, INFINITY);
    resp_add_double(&o, -INFINITY);
    resp_add_double(&o, NAN);
    OUT_IS(&o, "$3\r\ninf\r\n$4\r\n-inf\r\n$3\r\nnan\r\n");
    resp_add_verbatim(&o, "txt", 3);
    OUT_IS(&o, "$3\r\ntxt\r\n");
    resp_add_verbatim_as(&o, "mkd", "# x", 3);
    resp_add_big_number(&o, "12345678901234567890", 20);
    OUT_IS(&o, "$3\r\n# x\r\n$20\r\n12345678901234567890\r\n");
    resp_add_raw(&o, "+PONG\r\n", 7);
    OUT_IS(&o, "+PONG\r\n");
    resp_out_close(&o);
}

TEST(writer_resp3)
{
    struct resp_out o;
    resp_out_init(&o, 3);
    resp_add_simple(&o, "OK");
    resp_add_error(&o, "ERR x", 5);
    resp_add_int(&o, -5);
    resp_add_bulk(&o, "ab", 2);
    OUT_IS(&o, "+OK\r\n-ERR x\r\n:-5\r\n$2\r\nab\r\n");
    resp_add_null(&o);
    resp_add_null_array(&o);
    resp_add_bulk_cstr(&o, NULL);
    OUT_IS(&o, "_\r\n_\r\n_\r\n");
    resp_add_array(&o, 2);
    resp_add_map(&o, 2);
    resp_add_set(&o, 5);
    resp_add_push(&o, 3);
    OUT_IS(&o, "*2\r\n%2\r\n~5\r\n>3\r\n");
    resp_add_bool(&o, 1);
    resp_add_bool(&o, 0);
    OUT_IS(&o, "#t\r\n#f\r\n");
    resp_add_double(&o, 3.14);
    resp_add_double(&o, 2);
    resp_add_double(&o, INFINITY);
    resp_add_double(&o, -INFINITY);
    resp_add_double(&o, NAN);
    resp_add_double(&o, -NAN);
    OUT_IS(&o, ",3.1400000000000001\r\n,2\r\n,inf\r\n,-inf\r\n,nan\r\n"
               ",-nan\r\n");
    resp_add_verbatim(&o, "hello", 5);
    resp_add_verbatim(&o, "", 0);
    OUT_IS(&o, "=9\r\ntxt:hello\r\n=4\r\ntxt:\r\n");
    resp_add_verbatim_as(&o, "mkd", "# x", 3);
    resp_add_big_number(&o, "12345678901234567890", 20);
    resp_add_status(&o, "a\r\nb", 4);
    OUT_IS(&o, "=7\r\nmkd:# x\r\n(12345678901234567890\r\n+a  b\r\n");
    resp_out_close(&o);
}

/* Every digit count, both signs, at the edges where it changes: the
 * counting in writer.c against snprintf. Counts (resp_add_array) reach
 * 20 digits. */
TEST(writer_number_widths)
{
    struct resp_out o;
    resp_out_init(&o, 2);
    char want[64];
    uint64_t p10 = 1;
    for (int k = 0; k < 20; k++, p10 *= 10) {
        const uint64_t us[] = { p10 - 1, p10, p10 + 1 };
        for (size_t i = 0; i < 3; i++) {
            resp_out_reset(&o, 1024);
            resp_add_array(&o, (size_t)us[i]);
            int n = snprintf(want, sizeof want, "*%" PRIu64 "\r\n", us[i]);
            ASSERT_EQ(o.len, n);
            ASSERT(memcmp(o.data, want, (size_t)n) == 0);
            if (us[i] > (uint64_t)INT64_MAX)
                continue;
            for (int sign = -1; sign <= 1; sign += 2) {
                int64_t v = sign * (int64_t)us[i];
                resp_out_reset(&o, 1024);
                resp_add_int(&o, v);
                n = snprintf(want, sizeof want, ":%" PRId64 "\r\n", v);
                ASSERT_EQ(o.len, n);
                ASSERT(memcmp(o.data, want, (size_t)n) == 0);
            }
        }
    }
    resp_out_close(&o);
}

/* resp_repr writes sdscatrepr's quoting, and resp_split_next reads every
 * byte value back from it. */
TEST(repr_round_trip)
{
    char all[256], out[4 * 256 + 2], back[sizeof(out)];
    for (int i = 0; i < 256; i++)
        all[i] = (char)i;
    size_t n = resp_repr(out, all, sizeof(all));
    ASSERT(n <= sizeof(out));
    size_t pos = 0, len = 0;
    ASSERT_EQ(resp_split_next(out, n, &pos, back, &len), 1);
    ASSERT_EQ(len, sizeof(all));
    ASSERT(memcmp(back, all, len) == 0);
    struct resp_out o;
    resp_out_init(&o, 2);
    resp_add_repr(&o, "a\"b\\\n\x01\x7f\xff", 8);
    ASSERT_MEM_EQ(o.data, o.len, "\"a\\\"b\\\\\\n\\x01\\x7f\\xff\"");
    resp_out_close(&o);
}

TEST(writer_growth_and_nomem)
{
    struct resp_out o;
    resp_out_init(&o, 2);
    ASSERT(o.data == NULL);
    /* Many appends: one contiguous, correct stream. */
    for (int i = 0; i < 10000; i++)
        resp_add_int(&o, i);
    ASSERT_EQ(o.nomem, 0);
    size_t pos = 0;
    for (int i = 0; i < 10000; i++) {
        char want[32];
        int n = snprintf(want, sizeof(want), ":%d\r\n", i);
        ASSERT(memcmp(o.data + pos, want, (size_t)n) == 0);
        pos += (size_t)n;
    }
    ASSERT_EQ(pos, o.len);
    /* A big bulk is a single reservation. */
    char *big = malloc(300000);
    ASSERT(big != NULL);
    memset(big, 'z', 300000);
    resp_out_reset(&o, 0);
    ASSERT(o.data == NULL);
    resp_add_bulk(&o, big, 300000);
    ASSERT_EQ(o.len, 9 + 300000 + 2);
    ASSERT(memcmp(o.data, "$300000\r\nzz", 11) == 0);
    free(big);
    /* reset keeps a small allocation, drops a large one */
    resp_out_reset(&o, 1 << 20);
    ASSERT(o.data != NULL);
    ASSERT_EQ(o.len, 0);
    resp_out_reset(&o, 1024);
    ASSERT(o.data == NULL);
    ASSERT_EQ(o.cap, 0);

    /* nomem is sticky until reset and nothing partial is written. */
    resp_add_simple(&o, "OK");
    resp_add_raw(&o, "x", SIZE_MAX - 2);
    ASSERT_EQ(o.nomem, 1);
    resp_add_int(&o, 5);
    resp_add_bulk(&o, "abc", 3);
    ASSERT_EQ(o.nomem, 1);
    ASSERT_MEM_EQ(o.data, o.len, "+OK\r\n");
    resp_out_reset(&o, 1024);
    ASSERT_EQ(o.nomem, 0);
    resp_add_int(&o, 5);
    OUT_IS(&o, ":5\r\n");

    /* A long formatted error goes through the heap path. */
    char arg[600];
    memset(arg, 'q', sizeof(arg) - 1);
    arg[sizeof(arg) - 1] = '\0';
    resp_add_errorf(&o, "ERR %s", arg);
    ASSERT_EQ(o.len, 1 + 4 + 599 + 2);
    ASSERT(memcmp(o.data, "-ERR qqq", 8) == 0);
    ASSERT(memcmp(o.data + o.len - 3, "q\r\n", 3) == 0);
    resp_out_close(&o);
    resp_out_close(&o);
}

static const struct unit_test tests[] = {
    UNIT(repr_round_trip),
    UNIT(reader_set_command),
    UNIT(reader_length_digits),
    UNIT(reader_pipelined_batch),
    UNIT(reader_binary_payload),
    UNIT(reader_empty_bulk),
    UNIT(reader_inline_quotes),
    UNIT(reader_nul_keeps_line_open),
    UNIT(reader_length_line_ends_at_cr),
    UNIT(reader_type_byte_waits_for_its_line),
    UNIT(reader_unterminated_trailer_skipped),
    UNIT(reader_invalid_multibulk_length),
    UNIT(reader_invalid_bulk_length),
    UNIT(reader_expected_dollar),
    UNIT(reader_unbalanced_quotes),
    UNIT(reader_limit_multibulk),
    UNIT(reader_limit_bulk_len),
    UNIT(reader_limit_unauthenticated),
    UNIT(reader_limit_querybuf),
    UNIT(reader_limit_querybuf_lowered),
    UNIT(reader_limit_inline),
    UNIT(reader_pipeline_5000),
    UNIT(reader_arena_reuse_after_large_argument),
    UNIT(reader_many_arguments),
    UNIT(reader_after_compaction),
    UNIT(reader_empty_and_pending),
    UNIT(reader_pipeline_200k_in_64k_chunks),
    UNIT(reader_bulk_20mb_in_64k_chunks),
    UNIT(reader_limit_querybuf_counts_staged),
    UNIT(reader_end_of_input),
    UNIT(reader_samples_in_small_slices),
    UNIT(peek_keys_of_a_pipeline),
    UNIT(peek_keys_stops_where_the_parse_must_decide),
    UNIT(peek_keys_every_prefix),
    UNIT(writer_resp2),
    UNIT(writer_resp3),
    UNIT(writer_number_widths),
    UNIT(writer_growth_and_nomem),
};

int main(void)
{
    return unit_run(tests, UNIT_COUNT(tests));
}
