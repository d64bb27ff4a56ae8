/* coll.h - what the hash and set handlers share (cmd_hash.c, cmd_set.c):
 * typed lookups that reply WRONGTYPE, dropping a key its last element
 * left, and the HSCAN/SSCAN body. Private to those two files.
 *
 * Lookups follow Redis: read commands count a keyspace hit or miss
 * (key_lookup_read), writes do not. A collection pointer is borrowed like
 * an entry (store.h): valid until the next call that may change the
 * store. */
#ifndef RESPITE_COLL_H
#define RESPITE_COLL_H

#include "server/keys.h"
#include "server/pubsub.h"
#include "server/server.h"

/* Argument i's collection of type t for a read, or NULL when absent;
 * *ok is 0 when WRONGTYPE was replied instead. */
static inline struct store_coll *coll_read(struct client *c, size_t i,
                                           enum store_type t, int *ok)
{
    struct store_entry *e = key_lookup_read(c, c->argv[i], c->argvlen[i],
                                            server_now_ms(c->srv));
    *ok = 1;
    if (!e)
        return NULL;
    if (store_entry_type(e) != t) {
        reply_error(c, ERR_WRONGTYPE);
        *ok = 0;
        return NULL;
    }
    return store_entry_coll(e);
}

/* Argument i's collection of type t for a write, created (empty) when
 * create is set. NULL with *ok 1: absent; *ok 0: WRONGTYPE or OOM was
 * replied. */
static inline struct store_coll *coll_write(struct client *c, size_t i,
                                            enum store_type t, int create,
                                            int *ok)
{
    struct store_coll *h;
    int rc = store_coll_open(client_db(c), c->argv[i], c->argvlen[i], t,
                             create, server_now_ms(c->srv), &h);
    *ok = rc == STORE_OK;
    if (rc == STORE_WRONGTYPE)
        reply_error(c, ERR_WRONGTYPE);
    else if (rc != STORE_OK)
        reply_error(c, ERR_OOM);
    return h;
}

/* Deletes argument i's key when its collection h is empty, with the
 * "del" event. Returns 1 if it did. */
static inline int coll_drop_if_empty(struct client *c, size_t i,
                                     const struct store_coll *h)
{
    if (store_coll_len(h) != 0)
        return 0;
    store_key_delete(client_db(c), c->argv[i], c->argvlen[i],
                     server_now_ms(c->srv));
    server_notify(c->srv, NOTIFY_GENERIC, "del", c->db, c->argv[i],
                  c->argvlen[i]);
    return 1;
}

/* Records a change to argument i's key: WATCH, dirty, event of class cls. */
static inline void coll_changed(struct client *c, size_t i, int cls,
                                const char *event)
{
    server_key_modified(c->srv, c->db, c->argv[i], c->argvlen[i]);
    server_notify(c->srv, cls, event, c->db, c->argv[i], c->argvlen[i]);
}

/* HSCAN / SSCAN key cursor [MATCH p] [COUNT n] on a collection of type t
 * (cmd_hash.c). */
void cmd_coll_scan(struct client *c, enum store_type t);
/* An array of |count| random elements of non-empty h (cmd_hash.c):
 * negative count allows repeats; with values as HRANDFIELD WITHVALUES. */
void cmd_coll_rand_count(struct client *c, struct store_coll *h,
                         int64_t count, int withvalues);

#endif
