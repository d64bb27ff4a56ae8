/* keys.h - lookups shared by the handlers that find keys themselves
 * (cmd_string.c, cmd_bits.c, cmd_keys.c, cmd_lock.c, cmd_ratelimit.c)
 * and, through coll.h, by the object types' handlers.
 *
 * Redis counts keyspace_hits / keyspace_misses only for lookups made to
 * read a key (GET, MGET, EXISTS, TTL...), never for lookups a write makes
 * on its way (INCR, RENAME, EXPIRE...). key_lookup_read() is the read
 * kind; writes call store_key_find() directly. */
#ifndef RESPITE_KEYS_H
#define RESPITE_KEYS_H

#include "server/pubsub.h"
#include "server/server.h"

/* Counts a read lookup of key that found it (hit) or not: a keyspace hit,
 * or a miss and its keymiss event. */
static inline void key_count_read(struct client *c, const char *key,
                                  size_t klen, int hit)
{
    if (hit) {
        c->srv->stat_hits++;
        return;
    }
    c->srv->stat_misses++;
    server_notify(c->srv, NOTIFY_KEY_MISS, "keymiss", c->db, key, klen);
}

/* The live entry for key in the client's database, or NULL, counting a
 * keyspace hit or miss. The entry is borrowed (see store.h). */
static inline struct store_entry *key_lookup_read(struct client *c,
                                                  const char *key,
                                                  size_t klen, int64_t now)
{
    struct store_entry *e = store_key_find(client_db(c), key, klen, now);
    key_count_read(c, key, klen, e != NULL);
    return e;
}

/* As key_lookup_read, without marking the key as used (its LRU time and
 * LFU counter stay): Redis's LOOKUP_NOTOUCH, for EXISTS, TYPE and TTL. */
static inline struct store_entry *key_peek_read(struct client *c,
                                                const char *key, size_t klen,
                                                int64_t now)
{
    struct store_entry *e = store_key_peek(client_db(c), key, klen, now);
    key_count_read(c, key, klen, e != NULL);
    return e;
}

/* EXPIRE's and HEXPIRE's NX XX GT LT conditions, as flags. */
enum { EXPIRE_NX = 1, EXPIRE_XX = 2, EXPIRE_GT = 4, EXPIRE_LT = 8 };

/* The condition flag argument i of c names (NX XX GT LT, any case), or 0. */
static inline unsigned expire_word_flag(const struct client *c, size_t i)
{
    static const char *const words[] = { "NX", "XX", "GT", "LT" };
    for (unsigned k = 0; k < sizeof words / sizeof words[0]; k++)
        if (arg_is(c, i, words[k]))
            return 1u << k;             /* the enum above, in order */
    return 0;
}

/* 1 if the conditions in flags allow replacing the deadline cur
 * (STORE_NO_TTL counts as infinite) with when: for keys (EXPIRE) and
 * hash fields (HEXPIRE) alike. */
static inline int expire_allowed(unsigned flags, int64_t cur, int64_t when)
{
    int has = cur != STORE_NO_TTL;
    if ((flags & EXPIRE_NX) && has)
        return 0;
    if ((flags & EXPIRE_XX) && !has)
        return 0;
    if ((flags & EXPIRE_GT) && (!has || when <= cur))
        return 0;
    if ((flags & EXPIRE_LT) && has && when >= cur)
        return 0;
    return 1;
}

/* Publishes "new" for argument i's key, which this command created: the
 * event of Redis's dbAdd, before the command's own events on the key. */
static inline void key_new(struct client *c, size_t i)
{
    server_notify(c->srv, NOTIFY_NEW, "new", c->db, c->argv[i],
                  c->argvlen[i]);
}

/* A STORE command's empty result (SINTERSTORE, BITOP...): deletes
 * argument i's key, with "del", even when it is past its time, as Redis's
 * dbDelete does (no "expired" for it). */
static inline void key_store_empty(struct client *c, size_t i)
{
    if (store_key_delete_held(client_db(c), c->argv[i], c->argvlen[i])) {
        server_key_modified(c->srv, c->db, c->argv[i], c->argvlen[i]);
        server_notify(c->srv, NOTIFY_GENERIC, "del", c->db, c->argv[i],
                      c->argvlen[i]);
    }
}

/* 1 if e holds a string; else replies WRONGTYPE and returns 0. */
static inline int key_is_string_or_reply(struct client *c,
                                         const struct store_entry *e)
{
    if (store_entry_type(e) == STORE_T_STRING)
        return 1;
    reply_error(c, ERR_WRONGTYPE);
    return 0;
}

#endif
