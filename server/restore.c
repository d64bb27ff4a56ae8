/* restore.c - RESTORE's payload back to a value: every type byte Redis
 * 7.0.15 reads for strings, hashes, sets, sorted sets and lists, older
 * encodings included:
 *
 *   0 string            1 list (count, strings)   2 set (count, strings)
 *   3 zset (count, member, score as text)         4 hash (count, pairs)
 *   5 zset (count, member, binary double)         9 hash as a zipmap
 *   10 list as a ziplist    11 set as an intset   12 zset as a ziplist
 *   13 hash as a ziplist    14 list as ziplist nodes
 *   16 hash as a listpack   17 zset as a listpack
 *   18 list as nodes, each 1 (one plain element) or 2 (a listpack)
 *   15, 19 stream (restore_stream.c)
 *   20 set as a listpack, 21 stream with consumers' active times: Redis
 *   7.2's, read from files only (a RESTORE payload of Redis 7.0's RDB
 *   version cannot hold them)
 *   24 hash with field TTLs (count, deadline, pairs)   25 the same as a
 *   listpack of triplets: Redis 7.4's (load_hash_ttl); the deadlines are
 *   set once the key holds the hash (dump_apply_ttls)
 *
 * One value is read from a shared struct rdb_reader, which it advances
 * past the value: dump_restore wraps it for RESTORE's payload, the RDB
 * file loader (rdb_load.c) calls it once a key.
 *
 * The bytes are a client's: rdb.c and rdb_pack.c bound every read, and a
 * value is refused as Redis refuses it (with sanitize-dump-payload yes):
 * a duplicate field or member, an odd count of hash or zset entries, a
 * malformed blob. An empty collection is DUMP_EMPTY where Redis 7.0's
 * loader says "empty key" (RESTORE refuses it, a file skips it), and
 * DUMP_BAD where Redis finds the blob itself malformed (an empty intset
 * or zipmap). Counts are never trusted for an
 * allocation; elements are added one by one, so a lying count runs out
 * of bytes. The value is built detached and handed to the caller, who
 * stores it only when everything was read. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "server/dump.h"
#include "server/rdb.h"

enum {
    T_STRING = 0, T_LIST = 1, T_SET = 2, T_ZSET = 3, T_HASH = 4,
    T_ZSET_2 = 5, T_HASH_ZIPMAP = 9, T_LIST_ZIPLIST = 10,
    T_SET_INTSET = 11, T_ZSET_ZIPLIST = 12, T_HASH_ZIPLIST = 13,
    T_LIST_QUICKLIST = 14, T_HASH_LISTPACK = 16, T_ZSET_LISTPACK = 17,
    T_LIST_QUICKLIST_2 = 18, T_STREAM_LISTPACKS = 15,
    T_STREAM_LISTPACKS_2 = 19, T_SET_LISTPACK = 20,
    T_STREAM_LISTPACKS_3 = 21, T_HASH_METADATA = RDB_TYPE_HASH_METADATA,
    T_HASH_LISTPACK_EX = RDB_TYPE_HASH_LISTPACK_EX,
};
#define QL_PLAIN 1
#define QL_PACKED 2
#define SCORE_TEXT_MAX 127        /* Redis reads a text score's first 127 */
/* The latest field deadline Redis 7.4 loads (EB_EXPIRE_TIME_MAX, 48
 * bits); later ones are corrupt. */
#define HFE_AT_MAX ((INT64_C(1) << 48) - 1)

/* What the element callbacks fill: the object, and for pairs the first
 * half kept until the second comes. */
struct fill {
    struct store *s;
    enum store_type type;
    void *obj;
    int rc;                        /* DUMP_BAD or DUMP_NOMEM once failed */
    int have_first;
    struct rdb_elem first;
    struct dump_value *v;          /* where field deadlines go */
    int have_second;               /* triplets (type 25): field, value */
    struct rdb_elem second;
    int64_t last_at;               /* type 25: deadlines must not shrink */
    int ttl_ended;                 /* nor follow a field without one */
};

static int fail(struct fill *f, int rc)
{
    f->rc = rc;
    return -1;
}

/* A score from its text as Redis reads one from a blob (strtod of at
 * most the first 127 bytes); NaN is refused. */
static int score_of(const char *p, size_t n, double *d)
{
    char buf[SCORE_TEXT_MAX + 1];
    if (n > SCORE_TEXT_MAX)
        n = SCORE_TEXT_MAX;
    memcpy(buf, p, n);
    buf[n] = '\0';
    *d = strtod(buf, NULL);
    return isnan(*d) ? -1 : 0;
}

/* Adds one element (or pair: a, b) to f's object; duplicates fail. */
static int add(struct fill *f, const char *a, size_t alen, const char *b,
               size_t blen)
{
    int rc;
    switch (f->type) {
    case STORE_T_LIST:
        rc = store_list_push(f->s, f->obj, STORE_LIST_TAIL, a, alen);
        return rc == STORE_OK ? 0 : fail(f, DUMP_NOMEM);
    case STORE_T_HASH:
    case STORE_T_SET:
        rc = store_coll_put(f->s, f->obj, a, alen, b, blen, 1);
        if (rc == 1)
            return 0;
        return fail(f, rc == STORE_NOMEM ? DUMP_NOMEM : DUMP_BAD);
    case STORE_T_ZSET: {
        double d, out;
        if (score_of(b, blen, &d) != 0)
            return fail(f, DUMP_BAD);
        rc = store_zset_add(f->s, f->obj, a, alen, d, STORE_ZADD_NX, &out);
        if (rc == STORE_ZADD_ADDED)
            return 0;
        return fail(f, rc == STORE_NOMEM ? DUMP_NOMEM : DUMP_BAD);
    }
    default:
        return fail(f, DUMP_BAD);
    }
}

/* rdb_elem_cb for blobs of single elements (lists, intsets). */
static int add_one(void *ctx, const struct rdb_elem *e)
{
    return add(ctx, e->p, e->len, NULL, 0);
}

/* rdb_elem_cb for blobs of pairs (hashes, zsets): keeps the first. */
static int add_pair(void *ctx, const struct rdb_elem *e)
{
    struct fill *f = ctx;
    if (!f->have_first) {
        f->first = *e;
        if (e->p == e->num)
            f->first.p = f->first.num;
        f->have_first = 1;
        return 0;
    }
    f->have_first = 0;
    return add(f, f->first.p, f->first.len, e->p, e->len);
}

/* Records field f's deadline at in f->v (for dump_apply_ttls). */
static int add_ttl(struct fill *fl, const char *f, size_t flen, int64_t at)
{
    struct dump_value *v = fl->v;
    if (v->nttls == v->cttls) {
        size_t cap = v->cttls ? v->cttls * 2 : 8;
        struct dump_ttl *t = realloc(v->ttls, cap * sizeof *t);
        if (!t)
            return fail(fl, DUMP_NOMEM);
        v->ttls = t;
        v->cttls = cap;
    }
    char *copy = malloc(flen ? flen : 1);
    if (!copy)
        return fail(fl, DUMP_NOMEM);
    memcpy(copy, f, flen);
    v->ttls[v->nttls++] = (struct dump_ttl){ copy, flen, at };
    return 0;
}

/* rdb_elem_cb for a listpackex (type 25): field, value, then the
 * deadline as an integer, 0 for none. */
static int add_triple(void *ctx, const struct rdb_elem *e)
{
    struct fill *f = ctx;
    struct rdb_elem *keep = !f->have_first ? &f->first
                          : !f->have_second ? &f->second : NULL;
    if (keep) {
        *keep = *e;
        if (e->p == e->num)
            keep->p = keep->num;
        if (keep == &f->first)
            f->have_first = 1;
        else
            f->have_second = 1;
        return 0;
    }
    f->have_first = f->have_second = 0;
    int64_t at;
    if (e->p != e->num || !store_i64_parse(e->p, e->len, &at) || at < 0 ||
        at > HFE_AT_MAX || (at && (f->ttl_ended || at < f->last_at)))
        return fail(f, DUMP_BAD);
    if (at)
        f->last_at = at;
    else
        f->ttl_ended = 1;
    if (add(f, f->first.p, f->first.len, f->second.p, f->second.len))
        return -1;
    return at ? add_ttl(f, f->first.p, f->first.len, at) : 0;
}

/* Reads an RDB string holding a blob and walks it with walk, taking its
 * elements one (pairs 0), two (1) or three (2, type 25) at a time; a part
 * of a group left over is bad; an empty blob returns if_empty. */
static int load_blob(struct rdb_reader *r, struct fill *f,
                     int64_t (*walk)(const unsigned char *, size_t,
                                     rdb_elem_cb, void *),
                     int pairs, int if_empty)
{
    char *blob;
    size_t n;
    if (rdb_get_string(r, &blob, &n) != 0)
        return DUMP_BAD;
    int64_t count = walk((const unsigned char *)blob, n,
                         pairs == 2 ? add_triple : pairs ? add_pair : add_one,
                         f);
    free(blob);
    if (count < 0)
        return f->rc ? f->rc : DUMP_BAD;
    if (f->have_first)
        return DUMP_BAD;
    return count == 0 ? if_empty : DUMP_OK;
}

/* An intset (type 11): its members, in a set that keeps the blob's width
 * while it stays an intset, as Redis keeps the blob itself. */
static int load_intset(struct rdb_reader *r, struct fill *f)
{
    char *blob;
    size_t n;
    if (rdb_get_string(r, &blob, &n) != 0)
        return DUMP_BAD;
    const unsigned char *p = (const unsigned char *)blob;
    int64_t count = rdb_intset_walk(p, n, NULL, NULL);
    if (count > 0 &&
        store_coll_intset_reserve(f->s, f->obj, (size_t)count, p[0]))
        f->rc = DUMP_NOMEM;
    if (count > 0 && !f->rc)
        count = rdb_intset_walk(p, n, add_one, f);
    free(blob);
    if (count < 0 || f->rc)
        return f->rc ? f->rc : DUMP_BAD;
    return count == 0 ? DUMP_BAD : DUMP_OK;
}

/* Redis 7.4's hashes with field TTLs: type 25, the earliest deadline and
 * a listpack of triplets; type 24, the earliest deadline, a count, and
 * per field 0 or 1 + its deadline's distance from the earliest, the field
 * and the value. As in Redis, a deadline past HFE_AT_MAX is bad, and the
 * earliest deadline is not checked (type 25 does not use it). */
static int load_hash_ttl(struct rdb_reader *r, struct fill *f, int rdbtype)
{
    uint64_t min;
    f->v->hfe = 1;
    if (rdb_get_u64le(r, &min) != 0)
        return DUMP_BAD;
    if (rdbtype == T_HASH_LISTPACK_EX) {
        int rc = load_blob(r, f, rdb_lp_walk, 2, DUMP_EMPTY);
        return rc == DUMP_OK && f->have_second ? DUMP_BAD : rc;
    }
    uint64_t count;
    if (rdb_get_plain_len(r, &count) != 0)
        return DUMP_BAD;
    if (count == 0)
        return DUMP_EMPTY;
    for (uint64_t i = 0; i < count; i++) {
        uint64_t ttl, at = 0;
        char *a = NULL, *b = NULL;
        size_t alen, blen;
        int rc = DUMP_BAD;
        /* As Redis: unsigned 64-bit sums, wrapping; a sum of 0 is no TTL. */
        if (rdb_get_plain_len(r, &ttl) == 0 &&
            (at = ttl ? ttl + min - 1 : 0) <= (uint64_t)HFE_AT_MAX &&
            rdb_get_string(r, &a, &alen) == 0 &&
            rdb_get_string(r, &b, &blen) == 0) {
            rc = add(f, a, alen, b, blen) ? f->rc : DUMP_OK;
            if (rc == DUMP_OK && at && add_ttl(f, a, alen, (int64_t)at))
                rc = f->rc;
        }
        free(a);
        free(b);
        if (rc)
            return rc;
    }
    return DUMP_OK;
}

/* A double written as text: a length byte (253 NaN, 254 +inf, 255 -inf)
 * and that many bytes. */
static int get_text_double(struct rdb_reader *r, double *d)
{
    unsigned char len;
    const unsigned char *q;
    if (rdb_get_byte(r, &len) != 0)
        return -1;
    if (len >= 253) {
        *d = len == 253 ? NAN : len == 254 ? INFINITY : -INFINITY;
        return isnan(*d) ? -1 : 0;
    }
    if (rdb_get_raw(r, len, &q) != 0)
        return -1;
    /* Redis scans it with sscanf: text that is no number fails. */
    char buf[256], *end;
    memcpy(buf, q, len);
    buf[len] = '\0';
    *d = strtod(buf, &end);
    return end == buf || isnan(*d) ? -1 : 0;
}

static int get_binary_double(struct rdb_reader *r, double *d)
{
    uint64_t u;
    if (rdb_get_u64le(r, &u) != 0)
        return -1;
    memcpy(d, &u, 8);
    return isnan(*d) ? -1 : 0;
}

/* The plain encodings: a count, then per element one string (lists,
 * sets), two (hashes), or a member and a score (zsets). A zset is built
 * as a skip list and made compact at the end if it fits, as Redis does,
 * so a -0 score stays -0 in one that does not (compact ones store 0). */
static int load_plain(struct rdb_reader *r, struct fill *f, int rdbtype)
{
    uint64_t count;
    if (rdb_get_plain_len(r, &count) != 0)
        return DUMP_BAD;
    if (count == 0)
        return DUMP_EMPTY;
    if (f->type == STORE_T_ZSET && store_zset_expand(f->s, f->obj) != 0)
        return DUMP_NOMEM;
    for (uint64_t i = 0; i < count; i++) {
        char *a = NULL, *b = NULL;
        size_t alen, blen = 0;
        double d;
        int bad = rdb_get_string(r, &a, &alen) != 0;
        if (!bad && rdbtype == T_HASH)
            bad = rdb_get_string(r, &b, &blen) != 0;
        if (!bad && (rdbtype == T_ZSET || rdbtype == T_ZSET_2))
            bad = (rdbtype == T_ZSET ? get_text_double(r, &d)
                                     : get_binary_double(r, &d)) != 0;
        int rc = bad ? DUMP_BAD : 0;
        if (!bad && f->type == STORE_T_ZSET) {
            double out;
            int z = store_zset_add(f->s, f->obj, a, alen, d, STORE_ZADD_NX,
                                   &out);
            rc = z == STORE_ZADD_ADDED ? 0
               : z == STORE_NOMEM ? DUMP_NOMEM : DUMP_BAD;
        } else if (!bad && add(f, a, alen, b, blen) != 0) {
            rc = f->rc;
        }
        free(a);
        free(b);
        if (rc)
            return rc;
    }
    if (f->type == STORE_T_ZSET)
        store_zset_fit(f->s, f->obj);
    return DUMP_OK;
}

/* A quicklist: a count of nodes, each a ziplist (type 14) or a container
 * byte and a listpack or one plain element (type 18). Empty nodes are
 * skipped, as Redis skips them; a list left empty is DUMP_EMPTY. */
static int load_quicklist(struct rdb_reader *r, struct fill *f, int v2)
{
    uint64_t nodes;
    if (rdb_get_plain_len(r, &nodes) != 0)
        return DUMP_BAD;
    for (uint64_t i = 0; i < nodes; i++) {
        uint64_t container = QL_PACKED;
        if (v2 && (rdb_get_plain_len(r, &container) != 0 ||
                   (container != QL_PLAIN && container != QL_PACKED)))
            return DUMP_BAD;
        int rc;
        if (container == QL_PLAIN) {
            char *p;
            size_t n;
            if (rdb_get_string(r, &p, &n) != 0)
                return DUMP_BAD;
            /* Redis refuses an empty node's string, plain ones too. */
            rc = n == 0 ? DUMP_BAD : add(f, p, n, NULL, 0) ? f->rc : DUMP_OK;
            free(p);
        } else {
            rc = load_blob(r, f, v2 ? rdb_lp_walk : rdb_zl_walk, 0, DUMP_OK);
        }
        if (rc != DUMP_OK)
            return rc;
    }
    return store_list_len(f->obj) ? DUMP_OK : DUMP_EMPTY;
}

/* The store type a Redis type byte makes, or -1. */
static int store_type_of(int rdbtype)
{
    switch (rdbtype) {
    case T_STRING:
        return STORE_T_STRING;
    case T_LIST: case T_LIST_ZIPLIST: case T_LIST_QUICKLIST:
    case T_LIST_QUICKLIST_2:
        return STORE_T_LIST;
    case T_SET: case T_SET_INTSET: case T_SET_LISTPACK:
        return STORE_T_SET;
    case T_ZSET: case T_ZSET_2: case T_ZSET_ZIPLIST: case T_ZSET_LISTPACK:
        return STORE_T_ZSET;
    case T_HASH: case T_HASH_ZIPMAP: case T_HASH_ZIPLIST:
    case T_HASH_LISTPACK: case T_HASH_METADATA: case T_HASH_LISTPACK_EX:
        return STORE_T_HASH;
    case T_STREAM_LISTPACKS: case T_STREAM_LISTPACKS_2:
    case T_STREAM_LISTPACKS_3:
        return STORE_T_STREAM;
    default:
        return -1;
    }
}

static void *obj_new(struct store *s, enum store_type t)
{
    switch (t) {
    case STORE_T_LIST:
        return store_list_new(s);
    case STORE_T_ZSET:
        return store_zset_new(s);
    case STORE_T_STREAM:
        return store_stream_new(s);
    default:
        return store_coll_new(s, t);
    }
}

static void obj_free(struct store *s, enum store_type t, void *o)
{
    switch (t) {
    case STORE_T_LIST:
        store_list_free(s, o);
        break;
    case STORE_T_ZSET:
        store_zset_free(s, o);
        break;
    case STORE_T_STREAM:
        store_stream_free(s, o);
        break;
    default:
        store_coll_free(s, o);
    }
}

/* A hash or sorted set in one blob (ziplist, listpack). Redis 7.0 keeps
 * such a blob as it is while it holds at most *-max-listpack-entries
 * elements, however long they are (only the plain encodings' elements
 * are held to *-max-listpack-value), so the value limit is lifted to
 * STORE_COMPACT_MAX, the longest a compact element may be, while the
 * elements are added; the entries limit still applies. */
static int load_pairs_blob(struct rdb_reader *r, struct fill *f,
                           int64_t (*walk)(const unsigned char *, size_t,
                                           rdb_elem_cb, void *))
{
    struct store_limits saved = *store_get_limits(f->s), wide = saved;
    wide.hash_value = wide.zset_value = STORE_COMPACT_MAX;
    store_set_limits(f->s, &wide);
    int rc = load_blob(r, f, walk, 1, DUMP_EMPTY);
    store_set_limits(f->s, &saved);
    return rc;
}

/* Fills f's object from the value of Redis type rdbtype. */
static int load_obj(struct rdb_reader *r, struct fill *f, int rdbtype)
{
    switch (rdbtype) {
    case T_LIST: case T_SET: case T_ZSET: case T_HASH: case T_ZSET_2:
        return load_plain(r, f, rdbtype);
    case T_HASH_ZIPMAP:
        return load_blob(r, f, rdb_zipmap_walk, 1, DUMP_BAD);
    case T_LIST_ZIPLIST:
        return load_blob(r, f, rdb_zl_walk, 0, DUMP_EMPTY);
    case T_SET_INTSET:
        return load_intset(r, f);
    case T_SET_LISTPACK:
        return load_blob(r, f, rdb_lp_walk, 0, DUMP_EMPTY);
    case T_ZSET_ZIPLIST: case T_HASH_ZIPLIST:
        return load_pairs_blob(r, f, rdb_zl_walk);
    case T_ZSET_LISTPACK: case T_HASH_LISTPACK:
        return load_pairs_blob(r, f, rdb_lp_walk);
    case T_LIST_QUICKLIST: case T_LIST_QUICKLIST_2:
        return load_quicklist(r, f, rdbtype == T_LIST_QUICKLIST_2);
    case T_STREAM_LISTPACKS: case T_STREAM_LISTPACKS_2:
    case T_STREAM_LISTPACKS_3:
        return dump_restore_stream(r, f->s, f->obj, rdbtype);
    case T_HASH_METADATA: case T_HASH_LISTPACK_EX:
        return load_hash_ttl(r, f, rdbtype);
    default:
        return DUMP_BAD;
    }
}

/* See dump.h. */
int dump_read_value(struct store *s, struct rdb_reader *r, int rdbtype,
                    struct dump_value *v)
{
    memset(v, 0, sizeof(*v));
    if (store_type_of(rdbtype) < 0)
        return DUMP_BAD;
    v->type = (enum store_type)store_type_of(rdbtype);
    if (v->type == STORE_T_STRING)
        return rdb_get_string(r, &v->str, &v->slen) == 0 ? DUMP_OK
                                                         : DUMP_BAD;
    struct fill f = { s, v->type, obj_new(s, v->type), 0, 0, { 0 }, v, 0,
                      { 0 }, 0, 0 };
    if (!f.obj)
        return DUMP_NOMEM;
    int rc = load_obj(r, &f, rdbtype);
    if (rc != DUMP_OK) {
        obj_free(s, v->type, f.obj);
        dump_value_free(s, v);
        return rc;
    }
    v->obj = f.obj;
    return DUMP_OK;
}

/* See dump.h. */
int dump_restore(struct store *s, const unsigned char *p, size_t n,
                 struct dump_value *v)
{
    struct rdb_reader r = { p, 0, n };
    unsigned char rdbtype;
    memset(v, 0, sizeof(*v));
    /* Types newer than Redis 7.0's RDB version are bad data there. */
    if (rdb_get_byte(&r, &rdbtype) != 0 || rdbtype == T_SET_LISTPACK ||
        rdbtype == T_STREAM_LISTPACKS_3)
        return DUMP_BAD;
    int rc = dump_read_value(s, &r, rdbtype, v);
    return rc == DUMP_EMPTY ? DUMP_BAD : rc;
}

/* See dump.h. */
int dump_apply_ttls(struct store *s, const char *key, size_t klen,
                    const struct dump_value *v, int64_t now)
{
    struct store_coll *h;
    if (!v->hfe)
        return STORE_OK;
    int rc = store_hash_ttl_open(s, key, klen, now, &h);
    for (size_t i = 0; rc == STORE_OK && i < v->nttls; i++)
        rc = store_coll_ttl_set(s, h, v->ttls[i].f, v->ttls[i].flen,
                                v->ttls[i].at);
    return rc == STORE_OK ? STORE_OK : STORE_NOMEM;
}

/* See dump.h. */
int dump_value_store(struct store *s, const char *key, size_t klen,
                     struct dump_value *v, int64_t expire_ms, int64_t now)
{
    int rc;
    if (v->type == STORE_T_STRING) {
        rc = store_key_set(s, key, klen, v->str, v->slen, expire_ms, now);
        dump_value_free(s, v);
        return rc;
    }
    rc = store_key_set_obj(s, key, klen, v->type, v->obj, now);
    if (rc != STORE_OK) {
        dump_value_free(s, v);
        return rc;
    }
    v->obj = NULL;
    rc = dump_apply_ttls(s, key, klen, v, now);
    dump_value_free(s, v);
    if (rc != STORE_OK) {
        store_key_delete(s, key, klen, now);
        return STORE_NOMEM;
    }
    if (expire_ms != STORE_NO_TTL &&
        store_key_expire_set(s, key, klen, expire_ms, now) != STORE_OK) {
        store_key_delete(s, key, klen, now);
        return STORE_NOMEM;
    }
    if (v->type == STORE_T_STREAM)
        store_stream_placed(s, key, klen, now);
    return STORE_OK;
}

/* See dump.h. */
void dump_value_free(struct store *s, struct dump_value *v)
{
    if (v->obj)
        obj_free(s, v->type, v->obj);
    free(v->str);
    for (size_t i = 0; i < v->nttls; i++)
        free(v->ttls[i].f);
    free(v->ttls);
    v->obj = NULL;
    v->str = NULL;
    v->ttls = NULL;
    v->nttls = v->cttls = 0;
}
