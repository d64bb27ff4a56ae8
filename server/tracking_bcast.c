/* tracking_bcast.c - CLIENT TRACKING's BCAST mode: the prefixes clients
 * register, the keys that change under them, and the messages.
 *
 * The server keeps one list of prefixes in byte order, each with the
 * clients registered for it and the keys changed under it since the
 * loop last slept, each with the id of the client whose command changed
 * it (0: none, for NOLOOP). Before the loop sleeps every prefix with
 * changes sends each of its clients one message: the keys sorted, each
 * once (the last change says whose it was), less the client's own under
 * NOLOOP. A key under two prefixes of one client is sent twice, as in
 * Redis. A client's prefixes never overlap (CLIENT TRACKING checks),
 * except the empty one BCAST without PREFIX adds to those it has. */
#include <stdlib.h>
#include <string.h>

#include "server/server.h"
#include "server/tracking.h"
#include "server/tracking_int.h"

static int bytes_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int r = memcmp(a, b, alen < blen ? alen : blen);
    if (r)
        return r;
    return alen < blen ? -1 : alen > blen;
}

static int changed_cmp(const void *pa, const void *pb)
{
    const struct changed_key *a = pa, *b = pb;
    int r = bytes_cmp(a->key, a->klen, b->key, b->klen);
    if (r)
        return r;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Sorts p's changed keys and keeps the last write of each. */
static size_t changed_unique(struct tracking_prefix *p)
{
    qsort(p->changed, p->nchanged, sizeof(*p->changed), changed_cmp);
    size_t n = 0;
    for (size_t i = 0; i < p->nchanged; i++) {
        struct changed_key *k = &p->changed[i];
        if (n > 0 && bytes_cmp(p->changed[n - 1].key, p->changed[n - 1].klen,
                               k->key, k->klen) == 0) {
            free(p->changed[n - 1].key);
            p->changed[n - 1] = *k;
        } else {
            p->changed[n++] = *k;
        }
    }
    return n;
}

/* Sends p's n changed keys to tc, less those tc wrote itself if NOLOOP. */
static void broadcast_to(struct tracking_prefix *p, size_t n,
                         struct tracking_client *tc)
{
    uint64_t self = (tc->flags & TRK_NOLOOP) ? tc->c->id : 0;
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += !self || p->changed[i].writer != self;
    if (count == 0)
        return;
    int muted;
    struct client *dst = tracking__message_start(tc, &muted);
    if (!dst)
        return;
    resp_add_array(&dst->out, count);
    for (size_t i = 0; i < n; i++)
        if (!self || p->changed[i].writer != self)
            resp_add_bulk(&dst->out, p->changed[i].key, p->changed[i].klen);
    tracking__message_end(dst, muted);
}

/* See tracking_int.h. */
void tracking__bcast_send(struct tracking *t)
{
    if (!t->bcast_due)
        return;
    t->bcast_due = 0;
    for (struct tracking_prefix *p = t->prefixes; p; p = p->next) {
        if (p->nchanged == 0)
            continue;
        size_t n = changed_unique(p);
        for (size_t i = 0; i < p->nclients; i++)
            broadcast_to(p, n, p->clients[i]);
        for (size_t i = 0; i < n; i++)
            free(p->changed[i].key);
        p->nchanged = 0;
    }
}

static int has_prefix(const char *key, size_t klen,
                      const struct tracking_prefix *p)
{
    return p->len <= klen && memcmp(key, p->p, p->len) == 0;
}

/* See tracking_int.h. The writer NOLOOP looks at is the client running
 * the command, but nobody for a script's writes (Redis counts them as its
 * script client's) or for expiry and eviction. */
void tracking__bcast_note(struct server *srv, struct tracking *t,
                          const char *key, size_t klen)
{
    const struct client *cur = srv->current_client;
    int script = cur && cur->cmd && (cur->cmd->flags & CMD_SCRIPT_FLAGS);
    uint64_t writer = cur && !script && srv->key_origin == KEY_BY_COMMAND
                      ? cur->id : 0;
    for (struct tracking_prefix *p = t->prefixes; p; p = p->next) {
        if (!has_prefix(key, klen, p))
            continue;
        if (p->nchanged == p->chcap) {
            size_t cap = p->chcap ? p->chcap * 2 : 8;
            struct changed_key *n = realloc(p->changed, cap * sizeof(*n));
            if (!n)
                continue;
            p->changed = n;
            p->chcap = cap;
        }
        char *copy = malloc(klen ? klen : 1);
        if (!copy)
            continue;
        memcpy(copy, key, klen);
        p->changed[p->nchanged] = (struct changed_key){ copy, klen, writer,
                                                        p->nchanged };
        p->nchanged++;
        t->bcast_due = 1;
    }
}

/* The prefix p (len) from the server's list, created; NULL on OOM. */
static struct tracking_prefix *prefix_get(struct tracking *t, const char *p,
                                          size_t len)
{
    struct tracking_prefix **at = &t->prefixes;
    while (*at && bytes_cmp((*at)->p, (*at)->len, p, len) < 0)
        at = &(*at)->next;
    if (*at && bytes_cmp((*at)->p, (*at)->len, p, len) == 0)
        return *at;
    struct tracking_prefix *n = calloc(1, sizeof(*n) + len);
    if (!n)
        return NULL;
    n->len = len;
    memcpy(n->p, p, len);
    n->next = *at;
    *at = n;
    t->nprefixes++;
    return n;
}

static void prefix_free(struct tracking_prefix *p)
{
    for (size_t i = 0; i < p->nchanged; i++)
        free(p->changed[i].key);
    free(p->changed);
    free(p->clients);
    free(p);
}

/* Takes tc off prefix p, and p off the list once nobody is left. */
static void prefix_leave(struct tracking *t, struct tracking_prefix *p,
                         struct tracking_client *tc)
{
    for (size_t i = 0; i < p->nclients; i++) {
        if (p->clients[i] == tc) {
            p->clients[i] = p->clients[--p->nclients];
            break;
        }
    }
    if (p->nclients > 0)
        return;
    struct tracking_prefix **at = &t->prefixes;
    while (*at != p)
        at = &(*at)->next;
    *at = p->next;
    t->nprefixes--;
    prefix_free(p);
}

/* See tracking_int.h. tc's own list is kept in byte order. */
int tracking__prefix_join(struct tracking *t, struct tracking_client *tc,
                          const char *p, size_t len)
{
    struct tracking_prefix **mine =
        realloc(tc->prefixes, (tc->nprefixes + 1) * sizeof(*mine));
    if (!mine)
        return -1;
    tc->prefixes = mine;
    struct tracking_prefix *bp = prefix_get(t, p, len);
    if (!bp)
        return -1;
    for (size_t i = 0; i < tc->nprefixes; i++)
        if (tc->prefixes[i] == bp)
            return 0;                   /* BCAST again, no prefix: "" */
    if (bp->nclients == bp->ccap) {
        size_t cap = bp->ccap ? bp->ccap * 2 : 4;
        struct tracking_client **n = realloc(bp->clients, cap * sizeof(*n));
        if (!n) {
            if (bp->nclients == 0)
                prefix_leave(t, bp, tc);
            return -1;
        }
        bp->clients = n;
        bp->ccap = cap;
    }
    bp->clients[bp->nclients++] = tc;
    size_t i = tc->nprefixes;
    while (i > 0 && bytes_cmp(mine[i - 1]->p, mine[i - 1]->len, p, len) > 0) {
        mine[i] = mine[i - 1];
        i--;
    }
    mine[i] = bp;
    tc->nprefixes++;
    return 0;
}

/* See tracking_int.h. */
void tracking__prefixes_leave(struct tracking *t, struct tracking_client *tc)
{
    for (size_t i = 0; i < tc->nprefixes; i++)
        prefix_leave(t, tc->prefixes[i], tc);
    free(tc->prefixes);
    tc->prefixes = NULL;
    tc->nprefixes = 0;
}

/* See tracking_int.h. */
void tracking__prefixes_free(struct tracking *t)
{
    while (t->prefixes) {
        struct tracking_prefix *p = t->prefixes;
        t->prefixes = p->next;
        prefix_free(p);
    }
    t->nprefixes = 0;
}

/* See tracking.h. */
int tracking_prefix_overlap(const struct client *c, const char *p,
                            size_t len, const char **hit, size_t *hit_len)
{
    const struct tracking_client *tc = c->trk;
    for (size_t i = 0; tc && i < tc->nprefixes; i++) {
        const struct tracking_prefix *q = tc->prefixes[i];
        size_t n = q->len < len ? q->len : len;
        if (memcmp(q->p, p, n) == 0) {
            *hit = q->p;
            *hit_len = q->len;
            return 1;
        }
    }
    return 0;
}

/* See tracking.h. */
void tracking_prefix_at(const struct client *c, size_t i, const char **p,
                        size_t *len)
{
    *p = c->trk->prefixes[i]->p;
    *len = c->trk->prefixes[i]->len;
}
