/* blocking.h - clients blocked on keys (BLPOP, BZPOPMIN, XREAD BLOCK...)
 * and how they are woken (blocking.c).
 *
 * A blocking command is written as its non-blocking self plus one call:
 * when it finds nothing to serve, it calls client_block() instead of
 * replying. The client then stops running commands (its further input
 * waits, unparsed) until one of:
 *   - a write to one of its keys: every command that changes a key calls
 *     server_key_modified(), which marks the key ready when clients wait
 *     on it. After the command (after EXEC for a transaction), the waiters
 *     of each ready key are served in the order they blocked: each one
 *     whose key now holds the awaited type (or, for those that asked to
 *     wake on deletion, is gone or holds another type) runs its command
 *     again from a saved copy of its arguments. A rerun that again finds
 *     nothing calls client_block() again, which then only keeps the
 *     client where it is in every queue, with no reply;
 *   - its deadline: a null array (*-1, RESP3 _);
 *   - its disconnection.
 * Inside MULTI/EXEC (client_can_block() is 0) a blocking command must not
 * block: it replies its null at once (BLMOVE a null bulk there, though
 * its timeout is a null array as for every command in Redis 7.0). */
#ifndef RESPITE_BLOCKING_H
#define RESPITE_BLOCKING_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct client;
struct server;

enum block_unit {
    BLOCK_SECONDS,           /* BLPOP & co.: a float of seconds */
    BLOCK_MILLISECONDS,      /* XREAD BLOCK: an integer of ms */
};

/* Parses argument i as a timeout in unit, with Redis's errors (not a
 * float / not an integer, negative), into *deadline_ms: an absolute
 * server_now_ms() time, or 0 for "forever" (a timeout of 0).
 * Returns 1, or 0 after replying the error. */
int block_timeout_or_reply(struct client *c, size_t i, enum block_unit unit,
                           int64_t *deadline_ms);

/* 0 when the running command must not block (inside EXEC). */
int client_can_block(const struct client *c);

/* Blocks c, running its command (c->argv, copied), on the nkeys keys
 * that are arguments key_args[0..nkeys) of it, in c's database, until
 * one of them holds a value of type (or, with wake_on_delete, is
 * deleted), or deadline_ms (0: never) passes.
 * Writes no reply itself. Replies OOM on allocation failure. During a
 * rerun it keeps c's place and does nothing else. */
void client_block(struct client *c, const size_t *key_args, size_t nkeys,
                  enum store_type type, int wake_on_delete,
                  int64_t deadline_ms);

/* Blocks c on no key until deadline_ms (0: never), CLIENT UNBLOCK or
 * its disconnection, as WAIT waits for replicas: the timeout, and CLIENT
 * UNBLOCK without ERROR, reply the integer 0 (no replica acknowledged)
 * instead of a null. */
void client_block_wait(struct client *c, int64_t deadline_ms);
/* client_block_wait for WAITAOF: those replies are [0, 0] (no local or
 * replica AOF holds the writes). */
void client_block_waitaof(struct client *c, int64_t deadline_ms);

/* Replaces argument i of the saved command of c, which has just called
 * client_block() (XREAD: "$" becomes the stream's last ID, so a rerun
 * reads only what arrived after it blocked). Copies s. Returns 0, or -1
 * on allocation failure (c then stays blocked with the old argument). */
int client_block_set_arg(struct client *c, size_t i, const char *s,
                         size_t len);

/* 1 while the running command is a blocked client's rerun (XREADGROUP
 * tells a deleted stream apart from an empty one with it). */
int client_block_rerun(const struct client *c);

/* Called by server_key_modified(): marks (db, key) ready if clients wait
 * on it. Cheap when no client is blocked. */
void blocking_key_touched(struct server *srv, int db, const char *key,
                          size_t klen);
/* The same for every waited-on key of db (db < 0: all): SWAPDB and
 * FLUSHDB change every key at once. */
void blocking_db_touched(struct server *srv, int db);
/* Serves the clients waiting on keys marked ready, until none is left;
 * called after each command (client.c). */
void blocking_serve_ready(struct server *srv);
/* Forgets c's blocked state (disconnection, CLIENT KILL). */
void blocking_client_gone(struct client *c);
/* CLIENT UNBLOCK: if c is blocked, ends its wait now with the timeout's
 * null, or with the -UNBLOCKED error when error is set, and returns 1;
 * else returns 0. */
int blocking_unblock(struct client *c, int error);
/* Clients blocked now (INFO blocked_clients). */
size_t blocking_count(const struct server *srv);
/* Of them, those with a timeout (INFO clients_in_timeout_table). */
size_t blocking_count_timed(const struct server *srv);
/* Keys (db, key) clients are blocked on (INFO total_blocking_keys); in
 * *on_nokey those of them a client waits on to be told of their deletion
 * (XREADGROUP: total_blocking_keys_on_nokey, Redis 7.2's). */
size_t blocking_count_keys(const struct server *srv, size_t *on_nokey);
/* Set-up at start (0, or -1 on OOM) and tear-down at shutdown, after the
 * last client is closed. */
int blocking_init(struct server *srv);
void blocking_close(struct server *srv);

#endif
