/* pubsub.c - the pub/sub registry: which clients listen on which channel,
 * pattern or shard channel, and delivery of published messages.
 *
 * Three tables, one per namespace (channels, patterns, shard channels),
 * each a chained hash table keyed by XXH3 of the name, whose nodes also
 * sit on a doubly linked list for iteration (PUBSUB CHANNELS, pattern
 * matching on PUBLISH):
 *
 *   table[k]: buckets -> ps_chan "news" -> ps_chan ...
 *             ps_chan { name, subs[] = client pointers in subscribe order }
 *   client:   c->ps->v[k][] = the ps_chan nodes it is subscribed to
 *
 * Invariants: a node exists only while it has at least one subscriber (the
 * last unsubscribe frees it, so memory returns); a client appears at most
 * once in a node's subs[] and a node at most once in the client's v[k].
 * Membership is checked by scanning whichever of the two arrays is
 * shorter, so neither many channels per client nor many clients per
 * channel makes SUBSCRIBE quadratic in the other.
 *
 * Delivery formats each frame once per PUBLISH (once per matching pattern
 * for pmessage) into a scratch buffer and appends those bytes to each
 * subscriber's output. RESP2 "*3..." and RESP3 ">3..." differ only in the
 * first byte, so one frame serves both. A subscriber whose unwritten
 * output passes client-output-buffer-limit pubsub (hard, or soft for
 * longer than soft-seconds) is closed once the delivery loop is done, as
 * Redis's "closed ASAP": the publisher and the other subscribers do not
 * notice, and the dropped output is freed with the client. client_cron()
 * checks every subscriber once a second as well (a limit lowered by CONFIG
 * SET, a soft limit's time running out with no message coming).
 *
 * Batching: while a publisher's pipeline is still being run, the flush
 * before poll (client.c) lets a subscriber's output wait until it is
 * PUBSUB_HOLD_BYTES or has waited PUBSUB_HOLD_PASSES loop passes, so a
 * fan-out costs one write per subscriber per batch, not per slice of
 * CMDS_PER_READ commands, and no message waits unboundedly.
 *
 * Not here: the commands' argument handling and replies (cmd_pubsub.c),
 * keyspace notifications (notify.c). */
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "server/pubsub.h"
#include "server/server.h"

struct ps_chan {
    struct ps_chan *next;                /* hash chain */
    struct ps_chan *all_prev, *all_next; /* every node of the table */
    uint64_t hash;
    struct client **subs;
    size_t nsubs, cap;
    size_t len;
    char name[];                         /* len bytes, then a NUL */
};

struct ps_table {
    struct ps_chan **buckets;
    size_t mask;                         /* buckets - 1; 0 until first add */
    size_t count;
    struct ps_chan *all;
};

struct pubsub {
    struct ps_table t[PUBSUB__KINDS];
    size_t nclients;                     /* clients with a subscription */
    struct resp_out frame;               /* scratch for one message */
    struct client **victims;             /* over the limit, to close */
    size_t nvictims, vcap;
};

struct pubsub_client {
    struct ps_chan **v[PUBSUB__KINDS];
    size_t n[PUBSUB__KINDS], cap[PUBSUB__KINDS];
    int64_t soft_since;                  /* over the soft limit since, ms */
    unsigned held;                       /* loop passes output was held */
    int doomed;                          /* on the victims list */
};

/* ---- Hash table ---------------------------------------------------------- */

static int table_resize(struct ps_table *t, size_t nb)
{
    struct ps_chan **b = calloc(nb, sizeof(*b));
    if (!b)
        return -1;
    for (struct ps_chan *ch = t->all; ch; ch = ch->all_next) {
        size_t i = ch->hash & (nb - 1);
        ch->next = b[i];
        b[i] = ch;
    }
    free(t->buckets);
    t->buckets = b;
    t->mask = nb - 1;
    return 0;
}

static struct ps_chan *table_find(const struct ps_table *t, const char *name,
                                  size_t len, uint64_t h)
{
    if (!t->buckets)
        return NULL;
    for (struct ps_chan *ch = t->buckets[h & t->mask]; ch; ch = ch->next)
        if (ch->hash == h && ch->len == len && memcmp(ch->name, name, len) == 0)
            return ch;
    return NULL;
}

static struct ps_chan *table_add(struct ps_table *t, const char *name,
                                 size_t len, uint64_t h)
{
    if (!t->buckets || t->count >= t->mask + 1) {
        size_t nb = t->buckets ? (t->mask + 1) * 2 : 16;
        if (table_resize(t, nb) != 0)
            return NULL;
    }
    struct ps_chan *ch = calloc(1, sizeof(*ch) + len + 1);
    if (!ch)
        return NULL;
    ch->hash = h;
    ch->len = len;
    memcpy(ch->name, name, len);
    size_t i = h & t->mask;
    ch->next = t->buckets[i];
    t->buckets[i] = ch;
    ch->all_next = t->all;
    if (t->all)
        t->all->all_prev = ch;
    t->all = ch;
    t->count++;
    return ch;
}

static void table_remove(struct ps_table *t, struct ps_chan *ch)
{
    for (struct ps_chan **p = &t->buckets[ch->hash & t->mask]; *p;
         p = &(*p)->next) {
        if (*p == ch) {
            *p = ch->next;
            break;
        }
    }
    if (ch->all_prev)
        ch->all_prev->all_next = ch->all_next;
    else
        t->all = ch->all_next;
    if (ch->all_next)
        ch->all_next->all_prev = ch->all_prev;
    t->count--;
    free(ch->subs);
    free(ch);
    /* Give memory back after a burst of channels: shrink at 1/8 load. */
    size_t nb = t->mask + 1;
    if (nb > 16 && t->count < nb / 8)
        table_resize(t, nb / 4 < 16 ? 16 : nb / 4);
}

static void table_close(struct ps_table *t)
{
    for (struct ps_chan *ch = t->all, *next; ch; ch = next) {
        next = ch->all_next;
        free(ch->subs);
        free(ch);
    }
    free(t->buckets);
    memset(t, 0, sizeof(*t));
}

/* ---- Registry ------------------------------------------------------------ */

/* Creates srv->pubsub. Returns 0, or -1 on OOM. */
int pubsub_init(struct server *srv)
{
    srv->pubsub = calloc(1, sizeof(*srv->pubsub));
    if (!srv->pubsub)
        return -1;
    resp_out_init(&srv->pubsub->frame, 2);
    return 0;
}

/* Frees srv->pubsub; NULL is a no-op. */
void pubsub_close(struct server *srv)
{
    struct pubsub *ps = srv->pubsub;
    if (!ps)
        return;
    for (int k = 0; k < PUBSUB__KINDS; k++)
        table_close(&ps->t[k]);
    resp_out_close(&ps->frame);
    free(ps->victims);
    free(ps);
    srv->pubsub = NULL;
}

/* Active channels / unique patterns / shard channels. */
size_t pubsub_size(const struct server *srv, enum pubsub_kind k)
{
    return srv->pubsub ? srv->pubsub->t[k].count : 0;
}

/* Clients holding at least one subscription. */
size_t pubsub_clients(const struct server *srv)
{
    return srv->pubsub ? srv->pubsub->nclients : 0;
}

/* Subscriptions of c in namespace k. */
size_t pubsub_client_count(const struct client *c, enum pubsub_kind k)
{
    return c->ps ? c->ps->n[k] : 0;
}

/* 1 when c holds any subscription. */
int pubsub_client_subscribed(const struct client *c)
{
    return c->ps && (c->ps->n[0] + c->ps->n[1] + c->ps->n[2]) > 0;
}

/* See pubsub.h. */
int pubsub_client_any(const struct client *c, enum pubsub_kind k,
                      int (*pred)(void *, const char *, size_t), void *ctx)
{
    const struct pubsub_client *pc = c->ps;
    for (size_t i = 0; pc && i < pc->n[k]; i++)
        if (pred(ctx, pc->v[k][i]->name, pc->v[k][i]->len))
            return 1;
    return 0;
}

#define PUBSUB_HOLD_BYTES ((size_t)64 * 1024)
#define PUBSUB_HOLD_PASSES 32

/* Whether c's output may wait one more loop pass (see pubsub.h). */
int pubsub_client_hold(struct client *c)
{
    struct pubsub_client *pc = c->ps;
    if (!pc)
        return 0;
    if (!pubsub_client_subscribed(c) || c->out.len >= PUBSUB_HOLD_BYTES ||
        pc->held >= PUBSUB_HOLD_PASSES) {
        pc->held = 0;
        return 0;
    }
    pc->held++;
    return 1;
}

/* Index of c in ch->subs, or -1. */
static ptrdiff_t chan_index(const struct ps_chan *ch, const struct client *c)
{
    for (size_t i = 0; i < ch->nsubs; i++)
        if (ch->subs[i] == c)
            return (ptrdiff_t)i;
    return -1;
}

static int client_has(const struct pubsub_client *pc, enum pubsub_kind k,
                      const struct ps_chan *ch, const struct client *c)
{
    if (pc->n[k] < ch->nsubs) {
        for (size_t i = 0; i < pc->n[k]; i++)
            if (pc->v[k][i] == ch)
                return 1;
        return 0;
    }
    return chan_index(ch, c) >= 0;
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? *cap * 2 : 4;
    while (nc < need)
        nc *= 2;
    void *p = realloc(*arr, nc * elem);
    if (!p)
        return -1;
    *arr = p;
    *cap = nc;
    return 0;
}

/* Adds one subscription. Returns 1 if new, 0 if c already had it, -1 on
 * OOM (nothing changed). */
int pubsub__subscribe(struct client *c, enum pubsub_kind k, const char *name,
                      size_t len)
{
    struct pubsub *ps = c->srv->pubsub;
    if (!c->ps && !(c->ps = calloc(1, sizeof(*c->ps))))
        return -1;
    struct pubsub_client *pc = c->ps;
    uint64_t h = XXH3_64bits(name, len);
    struct ps_chan *ch = table_find(&ps->t[k], name, len, h);
    if (ch && client_has(pc, k, ch, c))
        return 0;
    if (grow((void **)&pc->v[k], &pc->cap[k], pc->n[k] + 1,
             sizeof(*pc->v[k])) != 0)
        return -1;
    int created = 0;
    if (!ch) {
        if (!(ch = table_add(&ps->t[k], name, len, h)))
            return -1;
        created = 1;
    }
    if (grow((void **)&ch->subs, &ch->cap, ch->nsubs + 1,
             sizeof(*ch->subs)) != 0) {
        if (created)
            table_remove(&ps->t[k], ch);
        return -1;
    }
    if (!pubsub_client_subscribed(c))
        ps->nclients++;
    ch->subs[ch->nsubs++] = c;
    pc->v[k][pc->n[k]++] = ch;
    return 1;
}

/* Takes c out of ch's subscribers, freeing ch when it was the last. */
static void chan_drop(struct pubsub *ps, enum pubsub_kind k,
                      struct ps_chan *ch, struct client *c)
{
    ptrdiff_t i = chan_index(ch, c);
    if (i >= 0) {
        memmove(&ch->subs[i], &ch->subs[i + 1],
                (ch->nsubs - (size_t)i - 1) * sizeof(*ch->subs));
        ch->nsubs--;
    }
    if (ch->nsubs == 0)
        table_remove(&ps->t[k], ch);
}

static void client_became_idle(struct pubsub *ps, struct client *c)
{
    if (!pubsub_client_subscribed(c))
        ps->nclients--;
}

/* Removes one subscription. Returns 1 if c had it, else 0. */
int pubsub__unsubscribe(struct client *c, enum pubsub_kind k,
                        const char *name, size_t len)
{
    struct pubsub *ps = c->srv->pubsub;
    struct pubsub_client *pc = c->ps;
    if (!pc || pc->n[k] == 0)
        return 0;
    uint64_t h = XXH3_64bits(name, len);
    struct ps_chan *ch = table_find(&ps->t[k], name, len, h);
    if (!ch)
        return 0;
    size_t j;
    for (j = 0; j < pc->n[k] && pc->v[k][j] != ch; j++)
        ;
    if (j == pc->n[k])
        return 0;
    memmove(&pc->v[k][j], &pc->v[k][j + 1],
            (pc->n[k] - j - 1) * sizeof(*pc->v[k]));
    pc->n[k]--;
    chan_drop(ps, k, ch, c);
    client_became_idle(ps, c);
    return 1;
}

/* Calls each(c, name, len, left) for every subscription of c in k, in
 * subscription order, after dropping it; left counts what remains in k.
 * each may be NULL. */
void pubsub__unsubscribe_all(struct client *c, enum pubsub_kind k,
                             void (*each)(struct client *, const char *,
                                          size_t, size_t))
{
    struct pubsub_client *pc = c->ps;
    if (!pc || pc->n[k] == 0)
        return;
    struct pubsub *ps = c->srv->pubsub;
    size_t n = pc->n[k];
    struct ps_chan **v = pc->v[k];
    pc->v[k] = NULL;
    pc->n[k] = pc->cap[k] = 0;
    for (size_t i = 0; i < n; i++) {
        if (each)
            each(c, v[i]->name, v[i]->len, n - i - 1);
        chan_drop(ps, k, v[i], c);
    }
    free(v);
    if (!pubsub_client_subscribed(c) && n > 0) {
        /* Count c as idle once, when its last namespace emptied. The
         * callback may look at the other counts, so c->ps stays. */
        ps->nclients--;
    }
}

/* Drops every subscription of c and frees c->ps. */
void pubsub_client_close(struct client *c)
{
    if (!c->ps)
        return;
    for (int k = 0; k < PUBSUB__KINDS; k++)
        pubsub__unsubscribe_all(c, (enum pubsub_kind)k, NULL);
    if (c->ps->doomed) {
        /* Still on the victims list: take it off. */
        struct pubsub *ps = c->srv->pubsub;
        for (size_t i = 0; i < ps->nvictims; i++)
            if (ps->victims[i] == c)
                ps->victims[i] = NULL;
    }
    for (int k = 0; k < PUBSUB__KINDS; k++)
        free(c->ps->v[k]);
    free(c->ps);
    c->ps = NULL;
}

/* Iterates a namespace: calls fn(ctx, name, len, nsubs) for each node. */
void pubsub__each(const struct server *srv, enum pubsub_kind k,
                  void (*fn)(void *, const char *, size_t, size_t),
                  void *ctx)
{
    for (struct ps_chan *ch = srv->pubsub->t[k].all; ch; ch = ch->all_next)
        fn(ctx, ch->name, ch->len, ch->nsubs);
}

/* Subscribers of name in namespace k (PUBSUB NUMSUB). */
size_t pubsub__numsub(const struct server *srv, enum pubsub_kind k,
                      const char *name, size_t len)
{
    const struct ps_chan *ch = table_find(&srv->pubsub->t[k], name, len,
                                          XXH3_64bits(name, len));
    return ch ? ch->nsubs : 0;
}

/* ---- Delivery ------------------------------------------------------------ */

static void doom(struct pubsub *ps, struct client *s)
{
    if (s->ps->doomed)
        return;
    if (grow((void **)&ps->victims, &ps->vcap, ps->nvictims + 1,
             sizeof(*ps->victims)) != 0)
        return;          /* retried on the next message */
    s->ps->doomed = 1;
    ps->victims[ps->nvictims++] = s;
}

/* Applies client-output-buffer-limit pubsub to subscriber s. */
static void check_limits(struct server *srv, struct client *s)
{
    const struct conf_obuf_limit *l = &srv->conf.obuf_pubsub;
    size_t pend = client_output_pending(s);
    int over = l->hard && pend >= l->hard;
    if (l->soft && pend >= l->soft) {
        int64_t now = server_now_ms(srv);
        if (s->ps->soft_since == 0)
            s->ps->soft_since = now;
        else if (now - s->ps->soft_since > l->soft_seconds * 1000)
            over = 1;
    } else {
        s->ps->soft_since = 0;
    }
    if (over)
        doom(srv->pubsub, s);
}

static void deliver(struct server *srv, struct client *s, const char *f,
                    size_t n)
{
    if (s->flags & CLIENT_CLOSING || s->ps->doomed)
        return;
    /* Messages get through CLIENT REPLY OFF and SKIP, as in Redis 7.0. */
    int muted = client_push_unmute(s);
    if (s->proto == 3) {
        resp_add_raw(&s->out, ">", 1);
        resp_add_raw(&s->out, f + 1, n - 1);
    } else {
        resp_add_raw(&s->out, f, n);
    }
    s->out.muted = muted;
    client_mark_write(s);
    check_limits(srv, s);
}

static void close_victims(struct server *srv)
{
    struct pubsub *ps = srv->pubsub;
    while (ps->nvictims > 0) {
        struct client *v = ps->victims[--ps->nvictims];
        if (!v)
            continue;
        v->ps->doomed = 0;
        server_log(srv, 'w', "Client id=%llu addr=%s laddr=%s name=%s "
                   "omem=%zu scheduled to be closed ASAP for overcoming of "
                   "output buffer limits.", (unsigned long long)v->id,
                   v->addr, v->laddr, v->name ? v->name : "",
                   client_output_pending(v));
        client_close(v);
    }
}

/* See pubsub.h. */
void pubsub_client_check_limits(struct client *c)
{
    if (pubsub_client_subscribed(c) && !(c->flags & CLIENT_CLOSING))
        check_limits(c->srv, c);
}

/* See pubsub.h. */
void pubsub_close_victims(struct server *srv)
{
    close_victims(srv);
}

/* Builds [kind, (pattern,) channel, msg] as a RESP2 array in the scratch
 * frame; returns its bytes. */
static const char *frame_build(struct pubsub *ps, const char *kind,
                               const struct ps_chan *pat, const char *chan,
                               size_t clen, const char *msg, size_t mlen,
                               size_t *n)
{
    struct resp_out *o = &ps->frame;
    resp_out_reset(o, 64 * 1024);
    resp_add_array(o, pat ? 4 : 3);
    resp_add_bulk_cstr(o, kind);
    if (pat)
        resp_add_bulk(o, pat->name, pat->len);
    resp_add_bulk(o, chan, clen);
    resp_add_bulk(o, msg, mlen);
    *n = o->len;
    return o->nomem ? NULL : o->data;
}

/* Delivers msg on chan in namespace k; returns the receivers. */
int64_t pubsub_publish(struct server *srv, enum pubsub_kind k,
                       const char *chan, size_t clen, const char *msg,
                       size_t mlen)
{
    struct pubsub *ps = srv->pubsub;
    int64_t receivers = 0;
    size_t n;
    const struct ps_chan *ch = table_find(&ps->t[k], chan, clen,
                                          XXH3_64bits(chan, clen));
    if (ch) {
        const char *f = frame_build(ps, k == PUBSUB_SHARD ? "smessage"
                                                          : "message",
                                    NULL, chan, clen, msg, mlen, &n);
        for (size_t i = 0; f && i < ch->nsubs; i++)
            deliver(srv, ch->subs[i], f, n);
        receivers += (int64_t)ch->nsubs;
    }
    if (k == PUBSUB_CHANNEL) {
        for (const struct ps_chan *p = ps->t[PUBSUB_PATTERN].all; p;
             p = p->all_next) {
            if (!store_glob_match(p->name, p->len, chan, clen, 0))
                continue;
            const char *f = frame_build(ps, "pmessage", p, chan, clen, msg,
                                        mlen, &n);
            for (size_t i = 0; f && i < p->nsubs; i++)
                deliver(srv, p->subs[i], f, n);
            receivers += (int64_t)p->nsubs;
        }
    }
    close_victims(srv);
    return receivers;
}
