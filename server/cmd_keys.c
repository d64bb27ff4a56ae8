/* cmd_keys.c - the generic key commands: DEL UNLINK EXISTS TOUCH TYPE,
 * the EXPIRE and TTL families, PERSIST, RENAME RENAMENX COPY MOVE,
 * RANDOMKEY, KEYS and SCAN.
 *
 * Replies, error texts and the order of checks follow Redis 7.0. A few
 * rules worth knowing before reading:
 *
 *   - EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT are one function that
 *     differs by unit and base time. Options are parsed before the time,
 *     a time that overflows when turned into ms or added to now is an
 *     error, a negative time is not: a time at or before now deletes the
 *     key and replies 1, as Redis does.
 *   - The TTL family rounds to seconds as Redis does ((ms + 500) / 1000)
 *     and never replies a negative remaining time for a live key.
 *   - RENAME of a key onto itself succeeds without touching it; COPY onto
 *     itself in the same database and MOVE into the same database are
 *     errors.
 *
 * KEYS and SCAN walk the store with store_scan(). Key views are only
 * valid inside the scan callback, so matches are encoded straight into a
 * private resp_out and counted, and the array header is written once the
 * count is known:
 *
 *     store_scan --cb--> glob / type filter --> tmp: $3 foo $3 bar ...
 *     c->out:  *2  $<cursor>  *<n>  <tmp bytes>          (SCAN)
 *
 * SCAN follows Redis's loop: it keeps calling store_scan until it has
 * looked at COUNT keys (before filtering), the cursor wraps to 0, or
 * 10 * COUNT calls have been made, so a sparse table still returns
 * promptly. The cursor is parsed as Redis's strtoul() would, quirks
 * included (see arg_cursor_or_reply in reply.c).
 *
 * A pattern that starts with a literal prefix (the bytes before the
 * first '*', '?', '[' or '\\') takes the store's ordered index instead
 * (store_scan_prefix, store/prefix.c): only the keys under the prefix are
 * examined, in byte order, COUNT of them per SCAN call, and the full
 * pattern and TYPE filter those. Its cursor is the store's resume-point
 * token; patterns without a literal prefix keep the hash-table cursor.
 *
 * Expired keys the walk meets, as in Redis: KEYS leaves them alone; SCAN
 * expires those its pattern keeps, after the walk (the store may not
 * change inside it), and with TYPE looks them up as reads, so each is an
 * "expired" event, a keyspace miss and a "keymiss" event. */
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "server/handlers.h"
#include "server/keys.h"
#include "server/pubsub.h"
#include "server/server.h"

/* Redis's type names, as TYPE replies them and SCAN TYPE matches them. */
static const char *const type_names[STORE_T__COUNT] = {
    [STORE_T_STRING] = "string",
    [STORE_T_HASH] = "hash",
    [STORE_T_SET] = "set",
    [STORE_T_LIST] = "list",
    [STORE_T_ZSET] = "zset",
    [STORE_T_STREAM] = "stream",
};

/* The TYPE name of e, or "none" for a missing key. */
static const char *type_name(const struct store_entry *e)
{
    return e ? type_names[store_entry_type(e)] : "none";
}

/* Parses argument i as a database index, replying Redis's errors: not an
 * integer, not an int (Redis's getIntFromObjectOrReply), or outside
 * 0..databases-1. Returns 1, or 0 after replying. */
static int db_index_or_reply(struct client *c, size_t i, int *db)
{
    int64_t v;
    if (!arg_i64_or_reply(c, i, &v))
        return 0;
    if (v < INT_MIN || v > INT_MAX) {
        reply_error(c, ERR_INT_RANGE);
        return 0;
    }
    if (v < 0 || v >= c->srv->conf.databases) {
        reply_error(c, ERR_DB_INDEX);
        return 0;
    }
    *db = (int)v;
    return 1;
}

/* 1 if arguments i and j hold the same bytes. */
static int args_equal(const struct client *c, size_t i, size_t j)
{
    return c->argvlen[i] == c->argvlen[j] &&
           memcmp(c->argv[i], c->argv[j], c->argvlen[i]) == 0;
}

/* ---- DEL UNLINK EXISTS TOUCH TYPE --------------------------------------- */

/* DEL key [key ...]: replies how many live keys were removed. */
void cmd_del(struct client *c)
{
    struct store *db = client_db(c);
    int64_t now = server_now_ms(c->srv);
    int64_t n = 0;
    for (size_t i = 1; i < c->argc; i++) {
        if (store_key_delete(db, c->argv[i], c->argvlen[i], now)) {
            server_key_modified(c->srv, c->db, c->argv[i], c->argvlen[i]);
            server_notify(c->srv, NOTIFY_GENERIC, "del", c->db, c->argv[i],
                          c->argvlen[i]);
            n++;
        }
    }
    resp_add_int(&c->out, n);
}

/* UNLINK key [key ...]: DEL; freeing is cheap enough to do inline. */
void cmd_unlink(struct client *c)
{
    cmd_del(c);
}

/* Replies how many of the arguments name live keys, counting repeats, as
 * EXISTS and TOUCH do; touch marks them as used (TOUCH), else they are
 * left as they were (EXISTS, as Redis's LOOKUP_NOTOUCH). */
static void count_live(struct client *c, int touch)
{
    int64_t now = server_now_ms(c->srv);
    int64_t n = 0;
    for (size_t i = 1; i < c->argc; i++) {
        const char *k = c->argv[i];
        size_t klen = c->argvlen[i];
        n += (touch ? key_lookup_read(c, k, klen, now)
                    : key_peek_read(c, k, klen, now)) != NULL;
    }
    resp_add_int(&c->out, n);
}

/* EXISTS key [key ...] */
void cmd_exists(struct client *c)
{
    count_live(c, 0);
}

/* TOUCH key [key ...]: marks the keys as used and counts them. */
void cmd_touch(struct client *c)
{
    count_live(c, 1);
}

/* TYPE key: a status reply, "none" when missing. */
void cmd_type(struct client *c)
{
    struct store_entry *e = key_peek_read(c, c->argv[1], c->argvlen[1],
                                          server_now_ms(c->srv));
    resp_add_simple(&c->out, type_name(e));
}

/* ---- TTL family --------------------------------------------------------- */

/* TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 for a missing key, -1 without a
 * TTL; else the remaining time (or, with absolute, the Unix time) in ms
 * or rounded seconds. */
static void ttl_generic(struct client *c, int in_ms, int absolute)
{
    int64_t now = server_now_ms(c->srv);
    struct store_entry *e = key_peek_read(c, c->argv[1], c->argvlen[1], now);
    if (!e) {
        resp_add_int(&c->out, -2);
        return;
    }
    int64_t at = store_entry_expire(e);
    if (at == STORE_NO_TTL) {
        resp_add_int(&c->out, -1);
        return;
    }
    int64_t t = absolute ? at : at - now;
    if (t < 0)
        t = 0;
    resp_add_int(&c->out, in_ms ? t : (t + 500) / 1000);
}

/* TTL key */
void cmd_ttl(struct client *c)
{
    ttl_generic(c, 0, 0);
}

/* PTTL key */
void cmd_pttl(struct client *c)
{
    ttl_generic(c, 1, 0);
}

/* EXPIRETIME key */
void cmd_expiretime(struct client *c)
{
    ttl_generic(c, 0, 1);
}

/* PEXPIRETIME key */
void cmd_pexpiretime(struct client *c)
{
    ttl_generic(c, 1, 1);
}

/* ---- EXPIRE family ------------------------------------------------------ */

/* Replies Redis's error for an unknown EXPIRE option (argument i),
 * clipped; Redis prints it as a C string, so it stops at a NUL byte. */
static void expire_reply_bad_option(struct client *c, size_t i)
{
    size_t n = strnlen(c->argv[i], c->argvlen[i]);
    reply_error(c, ERR_UNSUPPORTED_OPTION, (int)(n > 128 ? 128 : n),
                c->argv[i]);
}

/* Parses NX XX GT LT from argv[3] on into *flags. Returns 1, or replies
 * and returns 0 for an unknown option or an incompatible pair. */
static int expire_flags_or_reply(struct client *c, unsigned *flags)
{
    *flags = 0;
    for (size_t i = 3; i < c->argc; i++) {
        unsigned f = expire_word_flag(c, i);
        if (!f) {
            expire_reply_bad_option(c, i);
            return 0;
        }
        *flags |= f;
    }
    if ((*flags & EXPIRE_NX) && (*flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT))) {
        reply_error(c, ERR_EXPIRE_NX_XX);
        return 0;
    }
    if ((*flags & EXPIRE_GT) && (*flags & EXPIRE_LT)) {
        reply_error(c, ERR_EXPIRE_GT_LT);
        return 0;
    }
    return 1;
}

/* Reads the time in argv[2] as absolute Unix ms: scaled by 1000 when in
 * seconds, plus base. Overflow either way is an error, a negative result
 * is not. name is the lower-case command for the error text. */
static int expire_when_or_reply(struct client *c, int seconds, int64_t base,
                                const char *name, int64_t *when)
{
    int64_t v;
    if (!arg_i64_or_reply(c, 2, &v))
        return 0;
    if (seconds && (v > INT64_MAX / 1000 || v < INT64_MIN / 1000))
        goto invalid;
    if (seconds)
        v *= 1000;
    if (v > INT64_MAX - base)
        goto invalid;
    *when = v + base;
    return 1;
invalid:
    reply_error(c, ERR_INVALID_EXPIRE, name);
    return 0;
}


/* The EXPIRE family: argv[2] in seconds or ms, relative to now or to the
 * epoch (base 0). Replies 1 when the TTL was set or the key deleted for a
 * time already past, 0 when the key is missing or a flag said no. */
static void expire_generic(struct client *c, int seconds, int relative,
                           const char *name)
{
    unsigned flags;
    int64_t now = server_now_ms(c->srv), when;
    if (!expire_flags_or_reply(c, &flags) ||
        !expire_when_or_reply(c, seconds, relative ? now : 0, name, &when))
        return;

    struct store *db = client_db(c);
    const char *key = c->argv[1];
    size_t klen = c->argvlen[1];
    struct store_entry *e = store_key_find(db, key, klen, now);
    if (!e || !expire_allowed(flags, store_entry_expire(e), when)) {
        resp_add_int(&c->out, 0);
        return;
    }
    if (when <= now) {
        store_key_delete(db, key, klen, now);
    } else if (store_key_expire_set(db, key, klen, when, now) != STORE_OK) {
        reply_error(c, ERR_OOM);
        return;
    }
    server_key_modified(c->srv, c->db, key, klen);
    server_notify(c->srv, NOTIFY_GENERIC, when <= now ? "del" : "expire",
                  c->db, key, klen);
    resp_add_int(&c->out, 1);
}

/* EXPIRE key seconds [NX|XX|GT|LT] */
void cmd_expire(struct client *c)
{
    expire_generic(c, 1, 1, "expire");
}

/* PEXPIRE key milliseconds [NX|XX|GT|LT] */
void cmd_pexpire(struct client *c)
{
    expire_generic(c, 0, 1, "pexpire");
}

/* EXPIREAT key unix-seconds [NX|XX|GT|LT] */
void cmd_expireat(struct client *c)
{
    expire_generic(c, 1, 0, "expireat");
}

/* PEXPIREAT key unix-ms [NX|XX|GT|LT] */
void cmd_pexpireat(struct client *c)
{
    expire_generic(c, 0, 0, "pexpireat");
}

/* PERSIST key: 1 if a TTL was removed. */
void cmd_persist(struct client *c)
{
    struct store *db = client_db(c);
    int64_t now = server_now_ms(c->srv);
    struct store_entry *e = store_key_find(db, c->argv[1], c->argvlen[1], now);
    if (!e || store_entry_expire(e) == STORE_NO_TTL) {
        resp_add_int(&c->out, 0);
        return;
    }
    if (store_key_expire_set(db, c->argv[1], c->argvlen[1], STORE_NO_TTL,
                             now) != STORE_OK) {
        reply_error(c, ERR_OOM);
        return;
    }
    server_key_modified(c->srv, c->db, c->argv[1], c->argvlen[1]);
    server_notify(c->srv, NOTIFY_GENERIC, "persist", c->db, c->argv[1],
                  c->argvlen[1]);
    resp_add_int(&c->out, 1);
}

/* ---- RENAME RENAMENX COPY MOVE ------------------------------------------ */

/* Replies RENAME's +OK or RENAMENX's :1 / :0. */
static void rename_reply(struct client *c, int nx, int done)
{
    if (nx)
        resp_add_int(&c->out, done);
    else
        reply_ok(c);
}

/* RENAME and RENAMENX: moves argv[1] to argv[2] with its TTL. */
static void rename_generic(struct client *c, int nx)
{
    struct store *db = client_db(c);
    int64_t now = server_now_ms(c->srv);
    const char *src = c->argv[1], *dst = c->argv[2];
    size_t slen = c->argvlen[1], dlen = c->argvlen[2];
    if (!store_key_find(db, src, slen, now)) {
        reply_error(c, ERR_NO_SUCH_KEY);
        return;
    }
    if (args_equal(c, 1, 2)) {
        rename_reply(c, nx, 0);
        return;
    }
    if (nx && store_key_find(db, dst, dlen, now)) {
        rename_reply(c, nx, 0);
        return;
    }
    if (store_key_rename(db, src, slen, db, dst, dlen, now) != STORE_OK) {
        reply_error(c, ERR_OOM);
        return;
    }
    store_stream_placed(db, dst, dlen, now);
    server_key_modified(c->srv, c->db, src, slen);
    server_key_signal(c->srv, c->db, dst, dlen);   /* one write, as Redis */
    server_notify(c->srv, NOTIFY_NEW, "new", c->db, dst, dlen);
    server_notify(c->srv, NOTIFY_GENERIC, "rename_from", c->db, src, slen);
    server_notify(c->srv, NOTIFY_GENERIC, "rename_to", c->db, dst, dlen);
    rename_reply(c, nx, 1);
}

/* RENAME key newkey */
void cmd_rename(struct client *c)
{
    rename_generic(c, 0);
}

/* RENAMENX key newkey */
void cmd_renamenx(struct client *c)
{
    rename_generic(c, 1);
}

/* Parses COPY's [DB n] [REPLACE] into *dbid and *replace. Returns 1, or
 * replies and returns 0. */
static int copy_args_or_reply(struct client *c, int *dbid, int *replace)
{
    *dbid = c->db;
    *replace = 0;
    for (size_t i = 3; i < c->argc; i++) {
        if (arg_is(c, i, "REPLACE")) {
            *replace = 1;
        } else if (arg_is(c, i, "DB") && i + 1 < c->argc) {
            if (!db_index_or_reply(c, ++i, dbid))
                return 0;
        } else {
            reply_error(c, ERR_SYNTAX);
            return 0;
        }
    }
    return 1;
}

/* COPY source destination [DB n] [REPLACE]: 1 if copied, 0 if the source
 * is missing or the destination exists without REPLACE. */
void cmd_copy(struct client *c)
{
    int dbid, replace;
    if (!copy_args_or_reply(c, &dbid, &replace))
        return;
    if (dbid == c->db && args_equal(c, 1, 2)) {
        reply_error(c, ERR_SAME_OBJECT);
        return;
    }
    struct store *s = client_db(c), *d = c->srv->db[dbid];
    int64_t now = server_now_ms(c->srv);
    const char *src = c->argv[1], *dst = c->argv[2];
    size_t slen = c->argvlen[1], dlen = c->argvlen[2];
    if (!key_lookup_read(c, src, slen, now) ||
        (!replace && store_key_find(d, dst, dlen, now))) {
        resp_add_int(&c->out, 0);
        return;
    }
    if (store_key_copy(s, src, slen, d, dst, dlen, now) != STORE_OK) {
        reply_error(c, ERR_OOM);
        return;
    }
    store_stream_placed(d, dst, dlen, now);
    server_key_modified(c->srv, dbid, dst, dlen);
    server_notify(c->srv, NOTIFY_NEW, "new", dbid, dst, dlen);
    server_notify(c->srv, NOTIFY_GENERIC, "copy_to", dbid, dst, dlen);
    resp_add_int(&c->out, 1);
}

/* MOVE key db: 1 if moved, 0 if missing here or present there. */
void cmd_move(struct client *c)
{
    int dbid;
    if (!db_index_or_reply(c, 2, &dbid))
        return;
    if (dbid == c->db) {
        reply_error(c, ERR_SAME_OBJECT);
        return;
    }
    struct store *s = client_db(c), *d = c->srv->db[dbid];
    int64_t now = server_now_ms(c->srv);
    const char *key = c->argv[1];
    size_t klen = c->argvlen[1];
    if (!store_key_find(s, key, klen, now) ||
        store_key_find(d, key, klen, now)) {
        resp_add_int(&c->out, 0);
        return;
    }
    if (store_key_rename(s, key, klen, d, key, klen, now) != STORE_OK) {
        reply_error(c, ERR_OOM);
        return;
    }
    store_stream_placed(d, key, klen, now);
    server_key_modified(c->srv, c->db, key, klen);
    server_key_signal(c->srv, dbid, key, klen);    /* one write, as Redis */
    server_notify(c->srv, NOTIFY_NEW, "new", dbid, key, klen);
    server_notify(c->srv, NOTIFY_GENERIC, "move_from", c->db, key, klen);
    server_notify(c->srv, NOTIFY_GENERIC, "move_to", dbid, key, klen);
    resp_add_int(&c->out, 1);
}

/* RANDOMKEY: a live key, or null when the database is empty. */
void cmd_randomkey(struct client *c)
{
    struct store_entry *e =
        store_key_random(client_db(c), server_now_ms(c->srv));
    if (!e) {
        resp_add_null(&c->out);
        return;
    }
    size_t klen;
    const char *k = store_entry_key(e, &klen);
    resp_add_bulk(&c->out, k, klen);
}

/* ---- KEYS and SCAN ------------------------------------------------------ */

/* What a walk collects: matching keys encoded as bulk strings in keys,
 * and for SCAN the expired keys to expire afterwards, the same way. */
struct scan_ctx {
    struct resp_out keys;
    size_t nkeys;            /* bulk strings in keys */
    struct resp_out stale;   /* SCAN: expired keys the pattern keeps */
    int64_t now;
    size_t visited;          /* keys seen before filtering (SCAN COUNT) */
    const char *pat;         /* MATCH pattern, NULL for every key */
    size_t plen;
    const char *type;        /* TYPE filter, NULL for every type */
    size_t tlen;
    struct server *srv;      /* for the hits Redis counts under TYPE */
    struct client *c;
};

static void scan_ctx_init(struct scan_ctx *s, struct client *c)
{
    memset(s, 0, sizeof(*s));
    resp_out_init(&s->keys, c->out.proto);
    resp_out_init(&s->stale, 2);
    s->now = server_now_ms(c->srv);
    s->srv = c->srv;
    s->c = c;
}

static void scan_ctx_close(struct scan_ctx *s)
{
    resp_out_close(&s->keys);
    resp_out_close(&s->stale);
}

/* Sets the MATCH pattern; the bare "*" is no filter at all. */
static void scan_ctx_match(struct scan_ctx *s, const char *pat, size_t plen)
{
    int all = plen == 1 && pat[0] == '*';
    s->pat = all ? NULL : pat;
    s->plen = all ? 0 : plen;
}

/* 1 if e passes the MATCH and TYPE filters (type names ignore case). */
static int scan_wanted(const struct scan_ctx *s, const struct store_entry *e,
                       const char *key, size_t klen)
{
    if (s->pat && !store_glob_match(s->pat, s->plen, key, klen, 0))
        return 0;
    if (s->type) {
        /* Redis looks each such key up for reading, a keyspace hit. */
        s->srv->stat_hits++;
        const char *name = type_name(e);
        if (strlen(name) != s->tlen || strncasecmp(name, s->type, s->tlen))
            return 0;
    }
    return 1;
}

/* store_scan callback of KEYS: copies a live wanted key into the context. */
static void keys_collect(void *ctx, const struct store_entry *e)
{
    struct scan_ctx *s = ctx;
    size_t klen;
    const char *key = store_entry_key(e, &klen);
    if (store_entry_expired(e, s->now) || !scan_wanted(s, e, key, klen))
        return;
    resp_add_bulk(&s->keys, key, klen);
    s->nkeys++;
}

/* store_scan callback of SCAN: as keys_collect, and an expired key the
 * pattern keeps is set aside to be expired after the walk. */
static void scan_collect(void *ctx, const struct store_entry *e)
{
    struct scan_ctx *s = ctx;
    size_t klen;
    const char *key = store_entry_key(e, &klen);
    s->visited++;
    if (store_entry_expired(e, s->now)) {
        if (!s->pat || store_glob_match(s->pat, s->plen, key, klen, 0))
            resp_add_bulk(&s->stale, key, klen);
        return;
    }
    if (!scan_wanted(s, e, key, klen))
        return;
    resp_add_bulk(&s->keys, key, klen);
    s->nkeys++;
}

/* Expires the keys scan_collect set aside, in the order met: a lookup
 * removes each and publishes "expired"; with TYPE it is a read that
 * missed, as Redis's lookup makes it. */
static void scan_expire_stale(struct scan_ctx *s)
{
    struct client *c = s->c;
    const char *p = s->stale.data, *end = p + s->stale.len;
    while (p < end) {
        char *q;
        size_t klen = strtoull(p + 1, &q, 10);  /* "$<len>\r\n<key>\r\n" */
        const char *key = q + 2;
        if (s->type)
            key_lookup_read(c, key, klen, s->now);
        else
            store_key_find(client_db(c), key, klen, s->now);
        p = key + klen + 2;
    }
}

/* Writes the collected keys as an array into the reply and frees them. */
static void scan_ctx_emit(struct client *c, struct scan_ctx *s)
{
    resp_add_array(&c->out, s->nkeys);
    resp_add_raw(&c->out, s->keys.data, s->keys.len);
    scan_ctx_close(s);
}

/* 1 if the collection did not run out of memory; else frees it, replies
 * OOM and returns 0. */
static int scan_ctx_ok_or_reply(struct client *c, struct scan_ctx *s)
{
    if (!s->keys.nomem && !s->stale.nomem)
        return 1;
    scan_ctx_close(s);
    reply_error(c, ERR_OOM);
    return 0;
}

/* KEYS pattern: every live key matching pattern. */
void cmd_keys(struct client *c)
{
    struct scan_ctx s;
    scan_ctx_init(&s, c);
    scan_ctx_match(&s, c->argv[1], c->argvlen[1]);
    struct store *db = client_db(c);
    size_t lit = s.pat ? store_glob_literal_len(s.pat, s.plen) : 0;
    uint64_t cursor = 0;
    if (lit > 0) {
        store_scan_prefix(db, s.pat, lit, 0, SIZE_MAX, keys_collect, &s);
    } else {
        do {
            cursor = store_scan(db, cursor, 1024, keys_collect, &s);
        } while (cursor != 0);
    }
    if (scan_ctx_ok_or_reply(c, &s))
        scan_ctx_emit(c, &s);
}

/* Parses SCAN's [MATCH p] [COUNT n] [TYPE t] into s and *count. Returns
 * 1, or replies and returns 0. */
static int scan_args_or_reply(struct client *c, struct scan_ctx *s,
                              size_t *count)
{
    *count = 10;
    for (size_t i = 2; i < c->argc; i += 2) {
        int has_value = i + 1 < c->argc;
        if (arg_is(c, i, "COUNT") && has_value) {
            int64_t v;
            if (!arg_i64_or_reply(c, i + 1, &v))
                return 0;
            if (v < 1) {
                reply_error(c, ERR_SYNTAX);
                return 0;
            }
            *count = (size_t)v;
        } else if (arg_is(c, i, "MATCH") && has_value) {
            scan_ctx_match(s, c->argv[i + 1], c->argvlen[i + 1]);
        } else if (arg_is(c, i, "TYPE") && has_value) {
            s->type = c->argv[i + 1];
            s->tlen = c->argvlen[i + 1];
        } else if (arg_is(c, i, "NOVALUES")) {
            reply_error(c, ERR_NOVALUES_HSCAN);  /* Redis 7.4's text */
            return 0;
        } else {
            reply_error(c, ERR_SYNTAX);
            return 0;
        }
    }
    return 1;
}

/* SCAN cursor [MATCH pattern] [COUNT n] [TYPE type]:
 * [next-cursor, [key ...]]. */
void cmd_scan(struct client *c)
{
    uint64_t cursor;
    size_t count;
    struct scan_ctx s;
    if (!arg_cursor_or_reply(c, 1, &cursor))
        return;
    scan_ctx_init(&s, c);
    if (!scan_args_or_reply(c, &s, &count)) {
        scan_ctx_close(&s);
        return;
    }

    struct store *db = client_db(c);
    size_t lit = s.pat ? store_glob_literal_len(s.pat, s.plen) : 0;
    size_t calls = count > SIZE_MAX / 10 ? SIZE_MAX : count * 10;
    if (lit > 0) {
        cursor = store_scan_prefix(db, s.pat, lit, cursor, count,
                                   scan_collect, &s);
    } else {
        do {
            cursor = store_scan(db, cursor, count - s.visited, scan_collect,
                                &s);
        } while (cursor != 0 && s.visited < count && --calls > 0);
    }
    if (!scan_ctx_ok_or_reply(c, &s))
        return;
    scan_expire_stale(&s);

    char buf[24];
    int n = snprintf(buf, sizeof(buf), "%" PRIu64, cursor);
    resp_add_array(&c->out, 2);
    resp_add_bulk(&c->out, buf, (size_t)n);
    scan_ctx_emit(c, &s);
}
