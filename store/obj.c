/* obj.c - what every non-string value type shares: the table of each
 * type's operations (store_int.h) and opening a key's object by type.
 *
 * A type's file (coll.c, list.c, zset.c, stream.c) defines its row and
 * knows nothing about keys; store.c frees, copies and measures values
 * through the table without knowing any type. This file is the one place
 * that joins the two. */
#include "store/store_int.h"

const struct store__obj_ops *const store__ops[STORE_T__COUNT] = {
    [STORE_T_STRING] = NULL,
    [STORE_T_HASH] = &store__coll_ops,
    [STORE_T_SET] = &store__coll_ops,
    [STORE_T_LIST] = &store__list_ops,
    [STORE_T_ZSET] = &store__zset_ops,
    [STORE_T_STREAM] = &store__stream_ops,
};

/* Finds key's object of type. Returns STORE_OK with *out set (NULL when
 * the key is absent and create is 0), STORE_WRONGTYPE when the key holds
 * another type, or STORE_NOMEM. A created object is empty: the caller
 * adds to it or deletes the key. */
int store_obj_open(struct store *s, const char *key, size_t klen,
                   enum store_type type, int create, int64_t now_ms,
                   void **out)
{
    *out = NULL;
    struct store_entry *e = store_key_find(s, key, klen, now_ms);
    if (e) {
        if (e->type != type)
            return STORE_WRONGTYPE;
        *out = store__obj(e);
        return STORE_OK;
    }
    if (!create)
        return STORE_OK;
    return store_obj_create(s, key, klen, type, now_ms, out);
}

/* See store.h. */
int store_obj_create(struct store *s, const char *key, size_t klen,
                     enum store_type type, int64_t now_ms, void **out)
{
    const struct store__obj_ops *ops = store__ops[type];
    void *o = ops->create(s, type);
    *out = NULL;
    if (!o)
        return STORE_NOMEM;
    int rc = store_key_set_obj(s, key, klen, type, o, now_ms);
    if (rc) {
        ops->free(s, o);
        return rc;
    }
    *out = o;
    return STORE_OK;
}

/* Elements in o, an object of type. */
size_t store_obj_len(enum store_type type, const void *o)
{
    return store__ops[type]->len(o);
}

static size_t clamp(size_t v)
{
    return v < STORE_COMPACT_MAX ? v : STORE_COMPACT_MAX;
}

/* See store.h. */
void store_set_limits(struct store *s, const struct store_limits *l)
{
    s->limits = *l;
    s->limits.hash_entries = clamp(l->hash_entries);
    s->limits.hash_value = clamp(l->hash_value);
    s->limits.set_entries = clamp(l->set_entries);
    s->limits.set_value = clamp(l->set_value);
    s->limits.zset_entries = clamp(l->zset_entries);
    s->limits.zset_value = clamp(l->zset_value);
    if (l->set_intset > STORE_INTSET_MAX)
        s->limits.set_intset = STORE_INTSET_MAX;
    if (l->list_size > STORE_COMPACT_MAX)
        s->limits.list_size = STORE_COMPACT_MAX;
    if (l->list_size < -5)
        s->limits.list_size = -5;
    if (l->list_size == 0)
        s->limits.list_size = 1;
    if (l->stream_entries == 0 || l->stream_entries > STORE_STREAM_BLOCK_MAX)
        s->limits.stream_entries = STORE_STREAM_BLOCK_MAX;
    if (l->stream_bytes == 0 || l->stream_bytes > STORE_STREAM_BYTES_MAX)
        s->limits.stream_bytes = STORE_STREAM_BYTES_MAX;
}

const struct store_limits *store_get_limits(const struct store *s)
{
    return &s->limits;
}
