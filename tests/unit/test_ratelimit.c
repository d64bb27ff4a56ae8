/* test_ratelimit.c - unit tests for store/ratelimit.c: the three
 * algorithms driven with a moved clock (no sleeping). Exact admits per
 * period, burst, cost, COST 0 peeks, retry-after being exactly the first
 * ms at which the call passes, reset-after being exactly when the state
 * equals an absent key, state decoding, and no drift after a million
 * calls with an emission interval that is not a whole number of ms. */
#include <stdlib.h>

#include "store/store.h"
#include "tests/unit/unit.h"

#define T0 INT64_C(1700000000000)          /* a window boundary for 1000 ms */

/* A limiter key: the value a server would hold (len 0 = absent). */
struct key {
    char v[STORE_RL_STATE_MAX];
    size_t len;
};

static struct store_rl_params P(int algo, int64_t limit, int64_t period,
                                int64_t burst, int64_t cost)
{
    struct store_rl_params p = { algo, limit, period, burst, cost };
    return p;
}

/* One call at now, keeping the new state as a server would. Returns the
 * store_rl_apply code. */
static int call(struct key *k, const struct store_rl_params *p, int64_t now,
                struct store_rl_result *r)
{
    char out[STORE_RL_STATE_MAX];
    size_t outlen;
    int rc = store_rl_apply(p, k->len ? k->v : NULL, k->len, now, r, out,
                            &outlen);
    if (rc == 0 && outlen) {
        memcpy(k->v, out, outlen);
        k->len = outlen;
    }
    return rc;
}

/* The same call without keeping anything (what would happen at now). */
static struct store_rl_result peek(const struct key *k,
                                   const struct store_rl_params *p,
                                   int64_t now)
{
    struct key copy = *k;
    struct store_rl_result r;
    call(&copy, p, now, &r);
    return r;
}

/* ---- GCRA ---------------------------------------------------------------- */

TEST(gcra_burst_then_rate)
{
    struct key k = { .len = 0 };
    struct store_rl_params p = P(STORE_RL_GCRA, 10, 1000, 10, 1);
    struct store_rl_result r;
    for (int i = 0; i < 10; i++) {
        ASSERT_OK(call(&k, &p, T0, &r));
        ASSERT_EQ(r.allowed, 1);
        ASSERT_EQ(r.limit, 10);
        ASSERT_EQ(r.remaining, 9 - i);
        ASSERT_EQ(r.retry_after_ms, -1);
        ASSERT_EQ(r.reset_after_ms, 100 * (i + 1));
    }
    ASSERT_OK(call(&k, &p, T0, &r));
    ASSERT_EQ(r.allowed, 0);
    ASSERT_EQ(r.remaining, 0);
    ASSERT_EQ(r.retry_after_ms, 100);
    ASSERT_EQ(r.reset_after_ms, 1000);
    ASSERT_EQ(peek(&k, &p, T0 + 99).allowed, 0);
    ASSERT_EQ(peek(&k, &p, T0 + 100).allowed, 1);
    /* The denied call changed nothing: the same answer again. */
    ASSERT_OK(call(&k, &p, T0, &r));
    ASSERT_EQ(r.retry_after_ms, 100);
}

TEST(gcra_fractional_interval)
{
    /* 3 per second: T = 333.33 ms, rounded up only on the way out. */
    struct key k = { .len = 0 };
    struct store_rl_params p = P(STORE_RL_GCRA, 3, 1000, 3, 1);
    struct store_rl_result r;
    for (int i = 0; i < 3; i++)
        ASSERT_OK(call(&k, &p, T0, &r));
    ASSERT_EQ(r.allowed, 1);
    ASSERT_EQ(r.reset_after_ms, 1000);
    ASSERT_OK(call(&k, &p, T0, &r));
    ASSERT_EQ(r.allowed, 0);
    ASSERT_EQ(r.retry_after_ms, 334);
    ASSERT_EQ(peek(&k, &p, T0 + 333).allowed, 0);
    ASSERT_EQ(peek(&k, &p, T0 + 334).allowed, 1);
    /* Exactly 3 more admits per second once drained. */
    int admitted = 0;
    for (int64_t t = T0 + 1; t < T0 + 1001; t++) {
        ASSERT_OK(call(&k, &p, t, &r));
        admitted += r.allowed;
    }
    ASSERT_EQ(admitted, 3);
}

TEST(gcra_cost_and_peek)
{
    struct key k = { .len = 0 };
    struct store_rl_params p = P(STORE_RL_GCRA, 10, 1000, 20, 5);
    struct store_rl_result r;
    ASSERT_OK(call(&k, &p, T0, &r));
    ASSERT_EQ(r.allowed, 1);
    ASSERT_EQ(r.limit, 20);
    ASSERT_EQ(r.remaining, 15);
    ASSERT_EQ(r.reset_after_ms, 500);
    /* COST 0 only reports, and never writes. */
    p.cost = 0;
    char out[STORE_RL_STATE_MAX];
    size_t outlen = 99;
    ASSERT_OK(store_rl_apply(&p, k.v, k.len, T0 + 100, &r, out, &outlen));
    ASSERT_EQ(outlen, 0);
    ASSERT_EQ(r.allowed, 1);
    ASSERT_EQ(r.remaining, 16);
    ASSERT_EQ(r.retry_after_ms, -1);
    ASSERT_EQ(r.reset_after_ms, 400);
    /* On an absent key a peek reports a full bucket and writes nothing. */
    ASSERT_OK(store_rl_apply(&p, NULL, 0, T0, &r, out, &outlen));
    ASSERT_EQ(outlen, 0);
    ASSERT_EQ(r.remaining, 20);
    ASSERT_EQ(r.reset_after_ms, 0);
    /* A cost above the burst can never pass. */
    p.cost = 21;
    ASSERT_OK(store_rl_apply(&p, NULL, 0, T0, &r, out, &outlen));
    ASSERT_EQ(r.allowed, 0);
    ASSERT_EQ(r.retry_after_ms, -1);
    ASSERT_EQ(outlen, 0);
}

TEST(gcra_redis_cell_example)
{
    /* redis-cell's README: CL.THROTTLE user123 15 30 60 -> 0 16 15 -1 2,
     * i.e. burst 16, 30 per 60 s. */
    struct key k = { .len = 0 };
    struct store_rl_params p = P(STORE_RL_GCRA, 30, 60000, 16, 1);
    struct store_rl_result r;
    ASSERT_OK(call(&k, &p, T0, &r));
    ASSERT_EQ(r.allowed, 1);
    ASSERT_EQ(r.limit, 16);
    ASSERT_EQ(r.remaining, 15);
    ASSERT_EQ(r.reset_after_ms, 2000);
}

TEST(gcra_no_drift_million_calls)
{
    /* 3 per 1000 ms, burst 3, one call every ms for 10^6 ms. Admit n
     * (from 0) is due at ceil((n-2)*1000/3) ms, so exactly 3002 pass; an
     * interval rounded to 333 or 334 ms would give 3006 or 2997. */
    struct key k = { .len = 0 };
    struct store_rl_params p = P(STORE_RL_GCRA, 3, 1000, 3, 1);
    struct store_rl_result r;
    long admitted = 0;
    for (int64_t t = 0; t < 1000000; t++) {
        if (call(&k, &p, T0 + 7 + t, &r) != 0)
            break;
        admitted += r.allowed;
    }
    ASSERT_EQ(admitted, 3002);
}

/* ---- Windows ------------------------------------------------------------- */

TEST(fixed_window_exact)
{
    struct key k = { .len = 0 };
    struct store_rl_params p = P(STORE_RL_FIXED, 5, 1000, 5, 1);
    struct store_rl_result r;
    int64_t now = T0 + 500;                  /* mid-window */
    for (int i = 0; i < 5; i++) {
        ASSERT_OK(call(&k, &p, now, &r));
        ASSERT_EQ(r.allowed, 1);
        ASSERT_EQ(r.remaining, 4 - i);
        ASSERT_EQ(r.reset_after_ms, 500);
    }
    ASSERT_OK(call(&k, &p, now, &r));
    ASSERT_EQ(r.allowed, 0);
    ASSERT_EQ(r.retry_after_ms, 500);
    ASSERT_EQ(peek(&k, &p, now + 499).allowed, 0);
    r = peek(&k, &p, now + 500);
    ASSERT_EQ(r.allowed, 1);
    ASSERT_EQ(r.remaining, 4);
    /* Exactly limit per window over many windows. */
    struct key k2 = { .len = 0 };
    long admitted = 0;
    for (int64_t t = 0; t < 1000000; t++) {
        ASSERT_OK(call(&k2, &p, T0 + t, &r));
        admitted += r.allowed;
    }
    ASSERT_EQ(admitted, 5000);
}

TEST(fixed_window_cost)
{
    struct key k = { .len = 0 };
    struct store_rl_params p = P(STORE_RL_FIXED, 10, 1000, 10, 4);
    struct store_rl_result r;
    ASSERT_OK(call(&k, &p, T0, &r));
    ASSERT_OK(call(&k, &p, T0, &r));
    ASSERT_EQ(r.remaining, 2);
    ASSERT_OK(call(&k, &p, T0, &r));
    ASSERT_EQ(r.allowed, 0);
    ASSERT_EQ(r.remaining, 2);
    p.cost = 2;
    ASSERT_OK(call(&k, &p, T0, &r));
    ASSERT_EQ(r.allowed, 1);
    ASSERT_EQ(r.remaining, 0);
}

TEST(sliding_window_weights_previous)
{
    struct key k = { .len = 0 };
    struct store_rl_params p = P(STORE_RL_SLIDING, 4, 1000, 4, 1);
    struct store_rl_result r;
    for (int i = 0; i < 4; i++)
        ASSERT_OK(call(&k, &p, T0 + 900, &r));
    ASSERT_EQ(r.remaining, 0);
    ASSERT_EQ(r.reset_after_ms, 1100);       /* end of the next window */
    /* New window, elapsed 0: all 4 still weigh in fully. */
    r = peek(&k, &p, T0 + 1000);
    ASSERT_EQ(r.allowed, 0);
    ASSERT_EQ(r.retry_after_ms, 250);        /* 4*(1000-250) <= 3*1000 */
    ASSERT_EQ(peek(&k, &p, T0 + 1249).allowed, 0);
    r = peek(&k, &p, T0 + 1250);
    ASSERT_EQ(r.allowed, 1);
    ASSERT_EQ(r.remaining, 0);
    /* Half way: 4 * 0.5 = 2 in view, so 2 admits. */
    int admitted = 0;
    for (int i = 0; i < 4; i++) {
        ASSERT_OK(call(&k, &p, T0 + 1500, &r));
        admitted += r.allowed;
    }
    ASSERT_EQ(admitted, 2);
}

/* ---- Properties over random parameters ----------------------------------- */

static uint64_t rng_state = 88172645463325252ull;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

TEST(retry_and_reset_are_exact)
{
    /* For every algorithm and random parameters: when a call is denied
     * with retry-after r, the same call is still denied at r-1 ms and
     * admitted at r; reset-after is the first ms at which a peek sees the
     * limiter full again, as on an absent key. */
    for (int round = 0; round < 3000; round++) {
        int algo = (int)(rng() % 3);
        int64_t limit = 1 + (int64_t)(rng() % 20);
        int64_t period = 1 + (int64_t)(rng() % 5000);
        int64_t burst = 1 + (int64_t)(rng() % 25);
        if (algo != STORE_RL_GCRA && burst > limit)
            burst = limit;
        struct key k = { .len = 0 };
        int64_t now = T0 + (int64_t)(rng() % 100000);
        for (int step = 0; step < 40; step++) {
            int64_t cost = (int64_t)(rng() % (uint64_t)(burst + 1));
            struct store_rl_params p = P(algo, limit, period, burst, cost);
            struct store_rl_result r;
            ASSERT_OK(call(&k, &p, now, &r));
            if (!r.allowed) {
                ASSERT(r.retry_after_ms >= 1);
                ASSERT_EQ(peek(&k, &p, now + r.retry_after_ms - 1).allowed,
                          0);
                ASSERT_EQ(peek(&k, &p, now + r.retry_after_ms).allowed, 1);
            } else {
                ASSERT_EQ(r.retry_after_ms, -1);
            }
            struct store_rl_params zero = P(algo, limit, period, burst, 0);
            struct store_rl_result full = peek(&(struct key){ .len = 0 },
                                               &zero, now);
            if (r.reset_after_ms > 0) {
                struct store_rl_result at =
                    peek(&k, &zero, now + r.reset_after_ms);
                ASSERT_EQ(at.remaining, full.remaining);
                ASSERT_EQ(at.reset_after_ms, 0);
                ASSERT_EQ(peek(&k, &zero, now + r.reset_after_ms - 1)
                              .reset_after_ms,
                          1);
            }
            now += (int64_t)(rng() % (uint64_t)(period / 2 + 2));
        }
    }
}

/* ---- State encoding ------------------------------------------------------ */

TEST(rejects_other_strings)
{
    struct store_rl_params p = P(STORE_RL_GCRA, 5, 1000, 5, 1);
    struct store_rl_result r;
    char out[STORE_RL_STATE_MAX];
    size_t outlen;
    ASSERT_EQ(store_rl_apply(&p, "hello", 5, T0, &r, out, &outlen), -1);
    ASSERT_EQ(store_rl_apply(&p, "", 0, T0, &r, out, &outlen), -1);
    ASSERT_OK(store_rl_apply(&p, NULL, 0, T0, &r, out, &outlen));
    ASSERT(outlen > 0);
    ASSERT(store_rl_is_state(out, outlen));
    ASSERT(!store_rl_is_state(out, outlen - 1));
    out[0] = 'x';
    ASSERT(!store_rl_is_state(out, outlen));
    ASSERT_EQ(store_rl_apply(&p, out, outlen, T0, &r, out, &outlen), -1);
    /* Out-of-range parameters are refused, not computed. */
    struct store_rl_params bad = P(STORE_RL_GCRA, 0, 1000, 5, 1);
    ASSERT_EQ(store_rl_apply(&bad, NULL, 0, T0, &r, out, &outlen), -2);
}

TEST(parameter_change_keeps_usage)
{
    /* Spend 10 of 10 per second, then ask with 20 per second: the spent
     * time carries over (rescaled), nothing is forgotten or invented. */
    struct key k = { .len = 0 };
    struct store_rl_params p = P(STORE_RL_GCRA, 10, 1000, 10, 10);
    struct store_rl_result r;
    ASSERT_OK(call(&k, &p, T0, &r));
    ASSERT_EQ(r.remaining, 0);
    struct store_rl_params q = P(STORE_RL_GCRA, 20, 1000, 20, 0);
    r = peek(&k, &q, T0);
    ASSERT_EQ(r.remaining, 0);
    ASSERT_EQ(r.reset_after_ms, 1000);
    /* Another algorithm's state restarts the limiter. */
    struct store_rl_params f = P(STORE_RL_FIXED, 10, 1000, 10, 0);
    r = peek(&k, &f, T0);
    ASSERT_EQ(r.remaining, 10);
}

static const struct unit_test tests[] = {
    UNIT(gcra_burst_then_rate),
    UNIT(gcra_fractional_interval),
    UNIT(gcra_cost_and_peek),
    UNIT(gcra_redis_cell_example),
    UNIT(gcra_no_drift_million_calls),
    UNIT(fixed_window_exact),
    UNIT(fixed_window_cost),
    UNIT(sliding_window_weights_previous),
    UNIT(retry_and_reset_are_exact),
    UNIT(rejects_other_strings),
    UNIT(parameter_change_keeps_usage),
};

int main(void)
{
    return unit_run(tests, UNIT_COUNT(tests));
}
