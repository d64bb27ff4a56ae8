/* scan.c - SCAN over a sharded store with the reverse-binary cursor of
 * Redis's dict.c, so that a key present for the whole iteration is
 * visited at least once even when tables grow or shrink between calls.
 *
 * Cursor layout (opaque to clients, an integer on the wire):
 *
 *   63    53 52     45 44                                      0
 *   +-------+---------+-----------------------------------------+
 *   |   0   |  shard  | bucket cursor v (bits of the table mask) |
 *   +-------+---------+-----------------------------------------+
 *
 * Every cursor stays below 2^53 because clients parse it as a double
 * (node-redis 4's SCAN does Number(cursor)), which would round a larger
 * one to a different cursor: keys repeated or skipped. Redis's own
 * cursors are bucket indexes, far below that. 45 bits of buckets is a
 * 256 TiB table per shard, and shards are at most 256 (8 bits).
 *
 * Within a shard, buckets are visited in the order of their index with
 * the bits reversed: the next cursor is v with its mask bits set above,
 * reversed, incremented, reversed back. Growing a table from 2^k to
 * 2^(k+1) splits bucket i into i and i + 2^k, which are adjacent in the
 * reversed order, so every bucket not yet visited at the old size maps to
 * buckets not yet visited at the new size; shrinking merges buckets, and
 * the merged bucket holds the ones visited and some not yet, which can
 * only cause duplicates. While a shard is rehashing we visit bucket
 * v & m0 of the smaller table and then every bucket of the larger table
 * that it expands to (those whose low bits equal v & m0).
 *
 * Unlike Redis we may stop in the middle of those expansions when the
 * bucket budget is spent: the cursor then points at the next expansion.
 * Its low bits still name the same small bucket, which the next call
 * visits again (duplicates only), and its high bits continue the walk in
 * the larger table; so a shrink from 2^24 to 4 buckets cannot make one
 * call visit millions of buckets.
 *
 * When a shard's walk wraps to 0 we go on with the next shard, bucket 0;
 * the call returns 0 after the last shard. A cursor whose shard bits are
 * not below nshards returns 0 at once; any other junk is masked, so a
 * stale cursor can neither crash nor loop.
 *
 * Expired keys are visited like the others and left where they are: the
 * caller decides (KEYS skips them, SCAN expires those its filters keep, as
 * Redis does). Nothing here starts or advances a rehash or removes a key. */
#include "store/store_int.h"

#define CURSOR_BITS 45
#define CURSOR_MASK ((UINT64_C(1) << CURSOR_BITS) - 1)
_Static_assert(STORE_MAX_SHARDS <= 1 << (53 - CURSOR_BITS),
               "a cursor's shard bits end below bit 53");

static uint64_t rev64(uint64_t v)
{
    v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
    v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
    v = ((v >> 4) & 0x0f0f0f0f0f0f0f0fULL) | ((v & 0x0f0f0f0f0f0f0f0fULL) << 4);
    return __builtin_bswap64(v);
}

/* The next cursor after v in a table with mask m (0 after the last). */
static uint64_t next_cursor(uint64_t v, uint64_t m)
{
    v |= ~m;
    v = rev64(v);
    v++;
    return rev64(v);
}

struct scan_ctx {
    store_scan_cb cb;
    void *ctx;
    size_t budget;             /* buckets we may still look at */
    size_t emitted;
};

static void visit(struct scan_ctx *c, const struct store_entry *e)
{
    for (; e; e = e->next) {
        c->cb(c->ctx, e);
        c->emitted++;
    }
    if (c->budget > 0)
        c->budget--;
}

/* Visits bucket j of table t[ti]; a t[1] bucket the rehash has not
 * initialised yet holds nothing (store__bucket_at) but costs budget. */
static void visit_at(struct scan_ctx *c, struct store_shard *sh, int ti,
                     size_t j)
{
    struct store_entry **link = store__bucket_at(sh, ti, j);
    if (link)
        visit(c, *link);
    else if (c->budget > 0)
        c->budget--;
}

/* One step of the walk of shard sh at cursor v; returns the next cursor,
 * 0 when the shard is done. */
static uint64_t scan_shard(struct scan_ctx *c, struct store_shard *sh,
                           uint64_t v)
{
    if (sh->t[0].size == 0)
        return 0;
    if (!store__rehashing(sh)) {
        uint64_t m0 = sh->t[0].size - 1;
        visit(c, sh->t[0].b[v & m0]);
        return next_cursor(v, m0);
    }
    int small = sh->t[0].size > sh->t[1].size, large = !small;
    uint64_t m0 = sh->t[small].size - 1, m1 = sh->t[large].size - 1;
    visit_at(c, sh, small, v & m0);
    do {
        visit_at(c, sh, large, v & m1);
        v = next_cursor(v, m1);
    } while ((v & (m0 ^ m1)) && c->budget > 0);
    return v;
}

/* Visits keys from cursor on, calling cb for each, until count keys were
 * visited or count*10 buckets examined, and returns the next cursor (0
 * when the iteration is complete). cb must not modify the store. */
uint64_t store_scan(struct store *s, uint64_t cursor, size_t count,
                    store_scan_cb cb, void *ctx)
{
    uint64_t shard = cursor >> CURSOR_BITS;
    uint64_t v = cursor & CURSOR_MASK;
    if (shard >= s->nshards)
        return 0;
    if (count == 0)
        count = 1;
    struct scan_ctx c = {
        .cb = cb, .ctx = ctx,
        .budget = count > SIZE_MAX / 10 ? SIZE_MAX : count * 10,
    };
    while (c.budget > 0 && c.emitted < count) {
        v = scan_shard(&c, &s->shards[shard], v);
        if (v == 0 && ++shard == s->nshards)
            return 0;
    }
    return shard << CURSOR_BITS | v;
}
