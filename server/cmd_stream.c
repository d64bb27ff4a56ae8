/* cmd_stream.c - the stream commands that write and range over entries:
 * XADD XLEN XRANGE XREVRANGE XDEL XTRIM XSETID, and the ID parsers and
 * entry replies that XREAD/XREADGROUP (cmd_xread.c) and the group
 * commands (cmd_xgroup.c) share.
 *
 * Streams live in store/stream.c. These handlers parse in the order
 * Redis 7.0 does, since which error a client sees first is behaviour:
 * XADD and XTRIM parse their options before the lookup, XDEL looks the
 * key up before it parses IDs.
 *
 * ID syntax follows Redis's parser, quirks included: "<ms>" alone means
 * <ms>-0 (or <ms>-max for an end bound), the numbers go through string2ll
 * and then strtoull, so "+5" or " 5" pass, and the argument is read as a
 * C string (nothing after a NUL byte counts). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "server/cmd_stream.h"
#include "server/handlers.h"

/* ---- IDs ---------------------------------------------------------------- */

/* Redis's string2ull on the C string s: string2ll, else strtoull. */
static int str2ull(const char *s, uint64_t *v)
{
    int64_t ll;
    if (parse_i64(s, strlen(s), &ll)) {
        if (ll < 0)
            return 0;
        *v = (uint64_t)ll;
        return 1;
    }
    errno = 0;
    char *end = NULL;
    unsigned long long u = strtoull(s, &end, 10);
    if (errno == EINVAL || errno == ERANGE || !(*s != '\0' && *end == '\0'))
        return 0;
    *v = u;
    return 1;
}

/* Parses p[0..n) as a stream ID; see cmd_stream.h. 1 or 0. */
int xid_parse(const char *p, size_t n, uint64_t missing_seq, int strict,
              struct store_sid *id, int *seq_given)
{
    char buf[128];
    if (n > sizeof(buf) - 1)
        return 0;
    memcpy(buf, p, n);
    buf[n] = '\0';
    if (strict && (buf[0] == '-' || buf[0] == '+') && buf[1] == '\0')
        return 0;
    if (seq_given)
        *seq_given = 1;
    if (buf[0] == '-' && buf[1] == '\0') {
        id->ms = id->seq = 0;
        return 1;
    }
    if (buf[0] == '+' && buf[1] == '\0') {
        id->ms = id->seq = UINT64_MAX;
        return 1;
    }
    uint64_t ms, seq;
    char *dot = strchr(buf, '-');
    if (dot)
        *dot = '\0';
    if (!str2ull(buf, &ms))
        return 0;
    if (dot) {
        if (seq_given && dot[1] == '*' && dot[2] == '\0') {
            seq = 0;
            *seq_given = 0;
        } else if (!str2ull(dot + 1, &seq)) {
            return 0;
        }
    } else {
        seq = missing_seq;
    }
    id->ms = ms;
    id->seq = seq;
    return 1;
}

/* xid_parse of argument i, or the invalid-ID error: 1 or 0. */
int xid_parse_or_reply(struct client *c, size_t i, uint64_t missing_seq,
                       int strict, struct store_sid *id, int *seq_given)
{
    if (xid_parse(c->argv[i], c->argvlen[i], missing_seq, strict, id,
                  seq_given))
        return 1;
    reply_error(c, ERR_XID_INVALID);
    return 0;
}

/* Checks arguments from..argc-1 as strict IDs (XDEL, XACK parse them
 * all before changing anything): 1, or 0 after the invalid-ID error. */
int xids_or_reply(struct client *c, size_t from)
{
    struct store_sid id;
    for (size_t j = from; j < c->argc; j++)
        if (!xid_parse_or_reply(c, j, 0, 1, &id, NULL))
            return 0;
    return 1;
}

/* An XRANGE-style start (end 0: a missing seq is 0) or end (UINT64_MAX),
 * "(" making it exclusive: then moved to the next ID after (before) it.
 * 1, or 0 after the invalid-ID or the invalid start/end error. */
int xid_interval_or_reply(struct client *c, size_t i, int end,
                          struct store_sid *id)
{
    const char *p = c->argv[i];
    size_t n = c->argvlen[i];
    int excl = n > 1 && p[0] == '(';
    uint64_t missing_seq = end ? UINT64_MAX : 0;
    int ok = excl ? xid_parse(p + 1, n - 1, missing_seq, 1, id, NULL)
                  : xid_parse(p, n, missing_seq, 0, id, NULL);
    if (!ok) {
        reply_error(c, ERR_XID_INVALID);
        return 0;
    }
    if (excl && (end ? store_sid_decr(id) : store_sid_incr(id))) {
        reply_error(c, end ? ERR_XEND_INVALID : ERR_XSTART_INVALID);
        return 0;
    }
    return 1;
}

/* Writes id as "<ms>-<seq>" (every XADD replies one: no snprintf). */
void reply_xid(struct client *c, struct store_sid id)
{
    char buf[48], *end = buf + sizeof buf;
    char *p = resp_u64_fmt(end, id.seq);
    *--p = '-';
    p = resp_u64_fmt(p, id.ms);
    resp_add_bulk(&c->out, p, (size_t)(end - p));
}

/* Writes [id, [field, value, ...]]. */
void reply_xentry(struct client *c, struct store_stream_entry *e)
{
    resp_add_array(&c->out, 2);
    reply_xid(c, e->id);
    resp_add_array(&c->out, e->nfields * 2);
    const char *f, *v;
    size_t fl, vl;
    while (store_stream_field(e, &f, &fl, &v, &vl)) {
        resp_add_bulk(&c->out, f, fl);
        resp_add_bulk(&c->out, v, vl);
    }
}

/* Writes the entries of [lo, hi] (count 0: all) as an array. */
size_t reply_xrange(struct client *c, const struct store_stream *st,
                    struct store_sid lo, struct store_sid hi, size_t count,
                    int rev)
{
    /* Count first (the reply has no deferred lengths), then write. */
    struct store_stream_it it;
    struct store_stream_entry e;
    size_t n = 0;
    store_stream_it_init(&it, st, lo, hi, rev);
    while ((!count || n < count) && store_stream_it_next(&it, &e))
        n++;
    resp_add_array(&c->out, n);
    store_stream_it_init(&it, st, lo, hi, rev);
    for (size_t k = 0; k < n && store_stream_it_next(&it, &e); k++)
        reply_xentry(c, &e);
    return n;
}

/* Publishes event (class t) on argument i's key. */
void notify_stream(struct client *c, size_t i, const char *event)
{
    server_notify(c->srv, NOTIFY_STREAM, event, c->db, c->argv[i],
                  c->argvlen[i]);
}

/* ---- XADD / XTRIM options ----------------------------------------------- */

enum { TRIM_NONE, TRIM_MAXLEN, TRIM_MINID };

struct xtrim_args {
    int strategy, approx, nomkstream, id_given, seq_given;
    uint64_t maxlen, limit;
    struct store_sid minid, id;
};

/* "~" without LIMIT removes at most 100 nodes' worth of entries, as Redis
 * does: 100 * stream-node-max-entries, taken as 10000 when that is 0 or
 * less and as 1000000 above it. The product wraps as Redis's does on a
 * huge setting, so the same setting gives the same limit. */
static uint64_t default_trim_limit(const struct client *c)
{
    uint64_t n = (uint64_t)c->srv->conf.stream_node_max_entries;
    int64_t l = (int64_t)(n * 100u);
    return l <= 0 ? 10000 : l > 1000000 ? 1000000 : (uint64_t)l;
}

/* Redis's streamParseAddOrTrimArgsOrReply: options from argv[2]. For XADD
 * returns the index of the ID argument; for XTRIM, argc. -1 after an
 * error reply. */
static long xtrim_parse(struct client *c, struct xtrim_args *a, int xadd)
{
    memset(a, 0, sizeof *a);
    int limit_given = 0;
    int64_t v;
    size_t i = 2;
    for (; i < c->argc; i++) {
        size_t more = c->argc - 1 - i;
        if (xadd && c->argvlen[i] == 1 && c->argv[i][0] == '*')
            break;
        if ((arg_is(c, i, "MAXLEN") || arg_is(c, i, "MINID")) && more) {
            int maxlen = arg_is(c, i, "MAXLEN");
            if (a->strategy != TRIM_NONE) {
                reply_error(c, ERR_XTRIM_BOTH);
                return -1;
            }
            a->approx = 0;
            if (more >= 2 && c->argvlen[i + 1] == 1 &&
                (c->argv[i + 1][0] == '~' || c->argv[i + 1][0] == '=')) {
                a->approx = c->argv[i + 1][0] == '~';
                i++;
            }
            if (maxlen) {
                if (!arg_i64_or_reply(c, i + 1, &v))
                    return -1;
                if (v < 0) {
                    reply_error(c, ERR_XMAXLEN_NEG);
                    return -1;
                }
                a->maxlen = (uint64_t)v;
                a->strategy = TRIM_MAXLEN;
            } else {
                if (!xid_parse_or_reply(c, i + 1, 0, 1, &a->minid, NULL))
                    return -1;
                a->strategy = TRIM_MINID;
            }
            i++;
        } else if (arg_is(c, i, "LIMIT") && more) {
            if (!arg_i64_or_reply(c, i + 1, &v))
                return -1;
            if (v < 0) {
                reply_error(c, ERR_XLIMIT_NEG);
                return -1;
            }
            a->limit = (uint64_t)v;
            limit_given = 1;
            i++;
        } else if (xadd && arg_is(c, i, "NOMKSTREAM")) {
            a->nomkstream = 1;
        } else if (xadd) {
            if (!xid_parse_or_reply(c, i, 0, 1, &a->id, &a->seq_given))
                return -1;
            a->id_given = 1;
            break;
        } else {
            reply_error(c, ERR_SYNTAX);
            return -1;
        }
    }
    if (a->limit && a->strategy == TRIM_NONE) {
        reply_error(c, ERR_XLIMIT_NOSTRAT);
        return -1;
    }
    if (!xadd && a->strategy == TRIM_NONE) {
        reply_error(c, ERR_XTRIM_NOSTRAT);
        return -1;
    }
    if (limit_given) {
        if (!a->approx) {
            reply_error(c, ERR_XLIMIT_NOAPPROX);
            return -1;
        }
    } else {
        a->limit = a->approx ? default_trim_limit(c) : 0;
    }
    return (long)i;
}

static uint64_t xtrim_apply(struct client *c, struct store_stream *st,
                            const struct xtrim_args *a)
{
    return store_stream_trim(client_db(c), st, a->maxlen,
                             a->strategy == TRIM_MINID ? &a->minid : NULL,
                             a->approx, a->limit);
}

/* XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] n [LIMIT n]] *|id f v ...:
 * the new ID, or null with NOMKSTREAM on a missing key. */
void cmd_xadd(struct client *c)
{
    struct xtrim_args a;
    long i = xtrim_parse(c, &a, 1);
    if (i < 0)
        return;
    size_t left = c->argc - (size_t)i;
    if (left < 3 || left % 2 == 0) {
        reply_error(c, ERR_ARITY, "xadd");
        return;
    }
    if (a.id_given && a.seq_given && a.id.ms == 0 && a.id.seq == 0) {
        reply_error(c, ERR_XADD_ID_ZERO);
        return;
    }
    int ok;
    struct store_stream *st = obj_write(c, 1, STORE_T_STREAM, 0, &ok);
    if (!ok)
        return;
    if (!st && a.nomkstream) {
        resp_add_null(&c->out);
        return;
    }
    int created = !st;
    if (!st) {
        st = obj_write(c, 1, STORE_T_STREAM, 1, &ok);
        if (!ok)
            return;
    }
    struct store_stream_info info;
    store_stream_info(st, &info);
    if (info.last_id.ms == UINT64_MAX && info.last_id.seq == UINT64_MAX) {
        reply_error(c, ERR_XADD_EXHAUSTED);
        return;
    }
    struct store_sid id;
    if (a.id_given) {
        id = a.id;
        if (!a.seq_given && info.last_id.ms == id.ms) {
            id = info.last_id;
            if (store_sid_incr(&id) || id.ms != a.id.ms) {
                /* <ms>-* with <ms>-max taken: too small, as in Redis. */
                id.ms = 0;
                id.seq = 0;
            }
        }
        if (store_sid_cmp(id, info.last_id) <= 0) {
            reply_error(c, ERR_XADD_ID_SMALL);
            return;
        }
    } else {
        store_stream_next_id(st, server_now_ms(c->srv), &id);
    }
    size_t nf = left / 2;
    int rc = store_stream_append(client_db(c), st, id, nf, c->argv + i + 1,
                                 c->argvlen + i + 1);
    if (rc != STORE_OK) {
        if (created)    /* never seen by anyone: no "del" event */
            store_key_delete(client_db(c), c->argv[1], c->argvlen[1],
                             server_now_ms(c->srv));
        if (rc == STORE_TOO_BIG)
            reply_error(c, ERR_XADD_TOO_LARGE);
        else
            reply_error(c, ERR_OOM);
        return;
    }
    reply_xid(c, id);
    coll_changed(c, 1, NOTIFY_STREAM, "xadd");
    if (a.strategy != TRIM_NONE && xtrim_apply(c, st, &a))
        notify_stream(c, 1, "xtrim");
    /* Retention finds the streams it trims through this registration; a
     * failure only leaves the stream out of it until the next XADD. */
    store_stream_touch(client_db(c), st, c->argv[1], c->argvlen[1]);
}

/* XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]: entries removed. */
void cmd_xtrim(struct client *c)
{
    struct xtrim_args a;
    if (xtrim_parse(c, &a, 0) < 0)
        return;
    int ok;
    struct store_stream *st = obj_write(c, 1, STORE_T_STREAM, 0, &ok);
    if (!ok)
        return;
    uint64_t n = st ? xtrim_apply(c, st, &a) : 0;
    if (n) {
        server_key_modified(c->srv, c->db, c->argv[1], c->argvlen[1]);
        server_dirty_elements(c->srv, n);
        notify_stream(c, 1, "xtrim");
    }
    resp_add_int(&c->out, (int64_t)n);
}

/* XLEN key: live entries, 0 for a missing key. */
void cmd_xlen(struct client *c)
{
    int ok;
    struct store_stream *st = obj_read(c, 1, STORE_T_STREAM, &ok);
    if (!ok)
        return;
    resp_add_int(&c->out, st ? (int64_t)store_obj_len(STORE_T_STREAM, st)
                             : 0);
}

/* XRANGE / XREVRANGE key start end [COUNT n]. */
static void xrange_generic(struct client *c, int rev)
{
    struct store_sid lo, hi;
    if (!xid_interval_or_reply(c, rev ? 3 : 2, 0, &lo) ||
        !xid_interval_or_reply(c, rev ? 2 : 3, 1, &hi))
        return;
    int64_t count = -1;
    for (size_t j = 4; j < c->argc; j++) {
        if (arg_is(c, j, "COUNT") && j + 1 < c->argc) {
            if (!arg_i64_or_reply(c, j + 1, &count))
                return;
            if (count < 0)
                count = 0;
            j++;
        } else {
            reply_error(c, ERR_SYNTAX);
            return;
        }
    }
    int ok;
    struct store_stream *st = obj_read(c, 1, STORE_T_STREAM, &ok);
    if (!ok)
        return;
    if (!st) {
        resp_add_array(&c->out, 0);
        return;
    }
    if (count == 0) {
        resp_add_null_array(&c->out);
        return;
    }
    reply_xrange(c, st, lo, hi, count < 0 ? 0 : (size_t)count, rev);
}

/* XRANGE key start end [COUNT n]: entries in ID order. */
void cmd_xrange(struct client *c)
{
    xrange_generic(c, 0);
}

/* XREVRANGE key end start [COUNT n]: entries newest first. */
void cmd_xrevrange(struct client *c)
{
    xrange_generic(c, 1);
}

/* XDEL key id [id ...]: entries deleted. */
void cmd_xdel(struct client *c)
{
    int ok;
    struct store_stream *st = obj_write(c, 1, STORE_T_STREAM, 0, &ok);
    if (!ok)
        return;
    if (!st) {
        resp_add_int(&c->out, 0);
        return;
    }
    if (!xids_or_reply(c, 2))
        return;
    struct store_sid id;
    int64_t n = 0;
    for (size_t j = 2; j < c->argc; j++) {
        xid_parse(c->argv[j], c->argvlen[j], 0, 1, &id, NULL);
        n += store_stream_delete(client_db(c), st, id);
    }
    if (n) {
        server_key_modified(c->srv, c->db, c->argv[1], c->argvlen[1]);
        server_dirty_elements(c->srv, (uint64_t)n);
        notify_stream(c, 1, "xdel");
    }
    resp_add_int(&c->out, n);
}

/* XSETID key last-id [ENTRIESADDED n] [MAXDELETEDID id]: +OK. */
void cmd_xsetid(struct client *c)
{
    struct store_sid id, maxdel = { 0, 0 };
    int64_t added = -1;
    if (!xid_parse_or_reply(c, 2, 0, 1, &id, NULL))
        return;
    for (size_t i = 3; i < c->argc; i += 2) {
        int more = i + 1 < c->argc;
        if (arg_is(c, i, "ENTRIESADDED") && more) {
            if (!arg_i64_or_reply(c, i + 1, &added))
                return;
            if (added < 0) {
                reply_error(c, ERR_XSETID_ADDED_NEG);
                return;
            }
        } else if (arg_is(c, i, "MAXDELETEDID") && more) {
            if (!xid_parse_or_reply(c, i + 1, 0, 1, &maxdel, NULL))
                return;
            if (store_sid_cmp(id, maxdel) < 0) {
                reply_error(c, ERR_XSETID_MAXDEL_ARG);
                return;
            }
        } else {
            reply_error(c, ERR_SYNTAX);
            return;
        }
    }
    int ok;
    struct store_stream *st = obj_write(c, 1, STORE_T_STREAM, 0, &ok);
    if (!ok)
        return;
    if (!st) {
        reply_error(c, ERR_NO_SUCH_KEY);
        return;
    }
    struct store_stream_info info;
    store_stream_info(st, &info);
    if (store_sid_cmp(id, info.max_deleted) < 0) {
        reply_error(c, ERR_XSETID_MAXDEL_CUR);
        return;
    }
    struct store_sid top;
    if (store_stream_last_live_id(st, &top)) {
        if (store_sid_cmp(id, top) < 0) {
            reply_error(c, ERR_XSETID_SMALL);
            return;
        }
        if (added != -1 && info.length > (uint64_t)added) {
            reply_error(c, ERR_XSETID_ADDED_SMALL);
            return;
        }
    }
    store_stream_set_last(st, id, added, maxdel);
    reply_ok(c);
    coll_changed(c, 1, NOTIFY_STREAM, "xsetid");
}
