/* cmd_stream.c - the stream commands that read and write entries: XADD
 * XLEN XRANGE XREVRANGE XDEL XTRIM XSETID XREAD XREADGROUP, and the ID
 * parsers and entry replies the group commands (cmd_xgroup.c) share.
 *
 * Streams live in store/stream.c. These handlers parse in the order
 * Redis 7.0 does, since which error a client sees first is behaviour:
 * XADD and XTRIM parse their options before the lookup, XDEL looks the
 * key up before it parses IDs, XREAD parses everything (and checks every
 * key's type and group) before it serves anything.
 *
 * ID syntax follows Redis's parser, quirks included: "<ms>" alone means
 * <ms>-0 (or <ms>-max for an end bound), the numbers go through string2ll
 * and then strtoull, so "+5" or " 5" pass, and the argument is read as a
 * C string (nothing after a NUL byte counts).
 *
 * Blocking (XREAD/XREADGROUP BLOCK) goes through server/blocking.h: when
 * nothing can be served the handler blocks the client on all its keys,
 * and a write to one of them runs the command again. XREAD's "$" is
 * replaced in the saved command by the stream's last ID at the time it
 * blocked, so the rerun returns only newer entries. XREADGROUP also wakes
 * when its key is deleted (client_block_rerun tells the rerun apart) and
 * answers as Redis does, -UNBLOCKED or -NOGROUP. A rerun without COUNT
 * returns at most 1000 entries a stream, as Redis serves blocked
 * readers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/blocking.h"
#include "server/cmd_stream.h"
#include "server/handlers.h"

#define XREAD_BLOCKED_COUNT 1000

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
        /* Redis: 100 * stream-node-max-entries for "~", none for "=". */
        a->limit = a->approx ? 10000 : 0;
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

/* ---- XREAD / XREADGROUP ------------------------------------------------- */

/* What one stream of an XREAD serves: entries after gt. */
struct xread_key {
    struct store_sid gt;
    int serve, history, found;
    const struct store_stream *st;  /* of an XREADGROUP ">" read */
    struct store_sid cursor;        /* the group's last ID before it */
};

/* Where an XREADGROUP ">" read of up to count entries (0: all) after
 * cursor leaves the group's last ID. */
static struct store_sid cursor_after(const struct store_stream *st,
                                     struct store_sid cursor, size_t count)
{
    struct store_sid start = cursor, hi = { UINT64_MAX, UINT64_MAX };
    if (store_sid_incr(&start) != 0)
        return cursor;
    struct store_stream_it it;
    struct store_stream_entry e;
    store_stream_it_init(&it, st, start, hi, 0);
    for (size_t n = 0; (!count || n < count) && store_stream_it_next(&it, &e);
         n++)
        cursor = e.id;
    return cursor;
}

/* The group's last ID before the ">" read k[j] of st: where the last
 * earlier ">" read of the same stream in this call leaves it (Redis
 * serves a stream named twice twice, the second read going on from the
 * first), else last_id. */
static struct store_sid cursor_before(const struct xread_key *k, size_t j,
                                      const struct store_stream *st,
                                      struct store_sid last_id, size_t count)
{
    while (j-- > 0) {
        if (k[j].st != st)
            continue;
        return k[j].serve ? cursor_after(st, k[j].cursor, count)
                          : k[j].cursor;
    }
    return last_id;
}

/* Serves one stream of XREADGROUP with ">": the entries after the group's
 * last ID, which become pending for consumer (unless noack). */
static void xreadgroup_new(struct client *c, struct store_stream *st,
                           struct store_sgroup *g, struct store_sconsumer *cons,
                           struct store_sid start, size_t count, int noack)
{
    struct store *s = client_db(c);
    int64_t now = server_now_ms(c->srv);
    struct store_sid hi = { UINT64_MAX, UINT64_MAX };
    struct store_stream_it it;
    struct store_stream_entry e;
    size_t n = 0;
    store_stream_it_init(&it, st, start, hi, 0);
    while ((!count || n < count) && store_stream_it_next(&it, &e))
        n++;
    resp_add_array(&c->out, n);
    store_stream_it_init(&it, st, start, hi, 0);
    for (size_t k = 0; k < n && store_stream_it_next(&it, &e); k++) {
        struct store_sid id = e.id;
        if (store_sid_cmp(id, g->last_id) > 0) {
            struct store_stream_info info;
            store_stream_info(st, &info);
            if (g->entries_read != STORE_SG_READ_UNKNOWN &&
                !store_stream_has_tombstones(st, id, NULL))
                g->entries_read++;
            else if (info.entries_added)
                g->entries_read = store_stream_estimate_read(st, id);
            g->last_id = id;
        }
        reply_xentry(c, &e);
        /* The PEL never allocates from the stream's blocks, so the
         * iterator stays valid. A failed allocation leaves the entry
         * delivered but not pending, as NOACK would. */
        if (!noack)
            store_sg_pel_assign(s, g, cons, id, now, 1);
    }
}

/* Serves one stream of XREADGROUP with an ID: the consumer's own pending
 * entries after start, a deleted one as [id, null]. */
static void xreadgroup_history(struct client *c, struct store_stream *st,
                               struct store_sgroup *g,
                               struct store_sconsumer *cons,
                               struct store_sid start, size_t count)
{
    int64_t now = server_now_ms(c->srv);
    size_t from = store_sc_pel_seek(cons, start), n = cons->pel.n - from;
    if (count && n > count)
        n = count;
    resp_add_array(&c->out, n);
    for (size_t k = 0; k < n; k++) {
        struct store_sid id = store_sc_pel_at(cons, from + k);
        struct store_stream_entry e;
        if (store_stream_get(st, id, &e)) {
            reply_xentry(c, &e);
            struct store_snack *nk = store_sg_pel_find(g, id);
            if (nk) {
                nk->delivery_time = now;
                nk->delivery_count++;
            }
        } else {
            resp_add_array(&c->out, 2);
            reply_xid(c, id);
            resp_add_null_array(&c->out);
        }
    }
}

/* The consumer name of g, created (with its event) if new; NULL after an
 * OOM reply. Refreshes its seen time. */
static struct store_sconsumer *consumer_get(struct client *c, size_t keyarg,
                                            struct store_sgroup *g,
                                            size_t namearg)
{
    struct store_sconsumer *cons;
    int64_t now = server_now_ms(c->srv);
    int rc = store_sg_consumer_create(client_db(c), g, c->argv[namearg],
                                      c->argvlen[namearg], now, &cons);
    if (rc == STORE_NOMEM) {
        reply_error(c, ERR_OOM);
        return NULL;
    }
    cons->seen_time = now;
    if (rc == STORE_OK)
        notify_stream(c, keyarg, "xgroup-createconsumer");
    return cons;
}

static void xread_generic(struct client *c, int group)
{
    int64_t count = 0, deadline = 0;
    int block = 0, noack = 0;
    size_t streams = 0, gname = 0, cname = 0;
    for (size_t i = 1; i < c->argc; i++) {
        size_t more = c->argc - i - 1;
        if (arg_is(c, i, "BLOCK") && more) {
            /* A script can never wait: Redis refuses the option there. */
            if (c->flags & CLIENT_SCRIPT) {
                reply_error(c, ERR_XREAD_BLOCK_SCRIPT, ARGV_CLIPPED(c, 0));
                return;
            }
            i++;
            if (!block_timeout_or_reply(c, i, BLOCK_MILLISECONDS, &deadline))
                return;
            block = 1;
        } else if (arg_is(c, i, "COUNT") && more) {
            i++;
            if (!arg_i64_or_reply(c, i, &count))
                return;
            if (count < 0)
                count = 0;
        } else if (arg_is(c, i, "STREAMS") && more) {
            streams = i + 1;
            if ((c->argc - streams) % 2) {
                reply_error(c, ERR_XREAD_UNBALANCED);
                return;
            }
            break;
        } else if (arg_is(c, i, "GROUP") && more >= 2) {
            if (!group) {
                reply_error(c, ERR_XREAD_GROUP_OPT);
                return;
            }
            gname = i + 1;
            cname = i + 2;
            i += 2;
        } else if (arg_is(c, i, "NOACK")) {
            if (!group) {
                reply_error(c, ERR_XREAD_NOACK_OPT);
                return;
            }
            noack = 1;
        } else {
            reply_error(c, ERR_SYNTAX);
            return;
        }
    }
    if (!streams) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    if (group && !gname) {
        reply_error(c, ERR_XREAD_MISSING_GROUP);
        return;
    }
    size_t n = (c->argc - streams) / 2;
    int rerun = client_block_rerun(c);
    if (rerun && !count)
        count = XREAD_BLOCKED_COUNT;
    struct xread_key small[8], *k = small;
    if (n > 8) {
        k = calloc(n, sizeof(*k));
        if (!k) {
            reply_error(c, ERR_OOM);
            return;
        }
    }
    memset(k, 0, (n > 8 ? n : 8) * sizeof(*k));

    /* Parse every ID and check every key before serving anything. */
    size_t served = 0;
    for (size_t j = 0; j < n; j++) {
        size_t ka = streams + j, ia = streams + n + j;
        int ok = 1;
        struct store_stream *st = rerun ? obj_woken(c, ka, STORE_T_STREAM)
                                        : obj_read(c, ka, STORE_T_STREAM, &ok);
        if (!ok)
            goto done;
        struct store_sgroup *g = NULL;
        if (group) {
            g = st ? store_stream_group_find(st, c->argv[gname],
                                             c->argvlen[gname])
                   : NULL;
            if (!g) {
                if (rerun && !st)
                    reply_error(c, ERR_UNBLOCKED_DELETED);
                else if (rerun)
                    reply_error(c, ERR_NOGROUP_BLOCKED);
                else
                    reply_error(c, ERR_NOGROUP_READ, ARGV_CLIPPED(c, ka),
                                ARGV_CLIPPED(c, gname));
                goto done;
            }
        }
        const char *a = c->argv[ia];
        size_t al = c->argvlen[ia];
        if (al == 1 && a[0] == '$') {
            if (group) {
                reply_error(c, ERR_XREAD_DOLLAR);
                goto done;
            }
            struct store_stream_info info = { 0 };
            if (st)
                store_stream_info(st, &info);
            k[j].gt = info.last_id;
        } else if (al == 1 && a[0] == '>') {
            if (!group) {
                reply_error(c, ERR_XREAD_GT);
                goto done;
            }
            k[j].gt.ms = k[j].gt.seq = UINT64_MAX;
        } else if (!xid_parse_or_reply(c, ia, 0, 1, &k[j].gt, NULL)) {
            goto done;
        }
        if (!st)
            continue;
        k[j].found = 1;
        struct store_sid maxid;
        if (group) {
            if (k[j].gt.ms != UINT64_MAX || k[j].gt.seq != UINT64_MAX) {
                k[j].serve = k[j].history = 1;
            } else {
                k[j].st = st;
                k[j].cursor = cursor_before(k, j, st, g->last_id,
                                            (size_t)count);
                if (store_stream_last_live_id(st, &maxid) &&
                    store_sid_cmp(maxid, k[j].cursor) > 0) {
                    k[j].serve = 1;
                    k[j].gt = k[j].cursor;
                }
            }
        } else if (store_stream_last_live_id(st, &maxid) &&
                   store_sid_cmp(maxid, k[j].gt) > 0) {
            k[j].serve = 1;
        }
        served += k[j].serve;
    }

    /* Redis looks every stream up again to serve it, and counts that
     * lookup (and its keymiss) too; a woken client's rerun counts none. */
    for (size_t j = 0; !rerun && j < n; j++)
        key_count_read(c, c->argv[streams + j], c->argvlen[streams + j],
                       k[j].found);

    if (served) {
        if (c->proto == 2)
            resp_add_array(&c->out, served);
        else
            resp_add_map(&c->out, served);
        for (size_t j = 0; j < n; j++) {
            if (!k[j].serve)
                continue;
            size_t ka = streams + j;
            int ok;
            struct store_stream *st = obj_write(c, ka, STORE_T_STREAM, 0,
                                                &ok);
            struct store_sid start = k[j].gt;
            store_sid_incr(&start);
            if (c->proto == 2)
                resp_add_array(&c->out, 2);
            resp_add_bulk(&c->out, c->argv[ka], c->argvlen[ka]);
            if (!group) {
                struct store_sid hi = { UINT64_MAX, UINT64_MAX };
                reply_xrange(c, st, start, hi, (size_t)count, 0);
                continue;
            }
            struct store_sgroup *g = store_stream_group_find(
                st, c->argv[gname], c->argvlen[gname]);
            struct store_sconsumer *cons = consumer_get(c, ka, g, cname);
            if (!cons) {
                /* OOM mid-reply: the error replaces this stream's data. */
                continue;
            }
            if (k[j].history)
                xreadgroup_history(c, st, g, cons, start, (size_t)count);
            else
                xreadgroup_new(c, st, g, cons, start, (size_t)count, noack);
            c->srv->dirty++;
        }
        goto done;
    }

    if (block && client_can_block(c)) {
        size_t keys_small[8], *keys = keys_small;
        if (n > 8 && !(keys = malloc(n * sizeof(*keys)))) {
            reply_error(c, ERR_OOM);
            goto done;
        }
        for (size_t j = 0; j < n; j++)
            keys[j] = streams + j;
        client_block(c, keys, n, STORE_T_STREAM, group, deadline);
        if (!group && !rerun) {
            /* "$" means "after what is there now", also on the rerun. */
            for (size_t j = 0; j < n; j++) {
                size_t ia = streams + n + j;
                if (c->argvlen[ia] == 1 && c->argv[ia][0] == '$') {
                    char buf[48];
                    int len = snprintf(buf, sizeof buf, "%llu-%llu",
                                       (unsigned long long)k[j].gt.ms,
                                       (unsigned long long)k[j].gt.seq);
                    client_block_set_arg(c, ia, buf, (size_t)len);
                }
            }
        }
        if (keys != keys_small)
            free(keys);
        goto done;
    }
    resp_add_null_array(&c->out);
done:
    if (k != small)
        free(k);
}

/* XREAD [COUNT n] [BLOCK ms] STREAMS key ... id ... */
void cmd_xread(struct client *c)
{
    xread_generic(c, 0);
}

/* XREADGROUP GROUP g consumer [COUNT n] [BLOCK ms] [NOACK] STREAMS ... */
void cmd_xreadgroup(struct client *c)
{
    xread_generic(c, 1);
}
