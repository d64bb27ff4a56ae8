/* coll.h - what the handlers of the object types share (hash, set, list,
 * sorted set, stream): typed lookups that reply WRONGTYPE, dropping a key
 * its last element left, the *SCAN body, the pop from several keys
 * (lists, sorted sets), and the score and rank-range parsers. The coll_
 * forms are the hash/set spellings of the obj_ ones.
 *
 * Lookups follow Redis: read commands count a keyspace hit or miss
 * (key_lookup_read), writes do not. An object pointer is borrowed like
 * an entry (store.h): valid until the next call that may change the
 * store. */
#ifndef RESPITE_COLL_H
#define RESPITE_COLL_H

#include <errno.h>
#include <math.h>
#include <stdlib.h>

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

/* Argument i's object of type t for a write, created (empty, with the
 * "new" event) when create is set. NULL with *ok 1: absent; *ok 0:
 * WRONGTYPE or OOM was replied. */
static inline void *obj_write(struct client *c, size_t i, enum store_type t,
                              int create, int *ok)
{
    void *o;
    struct store *db = client_db(c);
    int64_t now = server_now_ms(c->srv);
    int rc = store_obj_open(db, c->argv[i], c->argvlen[i], t, 0, now, &o);
    if (rc == STORE_OK && !o && create) {
        rc = store_obj_create(db, c->argv[i], c->argvlen[i], t, now, &o);
        if (rc == STORE_OK)
            key_new(c, i);
    }
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

/* Makes o, of type t, argument 1's value in place of any other (the
 * *STORE commands), with the "new" event when the key did not exist, as
 * Redis's setKey adds or overwrites. 0, or the store's error (o is then
 * still the caller's). */
static inline int obj_store(struct client *c, enum store_type t, void *o)
{
    struct store *db = client_db(c);
    int64_t now = server_now_ms(c->srv);
    int existed = store_key_find(db, c->argv[1], c->argvlen[1], now) != NULL;
    int rc = store_key_set_obj(db, c->argv[1], c->argvlen[1], t, o, now);
    if (rc == STORE_OK && !existed)
        key_new(c, 1);
    return rc;
}

/* Records a change to argument i's key: WATCH, dirty, event of class cls. */
static inline void coll_changed(struct client *c, size_t i, int cls,
                                const char *event)
{
    server_key_modified(c->srv, c->db, c->argv[i], c->argvlen[i]);
    server_notify(c->srv, cls, event, c->db, c->argv[i], c->argvlen[i]);
}

/* Redis's string2d, for sorted-set scores and weights: strtod over all n
 * bytes, no leading space, no NaN, no overflow. 1 and *out, or 0. p is
 * NUL-terminated (as arguments are), so strtod stops at an embedded NUL
 * and the length check rejects it, as Redis's does. */
static inline int parse_double(const char *p, size_t n, double *out)
{
    if (n == 0 || p[0] == ' ' || (p[0] >= '\t' && p[0] <= '\r'))
        return 0;
    char *end;
    errno = 0;
    double d = strtod(p, &end);
    if ((size_t)(end - p) != n || isnan(d) ||
        (errno == ERANGE &&
         (d == HUGE_VAL || d == -HUGE_VAL || fpclassify(d) == FP_ZERO)))
        return 0;
    *out = d;
    return 1;
}

/* Resolves Redis's inclusive rank range [start, end] (negative from the
 * tail) over len elements (LRANGE, LTRIM, ZRANGE, ZREMRANGEBYRANK) into
 * the first rank *from and the count *n; returns 0 for an empty range. */
static inline int rank_range(int64_t start, int64_t end, size_t len,
                             size_t *from, size_t *n)
{
    int64_t llen = (int64_t)len;
    if (start < 0)
        start += llen;
    if (end < 0)
        end += llen;
    if (start < 0)
        start = 0;
    if (start > end || start >= llen)
        return 0;
    if (end >= llen)
        end = llen - 1;
    *from = (size_t)start;
    *n = (size_t)(end - start) + 1;
    return 1;
}

/* What a *SCAN walk fills: the reply's elements (nitems of them), how
 * many elements it met, and the MATCH pattern (NULL: all). */
struct obj_scan {
    struct resp_out items;
    size_t nitems, seen;
    const char *pat;
    size_t plen;
    const struct store_coll *hfe;  /* a hash with field TTLs: skip expired */
    int64_t now;
    int novalues;                  /* HSCAN NOVALUES: fields only */
};

/* Walks one bucket of object o from cursor into s; returns the next
 * cursor (0 when done). */
typedef uint64_t obj_scan_step(const void *o, uint64_t cursor,
                               struct obj_scan *s);

/* Counts an element a scan met; when its name p[0..n) matches, adds it
 * to the reply and returns 1 (the caller adds its value), else 0. */
static inline int obj_scan_take(struct obj_scan *s, const char *p, size_t n)
{
    s->seen++;
    if (s->pat && !store_glob_match(s->pat, s->plen, p, n, 0))
        return 0;
    resp_add_bulk(&s->items, p, n);
    s->nitems++;
    return 1;
}

/* HSCAN / SSCAN / ZSCAN key cursor [MATCH p] [COUNT n] on an object of
 * type t, walked by step (cmd_hash.c). */
void cmd_obj_scan(struct client *c, enum store_type t, obj_scan_step *step);
/* HSCAN / SSCAN key cursor [MATCH p] [COUNT n] on a collection of type t
 * (cmd_hash.c). */
void cmd_coll_scan(struct client *c, enum store_type t);
/* For a pop from several keys: the first non-empty object of type t of
 * the n keys from argument first on, its index in *at; NULL when c was
 * answered (error, null array) or, with block, blocked (cmd_list.c). */
void *obj_pop_source(struct client *c, size_t first, size_t n,
                     enum store_type t, int block, int64_t deadline,
                     size_t *at);
/* LMPOP / ZMPOP arguments from numkeys_at: numkeys key [key ...] w0|w1
 * [COUNT count] (count 1 when absent); *which is 0 for w0, 1 for w1.
 * Returns 0 after replying Redis's error (cmd_list.c). */
int mpop_args(struct client *c, size_t numkeys_at, const char *w0,
              const char *w1, size_t *numkeys, int *which, int64_t *count);
/* An array of |count| random elements of non-empty h (cmd_hash.c):
 * negative count allows repeats; with values as HRANDFIELD WITHVALUES. */
void cmd_coll_rand_count(struct client *c, struct store_coll *h,
                         int64_t count, int withvalues);
/* Lazy field expiry (cmd_hash_ttl.c): deletes field f of argument i's
 * hash *h, found past its deadline, with the "hexpired" event when notify
 * is set; when that was the last field the key goes too ("del" event when
 * notify) and *h becomes NULL: returns 1 then, else 0. Under CLIENT PAUSE
 * it deletes nothing (the field only reads as absent). */
int hash_field_expired(struct client *c, size_t i, struct store_coll **h,
                       const char *f, size_t flen, int notify);
/* Argument i as an absolute field deadline in ms (cmd_hash_ttl.c):
 * relative to basetime (0 for absolute times), in seconds when secs is
 * set; at most 2^46-1. 0 after replying Redis's error (name: the command,
 * lowercase). */
int hash_expire_arg(struct client *c, size_t i, int secs, int64_t basetime,
                    const char *name, int64_t *out);
/* FIELDS numfields field...: FIELDS at argument at - 1, the count at at,
 * as many fields as the arguments left. The count, or 0 after replying
 * (count_err for a count that is not a positive integer). */
int64_t hash_fields_arg(struct client *c, size_t at,
                        enum reply_err count_err);
/* Deletes every expired field of argument i's hash *h (HRANDFIELD), with
 * one "hexpired" event, and the key ("del", *h NULL) if none is left. */
void hash_expire_all(struct client *c, size_t i, struct store_coll **h);

#endif
