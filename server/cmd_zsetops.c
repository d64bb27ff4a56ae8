/* cmd_zsetops.c - sorted set commands over several keys and the
 * iterators: ZUNIONSTORE ZINTERSTORE ZDIFFSTORE ZUNION ZINTER ZDIFF
 * ZINTERCARD, ZSCAN and ZRANDMEMBER. The one-key commands are in
 * cmd_zset.c.
 *
 * The algebra follows Redis 7.0's zunionInterDiffGenericCommand: numkeys,
 * then every key is looked up (a key that is neither a sorted set nor a
 * set is WRONGTYPE; a set's members score 1), then WEIGHTS, AGGREGATE
 * and WITHSCORES are parsed. Inputs are sorted by size (smallest first;
 * glibc's qsort is a stable merge sort, as under Redis, so sums add up
 * in the same order). A weighted score or a SUM that comes out NaN
 * (inf - inf, inf * 0) counts as 0, as in Redis.
 *
 * The result is built in a fresh store_zset, so a destination that is
 * also an input reads the old value; the STORE forms then give it to the
 * key, or delete the key when the result is empty ("del" only if a key
 * was there). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/coll.h"
#include "server/handlers.h"

/* ---- Inputs: sorted sets or sets ---------------------------------------- */

struct zsrc {
    enum store_type type;        /* STORE_T_ZSET or STORE_T_SET */
    void *o;                     /* NULL: missing key, empty */
    double weight;
};

/* Iterator over one input, scores included (1 for set members). */
struct zsrc_it {
    struct store_zset_it zit;
    struct store_coll_it cit;
    struct store_coll_view cv;   /* holds an intset member's text */
};

static size_t src_len(const struct zsrc *s)
{
    if (!s->o)
        return 0;
    return s->type == STORE_T_ZSET ? store_zset_len(s->o)
                                   : store_coll_len(s->o);
}

static void src_start(const struct zsrc *s, struct zsrc_it *it)
{
    memset(it, 0, sizeof *it);
    if (s->o && s->type == STORE_T_ZSET)
        store_zset_seek(s->o, 0, 0, &it->zit);
}

static int src_next(const struct zsrc *s, struct zsrc_it *it,
                    struct store_zset_view *v)
{
    if (!s->o)
        return 0;
    if (s->type == STORE_T_ZSET)
        return store_zset_next(s->o, &it->zit, v);
    if (!store_coll_next(s->o, &it->cit, &it->cv))
        return 0;
    v->m = it->cv.f;
    v->mlen = it->cv.flen;
    v->score = 1.0;
    return 1;
}

/* 1 and *score (unweighted) if m is in input s. */
static int src_find(const struct zsrc *s, const char *m, size_t mlen,
                    double *score)
{
    if (!s->o)
        return 0;
    if (s->type == STORE_T_ZSET)
        return store_zset_score(s->o, m, mlen, score);
    *score = 1.0;
    return store_coll_get(s->o, m, mlen, NULL);
}

static int by_len(const void *a, const void *b)
{
    size_t x = src_len(a), y = src_len(b);
    return x < y ? -1 : x > y;
}

enum aggr { AGGR_SUM, AGGR_MIN, AGGR_MAX };
enum zop { ZOP_UNION, ZOP_INTER, ZOP_DIFF };

static double weighted(double score, double weight)
{
    double d = score * weight;
    return d != d ? 0.0 : d;
}

static void aggregate(double *target, double val, enum aggr a)
{
    if (a == AGGR_SUM) {
        *target += val;
        if (*target != *target)
            *target = 0.0;
    } else if (a == AGGR_MIN) {
        *target = val < *target ? val : *target;
    } else {
        *target = val > *target ? val : *target;
    }
}

/* Computes op over src[0..n) into dst, or when dst is NULL only counts
 * the result into *card, stopping at limit (0: none). STORE_OK or
 * STORE_NOMEM. */
static int zset_op(struct store *db, enum zop op, struct zsrc *src, size_t n,
                   enum aggr ag, struct store_zset *dst, size_t limit,
                   size_t *card)
{
    struct zsrc_it it;
    struct store_zset_view v;
    double out;
    *card = 0;
    if (op == ZOP_DIFF) {
        src_start(&src[0], &it);
        while (src_next(&src[0], &it, &v)) {
            double d;
            size_t k = 1;
            while (k < n && !src_find(&src[k], v.m, v.mlen, &d))
                k++;
            if (k < n)
                continue;
            if (store_zset_add(db, dst, v.m, v.mlen, v.score, 0, &out) < 0)
                return STORE_NOMEM;
        }
        *card = store_zset_len(dst);
        return STORE_OK;
    }
    qsort(src, n, sizeof *src, by_len);
    if (op == ZOP_INTER) {
        if (src_len(&src[0]) == 0)
            return STORE_OK;
        src_start(&src[0], &it);
        while (src_next(&src[0], &it, &v)) {
            double score = weighted(v.score, src[0].weight), d;
            size_t k = 1;
            for (; k < n; k++) {
                if (!src_find(&src[k], v.m, v.mlen, &d))
                    break;
                /* Unlike the first input's, this product may be NaN:
                 * SUM then gives 0, MIN and MAX keep score (Redis). */
                aggregate(&score, d * src[k].weight, ag);
            }
            if (k < n)
                continue;
            ++*card;
            if (!dst) {
                if (*card == limit)
                    break;
                continue;
            }
            if (store_zset_add(db, dst, v.m, v.mlen, score, 0, &out) < 0)
                return STORE_NOMEM;
        }
        return STORE_OK;
    }
    for (size_t k = 0; k < n; k++) {
        src_start(&src[k], &it);
        while (src_next(&src[k], &it, &v)) {
            double score = weighted(v.score, src[k].weight), cur;
            if (store_zset_score(dst, v.m, v.mlen, &cur)) {
                double was = cur;
                aggregate(&cur, score, ag);
                score = cur;
                /* -0 + 0 is 0, which ZADD semantics would not write. */
                if (score == was && signbit(score) != signbit(was))
                    store_zset_del(db, dst, v.m, v.mlen);
            }
            if (store_zset_add(db, dst, v.m, v.mlen, score, 0, &out) < 0)
                return STORE_NOMEM;
        }
    }
    *card = store_zset_len(dst);
    return STORE_OK;
}

/* Writes the members of z as an array, with scores as ZRANGE does,
 * from the highest score when rev. */
static void reply_zset(struct client *c, const struct store_zset *z,
                       int withscores, int rev)
{
    size_t n = store_zset_len(z);
    resp_add_array(&c->out, withscores && c->proto < 3 ? n * 2 : n);
    struct store_zset_it it;
    struct store_zset_view v;
    store_zset_seek(z, 0, rev, &it);
    while (store_zset_next(z, &it, &v)) {
        if (withscores && c->proto >= 3)
            resp_add_array(&c->out, 2);
        resp_add_bulk(&c->out, v.m, v.mlen);
        if (withscores)
            resp_add_double(&c->out, v.score);
    }
}

/* The lower-case name of the running command, for error texts. */
static void cmd_name(const struct client *c, char *buf, size_t cap)
{
    size_t i = 0;
    for (; c->cmd->name[i] && i + 1 < cap; i++) {
        char ch = c->cmd->name[i];
        buf[i] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
    }
    buf[i] = '\0';
}

/* The options after the keys: WEIGHTS and AGGREGATE (ZUNION, ZINTER),
 * LIMIT (ZINTERCARD), WITHSCORES (the replying forms). */
struct zop_opts {
    enum aggr ag;
    int withscores;
    int64_t limit;
};

/* The numkeys keys after argument nk, looked up (a missing key is an
 * empty source, weight 1); NULL after the error reply. Sets *n. */
static struct zsrc *zop_sources_or_reply(struct client *c, size_t nk,
                                         size_t *n)
{
    int64_t setnum;
    if (!arg_i64_or_reply(c, nk, &setnum))
        return NULL;
    if (setnum < 1) {
        char name[32];
        cmd_name(c, name, sizeof name);
        reply_error(c, ERR_ZSET_NUMKEYS, name);
        return NULL;
    }
    if ((uint64_t)setnum > c->argc - nk - 1) {
        reply_error(c, ERR_SYNTAX);
        return NULL;
    }
    *n = (size_t)setnum;
    struct zsrc *src = calloc(*n, sizeof *src);
    if (!src) {
        reply_error(c, ERR_OOM);
        return NULL;
    }
    int64_t now = server_now_ms(c->srv);
    for (size_t i = 0, j = nk + 1; i < *n; i++, j++) {
        struct store_entry *e =
            key_lookup_read(c, c->argv[j], c->argvlen[j], now);
        src[i].weight = 1.0;
        if (!e)
            continue;
        enum store_type t = store_entry_type(e);
        if (t != STORE_T_ZSET && t != STORE_T_SET) {
            free(src);
            reply_error(c, ERR_WRONGTYPE);
            return NULL;
        }
        src[i].type = t;
        src[i].o = store_entry_obj(e);
    }
    return src;
}

/* Reads the options from argument j on, WEIGHTS into src; 1, or 0 after
 * the error reply. */
static int zop_opts_or_reply(struct client *c, enum zop op, int store,
                             int card, size_t j, struct zsrc *src, size_t n,
                             struct zop_opts *o)
{
    while (j < c->argc) {
        size_t left = c->argc - j;
        if (op != ZOP_DIFF && !card && left >= n + 1 &&
            arg_is(c, j, "WEIGHTS")) {
            j++;
            for (size_t i = 0; i < n; i++, j++) {
                if (!parse_double(c->argv[j], c->argvlen[j],
                                  &src[i].weight)) {
                    reply_error(c, ERR_ZSET_WEIGHT);
                    return 0;
                }
            }
        } else if (op != ZOP_DIFF && !card && left >= 2 &&
                   arg_is(c, j, "AGGREGATE")) {
            j++;
            if (arg_is(c, j, "SUM")) {
                o->ag = AGGR_SUM;
            } else if (arg_is(c, j, "MIN")) {
                o->ag = AGGR_MIN;
            } else if (arg_is(c, j, "MAX")) {
                o->ag = AGGR_MAX;
            } else {
                reply_error(c, ERR_SYNTAX);
                return 0;
            }
            j++;
        } else if (card && left >= 2 && arg_is(c, j, "LIMIT")) {
            j++;
            if (!parse_i64(c->argv[j], c->argvlen[j], &o->limit) ||
                o->limit < 0) {
                reply_error(c, ERR_LIMIT_NEG);
                return 0;
            }
            j++;
        } else if (!store && !card && arg_is(c, j, "WITHSCORES")) {
            j++;
            o->withscores = 1;
        } else {
            reply_error(c, ERR_SYNTAX);
            return 0;
        }
    }
    return 1;
}

/* The STORE forms: dst (taken) becomes argv[1], or argv[1] is deleted
 * when dst is empty; replies the size. */
static void zop_store(struct client *c, struct store_zset *dst, size_t count,
                      const char *event)
{
    struct store *db = client_db(c);
    if (count == 0) {
        store_zset_free(db, dst);
        key_store_empty(c, 1);
        resp_add_int(&c->out, 0);
        return;
    }
    store_zset_fit(db, dst);
    if (obj_store(c, STORE_T_ZSET, dst)) {
        store_zset_free(db, dst);
        reply_error(c, ERR_OOM);
        return;
    }
    coll_changed(c, 1, NOTIFY_ZSET, event);
    resp_add_int(&c->out, (int64_t)count);
}

/* ZUNION/ZINTER/ZDIFF[STORE] and ZINTERCARD: numkeys is argument nk;
 * store: argv[1] is the destination; card: ZINTERCARD. */
static void zset_op_cmd(struct client *c, enum zop op, size_t nk, int store,
                        int card, const char *event)
{
    size_t n;
    struct zsrc *src = zop_sources_or_reply(c, nk, &n);
    if (!src)
        return;
    struct zop_opts o = { .ag = AGGR_SUM };
    if (!zop_opts_or_reply(c, op, store, card, nk + 1 + n, src, n, &o)) {
        free(src);
        return;
    }
    struct store *db = client_db(c);
    size_t count;
    if (card) {
        zset_op(db, op, src, n, o.ag, NULL, (size_t)o.limit, &count);
        free(src);
        resp_add_int(&c->out, (int64_t)count);
        return;
    }
    struct store_zset *dst = store_zset_new(db);
    /* The result is built as Redis builds it, a skip list (then made
     * compact if it fits, for STORE), so that -0 scores come out as in
     * Redis (a compact set stores 0). */
    int failed = !dst || store_zset_expand(db, dst) ||
                 zset_op(db, op, src, n, o.ag, dst, 0, &count);
    free(src);
    if (failed) {
        store_zset_free(db, dst);
        reply_error(c, ERR_OOM);
    } else if (store) {
        zop_store(c, dst, count, event);
    } else {
        reply_zset(c, dst, o.withscores, 0);
        store_zset_free(db, dst);
    }
}

/* ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS w ...]
 * [AGGREGATE SUM|MIN|MAX] */
void cmd_zunionstore(struct client *c)
{
    zset_op_cmd(c, ZOP_UNION, 2, 1, 0, "zunionstore");
}

/* ZINTERSTORE destination numkeys key [key ...] [WEIGHTS w ...]
 * [AGGREGATE SUM|MIN|MAX] */
void cmd_zinterstore(struct client *c)
{
    zset_op_cmd(c, ZOP_INTER, 2, 1, 0, "zinterstore");
}

/* ZDIFFSTORE destination numkeys key [key ...] */
void cmd_zdiffstore(struct client *c)
{
    zset_op_cmd(c, ZOP_DIFF, 2, 1, 0, "zdiffstore");
}

/* ZUNION numkeys key [key ...] [WEIGHTS ...] [AGGREGATE ...] [WITHSCORES] */
void cmd_zunion(struct client *c)
{
    zset_op_cmd(c, ZOP_UNION, 1, 0, 0, NULL);
}

/* ZINTER numkeys key [key ...] [WEIGHTS ...] [AGGREGATE ...] [WITHSCORES] */
void cmd_zinter(struct client *c)
{
    zset_op_cmd(c, ZOP_INTER, 1, 0, 0, NULL);
}

/* ZDIFF numkeys key [key ...] [WITHSCORES] */
void cmd_zdiff(struct client *c)
{
    zset_op_cmd(c, ZOP_DIFF, 1, 0, 0, NULL);
}

/* ZINTERCARD numkeys key [key ...] [LIMIT limit] */
void cmd_zintercard(struct client *c)
{
    zset_op_cmd(c, ZOP_INTER, 1, 0, 1, NULL);
}

/* ---- ZSCAN -------------------------------------------------------------- */

struct zscan_ctx {
    struct obj_scan *scan;
    int compact;
};

/* ZSCAN's score text. Redis replies with the score as its listpack holds
 * it, written at insert time with integral scores up to 2^62 in integer
 * form ("123456789012345680"), and with "%.17g" ("1.2345678901234568e+17",
 * as ZSCORE) once the set is a skip list; so do we, by encoding. */
static int zscan_score(char *buf, size_t size, double d, int compact)
{
    const double limit = 4611686018427387904.0;        /* 2^62 */
    if (isinf(d))
        return snprintf(buf, size, "%s", d > 0 ? "inf" : "-inf");
    if (compact && d >= -limit && d <= limit && d == (double)(long long)d)
        return snprintf(buf, size, "%lld", (long long)d);
    return snprintf(buf, size, "%.17g", d);
}

static void zscan_cb(void *ctx, const struct store_zset_view *v)
{
    struct zscan_ctx *z = ctx;
    if (!obj_scan_take(z->scan, v->m, v->mlen))
        return;
    char buf[64];
    int n = zscan_score(buf, sizeof buf, v->score, z->compact);
    resp_add_bulk(&z->scan->items, buf, (size_t)n);
    z->scan->nitems++;
}

static uint64_t zscan_step(const void *o, uint64_t cursor, struct obj_scan *s)
{
    struct zscan_ctx z = { s, store_zset_is_compact(o) };
    return store_zset_scan(o, cursor, 1, zscan_cb, &z);
}

/* ZSCAN key cursor [MATCH pattern] [COUNT count]: members and scores, as
 * HSCAN's fields and values. */
void cmd_zscan(struct client *c)
{
    cmd_obj_scan(c, STORE_T_ZSET, zscan_step);
}

/* ---- ZRANDMEMBER -------------------------------------------------------- */

static void emit_member(struct client *c, const struct store_zset_view *v,
                        int withscores)
{
    if (withscores && c->proto >= 3)
        resp_add_array(&c->out, 2);
    resp_add_bulk(&c->out, v->m, v->mlen);
    if (withscores)
        resp_add_double(&c->out, v->score);
}

static void member_at(const struct store_zset *z, size_t rank,
                      struct store_zset_view *v)
{
    struct store_zset_it it;
    store_zset_seek(z, rank, 0, &it);
    store_zset_next(z, &it, v);
}

static size_t rand_below(size_t n)
{
    uint64_t r = ((uint64_t)random() << 31) ^ (uint64_t)random();
    return (size_t)(r % n);
}

/* ZRANDMEMBER key [count [WITHSCORES]]: one random member (null when
 * absent); with a count, |count| members: distinct when count > 0 (the
 * whole set, highest score first, when count >= its size), with repeats
 * when count < 0. */
void cmd_zrandmember(struct client *c)
{
    int64_t count = 0;
    int withscores = 0;
    if (c->argc >= 3) {
        if (!arg_i64_or_reply(c, 2, &count))
            return;
        if (count == INT64_MIN) {
            reply_error(c, ERR_LONG_RANGE);
            return;
        }
        if (c->argc == 4 && arg_is(c, 3, "WITHSCORES")) {
            withscores = 1;
            if (count < -INT64_MAX / 2 || count > INT64_MAX / 2) {
                reply_error(c, ERR_VALUE_RANGE);
                return;
            }
        } else if (c->argc >= 4) {
            reply_error(c, ERR_SYNTAX);
            return;
        }
    }
    int ok;
    struct store_zset *z = obj_read(c, 1, STORE_T_ZSET, &ok);
    if (!ok)
        return;
    struct store_zset_view v;
    if (c->argc == 2) {
        if (!z) {
            resp_add_null(&c->out);
            return;
        }
        member_at(z, rand_below(store_zset_len(z)), &v);
        resp_add_bulk(&c->out, v.m, v.mlen);
        return;
    }
    if (!z || count == 0) {
        resp_add_array(&c->out, 0);
        return;
    }
    size_t len = store_zset_len(z);
    size_t n = count < 0 ? (size_t)-count : (size_t)count;
    int pairs = withscores && c->proto < 3;
    if (count < 0) {
        resp_add_array(&c->out, pairs ? n * 2 : n);
        for (size_t i = 0; i < n; i++) {
            member_at(z, rand_below(len), &v);
            emit_member(c, &v, withscores);
        }
        return;
    }
    if (n >= len) {
        /* Redis 7.0 lists the whole set from the highest score. */
        reply_zset(c, z, withscores, 1);
        return;
    }
    /* n distinct ranks: a partial Fisher-Yates shuffle of 0..len-1. */
    size_t *rk = malloc(len * sizeof *rk);
    if (!rk) {
        reply_error(c, ERR_OOM);
        return;
    }
    for (size_t i = 0; i < len; i++)
        rk[i] = i;
    resp_add_array(&c->out, pairs ? n * 2 : n);
    for (size_t i = 0; i < n; i++) {
        size_t k = i + rand_below(len - i), t = rk[i];
        rk[i] = rk[k];
        rk[k] = t;
        member_at(z, rk[i], &v);
        emit_member(c, &v, withscores);
    }
    free(rk);
}
