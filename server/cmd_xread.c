/* cmd_xread.c - XREAD and XREADGROUP: read entries after an ID from
 * one or more streams, as a group's consumer for XREADGROUP, waiting for
 * them with BLOCK.
 *
 * A call goes in Redis 7.0's order, since which error a client sees first
 * is behaviour: the options up to STREAMS, then every stream's key (type,
 * group) and ID before anything is served; then either the reply of every
 * stream with entries, or a block on all the keys, or a null.
 *
 * Blocking goes through server/blocking.h: a write to one of the keys
 * runs the command again (client_block_rerun tells the rerun apart).
 * XREAD's "$" (and 7.4's "+", the last entry) is replaced in the saved
 * command by the ID it stood for at the time it blocked, so the rerun
 * returns only newer entries.
 * XREADGROUP also wakes when its key is deleted or changes type and, run
 * again, answers as Redis 7.2 does: -NOGROUP or -WRONGTYPE. A rerun without COUNT returns at most
 * 1000 entries a stream, as Redis serves blocked readers.
 *
 * XREADGROUP ">" hands out new entries and makes them pending for the
 * consumer (unless NOACK); with an ID it replays the consumer's own
 * pending entries after it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/blocking.h"
#include "server/cmd_stream.h"
#include "server/handlers.h"

#define XREAD_BLOCKED_COUNT 1000

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
        if (!noack) {
            store_sg_pel_assign(s, g, cons, id, now, 1);
            cons->active_time = now;
        }
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
    if (rc == STORE_OK) {
        notify_stream(c, keyarg, "xgroup-createconsumer");
        c->srv->dirty++;       /* a write of its own, as in Redis */
    }
    return cons;
}

/* An XREAD's or XREADGROUP's options: argument positions and values. */
struct xread_opts {
    int group;                 /* XREADGROUP */
    int block, noack;
    int64_t count, deadline;
    size_t streams;            /* first key; the IDs follow the keys */
    size_t n;                  /* keys */
    size_t gname, cname;       /* GROUP's arguments */
};

/* Reads the options up to STREAMS in Redis's order; 1, or 0 after the
 * error reply. */
static int xread_opts_or_reply(struct client *c, struct xread_opts *o)
{
    for (size_t i = 1; i < c->argc; i++) {
        size_t more = c->argc - i - 1;
        if (arg_is(c, i, "BLOCK") && more) {
            /* A script can never wait: Redis refuses the option there. */
            if (c->flags & CLIENT_SCRIPT) {
                reply_error(c, ERR_XREAD_BLOCK_SCRIPT, ARGV_CLIPPED(c, 0));
                return 0;
            }
            i++;
            if (!block_timeout_or_reply(c, i, BLOCK_MILLISECONDS,
                                        &o->deadline))
                return 0;
            o->block = 1;
        } else if (arg_is(c, i, "COUNT") && more) {
            i++;
            if (!arg_i64_or_reply(c, i, &o->count))
                return 0;
            if (o->count < 0)
                o->count = 0;
        } else if (arg_is(c, i, "STREAMS") && more) {
            o->streams = i + 1;
            if ((c->argc - o->streams) % 2) {
                reply_error(c, ERR_XREAD_UNBALANCED,
                            o->group ? "xreadgroup" : "xread",
                            o->group ? '>' : '$');
                return 0;
            }
            break;
        } else if (arg_is(c, i, "GROUP") && more >= 2) {
            if (!o->group) {
                reply_error(c, ERR_XREAD_GROUP_OPT);
                return 0;
            }
            o->gname = i + 1;
            o->cname = i + 2;
            i += 2;
        } else if (arg_is(c, i, "NOACK")) {
            if (!o->group) {
                reply_error(c, ERR_XREAD_NOACK_OPT);
                return 0;
            }
            o->noack = 1;
        } else {
            reply_error(c, ERR_SYNTAX);
            return 0;
        }
    }
    if (!o->streams) {
        reply_error(c, ERR_SYNTAX);
        return 0;
    }
    if (o->group && !o->gname) {
        reply_error(c, ERR_XREAD_MISSING_GROUP);
        return 0;
    }
    o->n = (c->argc - o->streams) / 2;
    return 1;
}

/* Stream j's group, or NULL after Redis's NOGROUP reply. A blocked
 * reader woken by its key's deletion or its group's destruction gets it
 * too, from its command run again, as in Redis 7.2 (7.0 had texts of its
 * own for those). */
static struct store_sgroup *xread_group_or_reply(struct client *c,
                                                 const struct xread_opts *o,
                                                 struct store_stream *st,
                                                 size_t j)
{
    struct store_sgroup *g =
        st ? store_stream_group_find(st, c->argv[o->gname],
                                     c->argvlen[o->gname])
           : NULL;
    if (!g)
        reply_error(c, ERR_NOGROUP_READ, ARGV_CLIPPED(c, o->streams + j),
                    ARGV_CLIPPED(c, o->gname));
    return g;
}

/* Stream j's ID argument into k->gt: "$" (XREAD: the stream's last ID),
 * "+" (XREAD: its last entry), ">" (XREADGROUP: new entries) or an ID.
 * 1, or 0 after the error. */
static int xread_id_or_reply(struct client *c, const struct xread_opts *o,
                             const struct store_stream *st, size_t j,
                             struct xread_key *k)
{
    size_t ia = o->streams + o->n + j;
    const char *a = c->argv[ia];
    size_t al = c->argvlen[ia];
    if (al == 1 && a[0] == '$') {
        if (o->group) {
            reply_error(c, ERR_XREAD_DOLLAR);
            return 0;
        }
        struct store_stream_info info = { 0 };
        if (st)
            store_stream_info(st, &info);
        k->gt = info.last_id;
        return 1;
    }
    if (al == 1 && a[0] == '+') {
        /* Redis 7.4: the last entry, read as "after the ID just below
         * it"; a missing or empty stream reads from 0-0. */
        if (o->group) {
            reply_error(c, ERR_XREAD_PLUS);
            return 0;
        }
        k->gt.ms = k->gt.seq = 0;
        if (st && store_stream_last_live_id(st, &k->gt))
            store_sid_decr(&k->gt);
        return 1;
    }
    if (al == 1 && a[0] == '>') {
        if (!o->group) {
            reply_error(c, ERR_XREAD_GT);
            return 0;
        }
        k->gt.ms = k->gt.seq = UINT64_MAX;
        return 1;
    }
    return xid_parse_or_reply(c, ia, 0, 1, &k->gt, NULL);
}

/* Decides whether stream j of k (found, its ID parsed) has anything to
 * serve: for XREADGROUP ">" from the group's last ID as earlier streams
 * of this call leave it. */
static void xread_decide(const struct xread_opts *o, struct xread_key *k,
                         size_t j, const struct store_stream *st,
                         const struct store_sgroup *g)
{
    struct store_sid maxid;
    if (!o->group) {
        k[j].serve = store_stream_last_live_id(st, &maxid) &&
                     store_sid_cmp(maxid, k[j].gt) > 0;
        return;
    }
    if (k[j].gt.ms != UINT64_MAX || k[j].gt.seq != UINT64_MAX) {
        k[j].serve = k[j].history = 1;
        return;
    }
    k[j].st = st;
    k[j].cursor = cursor_before(k, j, st, g->last_id, (size_t)o->count);
    if (store_stream_last_live_id(st, &maxid) &&
        store_sid_cmp(maxid, k[j].cursor) > 0) {
        k[j].serve = 1;
        k[j].gt = k[j].cursor;
    }
}

/* Argument i's stream for a woken XREADGROUP run again: NULL when absent,
 * or with *ok 0 after WRONGTYPE (Redis 7.2's replies). Like obj_woken it
 * counts no keyspace hit or miss, as a woken reader in Redis 7.0. */
static struct store_stream *woken_group_stream(struct client *c, size_t i,
                                               int *ok)
{
    void *o;
    int rc = store_obj_open(client_db(c), c->argv[i], c->argvlen[i],
                            STORE_T_STREAM, 0, server_now_ms(c->srv), &o);
    if (rc == STORE_WRONGTYPE) {
        reply_error(c, ERR_WRONGTYPE);
        *ok = 0;
    }
    return rc == STORE_OK ? o : NULL;
}

/* Parses every ID and checks every key (type, group) before anything is
 * served, as Redis does. Returns how many streams have entries to serve,
 * or -1 after the error reply. */
static long xread_prepare_or_reply(struct client *c,
                                   const struct xread_opts *o,
                                   struct xread_key *k, int rerun)
{
    long served = 0;
    for (size_t j = 0; j < o->n; j++) {
        size_t ka = o->streams + j;
        int ok = 1;
        /* A woken XREAD serves the streams it can, one of another type
         * counting as absent, as 7.0 does; XREADGROUP, woken also when
         * its key goes or changes type, runs again as Redis 7.2's does:
         * NOGROUP or WRONGTYPE. */
        struct store_stream *st =
            !rerun     ? obj_read(c, ka, STORE_T_STREAM, &ok)
            : o->group ? woken_group_stream(c, ka, &ok)
                       : obj_woken(c, ka, STORE_T_STREAM);
        if (!ok)
            return -1;
        struct store_sgroup *g = NULL;
        if (o->group && !(g = xread_group_or_reply(c, o, st, j)))
            return -1;
        if (!xread_id_or_reply(c, o, st, j, &k[j]))
            return -1;
        if (!st)
            continue;
        k[j].found = 1;
        xread_decide(o, k, j, st, g);
        served += k[j].serve;
    }
    return served;
}

/* Replies the entries of the served streams of k: an array (RESP2) or a
 * map (RESP3) of stream name to entries. */
static void xread_serve(struct client *c, const struct xread_opts *o,
                        const struct xread_key *k, long served)
{
    if (c->proto == 2)
        resp_add_array(&c->out, (size_t)served);
    else
        resp_add_map(&c->out, (size_t)served);
    for (size_t j = 0; j < o->n; j++) {
        if (!k[j].serve)
            continue;
        size_t ka = o->streams + j;
        int ok;
        struct store_stream *st = obj_write(c, ka, STORE_T_STREAM, 0, &ok);
        struct store_sid start = k[j].gt;
        store_sid_incr(&start);
        if (c->proto == 2)
            resp_add_array(&c->out, 2);
        resp_add_bulk(&c->out, c->argv[ka], c->argvlen[ka]);
        if (!o->group) {
            struct store_sid hi = { UINT64_MAX, UINT64_MAX };
            reply_xrange(c, st, start, hi, (size_t)o->count, 0);
            continue;
        }
        struct store_sgroup *g = store_stream_group_find(
            st, c->argv[o->gname], c->argvlen[o->gname]);
        struct store_sconsumer *cons = consumer_get(c, ka, g, o->cname);
        if (!cons) {
            /* OOM mid-reply: the error replaces this stream's data. */
            continue;
        }
        if (k[j].history)
            xreadgroup_history(c, st, g, cons, start, (size_t)o->count);
        else
            xreadgroup_new(c, st, g, cons, start, (size_t)o->count,
                           o->noack);
        /* Redis 7.0 serves a woken reader outside the command, which
         * counts only a consumer it creates. */
        if (!client_block_rerun(c))
            c->srv->dirty++;
    }
}

/* Blocks the client on every key of the call. XREAD's "$" and "+"
 * become the ID they stood for now, so the rerun reads what came after
 * it (all of it, as Redis serves a woken reader, not only the last). */
static void xread_block(struct client *c, const struct xread_opts *o,
                        const struct xread_key *k, int rerun)
{
    size_t keys_small[8], *keys = keys_small;
    if (o->n > 8 && !(keys = malloc(o->n * sizeof(*keys)))) {
        reply_error(c, ERR_OOM);
        return;
    }
    for (size_t j = 0; j < o->n; j++)
        keys[j] = o->streams + j;
    client_block(c, keys, o->n, STORE_T_STREAM, o->group, o->deadline);
    for (size_t j = 0; !o->group && !rerun && j < o->n; j++) {
        size_t ia = o->streams + o->n + j;
        if (c->argvlen[ia] == 1 &&
            (c->argv[ia][0] == '$' || c->argv[ia][0] == '+')) {
            char buf[48];
            int len = snprintf(buf, sizeof buf, "%llu-%llu",
                               (unsigned long long)k[j].gt.ms,
                               (unsigned long long)k[j].gt.seq);
            client_block_set_arg(c, ia, buf, (size_t)len);
        }
    }
    if (keys != keys_small)
        free(keys);
}

static void xread_generic(struct client *c, int group)
{
    struct xread_opts o = { .group = group };
    if (!xread_opts_or_reply(c, &o))
        return;
    int rerun = client_block_rerun(c);
    if (rerun && !o.count)
        o.count = XREAD_BLOCKED_COUNT;
    struct xread_key small[8], *k = small;
    if (o.n > 8 && !(k = malloc(o.n * sizeof(*k)))) {
        reply_error(c, ERR_OOM);
        return;
    }
    memset(k, 0, (o.n > 8 ? o.n : 8) * sizeof(*k));
    long served = xread_prepare_or_reply(c, &o, k, rerun);
    if (served >= 0) {
        /* Redis looks every stream up again to serve it, and counts that
         * lookup (and its keymiss) too; a woken client's rerun counts
         * none. */
        for (size_t j = 0; !rerun && j < o.n; j++)
            key_count_read(c, c->argv[o.streams + j],
                           c->argvlen[o.streams + j], k[j].found);
        if (served)
            xread_serve(c, &o, k, served);
        else if (o.block && client_can_block(c))
            xread_block(c, &o, k, rerun);
        else
            resp_add_null_array(&c->out);
    }
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
