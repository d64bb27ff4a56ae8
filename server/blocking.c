/* blocking.c - clients blocked on keys, and waking them (see blocking.h).
 *
 * Three structures, all owned here:
 *
 *   key index   (db, key) -> struct bkey { FIFO of waits, ready flag }
 *               a chained hash table; a bkey lives while it has waiters
 *   ready list  bkeys touched since the last serve, in touch order
 *   deadlines   a binary min-heap of blocked clients with a timeout,
 *               under one uv_timer armed for the earliest
 *
 *   client --blocked--> struct blocked { saved argv, deadline, heap slot,
 *                                        wait[0..nkeys): one per key }
 *   wait[i] is linked into the FIFO of the bkey of key i.
 *
 * Waking reruns the command rather than handing it data: the handler
 * that blocked is the one that serves, so every blocking command's rules
 * (counts, which end, group cursors) live in one place, its handler, and a
 * rerun that finds nothing simply blocks again in place. That is Redis
 * 7's model too. A waiter is only rerun when its key now holds the type
 * it waits for (or is gone, for wake_on_delete), so a blocked BLPOP is
 * not answered WRONGTYPE because someone SET its key to a string.
 *
 * Serving is never re-entered: writes made by a rerun (BLMOVE pushing to
 * its destination) only mark more keys ready, which the same serve loop
 * then takes in turn. Only the rerun client can leave a FIFO while that
 * FIFO is walked, so keeping the next pointer before the rerun is safe.
 *
 * WAIT blocks on no key at all: only its deadline, CLIENT UNBLOCK or its
 * disconnection end it, with 0 where the others reply a null.
 *
 * Not here: modules' blocked clients. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "server/blocking.h"
#include "server/server.h"

struct bkey;

struct bwait {
    struct client *c;
    struct bkey *k;
    struct bwait *prev, *next;          /* k's FIFO */
};

struct bkey {
    struct bkey *hnext;                 /* hash chain */
    struct bkey *rnext;                 /* ready list */
    struct bwait *head, *tail;
    uint64_t hash;
    int db;
    int ready;
    size_t klen;
    char key[];
};

struct blocked {
    const struct command *cmd;
    size_t argc;
    char **argv;                        /* each owned */
    size_t *argvlen;
    /* The arguments client_block_set_arg replaced, as the client sent
     * them, for the slow log (XREAD's "$"): NULL until one is, then argc
     * of them, {NULL, 0} where unchanged. Owned. */
    struct sent_arg {
        char *p;
        size_t len;
    } *sent;
    int64_t deadline_ms;                /* 0: none */
    size_t heap_slot;
    enum store_type type;
    int wake_on_delete;
    int timeout_zero;                   /* WAIT: times out with :0, 2:
                                           WAITAOF: with [0, 0] */
    size_t nwait;
    struct bwait wait[];
};

struct blocking {
    struct server *srv;
    struct bkey **tab;
    size_t tabsize, nkeys;              /* tabsize: a power of two */
    struct bkey *ready_head, *ready_tail;
    struct client **heap;
    size_t nheap, heapcap;
    size_t nblocked;
    struct client *rerun;               /* running its command again */
    int rerun_blocked;                  /* ... and it blocked again */
    int serving;
    uv_timer_t timer;
};

#define BKEY_TAB_MIN 16

static uint64_t key_hash(int db, const char *key, size_t klen)
{
    return XXH3_64bits_withSeed(key, klen, (uint64_t)db);
}

/* ---- Key index ----------------------------------------------------------- */

static struct bkey *bkey_find(struct blocking *b, int db, const char *key,
                              size_t klen, uint64_t h)
{
    if (!b->tab)
        return NULL;
    for (struct bkey *k = b->tab[h & (b->tabsize - 1)]; k; k = k->hnext)
        if (k->hash == h && k->db == db && k->klen == klen &&
            memcmp(k->key, key, klen) == 0)
            return k;
    return NULL;
}

/* Doubles the table when it is full. Returns 0, or -1 on OOM (the old
 * table then keeps working, only with longer chains). */
static int tab_grow(struct blocking *b)
{
    if (b->nkeys < b->tabsize)
        return 0;
    size_t n = b->tabsize ? b->tabsize * 2 : BKEY_TAB_MIN;
    struct bkey **t = calloc(n, sizeof(*t));
    if (!t)
        return b->tab ? 0 : -1;
    for (size_t i = 0; i < b->tabsize; i++) {
        struct bkey *k = b->tab[i];
        while (k) {
            struct bkey *next = k->hnext;
            k->hnext = t[k->hash & (n - 1)];
            t[k->hash & (n - 1)] = k;
            k = next;
        }
    }
    free(b->tab);
    b->tab = t;
    b->tabsize = n;
    return 0;
}

/* The bkey of (db, key), created when missing. NULL on OOM. */
static struct bkey *bkey_get(struct blocking *b, int db, const char *key,
                             size_t klen)
{
    uint64_t h = key_hash(db, key, klen);
    struct bkey *k = bkey_find(b, db, key, klen, h);
    if (k)
        return k;
    if (tab_grow(b) != 0)
        return NULL;
    k = calloc(1, sizeof(*k) + klen);
    if (!k)
        return NULL;
    k->hash = h;
    k->db = db;
    k->klen = klen;
    memcpy(k->key, key, klen);
    struct bkey **slot = &b->tab[h & (b->tabsize - 1)];
    k->hnext = *slot;
    *slot = k;
    b->nkeys++;
    return k;
}

/* Frees k once nobody waits on it and it is not on the ready list. */
static void bkey_release(struct blocking *b, struct bkey *k)
{
    if (k->head || k->ready)
        return;
    struct bkey **l = &b->tab[k->hash & (b->tabsize - 1)];
    while (*l != k)
        l = &(*l)->hnext;
    *l = k->hnext;
    b->nkeys--;
    free(k);
}

/* ---- Deadline heap --------------------------------------------------------- */

static int64_t deadline_of(const struct blocking *b, size_t i)
{
    return b->heap[i]->blocked->deadline_ms;
}

static void heap_put(struct blocking *b, size_t i, struct client *c)
{
    b->heap[i] = c;
    c->blocked->heap_slot = i;
}

static void heap_up(struct blocking *b, size_t i)
{
    struct client *c = b->heap[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (deadline_of(b, p) <= c->blocked->deadline_ms)
            break;
        heap_put(b, i, b->heap[p]);
        i = p;
    }
    heap_put(b, i, c);
}

static void heap_down(struct blocking *b, size_t i)
{
    struct client *c = b->heap[i];
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        int64_t best = c->blocked->deadline_ms;
        if (l < b->nheap && deadline_of(b, l) < best) {
            m = l;
            best = deadline_of(b, l);
        }
        if (l + 1 < b->nheap && deadline_of(b, l + 1) < best)
            m = l + 1;
        if (m == i)
            break;
        heap_put(b, i, b->heap[m]);
        i = m;
    }
    heap_put(b, i, c);
}

static void heap_remove(struct blocking *b, struct client *c)
{
    size_t i = c->blocked->heap_slot;
    struct client *last = b->heap[--b->nheap];
    if (last == c)
        return;
    heap_put(b, i, last);
    heap_down(b, i);
    heap_up(b, last->blocked->heap_slot);
}

static void on_timer(uv_timer_t *t);

/* Arms the timer for the earliest deadline, or stops it. */
static void timer_update(struct blocking *b)
{
    if (b->nheap == 0) {
        uv_timer_stop(&b->timer);
        return;
    }
    int64_t wait = deadline_of(b, 0) - server_now_ms(b->srv);
    uv_timer_start(&b->timer, on_timer, wait > 0 ? (uint64_t)wait : 0, 0);
}

/* ---- Blocking and unblocking ------------------------------------------------ */

static void blocked_free(struct blocked *bl)
{
    for (size_t i = 0; i < bl->argc; i++) {
        free(bl->argv[i]);
        if (bl->sent)
            free(bl->sent[i].p);
    }
    free(bl->sent);
    free(bl->argv);
    free(bl->argvlen);
    free(bl);
}

/* Takes c out of every FIFO and the heap and frees its blocked state. */
static void unblock(struct blocking *b, struct client *c)
{
    struct blocked *bl = c->blocked;
    for (size_t i = 0; i < bl->nwait; i++) {
        struct bwait *w = &bl->wait[i];
        if (!w->k)
            continue;
        if (w->prev)
            w->prev->next = w->next;
        else
            w->k->head = w->next;
        if (w->next)
            w->next->prev = w->prev;
        else
            w->k->tail = w->prev;
        bkey_release(b, w->k);
    }
    if (bl->deadline_ms)
        heap_remove(b, c);
    c->blocked = NULL;
    c->flags &= ~(unsigned)CLIENT_BLOCKED;
    c->block_ns = 0;
    b->nblocked--;
    blocked_free(bl);
    client_reply_done(c);
    c->unblocked_turn = c->srv->loop_turns + 1;
}

/* Records blocked client c's command in the slow log as it is unblocked
 * (served, or CLIENT UNBLOCK), with the time its runs took (client_call
 * summed them) and its arguments as sent, as Redis 7.0 does; not when it
 * times out or c goes away (7.0 does not log those either). Its latency
 * histogram gets it there too (cmd_latency.c), as in 7.0. */
static void log_slow(struct client *c)
{
    struct blocked *bl = c->blocked;
    latency_track_unblocked(c->srv, bl->cmd, c->block_ns);
    if (c->block_ns < c->srv->slowlog_threshold_ns)
        return;
    const char **argv = (const char **)bl->argv;
    const size_t *argvlen = bl->argvlen;
    const char **sent = NULL;
    size_t *sentlen = NULL;
    if (bl->sent) {
        sent = malloc(bl->argc * sizeof(*sent));
        sentlen = malloc(bl->argc * sizeof(*sentlen));
        if (sent && sentlen) {
            for (size_t i = 0; i < bl->argc; i++) {
                int orig = bl->sent[i].p != NULL;
                sent[i] = orig ? bl->sent[i].p : bl->argv[i];
                sentlen[i] = orig ? bl->sent[i].len : bl->argvlen[i];
            }
            argv = sent;
            argvlen = sentlen;
        }
    }
    const struct command *cmd = c->cmd;
    c->cmd = bl->cmd;
    slowlog_command(c, bl->argc, argv, argvlen, c->block_ns);
    c->cmd = cmd;
    free(sent);
    free(sentlen);
}

/* Copies c's running command into bl. Returns 0 or -1 on OOM. */
static int save_argv(struct blocked *bl, const struct client *c)
{
    bl->cmd = c->cmd;
    bl->argv = calloc(c->argc, sizeof(*bl->argv));
    bl->argvlen = calloc(c->argc, sizeof(*bl->argvlen));
    if (!bl->argv || !bl->argvlen)
        return -1;
    bl->argc = c->argc;
    for (size_t i = 0; i < c->argc; i++) {
        bl->argv[i] = malloc(c->argvlen[i] + 1);
        if (!bl->argv[i])
            return -1;
        memcpy(bl->argv[i], c->argv[i], c->argvlen[i]);
        bl->argv[i][c->argvlen[i]] = '\0';
        bl->argvlen[i] = c->argvlen[i];
    }
    return 0;
}

/* Links bl's waits into the FIFOs of c's keys and bl into the heap.
 * Returns 0 or -1 on OOM, having linked nothing. */
static int link_waits(struct blocking *b, struct client *c,
                      struct blocked *bl, const size_t *key_args)
{
    if (bl->deadline_ms && b->nheap == b->heapcap) {
        size_t n = b->heapcap ? b->heapcap * 2 : 16;
        struct client **h = realloc(b->heap, n * sizeof(*h));
        if (!h)
            return -1;
        b->heap = h;
        b->heapcap = n;
    }
    for (size_t i = 0; i < bl->nwait; i++) {
        const char *key = c->argv[key_args[i]];
        size_t klen = c->argvlen[key_args[i]];
        struct bkey *k = bkey_get(b, c->db, key, klen);
        if (!k) {
            for (size_t j = 0; j < i; j++)
                bkey_release(b, bl->wait[j].k);
            return -1;
        }
        bl->wait[i].k = k;
    }
    for (size_t i = 0; i < bl->nwait; i++) {
        struct bwait *w = &bl->wait[i];
        struct bkey *k = w->k;
        /* A key named twice (BLPOP k k 0) waits once. */
        for (size_t j = 0; j < i && k; j++)
            if (bl->wait[j].k == k)
                k = NULL;
        if (!k) {
            w->k = NULL;
            continue;
        }
        w->c = c;
        w->next = NULL;
        w->prev = k->tail;
        if (k->tail)
            k->tail->next = w;
        else
            k->head = w;
        k->tail = w;
    }
    if (bl->deadline_ms) {
        b->heap[b->nheap] = c;
        bl->heap_slot = b->nheap++;
        heap_up(b, bl->heap_slot);
    }
    return 0;
}

/* See blocking.h. */
void client_block(struct client *c, const size_t *key_args, size_t nkeys,
                  enum store_type type, int wake_on_delete,
                  int64_t deadline_ms)
{
    struct blocking *b = c->srv->blocking;
    if (b->rerun == c) {
        b->rerun_blocked = 1;
        return;
    }
    struct blocked *bl = calloc(1, sizeof(*bl) + nkeys * sizeof(bl->wait[0]));
    if (!bl || save_argv(bl, c) != 0) {
        if (bl)
            blocked_free(bl);
        reply_error(c, ERR_OOM);
        return;
    }
    bl->type = type;
    bl->wake_on_delete = wake_on_delete;
    bl->deadline_ms = deadline_ms;
    bl->nwait = nkeys;
    c->blocked = bl;                    /* the heap reaches it through c */
    if (link_waits(b, c, bl, key_args) != 0) {
        c->blocked = NULL;
        blocked_free(bl);
        reply_error(c, ERR_OOM);
        return;
    }
    c->flags |= CLIENT_BLOCKED;
    b->nblocked++;
    if (deadline_ms)
        timer_update(b);
}

/* See blocking.h. */
void client_block_wait(struct client *c, int64_t deadline_ms)
{
    client_block(c, NULL, 0, STORE_T_STRING, 0, deadline_ms);
    if (c->flags & CLIENT_BLOCKED)
        c->blocked->timeout_zero = 1;
}

/* See blocking.h. */
void client_block_waitaof(struct client *c, int64_t deadline_ms)
{
    client_block_wait(c, deadline_ms);
    if (c->flags & CLIENT_BLOCKED)
        c->blocked->timeout_zero = 2;
}

/* See blocking.h. */
int client_block_set_arg(struct client *c, size_t i, const char *s,
                         size_t len)
{
    struct blocked *bl = c->blocked;
    if (!bl || c->srv->blocking->rerun == c || i >= bl->argc)
        return 0;
    if (!bl->sent && !(bl->sent = calloc(bl->argc, sizeof(*bl->sent))))
        return -1;
    char *p = bytes_dup(s, len);
    if (!p)
        return -1;
    if (bl->sent[i].p) {
        free(bl->argv[i]);
    } else {
        bl->sent[i].p = bl->argv[i];    /* kept for the slow log */
        bl->sent[i].len = bl->argvlen[i];
    }
    bl->argv[i] = p;
    bl->argvlen[i] = len;
    return 0;
}

int client_block_rerun(const struct client *c)
{
    return c->srv->blocking->rerun == c;
}

int client_can_block(const struct client *c)
{
    return !(c->flags & (CLIENT_MULTI | CLIENT_SCRIPT));
}

/* Runs blocked client c's command again. Returns 1 if it was served (and
 * is unblocked now), 0 if it blocked again. */
static int rerun(struct blocking *b, struct client *c)
{
    struct blocked *bl = c->blocked;
    c->cmd = bl->cmd;
    c->argc = bl->argc;
    c->argv = (const char **)bl->argv;
    c->argvlen = bl->argvlen;
    b->rerun = c;
    b->rerun_blocked = 0;
    client_call(c);
    b->rerun = NULL;
    c->argc = 0;
    c->argv = NULL;
    c->argvlen = NULL;
    if (b->rerun_blocked)
        return 0;
    log_slow(c);
    unblock(b, c);
    client_resume(c);
    return 1;
}

/* 1 if waiter bl may be rerun for key k: the key holds bl's type, or bl
 * asked to wake on deletion and the key is gone or was overwritten with
 * another type (Redis 7.0 counts that as a deletion too). */
static int key_serves(struct server *srv, const struct bkey *k,
                      const struct blocked *bl)
{
    struct store_entry *e = store_key_find(srv->db[k->db], k->key, k->klen,
                                           server_now_ms(srv));
    if (!e || store_entry_type(e) != bl->type)
        return bl->wake_on_delete;
    return 1;
}

static void mark_ready(struct blocking *b, struct bkey *k)
{
    if (k->ready || !k->head)
        return;
    k->ready = 1;
    k->rnext = NULL;
    if (b->ready_tail)
        b->ready_tail->rnext = k;
    else
        b->ready_head = k;
    b->ready_tail = k;
}

/* See blocking.h. */
void blocking_key_touched(struct server *srv, int db, const char *key,
                          size_t klen)
{
    struct blocking *b = srv->blocking;
    if (!b || b->nblocked == 0)
        return;
    struct bkey *k = bkey_find(b, db, key, klen, key_hash(db, key, klen));
    if (k)
        mark_ready(b, k);
}

/* See blocking.h. */
void blocking_db_touched(struct server *srv, int db)
{
    struct blocking *b = srv->blocking;
    if (!b || b->nblocked == 0)
        return;
    for (size_t i = 0; i < b->tabsize; i++)
        for (struct bkey *k = b->tab[i]; k; k = k->hnext)
            if (db < 0 || k->db == db)
                mark_ready(b, k);
}

/* See blocking.h. */
void blocking_serve_ready(struct server *srv)
{
    struct blocking *b = srv->blocking;
    /* Not while a busy script runs (script_busy.c): the keys it made
     * ready are served once it ends, by its caller's dispatch. */
    if (!b || !b->ready_head || b->serving || srv->script_run.busy)
        return;
    b->serving = 1;
    while (b->ready_head) {
        struct bkey *k = b->ready_head;
        b->ready_head = k->rnext;
        if (!b->ready_head)
            b->ready_tail = NULL;
        /* Still set, so a served waiter's unblock cannot free k mid-walk
         * (and touches meanwhile do not queue it twice). */
        struct bwait *w = k->head;
        while (w) {
            struct bwait *next = w->next;
            struct client *c = w->c;
            if (key_serves(srv, k, c->blocked))
                rerun(b, c);
            w = next;
        }
        k->ready = 0;
        bkey_release(b, k);
    }
    b->serving = 0;
}

/* Counts blocked client c's call failed: CLIENT UNBLOCK ERROR ended it
 * (it was counted as a call when it blocked). Blocking commands are no
 * containers, so the command's own counters are the ones. */
static void count_failed(struct client *c)
{
    command_stats_of_cmd(c->srv, c->blocked->cmd)->failed++;
}

/* The reply of blocked c's timeout: a null array, WAIT's 0, WAITAOF's
 * [0, 0]. */
static void reply_timeout(struct client *c)
{
    if (c->blocked->timeout_zero == 2) {
        resp_add_array(&c->out, 2);
        resp_add_int(&c->out, 0);
        resp_add_int(&c->out, 0);
    } else if (c->blocked->timeout_zero)
        resp_add_int(&c->out, 0);
    else
        resp_add_null_array(&c->out);
}

/* Replies the timeout null to every client whose deadline has passed. */
static void on_timer(uv_timer_t *t)
{
    struct blocking *b = t->data;
    int64_t now = server_now_ms(b->srv);
    while (b->nheap > 0 && deadline_of(b, 0) <= now) {
        struct client *c = b->heap[0];
        reply_timeout(c);
        unblock(b, c);
        client_resume(c);
    }
    timer_update(b);
}

/* See blocking.h. */
void blocking_client_gone(struct client *c)
{
    if (c->blocked)
        unblock(c->srv->blocking, c);
}

/* See blocking.h. */
int blocking_unblock(struct client *c, int error)
{
    if (!c->blocked)
        return 0;
    if (error) {
        reply_error(c, ERR_UNBLOCKED_CLIENT);
        count_failed(c);
    } else {
        reply_timeout(c);
    }
    log_slow(c);
    unblock(c->srv->blocking, c);
    client_resume(c);
    return 1;
}

size_t blocking_count(const struct server *srv)
{
    return srv->blocking ? srv->blocking->nblocked : 0;
}

size_t blocking_count_timed(const struct server *srv)
{
    return srv->blocking ? srv->blocking->nheap : 0;
}

/* See blocking.h. Walks the key index: INFO is rare, blocked keys few. */
size_t blocking_count_keys(const struct server *srv, size_t *on_nokey)
{
    const struct blocking *b = srv->blocking;
    *on_nokey = 0;
    if (!b || !b->tab)
        return 0;
    for (size_t i = 0; i < b->tabsize; i++) {
        for (const struct bkey *k = b->tab[i]; k; k = k->hnext) {
            const struct bwait *w = k->head;
            while (w && !w->c->blocked->wake_on_delete)
                w = w->next;
            *on_nokey += w != NULL;
        }
    }
    return b->nkeys;
}

/* ---- Timeouts and set-up ----------------------------------------------------- */

/* See blocking.h. Redis 7.0 takes seconds as a long double and XREAD's
 * milliseconds as an integer. Seconds beyond the range of a 64-bit count
 * of ms (inf too) overflow its conversion into a negative number, so
 * they get "timeout is negative" there; the same reply here. A deadline
 * past the end of time means never. */
int block_timeout_or_reply(struct client *c, size_t i, enum block_unit unit,
                           int64_t *deadline_ms)
{
    int64_t ms;
    if (unit == BLOCK_SECONDS) {
        long double v;
        if (!parse_ldouble(c->argv[i], c->argvlen[i], &v)) {
            reply_error(c, ERR_TIMEOUT_NOT_FLOAT);
            return 0;
        }
        v = ceill(v * 1000);
        if (v < 0 || v >= (long double)INT64_MAX) {
            reply_error(c, ERR_TIMEOUT_NEG);
            return 0;
        }
        ms = (int64_t)v;
    } else if (!parse_i64(c->argv[i], c->argvlen[i], &ms)) {
        reply_error(c, ERR_TIMEOUT_NOT_INT);
        return 0;
    }
    if (ms < 0) {
        reply_error(c, ERR_TIMEOUT_NEG);
        return 0;
    }
    int64_t now = server_now_ms(c->srv);
    *deadline_ms = ms == 0 ? 0 : ms > INT64_MAX - now ? 0 : now + ms;
    return 1;
}

/* Allocates the server's blocking state and its timer. Returns 0, or -1
 * on OOM. */
int blocking_init(struct server *srv)
{
    struct blocking *b = calloc(1, sizeof(*b));
    if (!b)
        return -1;
    b->srv = srv;
    uv_timer_init(srv->loop, &b->timer);
    b->timer.data = b;
    srv->blocking = b;
    return 0;
}

static void free_on_close(uv_handle_t *h)
{
    struct blocking *b = h->data;
    free(b->tab);
    free(b->heap);
    free(b);
}

/* Closes the timer; the state is freed once it is closed. Every client
 * must be gone already. */
void blocking_close(struct server *srv)
{
    struct blocking *b = srv->blocking;
    if (!b)
        return;
    srv->blocking = NULL;
    uv_close((uv_handle_t *)&b->timer, free_on_close);
}
