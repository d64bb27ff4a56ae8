/* cmd_zset.c - the sorted set commands on one key: ZADD ZINCRBY ZREM
 * ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK ZCOUNT ZLEXCOUNT, the range family
 * ZRANGE ZREVRANGE ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX
 * ZREVRANGEBYLEX ZRANGESTORE, ZREMRANGEBYRANK/SCORE/LEX, and the pops
 * ZPOPMIN ZPOPMAX BZPOPMIN BZPOPMAX ZMPOP BZMPOP. The multi-key algebra,
 * ZSCAN and ZRANDMEMBER are in cmd_zsetops.c.
 *
 * Sorted sets live in store/zset.c. Replies follow Redis 7.0 byte for
 * byte, including its order of checks: ZADD parses options, counts its
 * arguments and parses every score before it looks the key up; the range
 * commands parse all options and the range before the lookup; a missing
 * key is an empty set. Scores are written as resp_add_double does
 * ("%.17g", as 7.0 does, so 1.1 reads back as 1.1000000000000001; a RESP3
 * double), integers through a faster path (add_score).
 * With WITHSCORES, RESP2 gets a flat member, score list and RESP3 an
 * array of [member, score] pairs; ZPOPMIN with a count likewise.
 *
 * Score arguments are parsed as Redis does: ZADD's scores with string2d
 * (strtod over the whole argument, no leading space, no NaN, no
 * overflow), range bounds with zslParseRange's laxer strtod (a leading
 * space or an empty string pass; "(" makes a bound exclusive).
 *
 * Element views die at the next store change, so handlers that write
 * while reading (the pops) reply from a view before removing it. An
 * emptied set loses its key, with "del" after the command's own event. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "server/blocking.h"
#include "server/coll.h"
#include "server/handlers.h"

/* Writes score d as resp_add_double does, with a fast path for the
 * integers "%.17g" prints as plain digits (below 1e17, not -0). */
static void add_score(struct resp_out *o, double d)
{
    if (d > -1e17 && d < 1e17 && d == (double)(int64_t)d &&
        !(d == 0 && signbit(d))) {
        char buf[32];
        char *p = buf + sizeof buf;
        int64_t v = (int64_t)d;
        uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
        do
            *--p = (char)('0' + u % 10);
        while (u /= 10);
        if (v < 0)
            *--p = '-';
        size_t n = (size_t)(buf + sizeof buf - p);
        if (o->proto >= 3) {
            char line[40];
            line[0] = ',';
            memcpy(line + 1, p, n);
            memcpy(line + 1 + n, "\r\n", 2);
            resp_add_raw(o, line, n + 3);
        } else {
            resp_add_bulk(o, p, n);
        }
        return;
    }
    resp_add_double(o, d);
}

/* ---- Argument parsing --------------------------------------------------- */

/* One end of a score range, as zslParseRange: "(" exclusive, then strtod
 * whose whole rest must be used (up to the first NUL). */
static int parse_bound(const char *p, double *d, int *ex)
{
    *ex = 0;
    if (p[0] == '(') {
        *ex = 1;
        p++;
    }
    char *end;
    *d = strtod(p, &end);
    return end[0] == '\0' && !isnan(*d);
}

/* Arguments i and j as a score range: 1, or 0 after replying. */
static int srange_or_reply(struct client *c, size_t i, size_t j,
                           struct store_zset_srange *r)
{
    if (parse_bound(c->argv[i], &r->min, &r->minex) &&
        parse_bound(c->argv[j], &r->max, &r->maxex))
        return 1;
    reply_error(c, ERR_ZRANGE_FLOAT);
    return 0;
}

/* One end of a lex range, as zslParseLexRangeItem: "+" / "-" alone (up to
 * a NUL), or "[" / "(" then the bytes. */
static int parse_lex(const struct client *c, size_t i, const char **b,
                     size_t *blen, int *ex, int *kind)
{
    const char *p = c->argv[i];
    size_t n = c->argvlen[i];
    *b = NULL;
    *blen = 0;
    *kind = 0;
    switch (n ? p[0] : '\0') {
    case '+':
    case '-':
        if (p[1] != '\0')
            return 0;
        *ex = 1;
        *kind = p[0] == '+' ? 1 : -1;
        return 1;
    case '(':
    case '[':
        *ex = p[0] == '(';
        *b = p + 1;
        *blen = n - 1;
        return 1;
    default:
        return 0;
    }
}

static int lrange_or_reply(struct client *c, size_t i, size_t j,
                           struct store_zset_lrange *r)
{
    if (parse_lex(c, i, &r->min, &r->minlen, &r->minex, &r->mink) &&
        parse_lex(c, j, &r->max, &r->maxlen, &r->maxex, &r->maxk))
        return 1;
    reply_error(c, ERR_ZRANGE_LEX);
    return 0;
}

/* ---- ZADD ZINCRBY ZREM -------------------------------------------------- */

/* ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]
 * and ZINCRBY key increment member (incr set). */
static void zadd_generic(struct client *c, int flags)
{
    size_t i = 2;
    int ch = 0;
    for (; i < c->argc; i++) {
        if (arg_is(c, i, "NX"))
            flags |= STORE_ZADD_NX;
        else if (arg_is(c, i, "XX"))
            flags |= STORE_ZADD_XX;
        else if (arg_is(c, i, "CH"))
            ch = 1;
        else if (arg_is(c, i, "INCR"))
            flags |= STORE_ZADD_INCR;
        else if (arg_is(c, i, "GT"))
            flags |= STORE_ZADD_GT;
        else if (arg_is(c, i, "LT"))
            flags |= STORE_ZADD_LT;
        else
            break;
    }
    size_t elements = c->argc - i;
    if (elements % 2 || elements == 0) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    elements /= 2;
    int nx = flags & STORE_ZADD_NX, xx = flags & STORE_ZADD_XX;
    int gt = flags & STORE_ZADD_GT, lt = flags & STORE_ZADD_LT;
    int incr = flags & STORE_ZADD_INCR;
    if (nx && xx) {
        reply_error(c, ERR_ZADD_NX_XX);
        return;
    }
    if ((gt && nx) || (lt && nx) || (gt && lt)) {
        reply_error(c, ERR_ZADD_GT_LT_NX);
        return;
    }
    if (incr && elements > 1) {
        reply_error(c, ERR_ZADD_INCR_PAIR);
        return;
    }
    double *scores = malloc(elements * sizeof *scores);
    if (!scores) {
        reply_error(c, ERR_OOM);
        return;
    }
    for (size_t j = 0; j < elements; j++) {
        size_t k = i + 2 * j;
        if (!parse_double(c->argv[k], c->argvlen[k], &scores[j])) {
            free(scores);
            reply_error(c, ERR_NOT_FLOAT);
            return;
        }
    }
    int ok;
    struct store_zset *z = obj_write(c, 1, STORE_T_ZSET, !xx, &ok);
    if (!ok) {
        free(scores);
        return;
    }
    int64_t added = 0, updated = 0, processed = 0;
    double score = 0;
    for (size_t j = 0; z && j < elements; j++) {
        size_t m = i + 2 * j + 1;
        double out = 0;
        int rc = store_zset_add(client_db(c), z, c->argv[m], c->argvlen[m],
                                scores[j], flags, &out);
        if (rc < 0 || rc == STORE_ZADD_NAN) {
            if (added || updated)
                coll_changed(c, 1, NOTIFY_ZSET, incr ? "zincr" : "zadd");
            else
                obj_drop_if_empty(c, 1, STORE_T_ZSET, z);
            free(scores);
            reply_error(c, rc < 0 ? ERR_OOM : ERR_ZSET_NAN);
            return;
        }
        added += rc == STORE_ZADD_ADDED;
        updated += rc == STORE_ZADD_UPDATED;
        if (rc != STORE_ZADD_NOP) {
            processed++;
            score = out;
        }
    }
    free(scores);
    if (added || updated) {
        coll_changed(c, 1, NOTIFY_ZSET, incr ? "zincr" : "zadd");
        server_dirty_elements(c->srv, (uint64_t)(added + updated));
    }
    if (incr) {
        if (processed)
            add_score(&c->out, score);
        else
            resp_add_null(&c->out);
    } else {
        resp_add_int(&c->out, ch ? added + updated : added);
    }
}

/* ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...] */
void cmd_zadd(struct client *c)
{
    zadd_generic(c, 0);
}

/* ZINCRBY key increment member: the new score. */
void cmd_zincrby(struct client *c)
{
    zadd_generic(c, STORE_ZADD_INCR);
}

/* ZREM key member [member ...]: members removed. */
void cmd_zrem(struct client *c)
{
    int ok;
    struct store_zset *z = obj_write(c, 1, STORE_T_ZSET, 0, &ok);
    if (!ok)
        return;
    int64_t n = 0;
    for (size_t i = 2; z && i < c->argc; i++) {
        n += store_zset_del(client_db(c), z, c->argv[i], c->argvlen[i]);
        if (store_zset_len(z) == 0)
            break;
    }
    if (n > 0) {
        coll_changed(c, 1, NOTIFY_ZSET, "zrem");
        server_dirty_elements(c->srv, (uint64_t)n);
        obj_drop_if_empty(c, 1, STORE_T_ZSET, z);
    }
    resp_add_int(&c->out, n);
}

/* ---- Reads of one member or the size ------------------------------------ */

/* ZCARD key */
void cmd_zcard(struct client *c)
{
    int ok;
    struct store_zset *z = obj_read(c, 1, STORE_T_ZSET, &ok);
    if (ok)
        resp_add_int(&c->out, z ? (int64_t)store_zset_len(z) : 0);
}

/* ZSCORE key member: the score, or null. */
void cmd_zscore(struct client *c)
{
    int ok;
    struct store_zset *z = obj_read(c, 1, STORE_T_ZSET, &ok);
    double d;
    if (!ok)
        return;
    if (z && store_zset_score(z, c->argv[2], c->argvlen[2], &d))
        add_score(&c->out, d);
    else
        resp_add_null(&c->out);
}

/* ZMSCORE key member [member ...]: a score or null for each. */
void cmd_zmscore(struct client *c)
{
    int ok;
    struct store_zset *z = obj_read(c, 1, STORE_T_ZSET, &ok);
    if (!ok)
        return;
    resp_add_array(&c->out, c->argc - 2);
    for (size_t i = 2; i < c->argc; i++) {
        double d;
        if (z && store_zset_score(z, c->argv[i], c->argvlen[i], &d))
            add_score(&c->out, d);
        else
            resp_add_null(&c->out);
    }
}

/* ZRANK/ZREVRANK key member [WITHSCORE] (7.2): the option is checked
 * before the key, as Redis does; with it the reply is [rank, score] and a
 * miss is a null array rather than a null bulk. */
static void zrank_generic(struct client *c, int rev, const char *name)
{
    int withscore = 0;
    if (c->argc > 4) {
        reply_error(c, ERR_ARITY, name);
        return;
    }
    if (c->argc == 4) {
        if (!arg_is(c, 3, "WITHSCORE")) {
            reply_error(c, ERR_SYNTAX);
            return;
        }
        withscore = 1;
    }
    int ok;
    struct store_zset *z = obj_read(c, 1, STORE_T_ZSET, &ok);
    size_t rank;
    double d;
    if (!ok)
        return;
    if (!z || !store_zset_rank(z, c->argv[2], c->argvlen[2], rev, &rank)) {
        if (withscore)
            resp_add_null_array(&c->out);
        else
            resp_add_null(&c->out);
        return;
    }
    if (!withscore) {
        resp_add_int(&c->out, (int64_t)rank);
        return;
    }
    store_zset_score(z, c->argv[2], c->argvlen[2], &d);
    resp_add_array(&c->out, 2);
    resp_add_int(&c->out, (int64_t)rank);
    add_score(&c->out, d);
}

/* ZRANK key member [WITHSCORE]: 0-based rank by ascending score, or
 * null. */
void cmd_zrank(struct client *c)
{
    zrank_generic(c, 0, "zrank");
}

/* ZREVRANK key member [WITHSCORE]: 0-based rank by descending score,
 * or null. */
void cmd_zrevrank(struct client *c)
{
    zrank_generic(c, 1, "zrevrank");
}

/* ZCOUNT key min max: members with a score in the range. */
void cmd_zcount(struct client *c)
{
    struct store_zset_srange r;
    if (!srange_or_reply(c, 2, 3, &r))
        return;
    int ok;
    struct store_zset *z = obj_read(c, 1, STORE_T_ZSET, &ok);
    if (ok)
        resp_add_int(&c->out,
                     z ? (int64_t)store_zset_count_score(z, &r) : 0);
}

/* ZLEXCOUNT key min max: members in the lexicographic range. */
void cmd_zlexcount(struct client *c)
{
    struct store_zset_lrange r;
    if (!lrange_or_reply(c, 2, 3, &r))
        return;
    int ok;
    struct store_zset *z = obj_read(c, 1, STORE_T_ZSET, &ok);
    if (ok)
        resp_add_int(&c->out, z ? (int64_t)store_zset_count_lex(z, &r) : 0);
}

/* ---- The range family --------------------------------------------------- */

enum range_type { RANGE_AUTO, RANGE_RANK, RANGE_SCORE, RANGE_LEX };
enum range_dir { DIR_AUTO, DIR_FORWARD, DIR_REVERSE };

/* Where a range's members go: the reply (scores or not), or a new set. */
struct range_out {
    struct client *c;
    size_t n;
    int withscores;
    int count_only;              /* a first pass that sizes the reply */
    struct store_zset *dst;      /* ZRANGESTORE's result, or NULL */
    int nomem;
};

static void range_emit(struct range_out *o, const struct store_zset_view *v)
{
    o->n++;
    if (o->count_only)
        return;
    if (o->dst) {
        double out;
        if (!o->nomem &&
            store_zset_add(client_db(o->c), o->dst, v->m, v->mlen, v->score,
                           0, &out) < 0)
            o->nomem = 1;
        return;
    }
    struct resp_out *out = &o->c->out;
    if (o->withscores && out->proto >= 3)
        resp_add_array(out, 2);
    resp_add_bulk(out, v->m, v->mlen);
    if (o->withscores)
        add_score(out, v->score);
}

/* Emits up to limit (< 0: all) members from rank start in direction rev,
 * skipping offset first, while they stay in range (sr or lr, or both
 * NULL for a rank range). */
static void range_walk(struct range_out *o, const struct store_zset *z,
                       size_t start, int rev, int64_t offset, int64_t limit,
                       const struct store_zset_srange *sr,
                       const struct store_zset_lrange *lr)
{
    struct store_zset_it it;
    struct store_zset_view v;
    if (offset < 0)
        return;
    store_zset_seek(z, start + (size_t)offset, rev, &it);
    while (limit != 0 && store_zset_next(z, &it, &v)) {
        if (sr && !store_zset_srange_has(sr, v.score))
            break;
        if (lr && !store_zset_lrange_has(lr, v.m, v.mlen))
            break;
        range_emit(o, &v);
        if (limit > 0)
            limit--;
    }
}

/* Stores the gathered range (ZRANGESTORE: argv[1] set to the result,
 * or deleted when it is empty) and replies its size. */
static void range_store(struct range_out *o)
{
    struct client *c = o->c;
    if (o->nomem) {
        reply_error(c, ERR_OOM);
        return;
    }
    if (o->n == 0) {
        resp_add_int(&c->out, 0);
        key_store_empty(c, 1);
        return;
    }
    if (obj_store(c, STORE_T_ZSET, o->dst)) {
        reply_error(c, ERR_OOM);
        return;
    }
    o->dst = NULL;
    resp_add_int(&c->out, (int64_t)o->n);
    coll_changed(c, 1, NOTIFY_ZSET, "zrangestore");
}

/* A ZRANGE-family call, as its arguments give it. */
struct zrange_req {
    size_t first;                /* the source key's argument */
    int store;                   /* ZRANGESTORE: argv[1] is the destination */
    enum range_type type;
    int rev, withscores;
    int64_t offset, limit;       /* LIMIT (limit -1: none) */
    int64_t start, end;          /* a rank range */
    struct store_zset_srange sr; /* a score range */
    struct store_zset_lrange lr; /* a lex range */
};

/* Reads the options after min and max, then settles what the command
 * left open (type, direction); 1, or 0 after the error reply. */
static int zrange_opts_or_reply(struct client *c, struct zrange_req *q,
                                enum range_dir dir)
{
    q->limit = -1;
    for (size_t j = q->first + 3; j < c->argc; j++) {
        size_t left = c->argc - j - 1;
        if (!q->store && arg_is(c, j, "WITHSCORES")) {
            q->withscores = 1;
        } else if (arg_is(c, j, "LIMIT") && left >= 2) {
            if (!arg_i64_or_reply(c, j + 1, &q->offset) ||
                !arg_i64_or_reply(c, j + 2, &q->limit))
                return 0;
            j += 2;
        } else if (dir == DIR_AUTO && arg_is(c, j, "REV")) {
            dir = DIR_REVERSE;
        } else if (q->type == RANGE_AUTO && arg_is(c, j, "BYLEX")) {
            q->type = RANGE_LEX;
        } else if (q->type == RANGE_AUTO && arg_is(c, j, "BYSCORE")) {
            q->type = RANGE_SCORE;
        } else {
            reply_error(c, ERR_SYNTAX);
            return 0;
        }
    }
    q->rev = dir == DIR_REVERSE;
    if (q->type == RANGE_AUTO)
        q->type = RANGE_RANK;
    if (q->limit != -1 && q->type == RANGE_RANK) {
        reply_error(c, ERR_ZRANGE_LIMIT);
        return 0;
    }
    if (q->withscores && q->type == RANGE_LEX) {
        reply_error(c, ERR_ZRANGE_LEX_SCORES);
        return 0;
    }
    return 1;
}

/* Parses min and max as the range type reads them (a reversed score or
 * lex range names max first); 1, or 0 after the error reply. */
static int zrange_bounds_or_reply(struct client *c, struct zrange_req *q)
{
    size_t minidx = q->first + 1, maxidx = q->first + 2;
    if (q->rev && q->type != RANGE_RANK) {
        minidx = q->first + 2;
        maxidx = q->first + 1;
    }
    if (q->type == RANGE_RANK)
        return arg_i64_or_reply(c, minidx, &q->start) &&
               arg_i64_or_reply(c, maxidx, &q->end);
    if (q->type == RANGE_SCORE)
        return srange_or_reply(c, minidx, maxidx, &q->sr);
    return lrange_or_reply(c, minidx, maxidx, &q->lr);
}

/* Where the walk over z (NULL: empty) starts (*from) and which range
 * stops it (*wsr, *wlr); returns 0 when there is nothing to walk. A rank
 * range becomes offset 0 and limit its length. */
static int zrange_plan(struct zrange_req *q, const struct store_zset *z,
                       size_t *from,
                       const struct store_zset_srange **wsr,
                       const struct store_zset_lrange **wlr)
{
    size_t len = z ? store_zset_len(z) : 0;
    int walk = 0;
    *from = 0;
    *wsr = NULL;
    *wlr = NULL;
    if (!z) {
        /* empty */
    } else if (q->type == RANGE_RANK) {
        size_t n;
        walk = rank_range(q->start, q->end, len, from, &n);
        if (walk) {
            q->offset = 0;
            q->limit = (int64_t)n;
        }
    } else if (q->offset > 0 && (uint64_t)q->offset >= len) {
        /* Redis answers an offset past the end at once. */
    } else if (q->type == RANGE_SCORE) {
        walk = store_zset_first_score(z, &q->sr, q->rev, from);
        *wsr = &q->sr;
    } else {
        walk = store_zset_first_lex(z, &q->lr, q->rev, from);
        *wlr = &q->lr;
    }
    /* From the first member in range on, Redis checks only the far end
     * (which matters for lex ranges over members of different scores). */
    if (q->rev) {
        q->sr.max = HUGE_VAL;
        q->sr.maxex = 0;
        q->lr.maxk = 1;
    } else {
        q->sr.min = -HUGE_VAL;
        q->sr.minex = 0;
        q->lr.mink = -1;
    }
    return walk;
}

/* ZRANGESTORE: gathers the walk into a new set, stores it, replies its
 * size. */
static void zrange_store(struct client *c, const struct zrange_req *q,
                         const struct store_zset *z, int walk, size_t from,
                         const struct store_zset_srange *wsr,
                         const struct store_zset_lrange *wlr)
{
    struct range_out o = { .c = c };
    o.dst = store_zset_new(client_db(c));
    if (!o.dst) {
        reply_error(c, ERR_OOM);
        return;
    }
    /* Like Redis, a rank range known to outgrow the compact limit is
     * stored as a skip list from the start, not converted once full
     * (which shows: a -0 score survives only in a skip list). */
    if (walk && q->type == RANGE_RANK &&
        q->limit > c->srv->conf.zset_max_listpack_entries &&
        store_zset_expand(client_db(c), o.dst) != STORE_OK)
        o.nomem = 1;
    if (walk && !o.nomem)
        range_walk(&o, z, from, q->rev, q->offset, q->limit, wsr, wlr);
    range_store(&o);
    if (o.dst)
        store_zset_free(client_db(c), o.dst);
}

/* Replies the walk's members (and scores), counted first so they go
 * straight into the reply with no staging. */
static void zrange_reply(struct client *c, const struct zrange_req *q,
                         const struct store_zset *z, int walk, size_t from,
                         const struct store_zset_srange *wsr,
                         const struct store_zset_lrange *wlr)
{
    struct range_out o = { .c = c, .withscores = q->withscores };
    if (walk && q->type != RANGE_RANK) {
        o.count_only = 1;
        range_walk(&o, z, from, q->rev, q->offset, q->limit, wsr, wlr);
        o.count_only = 0;
    } else if (walk) {
        o.n = (size_t)q->limit;
    }
    resp_add_array(&c->out, q->withscores && c->proto < 3 ? o.n * 2 : o.n);
    if (walk)
        range_walk(&o, z, from, q->rev, q->offset, q->limit, wsr, wlr);
}

/* Redis's zrangeGenericCommand: first is the source key's argument, then
 * min and max; options follow. store: ZRANGESTORE (argv[1] is the
 * destination). type/dir: what the command fixes (AUTO: options may). */
static void zrange_generic(struct client *c, size_t first, int store,
                           enum range_type type, enum range_dir dir)
{
    struct zrange_req q = { .first = first, .store = store, .type = type };
    if (!zrange_opts_or_reply(c, &q, dir) || !zrange_bounds_or_reply(c, &q))
        return;
    int ok;
    struct store_zset *z = obj_read(c, first, STORE_T_ZSET, &ok);
    if (!ok)
        return;
    size_t from;
    const struct store_zset_srange *wsr;
    const struct store_zset_lrange *wlr;
    int walk = zrange_plan(&q, z, &from, &wsr, &wlr);
    if (store)
        zrange_store(c, &q, z, walk, from, wsr, wlr);
    else
        zrange_reply(c, &q, z, walk, from, wsr, wlr);
}

/* ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count]
 * [WITHSCORES] */
void cmd_zrange(struct client *c)
{
    zrange_generic(c, 1, 0, RANGE_AUTO, DIR_AUTO);
}

/* ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count] */
void cmd_zrangestore(struct client *c)
{
    zrange_generic(c, 2, 1, RANGE_AUTO, DIR_AUTO);
}

/* ZREVRANGE key start stop [WITHSCORES] */
void cmd_zrevrange(struct client *c)
{
    zrange_generic(c, 1, 0, RANGE_RANK, DIR_REVERSE);
}

/* ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count] */
void cmd_zrangebyscore(struct client *c)
{
    zrange_generic(c, 1, 0, RANGE_SCORE, DIR_FORWARD);
}

/* ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count] */
void cmd_zrevrangebyscore(struct client *c)
{
    zrange_generic(c, 1, 0, RANGE_SCORE, DIR_REVERSE);
}

/* ZRANGEBYLEX key min max [LIMIT offset count] */
void cmd_zrangebylex(struct client *c)
{
    zrange_generic(c, 1, 0, RANGE_LEX, DIR_FORWARD);
}

/* ZREVRANGEBYLEX key max min [LIMIT offset count] */
void cmd_zrevrangebylex(struct client *c)
{
    zrange_generic(c, 1, 0, RANGE_LEX, DIR_REVERSE);
}

/* ---- ZREMRANGEBY* ------------------------------------------------------- */

static void zremrange_generic(struct client *c, enum range_type type)
{
    static const char *const events[] = {
        [RANGE_RANK] = "zremrangebyrank",
        [RANGE_SCORE] = "zremrangebyscore",
        [RANGE_LEX] = "zremrangebylex",
    };
    int64_t start = 0, end = 0;
    struct store_zset_srange sr;
    struct store_zset_lrange lr;
    if (type == RANGE_RANK) {
        if (!arg_i64_or_reply(c, 2, &start) || !arg_i64_or_reply(c, 3, &end))
            return;
    } else if (type == RANGE_SCORE) {
        if (!srange_or_reply(c, 2, 3, &sr))
            return;
    } else if (!lrange_or_reply(c, 2, 3, &lr)) {
        return;
    }
    int ok;
    struct store_zset *z = obj_write(c, 1, STORE_T_ZSET, 0, &ok);
    if (!ok)
        return;
    if (!z) {
        resp_add_int(&c->out, 0);
        return;
    }
    size_t len = store_zset_len(z), from = 0, count = 0;
    if (type == RANGE_RANK) {
        rank_range(start, end, len, &from, &count);
    } else {
        int found = type == RANGE_SCORE
                        ? store_zset_first_score(z, &sr, 0, &from)
                        : store_zset_first_lex(z, &lr, 0, &from);
        /* Then only the far end counts, as in Redis. */
        sr.min = -HUGE_VAL;
        sr.minex = 0;
        lr.mink = -1;
        struct store_zset_it it;
        struct store_zset_view v;
        store_zset_seek(z, from, 0, &it);
        while (found && store_zset_next(z, &it, &v) &&
               (type == RANGE_SCORE
                    ? store_zset_srange_has(&sr, v.score)
                    : store_zset_lrange_has(&lr, v.m, v.mlen)))
            count++;
    }
    if (count)
        store_zset_del_rank(client_db(c), z, from, from + count - 1);
    if (count) {
        coll_changed(c, 1, NOTIFY_ZSET, events[type]);
        server_dirty_elements(c->srv, count);
        obj_drop_if_empty(c, 1, STORE_T_ZSET, z);
    }
    resp_add_int(&c->out, (int64_t)count);
}

/* ZREMRANGEBYRANK key start stop */
void cmd_zremrangebyrank(struct client *c)
{
    zremrange_generic(c, RANGE_RANK);
}

/* ZREMRANGEBYSCORE key min max */
void cmd_zremrangebyscore(struct client *c)
{
    zremrange_generic(c, RANGE_SCORE);
}

/* ZREMRANGEBYLEX key min max */
void cmd_zremrangebylex(struct client *c)
{
    zremrange_generic(c, RANGE_LEX);
}

/* ---- Pops --------------------------------------------------------------- */

/* How a pop's reply is shaped (Redis's genericZpopCommand). */
enum pop_shape {
    POP_FLAT,        /* ZPOPMIN/MAX: [m, s, m, s...] (RESP3 with a count:
                      * [[m, s], ...]) */
    POP_KEY_FLAT,    /* BZPOPMIN/MAX: [key, m, s] */
    POP_KEY_NESTED,  /* ZMPOP/BZMPOP: [key, [[m, s], ...]] */
};

/* Pops up to count (-1: one, plain) members of z, argument ki's set, from
 * the low end (max 0) or the high end, replying in shape; then the event
 * and "del" when emptied. */
static void pop_reply(struct client *c, size_t ki, struct store_zset *z,
                      int max, int64_t count, enum pop_shape shape)
{
    int nested = shape == POP_KEY_NESTED ||
                 (shape == POP_FLAT && c->proto >= 3 && count != -1);
    if (count == -1)
        count = 1;
    size_t len = store_zset_len(z);
    size_t n = (uint64_t)count > len ? len : (size_t)count;
    if (shape == POP_FLAT) {
        resp_add_array(&c->out, nested ? n : n * 2);
    } else if (shape == POP_KEY_FLAT) {
        resp_add_array(&c->out, n * 2 + 1);
        resp_add_bulk(&c->out, c->argv[ki], c->argvlen[ki]);
    } else {
        resp_add_array(&c->out, 2);
        resp_add_bulk(&c->out, c->argv[ki], c->argvlen[ki]);
        resp_add_array(&c->out, n);
    }
    struct store_zset_it it;
    struct store_zset_view v;
    store_zset_seek(z, 0, max, &it);
    for (size_t i = 0; i < n && store_zset_next(z, &it, &v); i++) {
        if (nested)
            resp_add_array(&c->out, 2);
        resp_add_bulk(&c->out, v.m, v.mlen);
        add_score(&c->out, v.score);
    }
    if (n) {
        if (max)
            store_zset_del_rank(client_db(c), z, len - n, len - 1);
        else
            store_zset_del_rank(client_db(c), z, 0, n - 1);
        coll_changed(c, ki, NOTIFY_ZSET, max ? "zpopmax" : "zpopmin");
        server_dirty_elements(c->srv, n);
        obj_drop_if_empty(c, ki, STORE_T_ZSET, z);
    }
}

/* ZPOPMIN / ZPOPMAX key [count] */
static void zpop_generic(struct client *c, int max)
{
    if (c->argc > 3) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    int64_t count = -1;
    if (c->argc == 3 &&
        (!parse_i64(c->argv[2], c->argvlen[2], &count) || count < 0)) {
        reply_error(c, ERR_NOT_POSITIVE);
        return;
    }
    int ok;
    struct store_zset *z = obj_write(c, 1, STORE_T_ZSET, 0, &ok);
    if (!ok)
        return;
    if (!z || count == 0) {
        resp_add_array(&c->out, 0);
        return;
    }
    pop_reply(c, 1, z, max, count, POP_FLAT);
}

/* ZPOPMIN key [count] */
void cmd_zpopmin(struct client *c)
{
    zpop_generic(c, 0);
}

/* ZPOPMAX key [count] */
void cmd_zpopmax(struct client *c)
{
    zpop_generic(c, 1);
}

/* BZPOPMIN / BZPOPMAX key [key ...] timeout */
static void bzpop_generic(struct client *c, int max)
{
    int64_t deadline;
    if (!block_timeout_or_reply(c, c->argc - 1, BLOCK_SECONDS, &deadline))
        return;
    size_t ki;
    struct store_zset *z = obj_pop_source(c, 1, c->argc - 2, STORE_T_ZSET,
                                          1, deadline, &ki);
    if (z)
        pop_reply(c, ki, z, max, -1, POP_KEY_FLAT);
}

/* BZPOPMIN key [key ...] timeout */
void cmd_bzpopmin(struct client *c)
{
    bzpop_generic(c, 0);
}

/* BZPOPMAX key [key ...] timeout */
void cmd_bzpopmax(struct client *c)
{
    bzpop_generic(c, 1);
}

/* ZMPOP numkeys key [key ...] MIN|MAX [COUNT count] */
void cmd_zmpop(struct client *c)
{
    size_t n, ki;
    int max;
    int64_t count;
    if (!mpop_args(c, 1, "MIN", "MAX", &n, &max, &count))
        return;
    struct store_zset *z = obj_pop_source(c, 2, n, STORE_T_ZSET, 0, 0, &ki);
    if (z)
        pop_reply(c, ki, z, max, count, POP_KEY_NESTED);
}

/* BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]: Redis
 * parses the timeout last. */
void cmd_bzmpop(struct client *c)
{
    int64_t deadline, count;
    size_t n, ki;
    int max;
    if (!mpop_args(c, 2, "MIN", "MAX", &n, &max, &count) ||
        !block_timeout_or_reply(c, 1, BLOCK_SECONDS, &deadline))
        return;
    struct store_zset *z = obj_pop_source(c, 3, n, STORE_T_ZSET, 1, deadline,
                                          &ki);
    if (z)
        pop_reply(c, ki, z, max, count, POP_KEY_NESTED);
}
