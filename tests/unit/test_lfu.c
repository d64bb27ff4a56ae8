/* test_lfu.c - unit tests for store/lfu.c and the per-key figures OBJECT
 * and MEMORY read: the LFU counter's start, its logarithmic growth (with
 * a seeded generator), its decay by lfu-decay-time, eviction by the
 * lowest decayed counter, the LRU idle time, lookups that do not touch
 * (store_key_peek), and store_entry_mem. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

#include "store/store.h"
#include "store/store_int.h"
#include "tests/unit/unit.h"

#define T0 INT64_C(1699999980000)          /* "now": Unix ms, a minute start */
#define MIN INT64_C(60000)
#define NKEYS 200

static struct store *lfu_store(uint32_t factor, uint32_t decay)
{
    struct store *s = store_new(4);
    store_set_lfu(s, 1, factor, decay);
    store_set_seed(s, 42);
    return s;
}

TEST(new_key_starts_at_five)
{
    struct store *s = lfu_store(10, 1);
    ASSERT_OK(store_key_set(s, "k", 1, "v", 1, STORE_NO_TTL, T0));
    struct store_entry *e = store_key_peek(s, "k", 1, T0);
    ASSERT(e != NULL);
    ASSERT_EQ(store_entry_freq(s, e, T0), STORE__LFU_INIT);
    store_free(s);
}

TEST(factor_zero_counts_every_hit_up_to_31)
{
    struct store *s = lfu_store(0, 1);
    ASSERT_OK(store_key_set(s, "k", 1, "v", 1, STORE_NO_TTL, T0));
    struct store_entry *e = NULL;
    for (int i = 1; i <= 40; i++) {
        e = store_key_find(s, "k", 1, T0);
        unsigned want = STORE__LFU_INIT + (unsigned)i;
        ASSERT_EQ(store_entry_freq(s, e, T0),
                  want > STORE__LFU_MAX ? STORE__LFU_MAX : want);
    }
    store_free(s);
}

/* From the initial 5 a hit always counts; above, with probability
 * 1 / ((counter - 5) * factor + 1). */
TEST(hits_count_with_log_probability)
{
    struct store *s = lfu_store(10, 1);
    ASSERT_OK(store_key_set(s, "k", 1, "v", 1, STORE_NO_TTL, T0));
    struct store_entry *e = store_key_peek(s, "k", 1, T0);
    e->freq = STORE__LFU_INIT;
    store_key_find(s, "k", 1, T0);
    ASSERT_EQ(e->freq, STORE__LFU_INIT + 1);
    /* counter 7: p = 1 / 21. */
    int ups = 0, trials = 21000;
    for (int i = 0; i < trials; i++) {
        e->freq = 7;
        store_key_find(s, "k", 1, T0);
        ups += e->freq == 8;
        ASSERT(e->freq == 7 || e->freq == 8);
    }
    ASSERT(ups > 850 && ups < 1150);   /* 1000 expected, sd about 31 */
    store_free(s);
}

TEST(counter_decays_by_periods)
{
    struct store *s = lfu_store(1000000, 1);
    ASSERT_OK(store_key_set(s, "k", 1, "v", 1, STORE_NO_TTL, T0));
    struct store_entry *e = store_key_peek(s, "k", 1, T0);
    e->freq = 20;
    ASSERT_EQ(store_entry_freq(s, e, T0 + 59999), 20);
    ASSERT_EQ(store_entry_freq(s, e, T0 + 3 * MIN), 17);
    ASSERT_EQ(store_entry_freq(s, e, T0 + 30 * MIN), 0);
    store_set_lfu(s, 1, 1000000, 2);
    ASSERT_EQ(store_entry_freq(s, e, T0 + 3 * MIN), 19);
    store_set_lfu(s, 1, 1000000, 0);
    ASSERT_EQ(store_entry_freq(s, e, T0 + 30 * MIN), 20);
    /* A hit decays first and moves the reference: 3 minutes later the
     * counter is 17 (a hit at 17 counts once in 12000001 tries). */
    store_set_lfu(s, 1, 1000000, 1);
    store_key_find(s, "k", 1, T0 + 3 * MIN);
    ASSERT_EQ(store_entry_freq(s, e, T0 + 3 * MIN), 17);
    ASSERT_EQ(store_entry_freq(s, e, T0 + 4 * MIN), 16);
    store_free(s);
}

TEST(peek_does_not_touch)
{
    struct store *s = lfu_store(0, 1);
    ASSERT_OK(store_key_set(s, "k", 1, "v", 1, STORE_NO_TTL, T0));
    for (int i = 0; i < 10; i++)
        ASSERT(store_key_peek(s, "k", 1, T0) != NULL);
    ASSERT_EQ(store_entry_freq(s, store_key_peek(s, "k", 1, T0), T0),
              STORE__LFU_INIT);
    store_set_lfu(s, 0, 10, 1);
    ASSERT_OK(store_key_set(s, "j", 1, "v", 1, STORE_NO_TTL, T0));
    struct store_entry *e = store_key_peek(s, "j", 1, T0 + 10000);
    ASSERT(store_entry_idle_ms(e, T0 + 10000) >= 9 * 1024);
    e = store_key_find(s, "j", 1, T0 + 10000);
    ASSERT(store_entry_idle_ms(e, T0 + 10000) == 0);
    store_free(s);
}

/* store_set_touch(s, 0), for CLIENT NO-TOUCH: finds mark nothing, LRU or
 * LFU, but the keys they create get the current stamp. */
TEST(no_touch_finds_leave_keys_as_they_were)
{
    struct store *s = store_new(4);
    ASSERT_OK(store_key_set(s, "k", 1, "v", 1, STORE_NO_TTL, T0));
    store_set_touch(s, 0);
    struct store_entry *e = store_key_find(s, "k", 1, T0 + 10000);
    ASSERT(e != NULL);
    ASSERT(store_entry_idle_ms(e, T0 + 10000) >= 9 * 1024);
    ASSERT_OK(store_key_set(s, "n", 1, "v", 1, STORE_NO_TTL, T0 + 10000));
    e = store_key_peek(s, "n", 1, T0 + 10000);
    ASSERT_EQ(store_entry_idle_ms(e, T0 + 10000), 0);
    store_set_touch(s, 1);
    e = store_key_find(s, "k", 1, T0 + 10000);
    ASSERT_EQ(store_entry_idle_ms(e, T0 + 10000), 0);
    store_free(s);

    s = lfu_store(0, 1);
    ASSERT_OK(store_key_set(s, "k", 1, "v", 1, STORE_NO_TTL, T0));
    store_set_touch(s, 0);
    for (int i = 0; i < 10; i++)
        ASSERT(store_key_find(s, "k", 1, T0) != NULL);
    ASSERT_EQ(store_entry_freq(s, store_key_peek(s, "k", 1, T0), T0),
              STORE__LFU_INIT);
    store_set_touch(s, 1);
    store_key_find(s, "k", 1, T0);
    ASSERT_EQ(store_entry_freq(s, store_key_peek(s, "k", 1, T0), T0),
              STORE__LFU_INIT + 1);
    store_free(s);
}

TEST(idle_time_in_1024_ms_steps)
{
    struct store *s = store_new(4);
    ASSERT_OK(store_key_set(s, "k", 1, "v", 1, STORE_NO_TTL, T0));
    struct store_entry *e = store_key_peek(s, "k", 1, T0);
    ASSERT_EQ(store_entry_idle_ms(e, T0), 0);
    int64_t idle = store_entry_idle_ms(e, T0 + 20000);
    ASSERT(idle >= 19 * 1024 && idle <= 20 * 1024);
    ASSERT_EQ(idle % 1024, 0);
    /* The stamp wraps after 128 steps. */
    ASSERT(store_entry_idle_ms(e, T0 + 128 * 1024) < 2 * 1024);
    store_free(s);
}

/* The number in key "k<i>". */
static int key_index(const struct store_entry *e)
{
    size_t klen;
    const char *k = store_entry_key(e, &klen);
    return atoi(k + 1);
}

TEST(evict_lfu_picks_the_coldest)
{
    struct store *s = lfu_store(0, 1);
    char k[16];
    for (int i = 0; i < NKEYS; i++) {
        int len = snprintf(k, sizeof k, "k%d", i);
        ASSERT_OK(store_key_set(s, k, (size_t)len, "v", 1, STORE_NO_TTL, T0));
    }
    for (int i = 0; i < NKEYS; i += 2) {
        int len = snprintf(k, sizeof k, "k%d", i);
        for (int j = 0; j < 30; j++)
            ASSERT(store_key_find(s, k, (size_t)len, T0) != NULL);
    }
    struct store_victim v;
    for (int round = 0; round < 50; round++) {
        ASSERT_EQ(store_evict_sample(s, STORE_EVICT_LFU, 0, 10, T0, &v), 1);
        ASSERT_EQ(key_index(v.e) % 2, 1);
        ASSERT_EQ(v.score, STORE__LFU_MAX - STORE__LFU_INIT);
    }
    /* Decayed to 0 an hour later, every key scores the same. */
    ASSERT_EQ(store_evict_sample(s, STORE_EVICT_LFU, 0, 10, T0 + 60 * MIN, &v),
              1);
    ASSERT_EQ(v.score, STORE__LFU_MAX);
    store_free(s);
}

/* Sampling writes the decay back: whole periods only (the remainder
 * still counts), and a key eviction keeps seeing never wraps. */
TEST(evict_sampling_settles_the_decay)
{
    struct store *s = lfu_store(1000000, 1);
    ASSERT_OK(store_key_set(s, "k", 1, "v", 1, STORE_NO_TTL, T0));
    struct store_entry *e = store_key_peek(s, "k", 1, T0);
    e->freq = 10;
    struct store_victim v;
    ASSERT_EQ(store_evict_sample(s, STORE_EVICT_LFU, 0, 1, T0 + 90000, &v), 1);
    ASSERT_EQ(e->freq, 9);
    ASSERT_EQ(store_evict_sample(s, STORE_EVICT_LFU, 0, 1, T0 + 2 * MIN, &v),
              1);
    ASSERT_EQ(e->freq, 8);
    ASSERT_EQ(store_entry_freq(s, e, T0 + 3 * MIN), 7);
    /* Down to 0 an hour later, and still 0 past the stamp's 128 minutes. */
    ASSERT_EQ(store_evict_sample(s, STORE_EVICT_LFU, 0, 1, T0 + 60 * MIN, &v),
              1);
    ASSERT_EQ(v.score, STORE__LFU_MAX);
    ASSERT_EQ(store_entry_freq(s, e, T0 + 130 * MIN), 0);
    /* Unsampled, the stamp wraps: 130 minutes look like 2. (The read
     * at minute 61 decays 31 by one and, at this factor, adds nothing.) */
    e->freq = 31;
    store_key_find(s, "k", 1, T0 + 61 * MIN);
    ASSERT_EQ(e->freq, 30);
    ASSERT_EQ(store_entry_freq(s, e, T0 + (61 + 130) * MIN), 28);
    store_free(s);
}

TEST(overwrite_keeps_the_counter)
{
    struct store *s = lfu_store(0, 1);
    ASSERT_OK(store_key_set(s, "k", 1, "v", 1, STORE_NO_TTL, T0));
    for (int j = 0; j < 5; j++)
        store_key_find(s, "k", 1, T0);
    ASSERT_OK(store_key_set(s, "k", 1, "longer", 6, STORE_NO_TTL, T0));
    /* The write's own lookup counted too. */
    struct store_entry *e = store_key_peek(s, "k", 1, T0);
    ASSERT_EQ(store_entry_freq(s, e, T0), STORE__LFU_INIT + 6);
    ASSERT_OK(store__check(s));
    store_free(s);
}

TEST(copy_starts_a_new_count_rename_keeps_it)
{
    struct store *s = lfu_store(0, 1);
    ASSERT_OK(store_key_set(s, "k", 1, "v", 1, STORE_NO_TTL, T0));
    for (int j = 0; j < 5; j++)
        store_key_find(s, "k", 1, T0);
    ASSERT_OK(store_key_copy(s, "k", 1, s, "copy", 4, T0));
    ASSERT_EQ(store_entry_freq(s, store_key_peek(s, "copy", 4, T0), T0),
              STORE__LFU_INIT);
    /* The copy's lookup of k counted: 5 + 5 + 1. */
    ASSERT_OK(store_key_rename(s, "k", 1, s, "renamed-longer", 14, T0));
    ASSERT_EQ(store_entry_freq(s, store_key_peek(s, "renamed-longer", 14, T0),
                               T0), STORE__LFU_INIT + 7);
    /* A TTL change moves the entry and keeps the count. */
    ASSERT_OK(store_key_expire_set(s, "copy", 4, T0 + 100000, T0));
    ASSERT_EQ(store_entry_freq(s, store_key_peek(s, "copy", 4, T0), T0),
              STORE__LFU_INIT + 1);
    ASSERT_OK(store__check(s));
    store_free(s);
}

TEST(peek_any_sees_expired_keys)
{
    struct store *s = store_new(4);
    ASSERT_OK(store_key_set(s, "k", 1, "v", 1, T0 + 10, T0));
    ASSERT(store_key_peek_any(s, "k", 1) != NULL);
    ASSERT(store_key_peek_any(s, "nokey", 5) == NULL);
    ASSERT(store_key_peek(s, "k", 1, T0 + 20) == NULL);
    ASSERT(store_key_peek_any(s, "k", 1) == NULL);
    ASSERT_EQ(store_size(s), 0);
    store_free(s);
}

TEST(entry_mem_counts_entry_value_and_slots)
{
    struct store *s = store_new(4);
    char big[1000];
    memset(big, 'x', sizeof big);
    ASSERT_OK(store_key_set(s, "k", 1, "v", 1, STORE_NO_TTL, T0));
    struct store_entry *e = store_key_peek(s, "k", 1, T0);
    ASSERT_EQ(store_entry_mem(e), malloc_usable_size(e) + 16);
    size_t small = store_entry_mem(e);
    ASSERT_OK(store_key_set(s, "k", 1, big, sizeof big, STORE_NO_TTL, T0));
    e = store_key_peek(s, "k", 1, T0);
    ASSERT(store_entry_mem(e) >= small + sizeof big - 8);
    ASSERT_OK(store_key_set(s, "t", 1, "v", 1, T0 + 1000, T0));
    e = store_key_peek(s, "t", 1, T0);
    ASSERT_EQ(store_entry_mem(e), malloc_usable_size(e) + 24);
    /* A hash: its object's bytes count, and grow with it. */
    struct store_coll *c;
    ASSERT_OK(store_coll_open(s, "h", 1, STORE_T_HASH, 1, T0, &c));
    ASSERT_EQ(store_coll_put(s, c, "f", 1, "v", 1, 0), 1);
    e = store_key_peek(s, "h", 1, T0);
    size_t h1 = store_entry_mem(e);
    ASSERT(h1 > malloc_usable_size(e) + 16);
    size_t before = store_mem_usage(s);
    char f[16];
    for (int i = 0; i < 1000; i++) {
        int len = snprintf(f, sizeof f, "f%d", i);
        ASSERT(store_coll_put(s, c, f, (size_t)len, "v", 1, 0) >= 0);
    }
    e = store_key_peek(s, "h", 1, T0);
    /* What the hash grew by is what the store grew by. */
    ASSERT_EQ(store_entry_mem(e) - h1, store_mem_usage(s) - before);
    store_free(s);
}

/* For a list, a sorted set and a stream too, what MEMORY USAGE reports
 * grows by exactly what the store's own count grows by. */
TEST(entry_mem_follows_the_store_for_every_type)
{
    struct store *s = store_new(4);
    char m[32];
    void *o;
    double score;
    ASSERT_OK(store_obj_open(s, "l", 1, STORE_T_LIST, 1, T0, &o));
    ASSERT_OK(store_list_push(s, o, STORE_LIST_TAIL, "x", 1));
    size_t e0 = store_entry_mem(store_key_peek(s, "l", 1, T0));
    size_t s0 = store_mem_usage(s);
    for (int i = 0; i < 5000; i++) {
        int len = snprintf(m, sizeof m, "element-%d", i);
        ASSERT_OK(store_list_push(s, o, STORE_LIST_TAIL, m, (size_t)len));
    }
    ASSERT_EQ(store_entry_mem(store_key_peek(s, "l", 1, T0)) - e0,
              store_mem_usage(s) - s0);

    ASSERT_OK(store_obj_open(s, "z", 1, STORE_T_ZSET, 1, T0, &o));
    ASSERT(store_zset_add(s, o, "a", 1, 1.0, 0, &score) >= 0);
    e0 = store_entry_mem(store_key_peek(s, "z", 1, T0));
    s0 = store_mem_usage(s);
    for (int i = 0; i < 1000; i++) {
        int len = snprintf(m, sizeof m, "member-%d", i);
        ASSERT(store_zset_add(s, o, m, (size_t)len, i, 0, &score) >= 0);
    }
    ASSERT_EQ(store_entry_mem(store_key_peek(s, "z", 1, T0)) - e0,
              store_mem_usage(s) - s0);

    ASSERT_OK(store_obj_open(s, "x", 1, STORE_T_STREAM, 1, T0, &o));
    const char *fv[2] = { "field", "value" };
    size_t fvlen[2] = { 5, 5 };
    ASSERT_OK(store_stream_append(s, o, (struct store_sid){ 1, 0 }, 1, fv,
                                  fvlen));
    e0 = store_entry_mem(store_key_peek(s, "x", 1, T0));
    s0 = store_mem_usage(s);
    for (uint64_t i = 2; i < 1000; i++)
        ASSERT_OK(store_stream_append(s, o, (struct store_sid){ i, 0 }, 1,
                                      fv, fvlen));
    ASSERT_EQ(store_entry_mem(store_key_peek(s, "x", 1, T0)) - e0,
              store_mem_usage(s) - s0);
    ASSERT_OK(store__check(s));
    store_free(s);
}

/* RESTORE's IDLETIME and FREQ: one counts only without an lfu policy,
 * the other only with one; both clip to what the stamp holds. */
TEST(set_access_idle_and_freq)
{
    struct store *s = store_new(1);
    ASSERT_OK(store_key_set(s, "k", 1, "v", 1, STORE_NO_TTL, T0));
    struct store_entry *e = store_key_peek(s, "k", 1, T0);
    store_entry_set_access(s, e, 10000, 20, T0);
    ASSERT_EQ(store_entry_idle_ms(e, T0) / 1000, 10);
    ASSERT_EQ(store_entry_freq(s, e, T0), STORE__LFU_INIT);
    store_entry_set_access(s, e, INT64_C(1) << 40, -1, T0);
    ASSERT_EQ(store_entry_idle_ms(e, T0), 127 * 1024);
    store_entry_set_access(s, e, -1, -1, T0);
    ASSERT_EQ(store_entry_idle_ms(e, T0), 127 * 1024);
    store_set_lfu(s, 1, 10, 1);
    store_entry_set_access(s, e, 5000, 20, T0);
    ASSERT_EQ(store_entry_freq(s, e, T0), 20);
    store_entry_set_access(s, e, -1, 255, T0);
    ASSERT_EQ(store_entry_freq(s, e, T0), STORE__LFU_MAX);
    store_free(s);
}

static const struct unit_test tests[] = {
    UNIT(set_access_idle_and_freq),
    UNIT(new_key_starts_at_five),
    UNIT(factor_zero_counts_every_hit_up_to_31),
    UNIT(hits_count_with_log_probability),
    UNIT(counter_decays_by_periods),
    UNIT(peek_does_not_touch),
    UNIT(no_touch_finds_leave_keys_as_they_were),
    UNIT(idle_time_in_1024_ms_steps),
    UNIT(evict_lfu_picks_the_coldest),
    UNIT(evict_sampling_settles_the_decay),
    UNIT(overwrite_keeps_the_counter),
    UNIT(copy_starts_a_new_count_rename_keeps_it),
    UNIT(peek_any_sees_expired_keys),
    UNIT(entry_mem_counts_entry_value_and_slots),
    UNIT(entry_mem_follows_the_store_for_every_type),
};

int main(void)
{
    return unit_run(tests, UNIT_COUNT(tests));
}
