/* sweeper.c - the periodic expiry sweeper: a uv_timer at `hz` ticks a
 * second. Each tick gives the stores a budget of active-expire-budget-us
 * microseconds (default 1000, about a millisecond, so no tick holds the
 * loop much longer), spent database by database starting where the last
 * tick stopped; store_expire_step samples each shard's keys-with-TTL and
 * frees the expired ones (and moves incremental rehashing along). Lazy expiry on every lookup keeps clients from
 * ever seeing an expired key; this is what gives the memory back. */
#include "server/server.h"

/* uv_hrtime in microseconds, the clock store_expire_step bounds itself by. */
static uint64_t clock_us(void *ctx)
{
    (void)ctx;
    return uv_hrtime() / 1000;
}

static void on_tick(uv_timer_t *t)
{
    struct server *srv = t->data;
    if (srv->active_expire_off)
        return;
    uint64_t budget = (uint64_t)srv->conf.active_expire_budget_us;
    uint64_t start = clock_us(NULL);
    int64_t now = server_now_ms(srv);
    int ndb = srv->conf.databases;
    for (int i = 0; i < ndb; i++) {
        int db = (srv->sweep_db + i) % ndb;
        uint64_t spent = clock_us(NULL) - start;
        if (spent >= budget) {
            srv->sweep_db = db;
            return;
        }
        store_expire_step(srv->db[db], now, budget - spent, clock_us, NULL);
    }
    srv->sweep_db = (srv->sweep_db + 1) % ndb;
}

/* (Re)starts the timer at the configured hz. Returns 0 or a libuv error. */
int sweeper_start(struct server *srv)
{
    uint64_t period = 1000 / (uint64_t)(srv->conf.hz > 0 ? srv->conf.hz : 10);
    if (period == 0)
        period = 1;
    srv->sweeper.data = srv;
    return uv_timer_start(&srv->sweeper, on_tick, period, period);
}
