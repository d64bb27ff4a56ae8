/* coll.c - hash and set values: one structure, three encodings.
 *
 * A hash maps fields to values; a set is a hash whose values are empty.
 * The entry of such a key holds, as its value bytes, a pointer to a
 * struct store_coll it owns (store_int.h, store__obj_ops). Small
 * collections are one contiguous block, like Redis's listpack:
 *
 *   compact:  [used][len][field bytes][len][value bytes] ...
 *             used: uint32 bytes of elements; len: LEB128, one byte
 *             below 128; sets store no value
 *
 * Lookups in it are linear, which is fast for the few elements of a few
 * bytes the store's limits allow (struct store_limits: the hash- and
 * set-max-listpack-* directives). The first insert beyond either limit
 * converts it, once, to a chained hash table of nodes
 *
 *   table:    b[hash & (size-1)] -> node{next, flen, vlen, field, value}
 *
 * which grows and shrinks by incremental rehashing, as the keyspace's
 * tables do: a second bucket array takes the chains a few buckets per
 * write, so no single HSET into a hash of millions of fields pays for
 * moving them all. A table never goes back to compact, as in Redis.
 *
 * A set whose members are all integers (canonical decimals in int64
 * range, store_i64_parse) is a third encoding, Redis's intset:
 *
 *   intset:   p -> [v0][v1]...  ascending, c->w = 2, 4 or 8 bytes each
 *
 * (intset.c). Every set starts as one; while empty, a string member
 * makes it compact; later, a string member or more members than
 * set-max-intset-entries make it a table, as in Redis 7.0. Its members
 * have no bytes to point at, so a view formats one into its own buf.
 *
 * Hashes follow hash-max-listpack-*, sets of strings Redis 7.2's
 * set-max-listpack-* (Redis 7.0 keeps small sets of strings in a hash
 * table, so ours are smaller there). Lowering a limit at run time
 * converts nothing at once, and a hash RESTORE or a file loads from a
 * listpack is filled with the value limit lifted to STORE_COMPACT_MAX
 * (server/restore.c), as Redis keeps such a blob whole: compact elements
 * may be that long.
 *
 * Scanning a table uses Redis's reverse-binary cursor: every element
 * present for the whole scan is returned at least once across resizes.
 * A compact collection is returned whole by the first call (cursor 0).
 *
 * Field TTLs (hfe.c) cost nothing here until a hash first gets one: then
 * the hash is moved into a struct coll_x, the 16 bytes plus a pointer to
 * its deadlines, and the hfe flag says so. Deletes and overwrites of such
 * a hash drop the field's deadline (store_coll_put_keepttl keeps it);
 * hashes without the flag take one predictable branch more, nothing else.
 *
 * Every allocation goes through store__malloc & co., so used_memory
 * counts collections; a failed allocation changes nothing. */
#include "store/intset.h"
#include "store/store_int.h"

#include <malloc.h>
#include <stdlib.h>

#define TABLE_MIN 4

struct coll_node {
    struct coll_node *next;
    uint32_t flen, vlen;
    char data[];               /* field, then value */
};

enum { ENC_TABLE, ENC_COMPACT, ENC_INTSET };

/* 16 bytes, one allocator size class below 24: it counts once per key.
 * compact: p is NULL or [uint32 bytes used][elements]; table: p is a
 * struct coll_ht; intset: p is NULL or n integers of w bytes (intset.c). */
struct store_coll {
    uint8_t type;              /* STORE_T_HASH or STORE_T_SET */
    uint8_t enc;               /* ENC_* */
    uint8_t hfe;               /* 1: a struct coll_x, with field deadlines */
    uint8_t w;                 /* intset: the elements' width */
    uint32_t n;                /* elements */
    void *p;
};

/* A hash that has had a field TTL: the same 16 bytes, then the pointer to
 * its deadlines (hfe.c). Only these pay for field expiry. */
struct coll_x {
    struct store_coll c;
    struct store__hfe *x;
};

/* A table's buckets: b[0], and b[1] while an incremental rehash moves
 * b[0]'s chains there, a few buckets per write; b[0]'s buckets below
 * rehashidx are then empty. Lookups try both; inserts go to b[1]. */
struct coll_ht {
    struct coll_node **b[2];
    uint8_t shift[2];          /* log2 of each bucket count */
    size_t rehashidx;
};

#define REHASH_STEP 2          /* buckets moved per write */

_Static_assert(sizeof(struct store_coll) == 16, "one 16-byte size class");

#define LP_HDR 4

static size_t lp_used(const struct store_coll *c)
{
    uint32_t u = 0;
    if (c->p)
        memcpy(&u, c->p, sizeof u);
    return u;
}

static char *lp_data(const struct store_coll *c)
{
    return (char *)c->p + LP_HDR;
}

static void lp_used_put(struct store_coll *c, size_t used)
{
    uint32_t u = (uint32_t)used;
    memcpy(c->p, &u, sizeof u);
}

static struct coll_ht *ht(const struct store_coll *c)
{
    return c->p;
}

/* Buckets of table t (0 or 1) of h; 0 when absent. */
static size_t ht_size(const struct coll_ht *h, int t)
{
    return h->b[t] ? (size_t)1 << h->shift[t] : 0;
}

static int ht_rehashing(const struct coll_ht *h)
{
    return h->b[1] != NULL;
}

static uint8_t log2_of(size_t size)
{
    uint8_t k = 0;
    while (((size_t)1 << k) < size)
        k++;
    return k;
}

/* ---- Compact encoding ----------------------------------------------------- */

/* Decodes the element at offset off of a compact c into *v; returns the
 * offset of the next one. */
static size_t lp_elem(const struct store_coll *c, size_t off,
                      struct store_coll_view *v)
{
    const char *p = lp_data(c);
    uint64_t len;
    off += store__varint_get(p + off, &len);
    v->f = p + off;
    v->flen = len;
    off += len;
    v->v = NULL;
    v->vlen = 0;
    if (c->type == STORE_T_HASH) {
        off += store__varint_get(p + off, &len);
        v->v = p + off;
        v->vlen = len;
        off += len;
    }
    return off;
}

/* Offset of field f in compact c, or -1; *end gets the element's end. */
static long lp_find(const struct store_coll *c, const char *f, size_t flen,
                    size_t *end, struct store_coll_view *out)
{
    size_t off = 0;
    while (off < lp_used(c)) {
        struct store_coll_view v;
        size_t next = lp_elem(c, off, &v);
        if (v.flen == flen && store__mem_eq(v.f, f, flen)) {
            *end = next;
            if (out)
                *out = v;
            return (long)off;
        }
        off = next;
    }
    return -1;
}

static size_t elem_size(const struct store_coll *c, size_t flen,
                        size_t vlen)
{
    size_t n = store__varint_len(flen) + flen;
    if (c->type == STORE_T_HASH)
        n += store__varint_len(vlen) + vlen;
    return n;
}

/* Replaces bytes [off, end) of the compact buffer with element (f, v).
 * Returns STORE_OK or STORE_NOMEM (nothing changed). */
static int lp_splice(struct store *s, struct store_coll *c, size_t off,
                     size_t end, const char *f, size_t flen, const char *v,
                     size_t vlen)
{
    size_t esz = elem_size(c, flen, vlen);
    size_t old = lp_used(c);
    size_t used = old - (end - off) + esz;
    if (!c->p || LP_HDR + used > malloc_usable_size(c->p)) {
        /* Exact size: the allocator's size classes give the slack, and
         * growing within a class does not copy. */
        char *nb = store__realloc(s, c->p, LP_HDR + used);
        if (!nb)
            return STORE_NOMEM;
        if (!c->p)
            memset(nb, 0, LP_HDR);
        c->p = nb;
    }
    char *buf = lp_data(c);
    memmove(buf + off + esz, buf + end, old - end);
    char *p = buf + off;
    /* f and v never point into buf: callers pass client bytes. */
    p += store__varint_put(p, flen);
    if (flen)
        memcpy(p, f, flen);
    p += flen;
    if (c->type == STORE_T_HASH) {
        p += store__varint_put(p, vlen);
        if (vlen)
            memcpy(p, v, vlen);
    }
    lp_used_put(c, used);
    return STORE_OK;
}

/* ---- Table encoding ------------------------------------------------------- */

/* The link to field f's node in table c, or NULL. */
static struct coll_node **ht_find(const struct store_coll *c, const char *f,
                                  size_t flen)
{
    const struct coll_ht *h = ht(c);
    uint64_t hash = store__hash(f, flen);
    for (int t = 0; t < 2 && h->b[t]; t++) {
        size_t i = hash & (ht_size(h, t) - 1);
        if (t == 0 && ht_rehashing(h) && i < h->rehashidx)
            continue;
        for (struct coll_node **l = &h->b[t][i]; *l; l = &(*l)->next)
            if ((*l)->flen == flen && store__mem_eq((*l)->data, f, flen))
                return l;
    }
    return NULL;
}

/* Starts moving table c to size buckets. Optional: on OOM the table
 * keeps its size, only with longer (or emptier) chains. */
static void ht_resize(struct store *s, struct store_coll *c, size_t size)
{
    struct coll_ht *h = ht(c);
    if (ht_rehashing(h) || size == ht_size(h, 0))
        return;
    h->b[1] = store__calloc(s, size, sizeof(struct coll_node *));
    if (!h->b[1])
        return;
    h->shift[1] = log2_of(size);
    h->rehashidx = 0;
}

/* Moves up to n non-empty buckets of a rehashing table to its new
 * buckets (visiting at most 10 * n empty ones), and ends the rehash once
 * the old buckets are drained. */
static void ht_step(struct store *s, struct store_coll *c, size_t n)
{
    struct coll_ht *h = ht(c);
    if (!ht_rehashing(h))
        return;
    size_t size0 = ht_size(h, 0), mask1 = ht_size(h, 1) - 1;
    size_t empty = 10 * n;
    while (n && h->rehashidx < size0) {
        struct coll_node *x = h->b[0][h->rehashidx];
        if (!x && empty-- == 0)
            return;
        h->b[0][h->rehashidx++] = NULL;
        if (x)
            n--;
        while (x) {
            struct coll_node *next = x->next;
            size_t j = store__hash(x->data, x->flen) & mask1;
            x->next = h->b[1][j];
            h->b[1][j] = x;
            x = next;
        }
    }
    if (h->rehashidx < size0)
        return;
    store__free(s, h->b[0]);
    h->b[0] = h->b[1];
    h->shift[0] = h->shift[1];
    h->b[1] = NULL;
    h->rehashidx = 0;
}

static struct coll_node *node_new(struct store *s, const char *f,
                                  size_t flen, const char *v, size_t vlen)
{
    struct coll_node *x = store__malloc(s, sizeof *x + flen + vlen);
    if (!x)
        return NULL;
    x->next = NULL;
    x->flen = (uint32_t)flen;
    x->vlen = (uint32_t)vlen;
    if (flen)
        memcpy(x->data, f, flen);
    if (vlen)
        memcpy(x->data + flen, v, vlen);
    return x;
}

/* Converts compact or intset c to a table sized for extra more elements. */
static int to_table(struct store *s, struct store_coll *c, size_t extra)
{
    size_t size = TABLE_MIN;
    while (size < c->n + extra)
        size *= 2;
    struct coll_ht *h = store__malloc(s, sizeof *h);
    struct coll_node **b = store__calloc(s, size, sizeof *b);
    if (!h || !b) {
        store__free(s, h);
        store__free(s, b);
        return STORE_NOMEM;
    }
    struct coll_node *list = NULL;
    struct store_coll_it it = { 0, NULL };
    struct store_coll_view v;
    while (store_coll_next(c, &it, &v)) {
        struct coll_node *x = node_new(s, v.f, v.flen, v.v, v.vlen);
        if (!x) {
            while (list) {
                struct coll_node *next = list->next;
                store__free(s, list);
                list = next;
            }
            store__free(s, b);
            store__free(s, h);
            return STORE_NOMEM;
        }
        x->next = list;
        list = x;
    }
    while (list) {
        struct coll_node *next = list->next;
        size_t j = store__hash(list->data, list->flen) & (size - 1);
        list->next = b[j];
        b[j] = list;
        list = next;
    }
    store__free(s, c->p);
    *h = (struct coll_ht){ .b = { b, NULL }, .shift = { log2_of(size), 0 } };
    c->enc = ENC_TABLE;
    c->p = h;
    return STORE_OK;
}

/* ---- Intset encoding ---------------------------------------------------- */

static struct store__intset iset(const struct store_coll *c)
{
    return (struct store__intset){ c->p, c->n, c->w };
}

static void iset_put(struct store_coll *c, const struct store__intset *is)
{
    c->p = is->p;
    c->n = is->n;
    c->w = is->w;
}

/* Fills *v with element i of intset c, formatted into v->buf. */
static void iset_view(const struct store_coll *c, size_t i,
                      struct store_coll_view *v)
{
    struct store__intset is = iset(c);
    char *end = v->buf + sizeof v->buf;
    v->f = store__int_text(end, store__intset_get(&is, i));
    v->flen = (size_t)(end - v->f);
    v->v = NULL;
    v->vlen = 0;
}

enum { ISET_CONVERTED = 2 };

/* store_coll_put for intset c: 1 added, 0 present, STORE_NOMEM, or
 * ISET_CONVERTED when c has left the intset encoding for f (not added
 * yet: the caller goes on with c's new encoding). */
static int iset_add(struct store *s, struct store_coll *c, const char *f,
                    size_t flen)
{
    int64_t x;
    if (!store_i64_parse(f, flen, &x)) {
        if (c->n == 0) {
            /* A new set of strings: compact, as Respite's always are. */
            store__free(s, c->p);
            c->p = NULL;
            c->enc = ENC_COMPACT;
            return ISET_CONVERTED;
        }
        /* As Redis 7.0 (7.2 would make small ones a listpack). */
        return to_table(s, c, 1) ? STORE_NOMEM : ISET_CONVERTED;
    }
    struct store__intset is = iset(c);
    size_t pos;
    if (store__intset_width(x) <= is.w && store__intset_find(&is, x, &pos))
        return 0;
    if (c->n + 1 > s->limits.set_intset)
        return to_table(s, c, 1) ? STORE_NOMEM : ISET_CONVERTED;
    int rc = store__intset_add(s, &is, x);
    iset_put(c, &is);
    return rc;
}

/* ---- Object ops (store_int.h) --------------------------------------------- */

/* Creates an empty collection of type (STORE_T_HASH or STORE_T_SET),
 * owned by the caller until given to a key. NULL on OOM. */
struct store_coll *store_coll_new(struct store *s, enum store_type type)
{
    struct store_coll *c = store__malloc(s, sizeof *c);
    if (!c)
        return NULL;
    memset(c, 0, sizeof *c);
    c->type = (uint8_t)type;
    /* A set is an intset until a member is not an integer, as in Redis. */
    c->enc = type == STORE_T_SET ? ENC_INTSET : ENC_COMPACT;
    c->w = 2;
    return c;
}

/* Frees a collection the caller owns (not one a key holds); NULL is a
 * no-op. */
void store_coll_free(struct store *s, struct store_coll *c)
{
    if (!c)
        return;
    if (c->enc == ENC_TABLE) {
        struct coll_ht *h = ht(c);
        for (int t = 0; t < 2; t++) {
            for (size_t i = 0; i < ht_size(h, t); i++) {
                struct coll_node *x = h->b[t][i];
                while (x) {
                    struct coll_node *next = x->next;
                    store__free(s, x);
                    x = next;
                }
            }
            store__free(s, h->b[t]);
        }
    }
    store__free(s, c->p);
    if (c->hfe)
        store__hfe_free(s, store__coll_hfe(c));
    store__free(s, c);
}

/* The deadlines of c, or NULL when c never had a field TTL. */
struct store__hfe *store__coll_hfe(const struct store_coll *c)
{
    return c->hfe ? ((const struct coll_x *)c)->x : NULL;
}

/* Moves hash c into a struct coll_x that points at x; c is freed. Returns
 * the new collection (whoever held c must now hold it), or NULL on OOM
 * with c untouched. */
struct store_coll *store__coll_hfe_attach(struct store *s,
                                          struct store_coll *c,
                                          struct store__hfe *x)
{
    struct coll_x *cx = store__malloc(s, sizeof *cx);
    if (!cx)
        return NULL;
    cx->c = *c;
    cx->c.hfe = 1;
    cx->x = x;
    store__free(s, c);
    return &cx->c;
}

/* 1 once c has had a field TTL (OBJECT ENCODING's listpackex). */
int store_coll_is_hfe(const struct store_coll *c)
{
    return c->hfe;
}

static void obj_free(struct store *s, void *o)
{
    store_coll_free(s, o);
}

/* Deep copy of o allocated from store d, or NULL on OOM. */
static void *obj_clone(struct store *d, const void *o)
{
    const struct store_coll *c = o;
    struct store_coll *n = store_coll_new(d, (enum store_type)c->type);
    if (!n)
        return NULL;
    struct store_coll_it it = { 0, NULL };
    struct store_coll_view v;
    if (c->enc == ENC_INTSET) {
        /* The same bytes: the copy keeps the width, as Redis's does. */
        size_t bytes = (size_t)c->n * c->w;
        n->p = bytes ? store__malloc(d, bytes) : NULL;
        if (bytes && !n->p) {
            store_coll_free(d, n);
            return NULL;
        }
        if (bytes)
            memcpy(n->p, c->p, bytes);
        n->n = c->n;
        n->w = c->w;
        return n;
    }
    /* A set stays compact or a table, as it was. */
    n->enc = ENC_COMPACT;
    if (c->enc == ENC_TABLE && to_table(d, n, c->n)) {
        store_coll_free(d, n);
        return NULL;
    }
    while (store_coll_next(c, &it, &v))
        if (store_coll_put(d, n, v.f, v.flen, v.v, v.vlen, 0) < 0) {
            store_coll_free(d, n);
            return NULL;
        }
    if (!c->hfe)
        return n;
    /* The copy is off the registry until store__hfe_rekey names its key. */
    struct store__hfe *x = store__hfe_clone(d, store__coll_hfe(c));
    struct store_coll *nx = x ? store__coll_hfe_attach(d, n, x) : NULL;
    if (!nx) {
        store__hfe_free(d, x);
        store_coll_free(d, n);
        return NULL;
    }
    store__hfe_set_owner(store__coll_hfe(nx), nx);
    return nx;
}

/* Bytes malloc holds for o. */
static size_t obj_mem(const void *o)
{
    const struct store_coll *c = o;
    size_t m = malloc_usable_size((void *)c);
    if (c->hfe)
        m += store__hfe_mem(store__coll_hfe(c));
    if (c->enc != ENC_TABLE) {
        if (c->p)
            m += malloc_usable_size(c->p);
        return m;
    }
    const struct coll_ht *h = ht(c);
    m += malloc_usable_size(c->p);
    for (int t = 0; t < 2; t++) {
        if (h->b[t])
            m += malloc_usable_size(h->b[t]);
        for (size_t i = 0; i < ht_size(h, t); i++)
            for (struct coll_node *x = h->b[t][i]; x; x = x->next)
                m += malloc_usable_size(x);
    }
    return m;
}

static int coll_check(const struct store_coll *c);

static void *obj_create(struct store *s, enum store_type t)
{
    return store_coll_new(s, t);
}

static size_t obj_len(const void *o)
{
    return ((const struct store_coll *)o)->n;
}

static int obj_check(const void *o)
{
    return coll_check(o);
}

const struct store__obj_ops store__coll_ops = {
    obj_create, obj_free, obj_clone, obj_mem, obj_len, obj_check,
};

/* ---- Public API ----------------------------------------------------------- */

/* Finds key's collection of type. Returns STORE_OK with *out set (NULL
 * when the key is absent and create is 0), STORE_WRONGTYPE when the key
 * holds another type, or STORE_NOMEM. A created collection is empty:
 * the caller adds to it or deletes the key. */
int store_coll_open(struct store *s, const char *key, size_t klen,
                    enum store_type type, int create, int64_t now_ms,
                    struct store_coll **out)
{
    void *o;
    int rc = store_obj_open(s, key, klen, type, create, now_ms, &o);
    *out = o;
    return rc;
}

/* Elements in c. */
size_t store_coll_len(const struct store_coll *c)
{
    return c->n;
}

/* The type of c: STORE_T_HASH or STORE_T_SET. */
enum store_type store_coll_type(const struct store_coll *c)
{
    return (enum store_type)c->type;
}

/* 1 while c is in the compact encoding (OBJECT ENCODING, tests). */
int store_coll_is_compact(const struct store_coll *c)
{
    return c->enc == ENC_COMPACT;
}

/* The width in bytes (2, 4 or 8) of intset c's elements, or 0 when c is
 * not an intset (OBJECT ENCODING, DUMP). */
int store_coll_intset_width(const struct store_coll *c)
{
    return c->enc == ENC_INTSET ? c->w : 0;
}

/* See store.h: widens intset c to w bytes and makes room for n members. */
int store_coll_intset_reserve(struct store *s, struct store_coll *c,
                              size_t n, int w)
{
    if (c->enc != ENC_INTSET || n > s->limits.set_intset)
        return STORE_OK;
    struct store__intset is = iset(c);
    int rc = store__intset_reserve(s, &is, n, (uint8_t)w);
    iset_put(c, &is);
    return rc;
}

/* Looks up field f: returns 1 and fills *out (borrowed views; out may be
 * NULL), or 0. */
static inline int get_impl(const struct store_coll *c, const char *f,
                           size_t flen, struct store_coll_view *out)
{
    if (c->enc == ENC_COMPACT) {
        size_t end;
        return lp_find(c, f, flen, &end, out) >= 0;
    }
    if (c->enc == ENC_INTSET) {
        int64_t x;
        size_t pos;
        struct store__intset is = iset(c);
        if (!store_i64_parse(f, flen, &x) || !store__intset_find(&is, x, &pos))
            return 0;
        if (out)
            iset_view(c, pos, out);
        return 1;
    }
    struct coll_node **l = ht_find(c, f, flen);
    if (!l)
        return 0;
    if (out) {
        out->f = (*l)->data;
        out->flen = (*l)->flen;
        out->v = (*l)->data + (*l)->flen;
        out->vlen = (*l)->vlen;
    }
    return 1;
}

int store_coll_get(const struct store_coll *c, const char *f, size_t flen,
                   struct store_coll_view *out)
{
    return get_impl(c, f, flen, out);
}

/* See store.h: store_coll_get, and 2 instead of 1 when c holds field
 * TTLs, so that only their readers need the clock. */
int store_coll_lookup(const struct store_coll *c, const char *f, size_t flen,
                      struct store_coll_view *out)
{
    /* The flag first: the common case is then store_coll_get's code. */
    if (__builtin_expect(c->hfe, 0))
        return 2 * store_coll_get(c, f, flen, out);
    return get_impl(c, f, flen, out);
}

/* An overwrite of field f in c: unless keep, its TTL goes (HSET). */
static inline void overwritten(struct store *s, struct store_coll *c,
                               const char *f, size_t flen, int keep)
{
    if (__builtin_expect(c->hfe, 0) && !keep)
        store__hfe_forget(s, store__coll_hfe(c), f, flen);
}

/* store_coll_put; keep leaves an overwritten field's TTL alone. Inlined
 * in both callers so that the TTL costs a hash without them only a flag
 * test, on overwrites. */
static inline __attribute__((always_inline)) int
put_raw(struct store *s, struct store_coll *c, const char *f, size_t flen,
        const char *v, size_t vlen, int nx, int keep)
{
    if (c->type != STORE_T_HASH)
        vlen = 0;
    if (flen > UINT32_MAX || vlen > UINT32_MAX)
        return STORE_TOO_BIG;
    if (c->enc == ENC_INTSET) {
        int rc = iset_add(s, c, f, flen);
        if (rc != ISET_CONVERTED)
            return rc;
    }
    if (c->enc == ENC_COMPACT) {
        const struct store_limits *lim = &s->limits;
        int hash = c->type == STORE_T_HASH;
        size_t max_entries = hash ? lim->hash_entries : lim->set_entries;
        size_t max_value = hash ? lim->hash_value : lim->set_value;
        size_t end;
        long off = lp_find(c, f, flen, &end, NULL);
        if (off >= 0) {
            if (nx || c->type != STORE_T_HASH)
                return 0;
            if (vlen > max_value) {
                if (to_table(s, c, 0))
                    return STORE_NOMEM;
                int rc = store_coll_put_keepttl(s, c, f, flen, v, vlen);
                if (rc == 0)
                    overwritten(s, c, f, flen, keep);
                return rc;
            }
            if (lp_splice(s, c, (size_t)off, end, f, flen, v, vlen))
                return STORE_NOMEM;
            overwritten(s, c, f, flen, keep);
            return 0;
        }
        if (c->n + 1 > max_entries || flen > max_value ||
            vlen > max_value) {
            if (to_table(s, c, 1))
                return STORE_NOMEM;
            /* f is new: nx changes nothing. */
            return store_coll_put_keepttl(s, c, f, flen, v, vlen);
        }
        if (lp_splice(s, c, lp_used(c), lp_used(c), f, flen, v, vlen))
            return STORE_NOMEM;
        c->n++;
        return 1;
    }
    ht_step(s, c, REHASH_STEP);
    struct coll_node **l = ht_find(c, f, flen);
    if (l) {
        struct coll_node *x = *l;
        if (nx || c->type != STORE_T_HASH)
            return 0;
        if (x->vlen == vlen) {
            if (vlen)
                memcpy(x->data + flen, v, vlen);
            overwritten(s, c, f, flen, keep);
            return 0;
        }
        struct coll_node *y = node_new(s, f, flen, v, vlen);
        if (!y)
            return STORE_NOMEM;
        y->next = x->next;
        *l = y;
        store__free(s, x);
        overwritten(s, c, f, flen, keep);
        return 0;
    }
    struct coll_node *y = node_new(s, f, flen, v, vlen);
    if (!y)
        return STORE_NOMEM;
    struct coll_ht *h = ht(c);
    if (c->n >= ht_size(h, 0))
        ht_resize(s, c, ht_size(h, 0) * 2);
    int t = ht_rehashing(h);
    size_t j = store__hash(f, flen) & (ht_size(h, t) - 1);
    y->next = h->b[t][j];
    h->b[t][j] = y;
    c->n++;
    return 1;
}

/* store_coll_get for a hash that may hold field TTLs: 1 and *out when f
 * is there and live at now_ms, -1 when it is there but past its deadline
 * (the caller expires it), 0 when absent. */
int store_coll_get_at(const struct store_coll *c, const char *f, size_t flen,
                      int64_t now_ms, struct store_coll_view *out)
{
    int found = store_coll_get(c, f, flen, out);
    if (__builtin_expect(c->hfe, 0) && found &&
        store__hfe_expired(store__coll_hfe(c), f, flen, now_ms))
        return -1;
    return found;
}

/* Sets field f to v (sets ignore v). With nx an existing field is left
 * alone. Returns 1 if f was added, 0 if it existed, STORE_NOMEM or
 * STORE_TOO_BIG (nothing changed). f and v must not point into c. An
 * overwritten field loses its TTL, as HSET's does in Redis. */
int store_coll_put(struct store *s, struct store_coll *c, const char *f,
                   size_t flen, const char *v, size_t vlen, int nx)
{
    return put_raw(s, c, f, flen, v, vlen, nx, 0);
}

/* store_coll_put (not nx) that leaves an overwritten field's TTL alone,
 * as HINCRBY does. */
int store_coll_put_keepttl(struct store *s, struct store_coll *c,
                           const char *f, size_t flen, const char *v,
                           size_t vlen)
{
    return put_raw(s, c, f, flen, v, vlen, 0, 1);
}

static int del_raw(struct store *s, struct store_coll *c, const char *f,
                   size_t flen);

/* Removes field f (and its TTL). Returns 1 if it was there, else 0. The
 * caller deletes the key when c becomes empty. */
int store_coll_del(struct store *s, struct store_coll *c, const char *f,
                   size_t flen)
{
    int rc = del_raw(s, c, f, flen);
    if (__builtin_expect(c->hfe, 0) && rc)
        store__hfe_forget(s, store__coll_hfe(c), f, flen);
    return rc;
}

static int del_raw(struct store *s, struct store_coll *c, const char *f,
                   size_t flen)
{
    if (c->enc == ENC_COMPACT) {
        size_t end;
        long off = lp_find(c, f, flen, &end, NULL);
        if (off < 0)
            return 0;
        char *buf = lp_data(c);
        size_t used = lp_used(c);
        memmove(buf + off, buf + end, used - end);
        lp_used_put(c, used - (end - (size_t)off));
        c->n--;
        return 1;
    }
    if (c->enc == ENC_INTSET) {
        int64_t x;
        struct store__intset is = iset(c);
        if (!store_i64_parse(f, flen, &x) || !store__intset_del(s, &is, x))
            return 0;
        iset_put(c, &is);
        return 1;
    }
    ht_step(s, c, REHASH_STEP);
    struct coll_node **l = ht_find(c, f, flen);
    if (!l)
        return 0;
    struct coll_node *x = *l;
    *l = x->next;
    store__free(s, x);
    c->n--;
    size_t size0 = ht_size(ht(c), 0);
    if (size0 > TABLE_MIN && c->n < size0 / 8) {
        size_t size = TABLE_MIN;
        while (size < c->n * 2)
            size *= 2;
        ht_resize(s, c, size);
    }
    return 1;
}

/* Iterates c: start with it zeroed; each call fills *v (borrowed) and
 * returns 1, or returns 0 at the end. c must not change meanwhile. */
int store_coll_next(const struct store_coll *c, struct store_coll_it *it,
                    struct store_coll_view *v)
{
    if (c->enc == ENC_COMPACT) {
        if (it->pos >= lp_used(c))
            return 0;
        it->pos = lp_elem(c, it->pos, v);
        return 1;
    }
    if (c->enc == ENC_INTSET) {
        if (it->pos >= c->n)
            return 0;
        iset_view(c, it->pos++, v);
        return 1;
    }
    const struct coll_ht *h = ht(c);
    size_t size0 = ht_size(h, 0);
    const struct coll_node *x = it->node;
    while (!x) {
        if (it->pos >= size0 + ht_size(h, 1))
            return 0;
        x = it->pos < size0 ? h->b[0][it->pos] : h->b[1][it->pos - size0];
        it->pos++;
    }
    v->f = x->data;
    v->flen = x->flen;
    v->v = x->data + x->flen;
    v->vlen = x->vlen;
    it->node = x->next;
    return 1;
}

static void emit_chain(const struct coll_node *x, store_coll_cb cb,
                       void *ctx)
{
    for (; x; x = x->next) {
        struct store_coll_view v;
        v.f = x->data;
        v.v = x->data + x->flen;
        v.flen = x->flen;
        v.vlen = x->vlen;
        cb(ctx, &v);
    }
}

struct chain_scan {
    const struct coll_ht *h;
    store_coll_cb cb;
    void *ctx;
};

static void scan_bucket(void *ctx, int t, uint64_t i)
{
    struct chain_scan *sc = ctx;
    emit_chain(sc->h->b[t][i], sc->cb, sc->ctx);
}

/* Calls cb for the elements of about count buckets from cursor on and
 * returns the next cursor (0 when done). Every element present for the
 * whole scan is visited at least once; duplicates are possible after a
 * shrink. A compact collection is visited whole. cb must not change c. */
uint64_t store_coll_scan(const struct store_coll *c, uint64_t cursor,
                         size_t count, store_coll_cb cb, void *ctx)
{
    struct store_coll_view v;
    if (c->enc != ENC_TABLE) {
        struct store_coll_it it = { 0, NULL };
        while (store_coll_next(c, &it, &v))
            cb(ctx, &v);
        return 0;
    }
    const struct coll_ht *h = ht(c);
    struct chain_scan sc = { h, cb, ctx };
    return store__buckets_scan(cursor, count, ht_size(h, 0), ht_size(h, 1),
                               scan_bucket, &sc);
}

/* Fills *v (borrowed) with a random element of non-empty c. */
void store_coll_random(struct store *s, const struct store_coll *c,
                       struct store_coll_view *v)
{
    if (c->enc == ENC_INTSET) {
        iset_view(c, store__rand(s) % c->n, v);
        return;
    }
    if (c->enc == ENC_COMPACT) {
        size_t k = store__rand(s) % c->n;
        struct store_coll_it it = { 0, NULL };
        do
            store_coll_next(c, &it, v);
        while (k--);
        return;
    }
    const struct coll_ht *h = ht(c);
    size_t size0 = ht_size(h, 0), skip = ht_rehashing(h) ? h->rehashidx : 0;
    size_t span = size0 - skip + ht_size(h, 1);
    const struct coll_node *x;
    size_t len;
    do {
        size_t i = skip + store__rand(s) % span;
        x = i < size0 ? h->b[0][i] : h->b[1][i - size0];
        len = 0;
        for (const struct coll_node *y = x; y; y = y->next)
            len++;
    } while (!len || !store__chain_keep(s, len));
    for (size_t k = store__rand(s) % len; k; k--)
        x = x->next;
    v->f = x->data;
    v->flen = x->flen;
    v->v = x->data + x->flen;
    v->vlen = x->vlen;
}

/* store_coll_sample for a few elements of a big table: random draws,
 * repeats rejected through an open-addressing set of the elements' field
 * pointers (every element has its own node, so the pointer names it).
 * Expected O(count) while count is at most a quarter of the elements. */
static int sample_draws(struct store *s, const struct store_coll *c,
                        size_t count, struct store_coll_view *out)
{
    size_t cap = 16;
    while (cap < count * 2)
        cap <<= 1;
    const char **seen = calloc(cap, sizeof *seen);
    if (!seen)
        return STORE_NOMEM;
    size_t got = 0;
    while (got < count) {
        struct store_coll_view v;
        store_coll_random(s, c, &v);
        size_t h = (size_t)XXH3_64bits(&v.f, sizeof v.f) & (cap - 1);
        while (seen[h] && seen[h] != v.f)
            h = (h + 1) & (cap - 1);
        if (seen[h])
            continue;
        seen[h] = v.f;
        out[got++] = v;
    }
    free(seen);
    return STORE_OK;
}

/* store_coll_sample for an intset: a partial shuffle of the indexes,
 * each view formatted in place (a view's member is in its own buf, so
 * views are not copied). */
static int sample_intset(struct store *s, const struct store_coll *c,
                         size_t count, struct store_coll_view *out)
{
    size_t n = c->n;
    uint32_t *idx = malloc((n ? n : 1) * sizeof *idx);
    if (!idx)
        return STORE_NOMEM;
    for (size_t i = 0; i < n; i++)
        idx[i] = (uint32_t)i;
    for (size_t i = 0; i < count && i < n; i++) {
        size_t j = i + store__rand(s) % (n - i);
        uint32_t t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
        iset_view(c, idx[i], &out[i]);
    }
    free(idx);
    return STORE_OK;
}

/* Fills out[0..count) with distinct random elements of c (borrowed);
 * count must not exceed store_coll_len(c). Returns STORE_OK or
 * STORE_NOMEM. A few of many are drawn at random (sample_draws); else
 * every element is listed and the first count of a partial shuffle
 * taken, O(len) time and a temporary array of len views. */
int store_coll_sample(struct store *s, const struct store_coll *c,
                      size_t count, struct store_coll_view *out)
{
    if (c->enc == ENC_TABLE && count <= c->n / 4)
        return sample_draws(s, c, count, out);
    if (c->enc == ENC_INTSET)
        return sample_intset(s, c, count, out);
    struct store_coll_view *all = malloc((c->n ? c->n : 1) * sizeof *all);
    if (!all)
        return STORE_NOMEM;
    struct store_coll_it it = { 0, NULL };
    size_t n = 0;
    while (n < c->n && store_coll_next(c, &it, &all[n]))
        n++;
    for (size_t i = 0; i < count && i < n; i++) {
        size_t j = i + store__rand(s) % (n - i);
        struct store_coll_view t = all[i];
        all[i] = all[j];
        all[j] = t;
        out[i] = all[i];
    }
    free(all);
    return STORE_OK;
}

int store__coll_rehashing(const struct store_coll *c)
{
    return c->enc == ENC_TABLE && ht_rehashing(ht(c));
}

/* An intset's invariants: a set, ascending, every element fitting its
 * width. 0 or the failing line. */
static int iset_check(const struct store_coll *c)
{
    struct store__intset is = iset(c);
    if (c->type != STORE_T_SET || (c->w != 2 && c->w != 4 && c->w != 8))
        return __LINE__;
    for (size_t i = 1; i < c->n; i++)
        if (store__intset_get(&is, i - 1) >= store__intset_get(&is, i))
            return __LINE__;
    return 0;
}

/* Invariant check for the tests: 0 or the failing line. */
static int coll_check(const struct store_coll *c)
{
    size_t n = 0;
    struct store_coll_it it = { 0, NULL };
    struct store_coll_view v;
    while (store_coll_next(c, &it, &v)) {
        n++;
        if (c->enc == ENC_COMPACT && c->n > STORE_COMPACT_MAX)
            return __LINE__;
        if (c->enc == ENC_INTSET && c->n > STORE_INTSET_MAX)
            return __LINE__;
        if (c->enc == ENC_TABLE && ht_find(c, v.f, v.flen) == NULL)
            return __LINE__;
    }
    if (n != c->n)
        return __LINE__;
    if (c->hfe && store__hfe_check(store__coll_hfe(c), c))
        return __LINE__;
    if (c->enc == ENC_INTSET)
        return iset_check(c);
    if (c->enc == ENC_COMPACT)
        return 0;
    const struct coll_ht *h = ht(c);
    if (!h->b[0] || (ht_rehashing(h) && h->rehashidx >= ht_size(h, 0)))
        return __LINE__;
    for (size_t i = 0; ht_rehashing(h) && i < h->rehashidx; i++)
        if (h->b[0][i])
            return __LINE__;
    return 0;
}
