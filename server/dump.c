/* dump.c - DUMP's payload: a key's value serialized as Redis 7.0.15
 * serializes it, one type byte and the value, then rdb.c's trailer.
 *
 *   string  0   an RDB string (integer, LZF or plain, rdb.c)
 *   hash    16  a listpack of field, value, ... while compact,
 *           4   else a count and field/value strings
 *   set     11  an intset, at its own width, while the set is one
 *               (store_coll_intset_width),
 *           2   else a count and member strings
 *   zset    17  a listpack of member, score, ... by rank while compact,
 *           5   else a count and, from the highest rank down, member
 *               strings and binary (little-endian) double scores
 *   list    18  a quicklist: a count of nodes, each 2 (packed) and a
 *               listpack of at most list-max-listpack-size (8 KiB)
 *   stream  19  nodes, counters and groups (dump_stream.c)
 *   hash    25, 24 with field TTLs: Redis 7.4's types (dump_hash_ttl),
 *               in a payload of RDB version 12 as 7.4 writes it
 *
 * Compact hashes and zsets are Redis's listpacks entry for entry: the
 * same order (insertion order for hashes, rank for zsets), the same
 * integer encodings, scores printed as Redis prints them (an integral
 * score within +-2^62 as an integer, else %.17g, inf and -inf).
 * Intsets are Redis's byte for byte too: ascending, as wide as the
 * widest member ever added (neither server narrows one on SREM). The
 * other encodings are what Redis would have after building the same
 * value in one go, which Respite can not tell apart from other histories:
 *
 *   - a hash table's order is its own (Redis's too depends on its hash
 *     seed, so two redis-servers differ as well);
 *   - list nodes are filled as RPUSH fills them, from the head; lists
 *     grown at the head or in the middle split elsewhere in Redis.
 *
 * Any of these payloads restores to the same content on either server.
 * An RDB file (rdb_save.c) holds each key's value in the same bytes, with
 * the key's name between the type byte and the rest (dump_value_put). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/dump.h"
#include "server/rdb.h"

enum {
    T_STRING = 0, T_SET = 2, T_HASH = 4, T_ZSET_2 = 5, T_SET_INTSET = 11,
    T_HASH_LISTPACK = 16, T_ZSET_LISTPACK = 17, T_LIST_QUICKLIST_2 = 18,
    T_STREAM_LISTPACKS_2 = 19,
};
#define QL_PACKED 2
#define QL_SIZE_SAFETY 8192        /* bytes a node never passes by count */
#define QL_ESTIMATE_OVERHEAD 8     /* Redis's guess of an entry's overhead */

/* Ends a listpack built in lp (count entries) and writes it to b as an
 * RDB string. */
static void put_listpack(struct rdb_buf *b, struct rdb_buf *lp, size_t count)
{
    rdb_lp_end(lp, 0, count);
    if (lp->nomem)
        b->nomem = 1;
    else
        rdb_put_string(b, (const char *)lp->p, lp->len);
    free(lp->p);
    *lp = (struct rdb_buf){ NULL, 0, 0, 0, 0 };
}

/* The value's RDB type byte, then, in a file (key not NULL), the key's
 * name, which comes between the two there. */
static void put_type(struct rdb_buf *b, unsigned char type,
                     const struct dump_key *key)
{
    rdb_put_byte(b, type);
    if (key)
        rdb_put_string(b, key->p, key->n);
}

/* A field and its deadline, for the hash types with TTLs. */
struct ttl_elem {
    struct store_coll_view v;
    int64_t at;                    /* STORE_NO_TTL: none */
    size_t order;
};

/* Deadlines first, earliest first; then the fields without one, in the
 * hash's order: the order of Redis's listpackex. */
static int cmp_ttl_elem(const void *a, const void *b)
{
    const struct ttl_elem *x = a, *y = b;
    int xn = x->at == STORE_NO_TTL, yn = y->at == STORE_NO_TTL;
    if (xn != yn)
        return xn - yn;
    if (!xn && x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return (x->order > y->order) - (x->order < y->order);
}

/* An 8-byte little-endian ms time, as Redis's rdbSaveMillisecondTime. */
static void put_ms(struct rdb_buf *b, int64_t t)
{
    unsigned char q[8];
    for (int i = 0; i < 8; i++)
        q[i] = (unsigned char)((uint64_t)t >> (8 * i));
    rdb_put(b, q, 8);
}

/* A hash that has had field TTLs, as Redis 7.4 writes one: type 25 (the
 * earliest deadline, then a listpack of field, value, deadline or 0,
 * ordered as cmp_ttl_elem) while compact, else type 24 (the earliest
 * deadline, a count, then per field its deadline as 0 or 1 + the
 * distance from the earliest, the field and the value). */
static void dump_hash_ttl(struct rdb_buf *b, const struct store_coll *c,
                          const struct dump_key *key)
{
    size_t n = store_coll_len(c);
    struct ttl_elem *el = malloc((n ? n : 1) * sizeof *el);
    if (!el) {
        b->nomem = 1;
        return;
    }
    struct store_coll_it it = { 0, NULL };
    int64_t min = STORE_NO_TTL;
    for (size_t i = 0; i < n && store_coll_next(c, &it, &el[i].v); i++) {
        el[i].at = store_coll_ttl(c, el[i].v.f, el[i].v.flen);
        el[i].order = i;
        if (el[i].at != STORE_NO_TTL && (min == STORE_NO_TTL || el[i].at < min))
            min = el[i].at;
    }
    if (!store_coll_is_compact(c)) {
        put_type(b, RDB_TYPE_HASH_METADATA, key);
        put_ms(b, min);
        rdb_put_len(b, n);
        for (size_t i = 0; i < n; i++) {
            int64_t at = el[i].at;
            rdb_put_len(b, at == STORE_NO_TTL ? 0 : (uint64_t)(at - min) + 1);
            rdb_put_string(b, el[i].v.f, el[i].v.flen);
            rdb_put_string(b, el[i].v.v, el[i].v.vlen);
        }
        free(el);
        return;
    }
    qsort(el, n, sizeof *el, cmp_ttl_elem);
    struct rdb_buf lp = { NULL, 0, 0, 0, 0 };
    rdb_lp_begin(&lp);
    for (size_t i = 0; i < n; i++) {
        char num[24];
        int len = snprintf(num, sizeof num, "%lld",
                           (long long)(el[i].at == STORE_NO_TTL ? 0
                                                                : el[i].at));
        rdb_lp_append(&lp, el[i].v.f, el[i].v.flen);
        rdb_lp_append(&lp, el[i].v.v, el[i].v.vlen);
        rdb_lp_append(&lp, num, (size_t)len);
    }
    free(el);
    put_type(b, RDB_TYPE_HASH_LISTPACK_EX, key);
    put_ms(b, min == STORE_NO_TTL ? 0 : min);
    put_listpack(b, &lp, 3 * n);
}

/* 1 when c is written as a hash with field TTLs (dump_hash_ttl): Redis
 * 7.4 does for a listpackex, and for a table with a TTL left. */
static int hash_has_ttls(const struct store_coll *c)
{
    return store_coll_is_compact(c) ? store_coll_is_hfe(c)
                                    : store_coll_ttl_count(c) > 0;
}

static void dump_hash(struct rdb_buf *b, const struct store_coll *c,
                      const struct dump_key *key)
{
    if (hash_has_ttls(c)) {
        dump_hash_ttl(b, c, key);
        return;
    }
    struct store_coll_it it = { 0, NULL };
    struct store_coll_view v;
    if (!store_coll_is_compact(c)) {
        put_type(b, T_HASH, key);
        rdb_put_len(b, store_coll_len(c));
        while (store_coll_next(c, &it, &v)) {
            rdb_put_string(b, v.f, v.flen);
            rdb_put_string(b, v.v, v.vlen);
        }
        return;
    }
    struct rdb_buf lp = { NULL, 0, 0, 0, 0 };
    rdb_lp_begin(&lp);
    while (store_coll_next(c, &it, &v)) {
        rdb_lp_append(&lp, v.f, v.flen);
        rdb_lp_append(&lp, v.v, v.vlen);
    }
    put_type(b, T_HASH_LISTPACK, key);
    put_listpack(b, &lp, 2 * store_coll_len(c));
}

/* Intset c's members, ascending as it keeps them (malloc'ed), or NULL
 * when memory ran out. */
static int64_t *set_ints(const struct store_coll *c)
{
    size_t n = store_coll_len(c);
    int64_t *v = malloc((n ? n : 1) * sizeof(*v));
    if (!v)
        return NULL;
    struct store_coll_it it = { 0, NULL };
    struct store_coll_view e;
    for (size_t i = 0; store_coll_next(c, &it, &e); i++)
        store_i64_parse(e.f, e.flen, &v[i]);
    return v;
}

static void dump_set(struct rdb_buf *b, const struct store_coll *c,
                     const struct dump_key *key)
{
    int w = store_coll_intset_width(c);
    if (w) {
        int64_t *ints = set_ints(c);
        if (!ints) {
            b->nomem = 1;
            return;
        }
        struct rdb_buf is = { NULL, 0, 0, 0, 0 };
        rdb_intset_put(&is, ints, store_coll_len(c), (size_t)w);
        free(ints);
        put_type(b, T_SET_INTSET, key);
        if (is.nomem)
            b->nomem = 1;
        else
            rdb_put_string(b, (const char *)is.p, is.len);
        free(is.p);
        return;
    }
    struct store_coll_it it = { 0, NULL };
    struct store_coll_view v;
    put_type(b, T_SET, key);
    rdb_put_len(b, store_coll_len(c));
    while (store_coll_next(c, &it, &v))
        rdb_put_string(b, v.f, v.flen);
}

/* A score as a compact zset stores it: an integer when it is one within
 * +-2^62, else as %.17g prints it. Returns the text's length. */
static size_t score_text(double d, char buf[32])
{
    if (isinf(d))
        return (size_t)snprintf(buf, 32, d > 0 ? "inf" : "-inf");
    if (d >= -4611686018427387904.0 && d <= 4611686018427387904.0 &&
        d == (double)(long long)d)
        return (size_t)snprintf(buf, 32, "%lld", (long long)d);
    return (size_t)snprintf(buf, 32, "%.17g", d);
}

static void dump_zset(struct rdb_buf *b, const struct store_zset *z,
                      const struct dump_key *key)
{
    struct store_zset_it it;
    struct store_zset_view v;
    int compact = store_zset_is_compact(z);
    store_zset_seek(z, 0, !compact, &it);
    if (!compact) {
        put_type(b, T_ZSET_2, key);
        rdb_put_len(b, store_zset_len(z));
        while (store_zset_next(z, &it, &v)) {
            unsigned char d[8];
            uint64_t u;
            memcpy(&u, &v.score, 8);
            for (int i = 0; i < 8; i++)
                d[i] = (unsigned char)(u >> (8 * i));
            rdb_put_string(b, v.m, v.mlen);
            rdb_put(b, d, 8);
        }
        return;
    }
    struct rdb_buf lp = { NULL, 0, 0, 0, 0 };
    rdb_lp_begin(&lp);
    while (store_zset_next(z, &it, &v)) {
        char num[32];
        rdb_lp_append(&lp, v.m, v.mlen);
        rdb_lp_append(&lp, num, score_text(v.score, num));
    }
    put_type(b, T_ZSET_LISTPACK, key);
    put_listpack(b, &lp, 2 * store_zset_len(z));
}

/* 1 if a node of sz bytes and count entries may take one more element
 * of n bytes under list-max-listpack-size fill (Redis's rule: the size
 * guessed with n and an overhead, against 4..64 KiB for a negative fill,
 * or against a count and 8 KiB for a positive one). */
static int node_takes(size_t sz, size_t count, size_t n, int64_t fill)
{
    size_t guess = sz + n + QL_ESTIMATE_OVERHEAD;
    if (fill < 0)
        return guess <= ((size_t)4096 << (-fill - 1));
    return guess <= QL_SIZE_SAFETY && (int64_t)count < fill;
}

static void dump_list(struct rdb_buf *b, const struct store_list *l,
                      int64_t fill, const struct dump_key *key)
{
    /* Nodes go out as they fill, so their count is only known at the
     * end: they are written to a buffer of their own first. */
    struct rdb_buf nodes = { NULL, 0, 0, 0, b->nolzf };
    struct rdb_buf lp = { NULL, 0, 0, 0, 0 };
    size_t nnodes = 0, count = 0;
    struct store_list_it it;
    struct store_list_view v;
    store_list_it_init(l, 0, 0, &it);
    while (store_list_next(&it, &v)) {
        if (count && !node_takes(lp.len + 1, count, v.len, fill)) {
            rdb_put_len(&nodes, QL_PACKED);
            put_listpack(&nodes, &lp, count);
            nnodes++;
            count = 0;
        }
        if (count == 0)
            rdb_lp_begin(&lp);
        rdb_lp_append(&lp, v.p, v.len);
        count++;
    }
    if (count) {
        rdb_put_len(&nodes, QL_PACKED);
        put_listpack(&nodes, &lp, count);
        nnodes++;
    }
    put_type(b, T_LIST_QUICKLIST_2, key);
    rdb_put_len(b, nnodes);
    if (nodes.nomem)
        b->nomem = 1;
    rdb_put(b, nodes.p, nodes.len);
    free(nodes.p);
}

/* See dump.h. */
int dump_value_put(struct rdb_buf *b, const struct store *s,
                   const struct store_entry *e, const struct dump_key *key)
{
    void *o = NULL;
    if (store_entry_type(e) != STORE_T_STRING)
        o = store_entry_obj(e);
    switch (store_entry_type(e)) {
    case STORE_T_STRING: {
        size_t n;
        const char *p = store_entry_str(e, &n);
        put_type(b, T_STRING, key);
        rdb_put_string(b, p, n);
        break;
    }
    case STORE_T_HASH:
        dump_hash(b, o, key);
        break;
    case STORE_T_SET:
        dump_set(b, o, key);
        break;
    case STORE_T_ZSET:
        dump_zset(b, o, key);
        break;
    case STORE_T_LIST:
        dump_list(b, o, store_get_limits(s)->list_size, key);
        break;
    case STORE_T_STREAM:
        put_type(b, T_STREAM_LISTPACKS_2, key);
        dump_stream(b, o);
        break;
    default:
        return -1;
    }
    return 0;
}

/* See dump.h. */
unsigned dump_value_version(const struct store_entry *e)
{
    if (store_entry_type(e) == STORE_T_HASH &&
        hash_has_ttls(store_entry_obj(e)))
        return RDB_VERSION_HFE;
    return RDB_VERSION;
}

/* See dump.h. */
char *dump_value(const struct store *s, const struct store_entry *e,
                 size_t *len)
{
    struct rdb_buf b = { NULL, 0, 0, 0, 0 };
    if (dump_value_put(&b, s, e, NULL) != 0) {
        free(b.p);
        return NULL;
    }
    return rdb_finish_version(&b, dump_value_version(e), len);
}
