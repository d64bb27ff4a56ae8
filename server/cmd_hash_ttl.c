/* cmd_hash_ttl.c - hash field expiration, Redis 7.4's commands: HEXPIRE
 * HPEXPIRE HEXPIREAT HPEXPIREAT (set), HTTL HPTTL HEXPIRETIME HPEXPIRETIME
 * (read), HPERSIST (clear); and the lazy expiry the other hash commands
 * call when they meet a field past its deadline.
 *
 * The deadlines live in store/hfe.c. These handlers follow Redis 8's
 * t_hash.c in what they check and in which order: the key's type first,
 * then the time, the NX|XX|GT|LT word, FIELDS, the count, and that the
 * count matches the fields given; a missing key answers -2 for every
 * field. Per field, HEXPIRE answers -2 (no such field), 0 (condition not
 * met), 1 (set) or 2 (deleted: the time is not in the future). A field
 * without a TTL meets LT and NX but not XX or GT (Redis 8; 7.4.0 refused
 * LT too). Times are capped at 2^46-1 ms, as Redis's HFE_MAX_ABS_TIME.
 *
 * Events as Redis: "hexpire" (or "hdel" when a past time deleted fields)
 * then "del" when the hash is left empty; "hpersist"; "hexpired" when a
 * read or the sweeper (sweeper.c) removes expired fields. */
#include <stdlib.h>

#include "server/coll.h"
#include "server/handlers.h"

#define HFE_MAX_MS ((INT64_C(1) << 46) - 1)

/* ---- Lazy expiry (for cmd_hash.c) ---------------------------------------- */

/* Deletes the hash at argument i when fields expiring emptied it, with
 * the "del" event when notify is set. Returns 1 if it did. */
static int drop_emptied(struct client *c, size_t i, struct store_coll *h,
                        int notify)
{
    if (store_coll_len(h) != 0)
        return 0;
    store_key_delete(client_db(c), c->argv[i], c->argvlen[i],
                     server_now_ms(c->srv));
    if (notify)
        server_notify(c->srv, NOTIFY_GENERIC, "del", c->db, c->argv[i],
                      c->argvlen[i]);
    return 1;
}

/* See coll.h. */
int hash_field_expired(struct client *c, size_t i, struct store_coll **h,
                       const char *f, size_t flen, int notify)
{
    /* CLIENT PAUSE: expired fields only look gone, as keys do. */
    if (c->srv->pause_type != PAUSE_NONE)
        return 0;
    store_coll_del(client_db(c), *h, f, flen);
    server_key_modified(c->srv, c->db, c->argv[i], c->argvlen[i]);
    if (notify)
        server_notify(c->srv, NOTIFY_HASH, "hexpired", c->db, c->argv[i],
                      c->argvlen[i]);
    if (!drop_emptied(c, i, *h, notify))
        return 0;
    *h = NULL;
    return 1;
}

/* See coll.h. */
void hash_expire_all(struct client *c, size_t i, struct store_coll **h)
{
    if (!store_coll_is_hfe(*h) || c->srv->pause_type != PAUSE_NONE)
        return;
    if (store_coll_expire(client_db(c), *h, server_now_ms(c->srv),
                          SIZE_MAX) == 0)
        return;
    server_key_modified(c->srv, c->db, c->argv[i], c->argvlen[i]);
    server_notify(c->srv, NOTIFY_HASH, "hexpired", c->db, c->argv[i],
                  c->argvlen[i]);
    if (drop_emptied(c, i, *h, 1))
        *h = NULL;
}

/* ---- Arguments ----------------------------------------------------------- */

/* See coll.h. */
int hash_expire_arg(struct client *c, size_t i, int secs, int64_t basetime,
                    const char *name, int64_t *out)
{
    int64_t v;
    if (!arg_i64_or_reply(c, i, &v))
        return 0;
    if (v < 0) {
        reply_error(c, ERR_HFE_EXPIRE_NEG);
        return 0;
    }
    if (secs) {
        if (v > HFE_MAX_MS / 1000) {
            reply_error(c, ERR_INVALID_EXPIRE, name);
            return 0;
        }
        v *= 1000;
    }
    if (v > HFE_MAX_MS - basetime) {
        reply_error(c, ERR_INVALID_EXPIRE, name);
        return 0;
    }
    *out = v + basetime;
    return 1;
}

/* See coll.h. */
int64_t hash_fields_arg(struct client *c, size_t at,
                        enum reply_err count_err)
{
    if (!arg_is(c, at - 1, "FIELDS")) {
        reply_error(c, ERR_HFE_FIELDS_MISSING);
        return 0;
    }
    int64_t n;
    if (at >= c->argc || !parse_i64(c->argv[at], c->argvlen[at], &n) ||
        n < 1) {
        reply_error(c, count_err);
        return 0;
    }
    if ((uint64_t)n != c->argc - at - 1) {
        reply_error(c, ERR_HFE_NUMFIELDS_MATCH);
        return 0;
    }
    return n;
}

/* The reply for n fields of a key that does not exist: all -2. */
static void reply_all_missing(struct client *c, int64_t n)
{
    resp_add_array(&c->out, (size_t)n);
    for (int64_t k = 0; k < n; k++)
        resp_add_int(&c->out, -2);
}

/* ---- HEXPIRE HPEXPIRE HEXPIREAT HPEXPIREAT ------------------------------- */

/* One field's HEXPIRE: -2, 0, 1 or 2 (see the top), or STORE_NOMEM. */
static int expire_field(struct store *db, struct store_coll *h,
                        const char *f, size_t flen, int64_t at,
                        unsigned cond, int64_t now)
{
    if (!store_coll_get(h, f, flen, NULL))
        return -2;
    if (!expire_allowed(cond, store_coll_ttl(h, f, flen), at))
        return 0;
    if (at <= now) {
        store_coll_del(db, h, f, flen);
        return 2;
    }
    int rc = store_coll_ttl_set(db, h, f, flen, at);
    return rc == STORE_OK ? 1 : rc;
}

/* The four setters: basetime 0 for the *AT forms, secs for seconds. */
static void hexpire_generic(struct client *c, int relative, int secs,
                            const char *name)
{
    int ok;
    struct store_coll *h = coll_write(c, 1, STORE_T_HASH, 0, &ok);
    if (!ok)
        return;
    int64_t now = server_now_ms(c->srv), at;
    if (!hash_expire_arg(c, 2, secs, relative ? now : 0, name, &at))
        return;
    /* One condition at most: a second word is where FIELDS must be. */
    unsigned cond = expire_word_flag(c, 3);
    size_t nf = cond ? 5 : 4;
    int64_t n = hash_fields_arg(c, nf, ERR_HFE_NUMFIELDS_GT0);
    if (n == 0)
        return;
    if (!h) {
        reply_all_missing(c, n);
        return;
    }
    struct store *db = client_db(c);
    signed char *res = malloc((size_t)n);
    if (!res ||
        store_hash_ttl_open(db, c->argv[1], c->argvlen[1], now, &h)) {
        free(res);
        reply_error(c, ERR_OOM);
        return;
    }
    int updated = 0, deleted = 0, nomem = 0;
    for (int64_t k = 0; k < n; k++) {
        size_t i = nf + 1 + (size_t)k;
        int r = expire_field(db, h, c->argv[i], c->argvlen[i], at, cond,
                             now);
        nomem |= r == STORE_NOMEM;
        res[k] = (signed char)(r == STORE_NOMEM ? 0 : r);
        updated += r == 1;
        deleted += r == 2;
    }
    if (updated + deleted > 0)
        coll_changed(c, 1, NOTIFY_HASH, deleted ? "hdel" : "hexpire");
    drop_emptied(c, 1, h, 1);
    if (nomem) {
        reply_error(c, ERR_OOM);
    } else {
        resp_add_array(&c->out, (size_t)n);
        for (int64_t k = 0; k < n; k++)
            resp_add_int(&c->out, res[k]);
    }
    free(res);
}

/* HEXPIRE key seconds [NX|XX|GT|LT] FIELDS numfields field [field ...] */
void cmd_hexpire(struct client *c)
{
    hexpire_generic(c, 1, 1, "hexpire");
}

/* HPEXPIRE key milliseconds [NX|XX|GT|LT] FIELDS numfields field ... */
void cmd_hpexpire(struct client *c)
{
    hexpire_generic(c, 1, 0, "hpexpire");
}

/* HEXPIREAT key unix-time-seconds [NX|XX|GT|LT] FIELDS numfields ... */
void cmd_hexpireat(struct client *c)
{
    hexpire_generic(c, 0, 1, "hexpireat");
}

/* HPEXPIREAT key unix-time-ms [NX|XX|GT|LT] FIELDS numfields ... */
void cmd_hpexpireat(struct client *c)
{
    hexpire_generic(c, 0, 0, "hpexpireat");
}

/* ---- HTTL HPTTL HEXPIRETIME HPEXPIRETIME --------------------------------- */

/* The four readers: what is left (relative) or the deadline, in seconds
 * (rounded up, as Redis) or ms; -1 without a TTL, -2 without the field. */
static void httl_generic(struct client *c, int relative, int secs)
{
    int ok;
    struct store_coll *h = coll_read(c, 1, STORE_T_HASH, &ok);
    if (!ok)
        return;
    int64_t n = hash_fields_arg(c, 3, ERR_HFE_NUMFIELDS_POS);
    if (n == 0)
        return;
    if (!h) {
        reply_all_missing(c, n);
        return;
    }
    int64_t now = server_now_ms(c->srv), base = relative ? now : 0;
    /* Redis counts the deadline's own ms as gone in a listpack, not in a
     * table; the same here. */
    int64_t gone_below = store_coll_is_compact(h) ? now + 1 : now;
    resp_add_array(&c->out, (size_t)n);
    for (size_t i = 4; i < c->argc; i++) {
        int64_t t = store_coll_ttl(h, c->argv[i], c->argvlen[i]);
        if (!store_coll_get(h, c->argv[i], c->argvlen[i], NULL) ||
            (t != STORE_NO_TTL && t < gone_below))
            resp_add_int(&c->out, -2);
        else if (t == STORE_NO_TTL)
            resp_add_int(&c->out, -1);
        else
            resp_add_int(&c->out, secs ? (t + 999 - base) / 1000 : t - base);
    }
}

/* HTTL key FIELDS numfields field [field ...]: seconds left. */
void cmd_httl(struct client *c)
{
    httl_generic(c, 1, 1);
}

/* HPTTL key FIELDS numfields field [field ...]: ms left. */
void cmd_hpttl(struct client *c)
{
    httl_generic(c, 1, 0);
}

/* HEXPIRETIME key FIELDS numfields field [field ...]: Unix seconds. */
void cmd_hexpiretime(struct client *c)
{
    httl_generic(c, 0, 1);
}

/* HPEXPIRETIME key FIELDS numfields field [field ...]: Unix ms. */
void cmd_hpexpiretime(struct client *c)
{
    httl_generic(c, 0, 0);
}

/* ---- HPERSIST ------------------------------------------------------------ */

/* HPERSIST key FIELDS numfields field [field ...]: per field 1 (TTL
 * removed), -1 (had none) or -2 (no such field, or expired). */
void cmd_hpersist(struct client *c)
{
    int ok;
    struct store_coll *h = coll_write(c, 1, STORE_T_HASH, 0, &ok);
    if (!ok)
        return;
    int64_t n = hash_fields_arg(c, 3, ERR_HFE_NUMFIELDS_POS);
    if (n == 0)
        return;
    if (!h) {
        reply_all_missing(c, n);
        return;
    }
    int64_t now = server_now_ms(c->srv);
    int changed = 0;
    resp_add_array(&c->out, (size_t)n);
    for (size_t i = 4; i < c->argc; i++) {
        const char *f = c->argv[i];
        size_t flen = c->argvlen[i];
        int64_t t = store_coll_ttl(h, f, flen);
        if (!store_coll_get(h, f, flen, NULL) ||
            (t != STORE_NO_TTL && t < now)) {
            resp_add_int(&c->out, -2);
        } else if (t == STORE_NO_TTL) {
            resp_add_int(&c->out, -1);
        } else {
            store_coll_ttl_clear(client_db(c), h, f, flen);
            resp_add_int(&c->out, 1);
            changed = 1;
        }
    }
    if (changed)
        coll_changed(c, 1, NOTIFY_HASH, "hpersist");
}
