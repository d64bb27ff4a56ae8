/* sweeper.c - the periodic expiry sweeper: a uv_timer at `hz` ticks a
 * second. Each tick gives the stores a budget of active-expire-budget-us
 * microseconds (default 1000, about a millisecond, so no tick holds the
 * loop much longer), spent database by database starting where the last
 * tick stopped; store_expire_step samples each shard's keys-with-TTL and
 * frees the expired ones (and moves incremental rehashing along), then
 * store_hfe_step does the same for hash fields past their TTL. Lazy
 * expiry on every lookup keeps clients from ever seeing an expired key;
 * this is what gives the memory back.
 *
 * Backlog: when a tick spends its whole budget, expired keys are probably
 * left, so the next tick comes after HURRY_FACTOR budgets instead of a full
 * period. Each tick still holds the loop about a millisecond, clients are
 * served in between, and the sweeper takes at most 1/HURRY_FACTOR of the
 * time; a million keys expiring at once are gone in a second or two
 * rather than the minutes that 1 ms per 100 ms would take. The latency
 * monitor (cmd_latency.c) sees each tick's sweep as "expire-cycle". */
#include "server/pubsub.h"
#include "server/server.h"

#define HURRY_FACTOR 4

/* uv_hrtime in microseconds, the clock store_expire_step bounds itself by. */
static uint64_t clock_us(void *ctx)
{
    (void)ctx;
    return uv_hrtime() / 1000;
}

/* Hash fields the sweep expired (store_hfe_step): Redis's active field
 * expiry reports "hexpired" once per hash and visit, then "del" if the
 * hash is gone. ctx is the database's struct db_ctx. */
static void on_hexpired(void *ctx, const char *key, size_t klen, size_t n,
                        int gone)
{
    struct db_ctx *d = ctx;
    (void)n;
    d->srv->key_origin = KEY_BY_SERVER;
    server_key_modified(d->srv, d->db, key, klen);
    d->srv->key_origin = KEY_BY_COMMAND;
    server_notify(d->srv, NOTIFY_HASH, "hexpired", d->db, key, klen);
    if (gone)
        server_notify(d->srv, NOTIFY_GENERIC, "del", d->db, key, klen);
}

static uint64_t period_ms(const struct server *srv)
{
    uint64_t p = 1000 / (uint64_t)(srv->conf.hz > 0 ? srv->conf.hz : 10);
    return p ? p : 1;
}

/* Spends one tick's budget; returns 1 if the budget ran out (work left). */
static int sweep(struct server *srv)
{
    uint64_t budget = (uint64_t)srv->conf.active_expire_budget_us;
    uint64_t start = clock_us(NULL);
    int64_t now = server_now_ms(srv);
    int ndb = srv->conf.databases;
    for (int i = 0; i < ndb; i++) {
        int db = (srv->sweep_db + i) % ndb;
        uint64_t spent = clock_us(NULL) - start;
        if (spent >= budget) {
            srv->sweep_db = db;
            return 1;
        }
        store_expire_step(srv->db[db], now, budget - spent, clock_us, NULL);
        spent = clock_us(NULL) - start;
        if (spent < budget) {
            struct db_ctx *d = &srv->db_ctx[db];
            store_hfe_step(srv->db[db], now, budget - spent, clock_us, NULL,
                           on_hexpired, d);
        }
    }
    srv->sweep_db = (srv->sweep_db + 1) % ndb;
    return clock_us(NULL) - start >= budget;
}

static void on_tick(uv_timer_t *t)
{
    struct server *srv = t->data;
    server_stats_tick(srv);
    /* The idle client timeout and the subscribers' output limits, paused
     * or not, as Redis's clientsCron. */
    client_cron(srv);
    /* A BGSAVE child's end, or a save point due (persist.c); the end of
     * a child that took a client over (fork.c). */
    persist_cron(srv);
    server_fork_reap(srv);
    /* CLIENT PAUSE: nothing expires or is trimmed meanwhile, as in Redis
     * (maxmemory_tick sees the pause too and evicts nothing). */
    if (srv->pause_type == PAUSE_NONE)
        stream_retention_step(srv, srv->conf.active_expire_budget_us / 4 + 1);
    maxmemory_tick(srv);
    if (srv->active_expire_off || srv->pause_type != PAUSE_NONE)
        return;
    uint64_t t0 = uv_hrtime();
    int behind = sweep(srv);
    srv->stat_sweep_capped += (uint64_t)behind;
    latency_event(srv, LATENCY_EV_EXPIRE_CYCLE, uv_hrtime() - t0);
    if (behind != srv->sweep_hurry) {
        srv->sweep_hurry = behind;
        uint64_t hurry = HURRY_FACTOR *
                         (uint64_t)srv->conf.active_expire_budget_us / 1000;
        uint64_t next = behind ? (hurry ? hurry : 1) : period_ms(srv);
        uv_timer_start(t, on_tick, next, next);
    }
}

/* See server.h. Only a new hz re-arms the timer: re-arming pushes the next
 * tick back a full period, so CONFIG SET of anything, sent more often than
 * hz, would keep it from ever coming (no active expiry, no client timeout,
 * no save points). While the sweep is behind, on_tick re-arms at the new
 * hz when it catches up. */
void sweeper_configure(struct server *srv)
{
    if (!srv->sweep_hurry &&
        uv_timer_get_repeat(&srv->sweeper) != period_ms(srv))
        sweeper_start(srv);
}

/* (Re)starts the timer at the configured hz. Returns 0 or a libuv error. */
int sweeper_start(struct server *srv)
{
    srv->sweeper.data = srv;
    srv->sweep_hurry = 0;
    uint64_t p = period_ms(srv);
    return uv_timer_start(&srv->sweeper, on_tick, p, p);
}
