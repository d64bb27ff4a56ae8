/* cmd_hash.c - the hash commands: HSET HSETNX HMSET HGET HMGET HGETALL
 * HDEL HEXISTS HLEN HSTRLEN HKEYS HVALS HINCRBY HINCRBYFLOAT HRANDFIELD
 * HSCAN, and the scan body SSCAN and ZSCAN share.
 *
 * Hashes live in store/coll.c; these handlers parse, look the key up with
 * coll_read / coll_write (coll.h), and reply as Redis 7.0 does, in the
 * order Redis checks things: HSET counts its arguments before the lookup,
 * HINCRBY parses the increment before the type check, HRANDFIELD parses
 * its count before the lookup, HSCAN parses the cursor first and the
 * options only once it has a hash (a missing key answers "0" and an empty
 * list whatever the options).
 *
 * Element views die at the next store change, so handlers that both read
 * and write (HINCRBY) copy what they need first. An emptied hash loses
 * its key (coll_drop_if_empty), with the "del" event after "hdel".
 *
 * Fields past their TTL (cmd_hash_ttl.c) are handled as Redis 7.4/8 does:
 * single-field reads and HSETNX/HINCRBY delete them ("hexpired"), the
 * whole-hash reads skip them, HLEN counts them, HRANDFIELD expires them
 * first. Hashes that never had a TTL take none of these paths: the lookup
 * answers 2 only for hashes that hold TTLs (store_coll_lookup). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/coll.h"
#include "server/handlers.h"

/* HSET / HMSET body: field value pairs from argv[2]. Returns the number of
 * new fields, or -1 after replying an error. */
static int64_t hset_pairs(struct client *c, const char *name)
{
    if (c->argc % 2 == 1) {
        reply_error(c, ERR_ARITY, name);
        return -1;
    }
    int ok;
    struct store_coll *h = coll_write(c, 1, STORE_T_HASH, 1, &ok);
    if (!ok)
        return -1;
    int64_t added = 0;
    for (size_t i = 2; i < c->argc; i += 2) {
        int rc = store_coll_put(client_db(c), h, c->argv[i], c->argvlen[i],
                                c->argv[i + 1], c->argvlen[i + 1], 0);
        if (rc < 0) {
            if (i > 2)
                coll_changed(c, 1, NOTIFY_HASH, "hset");
            else
                coll_drop_if_empty(c, 1, h);
            reply_error(c, ERR_OOM);
            return -1;
        }
        added += rc;
    }
    coll_changed(c, 1, NOTIFY_HASH, "hset");
    server_dirty_elements(c->srv, (c->argc - 2) / 2);
    return added;
}

/* HSET key field value [field value ...]: fields added. */
void cmd_hset(struct client *c)
{
    int64_t n = hset_pairs(c, "hset");
    if (n >= 0)
        resp_add_int(&c->out, n);
}

/* HMSET key field value [field value ...]: +OK. */
void cmd_hmset(struct client *c)
{
    if (hset_pairs(c, "hmset") >= 0)
        reply_ok(c);
}

/* For a write to field argv[2] of hash h (from coll_write with create):
 * expires the field if it is past its deadline, and when that deletes the
 * hash, creates it anew, as Redis's HSETNX and HINCRBY do. Returns the
 * hash, or NULL after replying an error. */
static struct store_coll *live_field_or_new(struct client *c,
                                            struct store_coll *h)
{
    if (store_coll_get_at(h, c->argv[2], c->argvlen[2],
                          server_now_ms(c->srv), NULL) >= 0)
        return h;
    if (!hash_field_expired(c, 1, &h, c->argv[2], c->argvlen[2], 1))
        return h;
    int ok;
    h = coll_write(c, 1, STORE_T_HASH, 1, &ok);
    return ok ? h : NULL;
}

/* HSETNX key field value: 1 if set, 0 if the field existed. */
void cmd_hsetnx(struct client *c)
{
    int ok;
    struct store_coll *h = coll_write(c, 1, STORE_T_HASH, 1, &ok);
    if (!ok || !(h = live_field_or_new(c, h)))
        return;
    int rc = store_coll_put(client_db(c), h, c->argv[2], c->argvlen[2],
                            c->argv[3], c->argvlen[3], 1);
    if (rc < 0) {
        coll_drop_if_empty(c, 1, h);
        reply_error(c, ERR_OOM);
        return;
    }
    if (rc == 1)
        coll_changed(c, 1, NOTIFY_HASH, "hset");
    resp_add_int(&c->out, rc);
}

/* hash_get for a hash that holds field TTLs: the clock, and lazy expiry
 * of the field when it is past its deadline. */
static __attribute__((noinline)) int
hash_get_ttl(struct client *c, struct store_coll **h, size_t fi, int notify)
{
    const char *f = c->argv[fi];
    size_t flen = c->argvlen[fi];
    if (!store_coll_field_expired(*h, f, flen, server_now_ms(c->srv)))
        return 1;
    return hash_field_expired(c, 1, h, f, flen, notify) ? -2 : -1;
}

/* Field argument fi of argument 1's hash *h for a read: 1 and *v, or 0
 * when absent. A field past its deadline is deleted (hash_field_expired,
 * which may delete the key and set *h NULL) and counts as absent; -1
 * then instead of 0, and -2 if that deleted the key. Hashes without field
 * TTLs never read the clock here. */
static inline __attribute__((always_inline)) int
hash_get(struct client *c, struct store_coll **h, size_t fi,
         struct store_coll_view *v, int notify)
{
    int r = store_coll_lookup(*h, c->argv[fi], c->argvlen[fi], v);
    if (__builtin_expect(r == 2, 0))
        return hash_get_ttl(c, h, fi, notify);
    return r;
}

/* HGET key field: the value or null. */
void cmd_hget(struct client *c)
{
    int ok;
    struct store_coll *h = coll_read(c, 1, STORE_T_HASH, &ok);
    if (!ok)
        return;
    struct store_coll_view v;
    if (h && hash_get(c, &h, 2, &v, 1) > 0)
        resp_add_bulk(&c->out, v.v, v.vlen);
    else
        resp_add_null(&c->out);
}

/* HMGET key field [field ...]: values or nulls, in order. */
void cmd_hmget(struct client *c)
{
    int ok;
    struct store_coll *h = coll_read(c, 1, STORE_T_HASH, &ok);
    if (!ok)
        return;
    resp_add_array(&c->out, c->argc - 2);
    int expired = 0, gone = 0;
    for (size_t i = 2; i < c->argc; i++) {
        struct store_coll_view v;
        int r = h ? hash_get(c, &h, i, &v, 0) : 0;
        expired |= r < 0;
        gone |= r == -2;
        if (r > 0)
            resp_add_bulk(&c->out, v.v, v.vlen);
        else
            resp_add_null(&c->out);
    }
    /* Redis reports the fields HMGET expired once, after the reply. */
    if (expired)
        server_notify(c->srv, NOTIFY_HASH, "hexpired", c->db, c->argv[1],
                      c->argvlen[1]);
    if (gone)
        server_notify(c->srv, NOTIFY_GENERIC, "del", c->db, c->argv[1],
                      c->argvlen[1]);
}

enum { ALL_KEYS = 1, ALL_VALS = 2 };

/* HGETALL / HKEYS / HVALS: what says which parts of each pair. */
static void hash_all(struct client *c, int what)
{
    int ok;
    struct store_coll *h = coll_read(c, 1, STORE_T_HASH, &ok);
    if (!ok)
        return;
    int64_t now = server_now_ms(c->srv);
    /* Fields past their deadline are skipped, not deleted, as Redis. */
    int hfe = h && store_coll_is_hfe(h);
    size_t n = h ? hfe ? store_coll_live_len(h, now) : store_coll_len(h) : 0;
    if (what == (ALL_KEYS | ALL_VALS))
        resp_add_map(&c->out, n);
    else
        resp_add_array(&c->out, n);
    if (!h || n == 0)
        return;
    struct store_coll_it it = { 0, NULL };
    struct store_coll_view v;
    while (store_coll_next(h, &it, &v)) {
        if (hfe && store_coll_field_expired(h, v.f, v.flen, now))
            continue;
        if (what & ALL_KEYS)
            resp_add_bulk(&c->out, v.f, v.flen);
        if (what & ALL_VALS)
            resp_add_bulk(&c->out, v.v, v.vlen);
    }
}

/* HGETALL key: a map in RESP3, a flat array in RESP2. */
void cmd_hgetall(struct client *c)
{
    hash_all(c, ALL_KEYS | ALL_VALS);
}

/* HKEYS key */
void cmd_hkeys(struct client *c)
{
    hash_all(c, ALL_KEYS);
}

/* HVALS key */
void cmd_hvals(struct client *c)
{
    hash_all(c, ALL_VALS);
}

/* HDEL key field [field ...]: fields removed. */
void cmd_hdel(struct client *c)
{
    int ok;
    struct store_coll *h = coll_write(c, 1, STORE_T_HASH, 0, &ok);
    if (!ok)
        return;
    int64_t n = 0;
    for (size_t i = 2; h && i < c->argc; i++) {
        n += store_coll_del(client_db(c), h, c->argv[i], c->argvlen[i]);
        if (store_coll_len(h) == 0)
            break;
    }
    if (n > 0) {
        coll_changed(c, 1, NOTIFY_HASH, "hdel");
        server_dirty_elements(c->srv, (uint64_t)n);
        coll_drop_if_empty(c, 1, h);
    }
    resp_add_int(&c->out, n);
}

/* HEXISTS key field */
void cmd_hexists(struct client *c)
{
    int ok;
    struct store_coll *h = coll_read(c, 1, STORE_T_HASH, &ok);
    if (ok)
        resp_add_int(&c->out, h && hash_get(c, &h, 2, NULL, 1) > 0);
}

/* HLEN key */
void cmd_hlen(struct client *c)
{
    int ok;
    struct store_coll *h = coll_read(c, 1, STORE_T_HASH, &ok);
    if (ok)
        resp_add_int(&c->out, h ? (int64_t)store_coll_len(h) : 0);
}

/* HSTRLEN key field: the value's length, 0 when missing. */
void cmd_hstrlen(struct client *c)
{
    int ok;
    struct store_coll *h = coll_read(c, 1, STORE_T_HASH, &ok);
    if (!ok)
        return;
    struct store_coll_view v = { 0 };
    if (h && hash_get(c, &h, 2, &v, 1) <= 0)
        v.vlen = 0;
    resp_add_int(&c->out, (int64_t)v.vlen);
}

/* Stores buf as field argv[2] of argv[1]'s hash h (created by the caller
 * through coll_write) and replies with reply_it. Returns 1, or 0 after
 * replying OOM. */
static int hincr_store(struct client *c, struct store_coll *h,
                       const char *buf, size_t n, const char *event)
{
    if (store_coll_put_keepttl(client_db(c), h, c->argv[2], c->argvlen[2],
                               buf, n) < 0) {
        coll_drop_if_empty(c, 1, h);
        reply_error(c, ERR_OOM);
        return 0;
    }
    coll_changed(c, 1, NOTIFY_HASH, event);
    return 1;
}

/* HINCRBY key field increment: the new value. */
void cmd_hincrby(struct client *c)
{
    int64_t by, cur = 0;
    if (!arg_i64_or_reply(c, 3, &by))
        return;
    int ok;
    struct store_coll *h = coll_write(c, 1, STORE_T_HASH, 1, &ok);
    if (!ok || !(h = live_field_or_new(c, h)))
        return;
    struct store_coll_view v;
    if (store_coll_get(h, c->argv[2], c->argvlen[2], &v) &&
        !parse_i64(v.v, v.vlen, &cur)) {
        reply_error(c, ERR_HASH_NOT_INT);
        return;
    }
    if ((by < 0 && cur < INT64_MIN - by) || (by > 0 && cur > INT64_MAX - by)) {
        coll_drop_if_empty(c, 1, h);
        reply_error(c, ERR_OVERFLOW);
        return;
    }
    cur += by;
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%lld", (long long)cur);
    if (hincr_store(c, h, buf, (size_t)n, "hincrby"))
        resp_add_int(&c->out, cur);
}

/* HINCRBYFLOAT key field increment: the new value as a bulk string. */
void cmd_hincrbyfloat(struct client *c)
{
    long double by, cur = 0;
    if (!parse_ldouble(c->argv[3], c->argvlen[3], &by)) {
        reply_error(c, ERR_NOT_FLOAT);
        return;
    }
    if (isnan(by) || isinf(by)) {
        reply_error(c, ERR_NAN_INF);
        return;
    }
    int ok;
    struct store_coll *h = coll_write(c, 1, STORE_T_HASH, 1, &ok);
    if (!ok || !(h = live_field_or_new(c, h)))
        return;
    struct store_coll_view v;
    if (store_coll_get(h, c->argv[2], c->argvlen[2], &v) &&
        !parse_ldouble(v.v, v.vlen, &cur)) {
        reply_error(c, ERR_HASH_NOT_FLOAT);
        return;
    }
    cur += by;
    char *buf = malloc(LDOUBLE_STR_MAX);
    size_t n = 0;
    if (!buf) {
        coll_drop_if_empty(c, 1, h);
        reply_error(c, ERR_OOM);
        return;
    }
    if (isnan(cur) || isinf(cur) ||
        (n = format_ldouble(buf, LDOUBLE_STR_MAX, cur)) == 0) {
        coll_drop_if_empty(c, 1, h);
        reply_error(c, ERR_INCR_NAN);
    } else if (hincr_store(c, h, buf, n, "hincrbyfloat")) {
        resp_add_bulk(&c->out, buf, n);
    }
    free(buf);
}

/* Writes element v: the field, and with values also the value (a pair
 * array in RESP3). */
static void add_elem(struct client *c, const struct store_coll_view *v,
                     int withvalues)
{
    if (withvalues && c->out.proto == 3)
        resp_add_array(&c->out, 2);
    resp_add_bulk(&c->out, v->f, v->flen);
    if (withvalues)
        resp_add_bulk(&c->out, v->v, v->vlen);
}

/* The random-count reply HRANDFIELD and SRANDMEMBER share: an array of
 * |count| elements of non-empty h (negative: repeats allowed; at least
 * len: all of h), with values when withvalues is set. */
void cmd_coll_rand_count(struct client *c, struct store_coll *h, int64_t count,
                       int withvalues)
{
    size_t len = store_coll_len(h);
    size_t n = count < 0 ? (size_t)-count : (size_t)count;
    int pairs = withvalues && c->out.proto == 2;
    if (count < 0) {
        resp_add_array(&c->out, pairs ? n * 2 : n);
        for (size_t i = 0; i < n && !c->out.nomem; i++) {
            struct store_coll_view v;
            store_coll_random(client_db(c), h, &v);
            add_elem(c, &v, withvalues);
        }
        return;
    }
    if (n >= len) {
        resp_add_array(&c->out, pairs ? len * 2 : len);
        struct store_coll_it it = { 0, NULL };
        struct store_coll_view v;
        while (store_coll_next(h, &it, &v))
            add_elem(c, &v, withvalues);
        return;
    }
    struct store_coll_view *out = malloc(n * sizeof *out);
    if (!out || store_coll_sample(client_db(c), h, n, out)) {
        free(out);
        reply_error(c, ERR_OOM);
        return;
    }
    resp_add_array(&c->out, pairs ? n * 2 : n);
    for (size_t i = 0; i < n; i++)
        add_elem(c, &out[i], withvalues);
    free(out);
}

/* HRANDFIELD key [count [WITHVALUES]] */
void cmd_hrandfield(struct client *c)
{
    int ok;
    if (c->argc == 2) {
        struct store_coll *h = coll_read(c, 1, STORE_T_HASH, &ok);
        if (!ok)
            return;
        if (h)
            hash_expire_all(c, 1, &h);
        if (!h) {
            resp_add_null(&c->out);
            return;
        }
        struct store_coll_view v;
        store_coll_random(client_db(c), h, &v);
        resp_add_bulk(&c->out, v.f, v.flen);
        return;
    }
    int64_t count;
    if (!arg_i64_or_reply(c, 2, &count))
        return;
    if (count == INT64_MIN) {
        reply_error(c, ERR_LONG_RANGE);
        return;
    }
    int withvalues = 0;
    if (c->argc > 4 || (c->argc == 4 && !arg_is(c, 3, "WITHVALUES"))) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    if (c->argc == 4) {
        withvalues = 1;
        if (count < -INT64_MAX / 2 || count > INT64_MAX / 2) {
            reply_error(c, ERR_VALUE_RANGE);
            return;
        }
    }
    struct store_coll *h = coll_read(c, 1, STORE_T_HASH, &ok);
    if (!ok)
        return;
    if (h)
        hash_expire_all(c, 1, &h);
    if (!h || count == 0) {
        resp_add_array(&c->out, 0);
        return;
    }
    cmd_coll_rand_count(c, h, count, withvalues);
}

/* ---- HSCAN / SSCAN / ZSCAN ---------------------------------------------- */

/* HSCAN / SSCAN / ZSCAN key cursor [MATCH pattern] [COUNT count]
 * [NOVALUES] (HSCAN's alone, Redis 7.4): Redis's order, cursor first,
 * then the key, then the options. step walks one bucket of the object
 * into s. */
void cmd_obj_scan(struct client *c, enum store_type t, obj_scan_step *step)
{
    uint64_t cursor;
    if (!arg_cursor_or_reply(c, 2, &cursor))
        return;
    int ok;
    const void *o = obj_read(c, 1, t, &ok);
    if (!ok)
        return;
    if (!o) {
        resp_add_array(&c->out, 2);
        resp_add_bulk(&c->out, "0", 1);
        resp_add_array(&c->out, 0);
        return;
    }
    struct obj_scan s = { .pat = NULL };
    if (t == STORE_T_HASH && store_coll_is_hfe(o)) {
        s.hfe = o;
        s.now = server_now_ms(c->srv);
    }
    int64_t count = 10;
    for (size_t i = 3; i < c->argc; i += 2) {
        int has_value = i + 1 < c->argc;
        if (arg_is(c, i, "NOVALUES")) {
            if (t != STORE_T_HASH) {
                reply_error(c, ERR_NOVALUES_HSCAN);
                return;
            }
            s.novalues = 1;
            i--;                       /* a flag: no value follows */
        } else if (arg_is(c, i, "COUNT") && has_value) {
            if (!arg_i64_or_reply(c, i + 1, &count))
                return;
            if (count < 1) {
                reply_error(c, ERR_SYNTAX);
                return;
            }
        } else if (arg_is(c, i, "MATCH") && has_value) {
            int all = c->argvlen[i + 1] == 1 && c->argv[i + 1][0] == '*';
            s.pat = all ? NULL : c->argv[i + 1];
            s.plen = all ? 0 : c->argvlen[i + 1];
        } else {
            reply_error(c, ERR_SYNTAX);
            return;
        }
    }
    resp_out_init(&s.items, c->out.proto);
    /* Like Redis: buckets until count elements came, at most 10*count. */
    int64_t budget = count * 10;
    do {
        cursor = step(o, cursor, &s);
    } while (cursor && --budget > 0 && (int64_t)s.seen < count);
    if (s.items.nomem) {
        resp_out_close(&s.items);
        reply_error(c, ERR_OOM);
        return;
    }
    char buf[24];
    int n = snprintf(buf, sizeof buf, "%llu", (unsigned long long)cursor);
    resp_add_array(&c->out, 2);
    resp_add_bulk(&c->out, buf, (size_t)n);
    resp_add_array(&c->out, s.nitems);
    resp_add_raw(&c->out, s.items.data, s.items.len);
    resp_out_close(&s.items);
}

static void set_scan_cb(void *ctx, const struct store_coll_view *v)
{
    obj_scan_take(ctx, v->f, v->flen);
}

static void hash_scan_cb(void *ctx, const struct store_coll_view *v)
{
    struct obj_scan *s = ctx;
    if (s->hfe && store_coll_field_expired(s->hfe, v->f, v->flen, s->now))
        return;
    if (!obj_scan_take(s, v->f, v->flen) || s->novalues)
        return;
    resp_add_bulk(&s->items, v->v, v->vlen);
    s->nitems++;
}

static uint64_t set_scan_step(const void *o, uint64_t cursor,
                              struct obj_scan *s)
{
    return store_coll_scan(o, cursor, 1, set_scan_cb, s);
}

static uint64_t hash_scan_step(const void *o, uint64_t cursor,
                               struct obj_scan *s)
{
    return store_coll_scan(o, cursor, 1, hash_scan_cb, s);
}

/* HSCAN / SSCAN key cursor [MATCH pattern] [COUNT count] on a collection
 * of type t: fields and values of a hash, members of a set. */
void cmd_coll_scan(struct client *c, enum store_type t)
{
    cmd_obj_scan(c, t, t == STORE_T_HASH ? hash_scan_step : set_scan_step);
}

/* HSCAN key cursor [MATCH pattern] [COUNT count] */
void cmd_hscan(struct client *c)
{
    cmd_coll_scan(c, STORE_T_HASH);
}
