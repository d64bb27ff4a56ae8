/* cmd_xgroup.c - consumer groups and stream introspection: XGROUP
 * (CREATE SETID DESTROY CREATECONSUMER DELCONSUMER HELP), XACK, XPENDING,
 * XCLAIM, XAUTOCLAIM and XINFO (STREAM [FULL] GROUPS CONSUMERS HELP).
 *
 * Groups, consumers and pending entries live in store/stream_group.c;
 * XREADGROUP is in cmd_stream.c with XREAD. Replies and the order of
 * checks follow Redis 7.0.15, where a missing key is a missing group:
 * XCLAIM replies NOGROUP before parsing its arguments, XAUTOCLAIM and
 * XPENDING after, XACK answers 0 without looking at the IDs.
 *
 * Redis replies with deferred lengths where it does not know a count in
 * advance (XCLAIM, XAUTOCLAIM, XPENDING); our encoder has none, so those
 * handlers change the PEL first, remember what they did in a small
 * array, and write the reply afterwards. */
#include <stdlib.h>
#include <string.h>

#include "server/blocking.h"
#include "server/cmd_stream.h"
#include "server/handlers.h"

/* ---- XGROUP ------------------------------------------------------------- */

/* The checks every XGROUP subcommand but HELP starts with (Redis does
 * them before dispatching). Returns the stream (NULL: absent, allowed
 * only with MKSTREAM) and *g the group when it exists; *ok 0 after an
 * error reply. */
static struct store_stream *xgroup_pre(struct client *c, int need_group,
                                       int mkstream, struct store_sgroup **g,
                                       int *ok)
{
    *g = NULL;
    struct store_stream *st = obj_write(c, 2, STORE_T_STREAM, 0, ok);
    if (!*ok)
        return NULL;
    if (st)
        *g = store_stream_group_find(st, c->argv[3], c->argvlen[3]);
    if (mkstream)
        return st;
    if (!st) {
        reply_error(c, ERR_XGROUP_NOKEY);
        *ok = 0;
    } else if (need_group && !*g) {
        reply_error(c, ERR_NOGROUP_XGROUP, ARGV_CLIPPED(c, 3),
                    ARGV_CLIPPED(c, 2));
        *ok = 0;
    }
    return st;
}

static void subcmd_syntax(struct client *c, const char *cmd)
{
    reply_error(c, ERR_SUBCMD_ARGS, ARGV_CLIPPED(c, 1), cmd);
}

/* An ENTRIESREAD value: >= 0 or -1 (unknown). 1, or 0 after a reply. */
static int entries_read_or_reply(struct client *c, size_t i, int64_t *out)
{
    if (!arg_i64_or_reply(c, i, out))
        return 0;
    if (*out < 0 && *out != -1) {
        reply_error(c, ERR_XGROUP_ENTRIESREAD);
        return 0;
    }
    if (*out == -1)
        *out = STORE_SG_READ_UNKNOWN;
    return 1;
}

/* Argument 4 of CREATE and SETID: "$" for st's last ID (0-0 when there
 * is no stream yet), else an ID (strict: no "-" or "+"). 1, or 0 after
 * the invalid-ID error. */
static int group_id_or_reply(struct client *c, const struct store_stream *st,
                             int strict, struct store_sid *id)
{
    if (c->argvlen[4] == 1 && c->argv[4][0] == '$') {
        *id = (struct store_sid){ 0, 0 };
        if (st) {
            struct store_stream_info info;
            store_stream_info(st, &info);
            *id = info.last_id;
        }
        return 1;
    }
    return xid_parse_or_reply(c, 4, 0, strict, id, NULL);
}

/* XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD n]. */
static void xgroup_create(struct client *c)
{
    int mkstream = 0, ok;
    int64_t entries_read = STORE_SG_READ_UNKNOWN;
    for (size_t i = 5; i < c->argc;) {
        if (arg_is(c, i, "MKSTREAM")) {
            mkstream = 1;
            i++;
        } else if (arg_is(c, i, "ENTRIESREAD") && i + 1 < c->argc) {
            if (!entries_read_or_reply(c, i + 1, &entries_read))
                return;
            i += 2;
        } else {
            subcmd_syntax(c, "XGROUP");
            return;
        }
    }
    struct store_sgroup *g;
    struct store_stream *st = xgroup_pre(c, 0, mkstream, &g, &ok);
    if (!ok)
        return;
    if (c->argc > 8) {
        subcmd_syntax(c, "XGROUP");
        return;
    }
    struct store_sid id;
    if (!group_id_or_reply(c, st, 1, &id))
        return;
    int created = 0;
    if (!st) {
        st = obj_write(c, 2, STORE_T_STREAM, 1, &ok);
        if (!ok)
            return;
        created = 1;
    }
    int rc = store_stream_group_create(client_db(c), st, c->argv[3],
                                       c->argvlen[3], id, entries_read);
    if (rc == STORE_NOMEM) {
        if (created)
            store_key_delete(client_db(c), c->argv[2], c->argvlen[2],
                             server_now_ms(c->srv));
        reply_error(c, ERR_OOM);
        return;
    }
    if (created)       /* counted once with the group, as Redis does */
        server_key_signal(c->srv, c->db, c->argv[2], c->argvlen[2]);
    if (rc == STORE_EXISTS) {
        reply_error(c, ERR_BUSYGROUP);
        return;
    }
    c->srv->dirty++;
    reply_ok(c);
    notify_stream(c, 2, "xgroup-create");
}

/* XGROUP SETID key group id|$ [ENTRIESREAD n]. */
static void xgroup_setid(struct client *c)
{
    int ok;
    struct store_sgroup *g;
    struct store_stream *st = xgroup_pre(c, 1, 0, &g, &ok);
    if (!ok)
        return;
    if (c->argc != 5 && c->argc != 7) {
        subcmd_syntax(c, "XGROUP");
        return;
    }
    int64_t entries_read = STORE_SG_READ_UNKNOWN;
    if (c->argc == 7) {
        if (!arg_is(c, 5, "ENTRIESREAD")) {
            subcmd_syntax(c, "XGROUP");
            return;
        }
        if (!entries_read_or_reply(c, 6, &entries_read))
            return;
    }
    struct store_sid id;
    if (!group_id_or_reply(c, st, 0, &id))
        return;
    g->last_id = id;
    g->entries_read = entries_read;
    c->srv->dirty++;
    reply_ok(c);
    notify_stream(c, 2, "xgroup-setid");
}

/* XGROUP DESTROY key group: 1 or 0. Wakes XREADGROUP readers of it. */
static void xgroup_destroy(struct client *c)
{
    int ok;
    struct store_sgroup *g;
    struct store_stream *st = xgroup_pre(c, 0, 0, &g, &ok);
    if (!ok)
        return;
    if (!g) {
        resp_add_int(&c->out, 0);
        return;
    }
    store_stream_group_destroy(client_db(c), st, c->argv[3], c->argvlen[3]);
    resp_add_int(&c->out, 1);
    c->srv->dirty++;
    notify_stream(c, 2, "xgroup-destroy");
    /* Blocked readers of the group rerun and answer NOGROUP; as in Redis,
     * the key does not count as modified (WATCH, tracking). */
    blocking_key_touched(c->srv, c->db, c->argv[2], c->argvlen[2]);
}

/* XGROUP CREATECONSUMER key group consumer: 1 if created, else 0. */
static void xgroup_createconsumer(struct client *c)
{
    int ok;
    struct store_sgroup *g;
    xgroup_pre(c, 1, 0, &g, &ok);
    if (!ok)
        return;
    struct store_sconsumer *cons;
    int rc = store_sg_consumer_create(client_db(c), g, c->argv[4],
                                      c->argvlen[4], server_now_ms(c->srv),
                                      &cons);
    if (rc == STORE_NOMEM) {
        reply_error(c, ERR_OOM);
        return;
    }
    resp_add_int(&c->out, rc == STORE_OK);
    if (rc == STORE_OK) {
        c->srv->dirty++;
        notify_stream(c, 2, "xgroup-createconsumer");
    }
}

/* XGROUP DELCONSUMER key group consumer: its pending entries. */
static void xgroup_delconsumer(struct client *c)
{
    int ok;
    struct store_sgroup *g;
    xgroup_pre(c, 1, 0, &g, &ok);
    if (!ok)
        return;
    int64_t n = store_sg_consumer_delete(client_db(c), g, c->argv[4],
                                         c->argvlen[4]);
    resp_add_int(&c->out, n < 0 ? 0 : n);
    if (n >= 0) {
        c->srv->dirty++;
        notify_stream(c, 2, "xgroup-delconsumer");
    }
}

static void xgroup_help(struct client *c)
{
    static const char *const lines[] = {
        "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CREATE <key> <groupname> <id|$> [option]",
        "    Create a new consumer group. Options are:",
        "    * MKSTREAM",
        "      Create the empty stream if it does not exist.",
        "    * ENTRIESREAD entries_read",
        "      Set the group's entries_read counter (internal use).",
        "CREATECONSUMER <key> <groupname> <consumer>",
        "    Create a new consumer in the specified group.",
        "DELCONSUMER <key> <groupname> <consumer>",
        "    Remove the specified consumer.",
        "DESTROY <key> <groupname>",
        "    Remove the specified group.",
        "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
        "    Set the current group ID and entries_read counter.",
        "HELP",
        "    Prints this help.",
    };
    reply_help(c, lines, sizeof(lines) / sizeof(lines[0]));
}

static const struct subcommand xgroup_subcommands[] = {
    { "CREATE", xgroup_create, -5, CMD_WRITE | CMD_DENYOOM },
    { "SETID", xgroup_setid, -5, CMD_WRITE },
    { "DESTROY", xgroup_destroy, 4, CMD_WRITE },
    { "CREATECONSUMER", xgroup_createconsumer, 5, CMD_WRITE | CMD_DENYOOM },
    { "DELCONSUMER", xgroup_delconsumer, 5, CMD_WRITE },
    { "HELP", xgroup_help, 2, 0 },
};

const struct subcommand_table xgroup_subs = {
    xgroup_subcommands, sizeof(xgroup_subcommands) / sizeof(xgroup_subcommands[0])
};

/* XGROUP subcommand ...: dispatches on argv[1]. */
void cmd_xgroup(struct client *c)
{
    subcommand_dispatch(c, &xgroup_subs);
}

/* ---- XACK --------------------------------------------------------------- */

/* XACK key group id [id ...]: entries acknowledged. */
void cmd_xack(struct client *c)
{
    int ok;   /* looked up as a read (a hit or miss), as in Redis */
    struct store_stream *st = obj_read(c, 1, STORE_T_STREAM, &ok);
    if (!ok)
        return;
    struct store_sgroup *g =
        st ? store_stream_group_find(st, c->argv[2], c->argvlen[2]) : NULL;
    if (!g) {
        resp_add_int(&c->out, 0);
        return;
    }
    if (!xids_or_reply(c, 3))
        return;
    struct store_sid id;
    int64_t n = 0;
    for (size_t j = 3; j < c->argc; j++) {
        xid_parse(c->argv[j], c->argvlen[j], 0, 1, &id, NULL);
        n += store_sg_pel_ack(client_db(c), g, id);
    }
    c->srv->dirty += (uint64_t)n;
    resp_add_int(&c->out, n);
}

/* ---- XPENDING, XCLAIM, XAUTOCLAIM -------------------------------------- */

/* The stream of e, argument 1's entry or NULL, into *st and its group
 * named by argument 2; NULL after an error reply: WRONGTYPE, or NOGROUP
 * when the key or the group is missing. */
static struct store_sgroup *group_of_or_reply(struct client *c,
                                              struct store_entry *e,
                                              struct store_stream **st)
{
    *st = NULL;
    if (e && store_entry_type(e) != STORE_T_STREAM) {
        reply_error(c, ERR_WRONGTYPE);
        return NULL;
    }
    if (e)
        *st = store_entry_obj(e);
    struct store_sgroup *g =
        *st ? store_stream_group_find(*st, c->argv[2], c->argvlen[2]) : NULL;
    if (!g)
        reply_error(c, ERR_NOGROUP_KEY, ARGV_CLIPPED(c, 1),
                    ARGV_CLIPPED(c, 2));
    return g;
}

/* Argument 1's key looked up as Redis's XPENDING, XCLAIM and XAUTOCLAIM
 * do, as a read (a keyspace hit or miss, though the last two write). */
static struct store_entry *stream_key_read(struct client *c)
{
    return key_lookup_read(c, c->argv[1], c->argvlen[1],
                           server_now_ms(c->srv));
}

/* XCLAIM's and XAUTOCLAIM's min-idle-time (argument 4), negative taken
 * as 0: 1, or 0 after the error naming cmd. */
static int minidle_or_reply(struct client *c, const char *cmd,
                            int64_t *minidle)
{
    if (!parse_i64(c->argv[4], c->argvlen[4], minidle)) {
        reply_error(c, ERR_XCLAIM_MINIDLE, cmd);
        return 0;
    }
    if (*minidle < 0)
        *minidle = 0;
    return 1;
}

/* XPENDING's extended form: [IDLE ms] start end count [consumer]. */
struct xpending_range {
    struct store_sid lo, hi;
    int64_t count, minidle;
    size_t consarg;              /* the consumer's argument, or 0 */
};

/* Parses the extended form's arguments in Redis's order; 1, or 0 after
 * the error reply. */
static int xpending_range_or_reply(struct client *c, struct xpending_range *r)
{
    size_t si = 3;
    if (arg_is(c, 3, "IDLE")) {
        if (!arg_i64_or_reply(c, 4, &r->minidle))
            return 0;
        if (c->argc < 8) {
            reply_error(c, ERR_SYNTAX);
            return 0;
        }
        si += 2;
    }
    if (!arg_i64_or_reply(c, si + 2, &r->count))
        return 0;
    if (r->count < 0)
        r->count = 0;
    if (!xid_interval_or_reply(c, si, 0, &r->lo) ||
        !xid_interval_or_reply(c, si + 1, 1, &r->hi))
        return 0;
    if (si + 3 < c->argc)
        r->consarg = si + 3;
    return 1;
}

/* XPENDING key group: the count, the smallest and largest pending IDs and
 * each consumer's count. */
static void xpending_summary(struct client *c, const struct store_sgroup *g)
{
    resp_add_array(&c->out, 4);
    size_t n = g->pel.n;
    resp_add_int(&c->out, (int64_t)n);
    if (n == 0) {
        resp_add_null(&c->out);
        resp_add_null(&c->out);
        resp_add_null_array(&c->out);
        return;
    }
    reply_xid(c, store_sg_pel_at(g, 0)->id);
    reply_xid(c, store_sg_pel_at(g, n - 1)->id);
    size_t nc = 0;
    for (size_t i = 0; i < g->nc; i++)
        nc += g->c[i]->pel.n > 0;
    resp_add_array(&c->out, nc);
    for (size_t i = 0; i < g->nc; i++) {
        const struct store_sconsumer *k = g->c[i];
        if (!k->pel.n)
            continue;
        resp_add_array(&c->out, 2);
        resp_add_bulk(&c->out, k->name, k->nlen);
        resp_add_bulk_i64(&c->out, (int64_t)k->pel.n);
    }
}

/* The extended form's entries of g's (or cons's) pending list in r's
 * range, idle at least r->minidle: two passes, count then write. */
static void xpending_entries(struct client *c, const struct store_sgroup *g,
                             const struct store_sconsumer *cons,
                             const struct xpending_range *r)
{
    int64_t now = server_now_ms(c->srv);
    for (int pass = 0; pass < 2; pass++) {
        size_t i = cons ? store_sc_pel_seek(cons, r->lo)
                        : store_sg_pel_seek(g, r->lo);
        size_t end = cons ? cons->pel.n : g->pel.n;
        int64_t left = r->count, n = 0;
        for (; left && i < end; i++) {
            const struct store_snack *nk =
                cons ? store_sg_pel_find(g, store_sc_pel_at(cons, i))
                     : store_sg_pel_at(g, i);
            if (!nk || store_sid_cmp(nk->id, r->hi) > 0)
                break;
            int64_t el = stream_ms_since(now, nk->delivery_time);
            if (r->minidle && el < r->minidle)
                continue;
            left--;
            n++;
            if (pass == 0)
                continue;
            resp_add_array(&c->out, 4);
            reply_xid(c, nk->id);
            resp_add_bulk(&c->out, nk->consumer->name, nk->consumer->nlen);
            resp_add_int(&c->out, el < 0 ? 0 : el);
            resp_add_int(&c->out, (int64_t)nk->delivery_count);
        }
        if (pass == 0)
            resp_add_array(&c->out, (size_t)n);
    }
}

/* XPENDING key group [[IDLE ms] start end count [consumer]]. */
void cmd_xpending(struct client *c)
{
    if (c->argc != 3 && (c->argc < 6 || c->argc > 9)) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    struct xpending_range r = { .count = 0 };
    if (c->argc >= 6 && !xpending_range_or_reply(c, &r))
        return;
    struct store_stream *st;
    struct store_sgroup *g = group_of_or_reply(c, stream_key_read(c), &st);
    if (!g)
        return;
    if (c->argc == 3) {
        xpending_summary(c, g);
        return;
    }
    const struct store_sconsumer *cons = NULL;
    if (r.consarg) {
        cons = store_sg_consumer_find(g, c->argv[r.consarg],
                                      c->argvlen[r.consarg]);
        if (!cons) {
            resp_add_array(&c->out, 0);
            return;
        }
    }
    xpending_entries(c, g, cons, &r);
}

/* The consumer named by argument i of c in g, created (with its event)
 * and marked seen. NULL after an OOM reply. */
static struct store_sconsumer *claimer(struct client *c, struct store_sgroup *g,
                                       size_t i)
{
    struct store_sconsumer *cons;
    int64_t now = server_now_ms(c->srv);
    int rc = store_sg_consumer_create(client_db(c), g, c->argv[i],
                                      c->argvlen[i], now, &cons);
    if (rc == STORE_NOMEM)
        return NULL;
    cons->seen_time = now;
    if (rc == STORE_OK) {
        notify_stream(c, 1, "xgroup-createconsumer");
        c->srv->dirty++;       /* a write of its own, as in Redis */
    }
    return cons;
}

/* Writes id's entry, or a null when it is gone (JUSTID: just the ID). */
static void reply_claimed(struct client *c, const struct store_stream *st,
                          struct store_sid id, int justid)
{
    struct store_stream_entry e;
    if (justid)
        reply_xid(c, id);
    else if (store_stream_get(st, id, &e))
        reply_xentry(c, &e);
    else
        resp_add_null(&c->out);
}

/* The integer of XCLAIM option opt at argument i: 1, or 0 after the
 * error naming opt. */
static int claim_opt_or_reply(struct client *c, size_t i, const char *opt,
                              int64_t *out)
{
    if (parse_i64(c->argv[i], c->argvlen[i], out))
        return 1;
    reply_error(c, ERR_XCLAIM_OPT, opt);
    return 0;
}

/* XCLAIM's options after its IDs. */
struct xclaim_opts {
    int64_t minidle, retrycount, deliverytime;
    int force, justid;
    struct store_sid lastid;
    size_t ids_end;              /* the first argument after the IDs */
};

/* Reads min-idle, skips the IDs and reads the options, in Redis's order;
 * the delivery time comes out settled (now unless IDLE or TIME set a
 * past one). 1, or 0 after the error reply. */
static int xclaim_opts_or_reply(struct client *c, int64_t now,
                                struct xclaim_opts *o)
{
    o->retrycount = o->deliverytime = -1;
    if (!minidle_or_reply(c, "XCLAIM", &o->minidle))
        return 0;
    size_t j = 5;
    struct store_sid id;
    while (j < c->argc &&
           xid_parse(c->argv[j], c->argvlen[j], 0, 1, &id, NULL))
        j++;
    o->ids_end = j;
    for (; j < c->argc; j++) {
        int more = j + 1 < c->argc;
        if (arg_is(c, j, "FORCE")) {
            o->force = 1;
        } else if (arg_is(c, j, "JUSTID")) {
            o->justid = 1;
        } else if (arg_is(c, j, "IDLE") && more) {
            if (!claim_opt_or_reply(c, ++j, "IDLE", &o->deliverytime))
                return 0;
            o->deliverytime = now - o->deliverytime;
        } else if (arg_is(c, j, "TIME") && more) {
            if (!claim_opt_or_reply(c, ++j, "TIME", &o->deliverytime))
                return 0;
        } else if (arg_is(c, j, "RETRYCOUNT") && more) {
            if (!claim_opt_or_reply(c, ++j, "RETRYCOUNT", &o->retrycount))
                return 0;
        } else if (arg_is(c, j, "LASTID") && more) {
            j++;
            if (!xid_parse_or_reply(c, j, 0, 1, &o->lastid, NULL))
                return 0;
        } else {
            reply_error(c, ERR_XCLAIM_UNKNOWN, ARGV_CLIPPED(c, j));
            return 0;
        }
    }
    if (o->deliverytime < 0 || o->deliverytime > now)
        o->deliverytime = now;
    return 1;
}

/* Claims entry id of st for the consumer (*cons, created on the first
 * claim) as o says: 1 claimed, 0 passed over (not pending and no FORCE,
 * idle too short, or deleted: then its pending entry goes), -1 when out
 * of memory (the claims so far stand). */
static int xclaim_one(struct client *c, struct store_stream *st,
                      struct store_sgroup *g, struct store_sconsumer **cons,
                      struct store_sid id, const struct xclaim_opts *o,
                      int64_t now)
{
    struct store *s = client_db(c);
    struct store_snack *nk = store_sg_pel_find(g, id);
    if (!store_stream_get(st, id, NULL)) {
        /* The entry is gone: so is its pending entry. */
        if (nk) {
            store_sg_pel_ack(s, g, id);
            c->srv->dirty++;
        }
        return 0;
    }
    uint64_t dcount;
    if (nk) {
        if (o->minidle &&
            stream_ms_since(now, nk->delivery_time) < o->minidle)
            return 0;
        dcount = nk->delivery_count;
    } else if (o->force) {
        dcount = 1;
    } else {
        return 0;
    }
    if (!*cons && !(*cons = claimer(c, g, 3)))
        return -1;
    if (o->retrycount >= 0)
        dcount = (uint64_t)o->retrycount;
    else if (!o->justid)
        dcount++;
    if (store_sg_pel_assign(s, g, *cons, id, o->deliverytime, dcount))
        return -1;
    (*cons)->active_time = now;
    c->srv->dirty++;
    return 1;
}

/* XCLAIM key group consumer min-idle id [id ...] [IDLE ms] [TIME ms]
 * [RETRYCOUNT n] [FORCE] [JUSTID] [LASTID id]. */
void cmd_xclaim(struct client *c)
{
    struct store_stream *st;
    struct store_sgroup *g = group_of_or_reply(c, stream_key_read(c), &st);
    if (!g)
        return;
    int64_t now = server_now_ms(c->srv);
    struct xclaim_opts o = { .force = 0 };
    if (!xclaim_opts_or_reply(c, now, &o))
        return;
    if (store_sid_cmp(o.lastid, g->last_id) > 0)
        g->last_id = o.lastid;
    size_t nids = o.ids_end - 5;
    struct store_sid small[16], *done = small;
    size_t ndone = 0;
    if (nids > 16 && !(done = malloc(nids * sizeof(*done)))) {
        reply_error(c, ERR_OOM);
        return;
    }
    struct store_sconsumer *cons = NULL;
    for (size_t k = 5; k < o.ids_end; k++) {
        struct store_sid id;
        xid_parse(c->argv[k], c->argvlen[k], 0, 1, &id, NULL);
        int r = xclaim_one(c, st, g, &cons, id, &o, now);
        if (r < 0)
            break;
        if (r > 0)
            done[ndone++] = id;
    }
    resp_add_array(&c->out, ndone);
    for (size_t k = 0; k < ndone; k++)
        reply_claimed(c, st, done[k], o.justid);
    if (done != small)
        free(done);
}

/* XAUTOCLAIM key group consumer min-idle start [COUNT n] [JUSTID]:
 * [next start, claimed, deleted IDs]. */
void cmd_xautoclaim(struct client *c)
{
    int64_t minidle, count = 100;
    int justid = 0;
    struct store_sid start;
    /* Redis looks the key up before anything else but reports its type or
     * missing group only once the arguments are read. */
    struct store_entry *e = stream_key_read(c);
    if (!minidle_or_reply(c, "XAUTOCLAIM", &minidle) ||
        !xid_interval_or_reply(c, 5, 0, &start))
        return;
    for (size_t j = 6; j < c->argc; j++) {
        if (arg_is(c, j, "COUNT") && j + 1 < c->argc) {
            /* Redis caps it at LONG_MAX / 16 (sizeof(streamID)). */
            if (!parse_i64(c->argv[j + 1], c->argvlen[j + 1], &count) ||
                count < 1 || count > INT64_MAX / 16) {
                reply_error(c, ERR_XAUTOCLAIM_COUNT);
                return;
            }
            j++;
        } else if (arg_is(c, j, "JUSTID")) {
            justid = 1;
        } else {
            reply_error(c, ERR_SYNTAX);
            return;
        }
    }
    struct store_stream *st;
    struct store_sgroup *g = group_of_or_reply(c, e, &st);
    if (!g)
        return;
    struct store_sid zero = { 0, 0 };
    struct store *s = client_db(c);
    int64_t now = server_now_ms(c->srv);
    int64_t attempts = count * 10;
    size_t cap = g->pel.n < (uint64_t)count ? g->pel.n : (size_t)count;
    struct store_sid *claimed = malloc((cap ? cap : 1) * sizeof(*claimed));
    struct store_sid *deleted = malloc((cap ? cap : 1) * sizeof(*deleted));
    if (!claimed || !deleted) {
        free(claimed);
        free(deleted);
        reply_error(c, ERR_OOM);
        return;
    }
    size_t nclaimed = 0, ndeleted = 0;
    struct store_sconsumer *cons = NULL;
    size_t i = store_sg_pel_seek(g, start);
    while (attempts-- && count && i < g->pel.n) {
        struct store_snack *nk = store_sg_pel_at(g, i);
        struct store_sid id = nk->id;
        if (!store_stream_get(st, id, NULL)) {
            store_sg_pel_ack(s, g, id);
            deleted[ndeleted++] = id;
            count--;
            c->srv->dirty++;
            continue;
        }
        if (minidle && stream_ms_since(now, nk->delivery_time) < minidle) {
            i++;
            continue;
        }
        if (!cons && !(cons = claimer(c, g, 3)))
            break;
        uint64_t dcount = nk->delivery_count + (justid ? 0 : 1);
        if (store_sg_pel_assign(s, g, cons, id, now, dcount))
            break;
        cons->active_time = now;
        claimed[nclaimed++] = id;
        count--;
        i++;
        c->srv->dirty++;
    }
    struct store_sid next = i < g->pel.n ? store_sg_pel_at(g, i)->id : zero;
    resp_add_array(&c->out, 3);
    reply_xid(c, next);
    resp_add_array(&c->out, nclaimed);
    for (size_t k = 0; k < nclaimed; k++)
        reply_claimed(c, st, claimed[k], justid);
    resp_add_array(&c->out, ndeleted);
    for (size_t k = 0; k < ndeleted; k++)
        reply_xid(c, deleted[k]);
    free(claimed);
    free(deleted);
}

/* ---- XINFO -------------------------------------------------------------- */

/* The group's lag as Redis 7 computes it into *lag (negative when a
 * group's counter was set past the stream's, as in Redis): 1, or 0 when
 * it is unknown. */
static int group_lag(const struct store_stream *st,
                     const struct store_sgroup *g, int64_t *lag)
{
    struct store_stream_info info;
    store_stream_info(st, &info);
    *lag = 0;
    if (!info.entries_added)
        return 1;
    if (g->entries_read != STORE_SG_READ_UNKNOWN &&
        !store_stream_has_tombstones(st, g->last_id, NULL)) {
        *lag = (int64_t)info.entries_added - g->entries_read;
        return 1;
    }
    int64_t r = store_stream_estimate_read(st, g->last_id);
    if (r == STORE_SG_READ_UNKNOWN)
        return 0;
    *lag = (int64_t)info.entries_added - r;
    return 1;
}

static void reply_lag_fields(struct client *c, const struct store_stream *st,
                             const struct store_sgroup *g)
{
    resp_add_bulk_cstr(&c->out, "entries-read");
    if (g->entries_read != STORE_SG_READ_UNKNOWN)
        resp_add_int(&c->out, g->entries_read);
    else
        resp_add_null(&c->out);
    resp_add_bulk_cstr(&c->out, "lag");
    int64_t lag;
    if (group_lag(st, g, &lag))
        resp_add_int(&c->out, lag);
    else
        resp_add_null(&c->out);
}

/* The stream of argument 2 for XINFO, or NULL after an error reply. */
static struct store_stream *xinfo_stream(struct client *c)
{
    int ok;
    struct store_stream *st = obj_read(c, 2, STORE_T_STREAM, &ok);
    if (ok && !st)
        reply_error(c, ERR_NO_SUCH_KEY);
    return st;
}

/* XINFO CONSUMERS key group. */
static void xinfo_consumers(struct client *c)
{
    struct store_stream *st = xinfo_stream(c);
    if (!st)
        return;
    struct store_sgroup *g =
        store_stream_group_find(st, c->argv[3], c->argvlen[3]);
    if (!g) {
        reply_error(c, ERR_NOGROUP_XGROUP, ARGV_CLIPPED(c, 3),
                    ARGV_CLIPPED(c, 2));
        return;
    }
    int64_t now = server_now_ms(c->srv);
    resp_add_array(&c->out, g->nc);
    for (size_t i = 0; i < g->nc; i++) {
        const struct store_sconsumer *k = g->c[i];
        resp_add_map(&c->out, 4);
        resp_add_bulk_cstr(&c->out, "name");
        resp_add_bulk(&c->out, k->name, k->nlen);
        resp_add_bulk_cstr(&c->out, "pending");
        resp_add_int(&c->out, (int64_t)k->pel.n);
        resp_add_bulk_cstr(&c->out, "idle");
        int64_t idle = stream_ms_since(now, k->seen_time);
        resp_add_int(&c->out, idle < 0 ? 0 : idle);
        /* Redis 7.2: ms since it last read or claimed an entry, or -1. */
        resp_add_bulk_cstr(&c->out, "inactive");
        resp_add_int(&c->out, k->active_time == -1
                                  ? -1
                                  : stream_ms_since(now, k->active_time));
    }
}

/* XINFO GROUPS key. */
static void xinfo_groups(struct client *c)
{
    struct store_stream *st = xinfo_stream(c);
    if (!st)
        return;
    size_t n = store_stream_ngroups(st);
    resp_add_array(&c->out, n);
    for (size_t i = 0; i < n; i++) {
        const struct store_sgroup *g = store_stream_group_at(st, i);
        resp_add_map(&c->out, 6);
        resp_add_bulk_cstr(&c->out, "name");
        resp_add_bulk(&c->out, g->name, g->nlen);
        resp_add_bulk_cstr(&c->out, "consumers");
        resp_add_int(&c->out, (int64_t)g->nc);
        resp_add_bulk_cstr(&c->out, "pending");
        resp_add_int(&c->out, (int64_t)g->pel.n);
        resp_add_bulk_cstr(&c->out, "last-delivered-id");
        reply_xid(c, g->last_id);
        reply_lag_fields(c, st, g);
    }
}

static size_t clip(size_t n, int64_t count)
{
    return count && (uint64_t)count < n ? (size_t)count : n;
}

/* XINFO STREAM key FULL [COUNT n]: groups with PELs and consumers. */
static void xinfo_stream_full(struct client *c, const struct store_stream *st,
                              int64_t count)
{
    struct store_stream_info info;
    store_stream_info(st, &info);
    resp_add_bulk_cstr(&c->out, "entries");
    struct store_sid lo = { 0, 0 }, hi = { UINT64_MAX, UINT64_MAX };
    reply_xrange(c, st, lo, hi, (size_t)count, 0);
    resp_add_bulk_cstr(&c->out, "groups");
    resp_add_array(&c->out, info.ngroups);
    for (size_t i = 0; i < info.ngroups; i++) {
        const struct store_sgroup *g = store_stream_group_at(st, i);
        resp_add_map(&c->out, 7);
        resp_add_bulk_cstr(&c->out, "name");
        resp_add_bulk(&c->out, g->name, g->nlen);
        resp_add_bulk_cstr(&c->out, "last-delivered-id");
        reply_xid(c, g->last_id);
        reply_lag_fields(c, st, g);
        resp_add_bulk_cstr(&c->out, "pel-count");
        resp_add_int(&c->out, (int64_t)g->pel.n);
        resp_add_bulk_cstr(&c->out, "pending");
        size_t np = clip(g->pel.n, count);
        resp_add_array(&c->out, np);
        for (size_t k = 0; k < np; k++) {
            const struct store_snack *nk = store_sg_pel_at(g, k);
            resp_add_array(&c->out, 4);
            reply_xid(c, nk->id);
            resp_add_bulk(&c->out, nk->consumer->name, nk->consumer->nlen);
            resp_add_int(&c->out, nk->delivery_time);
            resp_add_int(&c->out, (int64_t)nk->delivery_count);
        }
        resp_add_bulk_cstr(&c->out, "consumers");
        resp_add_array(&c->out, g->nc);
        for (size_t k = 0; k < g->nc; k++) {
            const struct store_sconsumer *cn = g->c[k];
            resp_add_map(&c->out, 5);
            resp_add_bulk_cstr(&c->out, "name");
            resp_add_bulk(&c->out, cn->name, cn->nlen);
            resp_add_bulk_cstr(&c->out, "seen-time");
            resp_add_int(&c->out, cn->seen_time);
            resp_add_bulk_cstr(&c->out, "active-time");   /* Redis 7.2 */
            resp_add_int(&c->out, cn->active_time);
            resp_add_bulk_cstr(&c->out, "pel-count");
            resp_add_int(&c->out, (int64_t)cn->pel.n);
            resp_add_bulk_cstr(&c->out, "pending");
            size_t nq = clip(cn->pel.n, count);
            resp_add_array(&c->out, nq);
            for (size_t q = 0; q < nq; q++) {
                struct store_sid id = store_sc_pel_at(cn, q);
                const struct store_snack *nk = store_sg_pel_find(g, id);
                resp_add_array(&c->out, 3);
                reply_xid(c, id);
                resp_add_int(&c->out, nk ? nk->delivery_time : 0);
                resp_add_int(&c->out, nk ? (int64_t)nk->delivery_count : 0);
            }
        }
    }
}

/* XINFO STREAM key [FULL [COUNT n]]. */
static void xinfo_stream_cmd(struct client *c)
{
    int full = 0;
    int64_t count = 10;
    size_t extra = c->argc - 3;
    /* Redis looks the key up before it reads the options. */
    struct store_stream *st = xinfo_stream(c);
    if (!st)
        return;
    if (extra) {
        if (!arg_is(c, 3, "FULL") || (extra != 1 && extra != 3) ||
            (extra == 3 && !arg_is(c, 4, "COUNT"))) {
            subcmd_syntax(c, "XINFO");
            return;
        }
        if (extra == 3) {
            if (!arg_i64_or_reply(c, 5, &count))
                return;
            if (count < 0)
                count = 0;
        }
        full = 1;
    }
    struct store_stream_info info;
    store_stream_info(st, &info);
    struct store_sid first = { 0, 0 };
    store_stream_first_id(st, &first);
    resp_add_map(&c->out, full ? 9 : 10);
    resp_add_bulk_cstr(&c->out, "length");
    resp_add_int(&c->out, (int64_t)info.length);
    /* Our blocks stand in for Redis's radix tree keys (its listpacks). */
    resp_add_bulk_cstr(&c->out, "radix-tree-keys");
    resp_add_int(&c->out, (int64_t)info.nblocks);
    resp_add_bulk_cstr(&c->out, "radix-tree-nodes");
    resp_add_int(&c->out, (int64_t)store_stream_rax_nodes(st));
    resp_add_bulk_cstr(&c->out, "last-generated-id");
    reply_xid(c, info.last_id);
    resp_add_bulk_cstr(&c->out, "max-deleted-entry-id");
    reply_xid(c, info.max_deleted);
    resp_add_bulk_cstr(&c->out, "entries-added");
    resp_add_int(&c->out, (int64_t)info.entries_added);
    resp_add_bulk_cstr(&c->out, "recorded-first-entry-id");
    reply_xid(c, first);
    if (full) {
        xinfo_stream_full(c, st, count);
        return;
    }
    resp_add_bulk_cstr(&c->out, "groups");
    resp_add_int(&c->out, (int64_t)info.ngroups);
    struct store_sid lo = { 0, 0 }, hi = { UINT64_MAX, UINT64_MAX };
    for (int rev = 0; rev < 2; rev++) {
        resp_add_bulk_cstr(&c->out, rev ? "last-entry" : "first-entry");
        struct store_stream_it it;
        struct store_stream_entry e;
        store_stream_it_init(&it, st, lo, hi, rev);
        if (store_stream_it_next(&it, &e))
            reply_xentry(c, &e);
        else
            resp_add_null(&c->out);
    }
}

static void xinfo_help(struct client *c)
{
    static const char *const lines[] = {
        "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CONSUMERS <key> <groupname>",
        "    Show consumers of <groupname>.",
        "GROUPS <key>",
        "    Show the stream consumer groups.",
        "STREAM <key> [FULL [COUNT <count>]",
        "    Show information about the stream.",
        "HELP",
        "    Prints this help.",
    };
    reply_help(c, lines, sizeof(lines) / sizeof(lines[0]));
}

static const struct subcommand xinfo_subcommands[] = {
    { "CONSUMERS", xinfo_consumers, 4, CMD_READONLY },
    { "GROUPS", xinfo_groups, 3, CMD_READONLY },
    { "STREAM", xinfo_stream_cmd, -3, CMD_READONLY },
    { "HELP", xinfo_help, 2, 0 },
};

const struct subcommand_table xinfo_subs = {
    xinfo_subcommands, sizeof(xinfo_subcommands) / sizeof(xinfo_subcommands[0])
};

/* XINFO subcommand ...: dispatches on argv[1]. */
void cmd_xinfo(struct client *c)
{
    subcommand_dispatch(c, &xinfo_subs);
}
