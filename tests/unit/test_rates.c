/* test_rates.c - unit tests for server/rates.c: INFO's instantaneous_*
 * rates, driven by a moved clock.
 *
 * A steady counter reads its exact rate once the ring is full, and a
 * proportional share of it before; calls closer together than the
 * period take no sample; a late tick divides by the time that really
 * passed; a counter that went back to 0 (CONFIG RESETSTAT) starts over
 * instead of wrapping; and a stopped counter fades to 0. */
#include "server/rates.h"
#include "tests/unit/unit.h"

/* Advances r by n periods of ms each, counter 0 growing by step each. */
static void run(struct rates *r, uint64_t *now, uint64_t c[RATE_COUNT],
                int n, uint64_t ms, uint64_t step)
{
    for (int i = 0; i < n; i++) {
        *now += ms;
        c[0] += step;
        rates_sample(r, *now, c);
    }
}

TEST(steady_rate_once_the_ring_is_full)
{
    struct rates r;
    uint64_t c[RATE_COUNT] = { 0 }, now = 1000;
    rates_init(&r, now);
    ASSERT_EQ(rates_get(&r, 0), 0);
    run(&r, &now, c, RATES_SAMPLES / 2, RATES_PERIOD_MS, 500);
    ASSERT_EQ(rates_get(&r, 0), 2500);    /* half the ring: half of 5000 */
    run(&r, &now, c, RATES_SAMPLES, RATES_PERIOD_MS, 500);
    ASSERT_EQ(rates_get(&r, 0), 5000);
    ASSERT_EQ(rates_get(&r, 1), 0);
}

TEST(no_sample_before_the_period)
{
    struct rates r;
    uint64_t c[RATE_COUNT] = { 0 }, now = 0;
    rates_init(&r, now);
    ASSERT(!rates_due(&r, now + RATES_PERIOD_MS - 1));
    ASSERT(rates_due(&r, now + RATES_PERIOD_MS));
    run(&r, &now, c, RATES_SAMPLES * 4, RATES_PERIOD_MS / 4, 100);
    /* Every fourth call sampled 400 over 100 ms. */
    ASSERT_EQ(rates_get(&r, 0), 4000);
}

TEST(late_tick_divides_by_the_real_time)
{
    struct rates r;
    uint64_t c[RATE_COUNT] = { 0 }, now = 0;
    rates_init(&r, now);
    run(&r, &now, c, RATES_SAMPLES, 4 * RATES_PERIOD_MS, 1000);
    ASSERT_EQ(rates_get(&r, 0), 1000 * 1000 / (4 * RATES_PERIOD_MS));
}

TEST(counter_reset_starts_over_and_stop_fades)
{
    struct rates r;
    uint64_t c[RATE_COUNT] = { 0 }, now = 0;
    rates_init(&r, now);
    run(&r, &now, c, RATES_SAMPLES, RATES_PERIOD_MS, 1000000);
    c[0] = 0;                          /* reset under the sampler */
    run(&r, &now, c, RATES_SAMPLES, RATES_PERIOD_MS, 10);
    ASSERT_EQ(rates_get(&r, 0), 100);
    run(&r, &now, c, RATES_SAMPLES, RATES_PERIOD_MS, 0);
    ASSERT_EQ(rates_get(&r, 0), 0);
}

static const struct unit_test tests[] = {
    UNIT(steady_rate_once_the_ring_is_full),
    UNIT(no_sample_before_the_period),
    UNIT(late_tick_divides_by_the_real_time),
    UNIT(counter_reset_starts_over_and_stop_fades),
};

int main(void)
{
    return unit_run(tests, UNIT_COUNT(tests));
}
