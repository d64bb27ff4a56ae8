/* ratelimit.c - the three rate-limit algorithms behind RATELIMIT and
 * CL.THROTTLE, as pure functions over a small state that lives in the
 * key's string value. No clock is read here: the caller passes now_ms.
 *
 * GCRA (the default) is a token bucket measured by its "theoretical
 * arrival time" (TAT): each unit spent pushes TAT forward by the emission
 * interval T = period/limit, a call is admitted when the pushed TAT is at
 * most burst*T ahead of now, and the bucket is full again once TAT <= now.
 * T is rarely a whole number of milliseconds (1000 ms / 3), and rounding
 * it would drift by a unit every few thousand calls. So time is counted in
 * ticks of 1/limit ms: T is then exactly period ticks, now is now_ms*limit
 * ticks, and every comparison is exact integer arithmetic in 128 bits
 * (bounded: limit, burst, period and cost are at most 2^40, now below
 * 2^42 ms, so no product exceeds 2^123). Results go back to ms rounded up,
 * so "retry after r ms" is the first whole ms at which the call passes.
 * Typical parameters (limit up to 2^20, period, burst and cost up to
 * 2^30, state written with the same limit) keep every value below 2^63,
 * so rl_gcra64 does the same arithmetic in int64; a unit test checks it
 * against the 128-bit code on random and boundary parameters.
 *
 *     ticks:  now            TAT                now + burst*T
 *              |--- spent ---|------ remaining ------|
 *
 * Fixed window: windows are [k*period, (k+1)*period) in Unix ms; a
 * window admits limit units. Sliding window: the same windows, and the
 * previous window's count is weighted by the part of it still in view,
 * prev*(period-elapsed)/period, again compared multiplied out (no
 * division) so it is exact. For both, BURST only caps what one call may
 * spend and is clamped to limit.
 *
 * State encoding (binary, fixed lengths, little-endian):
 *
 *     "\xffRL1" | algo(1) | gcra:    limit(4) tat(8)             short
 *                           gcra:    limit(8) tat_hi(8) tat_lo(8)  wide
 *                           fixed:   period(8) window(8) used(8)
 *                           sliding: period(8) window(8) cur(8) prev(8)
 *
 * GCRA state is written short whenever limit < 2^32 and TAT < 2^63, that
 * is for every limit a person would set: 17 bytes instead of 29 fit a
 * limiter whose key is up to 17 bytes in a 64-byte allocation instead of
 * an 80-byte one (bench-ratelimit.sh: 95 bytes a live limiter, from 110).
 * Both forms decode.
 * The magic, the exact length and range checks on every field make an
 * ordinary string fail to decode (-1), which the server reports as "key
 * does not hold rate limiter state". State of another algorithm, or
 * written with another limit (gcra, rescaled exactly-or-up) or period
 * (windows, restarted), is still accepted: parameters may change between
 * calls, and the limiter never admits more than the new parameters allow.
 *
 * Invariants the callers rely on: a denied call and a COST 0 call return
 * no new state (nothing to write); an admitted call with cost > 0 returns
 * a state and reset_after_ms >= 1, and the key's TTL should be exactly
 * reset_after_ms, because at that instant the state is equivalent to an
 * absent key. */
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"

__extension__ typedef __int128 i128;

#define RL_MAGIC "\xffRL1"
#define RL_MAGIC_LEN 4
#define RL_HDR (RL_MAGIC_LEN + 1)

/* Decoded state; which fields count depends on algo. */
struct rl_state {
    int algo;
    int64_t a, b, c, d;
};

/* Little-endian fields of n bytes (4 or 8). On a little-endian host (all
 * we build for in practice) one unaligned load or store; else byte by
 * byte. */
static void put_le(char *p, uint64_t v, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(p, &v, n);
#else
    for (size_t i = 0; i < n; i++)
        p[i] = (char)(v >> (8 * i));
#endif
}

static uint64_t get_le(const char *p, size_t n)
{
    uint64_t v = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(&v, p, n);
#else
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)(unsigned char)p[i] << (8 * i);
#endif
    return v;
}

static void put64(char *p, int64_t v)
{
    put_le(p, (uint64_t)v, 8);
}

static int64_t get64(const char *p)
{
    return (int64_t)get_le(p, 8);
}

#define RL_SHORT_LEN (RL_HDR + 4 + 8)        /* gcra: limit(4) tat(8) */

/* Number of int64 fields after the header for algo (wide form). */
static int rl_fields(int algo)
{
    return algo == STORE_RL_SLIDING ? 4 : 3;
}

/* 1 if GCRA state st takes the short form. */
static int rl_short(const struct rl_state *st)
{
    return st->algo == STORE_RL_GCRA && st->a <= UINT32_MAX && st->b == 0 &&
           st->c >= 0;
}

/* Decodes s; returns 0, or -1 if it is not limiter state. */
static int rl_decode(const char *s, size_t n, struct rl_state *st)
{
    if (n < RL_HDR || memcmp(s, RL_MAGIC, RL_MAGIC_LEN) != 0)
        return -1;
    int algo = (unsigned char)s[RL_MAGIC_LEN];
    if (algo != STORE_RL_GCRA && algo != STORE_RL_FIXED &&
        algo != STORE_RL_SLIDING)
        return -1;
    st->algo = algo;
    if (algo == STORE_RL_GCRA && n == RL_SHORT_LEN) {
        st->a = (int64_t)get_le(s + RL_HDR, 4);
        st->b = 0;
        st->c = get64(s + RL_HDR + 4);
        st->d = 0;
        return st->a >= 1 && st->c >= 0 ? 0 : -1;
    }
    if (n != RL_HDR + 8 * (size_t)rl_fields(algo))
        return -1;
    st->a = get64(s + RL_HDR);
    st->b = get64(s + RL_HDR + 8);
    st->c = get64(s + RL_HDR + 16);
    st->d = algo == STORE_RL_SLIDING ? get64(s + RL_HDR + 24) : 0;
    if (st->a < 1 || st->a > STORE_RL_MAX)
        return -1;                           /* limit or period */
    if (algo == STORE_RL_GCRA)
        return st->b >= 0 && st->b <= (INT64_C(1) << 20) ? 0 : -1;
    if (st->c < 0 || st->c > STORE_RL_MAX || st->d < 0 ||
        st->d > STORE_RL_MAX)
        return -1;
    return 0;
}

/* Encodes st into out (STORE_RL_STATE_MAX bytes); returns the length. */
static size_t rl_encode(const struct rl_state *st, char *out)
{
    memcpy(out, RL_MAGIC, RL_MAGIC_LEN);
    out[RL_MAGIC_LEN] = (char)st->algo;
    if (rl_short(st)) {
        put_le(out + RL_HDR, (uint64_t)st->a, 4);
        put64(out + RL_HDR + 4, st->c);
        return RL_SHORT_LEN;
    }
    put64(out + RL_HDR, st->a);
    put64(out + RL_HDR + 8, st->b);
    put64(out + RL_HDR + 16, st->c);
    if (st->algo == STORE_RL_SLIDING)
        put64(out + RL_HDR + 24, st->d);
    return RL_HDR + 8 * (size_t)rl_fields(st->algo);
}

/* floor(a / b) for a >= 0, b > 0. A 128-bit division is a library call
 * several times slower than a 64-bit one, and the operands nearly always
 * fit in 64 bits, so that case goes the short way. */
static int64_t div_pos(i128 a, i128 b)
{
    if (a <= INT64_MAX && b <= INT64_MAX)
        return (int64_t)a / (int64_t)b;
    return (int64_t)(a / b);
}

/* ceil(a / b) for a >= 0, b > 0. */
static int64_t ceil_div(i128 a, i128 b)
{
    return div_pos(a + b - 1, b);
}

/* floor(a / b) for b > 0, clamped at 0 from below. */
static int64_t floor_pos(i128 a, i128 b)
{
    return a <= 0 ? 0 : div_pos(a, b);
}

/* ---- GCRA ---------------------------------------------------------------- */

/* Set by store__rl_force_wide (tests): always take the 128-bit path. */
static int rl_force_wide;

/* Test hook: on != 0 makes every GCRA call use the 128-bit arithmetic, so
 * a test can check the 64-bit fast path gives the same answers. */
void store__rl_force_wide(int on)
{
    rl_force_wide = on;
}

/* Bounds under which rl_gcra64's int64 arithmetic cannot overflow: now
 * in ticks < 2^42 * 2^20 = 2^62, tau and cost*T < 2^60, a stored TAT at
 * most 2^61, so pushed < 2^63 and every difference fits. */
#define RL_FAST_LIMIT (INT64_C(1) << 20)
#define RL_FAST_PARAM (INT64_C(1) << 30)
#define RL_FAST_TAT (INT64_C(1) << 61)

/* 1 if rl_gcra64 may handle this call (see the bounds above). */
static int rl_gcra_fits(const struct store_rl_params *p,
                        const struct rl_state *st, int have)
{
    if (rl_force_wide || p->limit > RL_FAST_LIMIT ||
        p->period_ms > RL_FAST_PARAM || p->burst > RL_FAST_PARAM ||
        p->cost > RL_FAST_PARAM)
        return 0;
    if (have && st->algo == STORE_RL_GCRA)
        return st->a == p->limit && st->b == 0 && st->c >= 0 &&
               st->c <= RL_FAST_TAT;
    return 1;
}

/* rl_gcra below in int64, for the common case where rl_gcra_fits: the
 * same formulas step by step (no rescaling: the state's limit is ours),
 * without the 128-bit multiplications and divisions. */
static void rl_gcra64(const struct store_rl_params *p,
                      const struct rl_state *st, int have, int64_t now_ms,
                      struct store_rl_result *r, struct rl_state *next,
                      int *write)
{
    int64_t L = p->limit, T = p->period_ms;
    int64_t now = now_ms * L;
    int64_t tat = now;
    if (have && st->algo == STORE_RL_GCRA)
        tat = st->c;                         /* hi word is 0 */
    if (tat < now)
        tat = now;
    int64_t tau = p->burst * T;
    int64_t pushed = tat + p->cost * T;
    int64_t used = tat;
    r->limit = p->burst;
    if (p->cost > p->burst) {
        r->allowed = 0;
        r->retry_after_ms = -1;              /* can never pass */
    } else if (pushed - now <= tau) {
        r->allowed = 1;
        r->retry_after_ms = -1;
        used = pushed;
        if (p->cost > 0) {
            next->algo = STORE_RL_GCRA;
            next->a = p->limit;
            next->b = 0;
            next->c = pushed;
            *write = 1;
        }
    } else {
        r->allowed = 0;
        r->retry_after_ms = (pushed - tau - now + L - 1) / L;
    }
    int64_t left = tau - (used - now);
    r->remaining = left <= 0 ? 0 : left / T;
    r->reset_after_ms = (used - now + L - 1) / L;
}

static void rl_gcra(const struct store_rl_params *p, const struct rl_state *st,
                    int have, int64_t now_ms, struct store_rl_result *r,
                    struct rl_state *next, int *write)
{
    if (rl_gcra_fits(p, st, have)) {
        rl_gcra64(p, st, have, now_ms, r, next, write);
        return;
    }
    i128 L = p->limit, T = p->period_ms;
    i128 now = (i128)now_ms * L;
    i128 tat = now;
    if (have && st->algo == STORE_RL_GCRA) {
        /* TAT in ticks of 1/st->a ms, as (hi << 64 | lo); rescale to
         * ticks of 1/limit ms, rounding up so no capacity is invented. */
        i128 old = ((i128)st->b << 64) | (i128)(uint64_t)st->c;
        tat = st->a == p->limit ? old : (old * L + st->a - 1) / st->a;
    }
    if (tat < now)
        tat = now;
    i128 tau = (i128)p->burst * T;
    i128 pushed = tat + (i128)p->cost * T;
    i128 used = tat;
    r->limit = p->burst;
    if (p->cost > p->burst) {
        r->allowed = 0;
        r->retry_after_ms = -1;              /* can never pass */
    } else if (pushed - now <= tau) {
        r->allowed = 1;
        r->retry_after_ms = -1;
        used = pushed;
        if (p->cost > 0) {
            next->algo = STORE_RL_GCRA;
            next->a = p->limit;
            next->b = (int64_t)(pushed >> 64);
            next->c = (int64_t)(uint64_t)pushed;
            *write = 1;
        }
    } else {
        r->allowed = 0;
        r->retry_after_ms = ceil_div(pushed - tau - now, L);
    }
    r->remaining = floor_pos(tau - (used - now), T);
    r->reset_after_ms = ceil_div(used - now, L);
}

/* ---- Windows ------------------------------------------------------------- */

/* Start of the window holding now: a multiple of period since the epoch. */
static int64_t window_start(int64_t now_ms, int64_t period)
{
    int64_t m = now_ms % period;
    if (m < 0)
        m += period;
    return now_ms - m;
}

static void rl_fixed(const struct store_rl_params *p, const struct rl_state *st,
                     int have, int64_t now_ms, struct store_rl_result *r,
                     struct rl_state *next, int *write)
{
    int64_t P = p->period_ms, ws = window_start(now_ms, P);
    int64_t used = 0;
    if (have && st->algo == STORE_RL_FIXED && st->a == P && st->b == ws)
        used = st->c;
    int64_t cap = p->burst < p->limit ? p->burst : p->limit;
    r->limit = cap;
    if (p->cost > cap) {
        r->allowed = 0;
        r->retry_after_ms = -1;
    } else if (used + p->cost <= p->limit) {
        r->allowed = 1;
        r->retry_after_ms = -1;
        used += p->cost;
        if (p->cost > 0) {
            *next = (struct rl_state){ STORE_RL_FIXED, P, ws, used, 0 };
            *write = 1;
        }
    } else {
        r->allowed = 0;
        r->retry_after_ms = ws + P - now_ms;
    }
    r->remaining = used >= p->limit ? 0 : p->limit - used;
    r->reset_after_ms = used > 0 ? ws + P - now_ms : 0;
}

static void rl_sliding(const struct store_rl_params *p,
                       const struct rl_state *st, int have, int64_t now_ms,
                       struct store_rl_result *r, struct rl_state *next,
                       int *write)
{
    int64_t P = p->period_ms, ws = window_start(now_ms, P);
    int64_t cur = 0, prev = 0;
    if (have && st->algo == STORE_RL_SLIDING && st->a == P) {
        if (st->b == ws) {
            cur = st->c;
            prev = st->d;
        } else if (st->b == ws - P) {
            prev = st->c;
        }
    }
    int64_t e = now_ms - ws;                 /* 0 .. P-1 */
    /* Everything below is multiplied by P: weight of prev, then usage. */
    i128 weight = (i128)prev * (P - e);
    i128 quota = (i128)p->limit * P;
    int64_t cap = p->burst < p->limit ? p->burst : p->limit;
    r->limit = cap;
    if (p->cost > cap) {
        r->allowed = 0;
        r->retry_after_ms = -1;
    } else if (weight + (i128)(cur + p->cost) * P <= quota) {
        r->allowed = 1;
        r->retry_after_ms = -1;
        cur += p->cost;
        if (p->cost > 0) {
            *next = (struct rl_state){ STORE_RL_SLIDING, P, ws, cur, prev };
            *write = 1;
        }
    } else {
        r->allowed = 0;
        int64_t room = p->limit - cur - p->cost;
        if (room >= 0) {
            /* Only prev's weight is in the way (so prev > 0): it fades
             * until prev*(P-e') <= room*P, i.e. e' >= P - room*P/prev. */
            int64_t e2 = P - (int64_t)((i128)room * P / prev);
            r->retry_after_ms = e2 - e;
        } else {
            /* Next window: cur becomes prev; wait x into it until
             * cur*(P-x) <= (limit-cost)*P. cur > 0 since cost <= limit. */
            int64_t x = P - (int64_t)((i128)(p->limit - p->cost) * P / cur);
            r->retry_after_ms = ws + P - now_ms + x;
        }
    }
    i128 usage = (i128)prev * (P - e) + (i128)cur * P;
    r->remaining = floor_pos(quota - usage, P);
    r->reset_after_ms = cur > 0 ? ws + 2 * P - now_ms
                        : prev > 0 ? ws + P - now_ms : 0;
}

/* ---- Entry point --------------------------------------------------------- */

/* Runs one limiter call; see store.h. */
int store_rl_apply(const struct store_rl_params *p, const char *state,
                   size_t slen, int64_t now_ms, struct store_rl_result *r,
                   char *out, size_t *outlen)
{
    *outlen = 0;
    if (p->limit < 1 || p->limit > STORE_RL_MAX || p->period_ms < 1 ||
        p->period_ms > STORE_RL_MAX || p->burst < 1 ||
        p->burst > STORE_RL_MAX || p->cost < 0 || p->cost > STORE_RL_MAX ||
        now_ms < 0 || now_ms > STORE_RL_MAX_NOW)
        return -2;
    struct rl_state st = { 0, 0, 0, 0, 0 }, next = { 0, 0, 0, 0, 0 };
    int have = state != NULL;
    if (have && rl_decode(state, slen, &st) != 0)
        return -1;
    int write = 0;
    switch (p->algo) {
    case STORE_RL_GCRA:
        rl_gcra(p, &st, have, now_ms, r, &next, &write);
        break;
    case STORE_RL_FIXED:
        rl_fixed(p, &st, have, now_ms, r, &next, &write);
        break;
    case STORE_RL_SLIDING:
        rl_sliding(p, &st, have, now_ms, r, &next, &write);
        break;
    default:
        return -2;
    }
    if (write)
        *outlen = rl_encode(&next, out);
    return 0;
}

/* 1 if s[0..n) decodes as limiter state. */
int store_rl_is_state(const char *s, size_t n)
{
    struct rl_state st;
    return rl_decode(s, n, &st) == 0;
}

/* Removes k's stale entry, reporting it expired (as find_live in
 * store.c does when a lookup meets an expired key). */
static void rl_drop_stale(struct store *s, struct store_rl_key *k)
{
    struct store_entry **link = store__table_link_of(k->sh, k->stale);
    k->stale = NULL;
    store__entry_remove(s, k->sh, link, 1);
    store__table_shrink(s, k->sh);
}

/* Looks a limiter key up; see store.h. A limiter whose state ran out
 * (TTL = reset-after) is usually called again soon, and rewriting the
 * expired entry in place spares removing it from the table, the ordered
 * index and vol[] only to allocate and insert the same key again. */
void store_rl_find(struct store *s, const char *key, size_t klen,
                   int64_t now_ms, struct store_rl_key *k)
{
    uint64_t h = store__hash(key, klen);
    struct store_shard *sh = store__shard(s, h);
    store__rehash_step(s, sh);
    struct store_entry **link = store__table_find(sh, h, key, klen);
    k->e = link ? *link : NULL;
    k->stale = NULL;
    k->sh = sh;
    k->h = h;
    s->atime = store__stamp(s, now_ms);
    if (k->e && store__expired(k->e, now_ms)) {
        k->stale = k->e;
        k->e = NULL;
        if (k->stale->type != STORE_T_STRING)
            rl_drop_stale(s, k);
    } else if (k->e) {
        store__access(s, k->e);
    }
}

/* Stores limiter state; see store.h. A limiter in use already holds a
 * state of the same length with a TTL, so the common case rewrites the
 * value and the TTL in place: no lookup, no allocation, and the key's
 * place in the table and the indexes stays as it is. A new limiter is
 * inserted with the hash and shard store_rl_find found, without a second
 * lookup. */
int store_rl_write(struct store *s, struct store_rl_key *k, const char *key,
                   size_t klen, const char *val, size_t vlen,
                   int64_t expire_ms, int64_t now_ms)
{
    struct store_entry *e = k->e;
    if (!e && !k->stale && expire_ms >= 0 && klen <= UINT32_MAX &&
        vlen <= STORE_MAX_STR)
        return store__key_insert(s, k->sh, k->h, key, klen, val, vlen,
                                 STORE_T_STRING, expire_ms);
    if (k->stale) {
        e = k->stale;
        if (e->vlen != vlen || expire_ms < 0) {
            rl_drop_stale(s, k);
            return store_key_set(s, key, klen, val, vlen, expire_ms, now_ms);
        }
        k->stale = NULL;
        if (s->expired_cb)
            s->expired_cb(s->expired_ctx, store__ckey(e), e->klen);
    }
    if (e && e->type == STORE_T_STRING && e->vlen == vlen &&
        store__has_ttl(e) && expire_ms >= 0) {
        memcpy(store__eval(e), val, vlen);
        store__expire_put(e, expire_ms);
        store__touch(e, s->atime);
        return STORE_OK;
    }
    return store_key_set(s, key, klen, val, vlen, expire_ms, now_ms);
}

/* Ends a lookup that wrote nothing; see store.h. */
void store_rl_done(struct store *s, struct store_rl_key *k)
{
    if (k->stale)
        rl_drop_stale(s, k);
}
