/* zset_iter.c - reading a sorted set in order (store/zset.c holds the
 * encodings and the member operations): iterators from a rank in either
 * direction, score and lexicographic ranges (first member in range,
 * counts), ZSCAN, and the invariant check the tests run.
 *
 * Ranges follow Redis's algorithms, so that odd inputs give Redis's
 * answers: a compact set is walked from the chosen end to the first
 * member past the near bound, a skip list descends to it; either way the
 * far bound is then checked on that member only. Lexicographic ranges
 * compare members alone, whatever their scores (meaningful when all
 * scores are equal, as Redis documents). Nothing here allocates. */
#include "store/zset_int.h"

#include <math.h>

/* ---- Public API: iteration and ranges ------------------------------------ */

/* Positions it so that store_zset_next yields the member of 0-based rank
 * rank (counted from the highest score when rev), then the following
 * ones in that direction. rank >= len gives an empty iteration. */
void store_zset_seek(const struct store_zset *z, size_t rank, int rev,
                     struct store_zset_it *it)
{
    it->rev = rev;
    it->node = NULL;
    it->off = 0;
    if (rank >= z->n) {
        it->off = rev ? 0 : lp_used(z);
        return;
    }
    size_t fwd = rev ? z->n - 1 - rank : rank;
    if (zs_compact(z)) {
        it->off = lp_at(z, fwd);
        if (rev) {
            struct store_zset_view v;
            it->off = lp_get(z, it->off, &v);
        }
        return;
    }
    it->node = zsl_at(z, fwd + 1);
}

/* Yields the next member into *v (views borrowed until z changes) and
 * returns 1, or returns 0 at the end. */
int store_zset_next(const struct store_zset *z, struct store_zset_it *it,
                    struct store_zset_view *v)
{
    if (zs_compact(z)) {
        if (it->rev) {
            if (it->off == 0)
                return 0;
            it->off = lp_prev(z, it->off);
            lp_get(z, it->off, v);
            return 1;
        }
        if (it->off >= lp_used(z))
            return 0;
        it->off = lp_get(z, it->off, v);
        return 1;
    }
    const struct zs_node *x = it->node;
    if (!x)
        return 0;
    v->m = node_m(x);
    v->mlen = x->mlen;
    v->score = x->score;
    it->node = it->rev ? x->back : x->lvl[0].fwd;
    return 1;
}

static int gte_min(const struct store_zset_srange *r, double d)
{
    return r->minex ? d > r->min : d >= r->min;
}

static int lte_max(const struct store_zset_srange *r, double d)
{
    return r->maxex ? d < r->max : d <= r->max;
}

/* 1 if score d lies in range r. */
int store_zset_srange_has(const struct store_zset_srange *r, double d)
{
    return gte_min(r, d) && lte_max(r, d);
}

/* Compares member m with a lex bound (kind -1 "-", 1 "+", 0 bytes). */
static int lex_cmp(const char *m, size_t mlen, int kind, const char *b,
                   size_t blen)
{
    if (kind)
        return -kind;
    return mcmp(m, mlen, b, blen);
}

static int lex_gte_min(const struct store_zset_lrange *r, const char *m,
                       size_t mlen)
{
    int c = lex_cmp(m, mlen, r->mink, r->min, r->minlen);
    return r->minex ? c > 0 : c >= 0;
}

static int lex_lte_max(const struct store_zset_lrange *r, const char *m,
                       size_t mlen)
{
    int c = lex_cmp(m, mlen, r->maxk, r->max, r->maxlen);
    return r->maxex ? c < 0 : c <= 0;
}

/* 1 if member m lies in lex range r. */
int store_zset_lrange_has(const struct store_zset_lrange *r, const char *m,
                          size_t mlen)
{
    return lex_gte_min(r, m, mlen) && lex_lte_max(r, m, mlen);
}

/* 1 if the range can hold nothing (min above max), as Redis checks. */
static int srange_empty(const struct store_zset_srange *r)
{
    return r->min > r->max ||
           (r->min == r->max && (r->minex || r->maxex));
}

static int lrange_empty(const struct store_zset_lrange *r)
{
    int c;
    if (r->mink || r->maxk)
        c = r->mink == r->maxk ? 0 : r->mink > r->maxk ? 1 : -1;
    else
        c = mcmp(r->min, r->minlen, r->max, r->maxlen);
    return c > 0 || (c == 0 && (r->minex || r->maxex));
}

/* Test of an element against one end of a score or lex range. */
struct bound {
    const struct store_zset_srange *s;
    const struct store_zset_lrange *l;
};

static int b_gte_min(const struct bound *b, double d, const char *m,
                     size_t mlen)
{
    return b->s ? gte_min(b->s, d) : lex_gte_min(b->l, m, mlen);
}

static int b_lte_max(const struct bound *b, double d, const char *m,
                     size_t mlen)
{
    return b->s ? lte_max(b->s, d) : lex_lte_max(b->l, m, mlen);
}

/* The first member in range walking in direction rev: 1 and its rank
 * (0-based from that end), or 0. */
static int first_in(const struct store_zset *z, const struct bound *b,
                    int rev, size_t *rank)
{
    if (z->n == 0 || (b->s ? srange_empty(b->s) : lrange_empty(b->l)))
        return 0;
    /* Redis's zslIsInRange: the last member must pass the low end and
     * the first the high end (with mixed scores, a lex range can fail
     * this although some member lies in it). */
    struct store_zset_it it;
    struct store_zset_view v;
    store_zset_seek(z, 0, 1, &it);
    store_zset_next(z, &it, &v);
    if (!b_gte_min(b, v.score, v.m, v.mlen))
        return 0;
    store_zset_seek(z, 0, 0, &it);
    store_zset_next(z, &it, &v);
    if (!b_lte_max(b, v.score, v.m, v.mlen))
        return 0;
    if (zs_compact(z)) {
        store_zset_seek(z, 0, rev, &it);
        for (size_t r = 0; store_zset_next(z, &it, &v); r++) {
            if (rev ? b_lte_max(b, v.score, v.m, v.mlen)
                    : b_gte_min(b, v.score, v.m, v.mlen)) {
                if (rev ? !b_gte_min(b, v.score, v.m, v.mlen)
                        : !b_lte_max(b, v.score, v.m, v.mlen))
                    return 0;
                *rank = r;
                return 1;
            }
        }
        return 0;
    }
    struct zs_node *x = zhead(z);
    size_t t = 0;
    for (int i = zsl(z)->level - 1; i >= 0; i--) {
        for (struct zs_node *f; (f = x->lvl[i].fwd) != NULL;) {
            int go = rev ? b_lte_max(b, f->score, node_m(f), f->mlen)
                         : !b_gte_min(b, f->score, node_m(f), f->mlen);
            if (!go)
                break;
            t += x->lvl[i].span;
            x = f;
        }
    }
    if (rev) {
        if (x == zhead(z) || !b_gte_min(b, x->score, node_m(x), x->mlen))
            return 0;
        *rank = z->n - t;
        return 1;
    }
    x = x->lvl[0].fwd;
    if (!x || !b_lte_max(b, x->score, node_m(x), x->mlen))
        return 0;
    *rank = t;
    return 1;
}

/* The first member with a score in r walking in direction rev (from the
 * lowest score, or the highest when rev): 1 and its 0-based rank from
 * that end in *rank, or 0 when none is in range. */
int store_zset_first_score(const struct store_zset *z,
                           const struct store_zset_srange *r, int rev,
                           size_t *rank)
{
    struct bound b = { r, NULL };
    return first_in(z, &b, rev, rank);
}

/* Like store_zset_first_score for a lexicographic range of members. */
int store_zset_first_lex(const struct store_zset *z,
                         const struct store_zset_lrange *r, int rev,
                         size_t *rank)
{
    struct bound b = { NULL, r };
    return first_in(z, &b, rev, rank);
}

/* Members in range: from the first in range, as far as they stay in it
 * (compact), or by the ranks of both ends (skip list), as Redis counts. */
static size_t count_in(const struct store_zset *z, const struct bound *b)
{
    size_t first, last;
    if (!first_in(z, b, 0, &first))
        return 0;
    if (!zs_compact(z)) {
        if (!first_in(z, b, 1, &last))
            return 0;
        return z->n - last - first;
    }
    struct store_zset_it it;
    struct store_zset_view v;
    size_t n = 0;
    store_zset_seek(z, first, 0, &it);
    while (store_zset_next(z, &it, &v) &&
           b_lte_max(b, v.score, v.m, v.mlen))
        n++;
    return n;
}

/* ZCOUNT: members whose score is in r. */
size_t store_zset_count_score(const struct store_zset *z,
                              const struct store_zset_srange *r)
{
    struct bound b = { r, NULL };
    return count_in(z, &b);
}

/* ZLEXCOUNT: members in lex range r. */
size_t store_zset_count_lex(const struct store_zset *z,
                            const struct store_zset_lrange *r)
{
    struct bound b = { NULL, r };
    return count_in(z, &b);
}

/* ---- Scanning ------------------------------------------------------------ */

static void emit_chain(const struct zs_node *x, store_zset_cb cb, void *ctx)
{
    struct store_zset_view v;
    for (; x; x = x->hnext) {
        v.m = node_m(x);
        v.mlen = x->mlen;
        v.score = x->score;
        cb(ctx, &v);
    }
}

struct chain_scan {
    const struct zsl *h;
    store_zset_cb cb;
    void *ctx;
};

static void scan_bucket(void *ctx, int t, uint64_t i)
{
    struct chain_scan *sc = ctx;
    emit_chain(sc->h->ht[t][i], sc->cb, sc->ctx);
}

/* Calls cb for the members of about count hash buckets from cursor on
 * and returns the next cursor (0 when done). Every member present for
 * the whole scan is visited at least once. A compact set is visited
 * whole. cb must not change z. */
uint64_t store_zset_scan(const struct store_zset *z, uint64_t cursor,
                         size_t count, store_zset_cb cb, void *ctx)
{
    struct store_zset_view v;
    if (zs_compact(z)) {
        struct store_zset_it it;
        store_zset_seek(z, 0, 0, &it);
        while (store_zset_next(z, &it, &v))
            cb(ctx, &v);
        return 0;
    }
    const struct zsl *h = zsl(z);
    struct chain_scan sc = { h, cb, ctx };
    return store__buckets_scan(cursor, count, ht_size(h, 0), ht_size(h, 1),
                               scan_bucket, &sc);
}

/* ---- Checks -------------------------------------------------------------- */

/* Invariant check for the tests: 0, or the line of the failed check. */
int store__zset_check(const struct store_zset *z)
{
    struct store_zset_it it;
    struct store_zset_view v, prev = { NULL, 0, 0 };
    size_t n = 0;
    store_zset_seek(z, 0, 0, &it);
    while (store_zset_next(z, &it, &v)) {
        if (isnan(v.score))
            return __LINE__;
        if (n && !before(prev.score, prev.m, prev.mlen, v.score, v.m,
                         v.mlen))
            return __LINE__;
        double d;
        if (!store_zset_score(z, v.m, v.mlen, &d) || d != v.score)
            return __LINE__;
        prev = v;
        n++;
    }
    if (n != z->n)
        return __LINE__;
    if (zs_compact(z)) {
        if (z->n > STORE_COMPACT_MAX)
            return __LINE__;
        /* Walking backwards meets the same entries. */
        store_zset_seek(z, 0, 1, &it);
        size_t k = 0;
        while (store_zset_next(z, &it, &v))
            k++;
        return k == n ? 0 : __LINE__;
    }
    /* Spans: each level's links add up to the ranks seen on level 0. */
    for (int i = 0; i < zsl(z)->level; i++) {
        size_t r = 0;
        const struct zs_node *x = zhead(z);
        while (x->lvl[i].fwd) {
            r += x->lvl[i].span;
            x = x->lvl[i].fwd;
            if (zsl_at(z, r) != x)
                return __LINE__;
        }
    }
    const struct zs_node *x = zhead(z)->lvl[0].fwd, *back = NULL;
    for (; x; back = x, x = x->lvl[0].fwd)
        if (x->back != back)
            return __LINE__;
    if (zsl(z)->tail != back)
        return __LINE__;
    size_t h = 0;
    const struct zsl *l = zsl(z);
    for (int t = 0; t < 2; t++)
        for (size_t i = 0; i < ht_size(l, t); i++) {
            if (t == 0 && ht_rehashing(l) && i < l->rehashidx &&
                l->ht[0][i])
                return __LINE__;
            for (const struct zs_node *y = l->ht[t][i]; y; y = y->hnext)
                h++;
        }
    return h == n ? 0 : __LINE__;
}
