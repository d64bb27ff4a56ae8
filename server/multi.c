/* multi.c - MULTI/EXEC/DISCARD and optimistic locking with WATCH.
 *
 * Queued commands are copied (the reader's argv is only borrowed) into one
 * allocation each: the pointer array, the length array and the bytes.
 *
 * WATCH keeps a small per-client list of (db, key). Every write handler
 * calls server_key_modified(), which also wakes blocked clients and
 * invalidates client-side caches (tracking.c, one branch while nobody
 * tracks), is otherwise a no-op while nobody watches, and marks every
 * client watching that key CLIENT_DIRTY_CAS (the writer included, as in
 * Redis). Keys removed by expiry count as modified
 * (the store's expired callback calls it), and EXEC checks each watched
 * key's TTL first so a key that expired logically but was not yet swept
 * counts too. The watcher lists are walked linearly: watching is rare and
 * the lists are short, so no reverse index is kept.
 *
 * As in Redis 7.0, WATCH and EXEC look at a key without expiring it (no
 * "expired" event, DBSIZE still counts it): a key already past its time
 * at WATCH is marked expired, and its deletion later (by a lookup, the
 * sweeper or a flush) is no change to that watcher, since the key was
 * logically absent all along. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/acl.h"
#include "server/blocking.h"
#include "server/server.h"
#include "server/tracking.h"

/* Queues the current command, copied, and replies +QUEUED. A transaction
 * EXEC will abort anyway (a command failed to queue, a watched key
 * changed) queues nothing more, as in Redis, whose CLIENT LIST multi=
 * shows it. */
void client_multi_queue(struct client *c)
{
    if (c->flags & (CLIENT_DIRTY_EXEC | CLIENT_DIRTY_CAS)) {
        resp_add_simple(&c->out, "QUEUED");
        return;
    }
    if (c->mcount == c->mcap) {
        size_t cap = c->mcap ? c->mcap * 2 : 8;
        struct queued_cmd *q = realloc(c->mqueue, cap * sizeof(*q));
        if (!q) {
            reply_error(c, ERR_OOM);
            c->flags |= CLIENT_DIRTY_EXEC;
            return;
        }
        c->mqueue = q;
        c->mcap = cap;
    }
    if (client_cmd_save(c, &c->mqueue[c->mcount]) != 0) {
        reply_error(c, ERR_OOM);
        c->flags |= CLIENT_DIRTY_EXEC;
        return;
    }
    c->mbytes += c->mqueue[c->mcount].bytes;
    c->mcount++;
    resp_add_simple(&c->out, "QUEUED");
}

/* See server.h. */
int client_cmd_save(const struct client *c, struct queued_cmd *q)
{
    size_t bytes = 0;
    for (size_t i = 0; i < c->argc; i++)
        bytes += c->argvlen[i] + 1;
    size_t head = c->argc * (sizeof(char *) + sizeof(size_t));
    char *block = malloc(head + bytes);
    if (!block)
        return -1;
    q->cmd = c->cmd;
    q->flags = client_cmd_flags(c);
    q->argc = c->argc;
    q->argv = (char **)block;
    q->argvlen = (size_t *)(block + c->argc * sizeof(char *));
    q->bytes = head + bytes;
    char *p = block + head;
    for (size_t i = 0; i < c->argc; i++) {
        memcpy(p, c->argv[i], c->argvlen[i]);
        p[c->argvlen[i]] = '\0';
        q->argv[i] = p;
        q->argvlen[i] = c->argvlen[i];
        p += c->argvlen[i] + 1;
    }
    return 0;
}

/* Frees the queue and leaves MULTI state. */
void client_multi_reset(struct client *c)
{
    for (size_t i = 0; i < c->mcount; i++)
        free(c->mqueue[i].argv);
    c->mcount = 0;
    c->mbytes = 0;
    c->flags &= ~(unsigned)(CLIENT_MULTI | CLIENT_DIRTY_CAS |
                            CLIENT_DIRTY_EXEC);
}

/* Forgets every watched key. */
void client_unwatch_all(struct client *c)
{
    if (c->nwatched == 0)
        return;
    for (size_t i = 0; i < c->nwatched; i++)
        free(c->watched[i].key);
    free(c->watched);
    c->watched = NULL;
    c->nwatched = 0;
    c->srv->nwatching--;
}

static int watched_cmp(const void *a, const void *b)
{
    const struct watched_key *x = *(const struct watched_key *const *)a;
    const struct watched_key *y = *(const struct watched_key *const *)b;
    if (x->db != y->db)
        return x->db < y->db ? -1 : 1;
    if (x->klen != y->klen)
        return x->klen < y->klen ? -1 : 1;
    return memcmp(x->key, y->key, x->klen);
}

/* See server.h. Sorts pointers to every client's watched keys and counts
 * the distinct ones: INFO is rare, watched keys few. */
size_t client_watched_keys_total(const struct server *srv)
{
    size_t n = 0;
    for (const struct client *c = srv->clients; c; c = c->next)
        n += c->nwatched;
    if (n < 2)
        return n;
    const struct watched_key **all = malloc(n * sizeof(*all));
    if (!all)
        return n;
    size_t i = 0;
    for (const struct client *c = srv->clients; c; c = c->next)
        for (size_t j = 0; j < c->nwatched; j++)
            all[i++] = &c->watched[j];
    qsort(all, n, sizeof(*all), watched_cmp);
    size_t distinct = 1;
    for (i = 1; i < n; i++)
        distinct += watched_cmp(&all[i - 1], &all[i]) != 0;
    free(all);
    return distinct;
}

/* See server.h. */
void server_key_modified(struct server *srv, int db, const char *key,
                         size_t klen)
{
    srv->dirty++;
    server_key_signal(srv, db, key, klen);
}

/* See server.h. */
void server_dirty_elements(struct server *srv, uint64_t n)
{
    if (n > 1)
        srv->dirty += n - 1;
}

/* See server.h: wakes blocked clients, invalidates tracking, and marks
 * every client watching (db, key) dirty, except a watcher that saw the
 * key past its time at WATCH (Redis's touchWatchedKey): to it the key's
 * deletion changes nothing, and clears the mark so that a later write
 * counts; while the key is still held, past its time, nothing has
 * changed either. */
void server_key_signal(struct server *srv, int db, const char *key,
                       size_t klen)
{
    blocking_key_touched(srv, db, key, klen);
    if (srv->tracking_clients)
        tracking_key_modified(srv, key, klen);
    if (srv->nwatching == 0)
        return;
    for (struct client *w = srv->clients; w; w = w->next) {
        for (size_t i = 0; i < w->nwatched; i++) {
            struct watched_key *k = &w->watched[i];
            if (k->db != db || k->klen != klen ||
                memcmp(k->key, key, klen) != 0)
                continue;
            if (k->expired) {
                if (!store_key_peek_any(srv->db[db], key, klen))
                    k->expired = 0;
                break;
            }
            w->flags |= CLIENT_DIRTY_CAS;
            break;
        }
    }
}

/* 1 if entry e exists and is past its time at now: Redis's keyIsExpired,
 * which looks without deleting. */
static int held_expired(const struct store_entry *e, int64_t now)
{
    return e && store_entry_expired(e, now);
}

/* Whether a FLUSHDB, FLUSHALL or SWAPDB that empties database k->db (and,
 * with repl, moves repl's keys in) changes what k's watcher saw: Redis's
 * touchAllWatchedKeysInDb, which goes by the keys held, expired or not,
 * and by the expired mark. Updates the mark as Redis does. */
static int flush_touches(struct watched_key *k, struct store *emptied,
                         struct store *repl, int64_t now)
{
    int in_emptied = store_key_peek_any(emptied, k->key, k->klen) != NULL;
    struct store_entry *in_repl =
        repl ? store_key_peek_any(repl, k->key, k->klen) : NULL;
    if (!in_emptied && !in_repl)
        return 0;
    if (k->expired) {
        if (!in_repl) {
            k->expired = 0;             /* an expired key goes: no change */
            return 0;
        }
        if (held_expired(in_repl, now))
            return 0;                   /* expired before and after */
    } else if (!in_emptied && held_expired(in_repl, now)) {
        k->expired = 1;                 /* absent, and absent after */
        return 0;
    }
    return 1;
}

/* Before a database is emptied or swapped (db < 0: all of them): marks
 * clients watching a key that exists there, or in the database it takes
 * over (with), as Redis does. */
void server_db_modified(struct server *srv, int db, int with)
{
    blocking_db_touched(srv, db);
    /* FLUSHDB and FLUSHALL (not SWAPDB, as in Redis). */
    if (srv->tracking_clients && with < 0)
        tracking_flushed(srv);
    if (srv->nwatching == 0)
        return;
    int64_t now = server_now_ms(srv);
    struct store *repl = with >= 0 ? srv->db[with] : NULL;
    for (struct client *w = srv->clients; w; w = w->next) {
        if (w->flags & CLIENT_DIRTY_CAS)
            continue;
        for (size_t i = 0; i < w->nwatched; i++) {
            struct watched_key *k = &w->watched[i];
            if ((db < 0 || k->db == db) &&
                flush_touches(k, srv->db[k->db], repl, now)) {
                w->flags |= CLIENT_DIRTY_CAS;
                break;
            }
        }
    }
}

void cmd_multi(struct client *c)
{
    if (c->flags & CLIENT_MULTI) {
        reply_error(c, ERR_NESTED_MULTI);
        return;
    }
    c->flags |= CLIENT_MULTI;
    reply_ok(c);
}

void cmd_discard(struct client *c)
{
    if (!(c->flags & CLIENT_MULTI)) {
        reply_error(c, ERR_DISCARD_NO_MULTI);
        return;
    }
    client_multi_reset(c);
    client_unwatch_all(c);
    reply_ok(c);
}

/* 1 if a watched key that was live at WATCH is now past its time, still
 * held or not (Redis's isWatchedKeyExpired). Nothing is deleted: the key
 * goes, with its "expired" event, when a command or the sweeper finds
 * it, as in Redis. */
static int watched_expired(const struct client *c)
{
    int64_t now = server_now_ms(c->srv);
    for (size_t i = 0; i < c->nwatched; i++) {
        const struct watched_key *k = &c->watched[i];
        if (!k->expired &&
            held_expired(store_key_peek_any(c->srv->db[k->db], k->key,
                                            k->klen), now))
            return 1;
    }
    return 0;
}

/* A queued command the user's ACL no longer allows (changed since it
 * was queued): refused with Redis's reason, the others still run. */
static __attribute__((noinline)) int exec_acl_refused(struct client *c)
{
    int pos;
    enum acl_denial why = acl_check_client(c, ACL_CTX_MULTI, &pos);
    if (why == ACL_OK)
        return 0;
    const char *reason =
        why == ACL_DENIED_CMD
            ? "no permission to execute the command or subcommand"
        : why == ACL_DENIED_KEY
            ? "no permission to touch the specified keys"
            : "no permission to access one of the channels used as "
              "arguments";
    char msg[384];
    int n = snprintf(msg, sizeof(msg),
                     "NOPERM ACLs rules changed between the moment the "
                     "transaction was accumulated and the EXEC call. This "
                     "command is no longer allowed for the following "
                     "reason: %s", reason);
    reply_error_text(c, msg, (size_t)n);
    return 1;
}

void cmd_exec(struct client *c)
{
    if (!(c->flags & CLIENT_MULTI)) {
        reply_error(c, ERR_EXEC_NO_MULTI);
        return;
    }
    if (c->flags & CLIENT_DIRTY_EXEC) {
        reply_error(c, ERR_EXECABORT);
        client_multi_reset(c);
        client_unwatch_all(c);
        return;
    }
    if (watched_expired(c))
        c->flags |= CLIENT_DIRTY_CAS;
    if (c->flags & CLIENT_DIRTY_CAS) {
        resp_add_null_array(&c->out);
        client_multi_reset(c);
        client_unwatch_all(c);
        return;
    }
    /* Watching ends before the queue runs: the transaction's own writes
     * must not mark anybody's EXEC, least of all this one. */
    client_unwatch_all(c);
    /* EXEC's own arguments come back after the queue (MONITOR shows it). */
    const struct command *exec = c->cmd;
    size_t exec_argc = c->argc;
    const char **exec_argv = c->argv;
    const size_t *exec_argvlen = c->argvlen;
    size_t n = c->mcount;
    resp_add_array(&c->out, n);
    for (size_t i = 0; i < n; i++) {
        struct queued_cmd *q = &c->mqueue[i];
        c->cmd = q->cmd;
        c->argc = q->argc;
        c->argv = (const char **)q->argv;
        c->argvlen = q->argvlen;
        if (c->user->restricted && exec_acl_refused(c))
            continue;
        client_call(c);
    }
    c->cmd = exec;
    c->argc = exec_argc;
    c->argv = exec_argv;
    c->argvlen = exec_argvlen;
    client_multi_reset(c);
}

void cmd_watch(struct client *c)
{
    if (c->flags & CLIENT_MULTI) {
        reply_error(c, ERR_WATCH_IN_MULTI);
        return;
    }
    int64_t now = server_now_ms(c->srv);
    for (size_t i = 1; i < c->argc; i++) {
        int seen = 0;
        for (size_t j = 0; j < c->nwatched && !seen; j++)
            seen = c->watched[j].db == c->db &&
                   c->watched[j].klen == c->argvlen[i] &&
                   memcmp(c->watched[j].key, c->argv[i], c->argvlen[i]) == 0;
        if (seen)
            continue;
        /* A key past its time stays where it is (see the top). */
        int expired = held_expired(
            store_key_peek_any(client_db(c), c->argv[i], c->argvlen[i]), now);
        struct watched_key *w =
            realloc(c->watched, (c->nwatched + 1) * sizeof(*w));
        char *key = bytes_dup(c->argv[i], c->argvlen[i]);
        if (!w || !key) {
            if (w)
                c->watched = w;
            free(key);
            reply_error(c, ERR_OOM);
            return;
        }
        c->watched = w;
        w[c->nwatched] =
            (struct watched_key){ c->db, expired, c->argvlen[i], key };
        if (c->nwatched++ == 0)
            c->srv->nwatching++;
    }
    reply_ok(c);
}

void cmd_unwatch(struct client *c)
{
    client_unwatch_all(c);
    c->flags &= ~(unsigned)CLIENT_DIRTY_CAS;
    reply_ok(c);
}
