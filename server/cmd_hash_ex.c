/* cmd_hash_ex.c - Redis 8.0's hash commands that read or write fields
 * together with their TTLs: HGETDEL, HGETEX and HSETEX.
 *
 * They follow Redis 8's t_hash.c: HGETDEL and HGETEX look the key up
 * (WRONGTYPE first) and then parse FIELDS numfields; HSETEX parses all
 * its options first. A field they meet past its deadline is deleted
 * quietly while they work, reported once as "hexpired" at the end, and
 * the key goes ("del") only once the command is done with the hash, as
 * Redis's HFE_LAZY_AVOID_HASH_DEL does. Times are the HEXPIRE family's
 * (hash_expire_arg); a time that is not in the future deletes the field,
 * reported as "hdel". */
#include "server/coll.h"
#include "server/handlers.h"

/* HSETEX's options. */
enum {
    SX_EX = 1, SX_PX = 2, SX_EXAT = 4, SX_PXAT = 8, SX_KEEPTTL = 16,
    SX_FXX = 32, SX_FNX = 64,
};
#define SX_TIME (SX_EX | SX_PX | SX_EXAT | SX_PXAT)

/* Field f of h while one of these commands works on it: 1 and *v when
 * live, 0 when absent, -1 when it was past its deadline (now deleted,
 * silently: the caller reports it and drops an emptied key at the end). */
static int field_get(struct client *c, struct store_coll *h, const char *f,
                     size_t flen, int64_t now, struct store_coll_view *v)
{
    int r = store_coll_lookup(h, f, flen, v);
    if (r < 2)
        return r;
    if (!store_coll_field_expired(h, f, flen, now))
        return 1;
    store_coll_del(client_db(c), h, f, flen);
    return -1;
}

/* Deletes argument 1's key when h is left empty, with the "del" event. */
static void drop_if_empty(struct client *c, struct store_coll *h)
{
    if (h && store_coll_len(h) == 0)
        coll_drop_if_empty(c, 1, h);
}

/* One field's new deadline at (or, persist, none) in hash h: 1 when set
 * or removed, 2 when at is not in the future and the field was deleted,
 * 0 when persist found no TTL. */
static int field_retime(struct store *db, struct store_coll *h,
                        const char *f, size_t flen, int persist, int64_t at,
                        int64_t now)
{
    if (persist)
        return store_coll_ttl_clear(db, h, f, flen);
    if (at <= now) {
        store_coll_del(db, h, f, flen);
        return 2;
    }
    return store_coll_ttl_set(db, h, f, flen, at) == STORE_OK;
}

/* ---- HGETDEL ------------------------------------------------------------- */

/* HGETDEL key FIELDS numfields field [field ...]: the values (null for
 * missing fields), then the fields are gone. */
void cmd_hgetdel(struct client *c)
{
    int ok;
    struct store_coll *h = coll_write(c, 1, STORE_T_HASH, 0, &ok);
    if (!ok)
        return;
    int64_t n = hash_fields_arg(c, 3, ERR_HFE_NUMFIELDS_POS);
    if (n == 0)
        return;
    int64_t now = server_now_ms(c->srv);
    int expired = 0, deleted = 0;
    resp_add_array(&c->out, (size_t)n);
    for (size_t i = 4; i < c->argc; i++) {
        struct store_coll_view v;
        int r = h ? field_get(c, h, c->argv[i], c->argvlen[i], now, &v) : 0;
        expired += r < 0;
        if (r <= 0) {
            resp_add_null(&c->out);
            continue;
        }
        resp_add_bulk(&c->out, v.v, v.vlen);
        store_coll_del(client_db(c), h, c->argv[i], c->argvlen[i]);
        deleted++;
    }
    if (!expired && !deleted)
        return;
    server_key_modified(c->srv, c->db, c->argv[1], c->argvlen[1]);
    if (expired)
        server_notify(c->srv, NOTIFY_HASH, "hexpired", c->db, c->argv[1],
                      c->argvlen[1]);
    if (deleted)
        server_notify(c->srv, NOTIFY_HASH, "hdel", c->db, c->argv[1],
                      c->argvlen[1]);
    drop_if_empty(c, h);
}

/* ---- HGETEX -------------------------------------------------------------- */

/* HGETEX key [EX s | PX ms | EXAT t | PXAT t | PERSIST] FIELDS numfields
 * field [field ...]: the values, and the fields found get the new TTL (or
 * lose theirs). */
void cmd_hgetex(struct client *c)
{
    int ok;
    struct store_coll *h = coll_write(c, 1, STORE_T_HASH, 0, &ok);
    if (!ok)
        return;
    static const char *const words[] = { "EX", "PX", "EXAT", "PXAT" };
    int timed = -1, persist = arg_is(c, 2, "PERSIST");
    for (int k = 0; k < 4; k++)
        if (arg_is(c, 2, words[k]))
            timed = k;
    size_t at_fields = 3;
    int64_t now = server_now_ms(c->srv), at = 0;
    if (timed >= 0) {
        at_fields += 2;
        if (!hash_expire_arg(c, 3, timed == 0 || timed == 2,
                             timed < 2 ? now : 0, "hgetex", &at))
            return;
    } else if (persist) {
        at_fields++;
    }
    int64_t n = hash_fields_arg(c, at_fields, ERR_HFE_NUMFIELDS_POS);
    if (n == 0)
        return;
    int cond = timed >= 0 || persist;
    struct store *db = client_db(c);
    if (h && cond &&
        store_hash_ttl_open(db, c->argv[1], c->argvlen[1], now, &h)) {
        reply_error(c, ERR_OOM);
        return;
    }
    int expired = 0, updated = 0, deleted = 0;
    resp_add_array(&c->out, (size_t)n);
    for (size_t i = at_fields + 1; i < c->argc; i++) {
        struct store_coll_view v;
        const char *f = c->argv[i];
        size_t flen = c->argvlen[i];
        int r = h ? field_get(c, h, f, flen, now, &v) : 0;
        expired += r < 0;
        if (r <= 0) {
            resp_add_null(&c->out);
            continue;
        }
        resp_add_bulk(&c->out, v.v, v.vlen);
        if (!cond)
            continue;
        int t = field_retime(db, h, f, flen, persist, at, now);
        updated += t == 1;
        deleted += t == 2;
    }
    if (!expired && !updated && !deleted)
        return;
    server_key_modified(c->srv, c->db, c->argv[1], c->argvlen[1]);
    const char *event = updated ? (persist ? "hpersist" : "hexpire")
                      : deleted ? "hdel" : NULL;
    if (expired)
        server_notify(c->srv, NOTIFY_HASH, "hexpired", c->db, c->argv[1],
                      c->argvlen[1]);
    if (event)
        server_notify(c->srv, NOTIFY_HASH, event, c->db, c->argv[1],
                      c->argvlen[1]);
    drop_if_empty(c, h);
}

/* ---- HSETEX -------------------------------------------------------------- */

/* HSETEX's options, up to and including FIELDS: sets *flags, *at (with a
 * time) and *first (argument of the first field); the count of pairs, or
 * 0 after replying Redis's error. */
static int64_t hsetex_args(struct client *c, int *flags, int64_t *at,
                           size_t *first)
{
    static const struct { const char *word; int flag; } times[] = {
        { "EX", SX_EX }, { "PX", SX_PX }, { "EXAT", SX_EXAT },
        { "PXAT", SX_PXAT }, { "KEEPTTL", SX_KEEPTTL },
    };
    int64_t now = server_now_ms(c->srv);
    *flags = 0;
    for (size_t i = 2; i < c->argc; i++) {
        if (arg_is(c, i, "FIELDS")) {
            int64_t n;
            if (i + 3 >= c->argc) {
                reply_error(c, ERR_ARITY, "hsetex");
                return 0;
            }
            if (!parse_i64(c->argv[i + 1], c->argvlen[i + 1], &n) ||
                n < 1 || n > INT32_MAX) {
                reply_error(c, ERR_HFE_BAD_NUMFIELDS);
                return 0;
            }
            size_t rest = c->argc - i - 2;
            if (rest % 2 || (uint64_t)n != rest / 2) {
                reply_error(c, ERR_ARITY, "hsetex");
                return 0;
            }
            *first = i + 2;
            return n;
        }
        int flag = 0;
        for (size_t k = 0; k < sizeof times / sizeof times[0]; k++)
            if (arg_is(c, i, times[k].word))
                flag = times[k].flag;
        if (flag) {
            if (*flags & (SX_TIME | SX_KEEPTTL)) {
                reply_error(c, ERR_HFE_ONE_EXPIRY);
                return 0;
            }
            *flags |= flag;
            if (flag == SX_KEEPTTL)
                continue;
            if (i + 1 >= c->argc) {
                reply_error(c, ERR_HFE_MISSING_EXPIRE);
                return 0;
            }
            int secs = flag & (SX_EX | SX_EXAT);
            int64_t base = flag & (SX_EX | SX_PX) ? now : 0;
            if (!hash_expire_arg(c, ++i, secs, base, "hsetex", at))
                return 0;
        } else if (arg_is(c, i, "FXX") || arg_is(c, i, "FNX")) {
            if (*flags & (SX_FXX | SX_FNX)) {
                reply_error(c, ERR_HFE_ONE_FXX);
                return 0;
            }
            *flags |= arg_is(c, i, "FXX") ? SX_FXX : SX_FNX;
        } else {
            reply_error(c, ERR_HFE_UNKNOWN_ARG, ARGV_CLIPPED(c, i));
            return 0;
        }
    }
    reply_error(c, ERR_SYNTAX);        /* not reached: FIELDS ends it */
    return 0;
}

/* FXX (every field exists) or FNX (none does) for the n pairs from
 * argument first of hash h; counts the expired fields it deleted. */
static int hsetex_condition(struct client *c, struct store_coll *h,
                            int flags, size_t first, int64_t n, int64_t now,
                            int *expired)
{
    int64_t found = 0;
    for (int64_t k = 0; k < n; k++) {
        size_t i = first + 2 * (size_t)k;
        struct store_coll_view v;
        int r = field_get(c, h, c->argv[i], c->argvlen[i], now, &v);
        *expired += r < 0;
        found += r > 0;
        if (((flags & SX_FXX) && r <= 0) || ((flags & SX_FNX) && r > 0))
            break;
    }
    return flags & SX_FXX ? found == n : found == 0;
}

/* HSETEX key [FNX | FXX] [EX s | PX ms | EXAT t | PXAT t | KEEPTTL]
 * FIELDS numfields field value [field value ...]: 1 when the fields were
 * set, 0 when FXX or FNX did not hold. */
void cmd_hsetex(struct client *c)
{
    int flags, expired = 0, fields_set = 0, updated = 0, deleted = 0, ok;
    int64_t at = 0;
    size_t first;
    int64_t n = hsetex_args(c, &flags, &at, &first);
    if (n == 0)
        return;
    struct store_coll *h = coll_write(c, 1, STORE_T_HASH, 0, &ok);
    if (!ok)
        return;
    if (!h && (flags & SX_FXX)) {
        resp_add_int(&c->out, 0);
        return;
    }
    if (!h && !(h = coll_write(c, 1, STORE_T_HASH, 1, &ok)))
        return;
    struct store *db = client_db(c);
    int64_t now = server_now_ms(c->srv);
    if ((flags & (SX_FXX | SX_FNX)) &&
        !hsetex_condition(c, h, flags, first, n, now, &expired)) {
        resp_add_int(&c->out, 0);
        goto out;
    }
    if ((flags & SX_TIME) &&
        store_hash_ttl_open(db, c->argv[1], c->argvlen[1], now, &h)) {
        reply_error(c, ERR_OOM);
        goto out;
    }
    int keep = flags & (SX_TIME | SX_KEEPTTL), nomem = 0;
    for (int64_t k = 0; k < n && !nomem; k++) {
        size_t i = first + 2 * (size_t)k;
        const char *f = c->argv[i];
        size_t flen = c->argvlen[i];
        int rc = keep ? store_coll_put_keepttl(db, h, f, flen, c->argv[i + 1],
                                               c->argvlen[i + 1])
                      : store_coll_put(db, h, f, flen, c->argv[i + 1],
                                       c->argvlen[i + 1], 0);
        nomem = rc < 0;
        fields_set |= rc >= 0;
        if (rc < 0 || !(flags & SX_TIME))
            continue;
        int t = field_retime(db, h, f, flen, 0, at, now);
        updated += t == 1;
        deleted += t == 2;
    }
    if (nomem)
        reply_error(c, ERR_OOM);
    else
        resp_add_int(&c->out, 1);
out:
    if (fields_set || expired) {
        server_key_modified(c->srv, c->db, c->argv[1], c->argvlen[1]);
        if (expired)
            server_notify(c->srv, NOTIFY_HASH, "hexpired", c->db,
                          c->argv[1], c->argvlen[1]);
        if (fields_set)
            server_notify(c->srv, NOTIFY_HASH, "hset", c->db, c->argv[1],
                          c->argvlen[1]);
        if (fields_set && (updated || deleted))
            server_notify(c->srv, NOTIFY_HASH, deleted ? "hdel" : "hexpire",
                          c->db, c->argv[1], c->argvlen[1]);
    }
    drop_if_empty(c, h);
}
