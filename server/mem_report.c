/* mem_report.c - the breakdown of used_memory that INFO memory and
 * MEMORY STATS / DOCTOR share, as Redis's getMemoryOverheadData feeds
 * both: the overhead is the memory in use at start-up, the clients'
 * buffers, the keyspace's bucket and TTL arrays and the prefix index;
 * the dataset is the rest. Reading it counts towards the peak. */
#include <string.h>

#include "server/memory.h"
#include "server/server.h"

/* Bytes the connected clients' buffers take. */
static size_t clients_bytes(const struct server *srv)
{
    size_t n = 0;
    for (const struct client *o = srv->clients; o; o = o->next)
        n += sizeof(*o) + o->out.cap + o->wbuf.cap + o->reader.stage_cap +
             o->reader.arena_cap;
    return n;
}

static struct mem_gap gap(size_t a, size_t b)
{
    struct mem_gap g = { b ? (double)a / (double)b : 0.0,
                         (int64_t)a - (int64_t)b };
    return g;
}

void mem_report_fill(struct server *srv, struct mem_report *r)
{
    memset(r, 0, sizeof(*r));
    r->used = server_used_memory(srv);
    if (r->used > srv->mem_peak)
        srv->mem_peak = r->used;
    r->peak = srv->mem_peak;
    r->startup = srv->mem_startup;
    r->net = r->used > r->startup ? r->used - r->startup : 0;
    r->clients = clients_bytes(srv);
    r->rss = server_mem_rss();
    r->overhead = r->startup + r->clients;
    for (int i = 0; i < srv->conf.databases; i++) {
        size_t m, x;
        store_mem_tables(srv->db[i], &m, &x);
        r->prefix += store_prefix_mem_usage(srv->db[i]);
        r->overhead += m + x;
        r->keys += store_size(srv->db[i]);
    }
    r->overhead += r->prefix;
    r->dataset = r->used > r->overhead ? r->used - r->overhead : 0;
    r->frag = gap(r->rss, r->used);
    r->has_alloc = server_mem_alloc_stats(&r->alloc) == 0;
    if (r->has_alloc) {
        r->alloc_frag = gap(r->alloc.active, r->alloc.allocated);
        r->alloc_rss = gap(r->alloc.resident, r->alloc.active);
        r->rss_overhead = gap(r->rss, r->alloc.resident);
    }
}
