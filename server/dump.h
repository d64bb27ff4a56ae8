/* dump.h - a key's value as the payload of Redis 7.0's DUMP (dump.c), and
 * such a payload, or one value of an RDB file, back to a value
 * (restore.c). */
#ifndef RESPITE_DUMP_H
#define RESPITE_DUMP_H

#include <stddef.h>

#include "store/store.h"

enum dump_rc {
    DUMP_OK = 0,
    DUMP_NOMEM = -1,
    DUMP_BAD = -2,         /* RESTORE: malformed payload ("Bad data format") */
    DUMP_EMPTY = -3,       /* an empty collection: Redis's loader skips it */
};

/* The payload of e's value (s is e's store, for its encoding limits): a
 * malloc'ed buffer of *len bytes, or NULL when out of memory. */
char *dump_value(const struct store *s, const struct store_entry *e,
                 size_t *len);

struct rdb_buf;
/* A key's name (borrowed), which an RDB file puts after the type byte. */
struct dump_key {
    const char *p;
    size_t n;
};
/* e's RDB type byte and value appended to b (b->nomem when memory ran
 * out): DUMP's bytes before the trailer with key NULL, an RDB file's
 * type, key and value with it. 0, or -1 for an unknown type. */
int dump_value_put(struct rdb_buf *b, const struct store *s,
                   const struct store_entry *e, const struct dump_key *key);
/* The RDB version that can hold e's value: 10, or 12 for a hash of Redis
 * 7.4's types with field TTLs. */
unsigned dump_value_version(const struct store_entry *e);
/* dump_stream.c: stream st's value (after its type byte) into b. */
void dump_stream(struct rdb_buf *b, const struct store_stream *st);

struct rdb_reader;
/* restore_stream.c: fills the empty stream st from r, after the type
 * byte rdbtype (15, 19 or 21). DUMP_OK, DUMP_BAD or DUMP_NOMEM. */
int dump_restore_stream(struct rdb_reader *r, struct store *s,
                        struct store_stream *st, int rdbtype);

/* A value read back from a payload: a string (str, malloc'ed, owned) or
 * an object of type (obj, owned: store_key_set_obj takes it). */
struct dump_value {
    enum store_type type;
    char *str;
    size_t slen;
    void *obj;
    /* A hash of Redis 7.4's types with field TTLs (hfe set): the fields'
     * deadlines, which only a key's hash can hold (dump_apply_ttls). */
    int hfe;
    struct dump_ttl *ttls;
    size_t nttls, cttls;
};
struct dump_ttl {
    char *f;                       /* malloc'ed */
    size_t flen;
    int64_t at;
};
/* Reads the value of Redis type byte rdbtype from r into *v, building
 * objects in s; r is left just past the value. DUMP_OK; DUMP_EMPTY (an
 * empty collection, r past it too); DUMP_BAD or DUMP_NOMEM (where r
 * stopped is undefined). Nothing is left to free but after DUMP_OK. */
int dump_read_value(struct store *s, struct rdb_reader *r, int rdbtype,
                    struct dump_value *v);
/* Reads the payload p[0..n), whose trailer the caller checked, into *v,
 * as RESTORE does: the types Redis 7.0 knows, an empty collection bad.
 * DUMP_OK, DUMP_BAD or DUMP_NOMEM (nothing left to free then). */
int dump_restore(struct store *s, const unsigned char *p, size_t n,
                 struct dump_value *v);
/* Stores v (taken: freed either way) as key's new value with expire_ms
 * (absolute, or STORE_NO_TTL), field TTLs included. STORE_OK, or
 * STORE_NOMEM / STORE_TOO_BIG with nothing stored. */
int dump_value_store(struct store *s, const char *key, size_t klen,
                     struct dump_value *v, int64_t expire_ms, int64_t now);
/* Gives key's hash (just stored from v) the field TTLs v read, after the
 * store took v->obj. STORE_OK or STORE_NOMEM. */
int dump_apply_ttls(struct store *s, const char *key, size_t klen,
                    const struct dump_value *v, int64_t now);
/* Frees what a successful dump_restore left in v. */
void dump_value_free(struct store *s, struct dump_value *v);

#endif
