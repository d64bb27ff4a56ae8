/* store.h - one database's keyspace: N shards chosen by XXH3 of the key,
 * each a hash table with incremental rehashing and a side index of the
 * keys that carry a TTL. No sockets, no RESP, no libuv, no clock: every
 * call that needs the time takes now_ms (Unix milliseconds).
 *
 * Ownership: setters copy key and value. Entry pointers and the views
 * they give (key, string value) are borrowed: valid until the next
 * mutating call on the same store (a lookup that lazily expires a key
 * counts as mutating). Handlers copy into the reply at once. */
#ifndef RESPITE_STORE_H
#define RESPITE_STORE_H

#include <stddef.h>
#include <stdint.h>

enum store_rc {
    STORE_OK = 0,
    STORE_NOT_FOUND = -1,
    STORE_WRONGTYPE = -2,
    STORE_NOMEM = -3,
    STORE_EXISTS = -4,
    STORE_TOO_BIG = -5,     /* result would exceed STORE_MAX_STR */
    STORE_HLL_INVALID = -6, /* HyperLogLog registers do not decode */
};

enum store_type {
    STORE_T_STRING = 0,
    STORE_T_HASH,               /* value: a struct store_coll (coll.c) */
    STORE_T_SET,                /* value: a struct store_coll, no values */
    STORE_T_LIST,               /* value: a struct store_list (list.c) */
    STORE_T_ZSET,               /* value: a struct store_zset (zset.c) */
    STORE_T_STREAM,             /* value: a struct store_stream (stream.c) */
    STORE_T__COUNT
};

#define STORE_MAX_STR ((size_t)512 * 1024 * 1024)
#define STORE_NO_TTL (-1)          /* expire_ms meaning "no TTL" */
#define STORE_KEEP_TTL (-2)        /* store_key_set: keep the existing TTL */
#define STORE_MAX_SHARDS 256

struct store;                  /* opaque */
struct store_entry;            /* opaque; see accessors below */

/* Called for every key the store removes because its TTL passed (by a
 * lookup or by store_expire_step), after it is unlinked and before it is
 * freed. The key view is valid only during the call. */
typedef void (*store_expired_cb)(void *ctx, const char *key, size_t klen);
/* Called by store_scan for each key, expired ones too (see
 * store_entry_expired); views valid during the call. */
typedef void (*store_scan_cb)(void *ctx, const struct store_entry *e);
/* Monotonic microseconds, used only to bound store_expire_step. */
typedef uint64_t (*store_clock_us)(void *ctx);
/* A mapping, or part of one, the store is done with (see
 * store_set_release_cb): unmap it (unmap 1), or drop its pages with
 * madvise(MADV_DONTNEED) and keep the mapping (unmap 0). resident: bytes
 * of it the store counted in store_mem_usage until now. */
struct store_release {
    void *addr;
    size_t len;
    size_t resident;
    int unmap;
};
typedef void (*store_release_cb)(void *ctx, const struct store_release *job);
/* A range of a mapping the store just made, which its writers will fill
 * (see store_set_populate_cb). */
typedef void (*store_populate_cb)(void *ctx, void *addr, size_t len);
/* A new mapping of len bytes (whole pages) for one of the store's arrays
 * (see store_set_map_cb), or NULL. */
typedef void *(*store_map_cb)(void *ctx, size_t len);

/* nshards: 1..STORE_MAX_SHARDS, rounded up to a power of two. NULL on OOM. */
struct store *store_new(unsigned nshards);
void store_free(struct store *s);
void store_set_expired_cb(struct store *s, store_expired_cb cb, void *ctx);
/* on != 0: lookups treat a key past its TTL as absent but leave it in
 * place (no expired callback), as Redis does while clients are paused
 * (CLIENT PAUSE); the caller runs no write and no expire step meanwhile,
 * since a write would not see the entry. 0 (the default): such a key is
 * removed when found. */
void store_set_expire_paused(struct store *s, int on);
/* on == 0: lookups find keys without marking them used (access stamp and
 * LFU counter stay), as for a Redis 7.2 CLIENT NO-TOUCH client; 1 (the
 * default): every lookup but store_key_peek* marks the key. */
void store_set_touch(struct store *s, int on);
/* Hands the store's pages-release jobs to cb instead of running them in
 * the call that frees (store/pages.c): cb must run them in the order
 * given, and may run them later on another thread. Set before use. */
void store_set_release_cb(struct store *s, store_release_cb cb, void *ctx);
/* Tells cb of every range of the store's own mappings that is about to be
 * written for the first time (store/pages.c), so that another thread can
 * fault it in first; cb may do that later, or not at all. Set before use. */
void store_set_populate_cb(struct store *s, store_populate_cb cb, void *ctx);
/* Asks cb for the mapping of every new bucket array big enough to be
 * mapped (store/pages.c) instead of calling mmap: cb returns len bytes of
 * fresh MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE read/write memory,
 * which the store then owns (and unmaps as any of its mappings), or NULL,
 * and the store maps it itself. Set before use. */
void store_set_map_cb(struct store *s, store_map_cb cb, void *ctx);
/* Removes every key (FLUSHDB) and zeroes the avg_ttl estimate. */
void store_clear(struct store *s);

/* A hint that about nkeys keys are coming (an RDB file's RESIZEDB):
 * shards that never held a key get tables of that size at once, so that
 * loading them rehashes nothing. Nothing else changes; a failed
 * allocation is ignored. */
void store_reserve(struct store *s, size_t nkeys);
/* Bulk loading: after store_index_defer, new keys go into the hash
 * tables only, and store_index_build sorts every key into the ordered
 * index at once (store/prefix_build.c), far faster than one insert at a
 * time. Meanwhile nothing may scan by prefix or list KEYS. Build returns
 * STORE_OK, or STORE_NOMEM with some shards still deferred: the caller
 * must then store_clear. */
void store_index_defer(struct store *s);
int store_index_build(struct store *s);
/* Keys held, including expired keys not yet swept. */
size_t store_size(const struct store *s);
/* Keys held that carry a TTL. */
size_t store_volatile_size(const struct store *s);

/* ---- Keys ------------------------------------------------------------- */

/* The live entry for key, or NULL. An expired key is removed (and reported
 * to the expired callback) and NULL returned. */
struct store_entry *store_key_find(struct store *s, const char *key,
                                   size_t klen, int64_t now_ms);
/* As store_key_find, but the key is not marked as used (OBJECT, MEMORY
 * USAGE): its access stamp and LFU counter stay as they are. */
struct store_entry *store_key_peek(struct store *s, const char *key,
                                   size_t klen, int64_t now_ms);
/* key's entry even when past its TTL (nothing expires, nothing is
 * touched), or NULL: MEMORY USAGE measures what is there, as Redis's. */
struct store_entry *store_key_peek_any(struct store *s, const char *key,
                                       size_t klen);
/* Sets key to a string value, replacing any value of any type.
 * expire_ms: absolute Unix ms, STORE_NO_TTL or STORE_KEEP_TTL.
 * Returns STORE_OK or STORE_NOMEM (the old value is then untouched). */
int store_key_set(struct store *s, const char *key, size_t klen,
                  const char *val, size_t vlen, int64_t expire_ms,
                  int64_t now_ms);
/* Removes key whether or not it is past its time, reporting no expiry:
 * Redis's dbDelete. Returns 1 if there was such a key, else 0. */
int store_key_delete_held(struct store *s, const char *key, size_t klen);
/* Removes key. Returns 1 if a live key was removed, else 0. */
int store_key_delete(struct store *s, const char *key, size_t klen,
                     int64_t now_ms);
/* Sets (expire_ms >= 0) or clears (STORE_NO_TTL) the TTL of a live key.
 * Returns STORE_OK, STORE_NOT_FOUND or STORE_NOMEM. */
int store_key_expire_set(struct store *s, const char *key, size_t klen,
                         int64_t expire_ms, int64_t now_ms);
/* Moves the value and TTL of src to dst in store d (d may equal s),
 * replacing dst. Returns STORE_OK, STORE_NOT_FOUND or STORE_NOMEM. */
int store_key_rename(struct store *s, const char *src, size_t slen,
                     struct store *d, const char *dst, size_t dlen,
                     int64_t now_ms);
/* Copies value and TTL of src to dst in store d, replacing dst.
 * Returns STORE_OK, STORE_NOT_FOUND or STORE_NOMEM. */
int store_key_copy(struct store *s, const char *src, size_t slen,
                   struct store *d, const char *dst, size_t dlen,
                   int64_t now_ms);
/* A uniformly-ish random live key (copied into the caller's view through
 * the returned entry), or NULL when empty. */
struct store_entry *store_key_random(struct store *s, int64_t now_ms);

/* ---- Eviction (evict.c) ----------------------------------------------- */

/* How store_evict_sample ranks keys. */
enum store_evict_by {
    STORE_EVICT_RANDOM,            /* any one key */
    STORE_EVICT_LRU,               /* idle longest, by the access stamp */
    STORE_EVICT_TTL,               /* nearest expire time */
    STORE_EVICT_LFU,               /* lowest decayed LFU counter */
};
/* A candidate: its entry (borrowed) and how much it deserves eviction,
 * comparable between stores for the same enum store_evict_by. */
struct store_victim {
    struct store_entry *e;
    uint64_t score;
};
/* Samples n random keys (one for STORE_EVICT_RANDOM; only keys with a TTL
 * when volatile_only) and puts the best candidate in *v. Returns 0 when s
 * has no candidate. A key past its TTL is a candidate too, as in Redis. */
int store_evict_sample(struct store *s, int by, int volatile_only,
                       unsigned n, int64_t now_ms, struct store_victim *v);
/* Removes e, a candidate of s, reporting its key to cb before it goes. */
void store_evict(struct store *s, struct store_entry *e, store_expired_cb cb,
                 void *ctx);

/* ---- Access tracking (lfu.c) ----------------------------------------- */

/* Turns LFU counting on (an lfu maxmemory-policy) or off (the access
 * stamp is then the LRU time). log_factor and decay_minutes are
 * lfu-log-factor and lfu-decay-time (0: counters never decay). Switching
 * reinterprets the stamps, as in Redis: it takes a while to settle. */
void store_set_lfu(struct store *s, int on, uint32_t log_factor,
                   uint32_t decay_minutes);
/* e's LFU counter (0..31) decayed to now_ms, without changing it. */
unsigned store_entry_freq(const struct store *s, const struct store_entry *e,
                          int64_t now_ms);
/* Milliseconds since e was last looked up, in steps of 1024 and below
 * 128 steps (the stamp wraps), when LFU counting is off. */
int64_t store_entry_idle_ms(const struct store_entry *e, int64_t now_ms);
/* Sets what OBJECT IDLETIME / FREQ report for e, as RESTORE's IDLETIME
 * and FREQ do: under an lfu policy the counter to freq (clipped to the
 * 5-bit maximum) when freq >= 0, else the last access to idle_ms before
 * now_ms (clipped to the stamp's 127 units of 1024 ms, rounded up) when
 * idle_ms >= 0. */
void store_entry_set_access(struct store *s, struct store_entry *e,
                            int64_t idle_ms, int64_t freq, int64_t now_ms);
/* Seeds the store's random generator (tests: repeatable draws). */
void store_set_seed(struct store *s, uint64_t seed);

/* Lookups of these keys (NULL entries are skipped) are about to come:
 * starts loading what they will read first, so that their cache misses
 * overlap instead of coming one after another. A hint only: nothing
 * changes, and keys past the first STORE_PREFETCH_MAX are ignored. */
#define STORE_PREFETCH_MAX 16
void store_prefetch(struct store *s, const char *const *keys,
                    const size_t *lens, size_t n);

/* ---- String values ---------------------------------------------------- */

/* Resizes the string value of a live string key to newlen bytes (new
 * bytes are zero) and returns a writable pointer to the value, or NULL on
 * OOM (value untouched). *e is updated since the entry may move. */
char *store_str_resize(struct store *s, struct store_entry **e,
                       size_t newlen);

/* ---- Object values (obj.c) ------------------------------------------- */

/* Compact-encoding limits, the *-max-listpack-* directives: a collection
 * leaves its one-block encoding once it holds more than _entries elements
 * or an element longer than _value bytes. Values above
 * STORE_COMPACT_MAX are taken as STORE_COMPACT_MAX, so one block stays
 * small enough to search linearly and to size with 32 bits. */
struct store_limits {
    size_t hash_entries, hash_value;
    size_t set_entries, set_value;
    size_t zset_entries, zset_value;
    int64_t list_size;         /* >0: entries a block; -1..-5: 4..64 KiB */
    size_t set_intset;         /* set-max-intset-entries */
    /* stream-node-max-entries and -bytes: where a stream's block ends,
     * as Redis ends a node, so that XTRIM "~" removes the same entries.
     * 0 means no limit: entries then count as STORE_STREAM_BLOCK_MAX
     * (as do values above it), bytes as STORE_STREAM_BYTES_MAX, Redis's
     * own bound. */
    size_t stream_entries, stream_bytes;
};
#define STORE_COMPACT_MAX 4096
/* set_intset above this is taken as this: adds move the array's tail,
 * so an intset stays small enough for that (Redis allows 2^30). */
#define STORE_INTSET_MAX 65536
/* Redis 7's defaults (sets: Redis 7.2's set-max-listpack-*). */
#define STORE_LIMITS_DEFAULT { 512, 64, 128, 64, 128, 64, -2, 512, 100, 4096 }
/* Entries a stream block holds at most: it counts them in 16 bits. */
#define STORE_STREAM_BLOCK_MAX 65535
/* Entry offsets a range walk holds at a time (struct store_stream_it). */
#define STORE_STREAM_IT_WINDOW 128
/* Redis's own bound on a node's bytes (1 GiB). */
#define STORE_STREAM_BYTES_MAX ((size_t)1 << 30)
/* Applies l to collections that grow from now on; existing ones keep
 * their encoding until they next grow past the limits. */
void store_set_limits(struct store *s, const struct store_limits *l);
/* The limits in force (clamped). */
const struct store_limits *store_get_limits(const struct store *s);

/* Every type but strings is an object the key's entry owns. A pointer to
 * one is borrowed like an entry (valid until the next call that may
 * change the store), except an object a type's _new function returned,
 * which the caller owns until store_key_set_obj takes it or it is freed. */

/* Key's object of type in *out (NULL if absent and !create); returns
 * STORE_OK, STORE_WRONGTYPE or STORE_NOMEM. A created one is empty: the
 * caller adds to it or deletes the key. */
int store_obj_open(struct store *s, const char *key, size_t klen,
                   enum store_type type, int create, int64_t now_ms,
                   void **out);
/* The creating half of store_obj_open, for a caller that just found the
 * key absent (and so knows it is adding it): an empty object of type as
 * key's value in *out. STORE_OK, STORE_NOMEM or STORE_TOO_BIG. */
int store_obj_create(struct store *s, const char *key, size_t klen,
                     enum store_type type, int64_t now_ms, void **out);
/* Sets key (no TTL) to o of type, replacing any value; takes ownership of
 * o on STORE_OK only. Returns STORE_OK, STORE_NOMEM or STORE_TOO_BIG. */
int store_key_set_obj(struct store *s, const char *key, size_t klen,
                      enum store_type type, void *o, int64_t now_ms);
/* Bytes key e takes in the store: its entry, its value's structures and
 * its slots in the shard's tables (store.c says which). O(elements) for
 * a collection. */
size_t store_entry_mem(const struct store_entry *e);
/* The object a non-string entry holds (borrowed). */
void *store_entry_obj(const struct store_entry *e);
/* Elements in object o of type (hash fields, list items, entries...). */
size_t store_obj_len(enum store_type type, const void *o);

/* ---- Hashes and sets (coll.c) ----------------------------------------- */

/* A hash or set value. The key's entry owns it; pointers to it and views
 * into it are borrowed like entries (valid until the next call that may
 * change the store), except a collection from store_coll_new, which the
 * caller owns until store_key_set_obj or store_coll_free. */
struct store_coll;
/* One element: field (or member) and value (empty for sets). Borrowed;
 * an intset's member is written into buf, so f may point into the view
 * itself: keep the view, not a copy of it, while using f. */
struct store_coll_view {
    const char *f, *v;
    size_t flen, vlen;
    char buf[24];
};
/* Iterator for store_coll_next: zero it to start. */
struct store_coll_it {
    size_t pos;
    const void *node;
};
typedef void (*store_coll_cb)(void *ctx, const struct store_coll_view *v);

/* Key's collection of type in *out (NULL if absent and !create); returns
 * STORE_OK, STORE_WRONGTYPE or STORE_NOMEM. A created one is empty. */
int store_coll_open(struct store *s, const char *key, size_t klen,
                    enum store_type type, int create, int64_t now_ms,
                    struct store_coll **out);
struct store_coll *store_coll_new(struct store *s, enum store_type type);
void store_coll_free(struct store *s, struct store_coll *c);
size_t store_coll_len(const struct store_coll *c);
enum store_type store_coll_type(const struct store_coll *c);
int store_coll_is_compact(const struct store_coll *c);
/* 2, 4 or 8 while c is a set of integers kept as an intset, else 0. */
int store_coll_intset_width(const struct store_coll *c);
/* Size hint for an intset c about to hold n members, at least w bytes
 * wide (RESTORE keeps a payload's width): STORE_OK or STORE_NOMEM. Does
 * nothing for other encodings or past set-max-intset-entries. */
int store_coll_intset_reserve(struct store *s, struct store_coll *c,
                              size_t n, int w);
/* 1 and *out filled (out may be NULL) if field f exists, else 0. */
int store_coll_get(const struct store_coll *c, const char *f, size_t flen,
                   struct store_coll_view *out);
/* Adds or updates f (sets ignore v; nx keeps an existing f). Returns 1
 * added, 0 existed, STORE_NOMEM or STORE_TOO_BIG (unchanged). */
int store_coll_put(struct store *s, struct store_coll *c, const char *f,
                   size_t flen, const char *v, size_t vlen, int nx);
/* Removes f: 1 if it was there, else 0. Delete the key when emptied. */
int store_coll_del(struct store *s, struct store_coll *c, const char *f,
                   size_t flen);
int store_coll_next(const struct store_coll *c, struct store_coll_it *it,
                    struct store_coll_view *v);
/* HSCAN/SSCAN step: Redis's guarantee (see coll.c). Next cursor or 0. */
uint64_t store_coll_scan(const struct store_coll *c, uint64_t cursor,
                         size_t count, store_coll_cb cb, void *ctx);
/* A random element of non-empty c. */
void store_coll_random(struct store *s, const struct store_coll *c,
                       struct store_coll_view *v);
/* count (<= len) distinct random elements into out. STORE_OK/NOMEM. */
int store_coll_sample(struct store *s, const struct store_coll *c,
                      size_t count, struct store_coll_view *out);

/* ---- Hash field TTLs (hfe.c) ------------------------------------------ */

/* Deadlines are absolute Unix ms; a field is expired once its deadline is
 * below now_ms. Reads that may meet expired fields use store_coll_get_at;
 * the caller deletes what it finds expired (store_coll_del), as Redis's
 * lazy expiry does. */

/* Key's hash (which must exist) made able to hold field TTLs, in *out:
 * the collection moves, so earlier pointers to it are stale. STORE_OK,
 * STORE_NOT_FOUND, STORE_WRONGTYPE or STORE_NOMEM (unchanged). */
int store_hash_ttl_open(struct store *s, const char *key, size_t klen,
                        int64_t now_ms, struct store_coll **out);
/* 1 once c went through store_hash_ttl_open (the listpackex encoding). */
int store_coll_is_hfe(const struct store_coll *c);
/* store_coll_get that answers 2 instead of 1 when c may hold field TTLs:
 * a reader that gets 2 checks store_coll_field_expired, the others need
 * no clock. */
int store_coll_lookup(const struct store_coll *c, const char *f, size_t flen,
                      struct store_coll_view *out);
/* 1 and *out if f is there and live at now_ms; -1 if there but expired;
 * 0 if absent. */
int store_coll_get_at(const struct store_coll *c, const char *f, size_t flen,
                      int64_t now_ms, struct store_coll_view *out);
/* store_coll_put (not nx) keeping an overwritten field's TTL (HINCRBY). */
int store_coll_put_keepttl(struct store *s, struct store_coll *c,
                           const char *f, size_t flen, const char *v,
                           size_t vlen);
/* Field f's deadline, or STORE_NO_TTL (also when f is absent). */
int64_t store_coll_ttl(const struct store_coll *c, const char *f,
                       size_t flen);
/* Sets existing field f's deadline; c must come from store_hash_ttl_open.
 * STORE_OK, STORE_NOT_FOUND or STORE_NOMEM (unchanged). */
int store_coll_ttl_set(struct store *s, struct store_coll *c, const char *f,
                       size_t flen, int64_t at_ms);
/* Removes f's deadline: 1 if it had one, else 0. */
int store_coll_ttl_clear(struct store *s, struct store_coll *c,
                         const char *f, size_t flen);
/* 1 if field f has a deadline below now_ms. */
int store_coll_field_expired(const struct store_coll *c, const char *f,
                             size_t flen, int64_t now_ms);
/* Fields with a deadline. */
size_t store_coll_ttl_count(const struct store_coll *c);
/* Fields not expired at now_ms. O(expired fields). */
size_t store_coll_live_len(const struct store_coll *c, int64_t now_ms);
/* Deletes up to max fields expired at now_ms, earliest first; returns how
 * many. The caller deletes the key if c is left empty. */
size_t store_coll_expire(struct store *s, struct store_coll *c,
                         int64_t now_ms, size_t max);

/* ---- Lists (list.c) --------------------------------------------------- */

/* Parses p[0..n) as a signed 64-bit decimal with Redis's strictness
 * (string2ll): only the texts that format back to themselves, which are
 * the ones a list stores as numbers. Returns 1 and sets *out, or 0. */
int store_i64_parse(const char *p, size_t n, int64_t *out);

/* A list value: a chain of compact blocks. Owned and borrowed like a
 * collection (above); one from store_list_new is the caller's until
 * store_key_set_obj takes it. Open a key's list with
 * store_obj_open(..., STORE_T_LIST, ...). Indexes are 0-based; where a
 * signed index is taken, -1 is the last element. */
struct store_list;
enum store_list_end { STORE_LIST_HEAD = 0, STORE_LIST_TAIL = 1 };
/* One element's bytes. Borrowed until l changes; p may point into buf
 * (integers are stored as numbers), so never copy a view, copy p. */
struct store_list_view {
    const char *p;
    size_t len;
    char buf[24];
};
/* A walk over l (store_list_it_init, store_list_next). */
struct store_list_it {
    const void *b;
    size_t off;
    int rev;
};

struct store_list *store_list_new(struct store *s);
void store_list_free(struct store *s, struct store_list *l);
size_t store_list_len(const struct store_list *l);
/* 1 while l is a single block (Redis's listpack encoding). */
int store_list_is_compact(const struct store_list *l);
/* Adds v at end. STORE_OK or STORE_NOMEM (unchanged). */
int store_list_push(struct store *s, struct store_list *l, int end,
                    const char *v, size_t vlen);
/* Deletes n (clipped) elements at end. */
void store_list_pop(struct store *s, struct store_list *l, int end,
                    size_t n);
/* Element idx (signed) into *v: 1, or 0 when out of range. */
int store_list_index(const struct store_list *l, int64_t idx,
                     struct store_list_view *v);
/* Replaces element idx (signed): STORE_OK, STORE_NOT_FOUND, STORE_NOMEM. */
int store_list_set(struct store *s, struct store_list *l, int64_t idx,
                   const char *v, size_t vlen);
/* Inserts v before/after the first element equal to pivot: 1, 0 (no
 * pivot) or STORE_NOMEM (unchanged). */
int store_list_insert(struct store *s, struct store_list *l, int after,
                      const char *pivot, size_t plen, const char *v,
                      size_t vlen);
/* LREM: removes count (>0 from the head, <0 from the tail, 0 all)
 * elements equal to v; returns how many. */
size_t store_list_rem(struct store *s, struct store_list *l, int64_t count,
                      const char *v, size_t vlen);
/* Deletes n elements from index start on (clipped). */
void store_list_del_range(struct store *s, struct store_list *l,
                          size_t start, size_t n);
/* Keeps the count elements from index start (clipped), drops the rest. */
void store_list_trim(struct store *s, struct store_list *l, size_t start,
                     size_t count);
/* Moves the element at end from of non-empty src to end to of dst (src
 * may be dst). STORE_OK or STORE_NOMEM (unchanged). */
int store_list_move(struct store *s, struct store_list *src, int from,
                    struct store_list *dst, int to);
/* Starts a walk at element idx (unsigned) toward the tail, or toward the
 * head with rev; out of range gives an empty walk. */
void store_list_it_init(const struct store_list *l, size_t idx, int rev,
                        struct store_list_it *it);
/* Next element into *v: 1, or 0 at the end. l must not change. */
int store_list_next(struct store_list_it *it, struct store_list_view *v);

/* ---- Sorted sets (zset.c) --------------------------------------------- */

/* A sorted set value: members with double scores, ordered by score then
 * member bytes. Owned and borrowed like a collection (above); one from
 * store_zset_new is the caller's until store_key_set_obj takes it. Open
 * a key's set with store_obj_open(..., STORE_T_ZSET, ...). */
struct store_zset;
/* One member and its score. The view is borrowed: valid until z changes. */
struct store_zset_view {
    const char *m;
    size_t mlen;
    double score;
};
/* Iterator: set up with store_zset_seek. */
struct store_zset_it {
    const void *node;
    size_t off;
    int rev;
};
/* A score range: min..max, each end exclusive when its flag is set. */
struct store_zset_srange {
    double min, max;
    int minex, maxex;
};
/* A lexicographic range of members; mink/maxk: -1 for "-", 1 for "+",
 * 0 for the bytes in min/max (borrowed). */
struct store_zset_lrange {
    const char *min, *max;
    size_t minlen, maxlen;
    int minex, maxex;
    int mink, maxk;
};
typedef void (*store_zset_cb)(void *ctx, const struct store_zset_view *v);

/* store_zset_add flags (ZADD's options). */
#define STORE_ZADD_NX 1
#define STORE_ZADD_XX 2
#define STORE_ZADD_GT 4
#define STORE_ZADD_LT 8
#define STORE_ZADD_INCR 16
enum store_zadd_result {
    STORE_ZADD_NOP = 0,        /* not added or updated (NX, XX, GT, LT) */
    STORE_ZADD_SAME = 1,       /* member exists, score unchanged */
    STORE_ZADD_ADDED = 2,
    STORE_ZADD_UPDATED = 3,
    STORE_ZADD_NAN = 4,        /* the score would be NaN: unchanged */
};

struct store_zset *store_zset_new(struct store *s);
void store_zset_free(struct store *s, struct store_zset *z);
size_t store_zset_len(const struct store_zset *z);
int store_zset_is_compact(const struct store_zset *z);
/* Converts z to the skip list encoding. STORE_OK or STORE_NOMEM. */
int store_zset_expand(struct store *s, struct store_zset *z);
/* Back to the compact encoding if z fits the limits (never fails). */
void store_zset_fit(struct store *s, struct store_zset *z);
/* 1 and *score if m is a member, else 0. */
int store_zset_score(const struct store_zset *z, const char *m, size_t mlen,
                     double *score);
/* Adds or updates m per flags; returns an enum store_zadd_result (*out:
 * the resulting score unless NOP/NAN), or STORE_NOMEM / STORE_TOO_BIG
 * (unchanged). m must not point into z. */
int store_zset_add(struct store *s, struct store_zset *z, const char *m,
                   size_t mlen, double score, int flags, double *out);
/* Removes m: 1 if it was there, else 0. Delete the key when emptied. */
int store_zset_del(struct store *s, struct store_zset *z, const char *m,
                   size_t mlen);
/* 1 and the 0-based *rank (from the top when rev) of m, else 0. */
int store_zset_rank(const struct store_zset *z, const char *m, size_t mlen,
                    int rev, size_t *rank);
/* Removes ascending ranks start..end (inclusive, end < len); returns how
 * many. Never fails. */
size_t store_zset_del_rank(struct store *s, struct store_zset *z,
                           size_t start, size_t end);
/* Iteration from 0-based rank (from the top when rev) in that direction. */
void store_zset_seek(const struct store_zset *z, size_t rank, int rev,
                     struct store_zset_it *it);
int store_zset_next(const struct store_zset *z, struct store_zset_it *it,
                    struct store_zset_view *v);
/* 1 if a score / member lies in the range. */
int store_zset_srange_has(const struct store_zset_srange *r, double d);
int store_zset_lrange_has(const struct store_zset_lrange *r, const char *m,
                          size_t mlen);
/* First member in range walking in direction rev: 1 and its rank from
 * that end, or 0. */
int store_zset_first_score(const struct store_zset *z,
                           const struct store_zset_srange *r, int rev,
                           size_t *rank);
int store_zset_first_lex(const struct store_zset *z,
                         const struct store_zset_lrange *r, int rev,
                         size_t *rank);
/* Members in range (ZCOUNT, ZLEXCOUNT). */
size_t store_zset_count_score(const struct store_zset *z,
                              const struct store_zset_srange *r);
size_t store_zset_count_lex(const struct store_zset *z,
                            const struct store_zset_lrange *r);
/* ZSCAN step, with HSCAN's guarantee. Next cursor or 0. */
uint64_t store_zset_scan(const struct store_zset *z, uint64_t cursor,
                         size_t count, store_zset_cb cb, void *ctx);

/* ---- Entry accessors -------------------------------------------------- */

const char *store_entry_key(const struct store_entry *e, size_t *klen);
enum store_type store_entry_type(const struct store_entry *e);
/* String value; e must be a STORE_T_STRING entry. */
const char *store_entry_str(const struct store_entry *e, size_t *vlen);
/* Absolute expire time in Unix ms, or STORE_NO_TTL. */
int64_t store_entry_expire(const struct store_entry *e);
/* 1 if e's TTL has passed at now_ms (a scan's keys may be). */
int store_entry_expired(const struct store_entry *e, int64_t now_ms);

/* ---- Iteration -------------------------------------------------------- */

/* Visits about count buckets' worth of keys starting at cursor and returns
 * the next cursor (0 when done). The cursor is opaque: (shard, reversed
 * bucket index). Every key present for the whole iteration is visited at
 * least once, across table resizes; duplicates are possible. Expired keys
 * are visited and left in place: Redis's KEYS skips them, its SCAN expires
 * the ones its filters keep, so that is the caller's choice. */
uint64_t store_scan(struct store *s, uint64_t cursor, size_t count,
                    store_scan_cb cb, void *ctx);

/* Visits, in byte order, up to count keys that start with pfx, from
 * cursor on, calling cb for each (expired ones too, as store_scan), and
 * returns the next cursor (0 when done). Costs O(nshards log n + count log
 * nshards), not the size of the store. Same guarantee as store_scan; any
 * cursor value is safe, an unknown one may repeat keys. cb must not
 * modify the store. */
uint64_t store_scan_prefix(struct store *s, const char *pfx, size_t plen,
                           uint64_t cursor, size_t count, store_scan_cb cb,
                           void *ctx);
/* Length of the literal prefix of a glob pattern: the bytes before the
 * first '*', '?', '[' or '\\'. */
size_t store_glob_literal_len(const char *pat, size_t plen);
/* Bytes of store_mem_usage in the shards' bucket arrays (*main) and
 * arrays of keys with a TTL (*expires): Redis's MEMORY STATS overheads. */
void store_mem_tables(const struct store *s, size_t *main, size_t *expires);
/* Bytes of store_mem_usage taken by the prefix index and resume points. */
size_t store_prefix_mem_usage(const struct store *s);

/* ---- Expiry and housekeeping ------------------------------------------ */

struct store_expire_stats {
    uint64_t expired;          /* keys removed by store_expire_step */
    uint64_t time_us;          /* time spent in store_expire_step */
    double last_stale_ratio;   /* expired/sampled in the last step */
    uint64_t hfe_expired;      /* hash fields removed by store_hfe_step */
    uint64_t avg_ttl;          /* ms, estimated from the sampled keys */
};

/* Active expiry: samples keys with a TTL shard by shard, removing expired
 * ones, until budget_us (measured with clock) is spent or nothing is left
 * worth doing. Also advances incremental rehashing. Returns keys removed. */
size_t store_expire_step(struct store *s, int64_t now_ms, uint64_t budget_us,
                         store_clock_us clock, void *clock_ctx);
void store_expire_stats(const struct store *s, struct store_expire_stats *out);

/* Told by store_hfe_step that n fields of key's hash expired; gone: the
 * hash is now empty and the key is deleted right after the call. The key
 * view is valid only during the call. */
typedef void (*store_hexpired_cb)(void *ctx, const char *key, size_t klen,
                                  size_t n, int gone);
/* Hashes of s that went through store_hash_ttl_open (hfe.c): a snapshot
 * holding one needs Redis 7.4's hash types. */
size_t store_hfe_hashes(const struct store *s);
/* Active expiry of hash fields (hfe.c): visits the hashes that have had
 * field TTLs, from where the last call stopped, removing at most 100 due
 * fields of each, until every such hash was visited once or budget_us
 * (clock) is spent. Returns the fields removed. */
size_t store_hfe_step(struct store *s, int64_t now_ms, uint64_t budget_us,
                      store_clock_us clock, void *clock_ctx,
                      store_hexpired_cb cb, void *ctx);

/* Redis-style glob match: *, ?, [a-z], [^x], \\ escapes. Returns 1 or 0. */
int store_glob_match(const char *pat, size_t plen, const char *s, size_t slen,
                     int nocase);

/* Bytes the store allocated for keys, values and tables (approximate). */
size_t store_mem_usage(const struct store *s);
/* Bytes of store_mem_usage in mappings of the store's own (big tables),
 * which the allocator's statistics do not include. */
size_t store_mem_mapped(const struct store *s);

/* Test hook for fault injection: the n-th allocation from now on (1 = the
 * next) made for this store fails; 0 disables. */
void store_set_fail_after(struct store *s, unsigned long n);

/* ---- Rate limiter state (ratelimit.c) --------------------------------- */

enum store_rl_algo { STORE_RL_GCRA = 0, STORE_RL_FIXED = 1,
                     STORE_RL_SLIDING = 2 };

#define STORE_RL_MAX ((int64_t)1 << 40)      /* max limit/period/burst/cost */
#define STORE_RL_MAX_NOW ((int64_t)1 << 42)  /* now_ms must be below */
#define STORE_RL_STATE_MAX 40                /* bytes an encoded state needs */

struct store_rl_params {
    int algo;                  /* enum store_rl_algo */
    int64_t limit, period_ms;  /* 1..STORE_RL_MAX */
    int64_t burst;             /* 1..STORE_RL_MAX */
    int64_t cost;              /* 0..STORE_RL_MAX; 0 only reports */
};

struct store_rl_result {
    int allowed;
    int64_t limit, remaining, retry_after_ms, reset_after_ms;
};

/* Runs one rate-limiter call at now_ms against the key's current value
 * (state/slen, borrowed; state NULL when the key is absent). Fills *r.
 * When the call changed the state, writes the new value to out (at least
 * STORE_RL_STATE_MAX bytes) and sets *outlen; else *outlen = 0 (denied or
 * cost 0): store it with TTL now_ms + r->reset_after_ms. Returns 0, -1 if
 * state is not limiter state, -2 if a parameter is out of range. */
int store_rl_apply(const struct store_rl_params *p, const char *state,
                   size_t slen, int64_t now_ms, struct store_rl_result *r,
                   char *out, size_t *outlen);
/* 1 if s[0..n) is a rate limiter's state, else 0. */
int store_rl_is_state(const char *s, size_t n);
/* A limiter key as store_rl_find found it. */
struct store_rl_key {
    struct store_entry *e;         /* live entry, or NULL: key absent */
    struct store_entry *stale;     /* expired string kept for reuse */
    struct store_shard *sh;        /* the key's shard */
    uint64_t h;                    /* the key's hash */
};
/* Looks key up like store_key_find (k->e), except that an expired string
 * entry is not removed yet but kept in k->stale, so that the write that
 * usually follows can reuse it. Must be followed by store_rl_write or
 * store_rl_done, with no other use of s in between. */
void store_rl_find(struct store *s, const char *key, size_t klen,
                   int64_t now_ms, struct store_rl_key *k);
/* Sets key to the state val (TTL expire_ms, absolute) like store_key_set,
 * after store_rl_find filled k. A stale entry is reported expired, then
 * rewritten in place when it fits, else removed; a live entry of the
 * same size with a TTL is rewritten in place too. Returns STORE_OK or
 * STORE_NOMEM. */
int store_rl_write(struct store *s, struct store_rl_key *k, const char *key,
                   size_t klen, const char *val, size_t vlen,
                   int64_t expire_ms, int64_t now_ms);
/* Ends a store_rl_find that wrote nothing: removes (and reports) a stale
 * entry as store_key_find would have. */
void store_rl_done(struct store *s, struct store_rl_key *k);

/* ---- Streams (stream.c) ----------------------------------------------- */

/* A stream value: entries in ID order, consumer groups with their pending
 * entries lists. The key's entry owns it; the pointer and every view into
 * it (entries, groups, consumers, pending entries) are borrowed: valid
 * until the next call that changes the stream or the store. */
struct store_stream;

/* An entry ID, <ms>-<seq>; compared as the pair (ms, seq). */
struct store_sid {
    uint64_t ms, seq;
};

/* One entry, as store_stream_it_next / store_stream_get give it: its ID,
 * its field count, and where its fields are; read the pairs in order with
 * store_stream_field. Borrowed. */
struct store_stream_entry {
    struct store_sid id;
    size_t nfields;
    const char *p;             /* private: the next encoded pair */
    const char *mf;            /* private: master field names, or NULL */
    size_t left;               /* private: pairs not read yet */
    char num[19];              /* private: the text of a number value */
};

/* A range walk, forward or reverse, over live entries with lo <= ID <=
 * hi. Fill it with store_stream_it_init; it holds no allocation. */
struct store_stream_it {
    const struct store_stream *st;
    struct store_sid lo, hi;
    int rev, done;
    size_t b;                  /* private: block index */
    uint32_t k, nk;            /* private: next in offs / entries in offs */
    uint32_t edge;             /* private: where block b's next window
                                  starts (forward) or ends (reverse) */
    uint32_t offs[STORE_STREAM_IT_WINDOW];  /* private: a run of entries */
};

/* Counters kept for XINFO and the consumer groups' lag (Redis 7 fields). */
struct store_stream_info {
    uint64_t length;           /* live entries */
    uint64_t entries_added;    /* entries ever added */
    struct store_sid last_id;  /* last ID generated or set (XSETID) */
    struct store_sid max_deleted;  /* greatest ID deleted, or 0-0 */
    size_t nblocks;            /* storage blocks (XINFO radix-tree-keys) */
    size_t ngroups;
};

#define STORE_SID_MAX UINT64_MAX
/* entries_read of a group whose read counter is unknown. */
#define STORE_SG_READ_UNKNOWN INT64_MIN

/* A pending entry: delivered to consumer, not acknowledged yet. */
struct store_snack {
    struct store_sid id;
    int64_t delivery_time;     /* Unix ms of the last delivery */
    uint64_t delivery_count;
    struct store_sconsumer *consumer;
};

/* Pending IDs or entries kept sorted by ID in one array with free room at
 * both ends, so adding at the end and acking at the front are O(1) and a
 * lookup is a binary search. Read it with store_sg_pel_at & co. */
struct store_svec {
    char *a;
    uint32_t head, n, cap;
};

/* A consumer of a group: its name, when it was last seen (any command
 * naming it), when it was last active (Redis 7.2: an entry read or
 * claimed; -1 never) and its own pending IDs (struct store_sid, sorted). */
struct store_sconsumer {
    char *name;
    size_t nlen;
    int64_t seen_time;
    int64_t active_time;
    struct store_svec pel;
};

/* A consumer group. Handlers may assign last_id and entries_read
 * directly; everything else changes through the functions below. */
struct store_sgroup {
    char *name;
    size_t nlen;
    struct store_sid last_id;      /* last delivered ID */
    int64_t entries_read;          /* or STORE_SG_READ_UNKNOWN */
    struct store_svec pel;         /* struct store_snack, sorted by ID */
    struct store_sconsumer **c;    /* sorted by name */
    size_t nc, ccap;
};

/* -1, 0 or 1 as a is before, equal to or after b. */
int store_sid_cmp(struct store_sid a, struct store_sid b);
/* a + 1 / a - 1 in ID order; return -1 (a unchanged) at the end. */
int store_sid_incr(struct store_sid *a);
int store_sid_decr(struct store_sid *a);

/* An empty stream the caller owns (until store_key_set_obj), or NULL. */
struct store_stream *store_stream_new(struct store *s);
/* Frees a stream the caller owns (from store_stream_new); NULL is a
 * no-op. */
void store_stream_free(struct store *s, struct store_stream *st);
void store_stream_info(const struct store_stream *st,
                       struct store_stream_info *out);
/* The first live entry's ID in *out; 0 when the stream is empty. */
int store_stream_first_id(const struct store_stream *st,
                          struct store_sid *out);
/* The last live entry's ID in *out; 0 when the stream is empty. */
int store_stream_last_live_id(const struct store_stream *st,
                              struct store_sid *out);
/* The ID XADD * gives at now_ms: (now, 0) past the last ID, else the last
 * ID plus one. Returns 0, or -1 when the last ID is the greatest. */
int store_stream_next_id(const struct store_stream *st, int64_t now_ms,
                         struct store_sid *out);
/* Appends an entry with ID id (greater than the last ID) and nfields
 * pairs: field fv[2i] and value fv[2i+1] (lengths in fvlen), as in a
 * command's arguments. Returns STORE_OK, STORE_EXISTS (id not greater
 * than the last ID), STORE_TOO_BIG or STORE_NOMEM (unchanged). */
int store_stream_append(struct store *s, struct store_stream *st,
                        struct store_sid id, size_t nfields,
                        const char *const *fv, const size_t *fvlen);
/* Deletes entry id (a tombstone; an emptied block is freed). Returns 1 if
 * it was a live entry, else 0. Updates max_deleted. */
int store_stream_delete(struct store *s, struct store_stream *st,
                        struct store_sid id);
/* The same, except that the first block stays when it is emptied, as a
 * trim leaves it (and Redis its node): for loading such a node. */
int store_stream_bury(struct store *s, struct store_stream *st,
                      struct store_sid id);
/* The next entry appended to st opens a block of its own: loading a
 * stream node by node keeps each node one block. */
void store_stream_cut(struct store_stream *st);
/* Sets the last ID, entries_added (if >= 0) and max_deleted (if not 0-0)
 * as XSETID does; the caller checked them. */
void store_stream_set_last(struct store_stream *st, struct store_sid id,
                           int64_t entries_added, struct store_sid maxdel);
/* Sets the last ID, entries added and max deleted ID as they are given
 * (RESTORE: a payload's counters). The caller keeps the invariants: the
 * last ID at or past the last entry, entries added at least the length. */
void store_stream_set_counters(struct store_stream *st, struct store_sid last,
                               uint64_t entries_added,
                               struct store_sid maxdel);
/* XTRIM / XADD trimming: removes the oldest entries while more than
 * maxlen remain (MAXLEN), or while their ID is below minid (MINID; maxlen
 * is then ignored, pass minid NULL for MAXLEN). approx only drops whole
 * blocks; limit (0: none) caps the entries removed in whole blocks, as
 * Redis's LIMIT. Returns the entries removed. Never allocates. */
uint64_t store_stream_trim(struct store *s, struct store_stream *st,
                           uint64_t maxlen, const struct store_sid *minid,
                           int approx, uint64_t limit);
/* Entry id in *e (may be NULL) if it is live: 1, else 0. */
int store_stream_get(const struct store_stream *st, struct store_sid id,
                     struct store_stream_entry *e);

void store_stream_it_init(struct store_stream_it *it,
                          const struct store_stream *st,
                          struct store_sid lo, struct store_sid hi, int rev);
/* The next live entry in the range: 1 and *e filled, or 0 at the end. */
int store_stream_it_next(struct store_stream_it *it,
                         struct store_stream_entry *e);
/* The next field/value pair of e: 1, or 0 when all were read. A value
 * stored as a number is formatted into e: valid until the next call. */
int store_stream_field(struct store_stream_entry *e, const char **f,
                       size_t *flen, const char **v, size_t *vlen);

/* The storage blocks, which end where Redis's stream nodes end (DUMP
 * writes one node each): how many there are, and block i's entries in
 * order, deleted ones too. Start a walk with *off = 0; each call gives
 * the next entry in *e (read its pairs with store_stream_field) and sets
 * *deleted: 1, or 0 after the block's last entry. */
size_t store_stream_nblocks(const struct store_stream *st);
/* The nodes of the radix tree Redis would keep over these blocks' first
 * IDs (XINFO STREAM radix-tree-nodes). */
size_t store_stream_rax_nodes(const struct store_stream *st);
int store_stream_block_next(const struct store_stream *st, size_t i,
                            uint32_t *off, struct store_stream_entry *e,
                            int *deleted);

/* The lag and read-counter arithmetic of Redis 7 (XINFO, XREADGROUP):
 * the logical position of id counted from the first entry ever added,
 * or STORE_SG_READ_UNKNOWN when tombstones make it unknowable. */
int64_t store_stream_estimate_read(const struct store_stream *st,
                                   struct store_sid id);
/* 1 if a deleted entry may lie in [lo, hi] (hi NULL: to the end). */
int store_stream_has_tombstones(const struct store_stream *st,
                                struct store_sid lo,
                                const struct store_sid *hi);

/* Groups, sorted by name. */
size_t store_stream_ngroups(const struct store_stream *st);
struct store_sgroup *store_stream_group_at(const struct store_stream *st,
                                           size_t i);
struct store_sgroup *store_stream_group_find(const struct store_stream *st,
                                             const char *name, size_t nlen);
/* Creates group name. Returns STORE_OK, STORE_EXISTS or STORE_NOMEM. */
int store_stream_group_create(struct store *s, struct store_stream *st,
                              const char *name, size_t nlen,
                              struct store_sid last_id, int64_t entries_read);
/* Destroys group name with its consumers: 1 if it existed, else 0. */
int store_stream_group_destroy(struct store *s, struct store_stream *st,
                               const char *name, size_t nlen);

/* Consumer name of g, or NULL. */
struct store_sconsumer *store_sg_consumer_find(const struct store_sgroup *g,
                                               const char *name,
                                               size_t nlen);
/* Creates consumer name (seen at now_ms) into *out. Returns STORE_OK,
 * STORE_EXISTS (*out is the existing one) or STORE_NOMEM. */
int store_sg_consumer_create(struct store *s, struct store_sgroup *g,
                             const char *name, size_t nlen, int64_t now_ms,
                             struct store_sconsumer **out);
/* Deletes consumer name and its pending entries; returns how many were
 * pending, or -1 if there was no such consumer. */
int64_t store_sg_consumer_delete(struct store *s, struct store_sgroup *g,
                                 const char *name, size_t nlen);

/* The i-th pending entry of g (ID order); i < g->pel.n. */
struct store_snack *store_sg_pel_at(const struct store_sgroup *g, size_t i);
/* The i-th pending ID of consumer c; i < c->pel.n. */
struct store_sid store_sc_pel_at(const struct store_sconsumer *c, size_t i);
/* Index of the first pending entry (of g / of c) with ID >= id. */
size_t store_sg_pel_seek(const struct store_sgroup *g, struct store_sid id);
size_t store_sc_pel_seek(const struct store_sconsumer *c,
                         struct store_sid id);
/* g's pending entry id, or NULL. */
struct store_snack *store_sg_pel_find(const struct store_sgroup *g,
                                      struct store_sid id);
/* Makes id pending for c (delivered at now_ms, count): adds it, or moves
 * it from its current consumer. Returns STORE_OK or STORE_NOMEM. */
int store_sg_pel_assign(struct store *s, struct store_sgroup *g,
                        struct store_sconsumer *c, struct store_sid id,
                        int64_t now_ms, uint64_t count);
/* Removes pending id (XACK): 1 if it was pending, else 0. */
int store_sg_pel_ack(struct store *s, struct store_sgroup *g,
                     struct store_sid id);

/* Retention (the sweeper; stream-max-entries / stream-retention-ms).
 * A stream is registered under its key when written through
 * store_stream_touch (XADD does); a stream renamed, moved or copied is
 * registered again at its next touch. */
/* Records that st lives at key in s. Returns STORE_OK or STORE_NOMEM. */
int store_stream_touch(struct store *s, struct store_stream *st,
                       const char *key, size_t klen);
/* After RENAME / COPY / MOVE stored a value at key: registers a stream
 * there under that key (and takes a moved one out of its old store's
 * ring). Callers must not skip it after a cross-store MOVE. */
void store_stream_placed(struct store *s, const char *key, size_t klen,
                         int64_t now_ms);
/* Called for each stream a retention step trimmed: its key (valid during
 * the call) and the entries removed. */
typedef void (*store_stream_trim_cb)(void *ctx, const char *key,
                                     size_t klen, uint64_t removed);
/* Visits up to visits registered streams of s, round robin, trimming
 * each to max_entries (0: no limit) and removing entries whose ID time is
 * below now_ms - retention_ms (retention_ms 0: no limit), at most limit
 * entries per stream. Returns the streams visited (0: none registered). */
size_t store_stream_retention_step(struct store *s, int64_t now_ms,
                                   uint64_t max_entries,
                                   int64_t retention_ms, uint64_t limit,
                                   size_t visits, store_stream_trim_cb cb,
                                   void *ctx);

/* ---- HyperLogLog (hll.c) ---------------------------------------------- */

/* Redis's HyperLogLog string format: a 16-byte header ("HYLL", encoding,
 * 3 zero bytes, the cached count little endian with bit 7 of byte 15
 * meaning stale), then 2^14 registers, dense (6 bits each) or sparse
 * (run-length opcodes). */
#define STORE_HLL_HDR 16
#define STORE_HLL_REGISTERS 16384
#define STORE_HLL_DENSE_SIZE (STORE_HLL_HDR + STORE_HLL_REGISTERS * 6 / 8)
#define STORE_HLL_EMPTY_SIZE (STORE_HLL_HDR + 2)
enum { STORE_HLL_DENSE = 0, STORE_HLL_SPARSE = 1 };

/* A value being written: p (owned, malloc'd) holds len bytes in cap.
 * Sparse writes may grow it with realloc; a dense value never grows, so
 * p may borrow a dense value in place with cap = len. */
struct store_hll_buf {
    unsigned char *p;
    size_t len, cap;
};

/* MurmurHash64A of key[0..len) with seed. */
uint64_t store_hll_hash(const void *key, size_t len, uint64_t seed);
/* The register (*reg) and the value (1..51) element ele hashes to. */
unsigned store_hll_pattern(const void *ele, size_t len, unsigned *reg);
/* 1 if p[0..n) is a HyperLogLog value by its header: magic, a known
 * encoding and, for dense, the exact size. Registers are not checked. */
int store_hll_valid(const unsigned char *p, size_t n);
/* Writes an empty sparse HyperLogLog, STORE_HLL_EMPTY_SIZE bytes, with a
 * valid cached count of 0. */
void store_hll_init(unsigned char *p);
/* 1 with *card if the header's cached count is valid, else 0. */
int store_hll_cached(const unsigned char *p, uint64_t *card);
/* Stores card as the cached count (valid). */
void store_hll_cache_set(unsigned char *p, uint64_t card);
/* Marks the cached count stale. */
void store_hll_invalidate(unsigned char *p);
/* Raises register idx to count if it is lower: 1 if it changed, 0 if not,
 * STORE_HLL_INVALID (broken sparse value) or STORE_NOMEM. A sparse value
 * turns dense when count > 32 or when it would grow past sparse_max
 * bytes. The cached count is left alone. */
int store_hll_set(struct store_hll_buf *b, unsigned idx, unsigned count,
                  size_t sparse_max);
/* Writes regs[i] (each below 64) into every register of the dense value
 * b: STORE_OK, or STORE_HLL_INVALID when b is not dense. A register may
 * go down, so a union passes the value's own registers in regs too. */
int store_hll_set_all(struct store_hll_buf *b, const uint8_t *regs);
/* store_hll_set for the register and value that ele hashes to. */
int store_hll_add(struct store_hll_buf *b, const void *ele, size_t len,
                  size_t sparse_max);
/* Converts a sparse value to dense (no-op if dense): STORE_OK,
 * STORE_HLL_INVALID or STORE_NOMEM (value untouched on error). */
int store_hll_to_dense(struct store_hll_buf *b);
/* max[i] = MAX(max[i], register i of the valid-headed value p[0..n)) for
 * the 2^14 registers: STORE_OK or STORE_HLL_INVALID. */
int store_hll_merge(uint8_t *max, const unsigned char *p, size_t n);
/* The estimated count of p[0..n) (valid header); *invalid set to 1 when
 * the sparse registers do not decode. Ignores the cache. */
uint64_t store_hll_count(const unsigned char *p, size_t n, int *invalid);
/* The estimated count of 2^14 registers, one per byte. */
uint64_t store_hll_count_raw(const uint8_t *max);
/* Register i (0..2^14-1) of the dense value p. */
unsigned store_hll_register(const unsigned char *p, unsigned i);
/* One opcode of a sparse value: kind 'z' (ZERO), 'Z' (XZERO) or 'v'
 * (VAL, with its value), and the registers it covers. */
typedef void (*store_hll_op_cb)(char kind, unsigned len, unsigned val,
                                void *ctx);
/* Calls cb for each opcode of the sparse value p[0..n), in order. */
void store_hll_sparse_ops(const unsigned char *p, size_t n,
                          store_hll_op_cb cb, void *ctx);
/* PFSELFTEST's checks, driven by seed: dense registers read back what
 * was written; sparse and dense values given the same writes agree; counts
 * of 10 .. 10^7 elements agree between a sparse-born and a dense-born
 * value and are within five standard errors. Returns 0, STORE_NOMEM, or
 * 1 with what failed in err. Takes about a second. */
int store_hll_selftest(uint64_t seed, char *err, size_t errlen);

/* ---- Bitmaps (bits.c) ------------------------------------------------- */

/* Bit arithmetic over byte buffers for the bitmap commands. Bit 0 is the
 * most significant bit of byte 0. Buffers are borrowed for the call. */

/* Bit off of p[0..n); 0 past the end. */
int store_bit_get(const unsigned char *p, size_t n, uint64_t off);
/* Sets bit off of p (which must reach it) to bit (0 or 1); returns the
 * old value. */
int store_bit_set(unsigned char *p, uint64_t off, int bit);
/* Resolves BITCOUNT/BITPOS's start and end (inclusive; negative counts
 * from the end; in bytes, or bits when in_bits) over a string of len bytes
 * to the bit positions [*from, *to]. Returns 0 when the range is empty. */
int store_bits_range(int64_t start, int64_t end, int in_bits, size_t len,
                     uint64_t *from, uint64_t *to);
/* Set bits among bits [from, to] of p[0..n); to < 8n. */
uint64_t store_bits_count(const unsigned char *p, size_t n, uint64_t from,
                          uint64_t to);
/* Position of the first bit equal to bit (0 or 1) among bits [from, to]
 * of p[0..n) (to < 8n), or -1. */
int64_t store_bits_pos(const unsigned char *p, size_t n, int bit,
                       uint64_t from, uint64_t to);

enum store_bitop { STORE_BITOP_AND, STORE_BITOP_OR, STORE_BITOP_XOR,
                   STORE_BITOP_NOT };
/* dst[0..n) = op over src[0..nsrc), source k being len[k] bytes read as
 * zero-padded to n (a missing key is len 0, src NULL). NOT takes one
 * source of n bytes. dst may be a source (the same pointer, len n), as
 * when BITOP writes into its own key; it must not partly overlap one. */
void store_bits_op(enum store_bitop op, unsigned char *dst, size_t n,
                   const unsigned char *const *src, const size_t *len,
                   size_t nsrc);

/* The bits-wide (1..64) field at bit off of p[0..n), bytes past the end
 * read as zero, as an unsigned number. */
uint64_t store_bits_field_get(const unsigned char *p, size_t n, uint64_t off,
                              unsigned bits);
/* Writes the low bits of v as the bits-wide field at bit off of p, which
 * must reach its last bit. */
void store_bits_field_set(unsigned char *p, uint64_t off, unsigned bits,
                          uint64_t v);
/* v, a bits-wide field, as a signed number (two's complement). */
int64_t store_bits_sign_extend(uint64_t v, unsigned bits);
/* What BITFIELD does on overflow: wrap around, saturate at the type's
 * bounds, or fail (the caller writes nothing and replies nil). */
enum store_bits_overflow { STORE_BITS_WRAP, STORE_BITS_SAT,
                           STORE_BITS_FAIL };
/* value + incr in a bits-wide field, signed (bits 1..64; value is an
 * int64 reinterpreted) or unsigned (bits 1..63; value may be any uint64,
 * as SET's argument is). Returns 0 with *out the sum when it fits, else 1
 * (above the maximum) or -1 (below the minimum) with *out wrapped or
 * saturated (untouched for STORE_BITS_FAIL). *out is the field's value as
 * a uint64 (sign-extended when signed). */
int store_bits_field_add(int sign, unsigned bits, uint64_t value,
                         int64_t incr, enum store_bits_overflow mode,
                         uint64_t *out);

/* XXH3 64-bit hash of p[0..n) (DIGEST, SET IFDEQ; digest.c). */
uint64_t store_digest(const char *p, size_t n);

/* ---- Geospatial arithmetic (geo.c) ------------------------------------
 * Geohashes, distances and search boxes for the GEO commands, whose keys
 * are sorted sets scored by store_geo_score. Pure functions. */
#define STORE_GEO_STEP_MAX 26
#define STORE_GEO_LON_MIN -180.0
#define STORE_GEO_LON_MAX 180.0
#define STORE_GEO_LAT_MIN -85.05112878
#define STORE_GEO_LAT_MAX 85.05112878

struct store_geo_hash {
    uint64_t bits;
    unsigned step;                 /* bits of each coordinate */
};
struct store_geo_range {
    double min, max;
};
struct store_geo_area {
    struct store_geo_hash hash;
    struct store_geo_range lon, lat;
};
/* A search area: a circle of radius, or a box width x height, centred on
 * lon, lat; sizes in a unit of conversion metres. */
struct store_geo_shape {
    int box;
    double lon, lat;
    double radius, width, height;
    double conversion;
};

int store_geo_valid(double lon, double lat);
int store_geo_encode(const struct store_geo_range *lonr,
                     const struct store_geo_range *latr, double lon,
                     double lat, unsigned step, struct store_geo_hash *h);
int store_geo_decode(const struct store_geo_range *lonr,
                     const struct store_geo_range *latr,
                     struct store_geo_hash h, struct store_geo_area *a);
/* The sorted set score of a valid point. */
uint64_t store_geo_score(double lon, double lat);
/* A score back to xy[0] longitude, xy[1] latitude (the box's centre). */
int store_geo_score_decode(double score, double xy[2]);
/* GEOHASH's 11 characters (no NUL) for a point. */
void store_geo_hash_string(double lon, double lat, char out[11]);
/* Metres, haversine on Redis's earth radius. */
double store_geo_distance(double lon1, double lat1, double lon2,
                          double lat2);
double store_geo_lat_distance(double lat1, double lat2);
/* 1 and *dist (metres from the centre) when the point is in shape s. */
int store_geo_within(const struct store_geo_shape *s, double lon,
                     double lat, double *dist);
/* The geohash step a search of range_m metres at latitude lat uses. */
unsigned store_geo_steps(double range_m, double lat);
/* The score ranges [min[i], max[i]) to scan for shape s, in scan order;
 * returns how many (<= 9). */
size_t store_geo_search_ranges(const struct store_geo_shape *s,
                               uint64_t min[9], uint64_t max[9]);

/* ---- SORT's ordering (sort.c) ----------------------------------------- */

/* One element to sort: its bytes and what it is ordered by (Redis's
 * redisSortObject). p and by are borrowed and NUL-terminated (p[len] and
 * by[bylen] are '\0'); by is NULL when its BY key was missing. */
struct store_sort_item {
    const char *p;
    size_t len;
    const char *by;
    size_t bylen;
    double score;
};
#define STORE_SORT_DESC 1          /* reverse the order (ties too) */
#define STORE_SORT_ALPHA 2         /* by bytes, not by score */
#define STORE_SORT_BY 4            /* ALPHA compares by, not p */
#define STORE_SORT_BINARY 8        /* ALPHA compares all bytes (STORE), not
                                      up to the first NUL as strcoll does */
/* SORT's score of p[0..len) (p[len] is '\0'): strtod up to the first
 * NUL ("" is 0, leading space and hex allowed), no NaN, no overflow or
 * underflow. 1 and *out, or 0. */
int store_sort_score(const char *p, size_t len, double *out);
/* Sorts v[0..n) stably as SORT does with flags: numeric by score, equal
 * scores by the elements' bytes; ALPHA by bytes (with BY, a missing by
 * first). Returns STORE_OK or STORE_NOMEM (v unchanged). */
int store_sort_items(struct store_sort_item *v, size_t n, unsigned flags);

/* ---- LCS (lcs.c) -------------------------------------------------------- */

/* The table of LCS lengths of two strings' prefixes. */
struct store_lcs {
    uint32_t *dp;                  /* (alen + 1) x (blen + 1), owned */
    const char *a, *b;             /* borrowed for the table's life */
    size_t alen, blen;
};
/* One run of matching bytes: a[a0..a1] equals b[b0..b1]. */
typedef void (*store_lcs_cb)(void *ctx, size_t a0, size_t a1, size_t b0,
                             size_t b1);
/* Fills l for a and b (borrowed until store_lcs_free). STORE_OK,
 * STORE_TOO_BIG (a length of 2^32 - 2 or more) or STORE_NOMEM. */
int store_lcs_init(struct store_lcs *l, const char *a, size_t alen,
                   const char *b, size_t blen);
/* Length of the longest common subsequence. */
size_t store_lcs_len(const struct store_lcs *l);
/* Walks the subsequence back from the strings' ends as Redis does: writes
 * it into out (store_lcs_len bytes) unless out is NULL, and calls cb (if
 * not NULL) for each run of matches, last run first. */
void store_lcs_walk(const struct store_lcs *l, char *out, store_lcs_cb cb,
                    void *ctx);
void store_lcs_free(struct store_lcs *l);

#endif
