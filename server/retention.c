/* retention.c - stream retention, beyond Redis: the directives
 * stream-max-entries and stream-retention-ms, applied by the sweeper.
 *
 * Each sweeper tick calls stream_retention_step() with a quarter of the
 * sweeper's budget. It asks every database's store to visit its streams
 * round robin, RETENTION_VISITS at a time, until the ring has gone round
 * or the budget is spent, and to remove at most RETENTION_LIMIT entries
 * from each stream it visits, oldest first. The store keeps a ring of the
 * streams XADD wrote (store_stream_retention_step), so nothing scans the
 * keyspace. A stream far over its limit is brought down over a few ticks,
 * never in one long pause. Each trimmed stream gets the "xtrim" keyspace
 * event and counts as modified (WATCH), as XTRIM would.
 *
 * It does nothing while both directives are 0 (the default). It runs
 * even while DEBUG SET-ACTIVE-EXPIRE 0 holds the expiry sweep back. */
#include "server/pubsub.h"
#include "server/server.h"

#define RETENTION_VISITS 64         /* streams in one batch */
#define RETENTION_ROUNDS 16         /* batches of visits a database, a tick */
#define RETENTION_LIMIT 1000        /* entries a stream, a visit */

struct trim_ctx {
    struct server *srv;
    int db;
};

static void on_trimmed(void *ctx, const char *key, size_t klen,
                       uint64_t removed)
{
    struct trim_ctx *t = ctx;
    (void)removed;
    server_key_modified(t->srv, t->db, key, klen);
    server_notify(t->srv, NOTIFY_STREAM, "xtrim", t->db, key, klen);
}

/* Applies the retention directives to a bounded number of streams of
 * every database within about budget_us microseconds. Returns the
 * streams visited. */
size_t stream_retention_step(struct server *srv, uint64_t budget_us)
{
    int64_t max = srv->conf.stream_max_entries;
    int64_t age = srv->conf.stream_retention_ms;
    if (max <= 0 && age <= 0)
        return 0;
    uint64_t start = uv_hrtime() / 1000;
    int64_t now = server_now_ms(srv);
    size_t visited = 0;
    for (int db = 0; db < srv->conf.databases; db++) {
        struct trim_ctx t = { srv, db };
        size_t n, rounds = 0;
        do {
            if (uv_hrtime() / 1000 - start >= budget_us)
                return visited;
            n = store_stream_retention_step(
                srv->db[db], now, max > 0 ? (uint64_t)max : 0,
                age > 0 ? age : 0, RETENTION_LIMIT, RETENTION_VISITS,
                on_trimmed, &t);
            visited += n;
            /* Fewer visits than asked: the ring went round (or is empty).
             * A ring of a multiple of RETENTION_VISITS streams cannot say
             * so, hence the cap on rounds. */
        } while (n == RETENTION_VISITS && ++rounds < RETENTION_ROUNDS);
    }
    return visited;
}
