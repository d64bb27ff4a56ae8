/* maxmemory.c - enforcing maxmemory as Redis does: before each command,
 * while used memory is above the limit, evict keys by maxmemory-policy;
 * if it stays above (noeviction, or nothing left to evict), refuse the
 * commands that may add memory (CMD_DENYOOM, and everything but EXEC,
 * DISCARD, QUIT and RESET inside MULTI) with OOM.
 *
 * Measuring: INFO's used_memory asks jemalloc to refresh its statistics,
 * about 10 us, too slow for every command. The stores count every byte
 * they allocate, so used memory is taken as
 *
 *     base + the stores' bytes now        base = used_memory - stores' bytes
 *                                                at the last refresh
 *
 * and base is refreshed every sweeper tick (every tenth without a limit:
 * the peak INFO shows comes from it too), on CONFIG SET, and within 1/16
 * of the limit once a loop millisecond. The dataset part is exact at
 * every command; what lies outside it (connection buffers, MULTI queues)
 * is at most a millisecond old near the limit.
 *
 * Choosing: store/evict.c samples one database; here the databases are
 * compared (lru: idle longest, lfu: lowest decayed access counter, ttl:
 * expiring first; random: the next non-empty database in turn). One call
 * evicts for at most the time maxmemory-eviction-tenacity allows (Redis's
 * scale: 50 us a step up to 10, then 15% more a step, 100 = no limit);
 * when that runs out, the command goes ahead and a timer goes on evicting
 * between commands. The latency monitor (cmd_latency.c) sees each such
 * call as "eviction-cycle" and, while it is on, each key's removal as
 * "eviction-del". */
#include <math.h>
#include <string.h>

#include "server/handlers.h"
#include "server/memory.h"
#include "server/pubsub.h"
#include "server/server.h"

/* See maxmemory.h. */
void maxmemory_init(struct server *srv)
{
    uv_timer_init(srv->loop, &srv->maxmem.timer);
    srv->maxmem.timer.data = srv;
}

/* See maxmemory.h. */
void maxmemory_close(struct server *srv)
{
    uv_close((uv_handle_t *)&srv->maxmem.timer, NULL);
}

/* Bytes the stores hold now. */
static size_t stores_bytes(const struct server *srv)
{
    size_t n = 0;
    for (int i = 0; i < srv->conf.databases; i++)
        n += store_mem_usage(srv->db[i]);
    return n;
}

/* See maxmemory.h. */
size_t server_used_memory(const struct server *srv)
{
    size_t mapped = 0;
    for (int i = 0; i < srv->conf.databases; i++)
        mapped += store_mem_mapped(srv->db[i]);
    return server_mem_used() + mapped + release_pending(&srv->release);
}

/* Takes the part of used memory outside the stores from used, just read
 * with server_used_memory. */
static void refresh_base(struct server *srv, size_t used)
{
    srv->maxmem.base = (int64_t)used - (int64_t)stores_bytes(srv);
    srv->maxmem.base_ms = uv_now(srv->loop);
}

/* Used memory now: base and the stores' bytes. */
static int64_t used_now(const struct server *srv)
{
    return srv->maxmem.base + (int64_t)stores_bytes(srv);
}

/* 1 if used memory, used, is above maxmemory. */
static int over(const struct server *srv, int64_t used)
{
    return used > 0 && (uint64_t)used > srv->conf.maxmemory;
}

/* used_now, except that within 1/16 of the limit, where what lies
 * outside the stores (new connections' buffers) can tip the balance, that
 * part is re-read first, at most once a loop millisecond, instead of
 * waiting for the tick. */
static int64_t used_fresh(struct server *srv)
{
    uint64_t limit = srv->conf.maxmemory;
    int64_t used = used_now(srv);
    if (used > (int64_t)(limit - limit / 16) &&
        uv_now(srv->loop) != srv->maxmem.base_ms) {
        refresh_base(srv, server_used_memory(srv));
        used = used_now(srv);
    }
    return used;
}

/* Eviction time a call under maxmemory-eviction-tenacity t (Redis's
 * scale); UINT64_MAX is no limit. */
static uint64_t budget_ns(int64_t t)
{
    if (t >= 100)
        return UINT64_MAX;
    if (t <= 10)
        return (uint64_t)(50 * t) * 1000;
    return (uint64_t)(500000.0 * pow(1.15, (double)(t - 10)));
}

/* A new limit: a warning when the memory in use, used, is already above
 * it. */
static void limit_changed(struct server *srv, size_t used)
{
    uint64_t limit = srv->conf.maxmemory;
    if (limit && limit < used)
        server_log(srv, 'w', "maxmemory is now %llu bytes, below the %zu "
                   "in use: keys will be evicted or writes refused, as "
                   "maxmemory-policy says", (unsigned long long)limit, used);
}

/* See maxmemory.h. */
void maxmemory_apply_policy(struct server *srv)
{
    struct maxmemory *m = &srv->maxmem;
    const char *p = srv->conf.maxmemory_policy;
    m->none = strcmp(p, "noeviction") == 0;
    m->volatile_only = strncmp(p, "volatile-", 9) == 0;
    if (strstr(p, "-ttl"))
        m->by = STORE_EVICT_TTL;
    else if (strstr(p, "-random"))
        m->by = STORE_EVICT_RANDOM;
    else if (strstr(p, "-lfu"))
        m->by = STORE_EVICT_LFU;
    else
        m->by = STORE_EVICT_LRU;
    /* The stores count accesses under an lfu policy even without a limit,
     * as Redis does, so OBJECT FREQ works and eviction starts informed. */
    for (int i = 0; i < srv->conf.databases; i++)
        store_set_lfu(srv->db[i], m->by == STORE_EVICT_LFU,
                      (uint32_t)srv->conf.lfu_log_factor,
                      (uint32_t)srv->conf.lfu_decay_time);
}

/* See maxmemory.h. */
void maxmemory_configure(struct server *srv)
{
    struct maxmemory *m = &srv->maxmem;
    maxmemory_apply_policy(srv);
    m->budget_ns = budget_ns(srv->conf.maxmemory_eviction_tenacity);
    size_t used = server_used_memory(srv);
    refresh_base(srv, used);
    if (srv->conf.maxmemory != m->limit) {
        m->limit = srv->conf.maxmemory;
        limit_changed(srv, used);
        maxmemory_enforce(srv);
    }
}

/* A store_expired_cb for evictions: ctx is the database's struct db_ctx. */
static void on_evicted(void *ctx, const char *key, size_t klen)
{
    struct db_ctx *d = ctx;
    d->srv->maxmem.evicted++;
    d->srv->key_origin = KEY_BY_SERVER;
    /* Not a change in Redis's dirty count, only in the data. */
    server_key_signal(d->srv, d->db, key, klen);
    d->srv->key_origin = KEY_BY_COMMAND;
    server_notify(d->srv, NOTIFY_EVICTED, "evicted", d->db, key, klen);
}

/* Evicts one key chosen across the databases; 0 if there is none. */
static int evict_one(struct server *srv, int64_t now)
{
    struct maxmemory *m = &srv->maxmem;
    int ndb = srv->conf.databases;
    unsigned n = (unsigned)srv->conf.maxmemory_samples;
    struct store_victim best = { NULL, 0 }, v;
    int best_db = -1;
    for (int i = 0; i < ndb; i++) {
        int db = (m->next_db + i) % ndb;
        if (!store_evict_sample(srv->db[db], m->by, m->volatile_only, n, now,
                                &v))
            continue;
        if (best_db < 0 || v.score > best.score) {
            best = v;
            best_db = db;
        }
        if (m->by == STORE_EVICT_RANDOM)
            break;
    }
    if (best_db < 0)
        return 0;
    m->next_db = (best_db + 1) % ndb;
    /* The latency monitor's eviction-del: timed only while it is on. */
    int timed = srv->latency_threshold_ns != UINT64_MAX;
    uint64_t t0 = timed ? uv_hrtime() : 0;
    store_evict(srv->db[best_db], best.e, on_evicted, &srv->db_ctx[best_db]);
    if (timed)
        latency_event(srv, LATENCY_EV_EVICTION_DEL, uv_hrtime() - t0);
    return 1;
}

enum { EVICT_OK, EVICT_FAIL, EVICT_RUNNING };

/* Times the spells that eviction ends over the limit, as Redis does: a
 * spell starts at the first call that leaves memory over (refused or
 * still evicting) and ends at the first that gets it under. */
static int timed(struct server *srv, int rc)
{
    struct maxmemory *m = &srv->maxmem;
    if (rc != EVICT_OK && !m->over_since_ns) {
        m->over_since_ns = uv_hrtime();
    } else if (rc == EVICT_OK && m->over_since_ns) {
        m->over_total_ns += uv_hrtime() - m->over_since_ns;
        m->over_since_ns = 0;
    }
    return rc;
}

/* Evicts while over the limit, for at most the time tenacity allows. */
static int evict_for_a_while(struct server *srv)
{
    /* Nothing is evicted while CLIENT PAUSE holds, nor refused for
     * memory: a write waits for the pause's end anyway (Redis 7.0). Nor
     * is the spell over the limit timed then, or without a limit (Redis
     * does not look, so a spell goes on until a limit is set again). */
    if (!srv->conf.maxmemory || srv->pause_type != PAUSE_NONE)
        return EVICT_OK;
    if (!over(srv, used_fresh(srv)))
        return timed(srv, EVICT_OK);
    if (srv->maxmem.none)
        return timed(srv, EVICT_FAIL);
    int64_t now = server_now_ms(srv);
    uint64_t start = uv_hrtime();
    int rc = EVICT_OK;
    for (unsigned n = 1; over(srv, used_now(srv)); n++) {
        if (!evict_one(srv, now)) {
            rc = EVICT_FAIL;
            break;
        }
        if (n % 16 == 0 && uv_hrtime() - start > srv->maxmem.budget_ns) {
            rc = EVICT_RUNNING;
            break;
        }
    }
    latency_event(srv, LATENCY_EV_EVICTION_CYCLE, uv_hrtime() - start);
    return timed(srv, rc);
}

/* The eviction that ran out of time goes on, a step a loop turn (Redis's
 * evictionTimeProc), so the clients are served in between. */
static void on_timer(uv_timer_t *t)
{
    struct server *srv = t->data;
    if (evict_for_a_while(srv) == EVICT_RUNNING)
        uv_timer_start(t, on_timer, 0, 0);
}

/* See maxmemory.h. */
int maxmemory_enforce(struct server *srv)
{
    uv_timer_t *t = &srv->maxmem.timer;
    int rc = evict_for_a_while(srv);
    if (rc == EVICT_RUNNING && !uv_is_active((uv_handle_t *)t))
        uv_timer_start(t, on_timer, 0, 0);
    return rc == EVICT_FAIL;
}

/* 1 if c's command, when refused for memory, may not run (Redis's
 * processCommand): a denyoom command, EXEC of a transaction holding one,
 * and inside MULTI anything but EXEC, DISCARD, QUIT and RESET. */
static int grows_memory(const struct client *c)
{
    cmd_proc p = c->cmd->proc;
    if (client_cmd_flags(c) & CMD_DENYOOM)
        return 1;
    if (p == cmd_exec) {
        for (size_t i = 0; i < c->mcount; i++)
            if (c->mqueue[i].flags & CMD_DENYOOM)
                return 1;
        return 0;
    }
    return (c->flags & CLIENT_MULTI) && p != cmd_discard && p != cmd_quit &&
           p != cmd_reset;
}

/* See maxmemory.h. */
int maxmemory_refuses(struct client *c)
{
    return maxmemory_enforce(c->srv) && grows_memory(c);
}

/* See maxmemory.h. Without a limit, the figure outside the stores is
 * re-read once a second only (jemalloc's refresh costs ~10 us); the peak
 * sees the stores' bytes at every tick all the same. */
void maxmemory_tick(struct server *srv)
{
    struct maxmemory *m = &srv->maxmem;
    if (srv->conf.maxmemory || ++m->ticks % 10 == 0)
        refresh_base(srv, server_used_memory(srv));
    int64_t used = used_now(srv);
    if (used > 0 && (size_t)used > srv->mem_peak)
        srv->mem_peak = (size_t)used;
    maxmemory_enforce(srv);
}

/* See maxmemory.h. */
void maxmemory_over_ms(const struct server *srv, uint64_t *total_ms,
                       uint64_t *current_ms)
{
    const struct maxmemory *m = &srv->maxmem;
    uint64_t now = m->over_since_ns ? uv_hrtime() - m->over_since_ns : 0;
    *total_ms = (m->over_total_ns + now) / 1000000;
    *current_ms = now / 1000000;
}
