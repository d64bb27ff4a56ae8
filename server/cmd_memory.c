/* cmd_memory.c - MEMORY USAGE / STATS / DOCTOR / MALLOC-STATS / PURGE /
 * HELP, with Redis 7.0's replies and Respite's own figures.
 *
 * USAGE is store_entry_mem: what the key's entry, its value's structures
 * and its slots in the shard's tables take, counted exactly (allocator
 * rounding included) rather than estimated from samples as Redis does, so
 * SAMPLES is checked and has no effect, and a big collection is walked
 * whole. The figure is Respite's, not what Redis would take for the same
 * data. As in Redis, a key past its TTL that nothing removed yet is
 * measured, not expired, and the lookup counts no hit or miss.
 *
 * STATS has Redis 7.0's fields in its order; what Respite does not have
 * (replication backlog, replicas, cluster links, AOF, scripts) is 0, and
 * the allocator's fields appear only when built with jemalloc. The
 * overheads are the bucket arrays and TTL arrays (per database, as
 * Redis's hash tables), the ordered indexes, the clients' buffers and the
 * memory in use at start-up; the dataset is the rest.
 *
 * DOCTOR checks what Redis's doctor checks and Respite can see: a peak
 * well above the memory in use, fragmentation (RSS against allocated),
 * and big client buffers. With too little memory in use to judge, or
 * nothing found, it gives Redis's two stock answers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/handlers.h"
#include "server/memory.h"
#include "server/server.h"

#define DOCTOR_MIN_USED (5u << 20)     /* below this there is nothing to say */

/* MEMORY USAGE key [SAMPLES count]. */
static void memory_usage(struct client *c)
{
    for (size_t i = 3; i < c->argc; i++) {
        int64_t samples;
        if (arg_is(c, i, "SAMPLES") && i + 1 < c->argc) {
            if (!arg_i64_or_reply(c, i + 1, &samples))
                return;
            if (samples < 0) {
                reply_error(c, ERR_SYNTAX);
                return;
            }
            i++;
        } else {
            reply_error(c, ERR_SYNTAX);
            return;
        }
    }
    struct store_entry *e = store_key_peek_any(client_db(c), c->argv[2],
                                               c->argvlen[2]);
    if (!e) {
        resp_add_null(&c->out);
        return;
    }
    resp_add_int(&c->out, (int64_t)store_entry_mem(e));
}

static double ratio(size_t a, size_t b)
{
    return b ? (double)a / (double)b : 0;
}

/* A field of MEMORY STATS: a name and an integer or a double. */
static void stat_int(struct resp_out *o, size_t *n, const char *name,
                     int64_t v)
{
    resp_add_bulk_cstr(o, name);
    resp_add_int(o, v);
    (*n)++;
}

static void stat_double(struct resp_out *o, size_t *n, const char *name,
                        double v)
{
    resp_add_bulk_cstr(o, name);
    resp_add_double(o, v);
    (*n)++;
}

/* Signed difference a - b, as Redis prints its ".bytes" fields. */
/* A layer's ratio and bytes (mem_report.c), under their two names. */
static void stat_gap(struct resp_out *o, size_t *n, const char *ratio_name,
                     const char *bytes_name, const struct mem_gap *g)
{
    stat_double(o, n, ratio_name, g->ratio);
    stat_int(o, n, bytes_name, g->bytes);
}

static void memory_stats(struct client *c)
{
    struct server *srv = c->srv;
    struct mem_report r;
    mem_report_fill(srv, &r);
    struct resp_out o;
    size_t n = 0;
    resp_out_init(&o, c->out.proto);
    stat_int(&o, &n, "peak.allocated", (int64_t)r.peak);
    stat_int(&o, &n, "total.allocated", (int64_t)r.used);
    stat_int(&o, &n, "startup.allocated", (int64_t)r.startup);
    stat_int(&o, &n, "replication.backlog", 0);
    stat_int(&o, &n, "clients.slaves", 0);
    stat_int(&o, &n, "clients.normal", (int64_t)r.clients);
    stat_int(&o, &n, "cluster.links", 0);
    stat_int(&o, &n, "aof.buffer", 0);
    stat_int(&o, &n, "lua.caches", 0);
    stat_int(&o, &n, "functions.caches", 0);
    for (int i = 0; i < srv->conf.databases; i++) {
        size_t m, x;
        if (store_size(srv->db[i]) == 0)
            continue;
        store_mem_tables(srv->db[i], &m, &x);
        char name[32];
        snprintf(name, sizeof(name), "db.%d", i);
        resp_add_bulk_cstr(&o, name);
        resp_add_map(&o, 2);
        resp_add_bulk_cstr(&o, "overhead.hashtable.main");
        resp_add_int(&o, (int64_t)m);
        resp_add_bulk_cstr(&o, "overhead.hashtable.expires");
        resp_add_int(&o, (int64_t)x);
        n++;
    }
    stat_int(&o, &n, "overhead.total", (int64_t)r.overhead);
    stat_int(&o, &n, "keys.count", (int64_t)r.keys);
    stat_int(&o, &n, "keys.bytes-per-key",
             r.keys ? (int64_t)(r.net / r.keys) : 0);
    stat_int(&o, &n, "dataset.bytes", (int64_t)r.dataset);
    stat_double(&o, &n, "dataset.percentage", ratio(r.dataset, r.net) * 100);
    stat_double(&o, &n, "peak.percentage", ratio(r.used, r.peak) * 100);
    if (r.has_alloc) {
        const struct server_mem_alloc *a = &r.alloc;
        stat_int(&o, &n, "allocator.allocated", (int64_t)a->allocated);
        stat_int(&o, &n, "allocator.active", (int64_t)a->active);
        stat_int(&o, &n, "allocator.resident", (int64_t)a->resident);
        stat_gap(&o, &n, "allocator-fragmentation.ratio",
                 "allocator-fragmentation.bytes", &r.alloc_frag);
        stat_gap(&o, &n, "allocator-rss.ratio", "allocator-rss.bytes",
                 &r.alloc_rss);
        stat_gap(&o, &n, "rss-overhead.ratio", "rss-overhead.bytes",
                 &r.rss_overhead);
    }
    stat_gap(&o, &n, "fragmentation", "fragmentation.bytes", &r.frag);
    if (o.nomem) {
        reply_error(c, ERR_OOM);
    } else {
        resp_add_map(&c->out, n);
        resp_add_raw(&c->out, o.data ? o.data : "", o.len);
    }
    resp_out_close(&o);
}

static void memory_doctor(struct client *c)
{
    struct server *srv = c->srv;
    struct mem_report r;
    mem_report_fill(srv, &r);
    struct resp_out text;
    resp_out_init(&text, 2);
    if (r.used < DOCTOR_MIN_USED) {
        resp_add_rawf(&text, "%s",
            "Too little memory in use to judge: the checks of the peak, "
            "fragmentation and client buffers need a few megabytes of "
            "data before their ratios mean anything. Ask again once the "
            "server holds some.\n");
        reply_text(c, &text);
        return;
    }
    int issues = 0;
    resp_add_rawf(&text, "Memory report:\n\n");
    if (r.peak > r.used + r.used / 2) {
        issues++;
        resp_add_rawf(&text,
            " * Peak: used memory peaked at %zu bytes, more than 150%% of "
            "the %zu in use now. Memory freed since is given back to the "
            "allocator, not necessarily to the system, so RSS can stay "
            "near the peak.\n\n", r.peak, r.used);
    }
    if (r.rss > r.used + r.used * 2 / 5 && r.rss - r.used > (10u << 20)) {
        issues++;
        resp_add_rawf(&text,
            " * Fragmentation: the process holds %zu bytes of RAM (RSS) for "
            "%zu bytes in use (ratio %.2f). MEMORY PURGE gives the "
            "allocator's free pages back to the system.\n\n",
            r.rss, r.used, r.frag.ratio);
    }
    if (srv->nclients && r.clients / srv->nclients > (200u << 10)) {
        issues++;
        resp_add_rawf(&text,
            " * Client buffers: the %zu clients take %zu bytes of buffers, "
            "more than 200 KB each on average: big replies or requests, or "
            "clients that read their replies slowly (see CLIENT LIST).\n\n",
            srv->nclients, r.clients);
    }
    if (!issues) {
        resp_out_reset(&text, 0);
        resp_add_rawf(&text, "%s",
            "No memory issue found: the peak is within 150% of the memory "
            "in use, RSS is not far above it, and client buffers are "
            "small.\n");
    }
    reply_text(c, &text);
}

static void memory_malloc_stats(struct client *c)
{
    size_t len;
    char *text = server_mem_malloc_stats(&len);
    if (text) {
        resp_add_verbatim(&c->out, text, len);
        free(text);
    } else if (len) {
        reply_error(c, ERR_OOM);
    } else {
        static const char none[] = "Stats not supported for the current "
                                   "allocator";
        resp_add_verbatim(&c->out, none, sizeof(none) - 1);
    }
}

static void memory_purge(struct client *c)
{
    if (server_mem_purge() != 0) {
        reply_error(c, ERR_MEMORY_PURGE);
        return;
    }
    reply_ok(c);
}

static void memory_help(struct client *c)
{
    static const char *const lines[] = {
        "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    Return memory problems reports.",
        "MALLOC-STATS",
        "    Return internal statistics report from the memory allocator.",
        "PURGE",
        "    Attempt to purge dirty pages for reclamation by the allocator.",
        "STATS",
        "    Return information about the memory usage of the server.",
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value. Nested "
        "values are",
        "    sampled up to <count> times (default: 5, 0 means sample all).",
        "HELP",
        "    Prints this help.",
    };
    reply_help(c, lines, sizeof(lines) / sizeof(lines[0]));
}

static const struct subcommand memory_subcommands[] = {
    { "DOCTOR", memory_doctor, 2, 0 },
    { "MALLOC-STATS", memory_malloc_stats, 2, 0 },
    { "PURGE", memory_purge, 2, 0 },
    { "STATS", memory_stats, 2, 0 },
    { "USAGE", memory_usage, -3, CMD_READONLY },
    { "HELP", memory_help, 2, 0 },
};

const struct subcommand_table memory_subs = {
    memory_subcommands,
    sizeof(memory_subcommands) / sizeof(memory_subcommands[0])
};

void cmd_memory(struct client *c)
{
    subcommand_dispatch(c, &memory_subs);
}
