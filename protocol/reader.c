/* reader.c - requests in: RESP multibulk through hiredis, inline by hand.
 *
 * hiredis's reader is a good RESP tokenizer, but its default object
 * functions build a reply tree with one allocation and one copy per
 * argument. We install our own functions and use hiredis only to find
 * where each bulk string starts and ends:
 *
 *   socket bytes --feed--> stage   [consumed | staged ........ | free]
 *                              |   one buffer, read offset stage_pos
 *                              |   16 KiB at a time, only when hiredis
 *                              v   holds no complete request
 *                          hiredis buffer (sds, compacted by hiredis)
 *                              |
 *          redisReaderGetReply |  createArray(root)  -> expected = n
 *                              |  createString(elem) -> copy into arena
 *                              v
 *   arena:  "SET\0key\0value\0"      offs: 0 4 8      lens: 3 3 5
 *                              |
 *          request complete    |  argv[i] = arena + offs[i]
 *                              v
 *   struct resp_request { argc, argv, argvlen }  (borrowed views)
 *
 * Offsets, not pointers, are recorded while a request is read, because
 * the arena may move when it grows; pointers are made once, when the
 * whole request is in. The char * hiredis passes to createString is never
 * kept: it points into hiredis's buffer, which GetReply memmoves
 * (sdsrange) before returning once 1 KiB has been consumed.
 *
 * Why the stage. That memmove moves everything unconsumed, so hiredis's
 * buffer must stay short. Fed a whole pipelined stream (redis-cli --pipe
 * sends megabytes at once), every ~17 small commands moved the entire
 * backlog: quadratic, 400k SETs in one stream took 15 s. Now the backlog
 * waits in our stage, and resp_reader_next() hands hiredis one slice
 * (FEED_CHUNK) at a time, only when what hiredis holds yields no complete
 * request, then tries again; hiredis's buffer stays about a slice long.
 * The stage is compacted only when its consumed prefix is at least half
 * of it, so each byte is copied an amortised O(1) times. Slicing never
 * changes a result: it is the same as the client sending its bytes in
 * pieces, and the unit tests split their samples at every byte boundary,
 * with slices down to one byte.
 *
 * hiredis's buffer grows past a slice in two cases, both bounded by bytes
 * that already arrived. A bulk string must be whole in that buffer, so
 * while hiredis waits for a body it gets all the staged bytes the body
 * lacks, and the buffer grows geometrically (sds alone grows in 1 MiB
 * steps past 1 MiB, a realloc each: quadratic for a 500 MB argument) but
 * never ahead of the bytes. And a count, bulk length or inline line not
 * yet ended gets slice after slice until its end, or until max_inline
 * decides it is too long. When nothing is staged, feed copies straight
 * into hiredis what it would be given next anyway, so small requests and
 * big bodies are copied once, not twice. Before each slice, hiredis's
 * consumed prefix is dropped, and a buffer a big request left large is
 * swapped for a small one, so an idle client keeps little memory.
 *
 * Callbacks and their contract. privdata is the struct resp_reader, so it
 * must not move after resp_reader_init(). A callback returns the reader
 * itself as a non-NULL sentinel "object"; NULL would tell hiredis "out of
 * memory", so it is returned only when our own allocation failed. Any
 * shape other than "root array of bulk strings" sets r->bad with the
 * Redis 7 error text and returns the sentinel; hiredis may keep parsing
 * the rest of that request, but nothing it produces is used. freeObject
 * does nothing: the arena is simply reset at the next request.
 *
 * Where a line ends: as in Redis, not as in hiredis (find_line). Redis
 * looks for the end of a line with strchr, in a C string, so a NUL
 * before the end hides it and the line never ends; a count or bulk
 * length line ends at its first '\r', once one more byte is there, and
 * Redis skips that byte unread, '\n' or not; only then does it look at
 * the line's type byte and number. hiredis wants "\r\n". So every line
 * is found by us before hiredis reads it: the count line by read_count(),
 * each element's line by check_element(), called from the callback of
 * the element (or count) before it, or by peek_element() before the next
 * GetReply when the element had not arrived. A line that ended in '\r'
 * and another byte gets that byte made '\n' in hiredis's buffer, so
 * hiredis ends the line where Redis does. An element whose line has not
 * ended for Redis is kept from hiredis, which could end it past a NUL:
 * the callback sets hiredis's len back to the element's start, so that
 * GetReply stops there, and next_buffered() restores it (len is always
 * sdslen(buf) otherwise), and peek_element() does not call GetReply
 * until check_element() agrees.
 *
 * Limits hiredis 0.14 does not enforce are checked here, always before
 * anything of the claimed size would be allocated:
 *
 *   - The root count line is parsed by us (strictly, like Redis's
 *     string2ll) before GetReply runs, so createArray's int argument is
 *     never a truncated value, and counts <= 0 (an empty command) never
 *     reach hiredis. argv is reserved for min(count, 1024) and grows as
 *     elements arrive, as Redis does.
 *   - Each element is checked, in Redis's order, once its line has
 *     ended: the type byte must be '$' (else Redis's "expected '$', got
 *     'X'", so hiredis never gets to report its own "reply type byte"
 *     error), then the length must be valid and within max_bulk_len. So
 *     "$999999999999\r\n" fails as soon as its line is in, and is never
 *     waited for. What passes is a strict decimal, which a lenient
 *     hiredis parses to the same length, so createString takes hiredis's.
 *   - Lines (count, bulk length, inline request) with no end within
 *     max_inline bytes of their first byte fail with Redis's "too big
 *     ..." texts once more than that is buffered; find_line says why
 *     this answer does not depend on how the input was split into reads.
 *
 * Inline commands. When no request is in progress (hiredis's task stack
 * is idle) and the next unconsumed byte is not '*', the line up to '\n'
 * is split like Redis's sdssplitargs ("double quotes" with \n \r \t \b \a
 * \xHH escapes, 'single quotes' with \'), straight into the arena, and
 * hiredis's pos is moved past it. We compact hiredis's buffer ourselves
 * after that (sdsrange, as GetReply does), since GetReply is not called
 * for inline input and the consumed bytes would otherwise pile up.
 *
 * End of input. resp_reader_end() says no more bytes will come (the peer
 * shut down its side): the requests already fed still come out, then
 * resp_reader_next() says RESP_END instead of RESP_AGAIN, and the rest
 * of a request cut short is simply never used, as in Redis.
 *
 * Debian's 0.14.1 carries backported strict length parsing ("Bad bulk
 * string length", "Bulk string length out of range"); upstream 0.14.1
 * parses leniently (non-digits give -1, i.e. nil). Both are handled: the
 * strict checks above run either way, and a hiredis error that slips
 * through is translated to the Redis text.
 *
 * Look-ahead. resp_reader_peek_keys() scans, without consuming, the
 * complete requests hiredis holds after its pos and reports each one's
 * argument 1, so the server can prefetch the keys of a pipeline before
 * running it. It reads nothing past hiredis's len, needs hiredis idle (at
 * a request boundary), and reports no errors: what stops it is left to
 * the real parse.
 *
 * Before AUTH. With limits.unauth set (the server sets it while the
 * client must authenticate, and clears it before the next request once
 * it has), a count over UNAUTH_MAX_ARGS or a bulk length over
 * UNAUTH_MAX_BULK fails with Redis's "unauthenticated ..." texts, each
 * after the check of the same line for any client.
 *
 * What this file does not do: it never replies (the server turns
 * resp_reader_error() into "-ERR ..."), never closes anything, and knows
 * nothing of commands or of who has authenticated. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>
#include <hiredis/read.h>
#include <hiredis/sds.h>

#include "protocol/resp.h"

/* hiredis 1.x keeps the task stack behind pointers, takes the array count
 * as size_t, and prefixes its sds functions; 0.14 (Debian 12) does not. */
#if defined(HIREDIS_MAJOR) && HIREDIS_MAJOR >= 1
#define HR_TASK(hr, i) ((hr)->task[(i)])
typedef size_t hr_count;
#define hr_sdsrange(s, start) hi_sdsrange((s), (ssize_t)(start), -1)
#define hr_sdslen(s) hi_sdslen(s)
#define hr_sdsavail(s) hi_sdsavail(s)
#define hr_sdsalloc(s) hi_sdsalloc(s)
#define hr_sdsnewlen(p, n) hi_sdsnewlen((p), (n))
#define hr_sdsfree(s) hi_sdsfree(s)
#define hr_sdsMakeRoomFor(s, n) hi_sdsMakeRoomFor((s), (n))
#else
#define HR_TASK(hr, i) (&(hr)->rstack[(i)])
typedef int hr_count;
#define hr_sdsrange(s, start) sdsrange((s), (int)(start), -1)
#define hr_sdslen(s) sdslen(s)
#define hr_sdsavail(s) sdsavail(s)
#define hr_sdsalloc(s) sdsalloc(s)
#define hr_sdsnewlen(p, n) sdsnewlen((p), (n))
#define hr_sdsfree(s) sdsfree(s)
#define hr_sdsMakeRoomFor(s, n) sdsMakeRoomFor((s), (n))
#endif

#define DEFAULT_MAX_BULK_LEN ((size_t)512 * 1024 * 1024)
#define DEFAULT_MAX_QUERYBUF ((size_t)1024 * 1024 * 1024)
#define DEFAULT_MAX_MULTIBULK ((size_t)1024 * 1024)
#define DEFAULT_MAX_INLINE ((size_t)64 * 1024)

/* hiredis 0.14's sdsrange takes int offsets, so its buffer must stay
 * below 2 GiB: leave room for one compaction's worth of consumed bytes. */
#define MAX_QUERYBUF_CLAMP ((size_t)INT_MAX - 16 * 1024 * 1024)

#define ARGV_INITIAL 16
#define ARGV_RESERVE_MAX 1024  /* never reserve more from a claimed count */
#define ARGV_KEEP 1024         /* shrink argv arrays beyond this */
#define ARENA_MIN 256
#define ARENA_KEEP ((size_t)64 * 1024) /* drop the arena beyond this */
#define COMPACT_AT 1024                /* as hiredis: sdsrange past 1 KiB */
#define FEED_CHUNK ((size_t)16 * 1024) /* staged bytes given to hiredis */
#define STAGE_MIN ((size_t)4 * 1024)
#define STAGE_KEEP ((size_t)16 * 1024) /* drop an empty stage beyond this */
#define HR_KEEP ((size_t)64 * 1024)    /* hiredis buffer worth keeping */

/* ---- Errors ------------------------------------------------------------ */

/* Records the first error; later ones are ignored so the text always names
 * the earliest problem in the stream. Returns the code for convenience. */
static int set_error(struct resp_reader *r, int code, const char *msg)
{
    if (r->bad)
        return r->bad;
    r->bad = code;
    snprintf(r->err, sizeof(r->err), "%s", msg);
    return code;
}

static int set_nomem(struct resp_reader *r)
{
    return set_error(r, RESP_ERR_NOMEM, "Out of memory");
}

/* Redis: "Protocol error: expected '$', got '%c'". CR/LF would be turned
 * into spaces on the wire anyway, and a NUL can not live in a C string. */
static int set_expected_dollar(struct resp_reader *r, char got)
{
    char msg[64];
    if (got == '\0' || got == '\r' || got == '\n')
        got = ' ';
    snprintf(msg, sizeof(msg), "Protocol error: expected '$', got '%c'",
             got);
    return set_error(r, RESP_ERR_PROTOCOL, msg);
}

static int set_bad_bulk_len(struct resp_reader *r)
{
    return set_error(r, RESP_ERR_PROTOCOL,
                     "Protocol error: invalid bulk length");
}

/* The type byte hiredis consumed for a task, for "expected '$', got X"
 * once the byte itself may have been compacted away. */
static char type_byte(int type)
{
    switch (type) {
    case REDIS_REPLY_ARRAY: return '*';
    case REDIS_REPLY_INTEGER: return ':';
    case REDIS_REPLY_STATUS: return '+';
    case REDIS_REPLY_ERROR: return '-';
    case REDIS_REPLY_STRING: return '$';
#ifdef REDIS_REPLY_DOUBLE
    case REDIS_REPLY_DOUBLE: return ',';
#endif
#ifdef REDIS_REPLY_BOOL
    case REDIS_REPLY_BOOL: return '#';
#endif
#ifdef REDIS_REPLY_MAP
    case REDIS_REPLY_MAP: return '%';
#endif
#ifdef REDIS_REPLY_SET
    case REDIS_REPLY_SET: return '~';
#endif
#ifdef REDIS_REPLY_PUSH
    case REDIS_REPLY_PUSH: return '>';
#endif
#ifdef REDIS_REPLY_ATTR
    case REDIS_REPLY_ATTR: return '|';
#endif
#ifdef REDIS_REPLY_BIGNUM
    case REDIS_REPLY_BIGNUM: return '(';
#endif
#ifdef REDIS_REPLY_VERB
    case REDIS_REPLY_VERB: return '=';
#endif
    case REDIS_REPLY_NIL: return '_';
    default: return '?';
    }
}

/* ---- Small parsing helpers -------------------------------------------- */

/* Strict decimal parse with Redis's string2ll rules: optional '-', no '+',
 * no spaces, no leading zeros, no overflow. Returns 1 on success. */
static int parse_ll(const char *s, size_t n, long long *out)
{
    if (n == 0 || n > 20)
        return 0;
    if (n <= 18 && s[0] >= '1' && s[0] <= '9') {
        /* What every length line holds: no sign, no leading zero, and
         * too few digits to overflow, so no per-digit overflow test. */
        long long v = 0;
        for (size_t i = 0; i < n; i++) {
            unsigned d = (unsigned char)s[i] - '0';
            if (d > 9)
                return 0;
            v = v * 10 + d;
        }
        *out = v;
        return 1;
    }
    size_t i = 0;
    int neg = 0;
    if (s[0] == '-') {
        neg = 1;
        i = 1;
        if (n == 1)
            return 0;
    }
    if (s[i] == '0') {
        if (n == 1) {
            *out = 0;
            return 1;
        }
        return 0; /* "00", "01", "-0" */
    }
    unsigned long long v = 0;
    for (; i < n; i++) {
        unsigned d = (unsigned char)s[i] - '0';
        if (d > 9)
            return 0;
        if (v > (ULLONG_MAX - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    if (neg) {
        if (v > (unsigned long long)LLONG_MAX + 1)
            return 0;
        *out = v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN
                                                      : -(long long)v;
    } else {
        if (v > (unsigned long long)LLONG_MAX)
            return 0;
        *out = (long long)v;
    }
    return 1;
}

/* What find_line() reports. */
enum { LINE_WAIT, LINE_FOUND, LINE_TOO_LONG };

/* Finds the end of a request line the way Redis 7.0 does: the line p
 * points at (avail bytes there) starts with its first byte (the '*' of a
 * count, the type byte of an element, or an inline request's first byte)
 * and ends at the first term: '\r' for count and bulk length lines, '\n'
 * for inline requests. Redis searches with strchr, as a C string, so a
 * NUL before the term hides it: the line then never ends. A length line
 * ends only once one more byte follows its '\r', and Redis skips that
 * byte unread, '\n' or not. With no end in sight, the line is too long
 * once more than max bytes are buffered from its start.
 *
 * Redis applies that test to what it has read so far, in reads whose
 * size grows with its query buffer, so a line whose end lies past max
 * passes or fails depending on where its reads stopped (sent in one
 * write, a 100 KiB inline request passes). Here the end must lie within
 * the first max + 1 bytes: the same answer whenever Redis's is certain
 * (an end at most max bytes in: never too long; no end at all: too long
 * once more than max bytes came), and one answer however the input was
 * split.
 * Returns LINE_FOUND with *len (the bytes before the term), LINE_WAIT,
 * or LINE_TOO_LONG. */
static int find_line(const char *p, size_t avail, size_t max, char term,
                     size_t *len)
{
    size_t window = avail < max + 1 ? avail : max + 1;
    const char *end = memchr(p, term, window);
    if (end && !memchr(p, '\0', (size_t)(end - p))) {
        if (term == '\r' && (size_t)(end - p) + 1 >= avail)
            return LINE_WAIT; /* the byte after '\r' is not here yet */
        *len = (size_t)(end - p);
        return LINE_FOUND;
    }
    return avail > max ? LINE_TOO_LONG : LINE_WAIT;
}

/* The length lines nearly every request has, like "*3\r\n" or "$10\r\n":
 * a type byte, one or two digits (no leading zero) and "\r\n", with the
 * '\r' at most max bytes in. Returns the number, with *len set as
 * find_line() would, or -1 for any other line, which then goes the long
 * way (find_line, parse_ll): this runs for every element of a pipeline. */
static inline long short_line(const char *p, size_t avail, size_t max,
                              size_t *len)
{
    if (avail < 4 || max < 3)
        return -1;
    unsigned d0 = (unsigned)(unsigned char)p[1] - '0';
    unsigned d1 = (unsigned)(unsigned char)p[2] - '0';
    if (d0 <= 9 && p[2] == '\r' && p[3] == '\n') {
        *len = 2;
        return (long)d0;
    }
    if (d0 - 1 <= 8 && d1 <= 9 && avail >= 5 && p[3] == '\r' &&
        p[4] == '\n') {
        *len = 3;
        return (long)(d0 * 10 + d1);
    }
    return -1;
}

/* ---- Arena and argv --------------------------------------------------- */

static int argv_reserve(struct resp_reader *r, size_t n)
{
    if (n <= r->argv_cap)
        return 0;
    size_t cap = r->argv_cap ? r->argv_cap : ARGV_INITIAL;
    while (cap < n)
        cap *= 2;
    if (cap > SIZE_MAX / sizeof(size_t))
        return -1;
    size_t *offs = realloc(r->offs, cap * sizeof(*offs));
    if (!offs)
        return -1;
    r->offs = offs;
    size_t *lens = realloc(r->lens, cap * sizeof(*lens));
    if (!lens)
        return -1;
    r->lens = lens;
    const char **argv = realloc(r->argv, cap * sizeof(*argv));
    if (!argv)
        return -1;
    r->argv = argv;
    r->argv_cap = cap;
    return 0;
}

/* Makes room for n more bytes after the len used in *buf (capacity *cap),
 * doubling and never below min. Returns 0 or -1 (out of memory). */
static int buf_reserve(char **buf, size_t *cap, size_t len, size_t n,
                       size_t min)
{
    if (n <= *cap - len)
        return 0;
    if (n > SIZE_MAX / 2 - len)
        return -1;
    size_t need = len + n;
    size_t grown = *cap < min ? min : *cap * 2;
    if (grown < need)
        grown = need;
    char *p = realloc(*buf, grown);
    if (!p)
        return -1;
    *buf = p;
    *cap = grown;
    return 0;
}

/* Makes room for n more arena bytes; returns 0 or -1 (out of memory). */
static int arena_reserve(struct resp_reader *r, size_t n)
{
    return buf_reserve(&r->arena, &r->arena_cap, r->arena_len, n, ARENA_MIN);
}

/* Appends one argument (NUL-terminated in the arena, not counted in its
 * length) and records its offset. Returns 0 or -1 (out of memory). */
static int arg_push(struct resp_reader *r, const char *p, size_t n)
{
    /* The capacity tests inline: the calls are for growing only. */
    if (r->argc >= r->argv_cap && argv_reserve(r, r->argc + 1) != 0)
        return -1;
    if (n >= r->arena_cap - r->arena_len && arena_reserve(r, n + 1) != 0)
        return -1;
    if (n)
        memcpy(r->arena + r->arena_len, p, n);
    r->arena[r->arena_len + n] = '\0';
    r->offs[r->argc] = r->arena_len;
    r->lens[r->argc] = n;
    r->argc++;
    r->arena_len += n + 1;
    return 0;
}

/* Starts a new request: the previous one's views die here. Capacity is
 * kept for the next request unless a big one inflated it. */
static void request_reset(struct resp_reader *r)
{
    r->argc = 0;
    r->expected = 0;
    r->arena_len = 0;
    if (r->arena_cap > ARENA_KEEP) {
        free(r->arena);
        r->arena = NULL;
        r->arena_cap = 0;
    }
    if (r->argv_cap > ARGV_KEEP) {
        /* All three or none, so argv_cap stays true for each array. If an
         * allocation fails the big arrays are simply kept. */
        size_t *offs = malloc(ARGV_INITIAL * sizeof(*offs));
        size_t *lens = malloc(ARGV_INITIAL * sizeof(*lens));
        const char **argv = malloc(ARGV_INITIAL * sizeof(*argv));
        if (offs && lens && argv) {
            free(r->offs);
            free(r->lens);
            free(r->argv);
            r->offs = offs;
            r->lens = lens;
            r->argv = argv;
            r->argv_cap = ARGV_INITIAL;
        } else {
            free(offs);
            free(lens);
            free(argv);
        }
    }
}

static void request_finish(struct resp_reader *r, struct resp_request *req)
{
    for (size_t i = 0; i < r->argc; i++)
        r->argv[i] = r->arena + r->offs[i];
    req->argc = r->argc;
    req->argv = r->argv;
    req->argvlen = r->lens;
}

/* ---- hiredis buffer access ------------------------------------------- */

/* True when hiredis holds no partial request: the next unconsumed byte
 * (if any) starts a new one. */
static int hr_idle(const redisReader *hr)
{
    return hr->ridx == -1 || (hr->ridx == 0 && HR_TASK(hr, 0)->type < 0);
}

/* Drops consumed bytes once 1 KiB has piled up, as GetReply does. */
static void hr_compact(redisReader *hr)
{
    if (hr->pos >= COMPACT_AT) {
        hr_sdsrange(hr->buf, hr->pos);
        hr->pos = 0;
        hr->len = hr_sdslen(hr->buf);
    }
}

/* Validates the digits p[0..n) of a bulk length line (find_line keeps
 * them short); returns 0 or an error code. */
static int check_bulk_len(struct resp_reader *r, const char *p, size_t n)
{
    long long ll;
    if (!parse_ll(p, n, &ll) || ll < 0 ||
        (unsigned long long)ll > r->limits.max_bulk_len)
        return set_bad_bulk_len(r);
    if (r->limits.unauth && ll > UNAUTH_MAX_BULK)
        return set_error(r, RESP_ERR_PROTOCOL,
                         "Protocol error: unauthenticated bulk length");
    return 0;
}

/* check_element() for every line short_line() does not take: the long
 * way, kept out of line so the per-element fast path stays small. */
static __attribute__((noinline)) int
check_element_line(struct resp_reader *r, char *p, size_t avail)
{
    size_t n;
    int found = find_line(p, avail, r->limits.max_inline, '\r', &n);
    if (found == LINE_TOO_LONG)
        return set_error(r, RESP_ERR_PROTOCOL,
                         "Protocol error: too big bulk count string");
    if (found == LINE_WAIT)
        return 0;
    if (p[0] != '$')
        return set_expected_dollar(r, p[0]);
    if (check_bulk_len(r, p + 1, n - 1) != 0)
        return r->bad;
    p[n + 1] = '\n';
    return 1;
}

/* Checks the element that starts at p (avail bytes there) before
 * hiredis reads its type byte, in Redis's order: its length line must
 * have ended (find_line; with no end in sight it may be too long), then
 * the type must be '$', then the length valid. A line that ends in '\r'
 * and some other byte gets that byte made '\n' in place: Redis skips it
 * unread, and hiredis looks for "\r\n". Returns 1 when hiredis may read
 * the element, 0 when it must not yet (the line has not ended for Redis,
 * while hiredis's own search for "\r\n" could end it elsewhere: past a
 * NUL), or an error code. */
static inline int check_element(struct resp_reader *r, char *p,
                                size_t avail)
{
    size_t n;
    long quick = p[0] == '$' ? short_line(p, avail, r->limits.max_inline, &n)
                             : -1;
    if (quick >= 0 && (unsigned long)quick <= r->limits.max_bulk_len)
        return 1;
    return check_element_line(r, p, avail);
}

/* Called from the callbacks once the count or an element is read: when
 * the request expects more, checks the next element, at next inside
 * hiredis's buffer, before hiredis gets to it. If hiredis must not read
 * it (yet), the end of the buffer is hidden from hiredis at next, so this
 * GetReply stops there; next_buffered() shows it again right after. */
static void check_next(struct resp_reader *r, char *next)
{
    redisReader *hr = r->hr;
    if (r->argc >= r->expected)
        return;
    size_t at = (size_t)(next - hr->buf);
    if (check_element(r, next, hr->len - at) != 1)
        hr->len = at;
}

/* Looks at what hiredis waits for inside a request, between GetReply
 * calls: an element whose type byte it has not read yet is checked as in
 * check_next(); one it has read had its length line checked then, and
 * waits for its body. Returns 1 when GetReply may run, 0 when it must
 * wait for more bytes, or an error code. */
static int peek_element(struct resp_reader *r)
{
    redisReader *hr = r->hr;
    if (hr->ridx < 1)
        return 1;
    const redisReadTask *t = HR_TASK(hr, hr->ridx);
    if (t->type < 0)
        return check_element(r, hr->buf + hr->pos, hr->len - hr->pos);
    if (t->type != REDIS_REPLY_STRING) /* never: checked before it read */
        return set_expected_dollar(r, type_byte(t->type));
    return 1;
}

/* ---- Staging: socket bytes wait here, hiredis gets a slice ------------ */

/* Forgets the staged bytes once all were handed over; a buffer inflated
 * by a burst is freed rather than kept for an idle client. */
static void stage_drained(struct resp_reader *r)
{
    r->stage_pos = r->stage_len = 0;
    if (r->stage_cap > STAGE_KEEP) {
        free(r->stage);
        r->stage = NULL;
        r->stage_cap = 0;
    }
}

/* Appends len bytes to the stage. The consumed prefix is dropped only
 * when it is at least as long as what is still staged, so every byte
 * moved is paid for by a byte consumed before it: amortised O(1) copying
 * per byte, however much is buffered. Returns 0 or -1 (out of memory). */
static int stage_append(struct resp_reader *r, const char *buf, size_t len)
{
    if (len > r->stage_cap - r->stage_len) {
        size_t live = r->stage_len - r->stage_pos;
        if (r->stage_pos > 0 && r->stage_pos >= live) {
            memmove(r->stage, r->stage + r->stage_pos, live);
            r->stage_pos = 0;
            r->stage_len = live;
        }
    }
    if (buf_reserve(&r->stage, &r->stage_cap, r->stage_len, len,
                    STAGE_MIN) != 0)
        return -1;
    memcpy(r->stage + r->stage_len, buf, len);
    r->stage_len += len;
    return 0;
}

/* While hiredis waits for the body of a bulk string whose length line it
 * already holds, the bytes still missing (body and CRLF); else 0. The
 * line was checked (and its end made "\r\n") by check_element. */
static size_t bulk_missing(const struct resp_reader *r)
{
    const redisReader *hr = r->hr;
    if (hr->ridx < 1 || HR_TASK(hr, hr->ridx)->type != REDIS_REPLY_STRING)
        return 0;
    const char *p = hr->buf + hr->pos;
    size_t avail = hr->len - hr->pos, n;
    long long ll;
    if (find_line(p, avail, r->limits.max_inline, '\r', &n) != LINE_FOUND ||
        !parse_ll(p, n, &ll) || ll < 0 ||
        (unsigned long long)ll > r->limits.max_bulk_len)
        return 0;
    size_t need = n + 2 + (size_t)ll + 2;
    return need > avail ? need - avail : 0;
}

/* Drops hiredis's consumed prefix before more bytes go in (what remains
 * is one partial request, or the partial element hiredis is inside), and
 * swaps a buffer left large by a big request for a fresh small one. */
static void hr_trim(redisReader *hr)
{
    size_t live = hr->len - hr->pos;
    if (hr_sdsalloc(hr->buf) > HR_KEEP && live < hr_sdsalloc(hr->buf) / 4) {
        char *fresh = hr_sdsnewlen(hr->buf + hr->pos, live);
        if (fresh) {
            hr_sdsfree(hr->buf);
            hr->buf = fresh;
            hr->pos = 0;
            hr->len = live;
            return;
        }
    }
    if (hr->pos > 0) {
        hr_sdsrange(hr->buf, hr->pos);
        hr->pos = 0;
        hr->len = hr_sdslen(hr->buf);
    }
}

/* Makes room for n more bytes in hiredis's buffer. Past 1 MiB, sds grows
 * in 1 MiB steps, each a realloc that may copy everything: quadratic for
 * a bulk string of hundreds of MB streamed in. So while a bulk body is
 * missing, grow geometrically instead: by what is buffered, capped at what
 * the bulk still lacks, so the allocation stays within about twice the
 * bytes that arrived and a claimed length alone allocates nothing.
 * Returns 0 or -1 (out of memory). */
static int hr_reserve(redisReader *hr, size_t n, size_t missing)
{
    if (hr_sdsavail(hr->buf) >= n)
        return 0;
    size_t add = hr->len < missing ? hr->len : missing;
    if (add < n)
        add = n;
    char *buf = hr_sdsMakeRoomFor(hr->buf, add);
    if (!buf)
        return -1;
    hr->buf = buf;
    return 0;
}

/* Appends n bytes to hiredis's buffer; missing is bulk_missing(r).
 * Returns 0 or RESP_ERR_NOMEM. */
static int hr_feed(struct resp_reader *r, const char *p, size_t n,
                   size_t missing)
{
    redisReader *hr = r->hr;
    if (hr_reserve(hr, n, missing) != 0 ||
        redisReaderFeed(hr, p, n) != REDIS_OK)
        return set_nomem(r);
    return 0;
}

static size_t chunk_size(const struct resp_reader *r)
{
    return r->feed_chunk ? r->feed_chunk : FEED_CHUNK;
}

/* Hands hiredis the next slice of staged bytes: one feed_chunk, or, while
 * it waits for a bulk body, as many as that body still lacks (the body
 * must be whole in its buffer). Called only when hiredis holds no
 * complete request. Returns 1 when bytes moved, 0 when nothing is staged,
 * or RESP_ERR_NOMEM. */
static int stage_to_hiredis(struct resp_reader *r)
{
    hr_trim(r->hr);
    size_t live = r->stage_len - r->stage_pos;
    if (live == 0)
        return 0;
    size_t missing = bulk_missing(r);
    size_t n = chunk_size(r);
    if (n < missing)
        n = missing;
    if (n > live)
        n = live;
    if (hr_feed(r, r->stage + r->stage_pos, n, missing) != 0)
        return r->bad;
    r->stage_pos += n;
    if (r->stage_pos == r->stage_len)
        stage_drained(r);
    return 1;
}

/* ---- hiredis callbacks ------------------------------------------------ */

static void *cb_string(const redisReadTask *task, char *str, size_t len)
{
    struct resp_reader *r = task->privdata;
    if (r->bad)
        return r;
    if (task->parent == NULL || task->parent->parent != NULL) {
        /* A root string can not happen (non-'*' input goes inline); a
         * deeper one belongs to a nested array, already an error. */
        set_expected_dollar(r, '*');
        return r;
    }
    if (task->type != REDIS_REPLY_STRING) {
        set_expected_dollar(r, type_byte(task->type));
        return r;
    }
    /* check_element() passed this element's line before hiredis read
     * it: a strict decimal within max_bulk_len, which any hiredis parses
     * to the same len. */
    if (arg_push(r, str, len) != 0) {
        set_nomem(r);
        return NULL;
    }
    check_next(r, str + len + 2);
    return r;
}

static void *cb_array(const redisReadTask *task, hr_count count)
{
    struct resp_reader *r = task->privdata;
    if (r->bad)
        return r;
    if (task->parent != NULL) {
        set_expected_dollar(r, '*');
        return r;
    }
    /* The count line was validated before GetReply (read_count), so this
     * is the value stored in r->expected; compare anyway. */
    if ((size_t)count != r->expected) {
        set_error(r, RESP_ERR_PROTOCOL,
                  "Protocol error: invalid multibulk length");
        return r;
    }
    size_t reserve = r->expected < ARGV_RESERVE_MAX ? r->expected
                                                    : ARGV_RESERVE_MAX;
    if (argv_reserve(r, reserve) != 0) {
        set_nomem(r);
        return NULL;
    }
    redisReader *hr = r->hr;
    check_next(r, hr->buf + hr->pos);
    return r;
}

static void *cb_integer(const redisReadTask *task, long long v)
{
    struct resp_reader *r = task->privdata;
    (void)v;
    set_expected_dollar(r, ':');
    return r;
}

static void *cb_nil(const redisReadTask *task)
{
    struct resp_reader *r = task->privdata;
    if (task->type == REDIS_REPLY_STRING)
        set_bad_bulk_len(r); /* "$-1" in a request */
    else
        set_expected_dollar(r, type_byte(task->type));
    return r;
}

#if defined(HIREDIS_MAJOR) && HIREDIS_MAJOR >= 1
static void *cb_double(const redisReadTask *task, double d, char *s,
                       size_t n)
{
    struct resp_reader *r = task->privdata;
    (void)d;
    (void)s;
    (void)n;
    set_expected_dollar(r, ',');
    return r;
}

static void *cb_bool(const redisReadTask *task, int v)
{
    struct resp_reader *r = task->privdata;
    (void)v;
    set_expected_dollar(r, '#');
    return r;
}
#endif

static void cb_free(void *obj)
{
    (void)obj; /* objects are the reader itself; the arena is reset */
}

static redisReplyObjectFunctions reader_fns = {
    .createString = cb_string,
    .createArray = cb_array,
    .createInteger = cb_integer,
    .createNil = cb_nil,
#if defined(HIREDIS_MAJOR) && HIREDIS_MAJOR >= 1
    .createDouble = cb_double,
    .createBool = cb_bool,
#endif
    .freeObject = cb_free,
};

/* ---- Inline requests --------------------------------------------------- */

/* Splits line[0..n) into arguments exactly as Redis's sdssplitargs does
 * (resp_split_next), writing each argument, NUL-terminated, into the
 * arena. Returns 0, RESP_ERR_PROTOCOL (unbalanced quotes) or
 * RESP_ERR_NOMEM. */
static int split_inline(struct resp_reader *r, const char *line, size_t n)
{
    /* Arguments never outgrow the line, plus one NUL each: reserve once. */
    if (arena_reserve(r, 2 * n + 1) != 0)
        return set_nomem(r);
    size_t pos = 0, len;
    int rc;
    while ((rc = resp_split_next(line, n, &pos, r->arena + r->arena_len,
                                 &len)) == 1) {
        if (argv_reserve(r, r->argc + 1) != 0)
            return set_nomem(r);
        r->arena[r->arena_len + len] = '\0';
        r->offs[r->argc] = r->arena_len;
        r->lens[r->argc] = len;
        r->argc++;
        r->arena_len += len + 1;
    }
    if (rc < 0)
        return set_error(r, RESP_ERR_PROTOCOL,
                         "Protocol error: unbalanced quotes in request");
    return 0;
}

/* Reads one inline request at hiredis's pos. */
static int read_inline(struct resp_reader *r, struct resp_request *req)
{
    redisReader *hr = r->hr;
    const char *p = hr->buf + hr->pos;
    size_t linelen;
    int found = find_line(p, hr->len - hr->pos, r->limits.max_inline, '\n',
                          &linelen);
    if (found == LINE_TOO_LONG)
        return set_error(r, RESP_ERR_PROTOCOL,
                         "Protocol error: too big inline request");
    if (found == LINE_WAIT)
        return RESP_AGAIN;
    size_t consumed = linelen + 1;
    if (linelen > 0 && p[linelen - 1] == '\r')
        linelen--;
    int rc = split_inline(r, p, linelen);
    if (rc != 0)
        return rc;
    hr->pos += consumed;
    hr_compact(hr);
    request_finish(r, req);
    return RESP_OK;
}

/* ---- Public API ------------------------------------------------------- */

/* Replaces r's limits (a zero field means the default); takes effect from
 * the next byte fed, so CONFIG SET reaches open connections. */
void resp_reader_set_limits(struct resp_reader *r,
                            const struct resp_limits *lim)
{
    struct resp_limits *l = &r->limits;
    *l = lim ? *lim : (struct resp_limits){ 0 };
    if (!l->max_bulk_len)
        l->max_bulk_len = DEFAULT_MAX_BULK_LEN;
    if (!l->max_querybuf)
        l->max_querybuf = DEFAULT_MAX_QUERYBUF;
    if (!l->max_multibulk)
        l->max_multibulk = DEFAULT_MAX_MULTIBULK;
    if (!l->max_inline)
        l->max_inline = DEFAULT_MAX_INLINE;
    if (l->max_multibulk > INT_MAX)
        l->max_multibulk = INT_MAX; /* createArray takes an int in 0.14 */
    if (l->max_querybuf > MAX_QUERYBUF_CLAMP)
        l->max_querybuf = MAX_QUERYBUF_CLAMP;
    if (l->max_inline > l->max_querybuf)
        l->max_inline = l->max_querybuf;
}

/* Sets up r with limits lim (a zero field means Redis's default). r must
 * not move afterwards: hiredis's privdata points at it. Returns RESP_OK,
 * or RESP_ERR_NOMEM with nothing left to free. */
int resp_reader_init(struct resp_reader *r, const struct resp_limits *lim)
{
    memset(r, 0, sizeof(*r));
    resp_reader_set_limits(r, lim);

    redisReader *hr = redisReaderCreateWithFunctions(&reader_fns);
    if (!hr)
        return RESP_ERR_NOMEM;
    hr->privdata = r;
    /* hiredis frees its empty buffer when more than maxbuf of it is
     * unused; agree with hr_trim so the two do not undo each other. */
    hr->maxbuf = HR_KEEP;
    r->hr = hr;
    r->feed_chunk = FEED_CHUNK;
    if (argv_reserve(r, ARGV_INITIAL) != 0) {
        resp_reader_close(r);
        return RESP_ERR_NOMEM;
    }
    return RESP_OK;
}

/* Frees everything r owns; the argv views handed out die with it. Safe to
 * call twice. */
void resp_reader_close(struct resp_reader *r)
{
    if (r->hr)
        redisReaderFree(r->hr);
    free(r->stage);
    free(r->arena);
    free(r->offs);
    free(r->lens);
    free(r->argv);
    r->hr = NULL;
    r->stage = NULL;
    r->stage_pos = r->stage_len = r->stage_cap = 0;
    r->arena = NULL;
    r->offs = r->lens = NULL;
    r->argv = NULL;
    r->arena_len = r->arena_cap = r->argc = r->argv_cap = 0;
}

/* Copies len bytes in: when nothing is staged, as many as hiredis would be
 * given next anyway go straight into its buffer (one copy, not two, for
 * small requests and for the body of a big bulk string); the rest is
 * staged. Returns RESP_OK, the sticky error of a reader that already
 * failed, RESP_ERR_PROTOCOL when the unconsumed input would exceed
 * max_querybuf (nothing is copied then), or RESP_ERR_NOMEM. The last
 * request's views stay valid. */
int resp_reader_feed(struct resp_reader *r, const char *buf, size_t len)
{
    if (r->bad)
        return r->bad;
    if (len == 0)
        return RESP_OK;
    size_t pending = resp_reader_pending(r);
    /* pending may exceed a limit lowered since (CONFIG SET): no more then,
     * as Redis closes a client whose buffer is over the new limit. */
    if (pending > r->limits.max_querybuf ||
        len > r->limits.max_querybuf - pending)
        return set_error(r, RESP_ERR_PROTOCOL,
                         "Protocol error: query buffer limit exceeded");
    if (r->stage_pos == r->stage_len) {
        /* Up to one slice beyond what hiredis holds unconsumed, or what
         * the bulk body it waits for still lacks. */
        redisReader *hr = r->hr;
        size_t missing = bulk_missing(r);
        size_t held = hr->len - hr->pos, chunk = chunk_size(r);
        size_t n = held < chunk ? chunk - held : 0;
        if (n < missing)
            n = missing;
        if (n > len)
            n = len;
        if (n > 0 && hr_feed(r, buf, n, missing) != 0)
            return r->bad;
        buf += n;
        len -= n;
    }
    if (len > 0 && stage_append(r, buf, len) != 0)
        return set_nomem(r);
    return RESP_OK;
}

/* Reads the root count line at hiredis's pos ('*' there). Returns RESP_OK
 * with *count set, RESP_AGAIN, or an error code. */
static int read_count(struct resp_reader *r, long long *count)
{
    redisReader *hr = r->hr;
    char *p = hr->buf + hr->pos;
    size_t avail = hr->len - hr->pos, n;
    long quick = short_line(p, avail, r->limits.max_inline, &n);
    if (quick >= 0) {
        *count = quick;
    } else {
        int found = find_line(p, avail, r->limits.max_inline, '\r', &n);
        if (found == LINE_TOO_LONG)
            return set_error(r, RESP_ERR_PROTOCOL,
                             "Protocol error: too big mbulk count string");
        if (found == LINE_WAIT)
            return RESP_AGAIN;
        if (!parse_ll(p + 1, n - 1, count))
            return set_error(r, RESP_ERR_PROTOCOL,
                             "Protocol error: invalid multibulk length");
    }
    if (*count > 0 && (unsigned long long)*count > r->limits.max_multibulk)
        return set_error(r, RESP_ERR_PROTOCOL,
                         "Protocol error: invalid multibulk length");
    if (r->limits.unauth && *count > UNAUTH_MAX_ARGS)
        return set_error(r, RESP_ERR_PROTOCOL,
                         "Protocol error: unauthenticated multibulk length");
    if (*count <= 0) {
        /* "*0" and "*-1" are empty commands to Redis: consume them here so
         * hiredis never sees a count it would treat differently. */
        hr->pos += n + 2;
        hr_compact(hr);
    } else {
        p[n + 1] = '\n'; /* as check_element: Redis skips it unread */
    }
    return RESP_OK;
}

/* Maps an error hiredis raised by itself (none of our callbacks flagged
 * one first) to our codes and Redis's wording. */
static int translate_hiredis_error(struct resp_reader *r)
{
    const redisReader *hr = r->hr;
    if (hr->err == REDIS_ERR_OOM)
        return set_nomem(r);
    if (strstr(hr->errstr, "ulk string length"))
        return set_bad_bulk_len(r);
    if (strstr(hr->errstr, "ulti-bulk length"))
        return set_error(r, RESP_ERR_PROTOCOL,
                         "Protocol error: invalid multibulk length");
    char msg[sizeof(r->err)];
    snprintf(msg, sizeof(msg), "Protocol error: %.100s", hr->errstr);
    return set_error(r, RESP_ERR_PROTOCOL, msg);
}

/* Extracts the next complete request from what hiredis's buffer holds,
 * ignoring the stage. Returns as resp_reader_next(). */
static int next_buffered(struct resp_reader *r, struct resp_request *req)
{
    if (r->bad)
        return r->bad;
    redisReader *hr = r->hr;
    if (hr_idle(hr)) {
        request_reset(r);
        if (hr->pos >= hr->len)
            return RESP_AGAIN;
        if (hr->buf[hr->pos] != '*')
            return read_inline(r, req);
        long long count;
        int rc = read_count(r, &count);
        if (rc != RESP_OK)
            return rc;
        if (count <= 0) {
            request_finish(r, req);
            return RESP_OK;
        }
        r->expected = (size_t)count;
    } else {
        int go = peek_element(r);
        if (go != 1)
            return go == 0 ? RESP_AGAIN : r->bad;
    }

    void *reply = NULL;
    int rc = redisReaderGetReply(hr, &reply);
    hr->len = hr_sdslen(hr->buf); /* shows what check_next() hid */
    if (r->bad)
        return r->bad;
    if (rc != REDIS_OK)
        return translate_hiredis_error(r);
    if (reply == NULL)
        return RESP_AGAIN;
    if (r->argc != r->expected)
        return set_error(r, RESP_ERR_PROTOCOL,
                         "Protocol error: invalid multibulk length");
    request_finish(r, req);
    return RESP_OK;
}

/* Extracts the next complete request; see resp.h. The argv views point
 * into r's arena and stay valid until the next resp_reader_next() call.
 * Staged bytes go to hiredis a slice at a time, only once what it holds
 * yields no request, so its buffer (and every memmove inside it) stays
 * about one slice long. */
int resp_reader_next(struct resp_reader *r, struct resp_request *req)
{
    for (;;) {
        int rc = next_buffered(r, req);
        if (rc != RESP_AGAIN)
            return rc;
        rc = stage_to_hiredis(r);
        if (rc < 0)
            return rc;
        if (rc == 0)
            return r->ended ? RESP_END : RESP_AGAIN;
    }
}

/* Marks the end of the input; see resp.h. Nothing is dropped here: the
 * caller keeps calling resp_reader_next() until it says RESP_END. */
void resp_reader_end(struct resp_reader *r)
{
    r->ended = 1;
}

/* The protocol error text (without "ERR "), or "" if there was none. */
const char *resp_reader_error(const struct resp_reader *r)
{
    return r->err;
}

/* Bytes received but not yet consumed by a completed or partial parse:
 * the staged ones and those hiredis holds past its pos. */
size_t resp_reader_pending(const struct resp_reader *r)
{
    const redisReader *hr = r->hr;
    return (r->stage_len - r->stage_pos) + (hr ? hr->len - hr->pos : 0);
}

/* ---- Look-ahead for prefetching --------------------------------------- */

/* Reads "<digits>\r\n" at *pp, before end; returns the number and moves
 * *pp past the line, or returns -1 (not such a line, or not all there).
 * One and two digits, what nearly every length line holds, are read
 * without the loop: this runs for every element of a pipeline. */
static inline long long peek_number(const char **pp, const char *end)
{
    const char *p = *pp;
    if (end - p >= 4) {
        unsigned d0 = (unsigned)(unsigned char)p[0] - '0';
        unsigned d1 = (unsigned)(unsigned char)p[1] - '0';
        if (d0 <= 9 && p[1] == '\r' && p[2] == '\n') {
            *pp = p + 3;
            return d0;
        }
        if (d0 <= 9 && d1 <= 9 && p[2] == '\r' && p[3] == '\n') {
            *pp = p + 4;
            return d0 * 10 + d1;
        }
    }
    long long v = 0;
    int digits = 0;
    while (p < end && *p >= '0' && *p <= '9') {
        if (++digits > 18)
            return -1;
        v = v * 10 + (*p++ - '0');
    }
    if (digits == 0 || end - p < 2 || p[0] != '\r' || p[1] != '\n')
        return -1;
    *pp = p + 2;
    return v;
}

/* Scans one multibulk request at *pp without consuming it; returns 1 and
 * moves *pp past it when it is all before end, with *key and *klen set to
 * its argument 1 (NULL when there is none or it is too long), else 0. */
static int peek_request(const char **pp, const char *end, const char **key,
                        size_t *klen)
{
    const char *p = *pp;
    if (p >= end || *p++ != '*')
        return 0;
    long long argc = peek_number(&p, end);
    if (argc < 1)
        return 0;
    *key = NULL;
    *klen = 0;
    for (long long i = 0; i < argc; i++) {
        if (p >= end || *p++ != '$')
            return 0;
        long long len = peek_number(&p, end);
        if (len < 0 || end - p < len + 2 || p[len] != '\r' ||
            p[len + 1] != '\n')
            return 0;
        if (i == 1 && len <= RESP_PEEK_KEY_MAX) {
            *key = p;
            *klen = (size_t)len;
        }
        p += len + 2;
    }
    *pp = p;
    return 1;
}

/* Looks ahead at buffered requests; see resp.h. Only what hiredis holds
 * is looked at, from a request boundary: the stage is not, so neither a
 * request in progress nor a backlog costs more than one slice of
 * scanning. The scan trusts nothing and reports no error: whatever
 * stops it, the real parse decides. */
size_t resp_reader_peek_keys(const struct resp_reader *r, const char **keys,
                             size_t *lens, size_t max)
{
    const redisReader *hr = r->hr;
    if (r->bad || !hr || !hr_idle(hr))
        return 0;
    const char *p = hr->buf + hr->pos;
    const char *end = hr->buf + hr->len;
    size_t n = 0;
    while (n < max && peek_request(&p, end, &keys[n], &lens[n]))
        n++;
    return n;
}
