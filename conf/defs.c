/* defs.c - the directive table: every directive Respite reads, one row
 * each (conf.c says how the rows drive loading, CONFIG SET and CONFIG
 * GET), and the extra checks some rows name.
 *
 * Where a value lives:
 *   - a field of struct conf, found by offsetof/sizeof in the row (the
 *     size tells an int from an int64_t), for directives Respite obeys;
 *   - c->noop[row], a string, for Redis directives that do not apply here
 *     (encodings, persistence, lazy freeing...). They are still parsed and
 *     validated like Redis does, then kept in the form CONFIG GET shows,
 *     so "hash-max-listpack-value 1kb" reads back as "1024" and client
 *     libraries that probe them see Redis's answers. */
#include <limits.h>
#include <stdio.h>
#include <strings.h>

#include "conf/conf_int.h"

#define AT(f) offsetof(struct conf, f), sizeof(((struct conf *)0)->f)
#define NOOP 0, 0
#define MB (1024LL * 1024)

static int check_hz(long long *v, char *why, size_t wlen)
{
    (void)why;
    (void)wlen;
    /* Redis treats hz as a hint: out-of-range values are clamped. */
    if (*v < 1)
        *v = 1;
    if (*v > 500)
        *v = 500;
    return 0;
}

/* shutdown-on-sigint / -sigterm: SAVE and NOSAVE contradict each other,
 * as in SHUTDOWN. */
static int check_shutdown(long long *v, char *why, size_t wlen)
{
    if ((*v & CONF_SHUTDOWN_SAVE) && (*v & CONF_SHUTDOWN_NOSAVE)) {
        snprintf(why, wlen, "shutdown options SAVE and NOSAVE can't be used "
                 "simultaneously");
        return -1;
    }
    return 0;
}

/* A yes/no directive whose "yes" asks for what Respite cannot do. */
static int refuse_yes(long long v, const char *reason, char *why,
                      size_t wlen)
{
    if (!v)
        return 0;
    snprintf(why, wlen, "%s", reason);
    return -1;
}

static int check_cluster(long long *v, char *why, size_t wlen)
{
    return refuse_yes(*v, "cluster mode is not supported: Respite is a "
                      "single node", why, wlen);
}

/* Redis's refusal where its jemalloc cannot move allocations, word for
 * word (Debian's redis-server gives it too). */
static int check_activedefrag(long long *v, char *why, size_t wlen)
{
    return refuse_yes(*v, "Active defragmentation cannot be enabled: it "
                      "requires a Redis server compiled with a modified "
                      "Jemalloc like the one shipped by default with the "
                      "Redis source distribution", why, wlen);
}

/* Accepting it would leave a user who asked for durability with none. */
static int check_appendonly(long long *v, char *why, size_t wlen)
{
    return refuse_yes(*v, "appendonly yes is not supported: Respite writes "
                      "no append-only file; persist with RDB snapshots "
                      "instead (save \"60 1\", or shutdown-on-sigterm "
                      "save)", why, wlen);
}

static int check_daemonize(long long *v, char *why, size_t wlen)
{
    return refuse_yes(*v, "daemonize yes is not supported; run respite in "
                      "the foreground under a supervisor", why, wlen);
}

static const char *const loglevels[] = {
    "debug", "verbose", "notice", "warning", NULL
};
static const char *const policies[] = {
    "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
    "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction", NULL
};
static const char *const supervised_modes[] = {
    "upstart", "systemd", "auto", "no", NULL
};
static const char *const fsync_modes[] = {
    "everysec", "always", "no", NULL
};
static const char *const acl_pubsub_modes[] = {
    "allchannels", "resetchannels", NULL
};
/* In CONF_SHUTDOWN_* order: choices[i] is bit i - 1. */
static const char *const shutdown_words[] = {
    "default", "save", "nosave", "now", "force", NULL
};
static const char *const sanitize_modes[] = {
    "no", "yes", "clients", NULL
};
static const char *const debug_modes[] = {
    "no", "yes", "local", NULL
};
static const char *const oom_modes[] = {
    "no", "yes", "relative", "absolute", NULL
};
static const char *const diskless_load_modes[] = {
    "disabled", "on-empty-db", "swapdb", NULL
};
static const char *const facilities[] = {
    "user", "local0", "local1", "local2", "local3", "local4", "local5",
    "local6", "local7", NULL
};

/* Keep conf/respite.conf in the same order as this table (a unit test
 * checks it). Bounds and defaults are Redis 7's unless noted. */
const struct conf_def conf__defs[] = {
    /* Network. */
    { "bind", NULL, T_BIND, F_MULTI | F_MUTABLE, AT(bind), "127.0.0.1",
      0, 0, NULL, NULL },
    /* The source of outgoing connections: Respite makes none. */
    { "bind-source-addr", NULL, T_STR, F_MUTABLE, NOOP, "",
      0, 0, NULL, NULL },
    { "port", NULL, T_INT, F_MUTABLE, AT(port), "6379",
      0, 65535, NULL, NULL },
    { "unixsocket", NULL, T_STR, F_EMPTYNULL, AT(unixsocket), "",
      0, 0, NULL, NULL },
    { "unixsocketperm", NULL, T_OCTAL, 0, AT(unixsocketperm), "0",
      0, 0777, NULL, NULL },
    { "tcp-backlog", NULL, T_INT, 0, AT(tcp_backlog), "511",
      0, INT_MAX, NULL, NULL },
    { "tcp-keepalive", NULL, T_INT, F_MUTABLE, AT(tcp_keepalive), "300",
      0, INT_MAX, NULL, NULL },
    { "timeout", NULL, T_INT, F_MUTABLE, AT(timeout), "0",
      0, INT_MAX, NULL, NULL },
    { "maxclients", NULL, T_INT, F_MUTABLE, AT(maxclients), "10000",
      1, UINT_MAX, NULL, NULL },
    { "busy-poll-us", NULL, T_INT, F_MUTABLE, AT(busy_poll_us), "50",
      0, 10000, NULL, NULL },
    { "protected-mode", NULL, T_BOOL, F_MUTABLE, NOOP, "yes",
      0, 0, NULL, NULL },
    { "cluster-enabled", NULL, T_BOOL, 0, NOOP, "no",
      0, 0, NULL, check_cluster },

    /* Security. */
    { "requirepass", NULL, T_STR, F_MUTABLE | F_EMPTYNULL, AT(requirepass),
      "", 0, 0, NULL, NULL },
    { "acl-pubsub-default", NULL, T_ENUM, F_MUTABLE, AT(acl_pubsub_default),
      "resetchannels", 0, 0, acl_pubsub_modes, NULL },
    { "aclfile", NULL, T_STR, F_EMPTYNULL, AT(aclfile), "",
      0, 0, NULL, NULL },
    { "user", NULL, T_USER, F_MULTI | F_HIDDEN, NOOP, "",
      0, 0, NULL, NULL },
    { "rename-command", NULL, T_RENAME, F_MULTI | F_HIDDEN, NOOP, "",
      0, 0, NULL, NULL },
    { "acllog-max-len", NULL, T_INT, F_MUTABLE, AT(acllog_max_len), "128",
      0, LONG_MAX, NULL, NULL },
    /* RESTORE checks every payload whole whatever this says (as "yes"). */
    { "sanitize-dump-payload", NULL, T_ENUM, F_MUTABLE, NOOP, "no",
      0, 0, sanitize_modes, NULL },

    /* Keyspace and the expiry sweeper. databases and shards have our own
     * caps; hz takes any non-negative value and is clamped to 1..500. */
    { "databases", NULL, T_INT, 0, AT(databases), "16",
      1, 4096, NULL, NULL },
    { "shards", NULL, T_INT, 0, AT(shards), "16",
      1, 256, NULL, NULL },
    { "hz", NULL, T_INT, F_MUTABLE, AT(hz), "10",
      0, INT_MAX, NULL, check_hz },
    { "active-expire-budget-us", NULL, T_INT, F_MUTABLE,
      AT(active_expire_budget_us), "1000", 1, 1000000, NULL, NULL },
    { "active-expire-effort", NULL, T_INT, F_MUTABLE, NOOP, "1",
      1, 10, NULL, NULL },
    { "dynamic-hz", NULL, T_BOOL, F_MUTABLE, NOOP, "yes",
      0, 0, NULL, NULL },
    { "notify-keyspace-events", NULL, T_NOTIFY, F_MUTABLE,
      AT(notify_keyspace_events), "", 0, 0, NULL, NULL },
    /* Stream retention (Respite): applied by the sweeper; 0 = off. */
    { "stream-max-entries", NULL, T_INT, F_MUTABLE, AT(stream_max_entries),
      "0", 0, LLONG_MAX, NULL, NULL },
    { "stream-retention-ms", NULL, T_INT, F_MUTABLE,
      AT(stream_retention_ms), "0", 0, LLONG_MAX, NULL, NULL },

    /* Limits. */
    { "proto-max-bulk-len", NULL, T_MEM, F_MUTABLE, AT(proto_max_bulk_len),
      "512mb", MB, LLONG_MAX, NULL, NULL },
    { "client-query-buffer-limit", NULL, T_MEM, F_MUTABLE,
      AT(client_query_buffer_limit), "1gb", MB, LLONG_MAX, NULL, NULL },
    { "client-output-buffer-limit", NULL, T_OBUF, F_MUTABLE | F_MULTI,
      AT(obuf_normal),
      "normal 0 0 0 replica 256mb 64mb 60 pubsub 32mb 8mb 60",
      0, 0, NULL, NULL },
    { "maxmemory", NULL, T_MEM, F_MUTABLE, AT(maxmemory), "0",
      0, ULLONG_MAX, NULL, NULL },
    { "maxmemory-policy", NULL, T_ENUM, F_MUTABLE, AT(maxmemory_policy),
      "noeviction", 0, 0, policies, NULL },
    { "maxmemory-samples", NULL, T_INT, F_MUTABLE, AT(maxmemory_samples),
      "5", 1, INT_MAX, NULL, NULL },
    { "maxmemory-clients", NULL, T_MEMPCT, F_MUTABLE,
      AT(maxmemory_clients), "0", 0, 0, NULL, NULL },
    { "maxmemory-eviction-tenacity", NULL, T_INT, F_MUTABLE,
      AT(maxmemory_eviction_tenacity), "10", 0, 100, NULL, NULL },
    { "lfu-log-factor", NULL, T_INT, F_MUTABLE, AT(lfu_log_factor), "10",
      0, INT_MAX, NULL, NULL },
    { "lfu-decay-time", NULL, T_INT, F_MUTABLE, AT(lfu_decay_time), "1",
      0, INT_MAX, NULL, NULL },
    /* Client-side caching (server/tracking.c). */
    { "tracking-table-max-keys", NULL, T_INT, F_MUTABLE,
      AT(tracking_table_max_keys), "1000000", 0, LONG_MAX, NULL, NULL },

    /* Process and logging. */
    { "loglevel", NULL, T_ENUM, F_MUTABLE, AT(loglevel), "notice",
      0, 0, loglevels, NULL },
    { "logfile", NULL, T_STR, 0, AT(logfile), "",
      0, 0, NULL, NULL },
    { "daemonize", NULL, T_BOOL, 0, AT(daemonize), "no",
      0, 0, NULL, check_daemonize },
    { "supervised", NULL, T_ENUM, 0, NOOP, "no",
      0, 0, supervised_modes, NULL },
    { "pidfile", NULL, T_STR, 0, NOOP, "",
      0, 0, NULL, NULL },
    { "dir", NULL, T_DIR, F_MUTABLE | F_PROTECTED, AT(dir), ".",
      0, 0, NULL, NULL },
    { "enable-debug-command", NULL, T_ENUM, 0, AT(enable_debug_command),
      "no", 0, 0, debug_modes, NULL },
    { "enable-module-command", NULL, T_ENUM, 0, AT(enable_module_command),
      "no", 0, 0, debug_modes, NULL },
    { "enable-protected-configs", NULL, T_ENUM, 0,
      AT(enable_protected_configs), "no", 0, 0, debug_modes, NULL },
    { "crash-log-enabled", NULL, T_BOOL, F_MUTABLE, AT(crash_log_enabled),
      "yes", 0, 0, NULL, NULL },
    { "crash-memcheck-enabled", NULL, T_BOOL, F_MUTABLE, NOOP, "yes",
      0, 0, NULL, NULL },
    { "always-show-logo", NULL, T_BOOL, 0, NOOP, "no",
      0, 0, NULL, NULL },
    { "set-proc-title", NULL, T_BOOL, 0, NOOP, "yes",
      0, 0, NULL, NULL },
    { "syslog-enabled", NULL, T_BOOL, 0, NOOP, "no",
      0, 0, NULL, NULL },
    { "syslog-ident", NULL, T_STR, 0, NOOP, "redis",
      0, 0, NULL, NULL },
    { "syslog-facility", NULL, T_ENUM, 0, NOOP, "local0",
      0, 0, facilities, NULL },
    { "io-threads", NULL, T_INT, 0, NOOP, "1",
      1, 128, NULL, NULL },
    { "io-threads-do-reads", NULL, T_BOOL, 0, NOOP, "no",
      0, 0, NULL, NULL },
    { "jemalloc-bg-thread", NULL, T_BOOL, F_MUTABLE, NOOP, "yes",
      0, 0, NULL, NULL },
    /* Redis's start-up warnings to silence: Respite gives none. */
    { "ignore-warnings", NULL, T_STR, F_MUTABLE, NOOP, "",
      0, 0, NULL, NULL },
    /* Set in Redis's own redis.conf, so that file loads. */
    { "proc-title-template", NULL, T_PTITLE, F_MUTABLE, NOOP,
      "{title} {listen-addr} {server-mode}", 0, 0, NULL, NULL },
    { "oom-score-adj", NULL, T_ENUM, F_MUTABLE, NOOP, "no",
      0, 0, oom_modes, NULL },
    { "oom-score-adj-values", NULL, T_OOMADJ, F_MUTABLE | F_MULTI, NOOP,
      "0 200 800", 0, 0, NULL, NULL },
    { "disable-thp", NULL, T_BOOL, 0, NOOP, "yes",
      0, 0, NULL, NULL },

    /* RDB snapshots (server/persist.c, server/rdb_save.c); of the AOF
     * directives after them, appendonly yes is refused, the rest tune an
     * AOF that is never written. */
    { "save", NULL, T_SAVE, F_MUTABLE | F_MULTI, AT(save), "",
      0, 0, NULL, NULL },
    { "stop-writes-on-bgsave-error", NULL, T_BOOL, F_MUTABLE,
      AT(stop_writes_on_bgsave_error), "yes", 0, 0, NULL, NULL },
    { "rdbcompression", NULL, T_BOOL, F_MUTABLE, AT(rdbcompression), "yes",
      0, 0, NULL, NULL },
    { "rdbchecksum", NULL, T_BOOL, 0, AT(rdbchecksum), "yes",
      0, 0, NULL, NULL },
    { "dbfilename", NULL, T_FNAME, F_MUTABLE | F_PROTECTED, AT(dbfilename),
      "dump.rdb", 0, 0, NULL, NULL },
    { "rdb-save-incremental-fsync", NULL, T_BOOL, F_MUTABLE, NOOP, "yes",
      0, 0, NULL, NULL },
    { "rdb-del-sync-files", NULL, T_BOOL, F_MUTABLE, NOOP, "no",
      0, 0, NULL, NULL },
    { "shutdown-on-sigint", NULL, T_FLAGS, F_MUTABLE | F_MULTI,
      AT(shutdown_on_sigint), "default", 0, 0, shutdown_words,
      check_shutdown },
    { "shutdown-on-sigterm", NULL, T_FLAGS, F_MUTABLE | F_MULTI,
      AT(shutdown_on_sigterm), "default", 0, 0, shutdown_words,
      check_shutdown },
    /* How long SHUTDOWN waits for lagging replicas: there are none. */
    { "shutdown-timeout", NULL, T_INT, F_MUTABLE, NOOP, "10",
      0, INT_MAX, NULL, NULL },
    { "appendonly", NULL, T_BOOL, F_MUTABLE, NOOP, "no",
      0, 0, NULL, check_appendonly },
    { "appendfilename", NULL, T_FNAME, F_NONEMPTY, NOOP, "appendonly.aof",
      0, 0, NULL, NULL },
    { "appenddirname", NULL, T_FNAME, F_NONEMPTY, NOOP, "appendonlydir",
      0, 0, NULL, NULL },
    { "appendfsync", NULL, T_ENUM, F_MUTABLE, NOOP, "everysec",
      0, 0, fsync_modes, NULL },
    { "no-appendfsync-on-rewrite", NULL, T_BOOL, F_MUTABLE, NOOP, "no",
      0, 0, NULL, NULL },
    { "auto-aof-rewrite-percentage", NULL, T_INT, F_MUTABLE, NOOP, "100",
      0, INT_MAX, NULL, NULL },
    { "auto-aof-rewrite-min-size", NULL, T_MEM, F_MUTABLE, NOOP, "64mb",
      0, LLONG_MAX, NULL, NULL },
    { "aof-load-truncated", NULL, T_BOOL, F_MUTABLE, NOOP, "yes",
      0, 0, NULL, NULL },
    { "aof-use-rdb-preamble", NULL, T_BOOL, F_MUTABLE, NOOP, "yes",
      0, 0, NULL, NULL },
    { "aof-rewrite-incremental-fsync", NULL, T_BOOL, F_MUTABLE, NOOP, "yes",
      0, 0, NULL, NULL },
    { "aof-timestamp-enabled", NULL, T_BOOL, F_MUTABLE, NOOP, "no",
      0, 0, NULL, NULL },
    { "aof-disable-auto-gc", NULL, T_BOOL, F_MUTABLE, NOOP, "no",
      0, 0, NULL, NULL },

    /* Replication: what Redis's redis.conf sets, accepted so that file
     * loads (replicaof itself is refused, see unsupported[]). */
    { "replica-serve-stale-data", "slave-serve-stale-data", T_BOOL,
      F_MUTABLE, NOOP, "yes", 0, 0, NULL, NULL },
    { "replica-read-only", "slave-read-only", T_BOOL, F_MUTABLE, NOOP,
      "yes", 0, 0, NULL, NULL },
    { "repl-diskless-sync", NULL, T_BOOL, F_MUTABLE, NOOP, "yes",
      0, 0, NULL, NULL },
    { "repl-diskless-sync-delay", NULL, T_INT, F_MUTABLE, NOOP, "5",
      0, INT_MAX, NULL, NULL },
    { "repl-diskless-sync-max-replicas", NULL, T_INT, F_MUTABLE, NOOP, "0",
      0, INT_MAX, NULL, NULL },
    { "repl-diskless-load", NULL, T_ENUM, F_MUTABLE, NOOP, "disabled",
      0, 0, diskless_load_modes, NULL },
    { "repl-disable-tcp-nodelay", NULL, T_BOOL, F_MUTABLE, NOOP, "no",
      0, 0, NULL, NULL },
    { "replica-priority", "slave-priority", T_INT, F_MUTABLE, NOOP, "100",
      0, INT_MAX, NULL, NULL },
    { "replica-lazy-flush", "slave-lazy-flush", T_BOOL, F_MUTABLE, NOOP,
      "no", 0, 0, NULL, NULL },

    /* Compact encodings' limits (store_limits, and the HyperLogLog
     * commands' sparse limit); list compression does not exist here, so
     * that one is accepted only. */
    { "hash-max-listpack-entries", "hash-max-ziplist-entries", T_INT,
      F_MUTABLE, AT(hash_max_listpack_entries), "512", 0, LONG_MAX, NULL,
      NULL },
    { "hash-max-listpack-value", "hash-max-ziplist-value", T_MEM,
      F_MUTABLE, AT(hash_max_listpack_value), "64", 0, LONG_MAX, NULL, NULL },
    { "list-max-listpack-size", "list-max-ziplist-size", T_INT,
      F_MUTABLE, AT(list_max_listpack_size), "-2", INT_MIN, INT_MAX, NULL,
      NULL },
    { "list-compress-depth", NULL, T_INT, F_MUTABLE, NOOP, "0",
      0, INT_MAX, NULL, NULL },
    { "set-max-intset-entries", NULL, T_INT, F_MUTABLE,
      AT(set_max_intset_entries), "512", 0, LONG_MAX, NULL, NULL },
    { "set-max-listpack-entries", NULL, T_INT, F_MUTABLE,
      AT(set_max_listpack_entries), "128", 0, LONG_MAX, NULL, NULL },
    { "set-max-listpack-value", NULL, T_MEM, F_MUTABLE,
      AT(set_max_listpack_value), "64", 0, LONG_MAX, NULL, NULL },
    { "zset-max-listpack-entries", "zset-max-ziplist-entries", T_INT,
      F_MUTABLE, AT(zset_max_listpack_entries), "128", 0, LONG_MAX, NULL,
      NULL },
    { "zset-max-listpack-value", "zset-max-ziplist-value", T_MEM,
      F_MUTABLE, AT(zset_max_listpack_value), "64", 0, LONG_MAX, NULL, NULL },
    { "hll-sparse-max-bytes", NULL, T_MEM, F_MUTABLE,
      AT(hll_sparse_max_bytes), "3000", 0, LONG_MAX, NULL, NULL },
    { "stream-node-max-bytes", NULL, T_MEM, F_MUTABLE,
      AT(stream_node_max_bytes), "4096", 0, LONG_MAX, NULL, NULL },
    { "stream-node-max-entries", NULL, T_INT, F_MUTABLE,
      AT(stream_node_max_entries), "100", 0, LLONG_MAX, NULL, NULL },
    { "activerehashing", NULL, T_BOOL, F_MUTABLE, NOOP, "yes",
      0, 0, NULL, NULL },

    /* Lazy freeing: accepted, not used. */
    { "lazyfree-lazy-eviction", NULL, T_BOOL, F_MUTABLE, NOOP, "no",
      0, 0, NULL, NULL },
    { "lazyfree-lazy-expire", NULL, T_BOOL, F_MUTABLE, NOOP, "no",
      0, 0, NULL, NULL },
    { "lazyfree-lazy-server-del", NULL, T_BOOL, F_MUTABLE, NOOP, "no",
      0, 0, NULL, NULL },
    { "lazyfree-lazy-user-del", NULL, T_BOOL, F_MUTABLE, NOOP, "no",
      0, 0, NULL, NULL },
    { "lazyfree-lazy-user-flush", NULL, T_BOOL, F_MUTABLE, NOOP, "no",
      0, 0, NULL, NULL },

    /* Active defragmentation: refused as Debian's redis-server refuses it
     * (its jemalloc lacks the hooks, as Respite's does); the tuning is
     * accepted, no effect. */
    { "activedefrag", NULL, T_BOOL, F_MUTABLE, NOOP, "no",
      0, 0, NULL, check_activedefrag },
    { "active-defrag-ignore-bytes", NULL, T_MEM, F_MUTABLE, NOOP, "100mb",
      1, LLONG_MAX, NULL, NULL },
    { "active-defrag-threshold-lower", NULL, T_INT, F_MUTABLE, NOOP, "10",
      0, 1000, NULL, NULL },
    { "active-defrag-threshold-upper", NULL, T_INT, F_MUTABLE, NOOP, "100",
      0, 1000, NULL, NULL },
    { "active-defrag-cycle-min", NULL, T_INT, F_MUTABLE, NOOP, "1",
      1, 99, NULL, NULL },
    { "active-defrag-cycle-max", NULL, T_INT, F_MUTABLE, NOOP, "25",
      1, 99, NULL, NULL },
    { "active-defrag-max-scan-fields", NULL, T_INT, F_MUTABLE, NOOP, "1000",
      1, LLONG_MAX, NULL, NULL },

    /* The slow log (server/cmd_slowlog.c). */
    { "slowlog-log-slower-than", NULL, T_INT, F_MUTABLE,
      AT(slowlog_log_slower_than), "10000", -1, LLONG_MAX, NULL, NULL },
    { "slowlog-max-len", NULL, T_INT, F_MUTABLE, AT(slowlog_max_len), "128",
      0, LONG_MAX, NULL, NULL },

    /* The latency monitor and per-command latency tracking
     * (server/cmd_latency.c). */
    { "latency-monitor-threshold", NULL, T_INT, F_MUTABLE,
      AT(latency_monitor_threshold), "0", 0, LLONG_MAX, NULL, NULL },
    { "latency-tracking", NULL, T_BOOL, F_MUTABLE, AT(latency_tracking),
      "yes", 0, 0, NULL, NULL },
    { "latency-tracking-info-percentiles", NULL, T_PCTL,
      F_MUTABLE | F_MULTI, AT(latency_tracking_info_percentiles),
      "50 99 99.9", 0, 0, NULL, NULL },

    /* Redis's test hook: microseconds slept after each key a save writes
     * (server/rdb_save.c). */
    { "rdb-key-save-delay", NULL, T_INT, F_MUTABLE | F_UNLISTED,
      AT(rdb_key_save_delay), "0", INT_MIN, INT_MAX, NULL, NULL },

    /* Long scripts (server/script_busy.c). */
    { "busy-reply-threshold", "lua-time-limit", T_INT, F_MUTABLE,
      AT(busy_reply_threshold), "5000", 0, LONG_MAX, NULL, NULL },

    /* Removed from Redis 7 but still accepted from old config files. */
    { "list-max-ziplist-entries", NULL, T_IGNORE, F_HIDDEN, NOOP, "",
      0, 0, NULL, NULL },
    { "list-max-ziplist-value", NULL, T_IGNORE, F_HIDDEN, NOOP, "",
      0, 0, NULL, NULL },
    { "lua-replicate-commands", NULL, T_IGNORE, F_HIDDEN, NOOP, "",
      0, 0, NULL, NULL },
};

const size_t conf__ndefs = sizeof(conf__defs) / sizeof(conf__defs[0]);

/* Redis directives we recognise but refuse, so the error says so. */
static const char *const unsupported[] = {
    "loadmodule", "replicaof", "slaveof", "sentinel", "tls-port", NULL
};

/* 1 if name is one of those. */
int conf__unsupported(const char *name)
{
    for (size_t i = 0; unsupported[i]; i++)
        if (!strcasecmp(name, unsupported[i]))
            return 1;
    return 0;
}

/* Returns the row of a directive name or alias, or -1. */
int conf__lookup(const char *name)
{
    for (size_t i = 0; i < conf__ndefs; i++)
        if (!strcasecmp(name, conf__defs[i].name) ||
            (conf__defs[i].alias && !strcasecmp(name, conf__defs[i].alias)))
            return (int)i;
    return -1;
}
