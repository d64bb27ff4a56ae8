/* zset.c - sorted set values: members with double scores, ordered by
 * (score, member bytes), in one of two encodings.
 *
 * Small sets are one contiguous block of entries sorted by score, then
 * member, like Redis's listpack:
 *
 *   compact:  [mlen][tag][score: 0..8 bytes][member][elen] ...
 *             (the byte count lives in struct store_zset, zset_int.h)
 *             mlen: member bytes, LEB128 (one byte below 128)
 *             tag:  9..255 = the score is the integer tag - 25
 *                   (-16..230, no more bytes); 1..7 = an integer of
 *                   that many bytes (little endian, sign-extended);
 *                   8 = a raw 8-byte double
 *             elen: the whole entry's length, one byte below 128, else
 *                   two read from the end (see lp_elen_*), so the block
 *                   can be walked backwards (ZREVRANGE) too
 *
 * An entry with a small integer score costs member + 3 bytes. Finding a
 * member is a linear scan, which is fast for the store's limits
 * (struct store_limits: zset_entries members of at most zset_value
 * bytes, Redis's zset-max-listpack-*, 128 and 64 by default, at most
 * STORE_COMPACT_MAX; a compact set RESTORE or a file loaded while
 * zset_value was lifted may hold members up to STORE_COMPACT_MAX bytes,
 * as Redis keeps such a listpack). The first insert beyond either limit
 * converts the set, once, to
 *
 *   skip list:  head -> node -> node -> ...   (level 0 links all, in
 *               order; higher levels skip, each link knows how many
 *               nodes it spans, so rank <-> node is O(log n))
 *   node:       {score, back, hnext, mlen, level, lvl[level], member}
 *   hash:       ht[0][hash(member) & mask] -> node -hnext-> node ...
 *               (and ht[1] while rehashing)
 *
 * The member bytes live in the node itself and the member->node hash
 * chains through the nodes (hnext), so a large set costs one allocation
 * per member plus 8 bytes of bucket: about 40 + 16 * levels + member
 * bytes, where Redis spends a skip list node, a separate sds and a dict
 * entry. The hash gives ZSCORE in O(1); it grows and shrinks by
 * incremental rehashing, a few buckets per write, so a set of millions
 * never pauses for a whole move (and a failed allocation for a bigger
 * table only leaves the chains longer). A skip list goes back to compact
 * only through store_zset_fit (Redis's zsetConvertToListpackIfNeeded).
 *
 * A walk down a large skip list is a chain of cache misses, one per node
 * visited. A score change that moves a member needs two walks (its place
 * now, its new place); zsl_move runs them interleaved in one loop, so
 * their misses overlap instead of queueing.
 *
 * Invariants: entries are strictly increasing in (score, member); scores
 * are never NaN (the API rejects it); -0.0 compares equal to 0.0, as C's
 * == does, and the compact encoding stores it as 0 (Redis likewise).
 * Range lookups follow Redis's algorithms (first element at or past a
 * bound, then walk), so lexicographic ranges over members of different
 * scores give Redis's answers too. The set's own struct is 16 bytes; a
 * skip list's tail and hash hang off its head allocation (zset_int.h).
 *
 * Scanning a skip list walks the hash with Redis's reverse-binary
 * cursor (both tables during a rehash, as dictScan): a member present
 * for the whole scan is returned at least once across resizes. A
 * compact set is returned whole by the first call.
 *
 * Every allocation goes through store__malloc & co. A failed one returns
 * STORE_NOMEM with the set's contents unchanged (a conversion that
 * succeeded before the failing insert stays done; nobody can tell).
 *
 * This file holds the encodings and the member operations; iteration,
 * ranges, ZSCAN and the invariant check are in zset_iter.c, the layout
 * they share in zset_int.h.
 *
 * Not done here: going back to compact when a set shrinks by deletion
 * (Redis does not either); OBJECT ENCODING (there is no OBJECT command). */
#include "store/zset_int.h"

#include <malloc.h>
#include <math.h>

/* ---- Compact encoding ---------------------------------------------------- */

/* The tag for score d; an integer's value goes to *iv. */
static int lp_tag(double d, int64_t *iv)
{
    /* -0.0 becomes 0 here, as in Redis's listpack (a skip list keeps
     * it, as Redis's does). */
    if (d != floor(d) || fabs(d) >= 9007199254740992.0)
        return TAG_DOUBLE;
    int64_t v = (int64_t)d;
    *iv = v;
    if (v >= SMALL_MIN && v <= SMALL_MAX)
        return (int)(TAG_SMALL + v - SMALL_MIN);
    int k = 1;
    while (v < -((int64_t)1 << (8 * k - 1)) ||
           v >= ((int64_t)1 << (8 * k - 1)))
        k++;
    return k;              /* at most 7: |v| < 2^53 */
}

/* The entry length at the end of an entry: one byte below 128, else two,
 * the last with the top bit set (STORE_COMPACT_MAX keeps it < 2^14). */
static void lp_elen_put(unsigned char *end, size_t elen)
{
    if (elen < 128) {
        end[-1] = (unsigned char)elen;
    } else {
        end[-2] = (unsigned char)(elen & 0x7f);
        end[-1] = (unsigned char)(0x80 | (elen >> 7));
    }
}

static void lp_write(char *dst, const char *m, size_t mlen, double score)
{
    int64_t iv = 0;
    int tag = lp_tag(score, &iv);
    unsigned char *p = (unsigned char *)dst;
    size_t h = 0;
    if (mlen < 128) {
        p[h++] = (unsigned char)mlen;
    } else {
        p[h++] = (unsigned char)(0x80 | (mlen & 0x7f));
        p[h++] = (unsigned char)(mlen >> 7);
    }
    p[h++] = (unsigned char)tag;
    if (tag == TAG_DOUBLE) {
        memcpy(p + h, &score, 8);
    } else {
        for (size_t i = 0; i < tag_bytes(tag); i++)
            p[h + i] = (unsigned char)((uint64_t)iv >> (8 * i));
    }
    if (mlen)
        memcpy(p + h + tag_bytes(tag), m, mlen);
    size_t elen = lp_esize(mlen, tag);
    lp_elen_put(p + elen, elen);
}

/* Offset of member m, or -1; *end gets the entry's end, *score its score. */
static long lp_find(const struct store_zset *z, const char *m, size_t mlen,
                    size_t *end, double *score)
{
    size_t off = 0;
    while (off < lp_used(z)) {
        struct store_zset_view v;
        size_t next = lp_get(z, off, &v);
        if (v.mlen == mlen && store__mem_eq(v.m, m, mlen)) {
            *end = next;
            *score = v.score;
            return (long)off;
        }
        off = next;
    }
    return -1;
}

/* Makes room for extra more bytes. STORE_OK or STORE_NOMEM. */
static int lp_reserve(struct store *s, struct store_zset *z, size_t extra)
{
    size_t need = lp_used(z) + extra;
    if (z->p && need <= malloc_usable_size(z->p))
        return STORE_OK;
    /* Exact size: the allocator's size classes give the slack. */
    char *nb = store__realloc(s, z->p, need);
    if (!nb)
        return STORE_NOMEM;
    z->p = nb;
    return STORE_OK;
}

static void lp_cut(struct store_zset *z, size_t off, size_t end)
{
    size_t used = lp_used(z);
    memmove(lp(z) + off, lp(z) + end, used - end);
    lp_used_put(z, used - (end - off));
}

/* Inserts (m, score) in order; room must be reserved. */
static void lp_insert(struct store_zset *z, const char *m, size_t mlen,
                      double score)
{
    size_t off = 0, used = lp_used(z);
    while (off < used) {
        struct store_zset_view v;
        size_t next = lp_get(z, off, &v);
        if (before(score, m, mlen, v.score, v.m, v.mlen))
            break;
        off = next;
    }
    int64_t iv;
    size_t esz = lp_esize(mlen, lp_tag(score, &iv));
    memmove(lp(z) + off + esz, lp(z) + off, used - off);
    lp_write(lp(z) + off, m, mlen, score);
    lp_used_put(z, used + esz);
}

/* ---- Skip list ----------------------------------------------------------- */

static int zsl_random_level(struct store *s)
{
    int level = 1;
    uint64_t r = store__rand(s);
    /* Each further level with probability 1/4: two random bits each. */
    while (level < ZSL_MAXLEVEL && (r & 3) == 0) {
        level++;
        r >>= 2;
    }
    return level;
}

static struct zs_node *node_new(struct store *s, int level, const char *m,
                                size_t mlen, double score)
{
    size_t sz = sizeof(struct zs_node) +
                (size_t)level * sizeof(struct zs_level) + mlen;
    struct zs_node *x = store__malloc(s, sz);
    if (!x)
        return NULL;
    x->score = score;
    x->back = x->hnext = NULL;
    x->mlen = (uint32_t)mlen;
    x->level = (uint8_t)level;
    for (int i = 0; i < level; i++) {
        x->lvl[i].fwd = NULL;
        x->lvl[i].span = 0;
    }
    if (mlen)
        memcpy((char *)&x->lvl[level], m, mlen);
    return x;
}

/* The hash link to member m's node, or NULL. */
static struct zs_node **ht_find(const struct store_zset *z, const char *m,
                                size_t mlen)
{
    const struct zsl *h = zsl(z);
    uint64_t hash = store__hash(m, mlen);
    for (int t = 0; t < 2 && h->ht[t]; t++) {
        size_t i = hash & (ht_size(h, t) - 1);
        if (t == 0 && ht_rehashing(h) && i < h->rehashidx)
            continue;
        for (struct zs_node **l = &h->ht[t][i]; *l; l = &(*l)->hnext)
            if ((*l)->mlen == mlen && store__mem_eq(node_m(*l), m, mlen))
                return l;
    }
    return NULL;
}

static uint8_t log2_of(size_t size)
{
    uint8_t k = 0;
    while (((size_t)1 << k) < size)
        k++;
    return k;
}

/* Starts moving the hash to size buckets. Optional: on OOM the hash
 * keeps its size, only with longer (or emptier) chains. */
static void ht_resize(struct store *s, struct store_zset *z, size_t size)
{
    struct zsl *h = zsl(z);
    if (ht_rehashing(h) || size == ht_size(h, 0))
        return;
    h->ht[1] = store__calloc(s, size, sizeof(struct zs_node *));
    if (!h->ht[1])
        return;
    h->shift[1] = log2_of(size);
    h->rehashidx = 0;
}

/* Moves up to n non-empty buckets of a rehashing hash to its new buckets
 * (visiting at most 10 * n empty ones), and ends the rehash once the old
 * buckets are drained. */
static void ht_step(struct store *s, struct store_zset *z, size_t n)
{
    struct zsl *h = zsl(z);
    if (!ht_rehashing(h))
        return;
    size_t size0 = ht_size(h, 0), mask1 = ht_size(h, 1) - 1;
    size_t empty = 10 * n;
    while (n && h->rehashidx < size0) {
        struct zs_node *x = h->ht[0][h->rehashidx];
        if (!x && empty-- == 0)
            return;
        h->ht[0][h->rehashidx++] = NULL;
        if (x)
            n--;
        while (x) {
            struct zs_node *next = x->hnext;
            size_t j = store__hash(node_m(x), x->mlen) & mask1;
            x->hnext = h->ht[1][j];
            h->ht[1][j] = x;
            x = next;
        }
    }
    if (h->rehashidx < size0)
        return;
    store__free(s, h->ht[0]);
    h->ht[0] = h->ht[1];
    h->shift[0] = h->shift[1];
    h->ht[1] = NULL;
    h->rehashidx = 0;
}

/* Grows (or shrinks) the hash after a write, a step at a time. */
static void ht_after_write(struct store *s, struct store_zset *z)
{
    struct zsl *h = zsl(z);
    ht_step(s, z, REHASH_STEP);
    if (ht_rehashing(h))
        return;
    size_t size = ht_size(h, 0);
    if (z->n >= size) {
        ht_resize(s, z, size * 2);
    } else if (size > HT_MIN && z->n < size / 8) {
        size_t want = HT_MIN;
        while (want < (size_t)z->n * 2)
            want *= 2;
        ht_resize(s, z, want);
    }
}

static void ht_add(struct store_zset *z, struct zs_node *x)
{
    struct zsl *h = zsl(z);
    int t = ht_rehashing(h);
    size_t j = store__hash(node_m(x), x->mlen) & (ht_size(h, t) - 1);
    x->hnext = h->ht[t][j];
    h->ht[t][j] = x;
}

static void ht_unlink(struct store_zset *z, struct zs_node *x)
{
    struct zs_node **l = ht_find(z, node_m(x), x->mlen);
    while (*l != x)
        l = &(*l)->hnext;
    *l = x->hnext;
}

/* Fills update[] with the last node before (score, m) at each level and
 * rank[] with their ranks (0 = head). */
static void zsl_path(const struct store_zset *z, double score, const char *m,
                     size_t mlen, struct zs_node **update, size_t *rank)
{
    struct zs_node *x = zhead(z);
    size_t r = 0;
    for (int i = zsl(z)->level - 1; i >= 0; i--) {
        while (x->lvl[i].fwd &&
               before(x->lvl[i].fwd->score, node_m(x->lvl[i].fwd),
                      x->lvl[i].fwd->mlen, score, m, mlen)) {
            r += x->lvl[i].span;
            x = x->lvl[i].fwd;
        }
        update[i] = x;
        if (rank)
            rank[i] = r;
    }
}

/* The paths to (s1, m) and (s2, m) at once, as two zsl_path calls would
 * give them (zsl_move's old place and new one), a step of each per turn
 * so that their cache misses overlap (see the opening comment). */
static void zsl_path2(const struct store_zset *z, double s1, double s2,
                      const char *m, size_t mlen, struct zs_node **u1,
                      size_t *r1, struct zs_node **u2, size_t *r2)
{
    struct zs_node *a = zhead(z), *b = a;
    size_t ra = 0, rb = 0;
    for (int i = zsl(z)->level - 1; i >= 0; i--) {
        int more_a = 1, more_b = 1;
        while (more_a || more_b) {
            struct zs_node *fa = a->lvl[i].fwd, *fb = b->lvl[i].fwd;
            more_a = more_a && fa &&
                     before(fa->score, node_m(fa), fa->mlen, s1, m, mlen);
            more_b = more_b && fb &&
                     before(fb->score, node_m(fb), fb->mlen, s2, m, mlen);
            if (more_a) {
                ra += a->lvl[i].span;
                a = fa;
            }
            if (more_b) {
                rb += b->lvl[i].span;
                b = fb;
            }
        }
        u1[i] = a;
        r1[i] = ra;
        u2[i] = b;
        r2[i] = rb;
    }
}

/* Links node x (its score, member and level set) in order, after the
 * nodes update[] of ranks rank[] (zsl_path's for x's score and member). */
static void zsl_link_at(struct store_zset *z, struct zs_node *x,
                        struct zs_node **update, size_t *rank)
{
    int level = x->level;
    if (level > zsl(z)->level) {
        for (int i = zsl(z)->level; i < level; i++) {
            rank[i] = 0;
            update[i] = zhead(z);
            update[i]->lvl[i].span = z->n;
        }
        zsl(z)->level = (uint8_t)level;
    }
    for (int i = 0; i < level; i++) {
        x->lvl[i].fwd = update[i]->lvl[i].fwd;
        update[i]->lvl[i].fwd = x;
        x->lvl[i].span = update[i]->lvl[i].span - (rank[0] - rank[i]);
        update[i]->lvl[i].span = (rank[0] - rank[i]) + 1;
    }
    for (int i = level; i < zsl(z)->level; i++)
        update[i]->lvl[i].span++;
    x->back = update[0] == zhead(z) ? NULL : update[0];
    if (x->lvl[0].fwd)
        x->lvl[0].fwd->back = x;
    else
        zsl(z)->tail = x;
    z->n++;
}

/* Links node x (its score, member and level set) in order. */
static void zsl_link(struct store_zset *z, struct zs_node *x)
{
    struct zs_node *update[ZSL_MAXLEVEL];
    size_t rank[ZSL_MAXLEVEL];
    zsl_path(z, x->score, node_m(x), x->mlen, update, rank);
    zsl_link_at(z, x, update, rank);
}

/* Unlinks x from the levels, given the path update[] to it. */
static void zsl_unlink(struct store_zset *z, struct zs_node *x,
                       struct zs_node **update)
{
    for (int i = 0; i < zsl(z)->level; i++) {
        if (update[i]->lvl[i].fwd == x) {
            update[i]->lvl[i].span += x->lvl[i].span - 1;
            update[i]->lvl[i].fwd = x->lvl[i].fwd;
        } else {
            update[i]->lvl[i].span -= 1;
        }
    }
    if (x->lvl[0].fwd)
        x->lvl[0].fwd->back = x->back;
    else
        zsl(z)->tail = x->back;
    while (zsl(z)->level > 1 && zhead(z)->lvl[zsl(z)->level - 1].fwd == NULL)
        zsl(z)->level--;
    z->n--;
}

static void zsl_unlink_node(struct store_zset *z, struct zs_node *x)
{
    struct zs_node *update[ZSL_MAXLEVEL];
    zsl_path(z, x->score, node_m(x), x->mlen, update, NULL);
    zsl_unlink(z, x, update);
}

/* 1-based rank of node x. */
static size_t zsl_rank(const struct store_zset *z, const struct zs_node *x)
{
    struct zs_node *update[ZSL_MAXLEVEL];
    size_t rank[ZSL_MAXLEVEL];
    zsl_path(z, x->score, node_m(x), x->mlen, update, rank);
    return rank[0] + 1;
}

/* Frees every node, the head and the hash of a skip list. */
static void zsl_free(struct store *s, struct store_zset *z)
{
    if (!z->p)
        return;
    struct zs_node *x = zhead(z)->lvl[0].fwd;
    while (x) {
        struct zs_node *next = x->lvl[0].fwd;
        store__free(s, x);
        x = next;
    }
    store__free(s, zsl(z)->ht[0]);
    store__free(s, zsl(z)->ht[1]);
    store__free(s, z->p);
}

/* Converts compact z to a skip list sized for extra more members. */
static int to_skiplist(struct store *s, struct store_zset *z, size_t extra)
{
    struct store_zset t;
    memset(&t, 0, sizeof t);
    t.used = ZS_SKIPLIST;
    size_t size = HT_MIN;
    while (size < z->n + extra)
        size *= 2;
    /* The list's header and its head node, a node of every level with
     * no member, in one allocation. */
    size_t hsz = sizeof(struct zsl) + sizeof(struct zs_node) +
                 ZSL_MAXLEVEL * sizeof(struct zs_level);
    t.p = store__calloc(s, 1, hsz);
    if (t.p) {
        zsl(&t)->level = 1;
        zhead(&t)->level = ZSL_MAXLEVEL;
        zsl(&t)->ht[0] = store__calloc(s, size, sizeof(struct zs_node *));
        zsl(&t)->shift[0] = log2_of(size);
    }
    if (!t.p || !zsl(&t)->ht[0]) {
        zsl_free(s, &t);
        return STORE_NOMEM;
    }
    size_t off = 0, used = lp_used(z);
    while (off < used) {
        struct store_zset_view v;
        off = lp_get(z, off, &v);
        struct zs_node *x = node_new(s, zsl_random_level(s), v.m, v.mlen,
                                     v.score);
        if (!x) {
            zsl_free(s, &t);
            return STORE_NOMEM;
        }
        zsl_link(&t, x);
        ht_add(&t, x);
    }
    store__free(s, z->p);
    *z = t;
    return STORE_OK;
}

/* ---- Object ops (store_int.h) -------------------------------------------- */

/* Creates an empty, compact sorted set owned by the caller until given
 * to a key (store_key_set_obj). NULL on OOM. */
struct store_zset *store_zset_new(struct store *s)
{
    struct store_zset *z = store__malloc(s, sizeof *z);
    if (!z)
        return NULL;
    memset(z, 0, sizeof *z);
    return z;
}

/* Frees a set the caller owns (not one a key holds); NULL is a no-op. */
void store_zset_free(struct store *s, struct store_zset *z)
{
    if (!z)
        return;
    if (zs_compact(z))
        store__free(s, z->p);
    else
        zsl_free(s, z);
    store__free(s, z);
}

static void *obj_create(struct store *s, enum store_type t)
{
    (void)t;
    return store_zset_new(s);
}

static void obj_free(struct store *s, void *o)
{
    store_zset_free(s, o);
}

/* Deep copy of o allocated from store d, or NULL on OOM. */
static void *obj_clone(struct store *d, const void *o)
{
    const struct store_zset *z = o;
    struct store_zset *n = store_zset_new(d);
    if (!n)
        return NULL;
    if (zs_compact(z)) {
        size_t used = lp_used(z);
        if (used && lp_reserve(d, n, used)) {
            store_zset_free(d, n);
            return NULL;
        }
        if (used)
            memcpy(n->p, z->p, used);
        lp_used_put(n, used);
        n->n = z->n;
        return n;
    }
    if (to_skiplist(d, n, z->n)) {
        store_zset_free(d, n);
        return NULL;
    }
    for (const struct zs_node *x = zhead(z)->lvl[0].fwd; x;
         x = x->lvl[0].fwd) {
        struct zs_node *y = node_new(d, zsl_random_level(d), node_m(x),
                                     x->mlen, x->score);
        if (!y) {
            store_zset_free(d, n);
            return NULL;
        }
        zsl_link(n, y);
        ht_add(n, y);
    }
    return n;
}

/* Bytes malloc holds for o. */
static size_t obj_mem(const void *o)
{
    const struct store_zset *z = o;
    size_t m = malloc_usable_size((void *)z);
    if (zs_compact(z))
        return m + (z->p ? malloc_usable_size(z->p) : 0);
    m += malloc_usable_size(z->p) + malloc_usable_size(zsl(z)->ht[0]);
    if (zsl(z)->ht[1])
        m += malloc_usable_size(zsl(z)->ht[1]);
    for (struct zs_node *x = zhead(z)->lvl[0].fwd; x; x = x->lvl[0].fwd)
        m += malloc_usable_size(x);
    return m;
}

static size_t obj_len(const void *o)
{
    return ((const struct store_zset *)o)->n;
}

static int obj_check(const void *o)
{
    return store__zset_check(o);
}

const struct store__obj_ops store__zset_ops = {
    obj_create, obj_free, obj_clone, obj_mem, obj_len, obj_check,
};

/* Converts z to the skip list encoding now (Redis builds ZUNION/ZINTER/
 * ZDIFF results that way, which keeps a -0 score). STORE_OK or
 * STORE_NOMEM (unchanged). */
int store_zset_expand(struct store *s, struct store_zset *z)
{
    return zs_compact(z) ? to_skiplist(s, z, 0) : STORE_OK;
}

/* Converts skip list z back to the compact encoding when it fits the
 * limits, as Redis's zsetConvertToListpackIfNeeded does for results it
 * built as skip lists (ZUNIONSTORE & co.). A failed allocation just
 * keeps the skip list. */
void store_zset_fit(struct store *s, struct store_zset *z)
{
    if (zs_compact(z) || z->n > s->limits.zset_entries)
        return;
    size_t bytes = 0;
    int64_t iv;
    for (const struct zs_node *x = zhead(z)->lvl[0].fwd; x;
         x = x->lvl[0].fwd) {
        if (x->mlen > s->limits.zset_value)
            return;
        bytes += lp_esize(x->mlen, lp_tag(x->score, &iv));
    }
    char *p = bytes ? store__malloc(s, bytes) : NULL;
    if (bytes && !p)
        return;
    size_t off = 0;
    for (const struct zs_node *x = zhead(z)->lvl[0].fwd; x;
         x = x->lvl[0].fwd) {
        lp_write(p + off, node_m(x), x->mlen, x->score);
        off += lp_esize(x->mlen, lp_tag(x->score, &iv));
    }
    zsl_free(s, z);
    z->p = p;
    lp_used_put(z, bytes);
}

/* ---- Public API: members ------------------------------------------------- */

/* Members in z. */
size_t store_zset_len(const struct store_zset *z)
{
    return z->n;
}

/* 1 while z is in the compact encoding (tests). */
int store_zset_is_compact(const struct store_zset *z)
{
    return zs_compact(z);
}

/* 1 and *score set if m is a member, else 0. */
int store_zset_score(const struct store_zset *z, const char *m, size_t mlen,
                     double *score)
{
    if (zs_compact(z)) {
        size_t end;
        return lp_find(z, m, mlen, &end, score) >= 0;
    }
    struct zs_node **l = ht_find(z, m, mlen);
    if (!l)
        return 0;
    *score = (*l)->score;
    return 1;
}

/* Inserts a new member (absent from z). STORE_OK or STORE_NOMEM. */
static int insert_new(struct store *s, struct store_zset *z, const char *m,
                      size_t mlen, double score)
{
    if (zs_compact(z)) {
        if (z->n + 1 > s->limits.zset_entries ||
            mlen > s->limits.zset_value) {
            if (to_skiplist(s, z, 1))
                return STORE_NOMEM;
            return insert_new(s, z, m, mlen, score);
        }
        int64_t iv;
        if (lp_reserve(s, z, lp_esize(mlen, lp_tag(score, &iv))))
            return STORE_NOMEM;
        lp_insert(z, m, mlen, score);
        z->n++;
        return STORE_OK;
    }
    struct zs_node *x = node_new(s, zsl_random_level(s), m, mlen, score);
    if (!x)
        return STORE_NOMEM;
    zsl_link(z, x);
    ht_add(z, x);
    /* Growing the hash may fail: the set just keeps longer chains. */
    ht_after_write(s, z);
    return STORE_OK;
}

/* Moves skip list node x to score (not equal to its own): one
 * interleaved descent finds both its place now and its new place
 * (zsl_path2), then the new path is corrected for x's removal: a step
 * through x itself becomes one through its predecessor there, and ranks
 * past x drop by one. */
static void zsl_move(struct store_zset *z, struct zs_node *x, double score)
{
    struct zs_node *from[ZSL_MAXLEVEL], *to[ZSL_MAXLEVEL];
    size_t from_rank[ZSL_MAXLEVEL], to_rank[ZSL_MAXLEVEL];
    int levels = zsl(z)->level;
    zsl_path2(z, x->score, score, node_m(x), x->mlen, from, from_rank, to,
              to_rank);
    size_t xrank = from_rank[0] + 1;
    zsl_unlink(z, x, from);
    for (int i = 0; i < levels; i++) {
        if (to[i] == x) {
            to[i] = from[i];
            to_rank[i] = from_rank[i];
        } else if (to_rank[i] > xrank) {
            to_rank[i]--;
        }
    }
    x->score = score;
    zsl_link_at(z, x, to, to_rank);
}

/* Changes the score of existing member m from old to score; x is its
 * node in a skip list (NULL when compact). */
static int update_score(struct store *s, struct store_zset *z,
                        struct zs_node *x, const char *m, size_t mlen,
                        double old, double score)
{
    if (zs_compact(z)) {
        int64_t iv;
        size_t oldsz = lp_esize(mlen, lp_tag(old, &iv));
        size_t newsz = lp_esize(mlen, lp_tag(score, &iv));
        if (newsz > oldsz && lp_reserve(s, z, newsz - oldsz))
            return STORE_NOMEM;
        size_t end;
        double cur;
        long off = lp_find(z, m, mlen, &end, &cur);
        lp_cut(z, (size_t)off, end);
        lp_insert(z, m, mlen, score);
        return STORE_OK;
    }
    /* Stays in place when still between its neighbours (Redis does the
     * same): no relinking. */
    struct zs_node *next = x->lvl[0].fwd;
    if ((!x->back || before(x->back->score, node_m(x->back), x->back->mlen,
                            score, m, mlen)) &&
        (!next || before(score, m, mlen, next->score, node_m(next),
                         next->mlen))) {
        x->score = score;
        return STORE_OK;
    }
    zsl_move(z, x, score);
    return STORE_OK;
}

/* Member m's score into *score, and its node into *x when z is a skip
 * list (else NULL). Returns 1, or 0 when m is no member. */
static int member_find(const struct store_zset *z, const char *m,
                       size_t mlen, double *score, struct zs_node **x)
{
    *x = NULL;
    if (zs_compact(z))
        return store_zset_score(z, m, mlen, score);
    struct zs_node **l = ht_find(z, m, mlen);
    if (!l)
        return 0;
    *x = *l;
    *score = (*l)->score;
    return 1;
}

/* Adds m with score, or updates it, as ZADD's flags say (STORE_ZADD_*):
 * NX only adds, XX only updates, GT/LT update only to a greater/lesser
 * score, INCR adds score to the current one (0 when absent). Returns an
 * enum store_zadd_result (*out gets the member's score afterwards, for
 * all but NOP and NAN), or STORE_NOMEM / STORE_TOO_BIG (unchanged).
 * m must not point into z. */
int store_zset_add(struct store *s, struct store_zset *z, const char *m,
                   size_t mlen, double score, int flags, double *out)
{
    if (isnan(score))
        return STORE_ZADD_NAN;
    if (mlen > UINT32_MAX)
        return STORE_TOO_BIG;
    double cur;
    struct zs_node *x;
    if (member_find(z, m, mlen, &cur, &x)) {
        if (flags & STORE_ZADD_NX)
            return STORE_ZADD_NOP;
        if (flags & STORE_ZADD_INCR) {
            score += cur;
            if (isnan(score))
                return STORE_ZADD_NAN;
        }
        if (((flags & STORE_ZADD_LT) && score >= cur) ||
            ((flags & STORE_ZADD_GT) && score <= cur))
            return STORE_ZADD_NOP;
        *out = score;
        if (score == cur)
            return STORE_ZADD_SAME;
        if (update_score(s, z, x, m, mlen, cur, score))
            return STORE_NOMEM;
        return STORE_ZADD_UPDATED;
    }
    if (flags & STORE_ZADD_XX)
        return STORE_ZADD_NOP;
    if (insert_new(s, z, m, mlen, score))
        return STORE_NOMEM;
    *out = score;
    return STORE_ZADD_ADDED;
}

/* Removes member m: 1 if it was there, else 0. The caller deletes the
 * key when z becomes empty. */
int store_zset_del(struct store *s, struct store_zset *z, const char *m,
                   size_t mlen)
{
    if (zs_compact(z)) {
        size_t end;
        double cur;
        long off = lp_find(z, m, mlen, &end, &cur);
        if (off < 0)
            return 0;
        lp_cut(z, (size_t)off, end);
        z->n--;
        return 1;
    }
    struct zs_node **l = ht_find(z, m, mlen);
    if (!l)
        return 0;
    struct zs_node *x = *l;
    *l = x->hnext;
    zsl_unlink_node(z, x);
    store__free(s, x);
    ht_after_write(s, z);
    return 1;
}

/* 1 and *rank (0-based; from the highest score when rev) if m is a
 * member, else 0. */
int store_zset_rank(const struct store_zset *z, const char *m, size_t mlen,
                    int rev, size_t *rank)
{
    size_t r = 0;
    if (zs_compact(z)) {
        size_t off = 0;
        struct store_zset_view v;
        for (;; r++) {
            if (off >= lp_used(z))
                return 0;
            off = lp_get(z, off, &v);
            if (v.mlen == mlen && store__mem_eq(v.m, m, mlen))
                break;
        }
    } else {
        struct zs_node **l = ht_find(z, m, mlen);
        if (!l)
            return 0;
        r = zsl_rank(z, *l) - 1;
    }
    *rank = rev ? z->n - 1 - r : r;
    return 1;
}

/* Removes the members of 0-based ranks start..end (inclusive, ascending
 * order, end < len). Returns how many. Never allocates. */
size_t store_zset_del_rank(struct store *s, struct store_zset *z,
                           size_t start, size_t end)
{
    if (start > end || end >= z->n)
        return 0;
    size_t count = end - start + 1;
    if (zs_compact(z)) {
        size_t a = lp_at(z, start), b = a;
        struct store_zset_view v;
        for (size_t i = 0; i < count; i++)
            b = lp_get(z, b, &v);
        lp_cut(z, a, b);
        z->n -= count;
        return count;
    }
    struct zs_node *update[ZSL_MAXLEVEL];
    struct zs_node *x = zhead(z);
    size_t t = 0;
    for (int i = zsl(z)->level - 1; i >= 0; i--) {
        while (x->lvl[i].fwd && t + x->lvl[i].span < start + 1) {
            t += x->lvl[i].span;
            x = x->lvl[i].fwd;
        }
        update[i] = x;
    }
    x = x->lvl[0].fwd;
    for (size_t i = 0; i < count; i++) {
        struct zs_node *next = x->lvl[0].fwd;
        zsl_unlink(z, x, update);
        ht_unlink(z, x);
        store__free(s, x);
        x = next;
    }
    ht_after_write(s, z);
    return count;
}
