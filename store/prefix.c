/* prefix.c - the ordered index of each shard's keys, and SCAN / KEYS by
 * a literal prefix in time proportional to the keys under it.
 *
 * ---- The index ----------------------------------------------------------
 *
 * Point lookups stay on the hash table; the index only has to answer
 * "the first key >= k" and "the key after this one". Each shard keeps its
 * entry pointers (not copies of the keys: the key bytes live in the entry
 * already) sorted by key bytes in a two-level structure:
 *
 *   dir[]:  { head, chunk } { head, chunk } { head, chunk } ...   sorted
 *                    |
 *                    v
 *   chunk:  n | e[0] e[1] ... e[n-1] (free) ...      PCHUNK_CAP slots
 *                |
 *                v
 *           the store's entry (key bytes inside)
 *
 * head is the first 16 bytes of the chunk's first key, big-endian and
 * zero-padded (two words), so most steps of the directory search compare
 * integers and touch no entry, even for keys with a long common prefix
 * such as "rl:000000012345"; a strict head order implies the same key
 * order, and equal heads fall back to comparing the keys.
 *
 * Finding a key is a binary search of dir[] and then of one chunk. An
 * insert into a full chunk first shifts keys into a neighbour with room
 * (B*-tree style); when both are full it splits the chunk in half, or,
 * when the new key goes at the chunk's end (or the very start), starts a
 * new chunk with just that key. So keys loaded in order, at the end or
 * into the middle, leave full chunks behind. A chunk that falls below a
 * quarter full merges with a neighbour when the two fit in three quarters
 * of a chunk. Chunks are thus at least a quarter full (except a lone one)
 * and in practice 80-100% full: 8-10 bytes per key (a 1 KiB chunk holds
 * 127 pointers). The directory is one array; a split shifts it, which at
 * 1M keys a shard is 8K slots of 24 bytes, once per ~100 inserts. A
 * B+tree would bound that too but costs more code and memory.
 *
 * The price is paid by inserts and deletes of keys (not by overwrites or
 * lookups). An insert's search of its chunk dereferences about 7 entries,
 * each likely a cache miss; it prefetches both candidates of the next
 * step so that the misses overlap. A removal (and store__pindex_slot)
 * knows the entry, so after the directory search it finds the slot by
 * comparing pointers, loading no entry at all. Measured at 1M keys in
 * random order before those two changes, store_key_set of a new key and
 * store_key_delete each took about 2 us more (keys arriving in order: no
 * measurable change). Tags were tried (2026-11-26): two key bytes a slot
 * in the top 16 bits of its pointer, taken after a per-chunk count of
 * the leading bytes its keys share, so that an insert's search read the
 * tags and then only the entries whose tag was the key's (about 5 for
 * rate-limit keys), fetched together, instead of 8 in turn. Cachegrind
 * counted 13% fewer L1 misses on scripts/bench-key-churn.sh's workload,
 * but neither that script's times (200k and 2M keys) nor the server's
 * CPU a RATELIMIT call moved measurably: the prefetching above already
 * overlaps the misses. Not kept. A whole file of keys (an RDB load)
 * skips all this: the index is deferred and then built in one sort
 * (prefix_build.c), a third of the time of the inserts it replaces.
 *
 * Invariants (store__pindex_check verifies them):
 *   - every entry linked in the shard's hash tables is in exactly one
 *     chunk slot and vice versa; n counts them;
 *   - keys strictly increase along the chunks in dir[] order;
 *   - no chunk in dir[] is empty, dir[i].head is head(chunk's e[0]);
 *   - after store__pindex_reserve, one insert allocates nothing: a spare
 *     chunk exists and dir[] has room for one more slot. Removals never
 *     allocate, never use up the spare, and never shrink dir[] below
 *     nc + 1 slots.
 *
 * Every comparison dereferences entry pointers held by the index, so the
 * index must never hold a freed entry while it is searched. store.c tells
 * it about every change where the entry is still alive: links
 * (store__table_link), removals (store__entry_remove, key_move), and
 * moves: entry_swap uses store__pindex_slot on the old entry and stores
 * the new pointer; store_str_resize takes the slot before realloc and
 * fills it after.
 *
 * ---- Prefix scan and its cursor ----------------------------------------
 *
 * store_scan_prefix walks the keys that start with a prefix in global
 * byte order: it seeks every shard to its first candidate and merges the
 * shards with a small binary heap, so the output is sorted, and the cost
 * of a call is nshards seeks plus log(nshards) per key examined. COUNT
 * bounds the keys examined (before MATCH and TYPE filters).
 *
 * Since the walk is in key order, the exact resume point is "strictly
 * after the last key examined", whatever happened to that key meanwhile.
 * A 64-bit cursor cannot hold a key, so the store keeps a table of resume
 * points (PRESUME_SLOTS slots, allocated on first use), each a copy of the
 * last key examined and the generation it was written with:
 *
 *   63  53 52         37 36                       10 9        0
 *   +-----+--------------+---------------------------+----------+
 *   |  0  |  hint (2 B)  | generation (27 bits, != 0) |   slot   |
 *   +-----+--------------+---------------------------+----------+
 *
 * The generation comes from a per-store counter bumped on every save
 * (starting at a random value, and not reset by FLUSHDB), so a cursor
 * names its save, not just its slot: a cursor from before a FLUSHDB, from
 * another store after SWAPDB, or made up, matches a live save with a
 * chance of about 1 in 2^17 at worst (1024 live slots, 27 bits). hint is
 * the first 2 bytes after the prefix of the same key, zero-padded. The
 * cursor stays below 2^53, as store_scan's does (see scan.c): clients
 * that parse it as a double must get it back unchanged.
 *
 * Resuming: if the slot still holds that generation, start strictly after
 * the saved key; otherwise (slot reused, table freed by FLUSHDB, a cursor
 * made up or from another database) start at the first key >= prefix +
 * hint with trailing zero bytes cut off.
 *
 * Why no key present for the whole iteration is skipped: by induction on
 * the calls, every such key below the resume point was examined already.
 * With a live slot the resume point is the last key examined itself, and
 * keys are examined in order, so every key <= it was reached. With a
 * stale one the start is h = trunc2(suffix) with zeros cut; h <= trunc2
 * <= the saved key's suffix, so starting at h only examines keys again
 * (duplicates), never passes one. Keys inserted or deleted elsewhere do
 * not move a key's place in byte order, and the per-shard structure
 * (splits, merges, table resizes) is invisible to it: the cursor is a
 * key, not a position.
 *
 * Why it ends: a live cursor resumes strictly after the last key examined
 * and examines at least one key per call (COUNT >= 1), so keys present
 * throughout are passed in strictly increasing order; the iteration ends
 * after at most (keys ever under the prefix) calls. A stale cursor falls
 * back to the hint once and the call hands out a fresh live cursor; a
 * slot is reused only for the least recently used save, i.e. after
 * PRESUME_SLOTS other saves since this iteration's last call. An
 * iteration whose saves keep getting evicted can repeat work (at worst
 * from its hint each time) but that needs a thousand other iterations
 * interleaved with every one of its calls. A call that reaches the end of
 * the prefix range returns 0 and frees its slot.
 *
 * Expired keys are visited like the others and left where they are: the
 * caller decides (KEYS skips them, SCAN expires those its pattern keeps,
 * as Redis does).
 *
 * Not done here: pattern matching (the caller applies the rest of the
 * pattern), and any ordering by anything but raw bytes. */
#include "store/store_int.h"

#include <malloc.h>
#include <stdlib.h>

#define PRESUME_SLOTS 1024
#define SLOT_BITS 10
#define GEN_BITS 27
#define GEN_MASK ((UINT32_C(1) << GEN_BITS) - 1)
#define HINT_SHIFT (SLOT_BITS + GEN_BITS)
#define HINT_BYTES 2
#define SEEK_BUF 512               /* longest prefix the hint can extend */

/* A resume point: a copy of the last key an iteration examined. */
struct store__presume {
    uint64_t used;                 /* LRU tick; 0 = free */
    uint32_t gen;                  /* generation of the save; 0 = free */
    uint32_t klen, cap;
    char *key;
};

/* ---- Keys and heads ------------------------------------------------------ */

/* memcmp order, a proper prefix first. */
static int key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int r = n ? memcmp(a, b, n) : 0;
    if (r)
        return r;
    return alen < blen ? -1 : alen > blen;
}

static int entry_cmp(const struct store_entry *e, const char *key,
                     size_t klen)
{
    return key_cmp(store__ckey(e), e->klen, key, klen);
}

/* n bytes at p (8 of them at most) as a big-endian integer, zero-padded. */
static uint64_t be_word(const char *p, size_t n)
{
    uint64_t v = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (n >= 8) {
        memcpy(&v, p, 8);
        return __builtin_bswap64(v);
    }
#endif
    for (size_t i = 0; i < 8; i++)
        v = v << 8 | (i < n ? (unsigned char)p[i] : 0);
    return v;
}

/* See store_int.h. */
struct store__phead store__phead_of(const char *key, size_t klen)
{
    struct store__phead h = { be_word(key, klen), 0 };
    if (klen > 8)
        h.lo = be_word(key + 8, klen - 8);
    return h;
}

/* Stores the head of e (the chunk's new first key) in directory slot d. */
static void dir_set_head(struct store__pdir *d, const struct store_entry *e)
{
    struct store__phead h = store__phead_of(store__ckey(e), e->klen);
    d->head = h.hi;
    d->head2 = h.lo;
}

/* ---- Allocation ---------------------------------------------------------- */

/* See store_int.h. */
void *store__pmalloc(struct store *s, size_t n)
{
    void *p = store__malloc(s, n);
    if (p)
        s->pmem += malloc_usable_size(p);
    return p;
}

/* See store_int.h. */
void store__pfree(struct store *s, void *p)
{
    if (!p)
        return;
    s->pmem -= malloc_usable_size(p);
    store__free(s, p);
}

/* Gives up a chunk that left dir[]: kept as the spare if there is none. */
static void chunk_release(struct store *s, struct store_pindex *px,
                          struct store__pchunk *c)
{
    if (!px->spare)
        px->spare = c;
    else
        store__pfree(s, c);
}

/* ---- Searching ----------------------------------------------------------- */

/* The directory slot whose chunk should hold key: the last one whose
 * first key is <= key, or 0. dir[] must not be empty. */
static uint32_t dir_find(const struct store_pindex *px, const char *key,
                         size_t klen)
{
    struct store__phead h = store__phead_of(key, klen);
    uint32_t lo = 1, hi = px->nc;      /* answer in [lo - 1, hi - 1] */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const struct store__pdir *d = &px->dir[mid];
        int le = d->head != h.hi    ? d->head < h.hi
                 : d->head2 != h.lo ? d->head2 < h.lo
                                    : entry_cmp(d->c->e[0], key, klen) <= 0;
        if (le)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo - 1;
}

/* The slot chunk_bound compares in the state (base, len): the last of
 * the lower half, or base itself once one slot is left. */
static uint32_t probe_slot(uint32_t base, uint32_t len)
{
    return len > 1 ? base + len / 2 - 1 : base;
}

/* Prefetches what comparing slot i's key reads: klen and the flags in the
 * header, and the key behind the TTL, which often starts on the next line
 * (an 80-byte entry begins 0, 16, 32 or 48 bytes into one); 16 bytes into
 * the key is where keys like "rl:000000012345" differ. */
static void prefetch_slot(const struct store__pchunk *c, uint32_t i)
{
    const char *e = (const char *)c->e[i];
    __builtin_prefetch(e + offsetof(struct store_entry, klen));
    __builtin_prefetch(e + STORE__HDR + STORE__TTL_SIZE + 16);
}

/* The first slot of c whose key is >= key (> key when strict).
 *
 * Each step compares one entry, likely a cache miss, and the next step
 * depends on it. The search halves len the same way whichever way a
 * compare goes (base moves up by half or stays), so the entries the next
 * two steps may compare are known now: four states, base + {0, half} +
 * {0, half1}. Fetching them two steps early keeps two levels of misses
 * in flight instead of waiting out each in turn (an insert into a chunk
 * of 127 compares 8 entries). */
static uint32_t chunk_bound(const struct store__pchunk *c, const char *key,
                            size_t klen, int strict)
{
    uint32_t base = 0, len = c->n;
    if (len == 0)
        return 0;
    /* The slots' pointers first: up to 16 lines of the chunk itself. */
    for (uint32_t i = 0; i < len; i += 64 / sizeof c->e[0])
        __builtin_prefetch(&c->e[i]);
    uint32_t half = len / 2;
    prefetch_slot(c, probe_slot(0, len));
    prefetch_slot(c, probe_slot(0, len - half));
    prefetch_slot(c, probe_slot(half, len - half));
    while (len > 1) {
        half = len / 2;
        uint32_t len1 = len - half, half1 = len1 / 2, len2 = len1 - half1;
        prefetch_slot(c, probe_slot(base, len2));
        prefetch_slot(c, probe_slot(base + half1, len2));
        prefetch_slot(c, probe_slot(base + half, len2));
        prefetch_slot(c, probe_slot(base + half + half1, len2));
        int r = entry_cmp(c->e[base + half - 1], key, klen);
        if (r < 0 || (strict && r == 0))
            base += half;
        len = len1;
    }
    int r = entry_cmp(c->e[base], key, klen);
    return base + (r < 0 || (strict && r == 0));
}

/* A position in one shard's index: chunk ci of dir[], slot i. */
struct ppos {
    uint32_t ci, i;
};

/* The first position whose key is >= key (> key when strict); ci == nc
 * when there is none. */
static struct ppos seek(const struct store_pindex *px, const char *key,
                        size_t klen, int strict)
{
    struct ppos p = { 0, 0 };
    if (px->nc == 0)
        return p;
    p.ci = dir_find(px, key, klen);
    p.i = chunk_bound(px->dir[p.ci].c, key, klen, strict);
    if (p.i == px->dir[p.ci].c->n) {
        p.ci++;
        p.i = 0;
    }
    return p;
}

/* ---- Maintenance (called by store.c and table.c) ----------------------- */

/* Makes sure the next store__pindex_insert on sh allocates nothing: a
 * spare chunk and room for one more directory slot. Returns STORE_OK or
 * STORE_NOMEM (nothing changed that a caller can see). */
int store__pindex_reserve(struct store *s, struct store_shard *sh)
{
    struct store_pindex *px = &sh->pix;
    if (px->deferred)
        return STORE_OK;
    if (!px->spare) {
        px->spare = store__pmalloc(s, sizeof *px->spare);
        if (!px->spare)
            return STORE_NOMEM;
    }
    if (px->nc + 1 > px->dcap) {
        uint32_t cap = px->dcap ? px->dcap * 2 : PDIR_MIN;
        size_t old = px->dir ? malloc_usable_size(px->dir) : 0;
        struct store__pdir *d = store__realloc(s, px->dir, cap * sizeof *d);
        if (!d)
            return STORE_NOMEM;
        s->pmem += malloc_usable_size(d) - old;
        px->dir = d;
        px->dcap = cap;
    }
    return STORE_OK;
}

/* Opens directory slot ci for chunk c. */
static void dir_insert(struct store_pindex *px, uint32_t ci,
                       struct store__pchunk *c)
{
    memmove(&px->dir[ci + 1], &px->dir[ci],
            (px->nc - ci) * sizeof px->dir[0]);
    px->dir[ci].c = c;
    dir_set_head(&px->dir[ci], c->e[0]);
    px->nc++;
}

static void dir_remove(struct store *s, struct store_pindex *px, uint32_t ci)
{
    memmove(&px->dir[ci], &px->dir[ci + 1],
            (px->nc - ci - 1) * sizeof px->dir[0]);
    px->nc--;
    /* An empty dir[] is kept: a reservation made earlier in the same
     * operation must still hold. store_clear frees it. */
    if (px->dcap > 4 * PDIR_MIN && px->nc < px->dcap / 4) {
        /* Not a fault-injection point: a failed shrink changes nothing,
         * and half of dcap still leaves room for one more slot. */
        size_t old = malloc_usable_size(px->dir);
        struct store__pdir *d = realloc(px->dir,
                                        px->dcap / 2 * sizeof *d);
        if (d) {
            size_t now = malloc_usable_size(d);
            s->mem += now - old;
            s->pmem += now - old;
            px->dir = d;
            px->dcap /= 2;
        }
    }
}

/* Inserts e, whose key is not in the index yet, into sh's index.
 * store__pindex_reserve must have succeeded since the last insert; this
 * allocates nothing. */
void store__pindex_insert(struct store_shard *sh, struct store_entry *e)
{
    struct store_pindex *px = &sh->pix;
    if (px->deferred)
        return;
    const char *key = store__ckey(e);
    size_t klen = e->klen;
    px->n++;
    if (px->nc == 0) {
        struct store__pchunk *c = px->spare;
        px->spare = NULL;
        c->n = 1;
        c->e[0] = e;
        dir_insert(px, 0, c);
        return;
    }
    uint32_t ci = dir_find(px, key, klen);
    struct store__pchunk *c = px->dir[ci].c;
    uint32_t i = chunk_bound(c, key, klen, 0);
    if (c->n == PCHUNK_CAP && i > 0 && ci > 0 &&
        px->dir[ci - 1].c->n < PCHUNK_CAP) {
        /* Shift the first keys into the left neighbour's room (never the
         * new key's place): loads in order into the middle of the index
         * then fill chunks instead of leaving half-empty ones behind. */
        struct store__pchunk *l = px->dir[ci - 1].c;
        uint32_t m = (PCHUNK_CAP - l->n + 1) / 2;
        if (m > i)
            m = i;
        memcpy(&l->e[l->n], c->e, m * sizeof c->e[0]);
        l->n += m;
        memmove(c->e, &c->e[m], (c->n - m) * sizeof c->e[0]);
        c->n -= m;
        i -= m;
        dir_set_head(&px->dir[ci], c->e[0]);
    } else if (c->n == PCHUNK_CAP && i < PCHUNK_CAP && ci + 1 < px->nc &&
               px->dir[ci + 1].c->n < PCHUNK_CAP) {
        /* Or the last keys into the right neighbour's front. */
        struct store__pchunk *r = px->dir[ci + 1].c;
        uint32_t m = (PCHUNK_CAP - r->n + 1) / 2;
        if (m > PCHUNK_CAP - i)
            m = PCHUNK_CAP - i;
        memmove(&r->e[m], r->e, r->n * sizeof r->e[0]);
        memcpy(r->e, &c->e[c->n - m], m * sizeof c->e[0]);
        r->n += m;
        c->n -= m;
        dir_set_head(&px->dir[ci + 1], r->e[0]);
    }
    if (c->n == PCHUNK_CAP) {
        struct store__pchunk *fresh = px->spare;
        px->spare = NULL;
        if (i == PCHUNK_CAP || i == 0) {
            /* At either end (i == 0 only happens in chunk 0): a chunk
             * of its own, so ordered loads leave full chunks behind. */
            fresh->n = 1;
            fresh->e[0] = e;
            dir_insert(px, i == 0 ? ci : ci + 1, fresh);
            return;
        }
        uint32_t half = PCHUNK_CAP / 2;
        fresh->n = PCHUNK_CAP - half;
        memcpy(fresh->e, &c->e[half], fresh->n * sizeof c->e[0]);
        c->n = half;
        dir_insert(px, ci + 1, fresh);
        if (i > half) {
            c = fresh;
            i -= half;
            ci++;
        }
    }
    memmove(&c->e[i + 1], &c->e[i], (c->n - i) * sizeof c->e[0]);
    c->e[i] = e;
    c->n++;
    if (i == 0)
        dir_set_head(&px->dir[ci], e);
}

/* Locates e (which must be in sh's index): its chunk by its key (the
 * directory's heads rarely need an entry), then its slot by comparing
 * pointers, which loads no entry (a binary search by key would load
 * about 7, each likely a cache miss). */
static struct ppos locate(const struct store_pindex *px,
                          const struct store_entry *e)
{
    struct ppos p;
    p.ci = dir_find(px, store__ckey(e), e->klen);
    const struct store__pchunk *c = px->dir[p.ci].c;
    p.i = 0;
    while (p.i < c->n && c->e[p.i] != e)
        p.i++;
    return p;
}

/* Returns the index slot that holds e (alive, in sh), or NULL while the
 * index is deferred. Storing another entry with the same key bytes there
 * is how a caller moves an entry; the slot is valid until the next
 * insert or removal on sh. */
struct store_entry **store__pindex_slot(struct store_shard *sh,
                                        const struct store_entry *e)
{
    if (sh->pix.deferred)
        return NULL;
    struct ppos p = locate(&sh->pix, e);
    return &sh->pix.dir[p.ci].c->e[p.i];
}

/* Removes e (alive, in sh's index). Merges a chunk that fell below a
 * quarter with a neighbour; frees what it no longer needs. Allocates
 * nothing. */
void store__pindex_remove(struct store *s, struct store_shard *sh,
                          const struct store_entry *e)
{
    struct store_pindex *px = &sh->pix;
    if (px->deferred)
        return;
    struct ppos p = locate(px, e);
    struct store__pchunk *c = px->dir[p.ci].c;
    memmove(&c->e[p.i], &c->e[p.i + 1], (c->n - p.i - 1) * sizeof c->e[0]);
    c->n--;
    px->n--;
    if (c->n == 0) {
        dir_remove(s, px, p.ci);
        chunk_release(s, px, c);
        return;
    }
    if (p.i == 0)
        dir_set_head(&px->dir[p.ci], c->e[0]);
    if (c->n >= PCHUNK_CAP / 4)
        return;
    /* Merge: the right-hand chunk's keys go to the end of the left one. */
    uint32_t left;
    if (p.ci + 1 < px->nc &&
        c->n + px->dir[p.ci + 1].c->n <= PCHUNK_CAP * 3 / 4)
        left = p.ci;
    else if (p.ci > 0 &&
             c->n + px->dir[p.ci - 1].c->n <= PCHUNK_CAP * 3 / 4)
        left = p.ci - 1;
    else
        return;
    struct store__pchunk *a = px->dir[left].c, *b = px->dir[left + 1].c;
    memcpy(&a->e[a->n], b->e, b->n * sizeof b->e[0]);
    a->n += b->n;
    dir_remove(s, px, left + 1);
    chunk_release(s, px, b);
}

/* Frees the index of sh (the entries are the table's business); a
 * deferred index is no longer deferred. */
void store__pindex_clear(struct store *s, struct store_shard *sh)
{
    struct store_pindex *px = &sh->pix;
    for (uint32_t i = 0; i < px->nc; i++)
        store__pfree(s, px->dir[i].c);
    store__pfree(s, px->dir);
    store__pfree(s, px->spare);
    memset(px, 0, sizeof *px);
}

#define CHECK(cond)                                                         \
    do { if (!(cond)) return __LINE__; } while (0)

/* Verifies the invariants at the top of this file for sh, whose table
 * holds used entries; adds the index's blocks to *mem. Returns 0 or the
 * line of the failed check. */
int store__pindex_check(const struct store_shard *sh, size_t *mem)
{
    const struct store_pindex *px = &sh->pix;
    if (px->deferred) {
        /* Deferred: empty until store_index_build (prefix_build.c). */
        CHECK(px->n == 0 && px->nc == 0 && !px->dir && !px->spare);
        return 0;
    }
    CHECK(px->n == sh->used);
    CHECK(px->nc <= px->dcap);
    CHECK(!px->dcap == !px->dir);
    if (px->dir)
        *mem += malloc_usable_size(px->dir);
    if (px->spare)
        *mem += malloc_usable_size(px->spare);
    size_t n = 0;
    const struct store_entry *prev = NULL;
    for (uint32_t ci = 0; ci < px->nc; ci++) {
        const struct store__pchunk *c = px->dir[ci].c;
        *mem += malloc_usable_size((void *)c);
        CHECK(c->n >= 1 && c->n <= PCHUNK_CAP);
        struct store__phead h =
            store__phead_of(store__ckey(c->e[0]), c->e[0]->klen);
        CHECK(px->dir[ci].head == h.hi && px->dir[ci].head2 == h.lo);
        for (uint32_t i = 0; i < c->n; i++) {
            const struct store_entry *e = c->e[i];
            if (prev)
                CHECK(entry_cmp(prev, store__ckey(e), e->klen) < 0);
            /* The entry is linked in this shard's table. */
            CHECK(store__table_link_of((struct store_shard *)sh, e) != NULL);
            prev = e;
            n++;
        }
    }
    CHECK(n == px->n);
    return 0;
}

/* Adds the resume points' blocks to *mem and checks that pmem is what
 * the indexes and resume points hold. Returns 0 or the failed line. */
int store__presume_check(const struct store *s, size_t *mem)
{
    size_t pm = 0;
    for (unsigned i = 0; i < s->nshards; i++) {
        const struct store_pindex *px = &s->shards[i].pix;
        for (uint32_t ci = 0; ci < px->nc; ci++)
            pm += malloc_usable_size(px->dir[ci].c);
        if (px->dir)
            pm += malloc_usable_size(px->dir);
        if (px->spare)
            pm += malloc_usable_size(px->spare);
    }
    if (s->presume) {
        size_t own = malloc_usable_size(s->presume);
        for (unsigned i = 0; i < PRESUME_SLOTS; i++) {
            const struct store__presume *r = &s->presume[i];
            CHECK(!r->gen == !r->used);
            CHECK(r->klen <= r->cap);
            CHECK(!r->key == !r->cap);
            if (r->key)
                own += malloc_usable_size(r->key);
        }
        pm += own;
        *mem += own;
    }
    CHECK(pm == s->pmem);
    return 0;
}

/* Returns the bytes the prefix indexes and resume points of s take. */
size_t store_prefix_mem_usage(const struct store *s)
{
    return s->pmem;
}

/* Returns the length of pat's literal prefix: the bytes before the first
 * '*', '?', '[' or '\\'. */
size_t store_glob_literal_len(const char *pat, size_t plen)
{
    size_t i = 0;
    while (i < plen && pat[i] != '*' && pat[i] != '?' && pat[i] != '[' &&
           pat[i] != '\\')
        i++;
    return i;
}

/* ---- Resume points ------------------------------------------------------- */

/* Frees every resume point (FLUSHDB, store_free). */
void store__presume_clear(struct store *s)
{
    if (!s->presume)
        return;
    for (unsigned i = 0; i < PRESUME_SLOTS; i++)
        store__pfree(s, s->presume[i].key);
    store__pfree(s, s->presume);
    s->presume = NULL;
}

/* The live resume point cursor names, or NULL. */
static struct store__presume *presume_get(struct store *s, uint64_t cursor)
{
    uint32_t slot = (uint32_t)(cursor & (PRESUME_SLOTS - 1));
    uint32_t gen = (uint32_t)(cursor >> SLOT_BITS) & GEN_MASK;
    if (!s->presume || gen == 0 || s->presume[slot].gen != gen)
        return NULL;
    return &s->presume[slot];
}

static void presume_free(struct store *s, struct store__presume *r)
{
    store__pfree(s, r->key);
    memset(r, 0, sizeof *r);
}

static uint64_t hint_of(const char *key, size_t klen, size_t plen)
{
    uint64_t h = 0;
    for (size_t i = 0; i < HINT_BYTES; i++)
        h = h << 8 | (plen + i < klen ? (unsigned char)key[plen + i] : 0);
    return h;
}

/* Saves key as the resume point after which the iteration goes on, in r
 * (the iteration's own slot) or in the least recently used slot, and
 * returns the cursor. Without memory for it, returns a cursor that only
 * carries the hint (a stale one, which is still correct). */
static uint64_t presume_save(struct store *s, struct store__presume *r,
                             const char *key, size_t klen, size_t plen)
{
    uint64_t hint = hint_of(key, klen, plen) << HINT_SHIFT;
    uint64_t none = hint | (PRESUME_SLOTS - 1);     /* gen 0: stale */
    if (!s->presume) {
        s->presume =
            store__pmalloc(s, PRESUME_SLOTS * sizeof *s->presume);
        if (!s->presume)
            return none;
        memset(s->presume, 0, PRESUME_SLOTS * sizeof *s->presume);
        /* A random start, so a cursor carried to another store (SWAPDB,
         * SELECT) is unlikely to name one of its saves. */
        if (s->pgen == 0)
            s->pgen = (uint32_t)store__rand(s) & GEN_MASK;
    }
    if (!r) {
        r = &s->presume[0];
        for (unsigned i = 1; i < PRESUME_SLOTS && r->used; i++) {
            if (s->presume[i].used < r->used)
                r = &s->presume[i];
        }
    }
    if (klen > r->cap || (r->cap > 256 && klen < r->cap / 4)) {
        size_t cap = klen ? klen : 1;
        char *k = store__pmalloc(s, cap);
        if (!k) {
            presume_free(s, r);
            return none;
        }
        store__pfree(s, r->key);
        r->key = k;
        r->cap = (uint32_t)cap;
    }
    if (klen)
        memcpy(r->key, key, klen);
    r->klen = (uint32_t)klen;
    r->used = ++s->ptick;
    s->pgen = (s->pgen + 1) & GEN_MASK;
    if (s->pgen == 0)
        s->pgen = 1;
    r->gen = s->pgen;
    return hint | (uint64_t)r->gen << SLOT_BITS | (uint64_t)(r - s->presume);
}

/* ---- Prefix scan --------------------------------------------------------- */

/* One shard's place in the merge. */
struct pcur {
    struct store_pindex *px;
    unsigned shard;
    struct ppos p;
};

static const struct store_entry *pcur_entry(const struct pcur *c)
{
    return c->px->dir[c->p.ci].c->e[c->p.i];
}

static int has_prefix(const struct store_entry *e, const char *pfx,
                      size_t plen)
{
    return e->klen >= plen && store__mem_eq(store__ckey(e), pfx, plen);
}

static int pcur_less(const struct pcur *a, const struct pcur *b)
{
    const struct store_entry *x = pcur_entry(a);
    return entry_cmp(x, store__ckey(pcur_entry(b)), pcur_entry(b)->klen) < 0;
}

static void heap_down(struct pcur *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < n && pcur_less(&h[l], &h[m]))
            m = l;
        if (l + 1 < n && pcur_less(&h[l + 1], &h[m]))
            m = l + 1;
        if (m == i)
            return;
        struct pcur t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

/* Moves c to the next key; returns 0 when it left the prefix range. */
static int pcur_next(struct pcur *c, const char *pfx, size_t plen)
{
    if (++c->p.i == c->px->dir[c->p.ci].c->n) {
        c->p.ci++;
        c->p.i = 0;
    }
    return c->p.ci < c->px->nc && has_prefix(pcur_entry(c), pfx, plen);
}

/* Visits, in byte order, up to count keys that start with pfx, from the
 * place cursor names (0: the start), calling cb for each live one, and
 * returns the cursor to go on with, 0 when no key under pfx is left.
 * Every key present for the whole iteration is visited at least once;
 * any cursor value is safe (see the essay above). Expired keys are
 * skipped, and some removed after the walk. cb must not modify the
 * store. */
uint64_t store_scan_prefix(struct store *s, const char *pfx, size_t plen,
                           uint64_t cursor, size_t count, store_scan_cb cb,
                           void *ctx)
{
    if (count == 0)
        count = 1;
    /* Where to start: strictly after a saved key, or at a lower bound. */
    struct store__presume *r = cursor ? presume_get(s, cursor) : NULL;
    const char *from = pfx;
    size_t flen = plen;
    int strict = 0;
    char buf[SEEK_BUF];
    if (r && key_cmp(r->key, r->klen, pfx, plen) >= 0) {
        from = r->key;
        flen = r->klen;
        strict = 1;
    } else if (cursor && !r && plen + HINT_BYTES <= sizeof buf) {
        memcpy(buf, pfx, plen);
        flen = plen;
        for (int i = HINT_BYTES - 1; i >= 0; i--) {
            unsigned char b = (unsigned char)(cursor >> (HINT_SHIFT + 8 * i));
            buf[flen++] = (char)b;
        }
        while (flen > plen && buf[flen - 1] == 0)
            flen--;
        from = buf;
    }

    /* Seek every shard and heap the ones with a key under the prefix. */
    struct pcur heap[STORE_MAX_SHARDS];
    size_t nh = 0;
    for (unsigned i = 0; i < s->nshards; i++) {
        struct pcur c = { &s->shards[i].pix, i, { 0, 0 } };
        c.p = seek(c.px, from, flen, strict);
        if (c.p.ci < c.px->nc && has_prefix(pcur_entry(&c), pfx, plen))
            heap[nh++] = c;
    }
    for (size_t i = nh / 2; i-- > 0;)
        heap_down(heap, nh, i);

    const struct store_entry *last = NULL;
    for (size_t seen = 0; seen < count && nh > 0; seen++) {
        const struct store_entry *e = pcur_entry(&heap[0]);
        cb(ctx, e);
        last = e;
        if (!pcur_next(&heap[0], pfx, plen))
            heap[0] = heap[--nh];
        heap_down(heap, nh, 0);
    }

    uint64_t next = 0;
    if (nh > 0)
        next = presume_save(s, r, store__ckey(last), last->klen, plen);
    else if (r)
        presume_free(s, r);
    return next;
}
