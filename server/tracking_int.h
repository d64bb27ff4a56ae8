/* tracking_int.h - what tracking.c (the table, the messages) and
 * tracking_bcast.c (BCAST prefixes) share. Private to the two. */
#ifndef RESPITE_TRACKING_INT_H
#define RESPITE_TRACKING_INT_H

#include <stddef.h>
#include <stdint.h>

struct client;
struct server;
struct tracking_client;

/* A node of a chained hash table, first in what the table holds. */
struct hnode {
    struct hnode *next;
    uint64_t hash;
};

/* A chained hash table with a power-of-two number of buckets. */
struct htable {
    struct hnode **b;                   /* NULL until the first insert */
    size_t mask, n;
};

/* A key changed under a BCAST prefix since the last broadcast. */
struct changed_key {
    char *key;                          /* owned */
    size_t klen;
    uint64_t writer;                    /* client id, 0 for none */
    size_t seq;                         /* arrival, so the last write wins */
};

struct tracking_prefix {
    struct tracking_prefix *next;       /* srv list, in byte order */
    struct tracking_client **clients;
    size_t nclients, ccap;
    struct changed_key *changed;
    size_t nchanged, chcap;
    size_t len;
    char p[];
};

/* An invalidation held back for the running command's client: key NULL
 * stands for a flush. */
struct held {
    char *key;
    size_t klen;
};

struct tracking {
    struct htable keys;                 /* tracking_key by its bytes */
    struct htable links;                /* tracking_link by (key, client) */
    struct tracking_prefix *prefixes;
    size_t nprefixes;
    int bcast_due;                      /* some prefix has changed keys */
    struct tracking_client *all;        /* every client with state */
    struct held *held;
    size_t nheld, hcap;
    size_t over_turns;                  /* loop turns over max-keys so far */
    uint64_t rng;                       /* xorshift state: not rand(), whose
                                           sequence Lua's math.random is */
};

/* tracking.c: the messages. */
/* Where tc's messages go, with their header written (">2 invalidate", or
 * RESP2's "message __redis__:invalidate"); NULL when nothing can be sent.
 * *muted is the output's mute, for tracking__message_end. */
struct client *tracking__message_start(struct tracking_client *tc,
                                       int *muted);
/* Ends a message started above: the mute put back, the output queued. */
void tracking__message_end(struct client *dst, int muted);

/* tracking_bcast.c: BCAST prefixes. */
/* Notes key under every prefix it starts with, for the next send. */
void tracking__bcast_note(struct server *srv, struct tracking *t,
                          const char *key, size_t klen);
/* Sends what was noted since the last call, one message a prefix and
 * client. */
void tracking__bcast_send(struct tracking *t);
/* Registers tc for prefix p (len). Returns 0, or -1 on OOM. */
int tracking__prefix_join(struct tracking *t, struct tracking_client *tc,
                          const char *p, size_t len);
/* Takes tc off every prefix it has. */
void tracking__prefixes_leave(struct tracking *t, struct tracking_client *tc);
/* Frees every prefix (shutdown). */
void tracking__prefixes_free(struct tracking *t);

#endif
