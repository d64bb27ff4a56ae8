/* tracking.h - server-assisted client-side caching (CLIENT TRACKING):
 * tracking.c, tracking_bcast.c and cmd_tracking.c. Private to server/.
 *
 * Ownership: the table copies the keys it remembers; a client's tracking
 * state (c->trk) is allocated the first time it turns tracking on or is
 * named as a REDIRECT target, and freed by tracking_client_gone(). The
 * server's state (srv->tracking) is allocated with the first client's and
 * freed by tracking_close().
 *
 * Hot path: while no client tracks, srv->tracking_clients is 0 and each
 * hook below costs its caller one predictable branch. */
#ifndef RESPITE_TRACKING_H
#define RESPITE_TRACKING_H

#include <stddef.h>
#include <stdint.h>

struct server;
struct client;

/* Per-client mode bits (struct tracking_client.flags). */
enum tracking_flags {
    TRK_ON = 1 << 0,
    TRK_BCAST = 1 << 1,
    TRK_OPTIN = 1 << 2,
    TRK_OPTOUT = 1 << 3,
    TRK_NOLOOP = 1 << 4,
    TRK_CACHING = 1 << 5,        /* CLIENT CACHING given for the next command */
    TRK_BROKEN_REDIR = 1 << 6,   /* the REDIRECT client has gone */
};

struct tracking_link;
struct tracking_prefix;

/* A client's tracking state. */
struct tracking_client {
    struct client *c;
    unsigned flags;
    uint64_t redir_id;                  /* REDIRECT's id, 0 for none */
    struct client *redir;               /* that client, NULL once gone */
    size_t targeted;                    /* clients redirecting here */
    struct tracking_link *links;        /* keys it may have cached */
    struct tracking_prefix **prefixes;  /* BCAST prefixes, sorted */
    size_t nprefixes;
    struct tracking_client *prev, *next;  /* every client with state */
};

/* Options of CLIENT TRACKING ON, checked by cmd_tracking.c. */
struct tracking_opts {
    unsigned flags;                     /* TRK_BCAST, OPTIN, OPTOUT, NOLOOP */
    uint64_t redir_id;
    struct client *redir;
    const char *const *prefix;          /* borrowed from argv */
    const size_t *prefix_len;
    size_t nprefix;
};

/* ---- tracking.c and tracking_bcast.c ------------------------------------ */

/* c's state, allocated on first use; NULL on OOM. */
struct tracking_client *tracking_client_get(struct client *c);
/* Turns tracking on with o (already validated); returns 0, or -1 on OOM
 * (some of its prefixes may have been registered then). */
int tracking_enable(struct client *c, const struct tracking_opts *o);
/* Turns tracking off: forgets c's keys and prefixes. */
void tracking_disable(struct client *c);
/* c disconnects: tracking off, and clients redirecting to it see the
 * redirect broken from now on. Frees c->trk. */
void tracking_client_gone(struct client *c);
/* 1 if prefix p (len) overlaps (one starts the other) one c already
 * has; *hit is that one (borrowed) and *hit_len its length. */
int tracking_prefix_overlap(const struct client *c, const char *p,
                            size_t len, const char **hit, size_t *hit_len);
/* c's i-th BCAST prefix in byte order (i < c->trk->nprefixes), borrowed. */
void tracking_prefix_at(const struct client *c, size_t i, const char **p,
                        size_t *len);
/* Frees the server's state (shutdown, after every client has gone). */
void tracking_close(struct server *srv);

/* Hooks. Each is called only when srv->tracking_clients > 0, except
 * tracking_command_done (when c->trk) and tracking_before_sleep (when
 * srv->tracking). */
/* The keys of c's command, which just ran, if it reads them and the
 * client that sent it (a script's caller) tracks them. */
void tracking_after_call(struct client *c);
/* key changed (any database: one key space, as in Redis). */
void tracking_key_modified(struct server *srv, const char *key, size_t klen);
/* FLUSHDB/FLUSHALL: every tracking client is told to drop everything. */
void tracking_flushed(struct server *srv);
/* c's top-level command is done: its own invalidations, held back so they
 * follow the reply, go out, and CLIENT CACHING's one-command mark ends. */
void tracking_command_done(struct client *c);
/* Before the loop sleeps: invalidates random keys while the table holds
 * more than tracking-table-max-keys, then sends the BCAST messages
 * gathered since the last call (Redis's beforeSleep). */
void tracking_before_sleep(struct server *srv);

/* INFO's figures. */
struct tracking_stats {
    size_t keys, items, prefixes;
};
void tracking_stats(const struct server *srv, struct tracking_stats *st);

/* CLIENT LIST: appends c's tracking flags (t, R, B) at p; returns the end. */
char *tracking_flags_str(const struct client *c, char *p);
/* CLIENT LIST redir=: the REDIRECT id while tracking, else -1. */
long long tracking_redir_of(const struct client *c);

/* ---- cmd_tracking.c: the CLIENT subcommands ---------------------------- */

void client_tracking(struct client *c);
void client_caching(struct client *c);
void client_getredir(struct client *c);
void client_trackinginfo(struct client *c);

#endif
