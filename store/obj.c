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
    const struct store__obj_ops *ops = store__ops[type];
    void *o = ops->create(s, type);
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
