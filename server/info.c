/* info.c - INFO: the sections server, clients, memory, persistence, stats,
 * replication, cpu, modules (none), commandstats, errorstats,
 * latencystats, cluster (never enabled) and keyspace, in Redis's
 * "field:value" text and Redis 7.0's order. redis_version says 7.4.0
 * because client libraries gate features on it; respite_version says
 * what this really is. The reply is a bulk string
 * (verbatim in RESP3), which redis-cli depends on. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "server/blocking.h"
#include "server/function.h"
#include "server/handlers.h"
#include "server/memory.h"
#include "server/pubsub.h"
#include "server/script.h"
#include "server/server.h"
#include "server/tracking.h"

enum {
    SEC_SERVER = 1 << 0,
    SEC_CLIENTS = 1 << 1,
    SEC_MEMORY = 1 << 2,
    SEC_PERSISTENCE = 1 << 3,
    SEC_STATS = 1 << 4,
    SEC_REPLICATION = 1 << 5,
    SEC_CPU = 1 << 6,
    SEC_KEYSPACE = 1 << 7,
    SEC_COMMANDSTATS = 1 << 8,
    SEC_ERRORSTATS = 1 << 9,
    SEC_LATENCYSTATS = 1 << 10,
    SEC_MODULES = 1 << 11,
    SEC_CLUSTER = 1 << 12,
    SEC_DEFAULT = SEC_SERVER | SEC_CLIENTS | SEC_MEMORY | SEC_PERSISTENCE |
                  SEC_STATS | SEC_REPLICATION | SEC_CPU | SEC_MODULES |
                  SEC_ERRORSTATS | SEC_CLUSTER | SEC_KEYSPACE,
    SEC_ALL = SEC_DEFAULT | SEC_COMMANDSTATS | SEC_LATENCYSTATS,
};

static const struct {
    const char *name;
    unsigned bit;
} section_names[] = {
    { "server", SEC_SERVER },     { "clients", SEC_CLIENTS },
    { "memory", SEC_MEMORY },     { "persistence", SEC_PERSISTENCE },
    { "stats", SEC_STATS },       { "replication", SEC_REPLICATION },
    { "cpu", SEC_CPU },           { "keyspace", SEC_KEYSPACE },
    { "commandstats", SEC_COMMANDSTATS }, { "errorstats", SEC_ERRORSTATS },
    { "latencystats", SEC_LATENCYSTATS },
    { "modules", SEC_MODULES },   { "cluster", SEC_CLUSTER },
    { "default", SEC_DEFAULT },   { "all", SEC_ALL },
    { "everything", SEC_ALL },
};

static unsigned sections_from_args(const struct client *c)
{
    if (c->argc == 1)
        return SEC_DEFAULT;
    unsigned mask = 0;
    for (size_t i = 1; i < c->argc; i++)
        for (size_t k = 0; k < sizeof(section_names) / sizeof(*section_names);
             k++)
            if (arg_is(c, i, section_names[k].name))
                mask |= section_names[k].bit;
    return mask;
}

static void add(struct resp_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends one formatted line plus CRLF. */
static void add(struct resp_out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    resp_add_vrawf(o, fmt, ap);
    va_end(ap);
    resp_add_raw(o, "\r\n", 2);
}

/* Starts a section: a blank line before every section but the first. */
static void header(struct resp_out *o, const char *title)
{
    if (o->len > 0)
        resp_add_raw(o, "\r\n", 2);
    add(o, "# %s", title);
}

static void human_bytes(char *buf, size_t cap, size_t n)
{
    double d = (double)n;
    if (d < 1024)
        snprintf(buf, cap, "%zuB", n);
    else if (d < 1024.0 * 1024)
        snprintf(buf, cap, "%.2fK", d / 1024);
    else if (d < 1024.0 * 1024 * 1024)
        snprintf(buf, cap, "%.2fM", d / (1024 * 1024));
    else
        snprintf(buf, cap, "%.2fG", d / (1024.0 * 1024 * 1024));
}

static void section_server(struct resp_out *o, const struct server *srv)
{
    struct utsname u;
    uname(&u);
    int64_t now = server_now_ms(srv);
    uv_timeval64_t tv;
    uv_gettimeofday(&tv);
    int64_t up = (now - srv->start_ms) / 1000;
    header(o, "Server");
    add(o, "redis_version:%s", REDIS_COMPAT_VERSION);
    add(o, "respite_version:%s", RESPITE_VERSION);
    add(o, "redis_git_sha1:00000000");
    add(o, "redis_git_dirty:0");
    add(o, "redis_mode:standalone");
    add(o, "os:%s %s %s", u.sysname, u.release, u.machine);
    add(o, "arch_bits:%d", (int)(sizeof(void *) * 8));
    add(o, "monotonic_clock:POSIX clock_gettime");      /* libuv's */
    add(o, "multiplexing_api:libuv-%s", uv_version_string());
    add(o, "gcc_version:%d.%d.%d", __GNUC__, __GNUC_MINOR__,
        __GNUC_PATCHLEVEL__);
    add(o, "process_id:%d", (int)getpid());
    add(o, "process_supervised:no");    /* supervised is not acted on */
    add(o, "run_id:%s", srv->run_id);
    add(o, "tcp_port:%d", srv->conf.port);
    add(o, "server_time_usec:%lld",
        (long long)(tv.tv_sec * 1000000 + tv.tv_usec));
    add(o, "uptime_in_seconds:%lld", (long long)up);
    add(o, "uptime_in_days:%lld", (long long)(up / 86400));
    add(o, "hz:%d", srv->conf.hz);
    add(o, "configured_hz:%d", srv->conf.hz);
    /* Redis's LRU clock: Unix seconds modulo 2^24. */
    add(o, "lru_clock:%lld", (long long)(server_now_ms(srv) / 1000 &
                                         ((1 << 24) - 1)));
    add(o, "executable:%s", srv->executable);
    add(o, "config_file:%s", srv->config_file);
    add(o, "io_threads_active:0");
}

static void section_clients(struct resp_out *o, const struct server *srv)
{
    header(o, "Clients");
    add(o, "connected_clients:%zu", srv->nclients);
    add(o, "cluster_connections:0");
    add(o, "maxclients:%lld", (long long)srv->conf.maxclients);
    add(o, "client_recent_max_input_buffer:%llu",
        (unsigned long long)peaks_max_in(&srv->client_peaks));
    add(o, "client_recent_max_output_buffer:%llu",
        (unsigned long long)peaks_max_out(&srv->client_peaks));
    /* Clients waiting out a CLIENT PAUSE count, as in Redis 7.0. */
    add(o, "blocked_clients:%zu",
        blocking_count(srv) + pause_postponed_count(srv));
    add(o, "tracking_clients:%zu", srv->tracking_clients);
    /* Redis 7.4's and 7.2's, in 7.4's order. */
    add(o, "pubsub_clients:%zu", pubsub_clients(srv));
    add(o, "watching_clients:%zu", srv->nwatching);
    add(o, "clients_in_timeout_table:%zu", blocking_count_timed(srv));
    size_t on_nokey, blocking_keys = blocking_count_keys(srv, &on_nokey);
    add(o, "total_watched_keys:%zu", client_watched_keys_total(srv));
    add(o, "total_blocking_keys:%zu", blocking_keys);
    add(o, "total_blocking_keys_on_nokey:%zu", on_nokey);
}

/* name_ratio and name_bytes, as Redis prints a layer's fragmentation. */
static void gap_fields(struct resp_out *o, const char *name,
                       const struct mem_gap *g)
{
    add(o, "%s_ratio:%.2f", name, g->ratio);
    add(o, "%s_bytes:%lld", name, (long long)g->bytes);
}

/* Not const: what INFO reads counts towards the peak, as in Redis. */
static void section_memory(struct resp_out *o, struct server *srv)
{
    struct mem_report r;
    mem_report_fill(srv, &r);
    size_t used = r.used, peak = r.peak, rss = r.rss;
    char h1[32], h2[32], h3[32], h4[32], h5[32], alloc[32];
    human_bytes(h1, sizeof(h1), used);
    human_bytes(h2, sizeof(h2), rss);
    human_bytes(h3, sizeof(h3), (size_t)srv->conf.maxmemory);
    uint64_t total = uv_get_total_memory();
    human_bytes(h4, sizeof(h4), (size_t)total);
    server_mem_allocator(alloc, sizeof(alloc));
    header(o, "Memory");
    add(o, "used_memory:%zu", used);
    add(o, "used_memory_human:%s", h1);
    add(o, "used_memory_rss:%zu", rss);
    add(o, "used_memory_rss_human:%s", h2);
    human_bytes(h5, sizeof(h5), peak);
    add(o, "used_memory_peak:%zu", peak);
    add(o, "used_memory_peak_human:%s", h5);
    add(o, "used_memory_peak_perc:%.2f%%", (double)used * 100 / (double)peak);
    add(o, "used_memory_overhead:%zu", r.overhead);
    add(o, "used_memory_startup:%zu", r.startup);
    add(o, "used_memory_dataset:%zu", r.dataset);
    add(o, "used_memory_dataset_perc:%.2f%%",
        r.net ? (double)r.dataset * 100 / (double)r.net : 0.0);
    /* Respite's: the part of the overhead the prefix index takes. */
    add(o, "used_memory_prefix_index:%zu", r.prefix);
    if (r.has_alloc) {
        add(o, "allocator_allocated:%zu", r.alloc.allocated);
        add(o, "allocator_active:%zu", r.alloc.active);
        add(o, "allocator_resident:%zu", r.alloc.resident);
    }
    add(o, "total_system_memory:%llu", (unsigned long long)total);
    add(o, "total_system_memory_human:%s", h4);
    /* Scripting: the Lua heap, and the cached scripts' bodies. */
    size_t lua = script_lua_memory(srv);
    char h6[32];
    human_bytes(h6, sizeof(h6), lua);
    add(o, "used_memory_lua:%zu", lua);
    add(o, "used_memory_vm_eval:%zu", lua);
    add(o, "used_memory_lua_human:%s", h6);
    add(o, "used_memory_scripts_eval:%zu", script_bodies_bytes(srv));
    add(o, "number_of_cached_scripts:%zu", script_count(srv));
    /* Functions (function.c): their own Lua heap, and the totals. */
    size_t fn_lua = function_lua_memory(srv);
    size_t scripts = script_bodies_bytes(srv) + function_bytes(srv);
    char h7[32], h8[32];
    human_bytes(h7, sizeof(h7), lua + fn_lua);
    human_bytes(h8, sizeof(h8), scripts);
    add(o, "number_of_functions:%zu", function_count(srv));
    add(o, "number_of_libraries:%zu", function_lib_count(srv));
    add(o, "used_memory_vm_functions:%zu", fn_lua);
    add(o, "used_memory_vm_total:%zu", lua + fn_lua);
    add(o, "used_memory_vm_total_human:%s", h7);
    add(o, "used_memory_functions:%zu", function_bytes(srv));
    add(o, "used_memory_scripts:%zu", scripts);
    add(o, "used_memory_scripts_human:%s", h8);
    add(o, "maxmemory:%llu", (unsigned long long)srv->conf.maxmemory);
    add(o, "maxmemory_human:%s", h3);
    add(o, "maxmemory_policy:%s", srv->conf.maxmemory_policy);
    if (r.has_alloc) {
        gap_fields(o, "allocator_frag", &r.alloc_frag);
        gap_fields(o, "allocator_rss", &r.alloc_rss);
        gap_fields(o, "rss_overhead", &r.rss_overhead);
    }
    gap_fields(o, "mem_fragmentation", &r.frag);
    /* No replicas, AOF or cluster: their buffers are truthfully empty. */
    add(o, "mem_not_counted_for_evict:0");
    add(o, "mem_replication_backlog:0");
    add(o, "mem_total_replication_buffers:0");
    add(o, "mem_clients_slaves:0");
    add(o, "mem_clients_normal:%zu", r.clients);
    add(o, "mem_cluster_links:0");
    add(o, "mem_aof_buffer:0");
    add(o, "mem_allocator:%s", alloc);
    /* No active defragmentation, and every free is done at once. */
    add(o, "active_defrag_running:0");
    add(o, "lazyfree_pending_objects:0");
    add(o, "lazyfreed_objects:0");
}

static void section_persistence(struct resp_out *o, const struct server *srv)
{
    header(o, "Persistence");
    add(o, "loading:0");
    add(o, "async_loading:0");
    add(o, "rdb_changes_since_last_save:%llu",
        (unsigned long long)srv->dirty);
    const struct persist *p = &srv->persist;
    add(o, "rdb_bgsave_in_progress:%d", p->child != 0);
    add(o, "rdb_last_save_time:%lld", (long long)p->lastsave);
    add(o, "rdb_last_bgsave_status:%s", p->last_bgsave_ok ? "ok" : "err");
    add(o, "rdb_last_bgsave_time_sec:%lld", (long long)p->last_bgsave_sec);
    add(o, "rdb_current_bgsave_time_sec:%lld",
        p->child ? (long long)(server_now_ms(srv) / 1000 - p->child_start)
                 : -1LL);
    add(o, "rdb_saves:%llu", (unsigned long long)p->saves);
    add(o, "rdb_last_load_keys_expired:%lld", p->last_load_expired);
    add(o, "rdb_last_load_keys_loaded:%lld", p->last_load_loaded);
    add(o, "aof_enabled:0");
    add(o, "aof_rewrite_in_progress:0");
    add(o, "aof_rewrite_scheduled:0");
    add(o, "aof_last_rewrite_time_sec:-1");
    add(o, "aof_current_rewrite_time_sec:-1");
    add(o, "aof_last_bgrewrite_status:ok");
    add(o, "aof_rewrites:0");
    add(o, "aof_rewrites_consecutive_failures:0");
    add(o, "aof_last_write_status:ok");
}

static void section_stats(struct resp_out *o, const struct server *srv)
{
    uint64_t expired = srv->stat_expired;
    double stale = 0;
    uint64_t sweep_us = 0;
    for (int i = 0; i < srv->conf.databases; i++) {
        struct store_expire_stats es;
        store_expire_stats(srv->db[i], &es);
        if (es.last_stale_ratio > stale)
            stale = es.last_stale_ratio;
        sweep_us += es.time_us;
    }
    header(o, "Stats");
    add(o, "total_connections_received:%llu",
        (unsigned long long)srv->stat_connections);
    add(o, "total_commands_processed:%llu",
        (unsigned long long)srv->stat_commands);
    add(o, "instantaneous_ops_per_sec:%llu",
        (unsigned long long)rates_get(&srv->rates, RATE_COMMANDS));
    add(o, "total_net_input_bytes:%llu",
        (unsigned long long)srv->stat_net_in);
    add(o, "total_net_output_bytes:%llu",
        (unsigned long long)srv->stat_net_out);
    /* No replication: its traffic is truthfully nothing. */
    add(o, "total_net_repl_input_bytes:0");
    add(o, "total_net_repl_output_bytes:0");
    add(o, "instantaneous_input_kbps:%.2f",
        (double)rates_get(&srv->rates, RATE_NET_IN) / 1024);
    add(o, "instantaneous_output_kbps:%.2f",
        (double)rates_get(&srv->rates, RATE_NET_OUT) / 1024);
    add(o, "instantaneous_input_repl_kbps:0.00");
    add(o, "instantaneous_output_repl_kbps:0.00");
    add(o, "rejected_connections:%llu",
        (unsigned long long)srv->stat_rejected_conn);
    add(o, "sync_full:0");              /* no replicas */
    add(o, "sync_partial_ok:0");
    add(o, "sync_partial_err:0");
    add(o, "expired_keys:%llu", (unsigned long long)expired);
    add(o, "expired_stale_perc:%.2f", stale * 100);
    add(o, "expired_time_cap_reached_count:%llu",
        (unsigned long long)srv->stat_sweep_capped);
    add(o, "expire_cycle_cpu_milliseconds:%llu",
        (unsigned long long)(sweep_us / 1000));
    add(o, "evicted_keys:%llu", (unsigned long long)srv->maxmem.evicted);
    add(o, "evicted_clients:%llu",
        (unsigned long long)srv->stat_evicted_clients);
    /* Redis 7.4's: EVAL's scripts evicted from the cache (script.c). */
    add(o, "evicted_scripts:%llu", (unsigned long long)script_evicted(srv));
    uint64_t over_total, over_now;
    maxmemory_over_ms(srv, &over_total, &over_now);
    add(o, "total_eviction_exceeded_time:%llu",
        (unsigned long long)over_total);
    add(o, "current_eviction_exceeded_time:%llu",
        (unsigned long long)over_now);
    add(o, "keyspace_hits:%llu", (unsigned long long)srv->stat_hits);
    add(o, "keyspace_misses:%llu", (unsigned long long)srv->stat_misses);
    add(o, "pubsub_channels:%zu", pubsub_size(srv, PUBSUB_CHANNEL));
    add(o, "pubsub_patterns:%zu", pubsub_size(srv, PUBSUB_PATTERN));
    add(o, "pubsubshard_channels:%zu", pubsub_size(srv, PUBSUB_SHARD));
    add(o, "latest_fork_usec:%llu", (unsigned long long)srv->fork_usec);
    add(o, "total_forks:%llu", (unsigned long long)srv->forks);
    /* Neither MIGRATE, replicas nor active defragmentation. */
    add(o, "migrate_cached_sockets:0");
    add(o, "slave_expires_tracked_keys:0");
    add(o, "active_defrag_hits:0");
    add(o, "active_defrag_misses:0");
    add(o, "active_defrag_key_hits:0");
    add(o, "active_defrag_key_misses:0");
    add(o, "total_active_defrag_time:0");
    add(o, "current_active_defrag_time:0");
    struct tracking_stats ts;
    tracking_stats(srv, &ts);
    add(o, "tracking_total_keys:%zu", ts.keys);
    add(o, "tracking_total_items:%zu", ts.items);
    add(o, "tracking_total_prefixes:%zu", ts.prefixes);
    /* Redis's counts errors met in AOF loading and replication. */
    add(o, "unexpected_error_replies:0");
    add(o, "total_error_replies:%llu", (unsigned long long)srv->stat_errors);
    add(o, "total_reads_processed:%llu", (unsigned long long)srv->stat_reads);
    add(o, "total_writes_processed:%llu",
        (unsigned long long)srv->stat_writes);
    add(o, "io_threaded_reads_processed:0");     /* no I/O threads */
    add(o, "io_threaded_writes_processed:0");
}

/* One "name_sys" and "name_user" pair from getrusage(who): INFO runs on
 * the loop's thread, so RUSAGE_THREAD is the main thread's. */
static void cpu_pair(struct resp_out *o, int who, const char *suffix)
{
    struct rusage ru;
    getrusage(who, &ru);
    add(o, "used_cpu_sys%s:%ld.%06ld", suffix, (long)ru.ru_stime.tv_sec,
        (long)ru.ru_stime.tv_usec);
    add(o, "used_cpu_user%s:%ld.%06ld", suffix, (long)ru.ru_utime.tv_sec,
        (long)ru.ru_utime.tv_usec);
}

static void section_cpu(struct resp_out *o)
{
    header(o, "CPU");
    cpu_pair(o, RUSAGE_SELF, "");
    cpu_pair(o, RUSAGE_CHILDREN, "_children");
    cpu_pair(o, RUSAGE_THREAD, "_main_thread");
}

static void section_keyspace(struct resp_out *o, const struct server *srv)
{
    header(o, "Keyspace");
    for (int i = 0; i < srv->conf.databases; i++) {
        size_t keys = store_size(srv->db[i]);
        if (!keys)
            continue;
        struct store_expire_stats es;
        store_expire_stats(srv->db[i], &es);
        add(o, "db%d:keys=%zu,expires=%zu,avg_ttl=%llu", i, keys,
            store_volatile_size(srv->db[i]), (unsigned long long)es.avg_ttl);
    }
}

/* One cmdstat_ line, for a command or (sub not NULL) a container's
 * subcommand, "container|sub" as Redis 7 names it; none if unused. */
static void cmdstat_line(struct resp_out *o, const char *cmd, const char *sub,
                         const struct command_stats *st)
{
    if (!st->calls && !st->rejected && !st->failed)
        return;
    char name[64];
    int n = snprintf(name, sizeof(name), "%s%s%s", cmd, sub ? "|" : "",
                     sub ? sub : "");
    for (int k = 0; k < n && k < (int)sizeof(name); k++)
        name[k] = (char)tolower((unsigned char)name[k]);
    add(o, "cmdstat_%s:calls=%llu,usec=%llu,usec_per_call=%.2f,"
        "rejected_calls=%llu,failed_calls=%llu", name,
        (unsigned long long)st->calls,
        (unsigned long long)(st->nsec / 1000),
        st->calls ? (double)st->nsec / 1000.0 / (double)st->calls : 0.0,
        (unsigned long long)st->rejected, (unsigned long long)st->failed);
}

static void section_commandstats(struct resp_out *o, const struct server *srv)
{
    size_t n;
    const struct command *t = command_table(&n);
    header(o, "Commandstats");
    for (size_t i = 0; i < n; i++) {
        cmdstat_line(o, t[i].name, NULL, &srv->cmdstats[i]);
        for (size_t j = 0; t[i].subs && j < t[i].subs->n; j++)
            cmdstat_line(o, t[i].name, t[i].subs->subs[j].name,
                         &srv->cmdstats[srv->sub_stats[i] + j]);
    }
}

/* Error replies by code, in byte order, as Redis 7 lists them. */
static void section_errorstats(struct resp_out *o, const struct server *srv)
{
    header(o, "Errorstats");
    for (size_t i = 0; i < srv->nerrorstats; i++)
        add(o, "errorstat_%s:count=%llu", srv->errorstats[i].code,
            (unsigned long long)srv->errorstats[i].count);
}

void cmd_info(struct client *c)
{
    unsigned mask = sections_from_args(c);
    const struct server *srv = c->srv;
    struct resp_out text;
    resp_out_init(&text, 2);
    if (mask & SEC_SERVER)
        section_server(&text, srv);
    if (mask & SEC_CLIENTS)
        section_clients(&text, srv);
    if (mask & SEC_MEMORY)
        section_memory(&text, c->srv);
    if (mask & SEC_PERSISTENCE)
        section_persistence(&text, srv);
    if (mask & SEC_STATS)
        section_stats(&text, srv);
    if (mask & SEC_REPLICATION) {
        header(&text, "Replication");
        add(&text, "role:master");
        add(&text, "connected_slaves:0");
        /* What Redis shows with no replica ever attached. */
        add(&text, "master_failover_state:no-failover");
        add(&text, "master_repl_offset:0");
        add(&text, "second_repl_offset:-1");
        add(&text, "repl_backlog_active:0");
        add(&text, "repl_backlog_first_byte_offset:0");
        add(&text, "repl_backlog_histlen:0");
    }
    if (mask & SEC_CPU)
        section_cpu(&text);
    if (mask & SEC_MODULES)
        header(&text, "Modules");       /* none loaded: an empty section */
    if (mask & SEC_COMMANDSTATS)
        section_commandstats(&text, srv);
    if (mask & SEC_ERRORSTATS)
        section_errorstats(&text, srv);
    if (mask & SEC_LATENCYSTATS) {
        header(&text, "Latencystats");
        latency_info(&text, srv);
    }
    if (mask & SEC_CLUSTER) {
        /* Clients look here to tell a cluster node from a lone server. */
        header(&text, "Cluster");
        add(&text, "cluster_enabled:0");
    }
    if (mask & SEC_KEYSPACE)
        section_keyspace(&text, srv);
    reply_text(c, &text);
}
