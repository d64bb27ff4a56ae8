/* cmd_string.c - the string commands: GET SET SETNX SETEX PSETEX GETSET
 * GETDEL GETEX MGET MSET MSETNX APPEND STRLEN GETRANGE SETRANGE INCR DECR
 * INCRBY DECRBY INCRBYFLOAT.
 *
 * Every reply and error follows Redis 7.0, including the order in which
 * Redis checks things, because that order is visible: SET validates its
 * expire before looking at the key, GETEX looks at the key first (so a
 * bad expire on a missing key replies null, not an error), SETRANGE
 * rejects a negative offset before the type check, INCRBYFLOAT checks the
 * type, then the stored value, then the increment.
 *
 * SET and GETEX share one option parser, driven by a table. Options come
 * in two groups whose members exclude each other:
 *
 *     condition   NX XX IFEQ IFNE IFDEQ IFDNE    (SET only; the IF* take
 *                                                an operand, see cmd_lock.c)
 *     ttl         KEEPTTL (SET) PERSIST (GETEX) EX PX EXAT PXAT
 *
 * plus GET (SET only). Repeating the same option is allowed and the last
 * value wins, exactly as Redis's parser behaves. An expire is turned into
 * absolute Unix milliseconds once, with Redis's overflow rules, by
 * str_expire_or_reply().
 *
 * Values are read through store views that die at the next mutating store
 * call, so a handler that replies the old value (SET GET, GETSET, GETEX)
 * copies it into the reply before it writes. If that write then fails for
 * lack of memory, the old value already in c->out is cut off again and
 * replaced by the OOM error, so the client still sees exactly one reply.
 *
 * What this file deliberately does not do: MSET is not atomic under OOM
 * (pairs already set stay set), the same trade Redis makes when it runs
 * out of memory mid-command. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "server/handlers.h"
#include "server/keys.h"
#include "server/lock.h"
#include "server/pubsub.h"
#include "server/server.h"

/* ---- Small helpers ----------------------------------------------------- */

/* Replies the string value of e. */
static void reply_str(struct client *c, const struct store_entry *e)
{
    size_t n;
    const char *v = store_entry_str(e, &n);
    resp_add_bulk(&c->out, v, n);
}

/* Replies the value of e, or a null bulk when the key is missing. */
static void reply_str_or_null(struct client *c, const struct store_entry *e)
{
    if (e)
        reply_str(c, e);
    else
        resp_add_null(&c->out);
}

/* Drops what the handler replied since mark (an old value) and replies OOM
 * instead, so a write that fails after the reply began is still one
 * reply. */
static void reply_oom_since(struct client *c, size_t mark)
{
    c->out.len = mark;
    reply_error(c, ERR_OOM);
}

/* 1 if a string of base + add bytes is allowed: no overflow and within
 * proto-max-bulk-len (and what the store can hold); else replies. */
static int str_len_ok_or_reply(struct client *c, uint64_t base, uint64_t add)
{
    uint64_t max = c->srv->conf.proto_max_bulk_len;
    if (max > STORE_MAX_STR)
        max = STORE_MAX_STR;
    uint64_t total = base + add;
    if (total < base || total > max) {
        reply_error(c, ERR_STRING_TOO_LONG);
        return 0;
    }
    return 1;
}

/* ---- SET / GETEX options ------------------------------------------------ */

enum {
    OPT_NX = 1 << 0,
    OPT_XX = 1 << 1,
    OPT_GET = 1 << 2,
    OPT_KEEPTTL = 1 << 3,
    OPT_PERSIST = 1 << 4,
    OPT_EX = 1 << 5,
    OPT_PX = 1 << 6,
    OPT_EXAT = 1 << 7,
    OPT_PXAT = 1 << 8,
    OPT_IFEQ = 1 << 9,       /* conditional SET (Redis 8.4, Valkey 8.1+) */
    OPT_IFNE = 1 << 10,
    OPT_IFDEQ = 1 << 11,
    OPT_IFDNE = 1 << 12,
};

#define OPT_EXPIRE (OPT_EX | OPT_PX | OPT_EXAT | OPT_PXAT)
#define OPT_IF (OPT_IFEQ | OPT_IFNE | OPT_IFDEQ | OPT_IFDNE)
#define OPT_GROUP_COND (OPT_NX | OPT_XX | OPT_IF)
#define OPT_GROUP_TTL (OPT_KEEPTTL | OPT_PERSIST | OPT_EXPIRE)

/* Which command may use an option. */
enum { FOR_SET = 1, FOR_GETEX = 2 };

static const struct str_opt {
    const char *name;
    unsigned flag;
    unsigned cmds;
} str_opts[] = {
    { "NX", OPT_NX, FOR_SET },
    { "XX", OPT_XX, FOR_SET },
    { "GET", OPT_GET, FOR_SET },
    { "KEEPTTL", OPT_KEEPTTL, FOR_SET },
    { "PERSIST", OPT_PERSIST, FOR_GETEX },
    { "EX", OPT_EX, FOR_SET | FOR_GETEX },
    { "PX", OPT_PX, FOR_SET | FOR_GETEX },
    { "EXAT", OPT_EXAT, FOR_SET | FOR_GETEX },
    { "PXAT", OPT_PXAT, FOR_SET | FOR_GETEX },
    { "IFEQ", OPT_IFEQ, FOR_SET },
    { "IFNE", OPT_IFNE, FOR_SET },
    { "IFDEQ", OPT_IFDEQ, FOR_SET },
    { "IFDNE", OPT_IFDNE, FOR_SET },
};

struct str_args {
    unsigned flags;          /* OPT_* seen */
    size_t expire_arg;       /* argv index of the expire value, 0 if none */
    size_t cmp_arg;          /* argv index of the IF* operand, 0 if none */
};

/* The option argument i names if cmd accepts it, else NULL. */
static const struct str_opt *str_opt_find(const struct client *c, size_t i,
                                          unsigned cmd)
{
    for (size_t k = 0; k < sizeof(str_opts) / sizeof(str_opts[0]); k++) {
        if ((str_opts[k].cmds & cmd) && arg_is(c, i, str_opts[k].name))
            return &str_opts[k];
    }
    return NULL;
}

/* The options an option may not be combined with: the rest of its group. */
static unsigned str_opt_clashes(unsigned flag)
{
    /* XX may accompany one IF* (both must hold), which the lock recipe
     * "SET k token XX PX 30000 IFEQ token" relies on. Redis PR #15291
     * (2026) makes XX with IF* a syntax error in later Redis; portable
     * code drops the redundant XX. NX with IF*, or two IF*, is a syntax
     * error here as there. */
    if (flag & OPT_XX)
        return OPT_NX;
    if (flag & OPT_IF)
        return OPT_GROUP_COND & ~flag & ~OPT_XX;
    if (flag & OPT_GROUP_COND)
        return OPT_GROUP_COND & ~flag;
    if (flag & OPT_GROUP_TTL)
        return OPT_GROUP_TTL & ~flag;
    return 0;
}

/* Parses the options from argv[first] on for cmd (FOR_SET or FOR_GETEX).
 * Returns 1, or replies a syntax error and returns 0. */
static int str_args_or_reply(struct client *c, size_t first, unsigned cmd,
                             struct str_args *a)
{
    a->flags = 0;
    a->expire_arg = 0;
    a->cmp_arg = 0;
    for (size_t i = first; i < c->argc; i++) {
        const struct str_opt *o = str_opt_find(c, i, cmd);
        int takes_value = o && (o->flag & (OPT_EXPIRE | OPT_IF));
        if (!o || (a->flags & str_opt_clashes(o->flag)) ||
            (takes_value && i + 1 >= c->argc)) {
            reply_error(c, ERR_SYNTAX);
            return 0;
        }
        a->flags |= o->flag;
        if (takes_value && (o->flag & OPT_IF))
            a->cmp_arg = ++i;
        else if (takes_value)
            a->expire_arg = ++i;
    }
    /* A digest operand is checked here, before anything is replied or
     * written (Redis 8.4 wants exactly 16 hex characters). */
    if ((a->flags & (OPT_IFDEQ | OPT_IFDNE)) &&
        !server_digest_arg_ok_or_reply(c, a->cmp_arg))
        return 0;
    return 1;
}

/* Turns the expire option into absolute Unix ms the way Redis does: the
 * value must be a positive integer, and neither seconds-to-ms nor adding
 * the current time (EX, PX) may overflow. name is the lower-case command
 * name for the error. Returns 1, or replies and returns 0. */
static int str_expire_or_reply(struct client *c, const struct str_args *a,
                               const char *name, int64_t now, int64_t *at)
{
    int64_t v;
    if (!arg_i64_or_reply(c, a->expire_arg, &v))
        return 0;
    int seconds = (a->flags & (OPT_EX | OPT_EXAT)) != 0;
    if (v <= 0 || (seconds && v > INT64_MAX / 1000))
        goto invalid;
    if (seconds)
        v *= 1000;
    if (a->flags & (OPT_EX | OPT_PX)) {
        if (now > 0 && v > INT64_MAX - now)
            goto invalid;
        v += now;
        if (v <= 0)
            goto invalid;
    }
    *at = v;
    return 1;
invalid:
    reply_error(c, ERR_INVALID_EXPIRE, name);
    return 0;
}

/* ---- SET and friends ---------------------------------------------------- */

/* SET replies +OK or null; SETNX replies :1 or :0. */
enum set_reply { SET_REPLY_OK, SET_REPLY_BOOL };

static void set_reply_done(struct client *c, enum set_reply kind, int done)
{
    if (kind == SET_REPLY_BOOL)
        resp_add_int(&c->out, done);
    else if (done)
        reply_ok(c);
    else
        resp_add_null(&c->out);
}

/* 1 if the existing string e passes SET's IFEQ/IFNE/IFDEQ/IFDNE test
 * against argument a->cmp_arg (a digest already validated). */
static int set_cond_holds(const struct client *c, const struct str_args *a,
                          const struct store_entry *e)
{
    size_t n;
    const char *v = store_entry_str(e, &n);
    const char *cmp = c->argv[a->cmp_arg];
    size_t clen = c->argvlen[a->cmp_arg];
    if (a->flags & (OPT_IFEQ | OPT_IFNE)) {
        int eq = n == clen && memcmp(v, cmp, n) == 0;
        return (a->flags & OPT_IFEQ) ? eq : !eq;
    }
    int eq = server_digest_matches(v, n, cmp, clen);
    return (a->flags & OPT_IFDEQ) ? eq : !eq;
}

/* The one SET: argv[1] is the key, argv[vi] the value, a the options,
 * name the lower-case command name for errors. With GET the old value is
 * the reply, whether or not NX/XX let the write happen. */
static void set_generic(struct client *c, size_t vi, const struct str_args *a,
                        const char *name, enum set_reply kind)
{
    struct store *db = client_db(c);
    const char *key = c->argv[1];
    size_t klen = c->argvlen[1];
    int64_t now = server_now_ms(c->srv);
    int64_t expire = (a->flags & OPT_KEEPTTL) ? STORE_KEEP_TTL : STORE_NO_TTL;
    if (a->expire_arg && !str_expire_or_reply(c, a, name, now, &expire))
        return;

    size_t mark = c->out.len;
    struct store_entry *e;
    if (a->flags & OPT_GET) {
        e = key_lookup_read(c, key, klen, now);
        if (e && !key_is_string_or_reply(c, e))
            return;
        reply_str_or_null(c, e);
    } else {
        e = store_key_find(db, key, klen, now);
    }

    if ((a->flags & OPT_IF) && e && !(a->flags & OPT_GET) &&
        !key_is_string_or_reply(c, e))
        return;
    if (((a->flags & OPT_NX) && e) ||
        ((a->flags & (OPT_XX | OPT_IFEQ | OPT_IFDEQ)) && !e) ||
        ((a->flags & OPT_IF) && e && !set_cond_holds(c, a, e))) {
        if (!(a->flags & OPT_GET))
            set_reply_done(c, kind, 0);
        return;
    }
    if (store_key_set(db, key, klen, c->argv[vi], c->argvlen[vi], expire,
                      now) != STORE_OK) {
        reply_oom_since(c, mark);
        return;
    }
    server_key_modified(c->srv, c->db, key, klen);
    if (!e)
        server_notify(c->srv, NOTIFY_NEW, "new", c->db, key, klen);
    server_notify(c->srv, NOTIFY_STRING, "set", c->db, key, klen);
    if (a->expire_arg)
        server_notify(c->srv, NOTIFY_GENERIC, "expire", c->db, key, klen);
    if (!(a->flags & OPT_GET))
        set_reply_done(c, kind, 1);
}

/* SET key value [NX|XX|IFEQ v|IFNE v|IFDEQ d|IFDNE d] [GET]
 *     [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL] */
void cmd_set(struct client *c)
{
    struct str_args a;
    if (str_args_or_reply(c, 3, FOR_SET, &a))
        set_generic(c, 2, &a, "set", SET_REPLY_OK);
}

/* SETNX key value */
void cmd_setnx(struct client *c)
{
    struct str_args a = { .flags = OPT_NX };
    set_generic(c, 2, &a, "setnx", SET_REPLY_BOOL);
}

/* SETEX key seconds value */
void cmd_setex(struct client *c)
{
    struct str_args a = { .flags = OPT_EX, .expire_arg = 2 };
    set_generic(c, 3, &a, "setex", SET_REPLY_OK);
}

/* PSETEX key milliseconds value */
void cmd_psetex(struct client *c)
{
    struct str_args a = { .flags = OPT_PX, .expire_arg = 2 };
    set_generic(c, 3, &a, "psetex", SET_REPLY_OK);
}

/* GETSET key value: SET key value GET, which drops any TTL. */
void cmd_getset(struct client *c)
{
    struct str_args a = { .flags = OPT_GET };
    set_generic(c, 2, &a, "getset", SET_REPLY_OK);
}

/* ---- Reads -------------------------------------------------------------- */

/* The live string at argv[1] for a read, or NULL; *ok is 0 when a
 * WRONGTYPE error was replied instead. */
static struct store_entry *read_str(struct client *c, int64_t now, int *ok)
{
    struct store_entry *e =
        key_lookup_read(c, c->argv[1], c->argvlen[1], now);
    *ok = !e || key_is_string_or_reply(c, e);
    return *ok ? e : NULL;
}

/* GET key */
void cmd_get(struct client *c)
{
    int ok;
    struct store_entry *e = read_str(c, server_now_ms(c->srv), &ok);
    if (ok)
        reply_str_or_null(c, e);
}

/* GETDEL key */
void cmd_getdel(struct client *c)
{
    int64_t now = server_now_ms(c->srv);
    int ok;
    struct store_entry *e = read_str(c, now, &ok);
    if (!ok)
        return;
    reply_str_or_null(c, e);
    if (e && store_key_delete(client_db(c), c->argv[1], c->argvlen[1], now)) {
        server_key_modified(c->srv, c->db, c->argv[1], c->argvlen[1]);
        server_notify(c->srv, NOTIFY_GENERIC, "del", c->db, c->argv[1],
                      c->argvlen[1]);
    }
}

/* Applies GETEX's TTL change to e (already replied, since mark) and
 * reports the key as modified when it changed. at is the resolved expire
 * when a->expire_arg is set. */
static void getex_apply(struct client *c, const struct str_args *a,
                        const struct store_entry *e, int64_t at,
                        int64_t now, size_t mark)
{
    struct store *db = client_db(c);
    const char *key = c->argv[1];
    size_t klen = c->argvlen[1];
    int rc;
    if (a->expire_arg && at <= now) {
        /* EXAT/PXAT in the past: the key is gone at once, as in Redis. */
        store_key_delete(db, key, klen, now);
        rc = STORE_OK;
    } else if (a->expire_arg) {
        rc = store_key_expire_set(db, key, klen, at, now);
    } else if ((a->flags & OPT_PERSIST) &&
               store_entry_expire(e) != STORE_NO_TTL) {
        rc = store_key_expire_set(db, key, klen, STORE_NO_TTL, now);
    } else {
        return;
    }
    if (rc == STORE_NOMEM) {
        reply_oom_since(c, mark);
        return;
    }
    server_key_modified(c->srv, c->db, key, klen);
    server_notify(c->srv, NOTIFY_GENERIC,
                  !a->expire_arg ? "persist" : at <= now ? "del" : "expire",
                  c->db, key, klen);
}

/* GETEX key [EX s|PX ms|EXAT s|PXAT ms|PERSIST] */
void cmd_getex(struct client *c)
{
    struct str_args a;
    if (!str_args_or_reply(c, 2, FOR_GETEX, &a))
        return;
    int64_t now = server_now_ms(c->srv);
    int ok;
    struct store_entry *e = read_str(c, now, &ok);
    if (!ok)
        return;
    if (!e) {
        resp_add_null(&c->out);
        return;
    }
    int64_t at = 0;
    if (a.expire_arg && !str_expire_or_reply(c, &a, "getex", now, &at))
        return;
    size_t mark = c->out.len;
    reply_str(c, e);
    getex_apply(c, &a, e, at, now, mark);
}

/* MGET key [key ...]: a null for each missing or non-string key. */
void cmd_mget(struct client *c)
{
    int64_t now = server_now_ms(c->srv);
    resp_add_array(&c->out, c->argc - 1);
    for (size_t i = 1; i < c->argc; i++) {
        struct store_entry *e =
            key_lookup_read(c, c->argv[i], c->argvlen[i], now);
        if (e && store_entry_type(e) == STORE_T_STRING)
            reply_str(c, e);
        else
            resp_add_null(&c->out);
    }
}

/* STRLEN key */
void cmd_strlen(struct client *c)
{
    int ok;
    struct store_entry *e = read_str(c, server_now_ms(c->srv), &ok);
    if (!ok)
        return;
    size_t n = 0;
    if (e)
        store_entry_str(e, &n);
    resp_add_int(&c->out, (int64_t)n);
}

/* Clips [start, end] (inclusive, negative counting from the end) to a
 * string of len bytes with Redis's GETRANGE rules. Returns the byte count
 * and sets *from, or returns 0 for an empty result. */
static size_t range_clip(int64_t start, int64_t end, size_t len,
                         size_t *from)
{
    int64_t n = (int64_t)len;
    if (start < 0 && end < 0 && start > end)
        return 0;
    if (start < 0)
        start += n;
    if (end < 0)
        end += n;
    if (start < 0)
        start = 0;
    if (end < 0)
        end = 0;
    if (end >= n)
        end = n - 1;
    if (n == 0 || start > end)
        return 0;
    *from = (size_t)start;
    return (size_t)(end - start + 1);
}

/* GETRANGE key start end: an empty string for a missing key. */
void cmd_getrange(struct client *c)
{
    int64_t start, end;
    if (!arg_i64_or_reply(c, 2, &start) || !arg_i64_or_reply(c, 3, &end))
        return;
    int ok;
    struct store_entry *e = read_str(c, server_now_ms(c->srv), &ok);
    if (!ok)
        return;
    size_t len = 0, from = 0;
    const char *v = e ? store_entry_str(e, &len) : "";
    size_t n = range_clip(start, end, len, &from);
    resp_add_bulk(&c->out, n ? v + from : "", n);
}

/* ---- Writes ------------------------------------------------------------- */

/* MSET and MSETNX: argv holds key value pairs; name is for the arity
 * error when a value is missing. MSETNX sets nothing if any key exists. */
static void mset_generic(struct client *c, int nx, const char *name)
{
    if (c->argc % 2 == 0) {
        reply_error(c, ERR_ARITY, name);
        return;
    }
    struct store *db = client_db(c);
    int64_t now = server_now_ms(c->srv);
    for (size_t i = 1; nx && i < c->argc; i += 2) {
        if (store_key_find(db, c->argv[i], c->argvlen[i], now)) {
            resp_add_int(&c->out, 0);
            return;
        }
    }
    for (size_t i = 1; i < c->argc; i += 2) {
        if ((c->srv->notify_mask & NOTIFY_NEW) &&
            !store_key_find(db, c->argv[i], c->argvlen[i], now))
            server_notify(c->srv, NOTIFY_NEW, "new", c->db, c->argv[i],
                          c->argvlen[i]);
        if (store_key_set(db, c->argv[i], c->argvlen[i], c->argv[i + 1],
                          c->argvlen[i + 1], STORE_NO_TTL, now) != STORE_OK) {
            reply_error(c, ERR_OOM);
            return;
        }
        server_key_modified(c->srv, c->db, c->argv[i], c->argvlen[i]);
        server_notify(c->srv, NOTIFY_STRING, "set", c->db, c->argv[i],
                      c->argvlen[i]);
    }
    if (nx)
        resp_add_int(&c->out, 1);
    else
        reply_ok(c);
}

/* MSET key value [key value ...] */
void cmd_mset(struct client *c)
{
    mset_generic(c, 0, "mset");
}

/* MSETNX key value [key value ...] */
void cmd_msetnx(struct client *c)
{
    mset_generic(c, 1, "msetnx");
}

/* APPEND key value: replies the new length. */
void cmd_append(struct client *c)
{
    struct store *db = client_db(c);
    const char *key = c->argv[1], *val = c->argv[2];
    size_t klen = c->argvlen[1], vlen = c->argvlen[2];
    int64_t now = server_now_ms(c->srv);
    struct store_entry *e = store_key_find(db, key, klen, now);
    size_t total = vlen;
    if (!e) {
        if (store_key_set(db, key, klen, val, vlen, STORE_NO_TTL, now) !=
            STORE_OK) {
            reply_error(c, ERR_OOM);
            return;
        }
    } else {
        if (!key_is_string_or_reply(c, e))
            return;
        size_t olen;
        store_entry_str(e, &olen);
        if (!str_len_ok_or_reply(c, olen, vlen))
            return;
        char *p = store_str_resize(db, &e, olen + vlen);
        if (!p) {
            reply_error(c, ERR_OOM);
            return;
        }
        memcpy(p + olen, val, vlen);
        total = olen + vlen;
    }
    server_key_modified(c->srv, c->db, key, klen);
    if (!e)
        server_notify(c->srv, NOTIFY_NEW, "new", c->db, key, klen);
    server_notify(c->srv, NOTIFY_STRING, "append", c->db, key, klen);
    resp_add_int(&c->out, (int64_t)total);
}

/* Creates key as an empty string for SETRANGE to grow; NULL on OOM. */
static struct store_entry *setrange_create(struct store *db, const char *key,
                                           size_t klen, int64_t now)
{
    if (store_key_set(db, key, klen, "", 0, STORE_NO_TTL, now) != STORE_OK)
        return NULL;
    return store_key_find(db, key, klen, now);
}

/* SETRANGE key offset value: replies the new length. Writing nothing
 * changes nothing, not even creating the key. */
void cmd_setrange(struct client *c)
{
    int64_t off;
    if (!arg_i64_or_reply(c, 2, &off))
        return;
    if (off < 0) {
        reply_error(c, ERR_OFFSET_RANGE);
        return;
    }
    struct store *db = client_db(c);
    const char *key = c->argv[1], *val = c->argv[3];
    size_t klen = c->argvlen[1], vlen = c->argvlen[3];
    int64_t now = server_now_ms(c->srv);
    struct store_entry *e = store_key_find(db, key, klen, now);
    size_t olen = 0;
    if (e) {
        if (!key_is_string_or_reply(c, e))
            return;
        store_entry_str(e, &olen);
    }
    if (vlen == 0) {
        resp_add_int(&c->out, (int64_t)olen);
        return;
    }
    if (!str_len_ok_or_reply(c, (uint64_t)off, vlen))
        return;

    int created = !e;
    if (created && !(e = setrange_create(db, key, klen, now))) {
        reply_error(c, ERR_OOM);
        return;
    }
    size_t end = (size_t)off + vlen;
    size_t newlen = end > olen ? end : olen;
    char *p = store_str_resize(db, &e, newlen);
    if (!p) {
        if (created)
            store_key_delete(db, key, klen, now);
        reply_error(c, ERR_OOM);
        return;
    }
    memcpy(p + off, val, vlen);
    server_key_modified(c->srv, c->db, key, klen);
    if (created)
        server_notify(c->srv, NOTIFY_NEW, "new", c->db, key, klen);
    server_notify(c->srv, NOTIFY_STRING, "setrange", c->db, key, klen);
    resp_add_int(&c->out, (int64_t)newlen);
}

/* ---- Counters ----------------------------------------------------------- */

/* Stores text as the new value of argv[1], keeping its TTL (Redis
 * overwrites counters in place). Returns 1, or replies OOM and returns 0. */
static int counter_store_or_reply(struct client *c, const char *text,
                                  size_t n, int64_t now)
{
    if (store_key_set(client_db(c), c->argv[1], c->argvlen[1], text, n,
                      STORE_KEEP_TTL, now) != STORE_OK) {
        reply_error(c, ERR_OOM);
        return 0;
    }
    server_key_modified(c->srv, c->db, c->argv[1], c->argvlen[1]);
    return 1;
}

/* INCR, DECR, INCRBY, DECRBY: adds by to the integer at argv[1] (0 when
 * missing) and replies the result. */
static void incr_generic(struct client *c, int64_t by)
{
    int64_t now = server_now_ms(c->srv);
    struct store_entry *e =
        store_key_find(client_db(c), c->argv[1], c->argvlen[1], now);
    int64_t v = 0;
    if (e) {
        if (!key_is_string_or_reply(c, e))
            return;
        size_t n;
        const char *s = store_entry_str(e, &n);
        if (!parse_i64(s, n, &v)) {
            reply_error(c, ERR_NOT_INT);
            return;
        }
    }
    if ((by < 0 && v < 0 && by < INT64_MIN - v) ||
        (by > 0 && v > 0 && by > INT64_MAX - v)) {
        reply_error(c, ERR_OVERFLOW);
        return;
    }
    v += by;
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%" PRId64, v);
    if (!counter_store_or_reply(c, buf, (size_t)n, now))
        return;
    if (!e)
        server_notify(c->srv, NOTIFY_NEW, "new", c->db, c->argv[1],
                      c->argvlen[1]);
    server_notify(c->srv, NOTIFY_STRING, "incrby", c->db, c->argv[1],
                  c->argvlen[1]);
    resp_add_int(&c->out, v);
}

/* INCR key */
void cmd_incr(struct client *c)
{
    incr_generic(c, 1);
}

/* DECR key */
void cmd_decr(struct client *c)
{
    incr_generic(c, -1);
}

/* INCRBY key increment */
void cmd_incrby(struct client *c)
{
    int64_t by;
    if (arg_i64_or_reply(c, 2, &by))
        incr_generic(c, by);
}

/* DECRBY key decrement: the decrement is negated, which INT64_MIN can not
 * be. */
void cmd_decrby(struct client *c)
{
    int64_t by;
    if (!arg_i64_or_reply(c, 2, &by))
        return;
    if (by == INT64_MIN) {
        reply_error(c, ERR_DECR_OVERFLOW);
        return;
    }
    incr_generic(c, -by);
}

/* INCRBYFLOAT key increment: long double arithmetic, replied and stored
 * as text ("%.17Lf" without trailing zeros), as Redis does. */
void cmd_incrbyfloat(struct client *c)
{
    int64_t now = server_now_ms(c->srv);
    struct store_entry *e =
        store_key_find(client_db(c), c->argv[1], c->argvlen[1], now);
    long double v = 0, by;
    if (e) {
        if (!key_is_string_or_reply(c, e))
            return;
        size_t n;
        const char *s = store_entry_str(e, &n);
        if (!parse_ldouble(s, n, &v)) {
            reply_error(c, ERR_NOT_FLOAT);
            return;
        }
    }
    if (!parse_ldouble(c->argv[2], c->argvlen[2], &by)) {
        reply_error(c, ERR_NOT_FLOAT);
        return;
    }
    v += by;
    char buf[LDOUBLE_STR_MAX];
    size_t n = isnan(v) || isinf(v) ? 0 : format_ldouble(buf, sizeof(buf), v);
    if (n == 0) {
        reply_error(c, ERR_INCR_NAN);
        return;
    }
    if (!counter_store_or_reply(c, buf, n, now))
        return;
    if (!e)
        server_notify(c->srv, NOTIFY_NEW, "new", c->db, c->argv[1],
                      c->argvlen[1]);
    server_notify(c->srv, NOTIFY_STRING, "incrbyfloat", c->db, c->argv[1],
                  c->argvlen[1]);
    resp_add_bulk(&c->out, buf, n);
}
