/* test_latency.c - unit tests for server/latency.c: the histograms'
 * buckets and percentiles, and the latency monitor's series.
 *
 * Buckets tile all of uint64_t without gaps, every power of two starts
 * one (so LATENCY HISTOGRAM's counts below 1024 << k are exact), and a
 * bucket is at most 1/8 of its values wide; percentiles round the rank
 * as HdrHistogram does; a series keeps the worst sample of a second,
 * wraps after 160 seconds and remembers the all-time worst. */
#include <stdlib.h>
#include <string.h>

#include "server/latency.h"
#include "tests/unit/unit.h"

TEST(buckets_tile_uint64_and_powers_of_two_start_one)
{
    uint64_t expect = 0;
    for (size_t i = 0; i < LATENCY_HIST_BUCKETS; i++) {
        ASSERT_EQ(latency_hist_bucket_low(i), expect);
        ASSERT_EQ(latency_hist_index(expect), i);
        uint64_t end = latency_hist_bucket_end(i);
        ASSERT_EQ(latency_hist_index(end - 1), i);
        /* At most an eighth of the bucket's values wide. */
        ASSERT(expect < 16 || (end - 1 - expect) / 8 <= expect / 64 + 1);
        expect = end;
    }
    ASSERT_EQ(expect, UINT64_MAX);
    ASSERT_EQ(latency_hist_index(UINT64_MAX), LATENCY_HIST_BUCKETS - 1);
    for (int k = 0; k < 64; k++)
        ASSERT_EQ(latency_hist_bucket_low(latency_hist_index(1ull << k)),
                  1ull << k);
}

TEST(counts_below_a_power_of_two_are_exact)
{
    uint64_t h[LATENCY_HIST_BUCKETS] = {0};
    latency_hist_add(h, 1023, 1);
    latency_hist_add(h, 1024, 2);
    latency_hist_add(h, 2047, 1);
    latency_hist_add(h, 5000000000ull, 1);
    latency_hist_add(h, 7, 0);              /* a blocked rerun: no sample */
    ASSERT_EQ(latency_hist_total(h), 5);
    ASSERT_EQ(latency_hist_below(h, 1024), 1);
    ASSERT_EQ(latency_hist_below(h, 2048), 4);
    ASSERT_EQ(latency_hist_below(h, 1ull << 32), 4);
}

TEST(percentiles)
{
    uint64_t h[LATENCY_HIST_BUCKETS] = {0};
    latency_hist_add(h, 3, 98);
    latency_hist_add(h, 1000, 1);
    latency_hist_add(h, 5000000000ull, 1);
    ASSERT_EQ(latency_hist_percentile(h, 50, 1000000000), 3);
    ASSERT_EQ(latency_hist_percentile(h, 0, 1000000000), 3);
    /* Rank 99 is the 1000 ns sample, in the bucket 960..1023. */
    ASSERT_EQ(latency_hist_percentile(h, 99, 1000000000), 1023);
    ASSERT_EQ(latency_hist_percentile(h, 99.9, 1000000000), 1000000000);
    ASSERT_EQ(latency_hist_percentile(h, 100, 1000000000), 1000000000);
    uint64_t one[LATENCY_HIST_BUCKETS] = {0};
    latency_hist_add(one, 20000, 1);
    ASSERT_EQ(latency_hist_percentile(one, 0, 1000000000), 18432);
    ASSERT_EQ(latency_hist_percentile(one, 100, 1000000000), 20479);
}

TEST(series_keeps_the_worst_of_a_second_and_wraps)
{
    struct latency_monitor m;
    latency_monitor_init(&m);
    ASSERT_EQ(latency_event_lookup("fast-command", 12),
              LATENCY_EV_FAST_COMMAND);
    ASSERT_EQ(latency_event_lookup("Command", 7), -1);
    /* Redis's names, every one of them looked up by itself. */
    ASSERT_EQ(latency_event_lookup("fork", 4), LATENCY_EV_FORK);
    for (int i = 0; i < LATENCY_EV_COUNT; i++) {
        const char *name = latency_event_name((enum latency_event)i);
        ASSERT(name != NULL);
        ASSERT_EQ(latency_event_lookup(name, strlen(name)), i);
    }
    ASSERT_OK(latency_monitor_add(&m, LATENCY_EV_COMMAND, 100, 5));
    ASSERT_OK(latency_monitor_add(&m, LATENCY_EV_COMMAND, 100, 9));
    ASSERT_OK(latency_monitor_add(&m, LATENCY_EV_COMMAND, 100, 7));
    ASSERT_OK(latency_monitor_add(&m, LATENCY_EV_COMMAND, 101, 2));
    const struct latency_series *s = m.series[LATENCY_EV_COMMAND];
    struct latency_sample x[LATENCY_SERIES_LEN];
    ASSERT_EQ(latency_series_samples(s, x), 2);
    ASSERT_EQ(x[0].time, 100);
    ASSERT_EQ(x[0].ms, 9);
    ASSERT_EQ(x[1].ms, 2);
    ASSERT_EQ(latency_series_newest(s)->time, 101);
    ASSERT_EQ(s->max_ms, 9);
    for (int64_t t = 200; t < 200 + LATENCY_SERIES_LEN + 5; t++)
        ASSERT_OK(latency_monitor_add(&m, LATENCY_EV_COMMAND, t, 1));
    ASSERT_EQ(latency_series_samples(s, x), LATENCY_SERIES_LEN);
    ASSERT_EQ(x[0].time, 205);
    ASSERT_EQ(s->max_ms, 9);
    ASSERT_EQ(latency_monitor_reset(&m, LATENCY_EV_COMMAND), 1);
    ASSERT_EQ(latency_monitor_reset(&m, LATENCY_EV_COMMAND), 0);
    ASSERT(m.series[LATENCY_EV_COMMAND] == NULL);
    ASSERT_OK(latency_monitor_add(&m, LATENCY_EV_EXPIRE_CYCLE, 1, 3));
    latency_monitor_close(&m);
    ASSERT(m.series[LATENCY_EV_EXPIRE_CYCLE] == NULL);
}

static const struct unit_test tests[] = {
    UNIT(buckets_tile_uint64_and_powers_of_two_start_one),
    UNIT(counts_below_a_power_of_two_are_exact),
    UNIT(percentiles),
    UNIT(series_keeps_the_worst_of_a_second_and_wraps),
};

int main(void)
{
    return unit_run(tests, UNIT_COUNT(tests));
}
