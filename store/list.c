/* list.c - list values: a doubly linked list of compact blocks.
 *
 * The entry of a list key holds, as its value bytes, a pointer to a
 * struct store_list it owns (store_int.h, store__obj_ops). The elements
 * live in blocks of bounded size (8 KiB by default), each a contiguous
 * run of encoded elements like Redis's listpack, chained like its
 * quicklist:
 *
 *   store_list {head, tail, n, nblk}
 *      head -> [prev|next|used|count| e0 e1 e2 ...] <-> [...] <- tail
 *
 *   element:  [tag][payload][backlen]
 *     tag 0x00..0x7f   a string of tag bytes follows
 *     tag 0x80..0xbf   the integer tag - 0x80 (0..63), no payload
 *     tag 0xc0..0xc7   an integer in tag - 0xbf bytes, little endian,
 *                      two's complement
 *     tag 0xc8         a LEB128 length, then that many string bytes
 *     backlen          tag + payload size as a LEB128 read backwards
 *                      (one byte up to 127), so a block can be walked
 *                      from either end
 *
 * A short string costs two bytes more than its text and a canonical
 * decimal integer (what Redis's string2ll accepts and prints back the
 * same) is stored as a number: "42" takes two bytes, "1700000000" six.
 * Integers read back as their decimal text, so no client can tell.
 *
 * A small list is one block: the "compact encoding" (store_list_is_compact)
 * is simply the case nblk <= 1, so outgrowing one block converts it with
 * no copy, and a list that shrinks merges its blocks back. A push to
 * either end is O(1) (one memmove within the end block, like a listpack);
 * an index walks whole blocks by their counts from the nearer end, then
 * elements within one block from its nearer end.
 *
 * Invariants (list_check): blocks are never empty; a block holds at most
 * what list-max-listpack-size allowed when it last grew, unless it holds
 * a single element (a big value gets a block of its own); counts add up
 * to n; prev/next agree.
 *
 * Every allocation goes through store__malloc & co.; an operation that
 * needs memory allocates before it changes anything, so a failure
 * returns STORE_NOMEM with the list as it was. Tidying after deletions
 * (merging small neighbours, giving back unused capacity) may fail
 * silently: it never changes the contents.
 *
 * The block size is list-max-listpack-size (store_set_limits; Redis's
 * default -2 is 8 KiB). Not done: list-compress-depth (nothing is
 * compressed). */
#include "store/store_int.h"

#include <malloc.h>
#include <stdlib.h>

#define BLK_MAX_ABS 65536              /* -5: the largest block, bytes */

struct lblk {
    struct lblk *prev, *next;
    uint32_t used;                     /* bytes of d[] holding elements */
    uint32_t count;                    /* elements, > 0 */
    unsigned char d[];
};

#define BLK_HDR offsetof(struct lblk, d)

/* How full a block may get: the store's list-max-listpack-size read as
 * Redis does (> 0: elements, with bytes capped at 8 KiB for safety;
 * -1..-5: 4..64 KiB). Two neighbours are merged when together they
 * fill at most three quarters of both limits. */
struct fill {
    size_t bytes;                      /* of d[] */
    uint32_t count;
};

static struct fill fill_of(const struct store *s)
{
    int64_t ls = s->limits.list_size;
    struct fill f;
    if (ls > 0) {
        f.bytes = 8192 - BLK_HDR;
        f.count = (uint32_t)ls;
    } else {
        f.bytes = ((size_t)4096 << (-ls - 1)) - BLK_HDR;
        f.count = UINT32_MAX;
    }
    return f;
}

static int fits(const struct fill *f, const struct lblk *b, size_t bytes,
                size_t count)
{
    return b->used + bytes <= f->bytes && b->count + count <= f->count;
}

static int merge_fits(const struct fill *f, const struct lblk *a,
                      const struct lblk *b)
{
    return a->used + b->used <= f->bytes / 4 * 3 &&
           (uint64_t)a->count + b->count <= (uint64_t)f->count / 4 * 3;
}

struct store_list {
    struct lblk *head, *tail;
    size_t n;                          /* elements */
    size_t nblk;                       /* blocks */
};

#define T_UINT6 0x80
#define T_INT 0xc0
#define T_LSTR 0xc8

/* ---- Element encoding ---------------------------------------------------- */

/* The backlen: v's LEB128 groups stored so that reading backwards from
 * the end gives the low group first. */
static void backlen_put(unsigned char *p, size_t v)
{
    size_t n = store__varint_len(v);
    for (size_t i = 0; i < n; i++) {
        p[n - 1 - i] = (unsigned char)((v & 0x7f) | (i + 1 < n ? 0x80 : 0));
        v >>= 7;
    }
}

/* Reads the backlen that ends at end; returns its length in bytes. */
static size_t backlen_get(const unsigned char *end, size_t *v)
{
    size_t r = 0;
    for (size_t i = 0;; i++) {
        unsigned char b = end[-1 - (ptrdiff_t)i];
        r |= (size_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            *v = r;
            return i + 1;
        }
    }
}

/* store_i64_parse for 19 or 20 digits d[0..n) (first not '0'), which
 * may overflow: each step is tested. */
static int i64_parse_long(const char *d, size_t n, int neg, int64_t *out)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned c = (unsigned)(unsigned char)d[i] - '0';
        if (c > 9 || v > (UINT64_MAX - c) / 10)
            return 0;
        v = v * 10 + c;
    }
    if (neg) {
        if (v > (uint64_t)INT64_MAX + 1)
            return 0;
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    } else {
        if (v > (uint64_t)INT64_MAX)
            return 0;
        *out = (int64_t)v;
    }
    return 1;
}

/* Parses p[0..n) as a signed 64-bit decimal with Redis's strictness
 * (string2ll: the texts that format back to themselves). Returns 1 and
 * sets *out, or 0. server/ parses integer arguments with it too, so a
 * list stores as a number exactly what a client may use as one. Up to 18
 * digits cannot overflow, so the numbers nearly every call sends skip
 * the per-digit overflow test; longer ones take i64_parse_long. */
int store_i64_parse(const char *p, size_t n, int64_t *out)
{
    if (n == 0 || n > 20)
        return 0;
    int neg = p[0] == '-';
    size_t i = (size_t)neg;
    /* "0" is the only text that may start with a zero ("-0" is not). */
    if (i == n || (p[i] == '0' && n > 1))
        return 0;
    if (n - i > 18)
        return i64_parse_long(p + i, n - i, neg, out);
    int64_t v = 0;
    for (; i < n; i++) {
        unsigned d = (unsigned)(unsigned char)p[i] - '0';
        if (d > 9)
            return 0;
        v = v * 10 + (int64_t)d;
    }
    *out = neg ? -v : v;
    return 1;
}

/* Two digits a step halves the divisions; "00".."99". */
static const char digits2[] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

/* See store_int.h. Reading a list of numbers (LRANGE, SORT) or an intset
 * (SMEMBERS) turns every element back into text, so this is on their
 * path. */
char *store__int_text(char *end, int64_t v)
{
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    char *p = end;
    for (; u >= 100; u /= 100) {
        p -= 2;
        memcpy(p, digits2 + u % 100 * 2, 2);
    }
    if (u >= 10) {
        p -= 2;
        memcpy(p, digits2 + u * 2, 2);
    } else {
        *--p = (char)('0' + u);
    }
    if (v < 0)
        *--p = '-';
    return p;
}

/* An element ready to be written: tag and integer bytes or string length
 * in h, then the string bytes p (NULL for an integer). */
struct enc {
    unsigned char h[16];
    size_t hlen;
    const char *p;
    size_t plen;
    size_t size;                       /* hlen + plen */
    size_t total;                      /* size + backlen */
};

static void enc_make(struct enc *e, const char *v, size_t vlen)
{
    int64_t x;
    e->p = NULL;
    e->plen = 0;
    if (store_i64_parse(v, vlen, &x)) {
        if (x >= 0 && x < 64) {
            e->h[0] = (unsigned char)(T_UINT6 + x);
            e->hlen = 1;
        } else {
            int k = 1;
            while (k < 8 && !(x >= -((int64_t)1 << (8 * k - 1)) &&
                              x < ((int64_t)1 << (8 * k - 1))))
                k++;
            uint64_t u = (uint64_t)x;
            e->h[0] = (unsigned char)(T_INT + k - 1);
            for (int i = 0; i < k; i++)
                e->h[1 + i] = (unsigned char)(u >> (8 * i));
            e->hlen = 1 + (size_t)k;
        }
    } else if (vlen < 0x80) {
        e->h[0] = (unsigned char)vlen;
        e->hlen = 1;
        e->p = v;
        e->plen = vlen;
    } else {
        e->h[0] = T_LSTR;
        e->hlen = 1 + store__varint_put(e->h + 1, vlen);
        e->p = v;
        e->plen = vlen;
    }
    e->size = e->hlen + e->plen;
    e->total = e->size + store__varint_len(e->size);
}

static void enc_write(unsigned char *dst, const struct enc *e)
{
    memcpy(dst, e->h, e->hlen);
    if (e->plen)
        memcpy(dst + e->hlen, e->p, e->plen);
    backlen_put(dst + e->size, e->size);
}

/* Size of tag + payload of the element at p. */
static size_t el_inner(const unsigned char *p)
{
    unsigned h = p[0];
    if (h < 0x80)
        return 1 + h;
    if (h < T_INT)
        return 1;
    if (h < T_LSTR)
        return 1 + (h - T_INT + 1);
    uint64_t len;
    size_t k = store__varint_get(p + 1, &len);
    return 1 + k + len;
}

/* Bytes the element at p takes, backlen included. */
static size_t el_size(const unsigned char *p)
{
    size_t in = el_inner(p);
    return in + store__varint_len(in);
}

/* Start of the element that ends at end. */
static const unsigned char *el_before(const unsigned char *end)
{
    size_t in;
    size_t k = backlen_get(end, &in);
    return end - k - in;
}

static int64_t el_int(const unsigned char *p)
{
    unsigned h = p[0];
    if (h < T_INT)
        return (int64_t)(h - T_UINT6);
    int k = (int)(h - T_INT + 1);
    uint64_t u = 0;
    for (int i = 0; i < k; i++)
        u |= (uint64_t)p[1 + i] << (8 * i);
    if (k < 8 && (u >> (8 * k - 1)) & 1)
        u |= ~(uint64_t)0 << (8 * k);      /* sign-extend */
    return (int64_t)u;
}

static int el_is_int(const unsigned char *p)
{
    return p[0] >= T_UINT6 && p[0] < T_LSTR;
}

/* Fills *v with the element at p; returns its size. */
static size_t el_view(const unsigned char *p, struct store_list_view *v)
{
    unsigned h = p[0];
    if (h < 0x80) {
        v->p = (const char *)p + 1;
        v->len = h;
    } else if (h < T_LSTR) {
        char *end = v->buf + sizeof(v->buf);
        v->p = store__int_text(end, el_int(p));
        v->len = (size_t)(end - v->p);
    } else {
        uint64_t len;
        size_t k = store__varint_get(p + 1, &len);
        v->p = (const char *)p + 1 + k;
        v->len = len;
    }
    return el_size(p);
}

/* A value to compare elements with: integers compare as numbers, since a
 * canonical integer is never stored as a string. */
struct match {
    const char *p;
    size_t len;
    int is_int;
    int64_t x;
};

static void match_make(struct match *m, const char *v, size_t vlen)
{
    m->p = v;
    m->len = vlen;
    m->is_int = store_i64_parse(v, vlen, &m->x);
}

static int el_eq(const unsigned char *p, const struct match *m)
{
    if (el_is_int(p))
        return m->is_int && el_int(p) == m->x;
    if (m->is_int)
        return 0;
    unsigned h = p[0];
    uint64_t len;
    size_t k = 1;
    if (h < 0x80)
        len = h;
    else
        k += store__varint_get(p + 1, &len);
    return len == m->len && store__mem_eq(p + k, m->p, len);
}

/* ---- Blocks ---------------------------------------------------------------- */

static size_t blk_cap(const struct lblk *b)
{
    return malloc_usable_size((void *)b) - BLK_HDR;
}

static struct lblk *blk_new(struct store *s, size_t data)
{
    struct lblk *b = store__malloc(s, BLK_HDR + data);
    if (!b)
        return NULL;
    b->prev = b->next = NULL;
    b->used = 0;
    b->count = 0;
    return b;
}

/* Points the neighbours (or the list's ends) at b, which may have moved. */
static void blk_relink(struct store_list *l, struct lblk *b)
{
    if (b->prev)
        b->prev->next = b;
    else
        l->head = b;
    if (b->next)
        b->next->prev = b;
    else
        l->tail = b;
}

/* Links b after a (at the head when a is NULL). */
static void blk_link_after(struct store_list *l, struct lblk *a,
                           struct lblk *b)
{
    b->prev = a;
    b->next = a ? a->next : l->head;
    blk_relink(l, b);
    l->nblk++;
}

static void blk_unlink(struct store *s, struct store_list *l, struct lblk *b)
{
    if (b->prev)
        b->prev->next = b->next;
    else
        l->head = b->next;
    if (b->next)
        b->next->prev = b->prev;
    else
        l->tail = b->prev;
    l->nblk--;
    store__free(s, b);
}

/* Makes room for need more bytes in *bp. STORE_OK or STORE_NOMEM. */
static int blk_grow(struct store *s, struct store_list *l, struct lblk **bp,
                    size_t need)
{
    struct lblk *b = *bp;
    if (b->used + need <= blk_cap(b))
        return STORE_OK;
    /* Exact size: the allocator's size classes give the slack, and
     * growing within a class does not copy. */
    struct lblk *nb = store__realloc(s, b, BLK_HDR + b->used + need);
    if (!nb)
        return STORE_NOMEM;
    if (nb != b)
        blk_relink(l, nb);
    *bp = nb;
    return STORE_OK;
}

/* Merges b->next into b when both fit in one. Returns b. */
static struct lblk *blk_merge_next(struct store *s, struct store_list *l,
                                   struct lblk *b)
{
    struct lblk *n = b->next;
    struct fill f = fill_of(s);
    if (!n || !merge_fits(&f, b, n))
        return b;
    if (blk_grow(s, l, &b, n->used))
        return b;
    memcpy(b->d + b->used, n->d, n->used);
    b->used += n->used;
    b->count += n->count;
    blk_unlink(s, l, n);
    return b;
}

/* After deletions from b: merges b with a small neighbour and gives back
 * unused capacity. dir 1 merges only with prev and dir 0 only with next,
 * so that a caller walking toward the other side keeps valid pointers;
 * -1 allows both. Failures are harmless. */
static void blk_tidy(struct store *s, struct store_list *l, struct lblk *b,
                     int dir)
{
    struct fill f = fill_of(s);
    if (b->prev && dir != 0 && merge_fits(&f, b->prev, b))
        b = blk_merge_next(s, l, b->prev);
    if (b->next && dir != 1)
        b = blk_merge_next(s, l, b);
    size_t cap = blk_cap(b);
    if (cap > 256 && cap > 2 * (size_t)b->used) {
        struct lblk *nb = store__realloc(s, b, BLK_HDR + b->used);
        if (nb && nb != b)
            blk_relink(l, nb);
    }
}

/* ---- Positions ------------------------------------------------------------- */

struct pos {
    struct lblk *b;
    size_t off;                        /* byte offset of the element */
};

/* The position of element idx < l->n, walking from the nearer end. */
static void locate(const struct store_list *l, size_t idx, struct pos *p)
{
    struct lblk *b;
    if (idx < l->n / 2) {
        b = l->head;
        while (idx >= b->count) {
            idx -= b->count;
            b = b->next;
        }
    } else {
        size_t r = l->n - 1 - idx;
        b = l->tail;
        while (r >= b->count) {
            r -= b->count;
            b = b->prev;
        }
        idx = b->count - 1 - r;
    }
    p->b = b;
    if (idx <= b->count / 2) {
        size_t off = 0;
        while (idx--)
            off += el_size(b->d + off);
        p->off = off;
    } else {
        const unsigned char *e = b->d + b->used;
        for (size_t k = b->count - idx; k > 0; k--)
            e = el_before(e);
        p->off = (size_t)(e - b->d);
    }
}

/* Elements in b from byte offset off to its end. */
static uint32_t count_from(const struct lblk *b, size_t off)
{
    uint32_t k = 0;
    while (off < b->used) {
        off += el_size(b->d + off);
        k++;
    }
    return k;
}

static void put_at(struct lblk *b, size_t off, const struct enc *e)
{
    memmove(b->d + off + e->total, b->d + off, b->used - off);
    enc_write(b->d + off, e);
    b->used += (uint32_t)e->total;
    b->count++;
}

/* Inserts e before the element at byte off of b (off == b->used: after
 * its last one); b is NULL only for an empty list. STORE_OK or
 * STORE_NOMEM, with nothing changed. */
static int insert_at(struct store *s, struct store_list *l, struct lblk *b,
                     size_t off, const struct enc *e)
{
    if (e->total > UINT32_MAX)
        return STORE_NOMEM;
    if (!b) {
        struct lblk *nb = blk_new(s, e->total);
        if (!nb)
            return STORE_NOMEM;
        put_at(nb, 0, e);
        blk_link_after(l, NULL, nb);
        l->n++;
        return STORE_OK;
    }
    struct fill f = fill_of(s);
    if (fits(&f, b, e->total, 1)) {
        if (blk_grow(s, l, &b, e->total))
            return STORE_NOMEM;
        put_at(b, off, e);
        l->n++;
        return STORE_OK;
    }
    /* b is full: the same place may be the end of prev or the start of
     * next, or a new block. */
    struct lblk *nb;
    if (off == 0 && b->prev && fits(&f, b->prev, e->total, 1)) {
        nb = b->prev;
        if (blk_grow(s, l, &nb, e->total))
            return STORE_NOMEM;
        put_at(nb, nb->used, e);
    } else if (off == b->used && b->next && fits(&f, b->next, e->total, 1)) {
        nb = b->next;
        if (blk_grow(s, l, &nb, e->total))
            return STORE_NOMEM;
        put_at(nb, 0, e);
    } else if (off == 0 || off == b->used) {
        if (!(nb = blk_new(s, e->total)))
            return STORE_NOMEM;
        put_at(nb, 0, e);
        blk_link_after(l, off == 0 ? b->prev : b, nb);
    } else {
        /* Split b at off: its tail moves to a new block, which takes the
         * element at its head when both fit, else one block each. */
        size_t tail = b->used - off;
        uint32_t k = count_from(b, off);
        struct lblk *t, *x = NULL;
        if (tail + e->total <= f.bytes && k + 1 <= f.count) {
            if (!(t = blk_new(s, tail + e->total)))
                return STORE_NOMEM;
        } else {
            t = blk_new(s, tail);
            x = blk_new(s, e->total);
            if (!t || !x) {
                store__free(s, t);
                store__free(s, x);
                return STORE_NOMEM;
            }
        }
        memcpy(t->d, b->d + off, tail);
        t->used = (uint32_t)tail;
        t->count = k;
        b->used = (uint32_t)off;
        b->count -= k;
        blk_link_after(l, b, t);
        if (x) {
            put_at(x, 0, e);
            blk_link_after(l, b, x);
        } else {
            put_at(t, 0, e);
        }
    }
    l->n++;
    return STORE_OK;
}

/* Deletes the element at p; frees its block when emptied. */
static void delete_at(struct store *s, struct store_list *l,
                      const struct pos *p)
{
    struct lblk *b = p->b;
    size_t sz = el_size(b->d + p->off);
    memmove(b->d + p->off, b->d + p->off + sz, b->used - p->off - sz);
    b->used -= (uint32_t)sz;
    b->count--;
    l->n--;
    if (b->count == 0)
        blk_unlink(s, l, b);
    else
        blk_tidy(s, l, b, -1);
}

/* ---- Object ops (store_int.h) ------------------------------------------- */

/* Creates an empty list, owned by the caller until given to a key (or
 * freed with store_list_free). NULL on OOM. */
struct store_list *store_list_new(struct store *s)
{
    struct store_list *l = store__malloc(s, sizeof *l);
    if (l)
        memset(l, 0, sizeof *l);
    return l;
}

/* Frees a list the caller owns (not one a key holds); NULL is a no-op. */
void store_list_free(struct store *s, struct store_list *l)
{
    if (!l)
        return;
    struct lblk *b = l->head;
    while (b) {
        struct lblk *next = b->next;
        store__free(s, b);
        b = next;
    }
    store__free(s, l);
}

static void *obj_create(struct store *s, enum store_type t)
{
    (void)t;
    return store_list_new(s);
}

static void obj_free(struct store *s, void *o)
{
    store_list_free(s, o);
}

/* Deep copy of o allocated from store d, or NULL on OOM. */
static void *obj_clone(struct store *d, const void *o)
{
    const struct store_list *l = o;
    struct store_list *n = store_list_new(d);
    if (!n)
        return NULL;
    for (const struct lblk *b = l->head; b; b = b->next) {
        struct lblk *c = blk_new(d, b->used);
        if (!c) {
            store_list_free(d, n);
            return NULL;
        }
        memcpy(c->d, b->d, b->used);
        c->used = b->used;
        c->count = b->count;
        blk_link_after(n, n->tail, c);
    }
    n->n = l->n;
    return n;
}

/* Bytes malloc holds for o. */
static size_t obj_mem(const void *o)
{
    const struct store_list *l = o;
    size_t m = malloc_usable_size((void *)l);
    for (const struct lblk *b = l->head; b; b = b->next)
        m += malloc_usable_size((void *)b);
    return m;
}

static size_t obj_len(const void *o)
{
    return ((const struct store_list *)o)->n;
}

/* Invariant check for the tests: 0 or the failing line. */
static int list_check(const void *o)
{
    const struct store_list *l = o;
    size_t n = 0, nblk = 0;
    const struct lblk *prev = NULL;
    for (const struct lblk *b = l->head; b; prev = b, b = b->next) {
        nblk++;
        if (b->prev != prev || b->count == 0)
            return __LINE__;
        if (b->used > BLK_MAX_ABS - BLK_HDR && b->count != 1)
            return __LINE__;
        if (b->used > blk_cap(b))
            return __LINE__;
        size_t off = 0, k = 0;
        while (off < b->used) {
            off += el_size(b->d + off);
            k++;
        }
        if (off != b->used || k != b->count)
            return __LINE__;
        const unsigned char *e = b->d + b->used;
        for (k = 0; e > b->d; k++)
            e = el_before(e);
        if (e != b->d || k != b->count)
            return __LINE__;
        n += b->count;
    }
    if (prev != l->tail || n != l->n || nblk != l->nblk)
        return __LINE__;
    return 0;
}

const struct store__obj_ops store__list_ops = {
    obj_create, obj_free, obj_clone, obj_mem, obj_len, list_check,
};

/* ---- Public API ------------------------------------------------------------ */

/* Elements in l. */
size_t store_list_len(const struct store_list *l)
{
    return l->n;
}

/* 1 while l is one block (OBJECT ENCODING's "listpack"), 0 once chunked. */
int store_list_is_compact(const struct store_list *l)
{
    return l->nblk <= 1;
}

/* Adds v at end (STORE_LIST_HEAD or STORE_LIST_TAIL). Returns STORE_OK or
 * STORE_NOMEM (nothing changed). v must not point into l. */
int store_list_push(struct store *s, struct store_list *l, int end,
                    const char *v, size_t vlen)
{
    struct enc e;
    enc_make(&e, v, vlen);
    if (end == STORE_LIST_HEAD)
        return insert_at(s, l, l->head, 0, &e);
    return insert_at(s, l, l->tail, l->tail ? l->tail->used : 0, &e);
}

/* Normalizes a Redis index (negative counts from the tail) into *out.
 * Returns 1 if it names an element. */
static int norm_index(const struct store_list *l, int64_t idx, size_t *out)
{
    if (idx < 0) {
        if ((uint64_t)-(idx + 1) >= l->n)
            return 0;
        *out = l->n - (size_t)-(idx + 1) - 1;
        return 1;
    }
    if ((uint64_t)idx >= l->n)
        return 0;
    *out = (size_t)idx;
    return 1;
}

/* Element idx (negative: from the tail, -1 is the last) into *v, which
 * is borrowed (and may point into v itself: do not copy a view). Returns
 * 1, or 0 when idx is out of range. */
int store_list_index(const struct store_list *l, int64_t idx,
                     struct store_list_view *v)
{
    size_t i;
    if (!norm_index(l, idx, &i))
        return 0;
    struct pos p;
    locate(l, i, &p);
    el_view(p.b->d + p.off, v);
    return 1;
}

/* Replaces element idx (negative from the tail) with v. Returns STORE_OK,
 * STORE_NOT_FOUND (idx out of range) or STORE_NOMEM (nothing changed). */
int store_list_set(struct store *s, struct store_list *l, int64_t idx,
                   const char *v, size_t vlen)
{
    size_t i;
    if (!norm_index(l, idx, &i))
        return STORE_NOT_FOUND;
    struct enc e;
    enc_make(&e, v, vlen);
    struct pos p;
    locate(l, i, &p);
    if (el_size(p.b->d + p.off) == e.total) {
        enc_write(p.b->d + p.off, &e);
        return STORE_OK;
    }
    /* Insert the new value before the old one, then delete the old one,
     * which is then element i + 1: a failed insert changed nothing. */
    if (insert_at(s, l, p.b, p.off, &e))
        return STORE_NOMEM;
    locate(l, i + 1, &p);
    delete_at(s, l, &p);
    return STORE_OK;
}

/* Inserts v before (after = 0) or after the first element equal to pivot.
 * Returns 1, 0 when pivot is not in l, or STORE_NOMEM (nothing changed). */
int store_list_insert(struct store *s, struct store_list *l, int after,
                      const char *pivot, size_t plen, const char *v,
                      size_t vlen)
{
    struct match m;
    match_make(&m, pivot, plen);
    for (struct lblk *b = l->head; b; b = b->next) {
        for (size_t off = 0; off < b->used;) {
            size_t sz = el_size(b->d + off);
            if (el_eq(b->d + off, &m)) {
                struct enc e;
                enc_make(&e, v, vlen);
                if (insert_at(s, l, b, after ? off + sz : off, &e))
                    return STORE_NOMEM;
                return 1;
            }
            off += sz;
        }
    }
    return 0;
}

/* Removes from b the matches of m after the first skip, at most limit of
 * them, in one pass. Returns how many it removed. */
static size_t blk_remove(struct lblk *b, const struct match *m, size_t skip,
                         size_t limit)
{
    size_t r = 0, w = 0, seen = 0, removed = 0;
    while (r < b->used) {
        size_t sz = el_size(b->d + r);
        if (removed < limit && el_eq(b->d + r, m) && seen++ >= skip) {
            removed++;
            r += sz;
            continue;
        }
        if (w != r)
            memmove(b->d + w, b->d + r, sz);
        w += sz;
        r += sz;
    }
    b->used = (uint32_t)w;
    b->count -= (uint32_t)removed;
    return removed;
}

static size_t blk_matches(const struct lblk *b, const struct match *m)
{
    size_t k = 0;
    for (size_t off = 0; off < b->used; off += el_size(b->d + off))
        k += el_eq(b->d + off, m);
    return k;
}

/* Removes elements equal to v as LREM does: the first count of them from
 * the head (count > 0), the last -count from the tail (count < 0), or all
 * (count == 0). Returns how many it removed. Never allocates. */
size_t store_list_rem(struct store *s, struct store_list *l, int64_t count,
                      const char *v, size_t vlen)
{
    struct match m;
    match_make(&m, v, vlen);
    size_t quota = count == 0 ? SIZE_MAX
                 : count > 0 ? (size_t)count : (size_t)-(count + 1) + 1;
    size_t removed = 0;
    struct lblk *b = count >= 0 ? l->head : l->tail;
    while (b && removed < quota) {
        struct lblk *next = count >= 0 ? b->next : b->prev;
        size_t left = quota - removed, skip = 0;
        if (count < 0) {
            size_t k = blk_matches(b, &m);
            skip = k > left ? k - left : 0;
        }
        size_t r = blk_remove(b, &m, skip, left);
        if (r) {
            removed += r;
            l->n -= r;
            if (b->count == 0)
                blk_unlink(s, l, b);
            else
                blk_tidy(s, l, b, count >= 0 ? 1 : 0);
        }
        b = next;
    }
    return removed;
}

/* Deletes n elements from index start on (both clipped to the list). */
void store_list_del_range(struct store *s, struct store_list *l,
                          size_t start, size_t n)
{
    if (start >= l->n || n == 0)
        return;
    if (n > l->n - start)
        n = l->n - start;
    struct pos p;
    locate(l, start, &p);
    struct lblk *b = p.b, *touched = NULL;
    size_t off = p.off;
    while (n > 0) {
        struct lblk *next = b->next;
        if (off == 0 && n >= b->count) {
            n -= b->count;
            l->n -= b->count;
            blk_unlink(s, l, b);
        } else {
            size_t end = off;
            uint32_t k = 0;
            while (k < n && end < b->used) {
                end += el_size(b->d + end);
                k++;
            }
            memmove(b->d + off, b->d + end, b->used - end);
            b->used -= (uint32_t)(end - off);
            b->count -= k;
            l->n -= k;
            n -= k;
            if (!touched)
                touched = b;
        }
        b = next;
        off = 0;
    }
    /* At most the first and the last block were cut, and they are
     * neighbours now: one tidy looks at both. */
    if (touched)
        blk_tidy(s, l, touched, -1);
}

/* Deletes n elements at end (STORE_LIST_HEAD or STORE_LIST_TAIL). */
void store_list_pop(struct store *s, struct store_list *l, int end, size_t n)
{
    if (n > l->n)
        n = l->n;
    if (n == 1 && end == STORE_LIST_HEAD) {
        struct pos p = { l->head, 0 };
        delete_at(s, l, &p);
    } else if (n == 1) {
        struct lblk *b = l->tail;
        struct pos p = { b, (size_t)(el_before(b->d + b->used) - b->d) };
        delete_at(s, l, &p);
    } else {
        store_list_del_range(s, l,
                             end == STORE_LIST_HEAD ? 0 : l->n - n, n);
    }
}

/* Keeps only the count elements from index start (clipped), deleting the
 * rest: LTRIM once the caller has resolved Redis's index rules. */
void store_list_trim(struct store *s, struct store_list *l, size_t start,
                     size_t count)
{
    if (start >= l->n)
        count = 0;
    else if (count > l->n - start)
        count = l->n - start;
    size_t rtrim = l->n - (count ? start : 0) - count;
    store_list_del_range(s, l, count ? start + count : 0, rtrim);
    store_list_del_range(s, l, 0, count ? start : 0);
}

/* Moves the element at end from of non-empty src to end to of dst (LMOVE;
 * src may be dst). Returns STORE_OK or STORE_NOMEM (nothing changed). */
int store_list_move(struct store *s, struct store_list *src, int from,
                    struct store_list *dst, int to)
{
    struct store_list_view v;
    if (!store_list_index(src, from == STORE_LIST_HEAD ? 0 : -1, &v))
        return STORE_NOT_FOUND;
    /* The view may point into a block the push moves: copy it first. */
    char small[128];
    char *tmp = small;
    if (v.len > sizeof small && !(tmp = malloc(v.len)))
        return STORE_NOMEM;
    memcpy(tmp, v.p, v.len);
    int rc = store_list_push(s, dst, to, tmp, v.len);
    if (tmp != small)
        free(tmp);
    if (rc)
        return rc;
    store_list_pop(s, src, from, 1);
    return STORE_OK;
}

/* Starts *it at element idx (0-based, not negative), walking toward the
 * tail, or toward the head when rev is set. An idx out of range gives an
 * empty walk. */
void store_list_it_init(const struct store_list *l, size_t idx, int rev,
                        struct store_list_it *it)
{
    it->b = NULL;
    it->off = 0;
    it->rev = rev;
    if (idx >= l->n)
        return;
    struct pos p;
    locate(l, idx, &p);
    it->b = p.b;
    it->off = rev ? p.off + el_size(p.b->d + p.off) : p.off;
}

/* The next element of the walk into *v (borrowed, do not copy the view):
 * returns 1, or 0 at the end. The list must not change meanwhile. */
int store_list_next(struct store_list_it *it, struct store_list_view *v)
{
    const struct lblk *b = it->b;
    if (!b)
        return 0;
    if (!it->rev) {
        if (it->off >= b->used) {
            if (!(b = b->next)) {
                it->b = NULL;
                return 0;
            }
            it->b = b;
            it->off = 0;
        }
        it->off += el_view(b->d + it->off, v);
        return 1;
    }
    if (it->off == 0) {
        if (!(b = b->prev)) {
            it->b = NULL;
            return 0;
        }
        it->b = b;
        it->off = b->used;
    }
    const unsigned char *e = el_before(b->d + it->off);
    el_view(e, v);
    it->off = (size_t)(e - b->d);
    return 1;
}
