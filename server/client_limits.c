/* client_limits.c - the limits on clients as a whole that Redis's
 * clientsCron and client eviction enforce:
 *
 *   timeout            a client idle (nothing read or written) for longer
 *                      is closed, unless it waits on something (blocked,
 *                      subscribed, MONITOR), checked once a second, when
 *                      subscribers' output limits are checked too;
 *   maxmemory-clients  while the clients' memory (CLIENT LIST's tot-mem,
 *                      summed) is at the limit or over, the client using
 *                      the most is closed, and the next, checked before
 *                      the loop sleeps and before a command runs that
 *                      may take the sum over (its arguments are counted,
 *                      as Redis counts them); CLIENT NO-EVICT spares a
 *                      client.
 *
 * Both walk the client list: cheap for the tens of clients a dev server
 * has. The once-a-second walk always runs (the subscribers' limits);
 * client eviction only while maxmemory-clients is set. Redis keeps clients
 * in buckets by memory to avoid the walk; not done here. Before a command,
 * the sum is estimated instead, from the last walk's figures with the
 * running client's own taken anew, and only an estimate at the limit or
 * over walks. */
#include "server/pubsub.h"
#include "server/server.h"

/* Clients the idle timeout spares, as Redis's clientsCronHandleTimeout:
 * those waiting on something else (a key, a replica, a pause), subscribers
 * and monitors, which may well hear nothing for a long time. */
static int timeout_exempt(const struct client *c)
{
    return (c->flags & (CLIENT_BLOCKED | CLIENT_POSTPONED | CLIENT_MONITOR |
                        CLIENT_CLOSING)) ||
           pubsub_client_subscribed(c);
}

/* `timeout`: whether c has been idle too long and may be closed for it. */
static int timed_out(const struct client *c, int64_t now, int64_t limit_ms)
{
    return limit_ms > 0 && now - c->last_ms > limit_ms && !timeout_exempt(c);
}

/* See server.h. Walks the clients at most once a second: Redis's
 * clientsCron visits each about that often, and a server with many
 * connections should not walk them all every tick. Subscribers' output
 * limits are checked here too, as Redis 7's clientsCron does, since a
 * publish checks only the subscribers it writes to: a limit lowered by
 * CONFIG SET, or a soft limit's seconds running out while no message
 * comes, then closes the client all the same. */
void client_cron(struct server *srv)
{
    int64_t limit_ms = (int64_t)srv->conf.timeout * 1000;
    int64_t now = server_now_ms(srv);
    if (now >= srv->idle_checked_ms && now - srv->idle_checked_ms < 1000)
        return;
    srv->idle_checked_ms = now;
    for (struct client *c = srv->clients, *next; c; c = next) {
        next = c->next;
        if (timed_out(c, now, limit_ms)) {
            server_log(srv, 'v', "Closing idle client");
            client_close(c);
        } else {
            pubsub_client_check_limits(c);
        }
    }
    pubsub_close_victims(srv);
}

/* See server.h. */
size_t client_memory(const struct client *c)
{
    return sizeof(*c) + c->out.cap + c->wbuf.cap + c->reader.arena_cap +
           resp_reader_pending(&c->reader) + client_multi_memory(c);
}

/* See server.h. */
size_t client_multi_memory(const struct client *c)
{
    return c->mbytes + c->mcap * sizeof(*c->mqueue);
}

/* maxmemory-clients in bytes now: a percentage follows maxmemory. As
 * Redis, never under 128 KB, so a bad setting cannot shut every client
 * out. 0 is off. */
static size_t client_eviction_limit(const struct server *srv)
{
    int64_t v = srv->conf.maxmemory_clients;
    size_t limit = v >= 0 ? (size_t)v
                          : (size_t)(srv->conf.maxmemory * (uint64_t)-v / 100);
    return limit && limit < 128 * 1024 ? 128 * 1024 : limit;
}

/* The evictable client using the most memory, or NULL. */
static struct client *largest_evictable(struct server *srv, size_t *mem)
{
    struct client *big = NULL;
    *mem = 0;
    for (struct client *c = srv->clients; c; c = c->next) {
        size_t m = client_memory(c);
        if (!(c->flags & (CLIENT_NO_EVICT | CLIENT_CLOSING)) && m > *mem) {
            big = c;
            *mem = m;
        }
    }
    return big;
}

/* See server.h. Runs once a loop turn while a limit is set: a walk of
 * the clients, then one more for each client evicted. */
void client_evict_for_memory(struct server *srv)
{
    size_t limit = client_eviction_limit(srv), total = 0, mem;
    if (!limit)
        return;
    for (struct client *c = srv->clients; c; c = c->next) {
        c->mem_walked = c->flags & CLIENT_CLOSING ? 0 : client_memory(c);
        total += c->mem_walked;
    }
    if (total < limit)
        srv->clients_over_logged = 0;
    while (total >= limit) {
        struct client *c = largest_evictable(srv, &mem);
        if (!c) {
            /* Said once a spell, not once a loop turn. */
            if (!srv->clients_over_logged)
                server_log(srv, 'w', "Over client maxmemory after "
                           "evicting all evictable clients");
            srv->clients_over_logged = 1;
            break;
        }
        server_log(srv, 'v', "Evicting client: id=%llu addr=%s tot-mem=%zu",
                   (unsigned long long)c->id, c->addr, mem);
        srv->stat_evicted_clients++;
        total -= mem;
        c->mem_walked = 0;
        client_close(c);
    }
    srv->clients_mem = total;
}

/* See server.h. A client that connected since the last walk counts as 0
 * in its sum; it is small until it sends something, and then it is the
 * one measured. Over the limit with nothing left to evict, only the walk
 * before the loop sleeps looks again. */
int client_evicted_before_call(struct client *c)
{
    struct server *srv = c->srv;
    size_t limit = client_eviction_limit(srv);
    if (!limit || srv->clients_over_logged)
        return 0;
    size_t others = srv->clients_mem > c->mem_walked
                        ? srv->clients_mem - c->mem_walked : 0;
    if (others + client_memory(c) < limit)
        return 0;
    client_evict_for_memory(srv);
    return (c->flags & CLIENT_CLOSING) != 0;
}
