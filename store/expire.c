/* expire.c - active expiry: the incremental sweep that gives back the
 * memory of expired keys nobody reads (lazy expiry in store.c handles the
 * ones that are read). The same trade-off as Redis's active expire cycle:
 *
 *   call 1: shard c, c+1, ...        call 2: starts after the last shard
 *           |                        call 1 worked on (c+1 after a pass
 *           |                        over every shard)
 *           v
 *     rehash 100 buckets at a time while the shard is rehashing
 *     round: sample 20 random slots of vol[] (all of them when <= 20),
 *            delete the expired ones
 *     repeat while more than 10% of the sample was expired,
 *     else go on to the next shard
 *
 * The clock is read at the start, after every rehash chunk, every 16
 * sampling rounds, and at the end; the step returns once budget_us has
 * passed, so it overshoots by at most 16 rounds (about 320 deletions).
 * The random slots come from the store's own PRNG.
 *
 * It does not look at keys without a TTL, and never reads a clock of its
 * own: without a clock callback there is no time limit. */
#include "store/store_int.h"

#define SAMPLE 20
#define ROUNDS_PER_CHECK 16
#define REHASH_CHUNK 100

struct sweep {
    struct store *s;
    int64_t now;
    store_clock_us clock;
    void *clock_ctx;
    uint64_t start, budget;
    size_t sampled, expired;
    unsigned rounds;
    uint64_t ttl_sum, ttl_n;   /* TTLs left of the live keys sampled */
};

static int out_of_time(const struct sweep *w)
{
    return w->clock && w->clock(w->clock_ctx) - w->start >= w->budget;
}

static void expire_entry(struct store *s, struct store_shard *sh,
                         struct store_entry *e)
{
    store__entry_remove(s, sh, store__table_link_of(sh, e), 1);
}

/* Removes e if it is past its time (1), else notes its TTL left for the
 * average (0). */
static int check_entry(struct sweep *w, struct store_shard *sh,
                       struct store_entry *e)
{
    int64_t left = store__expire(e) - w->now;
    if (left <= 0) {
        expire_entry(w->s, sh, e);
        return 1;
    }
    w->ttl_sum += (uint64_t)left;
    w->ttl_n++;
    return 0;
}

/* One sampling round on sh; returns the number of keys it removed and
 * sets *all when it looked at every volatile key of the shard. */
static size_t sample_round(struct sweep *w, struct store_shard *sh,
                           size_t *nsampled, int *all)
{
    size_t expired = 0;
    if (sh->nvol <= SAMPLE) {
        /* Walk down: a removal moves the last slot, already checked, into
         * slot j. */
        *nsampled = sh->nvol;
        *all = 1;
        for (size_t j = sh->nvol; j-- > 0;)
            expired += (size_t)check_entry(w, sh, sh->vol[j]);
        return expired;
    }
    *nsampled = SAMPLE;
    *all = 0;
    for (int j = 0; j < SAMPLE && sh->nvol > 0; j++)
        expired += (size_t)check_entry(
            w, sh, sh->vol[store__rand(w->s) % sh->nvol]);
    return expired;
}

/* Works on one shard; returns 1 when the time budget ran out. */
static int sweep_shard(struct sweep *w, struct store_shard *sh)
{
    while (store__rehashing(sh)) {
        store__table_rehash(w->s, sh, REHASH_CHUNK);
        if (out_of_time(w))
            return 1;
    }
    while (sh->nvol > 0) {
        size_t n = 0;
        int all = 0;
        size_t expired = sample_round(w, sh, &n, &all);
        w->sampled += n;
        w->expired += expired;
        if (++w->rounds % ROUNDS_PER_CHECK == 0 && out_of_time(w))
            return 1;
        if (all || expired * 10 <= n)
            break;
    }
    store__table_shrink(w->s, sh);
    return 0;
}

/* INFO keyspace's avg_ttl, as Redis estimates it: each step's mean TTL
 * of the live keys it sampled weighs 1/50 against the estimate so far;
 * 0 once no key has a TTL. */
static void note_avg_ttl(struct store *s, const struct sweep *w)
{
    uint64_t *avg = &s->stats.avg_ttl;
    if (store_volatile_size(s) == 0) {
        *avg = 0;
    } else if (w->ttl_n) {
        uint64_t mean = w->ttl_sum / w->ttl_n;
        *avg = *avg ? *avg / 50 * 49 + mean / 50 : mean;
    }
}

/* Removes expired keys shard by shard, and advances rehashing, until
 * budget_us (measured with clock) is spent or every shard was visited
 * once. Starts on the shard after the one the previous call ended on.
 * Returns the number of keys removed (each reported to the expired
 * callback). */
size_t store_expire_step(struct store *s, int64_t now_ms, uint64_t budget_us,
                         store_clock_us clock, void *clock_ctx)
{
    struct sweep w = {
        .s = s, .now = now_ms, .clock = clock, .clock_ctx = clock_ctx,
        .start = clock ? clock(clock_ctx) : 0, .budget = budget_us,
    };
    unsigned mask = s->nshards - 1, first = s->exp_cursor & mask;
    /* After a full pass, the next call starts one shard further on. */
    s->exp_cursor = (first + 1) & mask;
    for (unsigned k = 0, i = first; k < s->nshards; k++) {
        int timeout = sweep_shard(&w, &s->shards[i]);
        i = (i + 1) & mask;
        if (timeout) {
            s->exp_cursor = i;
            break;
        }
    }
    uint64_t end = clock ? clock(clock_ctx) : w.start;
    s->stats.expired += w.expired;
    s->stats.time_us += end - w.start;
    s->stats.last_stale_ratio =
        w.sampled ? (double)w.expired / (double)w.sampled : 0.0;
    note_avg_ttl(s, &w);
    return w.expired;
}

/* Copies the active-expiry counters into *out. */
void store_expire_stats(const struct store *s, struct store_expire_stats *out)
{
    *out = s->stats;
}
