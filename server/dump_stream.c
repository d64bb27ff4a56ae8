/* dump_stream.c - a stream in DUMP's payload, as Redis 7.0 writes type 19
 * (RDB_TYPE_STREAM_LISTPACKS_2):
 *
 *   nodes, then per node: its master ID (16 bytes, ms and seq big
 *   endian, as an RDB string) and its listpack (an RDB string);
 *   length, last ID, first ID, max deleted ID, entries added (lengths);
 *   groups, then per group (by name): name, last ID, entries read (-1:
 *   unknown), its PEL (count; raw 16-byte ID, delivery time as 8 bytes
 *   LE ms, delivery count), its consumers (count; by name: name, seen
 *   time, count of pending IDs, the raw 16-byte IDs)
 *
 * A node's listpack:
 *
 *   master:  count, deleted, number of fields, field names, 0
 *   entry:   flags (1 deleted, 2 same fields as the master), ms - master
 *            ms, seq - master seq, then values (same fields) or the
 *            field count and the pairs, then the entry's element count
 *
 * Respite's stream blocks end where Redis's nodes end and keep deleted
 * entries as tombstones (store/stream.c), so each block is one node
 * byte for byte, the master's fields being those of its first entry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/dump.h"
#include "server/rdb.h"

#define F_DELETED 1
#define F_SAME 2

/* The field names of one entry, copied (views die at the next call). */
struct names {
    struct rdb_buf bytes;
    size_t *off, n, cap;
};

static int names_add(struct names *nm, const char *p, size_t n)
{
    if (nm->n == nm->cap) {
        size_t cap = nm->cap ? 2 * nm->cap : 8;
        size_t *o = realloc(nm->off, (cap + 1) * sizeof(*o));
        if (!o)
            return -1;
        nm->off = o;
        nm->cap = cap;
    }
    nm->off[nm->n++] = nm->bytes.len;
    rdb_put(&nm->bytes, p, n);
    nm->off[nm->n] = nm->bytes.len;
    return nm->bytes.nomem ? -1 : 0;
}

static void lp_int(struct rdb_buf *lp, int64_t v)
{
    char num[24];
    int n = snprintf(num, sizeof(num), "%lld", (long long)v);
    rdb_lp_append(lp, num, (size_t)n);
}

/* 1 if the entry's field names e are the master's m, in order. */
static int same_names(const struct names *m, const struct names *e)
{
    if (m->n != e->n)
        return 0;
    for (size_t i = 0; i < m->n; i++) {
        size_t a = m->off[i + 1] - m->off[i], b = e->off[i + 1] - e->off[i];
        /* Names all empty leave bytes.p NULL, which memcmp may not take. */
        if (a != b || (a && memcmp(m->bytes.p + m->off[i],
                                   e->bytes.p + e->off[i], a) != 0))
            return 0;
    }
    return 1;
}

/* id as Redis's 16-byte key: ms, then seq, big endian. */
static void sid_raw(struct store_sid id, unsigned char k[16])
{
    for (int i = 0; i < 8; i++) {
        k[i] = (unsigned char)(id.ms >> (56 - 8 * i));
        k[8 + i] = (unsigned char)(id.seq >> (56 - 8 * i));
    }
}

static void sid_put_raw(struct rdb_buf *b, struct store_sid id)
{
    unsigned char k[16];
    sid_raw(id, k);
    rdb_put(b, k, 16);
}

static void ms_put(struct rdb_buf *b, int64_t ms)
{
    unsigned char t[8];
    for (int i = 0; i < 8; i++)
        t[i] = (unsigned char)((uint64_t)ms >> (8 * i));
    rdb_put(b, t, 8);
}

/* One entry's pairs into names (fields) and vals (values). */
static int entry_read(struct store_stream_entry *e, struct names *f,
                      struct names *v)
{
    const char *fp, *vp;
    size_t fl, vl;
    f->n = v->n = 0;
    f->bytes.len = v->bytes.len = 0;
    while (store_stream_field(e, &fp, &fl, &vp, &vl))
        if (names_add(f, fp, fl) != 0 || names_add(v, vp, vl) != 0)
            return -1;
    return 0;
}

static void names_free(struct names *nm)
{
    free(nm->bytes.p);
    free(nm->off);
}

/* One entry (ID id, field names f, values v) of a node whose master ID
 * is m and master fields are mf, appended to ents; returns how many
 * listpack elements it took. */
static size_t put_entry(struct rdb_buf *ents, struct store_sid m,
                        const struct names *mf, struct store_sid id,
                        int deleted, const struct names *f,
                        const struct names *v)
{
    int same = same_names(mf, f);
    lp_int(ents, (deleted ? F_DELETED : 0) | (same ? F_SAME : 0));
    lp_int(ents, (int64_t)(id.ms - m.ms));
    lp_int(ents, (int64_t)(id.seq - m.seq));
    if (!same)
        lp_int(ents, (int64_t)f->n);
    for (size_t k = 0; k < v->n; k++) {
        if (!same)
            rdb_lp_append(ents, (const char *)f->bytes.p + f->off[k],
                          f->off[k + 1] - f->off[k]);
        rdb_lp_append(ents, (const char *)v->bytes.p + v->off[k],
                      v->off[k + 1] - v->off[k]);
    }
    size_t count = same ? v->n + 3 : 2 * v->n + 4;
    lp_int(ents, (int64_t)count);
    return count + 1;
}

/* Block i as a node: its master ID and listpack, into b. The master's
 * fields are the first entry's, which is why they are read first. */
static int dump_node(struct rdb_buf *b, const struct store_stream *st,
                     size_t i)
{
    struct names mf = { { NULL, 0, 0, 0, 0 }, NULL, 0, 0 }, f = mf, v = mf;
    struct rdb_buf ents = { NULL, 0, 0, 0, 0 }, lp = { NULL, 0, 0, 0, 0 };
    struct store_stream_entry e;
    struct store_sid m = { 0, 0 };
    uint32_t off = 0;
    int deleted, rc = -1;
    size_t live = 0, dead = 0, elems = 0;
    while (store_stream_block_next(st, i, &off, &e, &deleted)) {
        if (entry_read(&e, &f, &v) != 0)
            goto out;
        if (live + dead == 0) {
            struct names t = mf;    /* the first entry's names are the */
            mf = f;                 /* master's; f's buffers are reused */
            f = t;
            m = e.id;
            elems += put_entry(&ents, m, &mf, e.id, deleted, &mf, &v);
        } else {
            elems += put_entry(&ents, m, &mf, e.id, deleted, &f, &v);
        }
        deleted ? dead++ : live++;
    }
    size_t start = rdb_lp_begin(&lp);
    lp_int(&lp, (int64_t)live);
    lp_int(&lp, (int64_t)dead);
    lp_int(&lp, (int64_t)mf.n);
    for (size_t k = 0; k < mf.n; k++)
        rdb_lp_append(&lp, (const char *)mf.bytes.p + mf.off[k],
                      mf.off[k + 1] - mf.off[k]);
    lp_int(&lp, 0);
    rdb_put(&lp, ents.p, ents.len);
    rdb_lp_end(&lp, start, elems + mf.n + 4);
    if (lp.nomem || ents.nomem)
        goto out;
    unsigned char key[16];
    sid_raw(m, key);
    rdb_put_string(b, (const char *)key, sizeof(key));
    rdb_put_string(b, (const char *)lp.p, lp.len);
    rc = 0;
out:
    names_free(&mf);
    names_free(&f);
    names_free(&v);
    free(ents.p);
    free(lp.p);
    return rc;
}

static void dump_group(struct rdb_buf *b, const struct store_sgroup *g)
{
    rdb_put_string(b, g->name, g->nlen);
    rdb_put_len(b, g->last_id.ms);
    rdb_put_len(b, g->last_id.seq);
    rdb_put_len(b, g->entries_read == STORE_SG_READ_UNKNOWN
                       ? UINT64_MAX : (uint64_t)g->entries_read);
    rdb_put_len(b, g->pel.n);
    for (size_t i = 0; i < g->pel.n; i++) {
        const struct store_snack *nk = store_sg_pel_at(g, i);
        sid_put_raw(b, nk->id);
        ms_put(b, nk->delivery_time);
        rdb_put_len(b, nk->delivery_count);
    }
    rdb_put_len(b, g->nc);
    for (size_t i = 0; i < g->nc; i++) {
        const struct store_sconsumer *c = g->c[i];
        rdb_put_string(b, c->name, c->nlen);
        ms_put(b, c->seen_time);
        rdb_put_len(b, c->pel.n);
        for (size_t k = 0; k < c->pel.n; k++)
            sid_put_raw(b, store_sc_pel_at(c, k));
    }
}

/* See dump.h. */
void dump_stream(struct rdb_buf *b, const struct store_stream *st)
{
    struct store_stream_info info;
    struct store_sid first = { 0, 0 };
    store_stream_info(st, &info);
    store_stream_first_id(st, &first);
    rdb_put_len(b, store_stream_nblocks(st));
    for (size_t i = 0; i < store_stream_nblocks(st); i++)
        if (dump_node(b, st, i) != 0)
            b->nomem = 1;
    rdb_put_len(b, info.length);
    rdb_put_len(b, info.last_id.ms);
    rdb_put_len(b, info.last_id.seq);
    rdb_put_len(b, first.ms);
    rdb_put_len(b, first.seq);
    rdb_put_len(b, info.max_deleted.ms);
    rdb_put_len(b, info.max_deleted.seq);
    rdb_put_len(b, info.entries_added);
    rdb_put_len(b, store_stream_ngroups(st));
    for (size_t i = 0; i < store_stream_ngroups(st); i++)
        dump_group(b, store_stream_group_at(st, i));
}
