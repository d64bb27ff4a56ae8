/* coll.h - what the handlers of the object types share (hash, set, list,
 * sorted set, stream): typed lookups that reply WRONGTYPE, dropping a key
 * its last element left, and the HSCAN/SSCAN body. The coll_ forms are
 * the hash/set spellings of the obj_ ones.
 *
 * Lookups follow Redis: read commands count a keyspace hit or miss
 * (key_lookup_read), writes do not. An object pointer is borrowed like
 * an entry (store.h): valid until the next call that may change the
 * store. */
#ifndef RESPITE_COLL_H
#define RESPITE_COLL_H

#include "server/keys.h"
#include "server/pubsub.h"
#include "server/server.h"

/* Argument i's object of type t for a read, or NULL when absent; *ok is
 * 0 when WRONGTYPE was replied instead. */
static inline void *obj_read(struct client *c, size_t i, enum store_type t,
                             int *ok)
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
    return store_entry_obj(e);
}

/* Argument i's object of type t for a write, created (empty) when create
 * is set. NULL with *ok 1: absent; *ok 0: WRONGTYPE or OOM was replied. */
static inline void *obj_write(struct client *c, size_t i, enum store_type t,
                              int create, int *ok)
{
    void *o;
    int rc = store_obj_open(client_db(c), c->argv[i], c->argvlen[i], t,
                            create, server_now_ms(c->srv), &o);
    *ok = rc == STORE_OK;
    if (rc == STORE_WRONGTYPE)
        reply_error(c, ERR_WRONGTYPE);
    else if (rc != STORE_OK)
        reply_error(c, ERR_OOM);
    return o;
}

/* Argument i's object of type t for a blocked client's rerun, or NULL;
 * a key of another type counts as absent there, as Redis 7.0 serves a
 * woken BLPOP or XREAD from the key that woke it (and tells a woken
 * XREADGROUP its stream is gone). */
static inline void *obj_woken(struct client *c, size_t i, enum store_type t)
{
    void *o;
    if (store_obj_open(client_db(c), c->argv[i], c->argvlen[i], t, 0,
                       server_now_ms(c->srv), &o) != STORE_OK)
        return NULL;
    return o;
}

static inline struct store_coll *coll_read(struct client *c, size_t i,
                                           enum store_type t, int *ok)
{
    return obj_read(c, i, t, ok);
}

static inline struct store_coll *coll_write(struct client *c, size_t i,
                                            enum store_type t, int create,
                                            int *ok)
{
    return obj_write(c, i, t, create, ok);
}

/* Deletes argument i's key when its object o of type t is empty, with the
 * "del" event. Returns 1 if it did. */
static inline int obj_drop_if_empty(struct client *c, size_t i,
                                    enum store_type t, const void *o)
{
    if (store_obj_len(t, o) != 0)
        return 0;
    store_key_delete(client_db(c), c->argv[i], c->argvlen[i],
                     server_now_ms(c->srv));
    server_notify(c->srv, NOTIFY_GENERIC, "del", c->db, c->argv[i],
                  c->argvlen[i]);
    return 1;
}

static inline int coll_drop_if_empty(struct client *c, size_t i,
                                     const struct store_coll *h)
{
    return obj_drop_if_empty(c, i, store_coll_type(h), h);
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
