/* store_int.h - private to store/: the entry layout, the shard and store
 * structs, and the helpers the store's .c files share. Nothing outside
 * store/ includes this (tests/unit/test_store.c does, to check
 * invariants).
 *
 * An entry is one allocation holding the key and a string value:
 *
 *   +------+------+------+------+-------+-----------------+-----+-------+
 *   | next | klen | vlen | type | flags | [expire][vidx]  | key | value |
 *   +------+------+------+------+-------+-----------------+-----+-------+
 *     8      4      4      1      1      12, only with      klen  vlen
 *                                        STORE__F_TTL
 *
 * type holds the value's type in 3 bits and the LFU counter in the other
 * 5 (lfu.c); flags holds STORE__F_TTL and the access stamp
 * (STORE__F_ATIME), which under an lfu policy is the counter's decay
 * reference instead (the same bits, in minutes: Redis shares its 24-bit
 * lru field the same way).
 *
 * The header is offsetof(data) = 18 bytes (sizeof would round to 24).
 * The TTL prefix is read and written with memcpy since data[] is not
 * aligned. vidx is the entry's slot in its shard's volatile array.
 *
 * A hash or set entry (type != STORE_T_STRING) has vlen == sizeof(void *)
 * and its value bytes hold a pointer to the object it owns (coll.c);
 * store__ops below creates, frees, deep-copies and measures it. */
#ifndef RESPITE_STORE_INT_H
#define RESPITE_STORE_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "store/store.h"

struct store_entry {
    struct store_entry *next;      /* bucket chain */
    uint32_t klen;
    uint32_t vlen;
    uint8_t type : 3;              /* enum store_type */
    uint8_t freq : 5;              /* LFU counter, 0..STORE__LFU_MAX */
    uint8_t flags;                 /* STORE__F_* */
    char data[];
};

#define STORE__HDR offsetof(struct store_entry, data)
#define STORE__F_TTL 0x01
/* The other 7 bits of flags: when the key was last looked up, in units of
 * 1024 ms modulo 128 (evict.c's LRU). */
#define STORE__F_ATIME 0xFE
#define STORE__TTL_SIZE 12         /* int64 expire_ms + uint32 vidx */
_Static_assert(STORE__HDR == 18, "the entry header is 18 bytes");
_Static_assert(STORE_T__COUNT <= 8, "the type fits in 3 bits");

/* One hash table: size is 0 (never allocated) or a power of two. */
struct store_table {
    struct store_entry **b;
    size_t size;
};

/* The ordered index of a shard's keys (prefix.c): sorted chunks of entry
 * pointers under a sorted directory. Every entry linked in the shard's
 * tables is in it; code that links, unlinks or moves an entry must tell
 * it (store__table_reserve/link do for inserts, store__entry_remove for
 * removals, store__pindex_slot for an entry that moves). */
#define PCHUNK_CAP 127             /* 8 + 127 * 8 = 1024 bytes */
struct store__pchunk {
    uint32_t n, pad;
    struct store_entry *e[PCHUNK_CAP];
};
struct store__pdir {
    uint64_t head, head2;          /* first 16 key bytes of c->e[0] */
    struct store__pchunk *c;
};
#define PDIR_MIN 4                 /* dir[] slots first allocated */
struct store_pindex {
    struct store__pdir *dir;
    uint32_t nc, dcap;             /* chunks in dir[], slots allocated */
    size_t n;                      /* entries */
    struct store__pchunk *spare;   /* for the next split (reserve) */
    int deferred;                  /* empty until built (prefix_build.c) */
};

/* A shard: t[0] is the table; t[1] is non-empty only while rehashing
 * (t[0] buckets below rehashidx are then empty, and only the t[1] buckets
 * they map to are initialised: see store__home). vol is the dense array
 * of the entries that carry a TTL. */
struct store_shard {
    struct store_table t[2];
    size_t rehashidx;
    size_t used;                   /* entries in t[0] and t[1] */
    struct store_entry **vol;
    size_t nvol, vcap;
    size_t vspan;                  /* vol's mapping, 0 if malloc'ed (pages.c) */
    struct store_pindex pix;       /* ordered index (prefix.c) */
};

struct store {
    unsigned nshards;              /* power of two */
    unsigned exp_cursor;           /* shard the next expire step starts on */
    size_t nkeys, nvol;
    size_t mem;                    /* bytes allocated, as malloc sees it */
    size_t mapped;                 /* of mem: arrays in mappings (pages.c) */
    size_t map_min;                /* arrays this big or bigger are mapped */
    unsigned long fail_after;      /* fault injection; 0 = off */
    uint64_t rng;
    struct store_limits limits;    /* compact encodings (obj.c) */
    store_expired_cb expired_cb;
    void *expired_ctx;
    store_release_cb release_cb;   /* NULL: pages.c releases inline */
    void *release_ctx;
    store_populate_cb populate_cb; /* NULL: the writers fault pages in */
    void *populate_ctx;
    store_map_cb map_cb;           /* NULL: pages.c maps tables itself */
    void *map_ctx;
    struct store_expire_stats stats;
    size_t pmem;                   /* of mem: prefix indexes, resume points */
    struct store__presume *presume;    /* prefix scan resume points */
    uint64_t ptick;
    uint32_t pgen;
    uint8_t atime;                 /* stamp of the latest lookup's now_ms */
    uint8_t lfu;                   /* lfu policy: stamps are minutes (lfu.c) */
    uint32_t lfu_log_factor;       /* lfu-log-factor */
    uint32_t lfu_decay;            /* lfu-decay-time, minutes; 0: never */
    uint8_t expire_paused;         /* store_set_expire_paused */
    uint8_t notouch;               /* store_set_touch(s, 0) */
    struct store_stream *streams;  /* stream.c: retention ring */
    struct store__hfe **hfev;      /* hfe.c: hashes with field TTLs, a heap */
    size_t nhfe, hfecap;           /* registered, allocated */
    struct store_shard shards[];
};

/* ---- Hashing and entry fields ----------------------------------------- */

static inline uint64_t store__hash(const char *key, size_t klen)
{
    return XXH3_64bits(key, klen);
}

/* The shard comes from the top 8 bits, the bucket from the low bits. */
static inline struct store_shard *store__shard(struct store *s, uint64_t h)
{
    return &s->shards[(h >> 56) & (s->nshards - 1)];
}

/* The access stamp of time now_ms, in STORE__F_ATIME's bits. */
static inline uint8_t store__atime(int64_t now_ms)
{
    return (uint8_t)((uint64_t)now_ms >> 9) & STORE__F_ATIME;
}

/* Marks e as used at the stamp atime (store__atime). */
static inline void store__touch(struct store_entry *e, uint8_t atime)
{
    e->flags = (uint8_t)((e->flags & STORE__F_TTL) | atime);
}

/* ---- LFU (lfu.c) -------------------------------------------------------- */

#define STORE__LFU_INIT 5          /* a new key's counter, as Redis's */
#define STORE__LFU_MAX 31          /* 5 bits */

void store__lfu_hit(struct store *s, struct store_entry *e);
unsigned store__lfu_decayed(const struct store *s,
                            const struct store_entry *e, uint8_t stamp);
unsigned store__lfu_settle(const struct store *s, struct store_entry *e,
                           uint8_t stamp);

/* The stamp of time now_ms under an lfu policy: minutes modulo 128, in
 * STORE__F_ATIME's bits. */
static inline uint8_t store__lfu_stamp(int64_t now_ms)
{
    return (uint8_t)(((uint64_t)now_ms / 60000) << 1) & STORE__F_ATIME;
}

/* The stamp a lookup at now_ms leaves in s->atime: access time, or the
 * LFU decay reference. */
static inline uint8_t store__stamp(const struct store *s, int64_t now_ms)
{
    if (__builtin_expect(s->lfu, 0))
        return store__lfu_stamp(now_ms);
    return store__atime(now_ms);
}

/* A lookup found e, at the stamp in s->atime: marks it used (LRU), or
 * counts the access (LFU). */
static inline void store__access(struct store *s, struct store_entry *e)
{
    if (__builtin_expect(s->notouch, 0))
        return;
    if (__builtin_expect(s->lfu, 0))
        store__lfu_hit(s, e);
    else
        store__touch(e, s->atime);
}

static inline int store__has_ttl(const struct store_entry *e)
{
    return e->flags & STORE__F_TTL;
}

static inline size_t store__prefix(const struct store_entry *e)
{
    return store__has_ttl(e) ? STORE__TTL_SIZE : 0;
}

static inline size_t store__esize(size_t klen, size_t vlen, int ttl)
{
    return STORE__HDR + (ttl ? STORE__TTL_SIZE : 0) + klen + vlen;
}

static inline char *store__ekey(struct store_entry *e)
{
    return e->data + store__prefix(e);
}

static inline const char *store__ckey(const struct store_entry *e)
{
    return e->data + store__prefix(e);
}

static inline char *store__eval(struct store_entry *e)
{
    return e->data + store__prefix(e) + e->klen;
}

static inline int64_t store__expire(const struct store_entry *e)
{
    int64_t t;
    if (!store__has_ttl(e))
        return STORE_NO_TTL;
    memcpy(&t, e->data, sizeof t);
    return t;
}

static inline void store__expire_put(struct store_entry *e, int64_t t)
{
    memcpy(e->data, &t, sizeof t);
}

static inline uint32_t store__vidx(const struct store_entry *e)
{
    uint32_t i;
    memcpy(&i, e->data + 8, sizeof i);
    return i;
}

static inline void store__vidx_put(struct store_entry *e, uint32_t i)
{
    memcpy(e->data + 8, &i, sizeof i);
}

static inline int store__expired(const struct store_entry *e, int64_t now)
{
    return store__has_ttl(e) && store__expire(e) <= now;
}

/* memcmp that accepts NULL pointers when n is 0. */
static inline int store__mem_eq(const void *a, const void *b, size_t n)
{
    return n == 0 || memcmp(a, b, n) == 0;
}

/* Key equality, with the common 8..16-byte case done in two word loads
 * (overlapping when shorter than 16) instead of a call to memcmp. */
static inline int store__key_eq(const char *a, const char *b, size_t n)
{
    if (n >= 8 && n <= 16) {
        uint64_t x, y, u, w;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        memcpy(&u, a + n - 8, 8);
        memcpy(&w, b + n - 8, 8);
        return ((x ^ y) | (u ^ w)) == 0;
    }
    return store__mem_eq(a, b, n);
}

/* ---- Integers as text (list.c, coll.c) -------------------------------- */

/* Writes v's decimal text so that it ends just before end (20 bytes at
 * most); returns where it starts: how store_i64_parse reads it back. */
char *store__int_text(char *end, int64_t v);

/* ---- LEB128 varints (coll.c, list.c, stream.c) ------------------------- */

/* Bytes store__varint_put writes for v: 7 bits a byte, low group first. */
static inline size_t store__varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 128) {
        v >>= 7;
        n++;
    }
    return n;
}

/* Writes v at p; returns the bytes written. */
static inline size_t store__varint_put(void *p, uint64_t v)
{
    unsigned char *q = p;
    size_t n = 0;
    while (v >= 128) {
        q[n++] = (unsigned char)(0x80 | (v & 0x7f));
        v >>= 7;
    }
    q[n++] = (unsigned char)v;
    return n;
}

/* Reads the varint at p into *v; returns the bytes read. */
static inline size_t store__varint_get(const void *p, uint64_t *v)
{
    const unsigned char *q = p;
    uint64_t r = 0;
    size_t n = 0;
    unsigned shift = 0;
    for (;;) {
        unsigned char b = q[n++];
        r |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            break;
        shift += 7;
    }
    *v = r;
    return n;
}

/* ---- Reverse-binary bucket scans (coll.c, zset_iter.c) ---------------- */

static inline uint64_t store__rev64(uint64_t v)
{
    v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
    v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
    v = ((v >> 4) & 0x0f0f0f0f0f0f0f0fULL) | ((v & 0x0f0f0f0f0f0f0f0fULL) << 4);
    return __builtin_bswap64(v);
}

/* The cursor after v in a table of mask m: the next bucket in reverse-
 * binary order, so that a scan survives a resize (Redis's dictScan).
 * 0 after the last bucket. */
static inline uint64_t store__cursor_next(uint64_t v, uint64_t m)
{
    return store__rev64(store__rev64(v | ~m) + 1);
}

/* Bucket i of table t (0 or 1) of the caller's pair, met by a scan. */
typedef void store__bucket_fn(void *ctx, int t, uint64_t i);

/* Visits about count buckets (at least one) of a pair of power-of-two
 * tables of size0 and size1 buckets (size1 0 when not rehashing), from
 * cursor on; returns the next cursor, 0 when done. While rehashing, each
 * bucket of the smaller table is followed by every bucket of the larger
 * one that it expands to (Redis's dictScan). */
static inline uint64_t store__buckets_scan(uint64_t cursor, size_t count,
                                           size_t size0, size_t size1,
                                           store__bucket_fn *visit,
                                           void *ctx)
{
    size_t buckets = count ? count : 1;
    if (size1 == 0) {
        uint64_t mask = size0 - 1;
        do {
            visit(ctx, 0, cursor & mask);
            cursor = store__cursor_next(cursor, mask);
        } while (cursor && --buckets);
        return cursor;
    }
    int small = size0 > size1;
    uint64_t m0 = (small ? size1 : size0) - 1;
    uint64_t m1 = (small ? size0 : size1) - 1;
    do {
        visit(ctx, small, cursor & m0);
        do {
            visit(ctx, !small, cursor & m1);
            cursor = store__cursor_next(cursor, m1);
        } while (cursor & (m0 ^ m1));
    } while (cursor && --buckets);
    return cursor;
}

/* ---- Object values (obj.c) --------------------------------------------- */

/* A non-string value is an object the entry owns; its value bytes hold
 * the pointer (vlen == sizeof(void *)). Each type's file defines its row
 * (coll.c: hash and set; list.c, zset.c, stream.c); obj.c gathers them
 * into store__ops, indexed by entry->type, whose string row is NULL. */
struct store__obj_ops {
    void *(*create)(struct store *s, enum store_type t);  /* NULL on OOM */
    void (*free)(struct store *s, void *o);
    void *(*clone)(struct store *d, const void *o);   /* NULL on OOM */
    size_t (*mem)(const void *o);                     /* bytes held */
    size_t (*len)(const void *o);                     /* elements */
    int (*check)(const void *o);                      /* 0 if consistent */
};
extern const struct store__obj_ops *const store__ops[STORE_T__COUNT];
extern const struct store__obj_ops store__coll_ops;
extern const struct store__obj_ops store__list_ops;
extern const struct store__obj_ops store__zset_ops;
extern const struct store__obj_ops store__stream_ops;

/* ---- Hash field TTLs (hfe.c, coll.c) ---------------------------------- */

struct store__hfe;
struct store__hfe *store__coll_hfe(const struct store_coll *c);
struct store_coll *store__coll_hfe_attach(struct store *s,
                                          struct store_coll *c,
                                          struct store__hfe *x);
void store__hfe_free(struct store *s, struct store__hfe *x);
struct store__hfe *store__hfe_clone(struct store *d,
                                    const struct store__hfe *x);
void store__hfe_set_owner(struct store__hfe *x, struct store_coll *c);
size_t store__hfe_mem(const struct store__hfe *x);
void store__hfe_forget(struct store *s, struct store__hfe *x, const char *f,
                       size_t flen);
int store__hfe_expired(const struct store__hfe *x, const char *f,
                       size_t flen, int64_t now_ms);
int store__hfe_rekey(struct store *s, struct store *d, struct store_coll *c,
                     const char *dst, size_t dlen);
int store__hfe_check(const struct store__hfe *x, const struct store_coll *c);
void store__hfe_registry_free(struct store *s);
int store__hfe_registry_check(const struct store *s, size_t *mem);

/* 1 while table-encoded c is moving to new buckets (coll.c; tests). */
int store__coll_rehashing(const struct store_coll *c);

static inline void *store__obj(const struct store_entry *e)
{
    void *o;
    memcpy(&o, store__ckey(e) + e->klen, sizeof o);
    return o;
}


/* ---- store.c ----------------------------------------------------------- */

void *store__malloc(struct store *s, size_t n);
void *store__calloc(struct store *s, size_t n, size_t size);
void *store__realloc(struct store *s, void *p, size_t n);
void store__free(struct store *s, void *p);
int store__fail_now(struct store *s);
void store__entry_free(struct store *s, struct store_entry *e);
uint64_t store__rand(struct store *s);
/* A shard picked in proportion to its keys (vol: to its keys with a
 * TTL); total, their sum, > 0. */
struct store_shard *store__pick_shard(struct store *s, size_t total, int vol);
/* A random element drawn as a random non-empty bucket, then a random one
 * of its chain, favours elements in short chains (as Redis's
 * dictGetRandomKey does: in a hash of 1000 fields, HRANDFIELD -200000
 * gave some fields half as often as others). Keeping the chain with
 * probability len / STORE__CHAIN_CAP, else drawing again, makes every
 * element of a chain up to that long equally likely. At the tables' load
 * factor of at most 1, under 0.1% of elements are in longer chains; a
 * larger cap costs more draws (scripts/bench-random.sh: SRANDMEMBER -5 of
 * 200k members took 2.6 us of server CPU unfair, 4.3 at 6; Redis 6.8).
 * Returns 1 to keep the chain. */
#define STORE__CHAIN_CAP 6
int store__chain_keep(struct store *s, size_t len);
void store__entry_remove(struct store *s, struct store_shard *sh,
                         struct store_entry **link, int expired);
int store__key_insert(struct store *s, struct store_shard *sh, uint64_t h,
                      const char *key, size_t klen, const char *val,
                      size_t vlen, int type, int64_t exp);
int store__check(const struct store *s);

/* ---- pages.c ----------------------------------------------------------- */

/* Arrays of STORE__MAP_MIN bytes or more live in mappings of their own
 * (pages.c says why); struct store's map_min starts at this. */
#define STORE__MAP_MIN (256 * 1024)

void *store__array_alloc(struct store *s, size_t bytes);
void store__array_free(struct store *s, void *p, size_t bytes, size_t done);
size_t store__array_mem(const struct store *s, const void *p, size_t bytes,
                        size_t done);
void store__array_drain(struct store *s, void *p, size_t bytes, size_t from,
                        size_t to);
void store__array_fill(struct store *s, void *p, size_t bytes, size_t at);
/* A growable array (store__array_resize) mapped anew reserves this many
 * times its size of address space (pages.c): a volatile array mapped at
 * 256 KB grows in place to 8 MB, a million keys with a TTL a shard. */
#define STORE__SPAN_AHEAD 32

void *store__array_resize(struct store *s, void *p, size_t ob, size_t nb,
                          size_t *span);
void *store__array_shrink(struct store *s, void *p, size_t ob, size_t nb,
                          size_t *span);
void store__array_free_grown(struct store *s, void *p, size_t bytes,
                             size_t span);

/* ---- prefix.c ---------------------------------------------------------- */

int store__pindex_reserve(struct store *s, struct store_shard *sh);
void store__pindex_insert(struct store_shard *sh, struct store_entry *e);
void store__pindex_remove(struct store *s, struct store_shard *sh,
                          const struct store_entry *e);
struct store_entry **store__pindex_slot(struct store_shard *sh,
                                        const struct store_entry *e);
void store__pindex_clear(struct store *s, struct store_shard *sh);
int store__pindex_check(const struct store_shard *sh, size_t *mem);
void store__presume_clear(struct store *s);
int store__presume_check(const struct store *s, size_t *mem);
/* The first 16 bytes of a key, big-endian and zero-padded: a directory
 * slot's head, two integer compares that order most keys. */
struct store__phead {
    uint64_t hi, lo;
};
struct store__phead store__phead_of(const char *key, size_t klen);
/* Allocations of the indexes and resume points, counted in pmem too. */
void *store__pmalloc(struct store *s, size_t n);
void store__pfree(struct store *s, void *p);

/* ---- ratelimit.c ------------------------------------------------------- */

void store__rl_force_wide(int on);

/* ---- table.c ----------------------------------------------------------- */

struct store_entry **store__table_find(struct store_shard *sh, uint64_t h,
                                       const char *key, size_t klen);
struct store_entry **store__table_link_of(struct store_shard *sh,
                                          const struct store_entry *e);
int store__table_reserve(struct store *s, struct store_shard *sh);
void store__table_link(struct store_shard *sh, uint64_t h,
                       struct store_entry *e);
void store__table_rehash(struct store *s, struct store_shard *sh, size_t n);
void store__table_shrink(struct store *s, struct store_shard *sh);
void store__table_clear(struct store *s, struct store_shard *sh);

static inline int store__rehashing(const struct store_shard *sh)
{
    return sh->t[1].size != 0;
}

/* The bucket that holds (or would hold) a key of hash h: while rehashing,
 * keys of t[0] buckets below rehashidx live in t[1], the others still in
 * t[0] (table.c's essay says why). rehashidx is 0 when not rehashing.
 * t[0] must have buckets. */
static inline struct store_entry **store__home(struct store_shard *sh,
                                               uint64_t h)
{
    size_t i = h & (sh->t[0].size - 1);
    if (i < sh->rehashidx)
        return &sh->t[1].b[h & (sh->t[1].size - 1)];
    return &sh->t[0].b[i];
}

/* Bucket j of table t[ti], or NULL for a bucket of t[1] that the rehash
 * has not written yet: t[1]'s array is not zeroed up front, and such a
 * bucket holds no entries. Readers that walk buckets by index (SCAN,
 * random keys, checks) go through this. */
static inline struct store_entry **store__bucket_at(struct store_shard *sh,
                                                    int ti, size_t j)
{
    if (ti == 1 && (j & (sh->t[0].size - 1)) >= sh->rehashidx)
        return NULL;
    return &sh->t[ti].b[j];
}

/* The bucket (or few) of rehash work every operation on a shard does. */
static inline void store__rehash_step(struct store *s, struct store_shard *sh)
{
    if (store__rehashing(sh))
        store__table_rehash(s, sh, 1);
}

#endif
