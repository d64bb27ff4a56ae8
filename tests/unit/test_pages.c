/* test_pages.c - unit tests for store/pages.c: the store's big arrays
 * (bucket arrays, volatile arrays) in mappings of their own.
 *
 * Each test lowers the store's map_min to four pages (16 KB with 4 KB
 * pages: a table of 2048 buckets, a volatile array of 2048 slots), so a
 * few thousand keys take the mapped path, its progressive release while
 * a rehash drains a table, and its mremap growth. They check the rehash
 * and lookups mid-rehash, SCAN coverage across resizes, the memory
 * accounting (store__check compares s->mem with what it finds; here also
 * s->mapped with the shard's state, and mincore for pages given back),
 * FLUSH returning everything, the volatile array growing in place within
 * its span, the release callback taking over every unmap and drop, the
 * map callback supplying new tables, and fault injection on the
 * mappings. */
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "store/store.h"
#include "store/store_int.h"
#include "tests/unit/unit.h"

#define T0 INT64_C(1700000000000)          /* "now" in Unix ms */
#define TTL (T0 + 3600 * 1000)

static size_t page(void)
{
    return (size_t)sysconf(_SC_PAGESIZE);
}

/* A one-shard store that maps arrays of four pages and more. */
static struct store *small_map_store(void)
{
    struct store *s = store_new(1);
    if (s)
        s->map_min = 4 * page();
    return s;
}

static int key(char *buf, size_t cap, long id)
{
    snprintf(buf, cap, "k%ld", id);
    return (int)strlen(buf);
}

static int put(struct store *s, long id, int64_t exp)
{
    char k[32];
    int n = key(k, sizeof k, id);
    return store_key_set(s, k, (size_t)n, k, (size_t)n, exp, T0);
}

static int del(struct store *s, long id)
{
    char k[32];
    int n = key(k, sizeof k, id);
    return store_key_delete(s, k, (size_t)n, T0);
}

static int persist(struct store *s, long id)
{
    char k[32];
    int n = key(k, sizeof k, id);
    return store_key_expire_set(s, k, (size_t)n, STORE_NO_TTL, T0);
}

/* A clock for store_expire_step that never runs out of budget. */
static uint64_t still_clock(void *ctx)
{
    (void)ctx;
    return 0;
}

/* 1 if key id is linked where a lookup looks for it; does not move the
 * rehash on (store_key_find would), so a test can stop mid-rehash. */
static int linked(struct store *s, long id)
{
    char k[32];
    int n = key(k, sizeof k, id);
    uint64_t h = store__hash(k, (size_t)n);
    return store__table_find(store__shard(s, h), h, k, (size_t)n) != NULL;
}

/* The mapped bytes of an array of bytes with the first done drained, as
 * the header of pages.c describes them (arrays here are whole pages, and
 * they are drained in granules of map_min bytes). */
static size_t mapped_of(const struct store *s, size_t bytes, size_t done)
{
    if (bytes < s->map_min)
        return 0;
    return bytes - done / s->map_min * s->map_min;
}

/* The mapped bytes shard 0 of s should account for. */
static size_t expect_mapped(const struct store *s)
{
    const struct store_shard *sh = &s->shards[0];
    size_t w = sizeof(void *);
    return mapped_of(s, sh->t[0].size * w, sh->rehashidx * w) +
           mapped_of(s, sh->t[1].size * w, 0) +
           mapped_of(s, sh->vcap * w, 0);
}

/* ---- Tables -------------------------------------------------------------- */

/* A shard grows through mapped tables to 64K buckets and shrinks back,
 * store__check and the mapped figure checked along the way; in the middle
 * of a mapped grow and a mapped shrink every key is looked up. */
TEST(table_grow_shrink_mapped)
{
    struct store *s = small_map_store();
    struct store_shard *sh = &s->shards[0];
    const long n = 50000;
    size_t empty = store_mem_usage(s);
    int looked_grow = 0, looked_shrink = 0;
    for (long i = 0; i < n; i++) {
        ASSERT_OK(put(s, i, STORE_NO_TTL));
        if (i % 97 == 0) {
            ASSERT_OK(store__check(s));
            ASSERT_EQ(store_mem_mapped(s), expect_mapped(s));
        }
        if (!looked_grow && store__rehashing(sh) &&
            sh->t[0].size * 8 >= s->map_min &&
            sh->rehashidx > sh->t[0].size / 2) {
            for (long j = 0; j <= i; j++)
                ASSERT(linked(s, j));
            ASSERT(!linked(s, n + 1));
            ASSERT_OK(store__check(s));
            looked_grow = 1;
        }
    }
    ASSERT(looked_grow);
    ASSERT(sh->t[0].size >= 65536 / 2);
    ASSERT(store_mem_mapped(s) >= sh->t[0].size * sizeof(void *));
    for (long i = 0; i < n - 100; i++) {
        ASSERT_EQ(del(s, i), 1);
        if (i % 97 == 0) {
            ASSERT_OK(store__check(s));
            ASSERT_EQ(store_mem_mapped(s), expect_mapped(s));
        }
        if (!looked_shrink && store__rehashing(sh) &&
            sh->t[1].size < sh->t[0].size &&
            sh->t[0].size * 8 >= 4 * s->map_min &&
            sh->rehashidx > sh->t[0].size / 2) {
            for (long j = 0; j < n; j++)
                ASSERT_EQ(linked(s, j), j > i);
            ASSERT_OK(store__check(s));
            looked_shrink = 1;
        }
    }
    ASSERT(looked_shrink);
    for (int i = 0; i < 100000 && store__rehashing(sh); i++)
        ASSERT_EQ(del(s, -1), 0);          /* moves the rehash on */
    ASSERT_OK(store__check(s));
    ASSERT_EQ(store_size(s), 100);
    ASSERT(sh->t[0].size * 8 < s->map_min);
    ASSERT_EQ(store_mem_mapped(s), 0);
    store_clear(s);
    ASSERT_EQ(store_mem_usage(s), empty);
    store_free(s);
}

/* While a rehash drains a mapped table, the pages it has passed go back
 * to the kernel (not resident, not counted), read as empty buckets, and
 * the final release finds nothing left. */
TEST(drained_pages_released)
{
    struct store *s = small_map_store();
    struct store_shard *sh = &s->shards[0];
    long i = 0;
    /* Fill until a grow from 16K buckets (128 KB, mapped) starts. */
    while (!(store__rehashing(sh) && sh->t[0].size == 16384))
        ASSERT_OK(put(s, i++, STORE_NO_TTL));
    size_t bytes = sh->t[0].size * sizeof(void *);
    struct store_entry **old = sh->t[0].b;
    ASSERT_EQ(unit_resident_pages(old, bytes), bytes / page());
    size_t before = store_mem_mapped(s);
    store__table_rehash(s, sh, sh->t[0].size / 2);
    ASSERT(store__rehashing(sh));
    size_t done = sh->rehashidx * sizeof(void *) / s->map_min * s->map_min;
    ASSERT(done >= bytes / 4);
    ASSERT_EQ(unit_resident_pages(old, done), 0);
    ASSERT_EQ(unit_resident_pages((char *)old + done, bytes - done),
              (bytes - done) / page());
    ASSERT_EQ(store_mem_mapped(s), expect_mapped(s));
    ASSERT(store_mem_mapped(s) < before);
    for (size_t j = 0; j < sh->rehashidx; j++)
        ASSERT(old[j] == NULL);
    ASSERT_OK(store__check(s));
    for (long j = 0; j < i; j++)
        ASSERT(linked(s, j));
    store__table_rehash(s, sh, sh->t[0].size);
    ASSERT(!store__rehashing(sh));
    ASSERT_EQ(store_mem_mapped(s), sh->t[0].size * sizeof(void *));
    ASSERT_OK(store__check(s));
    for (long j = 0; j < i; j++)
        ASSERT(linked(s, j));
    store_free(s);
}

/* The writers of a mapped array fault its pages in a granule (a quarter
 * of map_min) at a time ahead of the writes: the first rehash step of a
 * grow makes the first granule of both halves of the new table resident,
 * and nothing else; the first TTL key past a doubled volatile array makes
 * the first granule of its new half resident. */
TEST(fill_ahead_of_writes)
{
    struct store *s = store_new(1);
    struct store_shard *sh = &s->shards[0];
    s->map_min = 16 * page();
    size_t g = 4 * page(), w = sizeof(void *);
    long i = 0;
    while (!(store__rehashing(sh) && sh->t[1].size * w >= 2 * s->map_min))
    {
        ASSERT_OK(put(s, i, STORE_NO_TTL));
        i++;
    }
    ASSERT_EQ(sh->rehashidx, 0);
    size_t half = sh->t[0].size * w;
    ASSERT_EQ(unit_resident_pages(sh->t[1].b, 2 * half), 0);
    store__table_rehash(s, sh, 1);
    ASSERT(sh->rehashidx * w < g);
    ASSERT_EQ(unit_resident_pages(sh->t[1].b, g), g / page());
    ASSERT_EQ(unit_resident_pages((char *)sh->t[1].b + half, g), g / page());
    ASSERT_EQ(unit_resident_pages(sh->t[1].b, 2 * half), 2 * g / page());
    ASSERT_OK(store__check(s));
    store_clear(s);

    i = 0;
    while (!(sh->nvol == sh->vcap && sh->vcap * w >= s->map_min)) {
        ASSERT_OK(put(s, i, TTL));
        i++;
    }
    size_t old = sh->vcap * w;
    ASSERT_OK(put(s, i, TTL));
    ASSERT_EQ(sh->vcap * w, 2 * old);
    ASSERT_EQ(unit_resident_pages((char *)sh->vol + old, old), g / page());
    ASSERT_OK(store__check(s));
    store_free(s);
}

/* ---- SCAN ---------------------------------------------------------------- */

struct seen {
    unsigned char *hit;
    long n;
};

static void on_scan(void *ctx, const struct store_entry *e)
{
    struct seen *sn = ctx;
    size_t klen;
    const char *k = store_entry_key(e, &klen);
    long id = 0;
    for (size_t i = 1; i < klen; i++)
        id = id * 10 + (k[i] - '0');
    if (id >= 0 && id < sn->n)
        sn->hit[id] = 1;
}

/* SCAN with a small COUNT while the keyspace grows from 1000 keys through
 * mapped tables and back: each of the first 1000 keys, present all along,
 * is returned. */
TEST(scan_across_mapped_resizes)
{
    struct store *s = small_map_store();
    const long stable = 1000, extra = 40000;
    struct seen sn = { calloc((size_t)stable, 1), stable };
    ASSERT(sn.hit != NULL);
    for (long i = 0; i < stable; i++)
        ASSERT_OK(put(s, i, STORE_NO_TTL));
    uint64_t cur = 0;
    long added = 0, deleted = 0;
    int calls = 0, saw_mapped_rehash = 0;
    do {
        cur = store_scan(s, cur, 4, on_scan, &sn);
        calls++;
        for (int j = 0; j < 200 && added < extra; j++, added++)
            ASSERT_OK(put(s, stable + added, STORE_NO_TTL));
        for (int j = 0; j < 400 && added == extra && deleted < extra;
             j++, deleted++)
            ASSERT_EQ(del(s, stable + deleted), 1);
        struct store_shard *sh = &s->shards[0];
        saw_mapped_rehash |= store__rehashing(sh) &&
                             sh->t[0].size * 8 >= s->map_min;
    } while (cur != 0 && calls < 1000000);
    ASSERT_EQ(cur, 0);
    ASSERT(saw_mapped_rehash);
    ASSERT(added == extra);
    for (long i = 0; i < stable; i++)
        ASSERT(sn.hit[i]);
    ASSERT_OK(store__check(s));
    free(sn.hit);
    store_free(s);
}

/* ---- Volatile arrays ----------------------------------------------------- */

/* TTL keys move the volatile array from malloc to a mapping, grow it with
 * mremap, and removals shrink it back down to malloc; the entries'
 * back-pointers (checked by store__check) survive every move. */
TEST(vol_array_mapped)
{
    struct store *s = small_map_store();
    struct store_shard *sh = &s->shards[0];
    const long n = 40000;
    size_t empty = store_mem_usage(s);
    for (long i = 0; i < n; i++) {
        ASSERT_OK(put(s, i, TTL + i));
        if (i % 101 == 0 || sh->nvol == sh->vcap) {
            ASSERT_OK(store__check(s));
            ASSERT_EQ(store_mem_mapped(s), expect_mapped(s));
        }
    }
    ASSERT(sh->vcap * sizeof(void *) >= 16 * s->map_min);
    ASSERT_EQ(store_volatile_size(s), n);
    for (long i = 0; i < n - 10; i++) {
        if (i % 2)
            ASSERT_EQ(del(s, i), 1);
        else
            ASSERT_OK(persist(s, i));
        if (i % 101 == 0) {
            ASSERT_OK(store__check(s));
            ASSERT_EQ(store_mem_mapped(s), expect_mapped(s));
        }
    }
    ASSERT_EQ(store_volatile_size(s), 10);
    ASSERT(sh->vcap * sizeof(void *) < s->map_min);
    ASSERT_OK(store__check(s));
    /* The sweeper removes the rest once the clock passes their TTL. */
    store_expire_step(s, TTL + n, 1000000, still_clock, NULL);
    ASSERT_EQ(store_volatile_size(s), 0);
    ASSERT_OK(store__check(s));
    store_clear(s);
    ASSERT_EQ(store_mem_usage(s), empty);
    ASSERT_EQ(store_mem_mapped(s), 0);
    store_free(s);
}

/* ---- FLUSH --------------------------------------------------------------- */

/* store_clear in the middle of a mapped rehash, with part of the old
 * table drained and a mapped volatile array, gives back every byte. */
TEST(flush_mid_rehash)
{
    struct store *s = small_map_store();
    struct store_shard *sh = &s->shards[0];
    size_t empty = store_mem_usage(s);
    for (int round = 0; round < 3; round++) {
        long i = 0;
        while (!(store__rehashing(sh) && sh->t[0].size >= 8192 &&
                 sh->rehashidx > sh->t[0].size / 3))
        {
            ASSERT_OK(put(s, i, i % 2 ? TTL : STORE_NO_TTL));
            i++;
        }
        ASSERT(store_mem_mapped(s) > 0);
        ASSERT_EQ(store_mem_mapped(s), expect_mapped(s));
        ASSERT_OK(store__check(s));
        store_clear(s);
        ASSERT_EQ(store_size(s), 0);
        ASSERT_EQ(store_mem_mapped(s), 0);
        ASSERT_EQ(store_mem_usage(s), empty);
        ASSERT_OK(store__check(s));
    }
    store_free(s);
}

/* ---- Growth in place ----------------------------------------------------- */

/* A volatile array mapped anew reserves STORE__SPAN_AHEAD times its size:
 * the doublings that fit leave it where it is; the one past the span
 * moves it to a new span; a shrink ends the span at the array. */
TEST(vol_span_in_place)
{
    struct store *s = small_map_store();
    struct store_shard *sh = &s->shards[0];
    size_t w = sizeof(void *);
    long i = 0;
    while (sh->vspan == 0)
        ASSERT_OK(put(s, i++, TTL));
    ASSERT_EQ(sh->vcap * w, s->map_min);
    ASSERT_EQ(sh->vspan, STORE__SPAN_AHEAD * s->map_min);
    struct store_entry **first = sh->vol;
    int doublings = 0;
    while (sh->vcap * w < sh->vspan || sh->nvol < sh->vcap) {
        size_t cap = sh->vcap;
        ASSERT_OK(put(s, i++, TTL));
        if (sh->vcap != cap) {
            ASSERT(sh->vol == first);
            doublings++;
        }
    }
    int fits = 0;                             /* doublings in a span */
    while ((1 << fits) < STORE__SPAN_AHEAD)
        fits++;
    ASSERT_EQ(doublings, fits);
    ASSERT_OK(put(s, i++, TTL));              /* past the span */
    ASSERT_EQ(sh->vspan, STORE__SPAN_AHEAD * sh->vcap * w);
    ASSERT_OK(store__check(s));
    ASSERT_EQ(store_mem_mapped(s), expect_mapped(s));
    /* Shrink: delete until the array halves. */
    size_t cap = sh->vcap;
    while (sh->vcap == cap)
        ASSERT_EQ(del(s, --i), 1);
    ASSERT_EQ(sh->vspan, sh->vcap * w);
    ASSERT_EQ(store_mem_mapped(s), expect_mapped(s));
    /* The pages past the span are gone, the array's are still there. */
    unsigned char v;
    ASSERT(mincore((char *)sh->vol + sh->vspan, page(), &v) != 0);
    ASSERT_EQ(mincore(sh->vol, page(), &v), 0);
    for (long j = 0; j < i; j++)
        ASSERT(linked(s, j));
    ASSERT_OK(store__check(s));
    store_free(s);
}

/* ---- The release callback ------------------------------------------------ */

struct jobs {
    struct store_release j[4096];
    size_t n, lost;
    size_t resident;                /* sum of the jobs' resident bytes */
};

static void record_job(void *ctx, const struct store_release *job)
{
    struct jobs *q = ctx;
    if (q->n < sizeof q->j / sizeof q->j[0])
        q->j[q->n++] = *job;
    else
        q->lost++;
    q->resident += job->resident;
}

static void run_jobs(struct jobs *q)
{
    for (size_t i = 0; i < q->n; i++) {
        if (q->j[i].unmap)
            munmap(q->j[i].addr, q->j[i].len);
        else
            madvise(q->j[i].addr, q->j[i].len, MADV_DONTNEED);
    }
    q->n = 0;
}

/* With a release callback the store gives back no pages itself: the
 * drained part of a table stays resident until the callback's jobs run,
 * but the store stops counting it when it hands the job over, and the
 * jobs together carry exactly the bytes it stopped counting. Freeing the
 * store hands over every mapping it holds. */
TEST(release_cb_defers)
{
    static struct jobs q;
    q.n = q.lost = q.resident = 0;
    struct store *s = small_map_store();
    struct store_shard *sh = &s->shards[0];
    store_set_release_cb(s, record_job, &q);
    long i = 0;
    for (; !(store__rehashing(sh) && sh->t[0].size == 16384); i++)
        ASSERT_OK(put(s, i, i % 2 ? TTL : STORE_NO_TTL));
    run_jobs(&q);
    size_t bytes = sh->t[0].size * sizeof(void *);
    struct store_entry **old = sh->t[0].b;
    size_t before = store_mem_mapped(s), handed = q.resident;
    store__table_rehash(s, sh, sh->t[0].size / 2);
    size_t done = sh->rehashidx * sizeof(void *) / s->map_min * s->map_min;
    ASSERT(done >= bytes / 4);
    ASSERT(q.n > 0);
    ASSERT_EQ(q.j[0].unmap, 0);
    ASSERT_EQ(unit_resident_pages(old, done), done / page());
    ASSERT_EQ(store_mem_mapped(s), expect_mapped(s));
    ASSERT_EQ(before - store_mem_mapped(s), q.resident - handed);
    run_jobs(&q);
    ASSERT_EQ(unit_resident_pages(old, done), 0);
    for (long j = 0; j < i; j++)
        ASSERT(linked(s, j));
    ASSERT_OK(store__check(s));
    /* Finishing the rehash hands over the old table: unmapped once the
     * job runs. */
    store__table_rehash(s, sh, sh->t[0].size);
    ASSERT(!store__rehashing(sh));
    ASSERT(q.n > 0 && q.j[q.n - 1].unmap && q.j[q.n - 1].addr == old);
    unsigned char v;
    ASSERT_EQ(mincore(old, page(), &v), 0);
    run_jobs(&q);
    ASSERT(mincore(old, page(), &v) != 0);
    /* store_free hands over the table and the volatile array. */
    void *table = sh->t[0].b, *vol = sh->vol;
    size_t mapped = store_mem_mapped(s);
    ASSERT(mapped > 0 && sh->vspan > 0);
    handed = q.resident;
    store_free(s);
    ASSERT_EQ(q.resident - handed, mapped);
    int saw_table = 0, saw_vol = 0;
    for (size_t k = 0; k < q.n; k++) {
        saw_table |= q.j[k].unmap && q.j[k].addr == table;
        saw_vol |= q.j[k].unmap && q.j[k].addr == vol;
    }
    ASSERT(saw_table && saw_vol);
    run_jobs(&q);
    ASSERT(mincore(table, page(), &v) != 0);
    ASSERT(mincore(vol, page(), &v) != 0);
    ASSERT_EQ(q.lost, 0);
}

/* The populate callback's requests, in order. */
struct range {
    char *addr;
    size_t len;
    size_t resident;               /* pages resident when offered */
};

struct ranges {
    struct range r[64];
    size_t n, lost;
};

static void record_range(void *ctx, void *addr, size_t len)
{
    struct ranges *q = ctx;
    if (q->n < sizeof q->r / sizeof q->r[0])
        q->r[q->n++] = (struct range){ addr, len,
                                       unit_resident_pages(addr, len) };
    else
        q->lost++;
}

/* The index of the range starting at addr, or -1. */
static long range_at(const struct ranges *q, const void *addr)
{
    for (size_t k = 0; k < q->n; k++)
        if (q->r[k].addr == addr)
            return (long)k;
    return -1;
}

/* A populate callback is offered every new mapped bucket array whole, and
 * each page of a growing volatile array exactly once, as it grows, before
 * anything is written there: the ranges come in the array's order and the
 * pages are still absent when offered (the writers fault them in later). */
TEST(populate_cb_offers_new_ranges)
{
    static struct ranges q;
    q.n = q.lost = 0;
    struct store *s = small_map_store();
    struct store_shard *sh = &s->shards[0];
    store_set_populate_cb(s, record_range, &q);
    size_t w = sizeof(void *);
    long i = 0;
    /* Up to a mapped table in rehash and a volatile array that doubled in
     * its span twice. */
    while (!(store__rehashing(sh) && sh->t[1].size * w >= s->map_min) ||
           sh->vcap * w < 4 * s->map_min)
        ASSERT_OK(put(s, i++, TTL));
    ASSERT_EQ(q.lost, 0);
    for (size_t k = 0; k < q.n; k++)
        ASSERT_EQ(q.r[k].resident, 0);
    /* The new table, whole. */
    long t = range_at(&q, sh->t[1].b);
    ASSERT(t >= 0);
    ASSERT_EQ(q.r[t].len, sh->t[1].size * w);
    /* The volatile array: from the end of what the move into a mapping
     * copied, each later range starting where the one before ended, up to
     * the array's end. */
    char *vol = (char *)sh->vol, *at = NULL;
    for (size_t k = 0; k < q.n; k++) {
        if (q.r[k].addr < vol || q.r[k].addr >= vol + sh->vspan)
            continue;
        ASSERT(at == NULL || q.r[k].addr == at);
        ASSERT(q.r[k].addr < vol + s->map_min || at != NULL);
        at = q.r[k].addr + q.r[k].len;
    }
    ASSERT(at == vol + sh->vcap * w);
    ASSERT_OK(store__check(s));
    store_free(s);
}

/* ---- The map callback ---------------------------------------------------- */

/* The map callback's regions, mapped by the test, while give is set. */
struct maps {
    char *r[16];
    size_t len[16];
    size_t n, asked;
    int give;
};

static void *give_map(void *ctx, size_t len)
{
    struct maps *m = ctx;
    m->asked++;
    if (!m->give || m->n == sizeof m->r / sizeof m->r[0])
        return NULL;
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    m->r[m->n] = p;
    m->len[m->n++] = len;
    return p;
}

/* 1 if p is one of the callback's regions. */
static int from_map_cb(const struct maps *m, const void *p)
{
    for (size_t k = 0; k < m->n; k++)
        if (m->r[k] == p)
            return 1;
    return 0;
}

/* Inserts keys from *i on until shard 0 rehashes into a table of size
 * buckets. */
static int grow_to(struct store *s, long *i, size_t size)
{
    struct store_shard *sh = &s->shards[0];
    while (!(store__rehashing(sh) && sh->t[1].size == size))
        if (put(s, (*i)++, TTL) != STORE_OK)
            return -1;
    return 0;
}

/* With a map callback every new mapped bucket array is the callback's
 * region, asked for once at its exact length, accounted as if the store
 * had mapped it, and unmapped by the store like its own; the volatile
 * array never asks. When the callback has nothing, the store maps the
 * table itself. */
TEST(map_cb_supplies_tables)
{
    static struct maps m;
    static struct jobs q;
    m = (struct maps){ .give = 1 };
    q.n = q.lost = q.resident = 0;
    struct store *s = small_map_store();
    struct store_shard *sh = &s->shards[0];
    store_set_map_cb(s, give_map, &m);
    store_set_release_cb(s, record_job, &q);
    size_t w = sizeof(void *);
    long i = 0;
    /* Three mapped tables (2048, 4096, 8192 buckets), and a volatile
     * array that moved into a mapping and grew there. */
    ASSERT_OK(grow_to(s, &i, 8192));
    ASSERT(sh->vspan > 0 && sh->vcap * w >= 4 * s->map_min);
    ASSERT_EQ(m.asked, 3);
    ASSERT_EQ(m.n, 3);
    for (size_t k = 0; k < m.n; k++)
        ASSERT_EQ(m.len[k], (2048 * w) << k);
    ASSERT(sh->t[1].b == (void *)m.r[2]);
    ASSERT(sh->t[0].b == (void *)m.r[1]);
    ASSERT(!from_map_cb(&m, sh->vol));
    ASSERT_EQ(store_mem_mapped(s), expect_mapped(s));
    ASSERT_OK(store__check(s));
    /* The first table was drained and handed back whole, as the store's
     * own tables are. */
    int unmapped = 0;
    for (size_t k = 0; k < q.n; k++)
        unmapped |= q.j[k].unmap && q.j[k].addr == m.r[0] &&
                    q.j[k].len == m.len[0];
    ASSERT(unmapped);
    run_jobs(&q);
    /* Nothing to give: the next table is the store's own mapping. */
    m.give = 0;
    ASSERT_OK(grow_to(s, &i, 16384));
    ASSERT_EQ(m.asked, 4);
    ASSERT_EQ(m.n, 3);
    ASSERT(sh->t[1].b != NULL && !from_map_cb(&m, sh->t[1].b));
    ASSERT_EQ(store_mem_mapped(s), expect_mapped(s));
    for (long j = 0; j < i; j++)
        ASSERT(linked(s, j));
    ASSERT_OK(store__check(s));
    store_free(s);
    run_jobs(&q);
    ASSERT_EQ(q.lost, 0);
}

/* A bucket array whose allocation fault injection fails never asks the
 * callback (a region it handed over would be lost). */
TEST(map_cb_not_asked_when_failing)
{
    static struct maps m;
    m = (struct maps){ .give = 1 };
    struct store *s = small_map_store();
    struct store_shard *sh = &s->shards[0];
    store_set_map_cb(s, give_map, &m);
    long i = 0;
    /* 1024 buckets (8 KB, malloc'ed) full: the next resize is mapped. */
    while (!(sh->t[0].size == 1024 && !store__rehashing(sh) &&
             sh->used == 1024))
        ASSERT_OK(put(s, i++, STORE_NO_TTL));
    ASSERT_EQ(m.asked, 0);
    int failed_table = 0;
    for (unsigned long k = 1; k < 20 && !store__rehashing(sh); k++) {
        store_set_fail_after(s, k);
        int rc = put(s, i, STORE_NO_TTL);
        store_set_fail_after(s, 0);
        if (rc == STORE_OK && !store__rehashing(sh)) {
            failed_table = 1;       /* the k-th allocation was the table */
            ASSERT_EQ(m.asked, 0);
            ASSERT_EQ(del(s, i), 1);
        }
    }
    ASSERT(failed_table);
    ASSERT(store__rehashing(sh));
    ASSERT_EQ(m.asked, 1);
    ASSERT(sh->t[1].b == (void *)m.r[0]);
    ASSERT_OK(store__check(s));
    store_free(s);
}

/* ---- Fault injection ----------------------------------------------------- */

/* Growing a mapped volatile array can fail (fault injection reaches the
 * mapping and the mremap): the insert then reports STORE_NOMEM and
 * changes nothing; a later try succeeds. Tried at the malloc-to-mapping
 * step and at a mapped-to-mapped step. */
TEST(fault_injection_vol)
{
    struct store *s = small_map_store();
    struct store_shard *sh = &s->shards[0];
    long i = 0;
    int steps = 0;
    while (steps < 2) {
        ASSERT_OK(put(s, i++, TTL));
        if (sh->nvol != sh->vcap ||
            (sh->vcap * 2 * sizeof(void *) < s->map_min))
            continue;
        size_t mem = store_mem_usage(s), mapped = store_mem_mapped(s);
        size_t cap = sh->vcap;
        int rc, failed = 0;
        FAULT_LOOP(s, 20, rc, put(s, i, TTL), STORE_OK,
                   ASSERT_EQ(store_size(s), (size_t)i);
                   ASSERT_EQ(sh->vcap, cap);
                   ASSERT_EQ(store_mem_usage(s), mem);
                   ASSERT_EQ(store_mem_mapped(s), mapped);
                   ASSERT(!linked(s, i));
                   failed = 1;);
        ASSERT(failed);
        ASSERT(linked(s, i));
        ASSERT_EQ(sh->vcap, cap * 2);
        ASSERT_EQ(store_mem_mapped(s), expect_mapped(s));
        i++;
        steps++;
    }
    ASSERT_OK(store__check(s));
    store_free(s);
}

/* A failed mapping for a new bucket array is no error: the insert still
 * succeeds, the table carries on at a higher load without rehashing and
 * nothing is mapped; the next insert starts the resize. */
TEST(fault_injection_table)
{
    struct store *s = small_map_store();
    struct store_shard *sh = &s->shards[0];
    long i = 0;
    /* 1024 buckets (8 KB, malloc'ed) full: the next resize is mapped. */
    while (!(sh->t[0].size == 1024 && !store__rehashing(sh) &&
             sh->used == 1024))
        ASSERT_OK(put(s, i++, STORE_NO_TTL));
    ASSERT_EQ(store_mem_mapped(s), 0);
    int skipped = 0;
    for (unsigned long k = 1; k < 20; k++) {
        store_set_fail_after(s, k);
        int rc = put(s, i, STORE_NO_TTL);
        int unused = s->fail_after != 0;
        store_set_fail_after(s, 0);
        ASSERT_OK(store__check(s));
        if (rc == STORE_NOMEM) {
            ASSERT(!linked(s, i));
            continue;
        }
        ASSERT_OK(rc);
        ASSERT(linked(s, i));
        if (store__rehashing(sh)) {
            ASSERT(unused);
            break;
        }
        /* The k-th allocation was the bucket array. */
        ASSERT_EQ(store_mem_mapped(s), 0);
        skipped = 1;
        ASSERT_EQ(del(s, i), 1);
    }
    ASSERT(skipped);
    ASSERT(store__rehashing(sh));
    ASSERT_EQ(sh->t[1].size, 2048);
    ASSERT_EQ(store_mem_mapped(s), 2048 * sizeof(void *));
    store_free(s);
}

static const struct unit_test tests[] = {
    UNIT(table_grow_shrink_mapped),
    UNIT(drained_pages_released),
    UNIT(fill_ahead_of_writes),
    UNIT(scan_across_mapped_resizes),
    UNIT(vol_array_mapped),
    UNIT(flush_mid_rehash),
    UNIT(vol_span_in_place),
    UNIT(release_cb_defers),
    UNIT(populate_cb_offers_new_ranges),
    UNIT(map_cb_supplies_tables),
    UNIT(map_cb_not_asked_when_failing),
    UNIT(fault_injection_vol),
    UNIT(fault_injection_table),
};

int main(void)
{
    return unit_run(tests, UNIT_COUNT(tests));
}
