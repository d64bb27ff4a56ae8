/* test_ratelimit.c - unit tests for store/ratelimit.c: the three
 * algorithms driven with a moved clock (no sleeping). Exact admits per
 * period, burst, cost, COST 0 peeks, retry-after being exactly the first
 * ms at which the call passes, reset-after being exactly when the state
 * equals an absent key, state decoding, and no drift after a million
 * calls with an emission interval that is not a whole number of ms. */
#include <stdio.h>
#include <stdlib.h>

#include "store/store.h"
#include "store/store_int.h"
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

/* A GCRA parameter for the fast-path test: small, or near one of the
 * bounds where ratelimit.c switches from 64- to 128-bit arithmetic. */
static int64_t gcra_param(void)
{
    static const int64_t edge[] = {
        (INT64_C(1) << 20) - 1, INT64_C(1) << 20, (INT64_C(1) << 20) + 1,
        (INT64_C(1) << 30) - 1, INT64_C(1) << 30, (INT64_C(1) << 30) + 1,
        STORE_RL_MAX,
    };
    switch (rng() % 3) {
    case 0:
        return 1 + (int64_t)(rng() % 1000);
    case 1:
        return edge[rng() % (sizeof edge / sizeof edge[0])];
    default:
        return 1 + (int64_t)(rng() % (uint64_t)STORE_RL_MAX);
    }
}

TEST(gcra_fast_path_matches_wide)
{
    /* The same call sequences once with the 64-bit fast path allowed and
     * once forced through the 128-bit code: every result field and every
     * state byte must agree, including parameter changes between calls
     * (rescaled state) and clocks up to the largest now accepted. */
    for (int round = 0; round < 4000; round++) {
        struct key fast = { .len = 0 }, wide = { .len = 0 };
        int64_t now = (int64_t)(rng() % 2 ? rng() % (uint64_t)T0
                                          : rng() % (uint64_t)STORE_RL_MAX_NOW);
        struct store_rl_params p = P(STORE_RL_GCRA, gcra_param(),
                                     gcra_param(), gcra_param(), 1);
        for (int step = 0; step < 30; step++) {
            if (rng() % 8 == 0)
                p.limit = gcra_param();
            if (rng() % 8 == 0)
                p.burst = gcra_param();
            p.cost = rng() % 4 == 0 ? gcra_param()
                                    : (int64_t)(rng() % 3);
            struct store_rl_result rf, rw;
            store__rl_force_wide(0);
            int cf = call(&fast, &p, now, &rf);
            store__rl_force_wide(1);
            int cw = call(&wide, &p, now, &rw);
            store__rl_force_wide(0);
            ASSERT_EQ(cf, cw);
            ASSERT_EQ(rf.allowed, rw.allowed);
            ASSERT_EQ(rf.limit, rw.limit);
            ASSERT_EQ(rf.remaining, rw.remaining);
            ASSERT_EQ(rf.retry_after_ms, rw.retry_after_ms);
            ASSERT_EQ(rf.reset_after_ms, rw.reset_after_ms);
            ASSERT_EQ(fast.len, wide.len);
            ASSERT(memcmp(fast.v, wide.v, fast.len) == 0);
            int64_t step_ms = (int64_t)(rng() % 2000);
            if (now + step_ms < STORE_RL_MAX_NOW)
                now += step_ms;
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

/* GCRA state as ratelimit.c lays it out: "\xffRL1", algo, then limit
 * and TAT in the short form (wide = 0) or limit, TAT high and low words
 * (wide = 1), little-endian. */
static size_t gcra_state(char *out, int wide, int64_t limit, int64_t tat)
{
    memcpy(out, "\xffRL1", 4);
    out[4] = (char)STORE_RL_GCRA;
    size_t n = 5;
    int limit_bytes = wide ? 8 : 4;
    for (int i = 0; i < limit_bytes; i++)
        out[n++] = (char)((uint64_t)limit >> (8 * i));
    for (int i = 0; wide && i < 8; i++)
        out[n++] = 0;
    for (int i = 0; i < 8; i++)
        out[n++] = (char)((uint64_t)tat >> (8 * i));
    return n;
}

TEST(gcra_state_short_and_wide)
{
    /* Every everyday limiter is written in the short form, 17 bytes. */
    struct key k = { .len = 0 };
    struct store_rl_params p = P(STORE_RL_GCRA, 100, 60000, 100, 1);
    struct store_rl_result r;
    for (int i = 0; i < 3; i++) {
        ASSERT_OK(call(&k, &p, T0 + i, &r));
        ASSERT_EQ(k.len, 17);
        char want[32];
        ASSERT_EQ(gcra_state(want, 0, 100, T0 * 100 + 60000 * (i + 1)), 17);
        ASSERT(memcmp(k.v, want, 17) == 0);
    }
    /* A limit of 2^32 or more needs the wide form, 29 bytes. */
    struct key big = { .len = 0 };
    struct store_rl_params q = P(STORE_RL_GCRA, INT64_C(1) << 32,
                                 INT64_C(1) << 32, INT64_C(1) << 33,
                                 INT64_C(1) << 32);
    ASSERT_OK(call(&big, &q, T0, &r));
    ASSERT_EQ(big.len, 29);
    /* It decodes with its usage: 2^32 units of 1 ms each are spent, so a
     * 1000-a-second limiter waits until TAT - burst, 2^32 - 1000 + 1 ms. */
    struct store_rl_params s1 = P(STORE_RL_GCRA, 1000, 1000, 1000, 1);
    r = peek(&big, &s1, T0);
    ASSERT_EQ(r.allowed, 0);
    ASSERT_EQ(r.retry_after_ms, (INT64_C(1) << 32) - 1000 + 1);
    /* The same state in either form gives the same answers and the same
     * next state, written short (an older wide state is upgraded). */
    for (int64_t spent = 0; spent <= 150; spent += 50) {
        struct key w = { .len = 0 }, sh = { .len = 0 };
        int64_t tat = T0 * 100 + spent * 60000;
        w.len = gcra_state(w.v, 1, 100, tat);
        sh.len = gcra_state(sh.v, 0, 100, tat);
        struct store_rl_result rw, rs;
        ASSERT_OK(call(&w, &p, T0, &rw));
        ASSERT_OK(call(&sh, &p, T0, &rs));
        ASSERT_EQ(rw.allowed, rs.allowed);
        ASSERT_EQ(rw.remaining, rs.remaining);
        ASSERT_EQ(rw.retry_after_ms, rs.retry_after_ms);
        ASSERT_EQ(rw.reset_after_ms, rs.reset_after_ms);
        ASSERT_EQ(rs.allowed, spent < 100);
        ASSERT_EQ(sh.len, 17);
        /* A denied call writes nothing: the wide state stays wide. */
        ASSERT_EQ(w.len, rs.allowed ? 17 : 29);
        if (rs.allowed)
            ASSERT(memcmp(w.v, sh.v, sh.len) == 0);
    }
    /* A short state that could not have been written is not state. */
    char bad[32];
    size_t n = gcra_state(bad, 0, 0, T0 * 100);          /* limit 0 */
    ASSERT(!store_rl_is_state(bad, n));
    n = gcra_state(bad, 0, 100, -1);                     /* TAT < 0 */
    ASSERT(!store_rl_is_state(bad, n));
    n = gcra_state(bad, 0, 100, T0 * 100);
    ASSERT(store_rl_is_state(bad, n));
    ASSERT(!store_rl_is_state(bad, n - 1));
    bad[n] = 0;
    ASSERT(!store_rl_is_state(bad, n + 1));
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

/* ---- Store side: store_rl_find / store_rl_write / store_rl_done ---------- */

static int expired_calls;

static void count_expired(void *ctx, const char *key, size_t klen)
{
    (void)ctx;
    (void)key;
    (void)klen;
    expired_calls++;
}

/* One RATELIMIT-like call against store s, as cmd_ratelimit.c does it.
 * Returns 1 if the key was live before the call. */
static int store_call(struct store *s, const struct store_rl_params *p,
                      int64_t now, struct store_rl_result *r)
{
    struct store_rl_key k;
    store_rl_find(s, "lim", 3, now, &k);
    const char *state = NULL;
    size_t slen = 0;
    if (k.e)
        state = store_entry_str(k.e, &slen);
    char out[STORE_RL_STATE_MAX];
    size_t outlen;
    if (store_rl_apply(p, state, slen, now, r, out, &outlen) != 0 ||
        outlen == 0)
        store_rl_done(s, &k);
    else if (store_rl_write(s, &k, "lim", 3, out, outlen,
                            now + r->reset_after_ms, now) != STORE_OK)
        return -1;
    return k.e != NULL;
}

TEST(store_rl_reuses_expired_entry)
{
    /* An expired limiter is reported expired exactly once and rewritten
     * in place (same entry, still one key with a TTL); a call that writes
     * nothing removes it as an ordinary lookup would. */
    struct store *s = store_new(4);
    ASSERT(s != NULL);
    store_set_expired_cb(s, count_expired, NULL);
    expired_calls = 0;
    struct store_rl_params p = P(STORE_RL_GCRA, 10, 1000, 10, 1);
    struct store_rl_result r;
    ASSERT_EQ(store_call(s, &p, T0, &r), 0);
    ASSERT_EQ(r.reset_after_ms, 100);
    ASSERT_EQ(store_call(s, &p, T0 + 1, &r), 1);
    ASSERT_EQ(r.reset_after_ms, 199);
    struct store_entry *e = store_key_find(s, "lim", 3, T0 + 1);
    ASSERT(e != NULL);
    ASSERT_EQ(store_entry_expire(e), T0 + 200);
    ASSERT_EQ(expired_calls, 0);

    /* Expired at T0 + 200: reused, reported once, fresh state. */
    ASSERT_EQ(store_call(s, &p, T0 + 200, &r), 0);
    ASSERT_EQ(expired_calls, 1);
    ASSERT_EQ(r.remaining, 9);
    ASSERT_EQ(store_key_find(s, "lim", 3, T0 + 200), e);
    ASSERT_EQ(store_entry_expire(e), T0 + 300);
    ASSERT_EQ(store_size(s), 1);
    ASSERT_EQ(store_volatile_size(s), 1);
    ASSERT_OK(store__check(s));

    /* Expired, then a COST 0 peek: removed and reported. */
    struct store_rl_params zero = P(STORE_RL_GCRA, 10, 1000, 10, 0);
    ASSERT_EQ(store_call(s, &zero, T0 + 300, &r), 0);
    ASSERT_EQ(r.remaining, 10);
    ASSERT_EQ(expired_calls, 2);
    ASSERT_EQ(store_size(s), 0);
    ASSERT_EQ(store_volatile_size(s), 0);
    ASSERT(store_key_find(s, "lim", 3, T0 + 300) == NULL);
    ASSERT_OK(store__check(s));

    /* An expired string of another length: reported, replaced. */
    ASSERT_OK(store_key_set(s, "lim", 3, "hello", 5, T0 + 400, T0 + 300));
    ASSERT_EQ(store_call(s, &p, T0 + 400, &r), 0);
    ASSERT_EQ(expired_calls, 3);
    e = store_key_find(s, "lim", 3, T0 + 400);
    ASSERT(e != NULL);
    size_t vlen;
    const char *v = store_entry_str(e, &vlen);
    ASSERT(store_rl_is_state(v, vlen));
    ASSERT_EQ(store_entry_expire(e), T0 + 500);
    ASSERT_EQ(store_size(s), 1);
    ASSERT_EQ(store_volatile_size(s), 1);
    ASSERT_OK(store__check(s));

    /* A live string that is not limiter state is left alone. */
    ASSERT_OK(store_key_set(s, "lim", 3, "hello", 5, STORE_NO_TTL, T0));
    struct store_rl_key k;
    store_rl_find(s, "lim", 3, T0 + 400, &k);
    ASSERT(k.e != NULL && k.stale == NULL);
    store_rl_done(s, &k);
    ASSERT_EQ(store_size(s), 1);
    ASSERT_EQ(expired_calls, 3);
    store_free(s);
}

/* store_rl_write inserts a new limiter with the hash and shard that
 * store_rl_find found: across table growth (each find moves a rehash
 * step), and with every allocation of the insert failing in turn, which
 * must leave the store as it was. */
TEST(store_rl_new_keys_across_growth)
{
    struct store *s = store_new(2);
    ASSERT(s != NULL);
    struct store_rl_params p = P(STORE_RL_GCRA, 10, 1000, 10, 1);
    char key[32];
    char out[STORE_RL_STATE_MAX];
    for (int i = 0; i < 5000; i++) {
        int klen = snprintf(key, sizeof key, "rl:%d", i);
        struct store_rl_key k;
        struct store_rl_result r;
        size_t outlen;
        int rc = STORE_NOMEM;
        for (unsigned long fail = 1; rc == STORE_NOMEM; fail++) {
            /* Fault injection only on a sample: every call is checked
             * once with no failure below. */
            store_set_fail_after(s, i % 97 == 0 && fail < 10 ? fail : 0);
            store_rl_find(s, key, (size_t)klen, T0, &k);
            ASSERT(k.e == NULL && k.stale == NULL);
            ASSERT_EQ(store_rl_apply(&p, NULL, 0, T0, &r, out, &outlen), 0);
            rc = store_rl_write(s, &k, key, (size_t)klen, out, outlen,
                                T0 + r.reset_after_ms, T0);
            if (rc == STORE_NOMEM) {
                ASSERT_EQ(store_size(s), (size_t)i);
                ASSERT_OK(store__check(s));
            }
        }
        ASSERT_EQ(rc, STORE_OK);
        if (i % 251 == 0)
            ASSERT_OK(store__check(s));
    }
    store_set_fail_after(s, 0);
    ASSERT_EQ(store_size(s), 5000);
    ASSERT_EQ(store_volatile_size(s), 5000);
    for (int i = 0; i < 5000; i++) {
        int klen = snprintf(key, sizeof key, "rl:%d", i);
        struct store_entry *e = store_key_find(s, key, (size_t)klen, T0);
        ASSERT(e != NULL);
        ASSERT_EQ(store_entry_expire(e), T0 + 100);
    }
    ASSERT_OK(store__check(s));
    store_free(s);
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
    UNIT(gcra_fast_path_matches_wide),
    UNIT(rejects_other_strings),
    UNIT(gcra_state_short_and_wide),
    UNIT(parameter_change_keeps_usage),
    UNIT(store_rl_reuses_expired_entry),
    UNIT(store_rl_new_keys_across_growth),
};

int main(void)
{
    return unit_run(tests, UNIT_COUNT(tests));
}
