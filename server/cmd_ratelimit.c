/* cmd_ratelimit.c - RATELIMIT (ours, DESIGN.md "RATELIMIT") and
 * CL.THROTTLE (the redis-cell module's command, so code written for it
 * works unchanged). The algorithms live in store/ratelimit.c; this file
 * parses arguments, reads and writes the key, and formats the reply.
 *
 *   RATELIMIT key limit period-ms [BURST n] [COST n] [ALGO gcra|fixed|sliding]
 *     -> [allowed 1|0, limit-in-force, remaining, retry-after-ms or -1,
 *         reset-after-ms]
 *   CL.THROTTLE key max_burst count period-s [quantity]
 *     -> [limited 0|1, max_burst+1, remaining, retry-after-s or -1,
 *         reset-s]   (seconds rounded up; GCRA with burst max_burst+1)
 *
 * Every argument is checked before the key is looked at, so a bad call
 * changes nothing. The state is a string value whose TTL is exactly
 * reset-after, written only when a call was admitted with a cost above 0;
 * a denied call and a COST 0 peek write nothing. The key is then an
 * ordinary string for everything else (DEL resets the limiter, TTL shows
 * when it is full again, RENAME moves it). A key of another type gets
 * WRONGTYPE; a string that is not limiter state gets an error and is left
 * alone rather than overwritten.
 *
 * Keyspace notifications: a call that writes the state emits "new" (class
 * n) when it created the key, then "ratelimit" in class $ (string), the
 * way a string write emits its own command's name ("set", "incrby"). A
 * call that writes nothing (denied, COST 0) emits nothing. No separate
 * "expire" event: the TTL is part of every state write. */
#include <stdint.h>
#include <string.h>

#include "server/handlers.h"
#include "server/keys.h"
#include "server/pubsub.h"
#include "server/server.h"

/* Parses argument i as an integer in [min, max]; else replies an error
 * naming it (name) and returns 0. */
static int rl_arg_or_reply(struct client *c, size_t i, const char *name,
                           int64_t min, int64_t max, int64_t *out)
{
    int64_t v;
    if (!parse_i64(c->argv[i], c->argvlen[i], &v) || v < min || v > max) {
        reply_error(c, ERR_RL_ARG, name, (long long)min, (long long)max);
        return 0;
    }
    *out = v;
    return 1;
}

/* Looks the key up and runs the limiter; on admission stores the new
 * state with TTL now + reset-after. Returns 1 with *r filled, or replies
 * an error and returns 0. */
static int rl_run_or_reply(struct client *c, const struct store_rl_params *p,
                           struct store_rl_result *r)
{
    struct store *db = client_db(c);
    const char *key = c->argv[1];
    size_t klen = c->argvlen[1];
    int64_t now = server_now_ms(c->srv);
    struct store_rl_key k;
    store_rl_find(db, key, klen, now, &k);
    const char *state = NULL;
    size_t slen = 0;
    if (k.e) {
        if (!key_is_string_or_reply(c, k.e))
            return 0;
        state = store_entry_str(k.e, &slen);
    }
    char out[STORE_RL_STATE_MAX];
    size_t outlen;
    int rc = store_rl_apply(p, state, slen, now, r, out, &outlen);
    if (rc != 0 || outlen == 0) {
        store_rl_done(db, &k);
        if (rc == -1)
            reply_error(c, ERR_RL_NOT_STATE);
        else if (rc != 0)                    /* arguments were checked */
            reply_error(c, ERR_SYNTAX);
        return rc == 0;
    }
    if (store_rl_write(db, &k, key, klen, out, outlen,
                       now + r->reset_after_ms, now) != STORE_OK) {
        reply_error(c, ERR_OOM);
        return 0;
    }
    server_key_modified(c->srv, c->db, key, klen);
    if (!k.e)
        server_notify(c->srv, NOTIFY_NEW, "new", c->db, key, klen);
    server_notify(c->srv, NOTIFY_STRING, "ratelimit", c->db, key, klen);
    return 1;
}

/* Writes ":<v>\r\n" ending just before end; returns its first byte. */
static char *rl_fmt_int(char *end, int64_t v)
{
    *--end = '\n';
    *--end = '\r';
    char *p = resp_i64_fmt(end, v);
    *--p = ':';
    return p;
}

/* The five-integer reply, formatted back to front into one buffer and
 * added with one copy (the same bytes as resp_add_array + 5 x
 * resp_add_int, in RESP2 and RESP3 alike). */
static void rl_reply5(struct client *c, int64_t a, int64_t b, int64_t d,
                      int64_t e, int64_t f)
{
    char buf[4 + 5 * 23];                    /* ":" sign 20 digits CRLF */
    char *end = buf + sizeof buf;
    char *p = rl_fmt_int(end, f);
    p = rl_fmt_int(p, e);
    p = rl_fmt_int(p, d);
    p = rl_fmt_int(p, b);
    p = rl_fmt_int(p, a);
    p -= 4;
    memcpy(p, "*5\r\n", 4);
    resp_add_raw(&c->out, p, (size_t)(end - p));
}

/* RATELIMIT key limit period-ms [BURST n] [COST n] [ALGO gcra|fixed|sliding] */
void cmd_ratelimit(struct client *c)
{
    struct store_rl_params p = { .algo = STORE_RL_GCRA, .cost = 1 };
    if (!rl_arg_or_reply(c, 2, "limit", 1, STORE_RL_MAX, &p.limit) ||
        !rl_arg_or_reply(c, 3, "period-ms", 1, STORE_RL_MAX, &p.period_ms))
        return;
    p.burst = p.limit;
    for (size_t i = 4; i < c->argc; i += 2) {
        if (i + 1 >= c->argc) {
            reply_error(c, ERR_SYNTAX);
            return;
        }
        if (arg_is(c, i, "BURST")) {
            if (!rl_arg_or_reply(c, i + 1, "BURST", 1, STORE_RL_MAX,
                                 &p.burst))
                return;
        } else if (arg_is(c, i, "COST")) {
            if (!rl_arg_or_reply(c, i + 1, "COST", 0, STORE_RL_MAX, &p.cost))
                return;
        } else if (arg_is(c, i, "ALGO")) {
            if (arg_is(c, i + 1, "gcra")) {
                p.algo = STORE_RL_GCRA;
            } else if (arg_is(c, i + 1, "fixed")) {
                p.algo = STORE_RL_FIXED;
            } else if (arg_is(c, i + 1, "sliding")) {
                p.algo = STORE_RL_SLIDING;
            } else {
                reply_error(c, ERR_RL_ALGO);
                return;
            }
        } else {
            reply_error(c, ERR_SYNTAX);
            return;
        }
    }
    /* The windows cap one call's cost at limit as well (ratelimit.c). */
    int64_t cap = p.algo == STORE_RL_GCRA || p.burst < p.limit ? p.burst
                                                                : p.limit;
    if (p.cost > cap) {
        reply_error(c, ERR_RL_COST, "COST");
        return;
    }
    struct store_rl_result r;
    if (!rl_run_or_reply(c, &p, &r))
        return;
    rl_reply5(c, r.allowed, r.limit, r.remaining, r.retry_after_ms,
              r.reset_after_ms);
}

/* Milliseconds to whole seconds, rounded up; -1 stays -1. */
static int64_t ms_to_s_up(int64_t ms)
{
    return ms < 0 ? -1 : (ms + 999) / 1000;
}

/* CL.THROTTLE key max_burst count period-s [quantity] */
void cmd_cl_throttle(struct client *c)
{
    if (c->argc > 6) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    int64_t max_burst, count, period, quantity = 1;
    if (!rl_arg_or_reply(c, 2, "max_burst", 0, STORE_RL_MAX - 1,
                         &max_burst) ||
        !rl_arg_or_reply(c, 3, "count", 1, STORE_RL_MAX, &count) ||
        !rl_arg_or_reply(c, 4, "period", 1, STORE_RL_MAX / 1000, &period) ||
        (c->argc == 6 &&
         !rl_arg_or_reply(c, 5, "quantity", 0, STORE_RL_MAX, &quantity)))
        return;
    /* redis-cell: a quantity above max_burst + 1 can never pass; it is
     * reported as limited with retry-after -1 rather than as an error. */
    struct store_rl_params p = {
        .algo = STORE_RL_GCRA, .limit = count, .period_ms = period * 1000,
        .burst = max_burst + 1, .cost = quantity,
    };
    struct store_rl_result r;
    if (!rl_run_or_reply(c, &p, &r))
        return;
    rl_reply5(c, !r.allowed, r.limit, r.remaining,
              r.allowed ? -1 : ms_to_s_up(r.retry_after_ms),
              ms_to_s_up(r.reset_after_ms));
}
