/* restore_stream.c - a stream from RESTORE's payload or an RDB file:
 * Redis 7.0's types 15 (RDB_TYPE_STREAM_LISTPACKS, Redis 5 and 6) and 19
 * (..._2, with the first ID, max deleted ID, entries added and groups'
 * entries read), and Redis 7.2's 21 (..._3: each consumer's active time
 * after its seen time); dump_stream.c shows the layout.
 *
 * Each node's listpack is checked whole as Redis does with
 * sanitize-dump-payload yes (the master entry, every entry's shape and
 * element count, nothing after the last), and each entry, deleted ones
 * too, is appended in order and deleted again when flagged, so the
 * blocks and tombstones come back as they were. A node key is 16 bytes;
 * groups and consumers are unique; every pending ID of a consumer is in
 * its group's PEL, once; every group PEL entry has a consumer. Counts
 * are checked against the bytes as they are read, never trusted for an
 * allocation.
 *
 * The counters (last ID, entries added, max deleted ID) are taken as
 * given, the length and first ID are what the entries say. Where Redis
 * 7.0 keeps a stream that breaks its own invariants, Respite refuses it:
 * live entries' IDs must grow and stay within the last ID, and entries
 * added must cover them. */
#include <stdlib.h>
#include <string.h>

#include "server/dump.h"
#include "server/rdb.h"

#define T_STREAM_LISTPACKS_2 19
#define T_STREAM_LISTPACKS_3 21
#define F_DELETED 1
#define F_SAME 2

/* The elements of one node's listpack, copied out of the walk. */
struct elems {
    struct rdb_elem *v;
    size_t n, cap;
};

static int elems_add(void *ctx, const struct rdb_elem *e)
{
    struct elems *es = ctx;
    if (es->n == es->cap) {
        size_t cap = es->cap ? 2 * es->cap : 64;
        struct rdb_elem *v = realloc(es->v, cap * sizeof(*v));
        if (!v)
            return -1;
        es->v = v;
        es->cap = cap;
    }
    es->v[es->n] = *e;
    if (e->p == e->num)                /* fixed up once the array settles */
        es->v[es->n].p = NULL;
    es->n++;
    return 0;
}

/* Element i's bytes. */
static const char *el(struct elems *es, size_t i, size_t *len)
{
    struct rdb_elem *e = &es->v[i];
    *len = e->len;
    return e->p ? e->p : e->num;
}

/* Element i as an integer (an integer entry, or a string that is one);
 * -1 past the last element (the node's listpack may be empty). */
static int el_int(struct elems *es, size_t i, int64_t *v)
{
    if (i >= es->n)
        return -1;
    size_t n;
    const char *p = el(es, i, &n);
    return store_i64_parse(p, n, v) ? 0 : -1;
}

static int get_sid_raw(struct rdb_reader *r, struct store_sid *id)
{
    const unsigned char *k;
    if (rdb_get_raw(r, 16, &k) != 0)
        return -1;
    id->ms = id->seq = 0;
    for (int i = 0; i < 8; i++) {
        id->ms = id->ms << 8 | k[i];
        id->seq = id->seq << 8 | k[8 + i];
    }
    return 0;
}

/* A length Redis reads without checking it: a malformed one is taken as
 * 2^64 - 1 (its first byte consumed), only running out of bytes fails. */
static int get_loose(struct rdb_reader *r, uint64_t *v)
{
    size_t pos = r->pos;
    if (rdb_get_plain_len(r, v) == 0)
        return 0;
    if (pos >= r->len)
        return -1;
    unsigned char b = r->p[pos];
    if (b == 0x80 || b == 0x81)        /* a short 32/64-bit length */
        return -1;
    r->pos = pos + 1;
    *v = UINT64_MAX;
    return 0;
}

static int get_sid(struct rdb_reader *r, struct store_sid *id)
{
    return get_loose(r, &id->ms) != 0 || get_loose(r, &id->seq) != 0 ? -1
                                                                      : 0;
}

static int get_ms(struct rdb_reader *r, int64_t *ms)
{
    uint64_t u;
    if (rdb_get_u64le(r, &u) != 0)
        return -1;
    *ms = (int64_t)u;
    return 0;
}

/* Appends the entries of one node (master ID m, elements es) to st, then
 * deletes the ones flagged deleted: not each at once, since deleting the
 * only entry of a block frees the block, and the node's next entry would
 * start another one, where Redis's node keeps the tombstone (a node whose
 * first entry was deleted, after DEBUG RELOAD). The first node stays
 * even with every entry deleted, as a trim can leave Redis's. */
static int load_entries(struct store *s, struct store_stream *st,
                        struct store_sid m, struct elems *es)
{
    int64_t live, dead, nmf, v;
    if (el_int(es, 0, &live) || el_int(es, 1, &dead) || el_int(es, 2, &nmf) ||
        live < 0 || dead < 0 || nmf < 0 || (uint64_t)nmf > es->n ||
        el_int(es, 3 + (size_t)nmf, &v) || v != 0)
        return DUMP_BAD;
    size_t i = 4 + (size_t)nmf, mf = 3;
    int first = store_stream_nblocks(st) == 0;
    const char **fv = NULL;
    size_t *fvlen = NULL, cap = 0;
    /* At most one per entry, and an entry takes four elements or more. */
    struct store_sid *dead_ids = malloc((es->n / 4 + 1) * sizeof *dead_ids);
    size_t ndead = 0;
    int rc = dead_ids ? DUMP_BAD : DUMP_NOMEM;
    for (int64_t k = 0; dead_ids && k < live + dead; k++) {
        int64_t flags, dms, dseq, nf = nmf;
        if (el_int(es, i, &flags) || el_int(es, i + 1, &dms) ||
            el_int(es, i + 2, &dseq))
            goto out;
        i += 3;
        int same = (flags & F_SAME) != 0;
        if (!same && (el_int(es, i++, &nf) || nf < 0))
            goto out;
        size_t need = same ? (size_t)nf : 2 * (size_t)nf;
        if (need > es->n - i || es->n - i - need < 1)
            goto out;
        if (2 * (size_t)nf > cap) {
            cap = 2 * (size_t)nf + 2;
            free(fv);
            free(fvlen);
            fv = malloc(cap * sizeof(*fv));
            fvlen = malloc(cap * sizeof(*fvlen));
            if (!fv || !fvlen) {
                rc = DUMP_NOMEM;
                goto out;
            }
        }
        for (size_t f = 0; f < (size_t)nf; f++) {
            if (same) {
                fv[2 * f] = el(es, mf + f, &fvlen[2 * f]);
                fv[2 * f + 1] = el(es, i + f, &fvlen[2 * f + 1]);
            } else {
                fv[2 * f] = el(es, i + 2 * f, &fvlen[2 * f]);
                fv[2 * f + 1] = el(es, i + 2 * f + 1, &fvlen[2 * f + 1]);
            }
        }
        i += need;
        int64_t count;
        if (el_int(es, i++, &count) || count != nf + (same ? 3 : nf + 4))
            goto out;
        struct store_sid id = { m.ms + (uint64_t)dms, m.seq + (uint64_t)dseq };
        struct store_stream_info info;
        store_stream_info(st, &info);
        /* A deleted entry is invisible: Redis does not mind its ID, and
         * one that could not be appended is dropped. */
        if ((flags & F_DELETED) && store_sid_cmp(id, info.last_id) <= 0)
            continue;
        int a = store_stream_append(s, st, id, (size_t)nf, fv, fvlen);
        if (a != STORE_OK) {
            rc = a == STORE_NOMEM ? DUMP_NOMEM : DUMP_BAD;
            goto out;
        }
        if (flags & F_DELETED)
            dead_ids[ndead++] = id;
    }
    if (dead_ids)
        rc = i == es->n ? DUMP_OK : DUMP_BAD;
    for (size_t d = 0; d < ndead; d++)
        (first ? store_stream_bury : store_stream_delete)(s, st, dead_ids[d]);
out:
    free(dead_ids);
    free(fv);
    free(fvlen);
    return rc;
}

/* One node: its key (the master ID) and its listpack, into a block of its
 * own. */
static int load_node(struct rdb_reader *r, struct store *s,
                     struct store_stream *st)
{
    char *key, *lp;
    size_t klen, n;
    if (rdb_get_string(r, &key, &klen) != 0)
        return DUMP_BAD;
    struct rdb_reader kr = { (const unsigned char *)key, 0, klen };
    struct store_sid m;
    int bad = klen != 16 || get_sid_raw(&kr, &m) != 0;
    free(key);
    if (bad || rdb_get_string(r, &lp, &n) != 0)
        return DUMP_BAD;
    struct elems es = { NULL, 0, 0 };
    store_stream_cut(st);
    int rc = rdb_lp_walk_stream((const unsigned char *)lp, n, elems_add,
                                &es) < 0
                 ? DUMP_BAD
                 : load_entries(s, st, m, &es);
    free(es.v);
    free(lp);
    return rc;
}

/* The stream's nodes, each one block whatever the stream-node-* limits
 * are now (lifted while they load), as Redis keeps the nodes it loads,
 * so that "~" trims and DUMP go on as they did where it was saved. */
static int load_nodes(struct rdb_reader *r, struct store *s,
                      struct store_stream *st, uint64_t nodes)
{
    struct store_limits saved = *store_get_limits(s), wide = saved;
    wide.stream_entries = wide.stream_bytes = 0;        /* no limit */
    store_set_limits(s, &wide);
    int rc = DUMP_OK;
    for (uint64_t i = 0; i < nodes && rc == DUMP_OK; i++)
        rc = load_node(r, s, st);
    store_set_limits(s, &saved);
    return rc;
}

/* Consumer number k (its active time follows its seen time with v3)
 * and its pending IDs: each must be in g's PEL (delivery time and count
 * from there) and owned by no consumer before, this one or an earlier
 * one: Redis 7.0 refuses an ID claimed twice. owned[i]: who owns pel[i]. */
static int load_consumer(struct rdb_reader *r, struct store *s,
                         struct store_sgroup *g, const struct store_snack *pel,
                         uint64_t *owned, size_t npel, uint64_t k, int v3)
{
    char *name;
    size_t nlen;
    int64_t seen, active = 0;
    uint64_t n;
    struct store_sconsumer *c;
    if (rdb_get_string(r, &name, &nlen) != 0)
        return DUMP_BAD;
    int rc = get_ms(r, &seen) != 0 || (v3 && get_ms(r, &active) != 0)
           ? DUMP_BAD
           : store_sg_consumer_create(s, g, name, nlen, seen, &c);
    free(name);
    if (rc != STORE_OK)
        return rc == STORE_NOMEM ? DUMP_NOMEM : DUMP_BAD;
    c->seen_time = seen;
    /* RDB 10 has no active time: Redis 7.2 loads it as the seen time. */
    c->active_time = v3 ? active : seen;
    if (rdb_get_plain_len(r, &n) != 0)
        return DUMP_BAD;
    for (uint64_t i = 0; i < n; i++) {
        struct store_sid id;
        if (get_sid_raw(r, &id) != 0)
            return DUMP_BAD;
        size_t lo = 0, hi = npel;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (store_sid_cmp(pel[mid].id, id) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == npel || store_sid_cmp(pel[lo].id, id) != 0 ||
            owned[lo] != 0)
            return DUMP_BAD;
        owned[lo] = k;
        if (store_sg_pel_assign(s, g, c, id, pel[lo].delivery_time,
                                pel[lo].delivery_count) != STORE_OK)
            return DUMP_NOMEM;
    }
    return DUMP_OK;
}

static int snack_cmp(const void *a, const void *b)
{
    return store_sid_cmp(((const struct store_snack *)a)->id,
                         ((const struct store_snack *)b)->id);
}

/* A group's PEL, read into an array sorted by ID (in any order, once
 * each), then its consumers. */
static int load_group_pel(struct rdb_reader *r, struct store *s,
                          struct store_sgroup *g, int v3)
{
    uint64_t n, nc;
    struct store_snack *pel = NULL;
    uint64_t *owned = NULL;
    size_t cap = 0, npel = 0;
    int rc = DUMP_BAD;
    if (rdb_get_plain_len(r, &n) != 0)
        return DUMP_BAD;
    for (uint64_t i = 0; i < n; i++) {
        struct store_snack nk = { { 0, 0 }, 0, 0, NULL };
        if (get_sid_raw(r, &nk.id) != 0 || get_ms(r, &nk.delivery_time) ||
            get_loose(r, &nk.delivery_count) != 0)
            goto out;
        if (npel == cap) {
            cap = cap ? 2 * cap : 16;
            struct store_snack *p = realloc(pel, cap * sizeof(*p));
            if (!p) {
                rc = DUMP_NOMEM;
                goto out;
            }
            pel = p;
        }
        pel[npel++] = nk;
    }
    if (npel > 1)
        qsort(pel, npel, sizeof(*pel), snack_cmp);
    for (size_t i = 1; i < npel; i++)
        if (store_sid_cmp(pel[i - 1].id, pel[i].id) == 0)
            goto out;
    owned = calloc(npel ? npel : 1, sizeof(*owned));
    if (!owned || rdb_get_plain_len(r, &nc) != 0) {
        rc = owned ? DUMP_BAD : DUMP_NOMEM;
        goto out;
    }
    for (uint64_t i = 0; i < nc; i++)
        if ((rc = load_consumer(r, s, g, pel, owned, npel, i + 1, v3)) !=
            DUMP_OK)
            goto out;
    rc = DUMP_OK;
    for (size_t i = 0; i < npel; i++)
        if (!owned[i])
            rc = DUMP_BAD;
out:
    free(pel);
    free(owned);
    return rc;
}

static int load_group(struct rdb_reader *r, struct store *s,
                      struct store_stream *st, int v2, int v3)
{
    char *name;
    size_t nlen;
    struct store_sid last;
    uint64_t read = UINT64_MAX;
    if (rdb_get_string(r, &name, &nlen) != 0)
        return DUMP_BAD;
    if (get_sid(r, &last) != 0 || (v2 && get_loose(r, &read))) {
        free(name);
        return DUMP_BAD;
    }
    int64_t entries_read = !v2 ? store_stream_estimate_read(st, last)
                         : read == UINT64_MAX ? STORE_SG_READ_UNKNOWN
                                              : (int64_t)read;
    int rc = store_stream_group_create(s, st, name, nlen, last,
                                       entries_read);
    struct store_sgroup *g = store_stream_group_find(st, name, nlen);
    free(name);
    if (rc != STORE_OK)
        return rc == STORE_NOMEM ? DUMP_NOMEM : DUMP_BAD;
    return load_group_pel(r, s, g, v3);
}

/* See dump.h. */
int dump_restore_stream(struct rdb_reader *r, struct store *s,
                        struct store_stream *st, int rdbtype)
{
    int v3 = rdbtype == T_STREAM_LISTPACKS_3;
    int v2 = rdbtype == T_STREAM_LISTPACKS_2 || v3, rc;
    uint64_t nodes, length, added, ngroups;
    struct store_sid last, first, maxdel = { 0, 0 };
    if (rdb_get_plain_len(r, &nodes) != 0)
        return DUMP_BAD;
    if ((rc = load_nodes(r, s, st, nodes)) != DUMP_OK)
        return rc;
    if (get_loose(r, &length) != 0 || get_sid(r, &last) != 0)
        return DUMP_BAD;
    added = length;
    if (v2 && (get_sid(r, &first) != 0 || get_sid(r, &maxdel) != 0 ||
               get_loose(r, &added) != 0))
        return DUMP_BAD;
    if (length && !nodes)
        return DUMP_BAD;
    struct store_stream_info info;
    store_stream_info(st, &info);
    if (store_sid_cmp(last, info.last_id) < 0 || added < info.length)
        return DUMP_BAD;
    store_stream_set_counters(st, last, added, maxdel);
    if (rdb_get_plain_len(r, &ngroups) != 0)
        return DUMP_BAD;
    for (uint64_t i = 0; i < ngroups; i++)
        if ((rc = load_group(r, s, st, v2, v3)) != DUMP_OK)
            return rc;
    return DUMP_OK;
}
