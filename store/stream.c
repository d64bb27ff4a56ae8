/* stream.c - stream values: entries appended in ID order, stored in
 * blocks, and the bookkeeping Redis 7 keeps beside them (last ID, max
 * deleted ID, entries added). Consumer groups live in stream_group.c; the
 * two share the struct in stream_int.h.
 *
 * Entries arrive in ID order, so they are packed into contiguous blocks,
 * held in an array sorted by ID (blocks never overlap). A block ends
 * where Redis ends a stream node (stream-node-max-entries, 100, or about
 * stream-node-max-bytes, 4096, of listpack, which each block counts as
 * Redis would encode it), so that XTRIM "~" removes the same entries:
 *
 *   st->b[b0 .. b0+nb)  ->  block{first, last, used, cap, eoff, lastoff,
 *                                 lpbytes, n, live}
 *   block data:  [master fields][entry][entry]...
 *   master:      varint nf, then nf x (varint len, bytes): the field
 *                names of the block's first entry
 *   entry:       flags (DELETED, SAME, the ID's shape), the ID as one or
 *                two varints measured from the block's first ID (same
 *                ms: seq - first.seq; seq 0: ms - first.ms; else both
 *                ms - first.ms and seq), then with SAME (the master's
 *                names) nf x value, else varint nf and nf x (varint
 *                len, name bytes, value)
 *   value:       varint h: odd h is the number h >> 1 whose canonical
 *                decimal text ("0", "42", below 2^63; not "-1", "007" or
 *                "+1") is the value, even h is h >> 1 bytes of text
 *
 * Events from one source usually carry the same fields, and their values
 * are often counters, IDs and timestamps, so an entry typically costs a
 * flags byte, an ID byte or two, and its values, numbers in a third of
 * their text's bytes: 1M entries of "a <n> b <n> c <n>" take about 13
 * bytes each against Redis's 26. Every entry decodes from its own bytes
 * and its block's first ID, so a lookup walks the block without keeping
 * state, and a block keeps its first ID when its first entry is deleted.
 * Blocks take their allocation's whole size class (see "Block
 * allocation"); a 56-byte header and the master come once per block
 * (100 entries by default).
 *
 * A range lookup binary-searches the block array by ID, then walks
 * entries inside the block (100 by default). Deleting marks the entry
 * DELETED (a tombstone) and counts it out of the block's live entries; a
 * block XDEL leaves with no live entry is freed. Trimming from the head
 * frees whole blocks (the array keeps a head offset b0, so that is O(1))
 * and tombstones inside the first block that survives, with Redis's
 * rules for "~" and LIMIT so that XTRIM removes the same entries Redis
 * does; like Redis's node, that block stays even when no live entry is
 * left in it. So only the first block can be all tombstones, and the
 * first ID is found in the first two.
 *
 * Retention: the store keeps a ring of the streams that XADD touched
 * (s->streams, linked through the streams themselves, with a copy of the
 * key), so the sweeper can visit streams round robin without scanning the
 * keyspace. RENAME, COPY and MOVE re-register the stream they placed
 * (store_stream_placed), so a stream is only ever in the ring of the
 * store that holds it; a member whose key no longer holds it anyway
 * leaves the ring at its next visit and rejoins at its next touch.
 *
 * This file does not parse or format IDs and never reads a clock. Every
 * allocation goes through store__malloc & co; a failed one changes
 * nothing. */
#include "store/stream_int.h"

#include <malloc.h>
#include <stdlib.h>

#define BLOCK_PREALLOC_MAX 4096 /* a new block's room, as Redis's node */
#define E_DELETED 0x01
#define E_SAME 0x02             /* the master's field names */
#define E_ID_MASK 0x0c          /* the ID's shape (id_size) */
#define E_ID_SEQ 0x00
#define E_ID_MS 0x04
#define E_ID_BOTH 0x08

/* ---- IDs -------------------------------------------------------------- */

/* -1, 0 or 1 as a sorts before, equal to or after b. */
int store_sid_cmp(struct store_sid a, struct store_sid b)
{
    if (a.ms != b.ms)
        return a.ms < b.ms ? -1 : 1;
    if (a.seq != b.seq)
        return a.seq < b.seq ? -1 : 1;
    return 0;
}

/* The next ID; -1 (unchanged) when a is the greatest. */
int store_sid_incr(struct store_sid *a)
{
    if (a->seq == UINT64_MAX) {
        if (a->ms == UINT64_MAX)
            return -1;
        a->ms++;
        a->seq = 0;
    } else {
        a->seq++;
    }
    return 0;
}

/* The previous ID; -1 (unchanged) when a is 0-0. */
int store_sid_decr(struct store_sid *a)
{
    if (a->seq == 0) {
        if (a->ms == 0)
            return -1;
        a->ms--;
        a->seq = UINT64_MAX;
    } else {
        a->seq--;
    }
    return 0;
}

static int sid_zero(struct store_sid a)
{
    return a.ms == 0 && a.seq == 0;
}

/* ---- Values ----------------------------------------------------------- */

/* A value is a varint h, then for odd h nothing: the value is the
 * canonical decimal text of the number h >> 1; for even h, h >> 1 bytes
 * of text. Event fields are mostly counters, IDs and timestamps, which
 * this stores in a third of their text's bytes. */

#define NUM_DIGITS_MAX 19      /* below 2^63, so h >> 1 loses nothing */
_Static_assert(sizeof(((struct store_stream_entry *)0)->num) >=
                   NUM_DIGITS_MAX,
               "an entry holds a number's text");

/* 1 and *v if p[0..n) is exactly how num_format writes *v: "0", "42";
 * not "", "-1", "+1", "007", "1.0" or 2^63 and above, which stay text so
 * that every value reads back byte for byte. */
static int num_parse(const char *p, size_t n, uint64_t *v)
{
    if (n == 0 || n > NUM_DIGITS_MAX || (p[0] == '0' && n > 1))
        return 0;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)(unsigned char)p[i] - '0';
        if (d > 9)
            return 0;
        x = x * 10 + d;   /* 19 digits stay below 2^64 */
    }
    if (x >> 63)
        return 0;
    *v = x;
    return 1;
}

/* Writes v in decimal at the end of buf[0..NUM_DIGITS_MAX); returns where
 * the digits start. */
static char *num_format(uint64_t v, char *buf)
{
    char *p = buf + NUM_DIGITS_MAX;
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return p;
}

/* The varint that heads value p[0..n): a number's tag or text's length. */
static uint64_t val_head(const char *p, size_t n)
{
    uint64_t x;
    return num_parse(p, n, &x) ? x << 1 | 1 : (uint64_t)n << 1;
}

static size_t val_size(const char *p, size_t n)
{
    uint64_t h = val_head(p, n);
    return store__varint_len(h) + (h & 1 ? 0 : n);
}

static char *val_put(char *q, const char *p, size_t n)
{
    uint64_t h = val_head(p, n);
    q += store__varint_put(q, h);
    if (h & 1 || n == 0)
        return q;
    memcpy(q, p, n);
    return q + n;
}

/* Reads the value at p: its text into *v, *vlen (a number's into num,
 * NUM_DIGITS_MAX bytes); returns where the value ends. */
static const char *val_get(const char *p, char *num, const char **v,
                           size_t *vlen)
{
    uint64_t h;
    p += store__varint_get(p, &h);
    if (h & 1) {
        *v = num_format(h >> 1, num);
        *vlen = (size_t)(num + NUM_DIGITS_MAX - *v);
        return p;
    }
    *v = p;
    *vlen = h >> 1;
    return p + (h >> 1);
}

static const char *val_skip(const char *p)
{
    uint64_t h;
    p += store__varint_get(p, &h);
    return h & 1 ? p : p + (h >> 1);
}

/* ---- Entry decoding --------------------------------------------------- */

/* A field name: varint length, bytes. */
static const char *skip_str(const char *p)
{
    uint64_t n;
    p += store__varint_get(p, &n);
    return p + n;
}

/* The entry's ID, from its block's first ID f, in the shape its flags
 * name: the same ms (the seq's distance), seq 0 (the ms's distance), or
 * both distances. A burst of XADD * shares a millisecond, a trickle gets
 * one each: either way one varint, mostly a single byte. */
static size_t id_size(struct store_sid f, struct store_sid id, int *shape)
{
    if (id.ms == f.ms) {
        *shape = E_ID_SEQ;
        return store__varint_len(id.seq - f.seq);
    }
    *shape = id.seq == 0 ? E_ID_MS : E_ID_BOTH;
    return store__varint_len(id.ms - f.ms) +
           (id.seq == 0 ? 0 : store__varint_len(id.seq));
}

static char *id_put(char *p, struct store_sid f, struct store_sid id,
                    int shape)
{
    if (shape == E_ID_SEQ)
        return p + store__varint_put(p, id.seq - f.seq);
    p += store__varint_put(p, id.ms - f.ms);
    if (shape == E_ID_BOTH)
        p += store__varint_put(p, id.seq);
    return p;
}

/* The master field names' count, and where the names start. */
static const char *master_names(const struct sblock *b, uint64_t *nf)
{
    return b->data + store__varint_get(b->data, nf);
}

/* The header of the entry at p in b: ID, flags, field count; returns
 * where its values (SAME) or its count and pairs start. */
static const char *entry_head(const struct sblock *b, const char *p,
                              struct store_sid *id, int *flags, uint64_t *nf)
{
    uint64_t d;
    *flags = (unsigned char)*p++;
    p += store__varint_get(p, &d);
    switch (*flags & E_ID_MASK) {
    case E_ID_SEQ:
        id->ms = b->first.ms;
        id->seq = b->first.seq + d;
        break;
    case E_ID_MS:
        id->ms = b->first.ms + d;
        id->seq = 0;
        break;
    default:
        id->ms = b->first.ms + d;
        p += store__varint_get(p, &id->seq);
        break;
    }
    if (*flags & E_SAME)
        master_names(b, nf);
    else
        p += store__varint_get(p, nf);
    return p;
}

/* Where the entry after the one at p ends. */
static const char *entry_skip(const struct sblock *b, const char *p)
{
    struct store_sid id;
    int flags;
    uint64_t nf;
    p = entry_head(b, p, &id, &flags, &nf);
    for (uint64_t i = 0; i < nf; i++) {
        if (!(flags & E_SAME))
            p = skip_str(p);
        p = val_skip(p);
    }
    return p;
}

static void entry_view(const struct sblock *b, const char *p,
                       struct store_stream_entry *e)
{
    int flags;
    uint64_t nf;
    e->p = entry_head(b, p, &e->id, &flags, &nf);
    e->nfields = nf;
    e->left = nf;
    e->mf = NULL;
    if (flags & E_SAME)
        e->mf = master_names(b, &nf);
}

/* The next field/value pair of e: 1, or 0 when all were read. A number
 * value's text is in e, valid until the next call. */
int store_stream_field(struct store_stream_entry *e, const char **f,
                       size_t *flen, const char **v, size_t *vlen)
{
    if (e->left == 0)
        return 0;
    uint64_t n;
    const char *fp = e->mf ? e->mf : e->p;
    fp += store__varint_get(fp, &n);
    *f = fp;
    *flen = n;
    fp += n;
    if (e->mf)
        e->mf = fp;
    else
        e->p = fp;
    e->p = val_get(e->p, e->num, v, vlen);
    e->left--;
    return 1;
}

/* The offset of the entry after the one at off in b. */
static uint32_t next_off(const struct sblock *b, uint32_t off)
{
    return (uint32_t)(entry_skip(b, b->data + off) - b->data);
}

/* ---- Blocks ----------------------------------------------------------- */

static struct sblock *blk(const struct store_stream *st, size_t i)
{
    return st->b[st->b0 + i];
}

/* Index of the last block whose first ID is <= id, or -1 if none. */
static long block_find(const struct store_stream *st, struct store_sid id)
{
    size_t lo = 0, hi = st->nb;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (store_sid_cmp(blk(st, mid)->first, id) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (long)lo - 1;
}

/* Removes block i from the array and frees it. */
static void block_drop(struct store *s, struct store_stream *st, size_t i)
{
    store__free(s, blk(st, i));
    if (i == 0) {
        st->b0++;
    } else {
        memmove(&st->b[st->b0 + i], &st->b[st->b0 + i + 1],
                (st->nb - i - 1) * sizeof(*st->b));
    }
    st->nb--;
    if (st->nb == 0)
        st->b0 = 0;
}

/* Room for one more block pointer at the end. Returns 0 or -1. */
static int blocks_reserve(struct store *s, struct store_stream *st)
{
    if (st->b0 + st->nb < st->bcap)
        return 0;
    if (st->b0 > 0 && st->nb < st->bcap / 2) {
        memmove(st->b, st->b + st->b0, st->nb * sizeof(*st->b));
        st->b0 = 0;
        return 0;
    }
    size_t ncap = st->bcap ? st->bcap * 2 : 4;
    struct sblock **nb = store__realloc(s, st->b, ncap * sizeof(*nb));
    if (!nb)
        return -1;
    st->b = nb;
    st->bcap = ncap;
    return 0;
}

/* Encoded size of the field names fv[0], fv[2]... (nf of them). */
static size_t names_size(size_t nf, const size_t *fvlen)
{
    size_t t = 0;
    for (size_t i = 0; i < nf; i++)
        t += store__varint_len(fvlen[2 * i]) + fvlen[2 * i];
    return t;
}

/* Encoded size of the values fv[1], fv[3]... (nf of them). */
static size_t vals_size(size_t nf, const char *const *fv, const size_t *fvlen)
{
    size_t t = 0;
    for (size_t i = 0; i < nf; i++)
        t += val_size(fv[2 * i + 1], fvlen[2 * i + 1]);
    return t;
}

/* Writes field name f (its length, then its bytes) at p; returns where
 * it ends. */
static char *name_put(char *p, const char *f, size_t flen)
{
    p += store__varint_put(p, flen);
    if (flen)
        memcpy(p, f, flen);
    return p + flen;
}

/* Writes the count and names of fv at p; returns where they end. */
static char *names_put(char *p, size_t nf, const char *const *fv,
                       const size_t *fvlen)
{
    p += store__varint_put(p, nf);
    for (size_t i = 0; i < nf; i++)
        p = name_put(p, fv[2 * i], fvlen[2 * i]);
    return p;
}

/* 1 if the names fv[0], fv[2]... equal block b's master field names. */
static int same_fields(const struct sblock *b, size_t nf,
                       const char *const *fv, const size_t *fvlen)
{
    uint64_t mnf, n;
    const char *p = b->data + store__varint_get(b->data, &mnf);
    if (mnf != nf)
        return 0;
    for (size_t i = 0; i < nf; i++) {
        p += store__varint_get(p, &n);
        if (n != fvlen[2 * i] || (n && memcmp(p, fv[2 * i], n) != 0))
            return 0;
        p += n;
    }
    return 1;
}

/* ---- The stream ------------------------------------------------------- */

static void *obj_create(struct store *s, enum store_type t)
{
    (void)t;
    return store__calloc(s, 1, sizeof(struct store_stream));
}

/* An empty stream the caller owns until store_key_set_obj, or NULL. */
struct store_stream *store_stream_new(struct store *s)
{
    return obj_create(s, STORE_T_STREAM);
}

/* Takes st out of its store's retention ring, if it is in one. */
static void ring_unlink(struct store_stream *st)
{
    struct store *o = st->owner;
    if (!o)
        return;
    if (st->rnext == st) {
        o->streams = NULL;
    } else {
        st->rprev->rnext = st->rnext;
        st->rnext->rprev = st->rprev;
        if (o->streams == st)
            o->streams = st->rnext;
    }
    st->rnext = st->rprev = NULL;
    st->owner = NULL;
}

/* Puts st at the end of s's ring (just before the head). */
static void ring_link(struct store *s, struct store_stream *st)
{
    struct store_stream *h = s->streams;
    if (!h) {
        st->rnext = st->rprev = st;
        s->streams = st;
    } else {
        st->rnext = h;
        st->rprev = h->rprev;
        h->rprev->rnext = st;
        h->rprev = st;
    }
    st->owner = s;
}

static void obj_free(struct store *s, void *o)
{
    struct store_stream *st = o;
    if (!st)
        return;
    ring_unlink(st);
    for (size_t i = 0; i < st->nb; i++)
        store__free(s, blk(st, i));
    store__free(s, st->b);
    store__stream_groups_free(s, st);
    store__free(s, st->key);
    store__free(s, st);
}

/* See store.h. */
void store_stream_free(struct store *s, struct store_stream *st)
{
    obj_free(s, st);
}

static void *obj_clone(struct store *d, const void *o)
{
    const struct store_stream *src = o;
    struct store_stream *st = store__calloc(d, 1, sizeof(*st));
    if (!st)
        return NULL;
    st->length = src->length;
    st->entries_added = src->entries_added;
    st->last_id = src->last_id;
    st->max_deleted = src->max_deleted;
    if (src->nb) {
        st->b = store__malloc(d, src->nb * sizeof(*st->b));
        if (!st->b)
            goto fail;
        st->bcap = src->nb;
        for (size_t i = 0; i < src->nb; i++) {
            const struct sblock *b = blk(src, i);
            struct sblock *nb = store__malloc(d, sizeof(*b) + b->used);
            if (!nb)
                goto fail;
            memcpy(nb, b, sizeof(*b) + b->used);
            nb->cap = b->used;
            st->b[st->nb++] = nb;
        }
    }
    if (store__stream_groups_clone(d, st, src))
        goto fail;
    return st;
fail:
    obj_free(d, st);
    return NULL;
}

static size_t obj_mem(const void *o)
{
    const struct store_stream *st = o;
    size_t n = malloc_usable_size((void *)st);
    if (st->b)
        n += malloc_usable_size(st->b);
    for (size_t i = 0; i < st->nb; i++)
        n += malloc_usable_size(blk(st, i));
    if (st->key)
        n += malloc_usable_size(st->key);
    return n + store__stream_groups_mem(st);
}

static size_t obj_len(const void *o)
{
    return ((const struct store_stream *)o)->length;
}

/* 0 if the blocks, counters and groups agree with each other. */
static int obj_check(const void *o)
{
    const struct store_stream *st = o;
    uint64_t live = 0;
    struct store_sid prev = { 0, 0 };
    int any = 0;
    if (st->b0 + st->nb > st->bcap && st->nb)
        return -1;
    for (size_t i = 0; i < st->nb; i++) {
        const struct sblock *b = blk(st, i);
        if (b->used > b->cap || b->n == 0 || (b->live == 0 && i > 0) ||
            b->live > b->n)
            return -2;
        uint32_t k = 0, nlive = 0;
        for (uint32_t off = b->eoff; off < b->used; off = next_off(b, off)) {
            struct store_stream_entry e;
            entry_view(b, b->data + off, &e);
            if (any && store_sid_cmp(e.id, prev) <= 0)
                return -4;
            if (k++ == 0 && store_sid_cmp(e.id, b->first) != 0)
                return -5;
            prev = e.id;
            any = 1;
            if (!(b->data[off] & E_DELETED))
                nlive++;
        }
        if (k != b->n)
            return -3;
        if (nlive != b->live || store_sid_cmp(prev, b->last) != 0)
            return -6;
        live += nlive;
    }
    if (live != st->length || (any && store_sid_cmp(prev, st->last_id) > 0))
        return -7;
    if (st->entries_added < st->length)
        return -8;
    return store__stream_groups_check(st);
}

const struct store__obj_ops store__stream_ops = {
    obj_create, obj_free, obj_clone, obj_mem, obj_len, obj_check,
};

/* Fills *out with st's counters. */
void store_stream_info(const struct store_stream *st,
                       struct store_stream_info *out)
{
    out->length = st->length;
    out->entries_added = st->entries_added;
    out->last_id = st->last_id;
    out->max_deleted = st->max_deleted;
    out->nblocks = st->nb;
    out->ngroups = st->ng;
}

/* The first live entry's ID: 1 and *out, or 0 when empty. */
int store_stream_first_id(const struct store_stream *st,
                          struct store_sid *out)
{
    for (size_t i = 0; i < st->nb; i++) {
        const struct sblock *b = blk(st, i);
        const char *p = b->data + b->eoff, *end = b->data + b->used;
        for (; p < end; p = entry_skip(b, p)) {
            if (!(*p & E_DELETED)) {
                int flags;
                uint64_t nf;
                entry_head(b, p, out, &flags, &nf);
                return 1;
            }
        }
    }
    return 0;
}

/* The last live entry's ID: 1 and *out, or 0 when empty. */
int store_stream_last_live_id(const struct store_stream *st,
                              struct store_sid *out)
{
    if (st->nb == 0)
        return 0;
    const struct sblock *b = blk(st, st->nb - 1);
    if (!(b->data[b->lastoff] & E_DELETED)) {
        *out = b->last;
        return 1;
    }
    uint32_t live = b->used;
    for (uint32_t off = b->eoff; off < b->used; off = next_off(b, off))
        if (!(b->data[off] & E_DELETED))
            live = off;
    if (live == b->used)
        return 0;
    int flags;
    uint64_t nf;
    entry_head(b, b->data + live, out, &flags, &nf);
    return 1;
}

/* XADD *'s ID at now_ms. Returns 0, or -1 when IDs are exhausted. */
int store_stream_next_id(const struct store_stream *st, int64_t now_ms,
                         struct store_sid *out)
{
    uint64_t now = now_ms < 0 ? 0 : (uint64_t)now_ms;
    if (now > st->last_id.ms) {
        out->ms = now;
        out->seq = 0;
        return 0;
    }
    *out = st->last_id;
    return store_sid_incr(out);
}

/* ---- Redis's node size ------------------------------------------------ */

/* XTRIM "~" removes whole blocks only, so which entries it removes depends
 * on where blocks end; to remove the ones Redis does, a block ends where
 * Redis ends a node: at stream-node-max-entries entries (deleted ones
 * too), or when the node's listpack bytes plus the new entry's field and
 * value lengths reach stream-node-max-bytes (the store's limits). A block
 * counts its listpack bytes as Redis would encode them: integers (and
 * strings that are canonical int64s) in 1 to 9 bytes, other strings
 * after a 1, 2 or 5 byte length, each element followed by its back
 * length. The master's live and deleted counts, which Redis rewrites in
 * place, are counted apart (lp_now), as their sizes follow them. */

#define LP_HEADER 7            /* total bytes, element count, end byte */

static uint32_t lp_elem(size_t enc)
{
    size_t back = enc < 128         ? 1
                  : enc < 16383     ? 2
                  : enc < 2097151   ? 3
                  : enc < 268435455 ? 4
                                    : 5;
    size_t n = enc + back;
    return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

static uint32_t lp_int(int64_t v)
{
    size_t enc = v >= 0 && v <= 127                   ? 1
                 : v >= -4096 && v <= 4095            ? 2
                 : v >= -32768 && v <= 32767          ? 3
                 : v >= -8388608 && v <= 8388607      ? 4
                 : v >= INT32_MIN && v <= INT32_MAX   ? 5
                                                      : 9;
    return lp_elem(enc);
}

/* A string as listpack stores it: as an integer if it is one's canonical
 * text (as Redis's string2ll reads it). */
static uint32_t lp_str(const char *p, size_t n)
{
    int64_t v;
    if (store_i64_parse(p, n, &v))
        return lp_int(v);
    return lp_elem(n < 64 ? 1 + n : n < 4096 ? 2 + n : 5 + n);
}

static uint32_t sat_add(uint32_t a, size_t b)
{
    return b > UINT32_MAX - a ? UINT32_MAX : (uint32_t)(a + b);
}

/* The listpack bytes of the entry id (fields fv) in a node whose master
 * ID is f: flags, ms and seq distances, [count, names,] values, and the
 * element count that lets Redis walk the node backwards. */
static uint32_t lp_entry(struct store_sid f, struct store_sid id, int same,
                         size_t nf, const char *const *fv, const size_t *fvlen)
{
    uint32_t t = lp_int(0);
    t = sat_add(t, lp_int((int64_t)(id.ms - f.ms)));
    t = sat_add(t, lp_int((int64_t)(id.seq - f.seq)));
    if (!same)
        t = sat_add(t, lp_int((int64_t)nf));
    for (size_t i = 0; i < nf; i++) {
        if (!same)
            t = sat_add(t, lp_str(fv[2 * i], fvlen[2 * i]));
        t = sat_add(t, lp_str(fv[2 * i + 1], fvlen[2 * i + 1]));
    }
    return sat_add(t, lp_int((int64_t)(3 + nf + (same ? 0 : nf + 1))));
}

/* A new node's header and master entry: count, deleted (both as 0), the
 * names and their count, and the terminating 0. */
static uint32_t lp_master(size_t nf, const char *const *fv,
                          const size_t *fvlen)
{
    uint32_t t = LP_HEADER + 2 * lp_int(0) + lp_int((int64_t)nf);
    for (size_t i = 0; i < nf; i++)
        t = sat_add(t, lp_str(fv[2 * i], fvlen[2 * i]));
    return sat_add(t, lp_int(0));
}

/* b's size as Redis's node now: its live and deleted counts as they are. */
static uint32_t lp_now(const struct sblock *b)
{
    uint32_t counts = lp_int(b->live) + lp_int(b->n - b->live);
    return sat_add(b->lpbytes, counts - 2 * lp_int(0));
}

/* 1 if Redis would start a new node for an entry of fields fv. */
static int lp_full(const struct store *s, const struct sblock *b, size_t nf,
                   const size_t *fvlen)
{
    if (b->n >= s->limits.stream_entries)
        return 1;
    size_t raw = 0;
    for (size_t i = 0; i < 2 * nf; i++)
        raw += fvlen[i];
    return lp_now(b) + raw >= s->limits.stream_bytes;
}

/* ---- Block allocation ------------------------------------------------- */

/* Block sizes follow the allocator: a block's cap is all that its
 * allocation can hold (malloc_usable_size), so the size class's rounding
 * is room to fill rather than waste. A stream's first block starts small
 * and grows by half (a stream may never see a second entry); later ones
 * start at the size of the block before them, which filled up, so a
 * steady stream fills each block without copying it. A full block is
 * shrunk to its bytes when the next one opens. */
#define BLOCK_MIN_CAP 128

static struct sblock *block_realloc(struct store *s, struct sblock *b,
                                    size_t cap)
{
    struct sblock *t = store__realloc(s, b, sizeof(*t) + cap);
    if (t)
        t->cap = (uint32_t)(malloc_usable_size(t) - sizeof(*t));
    return t;
}

/* Gives the slack of the last block, which is full, back. */
static void block_seal(struct store *s, struct store_stream *st)
{
    struct sblock *b = blk(st, st->nb - 1);
    if (b->cap <= b->used + 16)
        return;
    struct sblock *t = block_realloc(s, b, b->used);
    if (t)
        st->b[st->b0 + st->nb - 1] = t;
}

/* A new last block with the names of fv as its master, room for need
 * more bytes; NULL when out of memory (nothing changed). */
static struct sblock *block_open(struct store *s, struct store_stream *st,
                                 size_t nf, const char *const *fv,
                                 const size_t *fvlen, size_t need)
{
    size_t msz = store__varint_len(nf) + names_size(nf, fvlen);
    size_t cap = BLOCK_MIN_CAP;
    if (st->nb) {
        const struct sblock *prev = blk(st, st->nb - 1);
        cap = prev->used + prev->used / 16;
        if (cap > BLOCK_PREALLOC_MAX)
            cap = BLOCK_PREALLOC_MAX;
    }
    if (cap < msz + need)
        cap = msz + need;
    if (blocks_reserve(s, st))
        return NULL;
    struct sblock *b = block_realloc(s, NULL, cap);
    if (!b)
        return NULL;
    if (st->nb)
        block_seal(s, st);
    b->n = b->live = 0;
    b->eoff = b->used = (uint32_t)(names_put(b->data, nf, fv, fvlen) -
                                   b->data);
    st->b[st->b0 + st->nb++] = b;
    return b;
}

/* Room for need more bytes in the last block. Returns 0 or -1. */
static int block_grow(struct store *s, struct store_stream *st, size_t need)
{
    struct sblock *b = blk(st, st->nb - 1);
    if (b->used + need <= b->cap)
        return 0;
    size_t cap = b->cap + b->cap / 2;
    if (cap < b->used + need)
        cap = b->used + need;
    struct sblock *t = block_realloc(s, b, cap);
    if (!t)
        return -1;
    st->b[st->b0 + st->nb - 1] = t;
    return 0;
}

/* Writes entry id at p in a block whose first ID is f; returns where it
 * ends. */
static char *entry_put(char *p, struct store_sid f, struct store_sid id,
                       int same, int shape, size_t nf, const char *const *fv,
                       const size_t *fvlen)
{
    *p++ = (char)((same ? E_SAME : 0) | shape);
    p = id_put(p, f, id, shape);
    if (same) {
        for (size_t i = 0; i < nf; i++)
            p = val_put(p, fv[2 * i + 1], fvlen[2 * i + 1]);
        return p;
    }
    p += store__varint_put(p, nf);
    for (size_t i = 0; i < nf; i++) {
        p = name_put(p, fv[2 * i], fvlen[2 * i]);
        p = val_put(p, fv[2 * i + 1], fvlen[2 * i + 1]);
    }
    return p;
}

/* Appends entry id with nfields pairs fv[2i], fv[2i+1]. Returns
 * STORE_OK, STORE_EXISTS (id is not above the last ID), STORE_TOO_BIG or
 * STORE_NOMEM (nothing changed). */
int store_stream_append(struct store *s, struct store_stream *st,
                        struct store_sid id, size_t nfields,
                        const char *const *fv, const size_t *fvlen)
{
    if (store_sid_cmp(id, st->last_id) <= 0)
        return STORE_EXISTS;
    size_t vsz = vals_size(nfields, fv, fvlen);
    struct sblock *b = st->nb ? blk(st, st->nb - 1) : NULL;
    int same = 0, shape = E_ID_SEQ;
    size_t esz = 0;
    if (b) {
        same = same_fields(b, nfields, fv, fvlen);
        esz = 1 + id_size(b->first, id, &shape) + vsz;
        if (!same)
            esz += store__varint_len(nfields) + names_size(nfields, fvlen);
    }
    if (!b || st->cut || lp_full(s, b, nfields, fvlen)) {
        /* The first entry of a new block: its names are the master's,
         * its ID the block's first (ID_SEQ, distance 0). */
        same = 1;
        shape = E_ID_SEQ;
        esz = 1 + 1 + vsz;
        if (esz + names_size(nfields, fvlen) > UINT32_MAX / 2)
            return STORE_TOO_BIG;
        b = block_open(s, st, nfields, fv, fvlen, esz);
        if (!b)
            return STORE_NOMEM;
        b->first = id;
        b->lpbytes = lp_master(nfields, fv, fvlen);
        st->cut = 0;
    } else if (block_grow(s, st, esz)) {
        return STORE_NOMEM;
    }
    b = blk(st, st->nb - 1);
    b->lpbytes = sat_add(b->lpbytes,
                         lp_entry(b->first, id, same, nfields, fv, fvlen));
    b->lastoff = b->used;
    char *p = entry_put(b->data + b->used, b->first, id, same, shape,
                        nfields, fv, fvlen);
    b->used = (uint32_t)(p - b->data);
    b->n++;
    b->live++;
    b->last = id;
    st->length++;
    st->entries_added++;
    st->last_id = id;
    return STORE_OK;
}

/* Finds entry id: its block index in *bi and offset in *off. 1 if found
 * (live or deleted), else 0. */
static int entry_find(const struct store_stream *st, struct store_sid id,
                      size_t *bi, uint32_t *off)
{
    long i = block_find(st, id);
    if (i < 0)
        return 0;
    const struct sblock *b = blk(st, (size_t)i);
    if (store_sid_cmp(id, b->last) > 0)
        return 0;
    const char *p = b->data + b->eoff, *end = b->data + b->used;
    while (p < end) {
        struct store_sid eid;
        int flags;
        uint64_t nf;
        entry_head(b, p, &eid, &flags, &nf);
        int c = store_sid_cmp(eid, id);
        if (c == 0) {
            *bi = (size_t)i;
            *off = (uint32_t)(p - b->data);
            return 1;
        }
        if (c > 0)
            return 0;
        p = entry_skip(b, p);
    }
    return 0;
}

/* Live entry id into *e (may be NULL): 1, else 0. */
int store_stream_get(const struct store_stream *st, struct store_sid id,
                     struct store_stream_entry *e)
{
    size_t bi;
    uint32_t off;
    if (!entry_find(st, id, &bi, &off))
        return 0;
    const struct sblock *b = blk(st, bi);
    if (b->data[off] & E_DELETED)
        return 0;
    if (e)
        entry_view(b, b->data + off, e);
    return 1;
}

/* Tombstones live entry id; a block left with no live entry is freed,
 * but for the first one with keep_first. Returns 1, or 0 if it was not
 * live. */
static int tombstone(struct store *s, struct store_stream *st,
                     struct store_sid id, int keep_first)
{
    size_t bi;
    uint32_t off;
    if (!entry_find(st, id, &bi, &off))
        return 0;
    struct sblock *b = blk(st, bi);
    if (b->data[off] & E_DELETED)
        return 0;
    b->data[off] |= E_DELETED;
    b->live--;
    st->length--;
    if (store_sid_cmp(id, st->max_deleted) > 0)
        st->max_deleted = id;
    if (b->live == 0 && !(keep_first && bi == 0))
        block_drop(s, st, bi);
    return 1;
}

/* See store.h. */
int store_stream_delete(struct store *s, struct store_stream *st,
                        struct store_sid id)
{
    return tombstone(s, st, id, 0);
}

/* See store.h. */
int store_stream_bury(struct store *s, struct store_stream *st,
                      struct store_sid id)
{
    return tombstone(s, st, id, 1);
}

/* See store.h. */
void store_stream_cut(struct store_stream *st)
{
    st->cut = 1;
}

/* XSETID: the caller checked the values against the stream. */
void store_stream_set_last(struct store_stream *st, struct store_sid id,
                           int64_t entries_added, struct store_sid maxdel)
{
    st->last_id = id;
    if (entries_added >= 0)
        st->entries_added = (uint64_t)entries_added;
    if (!sid_zero(maxdel))
        st->max_deleted = maxdel;
}

/* See store.h. */
void store_stream_set_counters(struct store_stream *st, struct store_sid last,
                               uint64_t entries_added,
                               struct store_sid maxdel)
{
    st->last_id = last;
    st->entries_added = entries_added;
    st->max_deleted = maxdel;
}

/* Redis's streamTrim: whole blocks from the head while they can go,
 * then (unless approx) tombstones inside the next one. */
uint64_t store_stream_trim(struct store *s, struct store_stream *st,
                           uint64_t maxlen, const struct store_sid *minid,
                           int approx, uint64_t limit)
{
    uint64_t removed = 0;
    while (st->nb > 0) {
        if (!minid && st->length <= maxlen)
            break;
        struct sblock *b = blk(st, 0);
        uint64_t entries = b->live;
        if (limit && removed + entries > limit)
            break;
        int whole = minid ? store_sid_cmp(b->last, *minid) < 0
                          : st->length - entries >= maxlen;
        if (whole) {
            block_drop(s, st, 0);
            st->length -= entries;
            removed += entries;
            continue;
        }
        if (approx)
            break;
        char *p = b->data + b->eoff, *end = b->data + b->used;
        while (p < end) {
            struct store_sid id;
            int flags;
            uint64_t nf;
            entry_head(b, p, &id, &flags, &nf);
            if (!(flags & E_DELETED)) {
                if (!minid && st->length <= maxlen)
                    break;
                if (minid && store_sid_cmp(id, *minid) >= 0)
                    break;
                *p |= E_DELETED;
                b->live--;
                st->length--;
                removed++;
            }
            p = (char *)entry_skip(b, p);
        }
        break;                  /* a block left all tombstones stays */
    }
    return removed;
}

/* ---- Range iteration -------------------------------------------------- */

/* A walk holds the offsets of a window of up to STORE_STREAM_IT_WINDOW
 * entries of its block: forwards, the entries from it->edge on; in
 * reverse, the ones just before it->edge. Entries decode only forwards,
 * so a reverse window reads the block from its start up to the edge,
 * keeping the last offsets in a ring. A block of the default 100
 * entries takes one window either way; a block of n above the window
 * costs about n * n / 256 steps to walk whole in reverse. */
#define WINDOW STORE_STREAM_IT_WINDOW

static uint32_t window_forward(const struct sblock *b, uint32_t *edge,
                               uint32_t *offs)
{
    uint32_t k = 0, off = *edge;
    for (; off < b->used && k < WINDOW; off = next_off(b, off))
        offs[k++] = off;
    *edge = off;
    return k;
}

static uint32_t window_back(const struct sblock *b, uint32_t *edge,
                            uint32_t *offs)
{
    uint32_t ring[WINDOW], t = 0;
    for (uint32_t off = b->eoff; off < *edge; off = next_off(b, off))
        ring[t++ % WINDOW] = off;
    uint32_t k = t < WINDOW ? t : WINDOW;
    for (uint32_t j = 0; j < k; j++)
        offs[j] = ring[(t - k + j) % WINDOW];
    if (k)
        *edge = offs[0];
    return k;
}

/* The next window of block b: how many entries it holds (0: b is done). */
static uint32_t window_fill(struct store_stream_it *it, const struct sblock *b)
{
    it->nk = it->rev ? window_back(b, &it->edge, it->offs)
                     : window_forward(b, &it->edge, it->offs);
    it->k = it->rev ? it->nk : 0;
    return it->nk;
}

static void window_at_block(struct store_stream_it *it, size_t i)
{
    const struct sblock *b = blk(it->st, i);
    it->b = i;
    it->edge = it->rev ? b->used : b->eoff;
    it->nk = it->k = 0;
}

/* Starts a walk over live entries with lo <= ID <= hi, reverse if rev. */
void store_stream_it_init(struct store_stream_it *it,
                          const struct store_stream *st,
                          struct store_sid lo, struct store_sid hi, int rev)
{
    it->st = st;
    it->lo = lo;
    it->hi = hi;
    it->rev = rev;
    it->done = store_sid_cmp(lo, hi) > 0 || st->nb == 0;
    it->nk = it->k = 0;
    if (it->done)
        return;
    long i = block_find(st, rev ? hi : lo);
    if (i < 0) {
        if (rev) {
            it->done = 1;
            return;
        }
        i = 0;
    }
    window_at_block(it, (size_t)i);
}

/* The next live entry in range: 1 and *e, or 0 at the end. */
int store_stream_it_next(struct store_stream_it *it,
                         struct store_stream_entry *e)
{
    const struct store_stream *st = it->st;
    while (!it->done) {
        const struct sblock *b = blk(st, it->b);
        if ((it->rev ? it->k == 0 : it->k == it->nk) && !window_fill(it, b)) {
            if (it->rev ? it->b == 0 : it->b + 1 >= st->nb) {
                it->done = 1;
                break;
            }
            window_at_block(it, it->rev ? it->b - 1 : it->b + 1);
            continue;
        }
        uint32_t off = it->rev ? it->offs[--it->k] : it->offs[it->k++];
        const char *p = b->data + off;
        entry_view(b, p, e);
        if (it->rev) {
            if (store_sid_cmp(e->id, it->lo) < 0) {
                it->done = 1;
                break;
            }
            if (store_sid_cmp(e->id, it->hi) > 0)
                continue;
        } else {
            if (store_sid_cmp(e->id, it->hi) > 0) {
                it->done = 1;
                break;
            }
            if (store_sid_cmp(e->id, it->lo) < 0)
                continue;
        }
        if (*p & E_DELETED)
            continue;
        return 1;
    }
    return 0;
}

/* See store.h. */
size_t store_stream_nblocks(const struct store_stream *st)
{
    return st->nb;
}

/* Byte d of block i's key in Redis's rax: its first ID as 16 big-endian
 * bytes, milliseconds then sequence. */
static unsigned rax_byte(const struct store_stream *st, size_t i, int d)
{
    const struct sblock *b = blk(st, i);
    uint64_t v = d < 8 ? b->first.ms : b->first.seq;
    return (unsigned)(v >> (8 * (7 - d % 8))) & 0xff;
}

/* Depth at which blocks lo and hi-1 (and so every block between, the
 * keys being sorted) first differ, at least d. */
static int rax_common(const struct store_stream *st, size_t lo, size_t hi,
                      int d)
{
    while (d < 16 && rax_byte(st, lo, d) == rax_byte(st, hi - 1, d))
        d++;
    return d;
}

/* Nodes under a rax node that starts at depth d over keys [lo, hi): the
 * chain down to where they branch (one node when it has a byte), the
 * branch, then a subtree per byte value; one key is a chain and a leaf. */
static size_t rax_subtree(const struct store_stream *st, size_t lo,
                          size_t hi, int d)
{
    if (hi - lo == 1)
        return d == 16 ? 1 : 2;
    int at = rax_common(st, lo, hi, d);
    size_t n = (at > d) + 1;
    for (size_t i = lo; i < hi;) {
        size_t j = i + 1;
        while (j < hi && rax_byte(st, j, at) == rax_byte(st, i, at))
            j++;
        n += rax_subtree(st, i, j, at + 1);
        i = j;
    }
    return n;
}

/* See store.h. Redis's rax merges every unbranched run into one node
 * after each insert and delete, so its node count depends only on the
 * keys: the root, each branch, each branch's children and the leaves. */
size_t store_stream_rax_nodes(const struct store_stream *st)
{
    return st->nb ? rax_subtree(st, 0, st->nb, 0) : 1;
}

/* See store.h. eoff is never 0 (the master comes first), so 0 can mean
 * "from the first entry". */
int store_stream_block_next(const struct store_stream *st, size_t i,
                            uint32_t *off, struct store_stream_entry *e,
                            int *deleted)
{
    const struct sblock *b = blk(st, i);
    uint32_t o = *off ? *off : b->eoff;
    if (o >= b->used)
        return 0;
    const char *p = b->data + o;
    entry_view(b, p, e);
    *deleted = *p & E_DELETED;
    *off = (uint32_t)(entry_skip(b, p) - b->data);
    return 1;
}

/* ---- Read counters (Redis 7's lag arithmetic) ------------------------- */

/* 1 if a tombstone may lie in [lo, hi] (hi NULL: up to the end). */
int store_stream_has_tombstones(const struct store_stream *st,
                                struct store_sid lo,
                                const struct store_sid *hi)
{
    struct store_sid first;
    if (!st->length || sid_zero(st->max_deleted))
        return 0;
    if (store_stream_first_id(st, &first) &&
        store_sid_cmp(first, st->max_deleted) > 0)
        return 0;
    struct store_sid end = { UINT64_MAX, UINT64_MAX };
    if (hi)
        end = *hi;
    return store_sid_cmp(lo, st->max_deleted) <= 0 &&
           store_sid_cmp(st->max_deleted, end) <= 0;
}

/* The logical read counter of id: entries from the first ever added up
 * to id, or STORE_SG_READ_UNKNOWN. */
int64_t store_stream_estimate_read(const struct store_stream *st,
                                   struct store_sid id)
{
    if (!st->entries_added)
        return 0;
    if (!st->length && store_sid_cmp(id, st->last_id) < 1)
        return (int64_t)st->entries_added;
    int cmp_last = store_sid_cmp(id, st->last_id);
    if (cmp_last == 0)
        return (int64_t)st->entries_added;
    if (cmp_last > 0)
        return STORE_SG_READ_UNKNOWN;
    struct store_sid first = { UINT64_MAX, UINT64_MAX };
    store_stream_first_id(st, &first);
    int cmp_first = store_sid_cmp(id, first);
    if (sid_zero(st->max_deleted) ||
        store_sid_cmp(st->max_deleted, first) < 0) {
        if (cmp_first < 0)
            return (int64_t)(st->entries_added - st->length);
        if (cmp_first == 0)
            return (int64_t)(st->entries_added - st->length + 1);
    }
    return STORE_SG_READ_UNKNOWN;
}

/* ---- Retention ---------------------------------------------------------- */

/* Records that st is stored at key in s (for the retention sweep).
 * Returns STORE_OK or STORE_NOMEM (st then stays out of the ring). */
int store_stream_touch(struct store *s, struct store_stream *st,
                       const char *key, size_t klen)
{
    if (st->owner == s && st->klen == klen &&
        (klen == 0 || memcmp(st->key, key, klen) == 0))
        return STORE_OK;
    char *k = store__malloc(s, klen ? klen : 1);
    if (!k) {
        /* Out of every ring rather than in one of another store. */
        ring_unlink(st);
        return STORE_NOMEM;
    }
    if (klen)
        memcpy(k, key, klen);
    store__free(s, st->key);
    st->key = k;
    st->klen = klen;
    ring_unlink(st);
    ring_link(s, st);
    return STORE_OK;
}

/* After RENAME, COPY or MOVE put a value at key in s: a stream there is
 * registered under its new key, and a moved one leaves the ring of the
 * store it came from, which must not point at it once it lives (and may
 * be freed) elsewhere. */
void store_stream_placed(struct store *s, const char *key, size_t klen,
                         int64_t now_ms)
{
    struct store_entry *e = store_key_find(s, key, klen, now_ms);
    if (e && e->type == STORE_T_STREAM)
        store_stream_touch(s, store__obj(e), key, klen);
}

/* One round-robin pass over up to visits streams of s's ring; see
 * store.h. */
size_t store_stream_retention_step(struct store *s, int64_t now_ms,
                                   uint64_t max_entries,
                                   int64_t retention_ms, uint64_t limit,
                                   size_t visits, store_stream_trim_cb cb,
                                   void *ctx)
{
    size_t visited = 0;
    struct store_stream *start = s->streams;
    while (visited < visits && s->streams) {
        struct store_stream *st = s->streams;
        s->streams = st->rnext;
        visited++;
        uint64_t h = store__hash(st->key, st->klen);
        struct store_shard *sh = store__shard(s, h);
        struct store_entry **l = store__table_find(sh, h, st->key, st->klen);
        if (!l || (*l)->type != STORE_T_STREAM || store__obj(*l) != st) {
            /* Renamed, moved or copied over: it rejoins at its next
             * XADD, under its new key. */
            if (start == st)
                start = st->rnext == st ? NULL : st->rnext;
            ring_unlink(st);
            if (!start)
                break;
            continue;
        }
        if (!store__expired(*l, now_ms)) {
            uint64_t removed = 0;
            if (max_entries && st->length > max_entries)
                removed += store_stream_trim(s, st, max_entries, NULL, 0,
                                             limit);
            if (retention_ms > 0 && now_ms > retention_ms) {
                struct store_sid minid = { (uint64_t)(now_ms - retention_ms),
                                           0 };
                if (!limit || removed < limit)
                    removed += store_stream_trim(s, st, 0, &minid, 0,
                                                 limit ? limit - removed : 0);
            }
            if (removed && cb)
                cb(ctx, st->key, st->klen, removed);
        }
        if (s->streams == start)
            break;
    }
    return visited;
}
