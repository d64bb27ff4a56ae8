/* resp.h - RESP in (request reader on top of hiredis) and RESP out (reply
 * encoder into a growable byte buffer). No sockets, no libuv, no clock.
 *
 * Ownership: a struct resp_reader owns its hiredis reader, its staging
 * buffer, its argument arena and its argv arrays. The argv handed out by
 * resp_reader_next() is borrowed: valid until the next call to
 * resp_reader_next() or resp_reader_feed() on the same reader. A struct
 * resp_out owns its bytes. */
#ifndef RESPITE_RESP_H
#define RESPITE_RESP_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

enum {
    RESP_OK = 0,
    RESP_AGAIN = 1,          /* need more bytes */
    RESP_END = 2,            /* no more bytes come: see resp_reader_end() */
    RESP_ERR_PROTOCOL = -1,  /* malformed request; see resp_reader_error() */
    RESP_ERR_NOMEM = -2,
};

struct resp_limits {
    size_t max_bulk_len;      /* proto-max-bulk-len, Redis: 512mb */
    size_t max_querybuf;      /* client-query-buffer-limit, Redis: 1gb */
    size_t max_multibulk;     /* elements per request, Redis: 1024*1024 */
    size_t max_inline;        /* inline request line, Redis: 64kb */
    int unauth;               /* before AUTH: at most UNAUTH_MAX_ARGS of
                                 UNAUTH_MAX_BULK bytes, as Redis */
};

/* Redis's limits for a client that must still authenticate, so one that
 * has no password cannot make the server hold large requests. */
#define UNAUTH_MAX_ARGS 10
#define UNAUTH_MAX_BULK 16384

/* One complete request. Views are borrowed from the reader (see above).
 * Each argv[i] is also NUL-terminated (the NUL is not in argvlen[i]). */
struct resp_request {
    size_t argc;
    const char **argv;
    const size_t *argvlen;
};

struct resp_reader {
    void *hr;                  /* redisReader *, opaque here */
    struct resp_limits limits;
    /* Staged input: bytes fed but not yet handed to hiredis, which is given
     * them a slice at a time so its buffer stays small (see reader.c). */
    char *stage;
    size_t stage_pos, stage_len, stage_cap;
    size_t feed_chunk;         /* slice size; tests may lower it after init */
    char *arena;               /* argument bytes of the request being read */
    size_t arena_len, arena_cap;
    size_t *offs;              /* per argument: offset into arena */
    size_t *lens;              /* per argument: length */
    const char **argv;         /* built from offs once a request completes */
    size_t argc, argv_cap, expected;
    int bad;                   /* nonzero: sticky error code, see reader.c */
    int ended;                 /* resp_reader_end() was called */
    char err[128];             /* protocol error text, without "ERR " */
};

/* Returns RESP_OK or RESP_ERR_NOMEM. r must not move afterwards (hiredis
 * keeps a pointer to it). A zero limit means Redis's default. */
int resp_reader_init(struct resp_reader *r, const struct resp_limits *lim);
void resp_reader_close(struct resp_reader *r);
/* Replaces the limits of a reader in use (CONFIG SET); zero means default. */
void resp_reader_set_limits(struct resp_reader *r,
                            const struct resp_limits *lim);
/* Turns the limits before AUTH (resp_limits.unauth) on or off, from the
 * next request on. Inline: the server sets it before every request. */
static inline void resp_reader_set_unauth(struct resp_reader *r, int on)
{
    r->limits.unauth = on;
}
/* Appends bytes read from the socket (copied; nothing is parsed until
 * resp_reader_next()). Returns RESP_OK, or RESP_ERR_PROTOCOL when the
 * unparsed input exceeds max_querybuf. */
int resp_reader_feed(struct resp_reader *r, const char *buf, size_t len);
/* Extracts the next complete request (RESP multibulk or inline line).
 * Returns RESP_OK with *req filled (argc may be 0 for an empty request, which
 * the caller skips), RESP_AGAIN when more input is needed (RESP_END instead
 * once resp_reader_end() said none will come), or RESP_ERR_PROTOCOL /
 * RESP_ERR_NOMEM. After an error the reader is unusable. */
int resp_reader_next(struct resp_reader *r, struct resp_request *req);
/* Marks the end of the input (the peer shut down its side): the requests
 * already fed still come out, then resp_reader_next() returns RESP_END,
 * and what is left of a request cut short is dropped, as Redis does. */
void resp_reader_end(struct resp_reader *r);
/* Protocol error text such as "Protocol error: invalid bulk length". */
const char *resp_reader_error(const struct resp_reader *r);
/* Bytes buffered but not yet consumed, staged and inside hiredis together
 * (for query buffer accounting). */
size_t resp_reader_pending(const struct resp_reader *r);
/* Looks, without consuming anything, at up to max complete multibulk
 * requests that come next, and returns how many it saw: keys[i]/lens[i]
 * is the i-th one's argument 1 (the key, for most commands), or NULL
 * when it has none or it is over RESP_PEEK_KEY_MAX bytes (longer ones
 * are not worth hashing for a prefetch). A hint for prefetching, not
 * a parse: it may see fewer requests than are buffered, and a request
 * it passes may still turn out malformed. The views are valid until the
 * next resp_reader_next() or resp_reader_feed(). */
#define RESP_PEEK_KEY_MAX 256
size_t resp_reader_peek_keys(const struct resp_reader *r, const char **keys,
                             size_t *lens, size_t max);

/* Reads the next argument of line[0..n) from *pos, split as Redis's
 * sdssplitargs splits an inline request (splitargs.c has the rules). Its
 * unquoted bytes go to out, which needs room for n - *pos bytes. Returns
 * 1 with *len set and *pos past the argument, 0 when only spaces are
 * left, or -1 for unbalanced quotes. */
int resp_split_next(const char *line, size_t n, size_t *pos, char *out,
                    size_t *len);
/* Writes s[0..n) double-quoted as Redis's sdscatrepr does, which
 * resp_split_next reads back: printable ASCII as is, \\ \" \n \r \t \a
 * \b escaped, any other byte as \xhh. dst needs room for 4n + 2 bytes.
 * Returns the bytes written. */
size_t resp_repr(char *dst, const char *s, size_t n);

/* ---- Reply encoder ---------------------------------------------------- */

struct resp_out {
    char *data;
    size_t len, cap;
    int proto;                 /* 2 or 3: selects RESP3 types where they differ */
    int nomem;                 /* sticky: an append failed to allocate */
    int muted;                 /* appends are dropped (CLIENT REPLY OFF) */
};

void resp_out_init(struct resp_out *o, int proto);
void resp_out_close(struct resp_out *o);
/* Drops the bytes but keeps the allocation (unless it grew beyond keep). */
void resp_out_reset(struct resp_out *o, size_t keep);
void resp_add_raw(struct resp_out *o, const char *p, size_t n);
/* resp_add_raw of s[0..n) quoted by resp_repr. */
void resp_add_repr(struct resp_out *o, const char *s, size_t n);
/* resp_add_raw of printf-formatted text (building a text, not a reply). */
void resp_add_rawf(struct resp_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* resp_add_rawf for a caller's own printf-like function. */
void resp_add_vrawf(struct resp_out *o, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Write v in decimal so that it ends just before end (two digits at a
 * time, no snprintf); return the first character written. Room for 20
 * digits and a sign is the caller's. For replies built by hand. */
char *resp_u64_fmt(char *end, uint64_t v);
char *resp_i64_fmt(char *end, int64_t v);

void resp_add_simple(struct resp_out *o, const char *s);          /* +s */
/* +text of n bytes; CR/LF in it are replaced by spaces. */
void resp_add_status(struct resp_out *o, const char *p, size_t n);
/* -msg; msg is the whole text after '-', e.g. "ERR syntax error". CR/LF in
 * msg are replaced by spaces. */
void resp_add_error(struct resp_out *o, const char *msg, size_t n);
void resp_add_errorf(struct resp_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void resp_add_int(struct resp_out *o, int64_t v);                 /* :v */
void resp_add_bulk(struct resp_out *o, const char *p, size_t n);  /* $n */
void resp_add_bulk_cstr(struct resp_out *o, const char *s);
void resp_add_bulk_i64(struct resp_out *o, int64_t v);
/* Null bulk: $-1 in RESP2, _ in RESP3. */
void resp_add_null(struct resp_out *o);
/* Null array: *-1 in RESP2, _ in RESP3. */
void resp_add_null_array(struct resp_out *o);
void resp_add_array(struct resp_out *o, size_t n);                /* *n */
/* %n in RESP3; *2n in RESP2 (the caller writes 2n elements either way). */
void resp_add_map(struct resp_out *o, size_t n);
/* ~n in RESP3; *n in RESP2. */
void resp_add_set(struct resp_out *o, size_t n);
/* >n in RESP3; *n in RESP2. */
void resp_add_push(struct resp_out *o, size_t n);
/* ,d in RESP3; bulk string in RESP2, formatted as Redis 7.0 does ("%.17g",
 * so NaN is "nan" or "-nan" by its sign; "inf"/"-inf"). */
void resp_add_double(struct resp_out *o, double d);
/* #t / #f in RESP3; :1 / :0 in RESP2. */
void resp_add_bool(struct resp_out *o, int v);
/* =n\r\ntxt:... in RESP3; plain bulk string in RESP2. */
void resp_add_verbatim(struct resp_out *o, const char *p, size_t n);
/* The same with another three-byte format than txt (fmt is not a string). */
void resp_add_verbatim_as(struct resp_out *o, const char fmt[3],
                          const char *p, size_t n);
/* (digits in RESP3; bulk string in RESP2. CR/LF in p become spaces. */
void resp_add_big_number(struct resp_out *o, const char *p, size_t n);

#endif
