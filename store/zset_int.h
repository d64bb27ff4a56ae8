/* zset_int.h - private to store/zset.c and store/zset_iter.c: the
 * layout of a sorted set (see zset.c's opening comment) and the small
 * helpers both files read it with. */
#ifndef RESPITE_ZSET_INT_H
#define RESPITE_ZSET_INT_H

#include "store/store_int.h"

#define ZSL_MAXLEVEL 32
#define HT_MIN 4
#define TAG_DOUBLE 8            /* tags 0..7: an integer of that many bytes */
#define TAG_SMALL 9             /* tags 9..255: the integer tag - 25 */
#define SMALL_MIN (-16)
#define SMALL_MAX 230

/* Score bytes after the tag. */
static inline size_t tag_bytes(int tag)
{
    return tag <= TAG_DOUBLE ? (size_t)tag : 0;
}

struct zs_node;
struct zs_level {
    struct zs_node *fwd;
    size_t span;               /* nodes advanced by following fwd */
};

struct zs_node {
    double score;
    struct zs_node *back;      /* level-0 predecessor; NULL for the first */
    struct zs_node *hnext;     /* hash chain */
    uint32_t mlen;
    uint8_t level;
    struct zs_level lvl[];     /* then the mlen member bytes */
};

/* 16 bytes, the smallest allocator class that holds it: it counts once
 * per key. compact: p is NULL or the entries, used their bytes (kept
 * here, not in a header of p, so a block of small members fits the
 * allocator class below); skip list: used is ZS_SKIPLIST and p a struct
 * zsl followed by the head node. The limits keep a compact block far
 * below 4 GB (STORE_COMPACT_MAX entries of at most STORE_COMPACT_MAX
 * bytes). */
struct store_zset {
    uint32_t n;                /* members */
    uint32_t used;
    void *p;
};

#define ZS_SKIPLIST UINT32_MAX

static inline int zs_compact(const struct store_zset *z)
{
    return z->used != ZS_SKIPLIST;
}

_Static_assert(sizeof(struct store_zset) == 16, "one 16-byte size class");

/* The member hash is ht[0], and ht[1] while an incremental rehash moves
 * ht[0]'s chains there, a few buckets per write (as the keyspace and
 * coll.c do); ht[0]'s buckets below rehashidx are then empty. Lookups
 * try both; inserts go to ht[1]. */
struct zsl {
    struct zs_node *tail;      /* last node, NULL when empty */
    struct zs_node **ht[2];
    uint8_t shift[2];          /* log2 of each bucket count */
    uint8_t level;             /* levels in use (>= 1) */
    size_t rehashidx;
};

#define REHASH_STEP 2          /* buckets moved per write */

static inline struct zsl *zsl(const struct store_zset *z)
{
    return z->p;
}

static inline const char *node_m(const struct zs_node *x)
{
    return (const char *)&x->lvl[x->level];
}

static inline struct zs_node *zhead(const struct store_zset *z)
{
    return (struct zs_node *)((char *)z->p + sizeof(struct zsl));
}

/* Bytes of entries in a compact set. */
static inline size_t lp_used(const struct store_zset *z)
{
    return z->used;
}

static inline void lp_used_put(struct store_zset *z, size_t used)
{
    z->used = (uint32_t)used;
}

/* Orders members as Redis's sdscmp: bytes, then length. */
static inline int mcmp(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int r = n ? memcmp(a, b, n) : 0;
    if (r)
        return r;
    return alen < blen ? -1 : alen > blen;
}

/* 1 if (s1, m1) sorts before (s2, m2). */
static inline int before(double s1, const char *m1, size_t l1, double s2,
                  const char *m2, size_t l2)
{
    return s1 < s2 || (s1 == s2 && mcmp(m1, l1, m2, l2) < 0);
}

static inline size_t lp_esize(size_t mlen, int tag)
{
    size_t base = (mlen < 128 ? 1 : 2) + 1 + tag_bytes(tag) + mlen;
    return base + (base + 1 < 128 ? 1 : 2);
}

static inline size_t lp_elen_get(const unsigned char *end)
{
    if (end[-1] & 0x80)
        return ((size_t)(end[-1] & 0x7f) << 7) | end[-2];
    return end[-1];
}

static inline char *lp(const struct store_zset *z)
{
    return z->p;
}

/* Decodes the entry at off into *v; returns the next entry's offset. */
static inline size_t lp_get(const struct store_zset *z, size_t off,
                     struct store_zset_view *v)
{
    const unsigned char *p = (const unsigned char *)lp(z) + off;
    size_t mlen = p[0], h = 1;
    if (mlen & 0x80) {
        mlen = (mlen & 0x7f) | ((size_t)p[1] << 7);
        h = 2;
    }
    int tag = p[h++];
    if (tag == TAG_DOUBLE) {
        memcpy(&v->score, p + h, 8);
    } else if (tag >= TAG_SMALL) {
        v->score = (double)(tag - TAG_SMALL + SMALL_MIN);
    } else {
        uint64_t u = 0;
        for (int i = 0; i < tag; i++)
            u |= (uint64_t)p[h + i] << (8 * i);
        if (tag && (u >> (8 * tag - 1)) & 1)
            u |= ~(uint64_t)0 << (8 * tag);
        v->score = (double)(int64_t)u;
    }
    v->m = (const char *)p + h + tag_bytes(tag);
    v->mlen = mlen;
    return off + lp_esize(mlen, tag);
}

/* Offset of the entry that ends at off (off > 0). */
static inline size_t lp_prev(const struct store_zset *z, size_t off)
{
    return off - lp_elen_get((const unsigned char *)lp(z) + off);
}

/* Offset of the entry of 0-based rank r (< n). */
static inline size_t lp_at(const struct store_zset *z, size_t r)
{
    size_t off = 0;
    struct store_zset_view v;
    while (r--)
        off = lp_get(z, off, &v);
    return off;
}

/* Buckets of member hash t (0 or 1); 0 when absent. */
static inline size_t ht_size(const struct zsl *l, int t)
{
    return l->ht[t] ? (size_t)1 << l->shift[t] : 0;
}

static inline int ht_rehashing(const struct zsl *l)
{
    return l->ht[1] != NULL;
}

/* The node of 1-based rank r (1..n). */
static inline struct zs_node *zsl_at(const struct store_zset *z, size_t r)
{
    struct zs_node *x = zhead(z);
    size_t t = 0;
    for (int i = zsl(z)->level - 1; i >= 0; i--) {
        while (x->lvl[i].fwd && t + x->lvl[i].span <= r) {
            t += x->lvl[i].span;
            x = x->lvl[i].fwd;
        }
        if (t == r)
            return x;
    }
    return NULL;
}

/* Invariant check for the tests (zset_iter.c): 0 or the failing line. */
int store__zset_check(const struct store_zset *z);

#endif
