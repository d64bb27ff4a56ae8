/* pubsub.h - the pub/sub registry (pubsub.c) and keyspace notifications
 * (notify.c). Private to server/.
 *
 * Ownership: the registry copies channel and pattern names; a client's
 * subscriptions live in c->ps, allocated on its first subscription and
 * freed by pubsub_client_close(). Message bytes are copied into each
 * subscriber's output buffer, so nothing is shared after a call returns. */
#ifndef RESPITE_PUBSUB_H
#define RESPITE_PUBSUB_H

#include <stddef.h>
#include <stdint.h>

struct server;
struct client;

/* The three namespaces a client can subscribe in. */
enum pubsub_kind {
    PUBSUB_CHANNEL = 0,      /* SUBSCRIBE / PUBLISH */
    PUBSUB_PATTERN = 1,      /* PSUBSCRIBE */
    PUBSUB_SHARD = 2,        /* SSUBSCRIBE / SPUBLISH */
    PUBSUB__KINDS
};

/* Keyspace event classes, Redis's NOTIFY_* bits. */
enum notify_class {
    NOTIFY_KEYSPACE = 1 << 0,    /* K */
    NOTIFY_KEYEVENT = 1 << 1,    /* E */
    NOTIFY_GENERIC = 1 << 2,     /* g */
    NOTIFY_STRING = 1 << 3,      /* $ */
    NOTIFY_LIST = 1 << 4,        /* l */
    NOTIFY_SET = 1 << 5,         /* s */
    NOTIFY_HASH = 1 << 6,        /* h */
    NOTIFY_ZSET = 1 << 7,        /* z */
    NOTIFY_EXPIRED = 1 << 8,     /* x */
    NOTIFY_EVICTED = 1 << 9,     /* e */
    NOTIFY_STREAM = 1 << 10,     /* t */
    NOTIFY_KEY_MISS = 1 << 11,   /* m */
    NOTIFY_MODULE = 1 << 12,     /* d */
    NOTIFY_NEW = 1 << 13,        /* n */
};

/* Creates the registry in srv->pubsub. Returns 0, or -1 on OOM. */
int pubsub_init(struct server *srv);
/* Frees the registry (every client must be gone). */
void pubsub_close(struct server *srv);

/* Subscriptions of c in one namespace (0 when it has none). */
size_t pubsub_client_count(const struct client *c, enum pubsub_kind k);
/* 1 when c has any subscription: "subscribed mode" (Redis's
 * CLIENT_PUBSUB flag). */
int pubsub_client_subscribed(const struct client *c);
/* 1 if pred(ctx, name, len) is true for one of c's subscriptions in k
 * (ACL: a user's channels shrank). */
int pubsub_client_any(const struct client *c, enum pubsub_kind k,
                      int (*pred)(void *, const char *, size_t), void *ctx);
/* 1 when subscriber c may keep its unwritten output back for one more
 * pass of the loop (the caller knows more input is queued): less than
 * PUBSUB_HOLD_BYTES gathered and fewer than PUBSUB_HOLD_PASSES passes
 * held in a row. 0 for a client without subscriptions. */
int pubsub_client_hold(struct client *c);
/* Drops every subscription of c without replying and frees c->ps (client
 * close, RESET). */
void pubsub_client_close(struct client *c);

/* Applies client-output-buffer-limit pubsub to subscriber c after output
 * was added to it outside a publish (tracking's invalidations); over the
 * limit, c is closed by the next pubsub_close_victims(), as Redis closes
 * such a client asynchronously. */
void pubsub_client_check_limits(struct client *c);
/* Closes the subscribers found over their limit since the last call. */
void pubsub_close_victims(struct server *srv);

/* Active channels (PUBSUB_CHANNEL or PUBSUB_SHARD) or unique patterns. */
size_t pubsub_size(const struct server *srv, enum pubsub_kind k);
/* Clients with at least one subscription (INFO pubsub_clients). */
size_t pubsub_clients(const struct server *srv);

/* Delivers msg on channel (kind PUBSUB_CHANNEL: subscribers and matching
 * patterns; PUBSUB_SHARD: shard subscribers). Returns the receivers. */
int64_t pubsub_publish(struct server *srv, enum pubsub_kind k,
                       const char *chan, size_t clen, const char *msg,
                       size_t mlen);

/* Internal, for cmd_pubsub.c. Subscribe returns 1 if new, 0 if c had it,
 * -1 on OOM; unsubscribe returns 1 if c had it. unsubscribe_all calls
 * each() (may be NULL) per subscription dropped, in subscription order,
 * with how many remain in k. each() iterates a namespace. */
int pubsub__subscribe(struct client *c, enum pubsub_kind k, const char *name,
                      size_t len);
int pubsub__unsubscribe(struct client *c, enum pubsub_kind k,
                        const char *name, size_t len);
void pubsub__unsubscribe_all(struct client *c, enum pubsub_kind k,
                             void (*each)(struct client *, const char *,
                                          size_t, size_t));
void pubsub__each(const struct server *srv, enum pubsub_kind k,
                  void (*fn)(void *, const char *, size_t, size_t),
                  void *ctx);
size_t pubsub__numsub(const struct server *srv, enum pubsub_kind k,
                      const char *name, size_t len);

/* Re-reads conf.notify_keyspace_events into srv->notify_mask (start-up
 * and after CONFIG SET). */
void server_notify_conf(struct server *srv);
/* Publishes a keyspace event of class cls ("set", "del"...) about key in
 * db, when notify-keyspace-events enables it. */
void server_notify(struct server *srv, int cls, const char *event, int db,
                   const char *key, size_t klen);

#endif
