/* stream_group.c - consumer groups of a stream: their consumers and
 * pending entries lists (PEL).
 *
 *   stream->g[]  sorted by name -> group{name, last_id, entries_read,
 *                                        pel, c[] sorted by name}
 *   group pel:   struct store_snack {id, delivery time, count, consumer}
 *                sorted by ID, in one array
 *   consumer:    {name, seen_time, active_time, pel: its pending IDs,
 *                sorted}
 *
 * Both PELs are "svec"s: a sorted array with free room at both ends
 * (head offset), so the usual traffic - deliver new IDs at the end,
 * acknowledge old ones at the front - costs O(1) moves, a lookup is a
 * binary search (O(log n)), and an insert or delete in the middle moves
 * the shorter side. Pending entries live inline in the group's array (no
 * allocation per entry); the consumer's array holds only IDs, and its
 * entry is found in the group's by binary search.
 *
 * Invariant (checked by store__stream_groups_check): each group PEL entry
 * is in exactly its consumer's PEL and every consumer PEL ID is in the
 * group PEL with that consumer. Groups and consumers are few, so their
 * sorted pointer arrays grow and shrink with memmove.
 *
 * Every operation reserves what it needs before changing anything, so a
 * failed allocation leaves the stream as it was. */
#include "store/stream_int.h"

#include <malloc.h>
#include <stdlib.h>

#define NACK_SZ sizeof(struct store_snack)
#define SID_SZ sizeof(struct store_sid)

/* ---- Sorted vectors ----------------------------------------------------- */

static void *sv_at(const struct store_svec *v, size_t es, size_t i)
{
    return v->a + (v->head + i) * es;
}

/* Index of the first element whose ID (its first member) is >= id. */
static size_t sv_seek(const struct store_svec *v, size_t es,
                      struct store_sid id)
{
    size_t lo = 0, hi = v->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        struct store_sid m;
        memcpy(&m, sv_at(v, es, mid), sizeof m);
        if (store_sid_cmp(m, id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int sv_find(const struct store_svec *v, size_t es,
                   struct store_sid id, size_t *pos)
{
    *pos = sv_seek(v, es, id);
    if (*pos >= v->n)
        return 0;
    struct store_sid m;
    memcpy(&m, sv_at(v, es, *pos), sizeof m);
    return store_sid_cmp(m, id) == 0;
}

/* Room for one more element (at either end). Returns 0 or -1. */
static int sv_reserve(struct store *s, struct store_svec *v, size_t es)
{
    if (v->head > 0 || v->head + v->n < v->cap)
        return 0;
    uint32_t ncap = v->cap ? v->cap * 2 : 4;
    char *a = store__realloc(s, v->a, (size_t)ncap * es);
    if (!a)
        return -1;
    v->a = a;
    v->cap = ncap;
    return 0;
}

/* Inserts elem at pos; sv_reserve must have succeeded. */
static void sv_insert(struct store_svec *v, size_t es, size_t pos,
                      const void *elem)
{
    if (v->head > 0 && (pos < v->n / 2 || v->head + v->n == v->cap)) {
        memmove(v->a + (v->head - 1) * es, v->a + v->head * es, pos * es);
        v->head--;
    } else {
        char *p = v->a + (v->head + pos) * es;
        memmove(p + es, p, (v->n - pos) * es);
    }
    memcpy(v->a + (v->head + pos) * es, elem, es);
    v->n++;
}

/* Removes the element at pos, moving the shorter side; frees or shrinks
 * the array when it has become mostly empty. */
static void sv_remove(struct store *s, struct store_svec *v, size_t es,
                      size_t pos)
{
    if (pos < v->n / 2) {
        memmove(v->a + (v->head + 1) * es, v->a + v->head * es, pos * es);
        v->head++;
    } else {
        char *p = v->a + (v->head + pos) * es;
        memmove(p, p + es, (v->n - pos - 1) * es);
    }
    v->n--;
    if (v->n == 0) {
        store__free(s, v->a);
        memset(v, 0, sizeof *v);
    } else if (v->cap >= 64 && v->n < v->cap / 4) {
        memmove(v->a, v->a + v->head * es, v->n * es);
        v->head = 0;
        char *a = store__realloc(s, v->a, (size_t)(v->cap / 2) * es);
        if (a) {
            v->a = a;
            v->cap /= 2;
        }
    }
}

static size_t sv_mem(const struct store_svec *v)
{
    return v->a ? malloc_usable_size(v->a) : 0;
}

static int sv_clone(struct store *d, struct store_svec *dst,
                    const struct store_svec *src, size_t es)
{
    memset(dst, 0, sizeof *dst);
    if (src->n == 0)
        return 0;
    dst->a = store__malloc(d, src->n * es);
    if (!dst->a)
        return -1;
    memcpy(dst->a, src->a + src->head * es, src->n * es);
    dst->n = dst->cap = src->n;
    return 0;
}

/* ---- Names -------------------------------------------------------------- */

/* Byte order, a prefix first (the rax order Redis lists groups in). */
static int name_cmp(const char *a, size_t al, const char *b, size_t bl)
{
    size_t n = al < bl ? al : bl;
    int c = n ? memcmp(a, b, n) : 0;
    if (c)
        return c;
    return al < bl ? -1 : al > bl;
}

static char *name_dup(struct store *s, const char *name, size_t nlen)
{
    char *p = store__malloc(s, nlen ? nlen : 1);
    if (p && nlen)
        memcpy(p, name, nlen);
    return p;
}

/* Binary search by name over n sorted elements whose names name_at()
 * gives: 1 and *pos = its index if found, else 0 and *pos = where it
 * would go. */
static int name_seek(const void *arr, size_t n,
                     void (*name_at)(const void *arr, size_t i,
                                     const char **nm, size_t *nl),
                     const char *name, size_t nlen, size_t *pos)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const char *nm;
        size_t nl;
        name_at(arr, mid, &nm, &nl);
        int c = name_cmp(nm, nl, name, nlen);
        if (c == 0) {
            *pos = mid;
            return 1;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *pos = lo;
    return 0;
}

static void group_name_at(const void *arr, size_t i, const char **nm,
                          size_t *nl)
{
    const struct store_sgroup *g = ((struct store_sgroup *const *)arr)[i];
    *nm = g->name;
    *nl = g->nlen;
}

static void consumer_name_at(const void *arr, size_t i, const char **nm,
                             size_t *nl)
{
    const struct store_sconsumer *c =
        ((struct store_sconsumer *const *)arr)[i];
    *nm = c->name;
    *nl = c->nlen;
}

#define GROUP_SEEK(st, name, nlen, pos)                                     \
    name_seek((st)->g, (st)->ng, group_name_at, name, nlen, pos)
#define CONSUMER_SEEK(g, name, nlen, pos)                                   \
    name_seek((g)->c, (g)->nc, consumer_name_at, name, nlen, pos)

/* ---- Groups ------------------------------------------------------------- */

static void consumer_free(struct store *s, struct store_sconsumer *c)
{
    store__free(s, c->name);
    store__free(s, c->pel.a);
    store__free(s, c);
}

static void group_free(struct store *s, struct store_sgroup *g)
{
    for (size_t i = 0; i < g->nc; i++)
        consumer_free(s, g->c[i]);
    store__free(s, g->c);
    store__free(s, g->pel.a);
    store__free(s, g->name);
    store__free(s, g);
}

/* Frees every group of st (the stream is being freed). */
void store__stream_groups_free(struct store *s, struct store_stream *st)
{
    for (size_t i = 0; i < st->ng; i++)
        group_free(s, st->g[i]);
    store__free(s, st->g);
    st->g = NULL;
    st->ng = st->gcap = 0;
}

/* Groups of st. */
size_t store_stream_ngroups(const struct store_stream *st)
{
    return st->ng;
}

/* The i-th group in name order (i < ngroups). */
struct store_sgroup *store_stream_group_at(const struct store_stream *st,
                                           size_t i)
{
    return st->g[i];
}

/* Group name of st, or NULL. */
struct store_sgroup *store_stream_group_find(const struct store_stream *st,
                                             const char *name, size_t nlen)
{
    size_t pos;
    int found = GROUP_SEEK(st, name, nlen, &pos);
    return found ? st->g[pos] : NULL;
}

/* Creates group name at last_id. STORE_OK, STORE_EXISTS or STORE_NOMEM. */
int store_stream_group_create(struct store *s, struct store_stream *st,
                              const char *name, size_t nlen,
                              struct store_sid last_id, int64_t entries_read)
{
    size_t pos;
    int found = GROUP_SEEK(st, name, nlen, &pos);
    if (found)
        return STORE_EXISTS;
    if (st->ng == st->gcap) {
        size_t ncap = st->gcap ? st->gcap * 2 : 2;
        struct store_sgroup **ng = store__realloc(s, st->g,
                                                  ncap * sizeof(*ng));
        if (!ng)
            return STORE_NOMEM;
        st->g = ng;
        st->gcap = ncap;
    }
    struct store_sgroup *g = store__calloc(s, 1, sizeof(*g));
    char *nm = name_dup(s, name, nlen);
    if (!g || !nm) {
        store__free(s, g);
        store__free(s, nm);
        return STORE_NOMEM;
    }
    g->name = nm;
    g->nlen = nlen;
    g->last_id = last_id;
    g->entries_read = entries_read;
    memmove(&st->g[pos + 1], &st->g[pos], (st->ng - pos) * sizeof(*st->g));
    st->g[pos] = g;
    st->ng++;
    return STORE_OK;
}

/* Destroys group name: 1 if it existed, else 0. */
int store_stream_group_destroy(struct store *s, struct store_stream *st,
                               const char *name, size_t nlen)
{
    size_t pos;
    int found = GROUP_SEEK(st, name, nlen, &pos);
    if (!found)
        return 0;
    group_free(s, st->g[pos]);
    memmove(&st->g[pos], &st->g[pos + 1],
            (st->ng - pos - 1) * sizeof(*st->g));
    st->ng--;
    if (st->ng == 0) {
        store__free(s, st->g);
        st->g = NULL;
        st->gcap = 0;
    }
    return 1;
}

/* ---- Consumers ---------------------------------------------------------- */

/* Consumer name of g, or NULL. */
struct store_sconsumer *store_sg_consumer_find(const struct store_sgroup *g,
                                               const char *name, size_t nlen)
{
    size_t pos;
    int found = CONSUMER_SEEK(g, name, nlen, &pos);
    return found ? g->c[pos] : NULL;
}

/* Creates consumer name into *out. STORE_OK, STORE_EXISTS (*out is the
 * existing one) or STORE_NOMEM. */
int store_sg_consumer_create(struct store *s, struct store_sgroup *g,
                             const char *name, size_t nlen, int64_t now_ms,
                             struct store_sconsumer **out)
{
    size_t pos;
    int found = CONSUMER_SEEK(g, name, nlen, &pos);
    if (found) {
        *out = g->c[pos];
        return STORE_EXISTS;
    }
    if (g->nc == g->ccap) {
        size_t ncap = g->ccap ? g->ccap * 2 : 2;
        struct store_sconsumer **nc = store__realloc(s, g->c,
                                                     ncap * sizeof(*nc));
        if (!nc)
            return STORE_NOMEM;
        g->c = nc;
        g->ccap = ncap;
    }
    struct store_sconsumer *c = store__calloc(s, 1, sizeof(*c));
    char *nm = name_dup(s, name, nlen);
    if (!c || !nm) {
        store__free(s, c);
        store__free(s, nm);
        return STORE_NOMEM;
    }
    c->name = nm;
    c->nlen = nlen;
    c->seen_time = now_ms;
    c->active_time = -1;
    memmove(&g->c[pos + 1], &g->c[pos], (g->nc - pos) * sizeof(*g->c));
    g->c[pos] = c;
    g->nc++;
    *out = c;
    return STORE_OK;
}

/* Deletes consumer name and its pending entries. Returns how many were
 * pending, or -1 if there is no such consumer. Never allocates. */
int64_t store_sg_consumer_delete(struct store *s, struct store_sgroup *g,
                                 const char *name, size_t nlen)
{
    size_t pos;
    int found = CONSUMER_SEEK(g, name, nlen, &pos);
    if (!found)
        return -1;
    struct store_sconsumer *c = g->c[pos];
    int64_t n = c->pel.n;
    for (size_t i = 0; i < c->pel.n; i++) {
        size_t gp;
        if (sv_find(&g->pel, NACK_SZ, store_sc_pel_at(c, i), &gp))
            sv_remove(s, &g->pel, NACK_SZ, gp);
    }
    consumer_free(s, c);
    memmove(&g->c[pos], &g->c[pos + 1], (g->nc - pos - 1) * sizeof(*g->c));
    g->nc--;
    if (g->nc == 0) {
        store__free(s, g->c);
        g->c = NULL;
        g->ccap = 0;
    }
    return n;
}

/* ---- Pending entries ---------------------------------------------------- */

/* The i-th pending entry of g in ID order (borrowed; i < g->pel.n). */
struct store_snack *store_sg_pel_at(const struct store_sgroup *g, size_t i)
{
    return sv_at(&g->pel, NACK_SZ, i);
}

/* The i-th pending ID of consumer c (i < c->pel.n). */
struct store_sid store_sc_pel_at(const struct store_sconsumer *c, size_t i)
{
    struct store_sid id;
    memcpy(&id, sv_at(&c->pel, SID_SZ, i), sizeof id);
    return id;
}

/* Index of g's first pending entry with ID >= id (g->pel.n if none). */
size_t store_sg_pel_seek(const struct store_sgroup *g, struct store_sid id)
{
    return sv_seek(&g->pel, NACK_SZ, id);
}

/* Index of c's first pending ID >= id (c->pel.n if none). */
size_t store_sc_pel_seek(const struct store_sconsumer *c,
                         struct store_sid id)
{
    return sv_seek(&c->pel, SID_SZ, id);
}

/* g's pending entry id, or NULL. Valid until the PEL changes. */
struct store_snack *store_sg_pel_find(const struct store_sgroup *g,
                                      struct store_sid id)
{
    size_t pos;
    return sv_find(&g->pel, NACK_SZ, id, &pos) ? store_sg_pel_at(g, pos)
                                               : NULL;
}

/* Makes id pending for c with this delivery time and count, adding it
 * or taking it from its consumer. STORE_OK or STORE_NOMEM (unchanged). */
int store_sg_pel_assign(struct store *s, struct store_sgroup *g,
                        struct store_sconsumer *c, struct store_sid id,
                        int64_t now_ms, uint64_t count)
{
    size_t gp;
    int found = sv_find(&g->pel, NACK_SZ, id, &gp);
    struct store_snack *nk = found ? store_sg_pel_at(g, gp) : NULL;
    if (!found && sv_reserve(s, &g->pel, NACK_SZ))
        return STORE_NOMEM;
    if ((!nk || nk->consumer != c) && sv_reserve(s, &c->pel, SID_SZ))
        return STORE_NOMEM;
    if (!found) {
        struct store_snack n = { id, now_ms, count, c };
        sv_insert(&g->pel, NACK_SZ, gp, &n);
        sv_insert(&c->pel, SID_SZ, sv_seek(&c->pel, SID_SZ, id), &id);
        return STORE_OK;
    }
    if (nk->consumer != c) {
        struct store_sconsumer *old = nk->consumer;
        size_t cp;
        if (old && sv_find(&old->pel, SID_SZ, id, &cp))
            sv_remove(s, &old->pel, SID_SZ, cp);
        sv_insert(&c->pel, SID_SZ, sv_seek(&c->pel, SID_SZ, id), &id);
        nk->consumer = c;
    }
    nk->delivery_time = now_ms;
    nk->delivery_count = count;
    return STORE_OK;
}

/* Acknowledges id: 1 if it was pending, else 0. Never allocates. */
int store_sg_pel_ack(struct store *s, struct store_sgroup *g,
                     struct store_sid id)
{
    size_t gp, cp;
    if (!sv_find(&g->pel, NACK_SZ, id, &gp))
        return 0;
    struct store_sconsumer *c = store_sg_pel_at(g, gp)->consumer;
    if (c && sv_find(&c->pel, SID_SZ, id, &cp))
        sv_remove(s, &c->pel, SID_SZ, cp);
    sv_remove(s, &g->pel, NACK_SZ, gp);
    return 1;
}

/* ---- Whole-stream helpers (stream.c's ops) ------------------------------ */

static struct store_sgroup *group_clone(struct store *d,
                                        const struct store_sgroup *src)
{
    struct store_sgroup *g = store__calloc(d, 1, sizeof(*g));
    if (!g)
        return NULL;
    g->name = name_dup(d, src->name, src->nlen);
    g->nlen = src->nlen;
    g->last_id = src->last_id;
    g->entries_read = src->entries_read;
    if (!g->name || sv_clone(d, &g->pel, &src->pel, NACK_SZ))
        goto fail;
    if (src->nc) {
        g->c = store__calloc(d, src->nc, sizeof(*g->c));
        if (!g->c)
            goto fail;
        g->ccap = src->nc;
        for (size_t i = 0; i < src->nc; i++) {
            const struct store_sconsumer *sc = src->c[i];
            struct store_sconsumer *c = store__calloc(d, 1, sizeof(*c));
            if (!c)
                goto fail;
            g->c[g->nc++] = c;
            c->name = name_dup(d, sc->name, sc->nlen);
            c->nlen = sc->nlen;
            c->seen_time = sc->seen_time;
            c->active_time = sc->active_time;
            if (!c->name || sv_clone(d, &c->pel, &sc->pel, SID_SZ))
                goto fail;
        }
    }
    /* Point each pending entry at the copy of its consumer. */
    for (size_t i = 0; i < g->pel.n; i++) {
        struct store_snack *nk = store_sg_pel_at(g, i);
        const struct store_sconsumer *old = nk->consumer;
        nk->consumer = old ? store_sg_consumer_find(g, old->name, old->nlen)
                           : NULL;
    }
    return g;
fail:
    group_free(d, g);
    return NULL;
}

/* Deep copy of src's groups into dst: 0, or -1 on OOM (what was copied
 * stays in dst for its free). */
int store__stream_groups_clone(struct store *d, struct store_stream *dst,
                               const struct store_stream *src)
{
    if (src->ng == 0)
        return 0;
    dst->g = store__calloc(d, src->ng, sizeof(*dst->g));
    if (!dst->g)
        return -1;
    dst->gcap = src->ng;
    for (size_t i = 0; i < src->ng; i++) {
        struct store_sgroup *g = group_clone(d, src->g[i]);
        if (!g)
            return -1;
        dst->g[dst->ng++] = g;
    }
    return 0;
}

/* Bytes held by st's groups, consumers and PELs. */
size_t store__stream_groups_mem(const struct store_stream *st)
{
    size_t n = st->g ? malloc_usable_size(st->g) : 0;
    for (size_t i = 0; i < st->ng; i++) {
        const struct store_sgroup *g = st->g[i];
        n += malloc_usable_size((void *)g) + malloc_usable_size(g->name) +
             sv_mem(&g->pel);
        if (g->c)
            n += malloc_usable_size(g->c);
        for (size_t j = 0; j < g->nc; j++)
            n += malloc_usable_size(g->c[j]) +
                 malloc_usable_size(g->c[j]->name) + sv_mem(&g->c[j]->pel);
    }
    return n;
}

static int svec_sorted(const struct store_svec *v, size_t es)
{
    if (v->head + v->n > v->cap)
        return 0;
    for (size_t i = 1; i < v->n; i++) {
        struct store_sid a, b;
        memcpy(&a, sv_at(v, es, i - 1), sizeof a);
        memcpy(&b, sv_at(v, es, i), sizeof b);
        if (store_sid_cmp(a, b) >= 0)
            return 0;
    }
    return 1;
}

/* 0 if groups, consumers and both PELs agree (see the essay). */
int store__stream_groups_check(const struct store_stream *st)
{
    for (size_t i = 0; i < st->ng; i++) {
        const struct store_sgroup *g = st->g[i];
        if (i && name_cmp(st->g[i - 1]->name, st->g[i - 1]->nlen, g->name,
                          g->nlen) >= 0)
            return -20;
        if (!svec_sorted(&g->pel, NACK_SZ))
            return -21;
        size_t total = 0;
        for (size_t j = 0; j < g->nc; j++) {
            const struct store_sconsumer *c = g->c[j];
            if (j && name_cmp(g->c[j - 1]->name, g->c[j - 1]->nlen, c->name,
                              c->nlen) >= 0)
                return -22;
            if (!svec_sorted(&c->pel, SID_SZ))
                return -23;
            for (size_t k = 0; k < c->pel.n; k++) {
                struct store_snack *nk =
                    store_sg_pel_find(g, store_sc_pel_at(c, k));
                if (!nk || nk->consumer != c)
                    return -24;
            }
            total += c->pel.n;
        }
        if (total != g->pel.n)
            return -25;
    }
    return 0;
}
