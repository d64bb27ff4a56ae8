/* main.c - the daemon: parses the command line and config, owns the one
 * struct server, opens the listeners (listen.c), starts the sweeper, the
 * flush-before-poll handle and the signal handlers, runs the loop, and
 * tears everything down in order on SHUTDOWN or SIGTERM/SIGINT (after the
 * final save, when save points are configured: persist.c) so the process
 * exits 0. The RDB file (dir/dbfilename) is loaded before the listeners
 * open.
 *
 * Time: the keyspace clock is Unix milliseconds derived from libuv's
 * cached loop time (one clock read per loop iteration, not per command),
 * plus a test-only offset that DEBUG JUMP-CLOCK moves. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "server/blocking.h"
#include "server/function.h"
#include "server/maxmemory.h"
#include "server/crash.h"
#include "server/persist.h"
#include "server/ping.h"
#include "server/prefault.h"
#include "server/premap.h"
#include "server/pubsub.h"
#include "server/script.h"
#include "server/acl.h"
#include "server/server.h"
#include "server/tracking.h"

#ifdef USE_JEMALLOC
/* jemalloc's start-up options: it reads this symbol (MALLOC_CONF in the
 * environment still overrides). With background_thread, returning freed
 * pages to the kernel (madvise of dirty memory as it decays) runs on
 * jemalloc's own thread instead of inside whichever malloc or free in a
 * command crosses a decay epoch: at 10M keys those purges stalled single
 * commands for 1-25 ms (issue 2; scripts/bench-rehash-pause.sh measures
 * it, store/table.c avoids the other big stall, zeroing a new bucket
 * array). */
const char *malloc_conf = "background_thread:true";
#endif

/* The expired callback's context: which database a store is. */

static int64_t wall_base_ms;   /* Unix ms minus uv_now() at start */

/* The keyspace clock, Unix ms: the loop's time, cached when it woke, or
 * the end of the last top-level command if later, so a command after a
 * slow one in the same pipeline sees the time move on, as Redis's cached
 * time does for every command it calls. Both are CLOCK_MONOTONIC (libuv's
 * loop time may be its coarse variant, a little behind), and the larger
 * never goes back. */
int64_t server_now_ms(const struct server *srv)
{
    uint64_t mono = uv_now(srv->loop);
    if (srv->call_end_ms > mono)
        mono = srv->call_end_ms;
    return wall_base_ms + (int64_t)mono + srv->clock_offset_ms;
}

/* The client's selected database. */
struct store *client_db(struct client *c)
{
    return c->srv->db[c->db];
}

/* Formats sa as "ip:port". */
void server_format_addr(const struct sockaddr *sa, char *buf, size_t cap)
{
    char ip[64] = "?";
    int port = 0;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        uv_ip4_name(in, ip, sizeof(ip));
        port = ntohs(in->sin_port);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        uv_ip6_name(in6, ip, sizeof(ip));
        port = ntohs(in6->sin6_port);
    }
    snprintf(buf, cap, "%s:%d", ip, port);
}

static void on_expired(void *ctx, const char *key, size_t klen)
{
    struct db_ctx *d = ctx;
    d->srv->stat_expired++;
    d->srv->key_origin = KEY_BY_SERVER;
    /* Not a change in Redis's dirty count, only in the data. */
    server_key_signal(d->srv, d->db, key, klen);
    d->srv->key_origin = KEY_BY_COMMAND;
    server_notify(d->srv, NOTIFY_EXPIRED, "expired", d->db, key, klen);
}

/* See server.h. Respite records dir rather than changing into it. */
const char *server_dir_path(const struct server *srv, const char *name,
                            char *buf, size_t cap)
{
    if (!name || !name[0])
        return NULL;
    if (name[0] == '/' || !srv->conf.dir)
        return name;
    snprintf(buf, cap, "%s/%s", srv->conf.dir, name);
    return buf;
}

/* Swaps databases a and b; each store keeps reporting under its new
 * index. */
void server_db_swap(struct server *srv, int a, int b)
{
    struct store *t = srv->db[a];
    srv->db[a] = srv->db[b];
    srv->db[b] = t;
    store_set_expired_cb(srv->db[a], on_expired, &srv->db_ctx[a]);
    store_set_expired_cb(srv->db[b], on_expired, &srv->db_ctx[b]);
}

static void apply_limits(struct server *srv);

/* Re-arms what depends on configuration changed by CONFIG SET. */
void server_conf_applied(struct server *srv)
{
    sweeper_configure(srv);
    maxmemory_configure(srv);
    server_notify_conf(srv);
    slowlog_configure(srv);
    latency_configure(srv);
    persist_configure(srv);
    client_apply_limits_all(srv);
    apply_limits(srv);
    acl_conf_applied(srv);
    crash_configure(srv);
}

/* Zeroes the counters INFO stats and commandstats show. */
void server_reset_stats(struct server *srv)
{
    latency_free(srv, 0);
    memset(srv->cmdstats, 0, srv->ncmdstats * sizeof(*srv->cmdstats));
    srv->stat_commands = srv->stat_connections = srv->stat_rejected_conn = 0;
    srv->stat_expired = srv->stat_hits = srv->stat_misses = 0;
    srv->maxmem.evicted = 0;
    srv->maxmem.over_since_ns = srv->maxmem.over_total_ns = 0;
    srv->stat_net_in = srv->stat_net_out = srv->stat_errors = 0;
    srv->stat_reads = srv->stat_writes = srv->stat_sweep_capped = 0;
    srv->stat_evicted_clients = 0;
    srv->nerrorstats = 0;
    if (srv->scripting)
        script_evicted_reset(srv);
    rates_init(&srv->rates, uv_now(srv->loop));
}

/* See server.h. The buffers are measured as CLIENT LIST's qbuf plus rbs
 * and omem. */
void server_stats_tick(struct server *srv)
{
    uint64_t now_ms = uv_now(srv->loop);
    if (!rates_due(&srv->rates, now_ms))
        return;
    uint64_t now[RATE_COUNT] = {
        [RATE_COMMANDS] = srv->stat_commands,
        [RATE_NET_IN] = srv->stat_net_in,
        [RATE_NET_OUT] = srv->stat_net_out,
    };
    rates_sample(&srv->rates, now_ms, now);
    uint64_t in = 0, out = 0;
    for (const struct client *c = srv->clients; c; c = c->next) {
        uint64_t i = resp_reader_pending(&c->reader) + c->reader.arena_cap;
        uint64_t o = client_output_pending(c);
        in = i > in ? i : in;
        out = o > out ? o : out;
    }
    peaks_note(&srv->client_peaks, server_now_ms(srv) / 1000, in, out);
}

/* Closes listeners, clients and every handle; uv_run then returns. Replies
 * already gathered get one last non-blocking write first. */
void server_shutdown(struct server *srv)
{
    if (srv->shutting_down)
        return;
    srv->shutting_down = 1;
    server_fork_kill_all(srv);
    server_on_prepare(&srv->flusher);
    while (srv->clients)
        client_close(srv->clients);
    server_unlisten(srv);
    blocking_close(srv);
    uv_close((uv_handle_t *)&srv->sweeper, NULL);
    uv_close((uv_handle_t *)&srv->pause_timer, NULL);
    maxmemory_close(srv);
    uv_close((uv_handle_t *)&srv->flusher, NULL);
    uv_close((uv_handle_t *)&srv->reader_idle, NULL);
    busypoll_close(srv);
    uv_close((uv_handle_t *)&srv->sigterm, NULL);
    uv_close((uv_handle_t *)&srv->sigint, NULL);
}

/* shutdown-on-sigint / -sigterm as persist_shutdown's flags ("now" has
 * no replicas to skip waiting for). */
static int signal_flags(const struct server *srv, int signum)
{
    int words = signum == SIGINT ? srv->conf.shutdown_on_sigint
                                 : srv->conf.shutdown_on_sigterm;
    return (words & CONF_SHUTDOWN_SAVE ? PERSIST_SHUTDOWN_SAVE : 0) |
           (words & CONF_SHUTDOWN_NOSAVE ? PERSIST_SHUTDOWN_NOSAVE : 0) |
           (words & CONF_SHUTDOWN_FORCE ? PERSIST_SHUTDOWN_FORCE : 0);
}

/* SIGTERM, SIGINT: as SHUTDOWN with shutdown-on-sigterm's (-sigint's)
 * words; by default that saves first when save points are configured (a
 * failed save keeps the server up, as in Redis), then shuts down. */
static void on_signal(uv_signal_t *h, int signum)
{
    struct server *srv = h->data;
    server_log(srv, 'w', "Received %s scheduling shutdown...",
               signum == SIGINT ? "SIGINT" : "SIGTERM");
    if (persist_shutdown(srv, signal_flags(srv, signum)) != 0) {
        server_log(srv, 'w', "SIGTERM received but errors trying to shut "
                   "down the server, check the logs for more information");
        return;
    }
    server_shutdown(srv);
}

static void make_run_id(char *out)
{
    unsigned char raw[20];
    int fd = open("/dev/urandom", O_RDONLY);
    ssize_t got = fd >= 0 ? read(fd, raw, sizeof(raw)) : -1;
    if (fd >= 0)
        close(fd);
    for (size_t i = 0; i < sizeof(raw); i++) {
        unsigned v = got == (ssize_t)sizeof(raw) ? raw[i]
                                                 : (unsigned)rand() & 0xff;
        sprintf(out + i * 2, "%02x", v);
    }
}

/* Gives every database the compact-encoding limits configured now. */
static void apply_limits(struct server *srv)
{
    const struct conf *cf = &srv->conf;
    struct store_limits l = {
        .hash_entries = (size_t)cf->hash_max_listpack_entries,
        .hash_value = (size_t)cf->hash_max_listpack_value,
        .set_entries = (size_t)cf->set_max_listpack_entries,
        .set_value = (size_t)cf->set_max_listpack_value,
        .zset_entries = (size_t)cf->zset_max_listpack_entries,
        .zset_value = (size_t)cf->zset_max_listpack_value,
        .list_size = cf->list_max_listpack_size,
        .set_intset = (size_t)cf->set_max_intset_entries,
        .stream_entries = (size_t)cf->stream_node_max_entries,
        .stream_bytes = (size_t)cf->stream_node_max_bytes,
    };
    for (int i = 0; i < cf->databases; i++)
        store_set_limits(srv->db[i], &l);
}

static int open_databases(struct server *srv)
{
    int n = srv->conf.databases;
    srv->db = calloc((size_t)n, sizeof(*srv->db));
    srv->db_ctx = calloc((size_t)n, sizeof(*srv->db_ctx));
    if (!srv->db || !srv->db_ctx || release_start(&srv->release) != 0)
        return -1;
    for (int i = 0; i < n; i++) {
        srv->db[i] = store_new((unsigned)srv->conf.shards);
        if (!srv->db[i])
            return -1;
        srv->db_ctx[i] = (struct db_ctx){ srv, i };
        store_set_expired_cb(srv->db[i], on_expired, &srv->db_ctx[i]);
        store_set_release_cb(srv->db[i], release_pages, &srv->release);
        if (srv->prefault)
            store_set_populate_cb(srv->db[i], prefault_pages, srv->prefault);
        if (srv->premap)
            store_set_map_cb(srv->db[i], premap_map, srv->premap);
    }
    apply_limits(srv);
    return 0;
}

static void close_databases(struct server *srv)
{
    for (int i = 0; srv->db && i < srv->conf.databases; i++)
        store_free(srv->db[i]);
    release_stop(&srv->release);
    free(srv->db);
    free(srv->db_ctx);
}

static void usage(FILE *f)
{
    fprintf(f,
        "Usage: respite [/path/to/respite.conf] [--directive value ...] "
        "[-]\n"
        "       respite --ping HOST:PORT [PASSWORD]   (health check: exit 0 "
        "on PONG)\n"
        "       respite --version\n"
        "       respite --help\n\n"
        "Examples:\n"
        "       respite                      (defaults: 127.0.0.1:6379)\n"
        "       respite conf/respite.conf\n"
        "       respite --port 7777 --requirepass secret\n"
        "       respite conf/respite.conf --loglevel verbose\n"
        "       echo 'maxmemory 64mb' | respite -\n\n"
        "Every directive of conf/respite.conf may be given as --name value;\n"
        "\"-\", first or last, reads config lines from standard input.\n");
}

/* Has a thread populate the memory jemalloc maps for this (the loop's)
 * thread's arena before the loop touches it (server/prefault.c). NULL
 * when that cannot be had, jemalloc not being the allocator say: an
 * optimisation only, so the server runs without it. */
static struct prefault *prefault_loop_arena(void)
{
    struct prefault *pf = prefault_new();
    if (pf && (prefault_start(pf) != 0 ||
               prefault_hook_thread_arena(pf) != 0)) {
        prefault_free(pf);
        pf = NULL;
    }
    return pf;
}

/* Has a thread map the stores' next bucket arrays ahead, off the loop
 * (server/premap.c). NULL when that cannot be had: the stores then map
 * their tables themselves. */
static struct premap *premap_tables(void)
{
    struct premap *m = premap_new();
    if (m && premap_start(m) != 0) {
        premap_free(m);
        m = NULL;
    }
    return m;
}

/* A logfile that cannot be opened stops start-up, as Redis's config check
 * does, rather than leaving the log on stderr unseen. */
static int check_logfile(const struct server *srv)
{
    char buf[PATH_MAX];
    const char *path = server_dir_path(srv, srv->conf.logfile, buf,
                                       sizeof(buf));
    FILE *f = path ? fopen(path, "a") : NULL;
    if (path && !f) {
        fprintf(stderr, "\n*** FATAL CONFIG FILE ERROR (Respite %s) ***\n"
                "Can't open the log file: %s\n", RESPITE_VERSION,
                strerror(errno));
        return -1;
    }
    if (f)
        fclose(f);
    return 0;
}

static int server_init(struct server *srv, int argc, char **argv)
{
    char err[512];
    if (conf_init(&srv->conf) != 0) {
        fprintf(stderr, "respite: out of memory\n");
        return -1;
    }
    if (conf_load_args(&srv->conf, argc, argv, err, sizeof(err)) != 0) {
        fprintf(stderr, "\n*** FATAL CONFIG FILE ERROR (Respite %s) ***\n"
                "%s\n", RESPITE_VERSION, err);
        return -1;
    }
    if (check_logfile(srv) != 0)
        return -1;
    if (argc > 1 && strncmp(argv[1], "--", 2) != 0 && strcmp(argv[1], "-")) {
        /* Absolute, as INFO shows it in Redis, and as CONFIG REWRITE
         * needs it should the working directory change. */
        char *abs = realpath(argv[1], NULL);
        snprintf(srv->config_file, sizeof(srv->config_file), "%s",
                 abs ? abs : argv[1]);
        free(abs);
    }
    size_t exe = sizeof(srv->executable);
    if (uv_exepath(srv->executable, &exe) != 0)
        snprintf(srv->executable, sizeof(srv->executable), "%s", argv[0]);
    srv->loop = uv_default_loop();
    srv->loop->data = srv;
    uv_timeval64_t tv;
    uv_gettimeofday(&tv);
    wall_base_ms = tv.tv_sec * 1000 + tv.tv_usec / 1000 -
                   (int64_t)uv_now(srv->loop);
    srv->start_ms = server_now_ms(srv);
    make_run_id(srv->run_id);
    crash_configure(srv);
    server_notify_conf(srv);
    slowlog_init(&srv->slowlog);
    slowlog_configure(srv);
    latency_monitor_init(&srv->latency);
    latency_configure(srv);
    if (command_index_init(srv, err, sizeof(err)) != 0) {
        fprintf(stderr, "\n*** FATAL CONFIG FILE ERROR (Respite %s) ***\n"
                "%s\n", RESPITE_VERSION, err);
        return -1;
    }
    if (open_databases(srv) != 0 || acl_init(srv) != 0 ||
        pubsub_init(srv) != 0 || script_engine_init(srv) != 0 ||
        function_engine_init(srv) != 0 || persist_init(srv) != 0) {
        fprintf(stderr, "respite: out of memory\n");
        return -1;
    }
    return acl_load_at_startup(srv);
}

/* Loads dir/dbfilename when it exists, before anything listens (Redis
 * listens first and answers -LOADING meanwhile). 0, or -1 after logging
 * why the file could not be loaded: the server must not start then. */
static int server_load(struct server *srv)
{
    /* The stores count accesses as the policy says (LFU or LRU) before
     * the loader gives keys their IDLE or FREQ. */
    maxmemory_apply_policy(srv);
    if (persist_load(srv, 0) < 0) {
        server_log(srv, 'w', "Fatal error loading the DB, check server "
                   "logs. Exiting.");
        return -1;
    }
    return 0;
}

/* maxclients as the open-files limit allows, adjusted as Redis adjusts
 * it at start-up: the limit is raised to fit when it can be, else
 * maxclients comes down, with Redis's warnings; a limit that leaves no
 * room for a client stops start-up. */
static int fit_maxclients(struct server *srv)
{
    int why;
    long long want = (long long)srv->conf.maxclients;
    long long fit = (long long)server_fdlimit_fit(want, &why);
    if (fit == want)
        return 0;
    long long need = want + SERVER_RESERVED_FDS;
    long long have = fit + SERVER_RESERVED_FDS;
    if (fit < 1) {
        server_log(srv, 'w', "Your current 'ulimit -n' of %lld is not "
                   "enough for the server to start. Please increase your "
                   "open file limit to at least %lld. Exiting.", have, need);
        return -1;
    }
    server_log(srv, 'w', "You requested maxclients of %lld requiring at "
               "least %lld max file descriptors.", want, need);
    server_log(srv, 'w', "Server can't set maximum open files to %lld "
               "because of OS error: %s.", need, strerror(why));
    server_log(srv, 'w', "Current maximum open files is %lld. maxclients "
               "has been reduced to %lld to compensate for low ulimit. If "
               "you need higher maxclients increase 'ulimit -n'.", have,
               fit);
    srv->conf.maxclients = fit;
    return 0;
}

static int server_start(struct server *srv)
{
    signal(SIGPIPE, SIG_IGN);
    if (fit_maxclients(srv) != 0 || server_listen(srv) != 0)
        return -1;
    uv_prepare_init(srv->loop, &srv->flusher);
    srv->flusher.data = srv;
    uv_prepare_start(&srv->flusher, server_on_prepare);
    uv_idle_init(srv->loop, &srv->reader_idle);
    srv->reader_idle.data = srv;
    busypoll_init(srv);
    uv_timer_init(srv->loop, &srv->sweeper);
    rates_init(&srv->rates, uv_now(srv->loop));
    peaks_init(&srv->client_peaks, server_now_ms(srv) / 1000);
    sweeper_start(srv);
    maxmemory_init(srv);
    maxmemory_configure(srv);
    if (blocking_init(srv) != 0)
        return -1;
    pause_init(srv);
    uv_signal_init(srv->loop, &srv->sigterm);
    uv_signal_init(srv->loop, &srv->sigint);
    srv->sigterm.data = srv->sigint.data = srv;
    uv_signal_start(&srv->sigterm, on_signal, SIGTERM);
    uv_signal_start(&srv->sigint, on_signal, SIGINT);
    srv->mem_startup = server_used_memory(srv);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "--version") == 0 ||
                      strcmp(argv[1], "-v") == 0)) {
        printf("Respite v=%s redis-compat=%s libuv=%s hiredis=%d.%d.%d\n",
               RESPITE_VERSION, REDIS_COMPAT_VERSION, uv_version_string(),
               HIREDIS_MAJOR, HIREDIS_MINOR, HIREDIS_PATCH);
        return 0;
    }
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 ||
                      strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "--ping") == 0)
        return server_ping_main(argc - 2, argv + 2);
    struct server *srv = calloc(1, sizeof(*srv));
    if (!srv)
        return 1;
    srv->prefault = prefault_loop_arena();
    srv->premap = premap_tables();
    int status = 1;
    if (server_init(srv, argc, argv) == 0 && server_load(srv) == 0 &&
        server_start(srv) == 0) {
        server_log(srv, 'n', "Respite %s (redis %s compatible) started, "
                   "pid=%d, port=%d", RESPITE_VERSION, REDIS_COMPAT_VERSION,
                   (int)getpid(), srv->conf.port);
        server_log(srv, 'n', "Ready to accept connections");
        uv_run(srv->loop, UV_RUN_DEFAULT);
        server_log(srv, 'n', "Respite is now ready to exit, bye bye...");
        status = 0;
    } else if (srv->loop) {
        /* Start-up failed before any other handle was opened. */
        server_unlisten(srv);
        uv_run(srv->loop, UV_RUN_DEFAULT);
    }
    if (srv->loop)
        uv_loop_close(srv->loop);
    close_databases(srv);
    pubsub_close(srv);
    acl_close(srv);
    tracking_close(srv);
    slowlog_close(&srv->slowlog);
    latency_free(srv, 1);
    script_engine_close(srv);
    function_engine_close(srv);
    persist_close(srv);
    server_fork_close(srv);
    command_index_close(srv);
    conf_close(&srv->conf);
    prefault_free(srv->prefault);
    premap_free(srv->premap);
    free(srv);
    return status;
}
