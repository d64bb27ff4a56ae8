/* tracking.c - server-assisted client-side caching, as Redis 7's CLIENT
 * TRACKING: the table of keys clients may have cached, the invalidation
 * messages, and turning tracking on and off (BCAST's prefixes are in
 * tracking_bcast.c, the CLIENT subcommands in cmd_tracking.c).
 *
 * Default mode: after a read-only command of a tracking client, its keys
 * are remembered with the client (in a script, the keys its EVAL
 * declared, as Redis 7.0 does). When such a key changes (a write, DEL,
 * expiry, eviction), every client that read it gets one invalidation
 * message naming it, and the key is forgotten until read again. There is
 * one key space for all databases, as in Redis: GET k in db 1 is
 * invalidated by SET k in db 0. Each (key, client) pair is a link that
 * sits on two lists, the key's and the client's, so turning tracking off
 * or disconnecting removes exactly that client's pairs (Redis keeps them
 * until the key changes), and a pair table keyed by the two pointers
 * finds a link already there without walking either list:
 *
 *   keys:   k1 -> [link c1] -> [link c2]       clients: c1 -> [k1] -> [k7]
 *
 * BCAST mode: nothing is remembered; every key that changes is noted under
 * the prefixes it starts with, and sent before the loop sleeps
 * (tracking_bcast.c).
 *
 * A message goes to the tracking client itself in RESP3 (a push,
 * ">2 invalidate [keys]"), or to its REDIRECT client: a push if that one
 * speaks RESP3, a message on __redis__:invalidate if it is in RESP2
 * subscribed mode, nothing otherwise. FLUSHDB/FLUSHALL send a null instead
 * of the keys, in the tracking client's own protocol, and empty the
 * table. A client's own change to a key it tracks is held back until its
 * command (EXEC, EVAL) has replied, so pushes never land inside a reply.
 *
 * tracking-table-max-keys bounds the table: before the loop sleeps, keys
 * picked at random are invalidated as if they had changed until it fits
 * (Redis checks before each command; the messages are the same). */
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "server/handlers.h"
#include "server/pubsub.h"
#include "server/server.h"
#include "server/tracking.h"
#include "server/tracking_int.h"

#define MIN_BUCKETS 16
/* Appends a string literal's bytes. */
#define ADD_LIT(o, lit) resp_add_raw((o), (lit), sizeof(lit) - 1)

struct tracking_key {
    struct hnode h;                     /* in the key table */
    struct tracking_link *links;        /* the clients that read it */
    size_t klen;
    char key[];
};

struct tracking_link {
    struct hnode h;                     /* in the pair table */
    struct tracking_key *k;
    struct tracking_client *tc;
    struct tracking_link *kprev, *knext;  /* k->links */
    struct tracking_link *cprev, *cnext;  /* tc->links */
};

/* ---- Small hash tables -------------------------------------------------- */

/* Rehashes t into nb buckets (a power of two). Returns 0, or -1 with t
 * unchanged. */
static int rehash(struct htable *t, size_t nb)
{
    struct hnode **nbk = calloc(nb, sizeof(*nbk));
    if (!nbk)
        return -1;
    for (size_t i = 0; t->b && i <= t->mask; i++) {
        for (struct hnode *n = t->b[i], *next; n; n = next) {
            next = n->next;
            n->next = nbk[n->hash & (nb - 1)];
            nbk[n->hash & (nb - 1)] = n;
        }
    }
    free(t->b);
    t->b = nbk;
    t->mask = nb - 1;
    return 0;
}

/* Grows t about to hold n nodes, shrinks it when far too big for them;
 * a failed resize leaves it working, only slower. */
static void fit(struct htable *t, size_t n)
{
    size_t nb = t->b ? t->mask + 1 : 0;
    if (n > nb)
        rehash(t, nb ? nb * 2 : MIN_BUCKETS);
    else if (nb > MIN_BUCKETS && n < nb / 8)
        rehash(t, nb / 2);
}

/* Adds n (hash set) to t. Returns 0, or -1 when t has no buckets. */
static int table_add(struct htable *t, struct hnode *n)
{
    fit(t, t->n + 1);
    if (!t->b)
        return -1;
    n->next = t->b[n->hash & t->mask];
    t->b[n->hash & t->mask] = n;
    t->n++;
    return 0;
}

static void table_remove(struct htable *t, struct hnode *n)
{
    struct hnode **p = &t->b[n->hash & t->mask];
    while (*p != n)
        p = &(*p)->next;
    *p = n->next;
    t->n--;
    fit(t, t->n);
}

/* The first node of t's chain for hash h, or NULL. */
static struct hnode *table_chain(const struct htable *t, uint64_t h)
{
    return t->b ? t->b[h & t->mask] : NULL;
}

static uint64_t pair_hash(const struct tracking_key *k,
                          const struct tracking_client *tc)
{
    const void *pair[2] = { k, tc };
    return XXH3_64bits(pair, sizeof(pair));
}

/* ---- The server's state ------------------------------------------------ */

static struct tracking *state(struct server *srv)
{
    if (!srv->tracking) {
        srv->tracking = calloc(1, sizeof(struct tracking));
        if (srv->tracking)
            srv->tracking->rng = 0x9e3779b97f4a7c15ULL;
    }
    return srv->tracking;
}

/* See tracking.h. */
struct tracking_client *tracking_client_get(struct client *c)
{
    if (c->trk)
        return c->trk;
    struct tracking *t = state(c->srv);
    struct tracking_client *tc = t ? calloc(1, sizeof(*tc)) : NULL;
    if (!tc)
        return NULL;
    tc->c = c;
    tc->next = t->all;
    if (t->all)
        t->all->prev = tc;
    t->all = tc;
    c->trk = tc;
    return tc;
}

/* ---- The key table ------------------------------------------------------ */

static struct tracking_key *key_find(const struct tracking *t,
                                     const char *key, size_t klen,
                                     uint64_t h)
{
    for (struct hnode *n = table_chain(&t->keys, h); n; n = n->next) {
        struct tracking_key *k = (struct tracking_key *)n;
        if (n->hash == h && k->klen == klen && memcmp(k->key, key, klen) == 0)
            return k;
    }
    return NULL;
}

static struct tracking_link *link_find(const struct tracking *t,
                                       const struct tracking_key *k,
                                       const struct tracking_client *tc,
                                       uint64_t h)
{
    for (struct hnode *n = table_chain(&t->links, h); n; n = n->next) {
        struct tracking_link *l = (struct tracking_link *)n;
        if (l->k == k && l->tc == tc)
            return l;
    }
    return NULL;
}

static void key_free(struct tracking *t, struct tracking_key *k)
{
    table_remove(&t->keys, &k->h);
    free(k);
}

/* Removes link l from its two lists and the pair table, and its key once
 * no client is left on it. */
static void link_drop(struct tracking *t, struct tracking_link *l)
{
    table_remove(&t->links, &l->h);
    if (l->kprev)
        l->kprev->knext = l->knext;
    else
        l->k->links = l->knext;
    if (l->knext)
        l->knext->kprev = l->kprev;
    if (l->cprev)
        l->cprev->cnext = l->cnext;
    else
        l->tc->links = l->cnext;
    if (l->cnext)
        l->cnext->cprev = l->cprev;
    struct tracking_key *k = l->k;
    free(l);
    if (!k->links)
        key_free(t, k);
}

/* Remembers that tc may cache key. Out of memory, the key is not
 * remembered (its client misses one invalidation, as if it read it
 * before turning tracking on). */
static void remember(struct tracking *t, struct tracking_client *tc,
                     const char *key, size_t klen)
{
    uint64_t h = XXH3_64bits(key, klen);
    struct tracking_key *k = key_find(t, key, klen, h);
    if (!k) {
        if (!(k = malloc(sizeof(*k) + klen)))
            return;
        k->h.hash = h;
        k->links = NULL;
        k->klen = klen;
        memcpy(k->key, key, klen);
        if (table_add(&t->keys, &k->h) != 0) {
            free(k);
            return;
        }
    }
    uint64_t lh = pair_hash(k, tc);
    if (link_find(t, k, tc, lh))
        return;
    struct tracking_link *l = malloc(sizeof(*l));
    if (l) {
        l->h.hash = lh;
        if (table_add(&t->links, &l->h) != 0) {
            free(l);
            l = NULL;
        }
    }
    if (!l) {
        if (!k->links)
            key_free(t, k);
        return;
    }
    l->k = k;
    l->tc = tc;
    l->kprev = NULL;
    l->knext = k->links;
    if (k->links)
        k->links->kprev = l;
    k->links = l;
    l->cprev = NULL;
    l->cnext = tc->links;
    if (tc->links)
        tc->links->cprev = l;
    tc->links = l;
}

/* ---- Messages ----------------------------------------------------------- */

/* Where tc's messages go, with their header written: ">2 invalidate" or
 * RESP2's "message __redis__:invalidate". NULL when nothing can be sent
 * (RESP2 without a subscribed redirect client); a REDIRECT client that has
 * gone marks tc broken and tells tc so in RESP3. *muted is the output's
 * mute to put back once the message is written. */
struct client *tracking__message_start(struct tracking_client *tc,
                                       int *muted)
{
    struct client *dst = tc->c;
    if (tc->redir_id) {
        if (!tc->redir) {
            tc->flags |= TRK_BROKEN_REDIR;
            if (dst->proto == 3) {
                int m = client_push_unmute(dst);
                ADD_LIT(&dst->out, ">2\r\n$21\r\ntracking-redir-broken\r\n");
                resp_add_int(&dst->out, (int64_t)tc->redir_id);
                dst->out.muted = m;
                client_mark_write(dst);
            }
            return NULL;
        }
        dst = tc->redir;
        if (dst->proto != 3 && !pubsub_client_subscribed(dst))
            return NULL;
    } else if (dst->proto != 3) {
        return NULL;
    }
    *muted = client_push_unmute(dst);
    if (dst->proto == 3)
        ADD_LIT(&dst->out, ">2\r\n$10\r\ninvalidate\r\n");
    else
        ADD_LIT(&dst->out, "*3\r\n$7\r\nmessage\r\n$20\r\n"
                           "__redis__:invalidate\r\n");
    return dst;
}

/* A subscribed RESP2 redirect client is held to the pub/sub output limit;
 * one over it is closed before the loop sleeps (tracking_before_sleep),
 * not here, where the table is being walked. */
void tracking__message_end(struct client *dst, int muted)
{
    dst->out.muted = muted;
    client_mark_write(dst);
    if (dst->proto == 2)
        pubsub_client_check_limits(dst);
}

/* Tells tc that key changed. */
static void send_key(struct tracking_client *tc, const char *key,
                     size_t klen)
{
    int muted;
    struct client *dst = tracking__message_start(tc, &muted);
    if (!dst)
        return;
    resp_add_array(&dst->out, 1);
    resp_add_bulk(&dst->out, key, klen);
    tracking__message_end(dst, muted);
}

/* Tells tc that everything changed: a null in tc's own protocol, even
 * when it goes to a redirect client of the other one, as in Redis. */
static void send_flush(struct tracking_client *tc)
{
    int proto = tc->c->proto;
    int muted;
    struct client *dst = tracking__message_start(tc, &muted);
    if (!dst)
        return;
    if (proto == 3)
        ADD_LIT(&dst->out, "_\r\n");
    else
        ADD_LIT(&dst->out, "$-1\r\n");
    tracking__message_end(dst, muted);
}

/* Holds an invalidation for the running command's client back until its
 * reply is out (key NULL: a flush). Out of memory, it is sent at once. */
static void hold(struct tracking *t, struct tracking_client *tc,
                 const char *key, size_t klen)
{
    if (t->nheld == t->hcap) {
        size_t cap = t->hcap ? t->hcap * 2 : 8;
        struct held *n = realloc(t->held, cap * sizeof(*n));
        if (!n)
            goto now;
        t->held = n;
        t->hcap = cap;
    }
    char *copy = NULL;
    if (key && !(copy = malloc(klen ? klen : 1)))
        goto now;
    if (key)
        memcpy(copy, key, klen);
    t->held[t->nheld].key = copy;
    t->held[t->nheld].klen = klen;
    t->nheld++;
    return;
now:
    if (key)
        send_key(tc, key, klen);
    else
        send_flush(tc);
}

/* ---- Invalidation ------------------------------------------------------- */

/* Tells every client on k that key (k's bytes, or the caller's copy of
 * them) changed, and forgets k. */
static void invalidate(struct server *srv, struct tracking *t,
                       struct tracking_key *k, const char *key, size_t klen)
{
    struct client *cur = srv->current_client;
    while (k->links) {
        struct tracking_link *l = k->links;
        struct tracking_client *tc = l->tc;
        int last = l->knext == NULL;
        if ((tc->flags & TRK_ON) &&
            !((tc->flags & TRK_NOLOOP) && tc->c == cur)) {
            /* Held while its handler runs; evicted before it, sent. */
            if (tc->c == cur && srv->in_call)
                hold(t, tc, key, klen);
            else
                send_key(tc, key, klen);
        }
        /* k is freed with its last link. */
        link_drop(t, l);
        if (last)
            break;
    }
}

/* See tracking.h. */
void tracking_key_modified(struct server *srv, const char *key, size_t klen)
{
    struct tracking *t = srv->tracking;
    if (!t)
        return;
    if (t->prefixes)
        tracking__bcast_note(srv, t, key, klen);
    if (t->keys.n == 0)
        return;
    struct tracking_key *k = key_find(t, key, klen, XXH3_64bits(key, klen));
    if (k)
        invalidate(srv, t, k, key, klen);
}

/* Frees every node of t and its buckets. */
static void table_free(struct htable *t)
{
    for (size_t i = 0; t->b && i <= t->mask; i++)
        for (struct hnode *n = t->b[i], *next; n; n = next) {
            next = n->next;
            free(n);
        }
    free(t->b);
    *t = (struct htable){ 0 };
}

/* Forgets every key and link. */
static void table_clear(struct tracking *t)
{
    table_free(&t->links);
    table_free(&t->keys);
    for (struct tracking_client *tc = t->all; tc; tc = tc->next)
        tc->links = NULL;
}

static int by_client_id(const void *pa, const void *pb)
{
    const struct tracking_client *a = *(struct tracking_client *const *)pa;
    const struct tracking_client *b = *(struct tracking_client *const *)pb;
    return a->c->id < b->c->id ? -1 : a->c->id > b->c->id;
}

/* Tells tc that everything changed, now or after its own command. */
static void flush_one(struct server *srv, struct tracking_client *tc)
{
    if (tc->c == srv->current_client && srv->in_call)
        hold(srv->tracking, tc, NULL, 0);
    else
        send_flush(tc);
}

/* See tracking.h. The clients are told in the order they connected, the
 * order of Redis's client list until its cron rotates that list (two
 * trackers redirecting to one client show it). */
void tracking_flushed(struct server *srv)
{
    struct tracking *t = srv->tracking;
    if (!t)
        return;
    size_t n = 0;
    for (struct tracking_client *tc = t->all; tc; tc = tc->next)
        n += (tc->flags & TRK_ON) != 0;
    struct tracking_client **v = malloc(n * sizeof(*v) + 1);
    size_t i = 0;
    for (struct tracking_client *tc = t->all; tc; tc = tc->next) {
        if (!(tc->flags & TRK_ON))
            continue;
        if (v)
            v[i++] = tc;
        else
            flush_one(srv, tc);         /* out of memory: any order */
    }
    if (v) {
        qsort(v, i, sizeof(*v), by_client_id);
        for (size_t j = 0; j < i; j++)
            flush_one(srv, v[j]);
        free(v);
    }
    table_clear(t);
}

/* See tracking.h. */
void tracking_command_done(struct client *c)
{
    struct tracking *t = c->srv->tracking;
    struct tracking_client *tc = c->trk;
    for (size_t i = 0; t && i < t->nheld; i++) {
        if (t->held[i].key)
            send_key(tc, t->held[i].key, t->held[i].klen);
        else
            send_flush(tc);
        free(t->held[i].key);
    }
    if (t)
        t->nheld = 0;
    /* CLIENT CACHING holds for the next command, or the next MULTI's
     * commands; other CLIENT subcommands leave it, as in Redis. */
    if (!(c->flags & CLIENT_MULTI) &&
        !(c->last_cmd && c->last_cmd->proc == cmd_client && c->last_sub))
        tc->flags &= ~(unsigned)TRK_CACHING;
}

/* ---- Remembering keys --------------------------------------------------- */

/* Calls remember for the keys of a "numkeys key..." command whose numkeys
 * is argv[at]. */
static void numkeys_keys(struct tracking *t, struct tracking_client *tc,
                         const struct client *c, size_t at)
{
    int64_t n;
    if (c->argc <= at || !parse_i64(c->argv[at], c->argvlen[at], &n) ||
        n <= 0 || (uint64_t)n > c->argc - at - 1)
        return;
    for (size_t i = at + 1; i <= at + (size_t)n; i++)
        remember(t, tc, c->argv[i], c->argvlen[i]);
}

/* XREAD's keys: the first half of what follows STREAMS. */
static void xread_keys(struct tracking *t, struct tracking_client *tc,
                       const struct client *c)
{
    for (size_t i = 1; i < c->argc; i++) {
        if (!arg_is(c, i, "STREAMS"))
            continue;
        size_t rest = c->argc - i - 1;
        if (rest == 0 || rest % 2)
            return;
        for (size_t j = i + 1; j < i + 1 + rest / 2; j++)
            remember(t, tc, c->argv[j], c->argvlen[j]);
        return;
    }
}

/* Remembers the keys of c's command for tc: the table's first/last/step,
 * argv[2] for a read-only subcommand (XINFO STREAM key), numkeys for
 * the commands whose keys move (EVAL's declared keys too). */
static void command_keys(struct tracking *t, struct tracking_client *tc,
                         const struct client *c)
{
    const struct command *cmd = c->cmd;
    if (cmd->subs) {
        if (c->argc > 2)
            remember(t, tc, c->argv[2], c->argvlen[2]);
        return;
    }
    if (cmd->first_key > 0) {
        long last = cmd->last_key < 0 ? (long)c->argc + cmd->last_key
                                      : cmd->last_key;
        long step = cmd->key_step > 0 ? cmd->key_step : 1;
        for (long i = cmd->first_key; i <= last && i < (long)c->argc;
             i += step)
            remember(t, tc, c->argv[i], c->argvlen[i]);
        return;
    }
    if (cmd->proc == cmd_xread)
        xread_keys(t, tc, c);
    else if (cmd->proc == cmd_sintercard || cmd->proc == cmd_zunion ||
             cmd->proc == cmd_zinter || cmd->proc == cmd_zdiff ||
             cmd->proc == cmd_zintercard)
        numkeys_keys(t, tc, c, 1);
    else if (cmd->flags & CMD_SCRIPT_FLAGS)
        numkeys_keys(t, tc, c, 2);
}

/* See tracking.h. */
void tracking_after_call(struct client *c)
{
    struct server *srv = c->srv;
    /* A script's read-only command tracks, for the client that ran the
     * script, the keys that client's EVAL declared (not the command's
     * own), as Redis 7.0 does; EVAL_RO itself tracks nothing. */
    struct client *caller = (c->flags & CLIENT_SCRIPT) ? srv->current_client
                                                       : c;
    if (!caller || !caller->trk || !srv->tracking)
        return;
    struct tracking_client *tc = caller->trk;
    unsigned mode = tc->flags;
    if (!(mode & TRK_ON) || (mode & TRK_BCAST))
        return;
    /* Not c->last_sub: inside EXEC that is EXEC's. */
    const struct subcommand *sub = c->cmd->subs ? subcommand_of(c) : NULL;
    unsigned flags = c->cmd->flags | (sub ? sub->flags : 0);
    if (!(flags & CMD_READONLY) || (flags & CMD_SCRIPT_FLAGS))
        return;
    int caching = (mode & TRK_CACHING) != 0;
    if (((mode & TRK_OPTIN) && !caching) || ((mode & TRK_OPTOUT) && caching))
        return;
    command_keys(srv->tracking, tc, caller);
}

/* ---- tracking-table-max-keys ------------------------------------------- */

/* A key of the table picked at random: a random bucket, then the next
 * one that is not empty. */
static struct tracking_key *random_key(struct tracking *t)
{
    size_t nb = t->keys.mask + 1;
    t->rng ^= t->rng << 13;
    t->rng ^= t->rng >> 7;
    t->rng ^= t->rng << 17;
    size_t i = (size_t)t->rng & t->keys.mask;
    for (size_t n = 0; n < nb; n++, i = (i + 1) & t->keys.mask)
        if (t->keys.b[i])
            return (struct tracking_key *)t->keys.b[i];
    return NULL;
}

/* Over tracking-table-max-keys, invalidates random keys as if they had
 * changed until the table fits. Each turn of the loop tries 100 keys more
 * than the last while it stays over, as Redis does, so a limit lowered
 * far below the table is reached over a few turns, not in one long stall.
 * The copy of the key outlives the key's entry, which invalidate frees. */
static void limit_keys(struct server *srv, struct tracking *t)
{
    uint64_t max = (uint64_t)srv->conf.tracking_table_max_keys;
    if (max == 0 || t->keys.n <= max) {
        t->over_turns = 0;
        return;
    }
    char small[256];
    for (size_t effort = 100 * (t->over_turns + 1); effort > 0; effort--) {
        struct tracking_key *k = random_key(t);
        if (!k)
            break;
        size_t klen = k->klen;
        char *copy = klen <= sizeof(small) ? small : malloc(klen);
        if (!copy)
            break;
        memcpy(copy, k->key, klen);
        invalidate(srv, t, k, copy, klen);
        if (copy != small)
            free(copy);
        if (t->keys.n <= max) {
            t->over_turns = 0;
            return;
        }
    }
    t->over_turns++;
}

/* See tracking.h. */
void tracking_before_sleep(struct server *srv)
{
    struct tracking *t = srv->tracking;
    if (t->keys.n)
        limit_keys(srv, t);
    tracking__bcast_send(t);
    pubsub_close_victims(srv);
}

/* ---- Turning tracking on and off ---------------------------------------- */

/* Points tc's redirect at target (NULL: none), keeping the targets'
 * counts. */
static void redirect_set(struct tracking_client *tc, uint64_t id,
                         struct client *target)
{
    if (tc->redir && tc->redir->trk)
        tc->redir->trk->targeted--;
    tc->redir_id = id;
    tc->redir = target;
    if (target)
        target->trk->targeted++;
}

/* See tracking.h. */
int tracking_enable(struct client *c, const struct tracking_opts *o)
{
    struct server *srv = c->srv;
    struct tracking_client *tc = tracking_client_get(c);
    if (!tc || (o->redir && !tracking_client_get(o->redir)))
        return -1;
    struct tracking *t = srv->tracking;
    if (o->flags & TRK_BCAST) {
        if (o->nprefix == 0 && tracking__prefix_join(t, tc, "", 0) != 0)
            return -1;
        for (size_t i = 0; i < o->nprefix; i++)
            if (tracking__prefix_join(t, tc, o->prefix[i],
                                      o->prefix_len[i]) != 0)
                return -1;
    }
    if (!(tc->flags & TRK_ON))
        srv->tracking_clients++;
    redirect_set(tc, o->redir_id, o->redir);
    /* CLIENT CACHING's mark survives, as in Redis: it is a CLIENT
     * command. */
    tc->flags = TRK_ON | (tc->flags & TRK_CACHING) |
                (o->flags & (TRK_BCAST | TRK_OPTIN | TRK_OPTOUT |
                             TRK_NOLOOP));
    return 0;
}

/* See tracking.h. */
void tracking_disable(struct client *c)
{
    struct tracking_client *tc = c->trk;
    struct tracking *t = c->srv->tracking;
    if (!tc || !t)
        return;
    while (tc->links)
        link_drop(t, tc->links);
    tracking__prefixes_leave(t, tc);
    if (tc->flags & TRK_ON)
        c->srv->tracking_clients--;
    tc->flags = 0;
}

/* See tracking.h. */
void tracking_client_gone(struct client *c)
{
    struct tracking_client *tc = c->trk;
    if (!tc)
        return;
    struct tracking *t = c->srv->tracking;
    tracking_disable(c);
    /* Closed in the middle of its own command: what it held back has
     * nowhere to go, and must not reach the next command's client. */
    if (c == c->srv->current_client) {
        for (size_t i = 0; i < t->nheld; i++)
            free(t->held[i].key);
        t->nheld = 0;
    }
    redirect_set(tc, tc->redir_id, NULL);
    if (tc->targeted > 0)
        for (struct tracking_client *o = t->all; o; o = o->next)
            if (o->redir == c)
                o->redir = NULL;
    if (tc->prev)
        tc->prev->next = tc->next;
    else
        t->all = tc->next;
    if (tc->next)
        tc->next->prev = tc->prev;
    free(tc);
    c->trk = NULL;
}

/* See tracking.h. */
void tracking_close(struct server *srv)
{
    struct tracking *t = srv->tracking;
    if (!t)
        return;
    table_clear(t);
    tracking__prefixes_free(t);
    for (size_t i = 0; i < t->nheld; i++)
        free(t->held[i].key);
    free(t->held);
    free(t);
    srv->tracking = NULL;
}

/* ---- What CLIENT LIST and INFO show ------------------------------------- */

/* See tracking.h. */
void tracking_stats(const struct server *srv, struct tracking_stats *st)
{
    const struct tracking *t = srv->tracking;
    st->keys = t ? t->keys.n : 0;
    st->items = t ? t->links.n : 0;
    st->prefixes = t ? t->nprefixes : 0;
}

/* See tracking.h. */
char *tracking_flags_str(const struct client *c, char *p)
{
    unsigned f = c->trk ? c->trk->flags : 0;
    if (f & TRK_ON)
        *p++ = 't';
    if (f & TRK_BROKEN_REDIR)
        *p++ = 'R';
    if (f & TRK_BCAST)
        *p++ = 'B';
    return p;
}

/* See tracking.h. */
long long tracking_redir_of(const struct client *c)
{
    if (!c->trk || !(c->trk->flags & TRK_ON))
        return -1;
    return (long long)c->trk->redir_id;
}
